"""Writing files with no Qt, for the commands and the window alike: the trace as CSV, and safe writing.

The CSV writer is the one ``rnnviz trace --format csv`` uses, so a trace
saved from the app and one printed by the command line are the same bytes
for the same ticks. :func:`write_atomically` writes under a temporary name
beside the target and renames it into place only when the whole file is
written, so a failed export never leaves a half-written file where the user
asked for one.

Every output goes through here when it fails: :func:`describe_os_error`
turns an :class:`OSError` into the few plain words a message line ends
with ("no space left on the device", "permission denied"), for files and
for standard output (:func:`standard_output`) alike.

Temporary files are named ``.<name>.<pid>.rnnviz-part``. A process killed
while writing (``kill -9``, a power cut) leaves its part file behind; the
next write into that folder removes the part files of processes that no
longer run (:func:`remove_stale_parts`), never a running one's. The suffix
is rnnviz's own, so no other program's file is taken for one; the plain
``.part`` names of earlier versions are removed only for the kinds of file
rnnviz writes (``LEGACY_SUFFIXES``).
"""

from __future__ import annotations

import errno
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Final, TextIO

import numpy as np

from rnnviz.engine.errors import InputError
from rnnviz.engine.history import COLUMNS, WEIGHTS
from rnnviz.io.reading import file_kind

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

    Columns ``t,x,target,h,yhat,err,ih,hh,ho,d_ih,d_hh,d_ho``; weights are
    the values after the tick, floats at full precision (the contract of
    docs/architecture.md, 'The command-line contract').
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


#: ``.<name>.<pid>.rnnviz-part``: a file being written by process *pid*, to be renamed to *name*.
PART_PATTERN: Final[re.Pattern[str]] = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d{1,10})\.rnnviz-part$")
#: ``.<name>.<pid>.part``, as rnnviz 0.1.0 named its part files; such a name
#: is rnnviz's only when *name* is a kind of file rnnviz writes.
LEGACY_PART_PATTERN: Final[re.Pattern[str]] = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d{1,10})\.part$")
LEGACY_SUFFIXES: Final[tuple[str, ...]] = (".rnnviz.json", ".csv", ".png", ".svg")

#: Plain words for the failures a user can do something about; any other
#: error is told in the system's own words.
_REASONS: Final[dict[int, str]] = {
    code: reason
    for name, reason in (
        ("ENOSPC", "no space left on the device"),
        ("EDQUOT", "the disk quota is used up"),
        ("EACCES", "permission denied"),
        ("EPERM", "permission denied"),
        ("EROFS", "the device is read-only"),
        ("EFBIG", "the file is larger than this system allows"),
        ("ENAMETOOLONG", "the name is too long"),
        ("ENOENT", "no such file or folder"),
        ("ENOTDIR", "part of the path is not a folder"),
        ("EISDIR", "it is a folder"),
        ("EIO", "the device failed to read or write (input/output error)"),
        ("EXDEV", "the file cannot be moved across devices"),
    )
    if (code := getattr(errno, name, None)) is not None
}


def describe_os_error(error: OSError) -> str:
    """Why *error* happened, in a few plain words for the end of a message line.

    The one formatter of failed reads and writes, so the window, the file
    commands and standard output all say "no space left on the device" the
    same way. An error raised with a message and no error number (``OSError("the
    PNG could not be encoded")``) is told as that message.
    """
    reason = _REASONS.get(error.errno) if error.errno is not None else None
    if reason is not None:
        return reason
    text = (error.strerror or str(error)).strip() or type(error).__name__
    if len(text) > 1 and text[1].isupper():
        return text  # starts with an abbreviation ("PNG …"): keep its capitals
    return text[0].lower() + text[1:]


def part_path(path: Path) -> Path:
    """The temporary name this process writes *path* under: ``.<name>.<pid>.rnnviz-part`` beside it."""
    return path.with_name(f".{path.name}.{os.getpid()}.rnnviz-part")


def remove_stale_parts(folder: Path) -> list[Path]:
    """Remove the part files in *folder* whose writing process no longer runs; return them.

    Part files of running processes (this one included) stay, and so does
    anything that only looks like one but is not a regular file. Nothing
    here raises: a folder that cannot be listed is left as it is.
    """
    removed: list[Path] = []
    try:
        entries = os.scandir(folder)
    except OSError:
        return removed
    with entries:
        for entry in entries:
            match = PART_PATTERN.match(entry.name)
            if match is None:
                match = LEGACY_PART_PATTERN.match(entry.name)
                if match is not None and not match["name"].endswith(LEGACY_SUFFIXES):
                    continue  # perhaps another program's: not ours to remove
            if match is None or process_running(int(match["pid"])):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                os.unlink(entry.path)
            except OSError:
                continue  # another process removed it first, or we may not: leave it
            removed.append(Path(entry.path))
    return removed


