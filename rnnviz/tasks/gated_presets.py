"""The gated cells' lab presets (issue 15): Model ▸ LSTM and Model ▸ GRU.

Each is a run of the long-memory task as the race trains it
(:func:`~rnnviz.tasks.race_presets.race_run`: a 2-16-1 network, weights uniform
in [−2, 2], η = 0.1, clipping by global norm at 1, full BPTT, one update per
sequence), for one cell and one lag L (recall the first of L + 1 bits at the
last step):

* ``lstm-short`` / ``gru-short``: L = 10, 2,000 updates. Measured headless,
  seeds 0–2, with numpy and OpenBLAS on AVX-512, AVX2 and SSE3 kernels alike
  (to 0.02): the first 500 updates are 81–96 % right, the next 500 96–100 %,
  so a lecture sees the gates learn in under a second of training.
* ``lstm-long`` / ``gru-long``: L = 30, the race's own run and budget
  (:data:`~rnnviz.tasks.race_presets.RACE_UPDATES`).

Beside each, :meth:`GatedPreset.plain_run` is the plain RNN of the same
seed, lag and sequences (the race's ``rnn`` run): the gradient-highway view
puts its ``‖∂L/∂h_t‖`` beside the gated cell's, for the same example at the
same update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import whole_number
from rnnviz.runs.lab import LabRun
from rnnviz.tasks.race_presets import RACE_LAG, RACE_UPDATES, race_run

__all__ = ["GATED_PRESETS", "SHORT_LAG", "SHORT_UPDATES", "GatedPreset", "gated_preset", "presets_of"]

#: The short presets' lag and updates.
SHORT_LAG: Final[int] = 10
SHORT_UPDATES: Final[int] = 2_000


@dataclass(frozen=True)
class GatedPreset:
    """One gated-cell preset: the memory task for *cell* at lag *lag*, *updates* updates."""

    key: str
    title: str
    about: str
    cell: str
    lag: int
    updates: int

    def make_run(self, seed: int = 0) -> LabRun:
        """A fresh run of this preset; *seed* (whole, ≥ 0) draws its weights and sequences."""
        return race_run(self.cell, whole_number("the seed", seed, minimum=0), self.lag, self.updates)

    def plain_run(self, seed: int = 0) -> LabRun:
        """The plain RNN on the same sequences, lag, updates and seed (the race's ``rnn`` run)."""
        return race_run("rnn", whole_number("the seed", seed, minimum=0), self.lag, self.updates)

    def replay(self, log: object, cursor: int, seed: int = 0) -> LabRun:
        """The run a saved :meth:`LabRun.log` describes, with this preset's sequences for *seed*."""
        run = self.make_run(seed)
        return LabRun.replay(lambda: run.network, run.source, log, cursor)


def _presets() -> dict[str, GatedPreset]:
    presets = {}
    for cell, title in (("lstm", "LSTM"), ("gru", "GRU")):
        for length, lag, updates in (("short", SHORT_LAG, SHORT_UPDATES), ("long", RACE_LAG, RACE_UPDATES)):
            key = f"{cell}-{length}"
            presets[key] = GatedPreset(
                key, f"{title}: recall a bit {lag} steps back",
                f"a 2-16-1 {title} learns to recall the first of {lag + 1} random bits at the last "
                f"step ({updates:,} updates, one sequence each)", cell, lag, updates)
    return presets


#: Every gated preset, by key; the short ones first for each cell.
GATED_PRESETS: Final[dict[str, GatedPreset]] = _presets()


def presets_of(cell: str) -> dict[str, GatedPreset]:
    """The presets of *cell* (``"lstm"`` or ``"gru"``), the one a workspace opens on first."""
    return {key: preset for key, preset in GATED_PRESETS.items() if preset.cell == cell}


def gated_preset(key: object) -> GatedPreset:
    """The preset named *key*, or :class:`InputError` listing them."""
    if not isinstance(key, str) or key not in GATED_PRESETS:
        raise InputError(f"no gated preset called {key!r} (there are {', '.join(GATED_PRESETS)})")
    return GATED_PRESETS[key]
