"""User roles: K-means segments of the feature table, each named from its centroid."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["segment_users", "Segmentation", "name_segments", "ROLES", "clustering_matrix"]

#: The role names, in the order of :func:`name_segments`'s rule.
ROLES = ("hub", "bridge", "amplifier", "engaged audience", "lurker")
#: Users in the sample on which K-means is fitted for each k and the silhouette scored.
SAMPLE = 10_000
#: Users the silhouette is computed on (a seeded sub-sample: it costs users squared).
SILHOUETTE_SAMPLE = 3_000
#: The k tried when k is automatic.
K_RANGE = (3, 8)


@dataclass(frozen=True, eq=False)
class Segmentation:
    """What :func:`segment_users` found.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per user, graph order: ``user, segment, role`` then the features.
    centroids : pandas.DataFrame
        One row per segment: ``segment, role, users, share``, the mean of every
        feature over its users (the profile), and ``z_<feature>``, the centroid in
        standardised log units (what the name was read from).
    k : int
    silhouette : dict
        k -> mean silhouette on the sample (every k tried; only the chosen one when
        ``k`` was given).
    seed : int
        The seed K-means ran with.
    columns : tuple of str
        The features K-means saw.
    """

    table: object
    centroids: object
    k: int
    silhouette: dict
    seed: int
    columns: tuple
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"k": self.k, "silhouette": {str(k): v for k, v in self.silhouette.items()},
                "seed": self.seed, "features": list(self.columns), **self.details,
                "segments": self.centroids.to_dict(orient="records")}


def clustering_matrix(table, columns=None):
    """``log1p`` of the non-negative features, standardised (mean 0, sd 1 per column).

    Returns ``(X, columns)``; a constant column stays 0.
    """
    if columns is None:
        columns = [c for c in table.columns if c not in ("user", "community", "segment", "role")
                   and c != "activity" and table[c].dtype.kind in "iuf"]
    x = np.log1p(np.maximum(table[list(columns)].to_numpy(dtype=np.float64), 0.0))
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    return (x - mu) / sd, tuple(columns)


def _mean_of(z: np.ndarray, columns, wanted) -> np.ndarray:
    idx = [columns.index(c) for c in wanted if c in columns]
    if not idx:
        return np.zeros(z.shape[0])
    return z[:, idx].mean(axis=1)


def role_scores(z_centroids: np.ndarray, columns) -> np.ndarray:
    """Segments x roles scores of the naming rule (see :func:`name_segments`)."""
    columns = list(columns)
    ins = [c for c in columns if c.startswith("in_")]
    outs = [c for c in columns if c.startswith("out_")]
    share_out = [c for c in outs if c == "out_share"] or [c for c in outs if c != "out_follow"][:1]
    other_out = [c for c in outs if c not in share_out]
    z = z_centroids
    hub = _mean_of(z, columns, ["pagerank", "reach"] + ins)
    bridge = _mean_of(z, columns, ["participation"])
    amplifier = _mean_of(z, columns, share_out)
    engaged = _mean_of(z, columns, other_out)
    lurker = -_mean_of(z, columns, ins + outs)
    return np.column_stack([hub, bridge, amplifier, engaged, lurker])


def name_segments(z_centroids: np.ndarray, columns) -> list[str]:
    """Name each segment from its centroid (in standardised log-feature units).

    The rule: each segment scores every role from its centroid ``z``

    * **hub** -- mean of ``z`` over ``pagerank``, ``reach`` and every ``in_<type>``
      (attention received);
    * **bridge** -- ``z[participation]`` (interactions spread over communities);
    * **amplifier** -- ``z[out_share]`` (shares made; the first non-follow ``out_``
      column when there is no ``share`` type);
    * **engaged audience** -- mean of ``z`` over the other ``out_<type>`` columns
      (follows, comments, mentions made);
    * **lurker** -- minus the mean of ``z`` over every ``in_`` and ``out_`` column
      (little done, little received);

    and the names go to the segments by the assignment that maximises the total score
    (each role used once; Hungarian algorithm). With more than five segments the rest
    take their best-scoring role with a number (``"lurker 2"``).

    Examples
    --------
    >>> import numpy as np
    >>> from graphkit.segments import name_segments
    >>> cols = ["pagerank", "in_follow", "out_follow", "out_share", "participation"]
    >>> z = np.array([[3, 3, 0, 0, 0], [-1, -1, -1, -1, -1], [0, 0, 0, 3, 0]], float)
    >>> name_segments(z, cols)
    ['hub', 'lurker', 'amplifier']
    """
    from scipy.optimize import linear_sum_assignment

    scores = role_scores(np.asarray(z_centroids, dtype=np.float64), columns)
    k = scores.shape[0]
    rows, cols = linear_sum_assignment(scores, maximize=True)
    names: list[str | None] = [None] * k
    for r, c in zip(rows, cols):
        names[r] = ROLES[c]
    used: dict[str, int] = {}
    for r in range(k):
        if names[r] is None:
            best = ROLES[int(np.argmax(scores[r]))]
            used[best] = used.get(best, 1) + 1
            names[r] = f"{best} {used[best]}"
    return names  # type: ignore[return-value]


def _sklearn():
    """scikit-learn's ``KMeans`` and threadpoolctl's ``threadpool_limits``; a one-line
    error naming the extra when it is missing, ``MemoryError`` when its libraries cannot
    be mapped (``ulimit -v``)."""
    from ..errors import GraphkitError

    try:
        from sklearn.cluster import KMeans
        from threadpoolctl import threadpool_limits
    except ModuleNotFoundError:  # pragma: no cover - depends on the environment
        raise GraphkitError("segments need scikit-learn: pip install 'graphkit[segments]'") from None
    except ImportError as exc:  # installed, but a native library of it did not load
        text = str(exc)
        if "memory" in text.lower() or "failed to map" in text.lower():  # ulimit -v
            raise MemoryError(text) from None
        raise GraphkitError(f"scikit-learn is installed but did not load: {text}") from None
    return KMeans, threadpool_limits


def warm_up() -> None:
    """Load scikit-learn and its native pools (OpenMP, OpenBLAS) by a K-means fit and a
    silhouette on 40 points. The CLI does this first, before reading, under an
    address-space limit (``ulimit -v``): loaded after the read, OpenBLAS failed to map its
    buffers and the process died by a segmentation fault (a 300k-row graph at 900 MB)."""
    x = np.random.default_rng(0).random((40, 3))
    _, labels = _kmeans(x, 2, 0, n_init=1)
    _silhouette(x, labels, 0)


def _kmeans(x: np.ndarray, k: int, seed: int, n_init: int = 4):
    """scikit-learn's K-means on one thread (same labels on any machine thread count)."""
    KMeans, threadpool_limits = _sklearn()
    with threadpool_limits(limits=1):
        km = KMeans(n_clusters=k, n_init=n_init, random_state=seed, max_iter=300)
        labels = km.fit_predict(x)
    return km, labels


