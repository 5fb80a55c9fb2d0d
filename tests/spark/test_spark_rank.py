"""PageRank on Spark against graphkit.ranking (the local engine) and networkx."""

from __future__ import annotations

import io
import subprocess
import sys

import networkx as nx
import numpy as np
import pytest

import graphkit as gk

pytestmark = pytest.mark.spark


def tie_graph_csv(path):
    """String ids with ties (two symmetric stars), dangling users, typed rows, repeats."""
    rows = ["source,target,type"]
    for hub in ("hub-b", "hub-a"):
        for i in range(6):
            rows.append(f"{hub}-fan{i},{hub},follow")
    rows += ["hub-a,z-dangling,share", "hub-b,y-dangling,share", "x,hub-a,comment",
             "x,hub-a,comment", "w,w,follow"]
    path.write_text("\n".join(rows) + "\n")
    return str(path)


@pytest.mark.parametrize("kw", [
    {"personalization": ["hub-b-fan0", "x"], "type_weights": {"share": 3, "follow": 0.5}},
    {"weighted": False, "type_weights": {"share": 0}},
])
def test_pagerank_matches_the_local_engine(spark, tmp_path, kw):
    from graphkit.spark import index_graph, pagerank_scores, rank_table, read_edges

    path = tie_graph_csv(tmp_path / "ties.csv")
    tw = kw.get("type_weights")
    g = gk.SocialGraph.from_edges(gk.read_edges(path, type_weights=tw))
    sg = index_graph(read_edges(spark, path, type_weights=tw))
    opts = {k: v for k, v in kw.items() if k != "type_weights"}
    want = gk.rank(g, **opts)
    x, _ = pagerank_scores(sg, partitions=3, **opts)
    got = rank_table(sg, x)
    assert got["user"].tolist() == want["user"].tolist()  # ties broken by id alike
    assert np.abs(got["score"].to_numpy() - want["score"].to_numpy()).max() < 1e-12
    assert (got.drop(columns="score").to_numpy() == want.drop(columns="score").to_numpy()).all()


def random_graph_csv(path, seed=5):
    """String ids (spaces, '#', emoji, digits with leading zeros), repeated typed rows,
    many dangling users (targets that never act) and exact ties (isolated symmetric
    pairs), in a CSV with a BOM and CRLF line ends."""
    rng = np.random.default_rng(seed)
    names = [f"u{i:03d}" for i in range(40)] + ["#tag", "ann smith", "😀", "007", "7"]
    rows = ["source,target,type"]
    types = ["follow", "share", "comment"]
    for _ in range(300):
        a, b = rng.choice(len(names), 2, replace=False)
        if names[a] in ("u038", "u039", "7"):  # never act: dangling
            continue
        rows.append(f'"{names[a]}",{names[b]},{types[rng.integers(3)]}')
    rows += ["pair-b,pair-a,share", "pair-a,pair-b,share", "tie-1,sink,follow",
             "tie-2,sink2,follow"]
    path.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    return str(path)


@pytest.mark.parametrize("which", ["example", "random"])
def test_pagerank_matches_the_local_engine_and_networkx(spark, tmp_path, which):
    from graphkit.spark import index_graph, pagerank_scores, rank_table, read_edges

    path = "data/example.csv" if which == "example" else random_graph_csv(tmp_path / "r.csv")
    tw = {"share": 3, "comment": 2, "follow": 1} if which == "random" else None
    g = gk.SocialGraph.from_edges(gk.read_edges(path, type_weights=tw))
    sg = index_graph(read_edges(spark, path, type_weights=tw))
    assert (sg.n_nodes, sg.n_edges) == (g.n_nodes, g.n_edges)
    x, _ = pagerank_scores(sg, tol=1e-9)  # a small graph: iterated on the driver
    xc, _ = pagerank_scores(sg, tol=1e-9, partitions=2)  # on the executors
    assert np.abs(xc - x).max() < 1e-14
    xe, _ = pagerank_scores(sg, tol=1e-9, driver_limit=0)  # on the executors, default blocks
    assert np.abs(xe - x).max() < 1e-14
    got = rank_table(sg, x)
    want = gk.rank(g, tol=1e-9)
    assert got["user"].tolist() == want["user"].tolist()
    assert np.abs(got["score"].to_numpy() - want["score"].to_numpy()).max() < 1e-12
    ref = nx.pagerank(g.to_networkx(), tol=1e-14, max_iter=1000)
    best = sorted(ref, key=lambda u: (-round(ref[u], 12), u))
    assert got["user"].tolist() == best
    assert max(abs(ref[u] - s) for u, s in zip(got["user"], got["score"])) < 1e-8
    assert abs(got["score"].sum() - 1) < 1e-12


