"""``graphkit info``: what is in my data."""

from __future__ import annotations

import click

from .._errors import handle_errors
from .._options import CONTEXT_SETTINGS, edge_input_options, load_graph
from .._output import Stages, print_json, stdout_console


@click.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to print the summary.")
@handle_errors
def info(fmt, **params):
    """Describe the data: users, interactions by type, reciprocity, components.

    Also what each column was read as (guesses are noted on stderr), the time range and
    the activity per day, week, month or year.

    \b
    Examples:
      graphkit info data/example.csv
      graphkit info follows.txt.gz shares.csv --type follow --type share --format json
      graphkit info CollegeMsg.txt                 # column 3: unix seconds, read as time
      graphkit info soc-sign-bitcoinotc.csv --signed --since 2013-01-01
      cat edges.csv | graphkit info -
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


_ROLE_NAMES = {"source": "source", "target": "target", "type": "type", "weight": "weight",
               "timestamp": "time"}


def _columns_text(f: dict) -> str:
    """``source=1, target=2, time=3 (unix seconds)``: the role each column got."""
    parts = []
    for role, col in f["columns"].items():
        text = f"{_ROLE_NAMES.get(role, role)}={col}"
        if role == "timestamp" and f.get("time_unit"):
            text += f" ({ {'s': 'unix seconds', 'ms': 'unix ms', 'us': 'unix us', 'ns': 'unix ns'}[f['time_unit']]})"
        parts.append(text)
    if f.get("ignored_columns"):
        parts.append("ignored: " + ", ".join(map(str, f["ignored_columns"])))
    return ", ".join(parts)


def _print_info_table(s: dict) -> None:
    from rich.table import Table
    from rich.text import Text

    t = Table(title="graphkit info", show_header=False)
    t.add_column("what", style="bold")
    t.add_column("value", justify="right")
    files = ", ".join(f"{f['path']} ({f['format']}, {f['rows']:,} rows)" for f in s.get("files", []))
    t.add_row("files", Text(files))
    for f in s.get("files", []):
        label = "columns" if len(s["files"]) == 1 else f"  columns of {f['path']}"
        t.add_row(Text(label), Text(_columns_text(f)))
    t.add_row("rows read", f"{s['rows_read']:,}")
    t.add_row("self-loops dropped", f"{s['self_loops_dropped']:,}")
    for why, n in s.get("rows_dropped", {}).items():
        t.add_row(Text(f"rows left out: {why}"), f"{n:,}")
    if s.get("undirected"):
        t.add_row("undirected", "each row read both ways")
    t.add_row("repeated interactions",
              f"{s['merged_duplicate_rows']:,} counted on {s.get('pairs_with_repeats', 0):,} pairs")
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
    console = stdout_console()
    console.print(t)
    if "activity" in s:
        console.print(_activity_table(s["activity"]))


def _activity_table(act: dict):
    """Interactions per period with a bar of block characters (the widest = 30)."""
    from rich.table import Table

    t = Table(title=f"activity per {act['period']}")
    t.add_column(f"{act['period']} from")
    t.add_column("interactions", justify="right")
    t.add_column("")
    top = max((c for _, c in act["counts"]), default=0) or 1
    for start, count in act["counts"]:
        t.add_row(start, f"{count:,}", "█" * round(30 * count / top))
    return t
