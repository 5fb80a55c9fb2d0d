"""Issue 16 item 5: graphs to and from pandas, networkx and igraph, with per-type counts,
weights, first/last times and node attributes; checked against pure-Python counts of the
rows and against graphkit's own file reader."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest

import graphkit as gk
from graphkit.errors import InputError, UnknownUserError

ODD_IDS = ['q"uote', "a<b&c", "emoji🙂", "#hash", "  spaced ", "007", "7", "tab\tin", "x,y"]


def messy_rows(n=300, seed=3):
    rng = np.random.default_rng(seed)
    ids = ODD_IDS + [f"u{i}" for i in range(15)]
    rows = []
    for _ in range(n):
        s, t = rng.choice(len(ids), 2, replace=False)
        typ = ["follow", "share", "comment"][rng.integers(3)]
        when = None if rng.random() < 0.2 else pd.Timestamp("2024-01-01", tz="UTC") + \
            pd.Timedelta(seconds=int(rng.integers(0, 10**7)))
        rows.append((ids[s], ids[t], typ, float(rng.integers(1, 4)), when))
    return pd.DataFrame(rows, columns=["src", "dst", "kind", "w", "when"])


def expected_edges(df, type_weights=None):
    """Pure Python: counts per type, weight, first/last time of each (source, target)."""
    tw = type_weights or {}
    out = defaultdict(lambda: {"counts": defaultdict(int), "weight": 0.0, "times": []})
    for r in df.itertuples(index=False):
        e = out[(r.src, r.dst)]
        e["counts"][r.kind] += 1
        e["weight"] += tw.get(r.kind, 1.0) * r.w
        if r.when is not None and not pd.isna(r.when):
            e["times"].append(pd.Timestamp(r.when))
    return out


def check_graph_against_rows(g, df, type_weights=None):
    want = expected_edges(df, type_weights)
    got = g.to_pandas()
    assert len(got) == len(want)
    for r in got.to_dict(orient="records"):
        e = want[(r["source"], r["target"])]
        for t in g.types:
            assert r[f"n_{t}"] == e["counts"][t]
        assert r["weight"] == pytest.approx(e["weight"])
        if e["times"]:
            assert r["first_time"] == min(e["times"]) and r["last_time"] == max(e["times"])
        else:
            assert pd.isna(r["first_time"]) and pd.isna(r["last_time"])


def test_from_pandas_matches_the_rows_and_the_file_reader(tmp_path):
    df = messy_rows()
    g = gk.SocialGraph.from_pandas(df, source="src", target="dst", type="kind", weight="w",
                                   time="when")
    check_graph_against_rows(g, df)
    # the same rows through a Parquet file give the same graph
    path = tmp_path / "e.parquet"
    df.to_parquet(path, index=False)
    f = gk.SocialGraph.from_edges(gk.read_edges(str(path), source_col="src", target_col="dst",
                                                type_col="kind", weight_col="w", time_col="when"))
    pd.testing.assert_frame_equal(
        g.to_pandas().sort_values(["source", "target"]).reset_index(drop=True),
        f.to_pandas().sort_values(["source", "target"]).reset_index(drop=True))


def test_read_edges_takes_a_dataframe_and_names_the_bad_row():
    df = pd.DataFrame({"source": ["a", "b", "c"], "target": ["b", "", "a"]})
    with pytest.raises(InputError, match=r"^DataFrame:2: target is empty$"):
        gk.read_edges(df)
    df = pd.DataFrame({"from": ["a", "b"], "to": ["b", "a"], "weight": [1.0, -2.0]})
    with pytest.raises(InputError, match=r"^DataFrame:2: weight -2 is negative; for ratings pass signed=True "):
        gk.read_edges(df)
    t = gk.read_edges(pd.DataFrame({"from": [1, 2, 2], "to": [2, 1, 2]}))  # int ids, a self-loop
    assert t.node_ids.tolist() == ["1", "2"] and t.n_rows == 2
    assert t.report.self_loops_dropped == 1
    with pytest.raises(InputError, match="no column 'nope'"):
        gk.read_edges(pd.DataFrame({"a": ["x"], "b": ["y"]}), source_col="nope")


def test_type_weights_apply_like_files():
    df = messy_rows(80)
    g = gk.SocialGraph.from_pandas(df, source="src", target="dst", type="kind", weight="w",
                                   time="when", type_weights={"share": 3.0})
    check_graph_against_rows(g, df, {"share": 3.0})


@pytest.mark.parametrize("via", ["networkx", "igraph"])
def test_round_trip_keeps_counts_weights_times(via):
    df = messy_rows()
    g = gk.SocialGraph.from_pandas(df, source="src", target="dst", type="kind", weight="w",
                                   time="when", type_weights={"share": 3.0, "comment": 2.0})
    h = g.to_networkx() if via == "networkx" else g.to_igraph()
    back = (gk.SocialGraph.from_networkx(h) if via == "networkx" else gk.SocialGraph.from_igraph(h))
    assert back.types == g.types and back.type_weights.tolist() == g.type_weights.tolist()
    a = g.to_pandas().sort_values(["source", "target"]).reset_index(drop=True)
    b = back.to_pandas().sort_values(["source", "target"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


def test_to_networkx_attributes_match_the_rows():
    df = messy_rows(120)
    g = gk.SocialGraph.from_pandas(df, source="src", target="dst", type="kind", weight="w",
                                   time="when")
    want = expected_edges(df)
    G = g.to_networkx()
    assert G.number_of_edges() == len(want) and set(G.nodes) == set(g.node_ids)
    for (s, t), e in want.items():
        d = G.edges[s, t]
        assert d["weight"] == pytest.approx(e["weight"])
        assert {k: d[f"n_{k}"] for k in g.types} == {k: e["counts"][k] for k in g.types}
        if e["times"]:
            assert pd.Timestamp(d["first_time"]) == min(e["times"])
            assert pd.Timestamp(d["last_time"]) == max(e["times"])
        else:
            assert d["first_time"] == d["last_time"] == ""


def test_node_attributes_scores_communities_seeds():
    g = gk.SocialGraph.from_pairs([("a", "b"), ("c", "b"), ("b", "a"), ("d", "c")])
    ranking = gk.rank(g)
    part = gk.detect_communities(g, rng=1)
    G = g.to_networkx(scores=ranking, communities=part, seeds=["b"])
    score = dict(zip(ranking["user"], ranking["score"]))
    for i, u in enumerate(g.node_ids):
        assert G.nodes[u]["score"] == pytest.approx(score[u])
        assert G.nodes[u]["community"] == int(part.membership[i])
        assert G.nodes[u]["seed"] == (u == "b")
    h = g.to_igraph(scores={"a": 1.0}, communities={"a": 3})
    assert h.vs["community"] == [3, -1, -1, -1] and np.isnan(h.vs["score"][1])
    with pytest.raises(UnknownUserError):
        g.to_networkx(seeds=["zz"])
    with pytest.raises(ValueError, match="4 users"):
        g.to_networkx(scores=[1.0, 2.0])


def test_plain_networkx_and_igraph_graphs():
    G = nx.DiGraph()
    G.add_nodes_from(["lonely"])
    G.add_edge(1, 2, weight=2.5, time=1_700_000_000)
    G.add_edge(2, 3)
    g = gk.SocialGraph.from_networkx(G)
    assert g.node_ids.tolist() == ["lonely", "1", "2", "3"]  # isolated users kept
    df = g.to_pandas()
    assert df[["source", "target", "weight"]].values.tolist() == [["1", "2", 2.5], ["2", "3", 1.0]]
    assert df["first_time"].iloc[0] == pd.Timestamp(1_700_000_000, unit="s", tz="UTC")
    und = gk.SocialGraph.from_networkx(nx.Graph([("a", "b")]))
    assert und.to_pandas()[["source", "target"]].values.tolist() == [["a", "b"], ["b", "a"]]
    with pytest.raises(InputError, match="same id as text"):
        gk.SocialGraph.from_networkx(nx.DiGraph([(1, "1")]))
    with pytest.raises(InputError, match="not a finite number"):
        gk.SocialGraph.from_networkx(nx.DiGraph([("a", "b", {"weight": -1})]))
    h = ig.Graph(n=3, edges=[(0, 1), (1, 2)], directed=True)
    h.es["type"] = ["share", "follow"]
    g = gk.SocialGraph.from_igraph(h)
    assert g.node_ids.tolist() == ["0", "1", "2"] and g.types == ("follow", "share")


def test_graph_without_times_has_no_time_columns():
    g = gk.SocialGraph.from_pairs([("a", "b")])
    assert list(g.to_pandas().columns) == ["source", "target", "weight", "n_interaction"]
    assert "first_time" not in g.to_networkx().edges["a", "b"]
    sub = gk.SocialGraph.from_edges(gk.read_edges(str(Path(__file__).resolve().parents[1] / "data" / "example.csv"))).subgraph(["alice", "bob"])
    assert "first_time" not in sub.to_pandas().columns


def test_networkx_writers_take_to_networkx_output(tmp_path):
    """The graph attributes are text: networkx's own GraphML and GEXF writers accept the
    graph, and what they write comes back with the same counts and times."""
    df = messy_rows(60)
    g = gk.SocialGraph.from_pandas(df, source="src", target="dst", type="kind", weight="w",
                                   time="when", type_weights={"share": 2.0})
    nx.write_graphml(g.to_networkx(), tmp_path / "g.graphml")
    back = gk.SocialGraph.from_networkx(nx.read_graphml(tmp_path / "g.graphml"))
    a = g.to_pandas().sort_values(["source", "target"]).reset_index(drop=True)
    b = back.to_pandas().sort_values(["source", "target"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)
    nx.write_gexf(g.to_networkx(), tmp_path / "g.gexf")
    assert nx.read_gexf(tmp_path / "g.gexf").number_of_edges() == g.n_edges
