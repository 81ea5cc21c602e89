"""Demo chargers: built-in virtual chargers connected to the app's own CSMS.

They run on the engine's loop (loopback, no hardware), so a newcomer sees the whole flow:
connection, BootNotification, status, heartbeats, and answers to every operation they send.

Owned by the engine loop: every method runs there (the window reaches it with
`engine.submit(demo.start(...))`), so the allow-list exception and the running set are never
touched from two threads. Each charger is an owned task of the engine's TaskRunner: stopping
the engine ends them all.

Where the system has pseudo-terminals (Linux, macOS), each demo charger also gets its serial
console (app.simulator.console) on a pty, so the Console page and the "console" check can be
tried without hardware. `consoles()` is the one method safe from another thread.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os

from app import simulator
from app.simulator import console as sim_console
from app.csms import engine as csms_engine
from app.csms import tasks as csms_tasks
from app.domain import errors

log = logging.getLogger(__name__)

DEMO_PREFIX = "DEMO"
STOP_TIMEOUT_S = 5.0
CONSOLE_PASSWORD, CONSOLE_USER = "virtual", "admin"  # the bundled profile `virtual` logs in with these
_VENDORS = {"1.6": ("Commissioner", "Demo AC 22 kW"), "2.0.1": ("Commissioner", "Demo DC 50 kW"),
            "2.1": ("Commissioner", "Demo DC 150 kW")}


class DemoChargers:
    def __init__(self, engine: csms_engine.Engine) -> None:
        self.engine = engine
        self._running: dict[str, tuple[simulator.VirtualCharger, csms_tasks.TaskInfo]] = {}
        self._numbers = itertools.count(1)
        self._consoles: dict[str, sim_console.ConsoleServer] = {}
        # charger id -> pty path, replaced (never changed in place) on the loop, so another thread
        # reading it sees one whole dict
        self._paths: dict[str, str] = {}

    async def start(self, version: str = "1.6", meter_interval: float = 10.0, **faults: object) -> str:
        """Start one demo charger of that OCPP version; returns its charger id. On the loop.

        `faults`: the virtual charger's update and upload faults (SimConfig: slow_download,
        download_fails, upload_fails...), for screenshots and the window's tests."""
        if version not in _VENDORS:
            raise ValueError(f"no demo charger for OCPP {version!r}")
        charger_id = self._next_id(version)
        vendor, model = _VENDORS[version]
        host = self.engine.config.host
        host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
        # The app's own demo chargers are let in even when an allow-list is in force.
        self.engine.server.admit_always.add(charger_id)
        config = simulator.SimConfig(
            url=f"{self.engine.server.scheme}://{host}:{self.engine.server.port}/demo", charger_id=charger_id,
            ocpp_version=version, vendor=vendor, model=model, firmware="1.4.2", backoff_min=0.5, backoff_max=5.0,
            reboot_delay=2.0, meter_interval=meter_interval, **faults,  # type: ignore[arg-type]
        )
        charger = simulator.VirtualCharger(config)

        async def run(_reporter: csms_tasks.Reporter) -> None:
            await charger.run()

        info = self.engine.tasks.spawn(f"demo charger {charger_id}", run, charger_id=charger_id, quiet=True)
        self._running[charger_id] = (charger, info)
        self._plug_console(charger_id, charger)
        info.task.add_done_callback(lambda _task, cid=charger_id: self._ended(cid))
        return charger_id

    def running(self) -> list[str]:
        """On the loop."""
        return list(self._running)

    def consoles(self) -> dict[str, str]:
        """Charger id -> the device of its serial console (e.g. /dev/pts/5). Safe from any thread."""
        return dict(self._paths)

    def is_demo(self, charger_id: str) -> bool:
        """A demo charger of this app (a membership test: safe from the GUI thread)."""
        return charger_id in self._running

    async def present_tag(self, charger_id: str, id_tag: str, connector: int | None = None) -> str:
        """Hold a card at a demo charger's reader (the RFID checklist steps, without a real card).
        "Started" (accepted, a session began), "Stopped" (it ended its own session), or the Authorize
        answer's status (Accepted with no connector free, Blocked, Invalid...). On the loop."""
        entry = self._running.get(charger_id)
        if entry is None:
            raise errors.ConfigError(f"{charger_id} is not a demo charger of this app.",
                                     hint="Hold the card at the real charger's reader.")
        try:
            return await entry[0].present_tag(id_tag, connector)
        except ConnectionError as exc:
            raise errors.ChargerNotConnectedError(charger_id) from exc

    async def stop(self, charger_id: str, timeout: float = STOP_TIMEOUT_S) -> None:
        """Close the charger's connection cleanly; cancel it if it takes longer than `timeout`."""
        entry = self._running.get(charger_id)
        if entry is None:
            return
        charger, info = entry
        charger.stop()
        done, _ = await asyncio.wait({info.task}, timeout=timeout)
        if not done:
            info.task.cancel()
            await asyncio.gather(info.task, return_exceptions=True)

    async def stop_all(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """Stop every demo charger (in parallel); returns how many were running."""
        ids = list(self._running)
        await asyncio.gather(*(self.stop(charger_id, timeout) for charger_id in ids))
        return len(ids)

    def _next_id(self, version: str) -> str:
        suffix = version.replace(".", "")
        while True:
            candidate = f"{DEMO_PREFIX}-{suffix}-{next(self._numbers):02d}"
            if candidate not in self._running:
                return candidate

    def _plug_console(self, charger_id: str, charger: simulator.VirtualCharger) -> None:
        if not hasattr(os, "openpty"):  # Windows: no pseudo-terminals, the demo has no console
            return
        server = sim_console.ConsoleServer(charger, password=CONSOLE_PASSWORD, user=CONSOLE_USER)
        try:
            path = server.plug()
        except OSError as exc:  # out of ptys: the demo charger still runs, without its console
            log.warning("demo charger %s: no serial console (%s)", charger_id, exc)
            return
        self._consoles[charger_id] = server
        self._paths = {**self._paths, charger_id: path}

    def _ended(self, charger_id: str) -> None:
        self._running.pop(charger_id, None)
        server = self._consoles.pop(charger_id, None)
        if server is not None:
            server.unplug()  # on the loop (a done callback): it removes the pty's reader there
            self._paths = {k: v for k, v in self._paths.items() if k != charger_id}
        self.engine.server.admit_always.discard(charger_id)
