"""The virtual charger speaking OCPP 1.6J to a stock-library CSMS over a real socket."""

from __future__ import annotations

import asyncio
import base64
import datetime

from ocpp.v16 import call

from tests.unit.simulator.conftest import Refuser, until

CP = "CP-1"


async def test_boot_status_and_heartbeat(csms, start_charger):
    charger = start_charger(vendor="ACME", model="Wallbox", serial="SN-42", firmware="2.3.4", connectors=2)

    boot = await csms.wait_for("BootNotification")
    assert boot == {
        "charge_point_vendor": "ACME", "charge_point_model": "Wallbox", "charge_point_serial_number": "SN-42",
        "charge_box_serial_number": "SN-42", "firmware_version": "2.3.4", "meter_type": "SIM-3P-AC",
        "meter_serial_number": "MSN-42",
    }
    await asyncio.wait_for(charger.booted.wait(), 2)
    assert charger.connected
    for connector_id in (0, 1, 2):
        status = await csms.wait_for("StatusNotification", lambda p, c=connector_id: p["connector_id"] == c)
        assert status["status"] == "Available" and status["error_code"] == "NoError"
    # The CSMS answered interval=1, so a heartbeat follows within about a second.
    await csms.wait_for("Heartbeat", timeout=2.5)
    assert charger.config_keys.get("HeartbeatInterval") == "1"


async def test_pending_boot_is_retried_after_the_interval(csms, start_charger):
    csms.boot_answers = ["Pending", "Accepted"]
    charger = start_charger()
    await csms.wait_for("BootNotification")
    assert not charger.booted.is_set()
    await asyncio.wait_for(charger.booted.wait(), 3)
    assert csms.count("BootNotification") == 2
    # No heartbeat or status may be sent before the boot is accepted.
    await csms.wait_for("StatusNotification")
    first_status = next(i for i, (_, a, _) in enumerate(csms.received) if a == "StatusNotification")
    assert [a for _, a, _ in csms.received[:first_status]] == ["BootNotification", "BootNotification"]


async def test_get_and_change_configuration(csms, start_charger):
    charger = start_charger(connectors=3)
    await asyncio.wait_for(charger.booted.wait(), 2)

    everything = await csms.call(CP, call.GetConfiguration())
    by_key = {entry["key"]: entry for entry in everything.configuration_key}
    assert by_key["NumberOfConnectors"] == {"key": "NumberOfConnectors", "readonly": True, "value": "3"}
    assert by_key["SupportedFeatureProfiles"]["readonly"] is True
    assert by_key["MeterValueSampleInterval"]["readonly"] is False
    assert "value" not in by_key["AuthorizationKey"]  # secrets are never read back
    assert everything.unknown_key is None

    some = await csms.call(CP, call.GetConfiguration(key=["heartbeatinterval", "NoSuchKey"]))
    assert some.configuration_key == [{"key": "HeartbeatInterval", "readonly": False, "value": "1"}]
    assert some.unknown_key == ["NoSuchKey"]

    assert (await csms.call(CP, call.ChangeConfiguration(key="MeterValueSampleInterval", value="15"))).status == "Accepted"
    assert charger.config_keys.get("MeterValueSampleInterval") == "15"
    assert (await csms.call(CP, call.ChangeConfiguration(key="NumberOfConnectors", value="8"))).status == "Rejected"
    assert (await csms.call(CP, call.ChangeConfiguration(key="HeartbeatInterval", value="soon"))).status == "Rejected"
    assert (await csms.call(CP, call.ChangeConfiguration(key="NoSuchKey", value="1"))).status == "NotSupported"
    assert (await csms.call(CP, call.ChangeConfiguration(key="WebSocketPingInterval", value="30"))).status == "RebootRequired"
    assert charger.config_keys.get("NumberOfConnectors") == "3"


async def test_changing_heartbeat_interval_retimes_heartbeats(csms, start_charger):
    csms.heartbeat_interval = 300
    charger = start_charger()
    await asyncio.wait_for(charger.booted.wait(), 2)
    answer = await csms.call(CP, call.ChangeConfiguration(key="HeartbeatInterval", value="1"))
    assert answer.status == "Accepted"
    await csms.wait_for("Heartbeat", timeout=2.5)


