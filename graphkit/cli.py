"""The ``graphkit`` command line: a thin click layer over the library.

Each command loads the graph, calls one library function and hands the result to
``export``. Options shared between commands are decorators defined here. Heavy
modules (numpy, pandas, numba, ...) are imported inside the commands so that
``graphkit --help`` answers at once.

Exit codes: 0 ok, 1 bad input or failed job (one line, no traceback; ``--debug``
shows it), 2 usage error.
"""

from __future__ import annotations

import functools
import sys
import threading

import click

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# --------------------------------------------------------------------------- console helpers
def stdout_console():
    """A rich console on stdout; when piped, wide enough that tables are not squeezed."""
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def note(message: str) -> None:
    """A line of information on stderr (suppressed by --quiet)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().meta.get("quiet"):
        return
    click.echo(message, err=True)


def warn(message: str) -> None:
    click.echo(f"Warning: {message}", err=True)


class Stages:
    """Progress on stderr for work that takes more than a second.

    ``stage(text)`` names the current step. A transient rich spinner with the step
    and the elapsed time appears only once the work has run for ``delay`` seconds,
    only on a terminal, and never on stdout.
    """

    def __init__(self, enabled: bool = True, delay: float = 1.0):
        self.enabled = enabled and sys.stderr.isatty()
        self.delay = delay
        self.text = "working"
        self._progress = None
        self._task = None
        self._timer = None
        self._lock = threading.Lock()

    def __enter__(self):
        if self.enabled:
            self._timer = threading.Timer(self.delay, self._start)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _start(self):
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self._lock:
            if self._timer is None:
                return
            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                console=_stderr_console(), transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.text, total=None)

    def stage(self, text: str) -> None:
        with self._lock:
            self.text = text
            if self._progress is not None:
                self._progress.update(self._task, description=text)

    def __exit__(self, *exc):
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._progress is not None:
                self._progress.stop()
                self._progress = None
        return False


# --------------------------------------------------------------------------- errors
def handle_errors(func):
    """Turn library errors into one-line click errors (exit 1), usage errors into exit 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from .errors import GraphkitError

        debug = click.get_current_context().find_root().meta.get("debug", False)
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except GraphkitError as exc:
            if debug:
                raise
            raise click.ClickException(str(exc)) from None
        except MemoryError:
            if debug:
                raise
            raise click.ClickException(
                "out of memory; try a smaller input or the options that reduce the work"
            ) from None
        except KeyboardInterrupt:
            raise click.Abort() from None
        except Exception as exc:  # unexpected: still one line, traceback with --debug
            if debug:
                raise
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise click.ClickException(
                f"internal error ({type(exc).__name__}: {msg}); rerun with --debug and report it"
            ) from None

    return wrapper


# --------------------------------------------------------------------------- shared options
def _type_weight_callback(ctx, param, value):
    from .io import parse_type_weights

    try:
        return parse_type_weights(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _root_flag(name):
    def callback(ctx, param, value):
        if value:
            ctx.find_root().meta[name] = True
        return value

    return callback


def common_options(func):
    """-q/--quiet and --debug, accepted after the command name too."""
    func = click.option("--debug", is_flag=True, expose_value=False, is_eager=True,
                        callback=_root_flag("debug"), help="Show the full traceback of errors.")(func)
    func = click.option("-q", "--quiet", is_flag=True, expose_value=False, is_eager=True,
                        callback=_root_flag("quiet"),
                        help="No progress display and no notes on stderr.")(func)
    return func


def edge_input_options(func):
    """EDGES... plus the column-mapping and type options every command shares."""
    func = common_options(func)
    decorators = [
        click.argument("edges", nargs=-1, required=True, type=click.Path(dir_okay=False)),
        click.option("--source-col", metavar="NAME", help="Column of the actor (default: source/src/from).") ,
        click.option("--target-col", metavar="NAME", help="Column of the target (default: target/dst/to)."),
        click.option("--type-col", metavar="NAME", help="Column of the interaction type (default: type)."),
        click.option("--weight-col", metavar="NAME", help="Column of a per-row weight (default: weight)."),
        click.option("--time-col", metavar="NAME", help="Column of the timestamp (default: timestamp/time)."),
        click.option("--type", "type_label", metavar="LABEL", multiple=True,
                     help="Type of every row of a file with no type column; once for all files or once per file."),
        click.option("--type-weight", "type_weights", metavar="TYPE=W", multiple=True,
                     callback=_type_weight_callback,
                     help="Weight of an interaction type (repeatable), e.g. --type-weight share=3."),
        click.option("--header/--no-header", default=None,
                     help="Text files have / have no header line (detected by default)."),
    ]
    for dec in reversed(decorators):
        func = dec(func)
    return func


def output_options(formats=("table", "csv", "json")):
    def decorate(func):
        func = click.option("--format", "fmt", type=click.Choice(formats), default="table",
                            show_default=True, help="How to print the result on stdout.")(func)
        func = click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                            help="Write the result to FILE; the format follows the extension "
                                 "(.csv .json .parquet .txt).")(func)
        return func

    return decorate


