"""Central finite differences, for the tests that check a network's gradients against them."""

from __future__ import annotations

import numpy as np

#: The step of the central differences.
EPS = 1e-5


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """The norm of the difference over the sum of the norms (0 when both are 0)."""
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0.0 else float(np.linalg.norm(a - b) / scale)


def numeric_gradient(loss, array: np.ndarray) -> np.ndarray:
    """Central differences of ``loss()`` with respect to *array*, perturbed in place."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + EPS
        plus = loss()
        array[index] = saved - EPS
        minus = loss()
        array[index] = saved
        grad[index] = (plus - minus) / (2 * EPS)
    return grad
