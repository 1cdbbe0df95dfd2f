"""The lab's controls: preset, learning rate, truncation, clipping and the vanish/explode knob.

Every control asks the :class:`~rnnviz.ui.workspaces.elman.lab_adapter.LabAdapter`
for its change and shows the run's value back after every change; a value
the run refuses is said in one line (through *tell*) and the control shows
the value in use again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QSpinBox, QWidget

from rnnviz.engine.clipping import Clipping
from rnnviz.engine.errors import InputError
from rnnviz.runs.lab import LabSettings
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui.controls import NumberBox
from rnnviz.ui.runadapter import Change
from rnnviz.ui.workspaces.elman.lab_adapter import LabAdapter

#: The clipping choices: (label, kind or None for off).
CLIP_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("off", None), ("by value", "value"), ("by global norm", "norm"),
)


class LabControls(QWidget):
    """Preset, η, k, clipping and the spectral radius of W_hh (see the module docstring)."""

    #: The user picked another preset (its key); the workspace makes its run.
    presetChosen = Signal(str)
    #: "Side by side" was turned on or off: a twin run with the clipping flipped.
    compareToggled = Signal(bool)

    def __init__(self, adapter: LabAdapter, tell: Callable[[str], None]) -> None:
        super().__init__()
        self._adapter = adapter
        self._tell = tell
        self.preset = QComboBox()
        for key, preset in PRESETS.items():
            self.preset.addItem(preset.title, key)
            self.preset.setItemData(self.preset.count() - 1, preset.about, 3)  # ToolTipRole
        self.eta = NumberBox(1e-6, 100.0, 0.1, "η, the learning rate of every update from the cursor on")
        self.truncation = QSpinBox()
        self.truncation.setRange(0, 10_000)
        self.truncation.setSpecialValueText("full")
        self.truncation.setToolTip("truncated BPTT: δ flows back at most k steps (full: all the way)")
        self.clip_kind = QComboBox()
        for label, kind in CLIP_CHOICES:
            self.clip_kind.addItem(label, kind)
        self.clip_kind.setToolTip("clip each update's gradient: off, each component, or the global norm")
        self.threshold = NumberBox(1e-6, 1e6, 0.5, "the clipping threshold")
        self.threshold.setValue(1.0)
        self.radius = NumberBox(1e-3, 100.0, 0.05,
                                "the spectral radius of W_hh: above 1 the gradient can explode, "
                                "below 1 it fades; typing a value scales W_hh at the cursor")
        self.radius.setKeyboardTracking(False)

        form = QFormLayout(self)
        form.setContentsMargins(4, 2, 4, 2)
        form.addRow("preset", self.preset)
        form.addRow("η (learning rate)", self.eta)
        form.addRow("truncation k", self.truncation)
        clip_row = QHBoxLayout()
        clip_row.addWidget(self.clip_kind, 1)
        clip_row.addWidget(QLabel("at"))
        clip_row.addWidget(self.threshold, 1)
        form.addRow("clipping", clip_row)
        form.addRow("ρ(W_hh)", self.radius)
        self.compare = QCheckBox("side by side: a twin from update 0 with the clipping flipped")
        self.compare.setToolTip("train a twin from update 0 on the same preset, seed and data, "
                                "with clipping off if it is on here and on (at the threshold) if off; "
                                "its loss and gradient flow are drawn dashed")
        form.addRow(self.compare)
        #: What the twin is, exactly, while there is one (its settings, not this run's).
        self.twin_label = QLabel()
        self.twin_label.setObjectName("labTwin")
        self.twin_label.setWordWrap(True)
        self.twin_label.hide()
        form.addRow(self.twin_label)
        self.compare.toggled.connect(self.compareToggled.emit)

        self.preset.activated.connect(lambda i: self.presetChosen.emit(self.preset.itemData(i)))
        self.eta.valueChanged.connect(lambda _v: self._apply_settings())
        self.truncation.valueChanged.connect(lambda _v: self._apply_settings())
        self.clip_kind.activated.connect(lambda _i: self._apply_settings())
        self.threshold.valueChanged.connect(lambda _v: self._apply_settings())
        self.radius.valueChanged.connect(self._apply_radius)
        adapter.changed.connect(self._show)
        self._show(int(Change.ALL))

    def show_twin(self, text: str | None) -> None:
        """Say what the twin is under the checkbox (None: there is no twin); the checkbox follows."""
        with QSignalBlocker(self.compare):
            self.compare.setChecked(text is not None)
        if text is None:
            self.twin_label.hide()
        else:
            if text != self.twin_label.text():
                self.twin_label.setText(text)
            self.twin_label.show()

    def settings_shown(self) -> LabSettings:
        """The settings the controls show now."""
        kind = self.clip_kind.currentData()
        clipping = None if kind is None else Clipping(kind=kind, threshold=self.threshold.value())
        window = self.truncation.value() or None
        return LabSettings(learning_rate=self.eta.value(), window=window, clipping=clipping)

    def _apply_settings(self) -> None:
        try:
            self._adapter.set_settings(self.settings_shown())
        except InputError as error:
            self._tell(f"Not used: {error}")
            self._show(int(Change.PARAMS))

    def _apply_radius(self, radius: float) -> None:
        if abs(radius - self._adapter.lab.spectral_radius()) <= 1e-12 * max(radius, 1.0):
            return
        try:
            self._adapter.scale_to_radius(radius)
        except InputError as error:
            self._tell(f"Not used: {error}")
            self._show(int(Change.PARAMS))

    def _show(self, _flags: int) -> None:
        run = self._adapter.lab
        settings = run.settings
        blockers = [QSignalBlocker(w) for w in (self.preset, self.eta, self.truncation, self.clip_kind,
                                                  self.threshold, self.radius)]
        index = self.preset.findData(self._adapter.preset_key)
        if index >= 0:
            self.preset.setCurrentIndex(index)
        self.eta.setValue(settings.learning_rate)
        self.truncation.setValue(settings.window or 0)
        kind = None if settings.clipping is None else settings.clipping.kind
        self.clip_kind.setCurrentIndex(0 if kind is None else max(self.clip_kind.findData(kind), 0))
        if settings.clipping is not None:
            self.threshold.setValue(settings.clipping.threshold)
        self.threshold.setEnabled(settings.clipping is not None)
        self.radius.setValue(run.spectral_radius())
        del blockers
