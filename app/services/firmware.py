"""Update a charger's firmware from the built-in file server, and verify the version it boots with.

1.6 UpdateFirmware (retrieveDate, retries, retryInterval), 1.6 security-extension
SignedUpdateFirmware (when the image has a signature), 2.0.1/2.1 UpdateFirmware with the
signature fields when given. The timeline (domain.jobs) gathers the charger's
FirmwareStatusNotification / SignedFirmwareStatusNotification, what the file server saw (the
request, bytes served of total) and what the app decided; each stage has its own time limit, so
a stall says which stage stalled. The last step: the charger reboots and its BootNotification
reports the new version (verified), or another one (failed, with what it reports).

A charger that goes away mid-update keeps its timeline (outcome "waiting"); when it is back it is
asked for its status again (TriggerMessage FirmwareStatusNotification) and the timeline goes on.
On the engine loop; Qt-free.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import pathlib
from typing import Any, Callable

from app.csms import engine as csms_engine
from app.domain import errors, firmware as fw_words, jobs
from app.files import library as fw_library
from app.ocpp import rpc_session as ocpp_session
from app.services import operations, transfer_jobs
from app.storage import runs as run_store

Source = jobs.Source
# After the BootNotification, how long the job waits for the charger's last word (Installed, or
# InstallationFailed), which 2.x sends after it booted and 1.6 chargers send before or after.
SETTLE_S = 30.0

HINTS = {
    "InstallationFailed": "The charger could not install the image: check it is the right one for this model.",
    "InstallVerificationFailed": "The charger installed the image but it did not verify: check it is built for "
                                 "this model and hardware revision.",
    "InvalidSignature": "The signature does not match the image: add the signature that came with this file.",
    "InvalidCertificate": "The charger does not accept the signing certificate: it must chain to the "
                          "manufacturer's root installed on the charger.",
    "RevokedCertificate": "The signing certificate has been revoked: get a newly signed image from the vendor.",
    "DownloadPaused": "The charger paused the download; it should go on by itself.",
}


@dataclasses.dataclass(frozen=True)
class Stages:
    """Time limits of each stage, in seconds. `download_s` is the longest silence while
    downloading: every byte the file server sends restarts it."""

    start_s: float = 180.0  # the request -> the first download request or Downloading
    download_s: float = 300.0
    install_s: float = 900.0  # Downloaded -> Installing / the reboot
    boot_s: float = 900.0  # the reboot (or a charger gone away) -> its BootNotification


@dataclasses.dataclass(frozen=True)
class Options:
    via: str = "http"  # "http" | "ftp": how the charger fetches the image
    retrieve_at: datetime.datetime | None = None  # None: now
    install_at: datetime.datetime | None = None  # signed / 2.x only; None: as soon as it is downloaded
    retries: int | None = None
    retry_interval: int | None = None  # seconds
    signed: bool | None = None  # 1.6: SignedUpdateFirmware; None: when the image has a signature


def library(data_dir: pathlib.Path) -> fw_library.Library:
    """The firmware library in the data folder (blocking calls: hashing, copying)."""
    return fw_library.Library(data_dir)


async def add_image(data_dir: pathlib.Path, source: pathlib.Path, version: str = "", signing_certificate: str = "",
                    signature: str = "") -> fw_library.Firmware:
    """Copy an image into the library, hashing it off the caller's thread."""
    return await asyncio.to_thread(library(data_dir).add, source, version, signing_certificate, signature)


def _iso(moment: datetime.datetime | None) -> str:
    if moment is None:
        return transfer_jobs.iso()
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_for(version: str, image: fw_library.Firmware, url: str, request_id: int,
                options: Options) -> operations.Request:
    """The request that makes this charger fetch `url` (pure: the tests read it)."""
    signed = options.signed if options.signed is not None else bool(image.signature)
    retry: dict[str, Any] = {}
    if options.retries is not None:
        retry["retries"] = options.retries
    if options.retry_interval is not None:
        retry["retryInterval"] = options.retry_interval
    if version == "1.6" and not signed:
        return operations.Request("UpdateFirmware", {"location": url, "retrieveDate": _iso(options.retrieve_at),
                                                     **retry})
    body: dict[str, Any] = {"location": url, "retrieveDateTime": _iso(options.retrieve_at)}
    if options.install_at is not None:
        body["installDateTime"] = _iso(options.install_at)
    if image.signing_certificate:
        body["signingCertificate"] = image.signing_certificate
    if image.signature:
        body["signature"] = image.signature
    if version == "1.6":
        if not (image.signing_certificate and image.signature):
            raise errors.ConfigError("A signed update needs the image's signing certificate and signature.",
                                     hint="Add both to the firmware in the library, or send an unsigned update.")
        return operations.Request("SignedUpdateFirmware", {"requestId": request_id, "firmware": body, **retry})
    return operations.Request("UpdateFirmware", {"requestId": request_id, "firmware": body, **retry})


