"""Interaction rows already in memory: a pandas DataFrame read like a file.

``read_edges(df)`` comes here. The columns are found by the same names as a file's header
(``source``/``src``/``from``, ``target``/``dst``/``to``, ``type``, ``weight``,
``timestamp``/``time``; or the ``*_col`` options), and the values pass the same checks as
a Parquet file's: an empty id, a negative or non-finite weight, an unparseable time raise
:class:`~graphkit.errors.InputError` naming the row (``DataFrame:3: target is empty``,
row numbers 1-based in frame order).
"""

from __future__ import annotations

import numpy as np

from ..errors import EmptyGraphError, InputError
from ._columns import check_extra, resolve_columns
from ._ids import map_ids
from ._values import Located, first_true, id_strings, parse_timestamps, parse_weights

__all__ = ["is_frame", "read_frame"]

#: The location errors name for rows of an in-memory table.
FRAME_NAME = "DataFrame"


def is_frame(obj) -> bool:
    """True for a pandas DataFrame (checked without importing pandas)."""
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "columns") and hasattr(obj, "iloc")


def read_frame(df, *, source_col=None, target_col=None, type_col=None, weight_col=None,
               time_col=None, type_label=None, type_weights=None, extra_cols=(), time_unit=None,
               signed=False):
    """An :class:`~graphkit.io.EdgeTable` from a DataFrame's rows (see :func:`read_edges`).

    Examples
    --------
    >>> import pandas as pd
    >>> from graphkit.io import read_edges
    >>> t = read_edges(pd.DataFrame({"src": ["a", "b"], "dst": ["b", "c"], "w": [2, 1]}),
    ...                weight_col="w")
    >>> t.n_rows, t.node_ids.tolist(), t.row_weight.tolist()
    (2, ['a', 'b', 'c'], [2.0, 1.0])
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from .edges import DEFAULT_TYPE, EdgeTable, FileReport, LoadReport

    names = [str(c) for c in df.columns]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(f"column {dup!r} appears twice", FRAME_NAME)
    options = {"source": source_col, "target": target_col, "type": type_col,
               "weight": weight_col, "timestamp": time_col}
    cols = resolve_columns(FRAME_NAME, names, True, options, [])
    check_extra(FRAME_NAME, names, extra_cols)
    if isinstance(type_label, (list, tuple)):
        if len(type_label) != 1:
            raise ValueError("give one type label for a DataFrame")
        type_label = type_label[0]
    if cols["type"] is not None and type_label is not None:
        raise InputError(f"has a type column {cols['type']!r}; a type label applies only "
                         "without one", FRAME_NAME)
    n = len(df)
    if n == 0:
        raise EmptyGraphError("no data rows", FRAME_NAME)
    by_name = dict(zip(names, df.columns))
    loc = Located(FRAME_NAME, "parquet", None)  # errors name the 1-based row

    def column(name):
        values = df[by_name[name]]
        try:
            return pa.Array.from_pandas(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed objects: ids as text
            return pa.array([None if v is None or v != v else str(v) for v in values],
                            type=pa.string())

    src = id_strings(column(cols["source"]), "source", loc)
    dst = id_strings(column(cols["target"]), "target", loc)
    codes, node_ids = map_ids([src, dst])
    s, t = codes

    if cols["type"] is not None:
        tcol = column(cols["type"])
        tcol = tcol.cast(pa.string()) if not pa.types.is_string(tcol.type) else tcol
        labels = np.asarray(tcol.to_numpy(zero_copy_only=False), dtype=object)
        empty = np.array([v is None or str(v).strip() == "" for v in labels], dtype=bool)
        if empty.any():
            raise loc.error("type is empty", first_true(pa.array(empty)))
        types, tcodes = np.unique(labels.astype(str), return_inverse=True)
        types = tuple(str(x) for x in types)
    else:
        types = (type_label if type_label is not None else DEFAULT_TYPE,)
        tcodes = np.zeros(n, dtype=np.int16)
    tcodes = tcodes.astype(np.int16)
    weight = None
    if cols["weight"] is not None:
        weight = parse_weights(column(cols["weight"]), loc, negative_ok=signed,
                               hint="; for ratings pass signed=True (negatives become distrust) "
                                    "or unweighted=True")
    stamps = None
    if cols["timestamp"] is not None:
        tcol = column(cols["timestamp"])
        if pa.types.is_string(tcol.type) or pa.types.is_large_string(tcol.type):
            tcol = pc.fill_null(tcol, "")  # None/NaN in a frame: no time
        elif pa.types.is_null(tcol.type):
            tcol = pa.array([""] * len(tcol), type=pa.string())
        stamps = parse_timestamps(tcol, loc, time_unit)
    extra = {name: parse_weights(column(name), loc, name=name) for name in extra_cols}

    loop = s == t
    if loop.any():
        keep = ~loop
        s, t, tcodes = s[keep], t[keep], tcodes[keep]
        weight = weight[keep] if weight is not None else None
        stamps = stamps[keep] if stamps is not None else None
        extra = {k: v[keep] for k, v in extra.items()}
    used = {c for c in cols.values() if c is not None} | set(extra_cols)
    rep = FileReport(FRAME_NAME, "dataframe", n, int(loop.sum()), True,
                     {k: v for k, v in cols.items() if v is not None},
                     tuple(c for c in names if c not in used),
                     type_label if cols["type"] is None else None)
    tw = dict(type_weights or {})
    warnings = tuple(f"type weight {k}={v:g}: no '{k}' rows in the data (types: "
                     f"{', '.join(types)})" for k, v in tw.items() if k not in types)
    if len(s) == 0:
        raise EmptyGraphError("no edges left after dropping self-loops", FRAME_NAME)
    return EdgeTable(node_ids, s.astype(np.int32, copy=False), t.astype(np.int32, copy=False),
                     types, tcodes, weight, stamps, tw, LoadReport((rep,), warnings), extra)
