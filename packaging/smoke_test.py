"""Smoke test of a built bundle: does the frozen rnnviz start, find everything and work?

Run:  python3 packaging/smoke_test.py dist/rnnviz [--no-display]

Uses only the standard library (Python ≥ 3.11), so no environment is needed. The
bundle runs in a bare environment (no PYTHONPATH, a throwaway HOME, a
temporary working folder), so nothing from the source tree or a virtual
environment can stand in for a file the bundle lacks. Checks:

* the layout: the program, every data file of the source tree's
  ``resources/`` (by name), the desktop files, the licence texts, and no
  QtQml/QtQuick;
* ``rnnviz --version`` prints the source tree's version;
* ``rnnviz --self-test`` offscreen passes every check (data files, Qt and its
  offscreen plugin, the main window after 200 ticks, an MP4) — its time is
  printed as "self-test took N s" for the build script's budget;
* a headless command gives the seed's notation, a screenshot is a PNG of the
  size asked for, and bad input is one line with exit status 2;
* where Xvfb is installed, the self-test's display check opens the real
  window on it through the bundled xcb plugin (what a student's desktop uses).

Any line on standard error that is not expected — a Qt warning about a
missing library or plugin, a traceback — fails the test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from build import ROOT  # packaging/build.py, beside this file
from build import version as source_version

#: What may appear on standard error. The offscreen platform cannot pass size
#: hints to a window manager it does not have (the test suite allows this too).
EXPECTED_STDERR = ("This plugin does not support propagateSizeHints()", "first paint")
#: The seed's reading of ho on 1^10 0^10.
SEED_NOTATION = "ho: +\u2079 \u2212\u2075 , \u2212\u2075"


class SmokeFailed(Exception):
    pass


class Bundle:
    def __init__(self, folder: Path, scratch: Path) -> None:
        self.folder = folder
        self.program = folder / "rnnviz"
        self.scratch = scratch
        self.env = {
            "PATH": "/usr/bin:/bin", "HOME": str(scratch), "LANG": "C.UTF-8",
            "XDG_CONFIG_HOME": str(scratch / "config"), "XDG_DATA_HOME": str(scratch / "data"),
            "XDG_CACHE_HOME": str(scratch / "cache"), "XDG_RUNTIME_DIR": str(scratch),
            "QT_QPA_PLATFORM": "offscreen",
        }

    def run(self, *args: str, env: dict[str, str] | None = None, status: int = 0,
            timeout: float = 60) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(self.program), *args], capture_output=True, text=True, encoding="utf-8",
            env={**self.env, **(env or {})}, cwd=self.scratch, timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        what = f"rnnviz {' '.join(args)}"
        if result.returncode != status:
            raise SmokeFailed(f"{what} exited {result.returncode}, not {status}:\n"
                              f"{result.stdout}{result.stderr}")
        unexpected = [line for line in result.stderr.splitlines()
                      if line.strip() and line.strip() not in EXPECTED_STDERR and status == 0]
        if unexpected:
            raise SmokeFailed(f"{what} wrote to standard error:\n" + "\n".join(unexpected))
        return result


def check_layout(bundle: Bundle) -> str:
    internal = bundle.folder / "_internal"
    needed = [bundle.program, *(bundle.folder / name for name in (
        "rnnviz.desktop", "rnnviz.png", "NOTICE.txt", "README.txt", "install-desktop-entry.sh",
        "licenses/rnnviz-MIT.txt", "licenses/GPL-3.0.txt", "licenses/LGPL-3.0.txt"))]
    resources = ROOT / "resources"
    data = sorted(path.relative_to(resources) for path in resources.rglob("*") if path.is_file())
    needed += [internal / "resources" / name for name in data]
    missing = [str(path.relative_to(bundle.folder)) for path in needed if not path.exists()]
    if missing:
        raise SmokeFailed(f"missing from the bundle: {', '.join(missing)}")
    if not os.access(bundle.program, os.X_OK):
        raise SmokeFailed("rnnviz is not executable")
    unwanted = [str(p.relative_to(bundle.folder)) for pattern in ("libQt6Qml*", "libQt6Quick*", "qml")
                for p in bundle.folder.rglob(pattern)]
    if unwanted:
        raise SmokeFailed(f"QtQml/QtQuick are in the bundle: {', '.join(unwanted[:5])}")
    validate = shutil.which("desktop-file-validate")
    if validate is not None:
        checked = subprocess.run([validate, str(bundle.folder / "rnnviz.desktop")],
                                 capture_output=True, text=True)
        if checked.returncode != 0 or checked.stdout.strip():
            raise SmokeFailed(f"rnnviz.desktop is not valid: {checked.stdout}{checked.stderr}")
    desktop = "desktop files (validated)" if validate else "desktop files"
    return f"all {len(data)} data files, {desktop}, licence texts, no QtQml/QtQuick"


def check_version(bundle: Bundle) -> str:
    wanted = f"rnnviz {source_version()}"
    got = bundle.run("--version").stdout.strip()
    if got != wanted:
        raise SmokeFailed(f"--version says {got!r}, the source says {wanted!r}")
    return got


def check_self_test(bundle: Bundle) -> tuple[str, float]:
    started = time.perf_counter()
    result = bundle.run("--self-test")
    took = time.perf_counter() - started
    lines = result.stdout.splitlines()
    oks = [line for line in lines if line.startswith("  ok ")]
    if len(oks) != 4 or not lines[-1].startswith("self-test passed"):
        raise SmokeFailed("the self-test did not pass every check:\n" + result.stdout)
    return f"4 checks ok ({lines[-1]})", took


def check_headless(bundle: Bundle) -> str:
    notation = bundle.run("trace", "1^10 0^10", "--notation").stdout.splitlines()
    if len(notation) != 3 or notation[2] != SEED_NOTATION:
        raise SmokeFailed(f"trace --notation gave {notation!r}; the seed's ho is {SEED_NOTATION!r}")
    bad = bundle.run("trace", "10x1", status=2)
    if bad.stdout or len(bad.stderr.splitlines()) != 1 or "Traceback" in bad.stderr:
        raise SmokeFailed(f"bad input did not give one line on standard error: {bad.stderr!r}")
    picture = bundle.scratch / "shot.png"
    bundle.run("screenshot", str(picture), "1^10 0^10", "--ticks", "13", "--size", "1024x640")
    head = picture.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or struct.unpack(">II", head[16:24]) != (1024, 640):
        raise SmokeFailed("the screenshot is not a 1024x640 PNG")
    return "trace gives the seed's notation; bad input is one line, exit 2; screenshot 1024x640 PNG"


def check_real_window(bundle: Bundle) -> str:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        return "skipped: no Xvfb on this machine"
    # -displayfd: Xvfb picks a free display and writes its number to the pipe.
    read_end, write_end = os.pipe()
    server = subprocess.Popen([xvfb, "-displayfd", str(write_end), "-screen", "0", "1280x800x24",
                               "-nolisten", "tcp"], pass_fds=(write_end,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        if not number.isdigit():
            raise SmokeFailed("Xvfb did not start")
        display = f":{number}"
        # The self-test's display check starts the bundle on the screen as a user would.
        result = bundle.run("--self-test", env={"QT_QPA_PLATFORM": "", "DISPLAY": display})
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    if f"  ok      display: the window opened and painted on {display}" not in result.stdout:
        raise SmokeFailed("the self-test did not open the window on Xvfb:\n" + result.stdout)
    return "the self-test's display check opened the window on Xvfb through the bundled xcb plugin"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the one-folder bundle, e.g. dist/rnnviz")
    parser.add_argument("--no-display", action="store_true", help="skip the real-window check")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rnnviz-smoke-") as scratch:
        bundle = Bundle(args.bundle.resolve(), Path(scratch))
        took = 0.0
        checks = [("layout", lambda: check_layout(bundle)),
                  ("--version", lambda: check_version(bundle)),
                  ("--self-test", lambda: check_self_test(bundle)),
                  ("headless commands", lambda: check_headless(bundle))]
        if not args.no_display:
            checks.append(("real window", lambda: check_real_window(bundle)))
        for name, check in checks:
            try:
                seen = check()
            except (SmokeFailed, OSError, subprocess.TimeoutExpired) as error:
                print(f"  FAILED  {name}: {error}", flush=True)
                print(f"smoke test FAILED on {args.bundle}")
                return 1
            if isinstance(seen, tuple):
                seen, took = seen
            print(f"  ok      {name}: {seen}", flush=True)
    print(f"smoke test passed on {args.bundle}; self-test took {took:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
