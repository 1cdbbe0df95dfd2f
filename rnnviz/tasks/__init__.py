"""Headless learning tasks for the Elman network, one module each.

``addition``        binary addition, bits least-significant first (seed 001)
``hello``           next-character model of "hello" (seed 002)
``vanishing``       δ norms back in time, with and without clipping (seed 004)
``worked_example``  the three-step BPTT worked by hand in seed 003
``memory``          recall the first of L + 1 bits: plain RNN, LSTM, GRU (issue 15)
``lab_presets``     the network lab's runs of the tasks above

Every task is pure numpy: it takes a settings object and an optional progress
callback ``progress(done, total)`` and returns a result object; printing is
the command line's job (``rnnviz.commands.task`` and ``rnnviz.commands.bptt``).

Every size and rate has an upper limit (below), checked when the settings
are made, so that no setting can exhaust memory, run for hours, or push the
numbers beyond what a float holds.
"""

from collections.abc import Callable
from typing import Final, TypeAlias

from rnnviz.engine.errors import InputError

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
