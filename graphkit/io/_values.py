"""Column values: ids, weights and timestamps validated, with errors located at the
file's line (the one value/line error path of every reader)."""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ._arrow import from_numpy, objects, to_numpy, valid
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
    """Ids as an arrow string array; ints are written as text, floats refused.

    A ChunkedArray of strings with no null and no empty value comes back as it is (its
    chunks are not copied into one: :func:`graphkit.io._ids.map_ids` reads them in turn);
    anything else is combined and checked as one array.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        if pa.types.is_string(arr.type) and all(_no_empty_string(c) for c in arr.chunks):
            return arr
        arr = arr.combine_chunks()
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
    if len(arr) and _no_empty_string(arr):
        return arr
    bad = ~valid(arr)
    bad[~bad] = to_numpy(pc.utf8_length(arr.filter(pc.is_valid(arr)))) == 0
    if bad.any():
        raise loc.error(f"{role} is empty", int(np.flatnonzero(bad)[0]))
    return arr


def _no_empty_string(arr) -> bool:
    """Whether a string array has no null and no empty value (empty strings have equal
    consecutive offsets: one cheap NumPy pass)."""
    if arr.null_count:
        return False
    if len(arr) == 0:
        return True
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    return bool(np.diff(offsets).min() > 0)


def first_true(mask) -> int:
    """Row of the first True of a boolean Arrow array or ChunkedArray, or -1."""
    from ._arrow import first_true as first

    return first(mask)


def parse_weights(arr, loc: Located, name="weight", negative_ok=False, hint="") -> np.ndarray:
    """Finite numbers; negatives refused (with ``hint`` appended) unless ``negative_ok``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = arr.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t):
        w = to_numpy(arr, null=0).astype(np.float64)
        if arr.null_count:
            w[~valid(arr)] = np.nan
        raw = None
    else:
        raw = arr.cast(pa.string()) if not pa.types.is_string(t) else arr
        try:  # Arrow's C parser first; anything it refuses goes through pandas, row by row
            w = to_numpy(pc.cast(raw, pa.float64()), null=np.nan)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            import pandas as pd

            w = pd.to_numeric(pd.Series(objects(raw)), errors="coerce").to_numpy(
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
    if neg.any() and not negative_ok:
        i = int(np.flatnonzero(neg)[0])
        raise loc.error(f"{name} {w[i]:g} is negative{hint}", i)
    return w


#: ``--time-unit`` values and their names in notes.
TIME_UNITS = {"s": "unix seconds", "ms": "unix milliseconds", "us": "unix microseconds",
              "ns": "unix nanoseconds"}
_UNIT_NS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
_NS_RANGE = "1677-09-22 .. 2262-04-11"
_NS_MIN = np.datetime64("1677-09-22", "us")
_NS_MAX = np.datetime64("2262-04-11", "us")
#: Unix times from 1995-01-01 to 2100-01-01 in each unit: the band a headerless column must
#: stay inside to be read as time rather than a weight.
PLAUSIBLE = {u: (788918400 * 10**9 // f, 4102444800 * 10**9 // f) for u, f in _UNIT_NS.items()}


def unit_by_magnitude(values: np.ndarray) -> str:
    """The unit of unix times by the median magnitude: < 1e11 seconds, < 1e14 milliseconds,
    < 1e17 microseconds, else nanoseconds (a second count of 1e11 is the year 5138)."""
    v = np.abs(values[np.isfinite(values)])
    med = float(np.median(v)) if len(v) else 0.0
    return "s" if med < 1e11 else "ms" if med < 1e14 else "us" if med < 1e17 else "ns"


def numbers_to_ns(values: np.ndarray, unit: str, loc: Located, rows=None) -> np.ndarray:
    """Unix times (ints or floats, NaN = none) in ``unit`` as datetime64[ns]; a value past
    the nanosecond range is an error at its row (never wrapped, never dropped).

    ``rows`` maps positions of ``values`` to data rows (all rows when None).
    """
    factor = _UNIT_NS[unit]
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    if values.dtype.kind in "iu":
        v = values.astype(np.int64, copy=False)
        limit = np.iinfo(np.int64).max // factor
        bad = np.abs(v) > limit
        ok = ~bad
        ns = v * factor
    else:
        v = values.astype(np.float64, copy=False)
        ok = np.isfinite(v)
        whole = np.floor(np.where(ok, v, 0.0))
        bad = ok & (np.abs(whole) > (2**63 - 1) // factor - 1)
        ok &= ~bad
        whole = np.where(ok, whole, 0.0).astype(np.int64)
        # a float64 near 1e9 s holds about a microsecond: round the fraction to that
        q = 1000 if unit == "s" else 1
        frac = (np.round((np.where(ok, v, 0.0) - whole) * (factor // q)) * q).astype(np.int64)
        ns = whole * factor + frac
        inf = np.isinf(v)
        if inf.any():
            i = int(np.flatnonzero(inf)[0])
            raise loc.error(f"timestamp {v[i]} is not a finite number",
                            i if rows is None else int(rows[i]))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise loc.error(f"timestamp {values[i]} ({TIME_UNITS[unit]}) is outside the range "
                        f"graphkit handles ({_NS_RANGE}); check --time-unit",
                        i if rows is None else int(rows[i]))
    out[ok] = ns[ok].view("datetime64[ns]")
    return out


def _check_range(stamps, text_at, loc: Located, rows=None) -> None:
    """Error at the first datetime outside the nanosecond range (``stamps`` in any unit;
    ``text_at(i)`` gives the text of value ``i`` for the message)."""
    valid_ = ~np.isnat(stamps)
    us = stamps.astype("datetime64[us]")
    bad = valid_ & ((us < _NS_MIN) | (us > _NS_MAX))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise loc.error(f"timestamp {text_at(i)!s} is outside the range graphkit handles "
                        f"({_NS_RANGE})", i if rows is None else int(rows[i]))


def _numeric_column(values, unit, loc, notes, rows=None):
    if unit is None:
        unit = unit_by_magnitude(np.asarray(values, dtype=np.float64))
        if notes is not None:
            notes.append(unit)
    return numbers_to_ns(values, unit, loc, rows)


def parse_timestamps(arr, loc: Located, unit: str | None = None, notes: list | None = None) -> np.ndarray:
    """Timestamps as datetime64[ns] UTC; nulls and empty text -> NaT (no time).

    Numbers are unix times in ``unit`` (``s``, ``ms``, ``us``, ``ns``; by magnitude when
    None, and the unit guessed is appended to ``notes``); text is unix times or ISO 8601;
    Arrow timestamps and dates keep their unit. A time outside datetime64[ns]'s range
    (1677..2262) is an error naming the row, never a wrapped or missing time.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    t = arr.type
    n = len(arr)
    if pa.types.is_null(t):
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if pa.types.is_dictionary(t):
        arr = arr.cast(t.value_type)
        t = arr.type
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        nulls = ~valid(arr)
        values = to_numpy(arr, null=0).astype(np.int64)
        if pa.types.is_date32(t):
            factor_unit, values = "s", values * 86400
        else:  # date64: ms; timestamps: stored as UTC when zoned, taken as UTC when naive
            factor_unit = "ms" if pa.types.is_date64(t) else t.unit
        try:
            out = numbers_to_ns(values, factor_unit, loc)
        except InputError as exc:  # name the value as a date, not as a count
            row = int(np.flatnonzero(np.abs(values) > np.iinfo(np.int64).max // _UNIT_NS[factor_unit])[0])
            shown = arr[row].as_py()
            raise loc.error(f"timestamp {shown} is outside the range graphkit handles "
                            f"({_NS_RANGE})", row) from exc
        out[nulls] = np.datetime64("NaT")
        return out
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        if arr.null_count:
            values = to_numpy(arr.cast(pa.float64()), null=np.nan)  # nulls -> NaN
        else:
            values = to_numpy(arr)
        return _numeric_column(values, unit, loc, notes)
    strs = arr.cast(pa.string()) if not pa.types.is_string(t) else arr
    strs = pc.utf8_trim_whitespace(strs)
    n = len(strs)
    empty = ~valid(strs)
    empty[~empty] = to_numpy(pc.utf8_length(strs.filter(pc.is_valid(strs)))) == 0
    numeric = to_numpy(pc.match_substring_regex(strs, r"^[-+]?\d+(\.\d*)?([eE][-+]?\d+)?$"), null=False)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if numeric.any():
        rows = np.flatnonzero(numeric)
        texts = strs.filter(from_numpy(numeric)) if len(rows) < n else strs
        nums = None
        if not pc.any(pc.match_substring_regex(texts, "[.eE]")).as_py():
            try:  # whole numbers stay exact (nanoseconds do not fit a float64)
                nums = to_numpy(pc.cast(texts, pa.int64()))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                nums = None
        if nums is None:
            try:
                nums = to_numpy(pc.cast(texts, pa.float64()))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # "+5": Python's float
                nums = objects(texts).astype(np.float64)
        out[numeric] = _numeric_column(nums, unit, loc, notes, rows)
    rest = ~numeric & ~empty
    if rest.any():
        texts = strs.filter(from_numpy(rest))
        naive = _iso_by_arrow(texts)
        values = None
        if naive is None:  # what Arrow's ISO 8601 parser refuses: pandas decides, or errs
            import pandas as pd

            values = objects(texts)
            parsed = pd.to_datetime(pd.Series(values), utc=True, errors="coerce", format="ISO8601")
            bad = parsed.isna().to_numpy()
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raise loc.error(f"unparseable timestamp {values[k]!r} (use ISO 8601 or unix times)",
                                int(np.flatnonzero(rest)[k]))
            naive = parsed.dt.tz_localize(None).to_numpy()
        _check_range(naive, values.__getitem__ if values is not None else
                     (lambda i: texts[i].as_py()), loc, np.flatnonzero(rest))
        out[rest] = naive.astype("datetime64[ns]")
    return out


def _iso_by_arrow(texts) -> np.ndarray | None:
    """ISO 8601 texts (all zoned or all naive, taken as UTC) as datetime64[ns] by Arrow's
    parser, or None when it refuses any of them. Where Arrow accepts a text it gives the
    instant pandas' ``to_datetime(format="ISO8601", utc=True)`` gives (tests/test_io.py);
    what it refuses (``2024-3-1``, ``2024``, mixed zones, out of range) goes to pandas."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for typ in (pa.timestamp("ns", tz="UTC"), pa.timestamp("ns")):
        try:
            stamps = pc.cast(texts, typ)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        return to_numpy(stamps).view("datetime64[ns]")
    return None
