"""Third-party modules loaded with the command's start-up in mind.

python-igraph imports ``igraph.drawing`` on ``import igraph``, and that imports
``matplotlib.pyplot`` whenever matplotlib is installed (graphkit's report needs it):
0.5-1.0 s and ~35 MB for a plotting library no command draws with. The command line
calls :func:`igraph_without_matplotlib` once; from then on :func:`igraph` imports
igraph with matplotlib hidden, so igraph's drawing modules take the stand-in igraph
itself uses when matplotlib is missing. Only igraph's own matplotlib plotting is
affected; ``import matplotlib`` afterwards works as usual (``graphkit report`` draws
its charts with it). In a library session (a notebook, a script) nothing changes:
igraph is imported as installed, so ``igraph.plot`` keeps its matplotlib backend.
"""

from __future__ import annotations

import importlib
import sys
import threading

__all__ = ["igraph", "igraph_without_matplotlib", "igraph_graph", "lazy_attributes"]

_LOCK = threading.Lock()
_PLOTLESS = False


def igraph_without_matplotlib() -> None:
    """From now on, :func:`igraph` imports igraph without matplotlib (the CLI)."""
    global _PLOTLESS
    _PLOTLESS = True


def igraph():
    """The ``igraph`` module (imported without matplotlib once the CLI asked for it)."""
    module = sys.modules.get("igraph")
    if module is not None:
        return module
    with _LOCK:
        hide = _PLOTLESS and "matplotlib" not in sys.modules
        if hide:
            sys.modules["matplotlib"] = None  # type: ignore[assignment]  # import -> ImportError
        try:
            return importlib.import_module("igraph")
        finally:
            if hide and sys.modules.get("matplotlib", False) is None:
                del sys.modules["matplotlib"]



def igraph_graph(n: int, src, dst, *, directed: bool = False, weight=None):
    """An igraph ``Graph`` of ``n`` vertices and the edges ``src[i] -> dst[i]`` in that
    order (NumPy arrays), with the edge attribute ``"weight"`` when ``weight`` is given.

    ``add_edges`` reads an iterator of ``(u, v)`` tuples of Python ints (``zip`` of two
    lists: one tuple reused, no list of 620k tuples for the garbage collector to walk),
    the weights a list of floats. igraph converts a NumPy ``(m, 2)`` array row by row
    through NumPy's item access (a view and two NumPy scalars per edge): 2.5x the
    instructions (callgrind, 620k pairs: 2.0 G against 0.82 G, building the lists
    included; a list of the tuples: 1.3 G), and ``Graph(n=..., edges=array)`` took 2x
    the time of ``add_edges``. The same edges and weights in the same order: the same
    graph, the same results.
    """
    g = igraph().Graph(n=int(n), directed=directed)
    g.add_edges(zip(src.tolist(), dst.tolist()))
    if weight is not None:
        g.es["weight"] = weight.tolist()
    return g


def lazy_attributes(package: str, table: dict, namespace: dict):
    """A package's ``__getattr__`` (PEP 562): a name of ``table`` (name -> submodule)
    imports its submodule on first use and is kept in ``namespace`` (the package's
    globals), so that the package's import stays light."""

    def __getattr__(name):
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", package), name)
        namespace[name] = value
        return value

    return __getattr__
