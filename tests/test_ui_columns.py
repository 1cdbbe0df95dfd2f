"""The one-neuron window's optional columns (phase plot F8, sweep F7, equations F9) leave the
weight plots readable and are never cut, at 1280×720 and 1920×1080, normal and presentation mode.

Each window is built as ``rnnviz screenshot --phase --sweep`` and ``rnnviz record
--presentation`` build theirs: an offscreen window at exactly that size, the views switched
on after it is laid out (rnnviz.ui.columns says what gives way when not everything fits).
"""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QWidget

from rnnviz.session import Session
from rnnviz.ui import columns
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.app import offscreen_window

#: At 1280×720 the four stacked plots are each at least this tall (the columns do not change it).
MIN_PLOT_VIEW_HEIGHT = 100
COMBINATIONS = list(itertools.product((False, True), repeat=3))  # phase, sweep, equations


def settle() -> None:
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())


@pytest.fixture
def build(qtbot):
    adapters = []

    def make(size, presentation, phase, sweep, equations):
        adapter = SessionAdapter(Session("1^10 0^10"))
        adapters.append(adapter)
        adapter.step(13)
        window = offscreen_window(adapter, size, presentation=presentation)
        qtbot.addWidget(window)
        told = window.told = []  # every line the status line says, in order
        say = window.workspace.tell
        window.workspace.tell = lambda text: (told.append(text), say(text))
        if not equations:
            window.actions_by_name["equations"].trigger()
        if phase:
            window.actions_by_name["phase_plot"].trigger()
        if sweep:
            window.actions_by_name["sweep_view"].trigger()
            window.sweep_view.compute()  # as the screenshot does: its legend at full size
        settle()
        return window

    yield make
    for adapter in adapters:
        adapter.shutdown()


def message(window) -> str:
    """What the status line says now (under the tape in presentation mode)."""
    return window.tape.message if window.presentation.active else window.statusBar().currentMessage()


def check_layout(window, asked: dict[str, bool]) -> None:
    for name in ("ih", "hh", "ho", "signals"):
        box = window.plots.plot_item(name).vb
        assert box.width() >= columns.MIN_PLOT_VIEW, name
        assert box.height() >= MIN_PLOT_VIEW_HEIGHT, name
    whole = window.rect()
    for name, wanted in asked.items():
        view = getattr(window, name)
        assert window.actions_by_name[name].isChecked() == (not view.isHidden()), name
        if view.isHidden():
            if wanted:  # given way to a view asked for later: the status line said so, with its key
                assert any(columns.NAMES[name][1] in line for line in window.told), name
            continue
        assert wanted, name
        rect = rect_in(view, window)
        assert whole.contains(rect), name
        # Not cut by the splitter it sits in (stacked under the diagram in presentation mode).
        assert rect_in(view.parentWidget(), window).contains(rect), name
        assert view.height() >= view.minimumHeight() and view.width() >= view.minimumWidth(), name


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
@pytest.mark.parametrize(("phase", "sweep", "equations"), COMBINATIONS)
def test_at_1280x720_every_combination_keeps_the_plots_readable_and_nothing_cut(
        build, presentation, phase, sweep, equations):
    window = build((1280, 720), presentation, phase, sweep, equations)
    check_layout(window, {"phase_plot": phase, "sweep_view": sweep, "equations": equations})
    # The view asked for last is the one shown.
    last = "sweep_view" if sweep else "phase_plot" if phase else None
    if last is not None:
        assert not getattr(window, last).isHidden()


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_larger_screens_keep_more_views(build, size, presentation):
    window = build(size, presentation, True, True, True)
    check_layout(window, {"phase_plot": True, "sweep_view": True, "equations": True})
    if size == (1920, 1080) and not presentation:
        shown = [n for n in columns.GIVE_WAY if not getattr(window, n).isHidden()]
        assert shown == list(columns.GIVE_WAY)  # room for all three


def test_f9_after_the_equations_gave_way_shows_them_in_place_of_another(build):
    window = build((1280, 720), False, True, False, True)
    assert window.equations.isHidden()  # the phase plot took their place, and said so
    window.actions_by_name["equations"].trigger()
    settle()
    assert not window.equations.isHidden()
    assert window.phase_plot.isHidden() and not window.actions_by_name["phase_plot"].isChecked()
    assert "in place of the phase plot" in message(window) and "F8" in message(window)
    check_layout(window, {"phase_plot": True, "sweep_view": False, "equations": True})


def test_narrowing_the_window_hides_what_no_longer_fits_and_says_so(build, qtbot):
    """At 1920×1080 all three columns fit; narrowed to 1280 wide, the plots would be squeezed,
    so the columns give way as when shown (equations first) and the status line names them."""
    window = build((1920, 1080), False, True, True, True)
    assert all(not getattr(window, name).isHidden() for name in columns.GIVE_WAY)
    window.setFixedSize(1280, 1080)  # the offscreen window keeps a fixed size
    qtbot.waitUntil(lambda: window.equations.isHidden())
    settle()
    check_layout(window, {"phase_plot": True, "sweep_view": True, "equations": True})
    assert "Hidden for want of room: the equations" in message(window) and "F9" in message(window)
    # Widened again, nothing is hidden or shown by itself.
    window.setFixedSize(1920, 1080)
    settle()
    assert window.equations.isHidden() and not window.phase_plot.isHidden()
