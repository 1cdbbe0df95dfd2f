"""The lab's extension of the shared run adapter: presets, settings, the knob and the backward sweep.

:class:`LabAdapter` is a :class:`~rnnviz.ui.runadapter.RunAdapter` whose run
is a :class:`~rnnviz.runs.lab.LabRun`: one tick is one training update on
one example. What it adds:

* the **backward sweep in stages** (Shift+→): stage 0 shows the error
  entering at the outputs of the example the next update learns from;
  stage *s* shows δ flowed back *s* steps; the stage after the last
  (δ at step 1) is the update itself, which steps the run one update. Any
  other change shows the example whole again, in the same emission;
* settings from the cursor on (η, truncation k, clipping), the W_hh knob,
  typed weights and a typed sequence (the worked example), each a change of
  the run at the cursor (later updates are forgotten; a sequence of another
  length starts the run again at update 0), refused in one line with
  nothing changed when invalid;
* a new preset, which replaces the run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Signal

from rnnviz.engine.errors import InputError
from rnnviz.present.lab import backward_stages
from rnnviz.runs.lab import LabRun, LabSettings
from rnnviz.tasks.worked_example import sequence_arrays
from rnnviz.ui.runadapter import Change, RunAdapter

#: The stage value of "no stage": the example is shown whole (forward).
NO_LAB_STAGE = -1


class LabAdapter(RunAdapter):
    """The shared adapter of a :class:`LabRun` (see the module docstring)."""

    #: The backward-sweep stage changed: its number, or :data:`NO_LAB_STAGE`.
    stageChanged = Signal(int)

    WHAT = "the training"
    # An update costs 50–250 µs (the one neuron's tick, well under one): from 2,000
    # new updates on (0.1–0.5 s) a move is long work, in slices from 1,000 updates.
    BUSY = 2_000
    TICK = "update"
    FIRST = 1_000
    SMALLEST = 64

    def __init__(self, run: LabRun, parent=None, **kwargs) -> None:
        super().__init__(run, parent, **kwargs)
        self._stage: int | None = None
        self._staging = False
        self.preset_key = ""

    @property
    def lab(self) -> LabRun:
        """The run shown (the views read it; only the adapter changes it)."""
        return self._run  # type: ignore[return-value]

    @property
    def stage(self) -> int | None:
        """The backward-sweep stage shown, or None when the example is shown whole."""
        return self._stage

    # -- the backward sweep --------------------------------------------------------
    def advance_stage(self) -> bool:
        """Show the next stage of the sweep; the stage after the last one is the update."""
        run = self.lab
        if run.at_end:
            self.end_stages()
            return False
        stages = backward_stages(run.source.steps)
        if self._stage is None:
            self._set_stage(0)
        elif self._stage + 1 < stages:
            self._set_stage(self._stage + 1)
        else:
            self._staging = True
            try:
                self._stage = None
                self._pending |= Change.STAGE
                self.step(1)
            finally:
                self._staging = False
            self.stageChanged.emit(NO_LAB_STAGE)
        return True

    def end_stages(self) -> None:
        """Show the example whole again (nothing is stepped)."""
        self._set_stage(None)

    def _set_stage(self, stage: int | None) -> None:
        if stage == self._stage:
            return
        self._stage = stage
        self._pending |= Change.STAGE
        self.stageChanged.emit(NO_LAB_STAGE if stage is None else stage)
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
            return (f"{message[0].upper()}{message[1:]}. Go back and lower η or ρ(W_hh), "
                    "or turn clipping on")
        return super()._end_notice()

    # -- changes at the cursor --------------------------------------------------------
    def set_settings(self, settings: LabSettings) -> None:
        """Use *settings* from the cursor on (later updates are forgotten); InputError changes nothing."""
        if settings == self.lab.settings:
            return
        self.pause()
        self.lab.set_settings(settings)
        self._notify(Change.PARAMS)

    def set_parameters(self, values: Mapping[str, object]) -> None:
        """Typed weights, at the cursor; InputError (one line) changes nothing."""
        self.pause()
        self.lab.set_parameters(values)
        self._notify(Change.PARAMS)

    def set_example(self, values: Sequence[float]) -> None:
        """A typed sequence x_1 … x_T (each value predicting the next), learnt from the cursor on.

        Of another length than the run's, the run starts again at update 0
        from the cursor's weights (:meth:`LabRun.set_example`); InputError (one
        line) changes nothing.
        """
        self.pause()
        self.lab.set_example(*sequence_arrays(values))
        self._notify(Change.PARAMS | Change.STREAM | Change.CURSOR)

    def scale_to_radius(self, radius: float) -> None:
        """The vanish/explode knob: scale W_hh at the cursor so its spectral radius is *radius*."""
        current = self.lab.spectral_radius()
        if not (math.isfinite(radius) and radius > 0):
            raise InputError(f"the spectral radius must be a number above 0, not {radius!r}")
        if current == 0:
            raise InputError("W_hh is all zeros: no scale gives it another spectral radius")
        self.pause()
        self.lab.scale_w_hh(radius / current)
        self._notify(Change.PARAMS)

    def load_preset(self, key: str, run: LabRun) -> None:
        """Show a new preset's run (its own tick 0)."""
        self.preset_key = key
        self.load(run)
