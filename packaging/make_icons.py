"""Render ``resources/icons/rnnviz.svg`` to the PNG sizes the window and the desktop use.

Run after editing the SVG:  python packaging/make_icons.py

The PNGs are committed, so neither the app nor a bundle needs Qt's SVG image
plugin to show its icon. Rendering goes through QtSvg, which
PySide6-Essentials has, and offscreen, so no display is needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
sys.path.insert(0, str(ROOT))

from rnnviz.resources import ICON_SIZES  # noqa: E402


def render(svg: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg} as SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    if QGuiApplication.instance() is None:
        QGuiApplication(sys.argv[:1])  # QSvgRenderer needs an application
    svg = ICONS / "rnnviz.svg"
    for size in ICON_SIZES:
        out = ICONS / f"rnnviz-{size}.png"
        if not render(svg, size).save(str(out), "PNG"):
            raise SystemExit(f"cannot write {out}")
        print(f"wrote {out.relative_to(ICONS.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
