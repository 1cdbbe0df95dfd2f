"""Faults found reviewing the issue 12 change, each with the test that showed it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from rnnviz.io import sessionfile
from rnnviz.session import Session
from test_ui_files import open_files_window


def test_a_quit_cancelled_at_the_unsaved_question_stays_in_presentation_mode(qtbot, tmp_path) -> None:
    # A stray Ctrl+Q in front of an audience, answered Cancel, must leave the
    # lecture as it was: the window stays in presentation mode, its layout too.
    path = tmp_path / "lesson3.rnnviz.json"
    sessionfile.save(path, Session("1^10 0^10"))
    window, controller, dialogs = open_files_window(qtbot, settings=QSettings())
    assert controller.open(path)
    window.adapter.set_params(eta=2.0)
    presentation = window.presentation
    presentation.set_active(True)
    assert presentation.active and window.menuBar().isHidden()
    dialogs.unsaved_answer = "cancel"
    assert not window.close()
    assert dialogs.questions == ["Quit"]
    assert presentation.active and window.menuBar().isHidden()
    assert window.status.parentWidget() is not window.statusBar()  # still on the canvas
    # Quitting for real still leaves presentation mode first, so the normal
    # layout is what is saved for next time.
    dialogs.unsaved_answer = "discard"
    assert window.close()
    assert not presentation.active
