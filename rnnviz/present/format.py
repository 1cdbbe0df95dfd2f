"""How every view writes a number, a guess and a play speed, without Qt.

The diagram, the plots, the equation panel, the status line and the
controls all write weights, changes and activations the same way, so that
one value reads the same wherever it appears. The minus sign is always
U+2212 (:data:`~rnnviz.engine.notation.MINUS`), never a hyphen.
"""

from __future__ import annotations

import math
from typing import Final

from rnnviz.engine.notation import MINUS

#: The play speed that means "as many ticks per frame as fit", written ``"max"``
#: (the last of :data:`~rnnviz.session.SPEEDS`).
MAX_SPEED: Final[int] = 0


def format_number(value: float, *, signed: bool = False) -> str:
    """A weight or change in at most eight characters, readable from 1e-7 to 1e6.

    Three significant digits in plain notation from 0.001 to 999
    (``"1.98"``, ``"0.0485"``), four-digit whole numbers (``"1234"``; from 9995
    on the rounding to three digits makes it ``"1.0e4"``), two digits in a
    short scientific form outside (``"1.0e6"``, ``"2.5e−7"``); exact zero is
    ``"0"``. The minus is U+2212.

    Parameters
    ----------
    value
        The number.
    signed
        Write ``+`` in front of positive numbers (for changes).
    """
    if math.isnan(value):
        return "nan"
    sign = MINUS if value < 0 else ("+" if signed and value > 0 else "")
    if math.isinf(value):
        return f"{sign}∞"
    if value == 0:
        return "0"
    # Round first, so that 9.996 is written "10.0", not "10.00".
    magnitude = float(f"{abs(value):.2e}")
    exponent = math.floor(math.log10(magnitude))
    if exponent == 3:  # four digits are as short as "1.2e3" and exact
        return f"{sign}{abs(value):.0f}"
    if -3 <= exponent <= 2:
        return f"{sign}{magnitude:.{2 - exponent}f}"
    mantissa, power = f"{magnitude:.1e}".split("e")
    power_text = str(int(power)).replace("-", MINUS)
    return f"{sign}{mantissa}e{power_text}"


def fixed(value: float, decimals: int = 3, *, signed: bool = False) -> str:
    """*value* with a fixed number of decimals and a true minus (activations, errors)."""
    text = f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"
    if float(text) == 0:  # "-0.000" would suggest a sign that is not there
        text = text.replace("-", "+" if signed else "")
    return text.replace("-", MINUS)


def plain(value: float) -> str:
    """A setting as the user typed it: ``5``, ``0.5``, ``−1``, ``1e+03`` (true minus)."""
    return f"{value:g}".replace("-", MINUS)


def guess_text(yhat: float, bit: int | None) -> str:
    """``"ŷ = 0.870 → 1"``: the network's guess for the next bit, as every view writes it."""
    return f"ŷ = {fixed(yhat)} → {'?' if bit is None else bit}"


def speed_label(speed: int) -> str:
    """``"10 ticks/s"``, ``"1 tick/s"`` or ``"max"`` (for :data:`MAX_SPEED`)."""
    if speed == MAX_SPEED:
        return "max"
    return f"{speed} tick{'s' if speed != 1 else ''}/s"


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def power_of_ten(exponent: float) -> str:
    """``"10⁻¹⁷"`` for −17, ``"1"`` for 0, ``"10"`` for 1: a legend's end."""
    e = int(exponent)
    if e == 0:
        return "1"
    if e == 1:
        return "10"
    return "10" + str(e).translate(_SUPERSCRIPT)


def power_text(value: float) -> str:
    """A tick label for *value* on a log axis: plain from 0.001 to 1000, else as m·10ᵏ."""
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = round(value / 10.0 ** exponent)
    if -3 <= exponent <= 3:
        return f"{value:.{max(-exponent, 0)}f}"
    power = power_of_ten(exponent)
    return power if mantissa == 1 else f"{mantissa}·{power}"
