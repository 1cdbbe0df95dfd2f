"""The one-neuron learner's workspace: the tape, the network, the weight plots, the settings.

The kind the window opens on. Its views follow one
:class:`~rnnviz.ui.adapter.SessionAdapter`; its own actions and menus (the
examples, the stream generators, "show whole stream in plots") are declared
as data in :data:`KIND`; the equations column and the exports are its
features, installed on its views. Learning settings and the stream are kept
in the window's settings for the next start.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QGroupBox, QScrollArea, QSplitter, QVBoxLayout, QWidget

from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams
from rnnviz.io import sessionfile
from rnnviz.present.format import fixed, guess_text
from rnnviz.present.stages import STAGE_TITLES, Stage
from rnnviz.resources import examples, lessons_dir
from rnnviz.session import Session
from rnnviz.ui import columns, equations, export, files, phase_plot, sweep_view
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.bitstream import BitStreamEditor
from rnnviz.ui.controls import ParameterPanel, SpeedControl, StreamLine
from rnnviz.ui.diagram import NetworkDiagram
from rnnviz.ui.dialogs import GENERATORS, GenerateDialog
from rnnviz.ui.plots import WeightPlots
from rnnviz.ui.runadapter import Change
from rnnviz.ui.services import SETTINGS_VERSION, ActionSpec, MenuSpec, WindowServices
from rnnviz.ui.workspaces import ModelKind

#: Ticks over which the status line averages e².
MSE_WINDOW: Final[int] = 20
#: The longest stream text kept in the settings.
MAX_SAVED_STREAM: Final[int] = 100_000


class NeuronWorkspace:
    """The one-neuron views around a :class:`SessionAdapter` (see the module docstring).

    Parameters
    ----------
    services
        The window's services (actions, menus, status line, settings).
    adapter
        The session to show; a default one when omitted.
    stream_text
        The text the stream was made from, shown in the stream box as written.
    """

    def __init__(self, services: WindowServices, adapter: SessionAdapter | None = None,
                 *, stream_text: str | None = None) -> None:
        self._services = services
        self.adapter = adapter or SessionAdapter(parent=services.widget())
        self.stream_line = StreamLine(self.adapter)
        self.tape = BitStreamEditor(self.adapter)
        self.diagram = NetworkDiagram(self.adapter)
        self.parameters = ParameterPanel(self.adapter)
        self.plots = WeightPlots(self.adapter)
        self.speed = SpeedControl(self.adapter)
        self.toolbar_widgets: tuple[QWidget, ...] = (self.speed,)
        self.widget = self._lay_out()
        if stream_text is not None:
            self.stream_line.set_text(stream_text)
        # Its features, on its views: the equations column, the session
        # files with their lessons and autosave, and the exports.
        self.equations = equations.install(services, self)
        # Shown again (F9), the equations get their room as the phase plot and the sweep do.
        self.equations_action = services.action("equations")
        self.equations_action.triggered.connect(
            lambda on: columns.fit(self, self.equations) if on else None)
        self.phase_plot = phase_plot.install(services, self)
        self.sweep_view = sweep_view.install(services, self)
        columns.watch_resizes(self)
        self.session_files = files.install(services, self)
        self.exports = export.install(services, self)
        self.adapter.changed.connect(self._on_changed)
        self.stream_line.accepted.connect(self.save_stream)

    def _lay_out(self) -> QWidget:
        learning_box = QGroupBox("Learning")
        box_layout = QVBoxLayout(learning_box)
        box_layout.setContentsMargins(2, 2, 2, 2)
        box_layout.addWidget(self.parameters)
        # On a small screen (or a 1280×720 recording) the settings scroll
        # rather than push the window taller than the screen.
        learning_scroll = QScrollArea()
        learning_scroll.setWidget(learning_box)
        learning_scroll.setWidgetResizable(True)
        learning_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        learning_scroll.setMinimumHeight(90)
        # Never narrower than the settings: a narrower column cut off the
        # right edge of the boxes and their arrows. Only when a short window
        # also needs the vertical scroll bar does a horizontal one appear.
        learning_scroll.setMinimumWidth(learning_box.minimumSizeHint().width())
        self.left = QSplitter(Qt.Orientation.Vertical)
        self.left.setObjectName("leftSplitter")
        self.left.addWidget(self.diagram)
        self.left.addWidget(learning_scroll)
        self.left.setStretchFactor(0, 3)
        self.left.setStretchFactor(1, 0)
        self.left.setChildrenCollapsible(False)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.setObjectName("mainSplitter")
        self.main_split.addWidget(self.left)
        self.main_split.addWidget(self.plots)
        self.main_split.setStretchFactor(0, 2)
        self.main_split.setStretchFactor(1, 3)
        self.main_split.setChildrenCollapsible(False)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(4)
        layout.addWidget(self.stream_line)
        layout.addWidget(self.tape)
        layout.addWidget(self.main_split, 1)
        return central

    @property
    def parts(self) -> dict[str, object]:
        """Its views and features by name, as the window offers them (``window.tape``)."""
        return {"stream_line": self.stream_line, "tape": self.tape, "diagram": self.diagram,
                "parameters": self.parameters, "plots": self.plots, "speed": self.speed,
                "left": self.left, "main_split": self.main_split, "equations": self.equations,
                "phase_plot": self.phase_plot, "sweep_view": self.sweep_view,
                "session_files": self.session_files, "exports": self.exports}

    def focus_home(self) -> QWidget:
        """Where the keyboard goes back to: typing 0/1 edits the tape from the start."""
        return self.tape

    def fit_views(self) -> None:
        self.plots.fit()

    def fit_columns(self) -> None:
        """Room for the shown columns after presentation mode shared the canvas out (see rnnviz.ui.columns)."""
        columns.fit(self)

    def tell(self, text: str) -> None:
        """Say *text* on the status line (under the tape in presentation mode)."""
        self._services.tell(text, 8000)

    def show_message(self, text: str) -> None:
        """Say *text* where the status line would (under the tape, when the status bar is hidden)."""
        self.tape.show_message(text, error=False)

    def restore_state(self, settings: QSettings) -> None:
        """The splitters as the user left them."""
        for key, splitter in (("window/main_split", self.main_split), ("window/left_split", self.left)):
            value = settings.value(key)
            if isinstance(value, QByteArray):
                splitter.restoreState(value)
        phase_plot.restore(settings, self, self.phase_plot)
        sweep_view.restore(settings, self, self.sweep_view)

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("window/main_split", self.main_split.saveState())
        settings.setValue("window/left_split", self.left.saveState())
        phase_plot.save(settings, self.phase_plot)
        sweep_view.save(settings, self.sweep_view)
        self.save_learning()

    # -- what the shell shows -------------------------------------------------------
    def status_text(self) -> str:
        session = self.adapter.session
        c, n = session.cursor, session.n_ticks
        parts = [f"tick {c:,} of {n:,}"]
        if c:
            err = session.history["err"][max(c - MSE_WINDOW, 0) : c]
            parts.append(f"e = {fixed(float(err[-1]), signed=True)}")
            mse = float(np.mean(np.square(err)))
            parts.append(f"mean e² over the last {len(err)} tick{'s' if len(err) != 1 else ''} = {mse:.4f}")
        elif n:
            parts.append("press Space to play or → to step")
        else:
            parts.append("one bit: nothing to learn from yet — add bits on the tape")
        if session.at_end:
            parts.append(f"next bit: {guess_text(*session.guess())}")
        stage = self.adapter.stage
        if stage is not None:
            parts.insert(1, f"slow motion: tick {self.adapter.stage_tick + 1:,}, stage {stage + 1} of "
                         f"{len(Stage)} ({STAGE_TITLES[stage]})")
        return "   ·   ".join(parts)

    def title(self) -> str:
        return f"rnnviz — {len(self.adapter.session.bits):,} bits"

    def show_loaded(self, loaded: sessionfile.SessionFile, max_box_text: int) -> None:
        """Show a session read from a file, with its speed and (if not too long) its stream text."""
        if len(loaded.sequence) <= max_box_text:
            # Before load(): the box then keeps the file's wording (a generator
            # call stays a call) instead of the bits written out.
            self.stream_line.set_text(loaded.sequence)
        self.adapter.load(loaded.session)
        self.adapter.set_speed(loaded.speed)

    def shutdown(self) -> None:
        self.adapter.shutdown()

    # -- commands ---------------------------------------------------------------------
    def open_stream(self, text: str, what: str = "Replace stream") -> bool:
        """Use the stream *text*; an invalid one is reported on the status line and changes nothing."""
        try:
            self.adapter.replace(text, what)
        except InputError as error:
            self._services.tell(f"Not used: {error}", 8000)
            return False
        self.stream_line.set_text(text)
        self.save_stream(text)
        return True

    def generate(self, generator) -> None:
        dialog = GenerateDialog(generator, self._services.widget())
        if dialog.exec():
            self.open_stream(dialog.call_text(), f"Generate {generator.key}")

    def restore_defaults(self) -> str | None:
        """Learning settings back to the defaults; the reason they were kept, if they were."""
        try:
            self.adapter.set_params(LearnerParams())
        except InputError as error:
            return str(error)
        settings = self._services.settings
        if settings is not None:
            settings.remove("learning")
        return None

    def restore_layout(self, width: int) -> None:
        """Columns other than the diagram's and the plots' (the phase plot, the sweep, the equations)
        get their own width, the phase plot and the sweep none while hidden (they make room when
        shown); diagram and plots share the rest 2 : 3."""
        split = self.main_split
        left, plots = split.indexOf(self.left), split.indexOf(self.plots)
        extra = {i: 0 if split.widget(i) in (self.phase_plot, self.sweep_view) and split.widget(i).isHidden()
                 else split.widget(i).sizeHint().width()
                 for i in range(split.count()) if i not in (left, plots)}
        rest = width - sum(extra.values())
        sizes = [extra.get(i, 0) for i in range(split.count())]
        sizes[left], sizes[plots] = 2 * rest // 5, 3 * rest // 5
        split.setSizes(sizes)
        self.plots.fit()

    # -- settings ---------------------------------------------------------------------
    def _on_changed(self, flags: int) -> None:
        if flags & Change.PARAMS:
            self.save_learning()
        if flags & Change.STREAM:
            self.save_stream()

    def restore_settings(self, settings: QSettings) -> None:
        """Last time's learning settings and stream (not undo steps: the user did not make them)."""
        if settings.value("version", 0, int) != SETTINGS_VERSION:
            return
        defaults = LearnerParams()
        s = settings
        try:
            params = LearnerParams(
                eta=float(s.value("learning/eta", defaults.eta)),
                rule=str(s.value("learning/rule", defaults.rule)),
                activation=str(s.value("learning/activation", defaults.activation)),
                gain=float(s.value("learning/gain", defaults.gain)),
                init=tuple(float(v) for v in str(s.value("learning/init", "0,0,0")).split(",")),
                h0=float(s.value("learning/h0", defaults.h0)),
                learning=str(s.value("learning/learning", "true")).lower() == "true",
            )
        except (InputError, ValueError, TypeError):
            params = defaults  # settings edited by hand or from another version: ignore them
        stream = s.value("stream/text", "")
        with self.adapter.batch():
            self.adapter.set_params(params)
            if isinstance(stream, str) and stream.strip():
                try:
                    self.adapter.replace(stream, "Restore last stream")
                    self.stream_line.set_text(stream)
                except InputError:
                    pass
        self.adapter.undo_stack.clear()

    def save_learning(self) -> None:
        s = self._services.settings
        if s is None:
            return
        p = self.adapter.session.params
        s.setValue("version", SETTINGS_VERSION)
        s.setValue("learning/eta", p.eta)
        s.setValue("learning/rule", p.rule)
        s.setValue("learning/activation", p.activation)
        s.setValue("learning/gain", p.gain)
        s.setValue("learning/init", ",".join(repr(v) for v in p.init))
        s.setValue("learning/h0", p.h0)
        s.setValue("learning/learning", "true" if p.learning else "false")

    def save_stream(self, text: str | None = None) -> None:
        """Remember the stream for the next start: as typed when that text still
        describes it, else compressed; a stream too long to write (a million
        random bits) is not remembered."""
        settings = self._services.settings
        if settings is None:
            return
        text = text or self.stream_line.text_for_current()
        if text and len(text) <= MAX_SAVED_STREAM:
            settings.setValue("stream/text", text)
        else:
            settings.remove("stream/text")


