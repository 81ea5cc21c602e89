"""What to type into the charger: the laptop's CSMS URLs, a copy button, a QR code.

Says plainly when the port is busy or no network interface is up, and what to do about it.
"""

from __future__ import annotations

import qrcode
from PySide6 import QtCore, QtGui, QtWidgets

from app.services import network


def qr_pixmap(text: str, size: int = 168) -> QtGui.QPixmap:
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    cells = len(matrix)
    image = QtGui.QImage(cells, cells, QtGui.QImage.Format.Format_Mono)
    image.setColor(0, QtGui.qRgb(255, 255, 255))
    image.setColor(1, QtGui.qRgb(0, 0, 0))
    for y, line in enumerate(matrix):
        for x, dark in enumerate(line):
            image.setPixel(x, y, 1 if dark else 0)
    return QtGui.QPixmap.fromImage(image.scaled(size, size, QtCore.Qt.AspectRatioMode.KeepAspectRatio,
                                                QtCore.Qt.TransformationMode.FastTransformation))


class ConnectionPanel(QtWidgets.QGroupBox):
    settings_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Connect the charger"))
        outer = QtWidgets.QVBoxLayout(self)
        # Once a charger is connected the panel shrinks to one line (the URL, Copy, Details) and
        # gives its height back to the charger list; Details opens it again.
        self.summary = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(self.summary)
        row.setContentsMargins(0, 0, 0, 0)
        self.summary_url = QtWidgets.QLabel()
        self.summary_url.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.summary_url.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.summary_url, 1)
        copy = QtWidgets.QToolButton()
        copy.setText(self.tr("Copy"))
        copy.setToolTip(self.tr("Copy the CSMS URL to the clipboard"))
        copy.clicked.connect(lambda: QtGui.QGuiApplication.clipboard().setText(self.base_url.text()))
        row.addWidget(copy)
        self.details_button = QtWidgets.QToolButton()
        self.details_button.setCheckable(True)
        self.details_button.setText(self.tr("Details"))
        self.details_button.setToolTip(self.tr("Show the URL with the charger ID, the QR code and the network"))
        self.details_button.toggled.connect(self._details_toggled)
        row.addWidget(self.details_button)
        outer.addWidget(self.summary)
        self.summary.hide()
        self.details = QtWidgets.QWidget()
        outer.addWidget(self.details)
        layout = QtWidgets.QVBoxLayout(self.details)
        layout.setContentsMargins(0, 0, 0, 0)
        self.compact = False
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(QtCore.Qt.TextFormat.RichText)
        layout.addWidget(self.status)
        self.settings_button = QtWidgets.QPushButton(self.tr("Open Settings…"))
        self.settings_button.clicked.connect(self.settings_requested)
        self.settings_button.hide()
        layout.addWidget(self.settings_button)

        form = QtWidgets.QFormLayout()
        self.address_combo = QtWidgets.QComboBox()
        self.address_combo.setToolTip(self.tr("The laptop's address on the network the charger is on"))
        form.addRow(self.tr("Network"), self.address_combo)
        self.charger_id_edit = QtWidgets.QLineEdit("CP001")
        self.charger_id_edit.setToolTip(self.tr("The charge point identity configured in the charger"))
        form.addRow(self.tr("Charger ID"), self.charger_id_edit)
        layout.addLayout(form)

        self.base_url = self._url_row(layout, self.tr("CSMS URL"))
        self.full_url = self._url_row(layout, self.tr("Full URL with charger ID"))
        self.qr = QtWidgets.QLabel()
        self.qr.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.qr)
        # The built-in file server: chargers fetch firmware and upload logs here (app.files).
        self.files_label = QtWidgets.QLabel(self.tr("File server (firmware downloads, log uploads)"))
        layout.addWidget(self.files_label)
        self.files_status = QtWidgets.QLabel()
        self.files_status.setWordWrap(True)
        self.files_status.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.files_status.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.files_status.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(self.files_status)
        self.file_urls: list[str] = []
        firewall = QtWidgets.QLabel(self.tr(
            "Charger cannot connect? The charger connects to this laptop, so the laptop's firewall "
            "must let it in: allow Commissioner on private networks (Windows: “Allow access”; "
            "macOS: “Allow incoming connections”), and put the charger and the laptop on the same network."))
        firewall.setWordWrap(True)
        firewall.setStyleSheet("color:#555;")
        layout.addWidget(firewall)
        layout.addStretch(1)

        self.refresh_button = QtWidgets.QPushButton(self.tr("Refresh addresses"))
        self.refresh_button.clicked.connect(self.refresh_addresses)
        layout.addWidget(self.refresh_button)
        self.address_combo.currentIndexChanged.connect(self._update_urls)
        self.charger_id_edit.textChanged.connect(self._update_urls)
        self.port: int | None = None
        self.host = "0.0.0.0"

    def _url_row(self, layout: QtWidgets.QVBoxLayout, label: str) -> QtWidgets.QLineEdit:
        layout.addWidget(QtWidgets.QLabel(label))
        row = QtWidgets.QHBoxLayout()
        edit = QtWidgets.QLineEdit()
        edit.setReadOnly(True)
        edit.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        row.addWidget(edit, 1)
        copy = QtWidgets.QToolButton()
        copy.setText(self.tr("Copy"))
        copy.setToolTip(self.tr("Copy to the clipboard"))
        copy.clicked.connect(lambda: QtGui.QGuiApplication.clipboard().setText(edit.text()))
        row.addWidget(copy)
        layout.addLayout(row)
        return edit

    def set_compact(self, compact: bool) -> None:
        """One line (a charger is connected) or the whole panel (none yet, or the CSMS is not listening)."""
        compact = compact and self.port is not None
        if compact == self.compact:
            return
        self.compact = compact
        self.summary.setVisible(compact)
        with QtCore.QSignalBlocker(self.details_button):
            self.details_button.setChecked(False)
        self.details.setVisible(not compact)
        self.setTitle(self.tr("CSMS") if compact else self.tr("Connect the charger"))

    def _details_toggled(self, shown: bool) -> None:
        self.details.setVisible(shown)

    def set_listening(self, port: int, host: str = "0.0.0.0") -> None:
        self.port = port
        self.host = host
        self.settings_button.hide()
        self.refresh_addresses()

    def set_file_server(self, urls: list[str], why: str = "", hint: str = "") -> None:
        """The file server's URLs, or why it is not running and what to do."""
        self.file_urls = list(urls)
        if urls:
            self.files_status.setStyleSheet("")
            self.files_status.setText("\n".join(urls))
            self.summary.setToolTip(self.tr("File server: {0}").format(", ".join(urls)))
        else:
            self.files_status.setStyleSheet("color:#b26a00;")
            self.files_status.setText(self.tr("File server not running: {0} — {1}").format(why, hint).rstrip(" —"))
            self.summary.setToolTip(self.files_status.text())

    def set_failed(self, message: str, hint: str) -> None:
        self.port = None
        self.set_file_server([], self.tr("the CSMS is not running."), self.tr("It starts with the CSMS."))
        self.set_compact(False)
        self.status.setText(f"<b style='color:#c62828'>{self.tr('Not listening')}</b><br>{message}<br>{hint}")
        self.settings_button.show()
        self.address_combo.clear()
        self.base_url.clear()
        self.full_url.clear()
        self.qr.clear()

    @QtCore.Slot()
    def refresh_addresses(self) -> None:
        if self.port is None:
            return
        # Listening on one address only: that is the one the charger must use.
        addresses = network.lan_addresses() if self.host in ("0.0.0.0", "", "::") else [self.host]
        current = self.address_combo.currentText()
        self.address_combo.blockSignals(True)
        self.address_combo.clear()
        self.address_combo.addItems(addresses or ["127.0.0.1"])
        if current in addresses:
            self.address_combo.setCurrentText(current)
        self.address_combo.blockSignals(False)
        if addresses:
            self.status.setText(self.tr("<b style='color:#2e7d32'>Listening on port {0}</b> — enter this URL "
                                        "as the charger's OCPP backend:").format(self.port))
        else:
            self.status.setText(self.tr(
                "<b style='color:#b26a00'>No network connection.</b> Listening on port {0}, but only this "
                "laptop can reach it. Connect the laptop to the charger's network (Ethernet or Wi-Fi), "
                "then press Refresh addresses.").format(self.port))
        self._update_urls()

    @QtCore.Slot()
    def _update_urls(self) -> None:
        if self.port is None:
            return
        base = f"ws://{self.address_combo.currentText()}:{self.port}/"
        charger_id = self.charger_id_edit.text().strip() or "CP001"
        self.base_url.setText(base)
        self.summary_url.setText(self.tr("Listening: {0}").format(base))
        self.full_url.setText(base + charger_id)
        self.qr.setPixmap(qr_pixmap(base + charger_id))
