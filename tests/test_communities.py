"""Tests for graphkit/communities.py: known answers, references (networkx, igraph), CLI."""

from __future__ import annotations

import json
import math
import random

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from graphs import random_graph, typed_example
from hypothesis import given, settings
from hypothesis import strategies as st

import graphkit as gk
from graphkit.cli import cli
from graphkit.communities import (
    METHODS,
    SUMMARY_COLUMNS,
    detect_communities,
    membership_array,
    modularity,
    nmi,
    read_membership,
)
from graphkit.communities import _projection as kern
from graphkit.errors import InputError, UnknownUserError
from graphkit.graph import SocialGraph


# ----------------------------------------------------------------------------- graphs
def karate(both_directions: bool = False) -> SocialGraph:
    """Zachary's karate club with weight 1 per tie (networkx's 'weight' data ignored)."""
    pairs = [(str(u), str(v)) for u, v in nx.karate_club_graph().edges()]
    if both_directions:
        pairs += [(v, u) for u, v in pairs]
    return SocialGraph.from_pairs(pairs)


def karate_nx() -> nx.Graph:
    G = nx.Graph()
    G.add_edges_from((str(u), str(v)) for u, v in nx.karate_club_graph().edges())
    return G


def planted(seed: int = 1, blocks: int = 10, size: int = 100, p_in: float = 0.1,
            p_out: float = 0.005):
    """Stochastic block model; each tie gets a random direction; ids shuffled.

    Returns the graph and the planted block of every node position.
    """
    rng = np.random.default_rng(seed)
    n = blocks * size
    block = np.repeat(np.arange(blocks), size)
    iu, ju = np.triu_indices(n, 1)
    keep = rng.random(iu.shape[0]) < np.where(block[iu] == block[ju], p_in, p_out)
    u, v = iu[keep], ju[keep]
    flip = rng.random(u.shape[0]) < 0.5
    src, dst = np.where(flip, v, u), np.where(flip, u, v)
    ids = np.array([f"u{i:04d}" for i in rng.permutation(n)], dtype=object)
    return SocialGraph.from_arrays(src, dst, ids), block


#: Two triangles joined by a3 -> b1; B's rows come first so positions differ from id order.
TWO_TRIANGLES = [
    ("b2", "b1", "share"), ("b3", "b1", "share"), ("b2", "b3", "follow"),
    ("a1", "a3", "follow"), ("a2", "a3", "follow"), ("a1", "a2", "share"),
    ("a3", "b1", "comment"),
]


def two_triangles() -> SocialGraph:
    return SocialGraph.from_pairs(TWO_TRIANGLES)


def projection_nx(graph: SocialGraph, weighted: bool = True) -> nx.Graph:
    """Reference projection, written the slow obvious way: w(u,v) = w(u->v) + w(v->u)."""
    G = nx.Graph()
    G.add_nodes_from(graph.node_ids.tolist())
    for s, t, w in graph.edges()[["source", "target", "weight"]].itertuples(index=False):
        if G.has_edge(s, t):
            G[s][t]["weight"] += w if weighted else 0.0
        else:
            G.add_edge(s, t, weight=w if weighted else 1.0)
    return G


def groups(graph: SocialGraph, membership) -> list[set]:
    ids = graph.node_ids
    return [set(ids[membership == c].tolist()) for c in np.unique(membership)]


# ----------------------------------------------------------------------------- known answers
@pytest.mark.parametrize("both", [False, True])
def test_karate_leiden_modularity_matches_networkx(both):
    g = karate(both)
    p = detect_communities(g, "leiden", rng=3)
    assert p.modularity >= 0.41
    ref = nx.community.modularity(karate_nx(), groups(g, p.membership), weight="weight")
    assert abs(p.modularity - ref) < 1e-9
    assert abs(modularity(g, p.membership) - ref) < 1e-9


