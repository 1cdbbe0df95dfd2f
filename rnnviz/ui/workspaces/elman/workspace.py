"""The network lab's workspace: an Elman network trained by BPTT, its presets and its views.

The layout: the controls (preset, η, truncation, clipping, ρ(W_hh)) beside
the unrolled network of the example the next update learns from; under
them the loss over training and the gradient flowing back through the
example. One tick is one update; Shift+→ takes the backward sweep apart in
stages (:mod:`rnnviz.ui.workspaces.elman.lab_adapter`). Every number shown
comes from :mod:`rnnviz.present.lab` on the run's current parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

import numpy as np
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QGroupBox, QSplitter, QTabWidget, QVBoxLayout, QWidget

from rnnviz.engine.clipping import Clipping
from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import whole_number
from rnnviz.present.format import format_number
from rnnviz.present.lab import backward_stages, flow_series, unrolled_state
from rnnviz.runs.lab import LabRun, LabSettings, epoch_updates
from rnnviz.tasks.addition import AdditionSettings, training_pair_count
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui.controls import SpeedControl
from rnnviz.ui.runadapter import Change
from rnnviz.ui.services import ActionSpec, MenuSpec, WindowServices
from rnnviz.ui.workspaces import ModelKind
from rnnviz.ui.workspaces.elman.lab_adapter import LabAdapter
from rnnviz.ui.workspaces.elman.lab_controls import LabControls
from rnnviz.ui.workspaces.elman.addition_panel import AdditionPanel
from rnnviz.ui.workspaces.elman.gradcheck_panel import GradientCheckPanel
from rnnviz.ui.workspaces.elman.heatmap_panel import HeatmapPanel
from rnnviz.ui.workspaces.elman.hello_panel import HelloPanel
from rnnviz.ui.workspaces.elman.lab_curves import FlowPlot, LossPlot
from rnnviz.ui.workspaces.elman.lab_lessons import install_lessons
from rnnviz.present.lab_status import clipping_text, last_update_parts
from rnnviz.ui.workspaces.elman.lab_presenting import LabPresenting, settings_text, summary_text
from rnnviz.ui.workspaces.elman.seeds_panel import SeedsPanel
from rnnviz.ui.workspaces.elman.weights_panel import WeightsPanel
from rnnviz.ui.workspaces.elman.worked_panel import WorkedPanel
from rnnviz.ui.workspaces.elman.unrolled import UnrolledView

KEY: Final[str] = "elman"
#: The preset a new lab opens on.
DEFAULT_PRESET: Final[str] = "addition"


class ElmanWorkspace:
    """The lab's views around a :class:`LabAdapter` (see the module docstring)."""

    def __init__(self, services: WindowServices, adapter: LabAdapter | None = None,
                 preset: str = DEFAULT_PRESET) -> None:
        self._services = services
        if adapter is None:
            adapter = LabAdapter(PRESETS[preset].make_run(), services.widget())
            adapter.preset_key = preset
        self.adapter = adapter
        self.controls = LabControls(adapter, lambda text: services.tell(text, 8000))
        self.unrolled = UnrolledView()
        self.loss_plot = LossPlot()
        self.flow_plot = FlowPlot()
        self.toolbar_widgets: tuple[QWidget, ...] = (SpeedControl(adapter),)
        self._panels: list[QWidget] = []
        #: The twin run shown side by side (the same preset with the clipping flipped), if any.
        self.twin: LabRun | None = None
        self.widget = self._lay_out()
        self.widget.setObjectName("labWorkspace")
        tell = lambda text: services.tell(text, 8000)  # noqa: E731
        for panel, title in (
            (HeatmapPanel(tell), "Flow over training"), (WeightsPanel(tell), "Weights"),
            (GradientCheckPanel(tell), "Gradient check"), (AdditionPanel(tell), "Addition: a + b"),
            (HelloPanel(tell), "Hello: softmax and sampling"), (WorkedPanel(tell), "By hand"),
            (SeedsPanel(tell, adapter), "Seeds"),
        ):
            self.add_panel(panel, title)
            if isinstance(panel, SeedsPanel):  # a seed clicked opens like a preset: twin and all
                panel.seedChosen.connect(lambda seed: self.open_preset("addition", seed))
        self._seed = 0  # the seed of the preset opened (the Seeds tab opens others)
        adapter.changed.connect(self._refresh)
        self.controls.presetChosen.connect(self.open_preset)
        self.controls.compareToggled.connect(self.set_compare)
        self._refresh(int(Change.ALL))

    def _lay_out(self) -> QWidget:
        box = QGroupBox("Training")
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(2, 2, 2, 2)
        box_layout.addWidget(self.controls)
        box_layout.addStretch(1)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(box)
        top.addWidget(self.unrolled)
        top.setStretchFactor(0, 0)
        top.setStretchFactor(1, 1)
        curves = QSplitter(Qt.Orientation.Horizontal)
        curves.addWidget(self.loss_plot)
        curves.addWidget(self.flow_plot)
        curves.setChildrenCollapsible(False)
        # The training curves first; the panels (added with add_panel) beside them as tabs.
        self.tabs = QTabWidget()
        self.tabs.setObjectName("labPanels")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(curves, "Loss and gradient flow")
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setObjectName("labSplitter")
        self.split.addWidget(top)
        self.split.addWidget(self.tabs)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        for splitter in (top, self.split):
            splitter.setChildrenCollapsible(False)
        self.presenting = LabPresenting(box, self.split, self.tabs)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.presenting.summary)
        layout.addWidget(self.split, 1)
        return page

    def set_presentation(self, on: bool, scale: float) -> None:
        """Presentation mode (see :mod:`.lab_presenting`): the controls give way to one line, the text grows."""
        self.presenting.set_presentation(on, scale)
        self._show_summary()

    def _show_summary(self) -> None:
        preset = PRESETS.get(self.adapter.preset_key)
        title = preset.title if preset is not None else "Elman network"
        twin = None if self.twin is None else self.twin_what()
        self.presenting.show_summary(summary_text(title, self.adapter.lab.settings, twin))

    def set_compare(self, on: bool) -> None:
        """Train a twin run beside this one (see :func:`twin_settings`), or drop it."""
        self.twin = self._make_twin(self.adapter.preset_key, self._seed) if on else None
        self._refresh(int(Change.ALL))
        if on:
            self._services.tell(f"Side by side: the dashed curves are the same run with {self.twin_what()}.", 8000)

    def _make_twin(self, key: str, seed: int = 0) -> LabRun:
        twin = PRESETS[key].make_run(seed)
        twin.set_settings(twin_settings(twin.settings, self.controls.threshold.value()))
        return twin

    def twin_description(self) -> str | None:
        """What the twin is, exactly (its preset, start and settings); None without one."""
        if self.twin is None:
            return None
        preset = PRESETS.get(self.adapter.preset_key)
        title = preset.title if preset is not None else "the preset"
        return (f"dashed: a twin of {title} trained from update 0 at its starting weights "
                f"(none of the changes made here): {settings_text(self.twin.settings).replace('   ', ' ')}")

    def twin_what(self) -> str:
        """What the twin does differently: ``"no clipping"`` or ``"clipping by global norm at 1"``."""
        return "no clipping" if self.twin is None else clipping_text(self.twin.settings)

    def add_panel(self, panel: QWidget, title: str) -> None:
        """Add *panel* as a tab under the unrolled network; it is shown the lab on every change.

        A panel offers ``show_lab(run, example_index)``; one that lets the user
        type weights offers ``parametersTyped(dict)``, applied at the cursor, and
        one that lets the user type the example, ``exampleTyped(values)``.
        """
        self.tabs.addTab(panel, title)
        self._panels.append(panel)
        typed = getattr(panel, "parametersTyped", None)
        if typed is not None:
            typed.connect(self._apply_typed)
        example = getattr(panel, "exampleTyped", None)
        if example is not None:
            example.connect(self._apply_example)
        panel.show_lab(self.adapter.lab, self.example_index())

    #: The panels that belong to one preset, shown only with it.
    PRESET_TABS: Final[dict[str, str]] = {"Addition: a + b": "addition",
                                          "Hello: softmax and sampling": "hello", "By hand": "worked",
                                          "Seeds": "addition"}

    def _show_preset_tabs(self) -> None:
        key = self.adapter.preset_key
        for i in range(self.tabs.count()):
            owner = self.PRESET_TABS.get(self.tabs.tabText(i))
            self.tabs.setTabVisible(i, owner is None or owner == key)

    def _apply_typed(self, values: dict) -> None:
        self._apply(self.adapter.set_parameters, values)

    def _apply_example(self, values) -> None:
        self._apply(self.adapter.set_example, values)

    def _apply(self, change, value) -> None:
        """Make a typed *change* at the cursor; refused, it is one line in the status bar."""
        try:
            change(value)
        except InputError as error:
            self._services.tell(f"Not used: {error}", 8000)


    # -- what is shown ------------------------------------------------------------------
    def example_index(self) -> int:
        """The example on screen: the one the next update learns from (the last one at the end)."""
        run = self.adapter.lab
        if run.diverged_at is not None and run.at_end:
            return run.diverged_at
        return min(run.cursor, max(run.n_ticks - 1, 0))

    def state(self, **overrides):
        """The unrolled example as the views show it now (*overrides*: other ``stage`` or ``window``)."""
        run = self.adapter.lab
        options = {"stage": self.adapter.stage, "window": run.settings.window, **overrides}
        inputs, targets, mask = run.source.example(self.example_index())
        # Typed weights or the knob may take numbers past the largest float:
        # those show as ∞, which is what they are, not as a warning.
        with np.errstate(over="ignore", invalid="ignore"):
            return unrolled_state(run.network, inputs, targets, mask, **options)

    def _refresh(self, flags: int) -> None:
        run = self.adapter.lab
        state = self.state()
        self.unrolled.set_state(state)
        self.flow_plot.show_flow(flow_series(state), run.settings.window)
        self.flow_plot.show_full(None if run.settings.window is None else flow_series(self.state(window=None)))
        if flags & (Change.CURSOR | Change.HISTORY | Change.PARAMS | Change.STREAM):
            self.loss_plot.show_run(run.losses(), run.clipped(), run.cursor,
                                    run.accuracies(), run.accuracy_label)
        index = self.example_index()
        for panel in self._panels:
            panel.show_lab(run, index)
        self._show_preset_tabs()
        self._refresh_twin(state)
        self.controls.show_twin(self.twin_description())
        self._show_summary()

    def _refresh_twin(self, state) -> None:
        twin = self.twin
        if twin is None:
            self.loss_plot.show_twin(None)
            self.flow_plot.show_twin(None)
            return
        # The twin follows the cursor (it stops where it diverged, if it did).
        with np.errstate(over="ignore", invalid="ignore"):
            twin.seek(min(self.adapter.lab.cursor, twin.n_ticks))
            inputs, targets, mask = twin.source.example(min(self.example_index(), max(twin.n_ticks - 1, 0)))
            twin_state = unrolled_state(twin.network, inputs, targets, mask, window=twin.settings.window)
        self.loss_plot.show_twin(twin.losses()[: twin.cursor])
        self.flow_plot.show_twin(flow_series(twin_state))

    # -- commands -----------------------------------------------------------------------
    def open_preset(self, key: str, seed: int = 0) -> None:
        """Start the lab again on preset *key* (drawn from *seed*) at update 0."""
        self.adapter.pause()
        self._seed = seed
        if self.twin is not None:  # the twin is of the new preset too, from its update 0
            self.twin = self._make_twin(key, seed)
        self.adapter.load_preset(key, PRESETS[key].make_run(seed))
        self._services.tell(f"{PRESETS[key].title}: {PRESETS[key].about}", 8000)

    def step_epoch(self) -> None:
        """Train one epoch on from the cursor (:func:`~rnnviz.runs.lab.epoch_updates`); a long
        one shows progress and can be cancelled."""
        run = self.adapter.lab
        self.adapter.pause()
        self.adapter.seek(min(run.cursor + epoch_updates(run), run.n_ticks))

    def next_stage(self) -> None:
        if not self.adapter.advance_stage():
            self._services.tell("No update left to take apart: the training is at its end.", 6000)

    # -- what the shell asks ------------------------------------------------------------
    def status_text(self) -> str:
        run = self.adapter.lab
        parts = [f"update {run.cursor:,} of {run.n_ticks:,}"]
        parts += last_update_parts(run)  # the last update's loss and ‖g‖, and what clipping made of it
        parts.append(f"ρ(W_hh) = {format_number(run.spectral_radius())}")
        stage = self.adapter.stage
        if stage is not None:
            total = backward_stages(run.source.steps)
            where = "the error enters at the outputs" if stage == 0 else \
                f"δ has flowed back to step {run.source.steps - stage + 1}"
            parts.insert(1, f"backward sweep: stage {stage + 1} of {total} ({where})")
        if run.diverged_at is not None:
            parts.append(f"diverged at update {run.diverged_at + 1:,}: showing the last finite state")
        twin = self.twin
        if twin is not None:
            if twin.diverged_at is not None and twin.cursor == twin.diverged_at:
                parts.append(f"twin ({self.twin_what()}) diverged at update {twin.diverged_at + 1:,}")
            elif twin.cursor:
                parts.append(f"twin ({self.twin_what()}): loss {format_number(float(twin.losses()[twin.cursor - 1]))}")
        return "   ·   ".join(parts)

    def title(self) -> str:
        preset = PRESETS.get(self.adapter.preset_key)
        return f"rnnviz — network lab: {preset.title if preset else 'Elman network'}"

    def document(self) -> dict[str, Any]:
        run = self.adapter.lab
        data: dict[str, Any] = {"preset": self.adapter.preset_key, "log": run.log(), "cursor": run.cursor}
        if self._seed:  # a seed the Seeds tab opened: its data, not seed 0's
            data["seed"] = self._seed
        if self.twin is not None:
            data["twin"] = {"log": self.twin.log()}
        return data

    def open_document(self, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping) or not {"preset", "log", "cursor"} <= set(data) <= DOCUMENT_FIELDS:
            raise InputError("a lab run has the fields preset, log and cursor, and twin when side by side "
                             "(and seed, when not 0)")
        key, cursor = data["preset"], data["cursor"]
        if not isinstance(key, str) or key not in PRESETS:
            raise InputError(f"no lab preset called {key!r} (there are {', '.join(PRESETS)})")
        if isinstance(cursor, bool) or not isinstance(cursor, int) or cursor < 0:
            raise InputError(f"'cursor' must be a whole number from 0, not {cursor!r}")
        seed = whole_number("'seed'", data.get("seed", 0), minimum=0, maximum=MAX_DOCUMENT_SEED)
        twin = read_twin(key, data["twin"], seed) if "twin" in data else None
        run = PRESETS[key].replay(data["log"], cursor, seed)
        self.twin, self._seed = twin, seed
        self.adapter.load_preset(key, run)

    def focus_home(self) -> QWidget:
        return self.unrolled

    def show_message(self, text: str) -> None:
        self.unrolled.setToolTip(text)

    def fit_views(self) -> None:
        for plot in (self.loss_plot, self.flow_plot):
            plot.getPlotItem().enableAutoRange()

    def restore_defaults(self) -> str | None:
        try:
            self.adapter.set_settings(PRESETS[self.adapter.preset_key].make_run().settings)
        except (InputError, KeyError) as error:
            return str(error)
        return None

    def restore_layout(self, width: int) -> None:
        self.split.setSizes([3 * 1000, 2 * 1000])

    def restore_settings(self, settings: QSettings) -> None:
        pass  # the lab starts on its default preset every time

    def restore_state(self, settings: QSettings) -> None:
        value = settings.value("lab/split")
        if value is not None:
            self.split.restoreState(value)

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("lab/split", self.split.saveState())

    def shutdown(self) -> None:
        self.adapter.shutdown()


