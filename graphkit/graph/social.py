"""The immutable social graph every algorithm works on.

A :class:`SocialGraph` is built once from an edge table. User ids (strings) are
mapped to ``int32`` positions; the *attention* graph (actor -> target, DESIGN §2)
is stored as CSR arrays with one entry per distinct (actor, target) pair:

* ``indptr`` (int64, n+1), ``indices`` (int32, m): targets of each actor, sorted;
* ``weight`` (float64, m): the sum over the pair's interactions of the type weight
  times the row weight (1 unless a weight column was given);
* ``counts`` (int32, m x T): how many interactions of each type the pair had.

The transpose (target -> actors, the influence direction) is cached. All read-only.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..errors import EmptyGraphError, InputError, UnknownUserError
from ._small import kernels_for

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..io import EdgeTable

__all__ = ["SocialGraph", "Transpose"]


@dataclass(frozen=True)
class Transpose:
    """The transposed CSR (for each target, its actors); ``edge_of[j]`` is entry ``j``'s
    position in the attention arrays: ``graph.weight[t.edge_of]`` aligns with it."""

    indptr: np.ndarray
    indices: np.ndarray
    edge_of: np.ndarray


_ID_ORDER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def id_order(graph) -> np.ndarray:
    """Rank of each user's id in sorted id order, cached per graph: ties break by it.

    ``graph`` is anything with ``node_ids`` (a :class:`SocialGraph`, an influence graph).
    Ids compare as text (code point order).

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.graph import id_order
    >>> id_order(gk.SocialGraph.from_pairs([("b", "a"), ("c", "b")])).tolist()
    [1, 0, 2]
    """
    ordinal = _ID_ORDER.get(graph)
    if ordinal is None:
        ids = np.asarray(graph.node_ids, dtype=object)
        try:  # numpy >= 2: variable-width strings sort ~2x faster than objects
            keys = ids.astype(np.dtypes.StringDType())
        except (AttributeError, TypeError, ValueError):
            keys = ids
        perm = np.argsort(keys, kind="stable")
        ordinal = np.empty(len(ids), dtype=np.int64)
        ordinal[perm] = np.arange(len(ids))
        ordinal.flags.writeable = False
        _ID_ORDER[graph] = ordinal
    return ordinal


def unknown_ids(graph, ids) -> list[str]:
    """The ids not in ``graph`` (anything with ``node_ids``), once each, in the order given.

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.graph import unknown_ids
    >>> unknown_ids(gk.SocialGraph.from_pairs([("a", "b")]), ["b", "x", "y", "x"])
    ['x', 'y']
    """
    import pandas as pd

    ids = list(dict.fromkeys(str(u) for u in ids))
    if not ids:
        return []
    pos = pd.Index(graph.node_ids).get_indexer(ids)
    return [u for u, p in zip(ids, pos) if p < 0]


def _readonly(*arrays):
    for a in arrays:
        a.flags.writeable = False


@dataclass(frozen=True, eq=False)
class SocialGraph:
    """An immutable directed, typed interaction graph in CSR form.

    Build it with :meth:`from_edges` (from :func:`graphkit.read_edges`) or
    :meth:`from_arrays`; do not call the constructor directly.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("alice", "bob"), ("carol", "bob")])
    >>> g.n_nodes, g.n_edges
    (3, 2)
    >>> g.in_degree()[g.index(["bob"])].tolist()
    [2]
    """

    node_ids: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    weight: np.ndarray
    counts: np.ndarray
    types: tuple
    type_weights: np.ndarray
    stats: dict = field(default_factory=dict)

    def __post_init__(self):
        n = len(self.node_ids)
        if self.indptr.shape != (n + 1,):
            raise ValueError("indptr must have n_nodes + 1 entries")
        m = self.indices.shape[0]
        if self.weight.shape != (m,) or self.counts.shape != (m, len(self.types)):
            raise ValueError("weight/counts do not match indices")
        if self.type_weights.shape != (len(self.types),):
            raise ValueError("type_weights must have one entry per type")
        _readonly(self.node_ids, self.indptr, self.indices, self.weight, self.counts, self.type_weights)

    # ------------------------------------------------------------------ build
    @classmethod
    def from_arrays(
        cls,
        source,
        target,
        node_ids,
        *,
        edge_type=None,
        types=("interaction",),
        row_weight=None,
        type_weights=None,
        stats=None,
    ) -> SocialGraph:
        """Build from integer-coded edge rows.

        Parameters
        ----------
        source, target : array of int
            Positions (0..n-1) of the actor and target of each interaction row.
        node_ids : array of str
            The user id at each position.
        edge_type : array of int, optional
            Type code of each row (index into ``types``); all 0 when omitted.
        types : sequence of str
            Type labels.
        row_weight : array of float, optional
            Per-row weight (1 when omitted).
        type_weights : mapping or array, optional
            Weight of each type (1 when omitted). A mapping may name a subset.

        Rows with the same (source, target) merge into one edge; self-loops must
        already be removed (``read_edges`` drops and counts them).
        """
        node_ids = np.asarray(node_ids, dtype=object)
        n = len(node_ids)
        src = np.ascontiguousarray(source, dtype=np.int32)
        dst = np.ascontiguousarray(target, dtype=np.int32)
        if src.shape != dst.shape:
            raise ValueError("source and target must have the same length")
        rows = src.shape[0]
        if rows == 0 or n == 0:
            raise EmptyGraphError("no edges to build a graph from")
        if src.min() < 0 or dst.min() < 0 or src.max() >= n or dst.max() >= n:
            raise ValueError("source/target codes must lie in [0, len(node_ids))")
        types = tuple(str(t) for t in types)
        n_types = len(types)
        if edge_type is None:
            typ = np.zeros(rows, dtype=np.int16)
        else:
            typ = np.ascontiguousarray(edge_type, dtype=np.int16)
            if typ.shape != src.shape or (rows and (typ.min() < 0 or typ.max() >= n_types)):
                raise ValueError("edge_type codes must lie in [0, len(types))")
        tw = _type_weight_array(types, type_weights)
        if row_weight is None:
            rw = None
        else:
            rw = np.ascontiguousarray(row_weight, dtype=np.float64)
            if rw.shape != src.shape:
                raise ValueError("row_weight must have one entry per row")
            if not np.all(np.isfinite(rw)) or (rw < 0).any():
                raise ValueError("row weights must be finite and non-negative")

        indptr, indices, weight, counts = _merge_rows(src, dst, typ, rw, tw, n)
        stats = dict(stats or {})
        stats.setdefault("rows", int(rows))
        stats["merged_rows"] = int(rows - indices.shape[0])
        return cls(node_ids, indptr, indices, weight, counts, types, tw, stats)

    @classmethod
    def from_edges(cls, edges: EdgeTable, type_weights=None) -> SocialGraph:
        """Build from an :class:`graphkit.io.EdgeTable` (what ``read_edges`` returns).

        ``type_weights`` overrides the table's own type weights when given.
        """
        from .convert import remember_times

        tw = edges.type_weights if type_weights is None else type_weights
        stats = {"rows": edges.n_rows, "files": list(edges.report.files) if edges.report else []}
        graph = cls.from_arrays(
            edges.source_codes,
            edges.target_codes,
            edges.node_ids,
            edge_type=edges.type_codes,
            types=edges.types,
            row_weight=edges.row_weight,
            type_weights=tw,
            stats=stats,
        )
        remember_times(graph, edges.source_codes, edges.target_codes, edges.timestamp)
        if getattr(edges, "id_ranks", None) is not None:  # integer ids: their text order,
            _ID_ORDER[graph] = edges.id_ranks  # read-only, ranked as id_order ranks them
        return graph

    @classmethod
    def from_pandas(cls, df, source=None, target=None, type=None, weight=None, time=None, *,
                    type_weights=None) -> SocialGraph:
        """Build from a DataFrame of interaction rows: :func:`graphkit.graph.convert.from_pandas`."""
        from .convert import from_pandas
        return from_pandas(df, source, target, type, weight, time, type_weights=type_weights)

    @classmethod
    def from_networkx(cls, G, **kwargs) -> SocialGraph:
        """Build from a networkx graph: :func:`graphkit.graph.convert.from_networkx`."""
        from .convert import from_networkx
        return from_networkx(G, **kwargs)

    @classmethod
    def from_igraph(cls, h, **kwargs) -> SocialGraph:
        """Build from an igraph graph: :func:`graphkit.graph.convert.from_igraph`."""
        from .convert import from_igraph
        return from_igraph(h, **kwargs)

    @classmethod
    def from_pairs(cls, pairs: Iterable, *, types=None, type_weights=None) -> SocialGraph:
        """A small graph from ``(source, target[, type])`` tuples (tests, docs); self-loops
        are dropped, ids converted with ``str``."""
        rows = [tuple(str(x) for x in p) for p in pairs]
        rows = [r for r in rows if r[0] != r[1]]
        ids: dict[str, int] = {}
        for r in rows:
            for u in r[:2]:
                ids.setdefault(u, len(ids))
        src = np.array([ids[r[0]] for r in rows], dtype=np.int32)
        dst = np.array([ids[r[1]] for r in rows], dtype=np.int32)
        if rows and len(rows[0]) > 2:
            labels = types or tuple(sorted({r[2] for r in rows}))
            code = {t: i for i, t in enumerate(labels)}
            typ = np.array([code[r[2]] for r in rows], dtype=np.int16)
        else:
            labels = types or ("interaction",)
            typ = None
        return cls.from_arrays(
            src, dst, np.array(list(ids), dtype=object), edge_type=typ, types=labels,
            type_weights=type_weights,
        )

    # ------------------------------------------------------------- structure
    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_edges(self) -> int:
        """Distinct (actor, target) pairs."""
        return int(self.indices.shape[0])

    @property
    def n_interactions(self) -> int:
        """Interaction rows after merging (the sum of all type counts)."""
        return int(self.counts.sum())

    def __repr__(self) -> str:
        return (
            f"SocialGraph(n_nodes={self.n_nodes}, n_edges={self.n_edges}, "
            f"types={list(self.types)})"
        )

    @cached_property
    def transpose(self) -> Transpose:
        """The transposed CSR (target -> actors), built once and cached."""
        _csr = kernels_for(self.n_nodes + self.n_edges)
        t_indptr, t_indices, edge_of = _csr.transpose(self.indptr, self.indices, self.n_nodes)
        _readonly(t_indptr, t_indices, edge_of)
        return Transpose(t_indptr, t_indices, edge_of)

    def sources(self) -> np.ndarray:
        """The actor position of every edge (the COO row array)."""
        return np.repeat(np.arange(self.n_nodes, dtype=np.int32), np.diff(self.indptr))

    def out_degree(self) -> np.ndarray:
        """Distinct targets each user acted on."""
        return np.diff(self.indptr)

    def in_degree(self) -> np.ndarray:
        """Distinct actors that acted on each user."""
        return np.bincount(self.indices, minlength=self.n_nodes).astype(np.int64)

    @cached_property
    def scaled_weight(self) -> np.ndarray:
        """``weight`` x a power of two (exact) if near float64's limits: for scale-free uses."""
        top = float(self.weight.max()) if self.n_edges else 0.0
        if top == 0 or 2.0 ** -500 < top < 2.0 ** 1000 / self.n_edges:
            return self.weight
        out = np.ldexp(self.weight, -int(np.frexp(top)[1]) - 20)
        out.flags.writeable = False
        return out

    def in_strength(self) -> np.ndarray:
        """Sum of the (type-)weighted edges arriving at each user."""
        return np.bincount(self.indices, weights=self.weight, minlength=self.n_nodes)

    def out_strength(self) -> np.ndarray:
        """Sum of the (type-)weighted edges leaving each user."""
        return np.bincount(self.sources(), weights=self.weight, minlength=self.n_nodes)

    def in_counts(self, edge_type: str | None = None) -> np.ndarray:
        """Interactions received by each user, of one type or of all types."""
        if edge_type is None:
            return self._received.sum(axis=1)
        return self._received[:, self.type_index(edge_type)].copy()

    @cached_property
    def _received(self) -> np.ndarray:
        t = self.transpose
        out = kernels_for(self.n_nodes + self.n_edges).received_by_type(
            t.indptr, t.edge_of, self.counts)
        out.flags.writeable = False
        return out

    def find_edges(self, source, target) -> np.ndarray:
        """Edge positions of the (source, target) position pairs; -1 where there is no edge.

        Vectorised (binary search over the sorted CSR keys), for mapping per-row or
        per-pair data (a probability column, a learned-probability file) onto edges.
        """
        src = np.asarray(source, dtype=np.int64)
        dst = np.asarray(target, dtype=np.int64)
        n = np.int64(self.n_nodes)
        keys = self._edge_keys
        q = src * n + dst
        pos = np.searchsorted(keys, q)
        found = pos < len(keys)
        found[found] = keys[pos[found]] == q[found]
        return np.where(found, pos, -1)

    @cached_property
    def _edge_keys(self) -> np.ndarray:
        keys = self.sources().astype(np.int64) * np.int64(self.n_nodes) + self.indices
        keys.flags.writeable = False
        return keys

    def type_index(self, edge_type: str) -> int:
        try:
            return self.types.index(edge_type)
        except ValueError:
            raise InputError(
                f"unknown interaction type {edge_type!r} (types: {', '.join(self.types)})"
            ) from None

    # ------------------------------------------------------------------- ids
    @cached_property
    def _id_index(self):
        import pandas as pd

        return pd.Index(self.node_ids)

    def index(self, users, *, missing: str = "raise") -> np.ndarray:
        """Positions of ``users`` (an iterable of ids).

        Parameters
        ----------
        missing : {"raise", "drop"}
            Unknown ids raise :class:`UnknownUserError` listing them, or are dropped.
        """
        users = [str(u) for u in users]
        pos = self._id_index.get_indexer(users)
        if (pos < 0).any():
            if missing == "raise":
                raise UnknownUserError([u for u, p in zip(users, pos) if p < 0])
            pos = pos[pos >= 0]
        return pos.astype(np.int64)

    # ------------------------------------------------------------ transforms
    def subgraph(self, users) -> SocialGraph:
        """The graph induced by ``users`` (ids), keeping the original position order.

        Unknown ids raise :class:`UnknownUserError`.
        """
        keep = np.zeros(self.n_nodes, dtype=bool)
        keep[self.index(users)] = True
        return self._induced(keep)

    def _induced(self, keep: np.ndarray) -> SocialGraph:
        new_pos = np.full(self.n_nodes, -1, dtype=np.int64)
        new_pos[keep] = np.arange(int(keep.sum()))
        src = self.sources()
        sel = keep[src] & keep[self.indices]
        s = new_pos[src[sel]]
        t = new_pos[self.indices[sel]]
        indptr = np.zeros(int(keep.sum()) + 1, dtype=np.int64)
        np.cumsum(np.bincount(s, minlength=int(keep.sum())), out=indptr[1:])
        stats = {"rows": int(self.counts[sel].sum()), "merged_rows": 0, "induced_from": self.n_nodes}
        return SocialGraph(
            self.node_ids[keep].copy(), indptr, t.astype(np.int32), self.weight[sel].copy(),
            self.counts[sel].copy(), self.types, self.type_weights.copy(), stats,
        )

    def to_scipy(self, weighted: bool = True):
        """The attention adjacency as a ``scipy.sparse.csr_array`` (n x n)."""
        import scipy.sparse as sp

        data = self.weight if weighted else np.ones(self.n_edges)
        return sp.csr_array((data, self.indices, self.indptr), shape=(self.n_nodes, self.n_nodes))

    def to_igraph(self, weighted: bool = True, directed: bool = True, **node_attrs):
        """An ``igraph.Graph`` with attributes: :func:`graphkit.graph.convert.to_igraph`."""
        from .convert import to_igraph
        return to_igraph(self, weighted, directed, **node_attrs)

    def to_networkx(self, weighted: bool = True, **node_attrs):
        """A ``networkx.DiGraph`` with attributes: :func:`graphkit.graph.convert.to_networkx`."""
        from .convert import to_networkx
        return to_networkx(self, weighted, **node_attrs)

    def to_pandas(self) -> pd.DataFrame:
        """The edge table with counts and times: :func:`graphkit.graph.convert.to_pandas`."""
        from .convert import to_pandas
        return to_pandas(self)

    def edges(self) -> pd.DataFrame:
        """The merged edge list: ``source, target, weight`` and one count column per type."""
        from .convert import to_pandas
        return to_pandas(self, times=False)


