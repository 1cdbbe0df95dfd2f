"""Model ▸ LSTM and Model ▸ GRU declared as model kinds (see :mod:`rnnviz.ui.workspaces`).

Both train a :class:`~rnnviz.runs.lab.LabRun`, as the Elman lab does; each
accepts the runs whose network is its cell. Each has a menu of its own with
its presets, and Shift+→ (the next stage of the chosen cell's arithmetic; the
stage after the last is the update) in the Run menu.
"""

from __future__ import annotations

from rnnviz.engine.gru import GRUNetwork
from rnnviz.engine.lstm import LSTMNetwork
from rnnviz.runs.lab import LabRun
from rnnviz.tasks.gated_presets import presets_of
from rnnviz.ui.services import ActionSpec, MenuSpec, WindowServices
from rnnviz.ui.workspaces import ModelKind
from rnnviz.ui.workspaces.gated.adapter import GatedAdapter
from rnnviz.ui.workspaces.gated.lessons import install_lessons
from rnnviz.ui.workspaces.gated.workspace import GatedWorkspace, new_adapter

_ABOUT = {
    "lstm": "an LSTM trained live on the long-memory task: its gates, its cell state, the gradient "
            "highway beside the plain RNN's, one cell's arithmetic",
    "gru": "a GRU trained live on the long-memory task: its gates, its hidden state, the gradient "
           "highway beside the plain RNN's, one cell's arithmetic",
}
_NETWORKS = {"lstm": LSTMNetwork, "gru": GRUNetwork}
_MENUS = {"lstm": "LS&TM", "gru": "GR&U"}


def _kind(cell: str) -> ModelKind:
    title = "LSTM" if cell == "lstm" else "GRU"
    network_type = _NETWORKS[cell]

    def build(services: WindowServices, adapter: GatedAdapter | None, stream_text: str | None = None):
        workspace = GatedWorkspace(services, cell, adapter)
        install_lessons(workspace, services)
        return workspace

    presets = tuple(
        ActionSpec(f"{cell}_preset_{key}", preset.title, lambda ws, key=key: ws.open_preset(key),
                   tip=preset.about, menu=f"gated_{cell}")
        for key, preset in presets_of(cell).items()
    )
    stage = ActionSpec(f"{cell}_stage", "Next stage of the cell's arithmetic", lambda ws: ws.next_stage(),
                       ("Shift+Right",), "the chosen unit's gates, candidate and new state one stage at "
                       "a time; the stage after the last is the update", menu="run")
    return ModelKind(
        key=cell, title=title, about=_ABOUT[cell], build=build, run_type=LabRun,
        accepts=lambda run: isinstance(getattr(run, "network", None), network_type),
        menus=(MenuSpec(f"gated_{cell}", _MENUS[cell], before="run"),),
        actions=(*presets, stage),
        new_adapter=lambda: new_adapter(cell),
    )


KIND_LSTM = _kind("lstm")
KIND_GRU = _kind("gru")
