"""Communities on Spark: label propagation against a pure-Python reference, modularity
against networkx, the same output for any partitioning, a planted partition recovered."""

from __future__ import annotations

import os
import sys
import time

import networkx as nx
import numpy as np
import pytest

import graphkit as gk

pytestmark = pytest.mark.spark


# ----------------------------------------------------------------- references
def projection(g: gk.SocialGraph, weighted=True):
    """{(a, b): w} with a < b by id: the local engine's undirected projection, by hand."""
    out: dict = {}
    for a, b, w in zip(g.sources(), g.indices, g.weight):
        u, v = sorted((str(g.node_ids[a]), str(g.node_ids[b])))
        out[(u, v)] = out.get((u, v), 0.0) + float(w)
    return {k: (w if weighted else 1.0) for k, w in out.items()}


def python_lpa(pairs: dict, users, seed, max_iter=30):
    """Semi-synchronous label propagation, written plainly: labels are ranks of ids in
    sorted order; a user's own label votes with its heaviest pair's weight; the largest
    summed weight wins, ties to the smallest tie_key, then the smallest label; the users
    whose tie_key(seed, round, user, -1) is even take their best label."""
    from graphkit.spark.communities import tie_key

    rank = {u: i for i, u in enumerate(sorted(users))}
    nbrs: dict = {u: {} for u in users}
    for (a, b), w in pairs.items():
        nbrs[a][b] = nbrs[a].get(b, 0.0) + w
        nbrs[b][a] = nbrs[b].get(a, 0.0) + w
    label = {u: rank[u] for u in users}
    rounds = 0
    for rounds in range(1, max_iter + 1):
        new = {}
        for u in users:
            if not nbrs[u]:
                new[u] = label[u]
                continue
            votes: dict = {label[u]: max(nbrs[u].values())}
            for v, w in nbrs[u].items():
                votes[label[v]] = votes.get(label[v], 0.0) + w
            top = max(votes.values())
            new[u] = min((tie_key(seed, rounds, rank[u], lab), lab)
                         for lab, s in votes.items() if s == top)[1]
        if all(new[u] == label[u] for u in users):
            break  # converged: nobody wants another label
        # a seeded half of the users moves each round
        label = {u: new[u] if tie_key(seed, rounds, rank[u], -1) % 2 == 0 else label[u]
                 for u in users}
    return label, rounds


def by_size(label: dict) -> dict:
    """Communities numbered by size, then smallest member id (the local rule)."""
    groups: dict = {}
    for u, lab in label.items():
        groups.setdefault(lab, []).append(u)
    order = sorted(groups.values(), key=lambda m: (-len(m), min(m)))
    return {u: i for i, members in enumerate(order) for u in members}


def messy_csv(path, seed=3):
    """String ids (spaces, '#', emoji, leading zeros), typed repeated rows, a one-way
    pair, a self-loop-only user, in a BOM + CRLF CSV."""
    rng = np.random.default_rng(seed)
    names = [f"u{i:02d}" for i in range(24)] + ["#tag", "ann smith", "😀", "007", "7"]
    rows = ["source,target,type"]
    types = ["follow", "share", "comment"]
    for _ in range(90):
        a, b = rng.choice(len(names), 2, replace=False)
        rows.append(f'"{names[a]}",{names[b]},{types[rng.integers(3)]}')
    rows += ["pair-b,pair-a,share", "loner,loner,follow"]
    path.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    return str(path)


