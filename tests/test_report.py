"""Tests for graphkit/report.py and the view, report and demo commands (graphkit/commands/)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_viz import (
    HOSTILE,
    example_graph,
    hostile_graph,
    parse,
    without_vendored,
    write_hostile_csv,
)

import graphkit as gk
from graphkit.cli import _options as view_cmd
from graphkit.cli import cli
from graphkit.cli.commands import demo as demo_cmd

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "data" / "example.csv")


def run(args, cwd=None):
    runner = CliRunner()
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def example_report():
    g = example_graph()
    edges = gk.read_edges([EXAMPLE])
    return g, gk.build_report(g, edges, k=3, rng=7, evaluate_runs=500, sources=["example.csv"])


# --------------------------------------------------------------------------- report
def test_report_sections_hold_the_results(example_report):
    g, rep = example_report
    page = rep.to_html()
    for anchor in ("data", "influencers", "communities", "seeds", "map", "segments", "engagement",
                   "recommend"):
        assert f'<section id="{anchor}">' in page
    top = gk.rank(g, top=20)
    assert rep.ranking["user"].tolist() == top["user"].tolist()
    rows = re.findall(r'<td class="gk-user">([^<]*)</td>', page.split('id="gk-influencers"')[1].split("</table>")[0])
    assert rows == top["user"].tolist()
    seeds = re.findall(r'<td class="gk-user">([^<]*)</td>', page.split('id="gk-seeds"')[1].split("</table>")[0])
    assert seeds == rep.selection.seeds and len(seeds) == 3
    assert f"{g.n_nodes:,}" in page and "32 rows" in page  # data summary from the load report
    assert page.count("<svg") == 2 and "<?xml" not in page  # spread curve, engagement vs reach and "<!DOCTYPE svg" not in page
    # baselines are in the table, with the comparison
    for name in ("top in-degree", "top PageRank", "degree discount"):
        assert name in page
    assert rep.community_map.n_nodes == rep.partition.n_communities


def test_report_is_offline_escaped_and_deterministic(tmp_path):
    g = hostile_graph()
    a = gk.build_report(g, k=2, rng=5, evaluate_runs=300, sources=["<i>h</i>.csv"])
    b = gk.build_report(g, k=2, rng=5, evaluate_runs=300, sources=["<i>h</i>.csv"])
    page = a.to_html()
    assert page == b.to_html()
    ours = without_vendored(page)
    # the SVG namespace name of the page's SVG export (an identifier, never fetched)
    assert set(re.findall(r"https?://[^\s\"']*", ours)) <= {"http://www.w3.org/2000/svg"}
    for h in HOSTILE:
        if any(c in h for c in "<>&\"'"):
            assert h not in ours
    assert "&lt;i&gt;h&lt;/i&gt;.csv" in page
    doc = parse(page)
    assert not any(k.startswith("on") for _, attrs in doc.tags for k in attrs)
    assert not {t for t, _ in doc.tags} & {"img", "a", "iframe", "object", "embed"}
    assert [a for t, a in doc.tags if t == "link"] == [{"rel": "icon", "href": "data:,"}]
    path = a.write(tmp_path / "r.html")
    assert Path(path).read_text(encoding="utf-8") == page


def test_spread_curve_svg_is_inline_text_and_covers_every_method(example_report):
    _, rep = example_report
    svg = rep.curve_svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "http" not in svg and "<image" not in svg and "@font-face" not in svg
    text = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    for label in ("OPIM-C (recommended)", "top in-degree", "top PageRank", "degree discount"):
        assert label in svg  # svg.fonttype none: labels stay text
    assert "number of seeds k" in svg or "number of seeds k" in text
    assert gk.report.spread_curve_svg(rep.selection) == svg  # fixed ids, no date


def test_report_reuses_given_results_and_caps_k():
    g = example_graph()
    part = gk.detect_communities(g, rng=1)
    rep = gk.build_report(g, k=50, rng=1, evaluate_runs=200, partition=part)
    assert rep.partition is part
    assert len(rep.selection.table) == g.n_nodes
    assert any("k reduced from 50 to 10" in n for n in rep.details["notes"])
    sel = rep.selection
    again = gk.build_report(g, rng=1, partition=part, selection=sel)
    assert again.selection is sel and again.details["k"] == g.n_nodes


# --------------------------------------------------------------------------- commands
def test_view_command_writes_each_kind(tmp_path):
    (tmp_path / "seeds.csv").write_text("user\nalice\nheidi\n")
    cases = {
        "inf.html": ["view", EXAMPLE, "--top", "5"],
        "comm.html": ["view", EXAMPLE, "--kind", "communities"],
        "ego.html": ["view", EXAMPLE, "--kind", "ego", "--user", "alice", "--radius", "2"],
        "casc.html": ["view", EXAMPLE, "--kind", "cascade", "--seeds-file", "seeds.csv", "--runs", "200"],
    }
    for out, args in cases.items():
        r = run(args + ["-o", out, "--random-seed", "4"], cwd=tmp_path)
        assert r.exit_code == 0, r.output
        assert f"wrote {out}" in r.stdout
        page = (tmp_path / out).read_text(encoding="utf-8")
        assert page.startswith("<!doctype html>") and 'id="gk-graph"' in page
    assert "top 5 of 10 users by PageRank" in (tmp_path / "inf.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(list(cases) + ["seeds.csv"])


def test_view_command_same_seed_same_page(tmp_path):
    for name in ("a.html", "b.html"):
        assert run(["view", EXAMPLE, "-o", str(tmp_path / name), "--random-seed", "9"]).exit_code == 0
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


@pytest.mark.parametrize("args, code, message", [
    (["--kind", "ego"], 2, "--kind ego needs --user"),
    (["--user", "alice"], 2, "--user and --radius apply to --kind ego only"),
    (["--kind", "cascade"], 2, "--kind cascade needs the seed users"),
    (["--kind", "cascade", "--seeds", "alice", "--seeds-file", "x.txt"], 2, "needs the seed users"),
    (["--seeds", "alice"], 2, "apply to --kind cascade only"),
    (["--kind", "cascade", "--seeds", "alice", "--communities", "m.csv"], 2, "--communities applies to"),
    (["--prob", "uniform:0.1"], 2, "--prob applies to --kind cascade only"),
    (["--kind", "ego", "--user", "zed"], 1, "unknown user not in the graph: 'zed'"),
    (["--kind", "cascade", "--seeds", "alice,nobody"], 1, "'nobody'"),
    (["--communities", "missing.csv"], 1, "missing.csv: no such file"),
])
def test_view_command_errors(tmp_path, args, code, message):
    r = run(["view", EXAMPLE, "-o", str(tmp_path / "v.html"), "--random-seed", "1"] + args)
    assert r.exit_code == code, r.output
    assert message in r.output
    assert "Traceback" not in r.output
    assert not (tmp_path / "v.html").exists()


@pytest.mark.parametrize("out, message", [("v.csv", "give a file ending in .html"),
                                          ("nodir/v.html", "does not exist")])
def test_view_and_report_output_checked_first(tmp_path, out, message):
    for cmd in ("view", "report"):
        r = run([cmd, EXAMPLE, "-o", str(tmp_path / out)])
        assert r.exit_code == 2 and message in r.output


def test_open_starts_a_browser_only_from_a_terminal(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(view_cmd, "can_open_browser", lambda: True)
    out = tmp_path / "v.html"
    r = run(["view", EXAMPLE, "-o", str(out), "--open", "--random-seed", "1"])
    assert r.exit_code == 0 and opened == [out.resolve().as_uri()]
    monkeypatch.setattr(view_cmd, "can_open_browser", lambda: False)
    r = run(["view", EXAMPLE, "-o", str(out), "--open", "--random-seed", "1"])
    assert r.exit_code == 0 and len(opened) == 1
    assert "no browser was started" in r.output


def test_can_open_browser_is_false_in_ci_and_without_a_terminal(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert view_cmd.can_open_browser() is False
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert view_cmd.can_open_browser() is False


def test_report_command(tmp_path):
    hostile = write_hostile_csv(tmp_path / "h.csv")
    r = run(["report", hostile, "-k", "2", "--runs", "300", "-o", str(tmp_path / "r.html"),
             "--random-seed", "3"])
    assert r.exit_code == 0, r.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "graphkit report: h.csv" in page
    assert "2 seeds reaching" in r.stdout and "wrote" in r.stdout


def test_report_command_warns_when_k_exceeds_users(tmp_path):
    r = run(["report", EXAMPLE, "-k", "20", "--runs", "200", "-o", str(tmp_path / "r.html"),
             "--random-seed", "3"])
    assert r.exit_code == 0
    assert "recommending 10" in r.output and "10 seeds reaching" in r.stdout


# --------------------------------------------------------------------------- demo
@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "demo-out"
    r = run(["demo", "-o", str(out), "--random-seed", "7", "-k", "5", "--runs", "1000"])
    return out, r


def test_demo_writes_every_output_and_says_where(demo_run):
    out, r = demo_run
    assert r.exit_code == 0, r.output
    expected = ["info.json", "influencers.csv", "membership.csv", "communities.csv", "seeds.csv",
                "seeds.json", "influencers.html", "communities.html", "ego.html", "cascade.html",
                "report.html"]
    assert sorted(p.name for p in out.iterdir()) == sorted(expected)
    for name in expected:
        assert str(out / name) in r.stdout
    for step in ("1. info", "2. rank", "3. communities", "4. seeds", "5. views", "6. report"):
        assert step in r.stdout
    assert "48,132 users" in r.stdout
    assert "5 seeds by OPIM-C" in r.stdout


def test_demo_outputs_agree_with_the_library(demo_run):
    import json

    import pandas as pd

    out, _ = demo_run
    info = json.loads((out / "info.json").read_text())
    assert info["users"] == 48132
    ranking = pd.read_csv(out / "influencers.csv", dtype={"user": str})
    assert len(ranking) == 48132 and ranking["rank"].tolist()[:3] == [1, 2, 3]
    seeds = pd.read_csv(out / "seeds.csv", dtype={"user": str})
    page = (out / "report.html").read_text(encoding="utf-8")
    for u in seeds["user"]:
        assert f'<td class="gk-user">{u}</td>' in page
    cascade = (out / "cascade.html").read_text(encoding="utf-8")
    assert "5 seeds and the 300 users most likely reached" in cascade


def test_demo_pages_colour_each_community_alike(demo_run):
    """Issue 20: community c has one colour in every page of the demo (and its legend rows)."""
    import json

    import pandas as pd

    from graphkit.viz import category_color

    out, _ = demo_run
    memb = pd.read_csv(out / "membership.csv", dtype={"user": str})
    community = dict(zip(memb["user"], memb["community"]))
    checked = 0
    for name in ("influencers.html", "ego.html", "communities.html", "report.html"):
        page = (out / name).read_text(encoding="utf-8")
        start = page.index('id="gk-graph">') + len('id="gk-graph">')
        data = json.loads(page[start:page.index("</script>", start)])
        for n in data["nodes"]:
            c = community[n["uid"]] if "uid" in n else int(n["label"].split()[1])
            color = n["color"] if isinstance(n["color"], str) else n["color"]["background"]
            assert color == category_color(c), (name, n.get("uid", n["label"]))
            checked += 1
        rows = re.findall(r'<span class="gk-swatch gk-node" style="background: (#[0-9a-f]{6})"></span>'
                          r'<span class="gk-label">(?:<bdi>)?community (\d+)(?:</bdi>)? \(', page)
        assert rows, name
        assert all(category_color(int(c)) == color for color, c in rows)
    assert checked > 600


def test_bundled_sample_is_found():
    path = demo_cmd.bundled_sample()
    assert path.name == "higgs-sample.csv.gz" and path.is_file()


def test_every_package_and_template_is_installed():
    """pyproject lists packages explicitly: a new subpackage must be added there."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(conf["packages"])
    found = {".".join(p.relative_to(ROOT).parts[:-1]) for p in (ROOT / "graphkit").rglob("__init__.py")
             if "__pycache__" not in p.parts}
    assert found <= listed, f"not installed: {sorted(found - listed)}"
    assert conf["package-dir"]["graphkit.data"] == "data"
    assert "higgs-sample.csv.gz" in conf["package-data"]["graphkit.data"]
    # every data file (templates, py.typed) matches a package-data pattern of its package
    data_files = [f for f in (ROOT / "graphkit").rglob("*") if f.is_file() and f.suffix != ".py"
                  and "__pycache__" not in f.parts and not f.name.endswith((".nbi", ".nbc"))]
    assert any(f.parent.name == "templates" for f in data_files)
    for f in data_files:
        owner = f.parent
        while not (owner / "__init__.py").exists():
            owner = owner.parent
        package = ".".join(owner.relative_to(ROOT).parts)
        patterns = conf["package-data"].get(package, [])
        rel = f.relative_to(owner).as_posix()
        assert any(Path(rel).match(p) for p in patterns), f"{rel} is not installed with {package}"
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("jinja2") for d in deps) and any(d.startswith("matplotlib") for d in deps)


def test_view_command_prints_control_characters_escaped(tmp_path):
    edges = tmp_path / "e.csv"
    edges.write_text("source,target\n\"evil\x1b[31mred\",bob\ncarol,bob\n", encoding="utf-8")
    r = run(["view", str(edges), "--kind", "ego", "--user", "bob", "-o", str(tmp_path / "v.html"),
             "--random-seed", "1"])
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stdout and "bob and 2 of the 2 users" in r.stdout
