"""Recording in the app: deterministic renders, the live recorder, Record and Render actions.

Time is never the wall clock here: renders run on their virtual clock, and the
live recorder is fed "now" values by the test.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QPushButton

from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams
from rnnviz.engine.sequences import parse_sequence
from rnnviz.io.video import VideoWriter, probe
from rnnviz.ui import recording
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.mainwindow import MainWindow
from rnnviz.ui.recording import RenderOptions, make_timeline, record_stream
from rnnviz.session import Session
from clocks import ManualClock

#: Small but above the window's smallest layout, so renders stay quick.
SIZE = (760, 600)


def pngs(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted(folder.glob("frame_*.png"))]


def hidden_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# -- the timeline ----------------------------------------------------------------------
def test_timeline_holds_the_ends_and_spaces_the_ticks_by_the_pace():
    line = make_timeline(ticks=3, fps=10, speed=4, hold_s=1)
    # 10 held frames, ticks at 10, 12.5→12, 15, the last shown 2.5→2 frames… then 10 held.
    assert [line.tick_frame(k) for k in (1, 2, 3)] == [10, 12, 15]
    assert line.frames == 10 + 8 + 10 and line.seconds == pytest.approx(2.8)
    assert [line.ticks_before(f) for f in (0, 9, 10, 11, 12, 14, 15, 27)] == [0, 0, 1, 1, 2, 2, 3, 3]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"speed": 40, "fps": 30}, r"--speed 40 ticks/s is faster than --fps 30"),
        ({"speed": 0}, r"--speed must be at least 0.1"),
        ({"fps": 500}, r"--fps must be between 1 and 120"),
        ({"ticks": -1}, r"--ticks must not be negative"),
    ],
)
def test_impossible_paces_are_refused(kwargs, message):
    args = {"ticks": 3, "fps": 30, "speed": 2} | kwargs
    with pytest.raises(InputError, match=message):
        make_timeline(**args)


# -- deterministic rendering -------------------------------------------------------------------
def test_the_same_render_twice_gives_the_same_frames_with_the_glow_in_virtual_time(qtbot, tmp_path):
    bits = parse_sequence("1^10 0^10")
    results = []
    for name in ("a", "b"):
        results.append(record_stream(f"{tmp_path / name}/", bits, LearnerParams(), 2, SIZE,
                                     fps=8, speed=2, hold_s=0.5))
    first, second = pngs(tmp_path / "a"), pngs(tmp_path / "b")
    # 4 held + 2 ticks × 4 frames + 4 held.
    assert results[0].frames == len(first) == 16 and results[0].seconds == 2.0
    assert first == second
    # The start is held; tick 1 comes at frame 5 with its glow, which fades
    # over the next frames (350 ms = 2.8 frames) and then the picture stands.
    assert len(set(first[:4])) == 1
    assert len({first[4], first[5], first[6]}) == 3 and first[3] != first[4]
    assert first[11] == first[12] == first[15]
    assert hidden_leftovers(tmp_path) == []


def play_script(renderer: recording.StreamRenderer, moves: dict[int, Callable[[], None]]) -> list[np.ndarray]:
    """Every frame of *renderer*, with ``moves[n]()`` done just before frame *n*."""
    frames = []
    while not renderer.done:
        moves.get(renderer.next_frame, lambda: None)()
        frames.append(renderer.render_next())
    return frames


def scripted_renderer() -> tuple[recording.StreamRenderer, dict[int, Callable[[], None]]]:
    """1280×720, a tick every 5 frames with its 7-frame glow, a step back at frame 13
    (ticked again at once), presentation mode from frame 22, two ticks back at frame 31."""
    renderer = recording.StreamRenderer(parse_sequence("1^10 0^10"), LearnerParams(), 8, (1280, 720),
                                        fps=20, speed=4, hold_s=0.25)
    window, adapter = renderer.window, renderer.adapter
    moves = {
        13: adapter.back,
        22: lambda: window.presentation.set_active(True),
        31: lambda: adapter.back(2),
    }
    return renderer, moves


def test_frames_read_from_the_painted_window_are_a_full_grab_pixel_for_pixel(qtbot, monkeypatch):
    fast, moves = scripted_renderer()
    try:
        # Offscreen, frames are the pixels the window painted, not grabs.
        assert recording.painted_image(fast.window) is not None
        read = play_script(fast, moves)
    finally:
        fast.close()
    monkeypatch.setattr(recording, "painted_image", lambda window: None)
    grabbing, moves = scripted_renderer()
    try:
        grabbed = play_script(grabbing, moves)
    finally:
        grabbing.close()
    assert len(read) == len(grabbed) == 50
    for index, (frame, grab) in enumerate(zip(read, grabbed, strict=True)):
        assert np.array_equal(frame, grab), f"frame {index} differs from a grab"
    # The run shows something: the glow fading, the step back, presentation mode.
    assert len({frame.tobytes() for frame in read}) > 30
    assert not np.array_equal(read[21], read[22])


def test_frames_equal_a_grab_of_the_same_moment_while_playing(qtbot):
    # Play's own timer takes ticks while events run, and a step back comes
    # from inside the event loop: changes that reach a plot only a turn of
    # the loop later must be in the frame, as a grab shows them at once.
    renderer, moves = scripted_renderer()
    adapter = renderer.adapter
    adapter.set_speed(60)
    moves[13] = lambda: QTimer.singleShot(0, adapter.back)
    moves[2] = adapter.play
    played = []
    moves[3] = lambda: played.append(adapter.playing)
    watch, previous, reused = renderer._watch, None, 0
    try:
        while not renderer.done:
            moves.get(renderer.next_frame, lambda: None)()
            frame = renderer.render_next()
            reused += frame is previous
            previous = frame
            # A grab's own paints must not count as changes, or every frame
            # would be read afresh and a wrongly reused one never seen.
            watch._grabbing = True
            try:
                grab = recording.grab_window(renderer.window, renderer.size)
            finally:
                watch._grabbing = False
            assert np.array_equal(frame, grab), f"frame {renderer.next_frame - 1} differs from a grab"
    finally:
        adapter.pause()
        renderer.close()
    assert played == [True]
    assert reused > 0  # some frames were the last picture again, and were right to be


def unwatched_grab(renderer: recording.StreamRenderer) -> np.ndarray:
    """A full grab of the renderer's window whose paints do not count as changes."""
    watch = renderer._watch
    watch._grabbing = True
    try:
        return recording.grab_window(renderer.window, renderer.size)
    finally:
        watch._grabbing = False


