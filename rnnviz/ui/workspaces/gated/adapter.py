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
from PySide6.QtCore import Signal

from rnnviz.engine.errors import InputError
from rnnviz.engine.lstm import LSTMNetwork
from rnnviz.runs.lab import LabRun, LabSettings
from rnnviz.ui.runadapter import Change, RunAdapter

#: The stage value of "no stage": the arithmetic is shown whole.
NO_STAGE: Final[int] = -1


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


class GatedAdapter(RunAdapter):
    """The adapter of a gated :class:`LabRun` (see the module docstring)."""

    #: The arithmetic's stage changed: its number, or :data:`NO_STAGE`.
    stageChanged = Signal(int)

    WHAT = "the training"
    # An LSTM update of 31 steps costs about 0.2–0.4 ms: from 2,000 new updates on a move
    # is long work, in slices from 1,000 updates.
    BUSY = 2_000
    TICK = "update"
    FIRST = 1_000
    SMALLEST = 64

    def __init__(self, run: LabRun, parent=None, **kwargs) -> None:
        super().__init__(run, parent, **kwargs)
        self._stage: int | None = None
        self._staging = False
        self.preset_key = ""
        self.seed = 0

    @property
    def lab(self) -> LabRun:
        """The run shown (the views read it; only the adapter changes it)."""
        return self._run  # type: ignore[return-value]

    @property
    def stage(self) -> int | None:
        """The arithmetic's stage shown, or None when it is shown whole."""
        return self._stage

    # -- the cell's stages ---------------------------------------------------------
    def advance_stage(self) -> bool:
        """Show the next stage; the stage after the last one is the update. False at the end."""
        run = self.lab
        if run.at_end:
            self._set_stage(None)
            return False
        if self._stage is None:
            self._set_stage(0)
        elif self._stage + 1 < stage_count(run):
            self._set_stage(self._stage + 1)
        else:
            self._staging = True
            try:
                self._stage = None
                self._pending |= Change.STAGE
                self.step(1)
            finally:
                self._staging = False
            self.stageChanged.emit(NO_STAGE)
        return True

    def end_stages(self) -> None:
        """Show the arithmetic whole again (nothing is stepped)."""
        self._set_stage(None)

    def _set_stage(self, stage: int | None) -> None:
        if stage == self._stage:
            return
        self._stage = stage
        self._pending |= Change.STAGE
        self.stageChanged.emit(NO_STAGE if stage is None else stage)
        self._flush()

    def _other_change(self) -> None:
        if not self._staging:
            self.end_stages()

    def _after_move(self) -> None:
        if not self._staging:
            self.end_stages()

    def _end_notice(self) -> str:
        message = self.lab.divergence_message
        if message is not None:
            return f"{message[0].upper()}{message[1:]}. Go back and lower η or the knob, or turn clipping on"
        return super()._end_notice()

    # -- changes at the cursor --------------------------------------------------------
    def set_settings(self, settings: LabSettings) -> None:
        """Use *settings* from the cursor on (later updates are forgotten); InputError changes nothing."""
        if settings == self.lab.settings:
            return
        self.pause()
        self.lab.set_settings(settings)
        self._notify(Change.PARAMS)

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
