"""graphkit._batches: bounded batches and the thread runner's behaviour on Ctrl-C."""

from __future__ import annotations

import _thread
import threading
import time

import pytest

from graphkit._batches import on_threads, timed_batches


def test_batches_cover_the_range_in_order():
    got = list(timed_batches(1000, first=3, target=1e9, most=100))
    assert got[0] == (0, 3)
    assert [a for a, _ in got[1:]] == [b for _, b in got[:-1]]
    assert got[-1][1] == 1000
    assert max(b - a for a, b in got) <= 100


def test_every_worker_runs_once_and_an_error_is_raised_in_the_caller():
    seen = []
    lock = threading.Lock()

    def work(w):
        with lock:
            seen.append(w)

    on_threads(work, 4)
    assert sorted(seen) == [0, 1, 2, 3]

    def bad(w):
        if w == 2:
            raise ValueError("worker 2")

    with pytest.raises(ValueError, match="worker 2"):
        on_threads(bad, 3)


def test_ctrl_c_while_waiting_lets_the_other_threads_finish_first():
    """A KeyboardInterrupt in the caller's thread (while it waits for the others) comes
    out only after every other thread has left its work: none is still inside a kernel
    when the process unwinds to its exit."""
    finished = []

    def work(w):
        if w == 1:
            _thread.interrupt_main()  # Ctrl-C arrives while worker 0 waits in join()
            time.sleep(0.5)
            finished.append(w)

    with pytest.raises(KeyboardInterrupt):
        on_threads(work, 2)
        time.sleep(2)  # pragma: no cover - only reached if the interrupt got lost
    assert finished == [1]


def test_under_an_address_space_limit_the_shares_run_in_this_thread(monkeypatch):
    """ulimit -v: no thread is started (a thread's start-up meeting a MemoryError leaves
    Thread.start() waiting for ever); every share still runs, in order, and an error in
    one is raised here."""
    from graphkit import _batches

    monkeypatch.setattr(_batches, "_address_space_limited", lambda: True)
    ran = []
    _batches.on_threads(lambda w: ran.append((w, threading.get_ident())), 4)
    assert ran == [(w, threading.get_ident()) for w in range(4)]

    def bad(w):
        if w == 2:
            raise MemoryError("no room")

    with pytest.raises(MemoryError):
        _batches.on_threads(bad, 3)
    monkeypatch.setattr(_batches, "_address_space_limited", lambda: False)
    ran.clear()
    _batches.on_threads(lambda w: ran.append((w, threading.get_ident())), 3)
    assert sorted(w for w, _ in ran) == [0, 1, 2]  # and on threads again:
    assert {t for w, t in ran if w > 0} - {threading.get_ident()}
