"""Row-level steps of :func:`graphkit.io.read_edges` after the files are read: the time
window (``--since``/``--until``), signs and undirected rows for in-memory tables, and
standard input's name in the report."""

from __future__ import annotations

import numpy as np


def renamed(table, old: str, new: str):
    """The table with file ``old`` called ``new`` in its load report."""
    from dataclasses import replace

    rep = table.report
    files = tuple(replace(f, path=new) if f.path == old else f for f in rep.files)
    warnings = tuple(w.replace(old, new) for w in rep.warnings)
    return replace(table, report=replace(rep, files=files, warnings=warnings))


def parse_window(since, until):
    """``(since, until)`` as datetime64[ns] (None for an open end), or None without either.

    A date alone as ``until`` means the end of that day. Raises ``ValueError`` (a usage
    error) for text that is not a date.
    """
    if since is None and until is None:
        return None
    import pandas as pd

    def parse(value, name, end):
        if value is None:
            return None
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError):
            raise ValueError(f"--{name} {value!r} is not a date (use ISO 8601, e.g. 2004-05-01 "
                             "or 2004-05-01T12:00)") from None
        if ts is pd.NaT:
            raise ValueError(f"--{name} {value!r} is not a date")
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        if end and isinstance(value, str) and len(value.strip()) <= 10 and ts == ts.normalize():
            ts = ts + pd.Timedelta(days=1)
        try:
            return np.datetime64(ts.as_unit("ns").value, "ns")
        except (OverflowError, ValueError):
            raise ValueError(f"--{name} {value!r} is outside 1677..2262") from None

    lo, hi = parse(since, "since", False), parse(until, "until", True)
    if lo is not None and hi is not None and hi <= lo:
        raise ValueError(f"--until {until} is not after --since {since}")
    return lo, hi


def apply_row_options(table, *, signed=False, undirected=False, window=None):
    """An in-memory table (``read_edges(df)``) with ``signed``, the time ``window`` and
    ``undirected`` applied as :func:`graphkit.io.read_edges` applies them to files."""
    from dataclasses import replace

    from ..errors import EmptyGraphError, InputError

    keep = np.ones(table.n_rows, dtype=bool)
    dropped = dict(table.report.dropped)
    distrust = None
    w, ts = table.row_weight, table.timestamp
    if signed:
        if w is None:
            raise InputError("signed=True needs a weight column (the ratings)", "DataFrame")
        neg = w < 0
        distrust = np.bincount(table.target_codes[neg], minlength=table.n_users).astype(np.int64)
        dropped["negative weight (distrust)"] = int(neg.sum())
        keep &= ~neg
    if window is not None:
        if ts is None:
            raise InputError("since/until need a time column, and the data has none",
                             "DataFrame")
        inside = ~np.isnat(ts)
        if window[0] is not None:
            inside &= ts >= window[0]
        if window[1] is not None:
            inside &= ts < window[1]
        dropped["outside --since/--until"] = int((keep & ~inside).sum())
        keep &= inside
    cols = {"source_codes": table.source_codes[keep], "target_codes": table.target_codes[keep],
            "type_codes": table.type_codes[keep],
            "row_weight": w[keep] if w is not None else None,
            "timestamp": ts[keep] if ts is not None else None,
            "extra": {k: v[keep] for k, v in table.extra.items()}}
    if undirected:
        s, d = cols["source_codes"], cols["target_codes"]
        cols["source_codes"], cols["target_codes"] = np.concatenate([s, d]), np.concatenate([d, s])
        for k in ("type_codes", "row_weight", "timestamp"):
            if cols[k] is not None:
                cols[k] = np.concatenate([cols[k], cols[k]])
        cols["extra"] = {k: np.concatenate([v, v]) for k, v in cols["extra"].items()}
    if len(cols["source_codes"]) == 0:
        raise EmptyGraphError("no edges left after " + ", ".join(w for w, n in dropped.items() if n),
                              "DataFrame")
    report = replace(table.report, dropped=dropped, undirected=undirected)
    return replace(table, report=report, distrust=distrust, **cols)
