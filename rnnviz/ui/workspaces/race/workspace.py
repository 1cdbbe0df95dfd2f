"""The race's workspace: a plain RNN, an LSTM and a GRU trained live on one stream, side by side.

*Model ▸ Race: plain RNN vs LSTM vs GRU*. One tick is one update of each of
the three (:class:`~rnnviz.runs.race.RaceRun`); Play, Step, Back, Home, End
and the speed are the window's transport. The views:

* at the left, the scoreboard: per cell, in its colour, the mean loss and
  share right of the last updates, how much of the gradient at the last step
  reaches step 1, and its held-out success (computed at the end of the race,
  with *Check held-out* and for a fresh picture, not every frame: it runs 200
  sequences); above
  it the seed (a new seed starts a new race at update 0);
* the three loss curves overlaid and "first bit right"
  (:class:`~rnnviz.ui.workspaces.race.race_views.CurvesView`);
* the gradient strips of the sequence the next update learns from
  (:class:`~rnnviz.ui.workspaces.race.race_views.StripsView`);
* in the tab beside them, seeds 0–23 of each cell trained to the end, one mark each
  (:class:`~rnnviz.ui.workspaces.race.seeds_view.SeedsView`): a click restarts the race there.

Every number comes from :mod:`rnnviz.present.race`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import whole_number
from rnnviz.present.format import format_number
from rnnviz.present.race import (
    MEAN_WINDOW,
    flow_strips,
    held_out,
    held_out_text,
    race_curves,
    race_status,
)
from rnnviz.runs.race import RaceRun
from rnnviz.tasks.memory import HELD_OUT, SUCCESS_RATE
from rnnviz.tasks.race_presets import RACE_LAG, RACE_SEED, RACE_TITLES, race, race_replay
from rnnviz.ui.controls import SpeedControl
from rnnviz.ui.runadapter import Change, RunAdapter
from rnnviz.ui.services import ActionSpec, WindowServices
from rnnviz.ui.workspaces import ModelKind
from rnnviz.ui.workspaces.race.lessons import LESSON_ACTIONS, RaceLessons
from rnnviz.ui.workspaces.race.race_views import CELL_COLOURS, CurvesView, StripsView, cell_font
from rnnviz.ui.workspaces.race.seeds_view import SeedsView

KEY: Final[str] = "race"
#: The largest seed the chooser and a session file take.
MAX_SEED: Final[int] = 2**31 - 1
#: While playing, the strips and the scoreboard are brought up to date at most this often (a
#: few milliseconds each, and unreadable at 60 frames a second); the curves every frame.
DETAIL_PERIOD_S: Final[float] = 0.1
#: The scoreboard's least and greatest width at text scale 1, in pixels: its lines wrap
#: within, and the plots keep the rest.
BOARD_PX: Final[tuple[int, int]] = (210, 250)
#: The fields of a race document.
DOCUMENT_FIELDS: Final[frozenset[str]] = frozenset({"seed", "cursor", "logs"})


class RaceAdapter(RunAdapter):
    """The shared adapter of a :class:`RaceRun`: one tick is one update of each of the three cells."""

    WHAT = "the race"
    TICK = "update"
    # A race update costs about 1 ms (the three cells' updates): from 500 new ones a move
    # is long work, in slices from 256.
    BUSY = 500
    FIRST = 256
    SMALLEST = 32

    @property
    def race(self) -> RaceRun:
        """The race shown (views read it; only the adapter changes it)."""
        return self._run  # type: ignore[return-value]


class Scoreboard(QGroupBox):
    """Per cell one label in its colour: its recent loss and share right, its gradient's reach,
    its held-out success; above them the seed chooser and *Check held-out*."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__("The race")
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.seed.setToolTip("the seed draws the three networks' weights and the sequences they all "
                             "learn from; a new seed starts a new race at update 0")
        self.seed.setKeyboardTracking(False)
        self.check = QPushButton("Check held-out")
        self.check.setToolTip("how many of the memory task's 200 held-out sequences each network "
                              "recalls now (also computed at the end of the race)")
        self.controls = QWidget()
        form = QFormLayout(self.controls)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Seed", self.seed)
        form.addRow(self.check)
        self.about = QLabel(f"Each network sees {RACE_LAG + 1} random bits and must say the first "
                            "one at the last step; one update of each per tick, on the same sequence. "
                            f"Loss and share right: means of the last {MEAN_WINDOW} updates; learned: "
                            f"≥ {SUCCESS_RATE:.0%} of {HELD_OUT} held-out sequences right.")
        self.about.setWordWrap(True)
        self.labels = {name: QLabel() for name in names}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.controls)
        layout.addWidget(self.about)
        for name, label in self.labels.items():
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setObjectName(f"race_{name}")
            layout.addWidget(label)
        layout.addStretch(1)
        self.setMinimumWidth(BOARD_PX[0])
        self.setMaximumWidth(BOARD_PX[1])

    def show_cell(self, name: str, lines: list[str]) -> None:
        colour = CELL_COLOURS[name]
        body = "<br>".join(lines)
        text = (f'<b style="color:{colour}">■ {RACE_TITLES[name]}</b><br>'
                f'<span style="color:#303030">{body}</span>')
        label = self.labels[name]
        if label.text() != text:
            label.setText(text)

    def set_font_scale(self, scale: float) -> None:
        font = cell_font(scale)
        self.setFont(font)  # the box's title, and its controls
        for widget in (self.about, *self.labels.values()):
            widget.setFont(font)


