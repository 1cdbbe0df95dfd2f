"""The model kinds rnnviz ships, registered in the order the Model menu lists them.

The first is the one a window opens on. The main window imports this module,
so every window has them; a test registers kinds of its own after them.
"""

from __future__ import annotations

from rnnviz.ui import workspaces
from rnnviz.ui.workspaces import gated, neuron, race
from rnnviz.ui.workspaces.elman import workspace as elman

for _kind in (neuron.KIND, elman.KIND, *gated.KINDS, *race.KINDS):
    workspaces.register(_kind)
