"""Recording screencasts: deterministic renders of a stream, and live recording.

Two ways to make a video, both written by :class:`rnnviz.io.video.VideoWriter`
(which encodes on its own thread):

* :class:`StreamRenderer` renders a window offscreen tick by tick on a
  *virtual* clock: ticks come at the requested pace, every animation of the
  window (the diagram's glow) is paused and moved to the frame's virtual time,
  so the same inputs give the same frames on any machine, however slow.
  Under Qt's offscreen platform (``rnnviz record``) a frame is read from
  the pixels Qt painted for the window, where only what changed was
  repainted (:func:`painted_image`); on a desktop it is grabbed. It backs
  ``rnnviz record`` and File ▸ Render video of this stream….
* :class:`LiveRecorder` films the user's window while they step by hand,
  at a fixed frame rate on the GUI thread. A frame is grabbed only when some
  widget of the window has painted since the last one; otherwise the last
  frame is repeated, so pauses keep their real length at almost no cost.
  It never waits for the encoder: when the encoder falls behind (a very
  large window), frames are dropped and counted, and the file says so when
  it is saved.

:func:`install` adds File ▸ Record (Ctrl+R) and File ▸ Render video of this
stream… to the main window.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
from PySide6.QtCore import (
    QAbstractAnimation,
    QEvent,
    QObject,
    QStandardPaths,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QGuiApplication, QImage, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QSpinBox,
    QTextEdit,
    QWidget,
)

from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams
from rnnviz.io.video import DEFAULT_VIDEO_FPS, DEFAULT_VIDEO_PACE, DEFAULT_VIDEO_SIZE, VideoWriter, check_fps
from rnnviz.session import Session
from rnnviz.ui import folders
from rnnviz.ui.offscreen import WindowClass, offscreen_window

#: Seconds the first and the last picture stay on screen.
HOLD_SECONDS: Final[float] = 1.0
#: The slowest pace of a rendered video, in ticks per second (the fastest is its fps:
#: a tick may not be shown for less than one frame). A pace, like
#: ``DEFAULT_VIDEO_PACE``, not a play speed of the window (``SPEEDS``).
MIN_VIDEO_PACE: Final[float] = 0.1
#: Frames per second of a live recording (File ▸ Record); a rendered video's
#: rate is the user's choice, ``DEFAULT_VIDEO_FPS`` unless they pick another.
LIVE_FPS: Final[int] = 30
#: Frames a live recording may queue ahead of the encoder (held frames are
#: the same array, so a long pause costs no memory): two seconds of a GUI
#: too busy to film, and the most an encoder may be behind before frames are
#: dropped, so Stop leaves at most this much to finish.
LIVE_QUEUE: Final[int] = 60
#: Distinct pictures a live recording may queue: the memory it holds, a few
#: frames (a 3840×2160 frame is 25 MB) however far the encoder falls behind.
LIVE_PICTURES: Final[int] = 3
#: Turns of the event loop a rendered frame may take to be painted completely
#: (two in practice; a widget repainting itself over and over stops there).
SETTLE_ROUNDS: Final[int] = 8
#: GUI time one slice of an in-app render may take before events run again.
RENDER_SLICE_S: Final[float] = 0.05
#: How often the finishing dialog looks at the encoder.
POLL_MS: Final[int] = 50
FILE_FILTERS: Final[str] = "MP4 video (*.mp4);;GIF animation (*.gif);;WebM video (*.webm)"


# -- pictures ---------------------------------------------------------------------------
def image_to_array(image: QImage) -> np.ndarray:
    """An RGB ``height × width × 3`` uint8 copy of *image*."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = rgb.width(), rgb.height()
    rows = np.frombuffer(rgb.constBits(), np.uint8).reshape(height, rgb.bytesPerLine())
    return rows[:, : width * 3].reshape(height, width, 3).copy()


def grab_window(window: QWidget, size: tuple[int, int]) -> np.ndarray:
    """*window* rendered afresh (every widget repainted) to exactly *size* (see :func:`fit_image`)."""
    return fit_image(window.grab().toImage(), size, window.palette().window().color())


