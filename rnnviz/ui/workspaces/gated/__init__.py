"""The gated cells' workspaces (issue 15): Model ▸ LSTM and Model ▸ GRU.

:data:`KINDS` is what :mod:`rnnviz.ui.shipped_kinds` registers; the kinds are
declared in :mod:`rnnviz.ui.workspaces.gated.kinds`.
"""

from __future__ import annotations

from rnnviz.ui.workspaces import ModelKind
from rnnviz.ui.workspaces.gated.kinds import KIND_GRU, KIND_LSTM

#: The kinds this package adds to the Model menu, in menu order.
KINDS: tuple[ModelKind, ...] = (KIND_LSTM, KIND_GRU)