#: The fields of a lab document (``twin`` only while side by side).
DOCUMENT_FIELDS: Final[frozenset[str]] = frozenset({"preset", "log", "cursor", "twin", "seed"})
#: The largest seed a lab document may name (numpy takes any; a file is refused beyond this).
MAX_DOCUMENT_SEED: Final[int] = 2**32 - 1


def read_twin(key: str, data: object, seed: int = 0) -> LabRun:
    """The twin a document's ``twin`` field describes, on preset *key*; InputError (one line) if it is bad.

    A twin is trained from update 0, so every change in its log is at update 0.
    """
    if not isinstance(data, Mapping) or set(data) != {"log"}:
        raise InputError("the twin has the one field log")
    log = data["log"]
    if isinstance(log, list) and any(not isinstance(e, Mapping) or e.get("at") != 0 for e in log):
        raise InputError("the twin starts at update 0: every entry of its log is at update 0")
    try:
        return PRESETS[key].replay(log, 0, seed)
    except InputError as error:
        raise InputError(f"the twin: {error}") from None


def twin_settings(settings: LabSettings, threshold: float) -> LabSettings:
    """The twin's settings: the same, with clipping off if it is on and by global norm at *threshold* if off."""
    clipping = Clipping(kind="norm", threshold=threshold) if settings.clipping is None else None
    return replace(settings, clipping=clipping)


