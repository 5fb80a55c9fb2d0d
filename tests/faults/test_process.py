"""Fault matrix, part 4: faults only a whole process meets — Ctrl-C and SIGTERM inside
every long kernel and during a write, a 2 GB address-space limit, a read-only install
with no writable HOME. Run as subprocesses, as a user would (slow set)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from graphkit.synthetic import write_edges_csv

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "data", "example.csv")
DATA = os.path.join(ROOT, "data")


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("faults") / "g.csv"
    write_edges_csv(str(path), 50_000, 300_000, rng=1)
    return str(path)


def _graphkit(*args, **kw):
    return subprocess.Popen([sys.executable, "-m", "graphkit", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kw)


LONG = {
    "simulate": ["simulate", "G", "--seeds", "505", "--prob", "uniform:0.3", "--runs", "3000000"],
    "seeds": ["seeds", "G", "-k", "50", "--epsilon", "0.03", "--random-seed", "1"],
    "betweenness": ["rank", "G", "--by", "betweenness", "--samples", "20000"],
    "recommend": ["recommend", "G", "--all", "--tol", "1e-6", "-o", "OUT.csv"],
    "learn-em": ["learn", os.path.join(DATA, "higgs-sample.csv.gz"), "--actions",
                 os.path.join(DATA, "higgs-actions.csv.gz"), "--method", "em", "--runs", "200000"],
}


#: The same commands on a small graph, run first: they compile the kernels (once after
#: installing). numba's compilation cannot be interrupted; a Ctrl-C during it is acted on
#: when it ends (up to ~8 s for recommend's kernel on an idle 2-core machine).
WARM = {  # LONG's options, so that every kernel and signature of the timed run is compiled
    "simulate": ["simulate", "S", "--seeds", "5", "--prob", "uniform:0.3", "--runs", "1000"],
    "seeds": ["seeds", "S", "-k", "50", "--epsilon", "0.03", "--random-seed", "1"],
    "betweenness": ["rank", "S", "--by", "betweenness", "--samples", "20000"],
    "recommend": ["recommend", "S", "--all", "--tol", "1e-6", "-o", "WARM.csv"],
}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("faults") / "s.csv"
    write_edges_csv(str(path), 300, 1500, rng=1)
    return str(path)


@pytest.mark.parametrize("name", sorted(LONG))
def test_ctrl_c_inside_a_kernel_stops_at_once(big, small, tmp_path, name):
    if name in WARM:
        warm = tmp_path.parent / f"warm-{name}"
        warm.mkdir(exist_ok=True)
        args = [small if a == "S" else str(warm / a) if a == "WARM.csv" else a for a in WARM[name]]
        done = subprocess.run([sys.executable, "-m", "graphkit", *args, "-q"],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
    out = tmp_path / "OUT.csv"
    out.write_text("previous\n")
    args = [big if a == "G" else str(out) if a == "OUT.csv" else a for a in LONG[name]]
    p = _graphkit(*args, "-q", cwd=tmp_path)
    time.sleep(5.0)
    assert p.poll() is None, "the command ended before the signal; make it longer"
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=300)
    stopped = time.monotonic() - t0
    err = err.decode()
    # exit 0 with nothing on stderr was seen once in ~40 runs under load: the handler ran
    # inside a finaliser, where Python drops the KeyboardInterrupt; it is delivered again
    # since (graphkit._signals.redeliver, tests/test_signals_deferred.py)
    assert p.returncode == 130, err
    assert err.strip().splitlines()[-1] == "Aborted"
    assert "Traceback" not in err and "internal error" not in err
    # 0.3-0.8 s on an idle 2-core machine (bench/RESULTS.md); 34 s for simulate before the
    # batching. The bound leaves room for a loaded CI machine.
    assert stopped < 5.0, f"stopped {stopped:.1f} s after Ctrl-C"
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["OUT.csv"]


def test_sigterm_at_any_moment_of_a_write_leaves_old_or_new_file(big, tmp_path):
    """SIGTERM at 12 moments spread over a run that writes a 50k-row ranking: each run
    ends with the complete new file (exit 0) or the previous one (exit 143), and no
    temporary file."""
    out = tmp_path / "rank.csv"
    ref = tmp_path / "ref.csv"
    subprocess.run([sys.executable, "-m", "graphkit", "rank", big, "-q", "-o",
                    str(ref)], check=True, timeout=300)
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "graphkit", "rank", big, "-q", "-o",
                    str(out)], check=True, timeout=300)
    whole = time.monotonic() - t0
    codes = set()
    for i in range(12):
        out.write_text("previous\n")
        p = _graphkit("rank", big, "-q", "-o", str(out))
        time.sleep(whole * (0.35 + 0.6 * i / 11))
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=300)
        codes.add(p.returncode)
        # -15: the signal came before Python had started graphkit (a shell reports 143 too)
        assert p.returncode in (0, 143, -15), err
        assert "Traceback" not in err.decode()
        text = out.read_text()
        # never a partial file: the old one, or (also when the signal came after the
        # rename, before the exit) the complete new one
        assert text == ref.read_text() if p.returncode == 0 else text in ("previous\n",
                                                                           ref.read_text())
        assert sorted(x.name for x in tmp_path.iterdir()) == ["rank.csv", "ref.csv"]
    assert codes & {143, -15}  # at least one signal arrived before the end


@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash for ulimit")
@pytest.mark.parametrize("command", [["info"], ["rank"], ["communities"], ["simulate", "--seeds",
                                     "alice"], ["seeds", "-k", "2"], ["report", "-o", "r.html"],
                                     ["view", "-o", "v.html"], ["segments"], ["recommend",
                                     "--user", "alice"], ["export", "-o", "g.gexf"]])
def test_the_example_runs_in_2_gb_of_address_space(tmp_path, command):
    cmd = " ".join([sys.executable, "-m", "graphkit", command[0], EXAMPLE, *command[1:], "-q"])
    r = subprocess.run(["bash", "-c", f"ulimit -v 2000000; {cmd}"], capture_output=True,
                       text=True, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr


@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash for ulimit")
def test_too_little_address_space_is_one_line_naming_the_limit(tmp_path):
    cmd = f"{sys.executable} -m graphkit rank {EXAMPLE} -q"
    r = subprocess.run(["bash", "-c", f"ulimit -v 700000; {cmd}"], capture_output=True, text=True,
                       timeout=300)
    if r.returncode == 0:
        pytest.skip("this platform runs rank in 700 MB of address space")
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 1 and len(lines) == 1, r.stderr
    assert "internal error" not in lines[0] and ("ulimit" in lines[0] or "memory" in lines[0])


def _read_only_run(tmp_path, args):
    """graphkit from a read-only copy of the package with an unwritable HOME (a bind mount
    in a private mount namespace: root ignores file modes, not read-only mounts)."""
    if not shutil.which("unshare") or os.geteuid() != 0:
        pytest.skip("needs root and unshare to mount a read-only copy")
    ro = tmp_path / "ro"
    shutil.copytree(os.path.join(ROOT, "graphkit"), ro / "graphkit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(EXAMPLE, ro / "example.csv")
    cache = tmp_path / "tmp"
    cache.mkdir()
    inner = (f"mount --bind {ro} {ro} && mount -o remount,bind,ro {ro} && "
             f"HOME=/proc/nonexistent TMPDIR={cache} PYTHONPATH={ro} "
             f"{sys.executable} -m graphkit " + " ".join(args))
    r = subprocess.run(["unshare", "-m", "sh", "-c", inner], capture_output=True, text=True,
                       timeout=600, cwd=cache, env={k: v for k, v in os.environ.items()
                                         if k != "NUMBA_CACHE_DIR"})
    if "unshare failed" in r.stderr or "mount:" in r.stderr:
        pytest.skip(f"cannot make a read-only mount here: {r.stderr.strip()[:80]}")
    return r, cache


def test_read_only_install_and_home_fall_back_to_a_temporary_cache(tmp_path):
    r, cache = _read_only_run(tmp_path, ["rank", str(tmp_path / "ro" / "example.csv"),
                                         "--top", "3", "--format", "csv"])
    assert r.returncode == 0, r.stderr
    usual = subprocess.run([sys.executable, "-m", "graphkit", "rank", EXAMPLE, "--top", "3",
                            "--format", "csv"], capture_output=True, text=True, timeout=300)
    assert r.stdout == usual.stdout and len(r.stdout.splitlines()) == 4
    note = [ln for ln in r.stderr.splitlines() if ln.startswith("Note: compiled kernels")]
    assert len(note) == 1 and str(cache) in note[0]
    assert any(p.name.startswith("graphkit-numba-cache") for p in cache.iterdir())


@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash for ulimit")
@pytest.mark.parametrize("limit", [700_000, 800_000, 900_000, 1_100_000])
@pytest.mark.parametrize("command", ["rank", "recommend --all"])
def test_tight_address_space_answers_or_says_so_and_never_hangs(big, tmp_path, limit, command):
    """Under these limits `rank` once hung for ever (OpenBLAS retrying its buffers) or
    printed MemoryError tracebacks, and `recommend` aborted in LLVM while its kernels
    loaded beside the reader (exit 134); now: the answer, or one line, within the timeout."""
    cmd = f"{sys.executable} -m graphkit {command} {big} -q -o {tmp_path / 'r.csv'}"
    r = subprocess.run(["bash", "-c", f"ulimit -v {limit}; {cmd}"], capture_output=True,
                       text=True, timeout=180)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    if r.returncode == 0:
        assert lines == [] and (tmp_path / "r.csv").stat().st_size > 0
    else:
        assert r.returncode == 1 and len(lines) == 1, r.stderr
        # libgomp (numba's OpenMP layer) ends the process itself when the limit leaves no
        # room for its threads: still one line naming the cause
        assert lines[0].startswith(("Error: ", "libgomp: Thread creation failed"))
        assert "internal error" not in lines[0]
        assert not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_recommend_reads_and_loads_its_kernels(big, tmp_path, sig, code):
    """A signal at six moments of ``recommend``'s start (the read, the graph, numba's
    imports and the kernels' load): one line and the signal's exit, with no traceback, no
    fatal error of a thread left at exit, and the old output kept."""
    out = tmp_path / "OUT.csv"
    for delay in (0.0, 0.1, 0.2, 0.35, 0.5, 0.8):
        out.write_text("previous\n")
        p = _graphkit("recommend", big, "--all", "-o", str(out), "-q", cwd=tmp_path)
        # a second thread (pyarrow's readers) means the command runs and its handlers are
        # set; a signal while Python itself starts is Python's to handle
        deadline = time.monotonic() + 60
        while len(os.listdir(f"/proc/{p.pid}/task")) < 2 and p.poll() is None:
            assert time.monotonic() < deadline, "no second thread within 60 s"
            time.sleep(0.005)
        time.sleep(delay)
        p.send_signal(sig)
        _, err = p.communicate(timeout=120)
        err = err.decode()
        assert p.returncode == code, (delay, err)
        assert "Traceback" not in err and "Fatal" not in err and "internal error" not in err
        if sig == signal.SIGINT:  # "Aborted!": click's, while it parses the options
            assert err.strip().splitlines() in (["Aborted"], ["Aborted!"]), (delay, err)
        else:
            assert err.strip() == "", (delay, err)
        assert out.read_text() == "previous\n"
        assert sorted(q.name for q in tmp_path.iterdir()) == ["OUT.csv"]