async def test_trigger_message(csms, start_charger):
    charger = start_charger(connectors=2)
    await asyncio.wait_for(charger.booted.wait(), 2)
    await csms.wait_for("StatusNotification", lambda p: p["connector_id"] == 2)

    mark = len(csms.received)
    assert (await csms.call(CP, call.TriggerMessage(requested_message="StatusNotification", connector_id=2))).status == "Accepted"
    status = await csms.wait_for("StatusNotification", skip=mark)
    assert status["connector_id"] == 2

    mark = len(csms.received)
    assert (await csms.call(CP, call.TriggerMessage(requested_message="MeterValues", connector_id=1))).status == "Accepted"
    values = await csms.wait_for("MeterValues", skip=mark)
    assert values["meter_value"][0]["sampled_value"][0]["context"] == "Trigger"

    mark = len(csms.received)
    assert (await csms.call(CP, call.TriggerMessage(requested_message="BootNotification"))).status == "Accepted"
    await csms.wait_for("BootNotification", skip=mark)

    assert (await csms.call(CP, call.TriggerMessage(requested_message="StatusNotification", connector_id=9))).status == "Rejected"


async def test_remote_start_meter_values_and_remote_stop(csms, start_charger):
    charger = start_charger(meter_interval=0.1)
    await asyncio.wait_for(charger.booted.wait(), 2)

    answer = await csms.call(CP, call.RemoteStartTransaction(id_tag="TAG-1", connector_id=2))
    assert answer.status == "Accepted"
    start = await csms.wait_for("StartTransaction")
    assert start["connector_id"] == 2 and start["id_tag"] == "TAG-1" and start["meter_start"] > 0
    await csms.wait_for("StatusNotification", lambda p: p["connector_id"] == 2 and p["status"] == "Charging")

    sample = await csms.wait_for("MeterValues", lambda p: p.get("transaction_id") == 101)
    values = {v["measurand"]: v for v in sample["meter_value"][0]["sampled_value"]}
    assert set(values) == {"Energy.Active.Import.Register", "Power.Active.Import", "Current.Import", "Voltage", "SoC",
                           "Current.Offered"}
    assert 10_000 < float(values["Power.Active.Import"]["value"]) < 11_500
    assert 220 < float(values["Voltage"]["value"]) < 240
    assert values["SoC"]["unit"] == "Percent" and values["Voltage"]["unit"] == "V"
    assert values["Energy.Active.Import.Register"]["context"] == "Sample.Periodic"

    # A second remote start on the busy connector is refused.
    assert (await csms.call(CP, call.RemoteStartTransaction(id_tag="TAG-2", connector_id=2))).status == "Rejected"

    assert (await csms.call(CP, call.RemoteStopTransaction(transaction_id=101))).status == "Accepted"
    stop = await csms.wait_for("StopTransaction")
    assert stop["transaction_id"] == 101 and stop["reason"] == "Remote"
    assert stop["meter_stop"] >= start["meter_start"]
    await csms.wait_for("StatusNotification", lambda p: p["connector_id"] == 2 and p["status"] == "Available",
                        skip=len(csms.received) - 2)
    assert charger.connectors[1].transaction is None
    assert (await csms.call(CP, call.RemoteStopTransaction(transaction_id=101))).status == "Rejected"


async def test_reset_reconnects_and_boots_again(csms, start_charger):
    charger = start_charger()
    await asyncio.wait_for(charger.booted.wait(), 2)
    assert (await csms.call(CP, call.Reset(type="Soft"))).status == "Accepted"
    await csms.wait_for("BootNotification", skip=1)
    assert csms.connects == 2 and charger.connections == 2
    await asyncio.wait_for(charger.booted.wait(), 2)


