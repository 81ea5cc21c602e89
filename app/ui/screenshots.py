"""`make screenshots`: the main window in its typical states, saved to docs/screenshots/.

Runs the real app (engine in its thread, demo chargers, qasync) offscreen, unless
QT_QPA_PLATFORM names another platform (e.g. xcb under Xvfb).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import sys
import tempfile
import time
from typing import Callable

import qasync
from PySide6 import QtCore, QtWidgets

from app import core as app_core
from app.ui import fonts, main_window

ROOT = pathlib.Path(__file__).resolve().parents[2]


async def until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("screen did not reach the expected state")
        await asyncio.sleep(0.05)


def save(window: QtWidgets.QWidget, out: pathlib.Path, name: str) -> pathlib.Path:
    QtWidgets.QApplication.processEvents()
    path = out / f"{name}.png"
    window.grab().save(str(path))
    print(path)
    return path


SIZES = ((1280, 720), (1366, 768), (1920, 1080))  # the technician's laptops, and a desk screen


async def shoot(window: main_window.MainWindow, out: pathlib.Path) -> None:
    app = QtWidgets.QApplication.instance()
    shots: list[tuple[str, Callable[[], None]]] = []
    window.resize(*SIZES[0])
    await asyncio.sleep(0.3)
    for width, height in SIZES:
        window.resize(width, height)
        await asyncio.sleep(0.2)
        save(window, out, f"{width}x{height}-01-empty-state")

    window.start_demo("1.6")
    window.start_demo("2.0.1")
    await until(lambda: window.chargers.rowCount() == 2 and all(
        window.chargers.charger(r).boot_status == "Accepted" for r in range(2)))
    # A test charge on the 1.6 demo: the Overview shows its live kW, kWh and A.
    window.charger_view.selectRow(window.chargers.row_of("DEMO-16-01"))
    window.detail.run_quick("start_charge")
    await until(lambda: any((m.reading.power_w or 0) > 0 for m in (window.detail.info.meters or {}).values()))
    window.workspace.show_page(window.configure)
    await until(lambda: len(window.configure.rows()) > 5)
    window.charger_view.selectRow(window.chargers.row_of("DEMO-201-02"))
    await until(lambda: len(window.configure.rows()) > 20)
    window.charger_view.selectRow(window.chargers.row_of("DEMO-16-01"))
    await until(lambda: len(window.configure.rows()) > 5)

    def overview() -> None:
        window.charger_view.selectRow(window.chargers.row_of("DEMO-16-01"))
        window.workspace.show_page(window.detail)

    def configure() -> None:
        window.charger_view.selectRow(window.chargers.row_of("DEMO-201-02"))
        window.workspace.show_page(window.configure)

    def messages() -> None:
        window.charger_view.selectRow(window.chargers.row_of("DEMO-201-02"))
        window.workspace.show_page(window.log)
        log = window.log
        for row in range(log.model.rowCount()):
            if log.model.index(row, 4).data() == "BootNotification":
                log.view.selectRow(row)
                break

    def advanced() -> None:
        window.charger_view.selectRow(window.chargers.row_of("DEMO-16-01"))
        window.workspace.show_page(window.send_panel)

    shots = [("02-overview", overview), ("03-configure", configure), ("04-messages", messages),
             ("05-advanced", advanced)]
    panel = window.send_panel
    advanced()
    panel.set_action("GetConfiguration")
    panel.send_button.click()
    await until(lambda: "configurationKey" in panel.response_view.toPlainText())
    for width, height in SIZES:
        window.resize(width, height)
        for name, show in shots:
            show()
            await asyncio.sleep(0.2)
            save(window, out, f"{width}x{height}-{name}")

    # A bench commissioning of the 1.6 demo, from the Commission page.
    window.resize(1366, 768)
    overview()
    page = window.commission
    window.workspace.show_page(page)
    page.template_combo.setCurrentIndex(page.template_combo.findData("ac-iec"))
    page.new_button.click()
    for key, value in (("site", "Lahore depot — لاہور"), ("technician", "Ayesha Khan, reg. 4411"),
                       ("pe_continuity", "0.31"), ("insulation", "0.4")):
        page.table.setCurrentCell(next(r for r, st in enumerate(page.run.steps) if st.key == key), 0)
        page.entry_edit.setText(value)
        page.save_entry()
    page.run_checks()
    await until(lambda: page.run is not None and page.run.ended_ms > 0, timeout=90)
    page.table.setCurrentCell(next(r for r, st in enumerate(page.run.steps) if st.key == "zs"), 0)
    page.entry_edit.setText("2.1")
    await asyncio.sleep(0.2)
    save(window, out, "1366x768-08-commission")

    # Hand over, on the 2.0.1 demo: the operator's address tested from the laptop first.
    configure()
    panel = window.configure.handover
    panel.setChecked(True)
    panel.url.setText("ws://127.0.0.1:1/ocpp")
    panel.profile.setCurrentIndex(1)
    panel.test_url()
    await until(lambda: "refuses" in panel.result.text() or "no answer" in panel.result.text())
    await asyncio.sleep(0.2)
    save(window, out, "1366x768-09-handover")

    # The 2.0.1 device model compared with a snapshot taken before two changes.
    panel.setChecked(False)
    page = window.configure
    page.ask = lambda *a: True
    page.tools.take_snapshot()
    for name, value in (("OCPPCommCtrlr.HeartbeatInterval", "120"), ("SampledDataCtrlr.TxUpdatedInterval", "30")):
        page.change(page.row(name), value)
        await until(lambda: not page.busy_with and page.row(name).value == value)
    page.tools.choose(page.tools.compare.itemData(1))  # the snapshot just taken
    page.view.scrollTo(page.proxy_index("OCPPCommCtrlr.HeartbeatInterval"),
                       QtWidgets.QAbstractItemView.ScrollHint.PositionAtTop)
    await asyncio.sleep(0.2)
    save(window, out, "1366x768-10-configure-diff")
    page.tools.choose(None)

    window.resize(*SIZES[0])
    overview()
    app.setLayoutDirection(QtCore.Qt.LayoutDirection.RightToLeft)
    await asyncio.sleep(0.3)
    save(window, out, "1280x720-06-right-to-left")
    app.setLayoutDirection(QtCore.Qt.LayoutDirection.LeftToRight)
    window.ask = lambda *a: True  # the test charge is still running: quitting must not ask

    # The demo chargers go away: greyed, "last seen", the settings last read kept, Forget offered.
    window.stop_demos()
    await until(lambda: not any(window.chargers.charger(r).connected for r in range(window.chargers.rowCount())))
    overview()
    await asyncio.sleep(0.3)
    save(window, out, "1280x720-07-disconnected")


async def shoot_files(window: main_window.MainWindow, out: pathlib.Path, image: pathlib.Path) -> None:
    """The Firmware page mid-download (a demo charger downloading at a bytes/s limit) and the
    Diagnostics page with the log it sent, its archive's contents listed."""
    window.resize(1366, 768)
    core = window.core
    slow = core.engine.submit(core.demo.start("1.6", slow_download=120_000.0)).result(10)
    await until(lambda: window.chargers.row_of(slow) >= 0 and window.chargers.charger(
        window.chargers.row_of(slow)).boot_status == "Accepted")
    window.charger_view.selectRow(window.chargers.row_of(slow))
    page = window.firmware
    window.workspace.show_page(page)
    page.add_files([str(image)])
    await until(lambda: page.library.rowCount() == 1 and page.adding == 0)
    page.update_button.setEnabled(True)
    page._start(slow, page.selected_image(), page.options.options())
    bar = page.job_view.bar
    await until(lambda: bar.maximum() == 1000 and 300 <= bar.value() <= 700, timeout=90)
    await asyncio.sleep(0.3)
    save(window, out, "firmware_mid")
    page.cancel()

    window.workspace.show_page(window.diagnostics)
    diagnostics = window.diagnostics
    diagnostics.get_log(diagnostics_kind())
    await until(lambda: slow in diagnostics.running)
    await until(lambda: not diagnostics.running and diagnostics.received.rowCount() > 0, timeout=60)
    diagnostics.list_contents()
    await until(lambda: diagnostics.contents.isVisibleTo(diagnostics) and diagnostics.contents.rowCount() > 0)
    await asyncio.sleep(0.3)
    save(window, out, "diagnostics")


