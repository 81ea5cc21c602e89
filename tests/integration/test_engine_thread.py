"""The engine in a worker thread (GUI mode): other threads reach it only through futures."""

from __future__ import annotations

import asyncio
import json
import pathlib
import queue
import threading

import pytest
from websockets.sync.client import connect

from app.csms import engine as csms_engine
from app.domain import csms_policy
from app.domain import errors, model


def test_engine_runs_in_a_worker_thread(isolated_data_dir: pathlib.Path) -> None:
    isolated_data_dir.mkdir(parents=True)
    config = csms_policy.CsmsConfig(host="127.0.0.1", port=0, call_timeout=3)
    engine = csms_engine.Engine(config, isolated_data_dir)
    events: queue.Queue[model.Event] = queue.Queue()
    engine.subscribe(events.put)
    urls = engine.start_in_thread()
    try:
        assert urls == [f"ws://127.0.0.1:{engine.server.port}/"]
        assert engine._thread is not None and engine._thread is not threading.current_thread()
        with connect(urls[0] + "CP1", subprotocols=["ocpp1.6"]) as ws:
            ws.send('[2,"b","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]')
            assert json.loads(ws.recv(5))[0] == 3
            future = engine.submit(engine.call("CP1", "ClearCache", {}))
            request = json.loads(ws.recv(5))
            ws.send(json.dumps([3, request[1], {"status": "Accepted"}]))
            assert future.result(5) == {"status": "Accepted"}
            with pytest.raises(errors.ChargerNotConnectedError):
                engine.submit(engine.call("NOPE", "ClearCache", {})).result(5)
        chargers = engine.submit(_chargers(engine)).result(5)
        assert chargers[0].vendor == "V"
        kinds = []
        while "frame" not in kinds:  # frame events follow once the journal has the frames
            kinds.append(events.get(timeout=5).kind)
        while not events.empty():
            kinds.append(events.get().kind)
        assert {"listening", "connected", "boot", "frame"} <= set(kinds)
    finally:
        engine.stop_thread()
    assert engine.journal.reader().count() == 6  # 4 frames, and the connection's start and end


async def _chargers(engine: csms_engine.Engine) -> list[model.ChargerInfo]:
    await asyncio.sleep(0)
    return engine.chargers()


def test_port_in_use_is_a_clear_error(isolated_data_dir: pathlib.Path) -> None:
    isolated_data_dir.mkdir(parents=True)
    (isolated_data_dir / "a").mkdir()
    first = csms_engine.Engine(csms_policy.CsmsConfig(host="127.0.0.1", port=0), isolated_data_dir / "a")
    first.start_in_thread()
    try:
        (isolated_data_dir / "b").mkdir()
        second = csms_engine.Engine(csms_policy.CsmsConfig(host="127.0.0.1", port=first.server.port),
                                    isolated_data_dir / "b")
        with pytest.raises(errors.PortInUseError) as caught:
            second.start_in_thread()
        assert "already in use" in str(caught.value) and "Settings" in str(caught.value)
        second.stop_thread()
    finally:
        first.stop_thread()
