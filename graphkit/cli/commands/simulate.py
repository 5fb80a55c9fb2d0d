"""``graphkit simulate``: how far a campaign seeded at chosen users spreads."""

from __future__ import annotations

import click

from .._errors import handle_errors
from .._options import (
    CONTEXT_SETTINGS,
    build_influence_graph,
    check_prob_options,
    edge_input_options,
    engine_options,
    load_graph,
    output_options,
    probability_options,
    random_seed_option,
    read_membership_file,
    resolve_seed,
    runs_callback,
)
from .._output import Stages, print_df_table, print_json, stdout_console, warn, write_output


@click.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("--seeds", "seed_list", metavar="A,B,...", default=None,
              help="Seed users (ids, comma separated).")
@click.option("--seeds-file", type=click.Path(dir_okay=False), default=None,
              help="Seed users from FILE: one id per line, or a 'user' column of a CSV.")
@click.option("--model", type=click.Choice(["ic", "lt"]), default="ic", show_default=True,
              help="Independent Cascade or Linear Threshold.")
@probability_options
@click.option("--runs", metavar="N|auto", default="10000", show_default=True,
              callback=runs_callback,
              help="Simulated cascades; 'auto' runs until the 95% CI half-width is at most 1% "
                   "of the mean (cap 1,000,000).")
@click.option("--max-steps", type=click.IntRange(min=0), default=None, metavar="S",
              help="Stop each cascade after S steps (default: until it dies out).")
@click.option("--communities", "communities_file", type=click.Path(dir_okay=False), default=None,
              help="CSV with user,community columns (what 'graphkit communities' writes): also "
                   "report the expected reach inside each community.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many of the users most likely reached to list.")
@click.option("--skip-unknown", is_flag=True,
              help="Skip seed users that are not in the graph (with a warning) instead of failing.")
@random_seed_option
@engine_options
@output_options(formats=("table", "json"))
@handle_errors
def simulate(seed_list, seeds_file, model, prob_spec, type_probs, runs, max_steps, communities_file,
             top, skip_unknown, random_seed, output, fmt, **params):
    """Simulate cascades from seed users: expected reach with a 95% confidence interval.

    Influence flows against the attention direction: when A follows, shares or
    comments on B, B's posts reach A. Reach counts the seeds. The result lists
    the mean reach and its CI, the mean number of users newly reached at each
    step, the users most likely reached and, with --communities, the expected
    reach inside each community. -o FILE.json writes the summary plus every
    reached user's probability; -o FILE.csv (or .tsv/.parquet/.txt) writes the
    per-user activation probabilities (user, probability).

    \b
    Examples:
      graphkit simulate data/example.csv --seeds alice,bob --model ic --prob wc --runs 10000
      graphkit simulate edges.csv --seeds-file seeds.csv --model lt --prob typed \\
          --type-prob share=0.05 --type-prob comment=0.03 --type-prob follow=0.01
      graphkit simulate edges.csv --seeds-file seeds.csv --prob column:p --format json
      graphkit simulate data/nethept.csv.gz --prob column:p --seeds 0,1,2 --runs auto
      graphkit simulate follows.parquet --seeds 12,57 --engine spark --spark-master 'local[4]'

    With --engine spark the runs are spread over the Spark executors against a broadcast
    influence graph, each chunk of 64 runs on its own random stream: the same
    --random-seed gives the local engine's result (exactly, when the user ids are
    integers; with text ids the users are numbered differently, so the estimate agrees
    within its CI).
    """
    import contextlib

    from ...diffusion import simulate as run_simulation
    from ...io import read_id_list
    from .._spark import (
        is_spark,
        load_spark_social,
        refuse_spark_options,
        spark_cascades,
        spark_session,
    )

    if (seed_list is None) == (seeds_file is None):
        raise click.UsageError("give the seed users with either --seeds or --seeds-file")
    name, arg = check_prob_options(prob_spec, type_probs)
    on_spark = is_spark(params)
    if on_spark:
        refuse_spark_options(params, name)
    quiet = click.get_current_context().find_root().meta.get("quiet")
    seed = resolve_seed(random_seed)
    with Stages(enabled=not quiet) as st, (
            spark_session(params, st) if on_spark else contextlib.nullcontext()) as spark:
        if on_spark:
            graph, edges = load_spark_social(spark, params, st), None
        else:
            graph, edges = load_graph(params, st, extra_cols=(arg,) if name == "column" else ())
        if seeds_file is not None:
            seed_ids = read_id_list(seeds_file)
        else:
            seed_ids = [s.strip() for s in seed_list.split(",") if s.strip()]
        st.stage(f"computing edge probabilities ({prob_spec})")
        ig = build_influence_graph(graph, edges, prob_spec, type_probs, seed)
        partition = read_membership_file(communities_file, graph) if communities_file else None
        target = "auto" if runs == "auto" else f"{runs:,}"
        st.stage(f"simulating {target} runs")

        with spark_cascades(spark, ig) as cascades:
            est = run_simulation(ig, seed_ids, model, runs=runs, rng=seed, max_steps=max_steps,
                                 partition=partition, missing="drop" if skip_unknown else "raise",
                                 progress=st.stage, cascades=cascades)
    if est.unknown_seeds:
        shown = ", ".join(repr(u) for u in est.unknown_seeds[:10])
        more = f" and {len(est.unknown_seeds) - 10} more" if len(est.unknown_seeds) > 10 else ""
        k = len(est.unknown_seeds)
        warn(f"skipped {k} seed user{'s' if k != 1 else ''} not in the graph: {shown}{more}")
    if est.converged is False:
        warn(f"--runs auto stopped at the cap of {est.runs:,} runs before the 95% CI half-width "
             "reached 1% of the mean")
    if output is not None:
        meta = {k: v for k, v in est.to_dict(top=top, full=True).items() if k != "reached"}
        meta["random_seed"] = seed
        write_output(est.reached(), output, meta=meta)
        if fmt == "table":  # the file holds the per-user table; the headline still shows
            _print_headline(est, graph.n_nodes)
            return
    if fmt == "json":
        print_json(est.to_dict(top=top))
        return
    _print_simulation(est, graph.n_nodes, top)


