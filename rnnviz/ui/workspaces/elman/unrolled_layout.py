"""Where the unrolled view puts things: columns, nodes, texts and the legend for one widget size.

:func:`unrolled_layout` works out, for an :class:`~rnnviz.present.lab.UnrolledState`,
a widget size and a first visible step, every position :mod:`.unrolled`
paints: one column per time step (as many as fit, at least wide enough for
the widest number a slot can hold, so nothing moves while the numbers
change), inside each column the outputs ŷ_t at the top, the hidden units h_t
in the middle and the inputs x_t at the bottom, the rows of texts (step
numbers, losses, ‖δ_t‖ and the factors ‖J_t‖ between columns), a scroll bar
when not every step fits, and the legend flowed in rows along the bottom.
Every text gets its box here, so tests can check that none overlaps another
or leaves the widget. No colours here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFont, QFontMetricsF

from rnnviz.engine.notation import MINUS
from rnnviz.present.format import format_number, plain, power_of_ten
from rnnviz.present.lab import UnrolledState

#: Text size at 900×420 and font scale 1; it grows with the widget up to MAX_GROWTH times.
UNROLLED_FONT_PX: Final[int] = 11
MAX_GROWTH: Final[float] = 1.6
#: The text never gets smaller than this, nor the nodes (radius in pixels) before it shrinks.
MIN_FONT_PX: Final[float] = 7.0
MIN_RADIUS: Final[float] = 3.0
#: Unit values are written beside the nodes of layers with at most this many units.
MAX_LABELLED_UNITS: Final[int] = 8
#: Unit values may shrink to this share of the small text to fit between their nodes.
VALUE_SHRINK: Final[float] = 0.5
#: The widest number a slot holds (format_number writes at most eight characters).
WIDEST_NUMBER: Final[str] = f"{MINUS}8.8e{MINUS}88"
#: The layers from top to bottom, with the names the gutter writes for them.
LAYERS: Final[tuple[tuple[str, str], ...]] = (("y", "ŷ"), ("h", "h"), ("x", "x"))

@dataclass(slots=True)
class TextItem:
    """One text and its box; *role* picks the font and colour when painted."""

    rect: QRectF
    text: str
    role: str  # "head", "front", "gutter", "layer", "loss", "value", "delta", "factor", "legend"
    boxed: bool = False  # on a white box, over the edges


@dataclass(slots=True)
class LegendMark:
    """A legend's drawn sample: a colour bar, a weight stroke, a shaded patch or a cut line."""

    kind: str  # "activation", "delta", "positive", "negative", "shade", "cut"
    rect: QRectF


@dataclass(slots=True)
class UnrolledLayout:
    """Every position the unrolled view paints at one size (see the module docstring)."""

    width: int
    height: int
    font: QFont
    small: QFont
    first: int  # 0-based index of the leftmost column's step
    count: int  # how many columns are shown
    pitch: float  # column width
    left: float  # left edge of the first column
    top: float  # top of the columns' area (header row)
    bottom: float  # bottom of the columns' area (below the factor row)
    radius: float
    nodes: dict[tuple[str, int, int], QPointF] = field(default_factory=dict)
    texts: list[TextItem] = field(default_factory=list)
    marks: list[LegendMark] = field(default_factory=list)
    scroll_track: QRectF | None = None
    scroll_thumb: QRectF | None = None
    band_top: float = 0.0  # top of the output band, where the columns' nodes start
    band_bottom: float = 0.0  # bottom of the input band
    shift: float = 0.0  # hidden nodes sit this far right of a column's centre, ŷ and x this far left
    unit_y: dict[tuple[str, int], float] = field(default_factory=dict)
    #: The unit values' font: :attr:`small`, or smaller when the nodes are closer than its lines.
    value_font: QFont | None = None

    @property
    def steps_shown(self) -> range:
        """The 0-based steps of the visible columns."""
        return range(self.first, self.first + self.count)

    def column_rect(self, step: int) -> QRectF:
        """The column of 0-based *step* (visible or not), from the header to the factor row."""
        x = self.left + (step - self.first) * self.pitch
        return QRectF(x, self.top, self.pitch, self.bottom - self.top)

    def centre(self, step: int) -> float:
        """The x of 0-based *step*'s column centre (visible or not)."""
        return self.left + (step - self.first + 0.5) * self.pitch

    def node_point(self, name: str, step: int, unit: int) -> QPointF:
        """Where node *unit* of layer *name* ("y", "h", "x") of 0-based *step* is (visible or not)."""
        offset = self.shift if name == "h" else -self.shift
        return QPointF(self.centre(step) + offset, self.unit_y[(name, unit)])


