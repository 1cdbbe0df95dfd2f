"""The slow-motion stages of one one-neuron tick: what they are and what they are called.

A tick of the one-neuron learner can be shown in :class:`Stage` s, in the
order the tick computes them (docs/architecture.md, "Slow motion"). The
adapter in :mod:`rnnviz.ui.adapter` steps through them; the diagram, the
plots and the equation panel read the stage shown and name it with
:data:`STAGE_TITLES`. Nothing here needs Qt, so what a stage means can be
tested without a display.
"""

from __future__ import annotations

import enum
from typing import Final


class Stage(enum.IntEnum):
    """The stages of one tick in slow motion, in the order the tick computes them.

    In the sequential rule ``ho`` moves in :attr:`GRAD_HO`, before the ih and
    hh changes are taken with the new ``ho``; ih and hh move in :attr:`UPDATE`.
    In the simultaneous rule every weight moves in :attr:`UPDATE`.
    """

    #: ``o = hh·h_prev + ih·x``, ``h = f(o)``.
    FORWARD_H = 0
    #: ``ŷ = g(ho·h)``.
    FORWARD_Y = 1
    #: ``e = y − ŷ``.
    ERROR = 2
    #: ``Δho`` (and, sequential rule, ``ho`` updated at once).
    GRAD_HO = 3
    #: ``Δih``.
    GRAD_IH = 4
    #: ``Δhh``.
    GRAD_HH = 5
    #: The weights change; the session has stepped one tick.
    UPDATE = 6


#: What each stage is called in menus, captions and the equation panel.
STAGE_TITLES: Final[dict[Stage, str]] = {
    Stage.FORWARD_H: "forward x → h",
    Stage.FORWARD_Y: "forward h → ŷ",
    Stage.ERROR: "error",
    Stage.GRAD_HO: "change of ho",
    Stage.GRAD_IH: "change of ih",
    Stage.GRAD_HH: "change of hh",
    Stage.UPDATE: "update",
}
#: The stage at which each weight's change is worked out.
GRAD_STAGES: Final[dict[str, Stage]] = {"ho": Stage.GRAD_HO, "ih": Stage.GRAD_IH, "hh": Stage.GRAD_HH}
#: What a signal carrying a stage as an int carries when no stage is shown
#: (:attr:`~rnnviz.ui.adapter.SessionAdapter.stageChanged`).
NO_STAGE: Final[int] = -1
