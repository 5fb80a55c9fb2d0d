"""``python -m graphkit`` and the ``graphkit`` command: signal handling first, then the CLI."""

import sys

if __name__ == "__main__" and not __package__:  # run as a file: spark-submit .../__main__.py
    import os

    _here = os.path.dirname(os.path.abspath(__file__))
    # the package's own directory first on sys.path would shadow modules (io, graph, ...)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
    sys.path.insert(0, os.path.dirname(_here))
    __package__ = "graphkit"

from ._signals import install, redeliver  # noqa: E402


def run() -> None:
    """Entry point: Ctrl-C/SIGTERM handled from the first moment, then ``graphkit.cli``."""
    from ._jitcache import fit_native_pools

    install()
    fit_native_pools()  # before pyarrow and OpenBLAS load
    _quiet_unraisable_memory_errors()
    try:
        from .cli import main

        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:  # Ctrl-C while the CLI itself was still being imported
        sys.stderr.write("Aborted\n")
        code = 130
    except MemoryError:  # so little memory that even the error could not be worded
        sys.stderr.write(_NO_MEMORY)
        code = 1
    except Exception:  # escaped the CLI's handlers: after a signal, that signal's exit
        # (Python wraps a KeyboardInterrupt raised in ``__set_name__`` -- a dataclass
        # field, while an option's callback imports graphkit.io -- in a RuntimeError)
        from ._signals import signal_exit

        code = signal_exit()
        if code is None:
            raise
        if code == 130:
            sys.stderr.write("Aborted\n")
    _leave(code)


def _leave(code) -> None:
    """End the process with ``code`` once Python's own exit work is done, without the C++
    static destructors of the native libraries.

    After an error, pyarrow's thread pools are torn down by those destructors, and twice
    that teardown broke the exit itself: a hang for ever in the pool's shutdown (a 10M-row
    read under ``ulimit -v``) and ``terminate called without an active exception`` (exit
    -6) after a one-line data error on stdin. So, when pyarrow is loaded: wait for the
    threads Python would wait for, run the ``atexit`` handlers (temporary directories,
    the Spark session), flush stdout and stderr, then ``os._exit``. Otherwise the usual
    ``SystemExit``, also under a profiler or a debugger (``python -m cProfile``), which
    write their results after the program returns.
    """
    if code is None:
        code = 0
    elif not isinstance(code, int):  # SystemExit("message"): Python prints it, exit 1
        sys.stderr.write(f"{code}\n")
        code = 1
    if "pyarrow" not in sys.modules or sys.getprofile() is not None or sys.gettrace() is not None:
        raise SystemExit(code)  # a profiler or debugger writes its results after us
    import atexit
    import os
    import threading

    try:
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join()
        atexit._run_exitfuncs()
    except KeyboardInterrupt:  # a second Ctrl-C while the exit work runs: stop now
        code = 130
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader left (`| head`) or the stream is closed
            pass
    os._exit(code)


_NO_MEMORY = "Error: out of memory (raise the memory limit or use a smaller input)\n"


def _quiet_unraisable_memory_errors() -> None:
    """A MemoryError (numba's finalisers under ``ulimit -v``) inside a finaliser is not one
    more traceback on stderr; nor is a Ctrl-C/SIGTERM whose handler ran inside one, and
    that signal is delivered again (Python drops it there, and the command would run on
    to its end: a CI run saw exit 0 after Ctrl-C)."""
    previous = sys.unraisablehook

    def hook(unraisable):
        exc = unraisable.exc_value
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            redeliver(exc)  # quiet either way, as before
        elif not isinstance(exc, MemoryError):
            previous(unraisable)

    sys.unraisablehook = hook


if __name__ == "__main__":
    run()
