"""Delimited text files (CSV, TSV, whitespace edge lists): layout sniffing, the pyarrow
read, comment lines, and the line lookups of the error path."""

from __future__ import annotations

from dataclasses import dataclass

from .._jitcache import address_space_limited
from .._threads import in_background
from ..errors import InputError
from ._columns import CANDIDATES, is_number
from ._formats import SNIFF_BYTES, TEXT_EXT, base_ext, first_bad_utf8_line, iter_lines


def is_comment(line: str) -> bool:
    s = line.lstrip()
    return s.startswith("#") or s.startswith("%")



def csv_note(line: str) -> bool:
    """A blank line, or a ``#``/``%`` note without a comma, in a CSV. A CSV row that starts
    with ``#`` and has commas is data: ``#ai,bob`` is the hashtag ``#ai`` acting on ``bob``."""
    s = line.strip()
    return s == "" or (s.startswith(("#", "%")) and "," not in s)


def split_fields(line: str, delimiter: str) -> list[str]:
    """A line's fields: any run of blanks separates in a space-separated file; in a
    tab-separated one a run of tabs (with blanks around it) is one separator, and blanks
    at the line's ends are not fields."""
    if delimiter == " ":
        return line.split()
    if delimiter == "\t":
        import re

        return re.split(r"[ \t]*\t[ \t]*", line.strip(" \t\r\n"))
    return line.split(delimiter)


@dataclass
class TextLayout:
    delimiter: str
    header: bool
    names: list  # column names (header) or "1", "2", ... (headerless)
    skip_lines: int  # leading comment/blank lines before the header or first row
    first_row: list
    has_inner_comments: bool
    # ``#``/``%`` comment lines exist only in blank-separated (SNAP/KONECT) files; in a CSV
    # a field starting with ``#`` is data (hashtags are ids)
    comments: bool = True
    # the first data rows in the sniffed head (split into fields), for guessing roles
    sample: list = None
    # the head has runs of blanks or blanks at a line's ends (read with runs collapsed)
    messy_blanks: bool = False


def text_layout(path: str, head: bytes, header: bool | None, named: set) -> TextLayout:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a multi-byte char cut at the end
            line = head[: exc.start].count(b"\n") + 1
            raise InputError("not valid UTF-8 text", path, line) from None
        text = head[: exc.start].decode("utf-8")
    text = text.removeprefix("\ufeff")  # a byte-order mark (Excel's CSV); pyarrow skips it too
    lines = text.splitlines()
    if len(head) == SNIFF_BYTES and lines:
        lines = lines[:-1]  # the last line may be cut
    skip = 0
    for ln in lines:
        if ln.strip() == "" or is_comment(ln):
            skip += 1
            continue
        break
    else:
        raise InputError("no data rows (only comments or blank lines)", path)
    first = lines[skip]
    ext = base_ext(path)
    if ext in TEXT_EXT:
        delim = TEXT_EXT[ext]
    elif "\t" in first:
        delim = "\t" if _tab_separated(first, lines[skip + 1:]) else " "
    elif "," in first:
        delim = ","
    else:
        delim = " "
    comments = delim != ","
    if not comments:  # a CSV: only blank and note lines (no comma) come before the first row
        skip = next(i for i, ln in enumerate(lines) if not csv_note(ln))
        first = lines[skip]

    def comment(line: str) -> bool:
        return is_comment(line) if comments else csv_note(line)
    fields = split_fields(first, delim)
    rest = lines[skip + 1 :]
    if header is None:
        # a header only if the row cannot be data: a number is never a column name, even
        # when an option names a column by position (--time-col 3 on "1 2 1082040961")
        words = {f.strip() for f in fields if not is_number(f)}
        known = {c for cands in CANDIDATES.values() for c in cands if len(c) > 1}
        header = bool({w.lower() for w in words} & known) or bool(words & named)
        if not header:
            # like csv.Sniffer.has_header: a text field above a number is a header
            nxt = next((ln for ln in rest if ln.strip() and not comment(ln)), None)
            if nxt is not None:
                second = split_fields(nxt, delim)
                header = any(
                    not is_number(a) and is_number(b) for a, b in zip(fields, second)
                )
    inner = comments and any(comment(ln) for ln in rest)
    if header:
        names = [f.strip() for f in fields]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise InputError(f"duplicate column name(s) in header: {', '.join(dup)}", path, skip + 1)
        data_first = next((ln for ln in rest if ln.strip() and not comment(ln)), None)
        if data_first is None and len(head) < SNIFF_BYTES:
            raise InputError("no data rows (only a header)", path)
        first_row = split_fields(data_first, delim) if data_first is not None else []
    else:
        names = [str(i + 1) for i in range(len(fields))]
        first_row = fields
    sample = [first_row] if not header else []
    for ln in rest[: SAMPLE_ROWS + 1]:
        if ln.strip() and not comment(ln) and len(sample) < SAMPLE_ROWS:
            sample.append(_sample_fields(ln, delim))
    messy = False
    if delim == " ":
        import re

        blank_runs = re.compile(r"^[ \t]|[ \t]$|[ \t]{2}")
        messy = any(blank_runs.search(ln.rstrip("\r\n")) for ln in lines[skip:] if ln.strip())
    elif delim == "\t":
        # blanks around a field are trimmed after the read; only a run of tabs, blanks
        # between two tabs or a tab at a line's start or end add fields: then collapse
        messy = any(len(ln.split("\t")) != len(split_fields(ln, "\t"))
                    for ln in lines[skip:] if ln.strip() and not comment(ln))
    return TextLayout(delim, header, names, skip, first_row, inner, comments, sample, messy)


