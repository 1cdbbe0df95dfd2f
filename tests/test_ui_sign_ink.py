"""The colour of a signed number's text, shared by the diagram's labels and the equation panel."""

from __future__ import annotations

import math

import pytest

from rnnviz.ui import theme


@pytest.mark.parametrize("value", [0.0, -0.0, math.nan, None])
def test_a_number_without_a_sign_is_written_in_the_muted_grey_not_the_light_neutral(value):
    assert theme.sign_ink(value).name() == theme.MUTED
    assert theme.MUTED != theme.NEUTRAL  # the neutral grey is the one too light for text


@pytest.mark.parametrize(("value", "colour"), [
    (0.4, theme.POSITIVE), (math.inf, theme.POSITIVE), (-2e-7, theme.NEGATIVE), (-math.inf, theme.NEGATIVE),
])
def test_a_signed_number_is_written_in_its_sign_colour(value, colour):
    assert theme.sign_ink(value).name() == colour
