"""Editing the bit tape: keys, the context menu, paste and copy, each edit through the adapter.

:class:`TapeEditing` is the part of :class:`rnnviz.ui.bitstream.BitStreamEditor`
that turns a key press or a menu choice into one undoable adapter call; a
refused edit shows its reason under the tape and changes nothing. The editor
keeps the caret, the message and the geometry; this class asks it for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence, QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QMenu

from rnnviz.engine.errors import InputError
from rnnviz.engine.sequences import format_sequence, parse_sequence

#: Clicks this close to a cell border place the caret instead of toggling.
BORDER_GRAB_PX: Final[int] = 4
#: Cells one wheel notch scrolls.
WHEEL_CELLS: Final[int] = 3


def wheel_step(event: QWheelEvent, cell_w: int) -> float:
    """How many pixels *event* scrolls the tape sideways (either wheel axis, the larger one)."""
    pixels = event.pixelDelta()
    if not pixels.isNull():
        delta = pixels.x() if abs(pixels.x()) > abs(pixels.y()) else pixels.y()
        return float(delta)
    angle = event.angleDelta()
    delta = angle.x() if abs(angle.x()) > abs(angle.y()) else angle.y()
    return delta / 120 * WHEEL_CELLS * cell_w


class TapeEditing:
    """The editing commands of *editor* (a :class:`~rnnviz.ui.bitstream.BitStreamEditor`)."""

    # The editor is not imported, even for its type: it imports this module.
    def __init__(self, editor: QAbstractScrollArea) -> None:
        self._editor = editor

    def paste_text(self, text: str) -> bool:
        """Insert *text*, read in the sequence language, at the caret.

        Parameters
        ----------
        text : str
            E.g. ``"1^10 0^10"``, ``"(10)^5"`` or ``"random(20, 0.3, seed=2)"``.

        Returns
        -------
        bool
            True if the bits were inserted (the caret then follows them);
            False if the text was refused, in which case the message names
            the problem and neither the stream nor the undo stack changed.
        """
        e = self._editor
        try:
            bits = parse_sequence(text)
        except InputError as exc:
            e.show_message(f"Cannot paste: {exc}")
            return False
        caret = e.caret
        if not self.edit("paste", lambda: e.adapter.insert(caret, bits)):
            return False
        e.set_caret(caret + len(bits))
        return True

    def copy_stream(self) -> str:
        """Put the whole stream on the clipboard in the compressed sequence language.

        Returns
        -------
        str
            The text copied, e.g. ``"1^10 0^10"``.
        """
        e = self._editor
        text = format_sequence(e.adapter.session.bits)
        QGuiApplication.clipboard().setText(text)
        count = len(e.adapter.session.bits)
        e.show_message(f"Copied the stream ({count:,} bits) to the clipboard", error=False)
        return text

    def context_menu(self, pos: QPoint) -> QMenu:
        """Build the context menu for a right click at *pos* (viewport coordinates).

        Returns
        -------
        QMenu
            Copy stream, Paste at caret, then Toggle / Delete for the bit under
            *pos* (disabled elsewhere) and Insert 0 / Insert 1 at the gap
            nearest *pos*. The caller shows and deletes it.
        """
        e = self._editor
        menu = QMenu(e)
        index = e.index_at(pos)
        gap = e._caret_at(pos)

        def add(text: str, slot: Callable[[], None], enabled: bool = True,
                keys: QKeySequence.StandardKey | None = None) -> QAction:
            if keys is not None:
                # Only a hint after the tab: the keys work on the tape itself,
                # and a real shortcut here could clash with the window's.
                hint = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
                text = f"{text}\t{hint.split(', ')[0]}" if hint else text
            action = menu.addAction(text)
            action.triggered.connect(slot)
            action.setEnabled(enabled)
            return action

        add("Copy stream", self.copy_stream, keys=QKeySequence.StandardKey.Copy)
        add("Paste at caret", self._paste_clipboard, keys=QKeySequence.StandardKey.Paste)
        menu.addSeparator()
        bit = "this bit" if index is None else f"bit {index + 1:,}"
        add(f"Toggle {bit}", lambda: self.edit("flip", lambda: e.adapter.toggle(index)),
            enabled=index is not None)
        add(f"Delete {bit}", lambda: self._delete_bit(index), enabled=index is not None)
        menu.addSeparator()
        add("Insert 0 here", lambda: self._insert_bit(gap, 0, typing=False))
        add("Insert 1 here", lambda: self._insert_bit(gap, 1, typing=False))
        return menu

    def key_action(self, event: QKeyEvent) -> Callable[[], None] | None:
        """What a key does on the tape, or None for a key the editor leaves alone."""
        e = self._editor
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = modifiers == Qt.KeyboardModifier.NoModifier
        shift = modifiers == Qt.KeyboardModifier.ShiftModifier
        ctrl = modifiers == Qt.KeyboardModifier.ControlModifier
        # Shift+Insert is spelled out because not every platform theme lists it.
        if event.matches(QKeySequence.StandardKey.Paste) or (shift and key == Qt.Key.Key_Insert):
            return self._paste_clipboard
        if event.matches(QKeySequence.StandardKey.Copy):
            return self.copy_stream
        if plain and event.text() in ("0", "1"):
            bit = int(event.text())
            return lambda: self._insert_bit(e.caret, bit)
        if (plain or shift) and key == Qt.Key.Key_Backspace:
            return self._backspace
        if (plain or shift) and key == Qt.Key.Key_Delete:
            return self._delete_forward
        if ctrl and key == Qt.Key.Key_Left:
            return lambda: e.set_caret(e.caret - 1)
        if ctrl and key == Qt.Key.Key_Right:
            return lambda: e.set_caret(e.caret + 1)
        if ctrl and key == Qt.Key.Key_Home:
            return lambda: e.set_caret(0)
        if ctrl and key == Qt.Key.Key_End:
            return lambda: e.set_caret(e._length())
        return None

    def edit(self, verb: str, change: Callable[[], None]) -> bool:
        """Run one adapter edit; on refusal show why. True if it was applied."""
        e = self._editor
        e._editing = True
        try:
            change()
        except InputError as exc:
            e.show_message(f"Cannot {verb}: {exc}")
            return False
        finally:
            e._editing = False
        e.clear_message()
        return True

    def _insert_bit(self, at: int, bit: int, *, typing: bool = True) -> None:
        e = self._editor
        # Key presses merge into one undo step; a menu choice is a step of its own.
        value = np.array([bit], np.uint8)
        if self.edit("insert", lambda: e.adapter.insert(at, value, typing=typing)):
            e.set_caret(at + 1)

    def _delete_bit(self, index: int | None) -> None:
        e = self._editor
        if index is None:
            return
        caret = e.caret
        if self.edit("delete", lambda: e.adapter.delete(index)) and caret > index:
            e.set_caret(caret - 1)  # the caret stays between the same two bits

    def _backspace(self) -> None:
        e = self._editor
        caret = e.caret
        if caret == 0:
            return
        if self.edit("delete", lambda: e.adapter.delete(caret - 1, typing=True)):
            e.set_caret(caret - 1)

    def _delete_forward(self) -> None:
        e = self._editor
        caret = e.caret
        if caret >= e._length():
            return
        if self.edit("delete", lambda: e.adapter.delete(caret, typing=True)):
            e.set_caret(caret)

    def _paste_clipboard(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    def toggles_at(self, pos: QPoint) -> int | None:
        """The bit a click at *pos* flips, or None when it should place the caret."""
        e = self._editor
        index = e.index_at(pos)
        if index is None:
            return None
        rect = e.cell_rect(index)
        if pos.x() - rect.left() < BORDER_GRAB_PX or rect.right() - pos.x() < BORDER_GRAB_PX:
            return None
        return index

    def click(self, pos: QPoint) -> None:
        """A left click at *pos*: flip the bit under it, or place the caret at the nearest gap."""
        e = self._editor
        if pos.y() >= e._layout.message_top:
            return  # the message strip is not part of the tape
        index = self.toggles_at(pos)
        if index is not None:
            self.edit("flip", lambda: e.adapter.toggle(index))
        else:
            e.set_caret(e._caret_at(pos))

    def pointer_at(self, pos: QPoint) -> Qt.CursorShape:
        """The mouse pointer over *pos*: it tells what a click will do (a hand flips, a bar places the caret)."""
        if self.toggles_at(pos) is not None:
            return Qt.CursorShape.PointingHandCursor
        if pos.y() < self._editor._layout.message_top:
            return Qt.CursorShape.IBeamCursor
        return Qt.CursorShape.ArrowCursor
