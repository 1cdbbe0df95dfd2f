"""What each view shows, worked out without Qt.

The view-models here read a run (today :class:`~rnnviz.session.Session`) at
its cursor and hand the widgets in :mod:`rnnviz.ui` plain values, texts and
highlights to lay out and paint; their tests run without a display. They
sit between the ui and the run layer (docs/architecture.md, "Layers"), and
never import Qt (tests/test_layering.py enforces it).
"""
