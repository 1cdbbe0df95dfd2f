"""Windows laid out offscreen at an exact size: screenshots, rendered videos, the self-test.

Which window shows a run is looked up by the run's type in a small registry
(:func:`register_window`): the main window registers itself for
:class:`~rnnviz.session.Session` where it is defined. The registry is what
lets a render of a window be made from inside that window (File ▸ Render
video builds a second, offscreen main window) while the recording module
imports nothing of the main window, which imports it: the modules stay out
of an import circle (tests/test_layering.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from rnnviz.engine.errors import InputError

#: The largest picture rendered (an 8K slide). The smallest is the window's
#: own minimum size, which its layout decides (see :func:`check_size`).
MAX_SCREENSHOT: Final[tuple[int, int]] = (7680, 4320)

#: Builds a window on an adapter: ``window_class(adapter, settings=None,
#: restore_settings=False, stream_text=...)``, as :class:`MainWindow
#: <rnnviz.ui.mainwindow.MainWindow>` is called.
WindowClass = Callable[..., object]

_WINDOWS: dict[type, WindowClass] = {}


def register_window(run_type: type, window_class: WindowClass) -> None:
    """Show runs of *run_type* (and its subclasses) in *window_class* when rendered offscreen."""
    _WINDOWS[run_type] = window_class


def window_for(run: object) -> WindowClass:
    """The window class registered for *run*'s type or its nearest base class.

    Raises
    ------
    LookupError
        No window shows this kind of run: the module defining its window was
        never imported (for a session, :mod:`rnnviz.ui.mainwindow`).
    """
    for kind in type(run).__mro__:
        if kind in _WINDOWS:
            return _WINDOWS[kind]
    raise LookupError(f"no window is registered for a {type(run).__name__}; import the module "
                      "that defines its window (rnnviz.ui.mainwindow for a Session) first")


def check_size(size: tuple[int, int], smallest: tuple[int, int]) -> None:
    """Refuse *size* unless it lies within *smallest* … :data:`MAX_SCREENSHOT`.

    *smallest* is the window's minimum size as its layout computes it, so
    the range named in the message is the one really accepted.

    Raises
    ------
    InputError
        One line naming the range and why: smaller than the window can be
        laid out in, or larger than rnnviz renders.
    """
    (width, height), (low_w, low_h), (high_w, high_h) = size, smallest, MAX_SCREENSHOT
    if low_w <= width <= high_w and low_h <= height <= high_h:
        return
    reason = ("smaller than the window can be laid out in" if width < low_w or height < low_h
              else "larger than rnnviz renders")
    raise InputError(
        f"--size {width}x{height} is {reason}: it is outside {low_w}x{low_h} … {high_w}x{high_h}"
    )


def offscreen_window(
    adapter, size: tuple[int, int], *, stream_text: str | None = None, presentation: bool = False,
    window_class: WindowClass | None = None,
):
    """A window laid out at exactly *size*, shown without appearing on screen.

    With *presentation* it is in presentation mode: no menus, toolbar or
    settings, and text and markers enlarged for the size. *window_class* is
    the window to build; by default the one registered for the adapter's
    run (:func:`window_for`).

    Reads and writes no settings. Raises :class:`InputError` (and builds
    nothing lasting) when the window cannot be laid out that small.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    build = window_class if window_class is not None else window_for(adapter.run)
    window = build(adapter, settings=None, restore_settings=False, stream_text=stream_text)
    smallest = window.minimumSizeHint()
    try:
        check_size(size, (smallest.width(), smallest.height()))
    except InputError:
        window.close()
        window.deleteLater()
        raise
    # Not on the desktop even on a real platform: the in-app render must not
    # flash a second window in front of the teacher.
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.setFixedSize(*size)
    window.show()
    QApplication.processEvents()
    if presentation:
        window.presentation.set_active(True)
        QApplication.processEvents()
    window.workspace.fit_views()
    # No text caret or focus frame in a picture meant for slides or a video.
    focused = QApplication.focusWidget()
    if focused is not None and focused.window() is window:
        focused.clearFocus()
    QApplication.processEvents()
    return window
