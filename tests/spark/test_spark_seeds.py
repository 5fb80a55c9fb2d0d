"""IMM on Spark: the local IMM's seeds, estimates and evaluation (integer ids, any
partitioning), the exact optimum on a tiny graph with text ids, the CLI and its refusals."""

from __future__ import annotations

import json

import numpy as np
import pytest

import graphkit as gk

from .test_spark_simulate import int_graph_csv, local_graph

pytestmark = pytest.mark.spark

QUICK = {"evaluate_runs": 256, "curve_sets": 500}


def same_selection(a, b) -> None:
    assert a.seeds == b.seeds
    assert a.table.equals(b.table)
    assert a.details == b.details
    assert a.guarantee == b.guarantee
    assert a.spread.activation_probability.tobytes() == b.spread.activation_probability.tobytes()
    assert (a.spread.mean, a.spread.ci_low, a.spread.ci_high) == (
        b.spread.mean, b.spread.ci_low, b.spread.ci_high)
    assert {k: v.mean for k, v in a.baselines.items()} == {k: v.mean for k, v in
                                                           b.baselines.items()}
    assert a.curve.equals(b.curve)


@pytest.mark.parametrize("model, baselines", [
    ("ic", False),
    pytest.param("lt", True, marks=pytest.mark.slow),
])
def test_imm_gives_the_local_engines_seeds_for_any_partitioning(spark, tmp_path, model,
                                                                baselines):
    from graphkit.spark import read_edges, select_seeds, social_graph

    path = int_graph_csv(tmp_path / "g.csv", seed=8)
    kw = dict(model=model, rng=4, baselines=baselines, **QUICK)
    want = gk.select_seeds(local_graph(path), 3, method="imm", **kw)
    sg = social_graph(read_edges(spark, path))
    for p, on_driver in ((1, None), (3, None), (3, 0)):  # 0: the greedy on the executors
        same_selection(select_seeds(spark, sg, 3, method="imm", partitions=p,
                                    driver_members=on_driver, **kw), want)


@pytest.mark.slow
def test_constraints_as_locally(spark, tmp_path):
    """include, exclude and targets go through the local constraint code; the distributed
    greedy honours them as the local one does."""
    from graphkit.spark import read_edges as spark_read
    from graphkit.spark import select_seeds, social_graph

    path = int_graph_csv(tmp_path / "g.csv", seed=8)
    g = local_graph(path)
    ids = g.node_ids.tolist()
    kw = dict(include=[ids[5]], exclude=[ids[0], ids[1]], targets=ids[10:40], rng=9,
              baselines=False, **QUICK)
    want = gk.select_seeds(g, 4, method="imm", **kw)
    got = select_seeds(spark, social_graph(spark_read(spark, path)), 4, method="imm",
                       partitions=2, **kw)
    same_selection(got, want)
    assert got.seeds[0] == ids[5] and not {ids[0], ids[1]} & set(got.seeds)


def test_the_exact_optimum_on_text_ids(spark, tmp_path):
    """Two stars (7 and 5 followers, p = 1) and a pair: the best 2 seeds are the hubs,
    reaching 8 + 6 users, whatever the numbering."""
    from graphkit.spark import read_edges, select_seeds

    rows = ["source,target"] + [f"fan {i},hub é" for i in range(7)] + [
        f"friend {i},hub 😀" for i in range(5)] + ["x,y"]
    path = tmp_path / "stars.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    sel = select_seeds(spark, read_edges(spark, str(path)), 2, prob="uniform:1", rng=1,
                       partitions=2, **QUICK)
    assert sel.seeds == ["hub é", "hub 😀"]
    assert sel.spread.mean == 14.0 and sel.spread.std == 0.0


@pytest.mark.parametrize("extra, flag", [
    (["--method", "celf"], "--method celf"),
    (["--method", "degree"], "--method degree"),
    (["--costs", "data/example-fees.csv"], "--costs"),
    (["--prob", "column:weight"], "--prob column:NAME"),
    (["--undirected"], "--undirected"),
])
def test_cli_seeds_engine_spark_refuses_what_it_does_not_do(extra, flag):
    from click.testing import CliRunner

    from graphkit.cli import cli

    res = CliRunner().invoke(cli, ["seeds", "data/example.csv", "-k", "2", "--engine", "spark",
                                   *extra])
    assert res.exit_code == 2, res.output
    assert flag in res.output and "--engine spark" in res.output
    assert "Traceback" not in res.output