def fit_image(image: QImage, size: tuple[int, int], background: QColor) -> np.ndarray:
    """A picture of the window, *image*, as an array of exactly *size*.

    The window normally has the size already. One a pixel wider or taller
    (an odd size cut to an even one for H.264) loses its last column or row,
    so its pixels stay sharp. Otherwise — a scaled screen, a window resized
    during a live recording — it is scaled to fit and centred on the
    window's *background* colour: letterboxed, never distorted.
    """
    width, height = size
    extra_width, extra_height = image.width() - width, image.height() - height
    if (extra_width, extra_height) == (0, 0):
        pass
    elif extra_width in (0, 1) and extra_height in (0, 1):
        image = image.copy(0, 0, width, height)
    else:
        scaled = image.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio,
                              Qt.TransformationMode.SmoothTransformation)
        canvas = QImage(width, height, QImage.Format.Format_RGB32)
        canvas.fill(background)
        painter = QPainter(canvas)
        painter.drawImage((width - scaled.width()) // 2, (height - scaled.height()) // 2, scaled)
        painter.end()
        image = canvas
    return image_to_array(image)


def painted_image(window: QWidget) -> QImage | None:
    """The image Qt keeps *window*'s pixels in, where it can be read; else None.

    Qt paints the changed parts of a window into its backing store, and
    only then copies them to the screen — even for a window that is never
    on screen (``WA_DontShowOnScreen``), where just the copy is skipped. Under
    the offscreen platform that store is a plain image kept from paint to
    paint, so reading it (after :func:`paint_pending`) gives the pixels a
    grab would, at the cost of a copy instead of repainting every widget
    (a grab of 1280×720 takes ~13 ms). On a real platform the store may be
    a buffer of the window system, valid only while painting: grab there.
    At a fractional scale (QT_SCALE_FACTOR=1.5) Qt's partial repaints are
    known to leave thin lines behind (QTBUG-104020) that a grab would not
    show: grab there too.
    """
    ratio = window.devicePixelRatioF()
    if QGuiApplication.platformName() != "offscreen" or ratio != round(ratio):
        return None
    store = window.backingStore()
    device = store.paintDevice() if store is not None else None
    return device if isinstance(device, QImage) else None


def paint_pending(window: QWidget) -> None:
    """Paint every part of *window* waiting for a repaint now, not at the next event loop turn."""
    QApplication.sendEvent(window, QEvent(QEvent.Type.UpdateRequest))


def even_size(width: int, height: int) -> tuple[int, int]:
    """The largest even size not above *width* × *height* (H.264 in yuv420p needs it)."""
    return width - width % 2, height - height % 2


# -- the timeline of a rendered video ----------------------------------------------------------
@dataclass(frozen=True)
class Timeline:
    """When each tick is taken in a rendered video, in frames.

    Frame 0 shows the start; the picture is held for ``hold`` frames, then
    tick *i* (1-based) is taken just before frame ``tick_frames[i-1]``;
    after the last tick, its picture stays for one tick's length plus the hold.
    """

    fps: float
    speed: float
    ticks: int
    hold: int

    @property
    def frames(self) -> int:
        return 2 * self.hold + self._at(self.ticks)

    @property
    def seconds(self) -> float:
        return self.frames / self.fps

    def _at(self, k: int) -> int:
        return round(k * self.fps / self.speed)

    def tick_frame(self, k: int) -> int:
        """The frame just before which tick *k* (1-based) is taken."""
        return self.hold + self._at(k - 1)

    def ticks_before(self, frame: int) -> int:
        """Ticks taken by the time *frame* is drawn."""
        if frame < self.hold:
            return 0
        # The largest k with tick_frame(k) <= frame; rounding makes a guess
        # off by one at most, so look around it.
        k = min(self.ticks, int((frame - self.hold) * self.speed / self.fps) + 1)
        while k > 0 and self.tick_frame(k) > frame:
            k -= 1
        while k < self.ticks and self.tick_frame(k + 1) <= frame:
            k += 1
        return k


def make_timeline(ticks: int, fps: float, speed: float, hold_s: float = HOLD_SECONDS) -> Timeline:
    """A checked :class:`Timeline` (:class:`InputError` for an impossible pace)."""
    fps = check_fps(fps)
    if not (isinstance(speed, (int, float)) and math.isfinite(speed) and speed >= MIN_VIDEO_PACE):
        raise InputError(f"--speed must be at least {MIN_VIDEO_PACE:g} ticks per second, not {speed}")
    if speed > fps:
        raise InputError(
            f"--speed {speed:g} ticks/s is faster than --fps {fps:g}: every tick needs a frame; "
            "raise --fps or lower --speed"
        )
    if ticks < 0:
        raise InputError(f"--ticks must not be negative, not {ticks}")
    return Timeline(fps, float(speed), int(ticks), max(0, round(hold_s * fps)))


# -- virtual time for animations -------------------------------------------------------------------
class VirtualAnimations:
    """Drive every animation under *root* by a virtual clock instead of the wall clock.

    Call :meth:`catch` right after anything that may start an animation (a
    tick) and before events run: running animations are paused there and
    remembered with the virtual time they started at. :meth:`advance` then
    puts each at ``now - start``; one that reaches its end stops as usual.
    """

    def __init__(self, root: QObject) -> None:
        self._root = root
        self._started: dict[QAbstractAnimation, float] = {}

    def catch(self, now_ms: float) -> int:
        """Pause the running animations at their start; return how many there were."""
        caught = 0
        for animation in self._root.findChildren(QAbstractAnimation):
            if animation.state() == QAbstractAnimation.State.Running:
                animation.pause()
                animation.setCurrentTime(0)
                self._started[animation] = now_ms
                caught += 1
        return caught

    def advance(self, now_ms: float) -> None:
        for animation, started in list(self._started.items()):
            if animation.state() != QAbstractAnimation.State.Paused:
                del self._started[animation]  # stopped by its owner, or a new start
                continue
            animation.setCurrentTime(int(round(now_ms - started)))
            if animation.state() != QAbstractAnimation.State.Paused:
                del self._started[animation]

    def stop_all(self) -> None:
        for animation in self._started:
            if animation.state() == QAbstractAnimation.State.Paused:
                animation.stop()
        self._started.clear()


def settle_text_layouts(root: QWidget) -> None:
    """Finish every rich-text layout under *root* now.

    QTextEdit lays long documents out in steps on a wall-clock timer and
    tells its scroll bars afterwards; a frame grabbed in between would depend
    on the machine's speed. Asking for the document size completes the layout,
    and the scroll bars follow at once.
    """
    for edit in root.findChildren(QTextEdit):
        edit.document().documentLayout().documentSize()


class PaintWatch(QObject):
    """Notes whether any widget of *window* (other than *ignore*) has painted since its last picture.

    A window that has not painted looks as it did, so its last picture can be
    reused instead of taking it again. Take pictures with :meth:`grab`: the
    paints a grab causes are not counted.

    With *read_painted*, pictures are read from the pixels the window has
    painted (:func:`painted_image`) where the platform allows it, else
    grabbed. Such a picture shows every widget as it painted itself, so it
    is not for a window with a widget that paints differently into a grab
    (the REC label).
    """

    def __init__(self, window: QWidget, ignore: tuple[QWidget, ...] = (), *,
                 read_painted: bool = False) -> None:
        super().__init__(window)
        self._window = window
        self._ignore = ignore
        self._read_painted = read_painted
        self._grabbing = False
        self.dirty = True
        #: Paints counted so far (grabs excluded).
        self.paints = 0
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (
            not self._grabbing and event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget) and watched not in self._ignore
            and watched.window() is self._window
        ):
            self.dirty = True
            self.paints += 1
        return False

    def grab(self, size: tuple[int, int]) -> np.ndarray:
        """The window's picture at *size* (see :func:`fit_image`); watching starts afresh.

        A picture read from the painted pixels shows the paints done so far:
        call :func:`paint_pending` first.
        """
        window = self._window
        painted = painted_image(window) if self._read_painted else None
        self._grabbing = True
        try:
            if painted is None:
                frame = grab_window(window, size)
            else:
                frame = fit_image(painted, size, window.palette().window().color())
        finally:
            self._grabbing = False
        self.dirty = False
        return frame

    def stop(self) -> None:
        QApplication.instance().removeEventFilter(self)


