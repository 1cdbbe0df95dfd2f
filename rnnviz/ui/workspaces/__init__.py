"""Model kinds and their workspaces: what the window shows for each kind of model.

The main window is a shell (:class:`~rnnviz.ui.mainwindow.MainWindow`): a
menu bar, the transport toolbar, a status line and one *workspace* at a time,
picked in its *Model* menu. A workspace is one model kind's views around one
:class:`~rnnviz.ui.runadapter.RunAdapter`. A kind is added by registering a
:class:`ModelKind` here — data that says what the kind is called, how its
run is made, saved and read back, which actions, keys and menus it brings
and which lessons it has, and a function that builds its views — as napari
maps a layer type to its controls, or Mu a mode to its actions. Nothing in
the shell names a kind: the shell only reads this registry.

Each kind lives in its own module of this package and never imports
another's (``tests/test_layering.py`` checks it). The one-neuron learner is
:mod:`rnnviz.ui.workspaces.neuron`; the test suite registers a counter kind
of its own (``tests/counter_kind.py``), the worked example of
docs/architecture.md, "Adding a model kind".

What a kind gives
-----------------
``build(services)`` returns a :class:`Workspace`: an object with

* ``adapter`` — its :class:`~rnnviz.ui.runadapter.RunAdapter`, which the
  shell's transport actions (Play, Step, Back, Home, End, speed, Undo) drive
  while the workspace is shown;
* ``widget`` — the views, shown in the window's middle;
* ``toolbar_widgets`` — widgets for the transport toolbar (a speed control);
* ``status_text()`` — the status line for the current tick, and
  ``title()`` — the window title;
* ``document()`` / ``open_document(data)`` — for a kind with
  ``file_codec``, the run as the ``"run"`` part of a session file, and
  back (see :mod:`rnnviz.io.sessionfile`);
* ``focus_home()`` — the view the keyboard goes back to; ``show_message()``
  — a line where the status line would be, when the status bar is hidden;
* ``restore_defaults()``, ``restore_layout(width)``, ``restore_settings(settings)``,
  ``restore_state(settings)`` and ``save_state(settings)`` — its settings
  and layout, for Edit ▸ Restore defaults and the next start;
* ``fit_views()`` — the whole run in view, for a fresh picture;
* ``shutdown()`` — stop its timers when the window closes;
* optionally ``set_presentation(on, scale)`` — lay its views out for
  presentation mode (True, with text *scale* times as large) or back
  (False, 1.0): hide or shrink its controls, give the views the room. The
  shell calls it through :func:`set_presentation` each time presentation
  mode starts, ends or changes its scale; views with ``set_font_scale``
  get the scale in any case.

Its actions are :class:`~rnnviz.ui.services.ActionSpec` data: the shell makes
them, puts them in the named menus and enables them only while the
workspace is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from rnnviz.engine.errors import InputError
from rnnviz.ui.runadapter import RunAdapter
from rnnviz.ui.services import ActionSpec, MenuSpec, WindowServices


class Workspace(Protocol):
    """One model kind's views around its run adapter (see the module docstring)."""

    adapter: RunAdapter
    widget: QWidget
    toolbar_widgets: tuple[QWidget, ...]

    def status_text(self) -> str:
        """The status line for the tick shown."""

    def title(self) -> str:
        """The window title while this workspace is shown."""

    def focus_home(self) -> QWidget:
        """The view the keyboard goes back to."""

    def show_message(self, text: str) -> None:
        """Say *text* in the workspace (the status bar is hidden)."""

    def fit_views(self) -> None:
        """Show the whole run in its views (a fresh picture: screenshots, renders)."""

    def restore_defaults(self) -> str | None:
        """Its settings back to the defaults; the reason they were kept, if they were."""

    def restore_layout(self, width: int) -> None:
        """Its views' default layout in a window *width* pixels wide."""

    def restore_settings(self, settings: QSettings) -> None:
        """Its settings as the last session left them (at start, unless the command line gave its own)."""

    def restore_state(self, settings: QSettings) -> None:
        """Its layout as saved by :meth:`save_state`."""

    def save_state(self, settings: QSettings) -> None:
        """Keep its layout and settings for the next start."""

    def shutdown(self) -> None:
        """Stop timers and background work (the window is closing)."""


