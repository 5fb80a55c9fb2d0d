"""Tests for `graphkit seeds`: usage errors (exit 2), input errors (exit 1, one line),
outputs (table, JSON, files), byte-identical reruns."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from graphs import write_user_files

from graphkit.cli import cli

DATA = Path(__file__).resolve().parents[1] / "data"


def run(args, cwd):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def workdir(tmp_path):
    """The example network and the user files the README's seeds commands name (the same
    stand-ins as tests/test_cli.py's README directory)."""
    df = pd.read_csv(DATA / "example.csv", dtype=str, keep_default_na=False)
    df.to_csv(tmp_path / "edges.csv", index=False)
    write_user_files(tmp_path, df)
    return tmp_path


def seeds(args, wd):
    return run(["seeds", *args], cwd=wd)


def one_line_error(result, code=1):
    assert result.exit_code == code, result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("Error")]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("args,pattern", [
    (["-k", "2", "--budget", "100"], "--budget needs --costs"),
    (["-k", "2", "--costs", "fees.csv", "--budget", "100"], "not both"),
    ([], "give -k K"),
    (["--costs", "fees.csv"], "give -k K"),
    (["-k", "2", "--target", "audience.txt", "--target-community", "1", "--communities",
      "membership.csv"], "not both"),
    (["-k", "2", "--target-community", "1"], "go together"),
    (["-k", "0"], "-k"),
    (["-k", "2", "--epsilon", "1.5"], "epsilon"),
    (["-k", "2", "--method", "best"], "--method"),
    (["-k", "2", "--type-prob", "share=0.1"], "--type-prob applies"),
    (["-k", "2", "--max-memory", "lots"], "size"),
])
def test_usage_errors_exit_2(workdir, args, pattern):
    r = seeds(["edges.csv", *args], workdir)
    assert r.exit_code == 2, r.output
    assert pattern in r.output


@pytest.mark.parametrize("args,pattern", [
    (["-k", "3", "--include", "ghosts.txt"], r"ghosts.txt: 2 included users not in the graph: 'zed', 'yan'"),
    (["-k", "3", "--exclude", "ghosts.txt"], r"ghosts.txt: 2 excluded users not in the graph"),
    (["-k", "3", "--target", "ghosts.txt"], r"ghosts.txt: 2 target users not in the graph"),
    (["--costs", "badcost.csv", "--budget", "10"], r"badcost.csv:3: cost '-5' must be a finite non-negative number"),
    (["--costs", "textcost.csv", "--budget", "10"], r"textcost.csv:2: cost 'cheap' is not a number"),
    (["--costs", "strangers.csv", "--budget", "10"], r"strangers.csv: 1 users with a cost are not in the graph: 'zed'"),
    (["--costs", "fees.csv", "--budget", "50"], r"no eligible user costs at most the budget 50 \(the cheapest eligible user costs 100\)"),
    (["-k", "11"], r"k=11 needs 11 picks but only 10 users are eligible"),
    (["-k", "10", "--exclude", "competitors.txt"], r"only 9 users are eligible \(10 users, 1 excluded\)"),
    (["-k", "1", "--include", "signed.txt"], r"leaves no seed to pick"),
    (["-k", "2", "--target-community", "7", "--communities", "membership.csv"], r"community '7' has no user"),
    (["-k", "2", "--method", "celf", "--max-memory", "1K"], None),  # CELF does not use RR memory
    (["-k", "3", "--max-memory", "20K", "--epsilon", "0.01"], r"over the memory limit .* would fit|no epsilon"),
])
def test_input_errors_exit_1_one_line(workdir, args, pattern):
    (workdir / "ghosts.txt").write_text("zed\nalice\nyan\n")
    (workdir / "badcost.csv").write_text("user,cost\nalice,10\nbob,-5\n")
    (workdir / "textcost.csv").write_text("user,cost\nalice,cheap\n")
    (workdir / "strangers.csv").write_text("user,cost\nalice,10\nzed,3\n")
    r = seeds(["edges.csv", *args, "--runs", "200", "--random-seed", "1"], workdir)
    if pattern is None:
        assert r.exit_code == 0, r.output
        return
    import re

    line = one_line_error(r)
    assert re.search(pattern, line), line


def test_table_output_shows_seeds_spread_and_baselines(workdir):
    r = seeds(["edges.csv", "-k", "2", "--random-seed", "3", "--runs", "2000"], workdir)
    assert r.exit_code == 0, r.output
    out = r.output
    assert "seeds by opim" in out and "alice" in out
    assert "independent simulation" in out and "95% CI" in out and "2,000 runs" in out
    assert "guarantee" in out and "certified ratio" in out and "(target 0.532;" in out
    assert "baselines" in out and "vs best baseline" in out
    r = seeds(["edges.csv", "-k", "2", "--random-seed", "3", "--runs", "200", "--no-baselines"],
              workdir)
    assert r.exit_code == 0 and "baselines" not in r.output


def test_json_output(workdir):
    r = seeds(["edges.csv", "-k", "3", "--model", "lt", "--format", "json", "--random-seed", "5",
               "--runs", "500", "-q"], workdir)
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert [s["rank"] for s in d["seeds"]] == [1, 2, 3]
    assert set(d["seeds"][0]) == {"rank", "user", "marginal_gain", "cumulative_spread"}
    assert set(d["spread"]) == {"mean", "ci_low", "ci_high", "runs"} and d["spread"]["runs"] == 500
    assert set(d["baselines"]) == {"degree", "pagerank", "degree-discount"}
    assert d["method"] == "opim" and d["model"] == "lt" and d["epsilon"] == 0.1
    assert d["random_seed"] == 5 and d["curve"][0]["k"] == 1


def test_budget_output_has_costs_and_fits(workdir):
    r = seeds(["edges.csv", "--costs", "fees.csv", "--budget", "1000", "--format", "json",
               "--random-seed", "2", "--runs", "500"], workdir)
    d = json.loads(r.stdout)
    assert sum(s["cost"] for s in d["seeds"]) <= 1000
    assert d["details"]["budget"] == 1000 and "(1 - 1/e)/2" in d["guarantee"]


@pytest.mark.parametrize("ext", ["csv", "json", "txt", "parquet"])
def test_output_files_are_byte_identical_for_the_same_seed(workdir, ext):
    args = ["edges.csv", "-k", "3", "--target", "audience.txt", "--exclude", "competitors.txt",
            "--include", "signed.txt", "--random-seed", "9", "--runs", "500"]
    for name in ("a", "b"):
        r = seeds([*args, "-o", f"{name}.{ext}"], workdir)
        assert r.exit_code == 0, r.output
    a, b = (workdir / f"a.{ext}").read_bytes(), (workdir / f"b.{ext}").read_bytes()
    assert a == b
    if ext == "txt":
        users = a.decode().splitlines()
        assert users[0] == "heidi" and len(users) == 3 and "frank" not in users
    elif ext == "csv":
        df = pd.read_csv(workdir / "a.csv")
        assert df.columns.tolist() == ["rank", "user", "marginal_gain", "cumulative_spread", "included"]
    elif ext == "json":
        d = json.loads(a)
        assert d["seeds"][0]["user"] == "heidi" and d["details"]["targets"] == 6


def test_target_community(workdir):
    r = seeds(["edges.csv", "-k", "2", "--target-community", "1", "--communities", "membership.csv",
               "--format", "json", "--random-seed", "4", "--runs", "500"], workdir)
    d = json.loads(r.stdout)
    assert d["details"]["targets"] == 5 and d["spread"]["mean"] <= 5
