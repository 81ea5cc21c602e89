"""The send-operation panel against the real engine and a virtual charger on the engine's loop."""

from __future__ import annotations

import asyncio
import json
from typing import Callable, Iterator

import pytest
from PySide6 import QtCore

from app import simulator
from app.csms import engine as csms_engine
from app.domain import errors, model
from app.ui import send_operation
from tests.ui.conftest import wait

LEFT = QtCore.Qt.MouseButton.LeftButton
# The offscreen platform says so whenever a top-level widget is shown; it is not the app's noise.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def start_charger(engine_thread: csms_engine.Engine) -> Iterator[Callable[[str, str], simulator.VirtualCharger]]:
    """Start a virtual charger on the engine's loop and wait for its accepted boot."""
    running = []

    def start(version: str, charger_id: str = "SIM-UI") -> simulator.VirtualCharger:
        config = simulator.SimConfig(url=f"ws://127.0.0.1:{engine_thread.server.port}/ocpp", charger_id=charger_id,
                                     ocpp_version=version, backoff_min=0.05, backoff_max=0.2)
        charger = simulator.VirtualCharger(config)
        running.append((charger, engine_thread.submit(charger.run())))
        engine_thread.submit(asyncio.wait_for(charger.booted.wait(), 10)).result(15)
        return charger

    yield start
    for charger, done in running:
        engine_thread.loop.call_soon_threadsafe(charger.stop)
        done.result(10)


@pytest.fixture
def panel(qtbot, bridge) -> send_operation.SendOperationPanel:
    widget = send_operation.SendOperationPanel(bridge.call)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def sent_calls(engine: csms_engine.Engine, action: str) -> list[model.Frame]:
    engine.journal.flush()
    return [f for f in engine.journal.reader().frames(action=action)
            if f.direction is model.Direction.OUT and f.message_type == model.MessageType.CALL]


def click_send(qtbot, panel: send_operation.SendOperationPanel) -> dict:
    with qtbot.waitSignal(panel.finished, timeout=10_000) as blocker:
        qtbot.mouseClick(panel.send_button, LEFT)
    return blocker.args[0]


def test_disabled_until_a_connected_charger_is_selected(qtbot, panel) -> None:
    assert not panel.content.isEnabled()
    assert panel.hint_label.isVisible() and "Select a connected charger" in panel.hint_label.text()
    panel.set_charger("CP-1", "2.0.1")
    assert panel.content.isEnabled() and not panel.hint_label.isVisible()
    assert panel.action_combo.count() == 40
    assert [panel.action_combo.itemText(i) for i in range(3)] == ["CancelReservation", "CertificateSigned",
                                                                  "ChangeAvailability"]
    panel.set_charger(None, None)
    assert not panel.content.isEnabled() and panel.hint_label.isVisible()


def test_get_configuration_shows_the_chargers_keys(qtbot, panel, start_charger, engine_thread) -> None:
    start_charger("1.6")
    panel.set_charger("SIM-UI", "1.6")
    panel.set_action("GetConfiguration")
    assert json.loads(panel.raw_edit.toPlainText()) == {}
    assert panel.busy.isHidden()
    outcome = click_send(qtbot, panel)
    assert outcome["ok"] and outcome["action"] == "GetConfiguration"
    shown = json.loads(panel.response_view.toPlainText())
    keys = {entry["key"] for entry in shown["configurationKey"]}
    assert {"HeartbeatInterval", "MeterValueSampleInterval"} <= keys
    assert " ms" in panel.status_label.text()
    assert panel.send_button.isEnabled() and panel.busy.isHidden()
    assert panel.history.count() == 1 and "GetConfiguration" in panel.history.item(0).text()
    assert len(sent_calls(engine_thread, "GetConfiguration")) == 1


def test_get_variables_typed_into_the_form(qtbot, panel, start_charger) -> None:
    start_charger("2.0.1")
    panel.set_charger("SIM-UI", "2.0.1")
    panel.set_action("GetVariables")
    for path, text in (("getVariableData[0].component.name", "OCPPCommCtrlr"),
                       ("getVariableData[0].variable.name", "HeartbeatInterval")):
        editor = panel.form.editor(path)
        editor.selectAll()
        qtbot.keyClicks(editor, text)
    raw = json.loads(panel.raw_edit.toPlainText())  # the form's edits reached the raw JSON
    assert raw["getVariableData"][0]["variable"] == {"name": "HeartbeatInterval"}
    outcome = click_send(qtbot, panel)
    assert outcome["ok"]
    result = json.loads(panel.response_view.toPlainText())["getVariableResult"][0]
    assert result["attributeStatus"] == "Accepted"
    assert result["component"]["name"] == "OCPPCommCtrlr"
    assert result["variable"]["name"] == "HeartbeatInterval"
    assert result["attributeValue"].isdigit()


