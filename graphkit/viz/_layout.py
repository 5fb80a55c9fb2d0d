"""Private helpers of :mod:`graphkit.viz`: node positions, computed in Python from arrays.

* :func:`layout` -- the network views: each connected group of users laid out on its own
  with igraph's Fruchterman-Reingold (seeded), the largest in the middle, the smaller
  groups on rings around it, and the users without any drawn edge on the outer rings,
  best-scoring first (so they neither scatter over the page nor shrink the picture);
* :func:`radial_layout` -- the ego view: the centre in the middle, one ring per hop.

Coordinates are vis-network's pixels at zoom 1; both functions return them rounded to 0.1
together with a few numbers the page header reports.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = ["layout", "radial_layout", "Placement"]


class Placement(NamedTuple):
    """Positions, users without a drawn edge, groups of two or more connected users, and
    which nodes are in the group drawn in the middle (the largest)."""

    xy: np.ndarray
    n_isolated: int
    n_groups: int
    central: np.ndarray


def _fr(n: int, src, dst, weight, seed: int, grid: bool | None) -> np.ndarray:
    """igraph Fruchterman-Reingold positions of one connected group, centred, max radius 1."""
    from .._imports import igraph_graph
    from .._rng import igraph_seed

    g = igraph_graph(n, np.asarray(src), np.asarray(dst))
    kwargs = {}
    if weight is not None:
        # dampen heavy edges so a few of them do not collapse the picture
        kwargs["weights"] = (1.0 + np.log1p(np.maximum(weight, 0.0))).tolist()
    use_grid = n > 100 if grid is None else bool(grid)
    with igraph_seed(int(seed)):
        xy = np.asarray(g.layout_fruchterman_reingold(grid=use_grid, **kwargs).coords,
                        dtype=np.float64)
    xy -= xy.mean(axis=0)
    radius = float(np.sqrt((xy ** 2).sum(axis=1)).max()) or 1.0
    return xy / radius


def _spread(xy: np.ndarray, sizes: np.ndarray, spacing: float, iterations: int = 60) -> np.ndarray:
    """Scale a layout so that neighbouring nodes sit about ``spacing / 2`` apart, then push
    overlapping nodes apart (``size_i + size_j + spacing / 5`` between centres).

    Force layouts pack the users of a dense core into a small disc and leave long tails
    around it; scaling by the nearest-neighbour distance instead of the extent, and
    removing the overlaps, keeps the core readable without moving the tails.
    """
    n = xy.shape[0]
    if n < 3:
        return xy
    near = _BruteNeighbours if n <= _KD_LEAF else _kd_tree()
    nn = near(xy).query(xy, k=2)[0][:, 1]
    typical = float(np.median(nn)) or float(nn.max()) or 1.0
    xy = xy * (0.5 * spacing / typical)
    margin = spacing / 5.0
    reach = 2.0 * float(sizes.max()) + margin
    for _ in range(iterations):
        i, j = near(xy).query_pairs(reach, output_type="ndarray").T
        if not i.size:
            break
        d = xy[j] - xy[i]
        dist = np.hypot(d[:, 0], d[:, 1])
        need = sizes[i] + sizes[j] + margin
        over = dist < need
        if not over.any():
            break
        i, j, d, dist, need = i[over], j[over], d[over], dist[over], need[over]
        same = dist < 1e-9  # coincident: a fixed direction per pair, so the result is stable
        d[same] = np.column_stack([np.cos(i[same] + 0.5 * j[same]), np.sin(i[same] + 0.5 * j[same])])
        dist[same] = 1.0
        push = (0.5 * (need - dist) / dist)[:, None] * d
        move = np.zeros_like(xy)
        np.add.at(move, i, -push)
        np.add.at(move, j, push)
        xy = xy + 0.8 * move
    return xy


#: scipy's cKDTree keeps up to this many points in one leaf (its default ``leafsize``).
_KD_LEAF = 16


def _kd_tree():
    from scipy.spatial import cKDTree

    return cKDTree


class _BruteNeighbours:
    """What :func:`_spread` asks of scipy's ``cKDTree``, by comparing every pair, for at
    most :data:`_KD_LEAF` points: their tree is then one leaf, which scipy scans exactly so
    (squared distances ``dx * dx + dy * dy`` compared with ``r * r``, pairs ``i < j`` in
    index order), so the answers are the same bit for bit (``tests/test_viz_assemble.py``)
    -- without importing scipy (0.5 s of a small ``graphkit view``)."""

    def __init__(self, xy):
        d = xy[:, None, :] - xy[None, :, :]
        self.d2 = d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1]

    def query(self, xy, k):  # noqa: ARG002 - k == 2: the point itself and its nearest
        d2 = self.d2.copy()
        np.fill_diagonal(d2, np.inf)
        nearest = np.sqrt(d2.min(axis=1))
        return np.column_stack([np.zeros(nearest.size), nearest]), None

    def query_pairs(self, r, output_type="ndarray"):  # noqa: ARG002
        i, j = np.nonzero(np.triu(self.d2 <= r * r, 1))
        return np.column_stack([i, j]).astype(np.intp)


def _components(n: int, src, dst) -> np.ndarray:
    """A connected-component label of each node (edges taken both ways; which label a
    component gets does not matter to :func:`layout`).

    Pointer jumping in NumPy (each root hooked under the smallest root it touches,
    then paths halved to their roots, until every edge is inside one tree): no scipy.
    """
    parent = np.arange(n, dtype=np.int64)
    if not src.size:
        return parent
    while True:
        while True:  # every node points at its root
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up
        a, b = parent[src], parent[dst]
        split = a != b
        if not split.any():
            return parent
        a, b = a[split], b[split]
        np.minimum.at(parent, np.maximum(a, b), np.minimum(a, b))


class _Rings:
    """Discs of given radii on concentric rings around the origin, in the order given: a
    ring is filled clockwise from the top; the discs of a ring that is not full are spread
    evenly around it (six or more) or set side by side at the top (fewer)."""

    def __init__(self, inner: float, gap: float):
        self.inner, self.gap = inner, gap
        self.rings = []  # [radius, half-width, [(key, angular width)]]

    def add(self, key, r: float) -> None:
        def width(radius):
            return 2.0 * math.asin(min(1.0, (r + self.gap / 2) / radius))

        ring = self.rings[-1] if self.rings else None
        if ring is None or sum(a for _, a in ring[2]) + width(ring[0]) > 2 * math.pi + 1e-9:
            start = self.inner if ring is None else ring[0] + ring[1]
            half = r + self.gap / 2
            ring = [start + half, half, []]
            self.rings.append(ring)
        ring[2].append((key, width(ring[0])))

    def outer(self) -> float:
        return self.inner if not self.rings else self.rings[-1][0] + self.rings[-1][1]

    def centres(self) -> dict:
        out = {}
        for radius, _, items in self.rings:
            widths = np.array([a for _, a in items])
            if len(items) >= 6:  # spread around the whole circle
                spare = max(0.0, 2 * math.pi - widths.sum()) / len(items)
                start = -math.pi / 2
            else:  # a few: side by side, centred at the top
                spare, start = 0.0, -math.pi / 2 - widths.sum() / 2
            theta = start + np.cumsum(widths + spare) - (widths + spare) / 2
            for (key, _), t in zip(items, theta):
                out[key] = (radius * math.cos(t), radius * math.sin(t))
        return out


def layout(n: int, src, dst, weight=None, *, seed: int = 0, spacing: float = 70.0,
           sizes=None, grid: bool | None = None) -> Placement:
    """Positions of ``n`` nodes joined by the undirected edges ``src``-``dst``.

    Each connected group of two or more nodes is laid out on its own by igraph's
    Fruchterman-Reingold (seeded with ``seed``; the grid variant above 100 nodes, 2.4x
    faster at 300 nodes and 14x at 2,000) and scaled to a disc of radius ``spacing *
    sqrt(size) / 2``. The largest group sits in the middle; the others, largest first,
    on rings around it; nodes without an edge on the outer rings in index order (the
    callers pass nodes best-first), each taking the room of its ``sizes`` (node radius).

    Returns
    -------
    Placement
        ``(xy, n_isolated, n_groups, central)``.
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    xy = np.zeros((n, 2))
    if n == 0:
        return Placement(xy, 0, 0, np.zeros(0, dtype=bool))
    sizes = np.full(n, 10.0) if sizes is None else np.asarray(sizes, dtype=np.float64)
    w = None if weight is None else np.asarray(weight, dtype=np.float64)
    comp = _components(n, src, dst)
    comp_size = np.bincount(comp, minlength=int(comp.max()) + 1)
    isolated = comp_size[comp] == 1
    groups = np.flatnonzero(comp_size >= 2)
    # largest first; equal sizes by their first node (callers order nodes best-first)
    first = np.full(comp_size.size, n, dtype=np.int64)
    np.minimum.at(first, comp, np.arange(n))
    groups = groups[np.lexsort((first[groups], -comp_size[groups]))]
    edge_comp = comp[src] if src.size else np.zeros(0, dtype=np.int64)
    local = np.zeros(n, dtype=np.int64)
    gap = spacing * 0.6
    rings = None
    shapes = {}
    for k, c in enumerate(groups.tolist()):
        members = np.flatnonzero(comp == c)
        m = members.size
        local[members] = np.arange(m)
        if m == 2:
            pts = np.array([[-1.0, 0.0], [1.0, 0.0]]) * (spacing / 2)
        else:
            sel = np.flatnonzero(edge_comp == c)
            pts = _fr(m, local[src[sel]], local[dst[sel]], None if w is None else w[sel],
                      seed + k, grid)
            pts = _spread(pts, sizes[members], spacing)
            pts -= (pts.max(axis=0) + pts.min(axis=0)) / 2
        radius = float(np.sqrt((pts ** 2).sum(axis=1)).max())
        pad = float(sizes[members].max())
        if rings is None:
            xy[members] = pts
            rings = _Rings(radius + pad + gap, gap)
        else:
            shapes[c] = (members, pts)
            rings.add(c, radius + pad)
    if shapes:
        for c, centre in rings.centres().items():
            members, pts = shapes[c]
            xy[members] = pts + centre
    alone = np.flatnonzero(isolated)
    if alone.size > 1 or (alone.size and rings is not None):
        ring = _Rings(0.0 if rings is None else rings.outer() + gap, gap * 0.5)
        for i in alone.tolist():
            ring.add(i, max(float(sizes[i]), spacing * 0.2))
        for i, centre in ring.centres().items():
            xy[i] = centre
    central = comp == groups[0] if groups.size else np.zeros(n, dtype=bool)
    return Placement(np.round(xy, 1), int(alone.size), int(groups.size), central)