def random_seed_option(func):
    return click.option("--random-seed", type=click.IntRange(min=0), default=None,
                        help="Seed for every random choice; drawn and reported when omitted.")(func)


def resolve_seed(seed):
    """The seed to use: the given one, or a fresh one reported on stderr."""
    if seed is not None:
        return seed
    from ._rng import draw_seed

    seed = draw_seed()
    note(f"random seed: {seed} (pass --random-seed {seed} to repeat this run)")
    return seed


def load_graph(params: dict, stages: Stages | None = None, extra_cols=()):
    """Read the EDGES files named in ``params`` and build the graph."""
    from .graph import SocialGraph
    from .io import read_edges

    labels = list(params.get("type_label") or ())
    n_files = len(params["edges"])
    if labels and len(labels) not in (1, n_files):
        raise click.UsageError(
            f"give --type once for all files or once per file ({n_files} files, {len(labels)} --type)"
        )
    progress = stages.stage if stages is not None else None
    edges = read_edges(
        list(params["edges"]),
        source_col=params.get("source_col"),
        target_col=params.get("target_col"),
        type_col=params.get("type_col"),
        weight_col=params.get("weight_col"),
        time_col=params.get("time_col"),
        type_label=labels or None,
        type_weights=params.get("type_weights") or None,
        header=params.get("header"),
        extra_cols=extra_cols,
        progress=progress,
    )
    for w in edges.report.warnings:
        warn(w)
    if edges.report.self_loops_dropped:
        note(f"dropped {edges.report.self_loops_dropped:,} self-loop rows (a user acting on themself)")
    if stages is not None:
        stages.stage("building graph")
    graph = SocialGraph.from_edges(edges)
    return graph, edges


def write_output(df, path: str, *, id_column: str = "user", meta: dict | None = None) -> None:
    from .export import format_of, write_table

    try:
        format_of(path)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'-o'") from None
    write_table(df, path, id_column=id_column, meta=meta)
    note(f"wrote {len(df):,} rows to {path}")


def print_json(obj) -> None:
    import json

    from .export import to_jsonable

    click.echo(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=1))


def print_df_table(df, title: str | None = None, caption: str | None = None, floatfmt="{:.5g}") -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, caption=caption, show_lines=False)
    for col in df.columns:
        justify = "right" if df[col].dtype.kind in "iuf" else "left"
        table.add_column(str(col), justify=justify)
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append(floatfmt.format(v))
            else:
                cells.append(Text(str(v)))  # Text: never interpret [markup] in user ids
        table.add_row(*cells)
    stdout_console().print(table)


def print_df_csv(df) -> None:
    df.to_csv(sys.stdout, index=False)


# --------------------------------------------------------------------------- group
@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="graphkit", prog_name="graphkit")
@click.option("-q", "--quiet", is_flag=True, help="No progress display and no notes on stderr.")
@click.option("--debug", is_flag=True, help="Show the full traceback of errors.")
@click.pass_context
def cli(ctx, quiet, debug):
    """Find who really spreads content in interaction logs.

    Input rows are ACTOR -> TARGET interactions ("A follows B", "A shared B's
    video", "A commented on B's video"), in CSV, TSV, whitespace edge lists
    (SNAP), Parquet or JSON Lines, optionally .gz/.bz2 compressed.

    \b
    Examples:
      graphkit info data/example.csv
      graphkit rank data/higgs-sample.csv.gz --top 20
      graphkit rank edges.parquet --type-weight share=3 --type-weight comment=2 -o influencers.csv
    """
    ctx.meta["quiet"] = ctx.meta.get("quiet", False) or quiet
    ctx.meta["debug"] = ctx.meta.get("debug", False) or debug


