"""The run protocol: what the window needs of a model kind's run, whatever the model.

A *run* is a model being trained over a sequence of ticks, with every tick it
has computed kept so that any earlier point can be shown again. The
one-neuron :class:`~rnnviz.session.Session` is one; every model kind added to
the window brings its own (docs/architecture.md, "The run protocol").

The window's shared adapter (:class:`rnnviz.ui.runadapter.RunAdapter`) plays,
steps, seeks and undoes through these members alone, so it works on any run:

* **time** — :attr:`Run.cursor` counts the ticks done (the views show the
  state after that many); :attr:`Run.n_ticks` is how many the run's input
  allows, :attr:`Run.at_end` whether the cursor is there;
* **moving** — :meth:`Run.step` and :meth:`Run.back` move by a count and
  return how many ticks they moved, :meth:`Run.seek` puts the cursor at a
  tick (clamped), :meth:`Run.reset` goes back to tick 0 and forgets every
  stored tick. Moving forward computes ticks the first time and replays the
  stored ones afterwards, bit for bit; moving back never computes;
* **memory** — :attr:`Run.stored` is how many ticks are kept (perhaps beyond
  the cursor), and :attr:`Run.forgets` grows by one every time stored ticks
  are forgotten, so a view with a per-tick cache knows to rebuild it even
  when a change and a recompute happened between two looks;
* **state** — :meth:`Run.state_at` is the model's state after a number of
  ticks, read from what is stored.

Long moves report progress through :mod:`rnnviz.engine.progress` and may be
cancelled there (:class:`~rnnviz.engine.errors.Cancelled`); a cancelled move
stops on the last tick computed, with the cursor on it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Run(Protocol):
    """A model's training run, moved through tick by tick (see the module docstring)."""

    @property
    def cursor(self) -> int:
        """Ticks done: the views show the state after this many."""

    @property
    def n_ticks(self) -> int:
        """The ticks the run's input allows."""

    @property
    def at_end(self) -> bool:
        """Whether the cursor is at :attr:`n_ticks`."""

    @property
    def stored(self) -> int:
        """Ticks computed and kept (the cursor may be anywhere up to here)."""

    @property
    def forgets(self) -> int:
        """Grows by one each time stored ticks are forgotten."""

    def step(self, count: int = 1) -> int:
        """Forward up to *count* ticks; return how many were taken."""

    def back(self, count: int = 1) -> int:
        """Back up to *count* ticks (stored states, nothing re-run); return how many."""

    def seek(self, tick: int) -> None:
        """Put the cursor after *tick* ticks, clamped to ``0 … n_ticks``."""

    def reset(self) -> None:
        """Back to tick 0 with the starting state; every stored tick is forgotten."""

    def state_at(self, tick: int) -> object:
        """The model's state after *tick* ticks (``0 ≤ tick ≤ stored``)."""
