"""The network lab's run: an Elman network trained example by example, every update kept.

A :class:`LabRun` follows :class:`rnnviz.runs.Run`: a *tick* is one training
update, made on one example of an :class:`ExampleSource` (update *t* learns
from ``source.example(t)``). Each update is plain gradient descent on that
example's sequence loss, one update per example::

    forward pass → BPTT gradient g → (clipping) → θ ← θ − η·g

With a window *k* (:attr:`LabSettings.window`) the gradient is truncated the
engine's way (:meth:`ElmanNetwork.backward`): the sequence is cut into windows
of *k* steps starting at steps 1, k + 1, …, the hidden state carries on across
a window's start but δ does not flow back across it — Williams and Peng's
BPTT(k, k) — and the windows' gradients are summed into the example's one
update. Clipping acts on that summed gradient (``scope="gradient"``), by value
(each component into [−c, c]) or by global norm (``n = sqrt(Σ_p ‖g_p‖²)``; if
``n > c`` every ``g_p`` becomes ``g_p·c/n``, no ε added to n).

Storage is compact. Per update only a few numbers are kept, in numpy arrays
that grow by doubling (:class:`UpdateRecord`: the loss, the gradient's norm
before and after clipping, whether it was clipped and ‖δ_t‖ for every step:
``8·(3 + T) + 1`` bytes; 8 more for the accuracy when the source has a
:class:`~rnnviz.runs.lab_scoring.Scoring`, read from the outputs of the
forward pass the update makes anyway). A full copy of the parameters (a *checkpoint*) is
made only every ``checkpoint_every`` updates and wherever the parameters or
settings were changed; any other state is recomputed by replaying the updates
from the nearest checkpoint before it, with the same float operations, so it
comes back bit for bit.

Divergence: the first update whose loss, gradient or new parameters are not
all finite is not applied. :attr:`LabRun.diverged_at` is its index,
:attr:`LabRun.n_ticks` becomes that index and the parameters stay the last
finite ones; :meth:`LabRun.step` does nothing more (returns 0) until the
parameters or settings change.

Gated cells: a run trains an :class:`~rnnviz.engine.lstm.LSTMNetwork` or a
:class:`~rnnviz.engine.gru.GRUNetwork` the same way (their ``passes`` are the
Elman network's protocol). Its records are the same (‖δ_t‖ = ‖∂E/∂h_t‖); its
checkpoints and log name every gate's parameters (``w_xi``, ``w_hf``, ``b_o`` …,
views of the engine's stacks), then ``h0`` and the LSTM's ``c0``. The W_hh knob
scales the recurrent weights of every gate alike (``W_h? ← s·W_h?``); ρ(W_hh)
is the plain RNN's only (a gated cell has no one recurrent matrix):
:meth:`LabRun.spectral_radius` refuses in one line. Updates are plain
gradient descent for every cell (no Adam: its moments would be state to
checkpoint and replay, which the lab does not keep).

Changes of the settings, of parameters (typed weights), the W_hh knob and
of the sequence learnt (:meth:`LabRun.set_example`, for a run of one
:class:`RepeatedExample`) act at the cursor: stored updates after it are
forgotten, those before it keep their numbers. A sequence of other steps
than the run's cannot share its per-step records: the run starts afresh
from it, the cursor's parameters and settings becoming update 0's. :meth:`LabRun.log` lists the run's start and every change as
JSON-ready dicts (see :func:`LabRun.log` for the format) and
:meth:`LabRun.replay` rebuilds the run from it exactly.
"""

from __future__ import annotations

import bisect
import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

import numpy as np

from rnnviz.engine import progress
from rnnviz.engine.clipping import CLIP_KINDS, Clipping, global_norm
from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.errors import InputError
from rnnviz.engine.gated import GatedNetwork
from rnnviz.engine.lstm import LSTMNetwork
from rnnviz.engine.validation import finite_number, whole_number
from rnnviz.runs.lab_scoring import Scoring

__all__ = [
    "MAX_EXAMPLE_STEPS", "MAX_LAB_LEARNING_RATE", "MAX_LOG_ENTRIES", "MAX_UPDATES",
    "MAX_W_HH_FACTOR", "ExampleSource", "ExampleSpans", "LabRun", "LabSettings", "RepeatedExample", "UpdateRecord",
    "epoch_updates", "state_names",
]

#: The networks a lab run trains: the Elman network and the gated cells (LSTM, GRU).
LabNetwork = ElmanNetwork | GatedNetwork

#: Most updates one run allows (about 100 bytes each for binary addition).
MAX_UPDATES: Final[int] = 1_000_000

#: Largest learning rate η the lab accepts; far beyond what ever trains, and a
#: large η is how a lesson makes a run diverge on purpose.
MAX_LAB_LEARNING_RATE: Final[float] = 1e6

#: Largest factor one turn of the W_hh knob may scale by (and smallest 1/this).
MAX_W_HH_FACTOR: Final[float] = 1e6

#: Most entries in a run's log (its start and every change): what a file keeps.
MAX_LOG_ENTRIES: Final[int] = 10_000

#: Most steps of a sequence set by :meth:`LabRun.set_example` (or read from a log).
MAX_EXAMPLE_STEPS: Final[int] = 1_024

#: Most updates between two checkpoints.
MAX_CHECKPOINT_EVERY: Final[int] = 65_536

#: Progress is reported after this many updates computed (when someone listens).
_REPORT_EVERY: Final[int] = 32

#: While replaying towards a state, a copy is kept every this many updates (of
#: the last stretch replayed only), so that stepping back one update at a time
#: replays at most this many instead of up to ``checkpoint_every``.
_FINE: Final[int] = 16

#: Most such copies kept at once (then they are all dropped and begun afresh).
_MAX_FINE: Final[int] = 64

#: ``np.vdot`` without its dispatcher (numpy's C function), where numpy has one.
_vdot = getattr(np.vdot, "_implementation", np.vdot)

#: Room for this many updates when the first is stored; then doubled as needed.
_FIRST_CAPACITY: Final[int] = 256


