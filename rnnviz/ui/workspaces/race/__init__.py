"""The race (issue 15): a plain RNN, an LSTM and a GRU trained side by side on one stream.

:data:`KINDS` is what :mod:`rnnviz.ui.shipped_kinds` registers.
"""

from __future__ import annotations

from rnnviz.ui.workspaces import ModelKind
from rnnviz.ui.workspaces.race.workspace import KIND

#: The kinds this package adds to the Model menu, in menu order.
KINDS: tuple[ModelKind, ...] = (KIND,)
