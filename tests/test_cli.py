"""Tests for graphkit/cli.py: every README command runs; errors give one line and the right code."""

from __future__ import annotations

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


def readme_blocks():
    """The README's fenced blocks in document order: ``(language, text, first line)``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for m in re.finditer(r"^```([a-z]*)\n(.*?)^```", text, flags=re.S | re.M):
        out.append((m.group(1), m.group(2), text[: m.start()].count("\n") + 2))
    return out


def readme_commands():
    """Every ``graphkit ...`` line of the README's shell blocks, in document order (the other
    lines -- ``python3 -m pip install ...`` -- install rather than run graphkit)."""
    return [line.strip() for lang, body, _ in readme_blocks() if lang in ("", "sh", "bash")
            for line in body.splitlines() if line.strip().startswith("graphkit ")]


def test_readme_lists_commands():
    cmds = readme_commands()
    assert any(c.startswith("graphkit info") for c in cmds)
    assert any(c.startswith("graphkit rank") for c in cmds)
    assert any(lang == "python" for lang, _, _ in readme_blocks())


def test_readme_commands_run_as_written(tmp_path):
    """Every README command, in order, in a directory holding only the bundled data/ (what
    the package installs as graphkit.data): a file a command reads is either bundled or
    written by an earlier command, as for a reader who types them in turn."""
    shutil.copytree(DATA, tmp_path / "data")
    failures = []
    for command in readme_commands():
        args = shlex.split(command)[1:]
        result = run(args, cwd=tmp_path)
        if result.exit_code != 0:
            failures.append(f"{command}\n  exit {result.exit_code}: {result.output.strip()[-500:]}")
            continue
        if not result.output.strip():
            failures.append(f"{command}\n  printed nothing")
        if "-o" in args:
            out = tmp_path / args[args.index("-o") + 1]
            if not (out.exists() and (out.is_dir() or out.stat().st_size > 0)):
                failures.append(f"{command}\n  wrote no {out.name}")
    assert not failures, "\n".join(failures)


def _python_blocks():
    marks = []
    for lang, body, line in readme_blocks():
        if lang != "python":
            continue
        slow = "higgs-sample" in body  # the 48,132-user sample: seconds to a minute
        marks.append(pytest.param(body, id=f"README-line-{line}",
                                  marks=[pytest.mark.slow] if slow else []))
    return marks


@pytest.mark.parametrize("code", _python_blocks())
def test_readme_python_block_runs(tmp_path, monkeypatch, code):
    """Each Python block runs as written in a fresh namespace, from a directory holding only
    the bundled data/."""
    if "save_image" in code:
        pytest.importorskip("playwright")
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})


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
