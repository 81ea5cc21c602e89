"""The virtual charger speaking OCPP 2.0.1 (and 2.1) to a stock-library CSMS over a real socket."""

from __future__ import annotations

import asyncio

import ocpp.exceptions
import pytest
from ocpp.v201 import call

from app import simulator
from tests.unit.simulator.conftest import Refuser, until

CP = "CP-1"


def _var(component: str, name: str, *, instance: str | None = None, evse: dict | None = None,
         variable_instance: str | None = None) -> dict:
    comp = {"name": component}
    if instance:
        comp["instance"] = instance
    if evse:
        comp["evse"] = evse
    var = {"name": name}
    if variable_instance:
        var["instance"] = variable_instance
    return {"component": comp, "variable": var}


async def test_boot_status_and_heartbeat(csms, start_charger):
    charger = start_charger("2.0.1", vendor="ACME", model="Wallbox", serial="SN-42", firmware="2.3.4", connectors=2)
    boot = await csms.wait_for("BootNotification")
    assert boot == {
        "charging_station": {"model": "Wallbox", "vendor_name": "ACME", "serial_number": "SN-42",
                             "firmware_version": "2.3.4"},
        "reason": "PowerUp",
    }
    await asyncio.wait_for(charger.booted.wait(), 2)
    for evse_id in (1, 2):
        status = await csms.wait_for("StatusNotification", lambda p, e=evse_id: p["evse_id"] == e)
        assert status["connector_id"] == 1 and status["connector_status"] == "Available"
    await csms.wait_for("Heartbeat", timeout=2.5)
    assert charger.device_model.value("OCPPCommCtrlr", "HeartbeatInterval") == "1"


async def test_get_and_set_variables(csms, start_charger):
    charger = start_charger("2.0.1", model="Wallbox")
    await asyncio.wait_for(charger.booted.wait(), 2)

    answer = await csms.call(CP, call.GetVariables(get_variable_data=[
        _var("ChargingStation", "Model"),
        _var("OCPPCommCtrlr", "HeartbeatInterval"),
        _var("DeviceDataCtrlr", "ItemsPerMessage", variable_instance="GetReport"),
        _var("EVSE", "AvailabilityState", evse={"id": 2}),
        _var("NoSuchCtrlr", "Enabled"),
        _var("AuthCtrlr", "NoSuchVariable"),
        _var("SecurityCtrlr", "BasicAuthPassword"),
        {**_var("OCPPCommCtrlr", "HeartbeatInterval"), "attribute_type": "Target"},
    ]))
    results = [(r["attribute_status"], r.get("attribute_value")) for r in answer.get_variable_result]
    assert results == [
        ("Accepted", "Wallbox"),
        ("Accepted", "1"),
        ("Accepted", "20"),
        ("Accepted", "Available"),
        ("UnknownComponent", None),
        ("UnknownVariable", None),
        ("Rejected", None),  # WriteOnly
        ("NotSupportedAttributeType", None),
    ]
    assert answer.get_variable_result[3]["component"] == {"name": "EVSE", "evse": {"id": 2}}

    answer = await csms.call(CP, call.SetVariables(set_variable_data=[
        {**_var("SampledDataCtrlr", "TxUpdatedInterval"), "attribute_value": "15"},
        {**_var("ChargingStation", "Model"), "attribute_value": "Other"},
        {**_var("SecurityCtrlr", "SecurityProfile"), "attribute_value": "2"},
        {**_var("AuthCtrlr", "AuthorizeRemoteStart"), "attribute_value": "maybe"},
        {**_var("NoSuchCtrlr", "Enabled"), "attribute_value": "true"},
        {**_var("AuthCtrlr", "NoSuchVariable"), "attribute_value": "true"},
    ]))
    assert [r["attribute_status"] for r in answer.set_variable_result] == [
        "Accepted", "Rejected", "Rejected", "Rejected", "UnknownComponent", "UnknownVariable",
    ]
    assert charger.device_model.value("SampledDataCtrlr", "TxUpdatedInterval") == "15"
    assert charger.device_model.value("ChargingStation", "Model") == "Wallbox"

    # More entries than ItemsPerMessageGetVariables (20): refused as a whole, as B06 allows.
    too_many = [_var("ChargingStation", "Model")] * 21
    with pytest.raises(ocpp.exceptions.OCPPError) as refused:
        await csms.call(CP, call.GetVariables(get_variable_data=too_many))
    assert refused.value.code == "OccurenceConstraintViolation"


