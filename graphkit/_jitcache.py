"""Where numba keeps graphkit's compiled kernels.

numba caches a compiled function beside its source (``__pycache__``) or, when that is
read-only, under ``~/.cache/numba``; when neither can be written (a read-only install
with a read-only or missing ``HOME``: containers, shared systems), decorating a cached
kernel fails with "cannot cache function ...: no locator available". graphkit then points
numba at a private directory in the system's temporary directory instead (kept between
runs while the OS keeps it), and says so once.
"""

from __future__ import annotations

import os
import sys
import tempfile

__all__ = ["prepare", "NOTE", "fit_native_pools", "compiled_before"]

#: The note for the user when the fallback was taken (None otherwise).
NOTE: str | None = None
_DONE = False


def _writable(directory: str) -> bool:
    """Whether a file can be created in ``directory`` (created if missing)."""
    try:
        os.makedirs(directory, exist_ok=True)
        fd, path = tempfile.mkstemp(dir=directory, prefix=".graphkit-probe-")
    except OSError:
        return False
    os.close(fd)
    try:
        os.unlink(path)
    except OSError:
        pass
    return True


def _user_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "numba")


def prepare() -> str | None:
    """Make sure numba can cache graphkit's kernels; returns the note to show, if any.

    Nothing changes when the user set ``NUMBA_CACHE_DIR`` to a writable place, or when
    the package's ``__pycache__`` or the user-wide cache can be written. Cheap (a few
    file-system calls) and done once per process.
    """
    global NOTE, _DONE
    if _DONE:
        return NOTE
    _DONE = True
    chosen = os.environ.get("NUMBA_CACHE_DIR")
    if chosen:
        if _writable(chosen):
            return None
    elif _writable(os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__")) \
            or _writable(_user_cache_dir()):
        return None
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    fallback = os.path.join(tempfile.gettempdir(), f"graphkit-numba-cache-{uid}")
    if not _writable(fallback):
        fallback = tempfile.mkdtemp(prefix="graphkit-numba-cache-")
    os.environ["NUMBA_CACHE_DIR"] = fallback
    config = sys.modules.get("numba.core.config")
    if config is not None:  # numba already imported: its setting is read per kernel
        config.CACHE_DIR = fallback
    where = f"NUMBA_CACHE_DIR={chosen}" if chosen else "the install and HOME"
    NOTE = (f"compiled kernels cannot be cached in {where} (not writable); "
            f"using {fallback}")
    return NOTE


def compiled_before(source: str, name: str) -> bool:
    """Whether numba's on-disk cache holds the kernel ``name`` of the module file ``source``.

    False on the first run after installing (or after clearing the cache), when a command
    compiles every kernel it calls. Looks where numba caches: ``NUMBA_CACHE_DIR`` when set,
    else the module's ``__pycache__`` and the user-wide cache (index files are named
    ``<module>.<name>-<line>.py<version>.nbi``). A few directory listings; no numba import.
    """
    from pathlib import Path

    pattern = f"{os.path.splitext(os.path.basename(source))[0]}.{name}-*.nbi"
    chosen = os.environ.get("NUMBA_CACHE_DIR")
    if chosen:
        roots = [Path(chosen)]
    else:
        local = Path(source).parent / "__pycache__"
        if any(local.glob(pattern)):
            return True
        roots = [Path(_user_cache_dir())]
    try:
        return any(next(root.rglob(pattern), None) is not None for root in roots if root.is_dir())
    except OSError:
        return True  # unreadable: say nothing


def fit_native_pools() -> None:
    """Keep the native libraries' up-front reservations within an address-space limit.

    pyarrow's allocator (mimalloc) reserves 1 GiB at its first allocation; reserving in
    64 MiB steps lets the CLI run the bundled example under ``ulimit -v 2000000``. Under
    any ``ulimit -v``, OpenBLAS gets one thread: its per-thread buffers failed to map
    under 900 MB and its start-up then retried forever (a hang, not an error). Values the
    user set win; called by the CLI before those libraries load.
    """
    os.environ.setdefault("MIMALLOC_ARENA_RESERVE", "64MiB")
    if address_space_limited():
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def address_space_limited() -> bool:
    """Whether the process runs under an address-space limit (``ulimit -v``). There, native
    thread pools that cannot start a thread misbehave instead of failing: pyarrow's CSV
    reader aborted the process (``ValueOrDie ... Out of memory``) or hung at exit in its
    pool's shutdown on a 10M-row file under 600-900 MB, so readers stay on one thread."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):  # not on this platform
        return False
    return soft != resource.RLIM_INFINITY