def font_px(width: int, height: int, scale: float) -> float:
    """The text size wanted for a widget of *width* × *height* at font scale *scale*."""
    growth = min(max(min(width / 900.0, height / 420.0), 1.0), MAX_GROWTH)
    return UNROLLED_FONT_PX * growth * scale


def fitted_font_px(state: UnrolledState, width: int, height: int, scale: float) -> float:
    """:func:`font_px`, made smaller (down to :data:`MIN_FONT_PX`) until the picture has room.

    Room: nodes of at least :data:`MIN_RADIUS` and the row names in the left
    margin apart. What a state's numbers do not change (its shape, stage kind,
    window and colour ranges) decides it, so it is worked out once per such
    picture and size.
    """
    key = (width, height, scale, state.steps, state.n_in, state.n_hidden, state.n_out,
           state.backward, state.window, tuple(_range_groups(state)))
    px = _FITTED.get(key)
    if px is None:
        px = font_px(width, height, scale)
        while px > MIN_FONT_PX and not _roomy(_layout_at(state, width, height, 0, px)):
            px = max(0.9 * px, MIN_FONT_PX)
        if len(_FITTED) >= 256:
            _FITTED.clear()
        _FITTED[key] = px
    return px


_FITTED: dict[tuple, float] = {}


def _roomy(layout: UnrolledLayout) -> bool:
    if layout.radius < MIN_RADIUS:
        return False
    names = [t.rect for t in layout.texts if t.role in ("gutter", "layer")]
    return not any(boxes_overlap(a, b) for i, a in enumerate(names) for b in names[i + 1:])


def visible_count(state: UnrolledState, width: int, height: int, scale: float) -> int:
    """How many columns fit in *width*."""
    px = fitted_font_px(state, width, height, scale)
    return _columns(state, width, *_fonts(px))[0]


def _fonts(px: float) -> tuple[QFont, QFont]:
    font = QFont()
    font.setPixelSize(max(round(px), 6))
    small = QFont()
    small.setPixelSize(max(round(0.88 * px), 6))
    return font, small


def _gutter(font: QFont, small: QFont) -> float:
    fm, fs = QFontMetricsF(font), QFontMetricsF(small)
    widest = max([fm.horizontalAdvance(name) for _, name in LAYERS]
                 + [fs.horizontalAdvance(t) for t in ("t", "ℓ", "‖δ‖", "×‖J‖")])
    return widest + 1.2 * fm.height()


