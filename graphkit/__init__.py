"""graphkit: who really spreads content on a social platform.

Public API (heavy modules are imported on first use, so ``import graphkit`` and
``graphkit --help`` stay fast)::

    import graphkit as gk
    edges = gk.read_edges(["data/example.csv"])
    g = gk.SocialGraph.from_edges(edges)
    top = gk.rank(g, by="pagerank").head(10)
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

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
    "SocialGraph": "graph",
    "rank": "rank",
    "pagerank": "rank",
    "hits": "rank",
    "indegree": "rank",
    "kcore": "rank",
    "betweenness": "rank",
    "graph_summary": "stats",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name):
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'graphkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