def _merge_rows(src, dst, typ, row_weight, type_weights, n):
    """Merge interaction rows into CSR edges: one entry per distinct (source, target).

    Rows are ordered by one sort of packed int64 keys (source, target, type bit fields;
    numpy's SIMD sort does 10M keys in ~0.1 s, an argsort ~8x longer, so the argsort is
    used only when per-row weights must follow the keys), then one pass of
    ``_csr.runs_to_csr`` turns equal keys into counts. Returns
    ``indptr, indices, weight, counts``.
    """
    _csr = kernels_for(len(src))
    n_types = len(type_weights)
    bits_n = max(1, int(n - 1).bit_length())
    bits_t = max(1, int(n_types - 1).bit_length())
    if 2 * bits_n + bits_t > 62:
        raise InputError(
            f"{n:,} users x {n_types} interaction types is too large to index on one machine"
        )
    key = src.astype(np.int64) << (bits_n + bits_t)
    key |= dst.astype(np.int64) << bits_t
    key |= typ.astype(np.int64)
    if row_weight is None:
        key.sort()
        w_sorted = np.ones(1, dtype=np.float64)
        has_w = False
    else:
        order = np.argsort(key, kind="stable")
        key = key[order]
        w_sorted = row_weight[order]
        has_w = True
    return _csr.runs_to_csr(key, n, bits_n, bits_t, type_weights, w_sorted, has_w)


def _type_weight_array(types, type_weights) -> np.ndarray:
    tw = np.ones(len(types), dtype=np.float64)
    if type_weights is None:
        return tw
    if isinstance(type_weights, dict):
        for k, v in type_weights.items():
            if k in types:
                tw[types.index(k)] = float(v)
    else:
        tw = np.asarray(type_weights, dtype=np.float64).copy()
        if tw.shape != (len(types),):
            raise ValueError("type_weights array must have one entry per type")
    if not np.all(np.isfinite(tw)) or (tw < 0).any():
        raise ValueError("type weights must be finite and non-negative")
    return tw
