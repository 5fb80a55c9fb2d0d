"""Doctest namespace for ``--doctest-modules``: every example may use ``gk``, ``np``, ``pd``
and ``example`` (a small typed graph: alice is followed, shared and commented on).

Doctests run from the repository root, so examples can read ``data/example.csv``.
"""

import os

import pytest


@pytest.fixture(autouse=True)
def _graphkit_doctest_namespace(request):
    if not isinstance(request.node, pytest.DoctestItem):
        yield
        return
    import numpy as np
    import pandas as pd

    import graphkit as gk

    ns = request.getfixturevalue("doctest_namespace")
    ns.update(gk=gk, np=np, pd=pd)
    ns["example"] = gk.SocialGraph.from_pairs([
        ("bob", "alice", "follow"), ("carol", "alice", "follow"), ("carol", "alice", "share"),
        ("dave", "alice", "comment"), ("alice", "carol", "follow"), ("dave", "bob", "share"),
    ])
    here = os.getcwd()
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    try:
        yield
    finally:
        os.chdir(here)
