"""``graphkit learn``: influence probabilities from an action log, proven on held-out cascades."""

from __future__ import annotations

import click

from .._errors import handle_errors
from .._options import (
    CONTEXT_SETTINGS,
    FiniteFloat,
    edge_input_options,
    load_graph,
    random_seed_option,
    resolve_seed,
)
from .._output import Stages, note, print_df_table, print_json, stdout_console, warn

METHODS = ("bernoulli", "jaccard", "em")


def _prior_callback(ctx, param, value):
    if value is None or str(value).strip().lower() == "none":
        return None
    from ...learn import check_prior

    try:
        check_prior(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise click.BadParameter(str(exc).replace("prior must", "must")) from None
    return str(value).strip()


def _weight_callback(ctx, param, value):
    text = str(value).strip().lower()
    if text == "auto":
        return "auto"
    try:
        w = float(text)
    except ValueError:
        w = float("nan")
    if not w > 0 or w == float("inf"):
        raise click.BadParameter(f"expected a positive number or 'auto', got {value!r}")
    return w


def _output_callback(ctx, param, value):
    if value is not None and not str(value).lower().endswith((".csv", ".tsv")):
        raise click.BadParameter(f"cannot write learned probabilities to {value!r}: use a .csv or "
                                 ".tsv file (what --prob learned:FILE reads)")
    return value


@click.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("--actions", "actions_file", required=True, type=click.Path(dir_okay=False),
              metavar="FILE",
              help="Action log: user,item,timestamp rows ('user shared item at t'), or "
                   "source,target,timestamp rows ('source re-shared target at t').")
@click.option("--action-user-col", metavar="NAME", help="Column of the acting user (default: user).")
@click.option("--action-item-col", metavar="NAME", help="Column of the item (default: item).")
@click.option("--action-time-col", metavar="NAME",
              help="Column of the time, ISO 8601 or unix seconds (default: timestamp).")
@click.option("--action-form", type=click.Choice(["auto", "item", "interaction"]), default="auto",
              show_default=True,
              help="item: user shared item; interaction: user re-shared the content of the user "
                   "in the item column (auto: interaction when that column is named target).")
@click.option("--method", type=click.Choice(METHODS), default="bernoulli", show_default=True,
              help="bernoulli or jaccard (Goyal et al. 2010), em (Saito et al. 2008).")
@click.option("--window", type=FiniteFloat(min=0, min_open=True), default=None,
              metavar="SECONDS",
              help="Only a re-share at most this long after the influencer's counts as "
                   "influenced (default: any later time in the cascade).")
@click.option("--time-step", type=FiniteFloat(min=0, min_open=True), default=None,
              metavar="SECONDS",
              help="em only: discrete time steps of this length; influencers are the users "
                   "active in the previous step.")
@click.option("--prior", default=None, metavar="MODEL", callback=_prior_callback,
              help="Shrink estimates toward wc or uniform:P by --prior-weight pseudo-trials; "
                   "edges without evidence get the prior (default: none, they get 0).")
@click.option("--prior-weight", default="1", show_default=True, callback=_weight_callback,
              metavar="W|auto",
              help="Weight of --prior, in trials; auto: chosen by validation on the latest 20% "
                   "of the cascades learned from.")
@click.option("--holdout", type=FiniteFloat(0, 1, max_open=True), default=0.2,
              show_default=True,
              help="Fraction of cascades, the latest by start time, held out for the "
                   "evaluation (0: no evaluation).")
@click.option("--runs", type=click.IntRange(min=1), default=100, show_default=True,
              help="Simulated cascades per test cascade and probability model. An activation "
                   "probability below about 1/RUNS reads 0; on the Higgs sample the "
                   "learned-vs-wc verdict settles from about 50000 (minutes).")
@click.option("--uniform-p", type=FiniteFloat(0, 1), default=0.01, show_default=True,
              help="Probability of the uniform baseline.")
@click.option("--eval-graph", type=click.Choice(["before-split", "all"]), default="before-split",
              show_default=True,
              help="Evaluate on the edge rows timestamped before the first test cascade (plus "
                   "rows without a time), so the test cascades' own interactions cannot leak "
                   "into the graph; or on all rows.")
@random_seed_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              callback=_output_callback,
              help="Write the probabilities learned from all cascades to FILE (.csv/.tsv: "
                   "source,target,p,propagations,trials), for --prob learned:FILE.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="How to print the result on stdout.")
@handle_errors
def learn(actions_file, action_user_col, action_item_col, action_time_col, action_form, method,
          window, time_step, prior, prior_weight, holdout, runs, uniform_p, eval_graph,
          random_seed, output, fmt, **params):
    """Learn edge probabilities from an action log and test them on later cascades.

    A cascade is every action on one item, in time order. The cascades are split
    by start time: the estimator learns from the earlier ones only, then each
    held-out cascade is replayed from its initiators with the learned, wc,
    uniform and trivalency probabilities, and every other user's simulated
    activation probability is scored against who really acted (ROC-AUC, average
    precision, error of the predicted size), with the learned-minus-wc difference
    and its 95% interval. Without simulation, the users one of whose influencers
    acted are scored 1 - prod(1 - p) over those influencers (exposed users). The
    probabilities written with -o are learned from all cascades, in the format
    --prob learned:FILE reads (source acted on target; target influences source
    with probability p).

    \b
    Examples:
      graphkit learn data/higgs-sample.csv.gz --actions data/higgs-actions.csv.gz -o probabilities.csv
      graphkit learn follows.csv --actions shares.csv --method em --holdout 0.2 --format json
      graphkit learn data/higgs-sample.csv.gz --actions data/higgs-actions.csv.gz --prior wc --runs 50000
      graphkit seeds follows.csv -k 20 --prob learned:probabilities.csv
    """
    from ...learn import Cascades, evaluate_probabilities, make_estimator, read_actions

    if time_step is not None and method != "em":
        raise click.UsageError("--time-step applies to --method em only")
    if prior_weight == "auto" and prior is None:
        raise click.UsageError("--prior-weight auto needs a --prior (e.g. --prior wc)")
    est_params = {"window": window, "prior": prior, "prior_weight": prior_weight}
    if method == "em":
        est_params["time_step"] = time_step
    quiet = click.get_current_context().find_root().meta.get("quiet")
    seed = resolve_seed(random_seed) if holdout > 0 else None
    with Stages(enabled=not quiet) as st:
        graph, edges = load_graph(params, st)
        st.stage("reading the action log")
        log = read_actions(actions_file, user_col=action_user_col, item_col=action_item_col,
                           time_col=action_time_col, form=action_form)
        cascades = Cascades.from_actions(graph, log)
        _note_actions(log.report, cascades.report, actions_file)
        evaluation = None
        if holdout > 0:
            st.stage("learning from the training cascades")
            evaluation = evaluate_probabilities(
                graph, cascades, make_estimator(method, **est_params), holdout=holdout,
                runs=runs, uniform_p=uniform_p,
                edges=edges if eval_graph == "before-split" else None, rng=seed,
                progress=st.stage)
        st.stage("learning from all cascades")
        est = make_estimator(method, **est_params).fit(graph, cascades)
        if output is not None:
            st.stage(f"writing {output}")
            est.write(output)
    if method == "em" and not est.converged_:
        warn(f"EM stopped at the iteration cap ({est.n_iter_:,}) before converging")
    if output is not None:
        note(f"wrote {graph.n_edges:,} edge probabilities to {output} "
             f"(use --prob learned:{output})")
    payload = _payload(method, est, est_params, graph, cascades, evaluation, seed)
    if fmt == "json":
        print_json(payload)
        return
    _print_learn(payload, est, evaluation)


def _note_actions(log_report: dict, casc_report: dict, path: str) -> None:
    if not log_report.get("time_sorted", True):
        note(f"{path}: the rows are not in time order; sorted by time before use")
    if log_report.get("form") == "interaction":
        note(f"{path}: interaction rows (user re-shared the target's content): "
             f"{log_report.get('initiators_added', 0):,} authors added as their items' initiators")
    if casc_report["unknown_user_actions"]:
        note(f"{path}: {casc_report['unknown_user_actions']:,} actions by "
             f"{casc_report['unknown_users']:,} users not in the graph ignored")
    if casc_report["repeat_actions"]:
        note(f"{path}: {casc_report['repeat_actions']:,} repeated actions of a user on the same "
             "item ignored (the first one counts)")


def _payload(method, est, est_params, graph, cascades, evaluation, seed) -> dict:
    out = {
        "method": method,
        "params": {k: v for k, v in est_params.items()},
        "edges": graph.n_edges,
        "edges_learned": est.edges_learned_,
        "edges_nonzero": int((est.probs_ > 0).sum()),
        "mean_p_learned": float(est.probs_[est.trials_ > 0].mean()) if est.edges_learned_ else None,
        "prior_weight": est.prior_weight_,
        "cascades": cascades.n_cascades,
        "actions": cascades.report,
        "evaluation": None if evaluation is None else evaluation.to_dict(),
        "comparison": None if evaluation is None else evaluation.comparison_dict(),
        "coverage": None if evaluation is None else evaluation.coverage,
        "split": None if evaluation is None else evaluation.summary(),
    }
    if method == "em":
        out["em"] = {"iterations": est.n_iter_, "converged": bool(est.converged_),
                     "log_likelihood": est.log_likelihood_}
    if seed is not None:
        out["random_seed"] = seed
    return out


#: Below this many runs the verdict comes with a hint about the resolution of the scores.
_FINE_RUNS = 50_000
_SAYS = {"better": "beat", "worse": "do not beat", "no significant difference": "tie with"}


def _print_verdict(evaluation) -> None:
    """The learned model against wc (paired, with its 95% interval) and what was reachable."""
    from rich.text import Text

    from ...learn import verdict

    row = evaluation.comparison.set_index(["model", "metric"]).loc[("wc", "auc")]
    if verdict(row) == "too few cascades":
        stdout_console().print(Text("too few held-out cascades to compare the models"))
    else:
        stdout_console().print(Text(
            f"the learned probabilities {_SAYS[verdict(row)]} wc on held-out ROC-AUC: "
            f"difference {row['mean_diff']:+.4f} (95% CI {row['ci_low']:+.4f} to "
            f"{row['ci_high']:+.4f}; {int(row['wins']):,} cascades won, "
            f"{int(row['losses']):,} lost, {int(row['ties']):,} tied)"))
        if evaluation.runs < _FINE_RUNS:
            stdout_console().print(Text(
                f"with {evaluation.runs:,} runs an activation probability below about "
                f"{1.0 / evaluation.runs:.2g} reads 0, which favours models that spread widely; "
                f"--runs {_FINE_RUNS} or more resolves finer (slower)"))
    cov = evaluation.coverage
    total = cov["resharers"]
    if total:
        def pct(k):
            return f"{cov[k]:,} ({100.0 * cov[k] / total:.1f}%)"
        stdout_console().print(Text(
            f"held-out re-sharers: {total:,}; {pct('direct')} next to an initiator, "
            f"{pct('path')} reached by longer paths, {pct('unreachable')} by no path in "
            f"the graph (every model scores them 0); {pct('exposed')} had an influencer act "
            "before them"))


def _print_exposure(evaluation) -> None:
    """The exposed-user table and the learned-vs-wc interval on it."""
    from rich.text import Text

    from ...learn import verdict

    exp = evaluation.exposure
    n_exp, n_pos = int(exp["exposed"].iloc[0]), int(exp["positives"].iloc[0])
    if n_exp == 0:
        stdout_console().print(Text("exposed users: none (no influencer of anyone acted in the "
                                    "held-out cascades): no exposure scores"))
        return
    print_df_table(exp[["model", "auc", "average_precision", "exposed", "positives"]],
                   title="exposed users (no simulation)", floatfmt="{:.4f}")
    stdout_console().print(Text(
        f"{n_exp:,} (cascade, user) pairs where an influencer of the user acted first, "
        f"{n_pos:,} of them followed by the user; each scored 1 - prod(1 - p) over those "
        "influencers: the probabilities tested where they act (Goyal et al., WSDM 2010)"))
    row = evaluation.comparison.set_index(["model", "metric"]).loc[("wc", "exposed_auc")]
    if verdict(row) != "too few cascades":
        stdout_console().print(Text(
            f"on exposed users the learned probabilities {_SAYS[verdict(row)]} wc: AUC "
            f"difference {row['mean_diff']:+.4f} (95% bootstrap CI {row['ci_low']:+.4f} "
            f"to {row['ci_high']:+.4f} over resampled cascades)"))


def _print_learn(payload: dict, est, evaluation) -> None:
    import pandas as pd
    from rich.table import Table

    t = Table(title=f"learned influence probabilities ({payload['method']})", show_header=False)
    t.add_column("what", style="bold")
    t.add_column("value", justify="right")
    a = payload["actions"]
    t.add_row("actions used", f"{a['actions']:,} of {a['actions_read']:,}")
    t.add_row("cascades (items)", f"{payload['cascades']:,}")
    t.add_row("edges with evidence", f"{payload['edges_learned']:,} of {payload['edges']:,}")
    t.add_row("edges with p > 0", f"{payload['edges_nonzero']:,}")
    if payload["mean_p_learned"] is not None:
        t.add_row("mean p (edges with evidence)", f"{payload['mean_p_learned']:.4f}")
    if payload["prior_weight"] is not None:
        t.add_row("prior weight (pseudo-trials)", f"{payload['prior_weight']:g}")
    if "em" in payload:
        em = payload["em"]
        t.add_row("EM iterations", f"{em['iterations']:,}" + ("" if em["converged"] else
                                                               " (not converged)"))
    stdout_console().print(t)

    if evaluation is not None:
        s = evaluation.summary()
        table = evaluation.table.drop(columns=["cascades"])
        n_eval, n_train = s["evaluated_cascades"], s["train_cascades"]
        caption = (f"macro-averages over {n_eval:,} held-out cascade{'s' * (n_eval != 1)} "
                   f"(started from {s['split_time']}; learned from the {n_train:,} earlier "
                   f"one{'s' * (n_train != 1)}); {s['runs']:,} IC runs each; graph: "
                   f"{s['eval_graph']} ({s['eval_graph_edges']:,} edges)")
        print_df_table(table, title="held-out evaluation (higher AUC/AP, lower size error = "
                                    "better)", caption=caption, floatfmt="{:.4f}")
        _print_verdict(evaluation)
        _print_exposure(evaluation)

    frame = est.to_frame()
    frame = frame[frame["trials"] > 0]
    if len(frame):
        top = frame.sort_values(["p", "trials", "target", "source"],
                                ascending=[False, False, True, True], kind="mergesort").head(10)
        top = pd.DataFrame({"influencer": top["target"], "influenced": top["source"],
                            "p": top["p"], "propagations": top["propagations"],
                            "trials": top["trials"]})
        print_df_table(top, title="strongest learned influence",
                       caption="influencer's content reaches the influenced user with "
                               "probability p", floatfmt="{:.4f}")
