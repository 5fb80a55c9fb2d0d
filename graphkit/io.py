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

import bz2
import gzip
import io as _stdio
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import EmptyGraphError, InputError

__all__ = ["read_edges", "EdgeTable", "LoadReport", "FileReport", "parse_type_weights"]

DEFAULT_TYPE = "interaction"

# Column names recognised in a header (lower-cased), in order of preference.
_CANDIDATES = {
    "source": ("source", "src", "from", "actor", "follower", "user", "source_id", "user_id", "u"),
    "target": ("target", "dst", "to", "destination", "followee", "target_id", "v"),
    "type": ("type", "interaction", "edge_type", "action", "kind", "relation"),
    "weight": ("weight", "count", "w", "value"),
    "timestamp": ("timestamp", "time", "ts", "datetime", "date", "created_at", "t"),
}
_ROLES = ("source", "target", "type", "weight", "timestamp")

_TEXT_EXT = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
_JSON_EXT = {".jsonl", ".ndjson", ".json"}
_COMPRESSION = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bz2"}
_SNIFF_BYTES = 1 << 16


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


# --------------------------------------------------------------------------- sniffing
def _compression_of(path: str) -> str | None:
    return _COMPRESSION.get(os.path.splitext(path)[1].lower())


def _base_ext(path: str) -> str:
    root, ext = os.path.splitext(path.lower())
    if ext in _COMPRESSION:
        ext = os.path.splitext(root)[1]
    return ext


def _open_text_bytes(path: str):
    comp = _compression_of(path)
    if comp == "gzip":
        return gzip.open(path, "rb")
    if comp == "bz2":
        return bz2.open(path, "rb")
    return open(path, "rb")


def _head(path: str) -> bytes:
    """The first bytes of the (decompressed) file; InputError if it cannot be read."""
    comp = _compression_of(path)
    try:
        with _open_text_bytes(path) as fh:
            return fh.read(_SNIFF_BYTES)
    except (OSError, EOFError, ValueError) as exc:
        kind = {"gzip": "gzip", "bz2": "bzip2"}.get(comp or "", "")
        if kind:
            raise InputError(f"not a valid {kind} file ({exc})", path) from None
        raise InputError(f"cannot read file ({exc})", path) from None


def _check_exists(path: str):
    if not os.path.exists(path):
        raise InputError("no such file", path)
    if os.path.isdir(path):
        raise InputError("is a directory, not an edge file", path)
    if os.path.getsize(path) == 0:
        raise InputError("file is empty", path)


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    sample = head[:4096]
    if not sample:
        return False
    # Mostly control bytes outside tab/newline/CR -> not text.
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return ctrl > len(sample) * 0.05


def _is_comment(line: str) -> bool:
    s = line.lstrip()
    return s.startswith("#") or s.startswith("%")


def _split(line: str, delimiter: str) -> list[str]:
    if delimiter == " ":
        return line.split()
    return line.split(delimiter)


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


@dataclass
class _TextLayout:
    delimiter: str
    header: bool
    names: list  # column names (header) or "1", "2", ... (headerless)
    skip_lines: int  # leading comment/blank lines before the header or first row
    first_row: list
    has_inner_comments: bool


