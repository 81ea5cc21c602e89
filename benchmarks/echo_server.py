"""Bare websockets echo server: the machine's ceiling for the closed-loop benchmark.

Run in its own process by benchmarks/csms_load.py:

    python benchmarks/echo_server.py --host 127.0.0.1 --port 9100

It accepts any path, negotiates the ``ocpp1.6`` subprotocol (like the CSMS) and
sends every message straight back. It prints ``listening on ws://HOST:PORT/``
once the socket is bound and stops on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from websockets.asyncio.server import ServerConnection, serve


async def _echo(ws: ServerConnection) -> None:
    try:
        async for message in ws:
            await ws.send(message)
    except Exception:  # a peer vanishing is not the server's problem
        pass


async def _main(host: str, port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.cancel)
    async with serve(
        _echo,
        host,
        port,
        subprotocols=["ocpp1.6"],
        compression=None,
        ping_interval=None,
        backlog=1024,
    ):
        print(f"listening on ws://{host}:{port}/", flush=True)
        try:
            await stop
        except asyncio.CancelledError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(_main(args.host, args.port))


if __name__ == "__main__":
    main()
