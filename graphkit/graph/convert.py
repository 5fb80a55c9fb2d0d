"""A :class:`SocialGraph` to and from the objects other tools hold: pandas edge tables,
networkx and igraph graphs, with per-type counts, weights, first/last times and node
attributes (a score, a community, a seed flag).

Times: a graph built from rows with a time (:meth:`SocialGraph.from_edges` on a table with a
time column, :func:`from_pandas` with ``time=``, :func:`from_networkx` with a time
attribute) remembers the rows' codes and times (arrays shared with the table, no copy);
:func:`edge_times` turns them into each edge's first and last time on first use. A graph
without times, or a subgraph, has none.

Edge attributes written by :func:`to_networkx`, :func:`to_igraph` and :func:`to_pandas`:
``weight`` (the merged weight), ``n_<type>`` (interactions of each type),
``first_time``/``last_time`` (ISO 8601 UTC text; empty for an edge with no timed row;
only when the graph has times). Graph attributes (networkx ``G.graph``, igraph
``g["..."]``): ``types`` (a JSON list) and ``type_weights`` (a JSON object), text so that
networkx's and igraph's GraphML/GEXF writers take them, and :func:`from_networkx` /
:func:`from_igraph` give back the same graph.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping

import numpy as np

from ..errors import InputError

__all__ = ["from_pandas", "from_networkx", "from_igraph", "to_pandas", "to_networkx",
           "to_igraph", "node_attributes", "edge_times", "remember_times"]

_ROWS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # graph -> (src, dst, stamps)
_TIMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # graph -> (first, last)


# ----------------------------------------------------------------------------- times
def remember_times(graph, source_codes, target_codes, stamps) -> None:
    """Keep the rows' times for :func:`edge_times` (nothing when all are missing)."""
    if stamps is None or len(stamps) == 0 or np.isnat(stamps).all():
        return
    _ROWS[graph] = (source_codes, target_codes, stamps)


