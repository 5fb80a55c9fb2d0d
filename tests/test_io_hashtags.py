"""Ids that begin with ``#`` or ``%`` (hashtags, topics) are data in a CSV; ``#``/``%``
comment lines exist only in blank-separated SNAP/KONECT files, at line start (issue 14)."""

import pytest

import graphkit as gk
from graphkit.errors import InputError


def _ids(path, **kw):
    g = gk.SocialGraph.from_edges(gk.read_edges([str(path)], **kw))
    return sorted(map(str, g.node_ids))


@pytest.mark.parametrize("text,users", [
    ("source,target\n#ai,bob\nbob,carol\n%x,carol\n", ["#ai", "%x", "bob", "carol"]),
    ("#ai,bob\nbob,carol\n%x,carol\n", ["#ai", "%x", "bob", "carol"]),  # headerless CSV
    ('source,target\n"#ai",bob\n"% x",#carol\n', ["#ai", "#carol", "% x", "bob"]),
    ("\nsource,target\r\n#ai,#bob\r\n", ["#ai", "#bob"]),
])
def test_hash_and_percent_ids_in_csv_are_users(tmp_path, text, users):
    p = tmp_path / "e.csv"
    p.write_bytes(text.encode("utf-8"))
    assert _ids(p) == users


def test_csv_error_lines_count_hash_rows(tmp_path):
    p = tmp_path / "e.csv"
    p.write_text("source,target\n#a,b\n#b,c\nc,\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        gk.read_edges([str(p)])
    assert err.value.line == 4


def test_snap_comments_still_skipped(tmp_path):
    p = tmp_path / "e.txt"
    p.write_text("# Directed graph\n% konect\na b\n# inner comment\nb c\n", encoding="utf-8")
    assert _ids(p) == ["a", "b", "c"]


def test_csv_note_lines_without_commas_are_skipped_but_hash_rows_with_commas_are_data(tmp_path):
    p = tmp_path / "e.csv"
    p.write_text("# exported 2024-05-01\nsource,target\n#ai,b\n# a note\nb,c\n", encoding="utf-8")
    assert _ids(p) == ["#ai", "b", "c"]
    bad = tmp_path / "bad.csv"
    bad.write_text("source,target\na,b\n#x,y,z\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        gk.read_edges([str(bad)])
    assert err.value.line == 3
