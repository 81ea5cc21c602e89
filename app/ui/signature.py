"""A signature pad: drawn with the mouse, a finger or a pen; saved as a PNG with the typed name.

The typed name and the time are the fallback when nobody can draw (a laptop without a touch
screen): a signature is valid with the name alone.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


class SignaturePad(QtWidgets.QWidget):
    changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(420, 150)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_StaticContents)
        self.strokes: list[list[QtCore.QPointF]] = []
        self.setToolTip(self.tr("Sign here with the mouse, a finger or a pen"))

    def clear(self) -> None:
        self.strokes = []
        self.update()
        self.changed.emit()

    @property
    def empty(self) -> bool:
        return not any(len(stroke) > 1 for stroke in self.strokes)

    def add_stroke(self, points: list[QtCore.QPointF]) -> None:
        """For tests and tablets: a whole stroke at once."""
        self.strokes.append(list(points))
        self.update()
        self.changed.emit()

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 (Qt API)
        self.strokes.append([event.position()])

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        if self.strokes:
            self.strokes[-1].append(event.position())
            self.update()

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802
        self.changed.emit()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802
        painter = QtGui.QPainter(self)
        painter.fillRect(self.rect(), QtGui.QColor("white"))
        painter.setPen(QtGui.QPen(QtGui.QColor("#bbb"), 1, QtCore.Qt.PenStyle.DashLine))
        painter.drawLine(20, self.height() - 30, self.width() - 20, self.height() - 30)
        self._draw(painter)

    def _draw(self, painter: QtGui.QPainter) -> None:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setPen(QtGui.QPen(QtGui.QColor("#0b1f4d"), 2.2, QtCore.Qt.PenStyle.SolidLine,
                                  QtCore.Qt.PenCapStyle.RoundCap, QtCore.Qt.PenJoinStyle.RoundJoin))
        for stroke in self.strokes:
            if len(stroke) > 1:
                painter.drawPolyline(stroke)

    def png(self, name: str, when: str) -> bytes:
        """The signature (or, if nothing was drawn, the typed name) with the name and time under it."""
        image = QtGui.QImage(self.width(), self.height() + 30, QtGui.QImage.Format.Format_RGB32)
        image.fill(QtGui.QColor("white"))
        painter = QtGui.QPainter(image)
        if self.empty:
            font = painter.font()
            font.setPointSizeF(22)
            font.setItalic(True)
            painter.setFont(font)
            painter.setPen(QtGui.QColor("#0b1f4d"))
            painter.drawText(QtCore.QRectF(0, 0, self.width(), self.height() - 30),
                             QtCore.Qt.AlignmentFlag.AlignCenter, name)
        else:
            self._draw(painter)
        painter.setPen(QtGui.QColor("#333"))
        painter.drawText(QtCore.QRectF(10, self.height(), self.width() - 20, 26),
                         QtCore.Qt.AlignmentFlag.AlignLeft, f"{name} · {when}")
        painter.end()
        buffer = QtCore.QBuffer()
        buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(buffer.data())


class SignatureDialog(QtWidgets.QDialog):
    def __init__(self, role: str, name: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Signature: {0}").format(role))
        layout = QtWidgets.QVBoxLayout(self)
        self.pad = SignaturePad()
        layout.addWidget(self.pad)
        form = QtWidgets.QFormLayout()
        self.name = QtWidgets.QLineEdit(name)
        self.name.setPlaceholderText(self.tr("Full name (required)"))
        form.addRow(self.tr("Name"), self.name)
        layout.addLayout(form)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        clear = buttons.addButton(self.tr("Clear"), QtWidgets.QDialogButtonBox.ButtonRole.ResetRole)
        clear.clicked.connect(self.pad.clear)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        self.name.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        self.ok.setEnabled(bool(name.strip()))
        layout.addWidget(buttons)
