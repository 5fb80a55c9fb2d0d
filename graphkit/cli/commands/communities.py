"""``graphkit communities``: find the groups, their leaders and the bridges between them."""

from __future__ import annotations

import click

from .._errors import handle_errors
from .._options import (
    CONTEXT_SETTINGS,
    FiniteFloat,
    edge_input_options,
    engine_options,
    load_graph,
    output_options,
    random_seed_option,
    resolve_seed,
)
from .._output import (
    Stages,
    flat_lists,
    note,
    print_df_csv,
    print_json,
    stdout_console,
    write_output,
)

COMMUNITY_METHODS = ("leiden", "louvain", "lpa", "infomap")
_TABLE_FORMATS = ("csv", "tsv", "json", "jsonl", "parquet")  # several columns: no .txt


def _resolution_callback(ctx, param, value):
    import math

    if not math.isfinite(value) or value <= 0:
        raise click.BadParameter(f"must be a finite number > 0, got {value!r}")
    return value


def _table_format(path, what: str, hint: str):
    """Check an output file's extension before any work is done."""
    from ...io import format_of

    if path is None:
        return None
    try:
        return format_of(path, allowed=_TABLE_FORMATS)
    except ValueError as exc:
        raise click.BadParameter(f"{exc} ({what} has several columns)", param_hint=hint) from None



@click.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("--method", type=click.Choice(COMMUNITY_METHODS), default="leiden", show_default=True,
              help="leiden, louvain and lpa (label propagation) on the undirected projection; "
                   "infomap on the directed graph.")
@click.option("--resolution", type=FiniteFloat(), default=1.0, show_default=True,
              callback=_resolution_callback,
              help="Modularity resolution (leiden, louvain): higher gives more, smaller communities.")
@click.option("--leiden-tol", "leiden_tol", type=FiniteFloat(min=0.0), default=None, metavar="GAIN",
              help="Leiden: iterate until a pass raises modularity by at most GAIN (0: until no "
                   "pass raises it). Slower, slightly higher modularity on large graphs. "
                   "Default: two passes, igraph's default. Example: --leiden-tol 1e-4")
@click.option("--runs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Runs with different seeds: the best is kept and their agreement (mean "
                   "pairwise NMI) is reported as stability.")
@click.option("--min-size", type=click.IntRange(min=1), default=1, show_default=True,
              help="Fold communities with fewer users into one 'other' row of the summary "
                   "(the membership stays complete).")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Communities shown in the table (default 20; csv, json and files have all).")
@click.option("--summary", "summary_path", type=click.Path(dir_okay=False), default=None,
              help="Write the per-community summary to FILE (.csv .tsv .json .jsonl .parquet).")
