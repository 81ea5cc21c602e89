"""Get a charger's logs onto this laptop through the built-in file server.

1.6 GetDiagnostics (start/stop time, retries) with DiagnosticsStatusNotification; 1.6 security
GetLog and 2.0.1/2.1 GetLog (DiagnosticsLog, SecurityLog) with LogStatusNotification. The charger
is given an upload URL of its own (FTP credentials or an HTTP token: app.files), so what the
file server saw belongs to this request: no connection, a connection but no file, a partial file,
or the file. A failure status comes with a hint from that (firewall, wrong address, FTP blocked).
On the engine loop; Qt-free.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
from typing import Any, Callable

from app.csms import engine as csms_engine
from app.domain import errors, firmware as fw_words, jobs
from app.ocpp import rpc_session as ocpp_session
from app.services import operations, transfer_jobs
from app.storage import runs as run_store

Source = jobs.Source
ARRIVAL_S = 30.0  # after "Uploaded", how long the file may take to land (a slow close on FTP)


@dataclasses.dataclass(frozen=True)
class Options:
    via: str = "ftp"  # "ftp" | "http"
    since: datetime.datetime | None = None  # startTime / oldestTimestamp
    until: datetime.datetime | None = None  # stopTime / latestTimestamp
    retries: int | None = None
    retry_interval: int | None = None
    use_get_log: bool | None = None  # 1.6: GetLog (security extension) instead of GetDiagnostics; None: only for SecurityLog
    timeout_s: float = 600.0  # the request -> the file, in all
    start_s: float = 120.0  # the request -> Uploading or a connection to the file server


def _iso(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_for(version: str, kind: jobs.Kind, location: str, request_id: int, options: Options) -> operations.Request:
    """The request that makes the charger upload its log to `location` (pure)."""
    retry: dict[str, Any] = {}
    if options.retries is not None:
        retry["retries"] = options.retries
    if options.retry_interval is not None:
        retry["retryInterval"] = options.retry_interval
    get_log = version != "1.6" or kind is jobs.Kind.SECURITY_LOG or bool(options.use_get_log)
    if not get_log:
        payload: dict[str, Any] = {"location": location, **retry}
        if options.since is not None:
            payload["startTime"] = _iso(options.since)
        if options.until is not None:
            payload["stopTime"] = _iso(options.until)
        return operations.Request("GetDiagnostics", payload)
    log: dict[str, Any] = {"remoteLocation": location}
    if options.since is not None:
        log["oldestTimestamp"] = _iso(options.since)
    if options.until is not None:
        log["latestTimestamp"] = _iso(options.until)
    log_type = "SecurityLog" if kind is jobs.Kind.SECURITY_LOG else "DiagnosticsLog"
    return operations.Request("GetLog", {"logType": log_type, "requestId": request_id, "log": log, **retry})


def status_action(request: operations.Request) -> str:
    return "DiagnosticsStatusNotification" if request.action == "GetDiagnostics" else "LogStatusNotification"


def hint_for(status: str, via: str, connections: int, partial: bool, address: str) -> str:
    """What the file server saw, in words a technician can act on."""
    other = "HTTP" if via == "ftp" else "FTP"
    if partial:
        return ("The upload broke off: what arrived is kept as a partial file. Try again; on a weak mobile link, "
                "ask for a shorter time range.")
    if status == "PermissionDenied":
        return ("The file server refused the charger's login or the folder: the charger may have changed the URL. "
                f"Try {other}.")
    if status == "BadMessage":
        return "The charger could not read the upload URL or the times. Try without a time range, or " + other + "."
    if status == "NotSupportedOperation":
        return "The charger does not support this log type. Ask for the diagnostics log instead."
    if not connections:
        return (f"The file server saw no connection: the charger could not reach {address}. Check the laptop's "
                "firewall lets it in and the charger is on the same network"
                + ("; FTP is often blocked, try HTTP." if via == "ftp" else "; or try FTP."))
    if via == "ftp":
        return ("The charger logged in to the FTP server but sent no file: FTP's data connection was probably "
                "blocked (a firewall or NAT between them). Try HTTP.")
    return "The charger reached the file server but sent no file. Try FTP, or check the charger's log."


async def collect(engine: csms_engine.Engine, store: run_store.RunStore, charger_id: str, *,
                  kind: jobs.Kind = jobs.Kind.DIAGNOSTICS, options: Options = Options(),
                  report: transfer_jobs.Progress | None = None,
                  clock: Callable[[], int] = ocpp_session.now_ms) -> jobs.Job:
    """Ask for a log and wait for the file; the job as it ended (done: `detail["file"]` is its path)."""
    files = transfer_jobs.file_server(engine)
    version = transfer_jobs.version_of(engine, charger_id)
    host = transfer_jobs.charger_host(engine, charger_id)
    request_id = engine.next_request_id()
    grant = files.grant_upload(charger_id, request_id, host, via=options.via)
    request = request_for(version, kind, grant.location, request_id, options)
    address = f"{host}:{files.ftp_port if options.via == 'ftp' else files.http_port}"
    job = jobs.Job(0, kind, charger_id, clock(), request_id, detail={
        "via": options.via, "location": transfer_jobs.masked_url(grant.location), "action": request.action,
        "log_type": request.payload.get("logType", ""), "ocpp_version": version})
    rec = transfer_jobs.Recorder(store, job, clock, report)
    by_request = (lambda p: p.get("requestId") in (None, request_id)) if request.action == "GetLog" else None
    statuses = engine.watch(charger_id, status_action(request), by_request)
    try:
        return await _follow(engine, rec, grant, request, statuses, options, address)
    except asyncio.CancelledError:
        rec.end(jobs.Outcome.CANCELLED, "Cancelled before the file arrived; anything received is in the uploads folder.")
        raise
    except errors.CommissionerError as exc:
        if not job.ended:
            rec.end(jobs.Outcome.FAILED, f"{exc.message} {exc.hint}".strip())
        raise
    finally:
        statuses.close()
        files.revoke(grant.token)


async def _follow(engine: csms_engine.Engine, rec: transfer_jobs.Recorder, grant: Any, request: operations.Request,
                  statuses: Any, options: Options, address: str) -> jobs.Job:
    charger_id = rec.job.charger_id
    rec.event(Source.APP, "Requested", f"{request.action} to {rec.job.detail['location']}")
    answer = await engine.call(charger_id, request.action, request.payload)
    if request.action == "GetDiagnostics":
        name = answer.get("fileName") or ""
        if not name:
            return rec.end(jobs.Outcome.FAILED, "The charger has no diagnostics to send (its answer names no file).")
    else:
        status = answer.get("status", "")
        name = answer.get("filename") or ""
        if status not in ("Accepted", "AcceptedCanceled"):
            return rec.end(jobs.Outcome.FAILED, f"The charger answered GetLog with {status}. "
                           + hint_for(status, options.via, 0, False, address).split(". ", 1)[0] + ".")
    rec.job.detail["name"] = name
    rec.save()
    rec.event(Source.CHARGER, "Will upload", name or "(no file name given)")
    overall = transfer_jobs.Stage("all", options.timeout_s)
    stage = transfer_jobs.Stage("start", options.start_s)
    connections, files_seen, status = 0, 0, ""
    uploaded_at: transfer_jobs.Stage | None = None  # "Uploaded" came: the file has ARRIVAL_S to land
    file_at: transfer_jobs.Stage | None = None  # the file came: "Uploaded" has ARRIVAL_S to follow
    while True:
        if grant.connections > connections:
            connections = grant.connections
            rec.event(Source.SERVER, "Connection", f"the charger reached the file server ({rec.job.detail['via'].upper()})")
            stage = transfer_jobs.Stage("upload", options.timeout_s)
        for received in grant.files[files_seen:]:
            files_seen += 1
            rec.event(Source.SERVER, "File received" if received.complete else "Partial file",
                      f"{received.name}, {transfer_jobs.bytes_text(received.size)}")
            if received.complete:
                rec.job.detail.update(file=str(received.path), size=received.size, stored=received.name)
                rec.save()
        done_file = next((f for f in grant.files if f.complete), None)
        partial = any(not f.complete for f in grant.files)
        for payload in statuses.take_all():
            status = str(payload.get("status", ""))
            rec.event(Source.CHARGER, status)
            if fw_words.is_failure(status):
                if done_file is not None:  # a retry failed after one copy arrived: the copy counts
                    continue
                return rec.end(jobs.Outcome.FAILED, f"The charger reports {status}. "
                               + hint_for(status, options.via, connections, partial, address))
            if status == "Uploaded" and uploaded_at is None:
                uploaded_at = transfer_jobs.Stage("arrival", ARRIVAL_S)
            if status == "Uploading":
                stage = transfer_jobs.Stage("upload", options.timeout_s)
        if done_file is not None and file_at is None:
            file_at = transfer_jobs.Stage("notified", ARRIVAL_S)
        if done_file is not None and (uploaded_at is not None or file_at.expired()):
            said = "" if uploaded_at is not None else " (the charger sent no Uploaded status)"
            return rec.end(jobs.Outcome.DONE, f"Received {done_file.name} "
                           f"({transfer_jobs.bytes_text(done_file.size)}){said}.")
        if uploaded_at is not None and uploaded_at.expired():
            return rec.end(jobs.Outcome.FAILED, "The charger says Uploaded, but no complete file arrived at the file "
                           "server. " + hint_for("Uploaded", options.via, connections, partial, address))
        if not transfer_jobs.connected(engine, charger_id) and stage.name != "away":
            rec.event(Source.APP, "Disconnected", "the charger went away; waiting for it or for the file")
            stage = transfer_jobs.Stage("away", options.timeout_s)
        if stage.name == "start" and stage.expired():
            return rec.end(jobs.Outcome.FAILED, f"The charger did not start uploading within {stage.limit_s:g} s. "
                           + hint_for("", options.via, connections, partial, address))
        if overall.expired():
            return rec.end(jobs.Outcome.FAILED, f"No complete file within {overall.limit_s:g} s. "
                           + hint_for(status, options.via, connections, partial, address))
        rec.progress(sum(f.size for f in grant.files), 0, status or "Waiting for the upload")
        await transfer_jobs.pause()


def received_text(job: jobs.Job) -> str:
    if job.outcome is jobs.Outcome.DONE:
        return f"{job.detail.get('stored', '')} ({transfer_jobs.bytes_text(int(job.detail.get('size', 0)))})"
    return job.message
