"""A closed pipe (``graphkit rank ... --format csv | head -1``) ends the command quietly:
no traceback, no 'internal error', exit 1 like a failed write (issue 14)."""

import subprocess
import sys

from graphkit.synthetic import write_edges_csv


def test_closed_stdout_pipe_exits_quietly(tmp_path):
    path = tmp_path / "big.csv"
    write_edges_csv(str(path), 20_000, 100_000, rng=1)  # output far larger than a pipe buffer
    proc = subprocess.Popen([sys.executable, "-m", "graphkit", "rank", str(path), "--format",
                             "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert first.startswith(b"rank,user,score")
    assert code == 1
    assert err.strip() == "", err