def test_distributed_greedy_equals_the_local_greedy_on_ties(spark):
    """Many exact ties (every user in the same number of sets): the pick order follows the
    id rank, as graphkit.seeds.greedy.max_coverage."""
    from graphkit.seeds.greedy import max_coverage
    from graphkit.spark import SparkRRSets

    rng = np.random.default_rng(0)
    n = 30
    sets = [rng.choice(n, size=rng.integers(1, 5), replace=False) for _ in range(400)]
    offsets = np.cumsum([0] + [len(s) for s in sets])
    members = np.concatenate(sets).astype(np.int32)
    rank = rng.permutation(n)
    want = max_coverage(offsets, members, n, 6, id_rank=rank, fixed=[4],
                        eligible=np.arange(n) != 7)
    blocks = [(0, offsets[:201] - 0, members[:offsets[200]]),
              (1, offsets[200:] - offsets[200], members[offsets[200]:])]

    class Cons:
        k, budget, id_rank, include = 6, None, rank, np.array([4])
        eligible = np.arange(n) != 7

    for limit in (0, None):  # on the executors, one job a pick; on the driver
        rr = SparkRRSets(spark.sparkContext, None, n, driver_members=limit)
        rr._rdds = [spark.sparkContext.parallelize(blocks, 2)]
        rr.count, rr.total = len(sets), int(offsets[-1])
        got = rr.cover(Cons)
        assert got.picks.tolist() == want.picks.tolist()
        assert got.gains.tolist() == want.gains.tolist()
        assert got.fixed_gains.tolist() == want.fixed_gains.tolist()
        assert got.covered == want.covered
        assert rr.jobs == (1 if limit is None else 1 + 6)  # a collect; the counts + a pick


# --------------------------------------------------------------------------- OPIM-C
def random_sets(seed, n=30, count=400, top=5):
    rng = np.random.default_rng(seed)
    sets = [rng.choice(n, size=rng.integers(1, top), replace=False) for _ in range(count)]
    offsets = np.cumsum([0] + [len(s) for s in sets]).astype(np.int64)
    return offsets, np.concatenate(sets).astype(np.int32), rng.permutation(n)


def spark_sets(spark, offsets, members, n, parts, driver_members=0, batches=1):
    """A SparkRRSets holding the given sets, cut into ``parts`` blocks, in ``batches``
    RDDs (as successive ``extend`` calls make them), the blocks of each in reverse order
    (the order of a collect is not the sets' order)."""
    from graphkit.spark import SparkRRSets

    cuts = np.linspace(0, offsets.size - 1, parts + 1).round().astype(int)
    blocks = [(i, offsets[a:b + 1] - offsets[a], members[offsets[a]:offsets[b]])
              for i, (a, b) in enumerate(zip(cuts[:-1], cuts[1:]))]
    rr = SparkRRSets(spark.sparkContext, None, n, driver_members=driver_members)
    groups = [[blocks[i] for i in batch]
              for batch in np.array_split(np.arange(len(blocks)), batches)]
    rr._rdds = [spark.sparkContext.parallelize(g[::-1], len(g)) for g in groups if g]
    rr.count, rr.total = offsets.size - 1, int(offsets[-1])
    return rr


@pytest.mark.parametrize("parts, on", [(1, "executors"), (2, "executors"), (4, "executors"),
                                       (4, "driver")])
@pytest.mark.parametrize("k, fixed, banned", [(6, [4], [7]), (3, [], []), (29, [0, 1], [2])])
def test_distributed_greedy_bound_and_validation_equal_the_local_ones(spark, parts, on, k,
                                                                     fixed, banned):
    """OPIM's two uses of a collection: the greedy with its upper bound on the optimum
    (graphkit.seeds.greedy.max_coverage(bound=True)), and first-cover counts of a seed
    sequence on the validation sets (graphkit.seeds.greedy.first_cover), on sets with many
    ties, cut into any number of blocks; k=29 runs out of candidates. On the driver the
    blocks come from two batches, each collected in reverse."""
    from graphkit.seeds.greedy import first_cover, max_coverage

    n = 30
    offsets, members, rank = random_sets(1, n)
    eligible = ~np.isin(np.arange(n), banned)
    want = max_coverage(offsets, members, n, k, id_rank=rank, fixed=fixed, eligible=eligible,
                        bound=True)
    limit, batches = (None, 2) if on == "driver" else (0, 1)
    rr = spark_sets(spark, offsets, members, n, parts, limit, batches)

    class Cons:
        budget, id_rank, include = None, rank, np.array(fixed, dtype=np.int64)

    Cons.k, Cons.eligible = k, eligible
    got = rr.cover(Cons, bound=True)
    assert got.picks.tolist() == want.picks.tolist()
    assert got.gains.tolist() == want.gains.tolist()
    assert got.fixed_gains.tolist() == want.fixed_gains.tolist()
    assert (got.covered, got.n_sets) == (want.covered, want.n_sets)
    assert got.bound == want.bound and np.isfinite(got.bound)
    assert rr.cover(Cons).bound == float("inf")
    seq = np.concatenate([Cons.include, want.picks])
    v_off, v_mem, _ = random_sets(2, n)  # a validation collection the greedy never saw
    hits = spark_sets(spark, v_off, v_mem, n, parts, limit, batches).first_cover(seq)
    assert hits.tolist() == first_cover(v_off, v_mem, n, seq).tolist()
    assert hits.sum() == sum(bool(np.isin(v_mem[a:b], seq).any())
                             for a, b in zip(v_off[:-1], v_off[1:]))  # pure Python


