"""Tests of what the views carry for exploring them (graphkit.viz, issue 20): the palette rule,
categorical colourings, the data behind focus, filters and the time slider, image export.

The behaviour in the browser is tested in test_browser.py; here the data each page embeds is
checked against brute force over the input rows.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from graphs import random_graph
from test_viz import HOSTILE, example_graph, hostile_rows

import graphkit as gk
from graphkit.cli import cli as main
from graphkit.viz import _colors, _time, export

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "data", "example.csv")


def embedded(page: str) -> dict:
    start = page.index('id="gk-graph">') + len('id="gk-graph">')
    return json.loads(page[start:page.index("</script>", start)])


# --------------------------------------------------------------------------- palette rule
def test_category_color_is_a_function_of_the_number():
    assert [_colors.category_color(c) for c in range(len(_colors.PALETTE))] == list(_colors.PALETTE)
    assert len(set(_colors.PALETTE)) == len(_colors.PALETTE)
    assert _colors.OTHER_COLOR not in _colors.PALETTE
    for c in (-1, len(_colors.PALETTE), 10**12):
        assert _colors.category_color(c) == _colors.OTHER_COLOR


def test_same_community_same_colour_in_every_view_and_the_report():
    g = random_graph(300, 1500, seed=4, n_types=2)
    part = gk.detect_communities(g, rng=2)
    memb = dict(zip(part.table()["user"], part.table()["community"]))
    pages = {
        "influencers": gk.influencers_view(g, communities=part, top=120, rng=1),
        "ego": gk.ego_view(g, str(g.node_ids[0]), radius=2, communities=part, rng=1),
    }
    for name, v in pages.items():
        legend = {i["code"]: i["color"] for i in v.legend[0]["items"] if i["code"] is not None}
        for n in v.nodes:
            c = memb[n["uid"]]
            color = n["color"] if isinstance(n["color"], str) else n["color"]["background"]
            assert color == _colors.category_color(c), (name, n["uid"])
            if c in legend:
                assert legend[c] == color
            # the node's legend row is the one of its colour
            assert v.legend[0]["items"][n["gi"]]["color"] == color
    cmap = gk.communities_view(g, part, rng=1)
    for n in cmap.nodes:
        assert n["color"] == _colors.category_color(int(n["label"].split()[1]))
    rep = gk.build_report(g, k=2, rng=1, evaluate_runs=100, partition=part)
    html = rep.to_html()
    for row in rep._communities():
        if row["community"] != "other":
            assert row["color"] == _colors.category_color(row["community"])
            assert f'style="background: {row["color"]}"></span> {row["community"]}</td>' in html


def test_colour_does_not_depend_on_what_else_is_shown():
    """The old rule coloured by frequency among the shown users; now top=5 and top=50 agree."""
    g = random_graph(200, 1200, seed=9)
    part = gk.detect_communities(g, rng=1)
    small = {n["uid"]: n["color"] for n in gk.influencers_view(g, top=5, communities=part, rng=1).nodes}
    big = {n["uid"]: n["color"] for n in gk.influencers_view(g, top=50, communities=part, rng=1).nodes}
    assert all(big[u] == c for u, c in small.items())


def test_categories_from_text_labels_follow_their_order():
    g = example_graph()
    users = [str(u) for u in g.node_ids]
    table = pd.DataFrame({"user": users[:6] + ["ghost"],
                          "segment": ["bridge", "broadcaster", "lurker", "bridge", "lurker",
                                      "broadcaster", "bridge"]})
    cats = _colors.categories_from(g, table, title="segment", column="segment",
                                   order=["broadcaster", "bridge", "lurker"])
    assert cats.names == ("broadcaster", "bridge", "lurker")
    assert cats.codes[:6].tolist() == [1, 0, 2, 1, 2, 0] and (cats.codes[6:] == -1).all()
    assert cats.name(1) == "bridge" and cats.name(-1) == "no segment"
    sorted_ = _colors.categories_from(g, table[["user", "segment"]], title="segment")
    assert sorted_.names == ("bridge", "broadcaster", "lurker")  # sorted when no order
    with pytest.raises(ValueError, match="not in the given order"):
        _colors.categories_from(g, table, column="segment", order=["bridge"])
    with pytest.raises(ValueError, match="name the segment column"):
        _colors.categories_from(g, table.assign(x=1), title="segment")
    # a view coloured by it: the colour is the label's number's, legend rows say the names
    v = gk.influencers_view(g, color_by=cats, rng=1)
    names = {i["label"].split(" (")[0] for i in v.legend[0]["items"]}
    assert {"broadcaster", "bridge", "lurker"} <= names
    for n in v.nodes:
        code = int(cats.codes[users.index(n["uid"])])
        assert n["color"] == _colors.category_color(code)
    assert "segment (" in v.notes[0]


def test_legend_rows_group_the_grey_ones():
    cats = _colors.Categories(np.array([0, 3, 3, 20, -1, 5]), "community", "test")
    items, row = _colors.legend_items(cats, cats.codes)
    assert [i["code"] for i in items] == [0, 3, 5, None]
    assert row.tolist() == [0, 1, 1, 3, 3, 2]
    assert items[-1]["color"] == _colors.OTHER_COLOR
    assert "community 16 and above / no community (2 shown)" == items[-1]["label"]


# --------------------------------------------------------------------------- edge and node data
def test_edges_carry_their_counts_both_ways_and_weight():
    g = random_graph(60, 400, seed=3, n_types=3)
    v = gk.influencers_view(g, top=40, rng=1)
    ids = {n["id"]: n["uid"] for n in v.nodes}
    pos = {u: i for i, u in enumerate(g.node_ids)}
    for e in v.edges:
        a, b = pos[ids[e["from"]]], pos[ids[e["to"]]]
        fwd, back = g.find_edges([a, b], [b, a])
        assert e["c"] == g.counts[fwd].tolist() and e["w"] == pytest.approx(g.weight[fwd], rel=1e-5)
        assert e.get("cb") == (g.counts[back].tolist() if back >= 0 else None)
    assert v.meta["types"] == list(g.types)
    levels = v.meta["weight"]["levels"]
    assert levels == sorted(levels) and levels[0] == min(e["w"] for e in v.edges)
    assert levels[-1] == max(e["w"] for e in v.edges)


def test_ranks_and_scores_for_labels_and_lists():
    g = random_graph(80, 500, seed=5)
    v = gk.influencers_view(g, top=30, rng=1)
    assert [n["r"] for n in v.nodes] == list(range(30))
    pr = gk.pagerank(g)
    pos = {u: i for i, u in enumerate(g.node_ids)}
    for n in v.nodes:
        assert n["s"] == pytest.approx(pr[pos[n["uid"]]], rel=1e-5)
    ego = gk.ego_view(g, str(g.node_ids[3]), radius=2, rng=1)
    assert ego.nodes[0]["r"] == 0 and sorted(n["r"] for n in ego.nodes) == list(range(ego.n_nodes))
    rest = sorted(ego.nodes[1:], key=lambda n: n["r"])
    assert [n["s"] for n in rest] == sorted((n["s"] for n in rest), reverse=True)


def test_ego_tooltips_count_interactions_with_the_centre_both_ways():
    rows = [("a", "c", "share"), ("a", "c", "share"), ("c", "a", "comment"), ("b", "c", "follow"),
            ("c", "d", "share"), ("d", "e", "follow")]
    g = gk.SocialGraph.from_pairs(rows)
    v = gk.ego_view(g, "c", radius=2, rng=1)
    tip = {n["uid"]: n["tip"] for n in v.nodes}
    assert "acted on c:</span> 2 share" in tip["a"] and "c acted on it:</span> 1 comment" in tip["a"]
    assert "acted on c:</span> 1 follow" in tip["b"] and "c acted on it:</span> nothing" in tip["b"]
    assert "acted on c:" not in tip["e"]  # two hops away
    assert "acted on by shown users:</span> 1 share" in tip["d"]
    hops = {n["uid"]: n["hop"] for n in v.nodes}
    assert hops == {"c": 0, "a": 1, "b": 1, "d": 1, "e": 2}


# --------------------------------------------------------------------------- times
def _timed_table(tmp_path):
    rows = ["source,target,type,timestamp",
            "a,b,share,2024-03-01T09:20:00Z", "a,b,share,2024-03-01T11:05:00Z",
            "a,b,comment,2024-03-01T09:40:00Z", "b,a,follow,", "c,a,share,2024-03-02T08:00:00Z",
            "d,c,comment,2024-03-01T23:59:59Z", "e,d,follow,", "x,a,share,2024-03-03T10:00:00Z"]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(rows) + "\n")
    return gk.read_edges([str(path)])


def test_time_steps_equal_brute_force(tmp_path):
    edges = _timed_table(tmp_path)
    g = gk.SocialGraph.from_edges(edges)
    v = gk.influencers_view(g, top=5, edges=edges, rng=1)  # x is not shown
    t = v.meta["time"]
    df = edges.frame
    shown = {n["uid"] for n in v.nodes}
    touching = df[df["source"].isin(shown) | df["target"].isin(shown)]
    dated = touching.dropna(subset=["timestamp"])
    secs = (dated["timestamp"].astype("int64") // 10**9).to_numpy()
    # the first round step giving at most 240 steps: 49 hours in quarters of an hour
    assert t["step"] == 900 and t["unit"] == "15 minutes"
    assert t["start"] == secs.min() - secs.min() % 900
    assert t["steps"] == (secs.max() - t["start"]) // 900 + 1 <= 240
    assert t["undated"] == int(touching["timestamp"].isna().sum()) == 2
    types = list(g.types)
    uid = {n["id"]: n["uid"] for n in v.nodes}
    for e in v.edges:
        a, b = uid[e["from"]], uid[e["to"]]
        mine = df[(df["source"] == a) & (df["target"] == b)]
        want = sorted({int((ts.value // 10**9 - t["start"]) // 900) * len(types) + types.index(ty)
                       for ts, ty in zip(mine["timestamp"], mine["type"]) if not pd.isna(ts)})
        assert e["tb"] == want
        assert e.get("tu", []) == sorted({types.index(ty) for ts, ty in
                                          zip(mine["timestamp"], mine["type"]) if pd.isna(ts)})
    for n in v.nodes:
        mine = df[(df["source"] == n["uid"]) | (df["target"] == n["uid"])]
        want = sorted({int((ts.value // 10**9 - t["start"]) // 900) for ts in mine["timestamp"]
                       if not pd.isna(ts)})
        assert n["nb"] == want
        assert n.get("nu", 0) == int(mine["timestamp"].isna().any())
    assert any("times: 6 dated interactions" in line for line in v.notes)


def test_no_time_slider_without_timestamps_or_table():
    g = example_graph()
    assert "time" not in gk.influencers_view(g, rng=1).meta
    edges = gk.read_edges([os.path.join(ROOT, "data", "example.csv")])
    plain = gk.SocialGraph.from_pairs([("a", "b")])
    with pytest.raises(ValueError, match="not the table the graph was built from"):
        _time.time_steps(edges, plain, [0], [], [])


@pytest.mark.parametrize("span, steps, unit", [(59, 60, "1 second"), (3600 * 24 * 3, 73, "1 hour"),
                                                (86400 * 400, 58, "1 week"),
                                                (86400 * 365 * 300, 151, "730 days")])
def test_time_step_is_a_round_unit(span, steps, unit):
    step, name = _time._step(span, 240)
    assert name == unit and span // step + 1 == steps


def test_page_embeds_the_view_data_and_meta():
    g = gk.SocialGraph.from_pairs(hostile_rows())
    v = gk.influencers_view(g, rng=1)
    data = embedded(v.to_html())
    assert data["meta"] == json.loads(json.dumps(v.meta))
    assert {n["uid"] for n in data["nodes"]} & set(HOSTILE)


# --------------------------------------------------------------------------- export
def test_save_image_refuses_other_extensions(tmp_path):
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        export.save_image(gk.influencers_view(example_graph(), rng=1), tmp_path / "x.jpg")


def test_missing_playwright_is_one_clear_error(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_playwright(name, *args, **kwargs):
        if name.startswith("playwright"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_playwright)
    with pytest.raises(export.BrowserUnavailable, match="'playwright' is not installed"):
        export.check_browser()


def test_missing_chromium_is_one_clear_error(monkeypatch, tmp_path):
    pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("GRAPHKIT_CHROMIUM", str(tmp_path / "no-such-browser"))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "none"))
    assert export.find_chromium() is None
    with pytest.raises(export.BrowserUnavailable, match="needs Chromium or Chrome: none found"):
        export.check_browser()
    r = CliRunner().invoke(main, ["view", EXAMPLE, "-o", str(tmp_path / "v.png")])
    assert r.exit_code == 1 and "needs Chromium or Chrome: none found" in r.output
    assert len(r.output.strip().splitlines()) == 1 and "Traceback" not in r.output
    assert not (tmp_path / "v.png").exists()


@pytest.mark.parametrize("args, message", [
    (["-o", "v.txt"], "give a file ending in .html (a page) or .png/.svg (an image)"),
    (["-o", "v.png", "--open"], "--open opens a page"),
    (["-o", "v.png", "--image-size", "big"], "expected WIDTHxHEIGHT"),
    (["-o", "v.png", "--image-size", "50x50"], "100..10000 pixels"),
    (["-o", "v.html", "--kind", "cascade", "--seeds", "alice", "--communities", "m.csv"],
     "--communities applies to --kind influencers, communities and ego"),
])
def test_view_command_usage_errors(tmp_path, args, message):
    r = CliRunner().invoke(main, ["view", EXAMPLE] + [a if not a.startswith("v.") else
                                                      str(tmp_path / a) for a in args])
    assert r.exit_code == 2 and message in r.output


def test_view_command_labels_and_ego_communities(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text("user,community\nalice,3\nbob,3\ncarol,0\n")
    out = tmp_path / "ego.html"
    r = CliRunner().invoke(main, ["view", EXAMPLE, "--kind", "ego", "--user", "alice", "--communities",
                                  str(m), "--labels", "2", "-o", str(out), "--random-seed", "1"])
    assert r.exit_code == 0, r.output
    data = embedded(out.read_text(encoding="utf-8"))
    assert data["meta"]["labels"] == 2
    color = {n["uid"]: n["color"] for n in data["nodes"]}
    assert color["bob"] == _colors.category_color(3) and color["carol"] == _colors.category_color(0)
    assert color["alice"]["background"] == _colors.category_color(3)  # the centre has a border
    assert "time" in data["meta"]  # example.csv has timestamps
    assert math.isfinite(data["meta"]["time"]["start"])
