"""The gated cells' workspace: an LSTM or GRU trained live on the long-memory task, and why it works.

One class for both cells. The layout: the controls (preset, seed, η,
clipping, the recurrent-weight knob), the gate lanes of the sequence the
next update learns from and the chosen cell's arithmetic in stages on top;
under them the memory state of every unit over that sequence, the gradient
highway beside the plain RNN's gradient, and the training curves. One tick
is one update; Shift+→ takes the chosen cell's step apart in stages, the
stage after the last being the update. Every number shown comes from
:mod:`rnnviz.present.gated` on the run's current parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QSplitter, QVBoxLayout, QWidget

from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import whole_number
from rnnviz.present.gated import cell_arithmetic, gate_lanes, gradient_highway
from rnnviz.runs.lab import LabRun
from rnnviz.tasks.gated_presets import GatedPreset, presets_of
from rnnviz.ui import theme
from rnnviz.ui.controls import SpeedControl
from rnnviz.ui.runadapter import Change
from rnnviz.ui.services import WindowServices
from rnnviz.ui.throttle import TEXT_REFRESH_PERIOD_MS, Throttle
from rnnviz.ui.workspaces.gated.adapter import GatedAdapter, stage_count
from rnnviz.ui.workspaces.gated.arithmetic import ArithmeticPanel
from rnnviz.ui.workspaces.gated.controls import GatedControls
from rnnviz.ui.workspaces.gated.curves import HighwayPlot, StatePlot, TrainingPlot
from rnnviz.ui.workspaces.gated.lanes import GateLanesView
from rnnviz.ui.workspaces.gated.status import held_out_text, status_parts, summary_text

#: The fields of a gated document (``seed`` only when not 0).
DOCUMENT_FIELDS: Final[frozenset[str]] = frozenset({"preset", "log", "cursor", "seed"})
#: The largest seed a document may name (numpy takes any; a file is refused beyond this).
MAX_DOCUMENT_SEED: Final[int] = 2**32 - 1
#: While training runs faster than the eye follows, the highway is redrawn this often (ms).
HIGHWAY_PERIOD_MS: Final[int] = 100
#: The names of the cells as the engine's networks give them, by kind key.
CELL_NAMES: Final[dict[str, str]] = {"lstm": "LSTM", "gru": "GRU"}


class GatedWorkspace:
    """An LSTM's or GRU's views around a :class:`GatedAdapter` (see the module docstring)."""

    def __init__(self, services: WindowServices, cell: str, adapter: GatedAdapter | None = None) -> None:
        self._services = services
        self.cell = cell
        self.presets: dict[str, GatedPreset] = presets_of(cell)
        if adapter is None:
            adapter = new_adapter(cell, services.widget())
        self.adapter = adapter
        tell = lambda text: services.tell(text, 8000)
        self.controls = GatedControls(adapter, self.presets, tell)
        self.lanes = GateLanesView()
        self.arithmetic = ArithmeticPanel()
        self.state_plot = StatePlot()
        self.highway_plot = HighwayPlot()
        self.training_plot = TrainingPlot()
        self.toolbar_widgets: tuple[QWidget, ...] = (SpeedControl(adapter),)
        #: The step t and unit j whose arithmetic is shown (both from 1).
        self.chosen: tuple[int, int] = (adapter.lab.source.steps, 1)
        self._plain: LabRun | None = None
        self._run_shown: LabRun | None = None
        self._plain_of: tuple[str, int] | None = None
        self._presenting = False
        self._saved_top = self._saved_split = None
        self.widget = self._lay_out()
        self.widget.setObjectName(f"{cell}Workspace")
        #: The arithmetic's text follows play at a readable pace (:class:`~rnnviz.ui.throttle.Throttle`).
        self._text = Throttle(self._show_arithmetic, TEXT_REFRESH_PERIOD_MS, self.widget, "gatedArithmeticTimer",
                              mark_stale=self.arithmetic.set_updating)
        #: The highway, with the plain RNN trained alongside to the same update, likewise (no veil:
        #: a plot a few frames behind while training runs at full speed is not a number misread).
        self._highway = Throttle(self._show_highway, HIGHWAY_PERIOD_MS, self.widget, "gatedHighwayTimer",
                                 mark_stale=lambda _stale: None)
        self._cursor = adapter.lab.cursor
        adapter.changed.connect(self._refresh)
        adapter.playingChanged.connect(self._on_playing)
        self.controls.presetChosen.connect(self.open_preset)
        self.lanes.cellChosen.connect(self.choose_cell)
        self.arithmetic.cellChosen.connect(self.choose_cell)
        self._refresh(int(Change.ALL))

    def _lay_out(self) -> QWidget:
        self.controls_box = QGroupBox("Training")
        box_layout = QVBoxLayout(self.controls_box)
        box_layout.setContentsMargins(2, 2, 2, 2)
        box_layout.addWidget(self.controls)
        box_layout.addStretch(1)
        self.top = QSplitter(Qt.Orientation.Horizontal)
        for widget, stretch in ((self.controls_box, 0), (self.lanes, 3), (self.arithmetic, 2)):
            self.top.addWidget(widget)
            self.top.setStretchFactor(self.top.count() - 1, stretch)
        self.bottom = QSplitter(Qt.Orientation.Horizontal)
        for plot in (self.state_plot, self.highway_plot, self.training_plot):
            self.bottom.addWidget(plot)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setObjectName("gatedSplitter")
        self.split.addWidget(self.top)
        self.split.addWidget(self.bottom)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        for splitter in (self.top, self.bottom, self.split):
            splitter.setChildrenCollapsible(False)
        self.summary = QLabel()
        self.summary.setObjectName("gatedSummary")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.summary.setWordWrap(True)
        self.summary.hide()
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.split, 1)
        return page

    # -- what is shown ------------------------------------------------------------------
    def example_index(self) -> int:
        """The sequence on screen: the one the next update learns from (the last one at the end)."""
        run = self.adapter.lab
        if run.diverged_at is not None and run.at_end:
            return run.diverged_at
        return min(run.cursor, max(run.n_ticks - 1, 0))

    def plain_run(self, follow: bool = True) -> LabRun:
        """The plain RNN of this preset and seed, at the cursor (or where it stopped).

        Not *follow* (the highway while training plays faster than the eye follows): left at its
        update (taken back if past the cursor), since training the plain RNN alongside would cost
        the frames ~40 % more than the gated cell's training; it catches up on the pause.
        """
        key, seed = self.adapter.preset_key, self.adapter.seed
        if self._plain is None or self._plain_of != (key, seed):
            self._plain, self._plain_of = self.presets[key].plain_run(seed), (key, seed)
        plain = self._plain
        target = min(self.adapter.lab.cursor, plain.n_ticks)
        if follow or plain.cursor > target:
            with np.errstate(over="ignore", invalid="ignore"):
                plain.seek(target)
        return plain

    def _refresh(self, flags: int) -> None:
        run = self.adapter.lab
        inputs = run.source.example(self.example_index())[0]
        network = run.network
        with np.errstate(over="ignore", invalid="ignore"):
            lanes = gate_lanes(network.forward(inputs))
        if run is not self._run_shown:  # another run (a preset, a seed, a file): its last step, unit 1
            self._run_shown = run
            self.chosen = (lanes.steps, 1)
        t, j = self.chosen
        self.chosen = (min(t, lanes.steps), min(j, lanes.units))
        self.lanes.show_lanes(lanes, self.chosen)
        self.state_plot.show_state(lanes, self.chosen)
        moved, self._cursor = abs(run.cursor - self._cursor), run.cursor
        for throttle in (self._text, self._highway):
            if self.adapter.playing and flags == Change.CURSOR:
                throttle.request(moved)
            else:
                throttle.now()
        if flags & (Change.CURSOR | Change.HISTORY | Change.PARAMS | Change.STREAM):
            self.training_plot.show_run(run.losses(), run.accuracies(), run.cursor, run.n_ticks)
        self.summary.setText(summary_text(self.preset_title(), self.adapter.seed, run.settings))

    def _show_highway(self) -> None:
        run = self.adapter.lab
        inputs, targets, mask = run.source.example(self.example_index())
        with np.errstate(over="ignore", invalid="ignore"):
            plain = self.plain_run(follow=not (self.adapter.playing and self._highway.stale))
            highway = gradient_highway(run.network, inputs, targets, mask, plain=plain.network)
        self.highway_plot.show_highway(highway, None if plain.cursor == run.cursor else plain.cursor)

    def _show_arithmetic(self) -> None:
        run = self.adapter.lab
        inputs = run.source.example(self.example_index())[0]
        with np.errstate(over="ignore", invalid="ignore"):
            forward = run.network.forward(inputs)
        view = cell_arithmetic(run.network, forward, *self.chosen)
        self.arithmetic.show_arithmetic(view, forward.steps, run.network.n_hidden, self.adapter.stage)

    def _on_playing(self, playing: bool) -> None:
        if not playing:  # the exact state at once
            self._text.now()
            self._highway.now()

    def choose_cell(self, step: int, unit: int) -> None:
        """Show the arithmetic of unit *unit* at step *step* (both from 1)."""
        if (step, unit) != self.chosen:
            self.chosen = (step, unit)
            self._refresh(int(Change.STAGE))

    def preset_title(self) -> str:
        preset = self.presets.get(self.adapter.preset_key)
        return preset.title if preset is not None else CELL_NAMES[self.cell]

    # -- commands -----------------------------------------------------------------------
    def open_preset(self, key: str, seed: int = 0) -> None:
        """Start again on preset *key* drawn from *seed*, at update 0."""
        self.adapter.pause()
        try:
            run = self.presets[key].make_run(seed)
        except (InputError, KeyError) as error:
            self._services.tell(f"Not opened: {error}", 8000)
            return
        self.adapter.load_preset(key, run, seed)
        self._services.tell(f"{self.presets[key].title} (seed {seed}): {self.presets[key].about}", 8000)

    def next_stage(self) -> None:
        if not self.adapter.advance_stage():
            self._services.tell("No update left to take apart: the training is at its end.", 6000)

    # -- what the shell asks ------------------------------------------------------------
    def status_text(self) -> str:
        adapter = self.adapter
        parts = status_parts(adapter.lab, adapter.stage, stage_count(adapter.lab), self.chosen)
        if not adapter.playing:
            parts.append(held_out_text(adapter.lab, adapter.seed))
        return "   ·   ".join(part for part in parts if part)

    def title(self) -> str:
        return f"rnnviz — {self.preset_title()}"  # the preset's title names the cell ("LSTM: …")

    def document(self) -> dict[str, Any]:
        run = self.adapter.lab
        data: dict[str, Any] = {"preset": self.adapter.preset_key, "log": run.log(), "cursor": run.cursor}
        if self.adapter.seed:
            data["seed"] = self.adapter.seed
        return data

    def open_document(self, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping) or not {"preset", "log", "cursor"} <= set(data) <= DOCUMENT_FIELDS:
            raise InputError(f"an {CELL_NAMES[self.cell]} run has the fields preset, log and cursor "
                             "(and seed, when not 0)")
        key, cursor = data["preset"], data["cursor"]
        if not isinstance(key, str) or key not in self.presets:
            raise InputError(f"no {CELL_NAMES[self.cell]} preset called {key!r} "
                             f"(there are {', '.join(self.presets)})")
        if isinstance(cursor, bool) or not isinstance(cursor, int) or cursor < 0:
            raise InputError(f"'cursor' must be a whole number from 0, not {cursor!r}")
        seed = whole_number("'seed'", data.get("seed", 0), minimum=0, maximum=MAX_DOCUMENT_SEED)
        run = self.presets[key].replay(data["log"], cursor, seed)
        self.adapter.load_preset(key, run, seed)

    def set_presentation(self, on: bool, scale: float) -> None:
        """Presentation mode: the controls give way to one line above the views, the text grows."""
        scale = theme.check_font_scale(scale)
        self.summary.setFont(theme.scaled_font(self.widget.font(), scale) if on else self.widget.font())
        self.summary.setVisible(on)
        self.controls_box.setVisible(not on)
        if on != self._presenting:
            if on:
                self._saved_top, self._saved_split = self.top.saveState(), self.split.saveState()
                total = max(sum(self.top.sizes()), 3)
                self.top.setSizes([0, round(total * 0.64), total - round(total * 0.64)])
                # The curves' legends grow with the text: the curves get half the height, not 2/5,
                # so the highway's log axis keeps more than one decade in view.
                self.split.setSizes([1000, 1000])
            elif self._saved_top is not None:
                self.top.restoreState(self._saved_top)
                self.split.restoreState(self._saved_split)
        self._presenting = on

    def focus_home(self) -> QWidget:
        return self.lanes

    def show_message(self, text: str) -> None:
        self.lanes.setToolTip(text)

    def fit_views(self) -> None:
        for plot in (self.state_plot, self.highway_plot, self.training_plot):
            plot.getPlotItem().enableAutoRange()

    def restore_defaults(self) -> str | None:
        try:
            self.adapter.set_settings(self.presets[self.adapter.preset_key].make_run().settings)
        except (InputError, KeyError) as error:
            return str(error)
        return None

    def restore_layout(self, width: int) -> None:
        self.split.setSizes([3 * 1000, 2 * 1000])

    def restore_settings(self, settings: QSettings) -> None:
        pass  # a gated workspace starts on its first preset every time

    def restore_state(self, settings: QSettings) -> None:
        value = settings.value(f"{self.cell}/split")
        if value is not None:
            self.split.restoreState(value)

    def save_state(self, settings: QSettings) -> None:
        settings.setValue(f"{self.cell}/split", self.split.saveState())

    def shutdown(self) -> None:
        self.adapter.shutdown()


def new_adapter(cell: str, parent=None) -> GatedAdapter:
    """An adapter on *cell*'s first preset, seed 0."""
    key, preset = next(iter(presets_of(cell).items()))
    adapter = GatedAdapter(preset.make_run(), parent)
    adapter.preset_key = key
    return adapter