def test_a_timer_due_at_every_turn_of_the_event_loop_is_painted_whole_in_the_frame(qtbot):
    # Play on a machine slower than its pace: its timer is due again at every
    # turn of the event loop, so the window changes while a frame settles. A
    # zero-interval timer is that machine, deterministically. The frame must
    # still be the window as a grab shows it right after, every panel at one tick.
    renderer = recording.StreamRenderer(parse_sequence("(10)^40"), LearnerParams(), 3, SIZE,
                                        fps=4, speed=2, hold_s=0)
    adapter = renderer.adapter
    play = QTimer()
    play.setObjectName("playAtEveryTurn")
    play.setInterval(0)
    play.timeout.connect(adapter.step)
    play.start()
    try:
        cursors = []
        for _ in range(4):
            frame = renderer.render_next()
            cursors.append(adapter.session.cursor)
            assert np.array_equal(frame, unwatched_grab(renderer)), f"frame {renderer.next_frame - 1} differs from a grab"
    finally:
        play.stop()
        renderer.close()
    # The timer did move the session while frames settled, more than the timeline asks.
    assert cursors[-1] > renderer.timeline.ticks_before(3)
    assert len(set(cursors)) == 4


def test_a_render_leaves_no_window_behind(qtbot, tmp_path):
    from PySide6.QtWidgets import QApplication

    before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    record_stream(f"{tmp_path / 'f'}/", parse_sequence("1^3"), LearnerParams(), 1, SIZE,
                  fps=4, speed=2, hold_s=0)
    after = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    assert after <= before


def test_a_size_too_small_for_the_window_is_refused(qtbot, tmp_path):
    with pytest.raises(InputError, match=r"--size 320x240 is smaller than the window can be laid out in"):
        record_stream(tmp_path / "a.mp4", parse_sequence("1^3"), LearnerParams(), 1, (320, 240))
    assert list(tmp_path.iterdir()) == []