def test_out_weights_from_a_spark_aggregation_past_the_dense_limit(spark, tmp_path, monkeypatch):
    """Past users x partitions = DENSE_OUT_WEIGHTS the out-weights come from a Spark
    aggregation instead of the blocks' own job: the same scores either way."""
    from graphkit.spark import index_graph, link_analysis, pagerank_scores, rank_table, read_edges

    path = random_graph_csv(tmp_path / "r.csv", seed=9)
    tw = {"share": 3, "comment": 2}
    sg = index_graph(read_edges(spark, path, type_weights=tw))
    want = gk.rank(gk.SocialGraph.from_edges(gk.read_edges(path, type_weights=tw)), tol=1e-9)
    got, dense = {}, link_analysis.DENSE_OUT_WEIGHTS
    for limit in (dense, 0):
        monkeypatch.setattr(link_analysis, "DENSE_OUT_WEIGHTS", limit)
        for weighted in (True, False):
            x, _ = pagerank_scores(sg, tol=1e-9, weighted=weighted, partitions=3)
            got[limit, weighted] = x
    for weighted in (True, False):
        assert np.abs(got[0, weighted] - got[dense, weighted]).max() < 1e-12
    table = rank_table(sg, got[0, True])
    assert table["user"].tolist() == want["user"].tolist()
    assert np.abs(table["score"].to_numpy() - want["score"].to_numpy()).max() < 1e-12


def test_the_same_graph_and_table_without_broadcasting_ids(spark, tmp_path, monkeypatch):
    """Past BROADCAST_IDS users the edges are numbered without the broadcast hint (Spark
    picks the join: sort-merge for big id tables), and past BROADCAST_CHOSEN ranked users
    the received counts join every row with the ids: the same answers."""
    from graphkit.spark import graph as spark_graph
    from graphkit.spark import index_graph, link_analysis, pagerank_scores, rank_table, read_edges

    path = random_graph_csv(tmp_path / "r.csv", seed=3)
    tw = {"share": 2}
    want = gk.rank(gk.SocialGraph.from_edges(gk.read_edges(path, type_weights=tw)), tol=1e-9)
    monkeypatch.setattr(spark_graph, "BROADCAST_IDS", 0)
    monkeypatch.setattr(link_analysis, "BROADCAST_CHOSEN", 0)
    sg = index_graph(read_edges(spark, path, type_weights=tw))
    x, _ = pagerank_scores(sg, tol=1e-9)
    for top in (None, 7):
        got = rank_table(sg, x, top)
        w = want if top is None else want.head(top)
        assert got["user"].tolist() == w["user"].tolist()
        assert np.abs(got["score"].to_numpy() - w["score"].to_numpy()).max() < 1e-12
        assert (got.drop(columns="score").to_numpy() == w.drop(columns="score").to_numpy()).all()


@pytest.mark.slow
def test_pagerank_on_the_bundled_sample_matches_networkx(spark):
    from graphkit.spark import index_graph, pagerank_scores, rank_table, read_edges

    path = "data/higgs-sample.csv.gz"
    sg = index_graph(read_edges(spark, path))
    x, _ = pagerank_scores(sg, tol=1e-10)
    got = rank_table(sg, x, top=50)
    g = gk.SocialGraph.from_edges(gk.read_edges(path))
    ref = nx.pagerank(g.to_networkx(), tol=1e-14, max_iter=1000)
    best = sorted(ref, key=lambda u: (-ref[u], u))[:50]
    assert got["user"].tolist() == best
    assert max(abs(ref[u] - s) for u, s in zip(got["user"], got["score"])) < 1e-6
    local = gk.rank(g, top=50, tol=1e-10)
    assert np.abs(local["score"].to_numpy() - got["score"].to_numpy()).max() < 1e-9


def test_rank_cli_with_engine_spark_prints_what_the_local_engine_prints(spark, tmp_path):
    import json

    from click.testing import CliRunner

    from graphkit.cli import cli

    path = tie_graph_csv(tmp_path / "ties.csv")
    args = ["rank", path, "--type-weight", "share=3", "--top", "5", "--format", "json"]
    runner = CliRunner()
    local = runner.invoke(cli, args)
    remote = runner.invoke(cli, args + ["--engine", "spark", "--spark-master", "local[2]"])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    want, got = json.loads(local.stdout), json.loads(remote.stdout)
    assert got["rows"] == want["rows"] and got["users"] == want["users"]
    assert not spark.sparkContext._jsc.sc().isStopped()  # the shared session was left alone


