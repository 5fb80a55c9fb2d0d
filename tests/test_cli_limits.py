"""Failures that come from the process's limits, not from the input, are one line naming
the limit, never "internal error" (issue 14): exercised through the CLI's error wrapper."""

import click
import pytest
from click.testing import CliRunner

from graphkit.cli._errors import handle_errors

CASES = [
    (ImportError("/x/numpy/random/_common.cpython-311-x86_64-linux-gnu.so: failed to map "
                 "segment from shared object"), "out of memory"),
    (OSError(12, "Cannot allocate memory"), "out of memory"),
    (OSError("could not load llvmlite library"), "llvmlite"),
    (RuntimeError("can't start new thread"), "cannot start a worker thread"),
    (MemoryError(), "out of memory"),
]


@pytest.mark.parametrize("exc, words", CASES)
def test_limit_failures_are_one_line(exc, words):
    @click.command()
    @handle_errors
    def cmd():
        raise exc

    r = CliRunner().invoke(cmd, [])
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert r.exit_code == 1 and len(lines) == 1, r.output
    assert words in lines[0] and "internal error" not in lines[0]


def test_other_import_errors_stay_internal():
    @click.command()
    @handle_errors
    def cmd():
        raise ImportError("No module named 'nonexistent'")

    r = CliRunner().invoke(cmd, [])
    assert r.exit_code == 1 and "internal error" in r.output


@pytest.mark.skipif(not __import__("shutil").which("bash"), reason="needs bash for ulimit")
def test_address_space_limit_is_seen():
    import subprocess
    import sys

    code = "from graphkit._jitcache import address_space_limited as f; print(f())"
    free = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    capped = subprocess.run(["bash", "-c", f"ulimit -v 4000000; {sys.executable} -c '{code}'"],
                            capture_output=True, text=True)
    assert (free.stdout.strip(), capped.stdout.strip()) == ("False", "True"), capped.stderr
