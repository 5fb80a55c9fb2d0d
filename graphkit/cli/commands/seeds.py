"""``graphkit seeds``: which users to seed for the largest reach."""

from __future__ import annotations

import click

from .._errors import handle_errors
from .._options import (
    CONTEXT_SETTINGS,
    FiniteFloat,
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
)
from .._output import Stages, note, print_df_table, print_json, stdout_console, write_output

#: graphkit.seeds.METHODS, spelled out so that --help imports nothing heavy (a test keeps them equal).
SEED_METHODS = ("opim", "imm", "celf", "degree-discount", "pagerank", "degree", "random")


def _size_callback(ctx, param, value):
    if value is None:
        return None
    text = str(value).strip().upper().removesuffix("B").removesuffix("I")
    mult = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}.get(text[-1:], 1)
    try:
        size = float(text[:-1] if mult > 1 else text) * mult
    except ValueError:
        size = 0
    if not size > 0:
        raise click.BadParameter(f"expected a size such as 500M or 2G, got {value!r}")
    return size


def _id_file(path: str, graph, what: str) -> list[str]:
    """Ids from a list file; users not in the graph stop with one line naming them."""
    from ...errors import InputError
    from ...graph import unknown_ids
    from ...io import read_id_list

    ids = read_id_list(path)
    bad = unknown_ids(graph, ids)
    if bad:
        shown = ", ".join(repr(u) for u in bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
        raise InputError(f"{len(bad)} {what} not in the graph: {shown}", path)
    return ids


@click.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("-k", "k", type=click.IntRange(min=1), default=None,
              help="Seeds to pick in total (--include users count).")
@click.option("--method", type=click.Choice(SEED_METHODS), default="opim", show_default=True,
              help="opim (with a guarantee, and the ratio it certifies), imm (the same "
                   "guarantee, 1.4-1.9x the RR sets), celf (Monte Carlo greedy, small "
                   "graphs) or a heuristic.")
@click.option("--model", type=click.Choice(["ic", "lt"]), default="ic", show_default=True,
              help="Independent Cascade or Linear Threshold.")
@probability_options
@click.option("--epsilon", type=FiniteFloat(0, 1, min_open=True, max_open=True), default=0.1,
              show_default=True,
              help="IMM's / OPIM's accuracy: spread >= (1 - 1/e - epsilon) x optimum.")
@click.option("--costs", "costs_file", type=click.Path(dir_okay=False), default=None,
              help="CSV with user,cost columns; only these users can be picked.")
@click.option("--budget", type=FiniteFloat(min=0, min_open=True), default=None,
              help="With --costs: buy seeds while their total cost fits (instead of -k).")
@click.option("--target", "target_file", type=click.Path(dir_okay=False), default=None,
              help="Only reaching the users listed in FILE counts.")
@click.option("--target-community", metavar="ID", default=None,
              help="Only reaching the users of this community counts (with --communities).")
@click.option("--communities", "communities_file", type=click.Path(dir_okay=False), default=None,
              help="CSV with user,community columns, for --target-community.")
@click.option("--exclude", "exclude_file", type=click.Path(dir_okay=False), default=None,
              help="Never pick the users listed in FILE.")
@click.option("--include", "include_file", type=click.Path(dir_okay=False), default=None,
              help="Users listed in FILE are already signed: fixed seeds; the rest is picked "
                   "given them.")
@click.option("--runs", type=click.IntRange(min=2), default=10000, show_default=True,
              help="Most simulated cascades for the independent spread estimate of each seed "
                   "set; it stops early once the 95% CI is within 0.2% of the mean.")
@click.option("--no-baselines", is_flag=True, help="Skip the baseline comparison.")
@click.option("--max-memory", metavar="SIZE", default=None, callback=_size_callback,
              help="Memory limit for the RR sets, e.g. 2G (default: half of the available RAM).")
@random_seed_option
@engine_options
@output_options(formats=("table", "json"))
@handle_errors
def seeds(k, method, model, prob_spec, type_probs, epsilon, costs_file, budget, target_file,
          target_community, communities_file, exclude_file, include_file, runs, no_baselines,
          max_memory, random_seed, output, fmt, **params):
    """Pick the users to seed so a campaign reaches the most people.

    OPIM-C (default) picks k seeds whose expected spread is at least
    (1 - 1/e - epsilon) of the best possible, with probability 1 - 1/n, and
    reports the ratio it certifies (often much higher); --method imm gives the
    same guarantee with 1.4-1.9x the RR sets. The chosen set is then
    re-simulated on independent random streams (95% CI) and
    compared with the same number of users picked by top in-degree, top
    PageRank and degree discount under the same constraints. -o FILE writes the
    seed table (.csv/.parquet; .txt = one id per line) or everything (.json).

    \b
    Examples:
      graphkit seeds data/higgs-sample.csv.gz -k 20
      graphkit seeds edges.csv -k 50 --model lt --epsilon 0.05 -o seeds.csv
      graphkit seeds edges.csv --costs fees.csv --budget 10000
      graphkit seeds edges.csv -k 30 --target audience.txt --exclude competitors.txt \\
          --include signed.txt
      graphkit seeds edges.csv -k 20 --method degree-discount --format json
      graphkit seeds follows.parquet -k 50 --engine spark --spark-master yarn -o seeds.csv

    With --engine spark, OPIM (the default there too) and IMM draw their RR sets
    on the Spark executors against a broadcast influence graph; the greedy runs on
    the driver when the sets have at most 50M members (--spark-conf
    spark.graphkit.seeds.driverMembers=N; 0: one Spark job a pick instead). CELF,
    the heuristics and --costs/--budget stay local; the evaluation cascades run on
    Spark too. The same --random-seed gives the local
    engine's seeds, ratio and spread (exactly, when the user ids are integers; with
    text ids the users are numbered differently).
    """
    import contextlib

    from ...graph import unknown_ids
    from ...io import read_costs
    from ...seeds import select_seeds
    from .._spark import is_spark, load_spark_social, refuse_spark_options, spark_session

    if budget is not None and costs_file is None:
        raise click.UsageError("--budget needs --costs FILE (the price of each user)")
    if k is not None and budget is not None:
        raise click.UsageError("give -k (number of seeds) or --budget (with --costs), not both")
    if k is None and budget is None:
        raise click.UsageError("give -k K (number of seeds), or --costs FILE with --budget B")
    if target_file is not None and target_community is not None:
        raise click.UsageError("give --target FILE or --target-community ID, not both")
    if (target_community is None) != (communities_file is None):
        raise click.UsageError("--target-community ID and --communities FILE go together")
    name, arg = check_prob_options(prob_spec, type_probs)
    on_spark = is_spark(params)
    if on_spark:
        ctx = click.get_current_context()
        given = ctx.get_parameter_source("method") != click.core.ParameterSource.DEFAULT
        if given and method not in ("opim", "imm"):
            raise click.UsageError(f"--method {method} is not supported with --engine spark "
                                   "(use --method opim or imm, or the local engine)")
        refuse_spark_options(params, name, costs=costs_file, budget=budget)
        from ...spark.seeds import DRIVER_MEMBERS_CONF, parse_driver_members
        from .._spark import conf_setting

        on_driver = conf_setting(parse_driver_members,
                                 (params.get("spark_conf") or {}).get(DRIVER_MEMBERS_CONF))
    quiet = click.get_current_context().find_root().meta.get("quiet")
    seed = resolve_seed(random_seed)
    with Stages(enabled=not quiet) as st, (
            spark_session(params, st) if on_spark else contextlib.nullcontext()) as spark:
        if on_spark:
            graph, edges = load_spark_social(spark, params, st), None
        else:
            graph, edges = load_graph(params, st, extra_cols=(arg,) if name == "column" else ())
        include = _id_file(include_file, graph, "included users") if include_file else ()
        exclude = _id_file(exclude_file, graph, "excluded users") if exclude_file else ()
        targets = _id_file(target_file, graph, "target users") if target_file else None
        if target_community is not None:
            from ...errors import InputError

            member = read_membership_file(communities_file, graph)
            targets = [u for u, c in member.items() if str(c) == str(target_community)]
            outside = set(unknown_ids(graph, targets))
            targets = [u for u in targets if u not in outside]
            if not targets:
                raise InputError(f"community {target_community!r} has no user in the graph",
                                 communities_file)
        costs = None
        if costs_file is not None:
            from ...errors import InputError

            costs = read_costs(costs_file)
            bad = unknown_ids(graph, costs)
            if bad:
                shown = ", ".join(repr(u) for u in bad[:10])
                more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
                raise InputError(f"{len(bad)} users with a cost are not in the graph: {shown}{more}",
                                 costs_file)
        st.stage(f"computing edge probabilities ({prob_spec})")
        ig = build_influence_graph(graph, edges, prob_spec, type_probs, seed)
        if on_spark:
            from ...spark import select_seeds as spark_select

            if on_driver is None:  # spark-submit --conf, or a session already running
                on_driver = conf_setting(parse_driver_members,
                                         spark.conf.get(DRIVER_MEMBERS_CONF, None))
            sel = spark_select(spark, ig, k, method=method, model=model, epsilon=epsilon,
                               targets=targets,
                               include=include, exclude=exclude, evaluate_runs=runs,
                               baselines=not no_baselines, max_memory=max_memory, rng=seed,
                               social=graph, driver_members=on_driver, progress=st.stage)
        else:
            sel = select_seeds(ig, k, method=method, model=model, epsilon=epsilon,
                               targets=targets, include=include, exclude=exclude, costs=costs,
                               budget=budget, evaluate_runs=runs, baselines=not no_baselines,
                               max_memory=max_memory, rng=seed, social=graph,
                               progress=st.stage)
    if output is not None:
        from ...io import format_of

        if format_of(output) == "json":
            sel.write(output)
            note(f"wrote {sel.n_seeds:,} seeds to {output}")
        else:
            write_output(sel.columns, output)
        if fmt == "table":
            return
    if fmt == "json":
        print_json({**sel.to_dict(), "random_seed": seed})
        return
    _print_seeds(sel, graph.n_nodes)


def _print_seeds(sel, n_users: int) -> None:
    import numpy as np
    from rich.table import Table
    from rich.text import Text

    d = sel.details
    what = "target users reached" if "targets" in d else "users reached"
    eps = f", epsilon {sel.epsilon:g}" if sel.epsilon is not None else ""
    source = {"imm": "IMM's RR-set estimate", "opim": "OPIM's validation RR sets",
              "celf": "CELF's simulations"}.get(
        sel.method, "estimated on independent RR sets")
    print_df_table(sel.columns, title=f"seeds by {sel.method} ({sel.model.upper()}, {sel.prob}{eps})",
                   caption=f"marginal gain and cumulative spread ({what}): {source}",
                   floatfmt="{:,.2f}")
    t = Table(title="expected reach", show_header=False)
    t.add_column("what", style="bold")
    t.add_column("value", max_width=80)
    pop = f"{d['targets']:,} targets" if "targets" in d else f"{n_users:,} users"
    s = sel.spread
    t.add_row(f"{what} (independent simulation)",
              f"{s.mean:,.2f} of {pop}, 95% CI {s.ci_low:,.2f} .. {s.ci_high:,.2f} "
              f"({s.runs:,} runs)")
    if sel.guarantee:
        t.add_row("guarantee", Text(sel.guarantee))
    if "certified_ratio" in d:
        t.add_row("certified ratio", f"{d['certified_ratio']:.3f} (target {d['target_ratio']:.3f}; "
                                     f"reach >= {d['spread_lower']:,.1f}, optimum <= "
                                     f"{d['opt_upper']:,.1f})")
        t.add_row("RR sets", f"{d['rr_sets']:,} ({d['theta']:,} to pick the seeds, "
                             f"{d['rounds']} rounds)")
    elif "theta" in d:
        t.add_row("RR sets", f"{d['theta']:,} (+ {d['sampling_sets']:,} to bound the optimum, "
                             f"{d['rounds']} rounds)")
    if "budget" in d:
        t.add_row("cost", f"{d.get('spent', 0):,.2f} of the budget {d['budget']:,.2f}")
    stdout_console().print(t)
    if not sel.baselines:
        return
    rows = [(f"{sel.method} (recommended)", sel.n_seeds, s, "—")]
    for name, b in sorted(sel.baselines.items(), key=lambda kv: -kv[1].mean):
        diff = 100.0 * (s.mean / b.mean - 1) if b.mean > 0 else float("nan")
        rows.append((name, len(sel.baseline_seeds[name]), b, f"{diff:+.1f}%"))

    def text(values):
        return np.array(values, dtype=object)

    print_df_table({"method": text([r[0] for r in rows]),
                    "seeds": np.array([r[1] for r in rows], dtype=np.int64),
                    "reach": np.array([float(r[2].mean) for r in rows]),
                    "ci_low": np.array([float(r[2].ci_low) for r in rows]),
                    "ci_high": np.array([float(r[2].ci_high) for r in rows]),
                    "recommended vs it": text([r[3] for r in rows])},
                   title="baselines (same constraints, same simulations)", floatfmt="{:,.2f}")
    best, b = sel.best_baseline()
    imp = sel.improvement()
    if imp is not None:
        overlap = " (CIs overlap)" if s.ci_low <= b.ci_high and b.ci_low <= s.ci_high else ""
        stdout_console().print(f"{sel.method}: {imp:+.1f}% vs best baseline ({best}){overlap}")
