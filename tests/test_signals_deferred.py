"""A signal that lands inside Python's import machinery is raised once that code has
returned: raised there, it can leave the global import lock held (``segments`` hung after
SIGTERM about one run in fifteen: the end-to-end rounds are in test_segments_fork.py)."""

import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals")


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": ROOT}, capture_output=True,
                          text=True, timeout=120)


# file names of the code a signal must not interrupt: importlib's bootstrap, and numba's and
# llvmlite's compile and cache-loading code (a Ctrl-C raised there hung or aborted simulate)
MACHINERY = ["<frozen importlib._bootstrap>",
             os.path.join(os.sep, "venv", "site-packages", "numba", "core", "caching.py"),
             os.path.join(os.sep, "venv", "site-packages", "llvmlite", "binding", "ffi.py")]


@linux
@pytest.mark.parametrize("machinery", MACHINERY)
@pytest.mark.parametrize("signum, handler, exc", [(15, "_terminated", "SystemExit"),
                                                   (2, "_interrupted", "KeyboardInterrupt")])
def test_a_signal_inside_the_import_machinery_is_raised_once_it_has_returned(signum, handler,
                                                                              exc, machinery):
    got = _run(f"""
        import sys, time, traceback
        from graphkit import _signals
        _signals.install()
        # the handler called from a frame of the machinery's code (its file name)
        machinery = compile("handler({signum}, sys._getframe())\\nx = [i for i in range(50)]",
                            {machinery!r}, "exec")
        try:
            exec(machinery, {{"handler": _signals.{handler}, "sys": sys}})
            t0 = time.monotonic()  # handed back a few milliseconds later
            while time.monotonic() - t0 < 10:
                time.sleep(0.001)
            print("lost")
        except {exc} as e:
            frames = traceback.extract_tb(e.__traceback__)
            print("raised in", " ".join(f.filename for f in frames[:-1]))
            print("count", len(_signals.INTERRUPTED) + len(_signals.TERMINATED))
    """)
    assert got.returncode == 0, got.stderr
    lines = got.stdout.splitlines()
    # raised from ordinary code (the loop after the machinery's frame), never inside it
    assert lines[0].startswith("raised in") and machinery not in lines[0], got.stdout
    assert lines[1] == "count 1"


@linux
def test_a_signal_below_a_numba_frame_waits_for_it_to_return():
    """Deeper code called by numba's machinery (here a graphkit-named frame called from a
    numba-named one) is inside it too; the signal is raised in the caller afterwards."""
    got = _run(f"""
        import sys, time, traceback
        from graphkit import _signals
        _signals.install()
        inner = compile("handler(2, sys._getframe())", "/x/graphkit/inner.py", "exec")
        outer = compile("exec(inner, g)\\ny = [i for i in range(50)]", {MACHINERY[1]!r}, "exec")
        g = {{"handler": _signals._interrupted, "sys": sys}}
        try:
            exec(outer, {{"inner": inner, "g": g}})
            t0 = time.monotonic()
            while time.monotonic() - t0 < 10:
                time.sleep(0.001)
            print("lost")
        except KeyboardInterrupt as e:
            names = [f.filename for f in traceback.extract_tb(e.__traceback__)]
            print("numba" in " ".join(names[1:]), "inner" in " ".join(names))
    """)
    assert got.returncode == 0, got.stderr
    assert got.stdout.split() == ["False", "False"], got.stdout


@linux
def test_without_a_thread_to_hand_it_back_the_signal_is_raised_at_once():
    """Where no thread can start (``ulimit -v``, the interpreter shutting down), the
    signal is raised where it landed rather than dropped."""
    got = _run("""
        import _thread, sys
        from graphkit import _signals
        _signals.install()

        def refuse(*a):
            raise RuntimeError("can't start new thread")

        _thread.start_new_thread = refuse
        machinery = compile("handler(15, sys._getframe())", "<frozen importlib._bootstrap>",
                            "exec")
        try:
            exec(machinery, {"handler": _signals._terminated, "sys": sys})
            print("lost")
        except SystemExit as e:
            print("raised", e.code)
    """)
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == "raised 143"


@linux
@pytest.mark.parametrize("signum, handler, exc, code", [(2, "_interrupted", "KeyboardInterrupt", 130),
                                                         (15, "_terminated", "SystemExit", 143)])
def test_a_signal_handled_inside_a_finaliser_is_delivered_again(signum, handler, exc, code):
    """Python reports and drops an exception raised in ``__del__``; the command's hook
    delivers the signal again instead of losing it (a CI run ended 0 after Ctrl-C)."""
    got = _run(f"""
        import gc, time
        from graphkit import _signals
        from graphkit.__main__ import _quiet_unraisable_memory_errors
        _signals.install()
        _quiet_unraisable_memory_errors()

        class Finalised:
            def __del__(self):
                _signals.{handler}({signum}, None)  # the signal lands inside the finaliser

        Finalised()
        gc.collect()
        try:
            t0 = time.monotonic()
            while time.monotonic() - t0 < 10:
                time.sleep(0.001)
            print("lost")
        except {exc} as e:
            print("raised", getattr(e, "code", None) or {code})
    """)
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == "raised {code}".format(code=code), got.stdout + got.stderr
    assert "Traceback" not in got.stderr and "Exception ignored" not in got.stderr
