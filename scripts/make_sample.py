#!/usr/bin/env python3
"""Derive graphkit's bundled realistic sample, ``data/higgs-sample.csv.gz``, from SNAP's Higgs Twitter data.

Source files (read from ``--source-dir``, unchanged SNAP downloads):

* ``higgs-social_network.prefix_5394_sources.edgelist.gz`` -- ``A B``: A follows B. The file is
  the first 355,051 lines of the original, i.e. the *complete* follow lists of 5,394 users, in
  file order.
* ``higgs-activity_time.txt.gz`` -- ``A B t TYPE``: at unix time ``t`` user A retweeted (RT),
  replied to (RE) or mentioned (MT) user B.

Selection rule (deterministic, no randomness):

1. **Actors.** Take the first ``--sources`` (default 2,500) distinct follower ids of the follow
   file, in file order. Their follow lists are complete, so every one is kept whole.
2. **User set U** = those actors plus every user they follow.
3. **follow** rows: every follow edge of the chosen actors (timestamp left empty: the follow
   graph carries no time).
4. **share / comment / mention** rows: every RT / RE / MT row of the activity file whose actor
   *and* target are both in U (the activity *among* the user set, so cascades stay inside the
   sample). Timestamps become ISO-8601 UTC strings (``2012-07-04T08:12:03Z``). Repeated
   interactions (same actor, target and type at different times) are all kept.
5. Self-loops (a user retweeting / mentioning / following themselves: 7,588 activity rows and
   14 follow rows in the full files) are dropped: they are not interactions between users.

Rows are sorted follows first (by source, target), then activity by timestamp, source, target,
type. Output: one gzip'd CSV (``source,target,type,timestamp``; ids written exactly as in the
source, integers as text), gzip header mtime 0, so the same inputs give a byte-identical file.

With the defaults: 243,621 rows (175,595 follow, 37,201 share, 4,906 comment, 25,919 mention),
48,132 users, all but 5 of them in one weakly connected component; about 1.0 MB gzip'd.

Run from the repository root::

    python scripts/make_sample.py

Credit: De Domenico, Lima, Mougel, Musolesi, "The Anatomy of a Scientific Rumor",
Scientific Reports 3, 2980 (2013); SNAP (Stanford Large Network Dataset Collection).
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE_DIR = REPO.parent / "shared" / "data" / "higgs"
DEFAULT_OUT = REPO / "data" / "higgs-sample.csv.gz"
FOLLOW_FILE = "higgs-social_network.prefix_5394_sources.edgelist.gz"
ACTIVITY_FILE = "higgs-activity_time.txt.gz"
ACTIVITY_TYPES = {"RT": "share", "RE": "comment", "MT": "mention"}
TYPE_ORDER = ["follow", "share", "comment", "mention"]
DEFAULT_SOURCES = 2500
HEADER = b"source,target,type,timestamp\n"  # pyarrow would quote the header names


def _read_space_separated(path: Path, names: list[str], types: dict) -> pd.DataFrame:
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names),
        parse_options=pacsv.ParseOptions(delimiter=" "),
        convert_options=pacsv.ConvertOptions(column_types=types),
    )
    return table.to_pandas()


def load_follows(source_dir: Path) -> pd.DataFrame:
    """Follow edges ``source, target`` (int64) in file order."""
    return _read_space_separated(
        source_dir / FOLLOW_FILE, ["source", "target"], {"source": pa.int64(), "target": pa.int64()}
    )


def load_activity(source_dir: Path) -> pd.DataFrame:
    """Activity rows ``source, target, t, code`` (RT/RE/MT) in file order."""
    return _read_space_separated(
        source_dir / ACTIVITY_FILE,
        ["source", "target", "t", "code"],
        {"source": pa.int64(), "target": pa.int64(), "t": pa.int64(), "code": pa.string()},
    )


def select_sample(follows: pd.DataFrame, activity: pd.DataFrame, n_sources: int) -> pd.DataFrame:
    """Apply the selection rule of the module docstring.

    Returns a DataFrame ``source, target (int64), type (str), t (int64 unix seconds, -1 for
    follows)`` in final row order.
    """
    follows = follows[follows["source"] != follows["target"]]
    activity = activity[activity["source"] != activity["target"]]
    unknown = set(activity["code"].unique()) - set(ACTIVITY_TYPES)
    if unknown:
        raise ValueError(f"{ACTIVITY_FILE}: unexpected interaction types {sorted(unknown)}")

    actors = pd.unique(follows["source"])[:n_sources]  # first n in file order
    fol = follows[follows["source"].isin(actors)]
    users = np.union1d(actors, fol["target"].to_numpy())
    act = activity[activity["source"].isin(users) & activity["target"].isin(users)]

    fol = pd.DataFrame(
        {
            "source": fol["source"].to_numpy(),
            "target": fol["target"].to_numpy(),
            "type": "follow",
            "t": np.int64(-1),
        }
    ).sort_values(["source", "target"], kind="stable")
    act = pd.DataFrame(
        {
            "source": act["source"].to_numpy(),
            "target": act["target"].to_numpy(),
            "type": act["code"].map(ACTIVITY_TYPES).to_numpy(),
            "t": act["t"].to_numpy(),
        }
    ).sort_values(["t", "source", "target", "type"], kind="stable")
    out = pd.concat([fol, act], ignore_index=True)
    out["type"] = pd.Categorical(out["type"], categories=TYPE_ORDER)
    return out


def to_csv_bytes(sample: pd.DataFrame) -> bytes:
    """Encode the sample as CSV text (``source,target,type,timestamp``)."""
    t = sample["t"].to_numpy()
    has_t = t >= 0
    stamps = np.full(len(t), None, dtype=object)
    stamps[has_t] = (
        pd.to_datetime(t[has_t], unit="s", utc=True).strftime("%Y-%m-%dT%H:%M:%SZ").to_numpy()
    )
    table = pa.table(
        {
            "source": pa.array(sample["source"].to_numpy(), pa.int64()),
            "target": pa.array(sample["target"].to_numpy(), pa.int64()),
            "type": pa.array(sample["type"].astype(str).to_numpy(), pa.string()),
            "timestamp": pa.array(stamps, pa.string()),
        }
    )
    sink = pa.BufferOutputStream()
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    pacsv.write_csv(table, sink, write_options=options)
    return HEADER + sink.getvalue().to_pybytes()


def write_gzip_atomic(data: bytes, out: Path) -> int:
    """gzip ``data`` (mtime 0, no file name: reproducible bytes) into ``out`` atomically."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with (
            os.fdopen(fd, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz,
        ):
            gz.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual file mode
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Derive data/higgs-sample.csv.gz from the SNAP Higgs Twitter files.",
        epilog="Selection rule: see the module docstring (python -c 'help(...)' or the source).",
    )
    parser.add_argument(
        "--source-dir",
        type=Path,
        default=DEFAULT_SOURCE_DIR,
        help=f"directory with the Higgs files (default: {DEFAULT_SOURCE_DIR})",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output .csv.gz (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--sources",
        type=int,
        default=DEFAULT_SOURCES,
        help=f"number of follow-list owners to keep, in file order (default: {DEFAULT_SOURCES})",
    )
    args = parser.parse_args(argv)
    if args.sources < 1:
        parser.error("--sources must be >= 1")
    for name in (FOLLOW_FILE, ACTIVITY_FILE):
        if not (args.source_dir / name).is_file():
            parser.error(f"missing {args.source_dir / name}")

    start = time.perf_counter()
    sample = select_sample(
        load_follows(args.source_dir), load_activity(args.source_dir), args.sources
    )
    n_bytes = write_gzip_atomic(to_csv_bytes(sample), args.out)
    elapsed = time.perf_counter() - start

    counts = sample["type"].value_counts().reindex(TYPE_ORDER, fill_value=0)
    users = np.union1d(sample["source"].to_numpy(), sample["target"].to_numpy())
    print(f"wrote {args.out}")
    for kind, n in counts.items():
        print(f"  {kind:<8} {n:>9,} rows")
    print(f"  {'total':<8} {len(sample):>9,} rows")
    print(f"  users    {len(users):>9,}")
    print(f"  size     {n_bytes:>9,} bytes gzip'd ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
