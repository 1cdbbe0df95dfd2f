"""Headless learning tasks for the Elman network, one module each.

``addition``        binary addition, bits least-significant first (seed 001)
``hello``           next-character model of "hello" (seed 002)
``vanishing``       δ norms back in time, with and without clipping (seed 004)
``worked_example``  the three-step BPTT worked by hand in seed 003

Every task is pure numpy: it takes a settings object and an optional progress
callback ``progress(done, total)`` and returns a result object; printing is
the command line's job (``rnnviz.commands.task`` and ``rnnviz.commands.bptt``).

Every size and rate has an upper limit (below), checked when the settings
are made, so that no setting can exhaust memory, run for hours, or push the
numbers beyond what a float holds.
"""

from collections.abc import Callable
from typing import Final, TypeAlias

import numpy as np

from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import finite_number

#: Called now and then with (work done, total work), e.g. examples trained.
Progress: TypeAlias = Callable[[int, int], None]

#: Most hidden units for any task.
MAX_HIDDEN: Final[int] = 1024

#: Largest learning rate for the training tasks (addition, hello).
MAX_LEARNING_RATE: Final[float] = 100.0

#: Most training work, counted as updates × hidden units²: each update costs
#: about hidden² multiplications per step. 5·10¹⁰ is roughly ten minutes on a
#: laptop (e.g. 1024 hidden units and 47 683 updates); the defaults use 0.005 %.
MAX_TRAINING_WORK: Final[int] = 50_000_000_000


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


def check_training_work(updates: int, hidden: int, what: str) -> None:
    """Refuse runs whose *updates* × *hidden*² exceeds :data:`MAX_TRAINING_WORK`.

    *what* names the updates in the message, e.g. ``"examples"``.
    """
    if updates * hidden * hidden > MAX_TRAINING_WORK:
        most = MAX_TRAINING_WORK // (hidden * hidden)
        raise InputError(
            f"too much training: with {hidden:,} hidden units at most {most:,} {what} "
            f"(the number of {what} times the hidden units squared must be at most "
            f"{MAX_TRAINING_WORK:.0e})"
        )
