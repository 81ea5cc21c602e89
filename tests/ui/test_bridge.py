"""The bridge: engine events reach the GUI thread in batches; operations are awaitable."""

from __future__ import annotations

import json
import threading

from websockets.sync.client import connect

from tests.ui.conftest import wait


def test_events_arrive_in_batches_on_the_gui_thread(qtbot, bridge, engine_thread) -> None:
    batches: list[list] = []
    threads: list[threading.Thread] = []
    chargers: list[list] = []
    bridge.events.connect(lambda b: (batches.append(b), threads.append(threading.current_thread())))
    bridge.chargers_changed.connect(chargers.append)
    with connect(f"ws://127.0.0.1:{engine_thread.server.port}/UI-1", subprotocols=["ocpp1.6"]) as ws:
        ws.send('[2,"b","BootNotification",{"chargePointVendor":"ACME","chargePointModel":"X"}]')
        json.loads(ws.recv(5))
        for n in range(200):
            ws.send(f'[2,"h{n}","Heartbeat",{{}}]')
            ws.recv(5)
        wait(qtbot, lambda: sum(len(b) for b in batches) >= 403)
    assert len(batches) < 50  # batched, not one signal per frame
    assert all(t is threading.main_thread() for t in threads)
    wait(qtbot, lambda: chargers and chargers[-1] and chargers[-1][0].vendor == "ACME")


def test_call_is_awaitable_on_the_gui_loop(qtbot, qloop, bridge, engine_thread) -> None:
    results: list = []

    async def technician() -> None:
        results.append(await bridge.call("UI-2", "ClearCache", {}))

    with connect(f"ws://127.0.0.1:{engine_thread.server.port}/UI-2", subprotocols=["ocpp1.6"]) as ws:
        task = qloop.create_task(technician())
        request = None
        def got_request() -> bool:
            nonlocal request
            try:
                request = json.loads(ws.recv(0.01))
            except TimeoutError:
                return False
            return True
        wait(qtbot, got_request)
        ws.send(json.dumps([3, request[1], {"status": "Accepted"}]))
        wait(qtbot, task.done)
    assert results == [{"status": "Accepted"}]