def test_the_greedy_leaves_the_driver_when_the_sets_outgrow_the_limit(spark):
    """Held on the driver while the sets have at most ``driver_members`` members (one
    collect a batch, no job a pick); past it the driver's copy is dropped and the greedy
    runs on the executors over every batch. Both give the local greedy's answer."""
    from graphkit.seeds.greedy import max_coverage

    n, k = 30, 5
    offsets, members, rank = random_sets(3, n, count=600)
    half = 300
    rr = spark_sets(spark, offsets, members, n, 4, driver_members=int(offsets[-1]) - 1,
                    batches=2)
    second = rr._rdds.pop()
    rr.count, rr.total = half, int(offsets[half])  # the first batch only: it fits

    class Cons:
        budget, id_rank, include = None, rank, np.array([], dtype=np.int64)

    Cons.k, Cons.eligible = k, np.ones(n, dtype=bool)
    first = rr.cover(Cons)
    want = max_coverage(offsets[:half + 1], members[:offsets[half]], n, k, id_rank=rank)
    assert first.picks.tolist() == want.picks.tolist() and first.covered == want.covered
    assert rr.jobs == 1 and rr._flat is not None  # the collect, nothing a pick
    rr._rdds.append(second)  # a second batch: now one member over the limit
    rr.count, rr.total = offsets.size - 1, int(offsets[-1])
    got = rr.cover(Cons)
    want = max_coverage(offsets, members, n, k, id_rank=rank)
    assert got.picks.tolist() == want.picks.tolist() and got.covered == want.covered
    assert rr._held == [] and rr._flat is None
    assert rr.jobs == 1 + 1 + k - 1  # the counts, then a job a pick but the last


@pytest.mark.parametrize("value", ["-1", "2.5", "many"])
def test_a_bad_seeds_driver_setting_is_a_usage_error_naming_it(value):
    from click.testing import CliRunner

    from graphkit.cli import cli

    res = CliRunner().invoke(cli, ["seeds", "data/example.csv", "-k", "2", "--engine", "spark",
                                   "--spark-conf",
                                   f"spark.graphkit.seeds.driverMembers={value}"])
    assert res.exit_code == 2, res.output
    assert "spark.graphkit.seeds.driverMembers must be a whole number" in res.output


@pytest.mark.parametrize("model", ["ic", pytest.param("lt", marks=pytest.mark.slow)])
def test_opim_gives_the_local_engines_seeds_ratio_and_spread_for_any_partitioning(
        spark, tmp_path, model):
    from graphkit.spark import read_edges, select_seeds, social_graph

    path = int_graph_csv(tmp_path / "g.csv", seed=8, users=120, rows=700)
    kw = dict(model=model, rng=5, baselines=False, **QUICK)
    want = gk.select_seeds(local_graph(path), 4, method="opim", **kw)
    assert want.method == "opim" and want.details["rounds"] >= 1
    sg = social_graph(read_edges(spark, path))
    for p, on_driver in ((1, None), (2, 0), (4, 0), (4, None)):
        got = select_seeds(spark, sg, 4, partitions=p, driver_members=on_driver, **kw)
        assert got.method == "opim"
        same_selection(got, want)


@pytest.mark.parametrize("name, k, kw", [
    ("example.csv", 2, {}),
    ("example.csv", 3, {"include": ["bob"], "exclude": ["alice"], "epsilon": 0.3}),
    pytest.param("nethept.csv.gz", 5, {}, marks=pytest.mark.slow),
])
def test_opim_on_the_bundled_data_is_the_local_engines(spark, name, k, kw):
    """The bundled files (text ids: the Spark engine is given the local SocialGraph, so
    both number the users alike), across 1, 2 and 4 partitions."""
    from graphkit.spark import select_seeds

    g = gk.SocialGraph.from_edges(gk.read_edges(f"data/{name}"))
    opts = dict(rng=3, baselines=name == "example.csv", **QUICK, **kw)
    want = gk.select_seeds(g, k, method="opim", **opts)
    for p in (1, 2, 4):
        same_selection(select_seeds(spark, g, k, method="opim", partitions=p, **opts), want)


@pytest.mark.slow
@pytest.mark.parametrize("method", [None, "imm"])  # None: the default, OPIM-C on both engines
def test_cli_seeds_engine_spark_writes_the_local_file(spark, tmp_path, method):
    from click.testing import CliRunner

    from graphkit.cli import cli

    path = int_graph_csv(tmp_path / "g.csv", seed=8)
    base = ["seeds", path, "-k", "3", "--random-seed", "6", "--runs", "300", "--no-baselines"]
    if method is not None:
        base += ["--method", method]
    runner = CliRunner()
    outs = [tmp_path / "local.json", tmp_path / "spark.json"]
    local = runner.invoke(cli, [*base, "-o", str(outs[0])])
    remote = runner.invoke(cli, [*base, "--engine", "spark", "-o", str(outs[1])])
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert json.loads(outs[1].read_text())["method"] == (method or "opim")
