"""Colours and sizes shared by every view, so one legend explains them all.

One rule for colour throughout rnnviz: **orange means high or positive,
purple means low or negative**, white-grey is the middle. The activation
colour map is ColorBrewer's diverging PuOr, which stays distinguishable
under the common colour-vision deficiencies and in greyscale (its two ends
differ in lightness too). The signals' curves are chosen away from the two
sign hues: grey steps for x, black dots for the target, and for h and ŷ a
dark blue and a mid green that differ in lightness (about 29 L*) as well as
in hue, so they stay apart on a washed-out projector and under simulated
deuteranopia, protanopia and tritanopia.
"""

from __future__ import annotations

import functools
import math
from typing import Final

import numpy as np
from PySide6.QtGui import QColor, QFont, QIcon

from rnnviz.resources import icon_files

#: PuOr, purple (low) → light grey → orange (high).
ACTIVATION_STOPS: Final[tuple[str, ...]] = (
    "#542788", "#8073ac", "#b2abd2", "#d8daeb", "#f7f7f7", "#fee0b6", "#fdb863", "#e08214", "#b35806",
)
POSITIVE: Final[str] = "#b35806"   # orange: a weight > 0, a change +
NEGATIVE: Final[str] = "#542788"   # purple: a weight < 0, a change −
NEUTRAL: Final[str] = "#8c8c8c"    # a change 0, a zero weight
CROSSING: Final[str] = "#d62728"   # a zero-crossing (the notation's comma)
CURSOR: Final[str] = "#1a1a1a"     # the current tick
ZERO_LINE: Final[str] = "#b0b0b0"

#: Colours of the signals plot. h and ŷ run side by side: a dark blue
#: (L* 27) and a mid green (L* 56), both at least 3:1 on white.
SIGNAL_COLOURS: Final[dict[str, str]] = {
    "x": "#7f7f7f",       # input bit, grey steps
    "target": "#000000",  # the bit to predict, black dots
    "h": "#173a8c",       # hidden activation, dark blue
    "yhat": "#2e9a2e",    # prediction ŷ, green
}
#: Background of the current tick's cells in the bit stream editor.
INPUT_HIGHLIGHT: Final[str] = "#56B4E9"   # sky blue: the input x of the tick shown
TARGET_HIGHLIGHT: Final[str] = "#E69F00"  # amber: its target y
ERROR_TEXT: Final[str] = "#b00020"
#: What a slow-motion stage works on: rings in the diagram, the tint (a light
#: STAGE_HIGHLIGHT) behind its lines in the equations. Sky blue stays apart
#: from the orange/purple of signs and the PuOr fills.
STAGE_HIGHLIGHT: Final[str] = INPUT_HIGHLIGHT
STAGE_TINT: Final[str] = "#d5ecf8"
#: Text on the white page of the diagram and the equations, and its quieter grey.
INK: Final[str] = CURSOR
MUTED: Final[str] = "#555555"



def check_font_scale(scale: float) -> float:
    """*scale* as a float, refused unless it is a positive finite number."""
    scale = float(scale)
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"the font scale must be a positive number, not {scale!r}")
    return scale


def scaled_font(font: QFont, factor: float) -> QFont:
    """A copy of *font* *factor* times as large (in points, or pixels if it is sized so)."""
    font = QFont(font)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    else:
        font.setPixelSize(max(round(font.pixelSize() * factor), 1))
    return font


def scale_axes(plot, scale: float, sides: tuple[str, ...] = ("left", "bottom")) -> QFont:
    """Size the tick labels and names of *plot*'s axes (a pyqtgraph PlotItem) at *scale* times
    the application's text; returns that font, for the view's other text."""
    font = scaled_font(QFont(), scale)
    points = font.pointSizeF() if font.pointSizeF() > 0 else font.pixelSize() * 0.75
    for side in sides:
        axis = plot.getAxis(side)
        axis.setTickFont(font)
        axis.setLabel(axis.labelText, **{"font-size": f"{points:g}pt"})
    return font


_STOPS_RGB: Final[np.ndarray] = np.array(
    [QColor(c).getRgb()[:3] for c in ACTIVATION_STOPS], dtype=float
)


def activation_color(value: float, low: float, high: float) -> QColor:
    """The colour of *value* on the PuOr map spanning ``low … high``.

    Values outside the range take the end colours; NaN is mid grey.
    """
    if not np.isfinite(value) or high <= low:
        return QColor(NEUTRAL)
    position = (min(max(value, low), high) - low) / (high - low) * (len(_STOPS_RGB) - 1)
    index = min(int(position), len(_STOPS_RGB) - 2)
    fraction = position - index
    rgb = _STOPS_RGB[index] * (1 - fraction) + _STOPS_RGB[index + 1] * fraction
    return QColor(*(int(round(c)) for c in rgb))


def sign_color(value: float) -> QColor:
    """Orange for positive, purple for negative, grey for zero."""
    if value > 0:
        return QColor(POSITIVE)
    if value < 0:
        return QColor(NEGATIVE)
    return QColor(NEUTRAL)


def sign_ink(value: float | None) -> QColor:
    """Text colour for a signed number: the sign colours, :data:`MUTED` for zero, NaN or none.

    The :data:`NEUTRAL` grey of :func:`sign_color` is too light for text on white.
    """
    if value is None or not (value > 0 or value < 0):  # zero, or NaN, which compares as neither
        return QColor(MUTED)
    return sign_color(value)


def text_color_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on *background* (WCAG luminance)."""
    def channel(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in background.getRgb()[:3])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return QColor("#000000") if luminance > 0.179 else QColor("#ffffff")


@functools.cache
def app_icon() -> QIcon:
    """rnnviz's icon, from its PNGs (no SVG plugin needed, in a bundle either); made once,
    as the application and the window both ask for it at start-up."""
    icon = QIcon()
    for path in icon_files():
        icon.addFile(str(path))
    return icon
