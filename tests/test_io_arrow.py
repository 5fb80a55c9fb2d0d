"""io/_arrow: Arrow <-> NumPy through buffers gives what pyarrow's own (pandas-shimmed)
conversions give, and text times parsed by Arrow equal pandas' parse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from graphkit.errors import InputError
from graphkit.io import _arrow
from graphkit.io._values import Located, parse_timestamps

NUMERIC = [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint16(),
           pa.uint32(), pa.uint64(), pa.float32(), pa.float64(), pa.bool_()]


def _values(rng, typ, n):
    if pa.types.is_boolean(typ):
        return (rng.random(n) < 0.5).tolist()
    if pa.types.is_floating(typ):
        return (rng.standard_normal(n) * 1e3).tolist()
    info = np.iinfo(typ.to_pandas_dtype())
    return rng.integers(info.min, info.max, n, endpoint=True, dtype=info.dtype).tolist()


@pytest.mark.parametrize("typ", NUMERIC, ids=str)
@pytest.mark.parametrize("n, start", [(0, 0), (1, 0), (13, 0), (100, 3), (100, 9), (257, 250)])
def test_to_numpy_equals_pyarrow(typ, n, start):
    rng = np.random.default_rng(n + start)
    full = pa.array(_values(rng, typ, n + start), type=typ)
    arr = full.slice(start)  # a non-zero offset into the buffers (bits for booleans)
    got = _arrow.to_numpy(arr)
    want = arr.to_numpy(zero_copy_only=False)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    back = _arrow.from_numpy(got)
    assert back.type == typ and back.equals(pa.array(want, type=typ))


@pytest.mark.parametrize("typ", [pa.int32(), pa.float64(), pa.bool_()], ids=str)
def test_nulls_refused_or_filled_and_masks(typ):
    values = [1, None, 0, None, 1, 1, None]
    arr = pa.array([None if v is None else (bool(v) if typ == pa.bool_() else v) for v in values],
                   type=typ).slice(1)
    with pytest.raises(ValueError):
        _arrow.to_numpy(arr)
    filled = _arrow.to_numpy(arr, null=0)
    want = pc.fill_null(arr, pa.scalar(0 if typ != pa.bool_() else False, type=typ))
    np.testing.assert_array_equal(filled, want.to_numpy(zero_copy_only=False))
    np.testing.assert_array_equal(_arrow.valid(arr), arr.is_valid().to_numpy(zero_copy_only=False))


def test_chunked_dates_and_timestamps():
    chunked = pa.chunked_array([pa.array([1, 2, 3]), pa.array([], pa.int64()), pa.array([4, 5])])
    np.testing.assert_array_equal(_arrow.to_numpy(chunked), [1, 2, 3, 4, 5])
    stamps = pa.array([0, 1_700_000_000_000], type=pa.timestamp("ms", tz="UTC"))
    np.testing.assert_array_equal(_arrow.to_numpy(stamps), [0, 1_700_000_000_000])
    days = pa.array([0, 19_000, -1], type=pa.date32())
    np.testing.assert_array_equal(_arrow.to_numpy(days), [0, 19_000, -1])
    with pytest.raises(TypeError):
        _arrow.to_numpy(pa.array(["a"]))


@pytest.mark.parametrize("texts", [
    [], [""], ["a", "", "bob", "😀 émoji", "x\x1by", "=1+2", "a,b", 'q"uote', "\u202e"],
    [f"user{i}" for i in range(1000)],
])
@pytest.mark.parametrize("long", [100_000, 0])  # 0: pyarrow's own conversion
def test_strings_and_objects_equal_pyarrow(texts, long, monkeypatch):
    monkeypatch.setattr(_arrow, "LONG", long)
    arr = _arrow.strings(texts)
    assert arr.equals(pa.array(texts, type=pa.string()))
    objs = _arrow.objects(arr)
    assert objs.dtype == object and objs.tolist() == texts
    with pytest.raises(UnicodeEncodeError):
        _arrow.strings(["\ud800"])


@pytest.mark.parametrize("mask, want", [
    ([], -1), ([False], -1), ([True], 0), ([False, None, True, True], 2), ([None, False], -1),
])
def test_first_true(mask, want):
    assert _arrow.first_true(pa.array(mask, type=pa.bool_())) == want
    chunked = pa.chunked_array([pa.array([False] * 9), pa.array(mask, type=pa.bool_())])
    assert _arrow.first_true(chunked) == (want if want < 0 else want + 9)


ISO = [
    ["2024-03-01T07:30:00Z", "2024-03-01T07:30:00.123456789Z", "2024-03-01T07:30:00+01:00",
     "2024-03-01T07:30:00+0100", "2024-03-01T07:30:00-05", "2024-03-01T07Z",
     "2024-03-01T07:30:00.123+05:30"],
    ["2024-03-01T07:30:00", "2024-03-01 07:30:00", "2024-03-01", "2024-03-01T07:30",
     "2024-03-01T07:30:00.5", "1969-12-31T23:59:59.999", " 2024-03-01T07:30:00 "],
    # what Arrow refuses goes to pandas: mixed zones, short forms, week dates
    ["2024-03-01T07:30:00Z", "2024-03-01T07:30:00"], ["2024-3-1", "20240301", "2024-03", "2024"],
    ["2024-03-01T07:30:00Z", None, "", "1700000000"],
]


@pytest.mark.parametrize("texts", ISO)
def test_text_times_equal_pandas(texts):
    got = parse_timestamps(pa.array(texts, type=pa.string()), Located("t.csv", "parquet", None))
    want = pd.to_datetime(pd.Series([t.strip() if t else None for t in texts]), utc=True,
                          errors="coerce", format="ISO8601")
    want = want.dt.tz_localize(None).to_numpy().astype("datetime64[ns]")
    numeric = [bool(t) and t.strip().isdigit() for t in texts]
    keep = ~np.asarray(numeric)  # unix seconds are not ISO text: checked elsewhere
    np.testing.assert_array_equal(got[keep], want[keep])


@pytest.mark.parametrize("bad, message", [
    ("2024-02-30", "unparseable timestamp '2024-02-30'"),
    ("2024-03-01T24:00:00", "unparseable timestamp '2024-03-01T24:00:00'"),
    ("yesterday", "unparseable timestamp 'yesterday'"),
    ("1600-01-01", "timestamp 1600-01-01 is outside the range"),
    ("2300-01-01T00:00:00Z", "timestamp 2300-01-01T00:00:00Z is outside the range"),
])
def test_text_times_refused_as_before(bad, message):
    with pytest.raises(InputError, match="^t.csv:2: " + message):
        parse_timestamps(pa.array(["2024-03-01", bad]), Located("t.csv", "parquet", None))


MESSY_IDS = ["alice", "=1+2", "+x", "-5", "@me", "'=b", "😀", "naïve", "a,b", 'q"uote',
             "tab\tin", "x\x1by", "\u202eevil", "line\u2028sep", "007", "#ai", " sp"]


@pytest.mark.parametrize("ext", ["csv", "tsv", "json", "jsonl", "parquet"])
@pytest.mark.parametrize("neutralize", [True, False])
@pytest.mark.parametrize("python_strings", [True, False])
def test_write_table_of_columns_equals_the_dataframe(tmp_path, monkeypatch, ext, neutralize,
                                                     python_strings):
    from graphkit.io import writers

    if not python_strings:  # the long-column path: Arrow's own conversion
        monkeypatch.setattr(writers, "_PYTHON_STRINGS", 0)
    rng = np.random.default_rng(5)
    n = len(MESSY_IDS)
    cols = {"rank": np.arange(1, n + 1, dtype=np.int64),
            "user": np.array(MESSY_IDS, dtype=object),
            "score": rng.random(n) / 7, "=formula_col": rng.integers(0, 9, n),
            "flag": rng.random(n) < 0.5}
    cols["score"][3] = np.nan
    a, b = tmp_path / f"cols.{ext}", tmp_path / f"frame.{ext}"
    meta = {"measure": "pagerank", "users": n}
    writers.write_table(cols, str(a), meta=meta, neutralize=neutralize)
    writers.write_table(pd.DataFrame(cols), str(b), meta=meta, neutralize=neutralize)
    assert a.read_bytes() == b.read_bytes()

