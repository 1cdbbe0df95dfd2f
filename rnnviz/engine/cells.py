"""A recurrent network by the name of its cell: ``rnn`` (Elman), ``lstm`` or ``gru``.

All three share one protocol (forward, backward, check_example, passes,
parameters, train_sequence; docs/architecture.md, "Gated cells (issue 15,
engine)"), so a caller that names the cell gets a network it can use the same way.
"""

from __future__ import annotations

from typing import Final

from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.gru import GRUNetwork
from rnnviz.engine.lstm import LSTMNetwork
from rnnviz.engine.validation import choice

__all__ = ["CELLS", "make_network"]

#: Cell names, the plain (Elman) cell first.
CELLS: Final[tuple[str, ...]] = ("rnn", "lstm", "gru")


def make_network(cell: object, n_inputs: int, n_hidden: int, n_outputs: int, **options
                 ) -> ElmanNetwork | LSTMNetwork | GRUNetwork:
    """A new network of *cell* (``rnn`` has a tanh hidden layer unless *options* say
    otherwise); *options* are the networks' keyword arguments. An unknown cell is an
    :class:`~rnnviz.engine.errors.InputError` listing the cells."""
    kind = choice("cell", cell, CELLS)
    if kind == "rnn":
        return ElmanNetwork(n_inputs, n_hidden, n_outputs, **options)
    network = LSTMNetwork if kind == "lstm" else GRUNetwork
    return network(n_inputs, n_hidden, n_outputs, **options)