def _tab_separated(first: str, rest: list[str]) -> bool:
    """Whether a file whose first row has a tab is tab-separated (fields may hold blanks:
    ``New York``) rather than a blank-separated list that mixes tabs and spaces
    (``src dst<TAB>ts`` over rows ``a  b 17``): blank-separated when some row of the head has
    no tab and the rows' counts of blank-separated fields agree with the first row's while
    their counts of tab-separated fields do not."""
    rows = [ln for ln in rest if ln.strip() and not is_comment(ln)]
    if all("\t" in ln for ln in rows):
        return True
    n_tab, n_blank = len(split_fields(first, "\t")), len(first.split())
    tab_fits = all(len(split_fields(ln, "\t")) == n_tab for ln in rows)
    blank_fits = all(len(ln.split()) == n_blank for ln in rows)
    return tab_fits or not blank_fits


#: Rows of the head used to guess a headerless file's column roles.
SAMPLE_ROWS = 1000


def _sample_fields(line: str, delim: str) -> list:
    if delim == ",":
        import csv

        return [f.strip() for f in next(csv.reader([line]), [])]
    return split_fields(line, delim)


def _invalid_row_collector(comments: bool = True, stop: bool = False):
    """``(seen, handler)``: the handler skips comment lines and keeps the first ragged row in
    ``seen``; with ``stop`` it ends the read there (the caller reads the file another way)."""
    seen = []

    def handler(row):
        text = (row.text or "").lstrip()
        if text.startswith(("#", "%")) and (comments or "," not in text):
            return "skip"  # a comment line between data rows: not a row at all
        if not seen:
            seen.append(row)
        return "error" if stop else "skip"

    return seen, handler


def off_the_main_thread(func, *args, **kwargs):
    """``func(*args, **kwargs)`` on a helper thread while the calling thread waits for it.

    Called from the main thread, ``pyarrow.csv.read_csv`` swaps in its own Ctrl-C/SIGTERM
    handling for the read, and that loses signals: its handler hands the signal to a thread
    of its own, which can ask the read to stop after the read has looked for a request for
    the last time (5 of 1,014 SIGINTs sent during reads were never seen by Python's handler;
    0 of 1,169 with pyarrow's handling off). From another thread pyarrow installs nothing,
    and the main thread's wait is cut short by the signal at once, as a cancelled read
    was (see :func:`graphkit._threads.in_background`)."""
    return in_background(func, *args, **kwargs)()


def read_text(path, layout: TextLayout, wanted: dict, extra_cols):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    cols = [c for c in list(wanted.values()) + list(extra_cols) if c is not None]
    col_types = {c: pa.string() for c in cols}
    if wanted.get("type") is not None:
        col_types[wanted["type"]] = pa.dictionary(pa.int32(), pa.string())
    read_opts = pcsv.ReadOptions(
        skip_rows=layout.skip_lines + (1 if layout.header else 0),
        column_names=layout.names,
        block_size=1 << 24,
        use_threads=not address_space_limited(),
    )
    # blank-separated files may hold runs of blanks or blanks at line ends (SNAP/KONECT as
    # downloaded): read them with blank runs collapsed, at once when the head shows it, else
    # as soon as the fast read meets the first ragged row (not after a Python call per row)
    collapsible = layout.delimiter == " " or (layout.delimiter == "\t" and not layout.header)
    seen, handler = _invalid_row_collector(layout.comments, stop=collapsible)
    parse_opts = pcsv.ParseOptions(
        delimiter=layout.delimiter,
        quote_char='"' if layout.delimiter == "," else False,
        ignore_empty_lines=True,
        invalid_row_handler=handler,
    )
    conv_opts = pcsv.ConvertOptions(
        column_types=col_types,
        include_columns=cols,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        null_values=[],
    )

    def parse(source):
        try:
            return off_the_main_thread(pcsv.read_csv, source, read_options=read_opts,
                                       parse_options=parse_opts, convert_options=conv_opts)
        except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
            if seen and collapsible and source is path:
                return None  # stopped at a ragged row: read again with blank runs collapsed
            msg = str(exc).splitlines()[0]
            if "UTF8" in msg or "UTF-8" in msg:
                raise InputError("not valid UTF-8 text", path, first_bad_utf8_line(path)) from None
            raise InputError(f"cannot parse: {msg}", path) from None

    table = None if collapsible and layout.messy_blanks else parse(path)
    collapsed = table is None
    if collapsed:
        seen.clear()
        seen, parse_opts.invalid_row_handler = _invalid_row_collector(layout.comments)
        parse_opts.delimiter = " "
        table = parse(_blank_runs_collapsed(path))
    if layout.delimiter in (" ", "\t") and not collapsed:  # collapsed: no field has a blank
        table = _trim_blanks(table)
    if seen:
        row = seen[0]
        line = row.number if row.number is not None and row.number > 0 else find_ragged_line(path, layout)
        message = f"expected {row.expected_columns} fields, found {row.actual_columns}"
        if line is not None and _has_lone_cr(path, line):
            message += " (a carriage return inside the line ends a row; quote that field)"
        raise InputError(message, path, line)
    if layout.has_inner_comments:
        table = _drop_comment_rows(table, wanted["source"])
    return table


