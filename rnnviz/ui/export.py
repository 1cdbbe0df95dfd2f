"""File ▸ Export in the window, drawn with Qt: plots as PNG, diagram as SVG, trace as CSV, notation copied.

This module renders with Qt (PNG through pyqtgraph's ``ImageExporter``, SVG
through ``QSvgGenerator``); the CSV and the safe temp-name-then-rename
writing live in :mod:`rnnviz.io.export`, shared with ``rnnviz trace``.

Every export reads the session and the views; none changes them. A file
that cannot be written gives a message naming the path and the reason, and
leaves nothing behind. The file dialog opens in the folder the user last
opened, saved, exported or recorded into (:mod:`rnnviz.ui.folders`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QObject, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QKeySequence, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from rnnviz import __version__
from rnnviz.engine.errors import InputError
from rnnviz.engine.history import WEIGHTS
from rnnviz.io.export import notation_lines, save_trace_csv, write_atomically
from rnnviz.session import Session
from rnnviz.ui import folders
from rnnviz.ui.diagram import NetworkDiagram
from rnnviz.ui.plots import WeightPlots
from rnnviz.ui.pngfile import save_png
from rnnviz.ui.services import WindowServices

#: The plots are exported at this multiple of their on-screen size, sharp on a slide.
PNG_SCALE: Final[float] = 2.0
#: How long a confirmation stays in the status bar.
MESSAGE_MS: Final[int] = 6000

#: ``ask_path(title, suggested_path, name_filter)`` → the chosen path, or None when cancelled.
AskPath = Callable[[str, str, str], "str | None"]


def plots_image(plots: WeightPlots, scale: float = PNG_SCALE) -> QImage:
    """The four plots with their value/notation column, drawn at *scale* times their size.

    The plots go through pyqtgraph's ``ImageExporter`` (lines and markers are
    redrawn at the new resolution, not magnified); the side column is painted
    through a scaled painter beside them, so its text is as sharp.

    Returns
    -------
    QImage
        ``round(scale × (plots width)) × round(scale × (plots height))`` pixels.
    """
    view, side = plots.view, plots.side
    width = round(view.width() * scale)
    side_width = round(side.width() * scale) if side.isVisible() else 0
    height = round(max(view.height(), side.height() if side_width else 0) * scale)
    exporter = ImageExporter(view.ci)
    exporter.parameters().param("width").setValue(width, blockSignal=exporter.widthChanged)
    exporter.parameters().param("height").setValue(height, blockSignal=exporter.heightChanged)
    exporter.parameters()["background"] = QColor("#ffffff")
    plot_image: QImage = exporter.export(toBytes=True)
    image = QImage(width + side_width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    try:
        painter.drawImage(QRect(0, 0, width, height), plot_image)
        if side_width:
            painter.translate(width, 0)
            painter.scale(scale, scale)
            side.render(painter, QPoint(0, 0))
    finally:
        painter.end()
    return image


def save_plots_png(plots: WeightPlots, path: str | Path, scale: float = PNG_SCALE) -> Path:
    """Write :func:`plots_image` to *path* as PNG (temporary name, then renamed)."""
    # Encoded in memory, then written: a full disk is one plain line, not libpng's.
    return save_png(plots_image(plots, scale), path)


def save_diagram_svg(diagram: NetworkDiagram, path: str | Path, title: str = "") -> Path:
    """Write the network diagram as drawn now to *path* as SVG (temporary name, then renamed).

    The SVG is vector graphics at the widget's size in pixels; text stays text.
    """
    size = diagram.size()

    def write(temporary: Path) -> None:
        generator = QSvgGenerator()
        generator.setFileName(str(temporary))
        generator.setSize(size)
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        generator.setTitle(title or "rnnviz network diagram")
        generator.setDescription(f"Drawn by rnnviz {__version__}")
        painter = QPainter()
        if not painter.begin(generator):
            raise OSError("the SVG could not be started there")
        try:
            diagram.render(painter, QPoint(0, 0))
        finally:
            painter.end()

    return write_atomically(path, write)


def notation_clip(session: Session) -> str:
    """The three notation lines up to the cursor, as ``rnnviz trace --notation`` writes them."""
    return "\n".join(notation_lines({w: session.notation(w) for w in WEIGHTS}))


def _ask_path(parent: QWidget) -> AskPath:
    def ask(title: str, suggested: str, name_filter: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, title, suggested, name_filter)
        return path or None

    return ask


class Exports(QObject):
    """The export commands of one main window.

    Attributes
    ----------
    ask_path
        Asks where to save: ``ask_path(title, suggested_path, name_filter)``
        returns a path or None. A file dialog by default; tests put their own.
    """

    def __init__(self, window: WindowServices, workspace) -> None:
        super().__init__(window.widget())
        self._window = window
        self._workspace = workspace
        self.ask_path: AskPath = _ask_path(window.widget())
        self._folders = folders.FolderMemory(window.settings, Path.home())
        #: The last message box about a failed export (tests read it).
        self.last_error: QMessageBox | None = None

    @property
    def folder(self) -> Path:
        """Where the next file dialog opens: the last folder opened, saved, exported or recorded into."""
        return Path(self._folders.folder)

    # -- commands --------------------------------------------------------------
    def plots_png(self) -> Path | None:
        """Ask for a file name and write the plots there as PNG."""
        path = self._ask("Export the plots as PNG", "rnnviz-plots.png", "PNG images (*.png)", ".png")
        if path is None:
            return None
        return self._write(lambda: save_plots_png(self._workspace.plots, path), "the plots")

    def diagram_svg(self) -> Path | None:
        """Ask for a file name and write the diagram there as SVG."""
        path = self._ask("Export the diagram as SVG", "rnnviz-diagram.svg", "SVG drawings (*.svg)", ".svg")
        if path is None:
            return None
        cursor = self._workspace.adapter.session.cursor
        title = f"rnnviz network diagram after tick {cursor}"
        return self._write(lambda: save_diagram_svg(self._workspace.diagram, path, title), "the diagram")

    def trace_csv(self) -> Path | None:
        """Ask for a file name and write the ticks done so far there as CSV."""
        session = self._workspace.adapter.session
        done = session.cursor
        if done == 0:
            self._tell("No ticks done yet: step or play first, then export the trace.")
            return None
        title = f"Export the trace of ticks 1–{done} (the ticks done so far) as CSV"
        path = self._ask(title, "rnnviz-trace.csv", "CSV tables (*.csv)", ".csv")
        if path is None:
            return None
        history = session.history
        return self._write(lambda: save_trace_csv(path, history, done), f"the trace of {done} ticks")

    def copy_notation(self) -> str:
        """Put the three notation lines on the clipboard and say so."""
        session = self._workspace.adapter.session
        text = notation_clip(session)
        QGuiApplication.clipboard().setText(text)
        self._tell(f"Copied the notation after tick {session.cursor} to the clipboard.")
        return text

    # -- helpers ------------------------------------------------------------------
    def _ask(self, title: str, name: str, name_filter: str, suffix: str) -> Path | None:
        chosen = self.ask_path(title, str(self.folder / name), name_filter)
        if not chosen:
            return None
        path = Path(chosen)
        self._folders.remember(path.parent)
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        return path

    def _write(self, save: Callable[[], Path], what: str) -> Path | None:
        try:
            path = save()
        except InputError as error:
            box = QMessageBox(
                QMessageBox.Icon.Warning, "Export failed", f"Could not export {what}.\n\n{error}",
                QMessageBox.StandardButton.Ok, self._window.widget(),
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.last_error = box
            box.open()  # window-modal, and the slot returns at once
            self._tell(f"Not exported: {error}")
            return None
        self._tell(f"Exported {what} to {path}")
        return path

    def _tell(self, text: str) -> None:
        self._window.tell(text, MESSAGE_MS)


def install(window: WindowServices, workspace) -> Exports:
    """Add File ▸ Export (above Quit) and Copy notation (Ctrl+Shift+C) for *workspace*'s views."""
    exports = Exports(window, workspace)
    plots = window.add_action("export_plots", "Plots as PNG…", exports.plots_png,
                           tip=f"the four plots and their notation, at {PNG_SCALE:g}× the size on screen")
    diagram = window.add_action("export_diagram", "Diagram as SVG…", exports.diagram_svg,
                             tip="the network diagram as drawn now, as a vector drawing")
    trace = window.add_action("export_trace", "Trace as CSV (ticks done so far)…", exports.trace_csv,
                           tip="one row per tick done, the columns of rnnviz trace --format csv")
    copy = window.add_action("copy_notation", "Copy notation", exports.copy_notation,
                          [QKeySequence("Ctrl+Shift+C")], "the +/− notation of ih, hh, ho up to the cursor")
    file_menu = window.menu("file")
    quit_action = window.action("quit")
    menu = QMenu("E&xport", file_menu)
    file_menu.insertMenu(quit_action, menu)
    file_menu.insertSeparator(quit_action)
    for action in (plots, diagram, trace):
        menu.addAction(action)
    menu.addSeparator()
    menu.addAction(copy)
    window.add_menu("export", menu)
    return exports
