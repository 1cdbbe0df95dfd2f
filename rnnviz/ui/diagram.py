"""The network diagram: the one-neuron network drawn with the numbers of one tick.

Four circles in a row — input ``x``, hidden ``h`` (with its self-loop),
output ``ŷ`` and, beside it, the target ``y`` — joined by the three weights
``ih``, ``hh`` and ``ho``. Every colour follows the one rule of
:mod:`rnnviz.ui.theme`: a node is filled by its value on the PuOr map
(purple low, orange high), an edge is orange for a positive weight and purple
for a negative one, and its width grows with ``|w|``. When the cursor moves
forward onto a tick, every weight that changed glows briefly in the colour of
the sign of its change, so the eye catches *what* the tick taught.

What is shown
-------------
Which tick is shown, its numbers and texts, and what a slow-motion stage
highlights are worked out without Qt by :func:`rnnviz.present.diagram.diagram_state`
(read its module for the rules). The widget calls it only in
:meth:`NetworkDiagram._refresh` (on :attr:`SessionAdapter.changed`, which
also says when the stage changed), turns the values into colours, lays the
texts out and paints; painting never asks the session or the engine anything.
The glow of a change is the widget's own: it follows moves of the cursor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final

from PySide6.QtCore import QEasingCurve, QPointF, QRectF, QSize, Qt, QVariantAnimation
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QColor,
    QFont,
    QFontMetricsF,
    QHideEvent,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QWidget

from rnnviz.engine.explain import sign
from rnnviz.present.diagram import (
    EDGES,
    MAX_EDGE_WIDTH,
    NODES,
    DiagramState,
    EdgeState,
    NodeState,
    diagram_state,
)
from rnnviz.ui import theme
from rnnviz.ui.adapter import Change, SessionAdapter

__all__ = [
    "EDGES", "MAX_EDGE_WIDTH", "NODES", "NODE_NAMES", "STAGE_HIGHLIGHT",
    "NetworkDiagram",
]

#: What is written under each node: its role and its symbol.
NODE_NAMES: Final[dict[str, str]] = {
    "x": "input x", "h": "hidden h", "yhat": "output ŷ", "target": "target y",
}
#: The ring and halo of what a slow-motion stage works on.
STAGE_HIGHLIGHT: Final[str] = theme.STAGE_HIGHLIGHT
#: How long the glow of a changed weight takes to fade.
FLASH_MS: Final[int] = 350
#: The smallest size at which everything fits without overlapping.
MIN_WIDTH: Final[int] = 380
MIN_HEIGHT: Final[int] = 280
#: Text size at the minimum size and font scale 1; it grows with the widget up
#: to MAX_GROWTH times (projected in lectures, recorded at 1080p).
DIAGRAM_FONT_PX: Final[int] = 11
MAX_GROWTH: Final[float] = 1.8
#: Below this the layout stops shrinking text and accepts clipping instead.
MIN_FONT_PX: Final[int] = 7

# A fixed white page and near-black ink: the PuOr map and the sign colours
# are tuned for a light background, and a projector washes out dark themes.
_BACKGROUND: Final[str] = "#ffffff"
_INK: Final[str] = theme.INK
_MUTED: Final[str] = theme.MUTED
_OUTLINE: Final[str] = "#3c3c3c"
_RULE: Final[str] = "#dddddd"

# Widest texts each slot must hold, so the layout does not jump while the
# numbers change under it (compact numbers are at most 8 characters wide).
_WIDEST_NUMBER: Final[str] = f"{theme.MINUS}0.00888"
_WIDEST_VALUE: Final[str] = f"{theme.MINUS}0.888"
_WIDEST_ERROR: Final[str] = f"e = y {theme.MINUS} ŷ = {theme.MINUS}0.888"

# The self-loop is a cubic Bézier leaving h at 120° and entering at 60°;
# its control points sit this far out (in radii), which makes it rise
# LOOP_RISE radii above the centre and stay within LOOP_HALF_WIDTH radii of it.
_LOOP_OUT: Final[float] = 0.95
_LOOP_UP: Final[float] = 1.7
_LOOP_RISE: Final[float] = math.sin(math.radians(60)) + 0.75 * _LOOP_UP
_LOOP_HALF_WIDTH: Final[float] = 0.7


#: The two straight edges and the nodes they join (hh is the loop on h).
_STRAIGHT_EDGES: Final[dict[str, tuple[str, str]]] = {"ih": ("x", "h"), "ho": ("h", "yhat")}


@dataclass(slots=True)
class _LegendItem:
    kind: str  # "bar", "positive", "negative", "width", "glow"
    text: str
    lead: str
    #: Stays on the row of the item before it: "w > 0" and "w < 0" read as one entry.
    joined: bool = False
    rect: QRectF = field(default_factory=QRectF)


@dataclass(slots=True)
class _Layout:
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
    legend: list[_LegendItem]
    bar_ticks: list[tuple[str, QRectF]]
    #: Every text box and node circle, for the overlap check (and the tests).
    boxes: dict[str, QRectF]


class NetworkDiagram(QWidget):
    """The one-neuron network with the values, weights and changes of one tick.

    Parameters
    ----------
    adapter
        The session adapter; the diagram follows its :attr:`~SessionAdapter.changed`
        signal and only reads ``adapter.session``.
    parent
        The Qt parent widget.

    Notes
    -----
    :meth:`state` and the accessors (:meth:`node_value`, :meth:`edge_label`,
    …) return the state the widget paints, so tests and screen readers see
    exactly what is drawn.
    """

    def __init__(self, adapter: SessionAdapter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._adapter = adapter
        self._font_scale = 1.0
        self._shown_cursor = adapter.session.cursor
        self._flash_level = 0.0
        # One animation object, restarted per tick, so fast play never piles
        # up timers; it runs on Qt's animation driver, not a repeating QTimer.
        self._flash = QVariantAnimation(self)
        self._flash.setStartValue(1.0)
        self._flash.setEndValue(0.0)
        self._flash.setDuration(FLASH_MS)
        self._flash.setEasingCurve(QEasingCurve.Type.InQuad)
        self._flash.valueChanged.connect(self._on_flash_value)
        self._flash.finished.connect(self._clear_flash)
        self.setMinimumSize(MIN_WIDTH, MIN_HEIGHT)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._state = self._read_state()
        self._colors = self._read_colors()
        self._layout = self._fit_layout()
        adapter.changed.connect(self._on_changed)

    # -- public API -------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(560, 380)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(MIN_WIDTH, MIN_HEIGHT)

    def set_font_scale(self, scale: float) -> None:
        """Enlarge (or shrink) text and strokes, e.g. for presentation mode.

        Parameters
        ----------
        scale
            Factor on the automatic size; 1.0 is the default. The layout
            still shrinks text where the widget is too small to hold it.
        """
        scale = theme.check_font_scale(scale)
        if scale == self._font_scale:
            return
        self._font_scale = scale
        self._layout = self._fit_layout()
        self.update()

    def font_scale(self) -> float:
        """The factor set by :meth:`set_font_scale`."""
        return self._font_scale

    def state(self) -> DiagramState:
        """What the diagram shows now, as :func:`~rnnviz.present.diagram.diagram_state` gave it."""
        return self._state

    def node_value(self, name: str) -> float | None:
        """The value shown in node *name* (``"x"``, ``"h"``, ``"yhat"``, ``"target"``).

        ``None`` for the target of a one-bit stream, which has none.
        """
        return self._node(name).value

    def node_color(self, name: str) -> QColor:
        """The fill colour of node *name*."""
        self._node(name)  # names an unknown node in the error
        return QColor(self._colors[name][0])

    def node_text(self, name: str) -> str:
        """The text written inside node *name* (``"none"`` for a missing target)."""
        return self._node(name).text

    def edge_value(self, name: str) -> float:
        """The weight *name* (``"ih"``, ``"hh"``, ``"ho"``) as shown."""
        return self._edge(name).value

    def edge_label(self, name: str) -> str:
        """The weight's label, e.g. ``"ho = 1.98"``."""
        return self._edge(name).label

    def edge_delta_text(self, name: str) -> str:
        """The change the shown tick made, e.g. ``"Δ +0.120"``; empty before tick 1."""
        return self._edge(name).delta_text

    def edge_width(self, name: str) -> float:
        """The drawn stroke width in pixels (grows with ``|w|``, clamped).

        Besides :data:`MAX_EDGE_WIDTH`, a width never exceeds a third of the
        node radius, so the self-loop stays a loop on small widgets.
        """
        layout = self._layout
        cap = max(layout.radius / 3, 4.0 * layout.stroke)
        return min(self._edge(name).width_units * layout.stroke, cap)

    def edge_color(self, name: str) -> QColor:
        """Orange for a positive weight, purple for a negative one, grey for zero."""
        return theme.sign_color(self._edge(name).value)

    def flash_sign(self, name: str) -> int:
        """+1 or −1 while edge *name* glows for its last change, else 0."""
        # Every move of the tick shown restarts or stops the glow, so while it
        # runs it belongs to the deltas on show.
        return sign(self._edge(name).delta or 0.0) if self._flash_level > 0 else 0

    def error_text(self) -> str:
        """The error label at the output, e.g. ``"e = y − ŷ = +0.130"``; empty without a target."""
        return self._state.error_text

    def caption(self) -> str:
        """The line saying which tick is shown, e.g. ``"tick 3 of 19: input x = 1, target y = 1"``."""
        return self._state.caption

    def next_bit_text(self) -> str:
        """At the end of the stream, the guess for the next unknown bit; else empty."""
        return self._state.next_bit

    def highlighted(self) -> frozenset[str]:
        """What the slow-motion stage shown works on: node and edge names, ``"error"``."""
        return self._state.highlight

    # -- following the adapter -------------------------------------------------------
    def _on_changed(self, flags: int) -> None:
        change = Change(flags)
        cursor = self._adapter.session.cursor
        # Only a step forward within the same history is a tick "happening";
        # stepping back, scrubbing back or a recomputed history shows a stored
        # or different tick, and a glow would claim a change that was not made.
        forward = (
            bool(change & Change.CURSOR)
            and not change & Change.HISTORY
            and cursor > self._shown_cursor
        )
        # A stage other than the update shows a tick not yet done, where a
        # glow would claim a change not yet made (the update's step is forward).
        moved = bool(change & (Change.CURSOR | Change.HISTORY | Change.STAGE))
        self._shown_cursor = cursor
        self._refresh()
        if forward:
            self._start_flash()
        elif moved:
            self._stop_flash()

    def _refresh(self) -> None:
        """Re-read the session into the cached state, lay out and schedule a repaint."""
        self._state = self._read_state()
        self._colors = self._read_colors()
        self._layout = self._fit_layout()
        self.update()

    def _read_state(self) -> DiagramState:
        return diagram_state(self._adapter.session, self._adapter.stage, self._adapter.stage_tick)

    def _read_colors(self) -> dict[str, tuple[QColor, QColor]]:
        """Fill and text colour of each node: its value on the activation map, white without one."""
        state = self._state
        colors = {}
        for name, node in state.nodes.items():
            if node.value is None:
                colors[name] = (QColor(_BACKGROUND), QColor(_MUTED))
            else:
                fill = theme.activation_color(node.value, state.low, state.high)
                colors[name] = (fill, theme.text_color_on(fill))
        return colors

    # -- the glow of a change ------------------------------------------------------------
    def _start_flash(self) -> None:
        if not self._state.changed or not self.isVisible():
            self._stop_flash()
            return
        self._flash_level = 1.0
        # While playing fast the previous glow is simply cut short.
        self._flash.stop()
        self._flash.start()

    def _on_flash_value(self, value: object) -> None:
        self._flash_level = float(value)  # type: ignore[arg-type]
        self.update()

    def _clear_flash(self) -> None:
        self._flash_level = 0.0
        self.update()

    def _stop_flash(self) -> None:
        self._flash.stop()  # stop() does not emit finished()
        self._clear_flash()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        self._stop_flash()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self._stop_flash()
        super().closeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        self._layout = self._fit_layout()
        super().resizeEvent(event)

    # -- layout -------------------------------------------------------------------------
    def _fit_layout(self) -> _Layout:
        """The layout with the largest text (up to the preferred size) that fits."""
        width, height = max(self.width(), 1), max(self.height(), 1)
        growth = min(max(min(width / MIN_WIDTH, height / MIN_HEIGHT), 1.0), MAX_GROWTH)
        preferred = max(round(DIAGRAM_FONT_PX * growth * self._font_scale), MIN_FONT_PX)
        layout = None
        for px in range(preferred, MIN_FONT_PX - 1, -1):
            layout = self._compute_layout(width, height, px)
            if layout.fits:
                break
        assert layout is not None
        return layout

    def _compute_layout(self, width: int, height: int, px: int) -> _Layout:
        """Place everything for a *width* × *height* widget with *px*-pixel text.

        Text slots are sized for the widest text they can hold, not the current
        one, so the picture stands still while the numbers change.
        """
        font = QFont(self.font())
        font.setPixelSize(px)
        bold = QFont(font)
        bold.setBold(True)
        small = QFont(font)
        small.setPixelSize(max(MIN_FONT_PX, round(px * 0.9)))
        small_bold = QFont(small)
        small_bold.setBold(True)
        title = QFont(bold)
        title.setPixelSize(round(px * 1.1))
        fm, fm_bold = QFontMetricsF(font), QFontMetricsF(bold)
        fm_small, fm_small_bold = QFontMetricsF(small), QFontMetricsF(small_bold)
        fm_title = QFontMetricsF(title)
        stroke = px / DIAGRAM_FONT_PX
        line = fm.height()
        small_line = fm_small.height()
        pad = 0.5 * line
        margin = max(6.0, 0.7 * line)
        left, right = margin, width - margin
        inner = right - left
        fits = True
        boxes: dict[str, QRectF] = {}

        # Caption: one line, split after the colon when too wide, plus the
        # next-bit guess at the end of the stream.
        parts = []
        for caption in self._state.caption.split("\n"):
            if fm_title.horizontalAdvance(caption) > inner and ": " in caption:
                head, tail = caption.split(": ", 1)
                parts += [f"{head}:", tail]
            else:
                parts.append(caption)
        caption_lines = []
        y = margin
        for index, text in enumerate(parts):
            text_width = fm_title.horizontalAdvance(text)
            fits &= text_width <= inner
            rect = QRectF(left, y, min(text_width, inner), fm_title.height())
            caption_lines.append((text, rect))
            boxes[f"caption{index}"] = rect
            y += fm_title.height()
        next_rect = None
        if self._state.next_bit:
            text_width = fm_bold.horizontalAdvance(self._state.next_bit)
            fits &= text_width <= inner
            next_rect = QRectF(left, y, min(text_width, inner), fm_bold.height())
            boxes["next"] = next_rect
            y += fm_bold.height()
        network_top = y + pad

        # Legend, flowed left to right in rows along the bottom.
        low, high = self._state.low, self._state.high
        tick_texts = [theme.plain(v) for v in (low, (low + high) / 2, high)]
        overhang = max(fm_small.horizontalAdvance(t) for t in tick_texts) / 2
        bar_width = max(7.0 * small_line, 6 * overhang)
        bar_height = 0.8 * small_line
        sample = 2.0 * small_line
        items = [
            _LegendItem("bar", "", "activation"),
            _LegendItem("positive", "w > 0", "edges"),
            _LegendItem("negative", "w < 0", "", joined=True),
            _LegendItem("width", "width ∝ |w|", ""),
            _LegendItem("glow", "glow: sign of the last change", ""),
        ]
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
        # Rows are filled with whole entries: an item and those joined to it
        # never part across a line break.
        spacing = 1.1 * small_line
        entries: list[list[int]] = []
        for index, item in enumerate(items):
            if item.joined and entries:
                entries[-1].append(index)
            else:
                entries.append([index])
        rows: list[list[int]] = [[]]
        row_width = 0.0
        for entry in entries:
            entry_width = sum(sizes[i][0] for i in entry) + spacing * (len(entry) - 1)
            fits &= entry_width <= inner
            needed = entry_width if not rows[-1] else row_width + spacing + entry_width
            if rows[-1] and needed > inner:
                rows.append(list(entry))
                row_width = entry_width
            else:
                rows[-1].extend(entry)
                row_width = needed
        row_heights = [max(sizes[i][1] for i in row) for row in rows]
        row_gap = 0.3 * small_line
        legend_height = sum(row_heights) + row_gap * (len(rows) - 1)
        legend_top = height - margin - legend_height
        y = legend_top
        bar_ticks: list[tuple[str, QRectF]] = []
        for row, row_height in zip(rows, row_heights):
            x = left
            for index in row:
                item_width, item_height = sizes[index]
                item = items[index]
                item.rect = QRectF(x, y, item_width, item_height)
                boxes[f"legend.{item.kind}"] = item.rect
                if item.kind == "bar":
                    bar_left = x + leads[index] + overhang
                    for text, at in zip(tick_texts, (0.0, 0.5, 1.0)):
                        text_width = fm_small.horizontalAdvance(text)
                        centre = bar_left + at * bar_width
                        bar_ticks.append((text, QRectF(centre - text_width / 2, y + bar_height,
                                                       text_width, small_line)))
                x += item_width + spacing
            y += row_height + row_gap
        legend_rule = legend_top - 0.5 * pad

        # The network between caption and legend.
        network_bottom = legend_rule - 0.5 * pad
        available = network_bottom - network_top
        max_stroke = MAX_EDGE_WIDTH * stroke
        glow = 5.0 * stroke  # the halo reaches this far beyond the stroke
        band = max_stroke / 2 + glow + 0.1 * line  # kept clear above an edge
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
            fits = False
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
        x_x = left + over_left + spare / 2 + radius
        x_h = x_x + 2 * radius + gap_edge
        x_y = x_h + 2 * radius + gap_edge
        x_t = x_y + 2 * radius + gap_target
        centres = {"x": QPointF(x_x, cy), "h": QPointF(x_h, cy), "yhat": QPointF(x_y, cy),
                   "target": QPointF(x_t, cy)}
        for name, centre in centres.items():
            boxes[f"node.{name}"] = QRectF(centre.x() - radius, cy - radius, 2 * radius, 2 * radius)

        names = {}
        for name, centre in centres.items():
            rect = QRectF(centre.x() - name_widths[name] / 2, cy + radius + 0.15 * line,
                          name_widths[name], line)
            names[name] = rect
            boxes[f"name.{name}"] = rect

        # The self-loop on h and the label blocks of the three weights.
        angle = math.radians(60)
        start = QPointF(x_h - radius * math.cos(angle), cy - radius * math.sin(angle))
        end = QPointF(x_h + radius * math.cos(angle), cy - radius * math.sin(angle))
        loop = (start, start + QPointF(-_LOOP_OUT * radius, -_LOOP_UP * radius),
                end + QPointF(_LOOP_OUT * radius, -_LOOP_UP * radius), end)
        loop_half = _LOOP_HALF_WIDTH * radius + max_stroke / 2 + glow
        loop_top = cy - _LOOP_RISE * radius - max_stroke / 2 - glow
        boxes["loop"] = QRectF(x_h - loop_half, loop_top, 2 * loop_half, cy - radius - loop_top)
        labels: dict[str, QRectF] = {}
        block_width = {
            name: max(fm.horizontalAdvance(f"{name} = {_WIDEST_NUMBER}"),
                      fm.horizontalAdvance(f"Δ +{_WIDEST_NUMBER[1:]}"))
            for name in EDGES
        }
        for name, (a, b) in _STRAIGHT_EDGES.items():
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
                rect.moveLeft(max(rect.left(), left))
            else:
                rect.moveLeft(max(rect.left(), x_h + loop_half + 0.3 * line))
                rect.moveRight(min(rect.right(), right))
            labels[name] = rect
        labels["hh"] = QRectF(x_h - block_width["hh"] / 2, loop_top - 0.15 * line - block_height,
                              block_width["hh"], block_height)
        for name, rect in labels.items():
            boxes[f"label.{name}"] = rect

        # The error: a bracket under ŷ and y, labelled below.
        bracket_top = names["yhat"].bottom() + 0.1 * line
        bracket_bottom = bracket_top + 0.4 * line
        bracket = (QPointF(x_y, bracket_top), QPointF(x_y, bracket_bottom),
                   QPointF(x_t, bracket_bottom), QPointF(x_t, bracket_top))
        error_width = fm_bold.horizontalAdvance(_WIDEST_ERROR)
        error_rect = QRectF((x_y + x_t) / 2 - error_width / 2, bracket_bottom + 0.1 * line,
                            error_width, line)
        error_rect.moveRight(min(error_rect.right(), right))
        error_rect.moveLeft(max(error_rect.left(), left))
        boxes["error"] = error_rect

        fits &= x_t + radius + over_right <= right + 0.5
        fits &= error_rect.width() <= inner and error_rect.bottom() <= network_bottom + 0.5
        fits &= loop_top - 0.15 * line - block_height >= network_top - 0.5
        fits &= available >= above + below - 0.5
        fits &= not _overlaps(boxes, centres, radius)
        return _Layout(
            fits=fits, font=font, bold=bold, small=small, small_bold=small_bold, title=title,
            stroke=stroke, radius=radius, centres=centres, caption_lines=caption_lines,
            next_rect=next_rect, names=names, labels=labels, loop=loop, bracket=bracket,
            error_rect=error_rect, legend_rule=legend_rule, legend=items, bar_ticks=bar_ticks,
            boxes=boxes,
        )

    def _layout_boxes(self) -> dict[str, QRectF]:
        """Every text box, node square and the loop's box, by name (for tests)."""
        return {name: QRectF(rect) for name, rect in self._layout.boxes.items()}

    def _layout_fits(self) -> bool:
        """Whether the current size holds everything without overlap (for tests)."""
        return self._layout.fits

    # -- painting ----------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        state, layout = self._state, self._layout
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.fillRect(self.rect(), QColor(_BACKGROUND))

        painter.setFont(layout.title)
        painter.setPen(QColor(_INK))
        for text, rect in layout.caption_lines:
            painter.drawText(_widened(rect), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             text)
        if layout.next_rect is not None:
            painter.setFont(layout.bold)
            painter.setPen(QColor(_INK))
            painter.drawText(_widened(layout.next_rect),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             state.next_bit)

        self._paint_stage_under(painter)
        self._paint_edges(painter)
        self._paint_nodes(painter)
        self._paint_stage_rings(painter)
        self._paint_labels(painter)
        self._paint_error(painter)
        self._paint_legend(painter)
        painter.end()

    def _paint_stage_under(self, painter: QPainter) -> None:
        """A sky-blue halo under the edges and a tint under the labels the stage works on."""
        highlight = self._state.highlight
        if not highlight:
            return
        layout = self._layout
        stroke = layout.stroke
        halo = QColor(STAGE_HIGHLIGHT)
        halo.setAlphaF(0.55)
        for name, (path, tip, _direction) in self._edge_paths().items():
            if name not in highlight:
                continue
            full = QPainterPath(path)
            full.lineTo(tip)
            painter.setPen(QPen(halo, self.edge_width(name) + 9.0 * stroke, Qt.PenStyle.SolidLine,
                                Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(full)
        tint = QColor(STAGE_HIGHLIGHT)
        tint.setAlphaF(0.25)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(tint)
        corner = 0.3 * QFontMetricsF(layout.font).height()
        rects = []
        for name in EDGES:
            if name in highlight:
                rect = QRectF(layout.labels[name])
                if not self._state.edges[name].delta_text:  # only the weight's line
                    rect.setHeight(rect.height() / 2)
                rects.append(rect)
        if "error" in highlight and self._state.error is not None:
            rects.append(layout.error_rect)
        for rect in rects:
            painter.drawRoundedRect(rect.adjusted(-corner, 0, corner, 0), corner, corner)

    def _paint_stage_rings(self, painter: QPainter) -> None:
        """A sky-blue ring round each node the stage works on."""
        highlight = self._state.highlight
        layout = self._layout
        ring = 2.5 * layout.stroke
        painter.setPen(QPen(QColor(STAGE_HIGHLIGHT), ring))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for name, centre in layout.centres.items():
            if name in highlight:
                radius = layout.radius + 1.5 * ring
                painter.drawEllipse(centre, radius, radius)

    def _edge_paths(self) -> dict[str, tuple[QPainterPath, QPointF, QPointF]]:
        """Per edge: the shaft (ending where the arrowhead begins), the tip and the direction."""
        layout = self._layout
        c, r = layout.centres, layout.radius
        paths = {}
        for name, (a, b) in _STRAIGHT_EDGES.items():
            tail = QPointF(c[a].x() + r, c[a].y())
            tip = QPointF(c[b].x() - r, c[b].y())
            length = self._arrow_length(name)
            path = QPainterPath(tail)
            path.lineTo(tip - QPointF(length, 0))
            paths[name] = (path, tip, QPointF(1, 0))
        p0, p1, p2, p3 = layout.loop
        # Cut the curve where the arrowhead starts, so a thick stroke does
        # not poke out around the narrow tip.
        t = _bezier_t_at_distance(layout.loop, self._arrow_length("hh"))
        q0, q1, q2, q3 = _bezier_head(layout.loop, t)
        path = QPainterPath(q0)
        path.cubicTo(q1, q2, q3)
        direction = p3 - q3
        norm = math.hypot(direction.x(), direction.y()) or 1.0
        paths["hh"] = (path, p3, QPointF(direction.x() / norm, direction.y() / norm))
        return paths

    def _arrow_length(self, name: str) -> float:
        return 4.0 * self._layout.stroke + 1.4 * self.edge_width(name)

    def _paint_edges(self, painter: QPainter) -> None:
        stroke = self._layout.stroke
        for name, (path, tip, direction) in self._edge_paths().items():
            width = self.edge_width(name)
            change = self.flash_sign(name)
            if change:
                # Two soft strokes under the edge: the glow of this tick's change.
                glow = theme.sign_color(change)
                full = QPainterPath(path)
                full.lineTo(tip)
                for extra, alpha in ((10.0, 0.28), (5.0, 0.55)):
                    glow.setAlphaF(alpha * self._flash_level)
                    painter.setPen(QPen(glow, width + extra * stroke, Qt.PenStyle.SolidLine,
                                        Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawPath(full)
            color = self.edge_color(name)
            painter.setPen(QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap,
                                Qt.PenJoinStyle.RoundJoin))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
            length = self._arrow_length(name)
            half = 2.5 * stroke + 0.9 * width
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawPolygon(_arrowhead(tip, direction, length, half))

    def _paint_nodes(self, painter: QPainter) -> None:
        layout = self._layout
        r = layout.radius
        for name, centre in layout.centres.items():
            node = self._state.nodes[name]
            pen = QPen(QColor(_OUTLINE), 1.3 * layout.stroke)
            if name == "target":
                # The target is the teacher's answer, not part of the network.
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            fill, ink = self._colors[name]
            painter.setBrush(fill)
            painter.drawEllipse(centre, r, r)
            painter.setFont(layout.bold)
            painter.setPen(ink)
            painter.drawText(QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r),
                             Qt.AlignmentFlag.AlignCenter, node.text)
            painter.setFont(layout.font)
            painter.setPen(QColor(_INK))
            painter.drawText(_widened(layout.names[name]), Qt.AlignmentFlag.AlignCenter,
                             NODE_NAMES[name])

    def _paint_labels(self, painter: QPainter) -> None:
        layout = self._layout
        painter.setFont(layout.font)
        for name in EDGES:
            edge = self._state.edges[name]
            rect = layout.labels[name]
            top = QRectF(rect.left(), rect.top(), rect.width(), rect.height() / 2)
            bottom = top.translated(0, rect.height() / 2)
            painter.setPen(theme.sign_ink(edge.value))
            painter.drawText(_widened(top), Qt.AlignmentFlag.AlignCenter, edge.label)
            if edge.delta_text:
                painter.setPen(theme.sign_ink(edge.delta))
                painter.drawText(_widened(bottom), Qt.AlignmentFlag.AlignCenter, edge.delta_text)

    def _paint_error(self, painter: QPainter) -> None:
        state, layout = self._state, self._layout
        if state.error is None:
            return
        painter.setPen(QPen(QColor(_MUTED), 1.2 * layout.stroke))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(QPolygonF(list(layout.bracket)))
        painter.setFont(layout.bold)
        painter.setPen(theme.sign_ink(state.error))
        painter.drawText(_widened(layout.error_rect), Qt.AlignmentFlag.AlignCenter, state.error_text)

    def _paint_legend(self, painter: QPainter) -> None:
        layout = self._layout
        stroke = layout.stroke
        painter.setPen(QPen(QColor(_RULE), 1.0))
        margin = layout.caption_lines[0][1].left()
        painter.drawLine(QPointF(margin, layout.legend_rule),
                         QPointF(self.width() - margin, layout.legend_rule))
        fm_small_bold = QFontMetricsF(layout.small_bold)
        small_line = QFontMetricsF(layout.small).height()
        for item in layout.legend:
            rect = item.rect
            x = rect.left()
            if item.lead:
                painter.setFont(layout.small_bold)
                painter.setPen(QColor(_INK))
                lead_width = fm_small_bold.horizontalAdvance(item.lead)
                lead_height = 0.8 * small_line if item.kind == "bar" else rect.height()
                painter.drawText(QRectF(x, rect.top(), lead_width + 2, lead_height),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 item.lead)
                x += lead_width + 0.5 * small_line
            if item.kind == "bar":
                first, last = layout.bar_ticks[0][1], layout.bar_ticks[-1][1]
                bar = QRectF(first.center().x(), rect.top(),
                             last.center().x() - first.center().x(), 0.8 * small_line)
                gradient = QLinearGradient(bar.topLeft(), bar.topRight())
                stops = theme.ACTIVATION_STOPS
                for index, color in enumerate(stops):
                    gradient.setColorAt(index / (len(stops) - 1), QColor(color))
                painter.setPen(QPen(QColor(_OUTLINE), 0.8))
                painter.setBrush(QBrush(gradient))
                painter.drawRect(bar)
                painter.setFont(layout.small)
                painter.setPen(QColor(_INK))
                for text, tick_rect in layout.bar_ticks:
                    painter.drawText(_widened(tick_rect), Qt.AlignmentFlag.AlignCenter, text)
                continue
            sample = QRectF(x, rect.top(), 2.0 * small_line, rect.height())
            middle = sample.center().y()
            painter.setBrush(Qt.BrushStyle.NoBrush)
            if item.kind in ("positive", "negative"):
                color = QColor(theme.POSITIVE if item.kind == "positive" else theme.NEGATIVE)
                painter.setPen(QPen(color, 3.0 * stroke, Qt.PenStyle.SolidLine,
                                    Qt.PenCapStyle.FlatCap))
                painter.drawLine(QPointF(sample.left(), middle), QPointF(sample.right(), middle))
            elif item.kind == "width":
                # A wedge from thin to thick says "width grows with |w|".
                half_thin, half_thick = 0.5 * stroke, 0.4 * small_line
                wedge = QPolygonF([
                    QPointF(sample.left(), middle - half_thin),
                    QPointF(sample.right(), middle - half_thick),
                    QPointF(sample.right(), middle + half_thick),
                    QPointF(sample.left(), middle + half_thin),
                ])
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(theme.NEUTRAL))
                painter.drawPolygon(wedge)
            else:  # glow: orange and purple halves, as a + and a − change glow
                for part, color in ((0, theme.POSITIVE), (1, theme.NEGATIVE)):
                    glow = QColor(color)
                    glow.setAlphaF(0.6)
                    left = sample.left() + part * sample.width() / 2
                    painter.setPen(QPen(glow, 0.8 * small_line, Qt.PenStyle.SolidLine,
                                        Qt.PenCapStyle.FlatCap))
                    painter.drawLine(QPointF(left, middle),
                                     QPointF(left + sample.width() / 2, middle))
                painter.setPen(QPen(QColor(theme.NEUTRAL), 1.5 * stroke))
                painter.drawLine(QPointF(sample.left(), middle), QPointF(sample.right(), middle))
            painter.setFont(layout.small)
            painter.setPen(QColor(_INK))
            text_rect = QRectF(sample.right() + 0.35 * small_line, rect.top(),
                               rect.right() - sample.right(), rect.height())
            painter.drawText(_widened(text_rect),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, item.text)

    # -- helpers ---------------------------------------------------------------------------
    def _node(self, name: str) -> NodeState:
        try:
            return self._state.nodes[name]
        except KeyError:
            raise KeyError(f"unknown node {name!r}; choose one of {', '.join(NODES)}") from None

    def _edge(self, name: str) -> EdgeState:
        try:
            return self._state.edges[name]
        except KeyError:
            raise KeyError(f"unknown edge {name!r}; choose one of {', '.join(EDGES)}") from None


def _widened(rect: QRectF) -> QRectF:
    """*rect* with a pixel to spare each side, so antialiased glyph edges are not clipped."""
    return rect.adjusted(-1.0, 0.0, 1.0, 0.0)


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


def _arrowhead(tip: QPointF, direction: QPointF, length: float, half: float) -> QPolygonF:
    base = tip - direction * length
    normal = QPointF(-direction.y(), direction.x())
    return QPolygonF([tip, base + normal * half, base - normal * half])
