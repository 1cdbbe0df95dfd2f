"""Tests for the sequence language and the bit-stream generators."""

from __future__ import annotations

import re
import tracemalloc

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.engine.sequences import (
    GENERATORS,
    MAX_BITS,
    alternating,
    bernoulli,
    format_sequence,
    markov,
    parse_sequence,
    periodic,
    streak,
)


def bits(text: str) -> list[int]:
    return parse_sequence(text).tolist()


def as_list(s: str) -> list[int]:
    return [int(c) for c in s]


# --------------------------------------------------------------------------- parsing


def test_plain_bits_give_a_uint8_array():
    result = parse_sequence("0110")
    assert result.dtype == np.uint8
    assert result.ndim == 1
    assert result.tolist() == [0, 1, 1, 0]


def test_separators_are_ignored():
    assert bits(" 1 0_1|0\n1\t0\r\n ") == [1, 0, 1, 0, 1, 0]
    assert bits("1\u00a00") == [1, 0]  # a non-breaking space pasted from a web page


def test_repetition_of_a_bit():
    assert bits("1^10 0^3") == [1] * 10 + [0] * 3
    assert bits("1^0 0") == [0]


def test_repetition_binds_to_the_last_bit_only():
    assert bits("10^3") == [1, 0, 0, 0]


def test_repetition_of_a_group():
    assert bits("(10)^3") == [1, 0, 1, 0, 1, 0]


def test_nested_repetition():
    assert bits("((10)^3 1^4)^2") == as_list("1010101111" * 2)


def test_separators_around_the_caret_are_allowed():
    assert bits("1 ^ 3 0") == [1, 1, 1, 0]
    assert bits("1^ 10") == [1] * 10


def test_superscript_exponents():
    assert bits("1¹⁰ 0¹⁰") == bits("1^10 0^10")
    assert bits("(10)²") == [1, 0, 1, 0]
    assert bits("1⁰ 0¹²³").count(0) == 123


def test_result_is_a_new_writable_array():
    first = parse_sequence("1^5")
    first[0] = 0
    assert parse_sequence("1^5").tolist() == [1] * 5
    assert parse_sequence("0110").flags.writeable


def test_zero_repeat_of_a_huge_body_is_not_built():
    assert bits("(1^99999999999999)^0 1") == [1]


# --------------------------------------------------------------------------- errors


