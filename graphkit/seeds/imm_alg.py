"""IMM: influence maximization with a (1 - 1/e - epsilon) guarantee (Tang, Shi, Xiao 2015).

:func:`imm` samples reverse-reachable sets (:mod:`graphkit.seeds._rrsets`), sized by the
paper's sample-size math (:mod:`graphkit.seeds._theta`), and picks seeds by greedy
maximum coverage (:mod:`graphkit.seeds.greedy`). Chen's correction (2018) is built in:
the final RR sets are drawn afresh, independent of the sampling phase.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._progress import Progress, prefixed, silent
from ..errors import InputError
from . import _theta
from ._constraints import Constraints, resolve
from ._rrsets import (
    RRSets,
    default_max_memory,
    expected_sets_for_bytes,
    format_bytes,
    memory_needed,
)

if TYPE_CHECKING:  # pragma: no cover
    from .._rng import RngLike

__all__ = ["imm", "IMMResult", "run_imm", "guarantee_text", "guarantee_subject"]

_E1 = 1.0 - 1.0 / math.e
#: RR sets drawn first to learn the mean set size before the memory check.
PILOT_SETS = 4096


@dataclass(frozen=True, eq=False)
class IMMResult:
    """What :func:`imm` found.

    Attributes
    ----------
    seeds : tuple of str
        The seed set: included users first (in the order given), then the picks in
        greedy order.
    positions : ndarray of int64
        The same users as graph positions.
    n_included : int
        How many of ``seeds`` were fixed by ``include``.
    marginal_gain : ndarray of float
        Estimated extra reach of each seed given the ones before it:
        ``scale * (RR sets it newly covers) / theta``.
    estimate : ndarray of float
        Estimated expected reach of each prefix of ``seeds`` (the spread-vs-k curve from
        the RR sets): ``scale * (fraction of RR sets covered by the first j seeds)``.
        Greedy picks the users that happen to cover these very sets best, so this is
        slightly optimistic; re-estimate by independent simulation
        (:func:`graphkit.select_seeds` does).
    scale : int
        The population whose reach counts: all users, or the targets.
    theta : int
        Final RR sets (drawn afresh after the sampling phase, Chen's workaround 1).
    sampling_sets : int
        RR sets drawn by the sampling phase (used only to find ``lower_bound``).
    rounds : int
        Sampling rounds run.
    lower_bound : float
        The lower bound on the optimum found by the sampling phase, in reached users of
        the population.
    epsilon, ell : float
    model : str
    rule : str
        ``"unit"`` or ``"cost-effective"``: which greedy won (budget mode).
    spent : float
        Cost of the picks (0 without costs).
    k_theta : int
        The ``k`` in the sample-size formulas (``k`` picks, or in budget mode the most
        users the budget can buy).
    mean_rr_size : float
    memory_estimate : float
        Estimated peak bytes of the final phase.
    guarantee : str
        The approximation statement that applies to this run.
    """

    seeds: tuple
    positions: np.ndarray
    n_included: int
    marginal_gain: np.ndarray
    estimate: np.ndarray
    scale: int
    theta: int
    sampling_sets: int
    rounds: int
    lower_bound: float
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


def guarantee_subject(*, budget: bool, targeted: bool, include: bool) -> tuple[str, str]:
    """``(what is measured, what it is compared with)`` in a guarantee statement."""
    what = "the best set whose cost fits the budget" if budget else "the best set of the same size"
    if include:
        what += " containing the included users"
    reach = "expected number of target users reached" if targeted else "expected spread"
    return reach, what


def guarantee_text(epsilon: float, ell: float, n: int, *, budget: bool, targeted: bool,
                   include: bool) -> str:
    """The approximation statement for one configuration (one line)."""
    fail = f"n^-{ell:g} = {1 - n ** -ell:.6g}"
    factor = (_E1 / 2 if budget else _E1) - epsilon
    head = f"{'(1 - 1/e)/2' if budget else '1 - 1/e'} - epsilon = {factor:.3f}"
    reach, what = guarantee_subject(budget=budget, targeted=targeted, include=include)
    if factor <= 0:
        return (f"no approximation guarantee at epsilon={epsilon:g} ({head} <= 0); "
                "use a smaller epsilon")
    text = f"{reach} >= {head} x that of {what}, with probability >= 1 - {fail}"
    if targeted:
        text += " (when the optimum reaches at least one target)"
    return text


def _suggest_epsilon(n, k, ell, frac, i_min, last, max_sets, eps) -> float:
    """The smallest epsilon (0.001 steps) whose whole run should fit in ``max_sets`` sets.

    ``frac`` is the greedy coverage fraction seen so far: the sampling phase should stop
    at the first round ``i >= i_min`` with ``frac * 2**i >= 1 + eps'`` (a larger epsilon
    raises that threshold), keeping ``theta_i`` sets; one more round is allowed for as a
    margin. The final phase then needs ``lambda* / LB`` with ``LB = n frac / (1 + eps')``.
    Returns ``inf`` when no epsilon below 1 fits.
    """
    if max_sets <= 0:
        return float("inf")
    # the final phase alone, with the most optimistic LB (n frac), needs at least this
    start = max(eps, _theta.epsilon_for_sets(n, k, ell, max(n * frac, 1.0), max_sets))
    for j in range(math.ceil(start * 1000), 1000):
        e = j / 1000
        if e <= eps:
            continue
        ep = _theta.epsilon_prime(e)
        i = i_min
        while i < last and frac * 2.0 ** i < 1 + ep:
            i += 1
        sampling = _theta.theta_round(n, k, e, ell, min(i + 1, last))
        lb = max(n * frac / (1 + ep), 1.0)
        if max(sampling, _theta.theta_final(n, k, e, ell, lb)) <= max_sets:
            return e
    return float("inf")


def _refuse(n_sets, mean, n, limit, limit_text, eps, suggestion, phase):
    need = memory_needed(n_sets, mean, n)
    fit = (f"epsilon={suggestion:g} would fit" if suggestion < 1
           else "no epsilon below 1 fits")
    raise InputError(
        f"IMM needs about {format_bytes(need)} for {n_sets:,} RR sets at epsilon={eps:g} "
        f"({phase}), over the memory limit of {format_bytes(limit)} ({limit_text}); {fit}, "
        "or raise the limit (max_memory, --max-memory)")


def run_imm(ig, cons: Constraints, *, model: str = "ic", epsilon: float = 0.1, ell: float = 1.0,
            rng: RngLike = None, max_memory: float | None = None,
            progress: Progress | None = None, rr_sets=None) -> IMMResult:
    """IMM on resolved constraints (see :func:`imm`, which resolves ids first).

    ``rr_sets(ig, model, roots)``, when given, makes the RR-set collections instead of
    :class:`RRSets` (the Spark engine's, kept on its executors): they have RRSets'
    ``extend``, ``count``, ``mean_size``, ``reserve`` and ``cover(cons)``: the greedy cover
    :meth:`RRSets.cover` would give on their sets.
    """
    from .._rng import as_generator

    model = str(model).lower()
    if model not in ("ic", "lt"):
        raise ValueError(f"unknown diffusion model {model!r} (use 'ic' or 'lt')")
    epsilon = float(epsilon)
    if not 0 < epsilon < 1:
        raise ValueError(f"epsilon must lie in (0, 1), got {epsilon}")
    ell = float(ell)
    if not ell > 0:
        raise ValueError(f"ell must be positive, got {ell}")
    n = ig.n_nodes
    if n < 2:
        raise InputError(f"IMM needs at least 2 users, the graph has {n}")
    if max_memory is None:
        limit, limit_text = default_max_memory(), "default: half of the available RAM"
    else:
        limit, limit_text = float(max_memory), "max_memory"
    say = progress or silent
    budget = cons.budget is not None
    k_theta = min(cons.k_max(), n)
    # budget mode: the feasible sets are at most k_max * C(n, k_max); the extra log k_max of
    # the union bound is carried by ell (ell * log n + log k_max).
    ell_eff = ell + (math.log(k_theta) / math.log(n) if budget and k_theta > 1 else 0.0)
    ell_adj = _theta.adjusted_ell(n, ell_eff)
    scale = cons.scale
    gen = as_generator(rng)
    gen_sampling, gen_final = gen.spawn(2)
    make = RRSets if rr_sets is None else rr_sets

    # ---- sampling phase (IMM Algorithm 2): find a lower bound on the optimum
    rr = make(ig, model, roots=cons.targets)
    lower = None
    rounds = 0
    last = _theta.sampling_rounds(scale)[-1]
    for i in _theta.sampling_rounds(scale):
        need = _theta.theta_round(n, k_theta, epsilon, ell_adj, i)
        if rr.count == 0:
            rr.extend(min(need, PILOT_SETS), gen_sampling)
        if memory_needed(need, rr.mean_size(), n) > limit:
            max_sets = expected_sets_for_bytes(limit, rr.mean_size(), n)
            frac = rr.cover(cons).fraction
            sugg = _suggest_epsilon(n, k_theta, ell_adj, frac, i, last, max_sets, epsilon)
            _refuse(need, rr.mean_size(), n, limit, limit_text, epsilon, sugg,
                    f"sampling round {i}")
        say(f"IMM sampling round {i}: {need:,} RR sets")
        rr.extend(need - rr.count, gen_sampling)
        cov = rr.cover(cons)
        rounds = i
        lower = _theta.lower_bound_reached(n, cov.fraction, epsilon, i)
        if lower is not None:
            break
    if lower is None:  # IMM's fallback: the optimum reaches at least one user of the population
        lower = n / scale
    mean = rr.mean_size()
    sampling_sets = rr.count
    del rr, cov  # Chen's workaround 1: the final sets are drawn afresh; free these first

    # ---- node selection: theta fresh RR sets, greedy max coverage
    theta = _theta.theta_final(n, k_theta, epsilon, ell_adj, lower)
    peak = memory_needed(theta, mean, n)
    if peak > limit:
        max_sets = expected_sets_for_bytes(limit, mean, n)
        frac = lower * (1 + _theta.epsilon_prime(epsilon)) / n  # the coverage that passed
        sugg = _suggest_epsilon(n, k_theta, ell_adj, frac, rounds, last, max_sets, epsilon)
        _refuse(theta, mean, n, limit, limit_text, epsilon, sugg, "final selection")
    final = make(ig, model, roots=cons.targets)
    final.reserve(theta, int(theta * mean * 1.1) + 4096)
    say(f"IMM: drawing {theta:,} RR sets")
    final.extend(theta, gen_final, progress=prefixed(progress, "IMM: "))
    say(f"IMM: greedy max coverage on {theta:,} RR sets")
    cov = final.cover(cons)
    counts = np.concatenate([cov.fixed_gains, cov.gains]).astype(np.float64)
    positions = np.concatenate([cons.include, cov.picks]).astype(np.int64)
    marginal = scale * counts / theta
    estimate = scale * np.cumsum(counts) / theta
    text = guarantee_text(epsilon, ell, n, budget=budget, targeted=cons.targets is not None,
                          include=cons.include.size > 0)
    return IMMResult(tuple(ig.node_ids[positions].tolist()), positions, int(cons.include.size),
                     marginal, estimate, scale, int(theta), int(sampling_sets), int(rounds),
                     float(lower * scale / n), epsilon, ell, model, cov.rule, cov.spent,
                     int(k_theta), float(final.mean_size()), float(peak), text)


def imm(ig, k: int | None = None, *, model: str = "ic", epsilon: float = 0.1, ell: float = 1.0,
        rng: RngLike = None, targets=None, include=(), exclude=(), costs=None, budget=None,
        max_memory: float | None = None,
        progress: Progress | None = None) -> IMMResult:
    """Pick seeds that maximize expected spread, with IMM's approximation guarantee.

    IMM [1]_ estimates spread with reverse-reachable (RR) sets: a user set ``S`` covers
    an RR set with probability equal to the probability that ``S`` reaches its random
    root, so ``n x (fraction of RR sets covered)`` is an unbiased estimate of the
    expected spread and the seeds are a greedy maximum cover of enough RR sets.

    Parameters
    ----------
    ig : InfluenceGraph
        Probabilities per edge (:func:`graphkit.influence_graph`).
    k : int, optional
        Seeds in total, including ``include``. Give ``k`` or ``budget``.
    model : {"ic", "lt"}, optional
        Independent Cascade (default) or Linear Threshold.
    epsilon : float, optional
        Approximation slack in (0, 1); default 0.1. RR sets grow as ``1 / epsilon**2``.
    ell : float, optional
        Failure probability ``n ** -ell``; default 1.
    rng : int, numpy.random.Generator or None, optional
        The same int gives the same seeds on any number of threads.
    targets : iterable of str, optional
        Only reaching these users counts: RR roots are drawn uniformly from them and
        the estimates count targets reached.
    include : iterable of str, optional
        Already-signed seeds: fixed, counted in ``k``; the rest is picked given them.
    exclude : iterable of str, optional
        Users never picked.
    costs : mapping of str to float, or array, optional
        Cost per user (only users with a cost can be picked).
    budget : float, optional
        With ``costs``: buy users while the total cost fits (instead of ``k``).
    max_memory : float, optional
        Byte limit for the RR sets; default half of the available RAM (``MemAvailable``
        of /proc/meminfo, else ``os.sysconf``).
    progress : Progress, optional
        ``progress(stage, done=None, total=None)`` (:mod:`graphkit._progress`): called with
        each step, and with counts while RR sets are drawn.

    Returns
    -------
    IMMResult

    Raises
    ------
    InputError
        The RR sets would not fit in ``max_memory`` (the message names an epsilon that
        fits); bad constraints (see :func:`graphkit.seeds._constraints.resolve`).
    UnknownUserError
        Unknown users in ``targets``, ``include``, ``exclude`` or ``costs``.

    Notes
    -----
    **Guarantee.** With probability at least ``1 - n**-ell``, the expected spread of the
    returned set is at least ``(1 - 1/e - epsilon)`` times the best possible with the
    same number of seeds (Theorem 3 of [1]_), under IC or LT. The same holds with
    ``exclude`` (the optimum over allowed users) and ``include`` (the optimum over sets
    containing the included users: greedy pre-covers their RR sets, and coverage given
    a fixed set is still monotone submodular).

    **Chen's correction.** IMM as published reuses the sampling phase's RR sets in the
    final selection, which makes the number of sets a stopping time on the same
    samples; the martingale concentration it then applies does not hold as stated [2]_.
    This implementation uses Chen's *workaround 1*: the final ``theta`` RR sets are
    drawn afresh, independently of the sampling phase, whose sets serve only to find the
    lower bound ``LB`` (and are freed first). ``ell`` is raised to
    ``ell (1 + log 2 / log n)`` so the two phases together fail with probability at
    most ``n**-ell``.

    **Budget.** Greedy becomes the better of cost-effective and unit-cost greedy
    (:func:`graphkit.seeds.greedy.budgeted_coverage`), which covers at least
    ``(1 - 1/e)/2`` of the best affordable cover; the same analysis then gives
    ``(1 - 1/e)/2 - epsilon`` times the best affordable set's spread. ``k`` in the
    formulas becomes ``k_max``, the most users the budget can buy, and ``ell log n``
    gains ``log k_max`` (the union bound over all feasible sets).

    **Targets** (``t`` users). Roots are uniform over the targets and the estimator is
    ``t x coverage``. Written in the coverage fraction, every formula of the paper is
    unchanged (the ``n`` scale factors cancel: ``theta_i = lambda' 2**i / n`` and
    ``theta = lambda* / (n F / (1 + eps'))``); ``n`` stays in the logarithms (the
    failure probability ``n**-ell``, the ``C(n, k)`` candidate sets, and a bound on the
    number of rounds, of which there are ``ceil(log2 t) - 1``). The guarantee holds
    for the expected number of targets reached, provided the optimum reaches at least
    one target (IMM's fallback lower bound), which is always true when an eligible user
    is a target.

    Memory: before each batch the collection's size is estimated from the mean RR set
    size seen so far (:func:`graphkit.seeds._rrsets.memory_needed`) and the run
    refuses, naming an epsilon that fits, instead of being killed.

    References
    ----------
    .. [1] Y. Tang, Y. Shi, X. Xiao, "Influence maximization in near-linear time: a
       martingale approach", SIGMOD 2015.
    .. [2] W. Chen, "An issue in the martingale analysis of the influence maximization
       algorithm IMM", arXiv:1808.09363, 2018.
    .. [3] C. Borgs, M. Brautbar, J. Chayes, B. Lucier, "Maximizing social influence in
       nearly optimal time", SODA 2014.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("b", "a"), ("c", "a"), ("d", "c"), ("e", "c")])
    >>> ig = gk.influence_graph(g, "uniform:1")          # a reaches b, c; c reaches d, e
    >>> res = gk.imm(ig, 1, rng=7)
    >>> res.seeds, round(res.spread, 6)
    (('a',), 5.0)
    """
    cons = resolve(ig, k, targets=targets, include=include, exclude=exclude, costs=costs,
                   budget=budget)
    return run_imm(ig, cons, model=model, epsilon=epsilon, ell=ell, rng=rng,
                   max_memory=max_memory, progress=progress)
