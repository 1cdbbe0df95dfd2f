"""One tick taken apart: every intermediate number of the tick, for the equation panel.

:func:`explain_tick` returns what tick *t* computed — the forward pass, the
error and, per weight, the factors whose product is its change — together
with the sign rules checked against this tick's actual signs. The tick and
its sign rules are written out in docs/architecture.md, 'The one-neuron
tick', 'The update rules' and 'The sign rules'.

The numbers are the engine's own. Whatever the history stores (``h``, ``ŷ``,
``e``, the weights and their changes) is read from it; a tick not computed
yet (the preview of the next one) is computed by running the engine's learner
on a scratch history. The intermediate values the history does not keep
(``o``, ``ŷ′``, the derivative terms) are recomputed with the same float
operations and the same :class:`~rnnviz.engine.activations.Activation`, so
``h = f(o)`` and ``ŷ = g(ho·h)`` reproduce the stored values exactly and the
product of the shown factors equals the stored change up to rounding (a few
units in the last place; the order of the multiplications differs).

Parameters mid-run
------------------
The history does not record which settings computed a tick. A change of η,
the rule or the activation applies from the next tick, so the shown tick may
have been computed with the settings before the change. Each explanation
therefore re-runs its tick with the current settings and compares:
:attr:`TickExplanation.matches_settings` says whether the current settings
reproduce the stored tick. When they do not, the stored numbers are still
given but the factors are left out (they would be the new settings' factors,
whose product is not the stored change).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.activations import Activation
from rnnviz.engine.history import WEIGHTS, History, Tick
from rnnviz.engine.learner import LearnerParams, OnlineLearner, State, state_after
from rnnviz.engine.notation import MINUS

#: The signs a sign rule talks about, as written.
SIGN_SYMBOLS: Final[dict[int, str]] = {1: "+", -1: MINUS, 0: "0"}


def sign(value: float) -> int:
    """+1, −1 or 0."""
    return (value > 0) - (value < 0)


@dataclass(frozen=True, slots=True)
class Factor:
    """One factor of a weight's change: its symbol (``"η"``, ``"ŷ(1−ŷ)"``) and value."""

    symbol: str
    value: float


@dataclass(frozen=True, slots=True)
class Update:
    """The change of one weight in one tick.

    ``factors`` multiply to ``delta`` (up to rounding); they are empty when
    the tick was computed with settings other than the current ones.
    """

    weight: str
    factors: tuple[Factor, ...]
    delta: float
    before: float
    after: float

    @property
    def product(self) -> float:
        """The product of the factors, left to right (``nan`` without factors)."""
        if not self.factors:
            return float("nan")
        result = 1.0
        for factor in self.factors:
            result *= factor.value
        return result


@dataclass(frozen=True, slots=True)
class SignRule:
    """A sign rule (docs/architecture.md, 'The sign rules') with this tick's signs.

    ``terms`` are the quantities whose signs the rule multiplies, each with
    its sign in this tick; ``predicted`` is their product, ``actual`` the sign
    of the change the engine made. ``note`` explains a rule that does not
    hold (learning off, a saturated derivative) or a special case worth
    seeing (x = 0, ho changing sign in this tick).
    """

    weight: str
    terms: tuple[tuple[str, int], ...]
    predicted: int
    actual: int
    note: str = ""

    @property
    def holds(self) -> bool:
        return self.predicted == self.actual


@dataclass(frozen=True, slots=True)
class ForwardPass:
    """The forward pass on input *x* from *h_prev* with the weights *ih*, *hh*, *ho*."""

    x: int
    h_prev: float
    ih: float
    hh: float
    ho: float
    o: float
    h: float
    yhat: float


@dataclass(frozen=True, slots=True)
class TickExplanation:
    """Everything tick *t* computed, in the order it computed it.

    Attributes
    ----------
    t
        The tick (0-based): input bit ``t``, target bit ``t + 1``.
    done
        True for a tick the session has done (read from the history); False
        for a preview of the next tick, computed by the engine on the side.
    forward
        The forward pass with the weights before the tick.
    target, err
        The target bit and ``e = y − ŷ``.
    rule, activation, eta, learning
        The settings the factors use; ``eta`` is the effective rate (0 with
        learning off, as the engine runs it).
    ho_new, yhat_new
        Sequential rule only: ``ho`` after its update and ``ŷ′ = g(ho′·h)``,
        the output the ih/hh updates are taken at (``None`` otherwise, and
        for a tick the current settings do not reproduce).
    updates
        Per weight name, its :class:`Update`.
    signs
        Per weight name, its :class:`SignRule`.
    matches_settings
        Whether the current settings reproduce this tick exactly (see the
        module docstring); the factors are empty when they do not.
    """

    t: int
    done: bool
    forward: ForwardPass
    target: int
    err: float
    rule: str
    activation: Activation
    eta: float
    learning: bool
    ho_new: float | None
    yhat_new: float | None
    updates: dict[str, Update]
    signs: dict[str, SignRule]
    matches_settings: bool

    @property
    def weights_before(self) -> tuple[float, float, float]:
        return tuple(self.updates[w].before for w in WEIGHTS)  # type: ignore[return-value]

    @property
    def weights_after(self) -> tuple[float, float, float]:
        return tuple(self.updates[w].after for w in WEIGHTS)  # type: ignore[return-value]


