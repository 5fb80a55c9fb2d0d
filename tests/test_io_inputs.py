"""Data as people have it: SNAP CollegeMsg (space-separated unix seconds, trailing blanks),
Bitcoin OTC (headerless CSV, ratings -10..10, float epoch), epoch milliseconds from pandas'
``to_json``, Parquet with null timestamps, undirected pairs stored once (ego-Facebook), time
windows and standard input. Every answer is checked against a slow reference (pure Python,
pandas or networkx) computed from the same generated rows, never against captured output."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import graphkit as gk
from graphkit.cli import cli
from graphkit.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def run(args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def stderr_lines(res):
    return [ln for ln in res.stderr.splitlines() if ln.strip()]


# --------------------------------------------------------------------------- data
def college_rows(n=400, seed=1):
    """(src, dst, unix seconds) rows like SNAP's CollegeMsg (times non-decreasing)."""
    rng = random.Random(seed)
    t, rows = 1082040961, []
    for _ in range(n):
        a, b = rng.sample(range(1, 80), 2)
        rows.append((str(a), str(b), t))
        t += rng.randint(0, 9000)
    return rows


def write_college(path, rows):
    # as downloaded: single spaces and a trailing blank on every line
    path.write_text("".join(f"{a} {b} {t} \n" for a, b, t in rows))
    return path


def bitcoin_rows(n=400, seed=2):
    """(src, dst, rating, float epoch) rows like soc-sign-bitcoinotc.csv."""
    rng = random.Random(seed)
    t, rows = 1289241911.72, []
    for _ in range(n):
        a, b = rng.sample(range(1, 70), 2)
        rows.append((str(a), str(b), rng.choice([-10, -7, -1, 1, 1, 2, 3, 5, 10]), round(t, 2)))
        t += rng.random() * 40000
    return rows


def write_bitcoin(path, rows):
    path.write_text("".join(f"{a},{b},{r},{t:.2f}\n" for a, b, r, t in rows))
    return path


def pairs(table):
    return list(zip(table.node_ids[table.source_codes], table.node_ids[table.target_codes]))


# --------------------------------------------------------------------------- headers
def test_first_row_of_numbers_is_data_even_when_options_name_positions(tmp_path):
    rows = college_rows()
    f = write_college(tmp_path / "CollegeMsg.txt", rows)
    t = gk.read_edges(f, source_col="1", target_col="2", time_col="3")
    assert t.n_rows == len(rows)
    assert pairs(t) == [(a, b) for a, b, _ in rows]
    assert not t.report.files[0].header


def test_bitcoin_time_col_4_keeps_first_row(tmp_path):
    rows = bitcoin_rows()
    f = write_bitcoin(tmp_path / "btc.csv", rows)
    t = gk.read_edges(f, time_col="4", signed=True)
    assert t.report.rows_read == len(rows)
    assert t.report.files[0].columns == {"source": "1", "target": "2", "weight": "3",
                                         "timestamp": "4"}


def test_named_header_still_detected(tmp_path):
    f = tmp_path / "e.csv"
    f.write_text("from,to,when\n1,2,1082040961\n2,3,1082040962\n")
    t = gk.read_edges(f, time_col="when")
    assert t.n_rows == 2 and t.report.files[0].header


# --------------------------------------------------------------------------- time columns
def test_collegemsg_third_column_is_time_not_weight(tmp_path):
    rows = college_rows()
    f = write_college(tmp_path / "CollegeMsg.txt", rows)
    t = gk.read_edges(f)
    assert t.row_weight is None
    want = np.array([np.datetime64(s, "s") for _, _, s in rows]).astype("datetime64[ns]")
    assert np.array_equal(t.timestamp, want)
    assert t.report.files[0].notes == (
        "column 3 read as time (unix seconds; --time-col none to ignore it)",)
    assert t.report.files[0].time_unit == "s"