def _example_actions() -> tuple[ActionSpec, ...]:
    """File ▸ Open example: one entry per shipped example (none, with a line saying why, when damaged)."""
    try:
        return tuple(
            ActionSpec(f"example_{index}", f"{item['name']}  —  {item['sequence']}",
                       lambda ws, item=item: ws.open_stream(item["sequence"], f"Example {item['name']}"),
                       tip=item["about"], menu="example")
            for index, item in enumerate(examples())
        )
    except (OSError, ValueError, KeyError, InputError) as error:  # a damaged install
        return (ActionSpec("examples_unavailable", f"examples unavailable: {error}", lambda ws: None,
                           menu="example"),)


def _generator_actions() -> tuple[ActionSpec, ...]:
    return tuple(
        ActionSpec(f"generate_{generator.key}", generator.title,
                   lambda ws, g=generator: ws.generate(g), tip=generator.about, menu="generate")
        for generator in GENERATORS
    )


def build(services: WindowServices, adapter: SessionAdapter | None,
          stream_text: str | None = None) -> NeuronWorkspace:
    return NeuronWorkspace(services, adapter, stream_text=stream_text)


KIND = ModelKind(
    key=sessionfile.NEURON_MODEL,
    title="One neuron",
    about="one input, one hidden neuron with a self-loop, one output, learning online tick by tick",
    build=build,
    run_type=Session,
    file_codec=False,
    lessons_folder=lessons_dir,
    menus=(MenuSpec("example", "Open &example", parent="file"),
           MenuSpec("generate", "&Generate", before="run")),
    actions=(
        *_example_actions(),
        *_generator_actions(),
        ActionSpec("fit", "Show whole stream in plots", lambda ws: ws.plots.fit(), ("Ctrl+0",),
                   "fit the plots to the whole stream", menu="view"),
    ),
)
