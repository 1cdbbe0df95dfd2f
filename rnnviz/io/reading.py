"""Reading a file the user named: a regular file, at most so many bytes, never waiting.

A path typed on the command line, picked in a file dialog or dropped on the
window can name anything. A named pipe (FIFO) makes a plain ``open()`` wait
until another program writes to it, for ever if none does, and in the app
that wait freezes the window; a device such as ``/dev/zero`` (or a link to
it) has the size 0, so a size check lets it through, and it never ends.

:func:`read_regular_file` therefore opens the path without waiting
(``O_NONBLOCK``), asks the *opened* descriptor what it is (asking the path
first and opening it afterwards leaves a moment in which the path can be
swapped), refuses anything but a regular file, and reads at most one byte
more than the caller's limit, so a caller learns that a file is too large
without reading all of it. :func:`decode_text` reads the bytes as text the
way editors write them, byte-order mark or not.

Session files, lesson files and stream files (``--file``) are read through
here. No Qt here.
"""

from __future__ import annotations

import errno
import os
import stat

#: ``os.open`` flags: read only, never wait for a writer, no inheritance by
#: child processes, and binary mode where the platform has text modes.
_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class NotAFileError(OSError):
    """The path names something that is neither a regular file nor a folder.

    Attributes
    ----------
    kind
        What it is instead, in a few words: ``"a named pipe (FIFO)"``,
        ``"a device"`` or ``"a socket"``.
    """

    def __init__(self, path: str | os.PathLike[str], kind: str) -> None:
        super().__init__(errno.EINVAL, f"{kind}, not a file", os.fspath(path))
        self.kind = kind


def file_kind(mode: int) -> str | None:
    """What a ``st_mode`` other than a regular file's names (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file at *path*, at most ``limit + 1`` of them.

    A result longer than *limit* means the file is larger than *limit*; the
    rest is not read. Symbolic links are followed (a link to a session file
    opens it); what they lead to must be a regular file as well.

    Raises
    ------
    FileNotFoundError
        If nothing is at *path*.
    IsADirectoryError
        If *path* is a folder.
    NotAFileError
        If *path* is a named pipe, a device or a socket: nothing is read
        from it, and nothing waits.
    OSError
        If the file cannot be opened or read (permissions, a failing disk).
    """
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except PermissionError:
        # Windows refuses to open a folder at all: say what it is.
        if os.path.isdir(path):
            raise IsADirectoryError(errno.EISDIR, "Is a directory", os.fspath(path)) from None
        raise
    with os.fdopen(descriptor, "rb", buffering=0) as file:
        mode = os.fstat(descriptor).st_mode
        kind = file_kind(mode)
        if kind == "a folder":
            raise IsADirectoryError(errno.EISDIR, "Is a directory", os.fspath(path))
        if kind is not None:
            raise NotAFileError(path, kind)
        # A regular file never blocks, O_NONBLOCK or not; read in pieces
        # because one read() may return less than asked for.
        chunks: list[bytes] = []
        wanted = limit + 1
        while wanted > 0:
            chunk = file.read(min(wanted, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        return b"".join(chunks)


def decode_text(raw: bytes) -> str:
    """*raw* as text: UTF-8 with or without a byte-order mark, or UTF-16 with one.

    Editors on Windows write a byte-order mark (Notepad: UTF-8 with one,
    PowerShell: UTF-16); it is not part of the text.

    Raises
    ------
    UnicodeDecodeError
        If the bytes are not text in that encoding; ``error.start`` counts
        bytes from the start of *raw* (the byte-order mark included).
    """
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if raw.startswith(b"\xef\xbb\xbf"):
            # utf-8-sig counts from after the mark; the caller names bytes of the file.
            raise UnicodeDecodeError(
                "utf-8", raw, error.start + 3, error.end + 3, error.reason
            ) from None
        raise
