"""Influence maximization: which users to seed so a campaign reaches the most people.

* :func:`select_seeds` -- the public entry point: pick seeds with a method (IMM by
  default), re-estimate their spread by independent simulation, compare with baselines;
  returns a :class:`SeedSelection`.
* :func:`imm` -- IMM (Tang, Shi, Xiao 2015) with Chen's 2018 correction: the
  ``(1 - 1/e - epsilon)`` guarantee with probability ``1 - n**-ell``; budgets, targets,
  fixed and banned users.
* :func:`opim` -- OPIM-C (Tang, Tang, Xiao, Yuan 2018): the same guarantee with a
  certified ratio, from two independent collections of RR sets that double until
  they certify it; by default the seeds are then picked on IMM's number of fresh RR
  sets for OPIM's lower bound on the optimum.
* :func:`celf` -- Monte Carlo greedy with lazy evaluations (small graphs, a reference).
* :mod:`~graphkit.seeds.heuristics` -- degree discount, top in-degree, top PageRank,
  random.
* :mod:`~graphkit.seeds.greedy` -- greedy maximum coverage (cardinality and budgeted).
* :class:`RRSets` -- a collection of RR sets (the Spark engine draws slices of one on its
  executors).

Private: ``_theta`` (IMM's sample-size math), ``_opim_bounds`` (OPIM-C's bounds),
``_rrsets`` and ``_rr_kernels`` (numba RR-set sampling, with subset sampling),
``_greedy_kernels`` (greedy maximum coverage), ``_constraints`` (campaign constraints
resolved to positions).
"""

from ._rrsets import RRSets, format_bytes
from .celf_alg import CELFResult, celf
from .heuristics import degree_discount, random_seeds, top_degree, top_pagerank
from .imm_alg import IMMResult, imm
from .opim_alg import OPIMResult, opim
from .select import BASELINES, METHODS, SeedSelection, select_seeds

__all__ = ["select_seeds", "SeedSelection", "imm", "IMMResult", "opim", "OPIMResult", "celf",
           "CELFResult", "degree_discount", "top_degree", "top_pagerank", "random_seeds",
           "METHODS", "BASELINES", "RRSets", "format_bytes"]
