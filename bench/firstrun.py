#!/usr/bin/env python3
"""Benchmark: the first ``graphkit demo`` after installing, against the next ones (issue 15).

A fresh install has no compiled kernels: numba compiles every kernel a command calls on
its first use and caches it on disk (``__pycache__`` beside the sources, or
``NUMBA_CACHE_DIR``). Each *fresh* run here gets a new empty ``NUMBA_CACHE_DIR`` (numba
then reads and writes nothing else), the *warm* run after it reuses that directory.
Every run is ``python3 -m graphkit demo -q --random-seed 7`` as its own process, its
CPU time (user + sys, ``os.wait4``), wall time and peak RSS measured from outside;
medians over ``--repeat`` rounds. With several ``--tree`` checkouts the rounds
interleave them (tree A fresh, tree B fresh, A warm, B warm, ...), and the demo's
outputs are compared file by file (sha256, the checkout's path masked).

``--profile`` instead runs the demo once in this process with an empty cache and times
every numba compilation (``Dispatcher.compile``, CPU seconds exclusive of the nested
compilations of the kernels it calls), summed per function, and lists the signatures
each graphkit kernel ended up with.

Usage::

    python bench/firstrun.py                              # this checkout, 3 rounds
    python bench/firstrun.py --tree /tmp/main --tree .    # before / after, interleaved
    python bench/firstrun.py --profile                    # per-kernel compile times
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine  # noqa: E402

DEMO = ["demo", "-q", "--random-seed", "7"]


def run(tree: Path, cache: str, out: str, args) -> dict:
    """One whole process; CPU (user + sys) and peak RSS of the child from ``os.wait4``,
    and how many compiled kernels numba saved to its cache (``NUMBA_DEBUG_CACHE``: a warm
    run must load every kernel and save none)."""
    env = dict(os.environ, PYTHONPATH=str(tree), NUMBA_CACHE_DIR=cache, NUMBA_DEBUG_CACHE="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "graphkit", *args, "-o", out], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tree)
    err = proc.stdout.read()  # numba's cache messages go to stdout
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: exit {proc.returncode}: {err.decode(errors='replace')[-2000:]}")
    return {"cpu": usage.ru_utime + usage.ru_stime, "wall": wall, "rss": usage.ru_maxrss / 1024,
            "saved": err.count(b"[cache] data saved"), "loaded": err.count(b"[cache] data loaded")}


def digests(directory: str, tree: Path) -> dict:
    """sha256 of each output, the checkout's path (the sample's, in info.json and the
    report) replaced by a placeholder."""
    return {p.name: hashlib.sha256(p.read_bytes().replace(str(tree).encode(), b"TREE")).hexdigest()
            for p in sorted(Path(directory).iterdir()) if p.is_file()}


def whole_processes(trees, repeat: int, args) -> None:
    rows = defaultdict(list)
    outputs = {}
    print(machine())
    for r in range(repeat):
        caches = {t: tempfile.mkdtemp(prefix="graphkit-firstrun-") for t in trees}
        try:
            for kind in ("fresh", "warm"):
                for t in trees:
                    out = tempfile.mkdtemp(prefix="graphkit-demo-")
                    m = run(t, caches[t], out, args)
                    rows[t, kind].append(m)
                    outputs.setdefault(t, digests(out, t))
                    shutil.rmtree(out, ignore_errors=True)
                    print(f"round {r + 1} {kind:5} {t}: CPU {m['cpu']:.1f} s, wall {m['wall']:.1f} s, "
                          f"{m['rss']:.0f} MB, kernels compiled {m['saved']} / loaded {m['loaded']} "
                          f"(load {os.getloadavg()[0]:.1f})", flush=True)
        finally:
            for c in caches.values():
                shutil.rmtree(c, ignore_errors=True)
    print(f"\nmedians of {repeat} ({' '.join(args)}):")
    print("| tree | fresh CPU | warm CPU | first-run extra CPU | fresh wall | warm wall | "
          "first-run extra wall | peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for t in trees:
        f = {k: statistics.median(m[k] for m in rows[t, "fresh"]) for k in ("cpu", "wall", "rss")}
        w = {k: statistics.median(m[k] for m in rows[t, "warm"]) for k in ("cpu", "wall", "rss")}
        extra = {k: statistics.median(a[k] - b[k] for a, b in zip(rows[t, "fresh"], rows[t, "warm"]))
                 for k in ("cpu", "wall")}
        print(f"| {t} | {f['cpu']:.1f} s | {w['cpu']:.1f} s | {extra['cpu']:.1f} s | "
              f"{f['wall']:.1f} s | {w['wall']:.1f} s | {extra['wall']:.1f} s | {f['rss']:.0f} MB |")
        again = [m["saved"] for m in rows[t, "warm"]]
        if any(again):
            print(f"  warning: warm runs of {t} compiled kernels again: {again}")
    if len(trees) > 1:
        base = outputs[trees[0]]
        for t in trees[1:]:
            differ = sorted(k for k in set(base) | set(outputs[t]) if base.get(k) != outputs[t].get(k))
            print(f"outputs of {t} vs {trees[0]}: " + ("identical" if not differ else
                                                       f"differ in {', '.join(differ)}"))


def profile(args) -> None:
    """The command in this process with an empty cache, every compilation timed."""
    os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="graphkit-firstrun-")
    import numba.core.dispatcher as dispatcher
    from numba.core.registry import CPUDispatcher

    original = dispatcher.Dispatcher.compile
    stack: list[list] = []  # [name, CPU of nested compilations]
    records = []

    def timed(self, sig):
        func = self.py_func
        name = f"{func.__module__}.{func.__qualname__}"
        stack.append([name, 0.0])
        t = time.process_time()
        try:
            return original(self, sig)
        finally:
            d = time.process_time() - t
            _, nested = stack.pop()
            if stack:
                stack[-1][1] += d
            # numba's own functions (np.empty, argsort, ...) count for the nearest graphkit
            # kernel that called them
            owner = next((n for n, _ in reversed(stack + [[name, 0]]) if n.startswith("graphkit")),
                         name)
            records.append((name, d - nested, owner))

    dispatcher.Dispatcher.compile = timed
    from graphkit.cli import main

    out = tempfile.mkdtemp(prefix="graphkit-demo-")
    t0 = time.process_time()
    try:
        main([*args, "-o", out if args[0] == "demo" else os.path.join(out, "out.csv")])
    except SystemExit as exc:
        if exc.code:
            raise
    total = time.process_time() - t0
    shutil.rmtree(out, ignore_errors=True)
    per = defaultdict(float)
    owned = defaultdict(float)
    library = defaultdict(lambda: defaultdict(float))
    for name, d, owner in records:
        per[name] += d
        owned[owner] += d
        if name != owner:
            library[owner][name.replace("<locals>.", "").replace("numba.", "")] += d
    compiled = sum(per.values())
    print(machine())
    print(f"{' '.join(args)}: {total:.1f} s CPU in this process, {compiled:.1f} s of it compiling "
          f"({len(records)} compilations)\n")
    print("| CPU s | function (exclusive of the kernels it calls) |\n|---:|---|")
    for name, d in sorted(per.items(), key=lambda kv: -kv[1])[:25]:
        print(f"| {d:.2f} | {name} |")
    print("\n| CPU s | graphkit kernel (with the numba library functions compiled for it, "
          "without the graphkit kernels it calls) | largest library parts |\n|---:|---|---|")
    for name, d in sorted(owned.items(), key=lambda kv: -kv[1]):
        parts = sorted(library[name].items(), key=lambda kv: -kv[1])[:3]
        print(f"| {d:.2f} | {name} | " + ", ".join(f"{n} {x:.2f}" for n, x in parts if x >= 0.05)
              + " |")
    print("\ngraphkit kernels and their signatures:")
    for mname, mod in sorted(sys.modules.items()):
        if not mname.startswith("graphkit"):
            continue
        for attr, obj in sorted(vars(mod).items()):
            if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == mname and obj.signatures:
                print(f"  {mname}.{attr}: {len(obj.signatures)}")
    shutil.rmtree(os.environ["NUMBA_CACHE_DIR"], ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", action="append", type=Path,
                    help="checkout to run (PYTHONPATH); repeat to compare (default: this one)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    ap.add_argument("--profile", action="store_true", help="per-kernel compile times, in process")
    ap.add_argument("args", nargs="*", help="graphkit arguments (default: demo -q --random-seed 7)")
    a = ap.parse_args()
    args = a.args or DEMO
    if a.profile:
        profile(args)
    else:
        whole_processes([t.resolve() for t in (a.tree or [ROOT])], a.repeat, args)


if __name__ == "__main__":
    main()
