"""Issue 16 item 7: notebook display. ``_repr_html_`` of every result is a short, escaped
summary whose numbers are the object's own; views and the report sit in a sized, sandboxed
``<iframe srcdoc>`` that holds exactly their page. The slow test runs a notebook headless
with nbclient and checks the outputs it displays."""

from __future__ import annotations

import os
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import graphkit as gk

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "data" / "example.csv")
EVIL = "<script>alert(1)</script>&\"'"


class Frames(HTMLParser):
    """The iframes of a fragment (attributes decoded as a browser does) and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.frames, self.text, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "iframe":
            self.frames.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def parse(fragment):
    p = Frames()
    p.feed(fragment)
    return p


@pytest.fixture(scope="module")
def evil_graph():
    return gk.SocialGraph.from_pairs([(EVIL, "b"), ("c", "b"), ("b", EVIL), ("d", "c")])


def test_view_is_an_iframe_holding_its_page(evil_graph):
    view = gk.influencers_view(evil_graph, rng=1)
    out = view._repr_html_()
    p = parse(out)
    assert len(p.frames) == 1 and "script" not in p.tags  # the id is text, not a tag
    frame = p.frames[0]
    assert frame["srcdoc"] == view.to_html()  # the whole page, unescaped by the browser
    assert "height:640px" in frame["style"] and "width:100%" in frame["style"]
    assert frame["sandbox"] == "allow-scripts allow-popups allow-downloads"
    assert "Content-Security-Policy" in frame["srcdoc"]  # the page's own CSP applies inside


def test_spread_estimate_numbers_and_escaping(evil_graph):
    est = gk.simulate(gk.influence_graph(evil_graph, "uniform:0.5"), [EVIL], runs=500, rng=2)
    p = parse(est._repr_html_())
    text = " ".join(p.text)
    assert "script" not in p.tags and EVIL in text
    assert f"{est.mean:,.4g}" in text and f"{est.ci_low:,.4g} .. {est.ci_high:,.4g}" in text
    assert "500" in text


def test_seed_selection_partition_edge_table():
    edges = gk.read_edges(EXAMPLE)
    g = gk.SocialGraph.from_edges(edges)
    sel = gk.select_seeds(g, 2, rng=3, evaluate_runs=500, curve_sets=500)
    text = " ".join(parse(sel._repr_html_()).text)
    assert f"{sel.spread.mean:,.4g}" in text and all(u in text for u in sel.seeds)
    part = gk.detect_communities(g, rng=1)
    text = " ".join(parse(part._repr_html_()).text)
    assert f"{part.modularity:,.4g}" in text
    assert str(part.n_communities) in text and str(int(part.sizes[0])) in text
    text = " ".join(parse(edges._repr_html_()).text)
    assert "32" in text and "10" in text  # rows and users
    per = dict(zip(edges.types, np.bincount(edges.type_codes)))
    for t, n in per.items():
        assert t in text and str(n) in text
    assert "2024-03-01" in text  # the time range


def test_report_has_summary_and_page():
    g = gk.SocialGraph.from_edges(gk.read_edges(EXAMPLE))
    rep = gk.build_report(g, k=2, rng=1, evaluate_runs=300)
    p = parse(rep._repr_html_())
    assert len(p.frames) == 1 and p.frames[0]["srcdoc"] == rep.to_html()
    assert "height:900px" in p.frames[0]["style"]
    rows = dict(zip(p.text[1::2], p.text[2::2]))  # title, then label/value pairs
    assert rows["users"] == "10" and rows["edges"] == "19"
    assert rows["communities"] == str(rep.partition.n_communities)


@pytest.mark.slow
def test_notebook_runs_headless(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    cells = [
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\nimport graphkit as gk",
        f"edges = gk.read_edges({EXAMPLE!r}); edges",
        "g = gk.SocialGraph.from_edges(edges); part = gk.detect_communities(g, rng=1); part",
        "gk.influencers_view(g, rng=1)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    env = {"PYTHONPATH": str(ROOT)}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client.execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    outs = [c.outputs for c in nb.cells]
    html_of = [o[0]["data"].get("text/html", "") for o in outs[1:]]
    assert "edge table" in html_of[0] and "communities" in html_of[1]
    assert "<iframe srcdoc=" in html_of[2]
    assert sys.executable  # the kernel is the installed python3 kernel