class RaceWorkspace:
    """The race's views around a :class:`RaceAdapter` (see the module docstring)."""

    def __init__(self, services: WindowServices, adapter: RaceAdapter | None = None) -> None:
        self._services = services
        if adapter is None:
            adapter = RaceAdapter(race(RACE_SEED), services.widget())
        self.adapter = adapter
        names = adapter.race.names
        self.board = Scoreboard(names)
        self.curves = CurvesView(names, MEAN_WINDOW)
        self.strips = StripsView(names)
        self.seeds = SeedsView(adapter.pause)
        self.seeds.seedChosen.connect(self.open_clicked_seed)
        self.seeds.show_seed(adapter.race.seed)
        self.toolbar_widgets: tuple[QWidget, ...] = (SpeedControl(adapter),)
        self._held: tuple[tuple[int, int, int], dict[str, float]] | None = None
        self.lessons = RaceLessons(self, services.tell)
        self.widget = self._lay_out()
        self.widget.setObjectName("raceWorkspace")
        self.board.seed.setValue(adapter.race.seed)
        self.board.seed.valueChanged.connect(self.open_seed)
        self.board.check.clicked.connect(self.check_held_out)
        #: Seconds, rising: paces the strips and scoreboard while playing (injectable for tests).
        self.clock: Callable[[], float] = time.monotonic
        self._detailed = -math.inf  # when the strips and scoreboard were last brought up to date
        adapter.changed.connect(self._refresh)
        adapter.playingChanged.connect(lambda playing: playing or self._show_all())
        self._refresh(int(Change.ALL))

    def _show_all(self) -> None:
        """Every view at the cursor (Play stopped: the strips and scoreboard catch up)."""
        self._detailed = -math.inf
        self._refresh(int(Change.NONE))

    def _lay_out(self) -> QWidget:
        self.plots = QSplitter(Qt.Orientation.Vertical)
        self.plots.addWidget(self.curves)
        self.plots.addWidget(self.strips)
        self.plots.setStretchFactor(0, 3)
        self.plots.setStretchFactor(1, 2)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.plots, "The race")
        self.tabs.addTab(self.seeds, "Seeds 0–23")
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.board)
        self.split.addWidget(self.tabs)
        self.split.setStretchFactor(0, 0)
        self.split.setStretchFactor(1, 1)
        for splitter in (self.plots, self.split):
            splitter.setChildrenCollapsible(False)
        self.split.setSizes([BOARD_PX[1], 100 * BOARD_PX[1]])  # the scoreboard's width, the plots the rest
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.lessons.bar)
        layout.addWidget(self.split, 1)
        return page

    # -- what is shown ------------------------------------------------------------------
    def _refresh(self, flags: int) -> None:
        run = self.adapter.race
        curves = race_curves(run)
        self.curves.show_curves(curves, run.n_ticks)
        now = self.clock()
        if self.adapter.playing and 0.0 <= now - self._detailed < DETAIL_PERIOD_S:
            return  # the strips and the scoreboard follow at a readable pace while playing
        self._detailed = now
        strips = flow_strips(run)
        self.strips.show_strips(strips)
        if run.at_end and not self._held_now():
            self._compute_held_out()
        held = self._held_now()
        last = strips.steps.size
        for name in run.names:
            c = curves[name]
            lines = []
            if c.updates.size:
                lines.append(f"loss {format_number(float(c.mean_losses[-1]))} · first bit right "
                             f"{c.mean_right[-1]:.0%}")
            else:
                lines.append("not trained yet: press Play")
            reach = strips.reach(name)
            lines.append("step 1 gets " + (
                "no gradient" if reach is None else f"{format_number(reach)} × step {last}'s"))
            lines.append(held_out_text(held[name], run.cursor, short=True) if name in held
                         else "held-out: not checked yet")
            self.board.show_cell(name, lines)

    def _held_now(self) -> dict[str, float]:
        """The held-out lines, if computed for the run as it is now; else empty."""
        if self._held is not None and self._held[0] == self._held_key():
            return self._held[1]
        return {}

    def _held_key(self) -> tuple[int, int, int]:
        run = self.adapter.race
        return (run.cursor, run.forgets, run.seed)

    def _compute_held_out(self) -> None:
        self._held = (self._held_key(), held_out(self.adapter.race))

    def check_held_out(self) -> None:
        """Compute each cell's held-out success at the cursor and show it."""
        self.adapter.pause()
        self._compute_held_out()
        self._refresh(int(Change.NONE))
        rates = self._held_now()
        self._services.tell(f"Held-out at update {self.adapter.race.cursor:,}: " + ", ".join(
            f"{RACE_TITLES[name]} {rate:.1%}" for name, rate in rates.items()), 8000)

    # -- commands -----------------------------------------------------------------------
    def open_seed(self, seed: int) -> None:
        """A new race drawn from *seed*, at update 0."""
        if seed == self.adapter.race.seed:
            return
        self.open_race(race(seed))
        self._services.tell(f"Seed {seed}: three new networks and a new stream of sequences, "
                            "waiting at update 0 for Play.", 8000)

    def open_clicked_seed(self, seed: int) -> None:
        """The race restarted on *seed* at update 0 (a mark clicked in the seeds view), shown."""
        self.open_race(race(seed))
        self.tabs.setCurrentWidget(self.plots)
        known = self.seeds.seed_line(seed)
        self._services.tell(f"Seed {seed}: the race restarts at update 0 on seed {seed}"
                            + (f" ({known})" if known else "") + "; press Play.", 10000)

    def open_race(self, run: RaceRun) -> None:
        """Show *run* (its own cursor), the seed chooser on its seed."""
        self.adapter.pause()
        self.adapter.load(run)
        with blocked(self.board.seed):
            self.board.seed.setValue(run.seed)
        self.seeds.show_seed(run.seed)

    # -- what the shell asks ------------------------------------------------------------
    def status_text(self) -> str:
        return race_status(self.adapter.race)

    def title(self) -> str:
        return f"rnnviz — race: plain RNN vs LSTM vs GRU (seed {self.adapter.race.seed})"

    def document(self) -> dict[str, Any]:
        run = self.adapter.race
        return {"seed": run.seed, "cursor": run.cursor, "logs": run.log()}

    def open_document(self, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping) or set(data) != DOCUMENT_FIELDS:
            raise InputError("a race has the fields seed, cursor and logs")
        seed = whole_number("the race's seed", data["seed"], minimum=0, maximum=MAX_SEED)
        cursor = data["cursor"]
        run = race_replay(seed, data["logs"], 0)  # every log checked before anything is shown
        race_replay_cursor_check(cursor, run.n_ticks)
        self.open_race(run)
        self.adapter.seek(cursor)

    def focus_home(self) -> QWidget:
        return self.curves

    def show_message(self, text: str) -> None:
        self.curves.setToolTip(text)

    def fit_views(self) -> None:
        """A fresh picture (screenshots, renders, View ▸ Fit): the ranges follow the run already
        (see race_views); the held-out success is checked at the cursor, so the picture says it."""
        self._compute_held_out()
        self._show_all()

    def restore_defaults(self) -> str | None:
        return None  # the race has no settings to change

    def restore_layout(self, width: int) -> None:
        self.plots.setSizes([3000, 2000])
        self.split.setSizes([BOARD_PX[1], max(width - BOARD_PX[1], 1)])

    def restore_settings(self, settings: QSettings) -> None:
        pass  # the race starts on RACE_SEED every time

    def restore_state(self, settings: QSettings) -> None:
        for key, splitter in (("race/split", self.split), ("race/plots", self.plots)):
            value = settings.value(key)
            if value is not None:
                splitter.restoreState(value)

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("race/split", self.split.saveState())
        settings.setValue("race/plots", self.plots.saveState())

    def set_presentation(self, on: bool, scale: float) -> None:
        """Presentation mode: the seed chooser and the text about the task give way, the text grows."""
        self.board.controls.setVisible(not on)
        self.board.about.setVisible(not on)
        self.board.setMaximumWidth(round(BOARD_PX[1] * scale))
        self.board.setMinimumWidth(round(BOARD_PX[0] * scale))
        for view in (self.board, self.curves, self.strips, self.seeds, self.lessons.bar):
            view.set_font_scale(scale)
        self.tabs.tabBar().setFont(cell_font(scale))  # the tabs' names as large as the rest

    def shutdown(self) -> None:
        self.seeds.shutdown()
        self.adapter.shutdown()


