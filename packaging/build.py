"""Build rnnviz's desktop bundle: ``dist/rnnviz/`` and ``dist/rnnviz-VERSION-PLATFORM.tar.gz``.

Run from anywhere, with Python ≥ 3.11:

    python3 packaging/build.py [--system-packages] [--reuse-venv]

Steps, each printed as it starts:

1. a fresh virtual environment in ``build/bundle-venv`` holding only
   rnnviz's runtime dependencies (read from pyproject.toml) and PyInstaller.
   PySide6-Addons must not be there: through Qt's plugins it brings
   QtQml/QtQuick into the bundle, and no exclude removes them afterwards;
2. PyInstaller on ``packaging/rnnviz.spec`` (log: ``build/pyinstaller.log``).
   A library that Qt's window-system plugins need but this machine lacks
   stops the build, naming the Debian package; ``--system-packages``
   installs them first with apt-get;
3. the desktop files beside the program: ``rnnviz.desktop``, the icon, the
   session-file type, ``install-desktop-entry.sh``, ``README.txt`` and
   ``NOTICE.txt``;
4. the smoke test (``packaging/smoke_test.py``) on the bundle;
5. the ``.tar.gz``;
6. the budgets: the bundle ≤ 300 MB with its video encoder (and its ten
   largest parts), the frozen ``--self-test`` ≤ 3 s, and from source, launch
   to the first painted window ≤ 1.0 s. The size budget fails the build;
   the two times are printed with their verdict but do not, as these
   machines are shared and timings are noisy (bench/ is where speed is
   followed).

Exit status 0 when the bundle is built, passes its smoke test and fits its
size budget; 1 otherwise, with the reason on the last line.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
BUILD = ROOT / "build"
DIST = ROOT / "dist"
VENV = BUILD / "bundle-venv"
PYINSTALLER = "pyinstaller>=6.10,<7"

MAX_BUNDLE_MB = 300.0
MAX_SELF_TEST_S = 3.0
MAX_LAUNCH_S = 1.0

#: Debian packages holding the libraries of Qt's xcb platform plugin.
#: PyInstaller copies them into the bundle from the build machine, so a
#: student's desktop does not need them; the machine that builds does.
#: (libGL, libEGL, libxcb and libwayland-* it leaves to the desktop, which
#: has them and whose graphics driver they must match.)
SYSTEM_PACKAGES = (
    "binutils",  # PyInstaller reads libraries with objdump; strip
    "libdbus-1-3", "libfontconfig1", "libx11-xcb1", "libxkbcommon-x11-0",
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-randr0",
    "libxcb-render-util0", "libxcb-shape0", "libxcb-shm0", "libxcb-sync1", "libxcb-xfixes0",
    "libxcb-xkb1",
)
#: For the smoke test's real-window and desktop-entry checks (skipped where missing).
SMOKE_PACKAGES = ("xvfb", "desktop-file-utils")
#: Plugins the spec drops (UNUSED_QT there), whose missing libraries do not matter.
DROPPED_PLUGINS = ("libqgtk3",)


class BuildError(Exception):
    """A step failed; the message says which and why."""


def step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def version() -> str:
    """rnnviz.__version__, read without importing rnnviz (and Qt with it); the spec and
    the smoke test use this too."""
    tree = ast.parse((ROOT / "rnnviz" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__version__":
            return ast.literal_eval(node.value)
    raise BuildError("rnnviz/__init__.py has no __version__")


def platform_tag() -> str:
    return f"{platform.system().lower()}-{platform.machine().lower()}"


def runtime_dependencies() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return list(tomllib.load(file)["project"]["dependencies"])


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, **kwargs)
    if result.returncode != 0:
        raise BuildError(f"{Path(command[0]).name} {' '.join(command[1:3])} … exited {result.returncode}")
    return result


# -- 1. the environment ------------------------------------------------------------------------
def make_venv(reuse: bool) -> Path:
    python = VENV / "bin" / "python"
    if not (reuse and python.exists()):
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except (OSError, subprocess.CalledProcessError) as error:
            raise BuildError(f"cannot make the virtual environment {VENV}: {error} "
                             "(on Debian/Ubuntu: apt-get install python3-venv)") from None
    requirements = [*runtime_dependencies(), PYINSTALLER]
    print("installing: " + ", ".join(requirements), flush=True)
    pip = subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check",
                          *requirements], capture_output=True, text=True)
    if pip.returncode != 0:
        print("\n".join((pip.stdout + pip.stderr).splitlines()[-20:]))
        raise BuildError(f"pip could not install the runtime dependencies (exit {pip.returncode})")
    installed = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print('\\n'.join(sorted("
         "f\"{d.metadata['Name']}=={d.version}\" for d in m.distributions())))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    forbidden = [name for name in installed
                 if name.split("==")[0].lower() in ("pyside6-addons", "pyside6")]
    if forbidden:
        raise BuildError(f"{', '.join(forbidden)} is in the build environment: it would bring "
                         "QtQml/QtQuick into the bundle; only PySide6-Essentials may be there")
    # The dependencies are ranges: the versions say what this bundle carries.
    print("environment: " + ", ".join(installed), flush=True)
    return python


# -- 2. PyInstaller -------------------------------------------------------------------------------
def install_system_packages() -> None:
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise BuildError("--system-packages needs apt-get and root; install by hand: "
                         + " ".join(SYSTEM_PACKAGES))
    missing = [name for name in SYSTEM_PACKAGES + SMOKE_PACKAGES
               if subprocess.run(["dpkg", "-s", name], capture_output=True).returncode != 0]
    if not missing:
        print("system packages: all present", flush=True)
        return
    print("installing system packages: " + " ".join(missing), flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], env=env, stdout=subprocess.DEVNULL)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env,
        stdout=subprocess.DEVNULL)


def pyinstaller(python: Path) -> Path:
    log = BUILD / "pyinstaller.log"
    bundle = DIST / "rnnviz"
    shutil.rmtree(bundle, ignore_errors=True)
    command = [str(python), "-m", "PyInstaller", "--noconfirm", "--clean",
               "--distpath", str(DIST), "--workpath", str(BUILD / "pyinstaller"),
               str(PACKAGING / "rnnviz.spec")]
    with log.open("w", encoding="utf-8") as out:
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    text = log.read_text(encoding="utf-8", errors="replace")
    if result.returncode != 0:
        print("\n".join(text.splitlines()[-25:]))
        raise BuildError(f"PyInstaller failed (exit {result.returncode}); the whole log is {log}")
    missing = sorted({
        match.group(1)
        for match in re.finditer(r"could not resolve '([^']+)', dependency of '([^']+)'", text)
        if not any(plugin in match.group(2) for plugin in DROPPED_PLUGINS)
    })
    if missing:
        raise BuildError("libraries that Qt needs are not on this machine, so the bundle would "
                         f"lack them: {', '.join(missing)}; run with --system-packages "
                         f"(or apt-get install {' '.join(SYSTEM_PACKAGES)})")
    warnings = sum(" WARNING: " in line for line in text.splitlines())
    print(f"PyInstaller done ({warnings} warnings, none about a missing library; log: "
          f"{log.relative_to(ROOT)})", flush=True)
    return bundle


# -- 3. desktop files ------------------------------------------------------------------------------
def add_desktop_files(bundle: Path) -> None:
    linux = PACKAGING / "linux"
    for name in ("rnnviz.desktop", "rnnviz-session.xml", "install-desktop-entry.sh"):
        shutil.copy2(linux / name, bundle / name)
    shutil.copy2(ROOT / "resources" / "icons" / "rnnviz-256.png", bundle / "rnnviz.png")
    shutil.copy2(PACKAGING / "NOTICE.txt", bundle / "NOTICE.txt")
    licences = bundle / "licenses"
    licences.mkdir(exist_ok=True)
    shutil.copy2(ROOT / "LICENSE", licences / "rnnviz-MIT.txt")
    for text in sorted((PACKAGING / "licenses").glob("*.txt")):
        shutil.copy2(text, licences / text.name)
    readme = (PACKAGING / "bundle-README.txt").read_text(encoding="utf-8")
    (bundle / "README.txt").write_text(readme.replace("{version}", version()), encoding="utf-8")
    (bundle / "install-desktop-entry.sh").chmod(0o755)


# -- 4. smoke test ----------------------------------------------------------------------------------
def smoke_test(bundle: Path) -> float:
    """Run packaging/smoke_test.py on *bundle*; return the frozen self-test's seconds."""
    result = subprocess.run([sys.executable, str(PACKAGING / "smoke_test.py"), str(bundle)],
                            capture_output=True, text=True)
    print(result.stdout + result.stderr, end="", flush=True)
    if result.returncode != 0:
        raise BuildError("the bundle failed its smoke test (above)")
    found = re.search(r"self-test took ([0-9.]+) s", result.stdout)
    if found is None:
        raise BuildError("the smoke test did not report how long the self-test took")
    return float(found.group(1))