async def shoot_security(window: main_window.MainWindow, out: pathlib.Path) -> None:
    """The Security page of a 2.0.1 demo charger on a CSMS with TLS on: the CA, an upgrade 0 -> 1 -> 2
    done, the certificates it holds, its security events and a failed TLS handshake (TLS spoken to the
    plain port, as a charger set to wss:// on the wrong port does); and the Settings' Security group."""
    import socket
    import ssl

    window.resize(1366, 768)
    core = window.core
    charger_id = core.engine.submit(core.demo.start("2.0.1")).result(10)
    await until(lambda: window.chargers.row_of(charger_id) >= 0 and window.chargers.charger(
        window.chargers.row_of(charger_id)).boot_status == "Accepted")
    window.charger_view.selectRow(window.chargers.row_of(charger_id))
    page = window.security
    window.workspace.show_page(page)
    await until(lambda: page.authority is not None, timeout=30)
    await asyncio.sleep(0.3)
    save(window, out, "security_ca")
    for profile in (1, 2):
        await until(lambda: page.upgrade_button.isEnabled() and page.target.findData(profile) >= 0, timeout=30)
        page.target.setCurrentIndex(page.target.findData(profile))
        page.upgrade()
        await until(lambda: charger_id in page.running)
        await until(lambda: charger_id not in page.running, timeout=120)
    await until(lambda: page.event_table.rowCount() > 0 and page.read_button.isEnabled(), timeout=30)
    await asyncio.sleep(0.3)
    save(window, out, "security_upgrade_done")
    page.read_list()
    await until(lambda: page.cert_table.rowCount() > 0)
    page.cert_table.selectRow(0)
    await asyncio.sleep(0.3)
    save(window, out, "security_certificates")

    def tls_to_plain_port() -> None:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        try:
            with socket.create_connection(("127.0.0.1", core.engine.server.port), timeout=5) as raw:
                with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                    pass
        except OSError:
            pass  # refused, as it should be: the page says why

    await asyncio.to_thread(tls_to_plain_port)
    await until(lambda: page.failure_table.rowCount() > 0)
    await asyncio.sleep(0.3)
    save(window, out, "security_events_failures")
    from app.ui import settings_dialog
    dialog = settings_dialog.SettingsDialog(core.settings, window)
    dialog.show()
    await asyncio.sleep(0.3)
    save(dialog, out, "security_settings")
    dialog.close()


