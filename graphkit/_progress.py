"""The one progress protocol of the library.

Long-running functions take ``progress: Progress | None = None`` and call it with a short
description of the current stage, plus ``done`` and ``total`` when the work is countable::

    progress("reading edges.csv")
    progress("simulating", 4096, 10000)

The CLI shows these on stderr; the library never prints. Calls happen between kernel
chunks, which is also where a pending Ctrl-C is noticed.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Progress", "report", "silent", "prefixed"]


class Progress(Protocol):
    """``progress(stage, done=None, total=None)``: a stage text and an optional count."""

    def __call__(self, stage: str, done: int | None = None, total: int | None = None) -> None:
        ...


def report(progress: Progress | None, stage: str, done: int | None = None,
           total: int | None = None) -> None:
    """Call ``progress`` if it is set (the one place that checks for ``None``)."""
    if progress is not None:
        progress(stage, done, total)


def silent(stage: str, done: int | None = None, total: int | None = None) -> None:
    """A :class:`Progress` that shows nothing (the default when ``progress`` is None)."""


def prefixed(progress: Progress | None, prefix: str) -> Progress:
    """``progress`` with ``prefix`` before every stage text (for work nested in a stage)."""
    if progress is None:
        return silent

    def inner(stage: str, done: int | None = None, total: int | None = None) -> None:
        progress(f"{prefix}{stage}", done, total)

    return inner
