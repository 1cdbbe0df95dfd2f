"""The one-neuron recurrent network learning online, tick by tick.

One input ``x``, one hidden neuron ``h`` with a self-loop, one output ``ŷ``
and three weights ``ih``, ``hh``, ``ho``. Tick *t* reads ``x[t]``, predicts
``x[t+1]`` and learns from its error (docs/architecture.md, 'The one-neuron tick')::

    h_prev = h
    h  = f(hh·h_prev + ih·x[t])
    ŷ  = g(ho·h)
    e  = x[t+1] − ŷ                     (the loss is ½e²)

Two update rules are offered. ``sequential`` (the default) reproduces the
published experiments: ``ho`` moves first and the ``ih``/``hh`` updates then
use the *new* ``ho`` with the output derivative taken at the new ``ho`` (``e``
is not recomputed). ``simultaneous`` is plain gradient descent on the
one-tick loss, truncated at ``h_prev``: every delta uses the pre-tick weights.
Both rules are written out in docs/architecture.md, 'The update rules'.

The inner loop works on Python floats, not numpy scalars: for a single neuron
a scalar ``math.exp`` or ``math.tanh`` is several times cheaper than any numpy
call, and the loop is what every view, the command line and the benchmarks
run. Results are moved into numpy columns a chunk at a time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Final, NamedTuple

import numpy as np

from rnnviz.engine.activations import ACTIVATIONS, Activation
from rnnviz.engine.errors import InputError
from rnnviz.engine.history import DELTAS, WEIGHTS, History
from rnnviz.engine.notation import NotationBuilder
from rnnviz.engine.validation import bounded_magnitude, finite_number

#: Update rules, the default first.
RULES: Final[tuple[str, ...]] = ("sequential", "simultaneous")

# Upper limits that keep every number finite for the longest stream: with
# these, no weight can grow past about 1e50 in 10,000,000 ticks, whereas
# η = 1e300 overflows on the second tick. The published experiments use η = 5.
MAX_ETA: Final[float] = 1e10
MAX_GAIN: Final[float] = 1e6
MAX_START: Final[float] = 1e6

#: Ticks computed per call of the inner loop before results are copied into
#: numpy; large enough to amortise the copy, small enough to stay in cache.
CHUNK: Final[int] = 4096


@dataclass(frozen=True, slots=True)
class LearnerParams:
    """Everything that decides how the network computes and learns.

    Parameters
    ----------
    eta
        Learning rate η ≥ 0 (the published experiments use 5).
    rule
        ``"sequential"`` (default) or ``"simultaneous"``, see the module docstring.
    activation, gain
        The squashing function used for both ``f`` and ``g`` and its gain *k*
        (``f(z) = base(k·z)``).
    init
        Initial weights ``(ih, hh, ho)``.
    h0
        The hidden value before the first tick.
    learning
        When false the network only predicts; every delta is 0.
    """

    eta: float = 5.0
    rule: str = "sequential"
    activation: str = "sigmoid"
    gain: float = 1.0
    init: tuple[float, float, float] = (0.0, 0.0, 0.0)
    h0: float = 0.0
    learning: bool = True
    _act: Activation = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        eta = finite_number("the learning rate η", self.eta)
        if eta < 0:
            raise InputError(f"the learning rate η must not be negative, not {self.eta!r}")
        if eta > MAX_ETA:
            raise InputError(f"the learning rate η must be at most {MAX_ETA:g}, not {self.eta!r}")
        if self.rule not in RULES:
            raise InputError(f"unknown update rule {self.rule!r}; choose one of {', '.join(RULES)}")
        if self.activation not in ACTIVATIONS:
            raise InputError(
                f"unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}"
            )
        gain = finite_number("the gain", self.gain)
        if not 0 < gain <= MAX_GAIN:
            raise InputError(f"the gain must be above 0 and at most {MAX_GAIN:g}, not {self.gain!r}")
        try:
            init = tuple(self.init)
        except TypeError:
            raise InputError("the initial weights must be three numbers: ih, hh, ho") from None
        if len(init) != 3:
            raise InputError(
                f"the initial weights must be three numbers (ih, hh, ho), not {len(init)}"
            )
        init = tuple(bounded_magnitude(w, v, MAX_START) for w, v in zip(("ih", "hh", "ho"), init))
        h0 = bounded_magnitude("h0", self.h0, MAX_START)
        object.__setattr__(self, "eta", eta)
        object.__setattr__(self, "gain", gain)
        object.__setattr__(self, "init", init)
        object.__setattr__(self, "h0", h0)
        object.__setattr__(self, "learning", bool(self.learning))
        object.__setattr__(self, "_act", Activation(self.activation, gain))

    @property
    def act(self) -> Activation:
        """The activation used for both the hidden and the output neuron."""
        return self._act

    def with_changes(self, **changes) -> "LearnerParams":
        """A validated copy with some fields replaced."""
        return replace(self, **changes)


class State(NamedTuple):
    """What the network carries from one tick to the next."""

    ih: float
    hh: float
    ho: float
    h: float


class Prediction(NamedTuple):
    """A forward pass without learning: the hidden value and the output."""

    h: float
    yhat: float


def predicted_bit(yhat: float) -> int | None:
    """The bit a prediction stands for: the nearer of 0 and 1; ``None`` when ŷ is not a number.

    The targets are bits whatever the activation, so 0.5 separates them for
    tanh and bipolar outputs too (their ŷ = 0.2 is nearer 0 than 1). An exact
    tie counts as 1, so every view shows the same bit for the same ŷ.
    """
    if not math.isfinite(yhat):
        return None
    return 1 if yhat >= 0.5 else 0


# The inner loop is generated as source text, once per rule, recording mode
# and activation, so that each variant is a straight run of float arithmetic:
# the activations are inlined (a Python call per neuron per tick would cost
# more than the maths), gains are literals, and the maths is written once
# here, not once per variant. Inputs arrive as Python floats: float∘float
# operations are the ones CPython specialises, int∘float ones are not.
_UPDATES: Final[dict[str, str]] = {
    # ho moves first; ih and hh see the new ho and g' taken at the new ho;
    # e is not recomputed.
    "sequential": """
        d_ho = e * eta_gd * {dg_yh} * h
        ho += d_ho
{y2_from_new_ho}
        k = e * eta_gd_fd * {dg_y2} * ho * {df_h}
