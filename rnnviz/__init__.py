"""rnnviz — watch the simplest interesting recurrent neural network learn.

The package is layered, and lower layers never import higher ones: the
engine (numpy only) below the run layer (``rnnviz.session``), io and tasks
beside each other above it, then the Qt ui, the commands and the
command-line front door. docs/architecture.md, "Layers", says what each
holds; tests/test_layering.py enforces the order.
"""

__version__ = "0.1.0"
