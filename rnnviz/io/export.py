"""Exports that need no Qt: the trace as CSV, and writing any file safely.

The CSV writer is the one ``rnnviz trace --format csv`` uses, so a trace
saved from the app and one printed by the command line are the same bytes
for the same ticks. :func:`write_atomically` writes under a temporary name
beside the target and renames it into place only when the whole file is
written, so a failed export never leaves a half-written file where the user
asked for one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Final, TextIO

import numpy as np

from rnnviz.engine.errors import InputError
from rnnviz.engine.history import COLUMNS, WEIGHTS

CSV_HEADER: Final[str] = ",".join(("t",) + COLUMNS)
#: Rows are formatted and written this many at a time: ten million ticks
#: stream out instead of being built as one string.
BLOCK_ROWS: Final[int] = 65536


def trace_rows(
    history: Mapping[str, np.ndarray], stop: int, formatter: Callable[[tuple], str]
) -> Iterable[str]:
    """Ticks ``0 … stop − 1`` of *history*, each row ``(t, x, target, …, d_ho)`` formatted.

    Yields one string per block of :data:`BLOCK_ROWS` rows.
    """
    for start in range(0, stop, BLOCK_ROWS):
        end = min(start + BLOCK_ROWS, stop)
        columns = [range(start, end)] + [history[name][start:end].tolist() for name in COLUMNS]
        yield "".join(formatter(row) for row in zip(*columns))


def write_trace_csv(out: TextIO, history: Mapping[str, np.ndarray], stop: int | None = None) -> None:
    """Write the header and ticks ``0 … stop − 1`` (all by default) as CSV.

    Columns ``t,x,target,h,yhat,err,ih,hh,ho,d_ih,d_hh,d_ho`` (DESIGN §4);
    weights are the values after the tick, floats at full precision.
    """
    count = len(history["x"])
    stop = count if stop is None else min(max(int(stop), 0), count)
    out.write(CSV_HEADER + "\n")
    # repr() of a float is the shortest text that reads back to the same
    # float: full precision, no noise digits.
    for block in trace_rows(history, stop, lambda row: ",".join(map(repr, row)) + "\n"):
        out.write(block)


def notation_lines(notation: Mapping[str, str]) -> list[str]:
    """``["ih: …", "hh: …", "ho: …"]``, the lines ``rnnviz trace --notation`` prints."""
    return [f"{weight}: {notation[weight]}" for weight in WEIGHTS]


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Have *write* fill a temporary file beside *path*, flush it to disk and rename it to *path*.

    Nothing appears at *path* until the file is complete; on any failure the
    temporary is removed and what was at *path* stays.

    Raises
    ------
    OSError
        From *write*, the disk or the rename.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        write(temporary)
        if not temporary.is_file():
            raise OSError("nothing was written")
        with open(temporary, "rb+") as written:  # on disk before it takes the name
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomically(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """:func:`replace_atomically`, with every failure told as the user's problem.

    Parameters
    ----------
    path
        Where the file should end up.
    write
        Called with the temporary path; it must create the file there.

    Raises
    ------
    InputError
        When the folder does not exist or the file cannot be written; the
        message names the path and the reason, and nothing is left behind.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"cannot write {path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder")
    try:
        replace_atomically(path, write)
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError(f"cannot write {path}: {reason}") from None
    return path


def save_trace_csv(path: str | os.PathLike[str], history: Mapping[str, np.ndarray], stop: int) -> Path:
    """Write ticks ``0 … stop − 1`` of *history* to *path* as CSV (see :func:`write_trace_csv`)."""

    def write(temporary: Path) -> None:
        with open(temporary, "w", encoding="utf-8", newline="") as out:
            write_trace_csv(out, history, stop)

    return write_atomically(path, write)
