"""Presentation mode, canvas sizes, the key overlay and the caption line, as a presenter uses them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDialog, QPushButton, QVBoxLayout, QWidget

from rnnviz.session import Session
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.app import offscreen_window
from rnnviz.ui.presentation import BORDER_COLOR, KEY_FADE_MS, KEY_HOLD_MS, key_label
from windows import make_window, press


def learning_box(window):
    """The scrolling box of learning settings in the left column."""
    box = window.parameters
    while box.parentWidget() is not window.left:
        box = box.parentWidget()
    return box


def chrome_shown(window) -> dict[str, bool]:
    learning = learning_box(window)
    return {
        "menu": window.menuBar().isVisible(),
        "toolbar": window.toolbar.isVisible(),
        "status bar": window.statusBar().isVisible(),
        "stream box": window.stream_line.isVisible(),
        "learning": learning.isVisible(),
    }


def test_f11_enters_and_esc_leaves_with_everything_put_back(qtbot, window):
    window.resize(1200, 760)
    qtbot.waitUntil(lambda: window.width() == 1200)
    window.main_split.setSizes([400, 800])  # a layout of the user's own
    qtbot.waitUntil(lambda: window.main_split.sizes()[0] != 2 * window.main_split.sizes()[1] // 3)
    before_sizes = (window.main_split.sizes(), window.left.sizes())
    before_geometry = window.geometry()
    assert all(chrome_shown(window).values())

    press(qtbot, window, Qt.Key.Key_F11)
    assert window.presentation.active
    assert window.actions_by_name["presentation"].isChecked()
    assert not any(chrome_shown(window).values())
    # The status line moved into the canvas and stays readable.
    assert window.status.isVisible() and window.canvas.isAncestorOf(window.status)

    press(qtbot, window, Qt.Key.Key_Escape)
    assert not window.presentation.active
    assert not window.actions_by_name["presentation"].isChecked()
    assert all(chrome_shown(window).values())
    assert window.geometry() == before_geometry
    qtbot.waitUntil(lambda: (window.main_split.sizes(), window.left.sizes()) == before_sizes)
    assert window.statusBar().isAncestorOf(window.status)


def test_esc_does_nothing_outside_presentation_mode(qtbot, window):
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not window.presentation.active and all(chrome_shown(window).values())


def test_keys_still_work_with_the_menus_hidden(qtbot, window):
    window.presentation.set_active(True)
    press(qtbot, window, Qt.Key.Key_Right)
    press(qtbot, window, Qt.Key.Key_Right)
    assert window.adapter.session.cursor == 2
    assert "tick 2 of 19" in window.status.text()


def test_presentation_mode_makes_the_text_larger_and_back(qtbot, window):
    tape_px = QFontInfo(window.tape.font()).pixelSize()
    tape_cell = window.tape.cell_rect(0).width()
    status_px = QFontInfo(window.status.font()).pixelSize()
    value_px = QFontInfo(window.plots.value_label("ho").font()).pixelSize()
    window.presentation.set_active(True)
    assert QFontInfo(window.tape.font()).pixelSize() >= 1.4 * tape_px
    assert window.tape.cell_rect(0).width() > tape_cell
    assert QFontInfo(window.status.font()).pixelSize() >= 1.4 * status_px
    assert QFontInfo(window.plots.value_label("ho").font()).pixelSize() >= 1.4 * value_px
    assert window.diagram.font_scale() >= 1.5
    window.presentation.set_active(False)
    assert QFontInfo(window.tape.font()).pixelSize() == tape_px
    assert window.tape.cell_rect(0).width() == tape_cell
    assert QFontInfo(window.status.font()).pixelSize() == status_px
    assert QFontInfo(window.plots.value_label("ho").font()).pixelSize() == value_px
    assert window.diagram.font_scale() == 1.0


def test_presentation_mode_makes_the_change_markers_larger(qtbot, window):
    # Markers never grow past the spacing of the ticks; without the equation
    # column the plots keep their width and only the scale changes.
    window.actions_by_name["equations"].trigger()
    qtbot.waitUntil(lambda: window.main_split.sizes()[-1] == 0)
    window.adapter.step(5)
    normal = window.plots._rows["ho"].markers.data["size"].max()
    window.presentation.set_active(True)
    larger = window.plots._rows["ho"].markers.data["size"].max()
    vb = window.plots.plot_item("ho").vb
    spacing = vb.mapViewToScene(QPointF(1, 0)).x() - vb.mapViewToScene(QPointF(0, 0)).x()
    # As much larger as the text, unless two markers would then touch.
    assert larger >= 1.4 * normal or larger >= 0.75 * spacing
    assert larger > 1.2 * normal and larger + 1 < spacing
    window.presentation.set_active(False)
    # The plots take their old width back when the layout settles.
    qtbot.waitUntil(lambda: window.plots._rows["ho"].markers.data["size"].max() == normal)


def test_a_taller_canvas_gets_proportionally_larger_text(qtbot, window):
    presentation = window.presentation
    assert presentation.scale_for(720) == 1.5
    assert presentation.scale_for(600) == 1.5
    assert presentation.scale_for(1080) == 2.25


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_canvas_size_lays_the_content_out_at_exactly_that_size(qtbot, window, size):
    # Room for the canvas and a border, whatever else the window holds beside it.
    stage = window.presentation.stage
    extra_w, extra_h = window.width() - stage.width(), window.height() - stage.height()
    window.resize(size[0] + 200 + extra_w, size[1] + 100 + extra_h)
    qtbot.waitUntil(lambda: stage.width() >= size[0] + 200)
    window.actions_by_name[f"canvas_{size[0]}x{size[1]}"].trigger()
    qtbot.waitUntil(lambda: (window.canvas.width(), window.canvas.height()) == size)
    assert window.presentation.stage.canvas_size() == size
    image = window.canvas.grab().toImage()
    assert (image.width(), image.height()) == size
    # Centred: the same grey border on both sides.
    viewport = stage.viewport()
    corner = window.canvas.mapTo(viewport, window.canvas.rect().topLeft())
    assert abs(corner.x() - (viewport.width() - corner.x() - size[0])) <= 1
    assert abs(corner.y() - (viewport.height() - corner.y() - size[1])) <= 1
    assert viewport.grab().toImage().pixelColor(2, 2).name() == BORDER_COLOR
    # Presentation mode keeps the exact size.
    window.presentation.set_active(True)
    qtbot.waitUntil(lambda: (window.canvas.width(), window.canvas.height()) == size)


def test_a_window_smaller_than_the_canvas_scrolls_and_keeps_the_exact_size(qtbot, window):
    window.resize(1000, 700)
    window.presentation.set_canvas_size((1920, 1080))
    stage = window.presentation.stage
    qtbot.waitUntil(lambda: stage.horizontalScrollBar().maximum() > 0)
    assert stage.verticalScrollBar().maximum() > 0
    assert (window.canvas.width(), window.canvas.height()) == (1920, 1080)
    assert window.width() == 1000  # the window did not grow past the screen


def test_fit_window_fills_the_window_again(qtbot, window):
    window.presentation.set_canvas_size((1280, 720))
    window.actions_by_name["canvas_fit"].trigger()
    assert window.presentation.stage.canvas_size() is None
    assert window.actions_by_name["canvas_fit"].isChecked()
    assert not window.actions_by_name["canvas_1280x720"].isChecked()
    stage = window.presentation.stage.viewport()
    qtbot.waitUntil(lambda: window.canvas.size() == stage.size())


@pytest.mark.parametrize(
    ("key", "modifier", "label"),
    [
        (Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, "Space"),
        (Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier, "→"),
        (Qt.Key.Key_Left, Qt.KeyboardModifier.NoModifier, "←"),
        (Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier, "Shift+→"),
        (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier, "Ctrl+Z"),
        (Qt.Key.Key_Plus, Qt.KeyboardModifier.ShiftModifier, "+"),
        (Qt.Key.Key_F11, Qt.KeyboardModifier.NoModifier, "F11"),
        (Qt.Key.Key_Shift, Qt.KeyboardModifier.ShiftModifier, None),
    ],
)
def test_keys_are_named_as_people_say_them(key, modifier, label, monkeypatch):
    monkeypatch.setattr("sys.platform", "linux")
    assert key_label(key, modifier) == label


def test_key_overlay_names_the_key_counts_repeats_and_fades(qtbot, window):
    window.actions_by_name["show_keys"].trigger()
    overlay = window.presentation.key_overlay
    assert not overlay.isVisible()
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert overlay.text() == "Ctrl+Z"
    assert overlay.width() > overlay.fontMetrics().horizontalAdvance("Ctrl+Z")
    press(qtbot, window, Qt.Key.Key_Right)
    assert window.adapter.session.cursor == 1  # the shortcut still works
    assert overlay.isVisible() and overlay.text() == "→"
    press(qtbot, window, Qt.Key.Key_Right)
    press(qtbot, window, Qt.Key.Key_Right)
    assert overlay.text() == "→\u2002×3"
    assert window.adapter.session.cursor == 3
    press(qtbot, window, Qt.Key.Key_Space)
    assert overlay.text() == "Space"
    assert overlay.width() > overlay.fontMetrics().horizontalAdvance("Space")
    window.adapter.pause()
    # Near the bottom of the canvas, centred, and taking no clicks or focus.
    assert overlay.geometry().center().y() > window.canvas.height() * 0.6
    assert abs(overlay.geometry().center().x() - window.canvas.width() // 2) <= 1
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert overlay.focusPolicy() == Qt.FocusPolicy.NoFocus
    # It holds for KEY_HOLD_MS after the last key, then fades out. The hold is
    # checked and then ended at once (no test waits 1.5 s); the fade runs as it does.
    hold = overlay.findChild(QTimer, "keyOverlayHold")
    assert hold.isActive() and hold.isSingleShot() and hold.interval() == KEY_HOLD_MS
    hold.stop()
    hold.timeout.emit()
    assert overlay.isVisible()  # fading, not gone at once
    qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=KEY_FADE_MS + 3000)


def test_key_overlay_counts_a_typed_bit_once_and_the_tape_still_gets_it(qtbot, window):
    window.presentation.set_show_keys(True)
    bits = len(window.adapter.session.bits)
    press(qtbot, window, Qt.Key.Key_1)
    assert len(window.adapter.session.bits) == bits + 1
    assert window.presentation.key_overlay.text() == "1"


def test_key_overlay_off_shows_nothing(qtbot, window):
    press(qtbot, window, Qt.Key.Key_Right)
    assert not window.presentation.key_overlay.isVisible()
    window.presentation.set_show_keys(True)
    press(qtbot, window, Qt.Key.Key_Right)
    window.actions_by_name["show_keys"].trigger()  # off again
    assert not window.presentation.key_overlay.isVisible()
    press(qtbot, window, Qt.Key.Key_Right)
    assert not window.presentation.key_overlay.isVisible()


def test_caption_line_swallows_the_single_key_shortcuts(qtbot, window):
    window.presentation.set_active(True)
    caption = window.presentation.caption
    press(qtbot, window, Qt.Key.Key_F2)
    assert caption.isVisible() and caption.hasFocus()
    qtbot.keyClicks(caption, "x = 1 ")
    for key in (Qt.Key.Key_Space, Qt.Key.Key_Right, Qt.Key.Key_Period, Qt.Key.Key_0):
        qtbot.keyClick(caption, key)
    assert window.adapter.session.cursor == 0  # nothing stepped
    assert not window.adapter.playing
    assert len(window.adapter.session.bits) == 20  # the 0 typed went into the caption
    assert caption.text() == "x = 1  .0"
    qtbot.keyClick(caption, Qt.Key.Key_Return)
    assert window.tape.hasFocus() and caption.text() == "x = 1  .0"
    assert window.presentation.active  # Enter did not leave presentation mode
    press(qtbot, window, Qt.Key.Key_Right)
    assert window.adapter.session.cursor == 1


def test_esc_in_the_caption_returns_to_the_tape_before_leaving(qtbot, window):
    window.presentation.set_active(True)
    window.presentation.edit_caption()
    qtbot.keyClick(window.presentation.caption, Qt.Key.Key_Escape)
    assert window.tape.hasFocus() and window.presentation.active
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not window.presentation.active


def test_caption_shows_in_the_canvas_image_and_is_hidden_after_leaving(qtbot, window):
    presentation = window.presentation
    assert not presentation.caption.isVisible()
    presentation.set_active(True)
    presentation.caption.setText("watch ho")
    assert window.canvas.isAncestorOf(presentation.caption)
    assert presentation.caption.geometry().bottom() == window.canvas.height() - 1
    presentation.set_active(False)
    assert not presentation.caption.isVisible()
    presentation.set_active(True)
    assert presentation.caption.text() == "watch ho"


def test_closing_in_presentation_mode_saves_the_normal_layout(qtbot):
    settings = QSettings()
    first = make_window(qtbot, settings=settings)
    first.presentation.set_active(True)
    first.close()
    assert not first.presentation.active
    second = make_window(qtbot, settings=settings)
    assert all(chrome_shown(second).values())


def test_a_wrapped_lesson_caption_never_pushes_the_plots_below_the_window(qtbot, window):
    # Word-wrapped captions give the canvas a height-for-width; a scroll area
    # that honours it makes the canvas taller than the window, cutting off
    # the bottom of the plots with no scroll bar to reach it.
    window.setFixedSize(1280, 800)
    window.session_files.open_lesson(4)
    window.adapter.step(12)
    bar = window.session_files.lesson_bar
    qtbot.waitUntil(lambda: bar.isVisible() and bar.height() > 0)
    for _ in range(3):  # let every deferred layout request run
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    viewport = window.presentation.stage.viewport()
    assert window.canvas.size() == viewport.size()
    plots = window.plots
    bottom = plots.mapTo(window.canvas, plots.rect().bottomLeft()).y()
    assert bottom < viewport.height()


# -- the presentation layout (issue 12 §3) --------------------------------------------------


def settle() -> None:
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())


def cut_off(canvas: QWidget) -> list[str]:
    """Visible widgets of *canvas* that reach outside it, outside their parent,
    or were squeezed below the size they need; the content of scroll areas scrolls."""
    found = []
    for widget in canvas.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow():
            continue
        parent = widget.parentWidget()
        if isinstance(parent.parentWidget(), QAbstractScrollArea) and parent.objectName() == "qt_scrollarea_viewport":
            continue
        name = f"{type(widget).__name__} {widget.objectName()!r} at {rect_in(widget, canvas)}"
        if not canvas.rect().contains(rect_in(widget, canvas)):
            found.append(f"{name} outside the canvas")
        elif not parent.rect().contains(widget.geometry()):
            found.append(f"{name} outside its parent")
        minimum = widget.minimumSizeHint().expandedTo(widget.minimumSize())
        if widget.width() < minimum.width() or widget.height() < minimum.height():
            found.append(f"{name} squeezed below {minimum}")
    return found


def bands(window) -> list[tuple[str, int]]:
    """The empty horizontal bands of the canvas: from its top to the tape, between the
    rows, and from the last row to its bottom (name of the row below, height)."""
    canvas = window.canvas
    rows = [window.tape, window.main_split, window.status, window.presentation.caption]
    edges = [(rect_in(row, canvas), row.objectName() or type(row).__name__) for row in rows if row.isVisible()]
    gaps, y = [], 0
    for rect, name in edges:
        gaps.append((name, rect.top() - y))
        y = rect.bottom() + 1
    gaps.append(("bottom", canvas.height() - y))
    return gaps


def check_presentation_layout(window, size: tuple[int, int]) -> None:
    canvas = window.canvas
    assert (canvas.width(), canvas.height()) == size
    # The plots are the lesson: at least half the canvas, and their data area
    # no narrower than the diagram beside them.
    assert window.plots.width() >= size[0] / 2
    assert window.plots.plot_item("ih").getViewBox().width() >= 0.25 * size[0]
    assert cut_off(canvas) == []
    # No blank band: between the rows only the layout's spacing.
    assert max(gap for _, gap in bands(window)) <= 8, bands(window)
    # The diagram and the equations stay readable beside them.
    assert window.diagram.width() >= 380 and window.diagram.height() >= 280
    assert window.equations.isVisible() and window.equations.width() >= 0.3 * size[0]
    assert not window.tape.editing_hints


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_f11_on_a_fixed_canvas_gives_the_plots_half_the_width_and_clips_nothing(qtbot, window, size):
    window.presentation.set_canvas_size(size)
    window.adapter.step(12)
    press(qtbot, window, Qt.Key.Key_F11)
    settle()
    check_presentation_layout(window, size)


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_a_presentation_recording_gives_the_plots_half_the_width_and_clips_nothing(qtbot, size):
    # What `rnnviz record … --presentation` and the presentation screenshots film.
    adapter = SessionAdapter(Session("1^10 0^10"))
    adapter.step(12)
    window = offscreen_window(adapter, size, presentation=True)
    qtbot.addWidget(window)
    settle()
    # The window is the canvas here: nothing else is in the picture.
    assert (window.width(), window.height()) == size
    check_presentation_layout(window, size)


def test_slow_motion_text_on_a_small_canvas_clips_nothing(qtbot, window):
    # The longest status line (a slow-motion stage) and a caption at 1280×720.
    window.presentation.set_canvas_size((1280, 720))
    window.adapter.step(12)
    window.presentation.set_active(True)
    window.actions_by_name["stage"].trigger()
    window.actions_by_name["stage"].trigger()
    window.presentation.caption.setText("watch how ho falls once the 0s begin")
    settle()
    assert "slow motion" in window.status.text()
    assert cut_off(window.canvas) == []
    assert window.status.fontMetrics().horizontalAdvance(window.status.text()) <= window.status.width()


def test_an_empty_caption_takes_no_room_until_typed_into(qtbot, window):
    window.presentation.set_active(True)
    caption = window.presentation.caption
    assert window.actions_by_name["caption"].isChecked() and not caption.isVisible()
    assert bands(window)[-1][1] <= 8
    press(qtbot, window, Qt.Key.Key_F2)
    assert caption.isVisible() and caption.hasFocus()
    qtbot.keyClick(caption, Qt.Key.Key_Escape)  # nothing typed: the line goes again
    assert window.tape.hasFocus() and not caption.isVisible()
    caption.setText("a caption set by a session file shows at once")
    assert caption.isVisible()


def test_leaving_puts_the_equations_back_as_a_column(qtbot, window):
    split = window.main_split
    before = [split.widget(i) for i in range(split.count())]
    window.presentation.set_active(True)
    assert window.left.isAncestorOf(window.equations)
    window.actions_by_name["equations"].trigger()  # F9: closed in presentation mode
    window.presentation.set_active(False)
    assert [split.widget(i) for i in range(split.count())] == before
    assert not window.equations.isVisible()
    window.actions_by_name["equations"].trigger()
    assert window.equations.isVisible()
    assert window.tape.editing_hints


def test_leaving_puts_two_columns_after_the_plots_back_in_their_order(qtbot, window):
    from PySide6.QtWidgets import QLabel

    split = window.main_split
    extra = QLabel("a second column")  # as a kind's view placed after the plots would be
    split.addWidget(extra)
    before = [split.widget(i) for i in range(split.count())]
    assert before.index(extra) == before.index(window.equations) + 1
    window.presentation.set_active(True)
    assert window.left.isAncestorOf(extra) and window.left.isAncestorOf(window.equations)
    window.presentation.set_active(False)
    assert [split.widget(i) for i in range(split.count())] == before


# -- the first frame (issue 12 §4) -------------------------------------------------------------


class PaintWatch(QObject):
    """Notes, at each paint of the window, where the main views are and what is shown."""

    def __init__(self, window) -> None:
        super().__init__()
        self.window = window
        self.frames: list[dict[str, object]] = []
        QApplication.instance().installEventFilter(self)

    def layout(self) -> dict[str, object]:
        w = self.window
        return {
            "window": (w.width(), w.height()),
            **{name: rect_in(view, w) for name, view in
               (("tape", w.tape), ("diagram", w.diagram), ("plots", w.plots), ("status", w.status))},
            "status bar": w.statusBar().isVisible(),
            "scale": w.presentation.scale,
        }

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                and watched.window() is self.window):
            self.frames.append(self.layout())
        return False

    def stop(self) -> None:
        QApplication.instance().removeEventFilter(self)


def test_the_first_frame_after_f11_is_the_finished_full_screen_layout(qtbot, window):
    # The offscreen platform, like a window manager, gives the window its
    # full-screen size a moment after showFullScreen().
    window.presentation.full_screen = True
    settle()
    watch = PaintWatch(window)
    try:
        press(qtbot, window, Qt.Key.Key_F11)
        qtbot.waitUntil(lambda: window.isFullScreen() and len(watch.frames) > 0)
        settle()
        final = watch.layout()
    finally:
        watch.stop()
    screen = window.screen().geometry()
    assert final["window"] == (screen.width(), screen.height())
    assert not final["status bar"]
    assert watch.frames[0] == final


def test_the_first_frame_after_a_resize_in_presentation_mode_is_laid_out(qtbot, window):
    window.resize(1280, 800)
    window.presentation.set_active(True)
    settle()
    watch = PaintWatch(window)
    try:
        window.resize(1920, 1080)  # a taller canvas: larger text, a new layout
        qtbot.waitUntil(lambda: len(watch.frames) > 0)
        settle()
        final = watch.layout()
    finally:
        watch.stop()
    assert final["scale"] > 1.5
    assert watch.frames[0] == final


def test_the_first_frame_after_leaving_full_screen_is_the_normal_layout(qtbot, window):
    window.presentation.full_screen = True
    window.resize(760, 600)  # smaller than the offscreen screen, so it goes back as it was
    qtbot.waitUntil(lambda: window.width() == 760)
    before = window.geometry()
    press(qtbot, window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    settle()
    watch = PaintWatch(window)
    try:
        press(qtbot, window, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not window.isFullScreen() and len(watch.frames) > 0)
        settle()
        final = watch.layout()
    finally:
        watch.stop()
    assert window.size() == before.size()
    assert final["status bar"] and final["scale"] == 1.0
    assert watch.frames[0] == final


# -- faults found by fuzzing (issue 12 §5) ---------------------------------------------------------


def test_leaving_after_the_focused_button_was_deleted(qtbot, window):
    # A button of the window had the keyboard at F11, and was gone by Esc.
    button = QPushButton("Close", window.canvas)
    button.show()
    button.setFocus()
    assert QApplication.focusWidget() is button
    window.presentation.set_active(True)
    button.deleteLater()
    qtbot.waitUntil(lambda: window.canvas.findChild(QPushButton) is None)
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not window.presentation.active
    assert window.tape.hasFocus()


def test_leaving_after_the_focused_dialog_was_deleted(qtbot, window):
    # The keyboard was in another window (a progress dialog) at F11.
    dialog = QDialog(window)
    QVBoxLayout(dialog).addWidget(button := QPushButton("Cancel"))
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is button)
    window.presentation.set_active(True)
    dialog.deleteLater()
    qtbot.waitUntil(lambda: window.findChild(QDialog) is None)
    window.activateWindow()
    window.presentation.set_active(False)
    assert not window.presentation.active
    assert all(chrome_shown(window).values())


def test_a_window_rendered_off_the_screen_keeps_its_size(qtbot):
    # A recording's window on a real display: presentation mode, not full screen,
    # and painted at once (a recording grabs it straight away).
    adapter = SessionAdapter(Session("1^10 0^10"))
    window = offscreen_window(adapter, (1280, 720))
    qtbot.addWidget(window)
    window.presentation.full_screen = True
    window.presentation.set_active(True)
    assert not window.isFullScreen() and (window.width(), window.height()) == (1280, 720)
    assert window.updatesEnabled()
