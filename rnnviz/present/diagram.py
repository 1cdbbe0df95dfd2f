"""What the network diagram shows for one tick or one slow-motion stage, without Qt.

:func:`diagram_state` reads a session at its cursor (or the tick being taken
apart in slow motion) and returns a :class:`DiagramState`: the value and text
of each node, each weight with its label, change and width, the caption, the
next-bit guess, the error and what the stage highlights. The widget
(:class:`rnnviz.ui.diagram.NetworkDiagram`) turns values into colours and
lays out and paints the texts; it decides nothing about *what* is shown.

Which tick is shown
-------------------
After ``c > 0`` ticks the diagram shows tick ``c − 1`` as the history stored
it: its input and target, the ``h`` and ``ŷ`` it computed, the error and the
weights *after* its update with the changes it made. A change is the
difference of the stored weights, ``w_after − w_before`` (``w_before`` the
previous tick's weight, or the initial one), as the +/− notation counts it: a
computed change too small to move the float (η = 1000 saturates the output
and gives Δho ≈ 3.6e−25 on a weight near 1000) shows as 0 and does not glow.
Before any tick (``c = 0``) it previews tick 0: the first bit, its target,
and what the untrained network would answer, with the initial weights and no
changes.

Slow motion
-----------
At a :class:`~rnnviz.present.stages.Stage` of a tick, the diagram shows that
tick (the one the next step does) as far as it has got: values not computed
yet read "?", the weights keep their pre-tick values until the update (except
``ho`` in the sequential rule, which really does move first), each change
appears in its own stage, and the nodes, edges and labels the stage works on
are listed in :attr:`DiagramState.highlight`. At the update stage the session
has stepped and the diagram shows the finished tick as usual, its three
weights highlighted.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from rnnviz.engine.explain import TickExplanation, explain_session
from rnnviz.engine.learner import state_after
from rnnviz.engine.notation import MINUS
from rnnviz.present.format import fixed, format_number, guess_text, plain
from rnnviz.present.stages import GRAD_STAGES, STAGE_TITLES, Stage
from rnnviz.session import Session

#: The nodes, left to right: input, hidden, output and the target beside it.
NODES: Final[tuple[str, ...]] = ("x", "h", "yhat", "target")
#: The edges (the weights), in the order of the learner's parameters.
EDGES: Final[tuple[str, ...]] = ("ih", "hh", "ho")
#: What is written under each node: its role and its symbol.
NODE_NAMES: Final[Mapping[str, str]] = MappingProxyType({
    "x": "input x", "h": "hidden h", "yhat": "output ŷ", "target": "target y",
})
#: The legend under the network, in reading order: (kind, text, lead, joined).
#: The lead is written in bold before the sample; a joined entry stays on the
#: row of the one before it ("w > 0" and "w < 0" read as one entry).
LEGEND_ENTRIES: Final[tuple[tuple[str, str, str, bool], ...]] = (
    ("bar", "", "activation", False),
    ("positive", "w > 0", "edges", False),
    ("negative", "w < 0", "", True),
    ("width", "width ∝ |w|", "", False),
    ("glow", "glow: sign of the last change", "", False),
)
#: What each stage highlights: node names, edge names and "error".
STAGE_HIGHLIGHTS: Final[Mapping[Stage, frozenset[str]]] = MappingProxyType({
    Stage.FORWARD_H: frozenset({"x", "h", "ih", "hh"}),
    Stage.FORWARD_Y: frozenset({"h", "yhat", "ho"}),
    Stage.ERROR: frozenset({"yhat", "target", "error"}),
    Stage.GRAD_HO: frozenset({"ho"}),
    Stage.GRAD_IH: frozenset({"ih"}),
    Stage.GRAD_HH: frozenset({"hh"}),
    Stage.UPDATE: frozenset({"ih", "hh", "ho"}),
})
#: Edge width is 1.5 + 3·|w| units, up to this: a weight of 1e6 must not
#: turn an edge into a wall (the widget multiplies units by its stroke scale).
MAX_EDGE_WIDTH: Final[float] = 12.0


@dataclass(frozen=True, slots=True)
class NodeState:
    """One node as shown.

    Attributes
    ----------
    value
        The number that colours the node on the activation map; ``None``
        when there is none (the target of a one-bit stream, ŷ before its
        stage), and the node is left white.
    text
        What is written inside: ``"1"``, ``"0.731"``, ``"?"``, ``"none"``.
    """

    value: float | None
    text: str


@dataclass(frozen=True, slots=True)
class EdgeState:
    """One weight as shown.

    Attributes
    ----------
    value
        The weight; its sign gives the edge its colour.
    label
        ``"ho = 1.98"``.
    delta
        The change the shown tick made to the stored weight; ``None`` where
        no change is shown (before tick 1, or a stage before the change).
    delta_text
        ``"Δ +0.120"``, or empty when *delta* is ``None``.
    width_units
        ``1.5 + 3·|w|``, at most :data:`MAX_EDGE_WIDTH`, before the widget's
        stroke scale.
    """

    value: float
    label: str
    delta: float | None
    delta_text: str
    width_units: float


@dataclass(frozen=True, slots=True)
class DiagramState:
    """Everything the diagram paints that is not geometry or a colour object.

    Attributes
    ----------
    nodes
        :class:`NodeState` by name (:data:`NODES`).
    edges
        :class:`EdgeState` by name (:data:`EDGES`).
    caption
        Which tick is shown, e.g. ``"tick 3 of 19: input x = 1, target y = 1"``;
        in slow motion a second line names the stage.
    next_bit
        At the end of the stream, the guess for the next unknown bit; else empty.
    error
        ``y − ŷ`` (its sign colours the error text); ``None`` without a
        target or before the error stage.
    error_text
        ``"e = y − ŷ = +0.130"``, or empty when *error* is ``None``.
    low, high
        The range of the activation, which the node colour map spans.
    highlight
        What the slow-motion stage shown works on: node and edge names and
        ``"error"``; empty outside slow motion.
    """

    nodes: Mapping[str, NodeState]
    edges: Mapping[str, EdgeState]
    caption: str
    next_bit: str
    error: float | None
    error_text: str
    low: float
    high: float
    highlight: frozenset[str] = frozenset()

    @property
    def changed(self) -> bool:
        """Whether the shown tick moved any weight (what makes the diagram glow)."""
        return any(edge.delta for edge in self.edges.values())


def diagram_state(session: Session, stage: Stage | None = None,
                  stage_tick: int | None = None) -> DiagramState:
    """What the diagram shows of *session* at its cursor, or at a slow-motion stage.

    Parameters
    ----------
    session
        The run shown; only read.
    stage
        The slow-motion stage shown, or ``None`` for the whole tick.
    stage_tick
        The tick taken apart (the one the next step does); needed with any
        stage but :attr:`Stage.UPDATE`, at which the session has already
        stepped.

    Returns
    -------
    DiagramState
        The values and texts to paint.
    """
    if stage is not None and stage != Stage.UPDATE:
        if stage_tick is None:
            raise ValueError(f"stage {stage.name} needs the tick it takes apart")
        return _stage_state(session, stage, stage_tick)
    state = _tick_state(session)
    if stage == Stage.UPDATE:
        return dataclasses.replace(
            state,
            caption=state.caption + f"\nstage {stage + 1} of {len(Stage)}: update, weights change",
            highlight=STAGE_HIGHLIGHTS[stage],
        )
    return state


def scale_ticks(low: float, high: float) -> tuple[str, str, str]:
    """The labels under the legend's activation bar: its two ends and its middle."""
    return plain(low), plain((low + high) / 2), plain(high)


