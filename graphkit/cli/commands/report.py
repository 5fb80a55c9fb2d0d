"""``graphkit report``: everything on one self-contained HTML page."""

from __future__ import annotations

import click

from .._errors import handle_errors
from .._options import (
    CONTEXT_SETTINGS,
    FiniteFloat,
    edge_input_options,
    html_output_option,
    load_graph,
    open_in_browser,
    open_option,
    random_seed_option,
    resolve_seed,
    source_names,
)
from .._output import Stages, warn


@click.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("-k", "k", type=click.IntRange(min=1), default=20, show_default=True,
              help="Seeds to recommend.")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True,
              help="Influencers listed.")
@click.option("--epsilon", type=FiniteFloat(0, 1, min_open=True, max_open=True), default=0.1,
              show_default=True, help="the seed selection's accuracy: spread >= (1 - 1/e - epsilon) x optimum.")
@click.option("--runs", type=click.IntRange(min=2), default=10000, show_default=True,
              help="Simulated cascades behind each independent reach estimate.")
@random_seed_option
@html_output_option
@open_option
@handle_errors
def report(k, top, epsilon, runs, random_seed, output, open_page, **params):
    """Write one self-contained HTML page: the data, the top influencers, the
    communities, the recommended seeds (OPIM-C vs the baselines, spread-vs-k curve
    with 95% bands) and the interactive community map.

    \b
    Examples:
      graphkit report edges.csv -k 20 -o report.html
      graphkit report data/higgs-sample.csv.gz --random-seed 7 -o higgs-report.html
    """
    from ...report import build_report

    quiet = click.get_current_context().find_root().meta.get("quiet")
    seed = resolve_seed(random_seed)
    with Stages(enabled=not quiet) as st:
        graph, edges = load_graph(params, st)
        if k > graph.n_nodes:
            warn(f"-k {k} is more than the {graph.n_nodes:,} users; recommending {graph.n_nodes:,}")
        rep = build_report(graph, edges, k=k, top=top, rng=seed, epsilon=epsilon,
                           evaluate_runs=runs, sources=source_names(params["edges"]),
                           progress=st.stage)
        st.stage("writing the page")
        rep.write(output)
    sel = rep.selection
    click.echo(f"{graph.n_nodes:,} users, {rep.partition.n_communities:,} communities "
               f"(modularity {rep.partition.modularity:.4f})"
               + (f", {len(sel.table)} seeds reaching {sel.spread.mean:,.1f} users"
                  if sel is not None else ""))
    click.echo(f"wrote {output}")
    if open_page:
        open_in_browser(output)
