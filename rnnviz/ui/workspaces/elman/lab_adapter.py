"""The lab's extension of the shared run adapter: presets, settings, the knob and the backward sweep.

:class:`LabAdapter` is a :class:`~rnnviz.ui.staged_lab.StagedLabAdapter`
(which the gated cells' adapter shares): one tick is one training update on
one example. What it adds:

* the **backward sweep in stages** (Shift+→): stage 0 shows the error
  entering at the outputs of the example the next update learns from;
  stage *s* shows δ flowed back *s* steps; the stage after the last
  (δ at step 1) is the update itself, which steps the run one update. Any
  other change shows the example whole again, in the same emission;
* settings from the cursor on (η, truncation k, clipping), the W_hh knob,
  typed weights and a typed sequence (the worked example), each a change of
  the run at the cursor (later updates are forgotten; a sequence of another
  length starts the run again at update 0), refused in one line with
  nothing changed when invalid;
* a new preset, which replaces the run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from rnnviz.engine.errors import InputError
from rnnviz.present.lab import backward_stages
from rnnviz.runs.lab import LabRun
from rnnviz.tasks.worked_example import sequence_arrays
from rnnviz.ui.runadapter import Change
from rnnviz.ui.staged_lab import NO_LAB_STAGE, StagedLabAdapter

__all__ = ["NO_LAB_STAGE", "LabAdapter"]


class LabAdapter(StagedLabAdapter):
    """The shared adapter of a :class:`LabRun` (see the module docstring)."""

    DIVERGED_HINT = "Go back and lower η or ρ(W_hh), or turn clipping on"

    def stage_total(self) -> int:
        """The backward sweep's stages: the error entering, then δ back one step a stage."""
        return backward_stages(self.lab.source.steps)

    def set_parameters(self, values: Mapping[str, object]) -> None:
        """Typed weights, at the cursor; InputError (one line) changes nothing."""
        self.pause()
        self.lab.set_parameters(values)
        self._notify(Change.PARAMS)

    def set_example(self, values: Sequence[float]) -> None:
        """A typed sequence x_1 … x_T (each value predicting the next), learnt from the cursor on.

        Of another length than the run's, the run starts again at update 0
        from the cursor's weights (:meth:`LabRun.set_example`); InputError (one
        line) changes nothing.
        """
        self.pause()
        self.lab.set_example(*sequence_arrays(values))
        self._notify(Change.PARAMS | Change.STREAM | Change.CURSOR)

    def scale_to_radius(self, radius: float) -> None:
        """The vanish/explode knob: scale W_hh at the cursor so its spectral radius is *radius*."""
        current = self.lab.spectral_radius()
        if not (math.isfinite(radius) and radius > 0):
            raise InputError(f"the spectral radius must be a number above 0, not {radius!r}")
        if current == 0:
            raise InputError("W_hh is all zeros: no scale gives it another spectral radius")
        self.pause()
        self.lab.scale_w_hh(radius / current)
        self._notify(Change.PARAMS)

    def load_preset(self, key: str, run: LabRun) -> None:
        """Show a new preset's run (its own tick 0)."""
        self.preset_key = key
        self.load(run)
