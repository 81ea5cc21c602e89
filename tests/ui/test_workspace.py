"""The per-charger workspace, end to end: demo chargers over real websockets, the real window.

Overview (live power, test charge), Configure (edit a value, read back), Messages, Advanced,
the connection panel giving its room back, keyboard-only use, refusals in the message bar.
"""

from __future__ import annotations

import pytest
import websockets.sync.client
from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest

from app.services import operations
from app.ui import configure_page
from tests.ui.conftest import wait
from tests.ui.test_main_window import _booted, open_window, rows_with

Key = QtCore.Qt.Key


@pytest.fixture
def window(qtbot, qloop, isolated_data_dir):
    with open_window(qtbot, isolated_data_dir) as win:
        win.resize(1280, 720)  # the technician's laptop
        win.show()
        yield win


def demo(qtbot, window, version: str) -> str:
    """Start a demo charger of `version`, wait for its boot, select it; its id."""
    before = {window.chargers.charger(r).charger_id for r in range(window.chargers.rowCount())}
    prefix = f"DEMO-{version.replace('.', '')}-"
    window.start_demo(version)

    def new() -> str:
        ids = {window.chargers.charger(r).charger_id for r in range(window.chargers.rowCount())} - before
        return next((i for i in ids if i.startswith(prefix) and _booted(window, i)), "")

    wait(qtbot, new, timeout=10_000)
    charger_id = new()
    window.charger_view.selectRow(window.chargers.row_of(charger_id))
    return charger_id


def configure(qtbot, window) -> configure_page.ConfigurePage:
    window.workspace.show_page(window.configure)
    wait(qtbot, lambda: len(window.configure.rows()) > 5 and not window.configure.busy_with, timeout=10_000)
    return window.configure


def value_of(page: configure_page.ConfigurePage, name: str) -> str:
    return page.value_item(name).text()


def edit(page: configure_page.ConfigurePage, name: str, value: str) -> None:
    """What the delegate does when the technician types a value and presses Enter."""
    page.value_item(name).setText(value)


@pytest.mark.parametrize("version, name", [("1.6", "HeartbeatInterval"), ("2.0.1", "OCPPCommCtrlr.HeartbeatInterval")])
def test_editing_a_value_changes_it_on_the_charger_and_shows_what_it_holds(qtbot, window, version, name) -> None:
    charger_id = demo(qtbot, window, version)
    page = configure(qtbot, window)
    assert value_of(page, name) != "45"
    edit(page, name, "45")
    assert value_of(page, name) != "45"  # until the charger confirms, the cell shows what it holds
    wait(qtbot, lambda: value_of(page, name) == "45" and not page.busy_with, timeout=10_000)
    assert "is now “45” (Accepted)" in page.result.text()
    action = "ChangeConfiguration" if version == "1.6" else "SetVariables"
    wait(qtbot, lambda: len(rows_with(window, charger_id, action)) == 2)  # sent and answered

    async def held() -> dict:
        from app.services import configuration
        row = page.row(name)
        return (await configuration.read_one(window.core.engine, charger_id, row)).value

    assert window.core.engine.submit(held()).result(5) == "45"  # the charger itself holds it


def test_a_wrong_value_is_refused_before_sending_and_a_read_only_one_cannot_be_edited(qtbot, window) -> None:
    charger_id = demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    before = value_of(page, "OCPPCommCtrlr.HeartbeatInterval")
    edit(page, "OCPPCommCtrlr.HeartbeatInterval", "soon")
    assert "takes a whole number" in window.message_bar.text.text() and "Nothing was sent" in window.message_bar.text.text()
    assert value_of(page, "OCPPCommCtrlr.HeartbeatInterval") == before
    assert rows_with(window, charger_id, "SetVariables") == []
    read_only = page.value_item("ChargingStation.SerialNumber")
    assert not read_only.isEditable()


def test_a_refused_change_says_so_and_keeps_the_old_value(qtbot, window) -> None:
    demo(qtbot, window, "1.6")
    page = configure(qtbot, window)
    before = value_of(page, "HeartbeatInterval")
    edit(page, "HeartbeatInterval", "-5")
    wait(qtbot, lambda: "Rejected" in window.message_bar.text.text(), timeout=10_000)
    assert value_of(page, "HeartbeatInterval") == before
    assert "refused the value" in window.message_bar.text.text()