def radial_layout(hops, src, dst, *, group=None, sizes=None, spacing: float = 70.0) -> np.ndarray:
    """The ego layout: node 0 (hop 0) in the middle, the users ``h`` hops away on ring ``h``.

    On ring 1 users are ordered by ``group`` (colour), then by index (callers pass them
    best-first); on ring ``h > 1`` by the mean angle of their neighbours on ring ``h - 1``,
    so that edges between rings stay short. Each ring is at least ``2.5 * spacing``
    beyond the previous one and long enough for its nodes side by side; a ring that
    would have to be much larger is split into staggered sub-rings.
    """
    hops = np.asarray(hops, dtype=np.int64)
    n = hops.size
    xy = np.zeros((n, 2))
    if n <= 1:
        return xy
    sizes = np.full(n, 10.0) if sizes is None else np.asarray(sizes, dtype=np.float64)
    group = np.zeros(n, dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    angle = np.zeros(n)
    radius = 0.0
    step = 2.5 * spacing
    for h in range(1, int(hops.max()) + 1):
        ring = np.flatnonzero(hops == h)
        if not ring.size:
            continue
        target = None
        if h == 1:
            order = ring[np.lexsort((ring, group[ring]))]
        else:
            inner = hops == h - 1
            a = np.concatenate([src, dst])
            b = np.concatenate([dst, src])
            keep = (hops[a] == h) & inner[b]
            sx = np.bincount(a[keep], weights=np.cos(angle[b[keep]]), minlength=n)
            sy = np.bincount(a[keep], weights=np.sin(angle[b[keep]]), minlength=n)
            mean = np.arctan2(sy, sx)
            order = ring[np.lexsort((ring, mean[ring]))]
            target = mean[order]
        room = 2.0 * sizes[order] + spacing * 0.35
        need = float(room.sum()) / (2 * math.pi)
        base = radius + step
        layers = max(1, min(4, math.ceil(need / (base * 2.0))))
        radius = max(base, need / layers)
        theta = 2 * math.pi * (np.cumsum(room) - room / 2) / room.sum()
        if target is None:  # ring 1 starts at the top
            theta -= math.pi / 2
        else:  # turn the ring so that users sit as close as they can to their neighbours
            delta = target - theta
            theta += math.atan2(np.sin(delta).mean(), np.cos(delta).mean())
        r = radius + (np.arange(order.size) % layers) * (step * 0.45)
        xy[order, 0] = r * np.cos(theta)
        xy[order, 1] = r * np.sin(theta)
        angle[order] = theta
        radius = float(r.max())
    return np.round(xy, 1)
