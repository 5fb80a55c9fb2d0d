"""The :class:`Partition` result of community detection, and the measures of a partition.

:class:`Partition` holds a membership numbered by size, its modularity and (computed on
first use from the edge arrays, :mod:`graphkit.communities._projection`) a per-community
summary. :func:`modularity` and :func:`nmi` score any membership; :func:`membership_array`
aligns a membership table (what :func:`graphkit.io.read_membership` reads) with a graph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .._checks import check_count, check_positive_float
from ..errors import InputError, UnknownUserError
from . import _projection as _k

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..graph import SocialGraph

__all__ = ["Partition", "SUMMARY_COLUMNS", "membership_array", "modularity", "nmi"]

#: Columns of a community summary, in order.
SUMMARY_COLUMNS = ("community", "size", "internal_edges", "external_edges", "density",
                   "conductance", "internal_interactions", "dominant_type", "top_members",
                   "bridges")


# --------------------------------------------------------------------- Partition
@dataclass(frozen=True, eq=False)
class Partition:
    """A partition of the users into communities, with its quality and summary.

    Returned by :func:`detect_communities`; do not build it by hand.

    Attributes
    ----------
    membership : numpy.ndarray
        int64 community of every user, aligned with ``graph.node_ids``.
        Communities are numbered by size: 0 is the largest; equal sizes are
        ordered by their smallest member id. Read-only.
    modularity : float
        Modularity of ``membership`` at ``resolution`` on the undirected projection
        (see :func:`modularity`), computed by graphkit, never igraph's ``quality``.
    method : str
        ``"leiden"``, ``"louvain"``, ``"lpa"`` or ``"infomap"``.
    resolution : float
        The modularity resolution used (1.0 for ``lpa`` and ``infomap``).
    seed : int or None
        The ``rng`` passed to :func:`detect_communities` when it was an int.
    stability : float or None
        Mean pairwise normalised mutual information (:func:`nmi`) between the
        partitions of the ``runs`` runs; None for a single run. Near 1: every run
        finds the same communities; well below 1: the partition depends on the
        seed and its details should not be trusted.
    runs : int
        Number of runs; the result is the best one (highest modularity, or
        shortest code length for Infomap).
    weighted : bool
        Whether edge weights were used.
    details : dict
        Per-run diagnostics: ``run_modularity`` (and ``run_codelength`` for
        Infomap), ``iterations`` for Leiden, ``best_run``.
    graph : SocialGraph
        The graph the partition is of (needed by the summary).
    summary : pandas.DataFrame
        One row per community (:meth:`summarize`; :meth:`summary_columns` without pandas).

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("a", "b"), ("b", "c"), ("c", "a"),
    ...                                ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")])
    >>> p = gk.detect_communities(g, rng=1)
    >>> p.table().values.tolist()
    [['a', 0], ['b', 0], ['c', 0], ['x', 1], ['y', 1], ['z', 1]]
    >>> p.summary[["community", "size", "internal_edges", "bridges"]].values.tolist()
    [[0, 3, 3, ['c']], [1, 3, 3, ['x']]]
    """

    membership: np.ndarray
    modularity: float
    method: str
    resolution: float
    seed: int | None
    stability: float | None
    runs: int = 1
    weighted: bool = True
    details: dict = field(default_factory=dict, repr=False)
    graph: SocialGraph | None = field(default=None, repr=False)
    _projection: _k.Projection | None = field(default=None, repr=False)

    def __post_init__(self):
        self.membership.flags.writeable = False

    # ------------------------------------------------------------ basics
    @property
    def n_communities(self) -> int:
        return int(self.membership.max()) + 1 if self.membership.size else 0

    @property
    def sizes(self) -> np.ndarray:
        """Number of users in each community (non-increasing)."""
        return np.bincount(self.membership, minlength=self.n_communities)

    def _repr_html_(self) -> str:
        """Notebook display: method, modularity and the largest communities."""
        import pandas as pd

        from .._display import summary_html

        sizes = self.sizes
        users = int(sizes.sum())
        top = pd.DataFrame({"community": np.arange(len(sizes)), "users": sizes,
                            "share": sizes / max(users, 1)})
        rows = [("method", self.method), ("users", users), ("communities", self.n_communities),
                ("modularity", float(self.modularity)), ("resolution", float(self.resolution)),
                ("stability over runs", self.stability), ("runs", self.runs)]
        return summary_html(f"communities ({self.method})", rows,
                            tables=[("largest communities", top)])

    def _need_graph(self):
        if self.graph is None:
            raise ValueError("this Partition has no graph attached; use detect_communities")
        return self.graph

    def table(self) -> pd.DataFrame:
        """The membership table: columns ``user, community``, sorted by community then user.

        This is the file ``graphkit communities -o`` writes and
        :func:`read_membership` reads.
        """
        import pandas as pd

        return pd.DataFrame(self.table_columns())

    def table_columns(self) -> dict:
        """:meth:`table` without pandas: ``{"user": object array of str, "community":
        int64 array}`` in the table's order (what the command line writes)."""
        graph = self._need_graph()
        order = np.lexsort((_k.id_ordinal(graph), self.membership))
        return {"user": graph.node_ids[order], "community": self.membership[order]}

    @cached_property
    def _proj(self) -> _k.Projection:
        if self._projection is not None:
            return self._projection
        return _k.project(self._need_graph(), self.weighted)

    def participation(self) -> np.ndarray:
        """Participation coefficient of every user (aligned with ``graph.node_ids``).

        ``P_i = 1 - sum_s (k_is / k_i) ** 2``, where ``k_i`` is user i's weighted
        degree in the undirected projection and ``k_is`` the part of it going to
        community ``s`` (Guimerà & Amaral [1]_). 0 when all of i's edges stay in
        one community; it approaches 1 when they spread evenly over many. Users
        with no edge get 0.

        References
        ----------
        .. [1] R. Guimerà and L. A. N. Amaral, "Functional cartography of complex
           metabolic networks", Nature 433, 895-900 (2005).
        """
        return self._stats["participation"].copy()

    # ------------------------------------------------------------ summary
    @cached_property
    def _stats(self) -> dict:
        graph = self._need_graph()
        k = self.n_communities
        memb = self.membership
        stats = _k.community_stats(graph, self._proj, memb, k)
        p, external, sq = _k.participation(self._proj, memb, k)
        stats["participation"] = p
        # bridge score k_i * P_i = k_i - sum_s k_is^2 / k_i (0 without external edges)
        s = self._proj.strength
        score = np.zeros_like(s)
        np.divide(sq, s, out=score, where=s > 0)
        stats["bridge_score"] = np.where(external > 0, s - score, 0.0)
        stats["member_score"] = _in_community_pagerank(graph, stats.pop("internal_directed"),
                                                       self.weighted)
        return stats

    @cached_property
    def summary(self) -> pd.DataFrame:
        """:meth:`summarize` with its defaults (no folding, 3 top members, 3 bridges), cached."""
        return self.summarize()

    def summarize(self, min_size: int = 1, top_members: int = 3, bridges: int = 3) -> pd.DataFrame:
        """The per-community summary table.

        Parameters
        ----------
        min_size : int, optional
            Communities with fewer users are folded into one last row with
            ``community = -1`` ("other"); the membership is not changed. Default 1
            (no folding).
        top_members, bridges : int, optional
            How many ids to list per community. Default 3 each.

        Returns
        -------
        pandas.DataFrame
            One row per community, in community order, with columns

            * ``community``, ``size`` (users);
            * ``internal_edges``: connected user pairs inside the community (an
              interaction in either direction makes a pair);
            * ``external_edges``: pairs with one user inside and one outside;
            * ``density``: ``internal_edges / (size * (size - 1) / 2)`` (NaN for a
              single user);
            * ``conductance``: weight of the edges leaving the community over the
              smaller of its volume and the rest of the graph's volume (volume =
              summed weighted degree in the undirected projection); 0 when no edge
              leaves; lower is a better-separated community;
            * ``internal_interactions``: interactions (all types, repeats counted)
              between members;
            * ``dominant_type``: the interaction type with the most internal
              interactions (first in ``graph.types`` on ties; None without any);
            * ``top_members``: ids with the highest PageRank computed inside the
              community (the attention subgraph induced by its members), best first,
              ties by id;
            * ``bridges``: members with edges to other communities, ranked by
              ``k_i * P_i`` (weighted degree times participation coefficient, see
              :meth:`participation`), ties by id. ``P_i`` alone would rank a user
              with one edge in and one edge out (P = 0.5) above a hub that links
              hundreds of users across several communities; scaling by the degree
              keeps both "many edges out" and "spread over many communities".

            The "other" row sums the counts of the folded communities, pools their
            density (internal pairs over possible pairs), takes the dominant type of
            their summed interactions, and has NaN conductance and empty lists.
        """
        import pandas as pd

        cols = self._summary_base(min_size, top_members, bridges)
        df = pd.DataFrame(cols)
        size = cols["size"]
        small = size < min_size
        if not small.any():
            return df
        kept = df[~small].reset_index(drop=True)
        out = pd.concat([kept, pd.DataFrame([self._other_row(small)])], ignore_index=True)
        return out.astype({"community": np.int64, "size": np.int64, "internal_edges": np.int64,
                           "external_edges": np.int64, "internal_interactions": np.int64})

    def summary_columns(self, min_size: int = 1, top_members: int = 3, bridges: int = 3) -> dict:
        """:meth:`summarize` without pandas: column name -> 1-d NumPy array, in
        ``SUMMARY_COLUMNS`` order (``dominant_type``, ``top_members`` and ``bridges`` are
        object arrays: a type name or None, lists of ids). The same rows and values as
        :meth:`summarize` (what the command line's table shows)."""
        cols = self._summary_base(min_size, top_members, bridges)
        small = cols["size"] < min_size
        if not small.any():
            return cols
        other = self._other_row(small)
        out = {}
        for name, v in cols.items():
            tail = np.empty(1, dtype=v.dtype)
            tail[0] = other[name]
            out[name] = np.concatenate([v[~small], tail])
        return out

    def _summary_base(self, min_size: int, top_members: int, bridges: int) -> dict:
        """The summary's columns, one row per community (no folding)."""
        for name, value, least in (("min_size", min_size, 1), ("top_members", top_members, 0),
                                   ("bridges", bridges, 0)):
            check_count(name, value, minimum=least)
        graph = self._need_graph()
        st = self._stats
        k = self.n_communities
        ordinal = _k.id_ordinal(graph)
        ids = graph.node_ids
        top = _k.top_per_group(self.membership, st["member_score"], ordinal, top_members, k)
        brg = _k.top_per_group(self.membership, st["bridge_score"], ordinal, bridges, k,
                               keep=st["bridge_score"] > 0)
        size = st["size"]
        tc = st["type_counts"]
        types = np.array(list(graph.types) + [None], dtype=object)
        dominant = np.where(tc.sum(axis=1) > 0, tc.argmax(axis=1), len(graph.types))
        return {
            "community": np.arange(k, dtype=np.int64),
            "size": size.astype(np.int64),
            "internal_edges": st["internal_edges"].astype(np.int64),
            "external_edges": st["external_edges"].astype(np.int64),
            "density": _k.density(st["internal_edges"], size),
            "conductance": _k.conductance(st["cut"], st["volume"], 2.0 * self._proj.total),
            "internal_interactions": tc.sum(axis=1).astype(np.int64),
            "dominant_type": types[dominant],
            "top_members": _lists([ids[t].tolist() for t in top]),
            "bridges": _lists([ids[b].tolist() for b in brg]),
        }

    def _other_row(self, small: np.ndarray) -> dict:
        """The "other" row folding the communities ``small`` marks (see :meth:`summarize`)."""
        graph, st = self._need_graph(), self._stats
        size = st["size"]
        tcs = st["type_counts"][small].sum(axis=0)
        pairs = float((size[small] * (size[small] - 1) / 2).sum())
        return {
            "community": -1,
            "size": int(size[small].sum()),
            "internal_edges": int(st["internal_edges"][small].sum()),
            "external_edges": int(st["external_edges"][small].sum()),
            "density": float(st["internal_edges"][small].sum()) / pairs if pairs else math.nan,
            "conductance": math.nan,
            "internal_interactions": int(tcs.sum()),
            "dominant_type": graph.types[int(tcs.argmax())] if tcs.sum() > 0 else None,
            "top_members": [],
            "bridges": [],
        }

    def to_dict(self, min_size: int = 1, top_members: int = 3, bridges: int = 3) -> dict:
        """A JSON-ready description: parameters, quality and the summary rows.

        Keys: ``method``, ``resolution``, ``seed``, ``weighted``, ``users``,
        ``n_communities``, ``modularity``, ``runs``, ``stability`` (only when
        ``runs > 1``), ``min_size`` and ``folded_communities`` (when folding), and
        ``communities``: the rows of :meth:`summarize` as a list of dicts.
        """
        from ..io import to_jsonable

        df = self.summarize(min_size=min_size, top_members=top_members, bridges=bridges)
        out = {
            "method": self.method,
            "resolution": self.resolution,
            "seed": self.seed,
            "weighted": self.weighted,
            "users": int(self.membership.shape[0]),
            "n_communities": self.n_communities,
            "modularity": self.modularity,
            "runs": self.runs,
        }
        if self.runs > 1:
            out["stability"] = self.stability
        if "codelength" in self.details:
            out["codelength"] = self.details["codelength"]
        if min_size > 1:
            out["min_size"] = int(min_size)
            out["folded_communities"] = int((self.sizes < min_size).sum())
        out["communities"] = df.to_dict(orient="records")
        return to_jsonable(out)


