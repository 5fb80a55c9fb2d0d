"""Issue 16 item 6: GEXF, GraphML, Neo4j CSV and edge-table exports, read back with networkx,
igraph and the csv module and compared with pure-Python counts of the input rows; a GEXF
structure check (namespaces, declared attributes, node references, timeline); ids XML
cannot hold refused with nothing written; the export command."""

from __future__ import annotations

import csv
import os
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import graphkit as gk
from graphkit.cli import cli
from graphkit.errors import InputError
from graphkit.graph import write_graph

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "data" / "example.csv")
ODD = ['q"uote', "it's", "a<b&c>", "emoji🙂", "#hash", " spaced ", "007", "7", "tab\there",
       "new\nline", "x,y", "ünï"]
NS = "{http://www.gexf.net/1.2draft}"


def odd_graph():
    rng = np.random.default_rng(5)
    rows = []
    for _ in range(150):
        s, t = rng.choice(len(ODD), 2, replace=False)
        kind = ["follow", "share"][rng.integers(2)]
        when = None if rng.random() < 0.25 else f"2024-02-{rng.integers(1, 28):02d}T10:00:0{rng.integers(10)}Z"
        rows.append((ODD[s], ODD[t], kind, when))
    df = pd.DataFrame(rows, columns=["source", "target", "type", "time"])
    return df, gk.SocialGraph.from_pandas(df, time="time")


def expected(df):
    counts = Counter((r.source, r.target, r.type) for r in df.itertuples())
    times = defaultdict(list)
    for r in df.itertuples():
        if pd.notna(r.time):
            times[(r.source, r.target)].append(pd.Timestamp(r.time))
    return counts, times


def check_edges(pairs_with_data, df, types=("follow", "share")):
    counts, times = expected(df)
    seen = 0
    for s, t, d in pairs_with_data:
        seen += 1
        assert d["weight"] == pytest.approx(sum(counts[(s, t, k)] for k in types))
        for k in types:
            assert d[f"n_{k}"] == counts[(s, t, k)]
        if times[(s, t)]:
            assert pd.Timestamp(d["first_time"]) == min(times[(s, t)])
            assert pd.Timestamp(d["last_time"]) == max(times[(s, t)])
        else:
            assert not d.get("first_time")
    assert seen == len({(s, t) for s, t, _ in counts})


def test_graphml_reads_back_in_networkx_and_igraph(tmp_path):
    df, g = odd_graph()
    path = tmp_path / "g.graphml"
    write_graph(g, path, seeds=[ODD[0]], communities={u: i % 3 for i, u in enumerate(ODD)})
    G = nx.read_graphml(path)
    assert sorted(G.nodes) == sorted(g.node_ids)  # every odd id intact
    check_edges(G.edges(data=True), df)
    assert G.nodes[ODD[0]]["seed"] is True and G.nodes[ODD[4]]["community"] == 4 % 3
    h = ig.Graph.Read_GraphML(str(path))
    # igraph's reader gives '&' in an id back as '&#38;' (the same for networkx's own files)
    assert sorted(v.replace("&#38;", "&") for v in h.vs["id"]) == sorted(g.node_ids)
    assert h.ecount() == g.n_edges and h.es["n_share"] == [int(x) for x in g.counts[:, 1]]


def test_static_gexf_reads_back_in_networkx(tmp_path):
    df, g = odd_graph()
    path = tmp_path / "g.gexf"
    write_graph(g, path, scores=gk.rank(g), timeline=False)
    G = nx.read_gexf(path)
    assert sorted(G.nodes) == sorted(g.node_ids)
    assert G.graph["mode"] == "static"
    check_edges(((s, t, d) for s, t, d in G.edges(data=True)), df)
    ranking = gk.rank(g)
    for u, s in zip(ranking["user"], ranking["score"]):
        assert G.nodes[u]["score"] == pytest.approx(s, rel=1e-15)  # repr: full precision


def test_gexf_structure_and_timeline(tmp_path):
    df, g = odd_graph()
    path = tmp_path / "g.gexf"
    write_graph(g, path, communities={u: 1 for u in ODD[:3]})
    root = ET.parse(path).getroot()
    assert root.tag == f"{NS}gexf" and root.get("version") == "1.2"
    graph = root.find(f"{NS}graph")
    assert graph.get("defaultedgetype") == "directed"
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "dateTime"
    declared = {c.get("class"): {a.get("id"): (a.get("title"), a.get("type"))
                                 for a in c.findall(f"{NS}attribute")}
                for c in graph.findall(f"{NS}attributes")}
    assert set(declared["node"].values()) == {("community", "long")}
    assert ("n_share", "long") in declared["edge"].values()
    node_ids = [n.get("id") for n in graph.iter(f"{NS}node")]
    assert len(node_ids) == len(set(node_ids)) == g.n_nodes
    assert all(n.get("label") == n.get("id") for n in graph.iter(f"{NS}node"))
    counts, times = expected(df)
    n_edges = 0
    for e in graph.iter(f"{NS}edge"):
        n_edges += 1
        s, t = e.get("source"), e.get("target")
        assert s in node_ids and t in node_ids
        for av in e.iter(f"{NS}attvalue"):
            assert av.get("for") in declared["edge"]
        if times[(s, t)]:
            assert pd.Timestamp(e.get("start")) == min(times[(s, t)])
            assert pd.Timestamp(e.get("end")) == max(times[(s, t)])
            assert e.get("start") <= e.get("end")
        else:
            assert e.get("start") is None and e.get("end") is None
        assert float(e.get("weight")) == sum(counts[(s, t, k)] for k in ("follow", "share"))
    assert n_edges == g.n_edges
    # networkx reads the dynamic file once told what timeformat dateTime is
    reader = nx.readwrite.gexf.GEXFReader(node_type=None)
    reader.python_type["dateTime"] = str
    G = reader(str(path))
    assert G.number_of_edges() == g.n_edges


