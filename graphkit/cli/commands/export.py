"""``graphkit export``: the graph with its attributes as a file another tool opens (Gephi,
yEd, Cytoscape, networkx, igraph, Neo4j, a spreadsheet)."""

from __future__ import annotations

import click

from .._errors import handle_errors
from .._options import (
    CONTEXT_SETTINGS,
    edge_input_options,
    load_graph,
    membership_labels,
    random_seed_option,
    resolve_seed,
)
from .._output import Stages, note

_COMPUTE = ("pagerank", "communities", "seeds")


@click.command(context_settings=CONTEXT_SETTINGS)
@edge_input_options
@click.option("-o", "--output", required=True, type=click.Path(),
              help="The file to write: .gexf (Gephi, with a timeline when the data has times), "
                   ".graphml, or an edge table .csv .tsv .parquet .jsonl .json; with "
                   "--format neo4j, a directory for nodes.csv and relationships.csv.")
@click.option("--format", "fmt", type=click.Choice(["gexf", "graphml", "csv", "tsv", "parquet",
                                                    "jsonl", "json", "neo4j"]),
              default=None, help="Format (default: from the extension of -o).")
@click.option("--ranking", type=click.Path(dir_okay=False), default=None,
              help="A ranking file (graphkit rank -o ...: columns user, score): node attribute "
                   "'score'.")
@click.option("--communities", "communities_file", type=click.Path(dir_okay=False), default=None,
              help="A membership file (graphkit communities -o ...: user, community): node "
                   "attribute 'community' (-1 for users not in it).")
@click.option("--seeds", "seeds_file", type=click.Path(dir_okay=False), default=None,
              help="A list of seed users (graphkit seeds -o ..., or one id per line): node "
                   "attribute 'seed' (true/false).")
@click.option("--compute", multiple=True, type=click.Choice(_COMPUTE),
              help="Compute an attribute instead of reading it (repeatable): pagerank -> "
                   "'score', communities (Leiden) -> 'community', seeds (OPIM, IC, wc "
                   "probabilities, -k users) -> 'seed'.")
@click.option("-k", type=click.IntRange(min=1), default=10, show_default=True,
              help="Seeds to choose with --compute seeds.")
@click.option("--timeline/--no-timeline", default=True, show_default=True,
              help="GEXF: give each edge start/end (its first and last interaction) for "
                   "Gephi's timeline. --no-timeline writes a static GEXF (networkx's read_gexf "
                   "does not read timeformat dateTime); the times stay as attributes.")
@random_seed_option
@handle_errors
def export(output, fmt, ranking, communities_file, seeds_file, compute, k, timeline,
           random_seed, **params):
    """Write the graph with node and edge attributes for another tool.

    Edges carry weight, the interactions of each type (n_follow, n_share, ...) and, when
    the data has times, first_time/last_time (ISO 8601 UTC). Nodes carry the attributes
    given or computed. An edge table (.csv, ...) with node attributes gets a second file
    beside it, NAME.nodes.csv. Ids XML cannot hold (control characters) are refused for
    .gexf/.graphml with the id named; use .csv or .parquet for them.

    \b
    Examples:
      graphkit export data/example.csv -o graph.gexf --compute pagerank --compute communities --random-seed 1
      graphkit rank data/example.csv -o ranking.csv
      graphkit export data/example.csv -o graph.graphml --ranking ranking.csv --seeds seeds.txt
      graphkit export data/example.csv -o static.gexf --no-timeline --compute seeds -k 3 --random-seed 1
      graphkit export data/example.csv -o neo4j-import --format neo4j --communities communities.csv
      graphkit export data/example.csv -o edges.parquet
    """
    from ...graph import write_graph
    from ...graph.exchange import export_format

    try:
        fmt = export_format(output, fmt)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'-o'") from None
    for flag, given, name in (("pagerank", ranking, "--ranking"),
                              ("communities", communities_file, "--communities"),
                              ("seeds", seeds_file, "--seeds")):
        if flag in compute and given is not None:
            raise click.UsageError(f"give either {name} or --compute {flag}, not both")
    quiet = click.get_current_context().find_root().meta.get("quiet")
    seed = resolve_seed(random_seed) if {"communities", "seeds"} & set(compute) else None
    with Stages(enabled=not quiet) as st:
        graph, edges = load_graph(params, st)
        scores = communities = seeds = None
        if ranking is not None:
            scores = _read_scores(ranking, graph)
        if communities_file is not None:
            communities = membership_labels(communities_file, graph)
        if seeds_file is not None:
            seeds = _read_seeds(seeds_file, graph)
        if "pagerank" in compute:
            from ...ranking import pagerank

            st.stage("PageRank")
            scores = pagerank(graph)
        if "communities" in compute:
            from ...communities import detect_communities

            st.stage("communities")
            communities = detect_communities(graph, rng=seed)
        if "seeds" in compute:
            from ...seeds import select_seeds

            st.stage(f"choosing {k} seeds")
            seeds = select_seeds(graph, min(k, graph.n_nodes), prob="wc", rng=seed,
                                 baselines=False, edges=edges, progress=st.stage).seeds
        st.stage(f"writing {fmt}")
        written = write_graph(graph, output, fmt, scores=scores, communities=communities,
                              seeds=seeds, timeline=timeline)
    what = f"{graph.n_nodes:,} users and {graph.n_edges:,} edges"
    note(f"wrote {what} to {', '.join(written)}")


def _read_scores(path, graph):
    """user -> score from a ranking file; users not in the graph noted and ignored."""
    import numpy as np
    import pandas as pd

    from ...errors import InputError
    from ...io import read_user_table

    table = read_user_table(path, "ranking", ["user", "score"])
    values = pd.to_numeric(table["score"], errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy())
    if len(bad):
        raise InputError(f"score {table['score'].iloc[bad[0]]!r} is not a number", path,
                         int(bad[0]) + 2)
    inside = table["user"].isin(pd.Index(graph.node_ids))
    if (~inside).any():
        note(f"{path}: {int((~inside).sum()):,} users are not in the graph (ignored)")
    return dict(zip(table["user"][inside], values[inside].astype(float)))


def _read_seeds(path, graph):
    from ...graph import unknown_ids
    from ...io import read_id_list

    ids = read_id_list(path)
    unknown = set(unknown_ids(graph, ids))
    if unknown:
        note(f"{path}: {len(unknown):,} users are not in the graph (ignored)")
    return [u for u in ids if u not in unknown]
