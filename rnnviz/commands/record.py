"""``rnnviz record``: render a stream to a video (MP4, WebM, GIF or PNG frames), headless.

Frames are rendered on a virtual clock, so the same command gives the same
frames on any machine. Qt is imported only when the command runs.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from rnnviz.commands.options import (
    add_learning_arguments,
    add_sequence_arguments,
    allow_negative_values,
    params_from_args,
    read_sequence_text,
)
from rnnviz.engine.errors import InputError

#: Defaults shared with the in-app render (rnnviz.ui.recording imports Qt,
#: so they are repeated here and a test keeps them equal).
DEFAULT_FPS = 30.0
DEFAULT_SPEED = 2.0
DEFAULT_SIZE = "1280x720"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "record",
        help="render the window tick by tick to a video (mp4, webm, gif) or PNG frames",
        description="Render the main window offscreen (no display needed) tick by tick and "
        "write a video: OUT.mp4 (H.264), OUT.webm (VP9), OUT.gif, or a folder of PNG frames "
        "(OUT ending in /). Frames are rendered at a steady pace on a virtual clock, so the "
        "same command always gives the same frames. The first and last pictures are held "
        "for a second. Your saved settings are neither read nor changed.",
        epilog='Example: rnnviz record talk.mp4 "1^10 0^10" --speed 2 --size 1920x1080',
    )
    allow_negative_values(parser)
    parser.add_argument("out", metavar="OUT", help="OUT.mp4, OUT.webm, OUT.gif, or a folder ending in /")
    add_sequence_arguments(parser)
    video = parser.add_argument_group("video")
    video.add_argument("--ticks", type=int, default=None,
                       help="ticks to show from the start (default: every tick of the stream)")
    video.add_argument("--fps", type=float, default=DEFAULT_FPS,
                       help=f"frames per second (default {DEFAULT_FPS:g})")
    video.add_argument("--speed", type=float, default=DEFAULT_SPEED,
                       help=f"ticks per second of video, at most --fps (default {DEFAULT_SPEED:g})")
    video.add_argument("--size", default=DEFAULT_SIZE,
                       help=f"WIDTHxHEIGHT in pixels, even for mp4/webm (default {DEFAULT_SIZE})")
    video.add_argument("--presentation", action="store_true",
                       help="film presentation mode: no menus or settings, text enlarged for the size")
    add_learning_arguments(parser)
    parser.set_defaults(func=run_record)


def run_record(args: argparse.Namespace) -> int:
    from rnnviz.engine.sequences import parse_sequence
    from rnnviz.io.video import RecordingError, check_fps, plan_output
    from rnnviz.session import DEFAULT_STREAM

    # Everything the user typed is checked before Qt starts or a frame is drawn.
    given = any(getattr(args, name, None) is not None for name in ("sequence", "file", "example"))
    text = read_sequence_text(args) if given else DEFAULT_STREAM
    bits = parse_sequence(text)
    params = params_from_args(args)
    from rnnviz.ui.app import parse_size  # no Qt at import

    size = parse_size(args.size)
    check_fps(args.fps)
    plan_output(args.out, size)
    ticks = len(bits) - 1 if args.ticks is None else args.ticks
    # Offscreen, as rnnviz screenshot: no display needed, no window flashes
    # up, and the frame size is exactly the one asked for.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from rnnviz.ui.mainwindow import application
    from rnnviz.ui.recording import make_timeline, record_stream

    make_timeline(ticks, args.fps, args.speed)
    if ticks > len(bits) - 1:
        raise InputError(f"--ticks {ticks:,} is more than the stream's {len(bits) - 1:,} ticks")
    application()
    show = sys.stderr.isatty()
    shown = False
    interrupted = False

    def on_interrupt(signum, frame) -> None:
        # Python would raise KeyboardInterrupt wherever it is, even inside a
        # Qt callback, where Qt swallows it; note it and stop between frames.
        nonlocal interrupted
        interrupted = True

    def progress(done: int, total: int) -> None:
        nonlocal shown
        if interrupted:
            raise KeyboardInterrupt
        if show and (done == total or done % 10 == 0):
            shown = True
            print(f"\rrendering frame {done:,} of {total:,} ({100 * done // total}%)",
                  end="", file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        result = record_stream(args.out, bits, params, ticks, size, fps=args.fps,
                               speed=args.speed, stream_text=text, progress=progress,
                               presentation=args.presentation)
    except RecordingError as error:
        if shown:
            print(file=sys.stderr)
        print(f"rnnviz: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if shown:
            print(file=sys.stderr)
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
    if shown:
        print(file=sys.stderr)
    print(result.summary())
    return 0
