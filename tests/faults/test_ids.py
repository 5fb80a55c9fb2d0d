"""Fault matrix, part 2: ids as social data has them — hashtags, quotes, line breaks, emoji,
control and right-to-left characters, spreadsheet formulas — give the right users, and
leave graphkit for a terminal, a spreadsheet or a list without doing harm."""

from __future__ import annotations

import csv
import io
import json

import pytest

from graphkit._cells import neutralize, unneutralize, visible

ESC_TITLE = "x\x1b]0;PWNED\x07"
ESC_CLEAR = "y\x1b[2J"
RTL = "evil\u202egnp.exe"
SEP = "d\u2028e"
NL = "a\nb"
FORMULA = '=HYPERLINK("http://x","y")'


def _csv(rows) -> str:
    buf = io.StringIO("")
    buf.write("source,target\n")
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)  # a lone \r needs quotes
    w.writerows(rows)
    return buf.getvalue()


#: id -> a description; each is the source of one edge to "hub" in a CSV.
ODD_IDS = {
    "#ai": "hashtag", "%x": "percent", "@me": "mention", "-5": "negative number text",
    "+1": "plus", FORMULA: "formula", "'=quoted": "quote then formula", "a,b": "comma",
    'say "hi"': "quotes", NL: "newline", SEP: "line separator", ESC_TITLE: "OSC escape",
    ESC_CLEAR: "CSI escape", RTL: "right-to-left override", "🦄✨": "emoji",
    "مرحبا": "arabic", "  padded  ": "spaces inside quotes", "\ttab": "leading tab",
    "x" * 5000: "long",
}


def _odd_file() -> str:
    return _csv([(u, "hub") for u in ODD_IDS])


def test_every_odd_id_is_one_user_in_json(case):
    out = case({"odd.csv": _odd_file()}, ["rank", "odd.csv", "--format", "json"], code=0)
    rows = json.loads(out.stdout)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    assert sorted(r["user"] for r in rows) == sorted(set(ODD_IDS) | {"hub"})  # quoted: kept as is


@pytest.mark.parametrize("raw", [False, True])
def test_csv_output_neutralises_formulas_and_reads_back(case, raw):
    args = ["rank", "odd.csv", "-o", "out.csv"] + (["--raw-csv"] if raw else [])
    out = case({"odd.csv": _odd_file()}, args, code=0)
    cells = [r[1] for r in csv.reader(io.StringIO(out.read("out.csv")))][1:]
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")
                 and c not in ("-5", "+1")]  # numbers stay numbers
    if raw:
        assert FORMULA in cells and dangerous
        return  # raw cells are for pipelines; graphkit would read "'=quoted" as "=quoted"
    else:
        assert dangerous == [] and "'" + FORMULA in cells
        assert "-5" in cells and "+1" in cells and "''=quoted" in cells
    # graphkit reads its own list back as the same users (seeds from the ranking file)
    back = case({}, ["simulate", "odd.csv", "--seeds-file", "out.csv", "--runs", "10",
                     "--random-seed", "1", "--format", "json"], code=0)
    seeds = json.loads(back.stdout)["seeds"]
    assert set(seeds) ^ (set(ODD_IDS) | {"hub"}) == set()


def test_stdout_csv_is_neutralised_too_unless_raw(case):
    out = case({"odd.csv": _odd_file()}, ["rank", "odd.csv", "--format", "csv"], code=0)
    assert "'=HYPERLINK" in out.stdout
    out = case({}, ["rank", "odd.csv", "--format", "csv", "--raw-csv"], code=0)
    assert '"=HYPERLINK' in out.stdout


def test_terminal_table_shows_escapes_not_control_characters(case):
    out = case({"odd.csv": _odd_file()}, ["rank", "odd.csv", "--top", "30"], code=0)
    assert "\x1b" not in out.stdout and "\u202e" not in out.stdout and "\u2028" not in out.stdout
    assert "x\\x1b]0;PWNED\\x07" in out.stdout and "evil\\u202egnp.exe" in out.stdout
    assert "a\\nb" in out.stdout


def test_error_naming_an_odd_id_is_one_line(case):
    out = case({"odd.csv": _odd_file()}, ["simulate", "odd.csv", "--seeds", "no\nbody\x1b[2J"],
               code=1)
    assert "no\\nbody\\x1b[2J" in out.stderr


@pytest.mark.parametrize("bad", [NL, SEP, "a\rb", "  padded  "])
def test_txt_list_refuses_an_id_it_cannot_hold_and_keeps_the_previous_file(case, bad):
    files = {"e.csv": _csv([(bad, "hub"), ("u", "hub")]), "out.txt": "previous\n"}
    case(files, ["rank", "e.csv", "-o", "out.txt"], code=1,
         error=r"out\.txt: user id .* \.txt list cannot keep; write \.csv or \.json")


def test_txt_list_round_trips_every_other_odd_id(case):
    keep = [u for u in ODD_IDS if u not in (NL, SEP, "  padded  ", "\ttab")]
    out = case({"e.csv": _csv([(u, "hub") for u in keep])}, ["rank", "e.csv", "-o", "ids.txt"],
               code=0)
    back = case({}, ["simulate", "e.csv", "--seeds-file", "ids.txt", "--runs", "10",
                     "--random-seed", "1", "--format", "json"], code=0)
    assert set(json.loads(back.stdout)["seeds"]) == set(keep) | {"hub"}
    assert len(out.read("ids.txt").split("\n")) == len(keep) + 2  # + hub + final newline


@pytest.mark.parametrize("text", ["=1+1", "+x", "-x", "@x", "\tx", "\rx", "'=x", "''+x", "'x",
                                  "-5", "+1e3", "-.5", "x=1", "", "'", "-", "=", "'''"])
def test_neutralize_is_undone_exactly(text):
    assert unneutralize(neutralize(text)) == text
    shown = neutralize(text)
    number = text in ("-5", "+1e3", "-.5")
    assert shown[:1] not in ("=", "+", "-", "@", "\t", "\r") or number or shown == text == ""


@pytest.mark.parametrize("text,shown", [("a\x1b[2Jb", "a\\x1b[2Jb"), ("l\u202er", "l\\u202er"),
                                        ("é🦄", "é🦄"), ("a\nb\tc", "a\\nb\\tc"),
                                        ("\x85\u2029", "\\x85\\u2029")])
def test_visible(text, shown):
    assert visible(text) == shown
