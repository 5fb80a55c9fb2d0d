"""Influence probabilities: turn the attention graph into an *influence graph*.

An input row ``source,target`` means *source acted on target* (DESIGN §2): attention
flows source -> target, and influence flows the other way: ``target``'s posts reach
``source``. This module is the only place that flips the direction. For every
attention edge ``v -> u`` (v acted on u) it gives one probability ``p(u -> v)``
that ``u``, once active, activates ``v`` (Independent Cascade), or the weight of
``u`` in ``v``'s threshold sum (Linear Threshold).

Probability models (``--prob`` on the command line):

========================  =================================================================
``wc``                    weighted cascade: ``p(u -> v) = 1 / d(v)``, ``d(v)`` = in-degree of
                          ``v`` in the influence graph = the number of distinct users ``v``
                          acted on (``graph.out_degree()[v]``) [2]_.
``uniform:P``             every edge ``P``.
``trivalency``            each edge drawn uniformly from {0.1, 0.01, 0.001}, seeded [2]_.
``typed``                 per interaction type ``t`` a base probability ``p_t``
                          (``type_probs``); repeated interactions combine as independent
                          chances: ``p = 1 - prod_t (1 - p_t) ** count_t``. Types without a
                          base probability contribute nothing.
``column:NAME``           a numeric column ``NAME`` of the edge file (one value per row;
                          rows that merge into one edge combine as ``1 - prod (1 - p_row)``;
                          an edge with one row keeps its value exactly).
``learned:FILE``          an edge-probability file (format below); graph edges missing from
                          it get 0.
========================  =================================================================

Edge-probability file (``learned:FILE``; what ``graphkit learn`` writes): CSV (``.csv``,
``.tsv`` tab-separated, optionally ``.gz``/``.bz2``) with a header and the columns
``source,target,p`` (more columns are ignored). A row says, in the **attention
direction** of the edge files, that ``source`` acted on ``target`` and that
``target`` influences ``source`` with probability ``p`` in [0, 1]. Each pair appears
at most once. Rows naming users that are not in the graph, or pairs that are not an
edge of the graph, are ignored and counted in ``InfluenceGraph.report``.

Linear Threshold uses the same numbers normalised so that each user's incoming
weights sum to at most 1: a user whose incoming probabilities add up to ``s > 1``
gets them divided by ``s``; smaller sums are kept as they are.

References
----------
.. [1] D. Kempe, J. Kleinberg, É. Tardos, "Maximizing the spread of influence through
   a social network", KDD 2003.
.. [2] W. Chen, C. Wang, Y. Wang, "Scalable influence maximization for prevalent viral
   marketing in large-scale social networks", KDD 2010; W. Chen, Y. Wang, S. Yang,
   "Efficient influence maximization in social networks", KDD 2009.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .graph import SocialGraph
    from .io import EdgeTable

__all__ = [
    "InfluenceGraph",
    "influence_graph",
    "parse_prob",
    "weighted_cascade",
    "uniform",
    "trivalency",
    "typed",
    "from_column",
    "from_file",
    "lt_normalize",
    "PROB_MODELS",
    "TRIVALENCY_VALUES",
]

#: The probability models :func:`influence_graph` understands (``NAME`` or ``NAME:ARG``).
PROB_MODELS = ("wc", "uniform", "trivalency", "typed", "column", "learned")

#: The values the trivalency model draws from.
TRIVALENCY_VALUES = (0.1, 0.01, 0.001)


def _readonly(*arrays):
    for a in arrays:
        a.flags.writeable = False


# --------------------------------------------------------------------------- the result
@dataclass(frozen=True, eq=False)
class InfluenceGraph:
    """A directed graph with one influence probability per edge, in CSR form.

    Built by :func:`influence_graph` from a :class:`~graphkit.graph.SocialGraph`
    (or by :meth:`from_arcs` from influence arcs). Two aligned views of the same
    edges, both read-only:

    * forward (cascade simulation): ``indptr`` (int64, n+1), ``indices`` (int32):
      row ``u`` lists the users ``u`` influences, with ``prob[j]`` = p(u -> v). This
      is the transpose of the attention CSR.
    * reverse (reverse-reachable sets): ``in_indptr``, ``in_indices``: row ``v``
      lists the users that influence ``v``, with ``in_prob``. This is exactly the
      attention CSR of the social graph (``graph.indptr``, ``graph.indices``).

    ``prob == in_prob[edge_of]``. ``model`` names the probability model, ``report``
    holds counts and warnings from building it (types not in the data, rows of a
    learned file that were ignored, ...).

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("bob", "alice"), ("bob", "carol")])  # bob acted twice
    >>> ig = gk.influence_graph(g, "wc")
    >>> ig.to_frame().values.tolist()
    [['alice', 'bob', 0.5], ['carol', 'bob', 0.5]]
    >>> ig.in_degree().tolist(), ig.out_degree().tolist()     # order: bob, alice, carol
    ([2, 0, 0], [0, 1, 1])
    """

    node_ids: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    prob: np.ndarray
    in_indptr: np.ndarray
    in_indices: np.ndarray
    in_prob: np.ndarray
    edge_of: np.ndarray
    model: str
    report: dict = field(default_factory=dict)

    def __post_init__(self):
        n = len(self.node_ids)
        m = self.indices.shape[0]
        if self.indptr.shape != (n + 1,) or self.in_indptr.shape != (n + 1,):
            raise ValueError("indptr arrays must have n_nodes + 1 entries")
        for name in ("prob", "in_indices", "in_prob", "edge_of"):
            if getattr(self, name).shape != (m,):
                raise ValueError(f"{name} must have one entry per edge")
        _readonly(self.node_ids, self.indptr, self.indices, self.prob, self.in_indptr,
                  self.in_indices, self.in_prob, self.edge_of)

    @classmethod
    def from_graph(cls, graph: SocialGraph, in_prob, model: str, report: dict | None = None):
        """Wrap attention-aligned probabilities: ``in_prob[e]`` is p(target -> actor) of edge e."""
        p = np.ascontiguousarray(in_prob, dtype=np.float64)
        if p.shape != (graph.n_edges,):
            raise ValueError(f"need one probability per edge ({graph.n_edges}), got {p.shape}")
        _check_unit_interval(p, model)
        t = graph.transpose
        p = p.copy()
        return cls(graph.node_ids, t.indptr, t.indices, p[t.edge_of], graph.indptr, graph.indices,
                   p, t.edge_of, model, dict(report or {}))

    @classmethod
    def from_arcs(cls, source, target, prob, node_ids=None, model: str = "arcs") -> InfluenceGraph:
        """Build from influence arcs: ``source[i]`` influences ``target[i]`` with ``prob[i]``.

        This is the format of influence-maximization benchmark files (NetHEPT's
        ``u v p``). Positions index ``node_ids`` (``str(i)`` for ``0..max`` when
        omitted). Self-loops are dropped; repeated arcs combine as
        ``1 - prod(1 - p)``.

        Examples
        --------
        >>> from graphkit.weighting import InfluenceGraph
        >>> ig = InfluenceGraph.from_arcs([0, 1], [1, 2], [0.5, 1.0])
        >>> ig.n_nodes, ig.n_edges, ig.prob.tolist()
        (3, 2, [0.5, 1.0])
        """
        from .graph import SocialGraph

        src = np.asarray(source, dtype=np.int64)
        dst = np.asarray(target, dtype=np.int64)
        p = np.asarray(prob, dtype=np.float64)
        if not (src.shape == dst.shape == p.shape) or src.ndim != 1:
            raise ValueError("source, target and prob must be 1-d arrays of the same length")
        _check_unit_interval(p, model)
        if node_ids is None:
            n = int(max(src.max(initial=-1), dst.max(initial=-1))) + 1
            node_ids = np.array([str(i) for i in range(n)], dtype=object)
        keep = src != dst
        src, dst, p = src[keep], dst[keep], p[keep]
        # influence u -> v is the attention edge v -> u (v acted on u)
        graph = SocialGraph.from_arrays(dst, src, node_ids)
        pos = graph.find_edges(dst, src)
        return cls.from_graph(graph, _combine_rows(pos, p, graph.n_edges), model)

    # ----------------------------------------------------------- structure
    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_edges(self) -> int:
        return int(self.indices.shape[0])

    def __repr__(self) -> str:
        return f"InfluenceGraph(n_nodes={self.n_nodes}, n_edges={self.n_edges}, model={self.model!r})"

    def out_degree(self) -> np.ndarray:
        """How many users each user influences (distinct influence arcs leaving it)."""
        return np.diff(self.indptr)

    def in_degree(self) -> np.ndarray:
        """How many users influence each user (= distinct users it acted on)."""
        return np.diff(self.in_indptr)

    @cached_property
    def lt_in_weights(self) -> np.ndarray:
        """Linear Threshold weights aligned with ``in_indices`` (each row sums to <= 1)."""
        w = lt_normalize(self.in_indptr, self.in_prob)
        _readonly(w)
        return w

    @cached_property
    def lt_weights(self) -> np.ndarray:
        """Linear Threshold weights aligned with ``indices`` (the forward CSR)."""
        w = self.lt_in_weights[self.edge_of]
        _readonly(w)
        return w

    def to_frame(self) -> pd.DataFrame:
        """The arcs as a DataFrame ``source, target, p`` (source influences target)."""
        import pandas as pd

        src = np.repeat(np.arange(self.n_nodes), np.diff(self.indptr))
        return pd.DataFrame({"source": self.node_ids[src], "target": self.node_ids[self.indices],
                             "p": self.prob})


# --------------------------------------------------------------------------- models
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


def trivalency(graph: SocialGraph, rng=None, values=TRIVALENCY_VALUES) -> np.ndarray:
    """Trivalency probabilities: each edge uniformly one of ``values`` (0.1, 0.01, 0.001).

    Drawn once per distinct (actor, target) pair, in attention-CSR order, from
    ``rng`` (int, Generator or None), so the same seed gives the same graph [1]_.

    References
    ----------
    .. [1] W. Chen, C. Wang, Y. Wang, "Scalable influence maximization for prevalent
       viral marketing in large-scale social networks", KDD 2010.
    """
    from ._rng import as_generator

    vals = np.asarray(values, dtype=np.float64)
    _check_unit_interval(vals, "trivalency")
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
    return _combine_rows(pos, vals, graph.n_edges)


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

    from .io import read_user_table

    path = os.fspath(path)
    df = read_user_table(path, "probability", ("source", "target", "p"), skip_blank_lines=False)
    blank = (df["source"] == "") & (df["target"] == "") & (df["p"] == "")
    df = df[~blank]
    lines = df.index.to_numpy() + 2  # header is line 1
    src = df["source"].to_numpy(dtype=object)
    dst = df["target"].to_numpy(dtype=object)
    for col, arr in (("source", src), ("target", dst)):
        empty = arr == ""
        if empty.any():
            raise InputError(f"{col} is empty", path, int(lines[np.flatnonzero(empty)[0]]))
    p = pd.to_numeric(df["p"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(p) | (p < 0) | (p > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raw = df["p"].iloc[i]
        what = "p is empty" if raw == "" else f"p {raw!r} is not a probability in [0, 1]"
        raise InputError(what, path, int(lines[i]))
    dup = pd.DataFrame({"s": src, "t": dst}).duplicated(keep="first").to_numpy()
    if dup.any():
        j = int(np.flatnonzero(dup)[0])
        k = int(np.flatnonzero((src == src[j]) & (dst == dst[j]))[0])
        raise InputError(f"duplicate pair ({src[j]}, {dst[j]}), first given on line {int(lines[k])}",
                         path, int(lines[j]))
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


# --------------------------------------------------------------------------- dispatcher
def influence_graph(graph: SocialGraph, prob="wc", *, edges: EdgeTable | None = None,
                    type_probs: Mapping[str, float] | None = None, rng=None) -> InfluenceGraph:
    """The influence graph of ``graph`` under a probability model.

    Parameters
    ----------
    graph : SocialGraph
        The attention graph (rows ``source acted on target``).
    prob : str or array of float, optional
        A model spec: ``"wc"`` (default), ``"uniform:P"``, ``"trivalency"``,
        ``"typed"``, ``"column:NAME"`` or ``"learned:FILE"`` (see the module
        docstring), or an array with one probability per attention edge (aligned
        with ``graph.indices``).
    edges : EdgeTable, optional
        The table ``graph`` was built from, read with ``extra_cols=(NAME,)``;
        needed by ``column:NAME``.
    type_probs : mapping of str to float, optional
        Base probability of each interaction type; needed by ``typed``.
    rng : int, numpy.random.Generator or None, optional
        Seed for ``trivalency``.

    Returns
    -------
    InfluenceGraph
        ``report["warnings"]`` lists what the caller should tell the user (types
        given but not in the data, ignored rows of a learned file, ...).

    Raises
    ------
    InputError
        Probabilities outside [0, 1] (with file and line where a file is involved),
        a missing column, a malformed learned file.
    ValueError
        An unknown model or a missing argument.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("bob", "alice"), ("carol", "alice")])
    >>> ig = gk.influence_graph(g, "wc")
    >>> ig.to_frame().values.tolist()           # alice's posts reach bob and carol
    [['alice', 'bob', 1.0], ['alice', 'carol', 1.0]]

    References
    ----------
    .. [1] D. Kempe, J. Kleinberg, É. Tardos, "Maximizing the spread of influence
       through a social network", KDD 2003.
    .. [2] W. Chen, Y. Wang, S. Yang, "Efficient influence maximization in social
       networks", KDD 2009.
    """
    report: dict = {"warnings": []}
    if not isinstance(prob, str):
        p = np.asarray(prob, dtype=np.float64)
        return InfluenceGraph.from_graph(graph, p, "custom", report)
    name, arg = parse_prob(prob)
    if type_probs and name != "typed":
        raise ValueError("type probabilities (--type-prob) apply to the typed model only")
    if name == "wc":
        p, label = weighted_cascade(graph), "wc"
    elif name == "uniform":
        p, label = uniform(graph, float(arg)), f"uniform:{arg}"
    elif name == "trivalency":
        p, label = trivalency(graph, rng), "trivalency"
    elif name == "typed":
        if not type_probs:
            raise ValueError("the typed model needs base probabilities: --type-prob TYPE=P")
        p = typed(graph, type_probs)
        label = "typed:" + ",".join(f"{t}={float(v):g}" for t, v in type_probs.items())
        absent = [t for t in type_probs if t not in graph.types]
        for t in absent:
            report["warnings"].append(
                f"--type-prob {t}={float(type_probs[t]):g}: no '{t}' interactions in the data "
                f"(types: {', '.join(graph.types)})")
        unnamed = [t for t in graph.types if t not in type_probs]
        if unnamed:
            report["types_without_probability"] = unnamed
    elif name == "column":
        if edges is None:
            raise ValueError(f"column:{arg} needs the edge table (edges=...)")
        p, label = from_column(graph, edges, arg), f"column:{arg}"
    else:  # learned
        p, file_report = from_file(graph, arg)
        label = f"learned:{arg}"
        report.update(file_report)
        if file_report["edges_missing"]:
            report["warnings"].append(
                f"{arg}: {file_report['edges_missing']:,} of {graph.n_edges:,} edges have no "
                "probability in the file and get 0")
        if file_report["unknown_user_rows"]:
            report["warnings"].append(
                f"{arg}: {file_report['unknown_user_rows']:,} rows name users not in the graph "
                "(ignored)")
        if file_report["non_edge_rows"]:
            report["warnings"].append(
                f"{arg}: {file_report['non_edge_rows']:,} rows are pairs that are not edges of "
                "the graph (ignored)")
    return InfluenceGraph.from_graph(graph, p, label, report)


# --------------------------------------------------------------------------- helpers
def as_influence_graph(graph, prob=None, **build) -> InfluenceGraph:
    """``graph`` itself when it is an :class:`InfluenceGraph`, else its influence graph.

    A :class:`~graphkit.graph.SocialGraph` goes through :func:`influence_graph` with
    ``prob`` (default ``"wc"``) and ``build`` (``edges``, ``type_probs``, ``rng``). An
    InfluenceGraph already has its probabilities, so ``prob`` must then be None.

    Raises
    ------
    ValueError
        ``prob`` given with an InfluenceGraph.
    TypeError
        Anything else.
    """
    from .graph import SocialGraph

    if isinstance(graph, SocialGraph):
        return influence_graph(graph, "wc" if prob is None else prob, **build)
    if isinstance(graph, InfluenceGraph):
        if prob is not None:
            raise ValueError("prob applies to a SocialGraph; this InfluenceGraph already has "
                             f"probabilities ({graph.model})")
        return graph
    raise TypeError(f"graph must be a SocialGraph or an InfluenceGraph, not {type(graph).__name__}")


def _check_unit_interval(p: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(p) | (p < 0) | (p > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{what}: probability {p[i]!r} (entry {i}) is outside [0, 1]")


def _combine_rows(pos: np.ndarray, vals: np.ndarray, m: int) -> np.ndarray:
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

    for rep in edges.report.files:
        try:
            found = _first_line_over(rep, name)
        except (OSError, ValueError, KeyError, IndexError):
            found = None
        if found is not None:
            return InputError(message(found[1]), rep.path, found[0])
    return InputError(message(edges.extra[name][row]))


def _first_line_over(rep, name: str) -> tuple[int, float] | None:
    """``(line, value)`` of the first value of column ``name`` outside [0, 1].

    The line is 1-based (the row for Parquet). Error path only: re-reads the file.
    """
    import bz2
    import csv
    import gzip
    import json

    def bad(v) -> bool:
        try:
            x = float(v)
        except (TypeError, ValueError):
            return False
        return not (0.0 <= x <= 1.0)

    def hit(i, v):
        return i, float(v)

    path = rep.path
    if rep.format == "parquet":
        import pandas as pd

        col = pd.read_parquet(path, columns=[name])[name].tolist()
        return next((hit(i + 1, v) for i, v in enumerate(col) if bad(v)), None)
    low = path.lower()
    opener = gzip.open if low.endswith((".gz", ".gzip")) else bz2.open if low.endswith(".bz2") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
        if rep.format == "jsonl":
            for i, line in enumerate(fh, start=1):
                value = json.loads(line).get(name) if line.strip() else None
                if bad(value):
                    return hit(i, value)
            return None
        delim = {"csv": ",", "tsv": "\t"}.get(rep.format)
        col = None if rep.header else int(name) - 1
        for i, line in enumerate(fh, start=1):
            s = line.strip()
            if not s or s.startswith(("#", "%")):
                continue
            fields = next(csv.reader([line.rstrip("\r\n")], delimiter=delim)) if delim else line.split()
            if col is None:
                col = [f.strip() for f in fields].index(name)
                continue
            if col < len(fields) and bad(fields[col]):
                return hit(i, fields[col])
    return None
