"""graphkit._threads.in_background: the result or the error of work on a helper thread."""

from __future__ import annotations

import threading

import pytest

from graphkit._threads import in_background


def test_the_result_and_the_error_come_back_unchanged():
    started = threading.Event()

    def job(x, *, times):
        started.set()
        assert threading.current_thread() is not threading.main_thread()
        return x * times

    wait = in_background(job, 21, times=2)
    assert started.wait(10)
    assert wait() == 42

    def fails():
        raise ValueError("bad rows")

    with pytest.raises(ValueError, match="bad rows"):
        in_background(fails)()


def test_without_room_for_a_thread_the_work_runs_in_the_caller(monkeypatch):
    def refuse(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    ran_in = []
    wait = in_background(lambda: ran_in.append(threading.current_thread()) or "done")
    assert ran_in == [threading.current_thread()]
    assert wait() == "done"
