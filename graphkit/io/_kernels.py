"""Private numba kernel: parse canonical integer ids straight from arrow string buffers."""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def parse_canonical_ints(offsets, data, out):  # pragma: no cover - compiled
    """Parse ``len(out)`` strings (arrow ``offsets``/``data``) as canonical integers.

    Canonical means the text is exactly ``str(int(text))``: an optional ``-``, then
    digits with no leading zero (``0`` itself is fine, ``-0`` is not), at most 18
    digits so the value fits in int64. Returns the number of non-canonical strings
    (0 means every value in ``out`` is valid).
    """
    n = out.shape[0]
    bad = 0
    for i in prange(n):
        s = offsets[i]
        e = offsets[i + 1]
        neg = False
        if s < e and data[s] == 45:  # '-'
            neg = True
            s += 1
        length = e - s
        if length < 1 or length > 18 or (data[s] == 48 and (length > 1 or neg)):
            bad += 1
            out[i] = 0
            continue
        v = np.int64(0)
        ok = True
        for j in range(s, e):
            c = data[j]
            if c < 48 or c > 57:
                ok = False
                break
            v = v * 10 + (c - 48)
        if not ok:
            bad += 1
            out[i] = 0
            continue
        out[i] = -v if neg else v
    return bad


@njit(parallel=True, cache=True)
def dense_codes(values, lo, span):  # pragma: no cover - compiled
    """Map int64 ``values`` in ``[lo, lo + span)`` to dense int32 codes in numeric order.

    Returns ``(codes, uniques)``.
    """
    present = np.zeros(span, dtype=np.bool_)
    for i in range(values.shape[0]):
        present[values[i] - lo] = True
    lookup = np.empty(span, dtype=np.int32)
    k = 0
    for j in range(span):
        if present[j]:
            lookup[j] = k
            k += 1
    uniques = np.empty(k, dtype=np.int64)
    for j in range(span):
        if present[j]:
            uniques[lookup[j]] = j + lo
    codes = np.empty(values.shape[0], dtype=np.int32)
    for i in prange(values.shape[0]):
        codes[i] = lookup[values[i] - lo]
    return codes, uniques
