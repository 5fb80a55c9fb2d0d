"""Tests for graphkit/cli.py: every README command runs; errors give one line and the right code."""

from __future__ import annotations

import gzip
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from graphs import write_user_files
from test_io import BAD, write

from graphkit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def run(args, cwd=None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, args, catch_exceptions=False)
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)


def readme_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    cmds = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("graphkit "):
                cmds.append(line)
    return cmds


@pytest.fixture(scope="session")
def learned_probabilities(tmp_path_factory):
    """What the README's `graphkit learn data/higgs-sample.csv.gz ... -o probabilities.csv` writes."""
    import graphkit as gk

    graph = gk.SocialGraph.from_edges(gk.read_edges([str(DATA / "higgs-sample.csv.gz")]))
    path = tmp_path_factory.mktemp("learned") / "probabilities.csv"
    gk.fit_probabilities(graph, gk.read_actions(DATA / "higgs-actions.csv.gz")).write(path)
    return path


@pytest.fixture
def workdir(tmp_path, learned_probabilities):
    """A directory with the bundled data and small stand-ins for the user files the README names."""
    shutil.copytree(DATA, tmp_path / "data")
    df = pd.read_csv(DATA / "example.csv", dtype=str, keep_default_na=False)
    df.to_parquet(tmp_path / "edges.parquet", index=False)
    df.to_csv(tmp_path / "edges.csv", index=False)
    # a SNAP file as downloaded: comments, tab separated, headerless
    snap = "# Directed graph (each unordered pair of nodes is saved once): Slashdot0902.txt\n"
    snap += "# Nodes: 6 Edges: 8\n# FromNodeId\tToNodeId\n"
    snap += "".join(f"{a}\t{b}\n" for a, b in [(0, 1), (0, 2), (1, 2), (2, 0), (3, 2), (4, 2), (5, 4), (1, 0)])
    with gzip.open(tmp_path / "soc-Slashdot0902.txt.gz", "wt") as fh:
        fh.write(snap)
    (tmp_path / "follows.txt").write_text("1 2\n2 3\n3 1\n")
    (tmp_path / "shares.txt").write_text("1 3\n3 2\n")
    # stand-ins for the files later commands take (seed lists, memberships, costs)
    with_p = df.assign(p=["0.1", "0.2", "0.05", "0.3"] * (len(df) // 4) + ["0.1"] * (len(df) % 4))
    with_p.to_csv(tmp_path / "edges-with-p.csv", index=False)
    (tmp_path / "seeds.csv").write_text("user\nalice\nheidi\n")
    (tmp_path / "seeds.txt").write_text("alice\nheidi\n")
    write_user_files(tmp_path, df)
    # graphkit learn: an action log (interaction rows: source re-shared target's post at t),
    # and the probability file the README's learn command writes, for the commands that read it
    df[df.type == "share"][["source", "target", "timestamp"]].to_csv(tmp_path / "shares.csv",
                                                                     index=False)
    shutil.copy(learned_probabilities, tmp_path / "probabilities.csv")
    return tmp_path


def test_readme_lists_commands():
    cmds = readme_commands()
    assert any(c.startswith("graphkit info") for c in cmds)
    assert any(c.startswith("graphkit rank") for c in cmds)


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_runs(workdir, command):
    args = shlex.split(command)[1:]
    result = run(args, cwd=workdir)
    assert result.exit_code == 0, result.output
    assert result.output.strip(), "a README command must print something"
    if "-o" in args:
        out = workdir / args[args.index("-o") + 1]
        assert out.exists() and out.stat().st_size > 0


def test_rank_table_shows_alice_first():
    r = run(["rank", str(DATA / "example.csv"), "--top", "3"])
    assert r.exit_code == 0
    lines = [ln for ln in r.output.splitlines() if "alice" in ln or "heidi" in ln]
    assert "alice" in lines[0]


def test_rank_json_stdout_is_valid_and_sorted():
    r = run(["rank", str(DATA / "example.csv"), "--format", "json", "-q"])
    assert r.exit_code == 0
    payload = json.loads(r.stdout)
    rows = payload["rows"]
    assert payload["measure"] == "pagerank" and payload["users"] == len(rows)
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    assert abs(sum(scores) - 1) < 1e-9


def test_rank_csv_stdout_columns():
    r = run(["rank", str(DATA / "example.csv"), "--format", "csv", "--top", "4", "-q"])
    header = r.stdout.splitlines()[0]
    assert header.startswith("rank,user,score,followers,shares_received,comments_received")
    assert len(r.stdout.splitlines()) == 5


@pytest.mark.parametrize("ext", ["csv", "json", "parquet", "txt"])
def test_rank_output_formats(tmp_path, ext):
    out = tmp_path / f"r.{ext}"
    r = run(["rank", str(DATA / "example.csv"), "-o", str(out), "-q"])
    assert r.exit_code == 0
    if ext == "csv":
        df = pd.read_csv(out, dtype={"user": str})
        assert df.user.iloc[0] == "alice" and len(df) == 10
    elif ext == "json":
        assert json.loads(out.read_text())["rows"][0]["user"] == "alice"
    elif ext == "parquet":
        assert pd.read_parquet(out).user.iloc[0] == "alice"
    else:
        assert out.read_text().splitlines()[0] == "alice"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temp files left behind


def test_rank_bad_output_extension_is_usage_error(tmp_path):
    r = run(["rank", str(DATA / "example.csv"), "-o", str(tmp_path / "r.xlsx")])
    assert r.exit_code == 2
    assert "cannot tell the output format" in r.output


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exit_1_one_line(tmp_path, case):
    name, text, pattern = BAD[case]
    path = write(tmp_path / name, text)
    out = tmp_path / "out.csv"
    r = run(["rank", path, "-o", str(out)])
    assert r.exit_code == 1
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: ")
    assert re.search(pattern, err[0])
    assert "Traceback" not in r.output
    assert not out.exists()  # no output file, not even half of one


def test_missing_file_exit_1(tmp_path):
    r = run(["info", str(tmp_path / "nope.csv")])
    assert r.exit_code == 1 and "no such file" in r.stderr


@pytest.mark.parametrize("args", [
    ["rank"],  # no EDGES
    ["rank", "x.csv", "--by", "fame"],
    ["rank", "x.csv", "--top", "0"],
    ["rank", "x.csv", "--damping", "1.5"],
    ["rank", "x.csv", "--type-weight", "share"],
    ["rank", "x.csv", "--type-weight", "share=-1"],
    ["info", "x.csv", "--bogus"],
    ["frobnicate"],
])
def test_usage_errors_exit_2(args):
    r = run(args)
    assert r.exit_code == 2


def test_type_count_mismatch_is_usage_error(tmp_path):
    f = [write(tmp_path / f"{i}.txt", "1 2\n") for i in range(3)]
    r = run(["info", *f, "--type", "follow", "--type", "share"])
    assert r.exit_code == 2 and "once per file" in r.output


def test_type_weight_for_absent_type_warns():
    r = run(["rank", str(DATA / "example.csv"), "--type-weight", "like=2", "-q", "--format", "csv"])
    assert r.exit_code == 0
    assert "Warning: --type-weight like=2: no 'like' rows" in r.stderr


def test_info_json_counts_match_file():
    r = run(["info", str(DATA / "example.csv"), "--format", "json"])
    s = json.loads(r.stdout)
    df = pd.read_csv(DATA / "example.csv", dtype=str, keep_default_na=False)
    assert s["rows_read"] == len(df)
    assert s["interactions_by_type"] == df.type.value_counts().to_dict()
    assert s["users"] == len(set(df.source) | set(df.target))
    assert s["edges"] == len(df[["source", "target"]].drop_duplicates())


def test_personalize_unknown_user_lists_it(tmp_path):
    p = write(tmp_path / "p.txt", "alice\nnobody\n")
    r = run(["rank", str(DATA / "example.csv"), "--personalize", p])
    assert r.exit_code == 1 and "'nobody'" in r.stderr


def test_betweenness_reports_samples_and_is_seeded():
    a = run(["rank", str(DATA / "higgs-sample.csv.gz"), "--by", "betweenness", "--samples", "50",
             "--random-seed", "3", "--format", "csv", "--top", "5"])
    b = run(["rank", str(DATA / "higgs-sample.csv.gz"), "--by", "betweenness", "--samples", "50",
             "--random-seed", "3", "--format", "csv", "--top", "5"])
    assert a.exit_code == 0 and a.stdout == b.stdout
    assert "50 sampled source users" in a.stderr


def test_help_is_fast_and_lists_commands():
    code = "import time,sys; t=time.perf_counter(); from graphkit.cli import main; sys.argv=['graphkit','--help']\n" \
           "try:\n main()\nexcept SystemExit: pass\nprint('T', time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "rank" in out.stdout and "info" in out.stdout
    mods = subprocess.run([sys.executable, "-c", "import graphkit.cli, sys; print(sorted(m for m in ('numpy','pandas','numba','pyarrow','scipy','rich') if m in sys.modules))"],
                          capture_output=True, text=True, cwd=ROOT)
    assert mods.stdout.strip() == "[]"  # nothing heavy imported for --help


def test_python_cli_shim_and_module(tmp_path):
    for cmd in ([sys.executable, "cli.py", "--help"], [sys.executable, "-m", "graphkit", "--help"]):
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        assert out.returncode == 0 and "Usage" in out.stdout


def test_every_command_has_help_and_examples():
    for name, cmd in cli.commands.items():
        assert cmd.help and "Examples:" in cmd.help, name
        assert f"graphkit {name}" in (ROOT / "README.md").read_text(), name


@pytest.mark.parametrize("ext", ["csv", "parquet", "json"])
def test_membership_written_by_communities_is_read_by_simulate(tmp_path, ext):
    m = tmp_path / f"m.{ext}"
    assert run(["communities", str(DATA / "example.csv"), "--random-seed", "1", "-o", str(m), "-q"]).exit_code == 0
    r = run(["simulate", str(DATA / "example.csv"), "--seeds", "alice", "--communities", str(m),
             "--runs", "500", "--random-seed", "1", "--format", "json", "-q"])
    assert r.exit_code == 0, r.output
    per = json.loads(r.stdout)["per_community"]
    assert sum(c["users"] for c in per) == 10