""",
    # All three deltas from the pre-tick weights: the one-tick gradient.
    "simultaneous": """
        c = e * eta_gd * {dg_yh}
        d_ho = c * h
        k = c * fd * ho * {df_h}
        ho += d_ho
""",
}
#: Columns the inner loop writes per tick, for each recording mode.
_RECORDED: Final[dict[str, tuple[str, ...]]] = {
    "none": (),
    "weights": ("ih", "hh", "ho"),
    # A full history needs only these from the loop; err, the weights and
    # d_ih, d_hh follow from them exactly with whole-chunk numpy (_derive_rest).
    "full": ("h", "yhat", "d_ho", "k"),
}
_LOCAL_NAME: Final[dict[str, str]] = {"yhat": "yh", "err": "e"}


@lru_cache(maxsize=64)
def _kernel(rule: str, mode: str, act: Activation) -> Callable:
    """The compiled inner loop for *rule*, recording *mode*, with *act* for f and g."""
    indent = " " * 8
    columns = _RECORDED[mode]
    unpack = "".join(f"o{j}, " for j in range(len(columns)))
    stores = "".join(
        f"{indent}o{j}[i] = {_LOCAL_NAME.get(name, name)}\n" for j, name in enumerate(columns)
    )
    update = _UPDATES[rule].format(
        dg_yh=act.derivative_source("yh"),
        dg_y2=act.derivative_source("y2"),
        df_h=act.derivative_source("h"),
        y2_from_new_ho=act.source("y2", "ho * h", indent).rstrip("\n"),
    )
    # x[t] is the previous tick's target, so the loop walks the targets
    # alone and carries x along: cheaper than zipping two lists.
    source = (
        "def kernel(x, ys, state, out, eta):\n"
        f"    fd = gd = {act.output_slope!r}\n"
        "    eta_gd = eta * gd\n"
        "    eta_gd_fd = eta_gd * fd\n"
        "    ih, hh, ho, h = state\n"
        + (f"    {unpack}= out\n" if columns else "")
        + "    i = 0\n"
        "    for y in ys:\n"
        f"{indent}hp = h\n"
        + act.source("h", "hh * hp + ih * x", indent)
        + act.source("yh", "ho * h", indent)
        + f"{indent}e = y - yh\n"
        + update
        + f"{indent}d_ih = k * x\n{indent}d_hh = k * hp\n{indent}ih += d_ih\n{indent}hh += d_hh\n"
        + (stores + f"{indent}i += 1\n" if columns else "")
        + f"{indent}x = y\n"
        "    return ih, hh, ho, h\n"
    )
    namespace: dict = {"tanh": math.tanh, "exp": math.exp}
    exec(compile(source, f"<rnnviz kernel {rule}/{mode}/{act}>", "exec"), namespace)
    return namespace["kernel"]


def _run_chunk(
    params: LearnerParams,
    x0: float,
    ys: list[float],
    state: State,
    mode: str,
    out: Sequence[list[float]] = (),
) -> State:
    """Run ``len(ys)`` ticks from *state* and input *x0*, writing *mode*'s columns to *out*."""
    eta = params.eta if params.learning else 0.0
    kernel = _kernel(params.rule, mode, params.act)
    return State(*kernel(x0, ys, state, out, eta))


