"""Writing a picture as a PNG file: encoded in memory, then written as any other file.

``QImage.save(path)`` hands the file to libpng, which on a full disk prints
its own line ("libpng error: Write Error") on standard error and leaves Qt
to answer only False, without the reason, so a read-only folder could not
be told from a full disk. Encoding into memory first cannot fail that way;
the bytes then go through :func:`rnnviz.io.export.write_atomically`, which
says why a write failed in the same words as every other output.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage

from rnnviz.io.export import write_atomically


def png_bytes(image: QImage) -> bytes:
    """*image* encoded as PNG.

    Raises
    ------
    OSError
        If Qt cannot encode it (a null image, a missing image plugin).
    """
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    try:
        encoded = image.save(buffer, "PNG")
    finally:
        buffer.close()
    if not encoded or data.isEmpty():
        raise OSError("the picture could not be encoded as PNG")
    return data.data()


def save_png(image: QImage, path: str | os.PathLike[str]) -> Path:
    """Write *image* to *path* as PNG, atomically; return the path.

    Raises
    ------
    InputError
        When the file cannot be written or the picture not encoded; one line
        naming the path and the reason ("no space left on the device",
        "permission denied"), and nothing is left behind.
    """
    def write(temporary: Path) -> None:
        temporary.write_bytes(png_bytes(image))

    return write_atomically(path, write)
