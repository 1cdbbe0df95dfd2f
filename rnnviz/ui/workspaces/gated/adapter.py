"""The gated cells' run adapter: presets, settings, the recurrent-weight knob and the cell's stages.

:class:`GatedAdapter` is a :class:`~rnnviz.ui.runadapter.RunAdapter` whose run
is a :class:`~rnnviz.runs.lab.LabRun` of an LSTM or GRU network: one tick is
one training update on one sequence. What it adds:

* **one cell's arithmetic in stages** (Shift+→): stage 0 shows the gates of the
  chosen unit at the chosen step of the sequence the next update learns from,
  then the candidate, the new cell state, the new hidden state
  (:func:`~rnnviz.present.gated.cell_arithmetic`'s stages); the stage after
  the last is the update itself, which steps the run one update. Any other
  change shows the arithmetic whole again, in the same emission;
* settings from the cursor on (η, clipping), the knob that scales every gate's
  recurrent weights, a new preset or seed: each a change of the run at the
  cursor, refused in one line with nothing changed when invalid.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from rnnviz.engine.errors import InputError
from rnnviz.engine.lstm import LSTMNetwork
from rnnviz.runs.lab import LabRun
from rnnviz.ui.runadapter import Change
from rnnviz.ui.staged_lab import NO_LAB_STAGE, StagedLabAdapter

#: The stage value of "no stage": the arithmetic is shown whole.
NO_STAGE: Final[int] = NO_LAB_STAGE


def stage_count(run: LabRun) -> int:
    """The stages of one cell's arithmetic: LSTM gates, candidate, c, h; GRU gates, candidate, h."""
    return 4 if isinstance(run.network, LSTMNetwork) else 3


def recurrent_norm(run: LabRun) -> float:
    """The largest singular value of every gate's recurrent weights stacked (what the knob sets)."""
    with np.errstate(over="ignore", invalid="ignore"):
        w_h = np.asarray(run.network.w_h, dtype=np.float64)
        if not np.isfinite(w_h).all():
            return math.inf
        return float(np.linalg.norm(w_h, 2))


class GatedAdapter(StagedLabAdapter):
    """The adapter of a gated :class:`LabRun` (see the module docstring)."""

    DIVERGED_HINT = "Go back and lower η or the knob, or turn clipping on"

    def __init__(self, run: LabRun, parent=None, **kwargs) -> None:
        super().__init__(run, parent, **kwargs)
        self.seed = 0

    def stage_total(self) -> int:
        """The cell's arithmetic's stages (:func:`stage_count`)."""
        return stage_count(self.lab)

    def scale_recurrent_to(self, norm: float) -> None:
        """The knob: scale every gate's recurrent weights at the cursor so :func:`recurrent_norm` is *norm*."""
        if isinstance(norm, bool) or not isinstance(norm, (int, float)) or not (math.isfinite(norm) and norm > 0):
            raise InputError(f"the recurrent weights' norm must be a number above 0, not {norm!r}")
        current = recurrent_norm(self.lab)
        if current == 0 or not math.isfinite(current):
            raise InputError("the recurrent weights are all zeros or not finite: no scale gives them that norm")
        self.pause()
        self.lab.scale_w_hh(norm / current)
        self._notify(Change.PARAMS)

    def load_preset(self, key: str, run: LabRun, seed: int = 0) -> None:
        """Show a new preset's run (its own tick 0, or its cursor when replayed)."""
        self.preset_key = key
        self.seed = seed
        self.load(run)
