"""Every reader of user files and every writer of results.

Readers (each validates at the edge: one-line :class:`~graphkit.errors.InputError` naming
the file and line):

* :func:`read_edges` -- interaction logs (CSV, TSV, SNAP-style edge lists, Parquet, JSON
  Lines; ``.gz``/``.bz2``) -> :class:`EdgeTable`.
* :func:`read_actions` -- action logs (who shared which item when) -> :class:`ActionLog`.
* :func:`read_items` -- item-level logs (one row per video / post: views, likes, ...).
* :func:`read_membership`, :func:`read_id_list`, :func:`read_costs`, :func:`read_learned`,
  :func:`read_user_table` -- the small side files (memberships, seed/target lists, costs,
  learned probabilities).

Writers: :func:`write_table` (CSV/TSV/JSON/JSONL/Parquet/TXT by extension, atomically),
:func:`write_gexf`, :func:`write_graphml`, :func:`write_neo4j` (graph files, ``exchange``),
:func:`atomic_path`, :func:`atomic_open`, :func:`to_jsonable`, :func:`format_of`.

Private modules: ``_formats`` (compression, format sniffing), ``_text`` (delimited text),
``_columns`` (the one table of column names and the headerless role guesses), ``_values``
(ids, weights, timestamps with their file lines and units), ``_edgefile`` (one edge file
read into columns), ``_rows`` (time windows, the one-way check), ``_ids`` (ids -> int32
codes), ``_kernels`` (numba id parsing).
"""

from .._imports import lazy_attributes
from .edges import (
    DEFAULT_TYPE,
    EdgeTable,
    FileReport,
    LoadReport,
    parse_type_weights,
    parse_window,
    read_edges,
)
from .writers import (
    FORMATS,
    atomic_open,
    atomic_path,
    format_of,
    to_jsonable,
    write_table,
    write_text,
)

# imported on first use: ``graphkit info`` and ``graphkit rank`` need none of them
_LAZY = {
    "read_actions": "actions", "ActionLog": "actions", "ACTION_FORMS": "actions",
    "write_gexf": "exchange", "write_graphml": "exchange", "write_neo4j": "exchange",
    "read_items": "items", "ITEM_COLUMNS": "items", "COUNT_COLUMNS": "items",
    "read_costs": "tables", "read_id_list": "tables", "read_learned": "tables",
    "read_membership": "tables", "read_user_table": "tables",
}


__getattr__ = lazy_attributes(__name__, _LAZY, globals())


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "read_edges", "EdgeTable", "LoadReport", "FileReport", "parse_type_weights", "parse_window",
    "DEFAULT_TYPE",
    "read_actions", "ActionLog", "ACTION_FORMS",
    "read_items", "ITEM_COLUMNS", "COUNT_COLUMNS",
    "read_membership", "read_id_list", "read_costs", "read_learned", "read_user_table",
    "write_table", "write_text", "write_gexf", "write_graphml", "write_neo4j", "atomic_path", "atomic_open", "to_jsonable", "format_of", "FORMATS",
]
