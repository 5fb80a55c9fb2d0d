"""File-level plumbing shared by every reader: compression, format sniffing, byte heads,
line iteration for error messages, and the Parquet/JSON Lines openers."""

from __future__ import annotations

import bz2
import gzip
import os

from ..errors import InputError

TEXT_EXT = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
JSON_EXT = {".jsonl", ".ndjson", ".json"}
COMPRESSION = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bz2"}
SNIFF_BYTES = 1 << 16


def compression_of(path: str) -> str | None:
    return COMPRESSION.get(os.path.splitext(path)[1].lower())


def base_ext(path: str) -> str:
    root, ext = os.path.splitext(path.lower())
    if ext in COMPRESSION:
        ext = os.path.splitext(root)[1]
    return ext


def open_bytes(path: str):
    comp = compression_of(path)
    if comp == "gzip":
        return gzip.open(path, "rb")
    if comp == "bz2":
        return bz2.open(path, "rb")
    return open(path, "rb")


def read_head(path: str) -> bytes:
    """The first bytes of the (decompressed) file; InputError if it cannot be read."""
    comp = compression_of(path)
    try:
        with open_bytes(path) as fh:
            return fh.read(SNIFF_BYTES)
    except (OSError, EOFError, ValueError) as exc:
        kind = {"gzip": "gzip", "bz2": "bzip2"}.get(comp or "", "")
        if kind:
            raise InputError(f"not a valid {kind} file ({exc})", path) from None
        raise InputError(f"cannot read file ({exc})", path) from None


def check_file(path: str):
    if not os.path.exists(path):
        raise InputError("no such file", path)
    if os.path.isdir(path):
        raise InputError("is a directory, not a file", path)
    if not os.access(path, os.R_OK):
        raise InputError("permission denied (cannot read the file)", path)
    if os.path.getsize(path) == 0:
        raise InputError("file is empty", path)


def looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    sample = head[:4096]
    if not sample:
        return False
    try:  # valid UTF-8 without NUL is text, whatever control characters its ids hold
        sample.decode("utf-8")
        return False
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(head) > len(sample) - 3:
            try:  # only a character cut at the end of the sample
                sample[: exc.start].decode("utf-8")
                return False
            except UnicodeDecodeError:
                pass
    # Mostly control bytes outside tab/newline/CR -> not text.
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return ctrl > len(sample) * 0.05


def detect_format(path: str, head: bytes) -> str:
    ext = base_ext(path)
    if head[:4] == b"PAR1" or ext == ".parquet" or ext == ".pq":
        return "parquet"
    if ext in JSON_EXT:
        return "jsonl"
    stripped = head.lstrip()
    if stripped[:1] == b"{" and ext not in TEXT_EXT:
        return "jsonl"
    return "text"


def open_parquet(path, wanted, extra_cols):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"not a readable Parquet file ({str(exc).splitlines()[0]})", path) from None
    names = list(pf.schema_arrow.names)
    return pf, names


def read_json(path, extra_cols):
    import pyarrow as pa
    import pyarrow.json as pjson

    try:
        table = pjson.read_json(path, read_options=pjson.ReadOptions(block_size=1 << 24))
    except pa.ArrowInvalid as exc:
        msg = str(exc).splitlines()[0]
        raise InputError(f"not valid JSON Lines ({msg})", path, first_bad_json_line(path)) from None
    return table


def iter_lines(path):
    with open_bytes(path) as fh:
        yield from enumerate(fh, start=1)


def first_bad_utf8_line(path) -> int | None:
    for i, raw in iter_lines(path):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return i
    return None


def first_bad_json_line(path) -> int | None:
    import json

    for i, raw in iter_lines(path):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except ValueError:
            return i
        if not isinstance(obj, dict):
            return i
    return None


STDIN_NAME = "<stdin>"


class stdin_copy:  # noqa: N801 - a context manager used like a function
    """Standard input copied to a private temporary file (removed on exit), so every reader
    can sniff, re-read and locate lines as in a named file. Yields ``(path, rename)``:
    ``rename(exc)`` gives the InputError with the temporary path replaced by ``<stdin>``.
    The file's name carries the compression or Parquet suffix its first bytes show."""

    def __enter__(self):
        import shutil
        import sys
        import tempfile

        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise InputError("standard input is not available", STDIN_NAME)
        try:
            if sys.stdin.isatty():
                raise InputError("'-' reads standard input, which is a terminal here; pipe or "
                                 "redirect a file into the command", STDIN_NAME)
        except (AttributeError, ValueError):
            pass
        self.dir = tempfile.mkdtemp(prefix="graphkit-stdin-")
        try:
            head = stream.read(4)
            name = ("stdin.gz" if head[:2] == b"\x1f\x8b" else "stdin.bz2" if head[:3] == b"BZh"
                    else "stdin.parquet" if head == b"PAR1" else "stdin")
            self.path = os.path.join(self.dir, name)
            with open(self.path, "wb") as out:
                out.write(head)
                shutil.copyfileobj(stream, out, 1 << 20)
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        return self.path, self.rename

    def rename(self, exc):
        text = (exc.message or "").replace(self.path, STDIN_NAME)
        path = STDIN_NAME if exc.path == self.path else exc.path
        return type(exc)(text, path, exc.line) if type(exc).__init__ is InputError.__init__ \
            else exc

    def __exit__(self, *exc):
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)
        return False
