"""The ego view: one user and everyone within a few hops, both directions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._checks import check_count, renamed_keyword
from .._rng import int_seed
from . import _layout as _lay
from ._html import label_text, tip
from ._parts import (
    _cap_edges,
    _edge_items,
    _edge_legend,
    _finish,
    _fmt,
    _layout_note,
    _options,
    _scores,
    _sizes,
)
from .view import (
    _HOP_COLORS,
    DEFAULT_MAX_EDGES,
    DEFAULT_TOP,
    MEASURE_NAMES,
    PHYSICS_LIMIT,
    View,
)

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike

__all__ = ["ego_view"]


def ego_view(graph, user, *, radius: int = 1, top: int = DEFAULT_TOP, scores=None,
             method: str = "pagerank", rng: RngLike = None, max_edges: int = DEFAULT_MAX_EDGES,
             physics_limit: int = PHYSICS_LIMIT, sources=(), by: str | None = None) -> View:
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
    by = renamed_keyword(method, by, "by", "method", "ego_view")
    top = check_count("top", top)
    radius = check_count("radius", radius, minimum=0)
    max_edges = check_count("max_edges", max_edges)
    seed = int_seed(rng)
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
