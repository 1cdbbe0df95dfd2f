"""The hello preset's panel: softmax bars at every step and text the network writes on its own.

The bars are :func:`~rnnviz.present.lab_hello.hello_view`'s: for each step of
"hell" (teacher forcing: the input is the true previous letter) one bar per
letter h, e, l, o with its probability written above, the target's bar in the
target colour; a step whose most probable letter is not the target has its
caption in the error colour. Above them, free-running generation: from "h",
each sampled letter is fed back, with a temperature (softmax of z/T) and a
seed, beside the greedy text (T → 0). For any other preset the panel says in
one line what it is for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rnnviz.present.format import fixed
from rnnviz.present.lab_hello import (
    MAX_TEMPERATURE,
    MIN_TEMPERATURE,
    NOT_HELLO,
    Generation,
    HelloView,
    generate,
    hello_view,
    is_hello,
)
from rnnviz.runs.lab import LabRun
from rnnviz.ui import theme
from rnnviz.ui.workspaces.elman.addition_panel import muted
from rnnviz.ui.workspaces.elman.lab_panel import LabPanel

__all__ = ["HelloPanel", "SoftmaxBars"]

#: Bar colours: the target letter's and the others'.
TARGET_BAR: Final[str] = theme.TARGET_HIGHLIGHT
OTHER_BAR: Final[str] = theme.INPUT_HIGHLIGHT
#: What the bars show, under them.
BARS_NOTE: Final[str] = "teacher forcing: each step reads the true previous letter · amber: the target"
#: Widest room per bar, in text lines (so the bars stay bars on a wide panel).
MAX_SLOT: Final[float] = 3.5
#: Largest seed the control offers.
MAX_SEED: Final[int] = 99_999


class SoftmaxBars(QWidget):
    """Paints a :class:`HelloView`: a group of bars per step."""

    def __init__(self) -> None:
        super().__init__()
        self.view: HelloView | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_view(self, view: HelloView | None) -> None:
        self.view = view
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(560, 170)

    def minimumSizeHint(self) -> QSize:
        height = QFontMetrics(self.font()).height()
        return QSize(4 * 4 * 24, 4 * height + 50)

    def group_rect(self, step: int) -> QRectF:
        """The part of the widget step *step*'s bars and captions take."""
        steps = self.view.steps if self.view is not None else 4
        width = self.width() / steps
        return QRectF(step * width, 0, width, self.height())

    def bar_rect(self, step: int, letter: int) -> QRectF:
        """Bar *letter* of step *step*, at its probability's height."""
        assert self.view is not None
        group = self.group_rect(step)
        line = QFontMetrics(self.font()).height()
        top, bottom = group.top() + 2 * line + 4, group.bottom() - line - 2
        size = len(self.view.vocabulary)
        slot = min((group.width() - 16) / size, MAX_SLOT * line)
        left = group.center().x() - size * slot / 2
        height = (bottom - top) * float(np.nan_to_num(self.view.probabilities[step, letter]))
        return QRectF(left + letter * slot + 2, bottom - height, slot - 4, height)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        view = self.view
        if view is None:
            painter.end()
            return
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        small = QFont(self.font())
        small.setPixelSize(max(7, int(line * 0.72)))
        centre = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom
        for step in range(view.steps):
            group = self.group_rect(step)
            wrong = view.predicted[step] != view.targets[step]
            painter.setFont(self.font())
            painter.setPen(QColor(theme.ERROR_TEXT if wrong else theme.INK))
            caption = f"{view.inputs[step]} → {view.targets[step]}  (says {view.predicted[step]})"
            painter.drawText(QRectF(group.left(), 0, group.width(), line), Qt.AlignmentFlag.AlignCenter,
                             metrics.elidedText(caption, Qt.TextElideMode.ElideRight, int(group.width()) - 4))
            bottom = group.bottom() - line - 2
            painter.setPen(QPen(QColor(theme.ZERO_LINE), 1))
            first, last = self.bar_rect(step, 0), self.bar_rect(step, len(view.vocabulary) - 1)
            painter.drawLine(int(first.left() - 4), int(bottom), int(last.right() + 4), int(bottom))
            for letter, name in enumerate(view.vocabulary):
                rect = self.bar_rect(step, letter)
                target = name == view.targets[step]
                painter.fillRect(rect, QColor(TARGET_BAR if target else OTHER_BAR))
                painter.setFont(small)
                painter.setPen(QColor(theme.MUTED))
                label = QRectF(rect.left() - 6, rect.top() - line, rect.width() + 12, line)
                painter.drawText(label, centre, fixed(float(view.probabilities[step, letter]), 2))
                painter.setFont(self.font())
                painter.setPen(QColor(theme.INK))
                painter.drawText(QRectF(rect.left(), bottom + 1, rect.width(), line),
                                 Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, name)
        painter.end()


