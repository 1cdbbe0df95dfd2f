"""Whether a lab example's outputs were right: the accuracy a :class:`~rnnviz.runs.lab.LabRun` keeps.

A source of examples may carry a :class:`Scoring` (its ``scoring``
attribute): a short label for a plot and a function that reads the outputs
``ŷ_t`` the update's forward pass computed (with the parameters *before* the
update) and gives the fraction of the example's scored outputs that were
right, in [0, 1]. The run stores that number with the update's record; it
costs no extra forward pass. Sources without one (regression: the worked
example, the vanishing task) have no accuracy.

Two rules, for the presets that have a notion of right:

:func:`every_bit_right` (binary addition)
    1 when every bit of the sum is right, else 0: bit *t* is read as 1 when
    ``ŷ_t > 0.5``, and it is right when that agrees with the target bit.
:func:`argmax_right` (hello)
    The fraction of the steps whose largest output (the most likely letter)
    is the target's letter.

Only the steps with a loss count (the mask); an example with none counts as
right (1.0): nothing in it was wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Scoring", "argmax_right", "every_bit_right"]


@dataclass(frozen=True)
class Scoring:
    """How to tell right outputs from wrong ones.

    Parameters
    ----------
    label
        Short text for a plot's axis or legend, e.g. "sums right".
    score
        ``score(outputs (T, M), targets (T, M), keep)`` → the fraction right in
        [0, 1]; *keep* is None (every step counts) or 1.0/0.0 per step.
    """

    label: str
    score: Callable[[np.ndarray, np.ndarray, np.ndarray | None], float]


def _scored(keep: np.ndarray | None) -> np.ndarray | slice:
    """The rows that count: every one, or those whose loss is kept."""
    return slice(None) if keep is None else keep != 0.0


def every_bit_right(outputs: np.ndarray, targets: np.ndarray, keep: np.ndarray | None) -> float:
    """1.0 when every scored output is on its target's side of 0.5 (``ŷ > 0.5`` ⇔ bit 1), else 0.0."""
    rows = _scored(keep)
    right = (outputs[rows] > 0.5) == (targets[rows] > 0.5)
    return 1.0 if bool(right.all()) else 0.0


def argmax_right(outputs: np.ndarray, targets: np.ndarray, keep: np.ndarray | None) -> float:
    """The fraction of the scored steps whose largest output is at the target's largest."""
    rows = _scored(keep)
    right = np.argmax(outputs[rows], axis=1) == np.argmax(targets[rows], axis=1)
    return float(right.mean()) if right.size else 1.0
