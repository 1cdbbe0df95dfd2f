"""Where rnnviz's data files live, however rnnviz was started.

The files sit in the top-level ``resources/`` folder of the source tree. An
installed wheel carries them as ``rnnviz/_resources`` (see ``pyproject.toml``)
and a PyInstaller bundle unpacks them to ``<bundle>/resources``. This module
is the one place that knows the three layouts.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib import resources as importlib_resources
from pathlib import Path

from rnnviz.engine.errors import InputError


@cache
def resources_dir() -> Path:
    """The folder holding rnnviz's data files.

    Raises
    ------
    FileNotFoundError
        If none of the known layouts has it (a broken install).
    """
    candidates = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources")
    candidates.append(Path(str(importlib_resources.files("rnnviz"))) / "_resources")
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    for candidate in candidates:
        if (candidate / "examples.json").is_file():
            return candidate
    raise FileNotFoundError(
        "rnnviz's resources folder is missing (looked in "
        + ", ".join(str(c) for c in candidates)
        + "); reinstall rnnviz"
    )


def resource_path(*parts: str) -> Path:
    """Path of a file inside the resources folder."""
    return resources_dir().joinpath(*parts)


#: Pixel sizes of the application icon's PNGs (``resources/icons/rnnviz-<size>.png``),
#: made from ``rnnviz.svg`` by ``packaging/make_icons.py``.
ICON_SIZES: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_files() -> list[Path]:
    """The application icon's PNG files, smallest first."""
    return [resource_path("icons", f"rnnviz-{size}.png") for size in ICON_SIZES]


def lessons_dir() -> Path:
    """The folder of the lesson files (``resources/lessons``)."""
    return resources_dir() / "lessons"


def lab_lessons_dir() -> Path:
    """The folder of the network lab's lesson files (``resources/lab_lessons``)."""
    return resources_dir() / "lab_lessons"


def examples() -> list[dict[str, str]]:
    """The named example streams: ``[{"name", "sequence", "about"}, …]``."""
    with resource_path("examples.json").open(encoding="utf-8") as file:
        return json.load(file)["examples"]


def example(name: str) -> dict[str, str]:
    """The example called *name*."""
    for entry in examples():
        if entry["name"] == name:
            return entry
    names = ", ".join(entry["name"] for entry in examples())
    raise InputError(f"no example called {name!r}; the examples are {names}")