def planted_csv(path, groups=4, size=12, seed=11):
    """Dense groups (p_in 0.7) with a few edges between them (p_out 0.02)."""
    rng = np.random.default_rng(seed)
    rows = ["source,target"]
    n = groups * size
    for a in range(n):
        for b in range(n):
            if a != b and rng.random() < (0.7 if a // size == b // size else 0.02):
                rows.append(f"g{a // size}-{a:03d},g{b // size}-{b:03d}")
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def spark_graph(spark, path, tw=None):
    from graphkit.spark import index_graph, read_edges

    return index_graph(read_edges(spark, path, type_weights=tw))


def membership_dict(part) -> dict:
    return {r["user"]: int(r["community"]) for r in part.membership.collect()}


# ----------------------------------------------------------------- tests
@pytest.fixture(scope="module")
def messy(spark, tmp_path_factory):
    path = messy_csv(tmp_path_factory.mktemp("c") / "messy.csv")
    tw = {"share": 3, "comment": 0.5}
    return path, tw, spark_graph(spark, path, tw), gk.SocialGraph.from_edges(
        gk.read_edges(path, type_weights=tw))


@pytest.mark.parametrize("weighted, on", [(True, "cluster"), (True, "driver"),
                                          pytest.param(False, "cluster", marks=pytest.mark.slow)])
def test_lpa_matches_a_pure_python_lpa_and_modularity_matches_networkx(messy, weighted, on):
    from graphkit.spark import detect_communities

    _, _, sg, g = messy
    part = detect_communities(sg, "lpa", weighted=weighted, rng=4,
                              driver_edges=0 if on == "cluster" else None)
    assert part.details["lpa_on"] == on
    pairs = projection(g, weighted)
    users = sorted(map(str, g.node_ids))
    want, rounds = python_lpa(pairs, users, part.details["lpa_seed"])
    want = {u: users[lab] for u, lab in want.items()}  # a label named by its user
    assert membership_dict(part) == by_size(want)
    assert part.details["lpa_iterations"] == rounds and part.details["lpa_converged"]
    assert part.sizes.tolist() == sorted(np.bincount(list(by_size(want).values())),
                                         reverse=True)
    # modularity on the cluster = networkx's on the same weighted projection
    nxg = nx.Graph()
    nxg.add_nodes_from(users)
    nxg.add_weighted_edges_from((a, b, w) for (a, b), w in pairs.items())
    groups: dict = {}
    for u, c in membership_dict(part).items():
        groups.setdefault(c, set()).add(u)
    ref = nx.community.modularity(nxg, list(groups.values()), weight="weight")
    assert abs(part.modularity - ref) < 1e-12
    # and the local engine's modularity of the same membership
    local = gk.modularity(g, [membership_dict(part)[str(u)] for u in g.node_ids],
                          weighted=weighted)
    assert abs(part.modularity - local) < 1e-12


def test_modularity_of_any_membership_matches_networkx(spark, messy):
    import pandas as pd

    from graphkit.spark import modularity

    _, _, sg, g = messy
    users = sorted(map(str, g.node_ids))
    rng = np.random.default_rng(1)
    memb = {u: int(rng.integers(3)) for u in users[:-3]}  # the last 3 left out: alone
    df = spark.createDataFrame(pd.DataFrame({"user": list(memb), "community": list(memb.values())}))
    pairs = projection(g)
    nxg = nx.Graph()
    nxg.add_nodes_from(users)
    nxg.add_weighted_edges_from((a, b, w) for (a, b), w in pairs.items())
    groups = [{u for u in memb if memb[u] == c} for c in range(3)] + [{u} for u in users[-3:]]
    ref = nx.community.modularity(nxg, [s for s in groups if s], weight="weight", resolution=0.7)
    assert abs(modularity(sg, df, resolution=0.7) - ref) < 1e-12


def test_the_same_partition_for_one_or_three_input_partitions_or_the_driver(spark, messy):
    from graphkit.spark import SparkGraph, detect_communities

    _, _, sg, _ = messy
    outs = []
    for p, limit in ((1, 0), (3, 0), (3, None)):  # on the cluster (1, 3 partitions), driver
        g = SparkGraph(sg.ids.repartition(p), sg.edges.repartition(p), sg.n_nodes,
                       sg.n_edges, sg.types, sg.source)
        part = detect_communities(g, "leiden", rng=5, driver_edges=limit)
        outs.append((membership_dict(part), part.modularity, part.details["lpa_iterations"]))
    for other in outs[1:]:
        assert other[0] == outs[0][0] and other[2] == outs[0][2]
        assert abs(other[1] - outs[0][1]) < 1e-12


def test_ranks_contraction_merged_on_the_cluster_and_the_fallbacks_agree(spark, messy):
    import dataclasses

    import pandas as pd

    from graphkit.spark import detect_communities
    from graphkit.spark.propagation import ordinals

    _, _, sg, _ = messy
    ids = {r["node"]: r["user"] for r in sg.ids.collect()}
    rank = {u: i for i, u in enumerate(sorted(ids.values()))}  # code point order
    assert ordinals(sg).tolist() == [rank[ids[p]] for p in range(sg.n_nodes)]
    part = detect_communities(sg, "leiden", rng=6, driver_edges=0)
    c = part.details["contracted_pairs"]
    assert sg.n_edges > c  # a limit of c: the blocks' sums merged by group on the cluster
    merged = detect_communities(sg, "leiden", rng=6, driver_limit=c, driver_edges=0)
    assert merged.details["leiden"] == "driver" and merged.details["contracted_pairs"] == c
    assert membership_dict(merged) == membership_dict(part)
    assert merged.modularity == part.modularity
    for limit in (0, None):  # past the driver limit, on the cluster and on the driver
        skipped = detect_communities(sg, "leiden", rng=6, driver_limit=c - 1,
                                     driver_edges=limit)
        assert skipped.details["leiden"].startswith("skipped:")
        assert skipped.details["contracted_pairs"] == c
    # a partition without its per-user vectors: the summary and table recompute them
    bare = dataclasses.replace(part, vectors=None)
    assert bare.table().equals(part.table())
    pd.testing.assert_frame_equal(bare.summarize(min_size=2), part.summarize(min_size=2))


@pytest.mark.slow  # the default run recovers the planted partition through the CLI test
def test_leiden_on_the_contracted_graph_recovers_a_planted_partition(spark, tmp_path):
    from graphkit.spark import detect_communities

    path = planted_csv(tmp_path / "planted.csv")
    sg = spark_graph(spark, path)
    part = detect_communities(sg, "leiden", rng=3)
    got = membership_dict(part)
    truth = [u.split("-")[0] for u in sorted(got)]
    assert gk.nmi(truth, [got[u] for u in sorted(got)]) == 1.0
    assert part.n_communities == 4 and part.sizes.tolist() == [12] * 4
    assert part.details["leiden"] == "driver"
    # at least the modularity of the label groups, and what the local engine's Leiden finds
    lpa = detect_communities(sg, "lpa", rng=3)
    g = gk.SocialGraph.from_edges(gk.read_edges(path))
    local = gk.detect_communities(g, rng=3)
    assert part.modularity >= lpa.modularity - 1e-12
    assert abs(part.modularity - local.modularity) < 1e-9
    # past the driver limit: the label groups, said so
    skipped = detect_communities(sg, "leiden", rng=3, driver_limit=1)
    assert skipped.details["leiden"].startswith("skipped:")
    coarse = detect_communities(sg, "lpa", rng=3, max_iter=skipped.details["lpa_iterations"])
    assert membership_dict(skipped) == membership_dict(coarse)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux only")
def test_leiden_in_a_child_beside_the_summary_collects_changes_nothing(spark, messy, tmp_path,
                                                                      monkeypatch):
    import pandas as pd

    from graphkit import _forked
    from graphkit.spark import communities as sc
    from graphkit.spark import detect_communities
    from graphkit.spark import leiden as sl
    from graphkit.spark.link_analysis import DRIVER_EDGES_CONF

    _, _, sg, _ = messy
    monkeypatch.setattr(_forked, "ENABLED", False)
    here = detect_communities(sg, "leiden", rng=8, driver_edges=0)
    assert here.collected is None
    want = here.summarize(min_size=2)  # a pass over the rows, a collect of the edges inside

    monkeypatch.setattr(_forked, "ENABLED", True)
    monkeypatch.setattr(sl, "FORK_PAIRS", 1)
    parent, flag = os.getpid(), tmp_path / "collected"
    leiden, collect = sl._leiden_on_driver, sc._for_summary

    def slow_leiden(*args):  # waits, in the child, until the parent has collected
        (tmp_path / "leiden-pid").write_text(str(os.getpid()))
        deadline = time.monotonic() + 60
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        (tmp_path / "saw").write_text(str(flag.exists()))
        return leiden(*args)

    def collect_then_flag(*args):
        got = collect(*args)
        flag.write_text("1")
        return got

    monkeypatch.setattr(sl, "_leiden_on_driver", slow_leiden)
    monkeypatch.setattr(sc, "_for_summary", collect_then_flag)
    part = detect_communities(sg, "leiden", rng=8, driver_edges=0, collect_for_summary=True)
    assert int((tmp_path / "leiden-pid").read_text()) != parent
    assert (tmp_path / "saw").read_text() == "True"  # the collects ran while Leiden did
    assert membership_dict(part) == membership_dict(here)
    assert part.modularity == here.modularity and part.details == here.details
    # what was collected: every pair sorted by (target, source); every row's users and type
    pos = {r["user"]: r["node"] for r in sg.ids.collect()}
    dst, src, w = part.collected["edges"]
    pairs = sorted((r["dst"], r["src"], r["weight"]) for r in sg.edges.collect())
    assert list(zip(dst.tolist(), src.tolist(), w.tolist())) == pairs
    s, d, t = part.collected["rows"]
    rows = sorted((pos[r["source"]], pos[r["target"]], sg.types.index(r["type"]))
                  for r in sg.source.frame.collect())
    assert sorted(zip(s.tolist(), d.tolist(), t.tolist())) == rows
    pd.testing.assert_frame_equal(part.summarize(min_size=2), want)

    # a child that fails: Leiden again in this process, the same result
    def fails_in_the_child(*args):
        if os.getpid() != parent:
            raise MemoryError("no room in the child")
        return leiden(*args)

    monkeypatch.setattr(sl, "_leiden_on_driver", fails_in_the_child)
    again = detect_communities(sg, "leiden", rng=8, driver_edges=0, collect_for_summary=True)
    assert membership_dict(again) == membership_dict(here)
    assert set(again.collected) == {"rows", "edges", "pagerank"}

    # past PageRank's driver limit (and Leiden's): nothing collected, the same summary
    c = here.details["contracted_pairs"]
    assert c < sg.n_edges < sg.source.rows
    spark.conf.set(DRIVER_EDGES_CONF, "0")
    try:
        kept = detect_communities(sg, "leiden", rng=8, driver_edges=0, driver_limit=c,
                                  collect_for_summary=True)
        assert kept.collected is None and kept.details["leiden"] == "driver"
        assert membership_dict(kept) == membership_dict(here)
        pd.testing.assert_frame_equal(kept.summarize(min_size=2), want)
        edges_only = detect_communities(sg, "leiden", rng=8, driver_edges=0,
                                        driver_limit=sg.n_edges, collect_for_summary=True)
        assert set(edges_only.collected) == {"edges", "pagerank"}  # rows: on the cluster
        pd.testing.assert_frame_equal(edges_only.summarize(min_size=2), want)
    finally:
        spark.conf.unset(DRIVER_EDGES_CONF)


def test_refusals(spark, messy):
    from graphkit.spark import detect_communities

    _, _, sg, _ = messy
    with pytest.raises(ValueError, match="louvain"):
        detect_communities(sg, "louvain")
    with pytest.raises(ValueError, match="resolution applies to leiden"):
        detect_communities(sg, "lpa", resolution=2.0)


def test_summary_on_the_cluster_matches_the_local_summary_of_the_same_membership(messy):
    from graphkit.communities import Partition
    from graphkit.spark import detect_communities

    _, _, sg, g = messy
    part = detect_communities(sg, "lpa", rng=2)
    got = part.summarize(min_size=2)
    memb = membership_dict(part)
    local = Partition(membership=np.array([memb[str(u)] for u in g.node_ids], dtype=np.int64),
                      modularity=part.modularity, method="lpa", resolution=1.0, seed=None,
                      stability=None, graph=g)
    want = local.summarize(min_size=2)
    assert list(got.columns) == list(want.columns)
    for col in got.columns:
        if col in ("density", "conductance"):
            assert np.allclose(got[col], want[col], rtol=1e-12, equal_nan=True), col
        else:
            assert got[col].tolist() == want[col].tolist(), col


def test_communities_cli_engine_spark_prints_what_the_local_engine_prints(spark, tmp_path):
    import json

    import pandas as pd
    from click.testing import CliRunner

    from graphkit.cli import cli
    from graphkit.spark.communities import DRIVER_EDGES_CONF

    path = planted_csv(tmp_path / "planted.csv")
    runner = CliRunner()
    args = ["communities", path, "--random-seed", "3", "--format", "json"]
    local = runner.invoke(cli, args + ["-o", str(tmp_path / "local.csv")])
    try:  # on the executors (the library tests check the driver's path gives the same)
        remote = runner.invoke(cli, args + ["--engine", "spark", "--spark-master", "local[2]",
                                            "--spark-conf", f"{DRIVER_EDGES_CONF}=0",
                                            "-o", str(tmp_path / "spark.csv")])
    finally:  # the session is the tests' (the setting would outlive the command)
        spark.conf.unset(DRIVER_EDGES_CONF)
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    want, got = json.loads(local.stdout), json.loads(remote.stdout)
    assert abs(got.pop("modularity") - want.pop("modularity")) < 1e-9
    for a, b in zip(got["communities"], want["communities"]):
        assert abs(a.pop("conductance") - b.pop("conductance")) < 1e-12
    assert got == want
    assert "leiden ran in the driver on the contracted graph" in remote.stderr
    a, b = (pd.read_csv(tmp_path / f, dtype={"user": str}) for f in ("local.csv", "spark.csv"))
    assert a.equals(b)


@pytest.mark.parametrize("extra, named", [(["--method", "louvain"], "--method leiden or lpa"),
                                          (["--runs", "3"], "--runs"),
                                          (["--leiden-tol", "1e-4"], "--leiden-tol"),
                                          (["--undirected"], "--undirected"),
                                          (["--method", "lpa", "--resolution", "2"],
                                           "--resolution"),
                                          (["--spark-conf",
                                            "spark.graphkit.communities.driverLimit=lots"],
                                           "driverLimit must be a positive integer"),
                                          (["--spark-conf",
                                            "spark.graphkit.communities.driverEdges=-1"],
                                           "driverEdges must be a whole number")])
def test_communities_engine_spark_refuses_what_it_does_not_do(extra, named):
    from click.testing import CliRunner

    from graphkit.cli import cli

    res = CliRunner().invoke(cli, ["communities", "data/example.csv", "--engine", "spark",
                                   *extra])
    assert res.exit_code == 2 and named in res.output, res.output
