"""Seeded synthetic interaction graphs with heavy-tailed (power-law) degrees.

For tests and benchmarks: :func:`powerlaw_edges` draws typed edges ``source acted on target``
(DESIGN §2) as numpy arrays; :func:`write_edges_csv` writes them as an edge file graphkit reads.
Everything is vectorised numpy, so 10 million edges take a few seconds.

Command line (benchmark files)::

    python -m graphkit.synthetic --users 1000000 --edges 10000000 --seed 7 -o bench/10m.csv.gz
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from graphkit._rng import as_generator
from graphkit.io import atomic_path

if TYPE_CHECKING:  # pragma: no cover
    from ._rng import RngLike

__all__ = ["powerlaw_edges", "write_edges_csv"]

DEFAULT_TYPES = ("follow", "share", "comment")
DEFAULT_MIX = (0.6, 0.3, 0.1)
_CHUNK = 1_000_000  # rows per CSV write batch (bounds the memory of the text columns)
_FORBIDDEN = set(',"\r\n')


def _zipf_ranks(gen: np.random.Generator, n_users: int, size: int, alpha: float) -> np.ndarray:
    """Draw ``size`` ranks in ``[0, n_users)`` with ``P(rank r) ~ (r + 1) ** -alpha``.

    Inverse-CDF sampling of the continuous density ``x ** -alpha`` on ``[1, n_users + 1)``,
    floored: O(1) per draw, no table of ``n_users`` cumulative weights to search.
    """
    u = gen.random(size)
    top = float(n_users + 1)
    if abs(alpha - 1.0) < 1e-9:
        x = np.exp(u * np.log(top))
    else:
        b = 1.0 - alpha
        x = (1.0 + u * (top**b - 1.0)) ** (1.0 / b)
    ranks = x.astype(np.int64) - 1
    np.clip(ranks, 0, n_users - 1, out=ranks)  # guards float round-off at the ends
    return ranks


def _civil_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Proleptic Gregorian (year, month, day) of days since 1970-01-01, vectorised.

    H. Hinnant's ``civil_from_days`` algorithm
    (https://howardhinnant.github.io/date_algorithms.html).
    """
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


