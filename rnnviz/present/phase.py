"""The one-neuron learner's phase plot, without Qt: h_t against h_{t−1}.

With the weights fixed, one tick is the map ``h ↦ f(hh·h + ih·x)`` for the
tick's input ``x``. The phase plot draws that map for ``x = 0`` and ``x = 1``
over the activation's range (sigmoid ``(0, 1)``, tanh and bipolar
``(−1, 1)``), the diagonal ``h_t = h_{t−1}`` and where the map meets it:
the fixed points ``h* = f(hh·h* + ih·x)``. A fixed point is stable when the
map's slope there, ``f′(a*)·hh`` with ``a* = hh·h* + ih·x``, lies inside
(−1, 1); the slope is taken from the pre-activation with
:func:`rnnviz.engine.derivatives.activation_slope`, accurate in the tails.

Fixed points are found on ``g(h) = f(hh·h + ih·x) − h``: *g* is evaluated
on :data:`ROOT_GRID` points over the closed range, every sign change is
bisected down to adjacent floats, and every place where ``|g|`` has a local
minimum without a sign change is refined by golden-section search: a
minimum that reaches zero there (within :data:`TANGENT_TOLERANCE`) is a
tangency, a fixed point where the map touches the diagonal without crossing
it (marked ``tangent``; its slope is ±1 and it is neither stable nor
unstable, though it is reported with the ``stable`` flag of its computed
slope), and a minimum that crosses zero brackets two close fixed points the
grid could not separate.

The cobweb is the real trajectory: for each of the last :data:`COBWEB_TICKS`
ticks up to the cursor, the vertical step ``(h_{t−1}, h_{t−1}) → (h_{t−1}, h_t)``
(the tick's map) and the horizontal step ``(h_{t−1}, h_t) → (h_t, h_t)``
back to the diagonal, with the tick's input so a view can colour each by
it. Its numbers are the session's stored hidden values, copied, never
recomputed. The weights change every tick while the drawn map is the
cursor's, so old cobweb steps need not end on the curves drawn.

On an alternating input (the last :data:`ALTERNATION_TICKS` inputs
alternate, as in ``(10)^n``) the map to follow is the composed one,
``F(h) = f(hh·f(hh·h + ih·0) + ih·1)``; its fixed points are the stream's
2-cycles ``h₀* = f(hh·h₁*)``, ``h₁* = F(h₁*)``, and the view marks them as
the pair of points ``(h₁*, h₀*)`` on the ``x = 0`` map and ``(h₀*, h₁*)``
on the ``x = 1`` map. A 2-cycle is stable when ``|F′(h₁*)| < 1``.

On an alternating input the view also holds the generator's closed loop
(:mod:`rnnviz.engine.generator`): the network with the cursor's weights, its
output fed back as its next input, ``G(h) = f(hh·h + ih·ŷ(h))`` with
``ŷ(h) = g(ho·h)`` (*f* and *g* the session's activation and gain, as its
learner uses them), drawn on the same grid, and the 2-cycles of *G*
(:func:`free_run_cycles`): the alternation the network would *write* with
these weights, as the generator lesson builds by hand, beside the
alternation it is *reading*. A 2-cycle ``(a, b)`` is the pair of points
``(a, b)`` and ``(b, a)`` on *G*.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.activations import Activation
from rnnviz.engine.derivatives import activation_slope
from rnnviz.engine.learner import State

#: Points of each map curve drawn.
CURVE_POINTS: Final[int] = 401
#: Points over the range on which g's sign changes are bracketed.
ROOT_GRID: Final[int] = 4001
#: Ticks of the real trajectory shown as a cobweb (the last ones up to the cursor).
COBWEB_TICKS: Final[int] = 12
#: The last inputs must alternate over this many ticks for the 2-cycle to be shown.
ALTERNATION_TICKS: Final[int] = 4
#: A local minimum of |g| at most this far from 0 is a tangency (a fixed point touched, not crossed).
TANGENT_TOLERANCE: Final[float] = 1e-12
INPUTS: Final[tuple[int, int]] = (0, 1)


@dataclass(frozen=True, slots=True)
class FixedPoint:
    """Where a map meets the diagonal.

    ``x`` is the input (0 or 1; for a 2-cycle, the input of the step that
    lands on ``h``), ``h`` the point, ``slope`` the map's slope there
    (``f′(a*)·hh``; for a 2-cycle, the composed map's), ``stable`` whether
    ``|slope| < 1``, ``tangent`` whether the map only touches the diagonal.
    """

    x: int
    h: float
    slope: float
    stable: bool
    tangent: bool = False


@dataclass(frozen=True, slots=True)
class TwoCycle:
    """A 2-cycle of the alternating input: ``h0`` after a 0, ``h1`` after a 1."""

    h0: float
    h1: float
    slope: float
    stable: bool


@dataclass(frozen=True, slots=True)
class PhaseView:
    """What the phase plot draws at one tick (see the module docstring).

    ``maps[x]`` holds ``f(hh·h + ih·x)`` on ``grid``; ``cobweb_x/y`` are the
    segments' end points in pairs (segment *i* from point ``2i`` to
    ``2i + 1``), two segments a tick, and ``cobweb_inputs[k]`` the input of
    the *k*-th tick shown; ``current`` is ``(h_{t−1}, h_t)`` of the cursor's tick;
    ``pending`` is the segment of the tick slow motion is taking apart
    (before its update), or None.
    """

    low: float
    high: float
    ih: float
    hh: float
    grid: np.ndarray
    maps: dict[int, np.ndarray]
    fixed: tuple[FixedPoint, ...]
    cobweb_x: np.ndarray
    cobweb_y: np.ndarray
    cobweb_inputs: np.ndarray
    current: tuple[float, float] | None
    cycles: tuple[TwoCycle, ...]
    pending: tuple[float, float, int] | None = None
    loop: np.ndarray | None = None
    loop_cycles: tuple[TwoCycle, ...] = ()

    def segments(self, x: int) -> tuple[np.ndarray, np.ndarray]:
        """The cobweb segments of the ticks with input *x*, as pairs of points."""
        keep = np.repeat(self.cobweb_inputs == x, 4)
        return self.cobweb_x[keep], self.cobweb_y[keep]


def tick_map(act: Activation, ih: float, hh: float, x: float) -> Callable[[float], float]:
    """One tick's map ``h ↦ f(hh·h + ih·x)`` with the weights fixed."""
    return lambda h: act(hh * h + ih * x)


