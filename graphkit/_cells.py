"""Text that leaves graphkit for a terminal, a spreadsheet or a one-id-per-line list.

User ids are arbitrary Unicode: a Parquet or JSON file can hold ``ESC]0;...BEL`` (which
retitles a terminal), ``ESC[2J`` (which clears it), a newline or U+2028 (which splits a
line-based list), a right-to-left override (which reorders what a terminal shows), or
``=HYPERLINK(...)`` (which a spreadsheet runs as a formula). The data stays as it is;
these helpers decide how it is shown or written.
"""

from __future__ import annotations

import re

__all__ = ["visible", "has_line_break", "neutralize", "unneutralize", "FORMULA_START",
           "is_list_comment"]

# C0 controls, DEL, C1 controls, bidirectional embeddings/overrides/isolates, the
# zero-width joiners' bidi marks, and the Unicode line/paragraph separators.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                     "\u2028\u2029\ufeff]")
# What str.splitlines() and line-based readers split on.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

#: A spreadsheet reads a cell that starts with one of these as a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_PREFIX = re.compile("'*[=+\\-@\t\r]")
_PREFIXED = re.compile("'+[=+\\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _escape(match: re.Match) -> str:
    ch = match.group(0)
    code = ord(ch)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(
        ch, f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text) -> str:
    """``text`` with every control, bidi-control and line-separator character shown as
    a Python-style escape (``\\x1b``, ``\\n``, ``\\u202e``): safe to print on a terminal,
    always one line. Other characters (accents, CJK, emoji) are kept."""
    return _HIDDEN.sub(_escape, str(text))


def has_line_break(text: str) -> bool:
    """Whether ``text`` would be split by a line-based reader (``\\n``, ``\\r``, U+2028...)."""
    return _LINE_BREAK.search(text) is not None


def neutralize(cell: str) -> str:
    """A text cell a spreadsheet will not run as a formula: a cell that starts with
    ``= + - @``, a tab or a carriage return (after any number of ``'``) gets one ``'``
    in front, unless it is a plain number such as ``-5`` or ``+1e3``.

    :func:`unneutralize` undoes it exactly, so graphkit reads its own files back.
    """
    if _NEEDS_PREFIX.match(cell) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def unneutralize(cell: str) -> str:
    """The inverse of :func:`neutralize` (``unneutralize(neutralize(s)) == s`` for every
    string)."""
    if _PREFIXED.match(cell):  # only neutralize() writes a cell that starts like this
        return cell[1:]
    return cell


def is_list_comment(line: str) -> bool:
    """A comment line of a one-id-per-line list: ``#`` or ``%`` alone or followed by white
    space (``# seeds for May``, KONECT's ``% sym``). ``#ai`` is a hashtag id, not a comment."""
    s = line.strip()
    return s in ("#", "%") or (s[:1] in ("#", "%") and s[1:2].isspace())
