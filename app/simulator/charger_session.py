"""What every simulated connection does, whatever its OCPP version: boot, heartbeat, own its tasks.

A session is one stock `ocpp` ChargePoint bound to one websocket. The version modules (v16,
v2x) mix `Session` in front of `ocpp.v16.ChargePoint` / `ocpp.v201.ChargePoint` and supply
the version's messages through the hooks at the bottom.

Two facts about the stock ChargePoint shape this module:
  * `start()` reads frames and runs each @on handler inline, so a handler that awaits
    `call()` waits for an answer nobody reads: a deadlock. Anything a handler triggers
    (the triggered message, the transaction after a remote start) is spawned as a task from
    a plain `@after` hook, and the task is owned here instead of the library's fire-and-forget
    `asyncio.ensure_future`.
  * `call()` waits `response_timeout` for an answer even when the socket is gone, so the
    moment `start()` stops reading, the session cancels every task it owns.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections.abc import Callable, Coroutine
from typing import Any

import ocpp.exceptions
import websockets.exceptions

from app.ocpp import adapter
from app.simulator import options as sim_options
from app.simulator import security
from app.simulator import station as simstation

_REFUSED = re.compile(r"\bHTTP 40[13]\b")

LOGGER = sim_options.LOGGER


class Tasks:
    """Background tasks of one session: referenced while they run, failures logged, all cancelled at the end."""

    def __init__(self, charger_id: str) -> None:
        self._charger_id = charger_id
        self._tasks: set[asyncio.Task] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro, name=f"{self._charger_id}:{name}")
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if isinstance(error, websockets.exceptions.ConnectionClosed):
            return  # the session is ending; the charger's run loop reconnects
        if error is not None:
            LOGGER.warning("%s: %s failed: %r", self._charger_id, task.get_name(), error, exc_info=error)

    async def close(self) -> None:
        current = asyncio.current_task()
        await cancel_and_wait({task for task in self._tasks if task is not current})


async def cancel_and_wait(tasks: set[asyncio.Task]) -> None:
    """Cancel until the tasks are really gone.

    On Python 3.11 the asyncio.wait_for inside ocpp's call() swallows a cancellation that
    lands in the same loop turn as the answer (https://github.com/python/cpython/issues/86296,
    fixed in 3.12); the task then sends its next CALL and waits response_timeout for an
    answer nobody reads. Cancelling again until done closes that window.
    """
    pending = set(tasks)
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=0.1)


class Ticker:
    """A sleep that can be cut short so a changed interval (HeartbeatInterval) applies at once."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def poke(self) -> None:
        # Wake everyone sleeping now; later sleepers get a fresh, unset event.
        self._event.set()
        self._event = asyncio.Event()

    async def sleep(self, seconds: float | None) -> bool:
        """True when the full time passed, False when poked. None: wait for a poke only."""
        event = self._event
        if seconds is None:
            await event.wait()
            return False
        try:
            async with asyncio.timeout(seconds):
                await event.wait()
        except TimeoutError:
            return True
        return False


