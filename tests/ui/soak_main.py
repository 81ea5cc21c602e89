"""Soak: qasync on the GUI thread under load, as in the app. Run as a subprocess by test_soak.py.

PySide6 6.12.0 on Python 3.11 drops a reference to None on every QObject.killTimer, which
qasync calls after each callback: within seconds the process aborts ("Fatal Python error:
none_dealloc"). This loop makes hundreds of thousands of such callbacks while the engine
serves chargers in its worker thread and the bridge delivers their events, then prints a
summary line. A crash shows up as a non-zero exit code with no summary.
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import sys
import tempfile
import threading
import time

import qasync
from PySide6 import QtCore, QtWidgets
from websockets.sync.client import connect

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

from app.csms import engine as csms_engine  # noqa: E402
from app.domain import csms_policy  # noqa: E402
from app.ui import bridge as ui_bridge  # noqa: E402


def load(port: int, stop: threading.Event, sent: list[int]) -> None:
    with connect(f"ws://127.0.0.1:{port}/SOAK", subprotocols=["ocpp1.6"]) as ws:
        n = 0
        while not stop.is_set():
            ws.send(f'[2,"s{n}","Heartbeat",{{}}]')
            ws.recv(5)
            n += 1
        sent.append(n)


async def soak(seconds: float, app: QtWidgets.QApplication, bridge: ui_bridge.EngineBridge) -> tuple[int, int]:
    callbacks = 0
    delivered = [0]
    bridge.frames_arrived.connect(lambda n: delivered.__setitem__(0, delivered[0] + n))
    timer = QtCore.QTimer()
    timer.setInterval(1)
    timer.timeout.connect(lambda: None)
    timer.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(0)
        await asyncio.sleep(0.0005)  # call_later -> a QTimer started and killed per callback
        callbacks += 2
    timer.stop()
    return callbacks, delivered[0]


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
    bridge = ui_bridge.EngineBridge(engine)
    stop, sent = threading.Event(), []
    client = threading.Thread(target=load, args=(engine.server.port, stop, sent))
    client.start()
    try:
        with loop:
            callbacks, delivered = loop.run_until_complete(soak(args.seconds, app, bridge))
    finally:
        stop.set()
        client.join(10)
        bridge.close()
        engine.stop_thread()
    print(f"soak ok: {callbacks} qasync callbacks, {sent[0] if sent else 0} charger frames, "
          f"{delivered} frames delivered to the GUI", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
