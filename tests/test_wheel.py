"""A plain ``pip install .`` gives a working rnnviz, resources included.

The wheel is built for real and unpacked into a folder that shadows the
source checkout, then rnnviz is run from a different working directory: the
resources must come from inside the wheel, not from the source tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (path,) = out.glob("rnnviz-*.whl")
    return path


def test_wheel_carries_the_resources_and_the_entry_point(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "rnnviz/_resources/examples.json" in names
    assert "rnnviz/_resources/lessons/01-streak-of-ones.json" in names
    assert "rnnviz/engine/learner.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "rnnviz = rnnviz.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_layout_finds_its_resources(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run(
        [sys.executable, "-c", "import rnnviz, rnnviz.resources as r; print(rnnviz.__file__); print(r.resources_dir())"],
        capture_output=True, text=True, cwd=elsewhere, env=env, timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    module_file, resources = probe.stdout.split("\n")[:2]
    assert Path(module_file).is_relative_to(site)
    assert Path(resources) == site / "rnnviz" / "_resources"
    run = subprocess.run(
        [sys.executable, "-m", "rnnviz", "trace", "--example", "ones-then-zeros", "--notation", "--ascii"],
        capture_output=True, text=True, cwd=elsewhere, env=env, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "ho: +^9 -^5 , -^5"


def test_installed_wheel_passes_its_self_test(wheel: Path, tmp_path: Path) -> None:
    # The icons, lessons and examples all come from rnnviz/_resources here.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site), "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, "-m", "rnnviz", "--self-test"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"  ok      data files: 6 examples, 6 lessons, icon, in {site / 'rnnviz' / '_resources'}" in run.stdout
