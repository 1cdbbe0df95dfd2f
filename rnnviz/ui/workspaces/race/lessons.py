"""The race's lessons: a caption bar above the race and its entries in the Lessons menu.

A race lesson is a lab lesson file (:mod:`rnnviz.io.lab_lessons`, whose loader and
checks these share) in ``resources/race_lessons/`` whose preset is ``"race"``: the
race of :data:`~rnnviz.tasks.race_presets.RACE_SEED` as it starts, its captions per update (a race has no stages and
no settings to set up). Opening it starts that race at update 0; the bar shows the
caption about the update on screen while the race is still that seed's as it
trains by itself (no other seed, no session opened since), and says so otherwise.
The menu entries are the kind's actions (:data:`LESSON_ACTIONS`), enabled only
while the race is shown; *Next caption* is Ctrl+→, the lab's key for the same.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QWidget,
)

from rnnviz.engine.errors import InputError
from rnnviz.io.lab_lessons import LabLesson, LessonProblem, load_lab_lessons
from rnnviz.resources import resources_dir
from rnnviz.tasks.race_presets import RACE_LAG, RACE_SEED, RACE_UPDATES, race
from rnnviz.ui.captionbar import CaptionBar
from rnnviz.ui.services import ActionSpec

#: The preset name race lessons give (the race of RACE_SEED).
PRESET = "race"


def race_lessons(folder=None) -> tuple[list[LabLesson], list[LessonProblem]]:
    """The race's lessons in *folder* (default: the shipped ones), in menu order, and the problems."""
    folder = resources_dir() / "race_lessons" if folder is None else folder
    if not folder.is_dir():
        return [], []
    return load_lab_lessons({PRESET: (RACE_UPDATES, RACE_LAG + 1)}, folder)


class LessonBar(CaptionBar):
    """A strip above the race: the lesson, its caption for the update on screen, Close."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("raceLesson", parent)


class RaceLessons:
    """The race's lessons and which one is open (module docstring)."""

    def __init__(self, workspace, tell) -> None:
        self._workspace = workspace
        self._tell = tell
        try:
            self.lessons, self.problems = race_lessons()
        except (OSError, InputError) as error:
            self.lessons, self.problems = [], [LessonProblem("race_lessons", str(error))]
        self.lesson: LabLesson | None = None
        self._run: object = None  # the race the lesson opened
        self.bar = LessonBar()
        self.bar.close_button.clicked.connect(self.close_lesson)
        workspace.adapter.changed.connect(lambda _flags: self.show_caption())
        if self.problems:
            tell(f"{len(self.problems)} race lesson file(s) skipped: {self.problems[0]}", 8000)

    def open_lesson(self, number: int = 1) -> bool:
        """Start race lesson *number* (1-based): the race of RACE_SEED at update 0."""
        if not 1 <= number <= len(self.lessons):
            self._tell("No race lesson is installed." if not self.lessons
                       else f"There are {len(self.lessons)} race lessons, not {number}.", 6000)
            return False
        self.lesson = self.lessons[number - 1]
        self._number = number
        self._workspace.open_race(race(RACE_SEED))
        self._run = self._workspace.adapter.race
        self.bar.show()
        self.show_caption()
        return True

    def close_lesson(self) -> None:
        """Hide the bar; the race stays as it is."""
        self.lesson = None
        self.bar.hide()

    def next_caption(self) -> None:
        """Go to the update of the next caption (Ctrl+→)."""
        if self.lesson is None:
            self._tell("No race lesson is open: choose one in the Lessons menu.", 6000)
            return
        adapter = self._workspace.adapter
        caption = self.lesson.next_caption(adapter.race.cursor, None)
        if caption is None:
            self._tell("That was the lesson's last caption.", 6000)
            return
        adapter.pause()
        adapter.seek(caption.update)

    def matches(self) -> bool:
        """Whether the race shown is still the one the lesson opened (RACE_SEED; a race has no
        settings to change, so only another seed or an opened file makes it another)."""
        return self._workspace.adapter.race is self._run

    def show_caption(self) -> None:
        lesson = self.lesson
        if lesson is None:
            return
        heading = f"Lesson {self._number} of {len(self.lessons)}: {lesson.title}"
        if not self.matches():
            self.bar.heading.setText(heading + "   (no longer the lesson's race)")
            self.bar.caption.setText("Another seed or race is shown, so the captions would not describe it: "
                                     "open the lesson again from the Lessons menu.")
            return
        cursor = self._workspace.adapter.race.cursor
        caption = lesson.caption_on_screen(cursor, None)
        self.bar.heading.setText(heading)
        self.bar.caption.setText(caption.text if caption is not None else
                                 "(No caption for this update: Ctrl+→ goes to the next one.)")


#: The lesson entries of the kind (Lessons menu), enabled while the race is shown.
LESSON_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("race_lesson", "Race: who remembers the first bit?", lambda ws: ws.lessons.open_lesson(1),
               tip="a plain RNN, an LSTM and a GRU on the same memory task, with captions", menu="lessons"),
    ActionSpec("race_lesson_next", "Next race caption", lambda ws: ws.lessons.next_caption(), ("Ctrl+Right",),
               tip="go to the update of the open race lesson's next caption", menu="lessons"),
    ActionSpec("race_lesson_close", "Close race lesson", lambda ws: ws.lessons.close_lesson(), menu="lessons"),
)
