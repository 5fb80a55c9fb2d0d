"""Action logs: who shared what, when.

An *action log* has one row per action ``user, item, timestamp`` ("``user`` shared /
commented on ``item`` at ``timestamp``"). :func:`read_actions` reads a log file with the
validation of every graphkit reader (one-line errors naming the file and line) into an
:class:`ActionLog`; :mod:`graphkit.learn.cascades` groups it into cascades on a graph.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ._columns import ACTION_CANDIDATES, CANDIDATES, match_column
from ._formats import check_file, detect_format, looks_binary, open_parquet, read_head, read_json
from ._text import read_text, text_layout
from ._values import Located, id_strings, numbers_to_ns, parse_timestamps, unit_by_magnitude

__all__ = ["ActionLog", "read_actions", "ACTION_FORMS", "INITIATOR_LEAD_NS"]

#: Action-log layouts: ``item`` (user, item, timestamp) or ``interaction`` (source re-shared
#: target at timestamp); ``auto`` decides by the item column's name.
ACTION_FORMS = ("auto", "item", "interaction")

#: In the interaction form, the author of re-shared content is added as the item's first
#: actor this long (1 s, in ns) before its first re-share.
INITIATOR_LEAD_NS = 1_000_000_000



# --------------------------------------------------------------------------- the log
@dataclass(frozen=True, eq=False)
class ActionLog:
    """Validated actions: who acted on which item, when.

    Attributes
    ----------
    user_ids, item_ids : ndarray of str (object)
        The distinct user and item ids.
    user_codes, item_codes : ndarray of int32
        Per action, the index into ``user_ids`` / ``item_ids``.
    time : ndarray of int64
        Per action, nanoseconds since the Unix epoch (UTC).
    report : dict
        What reading did: ``path``, ``format``, ``rows``, ``columns``, ``form``,
        ``initiators_added`` (interaction form), ``time_sorted`` (whether the rows were
        already in time order; they are always sorted before use).

    Examples
    --------
    >>> import pandas as pd
    >>> from graphkit.learn import ActionLog
    >>> log = ActionLog.from_frame(pd.DataFrame({
    ...     "user": ["a", "b"], "item": ["x", "x"], "timestamp": [0, 60]}))
    >>> log.n_actions, log.frame.timestamp.iloc[1].isoformat()
    (2, '1970-01-01T00:01:00+00:00')
    """

    user_ids: np.ndarray
    user_codes: np.ndarray
    item_ids: np.ndarray
    item_codes: np.ndarray
    time: np.ndarray
    report: dict = field(default_factory=dict)

    @property
    def n_actions(self) -> int:
        return int(self.user_codes.shape[0])

    @property
    def frame(self):
        """The actions as a DataFrame ``user, item, timestamp`` (UTC), in log order."""
        import pandas as pd

        return pd.DataFrame({
            "user": self.user_ids[self.user_codes],
            "item": self.item_ids[self.item_codes],
            "timestamp": pd.to_datetime(self.time, unit="ns", utc=True),
        })

    @classmethod
    def from_arrays(cls, users, items, time_ns, *, form: str = "item", report: dict | None = None):
        """Build from per-action ids (any values, compared as strings) and int64 ns times.

        ``form="interaction"`` reads ``users`` as re-sharers and ``items`` as the authors
        they re-shared, and adds each author's initiator action (see :func:`read_actions`).
        """
        import pandas as pd

        users = np.asarray(users, dtype=object).astype(str).astype(object)
        items = np.asarray(items, dtype=object).astype(str).astype(object)
        if users.ndim != 1 or users.shape != items.shape:
            raise ValueError("users, items and times must be 1-d and of the same length")
        ucodes, uids = pd.factorize(pd.Series(users, dtype=object), sort=False)
        icodes, iids = pd.factorize(pd.Series(items, dtype=object), sort=False)
        return cls._from_codes(np.asarray(uids, dtype=object), ucodes, np.asarray(iids, dtype=object),
                               icodes, time_ns, form=form, report=report)

    @classmethod
    def _from_codes(cls, user_ids, user_codes, item_ids, item_codes, time_ns, *, form, report):
        """Build from dictionary-encoded ids (distinct ``*_ids``, per-action ``*_codes``)."""
        ucodes = np.asarray(user_codes, dtype=np.int32)
        icodes = np.asarray(item_codes, dtype=np.int32)
        t = np.asarray(time_ns, dtype=np.int64)
        if not (ucodes.shape == icodes.shape == t.shape) or ucodes.ndim != 1:
            raise ValueError("users, items and times must be 1-d and of the same length")
        if ucodes.shape[0] == 0:
            raise InputError("the action log is empty: no actions")
        report = dict(report or {})
        report.setdefault("rows", int(ucodes.shape[0]))
        report["time_sorted"] = bool(np.all(t[1:] >= t[:-1]))
        report["form"] = form
        if form == "interaction":
            user_ids, ucodes, icodes, t, added = _add_initiators(user_ids, ucodes, item_ids,
                                                                 icodes, t)
            report["initiators_added"] = added
        elif form != "item":
            raise ValueError(f"form must be 'item' or 'interaction', got {form!r}")
        return cls(np.asarray(user_ids, dtype=object), ucodes, np.asarray(item_ids, dtype=object),
                   icodes, t, report)

    @classmethod
    def from_frame(cls, df, *, user: str = "user", item: str = "item", time: str = "timestamp",
                   form: str = "item") -> ActionLog:
        """Build from a DataFrame; ``time`` holds datetimes, ISO strings or unix seconds.

        Raises
        ------
        InputError
            A missing column, an empty log, a missing or unparseable time.
        """
        import pandas as pd

        missing = [c for c in (user, item, time) if c not in df.columns]
        if missing:
            raise InputError(f"the action table has no column {', '.join(map(repr, missing))} "
                             f"(columns: {', '.join(map(str, df.columns))})")
        col = df[time]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            ns = np.round(col.to_numpy(dtype=np.float64) * 1e9)
            bad = ~np.isfinite(ns)
            t = np.where(bad, 0, ns).astype(np.int64)
        else:
            text = pd.api.types.is_string_dtype(col) or col.dtype == object
            parsed = pd.to_datetime(col, utc=True, errors="coerce",
                                    format="ISO8601" if text else None)
            bad = parsed.isna().to_numpy()
            t = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").view(np.int64)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"row {i + 1}: timestamp {col.iloc[i]!r} is missing or unparseable")
        for name in (user, item):
            empty = df[name].isna().to_numpy() | (df[name].astype(str) == "").to_numpy()
            if empty.any():
                raise InputError(f"row {int(np.flatnonzero(empty)[0]) + 1}: {name} is empty")
        return cls.from_arrays(df[user].to_numpy(), df[item].to_numpy(), t, form=form,
                               report={"columns": {"user": user, "item": item, "timestamp": time}})


def _add_initiators(user_ids, ucodes, item_ids, icodes, t):
    """Interaction form: each re-shared author acts on their own item before its first re-share.

    The items are authors' ids: they join the user ids, a user re-sharing themself is dropped,
    and every item gets the action ``(author, item, first re-share - 1 s)`` first.
    """
    import pandas as pd

    index = pd.Index(user_ids)
    author = index.get_indexer(item_ids)
    new = author < 0
    if new.any():
        author[new] = len(user_ids) + np.arange(int(new.sum()))
        user_ids = np.concatenate([np.asarray(user_ids, dtype=object),
                                   np.asarray(item_ids, dtype=object)[new]])
    keep = ucodes != author[icodes]  # a user re-sharing themself is not a propagation
    ucodes, icodes, t = ucodes[keep], icodes[keep], t[keep]
    if ucodes.shape[0] == 0:
        raise InputError("the action log has no re-share between two different users")
    first = np.full(len(item_ids), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, icodes, t)
    items = np.flatnonzero(first < np.iinfo(np.int64).max)
    ucodes = np.concatenate([author[items], ucodes]).astype(np.int32)
    icodes = np.concatenate([items, icodes]).astype(np.int32)
    t = np.concatenate([first[items] - INITIATOR_LEAD_NS, t])
    return user_ids, ucodes, icodes, t, int(items.shape[0])


# --------------------------------------------------------------------------- reading
def read_actions(path, *, user_col: str | None = None, item_col: str | None = None,
                 time_col: str | None = None, form: str = "auto",
                 header: bool | None = None) -> ActionLog:
    """Read an action log: CSV, TSV, whitespace text, Parquet or JSON Lines (``.gz``/``.bz2``).

    Parameters
    ----------
    path : str or path-like
    user_col, item_col, time_col : str, optional
        Column names (or 1-based positions) of the acting user, the item and the time.
        Defaults: ``user`` (or ``user_id``, ``actor``, ``source``, ``src``, ``from``),
        ``item`` (or ``item_id``, ``content``, ``post``, ``video``, ``url``, ``hashtag``,
        ``target``, ``dst``, ``to``) and ``timestamp`` (or ``time``, ``ts``, ``date``,
        ``t``, ...). A headerless file is read by position: user, item, time.
    form : {"auto", "item", "interaction"}
        ``item``: each row is "user shared item at time". ``interaction``: each row is
        "user re-shared the content of the user in the item column at time" (an edge-file
        row ``source,target,timestamp``): the item is the target's content, and the target
        is added as the item's initiator 1 second before its first re-share (rows where a
        user re-shares themself are dropped). ``auto`` (default) picks ``interaction`` when
        the item column is named ``target``, ``dst``, ``to`` or ``destination``.
    header : bool, optional
        Force or deny a header line in text files (detected when None).

    Returns
    -------
    ActionLog

    Raises
    ------
    InputError
        One line with the file and line: a missing file or column, an empty log, an empty
        id, a missing or unparseable timestamp, a ragged row.

    Examples
    --------
    >>> from graphkit.io import read_actions
    >>> log = read_actions("data/higgs-actions.csv.gz")
    >>> log.n_actions, log.report["form"]
    (46047, 'item')
    """
    if form not in ACTION_FORMS:
        raise ValueError(f"form must be one of {', '.join(ACTION_FORMS)}, got {form!r}")
    path = os.fspath(path)
    check_file(path)
    head = read_head(path)
    if not head.strip():
        raise InputError("file is empty", path)
    fmt = detect_format(path, head)
    named = {str(c) for c in (user_col, item_col, time_col) if c is not None}
    layout = None
    if fmt == "parquet":
        pf, names = open_parquet(path, {}, ())
        has_header = True
    elif fmt == "jsonl":
        if looks_binary(head):
            raise InputError("binary data, not an action log", path)
        table = read_json(path, ())
        names = list(table.column_names)
        has_header = True
    else:
        if looks_binary(head):
            raise InputError("binary data, not an action log", path)
        layout = text_layout(path, head, header, named)
        names, has_header = layout.names, layout.header
    cols = _resolve_columns(path, names, has_header, user_col, item_col, time_col)
    if form == "auto":
        form = "interaction" if cols["item"].lower() in CANDIDATES["target"] else "item"
    if fmt == "parquet":
        import pyarrow as pa

        try:
            table = pf.read(columns=list(cols.values()))
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"cannot read Parquet data ({str(exc).splitlines()[0]})",
                             path) from None
        fmt_name = "parquet"
    elif fmt == "jsonl":
        fmt_name = "jsonl"
    else:
        wanted = {"source": cols["user"], "target": cols["item"], "timestamp": cols["timestamp"]}
        table = read_text(path, layout, wanted, ())
        fmt_name = {",": "csv", "\t": "tsv", " ": "text"}[layout.delimiter]
    loc = Located(path, fmt_name if fmt_name in ("parquet", "jsonl") else "text", layout)
    n = table.num_rows
    if n == 0:
        raise InputError("the action log is empty: no data rows", path)

    def column(name):
        col = table.column(name)
        return col.combine_chunks()

    uids, ucodes = _encode(id_strings(column(cols["user"]), "user", loc))
    iids, icodes = _encode(id_strings(column(cols["item"]), "item", loc))
    t = _times_ns(column(cols["timestamp"]), loc)
    report = {"path": path, "format": fmt_name, "rows": int(n), "columns": dict(cols)}
    return ActionLog._from_codes(uids, ucodes, iids, icodes, t, form=form, report=report)


def _encode(arr):
    """Arrow strings -> (distinct values as an object array, int32 codes)."""
    enc = arr.dictionary_encode()
    ids = np.asarray(enc.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    return ids, enc.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)


def _times_ns(arr, loc) -> np.ndarray:
    """Action times as int64 ns since the epoch (UTC); a missing or bad time is an error.

    Fast paths: numbers (unix times, the unit by magnitude) and text that Arrow parses as numbers or ISO 8601
    timestamps; anything else goes through the edge reader's timestamp parser, which names the
    line of the first bad value.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if arr.null_count == 0:
        t = arr.type
        try:
            if pa.types.is_string(t) or pa.types.is_large_string(t):
                try:
                    arr = pc.cast(arr, pa.float64())
                    t = arr.type
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    stamps = pc.cast(arr, pa.timestamp("ns", tz="UTC"))
                    if stamps.null_count == 0:
                        return stamps.cast(pa.int64()).to_numpy(zero_copy_only=False)
            if pa.types.is_integer(t) or pa.types.is_floating(t):
                values = arr.to_numpy(zero_copy_only=False)
                if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
                    raise pa.ArrowInvalid("not finite")  # the parser below names the row
                # unix times by magnitude (seconds, ms, us, ns); past 1677..2262 an error
                unit = unit_by_magnitude(values.astype(np.float64))
                return numbers_to_ns(values, unit, loc).view(np.int64)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    stamps = parse_timestamps(arr, loc)
    nat = np.isnat(stamps)
    if nat.any():
        raise loc.error("timestamp is empty (every action needs a time)", int(np.flatnonzero(nat)[0]))
    return stamps.view(np.int64)


