"""Influence rankings on the attention graph: PageRank, in-degree, HITS, k-core, betweenness.

Every measure works on the :class:`~graphkit.graph.SocialGraph` CSR arrays (an edge
``u -> v`` means *u acted on v*, so attention, and score, flows to ``v``) and returns an
array aligned with ``graph.node_ids``; :func:`rank` turns any of them into a ranked table.

* :func:`pagerank` and :func:`hits` (``link_analysis.py``), :func:`indegree`
  (``degree.py``), :func:`kcore` and :func:`betweenness` (``centrality.py``);
* :func:`rank` and :data:`MEASURES` (``table.py``); :func:`ranked_columns`, the same
  table as NumPy columns (no pandas: the command line's light path).

Private: ``_kernels`` (numba loops), ``_iteration`` (checks and work chunks shared by the
iterative measures). networkx is only the reference in tests.
"""

from .centrality import betweenness, kcore
from .degree import indegree
from .link_analysis import hits, pagerank
from .table import MEASURES, rank, ranked_columns

__all__ = ["rank", "ranked_columns", "MEASURES", "pagerank", "hits", "indegree", "kcore", "betweenness"]
