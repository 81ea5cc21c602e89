"""Which serial port and vendor profile last reached which charger over its console.

The Console page (and the CLI) remember a link when a read or write succeeded; the "console"
check (services.console_checks) reads it back, so a run can check the console without asking
the technician for the port again. Kept in <data>/console/links.json, one entry per charger,
the newest wins. Never a password: those belong in the vault (storage.vault), not in a file.

The file is rewritten whole (tmp + os.replace), so a crash never leaves half of it; a missing or
unreadable file is an empty one (a warning in the log), since a lost link only means the
technician picks the port again. Blocking file I/O: call it from a worker thread on a loop.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import pathlib
import threading
import time
from typing import Any

from app.domain import errors
from app.storage import paths

log = logging.getLogger(__name__)

FILE_NAME = "links.json"
VERSION = 1
_lock = threading.Lock()  # remember() reads, changes and writes: two callers must not lose each other's link


@dataclasses.dataclass(frozen=True)
class Link:
    charger_id: str
    port: str  # the device, e.g. /dev/ttyUSB0 or COM3
    profile_id: str  # the vendor profile (services.vendors.find) that talked to it
    user: str  # the login user, "" for the profile's default
    time_ms: int  # when it last worked


def path_of(data_dir: pathlib.Path) -> pathlib.Path:
    return pathlib.Path(data_dir) / "console" / FILE_NAME


def remember(data_dir: pathlib.Path, charger_id: str, port: str, profile_id: str, user: str = "",
             now_ms: int | None = None) -> None:
    """Record that `port` with `profile_id` reached `charger_id` (now, or at `now_ms`)."""
    if not charger_id or not port or not profile_id:
        raise errors.ConfigError("A console link needs a charger id, a port and a profile.",
                                 hint="Read the charger's settings over the console first.")
    link = Link(charger_id, port, profile_id, user, int(time.time() * 1000) if now_ms is None else now_ms)
    with _lock:
        links = _read(path_of(data_dir))
        links[charger_id] = link
        _write(path_of(data_dir), links)


def link_for(data_dir: pathlib.Path, charger_id: str) -> Link | None:
    """The port and profile that last reached `charger_id`; None when none did (or the file is lost)."""
    with _lock:
        return _read(path_of(data_dir)).get(charger_id)


def _read(path: pathlib.Path) -> dict[str, Link]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        log.warning("console links %s cannot be read (%s): starting without them", path, exc)
        return {}
    entries = data.get("links") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        log.warning("console links %s: no links in it, starting without them", path)
        return {}
    links: dict[str, Link] = {}
    for charger_id, entry in entries.items():
        link = _link(charger_id, entry)
        if link is None:
            log.warning("console links %s: the entry for %r is not a link, left out", path, charger_id)
        else:
            links[charger_id] = link
    return links


def _link(charger_id: Any, entry: Any) -> Link | None:
    if not isinstance(charger_id, str) or not isinstance(entry, dict):
        return None
    port, profile_id, user, time_ms = (entry.get("port"), entry.get("profile_id"), entry.get("user", ""),
                                       entry.get("time_ms", 0))
    if not (isinstance(port, str) and port and isinstance(profile_id, str) and profile_id and isinstance(user, str)
            and isinstance(time_ms, int)):
        return None
    return Link(charger_id, port, profile_id, user, time_ms)


def _write(path: pathlib.Path, links: dict[str, Link]) -> None:
    text = json.dumps({"version": VERSION, "links": {
        cid: {"port": link.port, "profile_id": link.profile_id, "user": link.user, "time_ms": link.time_ms}
        for cid, link in sorted(links.items())}}, indent=2)
    paths.write_atomically(path, text, "the console links")
