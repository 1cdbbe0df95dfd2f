"""What the status lines of the lab and the gated cells say alike, without Qt.

:func:`clipping_text` names a run's clipping in words; :func:`last_update_parts` gives the
last update's loss and gradient norm, and what clipping made of that norm.
"""

from __future__ import annotations

from rnnviz.present.format import format_number
from rnnviz.runs.lab import LabRun, LabSettings


def clipping_text(settings: LabSettings) -> str:
    """``"no clipping"``, ``"clipping by global norm at 1"`` or ``"clipping by value at 0.5"``."""
    clipping = settings.clipping
    if clipping is None:
        return "no clipping"
    how = "by global norm" if clipping.kind == "norm" else "by value"
    return f"clipping {how} at {clipping.threshold:g}"


def last_update_parts(run: LabRun) -> list[str]:
    """``["loss 0.25", "‖g‖ 1.56 → 1.00 after clipping"]`` for the update before the cursor;
    nothing at update 0."""
    if not run.cursor:
        return []
    last = run.cursor - 1
    norm = f"‖g‖ {format_number(float(run.grad_norms()[last]))}"
    if run.clipped()[last]:
        norm += f" → {format_number(float(run.clipped_norms()[last]))} after clipping"
    return [f"loss {format_number(float(run.losses()[last]))}", norm]
