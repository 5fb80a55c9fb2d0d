"""The influencers view: the top users by a score and the edges among them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._checks import check_count, renamed_keyword
from .._rng import int_seed
from . import _layout as _lay
from ._html import label_text, tip
from ._parts import (
    _cap_edges,
    _community_colors,
    _edge_items,
    _edge_legend,
    _finish,
    _fmt,
    _layout_note,
    _membership,
    _options,
    _received_rows,
    _sizes,
)
from .view import (
    DEFAULT_MAX_EDGES,
    DEFAULT_TOP,
    MEASURE_NAMES,
    PHYSICS_LIMIT,
    View,
)

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike

__all__ = ["influencers_view"]


def influencers_view(graph, ranking=None, *, top: int = DEFAULT_TOP, method: str = "pagerank",
                     communities=None, rng: RngLike = None, max_edges: int = DEFAULT_MAX_EDGES,
                     physics_limit: int = PHYSICS_LIMIT, sources=(), by: str | None = None,
                     roles=None) -> View:
    """The top users by a score and the edges among them.

    Parameters
    ----------
    graph : SocialGraph
        The interaction graph.
    ranking : pandas.DataFrame or array of float, optional
        A Ranking (what :func:`graphkit.rank` returns: ``user`` and ``score`` columns,
        best first) or a score per user aligned with ``graph.node_ids``. Computed with
        ``method`` when omitted.
    top : int, optional
        How many users to show (default 300).
    method : str, optional
        The measure, when ``ranking`` is not given (default ``"pagerank"``); see
        :func:`graphkit.rank` (betweenness is estimated from 1,000 sampled sources
        above 1,000 users).
    communities : Partition, DataFrame, path or array, optional
        Community of each user (a :class:`~graphkit.communities.Partition`, a
        ``user, community`` table, a membership file or an int array aligned with the
        graph). When omitted, Leiden runs on the *shown* subgraph only (seeded by
        ``rng``): detecting communities of the whole graph costs far more than the
        view, so the header says which was used.
    rng : int, numpy.random.Generator or None, optional
        Seed of the layout and of Leiden (and of sampled betweenness).
    max_edges : int, optional
        Most edges drawn; beyond it the heaviest are kept (default 20,000).
    physics_limit : int, optional
        Above this many nodes the browser runs no physics (default 1,000).
    sources : sequence of str, optional
        Input file names for the header.
    roles : array of str, optional
        A role name per user (aligned with ``graph.node_ids``; e.g. the ``role`` column
        of :func:`graphkit.segments.segment_users`): colour = role instead of community.

    Returns
    -------
    View
        Size = score, colour = community (or role), edge colour = the pair's most frequent
        interaction type, arrows from actor to target.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("b", "a"), ("c", "a"), ("a", "c"), ("d", "b")])
    >>> v = gk.influencers_view(g, top=3, rng=7)
    >>> [n["uid"] for n in v.nodes], v.details["edges_shown"]
    (['a', 'c', 'b'], 3)
    """
    by = renamed_keyword(method, by, "by", "method", "influencers_view")
    import pandas as pd

    from ..communities import detect_communities
    from ..graph import SocialGraph

    top = check_count("top", top)
    max_edges = check_count("max_edges", max_edges)
    seed = int_seed(rng)
    measure = by
    ranking_rows = None
    if ranking is None:
        from ..ranking import rank

        sampled = {"samples": 1000} if by == "betweenness" and graph.n_nodes > 1000 else {}
        ranking = rank(graph, method=by, top=top, rng=seed, **sampled)
    if isinstance(ranking, pd.DataFrame):
        missing = [c for c in ("user", "score") if c not in ranking.columns]
        if missing:
            raise ValueError(f"ranking needs the columns user and score (missing {missing[0]!r})")
        df = ranking.head(top)
        measure = ranking.attrs.get("measure", by)
        pos = _lay.positions_of(graph, df["user"].tolist())
        score = df["score"].to_numpy(dtype=np.float64)
        rank_no = df["rank"].tolist() if "rank" in df.columns else list(range(1, len(df) + 1))
        cols = [(c, c.replace("_received", "").replace("received_", "")) for c in df.columns
                if c in ("followers", "shares_received", "comments_received")
                or c.startswith("received_")]
        if cols:
            values = {c: df[c].tolist() for c, _ in cols}
            ranking_rows = [[(name, values[c][i]) for c, name in cols] for i in range(len(df))]
    else:
        arr = np.asarray(ranking, dtype=np.float64)
        if arr.shape != (graph.n_nodes,):
            raise ValueError(f"scores must have one value per user ({graph.n_nodes}), got {arr.shape}")
        pos = _lay.top_positions(graph.node_ids, arr, top)
        score = arr[pos]
        rank_no = list(range(1, len(pos) + 1))
    mname = MEASURE_NAMES.get(measure, str(measure))
    n = len(pos)

    src, dst, eid = _lay.induced_edges(graph, pos)
    n_induced = int(eid.size)
    keep = _cap_edges(graph, eid, max_edges)
    src, dst, eid = src[keep], dst[keep], eid[keep]

    role_names = None
    if roles is not None:
        names = np.asarray(roles, dtype=object)
        if names.shape != (graph.n_nodes,):
            raise ValueError(f"roles must have one name per user ({graph.n_nodes})")
        role_names, labels = np.unique(names[pos].astype(str), return_inverse=True)
        labels = labels.astype(np.int64)
        comm_note = "colour = role (user segments)"
    elif communities is not None:
        memb, comm_source = _membership(graph, communities)
        labels = memb[pos]
        comm_note = f"colour = community ({comm_source})"
    elif eid.size:
        sub = SocialGraph.from_arrays(src, dst, graph.node_ids[pos], row_weight=graph.weight[eid])
        labels = detect_communities(sub, "leiden", rng=seed).membership
        comm_note = (f"colour = community: Leiden on the {n:,} shown users only, not on the whole "
                     "graph (pass communities of the whole graph with --communities FILE)")
    else:
        labels = np.full(n, -1, dtype=np.int64)
        comm_note = "colour: no edges among the shown users, so no communities"
    colors, comm_items = _community_colors(labels, names=role_names)

    xy = _lay.layout(n, src, dst, graph.weight[eid], seed=seed)
    sizes = _sizes(score)
    received = _received_rows(graph, pos, ranking_rows)
    ids = graph.node_ids
    nodes = []
    for i in range(n):
        uid = str(ids[pos[i]])
        c = int(labels[i])
        rows = [("rank", f"{rank_no[i]:,} by {mname}"), ("score", _fmt(score[i])),
                ("community", str(c) if c >= 0 else "none") if role_names is None
                else ("role", str(role_names[c]))]
        rows += [(name, _fmt(v)) for name, v in received[i]]
        nodes.append({"id": i, "uid": uid, "label": label_text(uid), "shape": "dot",
                      "x": float(xy[i, 0]), "y": float(xy[i, 1]), "size": float(sizes[i]),
                      "color": _lay.check_color(colors[c]), "tip": tip(uid, rows)})
    edges = _edge_items(graph, pos, src, dst, eid, type_color=_lay.type_colors(graph.types))

    shown = (f"top {n:,} of {graph.n_nodes:,} users by {mname}, "
             f"{eid.size:,} of {graph.n_edges:,} edges (the edges among them)")
    notes = [f"size = {mname} score; {comm_note}; edge colour = the pair's most frequent "
             "interaction type; arrows point from the actor to the user acted on"]
    left = []
    if graph.n_nodes > n:
        left.append(f"{graph.n_nodes - n:,} users with lower scores")
    if graph.n_edges > eid.size:
        left.append(f"{graph.n_edges - eid.size:,} edges")
    if n_induced > eid.size:
        left.append(f"of the {n_induced:,} edges among the shown users, the "
                    f"{n_induced - eid.size:,} lightest (at most {max_edges:,} are drawn)")
    if left:
        notes.append("not shown: " + "; ".join(left))
    notes.append(_layout_note(n, seed, physics_limit))
    legend = [{"title": "Node colour: " + ("community" if role_names is None else "role"),
               "items": comm_items}, _edge_legend(graph, eid)]
    details = {"users": graph.n_nodes, "edges": graph.n_edges, "users_shown": n,
               "edges_shown": int(eid.size), "edges_among_shown": n_induced,
               "measure": measure, "communities": comm_note, "seed": seed,
               "physics": n <= physics_limit}
    return _finish("influencers", f"Top {n:,} influencers by {mname}", shown, notes, nodes, edges,
                   _options(n, seed, physics_limit=physics_limit), legend, sources, details)
