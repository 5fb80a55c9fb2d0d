"""Engagement from the typed edge log: per creator, per community, over time windows."""

from __future__ import annotations

import numpy as np

__all__ = ["creator_engagement", "community_engagement", "engagement_windows", "parse_window",
           "AUDIENCE_TYPE", "LARGE_AUDIENCE_QUANTILE"]

#: The interaction type that is audience (followers), not engagement.
AUDIENCE_TYPE = "follow"
#: Creators at or above this quantile of followers count as having a large audience.
LARGE_AUDIENCE_QUANTILE = 0.9
#: Flag texts.
LOW_ENGAGEMENT = "large audience, low engagement"
HIGH_ENGAGEMENT = "high engagement"


def _followers(graph) -> tuple[np.ndarray, str]:
    if AUDIENCE_TYPE in graph.types:
        return graph.in_counts(AUDIENCE_TYPE).astype(np.int64), "follow interactions received"
    return graph.in_degree().astype(np.int64), "distinct users who interacted"


def creator_engagement(graph, *, partition=None):
    """Interactions received per follower, by type and in total, for every creator.

    Parameters
    ----------
    graph : SocialGraph
    partition : Partition or array of int, optional
        Adds each creator's ``community`` (a Partition, or a label per user).

    Returns
    -------
    pandas.DataFrame
        One row per user who received at least one interaction: ``rank, user,
        followers, interactions, rate`` (``interactions / followers``; NaN without
        followers), then ``received_<type>`` and ``rate_<type>`` for every non-follow
        type, ``community`` (with a partition) and ``flag``. *Followers* are the
        ``follow`` interactions received (the distinct users who interacted when the
        graph has no ``follow`` type); *interactions* are all other types received.
        ``flag`` is ``"large audience, low engagement"`` for creators in the top 10%
        by followers whose rate is below the median rate of creators with followers,
        ``"high engagement"`` for those in the top 10% by rate with at least the median
        number of followers, else empty. Sorted by interactions, then rate, then user.

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.engagement import creator_engagement
    >>> g = gk.SocialGraph.from_pairs([("a", "c", "follow"), ("b", "c", "follow"),
    ...                                ("a", "c", "share"), ("a", "c", "comment"),
    ...                                ("b", "c", "comment"), ("c", "a", "follow")])
    >>> t = creator_engagement(g)
    >>> t[["user", "followers", "interactions", "rate", "rate_comment"]].values.tolist()
    [['c', 2, 3, 1.5, 1.0], ['a', 1, 0, 0.0, 0.0]]
    """
    import pandas as pd

    n = graph.n_nodes
    followers, source = _followers(graph)
    others = [t for t in graph.types if t != AUDIENCE_TYPE]
    received = {t: graph.in_counts(t).astype(np.int64) for t in others}
    total = np.zeros(n, dtype=np.int64)
    for v in received.values():
        total += v
    keep = (total + followers) > 0
    f = followers.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(f > 0, total / np.where(f > 0, f, 1.0), np.nan)
    df = pd.DataFrame({"user": graph.node_ids, "followers": followers, "interactions": total,
                       "rate": rate})
    for t in others:
        df[f"received_{t}"] = received[t]
    for t in others:
        df[f"rate_{t}"] = np.where(f > 0, received[t] / np.where(f > 0, f, 1.0), np.nan)
    if partition is not None:
        df["community"] = labels_of(partition, n)
    df = df[keep]
    df["flag"] = _flags(df["followers"].to_numpy(), df["rate"].to_numpy())
    df = df.sort_values(["interactions", "rate", "user"], ascending=[False, False, True],
                        kind="stable", na_position="last").reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    df.attrs.update({"followers": source, "types": others})
    return df


def labels_of(partition, n: int) -> np.ndarray:
    """The community label per user of a Partition or of an int array (checked)."""
    labels = np.asarray(getattr(partition, "membership", partition))
    if labels.shape != (n,) or labels.dtype.kind not in "iu":
        raise ValueError("the partition is of another graph (its size differs) or not int labels")
    return labels.astype(np.int64)


def _flags(followers: np.ndarray, rate: np.ndarray) -> np.ndarray:
    out = np.full(followers.shape[0], "", dtype=object)
    has = followers > 0
    if not has.any():
        return out
    big = np.quantile(followers[has], LARGE_AUDIENCE_QUANTILE)
    med_rate = np.median(rate[has])
    med_f = np.median(followers[has])
    top_rate = np.quantile(rate[has], LARGE_AUDIENCE_QUANTILE)
    out[has & (followers >= big) & (rate < med_rate)] = LOW_ENGAGEMENT
    out[has & (rate >= top_rate) & (rate > med_rate) & (followers >= med_f)] = HIGH_ENGAGEMENT
    return out


