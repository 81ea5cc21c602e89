"""RpcSession with an in-memory transport: correlation, timeouts, errors, modes, no deadlocks."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import orjson
import pytest
from ocpp.routing import on
from ocpp.v16 import call as v16_call
from ocpp.v16 import call_result as v16_result

from app.domain import csms_policy
from app.domain import errors, model
from app.ocpp import context, v16
from app.ocpp import rpc_session as session


class Wire:
    """Collects what the session sends."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.arrived = asyncio.Event()

    async def send(self, text: str) -> None:
        self.sent.append(orjson.loads(text))
        self.arrived.set()

    async def next(self) -> Any:
        while not self.sent:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 2)
        return self.sent.pop(0)


def make(version: str = "1.6", handlers: Any = None, mode: model.Mode = model.Mode.TOLERANT,
         timeout: float = 1.0) -> tuple[session.RpcSession, Wire, list[model.Frame]]:
    wire, frames = Wire(), []
    ctx = context.HandlerContext("CP1", csms_policy.CsmsConfig(), lambda e: None, session.now_ms, itertools.count(1))
    ids = (f"id-{n}" for n in itertools.count(1))
    sess = session.RpcSession("CP1", version, wire.send, handlers or v16.CsmsHandlers(ctx), record=frames.append,
                              mode=mode, call_timeout=timeout, new_id=lambda: next(ids))
    return sess, wire, frames


async def test_call_returns_the_chargers_result_and_journals_latency() -> None:
    sess, wire, frames = make()
    task = asyncio.ensure_future(sess.call("GetConfiguration", {"key": ["HeartbeatInterval"]}))
    sent = await wire.next()
    assert sent[:3] == [2, "id-1", "GetConfiguration"]
    await sess.receive(orjson.dumps([3, "id-1", {"configurationKey": [
        {"key": "HeartbeatInterval", "readonly": False, "value": "60"}]}]).decode())
    result = await task
    assert result["configurationKey"][0]["value"] == "60"
    assert [f.direction for f in frames] == [model.Direction.OUT, model.Direction.IN]
    assert frames[1].action == "GetConfiguration" and frames[1].latency_ms is not None


async def test_typed_send_uses_ocpp_dataclasses() -> None:
    sess, wire, _ = make()
    task = asyncio.ensure_future(sess.send(v16_call.ChangeConfiguration(key="HeartbeatInterval", value="30")))
    sent = await wire.next()
    assert sent[3] == {"key": "HeartbeatInterval", "value": "30"}
    await sess.receive(orjson.dumps([3, sent[1], {"status": "Accepted"}]).decode())
    assert await task == v16_result.ChangeConfiguration(status="Accepted")


async def test_charger_callerror_surfaces_with_code_and_description() -> None:
    sess, wire, _ = make()
    task = asyncio.ensure_future(sess.call("Reset", {"type": "Soft"}))
    sent = await wire.next()
    await sess.receive(orjson.dumps([4, sent[1], "NotSupported", "no resets today", {}]).decode())
    with pytest.raises(errors.CallErrorReceived) as caught:
        await task
    assert (caught.value.code, caught.value.description, caught.value.action) == ("NotSupported", "no resets today",
                                                                                  "Reset")


async def test_invalid_request_is_refused_before_sending() -> None:
    sess, wire, frames = make()
    with pytest.raises(errors.PayloadInvalidError) as caught:
        await sess.call("Reset", {"type": "Sideways"})
    assert "type" in str(caught.value)
    with pytest.raises(errors.PayloadInvalidError):
        await sess.call("BootNotification", {})  # not CSMS-initiated
    assert wire.sent == [] and frames == []


async def test_timeout_raises_and_late_answer_is_unsolicited() -> None:
    sess, wire, frames = make(timeout=0.05)
    with pytest.raises(errors.CallTimeoutError):
        await sess.call("ClearCache", {})
    sent = await wire.next()
    await sess.receive(orjson.dumps([3, sent[1], {"status": "Accepted"}]).decode())
    assert "unsolicited" in frames[-1].warnings


