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


def test_a_work_folder_naming_an_impossible_process_does_not_stop_a_recording(tmp_path) -> None:
    # A hidden work folder whose process id is larger than any (a crafted or
    # garbled name) made VideoWriter fail with OverflowError from os.kill,
    # an "internal error" for rnnviz record. It cannot belong to a running
    # process, so it is stale like any other.
    from rnnviz.io.video import PART_SUFFIX, VideoWriter, part_prefix

    host_prefix = part_prefix("talk.mp4").rsplit("-", 1)[0]  # ".talk.mp4.HOST"
    stale = tmp_path / f"{host_prefix}-{10**30}.abcdefgh{PART_SUFFIX}"
    stale.mkdir()
    writer = VideoWriter(f"{tmp_path}/frames/", (64, 48), 10)
    writer.cancel()
    assert not stale.exists()
    assert list(tmp_path.iterdir()) == []
