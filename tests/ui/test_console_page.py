"""The Console page in the real window: a virtual charger that is not online yet, reached over a
real pseudo-terminal. Read settings, the raw terminal (typing, history, the masked log), "Point it
at this laptop" and the window following the charger to the CSMS, the port list following plug
and unplug, and the forms that refuse wrong values."""

from __future__ import annotations

import asyncio
import pathlib
import sys

import pytest
from PySide6 import QtCore

from app.services import serial_console
from app.simulator import charger as sim_charger
from app.simulator import console as sim_console
from app.simulator import options as sim_options
from app.ui import console_dialogs
from tests.ui.conftest import wait
from tests.ui.test_main_window import open_window

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals: Linux and macOS")
DEAD_URL = "ws://127.0.0.1:9/ocpp"


class OfflineCharger:
    """A virtual charger on the engine's loop that knows no backend yet, with its console on a pty."""

    def __init__(self, engine, charger_id: str) -> None:
        self.engine = engine
        config = sim_options.SimConfig(url=DEAD_URL, charger_id=charger_id, reboot_delay=0.1,
                                       backoff_min=5, backoff_max=5)
        self.charger = sim_charger.VirtualCharger(config)
        self.server = sim_console.ConsoleServer(self.charger)
        self.task = None

    async def _start(self) -> str:
        path = self.server.plug()
        self.task = asyncio.create_task(self.charger.run())
        return path

    async def _stop(self) -> None:
        self.charger.stop()
        await asyncio.wait_for(self.task, 20)
        self.server.unplug()

    def start(self) -> str:
        return self.engine.submit(self._start()).result(10)

    def stop(self) -> None:
        self.engine.submit(self._stop()).result(30)


@pytest.fixture
def window(qtbot, qloop, isolated_data_dir: pathlib.Path):
    with open_window(qtbot, isolated_data_dir) as win:
        win.resize(1366, 768)
        win.show()
        yield win


@pytest.fixture
def offline(window):
    charger = OfflineCharger(window.core.engine, "CON-UI")
    path = charger.start()
    try:
        yield path
    finally:
        charger.stop()


def choose(page, port: str) -> None:
    page.port.setCurrentText(port)
    page.profile.setCurrentIndex(page.profile.findData("commissioner-virtual"))


def test_read_then_point_it_at_this_laptop_and_the_window_follows(qtbot, window, offline) -> None:
    assert window.center.currentWidget() is window.empty
    qtbot.mouseClick(window.empty.console_button, QtCore.Qt.MouseButton.LeftButton)
    page = window.console
    assert window.center.currentWidget() is window.workspace and window.workspace.pages.currentWidget() is page
    choose(page, offline)
    assert page.read_button.isEnabled() and page.here_button.isEnabled()
    qtbot.mouseClick(page.read_button, QtCore.Qt.MouseButton.LeftButton)
    wait(qtbot, lambda: page.read.get("charge_point_id") == "CON-UI", timeout=10_000)
    assert page.read["ocpp_url"] == DEAD_URL
    shown = {page.table.item(r, 0).text(): page.table.item(r, 1).text() for r in range(page.table.rowCount())}
    assert shown["charge_point_id"] == "CON-UI" and "wifi_ssid" in shown
    assert "get charge_point_id" in page.screen.toPlainText()  # the exchange is shown in the terminal
    assert window.center.currentWidget() is window.workspace  # no charger yet: the console stays up
    qtbot.mouseClick(page.here_button, QtCore.Qt.MouseButton.LeftButton)
    wait(qtbot, lambda: window.chargers.rowCount() == 1 and window.chargers.charger(0).connected, timeout=15_000)
    wait(qtbot, lambda: window.workspace.pages.currentWidget() is window.detail)
    assert window.workspace.title.text() == "CON-UI"
    assert "connected to this laptop" in window.message_bar.text.text()
    link = __import__("app.services.console_links", fromlist=["x"]).link_for(window.core.data_dir, "CON-UI")
    assert link is not None and link.port == offline and link.profile_id == "commissioner-virtual"
    logged = page.log_path.read_text()
    assert ">> set ocpp_url ws://" in logged and ">> ********" in logged  # the login password masked


def test_the_terminal_types_remembers_and_logs(qtbot, window, offline) -> None:
    window.open_console()
    page = window.console
    choose(page, offline)
    qtbot.mouseClick(page.connect_button, QtCore.Qt.MouseButton.LeftButton)
    wait(qtbot, lambda: "Connected to" in page.status.text())
    assert not page.port.isEnabled() and page.command.isEnabled()
    for line, shows in (("", "login: "), ("admin", "Password: "), ("virtual", "virtual> "),
                        ("get charge_point_id", "charge_point_id = CON-UI")):
        page.command.setText(line)
        qtbot.keyClick(page.command, QtCore.Qt.Key.Key_Return)
        wait(qtbot, lambda shows=shows: shows in page.screen.toPlainText())
    qtbot.keyClick(page.command, QtCore.Qt.Key.Key_Up)
    assert page.command.text() == "get charge_point_id"
    page.echo.setChecked(True)
    page.command.setText("get apn")
    qtbot.keyClick(page.command, QtCore.Qt.Key.Key_Return)
    wait(qtbot, lambda: page.screen.toPlainText().count("get apn") >= 1 and "apn = " in page.screen.toPlainText())
    # a profile action takes the port and gives it back to the terminal
    qtbot.mouseClick(page.read_button, QtCore.Qt.MouseButton.LeftButton)
    wait(qtbot, lambda: page.read.get("charge_point_id") == "CON-UI" and page.terminal is not None
         and "Connected to" in page.status.text(), timeout=10_000)
    qtbot.mouseClick(page.connect_button, QtCore.Qt.MouseButton.LeftButton)
    wait(qtbot, lambda: page.terminal is None and "Disconnected" in page.status.text())
    logged = page.log_path.read_text()
    assert ">> admin" in logged and ">> ********" in logged and "<< charge_point_id = CON-UI" in logged
    # into the run's evidence: none open yet, so it says what to do
    qtbot.mouseClick(page.to_run, QtCore.Qt.MouseButton.LeftButton)
    assert "Commission page" in window.message_bar.text.text()


