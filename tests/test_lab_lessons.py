"""The network lab's lessons: every shipped one loads, and each caption says only what the engine does.

Every number a caption quotes is recomputed here from the engine (through
:mod:`rnnviz.present.lab`, what the lab's views show) and looked for in the
caption as written, rounded as the caption rounds it. Claims about long
training are checked as the bounds the captions state, not as digits.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from rnnviz.io.lab_lessons import LabLesson, load_lab_lesson, load_lab_lessons
from rnnviz.present.lab import flow_series, unrolled_state
from rnnviz.present.lab_addition import addition_view
from rnnviz.resources import lab_lessons_dir
from rnnviz.runs.lab import LabRun
from rnnviz.tasks.lab_presets import PRESETS, WORKED_WEIGHTS
from rnnviz.ui.workspaces.elman.lab_lessons import (
    NEXT_CAPTION_KEY,
    install_lessons,
    lesson_run,
    lessons_of,
    preset_shapes,
)

LESSONS, PROBLEMS = load_lab_lessons(preset_shapes())
BY_KEY = {lesson.key: lesson for lesson in LESSONS}


def test_the_shipped_lab_lessons_load_and_cover_every_preset() -> None:
    assert PROBLEMS == []
    assert [lesson.number for lesson in LESSONS] == [1, 2, 3, 4, 5, 6]
    assert len(list(lab_lessons_dir().glob("*.json"))) == len(LESSONS)
    assert {lesson.preset for lesson in LESSONS} == set(PRESETS)
    # The vanishing story: vanish at ρ = 1, explode with the knob, clipping saves it.
    assert [(lesson.radius, "clipping" in lesson.settings)
            for lesson in LESSONS if lesson.preset == "vanishing"] == [(None, False), (2.0, False), (2.0, True)]
    # Every lesson but the last vanishing one takes the backward sweep apart somewhere.
    assert all(any(c.stage is not None for c in lesson.captions) for lesson in LESSONS[:-1])


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.key)
def test_every_lesson_starts_at_update_0_with_its_knob_and_settings(lesson: LabLesson) -> None:
    run = lesson_run(lesson)
    assert run.cursor == 0 and lesson.captions[0].place == (0, -1)
    if lesson.radius is not None:
        assert run.spectral_radius() == pytest.approx(lesson.radius, rel=1e-12)
    for name, value in lesson.settings.items():
        assert getattr(run.settings, name) == value


# -- helpers: what the lab shows, and numbers as the captions write them ------------------
def at(key: str, update: int) -> LabRun:
    run = lesson_run(BY_KEY[key])
    run.seek(update)
    assert run.cursor == update
    return run


def shown(run: LabRun, stage: int | None = None):
    """The unrolled example the lab shows at the run's cursor (the next update's example)."""
    inputs, targets, mask = run.source.example(min(run.cursor, run.n_ticks - 1))
    return unrolled_state(run.network, inputs, targets, mask, stage=stage, window=run.settings.window)


def caption(key: str, update: int, stage: int | None = None) -> str:
    found = [c for c in BY_KEY[key].captions if c.update == update and c.stage == stage]
    assert len(found) == 1, f"{key} has no caption at update {update}, stage {stage}"
    assert BY_KEY[key].caption_on_screen(update, stage) is found[0]
    return found[0].text


def txt(value: float, spec: str) -> str:
    """*value* formatted by *spec* as the captions write it: a true minus, 5.1e−4 not 5.1e-04."""
    text = format(float(value), spec)
    text = re.sub(r"e([+-])0*(\d+)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), text)
    return text.replace("-", "\u2212")


def says(text: str, *numbers: tuple[float, str]) -> None:
    for value, spec in numbers:
        assert txt(value, spec) in text, f"{txt(value, spec)!r} is not in {text!r}"


# -- the worked example ---------------------------------------------------------------------
def test_worked_example_claims() -> None:
    key = "01-worked-by-hand"
    s = shown(at(key, 0))
    h, y, eps = s.hidden[:, 0], s.outputs[:, 0], None
    text = caption(key, 0)
    assert all(txt(abs(v), ".1f") in text for v in WORKED_WEIGHTS.values())
    assert h[1] == pytest.approx(1 / (1 + math.exp(-(1.2 * 1 - 0.4 * 0.3))))
    says(text, (h[1], ".3f"), (y[0], ".2f"), (s.losses[0], ".1e"), (s.losses[1], ".2f"),
         (s.losses[2], ".2f"), (s.loss, ".2f"))
    s0 = shown(at(key, 0), 0)
    eps = s0.output_errors[:, 0]
    np.testing.assert_allclose(eps, 2 * (y - s.targets[:, 0]))
    says(caption(key, 0, 0), (eps[0], ".4f"), (eps[1], ".2f"), (eps[2], ".2f"), (y[2], ".3f"))
    slopes, delta = s.slopes[:, 0], s.deltas[:, 0]
    assert delta[2] == pytest.approx(slopes[2] * 0.7 * eps[2])
    says(caption(key, 0, 1), (slopes[2], ".3f"), (eps[2], ".2f"), (delta[2], ".3f"))
    assert delta[1] == pytest.approx(slopes[1] * (0.7 * eps[1] - 0.4 * delta[2]))
    says(caption(key, 0, 2), (slopes[1], ".3f"), (0.7 * eps[1], ".2f"), (-0.4 * delta[2], ".3f"),
         (delta[1], ".3f"), (s.factor_norms[1], ".4f"))
    assert delta[0] == pytest.approx(slopes[0] * (0.7 * eps[0] - 0.4 * delta[1]))
    assert abs(0.7 * eps[0]) < abs(0.4 * delta[1]) and delta[0] < 0 < delta[1]  # "turns the sign"
    says(caption(key, 0, 3), (slopes[0], ".3f"), (eps[0], ".4f"), (delta[1], ".3f"), (delta[0], ".4f"))
    run = at(key, 1)
    net = run.network
    says(caption(key, 1), (net.w_xh[0, 0], ".2f"), (net.w_hh[0, 0], ".3f"), (net.w_hy[0, 0], ".3f"),
         (s.loss, ".2f"), (shown(run).loss, ".2f"))
    run = at(key, 1000)
    end = shown(run)
    ys = end.outputs[:, 0]
    says(caption(key, 1000), (end.loss, ".2f"), (ys[0], ".1e"), (ys[1], ".3f"), (ys[2], ".2f"),
         (run.network.w_hy[0, 0], ".2f"))
    losses = run.losses()
    assert abs(losses[-1] - losses[-100]) < 0.01  # "no longer falls"
    assert run.network.w_hy[0, 0] > 0 and (ys > 0).all() and end.losses[1] > 1


# -- binary addition ----------------------------------------------------------------------
def test_binary_addition_claims() -> None:
    key = "02-binary-addition"
    run = at(key, 0)
    s = shown(run)
    view = addition_view(run.network, run.source, 0)
    assert (view.a, view.b, view.true_sum, view.network_sum) == (33, 67, 100, 0)
    text = caption(key, 0)
    assert "33 + 67 = 100" in text
    says(text, (s.outputs.min(), ".2f"), (s.outputs.max(), ".2f"))
    eps = shown(run, 0).output_errors[:, 0]
    y, target = s.outputs[:, 0], s.targets[:, 0]
    np.testing.assert_allclose(eps, (y - target) * y * (1 - y))
    assert (eps[target == 1] < 0).all() and (eps[target == 0] > 0).all()
    says(caption(key, 0, 0), (eps.min(), ".2f"), (eps.max(), "+.2f"))
    says(caption(key, 0, 8), (s.factor_norms.min(), ".2f"), (s.factor_norms.max(), ".2f"))
    rho0 = run.spectral_radius()
    run.seek(1000)
    assert run.losses()[900:1000].mean() > 0.5
    run.seek(3000)
    assert run.losses()[2900:3000].mean() < 0.05
    view = addition_view(run.network, run.source, 3000)
    assert f"{view.a} + {view.b} = {view.true_sum}" in caption(key, 3000)
    assert view.network_sum == view.true_sum
    says(caption(key, 3000), (rho0, ".2f"))
    assert run.spectral_radius() > 6
    run.seek(5000)
    assert run.losses()[4900:5000].mean() < 0.01
    view = addition_view(run.network, run.source, 5000)
    assert f"{view.a} + {view.b} = {view.true_sum}" in caption(key, 5000)
    assert np.abs(view.probabilities - view.sum_bits).max() < 0.05


# -- hello ----------------------------------------------------------------------------------
def test_hello_claims() -> None:
    key = "03-hello"
    run = at(key, 0)
    s = shown(run)
    assert np.abs(s.outputs - 0.25).max() < 0.01
    says(caption(key, 0), (s.loss, ".2f"), (4 * math.log(4), ".2f"))
    eps = shown(run, 0).output_errors
    right = s.targets == 1
    assert np.abs(eps[right] + 0.75).max() < 0.01 and np.abs(eps[~right] - 0.25).max() < 0.01
    says(caption(key, 0, 4), (s.delta_norms.min(), ".3f"), (s.delta_norms.max(), ".2f"))
    assert all(txt(f, ".2f") == "0.16" for f in s.factor_norms)
    targets = s.targets.argmax(1)
    run.seek(20)
    s = shown(run)
    assert (s.outputs.argmax(1) == 2).all() and np.abs(s.outputs.max(1) - 0.47).max() < 0.02  # l
    says(caption(key, 20), (s.loss, ".2f"))
    right_at = [u for u in range(40) if (shown(at(key, u)).outputs.argmax(1) == targets).all()]
    assert right_at == [39]
    p_right = shown(at(key, 39)).outputs[np.arange(4), targets]
    says(caption(key, 39), (p_right.min(), ".2f"), (p_right.max(), ".2f"))
    s = shown(at(key, 1000))
    says(caption(key, 1000), (s.loss, ".4f"))
    assert (s.outputs[np.arange(4), targets] > 0.99).all()


# -- vanishing, exploding, clipped ---------------------------------------------------------
def test_vanishing_claims() -> None:
    key = "04-vanishing"
    run = at(key, 0)
    s = shown(run)
    flow = flow_series(s)
    assert run.spectral_radius() == pytest.approx(1.0) and s.steps == 64 and s.n_hidden == 16
    says(caption(key, 0), (s.outputs[-1, 0], ".3f"))
    assert s.has_loss.tolist() == [False] * 63 + [True]
    eps = shown(run, 0).output_errors[:, 0]
    says(caption(key, 0, 0), (eps[-1], ".3f"))
    assert (eps[:-1] == 0).all()
    says(caption(key, 0, 1), (s.delta_norms[-1], ".2f"))
    g = flow.grad_norms
    says(caption(key, 0, 32), (g[32], ".1e"), (g[-1], ".3f"))
    assert math.floor(math.log10(g[-1] / g[32])) == 4  # "four orders of magnitude"
    says(caption(key, 0, 64), (g[0], ".1e"))
    assert round(math.log10(g[-1] / g[0])) == 10
    run.seek(15)
    losses = run.losses()
    assert losses[14] < 0.001 <= losses[13]  # "below 0.001 by update 15"


def test_exploding_claims() -> None:
    key = "05-exploding"
    run = at(key, 0)
    assert run.spectral_radius() == pytest.approx(2.0) and run.settings.learning_rate == 0.5
    s = shown(run)
    g = flow_series(s).grad_norms
    says(caption(key, 0), (g[-1], ".2f"), (g[0], ".1f"))
    says(caption(key, 0, 32), (g[32], ".2f"))
    assert g[32] > g[-1]
    run.seek(1)
    says(caption(key, 0, 64), (g[0], ".1f"), (g[0] / g[-1], ".0f"), (run.grad_norms()[0], ".0f"))
    run.seek(5)
    losses = run.losses()
    assert "0.76, 0.078, 0.39, 0.97, 23" in caption(key, 5)
    says(caption(key, 5), (losses[0], ".2f"), (losses[1], ".3f"), (losses[2], ".2f"), (losses[3], ".2f"),
         (losses[4], ".0f"))
    run.seek(10)
    assert run.losses()[:10].max() > 1000
    run.seek(run.n_updates)
    assert run.diverged_at is not None and run.diverged_at < 1000  # "within a few hundred updates"


def test_clipping_claims() -> None:
    key = "06-clipping"
    run = at(key, 2)
    assert run.clipped()[:2].all() and (run.clipped_norms()[:2] == pytest.approx(1.0))
    says(caption(key, 0), (run.grad_norms()[0], ".0f"))
    says(caption(key, 2), (run.grad_norms()[0], ".0f"), (run.grad_norms()[1], ".1f"), (run.losses()[1], ".3f"))
    run.seek(100)
    assert run.clipped()[:100].sum() > 80
    run.seek(2000)
    assert run.diverged_at is None and run.cursor == 2000 and run.losses().max() < 10
    unclipped = at("05-exploding", 10)
    assert unclipped.losses()[:10].max() > 1000


# -- bad files --------------------------------------------------------------------------------
GOOD = {"title": "t", "summary": "s", "preset": "worked", "captions": [{"update": 0, "text": "x"}]}


@pytest.mark.parametrize("change, message", [
    ({"preset": "lstm"}, "'preset' is 'lstm'; choose one of worked, addition, hello, vanishing"),
    ({"colour": 1}, "unknown field 'colour'"),
    ({"setup": {"rho": 2}}, "'setup' has an unknown field 'rho'"),
    ({"setup": {"radius": -1}}, "'setup.radius' must be a number above 0, not -1"),
    ({"setup": {"learning_rate": 0}}, "'setup': the learning rate"),
    ({"setup": {"clipping": {"kind": "norm"}}}, "'setup': it has the fields kind and threshold"),
    ({"captions": [{"update": 0, "stage": 4, "text": "x"}]}, "'captions[0].stage' is 4, outside 0 … 3"),
    ({"captions": [{"update": 1001, "text": "x"}]}, "'captions[0].update' is 1001, outside 0 … 1000"),
    ({"captions": [{"update": 0, "stage": 1, "until": 3, "text": "x"}]}, "not both"),
    ({"captions": [{"update": 0, "stage": 1, "text": "x"}, {"update": 0, "text": "y"}]},
     "'captions[1]' comes before the caption ahead of it"),
    ({"captions": [{"update": 0, "until": 5, "text": "x"}, {"update": 3, "text": "y"}]},
     "'captions[0].until' is 5, not before the next caption's update 3"),
])
def test_a_bad_lesson_is_one_line_naming_the_file_and_the_field(tmp_path: Path, change, message) -> None:
    (tmp_path / "01-good.json").write_text(json.dumps(GOOD), encoding="utf-8")
    (tmp_path / "02-bad.json").write_text(json.dumps({**GOOD, **change}), encoding="utf-8")
    lessons, problems = load_lab_lessons(preset_shapes(), tmp_path)
    assert [lesson.key for lesson in lessons] == ["01-good"]
    assert len(problems) == 1 and str(problems[0]).startswith("02-bad.json: ")
    assert message in str(problems[0]) and "\n" not in str(problems[0])


def test_a_file_that_is_not_json_or_badly_named_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "01-broken.json").write_text("{", encoding="utf-8")
    (tmp_path / "lesson.json").write_text(json.dumps(GOOD), encoding="utf-8")
    lessons, problems = load_lab_lessons(preset_shapes(), tmp_path)
    assert lessons == [] and [p.name for p in problems] == ["01-broken.json", "lesson.json"]
    assert "07-some-name.json" in problems[1].message
    lessons, problems = load_lab_lessons(preset_shapes(), tmp_path / "missing")
    assert lessons == [] and len(problems) == 1 and "cannot be read" in problems[0].message
    with pytest.raises(Exception, match="not a UTF-8"):
        (tmp_path / "03-bytes.json").write_bytes(b"\xff\xfe\x00")
        load_lab_lesson(tmp_path / "03-bytes.json", preset_shapes())


# -- in the window ----------------------------------------------------------------------------
@pytest.fixture
def lab(window):
    """The window showing the lab, its lessons installed as the lab's build does."""
    window.show_kind("elman")  # the lab's build installs its lessons
    install_lessons(window.workspace, window)  # a second call does nothing
    assert len(window.workspace.widget.findChildren(type(lessons_of(window.workspace)))) == 1
    yield window
    for key in list(window._workspaces):
        window.workspace_of(key).shutdown()