def test_a_setting_that_moves_the_backend_asks_first_naming_the_charger(qtbot, window) -> None:
    charger_id = demo(qtbot, window, "1.6")
    page = configure(qtbot, window)
    asked: list[str] = []
    page.ask = lambda title, text: asked.append(text) or False
    name = next(r.name for r in page.rows() if r.writable and r.detail in ("", "string") and operations.confirmation(
        "ChangeConfiguration", {"key": r.name}))
    edit(page, name, "ws://elsewhere.example:80/")
    assert asked and charger_id in asked[0] and "may not come back" in asked[0]
    assert not page.busy_with  # declined: nothing sent
    assert rows_with(window, charger_id, "ChangeConfiguration") == []


def test_a_change_sent_from_the_advanced_page_is_read_back_not_left_stale(qtbot, window) -> None:
    demo(qtbot, window, "1.6")
    page = configure(qtbot, window)
    assert value_of(page, "HeartbeatInterval") != "33"
    window.workspace.show_page(window.send_panel)
    panel = window.send_panel
    panel.set_action("ChangeConfiguration")
    panel.form.set_value({"key": "HeartbeatInterval", "value": "33"})
    panel.send_button.click()
    wait(qtbot, lambda: value_of(page, "HeartbeatInterval") == "33", timeout=10_000)


def test_a_test_charge_shows_live_power_and_stops_by_its_real_transaction(qtbot, window) -> None:
    charger_id = demo(qtbot, window, "1.6")
    detail = window.detail
    assert not detail.buttons["stop_charge"].isEnabled()  # nothing to stop yet
    assert detail.connector_combo.currentText() == "1"  # a real connector, not the whole charger
    detail.buttons["start_charge"].click()
    wait(qtbot, lambda: "✓ RemoteStartTransaction: Accepted" in detail.result.text(), timeout=10_000)
    # The live table: kW, kWh and A on connector 1, and the session's transaction id.
    def row_of_connector_1() -> int:
        return next((r for r in range(detail.live.rowCount()) if detail.live.item(r, 0).text() == "1"), -1)

    wait(qtbot, lambda: row_of_connector_1() >= 0)
    row = row_of_connector_1()
    wait(qtbot, lambda: not detail._busy)
    detail.buttons["trigger_meter"].click()  # the demo samples every 10 s: ask for a reading now
    wait(qtbot, lambda: detail.live.item(row, 2).text().endswith(" kW") and detail.live.item(row, 2).text() != "0.0 kW",
         timeout=10_000)
    assert detail.live.item(row, 1).text() == "Charging"
    assert detail.live.item(row, 3).text().endswith(" kWh") and detail.live.item(row, 4).text().endswith(" A")
    transaction = detail.live.item(row, 5).text()
    assert transaction and transaction in detail.info.transactions
    wait(qtbot, lambda: detail.buttons["stop_charge"].isEnabled())
    asked: list[str] = []
    detail.ask = lambda title, text: asked.append(text) or True
    detail.buttons["stop_charge"].click()
    assert asked and charger_id in asked[0]
    wait(qtbot, lambda: "✓ RemoteStopTransaction: Accepted" in detail.result.text(), timeout=10_000)
    wait(qtbot, lambda: not detail.info.transactions, timeout=10_000)
    stop = window.log.model  # the stop carried the real id, not a placeholder 0
    window.log.set_charger_filter(charger_id)
    wait(qtbot, lambda: any(stop.index(r, 4).data() == "RemoteStopTransaction" for r in range(stop.rowCount())))
    window.core.engine.journal.flush()
    frames = window.core.engine.journal.reader().frames(charger_id=charger_id, action="RemoteStopTransaction")
    assert f'"transactionId":{transaction}' in frames[0].payload.replace(" ", "")


def test_the_connection_panel_gives_its_room_back_once_a_charger_is_connected(qtbot, window) -> None:
    assert window.connection.details.isVisible() and not window.connection.compact
    assert not window.charger_view.isVisible()  # no charger yet: the steps get the column
    demo(qtbot, window, "1.6")
    wait(qtbot, lambda: window.connection.compact)
    assert not window.connection.details.isVisible() and window.connection.summary.isVisible()
    assert window.connection.summary_url.text().startswith("Listening: ws://")
    panel_height = window.connection.height()
    wait(qtbot, lambda: window.charger_view.height() > 2 * panel_height)  # the list got the room
    window.connection.details_button.click()  # the QR code and the full URL, on demand
    assert window.connection.details.isVisible()
    window.stop_demos()
    wait(qtbot, lambda: not window.connection.compact, timeout=10_000)  # nobody connected: the steps again


