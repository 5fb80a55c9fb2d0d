"""graphkit: who really spreads content on a social platform.

Public API (heavy modules are imported on first use, so ``import graphkit`` and
``graphkit --help`` stay fast)::

    import graphkit as gk
    edges = gk.read_edges(["data/example.csv"])
    g = gk.SocialGraph.from_edges(edges)
    top = gk.rank(g, by="pagerank").head(10)
"""

from __future__ import annotations

import os

__version__ = "0.1.0"

# numba's OpenMP threads spin-wait between parallel regions by default. On a shared
# 2-core machine a spinning thread steals the core from the one doing the work:
# PageRank on a 1M-edge graph took 0.18 s with the default and 0.055 s with
# PASSIVE (2.3x faster with another process busy too). A value the user set wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# a read-only install with an unwritable HOME: numba could cache no kernel at all
from ._imports import lazy_attributes as _lazy_attributes  # noqa: E402
from ._jitcache import prepare as _prepare_jit_cache  # noqa: E402

_prepare_jit_cache()

# public name -> module that defines it
_EXPORTS = {
    "GraphkitError": "errors",
    "InputError": "errors",
    "EmptyGraphError": "errors",
    "ConvergenceError": "errors",
    "UnknownUserError": "errors",
    "read_edges": "io",
    "EdgeTable": "io",
    "LoadReport": "io",
    "read_id_list": "io",
    "write_table": "io",
    "SocialGraph": "graph",
    "rank": "ranking",
    "pagerank": "ranking",
    "hits": "ranking",
    "indegree": "ranking",
    "kcore": "ranking",
    "betweenness": "ranking",
    "graph_summary": "graph",
    "detect_communities": "communities",
    "Partition": "communities",
    "modularity": "communities",
    "nmi": "communities",
    "read_membership": "io",
    "membership_array": "communities",
    "InfluenceGraph": "weighting",
    "influence_graph": "weighting",
    "simulate": "diffusion",
    "SpreadEstimate": "diffusion",
    "IndependentCascade": "diffusion",
    "LinearThreshold": "diffusion",
    "select_seeds": "seeds",
    "SeedSelection": "seeds",
    "imm": "seeds",
    "IMMResult": "seeds",
    "opim": "seeds",
    "OPIMResult": "seeds",
    "read_actions": "io",
    "ActionLog": "io",
    "Cascades": "learn",
    "BernoulliEstimator": "learn",
    "JaccardEstimator": "learn",
    "EMEstimator": "learn",
    "fit_probabilities": "learn",
    "evaluate_probabilities": "learn",
    "LearnEvaluation": "learn",
    "View": "viz",
    "influencers_view": "viz",
    "communities_view": "viz",
    "ego_view": "viz",
    "cascade_view": "viz",
    "Report": "report",
    "build_report": "report",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


__getattr__ = _lazy_attributes(__name__, _EXPORTS, globals())


def __dir__():
    return __all__