def test_an_invalid_form_is_not_sent(qtbot, panel, start_charger, engine_thread) -> None:
    start_charger("1.6")
    panel.set_charger("SIM-UI", "1.6")
    panel.set_action("Reset")
    finished: list[dict] = []
    panel.finished.connect(finished.append)
    panel.form.editor("type").setCurrentIndex(-1)  # Reset type cleared
    qtbot.mouseClick(panel.send_button, LEFT)
    field = panel.form.field("type")
    wait(qtbot, field.has_error)  # the send slot is a task: it runs once the loop turns
    assert "required" in field.error_label.text()
    assert panel.problem_label.isVisible() and "Not sent" in panel.problem_label.text()

    panel.set_action("ChangeAvailability")  # a bad integer, typed as raw JSON
    panel.tabs.setCurrentIndex(1)
    panel.raw_edit.setPlainText('{"connectorId": "one", "type": "Operative"}')
    qtbot.mouseClick(panel.send_button, LEFT)
    wait(qtbot, panel.form.field("connectorId").has_error)
    assert "integer" in panel.form.field("connectorId").error_label.text()

    panel.raw_edit.setPlainText('{"connectorId": 1,')  # not JSON at all: Send is blocked
    assert not panel.send_button.isEnabled()
    assert "not valid" in panel.problem_label.text()
    assert finished == []

    # Then a valid request. A send wrongly started above would have left the panel busy (so this
    # one could not finish) or gone out on the same wire before it; once its answer is back,
    # anything sent earlier is in the journal.
    panel.raw_edit.setPlainText('{"connectorId": 1, "type": "Operative"}')
    outcome = click_send(qtbot, panel)
    assert outcome["ok"] and outcome["action"] == "ChangeAvailability"
    assert finished == [outcome]
    assert sent_calls(engine_thread, "Reset") == []
    assert [json.loads(c.payload)[3] for c in sent_calls(engine_thread, "ChangeAvailability")] == [
        {"connectorId": 1, "type": "Operative"}]


def test_a_call_error_is_shown_with_its_code(qtbot, panel, start_charger) -> None:
    start_charger("1.6")
    panel.set_charger("SIM-UI", "1.6")
    panel.set_action("ReserveNow")  # the simulator has no handler for it
    outcome = click_send(qtbot, panel)
    assert not outcome["ok"] and isinstance(outcome["error"], errors.CallErrorReceived)
    text = panel.response_view.toPlainText()
    assert "NotImplemented" in text or "NotSupported" in text
    assert "CALLERROR" in panel.status_label.text()
    assert "✗" in panel.history.item(0).text()


def test_not_connected_shows_the_hint(qtbot, panel) -> None:
    panel.set_charger("NOBODY", "1.6")
    panel.set_action("ClearCache")
    outcome = click_send(qtbot, panel)
    assert isinstance(outcome["error"], errors.ChargerNotConnectedError)
    assert outcome["error"].hint in panel.response_view.toPlainText()


