"""Public access to the readers' sniffing rules, for engines that read the rows themselves
(the Spark engine reads with Spark, but must map columns, detect layouts and number users
exactly like :func:`graphkit.io.read_edges`)."""

from __future__ import annotations

from ._columns import CANDIDATES, resolve_columns
from ._formats import JSON_EXT, base_ext, compression_of, detect_format, looks_binary, read_head
from ._ids import map_ids
from ._text import TextLayout, is_comment, text_layout
from .edges import per_file_labels

__all__ = ["CANDIDATES", "JSON_EXT", "TextLayout", "base_ext", "compression_of",
           "detect_format", "looks_binary", "read_head", "resolve_columns", "text_layout",
           "is_comment", "per_file_labels", "map_ids"]
