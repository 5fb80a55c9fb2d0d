"""Graph files other tools read: GEXF (Gephi), GraphML (yEd, Cytoscape, networkx, igraph)
and the two CSV files of ``neo4j-admin database import``.

The writers take arrays, not a graph (io sits below graph): the user ids, per-user
attribute arrays, the edges as (source position, target position) with per-edge attribute
arrays, and optionally each edge's first and last time as ISO 8601 text. Every file is
written whole under a temporary name and renamed into place (:func:`atomic_path`).

XML 1.0 cannot hold most control characters (U+0000-U+0008, U+000B, U+000C,
U+000E-U+001F, U+FFFE, U+FFFF, lone surrogates), not even escaped: an id or type with one
is refused with :class:`~graphkit.errors.InputError` naming it, before anything is
written. Quotes, ``<``, ``&``, tabs, newlines and emoji are escaped and come back intact.
"""

from __future__ import annotations

import csv
import math
import os
import re
from contextlib import ExitStack

import numpy as np

from ..errors import InputError
from .writers import atomic_path

__all__ = ["write_gexf", "write_graphml", "write_neo4j", "check_xml_text", "GRAPH_FORMATS"]

#: Graph file formats by extension (``neo4j`` is a directory, chosen by name).
GRAPH_FORMATS = {".gexf": "gexf", ".graphml": "graphml"}

_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;",
            "\n": "&#10;", "\r": "&#13;"}
_NEEDS = re.compile('[&<>"\t\n\r]')

_GEXF_TYPES = {"f": "double", "i": "long", "u": "long", "b": "boolean", "O": "string",
               "U": "string"}
_GRAPHML_TYPES = {"f": "double", "i": "long", "u": "long", "b": "boolean", "O": "string",
                  "U": "string"}


def check_xml_text(values, what: str, path=None) -> None:
    """Raise :class:`InputError` (naming ``path``) for the first value XML cannot hold."""
    for v in values:
        m = _BAD_XML.search(v)
        if m:
            raise InputError(
                f"{what} {v!r} contains the control character U+{ord(m.group()):04X}, which "
                "GEXF/GraphML (XML 1.0) cannot hold; export to .csv or .parquet instead", path)


def _attr(v: str) -> str:
    """Escape for a double-quoted XML attribute (tabs and newlines kept as references)."""
    return _NEEDS.sub(lambda m: _ESCAPES[m.group()], v)


def _text_values(arr: np.ndarray) -> list:
    """Each value as XML text: doubles in full precision (NaN as NaN), booleans lower-case."""
    kind = arr.dtype.kind
    if kind == "f":
        return [repr(float(x)) if math.isfinite(x) else ("NaN" if x != x else
                ("INF" if x > 0 else "-INF")) for x in arr.tolist()]
    if kind == "b":
        return ["true" if x else "false" for x in arr.tolist()]
    if kind in "iu":
        return [str(x) for x in arr.tolist()]
    return [_attr(str(x)) for x in arr.tolist()]


def _prepare(path, node_ids, node_attrs, edge_attrs, times):
    ids = [str(u) for u in node_ids]
    path = os.fspath(path)
    check_xml_text(ids, "user id", path)
    check_xml_text(list(node_attrs) + list(edge_attrs), "attribute name", path)
    for name, arr in list(node_attrs.items()) + list(edge_attrs.items()):
        if np.asarray(arr).dtype.kind in "OU":
            check_xml_text([str(x) for x in arr], f"{name} value", path)
    esc = [_attr(u) for u in ids]
    nodes = {k: _text_values(np.asarray(v)) for k, v in node_attrs.items()}
    edges = {k: _text_values(np.asarray(v)) for k, v in edge_attrs.items()}
    if times is not None:
        edges["first_time"] = [str(x) for x in times[0]]
        edges["last_time"] = [str(x) for x in times[1]]
    return ids, esc, nodes, edges


