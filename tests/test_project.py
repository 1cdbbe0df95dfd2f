"""The project as a newcomer meets it: README, CI script, resources, versions."""

from __future__ import annotations

import os
import platform
import re
import sys
import tomllib
from pathlib import Path

import pytest

import rnnviz
import shell_runs
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


def shell_env(variant: str | None) -> dict[str, str]:
    """What a documented command's shell adds to the environment: this venv's rnnviz first
    on PATH, UTF-8 output, and the CPU *variant*'s settings (None: this CPU's best kernels)."""
    bin_dir = str(Path(sys.executable).parent)
    kernels = cpu_kernel_variants()[variant] if variant is not None else {}
    return {**kernels, "PYTHONIOENCODING": "utf-8", "PATH": bin_dir + os.pathsep + os.environ["PATH"]}


def shell_run(item: pytest.Item) -> tuple[str, dict[str, str]] | None:
    """The shell command a collected test of this module will run, to start it ahead (conftest.py)."""
    params = getattr(item, "callspec", None)
    if params is None or "command" not in params.params:
        return None
    variant = params.params.get("variant")
    if item.originalname == "test_documented_training_runs_print_the_same_digits_with_other_cpu_kernels":
        if variant is None:
            return None  # skipped
    return params.params["command"], shell_env(variant)


@pytest.mark.parametrize("document,command,expected", console_examples("README.md", "docs/bptt.md"))
def test_documented_examples_print_what_the_documents_show(document, command, expected) -> None:
    # Through a shell, as a reader would type it (some examples add `; echo $?`).
    result = shell_runs.result(command, shell_env(None))
    assert (result.stdout + result.stderr).rstrip("\n") == expected


def cpu_kernel_variants() -> dict[str, dict[str, str]]:
    """Environments that make numpy compute with other kernels than this CPU's best.

    OpenBLAS picks its matrix kernels by CPU (``OPENBLAS_CORETYPE`` forces one)
    and numpy its vectorised ``exp``/``tanh`` by CPU features
    (``NPY_DISABLE_CPU_FEATURES`` turns them off), so these reproduce, on one
    machine, the last-bit differences between processors that once made a
    documented output fail elsewhere.
    """
    if platform.machine() not in ("x86_64", "AMD64"):
        return {}
    import numpy

    blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    if "openblas" not in blas.lower():
        return {}
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").is_file() else ""
    variants = {
        "SSE3 kernels, no AVX in numpy": {
            "OPENBLAS_CORETYPE": "Prescott",
            "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
        },
    }
    if " avx2 " in flags.replace("\n", " "):
        variants["AVX2 kernels, no AVX-512 in numpy"] = {
            "OPENBLAS_CORETYPE": "Haswell",
            "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
        }
    return variants


TRAINING_EXAMPLES = [example for example in console_examples("README.md", "docs/bptt.md")
                     if example[1].startswith("rnnviz task ")]


@pytest.mark.parametrize("variant", sorted(cpu_kernel_variants()) or [None])
@pytest.mark.parametrize("document,command,expected", TRAINING_EXAMPLES)
def test_documented_training_runs_print_the_same_digits_with_other_cpu_kernels(
    document, command, expected, variant
) -> None:
    # Training amplifies last-bit differences; a documented run must be one
    # whose printed digits survive them (docs/bptt.md says so).
    if variant is None:
        pytest.skip("other CPU kernels can be forced only with OpenBLAS on x86-64")
    result = shell_runs.result(command, shell_env(variant))
    assert (result.stdout + result.stderr).rstrip("\n") == expected


def test_the_source_settings_lose_seed_23_after_two_thousand_examples() -> None:
    # docs/bptt.md tells this story; its digits after example 2,000 depend on
    # the CPU, so the story is checked with bounds any machine meets.
    from rnnviz.tasks.addition import AdditionSettings, run_addition

    settings = AdditionSettings(hidden=8, learning_rate=1, examples=5000, seed=23)
    result = run_addition(settings)
    assert result.exact[1500:2000].mean() > 0.5  # right on more than half, then
    assert result.exact[2500:3000].mean() < 0.25  # knocked down by the burst
    assert result.exact[4500:].mean() < 0.25  # and no recovery
    assert result.held_out_accuracy < 0.25
