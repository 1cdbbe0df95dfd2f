"""Writing recordings: MP4, WebM, GIF and folders of PNG frames (no Qt).

Frames are ``height × width × 3`` ``uint8`` RGB arrays. :class:`VideoWriter`
takes them on the caller's thread and hands them to a worker thread through a
bounded queue, so a GUI only ever copies a frame and goes on; a live recorder
uses :meth:`VideoWriter.offer`, which never waits, and drops what does not fit. The worker
encodes them in-process with PyAV (FFmpeg's libraries; see docs/recording.md
for why), which releases the GIL while it converts colours and encodes, or,
for PNG frames, compresses them itself with zlib.

Everything is written inside a hidden work folder next to the output and moved
into place only when complete. :meth:`VideoWriter.cancel` and every error
delete the work folder, so an existing file at the output path is never
touched by a recording that did not finish. A process killed outright
cannot do that: the folder's name says which computer and process own it,
and the next recording into that folder deletes it once that process is gone
(:func:`remove_stale_parts`). An output that is a symbolic link is written
through: the link stays, its target gets the recording.

Formats
-------
``*.mp4``
    H.264 (libx264) in yuv420p, which every player and slide program reads,
    with the index at the front (``+faststart``) so it plays while it
    downloads. yuv420p stores colour at half resolution, so the width and
    height must be even: an odd size is refused with a message, never
    silently rounded.
``*.webm``
    VP9 in yuv420p (even sizes too), for web pages.
``*.gif``
    A looping GIF with one palette of up to 255 colours (plus one transparent
    entry, so unchanged pixels cost nothing) chosen from every frame. While
    frames arrive, the part of each that changed since the frame before
    (:func:`changed_box`) is reduced to RGB565 colour bins, counted, and
    spooled zlib-compressed to the work folder; at the end the palette is
    chosen (:func:`choose_palette`) and the frames are encoded from the
    spool. Memory use stays flat however long the clip. No dithering: UI
    pictures are flat colours, and dither would make still parts shimmer.
a folder (a path ending in ``/`` or an existing empty folder)
    ``frame_000001.png``, ``frame_000002.png``, … exactly the pixels given.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import socket
import struct
import tempfile
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import IO, Final, Protocol

import numpy as np

from rnnviz.engine.errors import InputError
from rnnviz.io.export import describe_os_error, process_running

#: Output kinds by file extension; a folder of PNG frames is ``"png"``.
EXTENSIONS: Final[dict[str, str]] = {".mp4": "mp4", ".webm": "webm", ".gif": "gif"}
#: Frame rates accepted (a GIF stores delays in hundredths of a second, so
#: above 50 fps its timing is approximate).
MIN_FPS: Final[float] = 1.0
MAX_FPS: Final[float] = 120.0
#: Defaults of a rendered video (``rnnviz record`` and File ▸ Render video…):
#: frames per second, the pace in ticks per second, and (width, height).
DEFAULT_VIDEO_FPS: Final[float] = 30.0
#: Slower than the window's play speed (``rnnviz.ui.adapter.DEFAULT_SPEED``,
#: 10 ticks/s): a viewer of a video cannot pause to read a tick, so each one
#: stays on screen for half a second, long enough to follow the diagram's glow.
DEFAULT_VIDEO_PACE: Final[float] = 2.0
#: 720p rather than the window's 1280×800 (``rnnviz.ui.mainwindow.DEFAULT_WINDOW_SIZE``):
#: the 16:9 frame that players and slides show without black bars, and the
#: size presentation mode's canvas is drawn for.
DEFAULT_VIDEO_SIZE: Final[tuple[int, int]] = (1280, 720)
#: Frames waiting for the worker at most; a producer that is faster waits.
DEFAULT_QUEUE: Final[int] = 8
#: The end of the hidden work folder's name, ``.NAME.HOST-PID.xxxxxxxx.rnnviz-part``.
PART_SUFFIX: Final[str] = ".rnnviz-part"
#: A work folder of an older rnnviz (no host and process in its name) counts as
#: stale once nothing in it has changed for this long: a recording that runs
#: writes to it all the time.
OLD_PART_AGE_S: Final[float] = 24 * 3600.0
#: zlib level for PNG frames: 3 is about twice as fast as 6 on window
#: pictures for files a few percent larger.
PNG_LEVEL: Final[int] = 3

# Encoder settings, measured in docs/recording.md. x264 "veryfast" encodes
# 1280×720 window pictures at ~200 frames/s; the "animation" tuning and crf 20
# keep flat UI colours and thin lines clean, and the files stay small (UI
# pictures change little between frames).
_MP4_CODEC: Final[str] = "libx264"
_MP4_OPTIONS: Final[dict[str, str]] = {"preset": "veryfast", "tune": "animation", "crf": "20"}
_MP4_CONTAINER: Final[dict[str, str]] = {"movflags": "+faststart"}
# VP9 in libvpx's realtime mode (constant quality, no bitrate cap) is as fast
# as x264 veryfast here; the default "good" mode is ten times slower.
_WEBM_CODEC: Final[str] = "libvpx-vp9"
_WEBM_OPTIONS: Final[dict[str, str]] = {
    "deadline": "realtime", "cpu-used": "6", "row-mt": "1", "crf": "32", "b": "0",
}
# A live recording's encoders hold no frames back (see _VideoFile).
_MP4_LOW_LATENCY: Final[dict[str, str]] = {"tune": "animation,zerolatency"}
_WEBM_LOW_LATENCY: Final[dict[str, str]] = {"lag-in-frames": "0"}
#: A GIF palette has 256 entries; the last one is kept transparent, which lets
#: the encoder store only the pixels that changed since the previous frame.
GIF_COLOURS: Final[int] = 255
_GIF_TRANSPARENT: Final[int] = 255
#: zlib level for the GIF's spooled frames (they are read back once).
_SPOOL_LEVEL: Final[int] = 1
# Weights of the squared red, green and blue differences when colours are
# compared: green matters most to the eye, blue least.
_COLOUR_WEIGHTS: Final[np.ndarray] = np.array([3.0, 4.0, 2.0], np.float32)


class RecordingError(InputError):
    """A recording could not be written (a full disk, a vanished folder, a failed encoder).

    The message names the output and the reason, for the person who asked for it.
    """


class UnwritableOutput(RecordingError):
    """Nothing at all can be written where the recording was to go (found before its first frame)."""


#: Errors that mean "nothing can be written there": said in one plain line
#: (in the words of :func:`~rnnviz.io.export.describe_os_error`), not as a failure.
_UNWRITABLE: Final[frozenset[int]] = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS}
)


@dataclass(frozen=True)
class OutputPlan:
    """A checked output: where it goes and in which format.

    ``path`` is what the user named. When it is a symbolic link, ``through``
    is the file or folder it leads to: the recording is written there, so
    the link stays a link and its target gets the video.
    """

    path: Path
    kind: str  # "mp4", "webm", "gif" or "png"
    through: Path | None = None

    @property
    def is_folder(self) -> bool:
        return self.kind == "png"

    @property
    def destination(self) -> Path:
        """Where the bytes go: the link's target, else the path itself."""
        return self.through if self.through is not None else self.path