def write_gexf(path, node_ids, node_attrs: dict, sources, targets, edge_attrs: dict, *,
               times=None, timeline: bool = True, directed: bool = True) -> str:
    """Write a GEXF 1.2 file (what Gephi and networkx's ``read_gexf`` read).

    Parameters
    ----------
    path : str
    node_ids : sequence of str
        One id per user; each becomes a node's ``id`` and ``label``.
    node_attrs : dict of str to array
        Per-user attributes (float -> double, int -> long, bool -> boolean, else string).
    sources, targets : array of int
        Positions in ``node_ids`` of each edge's ends.
    edge_attrs : dict of str to array
        Per-edge attributes; ``weight`` becomes the edge's GEXF ``weight``.
    times : (array of str, array of str), optional
        Each edge's first and last time (ISO 8601, '' when unknown): the string attributes
        ``first_time``/``last_time`` and, with ``timeline``, the edge's ``start``/``end``
        (``mode="dynamic"``, ``timeformat="dateTime"``) for Gephi's timeline.
    timeline : bool
        Write ``start``/``end`` (networkx 3.6's ``read_gexf`` does not know
        ``timeformat="dateTime"``: write without a timeline for it).
    """
    ids, esc, nodes, edges = _prepare(path, node_ids, node_attrs, edge_attrs, times)
    weight = edges.pop("weight", None)
    dynamic = times is not None and timeline
    src, dst = np.asarray(sources).tolist(), np.asarray(targets).tolist()
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        w = fh.write
        w('<?xml version="1.0" encoding="UTF-8"?>\n')
        w('<gexf xmlns="http://www.gexf.net/1.2draft" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          'xsi:schemaLocation="http://www.gexf.net/1.2draft '
          'http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n')
        w('  <meta><creator>graphkit</creator></meta>\n')
        mode = ' mode="dynamic" timeformat="dateTime"' if dynamic else ' mode="static"'
        w(f'  <graph defaultedgetype="{"directed" if directed else "undirected"}"{mode}>\n')
        for cls, attrs, source in (("node", nodes, node_attrs), ("edge", edges, edge_attrs)):
            if not attrs:
                continue
            w(f'    <attributes class="{cls}">\n')
            for i, name in enumerate(attrs):
                kind = np.asarray(source[name]).dtype.kind if name in source else "O"
                w(f'      <attribute id="{i}" title="{_attr(name)}" '
                  f'type="{_GEXF_TYPES.get(kind, "string")}"/>\n')
            w('    </attributes>\n')
        node_cols = list(nodes.items())
        w('    <nodes>\n')
        for i, e in enumerate(esc):
            if node_cols:
                vals = "".join(f'<attvalue for="{k}" value="{col[i]}"/>'
                               for k, (_, col) in enumerate(node_cols))
                w(f'      <node id="{e}" label="{e}"><attvalues>{vals}</attvalues></node>\n')
            else:
                w(f'      <node id="{e}" label="{e}"/>\n')
        w('    </nodes>\n    <edges>\n')
        edge_cols = list(edges.items())
        for j in range(len(src)):
            extra = f' weight="{weight[j]}"' if weight is not None else ""
            if dynamic:
                if times[0][j]:
                    extra += f' start="{times[0][j]}"'
                if times[1][j]:
                    extra += f' end="{times[1][j]}"'
            vals = "".join(f'<attvalue for="{k}" value="{col[j]}"/>'
                           for k, (_, col) in enumerate(edge_cols) if col[j] != "")
            body = f"><attvalues>{vals}</attvalues></edge>" if vals else "/>"
            w(f'      <edge id="{j}" source="{esc[src[j]]}" target="{esc[dst[j]]}"{extra}{body}\n')
        w('    </edges>\n  </graph>\n</gexf>\n')
    return os.fspath(path)


