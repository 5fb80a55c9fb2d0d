"""Whitespace-separated edge lists as they are downloaded (SNAP, KONECT): runs of spaces and
tabs, blanks at line ends, CRLF, BOM, gzip -- read like ``line.split()`` would (issue 15,
item 1), and a really ragged row is reported with its own line number wherever it is."""

import gzip
import random

import pytest

import graphkit as gk
from graphkit.errors import InputError


def _reference_pairs(text):
    """Pure-Python reading: skip blank and comment lines, split on any whitespace."""
    out = []
    for line in text.replace("\r\n", "\n").lstrip("\ufeff").split("\n"):
        f = line.split()
        if not f or f[0].startswith(("#", "%")):
            continue
        out.append((f[0], f[1]))
    return out


def _pairs(table):
    g = gk.SocialGraph.from_edges(table)
    df = g.to_pandas() if hasattr(g, "to_pandas") else None
    assert df is not None
    return sorted(zip(df["source"].astype(str), df["target"].astype(str)))


def _messy(rng, n):
    blanks = [" ", "  ", "\t", "\t ", " \t", "   "]
    lines = ["# a SNAP-style comment", "% a KONECT-style comment"]
    for _ in range(n):
        a, b = rng.randrange(50), rng.randrange(50)
        if a == b:
            continue
        lead = rng.choice(["", "", "", " ", "\t"])
        trail = rng.choice(["", "", " ", "  ", "\t"])
        lines.append(f"{lead}u{a}{rng.choice(blanks)}u{b}{trail}")
    return lines


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_messy_blank_separated_file_reads_like_split(tmp_path, eol, compress, seed):
    rng = random.Random(seed)
    lines = _messy(rng, 300)
    lines.insert(3, "u1 u2")  # the first data row is clean: the fast read starts
    text = eol.join(lines) + eol
    if seed == 2:
        text = "\ufeff" + text
    path = tmp_path / ("e.txt.gz" if compress else "e.txt")
    if compress:
        with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    got = _pairs(gk.read_edges([str(path)]))
    want = sorted(set(_reference_pairs(text)))
    assert got == want


def test_tab_next_to_space_makes_no_phantom_user(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("a\t b\nb \tc\nc\ta\n", encoding="utf-8")
    g = gk.SocialGraph.from_edges(gk.read_edges([str(p)]))
    assert g.n_nodes == 3
    assert sorted(map(str, g.node_ids)) == ["a", "b", "c"]


@pytest.mark.parametrize("where", ["start", "middle", "past_first_block"])
def test_ragged_row_is_reported_with_its_line(tmp_path, where):
    n = 5_000_000 if where == "past_first_block" else 2_000  # > pyarrow's 16 MiB block
    bad = {"start": 2, "middle": n // 2, "past_first_block": n - 10}[where]
    p = tmp_path / "e.txt"
    with open(p, "w", encoding="utf-8") as fh:
        for i in range(1, n + 1):
            if i == bad:
                fh.write(f"u{i} v{i} 1 extra\n")
            elif i % 7 == 0:
                fh.write(f"u{i}  v{i} \n")  # messy but fine
            else:
                fh.write(f"u{i} v{i}\n")
    with pytest.raises(InputError) as err:
        gk.read_edges([str(p)])
    assert err.value.line == bad
    assert "expected 2 fields, found 4" in str(err.value)


@pytest.mark.parametrize("mess", ["blanks_around_tabs", "tab_runs_in_head", "tab_runs_late",
                                  "spaces_late"])
@pytest.mark.parametrize("eol, compress", [("\n", False), ("\r\n", True)])
def test_tab_separated_file_with_blanks_reads_like_split(tmp_path, mess, eol, compress):
    # SNAP's tab files: blanks around fields are trimmed after the fast read; a run of tabs
    # or a row separated by spaces (in the head or past it) sends the file to the collapse
    rng = random.Random(7)
    lines = ["# FromNodeId\tToNodeId"]
    for i in range(30_000):  # ~300 kB: past the 64 kB head that is sniffed
        a, b = rng.randrange(3000), rng.randrange(3000)
        sep, lead, trail = "\t", "", ""
        if rng.random() < 0.05:
            lead, trail = rng.choice(["", " "]), rng.choice([" ", "  "])
            sep = rng.choice(["\t", " \t", "\t ", " \t "])
        late = i > 25_000
        if mess == "tab_runs_in_head" and i % 50 == 3:
            sep = "\t\t"
        if mess == "tab_runs_late" and late and i % 50 == 3:
            sep = "\t \t"
        if mess == "spaces_late" and late and i % 50 == 3:
            sep = "  "
        lines.append(f"{lead}{a}{sep}{b}{trail}")
    text = eol.join(lines) + eol
    path = tmp_path / ("e.txt.gz" if compress else "e.txt")
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if compress else data)
    table = gk.read_edges([str(path)])
    want = _reference_pairs(text)
    ids = table.node_ids
    got = [(ids[s], ids[t]) for s, t in zip(table.source_codes, table.target_codes)]
    assert got == [(a, b) for a, b in want if a != b]


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_header_with_a_tab_over_blank_separated_rows(tmp_path, eol):
    # a hand-edited header (`src dst<TAB>ts`) over rows separated by runs of spaces and tabs:
    # any run of whitespace separates, as line.split() would
    rows = ["src dst\tts", "u1  u2 1700000000000", "u3 #tag 1700000000500",
            "u2\t #tag   1700000001000 "]
    p = tmp_path / "e.txt"
    p.write_bytes((eol.join(rows) + eol).encode("utf-8"))
    table = gk.read_edges([str(p)])
    ids = table.node_ids
    got = [(ids[s], ids[t]) for s, t in zip(table.source_codes, table.target_codes)]
    assert got == [tuple(r.split()[:2]) for r in rows[1:]]
    assert table.timestamp is not None


def test_tab_separated_fields_with_blanks_stay_whole(tmp_path):
    # a real TSV: every row has the tab, and fields hold blanks (names, cities)
    p = tmp_path / "people.txt"
    p.write_text("source\ttarget\nJohn Smith\tNew York Times\nAnn Lee\tJohn Smith\n",
                 encoding="utf-8")
    table = gk.read_edges([str(p)])
    ids = table.node_ids
    got = [(ids[s], ids[t]) for s, t in zip(table.source_codes, table.target_codes)]
    assert got == [("John Smith", "New York Times"), ("Ann Lee", "John Smith")]
