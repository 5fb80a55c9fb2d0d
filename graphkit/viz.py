"""Interactive network views as self-contained, offline, escaped HTML pages.

Four views of a :class:`~graphkit.graph.SocialGraph`, each a :class:`View` that renders
to one HTML file:

* :func:`influencers_view` -- the top users by a score (PageRank by default) and the
  edges among them; size = score, colour = community, edge colour = the pair's most
  frequent interaction type;
* :func:`communities_view` -- one bubble per community (size = members), links weighted
  by the interactions between communities, tooltips listing the top members;
* :func:`ego_view` -- a user and everyone within ``radius`` hops (both directions);
* :func:`cascade_view` -- seed users and the users a simulated cascade most likely
  reaches, coloured by activation probability.

Big graphs are never drawn whole: each view picks at most a few hundred users (the
``top`` argument), and its header says what is shown and what was left out ("top 300
of 75,512 users, 4,812 of 900,000 edges"). Positions are computed in Python with
igraph's Fruchterman-Reingold layout (seeded, so the same ``rng`` gives the same page);
up to ``physics_limit`` (1,000) nodes the browser then runs a short physics
stabilisation, above it physics is off and edges are drawn straight, so the page stays
responsive.

Pages are built with pyvis's ``Network`` (nodes, edges, options, in memory) and
rendered with graphkit's own Jinja2 template (autoescape on). They are self-contained
and work offline: vis-network's JS and CSS are inlined from the pyvis package, there is
no CDN link, no external font, no favicon request, and a Content-Security-Policy allows
only the page's own inline scripts (by hash) and no fetch of any kind.

Safety of user-supplied text (ids, interaction types, community labels, file names):

* In HTML (header, legend, tables) it is escaped by Jinja2's autoescape.
* Tooltips and the details panel: Python builds their HTML with every user string
  passed through :func:`html.escape`; the page's script turns those escaped strings
  into elements with ``innerHTML`` and hands vis-network the *element* (vis-network 9
  shows an element as is and a string title as plain text). Nothing unescaped ever
  reaches ``innerHTML``.
* Canvas labels are drawn by vis-network with ``fillText`` (``font.multi`` stays off,
  so no markup is interpreted); they carry the raw id, cut to 24 characters, so a user
  named ``<b>x</b>`` is drawn as those characters.
* The graph data is embedded as JSON in a ``<script type="application/json">`` with
  ``<``, ``>``, ``&``, U+2028, U+2029 and every non-ASCII character written as
  ``\\uXXXX`` escapes, so no id can end the script element.
* The search box fills its suggestions through DOM properties (``option.value``).

Examples
--------
>>> import graphkit as gk, tempfile, os
>>> g = gk.SocialGraph.from_pairs([("bob", "alice", "follow"), ("carol", "alice", "share"),
...                                ("alice", "carol", "comment")])
>>> v = gk.influencers_view(g, top=2, rng=1)
>>> v.n_nodes, v.n_edges, v.shown
(2, 2, 'top 2 of 3 users by PageRank, 2 of 3 edges (the edges among them)')
>>> path = v.write(os.path.join(tempfile.mkdtemp(), "top.html"))
>>> page = open(path, encoding="utf-8").read()
>>> any(s in page for s in ('src="http', 'href="http', "<script src", "stylesheet"))
False
"""

from __future__ import annotations

import numpy as np

from . import _viz_layout as _lay
from ._viz_html import label_text, tip
from ._viz_parts import (
    _HOP_COLORS,
    DEFAULT_MAX_EDGES,
    DEFAULT_TOP,
    DEFAULT_TOP_COMMUNITIES,
    MEASURE_NAMES,
    PHYSICS_LIMIT,
    VIEW_KINDS,
    View,
    _cap_edges,
    _check_count,
    _community_colors,
    _edge_items,
    _edge_legend,
    _finish,
    _fmt,
    _layout_note,
    _membership,
    _options,
    _received_rows,
    _scores,
    _seed,
    _sizes,
)
from ._viz_views import cascade_view, communities_view

