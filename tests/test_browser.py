"""Real-browser tests of the HTML views and the report (headless Chromium via Playwright).

Each page is opened from a file in Debian's Chromium (``/usr/bin/chromium``) with the
network left on, and every request other than the page itself is recorded: the test
fails on any. It also fails on a console error, an uncaught exception or a dialog, and
checks that the vis network holds the nodes and edges of the view, that hostile user
ids show as text in tooltips, the details panel and the report's tables, and that the
file stays within its size bound. A screenshot of every page is kept in
``test-artifacts/`` (gitignored).

What a person does with a page is replayed and checked against brute force over the
embedded data: a community keeps its colour across pages, clicking or searching a user
focuses it and lists its neighbours, filters and the time slider change what is shown,
the PNG and SVG buttons give real images. Speed is measured by bench/views.py, not here.

Skipped only when Chromium or Playwright is not installed; ``.ci/run`` installs both.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests need the playwright package (pip install playwright)")

from graphs import random_graph  # noqa: E402
from test_viz import HOSTILE, HOSTILE_TYPE, example_graph, hostile_graph  # noqa: E402

import graphkit as gk  # noqa: E402
from graphkit.viz._html import label_text  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
#: File size bounds: vis-network inlined is ~0.69 MB; a view of <= 300 users adds < 0.5 MB.
VIEW_MAX_BYTES = 1_500_000
REPORT_MAX_BYTES = 2_000_000
BIG_VIEW_MAX_BYTES = 6_000_000
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


def example_edges():
    return gk.read_edges([str(ROOT / "data" / "example.csv")])


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """name -> (path, built object, kind) for every page under test."""
    out = tmp_path_factory.mktemp("pages")
    built = {}
    hg = hostile_graph()
    eg = example_graph()
    for prefix, g, center, seeds in (("hostile", hg, HOSTILE[0], [HOSTILE[1], HOSTILE[2]]),
                                     ("example", eg, "alice", ["alice", "heidi"])):
        views = {
            "influencers": gk.influencers_view(g, rng=3, sources=[f"{prefix}.csv"]),
            "communities": gk.communities_view(g, rng=3),
            "ego": gk.ego_view(g, center, radius=2, rng=3),
            "cascade": gk.cascade_view(g, seeds, runs=300, rng=3),
        }
        for kind, v in views.items():
            built[f"{prefix}-{kind}"] = (v.write(out / f"{prefix}-{kind}.html"), v, kind)
        rep = gk.build_report(g, k=3, rng=3, evaluate_runs=300, sources=[f"{prefix}.csv"])
        built[f"{prefix}-report"] = (rep.write(out / f"{prefix}-report.html"), rep, "report")
    # hostile labels of a categorical colouring (what a segment colouring brings)
    labels = [HOSTILE[i % len(HOSTILE)] for i in range(hg.n_nodes)]
    seg = gk.influencers_view(hg, color_by=labels, rng=3)
    built["hostile-segments"] = (seg.write(out / "hostile-segments.html"), seg, "influencers")
    # the example with its times, coloured by one partition in every page (as the demo does)
    edges = example_edges()
    part = gk.detect_communities(eg, rng=5)
    for kind, v in {"influencers": gk.influencers_view(eg, communities=part, edges=edges, rng=3),
                    "ego": gk.ego_view(eg, "alice", radius=2, communities=part, edges=edges, rng=3),
                    "communities": gk.communities_view(eg, part, rng=3)}.items():
        built[f"timed-{kind}"] = (v.write(out / f"timed-{kind}.html"), v, kind)
    rep = gk.build_report(eg, k=2, rng=3, evaluate_runs=200, partition=part)
    built["timed-report"] = (rep.write(out / "timed-report.html"), rep, "report")
    big = gk.influencers_view(random_graph(6000, 40000, seed=11), top=2000, rng=3)
    built["big-2000"] = (big.write(out / "big-2000.html"), big, "influencers")
    return built


class Session:
    """One page in a fresh context, with everything it does recorded."""

    def __init__(self, browser, path):
        self.url = Path(path).resolve().as_uri()
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.requests, self.console_errors, self.dialogs = [], [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console_errors.append(m.text)
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(f"uncaught: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.goto(self.url)
        self.page.wait_for_function("() => window.gkView && window.gkView.ready && window.gkView.stable",
                                    timeout=30_000)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def other_requests(self):
        return [u for u in self.requests if u != self.url]

    def close(self):
        self.context.close()


@pytest.fixture
def session(browser):
    opened = []

    def open_(path):
        s = Session(browser, path)
        opened.append(s)
        return s

    yield open_
    for s in opened:
        s.close()


def _screenshot(s: Session, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    s.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=name.endswith("report"))


NAMES = [f"{p}-{k}" for p in ("example", "hostile")
         for k in ("influencers", "communities", "ego", "cascade", "report")] + [
    "hostile-segments", "timed-influencers", "timed-ego", "timed-communities", "timed-report"]


@pytest.mark.parametrize("name", NAMES)
def test_page_renders_offline_with_the_expected_network(pages, session, name):
    path, obj, kind = pages[name]
    s = session(path)
    view = obj.community_map if kind == "report" else obj
    counts = s.page.evaluate("[network.body.data.nodes.length, network.body.data.edges.length]")
    assert counts == [view.n_nodes, view.n_edges]
    drawn = s.page.evaluate("Object.keys(network.body.nodes).length")
    assert drawn == view.n_nodes
    s.page.mouse.move(300, 400)
    s.page.mouse.wheel(0, -200)  # interact a little: zoom
    s.page.wait_for_timeout(150)
    _screenshot(s, name)
    assert s.console_errors == []
    assert s.other_requests() == [], "the page made network requests"
    assert s.dialogs == []
    size = os.path.getsize(path)
    assert size <= (REPORT_MAX_BYTES if kind == "report" else VIEW_MAX_BYTES), size


@pytest.mark.parametrize("kind", ["influencers", "ego", "cascade"])
def test_hostile_ids_show_as_text_in_details_and_labels(pages, session, kind):
    path, view, _ = pages[f"hostile-{kind}"]
    s = session(path)
    shown = [n for n in view.nodes if n["uid"] in HOSTILE]
    assert shown, "the view should contain hostile ids"
    for node in shown:
        s.page.fill("#gk-search", node["uid"])
        s.page.press("#gk-search", "Enter")
        heading = s.page.text_content("#gk-details b")
        assert heading == node["uid"]
        label = s.page.evaluate("id => network.body.nodes[id].options.label", node["id"])
        assert label == label_text(node["uid"])
        selected = s.page.evaluate("network.getSelectedNodes()")
        assert selected == [node["id"]]
    # the search suggestions hold the raw ids as values
    values = s.page.eval_on_selector_all("#gk-users option", "els => els.map(e => e.value)")
    assert sorted(values) == sorted(n["uid"] for n in view.nodes)
    assert s.dialogs == [] and s.console_errors == [] and s.other_requests() == []


def node_xy(s, node_id):
    """Page coordinates of a node's centre."""
    box = s.page.locator("#gk-network").bounding_box()
    xy = s.page.evaluate("id => network.canvasToDOM(network.getPositions([id])[id])", node_id)
    return box["x"] + xy["x"], box["y"] + xy["y"]


