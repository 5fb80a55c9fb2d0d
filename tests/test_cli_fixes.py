"""Issue 16 item 8: --prob column:weight, simulate -o keeps its headline, untyped rank
tables without always-zero type columns, NO_COLOR without escape codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from graphkit.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def run(args):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl", "edgelist"])
def test_prob_column_weight_reads_the_weight_column_once(tmp_path, fmt):
    df = pd.DataFrame({"source": ["a", "b", "c"], "target": ["b", "c", "a"],
                       "weight": [1.0, 1.0, 0.0]})
    if fmt == "csv":
        p, col = tmp_path / "e.csv", "weight"
        df.to_csv(p, index=False)
    elif fmt == "parquet":
        p, col = tmp_path / "e.parquet", "weight"
        df.to_parquet(p, index=False)
    elif fmt == "jsonl":
        p, col = tmp_path / "e.jsonl", "weight"
        df.to_json(p, orient="records", lines=True)
    else:  # headerless: the third column is the weight and the probability column
        p, col = tmp_path / "e.txt", "3"
        p.write_text("a b 1\nb c 1\nc a 0\n")
    # p(b <- a... ) in influence direction: c reaches b (p=1), b reaches a (p=1), a reaches c (0)
    r = run(["simulate", str(p), "--prob", f"column:{col}", "--seeds", "c", "--runs", "50",
             "--random-seed", "1", "--format", "json"])
    assert r.exit_code == 0, r.output
    import json

    out = json.loads(r.output[r.output.index("{"):])
    assert out["mean"] == pytest.approx(3.0)  # deterministic: c -> b -> a, every run


def test_simulate_output_file_still_prints_reach_and_ci(tmp_path):
    out = tmp_path / "reach.csv"
    r = run(["simulate", str(ROOT / "data" / "example.csv"), "--seeds", "alice", "--runs", "200",
             "--random-seed", "3", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "expected reach" in r.output and "95% confidence interval" in r.output
    assert "reach per step" not in r.output  # the per-user table is in the file
    assert out.exists() and pd.read_csv(out).shape[0] > 0


def test_untyped_rank_leaves_out_zero_type_columns(tmp_path):
    p = tmp_path / "u.txt"
    p.write_text("a b\nb c\nc a\nd a\n")
    r = run(["rank", str(p), "--format", "csv"])
    assert r.exit_code == 0
    assert r.output.splitlines()[0] == "rank,user,score,received_interaction"
    typed = run(["rank", str(ROOT / "data" / "example.csv"), "--format", "csv"])
    assert typed.output.splitlines()[0].startswith("rank,user,score,followers,shares_received,"
                                                    "comments_received")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_no_color_on_a_terminal_prints_no_escape_codes():
    import pty

    def on_tty(extra_env):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120", **extra_env}
        env.pop("NO_COLOR", None) if "NO_COLOR" not in extra_env else None
        master, slave = pty.openpty()
        proc = subprocess.Popen([sys.executable, "-m", "graphkit", "rank",
                                 str(ROOT / "data" / "example.csv"), "--top", "2"],
                                stdout=slave, stderr=subprocess.DEVNULL, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=60)
        os.close(master)
        return b"".join(chunks)

    styled = on_tty({})
    assert b"\x1b[1m" in styled  # bold headers on a terminal by default
    plain = on_tty({"NO_COLOR": "1"})
    # numba resets the terminal once on import (a lone ESC[0m); nothing else may be styled
    assert b"alice" in plain and b"\x1b[" not in plain.replace(b"\x1b[0m", b"")