__all__ = ["View", "influencers_view", "communities_view", "ego_view", "cascade_view",
           "VIEW_KINDS", "MEASURE_NAMES", "PHYSICS_LIMIT", "DEFAULT_TOP",
           "DEFAULT_TOP_COMMUNITIES", "DEFAULT_MAX_EDGES"]

for _obj in (View, communities_view, cascade_view):  # documented here, defined privately
    _obj.__module__ = __name__


# --------------------------------------------------------------------------- influencers
def influencers_view(graph, ranking=None, *, top: int = DEFAULT_TOP, by: str = "pagerank",
                     communities=None, rng=None, max_edges: int = DEFAULT_MAX_EDGES,
                     physics_limit: int = PHYSICS_LIMIT, sources=()) -> View:
    """The top users by a score and the edges among them.

    Parameters
    ----------
    graph : SocialGraph
        The interaction graph.
    ranking : pandas.DataFrame or array of float, optional
        A Ranking (what :func:`graphkit.rank` returns: ``user`` and ``score`` columns,
        best first) or a score per user aligned with ``graph.node_ids``. Computed with
        ``by`` when omitted.
    top : int, optional
        How many users to show (default 300).
    by : str, optional
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
    import pandas as pd

    from .communities import detect_communities
    from .graph import SocialGraph

    top = _check_count("top", top)
    max_edges = _check_count("max_edges", max_edges)
    seed = _seed(rng)
    measure = by
    ranking_rows = None
    if ranking is None:
        from .rank import rank

        sampled = {"samples": 1000} if by == "betweenness" and graph.n_nodes > 1000 else {}
        ranking = rank(graph, by=by, top=top, rng=seed, **sampled)
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

    if communities is not None:
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
    colors, comm_items = _community_colors(labels)

    xy = _lay.layout(n, src, dst, graph.weight[eid], seed=seed)
    sizes = _sizes(score)
    received = _received_rows(graph, pos, ranking_rows)
    ids = graph.node_ids
    nodes = []
    for i in range(n):
        uid = str(ids[pos[i]])
        c = int(labels[i])
        rows = [("rank", f"{rank_no[i]:,} by {mname}"), ("score", _fmt(score[i])),
                ("community", str(c) if c >= 0 else "none")]
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
    legend = [{"title": "Node colour: community", "items": comm_items}, _edge_legend(graph, eid)]
    details = {"users": graph.n_nodes, "edges": graph.n_edges, "users_shown": n,
               "edges_shown": int(eid.size), "edges_among_shown": n_induced,
               "measure": measure, "communities": comm_note, "seed": seed,
               "physics": n <= physics_limit}
    return _finish("influencers", f"Top {n:,} influencers by {mname}", shown, notes, nodes, edges,
                   _options(n, seed, physics_limit=physics_limit), legend, sources, details)


# --------------------------------------------------------------------------- ego
def ego_view(graph, user, *, radius: int = 1, top: int = DEFAULT_TOP, scores=None,
             by: str = "pagerank", rng=None, max_edges: int = DEFAULT_MAX_EDGES,
             physics_limit: int = PHYSICS_LIMIT, sources=()) -> View:
    """A user's neighbourhood: everyone within ``radius`` hops, in either direction.

    Parameters
    ----------
    graph : SocialGraph
    user : str
        The centre. An unknown id raises :class:`~graphkit.errors.UnknownUserError`.
    radius : int, optional
        Hops (default 1). An edge counts in both directions (who the user acted on and
        who acted on the user).
    top : int, optional
        Most users shown, the centre included (default 300). When more are within
        reach, each hop keeps its best-scoring users among the neighbours of the users
        kept one hop closer, so the view stays connected.
    scores : array of float, optional
        Score per user (``by`` when omitted); sets node size and the cap's choice.
    by : str, optional
        The measure for ``scores`` (default PageRank).
    rng : int, numpy.random.Generator or None, optional
        Seed of the layout.

    Returns
    -------
    View
        Colour = hop distance (the centre red), size = score.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("b", "a"), ("a", "c"), ("c", "d"), ("e", "f")])
    >>> v = gk.ego_view(g, "a", radius=1, rng=1)
    >>> sorted(n["uid"] for n in v.nodes)
    ['a', 'b', 'c']
    """
    top = _check_count("top", top)
    radius = _check_count("radius", radius, minimum=0)
    max_edges = _check_count("max_edges", max_edges)
    seed = _seed(rng)
    center = int(_lay.positions_of(graph, [user])[0])
    score = _scores(graph, by, seed) if scores is None else np.asarray(scores, dtype=np.float64)
    if score.shape != (graph.n_nodes,):
        raise ValueError(f"scores must have one value per user ({graph.n_nodes})")
    pos, hops, within = _lay.ego_positions(graph, center, radius, top, score)
    n = len(pos)
    src, dst, eid = _lay.induced_edges(graph, pos)
    n_induced = int(eid.size)
    keep = _cap_edges(graph, eid, max_edges)
    src, dst, eid = src[keep], dst[keep], eid[keep]
    xy = _lay.layout(n, src, dst, graph.weight[eid], seed=seed)
    sizes = _sizes(score[pos])
    mname = MEASURE_NAMES.get(by, by)
    ids = graph.node_ids
    nodes = []
    for i in range(n):
        uid = str(ids[pos[i]])
        h = int(hops[i])
        color = _HOP_COLORS[min(h, len(_HOP_COLORS) - 1)]
        rows = [("hops from the centre", str(h)), (mname, _fmt(score[pos[i]]))]
        item = {"id": i, "uid": uid, "label": label_text(uid), "shape": "dot",
                "x": float(xy[i, 0]), "y": float(xy[i, 1]), "size": float(sizes[i]),
                "color": color, "tip": tip(uid, rows)}
        if h == 0:
            item.update(borderWidth=3, size=max(float(sizes[i]), 24.0), font={"size": 16})
        nodes.append(item)
    edges = _edge_items(graph, pos, src, dst, eid, type_color=_lay.type_colors(graph.types))
    hop_word = "hop" if radius == 1 else "hops"
    shown = (f"{ids[center]} and {n - 1:,} of the {within - 1:,} users within {radius} {hop_word} "
             f"(both directions), {eid.size:,} of {graph.n_edges:,} edges")
    notes = [f"colour = hops from the centre; size = {mname} score; arrows point from the actor "
             "to the user acted on"]
    if within > n:
        notes.append(f"not shown: {within - n:,} users within {radius} {hop_word}; at most "
                     f"{top:,} users are drawn, in each hop the best-scoring by {mname}")
    if n_induced > eid.size:
        notes.append(f"not shown: the {n_induced - eid.size:,} lightest of the {n_induced:,} edges "
                     f"among the shown users (at most {max_edges:,} are drawn)")
    notes.append(_layout_note(n, seed, physics_limit))
    present = sorted(set(int(h) for h in hops))
    legend = [{"title": "Node colour: hops from the centre", "items": [
        {"label": "centre" if h == 0 else f"{h} {'hop' if h == 1 else 'hops'}",
         "color": _HOP_COLORS[min(h, len(_HOP_COLORS) - 1)], "kind": "node"} for h in present]},
        _edge_legend(graph, eid)]
    details = {"users": graph.n_nodes, "edges": graph.n_edges, "users_shown": n,
               "edges_shown": int(eid.size), "within_radius": within, "radius": radius,
               "center": str(ids[center]), "seed": seed}
    return _finish("ego", f"Ego network of {ids[center]}", shown, notes, nodes, edges,
                   _options(n, seed, physics_limit=physics_limit), legend, sources, details)
