"""Influence maximization: which users to seed so a campaign reaches the most people.

* :func:`select_seeds` -- the public entry point: pick seeds with a method (IMM by
  default), re-estimate their spread by independent simulation, compare with baselines;
  returns a :class:`SeedSelection`.
* :func:`imm` -- IMM (Tang, Shi, Xiao 2015) with Chen's 2018 correction: the
  ``(1 - 1/e - epsilon)`` guarantee with probability ``1 - n**-ell``; budgets, targets,
  fixed and banned users.
* :func:`celf` -- Monte Carlo greedy with lazy evaluations (small graphs, a reference).
* :mod:`~graphkit.seeds.heuristics` -- degree discount, top in-degree, top PageRank,
  random.
* :mod:`~graphkit.seeds.greedy` -- greedy maximum coverage (cardinality and budgeted).

Private: ``_theta`` (IMM's sample-size math), ``_rrsets`` (numba RR-set sampling),
``_constraints`` (campaign constraints resolved to positions).
"""

from .celf import CELFResult, celf
from .heuristics import degree_discount, random_seeds, top_degree, top_pagerank
from .imm import IMMResult, imm
from .select import BASELINES, METHODS, SeedSelection, select_seeds

__all__ = ["select_seeds", "SeedSelection", "imm", "IMMResult", "celf", "CELFResult",
           "degree_discount", "top_degree", "top_pagerank", "random_seeds", "METHODS",
           "BASELINES"]