def _text_layout(path: str, head: bytes, header: bool | None, named: set) -> _TextLayout:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a multi-byte char cut at the end
            line = head[: exc.start].count(b"\n") + 1
            raise InputError("not valid UTF-8 text", path, line) from None
        text = head[: exc.start].decode("utf-8")
    text = text.removeprefix("\ufeff")  # a byte-order mark (Excel's CSV); pyarrow skips it too
    lines = text.splitlines()
    if len(head) == _SNIFF_BYTES and lines:
        lines = lines[:-1]  # the last line may be cut
    skip = 0
    for ln in lines:
        if ln.strip() == "" or _is_comment(ln):
            skip += 1
            continue
        break
    else:
        raise InputError("no data rows (only comments or blank lines)", path)
    first = lines[skip]
    ext = _base_ext(path)
    if ext in _TEXT_EXT:
        delim = _TEXT_EXT[ext]
    elif "\t" in first:
        delim = "\t"
    elif "," in first:
        delim = ","
    else:
        delim = " "
    fields = _split(first, delim)
    rest = lines[skip + 1 :]
    if header is None:
        lowered = {f.strip().lower() for f in fields}
        known = {c for cands in _CANDIDATES.values() for c in cands if len(c) > 1}
        header = bool(lowered & known) or bool({f.strip() for f in fields} & named)
        if not header:
            # like csv.Sniffer.has_header: a text field above a number is a header
            nxt = next((ln for ln in rest if ln.strip() and not _is_comment(ln)), None)
            if nxt is not None:
                second = _split(nxt, delim)
                header = any(
                    not _is_number(a) and _is_number(b) for a, b in zip(fields, second)
                )
    inner = any(_is_comment(ln) for ln in rest)
    if header:
        names = [f.strip() for f in fields]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise InputError(f"duplicate column name(s) in header: {', '.join(dup)}", path, skip + 1)
        data_first = next((ln for ln in rest if ln.strip() and not _is_comment(ln)), None)
        if data_first is None and len(head) < _SNIFF_BYTES:
            raise InputError("no data rows (only a header)", path)
        first_row = _split(data_first, delim) if data_first is not None else []
    else:
        names = [str(i + 1) for i in range(len(fields))]
        first_row = fields
    return _TextLayout(delim, header, names, skip, first_row, inner)


# --------------------------------------------------------------------------- column mapping
def match_column(option, names) -> str | None:
    """The column a ``--*-col`` option names: exactly, ignoring case, or by 1-based position."""
    opt = str(option)
    if opt in names:
        return opt
    lower = {n.lower(): n for n in names}
    if opt.lower() in lower:
        return lower[opt.lower()]
    if opt.isdigit() and 1 <= int(opt) <= len(names):
        return names[int(opt) - 1]
    return None


def _resolve_columns(path, names, header, options, first_row, extra_cols=()) -> dict:
    """Map canonical roles to file columns. Returns {role: column name or None}."""
    lower = {n.lower(): n for n in names}
    out: dict[str, str | None] = {}
    for role in _ROLES:
        opt = options.get(role)
        if opt is not None:
            col = match_column(opt, names)
            if col is not None:
                out[role] = col
            else:
                raise InputError(
                    f"no column {opt!r} for --{'time' if role == 'timestamp' else role}-col "
                    f"(columns: {', '.join(names)})",
                    path,
                )
        else:
            out[role] = None
    if header:
        taken = {c for c in out.values() if c is not None}
        for role in _ROLES:
            if out[role] is None:
                for cand in _CANDIDATES[role]:
                    col = lower.get(cand)
                    if col is not None and col not in taken:
                        out[role] = col
                        taken.add(col)
                        break
        for role in ("source", "target"):
            if out[role] is None:
                raise InputError(
                    f"no {role} column (columns: {', '.join(names)}); name it with --{role}-col",
                    path,
                )
    else:
        taken = {c for c in out.values() if c is not None} | set(extra_cols)
        free = [n for n in names if n not in taken]
        for role in ("source", "target"):
            if out[role] is None:
                if not free:
                    raise InputError(f"no column left for {role}", path)
                out[role] = free.pop(0)
        if free and options.get("weight") is None and options.get("type") is None:
            third = free[0]
            idx = names.index(third)
            val = first_row[idx] if idx < len(first_row) else ""
            role = "weight" if _is_number(val) else "type"
            if out[role] is None:
                out[role] = third
    if out["source"] == out["target"]:
        raise InputError(f"source and target are the same column {out['source']!r}", path)
    return out