@pytest.mark.parametrize("resolution", [0.5, 2.0])
def test_karate_resolution_modularity_matches_networkx(resolution):
    g = karate()
    p = detect_communities(g, "louvain", resolution=resolution, rng=1)
    ref = nx.community.modularity(karate_nx(), groups(g, p.membership), resolution=resolution)
    assert p.resolution == resolution
    assert abs(p.modularity - ref) < 1e-9


def test_resolution_controls_granularity():
    g = karate()
    coarse = detect_communities(g, resolution=0.3, rng=1).n_communities
    fine = detect_communities(g, resolution=3.0, rng=1).n_communities
    assert coarse < detect_communities(g, rng=1).n_communities < fine


def test_projection_sums_both_directions_and_type_weights():
    g = random_graph(60, 400, seed=4, n_types=3)
    g = SocialGraph.from_arrays(g.sources(), g.indices, g.node_ids,
                                edge_type=np.arange(g.n_edges) % 3, types=("a", "b", "c"),
                                type_weights={"a": 1.0, "b": 3.0, "c": 0.5})
    G = projection_nx(g)
    proj = kern.project(g)
    assert proj.u.shape[0] == G.number_of_edges()
    assert math.isclose(proj.total, G.size(weight="weight"), rel_tol=1e-12)
    p = detect_communities(g, "leiden", rng=2, resolution=0.8)
    ref = nx.community.modularity(G, groups(g, p.membership), weight="weight", resolution=0.8)
    assert abs(p.modularity - ref) < 1e-9
    rng = np.random.default_rng(0)
    for _ in range(5):  # arbitrary partitions too
        memb = rng.integers(0, 4, g.n_nodes)
        ref = nx.community.modularity(G, groups(g, memb), weight="weight")
        assert abs(modularity(g, memb) - ref) < 1e-9


def test_unweighted_projection_counts_each_pair_once():
    g = SocialGraph.from_pairs([("a", "b"), ("b", "a"), ("b", "c"), ("c", "d")],
                               type_weights=None)
    proj = kern.project(g, weighted=False)
    assert proj.w.tolist() == [1.0, 1.0, 1.0]
    assert kern.project(g).w.tolist() == [2.0, 1.0, 1.0]
    ref = nx.community.modularity(nx.path_graph(["a", "b", "c", "d"]), [{"a", "b"}, {"c", "d"}])
    assert abs(modularity(g, [0, 0, 1, 1], weighted=False) - ref) < 1e-12


@pytest.mark.parametrize("method", ["leiden", "louvain", "infomap"])
def test_planted_partition_recovered(method):
    g, truth = planted(seed=1)
    p = detect_communities(g, method, rng=5)
    assert nmi(p.membership, truth) >= 0.95
    assert p.n_communities == 10


def test_label_propagation_returns_valid_partition():
    g, truth = planted(seed=2)
    p = detect_communities(g, "lpa", rng=1)
    m = p.membership
    assert m.shape == (g.n_nodes,) and m.dtype == np.int64
    assert set(np.unique(m).tolist()) == set(range(p.n_communities))
    assert np.all(np.diff(p.sizes) <= 0)
    assert abs(p.modularity - modularity(g, m)) < 1e-12
    assert nmi(m, truth) > 0.8


def test_infomap_keeps_shortest_codelength():
    g, _ = planted(seed=3)
    p = detect_communities(g, "infomap", rng=2, runs=3)
    lengths = p.details["run_codelength"]
    assert p.details["codelength"] == min(lengths)
    assert p.details["best_run"] == int(np.argmin(lengths))


# ----------------------------------------------------------------------------- numbering
def test_numbering_by_size_then_smallest_id():
    # a 4-clique (largest), then two triangles given in reverse id order
    rows = [("z1", "z2"), ("z2", "z3"), ("z3", "z1"), ("m1", "m2"), ("m2", "m3"), ("m3", "m1")]
    rows += [(f"k{i}", f"k{j}") for i in range(4) for j in range(i + 1, 4)]
    g = SocialGraph.from_pairs(rows)
    p = detect_communities(g, rng=1)
    by_id = dict(zip(g.node_ids.tolist(), p.membership.tolist()))
    assert {by_id[f"k{i}"] for i in range(4)} == {0}
    assert {by_id["m1"], by_id["m2"], by_id["m3"]} == {1}
    assert {by_id["z1"], by_id["z2"], by_id["z3"]} == {2}
    t = p.table()
    assert list(t.columns) == ["user", "community"]
    assert t.values.tolist() == sorted(t.values.tolist(), key=lambda r: (r[1], r[0]))


