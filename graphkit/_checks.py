"""Argument checks shared by every stage (plain Python; imports nothing of graphkit)."""

from __future__ import annotations

import math
import numbers

__all__ = ["check_count", "check_positive_float"]


def check_count(name: str, value, minimum: int = 1) -> int:
    """``value`` as an int, or ValueError when it is not an integer >= ``minimum``.

    ``bool`` is refused (a common slip for an int).

    Examples
    --------
    >>> check_count("top", 5)
    5
    >>> check_count("runs", 0)
    Traceback (most recent call last):
    ...
    ValueError: runs must be an int >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def check_positive_float(name: str, value) -> float:
    """``value`` as a finite float > 0, or ValueError.

    Examples
    --------
    >>> check_positive_float("resolution", 0.5)
    0.5
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(x) or x <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return x


def renamed_keyword(new_value, old_value, old: str, new: str, func: str):
    """The value of a keyword renamed in 0.2: ``old_value`` (with a DeprecationWarning) when the
    caller used the old name, else ``new_value``."""
    if old_value is None:
        return new_value
    import warnings

    warnings.warn(f"{func}({old}=...) is deprecated; use {func}({new}=...)", DeprecationWarning,
                  stacklevel=3)
    return old_value
