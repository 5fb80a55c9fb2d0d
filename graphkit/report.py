"""The one-page HTML report: data, influencers, communities, seeds and the community map.

:func:`build_report` runs (or takes) the ranking, the community detection and the seed
selection, and returns a :class:`Report` that renders to one self-contained page:

1. a summary of the data (:func:`graphkit.stats.graph_summary`);
2. the top influencers (PageRank) with the interactions they received;
3. the communities (Leiden), with their top members and bridges;
4. the recommended seeds (OPIM-C, graphkit's default), their expected reach re-estimated by independent
   simulation, the baselines under the same simulations, and the spread-vs-k curve of
   every method with 95% confidence bands, drawn by matplotlib as inline SVG (text kept
   as text, no font or image fetched);
5. the community map (:func:`graphkit.viz.communities_view`), interactive;
6. the user segments (:func:`graphkit.segments.segment_users`) with their profiles;
7. engagement per follower (:func:`graphkit.engagement.creator_engagement`) and a plot of
   engagement against single-seed reach, with the creators no other beats on both;
8. who to follow: the held-out test of the recommenders
   (:func:`graphkit.recommend.evaluate_recommendations`).

The page follows the rules of :mod:`graphkit.viz`: autoescaped template, vis-network
inlined, a Content-Security-Policy that allows only the page's own scripts, no request
of any kind.

Examples
--------
>>> import graphkit as gk, os, tempfile
>>> g = gk.SocialGraph.from_edges(gk.read_edges(["data/example.csv"]))
>>> rep = gk.build_report(g, k=2, rng=7, evaluate_runs=500)
>>> rep.selection.seeds
['alice', 'frank']
>>> path = rep.write(os.path.join(tempfile.mkdtemp(), "report.html"))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._progress import Progress, silent
from .io import write_text
from .viz import PALETTE, category_color, render_page

if TYPE_CHECKING:  # pragma: no cover
    from ._rng import RngLike

__all__ = ["Report", "build_report", "spread_curve_svg"]

#: Display names of the seed-selection methods in the report.
METHOD_NAMES = {"opim": "OPIM-C", "imm": "IMM", "celf": "CELF", "degree": "top in-degree", "pagerank": "top PageRank",
                "degree-discount": "degree discount", "random": "random"}
_CURVE_COLORS = {"opim": "#d62728", "imm": "#d62728", "celf": "#d62728", "degree": "#4e79a7", "pagerank": "#59a14f",
                 "degree-discount": "#f28e2b", "random": "#9c755f"}


@dataclass(frozen=True, eq=False)
class Report:
    """Everything the report page shows.

    Attributes
    ----------
    title : str
    sources : tuple of str
        Input file names (shown in the header).
    summary : dict
        :func:`graphkit.stats.graph_summary` of the graph.
    ranking : pandas.DataFrame
        The top influencers (a Ranking, :func:`graphkit.rank`).
    partition : Partition
        The communities.
    communities : pandas.DataFrame
        The partition's summary (first rows shown).
    selection : SeedSelection or None
        The recommended seeds (None when the graph is too small to pick any).
    curve_svg : str
        The spread-vs-k figure (inline SVG; empty without a selection).
    community_map : View
        The embedded interactive community map.
    details : dict
        Parameters: ``seed``, ``k``, ``epsilon``, ``evaluate_runs``, notes.
    marketing : dict
        Sections 6-8: ``segments``, ``engagement`` (rows, ``front``, ``svg``) and
        ``recommend`` (evaluation rows); each has a ``note``.
    """

    title: str
    sources: tuple
    summary: dict
    ranking: object
    partition: object
    communities: object
    selection: object
    curve_svg: str
    community_map: object
    details: dict = field(default_factory=dict)
    marketing: dict = field(default_factory=dict)

    def to_html(self) -> str:
        """The self-contained report page."""
        from markupsafe import Markup

        return render_page("report.html", title=self.title, network=self.community_map.payload(),
                           report=self, view=self.community_map, figure=Markup(self.curve_svg),
                           data_rows=_data_rows(self.summary), influencer_rows=self._influencers(),
                           community_rows=self._communities(), seed_rows=self._seeds(),
                           baseline_rows=self._baselines(), seed_text=self._seed_text(),
                           palette_size=len(PALETTE), market=self.marketing,
                           engagement_svg=Markup(self.marketing.get("engagement", {}).get("svg", "")))

    def write(self, path) -> str:
        """Write :meth:`to_html` to ``path`` atomically; returns the path."""
        return write_text(path, self.to_html())

    def _repr_html_(self) -> str:
        """Notebook display: a summary table, then the page in a sized, sandboxed iframe."""
        from ._display import iframe_html, summary_html

        s = self.summary
        rows = [("sources", ", ".join(self.sources) or None), ("users", s.get("users")),
                ("edges", s.get("edges")), ("communities", self.partition.n_communities)]
        if self.selection is not None:
            sp = self.selection.spread
            rows.append(("seeds", f"{len(self.selection.table):,}: expected reach "
                         f"{sp.mean:,.4g} (95% CI {sp.ci_low:,.4g} .. {sp.ci_high:,.4g})"))
        return (summary_html(self.title, rows)
                + iframe_html(self.to_html(), title=self.title, height=900))

    # ------------------------------------------------------------ rows for the template
    def _influencers(self) -> dict:
        df = self.ranking
        extra = [c for c in df.columns if c in ("followers", "shares_received", "comments_received")
                 or c.startswith("received_")]
        extra = [c for c in extra if df[c].sum() > 0] or extra[:1]
        heads = ["rank", "user", "PageRank"] + [c.replace("_received", "").replace("received_", "")
                                                for c in extra]
        rows = [[int(r["rank"]), str(r["user"]), float(r["score"])] + [int(r[c]) for c in extra]
                for _, r in df.iterrows()]
        return {"heads": heads, "rows": rows}

    def _communities(self) -> list:
        out = []
        for _, r in self.communities.iterrows():
            out.append({
                "community": "other" if r["community"] < 0 else int(r["community"]),
                "color": category_color(int(r["community"])),
                "size": int(r["size"]), "internal_edges": int(r["internal_edges"]),
                "density": r["density"], "conductance": r["conductance"],
                "dominant_type": "" if not isinstance(r["dominant_type"], str) else r["dominant_type"],
                "top_members": [str(u) for u in r["top_members"]],
                "bridges": [str(u) for u in r["bridges"]],
            })
        return out

    def _seeds(self) -> list:
        if self.selection is None:
            return []
        return [{"rank": int(r["rank"]), "user": str(r["user"]),
                 "marginal_gain": float(r["marginal_gain"]),
                 "cumulative_spread": float(r["cumulative_spread"])}
                for _, r in self.selection.table.iterrows()]

    def _baselines(self) -> list:
        sel = self.selection
        if sel is None:
            return []
        s = sel.spread
        rows = [{"method": f"{METHOD_NAMES.get(sel.method, sel.method)} (recommended)",
                 "reach": s.mean, "ci": f"{s.ci_low:,.1f} .. {s.ci_high:,.1f}", "vs": "—"}]
        for name, b in sorted(sel.baselines.items(), key=lambda kv: (-kv[1].mean, kv[0])):
            vs = f"{100.0 * (s.mean / b.mean - 1):+.1f}%" if b.mean > 0 else "n/a"
            rows.append({"method": METHOD_NAMES.get(name, name), "reach": b.mean,
                         "ci": f"{b.ci_low:,.1f} .. {b.ci_high:,.1f}", "vs": vs})
        return rows

    def _seed_text(self) -> str:
        sel = self.selection
        if sel is None:
            return self.details.get("seed_note", "")
        s = sel.spread
        eps = f", epsilon {sel.epsilon:g}" if sel.epsilon is not None else ""
        text = (f"{METHOD_NAMES.get(sel.method, sel.method)} ({sel.model.upper()}, {sel.prob}{eps}) "
                f"picks {len(sel.table):,} seeds. Their expected reach, re-estimated by "
                f"{s.runs:,} independent simulations, is {s.mean:,.1f} users "
                f"(95% CI {s.ci_low:,.1f} .. {s.ci_high:,.1f}).")
        best = sel.best_baseline()
        imp = sel.improvement()
        if best is not None and imp is not None:
            text += (f" That is {imp:+.1f}% against the best baseline "
                     f"({METHOD_NAMES.get(best[0], best[0])}, {best[1].mean:,.1f}).")
        return text


def _data_rows(s: dict) -> list:
    rows = []
    if s.get("files"):
        rows.append(("files", ", ".join(f"{f['path']} ({f['rows']:,} rows)" for f in s["files"])))
    rows += [("users", f"{s['users']:,}"), ("edges (distinct actor → target pairs)", f"{s['edges']:,}"),
             ("interactions", f"{s['interactions']:,}")]
    for t, c in s["interactions_by_type"].items():
        rows.append((f"  {t}", f"{c:,} interactions, {s['pairs_by_type'][t]:,} pairs"))
    if "self_loops_dropped" in s:
        rows.append(("self-loops dropped", f"{s['self_loops_dropped']:,}"))
    rows += [("repeated interactions", f"{s['merged_duplicate_rows']:,} counted on "
                                        f"{s.get('pairs_with_repeats', 0):,} pairs"),
             ("reciprocity", f"{s['reciprocity']:.4f}"), ("density", f"{s['density']:.3g}")]
    for k in ("in_degree", "out_degree"):
        d = s[k]
        rows.append((k.replace("_", "-"), f"median {d['median']:g}, mean {d['mean']:.2f}, "
                                          f"p99 {d['p99']:g}, max {d['max']:,}"))
    wc = s["weak_components"]
    rows.append(("weakly connected components", f"{wc['count']:,} (largest {wc['largest']:,} users)"))
    if "time_range" in s:
        tr = s["time_range"]
        rows.append(("time range", f"{tr['first']} .. {tr['last']}"))
    return rows


# --------------------------------------------------------------------------- figure
def spread_curve_svg(selection, width: float = 8.0, height: float = 4.2) -> str:
    """The spread-vs-number-of-seeds figure of a selection, as inline SVG markup.

    One line per method (its prefixes' spread on independent RR sets) with its 95%
    confidence band, and the independent Monte Carlo estimate of each full set as a
    point with an error bar. Text stays text (``svg.fonttype = 'none'``), ids and dates
    are fixed (``svg.hashsalt``, no metadata) so the same selection gives the same bytes,
    and the XML prolog, DOCTYPE, metadata and comments are removed for inlining.
    """

    import matplotlib
    from matplotlib.figure import Figure

    curve = selection.curve
    names = [selection.method] + [n for n in curve["name"].unique() if n != selection.method]
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "graphkit",
                                "font.family": "DejaVu Sans", "font.size": 9}):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        for name in names:
            sub = curve[curve["name"] == name].sort_values("k")
            if sub.empty:
                continue
            color = _CURVE_COLORS.get(name, "#7b8794")
            label = METHOD_NAMES.get(name, name)
            main = name == selection.method
            ax.fill_between(sub["k"], sub["ci_low"], sub["ci_high"], color=color, alpha=0.18,
                            linewidth=0)
            ax.plot(sub["k"], sub["spread"], color=color, linewidth=2.2 if main else 1.4,
                    marker="o" if len(sub) <= 30 else None, markersize=3,
                    label=label + (" (recommended)" if main else ""))
            est = selection.spread if main else selection.baselines.get(name)
            if est is not None:
                kk = int(sub["k"].max())
                ax.errorbar([kk + (0.15 if main else -0.15)], [est.mean],
                            yerr=[[est.mean - est.ci_low], [est.ci_high - est.mean]],
                            color=color, fmt="D", markersize=4, capsize=3, linewidth=1)
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("number of seeds k")
        ax.set_ylabel("expected users reached")
        ax.set_title("Spread vs number of seeds (lines: independent RR sets, 95% bands; "
                     "diamonds: Monte Carlo of the full set)", fontsize=8)
        return _figure_svg(fig, ax, "lower right")


def _figure_svg(fig, ax, legend_loc: str) -> str:
    """Grid, legend and open top/right spines, then the figure as inline SVG markup."""
    import io

    ax.grid(True, color="#e4e7eb", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(frameon=False, fontsize=8, loc=legend_loc)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None,
                                             "Type": None})
    return _inline_svg(buf.getvalue())


def _inline_svg(svg: str) -> str:
    """matplotlib's SVG without prolog, DOCTYPE, metadata and comments, ready to inline."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = svg.replace('xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    svg = re.sub(r"\bxlink:href=", "href=", svg)
    svg = svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    return svg.strip()


# --------------------------------------------------------------------------- build
def build_report(graph, edges=None, *, k: int = 20, top: int = 20, rng: RngLike = None,
                 epsilon: float = 0.1, evaluate_runs: int = 10000, model: str = "ic",
                 prob="wc", ranking=None, partition=None, selection=None,
                 community_rows: int = 20, map_top: int = 100, sources=(),
                 progress: Progress | None = None, marketing: bool = True) -> Report:
    """Compute (or take) everything the report shows.

    Parameters
    ----------
    graph : SocialGraph
    edges : EdgeTable, optional
        The table the graph was built from: adds the load report (files, rows read,
        self-loops, time range) to the data summary.
    k : int, optional
        Seeds to recommend (default 20; reduced to the number of users when larger,
        with a note on the page).
    top : int, optional
        Influencers listed (default 20).
    rng : int, numpy.random.Generator or None, optional
        One seed for Leiden, the seed selection, the simulations and the layout.
    epsilon : float, optional
        The seed selection's accuracy (default 0.1): spread >= (1 - 1/e - epsilon) x optimum.
    evaluate_runs : int, optional
        Simulated cascades of the independent reach estimates (default 10,000).
    model, prob : optional
        Diffusion model and edge probabilities of the seed selection (IC, ``"wc"``).
    ranking, partition, selection : optional
        Results computed elsewhere (a Ranking with at least ``top`` rows, a Partition,
        a SeedSelection) to reuse instead of computing them.
    community_rows : int, optional
        Communities listed in the table (default 20).
    map_top : int, optional
        Most communities drawn on the map (default 100).
    sources : sequence of str, optional
        Input file names for the header.
    progress : Progress, optional
        ``progress(stage, done=None, total=None)`` (:mod:`graphkit._progress`): called with
        each step.
    marketing : bool, optional
        Add sections 6-8 (segments, engagement, who to follow). Default True.

    Returns
    -------
    Report
    """
    from ._checks import check_count
    from ._rng import int_seed
    from .communities import detect_communities
    from .graph import graph_summary
    from .ranking import rank
    from .viz import communities_view

    say = progress or silent
    k = check_count("k", k)
    top = check_count("top", top)
    seed = int_seed(rng)
    details: dict = {"seed": seed, "k": k, "epsilon": float(epsilon),
                     "evaluate_runs": int(evaluate_runs), "notes": []}
    say("summarising the data")
    summary = graph_summary(graph, edges)
    say("ranking by PageRank")
    if ranking is None:
        ranking = rank(graph, method="pagerank", top=top)
    ranking = ranking.head(top)
    say("finding communities")
    if partition is None:
        partition = detect_communities(graph, "leiden", rng=seed)
    comm_table = partition.summary.head(community_rows)
    if selection is None:
        if graph.n_nodes < 2:
            details["seed_note"] = "The graph has too few users to recommend seeds."
        else:
            from .seeds import select_seeds

            k_used = min(k, graph.n_nodes)
            if k_used < k:
                details["notes"].append(f"k reduced from {k:,} to {k_used:,}: the graph has "
                                        f"{graph.n_nodes:,} users")
            details["k"] = k_used
            say(f"choosing {k_used} seeds (OPIM-C)")
            selection = select_seeds(graph, k_used, method="opim", model=model, prob=prob,
                                     epsilon=epsilon, evaluate_runs=int(evaluate_runs), rng=seed,
                                     edges=edges, progress=say)
    else:
        details["k"] = len(selection.table)
        details["epsilon"] = selection.epsilon
    svg = ""
    if selection is not None:
        say("drawing the spread curve")
        svg = spread_curve_svg(selection)
    say("drawing the community map")
    cmap = communities_view(graph, partition, top=map_top, rng=seed, sources=sources)
    names = ", ".join(str(s) for s in sources)
    title = "graphkit report" + (f": {names}" if names else "")
    details["modularity"] = float(partition.modularity)
    details["communities_method"] = partition.method
    market = _marketing(graph, edges, partition, seed, say) if marketing else {}
    return Report(title, tuple(str(s) for s in sources), summary, ranking, partition, comm_table,
                  selection, svg, cmap, details, market)


# --------------------------------------------------------------------------- sections 6-8
_PROFILE = (("users", "users"), ("share", "share of users"), ("pagerank", "PageRank x avg"),
            ("in_follow", "followers"), ("out_share", "shares made"), ("activity", "actions made"),
            ("participation", "participation"), ("engagement_per_follower", "engagement / follower"),
            ("reach", "reach alone"))


def _marketing(graph, edges, partition, seed: int, say) -> dict:
    """Segments, engagement (with the engagement-vs-reach plot) and the recommenders' test."""
    import numpy as np

    from .engagement import creator_engagement
    from .segments import features, segment_users

    out: dict = {}
    say("segmenting users")
    table = features(graph, partition=partition, rng=seed, progress=say)
    import importlib.util

    if importlib.util.find_spec("sklearn") is None:  # scikit-learn is the 'segments' extra
        out["segments"] = {"rows": [], "note": "User segments need scikit-learn: "
                                               "pip install 'graphkit[segments]'."}
    else:
        seg = segment_users(table=table, rng=seed, progress=say)
        cen = seg.centroids
        cols = [(c, name) for c, name in _PROFILE if c in cen.columns]
        out["segments"] = {"heads": ["segment", "role"] + [name for _, name in cols],
                           "rows": [[int(r["segment"]), str(r["role"])] + [float(r[c]) for c, _ in cols]
                                    for _, r in cen.iterrows()],
                           "note": f"K-means with k = {seg.k} (silhouette {seg.silhouette.get(seg.k, float('nan')):.3f}) "
                                   "on standardised log features; each segment named from its "
                                   "centroid (hub, bridge, amplifier, engaged audience, lurker)."}
    say("measuring engagement")
    eng = creator_engagement(graph)
    followers_from = eng.attrs["followers"]
    eng = eng.merge(table[["user", "reach"]], on="user", how="left")
    has = eng[eng["followers"] > 0]
    reach, rate = has["reach"].to_numpy(), has["rate"].to_numpy()
    # the front: creators no other creator beats on both reach and engagement
    order = np.lexsort((has["user"].to_numpy(), -rate, -reach))
    front, best = [], -np.inf
    for i in order:
        if rate[i] > best:
            front.append(i)
            best = rate[i]
    rows = [[str(r["user"]), int(r["followers"]), int(r["interactions"]), float(r["rate"]),
             float(r["reach"]), str(r["flag"])] for _, r in eng.head(15).iterrows()]
    fr = has.iloc[front]
    out["engagement"] = {
        "rows": rows, "front": [[str(u), float(a), float(b)] for u, a, b in
                                zip(fr["user"], fr["reach"], fr["rate"])][:15],
        "svg": engagement_reach_svg(reach, rate, has["user"].to_numpy(), front) if len(has) else "",
        "note": f"rate = interactions received other than follows / followers ({followers_from}); "
                "reach = expected users reached seeded alone (IC, weighted cascade)."}
    out["recommend"] = _recommend_section(edges, seed, say)
    return out


def _recommend_section(edges, seed: int, say) -> dict:
    from .recommend import DEFAULT_METHOD, evaluate_recommendations

    if edges is None:
        return {"rows": [], "note": "The held-out test needs the edge table (not given)."}
    say("testing the recommenders on held-out interactions")
    try:
        ev = evaluate_recommendations(edges, methods=(DEFAULT_METHOD, "ppr", "adamic-adar",
                                                      "common-neighbors", "preferential-attachment"),
                                      k=10, rng=seed)
    except ValueError as exc:
        return {"rows": [], "note": f"No held-out test: {exc}."}
    h = ev.holdout
    split = (f"interactions from {h.details['cut']} on hidden" if h.kind == "time"
             else f"a random 20% of the contact pairs hidden (seed {seed})")
    return {"rows": [[str(r["method"]) + (" (default)" if r["method"] == DEFAULT_METHOD else ""),
                      float(r["precision_at_k"]), float(r["recall_at_k"]), float(r["mrr"]),
                      int(r["hits"])] for _, r in ev.table.iterrows()],
            "note": f"{split}; {h.details['new_pairs']:,} new contacts of {h.details['users']:,} "
                    "users to predict from the rest. Each method recommends 10 users to each."}


def engagement_reach_svg(reach, rate, users, front, width: float = 7.5, height: float = 4.2) -> str:
    """Engagement rate against single-seed reach, one dot per creator, the front labelled."""

    import matplotlib
    import numpy as np
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "graphkit",
                                "font.family": "DejaVu Sans", "font.size": 9}):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        ax.scatter(reach, rate, s=8, color="#7b8794", alpha=0.5, linewidths=0, label="creators")
        f = np.asarray(front, dtype=np.int64)
        ax.plot(reach[f], rate[f], "o-", color="#d62728", markersize=4, linewidth=1.2,
                label="best on both (no creator has more reach and more engagement)")
        for i in f[:10]:
            ax.annotate(str(users[i])[:16], (reach[i], rate[i]), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_yscale("symlog", linthresh=0.1)
        ax.set_xlabel("expected users reached, seeded alone")
        ax.set_ylabel("interactions per follower")
        return _figure_svg(fig, ax, "upper right")
