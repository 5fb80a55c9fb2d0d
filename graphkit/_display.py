"""Notebook display: the short HTML summaries the results' ``_repr_html_`` return.

Every value is HTML-escaped (user ids may hold ``<script>``); a page (a view, the report)
goes into an ``<iframe srcdoc>`` so that its own Content-Security-Policy, scripts and
full-window layout apply inside the frame and nothing leaks into the notebook.
"""

from __future__ import annotations

import html

__all__ = ["summary_html", "frame_html", "iframe_html"]

_STYLE = ("border-collapse:collapse;font-size:13px;margin:4px 0;"
          "font-family:system-ui,-apple-system,Segoe UI,sans-serif")
_CELL = "padding:2px 10px;border-bottom:1px solid #ddd;text-align:left"


def _esc(value) -> str:
    if isinstance(value, float):
        return html.escape(f"{value:,.4g}")
    if isinstance(value, int) and not isinstance(value, bool):
        return html.escape(f"{value:,}")
    return html.escape(str(value))


def summary_html(title: str, rows, *, tables=()) -> str:
    """A titled two-column table of ``(label, value)`` rows, then optional tables
    (``(caption, DataFrame)`` pairs, see :func:`frame_html`)."""
    body = "".join(f'<tr><th style="{_CELL}">{_esc(k)}</th><td style="{_CELL}">{_esc(v)}</td></tr>'
                   for k, v in rows if v is not None)
    out = (f'<div class="graphkit-summary"><strong>{_esc(title)}</strong>'
           f'<table style="{_STYLE}">{body}</table>')
    for caption, df in tables:
        out += frame_html(df, caption=caption)
    return out + "</div>"


def frame_html(df, *, caption: str | None = None, max_rows: int = 10) -> str:
    """The first ``max_rows`` rows of a DataFrame as an escaped HTML table."""
    shown = df.head(max_rows)
    head = "".join(f'<th style="{_CELL}">{_esc(c)}</th>' for c in shown.columns)
    rows = "".join("<tr>" + "".join(f'<td style="{_CELL}">{_esc(v)}</td>' for v in r) + "</tr>"
                   for r in shown.itertuples(index=False))
    cap = ""
    if caption is not None or len(df) > max_rows:
        more = f" (first {max_rows:,} of {len(df):,})" if len(df) > max_rows else ""
        cap = f'<caption style="text-align:left">{_esc((caption or "") + more)}</caption>'
    return f'<table style="{_STYLE}">{cap}<tr>{head}</tr>{rows}</table>'


def iframe_html(page: str, *, title: str, height: int = 640) -> str:
    """``page`` (a whole HTML document) in a sandboxed, sized ``<iframe srcdoc>``."""
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" title="{_esc(title)}" '
            f'style="width:100%;height:{int(height)}px;border:1px solid #ddd" '
            'sandbox="allow-scripts allow-popups allow-downloads" loading="lazy"></iframe>')
