"""Plot titles that are their own legends, wrapped only between entries.

A legend inside a plot sits on the curves; written in the title it never
does. A title too wide for its plot wraps, and Qt's rich text may break a
line after any "/" or "(" — inside a formula such as ``‖∂L/∂h_t‖``. So
:func:`unbroken` puts word joiners (U+2060) between the characters of each
word, outside the markup, and — for entries that must stay whole — no-break
spaces between the words: the title then wraps between words (or entries)
only, never inside a formula.
"""

from __future__ import annotations

import re

_MARKUP = re.compile(r"(<[^>]*>|&[#a-zA-Z0-9]+;)")


def unbroken(markup: str, *, at_spaces: bool = False) -> str:
    """Rich text *markup* that Qt never breaks inside a word (tags and entities kept whole), nor
    at its spaces unless *at_spaces*."""
    parts = []
    for piece in _MARKUP.split(markup):
        if not piece:
            continue
        if _MARKUP.fullmatch(piece):
            parts.append(piece)
        else:
            words = ("\u2060".join(word) for word in piece.split(" "))
            parts.append((" " if at_spaces else "&nbsp;").join(words))
    return "\u2060".join(parts)
