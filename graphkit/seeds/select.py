"""Public seed selection: pick k users, prove the pick by independent simulation and baselines.

:func:`select_seeds` runs one method (OPIM-C by default), re-estimates the chosen set's
spread by Monte Carlo simulation on a random stream the selection never saw, picks the
same number of users with the baselines (top in-degree, top PageRank, degree discount)
under the same constraints and simulates them the same way, and estimates everyone's
spread-vs-k curve on a fresh collection of RR sets. The result is a
:class:`SeedSelection`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .._progress import Progress, silent
from ..diffusion.estimate import SpreadEstimate
from ._constraints import Constraints, resolve
from ._evaluation import CURVE_COLUMNS, _curve_part, _eval_sets, _evaluate, _stack

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .._rng import RngLike

__all__ = ["select_seeds", "SeedSelection", "METHODS", "BASELINES"]

#: Methods :func:`select_seeds` accepts.
METHODS = ("opim", "imm", "celf", "degree-discount", "pagerank", "degree", "random")
#: Baselines run beside the method (the method itself is left out).
BASELINES = ("degree", "pagerank", "degree-discount")


@dataclass(frozen=True, eq=False)
class SeedSelection:
    """The seeds to pick, their independently estimated spread, and the baselines.

    Returned by :func:`select_seeds`; do not build it by hand.

    Attributes
    ----------
    table : pandas.DataFrame
        ``rank, user, marginal_gain, cumulative_spread`` (+ ``cost`` with costs,
        + ``included`` with included users, listed first). ``marginal_gain`` and
        ``cumulative_spread`` are the method's own estimates (IMM: its RR sets; OPIM:
        its validation sets; CELF: its simulations; heuristics: the curve's independent
        RR sets). Built from ``columns`` on first access.
    columns : dict of str to numpy.ndarray
        The same table without pandas: column name -> 1-d array, in order (``user`` an
        object array of str); ``table`` is ``pandas.DataFrame(columns)``. The command
        line writes and prints these, so it never imports pandas.
    spread : SpreadEstimate
        The whole set's expected reach by Monte Carlo simulation on a random stream the
        selection did not use (mean, 95% CI, runs). With targets, ``mean`` and the CI
        count target users only (CI from batch means); ``per_step`` and
        ``activation_probability`` still cover every user.
    baselines : dict of str to SpreadEstimate
        The same evaluation for each baseline's set (same random streams: paired).
    baseline_seeds : dict of str to list of str
    curve : pandas.DataFrame
        Spread vs number of seeds, ``name, k, spread, ci_low, ci_high, estimate``: for
        the method and every baseline, each prefix's spread estimated on independent RR
        sets (unbiased for sets chosen without them, 95% binomial CI); ``estimate`` is
        the method's own estimate (NaN for baselines). Built from ``curve_columns`` on
        first access.
    curve_columns : dict of str to numpy.ndarray
        The curve without pandas (``CURVE_COLUMNS``, ``name`` an object array of str).
    method, model, prob : str
    epsilon : float or None
        IMM's or OPIM's epsilon (None for other methods).
    guarantee : str or None
        The approximation statement that applies (IMM, OPIM), else None.
    details : dict
        Method details (IMM: ``theta``, ``sampling_sets``, ``rounds``, ``lower_bound``,
        ``ell``, ...; OPIM: ``certified_ratio``, ``target_ratio``, ``bounds_ratio``,
        ``spread_lower``, ``opt_upper``, ``theta``, ``rr_sets``, ``rounds``, ...),
        ``budget``/``spent``, ``targets``, seeds of the random streams.
    """

    columns: dict
    spread: SpreadEstimate
    baselines: dict
    baseline_seeds: dict
    curve_columns: dict
    method: str
    model: str
    prob: str
    epsilon: float | None
    guarantee: str | None
    details: dict = field(default_factory=dict)

    @cached_property
    def table(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.columns)

    @cached_property
    def curve(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.curve_columns, columns=list(CURVE_COLUMNS))

    @property
    def n_seeds(self) -> int:
        """Number of seeds (rows of ``table``)."""
        return len(self.columns["user"])

    @property
    def seeds(self) -> list[str]:
        return self.columns["user"].tolist()

    def best_baseline(self) -> tuple[str, SpreadEstimate] | None:
        """The baseline with the highest mean spread (ties by name), or None."""
        if not self.baselines:
            return None
        name = min(self.baselines, key=lambda b: (-self.baselines[b].mean, b))
        return name, self.baselines[name]

    def improvement(self) -> float | None:
        """Percent by which the spread beats the best baseline's (None without baselines)."""
        best = self.best_baseline()
        if best is None or best[1].mean <= 0:
            return None
        return 100.0 * (self.spread.mean / best[1].mean - 1.0)

    def to_dict(self) -> dict:
        """JSON-ready: ``method, model, prob, epsilon, guarantee, seeds`` (records),
        ``spread`` and ``baselines`` (``mean, ci_low, ci_high, runs``),
        ``baseline_seeds``, ``improvement_percent``, ``curve`` (records), ``details``."""
        from ..io.writers import records

        def sp(e: SpreadEstimate) -> dict:
            return {"mean": e.mean, "ci_low": e.ci_low, "ci_high": e.ci_high, "runs": e.runs}

        return {
            "method": self.method,
            "model": self.model,
            "prob": self.prob,
            "epsilon": self.epsilon,
            "guarantee": self.guarantee,
            "seeds": records(self.columns),
            "spread": sp(self.spread),
            "baselines": {k: sp(v) for k, v in self.baselines.items()},
            "baseline_seeds": dict(self.baseline_seeds),
            "improvement_percent": self.improvement(),
            "curve": records(self.curve_columns),
            "details": dict(self.details),
        }

    def write(self, path: str) -> str:
        """Write to ``path`` by extension: ``.json`` = :meth:`to_dict`; ``.csv``, ``.tsv``,
        ``.parquet``, ``.jsonl`` = the table; ``.txt`` = one user id per line. Atomic."""
        import json

        from ..io import atomic_open, format_of, to_jsonable, write_table

        if format_of(path) == "json":
            with atomic_open(path) as fh:
                json.dump(to_jsonable(self.to_dict()), fh, ensure_ascii=False, indent=1)
                fh.write("\n")
            return "json"
        return write_table(self.columns, path)

    def __repr__(self) -> str:
        return (f"SeedSelection(method={self.method!r}, model={self.model!r}, "
                f"seeds={self.n_seeds}, spread={self.spread.mean:.4g})")

    def _repr_html_(self) -> str:
        """Notebook display: the spread with its CI, the best baseline, the seeds."""
        from .._display import summary_html

        best = self.best_baseline()
        gain = self.improvement()
        rows = [("method", self.method), ("model, probabilities", f"{self.model}, {self.prob}"),
                ("seeds", self.n_seeds),
                ("expected spread (simulated)", f"{self.spread.mean:,.4g} (95% CI "
                 f"{self.spread.ci_low:,.4g} .. {self.spread.ci_high:,.4g}, "
                 f"{self.spread.runs:,} runs)"),
                ("guarantee", self.guarantee)]
        if best is not None:
            rows.append(("best baseline", f"{best[0]}: {best[1].mean:,.4g}"
                         + (f" ({gain:+.1f}%)" if gain is not None else "")))
        return summary_html(f"seed selection ({self.method})", rows,
                            tables=[("seeds", self.table)])


