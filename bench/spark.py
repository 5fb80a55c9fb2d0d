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
    PYTHONPATH=$PWD python3 bench/spark.py --scale 1M 10M slashdot   # rank, local[1] vs [2]
    PYTHONPATH=$PWD python3 bench/spark.py --stages EDGES            # CPU per stage, 1 process

``--scale`` generates power-law graphs (``graphkit.synthetic``, as bench/rank.py: 1M edges
on 100k users, 10M edges on 1M users, and the Slashdot-sized 82,168 users / 948,464
edges) into bench/out/ and runs ``rank`` with the local engine and with ``--engine spark``
on ``local[1]`` and ``local[2]``, each run under a time limit, with the load average
before and after it. ``--stages`` times the stages of ``rank --engine spark`` inside one
process (CPU of the whole process tree at each stage's end).

Results, with the machine and its load, go in bench/RESULTS.md ("Spark: rank and
communities", "Spark: reading, indexing and scale").
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


def _tree(root: int) -> set[int]:
    parents = _children()
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        for c, pp in parents.items():
            if pp == p and c not in tree:
                tree.add(c)
                frontier.append(c)
    return tree


def tree_cpu(root: int) -> float:
    """user+sys seconds of ``root`` and its live descendants (and what they reaped)."""
    total = 0.0
    for p in _tree(root):
        try:
            with open(f"/proc/{p}/stat", "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
        except OSError:
            continue
        f = stat[stat.rfind(")") + 2:].split()
        total += sum(int(v) for v in f[11:15]) / TICK  # own + reaped children's
    return total


def run_tree(cmd: list[str], env: dict, timeout: float | None = None) -> dict:
    """Run ``cmd``; wall seconds, CPU seconds of the whole tree, peak summed RSS.
    Past ``timeout`` seconds the tree is killed and ``timed_out`` is set."""
    import signal

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=HERE, start_new_session=True)
    cpu: dict[int, float] = {}
    peak = 0
    timed_out = False
    while proc.poll() is None:
        if timeout is not None and time.perf_counter() - t0 > timeout:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: only what it started
            proc.wait()
            break
        rss = 0
        for p in _tree(proc.pid):
            s = _sample(p)
            if s is not None:
                cpu[p] = max(cpu.get(p, 0.0), s[0])
                rss += s[1]
        peak = max(peak, rss)
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode("utf-8", "replace")
    if proc.returncode != 0 and not timed_out:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()[-500:]}")
    return {"wall": wall, "cpu": sum(cpu.values()), "rss": peak, "stderr": err,
            "timed_out": timed_out}


# ----------------------------------------------------------------------- generated graphs
#: name -> (users, edges, seed); written as plain CSV (Spark splits it; gzip would be one task)
GRAPHS = {"1M": (100_000, 1_000_000, 2026), "10M": (1_000_000, 10_000_000, 2026),
          "slashdot": (82_168, 948_464, 902)}


def make_graph(name: str) -> str:
    """The generated graph ``name`` (see GRAPHS) under bench/out/, written once."""
    from graphkit.synthetic import write_edges_csv

    users, edges, seed = GRAPHS[name]
    out = os.path.join(HERE, "bench", "out")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"spark-{name}.csv")
    if not os.path.exists(path):
        tmp = path + ".tmp.csv"
        write_edges_csv(tmp, users, edges, rng=seed)
        os.replace(tmp, path)
    return path


def scale(names, masters, timeout: float, runs: int) -> None:
    """``rank`` on generated graphs: the local engine, then Spark on each master."""
    env = dict(os.environ, PYTHONPATH=HERE)
    print("| graph | users | edges | engine | wall s | CPU s (tree) | peak RSS MB "
          "| load before/after |")
    print("|---|---:|---:|---|---:|---:|---:|---|")
    for name in names:
        path = make_graph(name)
        users, edges, _ = GRAPHS[name]
        base = [sys.executable, "-m", "graphkit", "-q", "rank", path, "--top", "20",
                "--format", "csv"]
        cpu_of = {}
        for label, extra in [("local", [])] + [
                (m, ["--engine", "spark", "--spark-master", m, "--spark-driver-memory", "4g"])
                for m in masters]:
            got = []
            for _ in range(runs):
                before = os.getloadavg()[0]
                got.append(run_tree(base + extra, env, timeout) | {"load": before,
                                                                  "after": os.getloadavg()[0]})
            ok = [g for g in got if not g["timed_out"]]
            if not ok:
                print(f"| {name} | {users:,} | {edges:,} | {label} | > {timeout:.0f} (killed) "
                      f"| | | {got[0]['load']:.1f}/{got[0]['after']:.1f} |", flush=True)
                continue
            wall = statistics.median(g["wall"] for g in ok)
            cpu = statistics.median(g["cpu"] for g in ok)
            cpu_of[label] = (wall, cpu)
            print(f"| {name} | {users:,} | {edges:,} | {label} | {wall:.1f} | {cpu:.1f} | "
                  f"{statistics.median(g['rss'] for g in ok) / 2**20:,.0f} | "
                  f"{ok[0]['load']:.1f}/{ok[0]['after']:.1f} |", flush=True)
        if "local[1]" in cpu_of and "local[2]" in cpu_of:
            (w1, c1), (w2, c2) = cpu_of["local[1]"], cpu_of["local[2]"]
            print(f"- {name}: local[1] -> local[2] wall speed-up {w1 / w2:.2f}x "
                  f"(CPU {c1:.1f} -> {c2:.1f} s)", flush=True)


# ------------------------------------------------------------------- stages in one process
def stages(path: str, master: str) -> None:
    """CPU of the whole process tree (driver, JVM, Python workers) at the end of each stage
    of ``rank --engine spark``, in this process."""
    sys.path.insert(0, HERE)
    from graphkit.spark import (
        index_graph,
        pagerank_scores,
        rank_table,
        read_edges,
        start_session,
        stop_session,
    )

    me = os.getpid()
    last = [time.perf_counter(), tree_cpu(me)]

    def mark(name):
        now, cpu = time.perf_counter(), tree_cpu(me)
        print(f"| {name} | {now - last[0]:.1f} | {cpu - last[1]:.1f} |", flush=True)
        last[:] = [now, cpu]

    print(f"# {path}, {master}, load {os.getloadavg()[0]:.1f}")
    print("| stage | wall s | CPU s (tree) |\n|---|---:|---:|")
    spark = start_session(master)
    mark("session start")
    edges = read_edges(spark, [path])
    mark("read_edges")
    graph = index_graph(edges)
    mark("index_graph")
    score, iterations = pagerank_scores(graph)
    mark(f"pagerank_scores ({iterations} iterations)")
    rank_table(graph, score, 20)
    mark("rank_table (top 20)")
    print(f"load after: {os.getloadavg()[0]:.1f}")
    stop_session(spark)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("edges", nargs="*", default=["data/higgs-sample.csv.gz"])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--only", choices=["rank", "communities", "floors"], default=None)
    ap.add_argument("--scale", nargs="+", choices=sorted(GRAPHS), default=None,
                    help="rank on generated graphs, local engine vs --masters")
    ap.add_argument("--masters", nargs="+", default=["local[1]", "local[2]"])
    ap.add_argument("--timeout", type=float, default=1800.0,
                    help="seconds before a --scale run is killed")
    ap.add_argument("--stages", action="store_true",
                    help="time the stages of rank --engine spark in this process")
    args = ap.parse_args(argv)
    if args.stages:
        for path in args.edges:
            stages(path, args.master)
        return
    if args.scale:
        scale(args.scale, args.masters, args.timeout, args.runs)
        return
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