class ExampleSource(Protocol):
    """Where a run's examples come from: ``example(t)`` is what update *t* learns from.

    A source may have a ``scoring``
    (:class:`~rnnviz.runs.lab_scoring.Scoring`): then every update also keeps
    the fraction of its example's outputs that were right before it
    (:meth:`LabRun.accuracies`). It may also have ``checked = True``: a promise that every example
    is C-ordered float64 arrays of finite numbers, of the same shapes as every
    other. The run then checks only the first example it reads in full (and
    every one's shapes); any other source's examples are checked as read,
    except arrays it hands out again unchanged (read-only, the very objects
    of the example before): those were checked already.
    """

    steps: int

    def example(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(inputs (T,N), targets (T,M), mask (T,) bool or None) of example *index*; deterministic."""
        ...


class RepeatedExample:
    """One example, the same for every update (the worked example, "hello", vanishing).

    Its arrays are read-only and the same objects every time, so a run checks them once.
    """

    def __init__(self, inputs: object, targets: object, mask: object | None = None,
                 scoring: Scoring | None = None) -> None:
        self.scoring = scoring
        self.inputs = np.array(inputs, dtype=np.float64)
        self.targets = np.array(targets, dtype=np.float64)
        self.mask = None if mask is None else np.array(mask, dtype=bool)
        if self.inputs.ndim != 2 or self.targets.ndim != 2:
            raise InputError("an example's inputs and targets must be tables (steps × units)")
        self.steps = int(self.inputs.shape[0])
        for array in (self.inputs, self.targets, self.mask):
            if array is not None:
                array.flags.writeable = False

    def example(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        return self.inputs, self.targets, self.mask


class ExampleSpans:
    """The examples of a run whose one repeated example was changed at some updates.

    Update *t* learns from the :class:`RepeatedExample` set last at or before
    it: ``examples[i]`` from update ``firsts[i]`` until ``firsts[i + 1]``. All
    have the same steps; the scoring is the first's.
    """

    def __init__(self, first: RepeatedExample) -> None:
        self.firsts: list[int] = [0]
        self.examples: list[RepeatedExample] = [first]
        self.steps = first.steps
        self.scoring = first.scoring

    def at(self, index: int) -> RepeatedExample:
        """The example update *index* learns from."""
        return self.examples[bisect.bisect_right(self.firsts, index) - 1]

    def example(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        return self.at(index).example(index)

    def set_from(self, update: int, example: RepeatedExample) -> None:
        """Learn *example* from *update* on (any change set after it is dropped)."""
        keep = bisect.bisect_left(self.firsts, update)
        del self.firsts[keep:], self.examples[keep:]
        self.firsts.append(update)
        self.examples.append(example)

    def cut_after(self, update: int) -> None:
        """Drop the changes set after *update*."""
        keep = bisect.bisect_right(self.firsts, update)
        del self.firsts[keep:], self.examples[keep:]


# ------------------------------------------------------------------ settings


@dataclass(frozen=True)
class LabSettings:
    """How the lab trains from some update on.

    Parameters
    ----------
    learning_rate
        η, above 0 and at most :data:`MAX_LAB_LEARNING_RATE`.
    window
        Truncation *k* (whole number ≥ 1; see the module docstring), or
        ``None`` for full BPTT.
    clipping
        A :class:`~rnnviz.engine.clipping.Clipping` with ``scope="gradient"``,
        or ``None`` for no clipping.
    """

    learning_rate: float
    window: int | None = None
    clipping: Clipping | None = None

    def __post_init__(self) -> None:
        if isinstance(self.learning_rate, bool):
            raise InputError(f"the learning rate must be a number, not {self.learning_rate!r}")
        rate = finite_number("the learning rate", self.learning_rate, positive=True)
        if rate > MAX_LAB_LEARNING_RATE:
            raise InputError(
                f"the learning rate must be at most {MAX_LAB_LEARNING_RATE:g}, not {self.learning_rate!r}"
            )
        object.__setattr__(self, "learning_rate", rate)
        if self.window is not None:
            object.__setattr__(
                self, "window", whole_number("the truncation window k", self.window, 1, MAX_UPDATES)
            )
        if self.clipping is not None:
            if not isinstance(self.clipping, Clipping):
                raise InputError("clipping must be a Clipping rule or None")
            if self.clipping.scope != "gradient":
                raise InputError("the lab clips each update's gradient: use scope='gradient'")

    def as_json(self) -> dict[str, Any]:
        """The settings as JSON-ready values (:meth:`from_json` reads them back exactly)."""
        clip = self.clipping
        return {
            "learning_rate": self.learning_rate,
            "window": self.window,
            "clipping": None if clip is None else {"kind": clip.kind, "threshold": clip.threshold},
        }

    @classmethod
    def from_json(cls, data: object) -> LabSettings:
        """Settings from :meth:`as_json`'s dict, or :class:`InputError` saying what is wrong."""
        if not isinstance(data, Mapping) or set(data) != {"learning_rate", "window", "clipping"}:
            raise InputError("lab settings have the fields learning_rate, window and clipping")
        clip = data["clipping"]
        if clip is not None:
            if not isinstance(clip, Mapping) or set(clip) != {"kind", "threshold"}:
                raise InputError("a clipping setting has the fields kind and threshold")
            if clip["kind"] not in CLIP_KINDS:
                raise InputError(f"unknown clipping kind {clip['kind']!r}; choose one of {', '.join(CLIP_KINDS)}")
            clip = Clipping(clip["kind"], finite_number("the clipping threshold", clip["threshold"]))
        rate = data["learning_rate"]
        if isinstance(rate, bool) or not isinstance(rate, (int, float)):
            raise InputError(f"the learning rate must be a number, not {rate!r}")
        return cls(rate, data["window"], clip)


@dataclass(frozen=True)
class UpdateRecord:
    """What one training update did (all floats float64)."""

    loss: float  # sequence loss before the update
    grad_norm: float  # global norm of the gradient before clipping
    clipped_norm: float  # global norm after clipping (== grad_norm when not clipped)
    clipped: bool
    delta_norms: np.ndarray  # ‖δ_t‖ per step, shape (T,)
    accuracy: float | None = None  # fraction right before the update; None: no notion of right


# ------------------------------------------------------------------ storage


class _Records:
    """The per-update numbers, in numpy arrays that grow by doubling."""

    def __init__(self, steps: int, most: int, scored: bool) -> None:
        self.steps = steps
        self.most = most  # never room for more than the run allows
        self.count = 0
        self.scored = scored
        self._columns = self._COLUMNS + (("accuracy",) if scored else ())
        self._allocate(0)

    _COLUMNS = ("loss", "grad_norm", "clipped_norm", "clipped", "delta_norms")

    def _allocate(self, capacity: int) -> None:
        self.accuracy = np.empty(capacity if self.scored else 0)
        self.loss = np.empty(capacity)
        self.grad_norm = np.empty(capacity)
        self.clipped_norm = np.empty(capacity)
        self.clipped = np.zeros(capacity, dtype=bool)
        self.delta_norms = np.empty((capacity, self.steps))

    def _grow(self) -> None:
        old = {name: getattr(self, name) for name in self._columns}
        n = self.count
        self._allocate(min(max(_FIRST_CAPACITY, 2 * n), self.most))
        for name in self._columns:
            getattr(self, name)[:n] = old[name][:n]

    def append(self, loss: float, norm: float, after: float, clipped: bool, deltas: np.ndarray,
               accuracy: float | None) -> None:
        n = self.count
        if n == self.loss.shape[0]:
            self._grow()
        if self.scored:
            self.accuracy[n] = accuracy
        self.loss[n] = loss
        self.grad_norm[n] = norm
        self.clipped_norm[n] = after
        self.clipped[n] = clipped
        self.delta_norms[n] = deltas
        self.count = n + 1

    def view(self, name: str) -> np.ndarray:
        """The stored part of column *name*, read-only (no copy)."""
        column = getattr(self, name)[: self.count]
        column.flags.writeable = False
        return column

    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in self._columns)


