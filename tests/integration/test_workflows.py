"""Workflows over real sockets: configuration read, expect(), domain events, owned stop.

The virtual charger (or a hand-driven websocket where the simulator is too well-behaved) talks
to the engine exactly as a charger on site would.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pathlib

import pytest
import websockets
from ocpp.routing import after, on
from ocpp.v16 import call as v16
from ocpp.v16 import call_result as v16_result
from ocpp.v201 import call as v201

from app.csms import engine as csms_engine
from app.csms import server as csms_server
from app.domain import csms_policy, errors, model
from app.ocpp import rpc_session
from app.services import configuration
from tests.conftest import url
from tests.integration.test_simulator_vs_csms import running, until


def collect(eng: csms_engine.Engine) -> list[model.Event]:
    events: list[model.Event] = []
    eng.subscribe(events.append)
    return events


@pytest.mark.parametrize("version, source, name", [
    ("1.6", "GetConfiguration", "HeartbeatInterval"),
    ("2.0.1", "GetBaseReport", "OCPPCommCtrlr.HeartbeatInterval"),
    ("2.1", "GetBaseReport", "OCPPCommCtrlr.HeartbeatInterval"),
])
async def test_configuration_read_of_every_version(engine: csms_engine.Engine, version, source, name) -> None:
    events = collect(engine)
    progress: list[tuple[int, int, str]] = []
    async with running(engine, version):
        found = await configuration.read(engine, "SIM-1", progress=lambda *p: progress.append(p))
    assert found.source == source
    assert name in {row.name for row in found.rows}
    assert progress and progress[-1][0] == progress[-1][1] > 0  # done == total at the end
    if version != "1.6":
        parts = [e for e in events if isinstance(e, model.ReportPart) and e.request_id == found.request_id]
        assert len(parts) == found.parts >= 1 and not parts[-1].tbc and sum(p.items for p in parts) > 20
        assert list(engine.messages.active()) == []  # the watch was closed


class HandDriven:
    """A 2.0.1 charger whose every frame the test writes itself."""

    def __init__(self, ws) -> None:
        self.ws = ws

    async def boot(self) -> None:
        await self.ws.send(json.dumps([2, "b", "BootNotification", {
            "reason": "PowerUp", "chargingStation": {"vendorName": "V", "model": "M"}}]))
        assert json.loads(await self.ws.recv())[0] == 3

    async def answer_next(self, payload: dict) -> list:
        request = json.loads(await self.ws.recv())
        await self.ws.send(json.dumps([3, request[1], payload]))
        return request

    async def notify(self, request_id: int, seq: int, tbc: bool) -> None:
        report = [{"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": f"Var{seq}"},
                   "variableAttribute": [{"type": "Actual", "value": str(seq), "mutability": "ReadWrite"}],
                   "variableCharacteristics": {"dataType": "integer", "supportsMonitoring": False}}]
        await self.ws.send(json.dumps([2, f"n{seq}", "NotifyReport", {
            "requestId": request_id, "generatedAt": "2026-12-03T08:00:00Z", "seqNo": seq, "tbc": tbc,
            "reportData": report}]))
        assert json.loads(await self.ws.recv())[0] == 3


async def _charger(eng: csms_engine.Engine, charger_id: str = "HAND-1"):
    ws = await websockets.connect(url(eng, charger_id), subprotocols=["ocpp2.0.1"])
    charger = HandDriven(ws)
    await charger.boot()
    return ws, charger


async def test_report_parts_out_of_order_make_a_complete_report(engine: csms_engine.Engine) -> None:
    ws, charger = await _charger(engine)
    async with ws:
        reading = asyncio.ensure_future(configuration.read(engine, "HAND-1", timeout=5))
        request = await charger.answer_next({"status": "Accepted"})
        request_id = request[3]["requestId"]
        await charger.notify(request_id + 1, 0, False)  # another request's report is ignored
        await charger.notify(request_id, 2, False)
        await charger.notify(request_id, 0, True)
        assert not reading.done()
        await charger.notify(request_id, 1, True)
        found = await reading
    assert [row.name for row in found.rows] == ["OCPPCommCtrlr.Var0", "OCPPCommCtrlr.Var1", "OCPPCommCtrlr.Var2"]
    assert found.parts == 3


QUIET_S = 1.0  # how long a test's hand-driven charger stays quiet before the read gives up on a part


async def read_from_parts(eng: csms_engine.Engine, parts: list[tuple[int, bool]], **read: object):
    """configuration.read against a hand-driven charger that accepts and then sends only these
    NotifyReport parts (seqNo, tbc), then goes quiet. Returns the Configuration, or raises what read raised."""
    ws, charger = await _charger(eng)
    async with ws:
        reading = asyncio.ensure_future(configuration.read(eng, "HAND-1", timeout=QUIET_S, **read))
        request = await charger.answer_next({"status": "Accepted"})
        for seq, tbc in parts:
            await charger.notify(request[3]["requestId"], seq, tbc)
        return await reading


async def test_a_missing_part_is_named(engine: csms_engine.Engine) -> None:
    with pytest.raises(errors.ReportIncompleteError) as caught:
        await read_from_parts(engine, [(0, True), (2, False)])
    assert caught.value.missing == [1]
    assert "missing part(s) 1" in str(caught.value) and "read the report again" in str(caught.value)


async def test_a_rejected_report_request_says_what_the_charger_answered(engine: csms_engine.Engine) -> None:
    ws, charger = await _charger(engine)
    async with ws:
        reading = asyncio.ensure_future(configuration.read(engine, "HAND-1"))
        await charger.answer_next({"status": "NotSupported"})
        with pytest.raises(errors.OperationRejected) as caught:
            await reading
    assert caught.value.status == "NotSupported" and "HAND-1 answered GetBaseReport with NotSupported" in str(caught.value)
    assert list(engine.messages.active()) == []


async def test_expect_the_boot_after_a_reset_across_the_reconnect(engine: csms_engine.Engine) -> None:
    async with running(engine, "2.0.1"):
        with engine.watch("SIM-1", "BootNotification") as boots:
            assert (await engine.send("SIM-1", v201.Reset(type="Immediate"))).status == "Accepted"
            boot = await boots.next(10)
    assert boot["reason"] == "RemoteReset"


async def test_domain_events_for_transactions_meter_values_firmware_and_logs(engine: csms_engine.Engine) -> None:
    events = collect(engine)
    async with running(engine, "1.6"):
        with engine.watch("SIM-1", "StartTransaction") as started:
            assert (await engine.send("SIM-1", v16.RemoteStartTransaction(id_tag="TAG-1", connector_id=1))).status \
                == "Accepted"
            await started.next(5)
        await until(lambda: any(isinstance(e, model.MeterValuesReceived) for e in events))
        start = next(e for e in events if isinstance(e, model.TransactionChanged))
        assert (start.event, start.connector, start.id_token) == ("started", "1", "TAG-1")
        with engine.watch("SIM-1", "StopTransaction") as stopped:
            await engine.send("SIM-1", v16.RemoteStopTransaction(transaction_id=int(start.transaction_id)))
            await stopped.next(5)
    ended = [e for e in events if isinstance(e, model.TransactionChanged) and e.event == "ended"]
    assert ended and ended[0].transaction_id == start.transaction_id
    assert next(e for e in events if isinstance(e, model.MeterValuesReceived)).samples > 0

    async with websockets.connect(url(engine, "RAW-16"), subprotocols=["ocpp1.6"]) as ws:
        for frame in ([2, "1", "FirmwareStatusNotification", {"status": "Downloading"}],
                      [2, "2", "DiagnosticsStatusNotification", {"status": "Uploaded"}],
                      [2, "3", "LogStatusNotification", {"status": "Uploading", "requestId": 5}]):
            await ws.send(json.dumps(frame))
            assert json.loads(await ws.recv())[0] == 3
    assert [(e.kind, e.status, e.request_id) for e in events
            if isinstance(e, (model.FirmwareStatus, model.LogStatus))] == [
        ("firmware_status", "Downloading", None), ("log_status", "Uploaded", None), ("log_status", "Uploading", 5)]
    assert all(e.to_dict()["event"] for e in events)  # every event serialises for serve --json


class _RaisingAfter:
    """Handlers whose @after hook fails: the connection must survive it."""

    def __init__(self) -> None:
        self.calls = 0

    @on("Heartbeat")
    def on_heartbeat(self, **kwargs):
        self.calls += 1
        return v16_result.Heartbeat(current_time="2026-12-03T08:00:00Z")

    @after("Heartbeat")
    def after_heartbeat(self, **kwargs):
        raise RuntimeError("a bug in a hook")


async def test_an_injected_session_factory_and_a_failing_after_hook(csms_config, isolated_data_dir) -> None:
    isolated_data_dir.mkdir(parents=True)
    handlers = _RaisingAfter()

    def factory(charger_id, version, send, *, mode, record):
        return rpc_session.RpcSession(charger_id, version, send, handlers, record=record, mode=mode)

    server = csms_server.CsmsServer(csms_config, session_factory=factory)
    eng = csms_engine.Engine(csms_config, isolated_data_dir, server=server)
    await eng.start()
    try:
        async with websockets.connect(url(eng), subprotocols=["ocpp1.6"]) as ws:
            for n in range(3):
                await ws.send(json.dumps([2, f"h{n}", "Heartbeat", {}]))
                assert json.loads(await ws.recv())[0] == 3  # answered, and the socket stays open
        assert handlers.calls == 3
    finally:
        await eng.stop()
        eng.close()


def test_stop_with_a_call_pending_fails_the_call_and_ends_the_thread(isolated_data_dir: pathlib.Path) -> None:
    from websockets.sync.client import connect

    isolated_data_dir.mkdir(parents=True)
    eng = csms_engine.Engine(csms_policy.CsmsConfig(host="127.0.0.1", port=0, call_timeout=60), isolated_data_dir)
    eng.start_in_thread()
    try:
        with connect(url(eng, "SILENT"), subprotocols=["ocpp1.6"]) as ws:
            pending = eng.submit(eng.call("SILENT", "ClearCache", {}))
            assert json.loads(ws.recv(5))[2] == "ClearCache"  # sent; the charger never answers
            eng.stop_thread()
            with pytest.raises(errors.ChargerNotConnectedError):
                pending.result(5)
    finally:
        eng.stop_thread()
    assert eng._thread is None
    with pytest.raises(errors.CsmsError, match="not running"):
        eng.submit(eng.call("SILENT", "ClearCache", {}))


def test_a_start_that_hangs_times_out_and_leaves_no_thread(isolated_data_dir: pathlib.Path, monkeypatch) -> None:
    isolated_data_dir.mkdir(parents=True)
    eng = csms_engine.Engine(csms_policy.CsmsConfig(host="127.0.0.1", port=0), isolated_data_dir)

    async def never() -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(eng.server, "start", never)
    with pytest.raises(errors.CsmsError, match="did not start"):
        eng.start_in_thread(timeout=0.2)
    assert eng._thread is None


def _self_signed(directory: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


async def test_the_server_takes_an_ssl_context(csms_config, isolated_data_dir, tmp_path) -> None:
    import ssl

    isolated_data_dir.mkdir(parents=True)
    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    eng = csms_engine.Engine(csms_config, isolated_data_dir,
                             server=csms_server.CsmsServer(csms_config, ssl_context=server_ctx))
    urls = await eng.start()
    try:
        assert urls == [f"wss://127.0.0.1:{eng.server.port}/"]
        client_ctx = ssl.create_default_context(cafile=str(cert))
        async with websockets.connect(urls[0] + "TLS-1", subprotocols=["ocpp1.6"], ssl=client_ctx) as ws:
            await ws.send(json.dumps([2, "h", "Heartbeat", {}]))
            assert json.loads(await ws.recv())[0] == 3
    finally:
        await eng.stop()
        eng.close()


async def test_an_action_the_virtual_charger_lacks_is_one_warning_line(engine: csms_engine.Engine, caplog) -> None:
    caplog.set_level(logging.INFO, logger="app.simulator")
    async with running(engine, "2.0.1"):
        with pytest.raises(errors.CallErrorReceived) as caught:
            await engine.call("SIM-1", "GetDisplayMessages", {"requestId": 1})
    assert caught.value.code in ("NotImplemented", "NotSupported")
    mine = [r for r in caplog.records if r.name.startswith("app.simulator")]
    assert not [r for r in mine if r.exc_info or r.levelname == "ERROR"]  # no traceback
    assert any("GetDisplayMessages" in r.getMessage() for r in mine if r.levelname == "WARNING")
    assert any("connected to" in r.getMessage() for r in mine)  # `simulate` says what it does
    assert any("BootNotification Accepted" in r.getMessage() for r in mine)


@pytest.mark.parametrize("version, name, value", [
    ("1.6", "HeartbeatInterval", "45"),
    ("2.0.1", "OCPPCommCtrlr.HeartbeatInterval", "45"),
    ("2.1", "OCPPCommCtrlr.HeartbeatInterval", "45"),
])
async def test_change_a_setting_sets_it_and_reads_it_back(engine: csms_engine.Engine, version, name, value) -> None:
    async with running(engine, version):
        rows = {row.name: row for row in (await configuration.read(engine, "SIM-1")).rows}
        before = rows[name]
        assert before.value != value and before.writable
        changed = await configuration.change(engine, "SIM-1", before, value)
        assert changed.status == "Accepted" and changed.row.value == value and changed.row.name == name
        again = {row.name: row for row in (await configuration.read(engine, "SIM-1")).rows}
        assert again[name].value == value  # the charger really holds the new value


@pytest.mark.parametrize("version, name, value, status", [
    ("1.6", "HeartbeatInterval", "-5", "Rejected"),
    ("1.6", "GetConfigurationMaxKeys", "5", "read-only"),
    ("2.0.1", "OCPPCommCtrlr.HeartbeatInterval", "abc", "whole number"),
])
async def test_a_refused_or_invalid_change_says_why_and_changes_nothing(engine, version, name, value, status) -> None:
    async with running(engine, version):
        rows = {row.name: row for row in (await configuration.read(engine, "SIM-1")).rows}
        with pytest.raises(errors.CommissionerError) as caught:
            await configuration.change(engine, "SIM-1", rows[name], value)
        assert status in str(caught.value)
        again = {row.name: row for row in (await configuration.read(engine, "SIM-1")).rows}
        assert again[name].value == rows[name].value


async def test_an_unknown_key_reads_back_as_unknown(engine: csms_engine.Engine) -> None:
    async with running(engine, "1.6"):
        row = configuration.ConfigRow("NoSuchKey", "1", True)
        assert (await configuration.read_one(engine, "SIM-1", row)).detail == "unknown key"


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_test_charge_shows_live_power_and_stops_by_its_real_transaction(engine, version) -> None:
    from app.services import operations
    async with running(engine, version):
        start = operations.quick(version, "start_charge", connector=1, evse=1)
        assert operations.judge(start.action, await engine.call("SIM-1", start.action, start.payload)).ok
        info = lambda: engine.registry.chargers["SIM-1"]  # noqa: E731
        await until(lambda: info().transactions and any(
            (m.reading.power_w or 0) > 1000 and m.reading.energy_wh is not None for m in info().meters.values()))
        meter = info().meters["1"]
        assert meter.reading.current_a and meter.reading.voltage_v  # A and V as well as kW and kWh
        transaction = list(info().transactions)[-1]
        stop = operations.quick(version, "stop_charge", transaction_id=transaction)
        assert operations.judge(stop.action, await engine.call("SIM-1", stop.action, stop.payload)).ok
        await until(lambda: not info().transactions)
        assert "0" not in info().meters  # the last reading of the session stays on its connector