def entries(window) -> dict[str, object]:
    return {a.text(): a for a in window.menu("lessons").actions() if a.text()}


def test_the_lessons_menu_lists_the_lab_lessons_only_while_the_lab_is_shown(lab):
    bars = lab.workspace.widget.findChildren(type(lessons_of(lab.workspace).bar))
    assert len(bars) == 1 and not bars[0].isVisible()
    menu = entries(lab)
    titles = [f"Lab {n}  {lesson.title}" for n, lesson in enumerate(LESSONS, 1)]
    assert all(menu[t].isVisible() and menu[t].isEnabled() for t in titles)
    assert menu["Next lab caption"].shortcut().toString() == "Ctrl+Right"
    assert not menu["Close lab lesson"].isEnabled()
    lab.show_kind("neuron")
    assert not any(menu[t].isVisible() for t in titles + ["Next lab caption", "Close lab lesson"])
    assert not menu["Next lab caption"].isEnabled()
    lab.show_kind("elman")
    assert all(menu[t].isVisible() for t in titles)


def test_a_lesson_opens_its_preset_and_the_bar_follows_updates_and_stages(lab):
    lessons = lessons_of(lab.workspace)
    entries(lab)["Lab 1  Three steps by hand"].trigger()
    bar, adapter = lessons.bar, lab.adapter
    assert bar.isVisible() and adapter.preset_key == "worked" and adapter.lab.cursor == 0
    assert bar.heading.text() == f"Lab lesson 1 of {len(LESSONS)}: Three steps by hand"
    assert bar.caption.text() == caption("01-worked-by-hand", 0)
    nxt = lab.action("lab_lesson_next")
    assert nxt.shortcut().toString() == NEXT_CAPTION_KEY
    nxt.trigger()  # to the first stage of the sweep
    assert adapter.stage == 0 and bar.caption.text() == caption("01-worked-by-hand", 0, 0)
    for stage in (1, 2, 3):
        nxt.trigger()
        assert adapter.stage == stage and bar.caption.text() == caption("01-worked-by-hand", 0, stage)
    lab.action("lab_stage").trigger()  # the last stage is the update
    assert adapter.lab.cursor == 1 and bar.caption.text() == caption("01-worked-by-hand", 1)
    lab.action("step").trigger()
    assert bar.caption.text() == "(No caption at update 2: the next is at update 1,000; Ctrl+→ goes there.)"
    nxt.trigger()
    assert adapter.lab.cursor == 1000 and bar.caption.text() == caption("01-worked-by-hand", 1000)
    nxt.trigger()
    assert lab.statusBar().currentMessage() == "That was the lesson's last caption."


