"""The one-neuron window's optional columns: room for them, without squeezing the weight plots.

The phase plot (F8), the sweep over η (F7) and the equations (F9) are
columns of the main splitter beside the diagram's and the weight plots'
(presentation mode stacks the sweep and the equations under the diagram).
When one is shown, or presentation mode shares its canvas out,
:func:`fit` makes room:

* every weight plot keeps a plot area at least :data:`MIN_PLOT_VIEW` pixels
  wide, and each shown column at least its readable width (the phase
  plot's and the sweep's own minimum, the equations :data:`EQUATIONS_MIN_WIDTH`);
  stacked under the diagram, the diagram keeps :data:`DIAGRAM_MIN_HEIGHT`
  and each panel its readable height;
* width comes first from the weight plots while their plot areas are wider
  than :data:`COMFORT_PLOT_VIEW`, then from the equations, the diagram's
  column, the other views and last the plots, each down to its minimum;
  in presentation mode from the diagram's column, the phase plot and the
  plots (which keep their share otherwise); what is left over goes to the
  plots (in presentation mode to the diagram's column);
* when even that is not enough, the columns the user did not just ask for
  are hidden, the equations first, then the phase plot, then the sweep, and
  the status line says which and the key that shows each again.

Resizing the window shares the change out as the splitter does; when that
leaves a weight plot's area narrower than :data:`MIN_PLOT_VIEW` with a column
shown, :func:`watch_resizes` makes room again as above, after the resize
(a narrowed window hides the columns it has no room for, and says so; a
widened one shows nothing again by itself).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QSplitter, QWidget

#: The narrowest plot area (ViewBox) a weight plot keeps when a column is shown, in pixels.
MIN_PLOT_VIEW: Final[int] = 240
#: Plot areas wider than this give width to a column just shown before the equations narrow.
COMFORT_PLOT_VIEW: Final[int] = 480
#: Slack for the left axis refitting its width after a resize, in pixels.
AXIS_SLACK: Final[int] = 8
#: The equations' narrowest readable column (their lines wrap, one term a line), in pixels.
EQUATIONS_MIN_WIDTH: Final[int] = 220
#: Stacked under the diagram (presentation mode): the diagram's and the equations' lowest readable heights.
DIAGRAM_MIN_HEIGHT: Final[int] = 280
EQUATIONS_MIN_HEIGHT: Final[int] = 160
#: The order in which columns make way for one just shown.
GIVE_WAY: Final[tuple[str, ...]] = ("equations", "phase_plot", "sweep_view")
#: What the status line calls each column, and the key that shows it again.
NAMES: Final[dict[str, tuple[str, str]]] = {
    "equations": ("the equations", "F9"),
    "phase_plot": ("the phase plot", "F8"),
    "sweep_view": ("the sweep over η", "F7"),
}


def _optional(workspace) -> dict[str, QWidget]:
    return {name: getattr(workspace, name) for name in GIVE_WAY}


def _hide(workspace, name: str) -> None:
    widget = getattr(workspace, name)
    action = workspace.equations_action if name == "equations" else widget.toggle_action
    if action is not None:
        action.setChecked(False)  # not triggered: nothing else reacts
    widget.hide()


def plots_min_width(workspace) -> int:
    """The weight plots' width that leaves each plot area :data:`MIN_PLOT_VIEW` pixels."""
    plots = workspace.plots
    overhead = plots.width() - int(plots.plot_item("ih").vb.width())
    return max(plots.minimumSizeHint().width(), overhead + MIN_PLOT_VIEW + AXIS_SLACK)


def _min_width(workspace, widget: QWidget) -> int:
    if widget is workspace.plots:
        return plots_min_width(workspace)
    if widget is workspace.left:
        return widget.minimumSizeHint().width()
    if widget is workspace.equations:
        return max(EQUATIONS_MIN_WIDTH, widget.minimumWidth())
    return max(widget.minimumWidth(), widget.minimumSizeHint().width())


def _min_height(workspace, widget: QWidget) -> int:
    if widget is workspace.diagram:
        return max(DIAGRAM_MIN_HEIGHT, widget.minimumHeight())
    if widget is workspace.equations:
        return EQUATIONS_MIN_HEIGHT
    return max(widget.minimumHeight(), widget.minimumSizeHint().height())


def _fits(split: QSplitter, minimum, horizontal: bool) -> bool:
    visible = [split.widget(i) for i in range(split.count()) if not split.widget(i).isHidden()]
    extent = split.width() if horizontal else split.height()
    return sum(minimum(w) for w in visible) <= extent - split.handleWidth() * (len(visible) - 1)


def _give_way(workspace, shown: QWidget | None) -> str | None:
    """Hide the first shown column in :data:`GIVE_WAY` order other than *shown*; its name, or None."""
    for name, widget in _optional(workspace).items():
        if widget is not shown and not widget.isHidden():
            _hide(workspace, name)
            return name
    return None


