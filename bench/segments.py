"""Where ``graphkit segments`` spends its time, stage by stage, in one process.

    PYTHONPATH=TREE NUMBA_NUM_THREADS=2 python bench/segments.py EDGES [--seed 7] [-o OUT]

Runs what the command runs (read, graph, :func:`graphkit.segments.segment_users` with
k chosen from 3..8, the CSV) and prints per stage the wall time, the CPU of the whole
process (all threads), the CPU of the main thread and the CPU of reaped child processes
(Leiden runs in one from 50,000 edges, see ``graphkit/_forked.py``).

On a loaded machine wall times say little. The last line is an **estimate** of the wall
time on two idle cores: per stage the largest of the main thread's CPU (it holds the
GIL: a stage is at least that long), the child's CPU, and the CPU of all of them
over two cores; stages between the fork and the child's end count as one.
Give ``PYTHONPATH`` to compare two trees (``main`` and a branch) on the same file.
"""

from __future__ import annotations

import argparse
import resource
import time

T_START = (time.perf_counter(), time.process_time(), time.thread_time())


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("edges")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-o", "--output", default=None, help="write the segments CSV here")
    args = ap.parse_args()

    marks = [("python start, imports", *T_START, 0.0)]

    def mark(name):
        marks.append((name, time.perf_counter(), time.process_time(), time.thread_time(),
                      _child_cpu()))

    from graphkit.graph import SocialGraph
    from graphkit.io import read_edges, write_table
    from graphkit.segments import segment_users

    mark("read")
    edges = read_edges(args.edges)
    mark("graph")
    graph = SocialGraph.from_edges(edges)
    mark("features")
    seg = segment_users(graph, None, rng=args.seed, k_range=(3, 8),
                        progress=lambda stage, *a, **k: mark(stage))
    mark("write")
    if args.output:
        write_table(seg.table, args.output)
    mark("end")

    print(f"{'stage (from its start to the next)':<58s} {'wall':>6s} {'cpu':>6s} {'main':>6s}"
          f" {'child':>6s}")
    window = None
    estimate = 0.0
    rows = []
    for (name, w0, c0, m0, k0), (_, w1, c1, m1, k1) in zip(marks, marks[1:]):
        rows.append((name, w1 - w0, c1 - c0, m1 - m0, k1 - k0))
        print(f"{name:<58s} {w1 - w0:6.2f} {c1 - c0:6.2f} {m1 - m0:6.2f} {k1 - k0:6.2f}")
    # stages from the child's fork to its reaping form one window of the estimate
    in_child = False
    for name, _w, cpu, main_cpu, child in rows:
        if "child process" in name:
            in_child = True
            window = [0.0, 0.0, 0.0]
        if in_child:
            window[0] += cpu
            window[1] += main_cpu
            window[2] += child
            if child > 0:
                in_child = False
                estimate += max(window[1], window[2], (window[0] + window[2]) / 2)
            continue
        estimate += max(main_cpu, child, (cpu + child) / 2)
    total = rows and (marks[-1][1] - marks[0][1], marks[-1][2] - marks[0][2],
                      marks[-1][4] - marks[0][4])
    print(f"{'total':<58s} {total[0]:6.2f} {total[1]:6.2f} {'':>6s} {total[2]:6.2f}")
    print(f"estimate of the wall time on 2 idle cores: {estimate:.2f} s (k={seg.k})")


if __name__ == "__main__":
    main()