async def shoot_charging(window: main_window.MainWindow, out: pathlib.Path) -> None:
    """The Charging page at 1366x768 during a charge: the live plot, then each action tab with its result."""
    window.resize(1366, 768)
    core = window.core
    charger_id = await asyncio.wrap_future(core.engine.submit(core.demo.start("1.6", meter_interval=1.0)))
    await until(lambda: window.chargers.row_of(charger_id) >= 0
                and window.chargers.charger(window.chargers.row_of(charger_id)).boot_status == "Accepted")
    window.charger_view.selectRow(window.chargers.row_of(charger_id))
    window.workspace.show_page(window.charging)
    tools = window.charging.toolbox
    tools.setCurrentWidget(tools.limit)
    tools.limit.limit.setValue(10)
    tools.limit.set_limit()
    await until(lambda: not tools.limit.busy and "composite" in tools.limit.result.text(), timeout=30)
    window.detail.run_quick("start_charge")
    await until(lambda: bool(window.core.engine.registry.chargers[charger_id].transactions))
    tools.limit.observe()
    await until(lambda: not tools.limit.busy and "obey" in tools.limit.result.text(), timeout=90)
    save(window, out, "1366x768-11-charging-limit")
    for transaction in list(core.engine.registry.chargers[charger_id].transactions):
        await asyncio.wrap_future(core.engine.submit(core.engine.call(
            charger_id, "RemoteStopTransaction", {"transactionId": int(transaction)})))
    await until(lambda: not window.core.engine.registry.chargers[charger_id].transactions)
    tools.setCurrentWidget(tools.test_charge)
    tools.test_charge.start()
    await until(lambda: tools.test_charge.busy)
    await until(lambda: not tools.test_charge.busy, timeout=120)
    save(window, out, "1366x768-12-charging-test-charge")
    tools.setCurrentWidget(tools.tags)
    tools.tags.add_tag("04A2B3C4D5", "Blocked")
    tools.tags.add_tag("04FFEE0011")
    tools.tags.table.selectRow(0)
    tools.tags.present()
    await until(lambda: "answered" in tools.tags.result.text(), timeout=30)
    save(window, out, "1366x768-13-charging-test-tags")


