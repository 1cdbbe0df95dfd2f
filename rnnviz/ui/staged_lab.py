"""What the network lab's and the gated cells' adapters share: a :class:`LabRun` stepped
update by update, taken apart in stages, with settings changed at the cursor.

:class:`StagedLabAdapter` is a :class:`~rnnviz.ui.runadapter.RunAdapter` whose
run is a :class:`~rnnviz.runs.lab.LabRun`: one tick is one training update.
Shift+→ (:meth:`~StagedLabAdapter.advance_stage`) shows the next update in
stages — the lab's backward sweep, a gated cell's arithmetic — and the stage
after the last is the update itself, which steps the run one update; any
other change shows the update whole again, in the same emission. A kind
says how many stages an update has (:meth:`~StagedLabAdapter.stage_total`)
and what to try when a run diverges (:attr:`~StagedLabAdapter.DIVERGED_HINT`).
Each kind's package subclasses it (``workspaces/elman/lab_adapter.py``,
``workspaces/gated/adapter.py``): kinds never import one another.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Signal

from rnnviz.runs.lab import LabRun, LabSettings
from rnnviz.ui.runadapter import Change, RunAdapter

#: The stage value of "no stage": the update is shown whole.
NO_LAB_STAGE: Final[int] = -1


class StagedLabAdapter(RunAdapter):
    """The shared adapter of a :class:`LabRun` taken apart in stages (see the module docstring)."""

    #: The stage changed: its number, or :data:`NO_LAB_STAGE`.
    stageChanged = Signal(int)

    WHAT = "the training"
    # An update costs 50–400 µs (the one neuron's tick, well under one): from 2,000
    # new updates on (0.1–0.8 s) a move is long work, in slices from 1,000 updates.
    BUSY = 2_000
    TICK = "update"
    FIRST = 1_000
    SMALLEST = 64
    #: The end of the sentence that says the run diverged: what to change.
    DIVERGED_HINT = "Go back and lower η, or turn clipping on"

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
        """The stage shown, or None when the update is shown whole."""
        return self._stage

    def stage_total(self) -> int:
        """How many stages the next update is shown in (the kind's own)."""
        raise NotImplementedError

    # -- the stages ----------------------------------------------------------------
    def advance_stage(self) -> bool:
        """Show the next stage; the stage after the last one is the update. False at the end."""
        run = self.lab
        if run.at_end:
            self.end_stages()
            return False
        if self._stage is None:
            self._set_stage(0)
        elif self._stage + 1 < self.stage_total():
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
        """Show the update whole again (nothing is stepped)."""
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
            return f"{message[0].upper()}{message[1:]}. {self.DIVERGED_HINT}"
        return super()._end_notice()

    # -- changes at the cursor --------------------------------------------------------
    def set_settings(self, settings: LabSettings) -> None:
        """Use *settings* from the cursor on (later updates are forgotten); InputError changes nothing."""
        if settings == self.lab.settings:
            return
        self.pause()
        self.lab.set_settings(settings)
        self._notify(Change.PARAMS)
