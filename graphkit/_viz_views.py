"""The community-map and cascade views (private; documented and re-exported by
:mod:`graphkit.viz`)."""

from __future__ import annotations

import math

import numpy as np

from . import _viz_layout as _lay
from ._viz_html import label_text, tip
from ._viz_parts import (
    _SEED_BORDER,
    DEFAULT_MAX_EDGES,
    DEFAULT_TOP,
    DEFAULT_TOP_COMMUNITIES,
    MEASURE_NAMES,
    PHYSICS_LIMIT,
    View,
    _cap_edges,
    _check_count,
    _edge_items,
    _finish,
    _layout_note,
    _membership,
    _options,
    _plural,
    _scores,
    _seed,
    _sizes,
    _type_counts_text,
)

__all__ = ["communities_view", "cascade_view"]


# --------------------------------------------------------------------------- communities
def communities_view(graph, partition=None, *, top: int = DEFAULT_TOP_COMMUNITIES, scores=None,
                     by: str = "pagerank", members: int = 5, rng=None,
                     physics_limit: int = PHYSICS_LIMIT, sources=()) -> View:
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
        Score per user for the tooltips' top members (``by`` when omitted).
    by : str, optional
        The measure for ``scores`` (default PageRank).
    members : int, optional
        Top members listed per community (default 5).
    rng : int, numpy.random.Generator or None, optional
        Seed of Leiden (when it runs) and of the layout.

    Returns
    -------
    View
        Bubble size = members (area), link width = interactions between the two
        communities (both directions), tooltips with size, internal interactions, the
        main interaction type and the top members.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("a", "b"), ("b", "c"), ("c", "a"),
    ...                                ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")])
    >>> v = gk.communities_view(g, rng=7)
    >>> v.n_nodes, v.n_edges
    (2, 1)
    """
    from ._communities import id_ordinal
    from .communities import detect_communities

    top = _check_count("top", top)
    members = _check_count("members", members, minimum=0)
    seed = _seed(rng)
    if partition is None:
        partition = detect_communities(graph, "leiden", rng=seed)
        comm_source = f"Leiden communities of the whole graph (seed {seed})"
    else:
        comm_source = None
    memb, source_phrase = _membership(graph, partition)
    comm_source = comm_source or source_phrase
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
    ordinal = id_ordinal(graph)
    cand = np.flatnonzero(local >= 0)
    order = np.lexsort((ordinal[cand], -score[cand], local[cand]))
    cand = cand[order]
    starts = np.searchsorted(local[cand], np.arange(k))
    ids = graph.node_ids

    xy = _lay.layout(k, pair_keys // k if k else [], pair_keys % k if k else [], total, seed=seed,
                     spacing=160.0)
    bubble = _sizes(shown_sizes.astype(np.float64), low=12.0, high=60.0)
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
        color = _lay.CATEGORICAL[i] if i < len(_lay.CATEGORICAL) else _lay.OTHER_COLOR
        nodes.append({"id": i, "label": f"community {c}", "shape": "dot",
                      "x": float(xy[i, 0]), "y": float(xy[i, 1]), "size": float(bubble[i]),
                      "color": color, "tip": tip(f"community {c}", rows),
                      "font": {"size": 15}})
    widths = np.round(np.minimum(1.0 + 1.2 * np.log1p(total / max(float(total.max(initial=1)), 1.0) * 50), 12.0), 2)
    edges = []
    for j in range(pair_keys.size):
        u, v = int(pair_keys[j] // k), int(pair_keys[j] % k)
        cu, cv = int(shown_c[u]), int(shown_c[v])
        text = tip(f"community {cu} \u2194 community {cv}",
                   [("interactions", f"{int(total[j]):,}"),
                    (f"{cu} \u2192 {cv}", f"{int(fwd[j]):,}"),
                    (f"{cv} \u2192 {cu}", f"{int(total[j] - fwd[j]):,}")])
        edges.append({"from": u, "to": v, "width": float(widths[j]), "tip": text,
                      "arrows": {"to": {"enabled": False}},
                      "color": {"color": "#8a9bb0", "opacity": 0.55}})

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
    notes.append(_layout_note(k, seed, physics_limit))
    legend = [{"title": "Bubbles", "items": [
        {"label": f"community {int(shown_c[i])} ({int(shown_sizes[i]):,} users)",
         "color": _lay.CATEGORICAL[i], "kind": "node"} for i in range(min(k, len(_lay.CATEGORICAL)))]
        + ([{"label": f"{k - len(_lay.CATEGORICAL):,} more communities", "color": _lay.OTHER_COLOR,
             "kind": "node"}] if k > len(_lay.CATEGORICAL) else [])}]
    opts = _options(k, seed, physics_limit=physics_limit, arrows=False, spread=3.0)
    details = {"users": graph.n_nodes, "edges": graph.n_edges, "communities": n_comm,
               "communities_shown": k, "users_covered": covered, "links_shown": len(edges),
               "links": links_all, "seed": seed, "source": comm_source}
    return _finish("communities", f"Community map: {_plural(n_comm, 'community', 'communities')}",
                   shown, notes, nodes, edges, opts, legend, sources, details)


def _count_cross_pairs(memb, graph) -> int:
    """Distinct unordered pairs of (assigned) communities linked by at least one edge."""
    _, dense = np.unique(memb, return_inverse=True)  # labels 0..c-1 (-1 first when present)
    dense = dense.reshape(-1).astype(np.int64)
    dense[memb < 0] = -1
    a = dense[graph.sources()]
    b = dense[graph.indices]
    ok = (a >= 0) & (b >= 0) & (a != b)
    if not ok.any():
        return 0
    lo, hi = np.minimum(a[ok], b[ok]), np.maximum(a[ok], b[ok])
    return int(np.unique(lo * (int(dense.max()) + 1) + hi).size)


# --------------------------------------------------------------------------- cascade
def cascade_view(graph, seeds=None, *, estimate=None, influence=None, model: str = "ic",
                 prob="wc", runs: int = 2000, top: int = DEFAULT_TOP, rng=None, edges=None,
                 type_probs=None, max_edges: int = DEFAULT_MAX_EDGES,
                 physics_limit: int = PHYSICS_LIMIT, sources=()) -> View:
    """Seed users and the users a cascade from them most likely reaches.

    Parameters
    ----------
    graph : SocialGraph
    seeds : iterable of str, optional
        Seed users (needed unless ``estimate`` is given). Unknown ids raise
        :class:`~graphkit.errors.UnknownUserError`.
    estimate : SpreadEstimate, optional
        A simulation of ``graph`` to show; simulated here when omitted.
    influence : InfluenceGraph, optional
        The influence graph (built from ``prob`` when omitted); its edge probabilities
        set the width of the arcs.
    model : {"ic", "lt"}, optional
    prob : str, optional
        Probability model (default ``"wc"``; see :func:`graphkit.influence_graph`).
    runs : int, optional
        Simulated cascades (default 2,000: enough for colours; use ``graphkit
        simulate`` for tight confidence intervals).
    top : int, optional
        Reached users shown besides the seeds (default 300), the most likely first.
    rng : int, numpy.random.Generator or None, optional
        Seed of the simulation and the layout.
    edges, type_probs
        Passed to :func:`graphkit.influence_graph` (``column:NAME``, ``typed``).

    Returns
    -------
    View
        Seeds are red-bordered stars; colour = activation probability (viridis);
        arcs point the way influence flows (from the user acted on to the actor).

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("b", "a"), ("c", "a"), ("d", "c")])
    >>> v = gk.cascade_view(g, ["a"], runs=500, rng=3)   # wc: every p = 1
    >>> sorted(n["uid"] for n in v.nodes), v.details["expected_reach"]
    (['a', 'b', 'c', 'd'], 4.0)
    """
    from .diffusion import simulate
    from .weighting import influence_graph

    top = _check_count("top", top, minimum=0)
    max_edges = _check_count("max_edges", max_edges)
    seed = _seed(rng)
    if influence is None:
        influence = influence_graph(graph, prob, edges=edges, type_probs=type_probs,
                                    rng=np.random.default_rng([2, seed]))
    if influence.n_nodes != graph.n_nodes:
        raise ValueError("the influence graph is of another graph (its size differs)")
    if estimate is None:
        if seeds is None:
            raise ValueError("give the seed users (or a SpreadEstimate)")
        estimate = simulate(influence, list(seeds), model, runs=_check_count("runs", runs), rng=seed)
    p = np.asarray(estimate.activation_probability, dtype=np.float64)
    if p.shape != (graph.n_nodes,):
        raise ValueError("the estimate is of another graph (its size differs)")
    seed_pos = _lay.positions_of(graph, list(estimate.seeds))
    rest = p.copy()
    rest[seed_pos] = -1.0
    n_reached = int((rest > 0).sum())
    reached = _lay.top_positions(graph.node_ids, rest, min(top, n_reached))
    pos = np.concatenate([seed_pos, reached]).astype(np.int64)
    n, k = len(pos), len(seed_pos)
    src, dst, eid = _lay.induced_edges(graph, pos)
    n_induced = int(eid.size)
    keep = _cap_edges(graph, eid, max_edges)
    src, dst, eid = src[keep], dst[keep], eid[keep]
    xy = _lay.layout(n, src, dst, graph.weight[eid], seed=seed)
    ids = graph.node_ids
    runs_done = int(estimate.runs)
    nodes = []
    for i in range(n):
        uid = str(ids[pos[i]])
        pi = float(p[pos[i]])
        if i < k:
            rows = [("", f"seed (active at step 0 in all {runs_done:,} runs)")]
            item = {"shape": "star", "size": 26.0, "borderWidth": 3,
                    "color": {"background": _lay.sequential_color(1.0), "border": _SEED_BORDER}}
        else:
            rows = [("reached in", f"{pi:.1%} of {runs_done:,} runs")]
            item = {"shape": "dot", "size": float(round(8.0 + 22.0 * math.sqrt(pi), 1)),
                    "color": _lay.sequential_color(pi)}
        item.update(id=i, uid=uid, label=label_text(uid), x=float(xy[i, 0]), y=float(xy[i, 1]),
                    tip=tip(uid, rows))
        nodes.append(item)
    p_edge = influence.in_prob[eid] if eid.size else np.zeros(0)
    widths = np.round(1.0 + 5.0 * np.sqrt(p_edge), 2)

    def edge_tip(j, a, b, e):
        return tip(f"{b} \u2192 {a}", [("", f"{b}'s posts reach {a} with probability "
                                            f"{float(p_edge[j]):.3g} ({a} acted on {b}: "
                                            f"{_type_counts_text(graph, e)})")])

    edge_items = _edge_items(graph, pos, src, dst, eid, type_color=_lay.type_colors(graph.types),
                             width_by=widths, reverse=True, tip_fn=edge_tip)
    for item in edge_items:
        item["color"] = {"color": "#7b8794", "opacity": 0.6}
    shown = (f"{_plural(k, 'seed')} and the {n - k:,} users most likely reached, of "
             f"{graph.n_nodes:,} users; {eid.size:,} of {graph.n_edges:,} edges")
    notes = [f"expected reach {estimate.mean:,.1f} users (95% CI {estimate.ci_low:,.1f} .. "
             f"{estimate.ci_high:,.1f}; seeds included) from {runs_done:,} simulated "
             f"{str(estimate.model).upper()} cascades, probabilities {estimate.prob}",
             "colour = chance of being reached; stars = seeds; arcs point the way influence "
             "flows (from the user acted on to the actor), width = edge probability"]
    if n_reached > n - k:
        notes.append(f"not shown: {n_reached - (n - k):,} more users reached with a lower "
                     "probability")
    if n_induced > eid.size:
        notes.append(f"not shown: the {n_induced - eid.size:,} lightest of the {n_induced:,} edges "
                     f"among the shown users (at most {max_edges:,} are drawn)")
    notes.append(_layout_note(n, seed, physics_limit))
    legend = [{"title": "Node colour: chance of being reached", "gradient": list(_lay.SEQUENTIAL_STOPS),
               "low": "0%", "high": "100%",
               "items": [{"label": "seed", "color": _lay.sequential_color(1.0), "kind": "star"}]}]
    details = {"users": graph.n_nodes, "edges": graph.n_edges, "users_shown": n, "seeds": k,
               "edges_shown": int(eid.size), "reached": n_reached, "runs": runs_done,
               "expected_reach": float(estimate.mean), "seed": seed}
    return _finish("cascade", f"Cascade from {_plural(k, 'seed')}", shown, notes, nodes,
                   edge_items, _options(n, seed, physics_limit=physics_limit), legend, sources,
                   details)