def _print_simulation(est, n_users: int, top: int) -> None:
    import pandas as pd

    _print_headline(est, n_users)
    steps = pd.DataFrame({"step": range(len(est.per_step)), "new": est.per_step,
                          "cumulative": est.per_step_cumulative})
    caption = "means over runs; step 0 = seeds"
    if len(steps) > 15:
        caption += f"; {len(steps) - 15} later steps add {steps['new'].iloc[15:].sum():.3g} users"
        steps = steps.head(15)
    print_df_table(steps, title="reach per step", caption=caption, floatfmt="{:,.3f}")
    reached = est.top_reached(top)
    if len(reached):
        print_df_table(reached, title="most likely reached",
                       caption="seeds left out", floatfmt="{:.4f}")
    if est.per_community is not None:
        pc = est.per_community.assign(community=est.per_community["community"].astype(str))
        print_df_table(pc, title="reach per community", floatfmt="{:,.3f}")


def _print_headline(est, n_users: int) -> None:
    """The summary table: seeds, runs, expected reach and its 95% CI."""
    from rich.table import Table
    from rich.text import Text

    t = Table(title=f"cascade simulation ({est.model.upper()}, {est.prob})", show_header=False)
    t.add_column("what", style="bold")
    t.add_column("value", justify="right")
    shown = ", ".join(est.seeds[:5]) + (f" (+{len(est.seeds) - 5} more)" if len(est.seeds) > 5 else "")
    t.add_row("seeds", Text(f"{len(est.seeds):,}: {shown}"))
    runs = f"{est.runs:,}"
    if est.converged is not None:
        runs += " (auto: CI within 1% of the mean)" if est.converged else " (auto: cap reached)"
    t.add_row("runs", runs)
    t.add_row("expected reach (seeds included)", f"{est.mean:,.2f} of {n_users:,} users")
    t.add_row("95% confidence interval", f"{est.ci_low:,.2f} .. {est.ci_high:,.2f}")
    t.add_row("std of one run", f"{est.std:,.2f}")
    if est.max_steps is not None:
        t.add_row("max steps", f"{est.max_steps:,}")
    stdout_console().print(t)
