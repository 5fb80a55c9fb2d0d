"""The :class:`View` result every view function returns, and the views' constants."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from ..io import write_text
from ._html import render_page

__all__ = ["View", "VIEW_KINDS", "MEASURE_NAMES", "PHYSICS_LIMIT", "DEFAULT_TOP",
           "DEFAULT_TOP_COMMUNITIES", "DEFAULT_MAX_EDGES"]

#: The views :func:`graphkit.viz` builds (``graphkit view --kind``).
VIEW_KINDS = ("influencers", "communities", "ego", "cascade")
#: How each ranking measure is named on a page.
MEASURE_NAMES = {"pagerank": "PageRank", "indegree": "in-degree", "hits": "HITS authority",
                 "kcore": "k-core", "betweenness": "betweenness"}
#: Up to this many nodes the browser runs physics; above it positions are fixed.
PHYSICS_LIMIT = 1000
#: Users shown by default (communities: bubbles).
DEFAULT_TOP = 300
DEFAULT_TOP_COMMUNITIES = 100
#: Most edges a view draws; the heaviest are kept and the header says so.
DEFAULT_MAX_EDGES = 20_000
_SEED_BORDER = "#d62728"


@dataclass(frozen=True, eq=False)
class View:
    """A network view ready to render: what to draw, and what the page says about it.

    Attributes
    ----------
    kind : str
        ``"influencers"``, ``"communities"``, ``"ego"`` or ``"cascade"``.
    title : str
        The page title.
    shown : str
        One sentence: what is shown and out of how much ("top 300 of 75,512 users ...").
    notes : tuple of str
        Further header lines: what colour and size mean, what was left out, how the
        layout was made.
    nodes, edges : list of dict
        vis-network items as pyvis's ``get_network_data()`` returns them. Nodes have an
        int ``id``, the raw user id in ``uid`` (absent for community bubbles), a canvas
        ``label``, ``x``/``y`` and ``tip``: the tooltip's HTML, already escaped.
    options : dict
        vis-network options (``physics.enabled`` is False above :data:`PHYSICS_LIMIT`).
    legend : tuple of dict
        Legend groups: ``title``, ``items`` (``label``, ``color``, ``kind``: ``node``,
        ``edge`` or ``star``) and optionally ``gradient`` (colours), ``low``, ``high``.
    sources : tuple of str
        Names of the input files, shown in the header.
    details : dict
        Numbers behind the header (``users``, ``edges``, ``users_shown``,
        ``edges_shown``, ...), the layout and the random seed.
    meta : dict
        What the page's script needs besides the items: the score's name, how many
        labels to draw at the default zoom, the interaction types and their colours,
        the weight levels of the weight filter, the time steps of the time slider.
    """

    kind: str
    title: str
    shown: str
    notes: tuple
    nodes: list
    edges: list
    options: dict
    legend: tuple = ()
    sources: tuple = ()
    details: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_edges(self) -> int:
        return len(self.edges)

    @property
    def physics(self) -> bool:
        """Whether the browser runs physics (only for views up to :data:`PHYSICS_LIMIT`)."""
        return bool(self.options.get("physics", {}).get("enabled", False))

    def payload(self) -> dict:
        """The JSON the page embeds: ``kind``, ``nodes``, ``edges``, ``options``, ``meta``."""
        return {"kind": self.kind, "nodes": self.nodes, "edges": self.edges,
                "options": self.options, "meta": self.meta}

    def to_html(self) -> str:
        """The self-contained page (see the module docstring for what makes it safe)."""
        return render_page("view.html", title=self.title, network=self.payload(), view=self)

    def write(self, path) -> str:
        """Write :meth:`to_html` to ``path`` atomically; returns the path."""
        return write_text(path, self.to_html())

    def __repr__(self) -> str:
        return f"View(kind={self.kind!r}, nodes={self.n_nodes}, edges={self.n_edges})"

    def _repr_html_(self) -> str:
        """Notebook display: the page in a sized, sandboxed ``<iframe srcdoc>`` (its own CSP
        and full-window layout apply inside the frame), under the one-line summary."""
        from .._display import iframe_html

        return (f"<div><strong>{html.escape(self.title)}</strong> &middot; "
                f"{html.escape(self.shown)}</div>"
                + iframe_html(self.to_html(), title=self.title, height=640))
