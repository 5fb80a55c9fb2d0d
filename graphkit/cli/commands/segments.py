"""``graphkit segments``: user roles from K-means on behaviour features."""

from __future__ import annotations

import click

from ..._jitcache import address_space_limited
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
from .._output import Stages, note, print_df_csv, print_df_table, print_json, write_output

#: Profile columns shown in the terminal table (when present).
PROFILE = ("pagerank", "in_follow", "out_follow", "out_share", "out_comment", "activity",
           "reciprocity", "participation", "engagement_per_follower", "reach")


@click.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("-k", "k", type=click.IntRange(min=1), default=None,
              help="Number of segments, e.g. -k 5 (default: the k from 3 to 8 with the best "
                   "silhouette on a seeded sample).")
@click.option("--communities", "communities_file", type=click.Path(dir_okay=False), default=None,
              help="Membership file (user,community; what 'graphkit communities -o' writes) for "
                   "the community and participation features, e.g. --communities membership.csv "
                   "(default: Leiden).")
@click.option("--reach-sets", type=click.IntRange(min=0), default=None,
              help="RR sets behind the single-seed reach feature (default max(20000, 2 x users); "
                   "0 leaves reach out), e.g. --reach-sets 50000.")
@click.option("--centroids", "centroids_path", type=click.Path(dir_okay=False), default=None,
              help="Write the segment profiles to FILE (.csv .tsv .json .jsonl .parquet), e.g. "
                   "--centroids profiles.csv.")
@random_seed_option
@output_options()
@handle_errors
def segments(k, communities_file, reach_sets, centroids_path, random_seed, output, fmt, **params):
    """Segment users into roles: K-means on behaviour features, each segment named.

    Features per user: PageRank, interactions received and made per type,
    reciprocity, k-core, community and participation (bridge score), engagement
    received per follower, activity and single-seed reach. K-means runs on their
    standardised logs; each segment is named from its centroid by a written rule
    (hub, bridge, amplifier, engaged audience, lurker). -o writes
    user,segment,role then the features, one row per user. Needs scikit-learn
    (pip install 'graphkit[segments]').

    \b
    Examples:
      graphkit segments data/example.csv -k 3 --random-seed 1
      graphkit segments data/higgs-sample.csv.gz -o segments.csv --random-seed 7
      graphkit segments edges.csv -k 5 --centroids profiles.csv --format json
      graphkit segments edges.csv --communities membership.csv -k 4 -o segments.parquet
    """
    from ...segments import segment_users
    from ...segments.roles import warm_up

    quiet = click.get_current_context().find_root().meta.get("quiet")
    seed = resolve_seed(random_seed)
    if address_space_limited():  # see segments.roles.warm_up
        warm_up()
    with Stages(enabled=not quiet) as st:
        graph, _ = load_graph(params, st)
        part = membership_labels(communities_file, graph) if communities_file else None
        seg = segment_users(graph, k, partition=part, reach_sets=reach_sets, rng=seed,
                            k_range=(3, 8), progress=st.stage)
    sil = seg.silhouette.get(seg.k)
    note(f"{seg.k} segments" + (f", silhouette {sil:.3f}" if sil is not None else "")
         + (" (k chosen by silhouette: " + ", ".join(f"{kk}: {v:.3f}" for kk, v in
                                                   sorted(seg.silhouette.items())) + ")"
            if k is None else ""))
    meta = {"k": seg.k, "seed": seed, "silhouette": seg.silhouette, "users": graph.n_nodes}
    if output is not None:
        write_output(seg.table, output, meta=meta)
    if centroids_path is not None:
        write_output(seg.centroids, centroids_path, id_column="role", meta=meta)
    if fmt == "json":
        print_json(seg.to_dict())
    elif fmt == "csv":
        print_df_csv(seg.table)
    elif output is None and centroids_path is None:
        cols = ["segment", "role", "users", "share"] + [c for c in PROFILE
                                                        if c in seg.centroids.columns]
        print_df_table(seg.centroids[cols], title=f"{seg.k} user segments (mean profile)",
                       caption="pagerank: x the average user; in_/out_: interactions received / "
                               "made; reach: users reached seeded alone")
