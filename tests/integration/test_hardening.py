"""The CSMS under hostile or odd input, over real sockets (issue: hardening).

Handshakes and auth never 500 and leave nothing behind; boot semantics per OCPP 2.0.1
B02.FR.09 / B03.FR.07; RPC details; a replaced session ends in the event stream; a peer that
stops reading is closed; big frames are worked on off the loop.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading

import pytest
import websockets
from websockets.asyncio.client import connect

from app.csms import engine as csms_engine
from app.domain import model
from app.ocpp import rpc
from tests.conftest import url

BOOT16 = '[2,"b1","BootNotification",{"chargePointVendor":"ACME","chargePointModel":"X1"}]'
BOOT201 = json.dumps([2, "b1", "BootNotification", {"reason": "PowerUp",
                                                   "chargingStation": {"vendorName": "V", "model": "M"}}])


async def roundtrip(ws, frame: str) -> list:
    await ws.send(frame)
    return json.loads(await asyncio.wait_for(ws.recv(), 5))


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def status_of(engine: csms_engine.Engine, path: str, headers: list[tuple[str, str]] = (),
                    subprotocols=("ocpp1.6",)) -> int:
    """The HTTP status the handshake got (101 when it opened)."""
    try:
        async with connect(url(engine, path), subprotocols=list(subprotocols), additional_headers=list(headers)):
            return 101
    except websockets.exceptions.InvalidStatus as exc:
        return exc.response.status_code


# ------------------------------------------------------------------ handshakes and auth

@pytest.mark.parametrize("user, password, path", [
    ("CPé", "secret", "CP%C3%A9"),  # a non-ASCII user (the charger's own id) with the right password
    ("CP1", "pässwörd", "CP1"),  # a non-ASCII password, wrong
    ("CP1", "secret\u202e", "CP1"),
])
async def test_non_ascii_credentials_are_checked_never_500(engine: csms_engine.Engine, user, password, path) -> None:
    engine.config.passwords = {"*": "secret"}
    status = await status_of(engine, path, [("Authorization", basic(user, password))])
    assert status == (101 if password == "secret" else 401)


async def test_two_authorization_headers_are_a_400(engine: csms_engine.Engine) -> None:
    engine.config.passwords = {"*": "secret"}
    good = basic("CP1", "secret")
    assert await status_of(engine, "CP1", [("Authorization", good), ("Authorization", good)]) == 400
    assert await status_of(engine, "CP1", [("Authorization", good)]) == 101


async def test_refused_handshakes_leave_nothing_behind(engine: csms_engine.Engine) -> None:
    engine.config.auto_accept = False
    engine.config.allowed_chargers = ["KNOWN"]
    events: list[model.Event] = []
    engine.subscribe(events.append)
    for n in range(200):
        assert await status_of(engine, f"STRANGER-{n}") == 404
    assert engine.registry.chargers == {}
    refused = [e for e in events if isinstance(e, model.ConnectionRefused)]
    assert len(refused) == 200 and refused[0].status == 404 and "allow-list" in refused[0].reason
    assert len(engine.server._pending_warnings) == 0


@pytest.mark.parametrize("path, why", [
    ("CP%091", "contains characters"),  # a tab
    ("CP%E2%80%AE1", "contains characters"),  # U+202E RIGHT-TO-LEFT OVERRIDE
    ("C" * 1000, "1000 characters long"),
    ("ocpp/", "ends with '/'"),
])
async def test_odd_charger_ids_tolerant_warns_strict_refuses(engine: csms_engine.Engine, path, why) -> None:
    events: list[model.Event] = []
    engine.subscribe(events.append)
    assert await status_of(engine, path) == 101
    connected = [e for e in events if isinstance(e, model.Connected)]
    assert connected and any(why in w for w in connected[0].warnings), connected
    engine.config.mode = model.Mode.STRICT
    assert await status_of(engine, path) == 404
    refused = [e for e in events if isinstance(e, model.ConnectionRefused)]
    assert refused and why in refused[-1].reason


async def test_raw_control_characters_never_reach_a_log_line(engine: csms_engine.Engine, caplog) -> None:
    engine.config.mode = model.Mode.STRICT
    assert await status_of(engine, "EVIL%E2%80%AEgnp.exe") == 404
    lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert lines and all("\u202e" not in line for line in lines) and "\\u202e" in lines[0]


# ------------------------------------------------------------------ boot semantics

async def test_a_pending_charger_may_send_the_triggered_message_right_behind_its_answer(engine) -> None:
    """Real chargers send the triggered message in the same breath as the CALLRESULT."""
    engine.config.boot_status = model.BootStatus.PENDING
    async with connect(url(engine, "PEND-2"), subprotocols=["ocpp2.0.1"]) as ws:
        assert (await roundtrip(ws, BOOT201))[2]["status"] == "Pending"
        trigger = asyncio.ensure_future(engine.call("PEND-2", "TriggerMessage", {"requestedMessage": "StatusNotification"}))
        request = json.loads(await ws.recv())
        status = json.dumps([2, "s9", "StatusNotification", {"timestamp": "2026-12-03T08:00:00Z",
                             "connectorStatus": "Available", "evseId": 1, "connectorId": 1}])
        await ws.send(json.dumps([3, request[1], {"status": "Accepted"}]))
        await ws.send(status)  # no wait in between
        answer = json.loads(await ws.recv())
        assert answer[:2] == [3, "s9"], answer
        assert (await trigger)["status"] == "Accepted"


async def test_after_a_pending_boot_only_what_the_csms_asked_for_is_answered(engine: csms_engine.Engine) -> None:
    engine.config.boot_status = model.BootStatus.PENDING
    engine.config.pending_interval = 7
    async with connect(url(engine, "PEND-1"), subprotocols=["ocpp2.0.1"]) as ws:
        boot = await roundtrip(ws, BOOT201)
        assert boot[2]["status"] == "Pending" and boot[2]["interval"] == 7  # its own retry interval
        status = json.dumps([2, "s1", "StatusNotification", {"timestamp": "2026-12-03T08:00:00Z",
                             "connectorStatus": "Available", "evseId": 1, "connectorId": 1}])
        refused = await roundtrip(ws, status)
        assert refused[:3] == [4, "s1", "SecurityError"] and "Pending" in refused[3]
        event = json.dumps([2, "e1", "NotifyEvent", {"generatedAt": "2026-12-03T08:00:00Z", "seqNo": 0,
                            "eventData": []}])
        assert (await roundtrip(ws, event))[2] == "SecurityError"
        # The CSMS triggers a StatusNotification: that one is answered.
        trigger = asyncio.ensure_future(engine.call("PEND-1", "TriggerMessage", {"requestedMessage": "StatusNotification"}))
        request = json.loads(await ws.recv())
        await ws.send(json.dumps([3, request[1], {"status": "Accepted"}]))
        assert (await trigger)["status"] == "Accepted"
        assert (await roundtrip(ws, status.replace('"s1"', '"s2"')))[0] == 3
        # A new boot is always allowed; Accepted lifts the gate.
        engine.config.boot_status = model.BootStatus.ACCEPTED
        accepted = await roundtrip(ws, BOOT201.replace('"b1"', '"b2"'))
        assert accepted[2]["status"] == "Accepted" and accepted[2]["interval"] == engine.config.heartbeat_interval
        assert (await roundtrip(ws, event.replace('"e1"', '"e2"')))[0] == 3


async def test_a_reconnect_without_a_new_boot_is_served(engine: csms_engine.Engine) -> None:
    async with connect(url(engine, "RECON"), subprotocols=["ocpp1.6"]) as ws:
        assert (await roundtrip(ws, BOOT16))[2]["status"] == "Accepted"
    async with connect(url(engine, "RECON"), subprotocols=["ocpp1.6"]) as ws:
        assert (await roundtrip(ws, '[2,"h","Heartbeat",{}]'))[0] == 3
    async with connect(url(engine, "NEVER-BOOTED"), subprotocols=["ocpp1.6"]) as ws:
        assert (await roundtrip(ws, '[2,"h","Heartbeat",{}]'))[0] == 3


async def test_a_rejected_charger_gets_security_errors_in_16_too(engine: csms_engine.Engine) -> None:
    engine.config.boot_status = model.BootStatus.REJECTED
    async with connect(url(engine, "REJ-16"), subprotocols=["ocpp1.6"]) as ws:
        assert (await roundtrip(ws, BOOT16))[2]["status"] == "Rejected"
        answer = await roundtrip(ws, '[2,"h","Heartbeat",{}]')
        assert answer[:3] == [4, "h", "SecurityError"]


# ------------------------------------------------------------------ RPC details

async def test_odd_keys_never_reach_handler_arguments(engine: csms_engine.Engine) -> None:
    async with connect(url(engine), subprotocols=["ocpp2.0.1"]) as ws:
        for payload in ({"self": 1}, {"p": 2, "ctx": 3}, {"currentTime": "x", "__class__": 4}):
            answer = await roundtrip(ws, json.dumps([2, "h", "Heartbeat", payload]))
            assert answer[0] == 3, answer  # tolerant: answered, the odd keys are a compliance warning


@pytest.mark.parametrize("bad", ['[3,1,{}]', '[4,null,"GenericError","",{}]', '[3,"nobody"]'])
async def test_a_malformed_response_is_dropped_not_answered(engine: csms_engine.Engine, bad) -> None:
    async with connect(url(engine), subprotocols=["ocpp2.0.1"]) as ws:
        await ws.send(bad)
        answer = await roundtrip(ws, '[2,"after","Heartbeat",{}]')
        assert answer[:2] == [3, "after"]  # the first thing back is the heartbeat's answer


async def test_a_long_id_is_answered_with_minus_one(engine: csms_engine.Engine) -> None:
    async with connect(url(engine), subprotocols=["ocpp2.0.1"], max_size=None) as ws:
        answer = await roundtrip(ws, json.dumps([2, "i" * 100_000, "Heartbeat", {}]))
        assert answer[:3] == [4, "-1", "RpcFrameworkError"]
        answer = await roundtrip(ws, '[2,"","Heartbeat",{}]')
        assert answer[:2] == [4, "-1"]


async def test_an_oversized_frame_is_journaled_as_head_size_and_hash(engine: csms_engine.Engine) -> None:
    engine.config.max_frame_bytes = 64 * 1024
    async with connect(url(engine, "BIG"), subprotocols=["ocpp2.0.1"], max_size=None) as ws:
        big = json.dumps([2, "big", "DataTransfer", {"vendorId": "v", "data": "x" * 200_000}])
        answer = await roundtrip(ws, big)
        assert answer[:3] == [4, "big", "FormatViolation"]
    engine.journal.flush()
    frame = [f for f in engine.journal.reader().frames(charger_id="BIG") if f.message_type != 1][0]
    assert len(frame.payload) == 4096 and frame.payload == big[:4096]
    assert "exceeds the limit" in frame.warnings and "sha256" in frame.warnings


async def test_a_replaced_session_ends_before_the_new_one_starts(engine: csms_engine.Engine) -> None:
    events: list[model.Event] = []
    engine.subscribe(events.append)
    first = await websockets.connect(url(engine, "TWICE"), subprotocols=["ocpp1.6"])
    async with connect(url(engine, "TWICE"), subprotocols=["ocpp1.6"]) as second:
        assert (await roundtrip(second, '[2,"h","Heartbeat",{}]'))[0] == 3
    await first.close()
    for _ in range(500):  # the last disconnect reaches the events once the server has seen the close
        if sum(isinstance(e, model.Disconnected) for e in events) == 2:
            break
        await asyncio.sleep(0.01)
    kinds = [(e.kind, getattr(e, "replaced", None)) for e in events
             if isinstance(e, (model.Connected, model.Disconnected))]
    assert kinds == [("connected", None), ("disconnected", True), ("connected", None), ("disconnected", False)]


# ------------------------------------------------------------------ resources and the loop

async def test_a_peer_that_stops_reading_is_closed(engine: csms_engine.Engine) -> None:
    engine.config.write_timeout = 0.5
    events: list[model.Event] = []
    engine.subscribe(events.append)
    port = engine.server.port
    loop = asyncio.get_running_loop()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # and then never read
    sock.setblocking(False)
    await loop.sock_connect(sock, ("127.0.0.1", port))
    key = base64.b64encode(b"0123456789abcdef").decode()
    await loop.sock_sendall(sock, ("GET /DEAF HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                                   "Sec-WebSocket-Protocol: ocpp1.6\r\n\r\n").encode())
    try:
        for _ in range(200):
            if "DEAF" in engine.server.connected():
                break
            await asyncio.sleep(0.01)
        # One frame far larger than what the socket buffers hold: the write can only finish if
        # the charger reads, and it never does.
        calls = [asyncio.ensure_future(engine.call("DEAF", "DataTransfer", {"vendorId": "v", "data": "d" * 16_000_000},
                                                   timeout=30))]
        for _ in range(1000):
            if any(isinstance(e, model.Disconnected) and e.charger_id == "DEAF" for e in events):
                break
            await asyncio.sleep(0.01)
        assert any(isinstance(e, model.Disconnected) and e.charger_id == "DEAF" for e in events)
        results = await asyncio.gather(*calls, return_exceptions=True)
        assert all(isinstance(r, Exception) for r in results)  # failed, not left waiting for 30 s
    finally:
        sock.close()


async def test_large_frames_are_decoded_and_converted_off_the_loop(engine: csms_engine.Engine, monkeypatch) -> None:
    from app.ocpp import rpc_session

    threads: dict[str, set[str]] = {"decode": set(), "kwargs": set()}
    decode, kwargs = rpc.decode, rpc_session.handler_kwargs

    def spy_decode(*args, **kw):
        threads["decode"].add(threading.current_thread().name)
        return decode(*args, **kw)

    def spy_kwargs(*args, **kw):
        threads["kwargs"].add(threading.current_thread().name)
        return kwargs(*args, **kw)

    monkeypatch.setattr(rpc, "decode", spy_decode)
    monkeypatch.setattr(rpc_session, "handler_kwargs", spy_kwargs)
    loop_thread = threading.current_thread().name
    async with connect(url(engine), subprotocols=["ocpp2.0.1"], max_size=None) as ws:
        heartbeat = json.dumps([2, "h", "Heartbeat", {f"k{n}": n for n in range(60_000)}])
        assert (await roundtrip(ws, heartbeat))[0] == 3
        assert threads["decode"] and loop_thread not in threads["decode"]
        assert threads["kwargs"] and loop_thread not in threads["kwargs"]
        threads["decode"].clear()
        assert (await roundtrip(ws, '[2,"s","Heartbeat",{}]'))[0] == 3
        assert threads["decode"] == {loop_thread}  # small frames stay on the loop: no thread hop


async def test_timeouts_and_connections_are_in_the_journal_under_problems(engine: csms_engine.Engine) -> None:
    from app.storage import journal as storage_journal

    async with connect(url(engine, "SLOW"), subprotocols=["ocpp1.6"]) as ws:
        with pytest.raises(Exception) as caught:
            await engine.call("SLOW", "ClearCache", {}, timeout=0.2)  # the charger never answers
        assert type(caught.value).__name__ == "CallTimeoutError"
        await ws.recv()
    for _ in range(200):
        if any(f.action == "Disconnected" for f in engine.journal.reader().frames(charger_id="SLOW")):
            break
        await asyncio.sleep(0.01)
    engine.journal.flush()
    problems = engine.journal.reader().frames(storage_journal.FrameFilter(charger_id="SLOW", errors_only=True))
    assert [(f.message_type, f.action) for f in problems] == [(1, "ClearCache")]
    assert "no answer to ClearCache within 0.2 s" in problems[0].warnings
    notes = [f.action for f in engine.journal.reader().frames(charger_id="SLOW") if f.message_type == 1]
    assert notes == ["Connected", "ClearCache", "Disconnected"]
