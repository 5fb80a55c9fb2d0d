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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from . import _opim_bounds as B
from ._constraints import Constraints, resolve
from ._rrsets import CALL_MEMBERS, RRSets, default_max_memory, format_bytes
from .greedy import first_cover
from .imm import _select, guarantee_subject

__all__ = ["opim", "OPIMResult", "run_opim", "memory_needed", "guarantee_text"]

#: RR sets drawn first to learn the mean set size before the first memory check.
PILOT_SETS = 4096
#: The refined run evaluates a round only once it holds this many members per user.
ROUND_MEMBERS = 0.25


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


def memory_needed(theta: float, mean_size: float, n_users: int, threads: int | None = None) -> float:
    """Estimated peak bytes of an OPIM round with ``theta`` sets per collection.

    A set costs ``4.4 m + 8`` bytes (int32 members with 10% slack, an int64 offset) in
    each collection. Two moments peak: growing ``R2`` while ``R1`` is full (the old and
    the new ``R2`` arrays coexist: 2.5 collections) and the greedy on ``R1`` (2
    collections, the inverted index ``4 m`` and a covered flag per set). Add 88 bytes a
    user (greedy heap and gains, index pointers, id order) and, per sampling thread, 8
    bytes a user and the kernel's output buffer.
    """
    import numba

    threads = int(numba.get_num_threads()) if threads is None else int(threads)
    per_set = 4.4 * float(mean_size) + 8.0
    theta = float(theta)
    grow = 2.5 * theta * per_set
    greedy = 2.0 * theta * per_set + theta * (4.0 * float(mean_size) + 1.0)
    buffer = 6.0 * min(theta * float(mean_size), float(CALL_MEMBERS))
    return max(grow, greedy) + 88.0 * n_users + threads * (8.0 * n_users + buffer)


def _sets_that_fit(limit: float, mean: float, n: int, need=None) -> float:
    """The most sets ``need(sets, mean, n)`` (default :func:`memory_needed`) fits in ``limit``."""
    need = memory_needed if need is None else need
    lo, hi = 0.0, 1.0
    while need(hi, mean, n) <= limit and hi < 2**40:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if need(mid, mean, n) <= limit else (lo, mid)
    return lo


def guarantee_text(certified: float, ell: float, n: int, *, target: float, budget: bool,
                   targeted: bool, include: bool, sure_opt: bool = True) -> str:
    """The certified statement of one run (one line)."""
    reach, what = guarantee_subject(budget=budget, targeted=targeted, include=include)
    base = "(1 - 1/e)/2 - epsilon" if budget else "1 - 1/e - epsilon"
    text = (f"{reach} >= {certified:.3f} x that of {what}, with probability >= "
            f"1 - n^-{ell:g} = {1 - n ** -ell:.6g} (certified by OPIM-C; target {base} = "
            f"{target:.3f})")
    if not sure_opt:
        text += "; the target part assumes the optimum reaches at least one target"
    return text


def _refuse(need, what, limit, limit_text, eps, suggestion):
    fit = (f"epsilon={suggestion:g} would fit" if suggestion < 1
           else "no epsilon below 1 fits")
    raise InputError(
        f"OPIM needs about {format_bytes(need)} for {what} at epsilon={eps:g}, over the memory "
        f"limit of {format_bytes(limit)} ({limit_text}); {fit}, or raise the limit "
        "(max_memory, --max-memory)")


def _suggest(eps, base, ratio_seen, theta0, population, opt_lb, fit_sets) -> float:
    """The smallest epsilon (0.001 steps) whose run surely stays within ``fit_sets`` sets:
    the last round that fitted already certified it (``base - ratio_seen``; the same seed
    draws the same sets, and a larger epsilon means fewer rounds and tighter bounds), or
    its ``theta_max`` round fits."""
    best = float("inf")
    if ratio_seen is not None:
        best = math.ceil((base - ratio_seen) * 1000) / 1000
    for j in range(math.ceil(eps * 1000) + 1, 1000):
        e = j / 1000
        if e >= best:
            break
        tmax = theta0 * population / (e * e * opt_lb)
        if B.round_sets(theta0, B.n_rounds(theta0, tmax)) <= fit_sets:
            return e
    return best if best < 1 else float("inf")


