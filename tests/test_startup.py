"""Starting the desktop app: what a user sees and what is logged when it cannot start."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rnnviz import errorlog


def _rnnviz(*args: str, tmp_path, **environment: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **environment)
    return subprocess.run([sys.executable, "-m", "rnnviz", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, cwd=tmp_path, env=env,
                          stdin=subprocess.DEVNULL)


def test_a_file_that_is_not_a_session_is_refused_by_name_and_logged(tmp_path):
    # "Open with rnnviz" on any file: not read as a stream with a stray "/" in it.
    notes = tmp_path / "notes.txt"
    notes.write_text("1 0 1 1\n", encoding="utf-8")
    result = _rnnviz("gui", str(notes), tmp_path=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    message = (f"{notes} is not an rnnviz session: rnnviz opens files saved with File ▸ Save "
               "(*.rnnviz.json); to read a stream written in a text file, use --file")
    assert result.stderr.splitlines()[-1] == f"rnnviz: {message}"
    # Started from a menu there is no terminal: the log keeps the reason.
    assert errorlog.log_path().read_text(encoding="utf-8").rstrip().endswith(message)


def test_a_broken_session_file_is_logged_and_opens_no_window(tmp_path):
    broken = tmp_path / "lecture.rnnviz.json"
    broken.write_text('{"format": "rnnviz-session", "version": 1, "sequ', encoding="utf-8")
    result = _rnnviz("gui", str(broken), tmp_path=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"cannot open {broken}: " in errorlog.log_path().read_text(encoding="utf-8")


def test_the_log_keeps_its_newer_half_when_it_grows_too_large(tmp_path):
    path = errorlog.log_path()
    for number in range(2_000):
        assert errorlog.append(f"problem {number:04d} " + "x" * 400) == path
    text = path.read_text(encoding="utf-8")
    assert len(text.encode()) <= errorlog.MAX_BYTES + 1_000
    assert "problem 1999" in text and "problem 0000" not in text
    assert text.startswith("--- ") or text.startswith("problem ")  # cut at a line's start


def test_quit_after_first_paint_opens_the_window_paints_it_and_exits(tmp_path):
    # How bench/launch.py and the build script time the real start-up path.
    result = _rnnviz(tmp_path=tmp_path, RNNVIZ_QUIT_AFTER_FIRST_PAINT="1")
    assert result.returncode == 0, result.stderr
    assert "first paint" in result.stderr.splitlines()


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_never_load_qt(args):
    code = ("import sys; from rnnviz.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            "print('Qt loaded' if {'PySide6', 'pyqtgraph'} & set(sys.modules) else 'no Qt')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines()[-1] == "no Qt", result.stderr


# -- a system library that Qt's X11 plugin needs is missing ------------------------------------
def _x11_plugin() -> tuple[str, str]:
    """Qt's X11 plugin and library folder, or a skip where there is none to check."""
    if not sys.platform.startswith("linux") or shutil.which("ldd") is None:
        pytest.skip("the X11 plugin and ldd are Linux things")
    from PySide6.QtCore import QLibraryInfo

    plugins = QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)
    libraries = QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath)
    plugin = os.path.join(plugins, "platforms", "libqxcb.so")
    if not os.path.isfile(plugin) or not os.path.isfile(os.path.join(libraries, "libQt6XcbQpa.so.6")):
        pytest.skip("this Qt has no libqxcb.so beside libQt6XcbQpa.so.6")
    return plugin, libraries


def qt_without_icccm(tmp_path):
    """A copy of Qt's X11 plugin whose libQt6XcbQpa asks for a library no system has.

    The loader then fails on it exactly as on a machine without
    libxcb-icccm4 (the name is changed in place, same length).
    """
    plugin, libraries = _x11_plugin()
    root = tmp_path / "Qt"
    (root / "plugins" / "platforms").mkdir(parents=True)
    (root / "lib").mkdir()
    # The plugin finds its libraries through its RUNPATH, $ORIGIN/../../lib.
    shutil.copyfile(plugin, root / "plugins" / "platforms" / "libqxcb.so")
    for name in os.listdir(libraries):
        if name != "libQt6XcbQpa.so.6":
            (root / "lib" / name).symlink_to(os.path.join(libraries, name))
    qpa = Path(libraries, "libQt6XcbQpa.so.6").read_bytes()
    assert qpa.count(b"libxcb-icccm.so.4\0") == 1
    (root / "lib" / "libQt6XcbQpa.so.6").write_bytes(qpa.replace(b"libxcb-icccm.so.4\0", b"libxcb-nonex.so.4\0"))
    return root / "plugins"


def test_a_missing_x11_library_is_named_in_one_line_before_qt_stops(tmp_path):
    plugins = qt_without_icccm(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    # No X server is needed: the libraries are checked before Qt connects.
    env.update(DISPLAY=":4242", QT_PLUGIN_PATH=str(plugins), XDG_SESSION_TYPE="x11")
    for args in (["(10)^3"], ["gui"]):
        result = subprocess.run([sys.executable, "-m", "rnnviz", *args], capture_output=True, text=True,
                                encoding="utf-8", timeout=120, cwd=tmp_path, env=env,
                                stdin=subprocess.DEVNULL)
        assert (result.returncode, result.stdout) == (2, ""), result.stderr
        assert result.stderr == ("rnnviz: Qt cannot open a window on X11: libxcb-nonex.so.4 "
                                 "is not installed\n")
    assert "libxcb-nonex.so.4 is not installed" in errorlog.log_path().read_text(encoding="utf-8")


def test_the_missing_library_check_finds_nothing_missing_in_a_whole_qt(tmp_path):
    from rnnviz.ui.display import missing_x11_libraries

    plugin, _ = _x11_plugin()
    assert missing_x11_libraries([os.path.dirname(os.path.dirname(plugin))]) == []
    assert missing_x11_libraries([qt_without_icccm(tmp_path)]) == ["libxcb-nonex.so.4"]


def test_every_x11_library_of_the_plugin_has_its_package_named():
    from rnnviz.ui.display import X11_PACKAGES, x11_libraries_message

    plugin, libraries = _x11_plugin()
    listed = subprocess.run(["ldd", plugin], capture_output=True, text=True, check=True).stdout
    linked = [line.split("=>")[0].strip() for line in listed.splitlines() if "=>" in line]
    x11 = {name for name in linked if name.startswith(("libxcb", "libX", "libxkb", "libEGL", "libGL"))}
    assert "libxcb-icccm.so.4" in x11 and "libxcb-keysyms.so.1" in x11
    assert x11 <= set(X11_PACKAGES), sorted(x11 - set(X11_PACKAGES))
    assert x11_libraries_message(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]).endswith(
        "(on Debian or Ubuntu: sudo apt install libxcb-icccm4 libxcb-keysyms1)")