def _resolve_columns(path, names, header, user_col, item_col, time_col) -> dict:
    """Map the roles user, item, timestamp to file columns (names or 1-based positions)."""
    lower = {n.lower(): n for n in names}
    given = {"user": user_col, "item": item_col, "timestamp": time_col}
    options = {"user": "--action-user-col", "item": "--action-item-col",
               "timestamp": "--action-time-col"}
    out: dict[str, str | None] = {}
    for role, opt in given.items():
        if opt is None:
            out[role] = None
            continue
        col = match_column(opt, names)
        if col is not None:
            out[role] = col
        else:
            raise InputError(f"no column {opt!r} for {options[role]} (columns: {', '.join(names)})",
                             path)
    candidates = ACTION_CANDIDATES
    taken = {c for c in out.values() if c is not None}
    for role in ("user", "item", "timestamp"):
        if out[role] is not None:
            continue
        if header:
            found = next((lower[c] for c in candidates[role] if c in lower and lower[c] not in taken),
                         None)
        else:
            free = [n for n in names if n not in taken]
            found = free[0] if free else None
        if found is None:
            raise InputError(f"no {role} column (columns: {', '.join(names)}); name it with "
                             f"{options[role]}", path)
        out[role] = found
        taken.add(found)
    if len(set(out.values())) < 3:
        raise InputError(f"user, item and timestamp must be three different columns (got "
                         f"{out['user']!r}, {out['item']!r}, {out['timestamp']!r})", path)
    return out
