"""``graphkit info``: what is in my data."""

from __future__ import annotations

import click

from .._errors import handle_errors
from .._options import CONTEXT_SETTINGS, edge_input_options, load_graph
from .._output import Stages, print_json, stdout_console, warn


@click.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to print the summary.")
@handle_errors
def info(fmt, **params):
    """Describe the data: users, interactions by type, reciprocity, components.

    \b
    Examples:
      graphkit info data/example.csv
      graphkit info follows.txt.gz shares.csv --type follow --type share --format json
    """
    from ...graph import graph_summary

    quiet = click.get_current_context().find_root().meta.get("quiet")
    with Stages(enabled=not quiet) as st:
        graph, edges = load_graph(params, st)
        st.stage("summarising")
        summary = graph_summary(graph, edges)
    if fmt == "json":
        print_json(summary)
        return
    _print_info_table(summary)


def _print_info_table(s: dict) -> None:
    from rich.table import Table
    from rich.text import Text

    t = Table(title="graphkit info", show_header=False)
    t.add_column("what", style="bold")
    t.add_column("value", justify="right")
    files = ", ".join(f"{f['path']} ({f['format']}, {f['rows']:,} rows)" for f in s.get("files", []))
    t.add_row("files", Text(files))
    t.add_row("rows read", f"{s['rows_read']:,}")
    t.add_row("self-loops dropped", f"{s['self_loops_dropped']:,}")
    t.add_row("duplicate rows merged", f"{s['merged_duplicate_rows']:,}")
    t.add_row("users", f"{s['users']:,}")
    t.add_row("edges (distinct pairs)", f"{s['edges']:,}")
    for typ, cnt in s["interactions_by_type"].items():
        t.add_row(Text(f"  {typ}"), f"{cnt:,} interactions, {s['pairs_by_type'][typ]:,} pairs")
    t.add_row("reciprocity", f"{s['reciprocity']:.4f}")
    t.add_row("density", f"{s['density']:.3g}")
    for k in ("in_degree", "out_degree"):
        d = s[k]
        t.add_row(k.replace("_", "-"),
                  f"median {d['median']:g}, mean {d['mean']:.2f}, p99 {d['p99']:g}, max {d['max']:,}")
    wc = s["weak_components"]
    t.add_row("weakly connected components", f"{wc['count']:,} (largest {wc['largest']:,} users)")
    if "time_range" in s:
        tr = s["time_range"]
        t.add_row("time range", f"{tr['first']} .. {tr['last']} ({tr['rows_with_time']:,} rows)")
    stdout_console().print(t)
    for w in s.get("warnings", []):
        warn(w)