def _share(split: QSplitter, shown: QWidget | None, minimum, order: list[QWidget],
           rest: QWidget, horizontal: bool, wants: dict[QWidget, int] | None = None) -> None:
    """Sizes for *split*: each shown pane as now (*shown* as it asks), at least its minimum; an
    excess taken from the panes in *order* (*shown* just before the last), down to their
    minimums; what is left over given to *rest*."""
    count = split.count()
    visible = [i for i in range(count) if not split.widget(i).isHidden()]
    extent = split.width() if horizontal else split.height()
    room = extent - split.handleWidth() * (len(visible) - 1)
    current = split.sizes()
    sizes = [0] * count
    for i in visible:
        w = split.widget(i)
        hint = w.sizeHint().width() if horizontal else w.sizeHint().height()
        want = max(hint if w is shown else current[i], (wants or {}).get(w, 0))
        sizes[i] = max(minimum(w), want)
    excess = sum(sizes) - room
    shrink = [(w, m) for w, m in order if w is not shown]
    shrink[-1:-1] = [(shown, 0)]  # the column just shown gives width only before the last
    for w, extra in shrink:
        i = split.indexOf(w)
        if w is None or excess <= 0 or i not in visible:
            continue
        give = min(excess, max(sizes[i] - minimum(w) - extra, 0))
        sizes[i] -= give
        excess -= give
    if excess < 0:
        sizes[split.indexOf(rest)] -= excess
    split.setSizes(sizes)


def fit(workspace, shown: QWidget | None = None) -> list[str]:
    """Make room for the shown columns (*shown* was just shown); return the names of those hidden.

    Does nothing before the window is on screen (its width is not known yet).
    """
    split, left = workspace.main_split, workspace.left
    if not split.isVisible():
        return []
    views = _optional(workspace)
    def wide(w: QWidget) -> int:
        return _min_width(workspace, w)

    def high(w: QWidget) -> int:
        return _min_height(workspace, w)

    hidden: list[str] = []
    presenting = any(left.indexOf(w) >= 0 for w in views.values())  # views stacked under the diagram
    # Sharing the room out again (presentation mode), the phase plot keeps its column.
    keep = shown if shown is not None else views["phase_plot"]
    for _ in GIVE_WAY:
        while not _fits(split, wide, True) and (name := _give_way(workspace, keep)):
            hidden.append(name)
        if presenting:
            # Presentation mode: the plots keep their share; the diagram's column (with the
            # views stacked under it) gets what the phase plot leaves.
            from rnnviz.ui.presentation import (
                PLOT_SHARE,  # here: presentation imports the workspaces
            )

            shown_count = sum(not split.widget(i).isHidden() for i in range(split.count()))
            share = {workspace.plots: round((split.width() - split.handleWidth() * (shown_count - 1)) * PLOT_SHARE)}
            _share(split, shown, wide, [(left, 0), (views["phase_plot"], 0), (workspace.plots, 0)], left, True,
                   share)
        else:
            order = [(workspace.plots, COMFORT_PLOT_VIEW - MIN_PLOT_VIEW), (views["equations"], 0), (left, 0),
                     (views["sweep_view"], 0), (views["phase_plot"], 0), (workspace.plots, 0)]
            _share(split, shown, wide, order, workspace.plots, True)
        # Laid out now: a stacked view sets its minimum height for its new width.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        if not any(left.indexOf(w) >= 0 and not w.isHidden() for w in views.values()):
            break
        # Presentation mode: the sweep and the equations under the diagram, their
        # minimum heights as the new width lays them out.
        if _fits(left, high, False):
            _share(left, shown, high, [(views["equations"], 0), (views["sweep_view"], 0), (workspace.diagram, 0)],
                   workspace.diagram, False)
            break
        name = _give_way(workspace, keep)
        if name is None:
            break
        hidden.append(name)
    if hidden:
        shown_name = next((n for n, w in views.items() if w is shown), None)
        workspace.tell(_message(shown_name, hidden))
    return hidden


class _ResizeWatch(QObject):
    """Refits the columns once a narrowing of the main splitter has squeezed the weight plots."""

    def __init__(self, workspace) -> None:
        super().__init__(workspace.main_split)
        self._workspace = workspace
        self._due = False
        workspace.main_split.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.Resize and event.size().width() < event.oldSize().width() \
                and not self._due:
            self._due = True  # once the splitter has shared the change out
            QTimer.singleShot(0, self._refit)
        return False

    def _refit(self) -> None:
        self._due = False
        workspace = self._workspace
        squeezed = workspace.plots.plot_item("ih").vb.width() < MIN_PLOT_VIEW
        if squeezed and any(not w.isHidden() for w in _optional(workspace).values()):
            fit(workspace)


def watch_resizes(workspace) -> None:
    """Make room for the shown columns again whenever the window narrows past it (module docstring)."""
    _ResizeWatch(workspace)


def _message(shown: str | None, hidden: list[str]) -> str:
    """The status line naming what was hidden, for what, and the keys that show each again."""
    which = " and ".join(NAMES[name][0] for name in hidden)
    keys = ", ".join(NAMES[name][1] for name in hidden)
    again = f"{keys} shows {'it' if len(hidden) == 1 else 'each'} again"
    if shown is None:
        return f"Hidden for want of room: {which} ({again})"
    return f"{NAMES[shown][0].capitalize()} shown in place of {which}: no room for all here ({again})"
