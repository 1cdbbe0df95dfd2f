"""Activation functions of the one-neuron network, each with a gain *k*.

::

    sigmoid(z) = σ(k·z) = 1 / (1 + e^(−k·z))      range (0, 1)
    tanh(z)    = tanh(k·z)                         range (−1, 1)
    bipolar(z) = 2σ(k·z) − 1 = tanh(k·z/2)          range (−1, 1)

Each is evaluated without overflow for any finite *z*: the sigmoid takes
``e^(−|k·z|)``, which never exceeds 1, and picks the matching form by the
sign of *z*, so it keeps full relative precision far into its tails (σ(−60)
is 8.756e−27, not 0); the two others are ``math.tanh``/``np.tanh``, which
saturate to ±1. Their derivatives are expressed through the output *y*, the
form back-propagation uses::

    sigmoid: k·y(1−y)     tanh: k·(1−y²)     bipolar: (k/2)·(1−y²)

The learner's inner loop does not call these objects: it inlines the same
formulas as source text (:meth:`Activation.source`), which saves a Python
call per neuron per tick.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.errors import InputError

#: Names accepted by :func:`activation`, in the order a menu should offer them.
ACTIVATIONS: Final[tuple[str, ...]] = ("sigmoid", "tanh", "bipolar")

# The factor in front of the derivative's output form, k·c·y(1−y) or k·c·(1−y²),
# and, for the tanh-based two, the factor inside tanh(c·k·z).
_OUTPUT_SLOPE: Final[dict[str, float]] = {"sigmoid": 1.0, "tanh": 1.0, "bipolar": 0.5}
_TANH_FACTOR: Final[dict[str, float]] = {"tanh": 1.0, "bipolar": 0.5}

#: Output range (low, high) of each activation, for colour maps and axes.
RANGES: Final[dict[str, tuple[float, float]]] = {
    "sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "bipolar": (-1.0, 1.0),
}


@dataclass(frozen=True, slots=True)
class Activation:
    """A squashing function ``f(z) = base(gain·z)`` with its derivative.

    Parameters
    ----------
    name
        One of :data:`ACTIVATIONS`.
    gain
        The slope factor *k*; must be finite and positive.

    Notes
    -----
    Calling the object accepts a float or a numpy array.
    """

    name: str = "sigmoid"
    gain: float = 1.0

    def __post_init__(self) -> None:
        if self.name not in _OUTPUT_SLOPE:
            raise InputError(
                f"unknown activation {self.name!r}; choose one of {', '.join(ACTIVATIONS)}"
            )
        if not (isinstance(self.gain, (int, float)) and math.isfinite(self.gain) and self.gain > 0):
            raise InputError(f"gain must be a finite number above 0, not {self.gain!r}")

    @property
    def inner(self) -> float:
        """The factor multiplying *z* inside exp (sigmoid) or tanh (the others)."""
        return self.gain * _TANH_FACTOR.get(self.name, 1.0)

    @property
    def output_slope(self) -> float:
        """The constant *c* in ``f' = c·y(1−y)`` (sigmoid) or ``c·(1−y²)``."""
        return _OUTPUT_SLOPE[self.name] * self.gain

    @property
    def range(self) -> tuple[float, float]:
        """The open interval the activation maps onto."""
        return RANGES[self.name]

    def __call__(self, z):  # float -> float, ndarray -> ndarray
        if self.name == "sigmoid":
            if isinstance(z, np.ndarray):
                if z.dtype == np.float64 and z.ndim:
                    return sigmoid_array(self.inner, z)
                kz = self.inner * z
                small = np.exp(-np.abs(kz))  # ≤ 1: cannot overflow
                return np.where(kz >= 0, 1.0 / (1.0 + small), small / (1.0 + small))
            kz = self.inner * z
            if kz >= 0.0:
                return 1.0 / (1.0 + math.exp(-kz))
            small = math.exp(kz)
            return small / (1.0 + small)
        if isinstance(z, np.ndarray):
            return np.tanh(self.inner * z)
        return math.tanh(self.inner * z)

    def row_kernel(self, size: int) -> Callable[[np.ndarray, np.ndarray], None]:
        """A function ``put(z, out)`` that writes ``self(z)`` into *out*, bit for bit.

        For the inner loop of a forward pass: *z* and *out* are float64 arrays
        of *size* numbers (*out* may be *z*). The same float operations as
        :meth:`__call__`, without its temporaries and checks; the function
        keeps scratch arrays of its own: it is made once per activation, size
        and thread (cached), and must not be called from inside itself.
        """
        return _row_kernel(self.name, self.inner, int(size), threading.get_ident())

    def derivative(self, z):
        """``f'(z)``, computed without overflow for any finite *z*."""
        return self.derivative_from_output(self(z))

    def derivative_from_output(self, y):
        """``f'(z)`` expressed through the output ``y = f(z)``."""
        slope = self.output_slope
        if self.name == "sigmoid":
            # 1·y is y: the multiplication changes no float, so it is skipped
            return (y if slope == 1.0 else slope * y) * (1.0 - y)
        return slope * (1.0 - y * y)

    def source(self, out: str, z: str, indent: str) -> str:
        """Python statements that set *out* to ``f(z)``; *z* is an expression.

        Used to generate the learner's inner loop; the gain is written in as
        a literal and left out when it is 1. Needs ``exp`` and ``tanh`` in scope.
        """
        scaled = z if self.inner == 1.0 else f"{self.inner!r} * ({z})"
        if self.name != "sigmoid":
            return f"{indent}{out} = tanh({scaled})\n"
        return (
            f"{indent}q = {scaled}\n"
            f"{indent}if q >= 0.0:\n"
            f"{indent}    {out} = 1.0 / (1.0 + exp(-q))\n"
            f"{indent}else:\n"
            f"{indent}    q = exp(q)\n"
            f"{indent}    {out} = q / (1.0 + q)\n"
        )

    def derivative_source(self, y: str) -> str:
        """An expression for ``f'/output_slope`` in terms of the output *y*."""
        return f"{y} * (1.0 - {y})" if self.name == "sigmoid" else f"(1.0 - {y} * {y})"


