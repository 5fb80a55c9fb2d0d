"""A signal whose exception a library swallows still stops the command (graphkit._signals.honour).

C extensions can clear an exception raised in code they call: a SIGTERM that landed while
numpy.random's Cython module registered a class with ``abc`` (inside numba's import) was
dropped, and ``recommend`` ran on, replaced the old output and exited 0 (a clean CI run).
Each case runs the CLI in a subprocess where the real handler is called at a chosen moment
inside ``try/except BaseException: pass``, as such a library would."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from graphkit.synthetic import write_edges_csv

_PRELUDE = """
import sys
from graphkit import _signals

class _Swallow:  # calls the handler on the first import of TRIGGER and drops its exception
    done = False
    def find_spec(self, name, path=None, target=None):
        if name == TRIGGER and not self.done:
            self.done = True
            try:
                HANDLER(SIGNUM, None)
            except BaseException:
                pass
        return None

sys.meta_path.insert(0, _Swallow())
HOOK
from graphkit.__main__ import run
sys.argv[0] = "graphkit"
run()
"""


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("swallow") / "g.csv"
    write_edges_csv(str(path), 2_000, 8_000, rng=1)
    return str(path)


def _run(tmp_path, args, *, signum, trigger, hook=""):
    handler = "_signals._terminated" if signum == 15 else "_signals._interrupted"
    # the hook first: it may name HANDLER and SIGNUM too
    code = (_PRELUDE.replace("HOOK", hook).replace("TRIGGER", repr(trigger))
            .replace("HANDLER", handler).replace("SIGNUM", str(signum)))
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)


@pytest.mark.parametrize("signum, code, stderr", [(15, 143, ""), (2, 130, "Aborted")])
def test_a_signal_swallowed_in_an_import_keeps_the_old_output(graph_file, tmp_path, signum,
                                                              code, stderr):
    out = tmp_path / "OUT.csv"
    out.write_text("previous\n")
    r = _run(tmp_path, ["recommend", graph_file, "--all", "-o", str(out), "-q"], signum=signum,
             trigger="graphkit.recommend.scorers")
    assert r.returncode == code, r.stderr
    assert r.stderr.strip() == stderr
    assert out.read_text() == "previous\n"
    assert sorted(os.listdir(tmp_path)) == ["OUT.csv"]


@pytest.mark.parametrize("signum, code, stderr", [(15, 143, ""), (2, 130, "Aborted")])
def test_a_signal_swallowed_after_the_last_check_still_sets_the_exit(graph_file, tmp_path,
                                                                     signum, code, stderr):
    """No progress stage and no output file after the signal (the stages switched off,
    the table on stdout): the command ends, but with the signal's exit, not 0."""
    no_stages = ("import graphkit.cli._output as o\n"
                 "o.Stages.stage = lambda self, *a, **k: None\n")
    r = _run(tmp_path, ["recommend", graph_file, "--all", "-q"], signum=signum,
             trigger="graphkit.recommend.scorers", hook=no_stages)
    assert r.returncode == code, r.stderr
    assert r.stderr.strip() == stderr


def test_without_a_signal_the_same_run_writes_and_exits_0(graph_file, tmp_path):
    """The harness itself: with the trigger on a module never imported, the run is normal."""
    out = tmp_path / "OUT.csv"
    out.write_text("previous\n")
    r = _run(tmp_path, ["recommend", graph_file, "--all", "-o", str(out), "-q"], signum=15,
             trigger="no.such.module")
    assert r.returncode == 0 and r.stderr == ""
    assert out.read_text().startswith("user,rank,candidate")