def edge_times(graph) -> tuple[np.ndarray, np.ndarray] | None:
    """``(first, last)``: each edge's earliest and latest row time (``datetime64[ns]``,
    UTC, NaT for an edge without a timed row), or None when the graph has no times.

    Examples
    --------
    >>> import pandas as pd
    >>> from graphkit.graph.convert import edge_times, from_pandas
    >>> g = from_pandas(pd.DataFrame({"source": ["a", "a", "b"], "target": ["b", "b", "a"],
    ...                               "time": ["2024-01-02", "2024-01-01", None]}), time="time")
    >>> [str(x)[:10] for x in edge_times(g)[0]], [str(x)[:10] for x in edge_times(g)[1]]
    (['2024-01-01', 'NaT'], ['2024-01-02', 'NaT'])
    """
    cached = _TIMES.get(graph)
    if cached is not None:
        return cached
    rows = _ROWS.get(graph)
    if rows is None:
        return None
    src, dst, stamps = rows
    timed = ~np.isnat(stamps)
    edge = graph.find_edges(src[timed], dst[timed])
    ns = stamps[timed].astype("datetime64[ns]").view(np.int64)
    nat = np.iinfo(np.int64).min
    first = np.full(graph.n_edges, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(graph.n_edges, nat, dtype=np.int64)
    ok = edge >= 0
    np.minimum.at(first, edge[ok], ns[ok])
    np.maximum.at(last, edge[ok], ns[ok])
    first[first == np.iinfo(np.int64).max] = nat
    first, last = first.view("datetime64[ns]"), last.view("datetime64[ns]")
    first.flags.writeable = last.flags.writeable = False
    _TIMES[graph] = (first, last)
    return first, last


def _iso(stamps: np.ndarray) -> np.ndarray:
    """ISO 8601 UTC text (``2024-01-02T03:04:05Z``, seconds always written as xsd:dateTime
    needs, fractions only as fine as the data's); '' for NaT."""
    ns = stamps.astype("datetime64[ns]").view(np.int64)[~np.isnat(stamps)]
    unit = "s"
    for u, step in (("ms", 10**6), ("us", 10**3), ("ns", 1)):
        if (ns % (step * 1000)).any():
            unit = u
    text = np.datetime_as_string(stamps.astype("datetime64[ns]"), unit=unit, timezone="UTC")
    return np.where(np.isnat(stamps), "", text).astype(object)


# ------------------------------------------------------------------ node attributes
def node_attributes(graph, *, scores=None, communities=None, seeds=None) -> dict:
    """Per-user attribute arrays aligned with ``graph.node_ids``.

    Parameters
    ----------
    scores : DataFrame with ``user`` and ``score`` (a :func:`graphkit.rank` table), a
        Series or mapping id -> score, or an array of ``n_nodes`` scores, optional.
        Users without one get NaN.
    communities : Partition (anything with ``membership``), a DataFrame with ``user`` and
        ``community``, a mapping id -> community, or an array, optional. Users without
        one get -1.
    seeds : SeedSelection (anything with ``seeds``) or an iterable of ids, optional.

    Returns
    -------
    dict
        ``score`` (float64), ``community`` (int64), ``seed`` (bool): only those given.

    Raises
    ------
    UnknownUserError
        When a table or mapping names users the graph does not have.
    ValueError
        When an array does not have one entry per user.
    """
    out = {}
    if scores is not None:
        out["score"] = _aligned(graph, scores, "score", np.float64, np.nan)
    if communities is not None:
        if hasattr(communities, "membership"):
            communities = np.asarray(communities.membership)
        out["community"] = _aligned(graph, communities, "community", np.int64, -1)
    if seeds is not None:
        ids = seeds.seeds if hasattr(seeds, "seeds") else seeds
        if hasattr(ids, "columns"):
            ids = ids["user"]
        flag = np.zeros(graph.n_nodes, dtype=bool)
        flag[graph.index([str(u) for u in ids])] = True
        out["seed"] = flag
    return out


def _aligned(graph, values, column, dtype, fill):
    if hasattr(values, "columns"):  # a DataFrame: user + the column
        if "user" not in values.columns or column not in values.columns:
            raise ValueError(f"a {column} table needs the columns 'user' and '{column}' "
                             f"(has {', '.join(map(str, values.columns))})")
        keys, vals = values["user"].astype(str).tolist(), values[column].to_numpy()
    elif isinstance(values, Mapping) or hasattr(values, "index") and hasattr(values, "to_dict"):
        d = dict(values.items()) if isinstance(values, Mapping) else values.to_dict()
        keys, vals = [str(k) for k in d], np.asarray(list(d.values()))
    else:
        arr = np.asarray(values)
        if arr.shape != (graph.n_nodes,):
            raise ValueError(f"{column} array has {arr.size} entries; the graph has "
                             f"{graph.n_nodes} users")
        return arr.astype(dtype)
    pos = graph.index(keys, missing="raise") if keys else np.zeros(0, dtype=np.int64)
    out = np.full(graph.n_nodes, fill, dtype=dtype)
    out[pos] = np.asarray(vals, dtype=dtype)
    return out


# ----------------------------------------------------------------------------- out
def to_pandas(graph, *, times: bool = True):
    """The merged edge table: ``source, target, weight``, ``n_<type>`` per type, and
    ``first_time, last_time`` (UTC timestamps, NaT without) when the graph has times.

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("a", "b", "share"), ("a", "b", "share"), ("b", "a", "follow")])
    >>> g.to_pandas().values.tolist()
    [['a', 'b', 2.0, 0, 2], ['b', 'a', 1.0, 1, 0]]
    """
    import pandas as pd

    df = pd.DataFrame({"source": graph.node_ids[graph.sources()],
                       "target": graph.node_ids[graph.indices],
                       "weight": np.asarray(graph.weight)})
    for i, t in enumerate(graph.types):
        df[f"n_{t}"] = np.asarray(graph.counts[:, i])
    times = edge_times(graph) if times else None
    if times is not None:
        df["first_time"] = pd.to_datetime(times[0], utc=True)
        df["last_time"] = pd.to_datetime(times[1], utc=True)
    return df


def _edge_attrs(graph, weighted: bool) -> dict:
    attrs = {}
    if weighted:
        attrs["weight"] = graph.weight.tolist()
    for i, t in enumerate(graph.types):
        attrs[f"n_{t}"] = graph.counts[:, i].tolist()
    times = edge_times(graph)
    if times is not None:
        attrs["first_time"] = _iso(times[0]).tolist()
        attrs["last_time"] = _iso(times[1]).tolist()
    return attrs


def to_networkx(graph, weighted: bool = True, *, scores=None, communities=None, seeds=None):
    """A ``networkx.DiGraph`` keyed by user id (see the module notes for the attributes).

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("a", "b", "share"), ("a", "b", "share"), ("b", "a", "follow")])
    >>> G = g.to_networkx(communities={"a": 0, "b": 1})
    >>> G.edges["a", "b"], G.nodes["b"]
    ({'weight': 2.0, 'n_follow': 0, 'n_share': 2}, {'community': 1})
    """
    import networkx as nx

    G = nx.DiGraph(**_graph_attrs(graph))
    ids = graph.node_ids.tolist()
    nodes = node_attributes(graph, scores=scores, communities=communities, seeds=seeds)
    if nodes:
        cols = {k: v.tolist() for k, v in nodes.items()}
        G.add_nodes_from((u, {k: cols[k][i] for k in cols}) for i, u in enumerate(ids))
    else:
        G.add_nodes_from(ids)
    attrs = _edge_attrs(graph, weighted)
    names = list(attrs)
    src = graph.sources().tolist()
    dst = graph.indices.tolist()
    G.add_edges_from(
        (ids[s], ids[t], {k: attrs[k][j] for k in names}) for j, (s, t) in enumerate(zip(src, dst))
    )
    return G


def to_igraph(graph, weighted: bool = True, directed: bool = True, *, scores=None,
              communities=None, seeds=None):
    """An ``igraph.Graph`` (``n`` passed, ids in the ``name`` vertex attribute; see the
    module notes for the attributes).

    Examples
    --------
    >>> import graphkit as gk
    >>> g = gk.SocialGraph.from_pairs([("a", "b", "share"), ("b", "a", "follow")])
    >>> h = g.to_igraph(seeds=["a"])
    >>> h.vs["name"], h.vs["seed"], h.es["n_share"]
    (['a', 'b'], [True, False], [1, 0])
    """
    from .._imports import igraph_graph

    h = igraph_graph(graph.n_nodes, graph.sources(), graph.indices, directed=directed)
    for k, v in _edge_attrs(graph, weighted).items():
        h.es[k] = v
    h.vs["name"] = graph.node_ids.tolist()
    for k, v in node_attributes(graph, scores=scores, communities=communities,
                                seeds=seeds).items():
        h.vs[k] = v.tolist()
    for k, v in _graph_attrs(graph).items():
        h[k] = v
    return h


def _graph_attrs(graph) -> dict:
    import json

    return {"types": json.dumps(list(graph.types), ensure_ascii=False),
            "type_weights": json.dumps({t: float(w) for t, w in zip(graph.types,
                                                                    graph.type_weights)},
                                       ensure_ascii=False)}


def _parse_graph_attrs(attrs: dict) -> tuple:
    """``(types, type_weights)`` from the graph attributes :func:`_graph_attrs` writes (JSON
    text, or lists/dicts set by hand); ``(None, {})`` when absent or unreadable."""
    import json

    types, tw = attrs.get("types"), attrs.get("type_weights")
    try:
        types = json.loads(types) if isinstance(types, str) else types
        tw = json.loads(tw) if isinstance(tw, str) else tw
    except ValueError:
        return None, {}
    if not isinstance(types, (list, tuple)):
        types = None
    return types, dict(tw) if isinstance(tw, dict) else {}


# ------------------------------------------------------------------------------ in
def from_pandas(df, source=None, target=None, type=None, weight=None, time=None, *,
                type_weights=None):
    """A graph from a DataFrame of interaction rows (one row per interaction).

    Columns are found like a file's header (``source``/``src``/``from``, ``target``/
    ``dst``/``to``, ``type``, ``weight``, ``timestamp``/``time``) or named by the
    arguments; values pass the file checks (:func:`graphkit.read_edges`).

    Examples
    --------
    >>> import pandas as pd
    >>> import graphkit as gk
    >>> df = pd.DataFrame({"who": ["a", "c", "a"], "whom": ["b", "b", "b"], "kind": ["share", "follow", "share"]})
    >>> g = gk.SocialGraph.from_pandas(df, source="who", target="whom", type="kind")
    >>> g.to_pandas().values.tolist()
    [['a', 'b', 2.0, 0, 2], ['c', 'b', 1.0, 1, 0]]
    """
    from ..io import read_edges
    from .social import SocialGraph

    if not (hasattr(df, "columns") and hasattr(df, "iloc")):
        raise TypeError(f"from_pandas takes a pandas DataFrame, not {df.__class__.__name__}")
    table = read_edges(df, source_col=source, target_col=target, type_col=type,
                       weight_col=weight, time_col=time, type_weights=type_weights)
    return SocialGraph.from_edges(table)


def _rows_from_counts(graph_types, counts_per_edge, weights, firsts, lasts, type_weights):
    """Interaction rows that merge back into edges with exactly these counts and weights:
    each edge's rows share one row weight w / sum(type weight x count); its first row
    carries the first time, the others the last."""
    rows_t, rows_w, rows_time, rows_edge = [], [], [], []
    tw = np.array([type_weights.get(t, 1.0) for t in graph_types], dtype=np.float64)
    for j, counts in enumerate(counts_per_edge):
        total = float(np.dot(tw, counts))
        w = weights[j]
        rw = 1.0 if w is None else (w / total if total > 0 else 0.0)
        k = 0
        for ti, c in enumerate(counts):
            for _ in range(int(c)):
                rows_t.append(ti)
                rows_w.append(rw)
                rows_time.append(firsts[j] if k == 0 else lasts[j])
                rows_edge.append(j)
                k += 1
    return rows_edge, rows_t, rows_w, rows_time


def _from_edge_list(node_ids, pairs, datas, *, weight, type, time, graph_attrs, directed):
    """Shared by from_networkx and from_igraph: ``pairs`` are (source pos, target pos),
    ``datas`` the edges' attribute dicts."""
    import pandas as pd

    from .social import SocialGraph

    types, type_weights = _parse_graph_attrs(graph_attrs)
    ours = types is not None and all(f"n_{t}" in d for d in datas for t in types)
    if ours:  # written by to_networkx/to_igraph: rebuild the counts exactly
        types = [str(t) for t in types]
        counts = [[int(d[f"n_{t}"]) for t in types] for d in datas]
        weights = [d.get(weight) if weight else None for d in datas]
        firsts = [d.get("first_time") or None for d in datas]
        lasts = [d.get("last_time") or None for d in datas]
        e, typ, rw, times = _rows_from_counts(types, counts, weights, firsts, lasts, type_weights)
        src = [pairs[j][0] for j in e]
        dst = [pairs[j][1] for j in e]
        row_weight = rw if weight else None
        has_time = any(t is not None for t in times)
    else:
        src = [p[0] for p in pairs]
        dst = [p[1] for p in pairs]
        labels = [str(d.get(type, "interaction")) if type else "interaction" for d in datas]
        types = sorted(set(labels)) or ["interaction"]
        code = {t: i for i, t in enumerate(types)}
        typ = [code[t] for t in labels]
        row_weight = None
        if weight and any(weight in d for d in datas):
            row_weight = [d.get(weight, 1.0) for d in datas]
            bad = [w for w in row_weight if not isinstance(w, (int, float, np.number))
                   or not np.isfinite(w) or w < 0]
            if bad:
                raise InputError(f"edge attribute {weight!r} {bad[0]!r} is not a finite "
                                 "number >= 0")
        times = [d.get(time) for d in datas] if time else []
        has_time = any(t is not None for t in times)
        if not directed:  # each undirected edge is both directions
            src, dst = src + dst, dst + src
            typ = typ + typ
            row_weight = row_weight + row_weight if row_weight is not None else None
            times = times + times
    loops = [i for i in range(len(src)) if src[i] == dst[i]]
    if loops:
        keep = np.ones(len(src), dtype=bool)
        keep[loops] = False
        pick = lambda xs: [x for x, k in zip(xs, keep) if k]  # noqa: E731
        src, dst, typ = pick(src), pick(dst), pick(typ)
        row_weight = pick(row_weight) if row_weight is not None else None
        times = pick(times) if has_time else times
    g = SocialGraph.from_arrays(
        np.asarray(src, dtype=np.int32), np.asarray(dst, dtype=np.int32),
        np.asarray(node_ids, dtype=object), edge_type=np.asarray(typ, dtype=np.int16),
        types=types, row_weight=None if row_weight is None else np.asarray(row_weight, float),
        type_weights=type_weights or None, stats={"self_loops_dropped": len(loops)},
    )
    if has_time:
        given = [t for t in times if t is not None]
        numeric = all(isinstance(t, (int, float, np.number)) and not isinstance(t, bool)
                      for t in given)
        try:  # numbers are unix seconds, like a file's time column
            stamps = (pd.to_datetime(pd.Series(times, dtype=float), unit="s", utc=True)
                      if numeric else
                      pd.to_datetime(pd.Series(times, dtype=object), utc=True, format="mixed"))
        except (ValueError, TypeError) as exc:
            raise InputError(f"edge attribute {time or 'first_time'!r}: {exc}") from None
        remember_times(g, np.asarray(src, dtype=np.int32), np.asarray(dst, dtype=np.int32),
                       stamps.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]"))
    return g


def from_networkx(G, *, weight: str | None = "weight", type: str | None = "type",
                  time: str | None = "time"):
    """A graph from a networkx graph; every node becomes a user (``str`` of the node).

    A ``DiGraph`` edge u -> v is one interaction "u acted on v"; each edge of a
    ``MultiDiGraph`` is one interaction; an undirected graph's edge is both directions.
    ``weight``, ``type`` and ``time`` name the edge attributes read (None: ignore).
    A graph written by :func:`to_networkx` comes back with the same counts, weights and
    first/last times. Self-loops are dropped.

    Examples
    --------
    >>> import networkx as nx
    >>> import graphkit as gk
    >>> G = nx.MultiDiGraph([("a", "b", {"type": "share"}), ("a", "b", {"type": "share"}), ("c", "a")])
    >>> g = gk.SocialGraph.from_networkx(G)
    >>> g.to_pandas().values.tolist()
    [['a', 'b', 2.0, 0, 2], ['c', 'a', 1.0, 1, 0]]
    """
    node_ids = [str(u) for u in G.nodes]
    if len(set(node_ids)) != len(node_ids):
        raise InputError("two nodes have the same id as text (e.g. 1 and '1')")
    pos = {u: i for i, u in enumerate(G.nodes)}
    if G.is_multigraph():
        items = list(G.edges(keys=False, data=True))
    else:
        items = list(G.edges(data=True))
    pairs = [(pos[u], pos[v]) for u, v, _ in items]
    datas = [d for _, _, d in items]
    return _from_edge_list(node_ids, pairs, datas, weight=weight, type=type, time=time,
                           graph_attrs=dict(G.graph), directed=G.is_directed())


def from_igraph(h, *, weight: str | None = "weight", type: str | None = "type",
                time: str | None = "time"):
    """A graph from an ``igraph.Graph``: user ids from the ``name`` vertex attribute (else
    the vertex index); the rest as :func:`from_networkx`.

    Examples
    --------
    >>> import igraph as ig
    >>> import graphkit as gk
    >>> h = ig.Graph(n=3, edges=[(0, 1), (2, 1)], directed=True)
    >>> gk.SocialGraph.from_igraph(h).in_degree().tolist()
    [0, 2, 0]
    """
    attrs = set(h.vs.attributes())
    node_ids = ([str(x) for x in h.vs["name"]] if "name" in attrs
                else [str(i) for i in range(h.vcount())])
    if len(set(node_ids)) != len(node_ids):
        raise InputError("two vertices have the same name")
    names = h.es.attributes()
    datas = [{k: e[k] for k in names if e[k] is not None} for e in h.es]
    pairs = [e.tuple for e in h.es]
    graph_attrs = {k: h[k] for k in h.attributes()}
    return _from_edge_list(node_ids, pairs, datas, weight=weight, type=type, time=time,
                           graph_attrs=graph_attrs, directed=h.is_directed())
