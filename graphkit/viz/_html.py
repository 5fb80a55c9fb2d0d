"""Private HTML machinery of :mod:`graphkit.viz` and :mod:`graphkit.report`.

* our Jinja2 environment (autoescape on, undefined variables are errors) over the
  templates in ``graphkit/templates``;
* vis-network's JS and CSS, read from the pyvis package and inlined into every page;
* :func:`script_json` -- JSON that is safe inside a ``<script>`` element;
* :func:`esc` and :func:`tip` -- the only way user-supplied text becomes HTML;
* :func:`content_security_policy` -- each page allows exactly its own inline scripts (by
  SHA-256 hash) and nothing from the network;
* :func:`assemble` -- nodes, edges and options laid out as pyvis's ``Network`` (0.3)
  assembles them (``add_node``, ``add_edge``, ``set_options``, ``get_network_data``), in
  plain Python: importing pyvis pulls in IPython and networkx (1.5 s of a 2 s
  ``graphkit view`` on a small graph), and its ``add_node`` scans a list per node.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

__all__ = ["esc", "tip", "label_text", "script_json", "environment", "vis_assets",
           "network_js", "controls_js", "page_css", "content_security_policy", "assemble", "render_page",
           "TEMPLATES", "VIS_VERSION"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
VIS_VERSION = "9.1.2"
#: Longest label drawn on the canvas; longer ids are cut with an ellipsis (the tooltip
#: and the search box have the whole id).
LABEL_CHARS = 24

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")


def esc(value) -> str:
    """HTML-escape ``str(value)`` (``& < > " '``): safe as element text and attribute value."""
    return html.escape(str(value), quote=True)


def tip(heading, rows=()) -> str:
    """The HTML of a tooltip: a bold heading and ``(key, value)`` lines, all escaped.

    This escaped string is the only thing the page's script puts into ``innerHTML``.
    """
    parts = [f"<b>{esc(heading)}</b>"]
    for key, value in rows:
        if key:
            parts.append(f'<span class="gk-k">{esc(key)}</span> {esc(value)}')
        else:
            parts.append(esc(value))
    return "<br>".join(parts)


def label_text(uid) -> str:
    """A canvas label: the id itself (drawn as plain text by vis-network), cut to
    :data:`LABEL_CHARS` characters."""
    s = str(uid)
    return s if len(s) <= LABEL_CHARS else s[: LABEL_CHARS - 1] + "\u2026"


def script_json(obj) -> Markup:
    """``obj`` as JSON that cannot end the ``<script>`` element it is written into.

    Non-ASCII characters are written as ``\\uXXXX`` escapes, and ``<``, ``>``, ``&``,
    U+2028 and U+2029 (which can only occur inside JSON strings) as well, so no string
    can contain ``</script>`` or ``<!--``. NaN and infinities are refused.
    """
    text = json.dumps(obj, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return Markup(_JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text))


@lru_cache(maxsize=1)
def environment():
    """The Jinja2 environment: our templates, autoescape on, strict undefined."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["num"] = _num
    return env


def _num(value, digits: int = 4) -> str:
    """Format a number for a table: thousands separators, ``digits`` significant digits."""
    import math

    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "–"
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}"
    if abs(v) >= 1000:
        return f"{v:,.1f}"
    return f"{v:.{digits}g}"


def _pyvis_lib() -> Path:
    """vis-network's folder in the installed pyvis package, found without importing it
    (``import pyvis`` imports IPython and networkx)."""
    from importlib.util import find_spec

    spec = find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover
        raise RuntimeError("the pyvis package (vis-network's JS and CSS) is not installed")
    return Path(list(spec.submodule_search_locations)[0]).resolve() / "lib" / f"vis-{VIS_VERSION}"


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's minified JS and its CSS, from the pyvis package, ready to inline.

    The source-map comment is removed (a browser with developer tools open would fetch
    it). A file that could end its ``<script>``/``<style>`` element is refused.
    """
    lib = _pyvis_lib()
    try:
        js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
        css = (lib / "vis-network.css").read_text(encoding="utf-8")
    except OSError as exc:  # pragma: no cover - a broken pyvis install
        raise RuntimeError(f"cannot read vis-network {VIS_VERSION} from the pyvis package: {exc}") from None
    js = re.sub(r"//[#@]\s*sourceMappingURL=\S*", "", js)
    css = re.sub(r"/\*[#@]\s*sourceMappingURL=[^*]*\*/", "", css)
    if "</script" in js.lower() or "</style" in css.lower():  # pragma: no cover
        raise RuntimeError("vis-network's files contain a closing tag; cannot inline them")
    return js, css


@lru_cache(maxsize=1)
def network_js() -> str:
    return (TEMPLATES / "network.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def controls_js() -> str:
    return (TEMPLATES / "controls.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def page_css() -> str:
    return (TEMPLATES / "page.css").read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def content_security_policy(scripts) -> str:
    """A policy that runs only the given inline scripts and loads nothing from anywhere.

    Scripts are allowed by hash, so an injected ``<script>`` or ``onerror=`` attribute
    would not run even if escaping failed; ``default-src 'none'`` blocks every fetch
    (images, fonts, frames, XHR); styles may be inline; images only ``data:``.
    """
    hashes = " ".join(_sha256(s) for s in scripts)
    return ("default-src 'none'; script-src " + (hashes or "'none'") +
            "; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")


def assemble(nodes, edges, options) -> tuple[list, list, dict]:
    """Nodes, edges and options as pyvis's ``Network(directed=True)`` returns them from
    ``get_network_data()`` after ``add_node``/``add_edge``/``set_options`` (pyvis 0.3.2,
    written out here so that a view does not import pyvis; ``tests/test_viz_assemble.py``
    compares the two).

    ``nodes`` are dicts with an int or str ``id`` (a repeated id keeps its first node);
    ``edges`` dicts with ``from`` and ``to`` naming nodes. A node gets ``label`` (its id
    when missing or empty), ``shape`` ("dot" by default) and, without a ``group``,
    ``color`` ("#97c2fc" by default); an edge gets ``arrows: "to"`` unless it has one.
    The options go through JSON with every space and newline removed, as pyvis's
    ``set_options`` does (ours carry none inside strings). The inputs are never modified.
    """
    out_nodes: list = []
    seen: set = set()
    for n in nodes:
        attrs = dict(n)
        nid = attrs.pop("id")
        if not isinstance(nid, (str, int)):
            raise TypeError(f"a node id must be an int or a str, not {type(nid).__name__}")
        label = attrs.pop("label", None)
        shape = attrs.pop("shape", "dot")
        color = attrs.pop("color", "#97c2fc")
        if nid in seen:
            continue
        seen.add(nid)
        item = attrs if "group" in attrs else {"color": color, **attrs}
        item["id"] = nid
        item["label"] = label if label else nid
        item["shape"] = shape
        out_nodes.append(item)
    out_edges: list = []
    for e in edges:
        attrs = dict(e)
        source, target = attrs.pop("from"), attrs.pop("to")
        for end in (source, target):
            if end not in seen:
                raise ValueError(f"an edge names a node that is not in the view: {end!r}")
        attrs["from"] = source
        attrs["to"] = target
        if "arrows" not in attrs:
            attrs["arrows"] = "to"
        out_edges.append(attrs)
    text = json.dumps(options).replace("\n", "").replace(" ", "")
    return out_nodes, out_edges, json.loads(text[text.find("{"):])


def render_page(template: str, *, title: str, network: dict | None, **context) -> str:
    """Render ``template`` with vis-network inlined when ``network`` (the JSON payload) is given."""
    from .. import __version__

    scripts = []
    ctx = dict(context)
    if network is not None:
        js, css = vis_assets()
        ours, controls = network_js(), controls_js()
        scripts = [js, ours, controls]
        ctx.update(vis_js=Markup(js), vis_css=Markup(css), network_js=Markup(ours),
                   controls_js=Markup(controls), graph_json=script_json(network))
    ctx.update(title=title, csp=content_security_policy(scripts), page_css=Markup(page_css()),
               version=__version__, has_network=network is not None)
    return environment().get_template(template).render(**ctx)
