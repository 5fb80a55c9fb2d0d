"""Tests for graphkit/weighting.py: direction, every probability model by hand, LT normalisation."""

from __future__ import annotations

import csv
import gzip
import math
from pathlib import Path

import numpy as np
import pytest

from graphkit.errors import InputError
from graphkit.graph import SocialGraph
from graphkit.io import read_edges
from graphkit.weighting import (
    TRIVALENCY_VALUES,
    InfluenceGraph,
    influence_graph,
    lt_normalize,
    parse_prob,
    typed,
    weighted_cascade,
)

ROOT = Path(__file__).resolve().parents[1]
NETHEPT_CSV = ROOT / "data" / "nethept.csv.gz"
NETHEPT_SOURCE = ROOT.parent / "shared" / "data" / "nethept" / "NetHEPT.directed_WC_weights.jxshang_IMPC.txt.gz"


def arcs_of(ig: InfluenceGraph) -> dict:
    """{(influencer, influenced): p} read off the forward CSR."""
    return {(s, t): p for s, t, p in ig.to_frame().itertuples(index=False)}


def tiny() -> SocialGraph:
    """bob acted on alice (follow, share x2) and carol (comment); dan followed alice."""
    return SocialGraph.from_pairs([
        ("bob", "alice", "follow"), ("bob", "alice", "share"), ("bob", "alice", "share"),
        ("bob", "carol", "comment"), ("dan", "alice", "follow"),
    ])


# --------------------------------------------------------------------------- direction, wc
def test_influence_flows_from_target_to_actor():
    ig = influence_graph(tiny(), "uniform:0.5")
    assert set(arcs_of(ig)) == {("alice", "bob"), ("carol", "bob"), ("alice", "dan")}
    alice = list(ig.node_ids).index("alice")
    reached = ig.node_ids[ig.indices[ig.indptr[alice]:ig.indptr[alice + 1]]]
    assert sorted(reached) == ["bob", "dan"]
    # reverse view = the attention CSR: bob's influencers are the users bob acted on
    bob = list(ig.node_ids).index("bob")
    assert sorted(ig.node_ids[ig.in_indices[ig.in_indptr[bob]:ig.in_indptr[bob + 1]]]) == ["alice", "carol"]
    assert np.array_equal(ig.prob, ig.in_prob[ig.edge_of])


def test_wc_is_one_over_the_number_of_users_the_actor_acted_on():
    g = tiny()
    ig = influence_graph(g, "wc")
    assert arcs_of(ig) == {("alice", "bob"): 0.5, ("carol", "bob"): 0.5, ("alice", "dan"): 1.0}
    # = 1 / in-degree in the influence graph, = 1 / out-degree of the actor in attention
    assert np.allclose(weighted_cascade(g), 1.0 / np.repeat(g.out_degree(), g.out_degree()))
    indeg = ig.in_degree()
    dst = np.repeat(np.arange(ig.n_nodes), indeg)
    assert np.allclose(ig.in_prob, 1.0 / indeg[dst])
    assert ig.model == "wc"


def test_uniform_and_parse_errors():
    ig = influence_graph(tiny(), "uniform:0.25")
    assert np.all(ig.prob == 0.25) and ig.model == "uniform:0.25"
    assert parse_prob("column:p") == ("column", "p")
    assert parse_prob("learned:a:b.csv") == ("learned", "a:b.csv")
    for bad in ("uniform:1.5", "uniform:-0.1", "uniform:x", "uniform", "nope", "wc:3", "column:"):
        with pytest.raises(ValueError):
            parse_prob(bad)
    with pytest.raises(ValueError):
        influence_graph(tiny(), "uniform:2")


def test_trivalency_values_and_seeding():
    g = SocialGraph.from_pairs([(f"u{i}", f"u{(i * 7 + 3) % 50}") for i in range(50)])
    a = influence_graph(g, "trivalency", rng=3).prob
    b = influence_graph(g, "trivalency", rng=3).prob
    c = influence_graph(g, "trivalency", rng=4).prob
    assert set(np.unique(a)) <= set(TRIVALENCY_VALUES)
    assert len(np.unique(a)) == 3  # 50 edges: all three values appear
    assert np.array_equal(a, b) and not np.array_equal(a, c)


# --------------------------------------------------------------------------- typed
def test_typed_formula_by_hand():
    g = tiny()
    ig = influence_graph(g, "typed", type_probs={"share": 0.05, "follow": 0.01, "comment": 0.03})
    arcs = arcs_of(ig)
    assert arcs[("alice", "bob")] == pytest.approx(1 - (1 - 0.05) ** 2 * (1 - 0.01), abs=1e-15)
    assert arcs[("carol", "bob")] == pytest.approx(0.03, abs=1e-15)
    assert arcs[("alice", "dan")] == pytest.approx(0.01, abs=1e-15)
    assert ig.model == "typed:share=0.05,follow=0.01,comment=0.03"
    assert ig.report["warnings"] == []


