"""``--engine spark`` against a Spark standalone cluster on localhost: a master and two
workers started from pyspark's bundled ``spark-class``, so that the driver, the executors
and the Python workers are separate processes and every closure, broadcast and shuffle
crosses a process boundary as on a real cluster (``local[N]`` runs all in one JVM).

Slow (the three JVMs start in 20-40 s on an idle 2-core machine).
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import graphkit as gk

from .test_spark_rank import random_graph_csv
from .test_spark_simulate import int_graph_csv

pytestmark = [pytest.mark.spark, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "data" / "example.csv")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spark_class() -> str:
    import pyspark

    return os.path.join(os.path.dirname(pyspark.__file__), "bin", "spark-class")


def _alive_workers(ui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json", timeout=5) as r:
            state = json.load(r)
    except OSError:
        return 0
    return sum(1 for w in state.get("workers", []) if w.get("state") == "ALIVE")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """``spark://127.0.0.1:PORT`` of a running master with two 1-core workers."""
    from graphkit.spark.session import require_spark

    require_spark()
    tmp = tmp_path_factory.mktemp("standalone")
    port, ui = _free_port(), _free_port()
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", SPARK_LOG_DIR=str(tmp),
               SPARK_WORKER_DIR=str(tmp / "work"), PYSPARK_PYTHON=sys.executable,
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               SPARK_MASTER_OPTS="-Dspark.master.rest.enabled=false",
               GRAPHKIT_TEST_MASTER_UI=str(ui))
    env.pop("SPARK_HOME", None)
    procs = []

    def start(args, log):
        with open(tmp / log, "wb") as out:
            procs.append(subprocess.Popen([_spark_class(), *args], env=env, stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True))

    try:
        start(["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
               "--port", str(port), "--webui-port", str(ui)], "master.log")
        for i in (1, 2):
            start(["org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                   "--cores", "1", "--memory", "1g", "--webui-port", "0",
                   "--work-dir", str(tmp / f"work{i}"), f"spark://127.0.0.1:{port}"],
                  f"worker{i}.log")
        deadline = time.monotonic() + 240
        while _alive_workers(ui) < 2:
            for p in procs:
                if p.poll() is not None:
                    pytest.fail(f"a cluster process exited ({p.args[1]}); logs in {tmp}")
            if time.monotonic() > deadline:
                pytest.fail(f"two workers did not register within 240 s; logs in {tmp}")
            time.sleep(1)
        yield f"spark://127.0.0.1:{port}", env
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def _graphkit(env, *args, timeout=600):
    return subprocess.run([sys.executable, "-m", "graphkit", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_rank_on_a_standalone_cluster_matches_the_local_engine(cluster, tmp_path):
    master, env = cluster
    for path in (EXAMPLE, random_graph_csv(tmp_path / "messy.csv")):
        got = _graphkit(env, "rank", path, "--engine", "spark", "--spark-master", master,
                        "--spark-conf", "spark.executor.memory=512m",
                        "--format", "csv", "--top", "1000")
        assert got.returncode == 0, got.stderr
        # default verbosity: no Spark/log4j chatter reaches the console
        assert "WARN" not in got.stderr and "INFO" not in got.stderr, got.stderr
        spark_df = pd.read_csv(io.StringIO(got.stdout), keep_default_na=False, dtype={"user": str})
        want = gk.rank(gk.SocialGraph.from_edges(gk.read_edges(path)))
        assert spark_df["user"].tolist() == want["user"].tolist()
        assert np.abs(spark_df["score"].to_numpy() - want["score"].to_numpy()).max() < 1e-12


def test_simulate_seeds_and_communities_on_a_standalone_cluster(cluster, tmp_path):
    """The kernels run in the workers' Python processes against a broadcast influence
    graph: the files are the local engine's byte for byte (integer ids)."""
    master, env = cluster
    path = int_graph_csv(tmp_path / "g.csv", seed=8)
    spark = ["--engine", "spark", "--spark-master", master,
             "--spark-conf", "spark.executor.memory=512m"]
    jobs = {
        "simulate": ["simulate", path, "--seeds", "3,10", "--runs", "640", "--random-seed", "5"],
        # the default (OPIM-C) and IMM: both engines are given the same command line
        "seeds": ["seeds", path, "-k", "3", "--random-seed", "6", "--runs", "300",
                  "--no-baselines"],
        "seeds-imm": ["seeds", path, "-k", "3", "--random-seed", "6", "--runs", "300",
                      "--no-baselines", "--method", "imm"],
    }
    # OPIM's greedy on the driver (the sets fit), IMM's on the workers, one job a pick
    where = {"seeds-imm": ["--spark-conf", "spark.graphkit.seeds.driverMembers=0"]}
    for name, args in jobs.items():
        local_out, spark_out = tmp_path / f"{name}-local.json", tmp_path / f"{name}-spark.json"
        local = _graphkit(env, *args, "-q", "-o", str(local_out))
        assert local.returncode == 0, local.stderr
        got = _graphkit(env, *args, *spark, *where.get(name, []), "-q", "-o", str(spark_out))
        assert got.returncode == 0, got.stderr
        assert got.stderr == "", got.stderr
        assert spark_out.read_bytes() == local_out.read_bytes(), name

    # label propagation on the cluster, Leiden on the contracted graph in the driver: the
    # modularity printed is the one the local engine (tested against networkx) gives the
    # membership written
    # (driverEdges=0: this small graph would otherwise be collected and its label
    # propagation run on the driver; the executors' numpy blocks are what is tested here)
    member = tmp_path / "member.csv"
    got = _graphkit(env, "communities", path, *spark, "--random-seed", "2", "--format", "json",
                    "--spark-conf", "spark.graphkit.communities.driverEdges=0",
                    "-o", str(member))
    assert got.returncode == 0, got.stderr
    printed = json.loads(got.stdout)["modularity"]
    labels = pd.read_csv(member, dtype={"user": str}).set_index("user")["community"]
    g = gk.SocialGraph.from_edges(gk.read_edges(path))
    assert len(labels) == g.n_nodes
    assert abs(gk.modularity(g, [labels[str(u)] for u in g.node_ids]) - printed) < 1e-9


def test_the_cli_under_spark_submit_uses_its_master(cluster, tmp_path):
    """docs/spark.md's recipe: ``spark-submit --master URL .../graphkit/__main__.py rank ...
    --engine spark`` without --spark-master runs on spark-submit's master (not local[*])
    and writes the local engine's ranking."""
    import graphkit.__main__ as entry

    master, env = cluster
    out = tmp_path / "top.csv"
    submit = os.path.join(os.path.dirname(_spark_class()), "spark-submit")
    got = subprocess.run([submit, "--master", master, "--conf", "spark.executor.memory=512m",
                          entry.__file__, "rank", EXAMPLE, "--engine", "spark", "-q",
                          "-o", str(out)], env=dict(env, PYSPARK_PYTHON=sys.executable),
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert got.returncode == 0, got.stderr[-2000:]
    spark_df = pd.read_csv(out, dtype={"user": str})
    want = gk.rank(gk.SocialGraph.from_edges(gk.read_edges(EXAMPLE)))
    assert spark_df["user"].tolist() == want["user"].tolist()
    assert np.abs(spark_df["score"].to_numpy() - want["score"].to_numpy()).max() < 1e-12
    ui = int(env["GRAPHKIT_TEST_MASTER_UI"])
    with urllib.request.urlopen(f"http://127.0.0.1:{ui}/json", timeout=5) as r:
        apps = json.load(r)["completedapps"]
    assert any(a.get("name") == "__main__.py" or "graphkit" in a.get("name", "") for a in apps), apps
