"""The gated cells' controls: preset, seed, learning rate, clipping and the recurrent-weight knob.

Every control asks the :class:`~rnnviz.ui.workspaces.gated.adapter.GatedAdapter`
for its change and shows the run's value back after every change; a value the
run refuses is said in one line (through *tell*) and the control shows the
value in use again. A preset or seed chosen is handed to the workspace
(:attr:`GatedControls.presetChosen`), which makes its run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from rnnviz.engine.clipping import Clipping
from rnnviz.engine.errors import InputError
from rnnviz.runs.lab import LabSettings
from rnnviz.tasks.gated_presets import GatedPreset
from rnnviz.ui.controls import NumberBox
from rnnviz.ui.runadapter import Change
from rnnviz.ui.workspaces.gated.adapter import GatedAdapter, recurrent_norm

#: The clipping choices: (label, kind or None for off).
CLIP_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("off", None), ("by value", "value"), ("by global norm", "norm"),
)
#: The largest seed the field offers (a session file may name any up to 2³² − 1).
MAX_SEED_FIELD: int = 2**31 - 1


class GatedControls(QWidget):
    """Preset, seed, η, clipping and ‖W_h‖ (see the module docstring)."""

    #: A preset (its key) and seed were chosen; the workspace makes the run.
    presetChosen = Signal(str, int)

    def __init__(self, adapter: GatedAdapter, presets: Mapping[str, GatedPreset],
                 tell: Callable[[str], None]) -> None:
        super().__init__()
        self._adapter = adapter
        self._tell = tell
        self.preset = QComboBox()
        for key, preset in presets.items():
            self.preset.addItem(preset.title, key)
            self.preset.setItemData(self.preset.count() - 1, preset.about, 3)  # ToolTipRole
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED_FIELD)
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip("the seed of the starting weights and of the sequences; "
                             "another seed starts the preset again at update 0")
        self.eta = NumberBox(1e-6, 100.0, 0.05, "η, the learning rate of every update from the cursor on")
        self.clip_kind = QComboBox()
        for label, kind in CLIP_CHOICES:
            self.clip_kind.addItem(label, kind)
        self.clip_kind.setToolTip("clip each update's gradient: off, each component, or the global norm")
        self.threshold = NumberBox(1e-6, 1e6, 0.5, "the clipping threshold")
        self.threshold.setValue(1.0)
        self.knob = NumberBox(1e-3, 1e4, 0.25,
                              "the largest singular value of every gate's recurrent weights W_h? stacked; "
                              "typing a value scales them all alike at the cursor (larger: the gates "
                              "follow the past more, and the gradient may explode)")
        form = QFormLayout(self)
        form.setContentsMargins(4, 2, 4, 2)
        form.addRow("preset", self.preset)
        form.addRow("seed", self.seed)
        form.addRow("η (learning rate)", self.eta)
        clip_row = QHBoxLayout()
        clip_row.addWidget(self.clip_kind, 1)
        clip_row.addWidget(QLabel("at"))
        clip_row.addWidget(self.threshold, 1)
        form.addRow("clipping", clip_row)
        form.addRow("‖W_h‖ (all gates)", self.knob)
        self.preset.activated.connect(
            lambda i: self.presetChosen.emit(self.preset.itemData(i), self.seed.value()))
        self.seed.valueChanged.connect(lambda seed: self.presetChosen.emit(self._adapter.preset_key, seed))
        self.eta.valueChanged.connect(lambda _v: self._apply_settings())
        self.clip_kind.activated.connect(lambda _i: self._apply_settings())
        self.threshold.valueChanged.connect(lambda _v: self._apply_settings())
        self.knob.valueChanged.connect(self._apply_knob)
        adapter.changed.connect(self._show)
        self._show(int(Change.ALL))

    def settings_shown(self) -> LabSettings:
        """The settings the controls show now (full BPTT: the memory task's)."""
        kind = self.clip_kind.currentData()
        clipping = None if kind is None else Clipping(kind=kind, threshold=self.threshold.value())
        return LabSettings(learning_rate=self.eta.value(), window=self._adapter.lab.settings.window,
                           clipping=clipping)

    def _apply_settings(self) -> None:
        try:
            self._adapter.set_settings(self.settings_shown())
        except InputError as error:
            self._tell(f"Not used: {error}")
            self._show(int(Change.PARAMS))

    def _apply_knob(self, norm: float) -> None:
        if abs(norm - recurrent_norm(self._adapter.lab)) <= 1e-12 * max(norm, 1.0):
            return
        try:
            self._adapter.scale_recurrent_to(norm)
        except InputError as error:
            self._tell(f"Not used: {error}")
            self._show(int(Change.PARAMS))

    def _show(self, _flags: int) -> None:
        run = self._adapter.lab
        settings = run.settings
        blockers = [QSignalBlocker(w) for w in (self.preset, self.seed, self.eta, self.clip_kind,
                                                  self.threshold, self.knob)]
        index = self.preset.findData(self._adapter.preset_key)
        if index >= 0:
            self.preset.setCurrentIndex(index)
        self.seed.setValue(min(self._adapter.seed, MAX_SEED_FIELD))
        self.eta.setValue(settings.learning_rate)
        kind = None if settings.clipping is None else settings.clipping.kind
        self.clip_kind.setCurrentIndex(0 if kind is None else max(self.clip_kind.findData(kind), 0))
        if settings.clipping is not None:
            self.threshold.setValue(settings.clipping.threshold)
        self.threshold.setEnabled(settings.clipping is not None)
        norm = recurrent_norm(run)
        self.knob.setEnabled(math.isfinite(norm))
        if math.isfinite(norm):
            self.knob.setValue(norm)
        del blockers
