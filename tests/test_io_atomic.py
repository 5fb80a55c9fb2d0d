"""Outputs the OS refuses name the user's path (never a hidden temporary name), exit 1, and
leave nothing behind; overwriting keeps the file's mode (issue 14)."""

import os
import stat
import subprocess
import sys

import pytest

from graphkit.errors import InputError
from graphkit.io import atomic_open, write_table

EXAMPLE = "data/example.csv"


def _rank_to(path):
    return subprocess.run([sys.executable, "-m", "graphkit", "rank", EXAMPLE, "-o", str(path)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_output_the_os_refuses_names_the_users_path():
    r = _rank_to("/proc/x.csv")
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1].startswith("Error: /proc/x.csv: cannot write here")
    assert ".tmp" not in r.stderr and "internal error" not in r.stderr


def test_existing_file_keeps_its_mode(tmp_path):
    out = tmp_path / "r.csv"
    out.write_text("old\n")
    os.chmod(out, 0o600)
    assert _rank_to(out).returncode == 0
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert out.read_text().startswith("rank,user,score")


def test_failed_write_keeps_previous_file_and_removes_temp(tmp_path):
    out = tmp_path / "r.txt"
    out.write_text("previous\n")
    with pytest.raises(InputError) as err:
        with atomic_open(str(out)) as fh:
            fh.write("half")
            raise OSError(28, "No space left on device")
    assert str(err.value).startswith(f"{out}: cannot write (No space left on device)")
    assert out.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.txt"]


def test_directory_as_output_is_refused(tmp_path):
    import pandas as pd

    (tmp_path / "d.csv").mkdir()
    with pytest.raises(InputError, match="is a directory"):
        write_table(pd.DataFrame({"a": [1]}), str(tmp_path / "d.csv"))
