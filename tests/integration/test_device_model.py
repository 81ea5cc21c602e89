"""The charger's configuration as a technician reads it: the 2.x device model with its
characteristics, GetReport with criteria, partial reports, GetVariables in batches, and the
1.6 keys with what the specification says of them. Over real sockets with the virtual charger."""

from __future__ import annotations

import pytest

from app.csms import engine as csms_engine
from app.domain import errors
from app.services import configuration
from tests.integration.test_simulator_vs_csms import actions_sent, running
from tests.integration.test_workflows import read_from_parts


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_the_device_model_carries_characteristics_and_groups_by_component(engine, version) -> None:
    async with running(engine, version, "DM-1"):
        found = await configuration.read(engine, "DM-1")
    rows = {r.name: r for r in found.rows}
    heartbeat = rows["OCPPCommCtrlr.HeartbeatInterval"]
    assert heartbeat.detail == "integer" and heartbeat.writable and heartbeat.mutability == "ReadWrite"
    assert heartbeat.group == "OCPPCommCtrlr" and heartbeat.leaf == "HeartbeatInterval"
    evse = [r for r in found.rows if r.component and r.component.get("evse")]
    assert evse and all(" EVSE " in r.group or r.group.startswith(("EVSE ", "Connector ")) for r in evse)
    listed = [r for r in found.rows if r.values]
    assert listed, "some variable carries a valuesList"
    assert heartbeat.minimum is not None and configuration.check_value(heartbeat, "-5").startswith(
        "OCPPCommCtrlr.HeartbeatInterval takes at least")


async def test_get_report_with_criteria_and_components(engine: csms_engine.Engine) -> None:
    async with running(engine, "2.0.1", "DM-2"):
        enabled = await configuration.read(engine, "DM-2", criteria=["Enabled"])
        asked = await configuration.read(engine, "DM-2", components=[
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}])
    assert enabled.source == "GetReport" and enabled.rows
    groups = {r.group for r in enabled.rows}
    assert "AuthCtrlr" in groups and "OCPPCommCtrlr" not in groups  # only components with Enabled true
    assert [r.name for r in asked.rows] == ["OCPPCommCtrlr.HeartbeatInterval"]
    assert "GetReport" in actions_sent(engine, "DM-2")


async def test_a_partial_read_keeps_what_came_and_names_what_did_not(engine: csms_engine.Engine) -> None:
    found = await read_from_parts(engine, [(0, True), (2, False)], partial=True)
    assert not found.complete and found.missing == [1] and found.parts == 2
    assert [r.name for r in found.rows] == ["OCPPCommCtrlr.Var0", "OCPPCommCtrlr.Var2"]


async def test_get_variables_go_in_batches_the_charger_accepts(engine: csms_engine.Engine) -> None:
    async with running(engine, "2.0.1", "DM-3"):
        rows = (await configuration.read(engine, "DM-3")).rows
        readable = [r for r in rows if r.mutability != "WriteOnly"][:50]
        before = actions_sent(engine, "DM-3").count("GetVariables")
        now = await configuration.read_values(engine, "DM-3", readable)
        calls = actions_sent(engine, "DM-3").count("GetVariables") - before
    assert len(now) == 50 and all(r is not None for r in now)
    assert [r.name for r in now] == [r.name for r in readable]
    # ItemsPerMessageGetVariables is 20 on the virtual charger (it refuses more): 1 limits read + 3 batches
    assert calls == 4
    assert configuration.batches([{"a": "x" * 40}] * 10, 20, 200, "getVariableData") != [[{"a": "x" * 40}] * 10]


async def test_a_16_key_shows_what_the_spec_says_and_vendor_keys_are_marked(engine: csms_engine.Engine) -> None:
    async with running(engine, "1.6", "DM-4"):
        found = await configuration.read(engine, "DM-4")
        rows = {r.name: r for r in found.rows}
        again = await configuration.read_values(engine, "DM-4", [rows["HeartbeatInterval"], rows["CentralSystemUrl"]])
    heartbeat = rows["HeartbeatInterval"]
    assert heartbeat.detail == "integer" and heartbeat.unit == "seconds" and heartbeat.description
    assert heartbeat.group == "Core profile" and not heartbeat.vendor
    assert rows["CentralSystemUrl"].vendor and rows["CentralSystemUrl"].group == "Vendor keys"
    sampled = rows["MeterValuesSampledData"]
    assert "Energy.Active.Import.Register" in sampled.values
    assert "Banana" in configuration.check_value(sampled, "Energy.Active.Import.Register,Banana")
    assert [r.name for r in again] == ["HeartbeatInterval", "CentralSystemUrl"]


async def test_an_incomplete_report_still_raises_without_partial(engine: csms_engine.Engine) -> None:
    with pytest.raises(errors.ReportIncompleteError) as caught:
        await read_from_parts(engine, [(1, False)])
    assert caught.value.missing == [0]


@pytest.mark.parametrize("version, name, value", [("1.6", "WebSocketPingInterval", "45"),
                                                  ("2.0.1", "OCPPCommCtrlr.WebSocketPingInterval", "45")])
async def test_reboot_required_resets_and_reads_again(engine, version, name, value) -> None:
    async with running(engine, version, "DM-5") as charger:
        rows = {r.name: r for r in (await configuration.read(engine, "DM-5")).rows}
        done = await configuration.change(engine, "DM-5", rows[name], value)
        # The ping interval is set up when the connection opens: the charger says it needs a reboot.
        assert (done.status, done.note) == ("RebootRequired", "takes effect after a reboot")
        boots = charger.connections
        again = await configuration.reboot_and_read(engine, "DM-5", timeout=15)
        assert charger.connections == boots + 1
    assert {r.name: r.value for r in again.rows}[name] == value and again.complete


def test_16_lists_take_connector_numbers_and_phases() -> None:
    keys = configuration.standard_keys()
    assert len(keys) >= 50 and keys["heartbeatinterval"].unit == "seconds"
    rotation = configuration.rows_from_get_configuration(
        {"configurationKey": [{"key": "ConnectorPhaseRotation", "readonly": False, "value": "0.RST"}]})[0]
    assert configuration.check_value(rotation, "0.RST,1.RTS") == ""
    assert "XYZ" in configuration.check_value(rotation, "0.XYZ")
    sampled = configuration.rows_from_get_configuration(
        {"configurationKey": [{"key": "MeterValuesSampledData", "readonly": False, "value": ""}]})[0]
    assert configuration.check_value(sampled, "Energy.Active.Import.Register,Voltage.L1,Current.Import.L2") == ""
