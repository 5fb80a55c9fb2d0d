"""PageRank on Spark against graphkit.ranking (the local engine) and networkx."""

from __future__ import annotations

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
    {},
    {"type_weights": {"share": 3, "comment": 2, "follow": 0.5}},
    {"personalization": ["hub-b-fan0", "x"]},
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


def test_pagerank_on_the_bundled_sample_matches_networkx(spark):
    from graphkit.spark import index_graph, pagerank_scores, rank_table, read_edges

    path = "data/higgs-sample.csv.gz"
    sg = index_graph(read_edges(spark, path))
    x, _ = pagerank_scores(sg, tol=1e-10)
    got = rank_table(sg, x, top=50)
    g = gk.SocialGraph.from_edges(gk.read_edges(path))
    ref = nx.pagerank(g.to_networkx(), tol=1e-13)
    best = sorted(ref, key=lambda u: (-ref[u], u))[:50]
    assert got["user"].tolist() == best
    assert max(abs(ref[u] - s) for u, s in zip(got["user"], got["score"])) < 1e-6
    local = gk.rank(g, top=50, tol=1e-10)
    assert np.abs(local["score"].to_numpy() - got["score"].to_numpy()).max() < 1e-9


def test_rank_cli_with_engine_spark_prints_what_the_local_engine_prints(spark, tmp_path):
    from click.testing import CliRunner

    from graphkit.cli import cli

    path = tie_graph_csv(tmp_path / "ties.csv")
    args = ["rank", path, "--type-weight", "share=3", "--format", "csv"]
    runner = CliRunner()
    local = runner.invoke(cli, args)
    remote = runner.invoke(cli, args + ["--engine", "spark", "--spark-master", "local[2]"])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout
    files = [tmp_path / "local.csv", tmp_path / "spark.csv"]
    for out, more in zip(files, ([], ["--engine", "spark"])):
        res = runner.invoke(cli, args[:-2] + more + ["-o", str(out), "--top", "3"])
        assert res.exit_code == 0, res.output
    assert files[0].read_bytes() == files[1].read_bytes()
    assert not spark.sparkContext._jsc.sc().isStopped()  # the shared session was left alone


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
