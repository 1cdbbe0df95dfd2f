"""What the network diagram shows, worked out without Qt: values, texts, changes and stages."""

from __future__ import annotations

import dataclasses

import pytest

from rnnviz.engine.learner import LearnerParams
from rnnviz.present.diagram import EDGES, MAX_EDGE_WIDTH, NODES, diagram_state
from rnnviz.present.format import format_number
from rnnviz.present.stages import Stage
from rnnviz.session import Session

MINUS = "\u2212"


def stored_change(session: Session, name: str, t: int) -> float:
    """The change tick *t* made to the stored weight *name* (as the notation counts it)."""
    index = EDGES.index(name)
    before = session.history[name][t - 1] if t else session.params.init[index]
    return float(session.history[name][t] - before)


def fixed(value: float, *, signed: bool = False) -> str:
    return (f"{value:+.3f}" if signed else f"{value:.3f}").replace("-", MINUS)


def test_after_five_ticks_it_shows_tick_five_from_the_history():
    session = Session("1^10 0^10")
    session.step(5)
    tick = session.current_tick()
    assert tick.t == 4
    state = diagram_state(session)
    assert state.caption == "tick 5 of 19: input x = 1, target y = 1"
    assert state.nodes["x"].value == tick.x == 1 and state.nodes["x"].text == "1"
    assert state.nodes["target"].value == tick.target == 1
    assert state.nodes["h"].value == tick.h and state.nodes["h"].text == fixed(tick.h)
    assert state.nodes["yhat"].value == tick.yhat and state.nodes["yhat"].text == fixed(tick.yhat)
    assert (state.low, state.high) == (0.0, 1.0)  # the sigmoid's range colours the nodes
    for name in EDGES:
        weight = getattr(tick, name)
        edge = state.edges[name]
        assert edge.value == weight
        assert edge.label == f"{name} = {format_number(weight)}"
        delta = stored_change(session, name, tick.t)
        assert delta == pytest.approx(getattr(tick, f"d_{name}"), rel=1e-12)
        assert edge.delta == delta
        assert edge.delta_text == f"Δ {format_number(delta, signed=True)}"
    assert state.error == tick.err
    assert state.error_text == f"e = y {MINUS} ŷ = {fixed(tick.err, signed=True)}"
    assert state.next_bit == "" and state.highlight == frozenset()
    assert state.changed


def test_before_the_first_tick_it_previews_tick_one_with_the_initial_weights():
    session = Session("1^10 0^10", LearnerParams(init=(0.5, -0.25, 2.0)))
    state = diagram_state(session)
    prediction = session.prediction()
    assert "before tick 1" in state.caption and "nothing learned yet" in state.caption
    assert state.nodes["x"].value == 1 and state.nodes["target"].value == 1
    assert state.nodes["h"].value == prediction.h
    assert state.nodes["yhat"].value == prediction.yhat
    assert state.error_text == f"e = y {MINUS} ŷ = {fixed(1 - prediction.yhat, signed=True)}"
    assert [state.edges[name].value for name in EDGES] == [0.5, -0.25, 2.0]
    assert state.edges["hh"].label == f"hh = {MINUS}0.250"
    assert all(state.edges[name].delta is None for name in EDGES)
    assert all(state.edges[name].delta_text == "" for name in EDGES)
    assert not state.changed  # nothing to glow for


def test_at_the_end_of_zeros_ho_is_negative_and_the_next_bit_is_guessed():
    session = Session("0^10")
    session.run_to_end()
    tick = session.current_tick()
    state = diagram_state(session)
    assert tick.ho == pytest.approx(-1.988095, abs=1e-6)
    assert state.edges["ho"].value == tick.ho < 0
    assert state.edges["ho"].label == f"ho = {MINUS}1.99"
    # x = 0 on every tick: ih cannot learn from zeros.
    assert state.edges["ih"].value == 0 and state.edges["ih"].delta_text == "Δ 0"
    guess = session.prediction().yhat
    assert guess == pytest.approx(0.243730, abs=1e-6)
    assert state.next_bit == "next bit (unknown): ŷ = 0.244 → 0"
    assert state.caption == "tick 9 of 9: input x = 0, target y = 0"


