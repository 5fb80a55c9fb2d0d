"""Read interaction logs into an :class:`EdgeTable`.

Formats: CSV, TSV, whitespace-separated edge lists (SNAP style, ``#`` comments),
Parquet and JSON Lines; text formats may be gzip- or bzip2-compressed. Files with
a header are mapped to the canonical columns by name (or by the ``*_col`` options);
headerless files by position: source, target, then a third column that is a weight
when numeric and a type label otherwise.

User ids stay strings exactly as written: ``"007"`` and ``"7"`` are two users and
numeric ids are never turned into floats. Every row either loads or is reported:
self-loops are dropped and counted, bad values raise :class:`InputError` naming the
file and line (``edges.csv:17: target is empty``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .._progress import Progress
from ..errors import EmptyGraphError, InputError
from ._columns import check_extra, resolve_columns
from ._formats import (
    check_file,
    compression_of,
    detect_format,
    looks_binary,
    open_bytes,
    open_parquet,
    read_head,
    read_json,
)
from ._ids import map_ids
from ._text import csv_note, is_comment, read_text, text_layout
from ._values import Located, first_true, id_strings, parse_timestamps, parse_weights

__all__ = ["read_edges", "EdgeTable", "LoadReport", "FileReport", "parse_type_weights"]

DEFAULT_TYPE = "interaction"


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class FileReport:
    """What was read from one file."""

    path: str
    format: str
    rows: int
    self_loops: int
    header: bool
    columns: dict
    ignored_columns: tuple = ()
    type_label: str | None = None

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "rows": self.rows,
            "self_loops_dropped": self.self_loops,
            "header": self.header,
            "columns": dict(self.columns),
            "ignored_columns": list(self.ignored_columns),
            "type_label": self.type_label,
        }


@dataclass(frozen=True)
class LoadReport:
    """What loading did: rows read per file, rows dropped and why, warnings."""

    files: tuple
    warnings: tuple = ()

    @property
    def rows_read(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def self_loops_dropped(self) -> int:
        return sum(f.self_loops for f in self.files)

    def to_dict(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "self_loops_dropped": self.self_loops_dropped,
            "files": [f.to_dict() for f in self.files],
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, eq=False)
class EdgeTable:
    """Validated interaction rows with user ids mapped to integer codes.

    One row per interaction (self-loops already removed; duplicates kept: the graph
    merges them into counts). ``frame`` gives the canonical pandas view with
    columns ``source, target, type, weight[, timestamp]``.
    """

    node_ids: np.ndarray  # object array of str, position -> id
    source_codes: np.ndarray  # int32
    target_codes: np.ndarray  # int32
    types: tuple
    type_codes: np.ndarray  # int16
    row_weight: np.ndarray | None  # float64, None = all 1
    timestamp: np.ndarray | None  # datetime64[ns] (UTC), NaT where missing
    type_weights: dict
    report: LoadReport
    extra: dict = field(default_factory=dict)  # name -> float64 array

    @property
    def n_rows(self) -> int:
        return int(self.source_codes.shape[0])

    @property
    def n_users(self) -> int:
        return len(self.node_ids)

    @property
    def frame(self):
        """The rows as a pandas DataFrame with the canonical columns."""
        import pandas as pd

        df = pd.DataFrame({
            "source": self.node_ids[self.source_codes],
            "target": self.node_ids[self.target_codes],
            "type": pd.Categorical.from_codes(self.type_codes, categories=list(self.types)),
            "weight": self.row_weight if self.row_weight is not None else np.ones(self.n_rows),
        })
        if self.timestamp is not None:
            df["timestamp"] = pd.to_datetime(self.timestamp, utc=True)
        for k, v in self.extra.items():
            df[k] = v
        return df

    def _repr_html_(self) -> str:
        """Notebook display: rows, users, types, weights, time range (``io.display``)."""
        from .display import edge_table_html

        return edge_table_html(self)

    def locate_first(self, column: str, bad) -> tuple[str, int, float] | None:
        """``(path, line, value)`` of the first value of extra ``column`` for which
        ``bad(value)`` holds, in file order (self-loop rows included), or None.

        The line is 1-based (the row for Parquet). Error path only: re-reads the files.
        """
        for rep in self.report.files:
            try:
                found = _first_line_where(rep, column, bad)
            except (OSError, ValueError, KeyError, IndexError):
                found = None
            if found is not None:
                return (rep.path, *found)
        return None


# --------------------------------------------------------------------------- options
def parse_type_weights(items: Sequence[str]) -> dict:
    """Parse ``["share=3", "comment=2"]`` into ``{"share": 3.0, "comment": 2.0}``.

    Raises ``ValueError`` (a usage error) for malformed items or weights that are
    negative or not finite.
    """
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = str(item).partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"expected TYPE=WEIGHT, got {item!r}")
        try:
            w = float(value)
        except ValueError:
            raise ValueError(f"weight in {item!r} is not a number") from None
        if not math.isfinite(w) or w < 0:
            raise ValueError(f"weight in {item!r} must be a finite number >= 0")
        out[name] = w
    return out


# --------------------------------------------------------------------------- main entry
def read_edges(
    paths,
    *,
    source_col: str | None = None,
    target_col: str | None = None,
    type_col: str | None = None,
    weight_col: str | None = None,
    time_col: str | None = None,
    type_label=None,
    type_weights: dict | None = None,
    header: bool | None = None,
    extra_cols: Sequence[str] = (),
    progress: Progress | None = None,
) -> EdgeTable:
    """Read one or more interaction files into an :class:`EdgeTable`.

    Parameters
    ----------
    paths : str, sequence of str, or pandas.DataFrame
        Files to read (CSV, TSV, whitespace edge list, Parquet, JSON Lines; text
        formats may end in ``.gz`` or ``.bz2``), or a DataFrame of rows already in
        memory (columns found by the same names; errors name ``DataFrame:ROW``).
    source_col, target_col, type_col, weight_col, time_col : str, optional
        Column names (or 1-based positions) of the canonical columns. When omitted,
        common names are recognised (``source``/``src``/``from``, ``target``/``dst``/
        ``to``, ``type``, ``weight``, ``timestamp``/``time``).
    type_label : str or sequence of str, optional
        Type given to every row of a file that has no type column: one label for
        all files, or one per file. Files without either get ``"interaction"``.
    type_weights : dict, optional
        Weight of each interaction type (``{"share": 3, "comment": 2}``); types not
        named weigh 1. A type absent from the data produces a warning in the report.
    header : bool, optional
        Force (True) or deny (False) a header line in text files; detected when None.
    extra_cols : sequence of str
        More numeric columns to keep (e.g. a probability column), validated like
        weights and available in ``EdgeTable.extra``.
    progress : Progress, optional
        ``progress(stage, done=None, total=None)`` (:mod:`graphkit._progress`): called with
        each file read and each stage.

    Returns
    -------
    EdgeTable

    Raises
    ------
    InputError
        With the file and line of the first problem: missing/empty/binary file,
        unknown column, empty id, bad weight or timestamp, ragged row.

    Examples
    --------
    >>> import graphkit as gk
    >>> t = gk.read_edges("data/example.csv")
    >>> t.n_rows, t.types
    (32, ('comment', 'follow', 'share'))
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from .frames import is_frame, read_frame

    if is_frame(paths):  # rows already in memory: the same columns and checks as a file
        return read_frame(paths, source_col=source_col, target_col=target_col,
                          type_col=type_col, weight_col=weight_col, time_col=time_col,
                          type_label=type_label, type_weights=type_weights, extra_cols=extra_cols)
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    if not paths:
        raise InputError("no input files given")
    labels = _per_file_labels(type_label, len(paths))
    options = {"source": source_col, "target": target_col, "type": type_col,
               "weight": weight_col, "timestamp": time_col}
    named = {str(v) for v in options.values() if v is not None} | {str(c) for c in extra_cols}
    need_weight = weight_col is not None
    need_time = time_col is not None

    pieces = []
    reports = []
    for path, label in zip(paths, labels):
        if progress:
            progress(f"reading {os.path.basename(path)}")
        piece, rep = _read_one(path, label, options, header, named, extra_cols)
        pieces.append(piece)
        reports.append(rep)
        need_weight |= piece["weight"] is not None
        need_time |= piece["timestamp"] is not None

    if progress:
        progress("mapping user ids")
    id_chunks = [p["source"] for p in pieces] + [p["target"] for p in pieces]
    codes, node_ids = map_ids(id_chunks)
    k = len(pieces)
    src = np.concatenate(codes[:k]) if k > 1 else codes[0]
    dst = np.concatenate(codes[k:]) if k > 1 else codes[k]

    # interaction types: sorted labels, codes remapped per file
    all_types = sorted({t for p in pieces for t in p["type_values"]})
    type_index = {t: i for i, t in enumerate(all_types)}
    type_codes = np.concatenate([
        _recode(p["type_codes"], [type_index[t] for t in p["type_values"]]) for p in pieces
    ])
    weight = None
    if need_weight:
        weight = np.concatenate([
            p["weight"] if p["weight"] is not None else np.ones(p["n"]) for p in pieces
        ])
    stamps = None
    if need_time:
        stamps = np.concatenate([
            p["timestamp"] if p["timestamp"] is not None
            else np.full(p["n"], np.datetime64("NaT"), dtype="datetime64[ns]")
            for p in pieces
        ])
    extra = {}
    for name in extra_cols:
        extra[name] = np.concatenate([p["extra"][name] for p in pieces])

    # self-loops: dropped and counted per file
    loop = src == dst
    if loop.any():
        keep = ~loop
        src, dst, type_codes = src[keep], dst[keep], type_codes[keep]
        if weight is not None:
            weight = weight[keep]
        if stamps is not None:
            stamps = stamps[keep]
        extra = {kk: v[keep] for kk, v in extra.items()}
        # users seen only in self-loops stay in node_ids: they are real users with no edge
    bounds = np.cumsum([0] + [p["n"] for p in pieces])
    loops_per_file = [int(loop[bounds[i]:bounds[i + 1]].sum()) for i in range(k)]
    reports = [
        FileReport(r.path, r.format, r.rows, loops_per_file[i], r.header, r.columns,
                   r.ignored_columns, r.type_label)
        for i, r in enumerate(reports)
    ]
    warnings = []
    tw = dict(type_weights or {})
    for t in tw:
        if t not in type_index:
            warnings.append(
                f"--type-weight {t}={tw[t]:g}: no '{t}' rows in the data "
                f"(types: {', '.join(all_types)})"
            )
    report = LoadReport(tuple(reports), tuple(warnings))
    if len(src) == 0:
        raise EmptyGraphError(
            "no edges left after dropping self-loops" if report.rows_read else "no data rows",
            paths[0] if len(paths) == 1 else None,
        )
    del pa, pc
    return EdgeTable(node_ids, src.astype(np.int32, copy=False), dst.astype(np.int32, copy=False),
                     tuple(all_types), type_codes, weight, stamps, tw, report, extra)


