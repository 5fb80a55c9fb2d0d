"""Options shared by the commands (decorators, callbacks) and the steps every command
takes: loading the graph, resolving the seed, building the influence graph."""

from __future__ import annotations

import click

from ._output import Stages, note, warn


class FiniteFloat(click.FloatRange):
    """A float option that refuses nan, inf and overflowing literals (``1e400``) as usage
    errors (exit 2), with the range checks of :class:`click.FloatRange`."""

    name = "float"

    def convert(self, value, param, ctx):
        import math

        num = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(num):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(num, param, ctx)

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: The measures ``rank`` and ``view`` offer (``--by``).
RANK_MEASURES = ("pagerank", "indegree", "hits", "kcore", "betweenness")


def _type_weight_callback(ctx, param, value):
    from ..io import parse_type_weights

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
        click.argument("edges", nargs=-1, required=True, type=click.Path(dir_okay=False,
                                                                         allow_dash=True)),
        click.option("--source-col", metavar="NAME", help="Column of the actor (default: source/src/from).") ,
        click.option("--target-col", metavar="NAME", help="Column of the target (default: target/dst/to)."),
        click.option("--type-col", metavar="NAME", help="Column of the interaction type (default: type)."),
        click.option("--weight-col", metavar="NAME",
                     help="Column of a per-row weight (default: weight); 'none' for no weight."),
        click.option("--time-col", metavar="NAME",
                     help="Column of the timestamp (default: timestamp/time, or a headerless "
                          "column of unix times or ISO dates); 'none' for no time, e.g. "
                          "--time-col 3."),
        click.option("--type", "type_label", metavar="LABEL", multiple=True,
                     help="Type of every row of a file with no type column; once for all files or once per file."),
        click.option("--type-weight", "type_weights", metavar="TYPE=W", multiple=True,
                     callback=_type_weight_callback,
                     help="Weight of an interaction type (repeatable), e.g. --type-weight share=3."),
        click.option("--header/--no-header", default=None,
                     help="Text files have / have no header line (detected by default)."),
        click.option("--time-unit", type=click.Choice(["s", "ms", "us", "ns"]), default=None,
                     help="Unit of numeric times, by magnitude when omitted (seconds below "
                          "1e11, ms below 1e14, us below 1e17). Example: --time-unit ms "
                          "(JavaScript Date.now())."),
        click.option("--unweighted", is_flag=True,
                     help="Ignore any weight column (same as --weight-col none): every row "
                          "counts 1; rank and communities also ignore type weights and repeat "
                          "counts. Example: rank ratings.csv --unweighted."),
        click.option("--signed", is_flag=True,
                     help="Weights are signed ratings (Bitcoin OTC: -10..10): negative rows "
                          "leave the graph and count as distrust per user; positive ones form it. "
                          "Example: rank ratings.csv --signed."),
        click.option("--undirected", is_flag=True,
                     help="Each row is a tie both ways (friendships): a,b is read as a->b and "
                          "b->a. Example: rank facebook_combined.txt.gz --undirected."),
        click.option("--since", metavar="DATE",
                     help="Keep rows at or after DATE (ISO 8601). Example: --since 2004-05-01."),
        click.option("--until", metavar="DATE",
                     help="Keep rows before DATE; a date alone includes that day. Example: "
                          "--until 2004-05-31."),
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
        func = click.option("--raw-csv", is_flag=True, expose_value=False, is_eager=True,
                            callback=_root_flag("raw_csv"),
                            help="Write CSV/TSV cells exactly as they are. By default a text "
                                 "cell a spreadsheet would run as a formula (=, +, -, @ first, "
                                 "not a number) gets a leading ' (graphkit reads it back "
                                 "unchanged). Example: --format csv --raw-csv | your-pipeline")(func)
        return func

    return decorate


def random_seed_option(func):
    return click.option("--random-seed", type=click.IntRange(min=0), default=None,
                        help="Seed for every random choice; drawn and reported when omitted.")(func)


