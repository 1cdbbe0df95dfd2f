"""rnnviz's log of what went wrong, for when there is no terminal to read.

Started from a desktop menu or by double-clicking a session file, rnnviz has
no terminal: a message on standard error is lost. Errors that stop it from
starting, Qt's fatal messages and unexpected errors in the window are
therefore also appended to ``rnnviz.log`` in the user's log folder
(``~/.local/state/rnnviz/log`` on Linux), and the messages a user sees name
that file. No Qt here: the log must work when Qt itself does not.
"""

from __future__ import annotations

import datetime
import os
import stat
from pathlib import Path

from rnnviz import __version__

#: Past this size the log keeps only its newer half (it never grows without bound).
MAX_BYTES = 512 * 1024


def log_path() -> Path:
    """Where the log is (it may not exist yet)."""
    from platformdirs import user_log_path

    return user_log_path("rnnviz", appauthor=False) / "rnnviz.log"


def append(text: str) -> Path | None:
    """Add *text* to the log, stamped with the time and rnnviz's version; the log's
    path, or None when it cannot be written (a read-only home): logging must never
    be the next failure."""
    path = log_path()
    stamp = datetime.datetime.now().isoformat(timespec="seconds")
    entry = f"--- {stamp} rnnviz {__version__} (pid {os.getpid()})\n{text.rstrip()}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Opened without waiting and checked once open: a named pipe in the
        # log's place would otherwise hang the very report of a failure.
        descriptor = os.open(path, _OPEN_FLAGS, 0o666)
        with os.fdopen(descriptor, "r+b", buffering=0) as file:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                return None
            if os.fstat(descriptor).st_size > MAX_BYTES:
                file.seek(-(MAX_BYTES // 2), os.SEEK_END)
                kept = file.read(MAX_BYTES // 2)
                file.truncate(0)
                file.write(kept[kept.find(b"\n") + 1 :])  # O_APPEND: at the (new) end
            file.write(entry.encode("utf-8", errors="backslashreplace"))
    except OSError:
        return None
    return path


#: Read and append, create if missing, never wait (a FIFO), not inherited by children.
_OPEN_FLAGS = (
    os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)