def test_at_1280x720_the_configuration_shows_many_rows_and_the_value_column(qtbot, window) -> None:
    demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    view = page.view
    rows_visible = view.viewport().height() // view.rowHeight(view.model().index(0, 0))
    assert rows_visible >= 15  # was 2-3
    value_right = view.columnViewportPosition(configure_page.VALUE) + view.columnWidth(configure_page.VALUE)
    assert view.columnViewportPosition(configure_page.VALUE) < view.viewport().width() // 2
    assert value_right <= view.viewport().width()  # the Value column is on screen, whole


def test_the_messages_page_shows_the_selected_chargers_frames(qtbot, window) -> None:
    demo(qtbot, window, "1.6")
    second = demo(qtbot, window, "2.0.1")
    window.workspace.show_page(window.log)
    assert window.log.charger_combo.currentData() == second
    model = window.log.model
    wait(qtbot, lambda: model.rowCount() > 0 and all(model.index(r, 1).data() == second for r in range(model.rowCount())))
    window.show_all_messages()
    assert window.log.charger_combo.currentData() is None


def test_the_advanced_page_opens_on_a_harmless_read_and_keeps_each_chargers_answer(qtbot, window) -> None:
    first = demo(qtbot, window, "1.6")
    panel = window.send_panel
    window.workspace.show_page(panel)
    assert panel.action == "GetConfiguration"  # never CancelReservation or Reset
    panel.send_button.click()
    wait(qtbot, lambda: "configurationKey" in panel.response_view.toPlainText(), timeout=10_000)
    demo(qtbot, window, "2.0.1")
    assert panel.action == "GetVariables" and "configurationKey" not in panel.response_view.toPlainText()
    window.charger_view.selectRow(window.chargers.row_of(first))
    assert panel.action == "GetConfiguration" and "configurationKey" in panel.response_view.toPlainText()
    assert first in panel.status_label.text()


def test_a_refused_connection_is_explained_in_the_message_bar(qtbot, qloop, isolated_data_dir) -> None:
    def allow_list(core) -> None:
        core.settings.csms.auto_accept = False
        core.settings.csms.allowed_chargers = ["REAL-1"]

    with open_window(qtbot, isolated_data_dir, allow_list) as win:
        win.show()
        url = f"ws://127.0.0.1:{win.core.engine.server.port}/STRANGER"
        with pytest.raises(websockets.exceptions.InvalidStatus):
            websockets.sync.client.connect(url, subprotocols=["ocpp1.6"], open_timeout=5)
        wait(qtbot, lambda: "STRANGER tried to connect and was refused" in win.message_bar.text.text())
        assert win.message_bar.action_button.text() == "Open Settings…"


