"""Engagement and conversion: who gets interactions for their audience, and who is rising.

From the typed edge log:

* :func:`creator_engagement` -- per creator, interactions received per follower by type
  and in total, with a flag for large audiences that engage little;
* :func:`community_engagement` -- the same per community;
* :func:`engagement_windows` -- interactions received in the last time window against
  the one before (``"1d"``, ``"7d"``, ``"30d"``): who is rising.

From an item-level log (:func:`read_items`): :func:`item_engagement` applies the seed
documents' formulas (:data:`FORMULAS`): engagement rate = (likes + comments + shares) /
views, conversion rate = buyers / followers, average watch time, per item, creator and
community.
"""

from .creators import (
    community_engagement,
    creator_engagement,
    engagement_windows,
    parse_window,
)
from .items import FORMULAS, ITEM_COLUMNS, ItemEngagement, item_engagement, read_items

__all__ = ["creator_engagement", "community_engagement", "engagement_windows", "parse_window",
           "read_items", "item_engagement", "ItemEngagement", "FORMULAS", "ITEM_COLUMNS"]
