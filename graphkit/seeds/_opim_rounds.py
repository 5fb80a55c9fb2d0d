"""OPIM-C's machinery (private): the memory guard, the guarantee text and the doubling rounds
of two RR-set collections, for :mod:`graphkit.seeds.opim_alg`."""

from __future__ import annotations

import math

import numpy as np

from .._progress import silent
from ..errors import InputError
from . import _opim_bounds as B
from ._constraints import Constraints
from ._rrsets import CALL_MEMBERS, RRSets, default_max_memory, format_bytes
from .imm_alg import guarantee_subject

__all__ = ["memory_needed", "guarantee_text"]

#: RR sets drawn first to learn the mean set size before the first memory check.
PILOT_SETS = 4096
#: The refined run evaluates a round only once it holds this many members per user.
ROUND_MEMBERS = 0.25


def memory_needed(theta: float, mean_size: float, n_users: int, threads: int | None = None) -> float:
    """Estimated peak bytes of an OPIM round with ``theta`` sets per collection.

    A set costs ``4.4 m + 8`` bytes (int32 members with 10% slack, an int64 offset) in
    each collection. Two moments peak: growing ``R2`` while ``R1`` is full (the old and
    the new ``R2`` arrays coexist: 2.5 collections) and the greedy on ``R1`` (2
    collections, the inverted index ``4 m`` and a covered flag per set). Add 88 bytes a
    user (greedy heap and gains, index pointers, id order) and, per sampling thread, 8
    bytes a user and the kernel's output buffer.
    """
    from ._small import thread_count

    threads = thread_count() if threads is None else int(threads)
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

    def __init__(self, ig, cons, model, epsilon, ell, max_memory, progress, make=None):
        self.ig, self.cons, self.model, self.eps, self.ell = ig, cons, model, epsilon, ell
        self.make = RRSets if make is None else make  # or another engine's (run_opim's rr_sets)
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
        self.progress = progress
        self.say = progress or silent

    def sets(self):
        return self.make(self.ig, self.model, roots=self.cons.targets)

    def sure(self, picks) -> float:
        """Population users among the included users and ``picks``: reached for sure."""
        return self.sure_inc + float(picks.size if self.in_pop is None else self.in_pop[picks].sum())

    def bounds(self, cov, r2, theta1, a):
        """Seeds, their first-cover counts on ``r2`` and the certificate of a cover."""
        seq = np.concatenate([self.cons.include, cov.picks]).astype(np.int64)
        hits = r2.first_cover(seq)
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
        cov = r1.cover(run.cons, bound=not refine)  # refine: only LB is needed
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


def _final_memory(theta, mean, n, theta_val):
    """Peak bytes of the final phase: the final sets with their index and the validation sets."""
    from ._rrsets import memory_needed as one_collection

    return one_collection(theta, mean, n) + theta_val * (4.4 * mean + 8.0)
