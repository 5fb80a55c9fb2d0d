"""The held-out test of the recommenders: hide the later interactions, predict them.

* :func:`holdout_split` -- with timestamps, the rows before a time point (and every
  row without a time) form the training graph, the later rows the test; without
  timestamps, a seeded random share of the contact pairs is held out.
* :func:`evaluate_recommendations` -- every method recommends ``k`` users from the
  training graph to each user who starts a new contact in the test, and is scored by
  precision@k, recall@k and MRR.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .contacts import contact_graph
from .scorers import METHODS, top_positions

__all__ = ["Holdout", "holdout_split", "RecommendEvaluation", "evaluate_recommendations",
           "ranking_metrics"]


@dataclass(frozen=True, eq=False)
class Holdout:
    """A training graph and the new contacts it should predict.

    Attributes
    ----------
    train : SocialGraph
        The graph of the training rows, on the same user positions as the full table
        (users seen only in the test have no contact in it).
    actor, target : ndarray of int64
        The test positives as positions: ``actor`` acted on ``target`` in the test,
        the two had no contact in the training graph, and both have one there (a
        user with no contact cannot be recommended or recommended to). One row per
        distinct pair, sorted.
    kind : str
        ``"time"`` or ``"random"``.
    details : dict
        ``cut`` (ISO time of the split, time kind), ``test_fraction``, ``train_rows``,
        ``test_rows``, ``new_pairs`` (positives), ``users`` (actors with a positive).
    """

    train: object
    actor: np.ndarray
    target: np.ndarray
    kind: str
    details: dict = field(default_factory=dict)


def holdout_split(edges, *, test_fraction: float = 0.2, by: str = "auto", rng=None) -> Holdout:
    """Split an edge table into a training graph and held-out new contacts.

    Parameters
    ----------
    edges : EdgeTable
        What :func:`graphkit.read_edges` returns.
    test_fraction : float, optional
        Share held out (default 0.2). By time: the cut is the timestamp below which
        ``1 - test_fraction`` of the timed rows lie; rows at or after it are the test,
        rows before it and rows without a time are the training set. At random: that
        share of the distinct contact pairs, all their rows.
    by : {"auto", "time", "random"}, optional
        ``"auto"`` splits by time when at least two distinct timestamps exist.
    rng : int, numpy.random.Generator or None, optional
        Seed of the random split (unused by time).

    Returns
    -------
    Holdout

    Examples
    --------
    >>> import graphkit as gk, numpy as np
    >>> from graphkit.io import EdgeTable, LoadReport
    >>> from graphkit.recommend import holdout_split
    >>> ids = np.array(["a", "b", "c", "d"], dtype=object)
    >>> t = np.array(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"],
    ...              dtype="datetime64[ns]")
    >>> e = EdgeTable(ids, np.array([0, 1, 0, 2, 0], np.int32), np.array([1, 2, 3, 3, 2], np.int32),
    ...               ("share",), np.zeros(5, np.int16), None, t, {}, LoadReport((), ()))
    >>> h = holdout_split(e, test_fraction=0.2)
    >>> h.kind, [(ids[a], ids[b]) for a, b in zip(h.actor, h.target)]
    ('time', [('a', 'c')])
    """
    from ..graph import SocialGraph

    if not 0.0 < float(test_fraction) < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    if by not in ("auto", "time", "random"):
        raise ValueError(f"by must be 'auto', 'time' or 'random', got {by!r}")
    n = edges.n_users
    src = edges.source_codes.astype(np.int64)
    dst = edges.target_codes.astype(np.int64)
    stamps = edges.timestamp
    timed = None
    if stamps is not None:
        timed = ~np.isnat(stamps)
    distinct = 0 if timed is None else np.unique(stamps[timed]).shape[0]
    if by == "time" and distinct < 2:
        raise ValueError("a split by time needs timestamps (at least two distinct ones)")
    details: dict = {"test_fraction": float(test_fraction)}
    if by == "time" or (by == "auto" and distinct >= 2):
        kind = "time"
        ts = stamps[timed]
        sorted_ts = np.sort(ts)
        cut = sorted_ts[min(int(np.floor((1.0 - test_fraction) * ts.shape[0])), ts.shape[0] - 1)]
        if cut == sorted_ts[0]:  # nothing before the cut: move it to the next time
            cut = sorted_ts[np.searchsorted(sorted_ts, cut, side="right")]
        test = timed & (stamps >= cut)
        details["cut"] = str(np.datetime_as_string(cut, unit="s")) + "Z"
    else:
        from .._rng import as_generator

        kind = "random"
        lo = np.minimum(src, dst)
        hi = np.maximum(src, dst)
        key = lo * n + hi
        pairs, inverse = np.unique(key, return_inverse=True)
        n_out = max(1, int(round(test_fraction * pairs.shape[0])))
        held = np.zeros(pairs.shape[0], dtype=bool)
        held[as_generator(rng).permutation(pairs.shape[0])[:n_out]] = True
        test = held[inverse]
    train = ~test
    details.update(train_rows=int(train.sum()), test_rows=int(test.sum()))
    if not train.any():
        raise ValueError("the training part is empty; lower test_fraction")
    w = None if edges.row_weight is None else edges.row_weight[train]
    g = SocialGraph.from_arrays(src[train], dst[train], edges.node_ids,
                                edge_type=edges.type_codes[train], types=edges.types,
                                row_weight=w, type_weights=edges.type_weights)
    cg = contact_graph(g)
    a, b = src[test], dst[test]
    known = (cg.degree[a] > 0) & (cg.degree[b] > 0)
    a, b = a[known], b[known]
    new = ~cg.connected(a, b)
    key = np.unique(a[new] * n + b[new])
    actor, target = key // n, key % n
    details.update(new_pairs=int(key.shape[0]), users=int(np.unique(actor).shape[0]))
    return Holdout(g, actor, target, kind, details)


def ranking_metrics(recommended, positives, k: int) -> dict:
    """precision@k, recall@k and MRR of ranked lists against sets of positives.

    Parameters
    ----------
    recommended : 2-d int array
        One row per user: the ranked candidates (-1 padded), at least ``k`` columns.
    positives : list of sets
        The true new contacts of each user (non-empty).
    k : int

    Returns
    -------
    dict
        ``precision`` (mean over users of hits in the top ``k`` / ``k``), ``recall``
        (mean of hits / number of positives), ``mrr`` (mean of 1 / rank of the first
        hit in the top ``k``, 0 without one), ``hits`` (total) and ``users``.

    Examples
    --------
    >>> from graphkit.recommend import ranking_metrics
    >>> m = ranking_metrics([[5, 7, 9], [1, 2, -1]], [{7}, {3, 4}], k=3)
    >>> round(m["precision"], 4), m["recall"], m["mrr"], m["hits"]
    (0.1667, 0.5, 0.25, 1)
    """
    rec = np.asarray(recommended)[:, :k]
    users = len(positives)
    if users == 0:
        return {"precision": 0.0, "recall": 0.0, "mrr": 0.0, "hits": 0, "users": 0}
    prec = rec_sum = rr = 0.0
    hits = 0
    for row, pos in zip(rec.tolist(), positives):
        hit_ranks = [i for i, v in enumerate(row) if v >= 0 and v in pos]
        hits += len(hit_ranks)
        prec += len(hit_ranks) / k
        rec_sum += len(hit_ranks) / len(pos)
        if hit_ranks:
            rr += 1.0 / (hit_ranks[0] + 1)
    return {"precision": prec / users, "recall": rec_sum / users, "mrr": rr / users,
            "hits": hits, "users": users}


@dataclass(frozen=True, eq=False)
class RecommendEvaluation:
    """What :func:`evaluate_recommendations` measured.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per method: ``method, precision_at_k, recall_at_k, mrr, hits, users``,
        best recall first (then MRR, then method name).
    k : int
    holdout : Holdout
    best : str
        The method with the highest recall@k.
    """

    table: object
    k: int
    holdout: Holdout
    best: str

    def to_dict(self) -> dict:
        return {"k": self.k, "split": self.holdout.kind, **self.holdout.details,
                "best": self.best, "methods": self.table.to_dict(orient="records")}


def evaluate_recommendations(edges, *, methods: Sequence[str] = METHODS, k: int = 10,
                             test_fraction: float = 0.2, by: str = "auto", rng=None,
                             damping: float = 0.85, tol: float = 1e-4,
                             progress: Callable | None = None) -> RecommendEvaluation:
    """Held-out test of every method: recommend from the past, score against the future.

    The users evaluated are the actors of the held-out new contacts
    (:func:`holdout_split`); each method ranks ``k`` candidates for each of them on the
    training graph, and :func:`ranking_metrics` scores the lists.

    Examples
    --------
    >>> import graphkit as gk, numpy as np
    >>> from graphkit.recommend import evaluate_recommendations
    >>> e = gk.read_edges(["data/example.csv"])
    >>> ev = evaluate_recommendations(e, methods=["adamic-adar", "ppr"], k=3, by="random", rng=1)
    >>> ev.table.columns.tolist()
    ['method', 'precision_at_k', 'recall_at_k', 'mrr', 'hits', 'users']
    """
    import pandas as pd

    h = holdout_split(edges, test_fraction=test_fraction, by=by, rng=rng)
    users, start = np.unique(h.actor, return_index=True)
    bounds = np.append(start, h.actor.shape[0])
    positives = [set(h.target[bounds[i]:bounds[i + 1]].tolist()) for i in range(users.shape[0])]
    rows = []
    for name in methods:
        if progress is not None:
            progress(f"evaluating {name}")
        cand, _, _ = top_positions(h.train, users, top=k, method=name, damping=damping, tol=tol)
        m = ranking_metrics(cand, positives, k)
        rows.append({"method": name, "precision_at_k": m["precision"], "recall_at_k": m["recall"],
                     "mrr": m["mrr"], "hits": m["hits"], "users": m["users"]})
    table = pd.DataFrame(rows, columns=["method", "precision_at_k", "recall_at_k", "mrr", "hits",
                                        "users"])
    table = table.sort_values(["recall_at_k", "mrr", "method"], ascending=[False, False, True],
                              kind="stable").reset_index(drop=True)
    best = str(table["method"].iloc[0]) if len(table) else ""
    return RecommendEvaluation(table, int(k), h, best)
