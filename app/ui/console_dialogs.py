"""The Console page's small forms: line settings, backend URL and id, network. Each validates
what it can before anything goes to the charger and says which field is wrong."""

from __future__ import annotations

import ipaddress

from PySide6 import QtWidgets

from app.domain import console as console_model
from app.services import serial_console

BAUDS = ("9600", "19200", "38400", "57600", "115200", "230400", "460800", "921600")


class LineSettingsDialog(QtWidgets.QDialog):
    """Data bits, parity, stop bits and flow control, for a console the profile does not describe."""

    def __init__(self, line: serial_console.LineSettings, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Line settings"))
        self.baud = line.baud
        form = QtWidgets.QFormLayout(self)
        self.bytesize = QtWidgets.QComboBox()
        self.bytesize.addItems(["8", "7", "6", "5"])
        self.bytesize.setCurrentText(str(line.bytesize))
        form.addRow(self.tr("Data bits"), self.bytesize)
        self.parity = QtWidgets.QComboBox()
        for code, name in (("N", self.tr("None")), ("E", self.tr("Even")), ("O", self.tr("Odd")),
                           ("M", self.tr("Mark")), ("S", self.tr("Space"))):
            self.parity.addItem(name, code)
        self.parity.setCurrentIndex(max(0, self.parity.findData(line.parity)))
        form.addRow(self.tr("Parity"), self.parity)
        self.stopbits = QtWidgets.QComboBox()
        self.stopbits.addItems(["1", "1.5", "2"])
        self.stopbits.setCurrentText(f"{line.stopbits:g}")
        form.addRow(self.tr("Stop bits"), self.stopbits)
        self.flow = QtWidgets.QComboBox()
        self.flow.addItems(list(console_model.FLOW_CONTROLS))
        self.flow.setCurrentText(line.flow_control)
        form.addRow(self.tr("Flow control"), self.flow)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def line(self) -> serial_console.LineSettings:
        return serial_console.LineSettings(self.baud, int(self.bytesize.currentText()), self.parity.currentData(),
                                           float(self.stopbits.currentText()), self.flow.currentText())


class _Form(QtWidgets.QDialog):
    """A form whose OK checks its fields first: a wrong one is named and keeps the dialog open."""

    def __init__(self, title: str, intro: str, parent: QtWidgets.QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.form = QtWidgets.QFormLayout(self)
        label = QtWidgets.QLabel(intro)
        label.setWordWrap(True)
        self.form.addRow(label)
        self.problem = QtWidgets.QLabel()
        self.problem.setStyleSheet("color:#c62828;")
        self.problem.setWordWrap(True)
        self._buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                                   | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self._buttons.accepted.connect(self._check)
        self._buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        self.form.addRow(self.problem)
        self.form.addRow(self._buttons)

    def problem_of(self) -> str:  # pragma: no cover (each form checks its own fields)
        raise NotImplementedError

    def _check(self) -> None:
        problem = self.problem_of()
        self.problem.setText(problem)
        if not problem:
            self.accept()


class BackendDialog(_Form):
    """Backend URL and charger id, each only where the profile's console can set it."""

    def __init__(self, url: str, charger_id: str, writable: list[str], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(self.tr("Set backend URL and id"), self.tr(
            "The charger connects to this OCPP backend after a reboot. Give the URL as the charger's "
            "manual writes it (ws:// or wss://)."), parent)
        self.url = QtWidgets.QLineEdit(url)
        self.url.setPlaceholderText("ws://192.168.1.10:9000/")
        self.form.addRow(self.tr("Backend URL"), self.url)
        self.charger_id = QtWidgets.QLineEdit(charger_id)
        self.charger_id.setPlaceholderText("CP001")
        self.charger_id.setEnabled("charge_point_id" in writable)
        if "charge_point_id" not in writable:
            self.charger_id.setToolTip(self.tr("This profile cannot set the charger id over the console."))
        self.form.addRow(self.tr("Charger id"), self.charger_id)
        self.reboot = QtWidgets.QCheckBox(self.tr("Reboot afterwards, so it connects there now"))
        self.reboot.setChecked(True)
        self.form.addRow(self.reboot)
        self.finish()

    def problem_of(self) -> str:
        url = self.url.text().strip()
        if not url.startswith(("ws://", "wss://")) or len(url) < 8:
            return self.tr("The backend URL must start with ws:// or wss://.")
        charger_id = self.charger_id.text().strip()
        if self.charger_id.isEnabled() and (not charger_id or any(c in charger_id for c in "/:# ?")):
            return self.tr("The charger id must not be empty nor contain / : # ? or spaces.")
        return ""

    def values(self) -> dict[str, str]:
        values = {"ocpp_url": self.url.text().strip()}
        if self.charger_id.isEnabled():
            values["charge_point_id"] = self.charger_id.text().strip()
        return values


NETWORK = ("wifi_ssid", "wifi_password", "apn", "ip_mode", "ip_address", "netmask", "gateway")


class NetworkDialog(_Form):
    """Wi-Fi, APN and DHCP/static address: the fields the profile can set; an empty one is left as it is."""

    def __init__(self, current: dict[str, str], writable: list[str], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(self.tr("Set network"), self.tr(
            "Only the fields you fill in are sent; the charger applies them after a reboot."), parent)
        labels = {"wifi_ssid": self.tr("Wi-Fi network (SSID)"), "wifi_password": self.tr("Wi-Fi password"),
                  "apn": self.tr("Mobile APN"), "ip_mode": self.tr("Address"), "ip_address": self.tr("IP address"),
                  "netmask": self.tr("Netmask"), "gateway": self.tr("Gateway")}
        self.fields: dict[str, QtWidgets.QWidget] = {}
        for key in NETWORK:
            if key not in writable:
                continue
            if key == "ip_mode":
                widget = QtWidgets.QComboBox()
                widget.addItem(self.tr("(leave as it is)"), "")
                widget.addItem(self.tr("DHCP (automatic)"), "dhcp")
                widget.addItem(self.tr("Static"), "static")
                widget.setCurrentIndex(max(0, widget.findData(current.get("ip_mode", ""))))
                widget.currentIndexChanged.connect(self._static_fields)
            else:
                widget = QtWidgets.QLineEdit(current.get(key, "") if key != "wifi_password" else "")
                if key == "wifi_password":
                    widget.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
                if key in ("ip_address", "netmask", "gateway"):
                    widget.setPlaceholderText({"ip_address": "192.168.1.50", "netmask": "255.255.255.0",
                                               "gateway": "192.168.1.1"}[key])
            self.fields[key] = widget
            self.form.addRow(labels[key], widget)
        self._static_fields()
        self.finish()

    def _static_fields(self) -> None:
        mode = self.fields.get("ip_mode")
        static = mode is None or mode.currentData() != "dhcp"
        for key in ("ip_address", "netmask", "gateway"):
            if key in self.fields:
                self.fields[key].setEnabled(static)

    def values(self) -> dict[str, str]:
        values = {}
        for key, widget in self.fields.items():
            value = widget.currentData() if isinstance(widget, QtWidgets.QComboBox) else widget.text().strip()
            if value and widget.isEnabled():
                values[key] = value
        return values

    def problem_of(self) -> str:
        values = self.values()
        if not values:
            return self.tr("Fill in at least one field.")
        for key in ("ip_address", "gateway"):
            if key in values:
                try:
                    ipaddress.IPv4Address(values[key])
                except ValueError:
                    return self.tr("{0} is not an IPv4 address (e.g. 192.168.1.50).").format(values[key])
        if "netmask" in values:
            try:
                ipaddress.IPv4Network(f"0.0.0.0/{values['netmask']}")
            except ValueError:
                return self.tr("{0} is not a netmask (e.g. 255.255.255.0).").format(values["netmask"])
        if values.get("ip_mode") == "static" and not {"ip_address", "netmask"} <= values.keys() & self.fields.keys() \
                and {"ip_address", "netmask"} <= self.fields.keys():
            return self.tr("A static address needs the IP address and the netmask.")
        if "wifi_password" in values and "wifi_ssid" in self.fields and "wifi_ssid" not in values:
            return self.tr("Give the Wi-Fi network (SSID) with its password.")
        return ""
