"""Writing recordings: MP4, WebM, GIF and folders of PNG frames (no Qt).

Frames are ``height × width × 3`` ``uint8`` RGB arrays. :class:`VideoWriter`
takes them on the caller's thread and hands them to a worker thread through a
bounded queue, so a GUI only ever copies a frame and goes on; the worker pipes
them to ffmpeg (the static binary bundled by ``imageio-ffmpeg``, see
docs/recording.md for why) or, for PNG frames, compresses them itself with
zlib.

Everything is written inside a hidden work folder next to the output and moved
into place only when complete. :meth:`VideoWriter.cancel` and every error
delete the work folder, so an existing file at the output path is never
touched by a recording that did not finish.

Formats
-------
``*.mp4``
    H.264 (libx264) in yuv420p, which every player and slide program reads.
    yuv420p stores colour at half resolution, so the width and height must be
    even: an odd size is refused with a message, never silently rounded.
``*.webm``
    VP9 in yuv420p (even sizes too), for web pages.
``*.gif``
    A looping GIF with one 256-colour palette computed from every frame (ffmpeg's
    ``palettegen``/``paletteuse``, ordered dithering only where a frame changed,
    so still parts do not shimmer). Frames are kept losslessly in the work
    folder until the palette is known; memory use stays flat.
a folder (a path ending in ``/`` or an existing empty folder)
    ``frame_000001.png``, ``frame_000002.png``, … exactly the pixels given.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

import numpy as np

from rnnviz.engine.errors import InputError

#: Output kinds by file extension; a folder of PNG frames is ``"png"``.
EXTENSIONS: Final[dict[str, str]] = {".mp4": "mp4", ".webm": "webm", ".gif": "gif"}
#: Frame rates accepted (a GIF stores delays in hundredths of a second, so
#: above 50 fps its timing is approximate).
MIN_FPS: Final[float] = 1.0
MAX_FPS: Final[float] = 120.0
#: Frames waiting for the worker at most; a producer that is faster waits.
DEFAULT_QUEUE: Final[int] = 8
#: zlib level for PNG frames: 3 is about twice as fast as 6 on window
#: pictures for files a few percent larger.
PNG_LEVEL: Final[int] = 3

# Encoder settings. x264 "veryfast" keeps up with rendering on two cores at
# 1280×720, and crf 18 with the "animation" tuning keeps flat UI colours and
# thin lines clean (the files are small: UI pictures change little).
_MP4_ARGS: Final[tuple[str, ...]] = (
    "-c:v", "libx264", "-preset", "veryfast", "-tune", "animation", "-crf", "18",
    "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4",
)
_WEBM_ARGS: Final[tuple[str, ...]] = (
    "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
    "-crf", "32", "-b:v", "0", "-pix_fmt", "yuv420p", "-f", "webm",
)
_GIF_PALETTE: Final[str] = "palettegen=max_colors=256:stats_mode=full"
_GIF_APPLY: Final[str] = "paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle"
# A console window must not flash up on Windows when the GUI starts ffmpeg.
_NO_WINDOW: Final[int] = getattr(subprocess, "CREATE_NO_WINDOW", 0)


class RecordingError(InputError):
    """A recording could not be written (a full disk, a vanished folder, a failed encoder).

    The message names the output and the reason, for the person who asked for it.
    """


@dataclass(frozen=True)
class OutputPlan:
    """A checked output: where it goes and in which format."""

    path: Path
    kind: str  # "mp4", "webm", "gif" or "png"

    @property
    def is_folder(self) -> bool:
        return self.kind == "png"


def plan_output(out: str | os.PathLike[str], size: tuple[int, int]) -> OutputPlan:
    """Check that a recording of *size* (width, height) can be written to *out*.

    Raises :class:`~rnnviz.engine.errors.InputError` naming the problem: an
    unknown extension, a missing or unwritable folder, a non-empty frame
    folder, or an odd size for MP4/WebM. Nothing is created.
    """
    text = os.fspath(out)
    if not text.strip():
        raise InputError("no output given: name a file such as talk.mp4, or a folder ending in /")
    path = Path(text).expanduser()
    as_folder = text.endswith(("/", os.sep)) or path.is_dir()
    if as_folder:
        kind = "png"
        if path.exists() and not path.is_dir():
            raise InputError(f"{path} is a file, not a folder for PNG frames")
        if path.is_dir() and any(path.iterdir()):
            raise InputError(
                f"the folder {path} is not empty; PNG frames go into a new or empty folder"
            )
    else:
        kind = EXTENSIONS.get(path.suffix.lower(), "")
        if not kind:
            shown = path.suffix or "no extension"
            raise InputError(
                f"cannot record to {path.name} ({shown}): name it *.mp4, *.webm or *.gif, "
                "or give a folder ending in / for PNG frames"
            )
        if path.is_dir():
            raise InputError(f"{path} is a folder; name a file to record to")
    parent = path.parent
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
    return OutputPlan(path, kind)


def check_fps(fps: float) -> float:
    """*fps* as a float, or an :class:`InputError` when it is out of range."""
    try:
        value = float(fps)
    except (TypeError, ValueError):
        raise InputError(f"--fps needs a number of frames per second, not {fps!r}") from None
    if not MIN_FPS <= value <= MAX_FPS:
        raise InputError(f"--fps must be between {MIN_FPS:g} and {MAX_FPS:g}, not {value:g}")
    return value


def ffmpeg_exe() -> str:
    """The ffmpeg binary of imageio-ffmpeg (or ``IMAGEIO_FFMPEG_EXE``)."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as error:
        raise RecordingError(
            f"the video encoder is missing ({error}); reinstall rnnviz, or record PNG frames "
            "to a folder, which needs no encoder"
        ) from None


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