def test_the_knob_and_settings_of_a_lesson_apply_and_a_change_says_the_captions_no_longer_fit(lab):
    lessons = lessons_of(lab.workspace)
    assert lessons.open_lesson(6)
    run = lab.adapter.lab
    assert run.spectral_radius() == pytest.approx(2.0) and run.settings.clipping is not None
    assert lessons.bar.caption.text() == caption("06-clipping", 0)
    lab.workspace.controls.eta.setValue(0.25)
    assert "no longer matches" in lessons.bar.heading.text()
    assert lessons.caption_shown() is None
    assert lessons.open_lesson(6) and lessons.caption_shown() is not None
    lab.action("reset").trigger()  # Home at update 0: still the lesson's run
    assert lessons.caption_shown() is not None
    entries(lab)["Close lab lesson"].trigger()
    assert not lessons.bar.isVisible() and not entries(lab)["Close lab lesson"].isEnabled()
    lab.action("lab_lesson_next").trigger()
    assert lab.statusBar().currentMessage().startswith("No lab lesson is open")


def test_a_sequence_typed_into_the_worked_lesson_at_update_0_says_the_captions_no_longer_fit(lab):
    lessons = lessons_of(lab.workspace)
    assert lessons.open_lesson(1) and lab.adapter.preset_key == "worked"
    assert lessons.caption_shown() is not None
    run = lab.adapter.lab
    inputs, targets, mask = run.source.example(0)
    # The same length (applied at the cursor, update 0) but other numbers: not the lesson's example.
    values = [float(v) for v in inputs[:, 0]] + [float(targets[-1, 0]) + 0.5]
    lab.adapter.set_example(values)
    assert lab.adapter.lab.cursor == 0
    assert "no longer matches" in lessons.bar.heading.text() and lessons.caption_shown() is None


