"""The numerical core of rnnviz: numpy and the standard library only, never Qt.

The names a front end needs most are importable from here directly.
"""

from rnnviz.engine.activations import ACTIVATIONS, Activation
from rnnviz.engine.errors import InputError
from rnnviz.engine.history import COLUMNS, History, Tick
from rnnviz.engine.learner import RULES, LearnerParams, OnlineLearner, Prediction, State, trace
from rnnviz.engine.notation import NotationBuilder, notation
from rnnviz.engine.sequences import MAX_BITS, format_sequence, parse_sequence

__all__ = [
    "ACTIVATIONS", "COLUMNS", "MAX_BITS", "RULES", "Activation", "History", "InputError",
    "LearnerParams", "NotationBuilder", "OnlineLearner", "Prediction", "State", "Tick",
    "format_sequence", "notation", "parse_sequence", "trace",
]
