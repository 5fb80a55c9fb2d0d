"""Private numba kernels behind :mod:`graphkit.recommend` (arrays in, arrays out).

Every kernel works on the *contact graph*: the symmetric CSR (``indptr``, ``indices``,
``weight``) in which ``u`` and ``v`` are neighbours when either acted on the other.

* :func:`top_candidates` -- for a block of users, score every candidate and keep the
  ``k`` best (score descending, then ``id_rank`` ascending). Two-hop scorers (common
  neighbours, Jaccard, Adamic-Adar, resource allocation, preferential attachment)
  accumulate over ``w in N(u), v in N(w)`` into a dense per-thread array; personalized
  PageRank runs the forward push of Andersen, Chung and Lang (2006) from ``u``
  (:func:`_push`), and the combined score adds the two.
* :func:`shared_contacts` -- for (user, candidate) pairs, the number of common
  neighbours, their Adamic-Adar and resource-allocation sums, and the three shared
  contacts with the fewest contacts of their own (the most telling), by merging the
  two sorted neighbour lists.

Threads: both kernels are serial and release the GIL, one call per thread
(:func:`graphkit._batches.on_threads`; one serial compile, ~3.8 s of CPU on the first run,
instead of a ``parallel=True`` one's ~12 s). In :func:`top_candidates` the threads claim
:data:`CLAIM` users at a time from a shared cursor (:func:`_fetch_add`): a push costs from
nothing to ~5x the median, and a thread the shared machine holds back would otherwise
leave the other idle at the end of every block; in :func:`shared_contacts` thread ``t``
takes pairs ``t, t + n_threads, ...``. Each user's result depends only on the graph and
the user (per-thread buffers reset through a visit tag), so the output is identical for
any number of threads. Cached on disk; the pure-Python originals (``py_func``) are tested
against networkx and brute force.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

#: Method codes of :func:`top_candidates`.
CN, JACCARD, ADAMIC_ADAR, RESOURCE, PREFERENTIAL, PPR, COMBINED = range(7)
#: Intermediate users kept per recommendation for the explanation path.
PATH_HOPS = 4
#: One user's state in a push, packed so that touching a user reads one 32-byte row: the
#: residual divided by the weighted degree (``r``), the PageRank estimate (``e``), the
#: weighted degree (``s``, fixed), the user that first passed residual to it (``p``) and
#: whether it is the user or a contact (``x``, excluded from the candidates).
ROW = np.dtype([("r", np.float64), ("e", np.float64), ("s", np.float64), ("p", np.int32),
                ("x", np.int32)])


#: Neighbours whose rows a push asks the memory for ahead of use.
AHEAD = 16
#: Users a thread of :func:`top_candidates` claims at a time (~1 ms of PPR push).
CLAIM = 16


@intrinsic
def _prefetch(typingctx, arr, idx):  # pragma: no cover - compiled
    """Ask the CPU to bring ``arr[idx]`` into cache for writing (LLVM's ``prefetch``); no
    effect on any value."""
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):
        ir = cgutils.ir
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, signature.args[0], ary, [args[1]],
                                       wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]),
            "llvm.prefetch.p0")
        # write intent, keep in all cache levels, data cache
        builder.call(fn, [builder.bitcast(ptr, i8p), ir.Constant(i32, 1), ir.Constant(i32, 3),
                          ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def _fetch_add(typingctx, arr, idx, step):  # pragma: no cover - compiled
    """Atomically add ``step`` to ``arr[idx]`` (int64) and return the value before: how
    the threads of :func:`top_candidates` claim their next users."""
    sig = types.int64(arr, types.intp, types.int64)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, signature.args[0], ary, [args[1]],
                                       wraparound=False)
        return builder.atomic_rmw("add", ptr, args[2], "seq_cst")

    return sig, codegen


@njit(cache=True, inline="always")
def _better(sa, ra, sb, rb):  # pragma: no cover - compiled
    return sa > sb or (sa == sb and ra < rb)


@njit(cache=True)
def _keep_best(cand, score, k, v, s, id_rank, filled):  # pragma: no cover - compiled
    """Insert ``v`` (score ``s``) into the sorted best-``k`` list; returns the new fill."""
    if filled == k and not _better(s, id_rank[v], score[k - 1], id_rank[cand[k - 1]]):
        return filled
    j = filled if filled < k else k - 1
    while j > 0 and _better(s, id_rank[v], score[j - 1], id_rank[cand[j - 1]]):
        cand[j] = cand[j - 1]
        score[j] = score[j - 1]
        j -= 1
    cand[j] = v
    score[j] = s
    return filled + 1 if filled < k else k


@njit(cache=True)
def _push(u, indptr, indices, wn, damping, tol, row, touched, queue,
          n):  # pragma: no cover - compiled
    """Forward push from ``u`` (Andersen, Chung, Lang 2006) on the contact graph.

    ``row`` holds one :data:`ROW` per user; ``r`` (the residual divided by the weighted
    degree ``s``) and ``e`` (the PageRank estimate) are 0 on entry for every user (the
    caller resets the touched ones), so a user is new when both are 0. A user is pushed
    while its normalised residual exceeds ``tol``: it keeps ``1 - damping`` of the residual
    and passes the rest to its neighbours in proportion to the edge weights. ``wn[j] =
    weight[j] / strength[indices[j]]`` is precomputed, so each edge costs one random
    access (the neighbour's row). Returns how many users were touched (listed in
    ``touched``); ``p`` of a touched user is the user that first passed residual to it.
    Each user is in the circular queue (length ``n``) at most once at a time.

    The push is bound by memory latency (each touched user is a cache miss), so the
    memory is asked ahead (:func:`_prefetch`, no effect on any value) for where the list
    of the user four pops ahead starts, the lists of the user two pops ahead, and the
    rows of the neighbours :data:`AHEAD` edges ahead: ~45% less CPU on a 1M-row
    power-law graph, the same floats.
    """
    su = row[u].s
    touched[0] = u
    row[u].p = -1
    if su <= 0.0:
        row[u].e = 1.0  # every edge weighs 0: the walk stays home
        return 1
    row[u].r = 1.0 / su
    nt = 1
    head = 0
    tail = 1
    queue[0] = u
    queued = 1
    while queued > 0:
        w = queue[head]
        if queued > 4:  # where the list of the user four pops ahead starts
            _prefetch(indptr, queue[head + 4 if head + 4 < n else head + 4 - n])
        if queued > 2:  # the lists of the users two pops ahead
            z = queue[head + 2 if head + 2 < n else head + 2 - n]
            _prefetch(indices, indptr[z])
            _prefetch(wn, indptr[z])
        head = head + 1 if head + 1 < n else 0
        queued -= 1
        rw_row = row[w]
        rho = rw_row.r
        if rho <= tol:
            continue
        sw = rw_row.s
        rw = rho * sw
        rw_row.r = 0.0
        rw_row.e += (1.0 - damping) * rw
        f = damping * rw / sw
        lo = indptr[w]
        hi = indptr[w + 1]
        for j in range(lo, min(hi, lo + AHEAD)):
            _prefetch(row, indices[j])
        for j in range(lo, hi):
            if j + AHEAD < hi:
                _prefetch(row, indices[j + AHEAD])
            v = indices[j]
            rv = row[v]
            x = rv.r
            if x == 0.0 and rv.e == 0.0:
                rv.p = w
                touched[nt] = v
                nt += 1
            y = x + f * wn[j]
            rv.r = y
            if y > tol and not x > tol:
                queue[tail] = v
                tail = tail + 1 if tail + 1 < n else 0
                queued += 1
    return nt


@njit(cache=True)
def _two_hop(u, indptr, indices, deg, expand, method, acc, cnt, seen, tag, parent, touched, excl,
             etag):  # pragma: no cover - compiled
    """Accumulate ``sum over common neighbours w of f(w)`` for every 2-hop user of ``u``."""
    nt = 0
    for a in range(indptr[u], indptr[u + 1]):
        w = indices[a]
        if not expand[w]:
            continue
        dw = deg[w]
        if method == ADAMIC_ADAR or method == COMBINED:
            f = 1.0 / np.log(dw) if dw > 1 else 0.0
        elif method == RESOURCE:
            f = 1.0 / dw
        else:
            f = 1.0
        for b in range(indptr[w], indptr[w + 1]):
            v = indices[b]
            if excl[v] == etag:
                continue
            if seen[v] != tag:
                seen[v] = tag
                acc[v] = 0.0
                cnt[v] = 0.0
                parent[v] = w
                touched[nt] = v
                nt += 1
            acc[v] += f
            cnt[v] += 1.0
    return nt


def work_buffers(strength, threads: int):
    """Per-thread work arrays for :func:`top_candidates` (~84 bytes x n per thread): the
    push's :data:`ROW` per user (``s`` = ``strength``, the rest zero), the two-hop
    scorers' sums, positions and visit tags, and a tag counter."""
    n = strength.shape[0]
    rows = np.zeros((threads, n), dtype=ROW)
    rows["s"] = strength
    return (rows, np.zeros((threads, 2, n), dtype=np.float64),
            np.zeros((threads, 4, n), dtype=np.int32), np.zeros((threads, 2, n), dtype=np.int64),
            np.zeros((threads, 8), dtype=np.int64))


@njit(cache=True)
def _trace(parent, u, v, out):  # pragma: no cover - compiled
    """Write the users between ``u`` and ``v`` (``parent`` links back to ``u``) into
    ``out`` (-1 padded); the first entry is -2 when the path is longer than ``out`` and its
    start is cut."""
    hops = 0
    w = parent[v]
    while w != u and w >= 0 and hops < out.shape[0]:
        hops += 1
        w = parent[w]
    cut = w != u and w >= 0
    w = parent[v]
    for h in range(hops - 1, -1, -1):
        out[h] = w
        w = parent[w]
    if cut:
        out[0] = -2


@njit(cache=True)
def _trace_rows(row, u, v, out):  # pragma: no cover - compiled
    """:func:`_trace` over the push's rows (their ``p``)."""
    hops = 0
    w = row[v].p
    while w != u and w >= 0 and hops < out.shape[0]:
        hops += 1
        w = row[w].p
    cut = w != u and w >= 0
    w = row[v].p
    for h in range(hops - 1, -1, -1):
        out[h] = w
        w = row[w].p
    if cut:
        out[0] = -2


@njit(cache=True, nogil=True)
def top_candidates(t, indptr, indices, deg, wn, expand, id_rank, order, users, k, method,
                   damping, tol, rowbuf, fbuf, ibuf, tbuf, counter, claim, cand, score,
                   path):  # pragma: no cover - compiled
    """Thread ``t``'s share of the ``k`` best candidates of each user in ``users`` by
    ``method``; the caller runs the threads (:func:`graphkit._batches.on_threads`: this
    kernel releases the GIL). The threads take :data:`CLAIM` users at a time from the
    shared cursor ``claim[0]`` (int64, 0 on entry; :func:`_fetch_add`), so a thread
    the machine holds back does not leave the other waiting with a fixed share.

    The graph may be relabelled (``scorers._KernelGraph``): ``users`` are labels,
    ``order[label]`` is the caller's position, and ``cand`` and ``path`` are written as
    positions. ``deg`` is the number of contacts per user. ``rowbuf``, ``fbuf``, ``ibuf``, ``tbuf``,
    ``counter`` come from :func:`work_buffers` (row ``t`` belongs to thread ``t``); the
    push's rows are left as they came (``r``, ``e``, ``x`` zero) and visit tags only grow,
    so the buffers may be reused by the next call. ``wn`` is ``weight /
    strength[indices]`` (see :func:`_push`); ``expand`` marks the users whose contacts a
    two-hop scorer expands (all of them, except in the combined score's Adamic-Adar part).
    A PPR score is the push estimate plus the ``1 - damping`` share of the residual left
    on the user. Writes row ``i`` of ``cand`` (int32, users x k, -1 on entry), ``score``
    (float64, 0 on entry) and ``path`` (int32, users x k x PATH_HOPS, -1 on entry: the
    users between ``u`` and the candidate on the path its score came through, the first
    entry -2 when the path was longer and its start is cut). A user's row depends only on
    the graph and the user, so the output is the same whichever thread takes the user and
    for any number of threads.
    """
    m = users.shape[0]
    n = indptr.shape[0] - 1
    row = rowbuf[t]
    acc = fbuf[t, 0]
    cnt = fbuf[t, 1]
    parent = ibuf[t, 0]
    touched = ibuf[t, 1]
    queue = ibuf[t, 2]
    touched2 = ibuf[t, 3]
    seen = tbuf[t, 0]
    excl = tbuf[t, 1]
    i = m
    stop = m
    while True:
        if i >= stop:
            i = _fetch_add(claim, 0, CLAIM)
            if i >= m:
                break
            stop = min(m, i + CLAIM)
        else:
            i += 1
            if i >= stop:
                continue
        counter[t, 0] += 2
        tag = counter[t, 0]
        u = users[i]
        du = deg[u]
        if du == 0:
            continue
        best_c = cand[i]
        best_s = score[i]
        filled = 0
        if method == PPR or method == COMBINED:
            row[u].x = 1
            for a in range(indptr[u], indptr[u + 1]):
                row[indices[a]].x = 1
            nt = _push(u, indptr, indices, wn, damping, tol, row, touched, queue, n)
        if method == PPR:
            # one pass: the score (estimate plus the residual's kept share), the best k, reset
            for q in range(nt):
                v = touched[q]
                rv = row[v]
                est = rv.e + (1.0 - damping) * rv.r * rv.s
                rv.r = 0.0
                rv.e = 0.0
                if rv.x == 0 and est > 0.0:
                    if filled == k:
                        low = best_s[k - 1]
                        if est < low or (est == low and id_rank[v] > id_rank[best_c[k - 1]]):
                            continue
                    filled = _keep_best(best_c, best_s, k, v, est, id_rank, filled)
        elif method == COMBINED:
            excl[u] = tag
            for a in range(indptr[u], indptr[u + 1]):
                excl[indices[a]] = tag
            top_a = 0.0
            # Adamic-Adar of the 2-hop users on the side; each score is divided by the
            # user's best, then the two are added
            nt2 = _two_hop(u, indptr, indices, deg, expand, ADAMIC_ADAR, acc, cnt, seen, tag,
                           parent, touched2, excl, tag)
            for q in range(nt2):
                top_a = max(top_a, acc[touched2[q]])
            top_p = 0.0
            for q in range(nt):  # the estimate plus the share of the residual a user keeps
                rv = row[touched[q]]
                est = rv.e + (1.0 - damping) * rv.r * rv.s
                rv.r = est  # r now holds the score (reset below)
                if rv.x == 0 and est > top_p:
                    top_p = est
            for q in range(nt):
                v = touched[q]
                rv = row[v]
                est = rv.r
                if rv.x == 0 and est > 0.0:
                    s = est / top_p
                    if seen[v] == tag and top_a > 0.0:
                        s += acc[v] / top_a
                    filled = _keep_best(best_c, best_s, k, v, s, id_rank, filled)
            for q in range(nt):
                rv = row[touched[q]]
                rv.r = 0.0
                rv.e = 0.0
        else:
            excl[u] = tag
            for a in range(indptr[u], indptr[u + 1]):
                excl[indices[a]] = tag
                parent[indices[a]] = u  # a candidate's path: its shared contact, then u
            nt = _two_hop(u, indptr, indices, deg, expand, method, acc, cnt, seen, tag,
                          parent, touched, excl, tag)
            for q in range(nt):
                v = touched[q]
                if method == JACCARD:
                    s = cnt[v] / (du + deg[v] - cnt[v])
                elif method == PREFERENTIAL:
                    s = float(du) * float(deg[v])
                else:
                    s = acc[v]
                if s > 0.0:
                    filled = _keep_best(best_c, best_s, k, v, s, id_rank, filled)
        # the path each candidate was reached through (parents back to u)
        for j in range(filled):
            if method == PPR or method == COMBINED:
                _trace_rows(row, u, best_c[j], path[i, j])
            else:
                _trace(parent, u, best_c[j], path[i, j])
            # labels back to the caller's positions (-1 and -2 are markers)
            best_c[j] = order[best_c[j]]
            for h in range(path.shape[2]):
                if path[i, j, h] >= 0:
                    path[i, j, h] = order[path[i, j, h]]
        if method == PPR or method == COMBINED:
            row[u].x = 0
            for a in range(indptr[u], indptr[u + 1]):
                row[indices[a]].x = 0


@njit(cache=True, nogil=True)
def shared_contacts(t, n_threads, indptr, indices, deg, id_rank, us, vs, slot, bits, count,
                    aa, ra, show):  # pragma: no cover - compiled
    """Common neighbours of each pair ``(us[i], vs[i])``, for ``i = t, t + n_threads, ...``
    (thread ``t``'s share; the caller runs the threads, this kernel releases the GIL).

    Writes ``count`` (int64, 0 on entry), ``adamic_adar`` and ``resource`` (float64, 0 on
    entry: the sums of ``1 / log(deg w)`` and ``1 / deg w`` over the common neighbours
    ``w``) and ``show`` (int32, pairs x n_show, -1 on entry): the common neighbours with
    the fewest contacts, ties by ``id_rank``. Sorted neighbour lists are merged, so a pair
    costs ``deg u + deg v``; the shorter list is walked and the longer one binary-searched
    when they differ by more than 16x (a user and a hub), or, when the hub has a row in
    ``bits`` (``slot[v] >= 0``: bit ``w`` of row ``slot[v]`` set when ``w`` is a contact of
    ``v``, see :func:`hub_bits`), looked up in it. The common neighbours are met in the
    order of the shorter list either way, so the sums are the same floats.
    """
    m = us.shape[0]
    n_show = show.shape[1]
    best_d = np.empty(n_show, dtype=np.int64)
    for i in range(t, m, n_threads):
        a = us[i]
        b = vs[i]
        if deg[a] > deg[b]:
            a, b = b, a
        lo_b = indptr[b]
        hi_b = indptr[b + 1]
        filled = 0
        search = deg[b] > 16 * deg[a]
        hub = slot[b] if search else -1
        pb = lo_b
        for j in range(indptr[a], indptr[a + 1]):
            w = indices[j]
            if hub >= 0:
                hit = (bits[hub, w >> 3] >> (w & 7)) & 1 == 1
            elif search:
                lo = lo_b
                hi = hi_b
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if indices[mid] < w:
                        lo = mid + 1
                    else:
                        hi = mid
                hit = lo < hi_b and indices[lo] == w
            else:
                while pb < hi_b and indices[pb] < w:
                    pb += 1
                hit = pb < hi_b and indices[pb] == w
            if not hit:
                continue
            dw = deg[w]
            count[i] += 1
            if dw > 1:
                aa[i] += 1.0 / np.log(dw)
            ra[i] += 1.0 / dw
            # keep the n_show shared contacts with the fewest contacts (then id)
            if filled < n_show or (dw < best_d[filled - 1]
                                   or (dw == best_d[filled - 1]
                                       and id_rank[w] < id_rank[show[i, filled - 1]])):
                q = filled if filled < n_show else n_show - 1
                while q > 0 and (dw < best_d[q - 1]
                                 or (dw == best_d[q - 1] and id_rank[w] < id_rank[show[i, q - 1]])):
                    best_d[q] = best_d[q - 1]
                    show[i, q] = show[i, q - 1]
                    q -= 1
                best_d[q] = dw
                show[i, q] = w
                if filled < n_show:
                    filled += 1


def hub_bits(indptr, indices, degree, least: int, budget: int):
    """Contact bitsets of the users with at least ``least`` contacts, most contacts first,
    as many as fit in ``budget`` bytes: ``slot`` (int32 per user, -1: none) and ``bits``
    (uint8, hubs x ceil(n / 8); bit ``w & 7`` of byte ``w >> 3`` of a hub's row is set when
    ``w`` is its contact). Used by :func:`shared_contacts` for a user and a hub: a lookup
    per contact of the user instead of a binary search in the hub's long list."""
    n = indptr.shape[0] - 1
    width = (n + 7) // 8
    many = budget // max(width, 1)
    order = np.argsort(-degree, kind="stable")[:many]
    order = order[degree[order] >= least]
    slot = np.full(n, -1, dtype=np.int32)
    bits = np.zeros((order.shape[0], width), dtype=np.uint8)
    for s, h in enumerate(order.tolist()):
        mask = np.zeros(width * 8, dtype=bool)
        mask[indices[indptr[h]:indptr[h + 1]]] = True
        bits[s] = np.packbits(mask, bitorder="little")
        slot[h] = s
    return slot, bits