def _sure_opt(cons: Constraints) -> tuple[float, float]:
    """``(sure reach of the included users, sure lower bound on OPT)`` in the population:
    every seed reaches itself, so the included users in it, plus as many eligible users
    of it as ``k`` (or the budget) can take."""
    n = cons.n
    in_pop = np.ones(n, dtype=bool) if cons.targets is None else np.isin(np.arange(n), cons.targets)
    sure_inc = float(in_pop[cons.include].sum())
    cand = cons.affordable() & in_pop
    if cons.budget is None:
        extra = min(int(cons.k), int(cand.sum()))
    else:
        extra = int(np.searchsorted(np.cumsum(np.sort(cons.cost[cand])), cons.budget, side="right"))
    return sure_inc, sure_inc + extra


def _check(model, epsilon, ell, n):
    model = str(model).lower()
    if model not in ("ic", "lt"):
        raise ValueError(f"unknown diffusion model {model!r} (use 'ic' or 'lt')")
    if not 0 < float(epsilon) < 1:
        raise ValueError(f"epsilon must lie in (0, 1), got {epsilon}")
    if not float(ell) > 0:
        raise ValueError(f"ell must be positive, got {ell}")
    if n < 2:
        raise InputError(f"OPIM needs at least 2 users, the graph has {n}")
    return model, float(epsilon), float(ell)


class _Run:
    """The state of one run: constraints, the formulas' constants, the memory limit."""

    def __init__(self, ig, cons, model, epsilon, ell, max_memory, progress):
        self.ig, self.cons, self.model, self.eps, self.ell = ig, cons, model, epsilon, ell
        n = self.n = ig.n_nodes
        self.budget = cons.budget is not None
        self.k_theta = min(cons.k_max(), n)
        self.delta = B.failure_probability(n, ell)
        self.log_sets = B.log_candidate_sets(max(int(cons.affordable().sum()), self.k_theta),
                                             self.k_theta, up_to=self.budget)
        self.sure_inc, self.opt_lb = _sure_opt(cons)
        self.scale = cons.scale
        self.theta0 = B.theta_zero(self.log_sets, self.delta)
        tmax = B.theta_max(self.scale, max(self.opt_lb, 1.0), epsilon, self.log_sets, self.delta)
        self.i_max = B.n_rounds(self.theta0, tmax)
        self.target = B.target_ratio(epsilon, budget=self.budget)
        self.gamma = B.E1 / 2 if self.budget else B.E1
        self.in_pop = None if cons.targets is None else np.isin(np.arange(n), cons.targets)
        if max_memory is None:
            self.limit, self.limit_text = default_max_memory(), "default: half of the available RAM"
        else:
            self.limit, self.limit_text = float(max_memory), "max_memory"
        self.say = progress or (lambda text: None)

    def sets(self):
        return RRSets(self.ig, self.model, roots=self.cons.targets)

    def sure(self, picks) -> float:
        """Population users among the included users and ``picks``: reached for sure."""
        return self.sure_inc + float(picks.size if self.in_pop is None else self.in_pop[picks].sum())

    def bounds(self, cov, r2, theta1, a):
        """Seeds, their first-cover counts on ``r2`` and the certificate of a cover."""
        seq = np.concatenate([self.cons.include, cov.picks]).astype(np.int64)
        hits = first_cover(r2.offsets, r2.members, self.n, seq)
        upper = min(cov.bound, cov.covered / self.gamma)
        ratio, low, up = B.certified_ratio(int(hits.sum()), r2.count, upper, theta1, a, self.scale,
                                           self.sure(cov.picks))
        return seq, hits, ratio, low, up

    def check_memory(self, theta, mean, need, ratio_seen, round_no):
        if need <= self.limit:
            return
        sugg = _suggest(self.eps, self.target + self.eps, ratio_seen, self.theta0, self.scale,
                        max(self.opt_lb, 1.0), _sets_that_fit(self.limit, mean, self.n))
        _refuse(need, f"2 x {theta:,} RR sets (round {round_no})", self.limit, self.limit_text,
                self.eps, sugg)