async def shoot_console(window: main_window.MainWindow, out: pathlib.Path) -> None:
    """The Console page at 1366x768 with the virtual profile loaded: settings read, then the terminal
    after a typed login and a command, then the charger pointed at this laptop and followed."""
    window.resize(1366, 768)
    window.open_console()
    save(window, out, "1366x768-14-console-empty")
    window.start_demo("1.6")
    await until(lambda: bool(window.core.demo_consoles()))
    page = window.console
    page.refresh_ports()
    device = window.core.demo_consoles()[0].device
    await until(lambda: page.port.findText(device) >= 0)
    page.port.setCurrentText(device)
    page.profile.setCurrentIndex(page.profile.findData("commissioner-virtual"))
    page.read_settings()
    await until(lambda: bool(page.read))
    page.open_terminal()
    await until(lambda: page.terminal is not None and page.terminal.state == "open")
    for line, shows in (("", "login: "), ("admin", "Password: "), ("virtual", "virtual> "),
                        ("get ocpp_url", "ocpp_url = ")):
        page.command.setText(line)
        page.send_line()
        await until(lambda shows=shows: shows in page.screen.toPlainText().rpartition("[Connected to")[2])
    save(window, out, "1366x768-15-console-profile")
    await asyncio.to_thread(page.terminal.close)
    page.terminal = None
    page._update()


def diagnostics_kind():
    from app.domain import jobs
    return jobs.Kind.DIAGNOSTICS


def files_image(folder: pathlib.Path) -> pathlib.Path:
    from app.domain import firmware as fw_words
    path = folder / "wallbox-ac22-2.4.1.bin"
    path.write_bytes(fw_words.manifest_header("2.4.1") + os.urandom(6 << 20))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--files", action="store_true",
                        help="only the Firmware (mid-download) and Diagnostics pages: firmware_mid.png, diagnostics.png")
    parser.add_argument("--charging", action="store_true",
                        help="only the Charging page during a charge and its action tabs: *-charging-*.png")
    parser.add_argument("--console", action="store_true",
                        help="only the Console page with the virtual profile loaded: *-console-*.png")
    parser.add_argument("--security", action="store_true",
                        help="only the Security page (TLS on) and the Settings' Security group: security_*.png")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("QT_QPA_PLATFORM"):  # read when the QApplication is created, not before
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("Commissioner")
    fonts.load()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    data = pathlib.Path(tempfile.mkdtemp(prefix="commissioner-shots-"))
    core = app_core.Core(data, port_override=9000)
    core.settings.csms.tls = args.security  # the wss:// listener (a free port) for the Security page
    try:
        core.start()
    except Exception:
        core.settings.csms.port = 0  # 9000 busy here: any port shows the same screens
        core.start()
    window = main_window.MainWindow(core)
    window.show()
    try:
        with loop:
            if args.security:
                loop.run_until_complete(shoot_security(window, out))
            elif args.console:
                loop.run_until_complete(shoot_console(window, out))
            elif args.charging:
                loop.run_until_complete(shoot_charging(window, out))
            elif args.files:
                loop.run_until_complete(shoot_files(window, out, files_image(data)))
            else:
                loop.run_until_complete(shoot(window, out))
    finally:
        window.close()
        core.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