# -- the window's actions -----------------------------------------------------------------------
def open_window(qtbot, stream: str) -> MainWindow:
    adapter = SessionAdapter(Session(stream))
    window = MainWindow(adapter, settings=None, restore_settings=False)
    qtbot.addWidget(window)
    window.resize(801, 601)  # odd: the live recorder makes it even
    window.show()
    qtbot.waitExposed(window)
    controller = window.recording_controller
    controller.problems = []
    controller.report = lambda title, text: controller.problems.append(text)
    return window


@pytest.fixture
def window(qtbot):
    window = open_window(qtbot, "1^10 0^10")
    yield window
    window.recording_controller.shutdown()


@pytest.fixture
def long_window(qtbot):
    """A window on a stream of 199 ticks, to change at every frame for a while."""
    window = open_window(qtbot, "(10)^100")
    yield window
    window.recording_controller.shutdown()


def test_record_and_render_are_in_the_file_menu_with_ctrl_r(window):
    act = window.actions_by_name
    entries = [a for a in window.menus["file"].actions() if not a.isSeparator()]
    assert act["record"] in entries and act["render_video"] in entries
    assert act["record"].isCheckable() and act["record"].shortcut().toString() == "Ctrl+R"


def test_live_recording_holds_the_picture_while_nothing_happens(window, qtbot, tmp_path):
    controller = window.recording_controller
    controller.clock = clock = ManualClock(100.0)
    out = tmp_path / "live"
    assert controller.start_recording(f"{out}/")
    assert controller.recording and window.actions_by_name["record"].isChecked()
    assert controller.indicator.isVisible() and window.windowTitle().startswith("\u25cf REC 0:00")
    assert controller.live.frames == 1
    grabs = controller.live.grabs
    clock.now += 1.0  # a second with nothing done: 30 more frames, no new picture
    controller.capture_now()
    assert controller.live.frames == 31 and controller.live.grabs == grabs
    assert window.windowTitle().startswith("\u25cf REC 0:01")
    window.adapter.step()
    window.repaint()
    clock.now += 1 / 30
    controller.capture_now()
    assert controller.live.frames == 32 and controller.live.grabs == grabs + 1
    window.actions_by_name["record"].trigger()  # Ctrl+R again: stop
    assert not controller.recording and not controller.indicator.isVisible()
    assert window.windowTitle() == "rnnviz \u2014 20 bits"
    qtbot.waitUntil(lambda: not controller.busy, timeout=10_000)
    frames = pngs(out)
    assert len(frames) == 32
    assert len(set(frames[:31])) == 1 and frames[31] != frames[30]
    assert "Saved" in window.statusBar().currentMessage()
    assert not window.actions_by_name["record"].isChecked()


def test_live_frames_are_even_sized_and_missed_frames_repeat_the_last_picture(window, qtbot, tmp_path):
    controller = window.recording_controller
    controller.clock = clock = ManualClock(5.0)
    assert controller.start_recording(str(tmp_path / "live.mp4"))
    assert controller.live.size == (800, 600)
    window.adapter.step()
    window.repaint()
    clock.now = 5.5  # the GUI was busy for half a second: 15 frames due at once
    controller.capture_now()
    assert controller.live.frames == 16 and controller.live.grabs == 2
    controller.stop_recording()
    qtbot.waitUntil(lambda: not controller.busy, timeout=10_000)
    info = probe(tmp_path / "live.mp4")
    assert (info.width, info.height, info.frames, info.pix_fmt) == (800, 600, 16, "yuv420p")


def test_an_odd_sized_window_is_filmed_pixel_for_pixel_not_scaled(window, qtbot, tmp_path):
    controller = window.recording_controller
    controller.clock = ManualClock(1.0)
    assert (window.width(), window.height()) == (801, 601)
    grabbed = recording.image_to_array(window.grab().toImage())
    assert controller.start_recording(f"{tmp_path / 'live'}/")
    controller.stop_recording()
    qtbot.waitUntil(lambda: not controller.busy, timeout=10_000)
    frame = recording.image_to_array(QImage.fromData(pngs(tmp_path / "live")[0]))
    # The last column and row are cut; the rest (menus, diagram, plots: all
    # but the status bar, where the REC label sits) is the window's own pixels.
    assert frame.shape == (600, 800, 3)
    assert (frame[:500] == grabbed[:500, :800]).all()


