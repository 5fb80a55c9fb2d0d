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
            raise click.ClickException(
                "out of memory; try a smaller input or the options that reduce the work"
            ) from None
        except KeyboardInterrupt:
            click.echo("Aborted", err=True)
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:
            raise  # the reader of stdout left (`| head`): click exits 1 quietly, as Unix tools do
        except Exception as exc:  # unexpected: still one line, traceback with --debug
            # a signal that arrived inside a compiled kernel surfaces, when the kernel
            # returns, as SystemError with the KeyboardInterrupt/SystemExit as its context
            cause = exc.__cause__ or exc.__context__
            if isinstance(exc, SystemError) and isinstance(cause, KeyboardInterrupt):
                click.echo("Aborted", err=True)
                raise click.exceptions.Exit(130) from None
            if isinstance(exc, SystemError) and isinstance(cause, SystemExit):
                raise cause from None
            if debug:
                raise
            msg = visible(str(exc).splitlines()[0]) if str(exc) else type(exc).__name__
            raise click.ClickException(
                f"internal error ({type(exc).__name__}: {msg}); rerun with --debug and report it"
            ) from None

    return wrapper
