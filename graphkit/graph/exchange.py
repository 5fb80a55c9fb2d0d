"""Write a graph with its attributes to a file another tool opens: GEXF (Gephi, with a
timeline), GraphML, an edge table (CSV/TSV/Parquet/JSON Lines/JSON), or the CSV pair of
``neo4j-admin database import``. The serializers live in :mod:`graphkit.io.exchange`;
this module lays the graph out as their arrays.
"""

from __future__ import annotations

import os

import numpy as np

from .convert import _iso, edge_times, node_attributes, to_pandas

__all__ = ["write_graph", "EXPORT_FORMATS", "export_format"]

#: What :func:`write_graph` writes, by ``format=`` name.
EXPORT_FORMATS = ("gexf", "graphml", "csv", "tsv", "parquet", "jsonl", "json", "neo4j")


def export_format(path, format: str | None = None) -> str:
    """The format for ``path``: ``format`` when given, else from the extension.

    Raises ``ValueError`` naming the choices when neither tells.
    """
    if format is not None:
        if format not in EXPORT_FORMATS:
            raise ValueError(f"unknown format {format!r}; choose one of: {', '.join(EXPORT_FORMATS)}")
        return format
    ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if ext in EXPORT_FORMATS and ext != "neo4j":
        return ext
    raise ValueError(f"cannot tell the export format of {os.fspath(path)!r}: use a .gexf, "
                     ".graphml, .csv, .tsv, .parquet, .jsonl or .json file, or format='neo4j' "
                     "with a directory")


def write_graph(graph, path, format: str | None = None, *, scores=None, communities=None,
                seeds=None, timeline: bool = True) -> list[str]:
    """Write ``graph`` with node and edge attributes; returns the paths written.

    Parameters
    ----------
    graph : SocialGraph
    path : str
        The file (``.gexf``, ``.graphml``, ``.csv``, ``.tsv``, ``.parquet``, ``.jsonl``,
        ``.json``), or the directory for ``format="neo4j"``.
    format : str, optional
        One of :data:`EXPORT_FORMATS`; from the extension when omitted.
    scores, communities, seeds : optional
        Node attributes ``score``, ``community``, ``seed`` (what
        :func:`graphkit.graph.convert.node_attributes` accepts).
    timeline : bool
        GEXF only: edge ``start``/``end`` from the first and last interaction, for
        Gephi's timeline (default True when the graph has times).

    Notes
    -----
    Edges carry ``weight``, ``n_<type>`` (interactions of each type) and, when the graph
    has times, ``first_time``/``last_time`` (ISO 8601 UTC). An edge table (CSV, ...) holds
    the edges only; node attributes then go to a second file beside it,
    ``<name>.nodes<ext>`` (``user`` and the attributes).

    Examples
    --------
    >>> import os, tempfile
    >>> import networkx as nx
    >>> import graphkit as gk
    >>> from graphkit.graph import write_graph
    >>> g = gk.SocialGraph.from_pairs([("a", "b", "share"), ("c", "b", "follow")])
    >>> path = os.path.join(tempfile.mkdtemp(), "g.graphml")
    >>> write_graph(g, path, seeds=["b"]) == [path]
    True
    >>> G = nx.read_graphml(path)
    >>> G.nodes["b"], G.edges["a", "b"]
    ({'seed': True}, {'weight': 1.0, 'n_follow': 0, 'n_share': 1})
    """
    from ..io import exchange, write_table

    fmt = export_format(path, format)
    nodes = node_attributes(graph, scores=scores, communities=communities, seeds=seeds)
    times = edge_times(graph)
    iso = None if times is None else (_iso(times[0]), _iso(times[1]))
    if fmt in ("gexf", "graphml"):
        edge_attrs = {"weight": np.asarray(graph.weight)}
        for i, t in enumerate(graph.types):
            edge_attrs[f"n_{t}"] = np.asarray(graph.counts[:, i])
        src, dst = graph.sources(), graph.indices
        if fmt == "gexf":
            exchange.write_gexf(path, graph.node_ids, nodes, src, dst, edge_attrs, times=iso,
                                timeline=timeline)
        else:
            exchange.write_graphml(path, graph.node_ids, nodes, src, dst, edge_attrs, times=iso)
        return [os.fspath(path)]
    if fmt == "neo4j":
        return list(exchange.write_neo4j(path, graph.node_ids, nodes, graph.sources(),
                                         graph.indices, graph.types, graph.counts, graph.weight,
                                         times=iso))
    import pandas as pd

    edges = to_pandas(graph)
    if times is not None:  # ISO text, like the other formats (a CSV keeps it readable)
        edges["first_time"], edges["last_time"] = iso
    written = [os.fspath(path)]
    if nodes:
        stem, ext = os.path.splitext(os.fspath(path))
        node_path = f"{stem}.nodes{ext}"
        write_table(pd.DataFrame({"user": graph.node_ids, **nodes}), node_path, neutralize=False)
        written.append(node_path)
    write_table(edges, path, neutralize=False)  # data for other tools: cells as they are
    return written
