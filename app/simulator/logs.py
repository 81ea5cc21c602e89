"""What the virtual charger writes down, and the log archive it uploads (pure, no I/O).

The Station keeps two small journals: the charger's own log (connections, boots, status of
updates and uploads) and its security log (the events of OCPP's security event list). An
archive for GetDiagnostics / GetLog is a tar.gz built in memory:

    diagnostics.log | security.log   one line per event within [start, stop]: "<ISO time> <text>"
    configuration.json               the configuration keys (1.6) or device model (2.x), secrets blanked
    about.json                       who, which firmware, what window, when built
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import io
import json
import tarfile
from typing import Any

from app.simulator import options as sim_options

JOURNAL_LENGTH = 2000  # events kept per journal; older ones fall off, as on real hardware
DIAGNOSTICS = "DiagnosticsLog"
SECURITY = "SecurityLog"
_SECRET_WORDS = ("password", "authorizationkey", "secret")


@dataclasses.dataclass(frozen=True)
class Entry:
    at: datetime.datetime
    text: str

    def line(self) -> str:
        return f"{sim_options.iso(self.at)} {self.text}"


class Journal:
    """Events in the order they happened, the oldest dropped past JOURNAL_LENGTH."""

    def __init__(self) -> None:
        self._entries: collections.deque[Entry] = collections.deque(maxlen=JOURNAL_LENGTH)

    def add(self, at: datetime.datetime, text: str) -> None:
        self._entries.append(Entry(at, text))

    def between(self, start: datetime.datetime | None, stop: datetime.datetime | None) -> list[Entry]:
        return [e for e in self._entries if (start is None or e.at >= start) and (stop is None or e.at <= stop)]

    def __len__(self) -> int:
        return len(self._entries)


def parse_time(text: str | None) -> datetime.datetime | None:
    """An OCPP dateTime (RFC 3339, Z or offset) as an aware datetime; None for None/empty/garbage."""
    if not text:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def file_name(charger_id: str, log_type: str, moment: datetime.datetime) -> str:
    """diagnostics-<id>-<UTC time>.tar.gz / securitylog-<id>-<UTC time>.tar.gz"""
    stamp = moment.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    word = "securitylog" if log_type == SECURITY else "diagnostics"
    safe_id = "".join(c if c.isalnum() or c in "-_." else "_" for c in charger_id)
    return f"{word}-{safe_id}-{stamp}.tar.gz"


def blank_secrets(configuration: Any) -> Any:
    """The configuration with the value of every key or variable whose name speaks of a secret blanked."""
    if isinstance(configuration, list):
        return [blank_secrets(item) for item in configuration]
    if not isinstance(configuration, dict):
        return configuration
    name = str(configuration.get("key") or configuration.get("variable", {}).get("name", "")).lower()
    secret = any(word in name for word in _SECRET_WORDS)
    out = {}
    for field, value in configuration.items():
        if secret and field == "value":
            out[field] = "***" if value else value
        else:
            out[field] = blank_secrets(value)
    return out


def build_archive(*, charger_id: str, firmware_version: str, log_type: str, entries: list[Entry],
                  configuration: Any, start: datetime.datetime | None, stop: datetime.datetime | None,
                  built_at: datetime.datetime) -> bytes:
    """The tar.gz the charger uploads, built in memory (a few kB)."""
    log_name = "security.log" if log_type == SECURITY else "diagnostics.log"
    about = {
        "chargerId": charger_id, "firmwareVersion": firmware_version, "logType": log_type,
        "oldest": sim_options.iso(start) if start else None, "latest": sim_options.iso(stop) if stop else None,
        "builtAt": sim_options.iso(built_at), "lines": len(entries),
    }
    members = [
        (log_name, "".join(e.line() + "\n" for e in entries).encode()),
        ("configuration.json", json.dumps(blank_secrets(configuration), indent=1, default=str).encode()),
        ("about.json", json.dumps(about, indent=1).encode()),
    ]
    buffer = io.BytesIO()
    mtime = built_at.timestamp()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = mtime
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
