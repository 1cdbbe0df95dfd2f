"""Runs: what every model kind's training run offers the window (see :mod:`rnnviz.runs.protocol`)."""

from rnnviz.runs.protocol import Run

__all__ = ["Run"]
