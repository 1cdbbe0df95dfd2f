"""The recording writers (rnnviz.io.video): MP4, WebM, GIF, PNG folders, cancel and errors.

Videos are decoded again with PyAV (:func:`probe`, and :func:`decoded` for
the pixels) to count their frames and read their size, pixel format and
colours. No Qt here.
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
from rnnviz.io.video import (
    ColourCount,
    RecordingError,
    VideoWriter,
    changed_box,
    choose_palette,
    encode_png,
    frame_name,
    plan_output,
    probe,
    rgb565,
)

W, H = 64, 48


def frames(count: int, width: int = W, height: int = H) -> list[np.ndarray]:
    """Distinct frames: a bar that grows one step per frame on a grey ground."""
    out = []
    for i in range(count):
        frame = np.full((height, width, 3), 200, np.uint8)
        frame[10:30, : 4 * (i + 1)] = (200, 80, 20)
        out.append(frame)
    return out


def decoded(path: Path) -> list[np.ndarray]:
    """Every frame of the video at *path*, as RGB arrays."""
    import av

    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


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


def test_a_held_picture_is_written_as_a_png_for_every_frame(tmp_path):
    out = tmp_path / "frames"
    shots = frames(2)
    with VideoWriter(f"{out}/", (W, H), 25) as writer:
        for frame in (shots[0], shots[0], shots[0], shots[1]):  # held: the same array again
            writer.write(frame)
    pictures = [decode_png((out / frame_name(index)).read_bytes()) for index in range(4)]
    for picture, shot in zip(pictures, (shots[0], shots[0], shots[0], shots[1]), strict=True):
        np.testing.assert_array_equal(picture, shot)


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


def test_gif_pixels_are_exact_when_the_frames_have_few_colours(tmp_path):
    out = tmp_path / "exact.gif"
    shots = frames(5)
    for index, shot in enumerate(shots):
        shot[35:40, 10 * index : 10 * index + 6] = (30, 90, 200)  # a blue marker that moves
    assert_gif_gives_back(out, shots)


def assert_gif_gives_back(out, shots) -> None:
    """Write *shots* as a GIF at *out*; every decoded picture must equal its shot."""
    height, width, _ = shots[0].shape
    with VideoWriter(out, (width, height), 10) as writer:
        for shot in shots:
            writer.write(shot)
    pictures = decoded(out)
    assert len(pictures) == len(shots)
    for picture, shot in zip(pictures, shots, strict=True):
        np.testing.assert_array_equal(picture, shot)


@pytest.mark.parametrize("width", [64, 65, 66])  # rows of 192, 195 and 198 bytes
def test_gif_frames_changing_in_small_places_come_back_exactly(tmp_path, width):
    # Each frame changes a few pixels somewhere (corners, edges, the middle),
    # and the last goes back to the first picture.
    base = np.full((H, width, 3), 200, np.uint8)
    base[:, ::7] = (30, 90, 200)
    shots = [base]
    for y, x in [(0, 0), (H - 1, width - 1), (20, width // 2), (0, width - 1), (H - 1, 0)]:
        shot = shots[-1].copy()
        shot[y, x] = (230, 20, 30)
        shot[max(y - 1, 0) : y + 1, max(x - 2, 0) : x + 1, 1] ^= 0x40
        shots.append(shot)
    shots.append(base.copy())
    assert_gif_gives_back(tmp_path / "small.gif", shots)


def test_a_gif_of_many_colours_has_the_palette_of_all_its_frames_counted_whole(tmp_path):
    # Thousands of colours, so the palette depends on how often each occurs:
    # counting only what changed must give the palette counting every frame gives.
    ys, xs = np.mgrid[0:H, 0:W]
    ramp = np.stack([xs * 255 // (W - 1), ys * 255 // (H - 1), (xs * ys) % 256], -1).astype(np.uint8)
    shots = [ramp]
    for index in range(6):
        shot = shots[-1].copy()
        shot[5 * index : 5 * index + 9, 8 * index : 8 * index + 12] = (40 * index, 250, 10 * index)
        shots.append(shot)
    shots += [shots[2], shots[2]]  # back to an earlier picture, then held
    out = tmp_path / "ramp.gif"
    with VideoWriter(out, (W, H), 10) as writer:
        for shot in shots:
            writer.write(shot)
    count = ColourCount()
    for shot in shots[:-1]:  # a held picture is counted once
        count_whole(count, shot, rgb565(shot))
    palette, lut = choose_palette(count)
    assert len(palette) == 255
    pictures = decoded(out)
    for picture, shot in zip(pictures, shots, strict=True):
        np.testing.assert_array_equal(picture, palette[lut[rgb565(shot)]])


def count_whole(count: ColourCount, frame: np.ndarray, bins: np.ndarray) -> None:
    """Count every pixel of *frame* (the writer counts only what changed)."""
    count.add_histogram(np.bincount(bins.ravel(), minlength=1 << 16), frame, bins)


def test_changed_box_holds_every_changed_pixel_and_little_more():
    frame = np.zeros((H, 65, 3), np.uint8)
    assert changed_box(frame, frame.copy()) is None
    moved = frame.copy()
    moved[7, 40, 2] = 1
    moved[9, 44] = 5
    top, bottom, left, right = changed_box(moved, frame)
    assert (top, bottom) == (7, 10) and left <= 40 and right >= 45 and right - left <= 8


def test_gif_with_many_colours_keeps_a_rare_distinct_colour_and_stays_close():
    # A smooth grey-blue ramp (thousands of colours) plus a small red marker.
    ys, xs = np.mgrid[0:120, 0:160]
    frame = np.stack([xs * 255 // 159, ys * 255 // 119, np.full_like(xs, 128)], -1).astype(np.uint8)
    frame[:, :, 0] //= 4
    frame[50:53, 70:73] = (230, 20, 30)
    count = ColourCount()
    bins = rgb565(frame)
    count_whole(count, frame, bins)
    palette, lut = choose_palette(count)
    assert len(palette) == 255 and len(np.unique(bins)) > 255
    mapped = palette[lut[bins]].astype(int)
    assert tuple(mapped[51, 71]) == (230, 20, 30)
    assert np.abs(mapped - frame).mean() < 4


def test_mp4_keeps_the_colours_of_flat_areas(tmp_path):
    # Tagged and converted as BT.709: an orange and a grey come back as they went in.
    out = tmp_path / "colours.mp4"
    frame = np.full((H, W, 3), (239, 239, 239), np.uint8)
    frame[:, W // 2 :] = (179, 88, 6)
    with VideoWriter(out, (W, H), 10) as writer:
        writer.write(frame)
    (picture,) = decoded(out)
    assert np.abs(picture[H // 2, 8].astype(int) - (239, 239, 239)).max() <= 2
    assert np.abs(picture[H // 2, W - 8].astype(int) - (179, 88, 6)).max() <= 2


def test_the_same_frames_give_the_same_mp4_pictures(tmp_path):
    # Not the same bytes: in a process that has done other work (the GUI
    # tests), single-threaded libx264 makes different but equivalent choices
    # from run to run; what a viewer sees is the same.
    for name in ("a.mp4", "b.mp4"):
        with VideoWriter(tmp_path / name, (320, 240), 10) as writer:
            for frame in frames(6, 320, 240):
                writer.write(frame)
    first, second = decoded(tmp_path / "a.mp4"), decoded(tmp_path / "b.mp4")
    assert len(first) == len(second) == 6
    assert all(np.array_equal(a, b) for a, b in zip(first, second))


def test_a_held_picture_plays_as_the_same_picture_as_copies_of_it(tmp_path):
    # A held frame is the same array handed again; its colours are converted once.
    shots = frames(3, 320, 240)
    held = [shots[0], shots[1], shots[1], shots[1], shots[2], shots[2]]
    copies = [shot.copy() for shot in held]
    for name, sequence in (("held.mp4", held), ("copies.mp4", copies)):
        with VideoWriter(tmp_path / name, (320, 240), 10) as writer:
            for frame in sequence:
                writer.write(frame)
    first, second = decoded(tmp_path / "held.mp4"), decoded(tmp_path / "copies.mp4")
    assert len(first) == len(second) == 6
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert np.array_equal(first[1], first[3]) and not np.array_equal(first[3], first[4])


@pytest.mark.parametrize("content", [None, b"not a video at all"])
def test_probe_says_what_is_wrong_with_a_file_that_is_not_a_video(tmp_path, content):
    path = tmp_path / "clip.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RecordingError, match=r"cannot read .*clip\.mp4 as a video: \S"):
        probe(path)


def test_cancelling_a_long_gif_while_it_finishes_leaves_nothing(tmp_path):
    out = tmp_path / "long.gif"
    out.write_bytes(b"keep")
    writer = VideoWriter(out, (W, H), 10)
    for frame in frames(12) * 10:
        writer.write(frame)
    writer.finish()
    writer.cancel()
    assert writer.phase == "cancelled" and out.read_bytes() == b"keep" and leftovers(tmp_path) == []