def test_time_guess_printed_once_and_info_shows_roles(tmp_path):
    f = write_college(tmp_path / "CollegeMsg.txt", college_rows())
    res = run(["info", f, "--format", "json"])
    assert res.exit_code == 0, res.output
    notes = [ln for ln in stderr_lines(res) if "read as" in ln]
    assert notes == [f"{f}: column 3 read as time (unix seconds; --time-col none to ignore it)"]
    s = json.loads(res.stdout)
    assert s["files"][0]["columns"] == {"source": "1", "target": "2", "timestamp": "3"}
    res = run(["info", f])
    assert "time=3 (unix seconds)" in res.stdout
    assert run(["info", f, "-q"]).stderr == ""


def test_time_col_none_keeps_old_weight_reading(tmp_path):
    rows = college_rows(50)
    f = write_college(tmp_path / "c.txt", rows)
    t = gk.read_edges(f, time_col="none")
    assert t.timestamp is None
    assert t.row_weight.tolist() == [float(s) for _, _, s in rows]


def test_small_numbers_stay_weights(tmp_path):
    f = tmp_path / "w.txt"
    f.write_text("a b 3\nb c 1.5\nc a 2\n")
    t = gk.read_edges(f)
    assert t.timestamp is None and t.row_weight.tolist() == [3.0, 1.5, 2.0]


def test_iso_third_column_is_time(tmp_path):
    f = tmp_path / "iso.tsv"
    f.write_text("a\tb\t2024-03-01T10:00:00Z\nb\tc\t2024-03-02\n")
    t = gk.read_edges(f)
    assert t.types == ("interaction",)
    want = np.array(["2024-03-01T10:00", "2024-03-02"], dtype="datetime64[ns]")
    assert np.array_equal(t.timestamp, want)
    assert t.report.files[0].notes == ("column 3 read as time (ISO 8601; --time-col none to "
                                       "ignore it)",)


@pytest.mark.parametrize("unit,factor", [("ms", 10**3), ("us", 10**6), ("ns", 10**9)])
def test_units_by_magnitude_and_forced(tmp_path, unit, factor):
    rows = college_rows(30)
    f = tmp_path / "c.txt"
    f.write_text("".join(f"{a} {b} {s * factor}\n" for a, b, s in rows))
    want = np.array([np.datetime64(s, "s") for _, _, s in rows]).astype("datetime64[ns]")
    t = gk.read_edges(f)
    assert np.array_equal(t.timestamp, want) and t.report.files[0].time_unit == unit
    forced = gk.read_edges(f, time_col="3", time_unit=unit)
    assert np.array_equal(forced.timestamp, want)


def test_epoch_ms_from_pandas_to_json(tmp_path):
    times = pd.to_datetime(["2023-01-01 10:00:00", "2023-01-02 11:30:00.250", "2023-03-05 00:00:00"], format="ISO8601")
    df = pd.DataFrame({"source": ["a", "b", "c"], "target": ["b", "c", "a"], "time": times})
    f = tmp_path / "log.jsonl"
    df.to_json(f, orient="records", lines=True, date_format="epoch")
    t = gk.read_edges(f)
    assert np.array_equal(t.timestamp, times.to_numpy(dtype="datetime64[ns]"))
    assert t.report.files[0].notes == (
        "column 'time' read as unix milliseconds (by magnitude; --time-unit to force)",)


def test_action_log_in_epoch_ms_matches_seconds(tmp_path):
    secs = tmp_path / "a_s.csv"
    ms = tmp_path / "a_ms.csv"
    rows = [("u1", "i1", 1700000000), ("u2", "i1", 1700000100), ("u3", "i2", 1700000200)]
    secs.write_text("user,item,time\n" + "".join(f"{u},{i},{s}\n" for u, i, s in rows))
    ms.write_text("user,item,time\n" + "".join(f"{u},{i},{s * 1000}\n" for u, i, s in rows))
    a, b = gk.read_actions(secs), gk.read_actions(ms)
    assert np.array_equal(a.frame["timestamp"].to_numpy(), b.frame["timestamp"].to_numpy())


def test_parquet_null_timestamps_are_no_time(tmp_path):
    f = tmp_path / "e.parquet"
    pd.DataFrame({"source": ["a", "b", "c"], "target": ["b", "c", "a"],
                  "timestamp": [None, None, None]}).to_parquet(f)
    t = gk.read_edges(f)
    assert np.isnat(t.timestamp).all()
    g = tmp_path / "g.parquet"
    stamps = pd.to_datetime(["2020-01-01", None, "2020-01-03"], utc=True)
    pd.DataFrame({"source": ["a", "b", "c"], "target": ["b", "c", "a"],
                  "timestamp": stamps}).to_parquet(g)
    t = gk.read_edges(g)
    assert np.isnat(t.timestamp).tolist() == [False, True, False]
    assert t.timestamp[2] == np.datetime64("2020-01-03", "ns")