class GatedEncoder:
    """An encoder that takes no frame until the test opens its gate: one that cannot keep up.

    The wait has a limit only so that a recorder which waits for its
    encoder fails the test instead of hanging it.
    """

    def __init__(self, inner, gate: threading.Event) -> None:
        self.inner, self.gate = inner, gate
        self.taken = 0
        self.holding = threading.Event()  # set once it has taken a frame

    def write(self, frame: np.ndarray) -> None:
        self.taken += 1
        self.holding.set()
        if not self.gate.wait(timeout=60):
            raise RuntimeError("the encoder was never let go: something waited for it")
        self.inner.write(frame)

    def finish(self, cancelled) -> None:
        self.inner.finish(cancelled)

    def abort(self) -> None:
        self.inner.abort()


def change_the_window(window: MainWindow) -> None:
    """A step, painted: the window looks different at every frame."""
    window.adapter.step()
    window.repaint()


def test_a_live_recording_never_waits_for_an_encoder_that_falls_behind(long_window, qtbot, tmp_path):
    window = long_window
    gate = threading.Event()
    encoders: list[GatedEncoder] = []

    def slow(inner):
        encoders.append(GatedEncoder(inner, gate))
        return encoders[-1]

    out = tmp_path / "live"
    writer = VideoWriter(f"{out}/", (800, 600), recording.LIVE_FPS, max_queued=recording.LIVE_PICTURES,
                         max_frames=recording.LIVE_QUEUE, wrap_encoder=slow)
    live = recording.LiveRecorder(window, writer)
    try:
        waiting = []
        for i in range(100):  # over three seconds with the window changing at every frame
            if i:
                change_the_window(window)
            live.capture(i / recording.LIVE_FPS)  # returns, though the encoder takes nothing
            waiting.append((writer.frames_waiting, writer.pictures_waiting))
        assert encoders[0].taken <= 1
        # A few pictures are queued, the rest dropped; none was grabbed only to be dropped.
        assert max(p for _, p in waiting) == recording.LIVE_PICTURES
        assert max(f for f, _ in waiting) <= recording.LIVE_QUEUE
        assert live.due == 100 and live.frames + live.dropped == 100
        assert live.grabs == live.frames <= recording.LIVE_PICTURES + 1
        gate.set()  # the encoder catches up
        qtbot.waitUntil(lambda: writer.frames_waiting == 0 and writer.frames_written == live.frames)
        # The window changed while frames were dropped: the next frame shows it as it is now.
        assert live.capture(100 / recording.LIVE_FPS) == 1
        now = recording.grab_window(window, (800, 600))
        writer.finish()
        qtbot.waitUntil(lambda: writer.done, timeout=20_000)
    finally:
        gate.set()
        live.stop()
        writer.cancel() if not writer.done else None
    assert writer.error is None
    frames = pngs(out)
    assert len(frames) == live.frames
    assert np.array_equal(recording.image_to_array(QImage.fromData(frames[-1])), now)
    assert frames[-1] != frames[-2]  # a tick later than the last picture queued before


def test_a_held_picture_repeats_only_as_far_as_the_encoder_is_behind(window, qtbot, tmp_path):
    gate = threading.Event()
    encoders: list[GatedEncoder] = []

    def slow(inner):
        encoders.append(GatedEncoder(inner, gate))
        return encoders[-1]

    writer = VideoWriter(tmp_path / "held.gif", (800, 600), recording.LIVE_FPS,
                         max_queued=recording.LIVE_PICTURES, max_frames=recording.LIVE_QUEUE,
                         wrap_encoder=slow)
    live = recording.LiveRecorder(window, writer)
    try:
        live.capture(0.0)
        # The worker thread holds the first frame (no Qt events run: the window stays still).
        assert encoders[0].holding.wait(timeout=60)
        live.capture(10.0)  # ten seconds of a still window due at once
        assert live.due == 301 and live.grabs == 1
        assert writer.pictures_waiting == 1 and writer.frames_waiting == recording.LIVE_QUEUE
        assert live.frames == 1 + recording.LIVE_QUEUE and live.dropped == 300 - recording.LIVE_QUEUE
    finally:
        gate.set()
        live.stop()
    writer.close()
    assert probe(tmp_path / "held.gif").frames == live.frames


