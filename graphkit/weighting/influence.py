"""The influence graph: the attention graph turned around, with one probability per edge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .models import (
    check_unit_interval,
    combine_rows,
    from_column,
    from_file,
    lt_normalize,
    parse_prob,
    trivalency,
    typed,
    uniform,
    weighted_cascade,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .._rng import RngLike
    from ..graph import SocialGraph
    from ..io import EdgeTable

__all__ = ["InfluenceGraph", "influence_graph", "as_influence_graph"]


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
        check_unit_interval(p, model)
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
        from ..graph import SocialGraph

        src = np.asarray(source, dtype=np.int64)
        dst = np.asarray(target, dtype=np.int64)
        p = np.asarray(prob, dtype=np.float64)
        if not (src.shape == dst.shape == p.shape) or src.ndim != 1:
            raise ValueError("source, target and prob must be 1-d arrays of the same length")
        check_unit_interval(p, model)
        if node_ids is None:
            n = int(max(src.max(initial=-1), dst.max(initial=-1))) + 1
            node_ids = np.array([str(i) for i in range(n)], dtype=object)
        keep = src != dst
        src, dst, p = src[keep], dst[keep], p[keep]
        # influence u -> v is the attention edge v -> u (v acted on u)
        graph = SocialGraph.from_arrays(dst, src, node_ids)
        pos = graph.find_edges(dst, src)
        return cls.from_graph(graph, combine_rows(pos, p, graph.n_edges), model)

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


# --------------------------------------------------------------------------- dispatcher
def influence_graph(graph: SocialGraph, prob="wc", *, edges: EdgeTable | None = None,
                    type_probs: Mapping[str, float] | None = None,
                    rng: RngLike = None) -> InfluenceGraph:
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
    from ..graph import SocialGraph

    if isinstance(graph, SocialGraph):
        return influence_graph(graph, "wc" if prob is None else prob, **build)
    if isinstance(graph, InfluenceGraph):
        if prob is not None:
            raise ValueError("prob applies to a SocialGraph; this InfluenceGraph already has "
                             f"probabilities ({graph.model})")
        return graph
    raise TypeError(f"graph must be a SocialGraph or an InfluenceGraph, not {type(graph).__name__}")