# -- 5. archive ---------------------------------------------------------------------------------------
def archive(bundle: Path) -> Path:
    out = DIST / f"rnnviz-{version()}-{platform_tag()}.tar.gz"
    work = out.with_name(out.name + ".part")
    with tarfile.open(work, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=f"rnnviz-{version()}")
    work.replace(out)
    return out


# -- 6. budgets ------------------------------------------------------------------------------------------
def files_by_size(bundle: Path) -> list[tuple[int, Path]]:
    return sorted(((path.stat().st_size, path) for path in bundle.rglob("*")
                   if path.is_file() and not path.is_symlink()), reverse=True)


def source_launch_seconds(python: Path) -> float:
    """Launch to the first painted window from source, in the build environment."""
    sys.path.insert(0, str(ROOT / "bench"))
    from launch import launch_seconds  # bench/launch.py

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        return launch_seconds([str(python), "-m", "rnnviz"], env=env)
    except RuntimeError as error:  # the launch failed or hung: bench/launch.py says how
        raise BuildError(f"rnnviz did not launch from source: {error}") from None


def report(bundle: Path, tarball: Path, self_test_s: float, launch_s: float) -> bool:
    files = files_by_size(bundle)
    total = sum(size for size, _ in files)
    print(f"ten largest parts of {bundle.relative_to(ROOT)}/ ({len(files):,} files):")
    for size, path in files[:10]:
        print(f"  {size / 1e6:7.1f} MB  {path.relative_to(bundle)}")
    rows = [
        ("bundle size (with the video encoder)", total / 1e6, MAX_BUNDLE_MB, "MB"),
        ("frozen rnnviz --self-test", self_test_s, MAX_SELF_TEST_S, "s"),
        ("launch to first paint, from source", launch_s, MAX_LAUNCH_S, "s"),
    ]
    print(f"\n{'budget':<40}{'measured':>12}{'goal':>12}  verdict")
    for name, value, goal, unit in rows:
        verdict = "met" if value <= goal else "MISSED"
        print(f"{name:<40}{value:>10.2f} {unit:<2}{'≤ ' + format(goal, 'g'):>9} {unit:<2} {verdict}")
    print(f"\narchive: {tarball.relative_to(ROOT)} ({tarball.stat().st_size / 1e6:.1f} MB)")
    if self_test_s > MAX_SELF_TEST_S or launch_s > MAX_LAUNCH_S:
        print("a time budget was missed: timings move with the machine's load, so the build "
              "still passes; run bench/run.py on a quiet machine to follow it up")
    return total / 1e6 <= MAX_BUNDLE_MB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system-packages", action="store_true",
                        help="first install the Debian packages the bundle copies libraries "
                        "from, and Xvfb for the smoke test (apt-get, as root)")
    parser.add_argument("--reuse-venv", action="store_true",
                        help="keep build/bundle-venv if it exists (quicker; still pip-checked)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        print(f"rnnviz {version()} bundle for {platform_tag()}, built with Python "
              f"{platform.python_version()}", flush=True)
        BUILD.mkdir(exist_ok=True)
        if args.system_packages:
            step("system packages")
            install_system_packages()
        step(f"build environment {VENV.relative_to(ROOT)} (runtime dependencies only)")
        python = make_venv(args.reuse_venv)
        step("PyInstaller")
        bundle = pyinstaller(python)
        add_desktop_files(bundle)
        step("smoke test")
        self_test_s = smoke_test(bundle)
        step("archive")
        tarball = archive(bundle)
        step("budgets")
        launch_s = source_launch_seconds(python)
        fits = report(bundle, tarball, self_test_s, launch_s)
    except BuildError as error:
        print(f"\nbuild FAILED: {error}", file=sys.stderr)
        return 1
    if not fits:
        print(f"\nbuild FAILED: the bundle is over its {MAX_BUNDLE_MB:g} MB budget", file=sys.stderr)
        return 1
    print(f"\nbuilt {bundle.relative_to(ROOT)}/ in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
