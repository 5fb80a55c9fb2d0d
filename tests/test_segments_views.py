"""The marketer's sections of the report (6-8) and `view --color-by segment`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_viz import HOSTILE, hostile_graph, without_vendored

import graphkit as gk
from graphkit.cli import cli

pytest.importorskip("sklearn")
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "data" / "example.csv")


@pytest.fixture(scope="module")
def example_report():
    edges = gk.read_edges([EXAMPLE])
    g = gk.SocialGraph.from_edges(edges)
    return g, gk.build_report(g, edges, k=2, rng=7, evaluate_runs=300)


def test_segments_section_is_the_segmentation(example_report):
    g, rep = example_report
    from graphkit.segments import features, segment_users

    seg = segment_users(table=features(g, partition=rep.partition, rng=rep.details["seed"]),
                        rng=rep.details["seed"])
    rows = rep.marketing["segments"]["rows"]
    assert [r[1] for r in rows] == seg.centroids["role"].tolist()
    assert [r[2] for r in rows] == seg.centroids["users"].tolist()


def test_engagement_front_is_not_dominated(example_report):
    g, rep = example_report
    from graphkit.engagement import creator_engagement
    from graphkit.segments import features

    f = features(g, partition=rep.partition, rng=rep.details["seed"]).set_index("user")
    eng = creator_engagement(g)
    eng = eng[eng["followers"] > 0]
    pts = {u: (f.loc[u, "reach"], r) for u, r in zip(eng["user"], eng["rate"])}
    front = {u for u, _, _ in rep.marketing["engagement"]["front"]}
    assert front
    for u, (a, b) in pts.items():
        dominated = any(a2 >= a and b2 >= b and (a2, b2) != (a, b) for a2, b2 in pts.values())
        first_of_ties = u == min(v for v, p in pts.items() if p == (a, b))
        assert (u in front) == (not dominated and first_of_ties), u


def test_recommend_section_is_the_held_out_test(example_report):
    _, rep = example_report
    rows = rep.marketing["recommend"]["rows"]
    assert rows and any(r[0] == "ppr (default)" for r in rows)
    recalls = [r[2] for r in rows]
    assert recalls == sorted(recalls, reverse=True)


def test_sections_escape_user_ids():
    g = hostile_graph()
    rep = gk.build_report(g, k=2, rng=5, evaluate_runs=200)
    page = without_vendored(rep.to_html())
    for h in HOSTILE:
        if any(c in h for c in "<>&\"'"):
            assert h not in page
    assert "The held-out test needs the edge table" in page  # no edges given


def test_report_without_marketing_has_no_sections():
    g = hostile_graph()
    page = gk.build_report(g, k=2, rng=5, evaluate_runs=200, marketing=False).to_html()
    assert '<section id="segments">' not in page and "K-means" not in page


def test_view_color_by_segment_cli(tmp_path):
    out = tmp_path / "v.html"
    r = CliRunner().invoke(cli, ["view", EXAMPLE, "--color-by", "segment", "--random-seed", "3",
                                 "-o", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert "Node colour: role" in page and "hub" in page
    bad = CliRunner().invoke(cli, ["view", EXAMPLE, "--kind", "ego", "--user", "alice",
                                   "--color-by", "segment", "-o", str(out)])
    assert bad.exit_code == 2 and "--color-by segment applies to --kind influencers" in bad.stderr
