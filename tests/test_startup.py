"""Start-up: the light commands import no heavy library they do not use, and the NumPy
twins of the numba kernels (used on small graphs) give the kernels' results bit for bit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from graphkit.graph import _kernels as graph_kernels
from graphkit.graph import _small as graph_small
from graphkit.io import _ids
from graphkit.ranking import _iteration
from graphkit.ranking import _kernels as rank_kernels
from graphkit.ranking import _small as rank_small

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "data" / "example.csv")
HEAVY = ["numba", "llvmlite", "igraph", "matplotlib", "pyvis", "sklearn", "networkx", "scipy",
         "pandas"]
HIGGS = str(ROOT / "data" / "higgs-sample.csv.gz")

SCRIPT = """
import sys
from graphkit.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="graphkit", standalone_mode=True)
except SystemExit as exc:
    assert not exc.code, exc.code
print("IMPORTED:" + ",".join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("args, allowed", [
    (["--help"], set()),
    (["info", EXAMPLE], set()),
    (["info", EXAMPLE, "--format", "json"], set()),
    (["rank", EXAMPLE, "--top", "5"], set()),
    (["rank", EXAMPLE, "--top", "20", "-o", "{tmp}/out.csv"], set()),
    (["rank", EXAMPLE, "-o", "{tmp}/out.json"], set()),
    (["rank", HIGGS, "--top", "20", "-o", "{tmp}/out.csv"], set()),  # integer ids, 243k rows
    # the seed table and curves as NumPy columns; cascades and RR sets in the Python twins
    (["seeds", EXAMPLE, "-k", "3"], set()),
    (["seeds", EXAMPLE, "-k", "3", "--format", "json", "-o", "{tmp}/seeds.csv"], set()),
    # pandas (pyarrow's conversions, DataFrames) and igraph without matplotlib
    (["communities", EXAMPLE], {"igraph"}),  # the summary table from NumPy columns
    # -o alone: the membership as NumPy columns, no summary
    (["communities", EXAMPLE, "-o", "{tmp}/m.csv"], {"igraph"}),
])
def test_light_commands_import_no_heavy_library(args, allowed, tmp_path):
    # info and rank read, build, rank and write with pyarrow and NumPy only: pyarrow's
    # pandas shim (pa.array, to_numpy, Python scalars in compute calls) is never touched
    args = [a.format(tmp=tmp_path) for a in args]
    proc = subprocess.run([sys.executable, "-c", SCRIPT.format(heavy=HEAVY), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    line = proc.stderr.strip().splitlines()[-1]
    assert line.startswith("IMPORTED:"), proc.stderr
    imported = set(filter(None, line[len("IMPORTED:"):].split(",")))
    assert imported <= allowed, f"graphkit {' '.join(args)} imported {sorted(imported - allowed)}"


IGRAPH_THEN_PYPLOT = """
import sys
from graphkit.cli import cli
try:
    cli.main(args=["communities", sys.argv[1], "-q"], prog_name="graphkit", standalone_mode=True)
except SystemExit as exc:
    assert not exc.code, exc.code
assert "igraph" in sys.modules and "matplotlib" not in sys.modules, sorted(sys.modules)
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # the report still draws after igraph came in without it
fig, ax = plt.subplots()
ax.plot([0, 1], [1, 0])
import igraph
g = igraph.Graph.Famous("Zachary")
print(len(g.community_leiden(objective_function="modularity").membership), file=sys.stderr)
"""


def test_cli_imports_igraph_without_matplotlib_and_matplotlib_still_works():
    proc = subprocess.run([sys.executable, "-c", IGRAPH_THEN_PYPLOT, EXAMPLE],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "34"


def test_library_imports_igraph_as_installed():
    # outside the CLI igraph keeps its matplotlib backend (igraph.plot in a notebook)
    code = ("import sys, graphkit._imports as im; ig = im.igraph();"
            "from igraph.drawing.matplotlib import utils; print(utils.find_matplotlib()[0].__name__)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "matplotlib"
    code = ("import graphkit._imports as im; im.igraph_without_matplotlib(); ig = im.igraph();"
            "import sys; from igraph.drawing import shapes;"
            "print(type(shapes.mpl).__name__, 'matplotlib' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["FakeModule", "False"]


def test_help_still_lists_every_command():
    from click.testing import CliRunner

    from graphkit.cli import cli

    out = CliRunner().invoke(cli, ["--help"]).output
    for name in cli.commands:
        assert f"  {name} " in out


def _random_csr(rng, n, m, n_types=3, weighted=True):
    src = rng.integers(0, n, m)
    dst = rng.integers(0, n, m)
    typ = rng.integers(0, n_types, m)
    bits_n = max(1, int(n - 1).bit_length())
    bits_t = max(1, int(n_types - 1).bit_length())
    key = np.sort((src << (bits_n + bits_t)) | (dst << bits_t) | typ)
    tw = rng.choice([0.0, 0.5, 1.0, 3.0], n_types)
    rw = rng.random(m) * 10 if weighted else np.ones(1)
    return key, n, bits_n, bits_t, tw, rw, weighted


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("n, m", [(1, 0), (5, 3), (40, 300), (300, 900),
                                  (70_000, 20_000)])  # > 2^16 users: two radix passes
def test_numpy_twins_equal_the_kernels_bit_for_bit(seed, n, m):
    rng = np.random.default_rng(seed)
    args = _random_csr(rng, n, m, weighted=bool(seed % 2))
    csr = [graph_kernels.runs_to_csr(*args), graph_small.runs_to_csr(*args)]
    for a, b in zip(*csr):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    indptr, indices, weight, counts = csr[0]
    tr = [graph_kernels.transpose(indptr, indices, n), graph_small.transpose(indptr, indices, n)]
    for a, b in zip(*tr):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    t_indptr, t_indices, edge_of = tr[0]
    np.testing.assert_array_equal(graph_kernels.received_by_type(t_indptr, edge_of, counts),
                                  graph_small.received_by_type(t_indptr, edge_of, counts))
    out = rank_kernels.row_sums(indptr, weight)
    np.testing.assert_array_equal(out, rank_small.row_sums(indptr, weight))
    inv = _iteration.inverse(out)
    w = rank_kernels.transposed_normalized_weights(t_indices, edge_of, weight, inv)
    np.testing.assert_array_equal(
        w, rank_small.transposed_normalized_weights(t_indices, edge_of, weight, inv))
    dangling = np.flatnonzero(out <= 0).astype(np.int64)
    p = rng.random(n)
    p /= p.sum()
    for work in (4, 1 << 16):  # many chunks and one chunk: same L1 sums, same stop
        bounds = _iteration.chunk_bounds(t_indptr, work)
        for weighted in (True, False):
            inv_w = inv if weighted else _iteration.inverse(np.diff(indptr).astype(float))
            call = (t_indptr, t_indices, w if weighted else np.empty(0), inv_w, weighted,
                    bounds, dangling, p, 0.85, np.full(n, 1.0 / n), 200, 1e-12, False)
            x1, it1, e1 = rank_kernels.pagerank_pull(*call)
            x2, it2, e2 = rank_small.pagerank_pull(*call)
            assert (it1, e1) == (it2, e2)
            np.testing.assert_array_equal(x1, x2)


@pytest.mark.parametrize("ids, canonical", [
    (["1", "22", "-3", "0", "987654321012345678"], True),
    (["1", "007"], False), (["1", "-0"], False), (["1", "+2"], False), (["1", " 2"], False),
    (["1", "2 "], False), (["1", "2\n"], False), (["1", "1234567890123456789"], False),
    (["1", "x"], False), (["1", ""], False), (["1", "١"], False), (["1", "2😀"], False),
    (["-987654321012345678", "5"], True), (["1", "-1234567890123456789"], False),
    (["1", "9223372036854775808"], False), (["1", "1e3"], False), (["1", "0x10"], False),
    (["1", "1.0"], False), (["1", "٣"], False),
])
def test_small_id_parsing_equals_the_kernel(ids, canonical, monkeypatch):
    chunks = [pa.array(ids[:1]), pa.array(ids[1:])]
    small = _ids.canonical_ints(chunks)
    monkeypatch.setattr(_ids, "SMALL_IDS", 0)
    big = _ids.canonical_ints(chunks)
    assert (small is not None) == canonical == (big is not None)
    if canonical:
        np.testing.assert_array_equal(small, big)
        assert small.tolist() == [int(s) for s in ids]
    codes_big, ids_big = _ids.map_ids(chunks)
    monkeypatch.undo()
    codes_small, ids_small = _ids.map_ids(chunks)
    assert ids_small.tolist() == ids_big.tolist()
    for a, b in zip(codes_small, codes_big):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("seed", range(4))
def test_small_dense_codes_equal_unique(seed):
    rng = np.random.default_rng(seed)
    lo = int(rng.integers(-10**12, 10**12))
    values = lo + rng.integers(0, int(rng.choice([5, 1000, 4_000_000])), 2000)
    uniq, codes = _ids._dense_codes_small(values, int(values.min()),
                                          int(values.max() - values.min() + 1))
    ref_u, ref_c = np.unique(values, return_inverse=True)
    assert uniq.dtype == values.dtype and codes.dtype == np.int32
    np.testing.assert_array_equal(uniq, ref_u)
    np.testing.assert_array_equal(codes, ref_c)


@pytest.mark.parametrize("seed", range(4))
def test_weak_components_equal_scipy(seed):
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rng = np.random.default_rng(seed)
    for _ in range(50):
        n, m = int(rng.integers(1, 60)), int(rng.integers(0, 80))
        src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
        a = coo_matrix((np.ones(m), (src, dst)), shape=(n, n)).tocsr()
        count, labels = connected_components(a, directed=True, connection="weak")
        got_count, got = graph_small.weak_labels(n, src, dst)
        assert got_count == count
        np.testing.assert_array_equal(got, labels)
    path = np.arange(5000)[::-1]  # a long path, numbered against the hooking: still exact
    assert graph_small.weak_labels(5001, path, path + 1)[0] == 1
