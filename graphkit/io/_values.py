"""Column values: ids, weights and timestamps validated, with errors located at the
file's line (the one value/line error path of every reader)."""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ._text import data_line


class Located:
    """Turns a data-row index into the message location for one file."""

    def __init__(self, path, fmt, layout):
        self.path, self.fmt, self.layout = path, fmt, layout

    def error(self, message: str, row: int) -> InputError:
        if self.fmt == "parquet":
            return InputError(message, self.path, row + 1)
        line = data_line(self.path, row, self.layout if self.fmt != "jsonl" else None)
        if line is None:
            return InputError(f"{message} (data row {row + 1})", self.path)
        return InputError(message, self.path, line)


def id_strings(arr, role, loc: Located):
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
        raise loc.error(f"{role} is empty", first_true(bad))
    return arr


def first_true(mask) -> int:
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


def parse_weights(arr, loc: Located, name="weight") -> np.ndarray:
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


def parse_timestamps(arr, loc: Located) -> np.ndarray:
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
        out = seconds_to_ns(secs)
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
        out[numeric] = seconds_to_ns(secs)
    rest = ~numeric & ~empty
    if rest.any():
        parsed = pd.to_datetime(pd.Series(values[rest]), utc=True, errors="coerce", format="ISO8601")
        bad = parsed.isna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(rest)[np.flatnonzero(bad)[0]])
            raise loc.error(f"unparseable timestamp {values[i]!r} (use ISO 8601 or unix seconds)", i)
        out[rest] = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    return out


def seconds_to_ns(secs: np.ndarray) -> np.ndarray:
    ns = np.round(secs * 1e9)
    ok = np.isfinite(ns) & (np.abs(ns) < 9.2e18)
    out = np.full(len(secs), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[ok] = ns[ok].astype(np.int64).view("datetime64[ns]")
    return out
