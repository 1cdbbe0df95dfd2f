"""How numbers, guesses and speeds are written, tested without Qt (rnnviz.present.format)."""

from __future__ import annotations

import math

import pytest

from rnnviz.engine.notation import MINUS
from rnnviz.present.format import MAX_SPEED, fixed, format_number, guess_text, plain, speed_label
from rnnviz.session import SPEEDS


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.98, "1.98"),          # three significant digits from 0.001 to 999
        (0.0485, "0.0485"),
        (0.001234, "0.00123"),
        (123.4, "123"),
        (9.996, "10.0"),         # rounded first: not "10.00"
        (999.6, "1000"),         # rounds up into the whole-number range
        (1234.4, "1234"),        # whole numbers with four digits
        (9990.0, "9990"),
        (9999.0, "1.0e4"),       # three significant digits first: 1.00e4
        (1_000_000.0, "1.0e6"),  # two digits, short scientific form, outside
        (2.5e-7, f"2.5e{MINUS}7"),
        (0.0, "0"),
        (-0.5, f"{MINUS}0.500"),
        (math.inf, "∞"),
        (-math.inf, f"{MINUS}∞"),
        (math.nan, "nan"),
    ],
)
def test_format_number_writes_every_magnitude_in_a_few_characters(value, text):
    assert format_number(value) == text
    assert len(text) <= 8


def test_format_number_signed_marks_positive_changes_and_leaves_zero_bare():
    assert format_number(0.25, signed=True) == "+0.250"
    assert format_number(-0.25, signed=True) == f"{MINUS}0.250"
    assert format_number(0.0, signed=True) == "0"


def test_no_text_ever_carries_a_hyphen_for_a_minus():
    for text in (format_number(-3e-9), fixed(-0.25), plain(-1.0), plain(-1000.0)):
        assert "-" not in text and MINUS in text


def test_fixed_never_shows_a_negative_zero():
    assert fixed(-0.0001) == "0.000"
    assert fixed(-0.0001, signed=True) == "+0.000"
    assert fixed(0.87) == "0.870" and fixed(-0.5, 2, signed=True) == f"{MINUS}0.50"


def test_plain_writes_a_setting_as_typed():
    assert [plain(v) for v in (5.0, 0.5, -1.0)] == ["5", "0.5", f"{MINUS}1"]


def test_guess_text_names_the_guess_or_a_question_mark_before_the_first_bit():
    assert guess_text(0.87, 1) == "ŷ = 0.870 → 1"
    assert guess_text(0.13, 0) == "ŷ = 0.130 → 0"
    assert guess_text(0.5, None) == "ŷ = 0.500 → ?"


def test_speed_label_for_every_speed_the_slider_offers():
    assert MAX_SPEED in SPEEDS
    labels = {speed: speed_label(speed) for speed in SPEEDS}
    assert labels[1] == "1 tick/s" and labels[10] == "10 ticks/s" and labels[MAX_SPEED] == "max"
    assert len(set(labels.values())) == len(SPEEDS)
