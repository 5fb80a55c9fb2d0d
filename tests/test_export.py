"""Tests for graphkit/export.py: formats by extension, atomic writes."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from graphkit.io import atomic_open, format_of, write_table

DF = pd.DataFrame({"rank": [1, 2, 3], "user": ["a,b", 'q"uote', "007"], "score": [0.5, 0.25, 1e-9]})


@pytest.mark.parametrize("ext", ["csv", "tsv", "json", "jsonl", "parquet", "txt"])
def test_round_trip(tmp_path, ext):
    p = tmp_path / f"out.{ext}"
    assert write_table(DF, str(p)) == ext
    if ext == "csv":
        back = pd.read_csv(p, dtype={"user": str})
    elif ext == "tsv":
        back = pd.read_csv(p, sep="\t", dtype={"user": str})
    elif ext == "json":
        back = pd.DataFrame(json.loads(p.read_text()))
    elif ext == "jsonl":
        back = pd.read_json(p, lines=True, dtype={"user": str})
    elif ext == "parquet":
        back = pd.read_parquet(p)
    else:
        assert p.read_text().splitlines() == DF.user.tolist()
        return
    assert back.user.tolist() == DF.user.tolist()
    assert back.score.tolist() == DF.score.tolist()
    assert list(back.columns) == list(DF.columns)


def test_csv_header_is_plain(tmp_path):
    p = tmp_path / "o.csv"
    write_table(DF, str(p))
    assert p.read_text().splitlines()[0] == "rank,user,score"


def test_json_with_meta(tmp_path):
    p = tmp_path / "o.json"
    write_table(DF, str(p), meta={"measure": "pagerank"})
    data = json.loads(p.read_text())
    assert data["measure"] == "pagerank" and len(data["rows"]) == 3


def test_unknown_extension():
    with pytest.raises(ValueError, match="cannot tell the output format"):
        format_of("x.xlsx")


def test_failed_write_leaves_old_file_and_no_temp(tmp_path):
    p = tmp_path / "keep.csv"
    p.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_open(str(p)) as fh:
            fh.write("half")
            raise RuntimeError("boom")
    assert p.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["keep.csv"]


def test_missing_directory_is_input_error(tmp_path):
    import graphkit as gk

    with pytest.raises(gk.InputError, match="output directory does not exist"):
        write_table(DF, str(tmp_path / "nope" / "o.csv"))


def test_output_gets_the_usual_file_mode(tmp_path):
    p = tmp_path / "m.csv"
    old = os.umask(0o022)
    try:
        write_table(DF, str(p))
    finally:
        os.umask(old)
    assert (p.stat().st_mode & 0o777) == 0o644
