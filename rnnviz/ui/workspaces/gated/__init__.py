"""The gated cells' workspaces (issue 15): Model ▸ LSTM and Model ▸ GRU.

:data:`KINDS` is what :mod:`rnnviz.ui.shipped_kinds` registers.
"""

from __future__ import annotations

from rnnviz.ui.workspaces import ModelKind

#: The kinds this package adds to the Model menu, in menu order.
KINDS: tuple[ModelKind, ...] = ()