def _bisect(g: Callable[[float], float], a: float, b: float, ga: float) -> float:
    """A root of *g* between *a* and *b* (``g(a)`` = *ga*, ``g(b)`` of the other sign), to adjacent floats."""
    for _ in range(200):
        m = 0.5 * (a + b)
        if m <= a or m >= b:
            break
        gm = g(m)
        if gm == 0.0:
            return m
        if (gm > 0.0) == (ga > 0.0):
            a, ga = m, gm
        else:
            b = m
    return a if abs(ga) <= abs(g(b)) else b


def _golden_min(g: Callable[[float], float], a: float, b: float) -> float:
    """Where ``|g|`` is smallest between *a* and *b* (one minimum assumed), by golden-section search."""
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    gc, gd = abs(g(c)), abs(g(d))
    for _ in range(120):
        if b - a <= 4e-16 * max(1.0, abs(a)):
            break
        if gc < gd:
            b, d, gd = d, c, gc
            c = b - ratio * (b - a)
            gc = abs(g(c))
        else:
            a, c, gc = c, d, gd
            d = a + ratio * (b - a)
            gd = abs(g(d))
    return c if gc < gd else d


def roots(g: Callable[[float], float], low: float, high: float, *,
          on_grid: Callable[[np.ndarray], np.ndarray] | None = None,
          points: int = ROOT_GRID) -> list[tuple[float, bool]]:
    """Every root of *g* on ``[low, high]``, as ``(h, tangent)`` in rising order (module docstring).

    *on_grid* evaluates *g* on an array at once (for the bracketing only;
    every refinement calls *g* itself).
    """
    grid = np.linspace(low, high, points)
    values = on_grid(grid) if on_grid is not None else np.array([g(float(h)) for h in grid])
    found: list[tuple[float, bool]] = [(float(h), False) for h in grid[values == 0.0]]
    positive = values > 0.0
    crossing = np.flatnonzero((positive[:-1] != positive[1:]) & (values[:-1] != 0.0) & (values[1:] != 0.0))
    for i in crossing:
        a, b = float(grid[i]), float(grid[i + 1])
        ga, gb = g(a), g(b)
        if ga == 0.0 or gb == 0.0:
            found.append((a if ga == 0.0 else b, False))
        elif (ga > 0.0) != (gb > 0.0):
            found.append((_bisect(g, a, b, ga), False))
    # A local minimum of |g| that keeps its sign: a tangency or two roots the grid did not separate.
    size = np.abs(values)
    inner = np.arange(1, points - 1)
    dips = inner[(size[1:-1] <= size[:-2]) & (size[1:-1] <= size[2:]) & (values[1:-1] != 0.0)
                 & (positive[:-2] == positive[1:-1]) & (positive[2:] == positive[1:-1])]
    for i in dips:
        a, b = float(grid[i - 1]), float(grid[i + 1])
        m = _golden_min(g, a, b)
        ga, gm = g(a), g(m)
        if gm == 0.0:
            found.append((m, True))
        elif (gm > 0.0) != (ga > 0.0):
            found.append((_bisect(g, a, m, ga), False))
            found.append((_bisect(g, m, b, gm), False))
        elif abs(gm) <= TANGENT_TOLERANCE:
            found.append((m, True))
    found.sort()
    unique: list[tuple[float, bool]] = []
    for h, tangent in found:
        if unique and h == unique[-1][0]:
            continue
        unique.append((h, tangent))
    return unique


