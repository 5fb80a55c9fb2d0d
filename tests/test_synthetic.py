"""Tests for graphkit.synthetic: the seeded power-law interaction-graph generator."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow.csv as pacsv
import pytest

import graphkit.synthetic as synthetic
from graphkit.errors import InputError
from graphkit.synthetic import powerlaw_edges, write_edges_csv

ISO = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"


def _top_share(degrees: np.ndarray, fraction: float = 0.01) -> float:
    """Share of all edge endpoints held by the top ``fraction`` of users."""
    k = max(1, int(round(fraction * degrees.size)))
    return float(np.sort(degrees)[::-1][:k].sum() / degrees.sum())


# --------------------------------------------------------------------------- powerlaw_edges


def test_same_seed_same_arrays():
    a = powerlaw_edges(5_000, 50_000, rng=123)
    b = powerlaw_edges(5_000, 50_000, rng=123)
    c = powerlaw_edges(5_000, 50_000, rng=np.random.default_rng(123))
    for key in ("source", "target", "type"):
        np.testing.assert_array_equal(a[key], b[key])
        np.testing.assert_array_equal(a[key], c[key])
    assert a["types"] == b["types"] == ("follow", "share", "comment")


def test_different_seeds_differ():
    a = powerlaw_edges(5_000, 50_000, rng=1)
    b = powerlaw_edges(5_000, 50_000, rng=2)
    assert not np.array_equal(a["source"], b["source"])
    assert not np.array_equal(a["target"], b["target"])
    assert not np.array_equal(a["type"], b["type"])


def test_shared_generator_advances():
    gen = np.random.default_rng(9)
    a = powerlaw_edges(1_000, 5_000, rng=gen)
    b = powerlaw_edges(1_000, 5_000, rng=gen)
    assert not np.array_equal(a["target"], b["target"])


@pytest.mark.parametrize("n_users", [2, 3, 50, 20_000])
def test_no_self_loops_and_ids_in_range(n_users):
    e = powerlaw_edges(n_users, 30_000, rng=5)
    s, t = e["source"], e["target"]
    assert not np.any(s == t)
    assert s.min() >= 0 and t.min() >= 0
    assert s.max() < n_users and t.max() < n_users


def test_sizes_and_dtypes():
    e = powerlaw_edges(1_000, 12_345, rng=0)
    assert set(e) == {"source", "target", "type", "types"}
    assert e["source"].shape == e["target"].shape == e["type"].shape == (12_345,)
    assert e["source"].dtype == np.int64
    assert e["target"].dtype == np.int64
    assert e["type"].dtype == np.int8
    assert isinstance(e["types"], tuple)


def test_zero_edges():
    e = powerlaw_edges(10, 0, rng=0)
    assert e["source"].size == e["target"].size == e["type"].size == 0
    assert e["source"].dtype == np.int64 and e["type"].dtype == np.int8


def test_type_mix_roughly_right():
    n = 200_000
    e = powerlaw_edges(10_000, n, rng=11)
    freq = np.bincount(e["type"], minlength=3) / n
    np.testing.assert_allclose(freq, [0.6, 0.3, 0.1], atol=0.01)


def test_custom_types_unnormalised_mix_and_zero_weight():
    e = powerlaw_edges(
        1_000, 100_000, types=("like", "share", "reply", "mention"), type_mix=(2, 0, 1, 1), rng=3
    )
    assert e["types"] == ("like", "share", "reply", "mention")
    freq = np.bincount(e["type"], minlength=4) / e["type"].size
    assert freq[1] == 0.0  # a zero-weight type never appears
    np.testing.assert_allclose(freq[[0, 2, 3]], [0.5, 0.25, 0.25], atol=0.01)


def test_in_degree_heavy_tailed():
    n_users, n_edges = 20_000, 400_000
    e = powerlaw_edges(n_users, n_edges, rng=21)
    indeg = np.bincount(e["target"], minlength=n_users)
    mean = indeg.mean()
    assert indeg.max() > 100 * mean  # a few very popular users
    assert _top_share(indeg) > 0.35  # top 1% of users receive over a third of all edges
    assert np.median(indeg) < mean  # most users are below average
    # a uniform graph of the same size is nowhere near: its top 1% hold about 1.5%
    uniform = np.bincount(np.random.default_rng(0).integers(0, n_users, n_edges), minlength=n_users)
    assert _top_share(uniform) < 0.03


def test_actors_have_a_milder_tail_than_targets():
    n_users = 20_000
    e = powerlaw_edges(n_users, 400_000, rng=22)
    indeg = np.bincount(e["target"], minlength=n_users)
    outdeg = np.bincount(e["source"], minlength=n_users)
    assert outdeg.max() > 5 * outdeg.mean()  # still heavy-tailed
    assert _top_share(outdeg) < 0.5 * _top_share(indeg)
    # popularity and activity are independent: the most popular user is not the most active
    assert np.argmax(indeg) != np.argmax(outdeg)


def test_smaller_exponent_is_more_concentrated():
    n_users = 20_000
    steep = powerlaw_edges(n_users, 200_000, exponent=2.0, rng=4)
    flat = powerlaw_edges(n_users, 200_000, exponent=3.0, rng=4)
    share_steep = _top_share(np.bincount(steep["target"], minlength=n_users))
    share_flat = _top_share(np.bincount(flat["target"], minlength=n_users))
    assert share_steep > share_flat + 0.1


def test_popular_users_are_not_low_ids():
    # ranks are mapped to ids by a permutation: popularity is not encoded in id order
    n_users = 10_000
    e = powerlaw_edges(n_users, 200_000, rng=8)
    indeg = np.bincount(e["target"], minlength=n_users)
    top = np.argsort(indeg)[::-1][:100]
    assert top.mean() > 0.2 * n_users


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_users": 1, "n_edges": 5},
        {"n_users": -1, "n_edges": 0},
        {"n_users": 10, "n_edges": -3},
        {"n_users": 10, "n_edges": 5, "exponent": 1.0},
        {"n_users": 10, "n_edges": 5, "exponent": float("nan")},
        {"n_users": 10, "n_edges": 5, "type_mix": (0.5, 0.5)},
        {"n_users": 10, "n_edges": 5, "type_mix": (1, -1, 1)},
        {"n_users": 10, "n_edges": 5, "type_mix": (0, 0, 0)},
        {"n_users": 10, "n_edges": 5, "types": ()},
        {"n_users": 10, "n_edges": 5, "types": ("a", "a", "b")},
        {"n_users": 10, "n_edges": 5, "types": ("a", "", "b")},
    ],
)
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        powerlaw_edges(**kwargs, rng=0)


def test_bool_seed_rejected():
    with pytest.raises(TypeError):
        powerlaw_edges(10, 5, rng=True)


# --------------------------------------------------------------------------- timestamps text


def test_iso_utc_matches_datetime():
    gen = np.random.default_rng(0)
    lo = int(dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    hi = int(dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc).timestamp())
    fixed = [0, -1, 951_782_400, 951_868_799, 4_107_456_000, 1_341_101_183, lo, hi]
    secs = np.concatenate([gen.integers(lo, hi, 5_000), fixed]).astype(np.int64)
    got = synthetic._iso_utc(secs).to_pylist()
    epoch = dt.datetime(1970, 1, 1)
    want = [(epoch + dt.timedelta(seconds=int(s))).isoformat() + "Z" for s in secs]
    assert got == want
    assert got[-6:-2] == [
        "2000-02-29T00:00:00Z",
        "2000-02-29T23:59:59Z",
        "2100-02-28T00:00:00Z",
        "2012-07-01T00:06:23Z",
    ]
    assert synthetic._iso_utc(np.empty(0, np.int64)).to_pylist() == []


# --------------------------------------------------------------------------- write_edges_csv


@pytest.mark.parametrize("name", ["edges.csv", "edges.csv.gz"])
def test_csv_round_trips_through_pandas(tmp_path, name):
    path = tmp_path / name
    out = write_edges_csv(path, 500, 3_000, rng=77, with_timestamp=True)
    assert out == path and path.is_file()

    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(df.columns) == ["source", "target", "type", "timestamp"]
    assert len(df) == 3_000
    assert df["source"].str.fullmatch(r"\d+").all() and df["target"].str.fullmatch(r"\d+").all()

    e = powerlaw_edges(500, 3_000, rng=77)  # the file holds exactly these edges, in order
    np.testing.assert_array_equal(df["source"].to_numpy(), e["source"].astype(str))
    np.testing.assert_array_equal(df["target"].to_numpy(), e["target"].astype(str))
    np.testing.assert_array_equal(df["type"].to_numpy(), np.array(e["types"])[e["type"]])

    assert df["timestamp"].str.match(ISO).all()
    ts = pd.to_datetime(df["timestamp"], utc=True, format="%Y-%m-%dT%H:%M:%SZ")
    assert ts.is_monotonic_increasing
    assert ts.min() >= pd.Timestamp("2024-01-01", tz="UTC")
    assert ts.max() < pd.Timestamp("2024-01-31", tz="UTC")

    raw = gzip.open(path, "rt") if name.endswith(".gz") else open(path)
    with raw:
        assert raw.readline() == "source,target,type,timestamp\n"  # no quoting


def test_csv_without_timestamp_and_custom_window(tmp_path):
    p1 = write_edges_csv(tmp_path / "plain.csv", 100, 200, rng=1)
    assert p1.read_text().splitlines()[0] == "source,target,type"
    assert len(pd.read_csv(p1).columns) == 3

    p2 = write_edges_csv(
        tmp_path / "w.csv",
        100,
        2_000,
        rng=1,
        with_timestamp=True,
        start="2012-07-01T00:00:00Z",
        span_days=0.5,
    )
    ts = pd.to_datetime(pd.read_csv(p2)["timestamp"], utc=True)
    assert ts.min() >= pd.Timestamp("2012-07-01T00:00:00Z")
    assert ts.max() < pd.Timestamp("2012-07-01T12:00:00Z")


def test_pyarrow_reads_gz_with_integer_ids(tmp_path):
    path = write_edges_csv(
        tmp_path / "e.csv.gz", 1_000, 5_000, rng=3, types=("a", "b"), type_mix=(1, 1)
    )
    table = pacsv.read_csv(path)
    assert table.num_rows == 5_000
    assert str(table.schema.field("source").type) == "int64"
    assert set(table.column("type").to_pylist()) == {"a", "b"}


def test_same_seed_byte_identical_files(tmp_path):
    a = write_edges_csv(tmp_path / "a.csv.gz", 2_000, 10_000, rng=5, with_timestamp=True)
    b = write_edges_csv(tmp_path / "b.csv.gz", 2_000, 10_000, rng=5, with_timestamp=True)
    c = write_edges_csv(tmp_path / "c.csv.gz", 2_000, 10_000, rng=6, with_timestamp=True)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    assert a.read_bytes()[4:8] == bytes(4)  # gzip header mtime 0: no wall-clock time in it


def test_multiple_chunks_and_empty(tmp_path, monkeypatch):
    monkeypatch.setattr(synthetic, "_CHUNK", 700)
    path = write_edges_csv(tmp_path / "c.csv", 300, 2_500, rng=2, with_timestamp=True)
    lines = path.read_text().splitlines()
    assert len(lines) == 2_501 and lines.count(lines[0]) == 1  # header written once
    e = powerlaw_edges(300, 2_500, rng=2)
    df = pd.read_csv(path, dtype=str)
    np.testing.assert_array_equal(df["target"].to_numpy(), e["target"].astype(str))

    empty = write_edges_csv(tmp_path / "empty.csv", 10, 0, rng=0)
    assert empty.read_text() == "source,target,type\n"


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    monkeypatch.setattr(synthetic, "_CHUNK", 100)
    real = pacsv.write_csv
    calls = {"n": 0}

    def failing_write_csv(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(pacsv, "write_csv", failing_write_csv)
    for name in ("new.csv", "new.csv.gz"):
        calls["n"] = 0
        # an OS error while writing is a one-line graphkit error naming the output file
        with pytest.raises(InputError, match=r"new\.csv(\.gz)?: cannot write \(disk full\)"):
            write_edges_csv(tmp_path / name, 100, 1_000, rng=1)
        assert calls["n"] == 3  # two chunks had already been written to the temp file
    assert sorted(os.listdir(tmp_path)) == []  # no target, no leftover temp file

    # an existing file is left untouched by a failed rewrite
    monkeypatch.setattr(pacsv, "write_csv", real)
    keep = write_edges_csv(tmp_path / "keep.csv", 100, 1_000, rng=1)
    before = keep.read_bytes()
    monkeypatch.setattr(pacsv, "write_csv", failing_write_csv)
    calls["n"] = 0
    with pytest.raises(InputError, match="the previous file, if any, is unchanged"):
        write_edges_csv(keep, 100, 1_000, rng=2)
    assert keep.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["keep.csv"]


def test_written_file_has_normal_permissions(tmp_path):
    path = write_edges_csv(tmp_path / "p.csv", 10, 10, rng=0)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize(
    "kwargs",
    [
        {"types": ("a,b", "c"), "type_mix": (1, 1)},
        {"types": ('say "hi"', "c"), "type_mix": (1, 1)},
        {"with_timestamp": True, "span_days": 0},
        {"compresslevel": 12},
        {"exponent": 0.5},
    ],
)
def test_write_rejects_bad_arguments_without_writing(tmp_path, kwargs):
    with pytest.raises(ValueError):
        write_edges_csv(tmp_path / "x.csv", 10, 10, rng=0, **kwargs)
    assert os.listdir(tmp_path) == []


# --------------------------------------------------------------------------- command line


def test_command_line(tmp_path):
    out = tmp_path / "bench.csv.gz"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "graphkit.synthetic",
            "--users",
            "200",
            "--edges",
            "1000",
            "--seed",
            "4",
            "-o",
            str(out),
            "--timestamps",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "1,000 edges" in proc.stdout
    df = pd.read_csv(out, dtype=str)
    assert len(df) == 1_000 and list(df.columns) == ["source", "target", "type", "timestamp"]
    e = powerlaw_edges(200, 1_000, rng=4)
    np.testing.assert_array_equal(df["source"].to_numpy(), e["source"].astype(str))


def test_command_line_bad_input_exits_1(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        synthetic.main(["--users", "1", "--edges", "10", "-o", str(tmp_path / "x.csv")])
    assert exc.value.code == 1
    assert "at least 2 users" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []
