"""How a change of the one-neuron learner's settings is named, without Qt.

The Edit menu says what Undo and Redo would do (``"Undo Set η to 2"``); the
adapter in :mod:`rnnviz.ui.adapter` takes the words from here, and merges
the values a spin box sends while dragged into one step only when they
change the same single setting (:func:`changed_settings`).
"""

from __future__ import annotations

from typing import Final

from rnnviz.engine.learner import LearnerParams

#: How each learning parameter is named in the Edit menu's "Undo …" text.
PARAM_NAMES: Final[dict[str, str]] = {
    "eta": "η", "rule": "update rule", "activation": "activation", "gain": "gain k",
    "init.ih": "start ih", "init.hh": "start hh", "init.ho": "start ho", "h0": "h0",
    "learning": "learning",
}


def changed_settings(before: LearnerParams, after: LearnerParams) -> tuple[str, ...]:
    """Names of the settings that differ (a start weight counts on its own: ``"init.ho"``)."""
    names = [name for name in ("eta", "rule", "activation", "gain", "h0", "learning")
             if getattr(before, name) != getattr(after, name)]
    names += [f"init.{weight}" for weight, old, new in zip(("ih", "hh", "ho"), before.init, after.init)
              if old != new]
    return tuple(names)


def describe_change(before: LearnerParams, after: LearnerParams) -> str:
    """``"Set η to 2"`` for one setting, ``"Change learning settings"`` for several."""
    names = changed_settings(before, after)
    if len(names) != 1:
        return "Change learning settings"
    (name,) = names
    if name == "learning":
        return f"Turn learning {'on' if after.learning else 'off'}"
    value = after.init[("init.ih", "init.hh", "init.ho").index(name)] if name.startswith(
        "init.") else getattr(after, name)
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"Set {PARAM_NAMES[name]} to {shown}"
