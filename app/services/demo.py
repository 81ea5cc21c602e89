"""Demo chargers: built-in virtual chargers connected to the app's own CSMS.

They run on the engine's loop (loopback, no hardware), so a newcomer sees the whole flow:
connection, BootNotification, status, heartbeats, and answers to every operation they send.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import logging
import threading

from app import simulator
from app.csms import engine as csms_engine

log = logging.getLogger(__name__)

DEMO_PREFIX = "DEMO"
_VENDORS = {"1.6": ("Commissioner", "Demo AC 22 kW"), "2.0.1": ("Commissioner", "Demo DC 50 kW"),
            "2.1": ("Commissioner", "Demo DC 150 kW")}


class DemoChargers:
    """Owns the demo chargers it starts; `stop_all` ends them cleanly."""

    def __init__(self, engine: csms_engine.Engine) -> None:
        self.engine = engine
        self._running: dict[str, tuple[simulator.VirtualCharger, concurrent.futures.Future]] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()  # the GUI thread starts/stops, the engine thread reports ends

    def start(self, version: str = "1.6", meter_interval: float = 10.0) -> str:
        """Start one demo charger of that OCPP version; returns its charger id."""
        charger_id = self._next_id(version)
        vendor, model = _VENDORS[version]
        host = self.engine.config.host
        host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
        # The app's own demo chargers are let in even when an allow-list is in force.
        self.engine.server.admit_always.add(charger_id)
        config = simulator.SimConfig(
            url=f"ws://{host}:{self.engine.server.port}/demo", charger_id=charger_id, ocpp_version=version,
            vendor=vendor, model=model, firmware="1.4.2", backoff_min=0.5, backoff_max=5.0,
            reboot_delay=2.0, meter_interval=meter_interval,
        )
        charger = simulator.VirtualCharger(config)
        future = self.engine.submit(charger.run())
        with self._lock:
            self._running[charger_id] = (charger, future)
        future.add_done_callback(lambda f, cid=charger_id: self._ended(cid, f))
        return charger_id

    def running(self) -> list[str]:
        with self._lock:
            return list(self._running)

    def stop(self, charger_id: str) -> None:
        with self._lock:
            entry = self._running.pop(charger_id, None)
        if entry is not None and self.engine.loop is not None and not self.engine.loop.is_closed():
            self.engine.loop.call_soon_threadsafe(entry[0].stop)

    def stop_all(self, timeout: float = 5.0) -> None:
        with self._lock:
            futures = [future for _, future in self._running.values()]
            ids = list(self._running)
        for charger_id in ids:
            self.stop(charger_id)
        concurrent.futures.wait(futures, timeout=timeout)

    def _next_id(self, version: str) -> str:
        suffix = version.replace(".", "")
        while True:
            candidate = f"{DEMO_PREFIX}-{suffix}-{next(self._numbers):02d}"
            with self._lock:
                if candidate not in self._running:
                    return candidate

    def _ended(self, charger_id: str, future: concurrent.futures.Future) -> None:
        # Runs on the engine thread when a demo charger ends.
        with self._lock:
            self._running.pop(charger_id, None)
        if not future.cancelled() and future.exception() is not None:
            log.error("demo charger %s stopped with an error", charger_id, exc_info=future.exception())
