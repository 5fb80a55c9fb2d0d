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


# file names of the code a signal must not interrupt: importlib's bootstrap and llvmlite's
# code (a Ctrl-C raised there hung or aborted simulate)
MACHINERY = ["<frozen importlib._bootstrap>",
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


def _where_raised(outer_file: str, outer_name: str) -> list:
    """Call the SIGINT handler from a frame of ``inner.py`` called by a function named
    ``outer_name`` in ``outer_file``; print whether the KeyboardInterrupt was raised in
    those frames (deferred: raised only after they returned)."""
    got = _run(f"""
        import sys, time, traceback
        from graphkit import _signals
        _signals.install()
        inner = compile("handler(2, sys._getframe())", "/x/graphkit/inner.py", "exec")
        src = "def {outer_name}(inner, g):\\n    exec(inner, g)\\n    y = [i for i in range(50)]\\n"
        space = {{}}
        exec(compile(src, {outer_file!r}, "exec"), space)
        g = {{"handler": _signals._interrupted, "sys": sys}}
        try:
            space[{outer_name!r}](inner, g)
            t0 = time.monotonic()
            while time.monotonic() - t0 < 10:
                time.sleep(0.001)
            print("lost")
        except KeyboardInterrupt as e:
            names = [f.filename for f in traceback.extract_tb(e.__traceback__)]
            print({outer_file!r} in names, "/x/graphkit/inner.py" in names)
    """)
    assert got.returncode == 0, got.stderr
    return got.stdout.split()


@linux
def test_a_signal_below_an_llvmlite_frame_waits_for_it_to_return():
    """Code called by llvmlite (here a frame called from an llvmlite-named one) is inside
    it too; the signal is raised in the caller once llvmlite's frame has returned."""
    llvm = os.path.join(os.sep, "venv", "site-packages", "llvmlite", "binding", "ffi.py")
    assert _where_raised(llvm, "call") == ["False", "False"]


@linux
def test_a_signal_directly_in_an_enter_waits_for_it_to_return():
    """A lock taken in a context manager's ``__enter__`` and not yet owned by the ``with``
    would never be released: the signal waits for ``__enter__`` to return."""
    got = _run("""
        import sys, time, traceback
        from graphkit import _signals
        _signals.install()

        class Lock:
            def __enter__(self):
                _signals._interrupted(2, sys._getframe())
                x = [i for i in range(50)]
                return self
            def __exit__(self, *exc):
                return False

        try:
            with Lock():
                t0 = time.monotonic()
                while time.monotonic() - t0 < 10:
                    time.sleep(0.001)
            print("lost")
        except KeyboardInterrupt as e:
            print(any(f.name == "__enter__" for f in traceback.extract_tb(e.__traceback__)))
    """)
    assert got.returncode == 0, got.stderr
    assert got.stdout.split() == ["False"], got.stdout


@linux
def test_a_signal_in_numbas_other_code_is_raised_at_once():
    """A running kernel calls back into numba's Python code between batches
    (``_numba_unpickle``); deferred there, a Ctrl-C waited 33 s for the whole job."""
    numba = os.path.join(os.sep, "venv", "site-packages", "numba", "core", "serialize.py")
    assert _where_raised(numba, "_numba_unpickle") == ["True", "True"]


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


@linux
def test_a_signal_that_keeps_landing_in_the_machinery_is_raised_after_a_second():
    """The hand-back is bounded: if every check lands in the machinery (here the code
    stays in an llvmlite-named loop), the signal is raised there after about a second
    rather than never."""
    llvm = os.path.join(os.sep, "venv", "site-packages", "llvmlite", "binding", "ffi.py")
    got = _run(f"""
        import sys, time, traceback
        from graphkit import _signals
        _signals.install()
        src = ("def spin(handler, sys, time):\\n"
               "    handler(2, sys._getframe())\\n"
               "    t0 = time.monotonic()\\n"
               "    while time.monotonic() - t0 < 10:\\n"
               "        time.sleep(0.001)\\n"
               "    return time.monotonic() - t0\\n")
        space = {{}}
        exec(compile(src, {llvm!r}, "exec"), space)
        t0 = time.monotonic()
        try:
            print("lost", space["spin"](_signals._interrupted, sys, time))
        except KeyboardInterrupt as e:
            print(round(time.monotonic() - t0, 1), traceback.extract_tb(e.__traceback__)[-2].name)
    """)
    assert got.returncode == 0, got.stderr
    waited, where = got.stdout.split()
    assert 0.9 <= float(waited) <= 3.0 and where == "spin", got.stdout