def status_action(request: operations.Request) -> str:
    return "SignedFirmwareStatusNotification" if request.action == "SignedUpdateFirmware" else \
        "FirmwareStatusNotification"


def trigger_for(request: operations.Request) -> operations.Request:
    """Ask a charger that came back for the status of its update."""
    if request.action == "SignedUpdateFirmware":
        # 1.6 security extension: ExtendedTriggerMessage's FirmwareStatusNotification means the signed
        # one (its schema has no "SignedFirmwareStatusNotification").
        return operations.Request("ExtendedTriggerMessage", {"requestedMessage": "FirmwareStatusNotification"})
    return operations.Request("TriggerMessage", {"requestedMessage": "FirmwareStatusNotification"})


async def update(engine: csms_engine.Engine, store: run_store.RunStore, image: fw_library.Firmware,
                 charger_id: str, *, options: Options = Options(), stages: Stages = Stages(),
                 report: transfer_jobs.Progress | None = None,
                 clock: Callable[[], int] = ocpp_session.now_ms) -> jobs.Job:
    """Update one charger; the job as it ended (done = the new version verified). Raises only
    before anything is sent (not connected, no file server, a refused request)."""
    files = transfer_jobs.file_server(engine)
    version = transfer_jobs.version_of(engine, charger_id)
    host = transfer_jobs.charger_host(engine, charger_id)
    request_id = engine.next_request_id()
    grant = files.grant_download(charger_id, image, host, via=options.via, request_id=request_id)
    try:
        request = request_for(version, image, grant.url, request_id, options)
    except BaseException:
        files.revoke(grant.token)
        raise
    info = engine.registry.chargers.get(charger_id)
    old_version = info.firmware if info is not None else ""
    job = jobs.Job(0, jobs.Kind.FIRMWARE, charger_id, clock(), request_id, detail={
        "firmware_id": image.id, "name": image.name, "version": image.version, "old_version": old_version,
        "size": image.size, "sha256": image.sha256, "via": options.via, "url": transfer_jobs.masked_url(grant.url),
        "action": request.action, "ocpp_version": version})
    rec = transfer_jobs.Recorder(store, job, clock, report)
    rec.total = image.size
    follow = _Follow(engine, rec, grant, request, stages, old_version, image.version)
    try:
        return await follow.run()
    except asyncio.CancelledError:
        rec.end(jobs.Outcome.CANCELLED, "Cancelled by the technician: the file server no longer serves the image "
                "to this charger (OCPP cannot withdraw a firmware request; the charger may report a failed download).")
        raise
    except errors.CommissionerError as exc:  # e.g. the request refused (CallError), the charger gone before it
        if not job.ended:
            rec.end(jobs.Outcome.FAILED, f"{exc.message} {exc.hint}".strip())
        raise
    finally:
        # Whatever the end (verified, failed, cancelled), the image's URL and FTP login stop working,
        # and the FTP home with its link to the image goes (so removing the image frees the disk).
        files.revoke(grant.token)
        follow.close()
        if not job.ended:  # a bug escaped: the record says so, the log has the traceback
            rec.end(jobs.Outcome.FAILED, "The update stopped on an internal error: see the log file.")


