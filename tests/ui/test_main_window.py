"""The technician's window end to end: demo charger, list, detail, log, busy port."""

from __future__ import annotations

import contextlib
import dataclasses
import pathlib
import socket

import pytest
from PySide6 import QtCore, QtWidgets

from app import core as app_core
from app.domain import errors, model
from app.storage import settings
from app.ui import bridge as ui_bridge
from app.ui import main_window
from tests.ui.conftest import wait


@contextlib.contextmanager
def open_window(qtbot, data_dir: pathlib.Path, configure=lambda csms: None, expect_start_error: bool = False):
    """Core + MainWindow over `data_dir`, with the CSMS settings adjusted first; closed after."""
    data_dir.mkdir(parents=True, exist_ok=True)
    core = app_core.Core(data_dir, port_override=0)
    core.settings.csms.host = "127.0.0.1"
    configure(core)
    if expect_start_error:
        with pytest.raises(errors.CommissionerError):
            core.start()
    else:
        core.start()
    win = main_window.MainWindow(core)
    qtbot.addWidget(win)
    try:
        yield win
    finally:
        win.ask = lambda title, text: True  # a test that left a charge running still quits
        win.close()
        core.shutdown()


@pytest.fixture
def window(qtbot, qloop, isolated_data_dir: pathlib.Path):
    with open_window(qtbot, isolated_data_dir) as win:
        win.show()
        yield win


def rows_with(win: main_window.MainWindow, charger: str, action: str) -> list[int]:
    model = win.log.model
    return [r for r in range(model.rowCount())
            if model.index(r, 1).data() == charger and model.index(r, 4).data() == action]


def test_demo_charger_appears_with_its_boot_in_the_log(qtbot, window) -> None:
    assert window.center.currentWidget() is window.empty
    demo_button = window.empty.findChildren(QtWidgets.QPushButton)[0]
    qtbot.mouseClick(demo_button, QtCore.Qt.MouseButton.LeftButton)
    wait(qtbot, lambda: window.chargers.rowCount() == 1 and window.chargers.charger(0).boot_status == "Accepted",
         timeout=10_000)
    assert window.center.currentWidget() is window.workspace
    model = window.chargers
    assert model.index(0, model.ID).data() == "DEMO-16-01"
    assert model.index(0, model.VENDOR).data() == "Commissioner / Demo AC 22 kW"
    assert model.index(0, model.STATE).data() == "Connected"
    wait(qtbot, lambda: len(rows_with(window, "DEMO-16-01", "BootNotification")) == 2)
    # the selected charger's workspace shows it, with its connectors
    assert window.workspace.title.text() == "DEMO-16-01"
    assert "connected · OCPP 1.6" in window.workspace.state.text()
    wait(qtbot, lambda: "1: Available" in model.index(0, model.CONNECTORS).data())


def test_the_configure_page_reads_the_configuration_when_opened(qtbot, window) -> None:
    window.start_demo("2.0.1")
    wait(qtbot, lambda: _booted(window, "DEMO-201-01"), timeout=10_000)
    window.charger_view.selectRow(0)
    assert len(window.configure.rows()) == 0  # nothing read until the technician looks
    window.workspace.show_page(window.configure)
    wait(qtbot, lambda: len(window.configure.rows()) > 20, timeout=10_000)
    names = {row.name for row in window.configure.rows()}
    assert "OCPPCommCtrlr.HeartbeatInterval" in names
    assert "Base report" in window.configure.result.text()
    wait(qtbot, lambda: len(rows_with(window, "DEMO-201-01", "NotifyReport")) >= 2)


def test_busy_port_is_explained_with_what_to_do(qtbot, qloop, isolated_data_dir: pathlib.Path) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    try:
        busy = blocker.getsockname()[1]
        with open_window(qtbot, isolated_data_dir, lambda core: setattr(core, "port_override", busy),
                         expect_start_error=True) as win:
            assert win.message_bar.isVisibleTo(win)
            assert "already in use" in win.message_bar.text.text()
            assert "Settings" in win.message_bar.text.text()
            assert win.message_bar.action_button.text() == "Open Settings…"
            assert "Not listening" in win.connection.status.text()
            win.start_demo("1.6")  # refused with a reason, never a crash
            wait(qtbot, lambda: "CSMS to be running" in win.message_bar.text.text())
    finally:
        blocker.close()


