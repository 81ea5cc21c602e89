"""Settings: where the CSMS listens and how it answers. Saved with a schema version."""

from __future__ import annotations

import copy
import ipaddress

from PySide6 import QtWidgets

from app.domain import model
from app import core as app_core


class SettingsDialog(QtWidgets.QDialog):
    def __init__(self, current: app_core.Settings, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self._settings = copy.deepcopy(current)
        csms = self._settings.csms
        layout = QtWidgets.QVBoxLayout(self)

        server = QtWidgets.QGroupBox(self.tr("CSMS server"))
        form = QtWidgets.QFormLayout(server)
        self.host = QtWidgets.QLineEdit(csms.host)
        self.host.setToolTip(self.tr("0.0.0.0 listens on every network interface of this laptop"))
        form.addRow(self.tr("Listen address"), self.host)
        self.port = QtWidgets.QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(csms.port or 9000)
        form.addRow(self.tr("Port"), self.port)
        layout.addWidget(server)

        files = QtWidgets.QGroupBox(self.tr("Built-in file server (firmware downloads, log uploads)"))
        form = QtWidgets.QFormLayout(files)
        self.file_server = QtWidgets.QCheckBox(self.tr("Serve firmware and receive logs (HTTP and FTP)"))
        self.file_server.setChecked(csms.file_server)
        form.addRow(self.file_server)
        self.http_port = QtWidgets.QSpinBox()
        self.http_port.setRange(1, 65535)
        self.http_port.setValue(csms.http_port or 9080)
        form.addRow(self.tr("HTTP port"), self.http_port)
        self.ftp_port = QtWidgets.QSpinBox()
        self.ftp_port.setRange(1, 65535)
        self.ftp_port.setValue(csms.ftp_port or 9021)
        self.ftp_port.setToolTip(self.tr("Chargers upload logs over FTP most often; the firewall must let it in"))
        form.addRow(self.tr("FTP port"), self.ftp_port)
        note = QtWidgets.QLabel(self.tr("Changing these restarts the CSMS: connected chargers reconnect."))
        note.setWordWrap(True)
        note.setStyleSheet("color:#555;")
        form.addRow(note)
        self.file_server.toggled.connect(self.http_port.setEnabled)
        self.file_server.toggled.connect(self.ftp_port.setEnabled)
        self.http_port.setEnabled(csms.file_server)
        self.ftp_port.setEnabled(csms.file_server)
        layout.addWidget(files)

        answers = QtWidgets.QGroupBox(self.tr("Answers to chargers"))
        form = QtWidgets.QFormLayout(answers)
        self.boot_status = QtWidgets.QComboBox()
        for status in model.BootStatus:
            self.boot_status.addItem(status.value, status)
        self.boot_status.setCurrentText(csms.boot_status.value)
        form.addRow(self.tr("BootNotification status"), self.boot_status)
        self.heartbeat = QtWidgets.QSpinBox()
        self.heartbeat.setRange(1, 86_400)
        self.heartbeat.setSuffix(self.tr(" s"))
        self.heartbeat.setValue(csms.heartbeat_interval)
        form.addRow(self.tr("Heartbeat interval"), self.heartbeat)
        self.mode = QtWidgets.QComboBox()
        self.mode.addItem(self.tr("Tolerant: accept schema violations, record a warning"), model.Mode.TOLERANT)
        self.mode.addItem(self.tr("Strict: answer schema violations with a CallError"), model.Mode.STRICT)
        self.mode.setCurrentIndex(0 if csms.mode is model.Mode.TOLERANT else 1)
        form.addRow(self.tr("Compliance"), self.mode)
        layout.addWidget(answers)

        admission = QtWidgets.QGroupBox(self.tr("Which chargers may connect"))
        box = QtWidgets.QVBoxLayout(admission)
        self.auto_accept = QtWidgets.QRadioButton(self.tr("Any charger (auto-accept)"))
        self.allow_list_only = QtWidgets.QRadioButton(self.tr("Only the charger IDs below (one per line)"))
        (self.auto_accept if csms.auto_accept else self.allow_list_only).setChecked(True)
        box.addWidget(self.auto_accept)
        box.addWidget(self.allow_list_only)
        self.allowed = QtWidgets.QPlainTextEdit("\n".join(csms.allowed_chargers))
        self.allowed.setMaximumHeight(80)
        box.addWidget(self.allowed)
        self.auto_accept.toggled.connect(lambda on: self.allowed.setEnabled(not on))
        self.allowed.setEnabled(not csms.auto_accept)
        layout.addWidget(admission)

        self.error = QtWidgets.QLabel()
        self.error.setStyleSheet("color:#c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Save
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def problems(self) -> list[str]:
        found = []
        host = self.host.text().strip()
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if host != "localhost":
                found.append(self.tr("Listen address must be an IP address such as 0.0.0.0 or 192.168.1.20."))
        ports = {self.port.value(): self.tr("CSMS")}
        if self.file_server.isChecked():
            for spin, name in ((self.http_port, self.tr("HTTP")), (self.ftp_port, self.tr("FTP"))):
                if spin.value() in ports:
                    found.append(self.tr("The {0} port {1} is already the {2} port: give each its own.").format(
                        name, spin.value(), ports[spin.value()]))
                ports.setdefault(spin.value(), name)
        if self.allow_list_only.isChecked() and not self._allowed_ids():
            found.append(self.tr("Enter at least one charger ID, or choose “Any charger”."))
        return found

    def _allowed_ids(self) -> list[str]:
        return [line.strip() for line in self.allowed.toPlainText().splitlines() if line.strip()]

    def accept(self) -> None:
        problems = self.problems()
        if problems:
            self.error.setText("\n".join(problems))
            self.error.show()
            return
        super().accept()

    def result_settings(self) -> app_core.Settings:
        csms = self._settings.csms
        csms.host = self.host.text().strip()
        csms.port = self.port.value()
        # Qt hands str-based enums back as plain strings: convert explicitly.
        csms.boot_status = model.BootStatus(self.boot_status.currentData())
        csms.heartbeat_interval = self.heartbeat.value()
        csms.mode = model.Mode(self.mode.currentData())
        csms.auto_accept = self.auto_accept.isChecked()
        csms.allowed_chargers = self._allowed_ids()
        csms.file_server = self.file_server.isChecked()
        csms.http_port = self.http_port.value()
        csms.ftp_port = self.ftp_port.value()
        return self._settings
