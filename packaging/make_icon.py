"""Draw the app icon (a charging plug on a teal tile) and write PNG, ICO and ICNS.

    .venv/bin/python packaging/make_icon.py      # writes resources/icons/commissioner.{png,ico,icns}

Drawn with QPainter so it needs nothing beyond the app's own Qt; Pillow converts to ICO/ICNS.
"""

from __future__ import annotations

import os
import pathlib

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6 import QtCore, QtGui  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "icons"


def draw(size: int = 1024) -> QtGui.QImage:
    image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    p = QtGui.QPainter(image)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    s = size / 1024
    gradient = QtGui.QLinearGradient(0, 0, 0, size)
    gradient.setColorAt(0, QtGui.QColor("#15927e"))
    gradient.setColorAt(1, QtGui.QColor("#0b5d51"))
    p.setBrush(gradient)
    p.setPen(QtCore.Qt.PenStyle.NoPen)
    p.drawRoundedRect(QtCore.QRectF(64 * s, 64 * s, 896 * s, 896 * s), 200 * s, 200 * s)
    white = QtGui.QColor("#ffffff")
    p.setBrush(white)
    # plug body and its two pins
    p.drawRoundedRect(QtCore.QRectF(332 * s, 300 * s, 360 * s, 300 * s), 70 * s, 70 * s)
    p.drawRoundedRect(QtCore.QRectF(400 * s, 170 * s, 60 * s, 150 * s), 24 * s, 24 * s)
    p.drawRoundedRect(QtCore.QRectF(564 * s, 170 * s, 60 * s, 150 * s), 24 * s, 24 * s)
    # cable
    pen = QtGui.QPen(white, 70 * s, QtCore.Qt.PenStyle.SolidLine, QtCore.Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
    path = QtGui.QPainterPath(QtCore.QPointF(512 * s, 600 * s))
    path.cubicTo(512 * s, 760 * s, 700 * s, 760 * s, 760 * s, 850 * s)
    p.drawPath(path)
    # lightning bolt cut into the plug body
    p.setPen(QtCore.Qt.PenStyle.NoPen)
    p.setBrush(QtGui.QColor("#0f7a6a"))
    bolt = QtGui.QPolygonF([QtCore.QPointF(x * s, y * s) for x, y in
                            [(540, 330), (440, 470), (505, 470), (470, 570), (585, 420), (518, 420)]])
    p.drawPolygon(bolt)
    p.end()
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = OUT / "commissioner-1024.png"
    draw().save(str(big))
    with Image.open(big) as image:
        image.resize((512, 512), Image.LANCZOS).save(OUT / "commissioner.png")
        image.save(OUT / "commissioner.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128),
                                                    (256, 256)])
        image.save(OUT / "commissioner.icns")
    big.unlink()
    print("wrote", *sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
