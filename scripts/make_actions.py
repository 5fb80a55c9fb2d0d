#!/usr/bin/env python3
"""Derive graphkit's bundled action log, ``data/higgs-actions.csv.gz``, from SNAP's Higgs data.

An *action log* has one row per action: ``user,item,timestamp`` = "``user`` shared ``item`` at
``timestamp``". ``graphkit learn`` reads it to learn influence probabilities on the bundled graph
``data/higgs-sample.csv.gz`` (made by ``scripts/make_sample.py``).

Source file (read from ``--source-dir``, an unchanged SNAP download):
``higgs-activity_time.txt.gz`` -- ``A B t TYPE``: at unix time ``t`` user A retweeted (RT),
replied to (RE) or mentioned (MT) user B.

What an item is. The Higgs data has no tweet ids and no posting times: a retweet row only says
that A retweeted *some* tweet of B (Twitter credits a retweet of a retweet to the original
author B). So an item is approximated by a **burst of retweets of one author's content**: the
retweets of B's content, in time order, are cut wherever no one retweeted B for more than
``--gap-hours`` hours (default 6), and each burst is one item, ``B:k`` = the k-th burst of B's
content (``k`` from 1, in time order). Retweets of a tweet come fast -- about half within an
hour of the tweet and three quarters within a day (Kwak, Lee, Park, Moon, "What is Twitter,
a social network or a news media?", WWW 2010) -- so six silent hours mostly mean the tweet is
over, while a busy author's tweets of the same afternoon stay merged. ``--gap-hours 0`` makes
one item per author (all of B's content over the week).

Why not one item per author: every author would then have exactly one cascade, so a held-out
cascade would always be an author never seen as one in training, and the log could not show
how an author's *earlier* content spread, which is the point of learning from it.

Selection rule (deterministic, no randomness):

1. **Users.** U = the users of ``data/higgs-sample.csv.gz`` (the ``source`` and ``target`` ids
   of its rows: 48,132 users). Only actions inside U are kept, so every cascade lies in the
   bundled graph.
2. **Re-shares.** Every ``RT`` row ``A B t`` of the activity file with A and B both in U and
   A != B becomes the action ``user=A, item=B:k, timestamp=t`` (``k``: the burst of B's
   content it falls in). Replies and mentions are not shares and are left out. A user who
   retweeted B's content twice in one burst keeps both rows (graphkit's loader keeps each
   user's first action per item and reports the others).
3. **Initiators.** For every item ``B:k``, the author B gets the action ``user=B, item=B:k``
   one second before the burst's first retweet (B must have posted before anyone could
   retweet; the true posting time is unknown). This makes B the cascade's initiator, the
   seed of the held-out evaluation.

Rows are sorted by timestamp, author, burst, user (numerically), timestamps are ISO-8601 UTC
(``2012-07-04T08:12:03Z``), the header is ``user,item,timestamp`` and the gzip header carries no
time or file name, so re-running the command gives a byte-identical file.

With the defaults: 46,047 rows (37,201 retweets + 8,846 initiators) on 8,846 items by 6,639
authors; about 0.35 MB gzip'd.

Run from the repository root (about 2 s)::

    python scripts/make_actions.py

Credit: De Domenico, Lima, Mougel, Musolesi, "The Anatomy of a Scientific Rumor",
Scientific Reports 3, 2980 (2013); SNAP (Stanford Large Network Dataset Collection).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_sample import load_activity, write_gzip_atomic  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE_DIR = REPO.parent / "shared" / "data" / "higgs"
DEFAULT_SAMPLE = REPO / "data" / "higgs-sample.csv.gz"
DEFAULT_OUT = REPO / "data" / "higgs-actions.csv.gz"
ACTIVITY_FILE = "higgs-activity_time.txt.gz"
HEADER = b"user,item,timestamp\n"  # pyarrow would quote the header names
#: Seconds between an item's initiator action and its first retweet.
INITIATOR_LEAD = 1
#: A new item (burst) of an author starts after this many hours without a retweet of them.
DEFAULT_GAP_HOURS = 6.0


def sample_users(sample: Path) -> np.ndarray:
    """The distinct user ids (int64, sorted) of the bundled sample's rows."""
    table = pacsv.read_csv(
        sample,
        convert_options=pacsv.ConvertOptions(
            include_columns=["source", "target"],
            column_types={"source": pa.int64(), "target": pa.int64()},
        ),
    )
    return np.union1d(table.column("source").to_numpy(), table.column("target").to_numpy())