def test_renumber_kernel():
    ordinal = np.array([3, 0, 1, 2, 4])  # node 1 has the smallest id
    assert kern.renumber_by_size([7, 5, 5, 7, 9], ordinal).tolist() == [1, 0, 0, 1, 2]


# ----------------------------------------------------------------------------- summary
def test_two_triangles_summary_by_hand():
    g = two_triangles()
    p = detect_communities(g, rng=1)
    assert abs(p.modularity - (6 / 7 - 2 * 0.25)) < 1e-12
    s = p.summary
    assert list(s.columns) == list(SUMMARY_COLUMNS)
    a, b = s.iloc[0], s.iloc[1]
    assert (a.community, b.community) == (0, 1)  # equal sizes: 'a1' < 'b1'
    for row in (a, b):
        assert row["size"] == 3 and row.internal_edges == 3 and row.external_edges == 1
        assert row.density == 1.0
        assert abs(row.conductance - 1 / 7) < 1e-12  # cut 1 / volume 7
        assert row.internal_interactions == 3
    assert a.dominant_type == "follow" and b.dominant_type == "share"
    assert a.top_members == ["a3", "a2", "a1"]  # in-community PageRank
    assert b.top_members == ["b1", "b3", "b2"]
    assert a.bridges == ["a3"] and b.bridges == ["b1"]
    part = dict(zip(g.node_ids.tolist(), p.participation().tolist()))
    assert abs(part["a3"] - 4 / 9) < 1e-12 and abs(part["b1"] - 4 / 9) < 1e-12
    assert part["a1"] == part["b2"] == 0.0


def test_in_community_pagerank_equals_per_community_runs():
    g, _ = planted(seed=4, blocks=4, size=60, p_in=0.15, p_out=0.01)
    p = detect_communities(g, rng=1)
    scores = p._stats["member_score"]
    for c in range(p.n_communities):
        members = g.node_ids[p.membership == c]
        sub = g.subgraph(members)
        alone = gk.pagerank(sub, tol=1e-12)
        block = scores[g.index(sub.node_ids.tolist())]
        assert np.allclose(block / block.sum(), alone, atol=1e-8)


def test_bridges_rank_by_degree_times_participation():
    # hub a0 sits in clique a and links 3 users of clique b; x links one user of each clique
    rows = [(f"a{i}", f"a{j}") for i in range(6) for j in range(i + 1, 6)]
    rows += [(f"b{i}", f"b{j}") for i in range(6) for j in range(i + 1, 6)]
    rows += [("a0", "b0"), ("a0", "b1"), ("a0", "b2"), ("x", "a1"), ("x", "b3")]
    g = SocialGraph.from_pairs(rows)
    p = detect_communities(g, rng=1)
    part = dict(zip(g.node_ids.tolist(), p.participation().tolist()))
    assert part["x"] == 0.5 and abs(part["a0"] - (1 - (25 + 9) / 64)) < 1e-12
    # x has the highest P of all, but one edge each way: it ranks last among the bridges
    summary = p.summarize(bridges=10)
    row = summary.iloc[int(p.membership[g.index(["x"])][0])]
    assert row.bridges[-1] == "x" and len(row.bridges) > 1
    a_row = summary.iloc[int(p.membership[g.index(["a0"])][0])]
    assert a_row.bridges[0] == "a0"


