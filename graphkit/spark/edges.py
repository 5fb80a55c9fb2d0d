"""Reading interaction files with Spark, with the local reader's rules.

The layout of each file (format, delimiter, header, columns) is sniffed on the driver
from the file's first bytes with the very functions :func:`graphkit.io.read_edges` uses;
the rows are then read and validated by Spark, so any path Spark reads works (local,
``hdfs://``, ``s3a://``, ``.gz``/``.bz2``). Ids stay strings exactly as written.

Spark does not know line numbers; a bad row is reported with its file and its text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import EmptyGraphError, InputError
from ..io import DEFAULT_TYPE
from ..io.sniff import (
    base_ext,
    compression_of,
    detect_format,
    looks_binary,
    per_file_labels,
    read_head,
    resolve_columns,
    text_layout,
)
from .session import lost_jvm

__all__ = ["read_edges", "SparkEdges", "is_remote"]


@dataclass(frozen=True, eq=False)
class SparkEdges:
    """Validated interaction rows on the cluster.

    ``frame`` has the canonical columns ``source`` (string), ``target`` (string),
    ``type`` (string) and ``weight`` (double: the row weight, 1 when the files have no
    weight column); self-loops are dropped (``self_loops`` counts them) but their users
    are kept in ``users``, as locally.
    """

    frame: object  # pyspark DataFrame: source, target, type, weight
    users: object  # pyspark DataFrame: user (every id seen, self-loop users included)
    types: tuple
    type_weights: dict
    rows: int
    self_loops: int
    paths: tuple
    weighted_rows: bool

    def weighted(self):
        """``frame`` with ``weight`` multiplied by the type weights (types not named: 1)."""
        from pyspark.sql import functions as F

        w = F.lit(1.0)
        for t, tw in sorted(self.type_weights.items()):
            w = F.when(F.col("type") == F.lit(t), F.lit(float(tw))).otherwise(w)
        return self.frame.withColumn("weight", F.col("weight") * w)


def is_remote(path: str) -> bool:
    """A URL Spark reads (``hdfs://``, ``s3a://``, ``gs://``...), not a local file."""
    scheme, sep, _ = str(path).partition("://")
    return bool(sep) and scheme.lower() != "file" and len(scheme) > 1


def read_edges(spark, paths, *, source_col: str | None = None, target_col: str | None = None,
               type_col: str | None = None, weight_col: str | None = None,
               type_label=None, type_weights: dict | None = None,
               header: bool | None = None) -> SparkEdges:
    """Read interaction files into Spark DataFrames, like :func:`graphkit.io.read_edges`.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
    paths : str or sequence of str
        CSV, TSV, whitespace (SNAP) edge lists, Parquet or JSON Lines; local paths or any
        URL Spark reads; text may be ``.gz``/``.bz2``.
    source_col, target_col, type_col, weight_col, type_label, type_weights, header
        As in :func:`graphkit.io.read_edges` (column names, or 1-based positions for
        headerless text).

    Returns
    -------
    SparkEdges

    Raises
    ------
    InputError
        A missing/empty/binary file, an unknown column, an empty id or type, a weight
        that is not a finite number >= 0, a row with too few fields (the message quotes
        the row: Spark knows no line numbers).

    Examples
    --------
    >>> edges = read_edges(spark, "data/example.csv")  # doctest: +SKIP
    >>> edges.rows, edges.types  # doctest: +SKIP
    (32, ('comment', 'follow', 'share'))
    """
    from functools import reduce

    from pyspark.sql import functions as F

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    if not paths:
        raise InputError("no input files given")
    labels = per_file_labels(type_label, len(paths))
    options = {"source": source_col, "target": target_col, "type": type_col,
               "weight": weight_col, "timestamp": None}
    named = {str(v) for v in options.values() if v is not None}
    frames, has_weight = [], False
    for i, (path, label) in enumerate(zip(paths, labels)):
        df, w = _read_one(spark, path, label, options, header, named)
        has_weight |= w
        frames.append(df.withColumn("_file", F.lit(i)))
    rows = reduce(lambda a, b: a.unionByName(b), frames)
    bad = _bad_row_condition()
    # one pass parses, validates and caches the four canonical columns (and a bad-row
    # flag); the diagnostics (the raw line, the raw weight) are recomputed from the
    # files only when a row is bad
    kept = rows.select("source", "target", "type", "weight", bad.alias("_bad")).persist()
    stats = kept.agg(
        F.count(F.lit(1)).alias("rows"),
        F.sum(F.col("_bad").cast("long")).alias("bad"),
        F.sum((F.col("source") == F.col("target")).cast("long")).alias("loops"),
        F.collect_set("type").alias("types"),
    ).collect()[0]
    if stats["bad"]:
        kept.unpersist()
        _raise_first_bad(rows.where(bad).limit(1).collect()[0], paths)
    rows = kept
    n_rows, loops = int(stats["rows"] or 0), int(stats["loops"] or 0)
    if n_rows - loops == 0:
        raise EmptyGraphError(
            "no edges left after dropping self-loops" if n_rows else "no data rows",
            paths[0] if len(paths) == 1 else None)
    users = (rows.select(F.col("source").alias("user"))
             .union(rows.select(F.col("target").alias("user"))).distinct())
    frame = rows.where(F.col("source") != F.col("target")).select(
        "source", "target", "type", "weight")
    types = tuple(sorted(stats["types"]))
    return SparkEdges(frame, users, types, dict(type_weights or {}), n_rows, loops,
                      tuple(paths), has_weight)


def _bad_row_condition():
    from pyspark.sql import functions as F

    def empty(c):
        return F.col(c).isNull() | (F.length(F.col(c)) == 0)

    return (empty("source") | empty("target") | empty("type") | F.col("weight").isNull()
            | F.isnan(F.col("weight")) | (F.col("weight") < 0)
            | (F.abs(F.col("weight")) == F.lit(float("inf"))) | F.col("_extra").isNotNull())


def _raise_first_bad(row, paths):
    path = paths[row["_file"]]
    where = f" (row {row['_raw']!r})" if row["_raw"] is not None else ""
    if row["_extra"] is not None:
        raise InputError(f"row has more fields than the header{where}", path)
    for role in ("source", "target", "type"):
        if row[role] is None or row[role] == "":
            if row["_short"]:
                raise InputError(f"row has too few fields{where}", path)
            raise InputError(f"{role} is empty{where}", path)
    raw_w = row["_rawweight"]
    if raw_w is None or str(raw_w).strip() == "":
        raise InputError(f"weight is empty{where}", path)
    w = row["weight"]
    if w is not None and w == w and abs(w) != float("inf") and w < 0:
        raise InputError(f"weight {w:g} is negative{where}", path)
    raise InputError(f"weight {raw_w!r} is not a finite number{where}", path)


def _head(spark, path) -> bytes:
    if not is_remote(path):
        if not os.path.exists(path):
            raise InputError("no such file", path)
        if os.path.isdir(path):
            raise InputError("is a directory, not an edge file", path)
        if os.path.getsize(path) == 0:
            raise InputError("file is empty", path)
        return read_head(path)
    if base_ext(path) in (".parquet", ".pq"):
        return b"PAR1"
    try:
        lines = [r[0] for r in spark.read.text(path).limit(200).collect()]
    except Exception as exc:  # noqa: BLE001 - Spark's AnalysisException for a missing path
        if lost_jvm(exc):  # a JVM that died while reading is not a bad file
            raise
        raise InputError(f"cannot read ({str(exc).splitlines()[0][:200]})", path) from None
    return "\n".join(lines).encode("utf-8")


def _read_one(spark, path, label, options, header, named):
    from pyspark.sql import functions as F

    head = _head(spark, path)
    if not head.strip():
        raise InputError("file is empty", path)
    fmt = detect_format(path, head)
    if fmt == "parquet":
        if compression_of(path):
            raise InputError("compressed Parquet files are not supported; Parquet compresses "
                             "internally", path)
        df = _spark_read(spark.read.parquet, path)
        return _from_columns(df, path, label, options, raw=None)
    if looks_binary(head):
        raise InputError("binary data, not a text edge list", path)
    if fmt == "jsonl":
        df = _spark_read(spark.read.option("mode", "FAILFAST").json, path)
        if "_corrupt_record" in df.columns:
            raise InputError("not valid JSON Lines", path)
        return _from_columns(df, path, label, options, raw=None)
    layout = text_layout(path, head, header, named)
    cols = resolve_columns(path, layout.names, layout.header, options, layout.first_row)
    lines = _spark_read(spark.read.text, path)
    value = F.regexp_replace(F.col("value"), "^\ufeff", "")
    note = F.col("_raw").rlike(r"^\s*[#%]")
    if layout.delimiter == ",":  # '#ai,bob' is data in a CSV: a note has no comma
        note = note & ~F.col("_raw").contains(",")
    lines = lines.select(value.alias("_raw")).where(~F.col("_raw").rlike(r"^\s*$") & ~note)
    if layout.header:
        header_line = _header_line(head, layout)
        lines = lines.where(F.col("_raw") != F.lit(header_line))
    k = len(layout.names)
    if layout.delimiter == ",":
        schema = ", ".join(f"`c{i}` STRING" for i in range(k + 1))
        parsed = F.from_csv(F.col("_raw"), schema, {"sep": ",", "quote": '"', "escape": '"',
                                                    "nullValue": "\u0000\u0001",
                                                    "mode": "PERMISSIVE"})
        # fields are counted outside quotes; a field present but empty reads as ""
        n_fields = F.size(F.split(F.regexp_replace(F.col("_raw"), '"[^"]*"', ""), ",", -1))
        fields = [F.coalesce(parsed.getField(f"c{i}"), F.lit("")) for i in range(k)]
    else:
        if layout.delimiter == "\t":
            # a run of tabs (blanks around it) is one separator; blanks at the ends go
            arr = F.split(F.regexp_replace(F.col("_raw"), r"^[ \t\r]+|[ \t\r]+$", ""),
                          r"[ \t]*\t[ \t]*", -1)
        else:
            arr = F.split(F.regexp_replace(F.col("_raw"), r"^\s+|\s+$", ""), r"\s+", -1)
        fields = [F.get(arr, i) for i in range(k)]
        n_fields = F.size(arr)
    frame = lines.select("_raw", *[f.alias(f"_f{i}") for i, f in enumerate(fields)],
                         n_fields.alias("_n"))
    renamed = {name: f"_f{i}" for i, name in enumerate(layout.names)}
    frame = frame.withColumn("_short", F.col("_n") < F.lit(k))
    frame = frame.withColumn("_extra", F.when(F.col("_n") > F.lit(k), F.col("_raw")))
    return _canonical(frame, path, label, {r: (renamed[c] if c else None)
                                           for r, c in cols.items()}, text=True)


def _header_line(head: bytes, layout) -> str:
    text = head.decode("utf-8", "replace").removeprefix("\ufeff")
    lines = text.splitlines()
    return lines[layout.skip_lines]


def _spark_read(reader, path):
    try:
        return reader(path)
    except Exception as exc:  # noqa: BLE001 - AnalysisException: path missing, bad file
        if lost_jvm(exc):  # a JVM that died while reading is not a bad file
            raise
        msg = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read ({msg})", path) from None


def _from_columns(df, path, label, options, raw):
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    names = list(df.columns)
    cols = resolve_columns(path, names, True, options, [])
    for role in ("source", "target"):
        t = df.schema[cols[role]].dataType
        if not isinstance(t, (T.StringType, T.IntegerType, T.LongType, T.ShortType,
                              T.ByteType)):
            raise InputError(f"{role} column has type {t.simpleString()}; ids must be strings "
                             "or integers", path)
    frame = df.select(*[F.col(f"`{c}`").alias(f"_c_{c}") for c in names if c in cols.values()])
    frame = frame.withColumn("_raw", F.lit(None).cast("string"))
    frame = frame.withColumn("_short", F.lit(False)).withColumn(
        "_extra", F.lit(None).cast("string"))
    return _canonical(frame, path, label, {r: (f"_c_{c}" if c else None)
                                           for r, c in cols.items()}, text=False)


def _canonical(frame, path, label, cols, text):
    """Select ``source, target, type, weight`` (+ diagnostics) from columns named in cols."""
    from pyspark.sql import functions as F

    src = F.col(cols["source"]).cast("string")
    dst = F.col(cols["target"]).cast("string")
    if cols["type"] is not None:
        if label is not None:
            raise InputError("has a type column; --type labels only files without one", path)
        typ = F.col(cols["type"]).cast("string")
    else:
        typ = F.lit(label if label is not None else DEFAULT_TYPE)
    if cols["weight"] is not None:
        rawweight = F.col(cols["weight"]).cast("string")
        weight = F.expr(f"try_cast(`{cols['weight']}` AS DOUBLE)")
        if text:  # numeric text with surrounding blanks is a number, as with pandas
            weight = F.expr(f"try_cast(trim(`{cols['weight']}`) AS DOUBLE)")
    else:
        rawweight = F.lit("1")
        weight = F.lit(1.0)
    out = frame.select(src.alias("source"), dst.alias("target"), typ.alias("type"),
                       weight.alias("weight"), rawweight.alias("_rawweight"), "_raw", "_short",
                       "_extra")
    return out, cols["weight"] is not None

