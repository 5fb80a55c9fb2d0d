"""Column names: the one table of names recognised in headers, and the mapping of
``--*-col`` options and headers onto the canonical roles."""

from __future__ import annotations

import re

from ..errors import InputError

# Column names recognised in a header (lower-cased), in order of preference.
CANDIDATES = {
    "source": ("source", "src", "from", "actor", "follower", "user", "source_id", "user_id", "u"),
    "target": ("target", "dst", "to", "destination", "followee", "target_id", "v"),
    "type": ("type", "interaction", "edge_type", "action", "kind", "relation"),
    "weight": ("weight", "count", "w", "value", "rating", "sign"),
    "timestamp": ("timestamp", "time", "ts", "datetime", "date", "created_at", "unixtime",
                  "unix_time", "epoch", "created_utc", "t"),
}
ROLES = ("source", "target", "type", "weight", "timestamp")

# Action logs (``graphkit learn --actions``): the acting user, the item, the time.
ACTION_CANDIDATES = {
    "user": ("user", "user_id", "actor", "source", "src", "from", "u"),
    "item": ("item", "item_id", "content", "post", "video", "url", "hashtag", "target", "dst",
             "to", "destination", "i"),
    "timestamp": CANDIDATES["timestamp"],
}


def is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def match_column(option, names) -> str | None:
    """The column a ``--*-col`` option names: exactly, ignoring case, or by 1-based position."""
    opt = str(option)
    if opt in names:
        return opt
    lower = {n.lower(): n for n in names}
    if opt.lower() in lower:
        return lower[opt.lower()]
    if opt.isdigit() and 1 <= int(opt) <= len(names):
        return names[int(opt) - 1]
    return None


def is_none(option) -> bool:
    """``--weight-col none`` (and ``--time-col none``, ``--type-col none``): no such column."""
    return option is not None and str(option).strip().lower() == "none"


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def time_unit_of(values) -> str | None:
    """``"iso"`` or the unit (``s``/``ms``/``us``/``ns``) when every value of a sample looks
    like a time: ISO 8601 dates, or unix times of 1995..2100 in one unit that mostly do not
    decrease (at least half the steps); None otherwise."""
    from ._values import PLAUSIBLE

    vals = [v.strip() for v in values if v.strip() != ""]
    if not vals:
        return None
    if all(_ISO.match(v) for v in vals):
        return "iso"
    try:
        nums = [float(v) for v in vals]
    except ValueError:
        return None
    for unit, (lo, hi) in PLAUSIBLE.items():
        if all(lo <= x <= hi for x in nums):
            steps = [b >= a for a, b in zip(nums, nums[1:])]
            if not steps or sum(steps) * 2 >= len(steps):
                return unit
            return None
    return None


def resolve_columns(path, names, header, options, first_row, extra_cols=(), sample=None,
                    notes=None) -> dict:
    """Map canonical roles to file columns. Returns {role: column name or None}.

    An option ``none`` turns a role off. In a headerless file the columns after source and
    target are guessed from ``sample`` (rows of fields): a column of unix times or ISO dates
    is the time, else the third column is a weight when numeric and a type otherwise; each
    guess is appended to ``notes`` (``"column 3 read as time (unix seconds)"``).
    """
    lower = {n.lower(): n for n in names}
    out: dict[str, str | None] = {}
    off = {role for role in ROLES if is_none(options.get(role))}
    for role in ROLES:
        opt = options.get(role)
        if opt is not None and role not in off:
            col = match_column(opt, names)
            if col is not None:
                out[role] = col
            else:
                raise InputError(
                    f"no column {opt!r} for --{'time' if role == 'timestamp' else role}-col "
                    f"(columns: {', '.join(names)})",
                    path,
                )
        else:
            out[role] = None
    if header:
        taken = {c for c in out.values() if c is not None}
        for role in ROLES:
            if out[role] is None and role not in off:
                for cand in CANDIDATES[role]:
                    col = lower.get(cand)
                    if col is not None and col not in taken:
                        out[role] = col
                        taken.add(col)
                        break
        for role in ("source", "target"):
            if out[role] is None:
                raise InputError(
                    f"no {role} column (columns: {', '.join(names)}); name it with --{role}-col",
                    path,
                )
    else:
        taken = {c for c in out.values() if c is not None} | set(extra_cols)
        free = [n for n in names if n not in taken]
        for role in ("source", "target"):
            if out[role] is None:
                if not free:
                    raise InputError(f"no column left for {role}", path)
                out[role] = free.pop(0)
        _guess_headerless(names, free, out, options, off, sample or [first_row], notes)
    if out["source"] == out["target"]:
        raise InputError(f"source and target are the same column {out['source']!r}", path)
    return out


def _guess_headerless(names, free, out, options, off, sample, notes) -> None:
    """Roles of a headerless file's remaining columns (see :func:`resolve_columns`)."""
    from ._values import TIME_UNITS

    def values(col):
        i = names.index(col)
        return [row[i] if i < len(row) else "" for row in sample]

    def say(text):
        if notes is not None:
            notes.append(text)

    guess_time = out["timestamp"] is None and "timestamp" not in off
    for k, col in enumerate(free):
        unit = time_unit_of(values(col)) if guess_time else None
        if unit is not None:
            out["timestamp"] = col
            guess_time = False
            say(f"column {col} read as time ({'ISO 8601' if unit == 'iso' else TIME_UNITS[unit]}"
                f"; --time-col none to ignore it)")
            continue
        if k > 0 or options.get("weight") is not None or options.get("type") is not None:
            continue
        first = values(col)[0] if sample else ""
        role = "weight" if is_number(first) else "type"
        if out[role] is None and role not in off:
            out[role] = col
            say(f"column {col} read as {role}"
                + ("; --weight-col none or --unweighted to ignore it" if role == "weight" else ""))


def check_extra(path, names, extra_cols):
    for c in extra_cols:
        if c not in names:
            raise InputError(f"no column {c!r} (columns: {', '.join(names)})", path)