# --------------------------------------------------------------------------- readers
def _invalid_row_collector():
    seen = []

    def handler(row):
        text = (row.text or "").lstrip()
        if text.startswith(("#", "%")):
            return "skip"  # a comment line between data rows: not a row at all
        if not seen:
            seen.append(row)
        return "skip"

    return seen, handler


def _read_text(path, layout: _TextLayout, wanted: dict, extra_cols):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    cols = [c for c in list(wanted.values()) + list(extra_cols) if c is not None]
    col_types = {c: pa.string() for c in cols}
    if wanted.get("type") is not None:
        col_types[wanted["type"]] = pa.dictionary(pa.int32(), pa.string())
    read_opts = pcsv.ReadOptions(
        skip_rows=layout.skip_lines + (1 if layout.header else 0),
        column_names=layout.names,
        block_size=1 << 24,
    )
    seen, handler = _invalid_row_collector()
    parse_opts = pcsv.ParseOptions(
        delimiter=layout.delimiter,
        quote_char='"' if layout.delimiter == "," else False,
        ignore_empty_lines=True,
        invalid_row_handler=handler,
    )
    conv_opts = pcsv.ConvertOptions(
        column_types=col_types,
        include_columns=cols,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        null_values=[],
    )
    try:
        table = pcsv.read_csv(path, read_options=read_opts, parse_options=parse_opts,
                              convert_options=conv_opts)
    except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
        msg = str(exc).splitlines()[0]
        if "UTF8" in msg or "UTF-8" in msg:
            raise InputError("not valid UTF-8 text", path, _first_bad_utf8_line(path)) from None
        raise InputError(f"cannot parse: {msg}", path) from None
    if seen:
        row = seen[0]
        line = row.number if row.number is not None and row.number > 0 else _find_ragged_line(path, layout)
        raise InputError(
            f"expected {row.expected_columns} fields, found {row.actual_columns}", path, line
        )
    if layout.has_inner_comments:
        table = _drop_comment_rows(table, wanted["source"])
    return table


def _drop_comment_rows(table, source_col):
    import pyarrow.compute as pc

    src = table.column(source_col)
    is_comment = pc.or_(pc.starts_with(src, "#"), pc.starts_with(src, "%"))
    return table.filter(pc.invert(is_comment))


def _read_parquet(path, wanted, extra_cols):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"not a readable Parquet file ({str(exc).splitlines()[0]})", path) from None
    names = list(pf.schema_arrow.names)
    return pf, names


def _read_json(path, extra_cols):
    import pyarrow as pa
    import pyarrow.json as pjson

    try:
        table = pjson.read_json(path, read_options=pjson.ReadOptions(block_size=1 << 24))
    except pa.ArrowInvalid as exc:
        msg = str(exc).splitlines()[0]
        raise InputError(f"not valid JSON Lines ({msg})", path, _first_bad_json_line(path)) from None
    return table


# --------------------------------------------------------------------------- line lookup (error path only)
def _iter_lines(path):
    with _open_text_bytes(path) as fh:
        yield from enumerate(fh, start=1)


def _data_line(path: str, row: int, layout: _TextLayout | None) -> int | None:
    """Physical 1-based line of data row ``row`` (0-based); None when unknown."""
    if layout is None:  # JSON Lines: one object per non-blank line
        k = -1
        for i, raw in _iter_lines(path):
            if raw.strip():
                k += 1
                if k == row:
                    return i
        return None
    k = -1
    seen_header = not layout.header
    for i, raw in _iter_lines(path):
        s = raw.decode("utf-8", "replace")
        if not s.strip() or _is_comment(s):
            continue
        if not seen_header:
            seen_header = True
            continue
        k += 1
        if k == row:
            return i
    return None


def _find_ragged_line(path, layout: _TextLayout) -> int | None:
    want = len(layout.names)
    seen_header = not layout.header
    for i, raw in _iter_lines(path):
        s = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not s.strip() or _is_comment(s):
            continue
        if not seen_header:
            seen_header = True
            continue
        if layout.delimiter == ",":
            import csv

            n = len(next(csv.reader([s])))
        else:
            n = len(_split(s, layout.delimiter))
        if n != want:
            return i
    return None