async def test_other_core_actions(csms, start_charger):
    charger = start_charger()
    await asyncio.wait_for(charger.booted.wait(), 2)

    assert (await csms.call(CP, call.ChangeAvailability(connector_id=1, type="Inoperative"))).status == "Accepted"
    await csms.wait_for("StatusNotification", lambda p: p["connector_id"] == 1 and p["status"] == "Unavailable")
    assert (await csms.call(CP, call.RemoteStartTransaction(id_tag="T", connector_id=1))).status == "Rejected"
    assert (await csms.call(CP, call.ChangeAvailability(connector_id=7, type="Inoperative"))).status == "Rejected"
    assert (await csms.call(CP, call.UnlockConnector(connector_id=2))).status == "Unlocked"
    assert (await csms.call(CP, call.UnlockConnector(connector_id=5))).status == "NotSupported"
    assert (await csms.call(CP, call.ClearCache())).status == "Accepted"
    assert (await csms.call(CP, call.DataTransfer(vendor_id="com.example"))).status == "UnknownVendorId"


async def test_basic_auth_and_a_changed_authorization_key(csms, start_charger):
    charger = start_charger(password="s3cret-password-1")
    await asyncio.wait_for(charger.booted.wait(), 2)
    expected = "Basic " + base64.b64encode(b"CP-1:s3cret-password-1").decode()
    assert csms.headers[0]["Authorization"] == expected
    assert charger.config_keys.get("SecurityProfile") == "1"

    # Provisioning a new password the way a CSMS does it: it applies on the next connection.
    answer = await csms.call(CP, call.ChangeConfiguration(key="AuthorizationKey", value="another-password-22"))
    assert answer.status == "RebootRequired"
    assert (await csms.call(CP, call.ChangeConfiguration(key="AuthorizationKey", value="short"))).status == "Rejected"
    await csms.call(CP, call.Reset(type="Hard"))
    await csms.wait_for("BootNotification", skip=1)
    assert csms.headers[1]["Authorization"] == "Basic " + base64.b64encode(b"CP-1:another-password-22").decode()


async def test_no_auth_header_without_password(csms, start_charger):
    charger = start_charger()
    await asyncio.wait_for(charger.booted.wait(), 2)
    assert "Authorization" not in csms.headers[0]
    assert csms.headers[0]["Sec-WebSocket-Protocol"] == "ocpp1.6"


async def test_reconnects_after_the_server_restarts(csms, start_charger):
    charger = start_charger()
    await asyncio.wait_for(charger.booted.wait(), 2)
    await csms.stop()
    await until(lambda: not charger.connected and not charger.booted.is_set())
    # While the CSMS is down the charger keeps trying, backing off between attempts.
    down = Refuser()
    await down.start(csms.port)
    try:
        await until(lambda: down.refused >= 3)
    finally:
        await down.stop()
    await csms.start()
    await asyncio.wait_for(charger.booted.wait(), 3)
    assert csms.count("BootNotification") == 2


async def test_a_transaction_survives_a_dropped_connection(csms, start_charger):
    charger = start_charger(meter_interval=0.05)
    await asyncio.wait_for(charger.booted.wait(), 2)
    await csms.call(CP, call.RemoteStartTransaction(id_tag="TAG-1", connector_id=1))
    await csms.wait_for("MeterValues", lambda p: p.get("transaction_id") == 101)
    await csms.stop()
    await csms.start()
    await asyncio.wait_for(charger.booted.wait(), 3)
    mark = len(csms.received)
    # Back online: still Charging, and the meter kept counting for the same transaction.
    await csms.wait_for("StatusNotification", lambda p: p["connector_id"] == 1 and p["status"] == "Charging", skip=mark)
    await csms.wait_for("MeterValues", lambda p: p.get("transaction_id") == 101, skip=mark)
    assert csms.count("StartTransaction") == 1 and csms.count("StopTransaction") == 0


async def test_timestamps_come_from_the_injected_clock(csms, start_charger):
    moment = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    start_charger(clock=lambda: moment)
    status = await csms.wait_for("StatusNotification")
    assert status["timestamp"] == "2024-01-02T03:04:05.000Z"