def select_actions(activity: pd.DataFrame, users: np.ndarray,
                   gap_hours: float = DEFAULT_GAP_HOURS) -> pd.DataFrame:
    """Apply the selection rule of the module docstring.

    Returns a DataFrame ``user, author, burst, t`` (int64; ``t`` in unix seconds; the item
    is ``author:burst``) in final row order.
    """
    rt = activity[(activity["code"] == "RT") & (activity["source"] != activity["target"])]
    rt = rt[rt["source"].isin(users) & rt["target"].isin(users)]
    shares = pd.DataFrame({
        "user": rt["source"].to_numpy(),
        "author": rt["target"].to_numpy(),
        "t": rt["t"].to_numpy(),
    }).sort_values(["author", "t", "user"], kind="stable")
    author = shares["author"].to_numpy()
    t = shares["t"].to_numpy()
    new_author = np.r_[True, author[1:] != author[:-1]]
    gap = np.r_[0, np.diff(t)]
    new_burst = new_author | ((gap > gap_hours * 3600) if gap_hours > 0 else False)
    burst_id = np.cumsum(new_burst)
    first_burst_of_author = burst_id[new_author]
    shares["burst"] = burst_id - np.repeat(first_burst_of_author,
                                           np.diff(np.r_[np.flatnonzero(new_author), len(t)])) + 1
    first = shares.groupby(["author", "burst"], sort=True)["t"].min().reset_index()
    initiators = pd.DataFrame({
        "user": first["author"].to_numpy(),
        "author": first["author"].to_numpy(),
        "burst": first["burst"].to_numpy(),
        "t": first["t"].to_numpy() - INITIATOR_LEAD,
    })
    out = pd.concat([initiators, shares[["user", "author", "burst", "t"]]], ignore_index=True)
    return out.sort_values(["t", "author", "burst", "user"], kind="stable").reset_index(drop=True)


def to_csv_bytes(actions: pd.DataFrame) -> bytes:
    """Encode the actions as CSV text (``user,item,timestamp``)."""
    stamps = pd.to_datetime(actions["t"].to_numpy(), unit="s", utc=True)
    items = actions["author"].astype(str) + ":" + actions["burst"].astype(str)
    table = pa.table({
        "user": pa.array(actions["user"].to_numpy(), pa.int64()),
        "item": pa.array(items.to_numpy(), pa.string()),
        "timestamp": pa.array(stamps.strftime("%Y-%m-%dT%H:%M:%SZ").to_numpy(), pa.string()),
    })
    sink = pa.BufferOutputStream()
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    pacsv.write_csv(table, sink, write_options=options)
    return HEADER + sink.getvalue().to_pybytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Derive data/higgs-actions.csv.gz (user,item,timestamp) from the SNAP "
                    "Higgs activity file, restricted to the users of data/higgs-sample.csv.gz.",
        epilog="Item = a burst of retweets of one author; selection rule in the module "
               "docstring.",
    )
    parser.add_argument("--source-dir", type=Path, default=DEFAULT_SOURCE_DIR,
                        help=f"directory with {ACTIVITY_FILE} (default: {DEFAULT_SOURCE_DIR})")
    parser.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE,
                        help=f"the bundled graph whose users are kept (default: {DEFAULT_SAMPLE})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"output .csv.gz (default: {DEFAULT_OUT})")
    parser.add_argument("--gap-hours", type=float, default=DEFAULT_GAP_HOURS,
                        help="a new item of an author starts after this many hours without a "
                             f"retweet of them; 0 = one item per author (default: "
                             f"{DEFAULT_GAP_HOURS:g})")
    args = parser.parse_args(argv)
    if not args.gap_hours >= 0:
        parser.error("--gap-hours must be >= 0")
    for path in (args.source_dir / ACTIVITY_FILE, args.sample):
        if not path.is_file():
            parser.error(f"missing {path}")

    start = time.perf_counter()
    actions = select_actions(load_activity(args.source_dir), sample_users(args.sample),
                             args.gap_hours)
    n_bytes = write_gzip_atomic(to_csv_bytes(actions), args.out)
    elapsed = time.perf_counter() - start

    n_items = len(actions[["author", "burst"]].drop_duplicates())
    print(f"wrote {args.out}")
    print(f"  retweets   {len(actions) - n_items:>9,} rows")
    print(f"  initiators {n_items:>9,} rows (one per item, {actions['author'].nunique():,} "
          "authors)")
    print(f"  total      {len(actions):>9,} rows")
    print(f"  users      {actions['user'].nunique():>9,}")
    print(f"  size       {n_bytes:>9,} bytes gzip'd ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
