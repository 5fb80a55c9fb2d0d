"""io/_ids: user ids in the reader's chunks (never copied into one array) map to the same
codes and node ids as a slow Python reference, on both the NumPy path (small inputs) and
the numba kernels (large inputs), with messy ids that must stay strings."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import graphkit as gk
from graphkit.errors import InputError
from graphkit.io import _ids
from graphkit.io._values import Located, id_strings

#: ids that are not str(int(text)) or do not fit 18 digits: the whole input stays strings
MESSY = ["007", "+1", "-0", " 7", "7 ", "\t3", "99999999999999999999", "-1234567890123456789",
         "1e3", "0x10", "1.0", "x", "٣", "12😀", "00"]


def reference(parts):
    """Codes per part and node ids, by Python's int(): canonical integers (every id's text
    is ``str(int(text))`` with at most 18 digits) in numeric order, else strings in order
    of first appearance."""
    flat = [s for part in parts for s in part]

    def canonical(s):
        try:
            return str(int(s)) == s and len(s.lstrip("-")) <= 18
        except ValueError:
            return False

    if flat and all(canonical(s) for s in flat):
        order = sorted({int(s) for s in flat})
        node_ids = [str(v) for v in order]
        pos = {v: i for i, v in enumerate(order)}
        key = [pos[int(s)] for s in flat]
    else:
        node_ids = list(dict.fromkeys(flat))
        pos = {s: i for i, s in enumerate(node_ids)}
        key = [pos[s] for s in flat]
    codes, start = [], 0
    for part in parts:
        codes.append(key[start:start + len(part)])
        start += len(part)
    return codes, node_ids


def chunked(values, rng):
    """``values`` as a ChunkedArray of a few chunks, some of them empty."""
    cuts = np.sort(rng.integers(0, len(values) + 1, int(rng.integers(0, 5))))
    bounds = [0, *cuts.tolist(), len(values)]
    return pa.chunked_array([pa.array(values[a:b], pa.string()) for a, b in zip(bounds, bounds[1:])],
                            type=pa.string())


@pytest.mark.parametrize("kernel", [False, True], ids=["numpy", "numba"])
@pytest.mark.parametrize("seed", range(8))
def test_chunked_ids_map_like_python(seed, kernel, monkeypatch):
    rng = np.random.default_rng(seed)
    lo = int(rng.choice([0, -50, 10**17]))
    parts = []
    for _ in range(int(rng.integers(1, 4))):  # source and target columns of 1-3 files
        n = int(rng.integers(1, 60))
        parts.append([str(v) for v in lo + rng.integers(0, 80, n)])
    if seed % 3:  # one messy id somewhere: every id becomes a string id
        k = int(rng.integers(len(parts)))
        parts[k][int(rng.integers(len(parts[k])))] = MESSY[seed % len(MESSY)]
    arrays = [chunked(p, rng) if seed % 2 else pa.array(p, pa.string()) for p in parts]
    if kernel:
        monkeypatch.setattr(_ids, "SMALL_IDS", 0)
    codes, node_ids = _ids.map_ids(arrays)
    want_codes, want_ids = reference(parts)
    assert node_ids.tolist() == want_ids
    assert [c.tolist() for c in codes] == want_codes
    assert all(c.dtype == np.int32 for c in codes)
    # the same as one combined array per part (what the reader passed before)
    combined, ids2 = _ids.map_ids([pa.array(p, pa.string()) for p in parts])
    assert ids2.tolist() == want_ids and [c.tolist() for c in combined] == want_codes


@pytest.mark.parametrize("messy", MESSY)
@pytest.mark.parametrize("kernel", [False, True], ids=["numpy", "numba"])
def test_one_messy_id_in_a_late_chunk_keeps_strings(messy, kernel, monkeypatch):
    """A non-canonical id in the last chunk of the target column: no id is read as a
    number ("7" and "007" stay two users), first appearance order."""
    if kernel:
        monkeypatch.setattr(_ids, "SMALL_IDS", 0)
    src = pa.chunked_array([pa.array(["10", "9"]), pa.array([], pa.string()), pa.array(["7"])])
    dst = pa.chunked_array([pa.array(["9", "10"]), pa.array(["7", messy])])
    codes, node_ids = _ids.map_ids([src, dst])
    want_codes, want_ids = reference([["10", "9", "7"], ["9", "10", "7", messy]])
    assert node_ids.tolist() == want_ids
    assert [c.tolist() for c in codes] == want_codes


def test_id_strings_keeps_clean_chunks_and_locates_an_empty_id_in_a_late_chunk(tmp_path):
    path = str(tmp_path / "e.parquet")
    loc = Located(path, "parquet", None)  # parquet rows: line = row + 1
    clean = pa.chunked_array([pa.array(["a", "b"]), pa.array([], pa.string()), pa.array(["c"])])
    assert id_strings(clean, "source", loc) is clean  # not copied
    holed = pa.chunked_array([pa.array(["a", "b"]), pa.array(["c", "", "d"])])
    with pytest.raises(InputError) as exc:
        id_strings(holed, "source", loc)
    assert exc.value.line == 4 and "source is empty" in str(exc.value)
    nulls = pa.chunked_array([pa.array(["a"]), pa.array([None, "d"], pa.string())])
    with pytest.raises(InputError) as exc:
        id_strings(nulls, "target", loc)
    assert exc.value.line == 2 and "target is empty" in str(exc.value)
    ints = pa.chunked_array([pa.array([1, 2]), pa.array([30])])
    assert id_strings(ints, "source", loc).to_pylist() == ["1", "2", "30"]


def test_parquet_row_groups_read_as_chunks_give_the_same_graph(tmp_path):
    """A Parquet file of several row groups (one chunk each) and the same rows as CSV."""
    import pyarrow.parquet as pq

    rng = np.random.default_rng(7)
    src, dst = rng.integers(0, 40, 500), rng.integers(0, 40, 500)
    table = pa.table({"source": [str(v) for v in src], "target": [f"{v:03d}" for v in dst]})
    pq.write_table(table, tmp_path / "e.parquet", row_group_size=64)
    (tmp_path / "e.csv").write_text(
        "source,target\n" + "".join(f"{a},{b:03d}\n" for a, b in zip(src, dst)))
    a = gk.read_edges(str(tmp_path / "e.parquet"))
    b = gk.read_edges(str(tmp_path / "e.csv"))
    assert a.node_ids.tolist() == b.node_ids.tolist()
    np.testing.assert_array_equal(a.source_codes, b.source_codes)
    np.testing.assert_array_equal(a.target_codes, b.target_codes)


@pytest.mark.parametrize("seed", range(6))
def test_text_ranks_equal_sorting_the_text(seed):
    rng = np.random.default_rng(seed)
    pools = [rng.integers(0, 10**6, 3000), rng.integers(-10**4, 10**4, 3000),
             rng.integers(-10**17, 10**17, 3000) // rng.integers(1, 10**12, 3000),
             np.array([0, 1, 9, 10, 99, 100, -1, -9, -10, -100, 10**17, 10**18 - 1,
                       -(10**18 - 1), 5 * 10**17, 123456789012345678])]
    values = np.unique(pools[seed % len(pools)])
    ranks = _ids.text_ranks(values)
    texts = [str(v) for v in values.tolist()]
    want = np.empty(len(texts), dtype=np.int64)
    want[sorted(range(len(texts)), key=texts.__getitem__)] = np.arange(len(texts))
    np.testing.assert_array_equal(ranks, want)


@pytest.mark.parametrize("ids", [["10", "9", "-3", "100", "0", "-10", "1"], ["10", "9", "007"]])
def test_graph_from_integer_ids_orders_ties_by_text(ids, tmp_path):
    """Integer ids hand their text order to the graph (id_order): the same as sorting the
    strings, and a full ranking breaks its ties by it (every user here ties)."""
    from graphkit.graph import id_order
    from graphkit.ranking import ranked_columns

    rows = [(a, b) for a in ids for b in ids if a != b]  # a complete graph: one score
    (tmp_path / "e.csv").write_text("source,target\n" + "".join(f"{a},{b}\n" for a, b in rows))
    edges = gk.read_edges(str(tmp_path / "e.csv"))
    assert (edges.id_ranks is None) == ("007" in ids)
    g = gk.SocialGraph.from_edges(edges)
    names = g.node_ids.tolist()
    want = np.empty(len(names), dtype=np.int64)
    want[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    np.testing.assert_array_equal(id_order(g), want)
    cols, _ = ranked_columns(g, "indegree")
    assert cols["user"].tolist() == sorted(ids)


def test_digit_counts_are_the_texts_lengths_at_every_power_of_ten():
    from graphkit.io._ids import _digits

    edges = [10**k + d for k in range(19) for d in (-1, 0, 1) if 10**k + d >= 0]
    mag = np.array(sorted(set(edges + [0, 2**63 - 1])), dtype=np.int64)
    assert _digits(mag).tolist() == [len(str(v)) for v in mag.tolist()]
    assert _digits(np.array([], dtype=np.int64)).tolist() == []
