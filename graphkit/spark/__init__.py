"""The Spark engine: the same jobs on Apache Spark, with the local engine's answers.

For data teams inside their own PySpark jobs and for ``--engine spark`` on the command
line. Importing this package does not import pyspark (every module imports it inside
its functions), and the local engine never imports this package.

* :func:`start_session`, :func:`stop_session` -- a quiet SparkSession (CLI, tests).
* :func:`read_edges` -- interaction files -> :class:`SparkEdges` (DataFrames), with the
  local reader's formats, column names, types and weights.
* :func:`index_graph` -- ids -> contiguous positions, merged weighted pairs
  (:class:`SparkGraph`).
* :func:`pagerank_scores`, :func:`pagerank`, :func:`rank_table` -- PageRank.
* :func:`social_graph` -- the graph collected to the driver, numbered as locally; the
  influence graph is then built with the local weighting code and broadcast.
* :func:`simulate` -- Monte Carlo cascades on the executors (:class:`SparkCascades`), the
  local engine's runs.
* :func:`select_seeds` -- IMM with RR sets drawn and covered on the executors
  (:class:`SparkRRSets`), the local engine's seeds.
* :func:`detect_communities` -- label propagation on the cluster, Leiden on the
  contracted graph in the driver (:class:`SparkPartition`); :func:`modularity` on the
  cluster.
"""

from .communities import SparkPartition, detect_communities, modularity
from .diffusion import SparkCascades, simulate
from .edges import SparkEdges, is_remote, read_edges
from .graph import SparkGraph, ids_of, index_graph, positions_of
from .influence import social_graph
from .link_analysis import pagerank, pagerank_scores, rank_table
from .seeds import SparkRRSets, select_seeds
from .session import (
    DEFAULT_MASTER,
    INSTALL_HINT,
    SparkUnavailableError,
    owns,
    parse_conf,
    require_spark,
    start_session,
    stop_session,
)
from .summary import community_summary

__all__ = [
    "start_session", "stop_session", "require_spark", "parse_conf", "owns", "SparkUnavailableError",
    "DEFAULT_MASTER", "INSTALL_HINT",
    "read_edges", "SparkEdges", "is_remote",
    "index_graph", "SparkGraph", "positions_of", "ids_of",
    "pagerank", "pagerank_scores", "rank_table",
    "social_graph", "simulate", "SparkCascades", "select_seeds", "SparkRRSets",
    "detect_communities", "SparkPartition", "modularity", "community_summary",
]
