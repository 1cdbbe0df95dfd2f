"""Where the network diagram puts things: positions, sizes and fonts for one widget size.

:func:`fit_layout` tries text sizes from the preferred one down until
everything fits (:func:`compute_layout` says whether it does): the caption at
the top, the legend flowed in rows along the bottom, and between them the
row of nodes with the self-loop on ``h``, the weights' label blocks, the
names under the nodes and the error's bracket under ``ŷ`` and ``y``. Text
slots are sized for the widest text they can hold, not the current one, so
the picture stands still while the numbers change under it. No values and
no colours here: the texts come from a :class:`~rnnviz.present.diagram.DiagramState`
and :mod:`rnnviz.ui.diagram` paints into the boxes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFont, QFontMetricsF, QPainterPath, QPolygonF

from rnnviz.engine.notation import MINUS
from rnnviz.present.diagram import (
    EDGES, LEGEND_ENTRIES, MAX_EDGE_WIDTH, NODE_NAMES, DiagramState, scale_ticks,
)

#: The smallest size at which everything fits without overlapping.
MIN_WIDTH: Final[int] = 380
MIN_HEIGHT: Final[int] = 280
#: Text size at the minimum size and font scale 1; it grows with the widget up
#: to MAX_GROWTH times (projected in lectures, recorded at 1080p).
DIAGRAM_FONT_PX: Final[int] = 11
MAX_GROWTH: Final[float] = 1.8
#: Below this the layout stops shrinking text and accepts clipping instead.
MIN_FONT_PX: Final[int] = 7

# Widest texts each slot must hold, so the layout does not jump while the
# numbers change under it (compact numbers are at most 8 characters wide).
_WIDEST_NUMBER: Final[str] = f"{MINUS}0.00888"
_WIDEST_VALUE: Final[str] = f"{MINUS}0.888"
_WIDEST_ERROR: Final[str] = f"e = y {MINUS} ŷ = {MINUS}0.888"

# The self-loop is a cubic Bézier leaving h at 120° and entering at 60°;
# its control points sit this far out (in radii), which makes it rise
# LOOP_RISE radii above the centre and stay within LOOP_HALF_WIDTH radii of it.
_LOOP_OUT: Final[float] = 0.95
_LOOP_UP: Final[float] = 1.7
_LOOP_RISE: Final[float] = math.sin(math.radians(60)) + 0.75 * _LOOP_UP
_LOOP_HALF_WIDTH: Final[float] = 0.7

#: The two straight edges and the nodes they join (hh is the loop on h).
STRAIGHT_EDGES: Final[dict[str, tuple[str, str]]] = {"ih": ("x", "h"), "ho": ("h", "yhat")}


@dataclass(slots=True)
class LegendItem:
    kind: str  # "bar", "positive", "negative", "width", "glow"
    text: str
    lead: str
    #: Stays on the row of the item before it: "w > 0" and "w < 0" read as one entry.
    joined: bool = False
    rect: QRectF = field(default_factory=QRectF)


@dataclass(slots=True)
class DiagramLayout:
    """Positions and fonts for one widget size; no values, only where things go."""

    fits: bool
    font: QFont
    bold: QFont
    small: QFont
    small_bold: QFont
    title: QFont
    stroke: float
    radius: float
    centres: dict[str, QPointF]
    caption_lines: list[tuple[str, QRectF]]
    next_rect: QRectF | None
    names: dict[str, QRectF]
    labels: dict[str, QRectF]
    loop: tuple[QPointF, QPointF, QPointF, QPointF]
    bracket: tuple[QPointF, QPointF, QPointF, QPointF]
    error_rect: QRectF
    legend_rule: float
    legend: list[LegendItem]
    bar_ticks: list[tuple[str, QRectF]]
    #: Every text box and node circle, for the overlap check (and the tests).
    boxes: dict[str, QRectF]


@dataclass(slots=True)
class _Fonts:
    """The fonts of one text size and what is measured with them."""

    font: QFont
    bold: QFont
    small: QFont
    small_bold: QFont
    title: QFont

    @classmethod
    def at(cls, base: QFont, px: int) -> _Fonts:
        font = QFont(base)
        font.setPixelSize(px)
        bold = QFont(font)
        bold.setBold(True)
        small = QFont(font)
        small.setPixelSize(max(MIN_FONT_PX, round(px * 0.9)))
        small_bold = QFont(small)
        small_bold.setBold(True)
        title = QFont(bold)
        title.setPixelSize(round(px * 1.1))
        return cls(font, bold, small, small_bold, title)


@dataclass(slots=True)
class _Page:
    """The frame being filled: its size and margins, the boxes placed so far, whether all fit."""

    width: int
    height: int
    line: float
    margin: float
    boxes: dict[str, QRectF] = field(default_factory=dict)
    fits: bool = True

    @property
    def left(self) -> float:
        return self.margin

    @property
    def right(self) -> float:
        return self.width - self.margin

    @property
    def inner(self) -> float:
        return self.right - self.left

    @property
    def pad(self) -> float:
        return 0.5 * self.line


def fit_layout(base: QFont, width: int, height: int, font_scale: float,
               state: DiagramState) -> DiagramLayout:
    """The layout with the largest text (up to the preferred size) that fits *width* × *height*."""
    width, height = max(width, 1), max(height, 1)
    growth = min(max(min(width / MIN_WIDTH, height / MIN_HEIGHT), 1.0), MAX_GROWTH)
    preferred = max(round(DIAGRAM_FONT_PX * growth * font_scale), MIN_FONT_PX)
    layout = None
    for px in range(preferred, MIN_FONT_PX - 1, -1):
        layout = compute_layout(base, width, height, px, state)
        if layout.fits:
            break
    assert layout is not None
    return layout


def compute_layout(base: QFont, width: int, height: int, px: int,
                   state: DiagramState) -> DiagramLayout:
    """Place everything for a *width* × *height* widget with *px*-pixel text (*base*'s family)."""
    fonts = _Fonts.at(base, px)
    line = QFontMetricsF(fonts.font).height()
    page = _Page(width, height, line, max(6.0, 0.7 * line))
    caption_lines, next_rect, network_top = _place_caption(page, fonts, state)
    network_top += page.pad
    items, bar_ticks, legend_top = _place_legend(page, fonts, state)
    legend_rule = legend_top - 0.5 * page.pad
    network = _place_network(page, fonts, px / DIAGRAM_FONT_PX, network_top,
                             legend_rule - 0.5 * page.pad)
    return DiagramLayout(
        fits=page.fits, font=fonts.font, bold=fonts.bold, small=fonts.small,
        small_bold=fonts.small_bold, title=fonts.title, stroke=network.stroke,
        radius=network.radius, centres=network.centres, caption_lines=caption_lines,
        next_rect=next_rect, names=network.names, labels=network.labels, loop=network.loop,
        bracket=network.bracket, error_rect=network.error_rect, legend_rule=legend_rule,
        legend=items, bar_ticks=bar_ticks, boxes=page.boxes,
    )


def _place_caption(page: _Page, fonts: _Fonts,
                   state: DiagramState) -> tuple[list[tuple[str, QRectF]], QRectF | None, float]:
    """The caption's lines, the next-bit line under them, and where the next free row starts.

    A caption line too wide for the widget is split after its colon.
    """
    fm_title, fm_bold = QFontMetricsF(fonts.title), QFontMetricsF(fonts.bold)
    left, inner = page.left, page.inner
    parts = []
    for caption in state.caption.split("\n"):
        if fm_title.horizontalAdvance(caption) > inner and ": " in caption:
            head, tail = caption.split(": ", 1)
            parts += [f"{head}:", tail]
        else:
            parts.append(caption)
    caption_lines = []
    y = page.margin
    for index, text in enumerate(parts):
        text_width = fm_title.horizontalAdvance(text)
        page.fits &= text_width <= inner
        rect = QRectF(left, y, min(text_width, inner), fm_title.height())
        caption_lines.append((text, rect))
        page.boxes[f"caption{index}"] = rect
        y += fm_title.height()
    next_rect = None
    if state.next_bit:
        text_width = fm_bold.horizontalAdvance(state.next_bit)
        page.fits &= text_width <= inner
        next_rect = QRectF(left, y, min(text_width, inner), fm_bold.height())
        page.boxes["next"] = next_rect
        y += fm_bold.height()
    return caption_lines, next_rect, y


def _legend_rows(page: _Page, items: list[LegendItem], widths: list[float],
                 spacing: float) -> list[list[int]]:
    """The legend's items (by index) in rows, filled with whole entries.

    An item and those joined to it never part across a line break.
    """
    entries: list[list[int]] = []
    for index, item in enumerate(items):
        if item.joined and entries:
            entries[-1].append(index)
        else:
            entries.append([index])
    rows: list[list[int]] = [[]]
    row_width = 0.0
    for entry in entries:
        entry_width = sum(widths[i] for i in entry) + spacing * (len(entry) - 1)
        page.fits &= entry_width <= page.inner
        needed = entry_width if not rows[-1] else row_width + spacing + entry_width
        if rows[-1] and needed > page.inner:
            rows.append(list(entry))
            row_width = entry_width
        else:
            rows[-1].extend(entry)
            row_width = needed
    return rows


def _place_legend(page: _Page, fonts: _Fonts,
                  state: DiagramState) -> tuple[list[LegendItem], list[tuple[str, QRectF]], float]:
    """The legend's items flowed left to right in rows along the bottom, its bar's tick
    labels, and the top of the legend."""
    fm_small, fm_small_bold = QFontMetricsF(fonts.small), QFontMetricsF(fonts.small_bold)
    small_line = fm_small.height()
    tick_texts = scale_ticks(state.low, state.high)
    overhang = max(fm_small.horizontalAdvance(t) for t in tick_texts) / 2
    bar_width = max(7.0 * small_line, 6 * overhang)
    bar_height = 0.8 * small_line
    sample = 2.0 * small_line
    items = [LegendItem(kind, text, lead, joined) for kind, text, lead, joined in LEGEND_ENTRIES]
    sizes = []
    leads = [
        fm_small_bold.horizontalAdvance(item.lead) + 0.5 * small_line if item.lead else 0.0
        for item in items
    ]
    for item, lead in zip(items, leads):
        if item.kind == "bar":
            sizes.append((lead + overhang + bar_width + overhang, bar_height + small_line))
        else:
            sizes.append((lead + sample + 0.35 * small_line
                          + fm_small.horizontalAdvance(item.text), small_line))
    spacing = 1.1 * small_line
    rows = _legend_rows(page, items, [size[0] for size in sizes], spacing)
    row_heights = [max(sizes[i][1] for i in row) for row in rows]
    row_gap = 0.3 * small_line
    legend_height = sum(row_heights) + row_gap * (len(rows) - 1)
    legend_top = page.height - page.margin - legend_height
    y = legend_top
    bar_ticks: list[tuple[str, QRectF]] = []
    for row, row_height in zip(rows, row_heights):
        x = page.left
        for index in row:
            item_width, item_height = sizes[index]
            item = items[index]
            item.rect = QRectF(x, y, item_width, item_height)
            page.boxes[f"legend.{item.kind}"] = item.rect
            if item.kind == "bar":
                bar_left = x + leads[index] + overhang
                for text, at in zip(tick_texts, (0.0, 0.5, 1.0)):
                    text_width = fm_small.horizontalAdvance(text)
                    centre = bar_left + at * bar_width
                    bar_ticks.append((text, QRectF(centre - text_width / 2, y + bar_height,
                                                   text_width, small_line)))
            x += item_width + spacing
        y += row_height + row_gap
    return items, bar_ticks, legend_top


@dataclass(slots=True)
class _Network:
    """The placed network: nodes, their names, the loop, the weights' labels and the error."""

    stroke: float
    radius: float
    centres: dict[str, QPointF]
    names: dict[str, QRectF] = field(default_factory=dict)
    labels: dict[str, QRectF] = field(default_factory=dict)
    loop: tuple[QPointF, QPointF, QPointF, QPointF] = ()  # type: ignore[assignment]
    bracket: tuple[QPointF, QPointF, QPointF, QPointF] = ()  # type: ignore[assignment]
    error_rect: QRectF = field(default_factory=QRectF)


def _place_network(page: _Page, fonts: _Fonts, stroke: float, network_top: float,
                   network_bottom: float) -> _Network:
    """The network between caption and legend, as large as the room allows."""
    fm, fm_bold = QFontMetricsF(fonts.font), QFontMetricsF(fonts.bold)
    line, inner = page.line, page.inner
    available = network_bottom - network_top
    max_stroke = MAX_EDGE_WIDTH * stroke
    glow = 5.0 * stroke  # the halo reaches this far beyond the stroke
    block_height = 2 * line  # a weight's label and its change
    loop_top_extra = max_stroke / 2 + glow + 0.15 * line
    above_fixed = loop_top_extra + block_height
    below_fixed = 0.15 * line + line + 0.6 * line + line  # names, bracket, error
    radius_min = max(fm_bold.horizontalAdvance(_WIDEST_VALUE) / 2 + 0.3 * line, line)
    radius_v = (available - above_fixed - below_fixed) / (_LOOP_RISE + 1.0)
    arrow_max = 4.0 * stroke + 1.4 * max_stroke
    gap_edge_min = arrow_max + 1.5 * line
    name_widths = {n: fm.horizontalAdvance(t) for n, t in NODE_NAMES.items()}
    over_left = max(0.0, name_widths["x"] / 2 - radius_min)
    over_right = max(0.0, name_widths["target"] / 2 - radius_min)
    gap_target_min = max(0.6 * line,
                         (name_widths["yhat"] + name_widths["target"]) / 2 - 2 * radius_min
                         + 0.6 * line)
    radius_h = (inner - 2 * gap_edge_min - gap_target_min - over_left - over_right) / 8
    radius = min(radius_v, radius_h, 3.0 * line, inner / 13)
    if radius < radius_min:
        page.fits = False
        radius = radius_min
    over_left = max(0.0, name_widths["x"] / 2 - radius)
    over_right = max(0.0, name_widths["target"] / 2 - radius)
    # Spare width widens the two weight edges first (long arrows read
    # well), the ŷ–y gap a little, and the rest centres the network.
    spare = max(0.0, inner - (8 * radius + 2 * gap_edge_min + gap_target_min
                              + over_left + over_right))
    gap_edge = gap_edge_min + min(spare * 0.4, max(0.0, 3.5 * radius - gap_edge_min))
    spare -= 2 * (gap_edge - gap_edge_min)
    gap_target = gap_target_min + min(spare * 0.5, max(0.0, 1.2 * radius - gap_target_min))
    spare -= gap_target - gap_target_min
    above = _LOOP_RISE * radius + above_fixed
    below = radius + below_fixed
    cy = network_top + max(0.0, (available - above - below) / 2) + above
    x_x = page.left + over_left + spare / 2 + radius
    x_h = x_x + 2 * radius + gap_edge
    x_y = x_h + 2 * radius + gap_edge
    x_t = x_y + 2 * radius + gap_target
    network = _Network(stroke, radius, {"x": QPointF(x_x, cy), "h": QPointF(x_h, cy),
                                        "yhat": QPointF(x_y, cy), "target": QPointF(x_t, cy)})
    _place_names(page, network, name_widths)
    loop_top = _place_labels(page, fm, network, max_stroke / 2, glow, block_height)
    _place_error(page, fm_bold, network)
    page.fits &= x_t + radius + over_right <= page.right + 0.5
    page.fits &= (network.error_rect.width() <= inner
                  and network.error_rect.bottom() <= network_bottom + 0.5)
    page.fits &= loop_top - 0.15 * line - block_height >= network_top - 0.5
    page.fits &= available >= above + below - 0.5
    page.fits &= not _overlaps(page.boxes, network.centres, radius)
    return network


def _place_names(page: _Page, network: _Network, name_widths: dict[str, float]) -> None:
    """The node squares (for the overlap check) and the names under the nodes."""
    radius, line = network.radius, page.line
    for name, centre in network.centres.items():
        page.boxes[f"node.{name}"] = QRectF(centre.x() - radius, centre.y() - radius,
                                            2 * radius, 2 * radius)
    for name, centre in network.centres.items():
        rect = QRectF(centre.x() - name_widths[name] / 2, centre.y() + radius + 0.15 * line,
                      name_widths[name], line)
        network.names[name] = rect
        page.boxes[f"name.{name}"] = rect


def _place_labels(page: _Page, fm: QFontMetricsF, network: _Network, half_stroke: float,
                  glow: float, block_height: float) -> float:
    """The self-loop on h and the label blocks of the three weights; returns the loop's top.

    *half_stroke* is half the thickest stroke, *glow* how far its halo reaches beyond it.
    """
    centres, radius, line = network.centres, network.radius, page.line
    x_h, cy = centres["h"].x(), centres["h"].y()
    band = half_stroke + glow + 0.1 * line  # kept clear above an edge
    angle = math.radians(60)
    start = QPointF(x_h - radius * math.cos(angle), cy - radius * math.sin(angle))
    end = QPointF(x_h + radius * math.cos(angle), cy - radius * math.sin(angle))
    network.loop = (start, start + QPointF(-_LOOP_OUT * radius, -_LOOP_UP * radius),
                    end + QPointF(_LOOP_OUT * radius, -_LOOP_UP * radius), end)
    loop_half = _LOOP_HALF_WIDTH * radius + half_stroke + glow
    loop_top = cy - _LOOP_RISE * radius - half_stroke - glow
    page.boxes["loop"] = QRectF(x_h - loop_half, loop_top, 2 * loop_half, cy - radius - loop_top)
    labels = network.labels
    block_width = {
        name: max(fm.horizontalAdvance(f"{name} = {_WIDEST_NUMBER}"),
                  fm.horizontalAdvance(f"Δ +{_WIDEST_NUMBER[1:]}"))
        for name in EDGES
    }
    for name, (a, b) in STRAIGHT_EDGES.items():
        centre_x = (centres[a].x() + centres[b].x()) / 2
        rect = QRectF(centre_x - block_width[name] / 2, cy - band - block_height,
                      block_width[name], block_height)
        # Where the block is wider than the gap it would cover a node:
        # lift it above the row of nodes, where only the loop stands.
        if any(_rect_hits_circle(rect, centres[n], radius + 0.2 * line) for n in (a, b)):
            rect.moveBottom(cy - radius - 0.2 * line)
        # Keep clear of the loop and inside the widget.
        if name == "ih":
            rect.moveRight(min(rect.right(), x_h - loop_half - 0.3 * line))
            rect.moveLeft(max(rect.left(), page.left))
        else:
            rect.moveLeft(max(rect.left(), x_h + loop_half + 0.3 * line))
            rect.moveRight(min(rect.right(), page.right))
        labels[name] = rect
    labels["hh"] = QRectF(x_h - block_width["hh"] / 2, loop_top - 0.15 * line - block_height,
                          block_width["hh"], block_height)
    for name, rect in labels.items():
        page.boxes[f"label.{name}"] = rect
    return loop_top


def _place_error(page: _Page, fm_bold: QFontMetricsF, network: _Network) -> None:
    """The error: a bracket under ŷ and y, labelled below."""
    line = page.line
    x_y, x_t = network.centres["yhat"].x(), network.centres["target"].x()
    bracket_top = network.names["yhat"].bottom() + 0.1 * line
    bracket_bottom = bracket_top + 0.4 * line
    network.bracket = (QPointF(x_y, bracket_top), QPointF(x_y, bracket_bottom),
                       QPointF(x_t, bracket_bottom), QPointF(x_t, bracket_top))
    error_width = fm_bold.horizontalAdvance(_WIDEST_ERROR)
    error_rect = QRectF((x_y + x_t) / 2 - error_width / 2, bracket_bottom + 0.1 * line,
                        error_width, line)
    error_rect.moveRight(min(error_rect.right(), page.right))
    error_rect.moveLeft(max(error_rect.left(), page.left))
    network.error_rect = error_rect
    page.boxes["error"] = error_rect


# -- the edges' shapes -----------------------------------------------------------------------
def edge_width(layout: DiagramLayout, width_units: float) -> float:
    """The drawn stroke width in pixels of an edge *width_units* wide (grows with ``|w|``, clamped).

    Besides :data:`~rnnviz.present.diagram.MAX_EDGE_WIDTH`, a width never
    exceeds a third of the node radius, so the self-loop stays a loop on small widgets.
    """
    cap = max(layout.radius / 3, 4.0 * layout.stroke)
    return min(width_units * layout.stroke, cap)


def arrow_length(layout: DiagramLayout, width: float) -> float:
    """How long the arrowhead of an edge *width* pixels wide is."""
    return 4.0 * layout.stroke + 1.4 * width


def edge_paths(layout: DiagramLayout,
               widths: dict[str, float]) -> dict[str, tuple[QPainterPath, QPointF, QPointF]]:
    """Per edge: the shaft (ending where the arrowhead begins), the tip and the direction."""
    c, r = layout.centres, layout.radius
    paths = {}
    for name, (a, b) in STRAIGHT_EDGES.items():
        tail = QPointF(c[a].x() + r, c[a].y())
        tip = QPointF(c[b].x() - r, c[b].y())
        length = arrow_length(layout, widths[name])
        path = QPainterPath(tail)
        path.lineTo(tip - QPointF(length, 0))
        paths[name] = (path, tip, QPointF(1, 0))
    p0, p1, p2, p3 = layout.loop
    # Cut the curve where the arrowhead starts, so a thick stroke does
    # not poke out around the narrow tip.
    t = _bezier_t_at_distance(layout.loop, arrow_length(layout, widths["hh"]))
    q0, q1, q2, q3 = _bezier_head(layout.loop, t)
    path = QPainterPath(q0)
    path.cubicTo(q1, q2, q3)
    direction = p3 - q3
    norm = math.hypot(direction.x(), direction.y()) or 1.0
    paths["hh"] = (path, p3, QPointF(direction.x() / norm, direction.y() / norm))
    return paths


def arrowhead(tip: QPointF, direction: QPointF, length: float, half: float) -> QPolygonF:
    """The triangle of an arrow ending at *tip*, *length* long and *half* as wide each side."""
    base = tip - direction * length
    normal = QPointF(-direction.y(), direction.x())
    return QPolygonF([tip, base + normal * half, base - normal * half])


def widened(rect: QRectF) -> QRectF:
    """*rect* with a pixel to spare each side, so antialiased glyph edges are not clipped."""
    return rect.adjusted(-1.0, 0.0, 1.0, 0.0)


# -- geometry ----------------------------------------------------------------------------
def _rect_hits_circle(rect: QRectF, centre: QPointF, radius: float) -> bool:
    nearest_x = min(max(centre.x(), rect.left()), rect.right())
    nearest_y = min(max(centre.y(), rect.top()), rect.bottom())
    return math.hypot(centre.x() - nearest_x, centre.y() - nearest_y) < radius


def _overlaps(boxes: dict[str, QRectF], centres: dict[str, QPointF], radius: float) -> bool:
    """Whether any two text boxes overlap, or a text box covers a node or the loop."""
    texts = [(name, rect) for name, rect in boxes.items()
             if not name.startswith(("node.", "loop", "legend."))]
    for i, (_, a) in enumerate(texts):
        for _, b in texts[i + 1 :]:
            if a.intersects(b):
                return True
        if any(_rect_hits_circle(a, centre, radius) for centre in centres.values()):
            return True
        if a.intersects(boxes["loop"]):
            return True
    legend = [rect for name, rect in boxes.items() if name.startswith("legend.")]
    network = [rect for name, rect in boxes.items() if not name.startswith("legend.")]
    return any(a.intersects(b) for a in legend for b in network)


def _bezier_point(points: tuple[QPointF, ...], t: float) -> QPointF:
    p0, p1, p2, p3 = points
    u = 1.0 - t
    return p0 * (u * u * u) + p1 * (3 * u * u * t) + p2 * (3 * u * t * t) + p3 * (t * t * t)


def _bezier_t_at_distance(points: tuple[QPointF, ...], distance: float) -> float:
    """The parameter where the curve is *distance* away from its end point (bisection)."""
    end = points[3]
    low, high = 0.0, 1.0
    for _ in range(30):
        middle = (low + high) / 2
        point = _bezier_point(points, middle)
        if math.hypot(point.x() - end.x(), point.y() - end.y()) > distance:
            low = middle
        else:
            high = middle
    return low


def _bezier_head(points: tuple[QPointF, ...], t: float) -> tuple[QPointF, ...]:
    """The control points of the part of the curve from 0 to *t* (de Casteljau)."""
    p0, p1, p2, p3 = points

    def lerp(a: QPointF, b: QPointF) -> QPointF:
        return a + (b - a) * t

    a, b, c = lerp(p0, p1), lerp(p1, p2), lerp(p2, p3)
    d, e = lerp(a, b), lerp(b, c)
    return p0, a, d, lerp(d, e)
