"""The influencers view: the top users by a score and the edges among them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._checks import check_count, renamed_keyword
from .._rng import int_seed
from . import _layout as _lay
from . import _select as _sel
from ._html import tip
from ._parts import (
    DEFAULT_LABELS,
    _add_times,
    _cap_edges,
    _colouring,
    _edge_items,
    _edge_legend,
    _finish,
    _fmt,
    _group_legend,
    _layout_note,
    _meta,
    _node,
    _options,
    _pin_rings,
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
                     communities=None, color_by=None, edges=None, labels: int = DEFAULT_LABELS,
                     rng: RngLike = None, max_edges: int = DEFAULT_MAX_EDGES,
                     physics_limit: int = PHYSICS_LIMIT, sources=(), by: str | None = None) -> View:
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
        view, so the header says which was used. Community ``c`` has the colour
        :func:`graphkit.viz.category_color` ``(c)`` on every page.
    color_by : Categories, DataFrame, path or array, optional
        Colour by another categorical attribute of the users instead (a
        :class:`graphkit.viz.Categories`, a ``user, label`` table, a file or one label
        per user); the same rule: a label's colour is a function of its number.
    edges : EdgeTable, optional
        The table the graph was built from: when its rows have timestamps, the page
        gets a time slider (the edges up to a time, or within a window; a play button).
    labels : int, optional
        Users whose names are drawn at the default zoom, the best first (default 30);
        the others show theirs when zoomed in or hovered.
    rng : int, numpy.random.Generator or None, optional
        Seed of the layout and of Leiden (and of sampled betweenness).
    max_edges : int, optional
        Most edges drawn; beyond it the heaviest are kept (default 20,000).
    physics_limit : int, optional
        Above this many nodes the browser runs no physics (default 1,000).
    sources : sequence of str, optional
        Input file names for the header.

    Returns
    -------
    View
        Size = score, colour = community, edge colour = the pair's most frequent
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

    top = check_count("top", top)
    labels = check_count("labels", labels, minimum=0)
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
        pos = _sel.positions_of(graph, df["user"].tolist())
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
        pos = _sel.top_positions(graph.node_ids, arr, top)
        score = arr[pos]
        rank_no = list(range(1, len(pos) + 1))
    mname = MEASURE_NAMES.get(measure, str(measure))
    n = len(pos)

    src, dst, eid = _sel.induced_edges(graph, pos)
    n_induced = int(eid.size)
    keep = _cap_edges(graph, eid, max_edges)
    src, dst, eid = src[keep], dst[keep], eid[keep]

    comm, cats, comm_note = _colouring(graph, pos, src, dst, eid, communities, color_by, seed)
    legend_group, row = _group_legend(cats, cats.codes[pos])
    sizes = _sizes(score)
    placement = _lay.layout(n, src, dst, graph.weight[eid], seed=seed, sizes=sizes)
    received = _received_rows(graph, pos, ranking_rows)
    ids = graph.node_ids
    nodes = []
    for i in range(n):
        uid = str(ids[pos[i]])
        rows = [("rank", f"{rank_no[i]:,} by {mname}"), ("score", _fmt(score[i])),
                (comm.title, comm.name(comm.codes[pos[i]]))]
        if cats is not comm:
            rows.append((cats.title, cats.name(cats.codes[pos[i]])))
        rows += [(name, _fmt(v)) for name, v in received[i]]
        color = legend_group["items"][row[i]]["color"]
        nodes.append(_node(i, uid, placement.xy[i], sizes[i], color, tip(uid, rows), score[i], i,
                           row[i]))
    edge_items = _edge_items(graph, pos, src, dst, eid)

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
    notes.append(_layout_note(n, seed, physics_limit, placement))
    meta = _meta(graph, edge_items, score=mname, labels=labels, isolated=placement.n_isolated)
    notes.append(_add_times(meta, edges, graph, pos, src, dst, nodes, edge_items))
    legend = [legend_group, _edge_legend(graph, eid)]
    details = {"users": graph.n_nodes, "edges": graph.n_edges, "users_shown": n,
               "edges_shown": int(eid.size), "edges_among_shown": n_induced,
               "measure": measure, "communities": comm_note, "seed": seed,
               "physics": n <= physics_limit, "isolated": placement.n_isolated}
    opts = _options(n, seed, physics=n <= physics_limit, n_edges=len(edge_items))
    _pin_rings(nodes, placement, opts)
    return _finish("influencers", f"Top {n:,} influencers by {mname}", shown, notes, nodes,
                   edge_items, opts,
                   legend, sources, details, meta)