def resolve_seed(seed):
    """The seed to use: the given one, or a fresh one reported on stderr."""
    if seed is not None:
        return seed
    from .._rng import draw_seed

    seed = draw_seed()
    note(f"random seed: {seed} (pass --random-seed {seed} to repeat this run)")
    return seed


def load_graph(params: dict, stages: Stages | None = None, extra_cols=()):
    """Read the EDGES files named in ``params`` (with every reader option of
    :func:`edge_input_options`) and build the graph; guesses are noted on stderr."""
    from ..graph import SocialGraph
    from ..io import parse_window, read_edges

    labels = list(params.get("type_label") or ())
    n_files = len(params["edges"])
    if labels and len(labels) not in (1, n_files):
        raise click.UsageError(
            f"give --type once for all files or once per file ({n_files} files, {len(labels)} --type)"
        )
    progress = stages.stage if stages is not None else None
    if params.get("unweighted") and params.get("signed"):
        raise click.UsageError("--signed and --unweighted exclude each other: signs live in "
                               "the weights")
    if params.get("unweighted") and params.get("weight_col") not in (None, "none"):
        raise click.UsageError("--unweighted ignores weights; do not name a --weight-col")
    try:
        parse_window(params.get("since"), params.get("until"))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since/--until") from None
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
        time_unit=params.get("time_unit"),
        unweighted=bool(params.get("unweighted")),
        signed=bool(params.get("signed")),
        undirected=bool(params.get("undirected")),
        since=params.get("since"),
        until=params.get("until"),
    )
    for f in edges.report.files:
        for text in f.notes:
            note(f"{f.path}: {text}")
    for w in edges.report.warnings:
        warn(w)
    for why, n in edges.report.dropped.items():
        if n:
            note(f"left out {n:,} rows: {why}")
    if edges.report.self_loops_dropped:
        note(f"dropped {edges.report.self_loops_dropped:,} self-loop rows (a user acting on themself)")
    if stages is not None:
        stages.stage("building graph")
    graph = SocialGraph.from_edges(edges)
    _warn_one_way(graph, params)
    return graph, edges


def _warn_one_way(graph, params, min_pairs: int = 20) -> None:
    """Warn when no pair appears both ways (reciprocity 0 over at least ``min_pairs``
    pairs): likely undirected ties stored once, read without --undirected."""
    if params.get("undirected") or graph.n_edges < min_pairs:
        return
    from ..graph import has_mutual_pair

    if not has_mutual_pair(graph):
        names = ", ".join("<stdin>" if p == "-" else str(p) for p in params["edges"])
        warn(f"{names}: no pair of users appears in both directions (reciprocity 0 over "
             f"{graph.n_edges:,} pairs); if each row is a tie both ways (friends, co-authors), "
             "pass --undirected")


def _prob_spec_callback(ctx, param, value):
    from ..weighting import parse_prob

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


def runs_callback(ctx, param, value):
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


def read_membership_file(path: str, graph):
    """User -> community from a membership file (``user`` and ``community`` columns).

    Labels may be any text (integers come back as ints); users not in the graph are noted
    on stderr and ignored by the caller.
    """
    import pandas as pd

    from ..io import read_membership

    table = read_membership(path, labels="any")
    outside = int((~table["user"].isin(pd.Index(graph.node_ids))).sum())
    if outside:
        note(f"{path}: {outside:,} users are not in the graph (ignored)")
    return dict(zip(table["user"], table["community"].tolist()))


