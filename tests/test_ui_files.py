"""File ▸ Open/Save/Recent, autosave and recovery, and the Lessons menu, as a user drives them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication

from rnnviz.engine.learner import LearnerParams
from rnnviz.io import sessionfile
from rnnviz.io.lessons import load_lessons
from rnnviz.resources import lessons_dir
from rnnviz.session import Session
from rnnviz.ui import files, folders
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.mainwindow import MainWindow


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "rnnviz-data"
    monkeypatch.setenv("RNNVIZ_DATA_DIR", str(folder))
    return folder


class Dialogs:
    """Stands in for every dialog: records what was asked and answers as told."""

    def __init__(self, controller: files.SessionFiles) -> None:
        self.warnings: list[str] = []
        self.questions: list[str] = []
        self.open_path: str | None = None
        self.save_path: str | None = None
        self.unsaved_answer = "cancel"
        self.restore_answer = False
        #: The folder each Open dialog started in, and each Save As suggestion.
        self.open_folders: list[str] = []
        self.save_suggestions: list[str] = []
        controller.warn = self.warnings.append
        controller.choose_open_path = self._open
        controller.choose_save_path = self._save
        controller.ask_unsaved = self._unsaved
        controller.ask_restore = self._restore

    def _open(self, folder: str) -> str | None:
        self.open_folders.append(folder)
        return self.open_path

    def _save(self, suggestion: str) -> str | None:
        self.save_suggestions.append(suggestion)
        return self.save_path

    def _unsaved(self, what: str) -> str:
        self.questions.append(what)
        return self.unsaved_answer

    def _restore(self, question: str) -> bool:
        self.questions.append(question)
        return self.restore_answer


def open_files_window(qtbot, stream: str = "1^10 0^10", settings: QSettings | None = None,
                      before_start=None) -> tuple[MainWindow, files.SessionFiles, Dialogs]:
    """A shown window whose file dialogs are *Dialogs*, once its start-up (recovery) has run.

    Unlike ``windows.make_window`` it answers the dialogs before the window
    starts (*before_start*), which the recovery question at start-up needs.
    """
    window = MainWindow(SessionAdapter(Session(stream)), settings=settings)
    controller = window.session_files
    dialogs = Dialogs(controller)
    # pytest-qt closes the window after the test: unsaved changes are let go then.
    qtbot.addWidget(window, before_close_func=lambda _: setattr(dialogs, "unsaved_answer", "discard"))
    if before_start is not None:
        before_start(dialogs)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: controller.started)
    return window, controller, dialogs


def snapshot(window: MainWindow) -> tuple:
    session = window.adapter.session
    return (session, session.bits.tobytes(), session.params, session.cursor, len(session.history),
            window.adapter.speed)


# -- menus and keys --------------------------------------------------------------------
def test_file_menu_offers_open_recent_save_and_save_as_above_quit(qtbot) -> None:
    window, _, _ = open_files_window(qtbot)
    texts = [a.text() for a in window.menus["file"].actions() if not a.isSeparator()]
    mine = ["&Open…", "Open &Recent", "&Save", "Save &As…"]
    assert [t for t in texts if t in mine] == mine and texts[-1] == "Quit"
    assert texts.index("Open &Recent") == texts.index("&Open…") + 1
    keys = {name: window.actions_by_name[name].shortcut() for name in ("open", "save", "save_as")}
    assert keys["open"] == QKeySequence("Ctrl+O") and keys["save"] == QKeySequence("Ctrl+S")
    assert keys["save_as"] == QKeySequence("Ctrl+Shift+S")


# -- saving and opening -------------------------------------------------------------------
def test_save_as_then_open_restores_stream_params_cursor_speed_and_history(qtbot, tmp_path) -> None:
    window, controller, dialogs = open_files_window(qtbot)
    adapter = window.adapter
    adapter.step(6)
    adapter.set_params(eta=2.0)
    adapter.step(5)
    adapter.set_params(rule="simultaneous")
    adapter.step(3)
    adapter.back(2)
    adapter.set_speed(30)
    original = adapter.session
    expected = (original.cursor, original.params, original.param_log)
    history = {name: original.history[name].copy() for name in original.history}
    dialogs.save_path = str(tmp_path / "lecture")  # the suffix is added
    window.actions_by_name["save_as"].trigger()
    saved = tmp_path / "lecture.rnnviz.json"
    assert saved.is_file() and controller.path == saved
    assert window.windowTitle().startswith("lecture.rnnviz.json[*] — rnnviz")
    assert not window.isWindowModified()

    adapter.reset()
    adapter.set_params(LearnerParams())
    adapter.set_speed(10)
    assert window.isWindowModified()  # the parameters differ from the saved ones
    dialogs.unsaved_answer = "discard"
    dialogs.open_path = str(saved)
    window.actions_by_name["open"].trigger()
    loaded = adapter.session
    assert loaded is not original and dialogs.questions == ["Open lecture.rnnviz.json"]
    assert (loaded.cursor, loaded.params, loaded.param_log) == expected
    assert expected[0] == 12 and adapter.speed == 30
    loaded.seek(14)
    for name, column in history.items():
        np.testing.assert_array_equal(loaded.history[name], column)
    assert window.stream_line.edit.text() == "1^10 0^10"
    assert not window.isWindowModified() and controller.recent_files() == [str(saved.resolve())]


def test_file_dialogs_open_in_the_last_folder_saved_or_recorded_into(qtbot, tmp_path) -> None:
    lectures, videos = tmp_path / "lectures", tmp_path / "videos"
    lectures.mkdir()
    videos.mkdir()
    window, controller, dialogs = open_files_window(qtbot, settings=QSettings())
    dialogs.save_path = str(lectures / "lecture.rnnviz.json")
    window.actions_by_name["save_as"].trigger()
    window.actions_by_name["open"].trigger()  # cancelled
    assert dialogs.open_folders == [str(lectures.resolve())]
    folders.remember_folder(QSettings(), videos / "talk.mp4")  # as File ▸ Record does
    window.actions_by_name["open"].trigger()
    dialogs.save_path = None
    window.actions_by_name["save_as"].trigger()
    assert dialogs.open_folders[-1] == str(videos.resolve())
    assert dialogs.save_suggestions[-1] == str(videos.resolve() / "lecture.rnnviz.json")
    window.close()
    # The next start opens there too.
    second, _, second_dialogs = open_files_window(qtbot, settings=QSettings())
    second.actions_by_name["open"].trigger()
    assert second_dialogs.open_folders == [str(videos.resolve())]


def test_save_writes_to_the_file_the_session_came_from(qtbot, tmp_path) -> None:
    path = tmp_path / "mine.rnnviz.json"
    sessionfile.save(path, Session("(10)^5"))
    window, controller, dialogs = open_files_window(qtbot)
    assert controller.open(path)
    window.adapter.toggle(0)
    assert window.isWindowModified()
    window.actions_by_name["save"].trigger()
    assert not window.isWindowModified()
    assert json.loads(path.read_text(encoding="utf-8"))["sequence"] == "0010101010"
    assert dialogs.warnings == []


def test_saving_in_presentation_mode_is_confirmed_under_the_tape(qtbot, tmp_path) -> None:
    path = tmp_path / "mine.rnnviz.json"
    sessionfile.save(path, Session("(10)^5"))
    window, controller, _ = open_files_window(qtbot)
    assert controller.open(path)
    window.presentation.set_active(True)  # the status bar is hidden
    window.adapter.toggle(0)
    window.actions_by_name["save"].trigger()
    assert window.tape.message == "Saved mine.rnnviz.json."


def test_opening_a_bad_file_says_why_and_leaves_the_session_alone(qtbot, tmp_path) -> None:
    window, controller, dialogs = open_files_window(qtbot)
    window.adapter.step(4)
    before = snapshot(window)
    cases = {
        "truncated.rnnviz.json": (sessionfile.dumps(Session())[:150], "looks truncated"),
        "future.rnnviz.json": (sessionfile.dumps(Session()).replace('"version": 1', '"version": 9'),
                               "made by a newer rnnviz"),
        "wrongtype.rnnviz.json": (sessionfile.dumps(Session()).replace('"cursor": 0', '"cursor": "3"'),
                                  "'cursor' must be a whole number"),
        "beyond.rnnviz.json": (sessionfile.dumps(Session()).replace('"cursor": 0', '"cursor": 99'),
                               "'cursor' is 99, beyond the stream's 19 ticks"),
        "notjson.rnnviz.json": ("hello", "not valid JSON"),
        "badseq.rnnviz.json": (sessionfile.dumps(Session()).replace('"1^10 0^10"', '"1^10 a"'),
                               "'sequence': unexpected character 'a'"),
    }
    for name, (text, problem) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert not controller.open(tmp_path / name)
        assert dialogs.warnings[-1].startswith(f"{name} was not opened: ")
        assert problem in dialogs.warnings[-1]
        assert snapshot(window) == before
    assert len(dialogs.warnings) == len(cases) and dialogs.questions == []
    assert controller.path is None and controller.recent_files() == []
    assert "not opened" in window.statusBar().currentMessage()


def test_cancelling_the_unsaved_changes_question_keeps_the_session(qtbot, tmp_path) -> None:
    path = tmp_path / "other.rnnviz.json"
    sessionfile.save(path, Session("0^8"))
    mine = tmp_path / "mine.rnnviz.json"
    sessionfile.save(mine, Session("1^10 0^10"))
    window, controller, dialogs = open_files_window(qtbot)
    assert controller.open(mine)
    window.adapter.set_params(eta=1.0)
    before = snapshot(window)
    dialogs.unsaved_answer = "cancel"
    assert not controller.open(path)
    assert snapshot(window) == before and dialogs.questions == ["Open other.rnnviz.json"]
    dialogs.unsaved_answer = "save"  # saved to the file it came from, then replaced
    assert controller.open(path)
    assert sessionfile.load(mine).session.params.eta == 1.0
    np.testing.assert_array_equal(window.adapter.session.bits, [0] * 8)
    assert dialogs.save_suggestions == []  # no file dialog: the session had its file


def test_a_failed_save_at_the_question_keeps_the_session(qtbot, tmp_path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    mine = folder / "mine.rnnviz.json"
    sessionfile.save(mine, Session("1^10 0^10"))
    other = tmp_path / "other.rnnviz.json"
    sessionfile.save(other, Session("0^8"))
    window, controller, dialogs = open_files_window(qtbot)
    assert controller.open(mine)
    window.adapter.toggle(2)
    before = snapshot(window)
    mine.unlink()
    folder.rmdir()  # the USB stick was pulled: Save cannot write
    dialogs.unsaved_answer = "save"
    assert not controller.open(other)
    assert snapshot(window) == before and "mine.rnnviz.json was not saved" in dialogs.warnings[-1]


def test_moving_the_cursor_alone_asks_nothing(qtbot, tmp_path) -> None:
    path = tmp_path / "x.rnnviz.json"
    sessionfile.save(path, Session("0^8"))
    window, controller, dialogs = open_files_window(qtbot)
    window.adapter.run_to_end()
    assert controller.open(path) and dialogs.questions == []


# -- recent files ----------------------------------------------------------------------------
def test_recent_files_keep_the_newest_eight_across_windows(qtbot, tmp_path) -> None:
    window, controller, _ = open_files_window(qtbot, settings=QSettings())
    paths = []
    for number in range(10):
        path = tmp_path / f"s{number}.rnnviz.json"
        sessionfile.save(path, Session(f"1^{number + 2}"))
        assert controller.open(path)
        paths.append(str(path.resolve()))
    assert controller.recent_files() == paths[::-1][:8]
    window.close()
    second, controller2, _ = open_files_window(qtbot, settings=QSettings())
    assert controller2.recent_files() == paths[::-1][:8]
    controller2._fill_recent_menu()
    entries = [a.text() for a in controller2.recent_menu.actions() if not a.isSeparator()]
    assert entries[0] == "&1  s9.rnnviz.json" and entries[-1] == "Clear this list" and len(entries) == 9
    controller2.recent_menu.actions()[1].trigger()
    assert second.adapter.session.bits.size == 10  # s8: 1^10


def test_a_recent_file_that_is_gone_is_dropped_with_a_message(qtbot, tmp_path) -> None:
    window, controller, dialogs = open_files_window(qtbot, settings=QSettings())
    kept, gone = tmp_path / "kept.rnnviz.json", tmp_path / "gone.rnnviz.json"
    for path in (kept, gone):
        sessionfile.save(path, Session("1^4"))
        controller.open(path)
    before = snapshot(window)
    gone.unlink()
    assert not controller.open_recent(str(gone.resolve()))
    assert controller.recent_files() == [str(kept.resolve())]
    assert "gone.rnnviz.json no longer exists" in window.statusBar().currentMessage()
    assert snapshot(window) == before and dialogs.warnings == []


def test_a_session_file_dropped_on_the_window_opens(qtbot, tmp_path) -> None:
    path = tmp_path / "dropped.rnnviz.json"
    sessionfile.save(path, Session("(110)^4"))
    window, controller, _ = open_files_window(qtbot)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    point = QPointF(window.width() / 2, window.height() / 2)
    enter = QDragEnterEvent(point.toPoint(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    qtbot.waitUntil(lambda: controller.path == path)
    np.testing.assert_array_equal(window.adapter.session.bits, [1, 1, 0] * 4)


# -- autosave and crash recovery ---------------------------------------------------------------
def test_autosave_writes_only_after_changes_and_a_clean_quit_leaves_no_marker(qtbot, data_dir) -> None:
    window, controller, _ = open_files_window(qtbot, settings=QSettings())
    timer = controller.findChild(type(controller._timer), "autosaveTimer")
    assert timer.isActive() and timer.interval() == 60_000
    window.adapter.step(5)
    assert controller.autosave()
    autosave = data_dir / "autosave.rnnviz.json"
    assert sessionfile.load(autosave).session.cursor == 5
    assert (data_dir / "autosave.running").exists()  # a crash now would be noticed
    assert not controller.autosave()  # nothing changed since
    window.adapter.step(2)
    window.close()
    assert not timer.isActive()
    assert sessionfile.load(autosave).session.cursor == 7  # written on quit
    assert not (data_dir / "autosave.running").exists()


def test_after_a_crash_the_autosave_is_offered_back(qtbot, data_dir) -> None:
    data_dir.mkdir(parents=True)
    crashed = Session("(10)^6")
    crashed.seek(7)
    sessionfile.save(data_dir / "autosave.rnnviz.json", crashed, speed=5, lesson="04-alternating-learned-vs-built")
    (data_dir / "autosave.running").write_text("1234\n", encoding="utf-8")

    def restore(dialogs):
        dialogs.restore_answer = True

    window, controller, dialogs = open_files_window(qtbot, settings=QSettings(), before_start=restore)
    assert len(dialogs.questions) == 1 and "did not quit cleanly" in dialogs.questions[0]
    assert "12 bits, at tick 7 of 11" in dialogs.questions[0]
    session = window.adapter.session
    np.testing.assert_array_equal(session.bits, [1, 0] * 6)
    assert session.cursor == 7 and window.adapter.speed == 5
    assert controller.lesson_bar.isVisible()
    assert not (data_dir / "autosave.running").exists()


def test_discarding_the_offer_removes_the_autosave(qtbot, data_dir) -> None:
    data_dir.mkdir(parents=True)
    sessionfile.save(data_dir / "autosave.rnnviz.json", Session("0^12"))
    (data_dir / "autosave.running").write_text("1\n", encoding="utf-8")
    window, _, dialogs = open_files_window(qtbot, settings=QSettings())  # answers Discard
    assert len(dialogs.questions) == 1
    np.testing.assert_array_equal(window.adapter.session.bits, [1] * 10 + [0] * 10)
    assert not (data_dir / "autosave.rnnviz.json").exists()


def test_no_offer_after_a_clean_quit(qtbot, data_dir) -> None:
    first, _, _ = open_files_window(qtbot, settings=QSettings())
    first.adapter.step(3)
    first.close()
    assert (data_dir / "autosave.rnnviz.json").exists()
    _, _, dialogs = open_files_window(qtbot, settings=QSettings())
    assert dialogs.questions == []


def test_without_settings_nothing_is_autosaved(qtbot, data_dir) -> None:
    window, controller, _ = open_files_window(qtbot)
    window.adapter.step(3)
    assert not controller.autosave()
    window.close()
    assert not data_dir.exists()


# -- lessons ------------------------------------------------------------------------------------
def test_the_lessons_menu_opens_a_lesson_with_its_caption_bar(qtbot) -> None:
    window, controller, dialogs = open_files_window(qtbot)
    lessons, _ = load_lessons()
    entries = [a for a in window.menus["lessons"].actions() if not a.isSeparator()]
    assert [a.text() for a in entries[:-1]] == [f"&{n}  {l.title}" for n, l in enumerate(lessons, 1)]
    assert entries[-1].text() == "&Close lesson" and not entries[-1].isEnabled()
    window.adapter.step(7)
    entries[2].trigger()  # the streak that breaks
    session = window.adapter.session
    assert session.cursor == 0 and session.params == lessons[2].params
    np.testing.assert_array_equal(session.bits, lessons[2].bits)
    assert window.stream_line.edit.text() == "1^10 0^10"
    bar = controller.lesson_bar
    assert bar.isVisible() and bar.heading.text() == f"Lesson 3 of 6: {lessons[2].title}"
    assert bar.caption.text() == lessons[2].captions[0].text
    window.adapter.step(14)
    assert bar.caption.text().startswith("Tick 14: ho is still just above zero")
    window.adapter.back(3)
    assert bar.caption.text().startswith("From tick 11 on the input is 0")
    assert dialogs.questions == []  # only the cursor had moved
    assert entries[-1].isEnabled()
    bar.close_button.click()
    assert not bar.isVisible() and window.adapter.session is session


def test_the_generator_lesson_shows_the_hand_built_network(qtbot) -> None:
    window, controller, _ = open_files_window(qtbot)
    controller.open_lesson(4)
    compare = controller.lesson_bar.compare
    assert compare.isVisible()
    assert "−0.98  +0.98  −0.98" in compare.text() and "1 0 1 0 1 0 1" in compare.text()
    controller.open_lesson(1)
    assert not compare.isVisible()


def test_editing_the_lesson_stream_is_noted_on_the_bar(qtbot) -> None:
    window, controller, _ = open_files_window(qtbot)
    controller.open_lesson(1)
    bar = controller.lesson_bar
    assert "changed" not in bar.heading.text()
    window.adapter.toggle(3)
    assert "no longer matches" in bar.heading.text()
    assert bar.caption.text() != controller.lessons[0].captions[0].text
    window.adapter.undo()
    assert "changed" not in bar.heading.text()
    assert bar.caption.text() == controller.lessons[0].captions[0].text


def test_a_caption_shows_only_at_the_tick_it_describes(qtbot) -> None:
    window, controller, _ = open_files_window(qtbot)
    controller.open_lesson(3)  # the streak that breaks: captions at ticks 14, 15, then 19
    lesson, bar = controller.lessons[2], controller.lesson_bar
    texts = {c.tick: c.text for c in lesson.captions}
    window.adapter.step(15)
    assert bar.caption.text() == texts[15]
    for tick in (16, 17, 18):
        window.adapter.step(1)
        assert window.adapter.session.cursor == tick
        assert not any(bar.caption.text() == text for text in texts.values())
        assert f"tick {tick}" in bar.caption.text() and "tick 19" in bar.caption.text()
    window.adapter.step(1)
    assert bar.caption.text() == texts[19]
    window.adapter.seek(15)
    assert bar.caption.text() == texts[15]


def test_a_caption_with_an_until_shows_over_its_stretch_and_then_says_where_the_next_is(qtbot) -> None:
    window, controller, _ = open_files_window(qtbot)
    controller.open_lesson(3)  # the streak that breaks: tick 0 until 8, tick 11 until 13
    lesson, bar, adapter = controller.lessons[2], controller.lesson_bar, window.adapter
    texts = {c.tick: c.text for c in lesson.captions}
    shown = {}
    for tick in range(lesson.n_ticks + 1):
        adapter.seek(tick)
        shown[tick] = bar.caption.text()
    assert all(shown[tick] == texts[0] for tick in range(9))
    assert [shown[tick] for tick in (9, 10)] == [texts[9], texts[10]]
    assert all(shown[tick] == texts[11] for tick in (11, 12, 13))
    assert shown[16] == "(No caption for tick 16: the next is at tick 19.)"
    adapter.seek(12)  # going back into a stretch shows its caption again
    assert bar.caption.text() == texts[11]


def test_a_replaced_stream_shows_no_caption_of_the_lesson(qtbot) -> None:
    window, controller, _ = open_files_window(qtbot)
    controller.open_lesson(3)
    lesson, bar = controller.lessons[2], controller.lesson_bar
    texts = [c.text for c in lesson.captions]
    assert window.open_stream("(10)^30")
    window.adapter.seek(19)
    # The lesson's "The end … ŷ = 0.33" would contradict the ŷ on screen.
    assert window.adapter.session.current_tick().yhat != pytest.approx(0.33, abs=0.005)
    assert bar.caption.text() not in texts and "no longer" in bar.caption.text()
    assert "no longer matches" in bar.heading.text()


def test_settings_changed_for_a_stretch_and_back_still_do_not_match(qtbot) -> None:
    window, controller, _ = open_files_window(qtbot)
    controller.open_lesson(3)
    bar, adapter = controller.lesson_bar, window.adapter
    adapter.step(3)
    adapter.set_params(eta=1.0)
    adapter.step(3)
    adapter.set_params(eta=5.0)  # the lesson's own η again, but ticks 4–6 used 1.0
    adapter.seek(9)
    assert adapter.session.params == controller.lessons[2].params
    assert "no longer matches" in bar.heading.text()
    assert bar.caption.text() != controller.lessons[2].caption_at(9).text


def test_a_lesson_asks_only_when_changes_to_a_file_would_be_lost(qtbot, tmp_path) -> None:
    window, controller, dialogs = open_files_window(qtbot)
    controller.open_lesson(1)
    window.adapter.set_params(eta=2.0)  # trying what the lesson suggests; nothing was saved
    assert controller.open_lesson(2) and dialogs.questions == []
    np.testing.assert_array_equal(window.adapter.session.bits, [0] * 10)

    assert controller.save_as(tmp_path / "mine.rnnviz.json")
    window.adapter.toggle(0)
    assert window.windowTitle().startswith("mine.rnnviz.json[*]") and window.isWindowModified()
    before = snapshot(window)
    assert not controller.open_lesson(3)
    assert dialogs.questions == ["Open lesson 3"] and snapshot(window) == before
    assert controller.lesson_bar.heading.text().startswith("Lesson 2 of 6")
    dialogs.unsaved_answer = "discard"
    assert controller.open_lesson(3)
    np.testing.assert_array_equal(window.adapter.session.bits, [1] * 10 + [0] * 10)


# -- closing the window -------------------------------------------------------------------------
def edited_file_session(qtbot, tmp_path):
    path = tmp_path / "lesson3.rnnviz.json"
    sessionfile.save(path, Session("1^10 0^10"))
    window, controller, dialogs = open_files_window(qtbot, settings=QSettings())
    assert controller.open(path)
    window.adapter.set_params(eta=2.0)
    assert window.windowTitle().startswith("lesson3.rnnviz.json[*]") and window.isWindowModified()
    return window, controller, dialogs, path


def test_quit_with_unsaved_changes_asks_and_cancel_keeps_the_window(qtbot, tmp_path) -> None:
    window, controller, dialogs, path = edited_file_session(qtbot, tmp_path)
    before = snapshot(window)
    dialogs.unsaved_answer = "cancel"
    window.actions_by_name["quit"].trigger()  # Ctrl+Q
    assert dialogs.questions == ["Quit"]
    assert window.isVisible() and snapshot(window) == before and window.isWindowModified()
    assert not window.close()  # the window's close button asks the same
    assert window.isVisible() and dialogs.questions == ["Quit", "Quit"]
    # The quit did not happen: autosave still runs.
    assert controller.findChild(type(controller._timer), "autosaveTimer").isActive()
    window.adapter.step(2)  # the window still works
    assert window.adapter.session.cursor == before[3] + 2


def test_quit_and_save_writes_the_file_then_closes(qtbot, tmp_path) -> None:
    window, controller, dialogs, path = edited_file_session(qtbot, tmp_path)
    dialogs.unsaved_answer = "save"
    assert window.close()
    assert not window.isVisible() and dialogs.questions == ["Quit"]
    assert sessionfile.load(path).session.params.eta == 2.0


def test_quit_and_discard_closes_and_leaves_the_file(qtbot, tmp_path) -> None:
    window, controller, dialogs, path = edited_file_session(qtbot, tmp_path)
    dialogs.unsaved_answer = "discard"
    assert window.close()
    assert not window.isVisible() and sessionfile.load(path).session.params.eta == 5.0


def test_quit_asks_nothing_when_no_work_would_be_lost(qtbot, tmp_path) -> None:
    window, controller, dialogs, path = edited_file_session(qtbot, tmp_path)
    window.actions_by_name["save"].trigger()
    window.adapter.step(5)  # the cursor alone is no change
    assert window.close() and dialogs.questions == []
    never_saved, _, dialogs2 = open_files_window(qtbot)
    never_saved.adapter.toggle(3)  # never saved: no file to lose changes to
    assert never_saved.close() and dialogs2.questions == []


def test_a_saved_lesson_reopens_with_its_bar(qtbot, tmp_path) -> None:
    window, controller, dialogs = open_files_window(qtbot)
    controller.open_lesson(6)
    window.adapter.step(13)
    assert controller.save_as(tmp_path / "noisy.rnnviz.json")
    assert json.loads((tmp_path / "noisy.rnnviz.json").read_text(encoding="utf-8"))["lesson"] == "06-noisy-streak"
    controller.close_lesson()
    controller.open_lesson(1)
    assert controller.open(tmp_path / "noisy.rnnviz.json")
    assert window.adapter.session.cursor == 13
    assert controller.lesson_bar.heading.text().startswith("Lesson 6 of 6")
    assert controller.lesson_bar.caption.text().startswith("Tick 13:")


def test_the_presenters_caption_travels_in_the_file(qtbot, tmp_path) -> None:
    window, controller, _ = open_files_window(qtbot)
    line = getattr(getattr(window, "presentation", None), "caption", None)
    if line is None:
        pytest.skip("this build has no presentation caption line")
    line.setText("Watch ho cross zero")
    assert controller.save_as(tmp_path / "talk.rnnviz.json")
    assert json.loads((tmp_path / "talk.rnnviz.json").read_text(encoding="utf-8"))["caption"] == "Watch ho cross zero"
    line.setText("")
    assert controller.open(tmp_path / "talk.rnnviz.json")
    assert line.text() == "Watch ho cross zero"


def test_a_malformed_lesson_shows_as_a_disabled_entry(qtbot, tmp_path, monkeypatch) -> None:
    shipped = lessons_dir() / "01-streak-of-ones.json"
    (tmp_path / "01-good.json").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "02-broken.json").write_text('{"title": "x"', encoding="utf-8")
    monkeypatch.setattr(files, "load_lessons", lambda: load_lessons(tmp_path))
    window, controller, _ = open_files_window(qtbot)
    entries = [a for a in window.menus["lessons"].actions() if not a.isSeparator()]
    assert entries[0].text() == "&1  A streak of 1s" and entries[0].isEnabled()
    assert entries[1].text().startswith("02-broken.json: the file ends too early")
    assert not entries[1].isEnabled()
    entries[0].trigger()
    assert controller.lesson_bar.heading.text() == "Lesson 1 of 1: A streak of 1s"


# -- long opens ------------------------------------------------------------------------------------
def test_opening_a_long_session_shows_progress_and_cancel_leaves_everything_as_it_was(qtbot, tmp_path) -> None:
    from functools import partial

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QProgressDialog

    from rnnviz.ui.work import run_with_progress

    long_one = Session("random(60001, 0.5, seed=3)")
    long_one.seek(60_000)  # replayed on open: several chunks of work, each reporting
    path = tmp_path / "long.rnnviz.json"
    sessionfile.save(path, long_one, sequence="random(60001, 0.5, seed=3)")
    window, controller, dialogs = open_files_window(qtbot)
    window.adapter.step(4)
    before = snapshot(window)
    # A clock where every report is a second later: the dialog shows at once.
    ticks = iter(range(1, 10_000))
    controller.run_work = partial(run_with_progress, clock=lambda: float(next(ticks)))
    seen: list[str] = []

    def press_cancel() -> None:
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
        seen.extend(d.labelText() for d in shown)
        for dialog in shown:
            dialog.cancel()

    QTimer.singleShot(0, press_cancel)
    assert not controller.open(path)
    assert seen == ["Opening long.rnnviz.json…"]
    assert snapshot(window) == before and controller.path is None
    assert window.statusBar().currentMessage() == "Opening long.rnnviz.json cancelled: nothing changed."
    assert dialogs.warnings == [] and controller.recent_files() == []
    # Not cancelled, the same open goes through.
    assert controller.open(path)
    assert window.adapter.session.cursor == 60_000


def test_a_quit_cancelled_at_the_unsaved_question_keeps_a_live_recording(qtbot, tmp_path) -> None:
    window, controller, dialogs, path = edited_file_session(qtbot, tmp_path)
    recorder = window.recording_controller
    recorder.report = lambda title, text: None
    video = tmp_path / "talk.mp4"
    try:
        assert recorder.start_recording(str(video))
        dialogs.unsaved_answer = "cancel"
        assert not window.close()
        assert recorder.recording  # the lecture goes on being filmed
        dialogs.unsaved_answer = "discard"
        assert window.close()
        assert not recorder.recording and not recorder.busy
    finally:
        recorder.shutdown()
