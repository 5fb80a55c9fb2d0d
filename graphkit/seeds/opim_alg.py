"""OPIM-C: seeds with a certified approximation ratio (Tang, Tang, Xiao, Yuan, SIGMOD 2018).

:func:`opim` draws two independent collections of RR sets of equal size: greedy maximum
coverage picks seeds on the first (``R1``), the second (``R2``, never seen by the greedy)
gives a lower bound on their spread (so on the optimum), and ``R1`` with the greedy's
marginal coverages gives an upper bound on the optimum. The paper doubles the
collections until the ratio of the two bounds reaches ``1 - 1/e - epsilon``
(``refine=False``); graphkit's default uses the rounds for the lower bound only, picks
the seeds on IMM's number of fresh RR sets for it and certifies them on fresh sets. The
ratio reached is reported as ``certified_ratio``. The statistics live in
:mod:`graphkit.seeds._opim_bounds`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._progress import prefixed
from . import _opim_bounds as B
from ._constraints import Constraints, resolve
from ._opim_rounds import (
    _check,
    _final_memory,
    _refuse,
    _rounds,
    _Run,
    _sets_that_fit,
    guarantee_text,
    memory_needed,
)

if TYPE_CHECKING:  # pragma: no cover
    from .._progress import Progress
    from .._rng import RngLike

__all__ = ["opim", "OPIMResult", "run_opim", "memory_needed", "guarantee_text"]


@dataclass(frozen=True, eq=False)
class OPIMResult:
    """What :func:`opim` found.

    Attributes
    ----------
    seeds : tuple of str
        Included users first (in the order given), then the picks in greedy order.
    positions : ndarray of int64
        The same users as graph positions.
    n_included : int
    marginal_gain, estimate : ndarray of float
        Each seed's extra reach and each prefix's reach, estimated on the validation
        sets, which the greedy never saw: unbiased, unlike a greedy's estimate on its
        own sets.
    scale : int
        The population whose reach counts: all users, or the targets.
    theta : int
        RR sets the seeds were picked on (the final sets; without ``refine``, the last
        round's first collection).
    rr_sets : int
        RR sets drawn in all.
    rounds, max_rounds : int
        Doubling rounds run, and the most the run could take.
    stopped_by : str
        Why the rounds stopped: ``"refined"`` (another doubling would have cost more RR
        sets than it could save in the final phase), ``"certified"`` (without
        ``refine``: the ratio reached the target), ``"last round"`` or ``"memory"`` (the
        next round would not fit ``max_memory``).
    certified_ratio : float
        With probability at least ``1 - n**-ell``: expected reach of ``seeds`` >=
        ``certified_ratio`` x the optimum (see Notes of :func:`opim`). Never below
        ``target_ratio``.
    bounds_ratio : float
        ``spread_lower / opt_upper``: the part of the certificate measured on the data.
    target_ratio : float
        ``1 - 1/e - epsilon`` (budget: ``(1 - 1/e)/2 - epsilon``).
    spread_lower, opt_upper : float
        The bounds behind the ratio, in reached users of the population: the seeds'
        expected reach is at least ``spread_lower``; the optimum's at most ``opt_upper``.
    opt_lower : float
        The sure lower bound on the optimum behind ``theta_max``.
    epsilon, ell : float
    model, rule : str
    spent : float
    k_theta : int
        The ``k`` of the formulas (``k``, or the most users the budget can buy).
    mean_rr_size, memory_estimate : float
    guarantee : str
    """

    seeds: tuple
    positions: np.ndarray
    n_included: int
    marginal_gain: np.ndarray
    estimate: np.ndarray
    scale: int
    theta: int
    rr_sets: int
    rounds: int
    max_rounds: int
    stopped_by: str
    certified_ratio: float
    bounds_ratio: float
    target_ratio: float
    spread_lower: float
    opt_upper: float
    opt_lower: float
    epsilon: float
    ell: float
    model: str
    rule: str
    spent: float
    k_theta: int
    mean_rr_size: float
    memory_estimate: float
    guarantee: str

    @property
    def spread(self) -> float:
        """Estimated expected reach of the whole seed set (``estimate[-1]``)."""
        return float(self.estimate[-1]) if self.estimate.size else 0.0


def run_opim(ig, cons: Constraints, *, model: str = "ic", epsilon: float = 0.1, ell: float = 1.0,
             refine: bool = True, rng: RngLike = None, max_memory: float | None = None,
             progress: Progress | None = None, rr_sets=None) -> OPIMResult:
    """OPIM-C on resolved constraints (see :func:`opim`, which resolves ids first).

    ``rr_sets(ig, model, roots)``, when given, makes the RR-set collections instead of
    :class:`graphkit.seeds.RRSets` (the Spark engine's, kept on its executors): they have
    RRSets' ``extend``, ``count``, ``mean_size`` and ``reserve``, ``cover(cons, bound)``,
    the greedy cover :func:`graphkit.seeds.greedy.max_coverage` would give on their sets,
    and ``first_cover(seq)``, :func:`graphkit.seeds.greedy.first_cover` on them.
    """
    from .._rng import as_generator

    model, epsilon, ell = _check(model, epsilon, ell, ig.n_nodes)
    run = _Run(ig, cons, model, epsilon, ell, max_memory, progress, make=rr_sets)
    gens = as_generator(rng).spawn(4)
    lam = B.final_sets(run.scale, 1.0, epsilon, run.log_sets, run.delta / 4)  # lambda*
    i, theta, r1, r2, cov, seq, hits, ratio, low, up, peak, stopped = _rounds(
        run, gens[:2], refine, lam)
    drawn = 2 * theta
    mean = r1.mean_size()
    sure_opt = run.opt_lb >= 1
    if refine:
        theta_val = theta
        sure_opt = low > 0
        theta = int(math.ceil(lam / (low if low > 0 else 1.0)))  # else IMM's fallback LB = 1
        del r1, r2, cov  # free the rounds' sets before the final ones
        need = _final_memory(theta, mean, run.n, theta_val)
        if need > run.limit:  # lambda* grows as 1 / epsilon^2
            fit = _sets_that_fit(run.limit, mean, run.n,
                                 lambda t, m, n: _final_memory(t, m, n, theta_val))
            sugg = math.ceil(epsilon * math.sqrt(theta / max(fit, 1.0)) * 1000) / 1000
            _refuse(need, f"{theta:,} final RR sets", run.limit, run.limit_text, epsilon,
                    sugg if sugg < 1 else float("inf"))
        peak = max(peak, need)
        run.say(f"OPIM final: {theta:,} fresh RR sets for the seeds, {theta_val:,} to certify them")
        final, valid = run.sets(), run.sets()
        final.reserve(theta, int(theta * mean * 1.1) + 4096)
        final.extend(theta, gens[2], progress=prefixed(run.progress, "OPIM final: "))
        cov = final.cover(run.cons, bound=True)
        mean = final.mean_size()
        del final
        valid.extend(theta_val, gens[3])
        seq, hits, ratio, low, up = run.bounds(cov, valid, theta, math.log(4.0 / run.delta))
        drawn += theta + theta_val
        theta_est = theta_val
    else:
        theta_est = theta
    # refined: IMM's theorem on the final sets; else the ratio >= target, or the last
    # round holds theta_max sets
    certified = max(ratio, run.target)
    marginal = run.scale * hits.astype(np.float64) / theta_est
    text = guarantee_text(certified, ell, run.n, target=run.target, budget=run.budget,
                          targeted=cons.targets is not None, include=cons.include.size > 0,
                          sure_opt=sure_opt)
    return OPIMResult(tuple(ig.node_ids[seq].tolist()), seq, int(cons.include.size), marginal,
                      np.cumsum(marginal), run.scale, int(theta), int(drawn), int(i),
                      int(run.i_max), stopped, float(certified), float(ratio), float(run.target),
                      float(low), float(up), float(run.opt_lb), epsilon, ell, model, cov.rule,
                      float(cov.spent), int(run.k_theta), float(mean), float(peak), text)


def opim(ig, k: int | None = None, *, model: str = "ic", epsilon: float = 0.1, ell: float = 1.0,
         refine: bool = True, rng: RngLike = None, targets=None, include=(), exclude=(), costs=None,
         budget=None, max_memory: float | None = None,
         progress: Progress | None = None) -> OPIMResult:
    """Pick seeds that maximize expected spread, and certify how close to optimal they are.

    OPIM-C [1]_ draws two independent collections of reverse-reachable (RR) sets of
    equal size, doubling them round by round. Greedy maximum coverage picks seeds on
    the first; the second, which the greedy never saw, bounds their expected spread
    from below (so the optimum too), and the greedy's marginal coverages on the first
    bound the optimum from above. By default (``refine``) the rounds serve to find the
    lower bound on the optimum, and the seeds are then picked on IMM's number of fresh
    RR sets for that bound [2]_ and certified on fresh validation sets; with
    ``refine=False`` the rounds stop as soon as the ratio of the bounds reaches
    ``1 - 1/e - epsilon`` and return their seeds, as the paper does.

    Parameters
    ----------
    ig : InfluenceGraph
        Probabilities per edge (:func:`graphkit.influence_graph`).
    k : int, optional
        Seeds in total, including ``include``. Give ``k`` or ``budget``.
    model : {"ic", "lt"}, optional
        Independent Cascade (default) or Linear Threshold.
    epsilon : float, optional
        The guarantee is ``1 - 1/e - epsilon``; default 0.1.
    ell : float, optional
        Failure probability ``n ** -ell``; default 1.
    refine : bool, optional
        Pick the seeds on fresh final sets sized by IMM's formula (default; seeds as
        good as IMM's, from 52-72% of its RR sets in the benchmarks). ``False``: the
        paper's OPIM-C, which returns the seeds of the first certified round (fastest;
        the seeds can reach a few percent fewer users).
    rng : int, numpy.random.Generator or None, optional
        The same int gives the same seeds on any number of threads.
    targets, include, exclude, costs, budget
        Campaign constraints, as for :func:`graphkit.seeds.imm`.
    max_memory : float, optional
        Byte limit for the RR sets; default half of the available RAM.
    progress : Progress, optional
        Called with a description of the current step.

    Returns
    -------
    OPIMResult

    Raises
    ------
    InputError
        The RR sets would not fit in ``max_memory`` (the message names an epsilon that
        fits); bad constraints.
    UnknownUserError
        Unknown users in ``targets``, ``include``, ``exclude`` or ``costs``.

    Notes
    -----
    **What is certified.** With probability at least ``1 - n**-ell`` over the RR sets,
    the expected spread of the returned set is at least ``certified_ratio`` times the
    largest expected spread of any set of ``k`` users (containing ``include``, none of
    ``exclude``); with ``targets``, of the expected number of targets reached; with a
    budget, of any set whose cost fits it. ``certified_ratio >= 1 - 1/e - epsilon``
    (budget: ``(1 - 1/e)/2 - epsilon``, the better of the cost-effective and unit-cost
    greedy, as for IMM).

    **The bounds.** The seeds' spread is at least ``sigma_l`` (from the validation
    sets' coverage, and never below the number of seeds in the population: a seed
    reaches itself); the optimum's at most ``sigma_u``, from the tightest of the
    greedy's step-wise bounds ``cov(S_i) + the k largest marginal coverages given
    S_i`` (budget: ``+`` the fractional-knapsack optimum of those coverages) and
    ``cov(S_k) / (1 - 1/e)``. :mod:`graphkit.seeds._opim_bounds` has the formulas and
    the split of the failure probability ``delta = n**-ell``.

    **The paper's run** (``refine=False``). Round ``i`` draws ``theta_0 2^(i-1)`` sets
    per collection and stops at the first round with ``sigma_l / sigma_u >= target``,
    or at the last, which holds at least ``theta_max`` sets: IMM's sample size for the
    target at failure ``delta / 3``, with ``OPT >= k`` (the seeds reach themselves;
    with targets, the targets among them). ``delta / (3 i_max)`` per bound per round,
    ``delta / 3`` for the last round. graphkit runs one round more than the paper's
    ``ceil(log2(theta_max / theta_0))`` so that the last round surely holds
    ``theta_max`` sets.

    **The refined run** (default). The certificate is pessimistic about the optimum
    (its upper bound is loose), so it is often reached with a few thousand RR sets,
    and greedy on so few sets picks visibly weaker seeds: measured on NetHEPT (k = 50,
    epsilon 0.1), the paper's run picked seeds that reach 4% fewer users than seeds
    picked on a million sets; on a Higgs-Twitter sample (k = 20), 2-8% fewer. The
    refined run keeps doubling while another round costs fewer RR sets than it could
    save in the final phase (it skips evaluating rounds with fewer than a quarter RR
    set member per user, where a greedy pass would cost more than the sampling; the
    union bound still counts every planned round), takes the last round's ``sigma_l``
    as the lower bound
    ``LB`` on the optimum, draws ``lambda* / LB`` fresh RR sets (IMM's node selection,
    whose guarantee needs only ``LB <= OPT`` and sets independent of how ``LB`` was
    found: Chen's correction), picks the seeds there, and certifies them on fresh
    validation sets. A quarter of ``delta`` each: the rounds' lower bounds, the final
    phase, the certificate's lower and upper bound. IMM finds its ``LB`` with a
    sampling phase of about as many RR sets as the final phase; these rounds cost a
    small fraction of it.

    Memory: before each round and before the final phase the peak is estimated from
    the mean RR set size so far (:func:`memory_needed`); the run refuses, naming an
    epsilon that fits (or, once the rounds have what they need, stops them early).

    References
    ----------
    .. [1] J. Tang, X. Tang, X. Xiao, J. Yuan, "Online processing algorithms for
       influence maximization", SIGMOD 2018.
    .. [2] Y. Tang, Y. Shi, X. Xiao, "Influence maximization in near-linear time: a
       martingale approach", SIGMOD 2015.
    .. [3] W. Chen, "An issue in the martingale analysis of the influence maximization
       algorithm IMM", arXiv:1808.09363, 2018.

    Examples
    --------
    >>> from graphkit.seeds import opim
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("b", "a"), ("c", "a"), ("d", "c"), ("e", "c")])
    >>> ig = gk.influence_graph(g, "uniform:1")          # a reaches b, c; c reaches d, e
    >>> res = opim(ig, 1, rng=7)
    >>> res.seeds, round(res.spread, 6), round(res.certified_ratio, 3)
    (('a',), 5.0, 0.863)
    """
    cons = resolve(ig, k, targets=targets, include=include, exclude=exclude, costs=costs,
                   budget=budget)
    return run_opim(ig, cons, model=model, epsilon=epsilon, ell=ell, refine=refine, rng=rng,
                    max_memory=max_memory, progress=progress)
