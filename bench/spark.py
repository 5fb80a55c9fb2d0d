"""Whole-process timings: the local engine against --engine spark: rank, communities, seeds.

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
    PYTHONPATH=$PWD python3 bench/spark.py --scale 1M --commands rank,communities,imm,opim
    PYTHONPATH=$PWD python3 bench/spark.py --stages EDGES            # CPU per stage, 1 process

``--scale`` generates power-law graphs (``graphkit.synthetic``, as bench/rank.py: 1M edges
on 100k users, 10M edges on 1M users, and the Slashdot-sized 82,168 users / 948,464
edges) into bench/out/ and runs ``--commands`` (default ``rank``; also ``communities``,
``imm`` and ``opim``: ``seeds -k 50``) with the local engine and with ``--engine spark``
on ``local[1]`` and ``local[2]``, each run under a time limit, with the load average
before and after it, the peak RSS of the Python driver, of the JVM (driver and, with a
local master, the executors) and of the Python workers, and whether the seeds files are
byte-identical to the local engine's. ``--stages`` times the stages of ``rank --engine spark`` inside one
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


def _kind(pid: int, root: int) -> str:
    """``driver`` (the Python process run), ``jvm`` (Spark's driver JVM; with a local
    master the executors live in it) or ``workers`` (Spark's Python workers)."""
    if pid == root:
        return "driver"
    try:
        with open(f"/proc/{pid}/comm") as fh:
            comm = fh.read().strip()
    except OSError:
        return "workers"
    return "jvm" if comm == "java" else "workers"


def run_tree(cmd: list[str], env: dict, timeout: float | None = None) -> dict:
    """Run ``cmd``; wall seconds, CPU seconds of the whole tree, peak summed RSS, and the
    peak RSS of each kind of process (:func:`_kind`: the Python driver, the JVM, the
    Python workers summed). Past ``timeout`` seconds the tree is killed and
    ``timed_out`` is set."""
    import signal

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=HERE, start_new_session=True)
    cpu: dict[int, float] = {}
    peak = 0
    peaks = {"driver": 0, "jvm": 0, "workers": 0}
    timed_out = False
    while proc.poll() is None:
        if timeout is not None and time.perf_counter() - t0 > timeout:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: only what it started
            proc.wait()
            break
        rss = 0
        kinds = dict.fromkeys(peaks, 0)
        for p in _tree(proc.pid):
            s = _sample(p)
            if s is not None:
                cpu[p] = max(cpu.get(p, 0.0), s[0])
                rss += s[1]
                kinds[_kind(p, proc.pid)] += s[1]
        peak = max(peak, rss)
        peaks = {k: max(v, kinds[k]) for k, v in peaks.items()}
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode("utf-8", "replace")
    if proc.returncode != 0 and not timed_out:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()[-500:]}")
    return {"wall": wall, "cpu": sum(cpu.values()), "rss": peak, "peaks": peaks,
            "stderr": err, "timed_out": timed_out}


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


#: --scale's commands: name -> the arguments after the input file (-o FILE is added for seeds,
#: so the engines' seed lists can be compared).
COMMANDS = {
    "rank": ["rank", "--top", "20", "--format", "csv"],
    "communities": ["communities", "--random-seed", "1", "--format", "csv"],
    "imm": ["seeds", "-k", "50", "--method", "imm", "--no-baselines", "--random-seed", "1"],
    "opim": ["seeds", "-k", "50", "--method", "opim", "--no-baselines", "--random-seed", "1"],
}


def _mb(b: int) -> str:
    return f"{b / 2**20:,.0f}"


