"""The lessons: every shipped one loads, runs and says only what the engine does."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from rnnviz.engine.generator import free_run
from rnnviz.engine.learner import LearnerParams, predicted_bit
from rnnviz.engine.sequences import parse_sequence
from rnnviz.io.lessons import Lesson, load_lesson, load_lessons
from rnnviz.resources import lessons_dir
from rnnviz.session import Session

LESSONS, PROBLEMS = load_lessons()
BY_KEY = {lesson.key: lesson for lesson in LESSONS}


def test_the_shipped_lessons_all_load_in_menu_order() -> None:
    assert PROBLEMS == []
    assert [lesson.number for lesson in LESSONS] == [1, 2, 3, 4, 5, 6]
    assert len(list(lessons_dir().glob("*.json"))) == 6
    # The seed's experiments: a streak of 1s, of 0s, 1s then 0s, alternating, a noisy streak.
    streams = {lesson.sequence for lesson in LESSONS}
    assert {"1^10", "0^10", "1^10 0^10", "(10)^10", "1^12 0 1^12 0 1^12"} <= streams
    assert any(lesson.generator for lesson in LESSONS)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.key)
def test_every_lesson_runs_to_its_end(lesson: Lesson) -> None:
    session = lesson.session()
    assert session.cursor == 0 and session.params == lesson.params
    assert session.run_to_end() == lesson.n_ticks > 0
    assert session.at_end
    for name in ("h", "yhat", "err", "ih", "hh", "ho"):
        assert np.isfinite(session.history[name]).all()


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.key)
def test_every_caption_lies_within_the_stream_and_the_first_shows_at_the_start(lesson: Lesson) -> None:
    ticks = [caption.tick for caption in lesson.captions]
    assert ticks[0] == 0
    assert ticks == sorted(set(ticks))
    assert ticks[-1] <= lesson.n_ticks
    assert lesson.caption_at(lesson.n_ticks) is lesson.captions[-1]


def test_the_caption_shown_is_the_last_one_at_or_before_the_cursor() -> None:
    lesson = BY_KEY["03-streak-that-breaks"]
    shown = {cursor: lesson.caption_at(cursor).tick for cursor in range(lesson.n_ticks + 1)}
    assert shown[0] == 0 and shown[8] == 0 and shown[9] == 9 and shown[13] == 11
    assert shown[14] == 14 and shown[18] == 15 and shown[19] == 19


def test_a_caption_describes_its_own_tick_or_the_ticks_up_to_its_until() -> None:
    lesson = BY_KEY["03-streak-that-breaks"]
    described = {cursor: [c.tick for c in lesson.captions if c.describes(cursor)]
                 for cursor in range(lesson.n_ticks + 1)}
    assert all(described[cursor] == [0] for cursor in range(9))  # "the first nine ticks …"
    assert [described[c] for c in (9, 10, 11, 12, 13, 14, 15)] == [[9], [10], [11], [11], [11], [14], [15]]
    assert [described[c] for c in (16, 17, 18, 19)] == [[], [], [], [19]]


def described_ticks(key: str, tick: int) -> range:
    """The ticks the caption written for *tick* describes (its own, or up to its until)."""
    found = BY_KEY[key].caption_at(tick)
    assert found is not None and found.tick == tick
    return range(found.tick, found.last + 1)


# -- the captions' claims, checked against the engine ---------------------------------
def at(key: str, cursor: int) -> Session:
    session = BY_KEY[key].session()
    session.seek(cursor)
    return session


def row(key: str, tick: int):
    """The history row of 1-based tick *tick* (what the views show at cursor *tick*)."""
    session = at(key, tick)
    return session.current_tick()


def caption(key: str, tick: int) -> str:
    found = BY_KEY[key].caption_at(tick)
    assert found is not None and found.tick == tick, f"{key} has no caption at tick {tick}"
    return found.text


def r2(value: float) -> str:
    """Rounded as the captions write numbers: two decimals, a true minus."""
    return f"{value:.2f}".replace("-", "\u2212")


def guesses(key: str) -> tuple[np.ndarray, np.ndarray]:
    """Per tick: the bit the network guessed (before learning) and the target."""
    session = at(key, BY_KEY[key].n_ticks)
    return (np.array([predicted_bit(y) for y in session.history["yhat"]]),
            np.asarray(session.history["target"]))


def test_streak_of_ones_claims() -> None:
    key = "01-streak-of-ones"
    first = row(key, 1)
    assert first.yhat == 0.5 and first.err == 0.5 and first.d_hh == 0.0 and first.d_ih > 0
    assert first.ho > 0 and f"ho rises to {r2(first.ho)}" in caption(key, 1)
    assert row(key, 1).h == 0.5 and row(key, 2).d_hh > 0  # "h before the tick is 0.5"
    # Ticks 5 to 8: ŷ climbs from 0.67 to 0.77, the error shrinks, ho's steps shrink.
    assert described_ticks(key, 5) == range(5, 9)
    assert f"from {r2(row(key, 5).yhat)} at tick 5 to {r2(row(key, 8).yhat)} at tick 8" in caption(key, 5)
    stretch = [row(key, t) for t in range(4, 9)]
    assert all(a.yhat < b.yhat and a.err > b.err and a.d_ho > b.d_ho > 0
               for a, b in zip(stretch, stretch[1:]))
    d_ho = at(key, 9).history["d_ho"]
    assert (np.diff(d_ho) < 0).all()  # each step up of ho smaller than the last
    end = at(key, 9)
    for name, value in zip(("ih", "hh", "ho"), end.state[:3]):
        assert f"{name} = {r2(value)}" in caption(key, 9)
    assert end.notation("ho") == "+⁹" and end.notation("hh") == "0 +⁸"
    assert "ho: +⁹" in caption(key, 9) and "hh: 0 +⁸" in caption(key, 9)
    assert f"ŷ = {r2(end.guess()[0])}" in caption(key, 9) and end.guess()[1] == 1


def test_streak_of_zeros_claims() -> None:
    key = "02-streak-of-zeros"
    first = row(key, 1)
    assert first.err == -0.5 and r2(first.ho) == "\u22120.31" and r2(first.ho) in caption(key, 1)
    # "From tick 2 on, hh rises although the error is negative … ho is negative now",
    # on every tick it is shown at (the sequential rule uses ho as updated in the tick).
    assert described_ticks(key, 2) == range(2, 9)
    for tick in described_ticks(key, 2):
        assert row(key, tick).err < 0 and row(key, tick).ho < 0 and row(key, tick).d_hh > 0
    end = at(key, 9)
    assert (end.history["d_ih"] == 0).all() and end.notation("ih") == "0⁹"
    assert f"ho = {r2(end.state.ho)}" in caption(key, 9) and f"hh = {r2(end.state.hh)}" in caption(key, 9)
    ones = at("01-streak-of-ones", 9)
    assert end.state.hh > ones.state.hh and r2(ones.state.hh) in caption(key, 9)
    assert end.state.hh > 0  # hh grows on 0s as on 1s


def test_streak_that_breaks_claims() -> None:
    key = "03-streak-that-breaks"
    for name, value in zip(("ih", "hh", "ho"), at(key, 9).state[:3]):
        assert f"{name} = {r2(value)}" in caption(key, 9)
    surprise = row(key, 10)
    assert surprise.x == 1 and surprise.target == 0
    assert f"ŷ = {r2(surprise.yhat)}" in caption(key, 10) and f"e = {r2(surprise.err)}" in caption(key, 10)
    assert surprise.d_ih < 0 and surprise.d_hh < 0 and surprise.d_ho < 0
    assert described_ticks(key, 0) == range(0, 9)  # "the first nine ticks repeat the streak of 1s"
    assert all(row(key, t).x == row(key, t).target == 1 for t in range(1, 9))
    assert at(key, 8).notation("ho") == at("01-streak-of-ones", 8).notation("ho") == "+⁸"
    # Ticks 11 to 13: input 0, ih still; ŷ falls from 0.70 to 0.59, above 0.5, the guess still 1.
    assert described_ticks(key, 11) == range(11, 14)
    assert f"from {r2(row(key, 11).yhat)} at tick 11 to {r2(row(key, 13).yhat)} at tick 13" in caption(key, 11)
    for tick in described_ticks(key, 11):
        shown = at(key, tick)
        assert row(key, tick).x == 0 and row(key, tick).d_ih == 0
        assert shown.notation("ih").endswith(" 0" if tick == 11 else f" 0{'²³'[tick - 12]}")
        assert row(key, tick).yhat > 0.5 and shown.guess()[1] == 1
    assert row(key, 12).yhat < row(key, 11).yhat and row(key, 13).yhat < row(key, 12).yhat
    fourteen = at(key, 14)
    assert fourteen.state.ho > 0 and r2(fourteen.state.ho) in caption(key, 14)
    assert fourteen.guess()[1] == 1
    assert fourteen.state.hh < 0 < at(key, 13).state.hh and "," in fourteen.notation("hh")
    fifteen = at(key, 15)
    assert fifteen.state.ho < 0 < fourteen.state.ho
    assert fifteen.notation("ho") == "+⁹ −⁵ , −" and "+⁹ −⁵ , −" in caption(key, 15)
    assert fifteen.guess()[1] == 0
    tick = row(key, 15)
    assert tick.err < 0 and tick.ho < 0 and tick.d_hh > 0  # the updated ho, negative
    end = at(key, 19)
    assert end.notation("ho") == "+⁹ −⁵ , −⁵" and end.notation("ho") in caption(key, 19)
    assert end.notation("hh") == "0 +⁸ −⁴ , − , +⁵" and end.notation("hh") in caption(key, 19)
    assert end.guess()[1] == 0 and f"ŷ = {r2(end.guess()[0])}" in caption(key, 19)


def test_alternating_learned_claims() -> None:
    key = "04-alternating-learned-vs-built"
    assert r2(at(key, 1).state.ho) in caption(key, 1)
    signs = [np.sign(at(key, c).state.ho) for c in range(1, 17)]
    assert signs[:15] == [-1, 1] * 7 + [-1]  # a flip at every tick from 2 to 15 …
    assert signs[15] == -1  # … and none at 16
    session = at(key, 19)
    yhat = session.history["yhat"]
    assert 0.44 <= yhat.min() and yhat.max() <= 0.51
    # "Watch ŷ: it stays between 0.44 and 0.51 …", shown from tick 6 to 15.
    assert described_ticks(key, 6) == range(6, 16)
    assert all(0.44 <= row(key, t).yhat <= 0.51 for t in described_ticks(key, 6))
    # "From tick 16 on ho stays negative and the guess is 0", shown at ticks 16 to 18.
    assert described_ticks(key, 16) == range(16, 19)
    assert all(at(key, t).state.ho < 0 and at(key, t).guess()[1] == 0 for t in described_ticks(key, 16))
    guessed, targets = guesses(key)
    x = session.history["x"]
    assert (guessed[:16] == x[:16]).all() and (guessed[:16] != targets[:16]).all()
    assert (guessed[15:] == 0).all()
    assert all(at(key, c).state.ho < 0 for c in range(16, 20))
    for name, value in zip(("ih", "hh", "ho"), session.state[:3]):
        assert f"{name} = {r2(value)}" in caption(key, 19)
    assert session.state.ih > 0  # "learning moved ih the other way" from the built −1


def test_the_hand_built_generator_writes_the_alternating_stream() -> None:
    lesson = BY_KEY["04-alternating-learned-vs-built"]
    run = lesson.free_run()
    assert run is not None and len(run) == 8
    assert np.allclose(np.abs(run.y), 0.98, atol=0.005)
    full = free_run(**{**lesson.generator, "steps": lesson.n_ticks})
    written = [1 if v > 0 else 0 for v in [lesson.generator["x0"], *full.y]]
    np.testing.assert_array_equal(written, lesson.bits)


def test_alternating_two_rules_claims() -> None:
    key = "05-alternating-two-rules"
    assert BY_KEY[key].params.rule == "simultaneous"
    assert row(key, 1).d_ih == 0 and row("04-alternating-learned-vs-built", 1).d_ih > 0
    assert at(key, 2).state.hh < 0 and at(key, 19).notation("hh") == "0 −¹⁸"
    assert r2(at("04-alternating-learned-vs-built", 19).state.hh) in caption(key, 2)
    assert at(key, 2).state.ih == 0 and at(key, 3).state.ih < 0
    end = at(key, 19)
    assert r2(end.state.ih) in caption(key, 3)
    for name, value in zip(("ih", "hh", "ho"), end.state[:3]):
        assert f"{name} = {r2(value)}" in caption(key, 19)
    yhat = end.history["yhat"]
    assert f"{r2(yhat.min())} to {r2(yhat.max())}" in caption(key, 19)
    guessed, targets = guesses(key)
    assert (guessed != targets).all() and len(targets) == 19


def test_noisy_streak_claims() -> None:
    key = "06-noisy-streak"
    eleven = at(key, 11)
    assert f"ho = {r2(eleven.state.ho)}" in caption(key, 11) and f"hh = {r2(eleven.state.hh)}" in caption(key, 11)
    assert eleven.guess()[1] == 1
    dent = row(key, 12)
    assert dent.target == 0 and dent.d_ih < 0 and dent.d_hh < 0 and dent.d_ho < 0
    assert f"ŷ was {r2(dent.yhat)}" in caption(key, 12) and f"by {r2(-dent.d_ho)}" in caption(key, 12)
    after = row(key, 13)
    assert after.x == 0 and after.target == 1 and predicted_bit(after.yhat) == 1
    assert f"ŷ = {r2(after.yhat)}" in caption(key, 13)
    assert after.d_ih == 0 and after.d_ho > 0 and after.d_hh > 0
    assert at(key, 15).state.ho < eleven.state.ho < at(key, 16).state.ho
    assert r2(at(key, 16).state.ho) in caption(key, 16)
    second_dent = row(key, 25)
    assert second_dent.target == 0 and -second_dent.d_ho < -dent.d_ho
    assert f"{r2(-second_dent.d_ho)} instead of {r2(-dent.d_ho)}" in caption(key, 25)
    assert f"ŷ was {r2(second_dent.yhat)}" in caption(key, 25)
    slope = lambda t: t.yhat * (1 - t.yhat)  # noqa: E731
    assert slope(second_dent) < slope(dent)
    guessed, targets = guesses(key)
    assert int((guessed == targets).sum()) == 35 and len(targets) == 37
    assert (targets[guessed != targets] == 0).all()  # only the two 0s were missed
    assert r2(at(key, 37).state.hh) in caption(key, 37)


# -- malformed lessons ---------------------------------------------------------------------
GOOD = {
    "title": "A streak",
    "summary": "ones",
    "sequence": "1^5",
    "params": {"eta": 2},
    "captions": [{"tick": 0, "text": "start"}, {"tick": 4, "text": "end"}],
}


def write(folder: Path, name: str, content) -> None:
    text = content if isinstance(content, str) else json.dumps(content)
    (folder / name).write_text(text, encoding="utf-8")


def with_(**changes) -> dict:
    return {**GOOD, **changes}


BAD_LESSONS = {
    "02-not-json.json": ("{ title: 'x' }", "not valid JSON"),
    "03-missing.json": ({k: v for k, v in GOOD.items() if k != "captions"}, "'captions' is missing"),
    "04-title-number.json": (with_(title=3), "'title' must be text"),
    "05-bad-sequence.json": (with_(sequence="1^5 x"), "'sequence': unexpected character 'x'"),
    "06-caption-beyond.json": (with_(captions=[{"tick": 9, "text": "x"}]), r"'captions\[0\]\.tick' is 9, outside the stream's ticks 0 … 4"),
    "07-caption-order.json": (with_(captions=[{"tick": 3, "text": "a"}, {"tick": 1, "text": "b"}]), "rising tick order"),
    "08-bad-param.json": (with_(params={"eta": "fast"}), r"'params\.eta' must be a number"),
    "09-unknown-param.json": (with_(params={"speed": 3}), "params has a field 'speed'"),
    "10-caption-type.json": (with_(captions=[{"tick": 0, "text": 5}]), r"'captions\[0\]\.text' must be text"),
    "11-truncated.json": (json.dumps(GOOD)[:60], "truncated"),
    "12-generator.json": (with_(generator={"ih": "x"}), r"'generator\.ih' must be a number"),
    "13-until-before.json": (with_(captions=[{"tick": 2, "until": 1, "text": "x"}]),
                             r"^'captions\[0\]\.until' is 1, before the caption's own tick 2$"),
    "14-until-beyond.json": (with_(captions=[{"tick": 0, "until": 5, "text": "x"}]),
                             r"^'captions\[0\]\.until' is 5, outside the stream's ticks 0 … 4$"),
    "15-until-overlaps.json": (with_(captions=[{"tick": 0, "until": 2, "text": "a"}, {"tick": 2, "text": "b"}]),
                               r"^'captions\[0\]\.until' is 2, not before the next caption's tick 2; "
                               "captions must not overlap$"),
    "16-until-type.json": (with_(captions=[{"tick": 0, "until": "3", "text": "x"}]),
                           r"^'captions\[0\]\.until' must be a whole number, not '3'$"),
    "17-until-bool.json": (with_(captions=[{"tick": 0, "until": True, "text": "x"}]),
                           r"^'captions\[0\]\.until' must be a whole number, not True$"),
    "18-caption-key.json": (with_(captions=[{"tick": 0, "to": 3, "text": "x"}]),
                            r"^'captions\[0\]' must be an object with 'tick' and 'text', and optionally 'until'$"),
    "no-number.json": (GOOD, "the name must look like 07-some-name.json"),
}


def test_malformed_lessons_are_reported_and_skipped(tmp_path: Path) -> None:
    write(tmp_path, "01-good.json", GOOD)
    for name, (content, _) in BAD_LESSONS.items():
        write(tmp_path, name, content)
    (tmp_path / "README.txt").write_text("not a lesson", encoding="utf-8")
    lessons, problems = load_lessons(tmp_path)
    assert [lesson.key for lesson in lessons] == ["01-good"]
    assert lessons[0].params == LearnerParams(eta=2.0)
    np.testing.assert_array_equal(lessons[0].bits, parse_sequence("1^5"))
    reported = {problem.name: problem.message for problem in problems}
    assert set(reported) == set(BAD_LESSONS)
    for name, (_, message) in BAD_LESSONS.items():
        assert re.search(message, reported[name]), (name, reported[name])
        assert "\n" not in reported[name]


def test_a_caption_with_until_describes_that_stretch_and_no_more(tmp_path: Path) -> None:
    captions = [{"tick": 0, "text": "start"}, {"tick": 1, "until": 3, "text": "middle"}]
    write(tmp_path, "07-until.json", with_(captions=captions))
    lesson = load_lesson(tmp_path / "07-until.json")
    assert [(c.tick, c.until, c.last) for c in lesson.captions] == [(0, None, 0), (1, 3, 3)]
    assert [c.text for c in lesson.captions if c.describes(0)] == ["start"]
    assert all([c.text for c in lesson.captions if c.describes(t)] == ["middle"] for t in (1, 2, 3))
    assert not any(c.describes(4) for c in lesson.captions)
    assert lesson.caption_at(4).text == "middle"  # the last at or before the cursor, as before


def test_a_bad_until_is_one_line_naming_the_file_and_the_entry(tmp_path: Path) -> None:
    write(tmp_path, "07-overlap.json", with_(captions=[{"tick": 0, "until": 3, "text": "a"},
                                                       {"tick": 2, "text": "b"}]))
    _, problems = load_lessons(tmp_path)
    assert [str(problem) for problem in problems] == [
        "07-overlap.json: 'captions[0].until' is 3, not before the next caption's tick 2; "
        "captions must not overlap"]


def test_a_missing_lessons_folder_is_one_problem(tmp_path: Path) -> None:
    lessons, problems = load_lessons(tmp_path / "nowhere")
    assert lessons == [] and len(problems) == 1 and "cannot be read" in problems[0].message


def test_a_lesson_loads_from_its_file(tmp_path: Path) -> None:
    write(tmp_path, "07-one.json", GOOD)
    lesson = load_lesson(tmp_path / "07-one.json")
    assert (lesson.key, lesson.number, lesson.title) == ("07-one", 7, "A streak")
    assert lesson.caption_at(3).text == "start" and lesson.caption_at(4).text == "end"
    assert not math.isnan(lesson.session().prediction().yhat)
