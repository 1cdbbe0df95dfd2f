"""The presenter's caption line, as session files read and write it.

Presentation mode (:mod:`rnnviz.ui.presentation`) is installed after the
session files, if at all; a session file carries its caption line. These two
functions are the only place that looks for it on the window.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QWidget


def _caption_line(window: QWidget) -> QLineEdit | None:
    return getattr(getattr(window, "presentation", None), "caption", None)


def presenter_caption(window: QWidget) -> str | None:
    """The caption line's text, or None when it is empty or there is no presentation mode."""
    line = _caption_line(window)
    if line is None:
        return None
    return line.text().strip() or None


def set_presenter_caption(window: QWidget, text: str) -> None:
    """Put *text* in the caption line, if the window has one."""
    line = _caption_line(window)
    if line is not None:
        line.setText(text)