def test_resend_from_history(qtbot, panel, start_charger, engine_thread) -> None:
    start_charger("1.6")
    panel.set_charger("SIM-UI", "1.6")
    panel.set_action("ChangeConfiguration")
    panel.form.set_value({"key": "HeartbeatInterval", "value": "123"})
    assert click_send(qtbot, panel)["ok"]
    panel.set_action("ClearCache")  # the technician moves on ...
    assert click_send(qtbot, panel)["ok"]
    assert panel.history.count() == 2 and "ClearCache" in panel.history.item(0).text()

    item = panel.history.item(1)  # ... and sends the configuration change again by double-click
    position = panel.history.visualItemRect(item).center()
    with qtbot.waitSignal(panel.finished, timeout=10_000) as blocker:
        qtbot.mouseClick(panel.history.viewport(), LEFT, pos=position)
        qtbot.mouseDClick(panel.history.viewport(), LEFT, pos=position)
    assert blocker.args[0]["action"] == "ChangeConfiguration" and blocker.args[0]["ok"]
    assert panel.action_combo.currentText() == "ChangeConfiguration"
    assert panel.form.value() == {"key": "HeartbeatInterval", "value": "123"}

    panel.set_action("ClearCache")
    panel.history.setCurrentRow(0)  # and the Re-send button sends the selected entry again
    assert "ChangeConfiguration" in panel.history.item(0).text()
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        qtbot.mouseClick(panel.resend_button, LEFT)
    assert panel.action_combo.currentText() == "ChangeConfiguration"
    calls = sent_calls(engine_thread, "ChangeConfiguration")
    assert len(calls) == 3
    assert all(json.loads(c.payload)[3] == {"key": "HeartbeatInterval", "value": "123"} for c in calls)
    assert len(sent_calls(engine_thread, "ClearCache")) == 1
    assert panel.history.count() == 4


def test_raw_json_and_form_stay_in_sync(qtbot, panel) -> None:
    panel.set_charger("CP-1", "1.6")
    panel.set_action("ChangeAvailability")
    panel.tabs.setCurrentIndex(1)
    panel.raw_edit.setPlainText('{"connectorId": 2, "type": "Inoperative"}')
    panel.tabs.setCurrentIndex(0)  # switching tabs applies the raw JSON at once
    assert panel.form.editor("connectorId").text() == "2"
    assert panel.form.editor("type").currentText() == "Inoperative"
    editor = panel.form.editor("connectorId")
    editor.selectAll()
    qtbot.keyClicks(editor, "7")
    assert json.loads(panel.raw_edit.toPlainText()) == {"connectorId": 7, "type": "Inoperative"}
    qtbot.mouseClick(panel.reset_button, LEFT)
    assert json.loads(panel.raw_edit.toPlainText()) == {"connectorId": 0, "type": "Operative"}  # the safe default