def test_stop_returns_at_once_and_the_message_says_how_many_frames_were_dropped(long_window, qtbot, tmp_path):
    window = long_window
    controller = window.recording_controller
    controller.clock = clock = ManualClock(0.0)
    gate = threading.Event()
    controller.open_writer = functools.partial(VideoWriter, wrap_encoder=lambda inner: GatedEncoder(inner, gate))
    out = tmp_path / "live.mp4"
    try:
        assert controller.start_recording(str(out))
        live = controller.live
        for i in range(1, 91):  # three seconds of stepping
            change_the_window(window)
            clock.now = i / recording.LIVE_FPS
            controller.capture_now()
        assert window.windowTitle().startswith("\u25cf REC 0:03")  # the time filmed, drops included
        window.actions_by_name["record"].trigger()  # Ctrl+R: stop, while the encoder holds every frame
        assert not controller.recording and not window.actions_by_name["record"].isChecked()
        assert controller.busy and controller.progress is not None  # finishing in the background
        assert live.dropped > 0 and live.frames + live.dropped == 91
    finally:
        gate.set()
    qtbot.waitUntil(lambda: not controller.busy, timeout=20_000)
    assert window.statusBar().currentMessage() == (
        f"Saved {out} ({live.frames} frames; {live.dropped} frames were dropped "
        "because the encoder fell behind)"
    )
    assert probe(out).frames == live.frames
    assert controller.problems == []


def test_recording_to_a_bad_name_says_why_and_does_not_start(window, tmp_path):
    controller = window.recording_controller
    controller.choose_path = lambda title, suggested: str(tmp_path / "talk.avi")
    window.actions_by_name["record"].trigger()
    assert not controller.recording and not window.actions_by_name["record"].isChecked()
    assert "name it *.mp4, *.webm or *.gif" in controller.problems[-1]
    assert list(tmp_path.iterdir()) == []