def derivative_symbols(activation: Activation, output: str) -> str:
    """The derivative of *activation* written through its *output*.

    ``"ŷ(1−ŷ)"`` and ``"k·ŷ(1−ŷ)"`` for the sigmoid, ``"(1−h²)"`` and ``"k(1−h²)"``
    for tanh, ``"½(1−h²)"`` and ``"(k/2)(1−h²)"`` for the bipolar sigmoid; the
    factor's value includes the gain *k*.
    """
    if activation.name == "sigmoid":
        core = f"{output}(1{MINUS}{output})"
        return core if activation.gain == 1.0 else f"k·{core}"
    core = f"(1{MINUS}{output}²)"
    if activation.name == "tanh":
        return core if activation.gain == 1.0 else f"k{core}"
    return f"½{core}" if activation.gain == 1.0 else f"(k/2){core}"


def forward_pass(x: int, state: State, activation: Activation) -> ForwardPass:
    """The forward pass exactly as the engine computes it (same float operations)."""
    o = state.hh * state.h + state.ih * float(x)
    h = activation(o)
    yhat = activation(state.ho * h)
    return ForwardPass(int(x), state.h, state.ih, state.hh, state.ho, o, h, yhat)


def _engine_row(bits: np.ndarray, t: int, state: State, params: LearnerParams) -> Tick:
    """Tick *t* as the engine computes it from *state* with *params* (on a scratch history)."""
    scratch = History(capacity=1)
    OnlineLearner(params).run(bits[t : t + 2], state, history=scratch)
    return scratch.tick(0)


def _rows_equal(a: Tick, b: Tick) -> bool:
    fields = ("x", "target", "h", "yhat", "err", "ih", "hh", "ho", "d_ih", "d_hh", "d_ho")
    return all(getattr(a, name) == getattr(b, name) for name in fields)


def explain_tick(
    history: History, bits: Sequence[int] | np.ndarray, params: LearnerParams, t: int
) -> TickExplanation:
    """Take tick *t* apart.

    Parameters
    ----------
    history
        The session's history. Tick *t* is read from it when stored; the
        next tick after the stored ones (``t = len(history)``) is computed
        by the engine on the side, the history untouched.
    bits
        The stream (tick *t* reads bit *t* and targets bit *t + 1*).
    params
        The current settings.
    t
        The tick, ``0 ≤ t ≤ len(history)`` and ``t < len(bits) − 1``.
    """
    stream = np.asarray(bits)
    n_ticks = len(stream) - 1
    if not 0 <= t < n_ticks:
        raise IndexError(f"there is no tick {t} in a stream of {n_ticks} ticks")
    if t > len(history):
        raise IndexError(f"tick {t} comes after the next tick to compute ({len(history)})")
    before = state_after(history, t, params)
    fresh = _engine_row(stream, t, before, params)
    done = t < len(history)
    row = history.tick(t) if done else fresh
    matches = _rows_equal(row, fresh)

    act = params.act
    forward = forward_pass(row.x, before, act)
    eta = params.eta if params.learning else 0.0
    sequential = params.rule == "sequential"
    # In the sequential rule ho moves first and the stored ho is the new one.
    # A tick computed with other settings may not have used that rule.
    ho_new = row.ho if sequential and matches else None
    yhat_new = act(row.ho * row.h) if ho_new is not None else None
    ho_used = row.ho if sequential else before.ho
    y_used = yhat_new if sequential else row.yhat
    y_name = "ŷ′" if sequential else "ŷ"
    ho_name = "ho′" if sequential else "ho"

    if matches:
        common = (
            Factor("η", eta),
            Factor("e", row.err),
        )
        ho_factors = (*common, Factor(derivative_symbols(act, "ŷ"), act.derivative_from_output(row.yhat)),
                      Factor("h", row.h))
        back = (
            *common,
            Factor(derivative_symbols(act, y_name), act.derivative_from_output(y_used)),
            Factor(ho_name, ho_used),
            Factor(derivative_symbols(act, "h"), act.derivative_from_output(row.h)),
        )
        ih_factors = (*back, Factor("x", float(row.x)))
        hh_factors = (*back, Factor("h_prev", before.h))
    else:
        ho_factors = ih_factors = hh_factors = ()

    updates = {
        "ih": Update("ih", ih_factors, row.d_ih, before.ih, row.ih),
        "hh": Update("hh", hh_factors, row.d_hh, before.hh, row.hh),
        "ho": Update("ho", ho_factors, row.d_ho, before.ho, row.ho),
    }
    signs = _sign_rules(row, before, ho_used, ho_name, sequential, eta, matches, act.name)
    return TickExplanation(
        t=t, done=done, forward=forward, target=int(row.target), err=row.err, rule=params.rule,
        activation=act, eta=eta, learning=params.learning, ho_new=ho_new, yhat_new=yhat_new,
        updates=updates, signs=signs, matches_settings=matches,
    )