# -- deterministic rendering -----------------------------------------------------------------
class StreamRenderer:
    """Render a session frame by frame on a virtual clock (see the module notes).

    Parameters
    ----------
    bits, params
        The stream and the learning settings; a fresh session starts at tick 0.
    ticks
        How many ticks the video shows (at most the stream's ticks).
    size
        (width, height) of every frame.
    fps, speed
        Frames per second, and ticks per second of the video.
    window_class
        The window to film; by default the one registered for a session
        (:func:`rnnviz.ui.offscreen.window_for`: the main window).
    adapter
        Film this adapter's run instead of a new session (*bits* and
        *params* are then not used): another model kind's, the network lab's
        say. *ticks* counts from its cursor.
    """

    def __init__(
        self, bits, params: LearnerParams, ticks: int, size: tuple[int, int], *,
        fps: float = DEFAULT_VIDEO_FPS, speed: float = DEFAULT_VIDEO_PACE, stream_text: str | None = None,
        hold_s: float = HOLD_SECONDS, presentation: bool = False,
        window_class: WindowClass | None = None, adapter=None, views: tuple[str, ...] = (),
    ) -> None:
        if adapter is None:
            from rnnviz.ui.adapter import SessionAdapter

            session = Session(bits, params)
            if ticks > session.n_ticks:
                raise InputError(f"--ticks {ticks:,} is more than the stream's {session.n_ticks:,} ticks")
            adapter = SessionAdapter(session)
        elif not 0 <= ticks <= adapter.run.n_ticks - adapter.run.cursor:
            raise InputError(f"--ticks must be 0 … {adapter.run.n_ticks - adapter.run.cursor:,} here, "
                             f"not {ticks:,}")
        self.timeline = make_timeline(ticks, fps, speed, hold_s)
        self.size = size
        self.adapter = adapter
        self._start = adapter.run.cursor
        self.window = offscreen_window(self.adapter, size, stream_text=stream_text,
                                       presentation=presentation, window_class=window_class)
        for name in views:  # views off by default that the video shows (View ▸ Phase plot)
            self.window.actions_by_name[name].trigger()
        self._animations = VirtualAnimations(self.window)
        self._watch = PaintWatch(self.window, read_painted=True)
        self._last: np.ndarray | None = None
        self._next = 0
        self._rendering = self._close_requested = False

    @property
    def frames(self) -> int:
        return self.timeline.frames

    @property
    def done(self) -> bool:
        return self._next >= self.timeline.frames

    @property
    def next_frame(self) -> int:
        return self._next

    def render_next(self) -> np.ndarray:
        """The next frame's pixels (the previous frame's array when nothing changed).

        Rendering runs events, so the renderer may be closed meanwhile (Cancel
        clicked during an in-app render): it then stops, closes once the frame
        is left, and its caller must not use the frame it returns.
        """
        self._rendering = True
        try:
            return self._render_next()
        finally:
            self._rendering = False
            if self._close_requested:
                self.close()

    def _render_next(self) -> np.ndarray:
        frame = self._next
        now = frame * 1000.0 / self.timeline.fps
        due = self.timeline.ticks_before(frame)
        behind = due - (self.adapter.run.cursor - self._start)
        if behind > 0:
            # One tick per frame at most in practice (speed ≤ fps), so the
            # glow starts on the tick that is shown.
            self.adapter.step(behind)
            self._animations.catch(now)
        # Animations move first, so the paints they cause land in this
        # frame's events and mark it changed.
        self._animations.advance(now)
        self._settle(now)
        if self._close_requested:
            return self._last if self._last is not None else np.zeros((*self.size[::-1], 3), np.uint8)
        self._next += 1
        if self._last is None or self._watch.dirty:
            self._last = self._watch.grab(self.size)
        return self._last

    def _settle(self, now: float) -> None:
        """Run events and paint until the window's pixels show its state, as a grab would.

        A change can take more than one turn of the event loop to reach the
        pixels (a plot's scene tells its view in a queued call, and the view
        then asks to be repainted), so events run again while the last round
        still painted something. What is waiting for a repaint is painted at
        the end of each round: those paints mark the frame changed.

        Only the first round runs the whole event loop (timers, input); the
        others deliver just the posted events (queued calls, layout and
        update requests) that the changes made so far left behind. A timer
        that fires at every turn — Play's, on a machine slower than its pace
        — would otherwise change the window again in every round, so it
        never settled and the picture was copied with the last change only
        half painted (a plot a tick behind the rest).
        """
        for round_ in range(SETTLE_ROUNDS):
            paints = self._watch.paints
            if round_ == 0:
                QApplication.processEvents()
            else:
                QApplication.sendPostedEvents()
            if self._close_requested:
                return
            settle_text_layouts(self.window)
            if self._animations.catch(now):
                self._watch.dirty = True
            paint_pending(self.window)
            if self._watch.paints == paints:
                return

    def __iter__(self) -> Iterator[np.ndarray]:
        while not self.done:
            yield self.render_next()

    def close(self) -> None:
        """Stop and delete the offscreen window (after the frame being rendered, if any)."""
        if self._rendering:
            self._close_requested = True
            return
        self._close_requested = False
        self._watch.stop()
        self._animations.stop_all()
        self.window.close()
        self.window.deleteLater()
        QApplication.processEvents()


