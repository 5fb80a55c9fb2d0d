"""Whole-process timings: the local engine against --engine spark, rank and communities.

Every command runs as its own process (``python3 -m graphkit ...``), as users run it.
A Spark run is a process tree (the Python driver, the JVM, the Python workers), and the
JVM is not a waited-for child of the driver, so ``/usr/bin/time`` misses most of its CPU:
this script samples ``/proc`` every 0.2 s and adds up, per process of the tree, its last
seen user+sys CPU time and its peak resident memory (driver JVM + Python processes).
The floors are the cost of nothing: ``graphkit --help`` (Python + the CLI) and a Spark
session started and stopped (JVM start-up, the first job's warm-up excluded).

Run from the repository root::

    PYTHONPATH=$PWD python3 bench/spark.py                       # the bundled Higgs sample
    PYTHONPATH=$PWD python3 bench/spark.py --runs 3 --master 'local[2]' EDGES...

Results, with the machine and its load, go in bench/RESULTS.md ("Spark: rank and
communities").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _children() -> dict[int, int]:
    """pid -> parent pid of every process."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        out[int(name)] = int(fields[1])
    return out


def _sample(pid: int) -> tuple[float, int] | None:
    """(user+sys seconds of pid, resident bytes)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    f = stat[stat.rfind(")") + 2:].split()
    cpu = (int(f[11]) + int(f[12])) / TICK  # its own; reaped children are sampled live
    return cpu, int(f[21]) * PAGE


def run_tree(cmd: list[str], env: dict) -> dict:
    """Run ``cmd``; wall seconds, CPU seconds of the whole tree, peak summed RSS."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=HERE)
    cpu: dict[int, float] = {}
    peak = 0
    while proc.poll() is None:
        parents = _children()
        tree, frontier = {proc.pid}, [proc.pid]
        while frontier:
            p = frontier.pop()
            for c, pp in parents.items():
                if pp == p and c not in tree:
                    tree.add(c)
                    frontier.append(c)
        rss = 0
        for p in tree:
            s = _sample(p)
            if s is not None:
                cpu[p] = max(cpu.get(p, 0.0), s[0])
                rss += s[1]
        peak = max(peak, rss)
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()[-500:]}")
    return {"wall": wall, "cpu": sum(cpu.values()), "rss": peak, "stderr": err}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("edges", nargs="*", default=["data/higgs-sample.csv.gz"])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--only", choices=["rank", "communities", "floors"], default=None)
    args = ap.parse_args(argv)
    env = dict(os.environ, PYTHONPATH=HERE)
    py = [sys.executable]
    spark = ["--engine", "spark", "--spark-master", args.master]
    jobs = []
    if args.only in (None, "floors"):
        jobs += [("floor: graphkit --help", py + ["-m", "graphkit", "--help"]),
                 ("floor: Spark session start + stop",
                  py + ["-c", "from graphkit.spark import start_session, stop_session; "
                        f"stop_session(start_session({args.master!r}))"])]
    for command in ("rank", "communities"):
        if args.only not in (None, command):
            continue
        base = py + ["-m", "graphkit", command, *args.edges, "--format", "csv"]
        if command == "communities":
            base += ["--random-seed", "1"]
        jobs += [(f"{command}, local engine", base), (f"{command}, --engine spark {args.master}",
                                                      base + spark)]
    print(f"# {' '.join(args.edges)}; {args.runs} run(s) each; medians", flush=True)
    print("| command | wall s | CPU s (user+sys, whole tree) | peak RSS MB |")
    print("|---|---:|---:|---:|")
    notes = []
    for name, cmd in jobs:
        got = [run_tree(cmd, env) for _ in range(args.runs)]
        print(f"| {name} | {statistics.median(g['wall'] for g in got):.1f} | "
              f"{statistics.median(g['cpu'] for g in got):.1f} | "
              f"{statistics.median(g['rss'] for g in got) / 2**20:.0f} |", flush=True)
        notes += [f"{name}: {line.strip()}" for line in got[-1]["stderr"].splitlines()
                  if "modularity" in line or "label propagation" in line or "leiden ran" in line]
    for line in notes:  # the communities' quality, as each engine printed it
        print(f"- {line}")


if __name__ == "__main__":
    main()
