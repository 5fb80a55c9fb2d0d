"""Who to follow: the best candidates of each user, with the reason.

Candidates are users the given user has no contact with yet (no interaction either
way). The scorers:

* ``ppr`` (the default) -- personalized PageRank from the user on the weighted contact
  graph (restart probability ``1 - damping``), by forward push; candidates are the users
  the walk reaches;
* ``combined`` -- PPR divided by the user's best PPR, plus Adamic-Adar
  divided by the user's best Adamic-Adar; friends-of-friends get both. In this
  Adamic-Adar part, shared contacts with more than :data:`HUB_CONTACTS` contacts are
  not expanded (they add ``1 / log(deg)`` < 0.15 each but cost ``deg`` per user);
* ``adamic-adar``, ``common-neighbors``, ``jaccard``, ``resource-allocation``,
  ``preferential-attachment`` -- networkx's link-prediction indices on the unweighted
  contact graph, over friends-of-friends.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import _kernels as _k
from . import _text
from .contacts import contact_graph

__all__ = ["recommend", "Recommendations", "score_pairs", "METHODS", "DEFAULT_METHOD",
           "warm_up"]

#: Scorer names, in the order they are documented.
METHODS = ("ppr", "combined", "adamic-adar", "common-neighbors", "jaccard",
           "resource-allocation", "preferential-attachment")
#: The scorer the held-out test on the Higgs activity log found best (bench/recommend.py:
#: recall@10 2.3x Adamic-Adar's; on the bundled sample combined is 5% ahead of it).
DEFAULT_METHOD = "ppr"
_CODES = {"common-neighbors": _k.CN, "jaccard": _k.JACCARD, "adamic-adar": _k.ADAMIC_ADAR,
          "resource-allocation": _k.RESOURCE, "preferential-attachment": _k.PREFERENTIAL,
          "ppr": _k.PPR, "combined": _k.COMBINED}
#: Users per kernel call (progress and Ctrl-C are handled between calls).
BLOCK_USERS = 4096
#: Shared contacts named in an explanation.
SHOW_CONTACTS = 3
#: In the combined score's Adamic-Adar part, users with more contacts are not expanded.
HUB_CONTACTS = 1000
#: Below this many users or pairs, a kernel call runs on one thread.
SMALL_CALL = 256
#: Shared contacts of this many pairs or more look a hub's contacts up in a bitset (users
#: with at least HUB_BITS contacts, at most BITS_BUDGET bytes of bitsets).
MANY_PAIRS = 10_000
HUB_BITS = 1024
BITS_BUDGET = 16 << 20


@dataclass(frozen=True, eq=False)
class Recommendations:
    """What :func:`recommend` found.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (user, candidate): ``user, rank, candidate, score, method,
        shared_contacts, why`` (``why`` only when explained). Users in the order
        asked (all users: id order), ranks 1..top (score descending, then candidate
        id).
    method : str
    top : int
    users : int
        Users asked for.
    without : int
        Users asked for who got no candidate (no contact, or none not yet known).
    params : dict
        ``damping`` and ``tol`` of the PPR scorers.
    """

    table: object
    method: str
    top: int
    users: int
    without: int
    params: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"method": self.method, "top": self.top, "users": self.users,
                "users_without_candidates": self.without, **self.params,
                "rows": self.table.to_dict(orient="records")}


def _check(method: str, top, damping, tol) -> str:
    name = str(method).lower().replace("_", "-")
    if name not in _CODES:
        raise ValueError(f"unknown method {method!r} (use one of: {', '.join(METHODS)})")
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError(f"top must be a positive int, got {top!r}")
    if not 0.0 < float(damping) < 1.0:
        raise ValueError(f"damping must lie in (0, 1), got {damping}")
    if not 0.0 < float(tol) < 1.0:
        raise ValueError(f"tol must lie in (0, 1), got {tol}")
    return name


def top_positions(graph, users, *, top: int = 10, method: str = DEFAULT_METHOD,
                  damping: float = 0.85, tol: float = 1e-4,
                  progress: Callable | None = None):
    """The kernel behind :func:`recommend`, on positions: ``cand, score, path`` arrays.

    ``users`` is an int array of positions; ``cand`` is ``len(users) x top`` (-1 padded).
    """
    from .._batches import on_threads, timed_batches

    name = _check(method, top, damping, tol)
    code = _CODES[name]
    cg = contact_graph(graph)
    users = np.ascontiguousarray(users, dtype=np.int64)
    m = users.shape[0]
    cand = np.full((m, top), -1, dtype=np.int32)
    score = np.zeros((m, top), dtype=np.float64)
    path = np.full((m, top, _k.PATH_HOPS), -1, dtype=np.int32)
    if m == 0:
        return cand, score, path
    threads = _threads(m)
    kg = _kernel_graph(cg, code in (_k.PPR, _k.COMBINED))
    bufs = _k.work_buffers(kg.strength, threads)
    # the users whose contacts a two-hop scorer expands: all but the combined score's hubs
    hub = HUB_CONTACTS if code == _k.COMBINED else np.iinfo(np.int64).max
    expand = (kg.degree <= hub).astype(np.uint8)
    args = (kg.indptr, kg.indices, kg.degree, kg.wn, expand, kg.id_rank, kg.order)
    labels = kg.label[users]
    # blocks of ~0.25 s (Ctrl-C between them), the threads claiming a few users at a time;
    # each user's result is its own, so neither cut ever changes an answer
    for start, stop in timed_batches(m, first=min(BLOCK_USERS, 16 * threads), least=threads,
                                     most=BLOCK_USERS):
        call = (*args, labels[start:stop], int(top), code, float(damping), float(tol), *bufs,
                np.zeros(1, dtype=np.int64), cand[start:stop], score[start:stop],
                path[start:stop])
        on_threads(lambda w, a=call: _k.top_candidates(w, *a), threads)
        if progress is not None:
            progress(f"recommending ({name})", stop, m)
    return cand, score, path


@dataclass(frozen=True, eq=False)
class _KernelGraph:
    """The contact graph as :func:`_k.top_candidates` reads it: users relabelled by
    weighted degree, largest first (``order[label]`` is the position, ``label[position]``
    the label). A push touches a user about in proportion to its contacts, so the rows it
    touches most share cache lines: ~10-15% less CPU for the PPR push on the 1M-row
    power-law graph. Each row keeps its contacts in the contact graph's order (by
    position, not by label), so every push and every two-hop sum adds the same numbers in
    the same order: the same floats, the same ties (by ``id_rank``), the same output."""

    order: np.ndarray
    label: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    degree: np.ndarray
    wn: np.ndarray  # weight / strength of the contact (see _k._push)
    strength: np.ndarray
    id_rank: np.ndarray


_KERNEL_GRAPHS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _kernel_graph(cg, relabel: bool) -> _KernelGraph:
    """The :class:`_KernelGraph` of a contact graph (built once and cached), relabelled
    for the push (``relabel``) or not: a two-hop scorer walks a hub's whole contact list,
    which in position order meets ``acc[v]`` at rising addresses (the memory's own
    prefetch follows), and relabelled at scattered ones (~1.5x the CPU for Adamic-Adar)."""
    kg = _KERNEL_GRAPHS.get(cg, {}).get(relabel)
    if kg is not None:
        return kg
    n = cg.n_nodes
    order = (np.argsort(-cg.strength, kind="stable") if relabel
             else np.arange(n, dtype=np.int64))
    label = np.empty(n, dtype=np.int64)
    label[order] = np.arange(n, dtype=np.int64)
    degree = cg.degree[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(degree, out=indptr[1:])
    # where each relabelled row's entries sit in the contact graph's arrays
    src = np.repeat(cg.indptr[:-1][order] - indptr[:-1], degree) + np.arange(indptr[-1])
    s_of = cg.strength[cg.indices[src]]
    wn = np.divide(cg.weight[src], s_of, out=np.zeros(src.shape[0]), where=s_of > 0)
    kg = _KernelGraph(order.astype(np.int32), label, indptr,
                      label[cg.indices[src]].astype(np.int32), degree, wn,
                      np.ascontiguousarray(cg.strength[order]), cg.id_rank[order])
    _KERNEL_GRAPHS.setdefault(cg, {})[relabel] = kg
    return kg


def _threads(pairs: int) -> int:
    """Threads for a kernel call over ``pairs`` users or pairs: numba's thread count
    (``NUMBA_NUM_THREADS``), one for small calls (a thread's start costs more than the
    work)."""
    from numba import get_num_threads

    return get_num_threads() if pairs >= SMALL_CALL else 1


def _shared(cg, us, vs, n_show: int):
    """:func:`_k.shared_contacts` of position pairs on threads: ``count, aa, ra, show``."""
    from .._batches import on_threads

    us = np.ascontiguousarray(us, dtype=np.int64)
    vs = np.ascontiguousarray(vs, dtype=np.int64)
    m = us.shape[0]
    count = np.zeros(m, dtype=np.int64)
    aa = np.zeros(m, dtype=np.float64)
    ra = np.zeros(m, dtype=np.float64)
    show = np.full((m, n_show), -1, dtype=np.int32)
    threads = _threads(m)
    # contact bitsets of the hubs: worth building for many pairs only
    slot, bits = (_k.hub_bits(cg.indptr, cg.indices, cg.degree, HUB_BITS, BITS_BUDGET)
                  if m >= MANY_PAIRS else
                  (np.full(cg.n_nodes, -1, dtype=np.int32), np.zeros((0, 1), dtype=np.uint8)))
    on_threads(lambda w: _k.shared_contacts(w, threads, cg.indptr, cg.indices, cg.degree,
                                            cg.id_rank, us, vs, slot, bits, count, aa, ra,
                                            show), threads)
    return count, aa, ra, show


def recommend(graph, users=None, *, top: int = 10, method: str = DEFAULT_METHOD,
              damping: float = 0.85, tol: float = 1e-4, explain: bool = True,
              progress: Callable | None = None) -> Recommendations:
    """Recommend whom each user should follow (or be introduced to).

    Parameters
    ----------
    graph : SocialGraph
        The interaction graph; recommendations come from its contact graph (an
        interaction either way makes two users contacts).
    users : sequence of str, optional
        The users to recommend for (default: all users, in id order). Unknown ids
        raise :class:`~graphkit.errors.UnknownUserError` listing them.
    top : int, optional
        Candidates per user (default 10).
    method : str, optional
        One of :data:`METHODS` (default :data:`DEFAULT_METHOD`, the best on the
        held-out test of ``bench/recommend.py``).
    damping : float, optional
        PPR's probability of following an edge rather than restarting (default 0.85).
    tol : float, optional
        PPR push threshold: a user's residual is pushed while it exceeds ``tol`` times
        its weighted degree (Andersen, Chung, Lang 2006). The score of ``v`` is its
        pushed estimate plus the ``1 - damping`` share of the residual left on it, which
        is within ``tol * strength(v)`` of the exact personalized PageRank (the residual
        of a hub is not lost). Default 1e-4.
    explain : bool, optional
        Add ``shared_contacts`` and a ``why`` text: the shared contacts with the fewest
        contacts of their own (the most specific), or the path the walk took when
        there is none. Default True.
    progress : callable, optional
        ``progress(stage, done, total)``, called between blocks of users.

    Returns
    -------
    Recommendations

    Raises
    ------
    UnknownUserError
        A user is not in the graph.
    ValueError
        Bad ``method``, ``top``, ``damping`` or ``tol``.

    Notes
    -----
    Users already in contact (an interaction either way) are never recommended. All
    users' lists are computed by one numba kernel over blocks of users, each block cut
    among ``NUMBA_NUM_THREADS`` threads (the kernel releases the GIL): a two-hop scorer costs ``sum over contacts w of deg(w)`` per user; PPR's push visits
    edges of total weight at most ``1 / (tol * (1 - damping))`` per user and never
    expands a hub whose residual stays below ``tol`` times its weighted degree.

    References
    ----------
    .. [1] D. Liben-Nowell and J. Kleinberg, "The link-prediction problem for social
       networks", JASIST 58(7), 2007.
    .. [2] L. Adamic and E. Adar, "Friends and neighbors on the Web", Social Networks
       25(3), 2003.
    .. [3] R. Andersen, F. Chung and K. Lang, "Local graph partitioning using PageRank
       vectors", FOCS 2006.
    .. [4] P. Gupta et al., "WTF: the Who to Follow service at Twitter", WWW 2013.

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.recommend import recommend
    >>> g = gk.SocialGraph.from_pairs([("ann", "bob"), ("bob", "cat"), ("cat", "dan"),
    ...                                ("ann", "eve"), ("eve", "cat")])
    >>> r = recommend(g, ["ann"], top=2, method="adamic-adar")
    >>> r.table[["user", "rank", "candidate", "shared_contacts"]].values.tolist()
    [['ann', 1, 'cat', 2]]
    >>> r.table["why"].tolist()
    ['2 shared contacts: bob, eve']
    """
    import pandas as pd

    name = _check(method, top, damping, tol)
    if users is None:
        pos = np.argsort(contact_graph(graph).id_rank, kind="stable")
    else:
        if isinstance(users, str):
            users = [users]
        pos = graph.index(list(users))
    cand, score, path = top_positions(graph, pos, top=top, method=name, damping=damping,
                                      tol=tol, progress=progress)
    ok = cand >= 0
    n_per = ok.sum(axis=1)
    u_pos = np.repeat(pos, n_per)
    c_pos = cand[ok].astype(np.int64)
    ids = graph.node_ids
    arrow = _text.arrow_ids(ids)  # None: ids Arrow cannot hold (lone surrogates)
    table = pd.DataFrame({
        "user": ids[u_pos] if arrow is None else _text.id_column(arrow, u_pos),
        "rank": (np.nonzero(ok)[1] + 1).astype(np.int64),
        "candidate": ids[c_pos] if arrow is None else _text.id_column(arrow, c_pos),
        "score": score[ok],
        "method": name,
    })
    if explain:
        count, text = _explain(graph, u_pos, c_pos, path[ok], arrow)
        table["shared_contacts"] = count
        table["why"] = text
    params = {"damping": float(damping), "tol": float(tol)} if name in ("ppr", "combined") else {}
    return Recommendations(table, name, int(top), int(pos.shape[0]), int((n_per == 0).sum()),
                           params)


def warm_up(method: str = DEFAULT_METHOD, explain: bool = True) -> None:
    """Load the kernels :func:`recommend` calls (the push or two-hop scorer, the shared
    contacts, the ``why`` text; one signature each) by running it on a five-user graph.

    The CLI does this first, before reading, under an address-space limit (``ulimit -v``):
    LLVM does not raise when it cannot map a kernel's code, it aborts the process ("LLVM
    ERROR: Unable to allocate section memory", exit 134), and it did when the kernels
    loaded after the read (a 300k-row graph under 800 MB: 10 runs of 10). Loaded at the
    process's smallest size they find room, and what runs out later is a Python
    allocation, reported in one line.
    """
    from ..graph import SocialGraph

    g = SocialGraph.from_pairs([("a", "b"), ("b", "c"), ("c", "d"), ("a", "e"), ("e", "c")])
    recommend(g, top=2, method=method, explain=explain)


def _explain(graph, u_pos, c_pos, path, arrow=None):
    """Shared-contact counts and the ``why`` text of each (user, candidate) row."""
    cg = contact_graph(graph)
    count, _, _, show = _shared(cg, u_pos, c_pos, SHOW_CONTACTS)
    if arrow is not None:
        return count, _text.why_column(arrow, u_pos, c_pos, count, show, path,
                                       _threads(u_pos.shape[0]))
    return count, _text.why_rows(graph.node_ids, u_pos, c_pos, count, show, path)


def score_pairs(graph, pairs, method: str = "adamic-adar") -> np.ndarray:
    """The link-prediction index of each ``(user, candidate)`` id pair.

    Computed by merging the two users' sorted contact lists (independent of the
    top-``k`` kernel), for the two-hop indices only: ``common-neighbors``,
    ``jaccard``, ``adamic-adar``, ``resource-allocation``, ``preferential-attachment``
    -- the same numbers networkx's functions give on ``G.to_undirected()``.

    Examples
    --------
    >>> import graphkit as gk
    >>> from graphkit.recommend import score_pairs
    >>> g = gk.SocialGraph.from_pairs([("a", "b"), ("b", "c"), ("a", "d"), ("d", "c")])
    >>> score_pairs(g, [("a", "c")], "common-neighbors").tolist()
    [2.0]
    >>> score_pairs(g, [("a", "c")], "jaccard").tolist()
    [1.0]
    """
    name = str(method).lower().replace("_", "-")
    if name not in _CODES or name in ("ppr", "combined"):
        raise ValueError(f"score_pairs scores the two-hop indices, not {method!r}")
    pairs = list(pairs)
    if not pairs:
        return np.zeros(0)
    us = graph.index([p[0] for p in pairs])
    vs = graph.index([p[1] for p in pairs])
    cg = contact_graph(graph)
    count, aa, ra, _ = _shared(cg, us, vs, 1)
    du = cg.degree[us].astype(np.float64)
    dv = cg.degree[vs].astype(np.float64)
    if name == "common-neighbors":
        return count.astype(np.float64)
    if name == "adamic-adar":
        return aa
    if name == "resource-allocation":
        return ra
    if name == "preferential-attachment":
        return du * dv
    union = du + dv - count
    return np.divide(count, union, out=np.zeros_like(du), where=union > 0)