def test_min_size_folds_summary_only():
    rows = [(f"k{i}", f"k{j}") for i in range(5) for j in range(i + 1, 5)]  # 5-clique
    rows += [("p1", "p2"), ("p2", "p3"), ("d1", "d2"), ("e1", "e2")]  # path, two dyads
    g = SocialGraph.from_pairs(rows)
    p = detect_communities(g, rng=1)
    assert p.sizes.tolist() == [5, 3, 2, 2]
    s = p.summarize(min_size=3)
    assert s.community.tolist() == [0, 1, -1]
    other = s.iloc[-1]
    assert other["size"] == 4 and other.internal_edges == 2 and other.density == 1.0
    assert math.isnan(other.conductance) and other.top_members == [] and other.bridges == []
    s4 = p.summarize(min_size=4)
    assert s4.community.tolist() == [0, -1]
    assert s4.iloc[-1]["size"] == 7 and abs(s4.iloc[-1].density - 4 / 5) < 1e-12
    assert len(p.membership) == g.n_nodes and p.n_communities == 4  # membership untouched
    d = p.to_dict(min_size=3)
    assert d["folded_communities"] == 2 and d["communities"][-1]["community"] == -1
    json.dumps(d, allow_nan=False)  # NaN became null
    # the command line's table reads the same rows from NumPy columns (no pandas)
    from graphkit.io import to_jsonable

    for min_size in (1, 3, 4, 6):
        cols = p.summary_columns(min_size=min_size)
        frame = p.summarize(min_size=min_size)
        assert list(cols) == list(SUMMARY_COLUMNS) == frame.columns.tolist()
        got = [dict(zip(cols, row)) for row in zip(*(v.tolist() for v in cols.values()))]
        assert to_jsonable(got) == to_jsonable(frame.to_dict(orient="records")), min_size
        assert all(v.ndim == 1 and len(v) == len(frame) for v in cols.values())


# ----------------------------------------------------------------------------- runs and seeds
def test_same_seed_same_partition_and_global_state_untouched():
    g, _ = planted(seed=6)
    random.seed(123)
    np.random.seed(123)
    before = (random.random(), np.random.random())
    random.seed(123)
    np.random.seed(123)
    a = detect_communities(g, "louvain", rng=11)
    b = detect_communities(g, "louvain", rng=11)
    assert np.array_equal(a.membership, b.membership) and a.modularity == b.modularity
    assert (random.random(), np.random.random()) == before
    assert a.seed == 11


def test_runs_keep_best_and_report_stability():
    g, _ = planted(seed=7)
    one = detect_communities(g, "louvain", rng=5)
    three = detect_communities(g, "louvain", rng=5, runs=3)
    assert one.stability is None and 0.9 < three.stability <= 1.0
    assert three.details["run_modularity"][0] == one.modularity  # run 0 is the same run
    assert three.modularity == max(three.details["run_modularity"]) >= one.modularity


def test_stability_is_low_without_community_structure():
    rng = np.random.default_rng(0)
    src, dst = rng.integers(0, 300, 1200), rng.integers(0, 300, 1200)
    ok = src != dst
    g = SocialGraph.from_arrays(src[ok], dst[ok], [f"n{i}" for i in range(300)])
    p = detect_communities(g, "louvain", rng=1, runs=4)
    assert p.stability < 0.95


def test_leiden_iteration_controls():
    g = karate()
    fixed = detect_communities(g, n_iterations=1, rng=1)
    assert fixed.details["iterations"] == [1]
    stable = detect_communities(g, tol=0.0, rng=1)
    assert stable.details["iterations"][0] >= 2 and stable.modularity >= fixed.modularity


def _same_partition(a, b) -> bool:
    a, b = np.asarray(a).tolist(), np.asarray(b).tolist()
    return len(set(zip(a, b))) == len(set(a)) == len(set(b))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_leiden_default_is_igraphs_default_run(seed):
    # the default rule (two passes) is igraph's community_leiden(n_iterations=2) for the
    # same seed on the same projection, hence its modularity too
    from graphkit._rng import igraph_seed, spawn

    g = random_graph(n=400, m=3000, seed=seed, n_types=2)
    p = detect_communities(g, rng=seed)
    assert p.details["iterations"] == [2] and p.details["tol"] is None
    proj = kern.project(g, True)
    h = ig.Graph(n=proj.n, edges=np.column_stack([proj.u, proj.v]).tolist())
    h.es["weight"] = proj.w.tolist()
    with igraph_seed(int(spawn(seed, 1)[0].integers(0, 2**63 - 1))):
        ref = h.community_leiden(objective_function="modularity", weights="weight",
                                 n_iterations=2).membership
    assert _same_partition(ref, p.membership)
    assert math.isclose(p.modularity, h.modularity(ref, weights="weight"), abs_tol=1e-12)


