"""Offscreen windows: which window a render builds, and the sizes it accepts.

A render made from inside a window (File ▸ Render video) builds a second,
offscreen window of the same kind; other renders (``rnnviz record``, the
self-test) build the window registered for the run. Neither path imports the
main window from the recording module (tests/test_layering.py).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize

from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams
from rnnviz.engine.sequences import parse_sequence
from rnnviz.session import Session
from rnnviz.ui import offscreen
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.mainwindow import MainWindow
from rnnviz.ui.recording import RenderOptions, StreamRenderer

SIZE = (760, 600)


class MarkedWindow(MainWindow):
    """A main window that a render of it can be told apart by."""


def test_a_session_is_shown_in_the_main_window_and_so_is_a_session_subclass() -> None:
    class Annotated(Session):
        pass

    assert offscreen.window_for(Session("1^3")) is MainWindow
    assert offscreen.window_for(Annotated("1^3")) is MainWindow


def test_a_run_with_no_window_says_which_module_to_import() -> None:
    class Counter:
        pass

    with pytest.raises(LookupError, match="no window is registered for a Counter"):
        offscreen.window_for(Counter())


def test_a_stream_render_films_the_registered_main_window(qtbot) -> None:
    renderer = StreamRenderer(parse_sequence("1^3"), LearnerParams(), 1, SIZE, fps=4, speed=2)
    try:
        assert type(renderer.window) is MainWindow
        assert renderer.window.size() == QSize(*SIZE)
    finally:
        renderer.close()


def test_render_video_in_a_window_films_a_window_of_its_own_kind(qtbot, tmp_path) -> None:
    window = MarkedWindow(SessionAdapter(Session("1^10 0^10")), settings=None, restore_settings=False)
    qtbot.addWidget(window)
    controller = window.recording_controller
    problems: list[str] = []
    controller.report = lambda title, message: problems.append(message)
    try:
        assert controller.render_current(str(tmp_path / "stream.gif"),
                                         RenderOptions(size=SIZE, fps=4, speed=2, ticks=1))
        rendered = controller.renderer.window
        assert type(rendered) is MarkedWindow and rendered is not window
        assert rendered.size() == QSize(*SIZE)
        qtbot.waitUntil(lambda: not controller.busy, timeout=20_000)
        assert (tmp_path / "stream.gif").is_file() and problems == []
    finally:
        controller.shutdown()
        window.adapter.shutdown()


def test_a_size_below_the_windows_layout_or_above_8k_is_refused_with_the_range(qtbot) -> None:
    adapter = SessionAdapter(Session("1^3"))
    try:
        with pytest.raises(InputError, match=r"--size 100x100 is smaller than the window can be "
                                              r"laid out in: it is outside \d+x\d+ … 7680x4320"):
            offscreen.offscreen_window(adapter, (100, 100))
        with pytest.raises(InputError, match="--size 8000x600 is larger than rnnviz renders"):
            offscreen.offscreen_window(adapter, (8000, 600))
    finally:
        adapter.shutdown()
