"""What the network lab's and the gated cells' lessons share: a lesson open over a
:class:`~rnnviz.ui.staged_lab.StagedLabAdapter`, its caption for the update and stage on
screen in a :class:`~rnnviz.ui.captionbar.CaptionBar`, and Ctrl+→ to the next caption.

A subclass (one per kind: kinds never import one another) loads its lessons, makes the
bar and the menu entries, opens a lesson, and says whether the run shown is still the
lesson's (:meth:`StagedLessons._still_matches`); the caption shown, *Next caption* and
*Close* are here. While the run is not the lesson's any more (another preset, weights
or settings) the bar says so instead of quoting numbers that are no longer on screen.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from rnnviz.io.lab_lessons import LabCaption, LabLesson
from rnnviz.runs.lab import LabRun
from rnnviz.ui.runadapter import Change


def run_matches(run: LabRun, expected: LabRun) -> bool:
    """Whether *run* trains as *expected* (a fresh run of the lesson) does: same start, settings, no later change."""
    if run.n_updates != expected.n_updates or run.settings_at(0) != expected.settings_at(0):
        return False
    # A change after update 0, or a typed example at any update: not the lesson's run.
    if any(entry["at"] > 0 or entry.get("kind") == "example" for entry in run.log()[1:]):
        return False
    mine, theirs = run.state_at(0), expected.state_at(0)
    return mine.keys() == theirs.keys() and all(
        mine[name].shape == theirs[name].shape and np.array_equal(mine[name], theirs[name]) for name in mine)


class StagedLessons(QObject):
    """A kind's lessons over a staged lab run (see the module docstring).

    The subclass sets ``_workspace`` (with ``adapter``), ``_services``, ``lessons``,
    ``lesson``, ``_number``, ``_expected``, ``_matches`` and ``bar``.
    """

    #: The heading's first word(s): "Lab lesson 2 of 6: …".
    HEADING = "Lesson"
    #: What a stage is called in "(No caption at update 3, … stage 2: …)".
    STAGE_WORD = "stage"
    #: Said when Ctrl+→ is pressed with no lesson open.
    NONE_OPEN = "No lesson is open: choose one in the Lessons menu."

    def _still_matches(self, lesson: LabLesson) -> bool:
        """Whether the run shown is still *lesson*'s (the kind's own test)."""
        raise NotImplementedError

    def _lesson_closed(self) -> None:
        """What else closing a lesson changes (the kind's menu entries)."""

    def close_lesson(self) -> None:
        """Hide the bar; the run stays as it is."""
        self.lesson = self._expected = None
        self.bar.hide()
        self._lesson_closed()

    def next_caption(self) -> None:
        """Go to the next caption's update and stage (Ctrl+→)."""
        lesson = self.lesson
        if lesson is None:
            self._services.tell(self.NONE_OPEN, 6000)
            return
        adapter = self._workspace.adapter
        caption = lesson.next_caption(adapter.lab.cursor, adapter.stage)
        if caption is None:
            self._services.tell("That was the lesson's last caption.", 6000)
            return
        if caption.update != adapter.lab.cursor:
            adapter.pause()
            adapter.seek(caption.update)
        while caption.stage is not None and adapter.lab.cursor == caption.update \
                and (adapter.stage is None or adapter.stage < caption.stage):
            if not adapter.advance_stage():
                break

    def caption_shown(self) -> LabCaption | None:
        """The caption the bar shows now, or None."""
        if self.lesson is None or not self._matches:
            return None
        adapter = self._workspace.adapter
        return self.lesson.caption_on_screen(adapter.lab.cursor, adapter.stage)

    def place_text(self, update: int, stage: int | None) -> str:
        """``"update 3"``, or ``"update 3, sweep stage 2"`` in the backward sweep's stages."""
        where = f"update {update:,}"
        return where if stage is None else f"{where}, {self.STAGE_WORD} {stage + 1}"

    def _on_changed(self, flags: int) -> None:
        lesson = self.lesson
        if lesson is None:
            return
        adapter = self._workspace.adapter
        if flags & (Change.STREAM | Change.PARAMS | Change.HISTORY) and self._expected is not None:
            self._matches = self._still_matches(lesson)
        heading = f"{self.HEADING} {self._number} of {len(self.lessons)}: {lesson.title}"
        if not self._matches:
            self.bar.show_text(
                heading + "   (no longer matches: the preset, weights or settings changed)",
                "The run is no longer the lesson's, so its captions would not describe what you see. "
                "Open the lesson again from the Lessons menu.")
            return
        caption = self.caption_shown()
        if caption is not None:
            self.bar.show_text(heading, caption.text)
            return
        later = lesson.next_caption(adapter.lab.cursor, adapter.stage)
        here = self.place_text(adapter.lab.cursor, adapter.stage)
        self.bar.show_text(heading, f"(No caption at {here}: the next is at "
                                    f"{self.place_text(later.update, later.stage)}; Ctrl+→ goes there.)"
                           if later else f"(No caption at {here}: that was the lesson's last.)")
