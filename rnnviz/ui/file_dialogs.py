"""The questions the session-file commands ask, as plain functions of a parent window.

:class:`rnnviz.ui.files.SessionFiles` keeps each behind an attribute
(``choose_open_path``, ``ask_unsaved`` …) that tests replace, so no test ever
shows a modal dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from rnnviz.io import sessionfile

FILE_FILTER: Final[str] = "rnnviz sessions (*.rnnviz.json);;JSON files (*.json);;All files (*)"


def choose_open_path(parent: QWidget, folder: str) -> str | None:
    """The session file the user picks to open, starting in *folder*; None on Cancel."""
    path, _ = QFileDialog.getOpenFileName(parent, "Open a session", folder, FILE_FILTER)
    return path or None


def choose_save_path(parent: QWidget, suggestion: str) -> str | None:
    """The path the user picks to save to, starting at *suggestion*; None on Cancel."""
    path, _ = QFileDialog.getSaveFileName(parent, "Save the session", suggestion, FILE_FILTER)
    return path or None


def ask_unsaved(parent: QWidget, what: str, name: str) -> str:
    """Ask before *what* loses changes to *name*: ``"save"``, ``"discard"`` or ``"cancel"``."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(what)
    box.setText(f"The stream or the learning settings changed since {name} was last saved.")
    box.setInformativeText("Save the changes first? Discard loses them.")
    box.setStandardButtons(
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    )
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    return {
        QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard",
    }.get(QMessageBox.StandardButton(answer), "cancel")


def ask_restore(parent: QWidget, question: str) -> bool:
    """Ask *question* about restoring the autosaved session; True for Restore."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Restore the last session?")
    box.setText(question)
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore


def warn(parent: QWidget, message: str) -> None:
    """Show *message* in a warning box."""
    QMessageBox.warning(parent, "rnnviz", message)


def suggested_save_path(folder: str, path: Path | None, lesson_key: str | None) -> Path:
    """Save As's suggestion: the file's own name (or the lesson's, or ``session``) in *folder*."""
    if path is not None:
        name = path.name
    else:
        name = f"{lesson_key}{sessionfile.SUFFIX}" if lesson_key else f"session{sessionfile.SUFFIX}"
    return Path(folder) / name
