"""Small dialogs: generating a stream, and the keyboard reference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rnnviz.engine.errors import InputError
from rnnviz.engine.sequences import MAX_BITS, parse_sequence
from rnnviz.ui import theme


@dataclass(frozen=True)
class Generator:
    """One entry of the Generate menu: its title, what it makes and its fields."""

    key: str
    title: str
    about: str
    fields: tuple[str, ...]


#: The generators of the sequence language, as the Generate menu offers them.
GENERATORS: Final[tuple[Generator, ...]] = (
    Generator("streak", "Streak…", "the same bit again and again", ("n", "bit")),
    Generator("alt", "Alternating…", "1 0 1 0 … (or 0 1 0 1 …)", ("n", "start")),
    Generator("periodic", "Periodic pattern…", "a pattern repeated, e.g. 110 110 110", ("n", "pattern")),
    Generator("random", "Random (Bernoulli p)…", "each bit 1 with probability p, independently", ("n", "p", "seed")),
    Generator("markov", "Markov chain…", "the bit stays the same with probability 'stay'", ("n", "stay", "seed", "start")),
)


class GenerateDialog(QDialog):
    """Asks for a generator's settings and gives the sequence-language call that makes the stream.

    The call text (``random(100, 0.3, seed=7)``) is what the stream box then
    shows, so the learner sees how to write it by hand.
    """

    def __init__(self, generator: Generator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.generator = generator
        self.setWindowTitle(f"Generate: {generator.title.rstrip('…').lower()}")
        self.n = QSpinBox()
        self.n.setRange(2, MAX_BITS)
        self.n.setValue(40)
        self.n.setGroupSeparatorShown(True)
        self.n.setToolTip(f"how many bits (at most {MAX_BITS:,})")
        self.bit = QComboBox()
        self.bit.addItems(["1", "0"])
        self.start = QComboBox()
        self.start.addItems(["1", "0"])
        self.pattern = QLineEdit("110")
        self.pattern.setToolTip("the bits repeated, e.g. 110")
        self.p = QDoubleSpinBox()
        self.p.setRange(0.0, 1.0)
        self.p.setDecimals(3)
        self.p.setSingleStep(0.05)
        self.p.setValue(0.5)
        self.stay = QDoubleSpinBox()
        self.stay.setRange(0.0, 1.0)
        self.stay.setDecimals(3)
        self.stay.setSingleStep(0.05)
        self.stay.setValue(0.8)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(1)
        self.seed.setToolTip("the same seed always gives the same stream")
        self.message = QLabel()
        self.message.setStyleSheet(f"color: {theme.ERROR_TEXT};")
        self.message.setWordWrap(True)
        self.message.hide()

        about = QLabel(generator.about)
        about.setWordWrap(True)
        form = QFormLayout()
        labels = {"n": "length (bits)", "bit": "bit", "start": "first bit", "pattern": "pattern",
                  "p": "p (chance of a 1)", "stay": "stay probability", "seed": "seed"}
        for name in generator.fields:
            form.addRow(labels[name], getattr(self, name))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("x") * 46)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def call_text(self) -> str:
        """The sequence-language call for the current settings."""
        g, n = self.generator.key, self.n.value()
        if g == "streak":
            return f"streak({self.bit.currentText()}, {n})"
        if g == "alt":
            return f"alt({n}, start={self.start.currentText()})"
        if g == "periodic":
            return f"periodic({self.pattern.text().strip()}, {n})"
        if g == "random":
            return f"random({n}, {self.p.value():g}, seed={self.seed.value()})"
        return f"markov({n}, stay={self.stay.value():g}, seed={self.seed.value()}, start={self.start.currentText()})"

    def accept(self) -> None:
        # Validate here, in the dialog's own words, so the mistake is
        # corrected where it was made.
        problem = None
        if self.generator.key == "periodic":
            pattern = self.pattern.text().strip()
            bad = next((c for c in pattern if c not in "01"), None)
            if not pattern:
                problem = "Write a pattern of 0s and 1s, such as 110."
            elif bad is not None:
                problem = f"The pattern may hold only 0 and 1, not '{bad}'."
        if problem is None:
            try:
                parse_sequence(self.call_text())
            except InputError as error:
                problem = str(error)
        if problem is not None:
            self.message.setText(problem)
            self.message.show()
            return
        super().accept()


#: The keyboard reference shown by Help ▸ Keyboard shortcuts.
SHORTCUTS_HELP: Final[tuple[tuple[str, str], ...]] = (
    ("Space", "play / pause"),
    ("→ or .", "one tick forward (in the network lab: one training update)"),
    ("Shift+→", "the next stage: of the tick (slow motion), the lab's backward sweep, a gated cell's sums"),
    ("← or ,", "one tick back (the stored state; nothing is re-run)"),
    ("Home", "reset to tick 0"),
    ("End", "run to the end"),
    ("+ / −", "faster / slower"),
    ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo an edit of the stream"),
    ("Ctrl+O / Ctrl+S / Ctrl+Shift+S", "open / save / save as a session file"),
    ("Ctrl+R", "start / stop recording the window"),
    ("Ctrl+Shift+C", "copy the +/− notation"),
    ("Ctrl+0", "show the whole stream in the plots"),
    ("F9", "show / hide the equations"),
    ("F8", "show / hide the phase plot (h_t against h_t−1; one-neuron learner)"),
    ("F7", "show / hide the sweep over η (the stream learned once per η; click a mark to use its η)"),
    ("F11 / Esc", "presentation mode on / off"),
    ("F2", "type a caption (Enter or Esc gives the keys back)"),
    ("F1", "this list"),
    ("Ctrl+Q", "quit"),
    ("click a bit", "flip it"),
    ("0 / 1 on the tape", "insert at the caret (click under the bits to place it)"),
    ("Backspace / Delete", "remove the bit before / after the caret"),
    ("Ctrl+V on the tape", "paste a stream such as 1^10 0^10 at the caret"),
    ("Ctrl+→", "in a lesson of the lab, the gated cells or the race: the next caption"),
    ("double-click a weight", "in the network lab: type its value (Enter applies)"),
    ("click a plot", "go to that tick"),
    ("double-click a plot", "show the whole stream again"),
)


class ShortcutsDialog(QDialog):
    """A two-column table of the keys, readable on a projector."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = "".join(
            f"<tr><td style='padding:2px 14px 2px 0'><b>{key}</b></td><td>{what}</td></tr>"
            for key, what in SHORTCUTS_HELP
        )
        label = QLabel(f"<table>{rows}</table>")
        label.setTextFormat(Qt.TextFormat.RichText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(buttons)
