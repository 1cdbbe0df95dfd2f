"""Controls: the learning parameters, the play speed and the stream's text.

Each control takes the adapter, changes the session only through it and
follows it back (a change made elsewhere — Restore defaults, a command-line
option, an undo — shows here too). Bad values are refused by the engine's
own validation; the message appears beside the control and nothing changes.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from rnnviz.engine.activations import ACTIVATIONS
from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import MAX_ETA, MAX_GAIN, MAX_START, RULES, LearnerParams
from rnnviz.engine.sequences import format_sequence, parse_sequence
from rnnviz.ui import theme
from rnnviz.present.format import speed_label
from rnnviz.session import SPEEDS
from rnnviz.ui.adapter import SessionAdapter

#: What each rule does, for the tooltip of the rule box.
from rnnviz.ui.runadapter import Change
RULE_HELP: Final[dict[str, str]] = {
    "sequential": "ho is updated first; ih and hh then use the new ho (the seed's published numbers)",
    "simultaneous": "all three changes from the weights before the tick (the true one-tick gradient)",
}
ACTIVATION_HELP: Final[dict[str, str]] = {
    "sigmoid": "σ(k·z), from 0 to 1",
    "tanh": "tanh(k·z), from −1 to 1",
    "bipolar": "2σ(k·z) − 1, from −1 to 1",
}
#: The longest stream text written back into the stream box; longer streams
#: are edited on the tape (a million bits of text would freeze a QLineEdit).
MAX_SHOWN_TEXT: Final[int] = 400


class NumberBox(QDoubleSpinBox):
    """A number field that applies on Enter, focus-out or the arrows (not per keystroke).

    Enter applies and Esc cancels the typing; both hand the keyboard back to
    the window, whose shortcuts (``,`` ``.`` ``-`` Space) the box needs for
    typing while it has focus.

    It accepts the engine's whole range and shows a value with up to
    :data:`SIGNIFICANT` significant digits and no padding (``5``, ``0.1234``,
    ``2.5e-07``), so what the learner runs with is what the box shows.
    """

    #: Digits shown; the value itself keeps full precision.
    SIGNIFICANT: Final[int] = 6

    def __init__(self, low: float, high: float, step: float, tip: str) -> None:
        super().__init__()
        self.setDecimals(15)  # QDoubleSpinBox rounds values to this many decimals
        self.setRange(low, high)
        self.setSingleStep(step)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.setToolTip(tip)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        # Spin boxes default to "Minimum" (never below their size hint); let
        # three weight boxes share a narrow panel instead.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Escape:
            # Put back the value in use, so that leaving the box applies nothing.
            self.lineEdit().setText(self.textFromValue(self.value()))
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
            self.window().setFocus(Qt.FocusReason.OtherFocusReason)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt API)
        return f"{value:.{self.SIGNIFICANT}g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt API)
        # The box shows the value rounded; reading that text back must not
        # round the value itself (5.123456789 would silently become 5.12346).
        if text == self.textFromValue(self.value()):
            return self.value()
        try:
            return float(text.replace("\u2212", "-").replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, position: int):  # noqa: D102 (Qt API)
        candidate = text.strip().replace("\u2212", "-").replace(",", ".")
        if candidate in ("", "-", "+", ".", "-.", "+.") or candidate.lower().endswith(("e", "e-", "e+")):
            return QValidator.State.Intermediate, text, position
        try:
            value = float(candidate)
        except ValueError:
            return QValidator.State.Invalid, text, position
        if not self.minimum() <= value <= self.maximum():
            return QValidator.State.Intermediate, text, position
        return QValidator.State.Acceptable, text, position

    def sizeHint(self):  # noqa: N802 (Qt API)
        # Wide enough for "-0.123457" but not for the 15 decimals set above.
        hint = super().sizeHint()
        hint.setWidth(self.fontMetrics().horizontalAdvance("-0.1234567") + 34)
        return hint

    def minimumSizeHint(self):  # noqa: N802 (Qt API)
        hint = super().minimumSizeHint()
        hint.setWidth(self.fontMetrics().horizontalAdvance("-0.123") + 30)
        return hint


class ParameterPanel(QWidget):
    """η, update rule, activation, gain, initial weights, h0 and learning on/off."""

    def __init__(self, adapter: SessionAdapter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._adapter = adapter
        self.eta = NumberBox(0.0, MAX_ETA, 0.5, "learning rate η ≥ 0 (the seed's experiments use 5)")
        self.rule = QComboBox()
        for name in RULES:
            self.rule.addItem(name, name)
            self.rule.setItemData(self.rule.count() - 1, RULE_HELP[name], Qt.ItemDataRole.ToolTipRole)
        self.rule.setToolTip("how the three weights are updated; applies from the next tick")
        self.activation = QComboBox()
        for name in ACTIVATIONS:
            self.activation.addItem(f"{name}  ({ACTIVATION_HELP[name]})", name)
        self.activation.setToolTip("the squashing function of both neurons")
        # The engine wants a gain above 0; the box's floor is the smallest
        # positive double it can hold, and the engine's message covers the rest.
        self.gain = NumberBox(1e-12, MAX_GAIN, 0.5, "gain k > 0: f(z) = base(k·z)")
        self.init = {
            name: NumberBox(-MAX_START, MAX_START, 0.1, f"{name} before the first tick")
            for name in ("ih", "hh", "ho")
        }
        self.h0 = NumberBox(-MAX_START, MAX_START, 0.1, "the hidden value before the first tick")
        self.learning = QCheckBox("learning")
        self.learning.setToolTip("when off, the network only predicts and the weights stay put")
        self.message = QLabel()
        self.message.setObjectName("parameterMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.ERROR_TEXT};")
        self.message.hide()

        weights = QHBoxLayout()
        weights.setSpacing(4)
        for name, box in self.init.items():
            label = QLabel(name)
            label.setBuddy(box)
            weights.addWidget(label)
            weights.addWidget(box, 1)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("η (learning rate)", self.eta)
        form.addRow("update rule", self.rule)
        form.addRow("activation", self.activation)
        form.addRow("gain k", self.gain)
        form.addRow("start weights", weights)
        row = QHBoxLayout()
        row.addWidget(self.h0, 1)
        row.addSpacing(12)
        row.addWidget(self.learning)
        form.addRow("start h (h0)", row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)

        self.eta.valueChanged.connect(lambda v: self._apply(eta=v))
        self.rule.currentIndexChanged.connect(lambda _: self._apply(rule=self.rule.currentData()))
        self.activation.currentIndexChanged.connect(
            lambda _: self._apply(activation=self.activation.currentData())
        )
        self.gain.valueChanged.connect(lambda v: self._apply(gain=v))
        for index, box in enumerate(self.init.values()):
            box.valueChanged.connect(lambda v, i=index: self._apply_init(i, v))
        self.h0.valueChanged.connect(lambda v: self._apply(h0=v))
        self.learning.toggled.connect(lambda on: self._apply(learning=on))
        adapter.changed.connect(self._on_changed)
        self._show(adapter.session.params)

    def _apply_init(self, index: int, value: float) -> None:
        # Only the weight that was edited changes; the others keep the
        # session's exact values, whatever the boxes display.
        init = list(self._adapter.session.params.init)
        init[index] = value
        self._apply(init=tuple(init))

    def _apply(self, **changes) -> None:
        try:
            self._adapter.set_params(**changes)
        except InputError as error:
            self.message.setText(str(error))
            self.message.show()
            self._show(self._adapter.session.params)  # put the refused value back
        else:
            self.message.hide()

    def _on_changed(self, flags: int) -> None:
        if flags & Change.PARAMS:
            self._show(self._adapter.session.params)

    def _show(self, params: LearnerParams) -> None:
        """Write *params* into the fields without sending them back."""
        boxes = [self.eta, self.rule, self.activation, self.gain, self.h0, self.learning,
                 *self.init.values()]
        blockers = [QSignalBlocker(box) for box in boxes]
        self.eta.setValue(params.eta)
        self.rule.setCurrentIndex(self.rule.findData(params.rule))
        self.activation.setCurrentIndex(self.activation.findData(params.activation))
        self.gain.setValue(params.gain)
        for box, value in zip(self.init.values(), params.init):
            box.setValue(value)
        self.h0.setValue(params.h0)
        self.learning.setChecked(params.learning)
        del blockers


class SpeedControl(QWidget):
    """A slider over the play speeds (1–60 ticks/s and "max") with its value written beside it."""

    def __init__(self, adapter: SessionAdapter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._adapter = adapter
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, len(SPEEDS) - 1)
        self.slider.setPageStep(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep ←/→ for stepping
        self.slider.setToolTip("play speed (keys + and −); max runs many ticks per frame")
        self.slider.setMinimumWidth(110)
        self.slider.setMaximumWidth(220)
        self.label = QLabel()
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("60 ticks/s "))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(QLabel("speed"))
        layout.addWidget(self.slider)
        layout.addWidget(self.label)
        layout.addStretch(1)
        self.slider.valueChanged.connect(lambda i: adapter.set_speed(SPEEDS[i]))
        adapter.speedChanged.connect(self._show)
        self._show(adapter.speed)

    def _show(self, speed: int) -> None:
        with QSignalBlocker(self.slider):
            self.slider.setValue(SPEEDS.index(speed))
        self.label.setText(speed_label(speed))


class StreamLine(QWidget):
    """The stream as text in the sequence language; Enter replaces the stream.

    An invalid text gets a message naming the character and its position and
    changes nothing. The box follows edits made on the tape while the text
    stays short enough to read.
    """

    #: The text was accepted and installed (for settings: the last stream).
    accepted = Signal(str)

    def __init__(self, adapter: SessionAdapter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._adapter = adapter
        self._described: tuple[tuple[str, int] | None, bool] = (None, False)
        self.edit = QLineEdit()
        self.edit.setObjectName("streamText")
        self.edit.setPlaceholderText("1^10 0^10   ·   (10)^10   ·   random(100, 0.5, seed=1)")
        self.edit.setToolTip(
            "The bit stream in the sequence language: 0 and 1, repeats such as 1^10 or (10)^5,\n"
            "generators streak(), alt(), periodic(), random(), markov().\n"
            "Press Enter to use it; Esc goes back to the stream in use."
        )
        self.message = QLabel()
        self.message.setObjectName("streamMessage")
        self.message.setStyleSheet(f"color: {theme.ERROR_TEXT};")
        self.message.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        label = QLabel("&stream")
        label.setBuddy(self.edit)
        layout.addWidget(label)
        layout.addWidget(self.edit, 3)
        layout.addWidget(self.message, 2)
        self.edit.returnPressed.connect(self.apply)
        self.edit.textEdited.connect(lambda _: self.message.hide())
        adapter.changed.connect(self._on_changed)
        self._show_stream()

    def set_text(self, text: str) -> None:
        """Show *text* for the current stream (e.g. the generator call that made it)."""
        self.edit.setText(text)
        self.edit.setCursorPosition(0)

    def apply(self) -> bool:
        """Replace the stream with the box's text; False (and a message) if it is invalid."""
        text = self.edit.text().strip()
        try:
            self._adapter.replace(text, "Replace stream")
        except InputError as error:
            self.message.setText(str(error))
            self.message.show()
            return False
        self.message.hide()
        self.set_text(text)
        self.accepted.emit(text)
        self.window().setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Escape:
            self._show_stream()
            self.message.hide()
            self.window().setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().keyPressEvent(event)

    def _on_changed(self, flags: int) -> None:
        if flags & Change.STREAM and not self.edit.hasFocus():
            self._show_stream()

    def _show_stream(self) -> None:
        if self.edit.text().strip() and self._describes_current(self.edit.text()):
            return  # keep the learner's own wording, e.g. a generator call
        bits = self._adapter.session.bits
        text = format_sequence(bits) if len(bits) <= 20 * MAX_SHOWN_TEXT else ""
        if text and len(text) <= MAX_SHOWN_TEXT:
            self.set_text(text)
        else:
            self.edit.clear()
            self.edit.setPlaceholderText(f"{len(bits):,} bits: edit them on the tape, or type a new stream")

    def text_for_current(self) -> str:
        """Text in the sequence language for the stream in use ("" if too long to write).

        The box's own text when it still describes the stream (so a generator
        call stays a call), else the compressed bits.
        """
        text = self.edit.text().strip()
        if text and self._describes_current(text):
            return text
        bits = self._adapter.session.bits
        return format_sequence(bits) if len(bits) <= 200_000 else ""

    def _describes_current(self, text: str) -> bool:
        # Asked twice per stream change (to show and to save); a generator
        # call can expand to millions of bits, so the answer is kept.
        key = (text, self._adapter.session.revision)
        if self._described[0] != key:
            try:
                bits = parse_sequence(text)
            except InputError:
                describes = False
            else:
                describes = bool(np.array_equal(bits, self._adapter.session.bits))
            self._described = (key, describes)
        return self._described[1]