def test_leiden_tol_rule_and_exhaustive_rule():
    g, _ = planted(seed=3, blocks=20, size=60, p_in=0.08, p_out=0.01)
    two = detect_communities(g, rng=4)
    until = detect_communities(g, rng=4, tol=1e-4)
    exhaustive = detect_communities(g, rng=4, tol=0.0)
    minus_one = detect_communities(g, rng=4, n_iterations=-1)
    assert until.details["iterations"][0] >= 2 and until.details["tol"] == 1e-4
    assert exhaustive.details["iterations"][0] >= until.details["iterations"][0]
    # each rule continues from the same first two passes and keeps the best membership
    assert exhaustive.modularity >= until.modularity >= two.modularity - 1e-12
    # -1 is igraph's "until no gain": the same as tol=0
    assert np.array_equal(minus_one.membership, exhaustive.membership)
    assert minus_one.details["iterations"] == exhaustive.details["iterations"]
    with pytest.raises(ValueError, match="tol"):
        detect_communities(g, tol=-1e-3)
    with pytest.raises(ValueError, match="n_iterations"):
        detect_communities(g, n_iterations=-2)


def test_cli_leiden_tol(tmp_path):
    g = random_graph(n=200, m=1200, seed=5)
    src, dst = g.node_ids[g.sources()], g.node_ids[g.indices]
    path = tmp_path / "e.csv"
    path.write_text("source,target\n" + "".join(f"{a},{b}\n" for a, b in zip(src, dst)))
    out = tmp_path / "m.csv"
    r = CliRunner().invoke(cli, ["-q", "communities", str(path), "--leiden-tol", "0",
                                 "--random-seed", "3", "-o", str(out)])
    assert r.exit_code == 0, r.output
    lib = detect_communities(gk.SocialGraph.from_edges(gk.read_edges([str(path)])), rng=3,
                             tol=0.0)
    got = pd.read_csv(out, dtype={"user": str})
    assert got.values.tolist() == lib.table().values.tolist()
    r = CliRunner().invoke(cli, ["communities", str(path), "--method", "louvain",
                                 "--leiden-tol", "1"])
    assert r.exit_code == 2 and "--leiden-tol applies to --method leiden" in r.output
    r = CliRunner().invoke(cli, ["communities", str(path), "--leiden-tol", "-1"])
    assert r.exit_code == 2 and "--leiden-tol" in r.output
    assert "--leiden-tol 1e-4" in CliRunner().invoke(cli, ["communities", "--help"]).output


# ----------------------------------------------------------------------------- NMI
def test_nmi_hand_computed_and_igraph():
    a = [0, 0, 0, 1, 1, 1]
    b = [0, 0, 1, 1, 2, 2]
    expected = (4 / 3) * math.log(2) / math.log(6)  # 2 I / (H(a) + H(b))
    assert abs(nmi(a, b) - expected) < 1e-12
    assert abs(nmi(a, b) - ig.compare_communities(a, b, method="nmi")) < 1e-12
    assert nmi(a, [5, 5, 5, 9, 9, 9]) == 1.0
    assert nmi([1, 1, 1], [2, 2, 2]) == 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 6)), min_size=1, max_size=40))