def test_the_record_and_render_dialogs_open_in_the_last_folder_used_and_remember_theirs(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from rnnviz.ui import folders

    lectures, videos = tmp_path / "lectures", tmp_path / "videos"
    lectures.mkdir()
    videos.mkdir()
    folders.remember_folder(QSettings(), lectures / "week3.rnnviz.json")  # saved there last time
    window = MainWindow(SessionAdapter(Session("1^10 0^10")), settings=QSettings(), restore_settings=False)
    qtbot.addWidget(window)
    controller = window.recording_controller
    controller.clock = ManualClock(1.0)
    asked = []

    def choose(title: str, suggested: str) -> str | None:
        asked.append(suggested)
        return str(videos / "take1.gif") if len(asked) == 1 else None

    controller.choose_path = choose
    try:
        assert controller.start_recording()
        controller.stop_recording()
        qtbot.waitUntil(lambda: not controller.busy, timeout=10_000)
        assert (videos / "take1.gif").is_file()
        controller.render_current(options=RenderOptions(size=SIZE, fps=4, speed=2, ticks=1))
    finally:
        controller.shutdown()
    assert asked == [str(lectures.resolve() / "rnnviz.mp4"), str(videos.resolve() / "rnnviz-stream.mp4")]
    # Every other file dialog starts there too.
    assert folders.last_folder(QSettings(), "") == str(videos.resolve())


def test_without_settings_the_record_folder_is_remembered_while_the_window_lives(window, tmp_path):
    controller = window.recording_controller
    asked = []
    controller.choose_path = lambda title, suggested: asked.append(suggested) or str(tmp_path / "a.avi")
    window.actions_by_name["record"].trigger()  # refused (.avi), but the folder was chosen
    window.actions_by_name["record"].trigger()
    assert Path(asked[0]).parent == Path(recording.videos_folder())
    assert asked[1] == str(tmp_path / "rnnviz.mp4")


def test_cancelling_the_file_dialog_records_nothing(window):
    controller = window.recording_controller
    controller.choose_path = lambda title, suggested: None
    window.actions_by_name["record"].trigger()
    assert not controller.recording and not window.actions_by_name["record"].isChecked()


def test_render_of_the_current_stream_runs_between_events_and_decodes(window, qtbot, tmp_path):
    controller = window.recording_controller
    window.adapter.set_params(eta=2.0)
    out = tmp_path / "stream.gif"
    options = RenderOptions(size=SIZE, fps=4, speed=2, ticks=2)
    assert controller.render_current(str(out), options)
    assert controller.busy and not window.actions_by_name["render_video"].isEnabled()
    qtbot.waitUntil(lambda: not controller.busy, timeout=20_000)
    info = probe(out)
    assert (info.width, info.height, info.frames) == (*SIZE, 4 + 4 + 4)
    assert controller.problems == [] and window.actions_by_name["render_video"].isEnabled()
    # The session shown was not touched by the render.
    assert window.adapter.session.cursor == 0 and window.adapter.session.params.eta == 2.0


def test_cancelling_a_render_leaves_the_old_file_and_nothing_else(window, qtbot, tmp_path):
    controller = window.recording_controller
    out = tmp_path / "stream.mp4"
    out.write_bytes(b"yesterday's take")
    assert controller.render_current(str(out), RenderOptions(size=SIZE, fps=10, speed=2))
    cancel = controller.progress.findChild(QPushButton)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert not controller.busy
    assert out.read_bytes() == b"yesterday's take" and hidden_leftovers(tmp_path) == []
    assert "was not written" in window.statusBar().currentMessage()


def test_cancel_clicked_while_a_frame_renders_stops_quietly(window, qtbot, tmp_path):
    # Rendering a frame runs events, so a click on Cancel lands inside a
    # render slice; the slice must stop there, not write to the cancelled file.
    controller = window.recording_controller
    out = tmp_path / "stream.mp4"
    assert controller.render_current(str(out), RenderOptions(size=SIZE, fps=10, speed=5))
    renderer = controller.renderer
    steps = []

    def click_cancel_soon(_flags) -> None:
        steps.append(renderer.next_frame)
        if len(steps) == 3:
            QTimer.singleShot(0, controller.progress.findChild(QPushButton).click)

    renderer.adapter.changed.connect(click_cancel_soon)
    qtbot.waitUntil(lambda: not controller.busy)
    assert 3 <= len(steps) < renderer.frames  # cancelled partway, from inside a slice
    assert list(tmp_path.iterdir()) == []
    assert "was not written" in window.statusBar().currentMessage()


def test_the_render_options_dialog_offers_the_stream_length(window):
    dialog = recording.RenderOptionsDialog(19, window)
    options = dialog.options()
    assert options == RenderOptions(size=(1280, 720), fps=30.0, speed=2.0, ticks=19)
    dialog.deleteLater()


def test_closing_the_window_while_recording_leaves_no_file(window, qtbot, tmp_path):
    controller = window.recording_controller
    controller.clock = ManualClock(1.0)
    assert controller.start_recording(str(tmp_path / "live.mp4"))
    window.close()
    assert not controller.busy
    assert list(tmp_path.iterdir()) == []


def test_presentation_recording_films_the_large_text_view_without_menus(qtbot):
    bits = parse_sequence("1^10 0^10")
    plain = recording.StreamRenderer(bits, LearnerParams(), 3, (1280, 720), fps=4, speed=4)
    shown = recording.StreamRenderer(bits, LearnerParams(), 3, (1280, 720), fps=4, speed=4,
                                     presentation=True)
    try:
        first_plain, first_shown = next(iter(plain)), next(iter(shown))
        assert first_plain.shape == first_shown.shape == (720, 1280, 3)
        assert plain.window.menuBar().isVisible()
        assert shown.window.presentation.active and not shown.window.menuBar().isVisible()
        assert shown.window.diagram.font_scale() > plain.window.diagram.font_scale()
        assert not (first_plain == first_shown).all()
    finally:
        plain.close()
        shown.close()
