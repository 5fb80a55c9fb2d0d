"""Who to follow: recommendations from the contact graph, and their held-out test.

* :func:`recommend` -- the best candidates of one user or of every user, by
  personalized PageRank (the default), a combined score, or networkx's link-prediction
  indices (Adamic-Adar, common neighbours, Jaccard, resource allocation, preferential
  attachment), each with the reason (shared contacts, or the path);
* :func:`score_pairs` -- a two-hop index for given pairs;
* :func:`evaluate_recommendations` -- hide the later interactions (or a random share),
  recommend from the rest, score precision@k, recall@k and MRR per method;
  :func:`holdout_split` and :func:`ranking_metrics` are its two halves.

The numba kernels (``_kernels``) are private.
"""

from .contacts import ContactGraph, contact_graph
from .evaluate import (
    Holdout,
    RecommendEvaluation,
    evaluate_recommendations,
    holdout_split,
    ranking_metrics,
)
from .scorers import DEFAULT_METHOD, METHODS, Recommendations, recommend, score_pairs

__all__ = ["recommend", "Recommendations", "score_pairs", "METHODS", "DEFAULT_METHOD",
           "evaluate_recommendations", "RecommendEvaluation", "holdout_split", "Holdout",
           "ranking_metrics", "contact_graph", "ContactGraph"]
