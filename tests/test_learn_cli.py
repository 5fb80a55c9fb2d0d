"""Tests for the ``graphkit learn`` command (graphkit/commands/learn.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import graphkit as gk
from graphkit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "data" / "example.csv")

#: Who re-shared alice's, heidi's and carol's posts in six campaigns (item form).
ACTIONS = """user,item,timestamp
alice,a1,2024-03-01T09:00:00Z
bob,a1,2024-03-01T09:10:00Z
carol,a1,2024-03-01T09:20:00Z
dave,a1,2024-03-01T09:30:00Z
heidi,h1,2024-03-01T10:00:00Z
grace,h1,2024-03-01T10:05:00Z
ivan,h1,2024-03-01T10:30:00Z
alice,a2,2024-03-02T09:00:00Z
bob,a2,2024-03-02T09:02:00Z
erin,a2,2024-03-02T09:40:00Z
heidi,h2,2024-03-02T10:00:00Z
judy,h2,2024-03-02T10:30:00Z
carol,c1,2024-03-03T08:00:00Z
dave,c1,2024-03-03T08:10:00Z
alice,a3,2024-03-04T09:00:00Z
bob,a3,2024-03-04T09:05:00Z
frank,a3,2024-03-04T09:50:00Z
"""
KEYS = ["method", "params", "edges", "edges_learned", "edges_nonzero", "mean_p_learned",
        "prior_weight", "cascades", "actions", "evaluation", "comparison", "coverage", "split"]


def run(args):
    return CliRunner().invoke(cli, ["learn", *args], catch_exceptions=False)


@pytest.fixture
def actions(tmp_path):
    p = tmp_path / "actions.csv"
    p.write_text(ACTIONS)
    return str(p)


def run_json(args):
    r = run([*args, "--format", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout), r


def test_json_keys(actions):
    out, r = run_json([EXAMPLE, "--actions", actions, "--random-seed", "3", "--runs", "50"])
    assert list(out) == KEYS + ["random_seed"]
    assert out["method"] == "bernoulli" and out["random_seed"] == 3
    assert out["cascades"] == 6 and out["edges"] == 19
    assert 0 < out["edges_learned"] <= out["edges"]
    assert list(out["evaluation"]) == ["learned", "wc", "uniform", "trivalency"]
    for row in out["evaluation"].values():
        assert {"auc", "average_precision", "size_error"} <= set(row)
    assert out["evaluation"]["uniform"]["prob"] == "uniform:0.01"
    assert set(out["comparison"]) == {"wc", "uniform", "trivalency"}
    assert set(out["comparison"]["wc"]) == {"auc", "average_precision", "exposed_auc"}
    # one test cascade: no interval, no verdict
    assert out["comparison"]["wc"]["auc"]["verdict"] == "too few cascades"
    cov = out["coverage"]
    assert cov["direct"] + cov["path"] + cov["unreachable"] == cov["resharers"] == 2
    assert out["split"]["test_cascades"] == 1 and out["split"]["train_cascades"] == 5
    # the test cascade starts 2024-03-04T08:59:59Z: every timestamped edge row is older
    assert out["split"]["eval_graph"] == "edges before the split time"
    everything, _ = run_json([EXAMPLE, "--actions", actions, "--random-seed", "3", "--runs", "50",
                              "--eval-graph", "all"])
    assert everything["split"]["eval_graph"] == "all edges"
    assert everything["split"]["eval_graph_edges"] == 19


def test_same_seed_same_output(actions):
    args = [EXAMPLE, "--actions", actions, "--method", "em", "--random-seed", "4", "--runs", "64"]
    a, _ = run_json(args)
    b, _ = run_json(args)
    assert a == b
    assert a["em"]["converged"] is True


def test_output_file_round_trips(actions, tmp_path):
    out = tmp_path / "probabilities.csv"
    r = run([EXAMPLE, "--actions", actions, "--method", "jaccard", "--holdout", "0",
             "--prior", "wc", "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert "random seed" not in r.stderr  # nothing random without an evaluation
    df = pd.read_csv(out, dtype={"source": str, "target": str})
    assert list(df.columns) == ["source", "target", "p", "propagations", "trials"]
    g = gk.SocialGraph.from_edges(gk.read_edges([EXAMPLE]))
    log = gk.read_actions(tmp_path / "actions.csv")
    est = gk.JaccardEstimator(prior="wc").fit(g, log)
    ig = gk.influence_graph(g, f"learned:{out}")
    assert np.array_equal(ig.in_prob, est.probs_)
    # alice -> bob: bob re-shared after alice in a1, a2, a3; both acted in a1, a2, a3 only
    row = df[(df.source == "bob") & (df.target == "alice")].iloc[0]
    assert (row.propagations, row.trials) == (3, 3)
    sim = CliRunner().invoke(cli, ["simulate", EXAMPLE, "--seeds", "alice", "--prob",
                                   f"learned:{out}", "--runs", "200", "--random-seed", "1",
                                   "--format", "json"], catch_exceptions=False)
    assert sim.exit_code == 0 and "have no probability" not in sim.stderr
    assert json.loads(sim.stdout)["prob"] == f"learned:{out}"


def test_table_output_names_the_winner(actions):
    r = run([EXAMPLE, "--actions", actions, "--random-seed", "1", "--runs", "20",
             "--holdout", "0.5"])
    assert r.exit_code == 0, r.output
    assert "held-out evaluation" in r.stdout and "wc on held-out ROC-AUC" in r.stdout
    assert "95% CI" in r.stdout and "held-out re-sharers" in r.stdout
    assert "exposed users" in r.stdout
    assert "strongest learned influence" in r.stdout
    one = run([EXAMPLE, "--actions", actions, "--random-seed", "1", "--runs", "20"])
    assert "too few held-out cascades to compare" in one.stdout


def test_unknown_users_and_unsorted_log_are_reported(tmp_path):
    p = tmp_path / "log.csv"
    lines = ACTIONS.strip().splitlines()
    body = lines[1:] + ["mallory,a1,2024-03-01T09:15:00Z", "oscar,h1,2024-03-01T10:01:00Z"]
    p.write_text("\n".join([lines[0], *reversed(body)]) + "\n")
    out, r = run_json([EXAMPLE, "--actions", str(p), "--random-seed", "1", "--runs", "20"])
    assert out["actions"]["unknown_user_actions"] == 2 and out["actions"]["unknown_users"] == 2
    assert "2 actions by 2 users not in the graph ignored" in r.stderr
    assert "not in time order; sorted" in r.stderr
    sorted_out, _ = run_json([EXAMPLE, "--actions", str(p), "--random-seed", "1", "--runs", "20"])
    assert sorted_out == out


def test_interaction_form(tmp_path):
    df = pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)
    shares = df[df.type == "share"][["source", "target", "timestamp"]]
    p = tmp_path / "shares.csv"
    shares.to_csv(p, index=False)
    out, r = run_json([EXAMPLE, "--actions", str(p), "--holdout", "0"])
    assert out["evaluation"] is None and "random_seed" not in out
    assert "authors added as their items' initiators" in r.stderr
    assert out["cascades"] == shares.target.nunique()


@pytest.mark.parametrize("text, pattern", [
    ("user,item,timestamp\n", "no data rows"),
    ("user,item\nalice,x\n", "no timestamp column"),
    ("user,item,timestamp\nalice,x,2024-01-01\nbob,x,\n", r"actions.csv:3: timestamp is empty"),
    ("user,item,timestamp\nzed,x,1\nyan,x,2\n", "none of the 2 actions is by a user of the graph"),
])
def test_bad_action_logs_exit_1_one_line(tmp_path, text, pattern):
    p = tmp_path / "actions.csv"
    p.write_text(text)
    out = tmp_path / "p.csv"
    r = run([EXAMPLE, "--actions", str(p), "-o", str(out), "-q"])
    assert r.exit_code == 1
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: ") and "Traceback" not in r.output
    assert re.search(pattern, err[0])
    assert not out.exists()


def test_too_few_cascades_to_hold_out(tmp_path):
    p = tmp_path / "actions.csv"
    p.write_text("user,item,timestamp\nalice,x,1\nbob,x,2\n")
    r = run([EXAMPLE, "--actions", str(p)])
    assert r.exit_code == 1 and "too few to hold out" in r.stderr
    r = run([EXAMPLE, "--actions", str(p), "--holdout", "0", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["edges_learned"] > 0


@pytest.mark.parametrize("extra, text", [
    (["--time-step", "60"], "--time-step applies to --method em only"),
    (["-o", "p.parquet"], "use a .csv or .tsv file"),
    (["--prior", "trivalency"], "--prior"),
    (["--holdout", "1"], "--holdout"),
    (["--method", "magic"], "--method"),
    (["--prior-weight", "auto"], "--prior-weight auto needs a --prior"),
    (["--prior", "wc", "--prior-weight", "-1"], "positive number or 'auto'"),
    ([], None),
])
def test_usage_errors_exit_2(actions, extra, text):
    args = [EXAMPLE, *extra] if text is None else [EXAMPLE, "--actions", actions, *extra]
    r = run(args)
    assert r.exit_code == 2
    if text is not None:
        assert text in r.output
    else:
        assert "--actions" in r.output


def test_nobody_exposed_is_one_line(tmp_path):
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target\nb,c\nd,c\na,e\n")
    log = tmp_path / "log.csv"
    log.write_text("user,item,timestamp\n" + "".join(
        f"a,i{k},{10 * k}\nb,i{k},{10 * k + 1}\n" for k in range(6)) + "c,i9,0\n")
    r = run([str(edges), "--actions", str(log), "--holdout", "0.3", "--runs", "10",
             "--random-seed", "1"])
    assert r.exit_code == 0, r.output
    assert "exposed users: none" in r.stdout and "nan" not in r.stdout
