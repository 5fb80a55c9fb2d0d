"""Communities: which groups exist, who leads each, and who connects them.

* :func:`detect_communities` (``detect.py``) -- Leiden, Louvain, label propagation (on the
  undirected projection of the attention graph) or Infomap (on the directed graph) through
  python-igraph, built from the CSR arrays.
* :class:`Partition` (``partition.py``) -- the membership numbered by size, graphkit's own
  modularity, and a per-community summary (size, internal edges, density, conductance,
  dominant type, top members, bridges; ``table_columns``/``summary_columns`` give both as
  NumPy columns, without pandas); :func:`modularity`, :func:`nmi`, :func:`membership_array`.

Membership files are read by :func:`graphkit.io.read_membership` (re-exported here).
Private: ``_projection`` (the undirected projection and the summary arithmetic).
"""

from ..io import read_membership
from .detect import METHODS, detect_communities
from .partition import SUMMARY_COLUMNS, Partition, membership_array, modularity, nmi

__all__ = ["METHODS", "SUMMARY_COLUMNS", "Partition", "detect_communities", "modularity", "nmi",
           "membership_array", "read_membership"]
