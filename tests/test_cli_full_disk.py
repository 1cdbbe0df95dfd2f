"""Every command that prints, on a full disk: one plain line and status 2, as trace does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")


@pytest.mark.parametrize("command", [
    ["examples"],
    ["generate", "--steps", "3"],
    ["bptt", "0,1,1", "--u", "1", "--v", "2", "--w", "-1", "--s", "0.5"],
    ["task", "hello", "--max-epochs", "2"],
])
def test_a_command_writing_to_a_full_device_says_so_in_one_line(command):
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "rnnviz", *command], stdout=full, stderr=subprocess.PIPE,
            text=True, timeout=120, stdin=subprocess.DEVNULL,
        )
    assert result.returncode == 2
    # Not "internal error (OSError …)", and no "Exception ignored" after it.
    assert result.stderr == "rnnviz: no space left on the device while writing standard output\n"
