"""What a presentation frame shows at 1280×720 and 1920×1080: no blank band, nothing cut in half.

Each test films the window as ``rnnviz record … --presentation`` does (an
offscreen window in presentation mode at exactly that size) and checks the
pixels or geometry a viewer of the video would notice.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QFontInfo, QFontMetricsF, QImage, QTextCursor
from PySide6.QtWidgets import QApplication, QWidget

from rnnviz.session import Session
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.app import offscreen_window
from rnnviz.ui.theme import STAGE_TINT

SIZES = [(1280, 720), (1920, 1080)]


def settle() -> None:
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())


def pixels(widget: QWidget) -> np.ndarray:
    """The widget as painted now, one 0xAARRGGBB value per pixel (rows, columns)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)
    rows = np.frombuffer(image.constBits(), np.uint32, image.bytesPerLine() // 4 * image.height())
    return rows.reshape(image.height(), -1)[:, : image.width()].copy()


@pytest.fixture
def film(qtbot):
    """An offscreen presentation window on *stream* after *ticks* ticks, at *size*."""
    adapters = []

    def make(stream: str, ticks: int, size: tuple[int, int]):
        adapter = SessionAdapter(Session(stream))
        adapters.append(adapter)
        adapter.step(ticks)
        window = offscreen_window(adapter, size, presentation=True)
        qtbot.addWidget(window)
        settle()
        return window

    yield make
    for adapter in adapters:
        adapter.shutdown()


# -- the tape (issue 12 §3: an empty band under the ruler in every frame) ------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("stream", "ticks"), [("1^10 0^10", 12), ("(10)^30 1^40", 99)])
def test_the_tape_ends_under_its_ruler_and_a_message_moves_nothing(film, size, stream, ticks):
    window = film(stream, ticks, size)
    tape = window.tape
    base = tape.palette().base().color().rgba()
    ink_rows = np.flatnonzero((pixels(tape.viewport()) != base).any(axis=1))
    # The ruler's numbers are the last thing on the tape: under their baseline
    # only the font's descent and a hair, no blank band.
    assert tape.viewport().height() - 1 - ink_rows[-1] <= tape.fontMetrics().descent() + 4
    assert tape.horizontalScrollBar().isVisible() == (stream != "1^10 0^10")
    views = (tape, window.main_split, window.diagram, window.plots, window.equations, window.status)
    layout = [rect_in(view, window) for view in views]
    # With the status bar hidden, the window says things on the tape.
    window.tell("Settings restored to their defaults (the stream is kept).")
    settle()
    assert tape.message
    assert [rect_in(view, window) for view in views] == layout  # nothing jumps
    box = tape.message_rect()
    assert tape.viewport().rect().contains(box)
    # Readable: whole, at the tape's presentation size.
    assert QFontMetricsF(tape.font()).horizontalAdvance(tape.message) <= box.width() - 4
    assert QFontInfo(tape.font()).pixelSize() > QFontInfo(window.font()).pixelSize()
    inside = pixels(tape.viewport())[box.top() : box.bottom() + 1, box.left() : box.right() + 1]
    assert len(np.unique(inside)) > 3  # text on it, not an empty box
    tape.clear_message()
    settle()
    assert [rect_in(view, window) for view in views] == layout


# -- the plots' legend ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("stream", "ticks"), [("1^10 0^10", 12), ("(10)^30 1^40", 99), ("(10)^400", 799)])
def test_the_legend_is_never_cut_off(film, size, stream, ticks):
    # At 1280x720 the note "zoom in to see each tick's +/− and target" was cut in half
    # at the bottom of the frame.
    window = film(stream, ticks, size)
    legend = window.plots.side.findChild(QWidget, "signalsLegend")
    assert legend.isVisible()
    needed = legend.heightForWidth(legend.width())
    assert needed <= legend.height(), (needed, legend.height())
    assert window.plots.rect().contains(rect_in(legend, window.plots))
    # Still readable: not shrunk below three quarters of the plots' text.
    tick_font = window.plots.plot_item("ih").getAxis("left").style["tickFont"]
    assert QFontInfo(legend.font()).pointSizeF() >= 0.75 * tick_font.pointSizeF()
    text = legend.text()
    assert "sign flip" in text and "target" in text
    if stream != "1^10 0^10":
        assert "zoom in" in text


# -- the equations (issue 12 §3: the last line cut in half at the bottom edge) ---------------------


def text_lines(panel) -> list[tuple[float, float, bool]]:
    """Every line of text of the panel: (top, bottom) in viewport pixels, and
    whether it is a line of the stage shown (tinted)."""
    document = panel.document()
    layout = document.documentLayout()
    layout.documentSize()  # laid out in full
    scroll = panel.verticalScrollBar().value()
    lines = []
    block = document.begin()
    while block.isValid():
        rect = layout.blockBoundingRect(block)
        cursor = QTextCursor(block)
        table = cursor.currentTable()
        tinted = table is not None and table.cellAt(cursor).format().background().color().name() == STAGE_TINT
        text_layout = block.layout()
        for i in range(text_layout.lineCount()):
            line = text_layout.lineAt(i)
            top = rect.top() + line.y() - scroll
            lines.append((top, top + line.height(), tinted))
        block = block.next()
    return lines


def check_whole_lines(panel) -> None:
    """No line of the panel shows in part: cut by an edge, it is not drawn at all."""
    image = pixels(panel.viewport())
    paper = QColor("#ffffff").rgba()  # the panel's page
    height = image.shape[0]
    whole = 0
    for top, bottom, _ in text_lines(panel):
        if bottom <= 0 or top >= height:
            continue
        if top >= 0 and bottom <= height:
            whole += 1
            continue
        shown = image[max(int(top), 0) : min(int(np.ceil(bottom)), height)]
        assert (shown == paper).all(), f"a line at {top:.0f}–{bottom:.0f} is cut by the edge at 0 or {height}"
    assert whole >= 5


def stage_lines_shown(panel) -> bool:
    """Whether every line of the stage shown is whole in view, and tinted on screen."""
    height = panel.viewport().height()
    lines = [(top, bottom) for top, bottom, tinted in text_lines(panel) if tinted]
    tint = QColor(STAGE_TINT).rgba()
    return bool(lines) and (pixels(panel.viewport()) == tint).any() and all(
        0 <= top and bottom <= height for top, bottom in lines[:2])


@pytest.mark.parametrize("size", SIZES)
def test_the_equations_show_whole_lines_only(film, size):
    window = film("1^10 0^10", 12, size)
    panel = window.equations
    assert panel.verticalScrollBar().maximum() > 0  # more text than room: something is cut
    check_whole_lines(panel)
    panel.verticalScrollBar().setValue(panel.verticalScrollBar().maximum() // 3)
    settle()
    check_whole_lines(panel)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("rule", ["sequential", "simultaneous"])
def test_slow_motion_keeps_the_stage_shown_in_view(film, size, rule):
    window = film("1^10 0^10", 12, size)
    adapter = window.adapter
    adapter.set_params(rule=rule)
    panel = window.equations
    for _ in range(2 * 7):  # every stage of two ticks
        adapter.advance_stage()
        settle()
        assert adapter.stage is not None
        assert stage_lines_shown(panel), adapter.stage.name
        check_whole_lines(panel)


def test_a_shorter_panel_in_slow_motion_keeps_the_stage_in_view(qtbot):
    # Presentation mode stacks the panel under the diagram; a window made
    # shorter (the same text size) shortens it further. Every stage of a tick,
    # in one window (a window costs more than the checks): each is shown at
    # the full height, then with the window made shorter, then full again.
    adapter = SessionAdapter(Session("1^10 0^10"))
    adapter.step(12)
    window = offscreen_window(adapter, (1280, 720), presentation=True)
    qtbot.addWidget(window)
    for stage in range(1, 8):
        adapter.advance_stage()
        settle()
        assert stage_lines_shown(window.equations), stage
        scale = window.presentation.scale
        window.setFixedSize(1280, 620)
        settle()
        assert window.presentation.scale == scale
        assert stage_lines_shown(window.equations), stage
        check_whole_lines(window.equations)
        window.setFixedSize(1280, 720)
    adapter.shutdown()
