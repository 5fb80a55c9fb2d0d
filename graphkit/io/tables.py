"""Small side files users hand us: id lists (seeds, targets, personalization), cost files,
community memberships and learned edge probabilities."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence

import numpy as np

from ..errors import InputError
from ._formats import base_ext, check_file, looks_binary, open_bytes, read_head

__all__ = ["read_user_table", "read_id_list", "read_membership", "read_costs", "read_learned"]


def read_user_table(path, what: str, columns: Sequence[str], *, skip_blank_lines: bool = True):
    """A small CSV/TSV side file (costs, learned probabilities) as strings, ``""`` for empty.

    Tab-separated when the name ends in ``.tsv`` or ``.tab`` (before ``.gz``/``.bz2``), else
    comma-separated. With ``skip_blank_lines=False`` blank lines stay as rows of empty
    strings, so ``index + 2`` is every row's line number. Extra columns are kept.

    Raises
    ------
    InputError
        No such file; a file pandas cannot parse (``not a readable {what} file``); a missing
        column of ``columns``.
    """
    import pandas as pd

    path = os.fspath(path)
    if not os.path.exists(path):
        raise InputError("no such file", path)
    sep = "\t" if base_ext(path) in (".tsv", ".tab") else ","
    check_file(path)
    if looks_binary(read_head(path)):
        raise InputError(f"binary data, not a readable {what} file", path)
    _decode_or_fail(path, "utf-8")
    try:
        df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                         skip_blank_lines=skip_blank_lines)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"not a readable {what} file ({msg})", path) from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"needs the columns {','.join(columns)} (missing: {', '.join(missing)}; "
                         f"columns: {', '.join(map(str, df.columns))})", path)
    return df


def read_id_list(path: str, *, column: str | None = None, encoding: str = "utf-8") -> list[str]:
    """Read a list of user ids: one per line (``.txt``) or a column of a table file.

    The column is ``column``, else ``user``/``id``/``source``, else the first column.
    In a one-per-line list, blank lines and comment lines (``#`` or ``%`` then a space,
    or alone) are skipped and white space around an id is dropped (``#ai`` is an id); in a table every non-empty cell is an id
    (hashtags included). A leading ``'`` that graphkit's CSV writer put before a
    formula-like id is removed. Text that is not valid ``encoding`` (UTF-8 by
    default; a BOM is allowed) raises :class:`InputError` naming the line.
    """
    from .._cells import is_list_comment, unneutralize

    check_file(path)
    head = read_head(path)
    ext = base_ext(path)
    if looks_binary(head) and not (ext in (".parquet", ".pq") or head[:4] == b"PAR1"):
        raise InputError("binary data, not a list of user ids", path)
    if ext in (".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson") or head[:4] == b"PAR1":
        import pandas as pd

        try:
            if ext in (".parquet", ".pq") or head[:4] == b"PAR1":
                df = pd.read_parquet(path)
                df = df.astype(str)
            elif ext in (".jsonl", ".ndjson"):
                df = pd.read_json(path, lines=True, dtype=False, encoding=encoding).astype(str)
            else:
                _decode_or_fail(path, encoding)
                df = pd.read_csv(path, sep="\t" if ext == ".tsv" else ",", dtype=str,
                                 keep_default_na=False, encoding=_sig(encoding))
        except InputError:
            raise
        except (ValueError, OSError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"not a readable list of user ids ({_first_line(exc)})", path) from None
        cols = list(df.columns)
        if not cols:
            raise InputError("no user ids in file (no columns)", path)
        if column is not None:
            if column not in cols:
                raise InputError(f"no column {column!r} (columns: {', '.join(map(str, cols))})", path)
            col = column
        else:
            col = next((c for c in ("user", "id", "user_id", "source") if c in cols), cols[0])
        table = ext in (".csv", ".tsv")  # the formats the CSV writer guards against formulas
        ids = [unneutralize(u) if table else u for u in df[col].tolist() if u != ""]
    else:
        text = _decode_or_fail(path, encoding)
        ids = []
        for ln in text.split("\n"):  # not splitlines(): U+2028 and friends may be in an id
            ln = ln.strip(" \t\r\f\v")
            if ln and not is_list_comment(ln):
                ids.append(ln)  # .txt lists are written as they are (no formula guard)
    if not ids:
        raise InputError("no user ids in file", path)
    return ids


def _sig(encoding: str) -> str:
    """UTF-8 reads accept a byte-order mark."""
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def _decode_or_fail(path: str, encoding: str) -> str:
    """The whole (small) file decoded; a decode error names its line."""
    with open_bytes(path) as fh:
        data = fh.read()
    try:
        return data.decode(_sig(encoding))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"not valid {encoding} text (byte 0x{data[exc.start]:02x}); save the file "
                         "as UTF-8, e.g. iconv -f LATIN1 -t UTF-8", path, line) from None
    except LookupError:
        raise InputError(f"unknown text encoding {encoding!r}", path) from None


def _first_repeat(values, path: str, lines, what: str = "user") -> None:
    """InputError at the second occurrence of a value, naming the line of the first."""
    first: dict = {}
    for line, v in zip(lines, values):
        if v in first:
            raise InputError(f"{what} {v!r} is listed twice (first on line {first[v]})", path, line)
        first[v] = line


def read_membership(path, *, labels: str = "integer"):
    """Read a membership file (``user, community``), as ``graphkit communities -o`` writes it.

    Parameters
    ----------
    path : str or path-like
        ``.csv``, ``.tsv``/``.tab`` (optionally ``.gz``/``.bz2``), ``.parquet``,
        ``.jsonl``/``.ndjson`` or ``.json`` (a list of rows, or ``{"rows": [...]}`` as graphkit
        writes it) with the columns ``user`` and ``community``; more columns are ignored.
    labels : {"integer", "any"}
        ``"integer"`` (default): communities must be non-negative integers (graphkit's
        numbering). ``"any"``: any non-empty label; labels that are all integers come back
        as integers, others as text.

    Returns
    -------
    pandas.DataFrame
        Columns ``user`` (str, exactly as written) and ``community`` (int64, or str for text
        labels).

    Raises
    ------
    InputError
        With the file and line: a missing file or column, an empty user or community, a
        community that is not a non-negative integer (``labels="integer"``), a user listed
        twice.

    Examples
    --------
    >>> import graphkit as gk, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "m.csv")
    >>> _ = open(path, "w").write("user,community\\n007,1\\nbob,0\\n")
    >>> gk.read_membership(path).values.tolist()
    [['007', 1], ['bob', 0]]
    """
    import pandas as pd

    if labels not in ("integer", "any"):
        raise ValueError(f"labels must be 'integer' or 'any', got {labels!r}")
    path = os.fspath(path)
    check_file(path)
    ext = base_ext(path)
    if ext in (".parquet", ".pq", ".jsonl", ".ndjson", ".json"):
        try:
            if ext in (".parquet", ".pq"):
                df = pd.read_parquet(path)
            elif ext == ".json":
                with open(path, encoding="utf-8") as fh:
                    payload = json.load(fh)
                df = pd.DataFrame(payload["rows"] if isinstance(payload, dict) else payload)
            else:
                df = pd.read_json(path, lines=True, dtype=False)
        except (ValueError, KeyError, TypeError, OSError) as exc:
            raise InputError(f"not a readable membership file ({_first_line(exc)})", path) from None
        missing = [c for c in ("user", "community") if c not in df.columns]
        if missing:
            raise InputError(f"needs the columns user,community (missing: {', '.join(missing)}; "
                             f"columns: {', '.join(map(str, df.columns))})", path)
        df = pd.DataFrame({"user": df["user"].astype(str), "community": df["community"].astype(str)})
        lines = df.index.to_numpy() + 1
    else:
        df = read_user_table(path, "membership", ("user", "community"))
        lines = df.index.to_numpy() + 2  # the header is line 1
    from .._cells import unneutralize

    users = np.asarray([unneutralize(u) for u in df["user"].tolist()], dtype=object)
    raw = df["community"].astype(str)
    empty = (df["user"] == "") | (raw == "")
    if empty.any():
        i = int(np.flatnonzero(empty.to_numpy())[0])
        what = "user" if users[i] == "" else "community"
        raise InputError(f"{what} is empty", path, int(lines[i]))
    is_int = raw.str.fullmatch(r"-?\d+")
    if labels == "integer":
        bad = ~is_int | raw.str.startswith("-")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"community must be a non-negative integer, got {raw.iloc[i]!r}",
                             path, int(lines[i]))
    _first_repeat(users, path, lines.tolist())
    community = raw.astype(np.int64).to_numpy() if is_int.all() else raw.to_numpy(dtype=object)
    return pd.DataFrame({"user": users, "community": community})


def read_costs(path) -> dict[str, float]:
    """Read a cost file: CSV/TSV with ``user`` and ``cost`` columns (more columns are ignored).

    Returns ``{user: cost}``. A missing file or column, an empty user, a repeated user,
    or a cost that is not a finite non-negative number raises :class:`InputError` with
    the file and line (the header is line 1).

    Examples
    --------
    >>> import os, tempfile
    >>> from graphkit.io import read_costs
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "fees.csv")
    >>> _ = open(p, "w").write("user,cost\\nalice,500\\nbob,120.5\\n")
    >>> read_costs(p)
    {'alice': 500.0, 'bob': 120.5}
    """
    path = os.fspath(path)
    df = read_user_table(path, "cost", ("user", "cost"))
    lines = (df.index.to_numpy() + 2).tolist()
    users = df["user"].to_numpy(dtype=object)
    out: dict[str, float] = {}
    for line, u, c in zip(lines, users, df["cost"].to_numpy(dtype=object)):
        if u == "":
            raise InputError("user is empty", path, line)
        try:
            val = float(c) if c.strip() else None
        except ValueError:
            val = None
        if val is None:
            raise InputError("cost is empty" if not c.strip() else f"cost {c!r} is not a number",
                             path, line)
        if not math.isfinite(val) or val < 0:
            raise InputError(f"cost {c!r} must be a finite non-negative number", path, line)
        out[u] = val
    _first_repeat(users, path, lines)
    if not out:
        raise InputError("no costs in file", path)
    return out


def read_learned(path):
    """Read an edge-probability file (the ``learned:FILE`` format ``graphkit learn`` writes).

    CSV/TSV with a header and the columns ``source,target,p`` (more are ignored), in the
    edge files' direction: ``source`` acted on ``target``, and ``target`` influences
    ``source`` with probability ``p``. Blank lines are skipped.

    Returns
    -------
    pandas.DataFrame
        Columns ``source``, ``target`` (str), ``p`` (float64 in [0, 1]) and ``line`` (the
        row's line in the file).

    Raises
    ------
    InputError
        With the file and line: a missing file or column, an empty id, a ``p`` that is not a
        number in [0, 1], a pair given twice.

    Examples
    --------
    >>> import os, tempfile
    >>> from graphkit.io import read_learned
    >>> p = os.path.join(tempfile.mkdtemp(), "p.csv")
    >>> _ = open(p, "w").write("source,target,p\\nbob,alice,0.25\\n")
    >>> read_learned(p).values.tolist()
    [['bob', 'alice', 0.25, 2]]
    """
    import pandas as pd

    path = os.fspath(path)
    df = read_user_table(path, "probability", ("source", "target", "p"), skip_blank_lines=False)
    blank = (df["source"] == "") & (df["target"] == "") & (df["p"] == "")
    df = df[~blank]
    lines = df.index.to_numpy() + 2  # the header is line 1
    src = df["source"].to_numpy(dtype=object)
    dst = df["target"].to_numpy(dtype=object)
    for col, arr in (("source", src), ("target", dst)):
        empty = arr == ""
        if empty.any():
            raise InputError(f"{col} is empty", path, int(lines[np.flatnonzero(empty)[0]]))
    p = pd.to_numeric(df["p"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(p) | (p < 0) | (p > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raw = df["p"].iloc[i]
        what = "p is empty" if raw == "" else f"p {raw!r} is not a probability in [0, 1]"
        raise InputError(what, path, int(lines[i]))
    dup = pd.DataFrame({"s": src, "t": dst}).duplicated(keep="first").to_numpy()
    if dup.any():
        j = int(np.flatnonzero(dup)[0])
        k = int(np.flatnonzero((src == src[j]) & (dst == dst[j]))[0])
        raise InputError(f"duplicate pair ({src[j]}, {dst[j]}), first given on line {int(lines[k])}",
                         path, int(lines[j]))
    return pd.DataFrame({"source": src, "target": dst, "p": p, "line": lines.astype(np.int64)})


def _first_line(exc) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
