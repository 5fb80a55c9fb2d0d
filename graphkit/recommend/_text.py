"""The recommendation table's text columns (ids and the ``why`` text), built column-wise.

On a million recommendations the per-row Python strings of the ids, the joined shared
contacts and the paths cost more than scoring them; here they are built with Arrow's
string kernels (take, join, if-else) in a handful of passes over the rows. The text is the
same as the row-wise rule (:func:`why_rows`, kept for ids Arrow cannot hold and as the
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


def _names(ids, cols, sep):
    """Row-wise ``sep``-join of the non-empty ids at ``cols`` (-1: none, -2: ``…``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(ids)
    ext = pa.concat_arrays([ids, pa.array(["", "…"], type=pa.large_string())])
    sep = pa.scalar(sep, type=pa.large_string())
    empty = pa.scalar("", type=pa.large_string())

    def names(c):
        return pc.take(ext, np.where(c >= 0, c, np.where(c == -2, n + 1, n)))

    out = names(cols[:, 0])
    for j in range(1, cols.shape[1]):
        c = cols[:, j]
        rows = np.flatnonzero(c != -1)
        if rows.shape[0] == 0:
            continue
        name = names(c[rows])
        cur = pc.take(out, rows)
        cat = pc.if_else(pc.equal(cur, empty), name, pc.binary_join_element_wise(cur, name, sep))
        cat = pc.if_else(pc.equal(name, empty), cur, cat)
        mask = np.zeros(len(out), dtype=bool)
        mask[rows] = True
        out = pc.replace_with_mask(out, pa.array(mask), cat)
    return out


def why_column(ids, u_pos, c_pos, count, show, path):
    """The ``why`` text of each (user, candidate) row as a pandas string Series.

    ``ids`` from :func:`arrow_ids`; ``count`` shared contacts, ``show`` the shared
    contacts named (-1 padded), ``path`` the users between (see the kernels).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def lit(text):
        return pa.scalar(text, type=pa.large_string())

    m = u_pos.shape[0]
    has = np.flatnonzero(count > 0)
    lone = np.flatnonzero(count <= 0)
    parts = []
    if has.shape[0]:
        cnt = count[has]
        more = cnt - (show[has] >= 0).sum(axis=1)
        plural = pc.if_else(pa.array(cnt == 1), lit(" shared contact: "),
                            lit(" shared contacts: "))
        more_s = pc.cast(pa.array(more), pa.large_string())
        extra = pc.if_else(pa.array(more > 0),
                           pc.binary_join_element_wise(lit(" and "), more_s, lit(" more"),
                                                       lit("")), lit(""))
        parts.append(pc.binary_join_element_wise(
            pc.cast(pa.array(cnt), pa.large_string()), plural, _names(ids, show[has], ", "),
            extra, lit("")))
    if lone.shape[0]:
        parts.append(pc.binary_join_element_wise(
            lit("path: "), pc.take(ids, u_pos[lone]), lit(" > "),
            _names(ids, path[lone], " > "), lit(" > "), pc.take(ids, c_pos[lone]), lit("")))
    if not parts:
        return pa.array([], type=pa.large_string()).to_pandas()
    both = pa.concat_arrays(parts) if len(parts) > 1 else parts[0]
    if has.shape[0] and lone.shape[0]:
        order = np.empty(m, dtype=np.int64)
        order[has] = np.arange(has.shape[0])
        order[lone] = has.shape[0] + np.arange(lone.shape[0])
        both = pc.take(both, order)
    return both.to_pandas()


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
