"""Optimisers: how a gradient becomes an update, for every cell (Elman, LSTM, GRU).

An optimiser takes the parameters by name (the live arrays, changed in place)
and their gradients by the same names, and a learning rate η:

``sgd``
    ``θ ← θ − η·g``.
``adam``
    Kingma & Ba's Adam with β1 = 0.9, β2 = 0.999, ε = 1e−8: with the step
    count t (1 at the first update)::

        m ← β1·m + (1 − β1)·g          v ← β2·v + (1 − β2)·g²
        m̂ = m / (1 − β1ᵗ)              v̂ = v / (1 − β2ᵗ)
        θ ← θ − η·m̂ / (√v̂ + ε)

    (ε added to √v̂, not under the root, as in the paper and PyTorch). The
    moments m and v start at zero and are kept per parameter name.

Any network's ``parameters()`` and a backward pass's ``params`` fit:
``optimizer.step(network.parameters(), grads.params, η)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

import numpy as np

from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import choice, finite_number

__all__ = ["ADAM_BETA1", "ADAM_BETA2", "ADAM_EPSILON", "OPTIMIZERS", "SGD", "Adam",
           "Optimizer", "make_optimizer"]

#: Optimiser names, the default first.
OPTIMIZERS: Final[tuple[str, ...]] = ("sgd", "adam")

#: Adam's constants (the paper's defaults, as issue 15 asks).
ADAM_BETA1: Final[float] = 0.9
ADAM_BETA2: Final[float] = 0.999
ADAM_EPSILON: Final[float] = 1e-8


class Optimizer:
    """The protocol: :meth:`step` updates parameters in place; :meth:`reset` forgets state."""

    name = ""

    def step(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
             learning_rate: float) -> None:
        """Update every array of *params* in place from the gradient of the same name."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget any state (Adam's moments and step count)."""


def _checked(params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
             learning_rate: float) -> float:
    """The learning rate checked, and every parameter's gradient there with its shape."""
    eta = finite_number("the learning rate", learning_rate, positive=True)
    for name, param in params.items():
        if name not in grads:
            raise InputError(f"no gradient for parameter {name}")
        if np.shape(grads[name]) != param.shape:
            raise InputError(
                f"the gradient of {name} has shape {np.shape(grads[name])}, not {param.shape}"
            )
    return eta


class SGD(Optimizer):
    """Plain gradient descent, ``θ ← θ − η·g``."""

    name = "sgd"

    def step(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
             learning_rate: float) -> None:
        eta = _checked(params, grads, learning_rate)
        for name, param in params.items():
            param -= eta * grads[name]


class Adam(Optimizer):
    """Adam (see the module docstring); moments per parameter name.

    Attributes
    ----------
    steps
        Updates made so far (t of the last one).
    first, second
        The moments m and v by parameter name.
    """

    name = "adam"

    def __init__(self, beta1: float = ADAM_BETA1, beta2: float = ADAM_BETA2,
                 epsilon: float = ADAM_EPSILON) -> None:
        self.beta1 = finite_number("Adam's beta1", beta1)
        self.beta2 = finite_number("Adam's beta2", beta2)
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise InputError("Adam's beta1 and beta2 must be at least 0 and below 1")
        self.epsilon = finite_number("Adam's epsilon", epsilon, positive=True)
        self.reset()

    def reset(self) -> None:
        self.steps = 0
        self.first: dict[str, np.ndarray] = {}
        self.second: dict[str, np.ndarray] = {}

    def step(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
             learning_rate: float) -> None:
        eta = _checked(params, grads, learning_rate)
        for name, param in params.items():
            known = self.first.get(name)
            if known is not None and known.shape != param.shape:
                raise InputError(f"parameter {name} changed shape since Adam's last step")
        self.steps += 1
        b1, b2 = self.beta1, self.beta2
        fix1, fix2 = 1.0 - b1 ** self.steps, 1.0 - b2 ** self.steps
        # η·m̂/(√v̂ + ε) = α·m/(√v + ε′) with α = η·√fix2/fix1 and ε′ = ε·√fix2:
        # the same step, two array operations fewer (Kingma & Ba, section 2)
        root2 = math.sqrt(fix2)
        alpha, eps = eta * root2 / fix1, self.epsilon * root2
        multiply, sqrt = np.multiply, np.sqrt
        for name, param in params.items():
            g = np.asarray(grads[name], dtype=np.float64)
            m = self.first.get(name)
            if m is None:
                m = self.first[name] = np.zeros(param.shape)
                self.second[name] = np.zeros(param.shape)
            v = self.second[name]
            m *= b1
            m += multiply(g, 1.0 - b1)
            v *= b2
            v += multiply(multiply(g, g), 1.0 - b2)
            step = sqrt(v)
            step += eps
            np.divide(m, step, out=step)
            step *= alpha
            param -= step


def make_optimizer(name: object) -> Optimizer:
    """A new optimiser by name (``"sgd"`` or ``"adam"``), or :class:`InputError`."""
    return {"sgd": SGD, "adam": Adam}[choice("optimizer", name, OPTIMIZERS)]()
