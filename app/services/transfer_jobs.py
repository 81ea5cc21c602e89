"""What firmware updates and log uploads share: a job recorded as it goes, the URL a charger is
given, and the wait for what it says next (services.firmware, services.diagnostics).

On the engine loop. Every timeline entry is written to sqlite before anyone is shown it (the
store's `add_job_event`), so a charger that vanishes, or an app that is closed, keeps the
timeline as far as it got.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any, Callable

from app.csms import engine as csms_engine
from app.domain import errors, jobs, secrets
from app.ocpp import rpc_session as ocpp_session
from app.storage import runs as run_store

POLL_S = 0.2  # how often a job looks at the file server's counters and the charger's connection
Progress = Callable[[int, int, str], None]  # done, total, message (a task Reporter)


def masked_url(url: str) -> str:
    """An FTP URL's password is never stored or shown: ftp://user:***@host/ (as in the journal)."""
    return secrets.mask_text(url)


def file_server(engine: csms_engine.Engine) -> Any:
    server = engine.files
    if engine.files_error is not None and not getattr(server, "running", False):
        raise errors.CsmsError(f"The built-in file server is not running: {engine.files_error.message}",
                               hint=engine.files_error.hint)
    if server is None:
        raise errors.CsmsError("The built-in file server is turned off.",
                               hint="Turn it on in Settings: chargers fetch firmware and upload logs there.")
    if not server.running:
        raise errors.CsmsError("The built-in file server is not running.",
                               hint="Check its ports in Settings (HTTP and FTP); another program may hold them.")
    return server


def charger_host(engine: csms_engine.Engine, charger_id: str) -> str:
    """The laptop's address as this charger reaches it: the host of every URL it is given."""
    host = engine.local_host(charger_id)
    if host is None:
        raise errors.ChargerNotConnectedError(charger_id)
    return host


def version_of(engine: csms_engine.Engine, charger_id: str) -> str:
    return engine.server.session(charger_id).version  # ChargerNotConnectedError


def connected(engine: csms_engine.Engine, charger_id: str) -> bool:
    info = engine.registry.chargers.get(charger_id)
    return info is not None and info.connected


def iso(ms: int | None = None) -> str:
    moment = time.gmtime((ms if ms is not None else ocpp_session.now_ms()) / 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", moment)


class Recorder:
    """One job's record: header and timeline on disk as they change, with a progress line out."""

    def __init__(self, store: run_store.RunStore, job: jobs.Job, clock: Callable[[], int],
                 report: Progress | None) -> None:
        self.store = store
        self.job = job
        self.clock = clock
        self._report = report or (lambda done, total, message: None)
        self.done = 0
        self.total = 0
        store.save_job(job)

    def event(self, source: jobs.Source, status: str, detail: str = "") -> None:
        self.store.add_job_event(self.job, jobs.Event(self.clock(), source, status, detail))
        self.progress(self.done, self.total, f"{status}: {detail}" if detail else status)

    def progress(self, done: int, total: int, message: str = "") -> None:
        self.done, self.total = done, total
        self._report(done, total, message or self.job.last_status)

    def save(self) -> None:
        self.store.save_job(self.job)

    def end(self, outcome: jobs.Outcome, message: str) -> jobs.Job:
        self.job.outcome = outcome
        self.job.message = message
        self.job.ended_ms = self.clock()
        self.store.save_job(self.job)
        self.event(jobs.Source.APP, {jobs.Outcome.DONE: "Done", jobs.Outcome.FAILED: "Failed",
                                     jobs.Outcome.CANCELLED: "Cancelled"}.get(outcome, outcome.value), message)
        return self.job


@dataclasses.dataclass
class Stage:
    """A stage of a job with its own time limit; `touch` restarts the clock (bytes still flow)."""

    name: str
    limit_s: float
    began: float = dataclasses.field(default_factory=time.monotonic)

    def touch(self) -> None:
        self.began = time.monotonic()

    def expired(self) -> bool:
        return time.monotonic() - self.began > self.limit_s


def bytes_text(count: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} B"


async def pause() -> None:
    await asyncio.sleep(POLL_S)
