"""The graph every algorithm works on, and its summary.

* :class:`SocialGraph` -- the immutable attention graph (actor -> target) as CSR arrays,
  string ids mapped to ``int32`` positions once, per-type counts, a cached transpose.
* :func:`graph_summary` -- what ``graphkit info`` shows; :func:`reciprocity`,
  :func:`weak_components`.

Private: ``_kernels`` (numba CSR construction, transpose, per-type sums).
"""

from .social import SocialGraph, Transpose, id_order, unknown_ids
from .stats import graph_summary, reciprocity, weak_components

__all__ = ["SocialGraph", "Transpose", "id_order", "unknown_ids", "graph_summary", "reciprocity", "weak_components"]
