"""The graph every algorithm works on, and its summary.

* :class:`SocialGraph` -- the immutable attention graph (actor -> target) as CSR arrays,
  string ids mapped to ``int32`` positions once, per-type counts, a cached transpose.
* :mod:`convert` -- to and from pandas, networkx, igraph (``SocialGraph.from_pandas``,
  ``to_networkx``, ...); :func:`write_graph` -- GEXF, GraphML, Neo4j CSV, edge tables.
* :func:`graph_summary` -- what ``graphkit info`` shows; :func:`reciprocity`,
  :func:`weak_components`.

Private: ``_kernels`` (numba CSR construction, transpose, per-type sums) and ``_small``
(their NumPy twins for small graphs, same results; :func:`is_small_graph`;
:func:`stable_order`, a radix ``argsort`` of int32 keys).
"""

from ._small import is_small_graph, stable_order
from .exchange import EXPORT_FORMATS, write_graph
from .social import SocialGraph, Transpose, id_order, unknown_ids
from .stats import graph_summary, has_mutual_pair, reciprocity, weak_components

__all__ = ["SocialGraph", "Transpose", "id_order", "unknown_ids", "graph_summary", "reciprocity", "has_mutual_pair",
           "weak_components", "write_graph", "EXPORT_FORMATS", "is_small_graph",
           "stable_order"]
