"""Write results to files, atomically.

Every writer produces the whole file under a temporary name in the target
directory and then renames it into place (``os.replace``), so a failed or
interrupted run never leaves a half-written output. The format follows the
file extension: ``.csv``, ``.tsv``, ``.json``, ``.jsonl``, ``.parquet``, ``.txt``
(one id per line).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from contextlib import contextmanager

import numpy as np

from .._cells import (
    _NEEDS_PREFIX,
    FORMULA_START,
    has_line_break,
    is_list_comment,
    neutralize,
    visible,
)
from .._signals import honour
from ..errors import InputError

__all__ = ["write_table", "write_text", "atomic_path", "atomic_open", "to_jsonable", "FORMATS",
           "format_of", "records", "n_rows", "is_columns"]

FORMATS = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".jsonl": "jsonl",
           ".parquet": "parquet", ".txt": "txt"}


def format_of(path: str, allowed=None) -> str:
    """The output format for ``path``'s extension; ``ValueError`` when unsupported."""
    ext = os.path.splitext(str(path))[1].lower()
    fmt = FORMATS.get(ext)
    allowed = allowed or tuple(FORMATS.values())
    if fmt is None or fmt not in allowed:
        exts = ", ".join(e for e, f in FORMATS.items() if f in allowed)
        raise ValueError(f"cannot tell the output format of {path!r}: use one of {exts}")
    return fmt


