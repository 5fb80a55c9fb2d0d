"""``python -m graphkit`` and the ``graphkit`` command: signal handling first, then the CLI."""

import sys

if __name__ == "__main__" and not __package__:  # run as a file: spark-submit .../__main__.py
    import os

    _here = os.path.dirname(os.path.abspath(__file__))
    # the package's own directory first on sys.path would shadow modules (io, graph, ...)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
    sys.path.insert(0, os.path.dirname(_here))
    __package__ = "graphkit"

from ._signals import install  # noqa: E402


def run() -> None:
    """Entry point: Ctrl-C/SIGTERM handled from the first moment, then ``graphkit.cli``."""
    from ._jitcache import fit_native_pools

    install()
    fit_native_pools()  # before pyarrow and OpenBLAS load
    _quiet_unraisable_memory_errors()
    try:
        from .cli import main

        main()
    except KeyboardInterrupt:  # Ctrl-C while the CLI itself was still being imported
        sys.stderr.write("Aborted\n")
        sys.exit(130)
    except MemoryError:  # so little memory that even the error could not be worded
        sys.stderr.write(_NO_MEMORY)
        sys.exit(1)


_NO_MEMORY = "Error: out of memory (raise the memory limit or use a smaller input)\n"


def _quiet_unraisable_memory_errors() -> None:
    """A MemoryError (numba's finalisers under ``ulimit -v``) or the Ctrl-C/SIGTERM being
    handled, raised again inside a finaliser, is not one more traceback on stderr."""
    previous = sys.unraisablehook

    def hook(unraisable):
        if not isinstance(unraisable.exc_value, (MemoryError, KeyboardInterrupt, SystemExit)):
            previous(unraisable)

    sys.unraisablehook = hook


if __name__ == "__main__":
    run()
