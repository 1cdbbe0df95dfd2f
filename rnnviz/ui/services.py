"""What the window shell offers the features and workspaces it hosts.

A window feature (the equations column, session files, presentation mode,
recording, exports) or a model kind's workspace never reaches into the main
window's attributes: it is handed a :class:`WindowServices` and asks it for
what it needs — an action with its keys, a menu by name, the status line, the
settings, the presenter's caption. :class:`~rnnviz.ui.mainwindow.MainWindow`
is the one implementation; a test may pass another.

Two features that must exchange something do it through the shell too: the
caption line belongs to presentation mode, session files save and restore it,
and they meet in a :class:`CaptionSlot` the shell holds, not in each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar, QWidget

#: QSettings layout version: bump it when saved geometry or settings would no longer fit.
SETTINGS_VERSION: Final[int] = 1

#: The menus every window has, by name, left to right.
MENU_NAMES: tuple[str, ...] = ("file", "edit", "model", "generate", "run", "view", "lessons", "help")


@dataclass(frozen=True)
class ActionSpec:
    """An action a workspace declares: what it says, what it does, its keys and where it goes.

    *slot* is called with the workspace (see
    :class:`~rnnviz.ui.workspaces.Workspace`); *menu* names one of
    :data:`MENU_NAMES` (empty: in no menu, a key only).
    """

    name: str
    text: str
    slot: Callable[..., object]
    keys: Sequence[str] = ()
    tip: str = ""
    menu: str = ""


@dataclass(frozen=True)
class MenuSpec:
    """A menu a workspace declares: on the menu bar before the menu *before*, or inside *parent*.

    Inside a parent menu it goes first (the kind's own entries lead its menu).
    """

    name: str
    title: str
    parent: str = ""
    before: str = ""


class CaptionSlot:
    """The presenter's caption, where presentation mode puts it and session files find it.

    Until a feature binds it, the caption is empty and setting it does nothing.
    """

    def __init__(self) -> None:
        self._get: Callable[[], str] | None = None
        self._set: Callable[[str], None] | None = None

    def bind(self, get: Callable[[], str], set_text: Callable[[str], None]) -> None:
        """Serve the caption from *get* and *set_text* (presentation mode's caption line)."""
        self._get, self._set = get, set_text

    def text(self) -> str | None:
        """The caption, or None when it is empty or nothing holds one."""
        return (self._get() or "").strip() or None if self._get is not None else None

    def set_text(self, text: str) -> None:
        """Put *text* in the caption, if something holds one."""
        if self._set is not None:
            self._set(text)


class WindowServices(Protocol):
    """What the window shell offers (see the module docstring)."""

    @property
    def settings(self) -> QSettings | None:
        """Where the window keeps its settings; None when nothing is kept (screenshots, tests)."""

    @property
    def caption_slot(self) -> CaptionSlot:
        """The presenter's caption, shared by presentation mode and session files."""

    def add_action(
        self, name: str, text: str, slot: Callable[[], object],
        keys: list[QKeySequence] | None = None, tip: str = "",
    ) -> QAction:
        """A new action of the window, its keys working even with the menu bar hidden."""

    def action(self, name: str) -> QAction:
        """The action called *name* (``"quit"``, ``"play"``, …)."""

    def menu(self, name: str) -> QMenu:
        """The menu called *name* (one of :data:`MENU_NAMES`, or one a feature added)."""

    def add_menu(self, name: str, menu: QMenu) -> None:
        """Make *menu* (already placed) known by *name*."""

    def tell(self, text: str, ms: int = 6000) -> None:
        """Say *text* on the status line for *ms* milliseconds."""

    def widget(self) -> QWidget:
        """The window, as the parent of dialogs."""

    @property
    def kind_key(self) -> str:
        """The key of the model kind shown."""

    def show_kind(self, key: str) -> None:
        """Show the workspace of the model kind *key*."""

    def workspace_of(self, key: str):
        """The workspace of the model kind *key* (made if it was never shown)."""

    @property
    def toolbar(self) -> QToolBar:
        """The transport toolbar (Reset, Back, Play, Step, Run to end, then the workspace's own)."""
