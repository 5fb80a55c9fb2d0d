"""``--engine spark``: the commands' Spark path. Each command hands its options here; the
session is started quietly, the library (:mod:`graphkit.spark`) does the work, and the
result is printed exactly as the local engine prints it. Ctrl-C cancels the running job,
stops the JVM and exits 130."""

from __future__ import annotations

import contextlib
import signal
import sys

import click

from ._output import Stages, emit, note, warn


def is_spark(params: dict) -> bool:
    return params.get("engine") == "spark"


@contextlib.contextmanager
def spark_session(params: dict, stages: Stages | None = None):
    """The session for one command; stopped (temp files removed) on the way out."""
    from ..spark import start_session, stop_session
    from ..spark.session import active_session

    if stages is not None:
        stages.stage("starting Spark")
    # a session already running in this process (a caller's) is used and left running
    ours = active_session() is None
    debug = click.get_current_context().find_root().meta.get("debug", False)
    if not debug:
        # py4j reports a Ctrl-C inside a call with logging.exception on the root logger,
        # which would print a traceback: a handler here keeps the console to our one line
        import logging

        root = logging.getLogger()
        if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
            root.addHandler(logging.NullHandler())
    handler = signal.getsignal(signal.SIGINT)
    spark = start_session(params.get("spark_master"), params.get("spark_conf") or {},
                          params.get("spark_driver_memory"), debug=debug)
    with contextlib.suppress(ValueError, TypeError):
        # pyspark's own handler calls the JVM from inside the signal (re-entering a
        # py4j call in progress): graphkit's handler is put back, the job is cancelled below
        signal.signal(signal.SIGINT, handler)
    server = getattr(spark.sparkContext, "_accumulatorServer", None)
    if server is not None and not debug:
        # its thread prints a traceback when the JVM dies; the error line below says it
        server.handle_error = lambda request, client_address: None
    try:
        yield spark
    except KeyboardInterrupt:
        with contextlib.suppress(Exception):
            spark.sparkContext.cancelAllJobs()
        if ours:
            ours = False
            with contextlib.suppress(Exception):
                stop_session(spark)  # the JVM and its temp dir go before the exit
        click.echo("Aborted: the Spark job was cancelled.", err=True)
        sys.exit(130)
    except Exception as exc:  # Spark's own failures are one line (exit 1); a bug stays one
        from .._signals import INTERRUPTED, TERMINATED
        from ..spark.session import failure_line

        # a signal that broke a py4j call comes out as a Py4JError: 130/143 as usual
        line = None if debug or INTERRUPTED or TERMINATED else failure_line(exc)
        if line is None:
            raise
        raise click.ClickException(line) from None
    finally:
        if ours:
            with contextlib.suppress(Exception):
                stop_session(spark)


#: Options of the local engine that --engine spark does not do yet: refused, never ignored.
_LOCAL_ONLY = (("signed", "--signed"), ("undirected", "--undirected"), ("since", "--since"),
               ("until", "--until"), ("time_unit", "--time-unit"))


def refuse_local_only(params: dict, **more) -> None:
    """A usage error naming the first given option the Spark engine does not support."""
    given = [flag for key, flag in _LOCAL_ONLY if params.get(key)]
    given += [f"--{k.replace('_', '-')}" for k, v in more.items() if v is not None]
    if given:
        raise click.UsageError(f"{given[0]} is not supported with --engine spark yet "
                               "(drop it, or use the local engine)")


def _read_spark_edges(spark, params: dict, stages: Stages | None, weight_col):
    """The EDGES files read with Spark (SparkEdges), with the local CLI's checks and notes."""
    from ..spark import read_edges

    labels = list(params.get("type_label") or ())
    n_files = len(params["edges"])
    if labels and len(labels) not in (1, n_files):
        raise click.UsageError(
            f"give --type once for all files or once per file ({n_files} files, {len(labels)} --type)"
        )
    if params.get("time_col"):
        note("--time-col is not used by --engine spark (no command here needs timestamps)")
    if stages is not None:
        stages.stage("reading edges with Spark")
    edges = read_edges(spark, list(params["edges"]), source_col=params.get("source_col"),
                       target_col=params.get("target_col"), type_col=params.get("type_col"),
                       weight_col=weight_col, type_label=labels or None,
                       type_weights=params.get("type_weights") or None,
                       header=params.get("header"))
    tw = params.get("type_weights") or {}
    for t in tw:
        if t not in edges.types:
            warn(f"--type-weight {t}={tw[t]:g}: no '{t}' rows in the data "
                 f"(types: {', '.join(edges.types)})")
    if edges.self_loops:
        note(f"dropped {edges.self_loops:,} self-loop rows (a user acting on themself)")
    return edges