def error_message(text: str, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        parse_sequence(text, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_input_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_sequence("2")


@pytest.mark.parametrize(
    ("text", "char", "position"),
    [("10x1", "'x'", 3), ("2", "'2'", 1), ("1,0", "','", 2), ("01 1é", "'é'", 5)],
)
def test_unexpected_character_names_it_and_its_position(text, char, position):
    message = error_message(text)
    assert message == f"unexpected character {char} at position {position}"


def test_position_in_a_multiline_text_gives_line_and_column():
    message = error_message("10\n01\n1x")
    assert re.search(r"'x' at position 8\b", message)
    assert "line 3, column 2" in message


def test_unmatched_open_bracket():
    message = error_message("1 (10")
    assert "unmatched '('" in message
    assert re.search(r"position 3\b", message)


def test_unmatched_close_bracket():
    message = error_message("(10))1")
    assert "unmatched ')'" in message
    assert re.search(r"position 5\b", message)


def test_unmatched_bracket_of_a_generator_call():
    assert "unmatched '('" in error_message("alt(3")
    assert re.search(r"unexpected character '\(' at position 5\b", error_message("alt((3))"))


def test_caret_without_a_number():
    message = error_message("1^x")
    assert "'^'" in message and re.search(r"position 2\b", message)
    assert "'^'" in error_message("1^")


def test_caret_with_nothing_to_repeat():
    message = error_message("^3")
    assert "nothing" in message and re.search(r"position 1\b", message)
    assert "nothing" in error_message("(^3)")


def test_a_repetition_of_a_repetition_needs_brackets():
    message = error_message("1^3^2")
    assert "brackets" in message and re.search(r"position 4\b", message)
    assert bits("(1^3)^2") == [1] * 6


@pytest.mark.parametrize("text", ["", "   \n", "_|_", "1^0", "(10)^0"])
def test_empty_sequence(text):
    assert error_message(text) == "the sequence is empty"


def test_empty_brackets():
    assert "empty brackets" in error_message("1()0")


def peak_bytes(work) -> int:
    """The most memory Python and numpy held while *work* ran (a measure of work, not of time)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_too_long_is_refused_before_any_bit_is_built():
    # Counted before expanding: a 10^14-bit stream would need 100 TB.
    assert peak_bytes(lambda: error_message("1^99999999999999")) < 100_000
    assert peak_bytes(lambda: error_message("((10)^100000)^100000")) < 100_000
    assert error_message("1^99999999999999") == "sequence has 99,999,999,999,999 bits; the limit is 10,000,000"


def test_too_long_for_nested_repetitions_and_generators():
    assert "the limit is 10,000,000" in error_message("((10)^100000)^100000")
    assert "the limit is 10,000,000" in error_message("random(99999999999)")
    assert "absurdly large" in error_message("1^" + "9" * 5000)


def test_custom_limit():
    assert error_message("1^11", max_bits=10) == "sequence has 11 bits; the limit is 10"
    assert bits("1^10") == [1] * 10


def test_exactly_max_bits_is_accepted_as_one_byte_a_bit():
    # Speed is measured in bench/parse.py; here, that no bigger intermediate is built.
    result = parse_sequence("(10)^5000000")
    assert peak_bytes(lambda: parse_sequence("(10)^5000000")) < 1.2 * MAX_BITS
    assert result.size == MAX_BITS
    assert result[:4].tolist() == [1, 0, 1, 0]
    assert int(result.sum()) == MAX_BITS // 2
    assert "10,000,001" in error_message("(10)^5000000 1")


def test_deep_nesting_is_refused_cleanly():
    assert "nested" in error_message("(" * 500 + "1" + ")" * 500)
    assert bits("(" * 50 + "1" + ")" * 50) == [1]


# --------------------------------------------------------------------------- generator calls


def test_generator_calls_in_the_language():
    assert bits("streak(0, 4)") == [0, 0, 0, 0]
    assert bits("alt(5)") == [1, 0, 1, 0, 1]
    assert bits("alt(5, 0)") == [0, 1, 0, 1, 0]
    assert bits("periodic(110, 7)") == [1, 1, 0, 1, 1, 0, 1]
    assert bits("periodic(011, 4)") == [0, 1, 1, 0]
    assert bits("1 alt(3)^2 0") == [1, 1, 0, 1, 1, 0, 1, 0]


def test_random_and_markov_calls_match_the_functions():
    assert bits("random(100, 0.3, 7)") == bernoulli(100, 0.3, 7).tolist()
    assert bits("random(100, p=0.3, seed=7)") == bernoulli(100, 0.3, 7).tolist()
    assert bits("random(50)") == bernoulli(50, 0.5, 0).tolist()
    assert bits("markov(100, 0.8, 3, 0)") == markov(100, 0.8, 3, 0).tolist()
    assert bits("markov(100, start=0, stay=0.8, seed=3)") == markov(100, 0.8, 3, 0).tolist()


def test_generator_names_are_case_insensitive_and_may_be_spaced():
    assert bits("ALT (3)") == [1, 0, 1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("foo(3)", "unknown generator 'foo'"),
        ("alt", "needs its arguments in brackets"),
        ("alt(-1)", "n must be a whole number, 0 or more; got -1"),
        ("alt(1.5)", "n must be a whole number; got '1.5'"),
        ("alt()", "missing a required argument: 'n'"),
        ("streak(2, 3)", "bit must be 0 or 1; got 2"),
        ("alt(4, 2)", "start must be 0 or 1"),
        ("random(10, 1.5)", "p must be a probability between 0 and 1"),
        ("random(10, p=-0.1)", "p must be a probability between 0 and 1"),
        ("random(10, p=abc)", "p must be a number"),
        ("random(10, 0.5, -1)", "seed must be a whole number"),
        ("random(10, q=1)", "unexpected keyword argument 'q'"),
        ("random(p=0.5, 10)", "without a name follows a named one"),
        ("random(10,)", "an argument is empty"),
        ("random(10, 0.5, 1, 2)", "too many positional arguments"),
        ("markov(10, stay=2)", "stay must be a probability"),
        ("periodic(102, 5)", "pattern must be a non-empty string of 0s and 1s"),
    ],
)
def test_bad_generator_arguments(text, expected):
    message = error_message("11 " + text)
    assert expected in message
    assert re.search(r"position 4\b", message)


def test_generators_table():
    assert set(GENERATORS) == {"streak", "alt", "periodic", "random", "markov"}
    assert GENERATORS["random"] is bernoulli
    assert GENERATORS["alt"] is alternating
    assert all(callable(function) for function in GENERATORS.values())


# --------------------------------------------------------------------------- generator functions


def test_streak_alternating_periodic_exact():
    assert streak(1, 3).tolist() == [1, 1, 1]
    assert streak(0, 0).tolist() == []
    assert alternating(4).tolist() == [1, 0, 1, 0]
    assert alternating(3, start=0).tolist() == [0, 1, 0]
    assert periodic("110", 8).tolist() == [1, 1, 0, 1, 1, 0, 1, 1]
    assert periodic([0, 1], 3).tolist() == [0, 1, 0]
    assert periodic("1", 0).tolist() == []
    for result in (streak(1, 3), alternating(4), periodic("10", 5), bernoulli(5), markov(5)):
        assert result.dtype == np.uint8


@pytest.mark.parametrize(
    "call",
    [
        lambda: streak(1, -1),
        lambda: streak(3, 1),
        lambda: alternating(2.0),  # type: ignore[arg-type]
        lambda: periodic("", 3),
        lambda: periodic("12", 3),
        lambda: periodic([1, 2], 3),
        lambda: bernoulli(10, float("nan")),
        lambda: bernoulli(10, 0.5, seed=-3),
        lambda: markov(10, stay=1.01),
        lambda: markov(10, start=5),
    ],
)
def test_generator_functions_validate(call):
    with pytest.raises(InputError):
        call()


def test_random_generators_are_reproducible_and_seed_dependent():
    np.testing.assert_array_equal(bernoulli(1000, 0.5, 7), bernoulli(1000, 0.5, 7))
    assert not np.array_equal(bernoulli(1000, 0.5, 7), bernoulli(1000, 0.5, 8))
    np.testing.assert_array_equal(markov(1000, 0.5, 7), markov(1000, 0.5, 7))
    assert not np.array_equal(markov(1000, 0.5, 7), markov(1000, 0.5, 8))


def test_bernoulli_mean_is_near_p():
    for p in (0.1, 0.5, 0.8):
        # The standard error for n = 100000 is at most 0.0016.
        assert bernoulli(100_000, p, seed=1).mean() == pytest.approx(p, abs=0.01)
    assert bernoulli(100, 0.0).sum() == 0
    assert bernoulli(100, 1.0).sum() == 100


def test_markov_stays_with_probability_stay():
    for stay in (0.1, 0.5, 0.9):
        chain = markov(100_000, stay, seed=2)
        assert np.mean(chain[1:] == chain[:-1]) == pytest.approx(stay, abs=0.01)
    assert markov(5, stay=1.0, start=0).tolist() == [0] * 5
    assert markov(5, stay=0.0).tolist() == [1, 0, 1, 0, 1]
    assert markov(1, start=0).tolist() == [0]
    assert markov(0).size == 0


def test_large_generators_make_the_largest_stream():
    # Their speed is measured in bench/parse.py.
    for text in ("random(10000000, 0.5, 1)", "markov(10000000)", "periodic(110, 10000000)"):
        result = parse_sequence(text)
        assert result.size == MAX_BITS
        assert result.dtype == np.uint8


# --------------------------------------------------------------------------- formatting


def test_format_compresses_long_runs_and_keeps_short_ones_plain():
    assert format_sequence(parse_sequence("1^10 0^10")) == "1^10 0^10"
    assert format_sequence(np.array([0, 1, 1, 0])) == "0110"
    assert format_sequence(parse_sequence("0110 1^12 0")) == "0110 1^12 0"


def test_format_without_compression_is_the_plain_bit_string():
    assert format_sequence(parse_sequence("1^10 01"), compress=False) == "1" * 10 + "01"


def test_format_accepts_lists_and_bools():
    assert format_sequence([1, 0, 1]) == "101"
    assert format_sequence(np.array([True, False])) == "10"


def test_format_refuses_non_bits():
    with pytest.raises(InputError):
        format_sequence([0, 2])
    with pytest.raises(InputError):
        format_sequence(np.zeros((2, 2)))


@pytest.mark.parametrize("seed", range(20))
def test_format_parse_round_trip(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 3000))
    # Mixing in long runs makes both the plain and the compressed forms appear.
    original = markov(size, stay=float(rng.uniform(0.0, 0.99)), seed=seed)
    for compress in (True, False):
        text = format_sequence(original, compress=compress)
        np.testing.assert_array_equal(parse_sequence(text), original)


def test_round_trip_of_a_large_random_sequence():
    original = bernoulli(1_000_000, 0.5, seed=5)
    np.testing.assert_array_equal(parse_sequence(format_sequence(original)), original)
