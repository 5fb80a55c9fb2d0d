"""Communities: which groups exist, who leads each, and who connects them.

:func:`detect_communities` runs Leiden, Louvain, label propagation (on the
undirected projection of the attention graph) or Infomap (on the directed graph)
through python-igraph, built from the CSR arrays, and returns a :class:`Partition`:
a membership array numbered by community size, the modularity computed by graphkit
itself, and a per-community summary (size, internal edges, density, conductance,
dominant interaction type, top members by PageRank inside the community, bridge
users). :func:`graphkit.io.read_membership` reads a membership file back for later commands.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .. import _imports
from .._checks import check_count, check_positive_float
from ..errors import EmptyGraphError, InputError
from . import _projection as _k
from .partition import Partition

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike
    from ..graph import SocialGraph

__all__ = ["METHODS", "detect_communities"]

#: The methods :func:`detect_communities` accepts.
METHODS = ("leiden", "louvain", "lpa", "infomap")

_MAX_LEIDEN_ITERATIONS = 10_000


# --------------------------------------------------------------------- detection
def detect_communities(graph: SocialGraph, method: str = "leiden", *, resolution: float = 1.0,
                       rng: RngLike = None, runs: int = 1, n_iterations: int = 2,
                       tol: float | None = None, weighted: bool = True) -> Partition:
    """Find communities of users.

    Parameters
    ----------
    graph : SocialGraph
        The interaction graph.
    method : {"leiden", "louvain", "lpa", "infomap"}, optional
        ``"leiden"`` (default, [1]_) and ``"louvain"`` ([2]_) maximise modularity;
        ``"lpa"`` is label propagation ([3]_); all three run on the undirected
        projection (see Notes). ``"infomap"`` ([4]_) minimises the description
        length of a random walk on the *directed* weighted graph.
    resolution : float, optional
        Modularity resolution ``gamma`` > 0 for Leiden and Louvain: higher gives
        more, smaller communities. Default 1.0 (classic modularity). Label
        propagation and Infomap have none; they accept only 1.0.
    rng : int, numpy.random.Generator or None, optional
        Randomness (igraph's algorithms are randomised). The same int gives the
        same partition. None draws fresh entropy.
    runs : int, optional
        Independent runs with seeds spawned from ``rng``. The best run is kept
        (highest modularity; shortest code length for Infomap) and the mean
        pairwise NMI of the runs is reported as ``stability``. Run 0 uses the
        same seed whatever ``runs`` is. Default 1.
    n_iterations : int, optional
        Leiden iterations (passes) when ``tol`` is None. Default 2, igraph's own
        default (see Notes); -1 iterates until no pass raises modularity (igraph's
        ``n_iterations=-1``, the same as ``tol=0``). Ignored by the other methods.
    tol : float or None, optional
        When given, Leiden iterates until a pass raises modularity by at most ``tol``
        and keeps the best membership; 0 iterates until no pass raises it at all
        (slower, slightly higher modularity on large social graphs). Default None
        (``n_iterations`` passes).
    weighted : bool, optional
        Use ``graph.weight`` (type-weighted interaction sums). False gives every
        connected pair weight 1 (Infomap: every directed edge). Default True.

    Returns
    -------
    Partition
        Membership numbered by size, modularity, stability and summary.

    Raises
    ------
    ValueError
        For an unknown method, a non-positive or non-finite resolution, a
        resolution other than 1 for ``lpa``/``infomap``, ``runs < 1`` or a
        negative ``tol``.
    InputError
        If every edge has weight 0 (e.g. all types weighted 0).

    See Also
    --------
    modularity, nmi, read_membership

    Notes
    -----
    **Undirected projection.** An interaction row means *source acted on target*
    (DESIGN §2). For the modularity methods the directed, typed graph becomes an
    undirected one: the weight of a pair ``{u, v}`` is
    ``w(u -> v) + w(v -> u)``, each ``w`` being ``graph.weight`` (the sum over the
    pair's interactions of type weight times row weight). A reciprocal pair thus
    counts twice as much as a one-way pair. With ``weighted=False`` every
    connected pair weighs 1. The reported modularity is computed on this
    projection at ``resolution`` and equals networkx's
    ``community.modularity`` of the same partition on the same weighted graph.

    **Infomap** runs igraph's ``community_infomap`` (one trial per run) on the
    directed graph with weights ``graph.weight``: the random walker follows
    attention (actor to target), as PageRank does, so flow communities are
    groups that keep attention among themselves. Its reported modularity is still
    the undirected one, for comparison with the other methods.

    **Leiden stopping rule.** By default Leiden runs two iterations, igraph's own
    default: the partition is igraph's ``community_leiden(n_iterations=2)`` for the same
    seed. Measured (bench/RESULTS.md, issue 15) on a Slashdot-size graph (82k users,
    948k rows, 534k pairs): the first pass takes 0.8 s of CPU and reaches Q 0.283-0.289,
    the second 0.4 s and adds 0.005-0.007, every further pass 0.35-0.45 s for 0.001,
    then 0.0004, 0.0002, ... So iterating until the gain is at most 1e-4 (graphkit's
    rule before 2026-12-04: 8-10 passes) took 3-4x the time for +0.2-0.6% modularity, and
    igraph's ``-1`` rule (until no gain) can run for hundreds of passes on heavy-tailed
    graphs (143 s vs 12 s on a 1M-edge power-law graph). On graphs with strong groups
    (ego-Facebook-like) the second pass already gains nothing. ``tol`` (CLI
    ``--leiden-tol``) keeps the iterate-until-stable rule: one pass at a time from the
    previous membership (what igraph does internally), stopping when the gain is at
    most ``tol``. ``objective_function="modularity"`` is passed explicitly (igraph's
    default, CPM, returns singletons on unweighted graphs).

    igraph draws from Python's global ``random``; every run is seeded through
    :func:`graphkit._rng.igraph_seed`, which holds a lock and restores the
    default generator afterwards.

    References
    ----------
    .. [1] V. A. Traag, L. Waltman and N. J. van Eck, "From Louvain to Leiden:
       guaranteeing well-connected communities", Scientific Reports 9, 5233 (2019).
    .. [2] V. D. Blondel, J.-L. Guillaume, R. Lambiotte and E. Lefebvre, "Fast
       unfolding of communities in large networks", J. Stat. Mech. P10008 (2008).
    .. [3] U. N. Raghavan, R. Albert and S. Kumara, "Near linear time algorithm to
       detect community structures in large-scale networks", Phys. Rev. E 76,
       036106 (2007).
    .. [4] M. Rosvall and C. T. Bergstrom, "Maps of random walks on complex
       networks reveal community structure", PNAS 105(4), 1118-1123 (2008).
    .. [5] R. Guimerà and L. A. N. Amaral, "Functional cartography of complex
       metabolic networks", Nature 433, 895-900 (2005).

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("a", "b"), ("b", "c"), ("c", "a"),
    ...                                ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")])
    >>> p = gk.detect_communities(g, method="leiden", rng=7)
    >>> p.membership.tolist(), round(p.modularity, 4)
    ([0, 0, 0, 1, 1, 1], 0.3571)
    >>> gk.detect_communities(g, method="louvain", rng=7, runs=3).stability
    1.0
    """
    from .._rng import igraph_seed, spawn

    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")
    resolution = check_positive_float("resolution", resolution)
    if method in ("lpa", "infomap") and resolution != 1.0:
        raise ValueError(f"resolution applies to leiden and louvain, not {method}")
    check_count("runs", runs, minimum=1)
    if isinstance(n_iterations, bool) or not isinstance(n_iterations, (int, np.integer)) \
            or n_iterations == 0 or n_iterations < -1:
        raise ValueError(f"n_iterations must be a positive int or -1, got {n_iterations!r}")
    if tol is None and n_iterations == -1:
        tol = 0.0
    if tol is not None:
        tol = float(tol)
        if not math.isfinite(tol) or tol < 0:
            raise ValueError(f"tol must be a finite non-negative number, got {tol!r}")
    weighted = bool(weighted)

    if graph.n_edges == 0:
        raise EmptyGraphError("the graph has no edges; nothing to group")
    proj = _k.project(graph, weighted)
    if proj.total <= 0:
        raise InputError("every edge has weight 0 (check --type-weight); nothing to group")
    seeds = [int(g.integers(0, 2**63 - 1)) for g in spawn(rng, int(runs))]
    ig_graph = _directed_igraph(graph, weighted) if method == "infomap" else _undirected_igraph(proj)

    memberships, qs, extra = [], [], []
    for s in seeds:
        with igraph_seed(s):
            raw, info = _run(method, ig_graph, proj, resolution, int(n_iterations), tol)
        memb, _ = _k.compact(raw)
        memberships.append(memb)
        qs.append(_k.modularity_of(proj, memb, resolution))
        extra.append(info)

    if method == "infomap":
        lengths = [e["codelength"] for e in extra]
        best = int(np.argmin(lengths))
    else:
        best = int(np.argmax(qs))
    stability = None
    if runs > 1:
        pairs = [_k.nmi_of(memberships[i], memberships[j])
                 for i in range(runs) for j in range(i + 1, runs)]
        stability = float(np.mean(pairs))
    details: dict = {"best_run": best, "run_modularity": [float(q) for q in qs]}
    if method == "leiden":
        details.update(iterations=[e["iterations"] for e in extra], tol=tol)
    if method == "infomap":
        details.update(run_codelength=[e["codelength"] for e in extra],
                       codelength=extra[best]["codelength"])
    membership = _k.renumber_by_size(memberships[best], _k.id_ordinal(graph))
    return Partition(
        membership=membership,
        modularity=float(qs[best]),
        method=method,
        resolution=resolution,
        seed=int(rng) if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) else None,
        stability=stability,
        runs=int(runs),
        weighted=weighted,
        details=details,
        graph=graph,
        _projection=proj,
    )


def _undirected_igraph(proj: _k.Projection):
    """igraph Graph of the projection (:func:`graphkit._imports.igraph_graph`)."""
    return _imports.igraph_graph(proj.n, proj.u, proj.v, weight=proj.w)


def _directed_igraph(graph, weighted: bool):
    weight = graph.scaled_weight if weighted else np.ones(graph.n_edges)
    return _imports.igraph_graph(graph.n_nodes, graph.sources(), graph.indices,
                                 directed=True, weight=weight)


def _run(method, g, proj, resolution, n_iterations, tol):
    """One seeded run: raw labels (array) and method-specific info."""
    if method == "leiden":
        return _leiden(g, proj, resolution, n_iterations, tol)
    if method == "louvain":
        c = g.community_multilevel(weights="weight", resolution=resolution)
        return np.asarray(c.membership, dtype=np.int64), {}
    if method == "lpa":
        c = g.community_label_propagation(weights="weight")
        return np.asarray(c.membership, dtype=np.int64), {}
    c = g.community_infomap(edge_weights="weight", trials=1)
    return np.asarray(c.membership, dtype=np.int64), {"codelength": float(c.codelength)}


def _leiden_pass(g, resolution, n_iterations, start=None):
    """igraph's ``community_leiden(objective_function="modularity", weights="weight",
    ...)`` as a membership array: the same C call with the same arguments (so the same
    partition for the same seed), without the ``VertexClustering`` igraph's wrapper
    builds around it (a Python pass over the membership nothing here uses)."""
    ig = _imports.igraph()
    membership, _quality = ig.GraphBase.community_leiden(
        g, edge_weights="weight", node_weights=None, node_in_weights=None,
        resolution=resolution, normalize_resolution=True, beta=0.01,
        initial_membership=start, n_iterations=n_iterations)
    return membership


def _leiden(g, proj, resolution, n_iterations, tol):
    if tol is None:
        memb = _leiden_pass(g, resolution, n_iterations)
        return np.asarray(memb, dtype=np.int64), {"iterations": n_iterations}
    start = None
    best, q_best = None, -math.inf
    iterations = 0
    while iterations < _MAX_LEIDEN_ITERATIONS:
        iterations += 1
        raw = _leiden_pass(g, resolution, 1, start)
        memb = np.asarray(raw, dtype=np.int64)
        q = _k.modularity_of(proj, memb, resolution)
        gain = q - q_best
        if gain > 0:
            best, q_best = memb, q
        if gain <= tol:
            break
        start = raw
    return best, {"iterations": iterations}