def stage_weights(tick: TickExplanation, stage: Stage) -> list[float]:
    """The weights shown at a slow-motion *stage* of the explained *tick* (ih, hh, ho).

    The tick is not done yet, so they are the weights before it, except ``ho``
    in the sequential rule, which really moves at its own stage. The one rule
    for the diagram and the plots' side boxes
    (:func:`rnnviz.present.series.weights_shown`).
    """
    sequential = tick.rule == "sequential"
    weights = []
    for name in EDGES:
        update = tick.updates[name]
        moved = stage >= GRAD_STAGES[name] and name == "ho" and sequential
        weights.append(update.after if moved else update.before)
    return weights


def _stage_state(session: Session, stage: Stage, t: int) -> DiagramState:
    """Tick *t* computed as far as *stage*."""
    tick = explain_session(session, t)
    sequential = tick.rule == "sequential"
    yhat = tick.forward.yhat if stage >= Stage.FORWARD_Y else None
    error = tick.err if stage >= Stage.ERROR else None
    weights = stage_weights(tick, stage)
    deltas: list[float | None] = []
    for name in EDGES:
        update = tick.updates[name]
        # As in the whole-tick view: the change the stored weight shows.
        deltas.append(update.after - update.before if stage >= GRAD_STAGES[name] else None)
    title = STAGE_TITLES[stage]
    if stage == Stage.GRAD_HO and sequential:
        title += ", and ho moves at once"
    elif stage in (Stage.GRAD_IH, Stage.GRAD_HH) and sequential:
        title += " (with the new ho)"
    caption = (
        f"tick {t + 1:,} of {session.n_ticks:,}: input x = {tick.forward.x}, "
        f"target y = {tick.target}\nstage {stage + 1} of {len(Stage)}: {title}"
    )
    return _make_state(
        session, x=tick.forward.x, target=tick.target, h=tick.forward.h, yhat=yhat,
        error=error, weights=weights, deltas=deltas, caption=caption, next_bit="",
        highlight=STAGE_HIGHLIGHTS[stage],
    )


