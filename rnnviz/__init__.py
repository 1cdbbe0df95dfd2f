"""rnnviz — watch the simplest interesting recurrent neural network learn.

The package is layered (see "Layout" in the README); lower layers never
import higher ones:

``rnnviz.engine``
    numpy-only maths: activations, the one-neuron online learner, history,
    the +/− notation and the sequence language.
``rnnviz.session``
    the pure state of a teaching session (sequence, learner, cursor, history).
``rnnviz.cli``
    the command-line front door.
"""

__version__ = "0.1.0"