#: The most numbers :func:`sigmoid_array` hands to a row kernel (each kernel keeps
#: scratch arrays of its size; larger arrays are rare and cost their temporaries little).
KERNEL_MOST: Final[int] = 4096


def sigmoid_array(inner: float, z: np.ndarray) -> np.ndarray:
    """σ(inner·z) for a float64 array *z* of one or more dimensions, as a new array.

    The numbers of ``np.where(kz >= 0, 1/(1 + s), s/(1 + s))`` with
    ``s = e^(−|kz|)``, element by element the same operations, in fewer
    calls: one exp of two rows, ``−|kz|`` (whose exp is s, for 1 + s) and
    ``min(kz, 0)``, whose exp is the numerator (e^0 = 1 where kz ≥ 0, and
    where kz < 0 e^kz, the very float s, as kz = −|kz| there). Multiplying
    by an inner factor of 1 changes no float, so it is skipped. A C-ordered
    array of up to :data:`KERNEL_MOST` numbers goes through this thread's
    row kernel of its size (the same operations, without the temporaries).
    """
    if z.flags.c_contiguous and z.size <= KERNEL_MOST:
        out = np.empty(z.shape)
        _row_kernel("sigmoid", inner, z.size, threading.get_ident())(z.reshape(-1), out.reshape(-1))
        return out
    kz = z if inner == 1.0 else inner * z
    pair = np.empty((2, *kz.shape))
    small, numerator = pair[0], pair[1]
    np.copysign(kz, -1.0, out=small)
    np.minimum(kz, 0.0, out=numerator)
    np.exp(pair, out=pair)  # small ≤ 1: cannot overflow; numerator ≤ 1 too
    np.add(1.0, small, out=small)
    return np.divide(numerator, small)


@functools.lru_cache(maxsize=32)
def _constants(size: int, inner: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read-only (ones, zeros, inner) arrays of *size*: numpy converts a Python
    float operand on every call, which costs more than the operation on 16 numbers."""
    arrays = (np.ones(size), np.zeros(size), np.full(size, inner))
    for array in arrays:
        array.flags.writeable = False
    return arrays


@functools.lru_cache(maxsize=32)
def _minus_ones(size: int) -> np.ndarray:
    minus = np.full(size, -1.0)
    minus.flags.writeable = False
    return minus


@functools.lru_cache(maxsize=64)
def _row_kernel(name: str, inner: float, size: int,
                thread: int) -> Callable[[np.ndarray, np.ndarray], None]:
    """:meth:`Activation.row_kernel`'s function for the activation *name* with factor
    *inner*, for the thread *thread* alone (its scratch arrays are its own)."""
    multiply = np.multiply
    ones, zeros, scaled = _constants(size, inner)
    if name != "sigmoid":
        tanh_ = np.tanh
        if inner == 1.0:
            def put_tanh(z: np.ndarray, out: np.ndarray) -> None:
                tanh_(z, out=out)
        else:
            def put_tanh(z: np.ndarray, out: np.ndarray) -> None:
                multiply(scaled, z, out=out)
                tanh_(out, out=out)
        return put_tanh

    copysign, exp, add, divide, minimum = np.copysign, np.exp, np.add, np.divide, np.minimum
    # One exp for both: row 0 gets −|kz| (s = e^(−|kz|), the denominator's),
    # row 1 gets min(kz, 0), whose exp is the numerator: e^0 = 1 where kz ≥ 0
    # and e^kz = e^(−|kz|) = s where kz < 0, the very float of row 0.
    # copysign(kz, −1) is −|kz| exactly, in one operation instead of two.
    minus = _minus_ones(size)
    pair = np.empty((2, size))
    small, numerator = pair[0], pair[1]
    denominator, kz = np.empty(size), np.empty(size)

    def put_sigmoid(z: np.ndarray, out: np.ndarray) -> None:
        if inner != 1.0:
            z = multiply(scaled, z, out=kz)
        copysign(z, minus, out=small)
        minimum(z, zeros, out=numerator)
        exp(pair, out=pair)
        add(ones, small, out=denominator)
        divide(numerator, denominator, out=out)

    return put_sigmoid


def activation(name: str, gain: float = 1.0) -> Activation:
    """Return the activation called *name* with gain *gain*."""
    return Activation(name, float(gain))


def sigmoid(z, gain: float = 1.0):
    """Logistic sigmoid ``σ(gain·z)``, stable for any finite *z*."""
    return Activation("sigmoid", gain)(z)


def tanh(z, gain: float = 1.0):
    """Hyperbolic tangent ``tanh(gain·z)``."""
    return Activation("tanh", gain)(z)


def bipolar(z, gain: float = 1.0):
    """Bipolar sigmoid ``2σ(gain·z) − 1`` (equal to ``tanh(gain·z/2)``)."""
    return Activation("bipolar", gain)(z)