def plan_output(out: str | os.PathLike[str], size: tuple[int, int]) -> OutputPlan:
    """Check that a recording of *size* (width, height) can be written to *out*.

    Raises :class:`~rnnviz.engine.errors.InputError` naming the problem: an
    unknown extension, a missing or unwritable folder, a non-empty frame
    folder, something that is neither a file nor a folder (a device, a
    pipe, a link leading to one or in a circle), or an odd size for
    MP4/WebM. Nothing is created.
    """
    text = os.fspath(out)
    if not text.strip():
        raise InputError("no output given: name a file such as talk.mp4, or a folder ending in /")
    path = Path(text).expanduser()
    through = None
    if path.is_symlink():
        through = Path(os.path.realpath(path))
        if through.is_symlink():  # realpath stops where links lead in a circle
            raise InputError(f"{path} is a link that leads in a circle; name a file to record to")
    named = f"{path} (a link to {through})" if through is not None else str(path)
    destination = through if through is not None else path
    as_folder = text.endswith(("/", os.sep)) or destination.is_dir()
    if as_folder:
        kind = "png"
        if destination.exists() and not destination.is_dir():
            raise InputError(f"{named} is a file, not a folder for PNG frames")
        if destination.is_dir() and any(destination.iterdir()):
            raise InputError(
                f"the folder {named} is not empty; PNG frames go into a new or empty folder"
            )
    else:
        kind = EXTENSIONS.get(path.suffix.lower(), "")
        if not kind:
            shown = path.suffix or "no extension"
            raise InputError(
                f"cannot record to {path.name} ({shown}): name it *.mp4, *.webm or *.gif, "
                "or give a folder ending in / for PNG frames"
            )
        if destination.is_dir():
            raise InputError(f"{named} is a folder; name a file to record to")
        if destination.exists() and not destination.is_file():
            # A device or a pipe: the finished video would replace it.
            raise InputError(f"{named} is not a regular file; name a file to record to")
    parent = destination.parent
    if not parent.is_dir():
        raise InputError(f"no such folder: {parent}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot write in the folder {parent} (permission denied)")
    width, height = size
    if width < 2 or height < 2:
        raise InputError(f"a {width}x{height} picture is too small to record")
    if kind in ("mp4", "webm") and (width % 2 or height % 2):
        odd = " and ".join(n for n, v in (("width", width), ("height", height)) if v % 2)
        raise InputError(
            f"{kind.upper()} video needs an even width and height (yuv420p colour): "
            f"the {odd} of {width}x{height} is odd; try {width + width % 2}x{height + height % 2}"
        )
    return OutputPlan(path, kind, through)


