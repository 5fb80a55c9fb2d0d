"""What the CLI prints: consoles, notes and warnings on stderr, progress, tables, JSON,
output files. Results go to stdout; everything else to stderr."""

from __future__ import annotations

import sys
import threading

import click


def stdout_console():
    """A rich console on stdout; when piped, wide enough that tables are not squeezed."""
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else 160, **_plain())


def stderr_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True, **_plain())


def _plain() -> dict:
    """NO_COLOR (https://no-color.org) set: no escape codes at all, bold included (rich's
    own NO_COLOR handling drops colours but keeps bold and underline)."""
    import os

    return {"color_system": None} if os.environ.get("NO_COLOR") else {}


def note(message: str) -> None:
    """A line of information on stderr (suppressed by --quiet)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().meta.get("quiet"):
        return
    click.echo(_lines_visible(message), err=True)


def warn(message: str) -> None:
    click.echo(f"Warning: {_lines_visible(message)}", err=True)


def _lines_visible(message: str) -> str:
    """Each line of ``message`` with control characters (from user ids) escaped."""
    from .._cells import visible

    return "\n".join(visible(line) for line in str(message).split("\n"))


class Stages:
    """Progress on stderr for work that takes more than a second.

    ``stage(text)`` names the current step. A transient rich spinner with the step
    and the elapsed time appears only once the work has run for ``delay`` seconds,
    only on a terminal, and never on stdout.
    """

    def __init__(self, enabled: bool = True, delay: float = 1.0):
        self.enabled = enabled and sys.stderr.isatty()
        self.delay = delay
        self.text = "working"
        self._progress = None
        self._task = None
        self._timer = None
        self._lock = threading.Lock()

    def __enter__(self):
        if self.enabled:
            self._timer = threading.Timer(self.delay, self._start)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _start(self):
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self._lock:
            if self._timer is None:
                return
            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                console=stderr_console(), transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.text, total=None)

    def stage(self, text: str, done: int | None = None, total: int | None = None) -> None:
        """Show ``text`` (with ``done of total`` when given): graphkit's progress protocol."""
        if done is not None:
            text = f"{text}: {done:,}" + (f" of {total:,}" if total is not None else "")
        from .._signals import honour

        honour()  # a Ctrl-C or SIGTERM that a library swallowed (e.g. inside an import)
        ctx = click.get_current_context(silent=True)
        if ctx is not None:  # named by an out-of-memory error
            ctx.find_root().meta["stage"] = text.split(":")[0]
        with self._lock:
            self.text = text
            if self._progress is not None:
                self._progress.update(self._task, description=text)

    def __exit__(self, *exc):
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._progress is not None:
                self._progress.stop()
                self._progress = None
        return False


def write_output(df, path: str, *, id_column: str = "user", meta: dict | None = None) -> None:
    from ..io import format_of, write_table

    try:
        format_of(path)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'-o'") from None
    write_table(df, path, id_column=id_column, meta=meta, neutralize=not _raw_csv())
    from ..io.writers import n_rows

    note(f"wrote {n_rows(df):,} rows to {path}")


def print_json(obj) -> None:
    import json

    from ..io import to_jsonable

    click.echo(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=1))


def print_df_table(df, title: str | None = None, caption: str | None = None, floatfmt="{:.5g}") -> None:
    """``df`` (a DataFrame or a mapping of column name -> array) as a rich table."""
    from rich.table import Table
    from rich.text import Text

    from .._cells import visible
    from ..io.writers import is_columns

    table = Table(title=title, caption=caption, show_lines=False)
    for col in df:
        justify = "right" if df[col].dtype.kind in "iuf" else "left"
        table.add_column(str(col), justify=justify)
    rows = (zip(*(v.tolist() for v in df.values())) if is_columns(df)
            else df.itertuples(index=False))
    for row in rows:
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append(floatfmt.format(v))
            else:  # Text: never interpret [markup]; visible: no escape codes reach the tty
                cells.append(Text(visible(v)))
        table.add_row(*cells)
    stdout_console().print(table)


def _raw_csv() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().meta.get("raw_csv"))


def print_df_csv(df) -> None:
    """``df`` as CSV on stdout, formula-like text cells neutralised unless --raw-csv."""
    from ..io.writers import is_columns, neutralized

    if is_columns(df):  # pandas' CSV text (its float format), as for every command
        import pandas as pd

        df = pd.DataFrame(df)
    (df if _raw_csv() else neutralized(df)).to_csv(sys.stdout, index=False)


def emit(df, output: str | None, fmt: str, *, meta: dict, title: str, caption: str | None = None,
         shown=None, json_obj=None, id_column: str = "user", floatfmt: str = "{:.5g}",
         short_names: bool = False) -> None:
    """The output of a table command: ``-o FILE`` gets all of ``df`` (with ``meta``); stdout
    gets ``fmt`` (json/csv/table) unless the file was written and ``fmt`` is table.

    ``shown`` is what stdout shows (default ``df``); ``json_obj`` replaces the default JSON
    (``meta`` plus the shown rows); ``short_names`` drops ``_received`` from table headers.
    ``df`` may be a mapping of column name -> array instead of a DataFrame (``rank``: no
    pandas on the way to a file, the terminal or JSON).
    """
    from ..io.writers import is_columns, records

    if output is not None:
        write_output(df, output, id_column=id_column, meta=meta)
        if fmt == "table":
            return
    out = df if shown is None else shown
    if fmt == "json":
        print_json(json_obj if json_obj is not None else {**meta, "rows": records(out)})
    elif fmt == "csv":
        print_df_csv(out)
    else:
        if short_names:
            short = {c: c.replace("_received", "").replace("received_", "") for c in out}
            out = ({short[c]: v for c, v in out.items()} if is_columns(out)
                   else out.rename(columns=short))
        print_df_table(out, title=title, caption=caption, floatfmt=floatfmt)


def flat_lists(df, sep: str = ";"):
    """List columns (top_members, bridges) joined with ``sep`` for CSV/TSV."""
    out = df.copy()
    for col in ("top_members", "bridges"):
        if col in out.columns:
            out[col] = [sep.join(map(str, v)) for v in out[col]]
    return out
