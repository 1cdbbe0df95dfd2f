"""The network lab's lessons in the window: a caption bar above the lab and the Lessons menu's entries.

:func:`install_lessons` (called once by the lab's ``build``; calling it again
does nothing) puts a :class:`LabLessonBar` at the top of the lab and, at the
end of the Lessons menu, one entry per lab lesson
(:mod:`rnnviz.io.lab_lessons`), a line per lesson file that was skipped,
*Next caption* (Ctrl+→) and *Close lab lesson*. The entries are shown only
while the lab is.

Opening a lesson starts its preset afresh (seed 0) with the lesson's knob
and settings at update 0. The bar shows the caption about what the lab
shows — the update on screen and, in the backward sweep (Shift+→), its
stage — and only while the run is still the lesson's: once the preset, the
start or the settings differ, it says so instead of quoting numbers that
are not on screen. *Next caption* goes to the next caption's update and
stage.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QWidget,
)

from rnnviz.engine.errors import InputError
from rnnviz.io.lab_lessons import LabLesson, LessonProblem, load_lab_lessons
from rnnviz.runs.lab import LabRun
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui.captionbar import CaptionBar
from rnnviz.ui.runadapter import Change
from rnnviz.ui.services import WindowServices
from rnnviz.ui.staged_lessons import StagedLessons, run_matches

#: The model kind whose workspace the lessons belong to.
KIND_KEY = "elman"
#: The key of *Next caption*.
NEXT_CAPTION_KEY = "Ctrl+Right"


@cache
def preset_shapes() -> dict[str, tuple[int, int]]:
    """Per preset: its run's updates and its examples' steps (what a lesson is checked against)."""
    shapes = {}
    for key, preset in PRESETS.items():
        run = preset.make_run()
        shapes[key] = (run.n_updates, int(run.source.steps))
    return shapes


def lesson_run(lesson: LabLesson) -> LabRun:
    """A fresh run of *lesson*: its preset (seed 0), the knob, then its settings, at update 0."""
    run = PRESETS[lesson.preset].make_run()
    if lesson.radius is not None:
        run.scale_w_hh(lesson.radius / run.spectral_radius())
    if lesson.settings:
        run.set_settings(lesson.settings_from(run.settings))
    return run


class LabLessonBar(CaptionBar):
    """A strip above the lab: which lesson, its caption for what is on screen, Close."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("labLesson", parent)


class LabLessons(StagedLessons):
    """The lab's lessons: their menu entries, the bar, and which lesson is open (module docstring)."""

    HEADING = "Lab lesson"
    STAGE_WORD = "sweep stage"
    NONE_OPEN = "No lab lesson is open: choose one in the Lessons menu."

    def __init__(self, workspace, services: WindowServices) -> None:
        super().__init__(workspace.widget)
        self.setObjectName("labLessons")
        self._workspace = workspace
        self._services = services
        try:
            self.lessons, self.problems = load_lab_lessons(preset_shapes())
        except (OSError, InputError) as error:
            self.lessons, self.problems = [], [LessonProblem("lab_lessons", str(error))]
        self.lesson: LabLesson | None = None
        self._number = 0
        self._expected: LabRun | None = None
        self._matches = False
        self.bar = LabLessonBar()
        self.bar.closeRequested.connect(self.close_lesson)
        workspace.widget.layout().insertWidget(0, self.bar)
        self.entries = self._fill_menu()
        workspace.adapter.changed.connect(self._on_changed)
        workspace.widget.installEventFilter(self)
        self._show_entries(services.kind_key == KIND_KEY)
        if self.problems:
            services.tell(f"{len(self.problems)} lab lesson file(s) skipped: {self.problems[0]}", 8000)

    def _fill_menu(self) -> list[QAction]:
        menu = self._services.menu("lessons")
        entries = [menu.addSeparator(), menu.addSection("Network lab")]
        self._commands: list[QAction] = []
        for number, lesson in enumerate(self.lessons, 1):
            action = menu.addAction(f"Lab {number}  {lesson.title}")
            action.setObjectName(f"lab_lesson:{lesson.key}")
            action.setToolTip(lesson.summary)
            action.setStatusTip(lesson.summary)
            action.triggered.connect(lambda _=False, n=number: self.open_lesson(n))
            entries.append(action)
            self._commands.append(action)
        for problem in self.problems:
            action = menu.addAction(f"{problem.name}: {problem.message}")
            action.setEnabled(False)
            entries.append(action)
        self.next_action = self._services.add_action(
            "lab_lesson_next", "Next lab caption", self.next_caption, [QKeySequence(NEXT_CAPTION_KEY)],
            "go to the update (and sweep stage) of the open lab lesson's next caption")
        self.close_action = QAction("Close lab lesson", menu)
        self.close_action.triggered.connect(self.close_lesson)
        menu.addAction(self.next_action)
        menu.addAction(self.close_action)
        self._commands.append(self.next_action)
        return entries + [self.next_action, self.close_action]

    # -- shown only with the lab ---------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShowToParent:
            self._show_entries(True)
        elif event.type() == QEvent.Type.HideToParent:
            self._show_entries(False)
        return False

    def _show_entries(self, shown: bool) -> None:
        for action in self.entries:
            action.setVisible(shown)
        for action in self._commands:
            action.setEnabled(shown)
        self.close_action.setEnabled(shown and self.lesson is not None)

    # -- commands ------------------------------------------------------------------------
    def open_lesson(self, number: int) -> bool:
        """Start lab lesson *number* (1-based): its preset, knob and settings at update 0."""
        lesson = self.lessons[number - 1]
        try:
            run, expected = lesson_run(lesson), lesson_run(lesson)
        except InputError as error:
            self._services.tell(f"Lab lesson {number} cannot start: {error}", 8000)
            return False
        self._services.show_kind(KIND_KEY)
        adapter = self._workspace.adapter
        adapter.pause()
        self.lesson, self._number, self._expected, self._matches = lesson, number, expected, True
        adapter.load_preset(lesson.preset, run)
        self.close_action.setEnabled(True)
        self.bar.show()
        self._on_changed(int(Change.ALL))
        return True

    # -- what the bar says ---------------------------------------------------------------
    def _still_matches(self, lesson: LabLesson) -> bool:
        adapter = self._workspace.adapter
        return adapter.preset_key == lesson.preset and run_matches(adapter.lab, self._expected)

    def _lesson_closed(self) -> None:
        self.close_action.setEnabled(False)


def lessons_of(workspace) -> LabLessons | None:
    """The lessons installed on the lab *workspace*, if any."""
    return workspace.widget.findChild(LabLessons, "labLessons")


def install_lessons(workspace, services: WindowServices) -> None:
    """Give the lab *workspace* its lessons: the caption bar and the Lessons-menu entries (once)."""
    if lessons_of(workspace) is None:
        LabLessons(workspace, services)
