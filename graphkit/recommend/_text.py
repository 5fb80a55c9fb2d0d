"""The recommendation table's text columns (ids and the ``why`` text), built column-wise.

On a million recommendations the per-row Python strings of the ids, the joined shared
contacts and the paths cost more than scoring them; here the ids are taken by Arrow and
the ``why`` text is written as UTF-8 bytes by a numba kernel (``_text_kernels``) in two
passes over the rows. The text is the same as the row-wise rule (:func:`why_rows`, kept for ids Arrow cannot hold and as the
tests' reference): ``"2 shared contacts: bob, eve"``, ``"1 shared contact: bob"``,
``"... and 4 more"``, or ``"path: ann > bob > cat > dan"`` (``…`` when the path's start is
cut); the names in a list are the non-empty ids, joined.
"""

from __future__ import annotations

import numpy as np

__all__ = ["arrow_ids", "id_column", "why_column", "why_rows"]


def arrow_ids(node_ids):
    """``node_ids`` as an Arrow ``large_string`` array, or None when Arrow cannot hold them
    (a lone surrogate from a DataFrame or Python input)."""
    import pyarrow as pa

    try:
        return pa.array(np.asarray(node_ids, dtype=object), type=pa.large_string())
    except (ValueError, TypeError):  # UnicodeEncodeError, ArrowInvalid, ArrowTypeError
        return None


def id_column(ids, positions):
    """The ids at ``positions`` as a pandas string Series (the dtype pandas gives text)."""
    import pyarrow.compute as pc

    return pc.take(ids, np.asarray(positions, dtype=np.int64)).to_pandas()


def why_column(ids, u_pos, c_pos, count, show, path, threads: int = 1):
    """The ``why`` text of each (user, candidate) row as a pandas string Series.

    ``ids`` from :func:`arrow_ids`; ``count`` shared contacts, ``show`` the shared
    contacts named (-1 padded), ``path`` the users between (see the kernels). The UTF-8
    bytes are copied together by :mod:`._text_kernels` (sizes, running sum, bytes) on
    ``threads`` threads, and wrapped as one Arrow array without a copy.
    """
    import pyarrow as pa

    from .._batches import on_threads
    from . import _text_kernels as _tk

    m = int(u_pos.shape[0])
    offs, data = _buffers(ids)
    args = (np.ascontiguousarray(u_pos, dtype=np.int64), np.ascontiguousarray(c_pos, dtype=np.int64),
            np.ascontiguousarray(count, dtype=np.int64), np.ascontiguousarray(show, dtype=np.int32),
            np.ascontiguousarray(path, dtype=np.int32))
    sizes = np.empty(m, dtype=np.int64)
    on_threads(lambda t: _tk.why_sizes(t, threads, offs, *args, sizes), threads)
    starts = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    out = np.empty(int(starts[-1]), dtype=np.uint8)
    on_threads(lambda t: _tk.why_write(t, threads, offs, data, *args, starts, out), threads)
    text = pa.LargeStringArray.from_buffers(m, pa.py_buffer(starts), pa.py_buffer(out))
    return text.to_pandas()


def _buffers(ids):
    """The byte offsets (int64, ``n + 1``) and UTF-8 bytes of a ``large_string`` array."""
    n = len(ids)
    _, obuf, dbuf = ids.buffers()
    offs = np.frombuffer(obuf, dtype=np.int64)[ids.offset:ids.offset + n + 1]
    data = np.frombuffer(dbuf, dtype=np.uint8) if dbuf is not None else np.zeros(0, np.uint8)
    return offs, data


def why_rows(ids, u_pos, c_pos, count, show, path):
    """The same text as :func:`why_column`, row by row (object array; any Python str ids)."""
    ids = np.asarray(ids, dtype=object)

    def join(cols, sep):
        out = []
        for c in cols:
            names = [("…" if x == -2 else "") if x < 0 else ids[x] for x in c.tolist()]
            out.append(sep.join(s for s in names if s != ""))
        return out

    m = u_pos.shape[0]
    text = np.empty(m, dtype=object)
    for i, (cnt, names, hops) in enumerate(zip(count.tolist(), join(show, ", "),
                                               join(path, " > "))):
        if cnt > 0:
            more = cnt - int((show[i] >= 0).sum())
            text[i] = (f"{cnt} shared contact{'' if cnt == 1 else 's'}: {names}"
                       + (f" and {more} more" if more > 0 else ""))
        else:
            text[i] = f"path: {ids[u_pos[i]]} > {hops} > {ids[c_pos[i]]}"
    return text
