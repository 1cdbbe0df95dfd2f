"""docs/architecture.md is the design the code cites: every citation finds its section,
its links lead somewhere, and the figures it quotes are the code's own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rnnviz.engine import learner, sequences
from rnnviz.io import sessionfile, video
from rnnviz.session import MAX_PARAM_SPANS, SPEEDS, Session
from rnnviz.ui import mainwindow, recording, runadapter, throttle, work

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
#: Folders whose Python files may cite the document.
SOURCES = ("rnnviz", "tests", "bench", "packaging")
#: A citation: the document's path, a comma, then one or more quoted section titles
#: ("docs/architecture.md, 'The update rules'" or "…, 'A', 'B' and 'C'").
CITATION = re.compile(
    r"docs/architecture\.md,\s*((?:(['\"])[^'\"]+\2(?:,\s*|\s+and\s+)?)+)"
)
TITLE = re.compile(r"(['\"])([^'\"]+)\1")


def headings() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    return {line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")}


def slug(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as dashes."""
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def source_files() -> list[Path]:
    """Every Python file that may cite the document, this one (which only describes
    citations) excepted."""
    this = Path(__file__).resolve()
    return sorted(path for folder in SOURCES for path in (ROOT / folder).rglob("*.py")
                  if path.resolve() != this)


def flowing_text(path: Path) -> str:
    """The file's lines joined by spaces, comment marks dropped, so a citation broken
    over two lines of a docstring or a comment reads as one."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return " ".join(line[1:].strip() if line.startswith("#") else line for line in lines)


def citations() -> list[tuple[str, str]]:
    found = []
    for path in source_files():
        for match in CITATION.finditer(flowing_text(path)):
            for _, title in TITLE.findall(match.group(1)):
                found.append((str(path.relative_to(ROOT)), " ".join(title.split())))
    return found


def test_the_code_cites_sections_of_the_document() -> None:
    cited = {title for _, title in citations()}
    # The conventions the engine and the tests lean on are cited by name.
    assert {"The one-neuron tick", "The update rules", "The sign rules", "The +/− notation",
            "The sequence syntax", "The command-line contract"} <= cited


@pytest.mark.parametrize("where,title", citations())
def test_every_citation_names_a_section_that_exists(where: str, title: str) -> None:
    assert title in headings(), f"{where} cites '{title}', which docs/architecture.md lacks"


def test_no_source_cites_a_design_document_the_repository_does_not_have() -> None:
    # The old citations read "<the design file's name in capitals> §N"; the name is
    # put together here so that a search of the sources for it finds none at all.
    old = "DES" + "IGN §"
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in source_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if old in line
    ]
    assert offenders == []


def test_links_of_the_document_lead_to_files_and_sections() -> None:
    text = DOC.read_text(encoding="utf-8")
    anchors = {slug(title) for title in headings()}
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert links
    for link in links:
        if link.startswith("#"):
            assert link[1:] in anchors, link
        else:
            assert (DOC.parent / link).is_file(), link


def quoted(value: float) -> str:
    """A number as the document writes it: thousands separated, no trailing ``.0``."""
    return f"{value:,}" if float(value) != int(value) else f"{int(value):,}"


@pytest.mark.parametrize("phrase", [
    # The run layer and the engine
    f"SPEEDS = {SPEEDS}",
    f"at most {quoted(MAX_PARAM_SPANS)} spans",
    f"chunks of {quoted(learner.CHUNK)} ticks",
    f"{quoted(sequences.MAX_BITS)} bits (`MAX_BITS`)",
    f"{quoted(sequences.MAX_ITEMS)} groups, repeats and calls (`MAX_ITEMS`)",
    f"η ≤ {learner.MAX_ETA:g}".replace("e+", "e"),
    # The adapter and long work
    f"starts at {runadapter.DEFAULT_SPEED} ticks/s",
    f"fires every {runadapter.FRAME_PERIOD_MS} ms",
    f"spends {quoted(runadapter.MAX_SPEED_BUDGET_S * 1000)} ms of each frame",
    f"{quoted(runadapter.FRAME_PERIOD_MS)} ms period",
    f"to\n{quoted(runadapter.MAX_SPEED_FRAME_S * 1000)} ms (`MAX_SPEED_FRAME_S`)",
    f"{quoted(runadapter.BUSY_TICKS)} ticks\nor more (`BUSY_TICKS`)",
    f"about {runadapter.SLICE_S} s of work (`SLICE_S`)",
    f"slices of {runadapter.SHOW_SLICE_S} s",
    f"at most {runadapter.UNDO_LIMIT} steps",
    f"every {work.EVENTS_PERIOD_S} s of work (`EVENTS_PERIOD_S`",
    f"has run {work.PROGRESS_DELAY_S} s (`PROGRESS_DELAY_S`)",
    # Every panel at the same tick
    f"sooner than {quoted(throttle.READABLE_INTERVAL_MS)} ms (`READABLE_INTERVAL_MS`)",
    f"every {throttle.TEXT_REFRESH_PERIOD_MS} ms\n(`TEXT_REFRESH_PERIOD_MS`)",
    # Recording and files
    f"{quoted(video.DEFAULT_VIDEO_FPS)} frames\n  per second, {quoted(video.DEFAULT_VIDEO_PACE)} ticks per second,"
    f" {video.DEFAULT_VIDEO_SIZE[0]}×{video.DEFAULT_VIDEO_SIZE[1]} (`DEFAULT_VIDEO_FPS`",
    f"play speed of {runadapter.DEFAULT_SPEED} ticks/s (`DEFAULT_SPEED` in `ui/runadapter.py`)",
    f"start at {mainwindow.DEFAULT_WINDOW_SIZE[0]}×{mainwindow.DEFAULT_WINDOW_SIZE[1]}"
    " (`DEFAULT_WINDOW_SIZE` in `ui/mainwindow.py`)",
    f"{recording.LIVE_FPS} frames per\n  second on the GUI thread",
    f"at most {recording.LIVE_QUEUE} frames queued, `LIVE_QUEUE`",
    f"at most {recording.LIVE_PICTURES} distinct pictures, `LIVE_PICTURES`",
    f"longer than {sessionfile.MAX_DIGITS} digits",
])
def test_the_figures_quoted_are_the_codes_own(phrase: str) -> None:
    # Compared with line breaks as spaces: the document is wrapped at will.
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    assert " ".join(phrase.split()) in text


def test_the_notation_quoted_is_what_the_engine_writes() -> None:
    session = Session("1^10 0^10")
    session.run_to_end()
    text = DOC.read_text(encoding="utf-8")
    for weight in ("ih", "hh", "ho"):
        assert f"`{weight}: {session.notation(weight)}`" in text
    assert f"ASCII `{session.notation('ho', ascii=True)}` for ho" in text
