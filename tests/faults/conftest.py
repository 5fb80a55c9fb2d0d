"""The fault matrix's runner: one CLI invocation in a fresh directory, and the checks every
outcome must pass (issue 14).

Every case states its exact outcome: exit 0 with the right answer, or exit 1 (data/IO) or 2
(usage) with one ``Error:`` line that names the file, line or option. For every case, of any
outcome: no traceback, no "internal error", no temporary file left, and a previous output
file is unchanged when the run failed.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from graphkit.cli import cli


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    dir: str

    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    def read(self, name: str) -> str:
        with open(self.path(name), encoding="utf-8", newline="") as fh:
            return fh.read()


def _fill(directory: str, files: dict) -> None:
    for name, data in files.items():
        path = os.path.join(directory, name)
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(path, "wb") as fh:
            fh.write(data)


def _snapshot(directory: str) -> dict:
    out = {}
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            with open(path, "rb") as fh:
                out[name] = hashlib.sha256(fh.read()).hexdigest()
    return out


def run_case(tmp_path, files: dict, args: list[str], *, code: int, error: str | None = None,
             input: str | None = None) -> Outcome:
    """Run ``graphkit ARGS`` in ``tmp_path`` holding ``files``; check the universal rules and
    the exit code; with ``error``, the one error line must match that regex."""
    directory = str(tmp_path)
    _fill(directory, files)
    before = _snapshot(directory)
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        result = CliRunner().invoke(cli, args, input=input, catch_exceptions=True)
    finally:
        os.chdir(cwd)
    out = Outcome(result.exit_code, result.stdout, result.stderr, directory)
    shown = out.stdout + out.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {type(result.exception).__name__}: {result.exception}")
    assert "internal error" not in shown, shown
    assert "Traceback" not in shown, shown
    leftovers = [n for n in os.listdir(directory) if n.endswith(".tmp")]
    assert leftovers == [], f"temporary files left: {leftovers}"
    assert out.code == code, f"exit {out.code}, expected {code}\nstdout: {out.stdout}\nstderr: {out.stderr}"
    if code != 0:
        errors = [ln for ln in out.stderr.splitlines() if ln.startswith("Error:")]
        assert len(errors) == 1, out.stderr
        if error is not None:
            assert re.search(error, errors[0]), f"{errors[0]!r} does not match {error!r}"
        after = _snapshot(directory)
        changed = [n for n in before if after.get(n) != before[n]]
        assert changed == [], f"a failed run changed {changed}"
    return out


@pytest.fixture
def case(tmp_path):
    def go(files, args, **kw):
        return run_case(tmp_path, files, args, **kw)

    return go