def test_typed_unnamed_types_contribute_nothing_and_unknown_types_warn():
    g = tiny()
    ig = influence_graph(g, "typed", type_probs={"share": 0.5, "like": 0.2})
    arcs = arcs_of(ig)
    assert arcs[("alice", "bob")] == pytest.approx(0.75)
    assert arcs[("carol", "bob")] == 0.0 and arcs[("alice", "dan")] == 0.0
    assert len(ig.report["warnings"]) == 1 and "like" in ig.report["warnings"][0]
    assert set(ig.report["types_without_probability"]) == {"comment", "follow"}


def test_typed_edge_cases():
    g = tiny()
    p = typed(g, {"share": 1.0, "follow": 0.0})
    assert sorted(p.tolist()) == [0.0, 0.0, 1.0]
    assert not np.isnan(p).any()
    with pytest.raises(InputError, match="outside"):
        typed(g, {"share": 1.5})
    with pytest.raises(ValueError, match="type-prob"):
        influence_graph(g, "typed")
    with pytest.raises(ValueError, match="typed model only"):
        influence_graph(g, "wc", type_probs={"share": 0.1})


# --------------------------------------------------------------------------- column
def test_column_merges_rows_and_keeps_single_rows_exact(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(
        "source,target,type,p\n"
        "bob,alice,share,0.1\n"
        "bob,alice,share,0.2\n"
        "carol,alice,follow,0.123456789\n"
        "alice,alice,share,0.9\n"      # self-loop: dropped with its p
        "dan,carol,comment,1\n"
    )
    edges = read_edges([str(path)], extra_cols=("p",))
    g = SocialGraph.from_edges(edges)
    arcs = arcs_of(influence_graph(g, "column:p", edges=edges))
    assert arcs[("alice", "bob")] == pytest.approx(1 - 0.9 * 0.8, abs=1e-15)
    assert arcs[("alice", "carol")] == 0.123456789  # bit for bit
    assert arcs[("carol", "dan")] == 1.0


@pytest.mark.parametrize("name, text, line, value", [
    ("e.csv", "source,target,p\na,b,0.5\nb,b,0.7\n\nc,a,1.5\n", 5, "1.5"),
    # a dropped self-loop row holding a bad value is still the first bad line of the file
    ("f.csv", "source,target,p\na,b,0.5\nb,b,3\nc,a,1.5\n", 3, "3"),
    ("e.tsv", "source\ttarget\tp\na\tb\t0.5\nc\ta\t2\n", 3, "2"),
    ("e.txt", "# snap style: source target type p\na b share 0.5\nb b share 0.2\nc a share 1.01\n", 4, "1.01"),
])
def test_column_probability_above_one_names_file_and_line(tmp_path, name, text, line, value):
    path = tmp_path / name
    path.write_text(text)
    col = "4" if name.endswith(".txt") else "p"  # headerless: 1-based position
    edges = read_edges([str(path)], extra_cols=(col,))
    g = SocialGraph.from_edges(edges)
    with pytest.raises(InputError) as info:
        influence_graph(g, f"column:{col}", edges=edges)
    msg = str(info.value)
    assert msg == f"{path}:{line}: {col} {value} is not a probability (must be in [0, 1])"


def test_column_needs_the_column():
    edges = read_edges([str(ROOT / "data" / "example.csv")])
    g = SocialGraph.from_edges(edges)
    with pytest.raises(InputError, match="extra_cols"):
        influence_graph(g, "column:p", edges=edges)
    with pytest.raises(ValueError, match="edge table"):
        influence_graph(g, "column:p")


# --------------------------------------------------------------------------- learned
def test_learned_file(tmp_path):
    g = tiny()
    f = tmp_path / "probs.csv"
    f.write_text(
        "source,target,p,extra\n"
        "bob,alice,0.4,x\n"
        "dan,alice,1,x\n"
        "zed,alice,0.3,x\n"      # unknown user
        "alice,dan,0.2,x\n"      # both known, not an edge
    )
    ig = influence_graph(g, f"learned:{f}")
    arcs = arcs_of(ig)
    assert arcs == {("alice", "bob"): 0.4, ("carol", "bob"): 0.0, ("alice", "dan"): 1.0}
    r = ig.report
    assert (r["rows"], r["edges_covered"], r["edges_missing"], r["unknown_user_rows"],
            r["non_edge_rows"]) == (4, 2, 1, 1, 1)
    assert len(r["warnings"]) == 3


@pytest.mark.parametrize("text, match", [
    ("source,target,p\nbob,alice,0.4\nbob,carol,1.2\n", r":3: p '1.2' is not a probability"),
    ("source,target,p\nbob,alice,-0.1\n", r":2: p '-0.1' is not a probability"),
    ("source,target,p\nbob,alice,abc\n", r":2: p 'abc' is not a probability"),
    ("source,target,p\nbob,alice,0.4\n,carol,0.1\n", r":3: source is empty"),
    ("source,target,p\nbob,alice,0.4\nbob,carol,0.1\nbob,alice,0.5\n",
     r":4: duplicate pair \(bob, alice\), first given on line 2"),
    ("source,target,prob\nbob,alice,0.4\n", r"needs the columns source,target,p"),
])
def test_learned_file_errors(tmp_path, text, match):
    f = tmp_path / "probs.csv"
    f.write_text(text)
    with pytest.raises(InputError, match=match):
        influence_graph(tiny(), f"learned:{f}")
    with pytest.raises(InputError, match="no such file"):
        influence_graph(tiny(), f"learned:{tmp_path / 'missing.csv'}")


# --------------------------------------------------------------------------- LT normalisation
def test_lt_normalisation_divides_only_rows_above_one():
    # bob is influenced by alice (0.7) and carol (0.6): sum 1.3 -> divided; dan: 0.4 kept
    g = SocialGraph.from_pairs([("bob", "alice"), ("bob", "carol"), ("dan", "alice")])
    p = np.empty(3)
    p[g.find_edges(g.index(["bob", "bob", "dan"]), g.index(["alice", "carol", "alice"]))] = [0.7, 0.6, 0.4]
    ig = influence_graph(g, p)
    w = dict(zip(zip(ig.node_ids[np.repeat(np.arange(ig.n_nodes), ig.out_degree())],
                     ig.node_ids[ig.indices]), ig.lt_weights))
    assert w[("alice", "bob")] == pytest.approx(0.7 / 1.3)
    assert w[("carol", "bob")] == pytest.approx(0.6 / 1.3)
    assert w[("alice", "dan")] == 0.4
    assert np.array_equal(ig.lt_weights, ig.lt_in_weights[ig.edge_of])
    assert lt_normalize([0, 2, 2, 3], [0.5, 0.5, 0.2]).tolist() == [0.5, 0.5, 0.2]


def test_lt_incoming_sums_at_most_one_on_random_graph():
    rng = np.random.default_rng(5)
    n = 40
    src, dst = rng.integers(0, n, 200), rng.integers(0, n, 200)
    ig = InfluenceGraph.from_arcs(src, dst, rng.random(200), node_ids=[f"n{i}" for i in range(n)])
    sums = np.bincount(np.repeat(np.arange(n), ig.in_degree()), weights=ig.lt_in_weights, minlength=n)
    assert sums.max() <= 1 + 1e-12
    raw = np.bincount(np.repeat(np.arange(n), ig.in_degree()), weights=ig.in_prob, minlength=n)
    assert np.allclose(sums, np.minimum(raw, 1.0))


def test_from_arcs_direction_duplicates_and_validation():
    ig = InfluenceGraph.from_arcs([0, 0, 1, 2], [1, 1, 2, 2], [0.5, 0.5, 0.3, 0.9])
    assert arcs_of(ig) == {("0", "1"): pytest.approx(0.75), ("1", "2"): 0.3}
    with pytest.raises(InputError):
        InfluenceGraph.from_arcs([0], [1], [1.5])
    with pytest.raises(ValueError):
        InfluenceGraph.from_graph(tiny(), np.ones(2), "x")
    assert not ig.prob.flags.writeable


# --------------------------------------------------------------------------- NetHEPT
def _nethept_rows():
    with gzip.open(NETHEPT_CSV, "rt") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["source", "target", "p"]
    return rows[1:]


@pytest.fixture(scope="module")
def nethept():
    edges = read_edges([str(NETHEPT_CSV)], extra_cols=("p",))
    return SocialGraph.from_edges(edges), edges


def test_nethept_column_p_reproduces_the_source_probabilities_exactly(nethept):
    g, edges = nethept
    ig = influence_graph(g, "column:p", edges=edges)
    assert (ig.n_nodes, ig.n_edges) == (15229, 62752)
    arcs = arcs_of(ig)
    rows = _nethept_rows()
    # the bundled file is the source with each arc u v p written as v,u,p
    assert len(arcs) == len(rows)
    for v, u, p in rows:
        assert arcs[(u, v)] == float(p)
    if NETHEPT_SOURCE.exists():
        with gzip.open(NETHEPT_SOURCE, "rt") as fh:
            n, m = map(int, fh.readline().split())
            src = [line.split() for line in fh if line.strip()]
        assert (n, m) == (15229, len(src))
        assert all(arcs[(u, v)] == float(p) for u, v, p in src)


def test_nethept_wc_equals_the_source_probabilities(nethept):
    g, edges = nethept
    col = influence_graph(g, "column:p", edges=edges)
    wc = influence_graph(g, "wc")
    # the source writes 1/indegree with six decimals
    assert np.array_equal(np.round(wc.prob, 6), col.prob)
    assert math.isclose(np.abs(wc.prob - col.prob).max(), 0, abs_tol=5e-7)


def test_as_influence_graph():
    from graphkit.weighting import as_influence_graph

    g = SocialGraph.from_pairs([("bob", "alice"), ("carol", "alice")])
    ig = as_influence_graph(g)
    assert ig.model == "wc" and ig.prob.tolist() == [1.0, 1.0]
    assert as_influence_graph(g, "uniform:0.2").prob.tolist() == [0.2, 0.2]
    assert as_influence_graph(ig) is ig
    with pytest.raises(ValueError, match="already has probabilities"):
        as_influence_graph(ig, "wc")
    with pytest.raises(TypeError, match="must be a SocialGraph or an InfluenceGraph, not list"):
        as_influence_graph([("bob", "alice")])