def _recode(codes: np.ndarray, new_codes: list) -> np.ndarray:
    """Map a file's type codes onto the merged type list (no copy when unchanged)."""
    if new_codes == list(range(len(new_codes))) and codes.dtype == np.int16:
        return codes
    return np.asarray(new_codes, dtype=np.int16)[codes]


def _per_file_labels(type_label, n):
    if type_label is None:
        return [None] * n
    if isinstance(type_label, str):
        return [type_label] * n
    labels = list(type_label)
    if len(labels) == 1:
        return labels * n
    if len(labels) != n:
        raise ValueError(f"give one --type label for all files or one per file ({n} files, {len(labels)} labels)")
    return labels


def _read_one(path, label, options, header, named, extra_cols):
    import pyarrow as pa
    import pyarrow.compute as pc

    check_file(path)
    head = read_head(path)
    if not head.strip():
        raise InputError("file is empty", path)
    fmt = detect_format(path, head)
    layout = None
    if fmt == "parquet":
        if compression_of(path):
            raise InputError("compressed Parquet files are not supported; Parquet compresses internally", path)
        pf, names = open_parquet(path, options, extra_cols)
        cols = resolve_columns(path, names, True, options, [])
        check_extra(path, names, extra_cols)
        use = list(dict.fromkeys(c for c in list(cols.values()) + list(extra_cols) if c is not None))
        try:
            table = pf.read(columns=use)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"cannot read Parquet data ({str(exc).splitlines()[0]})", path) from None
        fmt_name = "parquet"
    elif fmt == "jsonl":
        if looks_binary(head):
            raise InputError("binary data, not a text edge list", path)
        table = read_json(path, extra_cols)
        names = list(table.column_names)
        cols = resolve_columns(path, names, True, options, [])
        check_extra(path, names, extra_cols)
        fmt_name = "jsonl"
    else:
        if looks_binary(head):
            raise InputError("binary data, not a text edge list", path)
        layout = text_layout(path, head, header, named)
        cols = resolve_columns(path, layout.names, layout.header, options, layout.first_row,
                                extra_cols)
        check_extra(path, layout.names, extra_cols)
        # a column both canonical and extra (--prob column:weight) is read once
        table = read_text(path, layout, cols, [c for c in extra_cols if c not in cols.values()])
        names = layout.names
        fmt_name = {",": "csv", "\t": "tsv", " ": "edgelist"}[layout.delimiter]
    loc = Located(path, fmt_name if fmt_name in ("parquet", "jsonl") else "text", layout)
    n = table.num_rows
    if n == 0:
        raise InputError("no data rows" + (" (only a header)" if fmt_name != "parquet" else ""), path)

    def column(name):
        col = table.column(name)
        return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col

    src = id_strings(column(cols["source"]), "source", loc)
    dst = id_strings(column(cols["target"]), "target", loc)

    if cols["type"] is not None:
        if label is not None:
            raise InputError(
                f"has a type column {cols['type']!r}; --type labels only files without one", path
            )
        tcol = column(cols["type"])
        if not pa.types.is_dictionary(tcol.type):
            tcol = pc.cast(tcol, pa.string()) if not pa.types.is_string(tcol.type) else tcol
            tcol = tcol.dictionary_encode()
        nulls = pc.is_null(tcol)
        if pc.any(nulls).as_py():
            raise loc.error("type is empty", first_true(nulls))
        tvals = [str(v) for v in tcol.dictionary.to_pylist()]
        if any(v == "" for v in tvals):
            empty_code = tvals.index("")
            mask = pc.equal(tcol.indices, empty_code)
            raise loc.error("type is empty", first_true(mask))
        tcodes = tcol.indices.to_numpy(zero_copy_only=False)
        if len(set(tvals)) != len(tvals):  # the same label twice in a dictionary: unify
            uniq_vals = sorted(set(tvals))
            remap = np.asarray([uniq_vals.index(v) for v in tvals], dtype=np.int16)
            tcodes = remap[tcodes]
            tvals = uniq_vals
    else:
        tvals = [label if label is not None else DEFAULT_TYPE]
        tcodes = np.zeros(n, dtype=np.int16)

    weight = parse_weights(column(cols["weight"]), loc) if cols["weight"] is not None else None
    stamps = parse_timestamps(column(cols["timestamp"]), loc) if cols["timestamp"] is not None else None
    extra = {name: parse_weights(column(name), loc, name=name) for name in extra_cols}
    used = {c for c in cols.values() if c is not None} | set(extra_cols)
    ignored = tuple(c for c in names if c not in used)
    rep = FileReport(path, fmt_name, n, 0, bool(layout.header) if layout else True,
                     {k: v for k, v in cols.items() if v is not None}, ignored,
                     label if cols["type"] is None else None)
    piece = {"n": n, "source": src, "target": dst, "type_values": tvals, "type_codes": tcodes,
             "weight": weight, "timestamp": stamps, "extra": extra}
    return piece, rep


