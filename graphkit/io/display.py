"""Notebook display of the io results: :func:`edge_table_html` (``EdgeTable._repr_html_``)."""

from __future__ import annotations

import numpy as np

__all__ = ["edge_table_html"]


def edge_table_html(table) -> str:
    """Rows, users, files, weights, time range and the rows of each interaction type."""
    import pandas as pd

    from .._display import summary_html

    per_type = np.bincount(table.type_codes, minlength=len(table.types))
    types = pd.DataFrame({"type": list(table.types), "rows": per_type,
                          "type weight": [float(table.type_weights.get(t, 1.0))
                                          for t in table.types]})
    rows = [("rows", table.n_rows), ("users", table.n_users),
            ("files", ", ".join(f.path for f in table.report.files)),
            ("row weights", "from a column" if table.row_weight is not None else "none (1)")]
    if table.timestamp is not None:
        ts = table.timestamp[~np.isnat(table.timestamp)]
        rows.append(("time range", f"{ts.min()} .. {ts.max()} UTC ({len(ts):,} rows timed)"
                     if len(ts) else "no times"))
    rows += [("self-loops dropped", table.report.self_loops_dropped or None)]
    return summary_html("edge table", rows + [("warning", w) for w in table.report.warnings],
                        tables=[("interaction types", types)])
