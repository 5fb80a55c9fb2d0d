#!/usr/bin/env python3
"""Benchmark: writing the graph for other tools (issue 16), on the bundled Higgs sample.

In one process, medians of ``--repeat`` runs of CPU time (user + sys) after a warm-up:

* graphkit  -- ``write_graph`` to GEXF, GraphML, Neo4j CSV, Parquet (edge table);
* floor     -- writing the same edge table with ``io.write_table`` to CSV (no XML);
* networkx  -- ``SocialGraph.to_networkx()`` then networkx's own ``write_graphml`` /
               ``write_gexf`` (what a user without ``graphkit export`` would run).

Every file written by graphkit is read back (networkx for GraphML and a static GEXF) and
its edge count checked against the graph.

Usage::

    python bench/export.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx  # noqa: E402

import graphkit as gk  # noqa: E402
from graphkit.graph import write_graph  # noqa: E402
from graphkit.io import write_table  # noqa: E402

try:
    from _common import machine  # noqa: E402
except ImportError:  # pragma: no cover
    def machine():
        return "?"

DATA = Path(__file__).resolve().parents[1] / "data" / "higgs-sample.csv.gz"


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def measure(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        c = cpu()
        fn()
        times.append(cpu() - c)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    g = gk.SocialGraph.from_edges(gk.read_edges(str(DATA)))
    print(f"machine: {machine()}")
    print(f"graph: {g.n_nodes:,} users, {g.n_edges:,} edges, types {list(g.types)}")
    d = tempfile.mkdtemp()
    p = lambda name: os.path.join(d, name)  # noqa: E731
    rows = {
        "graphkit gexf": lambda: write_graph(g, p("g.gexf")),
        "graphkit graphml": lambda: write_graph(g, p("g.graphml")),
        "graphkit neo4j": lambda: write_graph(g, p("neo"), "neo4j"),
        "graphkit parquet": lambda: write_graph(g, p("g.parquet")),
        "floor: edge table to csv": lambda: write_table(g.to_pandas(), p("floor.csv")),
        "networkx write_graphml": lambda: nx.write_graphml(g.to_networkx(), p("nx.graphml")),
        "networkx write_gexf": lambda: nx.write_gexf(g.to_networkx(), p("nx.gexf")),
    }
    res = {name: measure(fn, args.repeat) for name, fn in rows.items()}
    for name, t in res.items():
        print(f"{name:28s} {t:7.2f} s CPU")
    print(f"networkx / graphkit, GraphML: {res['networkx write_graphml'] / res['graphkit graphml']:.1f}x;"
          f" GEXF: {res['networkx write_gexf'] / res['graphkit gexf']:.1f}x")
    assert nx.read_graphml(p("g.graphml")).number_of_edges() == g.n_edges
    write_graph(g, p("static.gexf"), timeline=False)
    assert nx.read_gexf(p("static.gexf")).number_of_edges() == g.n_edges
    print("read back: GraphML and static GEXF edge counts match")


if __name__ == "__main__":
    main()
