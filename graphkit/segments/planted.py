"""A synthetic graph with planted roles: the known answer segment tests are checked against."""

from __future__ import annotations

import numpy as np

__all__ = ["planted_roles"]


def planted_roles(n_communities: int = 4, *, hubs: int = 3, bridges: int = 4,
                  amplifiers: int = 15, audience: int = 25, lurkers: int = 120, rng=None):
    """A typed interaction graph whose users play known roles.

    Each of ``n_communities`` communities has

    * ``hubs`` creators followed by most of their community, whose posts are shared
      and commented on;
    * ``amplifiers`` who follow 2-3 hubs and share a lot (15-30 shares);
    * ``audience`` members who follow 3-5 hubs and amplifiers and comment a lot
      (8-15 comments), sharing little;
    * ``lurkers`` who follow one or two hubs and do nothing else;
    * ``bridges`` who follow, share and comment on hubs and amplifiers of two or three
      communities (their own and others) and are followed from each.

    Parameters
    ----------
    n_communities : int, optional
    hubs, bridges, amplifiers, audience, lurkers : int, optional
        Users of each role per community.
    rng : int, numpy.random.Generator or None, optional

    Returns
    -------
    graph : SocialGraph
        Types ``comment``, ``follow``, ``share``; user ids ``c<community>-<role><i>``.
    truth : numpy.ndarray of str
        The planted role of each user (aligned with ``graph.node_ids``): ``hub``,
        ``bridge``, ``amplifier``, ``engaged audience`` or ``lurker``.

    Examples
    --------
    >>> from graphkit.segments import planted_roles
    >>> g, truth = planted_roles(2, rng=1)
    >>> g.types, sorted(set(truth))
    (('comment', 'follow', 'share'), ['amplifier', 'bridge', 'engaged audience', 'hub', 'lurker'])
    """
    from .._rng import as_generator
    from ..graph import SocialGraph

    gen = as_generator(rng)
    if n_communities < 2:
        raise ValueError("planted roles need at least two communities (bridges join them)")
    ids: list[str] = []
    role: list[str] = []
    members: dict[tuple[int, str], list[int]] = {}
    spec = (("hub", "h", hubs), ("bridge", "b", bridges), ("amplifier", "a", amplifiers),
            ("engaged audience", "e", audience), ("lurker", "l", lurkers))
    for c in range(n_communities):
        for name, tag, count in spec:
            for i in range(count):
                members.setdefault((c, name), []).append(len(ids))
                ids.append(f"c{c}-{tag}{i}")
                role.append(name)
    rows: list[tuple[int, int, int]] = []  # (source, target, type code)
    COMMENT, FOLLOW, SHARE = 0, 1, 2

    def pick(pool, k):
        k = min(k, len(pool))
        return gen.choice(pool, size=k, replace=False).tolist() if k else []

    for c in range(n_communities):
        hub = members[(c, "hub")]
        amp = members[(c, "amplifier")]
        aud = members[(c, "engaged audience")]
        for h in hub:  # hubs know each other
            rows += [(h, o, FOLLOW) for o in hub if o != h]
        for a in amp:
            for h in pick(hub, int(gen.integers(2, 4))):
                rows.append((a, h, FOLLOW))
            for _ in range(int(gen.integers(15, 31))):
                rows.append((a, int(gen.choice(hub)), SHARE))
        for e in aud:
            for t in pick(hub, int(gen.integers(2, 4))) + pick(amp, int(gen.integers(1, 3))):
                rows.append((e, t, FOLLOW))
            for _ in range(int(gen.integers(8, 16))):
                rows.append((e, int(gen.choice(hub + amp)), COMMENT))
            if gen.random() < 0.3:
                rows.append((e, int(gen.choice(hub)), SHARE))
        for lu in members[(c, "lurker")]:
            for h in pick(hub, int(gen.integers(1, 3))):
                rows.append((lu, h, FOLLOW))
        for b in members[(c, "bridge")]:
            others = [o for o in range(n_communities) if o != c]
            reach = [c] + pick(others, min(len(others), int(gen.integers(1, 3))))
            for o in reach:
                for h in pick(members[(o, "hub")], 2):
                    rows += [(b, h, FOLLOW), (b, h, SHARE), (b, h, COMMENT)]
                for f in pick(members[(o, "engaged audience")], 2):
                    rows.append((f, b, FOLLOW))
    arr = np.asarray(rows, dtype=np.int64)
    graph = SocialGraph.from_arrays(arr[:, 0], arr[:, 1], np.asarray(ids, dtype=object),
                                    edge_type=arr[:, 2], types=("comment", "follow", "share"))
    return graph, np.asarray(role, dtype=object)
