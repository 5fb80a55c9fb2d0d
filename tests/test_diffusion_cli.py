"""Tests for the ``graphkit simulate`` command (graphkit/cli.py, simulate section)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from graphkit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
EXAMPLE = str(DATA / "example.csv")
KEYS = ["mean", "ci_low", "ci_high", "std", "runs", "model", "prob", "seeds", "per_step",
        "top_reached"]


def run(args):
    return CliRunner().invoke(cli, ["simulate", *args], catch_exceptions=False)


def run_json(args):
    r = run([*args, "--format", "json", "-q"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_json_keys_and_values():
    out = run_json([EXAMPLE, "--seeds", "alice,bob", "--runs", "2000", "--random-seed", "7"])
    assert list(out) == KEYS
    assert out["model"] == "ic" and out["prob"] == "wc" and out["seeds"] == ["alice", "bob"]
    assert out["runs"] == 2000 and out["per_step"][0] == 2
    assert out["ci_low"] < out["mean"] < out["ci_high"] and 2 <= out["mean"] <= 10
    assert abs(sum(out["per_step"]) - out["mean"]) < 1e-9
    probs = [row["probability"] for row in out["top_reached"]]
    assert probs == sorted(probs, reverse=True) and len(probs) <= 10
    assert not {"alice", "bob"} & {row["user"] for row in out["top_reached"]}


def test_same_random_seed_same_output():
    args = [EXAMPLE, "--seeds", "alice", "--model", "lt", "--runs", "3000", "--random-seed", "3"]
    assert run_json(args) == run_json(args)
    assert run_json(args)["mean"] != run_json([*args[:-1], "4"])["mean"]


def test_communities_and_typed(tmp_path):
    users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]
    members = tmp_path / "m.csv"
    pd.DataFrame({"user": users, "community": [0] * 5 + [1] * 5, "size": 5}).to_csv(members, index=False)
    out = run_json([EXAMPLE, "--seeds", "alice,heidi", "--model", "lt", "--prob", "typed",
                    "--type-prob", "share=0.05", "--type-prob", "comment=0.03",
                    "--type-prob", "follow=0.01", "--communities", str(members),
                    "--random-seed", "1", "--runs", "2000"])
    assert list(out) == KEYS + ["per_community"]
    assert out["prob"] == "typed:share=0.05,comment=0.03,follow=0.01"
    pc = {row["community"]: row for row in out["per_community"]}
    assert set(pc) == {0, 1} and pc[0]["users"] == 5 and pc[1]["seeds"] == 1
    assert abs(sum(r["expected_reach"] for r in pc.values()) - out["mean"]) < 1e-9


def test_unknown_seeds_one_line_exit_1():
    r = run([EXAMPLE, "--seeds", "alice,mallory,oscar", "--runs", "100", "--random-seed", "1"])
    assert r.exit_code == 1
    lines = [ln for ln in r.output.splitlines() if ln.startswith("Error")]
    assert len(lines) == 1 and "'mallory'" in lines[0] and "'oscar'" in lines[0]
    assert "Traceback" not in r.output
    r = run([EXAMPLE, "--seeds", "alice,mallory", "--runs", "100", "--random-seed", "1",
             "--skip-unknown", "--format", "json"])
    assert r.exit_code == 0
    assert "mallory" in r.stderr and json.loads(r.stdout)["seeds"] == ["alice"]


@pytest.mark.parametrize("args, code, text", [
    (["--seeds", " , "], 1, "seed set is empty"),
    ([], 2, "--seeds or --seeds-file"),
    (["--seeds", "alice", "--seeds-file", "x.txt"], 2, "--seeds or --seeds-file"),
    (["--seeds", "alice", "--prob", "uniform:1.5"], 2, "outside [0, 1]"),
    (["--seeds", "alice", "--prob", "magic"], 2, "unknown probability model"),
    (["--seeds", "alice", "--prob", "typed"], 2, "--type-prob"),
    (["--seeds", "alice", "--type-prob", "share=0.1"], 2, "typed only"),
    (["--seeds", "alice", "--prob", "typed", "--type-prob", "share=2"], 2, "outside [0, 1]"),
    (["--seeds", "alice", "--runs", "0"], 2, "positive number of runs"),
    (["--seeds", "alice", "--prob", "column:p"], 1, "no column 'p'"),
])
def test_bad_usage(args, code, text):
    r = run([EXAMPLE, *args, "--random-seed", "1", "--runs", "100"] if "--runs" not in args
            else [EXAMPLE, *args, "--random-seed", "1"])
    assert r.exit_code == code, r.output
    assert text in r.output


def test_probability_above_one_in_edge_file_and_learned_file(tmp_path):
    edges = tmp_path / "e.csv"
    edges.write_text("source,target,p\nbob,alice,0.5\ncarol,alice,1.5\n")
    r = run([str(edges), "--seeds", "alice", "--prob", "column:p", "--random-seed", "1"])
    assert r.exit_code == 1
    assert f"{edges}:3: p 1.5 is not a probability" in r.output
    learned = tmp_path / "probs.csv"
    learned.write_text("source,target,p\nbob,alice,0.5\ncarol,alice,7\n")
    r = run([str(edges), "--seeds", "alice", "--prob", f"learned:{learned}", "--random-seed", "1"])
    assert r.exit_code == 1
    assert f"{learned}:3: p '7' is not a probability" in r.output


def test_learned_file_warns_about_missing_edges(tmp_path):
    learned = tmp_path / "probs.csv"
    learned.write_text("source,target,p\nbob,alice,0.5\nghost,alice,0.2\n")
    r = run([EXAMPLE, "--seeds", "alice", "--prob", f"learned:{learned}", "--random-seed", "1",
             "--runs", "500", "--format", "json"])
    assert r.exit_code == 0
    assert "get 0" in r.stderr and "not in the graph" in r.stderr
    out = json.loads(r.stdout)
    assert [row["user"] for row in out["top_reached"]] == ["bob"]


def test_output_files(tmp_path):
    csv_out, json_out = tmp_path / "reach.csv", tmp_path / "reach.json"
    base = [EXAMPLE, "--seeds", "alice", "--runs", "1000", "--random-seed", "2", "-q"]
    assert run([*base, "-o", str(csv_out)]).exit_code == 0
    df = pd.read_csv(csv_out)
    assert list(df.columns) == ["user", "probability"] and df.user.iloc[0] == "alice"
    assert df.probability.is_monotonic_decreasing
    r = run([*base, "-o", str(json_out)])
    # the per-user table goes to the file; stdout keeps only the headline (issue 16)
    assert r.exit_code == 0 and "95% confidence interval" in r.stdout
    assert "most likely reached" not in r.stdout
    full = json.loads(json_out.read_text())
    assert f"{full['ci_low']:,.2f} .. {full['ci_high']:,.2f}" in r.stdout
    assert set(KEYS) <= set(full) and full["random_seed"] == 2 and full["converged"] is None
    assert {row["user"] for row in full["rows"]} == set(df.user)


def test_table_output_and_auto_runs():
    r = run([EXAMPLE, "--seeds", "alice", "--runs", "auto", "--random-seed", "5", "--max-steps", "3"])
    assert r.exit_code == 0
    for text in ("expected reach", "95% confidence interval", "reach per step",
                 "most likely reached", "auto: CI within 1% of the mean"):
        assert text in r.stdout
    assert "max steps" in r.stdout


def test_nethept_column_and_learned_give_identical_results():
    net = str(DATA / "nethept.csv.gz")
    common = ["--seeds", "0,1,2,3", "--runs", "2000", "--random-seed", "9"]
    a = run_json([net, "--prob", "column:p", *common])
    b = run_json([net, "--prob", f"learned:{net}", *common])
    assert a["prob"] == "column:p" and b["prob"].startswith("learned:")
    a.pop("prob"), b.pop("prob")
    assert a == b
