"""The caption bar of the network lab's, the gated cells' and the race's lessons.

A pale strip above a workspace: the lesson's heading in bold, its caption for
what is on screen (word-wrapped plain text) and *Close*, which emits
:attr:`CaptionBar.closeRequested` and leaves the run as it is. Hidden until a
lesson opens. Each kind's lessons put one above their views (kinds never
import one another, so the bar lives here); the one-neuron window's bar is
:class:`rnnviz.ui.lessonbar.LessonBar`, which also follows its session.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rnnviz.ui import theme


class CaptionBar(QFrame):
    """A strip above a workspace: which lesson, its caption for what is on screen, Close.

    *name* prefixes the object names (``name + "Bar"``, ``"Heading"``, ``"Caption"``), which
    style sheets and tests find it by.
    """

    closeRequested = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            f"#{name}Bar {{ background: #fff6e0; border: 1px solid #e0c890; border-radius: 3px; }}")
        self.heading = QLabel()
        self.heading.setObjectName(f"{name}Heading")
        self.caption = QLabel()
        self.caption.setObjectName(f"{name}Caption")
        self.caption.setWordWrap(True)
        for label in (self.heading, self.caption):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.close_button = QToolButton()
        self.close_button.setText("Close")
        self.close_button.setToolTip("close the lesson (the run stays as it is)")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.closeRequested)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.heading, 1)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 3, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.caption)
        self.set_font_scale(1.0)
        self.hide()

    def set_font_scale(self, scale: float) -> None:
        """Presentation mode's text size, *scale* times the window's (the heading bold)."""
        base = self.font()
        heading = theme.scaled_font(base, scale)
        heading.setBold(True)
        self.heading.setFont(heading)
        self.caption.setFont(theme.scaled_font(base, scale))

    def show_text(self, heading: str, caption: str) -> None:
        """Show *heading* and *caption*."""
        self.heading.setText(heading)
        self.caption.setText(caption)
