"""rnnviz.ui.folders: the folder every file dialog opens in, remembered across dialogs and starts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from rnnviz.ui import folders


def settings_in(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "rnnviz.ini"), QSettings.Format.IniFormat)


def test_nothing_remembered_gives_the_fallback(tmp_path) -> None:
    assert folders.last_folder(settings_in(tmp_path), "/fallback") == "/fallback"
    assert folders.last_folder(None, "/fallback") == "/fallback"


def test_a_saved_file_remembers_its_folder_for_the_next_start(tmp_path) -> None:
    lectures = tmp_path / "lectures" / "week3"
    lectures.mkdir(parents=True)
    settings = settings_in(tmp_path)
    folders.remember_folder(settings, lectures / "lesson3.rnnviz.json")  # not written yet
    settings.sync()
    assert folders.last_folder(settings_in(tmp_path), str(tmp_path)) == str(lectures.resolve())


def test_a_chosen_folder_is_remembered_itself(tmp_path) -> None:
    frames = tmp_path / "frames"
    frames.mkdir()
    settings = settings_in(tmp_path)
    folders.remember_folder(settings, frames)
    assert folders.last_folder(settings, "/fallback") == str(frames.resolve())


def test_a_folder_that_is_gone_gives_the_fallback(tmp_path) -> None:
    gone = tmp_path / "usb-stick"
    gone.mkdir()
    settings = settings_in(tmp_path)
    folders.remember_folder(settings, gone / "talk.mp4")
    gone.rmdir()
    assert folders.last_folder(settings, str(tmp_path)) == str(tmp_path)


def test_the_key_file_open_always_used_carries_over(tmp_path) -> None:
    settings = settings_in(tmp_path)
    settings.setValue("files/folder", str(tmp_path))  # written by an older rnnviz
    assert folders.last_folder(settings, "/fallback") == str(tmp_path)


def test_without_settings_nothing_is_remembered(tmp_path) -> None:
    folders.remember_folder(None, tmp_path / "x.png")
    assert folders.last_folder(None, "/fallback") == "/fallback"