def scale(names, masters, timeout: float, runs: int, commands=("rank",),
          skip_local: bool = False, event_dir: str | None = None, pin: bool = False) -> None:
    """``commands`` on generated graphs: the local engine, then Spark on each master
    (with ``event_dir``, each Spark run's event log is kept there and summarised). With
    ``pin``, a ``local[N]`` run is held to N CPUs (``taskset``): Spark's ``local[1]``
    otherwise uses ~1.3 cores (the JVM's GC and compiler threads, the Python driver),
    so "1 core -> 2 cores" means pinned runs."""
    import json

    env = dict(os.environ, PYTHONPATH=HERE)
    event_conf = []
    if event_dir:  # each Spark run's event log, summarised after the table (events())
        os.makedirs(event_dir, exist_ok=True)
        event_conf = ["--spark-conf", "spark.eventLog.enabled=true",
                      "--spark-conf", f"spark.eventLog.dir={event_dir}",
                      "--spark-conf", "spark.eventLog.compress=false"]
        seen = set(os.listdir(event_dir))
    print("| graph | command | engine | wall s | CPU s (tree) | peak RSS MB: all "
          "| Python driver | JVM | Python workers | load before/after |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---|")
    for name in names:
        path = make_graph(name)
        for command in commands:
            cpu_of, seeds_of = {}, {}
            for label, extra in ([] if skip_local else [("local", [])]) + [
                    (m, ["--engine", "spark", "--spark-master", m, "--spark-driver-memory", "4g",
                         *event_conf])
                    for m in masters]:
                args = [*COMMANDS[command][:1], path, *COMMANDS[command][1:]]
                out = None
                if args[0] == "seeds":
                    out = os.path.join(HERE, "bench", "out",
                                       f"seeds-{name}-{command}-{label.strip('[]').replace('[', '')}.json")
                    args += ["-o", out]
                cmd = [sys.executable, "-m", "graphkit", "-q", *args, *extra]
                cores = label[6:-1] if label.startswith("local[") else ""
                if pin and cores.isdigit() and int(cores) < (os.cpu_count() or 1):
                    cmd = ["taskset", "-c", f"0-{int(cores) - 1}", *cmd]
                    label += " pinned"
                got = []
                for _ in range(runs):
                    before = os.getloadavg()[0]
                    got.append(run_tree(cmd, env, timeout) | {"load": before,
                                                             "after": os.getloadavg()[0]})
                ok = [g for g in got if not g["timed_out"]]
                if not ok:
                    g = got[0]
                    print(f"| {name} | {command} | {label} | > {timeout:.0f} (killed) "
                          f"| > {g['cpu']:.1f} | {_mb(g['rss'])} | {_mb(g['peaks']['driver'])} "
                          f"| {_mb(g['peaks']['jvm'])} | {_mb(g['peaks']['workers'])} "
                          f"| {g['load']:.1f}/{g['after']:.1f} |", flush=True)
                    continue
                wall = statistics.median(g["wall"] for g in ok)
                cpu = statistics.median(g["cpu"] for g in ok)
                cpu_of[label] = (wall, cpu)
                pk = {k: statistics.median(g["peaks"][k] for g in ok) for k in ok[0]["peaks"]}
                print(f"| {name} | {command} | {label} | {wall:.1f} | {cpu:.1f} | "
                      f"{_mb(statistics.median(g['rss'] for g in ok))} | {_mb(pk['driver'])} | "
                      f"{_mb(pk['jvm'])} | {_mb(pk['workers'])} | "
                      f"{ok[0]['load']:.1f}/{ok[0]['after']:.1f} |", flush=True)
                if out is not None:
                    with open(out, "rb") as fh:
                        seeds_of[label] = fh.read()
            one = "local[1] pinned" if "local[1] pinned" in cpu_of else "local[1]"
            if one in cpu_of and "local[2]" in cpu_of:
                (w1, c1), (w2, c2) = cpu_of[one], cpu_of["local[2]"]
                print(f"- {name} {command}: {one} -> local[2] wall speed-up {w1 / w2:.2f}x "
                      f"(CPU {c1:.1f} -> {c2:.1f} s)", flush=True)
            local_out = os.path.join(HERE, "bench", "out", f"seeds-{name}-{command}-local.json")
            if seeds_of and "local" not in seeds_of and os.path.exists(local_out):
                with open(local_out, "rb") as fh:  # --no-local: the earlier local run's file
                    seeds_of["local"] = fh.read()
            if len(seeds_of) > 1 and "local" in seeds_of:
                same = [k for k, v in seeds_of.items() if k != "local" and v == seeds_of["local"]]
                differ = [k for k in seeds_of if k not in same and k != "local"]
                first = json.loads(seeds_of["local"])
                print(f"- {name} {command}: output byte-identical to the local engine's: "
                      f"{', '.join(same) or 'none'}; differs: {', '.join(differ) or 'none'} "
                      f"(local: spread {first['spread']['mean']:.1f}, "
                      f"{first['details'].get('rr_sets', first['details'].get('theta'))} RR sets)",
                      flush=True)
    if event_dir:
        for log in sorted(set(os.listdir(event_dir)) - seen):
            events(os.path.join(event_dir, log))