def _derive_rest(recorded: dict[str, np.ndarray], before: State, x: np.ndarray,
                 target: np.ndarray) -> None:
    """Add err, the weights, d_ih and d_hh to a chunk the loop recorded in "full" mode.

    Bit for bit what the loop would have stored: every value is the same
    IEEE operation on the same operands (``e = y − ŷ``, ``d_ih = k·x``,
    ``d_hh = k·h_prev``), and ``np.add.accumulate`` adds strictly left to
    right, as ``ih += d_ih`` does tick after tick (``ho`` too: both rules
    add ``d_ho`` to it once a tick). Four stores a tick instead of nine make
    the loop with its history about a quarter faster.
    """
    h = recorded["h"]
    k = recorded.pop("k")
    h_prev = np.empty_like(h)
    h_prev[0] = before.h
    h_prev[1:] = h[:-1]
    recorded["err"] = target - recorded["yhat"]
    deltas = (("ih", before.ih, k * x), ("hh", before.hh, k * h_prev),
              ("ho", before.ho, recorded["d_ho"]))
    for name, start, delta in deltas:
        # The raw deltas are summed (an added −0.0 can matter to a weight of −0.0).
        walk = np.empty(len(delta) + 1)
        walk[0] = start
        walk[1:] = delta
        np.add.accumulate(walk, out=walk)
        recorded[name] = walk[1:]
        recorded[f"d_{name}"] = delta