class _Checkpoints:
    """Full copies of the parameters (and h0) after some numbers of updates.

    Beside the checkpoints proper, *fine* copies are kept every :data:`_FINE`
    updates of the stretches last replayed (at most :data:`_MAX_FINE`), so
    that stepping back one update at a time replays a few updates, not up to
    a checkpoint's distance.
    """

    def __init__(self, every: int) -> None:
        self._every = every
        self._ticks: list[int] = []
        self._states: dict[int, dict[str, np.ndarray]] = {}
        self._fine: dict[int, dict[str, np.ndarray]] = {}

    def put(self, tick: int, state: dict[str, np.ndarray]) -> None:
        if tick not in self._states:
            bisect.insort(self._ticks, tick)
        self._states[tick] = state
        self._fine.pop(tick, None)

    def nearest(self, tick: int) -> tuple[int, dict[str, np.ndarray]]:
        """The latest state kept (checkpoint or fine copy) at or before *tick*."""
        at = self._ticks[bisect.bisect_right(self._ticks, tick) - 1]
        fine = max((f for f in self._fine if at < f <= tick), default=None)
        return (at, self._states[at]) if fine is None else (fine, self._fine[fine])

    def wants_fine(self, tick: int) -> bool:
        return tick % _FINE == 0 and tick not in self._states and tick not in self._fine

    def put_fine(self, tick: int, state: dict[str, np.ndarray]) -> None:
        if len(self._fine) >= _MAX_FINE:
            self._fine.clear()
        self._fine[tick] = state

    def drop_after(self, tick: int) -> None:
        """Forget every checkpoint after *tick*, and every fine copy."""
        keep = bisect.bisect_right(self._ticks, tick)
        for at in self._ticks[keep:]:
            del self._states[at]
        del self._ticks[keep:]
        self._fine.clear()

    def nbytes(self) -> int:
        states = [*self._states.values(), *self._fine.values()]
        return sum(a.nbytes for state in states for a in state.values())


# ------------------------------------------------------------------ one update


