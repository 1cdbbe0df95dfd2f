"""Checks that turn a user's value into a valid one or a clear InputError.

Every engine module validates through these, so the same mistake reads the
same way wherever it is made.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from rnnviz.engine.errors import InputError


def positive_int(name: str, value: object) -> int:
    """*value* as an int ≥ 1, or :class:`InputError` naming *name*."""
    # bool is an int subclass, but "True hidden units" is a mistake, not a size.
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError(f"{name} must be a whole number, not {value!r}")
    if value <= 0:
        raise InputError(f"{name} must be at least 1, not {value}")
    return int(value)


def finite_number(name: str, value: object, *, positive: bool = False) -> float:
    """*value* as a finite float (above 0 if *positive*), or :class:`InputError`."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise InputError(f"{name} must be a finite number, not {value!r}")
    if positive and number <= 0:
        raise InputError(f"{name} must be above 0, not {value!r}")
    return number


def choice(name: str, value: object, options: Sequence[str]) -> str:
    """*value* if it is one of *options*, or :class:`InputError` listing them."""
    if value not in options:
        raise InputError(f"unknown {name} {value!r}; choose one of {', '.join(options)}")
    return str(value)
