"""``graphkit engagement``: interactions per follower, who is rising, item-log formulas."""

from __future__ import annotations

import click

from .._errors import handle_errors
from .._options import (
    CONTEXT_SETTINGS,
    edge_input_options,
    load_graph,
    membership_labels,
    output_options,
    random_seed_option,
    resolve_seed,
)
from .._output import Stages, emit, note


def _window_callback(ctx, param, value):
    if value is None:
        return None
    from ...engagement import parse_window

    try:
        parse_window(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


@click.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("--by", type=click.Choice(["creator", "community", "item"]), default="creator",
              show_default=True,
              help="One row per creator, per community, or (with --items) per item, e.g. "
                   "--by community.")
@click.option("--items", "items_file", type=click.Path(dir_okay=False), default=None,
              help="Item log: item,creator[,views,likes,comments,shares,watch_time,buyers,"
                   "timestamp] (CSV/TSV); gives engagement rate, conversion rate and watch "
                   "time, e.g. --items videos.csv.")
@click.option("--window", default=None, callback=_window_callback, metavar="LENGTH",
              help="Who is rising: interactions received in the last window against the one "
                   "before (needs timestamps), e.g. --window 7d (or 1d, 30d, 12h).")
@click.option("--communities", "communities_file", type=click.Path(dir_okay=False), default=None,
              help="Membership file for --by community, e.g. --communities membership.csv "
                   "(default: Leiden).")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Rows shown, e.g. --top 10 (default: 20 on the terminal, all in files).")
@random_seed_option
@output_options()
@handle_errors
def engagement(by, items_file, window, communities_file, top, random_seed, output, fmt, **params):
    """Measure engagement: interactions per follower, growth, item-log rates.

    From the edge log: per creator, the interactions received (shares,
    comments, ...) per follower, in total and by type, flagging large
    audiences that engage little; with --window, who is rising. From an item
    log (--items): engagement rate = (likes + comments + shares) / views,
    conversion rate = buyers / followers, average watch time = watch_time /
    views, per item, creator or community.

    \b
    Examples:
      graphkit engagement data/example.csv --top 5
      graphkit engagement data/higgs-sample.csv.gz --window 1d --top 10
      graphkit engagement edges.csv --by community -o communities.csv --random-seed 7
      graphkit engagement edges.csv --items videos.csv --by creator --format json
    """
    from ... import engagement as eng

    if by == "item" and items_file is None:
        raise click.UsageError("--by item needs an item log: --items FILE")
    if window is not None and (items_file is not None or by != "creator"):
        raise click.UsageError("--window applies to creators of the edge log (no --items, "
                               "--by creator)")
    if communities_file is not None and by != "community":
        raise click.UsageError("--communities applies to --by community")
    quiet = click.get_current_context().find_root().meta.get("quiet")
    seed = resolve_seed(random_seed) if by == "community" and communities_file is None else None
    caption = None
    with Stages(enabled=not quiet) as st:
        graph, edges = load_graph(params, st)
        part = None
        if by == "community":
            if communities_file is not None:
                part = membership_labels(communities_file, graph)
            else:
                from ...communities import detect_communities

                st.stage("finding communities (Leiden)")
                part = detect_communities(graph, "leiden", rng=seed)
        items = eng.read_items(items_file) if items_file is not None else None
        st.stage("measuring engagement")
        if items is not None:
            res = eng.item_engagement(items, graph, partition=part)
            df = {"item": res.items, "creator": res.creators, "community": res.communities}[by]
            for line in res.notes:
                note(line)
            caption = "; ".join(f"{k.replace('_', ' ')} = {v}" for k, v in res.formulas.items())
            meta = {"by": by, "formulas": res.formulas, "notes": res.notes}
        elif window is not None:
            df = eng.engagement_windows(edges, window)
            a = df.attrs
            caption = (f"last = interactions received {a['last_start']} .. {a['end']}; previous = "
                       f"{a['previous_start']} .. {a['last_start']}; growth = (last - previous) / "
                       "max(previous, 1)")
            meta = {"by": "creator", "window": window, **a}
        else:
            df = eng.creator_engagement(graph, partition=part)
            followers = df.attrs["followers"]
            if by == "community":
                df = eng.community_engagement(df)
            caption = f"rate = interactions / followers (followers: {followers})"
            meta = {"by": by, "followers": followers}
    show = top if top is not None else (20 if output is None and fmt == "table" else None)
    out = df if show is None else df.head(show)
    if len(out) < len(df):
        caption = f"{len(out):,} of {len(df):,} rows; {caption}"
    emit(df, output, fmt, meta=meta, shown=out, id_column=_id_column(df), caption=caption,
         title=f"engagement by {by}" + (f", window {window}" if window else ""), floatfmt="{:.4g}")


def _id_column(df) -> str:
    return next(c for c in ("user", "creator", "item", "community") if c in df.columns)

