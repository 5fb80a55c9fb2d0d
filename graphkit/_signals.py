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
to the main thread (a real signal, from a thread a few milliseconds later), which calls
it again, until the machinery has returned to ordinary code.

The same holds in llvmlite's code and in any ``__enter__``/``__exit__`` (see
:func:`_inside_machinery`). Raised there, a Ctrl-C hung ``simulate`` under load (about
one run in 100: llvmlite's lock, taken in its ``__enter__`` just before the interrupt,
was never released, and the worker thread waiting for it was joined for ever) or aborted
it with ``free(): double free`` (a half-closed LLVM object freed again by its
``__del__``). Those calls are short, so the signal waits milliseconds.
"""

from __future__ import annotations

import _thread
import os
import signal
import time

__all__ = ["install", "honour", "signal_exit", "redeliver", "INTERRUPTED", "TERMINATED"]

#: Signals received (SIGINT) so far in this process.
INTERRUPTED: list[int] = []
#: SIGTERMs received so far: a SystemExit raised inside an import can come out as another
#: error (pandas' C modules turn it into an AttributeError); the CLI still exits 143.
TERMINATED: list[int] = []


#: Path piece of llvmlite's code, which a signal must not interrupt (see the module doc).
_LLVMLITE = f"{os.sep}llvmlite{os.sep}"


def _inside_machinery(frame) -> bool:
    """True when the code a signal interrupted is Python's import machinery, a context
    manager's ``__enter__``/``__exit__`` (where a lock may be taken and not yet owned by a
    ``with``: numba's compiler lock, llvmlite's), or llvmlite's code anywhere on the stack
    (short calls into LLVM). Not numba's other code: a running kernel calls back into it
    (``_numba_unpickle``) between batches, and a signal deferred there would wait for the
    whole job."""
    if frame is None:
        return False
    code = frame.f_code
    if code.co_filename.startswith("<frozen importlib") or code.co_name in ("__enter__",
                                                                            "__exit__"):
        return True
    while frame is not None:
        if _LLVMLITE in frame.f_code.co_filename:
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


#: Seconds a signal may be handed back before it is raised wherever it lands: a bound in
#: case the checks keep landing in the machinery (each lands at a random moment, and a
#: run of them in the machinery for a whole second has not been seen).
_MAX_DEFERRAL = 1.0
#: When the pending signal was first handed back (None: no signal pending).
_deferred_since: list = [None]


def _defer(signum: int, frame) -> bool:
    """Whether to hand ``signum`` back instead of raising it now (see the module doc)."""
    if not _inside_machinery(frame):
        _deferred_since[0] = None
        return False
    now = time.monotonic()
    if _deferred_since[0] is None:
        _deferred_since[0] = now
    elif now - _deferred_since[0] > _MAX_DEFERRAL:
        _deferred_since[0] = None
        return False
    if _handed_back(signum):
        return True
    _deferred_since[0] = None
    return False


def _terminated(signum, frame):
    if _defer(signum, frame):
        return  # raised again when the machinery has returned: see the module doc
    TERMINATED.append(signum)
    raise SystemExit(128 + signum)


def _interrupted(signum, frame):
    if _defer(signum, frame):
        return
    INTERRUPTED.append(signum)
    raise KeyboardInterrupt


def honour() -> None:
    """Raise again a signal this process received whose exception a library swallowed.

    A C extension can clear the exception a handler raised in code it called: Cython's
    module set-up dropped a SIGTERM raised while numpy.random registered a class with
    ``abc`` (an import inside numba's), and ``recommend`` then ran on, replaced the old
    output and exited 0. Called where work moves forward -- each progress stage and
    just before an output file replaces the old one -- so the command still stops, with
    the signal's exit, and keeps the old file. A no-op when no signal arrived (and in
    library use, where no handler is installed)."""
    code = signal_exit()
    if code == 130:
        raise KeyboardInterrupt
    if code is not None:
        raise SystemExit(code)


def signal_exit() -> int | None:
    """The exit code of the signal this process received (a SIGTERM's before a Ctrl-C's:
    143, 130), or None when none arrived."""
    if TERMINATED:
        return 128 + TERMINATED[-1]
    return 130 if INTERRUPTED else None


def install() -> None:
    """Install both handlers (a no-op outside the main thread, e.g. embedded use)."""
    try:
        signal.signal(signal.SIGTERM, _terminated)
        signal.signal(signal.SIGINT, _interrupted)
    except ValueError:
        pass