def _blank_runs_collapsed(path):
    """The file's text with every run of spaces/tabs turned into one space and blanks at line
    ends removed; lines are kept, so pyarrow's row numbers stay the file's line numbers."""

    import pyarrow as pa

    from ._formats import compression_of, open_bytes

    try:
        if compression_of(path) == "gzip":  # one C call: ~40% faster than GzipFile.read()
            import gzip

            with open(path, "rb") as fh:
                data = gzip.decompress(fh.read())
        else:
            with open_bytes(path) as fh:
                data = fh.read()
    except (OSError, EOFError, ValueError) as exc:
        raise InputError(f"cannot read file ({exc})", path) from None
    # bytes.replace runs in C: tabs to spaces, halve runs of spaces until none is left, then
    # drop the one blank left at a line's start or end (about 25x faster than re.sub)
    data = data.removeprefix(b"\xef\xbb\xbf").replace(b"\t", b" ")
    while b"  " in data:
        data = data.replace(b"    ", b" ").replace(b"  ", b" ")
    data = data.replace(b"\n ", b"\n").replace(b" \r\n", b"\r\n").replace(b" \n", b"\n")
    data = data.removeprefix(b" ")
    if data.endswith((b" ", b" \r")):
        data = data[:-1] if data.endswith(b" ") else data[:-2] + b"\r"
    return pa.BufferReader(pa.py_buffer(data))


def _trim_blanks(table):
    """Strip spaces and tabs around the string fields of a blank-separated file (``a<TAB> b``
    is the users ``a`` and ``b``, not ``" b"``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for i, field in enumerate(table.schema):
        if not pa.types.is_string(field.type):
            continue
        col = table.column(i)
        if any(_blank_at_an_end(chunk) for chunk in col.chunks):
            table = table.set_column(i, field, pc.utf8_trim(col, " \t"))
    return table


def _blank_at_an_end(arr) -> bool:
    """Whether a string of ``arr`` starts or ends with a space or a tab: the first and last
    byte of each value, read from the Arrow buffers (a regular expression over every value
    costs 20x more)."""
    import numpy as np

    n = len(arr)
    if n == 0:
        return False
    _, off_buf, data_buf = arr.buffers()
    if data_buf is None:
        return False
    offsets = np.frombuffer(off_buf, dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    data = np.frombuffer(data_buf, dtype=np.uint8)
    start, end = offsets[:-1], offsets[1:]
    full = end > start  # nulls and empty values have no byte to look at
    first, last = data[start[full]], data[end[full] - 1]
    return bool(((first == 32) | (first == 9) | (last == 32) | (last == 9)).any())


def _drop_comment_rows(table, source_col):
    import pyarrow.compute as pc

    src = table.column(source_col)
    is_comment = pc.or_(pc.starts_with(src, "#"), pc.starts_with(src, "%"))
    return table.filter(pc.invert(is_comment))


def data_line(path: str, row: int, layout: TextLayout | None) -> int | None:
    """Physical 1-based line of data row ``row`` (0-based); None when unknown."""
    if layout is None:  # JSON Lines: one object per non-blank line
        k = -1
        for i, raw in iter_lines(path):
            if raw.strip():
                k += 1
                if k == row:
                    return i
        return None
    k = -1
    seen_header = not layout.header
    for i, raw in iter_lines(path):
        s = raw.decode("utf-8", "replace")
        if not s.strip() or (is_comment(s) if layout.comments else csv_note(s)):
            continue
        if not seen_header:
            seen_header = True
            continue
        k += 1
        if k == row:
            return i
    return None


def _has_lone_cr(path, line: int) -> bool:
    for i, raw in iter_lines(path):
        if i == line:
            return b"\r" in raw.rstrip(b"\r\n")
    return False


def find_ragged_line(path, layout: TextLayout) -> int | None:
    want = len(layout.names)
    seen_header = not layout.header
    for i, raw in iter_lines(path):
        s = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not s.strip() or (is_comment(s) if layout.comments else csv_note(s)):
            continue
        if "\r" in s:  # a lone carriage return: the fast parser ends the row there
            return i
        if not seen_header:
            seen_header = True
            continue
        if layout.delimiter == ",":
            import csv

            n = len(next(csv.reader([s])))
        else:
            n = len(split_fields(s, layout.delimiter))
        if n != want:
            return i
    return None