@dataclass(frozen=True)
class RecordResult:
    path: Path
    frames: int
    seconds: float
    size: tuple[int, int]

    def summary(self) -> str:
        what = "PNG frames in" if self.path.is_dir() else "wrote"
        return (f"{what} {self.path}: {self.frames:,} frames, {self.seconds:.1f} s, "
                f"{self.size[0]}x{self.size[1]}")


def record_stream(
    out: str | os.PathLike[str], bits, params: LearnerParams, ticks: int, size: tuple[int, int], *,
    fps: float = DEFAULT_VIDEO_FPS, speed: float = DEFAULT_VIDEO_PACE, stream_text: str | None = None,
    progress: Callable[[int, int], None] | None = None, hold_s: float = HOLD_SECONDS,
    presentation: bool = False, window_class: WindowClass | None = None, adapter=None,
    views: tuple[str, ...] = (),
) -> RecordResult:
    """Render *ticks* ticks of the stream to *out* (blocking; the encoder has its own thread).

    Everything is checked before the first frame: the ticks and the pace by
    :class:`StreamRenderer`, the output by :class:`VideoWriter`. *progress* is
    called with (frames done, frames in all) after each frame. On any
    exception — including KeyboardInterrupt — nothing is left at *out*.
    *window_class* is the window filmed (see :class:`StreamRenderer`), with
    the actions named in *views* triggered first (``"phase_plot"``).
    """
    renderer = StreamRenderer(bits, params, ticks, size, fps=fps, speed=speed,
                              stream_text=stream_text, hold_s=hold_s, presentation=presentation,
                              window_class=window_class, adapter=adapter, views=views)
    try:
        with VideoWriter(out, size, fps) as writer:
            for frame in renderer:
                writer.write(frame)
                if progress is not None:
                    progress(renderer.next_frame, renderer.frames)
        path = writer.path
        assert path is not None
    finally:
        renderer.close()
    return RecordResult(path, renderer.frames, renderer.timeline.seconds, size)


