"""The gated workspace's texts: its status line and the one line standing for its controls.

No Qt here: these are read from the run.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from rnnviz.engine.lstm import LSTMNetwork
from rnnviz.present.format import format_number
from rnnviz.present.lab_status import clipping_text, last_update_parts
from rnnviz.runs.lab import LabRun, LabSettings
from rnnviz.tasks.race_presets import held_out_rate

#: Between the parts of a line.
SEPARATOR: Final[str] = "   ·   "
#: The stages' names, by cell.
STAGE_NAMES: Final[dict[bool, tuple[str, ...]]] = {
    True: ("the gates", "the candidate", "the new cell state", "the new hidden state"),
    False: ("the gates", "the candidate", "the new hidden state"),
}

_held_out: dict[tuple[int, int, int, int], float] = {}


def summary_text(title: str, seed: int, settings: LabSettings) -> str:
    """The line shown instead of the controls in presentation mode."""
    return SEPARATOR.join([title, f"seed {seed}", f"η = {format_number(settings.learning_rate)}",
                           clipping_text(settings)])


def status_parts(run: LabRun, stage: int | None, stages: int, chosen: tuple[int, int]) -> list[str]:
    """Update n of N, the last update's loss and ‖g‖ (and what clipping made of it), the stage."""
    parts = [f"update {run.cursor:,} of {run.n_ticks:,}"]
    if stage is not None:
        names = STAGE_NAMES[isinstance(run.network, LSTMNetwork)]
        parts.append(f"unit {chosen[1]}, step {chosen[0]}: stage {stage + 1} of {stages} "
                     f"({names[stage]})")
    parts += last_update_parts(run)
    if run.diverged_at is not None:
        parts.append(f"diverged at update {run.diverged_at + 1:,}: showing the last finite state")
    return parts


def held_out_text(run: LabRun, seed: int) -> str:
    """``"held-out: 98 % recalled"``: the share of the memory task's 200 held-out sequences the
    network recalls now (about 15 ms; kept for the run's state, so asking again is free)."""
    key = (id(run), run.cursor, run.forgets, seed)
    rate = _held_out.get(key)
    if rate is None:
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                rate = held_out_rate(run, seed)
        except (AttributeError, ValueError):
            return ""
        if len(_held_out) > 64:
            _held_out.clear()
        _held_out[key] = rate
    if not math.isfinite(rate):
        return ""
    return f"held-out sequences recalled: {100 * rate:.1f} %"
