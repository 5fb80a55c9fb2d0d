"""Read interaction logs into an :class:`EdgeTable`.

Formats: CSV, TSV, whitespace-separated edge lists (SNAP style, ``#`` comments),
Parquet and JSON Lines; text formats may be gzip- or bzip2-compressed. Files with
a header are mapped to the canonical columns by name (or by the ``*_col`` options);
headerless files by position: source, target, then a third column that is a weight
when numeric and a type label otherwise.

User ids stay strings exactly as written: ``"007"`` and ``"7"`` are two users and
numeric ids are never turned into floats. Every row either loads or is reported:
self-loops are dropped and counted, bad values raise :class:`InputError` naming the
file and line (``edges.csv:17: target is empty``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .._progress import Progress
from ..errors import EmptyGraphError, InputError
from ._columns import is_none
from ._edgefile import DEFAULT_TYPE, FileReport, first_line_where, read_one
from ._ids import map_ids
from ._rows import apply_row_options, parse_window, renamed
from ._values import TIME_UNITS

__all__ = ["read_edges", "EdgeTable", "LoadReport", "FileReport", "parse_type_weights", "parse_window",
           "DEFAULT_TYPE"]



# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class LoadReport:
    """What loading did: rows read per file, rows dropped and why, warnings."""

    files: tuple
    warnings: tuple = ()
    dropped: dict = field(default_factory=dict)  # reason -> rows left out (besides self-loops)
    undirected: bool = False  # each row was read both ways

    @property
    def rows_read(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def self_loops_dropped(self) -> int:
        return sum(f.self_loops for f in self.files)

    def to_dict(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "self_loops_dropped": self.self_loops_dropped,
            "files": [f.to_dict() for f in self.files],
            "warnings": list(self.warnings),
            "rows_dropped": dict(self.dropped),
            "undirected": self.undirected,
        }


@dataclass(frozen=True, eq=False)
class EdgeTable:
    """Validated interaction rows with user ids mapped to integer codes.

    One row per interaction (self-loops already removed; duplicates kept: the graph
    merges them into counts; an undirected read holds each row both ways). ``frame`` gives the canonical pandas view with
    columns ``source, target, type, weight[, timestamp]``.
    """

    node_ids: np.ndarray  # object array of str, position -> id
    source_codes: np.ndarray  # int32
    target_codes: np.ndarray  # int32
    types: tuple
    type_codes: np.ndarray  # int16
    row_weight: np.ndarray | None  # float64, None = all 1
    timestamp: np.ndarray | None  # datetime64[ns] (UTC), NaT where missing
    type_weights: dict
    report: LoadReport
    extra: dict = field(default_factory=dict)  # name -> float64 array
    # signed reads: negative rows received per user (position), else None
    distrust: np.ndarray | None = None
    # each user's rank in the ids' text order when reading made it cheap (integer ids),
    # else None; SocialGraph.from_edges hands it to graph.id_order
    id_ranks: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        return int(self.source_codes.shape[0])

    @property
    def n_users(self) -> int:
        return len(self.node_ids)

    @property
    def frame(self):
        """The rows as a pandas DataFrame with the canonical columns."""
        import pandas as pd

        df = pd.DataFrame({
            "source": self.node_ids[self.source_codes],
            "target": self.node_ids[self.target_codes],
            "type": pd.Categorical.from_codes(self.type_codes, categories=list(self.types)),
            "weight": self.row_weight if self.row_weight is not None else np.ones(self.n_rows),
        })
        if self.timestamp is not None:
            df["timestamp"] = pd.to_datetime(self.timestamp, utc=True)
        for k, v in self.extra.items():
            df[k] = v
        return df

    def _repr_html_(self) -> str:
        """Notebook display: rows, users, types, weights, time range (``io.display``)."""
        from .display import edge_table_html

        return edge_table_html(self)

    def locate_first(self, column: str, bad) -> tuple[str, int, float] | None:
        """``(path, line, value)`` of the first value of extra ``column`` for which
        ``bad(value)`` holds, in file order (self-loop rows included), or None.

        The line is 1-based (the row for Parquet). Error path only: re-reads the files.
        """
        for rep in self.report.files:
            try:
                found = first_line_where(rep, column, bad)
            except (OSError, ValueError, KeyError, IndexError):
                found = None
            if found is not None:
                return (rep.path, *found)
        return None


# --------------------------------------------------------------------------- options
def parse_type_weights(items: Sequence[str]) -> dict:
    """Parse ``["share=3", "comment=2"]`` into ``{"share": 3.0, "comment": 2.0}``.

    Raises ``ValueError`` (a usage error) for malformed items or weights that are
    negative or not finite.
    """
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = str(item).partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"expected TYPE=WEIGHT, got {item!r}")
        try:
            w = float(value)
        except ValueError:
            raise ValueError(f"weight in {item!r} is not a number") from None
        if not math.isfinite(w) or w < 0:
            raise ValueError(f"weight in {item!r} must be a finite number >= 0")
        out[name] = w
    return out


# --------------------------------------------------------------------------- main entry
def read_edges(
    paths,
    *,
    source_col: str | None = None,
    target_col: str | None = None,
    type_col: str | None = None,
    weight_col: str | None = None,
    time_col: str | None = None,
    type_label=None,
    type_weights: dict | None = None,
    header: bool | None = None,
    extra_cols: Sequence[str] = (),
    progress: Progress | None = None,
    time_unit: str | None = None,
    unweighted: bool = False,
    signed: bool = False,
    undirected: bool = False,
    since=None,
    until=None,
) -> EdgeTable:
    """Read one or more interaction files into an :class:`EdgeTable`.

    Parameters
    ----------
    paths : str, sequence of str, or pandas.DataFrame
        Files to read (CSV, TSV, whitespace edge list, Parquet, JSON Lines; text
        formats may end in ``.gz`` or ``.bz2``), or a DataFrame of rows already in
        memory (columns found by the same names; errors name ``DataFrame:ROW``).
    source_col, target_col, type_col, weight_col, time_col : str, optional
        Column names (or 1-based positions) of the canonical columns. When omitted,
        common names are recognised (``source``/``src``/``from``, ``target``/``dst``/
        ``to``, ``type``, ``weight``, ``timestamp``/``time``).
    type_label : str or sequence of str, optional
        Type given to every row of a file that has no type column: one label for
        all files, or one per file. Files without either get ``"interaction"``.
    type_weights : dict, optional
        Weight of each interaction type (``{"share": 3, "comment": 2}``); types not
        named weigh 1. A type absent from the data produces a warning in the report.
    header : bool, optional
        Force (True) or deny (False) a header line in text files; detected when None.
    extra_cols : sequence of str
        More numeric columns to keep (e.g. a probability column), validated like
        weights and available in ``EdgeTable.extra``.
    progress : Progress, optional
        ``progress(stage, done=None, total=None)`` (:mod:`graphkit._progress`): called with
        each file read and each stage.
    time_unit : {"s", "ms", "us", "ns"}, optional
        Unit of numeric times; by magnitude when None (below 1e11 seconds, below 1e14
        milliseconds, below 1e17 microseconds, else nanoseconds).
    unweighted : bool
        Ignore any weight column (the same as ``weight_col="none"``).
    signed : bool
        Weights are signed ratings: rows with a negative weight leave the graph and are
        counted per target user in ``EdgeTable.distrust``; the others form the graph.
    undirected : bool
        Each row is a tie both ways: ``a,b`` is read as ``a->b`` and ``b->a``.
    since, until : str, datetime or numpy.datetime64, optional
        Keep rows with ``since <= time < until`` (a date alone as ``until`` includes that
        day); rows without a time are left out. The files must have a time column.

    A path ``"-"`` reads standard input (any format but Parquet detected by content).

    Returns
    -------
    EdgeTable

    Raises
    ------
    InputError
        With the file and line of the first problem: missing/empty/binary file,
        unknown column, empty id, bad weight or timestamp, ragged row.

    Examples
    --------
    >>> import graphkit as gk
    >>> t = gk.read_edges("data/example.csv")
    >>> t.n_rows, t.types
    (32, ('comment', 'follow', 'share'))
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from .frames import is_frame, read_frame

    if is_frame(paths):  # rows already in memory: the same columns and checks as a file
        if unweighted:
            weight_col = "none"
        table = read_frame(paths, source_col=source_col, target_col=target_col,
                           type_col=type_col, weight_col=weight_col, time_col=time_col,
                           type_label=type_label, type_weights=type_weights,
                           extra_cols=extra_cols, time_unit=time_unit, signed=signed)
        window = parse_window(since, until)
        if signed or undirected or window is not None:
            table = apply_row_options(table, signed=signed, undirected=undirected, window=window)
        return table
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = [os.fspath(p) for p in paths]
    if not paths:
        raise InputError("no input files given")
    if paths.count("-") > 1:
        raise InputError("standard input ('-') can be read once only")
    if "-" in paths:
        from ._formats import STDIN_NAME, stdin_copy

        with stdin_copy() as (tmp, rename):
            try:
                table = read_edges(
                    [tmp if p == "-" else p for p in paths], source_col=source_col,
                    target_col=target_col, type_col=type_col, weight_col=weight_col,
                    time_col=time_col, type_label=type_label, type_weights=type_weights,
                    header=header, extra_cols=extra_cols, progress=progress,
                    time_unit=time_unit, unweighted=unweighted, signed=signed,
                    undirected=undirected, since=since, until=until)
            except InputError as exc:
                raise rename(exc) from None
        return renamed(table, tmp, STDIN_NAME)
    if time_unit is not None and time_unit not in TIME_UNITS:
        raise ValueError(f"time_unit must be one of {', '.join(TIME_UNITS)}, not {time_unit!r}")
    window = parse_window(since, until)
    if unweighted:
        if signed:
            raise ValueError("signed and unweighted exclude each other: signs live in the weights")
        weight_col = "none"
    labels = per_file_labels(type_label, len(paths))
    options = {"source": source_col, "target": target_col, "type": type_col,
               "weight": weight_col, "timestamp": time_col}
    named = {str(v) for v in options.values() if v is not None and not is_none(v)} | {
        str(c) for c in extra_cols}
    need_weight = weight_col is not None and not is_none(weight_col)
    need_time = time_col is not None and not is_none(time_col)

    pieces = []
    reports = []
    for path, label in zip(paths, labels):
        if progress:
            progress(f"reading {os.path.basename(path)}")
        piece, rep = read_one(path, label, options, header, named, extra_cols, time_unit, signed)
        pieces.append(piece)
        reports.append(rep)
        need_weight |= piece["weight"] is not None
        need_time |= piece["timestamp"] is not None

    if progress:
        progress("mapping user ids")
    id_chunks = [p["source"] for p in pieces] + [p["target"] for p in pieces]
    codes, node_ids, id_ranks = map_ids(id_chunks, with_ranks=True)
    k = len(pieces)
    src = np.concatenate(codes[:k]) if k > 1 else codes[0]
    dst = np.concatenate(codes[k:]) if k > 1 else codes[k]

    # interaction types: sorted labels, codes remapped per file
    all_types = sorted({t for p in pieces for t in p["type_values"]})
    type_index = {t: i for i, t in enumerate(all_types)}
    type_codes = np.concatenate([
        _recode(p["type_codes"], [type_index[t] for t in p["type_values"]]) for p in pieces
    ])
    weight = None
    if need_weight:
        weight = np.concatenate([
            p["weight"] if p["weight"] is not None else np.ones(p["n"]) for p in pieces
        ])
    stamps = None
    if need_time:
        stamps = np.concatenate([
            p["timestamp"] if p["timestamp"] is not None
            else np.full(p["n"], np.datetime64("NaT"), dtype="datetime64[ns]")
            for p in pieces
        ])
    extra = {}
    for name in extra_cols:
        extra[name] = np.concatenate([p["extra"][name] for p in pieces])

    bounds = np.cumsum([0] + [p["n"] for p in pieces])
    warnings = []
    dropped = {}
    keep = src != dst  # self-loops: dropped and counted per file
    loops_per_file = [int((~keep[bounds[i]:bounds[i + 1]]).sum()) for i in range(k)]
    distrust = None
    if signed:
        if weight is None:
            raise InputError("--signed needs a weight column (the ratings); name it with "
                             "--weight-col", paths[0] if len(paths) == 1 else None)
        neg = weight < 0
        distrust = np.bincount(dst[neg & keep], minlength=len(node_ids)).astype(np.int64)
        dropped["negative weight (distrust)"] = int((neg & keep).sum())
        keep &= ~neg
    if window is not None:
        if stamps is None:
            raise InputError("--since/--until need a time column, and the data has none "
                             "(name it with --time-col)", paths[0] if len(paths) == 1 else None)
        inside = ~np.isnat(stamps)
        if window[0] is not None:
            inside &= stamps >= window[0]
        if window[1] is not None:
            inside &= stamps < window[1]
        dropped["outside --since/--until"] = int((keep & ~inside).sum())
        keep &= inside
    if not keep.all():
        # users seen only in dropped rows stay in node_ids: real users with no edge
        src, dst, type_codes = src[keep], dst[keep], type_codes[keep]
        weight = weight[keep] if weight is not None else None
        stamps = stamps[keep] if stamps is not None else None
        extra = {kk: v[keep] for kk, v in extra.items()}
    if undirected:
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
        type_codes = np.concatenate([type_codes, type_codes])
        weight = np.concatenate([weight, weight]) if weight is not None else None
        stamps = np.concatenate([stamps, stamps]) if stamps is not None else None
        extra = {kk: np.concatenate([v, v]) for kk, v in extra.items()}
    reports = [
        FileReport(r.path, r.format, r.rows, loops_per_file[i], r.header, r.columns,
                   r.ignored_columns, r.type_label, r.notes, r.time_unit)
        for i, r in enumerate(reports)
    ]
    tw = dict(type_weights or {})
    for t in tw:
        if t not in type_index:
            warnings.append(
                f"--type-weight {t}={tw[t]:g}: no '{t}' rows in the data "
                f"(types: {', '.join(all_types)})"
            )
    report = LoadReport(tuple(reports), tuple(warnings), dropped, undirected)
    if len(src) == 0:
        why = ["self-loops"] + [what for what, n in dropped.items() if n]
        raise EmptyGraphError(
            f"no edges left after dropping {', '.join(why)}" if report.rows_read else "no data rows",
            paths[0] if len(paths) == 1 else None,
        )
    del pa, pc
    return EdgeTable(node_ids, src.astype(np.int32, copy=False), dst.astype(np.int32, copy=False),
                     tuple(all_types), type_codes, weight, stamps, tw, report, extra, distrust,
                     id_ranks)


def _recode(codes: np.ndarray, new_codes: list) -> np.ndarray:
    """Map a file's type codes onto the merged type list (no copy when unchanged)."""
    if new_codes == list(range(len(new_codes))) and codes.dtype == np.int16:
        return codes
    return np.asarray(new_codes, dtype=np.int16)[codes]


def per_file_labels(type_label, n):
    """The --type label of each of ``n`` files: none, one for all, or one per file."""
    if type_label is None:
        return [None] * n
    if isinstance(type_label, str):
        return [type_label] * n
    labels = list(type_label)
    if len(labels) == 1:
        return labels * n
    if len(labels) != n:
        raise ValueError(f"give one --type label for all files or one per file ({n} files, {len(labels)} labels)")
    return labels


