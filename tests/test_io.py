"""Tests for graphkit/io.py: every format and option, and every bad-input case."""

from __future__ import annotations

import bz2
import gzip
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphkit as gk
from graphkit.io import parse_type_weights, read_id_list

ROWS = [
    ("alice", "bob", "follow", "2024-01-01T00:00:00Z"),
    ("carol", "bob", "share", "2024-01-02T10:00:00Z"),
    ("bob", "alice", "comment", "2024-01-03T00:00:00+02:00"),
    ("007", "7", "follow", ""),
    ("carol", "bob", "share", "1704103200"),
]


def write(path, text, mode="w"):
    if str(path).endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    elif str(path).endswith(".bz2"):
        with bz2.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        with open(path, mode, encoding="utf-8", newline="") as fh:
            fh.write(text)
    return str(path)


def csv_text(rows=ROWS, sep=","):
    lines = [sep.join(["source", "target", "type", "timestamp"])]
    lines += [sep.join(r) for r in rows]
    return "\n".join(lines) + "\n"


def as_set(table):
    f = table.frame
    return sorted(zip(f.source, f.target, f.type.astype(str)))


EXPECTED = sorted((s, t, ty) for s, t, ty, _ in ROWS)


# ----------------------------------------------------------------------------- formats
@pytest.mark.parametrize("name", ["e.csv", "e.csv.gz", "e.csv.bz2"])
def test_csv_plain_and_compressed(tmp_path, name):
    t = gk.read_edges(write(tmp_path / name, csv_text()))
    assert as_set(t) == EXPECTED
    assert t.types == ("comment", "follow", "share")
    assert t.report.files[0].format == "csv"


def test_tsv(tmp_path):
    t = gk.read_edges(write(tmp_path / "e.tsv", csv_text(sep="\t")))
    assert as_set(t) == EXPECTED
    assert t.report.files[0].format == "tsv"


def test_parquet(tmp_path):
    df = pd.DataFrame(ROWS, columns=["source", "target", "type", "timestamp"])
    path = tmp_path / "e.parquet"
    df.to_parquet(path)
    t = gk.read_edges(str(path))
    assert as_set(t) == EXPECTED


def test_parquet_integer_ids_stay_exact(tmp_path):
    path = tmp_path / "ints.parquet"
    pq.write_table(pa.table({"src": pa.array([1, 2, 9007199254740993], pa.int64()),
                             "dst": pa.array([2, 3, 1], pa.int64())}), path)
    t = gk.read_edges(str(path))
    assert set(t.node_ids) == {"1", "2", "3", "9007199254740993"}  # > 2^53: not via float


def test_parquet_float_ids_refused(tmp_path):
    path = tmp_path / "f.parquet"
    pq.write_table(pa.table({"source": [1.0, 2.0], "target": [2.0, 3.0]}), path)
    with pytest.raises(gk.InputError, match="ids must be strings or integers"):
        gk.read_edges(str(path))


@pytest.mark.parametrize("name", ["e.jsonl", "e.jsonl.gz"])
def test_jsonl(tmp_path, name):
    text = "".join(json.dumps(dict(zip(["source", "target", "type", "timestamp"], r))) + "\n" for r in ROWS)
    t = gk.read_edges(write(tmp_path / name, text))
    assert as_set(t) == EXPECTED
    assert t.report.files[0].format == "jsonl"


def test_jsonl_numeric_ids(tmp_path):
    p = write(tmp_path / "n.jsonl", '{"source": 1, "target": 2}\n{"source": 2, "target": 10}\n')
    t = gk.read_edges(p)
    assert sorted(t.node_ids) == ["1", "10", "2"]


@pytest.mark.parametrize("name", ["snap.txt", "snap.txt.gz"])
def test_snap_edge_list_with_comments(tmp_path, name):
    text = "# Directed graph: soc-Example\n# Nodes: 4 Edges: 4\n# FromNodeId\tToNodeId\n0\t1\n0\t2\n1\t2\n2\t0\n"
    t = gk.read_edges(write(tmp_path / name, text))
    assert t.n_rows == 4
    assert not t.report.files[0].header
    assert as_set(t) == sorted([("0", "1", "interaction"), ("0", "2", "interaction"),
                               ("1", "2", "interaction"), ("2", "0", "interaction")])


def test_space_separated_with_weight_third_column(tmp_path):
    t = gk.read_edges(write(tmp_path / "w.edgelist", "1 2 3\n2 3 1\n"))
    assert t.report.files[0].columns["weight"] == "3"
    assert t.row_weight.tolist() == [3.0, 1.0]