async def test_unsolicited_results_do_not_pile_up() -> None:
    sess, wire, frames = make()
    for n in range(1000):
        await sess.receive(f'[3,"stray-{n}",{{}}]')
    assert sess._pending == {}
    assert all("unsolicited" in f.warnings for f in frames)
    # ... and a real call still works afterwards
    task = asyncio.ensure_future(sess.call("ClearCache", {}))
    sent = await wire.next()
    await sess.receive(orjson.dumps([3, sent[1], {"status": "Accepted"}]).decode())
    assert await task == {"status": "Accepted"}


async def test_async_handler_may_await_a_call_without_deadlock() -> None:
    class Handlers:
        sess: session.RpcSession

        @on("Heartbeat")
        async def on_heartbeat(self, **_: Any) -> Any:
            # Would deadlock in the stock ChargePoint: the answer arrives through the same reader.
            answer = await self.sess.call("GetConfiguration", {})
            return v16_result.Heartbeat(current_time=f"{len(answer['configurationKey'])}")

    handlers = Handlers()
    sess, wire, _ = make(handlers=handlers)
    handlers.sess = sess
    await sess.receive('[2,"hb1","Heartbeat",{}]')
    call = await wire.next()
    assert call[2] == "GetConfiguration"
    await sess.receive(orjson.dumps([3, call[1], {"configurationKey": [{"key": "A", "readonly": True}]}]).decode())
    assert await wire.next() == [3, "hb1", {"currentTime": "1"}]


async def test_tolerant_accepts_and_records_strict_refuses() -> None:
    frame = '[2,"s1","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Sleeping"}]'
    sess, wire, frames = make()
    await sess.receive(frame)
    assert await wire.next() == [3, "s1", {}]
    assert "must be one of" in frames[0].warnings
    sess, wire, frames = make(mode=model.Mode.STRICT)
    await sess.receive(frame)
    answer = await wire.next()
    assert answer[:3] == [4, "s1", "PropertyConstraintViolation"]


async def test_unknown_and_unhandled_actions() -> None:
    for version in ("1.6", "2.0.1", "2.1"):
        handlers = None if version == "1.6" else _handlers(version)
        sess, wire, _ = make(version, handlers=handlers)
        await sess.receive('[2,"u1","MakeCoffee",{}]')
        assert (await wire.next())[:3] == [4, "u1", "NotImplemented"]
        await sess.receive('[2,"u2","Reset",{}]' if version == "1.6" else '[2,"u2","GetVariables",{}]')
        assert (await wire.next())[:3] == [4, "u2", "NotSupported"]


async def test_close_fails_pending_calls() -> None:
    sess, wire, _ = make(timeout=5)
    task = asyncio.ensure_future(sess.call("ClearCache", {}))
    await wire.next()
    sess.close()
    with pytest.raises(errors.ChargerNotConnectedError):
        await task


def _handlers(version: str) -> Any:
    from app.ocpp import v21, v201

    ctx = context.HandlerContext("CP1", csms_policy.CsmsConfig(), lambda e: None, session.now_ms, itertools.count(1))
    return (v201 if version == "2.0.1" else v21).CsmsHandlers(ctx)


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
async def test_typed_api_covers_every_csms_initiated_action(version: str) -> None:
    import importlib

    from app.ocpp import actions, examples

    calls = importlib.import_module({"1.6": "ocpp.v16.call", "2.0.1": "ocpp.v201.call",
                                     "2.1": "ocpp.v21.call"}[version])
    results = session._CALL_RESULTS[version]
    sess, wire, _ = make(version, handlers=object(), timeout=2)
    for action in actions.csms_initiated(version):
        request = getattr(calls, action)(**session.to_snake(examples.example(version, action)))
        task = asyncio.ensure_future(sess.send(request))
        sent = await wire.next()
        expected = examples.example(version, action)
        assert sent[2] == action, action
        # The dataclasses add their empty-list defaults; everything given is sent as given.
        assert {k: v for k, v in sent[3].items() if k in expected} == expected, action
        assert all(v == [] for k, v in sent[3].items() if k not in expected), action
        await sess.receive(orjson.dumps([3, sent[1], examples.example(version, action, response=True)]).decode())
        answer = await task
        assert isinstance(answer, getattr(results, action)), action