def test_installed_by_the_labs_build_the_entries_come_and_go_with_the_lab(window):
    """The lab's build() installs its lessons: the window shows the entries only with the lab."""
    try:
        window.workspace_of("elman")  # built while the one-neuron learner is shown
        menu = entries(window)
        assert not menu["Lab 3  hello: the same letter, two answers"].isVisible()
        assert not window.action("lab_lesson_next").isEnabled()
        window.show_kind("elman")
        assert menu["Lab 3  hello: the same letter, two answers"].isVisible()
        assert window.action("lab_lesson_next").isEnabled()
        menu["Lab 3  hello: the same letter, two answers"].trigger()
        assert window.adapter.preset_key == "hello" and lessons_of(window.workspace).bar.isVisible()
        window.show_kind("neuron")
        assert not menu["Close lab lesson"].isVisible() and not window.action("lab_lesson_next").isEnabled()
        window.show_kind("elman")
        menu["Lab 4  The gradient vanishes"].trigger()
        assert window.kind_key == "elman" and window.adapter.preset_key == "vanishing"
    finally:
        for key in list(window._workspaces):
            window.workspace_of(key).shutdown()


def test_in_presentation_mode_the_caption_grows_with_the_views(lab):
    lessons = lessons_of(lab.workspace)
    lessons.open_lesson(4)
    before = lessons.bar.caption.font().pointSizeF()
    lab.presentation.set_canvas_size((1280, 720))
    lab.presentation.set_active(True)
    assert lessons.bar.caption.font().pointSizeF() > before and lessons.bar.heading.font().bold()
    lab.presentation.set_active(False)
    assert lessons.bar.caption.font().pointSizeF() == before
