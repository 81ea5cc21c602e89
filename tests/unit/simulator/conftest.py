"""A tiny CSMS for the simulator tests, built from the stock `ocpp` classes on a real socket.

It is deliberately independent of app.csms, so these tests prove the simulator against the
reference library rather than against our own server.
"""

from __future__ import annotations

import asyncio
import datetime
import itertools
import logging
from collections.abc import Callable

import ocpp.v16
import ocpp.v21
import ocpp.v201
import pytest
import websockets.asyncio.server
import websockets.exceptions
from ocpp import routing

from app import simulator

QUIET = logging.getLogger("tests.simulator.csms")
QUIET.setLevel(logging.WARNING)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


class _Recorder:
    csms: Csms

    def record(self, action: str, payload: dict) -> None:
        self.csms.received.append((self.id, action, payload))

    def boot_status(self) -> str:
        answers = self.csms.boot_answers
        return answers.pop(0) if len(answers) > 1 else answers[0]


class Csms16(_Recorder, ocpp.v16.ChargePoint):
    @routing.on("BootNotification")
    def on_boot_notification(self, **payload):
        self.record("BootNotification", payload)
        return ocpp.v16.call_result.BootNotification(
            current_time=_now(), interval=self.csms.heartbeat_interval, status=self.boot_status()
        )

    @routing.on("Heartbeat")
    def on_heartbeat(self, **payload):
        self.record("Heartbeat", payload)
        return ocpp.v16.call_result.Heartbeat(current_time=_now())

    @routing.on("StatusNotification")
    def on_status_notification(self, **payload):
        self.record("StatusNotification", payload)
        return ocpp.v16.call_result.StatusNotification()

    @routing.on("MeterValues")
    def on_meter_values(self, **payload):
        self.record("MeterValues", payload)
        return ocpp.v16.call_result.MeterValues()

    @routing.on("Authorize")
    def on_authorize(self, **payload):
        self.record("Authorize", payload)
        return ocpp.v16.call_result.Authorize(id_tag_info={"status": "Accepted"})

    @routing.on("StartTransaction")
    def on_start_transaction(self, **payload):
        self.record("StartTransaction", payload)
        return ocpp.v16.call_result.StartTransaction(
            transaction_id=next(self.csms.transaction_ids), id_tag_info={"status": "Accepted"}
        )

    @routing.on("StopTransaction")
    def on_stop_transaction(self, **payload):
        self.record("StopTransaction", payload)
        return ocpp.v16.call_result.StopTransaction(id_tag_info={"status": "Accepted"})

    @routing.on("DiagnosticsStatusNotification")
    def on_diagnostics_status_notification(self, **payload):
        self.record("DiagnosticsStatusNotification", payload)
        return ocpp.v16.call_result.DiagnosticsStatusNotification()

    @routing.on("FirmwareStatusNotification")
    def on_firmware_status_notification(self, **payload):
        self.record("FirmwareStatusNotification", payload)
        return ocpp.v16.call_result.FirmwareStatusNotification()

    @routing.on("SignedFirmwareStatusNotification")
    def on_signed_firmware_status_notification(self, **payload):
        self.record("SignedFirmwareStatusNotification", payload)
        return ocpp.v16.call_result.SignedFirmwareStatusNotification()

    @routing.on("LogStatusNotification")
    def on_log_status_notification(self, **payload):
        self.record("LogStatusNotification", payload)
        return ocpp.v16.call_result.LogStatusNotification()

    @routing.on("SecurityEventNotification")
    def on_security_event_notification(self, **payload):
        self.record("SecurityEventNotification", payload)
        return ocpp.v16.call_result.SecurityEventNotification()


class _Csms2x(_Recorder):
    @routing.on("BootNotification")
    def on_boot_notification(self, **payload):
        self.record("BootNotification", payload)
        return self._call_result.BootNotification(
            current_time=_now(), interval=self.csms.heartbeat_interval, status=self.boot_status()
        )

    @routing.on("Heartbeat")
    def on_heartbeat(self, **payload):
        self.record("Heartbeat", payload)
        return self._call_result.Heartbeat(current_time=_now())

    @routing.on("StatusNotification")
    def on_status_notification(self, **payload):
        self.record("StatusNotification", payload)
        return self._call_result.StatusNotification()

    @routing.on("NotifyReport")
    def on_notify_report(self, **payload):
        self.record("NotifyReport", payload)
        return self._call_result.NotifyReport()

    @routing.on("TransactionEvent")
    def on_transaction_event(self, **payload):
        self.record("TransactionEvent", payload)
        return self._call_result.TransactionEvent()

    @routing.on("MeterValues")
    def on_meter_values(self, **payload):
        self.record("MeterValues", payload)
        return self._call_result.MeterValues()

    @routing.on("FirmwareStatusNotification")
    def on_firmware_status_notification(self, **payload):
        self.record("FirmwareStatusNotification", payload)
        return self._call_result.FirmwareStatusNotification()

    @routing.on("LogStatusNotification")
    def on_log_status_notification(self, **payload):
        self.record("LogStatusNotification", payload)
        return self._call_result.LogStatusNotification()


