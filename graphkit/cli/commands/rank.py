"""``graphkit rank``: who are the influencers."""

from __future__ import annotations

import click

from .._errors import handle_errors
from .._options import (
    CONTEXT_SETTINGS,
    RANK_MEASURES,
    FiniteFloat,
    edge_input_options,
    engine_options,
    load_graph,
    output_options,
    random_seed_option,
    resolve_seed,
)
from .._output import Stages, emit, note


@click.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("--by", type=click.Choice(RANK_MEASURES), default="pagerank", show_default=True,
              help="The influence measure.")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Keep the N best users (default: 20 on the terminal, all users in files).")
@click.option("--damping", type=FiniteFloat(0, 1, min_open=True, max_open=True), default=0.85,
              show_default=True, help="PageRank damping factor.")
@click.option("--personalize", type=click.Path(dir_okay=False), default=None,
              help="PageRank restarts only at the users listed in FILE (one id per line, or a "
                   "'user' column).")
@click.option("--edge-type", metavar="TYPE", default=None,
              help="With --by indegree: count only interactions of this type (e.g. share).")
@click.option("--samples", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Sampled source users for approximate betweenness.")
@random_seed_option
@engine_options
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
      graphkit rank soc-sign-bitcoinotc.csv --signed --top 10   # adds a distrust column
      graphkit rank facebook_combined.txt.gz --undirected --top 10
      graphkit rank CollegeMsg.txt --since 2004-05-01 --until 2004-05-31
      graphkit rank follows.parquet --engine spark --spark-master 'local[4]' --top 20
    """
    if params.get("engine") == "spark":  # --engine spark: graphkit.spark (issue 17)
        from .._spark import spark_rank

        return spark_rank(params, by=by, top=top, damping=damping, personalize=personalize,
                          unweighted=unweighted, output=output, fmt=fmt,
                          edge_type=edge_type)
    from ...ranking import ranked_columns

    quiet = click.get_current_context().find_root().meta.get("quiet")
    seed = resolve_seed(random_seed) if by == "betweenness" else None
    with Stages(enabled=not quiet) as st:
        graph, edges = load_graph(dict(params, unweighted=unweighted), st)
        personalization = None
        if personalize is not None:
            if by != "pagerank":
                raise click.UsageError("--personalize applies to --by pagerank only")
            from ...io import read_id_list

            personalization = read_id_list(personalize)
        st.stage(f"ranking by {by}")
        show_top = top if top is not None else (20 if (output is None and fmt == "table") else None)
        if edge_type is not None and by != "indegree":
            raise click.UsageError("--edge-type applies to --by indegree only")
        # the table as NumPy columns: written and shown without importing pandas
        cols, attrs = ranked_columns(
            graph, method=by, top=top if output is not None else show_top, damping=damping,
            personalization=personalization, weighted=False if unweighted else None,
            edge_type=edge_type, samples=samples if by == "betweenness" else None, rng=seed,
        )
    # the library keeps followers/shares_received/comments_received for a stable schema;
    # here a column of a type the data does not have (always 0) is noise: left out
    absent = {"followers": "follow", "shares_received": "share", "comments_received": "comment"}
    cols = {c: v for c, v in cols.items() if not (c in absent and absent[c] not in graph.types)}
    if edges.distrust is not None:  # --signed: negative ratings received, never attention
        import pandas as pd

        received = pd.Series(edges.distrust, index=pd.Index(edges.node_ids))
        cols["distrust"] = received.reindex(pd.Index(cols["user"])).fillna(0).to_numpy(dtype="int64")
    if by == "betweenness":
        used = attrs.get("samples", samples)
        note(f"betweenness estimated from {used:,} sampled source users (--samples)")
    meta = {"measure": by, "users": graph.n_nodes, "parameters": dict(attrs)}
    shown = len(cols["user"])
    emit(cols, output, fmt, meta=meta, title=f"influencers by {by} (received interactions)",
         caption=f"top {shown:,} of {graph.n_nodes:,} users" if shown < graph.n_nodes else None,
         short_names=True)
