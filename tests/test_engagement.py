"""Tests for graphkit/engagement/: formulas checked by hand, windows, messy item files."""

from __future__ import annotations

import gzip
import math

import numpy as np
import pandas as pd
import pytest

import graphkit as gk
from graphkit.engagement import (
    community_engagement,
    creator_engagement,
    engagement_windows,
    item_engagement,
    parse_window,
    read_items,
)
from graphkit.io import EdgeTable, LoadReport

ITEMS = (
    "item,creator,views,likes,comments,shares,watch_time,buyers\n"
    "v1,ann,200,30,10,10,3000,2\n"
    "v2,ann,100,5,0,5,500,0\n"
    "v3,bob,50,10,5,0,1000,1\n"
    "v4,bob,,4,1,0,,\n"
    "v5,cat,0,0,0,0,0,0\n"
)


def graph():
    rows = [("x", "ann", "follow"), ("y", "ann", "follow"), ("z", "ann", "follow"),
            ("w", "ann", "follow"), ("x", "bob", "follow"), ("x", "ann", "share"),
            ("y", "bob", "comment"), ("z", "bob", "comment")]
    return gk.SocialGraph.from_pairs(rows)


def write(tmp_path, text, name="items.csv", binary=False):
    p = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(p, "wb") as fh:
            fh.write(text if binary else text.encode("utf-8"))
    else:
        p.write_bytes(text if binary else text.encode("utf-8"))
    return str(p)


def test_item_formulas_by_hand(tmp_path):
    r = item_engagement(read_items(write(tmp_path, ITEMS)), graph())
    it = r.items.set_index("item")
    assert it.loc["v1", "engagement_rate"] == pytest.approx((30 + 10 + 10) / 200)
    assert it.loc["v2", "engagement_rate"] == pytest.approx(10 / 100)
    assert it.loc["v1", "avg_watch_time"] == pytest.approx(15.0)
    assert it.loc["v1", "conversion_rate"] == pytest.approx(2 / 4)   # ann has 4 followers
    assert math.isnan(it.loc["v4", "engagement_rate"])               # no views
    assert math.isnan(it.loc["v5", "engagement_rate"])               # 0 views
    assert math.isnan(it.loc["v5", "conversion_rate"])               # cat is not in the graph
    cr = r.creators.set_index("creator")
    assert cr.loc["ann", "engagement_rate"] == pytest.approx((50 + 10) / 300)
    assert cr.loc["ann", "avg_watch_time"] == pytest.approx(3500 / 300)
    assert cr.loc["ann", "conversion_rate"] == pytest.approx(2 / 4)
    # bob: views 50 (v4 has none), interactions 15 + 5 -> the formula over the sums
    assert cr.loc["bob", "engagement_rate"] == pytest.approx(20 / 50)
    assert cr.loc["bob", "conversion_rate"] == pytest.approx(1 / 1)
    assert any("cat" in n for n in r.notes)
    assert r.formulas["engagement_rate"] == "(likes + comments + shares) / views"


def test_item_formulas_per_community(tmp_path):
    g = graph()
    part = gk.detect_communities(g, rng=1)
    r = item_engagement(read_items(write(tmp_path, ITEMS)), g, partition=part)
    comm = {int(c): m for c, m in zip(part.membership, g.node_ids)}
    assert r.communities is not None
    memb = dict(zip(g.node_ids.tolist(), part.membership.tolist()))
    for _, row in r.communities.iterrows():
        users = [u for u in ("ann", "bob") if memb[u] == row["community"]]
        views = sum({"ann": 300, "bob": 50}[u] for u in users)
        inter = sum({"ann": 60, "bob": 20}[u] for u in users)
        assert row["engagement_rate"] == pytest.approx(inter / views)
    assert comm  # the partition covers the graph


def test_missing_columns_count_as_zero_and_are_noted(tmp_path):
    r = item_engagement(read_items(write(tmp_path, "item,creator,views,likes\nv1,ann,10,3\n")),
                        graph())
    assert r.items["engagement_rate"].tolist() == [0.3]
    assert any("no comments column" in n for n in r.notes)
    assert math.isnan(r.items["conversion_rate"].iloc[0])  # no buyers column


def test_messy_item_files(tmp_path):
    text = "\ufeff Item ;x\r\n".replace(";x", ",Creator , Views,likes,comments,shares") + (
        " v#1 , ann ,100,1,2,3\r\n\r\n\"v,2\",\"b\u00f6b 🎬\",10,1,0,0\r\n")
    df = read_items(write(tmp_path, text, "items.csv.gz"))
    assert df["item"].tolist() == ["v#1", "v,2"]
    assert df["creator"].tolist() == ["ann", "b\u00f6b 🎬"]
    tsv = read_items(write(tmp_path, "item\tcreator\tviews\nv1\tann\t5\n", "items.tsv"))
    assert tsv["views"].tolist() == [5.0]