def _first_bad_utf8_line(path) -> int | None:
    for i, raw in _iter_lines(path):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return i
    return None


def _first_bad_json_line(path) -> int | None:
    import json

    for i, raw in _iter_lines(path):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except ValueError:
            return i
        if not isinstance(obj, dict):
            return i
    return None


# --------------------------------------------------------------------------- validation
class _Located:
    """Turns a data-row index into the message location for one file."""

    def __init__(self, path, fmt, layout):
        self.path, self.fmt, self.layout = path, fmt, layout

    def error(self, message: str, row: int) -> InputError:
        if self.fmt == "parquet":
            return InputError(message, self.path, row + 1)
        line = _data_line(self.path, row, self.layout if self.fmt != "jsonl" else None)
        if line is None:
            return InputError(f"{message} (data row {row + 1})", self.path)
        return InputError(message, self.path, line)


def _as_id_strings(arr, role, loc: _Located):
    """Ids as an arrow string array; ints are written as text, floats refused."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.cast(pa.string())
        t = arr.type
    if pa.types.is_large_string(t):
        arr = arr.cast(pa.string())
    elif pa.types.is_integer(t):
        arr = pc.cast(arr, pa.string())
    elif pa.types.is_string(t):
        pass
    elif pa.types.is_null(t):
        raise loc.error(f"{role} is empty", 0)
    else:
        raise InputError(
            f"{role} column has type {t}; ids must be strings or integers", loc.path
        )
    if arr.null_count == 0:
        # empty strings have equal consecutive offsets: one cheap numpy pass
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
        if len(arr) and np.diff(offsets).min() > 0:
            return arr
    bad = pc.or_kleene(pc.is_null(arr), pc.equal(pc.utf8_length(arr), 0))
    bad = pc.fill_null(bad, True)
    if pc.any(bad).as_py():
        raise loc.error(f"{role} is empty", _first_true(bad))
    return arr


def _first_true(mask) -> int:
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(mask, pa.ChunkedArray):
        offset = 0
        for ch in mask.chunks:
            idx = pc.index(ch, True).as_py()
            if idx >= 0:
                return offset + idx
            offset += len(ch)
        return -1
    return pc.index(mask, True).as_py()


def _to_numpy_str_values(arr):
    """Arrow string array -> numpy object array (only for small error paths)."""
    return np.asarray(arr.to_pylist(), dtype=object)


def _parse_weights(arr, loc: _Located, name="weight") -> np.ndarray:
    import pandas as pd
    import pyarrow as pa

    t = arr.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t):
        w = arr.to_numpy(zero_copy_only=False).astype(np.float64)
        raw = None
    else:
        raw = arr.cast(pa.string()) if not pa.types.is_string(t) else arr
        w = pd.to_numeric(pd.Series(raw.to_numpy(zero_copy_only=False)), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
    bad = ~np.isfinite(w)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        v = raw[i].as_py() if raw is not None else w[i]
        if v is None or v == "":
            raise loc.error(f"{name} is empty", i)
        raise loc.error(f"{name} {v!r} is not a finite number", i)
    neg = w < 0
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise loc.error(f"{name} {w[i]:g} is negative", i)
    return w


_NUMERIC_TS = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")


def _parse_timestamps(arr, loc: _Located) -> np.ndarray:
    """Timestamps as datetime64[ns] UTC; empty -> NaT; unix seconds or ISO 8601."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    t = arr.type
    if pa.types.is_timestamp(t):
        s = pd.Series(arr.to_pandas())
        if s.dt.tz is None:
            s = s.dt.tz_localize("UTC")
        return s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        secs = arr.to_numpy(zero_copy_only=False).astype(np.float64)
        out = _seconds_to_ns(secs)
        return out
    strs = arr.cast(pa.string()) if not pa.types.is_string(t) else arr
    values = strs.to_numpy(zero_copy_only=False)
    empty = np.asarray(pc.equal(pc.utf8_trim_whitespace(strs), "").to_numpy(zero_copy_only=False), dtype=bool)
    numeric = np.asarray(
        pc.match_substring_regex(strs, r"^\s*-?\d+(\.\d+)?\s*$").to_numpy(zero_copy_only=False),
        dtype=bool,
    )
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    if numeric.any():
        secs = values[numeric].astype(np.float64)
        out[numeric] = _seconds_to_ns(secs)
    rest = ~numeric & ~empty
    if rest.any():
        parsed = pd.to_datetime(pd.Series(values[rest]), utc=True, errors="coerce", format="ISO8601")
        bad = parsed.isna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(rest)[np.flatnonzero(bad)[0]])
            raise loc.error(f"unparseable timestamp {values[i]!r} (use ISO 8601 or unix seconds)", i)
        out[rest] = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    return out