class Session:
    """Version-neutral behaviour; must come before the stock ChargePoint in the bases."""

    station: simstation.Station

    def __init__(self, station: simstation.Station, connection) -> None:
        # The stock ChargePoint follows in the MRO: it gets the connection and our quiet logger.
        super().__init__(  # type: ignore[call-arg]
            station.config.charger_id, connection,
            response_timeout=station.config.response_timeout, logger=sim_options.FRAME_LOGGER,
        )
        self.station = station
        self.tasks = Tasks(station.config.charger_id)
        self.heartbeat_ticker = Ticker()
        self.meter_ticker = Ticker()
        self._accepted = asyncio.Event()
        self._meter_tasks: dict[int, asyncio.Task] = {}
        self._follow_ups: dict[str, tuple[str, Callable[[], Coroutine]]] = {}

    @property
    def calls(self) -> Any:
        """`ocpp.vXX.call` of this session's version."""
        return adapter.call_module(self)

    @property
    def results(self) -> Any:
        """`ocpp.vXX.call_result` of this session's version."""
        return adapter.call_result_module(self)

    @property
    def accepted(self) -> bool:
        """True once a BootNotification of this session was Accepted."""
        return self._accepted.is_set()

    @property
    def charger_id(self) -> str:
        return self.station.config.charger_id

    async def serve(self) -> None:
        """Run until the websocket closes: read frames here, boot and heartbeat in a task."""
        self.tasks.spawn(self._lifecycle(), "lifecycle")
        try:
            await self.start()
        except websockets.exceptions.ConnectionClosed:
            pass  # normal end of a session: the charger's run loop decides what comes next
        finally:
            await self.tasks.close()

    async def _lifecycle(self) -> None:
        await self._boot_until_accepted()
        self.station.booted.set()
        await self.send_all_status()
        await self._report_fallback()
        for connector in self.station.connectors:
            if connector.transaction is not None:
                self.start_meter_loop(connector)  # charging went on while we were offline
        await self._heartbeat_loop()

    async def _boot_until_accepted(self) -> None:
        floor = self.station.config.boot_retry_min
        while not self._accepted.is_set():
            interval = await self.boot()
            if self._accepted.is_set():
                break
            # Pending/Rejected: wait the interval the CSMS asked for, unless a triggered
            # BootNotification gets Accepted first.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(interval, floor)):
                    await self._accepted.wait()

    async def boot(self) -> int:
        """Send one BootNotification; returns the interval the CSMS answered (0 on failure)."""
        result = await self.try_call(self.boot_payload())
        if result is None:
            return 0
        if result.status == "Accepted":
            if result.interval > 0:
                self.station.set_heartbeat_interval(result.interval)
                self.heartbeat_ticker.poke()
            self.station.boot_reason = "PowerUp"
            self._accepted.set()
            self.station.note(f"BootNotification accepted, firmware {self.station.firmware}")
            LOGGER.info("%s: BootNotification Accepted (heartbeat every %s s)", self.charger_id, result.interval)
        else:
            LOGGER.info("%s: BootNotification %s, retrying in %s s", self.charger_id, result.status, result.interval)
        return result.interval

    async def _report_fallback(self) -> None:
        """Back on a lower-priority network profile: say why the better ones failed (B10: fall back)."""
        names = security.events(self.station.config.ocpp_version)
        for slot, why in self.station.fell_back():
            # HTTP 401/403 from the new CSMS is the spec's FailedToAuthenticateAtCsms (1.6: ...AtCentralSystem),
            # a server certificate that does not verify InvalidCsmsCertificate (InvalidCentralSystemCertificate);
            # a CSMS that cannot be reached has no event of its own in the list, so this charger names it.
            # (the status as websockets words it: "HTTP 401"; a port such as :40371 is no status).
            if _REFUSED.search(why):
                kind = names["authentication"]
            elif security.CSMS_CERTIFICATE_FAILURE in why:
                kind = names["csms_certificate"]
            else:
                kind = "NetworkProfileFallback"
            await self.try_call(self.security_event(kind, f"slot {slot}: {why}"[:255]))
        await self.send_security_events()

    async def send_security_events(self) -> None:
        """The critical security events that happened while offline (startup, reboot ...), oldest first."""
        events = self.station.take_security_events()
        wanted = self.station.config.security_events
        if wanted is False or (wanted is None and self.station.active_security_profile() < 2):
            return
        for kind, text in events:
            await self.try_call(self.security_event(kind, text[:255]))

    async def _heartbeat_loop(self) -> None:
        while True:
            interval = self.station.heartbeat_interval()
            if await self.heartbeat_ticker.sleep(interval if interval > 0 else None):
                await self.try_call(self.heartbeat_payload())

    async def try_call(self, payload: Any) -> Any | None:
        """call() that reports a CSMS CallError or silence as a warning and returns None.

        A real charger does not fall over when its CSMS misbehaves; the warning is how the
        technician sees it. Lost connections still propagate and end the session.
        """
        try:
            return await self.call(payload, suppress=False)
        except ocpp.exceptions.OCPPError as error:
            # Either the CSMS answered with a CALLERROR or the library refused our payload
            # against the schema before sending; the error text tells which.
            LOGGER.warning("%s: %s failed: %s", self.charger_id, type(payload).__name__, error)
        except TimeoutError:
            LOGGER.warning("%s: no answer to %s within %s s", self.charger_id, type(payload).__name__,
                           self.station.config.response_timeout)
        return None

    def follow_up(self, call_unique_id: str, name: str, func: Callable[..., Coroutine], *args: Any) -> None:
        """Called in an @on handler: run `func(*args)` once the answer has gone out.

        The @on handler decides (it knows which connector it picked); the matching @after
        hook only calls `run_follow_up`. A partial, not a coroutine, waits in between, so an
        answer that never goes out leaves no un-awaited coroutine behind.
        """
        self._follow_ups[call_unique_id] = (name, functools.partial(func, *args))

    def start_job(self, call_unique_id: str, name: str, start: Callable[..., None], *args: Any) -> None:
        """Called in an @on handler: call `start(*args)` once the answer has gone out.

        For work that outlives this session (a firmware update, an upload): `start` hands it
        to the charger's Jobs, which own it; the follow-up task here only starts it.
        """
        async def begin() -> None:
            start(*args)

        self.follow_up(call_unique_id, name, begin)

    def run_follow_up(self, call_unique_id: str) -> None:
        entry = self._follow_ups.pop(call_unique_id, None)
        if entry is not None:
            name, func = entry
            self.tasks.spawn(func(), name)

    # -- transactions -----------------------------------------------------------------------

    def start_meter_loop(self, connector: simstation.Connector) -> None:
        self.stop_meter_loop(connector)
        self._meter_tasks[connector.id] = self.tasks.spawn(self._meter_loop(connector), f"meter-{connector.id}")

    def stop_meter_loop(self, connector: simstation.Connector) -> None:
        task = self._meter_tasks.pop(connector.id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _meter_loop(self, connector: simstation.Connector) -> None:
        while connector.transaction is not None:
            interval = self.station.meter_interval()
            if await self.meter_ticker.sleep(interval if interval > 0 else None):
                await self.send_periodic_meter_values(connector)

    async def reboot(self, reason: str, boot_reason: str = "RemoteReset") -> None:
        """Reset (or a firmware install): end the transactions, close the websocket, and let the
        run loop reboot us; the next BootNotification gives `boot_reason` (2.x)."""
        await self.end_transactions_for_reset(reason)
        self.station.reboot_requested = True
        self.station.boot_reason = boot_reason
        self.station.report_security("ResetOrReboot", f"reboot ({boot_reason})")
        # Shut down the way real firmware does: let a CALL of ours that is still out get its
        # answer before closing. Closing under it makes the stock server loop fail on that
        # answer's send and die before it reads our Reset answer, so the CSMS's Reset
        # call would time out. The lock is the stock ChargePoint's one-CALL-at-a-time lock.
        async with adapter.call_lock(self):
            await adapter.connection(self).close()

    def apply_scheduled_availability(self, connector: simstation.Connector) -> None:
        if connector.scheduled_operative is not None:
            connector.operative = connector.scheduled_operative
            connector.scheduled_operative = None

    # -- certificates (1.6 security extension, 2.x A02/A03/M03-M05) -----------------------------

    def install_certificate(self, certificate_type: str, certificate: str) -> str:
        """InstallCertificate: Accepted, or Rejected for what is not one CA certificate (both versions)."""
        try:
            self.station.certificates.install(certificate_type, certificate)
        except security.CertificateProblem as problem:
            LOGGER.warning("%s: InstallCertificate %s rejected: %s", self.charger_id, certificate_type, problem)
            return "Rejected"
        self.station.note(f"{certificate_type} installed")
        self.certificates_changed()
        return "Accepted"

    def delete_certificate(self, certificate_hash_data: dict) -> str:
        store = self.station.certificates
        found = store.find(certificate_hash_data)
        if found is None:
            own = store.client_certificate()
            # The charger's own certificate is not deleted on request (1.6 whitepaper, 2.0.1 M04.FR.06).
            return "Failed" if own is not None and security.hash_matches(certificate_hash_data, own) else "NotFound"
        roots = [i for i in store.installed if i.certificate_type in security.CSMS_ROOTS]
        if (found in roots and len(roots) == 1 and not store.ca_file_pem
                and self.station.security_profile() >= 2):
            return "Failed"  # the last CSMS root at profile 2 or 3: the charger could not connect any more
        store.installed.remove(found)
        self.station.note(f"{found.certificate_type} deleted")
        self.certificates_changed()
        return "Accepted"

    def installed_hash_data(self, types: list[str] | None) -> list[tuple[str, dict]]:
        return [(i.certificate_type, security.hash_data(i.certificate))
                for i in self.station.certificates.of_types(types)]

    async def send_sign_certificate(self) -> None:
        """The CSR flow (1.6 ExtendedTriggerMessage SignChargePointCertificate, 2.x A02/A03): a new key and a CSR."""
        csr = await asyncio.to_thread(self.station.certificates.new_csr, self.charger_id, self.station.organization())
        answer = await self.try_call(self.sign_certificate_payload(csr))
        if answer is not None and answer.status != "Accepted":
            LOGGER.warning("%s: the CSMS answered SignCertificate %s", self.charger_id, answer.status)

    def certificate_signed(self, call_unique_id: str, certificate_chain: str) -> str:
        try:
            self.station.certificates.accept_signed(certificate_chain, self.charger_id)
        except security.CertificateProblem as problem:
            LOGGER.warning("%s: CertificateSigned rejected: %s", self.charger_id, problem)
            kind = security.events(self.station.config.ocpp_version)["own_certificate"]
            self.station.note(str(problem), security=kind)
            self.follow_up(call_unique_id, "security-event", self.try_call, self.security_event(kind, str(problem)[:255]))
            return "Rejected"
        self.station.note("charger certificate installed; used from the next connection")
        LOGGER.info("%s: charger certificate installed", self.charger_id)
        return "Accepted"

    def certificates_changed(self) -> None:
        """Hook: 2.x counts them in SecurityCtrlr.CertificateEntries."""

    # -- hooks the version modules implement --------------------------------------------------

    def sign_certificate_payload(self, csr: str) -> Any:
        raise NotImplementedError

    def security_event(self, kind: str, tech_info: str) -> Any:
        return self.calls.SecurityEventNotification(type=kind, timestamp=self.station.timestamp(), tech_info=tech_info)

    def boot_payload(self) -> Any:
        raise NotImplementedError

    def heartbeat_payload(self) -> Any:
        raise NotImplementedError

    async def send_all_status(self) -> None:
        raise NotImplementedError

    async def send_periodic_meter_values(self, connector: simstation.Connector) -> None:
        raise NotImplementedError

    async def end_transactions_for_reset(self, reason: str) -> None:
        raise NotImplementedError
