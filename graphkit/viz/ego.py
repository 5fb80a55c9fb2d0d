"""The ego view: one user and everyone within a few hops, both directions."""

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
    _meta,
    _node,
    _options,
    _scores,
    _sizes,
    _type_counts_text,
)
from .view import (
    DEFAULT_MAX_EDGES,
    DEFAULT_TOP,
    MEASURE_NAMES,
    View,
)

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike

__all__ = ["ego_view"]
_CENTRE_BORDER = "#1f2933"


def _counts_text(graph, row) -> str:
    parts = [f"{int(c):,} {t}" for t, c in zip(graph.types, row) if c]
    return ", ".join(parts) or "none"


def ego_view(graph, user, *, radius: int = 1, top: int = DEFAULT_TOP, scores=None,
             method: str = "pagerank", communities=None, color_by=None, edges=None,
             labels: int = DEFAULT_LABELS, rng: RngLike = None,
             max_edges: int = DEFAULT_MAX_EDGES, physics_limit: int | None = None, sources=(),
             by: str | None = None) -> View:
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
        Score per user (``method`` when omitted); sets node size and the cap's choice.
    method : str, optional
        The measure for ``scores`` (default PageRank).
    communities, color_by : optional
        What colours the users, as for :func:`influencers_view` (default: Leiden on
        the shown users).
    edges : EdgeTable, optional
        The table the graph was built from: with timestamps, the page gets a time slider.
    labels : int, optional
        Users whose names are drawn at the default zoom besides the centre (default 30).
    rng : int, numpy.random.Generator or None, optional
        Seed of Leiden (when it runs).
    physics_limit : optional
        Ignored: the radial layout is final (no physics), kept for compatibility.

    Returns
    -------
    View
        A radial layout: the centre in the middle, one ring per hop. Colour =
        community, size = score; tooltips give each user's interactions with the centre
        and with the shown users, per type and in both directions.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("b", "a"), ("a", "c"), ("c", "d"), ("e", "f")])
    >>> v = gk.ego_view(g, "a", radius=1, rng=1)
    >>> sorted(n["uid"] for n in v.nodes)
    ['a', 'b', 'c']
    """
    by = renamed_keyword(method, by, "by", "method", "ego_view")
    top = check_count("top", top)
    radius = check_count("radius", radius, minimum=0)
    labels = check_count("labels", labels, minimum=0)
    max_edges = check_count("max_edges", max_edges)
    seed = int_seed(rng)
    center = int(_sel.positions_of(graph, [user])[0])
    score = _scores(graph, by, seed) if scores is None else np.asarray(scores, dtype=np.float64)
    if score.shape != (graph.n_nodes,):
        raise ValueError(f"scores must have one value per user ({graph.n_nodes})")
    pos, hops, within = _sel.ego_positions(graph, center, radius, top, score)
    n = len(pos)
    src, dst, eid = _sel.induced_edges(graph, pos)
    n_induced = int(eid.size)
    keep = _cap_edges(graph, eid, max_edges)
    src, dst, eid = src[keep], dst[keep], eid[keep]
    comm, cats, comm_note = _colouring(graph, pos, src, dst, eid, communities, color_by, seed)
    legend_group, row = _group_legend(cats, cats.codes[pos])
    sizes = _sizes(score[pos])
    sizes[0] = max(float(sizes[0]), 24.0)
    xy = _lay.radial_layout(hops, src, dst, group=cats.codes[pos], sizes=sizes)
    mname = MEASURE_NAMES.get(by, by)
    ids = graph.node_ids
    cname = str(ids[center])
    # interactions with the centre (both directions) and with the shown users
    to_c = graph.find_edges(pos, np.full(n, center))
    from_c = graph.find_edges(np.full(n, center), pos)
    counts = graph.counts[eid].astype(np.int64)
    gave = np.zeros((n, len(graph.types)), dtype=np.int64)
    got = np.zeros_like(gave)
    np.add.at(gave, src, counts)
    np.add.at(got, dst, counts)
    nodes = []
    for i in range(n):
        uid = str(ids[pos[i]])
        h = int(hops[i])
        rows = [("hops from the centre", str(h)), (mname, _fmt(score[pos[i]])),
                (comm.title, comm.name(comm.codes[pos[i]]))]
        if cats is not comm:
            rows.append((cats.title, cats.name(cats.codes[pos[i]])))
        if h == 1:
            rows += [(f"acted on {cname}:", _type_counts_text(graph, int(to_c[i]))),
                     (f"{cname} acted on it:", _type_counts_text(graph, int(from_c[i])))]
        rows += [("acted on shown users:", _counts_text(graph, gave[i])),
                 ("acted on by shown users:", _counts_text(graph, got[i]))]
        color = legend_group["items"][row[i]]["color"]
        extra = {}
        if h == 0:
            color = {"background": color, "border": _CENTRE_BORDER}
            extra = {"borderWidth": 4}
        # rank: the centre first, then by score
        nodes.append(_node(i, uid, xy[i], sizes[i], color, tip(uid, rows), score[pos[i]], 0,
                           row[i], hop=h, **extra))
    order = np.lexsort((np.arange(1, n), -score[pos[1:]]))
    for r, i in enumerate(order.tolist(), start=1):
        nodes[i + 1]["r"] = r
    edge_items = _edge_items(graph, pos, src, dst, eid)
    hop_word = "hop" if radius == 1 else "hops"
    shown = (f"{cname} and {n - 1:,} of the {within - 1:,} users within {radius} {hop_word} "
             f"(both directions), {eid.size:,} of {graph.n_edges:,} edges")
    notes = [f"rings = hops from the centre (the centre in the middle); size = {mname} score; "
             f"{comm_note}; arrows point from the actor to the user acted on"]
    if within > n:
        notes.append(f"not shown: {within - n:,} users within {radius} {hop_word}; at most "
                     f"{top:,} users are drawn, in each hop the best-scoring by {mname}")
    if n_induced > eid.size:
        notes.append(f"not shown: the {n_induced - eid.size:,} lightest of the {n_induced:,} edges "
                     f"among the shown users (at most {max_edges:,} are drawn)")
    notes.append("layout: radial, one ring per hop; ring 1 grouped by colour, outer rings "
                 "ordered next to the users they are linked to")
    meta = _meta(graph, edge_items, score=mname, labels=labels)
    notes.append(_add_times(meta, edges, graph, pos, src, dst, nodes, edge_items))
    legend = [legend_group, _edge_legend(graph, eid)]
    details = {"users": graph.n_nodes, "edges": graph.n_edges, "users_shown": n,
               "edges_shown": int(eid.size), "within_radius": within, "radius": radius,
               "center": cname, "seed": seed}
    return _finish("ego", f"Ego network of {cname}", shown, notes, nodes, edge_items,
                   _options(n, seed, physics=False, n_edges=len(edge_items)), legend, sources,
                   details, meta)