# ------------------------------------------------------------------- stages in one process
def stages(path: str, master: str, event_dir: str | None = None,
           profile: str | None = None) -> None:
    """CPU of the whole process tree (driver, JVM, Python workers) at the end of each stage
    of ``rank --engine spark``, in this process. With ``event_dir`` Spark writes its event
    log there and :func:`events` summarises it (where the wall time went: no task running,
    one, several); with ``profile`` the driver's Python is profiled (cProfile) into that
    file, and its top functions by own time are printed."""
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

    conf = {}
    if event_dir:
        os.makedirs(event_dir, exist_ok=True)
        conf = {"spark.eventLog.enabled": "true", "spark.eventLog.dir": event_dir,
                "spark.eventLog.compress": "false"}
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    print(f"# {path}, {master}, load {os.getloadavg()[0]:.1f}")
    print("| stage | wall s | CPU s (tree) |\n|---|---:|---:|")
    spark = start_session(master, conf)
    app = spark.sparkContext.applicationId
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
    if prof is not None:
        import pstats

        prof.disable()
        prof.dump_stats(profile)
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    if event_dir:
        logs = [os.path.join(event_dir, f) for f in os.listdir(event_dir) if app in f]
        if logs:
            events(logs[0])


def events(log: str) -> None:
    """Where the wall time of a Spark application went, from its event log: the time
    with no task running (the driver's and the JVM's serial work: planning, collecting,
    the Python driver), with one task, with two or more; and each job's wall time, its
    tasks' summed run time, JVM CPU and GC time."""
    import json

    tasks, jobs, stage_job, names = [], {}, {}, {}
    start = end = None
    # Spark 4 writes a directory of rolled files (eventlog_v2_APP/events_N_APP)
    files = ([os.path.join(log, f) for f in sorted(
        os.listdir(log), key=lambda f: int(f.split("_")[1]) if f.startswith("events_") else -1)
        if f.startswith("events_")] if os.path.isdir(log) else [log])
    for line in (ln for f in files for ln in open(f, encoding="utf-8")):
        e = json.loads(line)
        kind = e.get("Event")
        if kind == "SparkListenerApplicationStart":
            start = e["Timestamp"]
        elif kind == "SparkListenerApplicationEnd":
            end = e["Timestamp"]
        elif kind == "SparkListenerJobStart":
            props = e.get("Properties") or {}
            jobs[e["Job ID"]] = {"start": e["Submission Time"], "end": None,
                                 "name": props.get("callSite.short") or "",
                                 "run": 0.0, "cpu": 0.0, "gc": 0.0, "tasks": 0}
            for sid in e.get("Stage IDs", []):
                stage_job[sid] = e["Job ID"]
            for st in e.get("Stage Infos", []):
                names[st["Stage ID"]] = st.get("Stage Name", "")
        elif kind == "SparkListenerJobEnd":
            jobs[e["Job ID"]]["end"] = e["Completion Time"]
        elif kind == "SparkListenerTaskEnd":
            info, m = e["Task Info"], e.get("Task Metrics") or {}
            tasks.append((info["Launch Time"], info["Finish Time"]))
            j = jobs.get(stage_job.get(e["Stage ID"]))
            if j is not None:
                j["run"] += m.get("Executor Run Time", 0) / 1e3
                j["cpu"] += m.get("Executor CPU Time", 0) / 1e9
                j["gc"] += m.get("JVM GC Time", 0) / 1e3
                j["tasks"] += 1
    if start is None or not tasks:
        print(f"{log}: no application start or no tasks")
        return
    end = end or max(f for _, f in tasks)
    marks = sorted([(t0, 1) for t0, _ in tasks] + [(t1, -1) for _, t1 in tasks])
    at = {}
    level, last = 0, start
    for t, d in marks:
        at[level] = at.get(level, 0) + (t - last)
        level, last = level + d, t
    at[0] = at.get(0, 0) + (end - last)
    total = (end - start) / 1e3
    print(f"\nevent log {os.path.basename(log)}: {total:.1f} s from the application's "
          f"start to its end; {len(tasks)} tasks in {len(jobs)} jobs")
    for level in sorted(at):
        print(f"- {level} task(s) running: {at[level] / 1e3:.1f} s ({at[level] / 1e3 / total:.0%})")
    groups: dict[str, list] = {}
    done = start
    for j in sorted(jobs.values(), key=lambda j: j["start"]):
        j["gap"] = max(0, j["start"] - done) / 1e3  # no job running: the driver's own work
        done = max(done, j["end"] or j["start"])
    print(f"- no job running: {sum(j['gap'] for j in jobs.values()) + max(0, end - done) / 1e3:.1f} s"
          f" (before the first job {jobs[min(jobs)]['gap'] if jobs else 0:.1f} s, after the last "
          f"{max(0, end - done) / 1e3:.1f} s)")
    print("| job | what | wall s | no job before it s | tasks | task run s | JVM CPU s | GC s |\n"
          "|---|---|---:|---:|---:|---:|---:|---:|")
    for jid, j in sorted(jobs.items()):
        wall = ((j["end"] or j["start"]) - j["start"]) / 1e3
        g = groups.setdefault(j["name"], [0, 0.0, 0, 0.0, 0.0, 0.0, jid, 0.0])
        g[7] += j["gap"]
        g[0] += 1
        g[1] += wall
        g[2] += j["tasks"]
        g[3] += j["run"]
        g[4] += j["cpu"]
        g[5] += j["gc"]
    for name, (count, wall, n, run, cpu, gc, first, gap) in sorted(groups.items(),
                                                                   key=lambda kv: kv[1][6]):
        print(f"| {first}{'' if count == 1 else f' (+{count - 1})'} | {name} | {wall:.1f} "
              f"| {gap:.1f} | {n} "
              f"| {run:.1f} | {cpu:.1f} | {gc:.1f} |")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("edges", nargs="*", default=["data/higgs-sample.csv.gz"])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--only", choices=["rank", "communities", "floors"], default=None)
    ap.add_argument("--scale", nargs="+", choices=sorted(GRAPHS), default=None,
                    help="rank on generated graphs, local engine vs --masters")
    ap.add_argument("--masters", nargs="+", default=["local[1]", "local[2]"])
    ap.add_argument("--no-local", action="store_true",
                    help="--scale: skip the local engine's runs (already measured)")
    ap.add_argument("--commands", default="rank",
                    help=f"--scale's commands, comma-separated, of {', '.join(COMMANDS)} "
                         "(imm/opim: seeds -k 50)")
    ap.add_argument("--pin", action="store_true",
                    help="--scale: hold each local[N] run to N CPUs with taskset (a true "
                         "1-core run for the speed-up)")
    ap.add_argument("--timeout", type=float, default=1800.0,
                    help="seconds before a --scale run is killed")
    ap.add_argument("--stages", action="store_true",
                    help="time the stages of rank --engine spark in this process")
    ap.add_argument("--event-log", metavar="DIR", default=None,
                    help="--stages/--scale: keep Spark's event logs in DIR and summarise them")
    ap.add_argument("--profile", metavar="FILE", default=None,
                    help="--stages: cProfile the Python driver into FILE")
    ap.add_argument("--events", metavar="LOG", default=None,
                    help="summarise a Spark event log file and exit")
    args = ap.parse_args(argv)
    if args.events:
        events(args.events)
        return
    if args.stages:
        for path in args.edges:
            stages(path, args.master, args.event_log, args.profile)
        return
    if args.scale:
        scale(args.scale, args.masters, args.timeout, args.runs,
              [c.strip() for c in args.commands.split(",") if c.strip()], args.no_local,
              args.event_log, args.pin)
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
