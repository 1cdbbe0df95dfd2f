"""The recording writers (rnnviz.io.video): MP4, WebM, GIF, PNG folders, cancel and errors.

Videos are decoded again with PyAV (:func:`probe`, and :func:`decoded` for
the pixels) to count their frames and read their size, pixel format and
colours. No Qt here.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.io import video
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


class Held:
    """An encoder that takes no frame until *gate* opens (one far behind its producer)."""

    def __init__(self, inner, gate: threading.Event) -> None:
        self.inner, self.gate = inner, gate
        self.holding = threading.Event()

    def write(self, frame: np.ndarray) -> None:
        self.holding.set()
        assert self.gate.wait(timeout=60), "nobody let the encoder go"
        self.inner.write(frame)

    def finish(self, cancelled) -> None:
        self.inner.finish(cancelled)

    def abort(self) -> None:
        self.inner.abort()


def test_offer_takes_what_fits_at_once_and_a_held_picture_costs_no_more_memory(tmp_path):
    gate, held = threading.Event(), []
    out = tmp_path / "frames"
    writer = VideoWriter(f"{out}/", (W, H), 10, max_queued=2, max_frames=5,
                         wrap_encoder=lambda inner: held.append(Held(inner, gate)) or held[-1])
    first, second, third, fourth = frames(4)
    try:
        assert writer.offer(first) == 1
        assert held[0].holding.wait(timeout=60)  # the worker is stuck on the first frame
        assert writer.offer(second, 3) == 3 and writer.offer(second, 4) == 2  # 5 frames wait at most
        assert (writer.frames_waiting, writer.pictures_waiting, writer.room()) == (5, 1, (0, 1))
        assert writer.offer(third) == 0  # no room: refused at once, not waited for
    finally:
        gate.set()
    writer.close()
    written = [decode_png(p.read_bytes()) for p in sorted(out.iterdir())]
    assert len(written) == 6
    assert np.array_equal(written[0], first) and all(np.array_equal(f, second) for f in written[1:])
    with pytest.raises(RuntimeError, match="after finish"):
        writer.offer(fourth)


# -- links, leftovers of killed recordings, full and read-only disks --------------------------
def test_a_link_is_written_through_the_link_stays_and_its_target_gets_the_video(tmp_path):
    (tmp_path / "talks").mkdir()
    target = tmp_path / "talks" / "week3.mp4"
    target.write_bytes(b"last year's take")
    link = tmp_path / "current.mp4"
    link.symlink_to(target)
    with VideoWriter(link, (W, H), 10) as writer:
        for frame in frames(3):
            writer.write(frame)
    assert writer.path == link
    assert link.is_symlink() and link.resolve() == target
    assert probe(target).frames == 3
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "talks") == []


def test_a_link_to_a_file_not_yet_there_creates_it_and_a_link_to_a_folder_takes_frames(tmp_path):
    dangling = tmp_path / "next.gif"
    dangling.symlink_to(tmp_path / "made.gif")
    folder_link = tmp_path / "frames"
    (tmp_path / "real_frames").mkdir()
    folder_link.symlink_to(tmp_path / "real_frames", target_is_directory=True)
    for out in (dangling, f"{folder_link}/"):
        with VideoWriter(out, (W, H), 10) as writer:
            writer.write(frames(1)[0])
    assert dangling.is_symlink() and probe(tmp_path / "made.gif").frames == 1
    assert folder_link.is_symlink()
    assert [p.name for p in (tmp_path / "real_frames").iterdir()] == ["frame_000001.png"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("/dev/full", r"talk\.mp4 \(a link to /dev/full\) is not a regular file"),
        ("talk.mp4", r"talk\.mp4 is a link that leads in a circle"),
    ],
)
def test_a_link_to_a_device_or_in_a_circle_is_refused_and_stays(tmp_path, target, message):
    link = tmp_path / "talk.mp4"
    link.symlink_to(target if target.startswith("/") else tmp_path / target)
    with pytest.raises(InputError, match=message):
        VideoWriter(link, (W, H), 10)
    assert link.is_symlink() and [p.name for p in tmp_path.iterdir()] == ["talk.mp4"]


def ended_process_id() -> int:
    """The id of a process that has run and ended."""
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                             capture_output=True, text=True, check=True)
    return int(process.stdout)


def test_work_folders_of_killed_recordings_are_removed_by_the_next_one_and_live_ones_kept(tmp_path):
    host = video._this_host()
    running = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        names = {
            "killed": f".talk.mp4.{host}-{ended_process_id()}.k1ll3d00{video.PART_SUFFIX}",
            "running": f".talk.mp4.{host}-{running.pid}.l1v3ab00{video.PART_SUFFIX}",
            "this process": f".take.gif.{host}-{os.getpid()}.m1n3ab00{video.PART_SUFFIX}",
            "other computer": f".talk.mp4.lab-pc-7-{ended_process_id()}.r3m0t300{video.PART_SUFFIX}",
            "old, untouched for days": f".talk.mp4.x1y2z3w4{video.PART_SUFFIX}",
            "old, written just now": f".slides.gif.a1b2c3d4{video.PART_SUFFIX}",
        }
        for name in names.values():
            (tmp_path / name).mkdir()
            (tmp_path / name / "video.mp4").write_bytes(b"part of a video")
        two_days_ago = time.time() - 2 * 24 * 3600
        old = tmp_path / names["old, untouched for days"]
        for path in (old / "video.mp4", old):
            os.utime(path, (two_days_ago, two_days_ago))
        (tmp_path / "notes.txt").write_text("not ours")
        with VideoWriter(tmp_path / "talk.mp4", (W, H), 10) as writer:
            writer.write(frames(1)[0])
        kept = {label for label, name in names.items() if (tmp_path / name).exists()}
    finally:
        running.communicate(b"")
    assert kept == {"running", "this process", "other computer", "old, written just now"}
    assert (tmp_path / "notes.txt").read_text() == "not ours" and probe(tmp_path / "talk.mp4").frames == 1


def test_a_work_folder_is_named_after_its_computer_and_process(tmp_path):
    writer = VideoWriter(tmp_path / "talk.mp4", (W, H), 10)
    try:
        (work,) = leftovers(tmp_path)
    finally:
        writer.cancel()
    assert work.startswith(f".talk.mp4.{video._this_host()}-{os.getpid()}.")
    assert work.endswith(video.PART_SUFFIX)


class FullDisk:
    """An encoder whose output lands on /dev/full, which the kernel refuses with ENOSPC."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def write(self, frame: np.ndarray) -> None:
        with open("/dev/full", "wb") as disk:
            disk.write(encode_png(frame))

    def finish(self, cancelled) -> None:
        self.inner.finish(cancelled)

    def abort(self) -> None:
        self.inner.abort()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_said_in_one_plain_line_and_leaves_nothing(tmp_path):
    out = tmp_path / "talk.mp4"
    with pytest.raises(RecordingError) as caught:
        with VideoWriter(out, (W, H), 10, wrap_encoder=FullDisk) as writer:
            for frame in frames(5):
                writer.write(frame)
    assert str(caught.value) == f"cannot write {out}: no space left on the device"
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_refuses_writing_says_permission_denied(tmp_path):
    # Tests run as root, for whom a chmod-ed folder is writable; /proc/self is
    # refused to everyone.
    with pytest.raises(InputError, match=r"^cannot write in the folder /proc/self \(permission denied\)$"):
        VideoWriter("/proc/self/talk.mp4", (W, H), 10)