# -- live recording ----------------------------------------------------------------------------------
class LiveRecorder(QObject):
    """Film *window* at *fps* frames per second while the user works in it.

    :meth:`capture` takes the time ``now`` in seconds (a monotonic clock; a
    test passes its own) and hands the writer the frames due by then: a
    fresh grab when the window has painted since the last frame, else the
    last frame again. The widgets in *ignore* (the REC indicator) do not
    count as changes.

    It never waits for the encoder. Frames the writer has no room for are
    dropped (:attr:`dropped`), a held picture's repeats before a new
    picture, and no grab is made that could not be queued (grabbing a large
    window is the costly part). A video whose encoder fell behind is
    therefore shorter than the time filmed, never behind it, and the memory
    the writer holds stays within its limits (a few pictures).
    """

    def __init__(
        self, window: QWidget, writer: VideoWriter, *, fps: float = LIVE_FPS,
        ignore: tuple[QWidget, ...] = (),
    ) -> None:
        super().__init__(window)
        self._writer = writer
        self._fps = float(fps)
        self._watch = PaintWatch(window, ignore)
        self._last: np.ndarray | None = None
        self._start: float | None = None
        #: Frames whose time has come: written or dropped.
        self.due = 0
        #: Frames handed to the writer.
        self.frames = 0
        #: Frames that were new pictures (the rest repeat the one before).
        self.grabs = 0

    @property
    def size(self) -> tuple[int, int]:
        return self._writer.size

    def capture(self, now: float) -> int:
        """Hand the writer the frames due at *now*, as many as it takes at once; return how many."""
        if self._start is None:
            self._start = now
        due = math.floor((now - self._start) * self._fps + 1e-9) + 1
        missing = due - self.due
        if missing <= 0:
            return 0
        self.due = due
        room, pictures = self._writer.room()
        written = 0
        if self._last is None or self._watch.dirty:
            # The window changed. Missed frames (a busy GUI) repeat the
            # picture before; the fresh one goes where it is due: last. With
            # no room for a new picture, the frames are dropped rather than
            # filled with a picture that is no longer true (the window stays
            # marked changed, so the next frame with room is a fresh one).
            if room > 0 and pictures > 0:
                if missing > 1 and self._last is not None and pictures > 1:
                    written += self._writer.offer(self._last, min(missing - 1, room - 1))
                self._last = self._watch.grab(self.size)
                self.grabs += 1
                written += self._writer.offer(self._last)
        elif room > 0:
            written += self._writer.offer(self._last, min(missing, room))
        self.frames += written
        return written

    @property
    def dropped(self) -> int:
        """Frames left out because the encoder could not keep up."""
        return self.due - self.frames

    def seconds(self) -> float:
        """The time filmed so far (dropped frames included)."""
        return self.due / self._fps

    def stop(self) -> None:
        """Stop watching the window (the writer is the caller's to finish)."""
        self._watch.stop()