def load_spark_graph(spark, params: dict, stages: Stages | None = None):
    """Read the EDGES files with Spark and index the graph (ids -> positions)."""
    from ..spark import index_graph

    edges = _read_spark_edges(spark, params, stages, params.get("weight_col"))
    if stages is not None:
        stages.stage("numbering users on Spark")
    return index_graph(edges)


def conf_setting(parse, value):
    """A ``--spark-conf`` (or session) setting's text parsed by ``parse`` (``None``: not
    set), its ``ValueError`` as a usage error naming ``--spark-conf``."""
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--spark-conf'") from None


def spark_rank(params, *, by, top, damping, personalize, unweighted, output, fmt,
               edge_type=None):
    """``graphkit rank --engine spark`` (PageRank)."""
    from ..io import read_id_list
    from ..spark import pagerank_scores, rank_table
    from ..spark.link_analysis import DRIVER_EDGES_CONF, driver_edges

    if by != "pagerank":
        raise click.UsageError(f"--engine spark ranks --by pagerank only (not {by})")
    refuse_local_only(params, edge_type=edge_type)
    limit = conf_setting(driver_edges, (params.get("spark_conf") or {}).get(DRIVER_EDGES_CONF))
    quiet = click.get_current_context().find_root().meta.get("quiet")
    with Stages(enabled=not quiet) as st, spark_session(params, st) as spark:
        personalization = read_id_list(personalize) if personalize is not None else None
        graph = load_spark_graph(spark, params, st)
        if limit is None:  # spark-submit --conf, or a session already running
            limit = conf_setting(driver_edges, spark.conf.get(DRIVER_EDGES_CONF, None))
        weighted = not unweighted
        score, iterations = pagerank_scores(graph, damping=damping,
                                            personalization=personalization,
                                            weighted=weighted, driver_limit=limit,
                                            progress=st.stage)
        show_top = top if top is not None else (20 if (output is None and fmt == "table") else None)
        st.stage("fetching the ranked users")
        df = rank_table(graph, score, top if output is not None else show_top)
        n_nodes = graph.n_nodes
    # as the local CLI: a named column of a type the data does not have (always 0) is noise
    absent = {"followers": "follow", "shares_received": "share", "comments_received": "comment"}
    df = df.drop(columns=[c for c, t in absent.items() if t not in graph.types])
    df.attrs.update(measure="pagerank", n_nodes=n_nodes, top=top, damping=float(damping),
                    weighted=weighted, personalized=personalization is not None, tol=1e-6,
                    max_iter=1000, iterations=iterations, engine="spark")
    meta = {"measure": "pagerank", "users": n_nodes, "parameters": dict(df.attrs)}
    emit(df, output, fmt, meta=meta, title="influencers by pagerank (received interactions)",
         caption=f"top {len(df):,} of {n_nodes:,} users" if len(df) < n_nodes else None,
         short_names=True)


# ------------------------------------------------------------------ simulate and seeds
def refuse_spark_options(params: dict, prob_name: str, **more) -> None:
    """Usage errors for what simulate/seeds --engine spark do not support: the local-only
    reader options, --prob column:NAME (needs the local reader's extra columns) and the
    given ``more`` options (flag name -> value, refused when not None/False)."""
    refuse_local_only(params)
    if prob_name == "column":
        raise click.UsageError("--prob column:NAME is not supported with --engine spark "
                               "(use the local engine, or learn probabilities into a "
                               "learned:FILE)")
    for key, value in more.items():
        if value is not None and value is not False:
            raise click.UsageError(f"--{key.replace('_', '-')} is not supported with "
                                   "--engine spark (drop it, or use the local engine)")


def load_spark_social(spark, params: dict, stages: Stages | None = None):
    """Read the EDGES files with Spark, merge repeated pairs on the cluster and collect the
    graph to the driver, numbered as the local reader numbers it (simulate, seeds)."""
    from ..spark import social_graph

    if params.get("unweighted") and params.get("weight_col") not in (None, "none"):
        raise click.UsageError("--unweighted ignores weights; do not name a --weight-col")
    weight_col = "none" if params.get("unweighted") else params.get("weight_col")
    edges = _read_spark_edges(spark, params, stages, weight_col)
    return social_graph(edges, progress=stages.stage if stages is not None else None)


@contextlib.contextmanager
def spark_cascades(spark, ig):
    """The Spark cascade runner for ``ig`` (None without a session: the local engine)."""
    if spark is None:
        yield None
        return
    from ..spark import SparkCascades

    with SparkCascades(spark.sparkContext, ig) as run:
        yield run
