"""The virtual charger's life: connect, serve a session, and come back after drops and resets.

One VirtualCharger outlives many websocket connections. Each connection gets a fresh stock
`ocpp` ChargePoint (a session, see app.simulator.charger_session) over the same Station, so
configuration, meters and running transactions survive a dropped network as they would on
real hardware.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Any

import websockets.asyncio.client
import websockets.exceptions
import websockets.frames
import websockets.headers
import websockets.protocol
import websockets.typing

from app.simulator import options as sim_options
from app.simulator import keys_v16 as simkeys
from app.simulator import device_model as simmodel
from app.simulator import charger_session as session
from app.simulator import security, station, updates, v2x, v16

LOGGER = sim_options.LOGGER

_SESSIONS = {"1.6": v16.ChargePoint16, "2.0.1": v2x.ChargePoint201, "2.1": v2x.ChargePoint21}

# Errors that mean "the CSMS is not there (yet)": retry with backoff. Anything else is a bug
# or a configuration error and propagates.
_CONNECT_ERRORS = (OSError, TimeoutError, websockets.exceptions.InvalidHandshake)


class VirtualCharger:
    """A simulated charger that runs until `stop()`, reconnecting with exponential backoff."""

    def __init__(self, config: sim_options.SimConfig) -> None:
        self.config = config
        self.station = station.Station(config)
        # Set after an Accepted BootNotification, cleared when the connection goes.
        self.booted: asyncio.Event = self.station.booted
        self.session: session.Session | None = None
        # Firmware updates and log uploads outlive connections (a firmware install reboots us).
        self.station.jobs = updates.Jobs(self.station, lambda: self.session)
        self.connections = 0  # websocket connections opened so far
        self._connection: websockets.asyncio.client.ClientConnection | None = None
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()  # cuts a reconnect wait short (a reboot from the local console)
        self._reboots: set[asyncio.Task] = set()
        self._backoff = sim_options.Backoff(config.backoff_min, config.backoff_max, self.station.rng)

    @property
    def connected(self) -> bool:
        return self._connection is not None and self._connection.state is websockets.protocol.State.OPEN

    @property
    def config_keys(self) -> simkeys.ConfigKeys | None:
        """OCPP 1.6 configuration keys (None for 2.x)."""
        return self.station.config_keys

    @property
    def device_model(self) -> simmodel.DeviceModel | None:
        """OCPP 2.x device model (None for 1.6)."""
        return self.station.device_model

    @property
    def connectors(self) -> list[station.Connector]:
        return self.station.connectors

    def stop(self) -> None:
        """Ask `run()` to close the connection and return; any time, from the charger's loop.

        From another thread (the GUI), use `loop.call_soon_threadsafe(charger.stop)`.
        """
        self._stopping.set()

    def reboot_now(self) -> None:
        """A reboot asked locally (the serial console), not over OCPP; on the charger's loop.

        Connected: end the session as a Reset does (the settings changed since apply on the next
        connection). Not connected: stop waiting to reconnect and try at once, from the best slot.
        """
        session = self.session
        self.station.note("reboot asked on the local console")
        if self.connected and session is not None:
            task = asyncio.get_running_loop().create_task(session.reboot("Soft", "LocalReset"),
                                                          name=f"{self.config.charger_id}:console-reboot")
            self._reboots.add(task)
            task.add_done_callback(self._reboot_done)
            return
        self.station.rebooted()
        self._backoff.reset()
        self._wake.set()

    def _reboot_done(self, task: asyncio.Task) -> None:
        self._reboots.discard(task)
        if not task.cancelled() and task.exception() is not None:
            LOGGER.warning("%s: console reboot failed: %r", self.config.charger_id, task.exception())

    async def run(self) -> None:
        """Connect, boot, serve; on a drop or a Reset, reconnect. Returns after `stop()`."""
        main = asyncio.create_task(self._connect_forever(), name=f"{self.config.charger_id}:run")
        stopped = asyncio.create_task(self._stopping.wait(), name=f"{self.config.charger_id}:stop")
        try:
            await asyncio.wait({main, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # Cancelling `main` unwinds `async with connect(...)` through a proper close
            # handshake. One cancel, not session.cancel_and_wait: a second one would cut that
            # handshake short, and the session's own tasks are re-cancelled by the session.
            main.cancel()
            stopped.cancel()
            await asyncio.wait({main, stopped})
            self.booted.clear()
            await self.station.jobs.close()
        if not main.cancelled() and main.exception() is not None:
            raise main.exception()

    async def _connect_forever(self) -> None:
        while True:
            delay = await self._connect_once()
            LOGGER.debug("%s: reconnecting in %.1f s", self.config.charger_id, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            self._wake.clear()

    def _profile(self, slot: int) -> int:
        level = self.station.network_slots[slot].get("security_profile")
        return int(level) if level is not None else self.station.security_profile()

    def _headers(self, slot: int, identity: str) -> dict[str, str]:
        if self._profile(slot) == 3:
            return {}  # profile 3 authenticates with the client certificate, not a password
        password = self.station.network_slots[slot].get("basic_auth_password") or self.station.password()
        if not password:
            return {}
        return {"Authorization": websockets.headers.build_authorization_basic(identity, password)}

    async def _connect_once(self) -> float:
        """One connection from open to close; returns how long to wait before the next one."""
        cfg = self.config
        slot, endpoint, identity = self.station.endpoint()  # the best network profile not yet given up on
        try:
            tls = self._ssl_context(slot, endpoint)
        except security.CertificateProblem as problem:
            # Nothing to try yet (no CA, no certificate): say what is missing, and retry as for any failure,
            # since the CSMS may install what is missing over another connection profile.
            LOGGER.warning("%s: cannot connect to %s: %s", cfg.charger_id, endpoint, problem)
            self.station.connection_failed(f"cannot connect to {endpoint}: {problem}")
            return self._backoff.next_delay()
        try:
            connection = await websockets.asyncio.client.connect(
                endpoint,
                ssl=tls,
                subprotocols=[websockets.typing.Subprotocol(cfg.subprotocol)],
                additional_headers=self._headers(slot, identity),
                user_agent_header=f"{cfg.vendor}-{cfg.model}/{self.station.firmware}",
                ping_interval=self.station.ping_interval(),
                # A technician's laptop often has a corporate proxy in its environment that
                # cannot reach a CSMS on the local network; chargers never use one either.
                proxy=None,
                # Charger firmware rarely negotiates permessage-deflate; do as they do.
                compression=None,
            )
        except websockets.exceptions.InvalidStatus as error:
            # The CSMS is there but says no (401 wrong password, 404 unknown id): worth a
            # warning, since only the technician can fix it. Retried all the same, as chargers do.
            LOGGER.warning("%s: %s refused the connection: %s", cfg.charger_id, endpoint, error)
            self.station.connection_failed(f"{endpoint} refused the connection: {error}")
            return self._backoff.next_delay()
        except ssl.SSLCertVerificationError as error:
            # The CSMS's certificate does not verify against our roots, or not for this host: the
            # failure reason names it so the fallback report says InvalidCsmsCertificate.
            reason = f"the CSMS's certificate does not verify: {error.verify_message or error}"
            LOGGER.warning("%s: %s: %s", cfg.charger_id, endpoint, reason)
            self.station.connection_failed(f"{endpoint}: {security.CSMS_CERTIFICATE_FAILURE}: {reason}")
            return self._backoff.next_delay()
        except ssl.SSLError as error:
            LOGGER.warning("%s: TLS with %s failed: %s", cfg.charger_id, endpoint, error)
            self.station.connection_failed(f"TLS with {endpoint} failed: {error}")
            return self._backoff.next_delay()
        except _CONNECT_ERRORS as error:
            LOGGER.info("%s: cannot connect to %s: %s", cfg.charger_id, endpoint, error)
            self.station.connection_failed(f"cannot connect to {endpoint}: {error or type(error).__name__}")
            return self._backoff.next_delay()
        self.connections += 1
        async with connection:
            if connection.subprotocol != cfg.subprotocol:
                LOGGER.warning("%s: the CSMS did not agree to %s (answered %s); closing",
                               cfg.charger_id, cfg.subprotocol, connection.subprotocol)
                return self._backoff.next_delay()
            LOGGER.info("%s: connected to %s (OCPP %s)", cfg.charger_id, endpoint, cfg.ocpp_version)
            self.station.connected_on(slot)
            self.station.note(f"connected to {endpoint} at security profile {self._profile(slot)}"
                              + (" with a password" if self._headers(slot, identity) else ""))
            self._connection = connection
            self.session = _SESSIONS[cfg.ocpp_version](self.station, connection)
            try:
                await self.session.serve()
            except asyncio.CancelledError:
                # stop() or a cancelled run(): leaving `async with` by an exception would
                # close with 1011 (internal error); a charger powering down is 1001 (going away).
                await connection.close(websockets.frames.CloseCode.GOING_AWAY, "charger stopping")
                raise
            finally:
                self._connection = None
                self.booted.clear()
        if self.station.reconnect_requested:
            self.station.reconnect_requested = False  # a new security profile: reconnect at once, no reboot
            self.station.rebooted()  # start from the best slot, the one with the new profile
            self._backoff.reset()
            return 0.0
        if self.station.reboot_requested:
            self.station.reboot_requested = False
            self.station.rebooted()
            self._backoff.reset()
            return cfg.reboot_delay
        if self.session.accepted:
            # A session that got as far as an accepted boot was healthy; start backing off afresh.
            self._backoff.reset()
        LOGGER.info("%s: connection closed (%s)", cfg.charger_id, connection.close_reason or connection.close_code)
        return self._backoff.next_delay()


    async def present_tag(self, id_tag: str, connector_id: int | None = None) -> str:
        """Someone holds a card at this charger's reader (see the sessions' present_tag). On its loop."""
        session = self.session
        if session is None or not session.accepted:
            raise ConnectionError(f"{self.config.charger_id} is not connected to a CSMS")
        return await session.present_tag(id_tag, connector_id)

    def _ssl_context(self, slot: int, endpoint: str) -> ssl.SSLContext | None:
        """None for ws://; for wss:// a context trusting the CSMS roots, with our certificate at profile 3."""
        profile = self._profile(slot)
        if not endpoint.lower().startswith("wss://"):
            if profile >= 2:
                raise security.CertificateProblem(f"security profile {profile} needs a wss:// URL")
            return None
        return self.station.certificates.ssl_context(client_certificate=profile == 3)


def fleet_ids(base_id: str, count: int | None) -> list[str]:
    """None -> [base_id]; N -> base_id-0001 ... base_id-N."""
    if count is None:
        return [base_id]
    return [f"{base_id}-{i:04d}" for i in range(1, count + 1)]


async def run_fleet(url: str, base_id: str, ocpp_version: str, count: int | None = None,
                    password: str | None = None, stop: asyncio.Event | None = None, **options: Any) -> None:
    """Run one charger (count None) or `count` chargers until `stop` is set (or until cancelled).

    `options` go to every charger's SimConfig (meter_interval=5 for a lively demo, connectors=4 ...).
    """
    chargers = [
        VirtualCharger(sim_options.SimConfig(url=url, charger_id=charger_id, ocpp_version=ocpp_version,
                                           password=password, **options))
        for charger_id in fleet_ids(base_id, count)
    ]
    async with asyncio.TaskGroup() as group:
        for charger in chargers:
            group.create_task(charger.run(), name=f"{charger.config.charger_id}:fleet")
        if stop is not None:
            await stop.wait()
            for charger in chargers:
                charger.stop()