def check_fps(fps: float) -> float:
    """*fps* as a float, or an :class:`InputError` when it is out of range."""
    try:
        value = float(fps)
    except (TypeError, ValueError):
        raise InputError(f"--fps needs a number of frames per second, not {fps!r}") from None
    if not MIN_FPS <= value <= MAX_FPS:
        raise InputError(f"--fps must be between {MIN_FPS:g} and {MAX_FPS:g}, not {value:g}")
    return value


def load_av():
    """The PyAV module, or a :class:`RecordingError` saying the encoder is missing."""
    try:
        import av
    except ImportError as error:
        raise RecordingError(
            f"the video encoder is missing ({error}); reinstall rnnviz, or record PNG frames "
            "to a folder, which needs no encoder"
        ) from None
    return av


def encoder_versions() -> str:
    """``PyAV 18.1.0, FFmpeg 8.1.2``: what encodes the videos, for reports and self-tests."""
    av = load_av()
    return f"PyAV {av.__version__}, FFmpeg {av.ffmpeg_version_info}"


def encode_png(frame: np.ndarray, level: int = PNG_LEVEL) -> bytes:
    """A PNG file (8-bit RGB) of *frame*, written with zlib; the same pixels give the same bytes."""
    height, width, _ = frame.shape
    rows = np.ascontiguousarray(frame, dtype=np.uint8).reshape(height, width * 3)
    # Filter "Up" on every row: window pictures repeat row after row, so the
    # differences are mostly zero and compress well; numpy does it in one go.
    filtered = np.empty((height, width * 3 + 1), np.uint8)
    filtered[:, 0] = 2
    filtered[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        chunk(b"IHDR", header),
        chunk(b"IDAT", zlib.compress(filtered.tobytes(), level)),
        chunk(b"IEND", b""),
    ))


def frame_name(index: int) -> str:
    """``frame_000001.png`` for the first frame (*index* 0)."""
    return f"frame_{index + 1:06d}.png"


# -- GIF colours -----------------------------------------------------------------------------
def rgb565(frame: np.ndarray) -> np.ndarray:
    """The colour bin of every pixel: 5 bits of red, 6 of green, 5 of blue, as ``uint16``."""
    red = (frame[..., 0] & 0xF8).astype(np.uint16) << 8
    green = (frame[..., 1] & 0xFC).astype(np.uint16) << 3
    return red | green | (frame[..., 2] >> 3)


class ColourCount:
    """How often each RGB565 bin occurs, and one real colour seen in it."""

    def __init__(self) -> None:
        self.counts = np.zeros(1 << 16, np.int64)
        self.colours = np.zeros((1 << 16, 3), np.uint8)

    def add_histogram(self, here: np.ndarray, pixels: np.ndarray, bins: np.ndarray) -> None:
        """Count a frame in which bin *i* occurs ``here[i]`` times.

        Every pixel of the frame in a bin not counted before must be among
        *pixels* (whose bins are *bins*): the part that changed since the
        frame before. The colour kept for a new bin is its last pixel there.
        """
        new = (here > 0) & (self.counts == 0)
        if new.any():  # remember a colour for bins not seen before (rare after frame 1)
            mask = new[bins]
            self.colours[bins[mask]] = pixels[mask]
        self.counts += here