def _seconds_to_ns(secs: np.ndarray) -> np.ndarray:
    ns = np.round(secs * 1e9)
    ok = np.isfinite(ns) & (np.abs(ns) < 9.2e18)
    out = np.full(len(secs), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[ok] = ns[ok].astype(np.int64).view("datetime64[ns]")
    return out


# --------------------------------------------------------------------------- id mapping
def _map_ids(chunks):
    """Map arrow string chunks of ids to dense int32 codes.

    Returns (codes per chunk, node_ids). When every id is a canonical integer
    (its text is exactly ``str(int(text))``) the ids are mapped through their
    integer values, which is several times faster than hashing strings and
    still keeps "007" and "7" apart (a non-canonical id sends us down the
    string path). Positions follow numeric order there, first appearance
    otherwise; every output breaks ties by id, so this never shows.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    total = sum(len(c) for c in chunks)
    values = _canonical_ints(chunks)
    if values is not None:
        lo, hi = int(values.min()), int(values.max())
        span = hi - lo + 1
        if span <= max(4 * total, 1 << 20):
            from ._idparse import dense_codes

            codes, uniq = dense_codes(values, lo, span)
        else:
            uniq, codes = np.unique(values, return_inverse=True)
            codes = codes.astype(np.int32)
        node_ids = np.asarray(pc.cast(pa.array(uniq), pa.string()).to_numpy(zero_copy_only=False), dtype=object)
    else:
        combined = pa.chunked_array(chunks, type=pa.string()).combine_chunks()
        enc = combined.dictionary_encode()
        codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
        node_ids = np.asarray(enc.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    if len(node_ids) > np.iinfo(np.int32).max:
        raise InputError("more than 2^31 distinct users; use the Spark engine")
    out = []
    start = 0
    for c in chunks:
        out.append(codes[start : start + len(c)])
        start += len(c)
    return out, node_ids


def _canonical_ints(chunks) -> np.ndarray | None:
    """int64 values of the ids if every id is canonical integer text, else None."""
    import pyarrow as pa

    from ._idparse import parse_canonical_ints

    total = sum(len(c) for c in chunks)
    if total == 0:
        return None
    values = np.empty(total, dtype=np.int64)
    start = 0
    for c in chunks:
        n = len(c)
        if n == 0:
            continue
        if not pa.types.is_string(c.type) or c.null_count:
            return None
        _, off_buf, data_buf = c.buffers()
        offsets = np.frombuffer(off_buf, dtype=np.int32)[c.offset : c.offset + n + 1]
        data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(1, np.uint8)
        if parse_canonical_ints(offsets, data, values[start : start + n]):
            return None  # leading zeros, '+', spaces, letters: keep them as strings
        start += n
    return values


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
    progress: Callable[[str], None] | None = None,
) -> EdgeTable:
    """Read one or more interaction files into an :class:`EdgeTable`.

    Parameters
    ----------
    paths : str or sequence of str
        Files to read (CSV, TSV, whitespace edge list, Parquet, JSON Lines; text
        formats may end in ``.gz`` or ``.bz2``).
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
    progress : callable, optional
        Called with a short description of each stage (for progress displays).

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
    >>> t = gk.read_edges("data/example.csv")        # doctest: +SKIP
    >>> t.n_rows, t.types                              # doctest: +SKIP
    (31, ('comment', 'follow', 'share'))
    """
    import pyarrow as pa
    import pyarrow.compute as pc

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
    codes, node_ids = _map_ids(id_chunks)
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


def _detect_format(path: str, head: bytes) -> str:
    ext = _base_ext(path)
    if head[:4] == b"PAR1" or ext == ".parquet" or ext == ".pq":
        return "parquet"
    if ext in _JSON_EXT:
        return "jsonl"
    stripped = head.lstrip()
    if stripped[:1] == b"{" and ext not in _TEXT_EXT:
        return "jsonl"
    return "text"


def _read_one(path, label, options, header, named, extra_cols):
    import pyarrow as pa
    import pyarrow.compute as pc

    _check_exists(path)
    head = _head(path)
    if not head.strip():
        raise InputError("file is empty", path)
    fmt = _detect_format(path, head)
    layout = None
    if fmt == "parquet":
        if _compression_of(path):
            raise InputError("compressed Parquet files are not supported; Parquet compresses internally", path)
        pf, names = _read_parquet(path, options, extra_cols)
        cols = _resolve_columns(path, names, True, options, [])
        _check_extra(path, names, extra_cols)
        use = [c for c in list(cols.values()) + list(extra_cols) if c is not None]
        try:
            table = pf.read(columns=use)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"cannot read Parquet data ({str(exc).splitlines()[0]})", path) from None
        fmt_name = "parquet"
    elif fmt == "jsonl":
        if _looks_binary(head):
            raise InputError("binary data, not a text edge list", path)
        table = _read_json(path, extra_cols)
        names = list(table.column_names)
        cols = _resolve_columns(path, names, True, options, [])
        _check_extra(path, names, extra_cols)
        fmt_name = "jsonl"
    else:
        if _looks_binary(head):
            raise InputError("binary data, not a text edge list", path)
        layout = _text_layout(path, head, header, named)
        cols = _resolve_columns(path, layout.names, layout.header, options, layout.first_row,
                                extra_cols)
        _check_extra(path, layout.names, extra_cols)
        table = _read_text(path, layout, cols, extra_cols)
        names = layout.names
        fmt_name = {",": "csv", "\t": "tsv", " ": "edgelist"}[layout.delimiter]
    loc = _Located(path, fmt_name if fmt_name in ("parquet", "jsonl") else "text", layout)
    n = table.num_rows
    if n == 0:
        raise InputError("no data rows" + (" (only a header)" if fmt_name != "parquet" else ""), path)

    def column(name):
        col = table.column(name)
        return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col

    src = _as_id_strings(column(cols["source"]), "source", loc)
    dst = _as_id_strings(column(cols["target"]), "target", loc)

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
            raise loc.error("type is empty", _first_true(nulls))
        tvals = [str(v) for v in tcol.dictionary.to_pylist()]
        if any(v == "" for v in tvals):
            empty_code = tvals.index("")
            mask = pc.equal(tcol.indices, empty_code)
            raise loc.error("type is empty", _first_true(mask))
        tcodes = tcol.indices.to_numpy(zero_copy_only=False)
        if len(set(tvals)) != len(tvals):  # the same label twice in a dictionary: unify
            uniq_vals = sorted(set(tvals))
            remap = np.asarray([uniq_vals.index(v) for v in tvals], dtype=np.int16)
            tcodes = remap[tcodes]
            tvals = uniq_vals
    else:
        tvals = [label if label is not None else DEFAULT_TYPE]
        tcodes = np.zeros(n, dtype=np.int16)

    weight = _parse_weights(column(cols["weight"]), loc) if cols["weight"] is not None else None
    stamps = _parse_timestamps(column(cols["timestamp"]), loc) if cols["timestamp"] is not None else None
    extra = {name: _parse_weights(column(name), loc, name=name) for name in extra_cols}
    used = {c for c in cols.values() if c is not None} | set(extra_cols)
    ignored = tuple(c for c in names if c not in used)
    rep = FileReport(path, fmt_name, n, 0, bool(layout.header) if layout else True,
                     {k: v for k, v in cols.items() if v is not None}, ignored,
                     label if cols["type"] is None else None)
    piece = {"n": n, "source": src, "target": dst, "type_values": tvals, "type_codes": tcodes,
             "weight": weight, "timestamp": stamps, "extra": extra}
    return piece, rep


def _check_extra(path, names, extra_cols):
    for c in extra_cols:
        if c not in names:
            raise InputError(f"no column {c!r} (columns: {', '.join(names)})", path)


def read_user_table(path, what: str, columns: Sequence[str], *, skip_blank_lines: bool = True):
    """A small CSV/TSV side file (costs, learned probabilities) as strings, ``""`` for empty.

    Tab-separated when the name ends in ``.tsv`` or ``.tab`` (before ``.gz``/``.bz2``), else
    comma-separated. With ``skip_blank_lines=False`` blank lines stay as rows of empty
    strings, so ``index + 2`` is every row's line number. Extra columns are kept.

    Raises
    ------
    InputError
        No such file; a file pandas cannot parse (``not a readable {what} file``); a missing
        column of ``columns``.
    """
    import pandas as pd

    path = os.fspath(path)
    if not os.path.exists(path):
        raise InputError("no such file", path)
    sep = "\t" if _base_ext(path) in (".tsv", ".tab") else ","
    try:
        df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False,
                         skip_blank_lines=skip_blank_lines)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"not a readable {what} file ({msg})", path) from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"needs the columns {','.join(columns)} (missing: {', '.join(missing)}; "
                         f"columns: {', '.join(map(str, df.columns))})", path)
    return df


def read_id_list(path: str, *, column: str | None = None) -> list[str]:
    """Read a list of user ids: one per line (``.txt``) or a column of a table file.

    The column is ``column``, else ``user``/``id``/``source``, else the first column.
    Blank lines and ``#`` comments are skipped. Ids are kept exactly as written.
    """
    _check_exists(path)
    head = _head(path)
    if _looks_binary(head):
        raise InputError("binary data, not a list of user ids", path)
    ext = _base_ext(path)
    if ext in (".csv", ".tsv", ".parquet", ".jsonl", ".ndjson") or head[:4] == b"PAR1":
        import pandas as pd

        if ext == ".parquet" or head[:4] == b"PAR1":
            df = pd.read_parquet(path)
            df = df.astype(str)
        elif ext in (".jsonl", ".ndjson"):
            df = pd.read_json(path, lines=True, dtype=False).astype(str)
        else:
            df = pd.read_csv(path, sep="\t" if ext == ".tsv" else ",", dtype=str,
                             keep_default_na=False, comment="#")
        cols = list(df.columns)
        if column is not None:
            if column not in cols:
                raise InputError(f"no column {column!r} (columns: {', '.join(map(str, cols))})", path)
            col = column
        else:
            col = next((c for c in ("user", "id", "user_id", "source") if c in cols), cols[0])
        ids = [u for u in df[col].tolist() if u != ""]
    else:
        with _open_text_bytes(path) as fh:
            text = _stdio.TextIOWrapper(fh, encoding="utf-8").read()
        ids = [ln.strip() for ln in text.splitlines() if ln.strip() and not _is_comment(ln)]
    if not ids:
        raise InputError("no user ids in file", path)
    return ids