def membership_labels(path: str, graph):
    """A community label per user (-1 = not in the file) from a membership file."""
    import numpy as np
    import pandas as pd

    from ..communities import membership_array
    from ..io import read_membership

    table = read_membership(path, labels="any")
    if table["community"].dtype.kind not in "iu":  # text labels: numbered in sorted order
        codes, _ = pd.factorize(table["community"].astype(str), sort=True)
        table = table.assign(community=codes.astype(np.int64))
    outside = int((~table["user"].isin(pd.Index(graph.node_ids))).sum())
    if outside:
        note(f"{path}: {outside:,} users are not in the graph (ignored)")
    return membership_array(graph, table, missing_users="drop")


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
    from ..weighting import parse_prob

    name, arg = parse_prob(prob_spec)
    if type_probs and name != "typed":
        raise click.UsageError("--type-prob applies to --prob typed only")
    if name == "typed" and not type_probs:
        raise click.UsageError("--prob typed needs at least one --type-prob TYPE=P")
    return name, arg


def build_influence_graph(graph, edges, prob_spec: str, type_probs, seed: int):
    """The influence graph for --prob (trivalency seeded from --random-seed); warns on stderr."""
    import numpy as np

    from ..weighting import influence_graph

    ig = influence_graph(graph, prob_spec, edges=edges, type_probs=type_probs or None,
                         rng=np.random.default_rng([1, seed]))
    for w in ig.report.get("warnings", []):
        warn(w)
    return ig


def html_output_option(func):
    return click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
                        callback=_html_path, help="The page to write (.html).")(func)


def _html_path(ctx, param, value):
    import os

    if value is None:
        return value
    if not str(value).lower().endswith((".html", ".htm")):
        raise click.BadParameter(f"the page is HTML: give a file ending in .html, not {value!r}")
    folder = os.path.dirname(os.path.abspath(value))
    if not os.path.isdir(folder):
        raise click.BadParameter(f"the directory {folder} does not exist")
    return value


def open_option(func):
    return click.option("--open", "open_page", is_flag=True,
                        help="Open the page in a web browser (only from a terminal).")(func)


def can_open_browser() -> bool:
    """Whether ``--open`` may start a browser: an interactive terminal, not CI."""
    import os
    import sys

    if os.environ.get("CI") or os.environ.get("GRAPHKIT_NO_BROWSER"):
        return False
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def open_in_browser(path: str) -> None:
    """Open ``path`` with :mod:`webbrowser` when :func:`can_open_browser`, else say why not."""
    import webbrowser
    from pathlib import Path

    if not can_open_browser():
        note(f"--open: not an interactive terminal, so no browser was started; open {path} yourself")
        return
    if not webbrowser.open(Path(path).resolve().as_uri()):
        note(f"--open: no web browser found; open {path} yourself")


def source_names(paths) -> list[str]:
    """File names (no directories) of the input files, for page headers."""
    import os

    return [os.path.basename(str(p)) for p in paths]


# --------------------------------------------------------------- --engine spark (issue 17)
def _spark_conf_callback(ctx, param, value):
    if not value:
        return {}  # the local engine never imports graphkit.spark
    from ..spark.session import parse_conf

    try:
        return parse_conf(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def engine_options(func):
    """--engine local|spark and the Spark settings (rank, communities, simulate, seeds)."""
    decorators = [
        click.option("--engine", type=click.Choice(["local", "spark"]), default="local",
                     show_default=True,
                     help="Where to compute: this process, or Apache Spark (pip install "
                          "'graphkit[spark]'; Java 17+), e.g. --engine spark "
                          "--spark-master 'local[4]'."),
        click.option("--spark-master", metavar="URL", default=None,
                     help="Spark master with --engine spark (default $GRAPHKIT_SPARK_MASTER or "
                          "local[*]), e.g. --spark-master yarn."),
        click.option("--spark-conf", metavar="KEY=VALUE", multiple=True,
                     callback=_spark_conf_callback,
                     help="A Spark setting (repeatable), e.g. --spark-conf "
                          "spark.executor.memory=8g."),
        click.option("--spark-driver-memory", metavar="SIZE", default=None,
                     help="Memory of the Spark driver, e.g. --spark-driver-memory 4g."),
    ]
    for dec in reversed(decorators):
        func = dec(func)
    return func
