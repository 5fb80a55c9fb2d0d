"""The view's light path: the pyvis-free assembly, the brute-force neighbour queries and
the NumPy connected components give what pyvis and scipy give, and ``graphkit view`` on a
small graph imports none of pyvis, IPython, networkx, scipy or numba."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from graphkit.viz import _html, _layout

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "data" / "example.csv")


def _pyvis_assemble(nodes, edges, options):
    """What graphkit did before: pyvis's Network, in memory."""
    from pyvis.network import Network

    net = Network(directed=True, height="100%", width="100%", cdn_resources="remote")
    for n in nodes:
        attrs = dict(n)
        net.add_node(attrs.pop("id"), **attrs)
    for e in edges:
        attrs = dict(e)
        net.add_edge(attrs.pop("from"), attrs.pop("to"), **attrs)
    net.set_options(json.dumps(options))
    out_nodes, out_edges, _heading, _h, _w, opts = net.get_network_data()
    return out_nodes, out_edges, json.loads(opts)


def _random_items(gen):
    n = int(gen.integers(1, 30))
    ids = [int(i) for i in gen.choice(1000, size=n, replace=False)]
    if gen.random() < 0.3:
        ids = [f"u{i} \u00e9" for i in ids]  # str ids
    nodes = []
    for i in ids + ids[: int(gen.integers(0, 3))]:  # a few repeated ids: the first wins
        item = {"id": i, "x": float(gen.normal()), "tip": "<b>a&b</b>", "uid": str(i)}
        r = gen.random()
        if r < 0.3:
            item["label"] = str(i)[:5]
        elif r < 0.4:
            item["label"] = ""  # empty: the id
        if gen.random() < 0.3:
            item["group"] = int(gen.integers(0, 4))
        if gen.random() < 0.3:
            item["color"] = {"background": "#123456", "border": "#000"}
        if gen.random() < 0.2:
            item["shape"] = "box"
        if gen.random() < 0.2:
            item["physics"] = False
        keys = list(item)
        gen.shuffle(keys)  # any key order: pyvis keeps it
        nodes.append({k: item[k] for k in keys})
    edges = []
    for _ in range(int(gen.integers(0, 40))):
        e = {"from": ids[int(gen.integers(0, n))], "to": ids[int(gen.integers(0, n))],
             "width": float(gen.random() * 3)}
        if gen.random() < 0.2:
            e["arrows"] = ""
        if gen.random() < 0.3:
            e["tb"] = [1, 2]
        edges.append(e)
    options = {"physics": {"enabled": bool(gen.random() < 0.5), "solver": "barnesHut"},
               "interaction": {"hover": True, "tooltipDelay": 120},
               "nodes": {"font": {"size": 14, "face": "system-ui,sans-serif"}},
               "edges": {"smooth": False, "color": {"inherit": "from"}}}
    return nodes, edges, options


@pytest.mark.parametrize("case", range(40))
def test_assemble_is_pyvis(case):
    nodes, edges, options = _random_items(np.random.default_rng(case))
    before = json.dumps([nodes, edges, options])
    ours = _html.assemble(nodes, edges, options)
    theirs = _pyvis_assemble(nodes, edges, options)
    # same items, same key order (the page's JSON), same options
    assert json.dumps(ours) == json.dumps(theirs)
    assert json.dumps([nodes, edges, options]) == before  # inputs untouched


def test_assemble_refuses_an_edge_to_a_missing_node():
    with pytest.raises(ValueError, match="not in the view"):
        _html.assemble([{"id": 1}], [{"from": 1, "to": 2}], {})


def test_vis_assets_found_without_importing_pyvis():
    code = ("import sys; from graphkit.viz import _html; js, css = _html.vis_assets();"
            "assert len(js) > 100000 and 'vis-network' in css, len(js);"
            "assert 'pyvis' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


def _points(gen, n):
    xy = gen.normal(size=(n, 2)) * gen.uniform(0.01, 200)
    if gen.random() < 0.3:
        xy = np.round(xy, int(gen.integers(0, 2)))  # ties and coincident points
    return xy


@pytest.mark.parametrize("seed", range(5))
def test_brute_neighbours_are_ckdtree_bit_for_bit(seed):
    from scipy.spatial import cKDTree

    gen = np.random.default_rng(seed)
    for _ in range(200):
        n = int(gen.integers(3, _layout._KD_LEAF + 1))
        xy = _points(gen, n)
        ours, theirs = _layout._BruteNeighbours(xy), cKDTree(xy)
        assert np.array_equal(ours.query(xy, k=2)[0][:, 1], theirs.query(xy, k=2)[0][:, 1])
        d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
        for r in (float(gen.uniform(0, d.max() + 1)), float(d[0, 1]), float(d.max())):
            a = ours.query_pairs(r, output_type="ndarray")
            b = theirs.query_pairs(r, output_type="ndarray")
            assert a.shape == b.shape and np.array_equal(a, b), (n, r)


@pytest.mark.parametrize("seed", range(3))
def test_spread_small_groups_is_the_ckdtree_result(seed, monkeypatch):
    gen = np.random.default_rng(seed)
    for _ in range(30):
        n = int(gen.integers(3, _layout._KD_LEAF + 1))
        xy = _points(gen, n)
        sizes = gen.uniform(5, 30, n)
        ours = _layout._spread(xy, sizes, 70.0)
        with monkeypatch.context() as m:
            m.setattr(_layout, "_KD_LEAF", 0)  # scipy's tree for every size
            theirs = _layout._spread(xy, sizes, 70.0)
        assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("seed", range(30))
def test_components_partition_is_scipys(seed):
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    gen = np.random.default_rng(seed)
    n = int(gen.integers(1, 300))
    m = int(gen.integers(0, 2 * n))
    src, dst = gen.integers(0, n, m), gen.integers(0, n, m)
    if seed % 3 == 0 and n > 1:  # a long path: many rounds
        src, dst = np.arange(n - 1)[::-1], np.arange(1, n)[::-1]
    ours = _layout._components(n, src, dst)
    theirs = connected_components(coo_array((np.ones(src.size), (src, dst)), shape=(n, n)),
                                  directed=False)[1]
    # the same partition: a one-to-one map between the labels
    pairs = set(zip(ours.tolist(), theirs.tolist()))
    assert len(pairs) == len(set(ours.tolist())) == len(set(theirs.tolist()))


SCRIPT = """
import sys
from graphkit.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="graphkit", standalone_mode=True)
except SystemExit as exc:
    assert not exc.code, exc.code
heavy = ["pyvis", "IPython", "networkx", "scipy", "numba", "matplotlib"]
print("IMPORTED:" + ",".join(m for m in heavy if m in sys.modules), file=sys.stderr)
"""


def test_view_on_a_small_graph_imports_no_pyvis_scipy_or_numba(tmp_path):
    out = tmp_path / "v.html"
    proc = subprocess.run([sys.executable, "-c", SCRIPT, "view", EXAMPLE, "-o", str(out), "-q"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "IMPORTED:"
    assert out.stat().st_size > 100000
