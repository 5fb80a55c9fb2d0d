"""simulate on Spark: the local engine's runs (byte-identical on integer ids, for any
partitioning), a hand-computed spread on text ids, the broadcast refusal, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

import graphkit as gk

pytestmark = pytest.mark.spark


def int_graph_csv(path, seed=3, users=60, rows=260):
    """Integer ids with gaps (numbered like the local reader: numeric order), typed
    repeated rows, a self-loop, a weight column, a BOM and CRLF line ends."""
    rng = np.random.default_rng(seed)
    types = ["follow", "share", "comment"]
    lines = ["source,target,type,weight"]
    for _ in range(rows):
        a, b = rng.integers(0, users, 2) * 7 + 3  # ids with gaps: 3, 10, 17, ...
        lines.append(f"{a},{b},{types[rng.integers(3)]},{rng.integers(1, 4)}")
    lines.append("3,3,follow,1")  # a self-loop
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode())
    return str(path)


def local_graph(path):
    return gk.SocialGraph.from_edges(gk.read_edges(path))


def test_the_collected_graph_is_the_local_readers(spark, tmp_path):
    from graphkit.spark import read_edges, social_graph

    path = int_graph_csv(tmp_path / "g.csv")
    want = local_graph(path)
    got = social_graph(read_edges(spark, path))
    assert got.node_ids.tolist() == want.node_ids.tolist()
    for name in ("indptr", "indices", "counts"):
        assert np.array_equal(getattr(got, name), getattr(want, name)), name
    assert got.types == want.types
    assert np.allclose(got.weight, want.weight, rtol=1e-12, atol=0)


@pytest.mark.parametrize("model, prob", [("ic", "wc"), ("lt", "typed")])
def test_runs_are_the_local_engines_for_any_partitioning(spark, tmp_path, model, prob):
    from graphkit.spark import read_edges, simulate, social_graph

    path = int_graph_csv(tmp_path / "g.csv")
    tp = {"share": 0.3, "comment": 0.2, "follow": 0.1} if prob == "typed" else None
    sg = social_graph(read_edges(spark, path))
    seeds = ["3", "10", "171"]
    ig = gk.influence_graph(local_graph(path), prob, type_probs=tp)
    want = gk.simulate(ig, seeds, model, runs=700, rng=11)
    got = [simulate(spark, sg, seeds, model, prob=prob, type_probs=tp, runs=700, rng=11,
                    partitions=p) for p in (1, 3)]
    for est in got:
        assert est.activation_probability.tobytes() == want.activation_probability.tobytes()
        assert est.per_step.tobytes() == want.per_step.tobytes()
        assert (est.mean, est.std, est.ci_low, est.ci_high, est.runs) == (
            want.mean, want.std, want.ci_low, want.ci_high, want.runs)


def test_a_hand_computed_spread_on_text_ids(spark, tmp_path):
    """Text ids (numbered differently from the local reader): the estimate must contain
    the exact answer. Chain c -> b -> a (c follows b, b follows a) plus 6 fans of a, all
    p = 0.5: seeding a reaches b w.p. 1/2, c w.p. 1/4, each fan w.p. 1/2."""
    from graphkit.spark import read_edges, simulate

    rows = ["source,target", "b,a", "c,b"] + [f"fan {i},a" for i in range(6)]
    path = tmp_path / "chain.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    est = simulate(spark, read_edges(spark, str(path)), ["a"], prob="uniform:0.5",
                   runs=4000, rng=2, partitions=2)
    exact = 1 + 0.5 + 0.25 + 6 * 0.5
    assert abs(est.mean - exact) <= 4 * est.std_error
    probs = dict(zip(est.node_ids, est.activation_probability))
    assert probs["a"] == 1.0 and abs(probs["c"] - 0.25) < 0.04 and abs(probs["b"] - 0.5) < 0.05


def test_a_graph_over_the_broadcast_limit_is_refused_with_its_size(spark, tmp_path):
    from graphkit.errors import InputError
    from graphkit.spark import read_edges, social_graph

    edges = read_edges(spark, "data/example.csv")
    g = local_graph("data/example.csv")
    size = 17 * (g.n_nodes + 1) + 32 * g.n_edges  # both CSR directions, probabilities, map
    with pytest.raises(InputError, match=rf"\({g.n_nodes} users, {g.n_edges} edges\) needs "
                                         rf"about {size} B .* over the broadcast limit of 512 B"):
        social_graph(edges, max_broadcast="0.5k")
    spark.conf.set("spark.graphkit.maxBroadcast", "600")
    try:
        with pytest.raises(InputError, match=r"spark\.graphkit\.maxBroadcast"):
            social_graph(edges)
    finally:
        spark.conf.unset("spark.graphkit.maxBroadcast")


def test_cli_simulate_engine_spark_writes_the_local_file(spark, tmp_path):
    from click.testing import CliRunner

    from graphkit.cli import cli

    path = int_graph_csv(tmp_path / "g.csv")
    base = ["simulate", path, "--seeds", "3,10", "--runs", "640", "--random-seed", "5",
            "--top", "3"]
    runner = CliRunner()
    outs = [tmp_path / "local.json", tmp_path / "spark.json"]
    local = runner.invoke(cli, [*base, "-o", str(outs[0])])
    remote = runner.invoke(cli, [*base, "-o", str(outs[1]), "--engine", "spark"])
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert json.loads(outs[1].read_text())["runs"] == 640
    tables = [runner.invoke(cli, [*base, *extra]) for extra in ([], ["--engine", "spark"])]
    assert tables[0].stdout == tables[1].stdout


@pytest.mark.parametrize("extra, flag", [
    (["--prob", "column:weight"], "--prob column:NAME"),
    (["--since", "2020-01-01"], "--since"),
])
def test_cli_simulate_engine_spark_refuses_what_it_does_not_do(extra, flag):
    from click.testing import CliRunner

    from graphkit.cli import cli

    res = CliRunner().invoke(cli, ["simulate", "data/example.csv", "--seeds", "alice",
                                   "--engine", "spark", *extra])
    assert res.exit_code == 2
    assert flag in res.output and "--engine spark" in res.output
