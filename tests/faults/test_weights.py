"""Fault matrix, part 3: weights at the limits of float64.

Weights ``k * 2**1022`` (sums overflow to inf) and ``k * 2**-1074`` (subnormal; their
reciprocals overflow) describe the same graph as the weights ``k``: every scale-free
result (PageRank, HITS, communities, seeds, spread, segments, recommendations) must be
the same as for ``k`` — before the fix PageRank summed to 0.27 on the first and did not
converge on the second, and communities ended in IndexError.
"""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest

ROWS = [("a", "b", 1), ("b", "c", 2), ("c", "a", 3), ("a", "c", 1), ("d", "a", 2), ("d", "c", 3),
        ("e", "d", 1), ("c", "e", 2), ("f", "e", 3), ("e", "f", 1)]
SCALES = {"huge": 2.0 ** 1022, "subnormal": 2.0 ** -1074, "plain": 1.0}


def _file(scale: float) -> str:
    lines = ["source,target,weight"] + [f"{s},{t},{repr(w * scale)}" for s, t, w in ROWS]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("scale", ["huge", "subnormal"])
def test_pagerank_at_float_limits_matches_networkx_on_plain_weights(case, scale):
    out = case({"w.csv": _file(SCALES[scale])}, ["rank", "w.csv", "--format", "json"], code=0)
    rows = json.loads(out.stdout)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    got = {r["user"]: r["score"] for r in rows}
    g = nx.DiGraph()
    g.add_weighted_edges_from(ROWS)
    want = nx.pagerank(g, weight="weight", tol=1e-14)
    assert sum(got.values()) == pytest.approx(1.0, abs=1e-6)
    for u, p in want.items():
        assert got[u] == pytest.approx(p, abs=1e-5)  # the CLI stops at tol 1e-6


def test_hits_and_modularity_at_float_limits_equal_plain():
    import pandas as pd

    import graphkit as gk

    graphs = {k: gk.SocialGraph.from_pandas(
        pd.DataFrame([(s, t, w * v) for s, t, w in ROWS], columns=["source", "target", "weight"]),
        source="source", target="target", weight="weight") for k, v in SCALES.items()}
    h0, a0 = gk.hits(graphs["plain"], max_iter=1000)
    part0 = gk.detect_communities(graphs["plain"], rng=3)
    for key in ("huge", "subnormal"):
        h, a = gk.hits(graphs[key], max_iter=1000)
        assert np.allclose(h, h0, atol=1e-12) and np.allclose(a, a0, atol=1e-12)
        part = gk.detect_communities(graphs[key], rng=3)
        assert np.isfinite(part.modularity)
        assert part.modularity == pytest.approx(part0.modularity, abs=1e-12)
        assert np.array_equal(part.membership, part0.membership)


#: commands whose printed answer must not depend on a common scale of the weights
SCALE_FREE = {
    "communities": ["communities", "w.csv", "--random-seed", "3", "--format", "json"],
    "seeds": ["seeds", "w.csv", "-k", "2", "--random-seed", "3", "--format", "json"],
    "simulate": ["simulate", "w.csv", "--seeds", "a", "--runs", "200", "--random-seed", "3",
                 "--format", "json"],
    "recommend": ["recommend", "w.csv", "--user", "a", "--format", "json"],
    "rank-kcore": ["rank", "w.csv", "--by", "kcore", "--format", "json"],
}


def _strip_volatile(text: str):
    data = json.loads(text)
    if isinstance(data, dict):
        for key in ("elapsed", "seconds", "time", "input", "files"):
            data.pop(key, None)
    return data


@pytest.mark.parametrize("scale", ["huge", "subnormal"])
@pytest.mark.parametrize("command", sorted(SCALE_FREE))
def test_scale_free_commands_answer_as_on_plain_weights(case, command, scale):
    plain = case({"w.csv": _file(1.0)}, SCALE_FREE[command], code=0)
    extreme = case({"w.csv": _file(SCALES[scale])}, SCALE_FREE[command], code=0)
    a, b = _strip_volatile(extreme.stdout), _strip_volatile(plain.stdout)
    if command == "recommend":
        # the push stops at residual < tol x weighted degree, so its tolerance moves with the
        # weights' scale: the same candidates in the same order, scores within a few tol
        assert [r["candidate"] for r in a["rows"]] == [r["candidate"] for r in b["rows"]]
        for x, y in zip(a["rows"], b["rows"]):
            assert x["score"] == pytest.approx(y["score"], abs=10 * a["tol"])
        return
    assert a == b


@pytest.mark.parametrize("scale", ["huge", "subnormal"])
@pytest.mark.parametrize("command", [["segments", "w.csv", "-k", "2", "--random-seed", "1"],
                                     ["view", "w.csv", "-o", "v.html"],
                                     ["export", "w.csv", "-o", "g.graphml"],
                                     ["info", "w.csv"], ["engagement", "w.csv"]])
def test_other_commands_run_at_float_limits(case, command, scale):
    case({"w.csv": _file(SCALES[scale])}, command, code=0)
