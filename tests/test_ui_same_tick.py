"""Every panel of the main window shows the same tick (and stage), frame after frame.

A paused lecture video must never contradict itself: the diagram, the
equations, the plots' side boxes and the tape's x/y marks are read after each
change the adapter announces — the moment the next frame is painted — and
compared. The equation panel may instead say that it is updating (when play
is too fast to read), never show an older tick as if it were current.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from rnnviz.engine.history import WEIGHTS
from rnnviz.ui import theme
from rnnviz.present.stages import Stage
from clocks import ManualTimer
from windows import make_window

# The offscreen platform warns when a top-level widget is shown; it is not ours to fix.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

_DIAGRAM_TICK = re.compile(r"(?:before )?tick ([\d,]+) of [\d,]+\b.*input x = (\d), target y = (\d)")
_EQUATIONS_TICK = re.compile(r"^Tick ([\d,]+) of [\d,]+")
_EQUATIONS_BITS = re.compile(r"^input x = (\d), target y = (\d)")
_STAGE = re.compile(r"stage (\d) of \d")
_HEADER_VALUE = re.compile(r"=\s*<span[^>]*>([^<]+)</span>")


def shown(window) -> dict[str, object]:
    """What each panel displays now: tick (1-based), x, y and stage as each says it, and the weights."""
    diagram = window.diagram.state().caption
    d_tick, d_x, d_y = _DIAGRAM_TICK.search(diagram).groups()
    d_stage = _STAGE.search(diagram)
    lines = window.equations.text().splitlines()
    e_tick = _EQUATIONS_TICK.match(lines[0]).group(1)
    e_x, e_y = _EQUATIONS_BITS.match(lines[1]).groups()
    e_stage = _STAGE.search(lines[0])
    x_bit, y_bit = window.tape.highlighted()
    bits = window.adapter.session.bits
    return {
        "diagram": (int(d_tick.replace(",", "")), int(d_x), int(d_y),
                    d_stage and int(d_stage.group(1))),
        "equations": (int(e_tick.replace(",", "")), int(e_x), int(e_y),
                      e_stage and int(e_stage.group(1))),
        "tape": (x_bit + 1, int(bits[x_bit]), int(bits[y_bit]),
                 None if window.adapter.stage is None else int(window.adapter.stage) + 1),
        "updating": window.equations.updating,
        "diagram weights": {w: window.diagram.state().edges[w].label.split(" = ")[1] for w in WEIGHTS},
        "plot weights": {w: _HEADER_VALUE.search(window.plots.value_label(w).text()).group(1)
                         for w in WEIGHTS},
    }


def assert_one_tick(view: dict[str, object]) -> None:
    """The panels agree; the equations may only differ while they say they are updating."""
    assert view["tape"] == view["diagram"], view
    assert view["plot weights"] == view["diagram weights"], view
    if not view["updating"]:
        assert view["equations"] == view["diagram"], view


def tape_mark_colours(window) -> tuple[QColor, QColor]:
    """The fill colours painted in the cells the tape marks as x and y."""
    tape = window.tape
    image = tape.viewport().grab().toImage()
    x_bit, y_bit = tape.highlighted()
    ratio = image.devicePixelRatio()

    def fill(index: int) -> QColor:
        corner = tape.cell_rect(index).topLeft()  # inside the rounded cell, clear of its digit
        return image.pixelColor(round((corner.x() + 4) * ratio), round((corner.y() + 4) * ratio))

    return fill(x_bit), fill(y_bit)


def test_every_panel_shows_the_same_tick_while_playing(qtbot):
    # Played at 10 ticks/s, a frame used to show the diagram at tick 8 while
    # the equations and the plots' values still showed tick 6.
    # On the window's real timer: the equation panel's Throttle judges the pace
    # from its own clock, which MainWindow does not let a test replace, so
    # periods fired at once would veil it and hide the lag this test catches.
    window = make_window(qtbot, "(10)^30")
    adapter = window.adapter
    views: list[dict[str, object]] = []
    # Connected after every panel, so it reads them after they have followed the change.
    adapter.changed.connect(lambda _flags: views.append(shown(window)))
    adapter.set_speed(10)
    adapter.play()
    qtbot.waitUntil(lambda: adapter.session.cursor >= 8, timeout=10_000)
    adapter.pause()
    assert len(views) >= 8
    for view in views:
        assert_one_tick(view)
    assert_one_tick(shown(window))
    assert not window.equations.updating  # paused: exact


def test_in_slow_motion_the_tape_and_the_plot_values_follow_the_stage(qtbot):
    # (10)^10, Home, →, →, Shift+→: the diagram and the equations said
    # "tick 3: input x = 1, target y = 0" while the tape still marked tick 2's
    # bits, and at the change of ho the plot kept the old ho.
    window = make_window(qtbot, "(10)^10")
    adapter = window.adapter
    assert adapter.session.params.rule == "sequential"  # ho moves at its own stage
    for key, modifier in ((Qt.Key.Key_Home, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier)):
        qtbot.keyClick(window.tape, key, modifier)
    assert adapter.session.cursor == 2
    ho_before = shown(window)["plot weights"]["ho"]
    stages_seen = []
    for _ in Stage:
        qtbot.keyClick(window.tape, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        view = shown(window)
        assert_one_tick(view)
        assert view["diagram"][0] == 3  # the third tick (bits 3 and 4), taken apart
        stages_seen.append(view["diagram"][3])
        x_fill, y_fill = tape_mark_colours(window)
        assert x_fill == QColor(theme.INPUT_HIGHLIGHT) and y_fill == QColor(theme.TARGET_HIGHLIGHT)
        if adapter.stage == Stage.GRAD_HO:
            assert view["plot weights"]["ho"] != ho_before  # ho moved, on every panel
    assert stages_seen == [stage + 1 for stage in Stage]
    assert window.tape.highlighted() == (2, 3)


def test_slow_motion_play_shows_one_tick_and_stage_on_every_panel(qtbot):
    # Each stage change is drawn at once by every panel (the equations'
    # throttle does not judge the pace of stages), so the play timer is fired
    # period by period instead of waited for.
    play = ManualTimer()
    window = make_window(qtbot, "(10)^6", timer_factory=play)
    adapter = window.adapter
    views: list[dict[str, object]] = []
    adapter.changed.connect(lambda _flags: views.append(shown(window)))
    adapter.set_slow_motion(True)
    adapter.set_speed(30)
    adapter.play()
    assert play.fire_until(lambda: adapter.session.cursor >= 2 and adapter.stage == Stage.UPDATE) \
        == 2 * len(Stage)  # two ticks, one stage a period
    adapter.pause()
    assert len(views) == 2 * len(Stage)  # one frame a period, each of them checked below
    stages = {view["diagram"][3] for view in views}
    assert stages == {stage + 1 for stage in Stage}  # every stage was shown and checked
    for view in views:
        assert_one_tick(view)
        assert not view["updating"]  # a stage is always drawn at once
