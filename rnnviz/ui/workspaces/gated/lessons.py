"""The gated cells' lessons: a caption bar above the workspace and entries in the Lessons menu.

A lesson is a lab lesson file (:mod:`rnnviz.io.lab_lessons`, whose loader and
checks these share) in ``resources/gated_lessons/`` whose preset is one of
this cell's (:mod:`rnnviz.tasks.gated_presets`); a caption's ``stage`` is a
stage of the chosen cell's arithmetic (0 = the gates, then the candidate, the
new cell state, the new hidden state), which the loader checks against the
sequence's steps and :func:`gated_lessons` against the cell's stage count.
Lessons have no ``setup.radius`` (a gated cell has no ρ(W_hh)).

:func:`install_lessons` (called by the kind's ``build``) puts a
:class:`GatedLessonBar` at the top of the workspace and adds the cell's lessons,
*Next caption* (Ctrl+→) and *Close lesson* to the Lessons menu, as actions of
the kind (shown only while it is). Opening a lesson starts its preset afresh
(seed 0, its settings at update 0). The bar shows the caption about what is on
screen while the run is still the lesson's; once the preset, the start or the
settings differ it says so instead of quoting what is no longer shown.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QWidget,
)

from rnnviz.engine.errors import InputError
from rnnviz.io.lab_lessons import LabLesson, LessonProblem, load_lab_lessons
from rnnviz.resources import resources_dir
from rnnviz.runs.lab import LabRun
from rnnviz.tasks.gated_presets import GATED_PRESETS
from rnnviz.ui.captionbar import CaptionBar
from rnnviz.ui.runadapter import Change
from rnnviz.ui.services import WindowServices
from rnnviz.ui.staged_lessons import StagedLessons, run_matches

#: The key of *Next caption* (the lab's too, for the same meaning).
NEXT_CAPTION_KEY = "Ctrl+Right"
#: The stages of a cell's arithmetic, per cell.
STAGES = {"lstm": 4, "gru": 3}


def lessons_dir():
    """The folder of the gated cells' lesson files (``resources/gated_lessons``)."""
    return resources_dir() / "gated_lessons"


@cache
def preset_shapes() -> dict[str, tuple[int, int]]:
    """Per preset: its run's updates and its sequences' steps (what a lesson is checked against)."""
    return {key: (preset.updates, preset.lag + 1) for key, preset in GATED_PRESETS.items()}


def gated_lessons(cell: str, folder=None) -> tuple[list[LabLesson], list[LessonProblem]]:
    """The lessons of *cell* in *folder* (default: the shipped ones), in menu order, and the problems."""
    folder = lessons_dir() if folder is None else folder
    if not folder.is_dir():  # none installed: no lessons, and nothing to complain about
        return [], []
    lessons, problems = load_lab_lessons(preset_shapes(), folder)
    mine = []
    for lesson in lessons:
        if GATED_PRESETS[lesson.preset].cell != cell:
            continue
        if lesson.radius is not None:
            problems.append(LessonProblem(lesson.key, "'setup.radius' is the plain RNN's ρ(W_hh); "
                                                      "a gated lesson has none"))
        elif any(c.stage is not None and c.stage >= STAGES[cell] for c in lesson.captions):
            problems.append(LessonProblem(lesson.key, f"a caption's stage is beyond the {STAGES[cell]} "
                                                      "stages of the cell's arithmetic"))
        else:
            mine.append(lesson)
    return mine, problems


def lesson_run(lesson: LabLesson) -> LabRun:
    """A fresh run of *lesson*: its preset (seed 0), then its settings, at update 0."""
    run = GATED_PRESETS[lesson.preset].make_run()
    if lesson.settings:
        run.set_settings(lesson.settings_from(run.settings))
    return run


class GatedLessonBar(CaptionBar):
    """A strip above the workspace: which lesson, its caption for what is on screen, Close."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("gatedLesson", parent)


class GatedLessons(StagedLessons):
    """One cell's lessons: menu entries, the bar, and which lesson is open (module docstring)."""

    def __init__(self, workspace, services: WindowServices) -> None:
        super().__init__(workspace.widget)
        self.setObjectName("gatedLessons")
        self._workspace = workspace
        self._services = services
        cell = workspace.cell
        try:
            self.lessons, self.problems = gated_lessons(cell)
        except (OSError, InputError) as error:
            self.lessons, self.problems = [], [LessonProblem("gated_lessons", str(error))]
        self.lesson: LabLesson | None = None
        self._number = 0
        self._expected: LabRun | None = None
        self._matches = False
        self.bar = GatedLessonBar()
        self.bar.closeRequested.connect(self.close_lesson)
        workspace.widget.layout().insertWidget(0, self.bar)
        menu = services.menu("lessons")
        self.entries = []
        title = "LSTM" if cell == "lstm" else "GRU"
        for number, lesson in enumerate(self.lessons, 1):
            action = services.add_action(f"{cell}_lesson:{lesson.key}", f"{title} {number}  {lesson.title}",
                                         lambda n=number: self.open_lesson(n), tip=lesson.summary)
            menu.addAction(action)
            self.entries.append(action)
        self.next_action = services.add_action(
            f"{cell}_lesson_next", f"Next {title} caption", self.next_caption,
            [QKeySequence(NEXT_CAPTION_KEY)], f"go to the update (and stage) of the open {title} lesson's next caption")
        self.close_action = services.add_action(f"{cell}_lesson_close", f"Close {title} lesson", self.close_lesson)
        menu.addAction(self.next_action)
        menu.addAction(self.close_action)
        workspace.adapter.changed.connect(self._on_changed)
        if self.problems:
            services.tell(f"{len(self.problems)} {title} lesson file(s) skipped: {self.problems[0]}", 8000)

    def open_lesson(self, number: int) -> bool:
        """Start lesson *number* (1-based): its preset at seed 0, its settings at update 0."""
        lesson = self.lessons[number - 1]
        try:
            run, expected = lesson_run(lesson), lesson_run(lesson)
        except InputError as error:
            self._services.tell(f"Lesson {number} cannot start: {error}", 8000)
            return False
        self._services.show_kind(self._workspace.cell)
        adapter = self._workspace.adapter
        adapter.pause()
        self.lesson, self._number, self._expected, self._matches = lesson, number, expected, True
        adapter.load_preset(lesson.preset, run, 0)
        self.bar.show()
        self._on_changed(int(Change.ALL))
        return True

    def _still_matches(self, lesson: LabLesson) -> bool:
        adapter = self._workspace.adapter
        return (adapter.preset_key == lesson.preset and adapter.seed == 0
                and run_matches(adapter.lab, self._expected))


def install_lessons(workspace, services: WindowServices) -> None:
    """Give the gated *workspace* its lessons: the caption bar and the Lessons-menu entries (once)."""
    if workspace.widget.findChild(GatedLessons, "gatedLessons") is None:
        workspace.lessons = GatedLessons(workspace, services)
