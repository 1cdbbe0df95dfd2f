"""Faults found reviewing the issue 12 change, each with the test that showed it."""

from __future__ import annotations


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


def test_home_after_settings_changed_and_back_matches_the_lesson_again(qtbot) -> None:
    # η changed for a stretch and back: the stretch's ticks are not the
    # lesson's, so its captions are withheld. Home forgets those ticks; from
    # tick 0 the run is the lesson's own again and its captions are true.
    window, controller, _ = open_files_window(qtbot)
    controller.open_lesson(3)
    lesson, bar, adapter = controller.lessons[2], controller.lesson_bar, window.adapter
    adapter.step(3)
    adapter.set_params(eta=1.0)
    adapter.step(3)
    adapter.set_params(eta=5.0)
    assert "no longer matches" in bar.heading.text()
    adapter.reset()  # Home
    assert adapter.session.param_log == ((0, lesson.params),)
    assert "no longer matches" not in bar.heading.text()
    assert bar.caption.text() == lesson.caption_at(0).text


def test_a_presenter_caption_typed_in_full_is_one_a_session_file_reopens(qtbot, tmp_path):
    from rnnviz.io import sessionfile
    from rnnviz.session import Session
    from rnnviz.ui.adapter import SessionAdapter
    from rnnviz.ui.mainwindow import MainWindow

    window = MainWindow(SessionAdapter(Session("1^5")), settings=None, restore_settings=False)
    qtbot.addWidget(window)
    line = window.presentation.caption
    line.setText("a" * 40_000)  # a paste longer than any caption
    path = tmp_path / "talk.rnnviz.json"
    sessionfile.save(path, window.adapter.session, caption=line.text())
    assert sessionfile.load(path).caption == line.text()
    window.adapter.shutdown()
