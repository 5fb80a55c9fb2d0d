"""Private numba kernels that write the ``why`` text of the recommendation table as UTF-8.

The ids come as one Arrow ``large_string`` buffer (``offs``: ``n + 1`` byte offsets,
``data``: the bytes); a row's text is copied together from them and a few fixed words:

* ``count > 0``: ``"{count} shared contact[s]: {names}"``, then ``" and {more} more"``
  when fewer names than ``count`` are shown (``names``: the non-empty ids of ``show``
  joined by ``", "``);
* else ``"path: {user} > {hops} > {candidate}"`` (``hops``: the non-empty ids of ``path``
  joined by ``" > "``, ``…`` for -2, a cut start).

:func:`why_sizes` measures each row, the caller sums them into offsets, :func:`why_write`
fills the bytes. Both take a thread index and count and do the rows ``[t * m // n_threads,
(t + 1) * m // n_threads)``; each row's bytes depend only on that row, so the text is the
same for any number of threads. The pure-Python rule is ``_text.why_rows`` (the tests'
reference).
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: The fixed words, as UTF-8 bytes.
SHARED_ONE = np.frombuffer(b" shared contact: ", dtype=np.uint8)
SHARED_MANY = np.frombuffer(b" shared contacts: ", dtype=np.uint8)
AND = np.frombuffer(b" and ", dtype=np.uint8)
MORE = np.frombuffer(b" more", dtype=np.uint8)
PATH = np.frombuffer(b"path: ", dtype=np.uint8)
STEP = np.frombuffer(b" > ", dtype=np.uint8)
COMMA = np.frombuffer(b", ", dtype=np.uint8)
CUT = np.frombuffer("…".encode(), dtype=np.uint8)


@njit(cache=True)
def _digits(x):  # pragma: no cover - compiled
    """Decimal digits of ``x >= 0``."""
    d = 1
    while x >= 10:
        x //= 10
        d += 1
    return d


@njit(cache=True)
def _name_size(x, offs):  # pragma: no cover - compiled
    if x >= 0:
        return offs[x + 1] - offs[x]
    return CUT.shape[0] if x == -2 else 0


@njit(cache=True)
def _names_size(cols, offs, sep):  # pragma: no cover - compiled
    """Bytes of the non-empty names of ``cols`` joined by ``sep`` bytes."""
    total = 0
    parts = 0
    for j in range(cols.shape[0]):
        s = _name_size(cols[j], offs)
        if s > 0:
            total += s
            parts += 1
    return total + (parts - 1) * sep if parts > 1 else total


@njit(cache=True)
def _row_size(u, c, cnt, show, path, offs):  # pragma: no cover - compiled
    if cnt > 0:
        shown = 0
        for j in range(show.shape[0]):
            if show[j] >= 0:
                shown += 1
        more = cnt - shown
        size = _digits(cnt) + (SHARED_ONE.shape[0] if cnt == 1 else SHARED_MANY.shape[0])
        size += _names_size(show, offs, COMMA.shape[0])
        if more > 0:
            size += AND.shape[0] + _digits(more) + MORE.shape[0]
        return size
    return (PATH.shape[0] + offs[u + 1] - offs[u] + 2 * STEP.shape[0]
            + _names_size(path, offs, STEP.shape[0]) + offs[c + 1] - offs[c])


@njit(cache=True, nogil=True)
def why_sizes(t, n_threads, offs, u_pos, c_pos, count, show, path,
              sizes):  # pragma: no cover - compiled
    """Bytes of the ``why`` text of thread ``t``'s rows into ``sizes`` (int64)."""
    m = u_pos.shape[0]
    for i in range(t * m // n_threads, (t + 1) * m // n_threads):
        sizes[i] = _row_size(u_pos[i], c_pos[i], count[i], show[i], path[i], offs)


@njit(cache=True)
def _put(out, at, src, lo, hi):  # pragma: no cover - compiled
    for j in range(lo, hi):
        out[at] = src[j]
        at += 1
    return at


@njit(cache=True)
def _put_int(out, at, x):  # pragma: no cover - compiled
    d = _digits(x)
    for j in range(d - 1, -1, -1):
        out[at + j] = 48 + x % 10
        x //= 10
    return at + d


@njit(cache=True)
def _put_names(out, at, cols, offs, data, sep):  # pragma: no cover - compiled
    first = True
    for j in range(cols.shape[0]):
        x = cols[j]
        if _name_size(x, offs) == 0:
            continue
        if not first:
            at = _put(out, at, sep, 0, sep.shape[0])
        first = False
        if x >= 0:
            at = _put(out, at, data, offs[x], offs[x + 1])
        else:
            at = _put(out, at, CUT, 0, CUT.shape[0])
    return at


@njit(cache=True, nogil=True)
def why_write(t, n_threads, offs, data, u_pos, c_pos, count, show, path, starts,
              out):  # pragma: no cover - compiled
    """Write thread ``t``'s rows of the ``why`` text into ``out`` (uint8) from byte
    ``starts[i]`` (the running sum of :func:`why_sizes`)."""
    m = u_pos.shape[0]
    for i in range(t * m // n_threads, (t + 1) * m // n_threads):
        at = starts[i]
        cnt = count[i]
        if cnt > 0:
            shown = 0
            for j in range(show.shape[1]):
                if show[i, j] >= 0:
                    shown += 1
            at = _put_int(out, at, cnt)
            word = SHARED_ONE if cnt == 1 else SHARED_MANY
            at = _put(out, at, word, 0, word.shape[0])
            at = _put_names(out, at, show[i], offs, data, COMMA)
            if cnt - shown > 0:
                at = _put(out, at, AND, 0, AND.shape[0])
                at = _put_int(out, at, cnt - shown)
                at = _put(out, at, MORE, 0, MORE.shape[0])
        else:
            u = u_pos[i]
            c = c_pos[i]
            at = _put(out, at, PATH, 0, PATH.shape[0])
            at = _put(out, at, data, offs[u], offs[u + 1])
            at = _put(out, at, STEP, 0, STEP.shape[0])
            at = _put_names(out, at, path[i], offs, data, STEP)
            at = _put(out, at, STEP, 0, STEP.shape[0])
            at = _put(out, at, data, offs[c], offs[c + 1])
