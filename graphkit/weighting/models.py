"""The probability models: each a pure function from a graph to one probability per
attention edge (aligned with ``graph.indices``). See :mod:`graphkit.weighting` for the models
and the direction rule."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike
    from ..graph import SocialGraph
    from ..io import EdgeTable

__all__ = ["PROB_MODELS", "TRIVALENCY_VALUES", "parse_prob", "weighted_cascade", "uniform",
           "trivalency", "typed", "from_column", "from_file", "lt_normalize"]

#: The probability models :func:`influence_graph` understands (``NAME`` or ``NAME:ARG``).
PROB_MODELS = ("wc", "uniform", "trivalency", "typed", "column", "learned")

#: The values the trivalency model draws from.
TRIVALENCY_VALUES = (0.1, 0.01, 0.001)


def parse_prob(spec: str) -> tuple[str, str | None]:
    """Split a probability-model spec into ``(name, argument)``.

    ``"wc"`` -> ``("wc", None)``; ``"uniform:0.1"`` -> ``("uniform", "0.1")``;
    ``"column:p"`` -> ``("column", "p")``; ``"learned:probs.csv"`` ->
    ``("learned", "probs.csv")``. Raises ``ValueError`` for an unknown model, a
    missing or unexpected argument, or a uniform probability outside [0, 1].
    """
    name, sep, arg = str(spec).partition(":")
    name = name.strip().lower()
    if name not in PROB_MODELS:
        raise ValueError(
            f"unknown probability model {spec!r} (use wc, uniform:P, trivalency, typed, "
            "column:NAME or learned:FILE)"
        )
    if name in ("uniform", "column", "learned"):
        if not sep or not arg:
            raise ValueError(f"{name} needs an argument: {name}:{_ARG_NAME[name]}")
        if name == "uniform":
            try:
                p = float(arg)
            except ValueError:
                raise ValueError(f"uniform probability {arg!r} is not a number") from None
            if not (0.0 <= p <= 1.0):
                raise ValueError(f"uniform probability {arg} is outside [0, 1]")
        return name, arg
    if sep:
        raise ValueError(f"{name} takes no argument, got {spec!r}")
    return name, None


_ARG_NAME = {"uniform": "P", "column": "NAME", "learned": "FILE"}


def weighted_cascade(graph: SocialGraph) -> np.ndarray:
    """Weighted-cascade probabilities, aligned with the attention edges.

    Attention edge ``v -> u`` (``v`` acted on ``u``) becomes influence ``u -> v``
    with ``p = 1 / (number of distinct users v acted on)``: the in-degree of ``v``
    in the influence graph [1]_. Every user's incoming probabilities sum to 1.

    References
    ----------
    .. [1] W. Chen, Y. Wang, S. Yang, "Efficient influence maximization in social
       networks", KDD 2009.

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.weighting import weighted_cascade
    >>> g = gk.SocialGraph.from_pairs([("bob", "alice"), ("bob", "carol"), ("dan", "alice")])
    >>> weighted_cascade(g).tolist()     # bob acted on two users, dan on one
    [0.5, 0.5, 1.0]
    """
    deg = graph.out_degree().astype(np.float64)
    return 1.0 / np.repeat(deg, graph.out_degree())


def uniform(graph: SocialGraph, p: float) -> np.ndarray:
    """The same probability ``p`` (in [0, 1]) on every edge."""
    p = float(p)
    if not (0.0 <= p <= 1.0):
        raise InputError(f"uniform probability {p:g} is outside [0, 1]")
    return np.full(graph.n_edges, p, dtype=np.float64)


def trivalency(graph: SocialGraph, rng: RngLike = None, values=TRIVALENCY_VALUES) -> np.ndarray:
    """Trivalency probabilities: each edge uniformly one of ``values`` (0.1, 0.01, 0.001).

    Drawn once per distinct (actor, target) pair, in attention-CSR order, from
    ``rng`` (int, Generator or None), so the same seed gives the same graph [1]_.

    References
    ----------
    .. [1] W. Chen, C. Wang, Y. Wang, "Scalable influence maximization for prevalent
       viral marketing in large-scale social networks", KDD 2010.
    """
    from .._rng import as_generator

    vals = np.asarray(values, dtype=np.float64)
    check_unit_interval(vals, "trivalency")
    return vals[as_generator(rng).integers(0, len(vals), size=graph.n_edges)]


def typed(graph: SocialGraph, type_probs: Mapping[str, float]) -> np.ndarray:
    """Per-type probabilities combined over repeated interactions.

    ``p = 1 - prod_t (1 - p_t) ** count_t`` where ``count_t`` is how many
    interactions of type ``t`` the pair had (``graph.counts``): each interaction is
    an independent chance to pass the content on. Types missing from
    ``type_probs`` contribute nothing (``p_t = 0``); names not in the data are
    ignored here (:func:`influence_graph` reports them).

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.weighting import typed
    >>> g = gk.SocialGraph.from_pairs([("b", "a", "share"), ("b", "a", "share"), ("c", "a", "follow")])
    >>> typed(g, {"share": 0.5, "follow": 0.1}).round(4).tolist()   # 1 - 0.5**2, 0.1
    [0.75, 0.1]
    """
    log_q = np.zeros(graph.n_edges, dtype=np.float64)
    for t, p in type_probs.items():
        p = float(p)
        if not (0.0 <= p <= 1.0):
            raise InputError(f"probability of type {t!r} is {p:g}, outside [0, 1]")
        if t not in graph.types or p == 0.0:
            continue
        c = graph.counts[:, graph.types.index(t)]
        if p == 1.0:
            log_q[c > 0] = -np.inf
        else:
            log_q += c * math.log1p(-p)
    return -np.expm1(log_q)


def from_column(graph: SocialGraph, edges: EdgeTable, name: str) -> np.ndarray:
    """Probabilities from a numeric column of the edge file.

    ``edges`` is the table the graph was built from, read with
    ``extra_cols=(name,)``. Rows that merge into one edge combine as
    ``1 - prod(1 - p_row)``; an edge made of a single row keeps the value exactly.
    A value above 1 raises :class:`InputError` naming the file and line.
    """
    if name not in edges.extra:
        raise InputError(f"column:{name}: the edge table was read without the column {name!r} "
                         f"(read_edges(..., extra_cols=({name!r},)))")
    vals = np.asarray(edges.extra[name], dtype=np.float64)
    bad = ~np.isfinite(vals) | (vals < 0) | (vals > 1)
    if bad.any():
        raise _column_error(edges, name, int(np.flatnonzero(bad)[0]))
    pos = graph.find_edges(edges.source_codes, edges.target_codes)
    if (pos < 0).any():
        raise ValueError("the edge table does not match the graph (build the graph from it)")
    return combine_rows(pos, vals, graph.n_edges)


def from_file(graph: SocialGraph, path: str) -> tuple[np.ndarray, dict]:
    """Probabilities from an edge-probability file (the ``learned:FILE`` format).

    See the module docstring for the format. Returns ``(prob, report)``: ``prob``
    aligned with the attention edges (0 where the file has no row) and a report
    with ``rows``, ``edges_covered``, ``edges_missing``, ``unknown_user_rows`` and
    ``non_edge_rows``.

    Raises
    ------
    InputError
        Missing file or columns, an empty id, a duplicate pair, or a ``p`` that is
        not a number in [0, 1] -- with the file and line.
    """
    import pandas as pd

    from ..io import read_learned

    path = os.fspath(path)
    table = read_learned(path)
    src = table["source"].to_numpy(dtype=object)
    dst = table["target"].to_numpy(dtype=object)
    p = table["p"].to_numpy()
    index = pd.Index(graph.node_ids)
    s_pos = index.get_indexer(src)
    t_pos = index.get_indexer(dst)
    known = (s_pos >= 0) & (t_pos >= 0)
    e = np.full(len(src), -1, dtype=np.int64)
    e[known] = graph.find_edges(s_pos[known], t_pos[known])
    on_edge = e >= 0
    prob = np.zeros(graph.n_edges, dtype=np.float64)
    prob[e[on_edge]] = p[on_edge]
    covered = int(on_edge.sum())
    report = {
        "path": path,
        "rows": int(len(src)),
        "edges_covered": covered,
        "edges_missing": int(graph.n_edges - covered),
        "unknown_user_rows": int((~known).sum()),
        "non_edge_rows": int((known & ~on_edge).sum()),
    }
    return prob, report


def lt_normalize(indptr, prob) -> np.ndarray:
    """Linear Threshold weights: each row's values divided by the row sum when it exceeds 1.

    ``indptr``/``prob`` are a CSR whose rows are the *incoming* edges of a user
    (the attention CSR, ``InfluenceGraph.in_indptr``/``in_prob``). Rows summing to
    at most 1 are unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from graphkit.weighting import lt_normalize
    >>> lt_normalize(np.array([0, 2, 4]), np.array([0.3, 0.4, 0.8, 0.8])).tolist()
    [0.3, 0.4, 0.5, 0.5]
    """
    indptr = np.asarray(indptr, dtype=np.int64)
    prob = np.asarray(prob, dtype=np.float64)
    deg = np.diff(indptr)
    row = np.repeat(np.arange(deg.shape[0]), deg)
    total = np.bincount(row, weights=prob, minlength=deg.shape[0])
    scale = np.where(total > 1.0, total, 1.0)
    return prob / scale[row]


def check_unit_interval(p: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(p) | (p < 0) | (p > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{what}: probability {p[i]!r} (entry {i}) is outside [0, 1]")


def combine_rows(pos: np.ndarray, vals: np.ndarray, m: int) -> np.ndarray:
    """Per-edge ``1 - prod(1 - p)`` over the rows mapped to each edge (``pos``).

    An edge with exactly one row keeps that row's value bit for bit.
    """
    n_rows = np.bincount(pos, minlength=m)
    out = np.zeros(m, dtype=np.float64)
    single = n_rows[pos] == 1
    out[pos[single]] = vals[single]
    multi = ~single
    if multi.any():
        with np.errstate(divide="ignore"):
            log_q = np.bincount(pos[multi], weights=np.log1p(-vals[multi]), minlength=m)
        many = n_rows > 1
        out[many] = -np.expm1(log_q[many])
    return out


def _column_error(edges: EdgeTable, name: str, row: int) -> InputError:
    """The InputError for an out-of-range value, located in its file (error path only)."""
    def message(value) -> str:
        return f"{name} {float(value):g} is not a probability (must be in [0, 1])"

    found = edges.locate_first(name, lambda x: not 0.0 <= x <= 1.0)
    if found is not None:
        path, line, value = found
        return InputError(message(value), path, line)
    return InputError(message(edges.extra[name][row]))