def test_hostile_tooltip_on_hover_is_text(pages, session):
    path, view, _ = pages["hostile-influencers"]
    s = session(path)
    target = next(n for n in view.nodes if n["uid"] == HOSTILE[2])  # the <a href=...> one
    s.page.mouse.move(*node_xy(s, target["id"]))
    tip = s.page.locator("div.gk-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    assert tip.locator("b").first.text_content() == target["uid"]
    assert tip.locator("img, a, script").count() == 0
    # an edge's tooltip is written by the page from the ids and counts, as text
    for j, edge in enumerate(view.edges):
        a, b = view.nodes[edge["from"]]["uid"], view.nodes[edge["to"]]["uid"]
        got = s.page.evaluate("j => { const el = gkView.edgeTip(j); return [el.querySelector('b').textContent,"
                              " el.querySelectorAll('*').length, el.querySelectorAll('b, br, span').length,"
                              " el.textContent]; }", j)
        assert got[0] == f"{a} \u2192 {b}" and got[1] == got[2]  # only our own b, br, span
        counts = ", ".join(f"{c} {t}" for t, c in zip(view.meta["types"], edge["c"]) if c)
        assert f"{a} acted on {b}: {counts}" in got[3]
    assert s.dialogs == [] and s.console_errors == []


def test_hostile_report_tables_show_ids_as_text(pages, session):
    path, rep, _ = pages["hostile-report"]
    s = session(path)
    users = s.page.eval_on_selector_all("#gk-influencers td.gk-user", "els => els.map(e => e.textContent)")
    assert users == [str(u) for u in rep.ranking["user"]]
    assert set(users) & set(HOSTILE)
    seeds = s.page.eval_on_selector_all("#gk-seeds td.gk-user", "els => els.map(e => e.textContent)")
    assert seeds == rep.selection.seeds
    members = s.page.eval_on_selector_all("#gk-communities span.gk-user",
                                          "els => els.map(e => e.textContent)")
    expected = [str(u) for r in rep.communities.itertuples() for u in list(r.top_members) + list(r.bridges)]
    assert members == expected
    assert s.page.locator("#gk-curve svg").count() == 1
    assert s.page.locator("img").count() == 0
    assert s.dialogs == [] and s.console_errors == [] and s.other_requests() == []


def test_big_view_paints_with_physics_off(pages, session):
    path, view, _ = pages["big-2000"]
    s = session(path)
    assert s.page.evaluate("network.body.data.nodes.length") == 2000
    assert s.page.evaluate("network.physics.options.enabled") is False
    first_paint_ms = s.page.evaluate("window.gkFirstPaint")
    # bench/views.py holds the < 1.5 s goal; here only a bound that catches a physics regression
    assert first_paint_ms < 10_000
    # labels at the default zoom: at most meta.labels, the best users first
    shown = s.page.evaluate("gkView.data.nodes.filter(n => gkView.labelSize(n.id) > 0).map(n => n.r)")
    assert 0 < len(shown) <= view.meta["labels"] and max(shown) < view.meta["labels"]
    _screenshot(s, "big-2000")
    assert s.console_errors == [] and s.other_requests() == [] and s.dialogs == []
    assert os.path.getsize(path) <= BIG_VIEW_MAX_BYTES


def test_requests_are_really_recorded(browser, tmp_path):
    """The recorder itself works: a page that loads an image is caught (the test can fail)."""
    page = tmp_path / "leaky.html"
    page.write_text('<!doctype html><title>x</title><img src="http://127.0.0.1:9/x.png">'
                    '<script>window.gkView = {ready: true, stable: true};</script>')
    s = Session(browser, page)
    try:
        s.page.wait_for_timeout(300)
        assert any(u.startswith("http://127.0.0.1:9/") for u in s.other_requests())
    finally:
        s.close()


def test_artifacts_folder_is_gitignored():
    text = (ROOT / ".gitignore").read_text()
    assert "/test-artifacts/" in text


# --------------------------------------------------------------------------- colours
def hex_of(rgb: str) -> str:
    """``rgb(r, g, b)`` (a computed style) as ``#rrggbb``."""
    r, g, b = (int(x) for x in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def test_a_community_has_one_colour_on_every_page(pages, session):
    """The pages the demo makes from one partition: node, bubble, legend and table colours."""
    part = gk.detect_communities(example_graph(), rng=5)
    memb = dict(zip(part.table()["user"], part.table()["community"]))
    seen = {}  # community -> colours found anywhere
    for name in ("timed-influencers", "timed-ego", "timed-communities", "timed-report"):
        path, obj, kind = pages[name]
        s = session(path)
        drawn = s.page.evaluate("gkView.nodes.get().map(n => [n.id, n.color])")
        by_id = {n["id"]: n for n in (obj.community_map if kind == "report" else obj).nodes}
        for nid, color in drawn:
            bg = color if isinstance(color, str) else color["background"]
            node = by_id[nid]
            c = memb[node["uid"]] if "uid" in node else int(node["label"].split()[1])
            seen.setdefault(c, set()).add(bg)
        # legend rows: the swatch as the browser paints it, and the community named in the row
        rows = s.page.eval_on_selector_all(
            "ul.gk-legend[data-gk-filter=group] li",
            "els => els.map(e => [getComputedStyle(e.querySelector('.gk-swatch')).backgroundColor,"
            " e.querySelector('.gk-label').textContent])")
        for rgb, label in rows:
            if label.startswith("community "):
                seen.setdefault(int(label.split()[1]), set()).add(hex_of(rgb))
        if kind == "report":
            cells = s.page.eval_on_selector_all(
                "#gk-communities td.gk-community",
                "els => els.map(e => [getComputedStyle(e.querySelector('.gk-swatch')).backgroundColor,"
                " e.textContent.trim()])")
            assert cells
            for rgb, text in cells:
                if text != "other":
                    seen.setdefault(int(text), set()).add(hex_of(rgb))
        assert s.console_errors == [] and s.other_requests() == []
    assert seen and all(colors == {gk.viz.category_color(c)} for c, colors in seen.items()), seen


# --------------------------------------------------------------------------- focus
def neighbours(view, node_id):
    """Brute force over the embedded edges: (out, in) neighbour ids of a node."""
    out = {e["to"] for e in view.edges if e["from"] == node_id}
    inn = {e["from"] for e in view.edges if e["to"] == node_id}
    return out, inn


def by_score(view, ids):
    return [view.nodes[i]["uid"] for i in sorted(ids, key=lambda i: (-view.nodes[i]["s"], i))]


def test_click_focuses_a_user_and_lists_its_neighbours(pages, session):
    path, view, _ = pages["timed-influencers"]
    s = session(path)
    before = s.page.evaluate("[gkView.nodes.get(), gkView.edges.get()]")
    target = next(n for n in view.nodes if all(neighbours(view, n["id"])))  # in and out links
    out, inn = neighbours(view, target["id"])
    s.page.mouse.click(*node_xy(s, target["id"]))
    s.page.wait_for_function("() => gkView.focused() !== null")
    assert s.page.evaluate("gkView.focused()") == target["id"]
    assert s.page.is_visible("#gk-focus")
    assert s.page.text_content("#gk-details b") == target["uid"]
    assert s.page.eval_on_selector_all("#gk-out .gk-nbr-id", "els => els.map(e => e.textContent)") \
        == by_score(view, out)
    assert s.page.eval_on_selector_all("#gk-in .gk-nbr-id", "els => els.map(e => e.textContent)") \
        == by_score(view, inn)
    assert s.page.text_content("#gk-out-title") == f"{target['uid']} acted on ({len(out)})"
    nodes = {n["id"]: n for n in s.page.evaluate("gkView.nodes.get()")}
    role = {"out": "#e8590c", "in": "#1971c2", "both": "#7048e8"}
    for i, n in nodes.items():
        if i == target["id"]:
            assert n["color"] == view.nodes[i]["color"]
        elif i in out or i in inn:
            want = role["both"] if (i in out and i in inn) else role["out" if i in out else "in"]
            assert n["color"]["border"] == want and n["borderWidth"] == 3
        else:
            assert n["color"] == "#e4e7eb"  # dimmed
    for e in s.page.evaluate("gkView.edges.get()"):
        d = view.edges[e["id"]]
        if d["from"] == target["id"]:
            assert e["color"]["color"] == role["out"]
        elif d["to"] == target["id"]:
            assert e["color"]["color"] == role["in"]
        else:
            assert e["color"]["opacity"] < 0.2
    _screenshot(s, "focus-influencers")
    # a neighbour in the list moves the focus to it
    s.page.click("#gk-out button.gk-nbr >> nth=0")
    first_out = by_score(view, out)[0]
    s.page.wait_for_function("id => gkView.focused() === id",
                             arg=next(n["id"] for n in view.nodes if n["uid"] == first_out))
    # Escape clears: every node and edge looks as before
    s.page.keyboard.press("Escape")
    assert s.page.evaluate("gkView.focused()") is None and not s.page.is_visible("#gk-focus")
    after = s.page.evaluate("[gkView.nodes.get(), gkView.edges.get()]")
    assert [(n["color"], n.get("borderWidth", 1)) for n in after[0]] == \
        [(n["color"], n.get("borderWidth", 1)) for n in before[0]]
    assert [(e["color"], e["width"]) for e in after[1]] == [(e["color"], e["width"]) for e in before[1]]
    assert s.console_errors == [] and s.other_requests() == [] and s.dialogs == []


def test_search_centres_zooms_and_highlights(pages, session):
    path, view, _ = pages["example-influencers"]
    s = session(path)
    target = view.nodes[-1]
    scale0 = s.page.evaluate("network.getScale()")
    s.page.evaluate("() => { window.gkAnimated = new Promise(r => network.once('animationFinished', r)); }")
    s.page.fill("#gk-search", target["uid"])
    s.page.press("#gk-search", "Enter")
    s.page.evaluate("() => window.gkAnimated")  # the 400 ms animation, however long it takes here
    assert s.page.evaluate("gkView.focused()") == target["id"]
    assert s.page.evaluate("network.getSelectedNodes()") == [target["id"]]
    centre = s.page.evaluate("network.getViewPosition()")
    at = s.page.evaluate(f"network.getPositions([{target['id']}])[{target['id']}]")
    assert abs(centre["x"] - at["x"]) < 1 and abs(centre["y"] - at["y"]) < 1
    assert s.page.evaluate("network.getScale()") >= scale0
    assert s.page.evaluate(f"gkView.labelSize({target['id']})") > 0  # its name is drawn
    assert s.console_errors == [] and s.other_requests() == []


# --------------------------------------------------------------------------- filters
def visible(s):
    return s.page.evaluate("gkView.visible()")


def expected_edges(view, node_ok, edge_ok=lambda e: True):
    return sum(1 for e in view.edges if node_ok(e["from"]) and node_ok(e["to"]) and edge_ok(e))


def test_filters_change_the_visible_users_and_edges(pages, session):
    path, view, _ = pages["timed-influencers"]
    s = session(path)
    n, m = view.n_nodes, view.n_edges
    assert visible(s) == {"nodes": n, "edges": m}
    assert s.page.text_content("#gk-count") == f"showing {n} of {n} users, {m} of {m} edges"
    # colour filter: untick the first community
    s.page.click("ul[data-gk-filter=group] input[data-gk-row='0']")
    keep = {nd["id"] for nd in view.nodes if nd["gi"] != 0}
    want = {"nodes": len(keep), "edges": expected_edges(view, keep.__contains__)}
    assert visible(s) == want and want["nodes"] < n
    assert s.page.evaluate("gkView.nodes.get().filter(x => x.hidden).length") == n - len(keep)
    assert s.page.text_content("#gk-count") == f"showing {want['nodes']} of {n} users, {want['edges']} of {m} edges"
    s.page.click("ul[data-gk-filter=group] input[data-gk-row='0']")
    assert visible(s) == {"nodes": n, "edges": m}
    # interaction type filter: untick "share"
    t = view.meta["types"].index("share")
    s.page.click(f"ul[data-gk-filter=type] input[data-gk-row='{t}']")
    want = expected_edges(view, lambda i: True, lambda e: any(c for j, c in enumerate(e["c"]) if j != t))
    assert visible(s) == {"nodes": n, "edges": want} and want < m
    s.page.click("button[data-gk-set=type][data-gk-value=all]")
    assert visible(s)["edges"] == m
    # minimum weight: the slider's third level
    levels = view.meta["weight"]["levels"]
    s.page.eval_on_selector("#gk-weight", "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }", "2")
    want = expected_edges(view, lambda i: True, lambda e: e["w"] >= levels[2])
    assert visible(s)["edges"] == want < m
    # users left without an edge can be hidden
    s.page.check("#gk-lonely")
    linked = {e[k] for e in view.edges if e["w"] >= levels[2] for k in ("from", "to")}
    assert visible(s) == {"nodes": len(linked), "edges": want}
    _screenshot(s, "filters-influencers")
    assert s.console_errors == [] and s.other_requests() == []


def test_time_slider_grows_the_network_monotonically(pages, session):
    path, view, _ = pages["timed-influencers"]
    s = session(path)
    steps = view.meta["time"]["steps"]
    T = len(view.meta["types"])
    for undated in (True, False):
        if not undated:
            s.page.uncheck("#gk-undated")
        counts = []
        for b in range(steps):
            s.page.evaluate(f"gkView.setTime({b})")
            counts.append(visible(s))
        assert all(a["nodes"] <= c["nodes"] and a["edges"] <= c["edges"] for a, c in zip(counts, counts[1:]))
        assert counts[0]["edges"] < counts[-1]["edges"]
        # brute force at one step: users active up to it, edges with an interaction up to it
        b = steps // 2
        node_ok = {nd["id"] for nd in view.nodes
                   if any(x <= b for x in nd["nb"]) or (undated and nd.get("nu"))}
        edge_ok = [any(code // T <= b for code in e["tb"]) or bool(undated and e.get("tu"))
                   for e in view.edges]
        want = sum(1 for j, e in enumerate(view.edges)
                   if e["from"] in node_ok and e["to"] in node_ok and edge_ok[j])
        assert counts[b] == {"nodes": len(node_ok), "edges": want}
        if undated:
            assert counts[-1] == {"nodes": view.n_nodes, "edges": view.n_edges}
            last_short = max(b for b, c in enumerate(counts) if c["edges"] < view.n_edges)
    # a window of 3 steps: only what happened in it
    a, b = 10, 12
    s.page.evaluate(f"gkView.setTime({b}, {a})")
    node_ok = {nd["id"] for nd in view.nodes if any(a <= x <= b for x in nd["nb"])}
    edge_ok = lambda e: any(a <= code // T <= b for code in e["tb"])  # noqa: E731
    assert visible(s) == {"nodes": len(node_ok), "edges": expected_edges(view, node_ok.__contains__, edge_ok)}
    assert "2024-03-01" in s.page.text_content("#gk-time-label")
    _screenshot(s, "time-window-influencers")
    # play runs on to the end (started at the last step that misses an edge)
    s.page.select_option("#gk-time-mode", "upto")
    s.page.check("#gk-undated")
    s.page.evaluate(f"gkView.setTime({last_short}); gkView.playMs = 20")
    assert visible(s)["edges"] < view.n_edges
    s.page.click("#gk-play")
    # (predicates as functions: the page's CSP forbids evaluating strings)
    s.page.wait_for_function("() => document.getElementById('gk-play').textContent.indexOf('play') >= 0",
                             timeout=20_000)
    assert visible(s) == {"nodes": view.n_nodes, "edges": view.n_edges}
    assert s.console_errors == [] and s.other_requests() == []


# --------------------------------------------------------------------------- export
def test_save_png_and_svg_buttons_give_real_images(pages, session, tmp_path):
    from xml.etree import ElementTree

    from PIL import Image

    path, view, _ = pages["hostile-influencers"]
    s = session(path)
    with s.page.expect_download() as dl:
        s.page.click("#gk-save-png")
    png = tmp_path / "view.png"
    dl.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(png).convert("RGB")
    w, h = s.page.evaluate("[network.canvas.frame.canvas.width, network.canvas.frame.canvas.height]")
    assert img.size == (w, h) and w > 100
    colors = img.getcolors(maxcolors=1 << 20)
    assert len(colors) > 20  # a drawing, not a blank canvas
    assert max(colors)[1] == (255, 255, 255)  # on white
    with s.page.expect_download() as dl:
        s.page.click("#gk-save-svg")
    svg = tmp_path / "view.svg"
    dl.value.save_as(svg)
    root = ElementTree.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    marks = root.findall(f".//{ns}circle") + root.findall(f".//{ns}polygon")
    assert len(marks) == view.n_nodes and len(root.findall(f".//{ns}line")) == view.n_edges
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert texts and set(texts) <= {n["label"] for n in view.nodes}
    assert not root.findall(f".//{ns}script") and not root.findall(f".//{ns}image")
    assert s.console_errors == [] and s.other_requests() == [] and s.dialogs == []


@pytest.mark.slow
def test_view_command_writes_png_and_svg(tmp_path):
    """Two whole ``graphkit view -o`` processes (~5 s each on an idle machine)."""
    import subprocess
    import sys

    from PIL import Image

    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for name in ("v.png", "v.svg"):  # a process of its own: Playwright's sync API runs here too
        r = subprocess.run([sys.executable, "-m", "graphkit", "view", str(ROOT / "data" / "example.csv"),
                            "-o", str(tmp_path / name), "--random-seed", "1", "--image-size", "800x600",
                            "-q"], capture_output=True, text=True, env=env, timeout=300)
        assert r.returncode == 0, r.stderr
        assert f"wrote {tmp_path / name}" in r.stdout
    img = Image.open(tmp_path / "v.png")
    assert img.size == (1600, 1200) and len(img.convert("RGB").getcolors(1 << 20)) > 20
    text = (tmp_path / "v.svg").read_text(encoding="utf-8")
    assert text.startswith("<svg") and "alice" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.png", "v.svg"]


# --------------------------------------------------------------------------- hostile ids
def test_hostile_ids_are_text_in_the_neighbour_lists_and_filter_lists(pages, session):
    path, view, _ = pages["hostile-segments"]
    s = session(path)
    # filter lists: the categorical labels are hostile strings, the type filter too
    labels = s.page.eval_on_selector_all("ul.gk-legend .gk-label", "els => els.map(e => e.textContent)")
    assert {lab.rsplit(" (", 1)[0] for lab in labels} >= set(HOSTILE[:5]) | {HOSTILE_TYPE}
    # focus each hostile user: the lists hold the raw ids as text
    for node in [n for n in view.nodes if n["uid"] in HOSTILE][:6]:
        s.page.evaluate(f"gkView.focus({node['id']}, false)")
        out, inn = neighbours(view, node["id"])
        got = s.page.eval_on_selector_all("#gk-out .gk-nbr-id", "els => els.map(e => e.textContent)")
        assert got == by_score(view, out)
        got = s.page.eval_on_selector_all("#gk-in .gk-nbr-id", "els => els.map(e => e.textContent)")
        assert got == by_score(view, inn)
        assert s.page.text_content("#gk-out-title").startswith(node["uid"])
    assert s.page.locator("aside img, aside a, aside script, aside iframe").count() == 0
    # the filters still work with them
    s.page.click("button[data-gk-set=group][data-gk-value=none]")
    assert visible(s) == {"nodes": 0, "edges": 0}
    assert s.dialogs == [] and s.console_errors == [] and s.other_requests() == []