class DocumentWorkspace(Workspace, Protocol):
    """A workspace of a kind with ``file_codec``: its run goes into session files as a document."""

    def document(self) -> dict[str, Any]:
        """The run as JSON-ready data, for a session file."""

    def open_document(self, data: Mapping[str, Any]) -> None:
        """Show the run *data* describes; raise InputError (one line) and change nothing if it is bad."""


def set_presentation(workspace: object, on: bool, scale: float) -> None:
    """Tell *workspace* that presentation mode is *on* at text *scale*, if it has the optional hook."""
    hook = getattr(workspace, "set_presentation", None)
    if callable(hook):
        hook(on, scale)


@dataclass(frozen=True)
class ModelKind:
    """A kind of model the window can show, declared as data.

    Parameters
    ----------
    key
        Its name in session files and on the command line (``"neuron"``).
    title
        Its entry in the Model menu (``"One neuron"``).
    about
        One line for the menu entry's status tip.
    build
        Makes its workspace, given the window's services and the adapter
        to show (a new run of its own when None).
    actions
        Its own actions, in the menus they name, enabled while it is shown.
    menus
        Menus of its own, made before its actions are placed, shown only
        while it is shown.
    run_type
        The type of its runs: a window made on an adapter shows the kind
        whose runs are of that type.
    file_codec
        Whether its runs are saved as a ``"run"`` document in a session
        file (:meth:`Workspace.document`); False for the one-neuron kind,
        whose files are the session format's own fields.
    lessons_folder
        Where its lessons are (see :mod:`rnnviz.io.lessons`), for the
        Lessons menu; None when it has none.
    accepts
        For kinds whose runs share a type (the Elman lab and the gated
        cells both train a :class:`~rnnviz.runs.lab.LabRun`): whether a run
        of *run_type* is this kind's (its network's cell); None: every one.
    new_adapter
        Makes an adapter on the kind's first preset (``rnnviz screenshot
        --model`` and ``rnnviz record --model``); None when the command line
        cannot show it on its own.
    """

    key: str
    title: str
    about: str
    build: Callable[[WindowServices, RunAdapter | None], Workspace]
    run_type: type
    actions: tuple[ActionSpec, ...] = ()
    menus: tuple[MenuSpec, ...] = ()
    lessons_folder: Callable[[], Path] | None = None
    file_codec: bool = True
    accepts: Callable[[object], bool] | None = None
    new_adapter: Callable[[], RunAdapter] | None = None


_KINDS: dict[str, ModelKind] = {}


def register(kind: ModelKind) -> ModelKind:
    """Add *kind* to the Model menu of windows made from now on; a key already taken is refused."""
    if kind.key in _KINDS and _KINDS[kind.key] is not kind:
        raise InputError(f"a model kind called {kind.key!r} is registered already")
    _KINDS[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """Take the kind *key* out of the registry (tests that registered their own)."""
    _KINDS.pop(key, None)


def kinds() -> tuple[ModelKind, ...]:
    """Every registered kind, the first registered first (the one a window opens on).

    The kinds rnnviz ships are registered by :mod:`rnnviz.ui.shipped_kinds`,
    which the main window imports.
    """
    return tuple(_KINDS.values())


def kind(key: str) -> ModelKind:
    """The kind called *key*; InputError (one line) when no such kind is registered."""
    try:
        return _KINDS[key]
    except KeyError:
        known = ", ".join(sorted(_KINDS)) or "none"
        raise InputError(f"no model kind called {key!r} (this rnnviz knows {known})") from None


def kind_for_run(run: object) -> ModelKind:
    """The kind whose runs are of *run*'s type (or a base of it)."""
    for candidate in kinds():
        if isinstance(run, candidate.run_type) and (candidate.accepts is None or candidate.accepts(run)):
            return candidate
    raise InputError(f"no model kind shows a {type(run).__name__}")