# --------------------------------------------------------------------------- info
@cli.command(context_settings=CONTEXT_SETTINGS)
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
    from .stats import graph_summary

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


# --------------------------------------------------------------------------- rank
RANK_MEASURES = ("pagerank", "indegree", "hits", "kcore", "betweenness")


@cli.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("--by", type=click.Choice(RANK_MEASURES), default="pagerank", show_default=True,
              help="The influence measure.")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Keep the N best users (default: 20 on the terminal, all users in files).")
@click.option("--damping", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.85,
              show_default=True, help="PageRank damping factor.")
@click.option("--personalize", type=click.Path(dir_okay=False), default=None,
              help="PageRank restarts only at the users listed in FILE (one id per line, or a "
                   "'user' column).")
@click.option("--unweighted", is_flag=True, help="Ignore type weights and repeat counts.")
@click.option("--edge-type", metavar="TYPE", default=None,
              help="With --by indegree: count only interactions of this type (e.g. share).")
@click.option("--samples", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Sampled source users for approximate betweenness.")
@random_seed_option
@output_options()
@handle_errors
def rank(by, top, damping, personalize, unweighted, edge_type, samples, random_seed, output, fmt, **params):
    """Rank users by influence: PageRank (default), in-degree, HITS, k-core, betweenness.

    Attention flows actor -> target, so users that many others follow, share or
    comment on rank high. Ties are broken by user id.

    \b
    Examples:
      graphkit rank data/example.csv --top 5
      graphkit rank edges.parquet --by pagerank --type-weight share=3 --type-weight comment=2 \\
          --type-weight follow=1 -o influencers.csv
      graphkit rank soc-Slashdot0902.txt.gz --top 10 --format json
      graphkit rank edges.csv --by betweenness --samples 500 --random-seed 7
      graphkit rank edges.csv --by indegree --edge-type share --top 10
    """
    from .io import read_id_list
    from .rank import rank as rank_users

    quiet = click.get_current_context().find_root().meta.get("quiet")
    seed = resolve_seed(random_seed) if by == "betweenness" else None
    with Stages(enabled=not quiet) as st:
        graph, _ = load_graph(params, st)
        personalization = None
        if personalize is not None:
            if by != "pagerank":
                raise click.UsageError("--personalize applies to --by pagerank only")
            personalization = read_id_list(personalize)
        st.stage(f"ranking by {by}")
        show_top = top if top is not None else (20 if (output is None and fmt == "table") else None)
        if edge_type is not None and by != "indegree":
            raise click.UsageError("--edge-type applies to --by indegree only")
        df = rank_users(
            graph, by=by, top=top if output is not None else show_top, damping=damping,
            personalization=personalization, weighted=False if unweighted else None,
            edge_type=edge_type, samples=samples if by == "betweenness" else None, rng=seed,
        )
    if by == "betweenness":
        used = df.attrs.get("samples", samples)
        note(f"betweenness estimated from {used:,} sampled source users (--samples)")
    meta = {"measure": by, "users": graph.n_nodes, "parameters": dict(df.attrs)}
    if output is not None:
        write_output(df, output, meta=meta)
        if fmt == "table":
            return
    if fmt == "json":
        print_json({**meta, "rows": df.to_dict(orient="records")})
    elif fmt == "csv":
        print_df_csv(df)
    else:
        caption = None
        if len(df) < graph.n_nodes:
            caption = f"top {len(df):,} of {graph.n_nodes:,} users"
        short = {c: c.replace("_received", "").replace("received_", "") for c in df.columns}
        print_df_table(df.rename(columns=short), title=f"influencers by {by} (received interactions)",
                       caption=caption)


# --------------------------------------------------------------------------- shared by commands
def _flat_lists(df, sep: str = ";"):
    """List columns (top_members, bridges) joined with ``sep`` for CSV/TSV."""
    out = df.copy()
    for col in ("top_members", "bridges"):
        if col in out.columns:
            out[col] = [sep.join(map(str, v)) for v in out[col]]
    return out


def _prob_spec_callback(ctx, param, value):
    from .weighting import parse_prob

    try:
        parse_prob(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _type_prob_callback(ctx, param, value):
    out: dict[str, float] = {}
    for item in value:
        name, sep, raw = str(item).partition("=")
        name = name.strip()
        try:
            p = float(raw) if sep and name else None
        except ValueError:
            p = None
        if p is None:
            raise click.BadParameter(f"expected TYPE=P with P a number, got {item!r}")
        if not 0.0 <= p <= 1.0:
            raise click.BadParameter(f"probability in {item!r} is outside [0, 1]")
        out[name] = p
    return out


def _runs_callback(ctx, param, value):
    text = str(value).strip().lower()
    if text == "auto":
        return "auto"
    try:
        runs = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        runs = 0
    if runs < 1:
        raise click.BadParameter(f"expected a positive number of runs or 'auto', got {value!r}")
    return runs


def _read_membership(path: str, graph):
    """User -> community from a file with ``user`` and ``community`` columns (extra columns ok).

    CSV/TSV labels may be any text; Parquet/JSON files go through
    :func:`graphkit.communities.read_membership` (integer communities).
    """
    import os

    import pandas as pd

    from .errors import InputError

    if not os.path.exists(path):
        raise InputError("no such file", path)
    if path.lower().endswith((".parquet", ".json", ".jsonl")):
        # what `graphkit communities -o` writes in those formats (integer communities)
        from .communities import read_membership

        table = read_membership(path)
        outside = int((~table["user"].isin(pd.Index(graph.node_ids))).sum())
        if outside:
            note(f"{path}: {outside:,} users are not in the graph (ignored)")
        return dict(zip(table["user"], table["community"].tolist()))
    sep = "\t" if path.lower().endswith((".tsv", ".tsv.gz")) else ","
    try:
        df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"not a readable membership file ({str(exc).splitlines()[0]})", path) from None
    missing = [c for c in ("user", "community") if c not in df.columns]
    if missing:
        raise InputError(f"needs the columns user,community (columns: {', '.join(map(str, df.columns))})",
                         path)
    empty = (df["user"] == "") | (df["community"] == "")
    if empty.any():
        i = int(empty.to_numpy().nonzero()[0][0])
        raise InputError("user or community is empty", path, i + 2)
    dup = df["user"].duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise InputError(f"user {df['user'].iloc[i]!r} is listed twice", path, i + 2)
    labels = df["community"]
    if labels.str.fullmatch(r"-?\d+").all():
        labels = labels.astype("int64")
    known = pd.Index(graph.node_ids)
    outside = int((~df["user"].isin(known)).sum())
    if outside:
        note(f"{path}: {outside:,} users are not in the graph (ignored)")
    return dict(zip(df["user"], labels.tolist()))


def probability_options(func):
    """--prob MODEL and --type-prob TYPE=P (simulate, seeds)."""
    func = click.option("--type-prob", "type_probs", metavar="TYPE=P", multiple=True,
                        callback=_type_prob_callback,
                        help="Base probability of an interaction type for --prob typed "
                             "(repeatable).")(func)
    func = click.option("--prob", "prob_spec", metavar="MODEL", default="wc", show_default=True,
                        callback=_prob_spec_callback,
                        help="Edge probabilities: wc (1/number of users the actor acted on), "
                             "uniform:P, trivalency, typed (with --type-prob), column:NAME (a "
                             "column of the edge file), learned:FILE (source,target,p file).")(func)
    return func


def check_prob_options(prob_spec: str, type_probs) -> tuple[str, str | None]:
    """Usage checks of --prob/--type-prob; returns the model's ``(name, argument)``."""
    from .weighting import parse_prob

    name, arg = parse_prob(prob_spec)
    if type_probs and name != "typed":
        raise click.UsageError("--type-prob applies to --prob typed only")
    if name == "typed" and not type_probs:
        raise click.UsageError("--prob typed needs at least one --type-prob TYPE=P")
    return name, arg


def build_influence_graph(graph, edges, prob_spec: str, type_probs, seed: int):
    """The influence graph for --prob (trivalency seeded from --random-seed); warns on stderr."""
    import numpy as np

    from .weighting import influence_graph

    ig = influence_graph(graph, prob_spec, edges=edges, type_probs=type_probs or None,
                         rng=np.random.default_rng([1, seed]))
    for w in ig.report.get("warnings", []):
        warn(w)
    return ig


# --------------------------------------------------------------------------- entry point
from . import commands  # noqa: E402,F401  (registers the commands defined in graphkit/commands/)


def main(argv=None):
    """Console-script entry point (``graphkit = graphkit.cli:main``)."""
    try:
        cli.main(args=argv, prog_name="graphkit", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        if code is None:
            code = 0
        raise SystemExit(code) from None


if __name__ == "__main__":  # pragma: no cover
    main()
