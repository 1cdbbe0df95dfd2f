"""Whether a window can open here, and why not when it cannot.

``rnnviz gui`` asks before it starts Qt, so that a missing display or a
missing system library is one plain line instead of Qt's "could not load the
Qt platform plugin xcb", which names no library; the window's start-up error
dialog asks too, so that it never waits for a click nobody can give. Qt is
imported only to find its plugin folder, inside :func:`missing_x11_libraries`:
importing this module stays cheap for the headless commands.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final


#: The Debian and Ubuntu packages of the system libraries Qt's X11 plugin
#: loads (``ldd`` on PySide6's ``platforms/libqxcb.so``, ``dpkg -S`` on each).
X11_PACKAGES: Final[dict[str, str]] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
}
#: How long ``ldd`` may take on the plugin (it takes about 20 ms).
LDD_TIMEOUT_S: Final[float] = 5.0


def display_problem() -> str | None:
    """Why a window cannot open here, or None when it can (as far as we can tell).

    On X11 this includes a system library that Qt's X11 plugin needs and
    that is not installed: Qt would stop the program with "could not load
    the Qt platform plugin xcb", which names no library.
    """
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None
    if not platform and sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return (
            "no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
            "run rnnviz on a desktop, or use the headless commands: rnnviz --help"
        )
    if sys.platform.startswith("linux") and (platform or not os.environ.get("WAYLAND_DISPLAY")):
        # X11 (on Wayland, Qt uses its Wayland plugin, which needs none of these).
        missing = missing_x11_libraries()
        if missing:
            return x11_libraries_message(missing)
    return None


def missing_x11_libraries(plugin_folders: Sequence[str | os.PathLike[str]] | None = None) -> list[str]:
    """The libraries Qt's X11 platform plugin links that the system cannot find.

    Parameters
    ----------
    plugin_folders
        Where Qt looks for plugins; by default ``$QT_PLUGIN_PATH`` and then
        Qt's own plugin folder, in Qt's order.

    Returns
    -------
    list of str
        Library file names (``libxcb-icccm.so.4``) in ``ldd``'s order; empty
        when all are found, and when this cannot be checked (no ``ldd``, no
        plugin: Qt then says what is wrong itself).
    """
    if plugin_folders is None:
        from PySide6.QtCore import QLibraryInfo

        searched: list[str | os.PathLike[str]] = [
            p for p in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p
        ]
        searched.append(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
        plugin_folders = searched
    plugin = next((path for folder in plugin_folders
                   if (path := Path(folder) / "platforms" / "libqxcb.so").is_file()), None)
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return []
    try:
        result = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, errors="replace",
                                timeout=LDD_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return []
    # "\tlibxcb-icccm.so.4 => not found"
    return [line.split("=>")[0].strip() for line in result.stdout.splitlines()
            if line.rstrip().endswith("=> not found")]


def x11_libraries_message(missing: Sequence[str]) -> str:
    """One line naming the missing libraries and, where known, the packages to install."""
    names = ", ".join(missing)
    verb = "is" if len(missing) == 1 else "are"
    packages = [X11_PACKAGES[name] for name in missing if name in X11_PACKAGES]
    message = f"Qt cannot open a window on X11: {names} {verb} not installed"
    if packages:
        message += f" (on Debian or Ubuntu: sudo apt install {' '.join(packages)})"
    return message