@random_seed_option
@engine_options
@output_options()
@handle_errors
def communities(method, resolution, leiden_tol, runs, min_size, top, unweighted, summary_path, random_seed,
                output, fmt, **params):
    """Find communities: the groups, who leads each, and the users that bridge them.

    -o FILE writes the membership (user,community; communities numbered by size,
    0 = largest), which simulate, seeds and view read with --communities FILE.
    The summary has one row per community: size, internal edges, density,
    conductance, dominant interaction type, top members (PageRank inside the
    community) and bridges (most edges spread over other communities).

    \b
    Examples:
      graphkit communities data/higgs-sample.csv.gz
      graphkit communities edges.csv --method leiden --resolution 0.5 -o membership.csv \\
          --summary communities.csv
      graphkit communities edges.csv --method louvain --format json
      graphkit communities edges.csv --runs 5 --random-seed 7 --min-size 10
      graphkit communities edges.csv --leiden-tol 1e-4
      graphkit communities follows.parquet --engine spark --spark-master 'local[4]' \\
          -o membership.csv
      graphkit communities hdfs:///logs/edges.parquet --engine spark --method lpa \\
          --spark-master yarn --format json

    With --engine spark, label propagation runs on the cluster and (--method leiden)
    Leiden runs in the driver on the graph contracted by its groups, up to 20M
    contracted pairs (--spark-conf spark.graphkit.communities.driverLimit=N); only
    --method leiden and lpa, one run.
    """
    from ...communities import detect_communities

    quiet = click.get_current_context().find_root().meta.get("quiet")
    if params.get("engine") == "spark":
        return _spark_communities(params, method=method, resolution=resolution,
                                  leiden_tol=leiden_tol, runs=runs, min_size=min_size, top=top,
                                  unweighted=unweighted, summary_path=summary_path,
                                  random_seed=random_seed, output=output, fmt=fmt)
    if method in ("lpa", "infomap") and resolution != 1.0:
        raise click.UsageError(f"--resolution applies to --method leiden and louvain, not {method}")
    if leiden_tol is not None and method != "leiden":
        raise click.UsageError(f"--leiden-tol applies to --method leiden, not {method}")
    _table_format(output, "a membership", "'-o'")
    _table_format(summary_path, "a summary", "'--summary'")
    seed = resolve_seed(random_seed)
    with Stages(enabled=not quiet) as st:
        graph, _ = load_graph(dict(params, unweighted=unweighted), st)
        st.stage(f"finding communities ({method}" + (f", {runs} runs)" if runs > 1 else ")"))
        part = detect_communities(graph, method, resolution=resolution, rng=seed, runs=runs,
                                  tol=leiden_tol, weighted=not unweighted)
        # the summary only when something shows or writes it (-o alone writes the membership);
        # the terminal's table from NumPy columns (no pandas), files and CSV from the DataFrame
        summary = report = shown = None
        if fmt != "table" or summary_path is not None or output is None:
            st.stage("summarising communities")
            if summary_path is not None or fmt == "csv":
                summary = part.summarize(min_size=min_size)
            if fmt == "json":
                report = part.to_dict(min_size=min_size)
            elif fmt == "table" and output is None and summary_path is None:
                shown = part.summary_columns(min_size=min_size)
    msg = f"{method}: {part.n_communities:,} communities, modularity {part.modularity:.4f}"
    if part.stability is not None:
        msg += f", stability {part.stability:.3f} (mean pairwise NMI of {runs} runs)"
    note(msg)
    meta = {"method": method, "resolution": part.resolution, "seed": seed,
            "weighted": part.weighted, "users": graph.n_nodes,
            "n_communities": part.n_communities, "modularity": part.modularity}
    if leiden_tol is not None:
        meta.update(leiden_tol=leiden_tol, leiden_iterations=part.details["iterations"])
    if part.stability is not None:
        meta.update(runs=runs, stability=part.stability)
    if output is not None:
        write_output(part.table_columns(), output, meta=meta)
    if summary_path is not None:
        from ...io import format_of

        flat = format_of(summary_path) in ("csv", "tsv")
        write_output(flat_lists(summary) if flat else summary, summary_path,
                     id_column="community", meta=meta)
    if fmt == "json":
        print_json(report)
    elif fmt == "csv":
        print_df_csv(flat_lists(summary))
    elif shown is not None:
        _print_communities_table(part, shown, top if top is not None else 20, min_size)


_LIMIT_KEY = "spark.graphkit.communities.driverLimit"


def _driver_limit(value) -> int | None:
    if value is None:
        return None
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit < 1:
        raise click.BadParameter(f"{_LIMIT_KEY} must be a positive integer, got {value!r}",
                                 param_hint="'--spark-conf'")
    return limit


