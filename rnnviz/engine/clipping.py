"""Gradient clipping: limit a gradient by value or by its global norm.

Exploding gradients (seed 004) make one update so large that training jumps
somewhere useless. Clipping caps the size of the step without changing what
the gradient says when it is small:

``value``
    clamp every component into ``[−threshold, threshold]``. Cheap, but it can
    turn the direction of the gradient.
``norm``
    if the global L2 norm of all arrays together exceeds ``threshold``, scale
    every array by ``threshold / norm``. The direction is kept.

Norms are computed without overflow: components up to the largest float
(about 1.8e308) are clipped correctly even when the sum of their squares would
not fit in a float.

A :class:`Clipping` also says *where* it acts. ``scope="gradient"`` (the usual
practice) clips the summed parameter gradient once, before the update.
``scope="step"`` clips the backpropagated δ of every time step as it flows back
in time, so its effect is visible step by step in a plot of δ norms.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import finite_number

#: Ways to clip, the default first.
CLIP_KINDS: Final[tuple[str, ...]] = ("norm", "value")

#: Where a clipping rule acts, the default first.
CLIP_SCOPES: Final[tuple[str, ...]] = ("gradient", "step")

#: Norms between these two are exact from the plain sum of squares; outside
#: them the squares may overflow or underflow, and the components are divided
#: by the largest one first.
_TINY, _HUGE = 1e-145, 1e145

#: ``np.einsum`` without its Python wrapper: the C function the wrapper hands
#: every unoptimised call to, so the same floats, about 0.8 µs sooner a call.
try:
    from numpy._core.multiarray import c_einsum as fast_einsum
except ImportError:  # numpy < 2 keeps it elsewhere; the wrapper gives the same numbers
    fast_einsum = np.einsum

#: ``np.vdot`` without its dispatcher (numpy's own C function), where numpy has one.
_vdot = getattr(np.vdot, "_implementation", np.vdot)

#: Rows this short are checked against the bounds as Python floats, which is
#: quicker than two numpy reductions; longer ones by the reductions.
_SHORT = 64


def global_norm(arrays: Sequence[np.ndarray]) -> float:
    """The L2 norm of all components of *arrays* taken together.

    Parameters
    ----------
    arrays
        Any number of numpy arrays of any shapes.

    Returns
    -------
    float
        ``sqrt(Σ over arrays of Σ a²)``; 0.0 for no arrays. Huge components
        do not overflow the sum of squares, nor tiny ones underflow it; the
        result is ``inf`` only when the norm itself is beyond the largest float.
    """
    norm = math.sqrt(sum([float(_vdot(a, a)) for a in arrays]))
    if _TINY < norm < _HUGE or math.isnan(norm):
        return norm
    big = _largest(arrays)
    if big == 0.0 or not math.isfinite(big):
        return big
    return big * math.sqrt(sum(float(np.vdot(a / big, a / big)) for a in arrays))


def row_norms(matrix: np.ndarray) -> np.ndarray:
    """The L2 norm of every row of a 2-D array, exact for huge and tiny rows.

    The plain sum of squares overflows for components above about 1e154 and
    underflows below about 1e-154; rows like that are divided by their
    largest component first.

    Parameters
    ----------
    matrix
        Shape (rows, columns).

    Returns
    -------
    numpy.ndarray
        Shape (rows,). A row's norm is ``inf`` only if it is beyond the
        largest float (or the row holds an infinity), ``nan`` if it holds a NaN.
    """
    norms = np.sqrt(fast_einsum("ij,ij->i", matrix, matrix))
    # Every norm strictly between the bounds (a NaN is not: it fails both
    # comparisons, as it makes numpy's min and max NaN).
    if norms.size <= _SHORT:
        if all(_TINY < n < _HUGE for n in norms.tolist()):
            return norms
    elif _TINY < norms.min() and norms.max() < _HUGE:
        return norms
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        big = np.abs(matrix).max(axis=1) if matrix.shape[1] else np.zeros(matrix.shape[0])
        divisor = np.where((big > 0) & np.isfinite(big), big, 1.0)[:, None]
        scaled = matrix / divisor
        safe = divisor[:, 0] * np.sqrt(np.einsum("ij,ij->i", scaled, scaled))
    safe[np.isinf(big)] = np.inf
    return safe


def _largest(arrays: Sequence[np.ndarray]) -> float:
    """The largest absolute component of all arrays (0.0 for none or empty ones)."""
    return max((float(np.max(np.abs(a), initial=0.0)) for a in arrays), default=0.0)


def clip_by_value(arrays: Sequence[np.ndarray], limit: float) -> list[np.ndarray]:
    """Clamp every component of every array into ``[−limit, limit]``.

    Parameters
    ----------
    arrays
        The gradient arrays; they are not modified.
    limit
        A finite number above 0.

    Returns
    -------
    list of numpy.ndarray
        New arrays of the same shapes.
    """
    limit = _threshold(limit)
    return [np.clip(a, -limit, limit) for a in arrays]


def clip_by_global_norm(
    arrays: Sequence[np.ndarray], max_norm: float
) -> tuple[list[np.ndarray], float]:
    """Scale all arrays together so that their global norm is at most *max_norm*.

    Parameters
    ----------
    arrays
        The gradient arrays; they are not modified.
    max_norm
        A finite number above 0.

    Returns
    -------
    clipped : list of numpy.ndarray
        New arrays; equal to the inputs when their norm is already small enough.
    norm : float
        The global norm before clipping.
    """
    max_norm = _threshold(max_norm)
    norm = global_norm(arrays)
    if norm <= max_norm:
        return [np.array(a, dtype=np.float64, copy=True) for a in arrays], norm
    if math.isinf(norm):
        # Too large for a float (or an infinite component): divide by the
        # largest component first, so that finite arrays keep their direction.
        big = _largest(arrays)
        if math.isfinite(big):
            scaled = [a / big for a in arrays]
            factor = max_norm / global_norm(scaled)
            return [a * factor for a in scaled], norm
    factor = max_norm / norm
    return [a * factor for a in arrays], norm


def _threshold(value: float) -> float:
    return finite_number("the clipping threshold", value, positive=True)


@dataclass(frozen=True, slots=True)
class Clipping:
    """A clipping rule: what to limit, how far, and where.

    Parameters
    ----------
    kind
        ``"norm"`` (global L2 norm, direction kept) or ``"value"`` (each
        component clamped).
    threshold
        The largest norm or the largest absolute component; finite, above 0.
    scope
        ``"gradient"``: clip the parameter gradient once before each update.
        ``"step"``: clip the backpropagated δ of every time step before it
        is used and passed further back.
    """

    kind: str = "norm"
    threshold: float = 1.0
    scope: str = "gradient"

    def __post_init__(self) -> None:
        if self.kind not in CLIP_KINDS:
            raise InputError(
                f"unknown clipping kind {self.kind!r}; choose one of {', '.join(CLIP_KINDS)}"
            )
        if self.scope not in CLIP_SCOPES:
            raise InputError(
                f"unknown clipping scope {self.scope!r}; choose one of {', '.join(CLIP_SCOPES)}"
            )
        object.__setattr__(self, "threshold", _threshold(self.threshold))

    def apply(self, arrays: Sequence[np.ndarray]) -> tuple[list[np.ndarray], bool]:
        """Clip *arrays* by this rule, ignoring the scope.

        Parameters
        ----------
        arrays
            The arrays to clip; they are not modified.

        Returns
        -------
        clipped : list of numpy.ndarray
            New arrays.
        changed : bool
            Whether the rule changed anything.
        """
        if self.kind == "value":
            clipped = clip_by_value(arrays, self.threshold)
            changed = any(float(np.max(np.abs(a), initial=0.0)) > self.threshold for a in arrays)
            return clipped, changed
        clipped, norm = clip_by_global_norm(arrays, self.threshold)
        return clipped, norm > self.threshold

    def apply_to_vector(self, vector: np.ndarray) -> tuple[np.ndarray, bool]:
        """Clip one vector (a step's δ) in the fast way the backward loop needs.

        Returns
        -------
        clipped : numpy.ndarray
            The vector itself when the rule leaves it alone, else a new array.
        changed : bool
            Whether the rule changed anything.
        """
        limit = self.threshold
        if self.kind == "value":
            if float(np.max(np.abs(vector))) > limit:
                return np.clip(vector, -limit, limit), True
            return vector, False
        norm = math.sqrt(float(np.vdot(vector, vector)))
        if not _TINY < norm < _HUGE:
            # The squares may have overflowed or underflowed: work with the
            # vector divided by its largest component.
            big = float(np.max(np.abs(vector), initial=0.0))
            if big == 0.0:
                return vector, False
            if math.isfinite(big):
                unit = vector / big
                length = math.sqrt(float(np.vdot(unit, unit)))
                if big * length <= limit:
                    return vector, False
                return unit * (limit / length), True
        if norm <= limit:
            return vector, False
        return vector * (limit / norm), True
