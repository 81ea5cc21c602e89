"""The CSMS engine: owns one asyncio loop, the server, the registry and the journal.

Headless (`serve`, tests, bench) the loop runs in the main thread via `run()`; under the GUI,
`start_in_thread()` runs it in a worker thread so a busy bench never stalls the window.
Other threads talk to it only through `submit()` (thread-safe futures) and `subscribe()`
(listeners are called on the engine thread and must only hand the event over, e.g. to a queue).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import logging
import pathlib
import signal
import socket
import threading
from typing import Any, Callable, Coroutine, TypeVar

import psutil

from app.csms import registry as csms_registry
from app.csms import server as csms_server
from app.domain import csms_policy
from app.domain import model
from app.ocpp import schemas as ocpp_schemas
from app.ocpp import rpc_session as ocpp_session
from app.storage import journal as storage_journal

log = logging.getLogger(__name__)
T = TypeVar("T")
Listener = Callable[[model.Event], None]


def lan_addresses() -> list[str]:
    """IPv4 addresses of the laptop's interfaces that are up, loopback excluded."""
    found = []
    stats = psutil.net_if_stats()
    for name, addresses in psutil.net_if_addrs().items():
        if name in stats and not stats[name].isup:
            continue
        for address in addresses:
            if address.family == socket.AF_INET and not address.address.startswith("127."):
                found.append(address.address)
    return sorted(set(found))


class Engine:
    def __init__(self, config: csms_policy.CsmsConfig, data_dir: pathlib.Path,
                 clock: Callable[[], int] = ocpp_session.now_ms) -> None:
        self.config = config
        self.data_dir = data_dir
        self.clock = clock
        self.journal = storage_journal.Journal(data_dir)
        self.registry = csms_registry.Registry()
        self.server = csms_server.CsmsServer(config, self._record, self._emit, clock)
        self._listeners: list[Listener] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None
        self._stop_task: asyncio.Future | None = None
        self._warm_task: asyncio.Future | None = None
        self.urls: list[str] = []

    # ---------------------------------------------------------------- events

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def _emit(self, event: model.Event) -> None:
        self.registry.apply(event)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                log.exception("event listener failed")

    def _record(self, frame: model.Frame) -> None:
        self.journal.append(frame)
        self.registry.frame(frame)
        if self._listeners:
            self._emit(model.FrameEvent(frame.charger_id, frame.ts_ms, frame.direction, frame.message_type,
                                        frame.action, frame.unique_id, frame.latency_ms, frame.warnings))

    # ---------------------------------------------------------------- lifecycle (on the loop)

    async def start(self) -> list[str]:
        """Start listening; returns the URLs chargers can use. Raises PortInUseError."""
        self.loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        await self.server.start()
        # Compile the busiest validators after listening, off the loop: startup stays quick and
        # the first BootNotification does not pay the compile (~6 ms a schema).
        self._warm_task = asyncio.ensure_future(asyncio.to_thread(ocpp_schemas.warm))
        host, port = self.config.host, self.server.port
        if host in ("0.0.0.0", "", "::"):
            hosts = ["127.0.0.1", *lan_addresses()]
        else:
            hosts = [host]
        self.urls = [f"ws://{h}:{port}/" for h in hosts]
        self._emit(model.Listening("", self.clock(), self.urls))
        return self.urls

    async def stop(self) -> None:
        await self.server.stop()
        await asyncio.to_thread(self.journal.flush)
        if self._stopped is not None:
            self._stopped.set()

    async def serve_forever(self, started: Callable[[list[str]], None] | None = None) -> None:
        urls = await self.start()
        if started is not None:
            started(urls)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self.request_stop)
        assert self._stopped is not None
        await self._stopped.wait()

    def close(self) -> None:
        """Release the journal (after the loop has stopped)."""
        self.journal.close()

    # ---------------------------------------------------------------- worker-thread mode (GUI)

    def start_in_thread(self, timeout: float = 10.0) -> list[str]:
        """Run the engine on its own loop in a worker thread; returns once it listens."""
        ready: concurrent.futures.Future[list[str]] = concurrent.futures.Future()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)

            async def main() -> None:
                try:
                    urls = await self.start()
                except BaseException as exc:
                    ready.set_exception(exc)
                    return
                ready.set_result(urls)
                assert self._stopped is not None
                await self._stopped.wait()

            try:
                loop.run_until_complete(main())
                _cancel_all(loop)
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name="csms-engine", daemon=True)
        self._thread.start()
        return ready.result(timeout)

    def stop_thread(self, timeout: float = 15.0) -> None:
        """Stop the worker-thread engine and release the journal; safe to call more than once."""
        thread, loop = self._thread, self.loop
        if thread is not None and loop is not None:
            try:
                # The coroutine is made on the loop itself, so a loop that is already closing
                # cannot leave a never-awaited stop() behind.
                loop.call_soon_threadsafe(self.request_stop)
            except RuntimeError:
                pass  # loop closed: the thread is ending on its own (e.g. start failed)
            thread.join(timeout)
            if thread.is_alive():
                # Never close the journal under a thread that may still write to it.
                log.error("CSMS engine thread did not stop within %s s; journal left open", timeout)
                return
        self._thread = None
        self.close()

    def request_stop(self) -> None:
        """On the loop: start stopping (signals, other threads via call_soon_threadsafe); kept referenced."""
        if self._stop_task is None:
            self._stop_task = asyncio.ensure_future(self.stop())

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run a coroutine on the engine loop from any thread."""
        assert self.loop is not None, "engine not started"
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    # ---------------------------------------------------------------- operations (on the loop)

    async def reconfigure(self, config: csms_policy.CsmsConfig) -> None:
        """Apply new answers/policies live (host and port need a restart). On the loop: no races."""
        for field in dataclasses.fields(config):
            if field.name not in ("host", "port"):
                setattr(self.config, field.name, getattr(config, field.name))
        self.server.apply_modes()

    async def call(self, charger_id: str, action: str, payload: dict[str, Any],
                   timeout: float | None = None) -> dict[str, Any]:
        return await self.server.session(charger_id).call(action, payload, timeout)

    async def send(self, charger_id: str, request: Any, timeout: float | None = None) -> Any:
        return await self.server.session(charger_id).send(request, timeout)

    def chargers(self) -> list[model.ChargerInfo]:
        return [dataclasses.replace(info, connectors=dict(info.connectors), warnings=list(info.warnings))
                for info in self.registry.chargers.values()]


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())


