"""Ctrl-C and SIGTERM during an ``--engine spark`` job: the job is cancelled, the JVM and
its temp files are gone within seconds, exit 130/143, one line, no traceback (slow: a
real session is started in a subprocess each time)."""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.spark, pytest.mark.slow]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HIGGS = os.path.join(ROOT, "data", "higgs-sample.csv.gz")


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parent_of = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parent_of[int(stat.split("/")[2])] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {c for c, p in parent_of.items() if p in frontier} - found
        found |= frontier
    return found


def _is_java(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"java" in f.read().split(b"\0")[0]
    except OSError:
        return False


def _rank_on_spark(tmp_path):
    """A long ``rank --engine spark`` on the Higgs sample in a subprocess (its own TMPDIR and an
    old output file), returned once a JVM runs (Spark's launcher first, a short-lived JVM,
    then the driver's): (process, tmp, out)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "rank.csv"
    out.write_text("previous\n")
    env = dict(os.environ, TMPDIR=str(tmp))
    # damping 0.99: ~1,000 PageRank iterations, each one Spark job on the executors
    # (driverEdges=0: the Higgs sample would otherwise be collected and iterated on the
    # driver, and the command could end before the signal): minutes, whatever the host
    p = subprocess.Popen([sys.executable, "-m", "graphkit", "rank", HIGGS, "--engine", "spark",
                          "--spark-master", "local[2]", "--damping", "0.99", "-q", "-o", str(out),
                          "--spark-conf", "spark.graphkit.pagerank.driverEdges=0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                         start_new_session=True)
    deadline = time.monotonic() + 180
    while not any(_is_java(c) for c in _children(p.pid)):
        if p.poll() is not None or time.monotonic() > deadline:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            pytest.fail("no JVM started within 180 s: " + p.communicate()[1].decode())
        time.sleep(0.5)
    return p, tmp, out


def _java_using(tmp) -> list[int]:
    """Live JVMs whose command line names ``tmp`` (the driver's java.io.tmpdir is in it)."""
    found = []
    for cmd in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(cmd, "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if b"java" in args[0] and any(str(tmp).encode() in a for a in args):
            found.append(int(cmd.split("/")[2]))
    return found


def _jvms(p) -> set[int]:
    return {c for c in _children(p.pid) if _is_java(c)}


@pytest.mark.parametrize("sig, code, last, delay", [
    (signal.SIGINT, 130, "Aborted", 2),  # while the session starts
    (signal.SIGINT, 130, "Aborted", 30),  # inside the PageRank job (idle machine: start 8-15 s)
    (signal.SIGTERM, 143, None, 30),
])
def test_a_signal_mid_job_cancels_it_and_stops_the_jvm(tmp_path, sig, code, last, delay):
    p, tmp, out = _rank_on_spark(tmp_path)
    try:
        time.sleep(delay)
        assert p.poll() is None, "the job ended before the signal; make it longer"
        jvms = _jvms(p)
        t0 = time.monotonic()
        p.send_signal(sig)
        _, err = p.communicate(timeout=120)
        stopped = time.monotonic() - t0
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    err = err.decode()
    assert p.returncode == code, err
    assert "Traceback" not in err and "internal error" not in err, err
    if last is not None:
        assert err.strip().splitlines()[-1].startswith(last), err
    # the issue asks for "within a few seconds"; the bound leaves room for a loaded machine
    assert stopped < 30, f"exited {stopped:.1f} s after the signal"
    time.sleep(1)
    left = [j for j in jvms if os.path.exists(f"/proc/{j}") and _is_java(j)]
    left += _java_using(tmp)  # also one started after ``jvms`` was taken (delay 2)
    assert not left, f"JVM still running after exit: {left}"
    assert out.read_text() == "previous\n"
    assert os.listdir(tmp) == [], "temp files left: " + ", ".join(os.listdir(tmp))


def test_the_jvm_killed_mid_job_is_one_line_exit_1(tmp_path):
    """The driver JVM killed (the OOM killer, an operator) while a job runs: one line
    naming the lost connection, exit 1, no traceback, no temp dir, the old file kept."""
    p, tmp, out = _rank_on_spark(tmp_path)
    try:
        time.sleep(12)
        assert p.poll() is None, "the job ended before the kill; make it longer"
        for j in _jvms(p):
            os.kill(j, signal.SIGKILL)
        _, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    err = err.decode()
    assert p.returncode == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: lost the connection to Spark's JVM"), err
    assert out.read_text() == "previous\n"
    assert os.listdir(tmp) == [], "temp files left: " + ", ".join(os.listdir(tmp))
