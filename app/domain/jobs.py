"""A firmware update or a log upload of one charger, with its timeline (plain data).

A job is stored the moment it starts and every time the charger (or the file server, or the
app) says something about it, so a charger that vanishes mid-update, or an app that is closed,
leaves the timeline as far as it got. services.firmware and services.diagnostics fill it.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any


class Kind(str, enum.Enum):
    FIRMWARE = "firmware"
    DIAGNOSTICS = "diagnostics"  # 1.6 GetDiagnostics, or GetLog DiagnosticsLog
    SECURITY_LOG = "security_log"  # GetLog SecurityLog


class Outcome(str, enum.Enum):
    RUNNING = ""
    DONE = "done"  # installed and the new version verified / the file arrived
    FAILED = "failed"
    CANCELLED = "cancelled"
    WAITING = "waiting"  # the charger went away mid-way: the job goes on when it is back


class Source(str, enum.Enum):
    CHARGER = "charger"  # a status notification, a BootNotification
    SERVER = "server"  # the file server saw a request, bytes, a file
    APP = "app"  # what Commissioner sent or decided (a timeout, a retry)


@dataclasses.dataclass
class Event:
    ts_ms: int
    source: Source
    status: str  # a spec status (Downloading, Uploaded...) or the app's word (Requested, Verified...)
    detail: str = ""


@dataclasses.dataclass
class Job:
    id: int  # 0 until stored
    kind: Kind
    charger_id: str
    started_ms: int
    request_id: int | None = None
    outcome: Outcome = Outcome.RUNNING
    ended_ms: int = 0
    message: str = ""  # the verdict in words, and a hint when it failed
    # firmware: firmware_id, name, version (expected), old_version, new_version, url, via, size;
    # logs: location, via, file (path in the data folder), size, name
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)
    events: list[Event] = dataclasses.field(default_factory=list)

    @property
    def last_status(self) -> str:
        return self.events[-1].status if self.events else ""

    @property
    def ended(self) -> bool:
        return self.outcome in (Outcome.DONE, Outcome.FAILED, Outcome.CANCELLED)
