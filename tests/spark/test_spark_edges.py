"""graphkit.spark.read_edges and index_graph against the local reader and SocialGraph."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

import graphkit as gk
from graphkit.errors import InputError

pytestmark = pytest.mark.spark


def pairs_of(sg, ids=None):
    """{(source id, target id): weight} of a SparkGraph."""
    lookup = {int(r["node"]): r["user"] for r in sg.ids.collect()}
    return {(lookup[r["src"]], lookup[r["dst"]]): r["weight"] for r in sg.edges.collect()}


def local_pairs(g):
    src = g.sources()
    return {(g.node_ids[a], g.node_ids[b]): w for a, b, w in zip(src, g.indices, g.weight)}


def same_graph(spark, paths, **kw):
    from graphkit.spark import index_graph, read_edges

    tw = kw.pop("type_weights", None)
    edges = read_edges(spark, paths, type_weights=tw, **kw)
    local = gk.read_edges(paths, type_weights=tw, **kw)
    g = gk.SocialGraph.from_edges(local)
    sg = index_graph(edges)
    assert sg.n_nodes == g.n_nodes and sg.n_edges == g.n_edges
    assert sorted(r["node"] for r in sg.ids.collect()) == list(range(g.n_nodes))
    got, want = pairs_of(sg), local_pairs(g)
    assert got.keys() == want.keys()
    assert all(abs(got[k] - want[k]) < 1e-12 for k in want)
    assert edges.types == local.types
    assert edges.self_loops == local.report.self_loops_dropped
    assert edges.rows == local.report.rows_read
    return sg


MESSY_CSV = ('\ufeff# exported 2024\r\nsource,target,type,weight\r\n'
             'anna,"bob ",share,2\r\n\r\n"bob ","x, y",comment," 1.5"\r\n'
             '# a comment between rows\r\ncarl,carl,follow,1\r\n"quo""te",😀,follow,0\r\n'
             'dora,"#anna",share,3\r\n')


def test_messy_text_files_read_like_the_local_reader(spark, tmp_path):
    csv = tmp_path / "messy.csv"
    csv.write_bytes(MESSY_CSV.encode("utf-8"))
    snap = tmp_path / "snap.txt.gz"
    with gzip.open(snap, "wt") as fh:
        fh.write("# Directed graph\n# FromNodeId\tToNodeId\n1\t2\n2 \t 3\n007\t7\n3\t1\n7\t7\n")
    tsv = tmp_path / "e.tsv"
    tsv.write_text("src\tdst\tcount\nu1\tu2\t4\nu2\tu1\t1\nu1\tu2\t2\n")
    same_graph(spark, [str(csv)], type_weights={"share": 3, "comment": 0.5})
    same_graph(spark, [str(snap)])
    same_graph(spark, [str(tsv), str(csv)])


def test_parquet_and_jsonl_with_integer_ids(spark, tmp_path):
    import pandas as pd

    rng = np.random.default_rng(3)
    df = pd.DataFrame({"from": rng.integers(0, 50, 400), "to": rng.integers(0, 50, 400),
                       "kind": rng.choice(["share", "follow"], 400)})
    df.to_parquet(tmp_path / "e.parquet")
    df.assign(**{"from": df["from"].astype(str).radd("u")}).to_json(
        tmp_path / "e.jsonl", orient="records", lines=True)
    same_graph(spark, [str(tmp_path / "e.parquet")], type_weights={"share": 2})
    same_graph(spark, [str(tmp_path / "e.jsonl"), str(tmp_path / "e.parquet")])


@pytest.mark.parametrize("text, message", [
    ("source,target\na,\n", "target is empty"),
    ("source,target,weight\na,b,-1\n", "weight -1 is negative"),
    ("source,target,weight\na,b,x1\n", "weight 'x1' is not a finite number"),
    ("source,target,weight\na,b,1\nc\n", "row has too few fields"),
    ("a\tb\nc\n", "row has too few fields"),
])
def test_bad_rows_are_one_line_errors_naming_the_file_and_row(spark, tmp_path, text, message):
    from graphkit.spark import read_edges

    path = tmp_path / ("bad.tsv" if "\t" in text else "bad.csv")
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_edges(spark, str(path))
    assert str(err.value).startswith(f"{path}: {message}")
    assert "\n" not in str(err.value)


def test_missing_file(spark, tmp_path):
    from graphkit.spark import read_edges

    with pytest.raises(InputError, match="no such file"):
        read_edges(spark, str(tmp_path / "nope.csv"))


def test_a_local_session_runs_the_throughput_garbage_collector(spark):
    """Locally the driver JVM runs the tasks too; graphkit starts it with the throughput
    collector (G1's concurrent threads cost 10M-edge rank 18% more CPU on local[2])."""
    from graphkit.spark.session import LOCAL_GC

    assert LOCAL_GC in spark.sparkContext.getConf().get("spark.driver.extraJavaOptions")
    beans = spark.sparkContext._jvm.java.lang.management.ManagementFactory \
        .getGarbageCollectorMXBeans()
    names = {str(b.getName()) for b in beans}
    assert names == {"PS Scavenge", "PS MarkSweep"}, names
