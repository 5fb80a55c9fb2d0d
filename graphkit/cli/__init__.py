"""The ``graphkit`` command line: a thin click layer over the library.

Each command loads the graph, calls one library function and hands the result to
``export``. Options shared between commands are decorators defined here. Heavy
modules (numpy, pandas, numba, ...) are imported inside the commands so that
``graphkit --help`` answers at once.

Exit codes: 0 ok, 1 bad input or failed job (one line, no traceback; ``--debug``
shows it), 2 usage error.
"""

from __future__ import annotations

import click

from ._options import CONTEXT_SETTINGS
from .commands.communities import communities
from .commands.demo import demo
from .commands.engagement import engagement
from .commands.export import export
from .commands.info import info
from .commands.learn import learn
from .commands.rank import rank
from .commands.recommend import recommend
from .commands.report import report
from .commands.seeds import seeds
from .commands.segments import segments
from .commands.simulate import simulate
from .commands.view import view

__all__ = ["cli", "main"]


class _Group(click.Group):
    """The top-level group: a Ctrl-C while click parses the options or loads a command
    ends as one inside a command does ("Aborted", exit 130), not with click's "Aborted!"
    and exit 1."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt:
            raise _aborted() from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _aborted() from None


def _aborted() -> click.exceptions.Exit:
    click.echo("Aborted", err=True)
    return click.exceptions.Exit(130)


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="graphkit", prog_name="graphkit")
@click.option("-q", "--quiet", is_flag=True, help="No progress display and no notes on stderr.")
@click.option("--debug", is_flag=True, help="Show the full traceback of errors.")
@click.pass_context
def cli(ctx, quiet, debug):
    """Find who really spreads content in interaction logs.

    Input rows are ACTOR -> TARGET interactions ("A follows B", "A shared B's
    video", "A commented on B's video"), in CSV, TSV, whitespace edge lists
    (SNAP), Parquet or JSON Lines, optionally .gz/.bz2 compressed.

    \b
    Examples:
      graphkit info data/example.csv
      graphkit rank data/higgs-sample.csv.gz --top 20
      graphkit rank edges.parquet --type-weight share=3 --type-weight comment=2 -o influencers.csv
    """
    from .._imports import igraph_without_matplotlib

    igraph_without_matplotlib()  # no command draws with igraph: skip its pyplot import
    ctx.meta["quiet"] = ctx.meta.get("quiet", False) or quiet
    ctx.meta["debug"] = ctx.meta.get("debug", False) or debug


for _command in (info, rank, communities, simulate, seeds, learn, segments, engagement,
                 recommend, view, report, export, demo):
    cli.add_command(_command)


def main(argv=None):
    """Console-script entry point (``graphkit = graphkit.cli:main``)."""
    import sys

    from .._jitcache import fit_native_pools, prepare

    fit_native_pools()  # address space: pyarrow's and OpenBLAS's reservations

    cache_note = prepare()
    if cache_note and not {"-q", "--quiet"} & set(sys.argv[1:] if argv is None else argv):
        click.echo(f"Note: {cache_note}", err=True)

    from .._signals import INTERRUPTED, install, signal_exit

    install()
    try:
        cli.main(args=argv, prog_name="graphkit", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        if code is None:
            code = 0
        if INTERRUPTED and code == 1:  # click's own "Aborted!" (Ctrl-C outside a command)
            code = 130
        elif code in (0, 1) and signal_exit() is not None:
            # 1: a SIGTERM that surfaced as another error; 0: a signal a library swallowed
            # after the last check (see _signals.honour)
            code = signal_exit()
            if code == 130:
                click.echo("Aborted", err=True)
        raise SystemExit(code) from None


if __name__ == "__main__":  # pragma: no cover
    main()