def _first_line_where(rep: FileReport, name: str, bad) -> tuple[int, float] | None:
    """``(line, value)`` of the first number in column ``name`` of one file with ``bad(value)``."""
    import csv
    import json

    def check(v) -> bool:
        try:
            return bad(float(v))
        except (TypeError, ValueError):
            return False

    if rep.format == "parquet":
        import pyarrow.parquet as pq

        col = pq.read_table(rep.path, columns=[name]).column(name).to_pylist()
        return next(((i + 1, float(v)) for i, v in enumerate(col) if check(v)), None)
    with open_bytes(rep.path) as fh:
        lines = (raw.decode("utf-8", "replace") for raw in fh)
        if rep.format == "jsonl":
            for i, line in enumerate(lines, start=1):
                value = json.loads(line).get(name) if line.strip() else None
                if check(value):
                    return i, float(value)
            return None
        delim = {"csv": ",", "tsv": "\t"}.get(rep.format)
        col = None if rep.header else int(name) - 1
        for i, line in enumerate(lines, start=1):
            if not line.strip() or (csv_note(line) if delim == "," else is_comment(line)):
                continue
            text = line.rstrip("\r\n")
            fields = next(csv.reader([text], delimiter=delim)) if delim else text.split()
            if col is None:
                col = [f.strip() for f in fields].index(name)
                continue
            if col < len(fields) and check(fields[col]):
                return i, float(fields[col])
    return None
