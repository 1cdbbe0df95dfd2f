"""Checks that turn a user's value into a valid one or a clear InputError.

Every engine module validates through these, so the same mistake reads the
same way wherever it is made.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from rnnviz.engine.errors import InputError


def whole_number(name: str, value: object, minimum: int = 1, maximum: int | None = None) -> int:
    """*value* as an int in ``[minimum, maximum]``, or :class:`InputError` naming the limit."""
    # bool is an int subclass, but "True hidden units" is a mistake, not a size.
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError(f"{name} must be a whole number, not {value!r}")
    number = int(value)
    if number < minimum:
        raise InputError(f"{name} must be at least {minimum}, not {number}")
    if maximum is not None and number > maximum:
        raise InputError(f"{name} must be at most {maximum:,}, not {number:,}")
    return number


def bounded_number(
    name: str, value: object, maximum: float, *, positive: bool = False
) -> float:
    """*value* as a finite float in ``(0, maximum]`` if *positive*, else ``[0, maximum]``."""
    number = finite_number(name, value, positive=positive)
    if number < 0:
        raise InputError(f"{name} must not be negative, not {value!r}")
    if number > maximum:
        raise InputError(f"{name} must be at most {maximum:g}, not {value!r}")
    return number


def positive_int(name: str, value: object) -> int:
    """*value* as an int ≥ 1, or :class:`InputError` naming *name*."""
    return whole_number(name, value, 1)


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


def bounded_magnitude(name: str, value: object, limit: float) -> float:
    """*value* as a finite float in ``[−limit, limit]``, or :class:`InputError`."""
    number = finite_number(name, value)
    if abs(number) > limit:
        raise InputError(f"{name} must lie between −{limit:,.0f} and {limit:,.0f}, not {value!r}")
    return number