class OnlineLearner:
    """The one-neuron network with its learning rule.

    The learner holds no state of its own: every method takes the state to
    start from and returns the state it ends in, so the same learner can run
    from any point of a history.
    """

    def __init__(self, params: LearnerParams | None = None) -> None:
        self.params = params or LearnerParams()

    def initial_state(self) -> State:
        ih, hh, ho = self.params.init
        return State(ih, hh, ho, self.params.h0)

    def predict(self, x: float, state: State) -> Prediction:
        """Forward pass on input *x* from *state*, learning nothing."""
        act = self.params.act
        h = act(state.hh * state.h + state.ih * x)
        return Prediction(h, act(state.ho * h))

    def run(
        self,
        bits: Sequence[int] | np.ndarray,
        state: State | None = None,
        *,
        history: History | None = None,
        on_weights: Callable[[np.ndarray, np.ndarray, np.ndarray], None] | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> State:
        """Learn on every tick of *bits* (``len(bits) − 1`` ticks).

        Parameters
        ----------
        bits
            The stream; tick *t* reads ``bits[t]`` and targets ``bits[t+1]``.
        state
            Where to start (default: :meth:`initial_state`).
        history
            If given, every tick is appended to it.
        on_weights
            If given (and no *history*), called once per chunk with the
            weights ``ih``, ``hh``, ``ho`` after each tick of the chunk —
            what the +/− notation needs, at a fraction of a full history's cost.
        on_progress
            If given, called after each chunk of :data:`CHUNK` ticks with the
            ticks done so far. Whatever it raises stops the run there, with
            *history* holding exactly the ticks done.

        Returns
        -------
        State
            The state after the last tick.
        """
        stream = np.asarray(bits, dtype=np.float64)
        state = self.initial_state() if state is None else state
        ticks = len(stream) - 1
        if ticks <= 0:
            return state
        mode = "full" if history is not None else "weights" if on_weights is not None else "none"
        columns = _RECORDED[mode]
        if history is not None:
            history.reserve(len(history) + ticks)
        for start in range(0, ticks, CHUNK):
            stop = min(start + CHUNK, ticks)
            # Iterating numpy yields numpy scalars, slow in scalar arithmetic;
            # Python floats are the fastest thing the inner loop can get.
            # Converting a chunk at a time keeps memory flat on long streams.
            x0, *ys = stream[start : stop + 1].tolist()
            # Fresh lists each chunk: storing into a list is the cheapest
            # per-tick write CPython has (cheaper than array.array), and
            # overwriting last chunk's floats would cost their deallocation.
            buffers = [[0.0] * (stop - start) for _ in columns]
            before = state
            state = _run_chunk(self.params, x0, ys, state, mode, buffers)
            recorded = {
                name: np.array(buffer, dtype=np.float64) for name, buffer in zip(columns, buffers)
            }
            if history is not None:
                x = stream[start:stop]
                target = stream[start + 1 : stop + 1]
                _derive_rest(recorded, before, x, target)
                for name in DELTAS:
                    # k·x with x = 0 and k < 0 gives −0.0; a delta of nothing
                    # should read 0.0 in every output.
                    recorded[name] += 0.0
                recorded["x"] = x
                recorded["target"] = target
                history.extend(recorded)
            elif on_weights is not None:
                on_weights(recorded["ih"], recorded["hh"], recorded["ho"])
            if on_progress is not None:
                on_progress(stop)
        return state


def summarize(
    bits: Sequence[int] | np.ndarray, params: LearnerParams | None = None
) -> tuple[State, dict[str, NotationBuilder]]:
    """Run *bits* keeping only what a summary needs: the final state and the notation.

    Returns the state after the last tick and, per weight name, a
    :class:`NotationBuilder` holding that weight's +/− notation.
    """
    learner = OnlineLearner(params)
    builders = {w: NotationBuilder(w0) for w, w0 in zip(WEIGHTS, learner.params.init)}

    def collect(*weights: np.ndarray) -> None:
        for builder, values in zip(builders.values(), weights):
            builder.extend(values)

    return learner.run(bits, on_weights=collect), builders


def state_after(history: History, ticks: int, params: LearnerParams) -> State:
    """The state after the first *ticks* ticks of *history*.

    Reads the stored row (or the initial state for 0 ticks): stepping back
    never re-runs anything.
    """
    if ticks == 0:
        return OnlineLearner(params).initial_state()
    if not 0 < ticks <= len(history):
        raise IndexError(f"no state after {ticks} ticks in a history of {len(history)}")
    ih, hh, ho = history.weights_after(ticks - 1)
    return State(ih, hh, ho, history["h"][ticks - 1].item())


def trace(bits: Sequence[int] | np.ndarray, params: LearnerParams | None = None) -> History:
    """Run *bits* from the initial state and return the full history."""
    history = History()
    OnlineLearner(params).run(bits, history=history)
    return history
