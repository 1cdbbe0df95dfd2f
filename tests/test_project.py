"""The project as a newcomer meets it: README, CI script, resources, versions."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import rnnviz
from rnnviz.resources import example, examples, resources_dir
from rnnviz.engine.sequences import parse_sequence

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", section, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_readme_quick_start_has_exactly_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    assert "rnnviz" in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci


def test_qt_pin_excludes_the_crashing_release() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [d for d in project["dependencies"] if d.startswith("PySide6")]
    assert pins == ["PySide6-Essentials>=6.8,<6.12"]
    assert not any("Addons" in d for d in project["dependencies"])


def test_every_shipped_example_parses() -> None:
    assert (resources_dir() / "examples.json").is_file()
    names = [entry["name"] for entry in examples()]
    assert len(names) == len(set(names)) >= 5
    for entry in examples():
        assert len(parse_sequence(entry["sequence"])) >= 10, entry["name"]
    assert example("ones-then-zeros")["sequence"] == "1^10 0^10"


def test_version_is_a_release_number() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", rnnviz.__version__)


def readme_console_examples() -> list[tuple[str, str]]:
    """``(command, expected output)`` for every ``$ rnnviz …`` in the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = []
    for block in re.findall(r"```console\n(.*?)```", readme, flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            examples.append((command, output.rstrip("\n")))
    return examples


@pytest.mark.parametrize("command,expected", readme_console_examples())
def test_readme_examples_print_what_the_readme_shows(command, expected) -> None:
    words = shlex.split(command)
    assert words[0] == "rnnviz"
    result = subprocess.run(
        [sys.executable, "-m", "rnnviz", *words[1:]], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert (result.stdout + result.stderr).rstrip("\n") == expected
