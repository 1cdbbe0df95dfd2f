"""File ▸ Export and Copy notation, driven as a user would, with the file dialog answered by the test."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication, QImage

from rnnviz.cli import main
from rnnviz.ui import folders
from rnnviz.ui.export import PNG_SCALE
from windows import make_window

SVG = "{http://www.w3.org/2000/svg}"


def answer(window, path):
    """Make the save dialog answer *path* (None: cancelled); return the questions asked."""
    asked = []

    def ask(title, suggested, name_filter):
        asked.append((title, suggested, name_filter))
        return None if path is None else str(path)

    window.exports.ask_path = ask
    return asked


def test_export_submenu_sits_above_quit(window):
    actions = window.menus["file"].actions()
    quit_at = actions.index(window.actions_by_name["quit"])
    export_at = actions.index(window.menus["export"].menuAction())
    assert export_at < quit_at
    names = [a.objectName() for a in window.menus["export"].actions() if not a.isSeparator()]
    assert names == ["export_plots", "export_diagram", "export_trace", "copy_notation"]


def test_plots_png_has_the_expected_size_and_shows_the_curves(qtbot, window, tmp_path):
    window.adapter.step(12)
    asked = answer(window, tmp_path / "plots")  # the suffix is added
    window.actions_by_name["export_plots"].trigger()
    assert "PNG" in asked[0][0]
    image = QImage(str(tmp_path / "plots.png"))
    assert not image.isNull()
    view, side = window.plots.view, window.plots.side
    expected = (round(view.width() * PNG_SCALE) + round(side.width() * PNG_SCALE),
                round(max(view.height(), side.height()) * PNG_SCALE))
    assert (image.width(), image.height()) == expected
    # The ho curve's markers are orange and purple: both appear in the picture.
    colours = {image.pixelColor(x, y).name()
               for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    assert "#b35806" in colours and "#542788" in colours
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plots.png"]
    assert "plots.png" in window.statusBar().currentMessage()


def test_diagram_svg_is_valid_xml_with_the_node_labels(qtbot, window, tmp_path):
    window.adapter.step(3)
    answer(window, tmp_path / "net.svg")
    window.actions_by_name["export_diagram"].trigger()
    root = ElementTree.parse(tmp_path / "net.svg").getroot()
    assert root.tag == f"{SVG}svg"
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    for label in ("input x", "hidden h", "output ŷ", "target y"):
        assert label in texts
    assert window.diagram.state().nodes["h"].text in texts  # the numbers of the tick shown


def test_trace_csv_equals_the_trace_command_for_the_ticks_done(qtbot, window, tmp_path, capsys):
    window.adapter.step(7)
    asked = answer(window, tmp_path / "trace.csv")
    window.actions_by_name["export_trace"].trigger()
    assert "ticks 1–7" in asked[0][0]
    assert main(["trace", "1^10 0^10", "--format", "csv"]) == 0
    full = capsys.readouterr().out.splitlines(keepends=True)
    assert (tmp_path / "trace.csv").read_text(encoding="utf-8") == "".join(full[:8])


def test_trace_csv_before_any_tick_asks_nothing_and_says_why(qtbot, window):
    asked = answer(window, "/nowhere.csv")
    window.actions_by_name["export_trace"].trigger()
    assert asked == []
    assert "No ticks done yet" in window.statusBar().currentMessage()


def test_cancelled_dialog_writes_nothing(qtbot, window, tmp_path):
    answer(window, None)
    window.actions_by_name["export_plots"].trigger()
    window.actions_by_name["export_diagram"].trigger()
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_path_gives_a_clear_message_and_no_file(qtbot, window, tmp_path):
    window.adapter.step(2)
    target = tmp_path / "missing" / "trace.csv"
    answer(window, target)
    window.actions_by_name["export_trace"].trigger()
    box = window.exports.last_error
    assert box is not None and box.isVisible()
    assert "Could not export the trace of 2 ticks" in box.text()
    assert "does not exist" in box.text() and str(target) in box.text()
    assert not target.parent.exists()
    box.close()


def test_ctrl_shift_c_copies_the_notation_lines(qtbot, window):
    window.adapter.step(15)
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_C,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    session = window.adapter.session
    expected = "\n".join(f"{w}: {session.notation(w)}" for w in ("ih", "hh", "ho"))
    assert QGuiApplication.clipboard().text() == expected
    assert expected.splitlines()[2] == "ho: +⁹ −⁵ , −"
    assert "Copied the notation after tick 15" in window.statusBar().currentMessage()


def test_copy_in_presentation_mode_is_confirmed_on_the_tape(qtbot, window):
    window.presentation.set_active(True)
    window.actions_by_name["copy_notation"].trigger()
    assert "Copied the notation" in window.tape.message


def test_the_dialog_opens_where_the_user_last_saved_and_remembers_the_export(qtbot, tmp_path):
    lectures, slides = tmp_path / "lectures", tmp_path / "slides"
    lectures.mkdir()
    slides.mkdir()
    folders.remember_folder(QSettings(), lectures / "week3.rnnviz.json")  # saved there last time
    window = make_window(qtbot, settings=QSettings())
    window.adapter.step(4)
    asked = answer(window, slides / "net.svg")
    window.actions_by_name["export_diagram"].trigger()
    assert asked[0][1] == str(lectures.resolve() / "rnnviz-diagram.svg")
    assert (slides / "net.svg").is_file()
    asked = answer(window, None)
    window.actions_by_name["export_plots"].trigger()
    assert asked[0][1] == str(slides.resolve() / "rnnviz-plots.png")
    # File ▸ Open starts there too.
    opened = []
    window.session_files.choose_open_path = lambda folder: opened.append(folder)
    window.actions_by_name["open"].trigger()
    assert opened == [str(slides.resolve())]


def test_without_settings_the_folder_is_remembered_while_the_window_lives(qtbot, window, tmp_path):
    window.adapter.step(2)
    answer(window, tmp_path / "trace.csv")
    window.actions_by_name["export_trace"].trigger()
    asked = answer(window, None)
    window.actions_by_name["export_diagram"].trigger()
    assert asked[0][1] == str(tmp_path / "rnnviz-diagram.svg")
