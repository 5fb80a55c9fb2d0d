"""Cascades: an action log bound to a graph (private; public names in :mod:`graphkit.learn`).

A **cascade** is every action on one item, in time order. :class:`Cascades` binds an
:class:`~graphkit._learn_actions.ActionLog` to a :class:`~graphkit.graph.SocialGraph`: users
become graph positions, actions by users that are not in the graph are dropped and counted, a
user's repeated actions on one item are reduced to the first, and cascades are ordered by their
start time. Every step is a sort or a counting pass over arrays (no per-action Python loop).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..io import ActionLog

__all__ = ["Cascades", "as_cascades", "split_cascades"]


@dataclass(frozen=True, eq=False)
class Cascades:
    """The cascades of an action log on one graph, ordered by start time.

    Cascade ``c`` holds the actions ``ptr[c]:ptr[c + 1]``: graph positions ``users`` and
    times ``time`` (int64 ns), sorted by time then position. Each user appears at most once
    per cascade (their first action on the item). Cascades are ordered by start time (the
    first action), then by item id, so the order does not depend on the log's row order.

    Build with :meth:`from_actions`; :meth:`select` takes a subset (the time split).

    Attributes
    ----------
    node_ids : ndarray of str
        The graph's user ids (positions index them).
    ptr : ndarray of int64 (n_cascades + 1)
    users : ndarray of int32
    time : ndarray of int64
    items : ndarray of str (object)
        The item of each cascade.
    report : dict
        ``actions`` (kept), ``unknown_user_actions`` and ``unknown_users`` (actions by
        users not in the graph, dropped), ``repeat_actions`` (a user's later actions on an
        item they already acted on, dropped), ``items_without_graph_users``, ``cascades``,
        ``time_sorted``.
    """

    node_ids: np.ndarray
    ptr: np.ndarray
    users: np.ndarray
    time: np.ndarray
    items: np.ndarray
    report: dict = field(default_factory=dict)

    @property
    def n_cascades(self) -> int:
        return int(self.ptr.shape[0] - 1)

    @property
    def n_actions(self) -> int:
        return int(self.users.shape[0])

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    def sizes(self) -> np.ndarray:
        """Users active in each cascade."""
        return np.diff(self.ptr)

    def start(self) -> np.ndarray:
        """Start time (int64 ns) of each cascade (its first action)."""
        return self.time[self.ptr[:-1]] if self.n_cascades else np.zeros(0, dtype=np.int64)

    def cascade_of_action(self) -> np.ndarray:
        """The cascade index of every action."""
        return np.repeat(np.arange(self.n_cascades, dtype=np.int64), self.sizes())

    def action_counts(self) -> np.ndarray:
        """Per graph user, in how many cascades they acted (Goyal et al.'s ``A_v``)."""
        return np.bincount(self.users, minlength=self.n_nodes).astype(np.int64)

    def initiators(self, c: int) -> np.ndarray:
        """Positions of the first active user(s) of cascade ``c`` (all at its start time)."""
        lo, hi = int(self.ptr[c]), int(self.ptr[c + 1])
        t = self.time[lo:hi]
        return self.users[lo:hi][t == t[0]]

    def select(self, index) -> Cascades:
        """The cascades ``index`` (an int array or a boolean mask), in that order."""
        idx = np.arange(self.n_cascades)[index]
        sizes = self.sizes()[idx]
        ptr = np.zeros(idx.shape[0] + 1, dtype=np.int64)
        np.cumsum(sizes, out=ptr[1:])
        starts = np.repeat(self.ptr[idx], sizes)
        offsets = np.arange(int(ptr[-1]), dtype=np.int64) - np.repeat(ptr[:-1], sizes)
        take = starts + offsets
        report = {**self.report, "cascades": int(idx.shape[0]), "actions": int(ptr[-1])}
        return Cascades(self.node_ids, ptr, self.users[take], self.time[take], self.items[idx],
                        report)

    def frame(self):
        """The kept actions as a DataFrame ``cascade, item, user, timestamp``."""
        import pandas as pd

        c = self.cascade_of_action()
        return pd.DataFrame({"cascade": c, "item": self.items[c], "user": self.node_ids[self.users],
                             "timestamp": pd.to_datetime(self.time, unit="ns", utc=True)})

    @classmethod
    def from_actions(cls, graph, actions) -> Cascades:
        """Bind an :class:`ActionLog` (or a DataFrame ``user, item, timestamp``) to ``graph``.

        Raises
        ------
        InputError
            When no action is by a user of the graph.
        """
        import pandas as pd

        from ._kernels import stable_group_order

        if isinstance(actions, pd.DataFrame):
            actions = ActionLog.from_frame(actions)
        if not isinstance(actions, ActionLog):
            raise TypeError(f"actions must be an ActionLog, Cascades or DataFrame, not "
                            f"{type(actions).__name__}")
        pos_of = pd.Index(graph.node_ids).get_indexer(actions.user_ids)
        upos = pos_of[actions.user_codes]
        known = upos >= 0
        n_unknown = int((~known).sum())
        unknown_users = int(np.unique(actions.user_codes[~known]).shape[0]) if n_unknown else 0
        if not known.any():
            raise InputError(f"none of the {actions.n_actions:,} actions is by a user of the graph "
                             "(do the action log and the edge files use the same user ids?)",
                             actions.report.get("path"))
        u = upos[known].astype(np.int64)
        t = actions.time[known]
        # items ranked by id, so that ties and the cascade order never depend on row order
        n_items = len(actions.item_ids)
        item_rank = np.empty(n_items, dtype=np.int64)
        item_rank[np.argsort(actions.item_ids.astype(str), kind="stable")] = np.arange(n_items)
        ir = item_rank[actions.item_codes[known]]
        # time order, then user (two plain sorts: by time, then by the packed (time rank, user)
        # key; rows equal in both are the same action or on different items, whose relative
        # order nothing below depends on); later steps keep this order within their groups
        order = np.argsort(t)
        ts = t[order]
        t_rank = np.cumsum(np.r_[False, ts[1:] != ts[:-1]])
        order = order[np.argsort(t_rank * np.int64(graph.n_nodes) + u[order])]
        u, t, ir = u[order], t[order], ir[order]
        # a user's first action per item: the first of each (item, user) pair in time order
        first = ~pd.Series(ir * np.int64(graph.n_nodes) + u).duplicated(keep="first").to_numpy()
        repeats = int((~first).sum())
        u, t, ir = u[first], t[first], ir[first]
        # cascades ordered by start time, then item id
        start = np.full(n_items, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(start, ir, t)
        present = np.flatnonzero(start < np.iinfo(np.int64).max)
        rank = np.empty(n_items, dtype=np.int64)
        rank[present[np.lexsort((present, start[present]))]] = np.arange(present.shape[0])
        order = stable_group_order(rank[ir], present.shape[0])
        u, t, ir = u[order], t[order], ir[order]
        bounds = np.flatnonzero(np.r_[True, ir[1:] != ir[:-1]])
        ptr = np.r_[bounds, ir.shape[0]].astype(np.int64)
        by_rank = actions.item_ids[np.argsort(item_rank)]
        items = by_rank[ir[bounds]]
        report = {
            "actions_read": actions.n_actions,
            "actions": int(u.shape[0]),
            "unknown_user_actions": n_unknown,
            "unknown_users": unknown_users,
            "repeat_actions": repeats,
            "items": n_items,
            "items_without_graph_users": int(n_items - bounds.shape[0]),
            "cascades": int(bounds.shape[0]),
            "time_sorted": bool(actions.report.get("time_sorted", True)),
        }
        return cls(graph.node_ids, ptr, u.astype(np.int32), t.astype(np.int64), items, report)


def as_cascades(graph, actions) -> Cascades:
    """``actions`` as :class:`Cascades` on ``graph`` (checked to belong to it when given so)."""
    if isinstance(actions, Cascades):
        if actions.node_ids is not graph.node_ids and not (
                len(actions.node_ids) == graph.n_nodes
                and np.array_equal(actions.node_ids, graph.node_ids)):
            raise ValueError("these cascades were built on another graph")
        return actions
    return Cascades.from_actions(graph, actions)


def split_cascades(cascades, holdout: float):
    """Split cascades by start time: ``(train, test)``; test = the last ``holdout`` fraction.

    ``cascades`` are already ordered by start time (then item id). The test set has
    ``round(holdout * n)`` cascades (at least one when ``holdout > 0``); the training set
    must keep at least one. ``holdout=0`` returns ``(cascades, None)``.

    Raises
    ------
    InputError
        Too few cascades to hold any out.
    """
    holdout = float(holdout)
    if not 0.0 <= holdout < 1.0:
        raise ValueError(f"holdout must be in [0, 1), got {holdout!r}")
    n = cascades.n_cascades
    if holdout == 0.0:
        return cascades, None
    n_test = max(1, int(round(holdout * n)))
    if n - n_test < 1:
        raise InputError(f"only {n} cascade{'s' if n != 1 else ''} in the action log: too few to "
                         f"hold out {holdout:g} of them for evaluation (use --holdout 0)")
    idx = np.arange(n)
    return cascades.select(idx[: n - n_test]), cascades.select(idx[n - n_test:])
