"""The project as a newcomer meets it: README, CI script, resources, versions."""

from __future__ import annotations

import os
import re
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


def console_examples(*documents: str) -> list[tuple[str, str, str]]:
    """``(document, command, expected output)`` for every ``$ rnnviz …`` shown."""
    examples = []
    for document in documents:
        text = (ROOT / document).read_text(encoding="utf-8")
        for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
            for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
                command, _, output = chunk.partition("\n")
                if command.startswith("rnnviz "):
                    examples.append((document, command, output.rstrip("\n")))
    return examples


@pytest.mark.parametrize("document,command,expected", console_examples("README.md", "docs/bptt.md"))
def test_documented_examples_print_what_the_documents_show(document, command, expected) -> None:
    # Through a shell, as a reader would type it (some examples add `; echo $?`).
    bin_dir = str(Path(sys.executable).parent)
    result = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "PATH": bin_dir + os.pathsep + os.environ["PATH"]},
    )
    assert (result.stdout + result.stderr).rstrip("\n") == expected