def changed_box(frame: np.ndarray, previous: np.ndarray) -> tuple[int, int, int, int] | None:
    """``(top, bottom, left, right)``: a box holding every pixel that differs; None if none does.

    A window changes in small places from frame to frame (a glow, a plot's
    cursor), so the GIF writer works on this box only. Rows are compared as
    64-bit words where their length allows (a pixel-wise comparison of a
    1280×720 frame takes ~10 ms, this one ~0.3 ms), so the box's sides are
    the changed rows exactly and the changed words' columns, a pixel or two wider.
    """
    height, width, _ = frame.shape
    row_bytes = width * 3
    word = next(size for size in (8, 4, 2, 1) if row_bytes % size == 0)
    kind = np.dtype(f"<u{word}")
    rows_now = np.ascontiguousarray(frame).reshape(height, row_bytes).view(kind)
    rows_before = np.ascontiguousarray(previous).reshape(height, row_bytes).view(kind)
    differs = rows_now != rows_before
    changed_rows = np.flatnonzero(differs.any(axis=1))
    if changed_rows.size == 0:
        return None
    top, bottom = int(changed_rows[0]), int(changed_rows[-1]) + 1
    changed_words = np.flatnonzero(differs[top:bottom].any(axis=0))
    left = int(changed_words[0]) * word // 3
    right = -(-(int(changed_words[-1]) + 1) * word // 3)
    return top, bottom, left, right


def _distances(colours: np.ndarray, colour: np.ndarray) -> np.ndarray:
    return (np.square(colours - colour) * _COLOUR_WEIGHTS).sum(axis=-1)


def choose_palette(count: ColourCount, size: int = GIF_COLOURS) -> tuple[np.ndarray, np.ndarray]:
    """A palette of at most *size* colours for everything *count* saw, and the map to it.

    Returns ``(palette, lut)``: ``palette`` is ``n × 3`` uint8 RGB, ``lut``
    maps each RGB565 bin to its palette index (``uint8``). When at most *size*
    bins were seen, each keeps its own colour exactly. Otherwise colours are
    picked greedily by ``occurrences × squared distance to the nearest colour
    already picked``: the frequent colours of a window come first, and a rare
    colour far from all of them (a small red marker) still gets its own entry.
    """
    seen = np.flatnonzero(count.counts)
    if seen.size == 0:
        return np.zeros((1, 3), np.uint8), np.zeros(1 << 16, np.uint8)
    weights = count.counts[seen].astype(np.float64)
    colours = count.colours[seen].astype(np.float32)
    if seen.size <= size:
        picked = np.argsort(-weights, kind="stable")
    else:
        picked_list = [int(np.argmax(weights))]
        nearest = _distances(colours, colours[picked_list[0]])
        while len(picked_list) < size:
            score = weights * nearest
            best = int(np.argmax(score))
            if score[best] <= 0:
                break
            picked_list.append(best)
            np.minimum(nearest, _distances(colours, colours[best]), out=nearest)
        picked = np.array(picked_list)
    palette = colours[picked]
    lut = np.zeros(1 << 16, np.uint8)
    for start in range(0, seen.size, 4096):
        chunk = colours[start : start + 4096, None, :]
        lut[seen[start : start + 4096]] = _distances(chunk, palette[None, :, :]).argmin(axis=1)
    return palette.astype(np.uint8), lut


# -- encoders (used on the worker thread only) ------------------------------------------------
def _rate(fps: float) -> Fraction:
    """*fps* as an exact rate: 30 → 30/1, 29.97 → 2997/100."""
    return Fraction(fps).limit_denominator(1001)


class _PngFrames:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._count = 0
        self._frame: np.ndarray | None = None
        self._png = b""

    def write(self, frame: np.ndarray) -> None:
        if frame is not self._frame:  # a held picture (the same array again) is compressed once
            self._frame, self._png = frame, encode_png(frame)
        (self._folder / frame_name(self._count)).write_bytes(self._png)
        self._count += 1

    def finish(self, cancelled: Callable[[], bool]) -> None:
        pass

    def abort(self) -> None:
        pass


class _VideoFile:
    """MP4 (H.264) or WebM (VP9) in yuv420p, tagged and converted as BT.709.

    Players assume BT.709 colours for HD video; converting with it and saying
    so in the file keeps the window's colours exact wherever it is played.

    With *low_latency* the encoder keeps no frames back to plan ahead (x264's
    "zerolatency", VP9 without lag): each frame is out as soon as it is in,
    so a live recording's memory does not grow with the picture's size
    times the frames held (~700 MB → ~250 MB at 3840×2160) and Stop leaves
    nothing to flush, for files a little larger.
    """

    def __init__(self, av, target: Path, kind: str, size: tuple[int, int], fps: float, *,
                 low_latency: bool = False) -> None:
        from av.video.reformatter import ColorPrimaries, ColorRange, Colorspace, ColorTrc

        self._av = av
        codec, options, container_options = (
            (_MP4_CODEC, _MP4_OPTIONS, _MP4_CONTAINER) if kind == "mp4" else (_WEBM_CODEC, _WEBM_OPTIONS, {})
        )
        if low_latency:
            options = options | (_MP4_LOW_LATENCY if kind == "mp4" else _WEBM_LOW_LATENCY)
        self._container = av.open(str(target), "w", format=kind, container_options=dict(container_options))
        try:
            stream = self._container.add_stream(codec, rate=_rate(fps))
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            stream.options = dict(options)
            context = stream.codec_context
            context.colorspace = Colorspace.ITU709
            context.color_range = ColorRange.MPEG
            context.color_primaries = ColorPrimaries.BT709
            context.color_trc = ColorTrc.BT709
            # One thread: on two cores x264 then takes ~30 % less CPU time
            # (no threading overhead), leaving a core to render; alone it
            # still encodes 1280×720 at ~150 frames/s, and the bytes no longer
            # depend on the number of cores.
            context.thread_count = 1
        except BaseException:
            self.abort()
            raise
        self._stream = stream
        self._convert = {
            "format": "yuv420p", "dst_colorspace": Colorspace.ITU709,
            "dst_color_range": ColorRange.MPEG, "dst_color_primaries": ColorPrimaries.BT709,
            "dst_color_trc": ColorTrc.BT709,
            # One scaling thread: x264 has its own, and the GUI needs a core to render.
            "threads": 1,
        }
        self._count = 0
        self._frame: np.ndarray | None = None
        self._picture = None

    def write(self, frame: np.ndarray) -> None:
        if frame is not self._frame:
            # A held picture comes as the same array again (frames are never
            # changed once written): its colours are converted once. The
            # conversion reads the array in place: copying it into a frame
            # first (from_ndarray) holds the GIL, which stalled the GUI
            # thread for ~0.1–0.4 s a frame at 3840×2160.
            picture = self._av.VideoFrame.from_numpy_buffer(np.ascontiguousarray(frame), format="rgb24")
            self._frame, self._picture = frame, picture.reformat(**self._convert)
        picture = self._picture
        picture.pts = self._count
        self._count += 1
        self._container.mux(self._stream.encode(picture))

    def finish(self, cancelled: Callable[[], bool]) -> None:
        self._container.mux(self._stream.encode(None))
        self._container.close()

    def abort(self) -> None:
        try:
            self._container.close()
        except Exception:  # noqa: BLE001 — the file is deleted anyway
            pass


class _GifFile:
    """A looping GIF: frames are counted and spooled, then encoded with one palette at the end.

    Only the part of a frame that changed (:func:`changed_box`) is binned,
    counted and spooled: the colour counts of the whole frame follow from
    the last frame's by what left the box and what came into it.
    """

    # top, bottom, left, right of the changed box, and the length of its
    # compressed bins; a length of 0 is the same picture again.
    _RECORD = struct.Struct("<5I")

    def __init__(self, av, target: Path, work: Path, size: tuple[int, int], fps: float) -> None:
        self._av = av
        self._target = target
        self._size = size
        self._fps = fps
        self._spool_path = work / "frames.spool"
        self._spool: IO[bytes] = open(self._spool_path, "wb")  # noqa: SIM115 — closed in finish/abort
        self._count = ColourCount()
        width, height = size
        # The last frame's bins and how often each occurs; before the first
        # frame, every pixel is in bin 0.
        self._bins = np.zeros((height, width), np.uint16)
        self._histogram = np.zeros(1 << 16, np.int64)
        self._histogram[0] = width * height
        self._previous: np.ndarray | None = None
        self._container = None
        #: Frames written to the GIF so far, while :meth:`finish` runs.
        self.encoded = 0

    def write(self, frame: np.ndarray) -> None:
        previous = self._previous
        width, height = self._size
        if previous is None:
            box: tuple[int, int, int, int] | None = (0, height, 0, width)
        else:
            box = None if frame is previous else changed_box(frame, previous)
        if box is None:
            self._spool.write(self._RECORD.pack(0, 0, 0, 0, 0))  # the same picture again
            return
        top, bottom, left, right = box
        pixels = frame[top:bottom, left:right]
        bins = rgb565(pixels)
        before = self._bins[top:bottom, left:right]
        self._histogram += np.bincount(bins.ravel(), minlength=1 << 16)
        self._histogram -= np.bincount(before.ravel(), minlength=1 << 16)
        self._count.add_histogram(self._histogram, pixels, bins)
        before[...] = bins
        data = zlib.compress(bins.tobytes(), _SPOOL_LEVEL)
        self._spool.write(self._RECORD.pack(top, bottom, left, right, len(data)))
        self._spool.write(data)
        self._previous = frame

    def finish(self, cancelled: Callable[[], bool]) -> None:
        self._spool.close()
        self._previous = None
        colours, lut = choose_palette(self._count)
        palette = np.zeros((256, 4), np.uint8)  # ARGB; unused entries opaque black
        palette[:, 0] = 255
        palette[: len(colours), 1:] = colours
        palette[_GIF_TRANSPARENT, 0] = 0
        width, height = self._size
        self._container = container = self._av.open(str(self._target), "w", format="gif")
        stream = container.add_stream("gif", rate=_rate(self._fps))
        stream.width, stream.height, stream.pix_fmt = width, height, "pal8"
        indices = np.zeros((height, width), np.uint8)
        picture = None
        with open(self._spool_path, "rb") as spool:
            while not cancelled():
                head = spool.read(self._RECORD.size)
                if not head:
                    break
                top, bottom, left, right, length = self._RECORD.unpack(head)
                if length:
                    bins = np.frombuffer(zlib.decompress(spool.read(length)), np.uint16)
                    indices[top:bottom, left:right] = lut[bins].reshape(bottom - top, right - left)
                    # from_ndarray copies: the next box may change indices.
                    picture = self._av.VideoFrame.from_ndarray((indices, palette), format="pal8")
                picture.pts = self.encoded
                container.mux(stream.encode(picture))
                self.encoded += 1
        if cancelled():
            return
        container.mux(stream.encode(None))
        container.close()

    def abort(self) -> None:
        self._spool.close()
        if self._container is not None:
            try:
                self._container.close()
            except Exception:  # noqa: BLE001 — the file is deleted anyway
                pass


class Encoder(Protocol):
    """What the worker thread hands frames to: one kind of output being written."""

    def write(self, frame: np.ndarray) -> None:
        """Add *frame* (the same array again for a held picture)."""

    def finish(self, cancelled: Callable[[], bool]) -> None:
        """Complete the output; stop early when *cancelled* () turns true."""

    def abort(self) -> None:
        """Let go of open files after a failure or a cancel."""


# -- hidden work folders ------------------------------------------------------------------
def _this_host() -> str:
    """This computer's name as it may appear in a file name (letters, digits, dashes)."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname()) or "host"


def part_prefix(name: str) -> str:
    """The start of a work folder's name for output *name*: ``.NAME.HOST-PID.``.

    The host and the process that own the folder are in its name, so a
    later recording can tell a folder left by a killed process from one in use.
    """
    return f".{name}.{_this_host()}-{os.getpid()}."


def _untouched_for(folder: Path, seconds: float) -> bool:
    """True when neither *folder* nor anything directly in it changed in the last *seconds*."""
    newest = folder.stat().st_mtime
    for entry in folder.iterdir():
        newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
    return time.time() - newest > seconds


def remove_stale_parts(folder: Path) -> list[str]:
    """Delete the work folders in *folder* that recordings killed on this computer left behind.

    A folder counts as stale when the process named in it (see
    :func:`part_prefix`) no longer runs here; one from another computer
    (a shared network folder) or a process that still runs is kept. A
    folder named by an older rnnviz, without its process, is deleted once
    nothing in it has changed for :data:`OLD_PART_AGE_S`. Returns the
    names deleted; what cannot be read or deleted is left alone.
    """
    host = _this_host()
    removed = []
    try:
        entries = [e for e in folder.iterdir() if e.name.startswith(".") and e.name.endswith(PART_SUFFIX)]
    except OSError:
        return removed
    for entry in entries:
        stem = entry.name[: -len(PART_SUFFIX)]
        owner = stem.rsplit(".", 2)[-2] if stem.count(".") >= 3 else ""
        match = re.fullmatch(r"(.+)-(\d+)", owner)
        try:
            if not entry.is_dir() or entry.is_symlink():
                continue
            if match is not None:
                # The test stale part files use: a running process (another
                # user's too) keeps its folder, an id no process has does not.
                stale = match.group(1) == host and not process_running(int(match.group(2)))
            else:
                stale = _untouched_for(entry, OLD_PART_AGE_S)
            if stale:
                shutil.rmtree(entry)
                removed.append(entry.name)
        except OSError:
            continue
    return removed


# -- the queue between the caller and the worker --------------------------------------------
#: What the queue gives the worker once it is ended and empty.
_END: Final[object] = object()


class _FrameQueue:
    """Frames waiting for the worker; a run of one picture is one entry with a count.

    At most *max_pictures* distinct pictures wait (the memory a queue may
    hold) and at most *max_frames* frames, repeats included (the work it
    may hold). The end mark needs no room, so finishing never waits.
    """

    def __init__(self, max_pictures: int, max_frames: int) -> None:
        self.max_pictures = max(1, max_pictures)
        self.max_frames = max(1, max_frames)
        self._changed = threading.Condition()
        self._runs: deque[list] = deque()  # [picture, copies]
        self._ended = False
        #: Frames waiting, repeats included.
        self.frames = 0

    @property
    def pictures(self) -> int:
        """Distinct pictures waiting."""
        return len(self._runs)

    def free(self) -> tuple[int, int]:
        """(frames that fit now, new pictures that fit now)."""
        with self._changed:
            return self.max_frames - self.frames, self.max_pictures - len(self._runs)

    def put(self, frame: np.ndarray, copies: int, timeout: float = 0.0) -> int:
        """Queue up to *copies* of *frame*; return how many.

        With no room, waits once up to *timeout* seconds for the worker to
        take a frame, and tries again.
        """
        with self._changed:
            taken = self._fit(frame, copies)
            if not taken and timeout > 0:
                self._changed.wait(timeout)
                taken = self._fit(frame, copies)
            return taken

    def _fit(self, frame: np.ndarray, copies: int) -> int:
        room = min(copies, self.max_frames - self.frames)
        if room <= 0:
            return 0
        if self._runs and self._runs[-1][0] is frame:
            self._runs[-1][1] += room  # a held picture: more of the same, no more memory
        elif len(self._runs) < self.max_pictures:
            self._runs.append([frame, room])
        else:
            return 0
        self.frames += room
        self._changed.notify_all()
        return room

    def get(self) -> np.ndarray | object:
        """The next frame, waiting for one; :data:`_END` once ended and empty."""
        with self._changed:
            while not self._runs and not self._ended:
                self._changed.wait()
            if not self._runs:
                return _END
            run = self._runs[0]
            run[1] -= 1
            if run[1] == 0:
                self._runs.popleft()
            self.frames -= 1
            self._changed.notify_all()
            return run[0]

    def end(self) -> None:
        """No more frames: :meth:`get` returns :data:`_END` once the queue is empty."""
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def clear(self) -> None:
        with self._changed:
            self._runs.clear()
            self.frames = 0
            self._changed.notify_all()


class VideoWriter:
    """Encode frames to *out* on a worker thread; the file appears only when complete.

    Parameters
    ----------
    out
        ``*.mp4``, ``*.webm``, ``*.gif``, or a folder (ending in ``/`` or
        existing and empty) for PNG frames. Checked by :func:`plan_output`.
        A symbolic link is written through: its target gets the recording.
    size
        (width, height) of every frame.
    fps
        Frames per second of the video (ignored by PNG frames).
    max_queued
        Distinct pictures that may wait for the worker: the memory the
        queue holds is at most this many frames.
    max_frames
        Frames that may wait, repeats of one picture included (the work
        queued); by default *max_queued*. :meth:`write` blocks beyond either
        limit, so memory stays bounded whatever the producer's speed;
        :meth:`offer` never blocks.
    low_latency
        MP4 and WebM encoders keep no frames back (a live recording): less
        memory, nothing left to flush at the end, files a little larger.
    wrap_encoder
        Called with the encoder of the output; what it returns is used
        instead (tests make the encoder slow with it).

    Use :meth:`write` per frame, then :meth:`close` (wait and get the path) or
    :meth:`finish` and poll :meth:`wait` to stay responsive; :meth:`cancel`
    at any time. As a context manager, leaving on an exception cancels.
    A frame handed to :meth:`write` must not be changed afterwards (it is
    queued, not copied); handing the same array again is cheap: it is
    converted, compressed or counted once.

    The work folder's name says which process owns it; starting a writer
    deletes the ones that killed processes left in the same folder
    (:func:`remove_stale_parts`).
    """

    def __init__(
        self, out: str | os.PathLike[str], size: tuple[int, int], fps: float, *,
        max_queued: int = DEFAULT_QUEUE, max_frames: int | None = None, low_latency: bool = False,
        wrap_encoder: Callable[[Encoder], Encoder] | None = None,
    ) -> None:
        self.plan = plan_output(out, size)
        self.size = (int(size[0]), int(size[1]))
        self.fps = check_fps(fps)
        self._queue = _FrameQueue(max_queued, max_queued if max_frames is None else max_frames)
        self._cancelled = threading.Event()
        self._error: RecordingError | None = None
        self._finished = threading.Event()  # the worker has ended, for better or worse
        self._ending = False
        self.frames_received = 0
        #: Frames the worker has passed on to the encoder or written.
        self.frames_written = 0
        #: "encoding", then "finishing" (flushing the encoder or, for a GIF,
        #: choosing its colours and writing it), then "done", "failed" or "cancelled".
        self.phase = "encoding"
        self.path: Path | None = None
        av = None if self.plan.is_folder else load_av()
        destination = self.plan.destination
        parent = destination.parent
        remove_stale_parts(parent)
        try:
            self._work = Path(tempfile.mkdtemp(
                prefix=part_prefix(destination.name), suffix=PART_SUFFIX, dir=parent
            ))
        except OSError as error:
            raise UnwritableOutput(f"cannot write in {parent}: {describe_os_error(error)}") from None
        try:
            if self.plan.is_folder:
                self._target = self._work / "frames"
                self._target.mkdir()
                encoder: Encoder = _PngFrames(self._target)
            elif self.plan.kind == "gif":
                self._target = self._work / "video.gif"
                encoder = _GifFile(av, self._target, self._work, self.size, self.fps)
            else:
                self._target = self._work / f"video.{self.plan.kind}"
                encoder = _VideoFile(av, self._target, self.plan.kind, self.size, self.fps,
                                     low_latency=low_latency)
            self._gif = encoder if isinstance(encoder, _GifFile) else None
            self._encoder = wrap_encoder(encoder) if wrap_encoder is not None else encoder
        except BaseException as error:
            self._remove_work()
            if isinstance(error, OSError) and error.errno in _UNWRITABLE:
                raise UnwritableOutput(f"cannot write in {parent}: {describe_os_error(error)}") from None
            if isinstance(error, Exception) and not isinstance(error, RecordingError):
                raise self._explain(error) from None
            raise
        self._thread = threading.Thread(target=self._run, name="rnnviz-video-writer", daemon=True)
        self._thread.start()

    # -- producer side ---------------------------------------------------------------
    def write(self, frame: np.ndarray) -> None:
        """Queue one frame (waits while the queue is full); raises the worker's error if any."""
        self._check(frame)
        while True:
            self._raise_error()
            if self._queue.put(frame, 1, timeout=0.05):
                break
        self.frames_received += 1

    def offer(self, frame: np.ndarray, copies: int = 1) -> int:
        """Queue up to *copies* of *frame* without waiting; return how many were taken.

        Fewer (down to none) are taken when the encoder is behind: the queue
        holds no more than its frames and pictures allow. Raises the
        worker's error if any.
        """
        self._check(frame)
        self._raise_error()
        taken = self._queue.put(frame, copies) if copies > 0 else 0
        self.frames_received += taken
        return taken

    def room(self) -> tuple[int, int]:
        """(frames :meth:`offer` takes now, new pictures among them at most).

        A repeat of the last picture offered is no new picture while it
        still waits in the queue.

        Only the worker frees room, so what this says still holds for the
        caller's next :meth:`offer` (there may be more room by then).
        """
        return self._queue.free()

    @property
    def frames_waiting(self) -> int:
        """Frames queued and not yet taken by the worker, repeats included."""
        return self._queue.frames

    @property
    def pictures_waiting(self) -> int:
        """Distinct pictures queued and not yet taken by the worker (the memory held)."""
        return self._queue.pictures

    def _check(self, frame: np.ndarray) -> None:
        if self._ending:
            raise RuntimeError("write() after finish(), close() or cancel()")
        width, height = self.size
        if frame.shape != (height, width, 3) or frame.dtype != np.uint8:
            raise ValueError(
                f"a frame must be a {height}x{width}x3 uint8 array, not {frame.shape} {frame.dtype}"
            )

    def finish(self) -> None:
        """No more frames: let the worker complete the file (returns at once)."""
        if self._ending:
            return
        self._ending = True
        self._queue.end()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to *timeout* seconds for the worker; True once it has ended."""
        return self._finished.wait(timeout)

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    @property
    def error(self) -> RecordingError | None:
        return self._error

    @property
    def frames_finished(self) -> int:
        """Frames in the output so far: for a GIF, those written while finishing."""
        if self._gif is not None:
            return self._gif.encoded
        return self.frames_written

    def close(self) -> Path:
        """Finish, wait, and return the output path (or raise :class:`RecordingError`)."""
        self.finish()
        self.wait()
        self._raise_error()
        if self._cancelled.is_set() or self.path is None:
            raise RecordingError(f"the recording to {self.plan.path} was cancelled")
        return self.path

    def cancel(self) -> None:
        """Stop now and delete everything written; an existing file at the output stays.

        The worker stops after the frame it is encoding (a GIF being finished,
        after the frame it is writing); this returns once it has cleaned up.
        """
        self._cancelled.set()
        self._ending = True
        self._queue.clear()
        self._queue.end()
        self._thread.join()

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(self, kind, error, tb) -> None:
        if kind is not None:
            self.cancel()
            return
        try:
            self.close()
        except BaseException:  # e.g. Ctrl+C while the encoder finishes
            self.cancel()
            raise

    # -- worker side -------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is _END or self._cancelled.is_set():
                    break
                self._encoder.write(item)  # type: ignore[arg-type]
                self.frames_written += 1
            if not self._cancelled.is_set():
                self.phase = "finishing"
                self._encoder.finish(self._cancelled.is_set)
                self._complete()
        except RecordingError as error:
            self._fail(error)
        except Exception as error:  # noqa: BLE001 — reported to the producer, never lost
            self._fail(self._explain(error))
        finally:
            if self._error is not None or self._cancelled.is_set():
                self._encoder.abort()
                self._remove_work()
                self.phase = "failed" if self._error is not None else "cancelled"
                self._queue.clear()
            else:
                self.phase = "done"
            self._finished.set()

    def _fail(self, error: RecordingError) -> None:
        # Whatever breaks while a cancel tears things down is no error.
        if not self._cancelled.is_set():
            self._error = error

    def _complete(self) -> None:
        if self._cancelled.is_set():
            return
        out = self.plan.destination
        if self.plan.is_folder and out.is_dir():
            out.rmdir()  # empty (checked at the start); an OSError says if that changed
        os.replace(self._target, out)
        self.path = self.plan.path
        self._remove_work()

    def _explain(self, error: Exception) -> RecordingError:
        """A message for the user about *error*, naming the output."""
        out = self.plan.path
        if isinstance(error, OSError):  # PyAV's file errors are OSErrors too
            if error.errno in _UNWRITABLE:
                return RecordingError(f"cannot write {out}: {describe_os_error(error)}")
            if type(error).__module__ == "av.error" and not error.filename:
                return RecordingError(f"the video encoder failed while writing {out}: {error.strerror}")
            reason = error.strerror or str(error)
            where = error.filename or out
            return RecordingError(f"cannot write {out}: {reason} ({where})")
        if type(error).__module__ == "av.error":
            reason = getattr(error, "strerror", None) or str(error)
            return RecordingError(f"the video encoder failed while writing {out}: {reason}")
        return RecordingError(f"recording to {out} failed: {type(error).__name__}: {error}")

    # -- helpers ----------------------------------------------------------------------------
    def _raise_error(self) -> None:
        if self._error is not None:
            # The worker is cleaning up after the failure; once the error is
            # raised, its work folder is gone and :attr:`phase` says "failed".
            self._finished.wait()
            raise self._error

    def _remove_work(self) -> None:
        shutil.rmtree(self._work, ignore_errors=True)


@dataclass(frozen=True)
class VideoInfo:
    """What :func:`probe` reads from a video file by decoding it."""

    codec: str
    pix_fmt: str
    width: int
    height: int
    frames: int


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Decode every frame of *path* with PyAV; report its codec, pixel format, size and frame count.

    Raises :class:`RecordingError` when *path* is missing or is not a video.
    """
    av = load_av()
    try:
        with av.open(os.fspath(path)) as container:
            if not container.streams.video:
                raise RecordingError(f"cannot read {path} as a video: it has no video stream")
            stream = container.streams.video[0]
            frames = sum(1 for _ in container.decode(stream))
            context = stream.codec_context
            return VideoInfo(context.codec.canonical_name, context.pix_fmt or "",
                             context.width, context.height, frames)
    except av.error.FFmpegError as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise RecordingError(f"cannot read {path} as a video: {reason}") from None