def fixed_points(act: Activation, ih: float, hh: float, x: int) -> tuple[FixedPoint, ...]:
    """Every fixed point of ``h ↦ f(hh·h + ih·x)`` on the activation's range, rising."""
    low, high = act.range
    step = tick_map(act, ih, hh, x)
    points = []
    on_grid = lambda h: np.asarray(act(hh * h + ih * x), dtype=np.float64) - h
    for h, tangent in roots(lambda h: step(h) - h, low, high, on_grid=on_grid):
        slope = float(activation_slope(act, hh * h + ih * x)) * hh
        points.append(FixedPoint(x, h, slope, abs(slope) < 1.0, tangent))
    return tuple(points)


def two_cycles(act: Activation, ih: float, hh: float) -> tuple[TwoCycle, ...]:
    """The 2-cycles of an alternating input 0, 1, 0, 1, … (fixed points of the composed map)."""
    low, high = act.range
    after_0, after_1 = tick_map(act, ih, hh, 0), tick_map(act, ih, hh, 1)
    cycles = []
    on_grid = lambda h: np.asarray(act(hh * act(hh * h) + ih), dtype=np.float64) - h
    for h1, _ in roots(lambda h: after_1(after_0(h)) - h, low, high, on_grid=on_grid):
        h0 = after_0(h1)
        slope = (float(activation_slope(act, hh * h1)) * hh
                 * float(activation_slope(act, hh * h0 + ih)) * hh)
        cycles.append(TwoCycle(h0, h1, slope, abs(slope) < 1.0))
    return tuple(cycles)


def closed_loop(act: Activation, ih: float, hh: float, ho: float) -> Callable:
    """The generator's step ``h ↦ f(hh·h + ih·f(ho·h))`` with *act* for both neurons
    (numbers or arrays), as the learner's network would run with its output fed back."""
    return lambda h: act(hh * h + ih * act(ho * h))


def free_run_cycles(*, ih: float, hh: float, ho: float, gain: float,
                    activation: str = "bipolar", hidden_gain: float = 1.0) -> tuple[TwoCycle, ...]:
    """The 2-cycles of the free-running generator (:func:`rnnviz.engine.generator.free_run`).

    Its output is its next input, so after the first step the hidden value
    alone carries the state: ``G(h) = f(hh·h + ih·g(ho·h))``, *f* the
    activation with *hidden_gain* (the generator's 1; the learner's network
    has its gain in both) and *g* with *gain*. A 2-cycle is a pair
    ``h0 < h1`` with ``G(h0) = h1`` and ``G(h1) = h0`` (a root of ``G(G(h)) − h``
    that is no fixed point of *G*), stable when ``|G′(h0)·G′(h1)| < 1``.
    """
    f, g = Activation(activation, hidden_gain), Activation(activation, gain)
    low, high = f.range

    def step(h):
        return f(hh * h + ih * g(ho * h))

    def slope(h: float) -> float:
        inner = hh + ih * float(activation_slope(g, ho * h)) * ho
        return float(activation_slope(f, hh * h + ih * g(ho * h))) * inner

    def twice_on_grid(h: np.ndarray) -> np.ndarray:
        return np.asarray(step(np.asarray(step(h), dtype=np.float64)), dtype=np.float64) - h

    cycles: dict[tuple[float, float], TwoCycle] = {}
    for h, _ in roots(lambda h: step(step(h)) - h, low, high, on_grid=twice_on_grid):
        other = step(h)
        if abs(other - h) <= 1e-9:
            continue  # a fixed point of G, not a 2-cycle
        a, b = sorted((h, other))
        if any(abs(a - a0) <= 1e-9 and abs(b - b0) <= 1e-9 for a0, b0 in cycles):
            continue
        product = slope(a) * slope(b)
        cycles[(a, b)] = TwoCycle(a, b, product, abs(product) < 1.0)
    return tuple(cycles.values())