class RecIndicator(QLabel):
    """The red "● REC m:ss" in the status bar, which paints nothing into the video."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("recIndicator")
        self.setStyleSheet("color: #d00000; font-weight: bold; padding: 0 6px;")
        self.setToolTip("recording (this label is not in the video); Ctrl+R stops")
        self.hidden_from_capture = False
        self.hide()

    def show_time(self, seconds: float) -> None:
        whole = int(seconds)
        self.setText(f"\u25cf REC {whole // 60}:{whole % 60:02d}")

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if not self.hidden_from_capture:
            super().paintEvent(event)


# -- the window's actions ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RenderOptions:
    size: tuple[int, int] = DEFAULT_VIDEO_SIZE
    fps: float = DEFAULT_VIDEO_FPS
    speed: float = DEFAULT_VIDEO_PACE
    ticks: int | None = None  # None: every tick of the stream


class RenderOptionsDialog(QDialog):
    """Size, frame rate, pace and length of File ▸ Render video of this stream…."""

    SIZES: Final[tuple[tuple[int, int], ...]] = ((1280, 720), (1920, 1080), (1280, 800), (960, 540))
    FRAME_RATES: Final[tuple[int, ...]] = (24, 25, 30, 50, 60)
    PACES: Final[tuple[float, ...]] = (1, 2, 5, 10, 20, 30)

    def __init__(self, n_ticks: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Render video of this stream")
        form = QFormLayout(self)
        self.size_box = QComboBox()
        for w, h in self.SIZES:
            self.size_box.addItem(f"{w} × {h}", (w, h))
        # Chosen at first: the defaults of ``rnnviz record``, so the menu and the command agree.
        self.size_box.setCurrentIndex(self.SIZES.index(DEFAULT_VIDEO_SIZE))
        self.fps_box = QComboBox()
        for fps in self.FRAME_RATES:
            self.fps_box.addItem(f"{fps} frames/s", fps)
        self.fps_box.setCurrentIndex(self.FRAME_RATES.index(DEFAULT_VIDEO_FPS))
        self.pace_box = QComboBox()
        for pace in self.PACES:
            self.pace_box.addItem(f"{pace:g} tick{'s' if pace != 1 else ''}/s", pace)
        self.pace_box.setCurrentIndex(self.PACES.index(DEFAULT_VIDEO_PACE))
        self.ticks_box = QSpinBox()
        self.ticks_box.setRange(0, max(n_ticks, 0))
        self.ticks_box.setValue(n_ticks)
        self.ticks_box.setGroupSeparatorShown(True)
        form.addRow("Picture size", self.size_box)
        form.addRow("Frame rate", self.fps_box)
        form.addRow("Pace", self.pace_box)
        form.addRow("Ticks from the start", self.ticks_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def options(self) -> RenderOptions:
        return RenderOptions(self.size_box.currentData(), float(self.fps_box.currentData()),
                             float(self.pace_box.currentData()), self.ticks_box.value())


def videos_folder() -> str:
    """The user's Videos folder (their home folder when there is none)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MoviesLocation)
    if not folder or not Path(folder).is_dir():
        folder = str(Path.home())
    return folder