@pytest.mark.parametrize("text, message", [
    ("item,views\nv1,3\n", "needs the columns item,creator (missing: creator"),
    ("item,creator,views\nv1,ann,-3\n", "items.csv:2: views is not a non-negative number ('-3')"),
    ("item,creator,views\nv1,ann,3\nv2,ann,lots\n", "items.csv:3: views is not a non-negative"),
    ("item,creator\nv1,ann\nv1,bob\n", "items.csv:3: item 'v1' is listed twice"),
    ("item,creator\nv1,\n", "items.csv:2: creator is empty"),
])
def test_bad_item_files_name_file_and_line(tmp_path, text, message):
    p = write(tmp_path, text)
    with pytest.raises(gk.InputError) as exc:
        read_items(p)
    assert message in str(exc.value)
    assert str(exc.value).startswith(p)


def test_binary_or_missing_item_file(tmp_path):
    with pytest.raises(gk.InputError, match="no such file"):
        read_items(str(tmp_path / "none.csv"))
    p = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", binary=True)
    with pytest.raises(gk.InputError, match="not a readable item file|needs the columns"):
        read_items(p)


def test_creator_engagement_by_hand():
    t = creator_engagement(graph()).set_index("user")
    assert t.loc["ann", "followers"] == 4 and t.loc["ann", "interactions"] == 1
    assert t.loc["ann", "rate"] == pytest.approx(1 / 4)
    assert t.loc["bob", "rate"] == pytest.approx(2 / 1)
    assert t.loc["bob", "rate_comment"] == pytest.approx(2.0)
    assert t.loc["ann", "rate_share"] == pytest.approx(0.25)
    assert t.loc["ann", "flag"] == "large audience, low engagement"
    assert list(t.index[:2]) == ["bob", "ann"]  # most interactions first
    assert "x" not in t.index  # received nothing


def test_creator_engagement_without_follow_type_uses_distinct_actors():
    g = gk.SocialGraph.from_pairs([("a", "c"), ("b", "c"), ("a", "c")])
    t = creator_engagement(g).set_index("user")
    assert t.loc["c", "followers"] == 2 and t.loc["c", "interactions"] == 3  # a repeated
    assert t.attrs["followers"] == "distinct users who interacted"


def test_community_engagement_sums_then_divides():
    g = graph()
    part = gk.detect_communities(g, rng=1)
    t = creator_engagement(g, partition=part)
    c = community_engagement(t)
    for _, row in c.iterrows():
        sub = t[t["community"] == row["community"]]
        assert row["interactions"] == sub["interactions"].sum()
        assert row["followers"] == sub["followers"].sum()
    with pytest.raises(ValueError, match="no community column"):
        community_engagement(creator_engagement(g))


def timed_table(rows):
    ids = np.array(["a", "b", "c", "d"], dtype=object)
    ts = np.array([r[3] for r in rows], dtype="datetime64[ns]")
    types = ("comment", "follow")
    return EdgeTable(ids, np.array([r[0] for r in rows], np.int32),
                     np.array([r[1] for r in rows], np.int32), types,
                     np.array([types.index(r[2]) for r in rows], np.int16), None, ts, {},
                     LoadReport((), ()))


def test_windows_by_hand():
    rows = [(0, 1, "comment", "2024-01-01"), (0, 1, "comment", "2024-01-09"),
            (2, 1, "comment", "2024-01-10"), (3, 1, "comment", "2024-01-14"),
            (0, 2, "comment", "2024-01-05"), (0, 2, "comment", "2024-01-06"),
            (3, 2, "follow", "2024-01-13"), (1, 3, "comment", "NaT")]
    w = engagement_windows(timed_table(rows), "7d").set_index("user")
    # last window (01-07, 01-14], previous (12-31, 01-07]
    assert w.loc["b", "last"] == 3 and w.loc["b", "previous"] == 1
    assert w.loc["b", "growth"] == pytest.approx(2.0)
    assert w.loc["c", "last"] == 0 and w.loc["c", "previous"] == 2
    assert w.loc["c", "followers_gained"] == 1 and w.loc["c", "growth"] == -1.0
    assert "d" not in w.index  # its only interaction has no time
    assert w.attrs["last_start"] == "2024-01-07T00:00:00Z"


def test_windows_need_timestamps_and_a_valid_length():
    g = gk.read_edges(["data/example.csv"])
    e = EdgeTable(g.node_ids, g.source_codes, g.target_codes, g.types, g.type_codes, None, None,
                  {}, g.report)
    with pytest.raises(ValueError, match="need timestamps"):
        engagement_windows(e)
    for bad in ("7", "d", "-1d", "7x", "nand"):
        with pytest.raises(ValueError, match="a window is"):
            parse_window(bad)
    assert parse_window("12h") == np.timedelta64(12 * 3600, "s")
    assert parse_window("2w") == np.timedelta64(14 * 86400, "s")


def test_item_engagement_without_graph(tmp_path):
    r = item_engagement(read_items(write(tmp_path, ITEMS)))
    assert r.creators["conversion_rate"].isna().all()
    assert isinstance(r.items, pd.DataFrame) and r.communities is None