class _Follow:
    """One update, followed from the request to the verified version."""

    def __init__(self, engine: csms_engine.Engine, rec: transfer_jobs.Recorder, grant: Any,
                 request: operations.Request, stages: Stages, old_version: str, expected: str) -> None:
        self.engine, self.rec, self.grant, self.request, self.stages = engine, rec, grant, request, stages
        self.charger_id = rec.job.charger_id
        self.old_version, self.expected = old_version, expected
        request_id = rec.job.request_id
        filtered = request.action != "UpdateFirmware" or "requestId" in request.payload
        # Statuses and boots in the order they arrived (a charger back from a drop sends its boot,
        # then the statuses it kept): the watches' predicates put both in one inbox.
        self.inbox: list[tuple[str, dict[str, Any]]] = []

        def into_inbox(kind: str, check: Callable[[dict[str, Any]], bool] | None):
            def offer(payload: dict[str, Any]) -> bool:
                if check is None or check(payload):
                    self.inbox.append((kind, payload))
                return False  # nothing queued on the watch itself
            return offer

        by_request = (lambda p: p.get("requestId") in (None, request_id)) if filtered else None
        self.statuses = engine.watch(self.charger_id, status_action(request), into_inbox("status", by_request))
        self.boots = engine.watch(self.charger_id, "BootNotification", into_inbox("boot", None))
        self.stage = transfer_jobs.Stage("start", stages.start_s)
        self.requests_seen = 0
        self.served = 0
        self.reported_served = -1
        self.away = False
        self.status = ""
        self.booted_with: str | None = None
        self.ask_again = False  # the charger is back: TriggerMessage its status first

    def close(self) -> None:
        self.statuses.close()
        self.boots.close()

    async def run(self) -> jobs.Job:
        rec = self.rec
        rec.event(Source.APP, "Requested", f"{self.request.action} {rec.job.detail['url']}")
        answer = await self.engine.call(self.charger_id, self.request.action, self.request.payload)
        status = answer.get("status", "Accepted")  # 1.6 UpdateFirmware's answer is empty
        if status not in ("Accepted", "AcceptedCanceled"):
            return rec.end(jobs.Outcome.FAILED, f"The charger answered {self.request.action} with {status}. "
                           + HINTS.get(status, "It will not fetch the image; check its configuration and the log."))
        if status == "AcceptedCanceled":
            rec.event(Source.CHARGER, "AcceptedCanceled", "the charger cancelled an update it was busy with")
        while True:
            verdict = self._look()
            if verdict is not None:
                return verdict
            if self.ask_again:  # back after a drop: its status is asked for before anything else is judged
                self.ask_again = False
                await self._ask(trigger_for(self.request))
                continue
            await transfer_jobs.pause()

    # ------------------------------------------------------------ one look at everything

    def _look(self) -> jobs.Job | None:
        self._server()
        self._connection()
        if self.ask_again:
            return None
        while self.inbox:
            kind, payload = self.inbox.pop(0)
            verdict = self._on_status(str(payload.get("status", ""))) if kind == "status" else self._on_boot(payload)
            if verdict is not None:
                return verdict
        if self.booted_with is not None and self.stage.expired():  # no last word after the boot: the version says
            return self._verify(self.booted_with)
        if self.stage.expired():
            return self.rec.end(jobs.Outcome.FAILED, self._stalled())
        return None

    def _server(self) -> None:
        grant, rec = self.grant, self.rec
        if grant.requests > self.requests_seen:
            self.requests_seen = grant.requests
            rec.event(Source.SERVER, "Download request",
                      f"request {grant.requests} for {rec.job.detail['name']} ({rec.job.detail['via'].upper()})")
            if self.stage.name == "start":
                self.stage = transfer_jobs.Stage("download", self.stages.download_s)
        if grant.served != self.served:
            self.served = grant.served
            self.stage.touch()
            rec.progress(self.served, grant.total or rec.total,
                         f"Downloading: {transfer_jobs.bytes_text(self.served)} of {transfer_jobs.bytes_text(rec.total)}")
        if grant.complete and self.reported_served < 0:
            self.reported_served = self.served
            rec.event(Source.SERVER, "Served", f"the whole image ({transfer_jobs.bytes_text(rec.total)}) was sent")
        return None

    def _connection(self) -> None:
        rec = self.rec
        here = transfer_jobs.connected(self.engine, self.charger_id)
        if not here and not self.away:
            self.away = True
            expected = self.stage.name in ("install", "reboot") or self.status in ("Installing", "InstallRebooting")
            rec.job.outcome = jobs.Outcome.WAITING
            rec.save()
            rec.event(Source.APP, "Disconnected", "rebooting to install" if expected else
                      "the charger went away mid-update: waiting for it to come back")
            self.stage = transfer_jobs.Stage("reboot", self.stages.boot_s)
        elif here and self.away:
            self.away = False
            rec.job.outcome = jobs.Outcome.RUNNING
            rec.save()
            rec.event(Source.APP, "Reconnected", "asked for the update's status again")
            self.ask_again = True
        return None

    async def _ask(self, trigger: operations.Request) -> None:
        try:
            await self.engine.call(self.charger_id, trigger.action, trigger.payload)
        except errors.CommissionerError as exc:  # it may not support the trigger: the boot still tells
            self.rec.event(Source.APP, "Status not available", exc.message)

    def _on_status(self, status: str) -> jobs.Job | None:
        rec = self.rec
        self.status = status
        rec.event(Source.CHARGER, status, self._status_words(status))
        if fw_words.is_failure(status) and status != "DownloadPaused":
            return rec.end(jobs.Outcome.FAILED, self._failure(status))
        if status == "Idle":
            if self.booted_with is not None:
                return self._verify(self.booted_with)
            if self.stage.name in ("install", "reboot") or self.grant.complete:
                return None  # a charger between reboot and boot; the boot tells
            return rec.end(jobs.Outcome.FAILED, "The charger reports no update in progress (Idle): it dropped the "
                           "update when it went away. Start the update again.")
        if status in ("Downloading", "DownloadScheduled", "DownloadPaused"):
            if self.stage.name == "start":
                self.stage = transfer_jobs.Stage("download", self.stages.download_s)
            else:
                self.stage.touch()
        elif status in ("Downloaded", "SignatureVerified", "InstallScheduled"):
            self.stage = transfer_jobs.Stage("install", self.stages.install_s)
        elif status in ("Installing", "InstallRebooting"):
            self.stage = transfer_jobs.Stage("reboot", self.stages.boot_s)
        elif status == "Installed":
            if self.booted_with is not None:
                return self._verify(self.booted_with)
            self.stage = transfer_jobs.Stage("reboot", self.stages.boot_s)  # 1.6: reboots after Installed
        return None

    def _on_boot(self, payload: dict[str, Any]) -> jobs.Job | None:
        station = payload.get("chargingStation") or {}
        reported = str(payload.get("firmwareVersion") or station.get("firmwareVersion") or "")
        reason = payload.get("reason", "")
        self.rec.job.detail["new_version"] = reported
        self.rec.save()
        self.rec.event(Source.CHARGER, "BootNotification", f"firmware {reported or '(not said)'}"
                       + (f", reason {reason}" if reason else ""))
        if reported == self.old_version and self.status not in ("Installing", "InstallRebooting", "Installed"):
            return None  # back from a drop or a power cut before installing: the statuses tell how it goes
        self.booted_with = reported
        if self.status == "Installed":
            return self._verify(reported)
        self.stage = transfer_jobs.Stage("settle", SETTLE_S)  # Installed (or a failure) may follow the boot
        return None

    def _verify(self, reported: str) -> jobs.Job:
        rec = self.rec
        expected = self.expected
        if expected and reported == expected:
            return rec.end(jobs.Outcome.DONE, f"Installed and verified: the charger now reports firmware {reported}.")
        if expected:
            return rec.end(jobs.Outcome.FAILED, f"After the update the charger reports firmware {reported or '(none)'}, "
                           f"not {expected}: the image did not install, or its version label in the library is wrong.")
        if reported and reported != self.old_version:
            return rec.end(jobs.Outcome.DONE, f"Installed: the charger now reports firmware {reported} "
                           f"(was {self.old_version or 'not known'}; the library gave no version to compare).")
        return rec.end(jobs.Outcome.FAILED, f"The charger still reports firmware {reported or '(none)'}: the version "
                       "did not change. Give the image a version label to compare with, or check the charger's log.")

    # ------------------------------------------------------------ words

    def _status_words(self, status: str) -> str:
        if status == "Downloading" and self.grant.total:
            return f"the file server has sent {transfer_jobs.bytes_text(self.served)} of " \
                   f"{transfer_jobs.bytes_text(self.grant.total)}"
        return ""

    def _failure(self, status: str) -> str:
        if status != "DownloadFailed":
            return f"The charger reports {status}. {HINTS.get(status, '')}".strip()
        return f"The charger reports DownloadFailed. {self._server_view()}"

    def _server_view(self) -> str:
        grant, total = self.grant, self.rec.total
        host, port = self._address()
        if not grant.requests:
            return (f"The file server saw no request for the image: the charger could not reach {host}:{port}. "
                    "Check the laptop's firewall lets it in, that the charger is on the same network, or try "
                    + ("FTP." if self.rec.job.detail["via"] == "http" else "HTTP (FTP is often blocked)."))
        if grant.complete:
            return ("The file server sent the whole image: the charger rejected the file (a wrong size, hash or "
                    "model). Check the image is the right one for this charger.")
        return (f"The download broke off at {transfer_jobs.bytes_text(grant.served)} of "
                f"{transfer_jobs.bytes_text(total)}: a weak connection, or the charger ran out of space.")

    def _address(self) -> tuple[str, int]:
        files = self.engine.files
        via = self.rec.job.detail["via"]
        host = self.engine.local_host(self.charger_id) or "this laptop"
        return host, files.ftp_port if via == "ftp" else files.http_port

    def _stalled(self) -> str:
        stage, limit = self.stage.name, self.stage.limit_s
        if stage == "start":
            return (f"The charger did not start the download within {limit:g} s. {self._server_view()}"
                    if not self.grant.requests else
                    f"The charger asked for the image but took nothing within {limit:g} s.")
        if stage == "download":
            return (f"The download stalled: nothing moved for {limit:g} s at "
                    f"{transfer_jobs.bytes_text(self.grant.served)} of {transfer_jobs.bytes_text(self.rec.total)}.")
        if stage == "install":
            return (f"The charger downloaded the image but did not start installing it within {limit:g} s "
                    f"(last status {self.status or 'none'}).")
        if stage == "reboot":
            return (f"The charger did not come back within {limit:g} s after {self.status or 'going away'}: "
                    "check it at the site (power, display); its timeline is kept.")
        return f"No word from the charger within {limit:g} s (stage {stage})."


