"""A stream argument (SEQ) that names a folder or a file: said as such, not parsed as bits.

``rnnviz gui /some/folder`` used to answer "unexpected character '/' at
position 1", which is true of the sequence language and useless to someone
who dragged a folder onto rnnviz. A stream is written in 0, 1, ``^``,
parentheses and generator calls (``random(100, 0.3)``): it never holds a path
separator, never starts with ``.`` or ``~`` and never ends in a file
extension. So an argument that exists on disk, or has one of those marks,
is taken for a path and gets a sentence about that path.

No Qt here: the headless commands may use it too.
"""

from __future__ import annotations

import os
import re
from typing import Final

#: ``notes.txt``, ``lecture.rnnviz.json``: a dot and letters at the end (a
#: stream ends in a bit, a digit or a parenthesis).
_EXTENSION: Final[re.Pattern[str]] = re.compile(r"\.[A-Za-z][A-Za-z0-9]*$")


def looks_like_path(text: str) -> bool:
    """Whether *text* is written as a path, which no stream ever is."""
    return (
        "/" in text
        or "\\" in text
        or text.startswith((".", "~"))
        or _EXTENSION.search(text) is not None
    )


def path_problem(text: str, wanted: str, *, reads_files: bool = False) -> str | None:
    """Why the argument *text* names a path instead of being *wanted*, or None.

    Parameters
    ----------
    text
        The argument as given (SEQ).
    wanted
        What the argument should have been, for the message: ``"a stream"``.
    reads_files
        The caller opens files given this way (``rnnviz gui`` opens session
        files): an existing file is then its to read or refuse.

    Returns
    -------
    str or None
        One line for an existing folder, for a missing file written as a path
        (``lecture.rnnviz.json``, ``notes.txt``, ``./stream``), for an
        existing file unless *reads_files*; None when *text* is no path.
    """
    if os.path.isdir(text):
        return f"{text} is a folder, not {wanted}"
    if os.path.lexists(text):
        if reads_files:
            return None
        return (f"{text} is a file, not {wanted}; to read a stream written in a text file, "
                f"use --file {text}")
    if looks_like_path(text):
        return f"no such file: {text}"
    return None
