"""Property tests (Hypothesis) for the readers and writers: any ids graphkit writes, it
reads back as the same ids; any bytes it is given, it reads or refuses with its own error."""

from __future__ import annotations

import os
import tempfile

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphkit as gk
from graphkit.errors import GraphkitError
from graphkit.io import read_edges, read_id_list, write_table

# Any Unicode scalar except NUL (a NUL makes a file binary data, which is refused) and
# the surrogates (not encodable as UTF-8).
ID = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
             min_size=1, max_size=12)
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(ids=st.lists(ID, min_size=1, max_size=8, unique=True),
       ext=st.sampled_from([".csv", ".tsv", ".json", ".jsonl", ".parquet"]))
def test_any_ids_written_as_a_table_read_back_the_same(ids, ext):
    df = pd.DataFrame({"user": ids, "score": range(len(ids))})
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "ids" + ext)
        write_table(df, path)
        if ext == ".json":  # a list of rows; the id-list reader takes the table formats
            import json

            with open(path, encoding="utf-8") as fh:
                assert [r["user"] for r in json.load(fh)] == ids
            return
        assert read_id_list(path) == ids


@SETTINGS
@given(ids=st.lists(ID, min_size=1, max_size=8, unique=True))
def test_any_ids_written_as_txt_read_back_the_same_or_are_refused(ids):
    df = pd.DataFrame({"user": ids})
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "ids.txt")
        try:
            write_table(df, path)
        except GraphkitError as exc:  # an id a one-per-line list cannot hold, named
            assert "cannot keep" in str(exc) and not os.path.exists(path)
            return
        assert read_id_list(path) == ids


@SETTINGS
@given(pairs=st.lists(st.tuples(ID, ID).filter(lambda p: p[0] != p[1]), min_size=1,
                      max_size=10))
def test_any_edge_table_exported_reads_back_as_the_same_graph(pairs):
    src, dst = zip(*pairs)
    g = gk.SocialGraph.from_pandas(pd.DataFrame({"source": src, "target": dst}),
                                   source="source", target="target")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "edges.csv")
        from graphkit.graph import write_graph

        write_graph(g, path)
        back = gk.SocialGraph.from_edges(read_edges([path]))
    assert sorted(back.node_ids.tolist()) == sorted(g.node_ids.tolist())
    assert sorted(back.edges()[["source", "target"]].itertuples(index=False, name=None)) == \
        sorted(g.edges()[["source", "target"]].itertuples(index=False, name=None))


@SETTINGS
@given(data=st.binary(max_size=300), ext=st.sampled_from([".csv", ".txt", ".tsv", ".jsonl",
                                                          ".parquet", ".csv.gz"]))
def test_any_bytes_are_read_or_refused_with_graphkits_own_error(data, ext):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "x" + ext)
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            gk.SocialGraph.from_edges(read_edges([path]))
        except GraphkitError as exc:
            assert "\n" not in str(exc) and path in str(exc)
        try:
            read_id_list(path)
        except GraphkitError as exc:
            assert "\n" not in str(exc)


@SETTINGS
@given(text=st.text(max_size=200), ext=st.sampled_from([".csv", ".txt", ".tsv"]))
def test_any_text_is_read_or_refused_with_graphkits_own_error(text, ext):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "x" + ext)
        with open(path, "w", encoding="utf-8", errors="surrogatepass", newline="") as fh:
            fh.write(text)
        try:
            gk.SocialGraph.from_edges(read_edges([path]))
        except GraphkitError as exc:
            assert "\n" not in str(exc)
        except UnicodeEncodeError:
            pass


def test_a_jsonl_list_of_only_blank_is_refused_by_name(tmp_path):
    """Found by the property above: a .jsonl holding one tab ended in IndexError."""
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"\t")
    try:
        read_id_list(str(path))
    except GraphkitError as exc:
        assert str(path) in str(exc)
    else:
        raise AssertionError("a list without ids was accepted")
