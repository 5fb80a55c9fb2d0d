"""Fault matrix, part 1: every command against the broken edge files people have.

Each broken file must end every command with exit 1 and one ``Error:`` line naming the file
(and the line where one is to blame); nothing is written. The runner (``conftest.run_case``)
also checks that no traceback, no "internal error" and no temporary file appears.
"""

from __future__ import annotations

import gzip

import pytest

GOOD = ("source,target,type\n"
        "a,b,follow\nb,c,share\nc,a,comment\nd,a,follow\ne,a,share\nc,d,follow\n")
ACTIONS = "user,item,time\na,v1,1\nb,v1,2\nc,v2,3\nd,v2,4\n"

#: How each command is called on an edge file F (plus the files it needs besides).
COMMANDS = {
    "info": ["info", "F"],
    "rank": ["rank", "F"],
    "communities": ["communities", "F", "--random-seed", "1"],
    "simulate": ["simulate", "F", "--seeds", "a", "--runs", "50", "--random-seed", "1"],
    "seeds": ["seeds", "F", "-k", "1", "--random-seed", "1"],
    "segments": ["segments", "F", "--random-seed", "1"],
    "engagement": ["engagement", "F"],
    "recommend": ["recommend", "F", "--user", "a"],
    "view": ["view", "F", "-o", "view.html"],
    "report": ["report", "F", "-o", "report.html", "--random-seed", "1"],
    "export": ["export", "F", "-o", "graph.gexf"],
    "learn": ["learn", "F", "--actions", "actions.csv"],
}


def _cut_gzip() -> bytes:
    data = gzip.compress((GOOD * 50).encode())
    return data[: len(data) // 2]


#: name -> (file name, bytes, regex the error line must match)
BROKEN = {
    "empty": ("x.csv", b"", r"x\.csv: file is empty"),
    "binary": ("x.csv", b"\x00\x01\x02\x03garbage\x00" * 10, r"x\.csv: .*binary"),
    "ragged": ("x.csv", b"source,target\na,b\nc,d,e,f\n", r"x\.csv:3: "),
    "latin1": ("x.csv", b"source,target\na,b\nal\xe9,b\n", r"x\.csv:3: .*UTF-8"),
    "cut-gzip": ("x.csv.gz", _cut_gzip(), r"x\.csv\.gz: .*gzip"),
    "not-gzip": ("x.csv.gz", GOOD.encode(), r"x\.csv\.gz: .*gzip"),
    "header-only": ("x.csv", b"source,target\n", r"x\.csv: no data rows"),
    "empty-source": ("x.csv", b"source,target\na,b\n,b\n", r"x\.csv:3: source is empty"),
    "nan-weight": ("x.csv", b"source,target,weight\na,b,1\nb,c,nan\n", r"x\.csv:3: .*weight"),
    "inf-weight": ("x.csv", b"source,target,weight\na,b,inf\nb,c,1\n", r"x\.csv:2: .*weight"),
    "text-weight": ("x.csv", b"source,target,weight\na,b,1\nb,c,lots\n", r"x\.csv:3: .*weight"),
    "bad-jsonl": ("x.jsonl", b'{"source": "a", "target": "b"}\n{"source": "b", "target"\n',
                  r"x\.jsonl:2: "),
    "bad-parquet": ("x.parquet", b"PAR1" + b"\x00garbage" * 20 + b"PAR1", r"x\.parquet: "),
}


@pytest.mark.parametrize("broken", sorted(BROKEN))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_names_the_broken_file(case, command, broken):
    name, data, error = BROKEN[broken]
    args = [name if a == "F" else a for a in COMMANDS[command]]
    files = {name: data, "actions.csv": ACTIONS, "view.html": "previous", "report.html": "previous",
             "graph.gexf": "previous"}
    case(files, args, code=1, error=error)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_answers_on_good_data(case, command):
    args = ["good.csv" if a == "F" else a for a in COMMANDS[command]]
    case({"good.csv": GOOD, "actions.csv": ACTIONS}, args, code=0)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_missing_file_and_a_directory_are_named(case, command, tmp_path):
    args = ["nope.csv" if a == "F" else a for a in COMMANDS[command]]
    case({"actions.csv": ACTIONS}, args, code=1, error=r"nope\.csv: no such file")
    (tmp_path / "adir.csv").mkdir()
    args = ["adir.csv" if a == "F" else a for a in COMMANDS[command]]
    out = case({"actions.csv": ACTIONS}, args, code=2)
    assert "adir.csv" in out.stderr and "is a directory" in out.stderr
