"""One call run in a forked child process, beside the parent's own work (Linux only).

igraph's Leiden holds the GIL for its whole run (about 3.5 s of CPU on a 1M-row graph,
10 s on the 4.5M pairs a 10M-edge graph contracts to on Spark), so no Python thread of
this process can do anything beside it, only the kernels that release the GIL. A child
forked from this process shares the arrays (copy-on-write), makes the call and sends its
picklable value back through a pipe; the parent meanwhile works: ``segments`` computes
the other features and imports scikit-learn, the Spark engine collects the edges the
summary needs. Same seed, same arrays, same library: the child returns what the call
returns in-process.

The child runs NumPy and igraph only (never numba's threads, pyarrow's pool or BLAS,
whose thread pools do not survive a fork), dies with the default action on Ctrl-C and
SIGTERM, and with its parent (``PR_SET_PDEATHSIG``); it prints nothing and leaves no
file. Whatever goes wrong in it (an exception, a signal, a fork refused) makes
:meth:`ChildCall.result` return ``None``, and the caller makes the call in-process, which
raises the error a user should see.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import warnings
from collections.abc import Callable

#: Off switch (tests run both paths; the in-process path is what other systems use).
ENABLED = True


def can_fork() -> bool:
    """True where :class:`ChildCall` forks (Linux; other systems call in-process)."""
    return ENABLED and sys.platform.startswith("linux") and hasattr(os, "fork")


def _die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this child when its parent dies (no orphaned Leiden)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


class ChildCall:
    """``fn()`` in a forked child; :meth:`result` waits for its value.

    ``ChildCall(fn).result()`` is ``fn()`` (through pickle), or ``None`` when the child
    could not give it (no fork, an exception, killed). :meth:`close` (also on any error
    of the parent's, through ``with``) kills and reaps the child.
    """

    def __init__(self, fn: Callable[[], object]):
        self.pid: int | None = None
        self.fd: int | None = None
        if not can_fork():
            return
        parent = os.getpid()
        r, w = os.pipe()
        try:
            with warnings.catch_warnings():
                # Python 3.12+ warns on fork() in a process with threads (pyarrow's and
                # numba's pools here): the child uses none of them
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
        except OSError:  # pragma: no cover - EAGAIN / ENOMEM: call in-process
            os.close(r)
            os.close(w)
            return
        if pid == 0:  # pragma: no cover - the child (coverage does not follow a fork)
            code = 1
            try:
                os.close(r)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _die_with_parent(parent)
                data = pickle.dumps(fn(), protocol=pickle.HIGHEST_PROTOCOL)
                view = memoryview(data)
                while view:
                    view = view[os.write(w, view):]
                code = 0
            except BaseException:  # noqa: BLE001 - the parent calls in-process instead
                pass
            finally:
                os._exit(code)
        os.close(w)
        self.pid, self.fd = pid, r

    def result(self):
        """The child's value, or ``None`` (then call in-process). Waits for the child."""
        if self.pid is None:
            return None
        try:
            chunks = []
            while True:
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            _, status = os.waitpid(self.pid, 0)
            self.pid = None
            if status != 0 or not chunks:
                return None
            return pickle.loads(b"".join(chunks))
        finally:
            self.close()

    def close(self) -> None:
        """Kill and reap the child if it still runs; close the pipe."""
        if self.pid is not None:
            pid, self.pid = self.pid, None
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:  # pragma: no cover - already gone
                pass
            os.waitpid(pid, 0)
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
