"""The item-level log (one row per video / post) behind :mod:`graphkit.engagement`."""

from __future__ import annotations

import os

import numpy as np

from ..errors import InputError
from .tables import read_user_table

__all__ = ["read_items", "ITEM_COLUMNS", "COUNT_COLUMNS"]

#: Columns of an item log: the first two are required.
ITEM_COLUMNS = ("item", "creator", "views", "likes", "comments", "shares", "watch_time",
                "buyers", "timestamp")
#: The optional non-negative count columns.
COUNT_COLUMNS = ("views", "likes", "comments", "shares", "watch_time", "buyers")


def read_items(path):
    """Read an item log: CSV or TSV (``.tsv``), optionally ``.gz``, with a header.

    Columns (names are matched case-insensitively, surrounding spaces ignored):
    ``item, creator`` (required), ``views, likes, comments, shares, watch_time,
    buyers`` (optional non-negative numbers; an empty cell is missing), ``timestamp``
    (optional). Other columns are ignored.

    Returns
    -------
    pandas.DataFrame
        The known columns, ids as strings exactly as written (trimmed), counts as
        float64 (NaN = missing); ``attrs["missing_columns"]`` lists the optional count
        columns the file does not have.

    Raises
    ------
    InputError
        ``items.csv:7: views is not a non-negative number ('-3')``, a missing required
        column, an empty item or creator, an item listed twice, an unreadable file.

    Examples
    --------
    >>> import os, tempfile
    >>> from graphkit.io import read_items
    >>> p = os.path.join(tempfile.mkdtemp(), "items.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("\\ufeffItem, Creator ,views,likes\\r\\nv1,ann,100,7\\r\\n")
    >>> read_items(p)[["item", "creator", "views", "likes"]].values.tolist()
    [['v1', 'ann', 100.0, 7.0]]
    """
    import pandas as pd

    path = os.fspath(path)
    df = read_user_table(path, "item", ())
    names = {str(c).lstrip("\ufeff").strip().lower(): c for c in df.columns}
    missing = [c for c in ("item", "creator") if c not in names]
    if missing:
        raise InputError(f"an item file needs the columns item,creator (missing: "
                         f"{', '.join(missing)}; columns: {', '.join(map(str, df.columns))})", path)
    out = pd.DataFrame({c: df[names[c]].str.strip() for c in ("item", "creator")})
    for c in ("item", "creator"):
        empty = (out[c] == "").to_numpy()
        if empty.any():
            raise InputError(f"{c} is empty", path, int(np.flatnonzero(empty)[0]) + 2)
    dup = out["item"].duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(f"item {out['item'].iloc[i]!r} is listed twice", path, i + 2)
    absent = []
    for c in COUNT_COLUMNS:
        if c not in names:
            absent.append(c)
            out[c] = np.nan
            continue
        raw = df[names[c]].str.strip()
        val = pd.to_numeric(raw.where(raw != "", None), errors="coerce").to_numpy(dtype=np.float64)
        bad = ((raw != "") & ~np.isfinite(val)) | (val < 0)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy() if hasattr(bad, "to_numpy") else bad)[0])
            raise InputError(f"{c} is not a non-negative number ({raw.iloc[i]!r})", path, i + 2)
        out[c] = val
    if "timestamp" in names:
        out["timestamp"] = df[names["timestamp"]].str.strip()
    out.attrs["missing_columns"] = absent
    return out
