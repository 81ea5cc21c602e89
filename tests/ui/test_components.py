"""Main-window components: platform check, connection panel, charger list, settings dialog."""

from __future__ import annotations

import zxingcpp
from PySide6 import QtCore, QtGui, QtWidgets

from app import gui
from app.domain import model
from app.storage import settings as storage_settings
from app.ui import charger_list, connection_panel, settings_dialog


def test_platform_problem_names_the_missing_libraries() -> None:
    env = {"DISPLAY": ":0"}
    message = gui.platform_problem(env, "linux", missing=lambda: ["libxcb-cursor.so.0", "libxcb-icccm.so.4"])
    assert "libxcb-cursor.so.0, libxcb-icccm.so.4" in message
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4" in message
    assert "sudo dnf install xcb-util-cursor xcb-util-wm" in message
    assert gui.platform_problem(env, "linux", missing=lambda: []) is None
    assert "no display" in gui.platform_problem({}, "linux")
    assert gui.platform_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert gui.platform_problem({}, "win32") is None
    assert gui.debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert gui.debian_package("libEGL.so.1") == "libegl1"


def test_missing_libraries_reads_ldd() -> None:
    class Done:
        stdout = ("\tlibxcb.so.1 => /usr/lib/libxcb.so.1 (0x1)\n"
                  "\tlibxcb-keysyms.so.1 => not found\n\tlibxcb-icccm.so.4 => not found\n")

    assert gui.missing_libraries(run=lambda *a, **k: Done()) == ["libxcb-keysyms.so.1", "libxcb-icccm.so.4"]