class _CheckedExamples:
    """A source's examples as the engine's :meth:`~ElmanNetwork.passes` takes them.

    Each example is checked by :meth:`ElmanNetwork.check_example` (shapes,
    finite numbers, the mask), except what was checked already: the very
    read-only arrays of the example before, or any example after the first of
    a source that has ``checked = True`` (then only dtype, order and shapes).
    """

    def __init__(self, source: ExampleSource, network: LabNetwork) -> None:
        self.source = source
        self.steps = int(source.steps)
        scoring = getattr(source, "scoring", None)
        if scoring is not None and not isinstance(scoring, Scoring):
            raise InputError("a source's scoring must be a Scoring or None")
        self.scoring: Scoring | None = scoring
        self._network = network  # its shape only: any network of the run's kind checks the same
        self._shapes = ((self.steps, network.n_inputs), (self.steps, network.n_outputs))
        self._trusted = getattr(source, "checked", False) is True
        self._seen = False
        self._last: tuple[object, object, object] | None = None
        self._checked: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None

    def example(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        inputs, targets, mask = self.source.example(index)
        last = self._last
        if last is not None and inputs is last[0] and targets is last[1] and mask is last[2]:
            return self._checked  # type: ignore[return-value]
        if self._trusted and self._seen and mask is None and self._plain(inputs, targets):
            return inputs, targets, None  # type: ignore[return-value]
        try:
            checked = self._network.check_example(inputs, targets, mask)
        except InputError as error:
            raise InputError(f"example {index + 1:,}: {error}") from None
        if checked[0].shape[0] != self.steps:
            raise InputError(f"example {index + 1:,} has {checked[0].shape[0]} steps, not {self.steps}")
        self._seen = True
        frozen = all(not a.flags.writeable for a in (inputs, targets, mask) if isinstance(a, np.ndarray))
        if frozen and all(isinstance(a, np.ndarray) for a in (inputs, targets)):
            self._last, self._checked = (inputs, targets, mask), checked
        return checked

    def _plain(self, inputs: object, targets: object) -> bool:
        """Whether both are C-ordered float64 arrays of the run's shapes."""
        return all(type(a) is np.ndarray and a.dtype == np.float64 and a.shape == shape
                   and a.flags.c_contiguous for a, shape in zip((inputs, targets), self._shapes))


@dataclass(frozen=True, slots=True)
class _Outcome:
    """One computed update: its record's numbers, or why it diverged (``failed``)."""

    loss: float
    grad_norm: float
    clipped_norm: float
    clipped: bool
    delta_norms: np.ndarray
    failed: str | None = None
    accuracy: float | None = None


def _update(network: LabNetwork, names: tuple[str, ...], index: int,
            examples: _CheckedExamples, settings: LabSettings) -> _Outcome:
    """Compute update *index* and apply it to *network* in place.

    Live training and every replay run this same function, so the same start
    gives the same numbers bit for bit. Not applied when the loss or the
    gradient is not finite; applied (and to be undone by the caller) when
    only the new parameters are not.
    """
    x, y, keep = examples.example(index)
    forward, grads = network.passes(x, y, keep, settings.window)
    loss = grads.loss
    arrays = [grads.params[name] for name in names]
    norm = global_norm(arrays)
    after, clipped = norm, False
    deltas = grads.delta_norms
    if not math.isfinite(loss):
        return _Outcome(loss, norm, norm, False, deltas, "the loss")
    if not math.isfinite(norm) and not all(np.isfinite(a).all() for a in arrays):
        return _Outcome(loss, norm, norm, False, deltas, "the gradient")
    if settings.clipping is not None:
        arrays, clipped = settings.clipping.apply(arrays)
        if clipped:
            after = global_norm(arrays)
    eta = settings.learning_rate
    params = _live_arrays(network, names)
    for param, g in zip(params, arrays):
        param -= eta * g  # in place, so that views holding the arrays see the update
    # One reduced number first: a finite sum of squares means every new
    # component is finite; only when it is not (a non-finite component, or
    # squares beyond the largest float) is each parameter looked at.
    finite = math.isfinite(sum([float(_vdot(p, p)) for p in params])) \
        or all(bool(np.isfinite(p).all()) for p in params)
    if not finite:
        return _Outcome(loss, norm, after, clipped, deltas, "the new parameters")
    scoring = examples.scoring
    right = None if scoring is None else float(scoring.score(forward.outputs, y, keep))
    return _Outcome(loss, norm, after, clipped, deltas, None, right)


def _state_at(run: "LabRun", tick: object) -> dict[str, np.ndarray]:
    """:meth:`LabRun.state_at`'s work: the cursor's state, or one replayed on a second network."""
    if isinstance(tick, bool) or not isinstance(tick, (int, np.integer)) \
            or not 0 <= tick <= run.stored:
        raise IndexError(f"no state after {tick} updates: {run.stored} are stored")
    tick = int(tick)
    if tick == run.cursor:
        return run._copy_state(run.network)
    scratch = run._scratch_network()
    start, state = run._checkpoints.nearest(tick)
    if not start <= run._scratch_tick <= tick:
        _write_state(scratch, state)
        run._scratch_tick = start
    run._replay(scratch, run._scratch_tick, tick)
    run._scratch_tick = tick
    return run._copy_state(scratch)


def epoch_updates(run: "LabRun") -> int:
    """Updates in one epoch of *run*: one pass over what its examples are drawn from.

    A source's ``epoch`` when it has one (binary addition: the pairs it draws
    from), else 1 (a repeated example is the whole data set).
    """
    return getattr(run.source, "epoch", 1)


def _live_arrays(network: LabNetwork, names: tuple[str, ...]) -> list[np.ndarray]:
    """The arrays behind *names* (parameters, ``h0``, the LSTM's ``c0``), live: writing
    into them changes *network*. A gated cell's named weights are views of its stacks."""
    if isinstance(network, GatedNetwork):
        live = network.parameters()
        return [live[name] if name in live else getattr(network, name) for name in names]
    return [getattr(network, name) for name in names]


def state_names(network: LabNetwork) -> tuple[str, ...]:
    """What a checkpoint of *network* holds: its parameters' names, then ``h0`` (and the
    LSTM's ``c0``); a settable name for :meth:`LabRun.set_parameters`."""
    return network.parameter_names + (("h0", "c0") if isinstance(network, LSTMNetwork) else ("h0",))


def _write_state(network: LabNetwork, state: Mapping[str, np.ndarray]) -> None:
    """Copy a stored state (parameters, h0, any c0) into *network*'s own arrays."""
    for array, value in zip(_live_arrays(network, tuple(state)), state.values()):
        array[...] = value


def _lab_network(network: object) -> LabNetwork:
    """*network* if the lab can train it, else one line saying what it trains."""
    if not isinstance(network, (ElmanNetwork, GatedNetwork)):
        raise InputError("the lab trains an ElmanNetwork, LSTMNetwork or GRUNetwork")
    return network


# ------------------------------------------------------------------ the run


class LabRun:
    """A network trained update by update, every update kept (see the module docstring).

    Parameters
    ----------
    network
        An Elman network, or a gated one (LSTM, GRU); the run owns it from now on and keeps its parameters
        those after :attr:`cursor` updates (changed in place).
    source
        Update *t* learns from ``source.example(t)``.
    settings
        How to train from update 0 on.
    n_updates
        How many updates the run allows, 1 … :data:`MAX_UPDATES`.
    checkpoint_every
        A full copy of the parameters every this many updates (1 … 65 536).
    """

    def __init__(self, network: LabNetwork, source: ExampleSource, settings: LabSettings,
                 n_updates: int, *, checkpoint_every: int = 256) -> None:
        network = _lab_network(network)
        if not isinstance(settings, LabSettings):
            raise InputError("the lab's settings must be LabSettings")
        steps = getattr(source, "steps", None)
        if not callable(getattr(source, "example", None)) or isinstance(steps, bool) \
                or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise InputError("the examples' source must have whole-number steps ≥ 1 and example(index)")
        self.n_updates = whole_number("the number of updates", n_updates, 1, MAX_UPDATES)
        self.checkpoint_every = whole_number(
            "the updates between checkpoints", checkpoint_every, 1, MAX_CHECKPOINT_EVERY)
        self.network = network
        self.source = source
        self._first_source = source  # what the log's start learns from (a change says otherwise)
        self._examples = _CheckedExamples(source, network)
        self._names = network.parameter_names
        self._state_names = state_names(network)
        self._records = _Records(int(steps), self.n_updates, self._examples.scoring is not None)
        self._cursor = 0
        self._forgets = 0
        self.diverged_at: int | None = None
        #: What made the update at :attr:`diverged_at` fail ("the loss", …), or None.
        self.diverged_what: str | None = None
        self._start(settings)
        self._scratch: LabNetwork | None = None
        self._scratch_tick = -1

    def _start(self, settings: LabSettings) -> None:
        """Tick 0: the network's parameters now, *settings* from update 0 on."""
        state = self._copy_state(self.network)
        self._checkpoints = _Checkpoints(self.checkpoint_every)
        self._checkpoints.put(0, state)
        self._start_state = {name: a.copy() for name, a in state.items()}
        self._start_settings = settings
        # The settings of updates span_firsts[i] … span_firsts[i + 1] − 1 are span_settings[i].
        self._span_firsts: list[int] = [0]
        self._span_settings: list[LabSettings] = [settings]
        self._events: list[dict[str, Any]] = []

    # -- the Run protocol ----------------------------------------------------------

    @property
    def cursor(self) -> int:
        """Updates done: :attr:`network` holds the parameters after this many."""
        return self._cursor

    @property
    def n_ticks(self) -> int:
        """The updates the run allows: :attr:`n_updates`, or :attr:`diverged_at`."""
        return self.n_updates if self.diverged_at is None else self.diverged_at

    @property
    def at_end(self) -> bool:
        return self._cursor >= self.n_ticks

    @property
    def stored(self) -> int:
        """Updates computed and kept."""
        return self._records.count

    @property
    def forgets(self) -> int:
        """Grows by one with every change that forgets stored updates or edits the state."""
        return self._forgets

    def step(self, count: int = 1) -> int:
        before = self._cursor
        self._move(min(before + max(int(count), 0), self.n_ticks))
        return self._cursor - before

    def back(self, count: int = 1) -> int:
        before = self._cursor
        self._move(max(before - max(int(count), 0), 0))
        return before - self._cursor

    def seek(self, tick: int) -> None:
        self._move(min(max(int(tick), 0), self.n_ticks))

    def reset(self) -> None:
        """Back to update 0 with the parameters of tick 0; every stored update is forgotten.

        The settings (and sequence) in effect at the cursor stay; the log starts afresh from here.
        """
        settings, example = self.settings, _example_at(self.source, self._cursor)
        _, start = self._checkpoints.nearest(0)
        _write_state(self.network, start)
        if example is not None:
            _restart(self, example)
            return
        self._cursor = 0
        self._forget_after(0)
        self._start(settings)

    def state_at(self, tick: int) -> dict[str, np.ndarray]:
        """Copies of the parameters and ``h0`` (and an LSTM's ``c0``) after *tick* updates,
        ``0 ≤ tick ≤ stored``."""
        return _state_at(self, tick)

    # -- what was stored ---------------------------------------------------------------

    @property
    def settings(self) -> LabSettings:
        """The settings in effect from the cursor on."""
        return self.settings_at(self._cursor)

    def settings_at(self, update: int) -> LabSettings:
        """The settings update *update* is (or will be) computed with."""
        index = bisect.bisect_right(self._span_firsts, update) - 1
        return self._span_settings[max(index, 0)]

    def next_example(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The example update :attr:`cursor` learns from (at the end: the last update's)."""
        return self.source.example(min(self._cursor, self.n_updates - 1))

    def record(self, t: int) -> UpdateRecord:
        """What update *t* (0-based, ``t < stored``) did."""
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 0 <= t < self.stored:
            raise IndexError(f"no update {t}: {self.stored} are stored")
        r = self._records
        return UpdateRecord(float(r.loss[t]), float(r.grad_norm[t]), float(r.clipped_norm[t]),
                            bool(r.clipped[t]), r.delta_norms[t].copy(),
                            float(r.accuracy[t]) if r.scored else None)

    def losses(self) -> np.ndarray:
        """Each stored update's loss before it, shape (stored,) (read-only view)."""
        return self._records.view("loss")

    def accuracies(self) -> np.ndarray | None:
        """Each stored update's accuracy before it in [0, 1] (read-only view), or None.

        By the source's :class:`~rnnviz.runs.lab_scoring.Scoring`; None when it
        has no notion of right (regression).
        """
        return self._records.view("accuracy") if self._records.scored else None

    @property
    def accuracy_label(self) -> str | None:
        """Short text for a plot of :meth:`accuracies` ("sums right", …), or None."""
        scoring = self._examples.scoring
        return None if scoring is None else scoring.label

    def grad_norms(self) -> np.ndarray:
        """Each stored update's gradient norm before clipping, shape (stored,)."""
        return self._records.view("grad_norm")

    def clipped_norms(self) -> np.ndarray:
        """Each stored update's gradient norm after clipping, shape (stored,)."""
        return self._records.view("clipped_norm")

    def clipped(self) -> np.ndarray:
        """Whether clipping changed each stored update's gradient, shape (stored,) bool."""
        return self._records.view("clipped")

    def delta_norm_matrix(self) -> np.ndarray:
        """‖δ_t‖ for every stored update (rows) and step (columns), shape (stored, T)."""
        return self._records.view("delta_norms")

    def stored_bytes(self) -> int:
        """Bytes held by the records, checkpoints and fine copies (capacity included)."""
        return self._records.nbytes() + self._checkpoints.nbytes()

    def spectral_radius(self) -> float:
        """ρ(W_hh): the largest |eigenvalue| of the current recurrent matrix (Elman only:
        a gated cell has one recurrent matrix per gate, and no one ρ; InputError)."""
        return _spectral_radius(self.network)

    # -- changes at the cursor -----------------------------------------------------------

    def set_settings(self, settings: LabSettings) -> None:
        """Train with *settings* from the cursor on; stored updates after it are forgotten.

        The same settings as in effect change nothing.
        """
        if not isinstance(settings, LabSettings):
            raise InputError("the lab's settings must be LabSettings")
        if settings == self.settings:
            return
        self._change_at_cursor()
        c = self._cursor
        keep = bisect.bisect_left(self._span_firsts, c)
        del self._span_firsts[keep:], self._span_settings[keep:]
        self._span_firsts.append(c)
        self._span_settings.append(settings)
        self._events.append({"at": c, "kind": "settings", "settings": settings.as_json()})

    def set_parameters(self, values: Mapping[str, object]) -> None:
        """Overwrite some parameters (or ``h0``) at the cursor; stored updates after it are forgotten.

        All values are checked before any is written (names, shapes, finite numbers).
        """
        if not isinstance(values, Mapping) or not values:
            raise InputError("give the parameters to set by name, e.g. {'w_hh': [[0.5]]}")
        checked = _checked_values(self.network, self._state_names, values)
        self._change_at_cursor()
        _write_state(self.network, checked)
        self._checkpoints.put(self._cursor, self._copy_state(self.network))
        self._events.append({"at": self._cursor, "kind": "parameters",
                             "values": {name: array.tolist() for name, array in checked.items()}})

    def scale_w_hh(self, factor: float) -> None:
        """The vanish/explode knob: ``W_hh ← factor·W_hh`` at the cursor (ρ scales by *factor*).

        A gated cell's recurrent weights of every gate (``W_h?``, its stack ``w_h``) scale alike.
        """
        s, scaled = _scaled_w_hh(self.network, factor)
        self._change_at_cursor()
        _recurrent(self.network)[...] = scaled
        self._checkpoints.put(self._cursor, self._copy_state(self.network))
        self._events.append({"at": self._cursor, "kind": "scale_w_hh", "factor": s})

    def set_example(self, inputs: object, targets: object, mask: object | None = None) -> None:
        """Learn this sequence from the cursor on (a run of one :class:`RepeatedExample` only).

        Of the run's steps, it is a change at the cursor as :meth:`set_settings`
        is; of other steps, the run starts afresh from it at update 0 with the
        cursor's parameters and settings (see the module docstring). The same
        sequence changes nothing; anything wrong is an InputError, nothing changed.
        """
        example = _new_example(self, inputs, targets, mask)
        if example is None:
            return
        if example.steps != self._records.steps:
            _restart(self, example)
            return
        self._change_at_cursor()
        _spans(self).set_from(self._cursor, example)
        self._events.append({"at": self._cursor, "kind": "example", **_example_json(example)})

    def _change_at_cursor(self) -> None:
        """Forget the stored updates after the cursor (and any divergence) before a change there.

        Refused (nothing changed) when the log has no room for one more change.
        """
        c = self._cursor
        if sum(1 for event in self._events if event["at"] <= c) + 2 > MAX_LOG_ENTRIES:
            raise InputError(
                f"this run already holds {MAX_LOG_ENTRIES:,} changes, the most a run keeps; reset it to change more")
        self._forget_after(c)
        self._events = [event for event in self._events if event["at"] <= c]
        keep = bisect.bisect_right(self._span_firsts, c)
        del self._span_firsts[keep:], self._span_settings[keep:]
        if isinstance(self.source, ExampleSpans):
            self.source.cut_after(c)
        self._checkpoints.put(c, self._copy_state(self.network))

    def _forget_after(self, tick: int) -> None:
        self._records.count = min(self._records.count, tick)
        self._checkpoints.drop_after(tick)
        self.diverged_at = self.diverged_what = None
        self._scratch_tick = -1
        self._forgets += 1

    # -- moving --------------------------------------------------------------------------

    def _move(self, target: int) -> None:
        """Put the cursor at *target* (``0 … n_ticks``), replaying or computing as needed."""
        with np.errstate(all="ignore"):
            if target > self.stored:
                self._load(self.stored)
                self._compute(target)
            else:
                self._load(target)

    def _load(self, tick: int) -> None:
        """Bring :attr:`network` to the state after *tick* stored updates."""
        start, state = self._checkpoints.nearest(tick)
        if not start <= self._cursor <= tick:
            _write_state(self.network, state)
            self._cursor = start
        self._replay(self.network, self._cursor, tick)
        self._cursor = tick

    def _replay(self, network: LabNetwork, first: int, end: int) -> None:
        """Redo stored updates *first* … *end* − 1 on *network*, keeping fine copies on the way."""
        with np.errstate(all="ignore"):
            for t in range(first, end):
                if _update(network, self._names, t, self._examples, self.settings_at(t)).failed:
                    raise RuntimeError(f"stored update {t} no longer replays")  # only finite ones are stored
                if self._checkpoints.wants_fine(t + 1):
                    self._checkpoints.put_fine(t + 1, self._copy_state(network))

    def _compute(self, target: int) -> None:
        """Compute updates from :attr:`stored` (the cursor) up to *target*, storing each."""
        total = target - self._cursor
        listening = progress.listening()
        first = self._cursor
        every = self.checkpoint_every
        while self._cursor < target:
            t = self._cursor
            outcome = _update(self.network, self._names, t, self._examples, self.settings_at(t))
            if outcome.failed is not None:
                self._diverge(t, outcome.failed)
                return
            self._records.append(outcome.loss, outcome.grad_norm, outcome.clipped_norm,
                                 outcome.clipped, outcome.delta_norms, outcome.accuracy)
            self._cursor = t + 1
            if self._cursor % every == 0:
                self._checkpoints.put(self._cursor, self._copy_state(self.network))
            if listening and (self._cursor - first) % _REPORT_EVERY == 0:
                progress.report(self._cursor - first, total)

    def _diverge(self, t: int, what: str) -> None:
        """Update *t* was not finite: the run ends there with the last finite parameters."""
        if what == "the new parameters":  # applied in place: bring back the state after t updates
            start, state = self._checkpoints.nearest(t)
            _write_state(self.network, state)
            self._replay(self.network, start, t)
        self.diverged_at, self.diverged_what = t, what

    @property
    def divergence_message(self) -> str | None:
        """One line for the user when the run diverged, else None."""
        return None if self.diverged_at is None else _divergence_text(self.diverged_at, self.diverged_what)

    # -- state helpers ---------------------------------------------------------------------

    def _copy_state(self, network: LabNetwork) -> dict[str, np.ndarray]:
        names = self._state_names
        return {name: array.copy() for name, array in zip(names, _live_arrays(network, names))}

    def _scratch_network(self) -> LabNetwork:
        """A second network of the same kind, for states other than the cursor's."""
        if self._scratch is None:
            self._scratch = copy.deepcopy(self.network)
        return self._scratch

    # -- the log ---------------------------------------------------------------------------

    def log(self) -> list[dict[str, Any]]:
        """The run's start and every change since, JSON-ready (numbers as floats and lists).

        Entries in order, each with ``"at"`` (the cursor it happened at) and ``"kind"``:

        * ``{"at": 0, "kind": "start", "n_updates": n, "checkpoint_every": k,
          "settings": {...}, "parameters": {"w_xh": [[…]], …, "h0": […]}}`` — always first;
        * ``{"at": t, "kind": "settings", "settings": {"learning_rate": η, "window": k | None,
          "clipping": None | {"kind": "norm" | "value", "threshold": c}}}``;
        * ``{"at": t, "kind": "parameters", "values": {name: nested lists}}``;
        * ``{"at": t, "kind": "scale_w_hh", "factor": s}``;
        * ``{"at": t, "kind": "example", "inputs": [[…]], "targets": [[…]], "mask": None | […]}``.
        """
        start = {
            "at": 0, "kind": "start", "n_updates": self.n_updates,
            "checkpoint_every": self.checkpoint_every,
            "settings": self._start_settings.as_json(),
            "parameters": {name: array.tolist() for name, array in self._start_state.items()},
        }
        return [start, *copy.deepcopy(self._events)]

    @classmethod
    def replay(cls, network_factory: Callable[[], LabNetwork], source: ExampleSource,
               log: object, cursor: int) -> LabRun:
        """The run :meth:`log` describes, recomputed exactly, with the cursor at *cursor*.

        Parameters
        ----------
        network_factory
            Makes a network of the run's kind (its shape, functions and loss);
            its parameters are replaced by the log's start.
        source
            The run's examples.
        log
            :meth:`log`'s list (as read back from JSON).
        cursor
            Updates done, ``0 … n_ticks``.

        Raises
        ------
        InputError
            One line naming the first thing in *log* or *cursor* that is wrong.
        """
        return _replay(cls, network_factory, source, log, cursor)

_ENTRY_FIELDS: Final[dict[str, set[str]]] = {
    "start": {"at", "kind", "n_updates", "checkpoint_every", "settings", "parameters"},
    "settings": {"at", "kind", "settings"},
    "parameters": {"at", "kind", "values"},
    "scale_w_hh": {"at", "kind", "factor"},
    "example": {"at", "kind", "inputs", "targets", "mask"},
}


def _whole(name: str, value: object) -> int:
    return whole_number(name, value, 0)


def _checked_log(log: object) -> list[Mapping[str, Any]]:
    """*log*'s entries, each with known fields and "at" rising; or one line saying what is wrong."""
    if not isinstance(log, list) or not log:
        raise InputError("a lab log is a list of entries, the first being the start")
    if len(log) > MAX_LOG_ENTRIES:
        raise InputError(f"a lab log holds at most {MAX_LOG_ENTRIES:,} entries, not {len(log):,}")
    previous = 0
    for number, entry in enumerate(log, 1):
        if not isinstance(entry, Mapping) or entry.get("kind") not in _ENTRY_FIELDS:
            raise InputError(f"log entry {number} has no known kind ({', '.join(_ENTRY_FIELDS)})")
        kind = entry["kind"]
        if (kind == "start") != (number == 1):
            raise InputError("a lab log starts with its one start entry")
        if set(entry) != _ENTRY_FIELDS[kind]:
            raise InputError(
                f"log entry {number} ({kind}) has the fields {', '.join(sorted(_ENTRY_FIELDS[kind]))}")
        at = _whole(f"log entry {number}'s update", entry["at"])
        if at < previous or (number == 1 and at != 0):
            raise InputError(f"log entry {number} is at update {at:,}, before the entry ahead of it")
        previous = at
    return log


def _replay(cls: type[LabRun], network_factory: Callable[[], LabNetwork], source: ExampleSource,
            log: object, cursor: int) -> LabRun:
    """:meth:`LabRun.replay`'s work."""
    entries = _checked_log(log)
    start = entries[0]
    network = _lab_network(network_factory())
    run = cls(network, source, LabSettings.from_json(start["settings"]), start["n_updates"],
              checkpoint_every=start["checkpoint_every"])
    _replace_start(run, start["parameters"])
    last = max([entry["at"] for entry in entries] + [_whole("the cursor", cursor)])
    for number, entry in enumerate(entries[1:], 2):
        with progress.part(run.cursor, last):
            run.seek(entry["at"])
        if run.cursor != entry["at"]:
            raise InputError(f"log entry {number} is at update {entry['at']:,} but the run "
                             f"stops at update {run.cursor:,}")
        try:
            _apply(run, entry)
        except InputError as error:
            raise InputError(f"log entry {number}: {error}") from None
    with progress.part(run.cursor, last):
        run.seek(cursor)
    if run.cursor != cursor:
        raise InputError(f"the cursor is at update {cursor:,} but the run stops at update {run.cursor:,}")
    return run


def _replace_start(run: LabRun, parameters: object) -> None:
    """Tick 0 gets the log's starting parameters (all of them, checked first)."""
    names = run._state_names
    if not isinstance(parameters, Mapping) or set(parameters) != set(names):
        raise InputError(f"the log's start needs the parameters {', '.join(names)}")
    checked = _checked_values(run.network, names, parameters)
    _write_state(run.network, checked)
    run._start(run._start_settings)


def _apply(run: LabRun, entry: Mapping[str, Any]) -> None:
    """Make the change a log entry records."""
    kind = entry["kind"]
    if kind == "settings":
        run.set_settings(LabSettings.from_json(entry["settings"]))
    elif kind == "parameters":
        run.set_parameters(entry["values"])
    elif kind == "example":
        run.set_example(entry["inputs"], entry["targets"], entry["mask"])
    else:
        run.scale_w_hh(entry["factor"])


def _checked_values(network: LabNetwork, allowed: tuple[str, ...],
                    values: Mapping[str, object]) -> dict[str, np.ndarray]:
    """*values* by name as arrays of their parameters' shapes, all checked, nothing written."""
    checked: dict[str, np.ndarray] = {}
    for name, value in values.items():
        if name not in allowed:
            raise InputError(f"unknown parameter {name!r}; choose from {', '.join(allowed)}")
        shape = _live_arrays(network, (name,))[0].shape
        try:
            array = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"parameter {name} must be numbers of shape {shape}") from None
        if array.size != math.prod(shape):
            raise InputError(f"parameter {name} must hold {math.prod(shape)} numbers of shape {shape}, not {array.size}")
        if not np.isfinite(array).all():
            raise InputError(f"parameter {name} must be finite numbers (no NaN or infinity)")
        checked[name] = array.reshape(shape)
    return checked


def _divergence_text(update: int, what: str | None) -> str:
    verb = "are" if what == "the new parameters" else "is"
    # Counted from 1 for the reader, as "example N" is: update index d is the (d + 1)-th.
    return (f"diverged at update {update + 1:,}: {what} {verb} no longer "
            "finite; the parameters shown are the last finite ones")


def _recurrent(network: LabNetwork) -> np.ndarray:
    """The recurrent weights the knob scales: W_hh, or every gate's ``W_h?`` stacked."""
    return network.w_h if isinstance(network, GatedNetwork) else network.w_hh


def _spectral_radius(network: LabNetwork) -> float:
    if isinstance(network, GatedNetwork):
        raise InputError(f"ρ(W_hh) is the plain RNN's: the {network.CELL} has one recurrent "
                         "matrix per gate, and no one spectral radius")
    return float(np.max(np.abs(np.linalg.eigvals(network.w_hh))))


def _scaled_w_hh(network: LabNetwork, factor: object) -> tuple[float, np.ndarray]:
    """The knob's factor checked, and ``factor·W_hh`` (finite); nothing written."""
    if isinstance(factor, bool):
        raise InputError(f"the W_hh factor must be a number, not {factor!r}")
    s = finite_number("the W_hh factor", factor, positive=True)
    if not 1 / MAX_W_HH_FACTOR <= s <= MAX_W_HH_FACTOR:
        raise InputError(
            f"the W_hh factor must lie between {1 / MAX_W_HH_FACTOR:g} and {MAX_W_HH_FACTOR:g}, not {factor!r}")
    with np.errstate(all="ignore"):
        scaled = _recurrent(network) * s
    if not np.isfinite(scaled).all():
        raise InputError(f"W_hh × {factor!r} is too large for a float; choose a smaller factor")
    return s, scaled


# ------------------------------------------------------------------ the sequence learnt


def _example_at(source: object, update: int) -> RepeatedExample | None:
    """The repeated example update *update* learns from, or None for any other kind of source."""
    if isinstance(source, ExampleSpans):
        return source.at(update)
    return source if isinstance(source, RepeatedExample) else None


def _example_json(example: RepeatedExample) -> dict[str, Any]:
    mask = example.mask
    return {"inputs": example.inputs.tolist(), "targets": example.targets.tolist(),
            "mask": None if mask is None else mask.tolist()}


def _new_example(run: LabRun, inputs: object, targets: object,
                 mask: object | None) -> RepeatedExample | None:
    """:meth:`LabRun.set_example`'s sequence checked (None: the one in effect); nothing changed."""
    current = _example_at(run.source, run.cursor)
    if current is None:
        raise InputError("only a run that repeats one example (worked, hello, vanishing) can "
                         "learn another sequence")
    try:
        example = RepeatedExample(inputs, targets, mask, scoring=current.scoring)
    except (TypeError, ValueError):
        raise InputError("a sequence's inputs and targets must be tables of numbers") from None
    if not 1 <= example.steps <= MAX_EXAMPLE_STEPS:
        raise InputError(f"a sequence has 1 to {MAX_EXAMPLE_STEPS:,} steps, not {example.steps:,}")
    run.network.check_example(example.inputs, example.targets, example.mask)
    if all(_same(a, b) for a, b in zip(example.example(0), current.example(0))):
        return None
    if example.steps == current.steps and run.cursor >= run.n_updates:
        raise InputError(f"the training is at its end (update {run.n_updates:,}): go back to "
                         "learn another sequence")
    return example


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return (a is None) == (b is None) and (a is None or (a.shape == b.shape and np.array_equal(a, b)))


def _spans(run: LabRun) -> ExampleSpans:
    """The run's examples as spans (a plain repeated example becomes the first span)."""
    if not isinstance(run.source, ExampleSpans):
        run.source = ExampleSpans(run.source)  # type: ignore[arg-type]
        run._examples = _CheckedExamples(run.source, run.network)
    return run.source


def _restart(run: LabRun, example: RepeatedExample) -> None:
    """Start *run* afresh at update 0 from its parameters now, learning *example*.

    The settings in effect at the cursor become update 0's. The log records
    the sequence (at update 0) unless it is the one the run was made with.
    """
    settings = run.settings
    run.source = example
    run._examples = _CheckedExamples(example, run.network)
    run._records = _Records(example.steps, run.n_updates, run._examples.scoring is not None)
    run._cursor = 0
    run._forget_after(0)
    run._start(settings)
    if example is not run._first_source:
        run._events.append({"at": 0, "kind": "example", **_example_json(example)})
