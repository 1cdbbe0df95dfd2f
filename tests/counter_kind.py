"""A minimal second model kind, registered only in tests: a counter.

It is the worked example of docs/architecture.md, "Adding a model kind": a
run that follows :class:`rnnviz.runs.Run` with nothing to learn (the state
after *t* ticks is ``t × step``), the shared :class:`RunAdapter`, a
workspace of one big label, one action of its own in a menu of its own, and
a session-file document. Everything the window does with it — the Model
menu, the transport keys, recording, session files — goes through the
registry and the window services, as for a real kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QWidget

from rnnviz.engine.errors import InputError
from rnnviz.ui.controls import SpeedControl
from rnnviz.ui.runadapter import Change, RunAdapter
from rnnviz.ui.services import ActionSpec, MenuSpec, WindowServices
from rnnviz.ui.workspaces import ModelKind

KEY = "counter"
MAX_LENGTH = 10_000


class CounterRun:
    """Counts ticks: after *t* ticks the count is ``t × step``; ``length`` ticks in all."""

    def __init__(self, length: int = 20, step: int = 3, cursor: int = 0) -> None:
        self.length, self.step_size = length, step
        self._cursor = self._stored = 0
        self._forgets = 0
        self.seek(cursor)

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def n_ticks(self) -> int:
        return self.length

    @property
    def at_end(self) -> bool:
        return self._cursor >= self.length

    @property
    def stored(self) -> int:
        return self._stored

    @property
    def forgets(self) -> int:
        return self._forgets

    def step(self, count: int = 1) -> int:
        before = self._cursor
        self.seek(self._cursor + max(int(count), 0))
        return self._cursor - before

    def back(self, count: int = 1) -> int:
        before = self._cursor
        self.seek(self._cursor - max(int(count), 0))
        return before - self._cursor

    def seek(self, tick: int) -> None:
        self._cursor = min(max(int(tick), 0), self.length)
        self._stored = max(self._stored, self._cursor)

    def reset(self) -> None:
        self._cursor = self._stored = 0
        self._forgets += 1

    def state_at(self, tick: int) -> int:
        if not 0 <= tick <= self._stored:
            raise IndexError(f"no state after {tick} ticks: {self._stored} are stored")
        return tick * self.step_size

    def set_step(self, step: int) -> None:
        """A new step changes every count after tick 0: the stored ticks are forgotten."""
        self.step_size = step
        self._stored = self._cursor
        self._forgets += 1


class CounterWorkspace:
    """One big label with the count, and a speed control on the toolbar."""

    def __init__(self, services: WindowServices, adapter: RunAdapter | None) -> None:
        self._services = services
        self.adapter = adapter or RunAdapter(CounterRun(), services.widget())
        self.widget = QLabel()
        self.widget.setObjectName("counterView")
        self.widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.widget.font())
        font.setPixelSize(120)
        self.widget.setFont(font)
        self.widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.toolbar_widgets: tuple[QWidget, ...] = (SpeedControl(self.adapter),)
        self.adapter.changed.connect(self._show)
        self._show(int(Change.ALL))

    @property
    def run(self) -> CounterRun:
        return self.adapter.run  # type: ignore[return-value]

    def _show(self, _flags: int) -> None:
        self.widget.setText(str(self.run.state_at(self.run.cursor)))

    def double_step(self) -> None:
        self.run.set_step(self.run.step_size * 2)
        self.adapter.notify(Change.PARAMS)

    # -- what the shell asks ---------------------------------------------------------
    def status_text(self) -> str:
        run = self.run
        return f"count {run.state_at(run.cursor)} after tick {run.cursor} of {run.n_ticks} (step {run.step_size})"

    def title(self) -> str:
        return "rnnviz — counter"

    def document(self) -> dict[str, Any]:
        run = self.run
        return {"length": run.length, "step": run.step_size, "cursor": run.cursor}

    def open_document(self, data: Mapping[str, Any]) -> None:
        if set(data) != {"length", "step", "cursor"}:
            raise InputError("a counter run has the fields length, step and cursor")
        values = [data[name] for name in ("length", "step", "cursor")]
        if any(isinstance(v, bool) or not isinstance(v, int) for v in values):
            raise InputError("a counter run's length, step and cursor are whole numbers")
        length, step, cursor = values
        if not 0 < length <= MAX_LENGTH or not 0 <= cursor <= length or abs(step) > MAX_LENGTH:
            raise InputError(f"'cursor' is {cursor:,}, beyond the counter's {length:,} ticks"
                             if cursor > length else "a counter run's numbers are out of range")
        self.adapter.load(CounterRun(length, step, cursor))

    def focus_home(self) -> QWidget:
        return self.widget

    def show_message(self, text: str) -> None:
        self.widget.setToolTip(text)

    def fit_views(self) -> None:
        pass  # one label: always all in view

    def restore_defaults(self) -> str | None:
        return None

    def restore_layout(self, width: int) -> None:
        pass

    def restore_settings(self, settings: QSettings) -> None:
        pass

    def restore_state(self, settings: QSettings) -> None:
        pass

    def save_state(self, settings: QSettings) -> None:
        pass

    def shutdown(self) -> None:
        self.adapter.shutdown()


KIND = ModelKind(
    key=KEY,
    title="Counter (test kind)",
    about="counts ticks: the smallest model kind, for the tests",
    build=lambda services, adapter, _text=None: CounterWorkspace(services, adapter),
    run_type=CounterRun,
    menus=(MenuSpec("counter", "&Counter", before="run"),),
    actions=(ActionSpec("counter_double", "Double the step", lambda ws: ws.double_step(),
                        ("Ctrl+Shift+D",), "count twice as fast from the cursor on", menu="counter"),),
)