def decode_qr(pixmap: QtGui.QPixmap) -> list[str]:
    """The texts of every QR code a scanner finds in the pixmap."""
    image = pixmap.toImage().convertToFormat(QtGui.QImage.Format.Format_Grayscale8)
    return [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def test_connection_panel_shows_urls_and_qr(qtbot) -> None:
    panel = connection_panel.ConnectionPanel()
    qtbot.addWidget(panel)
    panel.set_listening(9123)
    address = panel.address_combo.currentText()
    assert panel.base_url.text() == f"ws://{address}:9123/"
    panel.charger_id_edit.setText("ACME-42")
    assert panel.full_url.text() == f"ws://{address}:9123/ACME-42"
    assert decode_qr(panel.qr.pixmap()) == [f"ws://{address}:9123/ACME-42"]
    panel.set_failed("Port 9123 on 0.0.0.0 is already in use by another program.", "Choose another port.")
    assert "already in use" in panel.status.text() and panel.full_url.text() == ""
    assert not panel.settings_button.isHidden()


def test_qr_code_encodes_the_url(qtbot) -> None:
    url = "ws://192.168.1.20:9000/CP001"
    pixmap = connection_panel.qr_pixmap(url)
    assert decode_qr(pixmap) == [url]
    image = pixmap.toImage()
    assert image.width() == image.height() >= 100
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    assert colours == {"#000000", "#ffffff"}
    # A long URL (a long charger id on an IPv6 address) still fits and scans at the panel's size.
    long_url = "ws://[fd12:3456:789a:1::42]:9000/" + "CHARGER-" * 12
    assert decode_qr(connection_panel.qr_pixmap(long_url)) == [long_url]


def test_charger_list_updates_in_place(qtbot) -> None:
    table = charger_list.ChargerListModel()
    a = model.ChargerInfo("A", "1.6", True, "ACME", "X1", "S1", "2.0",
                          connectors={"1": model.ConnectorState(1, "Faulted", "GroundFailure"),
                                      "2": model.ConnectorState(2, "Available")})
    table.update([a])
    assert table.rowCount() == 1
    index = table.index(0, table.VENDOR)
    assert table.data(index) == "ACME / X1"
    connectors = table.index(0, table.CONNECTORS)
    assert table.data(connectors) == "1: Faulted  2: Available"
    assert table.data(connectors, QtCore.Qt.ItemDataRole.ForegroundRole).name() == charger_list.STATUS_COLOURS["Faulted"]
    assert "GroundFailure" in table.data(connectors, QtCore.Qt.ItemDataRole.ToolTipRole)
    b = model.ChargerInfo("B", "2.0.1", True, warnings=["no Sec-WebSocket-Protocol header: assumed OCPP 1.6"])
    with qtbot.waitSignal(table.rowsInserted):
        table.update([a, b])
    assert table.data(table.index(1, table.WARNINGS)) == "1"
    a.connected = False
    table.update([a, b])
    assert table.rowCount() == 2 and table.data(table.index(0, table.STATE)) == "Disconnected"


def test_settings_dialog_validates_and_returns_settings(qtbot) -> None:
    dialog = settings_dialog.SettingsDialog(storage_settings.Settings())
    qtbot.addWidget(dialog)
    dialog.port.setValue(9100)
    dialog.heartbeat.setValue(45)
    dialog.mode.setCurrentIndex(1)
    dialog.allow_list_only.setChecked(True)
    assert dialog.problems()  # allow-list chosen but empty
    dialog.allowed.setPlainText("CP1\n\nCP2 \n")
    dialog.host.setText("not an address")
    assert len(dialog.problems()) == 1
    dialog.host.setText("0.0.0.0")
    assert dialog.problems() == []
    result = dialog.result_settings()
    assert (result.csms.port, result.csms.heartbeat_interval, result.csms.mode) == (9100, 45, model.Mode.STRICT)
    assert result.csms.allowed_chargers == ["CP1", "CP2"] and not result.csms.auto_accept
    assert type(result.csms.mode) is model.Mode and type(result.csms.boot_status) is model.BootStatus


def test_settings_dialog_refuses_to_close_with_errors(qtbot) -> None:
    dialog = settings_dialog.SettingsDialog(storage_settings.Settings())
    qtbot.addWidget(dialog)
    dialog.host.setText("nope")
    dialog.accept()
    assert dialog.result() != QtWidgets.QDialog.DialogCode.Accepted
    assert "IP address" in dialog.error.text()


def test_errors_reach_the_message_bar_and_bugs_the_crash_dialog(qtbot, monkeypatch, tmp_path) -> None:
    import sys

    from app.domain import errors
    from app.ui import message_bar

    class Host(QtWidgets.QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.message_bar = message_bar.MessageBar(self)

    host = Host()
    qtbot.addWidget(host)
    shown: list[str] = []
    monkeypatch.setattr(message_bar.CrashDialog, "exec", lambda self: shown.append(self.details.toPlainText()))
    old_hook = sys.excepthook
    try:
        message_bar.install_excepthook(tmp_path / "commissioner.log", lambda: host)
        try:
            raise errors.PortInUseError("0.0.0.0", 9000)
        except errors.PortInUseError:
            sys.excepthook(*sys.exc_info())
        assert "already in use" in host.message_bar.text.text() and "Settings" in host.message_bar.text.text()
        assert shown == []
        try:
            raise KeyError("bug")
        except KeyError:
            sys.excepthook(*sys.exc_info())
        assert shown and "KeyError: 'bug'" in shown[0]
    finally:
        sys.excepthook = old_hook


def test_the_shipped_fonts_cover_urdu_gujarati_and_gurmukhi(qapp) -> None:
    from PySide6 import QtGui

    from app.ui import fonts

    assert fonts.load() >= 5
    families = set(QtGui.QFontDatabase.families())
    assert {"Noto Nastaliq Urdu", "Noto Sans Gujarati", "Noto Sans Gurmukhi"} <= families
    for family, text in (("Noto Nastaliq Urdu", "لاہور"), ("Noto Sans Gujarati", "ગુજરાત"), ("Noto Sans Gurmukhi", "ਪੰਜਾਬ")):
        metrics = QtGui.QFontMetrics(QtGui.QFont(family))
        assert all(metrics.inFontUcs4(ord(char)) for char in text), family