def _digits(value: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded ASCII digits of non-negative ints: an ``(n, width)`` uint8 array."""
    out = np.empty((value.size, width), dtype=np.uint8)
    for k in range(width - 1, -1, -1):  # one vectorised pass per digit position
        out[:, k] = ord("0") + value % 10
        value = value // 10
    return out


def _iso_utc(seconds: np.ndarray):
    """Unix seconds -> pyarrow string array ``YYYY-MM-DDTHH:MM:SSZ``, without per-row Python.

    The text of every day in the range and of every second of a day is built once, by integer
    arithmetic, and gathered per row into one fixed-width buffer: ~1 s for 10 million values,
    where ``pyarrow.compute.strftime`` costs ~1 µs per value.
    """
    import pyarrow as pa

    seconds = np.asarray(seconds, dtype=np.int64)
    n = seconds.size
    days = seconds // 86400
    sod = seconds - days * 86400
    d0 = int(days.min()) if n else 0
    all_days = np.arange(d0, (int(days.max()) if n else 0) + 1, dtype=np.int64)
    year, month, day = _civil_from_days(all_days)
    if n and (year.min() < 0 or year.max() > 9999):
        raise ValueError("timestamps must fall in years 0000-9999")
    date_text = np.empty((all_days.size, 11), dtype=np.uint8)  # YYYY-MM-DDT
    date_text[:, 0:4] = _digits(year, 4)
    date_text[:, 4] = ord("-")
    date_text[:, 5:7] = _digits(month, 2)
    date_text[:, 7] = ord("-")
    date_text[:, 8:10] = _digits(day, 2)
    date_text[:, 10] = ord("T")
    clock = np.arange(86400, dtype=np.int64)
    time_text = np.empty((86400, 9), dtype=np.uint8)  # HH:MM:SSZ
    time_text[:, 0:2] = _digits(clock // 3600, 2)
    time_text[:, 2] = ord(":")
    time_text[:, 3:5] = _digits(clock // 60 % 60, 2)
    time_text[:, 5] = ord(":")
    time_text[:, 6:8] = _digits(clock % 60, 2)
    time_text[:, 8] = ord("Z")

    rows = np.empty((n, 20), dtype=np.uint8)
    # gather through fixed-width bytes views (one item per row), then copy in as columns
    rows[:, :11] = date_text.view("S11")[:, 0][days - d0].view(np.uint8).reshape(n, 11)
    rows[:, 11:] = time_text.view("S9")[:, 0][sod].view(np.uint8).reshape(n, 9)
    offsets = np.arange(0, 20 * (n + 1), 20, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(rows))


def _check_types(
    types: Sequence[str], type_mix: Sequence[float]
) -> tuple[tuple[str, ...], np.ndarray]:
    types = tuple(types)
    if not types:
        raise ValueError("types must name at least one interaction type")
    if len(types) > 127:
        raise ValueError(f"at most 127 types fit the int8 type codes, got {len(types)}")
    for t in types:
        if not isinstance(t, str) or not t:
            raise ValueError(f"type labels must be non-empty strings, got {t!r}")
    if len(set(types)) != len(types):
        raise ValueError(f"type labels must be distinct, got {types}")
    mix = np.asarray(type_mix, dtype=np.float64)
    if mix.shape != (len(types),):
        raise ValueError(f"type_mix needs one weight per type ({len(types)}), got {len(mix)}")
    if not np.all(np.isfinite(mix)) or np.any(mix < 0) or mix.sum() <= 0:
        raise ValueError(
            f"type_mix must be non-negative weights with a positive sum, got {tuple(mix)}"
        )
    return types, mix


def powerlaw_edges(
    n_users: int,
    n_edges: int,
    *,
    types: Sequence[str] = DEFAULT_TYPES,
    type_mix: Sequence[float] = DEFAULT_MIX,
    exponent: float = 2.1,
    rng: RngLike = None,
) -> dict:
    """Draw a typed interaction graph with a power-law in-degree.

    Each edge is *source acted on target*. Targets are drawn from a Zipf-like popularity
    ``P(user of popularity rank r) ~ r ** (-1 / (exponent - 1))``, which gives an in-degree
    distribution with tail ``P(k) ~ k ** -exponent``: a few very popular users receive a large
    share of all interactions. Actors (sources) follow a milder heavy tail, with in-tail exponent
    ``2 * exponent - 1`` (half the Zipf slope), independent of popularity. Popularity ranks are
    mapped to user ids through random permutations, so id order says nothing about popularity.
    Self-loops are removed by moving their source to a uniformly random other user. Duplicate
    ``(source, target, type)`` rows are kept: they model repeat interactions.

    Parameters
    ----------
    n_users : int
        Number of users; ids are ``0 .. n_users - 1``. At least 2 when ``n_edges > 0``.
    n_edges : int
        Number of edges (rows) to draw.
    types : sequence of str, default ("follow", "share", "comment")
        Interaction type labels; the edge ``type`` codes index this tuple.
    type_mix : sequence of float, default (0.6, 0.3, 0.1)
        Relative frequency of each type (normalised; need not sum to 1).
    exponent : float, default 2.1
        Power-law exponent of the in-degree tail; must be greater than 1. Smaller is more
        concentrated (``2.0`` to ``2.5`` is typical of social networks).
    rng : int, numpy.random.Generator or None
        Seed or generator; the same seed gives identical arrays.

    Returns
    -------
    dict
        ``source`` and ``target`` (``int64`` arrays of length ``n_edges``), ``type`` (``int8``
        codes into ``types``) and ``types`` (the tuple of labels).

    Raises
    ------
    ValueError
        For negative sizes, fewer than 2 users with edges to draw, ``exponent <= 1`` or a bad
        ``types`` / ``type_mix``.

    Examples
    --------
    >>> from graphkit.synthetic import powerlaw_edges
    >>> e = powerlaw_edges(1000, 5000, rng=42)
    >>> e["source"].shape, e["type"].dtype, e["types"]
    ((5000,), dtype('int8'), ('follow', 'share', 'comment'))
    >>> bool((e["source"] != e["target"]).all())
    True

    References
    ----------
    .. [1] F. Chung, L. Lu, "Connected components in random graphs with given expected degree
       sequences", Annals of Combinatorics 6, 125-145 (2002).
    .. [2] A.-L. Barabási, R. Albert, "Emergence of scaling in random networks", Science 286,
       509-512 (1999).
    """
    n_users = int(n_users)
    n_edges = int(n_edges)
    if n_users < 0 or n_edges < 0:
        raise ValueError(f"n_users and n_edges must be >= 0, got {n_users} and {n_edges}")
    if n_edges > 0 and n_users < 2:
        raise ValueError(f"need at least 2 users to draw edges without self-loops, got {n_users}")
    exponent = float(exponent)
    if not exponent > 1.0 or not np.isfinite(exponent):
        raise ValueError(f"exponent must be a finite number > 1, got {exponent}")
    types, mix = _check_types(types, type_mix)
    gen = as_generator(rng)

    if n_edges == 0:
        empty = np.empty(0, dtype=np.int64)
        return {
            "source": empty,
            "target": empty.copy(),
            "type": np.empty(0, np.int8),
            "types": types,
        }

    alpha_target = 1.0 / (exponent - 1.0)
    alpha_source = alpha_target / 2.0
    target_ids = gen.permutation(n_users).astype(np.int64)
    source_ids = gen.permutation(n_users).astype(np.int64)
    target = target_ids[_zipf_ranks(gen, n_users, n_edges, alpha_target)]
    source = source_ids[_zipf_ranks(gen, n_users, n_edges, alpha_source)]

    loops = np.flatnonzero(source == target)
    if loops.size:
        shift = gen.integers(1, n_users, size=loops.size, dtype=np.int64)
        source[loops] = (target[loops] + shift) % n_users

    cdf = np.cumsum(mix / mix.sum())
    cdf[-1] = 1.0
    codes = np.searchsorted(cdf, gen.random(n_edges), side="right").astype(np.int8)
    return {"source": source, "target": target, "type": codes, "types": types}


def write_edges_csv(
    path,
    n_users: int,
    n_edges: int,
    *,
    rng: RngLike = None,
    with_timestamp: bool = False,
    start: str = "2024-01-01T00:00:00Z",
    span_days: float = 30.0,
    compresslevel: int = 1,
    **kw,
) -> Path:
    """Write a synthetic edge file ``source,target,type[,timestamp]``.

    Draws the edges with :func:`powerlaw_edges` and writes them with ``pyarrow.csv``: ids as
    integer text, ``type`` as its label, and (with ``with_timestamp``) ISO-8601 UTC times such
    as ``2024-01-01T00:00:07Z``, drawn uniformly in ``[start, start + span_days)`` and assigned
    in increasing order down the file. A path ending in ``.gz`` is gzip-compressed
    (a single gzip member, header time 0, so the same seed gives the same bytes). The file is
    written to a temporary file in the same directory and moved into place with
    ``os.replace``, so a failed or interrupted write never leaves a partial file at ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        Output file; ``.gz`` selects gzip compression.
    n_users, n_edges : int
        Passed to :func:`powerlaw_edges`.
    rng : int, numpy.random.Generator or None
        Seed or generator; the same seed gives a byte-identical file.
    with_timestamp : bool, default False
        Add a ``timestamp`` column.
    start : str, default "2024-01-01T00:00:00Z"
        Start of the time window (any string ``numpy.datetime64`` parses; read as UTC).
    span_days : float, default 30.0
        Length of the time window in days.
    compresslevel : int, default 1
        gzip level for ``.gz`` paths (1, the default, is fastest: files ~15% bigger than at 9, written ~10x faster).
    **kw
        Further keyword arguments of :func:`powerlaw_edges` (``types``, ``type_mix``,
        ``exponent``).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        For bad generator arguments, a ``span_days`` that is not positive, or a type label
        containing a comma, a double quote or a line break.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from graphkit.synthetic import write_edges_csv
    >>> d = tempfile.mkdtemp()
    >>> p = write_edges_csv(os.path.join(d, "edges.csv.gz"), 100, 500, rng=1, with_timestamp=True)
    >>> df = pd.read_csv(p, dtype=str)
    >>> list(df.columns), len(df)
    (['source', 'target', 'type', 'timestamp'], 500)
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    path = Path(path)
    for t in kw.get("types", DEFAULT_TYPES):  # checked before any work is done
        if isinstance(t, str) and _FORBIDDEN & set(t):
            raise ValueError(f"type label {t!r} contains a comma, quote or line break")
    if with_timestamp:
        if not span_days > 0:
            raise ValueError(f"span_days must be > 0, got {span_days}")
        t0 = int(np.datetime64(start.rstrip("Z"), "s").astype(np.int64))
        span = max(1, int(round(span_days * 86400)))
    if compresslevel not in range(10):
        raise ValueError(f"compresslevel must be 0-9, got {compresslevel}")

    gen = as_generator(rng)
    edges = powerlaw_edges(n_users, n_edges, rng=gen, **kw)
    labels = edges["types"]
    stamps = None
    if with_timestamp:
        stamps = np.sort(t0 + gen.integers(0, span, size=n_edges, dtype=np.int64))

    columns = ["source", "target", "type"] + (["timestamp"] if with_timestamp else [])
    header = (",".join(columns) + "\n").encode()  # pyarrow would quote the header names
    label_array = pa.array(labels, pa.string())
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")

    gz = path.name.endswith(".gz")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp, ExitStack() as stack:
        out = stack.enter_context(open(tmp, "wb"))
        if gz:  # mtime 0 and no name in the header: same seed, same bytes
            out = stack.enter_context(
                gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=compresslevel,
                              mtime=0)
            )
        out.write(header)
        for lo in range(0, n_edges, _CHUNK):
            hi = min(lo + _CHUNK, n_edges)
            cols = {
                "source": pa.array(edges["source"][lo:hi]),
                "target": pa.array(edges["target"][lo:hi]),
                "type": pc.take(label_array, pa.array(edges["type"][lo:hi])),
            }
            if stamps is not None:
                cols["timestamp"] = _iso_utc(stamps[lo:hi])
            buf = pa.BufferOutputStream()
            pacsv.write_csv(pa.table(cols), buf, write_options=options)
            out.write(buf.getvalue())
    return path


