"""The recording writers (rnnviz.io.video): MP4, WebM, GIF, PNG folders, cancel and errors.

Videos are decoded again with the bundled ffmpeg (:func:`probe`) to count
their frames and read their size and pixel format. No Qt here.
"""

from __future__ import annotations

import shutil
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.io.video import RecordingError, VideoWriter, encode_png, frame_name, plan_output, probe

W, H = 64, 48


def frames(count: int, width: int = W, height: int = H) -> list[np.ndarray]:
    """Distinct frames: a bar that grows one step per frame on a grey ground."""
    out = []
    for i in range(count):
        frame = np.full((height, width, 3), 200, np.uint8)
        frame[10:30, : 4 * (i + 1)] = (200, 80, 20)
        out.append(frame)
    return out


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def decode_png(data: bytes) -> np.ndarray:
    """Decode the PNGs encode_png writes (8-bit RGB, filter Up) back to pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = header[:4]
    assert (depth, colour) == (8, 2)
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, 1 + 3 * width)
    assert set(raw[:, 0]) == {2}
    rows = np.cumsum(raw[:, 1:].astype(np.int64), axis=0) % 256
    return rows.astype(np.uint8).reshape(height, width, 3)


@pytest.mark.parametrize(("name", "codec"), [("clip.mp4", "h264"), ("clip.webm", "vp9")])
def test_video_decodes_with_every_frame_at_the_size_in_yuv420p(tmp_path, name, codec):
    with VideoWriter(tmp_path / name, (W, H), 10) as writer:
        for frame in frames(7):
            writer.write(frame)
    info = probe(tmp_path / name)
    assert (info.codec, info.pix_fmt, info.width, info.height, info.frames) == (codec, "yuv420p", W, H, 7)
    assert writer.path == tmp_path / name
    assert leftovers(tmp_path) == []


def test_gif_has_every_frame_even_repeated_ones_and_loops(tmp_path):
    out = tmp_path / "clip.gif"
    shots = frames(4)
    with VideoWriter(out, (W + 1, H + 1), 10) as writer:  # a GIF may have an odd size
        for frame in shots[:2] + [shots[1]] * 3 + shots[2:]:
            writer.write(np.pad(frame, ((0, 1), (0, 1), (0, 0)), mode="edge"))
    info = probe(out)
    assert (info.codec, info.width, info.height, info.frames) == ("gif", W + 1, H + 1, 7)
    assert b"NETSCAPE2.0\x03\x01\x00\x00" in out.read_bytes()  # loop forever
    assert leftovers(tmp_path) == []


def test_png_folder_holds_the_exact_pixels_in_numbered_frames(tmp_path):
    out = tmp_path / "frames"
    shots = frames(3)
    with VideoWriter(f"{out}/", (W, H), 25) as writer:
        for frame in shots:
            writer.write(frame)
    assert sorted(p.name for p in out.iterdir()) == ["frame_000001.png", "frame_000002.png", "frame_000003.png"]
    for index, frame in enumerate(shots):
        np.testing.assert_array_equal(decode_png((out / frame_name(index)).read_bytes()), frame)
    assert leftovers(tmp_path) == []


def test_png_encoding_is_byte_for_byte_repeatable():
    frame = frames(5)[4]
    assert encode_png(frame) == encode_png(frame.copy())
    assert encode_png(frame) != encode_png(frames(5)[3])


def test_an_empty_existing_folder_takes_the_frames(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    with VideoWriter(out, (W, H), 10) as writer:
        writer.write(frames(1)[0])
    assert [p.name for p in out.iterdir()] == ["frame_000001.png"]


@pytest.mark.parametrize("name", ["talk.mp4", "talk.gif", "frames/"])
def test_cancel_leaves_no_output_and_keeps_an_existing_file(tmp_path, name):
    out = tmp_path / name
    if name.endswith("/"):
        out.mkdir()
    else:
        out.write_bytes(b"last year's lecture")
    writer = VideoWriter(str(out) + ("/" if name.endswith("/") else ""), (W, H), 10)
    for frame in frames(5):
        writer.write(frame)
    writer.cancel()
    assert writer.phase == "cancelled" and writer.path is None
    if name.endswith("/"):
        assert list(out.iterdir()) == []
    else:
        assert out.read_bytes() == b"last year's lecture"
    assert leftovers(tmp_path) == []
    with pytest.raises(RecordingError, match="cancelled"):
        writer.close()


def test_an_exception_inside_the_with_block_cancels(tmp_path):
    out = tmp_path / "talk.mp4"
    with pytest.raises(KeyboardInterrupt):
        with VideoWriter(out, (W, H), 10) as writer:
            writer.write(frames(1)[0])
            raise KeyboardInterrupt
    assert not out.exists() and leftovers(tmp_path) == []


def test_a_finished_recording_replaces_the_old_file(tmp_path):
    out = tmp_path / "talk.mp4"
    out.write_bytes(b"old")
    with VideoWriter(out, (W, H), 10) as writer:
        for frame in frames(3):
            writer.write(frame)
    assert probe(out).frames == 3


def test_a_failure_while_writing_is_a_clear_message_and_leaves_nothing(tmp_path):
    out = tmp_path / "frames"
    writer = VideoWriter(f"{out}/", (W, H), 10)
    writer.write(frames(1)[0])
    deadline = time.monotonic() + 10
    while writer.frames_written < 1 and time.monotonic() < deadline:
        time.sleep(0.001)  # the worker thread, not Qt: wait for it to go idle
    # The work folder disappears under the writer (a removed USB stick, say).
    for work in tmp_path.glob(".frames.*"):
        shutil.rmtree(work)
    with pytest.raises(RecordingError, match=r"cannot write .*frames"):
        for frame in frames(20):
            writer.write(frame)
        writer.close()
    assert writer.phase == "failed"
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("out", "size", "message"),
    [
        ("talk.mp4", (641, 480), r"MP4 video needs an even width and height .* the width of 641x480 is odd; try 642x480"),
        ("talk.webm", (640, 481), r"the height of 640x481 is odd; try 640x482"),
        ("talk.avi", (640, 480), r"cannot record to talk.avi \(\.avi\): name it \*\.mp4, \*\.webm or \*\.gif"),
        ("talk", (640, 480), r"\(no extension\)"),
        ("missing/talk.mp4", (640, 480), r"no such folder: .*missing"),
    ],
)
def test_bad_outputs_are_refused_before_anything_is_written(tmp_path, out, size, message):
    with pytest.raises(InputError, match=message):
        VideoWriter(tmp_path / out, size, 30)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_with_files_is_refused(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="is not empty"):
        plan_output(tmp_path / "old", (W, H))
    assert (tmp_path / "old" / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize("fps", [0, 0.5, 121, float("nan")])
def test_frame_rates_out_of_range_are_refused(tmp_path, fps):
    with pytest.raises(InputError, match="--fps must be between 1 and 120"):
        VideoWriter(tmp_path / "a.mp4", (W, H), fps)


def test_a_frame_of_the_wrong_shape_is_a_programming_error(tmp_path):
    with VideoWriter(tmp_path / "a.gif", (W, H), 10) as writer:
        with pytest.raises(ValueError, match="must be a 48x64x3 uint8 array"):
            writer.write(np.zeros((H, W, 4), np.uint8))
        writer.write(frames(1)[0])
    assert probe(tmp_path / "a.gif").frames == 1
