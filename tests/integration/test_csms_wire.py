"""The CSMS over real websockets: handshake rules, bad input answered per spec, sessions live on."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
import websockets
from websockets.asyncio.client import connect

from app.csms import engine as csms_engine
from app.domain import model
from tests.conftest import url

BOOT16 = '[2,"b1","BootNotification",{"chargePointVendor":"ACME","chargePointModel":"X1"}]'


async def roundtrip(ws, frame: str) -> list:
    await ws.send(frame)
    return json.loads(await asyncio.wait_for(ws.recv(), 5))


async def test_boot_over_any_base_path_and_journaled(engine: csms_engine.Engine) -> None:
    async with connect(url(engine, "some/base/path/CP-7"), subprotocols=["ocpp1.6"]) as ws:
        assert ws.subprotocol == "ocpp1.6"
        answer = await roundtrip(ws, BOOT16)
        assert answer[0] == 3 and answer[2]["status"] == "Accepted" and answer[2]["interval"] == 60
    engine.journal.flush()
    frames = engine.journal.reader().frames(charger_id="CP-7")
    # The connection's start is noted first (its end follows once the server has seen the close).
    assert [(f.direction.value, f.message_type, f.action) for f in frames][:3] == [
        ("in", 1, "Connected"), ("in", 2, "BootNotification"), ("out", 3, "BootNotification")]
    assert frames[2].latency_ms is not None
    info = engine.registry.chargers["CP-7"]
    assert (info.vendor, info.model, info.ocpp_version) == ("ACME", "X1", "1.6")


@pytest.mark.parametrize("offered,chosen", [
    (["ocpp2.0.1"], "ocpp2.0.1"), (["ocpp2.1"], "ocpp2.1"), (["ocpp1.6", "ocpp2.0.1"], "ocpp2.0.1")])
async def test_subprotocol_negotiation(engine: csms_engine.Engine, offered: list[str], chosen: str) -> None:
    async with connect(url(engine), subprotocols=offered) as ws:
        assert ws.subprotocol == chosen
        answer = await roundtrip(ws, '[2,"h","Heartbeat",{}]')
        assert answer[0] == 3


async def test_unsupported_subprotocol_is_refused(engine: csms_engine.Engine) -> None:
    with pytest.raises(websockets.exceptions.InvalidStatus) as caught:
        async with connect(url(engine), subprotocols=["ocpp1.5"]):
            pass
    assert caught.value.response.status_code == 400


async def test_missing_subprotocol_tolerant_assumes_16_with_warning(engine: csms_engine.Engine) -> None:
    events: list[model.Event] = []
    engine.subscribe(events.append)
    async with connect(url(engine)) as ws:
        assert (await roundtrip(ws, BOOT16))[0] == 3
    connected = [e for e in events if isinstance(e, model.Connected)][0]
    assert connected.ocpp_version == "1.6"
    assert "no Sec-WebSocket-Protocol" in connected.warnings[0]
    assert engine.registry.chargers["CP1"].warnings


async def test_missing_subprotocol_strict_refuses(engine: csms_engine.Engine, caplog) -> None:
    engine.config.mode = model.Mode.STRICT
    with pytest.raises(websockets.exceptions.InvalidStatus) as caught:
        async with connect(url(engine)):
            pass
    assert caught.value.response.status_code == 400
    assert "no Sec-WebSocket-Protocol header" in caplog.text


async def test_allow_list_refuses_unknown_chargers(engine: csms_engine.Engine) -> None:
    engine.config.auto_accept = False
    engine.config.allowed_chargers = ["KNOWN"]
    with pytest.raises(websockets.exceptions.InvalidStatus) as caught:
        async with connect(url(engine, "STRANGER"), subprotocols=["ocpp1.6"]):
            pass
    assert caught.value.response.status_code == 404
    async with connect(url(engine, "KNOWN"), subprotocols=["ocpp1.6"]) as ws:
        assert (await roundtrip(ws, BOOT16))[0] == 3


async def test_basic_auth(engine: csms_engine.Engine) -> None:
    engine.config.passwords = {"*": "s3cret"}
    with pytest.raises(websockets.exceptions.InvalidStatus) as caught:
        async with connect(url(engine), subprotocols=["ocpp1.6"]):
            pass
    assert caught.value.response.status_code == 401
    token = base64.b64encode(b"CP1:s3cret").decode()
    async with connect(url(engine), subprotocols=["ocpp1.6"], additional_headers={"Authorization": f"Basic {token}"}) as ws:
        assert (await roundtrip(ws, BOOT16))[0] == 3


async def test_no_boot_needed_and_reconnect_replaces_session(engine: csms_engine.Engine) -> None:
    events: list[model.Event] = []
    engine.subscribe(events.append)
    first = await connect(url(engine), subprotocols=["ocpp1.6"])
    # No BootNotification: a charger that reconnects often never resends it.
    assert (await roundtrip(first, '[2,"h1","Heartbeat",{}]'))[0] == 3
    second = await connect(url(engine), subprotocols=["ocpp2.0.1"])
    assert (await roundtrip(second, '[2,"h2","Heartbeat",{}]'))[0] == 3
    await asyncio.wait_for(first.wait_closed(), 5)
    assert first.close_reason == "replaced by a new connection"
    assert engine.server.session("CP1").version == "2.0.1"
    assert engine.registry.chargers["CP1"].connected
    # The old session's end is in the stream, marked as replaced; the charger stays connected.
    assert [(e.reason, e.replaced) for e in events if isinstance(e, model.Disconnected)] == [
        ("replaced by a new connection", True)]
    await second.close()
    for _ in range(50):
        if not engine.registry.chargers["CP1"].connected:
            break
        await asyncio.sleep(0.02)
    assert not engine.registry.chargers["CP1"].connected


BAD_FRAMES_201 = [
    ("not json at all", [4, "-1", "RpcFrameworkError"]),
    ('{"not": "an array"}', [4, "-1", "RpcFrameworkError"]),
    ('[2, 12345, "Heartbeat", {}]', [4, "-1", "RpcFrameworkError"]),
    ('[7, "m-type", "Heartbeat", {}]', [4, "m-type", "MessageTypeNotSupported"]),
    ('[2, "' + "L" * 37 + '", "Heartbeat", {}]', [4, "-1", "RpcFrameworkError"]),  # an invalid id is never echoed
    ('[2, "unknown", "BrewCoffee", {}]', [4, "unknown", "NotImplemented"]),
    ('[2, "unhandled", "GetVariables", {"getVariableData": []}]', [4, "unhandled", "NotSupported"]),
    ('[2, "deep", "DataTransfer", {"vendorId": "x", "data": ' + "[" * 5000 + "]" * 5000 + "}]",
     [4, "deep", "FormatViolation"]),
]


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_bad_input_is_answered_and_the_session_lives_on(engine: csms_engine.Engine, version: str) -> None:
    async with connect(url(engine, "BAD"), subprotocols=[f"ocpp{version}"], max_size=None) as bad, \
            connect(url(engine, "GOOD"), subprotocols=[f"ocpp{version}"]) as good:
        for frame, expected in BAD_FRAMES_201:
            answer = await roundtrip(bad, frame)
            assert answer[:3] == expected, frame[:40]
            assert isinstance(answer[3], str) and isinstance(answer[4], dict)
            # the bad charger's session lives on, and the other charger never noticed
            assert (await roundtrip(bad, '[2,"ok","Heartbeat",{}]'))[:2] == [3, "ok"]
            assert (await roundtrip(good, '[2,"g","Heartbeat",{}]'))[:2] == [3, "g"]
    engine.journal.flush()
    warned = engine.journal.reader().frames(charger_id="BAD", errors_only=True, limit=100)
    assert len([f for f in warned if f.direction is model.Direction.IN]) == len(BAD_FRAMES_201)


async def test_bad_input_16_spellings(engine: csms_engine.Engine) -> None:
    async with connect(url(engine), subprotocols=["ocpp1.6"]) as ws:
        assert (await roundtrip(ws, "}{"))[:3] == [4, "-1", "FormationViolation"]
        answer = await roundtrip(ws, '[2,"s","StatusNotification",{"connectorId":1,"errorCode":"NoError"}]')
        assert answer == [3, "s", {}]  # tolerant: accepted, recorded
        engine.server.session("CP1").mode = model.Mode.STRICT
        answer = await roundtrip(ws, '[2,"s2","StatusNotification",{"connectorId":1,"errorCode":"NoError"}]')
        assert answer[:3] == [4, "s2", "OccurenceConstraintViolation"]
        answer = await roundtrip(ws, '[2,"s3","Heartbeat",{"surprise":1}]')
        assert answer[:3] == [4, "s3", "FormationViolation"]


async def test_oversized_frame_gets_callerror_and_session_lives(engine: csms_engine.Engine) -> None:
    engine.config.max_frame_bytes = 1 << 20
    big = '[2,"huge","DataTransfer",{"vendorId":"x","data":"' + "z" * (2 << 20) + '"}]'
    async with connect(url(engine), subprotocols=["ocpp2.0.1"], max_size=None) as ws:
        answer = await roundtrip(ws, big)
        assert answer[:3] == [4, "huge", "FormatViolation"]
        assert "exceeds the limit" in answer[3]
        assert (await roundtrip(ws, '[2,"ok","Heartbeat",{}]'))[:2] == [3, "ok"]


async def test_many_bad_frames_log_one_line_each_then_stop(engine: csms_engine.Engine, caplog) -> None:
    async with connect(url(engine), subprotocols=["ocpp1.6"]) as ws:
        for _ in range(50):
            await roundtrip(ws, "garbage")
    lines = [r for r in caplog.records if r.name == "app.ocpp.rpc_session"]
    assert len(lines) <= 6
    assert all(r.exc_info is None for r in lines)


async def test_csms_initiated_call_through_engine(engine: csms_engine.Engine) -> None:
    async with connect(url(engine), subprotocols=["ocpp1.6"]) as ws:
        await roundtrip(ws, BOOT16)
        task = asyncio.ensure_future(engine.call("CP1", "TriggerMessage", {"requestedMessage": "Heartbeat"}))
        request = json.loads(await ws.recv())
        assert request[2:] == ["TriggerMessage", {"requestedMessage": "Heartbeat"}]
        await ws.send(json.dumps([3, request[1], {"status": "Accepted"}]))
        assert await task == {"status": "Accepted"}


async def test_tolerant_mode_survives_wrong_types(engine: csms_engine.Engine, caplog) -> None:
    async with connect(url(engine, "ODD-201"), subprotocols=["ocpp2.0.1"]) as v201, \
            connect(url(engine, "ODD-16"), subprotocols=["ocpp1.6"]) as v16:
        for n in range(20):
            answer = await roundtrip(v201, f'[2,"b{n}","BootNotification",{{"reason":"PowerUp","chargingStation":"x"}}]')
            assert answer[0] == 3 and answer[2]["status"] == "Accepted"  # accepted, not InternalError
        answer = await roundtrip(v16, '[2,"b","BootNotification",{"chargePointVendor":123,"chargePointModel":["M"]}]')
        assert answer[0] == 3
        answer = await roundtrip(v16, '[2,"s","StatusNotification",{"connectorId":"1","status":7,"errorCode":null}]')
        assert answer == [3, "s", {}]
        answer = await roundtrip(v201, '[2,"a","Authorize",{"idToken":"not an object"}]')
        assert answer[0] == 3 and answer[2]["idTokenInfo"]["status"] == "Accepted"
    info = engine.registry.chargers["ODD-16"]
    assert (info.vendor, info.model, info.connectors["1"].status) == ("123", "['M']", "7")
    assert not [r for r in caplog.records if r.exc_info]
    assert engine.registry.chargers["ODD-201"].warnings  # recorded as compliance warnings
