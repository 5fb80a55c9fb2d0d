"""``graphkit demo``: the whole pipeline on the bundled Higgs-Twitter sample."""

from __future__ import annotations

import click

from .._errors import handle_errors
from .._options import CONTEXT_SETTINGS, FiniteFloat, common_options, resolve_seed
from .._output import Stages, flat_lists, note

SAMPLE = "higgs-sample.csv.gz"
#: The settings of ``graphkit seeds``: nothing is cut down (see FIRST_RUN for the first run).
DEMO_K = 20
DEMO_EPSILON = 0.1
DEMO_RUNS = 10000
#: Said once, before the first demo after installing (numba compiles graphkit's kernels
#: for this machine and caches them; bench/RESULTS.md "First run" measures it).
FIRST_RUN = ("first run: compiling graphkit's kernels for this machine (about 15 s of CPU, "
             "once; later runs load them from numba's cache)")


def bundled_sample():
    """Path of the bundled sample: installed package data, else the checkout's ``data/``."""
    from importlib import resources
    from pathlib import Path

    from ...errors import InputError

    candidates = []
    try:
        candidates.append(Path(str(resources.files("graphkit.data") / SAMPLE)))
    except (ModuleNotFoundError, TypeError):
        pass
    import graphkit

    candidates.append(Path(graphkit.__file__).resolve().parent.parent / "data" / SAMPLE)
    candidates.append(Path.cwd() / "data" / SAMPLE)
    for path in candidates:
        if path.is_file():
            return path
    raise InputError(f"the bundled sample {SAMPLE} is not installed (looked in "
                     f"{', '.join(str(c.parent) for c in candidates)}); reinstall graphkit")


@click.command(context_settings=CONTEXT_SETTINGS)
@common_options
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default="graphkit-demo",
              show_default=True, help="Directory for every output (created if missing).")
@click.option("-k", "k", type=click.IntRange(min=1), default=DEMO_K, show_default=True,
              help="Seeds to pick.")
@click.option("--epsilon", type=FiniteFloat(0, 1, min_open=True, max_open=True),
              default=DEMO_EPSILON, show_default=True,
              help="the seed selection's accuracy: spread >= (1 - 1/e - epsilon) x optimum.")
@click.option("--runs", type=click.IntRange(min=2), default=DEMO_RUNS, show_default=True,
              help="Most simulated cascades per independent reach estimate.")
@click.option("--random-seed", type=click.IntRange(min=0), default=None,
              help="Seed for every random choice; drawn and reported when omitted.")
@handle_errors
def demo(out_dir, k, epsilon, runs, random_seed):
    """Run the whole pipeline on the bundled Higgs-Twitter sample.

    info -> rank -> communities -> seeds -> views -> report, writing every
    result into one directory and printing where each one is. Open report.html
    in a browser when it is done.

    \b
    Examples:
      graphkit demo -o demo-out
      graphkit demo -o demo-out --random-seed 7
    """
    import json
    import os
    import time

    from ... import viz
    from ...communities import detect_communities
    from ...graph import SocialGraph, graph_summary
    from ...io import atomic_open, read_edges, to_jsonable, write_table
    from ...ranking import rank
    from ...report import build_report
    from ...seeds import select_seeds

    t0 = time.perf_counter()
    quiet = click.get_current_context().find_root().meta.get("quiet")
    seed = resolve_seed(random_seed)
    sample = bundled_sample()
    os.makedirs(out_dir, exist_ok=True)

    def out(name):
        return os.path.join(out_dir, name)

    def step(no, name, text, *paths):
        where = ", ".join(paths)
        click.echo(f"{no}. {name:<12} {text}" + (f"\n   {'':<12} -> {where}" if where else ""))

    click.echo(f"graphkit demo on the bundled Higgs-Twitter sample ({sample.name}), "
               f"random seed {seed}")
    from ... import diffusion
    from ..._jitcache import compiled_before

    if not compiled_before(os.path.join(os.path.dirname(diffusion.__file__), "_kernels.py"),
                           "ic_runs"):
        note(FIRST_RUN)
    sources = [sample.name]
    with Stages(enabled=not quiet) as st:
        st.stage("reading the sample")
        edges = read_edges([str(sample)])
        graph = SocialGraph.from_edges(edges)
        summary = graph_summary(graph, edges)
        with atomic_open(out("info.json")) as fh:
            json.dump(to_jsonable(summary), fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        step(1, "info", f"{graph.n_nodes:,} users, {graph.n_edges:,} edges, "
                        f"{graph.n_interactions:,} interactions "
                        f"({', '.join(f'{c:,} {t}' for t, c in summary['interactions_by_type'].items())})",
             out("info.json"))

        st.stage("ranking by PageRank")
        ranking = rank(graph, method="pagerank")
        write_table(ranking, out("influencers.csv"))
        top5 = ", ".join(str(u) for u in ranking["user"].head(5))
        step(2, "rank", f"top by PageRank: {top5}", out("influencers.csv"))

        st.stage("finding communities (Leiden)")
        partition = detect_communities(graph, "leiden", rng=seed)
        write_table(partition.table(), out("membership.csv"))
        write_table(flat_lists(partition.summary), out("communities.csv"), id_column="community")
        step(3, "communities", f"{partition.n_communities:,} communities (Leiden), modularity "
                               f"{partition.modularity:.4f}",
             out("membership.csv"), out("communities.csv"))

        st.stage(f"choosing {k} seeds (OPIM-C, epsilon {epsilon:g})")
        selection = select_seeds(graph, k, method="opim", epsilon=epsilon, evaluate_runs=runs,
                                 rng=seed, edges=edges, progress=st.stage)
        selection.write(out("seeds.csv"))
        selection.write(out("seeds.json"))
        s = selection.spread
        imp = selection.improvement()
        vs = f", {imp:+.1f}% vs the best baseline" if imp is not None else ""
        step(4, "seeds", f"{k} seeds by OPIM-C (epsilon {epsilon:g}) reach {s.mean:,.1f} users "
                         f"(95% CI {s.ci_low:,.1f} .. {s.ci_high:,.1f}, {s.runs:,} runs){vs}",
             out("seeds.csv"), out("seeds.json"))

        st.stage("drawing the views")
        center = str(ranking["user"].iloc[0])
        views = {
            "influencers.html": lambda: viz.influencers_view(graph, ranking, communities=partition,
                                                             edges=edges, rng=seed, sources=sources),
            "communities.html": lambda: viz.communities_view(graph, partition, rng=seed,
                                                             sources=sources),
            "ego.html": lambda: viz.ego_view(graph, center, radius=1, communities=partition,
                                             edges=edges, rng=seed, sources=sources),
            "cascade.html": lambda: viz.cascade_view(graph, estimate=selection.spread, rng=seed,
                                                     sources=sources),
        }
        written = []
        for name, make in views.items():
            st.stage(f"drawing {name}")
            make().write(out(name))
            written.append(out(name))
        step(5, "views", f"influencers, communities, ego network of {center}, cascade from the "
                         "seeds", *written)

        st.stage("writing the report")
        rep = build_report(graph, edges, k=k, rng=seed, ranking=ranking, partition=partition,
                           selection=selection, sources=sources, progress=st.stage)
        rep.write(out("report.html"))
        step(6, "report", "data, influencers, communities, seeds and the community map on one page",
             out("report.html"))
    click.echo(f"done in {time.perf_counter() - t0:.1f} s; open {out('report.html')} in a browser")
    note("every page works offline: nothing is loaded from the network")