async def test_get_base_report_sends_notify_report_parts(csms, start_charger):
    charger = start_charger("2.0.1", connectors=2)
    await asyncio.wait_for(charger.booted.wait(), 2)

    answer = await csms.call(CP, call.GetBaseReport(request_id=7, report_base="FullInventory"))
    assert answer.status == "Accepted"
    expected = len(charger.device_model)
    parts = -(-expected // 20)  # ItemsPerMessage GetReport is 20
    await csms.wait_for("NotifyReport", lambda p: p["seq_no"] == parts - 1)
    reports = [p for _, a, p in csms.received if a == "NotifyReport"]
    assert [p["seq_no"] for p in reports] == list(range(parts))
    assert [p.get("tbc", False) for p in reports] == [True] * (parts - 1) + [False]
    assert {p["request_id"] for p in reports} == {7}
    entries = [entry for p in reports for entry in p["report_data"]]
    assert len(entries) == expected
    model = next(e for e in entries if e["component"]["name"] == "ChargingStation" and e["variable"]["name"] == "Model")
    assert model["variable_attribute"] == [{"type": "Actual", "mutability": "ReadOnly", "value": "VirtualCharger"}]
    password = next(e for e in entries if e["variable"]["name"] == "BasicAuthPassword")
    assert "value" not in password["variable_attribute"][0]

    answer = await csms.call(CP, call.GetBaseReport(request_id=8, report_base="ConfigurationInventory"))
    assert answer.status == "Accepted"
    await csms.wait_for("NotifyReport", lambda p: p["request_id"] == 8 and not p.get("tbc"))
    configuration = [e for _, a, p in csms.received if a == "NotifyReport" and p["request_id"] == 8
                     for e in p["report_data"]]
    assert configuration and all(e["variable_attribute"][0]["mutability"] != "ReadOnly" for e in configuration)


async def test_get_report_sends_its_parts_like_the_base_report_or_says_empty(csms, start_charger):
    charger = start_charger("2.0.1", connectors=2)
    await asyncio.wait_for(charger.booted.wait(), 2)

    answer = await csms.call(CP, call.GetReport(request_id=9, component_criteria=["Available"]))
    assert answer.status == "Accepted"
    await csms.wait_for("NotifyReport", lambda p: p["request_id"] == 9 and not p.get("tbc"))
    reports = [p for _, a, p in csms.received if a == "NotifyReport" and p["request_id"] == 9]
    assert [p["seq_no"] for p in reports] == list(range(len(reports)))
    assert [p.get("tbc", False) for p in reports] == [True] * (len(reports) - 1) + [False]
    assert all(len(p["report_data"]) <= 20 for p in reports)  # ItemsPerMessage GetReport, as for GetBaseReport

    answer = await csms.call(CP, call.GetReport(request_id=10, component_variable=[
        {"component": {"name": "NoSuchCtrlr"}}]))
    assert answer.status == "EmptyResultSet"
    answer = await csms.call(CP, call.GetBaseReport(request_id=11, report_base="FullInventory"))
    assert answer.status == "Accepted"
    await csms.wait_for("NotifyReport", lambda p: p["request_id"] == 11 and not p.get("tbc"))
    assert not [p for _, a, p in csms.received if a == "NotifyReport" and p["request_id"] == 10]


async def test_a_variable_applied_at_the_next_boot_answers_reboot_required(csms, start_charger):
    charger = start_charger("2.0.1")
    await asyncio.wait_for(charger.booted.wait(), 2)
    answer = await csms.call(CP, call.SetVariables(set_variable_data=[
        {**_var("OCPPCommCtrlr", "WebSocketPingInterval"), "attribute_value": "45"},
        {**_var("OCPPCommCtrlr", "HeartbeatInterval"), "attribute_value": "45"},
    ]))
    assert [r["attribute_status"] for r in answer.set_variable_result] == ["RebootRequired", "Accepted"]
    assert charger.device_model.value("OCPPCommCtrlr", "WebSocketPingInterval") == "45"


async def test_trigger_message(csms, start_charger):
    charger = start_charger("2.0.1", connectors=2)
    await asyncio.wait_for(charger.booted.wait(), 2)
    await csms.wait_for("StatusNotification", lambda p: p["evse_id"] == 2)

    mark = len(csms.received)
    answer = await csms.call(CP, call.TriggerMessage(requested_message="StatusNotification", evse={"id": 2, "connector_id": 1}))
    assert answer.status == "Accepted"
    assert (await csms.wait_for("StatusNotification", skip=mark))["evse_id"] == 2

    mark = len(csms.received)
    assert (await csms.call(CP, call.TriggerMessage(requested_message="Heartbeat"))).status == "Accepted"
    await csms.wait_for("Heartbeat", skip=mark)

    mark = len(csms.received)
    assert (await csms.call(CP, call.TriggerMessage(requested_message="MeterValues", evse={"id": 1}))).status == "Accepted"
    values = await csms.wait_for("MeterValues", skip=mark)
    assert values["evse_id"] == 1 and values["meter_value"][0]["sampled_value"][0]["context"] == "Trigger"

    # Once accepted, a station does not boot again on request (F06.FR.17).
    assert (await csms.call(CP, call.TriggerMessage(requested_message="BootNotification"))).status == "Rejected"
    assert (await csms.call(CP, call.TriggerMessage(requested_message="TransactionEvent"))).status == "Rejected"
    assert (await csms.call(CP, call.TriggerMessage(requested_message="SignV2GCertificate"))).status == "NotImplemented"
    assert (await csms.call(CP, call.TriggerMessage(requested_message="Heartbeat", evse={"id": 9}))).status == "Rejected"


async def test_request_start_updates_and_stop(csms, start_charger):
    charger = start_charger("2.0.1", meter_interval=0.1)
    await asyncio.wait_for(charger.booted.wait(), 2)

    answer = await csms.call(CP, call.RequestStartTransaction(
        id_token={"id_token": "TAG-1", "type": "ISO14443"}, remote_start_id=55, evse_id=2,
    ))
    assert answer.status == "Accepted"
    started = await csms.wait_for("TransactionEvent", lambda p: p["event_type"] == "Started")
    tx_id = started["transaction_info"]["transaction_id"]
    assert started["transaction_info"]["remote_start_id"] == 55
    assert started["trigger_reason"] == "RemoteStart" and started["seq_no"] == 0
    assert started["evse"] == {"id": 2, "connector_id": 1}
    assert started["meter_value"][0]["sampled_value"][0]["context"] == "Transaction.Begin"
    await csms.wait_for("StatusNotification", lambda p: p["evse_id"] == 2 and p["connector_status"] == "Occupied")

    updated = await csms.wait_for("TransactionEvent", lambda p: p["event_type"] == "Updated")
    assert updated["trigger_reason"] == "MeterValuePeriodic" and updated["seq_no"] >= 1
    values = {v["measurand"]: v for v in updated["meter_value"][0]["sampled_value"]}
    assert set(values) == {"Energy.Active.Import.Register", "Power.Active.Import", "Current.Import", "Voltage", "SoC",
                           "Current.Offered"}
    assert values["Energy.Active.Import.Register"]["unit_of_measure"] == {"unit": "Wh"}
    assert 10_000 < values["Power.Active.Import"]["value"] < 11_500
    assert charger.device_model.value("EVSE", "AvailabilityState", evse_id=2) == "Occupied"

    assert (await csms.call(CP, call.RequestStopTransaction(transaction_id=tx_id))).status == "Accepted"
    ended = await csms.wait_for("TransactionEvent", lambda p: p["event_type"] == "Ended")
    assert ended["transaction_info"]["stopped_reason"] == "Remote" and ended["trigger_reason"] == "RemoteStop"
    assert ended["meter_value"][0]["sampled_value"][0]["value"] >= started["meter_value"][0]["sampled_value"][0]["value"]
    seq = [p["seq_no"] for _, a, p in csms.received if a == "TransactionEvent"]
    assert seq == list(range(len(seq)))
    await csms.wait_for("StatusNotification", lambda p: p["evse_id"] == 2 and p["connector_status"] == "Available",
                        skip=len(csms.received) - 2)
    assert (await csms.call(CP, call.RequestStopTransaction(transaction_id=tx_id))).status == "Rejected"


async def test_reset_immediate_and_on_idle(csms, start_charger):
    charger = start_charger("2.0.1", meter_interval=5)
    await asyncio.wait_for(charger.booted.wait(), 2)
    assert (await csms.call(CP, call.Reset(type="Immediate"))).status == "Accepted"
    reboot = await csms.wait_for("BootNotification", skip=1)
    assert reboot["reason"] == "RemoteReset"
    await asyncio.wait_for(charger.booted.wait(), 2)
    assert charger.connections == 2

    # OnIdle with a transaction running: Scheduled, and the reboot follows the transaction's end.
    await csms.call(CP, call.RequestStartTransaction(id_token={"id_token": "T", "type": "Central"}, remote_start_id=1))
    started = await csms.wait_for("TransactionEvent", lambda p: p["event_type"] == "Started")
    assert (await csms.call(CP, call.Reset(type="OnIdle"))).status == "Scheduled"
    await csms.call(CP, call.RequestStopTransaction(transaction_id=started["transaction_info"]["transaction_id"]))
    await csms.wait_for("BootNotification", lambda p: p["reason"] == "RemoteReset", skip=len(csms.received))
    assert charger.connections == 3


async def test_other_actions(csms, start_charger):
    charger = start_charger("2.0.1")
    await asyncio.wait_for(charger.booted.wait(), 2)
    answer = await csms.call(CP, call.ChangeAvailability(operational_status="Inoperative", evse={"id": 1}))
    assert answer.status == "Accepted"
    await csms.wait_for("StatusNotification", lambda p: p["evse_id"] == 1 and p["connector_status"] == "Unavailable")
    assert charger.device_model.value("EVSE", "Available", evse_id=1) == "false"
    assert (await csms.call(CP, call.UnlockConnector(evse_id=2, connector_id=1))).status == "Unlocked"
    assert (await csms.call(CP, call.UnlockConnector(evse_id=3, connector_id=1))).status == "UnknownConnector"
    assert (await csms.call(CP, call.ClearCache())).status == "Accepted"
    assert (await csms.call(CP, call.DataTransfer(vendor_id="com.example"))).status == "UnknownVendorId"


async def test_ocpp_21_boots_and_reports(csms, start_charger):
    from ocpp.v21 import call as call21

    charger = start_charger("2.1", password="a-password-of-16+")
    await asyncio.wait_for(charger.booted.wait(), 2)
    assert csms.headers[0]["Sec-WebSocket-Protocol"] == "ocpp2.1"
    assert csms.headers[0]["Authorization"].startswith("Basic ")
    answer = await csms.call(CP, call21.GetVariables(get_variable_data=[_var("SecurityCtrlr", "SecurityProfile")]))
    assert answer.get_variable_result[0]["attribute_value"] == "1"
    assert (await csms.call(CP, call21.GetBaseReport(request_id=1, report_base="SummaryInventory"))).status == "Accepted"
    report = await csms.wait_for("NotifyReport")
    assert {e["variable"]["name"] for e in report["report_data"]} == {"AvailabilityState", "Available"}
    # The stock 2.1 client leaves unhandled actions unanswered; ours says NotImplemented.
    with pytest.raises(ocpp.exceptions.OCPPError) as refused:
        await csms.call(CP, call21.GetDisplayMessages(request_id=1))
    assert refused.value.code == "NotImplemented"


async def test_run_fleet_boots_every_charger_and_stops(csms):
    stop = asyncio.Event()
    fleet = asyncio.create_task(simulator.run_fleet(csms.url, "SIM", "2.0.1", count=3, stop=stop, connectors=1))
    for charger_id in ("SIM-0001", "SIM-0002", "SIM-0003"):
        await csms.wait_for("BootNotification", lambda p, c=charger_id: p["charging_station"]["serial_number"] == f"SIM-{c}")
    await csms.wait_for("StatusNotification", lambda p: p["evse_id"] == 1)
    stop.set()
    await asyncio.wait_for(fleet, 5)
    assert set(csms.sessions) == {"SIM-0001", "SIM-0002", "SIM-0003"}
    assert not any(p["evse_id"] == 2 for _, a, p in csms.received if a == "StatusNotification")


async def test_run_fleet_single_charger_uses_the_base_id(csms):
    stop = asyncio.Event()
    fleet = asyncio.create_task(simulator.run_fleet(csms.url, "SOLO", "1.6", stop=stop))
    await csms.wait_for("BootNotification")
    stop.set()
    await asyncio.wait_for(fleet, 5)
    assert set(csms.sessions) == {"SOLO"}
    # Stopping is a clean power-down (1001 going away), not an internal error (1011).
    assert csms.connections[0].close_code == 1001


async def test_stop_while_the_csms_is_unreachable():
    down = Refuser()
    await down.start()
    charger = simulator.VirtualCharger(simulator.SimConfig(url=f"ws://127.0.0.1:{down.port}/ocpp",
                                                           charger_id="CP-X", backoff_min=0.05, backoff_max=0.1))
    task = asyncio.create_task(charger.run())
    try:
        await until(lambda: down.refused >= 2)  # retrying, with a backoff between attempts
        charger.stop()
        await asyncio.wait_for(task, 2)
    finally:
        await down.stop()
    assert not charger.connected and charger.connections == 0


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
async def test_subprotocol_per_version(csms, start_charger, version):
    charger = start_charger(version)
    await asyncio.wait_for(charger.booted.wait(), 2)
    assert csms.headers[0]["Sec-WebSocket-Protocol"] == f"ocpp{version}"
    assert charger.session.accepted
