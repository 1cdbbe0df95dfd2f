"""The addition preset's Seeds tab: does it learn for every seed? One mark per seed (issue 16).

It paints :mod:`rnnviz.present.lab_seeds`: for seeds 0 … 39, the share of
held-out sums each seed gets exact after 10,000 updates of the preset's
network (x = seed, y = %), coloured by outcome. Nothing is trained until
*Train 40 seeds* is pressed: the 40 runs take about two seconds, with the
window painting, and past half a second a progress dialog with Cancel
(:func:`~rnnviz.ui.work.run_with_progress`). A cancel leaves the panel saying so.

Clicking a mark opens that seed's run in the lab: the addition preset at that
seed, trained live from update 0 as usual; the status bar says which seed is
shown and the mark is ringed while its run is the lab's. Items are made once and
updated with ``setData``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import SIGNAL, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout

from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.present.lab_addition import is_addition
from rnnviz.present.lab_seeds import OUTCOMES, SEED_COUNT, SEED_EXAMPLES, SeedOutcomes, seed_outcomes
from rnnviz.runs.lab import LabRun
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui import theme
from rnnviz.ui.workspaces.elman.lab_panel import LabPanel
from rnnviz.ui.workspaces.elman.lab_adapter import LabAdapter
from rnnviz.ui.work import run_with_progress

__all__ = ["OUTCOME_COLOURS", "SeedsPanel"]

#: One colour per outcome (colour-blind safe): learned blue, not learned orange, diverged grey.
OUTCOME_COLOURS: Final[dict[str, str]] = {"learned": "#0072B2", "not learned": "#D55E00",
                                          "diverged": "#8c8c8c"}
#: The legend's names of the outcomes.
OUTCOME_NAMES: Final[dict[str, str]] = {
    "learned": "learned: all 200 held-out sums exact", "not learned": "not learned",
    "diverged": "diverged (drawn at 0)"}
#: Mark size at font scale 1, in pixels; the ring around the seed shown in the lab.
MARK_PX: Final[float] = 10.0
RING_PX: Final[float] = 20.0
LEGEND_PT: Final[float] = 9.0
#: Room above 100 % and below 0 % at font scale 1, in percentage points.
Y_PAD: Final[float] = 5.0
#: The budgets offered, in updates (training pairs) per seed; the last is the default.
BUDGETS: Final[tuple[int, ...]] = (1_000, 2_000, 5_000, SEED_EXAMPLES)
#: What the panel says above the plot.
INTRO: Final[str] = (f"Does binary addition always learn? Train the preset's network (2-16-1, η 0.5) "
                     f"for seeds 0–{SEED_COUNT - 1} — seed S's run of 'rnnviz task addition --seed S "
                     f"--examples N' — and click a mark to watch that seed learn here.")


class SeedsPanel(LabPanel):
    """Held-out exact sums against seed, one mark per seed coloured by outcome (module docstring).

    A click asks for that seed's run through :attr:`seedChosen` (the lab opens it, twin and
    all); without a receiver the panel loads it into the adapter itself.
    """

    #: A seed to open in the lab (the addition preset at that seed, from update 0).
    seedChosen = Signal(int)

    def __init__(self, tell: Callable[[str], None], adapter: LabAdapter) -> None:
        super().__init__()
        self._tell = tell
        self._adapter = adapter
        #: What was last trained (None until Train is pressed); the seed opened by a click.
        self.outcomes: SeedOutcomes | None = None
        self.shown_seed: int | None = None
        self._opened: LabRun | None = None
        self._opening = False  # a clicked seed's run is being loaded
        self._run: LabRun | None = None
        self.intro = QLabel(INTRO)
        self.intro.setWordWrap(True)
        self.train_button = QPushButton(f"Train {SEED_COUNT} seeds")
        self.train_button.setObjectName("seedsTrain")
        self.train_button.setToolTip(f"{INTRO}\nTrains seeds 0–{SEED_COUNT - 1} side by side "
                                     "(a few seconds; Cancel stops it).")
        self.train_button.clicked.connect(self.train)
        self.budget_label = QLabel("updates each")
        self.budget = QComboBox()
        self.budget.setObjectName("seedsBudget")
        for count in BUDGETS:
            self.budget.addItem(f"{count:,}", count)
        self.budget.setCurrentIndex(len(BUDGETS) - 1)
        self.budget.setToolTip("how many training pairs (updates) each seed learns from: fewer "
                               "show the seeds that learn late")
        self.budget.currentIndexChanged.connect(self._on_budget)
        self.note = QLabel("Nothing trained yet.")
        self.note.setObjectName("seedsNote")
        self.note.setWordWrap(True)
        self.graph = pg.GraphicsLayoutWidget()
        self.graph.setBackground("w")
        self._plot = self._make_plot()
        self._legend = pg.LegendItem(labelTextColor=theme.INK)
        # As tall as its entries, at the top: stretched, its names part from their marks.
        self._legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.graph.ci.addItem(self._legend, row=0, col=1)
        self.graph.ci.layout.setAlignment(self._legend, Qt.AlignmentFlag.AlignTop)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.intro, 1)
        top.addStretch(0)  # takes the room while the intro is hidden (presenting)
        self._top = top
        for widget in (self.budget_label, self.budget, self.train_button):
            top.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.graph, 1)
        layout.addWidget(self.note)
        self._apply_fonts()

    def _make_plot(self) -> pg.PlotItem:
        plot = self.graph.ci.addPlot(row=0, col=0)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.showGrid(x=False, y=True, alpha=0.15)
        plot.setLabel("bottom", "seed")
        plot.setLabel("left", "held-out exact (%)")
        plot.getViewBox().setMouseEnabled(x=False, y=False)
        self._marks = {name: pg.ScatterPlotItem(symbol="o", pen=pg.mkPen(colour), brush=pg.mkBrush(colour),
                                                hoverable=True, tip=self._tip,
                                                hoverPen=pg.mkPen(theme.INK, width=2))
                       for name, colour in OUTCOME_COLOURS.items()}
        for item in self._marks.values():
            plot.addItem(item)
            item.sigClicked.connect(self._on_clicked)
        self._ring = pg.ScatterPlotItem(symbol="o", pen=pg.mkPen(theme.INK, width=2), brush=None)
        plot.addItem(self._ring)
        return plot

    # -- presentation ---------------------------------------------------------------
    def set_font_scale(self, scale: float) -> None:
        """Text and marks *scale* times as large (axes, legend, labels); 1.0 is the normal look."""
        if theme.check_font_scale(scale) == self.font_scale():
            return
        super().set_font_scale(scale)
        self._apply_fonts()

    def _apply_fonts(self) -> None:
        scale = self.font_scale()
        theme.scale_axes(self._plot, scale)
        for item in self._marks.values():
            item.setSize(MARK_PX * scale)
        self._ring.setSize(RING_PX * scale)
        # Room for the marks at 0 % and 100 % as they grow with the text.
        pad = Y_PAD * scale
        self._plot.setRange(xRange=(-1, SEED_COUNT), yRange=(-pad, 100 + pad), padding=0)
        # Presenting, the plot keeps the room: the question stays in the button's tip.
        self.intro.setVisible(scale == 1.0)
        self._top.setStretch(1, 0 if scale == 1.0 else 1)
        legend = self._legend
        legend.clear()
        legend.setLabelTextSize(f"{LEGEND_PT * scale:g}pt")
        for name in OUTCOMES:
            legend.addItem(self._marks[name], OUTCOME_NAMES[name])
        legend.addItem(self._ring, "shown in the lab")

    def legend_names(self) -> list[str]:
        """The legend's entries, in order."""
        return [label.text for _, label in self._legend.items]

    # -- following the lab ---------------------------------------------------------------
    def _show(self, run: LabRun, example_index: int) -> None:
        self._run = run
        available = is_addition(run.network, run.source)
        self.train_button.setEnabled(available)
        if self._opening:  # the run of the seed just clicked
            self._opened, self._opening = run, False
        elif run is not self._opened:  # another run (a preset opened from the menu): no seed ringed
            self._opened = self.shown_seed = None
        self._draw_ring()

    # -- training -------------------------------------------------------------------
    def train(self) -> None:
        """Train the seeds now (progress and Cancel past half a second) and draw them."""
        self._say(f"Training {SEED_COUNT} seeds…")
        try:
            result = run_with_progress(self.window(), f"Training {SEED_COUNT} seeds",
                                       lambda: seed_outcomes(examples=self.examples()))
        except Cancelled:
            self._say("Training the seeds was cancelled" +
                      ("; the marks are the last complete training's." if self.outcomes else "."))
            return
        except InputError as error:
            self._say(f"No seeds trained: {error}")
            return
        self.outcomes = result
        self._say(result.summary() + ". Click a mark to watch that seed learn in the lab.")
        self._draw()

    def examples(self) -> int:
        """The updates each seed learns from (the budget chosen)."""
        return int(self.budget.currentData())

    def _on_budget(self, _index: int) -> None:
        if self.outcomes is not None and self.outcomes.settings.examples != self.examples():
            self.outcomes = None
            for item in self._marks.values():
                item.setData([], [])
            self._draw_ring()
            self._say(f"Nothing trained for {self.examples():,} updates yet: press Train.")

    def _say(self, text: str) -> None:
        self.note.setText(text)

    def _draw(self) -> None:
        result = self.outcomes
        if result is None:
            return
        percent = np.nan_to_num(result.exact * 100.0, nan=0.0)
        seeds = np.asarray(result.seeds, dtype=np.float64)
        for name, item in self._marks.items():
            chosen = result.of(name)
            item.setData(seeds[chosen], percent[chosen], data=chosen)
        self._draw_ring()

    def _draw_ring(self) -> None:
        result, seed = self.outcomes, self.shown_seed
        if result is None or seed is None or seed not in result.seeds:
            self._ring.setData([], [])
            return
        position = result.seeds.index(seed)
        self._ring.setData([float(seed)], [float(np.nan_to_num(result.exact[position] * 100.0))])

    def marks(self, name: str) -> tuple[list[float], list[float]]:
        """The seeds and held-out percentages drawn in outcome *name*'s colour."""
        x, y = self._marks[name].getData()
        return ([] if x is None else list(x)), ([] if y is None else list(y))

    # -- opening a seed ---------------------------------------------------------------
    def _tip(self, x: float, y: float, data: object) -> str:
        if self.outcomes is None or data is None:
            return ""
        return self.outcomes.describe(int(data)) + "\nclick: watch this seed learn in the lab"

    def _on_clicked(self, _item, points, _event=None) -> None:
        if self.outcomes is not None and len(points):
            self.open_seed(self.outcomes.seeds[int(points[0].data())])

    def open_seed(self, seed: int) -> None:
        """Open the addition preset at *seed* in the lab, from update 0, and say so."""
        self._adapter.pause()
        self.shown_seed, self._opening = seed, True
        if self.receivers(SIGNAL("seedChosen(int)")):
            self.seedChosen.emit(seed)  # the lab opens it (a direct call: done on return)
        else:
            self._adapter.load_preset("addition", PRESETS["addition"].make_run(seed))
        self._opened, self._opening = self._adapter.lab, False
        what = ""
        if self.outcomes is not None and seed in self.outcomes.seeds:
            what = f" ({self.outcomes.describe(self.outcomes.seeds.index(seed))})"
        self._tell(f"Showing seed {seed}: binary addition at seed {seed}, at update 0 (Play trains it live){what}")