def write_graphml(path, node_ids, node_attrs: dict, sources, targets, edge_attrs: dict, *,
                  times=None, directed: bool = True) -> str:
    """Write a GraphML file (networkx ``read_graphml``, igraph, yEd, Cytoscape, Gephi).

    Arguments as :func:`write_gexf`; ``first_time``/``last_time`` are string keys, omitted
    on an edge without them.
    """
    ids, esc, nodes, edges = _prepare(path, node_ids, node_attrs, edge_attrs, times)
    src, dst = np.asarray(sources).tolist(), np.asarray(targets).tolist()
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        w = fh.write
        w('<?xml version="1.0" encoding="UTF-8"?>\n')
        w('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
          'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        keys = {}
        for cls, attrs, source in (("node", nodes, node_attrs), ("edge", edges, edge_attrs)):
            for name in attrs:
                kind = np.asarray(source[name]).dtype.kind if name in source else "O"
                key = f"d{len(keys)}"
                keys[(cls, name)] = key
                w(f'  <key id="{key}" for="{cls}" attr.name="{_attr(name)}" '
                  f'attr.type="{_GRAPHML_TYPES.get(kind, "string")}"/>\n')
        w(f'  <graph id="G" edgedefault="{"directed" if directed else "undirected"}">\n')
        node_cols = [(keys[("node", k)], col) for k, col in nodes.items()]
        for i, e in enumerate(esc):
            vals = "".join(f'<data key="{k}">{col[i]}</data>' for k, col in node_cols)
            w(f'    <node id="{e}">{vals}</node>\n' if vals else f'    <node id="{e}"/>\n')
        edge_cols = [(keys[("edge", k)], col) for k, col in edges.items()]
        for j in range(len(src)):
            vals = "".join(f'<data key="{k}">{col[j]}</data>' for k, col in edge_cols
                           if col[j] != "")
            w(f'    <edge source="{esc[src[j]]}" target="{esc[dst[j]]}">{vals}</edge>\n')
        w('  </graph>\n</graphml>\n')
    return os.fspath(path)


_NEO4J_TYPES = {"f": "double", "i": "long", "u": "long", "b": "boolean"}


def write_neo4j(directory, node_ids, node_attrs: dict, sources, targets, types, counts,
                weight, *, times=None, label: str = "User") -> tuple[str, str]:
    """Write ``nodes.csv`` and ``relationships.csv`` for ``neo4j-admin database import``.

    ``nodes.csv``: ``userId:ID,:LABEL`` and one typed column per attribute
    (``score:double``, ``community:long``, ``seed:boolean``). ``relationships.csv``: one
    row per (source, target, type) with interactions: ``:START_ID,:END_ID,:TYPE,
    count:long,weight:double`` (``weight``: the pair's merged weight over all types), and
    ``first_time:datetime,last_time:datetime`` (the pair's) when ``times`` are given.
    Both files are written under temporary names and renamed together at the end; the
    directory is created when its parent exists. Ids with a newline need
    ``--multiline-fields=true`` on import.

    Returns the two paths.
    """
    directory = os.fspath(directory)
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise InputError("is a file; the neo4j format writes two files into a directory",
                         directory)
    if not os.path.isdir(directory):
        parent = os.path.dirname(os.path.abspath(directory))
        if not os.path.isdir(parent):
            raise InputError("output directory does not exist", parent)
        os.mkdir(directory)
    ids = [str(u) for u in node_ids]
    nodes_path = os.path.join(directory, "nodes.csv")
    rels_path = os.path.join(directory, "relationships.csv")
    counts = np.asarray(counts)
    src, dst = np.asarray(sources), np.asarray(targets)
    wt = np.asarray(weight, dtype=np.float64)
    with ExitStack() as stack:
        tmp_nodes = stack.enter_context(atomic_path(nodes_path))
        tmp_rels = stack.enter_context(atomic_path(rels_path))
        with open(tmp_nodes, "w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            cols = [(k, np.asarray(v)) for k, v in node_attrs.items()]
            out.writerow(["userId:ID", ":LABEL"] +
                         [f"{k}:{_NEO4J_TYPES.get(v.dtype.kind, 'string')}" for k, v in cols])
            lists = [_neo4j_values(v) for _, v in cols]
            for i, u in enumerate(ids):
                out.writerow([u, label] + [col[i] for col in lists])
        with open(tmp_rels, "w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            head = [":START_ID", ":END_ID", ":TYPE", "count:long", "weight:double"]
            if times is not None:
                head += ["first_time:datetime", "last_time:datetime"]
            out.writerow(head)
            edge, typ = np.nonzero(counts)  # row-major: by edge, then type
            w_text = _neo4j_values(wt)
            for e, t in zip(edge.tolist(), typ.tolist()):
                row = [ids[src[e]], ids[dst[e]], types[t], int(counts[e, t]), w_text[e]]
                if times is not None:
                    row += [times[0][e], times[1][e]]
                out.writerow(row)
    return nodes_path, rels_path


def _neo4j_values(arr: np.ndarray) -> list:
    if arr.dtype.kind == "b":
        return ["true" if x else "false" for x in arr.tolist()]
    if arr.dtype.kind == "f":
        return ["" if x != x else repr(float(x)) for x in arr.tolist()]  # NaN: no value
    return arr.tolist()