class RecordingController(QObject):
    """The Record and Render actions of one main window.

    ``choose_path(title, suggested) -> str | None`` and
    ``choose_options(n_ticks) -> RenderOptions | None`` ask the user; tests
    replace them so no modal dialog opens. ``clock`` gives seconds for the
    live recorder, and ``open_writer`` (:class:`VideoWriter`'s signature)
    opens its output.

    The path suggested is in the last folder the user opened, saved,
    exported or recorded into (:mod:`rnnviz.ui.folders`), else their Videos
    folder; the folder of a path chosen here is remembered for every dialog.
    """

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.choose_path: Callable[[str, str], str | None] = self._ask_path
        self.choose_options: Callable[[int], RenderOptions | None] = self._ask_options
        self.clock: Callable[[], float] = time.monotonic
        self.open_writer: Callable[..., VideoWriter] = VideoWriter
        self._folders = folders.FolderMemory(window.settings, videos_folder())
        #: Called with (title, message) when something went wrong; by default a
        #: message box that does not block (tests collect the messages instead).
        self.report: Callable[[str, str], None] = self._show_problem
        self.live: LiveRecorder | None = None
        self.writer: VideoWriter | None = None
        self.progress: QProgressDialog | None = None
        self._dropped = 0
        self.renderer: StreamRenderer | None = None
        self.indicator = RecIndicator()
        window.statusBar().addPermanentWidget(self.indicator)

        self.record_action = window.add_action(
            "record", "Record", self.toggle_record, [QKeySequence("Ctrl+R")],
            "record the window to a video while you step by hand; again to stop",
        )
        self.record_action.setCheckable(True)
        # _action connects triggered() to a slot without the check state; the
        # check state is read in toggle_record.
        self.render_action = window.add_action(
            "render_video", "Render video of this stream…", self.render_current,
            tip="render the whole stream to a video at a steady pace, frame by frame",
        )
        self._frame_timer = QTimer(self)
        self._frame_timer.setObjectName("liveRecordingFrameTimer")
        self._frame_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._frame_timer.timeout.connect(self.capture_now)
        self._poll = QTimer(self)
        self._poll.setObjectName("recordingFinishPoll")
        self._poll.timeout.connect(self._on_poll)
        self._render_timer = QTimer(self)
        self._render_timer.setObjectName("renderSliceTimer")
        self._render_timer.setSingleShot(True)
        self._render_timer.timeout.connect(self._render_slice)
        self._title = ""

        menu = window.menu("file")
        quit_action = window.action("quit")
        before = quit_action if quit_action in menu.actions() else None
        separator = menu.insertSeparator(before) if before is not None else menu.addSeparator()
        menu.insertAction(separator, self.record_action)
        menu.insertAction(separator, self.render_action)

    # -- state ------------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        return self.live is not None

    @property
    def busy(self) -> bool:
        """A live recording, an encoder still finishing, or a render is under way."""
        return self.live is not None or self.writer is not None or self.renderer is not None

    def _sync_actions(self) -> None:
        self.record_action.setChecked(self.recording)
        self.record_action.setText("Stop recording" if self.recording else "Record")
        self.record_action.setEnabled(self.recording or not self.busy)
        self.render_action.setEnabled(not self.busy)

    # -- live recording ---------------------------------------------------------------------
    def toggle_record(self) -> None:
        if self.recording:
            self.stop_recording()
        else:
            self.start_recording()

    def start_recording(self, path: str | None = None) -> bool:
        """Ask where (unless *path* is given) and start filming the window."""
        if self.busy:
            self._sync_actions()
            return False
        if path is None:
            path = self._choose("Record to", "rnnviz.mp4")
        if not path:
            self._sync_actions()
            return False
        size = even_size(self.window.width(), self.window.height())
        try:
            self.writer = self.open_writer(path, size, LIVE_FPS, max_queued=LIVE_PICTURES,
                                           max_frames=LIVE_QUEUE, low_latency=True)
        except InputError as error:
            self._sync_actions()
            self._warn("Cannot record", str(error))
            return False
        self.live = LiveRecorder(self.window, self.writer, fps=LIVE_FPS, ignore=(self.indicator,))
        self._dropped = 0
        self._title = self.window.windowTitle()
        self.indicator.show_time(0)
        self.indicator.show()
        self._sync_actions()
        self.capture_now()
        self._frame_timer.start(round(1000 / LIVE_FPS))
        return True

    def capture_now(self, now: float | None = None) -> None:
        """Write the frames due at *now* (default: the clock)."""
        if self.live is None:
            return
        now = self.clock() if now is None else now
        self.indicator.hidden_from_capture = True
        try:
            self.live.capture(now)
        except InputError as error:  # the encoder failed (e.g. a full disk)
            self._abort_live(str(error))
            return
        finally:
            self.indicator.hidden_from_capture = False
        self.indicator.show_time(self.live.seconds())
        self.window.setWindowTitle(f"\u25cf REC {self.indicator.text()[6:]} — {self._title}")

    def stop_recording(self, now: float | None = None) -> None:
        """Stop filming at once; the file is completed in the background with a progress dialog.

        Nothing waits for the encoder here: the frames it has queued (at most
        :data:`LIVE_QUEUE`) are written while the dialog shows, and its
        Cancel deletes the unfinished file.
        """
        if self.live is None:
            return
        self.capture_now(now)
        live = self._end_live()
        writer = self.writer
        if writer is None:  # the capture above failed and cleaned up
            self._sync_actions()
            return
        self._dropped = live.dropped if live else 0
        writer.finish()
        self._start_finishing(writer, frames=live.frames if live else 0)

    def _end_live(self):
        """Stop the frame clock and the REC indicator; return the recorder that was running."""
        live, self.live = self.live, None
        if live is not None:
            live.stop()
        self._frame_timer.stop()
        self.indicator.hide()
        self.window.setWindowTitle(self._title)
        return live

    def _abort_live(self, message: str) -> None:
        self._end_live()
        if self.writer is not None:
            self.writer.cancel()
            self.writer = None
        self._sync_actions()
        self._warn("Recording stopped", message)

    # -- finishing in the background ------------------------------------------------------------
    def _start_finishing(self, writer: VideoWriter, frames: int) -> None:
        self._show_progress("Finishing the video…", "rnnviz: saving the recording",
                            max(frames, 1), delay_ms=400)
        self._poll.start(POLL_MS)
        self._on_poll()

    def _on_poll(self) -> None:
        writer, dialog = self.writer, self.progress
        if writer is None:
            self._poll.stop()
            return
        if dialog is not None:
            if writer.phase == "finishing" and writer.plan.kind == "gif":
                # The palette is chosen; every frame is written once more with it.
                dialog.setLabelText("Writing the GIF in its chosen colours…")
                dialog.setValue(min(writer.frames_finished, dialog.maximum()))
            else:
                dialog.setValue(min(writer.frames_written, dialog.maximum()))
        if not writer.done:
            return
        self._poll.stop()
        self.writer = None
        self._close_progress()
        self._sync_actions()
        if writer.error is not None:
            self._warn("The video was not saved", str(writer.error))
        elif writer.path is not None:
            self.window.tell(self.saved_message(writer.path, writer.frames_written, self._dropped), 8000)
            self._dropped = 0

    @staticmethod
    def saved_message(path: Path, frames: int, dropped: int) -> str:
        """``Saved talk.mp4 (900 frames)``, saying how many frames were dropped if any."""
        if not dropped:
            return f"Saved {path} ({frames:,} frames)"
        what = "frame was" if dropped == 1 else "frames were"
        return (f"Saved {path} ({frames:,} frames; {dropped:,} {what} dropped "
                "because the encoder fell behind)")

    def cancel_finishing(self) -> None:
        """Cancel: no file is left where the video was to go."""
        writer = self.writer
        self._poll.stop()
        self.writer = None
        if writer is not None:
            writer.cancel()
            self.window.tell(f"Cancelled: {writer.plan.path} was not written")
        if self.renderer is not None:
            self._render_timer.stop()
            self.renderer.close()
            self.renderer = None
        self._close_progress()
        self._sync_actions()

    def _show_progress(self, label: str, title: str, steps: int, *, delay_ms: int,
                       modal: bool = False) -> None:
        """The progress dialog of a render or of finishing; its Cancel cancels the video."""
        dialog = QProgressDialog(label, "Cancel", 0, steps, self.window)
        dialog.setWindowTitle(title)
        if modal:
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(delay_ms)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel_finishing)
        self.progress = dialog
        self._sync_actions()

    def _close_progress(self) -> None:
        dialog, self.progress = self.progress, None
        if dialog is not None:
            dialog.canceled.disconnect(self.cancel_finishing)
            dialog.close()
            dialog.deleteLater()

    # -- render of the current stream ---------------------------------------------------------------
    def render_current(self, path: str | None = None, options: RenderOptions | None = None) -> bool:
        """Render the current stream and settings from tick 0 to a video, in slices between events."""
        if self.busy:
            return False
        session = self.window.adapter.session
        if options is None:
            options = self.choose_options(session.n_ticks)
            if options is None:
                return False
        if path is None:
            path = self._choose("Render video to", "rnnviz-stream.mp4")
            if not path:
                return False
        ticks = session.n_ticks if options.ticks is None else options.ticks
        try:
            # A window of the same kind as this one, built here without
            # importing the main window (which imports this module).
            renderer = StreamRenderer(session.bits, session.params, ticks, options.size,
                                      fps=options.fps, speed=options.speed,
                                      window_class=type(self.window))
        except InputError as error:
            self._warn("Cannot render the video", str(error))
            return False
        try:
            self.writer = VideoWriter(path, options.size, options.fps)
        except InputError as error:
            renderer.close()
            self._warn("Cannot render the video", str(error))
            return False
        self.renderer = renderer
        self._show_progress("Rendering frames…", "rnnviz: rendering a video", renderer.frames,
                            delay_ms=0, modal=True)
        self._render_timer.start(0)
        return True

    def _render_slice(self) -> None:
        renderer, writer = self.renderer, self.writer
        if renderer is None or writer is None:
            return
        deadline = time.perf_counter() + RENDER_SLICE_S
        try:
            while not renderer.done and time.perf_counter() < deadline:
                frame = renderer.render_next()
                # Rendering runs events: Cancel may have been clicked meanwhile.
                if self.renderer is not renderer:
                    return
                writer.write(frame)
        except InputError as error:
            self.renderer = None
            renderer.close()
            self.cancel_finishing()
            self._warn("The video was not saved", str(error))
            return
        if self.progress is not None:
            self.progress.setValue(renderer.next_frame)
        if not renderer.done:
            self._render_timer.start(0)
            return
        self.renderer = None
        renderer.close()
        writer.finish()
        if self.progress is not None:
            self.progress.setLabelText("Finishing the video…")
        self._poll.start(POLL_MS)

    # -- asking the user --------------------------------------------------------------------------------
    def _choose(self, title: str, name: str) -> str | None:
        """Ask for a path, suggesting *name* in the last folder used; remember the folder chosen."""
        path = self.choose_path(title, str(Path(self._folders.folder) / name))
        if path:
            # The folder the output goes in (for PNG frames, the one holding their folder).
            self._folders.remember(Path(path).expanduser().parent)
        return path

    def _ask_path(self, title: str, suggested: str) -> str | None:
        path, chosen = QFileDialog.getSaveFileName(self.window, title, suggested, FILE_FILTERS)
        if not path:
            return None
        if not Path(path).suffix:  # some platforms' dialogs add no extension
            path += {"GIF": ".gif", "WebM": ".webm"}.get(chosen.split(" ")[0], ".mp4")
        return path

    def _ask_options(self, n_ticks: int) -> RenderOptions | None:
        dialog = RenderOptionsDialog(n_ticks, self.window)
        return dialog.options() if dialog.exec() else None

    def _warn(self, title: str, text: str) -> None:
        self.window.tell(f"{title}: {text}", 10000)
        self.report(title, text)

    def _show_problem(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, f"rnnviz: {title.lower()}", text,
                          QMessageBox.StandardButton.Ok, self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def shutdown(self) -> None:
        """Stop everything without leaving files (the window is closing)."""
        self._frame_timer.stop()
        self._render_timer.stop()
        if self.live is not None:
            self.live.stop()
            self.live = None
        self.cancel_finishing()


def install(window) -> None:
    """Add File ▸ Record and File ▸ Render video of this stream… to *window*."""
    controller = RecordingController(window)
    window.recording_controller = controller
    controller._sync_actions()
