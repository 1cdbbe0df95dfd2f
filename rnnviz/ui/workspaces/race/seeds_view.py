"""The race's Seeds view: which seeds does each cell learn with? One mark per seed per cell (issue 16).

It paints :mod:`rnnviz.present.race_seeds`: for seeds 0 … 23, each cell's share
of the 200 held-out sequences recalled after the race's whole budget (x = seed,
y = %), in the cell's race colour, filled where it learned (≥ 95 %), hollow
where not; dashed: 95 %. The legend counts each cell's learned seeds.

Nothing is trained until *Train seeds 0–23* is pressed. The 72 runs take most
of a minute, so they run on a worker thread (numpy lets go of the interpreter
lock, and the window keeps painting and answering); a progress bar and *Cancel*
stand beside the button while they run, each cell's marks appear as soon as its
24 seeds are done, and a cancel leaves the view saying what was trained. The
worker touches no Qt object: a timer on the GUI thread reads what it did.

Clicking a mark asks for that seed's race through :attr:`SeedsView.seedChosen`
(the workspace restarts the race on it, at update 0). Items are made once and
updated with ``setData``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.present import race_seeds as rs
from rnnviz.tasks.memory import HELD_OUT, SUCCESS_RATE
from rnnviz.tasks.race_presets import RACE_CELLS, RACE_TITLES
from rnnviz.ui import theme
from rnnviz.ui.workspaces.race.race_views import CELL_COLOURS

__all__ = ["SeedsView"]

#: Where each cell's mark sits beside its seed, in seeds (the three side by side, not on top).
X_OFFSET: Final[dict[str, float]] = {"rnn": -0.25, "lstm": 0.0, "gru": 0.25}
#: Mark size at font scale 1, in pixels; a hollow mark's ring width.
MARK_PX: Final[float] = 9.0
RING_WIDTH: Final[float] = 1.6
LEGEND_PT: Final[float] = 9.0
#: Room above 100 % and below 0 %, in percentage points at font scale 1.
Y_PAD: Final[float] = 5.0
#: The race's seed's column.
SHADE: Final[str] = "#e4e4e4"
#: How often the GUI thread looks at the worker, in ms.
POLL_MS: Final[int] = 50
FIRST, LAST = rs.SEEDS[0], rs.SEEDS[-1]
#: A mark's data: its cell's index times this, plus its seed's position.
_PER_CELL: Final[int] = 100_000
INTRO: Final[str] = (f"Does each network learn for every seed? Train the race for seeds {FIRST}–{LAST} "
                     "(each seed's race exactly, to its end; most of a minute) and click a mark to "
                     "restart the race on that seed.")


class _Job:
    """One training on the worker thread: what it has done, read by the GUI thread's timer."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.done, self.total = 0, 1
        self.cells: list[rs.CellSeeds] = []
        self.outcome: str | None = None  # "done", "cancelled" or an error's line, once finished
        self.thread = threading.Thread(target=self._run, name="race-seeds", daemon=True)

    def _report(self, done: int, total: int) -> None:
        if self.stop.is_set():
            raise Cancelled("training the seeds was cancelled")
        with self.lock:
            self.done, self.total = done, total

    def _keep(self, cell: rs.CellSeeds) -> None:
        with self.lock:
            self.cells.append(cell)

    def _run(self) -> None:
        try:
            rs.race_seeds(progress=self._report, each=self._keep)
            outcome = "done"
        except Cancelled:
            outcome = "cancelled"
        except InputError as error:
            outcome = f"No seeds trained: {error}"
        except Exception as error:  # noqa: BLE001 - no traceback reaches a user
            outcome = f"Training the seeds failed: {type(error).__name__}: {error}"
        with self.lock:
            self.outcome = outcome

    def take(self) -> tuple[int, int, list[rs.CellSeeds], str | None]:
        """Progress, the cells finished since the last call, and the outcome (None: still running)."""
        with self.lock:
            cells, self.cells = self.cells, []
            return self.done, self.total, cells, self.outcome


