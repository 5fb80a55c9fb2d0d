"""Errors as the CLI reports them: one line, exit 1 for data/IO, 2 for usage."""

from __future__ import annotations

import functools

import click


def handle_errors(func):
    """Turn library errors into one-line click errors (exit 1), usage errors into exit 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from .._cells import visible
        from ..errors import GraphkitError

        debug = click.get_current_context().find_root().meta.get("debug", False)
        try:
            return func(*args, **kwargs)
        except click.ClickException as exc:
            exc.message = visible(exc.message)  # a user id in a usage error stays one line
            raise
        except (click.exceptions.Exit, click.Abort):
            raise
        except GraphkitError as exc:
            if debug:
                raise
            raise click.ClickException(visible(str(exc))) from None
        except MemoryError:
            if debug:
                raise
            raise click.ClickException(_out_of_memory()) from None
        except KeyboardInterrupt:
            click.echo("Aborted", err=True)
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:
            raise  # the reader of stdout left (`| head`): click exits 1 quietly, as Unix tools do
        except Exception as exc:  # unexpected: still one line, traceback with --debug
            # a signal that arrived inside a compiled kernel surfaces, when the kernel
            # returns, as SystemError(s) chained to the KeyboardInterrupt/SystemExit
            from .._signals import INTERRUPTED, TERMINATED

            cause = _signal_in_chain(exc) if isinstance(exc, SystemError) else None
            if cause is None and TERMINATED:  # SIGTERM inside an import, reraised as another error
                raise SystemExit(128 + TERMINATED[-1]) from None
            if INTERRUPTED and cause is None:  # e.g. a module left half-imported by Ctrl-C
                cause = KeyboardInterrupt()
            if isinstance(cause, KeyboardInterrupt):
                click.echo("Aborted", err=True)
                raise click.exceptions.Exit(130) from None
            if isinstance(cause, SystemExit):
                raise cause from None
            if debug:
                raise
            limit = _resource_limit(exc)
            if limit is not None:
                raise click.ClickException(limit) from None
            msg = visible(str(exc).splitlines()[0]) if str(exc) else type(exc).__name__
            raise click.ClickException(
                f"internal error ({type(exc).__name__}: {msg}); rerun with --debug and report it"
            ) from None

    return wrapper


def _signal_in_chain(exc: BaseException):
    """The KeyboardInterrupt or SystemExit that ``exc`` was raised from, if any."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


#: What reduces the memory of each command's big step (named in out-of-memory errors).
_MEMORY_HINTS = {
    "seeds": "a larger --epsilon or a smaller -k (fewer RR sets)",
    "simulate": "fewer --runs",
    "rank": "a smaller input (or --samples with --by betweenness)",
    "recommend": "--user instead of --all, or a smaller --top",
    "segments": "a smaller input (or -k)",
    "report": "a smaller -k, or the commands one by one",
    "learn": "--method counting, or fewer --runs",
}


def _out_of_memory() -> str:
    """"out of memory during '<stage>'" with what reduces it, for the running command (the
    stage as the progress line names it: 'k-core', 'building graph', 'recommending (ppr)')."""
    ctx = click.get_current_context(silent=True)
    stage = ctx.find_root().meta.get("stage") if ctx is not None else None
    name = ctx.info_name if ctx is not None else None
    where = f" during '{stage}'" if stage else ""
    hint = _MEMORY_HINTS.get(name, "a smaller input")
    return f"out of memory{where}; try {hint}, or more memory (ulimit -v / container limit)"


def _resource_limit(exc: BaseException) -> str | None:
    """One line for failures that come from the process's limits, not from the input:
    the JIT compiler's library that cannot be mapped, a thread that cannot be started."""
    text = str(exc)
    if isinstance(exc, OSError) and "llvmlite" in text:
        return ("cannot load llvmlite (numba's compiler): the process's memory limit "
                "(ulimit -v) is probably too low; graphkit needs about 1.2 GB of address space")
    if isinstance(exc, (ImportError, OSError)) and ("failed to map segment" in text
                                                   or "cannot allocate memory" in text.lower()):
        return _out_of_memory()  # a library (numpy.random, scipy...) loaded late, no room left
    if "Failed to launch worker thread" in text or "can't start new thread" in text:
        return ("cannot start a worker thread (resource limits: ulimit -v / ulimit -u); "
                "raise the limits or set OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1")
    return None