def _float_list(text: str) -> list[float]:
    return [float(x) for x in text.split(",")]


def main(argv: list[str] | None = None) -> int:
    """``python -m graphkit.synthetic``: write a synthetic benchmark edge file."""
    parser = argparse.ArgumentParser(
        prog="python -m graphkit.synthetic",
        description="Write a seeded synthetic power-law interaction graph as CSV (.gz to compress).",
    )
    parser.add_argument("--users", type=int, required=True, help="number of users")
    parser.add_argument("--edges", type=int, required=True, help="number of edges (rows)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: fresh)")
    parser.add_argument("-o", "--output", required=True, help="output path (.csv or .csv.gz)")
    parser.add_argument("--exponent", type=float, default=2.1, help="in-degree power-law exponent")
    parser.add_argument(
        "--types",
        default=",".join(DEFAULT_TYPES),
        help="comma-separated type labels (default: %(default)s)",
    )
    parser.add_argument(
        "--mix",
        type=_float_list,
        default=list(DEFAULT_MIX),
        help="comma-separated type weights (default: 0.6,0.3,0.1)",
    )
    parser.add_argument("--timestamps", action="store_true", help="add a timestamp column")
    args = parser.parse_args(argv)
    try:
        out = write_edges_csv(
            args.output,
            args.users,
            args.edges,
            rng=args.seed,
            with_timestamp=args.timestamps,
            types=tuple(args.types.split(",")),
            type_mix=args.mix,
            exponent=args.exponent,
        )
    except ValueError as exc:
        parser.exit(1, f"error: {exc}\n")
    print(f"wrote {out}: {args.edges:,} edges, {args.users:,} users, {out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
