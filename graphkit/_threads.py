"""Work on a helper thread while the caller goes on or waits (no graphkit imports)."""

from __future__ import annotations

import threading

__all__ = ["in_background"]


def in_background(func, *args, **kwargs):
    """Start ``func(*args, **kwargs)`` on a daemon thread; return a function that waits
    for it and gives its result, or raises its error.

    The caller's wait (``Thread.join``) ends at once when the main thread gets Ctrl-C or
    SIGTERM; the work then goes on alone until it ends or the process exits (nothing
    waits for a daemon thread). When no thread can start (a tight ``ulimit -v``) the work
    runs at once, in the caller's thread, and the returned function gives what it gave.

    >>> wait = in_background(sum, [1, 2, 3])
    >>> wait()
    6
    """
    out: dict = {}

    def run():
        try:
            out["value"] = func(*args, **kwargs)
        except BaseException as exc:  # handed to the waiting caller
            out["error"] = exc

    thread = threading.Thread(target=run, name=f"graphkit-{getattr(func, '__name__', 'work')}",
                              daemon=True)
    try:
        thread.start()
    except RuntimeError:  # no room for another thread
        thread = None
        run()

    def result():
        if thread is not None:
            thread.join()
        if "error" in out:
            raise out.pop("error")
        return out["value"]

    return result
