"""``graphkit recommend``: whom each user should follow, and the held-out test of the methods."""

from __future__ import annotations

import click

from ..._jitcache import address_space_limited
from .._errors import handle_errors
from .._options import (
    CONTEXT_SETTINGS,
    FiniteFloat,
    edge_input_options,
    load_graph,
    output_options,
    random_seed_option,
    resolve_seed,
)
from .._output import Stages, note, print_df_csv, print_df_table, print_json, write_output

#: The scorers, in the order --help lists them (the library's METHODS; kept here so that
#: --help imports nothing heavy; tests check they agree).
METHOD_CHOICES = ("ppr", "combined", "adamic-adar", "common-neighbors", "jaccard",
                  "resource-allocation", "preferential-attachment")


@click.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("--user", "users", metavar="USER", multiple=True,
              help="Recommend for this user (repeatable), e.g. --user alice.")
@click.option("--all", "all_users", is_flag=True,
              help="Recommend for every user (write them with -o recs.csv).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Candidates per user, e.g. --top 5 (with --evaluate: the k of precision@k).")
@click.option("--method", type=click.Choice(METHOD_CHOICES), default="ppr", show_default=True,
              help="The scorer: ppr (personalized PageRank from the user, best on the held-out "
                   "test), combined (PPR + Adamic-Adar) or a link-prediction index, e.g. "
                   "--method adamic-adar.")
@click.option("--damping", type=FiniteFloat(0, 1, min_open=True, max_open=True), default=0.85,
              show_default=True, help="PPR's probability of following an edge, e.g. --damping 0.7.")
@click.option("--tol", type=FiniteFloat(0, 1, min_open=True, max_open=True), default=1e-4,
              show_default=True,
              help="PPR push threshold per unit of weighted degree; smaller is more exact and "
                   "slower, e.g. --tol 1e-5.")
@click.option("--evaluate", is_flag=True,
              help="Held-out test of every method: hide the last 20% of interactions by time "
                   "(a seeded random 20% of pairs without timestamps), recommend from the rest, "
                   "report precision@k, recall@k and MRR.")
@click.option("--test-fraction", type=FiniteFloat(0, 1, min_open=True, max_open=True),
              default=0.2, show_default=True,
              help="With --evaluate: the share held out, e.g. --test-fraction 0.1.")
@click.option("--split", type=click.Choice(["auto", "time", "random"]), default="auto",
              show_default=True,
              help="With --evaluate: by time (needs timestamps) or random; auto uses time when "
                   "the data has it, e.g. --split random.")
@click.option("--no-why", "no_why", is_flag=True,
              help="Leave out the shared_contacts and why columns (faster on big graphs).")
@random_seed_option
@output_options()
@handle_errors
def recommend(users, all_users, top, method, damping, tol, evaluate, test_fraction, split,
              no_why, random_seed, output, fmt, **params):
    """Recommend whom to follow (or introduce) from who interacts with whom.

    Candidates are users not yet in contact with the user (no interaction either
    way). The default scorer is personalized PageRank from the user on the
    contact graph (the best on a held-out test of the Higgs log); the
    explanation names the shared contacts, or the path when there is none. -o writes
    user,rank,candidate,score,method,shared_contacts,why (rank 1 = best).

    \b
    Examples:
      graphkit recommend data/example.csv --user alice
      graphkit recommend data/higgs-sample.csv.gz --all --top 10 -o recs.csv
      graphkit recommend edges.csv --user alice --user bob --method adamic-adar --format json
      graphkit recommend data/higgs-sample.csv.gz --evaluate --top 10
      graphkit recommend edges.csv --evaluate --split random --random-seed 7
    """
    picked = bool(users) + all_users + evaluate
    if picked != 1:
        raise click.UsageError("give exactly one of --user USER, --all or --evaluate")
    if not evaluate and (test_fraction != 0.2 or split != "auto"):
        raise click.UsageError("--test-fraction and --split apply to --evaluate only")
    quiet = click.get_current_context().find_root().meta.get("quiet")
    if address_space_limited():  # see recommend.scorers.warm_up
        from ...recommend.scorers import warm_up

        warm_up("ppr" if evaluate else method, not (no_why or evaluate))
    with Stages(enabled=not quiet) as st:
        graph, edges = load_graph(params, st)
        if evaluate:
            ev, seed = _evaluate(edges, top, test_fraction, split, damping, tol, random_seed, st)
        else:
            from ...recommend import recommend as run

            rec = run(graph, list(users) if users else None, top=top, method=method,
                      damping=damping, tol=tol, explain=not no_why, progress=st.stage)
    if evaluate:
        _print_evaluation(ev, seed, top, test_fraction, output, fmt)
        return
    df = rec.table
    if rec.without:
        note(f"{rec.without:,} of {rec.users:,} users have no candidate (no contact yet, or "
             "every reachable user is already a contact)")
    meta = {"method": rec.method, "top": top, "users": rec.users, **rec.params}
    if output is not None:
        write_output(df, output, meta=meta)
        if fmt == "table":
            return
    if fmt == "json":
        print_json(rec.to_dict())
    elif fmt == "csv":
        print_df_csv(df)
    else:
        shown = df if output is not None or users else df.head(50)
        caption = None if len(shown) == len(df) else f"first {len(shown):,} of {len(df):,} rows (-o FILE writes all)"
        print_df_table(shown, title=f"who to follow ({rec.method})", caption=caption)


def _evaluate(edges, top, test_fraction, split, damping, tol, random_seed, st):
    import numpy as np

    from ...recommend import METHODS, evaluate_recommendations

    timed = edges.timestamp is not None and np.unique(
        edges.timestamp[~np.isnat(edges.timestamp)]).shape[0] >= 2
    if split == "time" and not timed:
        raise click.UsageError("--split time needs timestamps (a time column with two or more "
                               "distinct times); use --split random")
    random = split == "random" or (split == "auto" and not timed)
    seed = resolve_seed(random_seed) if random else None
    ev = evaluate_recommendations(edges, methods=METHODS, k=top, test_fraction=test_fraction,
                                  by="random" if random else "time", rng=seed, damping=damping,
                                  tol=tol, progress=st.stage)
    return ev, seed


def _print_evaluation(ev, seed, top, test_fraction, output, fmt):
    h = ev.holdout
    where = (f"split by time at {h.details['cut']}" if h.kind == "time"
             else f"random {test_fraction:.0%} of contact pairs held out (seed {seed})")
    note(f"{where}: {h.details['train_rows']:,} training rows, {h.details['new_pairs']:,} new "
         f"pairs to predict for {h.details['users']:,} users")
    df = ev.table.rename(columns={"precision_at_k": f"precision@{top}",
                                  "recall_at_k": f"recall@{top}"})
    meta = {"k": top, "split": h.kind, "seed": seed, **h.details, "best": ev.best}
    if output is not None:
        write_output(df, output, meta=meta)
        if fmt == "table":
            return
    if fmt == "json":
        print_json(ev.to_dict())
    elif fmt == "csv":
        print_df_csv(df)
    else:
        print_df_table(df, title=f"held-out test: {where}",
                       caption=f"best recall@{top}: {ev.best}; MRR = mean 1/rank of the first "
                               f"hit in the top {top}", floatfmt="{:.4f}")
