"""User roles: behaviour features per user, K-means segments, each named from its profile.

* :func:`features` -- one row per user: PageRank, interactions received and made per
  type, reciprocity, k-core, community and participation (bridge score), engagement
  received per follower, activity, single-seed reach from RR sets;
* :func:`segment_users` -- K-means (scikit-learn, an optional extra) on the standardised
  log features, k given or chosen by silhouette on a seeded sample; returns a
  :class:`Segmentation` whose segments are named by :func:`name_segments`' written rule
  (hub, bridge, amplifier, engaged audience, lurker);
* :func:`single_seed_reach` -- every user's expected reach alone, from one RR-set draw;
* :func:`planted_roles` -- a synthetic graph with known roles (tests, examples).

The RR-set counting kernel (``_kernels``) is private.
"""

from .feature_table import features, participation, single_seed_reach
from .planted import planted_roles
from .roles import ROLES, Segmentation, clustering_matrix, name_segments, segment_users

__all__ = ["features", "participation", "single_seed_reach", "segment_users", "Segmentation", "name_segments",
           "clustering_matrix", "planted_roles", "ROLES"]
