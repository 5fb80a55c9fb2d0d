"""Column names: the one table of names recognised in headers, and the mapping of
``--*-col`` options and headers onto the canonical roles."""

from __future__ import annotations

from ..errors import InputError

# Column names recognised in a header (lower-cased), in order of preference.
CANDIDATES = {
    "source": ("source", "src", "from", "actor", "follower", "user", "source_id", "user_id", "u"),
    "target": ("target", "dst", "to", "destination", "followee", "target_id", "v"),
    "type": ("type", "interaction", "edge_type", "action", "kind", "relation"),
    "weight": ("weight", "count", "w", "value"),
    "timestamp": ("timestamp", "time", "ts", "datetime", "date", "created_at", "t"),
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


def resolve_columns(path, names, header, options, first_row, extra_cols=()) -> dict:
    """Map canonical roles to file columns. Returns {role: column name or None}."""
    lower = {n.lower(): n for n in names}
    out: dict[str, str | None] = {}
    for role in ROLES:
        opt = options.get(role)
        if opt is not None:
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
            if out[role] is None:
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
        if free and options.get("weight") is None and options.get("type") is None:
            third = free[0]
            idx = names.index(third)
            val = first_row[idx] if idx < len(first_row) else ""
            role = "weight" if is_number(val) else "type"
            if out[role] is None:
                out[role] = third
    if out["source"] == out["target"]:
        raise InputError(f"source and target are the same column {out['source']!r}", path)
    return out


def check_extra(path, names, extra_cols):
    for c in extra_cols:
        if c not in names:
            raise InputError(f"no column {c!r} (columns: {', '.join(names)})", path)