def community_engagement(table):
    """Per community: ``community, creators, followers, interactions, rate`` (sums; rate =
    interactions / followers), from a :func:`creator_engagement` table with communities.

    Examples
    --------
    >>> import pandas as pd
    >>> from graphkit.engagement import community_engagement
    >>> t = pd.DataFrame({"community": [0, 0, 1], "followers": [4, 6, 5],
    ...                   "interactions": [2, 3, 10], "user": ["a", "b", "c"]})
    >>> community_engagement(t).to_dict("list")
    {'community': [1, 0], 'creators': [1, 2], 'followers': [5, 10], 'interactions': [10, 5], 'rate': [2.0, 0.5]}
    """
    if "community" not in table.columns:
        raise ValueError("the table has no community column (pass a partition)")
    g = table.groupby("community", sort=True)
    out = g.agg(creators=("user", "size"), followers=("followers", "sum"),
                interactions=("interactions", "sum")).reset_index()
    f = out["followers"].to_numpy(dtype=np.float64)
    out["rate"] = np.where(f > 0, out["interactions"] / np.where(f > 0, f, 1.0), np.nan)
    return out.sort_values(["interactions", "community"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}


def parse_window(text) -> np.timedelta64:
    """``"1d"``, ``"7d"``, ``"30d"``, ``"12h"``, ``"2w"`` -> a ``numpy.timedelta64``.

    Examples
    --------
    >>> from graphkit.engagement import parse_window
    >>> parse_window("7d")
    np.timedelta64(604800,'s')
    """
    s = str(text).strip().lower()
    unit = s[-1:] if s[-1:] in _UNITS else ""
    num = s[:-1] if unit else s
    try:
        value = float(num)
    except ValueError:
        value = -1.0
    if not unit or not value > 0 or not np.isfinite(value):
        raise ValueError(f"a window is a positive number with h, d or w (e.g. 7d), not {text!r}")
    return np.timedelta64(int(round(value * _UNITS[unit])), "s")


def engagement_windows(edges, window="7d"):
    """Who is rising: interactions received in the last window against the one before.

    Parameters
    ----------
    edges : EdgeTable
        With timestamps (rows without one are ignored).
    window : str or numpy.timedelta64, optional
        Window length (default 7 days). The last window ends at the latest timestamp:
        ``(t_max - w, t_max]``; the previous one is ``(t_max - 2w, t_max - w]``.

    Returns
    -------
    pandas.DataFrame
        One row per user who received a timed interaction in either window: ``rank,
        user, last, previous, growth, followers_gained`` where ``last``/``previous``
        count non-follow interactions received in each window, ``growth = (last -
        previous) / max(previous, 1)`` and ``followers_gained`` the timed follows
        received in the last window. Sorted by growth, then last, then user.
        ``attrs`` holds the window bounds.

    Raises
    ------
    ValueError
        Without timestamps.

    Examples
    --------
    >>> import numpy as np
    >>> from graphkit.io import EdgeTable, LoadReport
    >>> from graphkit.engagement import engagement_windows
    >>> ids = np.array(["a", "b", "c"], dtype=object)
    >>> t = np.array(["2024-01-01", "2024-01-09", "2024-01-10", "2024-01-03"],
    ...              dtype="datetime64[ns]")
    >>> e = EdgeTable(ids, np.array([0, 0, 2, 2], np.int32), np.array([1, 1, 1, 0], np.int32),
    ...               ("share",), np.zeros(4, np.int16), None, t, {}, LoadReport((), ()))
    >>> engagement_windows(e, "7d")[["user", "last", "previous", "growth"]].values.tolist()
    [['b', 2, 1, 1.0], ['a', 0, 1, -1.0]]
    """
    import pandas as pd

    if edges.timestamp is None or np.isnat(edges.timestamp).all():
        raise ValueError("time windows need timestamps (the edge files have no time column)")
    w = window if isinstance(window, np.timedelta64) else parse_window(window)
    w = w.astype("timedelta64[ns]")
    ts = edges.timestamp
    timed = ~np.isnat(ts)
    t_max = ts[timed].max()
    last = timed & (ts > t_max - w)
    prev = timed & (ts <= t_max - w) & (ts > t_max - 2 * w)
    n = edges.n_users
    is_follow = np.zeros(edges.n_rows, dtype=bool)
    if AUDIENCE_TYPE in edges.types:
        is_follow = edges.type_codes == edges.types.index(AUDIENCE_TYPE)
    tgt = edges.target_codes
    c_last = np.bincount(tgt[last & ~is_follow], minlength=n)
    c_prev = np.bincount(tgt[prev & ~is_follow], minlength=n)
    gained = np.bincount(tgt[last & is_follow], minlength=n)
    keep = (c_last + c_prev + gained) > 0
    growth = (c_last - c_prev) / np.maximum(c_prev, 1)
    df = pd.DataFrame({"user": edges.node_ids, "last": c_last, "previous": c_prev,
                       "growth": growth.astype(np.float64), "followers_gained": gained})[keep]
    df = df.sort_values(["growth", "last", "user"], ascending=[False, False, True],
                        kind="stable").reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    df.attrs.update({"window": str(window), "last_start": pd.Timestamp(t_max - w).strftime(fmt),
                     "end": pd.Timestamp(t_max).strftime(fmt),
                     "previous_start": pd.Timestamp(t_max - 2 * w).strftime(fmt)})
    return df