def _lists(values: list) -> np.ndarray:
    """A 1-d object array holding one list per element (``np.array`` would make it 2-d)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _in_community_pagerank(graph, inside: np.ndarray, weighted: bool) -> np.ndarray:
    """PageRank of every user inside its own community, in one computation.

    The graph keeping only edges between members of the same community is block
    diagonal. With a uniform restart, each block of its PageRank vector is
    proportional to the PageRank of that community alone (restart and dangling
    mass enter each block in proportion to its size), so one power iteration on
    the whole graph orders the members of every community exactly as per-community
    runs would.
    """
    from ..graph import SocialGraph
    from ..ranking import pagerank

    if not inside.any():
        return np.zeros(graph.n_nodes)
    sub = SocialGraph.from_arrays(
        graph.sources()[inside], graph.indices[inside], graph.node_ids,
        row_weight=graph.scaled_weight[inside] if weighted else None,
    )
    return pagerank(sub, weighted=weighted, tol=1e-10)


# --------------------------------------------------------------------- membership
def membership_array(graph: SocialGraph, table, *, missing_users: str = "raise",
                     fill: int = -1) -> np.ndarray:
    """Align a membership table with ``graph``'s positions.

    Parameters
    ----------
    graph : SocialGraph
    table : pandas.DataFrame
        Columns ``user, community`` (what :func:`read_membership` returns or
        :meth:`Partition.table` gives).
    missing_users : {"raise", "drop"}, optional
        What to do with users of the table that are not in the graph.
    fill : int, optional
        Community given to graph users absent from the table. Default -1.

    Returns
    -------
    numpy.ndarray
        int64 community of every user, aligned with ``graph.node_ids``.
    """
    if missing_users not in ("raise", "drop"):
        raise ValueError(f"missing_users must be 'raise' or 'drop', got {missing_users!r}")
    users = table["user"].astype(str).tolist()
    comm = np.asarray(table["community"], dtype=np.int64)
    pos = graph._id_index.get_indexer(users)
    unknown = pos < 0
    if unknown.any():
        if missing_users == "raise":
            raise UnknownUserError([u for u, bad in zip(users, unknown) if bad])
        pos, comm = pos[~unknown], comm[~unknown]
    out = np.full(graph.n_nodes, int(fill), dtype=np.int64)
    out[pos] = comm
    return out


# --------------------------------------------------------------------- measures
def modularity(graph: SocialGraph, membership, *, resolution: float = 1.0,
               weighted: bool = True) -> float:
    """Modularity of a partition on the undirected projection of ``graph``.

    Parameters
    ----------
    graph : SocialGraph
        The interaction graph.
    membership : array of int or Partition
        Community label of every user, aligned with ``graph.node_ids`` (any
        integers; only equality matters).
    resolution : float, optional
        Resolution ``gamma``. Default 1.0.
    weighted : bool, optional
        Pair weight ``w(u->v) + w(v->u)`` (default) or 1 per connected pair.

    Returns
    -------
    float
        ``Q = sum_c [ L_c / W - gamma * (S_c / (2 W)) ** 2 ]``, where ``W`` is the
        total pair weight, ``L_c`` the weight of pairs inside community ``c`` and
        ``S_c`` the summed weighted degree of its members (Newman & Girvan [1]_;
        the same value as ``networkx.community.modularity``).

    References
    ----------
    .. [1] M. E. J. Newman and M. Girvan, "Finding and evaluating community
       structure in networks", Phys. Rev. E 69, 026113 (2004).

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("a", "b"), ("c", "d")])
    >>> gk.modularity(g, [0, 0, 1, 1])
    0.5
    """
    if isinstance(membership, Partition):
        membership = membership.membership
    memb = np.asarray(membership)
    if memb.shape != (graph.n_nodes,):
        raise ValueError(f"membership must have one label per user ({graph.n_nodes}), "
                         f"got shape {memb.shape}")
    memb, _ = _k.compact(memb)
    proj = _k.project(graph, bool(weighted))
    if proj.total <= 0:
        raise InputError("every edge has weight 0; modularity is undefined")
    return _k.modularity_of(proj, memb, check_positive_float("resolution", resolution))


def nmi(a, b) -> float:
    """Normalised mutual information between two partitions of the same users.

    Parameters
    ----------
    a, b : array of int
        Labels of each user (any integers; only equality matters).

    Returns
    -------
    float
        ``2 I(A; B) / (H(A) + H(B))`` in [0, 1] (natural logarithms; the
        arithmetic-mean normalisation of Danon et al. [1]_, igraph's
        ``compare_communities(method="nmi")``). 1 means the same partition up to
        relabelling; two trivial partitions (everybody together) give 1.

    References
    ----------
    .. [1] L. Danon, A. Díaz-Guilera, J. Duch and A. Arenas, "Comparing community
       structure identification", J. Stat. Mech. P09008 (2005).

    Examples
    --------
    >>> import graphkit as gk
    >>> gk.nmi([0, 0, 1, 1], [5, 5, 2, 2])
    1.0
    >>> round(gk.nmi([0, 0, 1, 1], [0, 1, 0, 1]), 6)
    0.0
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"partitions must be 1-d and of equal length, got {a.shape} and {b.shape}")
    return _k.nmi_of(a, b)
