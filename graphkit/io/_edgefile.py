"""One edge file read into columns: the format's reader, the column roles, ids, types,
weights and times with their notes (the per-file half of :func:`graphkit.io.read_edges`),
and the error path's line lookup."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ._arrow import to_numpy
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
from ._text import csv_note, is_comment, read_text, text_layout
from ._values import TIME_UNITS, Located, first_true, id_strings, parse_timestamps, parse_weights

DEFAULT_TYPE = "interaction"


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
    notes: tuple = ()  # the guesses made reading it ("column 3 read as time (unix seconds)")
    time_unit: str | None = None  # unit of numeric times: s, ms, us, ns

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
            "notes": list(self.notes),
            "time_unit": self.time_unit,
        }


def read_one(path, label, options, header, named, extra_cols, time_unit=None, signed=False):
    import pyarrow as pa
    import pyarrow.compute as pc

    notes: list = []
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
                               extra_cols, layout.sample, notes)
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

    # ids stay in the reader's chunks (a copy of 10M ids into one array costs ~0.3 s)
    src = id_strings(table.column(cols["source"]), "source", loc)
    dst = id_strings(table.column(cols["target"]), "target", loc)

    if cols["type"] is not None:
        if label is not None:
            raise InputError(
                f"has a type column {cols['type']!r}; --type labels only files without one", path
            )
        tcol = column(cols["type"])
        if not pa.types.is_dictionary(tcol.type):
            tcol = pc.cast(tcol, pa.string()) if not pa.types.is_string(tcol.type) else tcol
            tcol = tcol.dictionary_encode()
        if tcol.null_count:
            raise loc.error("type is empty", first_true(pc.is_null(tcol)))
        tvals = [str(v) for v in tcol.dictionary.to_pylist()]
        tcodes = to_numpy(tcol.indices)
        if any(v == "" for v in tvals):
            raise loc.error("type is empty", int(np.flatnonzero(tcodes == tvals.index(""))[0]))
        if len(set(tvals)) != len(tvals):  # the same label twice in a dictionary: unify
            uniq_vals = sorted(set(tvals))
            remap = np.asarray([uniq_vals.index(v) for v in tvals], dtype=np.int16)
            tcodes = remap[tcodes]
            tvals = uniq_vals
    else:
        tvals = [label if label is not None else DEFAULT_TYPE]
        tcodes = np.zeros(n, dtype=np.int16)

    weight = None
    if cols["weight"] is not None:
        weight = parse_weights(column(cols["weight"]), loc, negative_ok=signed,
                               hint="; for ratings or trust scores pass --signed (negatives "
                                    "become distrust) or --unweighted")
    stamps, unit = None, time_unit
    if cols["timestamp"] is not None:
        found: list = []
        stamps = parse_timestamps(column(cols["timestamp"]), loc, unit, found)
        if found:
            unit = found[0]
            said = f"column {cols['timestamp']} read as time"  # the headerless guess names it
            if not any(x.startswith(said) for x in notes):
                notes.append(f"column {cols['timestamp']!r} read as {TIME_UNITS[unit]} (by "
                             "magnitude; --time-unit to force)")
    extra = {name: parse_weights(column(name), loc, name=name) for name in extra_cols}
    used = {c for c in cols.values() if c is not None} | set(extra_cols)
    ignored = tuple(c for c in names if c not in used)
    rep = FileReport(path, fmt_name, n, 0, bool(layout.header) if layout else True,
                     {k: v for k, v in cols.items() if v is not None}, ignored,
                     label if cols["type"] is None else None, tuple(notes), unit)
    piece = {"n": n, "source": src, "target": dst, "type_values": tvals, "type_codes": tcodes,
             "weight": weight, "timestamp": stamps, "extra": extra}
    return piece, rep


def first_line_where(rep: FileReport, name: str, bad) -> tuple[int, float] | None:
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
