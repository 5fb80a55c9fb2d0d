"""Engagement and conversion from an item-level log (one row per video / post)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..io import COUNT_COLUMNS as _COUNTS
from ..io import ITEM_COLUMNS, read_items

__all__ = ["read_items", "item_engagement", "ItemEngagement", "ITEM_COLUMNS", "FORMULAS"]

#: The formulas, as printed next to the tables.
FORMULAS = {
    "engagement_rate": "(likes + comments + shares) / views",
    "conversion_rate": "buyers / followers",
    "avg_watch_time": "watch_time / views (watch_time = total time watched)",
}


@dataclass(frozen=True, eq=False)
class ItemEngagement:
    """Per item, per creator and per community engagement and conversion.

    Attributes
    ----------
    items, creators, communities : pandas.DataFrame
        ``communities`` is None without a partition. Rates are NaN where the
        denominator is missing or 0.
    formulas : dict
        The formulas used (:data:`FORMULAS`).
    notes : list of str
        What was missing (columns counted as 0, creators not in the graph).
    """

    items: object
    creators: object
    communities: object
    formulas: dict = field(default_factory=lambda: dict(FORMULAS))
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        out = {"formulas": self.formulas, "notes": list(self.notes),
               "items": self.items.to_dict(orient="records"),
               "creators": self.creators.to_dict(orient="records")}
        if self.communities is not None:
            out["communities"] = self.communities.to_dict(orient="records")
        return out


def _rate(num, den):
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    return np.where(ok, num / np.where(ok, den, 1.0), np.nan)


def item_engagement(items, graph=None, *, partition=None) -> ItemEngagement:
    """The seed documents' formulas on an item log.

    ``engagement_rate = (likes + comments + shares) / views``, ``conversion_rate =
    buyers / followers`` (the creator's followers in ``graph``: follow interactions
    received, or distinct users who interacted when it has no ``follow`` type), and
    ``avg_watch_time = watch_time / views``; per item, per creator (sums over its
    items, then the same formulas) and per community (sums over its creators).

    Parameters
    ----------
    items : pandas.DataFrame
        What :func:`read_items` returns.
    graph : SocialGraph, optional
        Source of the followers (conversion needs it).
    partition : Partition or array of int, optional
        Communities of ``graph`` (per-community table).

    Examples
    --------
    >>> import pandas as pd, graphkit as gk
    >>> from graphkit.engagement import item_engagement
    >>> items = pd.DataFrame({"item": ["v1", "v2"], "creator": ["ann", "ann"],
    ...                       "views": [100.0, 300.0], "likes": [10.0, 20.0],
    ...                       "comments": [5.0, 5.0], "shares": [5.0, 15.0],
    ...                       "watch_time": [1000.0, 1400.0], "buyers": [1.0, 3.0]})
    >>> g = gk.SocialGraph.from_pairs([("b", "ann", "follow"), ("c", "ann", "follow")])
    >>> r = item_engagement(items, g)
    >>> r.items["engagement_rate"].round(4).tolist(), r.creators["engagement_rate"].tolist()
    ([0.2, 0.1333], [0.15])
    >>> r.creators[["followers", "conversion_rate", "avg_watch_time"]].values.tolist()
    [[2.0, 2.0, 6.0]]
    """
    import pandas as pd

    notes = []
    df = items.copy()
    for c in _COUNTS:
        if c not in df.columns:
            df[c] = np.nan
    for c in items.attrs.get("missing_columns", []):
        if c in ("likes", "comments", "shares"):
            notes.append(f"no {c} column: counted as 0 in the engagement rate")
    interact = df[["likes", "comments", "shares"]].fillna(0.0).sum(axis=1).to_numpy()
    if df["views"].isna().all():
        notes.append("no views: engagement rate and average watch time cannot be computed")
    followers = pd.Series(np.nan, index=df.index)
    fol_by_creator: dict = {}
    if graph is not None:
        from .creators import _followers

        fol, _ = _followers(graph)
        pos = graph.index(df["creator"].unique().tolist(), missing="drop")
        known = dict(zip(graph.node_ids[pos].tolist(), fol[pos].astype(np.float64).tolist()))
        outside = sorted(set(df["creator"]) - set(known))
        if outside:
            shown = ", ".join(repr(u) for u in outside[:5])
            notes.append(f"{len(outside):,} creators are not in the graph (no followers, no "
                         f"conversion): {shown}" + (" ..." if len(outside) > 5 else ""))
        fol_by_creator = known
        followers = df["creator"].map(known)
    else:
        notes.append("no graph: conversion rate needs the creators' followers")
    it = df[["item", "creator", "views", "likes", "comments", "shares", "watch_time",
             "buyers"]].copy()
    it["followers"] = followers.to_numpy(dtype=np.float64)
    it["engagement_rate"] = _rate(interact, df["views"])
    it["avg_watch_time"] = _rate(df["watch_time"], df["views"])
    it["conversion_rate"] = _rate(df["buyers"], it["followers"])
    it = it.sort_values(["engagement_rate", "item"], ascending=[False, True], kind="stable",
                        na_position="last").reset_index(drop=True)

    sums = df.assign(interactions=interact).groupby("creator", sort=True).agg(
        items=("item", "size"), views=("views", lambda s: s.sum(min_count=1)),
        interactions=("interactions", "sum"),
        watch_time=("watch_time", lambda s: s.sum(min_count=1)),
        buyers=("buyers", lambda s: s.sum(min_count=1))).reset_index()
    sums["followers"] = sums["creator"].map(fol_by_creator).astype(np.float64)
    sums["engagement_rate"] = _rate(sums["interactions"], sums["views"])
    sums["avg_watch_time"] = _rate(sums["watch_time"], sums["views"])
    sums["conversion_rate"] = _rate(sums["buyers"], sums["followers"])
    comm = None
    if partition is not None and graph is not None:
        pos = graph.index(sums["creator"].tolist(), missing="drop")
        from .creators import labels_of

        memb = labels_of(partition, graph.n_nodes)
        cmap = dict(zip(graph.node_ids[pos].tolist(), memb[pos].tolist()))
        sums["community"] = sums["creator"].map(cmap).astype("Int64")
        g = sums.dropna(subset=["community"]).groupby("community", sort=True)
        comm = g.agg(creators=("creator", "size"), items=("items", "sum"),
                     views=("views", lambda s: s.sum(min_count=1)),
                     interactions=("interactions", "sum"),
                     buyers=("buyers", lambda s: s.sum(min_count=1)),
                     followers=("followers", "sum")).reset_index()
        comm["engagement_rate"] = _rate(comm["interactions"], comm["views"])
        comm["conversion_rate"] = _rate(comm["buyers"], comm["followers"])
        comm["community"] = comm["community"].astype(np.int64)
        comm = comm.sort_values(["engagement_rate", "community"], ascending=[False, True],
                                kind="stable", na_position="last").reset_index(drop=True)
    sums = sums.sort_values(["engagement_rate", "creator"], ascending=[False, True],
                            kind="stable", na_position="last").reset_index(drop=True)
    return ItemEngagement(it, sums, comm, dict(FORMULAS), notes)
