"""Tests for graphkit/viz.py (and its private helpers): what is drawn, escaping, offline pages.

The browser checks (rendering, requests, dialogs) are in test_browser.py; here the pages
are checked as text and the selections against brute force.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import os
import re
from html.parser import HTMLParser

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from graphs import random_graph

import graphkit as gk
from graphkit.errors import UnknownUserError
from graphkit.graph import SocialGraph
from graphkit.viz import _colors as _viz_colors
from graphkit.viz import _html as _viz_html
from graphkit.viz import _layout as _viz_layout
from graphkit.viz import _select as _viz_select

#: User ids that try to break out of every HTML context (shared with test_browser/test_report).
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<a href=x><img src=y onerror=alert(2)></a>",
    "it's \"quoted\" & 'single'",
    "🚀 rocket 👩\u200d👩\u200d👧",
    "مستخدم\u202eabc",
    "</script><script>alert(3)</script>",
    "line\u2028sep\u2029para",
    "&amp; &lt;x&gt;",
    "{{ 7*7 }}",
    "<!--",
]
#: An interaction type that is itself hostile.
HOSTILE_TYPE = "<img src=x onerror=alert(4)>"


def hostile_rows():
    """Edges among the hostile ids (each has in- and out-edges) plus plain users."""
    rows = []
    n = len(HOSTILE)
    for i, h in enumerate(HOSTILE):
        rows.append((f"plain{i}", h, "follow"))
        rows.append((h, HOSTILE[(i + 1) % n], "share"))
        rows.append((HOSTILE[(i + 3) % n], h, HOSTILE_TYPE))
    return rows


def write_hostile_csv(path) -> str:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "target", "type"])
        w.writerows(hostile_rows())
    return str(path)


def hostile_graph() -> SocialGraph:
    return SocialGraph.from_pairs(hostile_rows())


def example_graph() -> SocialGraph:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return gk.SocialGraph.from_edges(gk.read_edges([os.path.join(root, "data", "example.csv")]))


def all_views(graph, seed=1, center=None, seeds=None):
    center = center if center is not None else str(graph.node_ids[0])
    seeds = seeds if seeds is not None else [str(graph.node_ids[0])]
    return {
        "influencers": gk.influencers_view(graph, rng=seed, sources=["<b>in</b>.csv"]),
        "communities": gk.communities_view(graph, rng=seed),
        "ego": gk.ego_view(graph, center, radius=2, rng=seed),
        "cascade": gk.cascade_view(graph, seeds, runs=300, rng=seed),
    }


class _Collector(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.scripts = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = [dict(attrs), ""]

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script[1] += data

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script is not None:
            self.scripts.append(tuple(self._in_script))
            self._in_script = None


def parse(page: str) -> _Collector:
    c = _Collector()
    c.feed(page)
    c.close()
    return c


def without_vendored(page: str) -> str:
    """The page minus the inlined vis-network JS and CSS (third-party text)."""
    js, css = _viz_html.vis_assets()
    assert js in page and css in page
    return page.replace(js, "").replace(css, "")


# --------------------------------------------------------------------------- escaping
def test_script_json_cannot_close_the_script_and_round_trips():
    obj = {"ids": HOSTILE, "nested": {"x": "</SCRIPT>", "y": "a & b <!-- c -->"}}
    text = str(_viz_html.script_json(obj))
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert text.isascii()
    assert json.loads(text) == obj


def test_script_json_refuses_nan():
    with pytest.raises(ValueError):
        _viz_html.script_json({"x": float("nan")})


def test_tip_escapes_heading_keys_and_values():
    html = _viz_html.tip("<b>x</b>", [("<k>", "<v>"), ("", '"q"')])
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "&lt;k&gt;" in html and "&lt;v&gt;" in html and "&quot;q&quot;" in html
    # only our own markup is left
    assert set(re.findall(r"<(/?\w+)", html)) <= {"b", "/b", "br", "span", "/span"}


def test_label_is_raw_text_cut_to_the_limit():
    assert _viz_html.label_text("<b>x</b>") == "<b>x</b>"  # canvas text: not escaped
    long = "u" * 40
    assert _viz_html.label_text(long) == "u" * (_viz_html.LABEL_CHARS - 1) + "\u2026"


@pytest.fixture(scope="module")
def hostile_views():
    g = hostile_graph()
    return g, all_views(g, seed=3, center=HOSTILE[0], seeds=[HOSTILE[1]])


@pytest.mark.parametrize("kind", ["influencers", "communities", "ego", "cascade"])
def test_hostile_ids_never_reach_the_page_unescaped(hostile_views, kind):
    g, views = hostile_views
    page = views[kind].to_html()
    ours = without_vendored(page)
    for h in HOSTILE + [HOSTILE_TYPE]:
        if any(c in h for c in "<>&\"'"):
            assert h not in ours, f"raw {h!r} in the {kind} page"
    doc = parse(page)
    # no element came from the data: only the tags of our template
    allowed = {"html", "head", "meta", "link", "title", "style", "body", "header", "h1", "h2",
               "h3", "p", "span", "main", "div", "aside", "input", "datalist", "ul", "ol", "li",
               "label", "script", "section", "button", "select", "option", "svg", "polygon", "bdi"}
    assert {t for t, _ in doc.tags} <= allowed
    assert not any(k.startswith("on") for _, attrs in doc.tags for k in attrs)
    # four scripts: the JSON data (not executed) and three executable ones
    kinds = [attrs.get("type") for attrs, _ in doc.scripts]
    assert kinds == ["application/json", None, None, None]
    data = json.loads(doc.scripts[0][1])
    assert len(data["nodes"]) == views[kind].n_nodes and len(data["edges"]) == views[kind].n_edges
    # every raw id that is shown is in the data exactly (search box, labels)
    uids = {n["uid"] for n in data["nodes"] if "uid" in n}
    if kind != "communities":
        assert uids <= set(g.node_ids.tolist()) and uids & set(HOSTILE)


def test_hostile_strings_in_header_and_legend_are_escaped(hostile_views):
    _, views = hostile_views
    page = views["influencers"].to_html()
    assert "&lt;b&gt;in&lt;/b&gt;.csv" in page  # the file name in the header
    assert "&lt;img src=x onerror=alert(4)&gt;" in page  # the type in the legend
    ego = views["ego"].to_html()
    assert "Ego network of &lt;script&gt;alert(1)&lt;/script&gt;" in ego


def test_tooltips_carry_only_escaped_text(hostile_views):
    g, views = hostile_views
    for v in views.values():
        for item in v.nodes + v.edges:
            t = item.get("tip", "")
            assert set(re.findall(r"<(/?\w+)", t)) <= {"b", "/b", "br", "span", "/span"}
        # user edges carry numbers only; the page writes their tooltips as text
        if v.kind != "communities":
            assert all("tip" not in e for e in v.edges)
    node = next(n for n in views["influencers"].nodes if n["uid"] == HOSTILE[1])
    assert node["tip"].startswith("<b>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</b>")


# --------------------------------------------------------------------------- offline
def test_page_has_no_external_reference(hostile_views):
    _, views = hostile_views
    for v in views.values():
        page = v.to_html()
        ours = without_vendored(page)
        # the SVG namespace name (an identifier, never fetched) is the one URL of our own code
        urls = set(re.findall(r"https?://[^\s\"']*", ours))
        assert urls <= {"http://www.w3.org/2000/svg"}, "a URL outside the vendored library"
        assert "//cdn" not in page.lower() and "cdnjs" not in page.lower()
        doc = parse(page)
        for tag, attrs in doc.tags:
            for key in ("src", "href"):
                if key in attrs:
                    assert attrs[key].startswith("data:"), (tag, attrs)
        assert not re.search(r"@import", page)
        assert all(u.startswith("data:") for u in re.findall(r"url\(\s*[\"']?([^\"')]+)", page))
        assert '<link rel="icon" href="data:,">' in page
        assert "sourceMappingURL" not in page


def test_vendored_library_has_no_url_it_would_fetch():
    js, css = _viz_html.vis_assets()
    urls = set(re.findall(r"https?://[^\s\"'`)]+", js + css))
    # licence headers, the SVG namespace and documentation links: nothing is loaded from them
    allowed = re.compile(r"https?://(www\.w3\.org/|almende\.com|opensource\.org/|www\.apache\.org/|"
                         r"github\.com/|visjs\.github\.io/)")
    assert urls and all(allowed.match(u) for u in urls), urls - {u for u in urls if allowed.match(u)}


def test_csp_allows_exactly_the_inline_scripts(hostile_views):
    _, views = hostile_views
    page = views["cascade"].to_html()
    doc = parse(page)
    csp = next(a["content"] for t, a in doc.tags
               if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    hashes = set(re.findall(r"'sha256-([^']+)'", csp))
    executable = [text for attrs, text in doc.scripts if attrs.get("type") is None]
    assert len(executable) == 3
    assert hashes == {base64.b64encode(hashlib.sha256(t.encode()).digest()).decode()
                      for t in executable}


def test_no_lib_folder_or_stray_file_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    g = example_graph()
    for name, v in all_views(g, center="alice", seeds=["alice"]).items():
        v.write(tmp_path / f"{name}.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{k}.html" for k in ("influencers", "communities", "ego", "cascade"))
    assert oct((tmp_path / "ego.html").stat().st_mode & 0o777) != "0o600"


def test_inputs_are_not_mutated():
    g = example_graph()
    before = {k: getattr(g, k).copy() for k in ("indptr", "indices", "weight", "counts", "node_ids")}
    ranking = gk.rank(g, top=5)
    ranking_copy = ranking.copy()
    part = gk.detect_communities(g, rng=1)
    memb = part.membership.copy()
    table = part.table()
    table_copy = table.copy()
    seeds = ["alice", "heidi"]
    est = gk.simulate(gk.influence_graph(g, "wc"), seeds, runs=200, rng=1)
    act = est.activation_probability.copy()
    gk.influencers_view(g, ranking, communities=table, rng=1)
    gk.influencers_view(g, ranking, communities=part, rng=1)
    gk.communities_view(g, part, rng=1)
    gk.ego_view(g, "alice", rng=1)
    gk.cascade_view(g, seeds, rng=1, runs=100)
    gk.cascade_view(g, estimate=est, rng=1)
    for k, v in before.items():
        assert np.array_equal(getattr(g, k), v)
    pd.testing.assert_frame_equal(ranking, ranking_copy)
    pd.testing.assert_frame_equal(table, table_copy)
    assert np.array_equal(part.membership, memb) and np.array_equal(est.activation_probability, act)
    assert seeds == ["alice", "heidi"]


def test_same_seed_same_bytes_other_seed_other_layout():
    g = random_graph(60, 240, seed=5, n_types=2)
    a = gk.influencers_view(g, top=40, rng=11).to_html()
    b = gk.influencers_view(g, top=40, rng=11).to_html()
    c = gk.influencers_view(g, top=40, rng=12)
    assert a == b
    xy_a = [(n["x"], n["y"]) for n in gk.influencers_view(g, top=40, rng=11).nodes]
    assert xy_a != [(n["x"], n["y"]) for n in c.nodes]


# --------------------------------------------------------------------------- influencers
def test_influencers_header_counts_match_brute_force():
    g = random_graph(80, 500, seed=2, n_types=3)
    v = gk.influencers_view(g, top=25, rng=4)
    top = gk.rank(g, top=25)["user"].tolist()
    assert [n["uid"] for n in v.nodes] == top
    nxg = g.to_networkx()
    induced = nxg.subgraph(top).number_of_edges()
    assert v.n_edges == induced == v.details["edges_shown"]
    assert v.shown == (f"top 25 of {g.n_nodes:,} users by PageRank, {induced:,} of "
                       f"{g.n_edges:,} edges (the edges among them)")
    assert any(f"{g.n_nodes - 25:,} users with lower scores" in n for n in v.notes)
    pos = {n["id"]: n["uid"] for n in v.nodes}
    assert {(pos[e["from"]], pos[e["to"]]) for e in v.edges} == set(nxg.subgraph(top).edges())


def test_influencers_sizes_follow_scores_and_edge_colour_the_dominant_type():
    g = SocialGraph.from_pairs([("a", "b", "share"), ("a", "b", "share"), ("a", "b", "follow"),
                                ("c", "b", "follow"), ("b", "c", "comment"), ("d", "b", "follow")])
    v = gk.influencers_view(g, top=4, rng=1)
    size = {n["uid"]: n["size"] for n in v.nodes}
    assert size["b"] == max(size.values()) and size["b"] > size["a"]
    colors = _viz_colors.type_colors(g.types)
    by_pair = {(v.nodes[e["from"]]["uid"], v.nodes[e["to"]]["uid"]): e["color"]["color"] for e in v.edges}
    assert by_pair[("a", "b")] == colors["share"]
    assert by_pair[("b", "c")] == colors["comment"]
    assert by_pair[("c", "b")] == colors["follow"]
    legend_types = {i["label"] for grp in v.legend for i in grp["items"] if i["kind"] == "edge"}
    assert legend_types == {"share", "comment", "follow"}


def test_influencers_takes_a_ranking_scores_or_measure():
    g = random_graph(50, 300, seed=8)
    by_df = gk.influencers_view(g, gk.rank(g, method="indegree", top=10), rng=1)
    scores = gk.indegree(g).astype(float)
    by_arr = gk.influencers_view(g, scores, top=10, rng=1)
    by_name = gk.influencers_view(g, top=10, method="indegree", rng=1)
    ids = [n["uid"] for n in by_df.nodes]
    assert ids == [n["uid"] for n in by_arr.nodes] == [n["uid"] for n in by_name.nodes]
    assert "in-degree" in by_df.title


def test_influencers_communities_from_file_partition_or_leiden(tmp_path):
    g = example_graph()
    part = gk.detect_communities(g, rng=2)
    path = tmp_path / "m.csv"
    part.table().to_csv(path, index=False)
    from_file = gk.influencers_view(g, communities=str(path), rng=1)
    from_part = gk.influencers_view(g, communities=part, rng=1)
    assert [n["color"] for n in from_file.nodes] == [n["color"] for n in from_part.nodes]
    assert "m.csv" in from_file.notes[0] and "whole graph" in from_part.notes[0]
    leiden = gk.influencers_view(g, top=6, rng=1)
    assert "Leiden on the 6 shown users only" in leiden.notes[0]
    # users in the same community share a colour
    memb = dict(zip(part.table()["user"], part.table()["community"]))
    col = {}
    for n in from_part.nodes:
        col.setdefault(memb[n["uid"]], set()).add(n["color"])
    assert all(len(c) == 1 for c in col.values())


def test_edge_cap_keeps_the_heaviest_and_says_so():
    g = SocialGraph.from_pairs([("a", "b")] * 5 + [("b", "c")] * 3 + [("c", "a"), ("a", "c")])
    v = gk.influencers_view(g, top=3, max_edges=2, rng=1)
    pairs = {(v.nodes[e["from"]]["uid"], v.nodes[e["to"]]["uid"]) for e in v.edges}
    assert pairs == {("a", "b"), ("b", "c")}
    assert any("the 2 lightest (at most 2 are drawn)" in n for n in v.notes)


def test_big_views_use_python_positions_with_physics_off():
    g = random_graph(1500, 6000, seed=3)
    v = gk.influencers_view(g, top=1200, rng=5)
    assert v.n_nodes == 1200 and not v.physics
    assert v.options["physics"] == {"enabled": False}
    assert v.options["edges"]["smooth"] is False and v.options["interaction"]["hideEdgesOnDrag"]
    xy = np.array([(n["x"], n["y"]) for n in v.nodes])
    assert np.isfinite(xy).all() and len({tuple(p) for p in xy}) > 1100
    assert any("physics off above 1,000 nodes" in n for n in v.notes)
    small = gk.influencers_view(g, top=200, rng=5)
    assert small.physics and small.options["physics"]["stabilization"]["enabled"]
    assert all("x" in n and "y" in n for n in small.nodes)  # physics starts from them


def test_physics_limit_is_a_parameter():
    g = random_graph(40, 150, seed=1)
    assert not gk.influencers_view(g, top=20, physics_limit=10, rng=1).physics
    assert gk.influencers_view(g, top=20, physics_limit=20, rng=1).physics


def test_influencers_errors():
    g = example_graph()
    with pytest.raises(ValueError, match="top must be"):
        gk.influencers_view(g, top=0)
    with pytest.raises(ValueError, match="one value per user"):
        gk.influencers_view(g, np.ones(3))
    with pytest.raises(ValueError, match="user and score"):
        gk.influencers_view(g, pd.DataFrame({"user": ["alice"]}))
    with pytest.raises(ValueError, match="community labels must be"):
        gk.influencers_view(g, communities=np.zeros(3, dtype=int))


# --------------------------------------------------------------------------- communities
def test_communities_view_bubbles_and_links_match_brute_force():
    g = random_graph(120, 700, seed=6, n_types=2)
    part = gk.detect_communities(g, rng=3)
    v = gk.communities_view(g, part, rng=3)
    sizes = part.sizes
    assert v.n_nodes == part.n_communities
    label = {n["id"]: int(n["label"].split()[1]) for n in v.nodes}
    for n in v.nodes:
        assert f"users</span> {sizes[label[n['id']]]:,}" in n["tip"]
    # interactions between communities, both directions together
    memb = part.membership
    inter = g.counts.sum(axis=1)
    src = g.sources()
    expected = {}
    for s, t, w in zip(memb[src], memb[g.indices], inter):
        if s != t:
            key = (min(s, t), max(s, t))
            expected[key] = expected.get(key, 0) + int(w)
    got = {}
    for e in v.edges:
        a, b = label[e["from"]], label[e["to"]]
        total = int(re.search(r"interactions</span> ([\d,]+)", e["tip"]).group(1).replace(",", ""))
        got[(min(a, b), max(a, b))] = total
        assert e["arrows"] == {"to": {"enabled": False}}
    assert got == expected
    assert v.details["links"] == len(expected)


def test_communities_view_top_members_and_left_out():
    g = random_graph(200, 500, seed=9)
    part = gk.detect_communities(g, rng=1)
    v = gk.communities_view(g, part, top=3, members=2, rng=1)
    assert v.n_nodes == 3
    left = part.n_communities - 3
    assert any(f"the {left:,} smallest communities" in n for n in v.notes)
    assert v.shown.startswith(f"3 of {part.n_communities:,} communities ({int(part.sizes[:3].sum()):,} of")
    pr = gk.pagerank(g)
    ids = g.node_ids
    for n in v.nodes:
        c = int(n["label"].split()[1])
        members = np.flatnonzero(part.membership == c)
        order = sorted(members, key=lambda p: (-pr[p], ids[p]))[:2]
        assert ", ".join(ids[p] for p in order) in n["tip"]


def test_communities_view_from_file_with_unassigned_users(tmp_path):
    g = example_graph()
    path = tmp_path / "m.csv"
    path.write_text("user,community\nalice,5\nbob,5\ncarol,2\nghost,9\n")
    v = gk.communities_view(g, str(path), rng=1)
    assert sorted(n["label"] for n in v.nodes) == ["community 2", "community 5"]
    assert any("7 users without a community" in n for n in v.notes)


# --------------------------------------------------------------------------- ego
def test_ego_uncapped_equals_networkx_ego_graph():
    g = random_graph(300, 600, seed=4)
    center = str(g.node_ids[7])
    for radius in (1, 2, 3):
        v = gk.ego_view(g, center, radius=radius, top=10_000, rng=1)
        und = g.to_networkx().to_undirected()
        expected = set(nx.ego_graph(und, center, radius=radius).nodes())
        assert {n["uid"] for n in v.nodes} == expected
        assert v.details["within_radius"] == len(expected)
        assert v.nodes[0]["uid"] == center


def test_ego_cap_keeps_best_scoring_per_hop_and_stays_connected():
    g = random_graph(400, 2500, seed=1)
    center = str(g.node_ids[0])
    score = gk.pagerank(g)
    v = gk.ego_view(g, center, radius=2, top=30, scores=score, rng=1)
    assert v.n_nodes == 30
    und = g.to_networkx().to_undirected()
    shown = [n["uid"] for n in v.nodes]
    assert nx.is_connected(und.subgraph(shown))
    hop1 = set(und.neighbors(center))
    kept1 = [u for u in shown if u in hop1]
    if len(hop1) > 29:  # the cap fell inside hop 1: the best-scoring neighbours are kept
        pos = g.index(list(hop1))
        best = sorted(pos, key=lambda p: (-score[p], p))[:29]
        assert set(kept1) == set(g.node_ids[best])
    assert v.details["within_radius"] > 30
    assert any("best-scoring" in n for n in v.notes)


def test_ego_unknown_user_raises_naming_it():
    with pytest.raises(UnknownUserError, match="'zed'"):
        gk.ego_view(example_graph(), "zed")


# --------------------------------------------------------------------------- cascade
def test_cascade_marks_seeds_and_colours_by_probability():
    g = SocialGraph.from_pairs([("b", "a"), ("c", "a"), ("d", "c"), ("x", "y")])
    v = gk.cascade_view(g, ["a"], prob="uniform:1", runs=100, rng=1)
    assert [n["uid"] for n in v.nodes] == ["a", "b", "c", "d"]  # y and x are never reached
    assert v.nodes[0]["shape"] == "star" and all(n["shape"] == "dot" for n in v.nodes[1:])
    assert all(n["color"] == _viz_colors.sequential_color(1.0) for n in v.nodes[1:])
    # influence flows against attention: the arc a -> b comes from the edge b -> a
    arcs = {(v.nodes[e["from"]]["uid"], v.nodes[e["to"]]["uid"]) for e in v.edges}
    assert arcs == {("a", "b"), ("a", "c"), ("c", "d")}
    assert v.details["expected_reach"] == 4.0


def test_cascade_shows_the_most_likely_reached():
    g = random_graph(300, 1200, seed=2)
    seeds = [str(u) for u in g.node_ids[:3]]
    est = gk.simulate(gk.influence_graph(g, "wc"), seeds, runs=500, rng=4)
    v = gk.cascade_view(g, estimate=est, top=20, rng=4)
    expected = est.top_reached(20)["user"].tolist()
    assert [n["uid"] for n in v.nodes] == seeds + expected
    p = dict(zip(est.reached()["user"], est.reached()["probability"]))
    for n in v.nodes[3:]:
        assert n["color"] == _viz_colors.sequential_color(p[n["uid"]])


def test_cascade_unknown_seed_raises():
    with pytest.raises(UnknownUserError, match="'nobody'"):
        gk.cascade_view(example_graph(), ["alice", "nobody"], runs=10)


# --------------------------------------------------------------------------- helpers
def test_top_positions_breaks_ties_by_id():
    ids = np.array(["b", "a", "d", "c"], dtype=object)
    assert _viz_select.top_positions(ids, [1.0, 1.0, 2.0, 1.0], 3).tolist() == [2, 1, 0]
    assert _viz_select.top_positions(ids, [1.0, 1.0, 2.0, 1.0], 10).tolist() == [2, 1, 0, 3]


@pytest.mark.parametrize("arrow", [False, True])
def test_positions_of_both_paths(monkeypatch, arrow):
    g = random_graph(500, 1000, seed=1)
    if arrow:
        monkeypatch.setattr(_viz_select, "ARROW_LOOKUP_MIN", 0)
    users = [str(g.node_ids[i]) for i in (7, 3, 7, 99)]
    assert _viz_select.positions_of(g, users).tolist() == [7, 3, 7, 99]
    with pytest.raises(UnknownUserError, match="'nope'"):
        _viz_select.positions_of(g, users + ["nope"])


def test_induced_edges_equals_brute_force():
    g = random_graph(200, 1500, seed=7, n_types=2)
    rng = np.random.default_rng(0)
    pos = rng.choice(200, 50, replace=False)
    src, dst, eid = _viz_select.induced_edges(g, pos)
    keep = set(pos.tolist())
    s, t = g.sources(), g.indices
    expected = {e for e in range(g.n_edges) if s[e] in keep and t[e] in keep}
    assert set(eid.tolist()) == expected and len(eid) == len(expected)
    assert np.array_equal(pos[src], s[eid]) and np.array_equal(pos[dst], t[eid])


def test_sequential_color_ends_and_checks():
    assert _viz_colors.sequential_color(0.0) == _viz_colors.SEQUENTIAL_STOPS[0]
    assert _viz_colors.sequential_color(1.0) == _viz_colors.SEQUENTIAL_STOPS[-1]
    assert _viz_colors.sequential_color(float("nan")) == _viz_colors.SEQUENTIAL_STOPS[0]
    with pytest.raises(ValueError):
        _viz_colors.check_color("red;background:url(x)")


def test_layout_is_seeded_and_separates_the_nodes():
    rng = np.random.default_rng(1)
    src, dst = rng.integers(0, 60, 200), rng.integers(0, 60, 200)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    sizes = rng.uniform(8, 30, 60)
    a = _viz_layout.layout(60, src, dst, seed=3, sizes=sizes)
    b = _viz_layout.layout(60, src, dst, seed=3, sizes=sizes)
    c = _viz_layout.layout(60, src, dst, seed=4, sizes=sizes)
    assert np.array_equal(a.xy, b.xy) and not np.array_equal(a.xy, c.xy)
    # overlaps removed: centres at least the two radii apart (within the push's tolerance)
    d = np.hypot(*(a.xy[:, None, :] - a.xy[None, :, :]).transpose(2, 0, 1))
    need = sizes[:, None] + sizes[None, :]
    off = ~np.eye(60, dtype=bool)
    assert (d[off] >= 0.95 * need[off]).all()


def test_layout_puts_lonely_users_on_a_ring_outside_the_groups():
    # a 30-node connected group, three pairs, and 12 users without an edge
    ring = [(i, (i + 1) % 30) for i in range(30)] + [(i, i + 7) for i in range(0, 23, 3)]
    pairs = [(30, 31), (32, 33), (34, 35)]
    src, dst = np.array(ring + pairs).T
    n = 48
    p = _viz_layout.layout(n, src, dst, seed=1)
    assert (p.n_isolated, p.n_groups) == (12, 4)
    assert p.central.tolist() == [True] * 30 + [False] * 18
    r = np.hypot(p.xy[:, 0], p.xy[:, 1])
    assert r[30:36].min() > r[:30].max()  # the pairs around the group
    assert r[36:].min() > r[30:36].max()  # the lonely users outside everything
    assert np.ptp(r[36:]) < 1.0  # one ring (12 fit on it)
    # the best of them (lowest index) at the top of the ring (screen y grows downwards)
    assert p.xy[36, 1] < 0 and abs(p.xy[36, 0]) < abs(p.xy[36, 1])


def test_radial_layout_rings_by_hop():
    hops = np.array([0, 1, 1, 1, 2, 2, 2, 2])
    src = np.array([1, 0, 0, 1, 2, 3, 3])
    dst = np.array([0, 2, 3, 4, 5, 6, 7])
    xy = _viz_layout.radial_layout(hops, src, dst, spacing=70.0)
    r = np.hypot(xy[:, 0], xy[:, 1])
    assert r[0] == 0.0
    assert r[1:4].max() < r[4:].min()
    assert np.ptp(r[1:4]) < 1.0 and r[1] >= 2.5 * 70 - 0.1
    # the hop-2 users sit next to the hop-1 user they hang from
    angle = np.arctan2(xy[:, 1], xy[:, 0])
    def gap(a, b):
        return abs((angle[a] - angle[b] + np.pi) % (2 * np.pi) - np.pi)
    assert gap(4, 1) < gap(4, 3) and gap(6, 3) < gap(6, 1)


def test_sampled_betweenness_on_a_bigger_graph():
    g = random_graph(1500, 4000, seed=2)
    v = gk.influencers_view(g, top=5, method="betweenness", rng=1)
    assert v.n_nodes == 5 and "betweenness" in v.title


def test_communities_view_with_huge_labels_from_a_file(tmp_path):
    g = example_graph()
    path = tmp_path / "m.csv"
    big = 9_000_000_000_000
    rows = [f"{u},{big if u in ('alice', 'bob', 'carol', 'dave', 'erin') else 7}"
            for u in g.node_ids]
    path.write_text("user,community\n" + "\n".join(rows) + "\n")
    v = gk.communities_view(g, str(path), rng=1)
    assert sorted(n["label"] for n in v.nodes) == ["community 7", f"community {big}"]
    assert v.n_edges == 1 and v.details["links"] == 1
