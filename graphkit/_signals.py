"""How the command line treats Ctrl-C and SIGTERM, installed as the very first thing a
``graphkit`` process does (before the heavy imports, which can take a second).

* SIGINT (Ctrl-C) raises KeyboardInterrupt, as Python's default does, and is remembered
  so that the exit code is 130 wherever it landed.
* SIGTERM raises SystemExit(143): the stack unwinds, so ``finally`` blocks run and no
  temporary output file is left behind (Python's default would kill the process there).

A compiled kernel cannot be interrupted; long work is cut into short calls
(:mod:`graphkit._batches`), so either signal is honoured within about a quarter second.
"""

from __future__ import annotations

import signal

__all__ = ["install", "INTERRUPTED", "TERMINATED"]

#: Signals received (SIGINT) so far in this process.
INTERRUPTED: list[int] = []
#: SIGTERMs received so far: a SystemExit raised inside an import can come out as another
#: error (pandas' C modules turn it into an AttributeError); the CLI still exits 143.
TERMINATED: list[int] = []


def _terminated(signum, frame):
    TERMINATED.append(signum)
    raise SystemExit(128 + signum)


def _interrupted(signum, frame):
    INTERRUPTED.append(signum)
    raise KeyboardInterrupt


def install() -> None:
    """Install both handlers (a no-op outside the main thread, e.g. embedded use)."""
    try:
        signal.signal(signal.SIGTERM, _terminated)
        signal.signal(signal.SIGINT, _interrupted)
    except ValueError:
        pass
