"""The network lab: an Elman network trained by back-propagation through time, live.

One model kind of the window (docs/architecture.md, "Workspaces and the
window shell"): its presets are the source systems of the course — the
worked example, binary addition, "hello" and vanishing & exploding
gradients (:mod:`rnnviz.tasks.lab_presets`). The kind itself is declared in
:mod:`rnnviz.ui.workspaces.elman.workspace`; this package file imports
nothing, so each view module loads on its own.
"""