def test_neo4j_import_files(tmp_path):
    df, g = odd_graph()
    out = tmp_path / "neo"
    paths = write_graph(g, out, "neo4j", seeds=[ODD[1]])
    assert paths == [str(out / "nodes.csv"), str(out / "relationships.csv")]
    with open(out / "nodes.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["userId:ID", ":LABEL", "seed:boolean"]
    assert sorted(r[0] for r in rows[1:]) == sorted(ODD)
    assert {r[0]: r[2] for r in rows[1:]}[ODD[1]] == "true"
    with open(out / "relationships.csv", newline="", encoding="utf-8") as fh:
        rels = list(csv.reader(fh))
    assert rels[0] == [":START_ID", ":END_ID", ":TYPE", "count:long", "weight:double",
                       "first_time:datetime", "last_time:datetime"]
    counts, _ = expected(df)
    assert {(r[0], r[1], r[2]): int(r[3]) for r in rels[1:]} == dict(counts)


def test_edge_table_and_nodes_file(tmp_path):
    df, g = odd_graph()
    paths = write_graph(g, tmp_path / "e.parquet", seeds=[ODD[2]])
    edges = pd.read_parquet(paths[0])
    check_edges(((r["source"], r["target"], r) for r in edges.to_dict(orient="records")), df)
    nodes = pd.read_parquet(paths[1])
    assert paths[1].endswith("e.nodes.parquet") and nodes["seed"].sum() == 1


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_control_characters_are_refused_and_nothing_written(tmp_path, fmt):
    g = gk.SocialGraph.from_pairs([("ok", "bell\x07"), ("ok", "x")])
    path = tmp_path / f"g.{fmt}"
    with pytest.raises(InputError, match=r"user id 'bell\\x07' contains the control character "
                                         r"U\+0007"):
        write_graph(g, path)
    assert os.listdir(tmp_path) == []
    write_graph(g, tmp_path / "g.csv")  # a CSV holds them
    assert "bell\x07" in pd.read_csv(tmp_path / "g.csv")["target"].tolist()


def run(args):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_export_command_with_attribute_files(tmp_path):
    ranking, comm, seeds = tmp_path / "r.csv", tmp_path / "c.csv", tmp_path / "s.txt"
    assert run(["rank", EXAMPLE, "-o", str(ranking), "-q"]).exit_code == 0
    assert run(["communities", EXAMPLE, "-o", str(comm), "--random-seed", "1", "-q"]).exit_code == 0
    seeds.write_text("alice\nnobody\n")
    out = tmp_path / "g.graphml"
    r = run(["export", EXAMPLE, "-o", str(out), "--ranking", str(ranking), "--communities",
             str(comm), "--seeds", str(seeds)])
    assert r.exit_code == 0, r.output
    assert "1 users are not in the graph" in r.output and "wrote 10 users and 19 edges" in r.output
    G = nx.read_graphml(out)
    rk = pd.read_csv(ranking)
    cm = pd.read_csv(comm)
    for u, s in zip(rk["user"], rk["score"]):
        assert G.nodes[u]["score"] == pytest.approx(s)
    for u, c in zip(cm["user"], cm["community"]):
        assert G.nodes[u]["community"] == c
    assert [u for u, d in G.nodes(data=True) if d["seed"]] == ["alice"]


def test_export_compute_is_repeatable(tmp_path):
    outs = []
    for i in range(2):
        out = tmp_path / f"g{i}.gexf"
        r = run(["export", EXAMPLE, "-o", str(out), "--compute", "pagerank", "--compute",
                 "communities", "--compute", "seeds", "-k", "2", "--random-seed", "4", "-q"])
        assert r.exit_code == 0, r.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    root = ET.fromstring(outs[0])
    titles = {a.get("title") for a in root.iter(f"{NS}attribute")}
    assert {"score", "community", "seed"} <= titles


def test_export_errors(tmp_path):
    r = run(["export", EXAMPLE, "-o", str(tmp_path / "g.txt")])
    assert r.exit_code == 2 and "cannot tell the export format" in r.output
    r = run(["export", EXAMPLE, "-o", str(tmp_path / "g.gexf"), "--seeds", EXAMPLE,
             "--compute", "seeds"])
    assert r.exit_code == 2 and "not both" in r.output
    bad = tmp_path / "r.csv"
    bad.write_text("user,score\nalice,high\n")
    r = run(["export", EXAMPLE, "-o", str(tmp_path / "g.gexf"), "--ranking", str(bad)])
    assert r.exit_code == 1 and r.output.strip().splitlines()[-1] == \
        f"Error: {bad}:2: score 'high' is not a number"
    assert sorted(os.listdir(tmp_path)) == ["r.csv"]
    r = run(["export", EXAMPLE, "-o", str(bad), "--format", "neo4j"])
    assert r.exit_code == 1 and r.output.strip().splitlines()[-1] == \
        f"Error: {bad}: is a file; the neo4j format writes two files into a directory"