def test_headerless_third_column_text_is_type(tmp_path):
    t = gk.read_edges(write(tmp_path / "t.txt", "a b share\nb c follow\n"))
    assert set(t.types) == {"share", "follow"}


def test_byte_order_mark_and_crlf(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbfsource,target\r\nx,y\r\ny,z\r\n")
    t = gk.read_edges(str(p))
    assert sorted(t.node_ids) == ["x", "y", "z"]


def test_comment_lines_inside_a_csv_with_three_columns(tmp_path):
    t = gk.read_edges(write(tmp_path / "c.csv", "source,target,type\na,b,follow\n# note\nb,c,share\n"))
    assert t.n_rows == 2


def test_extra_column_by_position_in_headerless_file(tmp_path):
    t = gk.read_edges(write(tmp_path / "p.txt", "1 2 0.5\n2 3 0.25\n"), extra_cols=("3",))
    assert t.extra["3"].tolist() == [0.5, 0.25]
    assert t.row_weight is None  # the third column is the extra one, not a weight


def test_comment_lines_in_the_middle(tmp_path):
    t = gk.read_edges(write(tmp_path / "c.txt", "# head\n1 2\n# middle\n2 3\n"))
    assert t.n_rows == 2


def test_positional_columns_for_headerless_files(tmp_path):
    # Higgs activity layout: A B t TYPE
    p = write(tmp_path / "act.txt", "1 2 1341100972 RT\n3 2 1341100973 RE\n")
    t = gk.read_edges(p, time_col="3", type_col="4")
    assert set(t.types) == {"RT", "RE"}
    assert str(t.timestamp[0]).startswith("2012-07-01")


# ----------------------------------------------------------------------------- ids
def test_ids_stay_strings_exactly(tmp_path):
    t = gk.read_edges(write(tmp_path / "ids.csv", "source,target\n007,7\n7,1e3\n1.0,x\n"))
    assert set(t.node_ids) == {"007", "7", "1e3", "1.0", "x"}


def test_canonical_integer_fast_path_keeps_leading_zeros_apart(tmp_path):
    t = gk.read_edges(write(tmp_path / "z.csv", "source,target\n1,2\n01,2\n"))
    assert set(t.node_ids) == {"1", "01", "2"}
    t2 = gk.read_edges(write(tmp_path / "n.csv", "source,target\n-5,2\n3,2\n"))
    assert set(t2.node_ids) == {"-5", "2", "3"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.from_regex(r"[a-z0-9_]{1,6}", fullmatch=True),
                          st.from_regex(r"[a-z0-9_]{1,6}", fullmatch=True),
                          st.sampled_from(["follow", "share", "comment"])),
                min_size=1, max_size=40))