def test_a_change_too_small_to_move_the_weight_shows_as_zero():
    # η = 1000 saturates the output after one tick: the computed change of ho
    # is about 3.6e-25, while ho (about 1000) keeps its value; the notation
    # says 0, and so must the diagram.
    session = Session("1^10 0^10", LearnerParams(eta=1000.0))
    session.step(1)
    first = diagram_state(session).edges["ho"]
    assert first.delta == first.value > 0  # from 0 to about 1000
    assert first.delta_text == f"Δ {format_number(first.value, signed=True)}"
    session.step(1)
    tick = session.current_tick()
    assert tick.d_ho > 0 and tick.ho == session.history["ho"][0]
    assert session.notation("ho") == "+ 0"
    state = diagram_state(session)
    assert state.edges["ho"].delta == 0 and state.edges["ho"].delta_text == "Δ 0"
    assert state.edges["ih"].delta != 0 and state.changed  # the others still changed


def test_tick_numbers_have_thousands_separators():
    session = Session("(10)^500 1")
    assert diagram_state(session).caption.startswith("before tick 1 of 1,000 ")
    session.run_to_end()
    assert diagram_state(session).caption == "tick 1,000 of 1,000: input x = 0, target y = 1"


def test_a_step_back_shows_the_stored_tick():
    session = Session("1^10 0^10")
    session.step(4)
    session.back()
    stored = session.history.tick(2)
    state = diagram_state(session)
    assert state.caption.startswith("tick 3 of 19")
    assert state.nodes["h"].value == stored.h and state.edges["ho"].value == stored.ho
    change = stored_change(session, "ho", 2)
    assert state.edges["ho"].delta_text == f"Δ {format_number(change, signed=True)}"


def test_an_edit_of_the_shown_target_is_shown():
    session = Session("1^10 0^10")
    session.step(3)
    session.toggle(3)  # bit 3 is the target of tick 2, the one shown
    state = diagram_state(session)
    assert state.nodes["target"].value == 0
    assert state.caption == "tick 3 of 19: input x = 1, target y = 0"
    assert state.nodes["yhat"].value == session.current_tick().yhat


def test_tanh_nodes_are_coloured_on_minus_one_to_one():
    session = Session("(10)^10", LearnerParams(activation="tanh"))
    session.step(3)
    state = diagram_state(session)
    assert (state.low, state.high) == (-1.0, 1.0)
    assert state.nodes["target"].value == 0  # the middle of −1…1, not its purple end


def test_a_one_bit_stream_has_no_target_and_no_error():
    session = Session("1")
    state = diagram_state(session)
    assert state.nodes["target"].value is None and state.nodes["target"].text == "none"
    assert "y: none" in state.caption
    assert state.error is None and state.error_text == ""
    assert state.next_bit == ""
    assert state.nodes["yhat"].value == session.prediction().yhat


def test_huge_and_tiny_weights_get_clamped_widths_and_short_labels():
    session = Session("1^5", LearnerParams(init=(1e6, -1e6, 1e-7)))
    state = diagram_state(session)
    assert state.edges["ih"].label == "ih = 1.0e6"
    assert state.edges["hh"].label == f"hh = {MINUS}1.0e6"
    assert state.edges["ho"].label == f"ho = 1.0e{MINUS}7"
    assert state.edges["ih"].width_units == state.edges["hh"].width_units == MAX_EDGE_WIDTH
    assert state.edges["ho"].width_units == pytest.approx(1.5)
    session.step(2)
    assert all(len(diagram_state(session).edges[name].label) <= len("ih = ") + 8 for name in EDGES)


def test_width_grows_with_the_weight():
    state = diagram_state(Session("1^5", LearnerParams(init=(0.5, 1.0, 2.0))))
    assert [state.edges[name].width_units for name in EDGES] == [3.0, 4.5, 7.5]