@pytest.mark.parametrize("name,content,line", [
    ("iso.csv", "source,target,time\na,b,2020-01-01\nb,c,3000-01-01\n", 3),
    ("unix.txt", "a b 1082040961\nb c 99999999999\n", 2),
    ("neg.csv", "source,target,time\na,b,1600-01-01\n", 2),
])
def test_times_outside_ns_range_are_errors_at_the_line(tmp_path, name, content, line):
    f = tmp_path / name
    f.write_text(content)
    with pytest.raises(InputError, match="outside the range") as err:
        gk.read_edges(f, time_col="time" if name.endswith(".csv") else "3")
    assert err.value.path == str(f) and err.value.line == line


def test_arrow_timestamps_outside_ns_range(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    f = tmp_path / "far.parquet"
    stamps = pa.array([np.datetime64("2020-01-01", "s"), np.datetime64("3000-01-01", "s")],
                      type=pa.timestamp("s"))
    pq.write_table(pa.table({"source": ["a", "b"], "target": ["b", "c"], "timestamp": stamps}), f)
    with pytest.raises(InputError, match="3000-01-01") as err:
        gk.read_edges(f)
    assert err.value.line == 2
    j = tmp_path / "far.jsonl"  # Arrow's JSON reader infers timestamp[s] for ISO text
    j.write_text('{"source":"a","target":"b","time":"2999-12-31 00:00:00"}\n')
    with pytest.raises(InputError, match="outside the range"):
        gk.read_edges(j)


# --------------------------------------------------------------------------- signs
def test_negative_weight_hint(tmp_path):
    f = write_bitcoin(tmp_path / "btc.csv", bitcoin_rows())
    res = run(["rank", f])
    assert res.exit_code == 1
    line = res.stderr.strip()
    assert "\n" not in line and "is negative" in line
    assert "--signed" in line and "--unweighted" in line


def test_unweighted_and_weight_col_none(tmp_path):
    rows = bitcoin_rows()
    f = write_bitcoin(tmp_path / "btc.csv", rows)
    for kwargs in ({"unweighted": True}, {"weight_col": "none"}):
        t = gk.read_edges(f, **kwargs)
        assert t.row_weight is None and t.n_rows == len(rows)
    res = run(["rank", f, "--weight-col", "none", "--format", "json"])
    assert res.exit_code == 0, res.output
    res = run(["rank", f, "--unweighted", "--signed"])
    assert res.exit_code == 2


def test_signed_distrust_and_rank_against_networkx(tmp_path):
    rows = bitcoin_rows()
    f = write_bitcoin(tmp_path / "btc.csv", rows)
    t = gk.read_edges(f, signed=True)
    want_distrust: dict = {}
    G = nx.DiGraph()
    for a, b, r, _ in rows:
        if r < 0:
            want_distrust[b] = want_distrust.get(b, 0) + 1
        else:
            G.add_edge(a, b, weight=G.get_edge_data(a, b, {"weight": 0})["weight"] + r)
    got = {u: int(c) for u, c in zip(t.node_ids, t.distrust) if c}
    assert got == want_distrust
    assert t.report.dropped["negative weight (distrust)"] == sum(r < 0 for *_, r, _ in rows)
    assert (t.row_weight > 0).all()
    # attention: PageRank on the positive ratings only
    G.add_nodes_from({a for a, *_ in rows} | {b for _, b, *_ in rows})
    want = nx.pagerank(G, weight="weight", tol=1e-12)
    res = run(["rank", f, "--signed", "--format", "json", "--top", "10"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)["rows"]
    for row in out:
        assert row["score"] == pytest.approx(want[row["user"]], abs=1e-6)
        assert row["distrust"] == want_distrust.get(row["user"], 0)
    top = sorted(want, key=lambda u: (-want[u], u))[:10]
    assert [r["user"] for r in out] == top


# --------------------------------------------------------------------------- undirected
def facebook_pairs(n=300, seed=3):
    rng = random.Random(seed)
    out = set()
    while len(out) < n:
        a, b = sorted(rng.sample(range(120), 2))
        out.add((str(a), str(b)))
    return sorted(out)


def test_undirected_rank_matches_networkx_graph(tmp_path):
    ps = facebook_pairs()
    f = tmp_path / "facebook_combined.txt"
    f.write_text("".join(f"{a} {b}\n" for a, b in ps))
    res = run(["rank", f, "--format", "json", "--top", "15"])
    assert res.exit_code == 0
    assert any("no pair of users appears in both directions" in ln and "--undirected" in ln
               for ln in stderr_lines(res))
    res = run(["rank", f, "--undirected", "--format", "json", "--top", "15"])
    assert res.exit_code == 0 and "--undirected" not in res.stderr
    want = nx.pagerank(nx.Graph(ps), tol=1e-12)
    out = json.loads(res.stdout)["rows"]
    assert [r["user"] for r in out] == sorted(want, key=lambda u: (-want[u], u))[:15]
    for r in out:
        assert r["score"] == pytest.approx(want[r["user"]], abs=1e-6)
    info = json.loads(run(["info", f, "--undirected", "--format", "json"]).stdout)
    assert info["reciprocity"] == 1.0 and info["edges"] == 2 * len(ps)


def test_reciprocal_data_gets_no_one_way_warning():
    res = run(["info", ROOT / "data" / "example.csv"])
    assert "both directions" not in res.stderr


# --------------------------------------------------------------------------- windows
def test_since_until_against_pure_python(tmp_path):
    rows = college_rows()
    f = write_college(tmp_path / "c.txt", rows)
    lo, hi = "2004-04-20", "2004-04-24"
    t0 = int(pd.Timestamp(lo).timestamp())
    t1 = int(pd.Timestamp(hi).timestamp()) + 86400  # a date alone as --until includes the day
    want = [(a, b) for a, b, s in rows if t0 <= s < t1]
    t = gk.read_edges(f, since=lo, until=hi)
    assert pairs(t) == want and len(want) not in (0, len(rows))
    assert t.report.dropped["outside --since/--until"] == len(rows) - len(want)
    res = run(["info", f, "--since", lo, "--until", hi, "--format", "json"])
    assert json.loads(res.stdout)["interactions"] == len(want)


def test_window_errors(tmp_path):
    f = tmp_path / "plain.txt"
    f.write_text("a b\nb c\n")
    res = run(["rank", f, "--since", "2020-01-01"])
    assert res.exit_code == 1 and "need a time column" in res.stderr
    assert run(["rank", f, "--since", "yesterday-ish"]).exit_code == 2
    assert run(["rank", f, "--since", "2020-02-01", "--until", "2020-01-01"]).exit_code == 2


def test_activity_table_against_pandas(tmp_path):
    rows = college_rows()
    f = write_college(tmp_path / "c.txt", rows)
    s = json.loads(run(["info", f, "--format", "json"]).stdout)
    act = s["activity"]
    assert act["period"] == "day"
    days = pd.Series(1, index=pd.to_datetime([r[2] for r in rows], unit="s")).resample("D").sum()
    assert act["counts"] == [[str(d.date()), int(c)] for d, c in days.items()]
    out = run(["info", f]).stdout
    assert "activity per day" in out


def test_repeated_interactions_wording():
    out = run(["info", ROOT / "data" / "example.csv"]).stdout
    df = pd.read_csv(ROOT / "data" / "example.csv")
    per_pair = df.groupby(["source", "target"]).size()
    want = f"{int((per_pair - 1).sum())} counted on {int((per_pair > 1).sum())} pairs"
    assert "repeated interactions" in out and want in out
    assert "duplicate rows merged" not in out


# --------------------------------------------------------------------------- stdin
def test_stdin_dash_matches_file(tmp_path):
    rows = college_rows(60)
    f = write_college(tmp_path / "c.txt", rows)
    a = json.loads(run(["info", f, "--format", "json"]).stdout)
    res = run(["info", "-", "--format", "json"], input=f.read_bytes())
    assert res.exit_code == 0, res.output
    b = json.loads(res.stdout)
    assert b["files"][0]["path"] == "<stdin>"
    for k in ("users", "edges", "time_range", "reciprocity"):
        assert a[k] == b[k]


def test_stdin_gzip_and_errors_name_stdin(tmp_path):
    data = gzip.compress(b"source,target\na,b\nb,c\n")
    proc = subprocess.run([sys.executable, "-m", "graphkit", "info", "-", "--format", "json"],
                          input=data, capture_output=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["users"] == 3
    proc = subprocess.run([sys.executable, "-m", "graphkit", "rank", "-"],
                          input=b"source,target\na,b\n,c\n", capture_output=True, cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.decode().strip() == "Error: <stdin>:3: source is empty"
    assert not list(tmp_path.iterdir())  # nothing left behind where it ran


# --------------------------------------------------------------------------- frames, help
def test_dataframe_takes_the_same_row_options():
    rows = bitcoin_rows(120)
    df = pd.DataFrame(rows, columns=["source", "target", "weight", "time"])
    t = gk.read_edges(df, signed=True, undirected=True, since="2010-11-20", time_unit="s")
    lo = pd.Timestamp("2010-11-20").timestamp()
    kept = [(a, b) for a, b, r, s in rows if r >= 0 and s >= lo]
    assert sorted(pairs(t)) == sorted(kept + [(b, a) for a, b in kept])
    distrust = {}
    for _, b, r, _ in rows:
        if r < 0:
            distrust[b] = distrust.get(b, 0) + 1
    assert {u: int(c) for u, c in zip(t.node_ids, t.distrust) if c} == distrust
    assert gk.read_edges(df, unweighted=True).row_weight is None


@pytest.mark.parametrize("command", ["info", "rank", "communities", "simulate", "seeds", "view",
                                     "report", "learn", "segments", "engagement", "recommend",
                                     "export"])
def test_every_command_takes_the_reader_options(command):
    res = run([command, "--help"])
    assert res.exit_code == 0
    text = " ".join(res.output.split())
    for opt in ("--time-unit", "--unweighted", "--signed", "--undirected", "--since", "--until",
                "--weight-col", "--time-col"):
        assert opt in text, (command, opt)
    for example in ("--since 2004-05-01", "--until 2004-05-31", "--time-unit ms",
                    "--unweighted.", "--signed.", "--undirected.", "--time-col 3"):
        assert f"{example}" in text, (command, example)


def test_learn_on_epoch_ms_log_equals_iso_log(tmp_path):
    """The issue's repro: a pandas ``to_json`` action log (epoch ms) learned nothing."""
    df = pd.read_csv(ROOT / "data" / "example-actions.csv")
    df["timestamp"] = pd.to_datetime(df["timestamp"], format="ISO8601")
    ms = tmp_path / "actions.jsonl"
    ms.write_text("".join(json.dumps({"source": s, "target": t, "timestamp": int(ts.value // 10**6)}) + "\n"
                          for s, t, ts in df.itertuples(index=False)))
    base = ["learn", ROOT / "data" / "example.csv", "--random-seed", "7", "--format", "json",
            "--actions"]
    a = run(base + [ROOT / "data" / "example-actions.csv"])
    b = run(base + [ms])
    assert a.exit_code == 0 and b.exit_code == 0, b.output
    ja, jb = json.loads(a.stdout), json.loads(b.stdout)
    assert jb["edges_nonzero"] > 0
    assert ja == jb  # the same probabilities, cascades and summary


def test_headered_ratings_file_names(tmp_path):
    """Bitcoin OTC with a header (``rating``) and SNAP-style ``unixtime``: found by name."""
    f = tmp_path / "otc.csv"
    f.write_text("source,target,rating,unixtime\n1,2,-3,1289241911\n2,3,5,1289241999\n")
    with pytest.raises(InputError, match="--signed"):
        gk.read_edges(f)
    t = gk.read_edges(f, signed=True)
    assert t.report.files[0].columns == {"source": "source", "target": "target",
                                         "weight": "rating", "timestamp": "unixtime"}
    assert t.row_weight.tolist() == [5.0] and t.distrust.tolist() == [0, 1, 0]
