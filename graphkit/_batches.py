"""Cut long kernel work into calls of bounded duration.

A compiled kernel cannot be interrupted: Python runs a signal handler (Ctrl-C, SIGTERM)
only when the kernel returns. Work that could run for minutes in one call is therefore
fed to its kernel in batches whose size adapts to the measured speed, so that each call
takes about ``target`` seconds and an interrupt is honoured within about that time,
whatever the machine, the graph or the number of runs. The batching never changes a
result: callers cut work whose pieces have their own random streams (DESIGN §5).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

__all__ = ["timed_batches", "TARGET_SECONDS", "on_threads"]

#: Seconds one kernel call should take: the delay before Ctrl-C is honoured.
TARGET_SECONDS = 0.25


def timed_batches(total: int, *, first: int = 1, target: float = TARGET_SECONDS,
                  least: int = 1, most: int | None = None) -> Iterator[tuple[int, int]]:
    """Yield ``(start, stop)`` ranges covering ``range(total)`` in order.

    The first range has ``first`` units; each next one is sized from the time the
    caller spent on the previous one (measured between the ``yield`` and the next
    request) so that it takes about ``target`` seconds, growing at most 4x per step
    (the first call may include compilation), never below ``least`` units (a parallel
    kernel wants one piece per worker) nor beyond ``most``.

    >>> [r for r in timed_batches(5, first=2, target=1e9, most=2)]
    [(0, 2), (2, 4), (4, 5)]
    """
    start = 0
    size = max(1, int(first))
    while start < total:
        stop = min(total, start + size)
        t0 = time.perf_counter()
        yield start, stop
        spent = time.perf_counter() - t0
        done = stop - start
        fit = int(target * done / spent) if spent > 0 else 4 * size
        size = max(1, int(least), min(4 * size, fit))
        if most is not None:
            size = min(size, int(most))
        start = stop


def _address_space_limited() -> bool:
    try:
        import resource

        return resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY
    except (ImportError, OSError, ValueError):  # not on this platform
        return False


def on_threads(work, n: int) -> None:
    """Call ``work(w)`` for ``w`` in ``range(n)`` at once: ``w = 0`` in this thread, the
    others on threads of their own; an exception in any is raised here.

    For serial numba kernels compiled with ``nogil=True``, each doing worker ``w``'s
    fixed share of the work: threads without a ``parallel=True`` kernel, whose compile
    costs about twice a serial one's on the first run after installing.

    Under an address-space limit (``ulimit -v``) the shares run one after another in this
    thread: a thread whose start-up meets a ``MemoryError`` leaves ``Thread.start()``
    waiting for ever (``seeds`` hung so at 750 MB), and each thread's stack and first
    kernel load take room the work needs. Each share is its own, so the result is the same.
    """
    if n > 1 and _address_space_limited():
        for w in range(n):
            work(w)
        return
    import threading

    failed: list[BaseException] = []

    def run(w):
        try:
            work(w)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            failed.append(exc)

    threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in range(1, n)]
    try:
        for t in threads:
            t.start()
        run(0)
        for t in threads:
            t.join()
    except BaseException:
        # Ctrl-C or SIGTERM while waiting: let the other threads finish their share (one
        # bounded batch) before the exception unwinds to the exit, so that no thread is
        # still inside a compiled kernel while the interpreter finalises
        for t in threads:
            while t.is_alive():
                try:
                    t.join()
                except BaseException:  # noqa: BLE001 - a second signal while waiting
                    pass
        raise
    if failed:
        raise failed[0]