# -- slow motion ------------------------------------------------------------------------------


def test_each_stage_reveals_its_value_and_the_weights_wait_for_the_update():
    session = Session("1^10 0^10")
    session.step(11)
    t = session.cursor
    before = diagram_state(session)
    done = Session("1^10 0^10")
    done.step(12)
    after = done.history.tick(t)
    states = {stage: diagram_state(session, stage, t) for stage in list(Stage)[:-1]}
    for stage, state in states.items():
        assert state.caption.startswith(f"tick 12 of 19: input x = {after.x}, target y = "
                                        f"{after.target}\nstage {stage + 1} of 7: ")
        assert state.nodes["h"].value == after.h and state.nodes["x"].value == after.x
        assert state.next_bit == ""
    forward_h = states[Stage.FORWARD_H]
    assert forward_h.nodes["yhat"].value is None and forward_h.nodes["yhat"].text == "?"
    assert forward_h.error is None and forward_h.error_text == ""
    assert states[Stage.FORWARD_Y].nodes["yhat"].value == after.yhat
    assert states[Stage.FORWARD_Y].error is None
    assert states[Stage.ERROR].error == after.err
    # The sequential rule moves ho at its own stage; ih and hh wait for the update.
    for stage, state in states.items():
        for name in EDGES:
            known = stage >= Stage[f"GRAD_{name.upper()}"]
            edge = state.edges[name]
            moves_now = known and name == "ho"
            assert edge.value == (getattr(after, name) if moves_now else before.edges[name].value)
            if known:
                assert edge.delta == stored_change(done, name, t)
            else:
                assert edge.delta is None and edge.delta_text == ""
    assert states[Stage.GRAD_HO].caption.endswith("change of ho, and ho moves at once")
    assert states[Stage.GRAD_IH].caption.endswith("change of ih (with the new ho)")


def test_the_simultaneous_rule_keeps_every_weight_until_the_update():
    session = Session("1^10 0^10", LearnerParams(rule="simultaneous"))
    session.step(11)
    state = diagram_state(session, Stage.GRAD_HH, session.cursor)
    start = diagram_state(session)
    assert [state.edges[name].value for name in EDGES] == [start.edges[n].value for n in EDGES]
    assert all(state.edges[name].delta is not None for name in EDGES)
    assert state.caption.endswith("stage 6 of 7: change of hh")


def test_the_update_stage_shows_the_finished_tick_with_its_weights_highlighted():
    session = Session("1^10 0^10")
    session.step(12)
    plain = diagram_state(session)
    update = diagram_state(session, Stage.UPDATE, 11)
    assert update.caption == plain.caption + "\nstage 7 of 7: update, weights change"
    assert update.highlight == frozenset(EDGES)
    assert dataclasses.replace(update, caption=plain.caption, highlight=frozenset()) == plain


@pytest.mark.parametrize(("stage", "ringed"), [
    (Stage.FORWARD_H, {"x", "h", "ih", "hh"}),
    (Stage.FORWARD_Y, {"h", "yhat", "ho"}),
    (Stage.ERROR, {"yhat", "target", "error"}),
    (Stage.GRAD_HO, {"ho"}),
    (Stage.GRAD_IH, {"ih"}),
    (Stage.GRAD_HH, {"hh"}),
])
def test_each_stage_highlights_what_it_works_on(stage, ringed):
    session = Session("1^10 0^10")
    state = diagram_state(session, stage, session.cursor)
    assert state.highlight == ringed
    assert ringed <= set(NODES) | set(EDGES) | {"error"}


def test_a_stage_without_its_tick_is_refused():
    with pytest.raises(ValueError, match="FORWARD_H"):
        diagram_state(Session("1^10 0^10"), Stage.FORWARD_H)


def test_the_state_is_read_only():
    state = diagram_state(Session("1^10 0^10"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.caption = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        state.edges["ho"] = state.edges["ih"]  # type: ignore[index]
