"""Recording speed: frames per second of ``rnnviz record`` at 1280×720, beside rendering alone.

Run:  QT_QPA_PLATFORM=offscreen python bench/record.py [--ticks 40] [--format mp4|webm|gif|png]

Both runs use the same :class:`~rnnviz.ui.recording.StreamRenderer` on the
default stream ("1^10 0^10" repeated), 30 frames/s at 2 ticks/s (a tick
every 15 frames, as a teaching video has):

* baseline — render every frame (step, events and paints, read the painted
  pixels, convert to numpy) and drop it;
* recording — the same frames handed to a :class:`~rnnviz.io.video.VideoWriter`
  (H.264 by default), including the wait for the finished file.

Goal: recording at 60 frames/s or more (a minute of video in half a minute).
The ratio recording/baseline says what encoding costs on top of rendering;
PyAV encodes on the writer's thread and releases the GIL meanwhile, so on a
second core it stays near 1. "finishing" is the wait after the last frame
(flushing the encoder; for a GIF, choosing the palette and writing every
frame). The numbers move with the machine's load; compare the ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.engine.learner import LearnerParams  # noqa: E402
from rnnviz.engine.sequences import parse_sequence  # noqa: E402
from rnnviz.io.video import VideoWriter, encoder_versions  # noqa: E402
from rnnviz.ui.mainwindow import application  # noqa: E402
from rnnviz.ui.recording import StreamRenderer  # noqa: E402

SIZE = (1280, 720)
FPS, SPEED = 30.0, 2.0
GOAL_FPS = 60.0


def _renderer(ticks: int) -> StreamRenderer:
    bits = parse_sequence(f"(1^10 0^10)^{ticks // 19 + 1}")
    return StreamRenderer(bits, LearnerParams(), ticks, SIZE, fps=FPS, speed=SPEED)


def render_only(ticks: int) -> tuple[int, float]:
    renderer = _renderer(ticks)
    started = time.perf_counter()
    for _ in renderer:
        pass
    took = time.perf_counter() - started
    renderer.close()
    return renderer.frames, took


def record(ticks: int, kind: str) -> tuple[int, float, float, int]:
    """Frames, seconds in all, seconds after the last frame, and bytes written."""
    renderer = _renderer(ticks)
    with tempfile.TemporaryDirectory() as folder:
        out = f"{folder}/frames/" if kind == "png" else f"{folder}/bench.{kind}"
        started = time.perf_counter()
        with VideoWriter(out, SIZE, FPS) as writer:
            for frame in renderer:
                writer.write(frame)
            last = time.perf_counter()
        took = time.perf_counter() - started
        path = Path(out)
        size = sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size
    renderer.close()
    return renderer.frames, took, took - (last - started), size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=40)
    parser.add_argument("--format", choices=("mp4", "webm", "gif", "png"), default="mp4")
    args = parser.parse_args()
    application()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {encoder_versions()}, "
          f"{SIZE[0]}x{SIZE[1]}, {FPS:g} fps, {SPEED:g} ticks/s")
    render_only(2)  # warm up fonts and caches
    frames, base = render_only(args.ticks)
    frames, rec, finishing, size = record(args.ticks, args.format)
    base_fps, rec_fps = frames / base, frames / rec
    print(f"baseline  (render only)      {base_fps:7.1f} frames/s  ({frames} frames in {base:.2f} s)")
    print(f"recording (render + {args.format:4})   {rec_fps:7.1f} frames/s  ({frames} frames in {rec:.2f} s, "
          f"{finishing:.2f} s of it finishing; {size / 1e6:.1f} MB)")
    print(f"ratio recording/baseline      {rec_fps / base_fps:7.2f}   goal: ≥ {GOAL_FPS:g} frames/s "
          f"→ {'met' if rec_fps >= GOAL_FPS else 'MISSED'}")
    return 0 if rec_fps >= GOAL_FPS else 1


if __name__ == "__main__":
    sys.exit(main())