def process_running(pid: int) -> bool:
    """Whether a process *pid* runs on this machine (True when that cannot be told).

    Wrongly answering True only leaves a stale file; wrongly answering False
    would delete a file being written, so every doubt answers True.
    """
    if pid == os.getpid():
        return True
    if pid <= 0:
        return True  # not a process id os.kill may be asked about (0 and -1 mean groups)
    if sys.platform == "win32":
        return _windows_process_running(pid)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OverflowError:
        return False  # larger than any process id
    except OSError:
        return True  # EPERM: it exists, under another user
    return True


def _windows_process_running(pid: int) -> bool:
    # os.kill(pid, 0) would terminate the process on Windows: ask the kernel instead.
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    query_limited_information, still_active, invalid_parameter = 0x1000, 259, 87
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return kernel32.GetLastError() != invalid_parameter
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


def write_target(path: Path) -> Path:
    """The file a write to *path* replaces: *path*, or what it links to when it is a symbolic link.

    Writing through a link keeps the link (a "latest.png" pointing into a
    dated folder stays a link) and replaces the file it points to.
    """
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Have *write* fill a temporary file beside *path*, flush it to disk and rename it to *path*.

    Nothing appears at *path* until the file is complete; on any failure the
    temporary is removed and what was at *path* stays. When *path* is a
    symbolic link, the file it points to is replaced, in that file's folder,
    and the link stays. Part files that killed processes left in the folder
    are removed first (:func:`remove_stale_parts`).

    Raises
    ------
    OSError
        From *write*, the disk or the rename; or when *path* is (or links
        to) something that is not a regular file, such as a device, which a
        rename would replace.
    """
    target = write_target(Path(path))
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        pass
    else:
        kind = file_kind(mode)
        if kind is not None:
            raise OSError(f"it is {kind}, not a file")
    remove_stale_parts(target.parent)
    temporary = part_path(target)
    try:
        write(temporary)
        if not temporary.is_file():
            raise OSError("nothing was written")
        with open(temporary, "rb+") as written:  # on disk before it takes the name
            os.fsync(written.fileno())
        os.replace(temporary, target)
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
        message names the path and the reason (:func:`describe_os_error`),
        and nothing is left behind.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"cannot write {path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder")
    try:
        replace_atomically(path, write)
    except OSError as error:
        raise InputError(f"cannot write {path}: {describe_os_error(error)}") from None
    return path


class _GuardedOutput:
    """A text stream whose failed writes raise :class:`InputError` with one plain line.

    A closed reader (:class:`BrokenPipeError`, ``rnnviz trace … | head``) is
    not a failure: it passes on unchanged for the command line to end quietly.
    """

    def __init__(self, stream: TextIO, name: str) -> None:
        self._stream = stream
        self._name = name

    def write(self, text: str) -> int:
        with self._guard():
            return self._stream.write(text)

    def writelines(self, lines: Iterable[str]) -> None:
        with self._guard():
            self._stream.writelines(lines)

    def flush(self) -> None:
        with self._guard():
            self._stream.flush()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except BrokenPipeError:
            raise
        except OSError as error:
            _silence(self._stream)
            raise InputError(f"{describe_os_error(error)} while writing {self._name}") from None


def _silence(stream: TextIO) -> None:
    """Point *stream*'s descriptor at the null device: its unwritten rest is dropped quietly.

    Python flushes standard output once more at exit; without this, the
    text that could not be written fails a second time, as an "Exception
    ignored" report after the one line the user was given.
    """
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not backed by a descriptor (a test's capture): nothing flushes it at exit
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(null, descriptor)
    except OSError:
        pass
    finally:
        os.close(null)


@contextmanager
def standard_output(name: str = "standard output") -> Iterator[TextIO]:
    """Standard output for a command to print to, told as one plain line when it fails.

    Within the block ``sys.stdout`` (and the stream yielded) raise
    :class:`InputError` ("no space left on the device while writing standard
    output") when a write fails, and the output is flushed before the block
    ends, so a failure is caught here and not in the interpreter's last
    flush. ``rnnviz trace … > /dev/full`` then ends with that line and
    status 2, like any other bad input.
    """
    original = sys.stdout
    guarded = _GuardedOutput(original, name)
    sys.stdout = guarded  # type: ignore[assignment]
    try:
        yield guarded  # type: ignore[misc]
        guarded.flush()
    finally:
        sys.stdout = original


def save_trace_csv(path: str | os.PathLike[str], history: Mapping[str, np.ndarray], stop: int) -> Path:
    """Write ticks ``0 … stop − 1`` of *history* to *path* as CSV (see :func:`write_trace_csv`)."""

    def write(temporary: Path) -> None:
        with open(temporary, "w", encoding="utf-8", newline="") as out:
            write_trace_csv(out, history, stop)

    return write_atomically(path, write)