@pytest.mark.slow  # its own JVM (~30-90 s); the cluster test checks the quiet console too
def test_rank_engine_spark_as_a_subprocess_is_quiet_and_writes_the_local_file(tmp_path):
    import os

    env = dict(os.environ, PYTHONPATH=os.getcwd())
    outs = [tmp_path / "local.csv", tmp_path / "spark.csv"]
    base = [sys.executable, "-m", "graphkit", "rank", "data/example.csv", "--type-weight",
            "share=3", "--format", "csv"]
    local = subprocess.run(base + ["-o", str(outs[0])], capture_output=True, text=True,
                           env=env)
    remote = subprocess.run(base + ["--engine", "spark", "--spark-master", "local[2]",
                                    "-o", str(outs[1])], capture_output=True, text=True, env=env)
    assert local.returncode == 0 and remote.returncode == 0, remote.stderr
    # no log4j lines, Spark progress bar or JVM banner; only our own one-line notes
    assert remote.stderr.replace("spark.csv", "local.csv") == local.stderr
    # the same rows and columns; scores equal up to the order of float additions
    for a, b in ((local.stdout, remote.stdout), (outs[0].read_text(), outs[1].read_text())):
        a, b = pd_read(io.StringIO(a)), pd_read(io.StringIO(b))
        assert list(a.columns) == list(b.columns) and len(a) == 10
        assert a.drop(columns="score").equals(b.drop(columns="score"))
        assert np.abs(a["score"] - b["score"]).max() < 1e-12


def pd_read(source):
    import pandas as pd

    return pd.read_csv(source, dtype={"user": str})


@pytest.mark.parametrize("extra", [["--undirected"], ["--since", "2020-01-01"], ["--by", "hits"],
                                   ["--by", "indegree", "--edge-type", "share"]])
def test_rank_engine_spark_refuses_options_it_does_not_do(extra):
    from click.testing import CliRunner

    from graphkit.cli import cli

    res = CliRunner().invoke(cli, ["rank", "data/example.csv", "--engine", "spark", *extra])
    assert res.exit_code == 2 and "engine spark" in res.output, res.output


@pytest.mark.parametrize("value", ["-1", "2.5", "many"])
def test_a_bad_pagerank_driver_setting_is_a_usage_error_naming_it(value):
    from click.testing import CliRunner

    from graphkit.cli import cli

    res = CliRunner().invoke(cli, ["rank", "data/example.csv", "--engine", "spark",
                                   "--spark-conf", f"spark.graphkit.pagerank.driverEdges={value}"])
    assert res.exit_code == 2, res.output
    assert "spark.graphkit.pagerank.driverEdges must be a whole number" in res.output


def test_the_pagerank_driver_setting_moves_the_iterations_to_the_executors(spark, monkeypatch):
    """``spark.graphkit.pagerank.driverEdges`` (read from the session) decides where PageRank
    iterates: 0 builds the edge blocks on the executors, the default collects them."""
    from graphkit.spark import index_graph, link_analysis, pagerank_scores, read_edges

    sg = index_graph(read_edges(spark, "data/example.csv"))
    used = []
    real = link_analysis.edge_blocks
    monkeypatch.setattr(link_analysis, "edge_blocks",
                        lambda *a, **k: used.append(1) or real(*a, **k))
    x, _ = pagerank_scores(sg)
    assert used == []
    spark.conf.set(link_analysis.DRIVER_EDGES_CONF, "0")
    try:
        y, _ = pagerank_scores(sg)
    finally:
        spark.conf.unset(link_analysis.DRIVER_EDGES_CONF)
    assert used == [1] and np.abs(x - y).max() < 1e-14


def test_missing_java_or_pyspark_is_one_line_naming_the_extra(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = os.path.dirname(sys.executable)  # python, but no java
    cmd = [sys.executable, "-m", "graphkit", "rank", "data/example.csv", "--engine", "spark"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "Java" in out.stderr
    assert "pip install 'graphkit[spark]'" in out.stderr
    code = ("import sys; sys.modules['pyspark'] = None\n"
            "from graphkit.cli import main\n"
            "main(['rank', 'data/example.csv', '--engine', 'spark'])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.strip() == ("Error: --engine spark needs pyspark, which is not installed: "
                                  "pip install 'graphkit[spark]'")