def _columns(state: UnrolledState, width: int, font: QFont,
             small: QFont) -> tuple[int, float, float]:
    """(count, pitch, left edge) of the columns for *width*."""
    fs = QFontMetricsF(small)
    line = fs.height()
    gutter = _gutter(font, small)
    available = max(width - gutter - 0.8 * line, 1.0)
    least = max(fs.horizontalAdvance(WIDEST_NUMBER), fs.horizontalAdvance("×" + WIDEST_NUMBER)) + line
    count = max(1, min(state.steps, int(available // least)))
    pitch = available / count
    if count == state.steps:
        pitch = min(pitch, 20.0 * line)
    left = gutter + (available - count * pitch) / 2.0
    return count, pitch, left


def unrolled_layout(state: UnrolledState, width: int, height: int, first: int,
                    scale: float = 1.0) -> UnrolledLayout:
    """The layout of *state* in a *width* × *height* widget from 0-based step *first* on."""
    return _layout_at(state, width, height, first, fitted_font_px(state, width, height, scale))


def _layout_at(state: UnrolledState, width: int, height: int, first: int,
               px: float) -> UnrolledLayout:
    font, small = _fonts(px)
    fm, fs = QFontMetricsF(font), QFontMetricsF(small)
    line, small_line = fm.height(), fs.height()
    count, pitch, left = _columns(state, width, font, small)
    first = max(0, min(first, state.steps - count))
    margin = 0.5 * line
    legend_texts, legend_marks, legend_height = _legend(state, width, small, margin)
    scrolls = count < state.steps
    layout = UnrolledLayout(width, height, font, small, first, count, pitch, left,
                            top=margin, bottom=0.0, radius=0.0)
    bottom = height - margin - legend_height - (0.9 if scrolls else 0.4) * small_line
    layout.bottom = bottom
    # rows: header, loss | bands | δ, factor
    header = QRectF(0, margin, width, line)
    loss_row = QRectF(0, header.bottom(), width, small_line)
    factor_row = QRectF(0, bottom - small_line, width, small_line)
    delta_row = QRectF(0, factor_row.top() - small_line, width, small_line)
    _place_nodes(layout, state, loss_row.bottom() + 0.3 * small_line,
                 delta_row.top() - 0.3 * small_line, small)
    _gutter_texts(layout, header, loss_row, delta_row, factor_row)
    for step in layout.steps_shown:
        column = layout.column_rect(step)
        _column_texts(layout, state, step, column, header, loss_row, delta_row, factor_row)
    if scrolls:
        track_y = bottom + 0.35 * small_line
        track = QRectF(left, track_y, count * pitch, 0.3 * small_line)
        thumb_w = max(track.width() * count / state.steps, small_line)
        thumb_x = track.left() + (track.width() - thumb_w) * first / max(state.steps - count, 1)
        layout.scroll_track = track
        layout.scroll_thumb = QRectF(thumb_x, track_y, thumb_w, track.height())
    legend_top = height - margin - legend_height
    for item in legend_texts:
        item.rect.translate(0, legend_top)
        layout.texts.append(item)
    for mark in legend_marks:
        mark.rect.translate(0, legend_top)
        layout.marks.append(mark)
    return layout


def _place_nodes(layout: UnrolledLayout, state: UnrolledState, top: float, bottom: float,
                 small: QFont) -> None:
    """Node centres of the visible columns: ŷ at the top, h in the middle, x at the bottom."""
    sizes = {"y": state.n_out, "h": state.n_hidden, "x": state.n_in}
    units = sum(sizes.values())
    line = QFontMetricsF(small).height()
    available = max(bottom - top, 1.0)
    pitch = min(available / (units + 3.2), 3.0 * line)
    gap = min((available - units * pitch) / 2.0, 5.0 * pitch + 2.0 * line)
    block = units * pitch + 2.0 * gap
    y = top + (available - block) / 2.0
    radius = max(min(0.42 * pitch, 0.2 * layout.pitch, 1.3 * line), 2.0)
    layout.radius = radius
    layout.band_top = y
    layout.shift = min(0.2 * layout.pitch, 2.5 * radius + 0.5 * line)
    for name, _ in LAYERS:
        for unit in range(sizes[name]):
            layout.unit_y[(name, unit)] = y + (unit + 0.5) * pitch
            for step in layout.steps_shown:
                layout.nodes[(name, step, unit)] = layout.node_point(name, step, unit)
        y += sizes[name] * pitch + gap
    layout.band_bottom = y - gap
    _unit_value_slots(layout, state, pitch, small)


def _unit_value_slots(layout: UnrolledLayout, state: UnrolledState, node_pitch: float,
                      small: QFont) -> None:
    """Boxes for the unit values beside the nodes, for each layer whose values all fit.

    A value is written right of its node and must end before the same layer's
    node in the next column (and inside the widget); the slot is as wide as the
    layer's widest value in view, so a layer's values are all shown or none.
    """
    small = _value_font(small, node_pitch)
    if small is None:
        return
    layout.value_font = small
    fs = QFontMetricsF(small)
    sizes = {"y": state.n_out, "h": state.n_hidden, "x": state.n_in}
    r = layout.radius
    last = layout.first + layout.count - 1
    for name, _ in LAYERS:
        if sizes[name] > MAX_LABELLED_UNITS:
            continue
        texts = {(step, unit): unit_value_text(state, name, step, unit)
                 for step in layout.steps_shown for unit in range(sizes[name])}
        text_w = max(fs.horizontalAdvance(t) for t in texts.values()) + 4.0
        room = min(layout.pitch - 2.0 * r - 5.0,
                   layout.width - 2.0 - (layout.node_point(name, last, 0).x() + r + 2.0))
        if text_w > room:
            continue
        for (step, unit), text in texts.items():
            centre = layout.nodes[(name, step, unit)]
            rect = QRectF(centre.x() + r + 2.0, centre.y() - fs.height() / 2, text_w, fs.height())
            layout.texts.append(TextItem(rect, text, "value", boxed=True))


def _value_font(small: QFont, node_pitch: float) -> QFont | None:
    """*small*, or a smaller copy whose lines fit *node_pitch*; None when that is too small.

    Enlarged text (presentation mode, a large window) keeps the values
    beside the nodes: they shrink to the room between the nodes rather than
    vanish, down to :data:`VALUE_SHRINK` of the text around them and never
    below the size they have at font scale 1 (no values where the nodes are
    too dense for them, as without presentation mode).
    """
    height = QFontMetricsF(small).height()
    if node_pitch >= height:
        return small
    px = int(small.pixelSize() * node_pitch / height)
    if px < max(round(0.88 * UNROLLED_FONT_PX), VALUE_SHRINK * small.pixelSize()):
        return None
    font = QFont(small)
    font.setPixelSize(px)
    return font


def unit_value_text(state: UnrolledState, name: str, step: int, unit: int) -> str:
    """What is written beside a node: its value, or δ (hidden, swept) or ε (output, backward)."""
    if name == "x":
        return _range_end(float(state.inputs[step, unit]))
    if name == "h":
        if state.swept[step]:
            return "δ " + format_number(float(state.deltas[step, unit]))
        return format_number(float(state.hidden[step + 1, unit]))
    if state.backward and state.has_loss[step]:
        return "ε " + format_number(float(state.output_errors[step, unit]))
    return format_number(float(state.outputs[step, unit]))


def _gutter_texts(layout: UnrolledLayout, header: QRectF, loss_row: QRectF, delta_row: QRectF,
                  factor_row: QRectF) -> None:
    gutter_right = layout.left - 0.4 * QFontMetricsF(layout.font).height()
    x0 = 0.4 * QFontMetricsF(layout.font).height()

    def add(row: QRectF, text: str) -> None:
        layout.texts.append(TextItem(QRectF(x0, row.top(), gutter_right - x0, row.height()),
                                     text, "gutter"))

    add(header, "t")
    add(loss_row, "ℓ")
    line = QFontMetricsF(layout.font).height()
    for name, label in LAYERS:
        ys = [p.y() for (n, _, _), p in layout.nodes.items() if n == name]
        if ys:
            middle = (min(ys) + max(ys)) / 2.0
            top = min(max(middle - line / 2, loss_row.bottom()), delta_row.top() - line)
            layout.texts.append(TextItem(QRectF(x0, top, gutter_right - x0, line), label, "layer"))
    add(delta_row, "‖δ‖")
    add(factor_row, "×‖J‖")


def _column_texts(layout: UnrolledLayout, state: UnrolledState, step: int, column: QRectF,
                  header: QRectF, loss_row: QRectF, delta_row: QRectF, factor_row: QRectF) -> None:
    inner = column.adjusted(2.0, 0.0, -2.0, 0.0)
    front = state.front is not None and step == state.front - 1
    layout.texts.append(TextItem(QRectF(inner.left(), header.top(), inner.width(), header.height()),
                                 str(step + 1), "front" if front else "head"))
    if state.has_loss[step]:
        layout.texts.append(TextItem(QRectF(inner.left(), loss_row.top(), inner.width(),
                                            loss_row.height()),
                                     format_number(float(state.losses[step])), "loss"))
    if state.swept[step]:
        layout.texts.append(TextItem(QRectF(inner.left(), delta_row.top(), inner.width(),
                                            delta_row.height()),
                                     format_number(float(state.delta_norms[step])), "delta"))
        # J_t carries δ_{t+1} back to step t: written on the border between the two columns.
        if step + 1 < state.steps and step + 1 < layout.first + layout.count:
            x = column.right() - column.width() / 2.0 + 2.0
            layout.texts.append(TextItem(QRectF(x, factor_row.top(), column.width() - 4.0,
                                                factor_row.height()),
                                         "×" + format_number(float(state.factor_norms[step])),
                                         "factor"))


def _legend(state: UnrolledState, width: int, small: QFont,
            margin: float) -> tuple[list[TextItem], list[LegendMark], float]:
    """The legend's texts and marks flowed in rows from y = 0, and its height."""
    fs = QFontMetricsF(small)
    line = fs.height()
    entries: list[list[tuple[str, str, float]]] = []  # each entry: parts (kind, text, width)

    def text(t: str) -> tuple[str, str, float]:
        return ("text", t, fs.horizontalAdvance(t) + 2.0)

    if state.backward:
        low, high = state.delta_scale
        entries.append([text("|δ|, |ε|"), text(power_of_ten(low)), ("delta", "", 6.0 * line),
                        text(power_of_ten(high))])
    for names, (low, high) in _range_groups(state):
        entries.append([text(names), text(_range_end(low)), ("activation", "", 5.0 * line),
                        text(_range_end(high))])
    entries.append([("positive", "", 1.8 * line), text("w > 0"), ("negative", "", 1.8 * line),
                    text("w < 0"), text("width ∝ |w|")])
    if state.window is not None and state.cuts:
        entries.append([("shade", "", 1.4 * line), text(f"outside the window (k = {state.window})"),
                        ("cut", "", 0.8 * line), text("δ cut")])
    texts: list[TextItem] = []
    marks: list[LegendMark] = []
    gap, spacing = 1.5 * line, 0.4 * line
    x, y, rows = margin, 0.0, 1
    for parts in entries:
        entry_w = sum(w for _, _, w in parts) + spacing * (len(parts) - 1)
        if x > margin and x + entry_w > width - margin:
            x, y, rows = margin, y + 1.25 * line, rows + 1
        for kind, label, w in parts:
            rect = QRectF(x, y, w, line)
            if kind == "text":
                texts.append(TextItem(rect, label, "legend"))
            else:
                marks.append(LegendMark(kind, rect))
            x += w + spacing
        x += gap - spacing
    return texts, marks, rows * 1.25 * line


def _range_end(value: float) -> str:
    """``"0"``, ``"−1"``, ``"2"`` for whole numbers, else three digits (inputs, a range's ends)."""
    return plain(value) if value == round(value) else format_number(value)


def _range_groups(state: UnrolledState) -> list[tuple[str, tuple[float, float]]]:
    """Layers sharing an activation colour range, named together: ``[("h", (0, 1)), ("ŷ, x", (−1, 1))]``."""
    groups: dict[tuple[float, float], list[str]] = {}
    for name, span in (("h", state.hidden_range), ("ŷ", state.output_range),
                       ("x", state.input_range)):
        groups.setdefault((float(span[0]), float(span[1])), []).append(name)
    return [(", ".join(names), span) for span, names in groups.items()]


def boxes_overlap(a: QRectF, b: QRectF) -> bool:
    """Whether two boxes share more than a hairline."""
    common = a.intersected(b)
    return common.width() > 0.5 and common.height() > 0.5


def ink_width(text: str, font: QFont) -> float:
    """The width *text* takes in *font*."""
    return QFontMetricsF(font).horizontalAdvance(text)


def fits(item: TextItem, font: QFont) -> bool:
    """Whether *item*'s text fits its box in *font* (with a pixel to spare)."""
    return ink_width(item.text, font) <= item.rect.width() + 1.0 and math.isfinite(item.rect.width())
