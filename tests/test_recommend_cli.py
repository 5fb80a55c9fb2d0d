"""The segments, engagement and recommend commands: interfaces scripts rely on, errors, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from graphkit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "data" / "example.csv")
HIGGS = str(ROOT / "data" / "higgs-sample.csv.gz")


def run(args):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


@pytest.fixture(scope="module")
def planted_csv(tmp_path_factory):
    """The planted-roles graph as an edge file, with one id full of quotes and a comma."""
    from graphkit.segments import planted_roles

    g, truth = planted_roles(rng=1)
    e = g.edges()
    rows = []
    for t in g.types:
        sub = e[e[f"n_{t}"] > 0]
        for s, d, c in zip(sub["source"], sub["target"], sub[f"n_{t}"]):
            rows += [(s, d, t)] * int(c)
    df = pd.DataFrame(rows, columns=["source", "target", "type"])
    df = df.replace({"c0-l0": "=cmd|' /C calc'!A0"})
    path = tmp_path_factory.mktemp("planted") / "planted.csv"
    df.to_csv(path, index=False)
    return str(path), truth


def test_recommend_all_writes_the_documented_columns(tmp_path):
    out = tmp_path / "recs.csv"
    r = run(["recommend", EXAMPLE, "--all", "--top", "3", "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out, dtype={"user": str, "candidate": str})
    assert df.columns.tolist()[:4] == ["user", "rank", "candidate", "score"]
    assert df.columns.tolist()[4:] == ["method", "shared_contacts", "why"]
    assert (df.groupby("user")["rank"].apply(list).apply(lambda v: v == list(range(1, len(v) + 1)))).all()
    assert (df["method"] == "ppr").all() and df["rank"].max() <= 3


def test_recommend_user_prints_one_list_and_json():
    r = run(["recommend", EXAMPLE, "--user", "alice", "--format", "json", "-q"])
    assert r.exit_code == 0
    payload = json.loads(r.stdout)
    assert payload["method"] == "ppr" and {row["user"] for row in payload["rows"]} == {"alice"}
    assert payload["rows"][0]["candidate"] == "heidi"
    assert payload["rows"][0]["why"] == "1 shared contact: frank"
    t = run(["recommend", EXAMPLE, "--user", "alice", "--method", "adamic-adar"])
    assert t.exit_code == 0 and "heidi" in t.stdout and "adamic-adar" in t.stdout


def test_recommend_unknown_users_are_listed_in_one_line():
    r = run(["recommend", EXAMPLE, "--user", "nobody", "--user", "alice", "--user", "ghost"])
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines() == ["Error: unknown users not in the graph: 'nobody', 'ghost'"]


@pytest.mark.parametrize("args, message", [
    ([], "give exactly one of --user USER, --all or --evaluate"),
    (["--all", "--user", "alice"], "give exactly one of"),
    (["--all", "--split", "time"], "--test-fraction and --split apply to --evaluate only"),
    (["--all", "--method", "magic"], "Invalid value for '--method'"),
    (["--all", "--top", "0"], "Invalid value for '--top'"),
])
def test_recommend_usage_errors_exit_2(args, message):
    r = run(["recommend", EXAMPLE, *args])
    assert r.exit_code == 2 and message in r.stderr


def test_recommend_evaluate_reports_every_method(tmp_path):
    r = run(["recommend", EXAMPLE, "--evaluate", "--split", "random", "--top", "3",
             "--random-seed", "4", "--format", "json"])
    assert r.exit_code == 0, r.output
    payload = json.loads(r.stdout)
    assert payload["split"] == "random" and payload["k"] == 3
    from graphkit.recommend import METHODS

    assert sorted(m["method"] for m in payload["methods"]) == sorted(METHODS)
    again = run(["recommend", EXAMPLE, "--evaluate", "--split", "random", "--top", "3",
                 "--random-seed", "4", "--format", "json"])
    assert again.stdout == r.stdout
    timed = run(["recommend", EXAMPLE, "--evaluate", "--format", "json", "-q"])
    assert json.loads(timed.stdout)["split"] == "time"
    plain = tmp_path / "plain.csv"
    plain.write_text("source,target\na,b\nb,c\nc,d\nd,a\na,c\n")
    no_time = run(["recommend", str(plain), "--evaluate", "--split", "time"])
    assert no_time.exit_code == 2 and "--split time needs timestamps" in no_time.stderr


def test_cli_method_choices_are_the_library_methods():
    from graphkit.cli.commands.recommend import METHOD_CHOICES
    from graphkit.recommend import DEFAULT_METHOD, METHODS

    assert sorted(METHOD_CHOICES) == sorted(METHODS) and METHOD_CHOICES[0] == DEFAULT_METHOD


def test_segments_writes_user_segment_role_first(planted_csv, tmp_path):
    path, truth = planted_csv
    out = tmp_path / "segments.csv"
    r = run(["segments", path, "-k", "5", "--random-seed", "1", "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    raw = out.read_text(encoding="utf-8")
    assert raw.splitlines()[0].startswith("user,segment,role,")
    # an id with quotes that is a spreadsheet formula: written neutralised ('=...), read
    # back by graphkit unchanged
    assert "\"'=cmd|' /C calc'!A0\"" in raw
    from graphkit.io import read_id_list

    assert "=cmd|' /C calc'!A0" in read_id_list(str(out))
    df = pd.read_csv(out, dtype={"user": str})
    assert len(df) == len(truth) and df["user"].is_unique
    assert set(df["role"]) == {"hub", "bridge", "amplifier", "engaged audience", "lurker"}


def test_segments_table_and_json(planted_csv):
    path, _ = planted_csv
    t = run(["segments", path, "-k", "5", "--random-seed", "1"])
    assert t.exit_code == 0 and "5 segments" in t.stderr
    for role in ("hub", "bridge", "amplifier", "lurker"):
        assert role in t.stdout
    j = run(["segments", path, "-k", "5", "--random-seed", "1", "--format", "json", "-q"])
    payload = json.loads(j.stdout)
    assert payload["k"] == 5 and sum(s["users"] for s in payload["segments"]) == 668


def test_segments_reads_a_membership_file(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text("user,community\nalice,red\nbob,red\nheidi,blue\nnobody,blue\n")
    r = run(["segments", EXAMPLE, "-k", "3", "--communities", str(m), "--random-seed", "2",
             "--format", "csv"])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(pd.io.common.StringIO(r.stdout))
    assert dict(zip(df.user, df.community))["alice"] == 1 and dict(zip(df.user, df.community))["heidi"] == 0
    assert "1 users are not in the graph" in r.stderr


def run_process(args, threads):
    env = {**os.environ, "NUMBA_NUM_THREADS": str(threads), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "graphkit", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT)


def test_same_seed_gives_byte_identical_files_on_one_or_two_threads(planted_csv, tmp_path):
    path, _ = planted_csv
    files = {}
    for threads in (1, 2):
        seg = tmp_path / f"seg{threads}.csv"
        rec = tmp_path / f"rec{threads}.csv"
        a = run_process(["segments", path, "--random-seed", "5", "-o", str(seg), "-q"], threads)
        b = run_process(["recommend", path, "--all", "--top", "5", "-o", str(rec), "-q"], threads)
        assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
        files[threads] = (seg.read_bytes(), rec.read_bytes())
    assert files[1] == files[2]


def test_engagement_top_json_and_output(tmp_path):
    t = run(["engagement", EXAMPLE, "--top", "3"])
    assert t.exit_code == 0 and "alice" in t.stdout and "3 of 8 rows" in t.stdout
    j = run(["engagement", EXAMPLE, "--format", "json", "-q"])
    payload = json.loads(j.stdout)
    assert payload["rows"][0]["user"] == "alice" and payload["rows"][0]["rate"] == 1.6
    out = tmp_path / "eng.csv"
    assert run(["engagement", EXAMPLE, "-o", str(out), "-q"]).exit_code == 0
    assert out.read_text().splitlines()[0].startswith("rank,user,followers,interactions,rate")


def test_engagement_items_print_the_formula(tmp_path):
    items = tmp_path / "videos.csv"
    items.write_text("item,creator,views,likes,comments,shares,buyers\n"
                     "v1,alice,100,10,5,5,2\nv2,heidi,50,1,0,0,0\nv3,zed,10,1,1,1,1\n")
    r = run(["engagement", EXAMPLE, "--items", str(items), "--by", "creator", "--format", "json"])
    assert r.exit_code == 0, r.output
    payload = json.loads(r.stdout)
    assert payload["formulas"]["engagement_rate"] == "(likes + comments + shares) / views"
    rows = {row["creator"]: row for row in payload["rows"]}
    assert rows["alice"]["engagement_rate"] == 0.2 and rows["alice"]["conversion_rate"] == 2 / 5
    assert rows["zed"]["conversion_rate"] is None
    assert "1 creators are not in the graph" in r.stderr
    t = run(["engagement", EXAMPLE, "--items", str(items), "--by", "item"])
    assert "engagement rate = (likes + comments + shares) / views" in t.stdout.replace("\n", " ")


@pytest.mark.parametrize("args, code, message", [
    (["--by", "item"], 2, "--by item needs an item log"),
    (["--window", "7x"], 2, "a window is a positive number"),
    (["--window", "7d"], 1, "time windows need timestamps"),
    (["--communities", "m.csv"], 2, "--communities applies to --by community"),
])
def test_engagement_errors(tmp_path, args, code, message):
    plain = tmp_path / "plain.csv"  # no time column
    plain.write_text("source,target,type\na,b,follow\nb,c,share\n")
    r = run(["engagement", str(plain), *args])
    assert r.exit_code == code and message in r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("Error")]
    assert len(errors) == 1 and "Traceback" not in r.stderr


def test_engagement_bad_item_file_names_file_and_line(tmp_path):
    items = tmp_path / "videos.csv"
    items.write_text("item,creator,views\nv1,alice,10\nv2,bob,-1\n")
    r = run(["engagement", EXAMPLE, "--items", str(items)])
    assert r.exit_code == 1
    assert r.stderr.strip() == f"Error: {items}:3: views is not a non-negative number ('-1')"


def test_engagement_window_on_the_higgs_sample():
    r = run(["engagement", HIGGS, "--window", "1d", "--top", "3", "--format", "csv", "-q"])
    assert r.exit_code == 0
    df = pd.read_csv(pd.io.common.StringIO(r.stdout))
    assert len(df) == 3 and df["growth"].is_monotonic_decreasing
    assert np.all(df["last"] >= 0)