# --------------------------------------------------------------------------- public
def select_seeds(graph, k: int | None = None, *, method: str = "opim", model: str = "ic",
                 prob=None, epsilon: float = 0.1, ell: float = 1.0, targets=None, include=(),
                 exclude=(), costs=None, budget=None, evaluate_runs: int = 10000,
                 evaluate_precision: float = 0.002, baselines: bool = True, curve_sets: int = 20000, celf_runs: int = 1000,
                 max_memory: float | None = None, rng: RngLike = None, edges=None, type_probs=None,
                 social=None, progress: Progress | None = None, rr_sets=None,
                 cascades=None) -> SeedSelection:
    """Choose the users to seed so a campaign reaches the most people, and prove it.

    Parameters
    ----------
    graph : SocialGraph or InfluenceGraph
        A social graph (turned into an influence graph with ``prob``) or an influence
        graph.
    k : int, optional
        Seeds in total, including ``include``. Give ``k`` or ``costs`` + ``budget``.
    method : {"opim", "imm", "celf", "degree-discount", "pagerank", "degree", "random"}
        ``opim`` (default) has the ``(1 - 1/e - epsilon)`` guarantee and reports the
        ratio it certifies, usually much higher (:func:`graphkit.seeds.opim`); ``imm``
        the same guarantee with 1.4-1.9x the RR sets (:func:`graphkit.seeds.imm`);
        ``celf`` is Monte Carlo greedy for small graphs (:func:`graphkit.seeds.celf_alg.celf`);
        the rest are heuristics (:mod:`graphkit.seeds.heuristics`).
    model : {"ic", "lt"}, optional
    prob : str, optional
        With a SocialGraph: the probability model (default ``"wc"``, see
        :func:`graphkit.influence_graph`; ``edges``/``type_probs`` are passed on).
    epsilon, ell : float, optional
        IMM's / OPIM's accuracy and failure exponent (defaults 0.1 and 1).
    targets, include, exclude, costs, budget
        Campaign constraints (see :func:`graphkit.seeds.imm`).
    evaluate_runs : int, optional
        Most cascades of the independent spread estimate of each set (default 10,000).
    evaluate_precision : float, optional
        Stop a set's simulation early once the 95% CI half-width is at most this
        fraction of the mean (default 0.002, i.e. 0.2%; checked after 1,024 runs and
        then in batches sized to reach it; 0 = always ``evaluate_runs``). With
        ``targets``, exactly ``evaluate_runs`` runs are simulated.
    baselines : bool, optional
        Also pick and evaluate the baselines (default True).
    curve_sets : int, optional
        RR sets for the spread-vs-k curves (default 20,000; fewer if memory is short).
    celf_runs : int, optional
        Cascades per estimate for ``method="celf"``.
    social : SocialGraph, optional
        With an InfluenceGraph: the social graph it was built from, so the PageRank
        baseline uses its interaction weights (else PageRank runs unweighted on the
        influence graph's edges).
    max_memory : float, optional
        Byte limit for RR sets (default: half of the available RAM).
    rng : int, numpy.random.Generator or None, optional
        One seed for everything. It is split (NumPy ``spawn``) into independent streams
        for the selection, the evaluation and the curves, so the evaluation never reuses
        the selection's randomness.
    progress : Progress, optional
        ``progress(stage, done=None, total=None)`` (:mod:`graphkit._progress`): called with
        each step, and with counts while RR sets are drawn.
    rr_sets, cascades : callable, optional
        The Spark engine's distributed RR-set collections (``method="imm"`` or ``"opim"``; see
        :func:`graphkit.seeds.imm_alg.run_imm` and :func:`graphkit.seeds.opim_alg.run_opim`) and cascade runner (see
        :func:`graphkit.diffusion.simulate`); the results are the same.

    Returns
    -------
    SeedSelection

    Raises
    ------
    InputError, UnknownUserError, ValueError
        Bad constraints or parameters; OPIM's / IMM's memory refusal (names an epsilon
        that fits).

    Notes
    -----
    The baselines pick the same number of users under the same constraints (budget
    mode: each buys its preferred users while they fit). All sets are simulated with
    the same random streams, so their differences are paired comparisons. The
    independent estimate matters because a method's own estimate is optimistic: greedy
    picks users that happen to do well on its own samples.

    References
    ----------
    .. [1] Y. Tang, Y. Shi, X. Xiao, "Influence maximization in near-linear time: a
       martingale approach", SIGMOD 2015.
    .. [2] W. Chen, Y. Wang, S. Yang, "Efficient influence maximization in social
       networks", KDD 2009.
    .. [3] J. Leskovec et al., "Cost-effective outbreak detection in networks", KDD 2007.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("b", "a"), ("c", "a"), ("d", "c"), ("e", "f")])
    >>> sel = gk.select_seeds(g, 2, prob="uniform:1", evaluate_runs=1000, rng=1)
    >>> sel.seeds, sel.spread.mean
    (['a', 'f'], 6.0)
    >>> sel.table.columns.tolist()
    ['rank', 'user', 'marginal_gain', 'cumulative_spread']
    >>> sorted(sel.baselines)
    ['degree', 'degree-discount', 'pagerank']
    """
    from .._rng import as_generator
    from ..graph import SocialGraph
    from ..weighting import as_influence_graph
    from . import heuristics
    from .celf_alg import run_celf
    from .imm_alg import run_imm
    from .opim_alg import run_opim

    say = progress or silent
    method = str(method).lower()
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (use {', '.join(METHODS)})")
    model = str(model).lower()
    if model not in ("ic", "lt"):
        raise ValueError(f"unknown diffusion model {model!r} (use 'ic' or 'lt')")
    if rr_sets is not None and method not in ("imm", "opim"):
        raise ValueError(f"rr_sets applies to method='imm' and 'opim' only, not {method!r}")
    if isinstance(evaluate_runs, bool) or int(evaluate_runs) < 2:
        raise ValueError(f"evaluate_runs must be at least 2, got {evaluate_runs!r}")
    g_sel, g_eval, g_curve, g_prob = as_generator(rng).spawn(4)
    if isinstance(graph, SocialGraph):
        say(f"edge probabilities ({prob or 'wc'})")
    ig = as_influence_graph(graph, prob, edges=edges, type_probs=type_probs, rng=g_prob)
    if isinstance(graph, SocialGraph):
        social = graph
    elif social is not None and social.n_nodes != ig.n_nodes:
        raise ValueError("social must be the SocialGraph the InfluenceGraph was built from")
    cons = resolve(ig, k, targets=targets, include=include, exclude=exclude, costs=costs,
                   budget=budget)
    eval_seed = int(g_eval.integers(0, 2**63 - 1))
    curve_seed = int(g_curve.integers(0, 2**63 - 1))
    details: dict = {"users": ig.n_nodes, "eligible": cons.n_eligible,
                     "evaluation_seed": eval_seed, "curve_seed": curve_seed}
    if cons.targets is not None:
        details["targets"] = int(cons.targets.size)
    if cons.budget is not None:
        details["budget"] = cons.budget

    # ---- the method
    own = None
    guarantee = None
    if method == "imm":
        res = run_imm(ig, cons, model=model, epsilon=epsilon, ell=ell, rng=g_sel,
                      max_memory=max_memory, progress=say, rr_sets=rr_sets)
        positions, own, marginal = res.positions, res.estimate, res.marginal_gain
        guarantee = res.guarantee
        details.update(theta=res.theta, sampling_sets=res.sampling_sets, rounds=res.rounds,
                       lower_bound=res.lower_bound, ell=res.ell, k_theta=res.k_theta,
                       mean_rr_size=res.mean_rr_size, rule=res.rule, spent=res.spent)
    elif method == "opim":
        res = run_opim(ig, cons, model=model, epsilon=epsilon, ell=ell, rng=g_sel,
                       max_memory=max_memory, progress=say, rr_sets=rr_sets)
        positions, own, marginal = res.positions, res.estimate, res.marginal_gain
        guarantee = res.guarantee
        details.update(certified_ratio=res.certified_ratio, target_ratio=res.target_ratio,
                       bounds_ratio=res.bounds_ratio, spread_lower=res.spread_lower,
                       opt_upper=res.opt_upper, theta=res.theta, rr_sets=res.rr_sets,
                       rounds=res.rounds, stopped_by=res.stopped_by, ell=res.ell,
                       k_theta=res.k_theta, mean_rr_size=res.mean_rr_size, rule=res.rule,
                       spent=res.spent)
    elif method == "celf":
        res = run_celf(ig, cons, model=model, runs=celf_runs, rng=g_sel, progress=say)
        positions, own, marginal = res.positions, res.estimate, res.marginal_gain
        details.update(celf_runs=res.runs, evaluations=res.evaluations, rule=res.rule,
                       spent=res.spent)
    else:
        say(f"picking seeds by {method}")
        picks = heuristics.pick_positions(method, ig, cons, model=model, graph=social, rng=g_sel)
        positions = np.concatenate([cons.include, picks]).astype(np.int64)
        if cons.budget is not None:
            details["spent"] = float(cons.cost[picks].sum())

    # ---- baselines under the same constraints
    base_pos: dict[str, np.ndarray] = {}
    if baselines:
        for name in BASELINES:
            if name == method:
                continue
            say(f"baseline: {name}")
            picks = heuristics.pick_positions(name, ig, cons, model=model, graph=social)
            base_pos[name] = np.concatenate([cons.include, picks]).astype(np.int64)

    # ---- independent evaluation (paired: the same streams for every set)
    runs = int(evaluate_runs)
    say(f"simulating up to {runs:,} cascades of the chosen seeds")
    prec = float(evaluate_precision)
    spread = _evaluate(ig, positions, model, runs, eval_seed, cons.targets, prec, cascades)
    base_spread = {}
    done = {tuple(np.asarray(positions).tolist()): spread}  # the same set, the same streams
    for name, pos in base_pos.items():
        key = tuple(pos.tolist())
        if key not in done:  # degree and degree-discount often pick the very same users
            say(f"simulating up to {runs:,} cascades of the {name} baseline")
            done[key] = _evaluate(ig, pos, model, runs, eval_seed, cons.targets, prec, cascades)
        base_spread[name] = done[key]

    # ---- spread-vs-k curves on fresh RR sets
    say(f"spread-vs-k curves on {int(curve_sets):,} RR sets")
    rr, index = _eval_sets(ig, model, cons, max(int(curve_sets), 1), curve_seed, max_memory)
    parts = [_curve_part(method, positions, rr, index, cons.scale, own)]
    for name, pos in base_pos.items():
        parts.append(_curve_part(name, pos, rr, index, cons.scale))
    curve = _stack(parts)
    details["curve_sets"] = rr.count
    if own is None:
        own = parts[0]["spread"]
        marginal = np.diff(np.concatenate([[0.0], own]))
    table = _table(ig, cons, positions, marginal, own)
    return SeedSelection(table, spread, base_spread,
                         {n: ig.node_ids[p].tolist() for n, p in base_pos.items()}, curve,
                         method, model, ig.model,
                         float(epsilon) if method in ("imm", "opim") else None,
                         guarantee, details)


def _table(ig, cons: Constraints, positions, marginal, cumulative) -> dict:
    """The seed table's columns (``SeedSelection.columns``)."""
    cols = {
        "rank": np.arange(1, len(positions) + 1),
        "user": ig.node_ids[positions],
        "marginal_gain": np.asarray(marginal, dtype=np.float64),
        "cumulative_spread": np.asarray(cumulative, dtype=np.float64),
    }
    if cons.cost is not None:
        cols["cost"] = np.asarray(cons.cost_of(positions))
    if cons.include.size:
        cols["included"] = np.arange(len(positions)) < cons.include.size
    return cols
