"""User ids -> dense int32 codes, once, for every reader."""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ._arrow import from_numpy, objects, to_numpy

#: Below this many ids they are parsed and coded by pyarrow/NumPy (same results as the
#: numba kernels, without numba's ~1 s start-up per process; bench/RESULTS.md).
SMALL_IDS = 3_000_000  # 1.5M rows: graph._small.SMALL_WORK



def map_ids(chunks, with_ranks: bool = False):
    """Map arrow string arrays (or ChunkedArrays) of ids to dense int32 codes.

    Returns (codes per element of ``chunks``, node_ids), and with ``with_ranks`` a third
    item: each user's rank in the ids' text order (what ``graph.id_order`` computes by
    sorting the strings) when the integer path made it cheap, else None. When every id is a canonical integer
    (its text is exactly ``str(int(text))``) the ids are mapped through their
    integer values, which is several times faster than hashing strings and
    still keeps "007" and "7" apart (a non-canonical id sends us down the
    string path). Positions follow numeric order there, first appearance
    otherwise; every output breaks ties by id, so this never shows.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    sizes = [len(c) for c in chunks]
    chunks = [part for c in chunks
              for part in (c.chunks if isinstance(c, pa.ChunkedArray) else [c]) if len(part)]
    total = sum(sizes)
    values = canonical_ints(chunks)
    if values is not None:
        lo, hi = int(values.min()), int(values.max())
        span = hi - lo + 1
        if total < SMALL_IDS and span <= max(4 * total, 1 << 20):
            uniq, codes = _dense_codes_small(values, lo, span)  # numeric order too
        elif total < SMALL_IDS:
            uniq, codes = np.unique(values, return_inverse=True)
            codes = codes.astype(np.int32)
        elif span <= max(4 * total, 1 << 20):
            from ._kernels import dense_codes

            codes, uniq = dense_codes(values, lo, span)
        else:
            uniq, codes = np.unique(values, return_inverse=True)
            codes = codes.astype(np.int32)
        node_ids = objects(pc.cast(from_numpy(uniq), pa.string()))
        ranks = text_ranks(uniq) if with_ranks else None
    else:
        ranks = None
        combined = pa.chunked_array(chunks, type=pa.string()).combine_chunks()
        enc = combined.dictionary_encode()
        codes = to_numpy(enc.indices).astype(np.int32, copy=False)
        node_ids = objects(enc.dictionary)
    if len(node_ids) > np.iinfo(np.int32).max:
        raise InputError("more than 2^31 distinct users; use the Spark engine")
    out = []
    start = 0
    for size in sizes:
        out.append(codes[start : start + size])
        start += size
    return (out, node_ids, ranks) if with_ranks else (out, node_ids)


def text_ranks(values: np.ndarray) -> np.ndarray:
    """Rank of each of the strictly increasing int64 ``values`` (|v| < 10^18) in the order
    of their decimal text (code points: ``"-"`` before digits, ``"10" < "9"``), without
    making strings: a 1M-id sort of the text takes ~0.18 s, this ~0.04 s.

    Text order compares the digits (after the sign) left-aligned, and a shorter text that
    is a prefix comes first: the key is the magnitude scaled to 18 digits, ties by the
    number of digits. In numeric order the digit counts already ascend among the
    non-negatives (and descend among the negatives, hence their reversal), so one stable
    sort of the key keeps them.
    """
    values = np.asarray(values, dtype=np.int64)
    n_neg = int(np.searchsorted(values, 0))
    perm = np.concatenate([np.arange(n_neg - 1, -1, -1), np.arange(n_neg, values.shape[0])])
    mag = np.abs(values[perm])
    digits = _digits(mag)
    key = mag * (10 ** (18 - digits))
    key[n_neg:] += 10**18  # the negatives' texts come first
    order = perm[np.argsort(key, kind="stable")]
    ranks = np.empty(values.shape[0], dtype=np.int64)
    ranks[order] = np.arange(values.shape[0])
    ranks.flags.writeable = False
    return ranks


def canonical_ints(chunks) -> np.ndarray | None:
    """int64 values of the ids if every id is canonical integer text, else None."""
    import pyarrow as pa

    total = sum(len(c) for c in chunks)
    if total == 0:
        return None
    if total < SMALL_IDS:
        return _canonical_ints_small(chunks)
    from ._kernels import parse_canonical_ints

    values = np.empty(total, dtype=np.int64)
    start = 0
    for c in chunks:
        n = len(c)
        if n == 0:
            continue
        if not pa.types.is_string(c.type) or c.null_count:
            return None
        _, off_buf, data_buf = c.buffers()
        offsets = np.frombuffer(off_buf, dtype=np.int32)[c.offset : c.offset + n + 1]
        data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(1, np.uint8)
        if parse_canonical_ints(offsets, data, values[start : start + n]):
            return None  # leading zeros, '+', spaces, letters: keep them as strings
        start += n
    return values


def _dense_codes_small(values: np.ndarray, lo: int, span: int):
    """``np.unique(values, return_inverse=True)`` for values in ``[lo, lo + span)``, by a
    table of the span (``_kernels.dense_codes`` in NumPy): 0.01 s instead of 0.16-0.36 s
    for 1.9M ids."""
    offset = values - lo
    seen = np.zeros(span, dtype=bool)
    seen[offset] = True
    uniq = np.flatnonzero(seen) + lo
    code_of = np.cumsum(seen, dtype=np.int32) - 1
    return uniq.astype(values.dtype, copy=False), code_of[offset]


def _canonical_ints_small(chunks) -> np.ndarray | None:
    """:func:`canonical_ints` through pyarrow.compute and NumPy (for fewer than
    ``SMALL_IDS`` ids).

    Arrow's cast to int64 accepts ``[-]digits`` and ``[-]0x`` hexadecimal; an id it
    accepts is canonical when the value has at most 18 digits, its text is exactly as
    long as ``str(value)`` and its first digit is not a 0 (unless the value is 0): that
    refuses "007", "-0", "0x1F" (and "+7", " 7" fail the cast). One C cast and a few
    NumPy passes over the offsets, 2-3x faster than casting back to text and comparing.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = []
    for c in chunks:
        n = len(c)
        if n == 0:
            continue
        if not pa.types.is_string(c.type) or c.null_count:
            return None
        try:
            ints = pc.cast(c, pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        values = to_numpy(ints)
        if values.max() >= 10**18 or values.min() <= -(10**18):
            return None
        _, off_buf, data_buf = c.buffers()
        offsets = np.frombuffer(off_buf, dtype=np.int32, count=n + 1, offset=c.offset * 4)
        data = np.frombuffer(data_buf, dtype=np.uint8)
        neg = values < 0
        digits = _digits(np.abs(values))
        if not np.array_equal(np.diff(offsets), digits + neg):
            return None
        starts = offsets[:-1] + neg  # the first digit
        if ((data[starts] == ord("0")) & (values != 0)).any():
            return None
        parts.append(values)
    return np.concatenate(parts) if parts else None


_POW10 = 10 ** np.arange(1, 19, dtype=np.int64)


def _digits(mag: np.ndarray) -> np.ndarray:
    """Decimal digits of each non-negative int64 below 10^18: one comparison pass per
    power of ten up to the largest value (5 passes for ids below 10^5), where a binary
    search of the 18 powers per value took 3x the time (callgrind: 0.12 G instructions
    for 1.9M ids)."""
    digits = np.ones(mag.shape[0], dtype=np.int64)
    top = int(mag.max()) if mag.shape[0] else 0
    for p in _POW10.tolist():
        if p > top:
            break
        digits += mag >= p
    return digits