def test_nmi_matches_igraph_property(pairs):
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    ours = nmi(a, b)
    assert 0.0 <= ours <= 1.0 and abs(ours - nmi(b, a)) < 1e-12
    assert abs(ours - ig.compare_communities(a, b, method="nmi")) < 1e-9


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize("kwargs", [
    {"method": "girvan"}, {"resolution": 0}, {"resolution": -1.0}, {"resolution": float("nan")},
    {"resolution": float("inf")}, {"runs": 0}, {"n_iterations": 0}, {"tol": -1.0},
    {"method": "lpa", "resolution": 0.5}, {"method": "infomap", "resolution": 2.0},
])
def test_bad_arguments_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        detect_communities(karate(), **kwargs)


def test_all_zero_weights_is_input_error():
    g = SocialGraph.from_pairs([("a", "b", "share"), ("b", "c", "share")],
                               type_weights={"share": 0.0})
    with pytest.raises(InputError, match="weight 0"):
        detect_communities(g)
    assert detect_communities(g, weighted=False, rng=1).n_communities >= 1


def test_methods_constant():
    assert METHODS == ("leiden", "louvain", "lpa", "infomap")


# ----------------------------------------------------------------------------- membership files
def test_read_membership_round_trip_and_alignment(tmp_path):
    g = typed_example()
    p = detect_communities(g, rng=1)
    for ext in ("csv", "tsv", "parquet", "json", "jsonl"):
        path = tmp_path / f"m.{ext}"
        from graphkit.io import write_table

        meta = {"method": "leiden"} if ext == "json" else None
        write_table(p.table(), str(path), meta=meta)
        back = read_membership(str(path))
        assert back.values.tolist() == p.table().values.tolist(), ext
        assert np.array_equal(membership_array(g, back), p.membership)
        # the command line writes the columns (no pandas): the same bytes
        write_table(p.table_columns(), str(tmp_path / f"cols.{ext}"), meta=meta)
        assert (tmp_path / f"cols.{ext}").read_bytes() == path.read_bytes(), ext


def test_read_membership_errors(tmp_path):
    bad = {"nocol.csv": "user,group\na,1\n", "neg.csv": "user,community\na,-1\n",
           "frac.csv": "user,community\na,1.5\n", "dup.csv": "user,community\na,1\na,2\n"}
    for name, text in bad.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(InputError):
            read_membership(str(tmp_path / name))
    g = two_triangles()
    table = pd.DataFrame({"user": ["a1", "ghost"], "community": [0, 1]})
    with pytest.raises(UnknownUserError):
        membership_array(g, table)
    arr = membership_array(g, table, missing_users="drop")
    assert arr[g.index(["a1"])][0] == 0 and (arr >= 0).sum() == 1


# ----------------------------------------------------------------------------- CLI
def run(args):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


@pytest.fixture
def sbm_file(tmp_path):
    g, _ = planted(seed=8, blocks=5, size=40, p_in=0.2, p_out=0.01)
    e = g.edges()
    path = tmp_path / "sbm.csv"
    e.assign(type=np.where(np.arange(len(e)) % 3 == 0, "share", "follow"))[
        ["source", "target", "type"]].to_csv(path, index=False)
    return path


def test_cli_same_seed_identical_files(tmp_path, sbm_file):
    outs = []
    for i in range(2):
        m, s = tmp_path / f"m{i}.csv", tmp_path / f"s{i}.json"
        r = run(["communities", str(sbm_file), "--random-seed", "4", "--runs", "2",
                 "-o", str(m), "--summary", str(s), "-q"])
        assert r.exit_code == 0, r.output
        outs.append((m.read_bytes(), s.read_bytes()))
    assert outs[0] == outs[1]
    table = read_membership(str(tmp_path / "m0.csv"))
    assert len(table) == 200 and table.community.min() == 0
    sizes = table.community.value_counts().sort_index().tolist()
    assert sizes == sorted(sizes, reverse=True)
    summary = json.loads((tmp_path / "s0.json").read_text())
    assert summary["seed"] == 4 and len(summary["rows"]) == table.community.nunique()


