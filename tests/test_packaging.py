"""What the desktop bundle is made from: the spec's data files, the icon and the Linux desktop files.

Building the bundle takes a fresh environment and about a minute, so it is
done by ``packaging/build.py`` (in CI too), whose smoke test runs the frozen
program. These tests keep its inputs honest on every test run.
"""

from __future__ import annotations

import configparser
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import rnnviz
from rnnviz.io.sessionfile import SUFFIX
from rnnviz.resources import ICON_SIZES, icon_files

ROOT = Path(rnnviz.__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
SPEC = (PACKAGING / "rnnviz.spec").read_text(encoding="utf-8")


def test_every_resource_file_is_listed_in_the_spec():
    # A data file added to resources/ without a line in the spec would be
    # missing from the bundle only, found by a student rather than by us.
    patterns = re.findall(r'listed\("([^"]+)"', SPEC)
    assert patterns, "the spec lists no data files"
    resources = ROOT / "resources"
    files = {p for p in resources.rglob("*") if p.is_file()}
    listed = {p for pattern in patterns for p in resources.glob(pattern)}  # as the spec globs
    assert sorted(str(p.relative_to(resources)) for p in files - listed) == []
    assert len(files) >= 6 + 1 + len(ICON_SIZES) + 1


def test_the_spec_excludes_qml_and_quick():
    for module in ("QtQml", "QtQuick", "QtQuickWidgets", "QtNetwork"):
        assert f'"{module}"' in SPEC


def test_the_icon_pngs_have_the_sizes_their_names_say(qapp):
    from PySide6.QtGui import QImage

    from rnnviz.ui.theme import app_icon

    for size, path in zip(ICON_SIZES, icon_files()):
        image = QImage(str(path))
        assert (image.width(), image.height()) == (size, size), path.name
        assert image.hasAlphaChannel()
        # The corners are transparent (a rounded square), the middle is not.
        assert image.pixelColor(0, 0).alpha() == 0
        assert image.pixelColor(size // 2, size // 2).alpha() == 255
    assert sorted(s.width() for s in app_icon().availableSizes()) == list(ICON_SIZES)


def test_the_main_window_carries_the_icon(qtbot):
    from windows import make_window

    window = make_window(qtbot)
    assert sorted(s.width() for s in window.windowIcon().availableSizes()) == list(ICON_SIZES)


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(PACKAGING / "linux" / "rnnviz.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_starts_rnnviz_and_opens_session_files():
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "rnnviz gui %f"
    assert entry["Icon"] == "rnnviz"
    assert entry["Terminal"] == "false"
    assert "Education" in entry["Categories"].split(";")
    mime = ET.parse(PACKAGING / "linux" / "rnnviz-session.xml").getroot()
    (kind,) = mime
    assert entry["MimeType"] == kind.get("type") + ";"
    globs = [g.get("pattern") for g in kind if g.tag.endswith("glob")]
    assert globs == [f"*{SUFFIX}"]


def test_desktop_entry_is_valid_for_freedesktop_tools():
    validate = subprocess.run(["which", "desktop-file-validate"], capture_output=True, text=True)
    if validate.returncode != 0:
        pytest.skip("desktop-file-validate is not installed (Debian: desktop-file-utils)")
    result = subprocess.run([validate.stdout.strip(), str(PACKAGING / "linux" / "rnnviz.desktop")],
                            capture_output=True, text=True)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def _exec_program(exec_value: str) -> str:
    """The program of a desktop entry's Exec value, unescaped as the specification says."""
    string = re.sub(r"\\(.)", lambda m: {"s": " ", "n": "\n", "t": "\t", "r": "\r"}.get(m[1], m[1]),
                    exec_value)  # the string level: \\ → \
    match = re.match(r'"((?:[^"\\]|\\.)*)"', string)
    assert match, exec_value
    return re.sub(r"\\(.)", r"\1", match[1]).replace("%%", "%")


@pytest.mark.parametrize("folder", ["rnnviz folder", "R&D", "a$b", 'say "hi"', "back\\slash", "50%", "tick`s"])
def test_install_script_points_the_menu_entry_at_the_unpacked_folder(tmp_path, folder):
    bundle = tmp_path / folder
    bundle.mkdir()
    for name in ("rnnviz.desktop", "rnnviz-session.xml", "install-desktop-entry.sh"):
        (bundle / name).write_bytes((PACKAGING / "linux" / name).read_bytes())
    (bundle / "rnnviz.png").write_bytes(icon_files()[-2].read_bytes())
    program = bundle / "rnnviz"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    data = tmp_path / "data"
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(data), "PATH": "/usr/bin:/bin"}
    script = str(bundle / "install-desktop-entry.sh")
    subprocess.run(["sh", script], check=True, env=env, capture_output=True)
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(data / "applications" / "rnnviz.desktop", encoding="utf-8")
    exec_value = entry["Desktop Entry"]["Exec"]
    assert _exec_program(exec_value) == str(program)
    assert exec_value.endswith(" gui %f")
    assert entry["Desktop Entry"]["TryExec"].replace("\\\\", "\\") == str(program)
    assert (data / "icons" / "hicolor" / "256x256" / "apps" / "rnnviz.png").is_file()
    assert (data / "mime" / "packages" / "rnnviz-session.xml").is_file()
    subprocess.run(["sh", script, "--remove"], check=True, env=env, capture_output=True)
    assert not (data / "applications" / "rnnviz.desktop").exists()