def test_keyboard_only_main_path(qtbot, window) -> None:
    """Pick a charger, open Configure, find a setting, change it: no mouse."""
    demo(qtbot, window, "1.6")
    demo(qtbot, window, "2.0.1")
    window.activateWindow()
    QTest.keyClick(window, Key.Key_L, QtCore.Qt.KeyboardModifier.AltModifier)  # Alt+L: the charger list
    assert window.charger_view.hasFocus()
    QTest.keyClick(window.charger_view, Key.Key_Home, QtCore.Qt.KeyboardModifier.ControlModifier)  # DEMO-16-01
    wait(qtbot, lambda: window.workspace.title.text() == "DEMO-16-01")
    QTest.keyClick(window, Key.Key_3, QtCore.Qt.KeyboardModifier.ControlModifier)  # View → Configure
    assert window.workspace.pages.currentWidget() is window.configure
    page = configure(qtbot, window)
    QTest.keyClick(page, Key.Key_F, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert page.filter.hasFocus()
    QTest.keyClicks(page.filter, "HeartbeatInterval")
    wait(qtbot, lambda: page.shown_settings() == 1)
    QTest.keyClick(page.filter, Key.Key_Down)  # from the filter to the first match's value
    assert page.view.hasFocus() and page.view.currentIndex().column() == configure_page.VALUE
    QTest.keyClick(page.view, Key.Key_F2)
    editor = QtWidgets.QApplication.focusWidget()
    assert isinstance(editor, QtWidgets.QLineEdit)
    editor.selectAll()
    QTest.keyClicks(editor, "50")
    QTest.keyClick(editor, Key.Key_Return)
    wait(qtbot, lambda: value_of(page, "HeartbeatInterval") == "50" and not page.busy_with, timeout=10_000)
    QTest.keyClick(window, Key.Key_1, QtCore.Qt.KeyboardModifier.ControlModifier)  # back to the Overview
    assert window.workspace.pages.currentWidget() is window.detail
    QTest.keyClick(window.detail, Key.Key_S, QtCore.Qt.KeyboardModifier.AltModifier)  # Alt+S: Start a test charge
    wait(qtbot, lambda: "RemoteStartTransaction: Accepted" in window.detail.result.text(), timeout=10_000)


def test_the_configure_page_says_what_it_shows_for_a_charger_that_left(qtbot, window) -> None:
    demo(qtbot, window, "1.6")
    page = configure(qtbot, window)
    window.stop_demos()
    wait(qtbot, lambda: "not connected: the settings below are the last ones read" in page.summary.text(), timeout=10_000)
    assert not page.refresh_button.isEnabled()
    assert len(page.rows()) > 5  # what was read stays on show


def test_the_advanced_forms_start_from_what_the_app_read(qtbot, window) -> None:
    demo(qtbot, window, "2.0.1")
    configure(qtbot, window)  # the variables the charger reported
    panel = window.send_panel
    window.workspace.show_page(panel)
    panel.set_action("SetVariables")
    item = panel.form.value()["setVariableData"][0]
    assert item["component"] == {"name": "OCPPCommCtrlr"} and item["variable"] == {"name": "HeartbeatInterval"}
    panel.set_action("SetNetworkProfile")
    data = panel.form.value()["connectionData"]
    assert data["ocppVersion"] == "OCPP20" and data["ocppCsmsUrl"] == window.connection.base_url.text()
    panel.set_action("Reset")
    assert panel.form.value() == {"type": "OnIdle"}


# ---------------------------------------------------------------- failure cases (review of the workspace)


def start_charge_on_1(qtbot, window) -> str:
    detail = window.detail
    wait(qtbot, lambda: detail.connector_combo.findText("2") >= 0)
    detail.connector_combo.setCurrentText("1")
    detail.buttons["start_charge"].click()
    wait(qtbot, lambda: "✓ RemoteStartTransaction: Accepted" in detail.result.text(), timeout=10_000)
    wait(qtbot, lambda: detail.info.transactions, timeout=10_000)
    return list(detail.info.transactions)[-1]


def test_stop_only_stops_the_chosen_connectors_session_and_says_which(qtbot, window) -> None:
    charger_id = demo(qtbot, window, "1.6")
    detail = window.detail
    transaction = start_charge_on_1(qtbot, window)
    detail.connector_combo.setCurrentText("2")  # nothing runs there
    assert not detail.buttons["stop_charge"].isEnabled()
    detail.connector_combo.setCurrentText("0")
    assert not detail.buttons["unlock"].isEnabled()  # never "unlock the whole charger"
    detail.connector_combo.setCurrentText("1")
    wait(qtbot, lambda: detail.buttons["stop_charge"].isEnabled())
    asked: list[str] = []
    detail.ask = lambda title, text: asked.append(text) or False
    detail.buttons["stop_charge"].click()
    assert f"connector 1, transaction {transaction}" in asked[0] and charger_id in asked[0]
    assert transaction in detail.info.transactions  # declined: still charging


def test_after_the_session_the_power_is_gone_and_the_energy_is_the_sessions(qtbot, window) -> None:
    demo(qtbot, window, "1.6")
    detail = window.detail
    start_charge_on_1(qtbot, window)
    detail.buttons["trigger_meter"].click()
    row = 1  # "0 (whole charger)", "1", "2"
    wait(qtbot, lambda: detail.live.item(row, 2).text() not in ("—", "0.0 kW"), timeout=10_000)
    session = detail.live.item(row, 3).text()
    assert session.endswith(" kWh") and float(session.split()[0].replace(",", "")) < 5  # not the lifetime register
    assert "Meter register" in detail.live.item(row, 3).toolTip()
    detail.ask = lambda title, text: True
    detail.buttons["stop_charge"].click()
    wait(qtbot, lambda: not detail.info.transactions, timeout=10_000)
    wait(qtbot, lambda: detail.live.item(row, 2).text() == "—" and detail.live.item(row, 4).text() == "—")


def test_an_answer_stays_with_its_charger_and_the_other_is_free(qtbot, window) -> None:
    first = demo(qtbot, window, "1.6")
    second = demo(qtbot, window, "1.6")
    engine = window.core.engine
    original = engine.call
    gate = __import__("threading").Event()

    async def slow(charger_id, action, payload, timeout=None):
        if charger_id == first:
            import asyncio
            while not gate.is_set():  # held until the test lets it go
                await asyncio.sleep(0.01)
        return await original(charger_id, action, payload, timeout)

    engine.call = slow
    window.charger_view.selectRow(window.chargers.row_of(first))
    window.detail.run_quick("trigger_heartbeat")
    window.charger_view.selectRow(window.chargers.row_of(second))
    wait(qtbot, lambda: window.workspace.title.text() == second)
    assert window.detail.buttons["trigger_heartbeat"].isEnabled()  # the other charger is not busy
    gate.set()
    wait(qtbot, lambda: not window.detail._busy, timeout=10_000)
    assert "TriggerMessage" not in window.detail.result.text()  # the first one's answer is not shown here
    window.charger_view.selectRow(window.chargers.row_of(first))
    assert window.detail.buttons["trigger_heartbeat"].isEnabled()


def test_switching_chargers_during_a_read_reads_the_new_one_afterwards(qtbot, window) -> None:
    first = demo(qtbot, window, "2.0.1")
    second = demo(qtbot, window, "1.6")
    window.charger_view.selectRow(window.chargers.row_of(first))
    window.workspace.show_page(window.configure)
    wait(qtbot, lambda: window.configure.busy_with)
    window.charger_view.selectRow(window.chargers.row_of(second))
    wait(qtbot, lambda: window.configure._read_for == second and len(window.configure.rows()) > 5, timeout=10_000)
    assert "HeartbeatInterval" in {row.name for row in window.configure.rows()}  # 1.6 keys: the second charger's


def test_a_charger_that_left_cannot_be_edited_and_says_why(qtbot, window) -> None:
    demo(qtbot, window, "1.6")
    page = configure(qtbot, window)
    window.stop_demos()
    wait(qtbot, lambda: not window.detail.info.connected, timeout=10_000)
    item = page.value_item("HeartbeatInterval")
    assert not item.isEditable()
    page.change(page.row("HeartbeatInterval"), "99")
    assert "is not connected" in window.message_bar.text.text()


def test_the_table_keeps_the_keyboard_after_a_change(qtbot, window) -> None:
    demo(qtbot, window, "1.6")
    page = configure(qtbot, window)
    page.view.setFocus()
    page.view.setCurrentIndex(page.proxy_index("HeartbeatInterval"))
    edit(page, "HeartbeatInterval", "41")
    wait(qtbot, lambda: value_of(page, "HeartbeatInterval") == "41" and not page.busy_with, timeout=10_000)
    assert page.view.hasFocus()


def test_a_confirmation_defaults_to_no(qtbot, monkeypatch) -> None:
    from app.ui import dialogs
    seen = {}

    def question(parent, title, text, buttons, default):
        seen["default"] = default
        return default  # what a hurried Enter picks

    monkeypatch.setattr(QtWidgets.QMessageBox, "question", staticmethod(question))
    assert dialogs.confirm(None, "Reboot now", "CP: Reboot now?") is False
    assert seen["default"] == QtWidgets.QMessageBox.StandardButton.No


def test_the_stop_form_on_the_advanced_page_is_each_chargers_own(qtbot, window) -> None:
    first = demo(qtbot, window, "1.6")
    transaction = start_charge_on_1(qtbot, window)
    panel = window.send_panel
    window.workspace.show_page(panel)
    panel.set_action("RemoteStopTransaction")
    assert panel.form.value()["transactionId"] == int(transaction)
    second = demo(qtbot, window, "1.6")
    wait(qtbot, lambda: window.workspace.title.text() == second)
    assert panel.action == "RemoteStopTransaction"
    assert panel.form.value()["transactionId"] != int(transaction)  # not the first charger's session
    assert first != second


def test_a_set_variables_from_the_advanced_page_is_read_back(qtbot, window) -> None:
    demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    name = "OCPPCommCtrlr.HeartbeatInterval"
    assert value_of(page, name) != "34"
    window.workspace.show_page(window.send_panel)
    panel = window.send_panel
    panel.set_action("SetVariables")
    panel.form.set_value({"setVariableData": [{"component": {"name": "OCPPCommCtrlr"},
                                               "variable": {"name": "HeartbeatInterval"}, "attributeValue": "34"}]})
    panel.send_button.click()
    wait(qtbot, lambda: value_of(page, name) == "34", timeout=10_000)
