"""Stand-in CSMS for developing benchmarks/csms_load.py before ``python -m app serve`` exists.

Same command line shape as the real thing:

    python benchmarks/standin_csms.py serve --host 127.0.0.1 --port 9000 --data-dir DIR

It answers BootNotification, Heartbeat and MeterValues (anything else gets a
CALLERROR NotImplemented) on ws://HOST:PORT/<chargerId> with subprotocol
``ocpp1.6``. It does NOT validate schemas or journal anything, so its figures
say nothing about the app: csms_load.py only uses it with ``--standin`` and
labels such results accordingly.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import signal

import orjson
from websockets.asyncio.server import ServerConnection, serve


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


async def _handle(ws: ServerConnection) -> None:
    try:
        async for raw in ws:
            try:
                msg = orjson.loads(raw)
                kind, mid, action = msg[0], msg[1], msg[2]
            except Exception:
                continue
            if kind != 2:
                continue
            if action == "BootNotification":
                reply = [3, mid, {"status": "Accepted", "currentTime": _now(), "interval": 300}]
            elif action == "Heartbeat":
                reply = [3, mid, {"currentTime": _now()}]
            elif action == "MeterValues":
                reply = [3, mid, {}]
            else:
                reply = [4, mid, "NotImplemented", f"{action} not supported", {}]
            await ws.send(orjson.dumps(reply), text=True)
    except Exception:
        pass


async def _serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.cancel)
    async with serve(_handle, host, port, subprotocols=["ocpp1.6"]):
        print(f"stand-in CSMS listening on ws://{host}:{port}/", flush=True)
        try:
            await stop
        except asyncio.CancelledError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    asyncio.run(_serve(args.host, args.port))


if __name__ == "__main__":
    main()
