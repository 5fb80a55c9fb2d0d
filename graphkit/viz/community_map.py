"""The community map: one bubble per community, links weighted by the interactions between them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._checks import check_count, renamed_keyword
from .._rng import int_seed
from . import _colors
from . import _layout as _lay
from ._html import tip
from ._parts import (
    DEFAULT_LABELS,
    _count_cross_pairs,
    _finish,
    _group_legend,
    _layout_note,
    _meta,
    _num,
    _options,
    _pin_rings,
    _plural,
    _scores,
    _sizes,
)
from .view import (
    DEFAULT_TOP_COMMUNITIES,
    MEASURE_NAMES,
    PHYSICS_LIMIT,
    View,
)

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike

__all__ = ["communities_view"]


def communities_view(graph, partition=None, *, top: int = DEFAULT_TOP_COMMUNITIES, scores=None,
                     method: str = "pagerank", members: int = 5, labels: int = DEFAULT_LABELS,
                     rng: RngLike = None,
                     physics_limit: int = PHYSICS_LIMIT, sources=(), by: str | None = None) -> View:
    """The community map: one bubble per community, links between communities.

    Parameters
    ----------
    graph : SocialGraph
    partition : Partition, DataFrame, path or array, optional
        The communities (see :func:`influencers_view`); Leiden on the whole graph
        (seeded by ``rng``) when omitted.
    top : int, optional
        Most communities drawn, the largest first (default 100); the header says how
        many communities and users were left out.
    scores : array of float, optional
        Score per user for the tooltips' top members (``method`` when omitted).
    method : str, optional
        The measure for ``scores`` (default PageRank).
    members : int, optional
        Top members listed per community (default 5).
    labels : int, optional
        Bubbles named at the default zoom, the largest first (default 30).
    rng : int, numpy.random.Generator or None, optional
        Seed of Leiden (when it runs) and of the layout.

    Returns
    -------
    View
        Bubble size = members (area), colour = :func:`graphkit.viz.category_color` of
        the community's number (as in every other view), link width = interactions
        between the two communities (both directions), tooltips with size, internal
        interactions, the main interaction type and the top members.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("a", "b"), ("b", "c"), ("c", "a"),
    ...                                ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")])
    >>> v = gk.communities_view(g, rng=7)
    >>> v.n_nodes, v.n_edges
    (2, 1)
    """
    by = renamed_keyword(method, by, "by", "method", "communities_view")
    from ..communities import detect_communities
    from ..graph import id_order

    top = check_count("top", top)
    members = check_count("members", members, minimum=0)
    labels = check_count("labels", labels, minimum=0)
    seed = int_seed(rng)
    if partition is None:
        partition = detect_communities(graph, "leiden", rng=seed)
        comm_source = f"Leiden communities of the whole graph (seed {seed})"
    else:
        comm_source = None
    cats = _colors.categories_from(graph, partition)
    memb = cats.codes
    comm_source = comm_source or cats.source
    if hasattr(partition, "modularity"):
        comm_source += f", modularity {partition.modularity:.4f}"
    score = _scores(graph, by, seed) if scores is None else np.asarray(scores, dtype=np.float64)
    if score.shape != (graph.n_nodes,):
        raise ValueError(f"scores must have one value per user ({graph.n_nodes})")

    assigned = memb >= 0
    values, inverse, sizes = np.unique(memb[assigned], return_inverse=True, return_counts=True)
    order = np.lexsort((values, -sizes))  # largest first, then label
    rank_of = np.empty(values.size, dtype=np.int64)
    rank_of[order] = np.arange(values.size)
    values, sizes = values[order], sizes[order]
    n_comm = int(values.size)
    shown_c = values[:top]
    shown_sizes = sizes[:top]
    k = int(shown_c.size)
    # local bubble of every user: its community's size rank if shown, else -1 (labels may
    # be any non-negative ints from a file, so no array indexed by label is built)
    local = np.full(graph.n_nodes, -1, dtype=np.int64)
    r = rank_of[inverse]
    local[np.flatnonzero(assigned)] = np.where(r < k, r, -1)

    src_c = local[graph.sources()]
    dst_c = local[graph.indices]
    inter = graph.counts.sum(axis=1).astype(np.int64)
    both = (src_c >= 0) & (dst_c >= 0)
    inside = both & (src_c == dst_c)
    internal = np.bincount(src_c[inside], weights=inter[inside], minlength=k).astype(np.int64)
    tc = np.zeros((k, len(graph.types)), dtype=np.int64)
    for j in range(len(graph.types)):
        tc[:, j] = np.bincount(src_c[inside], weights=graph.counts[inside, j], minlength=k)
    cross = both & (src_c != dst_c)
    a, b = src_c[cross], dst_c[cross]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = lo * k + hi
    pair_keys, inv = np.unique(key, return_inverse=True)
    total = np.bincount(inv, weights=inter[cross]).astype(np.int64)
    fwd = np.bincount(inv, weights=np.where(a == lo, inter[cross], 0)).astype(np.int64)

    # top members per shown community: score descending, then id
    ordinal = id_order(graph)
    cand = np.flatnonzero(local >= 0)
    order = np.lexsort((ordinal[cand], -score[cand], local[cand]))
    cand = cand[order]
    starts = np.searchsorted(local[cand], np.arange(k))
    ids = graph.node_ids

    bubble = _sizes(shown_sizes.astype(np.float64), low=12.0, high=60.0)
    placement = _lay.layout(k, pair_keys // k if k else [], pair_keys % k if k else [], total,
                            seed=seed, spacing=160.0, sizes=bubble)
    legend_group, row = _group_legend(cats, shown_c, title="Bubble colour: community")
    for item in legend_group["items"]:  # bubbles: say how many users, not how many shown
        if item["code"] is not None:
            i = int(np.flatnonzero(shown_c == item["code"])[0])
            item["label"] = f"{cats.name(item['code'])} ({int(shown_sizes[i]):,} users)"
        else:
            item["label"] = item["label"].replace(" shown)", " communities)")
    nodes = []
    for i in range(k):
        c = int(shown_c[i])
        top_ids = [str(ids[p]) for p in cand[starts[i]: starts[i] + members]]
        dom = graph.types[int(tc[i].argmax())] if tc[i].sum() > 0 else "none"
        rows = [("users", f"{int(shown_sizes[i]):,}"),
                ("interactions inside", f"{int(internal[i]):,}"),
                ("main interaction", dom)]
        if top_ids:
            rows.append((f"top members by {MEASURE_NAMES.get(by, by)}", ", ".join(top_ids)))
        nodes.append({"id": i, "label": cats.name(c), "shape": "dot",
                      "x": float(placement.xy[i, 0]), "y": float(placement.xy[i, 1]),
                      "size": float(bubble[i]), "color": _colors.category_color(c),
                      "tip": tip(cats.name(c), rows), "s": int(shown_sizes[i]), "r": i,
                      "gi": int(row[i])})
    widths = np.round(np.minimum(1.0 + 1.2 * np.log1p(total / max(float(total.max(initial=1)), 1.0) * 50), 12.0), 2)
    edges = []
    for j in range(pair_keys.size):
        u, v = int(pair_keys[j] // k), int(pair_keys[j] % k)
        cu, cv = int(shown_c[u]), int(shown_c[v])
        text = tip(f"{cats.name(cu)} \u2194 {cats.name(cv)}",
                   [("interactions", f"{int(total[j]):,}"),
                    (f"{cu} \u2192 {cv}", f"{int(fwd[j]):,}"),
                    (f"{cv} \u2192 {cu}", f"{int(total[j] - fwd[j]):,}")])
        edges.append({"from": u, "to": v, "width": float(widths[j]), "tip": text,
                      "arrows": {"to": {"enabled": False}},
                      "color": {"color": "#8a9bb0", "opacity": 0.55}, "w": _num(total[j])})

    covered = int(shown_sizes.sum())
    links_all = _count_cross_pairs(memb, graph)
    shown = (f"{k:,} of {n_comm:,} communities ({covered:,} of {graph.n_nodes:,} users), "
             f"{len(edges):,} of {links_all:,} links between communities")
    notes = [f"bubble size = members; link width = interactions between the two communities; "
             f"communities: {comm_source}"]
    left = []
    if n_comm > k:
        left.append(f"the {n_comm - k:,} smallest communities ({int(sizes[k:].sum()):,} users)")
    unassigned = int((~assigned).sum())
    if unassigned:
        left.append(f"{unassigned:,} users without a community")
    if left:
        notes.append("not shown: " + "; ".join(left))
    notes.append(_layout_note(k, seed, physics_limit, placement, ("community", "communities")))
    legend = [legend_group]
    opts = _options(k, seed, physics=k <= physics_limit, arrows=False, n_edges=len(edges))
    opts["physics"].get("forceAtlas2Based", {}).update(gravitationalConstant=-120,
                                                       springLength=240, avoidOverlap=1.0)
    _pin_rings(nodes, placement, opts)
    meta = _meta(graph, edges, score="users", labels=labels,
                 words={"out": "linked to {u}", "in": "linked to {u}"})
    meta["types"], meta["type_colors"], meta["nouns"] = [], [], ["communities", "links"]
    details = {"users": graph.n_nodes, "edges": graph.n_edges, "communities": n_comm,
               "communities_shown": k, "users_covered": covered, "links_shown": len(edges),
               "links": links_all, "seed": seed, "source": comm_source}
    return _finish("communities", f"Community map: {_plural(n_comm, 'community', 'communities')}",
                   shown, notes, nodes, edges, opts, legend, sources, details, meta)
