"""Interactive network views as self-contained, offline, escaped HTML pages.

Four views of a :class:`~graphkit.graph.SocialGraph`, each a :class:`View` that renders
to one HTML file:

* :func:`influencers_view` -- the top users by a score (PageRank by default) and the
  edges among them; size = score, colour = community, edge colour = the pair's most
  frequent interaction type;
* :func:`communities_view` -- one bubble per community (size = members), links weighted
  by the interactions between communities, tooltips listing the top members;
* :func:`ego_view` -- a user and everyone within ``radius`` hops (both directions);
* :func:`cascade_view` -- seed users and the users a simulated cascade most likely
  reaches, coloured by activation probability.

Big graphs are never drawn whole: each view picks at most a few hundred users (the
``top`` argument), and its header says what is shown and what was left out ("top 300
of 75,512 users, 4,812 of 900,000 edges"). Positions are computed in Python: each
connected group with igraph's Fruchterman-Reingold layout (seeded, so the same ``rng``
gives the same page) and its overlaps removed, the largest group in the middle, smaller
groups and users without a drawn edge on rings around it; the ego view is radial. Up to
``physics_limit`` (1,000) nodes the browser then relaxes the middle group briefly; above
it physics is off and edges are drawn straight, so the page stays responsive.

A community's colour is a function of its number (:func:`category_color`) on every page
and in the report; any other per-user label colours a view the same way
(:class:`Categories`, ``color_by=``). In the page a person can search or click a user to
focus it (its neighbours listed with their scores, in- and out-edges coloured apart), filter
by colour, interaction type and edge weight, step through time when the data has
timestamps (``edges=``), and save the drawing as PNG or SVG; :mod:`graphkit.viz.export`
writes those images from Python through headless Chromium.

Pages hold nodes, edges and options laid out as pyvis's ``Network`` assembles them
(written out in :func:`graphkit.viz._html.assemble`, so that a view does not import pyvis,
IPython and networkx) and are rendered with graphkit's own Jinja2 template (autoescape on). They are self-contained
and work offline: vis-network's JS and CSS are inlined from the pyvis package, there is
no CDN link, no external font, no favicon request, and a Content-Security-Policy allows
only the page's own inline scripts (by hash) and no fetch of any kind.

Safety of user-supplied text (ids, interaction types, community labels, file names):

* In HTML (header, legend, tables) it is escaped by Jinja2's autoescape.
* Tooltips and the details panel: Python builds their HTML with every user string
  passed through :func:`html.escape`; the page's script turns those escaped strings
  into elements with ``innerHTML`` and hands vis-network the *element* (vis-network 9
  shows an element as is and a string title as plain text). Nothing unescaped ever
  reaches ``innerHTML``.
* Canvas labels are drawn by vis-network with ``fillText`` (``font.multi`` stays off,
  so no markup is interpreted); they carry the raw id, cut to 24 characters, so a user
  named ``<b>x</b>`` is drawn as those characters.
* The graph data is embedded as JSON in a ``<script type="application/json">`` with
  ``<``, ``>``, ``&``, U+2028, U+2029 and every non-ASCII character written as
  ``\\uXXXX`` escapes, so no id can end the script element.
* The search box fills its suggestions through DOM properties (``option.value``); the
  neighbour lists, edge tooltips and focus titles are built with ``textContent``; legend
  and filter rows are autoescaped by Jinja2 (names in ``<bdi>``, so a right-to-left
  override in an id stays inside it); the SVG export sets its labels as text and lets the
  browser's XML serializer escape them.

Examples
--------
>>> import graphkit as gk, tempfile, os
>>> g = gk.SocialGraph.from_pairs([("bob", "alice", "follow"), ("carol", "alice", "share"),
...                                ("alice", "carol", "comment")])
>>> v = gk.influencers_view(g, top=2, rng=1)
>>> v.n_nodes, v.n_edges, v.shown
(2, 2, 'top 2 of 3 users by PageRank, 2 of 3 edges (the edges among them)')
>>> path = v.write(os.path.join(tempfile.mkdtemp(), "top.html"))
>>> page = open(path, encoding="utf-8").read()
>>> any(s in page for s in ('src="http', 'href="http', "<script src", "stylesheet"))
False
"""

from ._colors import OTHER_COLOR, PALETTE, Categories, categories_from, category_color
from ._html import render_page
from .cascade import cascade_view
from .community_map import communities_view
from .ego import ego_view
from .influencers import influencers_view
from .view import (
    DEFAULT_MAX_EDGES,
    DEFAULT_TOP,
    DEFAULT_TOP_COMMUNITIES,
    MEASURE_NAMES,
    PHYSICS_LIMIT,
    VIEW_KINDS,
    View,
)

__all__ = ["View", "influencers_view", "communities_view", "ego_view", "cascade_view",
           "VIEW_KINDS", "MEASURE_NAMES", "PHYSICS_LIMIT", "DEFAULT_TOP",
           "DEFAULT_TOP_COMMUNITIES", "DEFAULT_MAX_EDGES", "render_page", "PALETTE",
           "OTHER_COLOR", "category_color", "Categories", "categories_from"]