class HelloPanel(LabPanel):
    """The hello preset's softmax at every step and its free-running text."""

    def __init__(self, tell: Callable[[str], None]) -> None:
        super().__init__()
        self._tell = tell
        self._run: LabRun | None = None
        self.view: HelloView | None = None
        self.generation: Generation | None = None
        self.temperature = QDoubleSpinBox()
        self.temperature.setObjectName("helloTemperature")
        self.temperature.setRange(MIN_TEMPERATURE, MAX_TEMPERATURE)
        self.temperature.setSingleStep(0.1)
        self.temperature.setDecimals(2)
        self.temperature.setValue(1.0)
        self.temperature.setToolTip("Temperature T: the letters are drawn from softmax(z/T); "
                                    "small T picks the most probable, large T any letter.")
        self.seed = QSpinBox()
        self.seed.setObjectName("helloSeed")
        self.seed.setRange(0, MAX_SEED)
        self.seed.setToolTip("Seed of the draws: the same seed and weights write the same text.")
        self.sampled = QLabel()
        self.greedy = QLabel()
        for label in (self.sampled, self.greedy):
            label.setTextFormat(Qt.TextFormat.RichText)
        self.note = QLabel(NOT_HELLO)
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        muted(self.note)
        self.bars = SoftmaxBars()
        self.bars_note = QLabel(BARS_NOTE)
        muted(self.bars_note)
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        self.free_label = QLabel("Free-running from h:  T")
        self.seed_label = QLabel("seed")
        for widget in (self.free_label, self.temperature, self.seed_label, self.seed):
            controls.addWidget(widget)
        controls.addStretch(1)
        texts = QHBoxLayout()
        texts.setContentsMargins(0, 0, 0, 0)
        texts.addWidget(self.sampled)
        texts.addSpacing(16)
        texts.addWidget(self.greedy)
        texts.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addLayout(controls)
        layout.addLayout(texts)
        layout.addWidget(self.note)
        layout.addWidget(self.bars, 1)
        layout.addWidget(self.bars_note)
        self.temperature.valueChanged.connect(self._regenerate)
        self.seed.valueChanged.connect(self._regenerate)
        self._set_available(False)

    def _set_available(self, available: bool) -> None:
        for widget in (self.free_label, self.temperature, self.seed_label, self.seed, self.sampled,
                       self.greedy, self.bars, self.bars_note):
            widget.setVisible(available)
        self.note.setVisible(not available)

    def _show(self, run: LabRun, example_index: int) -> None:
        self._run = run
        if not is_hello(run.network):
            self.view = self.generation = None
            self.bars.set_view(None)
            self._set_available(False)
            return
        self._set_available(True)
        inputs, targets, _ = run.source.example(example_index)
        self.view = hello_view(run.network, inputs, targets)
        self.bars.set_view(self.view)
        self._regenerate()

    def _regenerate(self, *_: object) -> None:
        if self._run is None or self.view is None:
            return
        self.generation = generate(self._run.network, temperature=self.temperature.value(),
                                   seed=self.seed.value())
        temperature = fixed(self.generation.temperature, 2)
        self.sampled.setText(f"sampled (T = {temperature}, seed {self.generation.seed}): "
                             f"<b><tt>{self.generation.sampled}</tt></b>")
        self.greedy.setText(f"greedy (T → 0): <b><tt>{self.generation.greedy}</tt></b>")

    def set_temperature(self, value: float) -> None:
        """Set the temperature control (clamped to its range), as a user would."""
        self.temperature.setValue(float(np.clip(value, MIN_TEMPERATURE, MAX_TEMPERATURE)))
