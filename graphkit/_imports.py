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

__all__ = ["igraph", "igraph_without_matplotlib"]

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