def test_a_log_goes_into_the_open_run(qtbot, window, offline) -> None:
    from app.domain import runs
    page = window.console
    choose(page, offline)
    qtbot.mouseClick(page.read_button, QtCore.Qt.MouseButton.LeftButton)
    wait(qtbot, lambda: bool(page.read), timeout=10_000)
    run = runs.Run(id="run-1", charger_id="CON-UI", template="bench", steps=[])
    page.current_run = lambda: run
    window.core.runs.save_run(run)
    qtbot.mouseClick(page.to_run, QtCore.Qt.MouseButton.LeftButton)
    assert run.attachments and run.attachments[0]["kind"] == "console_log"
    assert "get charge_point_id" in pathlib.Path(run.attachments[0]["file"]).read_text()
    assert window.core.runs.get("run-1").attachments[0]["kind"] == "console_log"


def test_a_wrong_password_says_what_to_do(qtbot, window, offline) -> None:
    page = window.console
    choose(page, offline)
    page.password.setText("wrong")
    qtbot.mouseClick(page.read_button, QtCore.Qt.MouseButton.LeftButton)
    wait(qtbot, lambda: "refused the login" in window.message_bar.text.text(), timeout=10_000)
    assert "password" in window.message_bar.text.text().lower() and page.read == {}
    assert page.read_button.isEnabled() and not page.busy.isVisible()


def test_the_port_list_follows_plug_and_unplug(qtbot, window) -> None:
    page = window.console
    usb = serial_console.PortInfo("/dev/ttyUSB0", "FT232R USB UART", "0403:6001", "A10K")
    page.set_ports([])
    page.set_ports([usb])
    assert page.port.findText("/dev/ttyUSB0") >= 0 and page.port.currentText() == "/dev/ttyUSB0"
    assert "Plugged in: /dev/ttyUSB0 (FT232R USB UART)" in page.status.text()
    assert "USB 0403:6001" in page.port_info.text() and "A10K" in page.port_info.text()
    page.set_ports([])
    assert page.port.findText("/dev/ttyUSB0") < 0 and "Unplugged: /dev/ttyUSB0" in page.status.text()
    assert page.port.currentText() == "/dev/ttyUSB0" and "not in the system's port list" in page.port_info.text()


def test_the_demo_chargers_console_is_listed(qtbot, window) -> None:
    window.start_demo("1.6")
    wait(qtbot, lambda: bool(window.core.demo_consoles()), timeout=10_000)
    window.console.refresh_ports()
    wait(qtbot, lambda: window.console.port.findText(window.core.demo_consoles()[0].device) >= 0)


def test_the_forms_refuse_wrong_values(qtbot) -> None:
    network = console_dialogs.NetworkDialog({}, list(console_dialogs.NETWORK))
    qtbot.addWidget(network)
    assert "at least one" in network.problem_of()
    network.fields["ip_mode"].setCurrentIndex(network.fields["ip_mode"].findData("static"))
    network.fields["ip_address"].setText("192.168.1.300")
    assert "192.168.1.300 is not an IPv4 address" in network.problem_of()
    network.fields["ip_address"].setText("192.168.1.30")
    assert "netmask" in network.problem_of()
    network.fields["netmask"].setText("255.255.0.255")
    assert "is not a netmask" in network.problem_of()
    network.fields["netmask"].setText("255.255.255.0")
    assert network.problem_of() == ""
    assert network.values() == {"ip_mode": "static", "ip_address": "192.168.1.30", "netmask": "255.255.255.0"}
    network.fields["ip_mode"].setCurrentIndex(network.fields["ip_mode"].findData("dhcp"))
    assert network.values() == {"ip_mode": "dhcp", "ip_address": "192.168.1.30", "netmask": "255.255.255.0"} or \
        network.values() == {"ip_mode": "dhcp"}
    backend = console_dialogs.BackendDialog("http://x", "CP 1", ["ocpp_url", "charge_point_id"])
    qtbot.addWidget(backend)
    assert "ws://" in backend.problem_of()
    backend.url.setText("ws://10.0.0.5:9000/")
    assert "charger id" in backend.problem_of()
    backend.charger_id.setText("CP1")
    assert backend.problem_of() == "" and backend.values() == {"ocpp_url": "ws://10.0.0.5:9000/", "charge_point_id": "CP1"}