def test_round_trip_property(tmp_path, rows):
    """Whatever rows we write come back: same multiset minus self-loops, counted."""
    path = tmp_path / "rt.csv"
    write(path, "source,target,type\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    kept = sorted(r for r in rows if r[0] != r[1])
    loops = len(rows) - len(kept)
    if not kept:
        with pytest.raises(gk.EmptyGraphError):
            gk.read_edges(str(path))
        return
    t = gk.read_edges(str(path))
    assert as_set(t) == kept
    assert t.report.self_loops_dropped == loops
    assert t.report.rows_read == len(rows)
    g = gk.SocialGraph.from_edges(t)
    assert g.n_interactions == len(kept)
    assert g.n_edges == len({(a, b) for a, b, _ in kept})


# ----------------------------------------------------------------------------- options
def test_column_mapping_options(tmp_path):
    p = write(tmp_path / "m.csv", "who,whom,what,w,when\na,b,like,2.5,2020-01-01\nb,c,like,1,2020-01-02\n")
    t = gk.read_edges(p, source_col="who", target_col="whom", type_col="what",
                      weight_col="w", time_col="when")
    assert as_set(t) == [("a", "b", "like"), ("b", "c", "like")]
    assert t.row_weight.tolist() == [2.5, 1.0]
    assert str(t.timestamp[1]) == "2020-01-02T00:00:00.000000000"


def test_type_label_and_several_files(tmp_path):
    f1 = write(tmp_path / "follows.txt", "1 2\n2 3\n")
    f2 = write(tmp_path / "shares.txt", "3 1\n1 2\n")
    t = gk.read_edges([f1, f2], type_label=["follow", "share"])
    assert as_set(t) == [("1", "2", "follow"), ("1", "2", "share"), ("2", "3", "follow"), ("3", "1", "share")]
    assert [f.rows for f in t.report.files] == [2, 2]
    g = gk.SocialGraph.from_edges(t)
    assert g.n_edges == 3  # (1,2) merged across types
    assert g.in_counts("share")[g.index(["2"])].tolist() == [1]


def test_type_label_refused_when_file_has_type_column(tmp_path):
    with pytest.raises(gk.InputError, match="has a type column"):
        gk.read_edges(write(tmp_path / "e.csv", csv_text()), type_label="follow")


def test_type_weights_and_warning_for_absent_type(tmp_path):
    t = gk.read_edges(write(tmp_path / "e.csv", csv_text()), type_weights={"share": 3, "like": 2})
    assert any("'like'" in w for w in t.report.warnings)
    g = gk.SocialGraph.from_edges(t)
    i = g.index(["carol"])[0]
    j = g.indptr[i]
    assert g.weight[j] == 6.0  # two shares x 3


def test_duplicates_aggregate_into_counts(tmp_path):
    t = gk.read_edges(write(tmp_path / "d.csv", "source,target,type\na,b,share\na,b,share\na,b,follow\n"))
    g = gk.SocialGraph.from_edges(t)
    assert g.n_edges == 1
    assert dict(zip(g.types, g.counts[0].tolist())) == {"follow": 1, "share": 2}
    assert g.stats["merged_rows"] == 2


def test_parse_type_weights():
    assert parse_type_weights(["share=3", "comment=0.5"]) == {"share": 3.0, "comment": 0.5}
    for bad in ["share", "=3", "share=x", "share=-1", "share=nan", "share=inf"]:
        with pytest.raises(ValueError):
            parse_type_weights([bad])


def test_timestamps_unix_and_iso(tmp_path):
    t = gk.read_edges(write(tmp_path / "e.csv", csv_text()))
    ts = pd.to_datetime(t.timestamp, utc=True)
    assert str(ts[2]) == "2024-01-02 22:00:00+00:00"  # +02:00 converted to UTC
    assert pd.isna(ts[3])  # empty -> missing
    assert str(ts[4]) == "2024-01-01 10:00:00+00:00"  # unix seconds


def test_read_id_list(tmp_path):
    assert read_id_list(write(tmp_path / "s.txt", "# seeds\nalice\n\n007\n")) == ["alice", "007"]
    assert read_id_list(write(tmp_path / "s.csv", "user,score\nbob,1\n007,2\n")) == ["bob", "007"]


# ----------------------------------------------------------------------------- bad input
BAD = {
    "empty file": ("empty.csv", "", r"empty\.csv: file is empty"),
    "only header": ("hdr.csv", "source,target\n", r"no data rows"),
    "only comments": ("c.txt", "# nothing\n# here\n", r"no data rows"),
    "binary garbage": ("bin.csv", "\x00\x01\x02garbage\x00" * 20, r"binary data"),
    "empty source": ("es.csv", "source,target\nx,y\n,z\n", r"es\.csv:3: source is empty"),
    "empty target": ("et.csv", "source,target\nx,\n", r"et\.csv:2: target is empty"),
    "non-numeric weight": ("nw.csv", "source,target,weight\nx,y,1\ny,z,abc\n", r"nw\.csv:3: weight 'abc' is not a finite number"),
    "negative weight": ("neg.csv", "source,target,weight\nx,y,-2\n", r"neg\.csv:2: weight -2 is negative"),
    "nan weight": ("nan.csv", "source,target,weight\nx,y,NaN\n", r"nan\.csv:2: weight 'NaN' is not a finite number"),
    "bad timestamp": ("ts.csv", "source,target,timestamp\nx,y,2020-01-01\ny,z,yesterday\n", r"ts\.csv:3: unparseable timestamp 'yesterday'"),
    "ragged row": ("rag.csv", "source,target\nx,y\ny,z,q\n", r"rag\.csv:3: expected 2 fields, found 3"),
    "missing column": ("mc.csv", "a,b\n1,2\n", r"no source column \(columns: a, b\)"),
    "empty type": ("ety.csv", "source,target,type\nx,y,follow\ny,z,\n", r"ety\.csv:3: type is empty"),
    "ragged after comments": ("rc.txt", "# c\n# c\n1 2\n2 3 4 5\n", r"rc\.txt:4: expected"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_messages(tmp_path, case):
    name, text, pattern = BAD[case]
    path = write(tmp_path / name, text)
    with pytest.raises(gk.InputError, match=pattern):
        gk.read_edges(path)


def test_missing_file(tmp_path):
    with pytest.raises(gk.InputError, match=r"nope\.csv: no such file"):
        gk.read_edges(str(tmp_path / "nope.csv"))


def test_unknown_column_option(tmp_path):
    with pytest.raises(gk.InputError, match=r"no column 'kind' for --type-col \(columns: source, target, type, timestamp\)"):
        gk.read_edges(write(tmp_path / "e.csv", csv_text()), type_col="kind")


def test_corrupt_gzip(tmp_path):
    p = tmp_path / "bad.csv.gz"
    p.write_bytes(b"this is not gzip at all")
    with pytest.raises(gk.InputError, match="not a valid gzip file"):
        gk.read_edges(str(p))


def test_invalid_utf8_names_line(tmp_path):
    p = tmp_path / "u.csv"
    p.write_bytes(b"source,target\nx,y\n\xff\xfe,z\n")
    with pytest.raises(gk.InputError, match=r"u\.csv:3: not valid UTF-8"):
        gk.read_edges(str(p))


def test_only_self_loops(tmp_path):
    with pytest.raises(gk.EmptyGraphError, match="no edges left after dropping self-loops"):
        gk.read_edges(write(tmp_path / "l.csv", "source,target\na,a\n"))


def test_self_loops_counted_per_file(tmp_path):
    f1 = write(tmp_path / "a.csv", "source,target\na,a\na,b\n")
    f2 = write(tmp_path / "b.csv", "source,target\nb,b\nb,b\nb,c\n")
    t = gk.read_edges([f1, f2])
    assert [f.self_loops for f in t.report.files] == [1, 2]
    assert t.n_rows == 2


def test_frame_has_canonical_columns(tmp_path):
    t = gk.read_edges(write(tmp_path / "e.csv", csv_text()))
    f = t.frame
    assert list(f.columns) == ["source", "target", "type", "weight", "timestamp"]
    assert np.all(f.weight == 1.0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(
    st.integers(-10**19, 10**19).map(str),
    st.from_regex(r"[-+ 0]?[0-9]{1,20}", fullmatch=True),
    st.text(alphabet="-+0123456789 e.x", min_size=0, max_size=6),
), min_size=1, max_size=30))
def test_canonical_int_parser_matches_python(ids):
    """The numba parser accepts exactly the ids whose text is str(int(text)) (up to 18 digits)."""
    from graphkit.io._ids import canonical_ints as _canonical_ints

    def canonical(s):
        try:
            return str(int(s)) == s and len(s.lstrip("-")) <= 18
        except ValueError:
            return False

    got = _canonical_ints([pa.array(ids, pa.string())])
    if all(canonical(s) for s in ids):
        assert got is not None and got.tolist() == [int(s) for s in ids]
    else:
        assert got is None


def test_string_and_int_id_paths_give_the_same_graph(tmp_path):
    """Numeric ids (fast path) and the same ids with one non-canonical extra (string path)."""
    rng = np.random.default_rng(5)
    pairs = rng.integers(0, 50, size=(300, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    text = "".join(f"{a},{b}\n" for a, b in pairs)
    t1 = gk.read_edges(write(tmp_path / "a.csv", "source,target\n" + text))
    t2 = gk.read_edges(write(tmp_path / "b.csv", "source,target\n" + text + "x1,x2\n"))
    e1 = gk.SocialGraph.from_edges(t1).edges()
    e2 = gk.SocialGraph.from_edges(t2).edges()
    e2 = e2[e2.source != "x1"]
    key = ["source", "target"]
    pd.testing.assert_frame_equal(e1.sort_values(key).reset_index(drop=True),
                                  e2.sort_values(key).reset_index(drop=True))


def test_read_user_table(tmp_path):
    import gzip as _gzip

    from graphkit.errors import InputError
    from graphkit.io import read_user_table

    p = tmp_path / "fees.tsv.gz"
    with _gzip.open(p, "wt") as fh:
        fh.write("user\tcost\textra\nalice\t3\n\nbob\t\n")
    df = read_user_table(p, "cost", ("user", "cost"))
    assert df.to_dict("list") == {"user": ["alice", "bob"], "cost": ["3", ""], "extra": ["", ""]}
    kept = read_user_table(p, "cost", ("user", "cost"), skip_blank_lines=False)
    assert kept["user"].tolist() == ["alice", "", "bob"]      # index + 2 = line number
    bad = tmp_path / "bad.csv"
    bad.write_text("user,fee\nalice,3\n")
    with pytest.raises(InputError, match=r"bad.csv: needs the columns user,cost \(missing: cost; "
                                         r"columns: user, fee\)"):
        read_user_table(bad, "cost", ("user", "cost"))
    with pytest.raises(InputError, match="no such file"):
        read_user_table(tmp_path / "nope.csv", "cost", ("user", "cost"))
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(InputError, match="binary data, not a readable cost file"):
        read_user_table(binary, "cost", ("user", "cost"))