@pytest.mark.parametrize("received, exc", [("TERMINATED", SystemExit), ("INTERRUPTED", KeyboardInterrupt)])
def test_an_output_file_is_not_committed_after_a_signal(tmp_path, monkeypatch, received, exc):
    """The last check, in the writer: a file written after a swallowed signal never
    replaces the old one, and its temporary file is removed."""
    from graphkit import _signals
    from graphkit.io.writers import atomic_open

    out = tmp_path / "OUT.csv"
    out.write_text("previous\n")
    monkeypatch.setattr(_signals, received, [15 if received == "TERMINATED" else 2])
    with pytest.raises(exc) as caught:
        with atomic_open(str(out)) as fh:
            fh.write("new\n")
    if exc is SystemExit:
        assert caught.value.code == 143
    assert out.read_text() == "previous\n"
    assert sorted(os.listdir(tmp_path)) == ["OUT.csv"]
    monkeypatch.undo()
    with atomic_open(str(out)) as fh:  # no signal: written as usual
        fh.write("new\n")
    assert out.read_text() == "new\n"


_SET_NAME = """
import graphkit.cli._options  # the options' module first: the signal lands in graphkit.io's
_fire = HANDLER
class _SignalInSetName:  # Python wraps what __set_name__ raises in a RuntimeError
    def __set_name__(self, owner, name):
        _fire(SIGNUM, None)
class _Wrap:
    done = False
    def find_spec(self, name, path=None, target=None):
        if name == "graphkit.io" and not self.done:
            self.done = True
            type("LoadReport", (), {"dropped": _SignalInSetName()})
        return None
sys.meta_path.insert(0, _Wrap())
"""


@pytest.mark.parametrize("signum, code, stderr", [(15, 143, ""), (2, 130, "Aborted")])
def test_a_signal_wrapped_in_another_error_outside_a_command_is_the_signal(graph_file, tmp_path,
                                                                           signum, code, stderr):
    """A Ctrl-C 0.1 s into ``recommend`` (a stress run under load) landed in a dataclass's
    ``__set_name__`` while an option's callback imported ``graphkit.io``: a RuntimeError
    traceback and exit 1. It is the signal's exit and line."""
    r = _run(tmp_path, ["recommend", graph_file, "--all", "-q"],
             signum=signum, trigger="no.such.module", hook=_SET_NAME)
    assert r.returncode == code, r.stderr
    assert r.stderr.strip() == stderr


_READS = """
import os, signal, sys, threading, time
import pyarrow as pa, pyarrow.csv as pcsv
from graphkit.io._text import off_the_main_thread

path, mode, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
read = pcsv.read_csv if mode == "direct" else (lambda p: off_the_main_thread(pcsv.read_csv, p))
seen = threading.Event()
signal.signal(signal.SIGINT, lambda signum, frame: seen.set())
sent = lost = 0
done = False

def sender():  # a Ctrl-C at a random moment of the reads, then wait until Python saw it
    global sent, lost
    rng = __import__("random").Random(1)
    while not done:
        time.sleep(rng.uniform(0.0, 0.01))
        seen.clear()
        os.kill(os.getpid(), signal.SIGINT)
        sent += 1
        lost += not seen.wait(1.0)

t = threading.Thread(target=sender, daemon=True)
t.start()
end = time.monotonic() + seconds
while time.monotonic() < end:
    try:
        read(path)
    except pa.ArrowCancelled:  # pyarrow's own handling stopped the read
        pass
done = True
t.join()
print(sent, lost)
"""


@pytest.mark.slow
def test_no_ctrl_c_is_lost_while_pyarrow_reads(tmp_path):
    """Called from the main thread, pyarrow's CSV read loses a few signals in a hundred
    (its handler hands them to a thread that may ask the read to stop too late): the
    direct call loses some here, the reader's call through a helper thread none."""
    path = tmp_path / "g.csv"
    write_edges_csv(str(path), 20_000, 50_000, rng=1)
    counts = {}
    for mode in ("helper", "direct"):
        r = subprocess.run([sys.executable, "-c", _READS, str(path), mode, "8"],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        counts[mode] = tuple(map(int, r.stdout.split()))
    sent, lost = counts["helper"]
    assert sent > 300 and lost == 0, counts
    if counts["direct"][1] == 0:  # the harness could not show the loss this time
        pytest.skip(f"pyarrow's own read lost no signal in this run: {counts}")