def test_cli_membership_alone_is_the_library_table(tmp_path, sbm_file):
    # -o without --summary skips the summary: the same file as with it, and the library's
    m1, m2, s = tmp_path / "m1.json", tmp_path / "m2.json", tmp_path / "s.csv"
    for args in (["-o", str(m1)], ["-o", str(m2), "--summary", str(s)]):
        r = run(["communities", str(sbm_file), "--random-seed", "6", "-q", *args])
        assert r.exit_code == 0, r.output
    assert m1.read_bytes() == m2.read_bytes()
    g = SocialGraph.from_edges(gk.read_edges([str(sbm_file)]))
    lib = detect_communities(g, rng=6)
    got = json.loads(m1.read_text())
    assert got["modularity"] == lib.modularity and got["n_communities"] == lib.n_communities
    assert [[r["user"], r["community"]] for r in got["rows"]] == lib.table().values.tolist()


def test_cli_json_stdout(sbm_file):
    r = run(["communities", str(sbm_file), "--method", "louvain", "--format", "json",
             "--random-seed", "1", "-q"])
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert out["method"] == "louvain" and out["seed"] == 1 and "stability" not in out
    assert 0.3 < out["modularity"] < 1
    for key in ("community", "size", "density", "conductance", "top_members", "bridges"):
        assert key in out["communities"][0]
    r = run(["communities", str(sbm_file), "--format", "json", "--runs", "3", "--random-seed",
             "1", "-q"])
    assert 0 <= json.loads(r.stdout)["stability"] <= 1


def test_cli_table_csv_and_min_size(sbm_file, tmp_path):
    r = run(["communities", str(sbm_file), "--random-seed", "2", "--top", "2"])
    assert r.exit_code == 0
    assert "modularity" in r.stdout
    assert "2 of 5 communities shown" in r.stdout.replace("\n", " ")
    assert "random seed" not in r.stderr and "leiden: 5 communities" in r.stderr
    r = run(["communities", str(sbm_file), "--random-seed", "2", "--format", "csv",
             "--min-size", "1000", "-q"])
    rows = r.stdout.strip().splitlines()
    assert rows[0].split(",") == list(SUMMARY_COLUMNS) and len(rows) == 2
    assert rows[1].startswith("-1,200,")
    s = tmp_path / "s.csv"
    run(["communities", str(sbm_file), "--random-seed", "2", "--summary", str(s), "-q"])
    df = pd.read_csv(s, keep_default_na=False)
    assert len(df) == 5 and all(len(v.split(";")) == 3 for v in df.top_members)


@pytest.mark.parametrize("min_size, top", [(1, 20), (1, 2), (41, 20), (41, 1), (1000, 3)])
def test_cli_table_from_columns_equals_from_the_dataframe(sbm_file, capsys, min_size, top):
    # the terminal's table is drawn from summary_columns; the Spark engine hands the same
    # function a DataFrame (its summarize): both give the same text, folded row included
    from graphkit.cli.commands.communities import _print_communities_table

    g = SocialGraph.from_edges(gk.read_edges([str(sbm_file)]))
    p = detect_communities(g, rng=2)
    shown = []
    for summary in (p.summary_columns(min_size=min_size), p.summarize(min_size=min_size)):
        _print_communities_table(p, summary, top, min_size)
        shown.append(capsys.readouterr().out)
    assert shown[0] == shown[1]
    assert ("other" in shown[0]) == bool((p.sizes < min_size).any())


@pytest.mark.parametrize("args", [
    ["--method", "girvan"], ["--resolution", "0"], ["--resolution", "-2"],
    ["--resolution", "nan"], ["--runs", "0"], ["--min-size", "0"],
    ["--method", "lpa", "--resolution", "0.5"], ["-o", "members.txt"], ["--summary", "s.txt"],
])
def test_cli_usage_errors_exit_2(sbm_file, tmp_path, args):
    r = run(["communities", str(sbm_file), *args])
    assert r.exit_code == 2, r.output
    assert not (tmp_path / "members.txt").exists()


def test_cli_bad_input_exit_1(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("source,target,type\na,b,share\n")
    r = run(["communities", str(path), "--type-weight", "share=0", "--random-seed", "1"])
    assert r.exit_code == 1 and "weight 0" in r.stderr
