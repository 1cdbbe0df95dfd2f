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
    given_sequence_text,
    params_from_args,
)
from rnnviz.commands.gui import LAB_PRESETS, add_model_arguments
from rnnviz.engine.errors import InputError
from rnnviz.io.video import DEFAULT_VIDEO_FPS, DEFAULT_VIDEO_PACE, DEFAULT_VIDEO_SIZE

SIZE_TEXT = "{}x{}".format(*DEFAULT_VIDEO_SIZE)
#: Updates a video of the network lab shows unless --ticks says otherwise.
LAB_DEFAULT_UPDATES = 100


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
    video.add_argument("--fps", type=float, default=DEFAULT_VIDEO_FPS,
                       help=f"frames per second (default {DEFAULT_VIDEO_FPS:g})")
    video.add_argument("--speed", type=float, default=DEFAULT_VIDEO_PACE,
                       help=f"ticks per second of video, at most --fps (default {DEFAULT_VIDEO_PACE:g})")
    video.add_argument("--size", default=SIZE_TEXT,
                       help=f"WIDTHxHEIGHT in pixels, even for mp4/webm (default {SIZE_TEXT})")
    video.add_argument("--presentation", action="store_true",
                       help="film presentation mode: no menus or settings, text enlarged for the size")
    video.add_argument("--phase", action="store_true",
                       help="show the phase plot (View ▸ Phase plot, F8) beside the weight plots")
    lab = parser.add_argument_group("network lab")
    lab.add_argument("--lab", metavar="PRESET", choices=LAB_PRESETS, default=None,
                     help="film the network lab (Model ▸ Elman network) training on PRESET instead: "
                     f"{', '.join(LAB_PRESETS)}; --ticks then counts updates (default 100) and "
                     "--speed is updates per second")
    add_model_arguments(parser, "film")
    add_learning_arguments(parser)
    parser.set_defaults(func=run_record)


def _adapter(args: argparse.Namespace):
    """The run --lab or --model asks to film (None: the one-neuron learner on the stream)."""
    if args.lab is not None:
        from rnnviz.tasks.lab_presets import preset
        from rnnviz.ui.workspaces.elman.lab_adapter import LabAdapter

        adapter = LabAdapter(preset(args.lab).make_run())
        adapter.preset_key = args.lab
        return adapter
    if args.model is not None:
        from rnnviz.ui.app import model_adapter

        return model_adapter(args.model)
    return None


def run_record(args: argparse.Namespace) -> int:
    from rnnviz.engine.sequences import parse_sequence
    from rnnviz.io.video import RecordingError, UnwritableOutput
    from rnnviz.session import DEFAULT_STREAM
    from rnnviz.ui.app import parse_size  # no Qt at import

    # Everything the user typed is checked before a frame is drawn: the
    # stream, the learning settings and the size here, before Qt starts;
    # the ticks, the pace and the output by record_stream, before its first frame.
    given = given_sequence_text(args)
    # Not "or": an empty SEQ or file is a mistake to report, not a request for the default.
    text = DEFAULT_STREAM if given is None else given
    bits = parse_sequence(text)
    params = params_from_args(args)
    size = parse_size(args.size)
    ticks = len(bits) - 1 if args.ticks is None else args.ticks
    other = "--lab" if args.lab is not None else "--model" if args.model is not None else None
    if args.lab is not None and args.model is not None:
        raise InputError("--lab and --model each choose the window's model: give one of them")
    if other is not None:
        if args.phase:
            raise InputError(f"--phase goes with the one-neuron window, not with {other}")
        ticks = LAB_DEFAULT_UPDATES if args.ticks is None else args.ticks
    # Offscreen, as rnnviz screenshot: no display needed, no window flashes
    # up, and the frame size is exactly the one asked for.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from rnnviz.ui.mainwindow import MainWindow, application
    from rnnviz.ui.recording import record_stream

    application()
    adapter = _adapter(args)
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
                               presentation=args.presentation, window_class=MainWindow,
                               adapter=adapter, views=("phase_plot",) if args.phase else ())
    except RecordingError as error:
        if shown:
            print(file=sys.stderr)
        print(f"rnnviz: {error}", file=sys.stderr)
        # Nowhere to write at all is a bad OUT, refused like any bad input
        # (before a frame is drawn); a failure on the way (the disk filled up) is 1.
        return 2 if isinstance(error, UnwritableOutput) else 1
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
