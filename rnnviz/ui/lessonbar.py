"""The lesson bar above the tape, and the Lessons menu's entries.

:class:`LessonBar` shows which lesson is open and its caption for the tick on
screen; :func:`fill_lessons_menu` lists the lessons (and the lesson files that
were skipped). :class:`rnnviz.ui.files.SessionFiles` owns both and decides
when a lesson opens or closes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from rnnviz.engine.generator import DEFAULTS as GENERATOR_DEFAULTS
from rnnviz.io.lessons import Caption, Lesson, LessonProblem
from rnnviz.session import Session
from rnnviz.present.format import fixed, plain
from rnnviz.ui.adapter import SessionAdapter


# -- the lesson bar ----------------------------------------------------------------
from rnnviz.ui.runadapter import Change
def caption_on_screen(lesson: Lesson, cursor: int) -> Caption | None:
    """The lesson's caption that describes tick *cursor*, or None.

    A caption describes the tick it is written for, and the ticks up to its
    ``until`` when the lesson declares one (a caption such as "from tick 11
    on the input is 0" that holds for a stretch). Past that the numbers it
    quotes are no longer on screen, so it is not shown: "Tick 15: ho crosses
    zero" must not stay up while the diagram shows tick 17.
    """
    caption = lesson.caption_at(cursor)
    return caption if caption is not None and caption.describes(cursor) else None


def lesson_matches(session: Session, lesson: Lesson) -> bool:
    """Whether *session* runs the lesson's own stream with the lesson's own settings.

    Every stored tick counts: η changed for a few ticks and changed back
    leaves ticks the lesson's numbers no longer describe.
    """
    # The last span holds the current parameters, so this covers them too.
    return np.array_equal(session.bits, lesson.bits) and all(
        span.params == lesson.params for span in session.param_log
    )


class LessonBar(QFrame):
    """A strip above the tape: which lesson, its caption for the current tick, Close.

    A caption shows only while it describes what is on screen: at its own
    tick (or the stretch of ticks the lesson declares for it, see
    :func:`caption_on_screen`), and only while the session is the lesson's
    own stream and settings. Between captions the strip says where the next
    one is; once the stream or the settings differ from the lesson's, it says
    the lesson no longer matches instead of quoting numbers that are not on
    screen.
    """

    #: The Close button was pressed.
    closeRequested = Signal()

    def __init__(self, adapter: SessionAdapter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#lessonBar { background: #fff6e0; border: 1px solid #e0c890; border-radius: 3px; }"
        )
        self._adapter = adapter
        self._lesson: Lesson | None = None
        self._heading = ""
        self._edited = False
        self.heading = QLabel()
        self.heading.setObjectName("lessonHeading")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.caption = QLabel()
        self.caption.setObjectName("lessonCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.compare = QLabel()
        self.compare.setObjectName("lessonCompare")
        self.compare.setWordWrap(True)
        self.compare.setTextFormat(Qt.TextFormat.PlainText)
        self.compare.setStyleSheet("color: #5a4a20;")
        self.close_button = QToolButton()
        self.close_button.setText("Close")
        self.close_button.setToolTip("close the lesson (the session stays as it is)")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.closeRequested)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.heading, 1)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 3, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.caption)
        layout.addWidget(self.compare)
        self.hide()
        adapter.changed.connect(self._on_changed)

    @property
    def lesson(self) -> Lesson | None:
        return self._lesson

    def show_lesson(self, lesson: Lesson, number: int, count: int) -> None:
        """Show *lesson*, the *number*-th of *count*, from the caption for the current tick."""
        self._lesson = lesson
        self._heading = f"Lesson {number} of {count}: {lesson.title}"
        run = lesson.free_run()
        if run is None:
            self.compare.hide()
        else:
            g = {**GENERATOR_DEFAULTS, **(lesson.generator or {})}
            shown = run.y[:6].tolist()
            values = "  ".join(fixed(y, 2, signed=True) for y in shown)
            bits = " ".join(str(int(v > 0)) for v in [g["x0"], *shown])
            self.compare.setText(
                f"Built by hand (ih {plain(g['ih'])}, hh {plain(g['hh'])}, ho {plain(g['ho'])}, "
                f"output gain {plain(g['gain'])}, from x = {plain(g['x0'])}, each output fed back "
                f"as the next input):  {values}  …   read above 0 as 1:  {bits} …"
            )
            self.compare.show()
        self.show()
        self._on_changed(int(Change.ALL))

    def clear(self) -> None:
        self._lesson = None
        self.hide()

    def _on_changed(self, flags: int) -> None:
        lesson = self._lesson
        if lesson is None:
            return
        session = self._adapter.session
        heading = self._heading
        # Forgetting stored ticks (Home, an edit) can drop the spans of other
        # settings from the log, and the run is the lesson's own again.
        if flags & (Change.STREAM | Change.PARAMS | Change.HISTORY):
            self._edited = not lesson_matches(session, lesson)
        if self._edited:
            self.heading.setText(heading + "   (no longer matches: the stream or settings changed)")
            self.caption.setText(
                "The stream or the learning settings are no longer the lesson's, so its captions "
                "would not describe what you see. Undo the change, or open the lesson again from "
                "the Lessons menu."
            )
            return
        self.heading.setText(heading)
        cursor = session.cursor
        caption = caption_on_screen(lesson, cursor)
        if caption is not None:
            self.caption.setText(caption.text)
            return
        later = [c.tick for c in lesson.captions if c.tick > cursor]
        self.caption.setText(
            f"(No caption for tick {cursor:,}: the next is at tick {later[0]:,}.)" if later
            else f"(No caption for tick {cursor:,}: the lesson's last is at tick "
            f"{lesson.captions[-1].tick:,}.)"
        )


def fill_lessons_menu(menu: QMenu, lessons: list[Lesson], problems: list[LessonProblem],
                      open_lesson: Callable[[int], object]) -> QAction:
    """Add one entry per lesson (and one per skipped file) to *menu*; return its *Close lesson*.

    Parameters
    ----------
    menu : QMenu
        The window's Lessons menu.
    lessons, problems : list
        What :func:`rnnviz.io.lessons.load_lessons` found.
    open_lesson : callable
        Called with the lesson's 1-based number when its entry is chosen.
    """
    for number, lesson in enumerate(lessons, 1):
        action = menu.addAction(f"&{number}  {lesson.title}")
        action.setObjectName(f"lesson:{lesson.key}")
        action.setToolTip(lesson.summary)
        action.setStatusTip(lesson.summary)
        action.triggered.connect(lambda _=False, n=number: open_lesson(n))
    for problem in problems:
        action = menu.addAction(f"{problem.name}: {problem.message}")
        action.setEnabled(False)
    menu.addSeparator()
    close_action = menu.addAction("&Close lesson")
    close_action.setEnabled(False)
    return close_action
