"""How the command line treats Ctrl-C and SIGTERM, installed as the very first thing a
``graphkit`` process does (before the heavy imports, which can take a second).

* SIGINT (Ctrl-C) raises KeyboardInterrupt, as Python's default does, and is remembered
  so that the exit code is 130 wherever it landed.
* SIGTERM raises SystemExit(143): the stack unwinds, so ``finally`` blocks run and no
  temporary output file is left behind (Python's default would kill the process there).

A compiled kernel cannot be interrupted; long work is cut into short calls
(:mod:`graphkit._batches`), so either signal is honoured within about a quarter second.

Neither handler raises inside Python's import machinery (``<frozen importlib...>``): an
exception there can leave the interpreter's global import lock or a module's lock held.
One such case hung ``segments`` about one SIGTERM in fifteen: the signal landed in the
weak-reference callback that drops a module lock, right after it took the global import
lock; an exception in a callback is reported and dropped, so the signal was lost, the lock
stayed held, and the next import of the thread drawing the reach waited for ever while
the main thread waited for that thread's module. There the handler hands the signal back
to the interpreter (:func:`_thread.interrupt_main`, from a thread a few milliseconds
later), which calls it again, until the machinery has returned to ordinary code.

The same holds inside numba's and llvmlite's compile and cache-loading code (any frame of
theirs on the interrupted stack; a compiled kernel itself runs without Python frames, so
a signal during a kernel is raised when it returns, as before). Raised there, a Ctrl-C
hung ``simulate`` under load (about one run in 100: llvmlite's lock, taken in its
``__enter__`` just before the interrupt, was never released, and the worker thread waiting
for it was joined for ever) or aborted it with ``free(): double free`` (a half-closed
LLVM object freed again by its ``__del__``). A kernel's load takes milliseconds; a first
compile after installing can take a few seconds, and the signal waits that long.
"""

from __future__ import annotations

import _thread
import os
import signal
import time

__all__ = ["install", "redeliver", "INTERRUPTED", "TERMINATED"]

#: Signals received (SIGINT) so far in this process.
INTERRUPTED: list[int] = []
#: SIGTERMs received so far: a SystemExit raised inside an import can come out as another
#: error (pandas' C modules turn it into an AttributeError); the CLI still exits 143.
TERMINATED: list[int] = []


#: Path pieces of the libraries whose code a signal must not interrupt (see the module doc).
_UNINTERRUPTIBLE = (f"{os.sep}numba{os.sep}", f"{os.sep}llvmlite{os.sep}")


def _inside_machinery(frame) -> bool:
    """True when the code a signal interrupted is Python's import machinery, or numba's
    or llvmlite's code anywhere on the interrupted stack."""
    if frame is None:
        return False
    if frame.f_code.co_filename.startswith("<frozen importlib"):
        return True
    while frame is not None:
        name = frame.f_code.co_filename
        if any(piece in name for piece in _UNINTERRUPTIBLE):
            return True
        frame = frame.f_back
    return False


def _handed_back(signum: int) -> bool:
    """Have the main thread receive ``signum`` again in a few milliseconds, from a
    short-lived thread (handed back at once, it would run inside this handler, still
    within the machinery's call). A real signal, so that it also ends a blocking wait
    (joining a thread) as the first one would have. False when no thread can start (the
    process's limits, or the interpreter shutting down): then the handler raises at once."""
    main = _thread.get_ident()  # handlers run in the main thread

    def later():
        time.sleep(_HAND_BACK_DELAY)
        try:
            signal.pthread_kill(main, signum)
        except (AttributeError, OSError):  # no pthread_kill on this platform / main gone
            _thread.interrupt_main(signum)

    try:
        _thread.start_new_thread(later, ())
    except RuntimeError:
        return False
    return True


def redeliver(exc: BaseException) -> bool:
    """Deliver again the signal behind ``exc``, raised by a handler inside a finaliser
    (``__del__``, a weak-reference callback), where Python reports and drops exceptions:
    the Ctrl-C would be lost and the command would run on to its end (exit 0). True when
    ``exc`` was such a signal (the caller then stays quiet about it)."""
    if isinstance(exc, KeyboardInterrupt) and INTERRUPTED:
        signum = INTERRUPTED[-1]
    elif isinstance(exc, SystemExit) and TERMINATED and exc.code == 128 + TERMINATED[-1]:
        signum = TERMINATED[-1]
    else:
        return False
    if not _handed_back(signum):  # no thread: raised at the next chance in the main thread
        _thread.interrupt_main(signum)
    return True


#: Seconds before a signal handed back is raised again.
_HAND_BACK_DELAY = 0.005


def _terminated(signum, frame):
    if _inside_machinery(frame) and _handed_back(signum):
        return  # raised again when the machinery has returned: see the module doc
    TERMINATED.append(signum)
    raise SystemExit(128 + signum)


def _interrupted(signum, frame):
    if _inside_machinery(frame) and _handed_back(signum):
        return
    INTERRUPTED.append(signum)
    raise KeyboardInterrupt


def install() -> None:
    """Install both handlers (a no-op outside the main thread, e.g. embedded use)."""
    try:
        signal.signal(signal.SIGTERM, _terminated)
        signal.signal(signal.SIGINT, _interrupted)
    except ValueError:
        pass