def _tick_state(session: Session) -> DiagramState:
    """The tick the cursor stands after, or the preview of tick 0."""
    params = session.params
    n_ticks = session.n_ticks
    tick = session.current_tick()
    deltas: list[float | None] | None
    weights: Sequence[float]
    if tick is not None:
        x, target = int(tick.x), int(tick.target)
        h, yhat, error = tick.h, tick.yhat, tick.err
        weights = (tick.ih, tick.hh, tick.ho)
        before = state_after(session.history, tick.t, params)[:3]
        # A change too small to move the stored float is 0, as in the notation.
        deltas = [after - earlier for after, earlier in zip(weights, before)]
        caption = f"tick {tick.t + 1:,} of {n_ticks:,}: input x = {x}, target y = {target}"
    else:
        # Before the first tick: what tick 0 will see and what the
        # untrained network answers, nothing learned yet.
        prediction = session.prediction()
        x = int(session.bits[0])
        target = int(session.bits[1]) if n_ticks >= 1 else None
        h, yhat = prediction.h, prediction.yhat
        error = None if target is None else target - yhat
        weights = params.init
        deltas = None
        if target is None:
            caption = f"a one-bit stream has no tick: input x = {x}, y: none"
        else:
            caption = (
                f"before tick 1 of {n_ticks:,} (nothing learned yet): "
                f"input x = {x}, target y = {target}"
            )
    next_bit = ""
    if session.at_end and n_ticks >= 1:
        next_bit = f"next bit (unknown): {guess_text(*session.guess())}"
    return _make_state(
        session, x=x, target=target, h=h, yhat=yhat, error=error, weights=weights,
        deltas=deltas, caption=caption, next_bit=next_bit,
    )


def _make_state(
    session: Session, *, x: int, target: int | None, h: float, yhat: float | None,
    error: float | None, weights: Sequence[float], deltas: Sequence[float | None] | None,
    caption: str, next_bit: str, highlight: frozenset[str] = frozenset(),
) -> DiagramState:
    low, high = session.params.act.range
    nodes = {
        "x": NodeState(float(x), str(x)),
        "h": NodeState(h, fixed(h)),
        "yhat": NodeState(yhat, "?" if yhat is None else fixed(yhat)),
        "target": NodeState(None if target is None else float(target),
                            "none" if target is None else str(target)),
    }
    edges = {}
    for index, name in enumerate(EDGES):
        weight = float(weights[index])
        change = None if deltas is None else deltas[index]
        delta = None if change is None else float(change)
        delta_text = "" if delta is None else f"Δ {format_number(delta, signed=True)}"
        width = (min(1.5 + 3.0 * abs(weight), MAX_EDGE_WIDTH) if math.isfinite(weight)
                 else MAX_EDGE_WIDTH)
        edges[name] = EdgeState(weight, f"{name} = {format_number(weight)}", delta, delta_text,
                                width)
    error_text = "" if error is None else f"e = y {MINUS} ŷ = {fixed(error, signed=True)}"
    return DiagramState(MappingProxyType(nodes), MappingProxyType(edges), caption, next_bit,
                        error, error_text, low, high, highlight)