def _sign_rules(
    row: Tick, before: State, ho_used: float, ho_name: str, sequential: bool, eta: float,
    matches: bool, act_name: str,
) -> dict[str, SignRule]:
    """The sign rules with this tick's signs, and why one does not hold.

    The rules and when they fail are in docs/architecture.md, 'The sign rules'.
    """
    e, h = sign(row.err), sign(row.h)

    flipped = ""
    if sequential and sign(ho_used) != sign(before.ho):
        if before.ho == 0:
            flipped = ("ho was 0 before this tick; the sequential rule uses the new ho′, "
                       "so ih and hh learn at once")
        else:
            flipped = (f"ho changed sign in this tick ({SIGN_SYMBOLS[sign(before.ho)]} → "
                       f"{SIGN_SYMBOLS[sign(ho_used)]}); the sequential rule uses the new ho′")

    def rule(weight: str, terms: tuple[tuple[str, int], ...], delta: float,
             zero: str = "", later: str = "") -> SignRule:
        """The rule for *weight*: why it fails (else the *zero* note), then the *later* note."""
        predicted = 1
        for _, s in terms:
            predicted *= s
        actual = sign(delta)
        reason = zero
        if predicted != actual:
            if eta == 0.0:
                reason = "learning is off (η = 0): nothing changes"
            elif not matches:
                reason = "this tick was computed with the settings before the last change"
            else:
                reason = "a derivative term underflowed to 0 (saturated neuron): no change"
        note = "; ".join(part for part in (reason, later) if part)
        return SignRule(weight, terms, predicted, actual, note)

    # h is positive for the sigmoid, so sign(Δho) = sign(e) there; tanh and
    # bipolar hidden values can be negative and then flip it (docs/architecture.md,
    # 'The sign rules').
    ho_terms = (("e", e),) if act_name == "sigmoid" else (("e", e), ("h", h))
    ho_rule = rule("ho", ho_terms, row.d_ho)
    ih_rule = rule("ih", (("e", e), (ho_name, sign(ho_used)), ("x", sign(row.x))), row.d_ih,
                   "x = 0: ih cannot learn from zeros" if row.x == 0 else "", flipped)
    hh_rule = rule("hh", (("e", e), (ho_name, sign(ho_used)), ("h_prev", sign(before.h))), row.d_hh,
                   "h_prev = 0: hh cannot learn on this tick" if before.h == 0 else "", flipped)
    return {"ih": ih_rule, "hh": hh_rule, "ho": ho_rule}


def explain_session(session, t: int | None = None) -> TickExplanation | None:
    """:func:`explain_tick` for a :class:`~rnnviz.session.Session` (or anything with
    ``history``, ``bits``, ``params`` and ``cursor``).

    Without *t*, the tick the session shows: the last one done (``cursor − 1``),
    or ``None`` before the first tick.
    """
    if t is None:
        if session.cursor == 0:
            return None
        t = session.cursor - 1
    return explain_tick(session.history, session.bits, session.params, t)


def explain_next(session) -> TickExplanation | None:
    """A preview of the tick the next step will do, or ``None`` at the end of the stream."""
    if session.cursor >= len(session.bits) - 1:
        return None
    return explain_tick(session.history, session.bits, session.params, session.cursor)


def explain_prediction(session) -> ForwardPass:
    """The forward pass the session's prediction comes from: on bit ``cursor`` with the
    state after ``cursor`` ticks, nothing learned (at the end: the guess for the unknown bit)."""
    return forward_pass(int(session.bits[session.cursor]), session.state, session.params.act)