class Csms201(_Csms2x, ocpp.v201.ChargePoint):
    pass


class Csms21(_Csms2x, ocpp.v21.ChargePoint):
    pass


_CLASSES = {"ocpp1.6": Csms16, "ocpp2.0.1": Csms201, "ocpp2.1": Csms21}


class Csms:
    def __init__(self) -> None:
        self.received: list[tuple[str, str, dict]] = []  # (charger id, action, payload)
        self.sessions: dict[str, ocpp.v16.ChargePoint] = {}
        self.headers: list[dict[str, str]] = []
        self.connects = 0
        self.connections: list[websockets.asyncio.server.ServerConnection] = []
        self.boot_answers = ["Accepted"]  # answered in turn; the last one repeats
        self.heartbeat_interval = 1
        self.transaction_ids = itertools.count(101)
        self.port = 0
        self._server: websockets.asyncio.server.Server | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp"

    async def start(self) -> None:
        self._server = await websockets.asyncio.server.serve(
            self._handler, "127.0.0.1", self.port, subprotocols=list(_CLASSES)
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _handler(self, connection: websockets.asyncio.server.ServerConnection) -> None:
        charger_id = connection.request.path.rstrip("/").rsplit("/", 1)[-1]
        self.connects += 1
        self.headers.append(dict(connection.request.headers.raw_items()))
        self.connections.append(connection)
        cp = _CLASSES[connection.subprotocol](charger_id, connection, response_timeout=5, logger=QUIET)
        cp.csms = self
        self.sessions[charger_id] = cp
        try:
            await cp.start()
        except websockets.exceptions.ConnectionClosed:
            pass

    def count(self, action: str, charger_id: str | None = None) -> int:
        return sum(1 for cid, a, _ in self.received if a == action and charger_id in (None, cid))

    async def wait_for(self, action: str, where: Callable[[dict], bool] = lambda p: True, *,
                       skip: int = 0, timeout: float = 5.0) -> dict:
        """The first `action` payload matching `where`, ignoring the first `skip` frames received."""
        async with asyncio.timeout(timeout):
            while True:
                for _, a, payload in self.received[skip:]:
                    if a == action and where(payload):
                        return payload
                await asyncio.sleep(0.01)

    async def call(self, charger_id: str, payload):
        return await self.sessions[charger_id].call(payload, suppress=False)


class Refuser:
    """A port that takes every TCP connection and drops it unanswered, counting them.

    To the charger it is a CSMS that is down (its handshake fails and it backs off), but unlike
    a closed port the test can see each attempt, so it waits for retries instead of for a time.
    """

    def __init__(self) -> None:
        self.refused = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._drop, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _drop(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.refused += 1
        writer.close()
        await writer.wait_closed()


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Return as soon as `predicate()` holds; fail if it does not within `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


@pytest.fixture
async def csms():
    server = Csms()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def start_charger(csms):
    """start_charger(version, **SimConfig overrides) -> a running VirtualCharger, stopped at teardown."""
    running: list[tuple[simulator.VirtualCharger, asyncio.Task]] = []

    def start(version: str = "1.6", charger_id: str = "CP-1", url: str | None = None,
              **overrides) -> simulator.VirtualCharger:
        options = {"backoff_min": 0.05, "backoff_max": 0.2, "reboot_delay": 0.05, "response_timeout": 5.0}
        options.update(overrides)
        config = simulator.SimConfig(url=url or csms.url, charger_id=charger_id, ocpp_version=version, **options)
        charger = simulator.VirtualCharger(config)
        running.append((charger, asyncio.create_task(charger.run())))
        return charger

    yield start
    for charger, _ in running:
        charger.stop()
    await asyncio.gather(*(task for _, task in running))