class FakeCharger:
    """A `call` whose answers the test hands out one by one."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict]] = []
        self.answers: asyncio.Queue = asyncio.Queue()

    async def __call__(self, charger_id: str, action: str, payload: dict) -> dict:
        self.requests.append((charger_id, action, payload))
        answer = await self.answers.get()
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def fake(qtbot, qloop) -> tuple[send_operation.SendOperationPanel, FakeCharger]:
    charger = FakeCharger()
    widget = send_operation.SendOperationPanel(charger)
    qtbot.addWidget(widget)
    widget.set_charger("CP-9", "2.0.1")
    return widget, charger


def test_busy_while_waiting_then_the_timeout_and_its_hint(qtbot, fake) -> None:
    panel, charger = fake
    panel.set_action("TriggerMessage")
    qtbot.mouseClick(panel.send_button, LEFT)
    wait(qtbot, lambda: bool(charger.requests))
    assert charger.requests == [("CP-9", "TriggerMessage", {"requestedMessage": "StatusNotification"})]
    assert not panel.send_button.isEnabled() and not panel.busy.isHidden()
    assert (panel.busy.minimum(), panel.busy.maximum()) == (0, 0)
    timeout = errors.CallTimeoutError("TriggerMessage", "CP-9", 5)
    with qtbot.waitSignal(panel.finished) as blocker:
        charger.answers.put_nowait(timeout)
    assert blocker.args[0] == {"action": "TriggerMessage", "charger_id": "CP-9", "ok": False, "error": timeout,
                               "payload": {"requestedMessage": "StatusNotification"},
                               "elapsed_ms": blocker.args[0]["elapsed_ms"]}
    assert panel.send_button.isEnabled() and panel.busy.isHidden()
    assert timeout.message in panel.response_view.toPlainText()
    assert timeout.hint in panel.response_view.toPlainText()
    assert "timeout" in panel.history.item(0).text()


def test_history_keeps_the_newest_twenty(qtbot, fake) -> None:
    panel, charger = fake
    panel.set_action("ClearCache")
    for n in range(send_operation.HISTORY_SIZE + 3):
        charger.answers.put_nowait({"status": "Accepted" if n % 2 else "Rejected"})
        with qtbot.waitSignal(panel.finished):
            qtbot.mouseClick(panel.send_button, LEFT)
    assert panel.history.count() == send_operation.HISTORY_SIZE
    assert "Rejected" in panel.history.item(0).text()  # n = 22, the last one sent
    assert "✗" in panel.status_label.text() and "answered Rejected" in panel.status_label.text()  # a refusal is no tick


def test_switching_charger_keeps_history_but_not_the_old_answer(qtbot, fake) -> None:
    panel, charger = fake
    panel.set_action("ClearCache")
    charger.answers.put_nowait({"status": "Accepted"})
    with qtbot.waitSignal(panel.finished):
        qtbot.mouseClick(panel.send_button, LEFT)
    panel.set_charger("CP-9", "2.0.1")  # a registry refresh: nothing changes
    assert "Accepted" in panel.response_view.toPlainText()
    panel.set_charger("CP-10", "1.6")
    assert panel.response_view.toPlainText() == "" and "CP-10" in panel.status_label.text()
    assert panel.history.count() == 1
    panel.history.setCurrentRow(0)
    qtbot.mouseClick(panel.resend_button, LEFT)  # a 2.0.1 request is not re-sent to a 1.6 charger
    wait(qtbot, lambda: "was for OCPP 2.0.1" in panel.problem_label.text())
    assert len(charger.requests) == 1


def test_right_to_left(qtbot, qapp, fake) -> None:
    qapp.setLayoutDirection(QtCore.Qt.LayoutDirection.RightToLeft)
    try:
        panel = send_operation.SendOperationPanel(FakeCharger())
        qtbot.addWidget(panel)
        panel.set_charger("CP-9", "2.0.1")
        panel.resize(900, 700)
        assert panel.isRightToLeft()
        bar = panel.tabs.tabBar()
        assert bar.tabRect(0).x() > bar.tabRect(1).x()  # "Form" is the rightmost tab
        assert panel.raw_edit.layoutDirection() == QtCore.Qt.LayoutDirection.LeftToRight  # JSON stays LTR
        assert panel.response_view.layoutDirection() == QtCore.Qt.LayoutDirection.LeftToRight
    finally:
        qapp.setLayoutDirection(QtCore.Qt.LayoutDirection.LeftToRight)


def test_a_reset_asks_first_naming_the_charger(qtbot, panel, start_charger, engine_thread) -> None:
    start_charger("1.6", "ASK-1")
    panel.set_charger("ASK-1", "1.6")
    panel.set_action("Reset")
    asked: list[str] = []
    panel.ask = lambda title, text: asked.append(text) or False  # the technician says no
    qtbot.mouseClick(panel.send_button, LEFT)
    wait(qtbot, lambda: "was not sent" in panel.status_label.text())
    assert asked and "ASK-1" in asked[0] and "reboots" in asked[0]
    assert sent_calls(engine_thread, "Reset") == []
    panel.ask = lambda title, text: True  # and now yes
    outcome = click_send(qtbot, panel)
    assert outcome["ok"] and len(sent_calls(engine_thread, "Reset")) == 1


def test_a_stop_is_prefilled_with_the_open_transaction(qtbot, panel) -> None:
    panel.set_charger("TX-1", "1.6")
    panel.set_transactions({"4711": "1"})
    panel.set_action("RemoteStopTransaction")
    assert panel.form.value()["transactionId"] == 4711
    panel.set_charger("TX-2", "2.0.1")
    panel.set_transactions({"abc-1": "1/1"})
    panel.set_action("RequestStopTransaction")
    assert panel.form.value()["transactionId"] == "abc-1"


def test_the_answer_and_the_recent_list_belong_to_the_charger_shown(qtbot, panel, start_charger) -> None:
    start_charger("1.6", "ONE")
    panel.set_charger("ONE", "1.6")
    panel.set_action("ClearCache")
    click_send(qtbot, panel)
    assert panel.response_view.toPlainText() and not panel.history.item(0).isHidden()
    panel.set_charger("TWO", "1.6")
    assert panel.response_view.toPlainText() == ""
    assert "Nothing sent to TWO yet" in panel.status_label.text()
    assert panel.history.item(0).isHidden()  # ONE's request is not offered for TWO
    panel.set_charger("ONE", "1.6")
    assert not panel.history.item(0).isHidden()
    panel.set_action("TriggerMessage")
    assert panel.response_view.toPlainText() == ""  # switching operation clears the old answer
