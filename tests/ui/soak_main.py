"""Soak: qasync on the GUI thread under load, as in the app. Run as a subprocess by test_soak.py.

PySide6 6.12.0 on Python 3.11 drops a reference to None on every QObject.killTimer, which
qasync calls after each callback: within seconds the process aborts ("Fatal Python error:
none_dealloc"). This loop makes hundreds of thousands of such callbacks while the engine
serves a charger in its worker thread and the bridge delivers its events. Then the charger
stops, the GUI takes what the bridge still holds, and one summary line is printed (JSON after
"soak ok: "): the Heartbeat round trips, the frames journaled and the frames delivered to the
GUI thread, and per slice of the run the qasync callbacks made and the frames delivered. A
crash shows up as a non-zero exit code with no summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pathlib
import sys
import tempfile
import threading
import time
from typing import Any

import qasync
from PySide6 import QtCore, QtWidgets
from websockets.sync.client import connect

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

from app.csms import engine as csms_engine  # noqa: E402
from app.domain import csms_policy  # noqa: E402
from app.ui import bridge as ui_bridge  # noqa: E402

DRAIN_TIMEOUT_S = 30.0  # bounds each wait after the soak; the bridge delivers every 100 ms


class Load:
    """One OCPP 1.6 charger sending Heartbeats back to back from its own thread until `stop`."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.stop = threading.Event()
        self.round_trips = 0  # Heartbeats answered by the CALLRESULT with their id
        self.other_answers: list[str] = []  # anything else received (at most a few kept)
        self.error = ""
        self.thread = threading.Thread(target=self._run, name="soak-load")

    def _run(self) -> None:
        try:
            with connect(f"ws://127.0.0.1:{self.port}/SOAK", subprotocols=["ocpp1.6"]) as ws:
                n = 0
                while not self.stop.is_set():
                    ws.send(f'[2,"s{n}","Heartbeat",{{}}]')
                    answer = json.loads(ws.recv(5))
                    if answer[:2] == [3, f"s{n}"]:
                        self.round_trips += 1
                    elif len(self.other_answers) < 5:
                        self.other_answers.append(json.dumps(answer)[:200])
                    n += 1
        except Exception as exc:  # reported in the summary; the test fails on it
            self.error = f"{type(exc).__name__}: {exc}"


async def until(predicate, timeout: float) -> bool:
    """Keep the loop turning until `predicate()` holds; False if `timeout` passed first."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def soak(seconds: float, bridge: ui_bridge.EngineBridge, engine: csms_engine.Engine,
               load: Load) -> dict[str, Any]:
    slices = max(1, min(10, int(seconds)))  # each at least a second long: ten bridge deliveries
    callbacks = [0] * slices
    delivered_in = [0] * slices
    delivered = [0]
    started = time.monotonic()

    def slice_now() -> int:
        return min(slices - 1, int((time.monotonic() - started) / seconds * slices))

    def arrived(n: int) -> None:
        delivered[0] += n
        if time.monotonic() - started < seconds:
            delivered_in[slice_now()] += n

    bridge.frames_arrived.connect(arrived)
    timer = QtCore.QTimer()
    timer.setInterval(1)
    timer.timeout.connect(lambda: None)
    timer.start()
    deadline = started + seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(0)
        await asyncio.sleep(0.0005)  # call_later -> a QTimer started and killed per callback
        callbacks[slice_now()] += 2
    timer.stop()

    # The charger stops; then every frame journaled must reach the GUI thread, none twice.
    load.stop.set()
    load_stopped = await until(lambda: not load.thread.is_alive(), DRAIN_TIMEOUT_S)
    reader = engine.journal.reader()
    try:
        # The connection's end is journaled as a note too: wait for it, then nothing more comes.
        await until(lambda: bool(reader.frames(action="Disconnected", limit=1)), DRAIN_TIMEOUT_S)
        flushed = engine.journal.flush(DRAIN_TIMEOUT_S)
        everything = reader.count()
        notes = len(reader.frames(action="Connected")) + len(reader.frames(action="Disconnected"))
    finally:
        reader.close()
    await until(lambda: delivered[0] >= everything, DRAIN_TIMEOUT_S)
    return {"seconds": seconds, "load_stopped": load_stopped, "journal_flushed": flushed,
            "round_trips": load.round_trips, "other_answers": load.other_answers, "load_error": load.error,
            "frames_journaled": everything - notes, "notes_journaled": notes, "rows_journaled": everything,
            "frames_delivered": delivered[0],
            "callbacks": sum(callbacks), "callbacks_per_slice": callbacks, "delivered_per_slice": delivered_in}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    app = QtWidgets.QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    data = pathlib.Path(tempfile.mkdtemp(prefix="soak-"))
    engine = csms_engine.Engine(csms_policy.CsmsConfig(host="127.0.0.1", port=0), data)
    engine.start_in_thread()
    bridge = ui_bridge.EngineBridge(engine)  # subscribed before the first frame
    load = Load(engine.server.port)
    load.thread.start()
    try:
        with loop:
            summary = loop.run_until_complete(soak(args.seconds, bridge, engine, load))
    finally:
        load.stop.set()
        load.thread.join(10)
        bridge.close()
        engine.stop_thread()
    print("soak ok: " + json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