class blocked:
    """``with blocked(widget):`` — its signals blocked inside."""

    def __init__(self, widget: QWidget) -> None:
        self._widget = widget

    def __enter__(self) -> None:
        self._was = self._widget.blockSignals(True)

    def __exit__(self, *exc: object) -> None:
        self._widget.blockSignals(self._was)


def race_replay_cursor_check(cursor: object, n_ticks: int) -> None:
    """A document's cursor: a whole number 0 … *n_ticks*, else InputError (one line)."""
    if isinstance(cursor, bool) or not isinstance(cursor, int) or not 0 <= cursor <= n_ticks:
        raise InputError(f"the race's cursor must be a whole number from 0 to {n_ticks:,}, not {cursor!r}")


def build(services: WindowServices, adapter: RaceAdapter | None, stream_text: str | None = None) -> RaceWorkspace:
    return RaceWorkspace(services, adapter)


KIND = ModelKind(
    key=KEY,
    title="Race: plain RNN vs LSTM vs GRU",
    about="a plain RNN, an LSTM and a GRU trained live side by side on the long-memory task "
          "(recall the first of 31 bits): the loss curves overlaid, the gradient along each memory path",
    build=build,
    run_type=RaceRun,
    new_adapter=lambda: RaceAdapter(race(RACE_SEED)),
    actions=(
        *LESSON_ACTIONS,
        ActionSpec("race_held_out", "Check held-out success", lambda ws: ws.check_held_out(),
                   tip="how many of the 200 held-out sequences each network recalls now", menu="run"),
    ),
)
