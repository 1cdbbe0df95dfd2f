"""The desktop app: Qt widgets over one :class:`~rnnviz.ui.adapter.SessionAdapter`.

Only this package imports Qt when it is imported; the commands and the
self-test import it inside the functions that open a window
(tests/test_layering.py enforces this). Every view takes the adapter
in its constructor, subscribes to :attr:`SessionAdapter.changed` and reads the
session; views never call each other.
"""
