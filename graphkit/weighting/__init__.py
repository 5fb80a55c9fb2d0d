"""Influence probabilities: turn the attention graph into an *influence graph*.

An input row ``source,target`` means *source acted on target* (DESIGN §2): attention
flows source -> target, and influence flows the other way: ``target``'s posts reach
``source``. This package is the only place that flips the direction. For every
attention edge ``v -> u`` (v acted on u) it gives one probability ``p(u -> v)``
that ``u``, once active, activates ``v`` (Independent Cascade), or the weight of
``u`` in ``v``'s threshold sum (Linear Threshold).

Probability models (``--prob`` on the command line):

========================  =================================================================
``wc``                    weighted cascade: ``p(u -> v) = 1 / d(v)``, ``d(v)`` = in-degree of
                          ``v`` in the influence graph = the number of distinct users ``v``
                          acted on (``graph.out_degree()[v]``) [2]_.
``uniform:P``             every edge ``P``.
``trivalency``            each edge drawn uniformly from {0.1, 0.01, 0.001}, seeded [2]_.
``typed``                 per interaction type ``t`` a base probability ``p_t``
                          (``type_probs``); repeated interactions combine as independent
                          chances: ``p = 1 - prod_t (1 - p_t) ** count_t``. Types without a
                          base probability contribute nothing.
``column:NAME``           a numeric column ``NAME`` of the edge file (one value per row;
                          rows that merge into one edge combine as ``1 - prod (1 - p_row)``;
                          an edge with one row keeps its value exactly).
``learned:FILE``          an edge-probability file (format below); graph edges missing from
                          it get 0.
========================  =================================================================

Edge-probability file (``learned:FILE``; what ``graphkit learn`` writes): CSV (``.csv``,
``.tsv`` tab-separated, optionally ``.gz``/``.bz2``) with a header and the columns
``source,target,p`` (more columns are ignored). A row says, in the **attention
direction** of the edge files, that ``source`` acted on ``target`` and that
``target`` influences ``source`` with probability ``p`` in [0, 1]. Each pair appears
at most once. Rows naming users that are not in the graph, or pairs that are not an
edge of the graph, are ignored and counted in ``InfluenceGraph.report``.

Linear Threshold uses the same numbers normalised so that each user's incoming
weights sum to at most 1: a user whose incoming probabilities add up to ``s > 1``
gets them divided by ``s``; smaller sums are kept as they are.

References
----------
.. [1] D. Kempe, J. Kleinberg, É. Tardos, "Maximizing the spread of influence through
   a social network", KDD 2003.
.. [2] W. Chen, C. Wang, Y. Wang, "Scalable influence maximization for prevalent viral
   marketing in large-scale social networks", KDD 2010; W. Chen, Y. Wang, S. Yang,
   "Efficient influence maximization in social networks", KDD 2009.
"""

from .influence import InfluenceGraph, as_influence_graph, influence_graph
from .models import (
    PROB_MODELS,
    TRIVALENCY_VALUES,
    from_column,
    from_file,
    lt_normalize,
    parse_prob,
    trivalency,
    typed,
    uniform,
    weighted_cascade,
)

__all__ = [
    "InfluenceGraph",
    "influence_graph",
    "as_influence_graph",
    "parse_prob",
    "weighted_cascade",
    "uniform",
    "trivalency",
    "typed",
    "from_column",
    "from_file",
    "lt_normalize",
    "PROB_MODELS",
    "TRIVALENCY_VALUES",
]