def _rounds(run: _Run, gens, refine: bool, lam: float):
    """The doubling rounds. Returns ``(round, theta, r1, r2, cov, seq, hits, ratio, low, up, peak,
    stopped)``; with ``refine``, stops when another doubling would cost more RR sets
    than it could save in the final phase (``lam / LB`` sets)."""
    g1, g2 = gens
    a = B.round_log_term(run.delta, run.i_max, parts=4 if refine else 3)
    r1, r2 = run.sets(), run.sets()
    last = None
    for i in range(1, run.i_max + 1):
        theta = B.round_sets(run.theta0, i)
        if r1.count == 0:
            r1.extend(min(theta, PILOT_SETS), g1)
        mean = r1.mean_size()
        peak = memory_needed(theta, mean, run.n)
        if peak > run.limit and last is not None and (refine or last[7] >= run.target):
            return (*last, "memory")
        run.check_memory(theta, mean, peak, None if last is None else last[7], i)
        if refine and i < run.i_max and theta * mean < ROUND_MEMBERS * run.n:
            continue  # a greedy pass costs O(users): skip rounds with fewer members than that
        run.say(f"OPIM round {i}: 2 x {theta:,} RR sets")
        for rr, g in ((r1, g1), (r2, g2)):
            rr.reserve(theta, int(theta * mean * 1.1) + 4096)
            rr.extend(theta - rr.count, g)
        cov = _select(r1, run.cons, bound=not refine)  # refine: only LB is needed
        seq, hits, ratio, low, up = run.bounds(cov, r2, theta, a)
        last = (i, theta, r1, r2, cov, seq, hits, ratio, low, up, peak)
        if refine:
            if low <= 0:  # nothing certain yet (targets no seed reaches): double
                continue
            est = max(run.scale * hits.sum() / theta, low)
            need = lam / low
            run.say(f"OPIM round {i}: optimum >= {low:,.1f}, final phase {need:,.0f} RR sets")
            if 2 * theta >= need - lam / est or theta >= need:
                return (*last, "refined")
        else:
            run.say(f"OPIM round {i}: certified ratio {ratio:.3f} (target {run.target:.3f})")
            if ratio >= run.target:
                return (*last, "certified")
    return (*last, "last round")


def run_opim(ig, cons: Constraints, *, model: str = "ic", epsilon: float = 0.1, ell: float = 1.0,
             refine: bool = True, rng=None, max_memory: float | None = None,
             progress: Callable[[str], None] | None = None) -> OPIMResult:
    """OPIM-C on resolved constraints (see :func:`opim`, which resolves ids first)."""
    from .._rng import as_generator

    model, epsilon, ell = _check(model, epsilon, ell, ig.n_nodes)
    run = _Run(ig, cons, model, epsilon, ell, max_memory, progress)
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
        final.extend(theta, gens[2], progress=lambda d, t: run.say(
            f"OPIM final: drawing RR sets, {d:,} of {t:,}"))
        cov = _select(final, run.cons, bound=True)
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


def _final_memory(theta, mean, n, theta_val):
    """Peak bytes of the final phase: the final sets with their index and the validation sets."""
    from ._rrsets import memory_needed as one_collection

    return one_collection(theta, mean, n) + theta_val * (4.4 * mean + 8.0)


def opim(ig, k: int | None = None, *, model: str = "ic", epsilon: float = 0.1, ell: float = 1.0,
         refine: bool = True, rng=None, targets=None, include=(), exclude=(), costs=None,
         budget=None, max_memory: float | None = None,
         progress: Callable[[str], None] | None = None) -> OPIMResult:
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
    progress : callable(str), optional
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