_END: Final[object] = object()


class VideoWriter:
    """Encode frames to *out* on a worker thread; the file appears only when complete.

    Parameters
    ----------
    out
        ``*.mp4``, ``*.webm``, ``*.gif``, or a folder (ending in ``/`` or
        existing and empty) for PNG frames. Checked by :func:`plan_output`.
    size
        (width, height) of every frame.
    fps
        Frames per second of the video (ignored by PNG frames).
    max_queued
        Frames that may wait for the worker; :meth:`write` blocks beyond that,
        so memory stays bounded whatever the producer's speed.

    Use :meth:`write` per frame, then :meth:`close` (wait and get the path) or
    :meth:`finish` and poll :meth:`wait` to stay responsive; :meth:`cancel`
    at any time. As a context manager, leaving on an exception cancels.
    """

    def __init__(
        self, out: str | os.PathLike[str], size: tuple[int, int], fps: float, *,
        max_queued: int = DEFAULT_QUEUE,
    ) -> None:
        self.plan = plan_output(out, size)
        self.size = (int(size[0]), int(size[1]))
        self.fps = check_fps(fps)
        self._queue: queue.Queue[object] = queue.Queue(max(1, max_queued))
        self._cancelled = threading.Event()
        self._error: RecordingError | None = None
        self._finished = threading.Event()  # the worker has ended, for better or worse
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._ending = False
        self.frames_received = 0
        #: Frames the worker has passed on to the encoder or written.
        self.frames_written = 0
        #: "encoding", then "finishing" (waiting for the encoder or, for a GIF,
        #: applying the palette), then "done", "failed" or "cancelled".
        self.phase = "encoding"
        self.path: Path | None = None
        exe = None if self.plan.is_folder else ffmpeg_exe()
        parent = self.plan.path.parent
        try:
            self._work = Path(tempfile.mkdtemp(
                prefix=f".{self.plan.path.name}.", suffix=".rnnviz-part", dir=parent
            ))
        except OSError as error:
            raise RecordingError(f"cannot write in {parent}: {error.strerror}") from None
        try:
            if self.plan.is_folder:
                self._target = self._work / "frames"
                self._target.mkdir()
            else:
                self._target = self._work / f"video.{self.plan.kind}"
                self._start_encoder(exe)  # type: ignore[arg-type]
        except BaseException:
            self._remove_work()
            raise
        self._thread = threading.Thread(target=self._run, name="rnnviz-video-writer", daemon=True)
        self._thread.start()

    # -- producer side ---------------------------------------------------------------
    def write(self, frame: np.ndarray) -> None:
        """Queue one frame (waits while the queue is full); raises the worker's error if any."""
        if self._ending:
            raise RuntimeError("write() after finish(), close() or cancel()")
        width, height = self.size
        if frame.shape != (height, width, 3) or frame.dtype != np.uint8:
            raise ValueError(
                f"a frame must be a {height}x{width}x3 uint8 array, not {frame.shape} {frame.dtype}"
            )
        while True:
            self._raise_error()
            try:
                self._queue.put(frame, timeout=0.05)
                break
            except queue.Full:
                continue
        self.frames_received += 1

    def finish(self) -> None:
        """No more frames: let the worker complete the file (returns at once)."""
        if self._ending:
            return
        self._ending = True
        self._put_end()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to *timeout* seconds for the worker; True once it has ended."""
        return self._finished.wait(timeout)

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    @property
    def error(self) -> RecordingError | None:
        return self._error

    def close(self) -> Path:
        """Finish, wait, and return the output path (or raise :class:`RecordingError`)."""
        self.finish()
        self.wait()
        self._raise_error()
        if self._cancelled.is_set() or self.path is None:
            raise RecordingError(f"the recording to {self.plan.path} was cancelled")
        return self.path

    def cancel(self) -> None:
        """Stop now and delete everything written; an existing file at the output stays."""
        self._cancelled.set()
        self._ending = True
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.kill()
        # Unblock a worker waiting for frames, then wait for it to clean up.
        self._drain()
        self._put_end()
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
    def _start_encoder(self, exe: str) -> None:
        width, height = self.size
        source = ("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
                  "-r", f"{self.fps:g}", "-i", "-")
        if self.plan.kind == "mp4":
            outputs: tuple[str, ...] = (*_MP4_ARGS, str(self._target))
        elif self.plan.kind == "webm":
            outputs = (*_WEBM_ARGS, str(self._target))
        else:
            # Pass 1 of 2: count colours for the palette and keep the frames
            # losslessly (FFV1) on disk; pass 2 applies the palette.
            outputs = (
                "-filter_complex", f"[0:v]split[a][b];[a]{_GIF_PALETTE}[p]",
                "-map", "[p]", "-update", "1", "-f", "image2", str(self._work / "palette.png"),
                "-map", "[b]", "-c:v", "ffv1", "-f", "matroska", str(self._work / "frames.mkv"),
            )
        self._spawn(exe, [exe, "-hide_banner", "-loglevel", "error", "-y", *source, *outputs],
                    stdin=True)

    def _spawn(self, exe: str, command: list[str], *, stdin: bool) -> subprocess.Popen[bytes]:
        if self._log is not None:
            self._log.close()
        self._log = tempfile.TemporaryFile()
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=self._log, creationflags=_NO_WINDOW,
                # Ctrl+C in a terminal goes to the whole process group; the
                # recorder, not ffmpeg, decides what happens then.
                start_new_session=sys.platform != "win32",
            )
        except OSError as error:
            raise RecordingError(f"cannot start the video encoder {exe}: {error.strerror}") from None
        with self._lock:
            self._process = process
        if self._cancelled.is_set():  # cancel() ran while this one was starting
            process.kill()
        return process

    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is _END or self._cancelled.is_set():
                    break
                self._write_frame(item)  # type: ignore[arg-type]
                self.frames_written += 1
            if not self._cancelled.is_set():
                self.phase = "finishing"
                self._complete()
        except RecordingError as error:
            self._fail(error)
        except OSError as error:
            self._fail(RecordingError(self._describe(error)))
        except Exception as error:  # noqa: BLE001 — reported to the producer, never lost
            self._fail(RecordingError(
                f"recording to {self.plan.path} failed: {type(error).__name__}: {error}"
            ))
        finally:
            if self._error is not None or self._cancelled.is_set():
                with self._lock:
                    process = self._process
                if process is not None:
                    if process.poll() is None:
                        process.kill()
                    process.wait()
                    if process.stdin is not None:
                        try:
                            process.stdin.close()
                        except OSError:  # the pipe is broken: nothing left to flush
                            pass
                self._remove_work()
                self.phase = "failed" if self._error is not None else "cancelled"
                self._drain()
            else:
                self.phase = "done"
            if self._log is not None:
                self._log.close()
            self._finished.set()

    def _fail(self, error: RecordingError) -> None:
        # A cancel kills the encoder, which then "fails": that is no error.
        if not self._cancelled.is_set():
            self._error = error

    def _write_frame(self, frame: np.ndarray) -> None:
        if self.plan.is_folder:
            (self._target / frame_name(self.frames_written)).write_bytes(encode_png(frame))
            return
        process = self._process
        assert process is not None and process.stdin is not None
        try:
            process.stdin.write(np.ascontiguousarray(frame).data)
        except (BrokenPipeError, ValueError):
            process.wait()
            raise RecordingError(self._encoder_failure(process)) from None

    def _complete(self) -> None:
        if not self.plan.is_folder:
            process = self._process
            assert process is not None and process.stdin is not None
            try:
                process.stdin.close()
            except BrokenPipeError:
                pass
            if process.wait() != 0:
                raise RecordingError(self._encoder_failure(process))
            if self.plan.kind == "gif":
                self._apply_palette()
        if self._cancelled.is_set():
            return
        out = self.plan.path
        if self.plan.is_folder and out.is_dir():
            out.rmdir()  # empty (checked at the start); an OSError says if that changed
        os.replace(self._target, out)
        self.path = out
        self._remove_work()

    def _apply_palette(self) -> None:
        exe = ffmpeg_exe()
        process = self._spawn(exe, [
            exe, "-hide_banner", "-loglevel", "error", "-y",
            "-i", str(self._work / "frames.mkv"), "-i", str(self._work / "palette.png"),
            "-lavfi", f"[0:v][1:v]{_GIF_APPLY}", "-loop", "0", "-f", "gif", str(self._target),
        ], stdin=False)
        if process.wait() != 0:
            raise RecordingError(self._encoder_failure(process))

    def _encoder_failure(self, process: subprocess.Popen[bytes]) -> str:
        if self._cancelled.is_set():
            return f"the recording to {self.plan.path} was cancelled"
        detail = ""
        if self._log is not None:
            self._log.seek(0)
            lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
            detail = lines[-1].strip() if lines else ""
        if "No space left" in detail:
            return f"cannot finish {self.plan.path}: the disk is full"
        code = process.returncode
        reason = detail or (f"exit status {code}" if code is not None and code >= 0 else f"stopped by signal {-(code or 0)}")
        return f"the video encoder failed while writing {self.plan.path}: {reason}"

    def _describe(self, error: OSError) -> str:
        if error.errno == 28:  # ENOSPC
            return f"cannot finish {self.plan.path}: the disk is full"
        reason = error.strerror or str(error)
        where = error.filename or self.plan.path
        return f"cannot write {self.plan.path}: {reason} ({where})"

    # -- helpers ----------------------------------------------------------------------------
    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _put_end(self) -> None:
        while not self._finished.is_set():
            try:
                self._queue.put(_END, timeout=0.05)
                return
            except queue.Full:
                if self._cancelled.is_set():
                    self._drain()

    def _drain(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass

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


_STREAM = re.compile(
    r"Stream #0:\d+[^:]*: Video: (?P<codec>\w+)[^,]*, (?P<pix>\w+)(?:\([^)]*\))?, "
    r"(?P<w>\d+)x(?P<h>\d+)"
)


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Decode *path* with ffmpeg and report its codec, pixel format, size and frame count."""
    exe = ffmpeg_exe()
    result = subprocess.run(
        [exe, "-hide_banner", "-nostats", "-i", os.fspath(path), "-map", "0:v:0",
         "-f", "null", "-progress", "pipe:1", "-"],
        capture_output=True, creationflags=_NO_WINDOW, check=False,
    )
    log = result.stderr.decode("utf-8", "replace")
    stream = _STREAM.search(log)
    frames = re.findall(r"^frame=(\d+)$", result.stdout.decode("ascii", "replace"), re.M)
    if result.returncode != 0 or stream is None or not frames:
        last = log.strip().splitlines()[-1] if log.strip() else f"exit status {result.returncode}"
        raise RecordingError(f"cannot read {path} as a video: {last}")
    return VideoInfo(stream["codec"], stream["pix"], int(stream["w"]), int(stream["h"]), int(frames[-1]))