def _kmeans_inits_on_threads(x: np.ndarray, k: int, seed: int, n_init: int = 4):
    """``_kmeans(x, k, seed, n_init)``'s centres and labels, its ``n_init`` runs on threads.

    scikit-learn's ``KMeans.fit`` draws the k-means++ starts of its runs one after the
    other from one ``RandomState(seed)`` on the centred data, runs Lloyd from each and
    keeps the first run of least inertia (a later run only when its inertia is lower and
    its clustering differs). This draws the same starts the same way (cheap), runs the
    Lloyd loops side by side (one-threaded each, they release the GIL; each from its
    start given as ``init``, which ``fit`` centres with the same subtraction) and keeps
    the run by the same rule: the same labels and centres to the bit
    (``tests/test_segments_fork.py`` checks against ``KMeans(n_init=4)``).
    """
    from concurrent.futures import ThreadPoolExecutor

    from numba import get_num_threads
    from sklearn.cluster import kmeans_plusplus
    from sklearn.utils.extmath import row_norms

    KMeans, threadpool_limits = _sklearn()
    workers = max(1, min(n_init, get_num_threads()))
    x = np.ascontiguousarray(x, dtype=np.float64)
    xc = x.copy()
    xc -= xc.mean(axis=0)
    norms = row_norms(xc, squared=True)
    state = np.random.RandomState(seed)
    starts = [x[kmeans_plusplus(xc, k, x_squared_norms=norms, random_state=state)[1]]
              for _ in range(n_init)]

    def one(start):
        # OpenMP's thread count is per thread: set in the worker too (else its Lloyd
        # loop sums over two threads, in another order)
        with threadpool_limits(limits=1):
            km = KMeans(n_clusters=k, init=start, n_init=1, max_iter=300, random_state=seed)
            labels = km.fit_predict(x)
        return km.inertia_, labels, km.cluster_centers_

    with threadpool_limits(limits=1):
        if workers == 1:
            runs = [one(st) for st in starts]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                runs = list(pool.map(one, starts))
    best = None
    for inertia, labels, centres in runs:
        if best is None or (inertia < best[0] and not _same_clustering(labels, best[1], k)):
            best = (inertia, labels, centres)
    return best[2], best[1]


