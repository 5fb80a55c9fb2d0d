"""The cascade view: seed users and the users a simulated cascade most likely reaches."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .._checks import check_count
from .._rng import int_seed
from . import _colors
from . import _layout as _lay
from . import _select as _sel
from ._html import tip
from ._parts import (
    DEFAULT_LABELS,
    _cap_edges,
    _edge_items,
    _edge_legend,
    _finish,
    _layout_note,
    _meta,
    _node,
    _options,
    _pin_rings,
    _plural,
)
from .view import (
    _SEED_BORDER,
    DEFAULT_MAX_EDGES,
    DEFAULT_TOP,
    PHYSICS_LIMIT,
    View,
)

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike

__all__ = ["cascade_view"]


def cascade_view(graph, seeds=None, *, estimate=None, influence=None, model: str = "ic",
                 prob="wc", runs: int = 2000, top: int = DEFAULT_TOP, rng: RngLike = None, edges=None,
                 type_probs=None, max_edges: int = DEFAULT_MAX_EDGES, labels: int = DEFAULT_LABELS,
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
    labels : int, optional
        Users whose names are drawn at the default zoom: the seeds, then the most
        likely reached (default 30).

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
    from ..diffusion import simulate
    from ..weighting import influence_graph

    top = check_count("top", top, minimum=0)
    labels = check_count("labels", labels, minimum=0)
    max_edges = check_count("max_edges", max_edges)
    seed = int_seed(rng)
    if influence is None:
        influence = influence_graph(graph, prob, edges=edges, type_probs=type_probs,
                                    rng=np.random.default_rng([2, seed]))
    if influence.n_nodes != graph.n_nodes:
        raise ValueError("the influence graph is of another graph (its size differs)")
    if estimate is None:
        if seeds is None:
            raise ValueError("give the seed users (or a SpreadEstimate)")
        estimate = simulate(influence, list(seeds), model, runs=check_count("runs", runs), rng=seed)
    p = np.asarray(estimate.activation_probability, dtype=np.float64)
    if p.shape != (graph.n_nodes,):
        raise ValueError("the estimate is of another graph (its size differs)")
    seed_pos = _sel.positions_of(graph, list(estimate.seeds))
    rest = p.copy()
    rest[seed_pos] = -1.0
    n_reached = int((rest > 0).sum())
    reached = _sel.top_positions(graph.node_ids, rest, min(top, n_reached))
    pos = np.concatenate([seed_pos, reached]).astype(np.int64)
    n, k = len(pos), len(seed_pos)
    src, dst, eid = _sel.induced_edges(graph, pos)
    n_induced = int(eid.size)
    keep = _cap_edges(graph, eid, max_edges)
    src, dst, eid = src[keep], dst[keep], eid[keep]
    sizes = np.array([46.0 if i < k else round(8.0 + 22.0 * math.sqrt(float(p[pos[i]])), 1)
                      for i in range(n)])
    placement = _lay.layout(n, src, dst, graph.weight[eid], seed=seed, sizes=sizes)
    ids = graph.node_ids
    runs_done = int(estimate.runs)
    nodes = []
    for i in range(n):
        uid = str(ids[pos[i]])
        pi = float(p[pos[i]])
        if i < k:
            rows = [("", f"seed (active at step 0 in all {runs_done:,} runs)")]
            color = {"background": _colors.sequential_color(1.0), "border": _SEED_BORDER}
            extra = {"shape": "star", "borderWidth": 1.5}
        else:
            rows = [("reached in", f"{pi:.1%} of {runs_done:,} runs")]
            color, extra = _colors.sequential_color(pi), {}
        nodes.append(_node(i, uid, placement.xy[i], sizes[i], color, tip(uid, rows), pi, i,
                           **extra))
    p_edge = influence.in_prob[eid] if eid.size else np.zeros(0)
    widths = np.round(1.0 + 5.0 * np.sqrt(p_edge), 2)

    edge_items = _edge_items(graph, pos, src, dst, eid, width_by=widths, reverse=True,
                             color="#7b8794", extra=lambda j: {"p": float(f"{p_edge[j]:.4g}")})
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
    notes.append(_layout_note(n, seed, physics_limit, placement))
    legend = [{"title": "Node colour: chance of being reached",
               "gradient": list(_colors.SEQUENTIAL_STOPS), "low": "0%", "high": "100%",
               "items": [{"label": "seed", "color": _colors.sequential_color(1.0), "kind": "star",
                          "border": _SEED_BORDER}]},
              _edge_legend(graph, eid, title="Interactions behind the arcs")]
    for item in (legend[1] or {}).get("items", []):  # arcs are drawn grey, whatever the type
        item["color"] = "#7b8794"
    meta = _meta(graph, edge_items, score="chance of being reached", labels=labels,
                 words={"out": "{u} reaches", "in": "reach {u}"}, isolated=placement.n_isolated,
                 edge_tip="influence")
    details = {"users": graph.n_nodes, "edges": graph.n_edges, "users_shown": n, "seeds": k,
               "edges_shown": int(eid.size), "reached": n_reached, "runs": runs_done,
               "expected_reach": float(estimate.mean), "seed": seed}
    opts = _options(n, seed, physics=n <= physics_limit, n_edges=len(edge_items))
    _pin_rings(nodes, placement, opts)
    return _finish("cascade", f"Cascade from {_plural(k, 'seed')}", shown, notes, nodes,
                   edge_items, opts,
                   legend, sources, details, meta)