class Batch:
    """Several chargers, at most `limit` at a time; `cancel_pending` drops those not yet started."""

    def __init__(self, engine: csms_engine.Engine, store: run_store.RunStore, image: fw_library.Firmware,
                 charger_ids: list[str], *, limit: int = 2, options: Options = Options(),
                 stages: Stages = Stages(), report: transfer_jobs.Progress | None = None,
                 on_job: Callable[[str, jobs.Job | None, str], None] | None = None) -> None:
        self.engine, self.store, self.image = engine, store, image
        self.pending = list(dict.fromkeys(charger_ids))
        self.limit = max(1, limit)
        self.options, self.stages = options, stages
        self.report = report or (lambda done, total, message: None)
        self.on_job = on_job or (lambda charger_id, job, error: None)
        self.results: dict[str, jobs.Job | str] = {}  # a job, or why it could not start ("cancelled")
        self._total = len(self.pending)

    def cancel_pending(self) -> list[str]:
        dropped, self.pending = self.pending, []
        for charger_id in dropped:
            self.results[charger_id] = "cancelled before it started"
            self.on_job(charger_id, None, "cancelled before it started")
        return dropped

    async def run(self) -> dict[str, jobs.Job | str]:
        workers = [asyncio.ensure_future(self._worker()) for _ in range(min(self.limit, len(self.pending)) or 1)]
        try:
            await asyncio.gather(*workers)
        except BaseException:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            raise
        return self.results

    async def _worker(self) -> None:
        while self.pending:
            charger_id = self.pending.pop(0)
            self.report(len(self.results), self._total, f"Updating {charger_id}")
            try:
                job = await update(self.engine, self.store, self.image, charger_id, options=self.options,
                                   stages=self.stages)
            except errors.CommissionerError as exc:
                self.results[charger_id] = f"{exc.message} {exc.hint}".strip()
                self.on_job(charger_id, None, self.results[charger_id])
                continue
            self.results[charger_id] = job
            self.on_job(charger_id, job, "")
        self.report(len(self.results), self._total, "")
