"""Settings: where the CSMS listens and how it answers. Saved with a schema version."""

from __future__ import annotations

import copy
import ipaddress
import pathlib

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
        # Two columns: every group fits a 1366x768 screen without scrolling.
        columns = QtWidgets.QHBoxLayout()
        left, right = QtWidgets.QVBoxLayout(), QtWidgets.QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout.addLayout(columns)

        server = QtWidgets.QGroupBox(self.tr("CSMS server"))
        form = QtWidgets.QFormLayout(server)
        self.host = QtWidgets.QLineEdit(csms.host)
        self.host.setToolTip(self.tr("0.0.0.0 listens on every network interface of this laptop"))
        form.addRow(self.tr("Listen address"), self.host)
        self.port = QtWidgets.QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(csms.port or 9000)
        form.addRow(self.tr("Port"), self.port)
        left.addWidget(server)

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
        left.addWidget(self._security_group(csms))
        left.addStretch(1)
        right.addWidget(files)

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
        right.addWidget(answers)

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
        right.addWidget(admission)
        right.addStretch(1)

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

    def _security_group(self, csms) -> QtWidgets.QGroupBox:
        """TLS (wss://), the lowest profile admitted, the built-in CA's folder, profile 3's rules."""
        box = QtWidgets.QGroupBox(self.tr("Security (TLS and certificates)"))
        form = QtWidgets.QFormLayout(box)
        self.tls = QtWidgets.QCheckBox(self.tr("Listen on wss:// (TLS) too, for security profiles 2 and 3"))
        self.tls.setChecked(csms.tls)
        form.addRow(self.tls)
        self.tls_port = QtWidgets.QSpinBox()
        self.tls_port.setRange(1, 65535)
        self.tls_port.setValue(csms.tls_port or 9443)
        self.tls_port.setToolTip(self.tr("The charger's URL then starts wss://<this laptop>:<port>/; the firewall "
                                         "must let it in"))
        form.addRow(self.tr("TLS port"), self.tls_port)
        self.security_profile = QtWidgets.QComboBox()
        for level, text in ((0, self.tr("0 — any charger (no password, no TLS)")),
                            (1, self.tr("1 — a password at least (basic auth)")),
                            (2, self.tr("2 — TLS and a password")),
                            (3, self.tr("3 — TLS and a client certificate"))):
            self.security_profile.addItem(text, level)
        self.security_profile.setCurrentIndex(self.security_profile.findData(csms.security_profile))
        self.security_profile.setToolTip(self.tr("Chargers connecting with a lower profile are refused"))
        form.addRow(self.tr("Lowest profile admitted"), self.security_profile)
        folder = QtWidgets.QHBoxLayout()
        self.ca_dir = QtWidgets.QLineEdit(csms.ca_dir)
        self.ca_dir.setPlaceholderText(self.tr("empty: in the data folder"))
        self.ca_dir.setToolTip(self.tr("Where the built-in CA lives (ca.pem beside its protected key); another "
                                       "folder makes a new CA there unless one is in it already"))
        folder.addWidget(self.ca_dir, 1)
        self.ca_dir_button = QtWidgets.QPushButton(self.tr("Choose…"))
        self.ca_dir_button.clicked.connect(self._choose_ca_dir)
        folder.addWidget(self.ca_dir_button)
        form.addRow(self.tr("CA folder"), folder)
        self.operator_name = QtWidgets.QLineEdit(csms.operator_name)
        self.operator_name.setPlaceholderText(self.tr("empty: not checked"))
        self.operator_name.setToolTip(self.tr("Profile 3: the organisation (O=) a charger's certificate must carry"))
        form.addRow(self.tr("Operator name (O=)"), self.operator_name)
        self.renew_expired = QtWidgets.QCheckBox(self.tr("Accept an expired charger certificate only to renew it"))
        self.renew_expired.setChecked(csms.renew_expired)
        self.renew_expired.setToolTip(self.tr("Off unless a charger's certificate ran out and must get a new one; "
                                              "it may then only ask for its certificate"))
        form.addRow(self.renew_expired)
        note = QtWidgets.QLabel(self.tr("Changing these restarts the CSMS: chargers reconnect."))
        note.setToolTip(self.tr("The lowest profile and the operator name apply at once (unless the profile turns TLS on)"))
        note.setStyleSheet("color:#555;")
        form.addRow(note)
        self.tls.toggled.connect(lambda _on: self._tls_state())
        self.security_profile.currentIndexChanged.connect(lambda _i: self._tls_state())
        self._tls_state()
        return box

    def _tls_state(self) -> None:
        # Profiles 2 and 3 are TLS: the listener is on whenever they are the lowest admitted.
        needed = (self.security_profile.currentData() or 0) >= 2
        if needed:
            self.tls.setChecked(True)
        self.tls.setEnabled(not needed)
        self.tls.setToolTip(self.tr("On: profiles 2 and 3 are the lowest admitted, and they are TLS") if needed else "")
        self.tls_port.setEnabled(self.tls.isChecked())

    def _choose_ca_dir(self) -> None:
        chosen = QtWidgets.QFileDialog.getExistingDirectory(self, self.tr("Folder of the built-in CA"),
                                                            self.ca_dir.text())
        if chosen:
            self.ca_dir.setText(chosen)

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
        if self.tls.isChecked() and self.tls_port.value() in ports:
            found.append(self.tr("The TLS port {0} is already the {1} port: give each its own.").format(
                self.tls_port.value(), ports[self.tls_port.value()]))
        ca_dir = self.ca_dir.text().strip()
        if ca_dir and not pathlib.Path(ca_dir).expanduser().is_absolute():
            found.append(self.tr("CA folder must be a full path (such as {0}), or empty for the data folder.").format(
                str(pathlib.Path.home() / "commissioner-ca")))
        operator = self.operator_name.text().strip()
        if len(operator) > 64 or any(not ch.isprintable() for ch in operator):
            found.append(self.tr("Operator name must be at most 64 printable characters (a certificate's O=)."))
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
        csms.security_profile = int(self.security_profile.currentData())
        csms.tls = self.tls.isChecked()
        csms.tls_port = self.tls_port.value()
        csms.ca_dir = str(pathlib.Path(self.ca_dir.text().strip()).expanduser()) if self.ca_dir.text().strip() else ""
        csms.operator_name = self.operator_name.text().strip()
        csms.renew_expired = self.renew_expired.isChecked()
        return self._settings
