"""Arrow arrays to NumPy and back through their buffers, without pyarrow's pandas shim.

pyarrow imports pandas (0.2-0.4 s and ~40 MB in a new process) the first time a Python
object crosses into Arrow or an array is handed to NumPy: ``pa.array(...)`` (even of a
NumPy array), ``pa.scalar(...)`` and so every compute call given a Python scalar
(``pc.equal(arr, 0)``, ``pc.fill_null(arr, True)``, ``pc.index(arr, True)``),
``Array.to_numpy()`` (even ``zero_copy_only=True``) and ``np.asarray(arr)``: its
conversion layer first asks whether the object is a pandas one. Arrow-to-Arrow compute
calls, ``buffers()`` and ``to_pylist()`` do not. The readers use these helpers so that
``graphkit info`` and ``graphkit rank`` never load pandas (``tests/test_startup.py``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["to_numpy", "valid", "from_numpy", "objects", "strings", "first_true"]


def _storage_dtype(t) -> np.dtype:
    import pyarrow as pa

    if pa.types.is_boolean(t):
        return np.dtype(bool)
    if pa.types.is_integer(t):
        return np.dtype(("i" if pa.types.is_signed_integer(t) else "u") + str(t.bit_width // 8))
    if pa.types.is_floating(t):
        return np.dtype("f" + str(t.bit_width // 8))
    if pa.types.is_timestamp(t) or pa.types.is_date64(t) or pa.types.is_duration(t):
        return np.dtype(np.int64)
    if pa.types.is_date32(t):
        return np.dtype(np.int32)
    raise TypeError(f"no NumPy storage for Arrow type {t}")


def _one(arr):
    """A ChunkedArray as one Array (no copy when it has one chunk)."""
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        if arr.num_chunks == 1:
            return arr.chunk(0)
        return arr.combine_chunks()
    return arr


def _bits(buf, offset: int, n: int) -> np.ndarray:
    """``n`` bits of an Arrow bitmap (least significant bit first) from ``offset``."""
    if n == 0:
        return np.zeros(0, dtype=bool)
    raw = np.frombuffer(buf, dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little", count=offset + n)[offset:].astype(bool)


def valid(arr) -> np.ndarray:
    """True where ``arr`` (Array or ChunkedArray) holds a value, False at its nulls."""
    arr = _one(arr)
    n = len(arr)
    if arr.null_count == 0:
        return np.ones(n, dtype=bool)
    buf = arr.buffers()[0]
    if buf is None:  # a null-type array: nothing but nulls
        return np.zeros(n, dtype=bool)
    return _bits(buf, arr.offset, n)


def to_numpy(arr, null=None) -> np.ndarray:
    """The values of a numeric, boolean, date, timestamp or duration Arrow array (or
    ChunkedArray) as NumPy: numbers zero-copy (read-only), booleans unpacked, dates and
    times as their integer storage (int32 days, int64 in the type's unit).

    Nulls are refused (``ValueError``) unless ``null`` is given: the value put in their
    place (the result is then a writable copy).
    """
    arr = _one(arr)
    dtype = _storage_dtype(arr.type)
    n = len(arr)
    buf = arr.buffers()[1] if n else None
    if n == 0 or buf is None:
        out = np.zeros(n, dtype=dtype)
    elif dtype.kind == "b":
        out = _bits(buf, arr.offset, n)
    else:
        out = np.frombuffer(buf, dtype=dtype, count=n, offset=arr.offset * dtype.itemsize)
    if arr.null_count:
        if null is None:
            raise ValueError("the array holds nulls; say what replaces them")
        out = out.copy()
        out[~valid(arr)] = null
    return out


def from_numpy(values: np.ndarray, nulls: np.ndarray | None = None):
    """A 1-d NumPy array of numbers or booleans as an Arrow array (numbers share the NumPy
    memory); ``nulls`` (booleans) marks the values that become nulls."""
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    if values.ndim != 1:
        raise ValueError("a 1-d array is needed")
    validity, n_null = None, 0
    if nulls is not None and nulls.any():
        validity = pa.py_buffer(np.packbits(~nulls, bitorder="little"))
        n_null = int(nulls.sum())
    if values.dtype == bool:
        bits = pa.py_buffer(np.packbits(values, bitorder="little"))
        return pa.Array.from_buffers(pa.bool_(), len(values), [validity, bits], n_null)
    kind, size = values.dtype.kind, values.dtype.itemsize
    types = {("i", 1): pa.int8(), ("i", 2): pa.int16(), ("i", 4): pa.int32(), ("i", 8): pa.int64(),
             ("u", 1): pa.uint8(), ("u", 2): pa.uint16(), ("u", 4): pa.uint32(),
             ("u", 8): pa.uint64(), ("f", 4): pa.float32(), ("f", 8): pa.float64()}
    if (kind, size) not in types:
        raise TypeError(f"no Arrow type for NumPy {values.dtype}")
    return pa.Array.from_buffers(types[kind, size], len(values), [validity, pa.py_buffer(values)],
                                 n_null)


#: Past this many values, :func:`objects` uses pyarrow's own conversion (which may import
#: pandas, ~0.3 s: little next to converting a million strings one by one).
LONG = 100_000


def objects(arr) -> np.ndarray:
    """A string Arrow array (or ChunkedArray) as a NumPy object array of ``str`` (None at
    nulls)."""
    if len(arr) > LONG:
        return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)
    out = np.empty(len(arr), dtype=object)
    out[:] = arr.to_pylist()
    return out


def strings(values):
    """Python strings as an Arrow ``string`` array (``large_string`` past 2 GiB of text).

    ``UnicodeEncodeError`` for a string UTF-8 cannot hold (a lone surrogate). Built from
    buffers, not ``pa.array(list)``: that call imports pandas (0.3-0.4 s of start-up the
    light commands do not pay; ``tests/test_startup.py``).
    """
    import pyarrow as pa

    encoded = [str(v).encode("utf-8") for v in values]
    n = len(encoded)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=n), out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    if offsets[-1] < 2**31:
        return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets.astype(np.int32)), data])
    return pa.Array.from_buffers(pa.large_string(), n, [None, pa.py_buffer(offsets), data])


def first_true(mask) -> int:
    """Position of the first True of a boolean Arrow array or ChunkedArray (nulls count as
    False), or -1."""
    hits = np.flatnonzero(to_numpy(_one(mask), null=False))
    return int(hits[0]) if hits.shape[0] else -1