def _same_clustering(a: np.ndarray, b: np.ndarray, k: int) -> bool:
    """scikit-learn's test of a run's clustering against the best so far: every label of
    ``a`` goes with a single label of ``b``."""
    pairs = np.unique(a.astype(np.int64) * k + b)
    return len(np.unique(pairs // k)) == len(pairs)


def _silhouette(x, labels, seed) -> float:
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    if not 2 <= len(np.unique(labels)) <= len(labels) - 1:
        return float("nan")  # undefined
    with threadpool_limits(limits=1):
        size = min(SILHOUETTE_SAMPLE, x.shape[0])
        return float(silhouette_score(x, labels, sample_size=size, random_state=seed))


def _fits_on_threads(xs: np.ndarray, ks, seed: int) -> list:
    """The silhouette of K-means with each k in ``ks`` on ``xs``, the fits on threads.

    Each fit is one-threaded and seeded by ``seed`` alone, and scikit-learn's Lloyd loop
    and the silhouette's distances release the GIL, so the k run side by side on
    numba's thread count (``NUMBA_NUM_THREADS``) and give what they give one by one.
    The one-thread limit is set around all of them first: it is process-wide for BLAS,
    and a fit ending would otherwise restore the machine's thread count while another
    still runs.
    """
    from concurrent.futures import ThreadPoolExecutor

    from numba import get_num_threads

    _, threadpool_limits = _sklearn()

    def one(kk):
        _, lab = _kmeans(xs, kk, seed)
        return _silhouette(xs, lab, seed)

    workers = max(1, min(len(ks), get_num_threads()))
    with threadpool_limits(limits=1):
        if workers == 1:
            return [one(kk) for kk in ks]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(one, ks))


def segment_users(graph=None, k: int | None = None, *, table=None, partition=None,
                  reach_sets: int | None = None, rng=None, k_range=K_RANGE,
                  sample: int = SAMPLE, progress: Callable | None = None) -> Segmentation:
    """Segment users into roles with K-means on their behaviour features.

    Parameters
    ----------
    graph : SocialGraph, optional
        The graph (its :func:`features` are computed); or give ``table``.
    k : int, optional
        Number of segments. When omitted, every k in ``k_range`` is fitted on a seeded
        sample of ``sample`` users and the k with the best mean silhouette is used.
    table : pandas.DataFrame, optional
        A feature table (what :func:`features` returns) instead of ``graph``.
    partition, reach_sets :
        Passed to :func:`features`.
    rng : int, numpy.random.Generator or None, optional
        One seed for the features (Leiden, RR sets), the sample and K-means.
    k_range : (int, int), optional
        Smallest and largest k tried (default 3..8: two segments say little to a
        marketer, and the silhouette tends to favour k = 2).
    sample : int, optional
        Users in the seeded sample for the choice of k (default 10,000).
    progress : callable, optional

    Returns
    -------
    Segmentation
        Segments numbered by size (0 = largest; ties by centroid), each named by
        :func:`name_segments`.

    Notes
    -----
    K-means ([1]_; scikit-learn, ``n_init=4``, k-means++) runs on ``log1p`` of the
    features, standardised (:func:`clustering_matrix`), on one thread, so the same
    seed gives the same segments on any machine and thread count. ``activity`` (the
    sum of the ``out_`` columns) and ``community`` (a label) are not clustered on.

    References
    ----------
    .. [1] S. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory
       28(2), 1982; D. Arthur and S. Vassilvitskii, "k-means++", SODA 2007.
    .. [2] P. Rousseeuw, "Silhouettes", J. Comput. Appl. Math. 20, 1987.

    Examples
    --------
    >>> from graphkit.segments import planted_roles, segment_users
    >>> g, truth = planted_roles(rng=3)
    >>> seg = segment_users(g, k=5, rng=3)
    >>> sorted(seg.centroids["role"])
    ['amplifier', 'bridge', 'engaged audience', 'hub', 'lurker']
    """
    import pandas as pd

    from .._rng import as_generator
    from .feature_table import _FeatureRun

    say = progress or (lambda *a, **kw: None)
    gen = as_generator(rng)
    s_feat, s_sample, s_km = (int(s) for s in gen.integers(0, 2**31 - 1, size=3))
    if table is None:
        if graph is None:
            raise ValueError("give a graph or a feature table")
        run = _FeatureRun(graph, partition=partition, reach_sets=reach_sets, rng=s_feat,
                          progress=progress)
        try:
            _sklearn()  # imported (1 s of CPU) while Leiden runs in its child process
        except BaseException:
            run.close()
            raise
        table = run.finish()
    n = len(table)
    lo, hi = (int(v) for v in k_range)
    if k is not None and (isinstance(k, bool) or int(k) < 1):
        raise ValueError(f"k must be a positive int, got {k!r}")
    if n < 2:
        raise ValueError("segments need at least two users")
    x, columns = clustering_matrix(table)
    sil: dict = {}
    if k is None:
        pick = np.sort(gen.permutation(n)[:sample]) if n > sample else np.arange(n)
        xs = x[pick]
        distinct = len(np.unique(xs, axis=0))
        ks = list(range(max(2, lo), min(hi, distinct, len(pick) - 1) + 1))
        if ks:
            say(f"choosing k: K-means with k={ks[0]}..{ks[-1]} on {len(pick):,} users")
        sil.update(zip(ks, _fits_on_threads(xs, ks, s_sample)))
        valid = [kk for kk in sil if np.isfinite(sil[kk])]
        k = max(valid, key=lambda kk: (sil[kk], -kk)) if valid else max(1, min(lo, distinct))
    k = int(min(k, n))
    say(f"K-means with k={k} on {n:,} users")
    cent, labels = _kmeans_inits_on_threads(x, k, s_km)
    # number segments by size (0 = largest), ties by the centroid's coordinates
    sizes = np.bincount(labels, minlength=k)
    order = sorted(range(k), key=lambda c: (-sizes[c], tuple(np.round(cent[c], 9))))
    relabel = np.empty(k, dtype=np.int64)
    relabel[order] = np.arange(k)
    seg = relabel[labels]
    z = np.vstack([x[seg == s].mean(axis=0) if (seg == s).any() else np.zeros(x.shape[1])
                   for s in range(k)])
    names = name_segments(z, columns)
    if k not in sil and 1 < k < n:
        pick = np.sort(gen.permutation(n)[:sample]) if n > sample else np.arange(n)
        sil[k] = _silhouette(x[pick], seg[pick], s_sample)
    out = table.copy()
    out.insert(1, "segment", seg)
    out.insert(2, "role", np.asarray(names, dtype=object)[seg])
    feat_cols = [c for c in table.columns if c not in ("user", "community")]
    prof = out.groupby("segment")[feat_cols].mean().reindex(range(k))
    cen = pd.DataFrame({"segment": np.arange(k), "role": names,
                        "users": np.bincount(seg, minlength=k),
                        "share": np.bincount(seg, minlength=k) / n})
    cen = pd.concat([cen, prof.reset_index(drop=True)], axis=1)
    for j, c in enumerate(columns):
        cen[f"z_{c}"] = z[:, j]
    return Segmentation(out, cen, k, sil, s_km, columns,
                        {"users": n, "communities": table.attrs.get("n_communities")})
