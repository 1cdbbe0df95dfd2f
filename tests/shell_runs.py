"""Shell commands that tests compare with the documents, run on a spare core ahead of time.

The documented examples (README.md, docs/bptt.md) are run through ``bash`` as
a reader types them, some with other CPU kernels; together they are about
twenty seconds of training in child processes while the test process itself
waits. ``conftest.py`` starts them, one at a time in a background thread, as
soon as the tests are collected, so they run on the second core while the
tests before them run on the first; a test then only collects its result
(:func:`result` runs a command that was not started ahead, as under
pytest-xdist, where each worker runs only its own).
"""

from __future__ import annotations

import atexit
import os
import subprocess
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor

#: One command at a time: the test process keeps the other core.
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shell-runs")
_runs: dict[tuple[str, tuple[tuple[str, str], ...]], Future] = {}
#: Settings and logs of the commands go here, never into the user's folders.
_home = tempfile.TemporaryDirectory(prefix="rnnviz-shell-runs-")


@atexit.register
def _stop() -> None:
    # Runs not collected (a test deselected by -x or ^C) are not waited for.
    _executor.shutdown(wait=True, cancel_futures=True)
    _home.cleanup()


def _key(command: str, env: dict[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return command, tuple(sorted(env.items()))


def _run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=300,
                          env=env, stdin=subprocess.DEVNULL)


def start(command: str, env: dict[str, str]) -> None:
    """Run ``bash -c command`` with *env* added to this process's environment, in the background.

    The environment is read now, in the calling thread: tests that run
    meanwhile change ``os.environ`` (monkeypatch.setenv) and must not leak
    into a command started before them.
    """
    key = _key(command, env)
    if key not in _runs:
        full_env = {**os.environ, **env}
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            full_env[name] = os.path.join(_home.name, name.lower())
        _runs[key] = _executor.submit(_run, command, full_env)


def result(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The finished run of *command* with *env*, started now if it was not started ahead."""
    start(command, env)
    return _runs[_key(command, env)].result()
