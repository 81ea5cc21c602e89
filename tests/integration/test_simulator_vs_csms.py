"""The built-in virtual charger against the app's CSMS over real websockets, every version.

Every CSMS-initiated operation the simulator supports is round-tripped through the typed API
(the `ocpp` package's dataclasses), and its effects are checked in the journal.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import AsyncIterator, Callable

import orjson
import pytest
from ocpp.v16 import call as v16
from ocpp.v201 import call as v201
from ocpp.v21 import call as v21

from app import simulator
from app.csms import engine as csms_engine
from app.domain import errors, model
from tests.conftest import url


@contextlib.asynccontextmanager
async def running(eng: csms_engine.Engine, version: str, charger_id: str = "SIM-1",
                  **options: object) -> AsyncIterator[simulator.VirtualCharger]:
    config = simulator.SimConfig(url=url(eng, "ocpp"), charger_id=charger_id, ocpp_version=version,
                                 backoff_min=0.05, backoff_max=0.2, reboot_delay=0.1, meter_interval=0.1,
                                 **options)
    charger = simulator.VirtualCharger(config)
    task = asyncio.ensure_future(charger.run())
    try:
        await asyncio.wait_for(charger.booted.wait(), 10)
        yield charger
    finally:
        charger.stop()
        await asyncio.wait_for(task, 10)


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


def payloads(eng: csms_engine.Engine, charger_id: str, action: str) -> list[str]:
    eng.journal.flush()
    return [f.payload for f in eng.journal.reader().frames(charger_id=charger_id, action=action, limit=100_000)
            if f.direction is model.Direction.IN]


def actions_in(eng: csms_engine.Engine, charger_id: str) -> list[str]:
    eng.journal.flush()
    return [f.action for f in eng.journal.reader().frames(charger_id=charger_id, limit=100_000)
            if f.direction is model.Direction.IN and f.message_type == 2]


def actions_sent(eng: csms_engine.Engine, charger_id: str) -> list[str]:
    """The CALLs the CSMS sent the charger, in order."""
    eng.journal.flush()
    return [f.action for f in eng.journal.reader().frames(charger_id=charger_id, limit=100_000)
            if f.direction is model.Direction.OUT and f.message_type == 2]


async def test_v16_boot_status_and_heartbeat(engine: csms_engine.Engine) -> None:
    engine.config.heartbeat_interval = 1
    async with running(engine, "1.6"):
        info = engine.registry.chargers["SIM-1"]
        assert (info.vendor, info.model, info.firmware, info.ocpp_version) == (
            "Commissioner", "VirtualCharger", "1.0.0", "1.6")
        await until(lambda: len(info.connectors) >= 3)  # connector 0 + two connectors
        assert info.connectors["1"].status == "Available"
        await until(lambda: "Heartbeat" in actions_in(engine, "SIM-1"), timeout=4)
    assert actions_in(engine, "SIM-1")[0] == "BootNotification"
    assert not engine.registry.chargers["SIM-1"].warnings  # the simulator is compliant


async def test_v16_every_supported_operation(engine: csms_engine.Engine) -> None:
    async with running(engine, "1.6") as charger:
        send = lambda request: engine.send("SIM-1", request)  # noqa: E731

        config = await send(v16.GetConfiguration(key=["HeartbeatInterval", "NoSuchKey"]))
        assert config.configuration_key[0]["key"] == "HeartbeatInterval" and config.unknown_key == ["NoSuchKey"]
        full = await send(v16.GetConfiguration())
        readonly = next(k["key"] for k in full.configuration_key if k["readonly"])
        assert (await send(v16.ChangeConfiguration(key="HeartbeatInterval", value="120"))).status == "Accepted"
        assert (await send(v16.ChangeConfiguration(key=readonly, value="1"))).status == "Rejected"
        assert (await send(v16.TriggerMessage(requested_message="StatusNotification", connector_id=1))).status == "Accepted"
        assert (await send(v16.ChangeAvailability(connector_id=2, type="Inoperative"))).status == "Accepted"
        await until(lambda: engine.registry.chargers["SIM-1"].connectors["2"].status == "Unavailable")
        assert (await send(v16.UnlockConnector(connector_id=1))).status in ("Unlocked", "NotSupported")
        assert (await send(v16.ClearCache())).status == "Accepted"
        assert (await send(v16.DataTransfer(vendor_id="nobody"))).status in ("UnknownVendorId", "Rejected")

        assert (await send(v16.RemoteStartTransaction(id_tag="TAG-1", connector_id=1))).status == "Accepted"
        await until(lambda: engine.registry.chargers["SIM-1"].connectors["1"].status == "Charging")
        await until(lambda: "MeterValues" in actions_in(engine, "SIM-1"))
        answer = [f for f in engine.journal.reader().frames(charger_id="SIM-1", action="StartTransaction")
                  if f.direction is model.Direction.OUT][0]
        transaction_id = orjson.loads(answer.payload)[2]["transactionId"]
        assert charger.connectors[0].transaction.id == transaction_id
        assert (await send(v16.RemoteStopTransaction(transaction_id=transaction_id))).status == "Accepted"
        await until(lambda: "StopTransaction" in actions_in(engine, "SIM-1"))

        boots = actions_in(engine, "SIM-1").count("BootNotification")
        assert (await send(v16.Reset(type="Soft"))).status == "Accepted"
        await until(lambda: actions_in(engine, "SIM-1").count("BootNotification") == boots + 1, timeout=10)
        assert engine.registry.chargers["SIM-1"].connected

    seen = set(actions_in(engine, "SIM-1"))
    assert {"BootNotification", "StatusNotification", "StartTransaction", "MeterValues", "StopTransaction"} <= seen


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_v2x_every_supported_operation(engine: csms_engine.Engine, version: str) -> None:
    call = v201 if version == "2.0.1" else v21
    async with running(engine, version):
        send = lambda request: engine.send("SIM-1", request)  # noqa: E731
        info = engine.registry.chargers["SIM-1"]
        assert info.ocpp_version == version and info.vendor == "Commissioner"
        await until(lambda: "1/1" in info.connectors)

        got = await send(call.GetVariables(get_variable_data=[
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
            {"component": {"name": "Nope"}, "variable": {"name": "Nothing"}}]))
        statuses = [r["attribute_status"] for r in got.get_variable_result]
        assert statuses[0] == "Accepted" and statuses[1] in ("UnknownComponent", "UnknownVariable")
        done = await send(call.SetVariables(set_variable_data=[
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"},
             "attribute_value": "90"}]))
        assert done.set_variable_result[0]["attribute_status"] == "Accepted"

        assert (await send(call.GetBaseReport(request_id=7, report_base="FullInventory"))).status == "Accepted"
        await until(lambda: "NotifyReport" in actions_in(engine, "SIM-1"))
        assert (await send(call.TriggerMessage(requested_message="Heartbeat"))).status == "Accepted"
        await until(lambda: "Heartbeat" in actions_in(engine, "SIM-1"))
        assert (await send(call.ChangeAvailability(operational_status="Inoperative",
                                                   evse={"id": 2}))).status == "Accepted"
        assert (await send(call.UnlockConnector(evse_id=1, connector_id=1))).status
        assert (await send(call.ClearCache())).status == "Accepted"

        start = await send(call.RequestStartTransaction(id_token={"id_token": "TAG", "type": "ISO14443"},
                                                        remote_start_id=42, evse_id=1))
        assert start.status == "Accepted"
        await until(lambda: "TransactionEvent" in actions_in(engine, "SIM-1"))
        started = [orjson.loads(p)[3] for p in payloads(engine, "SIM-1", "TransactionEvent") if '"Started"' in p]
        assert started and started[0]["transactionInfo"]["remoteStartId"] == 42
        transaction_id = started[0]["transactionInfo"]["transactionId"]
        stop = await send(call.RequestStopTransaction(transaction_id=transaction_id))
        assert stop.status == "Accepted"
        await until(lambda: any('"Ended"' in p for p in payloads(engine, "SIM-1", "TransactionEvent")))

        boots = actions_in(engine, "SIM-1").count("BootNotification")
        assert (await send(call.Reset(type="Immediate"))).status == "Accepted"
        await until(lambda: actions_in(engine, "SIM-1").count("BootNotification") == boots + 1, timeout=10)
    assert not engine.registry.chargers["SIM-1"].warnings


async def test_charger_callerror_reaches_the_caller(engine: csms_engine.Engine) -> None:
    async with running(engine, "1.6"):
        # The simulator does not implement reservations: its CallError must surface, not vanish.
        with pytest.raises(errors.CallErrorReceived) as caught:
            await engine.send("SIM-1", v16.ReserveNow(connector_id=1, expiry_date="2030-01-01T00:00:00Z",
                                                     id_tag="T", reservation_id=1))
        assert caught.value.code in ("NotImplemented", "NotSupported")


async def test_pending_boot_is_retried_then_accepted(engine: csms_engine.Engine) -> None:
    engine.config.boot_status = model.BootStatus.PENDING
    engine.config.pending_interval = 1  # the retry interval a Pending boot is answered with
    config = simulator.SimConfig(url=url(engine, "ocpp"), charger_id="PEND", ocpp_version="2.0.1",
                                 backoff_min=0.05, backoff_max=0.2, boot_retry_min=0.1)
    charger = simulator.VirtualCharger(config)
    task = asyncio.ensure_future(charger.run())
    try:
        await until(lambda: actions_in(engine, "PEND").count("BootNotification") >= 2, timeout=6)
        engine.config.boot_status = model.BootStatus.ACCEPTED
        await asyncio.wait_for(charger.booted.wait(), 6)
        assert engine.registry.chargers["PEND"].boot_status == "Accepted"
    finally:
        charger.stop()
        await asyncio.wait_for(task, 10)


async def test_fleet_with_password(engine: csms_engine.Engine) -> None:
    engine.config.passwords = {"*": "0123456789abcdef"}
    stop = asyncio.Event()
    fleet = asyncio.ensure_future(simulator.run_fleet(url(engine, "ocpp"), "FLT", "1.6", count=3,
                                                      password="0123456789abcdef", stop=stop))
    try:
        await until(lambda: all(engine.registry.chargers.get(f"FLT-000{i}") is not None
                                and engine.registry.chargers[f"FLT-000{i}"].boot_status == "Accepted"
                                for i in (1, 2, 3)), timeout=10)
    finally:
        stop.set()
        await asyncio.wait_for(fleet, 10)