def test_right_to_left_layout_mirrors(qtbot, window, qapp) -> None:
    qapp.setLayoutDirection(QtCore.Qt.LayoutDirection.RightToLeft)
    try:
        # The direction change reaches the window by event and the layout is redone on a posted
        # LayoutRequest: wait for the mirrored geometry itself, not for a fixed time.
        wait(qtbot, lambda: window.isRightToLeft()
             and window.connection.mapTo(window, QtCore.QPoint(0, 0)).x() > window.width() // 2)
        assert window.isRightToLeft()
        assert window.connection.mapTo(window, QtCore.QPoint(0, 0)).x() > window.width() // 2
    finally:
        qapp.setLayoutDirection(QtCore.Qt.LayoutDirection.LeftToRight)


def _accept_dialog(monkeypatch, change) -> None:
    from app.ui import settings_dialog

    original = settings_dialog.SettingsDialog.result_settings

    def result(self):
        new = original(self)
        change(new.csms)
        return new

    # The technician presses OK as soon as the dialog opens (open(): no nested event loop).
    monkeypatch.setattr(settings_dialog.SettingsDialog, "open",
                        lambda self: self.done(QtWidgets.QDialog.DialogCode.Accepted.value))
    monkeypatch.setattr(settings_dialog.SettingsDialog, "result_settings", result)


def _booted(window, charger_id: str) -> bool:
    row = window.chargers.row_of(charger_id)
    return row >= 0 and window.chargers.charger(row).boot_status == "Accepted" and window.chargers.charger(row).connected


def test_settings_apply_live_and_chargers_stay_connected(qtbot, window, monkeypatch) -> None:
    window.start_demo("1.6")
    wait(qtbot, lambda: _booted(window, "DEMO-16-01"), timeout=10_000)
    engine = window.core.engine
    _accept_dialog(monkeypatch, lambda csms: (setattr(csms, "heartbeat_interval", 77),
                                              setattr(csms, "boot_status", model.BootStatus.PENDING)))
    window.open_settings()
    wait(qtbot, lambda: "applied" in window.message_bar.text.text())
    assert window.core.engine is engine  # no restart: the charger never noticed
    assert engine.config.heartbeat_interval == 77 and engine.config.boot_status is model.BootStatus.PENDING
    assert _booted(window, "DEMO-16-01")
    saved = settings.load(window.core.data_dir)
    assert saved.csms.heartbeat_interval == 77


def test_port_change_restarts_the_csms(qtbot, window, monkeypatch) -> None:
    engine = window.core.engine
    _accept_dialog(monkeypatch, lambda csms: setattr(csms, "port", 9999))
    window.open_settings()
    wait(qtbot, lambda: "now listens" in window.message_bar.text.text())
    assert window.core.engine is not engine and window.bridge.engine is window.core.engine
    assert window.connection.port == window.core.engine.server.port  # (override 0 in tests: a free port)
    # The old bridge is gone: it no longer listens to the old engine, nor holds it from the window.
    wait(qtbot, lambda: len(window.findChildren(ui_bridge.EngineBridge)) == 1)
    assert not engine._listeners
    assert len(window.findChildren(ui_bridge.EngineBridge)) == 1
    window.start_demo("2.0.1")
    wait(qtbot, lambda: _booted(window, "DEMO-201-01"), timeout=10_000)


def test_demo_chargers_pass_the_allow_list(qtbot, qloop, isolated_data_dir: pathlib.Path) -> None:
    def allow_list(core: app_core.Core) -> None:
        core.settings.csms.auto_accept = False
        core.settings.csms.allowed_chargers = ["REAL-1"]

    with open_window(qtbot, isolated_data_dir, allow_list) as win:
        win.start_demo("1.6")
        wait(qtbot, lambda: _booted(win, "DEMO-16-01"), timeout=10_000)
        assert win.connection.address_combo.currentText() == "127.0.0.1"  # the configured host, not the LAN


def test_strict_toggle_applies_to_the_live_session(qtbot, window) -> None:
    window.start_demo("1.6")
    wait(qtbot, lambda: _booted(window, "DEMO-16-01"), timeout=10_000)
    window.charger_view.selectRow(window.chargers.row_of("DEMO-16-01"))
    assert window.detail.strict.isVisible() and not window.detail.strict.isChecked()
    window.detail.strict.click()
    wait(qtbot, lambda: "strict compliance" in window.message_bar.text.text())
    engine = window.core.engine

    async def mode():
        return engine.server.session("DEMO-16-01").mode

    assert engine.submit(mode()).result(5) is model.Mode.STRICT
    assert settings.load(window.core.data_dir).csms.charger_modes == {"DEMO-16-01": model.Mode.STRICT}


def test_damaged_settings_open_with_defaults_and_say_so(qtbot, qloop, isolated_data_dir: pathlib.Path) -> None:
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    (isolated_data_dir / settings.FILE_NAME).write_text('{"schema_version": 1, "csms": {"port": "abc"}}')
    with open_window(qtbot, isolated_data_dir) as win:
        assert "invalid value for port" in win.message_bar.text.text()
        assert win.core.engine is not None  # running with defaults


def test_quick_actions_wait_for_the_running_one(qtbot, window) -> None:
    window.start_demo("1.6")
    wait(qtbot, lambda: _booted(window, "DEMO-16-01"), timeout=10_000)
    window.charger_view.selectRow(window.chargers.row_of("DEMO-16-01"))
    window.detail.run_quick("trigger_status")
    assert window.detail._busy
    window._refresh_ages()  # the 1 s timer must not re-enable the buttons mid-operation
    assert not window.detail.buttons["trigger_heartbeat"].isEnabled()
    wait(qtbot, lambda: not window.detail._busy)
    assert window.detail.buttons["trigger_heartbeat"].isEnabled()
    assert "✓ TriggerMessage: Accepted" in window.detail.result.text()


def test_charger_text_is_never_rendered_as_markup(qtbot, window) -> None:
    info = model.ChargerInfo("EVIL", "1.6", True, vendor="<b>ACME</b>", model="<img src=x>",
                             connectors={"1": model.ConnectorState(1, "<i>Charging</i>")})
    window.detail.set_charger(info)
    assert "&lt;b&gt;ACME&lt;/b&gt;" in window.detail.identity.text()
    window.workspace.set_charger(info)
    assert window.workspace.title.textFormat() == QtCore.Qt.TextFormat.PlainText
    assert window.detail.live.item(0, 1).text() == "<i>Charging</i>"  # a table cell: never markup


def test_a_failed_journal_is_shown_in_the_message_bar(qtbot, window) -> None:
    from tests.integration.test_journal_failure import break_writes

    window.start_demo("1.6")
    wait(qtbot, lambda: _booted(window, "DEMO-16-01"), timeout=10_000)
    break_writes(window.core.journal_path)
    window.detail.run_quick("trigger_heartbeat")  # any frame now fails to be recorded
    wait(qtbot, lambda: "journal failed" in window.message_bar.text.text(), timeout=10_000)
    assert "Free disk space" in window.message_bar.text.text()


def test_the_busy_state_clears_when_a_configuration_read_fails(qtbot, window) -> None:
    window.start_demo("2.0.1")
    wait(qtbot, lambda: _booted(window, "DEMO-201-01"), timeout=10_000)
    window.charger_view.selectRow(window.chargers.row_of("DEMO-201-01"))
    engine = window.core.engine

    async def refuse_reports() -> None:
        # The charger goes away the moment it is asked for its report.
        await engine.server.disconnect("DEMO-201-01")

    original = engine.call

    async def call(charger_id, action, payload, timeout=None):
        if action == "GetBaseReport":
            await refuse_reports()
        return await original(charger_id, action, payload, timeout)

    engine.call = call
    window.workspace.show_page(window.configure)
    wait(qtbot, lambda: bool(window.configure.busy_with))
    wait(qtbot, lambda: not window.configure.busy_with, timeout=10_000)
    assert "not connected" in window.configure.result.text()
    assert not window.configure.progress.isVisible()
    # The snapshot saying it left may come after the failure: it must not wipe the reason.
    gone = dataclasses.replace(window.configure.info, connected=False)
    window.configure.set_charger(gone)
    assert "not connected" in window.configure.result.text()


def test_an_id_with_bidi_and_control_characters_is_shown_escaped(qtbot, window) -> None:
    evil = "EVIL\u202egnp.exe\t1"
    info = model.ChargerInfo(evil, "1.6", True, vendor="V\u2066X", connectors={"1": model.ConnectorState(1, "Avail\u202eable")})
    window.chargers.update([info])
    shown = window.chargers.index(0, window.chargers.ID).data()
    assert shown == "EVIL\\u202egnp.exe\\t1" and "\u202e" not in shown
    assert "\u2066" not in window.chargers.index(0, window.chargers.VENDOR).data()
    window.detail.set_charger(info)
    window.workspace.set_charger(info)
    assert window.workspace.title.text() == shown
    assert "\u202e" not in window.detail.identity.text() and "\u2066" not in window.detail.identity.text()


def test_messages_never_move_the_layout(qtbot, window) -> None:
    below = lambda: window.centralWidget().layout().itemAt(1).widget().mapTo(window, QtCore.QPoint(0, 0)).y()  # noqa: E731
    wait(qtbot, lambda: "CSMS listening on port" in window.message_bar.text.text())  # the quiet status line
    idle_y, idle_height = below(), window.message_bar.height()
    window.message_bar.show_message("info", "A notice")
    assert below() == idle_y and window.message_bar.showing
    window.message_bar.show_error(errors.CsmsError("Something failed.", hint="Do this next."))
    assert below() == idle_y and window.message_bar.height() == idle_height
    window.message_bar.dismiss()
    assert below() == idle_y and not window.message_bar.showing
    assert "CSMS listening on port" in window.message_bar.text.text()


def test_the_connecting_notice_gives_way_once_the_demo_charger_is_there(qtbot, window) -> None:
    window.start_demo("1.6")
    wait(qtbot, lambda: "is connected (boot Accepted)" in window.message_bar.text.text(), timeout=10_000)
    assert "connecting" not in window.message_bar.text.text()


def test_a_disconnected_charger_is_greyed_and_can_be_forgotten(qtbot, window) -> None:
    window.start_demo("1.6")
    wait(qtbot, lambda: _booted(window, "DEMO-16-01"), timeout=10_000)
    wait(qtbot, lambda: "Available" in (window.chargers.index(0, window.chargers.CONNECTORS).data() or ""))
    window.stop_demos()
    wait(qtbot, lambda: window.chargers.charger(0).connected is False, timeout=10_000)
    cell = window.chargers.index(0, window.chargers.CONNECTORS)
    assert cell.data().startswith("last seen:")
    assert cell.data(QtCore.Qt.ItemDataRole.ForegroundRole).name() == "#757575"  # no live green
    window.charger_view.selectRow(0)
    wait(qtbot, lambda: window.detail.forget.isVisible())
    assert window.detail.live.item(0, 1).text().startswith("last seen:")
    assert window.detail.live.item(0, 1).foreground().color().name() == "#9e9e9e"  # grey, not a live green
    assert "disconnected · last seen" in window.workspace.state.text()
    window.detail.forget.click()
    wait(qtbot, lambda: window.chargers.rowCount() == 0)
    assert window.detail.info is None


def test_quitting_during_a_charge_asks(qtbot, window) -> None:
    info = model.ChargerInfo("CHARGING-1", "1.6", True, transactions={"17": "1"})
    window.chargers.update([info])
    asked: list[str] = []
    window.ask = lambda title, text: asked.append(text) or False
    window.close()
    assert asked and "CHARGING-1" in asked[0]
    assert window.isVisible()  # still open: the technician said no
    window.ask = lambda title, text: True
    window.close()
    assert not window.isVisible()


def test_every_quick_action_that_interrupts_charging_asks(qtbot, window) -> None:
    window.start_demo("1.6")
    wait(qtbot, lambda: _booted(window, "DEMO-16-01"), timeout=10_000)
    window.charger_view.selectRow(window.chargers.row_of("DEMO-16-01"))
    asked: list[str] = []
    window.detail.ask = lambda title, text: asked.append(text) or False
    for kind in ("reset_soft", "reset_hard", "inoperative", "unlock"):
        window.detail.run_quick(kind)
        assert not window.detail._busy  # declined: nothing sent
    assert len(asked) == 4 and all("DEMO-16-01" in text for text in asked)
    window.detail.run_quick("trigger_heartbeat")  # harmless: no question
    assert len(asked) == 4
    window.detail.run_quick("start_charge")  # starting a charge interrupts nothing
    assert len(asked) == 4


def test_the_window_fits_a_1366_by_768_laptop(window) -> None:
    # What a technician's laptop leaves of its screen beside the task bar: no page may need more.
    smallest = window.minimumSizeHint()
    assert smallest.width() <= 1366 and smallest.height() <= 728, smallest