def alternating(inputs: np.ndarray) -> bool:
    """Whether the last :data:`ALTERNATION_TICKS` inputs alternate 0, 1, 0, 1 (either phase)."""
    tail = np.asarray(inputs[-ALTERNATION_TICKS:], dtype=np.int64)
    return len(tail) == ALTERNATION_TICKS and bool(np.all(tail[1:] != tail[:-1]))


def cobweb(h_before: float, hs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cobweb's segment end points for the ticks with hidden values *hs*, *h_before* the one before."""
    previous = np.concatenate(([h_before], hs[:-1]))
    xs = np.empty(4 * len(hs))
    ys = np.empty(4 * len(hs))
    xs[0::4], ys[0::4] = previous, previous  # up (or down) from the diagonal…
    xs[1::4], ys[1::4] = previous, hs        # …to the map,
    xs[2::4], ys[2::4] = previous, hs        # then across…
    xs[3::4], ys[3::4] = hs, hs              # …to the diagonal.
    return xs, ys


def phase_view(session, state: State | None = None, *, stage_pending: bool = False,
               ticks: int = COBWEB_TICKS) -> PhaseView:
    """The phase plot of *session* at its cursor (weights from *state*, the cursor's by default).

    With *stage_pending* (slow motion, before the tick's update) the tick
    being taken apart is added as :attr:`PhaseView.pending`, from the stored
    history when it holds it, else computed with the cursor's weights as the
    tick computes it.
    """
    params = session.params
    act = params.act
    state = state or session.state
    ih, hh = float(state.ih), float(state.hh)
    low, high = act.range
    grid = np.linspace(low, high, CURVE_POINTS)
    maps = {x: np.asarray(act(hh * grid + ih * x), dtype=np.float64) for x in INPUTS}
    fixed = tuple(p for x in INPUTS for p in fixed_points(act, ih, hh, x))
    cursor = session.cursor
    first = max(cursor - int(ticks), 0)
    history = session.history
    hs = np.array(history["h"][first:cursor], dtype=np.float64)
    inputs = np.array(history["x"][first:cursor], dtype=np.int64)
    h_before = float(session.state_at(first).h)
    xs, ys = cobweb(h_before, hs)
    current = (float(xs[-2]), float(ys[-2])) if len(hs) else None
    bits = session.bits
    recent = np.asarray(bits[max(cursor - ALTERNATION_TICKS + 1, 0) : cursor + 1])
    alternates = alternating(recent)
    cycles = two_cycles(act, ih, hh) if alternates else ()
    loop, loop_cycles = None, ()
    if alternates:
        ho = float(state.ho)
        loop = np.asarray(closed_loop(act, ih, hh, ho)(grid), dtype=np.float64)
        loop_cycles = free_run_cycles(ih=ih, hh=hh, ho=ho, gain=params.gain,
                                      activation=params.activation, hidden_gain=params.gain)
    pending = None
    if stage_pending and cursor < session.n_ticks:
        x = int(bits[cursor])
        h_now = float(state.h)
        if len(history) > cursor:
            h_next = float(history["h"][cursor])
        else:
            h_next = float(act(hh * h_now + ih * x))
        pending = (h_now, h_next, x)
    return PhaseView(low, high, ih, hh, grid, maps, fixed, xs, ys, inputs, current, cycles, pending,
                     loop, loop_cycles)
