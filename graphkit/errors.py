"""Exception types raised by graphkit.

Every message is one line, written for the person who made the mistake:
``edges.csv:17: target is empty``. The library never prints; the CLI turns
these into a one-line ``Error: ...`` and exit code 1.
"""

from __future__ import annotations

__all__ = [
    "GraphkitError",
    "InputError",
    "EmptyGraphError",
    "ConvergenceError",
    "UnknownUserError",
]


class GraphkitError(Exception):
    """Base class of every error graphkit raises on purpose."""


class InputError(GraphkitError, ValueError):
    """The input data (a file, a column, a value) is not usable.

    Parameters
    ----------
    message : str
        What is wrong, without the location.
    path : str, optional
        The file the problem is in.
    line : int, optional
        The 1-based line (or row, for Parquet) of the file.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.message = message
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)


class EmptyGraphError(InputError):
    """The input holds no usable edge."""


class UnknownUserError(InputError, KeyError):
    """Some user ids are not in the graph.

    Attributes
    ----------
    users : list of str
        The ids that were not found.
    """

    def __init__(self, users, what: str = "user"):
        self.users = list(users)
        shown = ", ".join(repr(u) for u in self.users[:10])
        more = f" and {len(self.users) - 10} more" if len(self.users) > 10 else ""
        plural = "s" if len(self.users) != 1 else ""
        super().__init__(f"unknown {what}{plural} not in the graph: {shown}{more}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.message


class ConvergenceError(GraphkitError, RuntimeError):
    """An iterative algorithm did not converge within ``max_iter`` iterations."""

    def __init__(self, algorithm: str, max_iter: int, tol: float):
        self.algorithm = algorithm
        self.max_iter = max_iter
        self.tol = tol
        super().__init__(
            f"{algorithm} did not converge in {max_iter} iterations (tol={tol:g}); "
            "raise max_iter or loosen tol"
        )