@contextmanager
def atomic_path(path: str):
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    The temporary file is removed on any failure (an OS error, Ctrl-C, SIGTERM under the
    CLI); the previous ``path`` is then intact. An existing ``path`` keeps its mode (a
    ``0600`` file stays ``0600``); a new one gets ``0666 & ~umask`` like ``open()``. OS
    errors become one-line :class:`InputError` naming ``path``, never the temporary name.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise InputError("output directory does not exist", directory)
    if os.path.isdir(path):
        raise InputError("is a directory, not a file to write", path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp",
                                   dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write here ({exc.strerror or exc})", path) from None
    os.close(fd)
    try:
        yield tmp
        honour()  # a signal a library swallowed: the old file stays (see _signals.honour)
        try:
            mode = os.stat(path).st_mode & 0o7777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask  # mkstemp creates the file 0600; plain open() would not
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
            raise InputError(f"cannot write ({exc.strerror or exc}); the previous file, if "
                             "any, is unchanged", path) from None
        raise


@contextmanager
def atomic_open(path: str, mode: str = "w", encoding: str | None = "utf-8"):
    """Open a temporary file beside ``path``; it replaces ``path`` when the block succeeds."""
    with atomic_path(path) as tmp:
        kwargs = {} if "b" in mode else {"encoding": encoding, "newline": ""}
        with open(tmp, mode, **kwargs) as fh:
            yield fh


def to_jsonable(value):
    """Convert numpy scalars/arrays and NaN to JSON-friendly Python values."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_table(df, path: str, *, id_column: str = "user", meta: dict | None = None,
                neutralize: bool = True) -> str:
    """Write a result table to ``path`` in the format of its extension.

    ``df`` is a DataFrame, or a mapping of column name -> 1-d NumPy array (what
    :func:`graphkit.ranking.ranked_columns` returns): CSV, TSV, JSON and TXT are then
    written without pandas, byte for byte as from the DataFrame of those columns.

    ``.txt`` writes one value of ``id_column`` per line (a seed or user list ready
    for another tool); an id holding a line break cannot be written that way and
    raises :class:`InputError`. ``.json`` writes ``{"meta": ..., "rows": [...]}`` when
    ``meta`` is given, else the list of rows. Returns the format written.

    ``neutralize`` (default): in ``.csv``/``.tsv``, a text cell that a spreadsheet would
    run as a formula (it starts with ``= + - @``, a tab or a carriage return and is not a
    number) is written with a leading ``'``; graphkit's readers of its own outputs
    (id lists, memberships) remove it again. ``False`` writes every cell as it is, for
    pipelines; numeric columns are never changed.
    """
    fmt = format_of(path)
    if is_columns(df) and fmt in ("parquet", "jsonl"):
        import pandas as pd

        df = pd.DataFrame(df)
    if fmt == "txt":
        _check_one_per_line(df[id_column].tolist(), path)
    with atomic_path(path) as tmp:
        if fmt in ("csv", "tsv"):
            _write_csv(neutralized(df) if neutralize else df, tmp, "," if fmt == "csv" else "\t")
        elif fmt == "parquet":
            df.to_parquet(tmp, index=False)
        elif fmt == "jsonl":
            df.to_json(tmp, orient="records", lines=True, force_ascii=False)
        elif fmt == "json":
            rows = to_jsonable(records(df))
            payload = rows if meta is None else {**to_jsonable(meta), "rows": rows}
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, ensure_ascii=False, indent=1)
                fh.write("\n")
        elif fmt == "txt":
            with open(tmp, "w", encoding="utf-8") as fh:
                for u in df[id_column].tolist():
                    fh.write(f"{u}\n")  # checked above: no id holds a line break
    return fmt


def is_columns(table) -> bool:
    """Whether ``table`` is a mapping of column name -> array (not a DataFrame)."""
    from collections.abc import Mapping

    return isinstance(table, Mapping)


def n_rows(table) -> int:
    """Rows of a DataFrame or of a mapping of columns."""
    if is_columns(table):
        return len(next(iter(table.values()))) if table else 0
    return len(table)


def records(table) -> list:
    """The rows as dicts (``DataFrame.to_dict(orient="records")``), Python scalars."""
    if not is_columns(table):
        return table.to_dict(orient="records")
    names = list(table)
    return [dict(zip(names, row)) for row in zip(*(np.asarray(v).tolist() for v in table.values()))]


def neutralized(df):
    """``df`` with the text cells (and column names) a spreadsheet would run as formulas
    prefixed by ``'`` (see :func:`write_table`); numeric columns are left alone."""
    if is_columns(df):
        out = {}
        for c, v in df.items():
            v = np.asarray(v)
            if v.dtype == object:
                hits = _formula_rows(v)
                v = v.copy()
                rows = range(len(v)) if hits is None else hits.tolist()
                for i in rows:
                    if isinstance(v[i], str):
                        v[i] = neutralize(v[i])
            out[neutralize(str(c))] = v
        return out
    cols = [neutralize(str(c)) for c in df.columns]
    text = [c for c in df.columns if df[c].dtype == object or str(df[c].dtype) in ("string", "str")]
    if not text and cols == [str(c) for c in df.columns]:
        return df
    out = df.copy()
    for c in text:
        hits = _formula_rows(out[c])
        if hits is None:
            out[c] = [neutralize(v) if isinstance(v, str) else v for v in out[c].tolist()]
        elif hits.shape[0]:
            values = out[c].tolist()
            for i in hits.tolist():  # the few cells that start like a formula
                if isinstance(values[i], str):
                    values[i] = neutralize(values[i])
            out[c] = values
    out.columns = cols
    return out


def _formula_rows(column):
    """Rows of a text column whose cell may start like a formula (a superset: the caller's
    :func:`~graphkit._cells.neutralize` decides each), or None when the column holds
    other values than text (every cell is then checked).

    Up to ``_PYTHON_STRINGS`` cells of a NumPy column: one Python pass over the first
    characters (~14 ms for 82k ids, against ~110 ms to encode them for Arrow and compile
    its regex on a command's first call); beyond, Arrow's regex over the whole column."""
    if isinstance(column, np.ndarray) and len(column) <= _PYTHON_STRINGS:  # no pandas
        values = column.tolist()
        if not all(isinstance(v, str) for v in values):
            return None
        return np.array([i for i, v in enumerate(values) if v[:1] in _FORMULA_FIRST],
                        dtype=np.int64)
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(column, type=pa.large_string(), from_pandas=True)
    except (ValueError, TypeError):  # ArrowInvalid, ArrowTypeError, UnicodeEncodeError
        return None
    from ._arrow import to_numpy

    hit = pc.match_substring_regex(arr, "^" + _NEEDS_PREFIX.pattern)
    return np.flatnonzero(to_numpy(hit, null=False))


#: What a cell :func:`~graphkit._cells.neutralize` may prefix starts with (a quote: a
#: cell already prefixed, ``'*[=+-@\t\r]``).
_FORMULA_FIRST = frozenset(("'", *FORMULA_START))


def _check_one_per_line(ids, path: str) -> None:
    for u in ids:
        text = str(u)
        if has_line_break(text) or text != text.strip() or is_list_comment(text) or not text:
            why = ("a line break" if has_line_break(text)
                   else "leading or trailing white space" if text != text.strip()
                   else "nothing" if not text else "what reads as a comment line")
            raise InputError(f"user id '{visible(text)}' holds {why}, which a one-id-per-line "
                             ".txt list cannot keep; write .csv or .json instead", path)


def _write_csv(df, path: str, delimiter: str) -> None:
    """CSV through pyarrow (about 10x faster than pandas on a million rows).

    pyarrow quotes every header name, so the header line is written with the
    ``csv`` module and the rows are appended by pyarrow.
    """
    import csv

    import pyarrow as pa
    import pyarrow.csv as pcsv

    table = _arrow_table(df) if is_columns(df) else None
    if table is None:
        if is_columns(df):
            import pandas as pd

            df = pd.DataFrame(df)
        table = pa.Table.from_pandas(df, preserve_index=False)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerow([str(c) for c in df])
    with open(path, "ab") as fh:
        pcsv.write_csv(table, fh, write_options=pcsv.WriteOptions(
            include_header=False, delimiter=delimiter, quoting_style="needed"))


#: Text columns up to this many values are encoded in Python (no pandas); longer ones by
#: Arrow's own conversion (0.3 s against 0.04 s for a million ids).
_PYTHON_STRINGS = 100_000


def _arrow_table(columns):
    """Columns of numbers, booleans and ``str`` as an Arrow table without pandas (the
    types ``Table.from_pandas`` gives them), or None for anything else."""
    import pyarrow as pa

    from ._arrow import from_numpy, strings

    arrays = []
    for v in columns.values():
        v = np.asarray(v)
        if v.ndim != 1:
            return None
        if v.dtype.kind in "biuf":  # NaN is a null (an empty cell), as from pandas
            arrays.append(from_numpy(v, np.isnan(v) if v.dtype.kind == "f" else None))
            continue
        if v.dtype != object:
            return None
        try:
            if len(v) > _PYTHON_STRINGS:  # Arrow's C conversion (pyarrow may import pandas:
                arrays.append(pa.array(v, type=pa.large_string()))  # little next to the rest)
                continue
            values = v.tolist()
            if not all(isinstance(x, str) for x in values):
                return None
            arrays.append(strings(values))
        except (UnicodeEncodeError, pa.ArrowException):  # not all text, a lone surrogate:
            return None  # pandas' path writes it or raises the usual error
    return pa.Table.from_arrays(arrays, names=[str(c) for c in columns])


def write_text(path, text: str) -> str:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically; returns the path."""
    path = os.fspath(path)
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", errors="replace", newline="\n") as fh:
            fh.write(text)
    return path