def _spark_communities(params, *, method, resolution, leiden_tol, runs, min_size, top,
                       unweighted, summary_path, random_seed, output, fmt):
    """``graphkit communities --engine spark``: graphkit.spark.detect_communities."""
    from ...io import format_of, to_jsonable
    from ...spark import detect_communities
    from ...spark.communities import DRIVER_EDGES_CONF, DRIVER_LIMIT, parse_driver_edges
    from .._spark import conf_setting, load_spark_graph, refuse_local_only, spark_session

    if method not in ("leiden", "lpa"):
        raise click.UsageError(f"--engine spark finds communities with --method leiden or lpa "
                               f"(not {method})")
    refuse_local_only(params, leiden_tol=leiden_tol, runs=runs if runs != 1 else None)
    if method == "lpa" and resolution != 1.0:
        raise click.UsageError("--resolution applies to --method leiden, not lpa")
    _table_format(output, "a membership", "'-o'")
    _table_format(summary_path, "a summary", "'--summary'")
    seed = resolve_seed(random_seed)
    limit = _driver_limit((params.get("spark_conf") or {}).get(_LIMIT_KEY))
    edges = conf_setting(parse_driver_edges,
                         (params.get("spark_conf") or {}).get(DRIVER_EDGES_CONF))
    quiet = click.get_current_context().find_root().meta.get("quiet")
    with Stages(enabled=not quiet) as st, spark_session(params, st) as spark:
        graph = load_spark_graph(spark, params, st)
        if limit is None:  # spark-submit --conf, or a session already running
            limit = _driver_limit(spark.conf.get(_LIMIT_KEY, None)) or DRIVER_LIMIT
        if edges is None:
            edges = conf_setting(parse_driver_edges, spark.conf.get(DRIVER_EDGES_CONF, None))
        st.stage(f"finding communities on Spark ({method})")
        part = detect_communities(graph, method, resolution=resolution, rng=seed,
                                  weighted=not unweighted, driver_limit=limit,
                                  driver_edges=edges, collect_for_summary=True,
                                  progress=st.stage)
        st.stage("summarising communities on Spark")
        summary = part.summarize(min_size=min_size)
        table = part.table() if output is not None else None
    d = part.details
    rounds = f"{d['lpa_iterations']} rounds"
    if method == "leiden":
        rounds += " (coarsening)"
    elif not d["lpa_converged"]:
        rounds += " (the cap; some labels still changing)"
    note(f"label propagation on Spark: {d['lpa_groups']:,} groups after {rounds}")
    if method == "leiden":
        if d["leiden"] == "driver":
            note(f"leiden ran in the driver on the contracted graph ({d['lpa_groups']:,} groups, "
                 f"{d['contracted_pairs']:,} pairs; limit {d['driver_limit']:,} pairs)")
        else:
            note(f"leiden {d['leiden']}: the result is the label-propagation groups "
                 "(raise spark.graphkit.communities.driverLimit with --spark-conf)")
    note(f"{method}: {part.n_communities:,} communities, modularity {part.modularity:.4f}")
    users = int(part.sizes.sum())
    meta = {"method": method, "resolution": part.resolution, "seed": seed,
            "weighted": part.weighted, "users": users, "n_communities": part.n_communities,
            "modularity": part.modularity, "engine": "spark"}
    if output is not None:
        write_output(table, output, meta=meta)
    if summary_path is not None:
        flat = format_of(summary_path) in ("csv", "tsv")
        write_output(flat_lists(summary) if flat else summary, summary_path,
                     id_column="community", meta=meta)
    if fmt == "json":
        out = {"method": method, "resolution": part.resolution, "seed": seed,
               "weighted": part.weighted, "users": users, "n_communities": part.n_communities,
               "modularity": part.modularity, "runs": 1}
        if min_size > 1:
            out.update(min_size=int(min_size),
                       folded_communities=int((part.sizes < min_size).sum()))
        out["communities"] = summary.to_dict(orient="records")
        print_json(to_jsonable(out))
    elif fmt == "csv":
        print_df_csv(flat_lists(summary))
    elif output is None and summary_path is None:
        _print_communities_table(part, summary, top if top is not None else 20, min_size)


def _print_communities_table(part, summary, top: int, min_size: int) -> None:
    """The summary (a mapping of columns, or a DataFrame: the Spark engine's) as a table."""
    import math

    import numpy as np
    from rich.table import Table
    from rich.text import Text

    from ...io.writers import is_columns

    cols = summary if is_columns(summary) else {c: summary[c].to_numpy() for c in summary.columns}
    community = np.asarray(cols["community"])
    regular = np.flatnonzero(community >= 0)
    other = np.flatnonzero(community < 0)
    shown = regular[:top]
    title = (f"{part.n_communities:,} communities ({part.method}), "
             f"modularity {part.modularity:.4f}")
    if part.stability is not None:
        title += f", stability {part.stability:.3f} over {part.runs} runs"
    notes = []
    if len(regular) > len(shown):
        rest = regular[len(shown):]
        notes.append(f"{len(shown):,} of {len(regular):,} communities shown; {len(rest):,} not "
                     f"shown ({int(np.asarray(cols['size'])[rest].sum()):,} users; --top N "
                     "shows more)")
    if len(other):
        folded = int((part.sizes < min_size).sum())
        notes.append(f"other = {folded:,} communities of fewer than {min_size} users")
    t = Table(title=title, caption="\n".join(notes) or None)
    for name, justify in (("community", "right"), ("users", "right"), ("edges inside", "right"),
                          ("density", "right"), ("conductance", "right"), ("main type", "left"),
                          ("top members", "left"), ("bridges", "left")):
        t.add_column(name, justify=justify)

    def num(v):
        return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3g}"

    for i in np.concatenate([shown, other]).tolist():
        r = {c: v[i] for c, v in cols.items()}
        dom = r["dominant_type"]
        t.add_row(
            "other" if r["community"] < 0 else str(r["community"]), f"{r['size']:,}",
            f"{r['internal_edges']:,}", num(r["density"]), num(r["conductance"]),
            Text("" if not isinstance(dom, str) else dom),
            Text(", ".join(map(str, r["top_members"]))), Text(", ".join(map(str, r["bridges"]))),
        )
    stdout_console().print(t)