def build(services: WindowServices, adapter: LabAdapter | None, stream_text: str | None = None) -> ElmanWorkspace:
    workspace = ElmanWorkspace(services, adapter)
    install_lessons(workspace, services)
    return workspace


def _preset_actions() -> tuple[ActionSpec, ...]:
    return tuple(
        ActionSpec(f"lab_preset_{key}", preset.title, lambda ws, key=key: ws.open_preset(key),
                   tip=preset.about, menu="lab")
        for key, preset in PRESETS.items()
    )


KIND = ModelKind(
    key=KEY,
    title="Elman network (BPTT lab)",
    about="an Elman network trained by back-propagation through time, live: "
          "the worked example, binary addition, 'hello', vanishing and exploding gradients",
    build=build,
    run_type=LabRun,
    accepts=lambda run: isinstance(run.network, ElmanNetwork),  # a gated run is the gated kinds'
    menus=(MenuSpec("lab", "La&b", before="run"),),
    actions=(
        *_preset_actions(),
        ActionSpec("lab_epoch", "Step one epoch", lambda ws: ws.step_epoch(),
                   tip=f"train one pass over the data: binary addition "
                   f"{training_pair_count(AdditionSettings().bits):,} updates (as many as "
                   "the pairs it draws from), the other presets one update (their one example)",
                   menu="run"),
        ActionSpec("lab_stage", "Next stage of the backward sweep", lambda ws: ws.next_stage(),
                   ("Shift+Right",), "the error enters at the outputs, then δ flows back one step "
                   "per stage; the last stage is the update", menu="run"),
    ),
)