class SeedsView(QWidget):
    """Held-out share against seed, per cell, filled where learned (see the module docstring)."""

    #: A seed to restart the race on (at update 0).
    seedChosen = Signal(int)

    def __init__(self, before_training: Callable[[], None] = lambda: None) -> None:
        super().__init__()
        self._before = before_training
        self._scale = 1.0
        #: The seed the race shows (its column is shaded).
        self.race_seed: int | None = None
        #: Each trained cell's seeds (empty until Train is pressed).
        self.results: dict[str, rs.CellSeeds] = {}
        self._job: _Job | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self.intro = QLabel(INTRO)
        self.intro.setWordWrap(True)
        self.train_button = QPushButton(f"Train seeds {FIRST}–{LAST}")
        self.train_button.setObjectName("raceSeedsTrain")
        self.train_button.setToolTip(INTRO)
        self.train_button.clicked.connect(self.train)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("raceSeedsCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(160)
        for widget in (self.cancel_button, self.bar):
            widget.setVisible(False)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.note = QLabel(f"Nothing trained yet. {rs.PROCESSOR_NOTE}")
        self.note.setObjectName("raceSeedsNote")
        self.note.setWordWrap(True)
        self.graph = pg.GraphicsLayoutWidget()
        self.graph.setBackground("w")
        self._plot = self._make_plot()
        self._legend = pg.LegendItem(labelTextColor=theme.INK)
        self._legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.graph.ci.addItem(self._legend, row=0, col=1)
        self.graph.ci.layout.setAlignment(self._legend, Qt.AlignmentFlag.AlignTop)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.intro, 1)
        top.addStretch(0)
        self._top = top
        for widget in (self.bar, self.cancel_button, self.train_button):
            top.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.heading)
        layout.addWidget(self.graph, 1)
        layout.addWidget(self.note)
        self._apply_fonts()

    def _make_plot(self) -> pg.PlotItem:
        plot = self.graph.ci.addPlot(row=0, col=0)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.showGrid(x=False, y=True, alpha=0.15)
        plot.setLabel("bottom", "seed")
        plot.setLabel("left", "held-out right (%)")
        # Every seed named where there is room; presenting, the larger text keeps every fifth.
        plot.getAxis("bottom").setTicks([[(s, str(s)) for s in rs.SEEDS if s % 5 == 0],
                                         [(s, str(s)) for s in rs.SEEDS if s % 5]])
        plot.getViewBox().setMouseEnabled(x=False, y=False)
        self._line = pg.PlotDataItem([FIRST - 0.7, LAST + 0.7], [100 * SUCCESS_RATE] * 2,
                                     pen=pg.mkPen(theme.MUTED, width=1, style=Qt.PenStyle.DashLine))
        plot.addItem(self._line)
        self._shade = pg.PlotDataItem([], [], pen=None, fillLevel=-2 * Y_PAD, brush=pg.mkBrush(SHADE))
        self._shade.setZValue(-10)
        plot.addItem(self._shade)
        self._marks: dict[tuple[str, bool], pg.ScatterPlotItem] = {}
        for cell in RACE_CELLS:
            colour = QColor(CELL_COLOURS[cell])
            for learned in (True, False):
                item = pg.ScatterPlotItem(
                    symbol="o", pen=pg.mkPen(colour, width=RING_WIDTH),
                    brush=pg.mkBrush(colour) if learned else pg.mkBrush("w"),
                    hoverable=True, tip=self._tip, hoverPen=pg.mkPen(theme.INK, width=2))
                item.setData([], [])
                item.sigClicked.connect(self._on_clicked)
                plot.addItem(item)
                self._marks[cell, learned] = item
        # The legend's samples of filled and hollow (no data: never drawn in the plot).
        self._keys = {learned: pg.ScatterPlotItem(symbol="o", pen=pg.mkPen(theme.MUTED, width=RING_WIDTH),
                                                  brush=pg.mkBrush(theme.MUTED if learned else "w"))
                      for learned in (True, False)}
        self._shade_key = pg.ScatterPlotItem(symbol="s", pen=None, brush=pg.mkBrush(SHADE))
        return plot

    # -- presentation ---------------------------------------------------------------
    def set_font_scale(self, scale: float) -> None:
        """Text and marks *scale* times as large; 1.0 is the normal look."""
        scale = theme.check_font_scale(scale)
        if scale != self._scale:
            self._scale = scale
            self.setFont(QFont() if scale == 1.0 else theme.scaled_font(QFont(), scale))
            self._apply_fonts()

    def _apply_fonts(self) -> None:
        scale = self._scale
        theme.scale_axes(self._plot, scale)
        for item in (*self._marks.values(), *self._keys.values()):
            item.setSize(MARK_PX * scale)
        self._shade_key.setSize(1.6 * MARK_PX * scale)
        pad = Y_PAD * scale
        self._plot.setRange(xRange=(FIRST - 0.7, LAST + 0.7), yRange=(-pad, 100 + pad), padding=0)
        self.intro.setVisible(scale == 1.0)  # presenting, the plot keeps the room
        self._top.setStretch(1, 0 if scale == 1.0 else 1)
        self._fill_legend()

    def _fill_legend(self) -> None:
        legend = self._legend
        legend.clear()
        legend.setLabelTextSize(f"{LEGEND_PT * self._scale:g}pt")
        for cell in RACE_CELLS:
            result = self.results.get(cell)
            text = result.count_text() if result else f"{RACE_TITLES[cell]}: not trained"
            legend.addItem(self._marks[cell, True], text)
        legend.addItem(self._keys[True], f"filled: learned (≥ {SUCCESS_RATE:.0%})")
        legend.addItem(self._keys[False], "hollow: not learned")
        legend.addItem(self._line, f"{SUCCESS_RATE:.0%}")
        if self.race_seed in rs.SEEDS:
            legend.addItem(self._shade_key, f"the race's seed ({self.race_seed})")
        trained = next(iter(self.results.values()), None)
        self.heading.setText(
            f"Each seed's race: the share of {HELD_OUT} held-out sequences each network recalls "
            + (f"after {trained.updates:,} updates." if trained else "at the end of the race.")
            + " The legend counts the seeds learned.")

    def show_seed(self, seed: int) -> None:
        """Shade *seed*'s column: the seed the race shows (none beyond the seeds drawn)."""
        if seed == self.race_seed:
            return
        self.race_seed = seed
        if seed in rs.SEEDS:
            self._shade.setData([seed - 0.45, seed + 0.45], [100 + 2 * Y_PAD] * 2)
        else:
            self._shade.setData([], [])
        self._fill_legend()

    def legend_names(self) -> list[str]:
        """The legend's entries, in order."""
        return [label.text for _, label in self._legend.items]

    def marks(self, cell: str, learned: bool) -> tuple[list[float], list[float]]:
        """The seeds (with the cell's offset) and percentages drawn for *cell*, filled or hollow."""
        x, y = self._marks[cell, learned].getData()
        return ([] if x is None else list(x)), ([] if y is None else list(y))

    # -- training -------------------------------------------------------------------
    def training(self) -> bool:
        """Whether seeds are being trained now."""
        return self._job is not None

    def train(self) -> None:
        """Start training the seeds on the worker thread (the view follows it)."""
        if self._job is not None:
            return
        self._before()
        self.results = {}
        self._draw()
        self._job = _Job()
        self.train_button.setEnabled(False)
        self.bar.setValue(0)
        for widget in (self.cancel_button, self.bar):
            widget.setVisible(True)
        self.cancel_button.setEnabled(True)
        self.note.setText(f"Training seeds {FIRST}–{LAST} of the plain RNN, then the LSTM, then the GRU… "
                          "(the window stays usable)")
        self._job.thread.start()
        self._timer.start()

    def cancel(self) -> None:
        """Stop the training at its next report (within a second or so)."""
        if self._job is not None:
            self._job.stop.set()
            self.cancel_button.setEnabled(False)
            self.note.setText("Cancelling…")

    def _poll(self) -> None:
        job = self._job
        if job is None:
            return
        done, total, cells, outcome = job.take()
        self.bar.setValue(min(999, 1000 * done // max(total, 1)))
        if cells:
            self.results.update({cell.cell: cell for cell in cells})
            self._draw()
        if outcome is not None:
            self._finish(outcome)

    def _finish(self, outcome: str) -> None:
        self._timer.stop()
        self._job = None
        self.train_button.setEnabled(True)
        for widget in (self.cancel_button, self.bar):
            widget.setVisible(False)
        if outcome == "done":
            self.note.setText(f"{rs.seed_summary(self.results)}. Click a mark to restart the race "
                              f"on that seed. {rs.PROCESSOR_NOTE}")
        elif outcome == "cancelled":
            trained = [RACE_TITLES[c] for c in self.results]
            self.note.setText("Training the seeds was cancelled: " + (
                f"only the {' and the '.join(trained)}'s seeds are shown." if trained
                else "nothing is shown.") + " Press Train to train them all.")
        else:
            self.note.setText(outcome)

    def shutdown(self) -> None:
        """Stop a training still running and wait for its thread (the window is closing)."""
        job = self._job
        if job is not None:
            job.stop.set()
            job.thread.join()
            self._finish("cancelled")

    def _draw(self) -> None:
        for cell in RACE_CELLS:
            result = self.results.get(cell)
            for learned in (True, False):
                item = self._marks[cell, learned]
                if result is None:
                    item.setData([], [])
                    continue
                chosen = np.flatnonzero(result.learned == learned)
                x = np.asarray(result.seeds, dtype=np.float64)[chosen] + X_OFFSET[cell]
                code = RACE_CELLS.index(cell) * _PER_CELL
                item.setData(x, result.percent[chosen], data=[code + int(k) for k in chosen])
        self._fill_legend()

    # -- opening a seed ---------------------------------------------------------------
    def _mark(self, data: object) -> tuple[rs.CellSeeds, int] | None:
        """The cell's seeds and the position a mark's *data* names (None: nothing trained)."""
        if data is None:
            return None
        index, position = divmod(int(data), _PER_CELL)
        result = self.results.get(RACE_CELLS[index])
        return None if result is None else (result, position)

    def _tip(self, x: float, y: float, data: object) -> str:
        mark = self._mark(data)
        return "" if mark is None else mark[0].describe(mark[1]) + "\nclick: restart the race on this seed"

    def _on_clicked(self, _item, points, _event=None) -> None:
        mark = self._mark(points[0].data()) if len(points) else None
        if mark is not None:
            self.choose(mark[0].seeds[mark[1]])

    def choose(self, seed: int) -> None:
        """Ask for the race on *seed* (as a click on one of its marks does)."""
        self.seedChosen.emit(seed)

    def seed_line(self, seed: int) -> str:
        """What the view knows of *seed*: each trained cell's held-out share (empty if none)."""
        parts = []
        for cell, result in self.results.items():
            if seed in result.seeds:
                k = result.seeds.index(seed)
                share = "diverged" if result.diverged[k] else f"{result.held_out[k]:.1%}"
                parts.append(f"{RACE_TITLES[cell]} {share}" + (" (learned)" if result.learned[k] else ""))
        return "" if not parts else "held-out at the end, in the seeds view: " + ", ".join(parts)
