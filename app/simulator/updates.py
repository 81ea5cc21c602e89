"""Firmware updates and log uploads of the virtual charger: jobs that outlive a connection.

A firmware update reboots the charger in its middle, and a network drop must not end an
upload, so these jobs are owned by the charger (one `Jobs` per Station), not by a session.
A job reports each status through whichever session is up when it gets there, waiting for
the next accepted boot if none is; the current status is kept, so a TriggerMessage after a
reconnect tells a CSMS that lost track where the job is.

Status sequences (what the CSMS sees, in order):

    1.6 UpdateFirmware       FirmwareStatusNotification Downloading, Downloaded, Installing,
                             (reboot, BootNotification with the new version), Installed
    1.6 SignedUpdateFirmware SignedFirmwareStatusNotification(requestId) [DownloadScheduled],
    2.x UpdateFirmware       Downloading, Downloaded, [SignatureVerified], [InstallScheduled],
                             Installing, InstallRebooting, (reboot, BootNotification
                             reason FirmwareUpdate), Installed
    failures                 DownloadFailed, InvalidSignature, InstallationFailed (1.6) /
                             InstallVerificationFailed (signed, 2.x: the image names no version)
    1.6 GetDiagnostics       DiagnosticsStatusNotification Uploading, Uploaded | UploadFailed
    GetLog (1.6 sec., 2.x)   LogStatusNotification(requestId) Uploading, Uploaded | UploadFailure
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import dataclasses
import datetime
import os
import pathlib
import tempfile
import urllib.parse
from collections.abc import Callable
from typing import Any

import websockets.exceptions

from app.domain import firmware
from app.ocpp import adapter
from app.simulator import charger_session as session
from app.simulator import logs
from app.simulator import options as sim_options
from app.simulator import station as simstation
from app.simulator import transfers

LOGGER = sim_options.LOGGER

PLAIN_16 = "1.6"  # UpdateFirmware / FirmwareStatusNotification of 1.6 Core
SIGNED_16 = "1.6-signed"  # the 1.6 security extension's SignedUpdateFirmware
V2X = "2.x"
DIAGNOSTICS = "diagnostics"  # 1.6 GetDiagnostics
LOG = "log"  # GetLog (1.6 security extension, 2.x)

IDLE = "Idle"
# 1.6 Core's FirmwareStatus has fewer words than the extension's: a plain trigger during a signed update.
_PLAIN_WORDS = {"Downloading": "Downloading", "Downloaded": "Downloaded", "SignatureVerified": "Downloaded",
                "Installing": "Installing", "InstallRebooting": "Installing", "Installed": "Installed",
                "DownloadFailed": "DownloadFailed", "InvalidSignature": "DownloadFailed",
                "InstallationFailed": "InstallationFailed", "InstallVerificationFailed": "InstallationFailed"}
_TERMINAL = {"Installed", "DownloadFailed", "InvalidSignature", "InstallationFailed", "InstallVerificationFailed",
             "Uploaded", "UploadFailed", "UploadFailure"}


@dataclasses.dataclass
class State:
    """Where a job is: the status last reached and the request it belongs to (2.x, 1.6 security)."""

    kind: str = ""
    status: str = IDLE
    request_id: int | None = None

    @property
    def active(self) -> bool:
        return self.status != IDLE and self.status not in _TERMINAL


@dataclasses.dataclass
class FirmwareRequest:
    location: str
    retrieve_at: datetime.datetime | None = None
    install_at: datetime.datetime | None = None
    retries: int | None = None
    retry_interval: int | None = None
    request_id: int | None = None
    signature: str | None = None
    signing_certificate: str | None = None


@dataclasses.dataclass
class UploadRequest:
    location: str
    file_name: str
    log_type: str = logs.DIAGNOSTICS
    start: datetime.datetime | None = None
    stop: datetime.datetime | None = None
    retries: int | None = None
    retry_interval: int | None = None
    request_id: int | None = None


def signature_ok(signature: str) -> bool:
    """What the charger can check without the vendor's root: the signature is non-empty base64."""
    try:
        return bool(base64.b64decode(signature, validate=True))
    except (binascii.Error, ValueError):
        return False


def image_name(location: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(location).path.rsplit("/", 1)[-1])


class Jobs:
    """The charger's firmware job and upload jobs: owned, reported, cancelled when it stops."""

    def __init__(self, station: simstation.Station, current: Callable[[], session.Session | None]) -> None:
        self.station = station
        self._current = current  # the session up now (VirtualCharger.session)
        self.tasks = session.Tasks(station.config.charger_id)
        self.firmware = State()
        self.diagnostics = State(DIAGNOSTICS)
        self.log = State(LOG)
        self._firmware_task: asyncio.Task | None = None
        self._diagnostics_task: asyncio.Task | None = None
        self._log_task: asyncio.Task | None = None

    @property
    def config(self) -> sim_options.SimConfig:
        return self.station.config

    async def close(self) -> None:
        await self.tasks.close()

    # -- starting jobs (from @after hooks, once the answer has gone out) ----------------------

    def firmware_busy(self) -> bool:
        return self._firmware_task is not None and not self._firmware_task.done()

    def start_firmware(self, kind: str, request: FirmwareRequest) -> None:
        """Begin an update; one already running is cancelled (answered AcceptedCanceled)."""
        if self._firmware_task is not None:
            self._firmware_task.cancel()
        self.firmware = State(kind, IDLE, request.request_id)
        self._firmware_task = self.tasks.spawn(self._update(kind, request), f"firmware-{kind}")

    def upload_busy(self, kind: str) -> bool:
        task = self._diagnostics_task if kind == DIAGNOSTICS else self._log_task
        return task is not None and not task.done()

    def start_upload(self, kind: str, request: UploadRequest) -> None:
        task = self._diagnostics_task if kind == DIAGNOSTICS else self._log_task
        if task is not None:
            task.cancel()
        state = State(kind, IDLE, request.request_id)
        new = self.tasks.spawn(self._upload(kind, state, request), f"upload-{kind}")
        if kind == DIAGNOSTICS:
            self.diagnostics, self._diagnostics_task = state, new
        else:
            self.log, self._log_task = state, new

    # -- what a TriggerMessage reports ----------------------------------------------------------

    def firmware_status(self, kind: str) -> tuple[str, int | None]:
        """(status, requestId) now, in the words of `kind` (Idle when no update is going on)."""
        state = self.firmware
        if not state.active:
            return IDLE, None
        if kind == PLAIN_16:
            return _PLAIN_WORDS.get(state.status, IDLE), None
        return state.status, state.request_id

    def upload_status(self, kind: str) -> tuple[str, int | None]:
        state = self.diagnostics if kind == DIAGNOSTICS else self.log
        return (state.status, state.request_id) if state.active else (IDLE, None)

    # -- the firmware job ---------------------------------------------------------------------------

    async def _update(self, kind: str, request: FirmwareRequest) -> None:
        cfg = self.config
        handle, name = tempfile.mkstemp(prefix=f"sim-fw-{cfg.charger_id}-")
        os.close(handle)
        image = pathlib.Path(name)
        try:
            await self._wait_until(request.retrieve_at, "DownloadScheduled" if kind != PLAIN_16 else None)
            fetched = await self._download(kind, request, image)
            if fetched is None:
                return
            await self._firmware_status(kind, "Downloaded")
            if kind != PLAIN_16 and request.signature is not None:
                if cfg.invalid_signature or not signature_ok(request.signature):
                    self.station.note("firmware signature does not verify", security="InvalidFirmwareSignature")
                    await self._firmware_status(kind, "InvalidSignature")
                    return
                await self._firmware_status(kind, "SignatureVerified")
            await self._wait_until(request.install_at, "InstallScheduled" if kind != PLAIN_16 else None)
            version = firmware.version_of(image_name(request.location), fetched.head)
            await self._firmware_status(kind, "Installing")
            if cfg.install_fails or not version:
                why = "install_fails fault" if cfg.install_fails else "the image names no version"
                self.station.note(f"firmware install failed: {why}; staying on {self.station.firmware}")
                failed = "InstallationFailed" if kind == PLAIN_16 or cfg.install_fails else "InstallVerificationFailed"
                await self._firmware_status(kind, failed)
                return
            if kind != PLAIN_16:
                await self._firmware_status(kind, "InstallRebooting")
            await self._reboot_into(version)
            self.station.note(f"firmware {version} installed", security="FirmwareUpdated")
            await self._firmware_status(kind, "Installed")
        finally:
            with contextlib.suppress(OSError):
                os.unlink(image)

    async def _download(self, kind: str, request: FirmwareRequest,
                        image: pathlib.Path) -> transfers.Fetched | None:
        cfg = self.config
        attempts = max(1, request.retries or 1)
        await self._firmware_status(kind, "Downloading")
        if cfg.disconnect_midway:
            await self._drop_connection()
        for attempt in range(attempts):
            if attempt:
                await self._sleep(request.retry_interval or 0)
            try:
                if cfg.download_fails:
                    raise transfers.TransferError("download_fails fault")
                fetched = await transfers.fetch(request.location, image, rate_limit=cfg.slow_download,
                                                verify_tls=cfg.transfer_verify_tls)
                if fetched.size == 0:
                    raise transfers.TransferError(f"{transfers.redact(request.location)}: the image is empty")
                self.station.note(f"downloaded {fetched.size} bytes, sha256 {fetched.sha256}")
                return fetched
            except transfers.TransferError as error:
                self.station.note(f"download attempt {attempt + 1} of {attempts} failed: {error}")
                LOGGER.info("%s: firmware download failed: %s", cfg.charger_id, error)
        await self._firmware_status(kind, "DownloadFailed")
        return None

    async def _firmware_status(self, kind: str, status: str) -> None:
        self.firmware.status = status
        request_id = self.firmware.request_id
        self.station.note(f"firmware status {status}")

        def build(s: session.Session) -> Any:
            if kind == PLAIN_16:
                return s.calls.FirmwareStatusNotification(status=status)
            if kind == SIGNED_16:
                return s.calls.SignedFirmwareStatusNotification(status=status, request_id=request_id)
            return s.calls.FirmwareStatusNotification(status=status, request_id=request_id)

        await self.send(build)

    async def _reboot_into(self, version: str) -> None:
        """Activate the new image: the charger goes away and boots again reporting `version`."""
        before = await self.online()
        self.station.firmware = version
        await before.reboot("Hard", boot_reason="FirmwareUpdate")
        await self.online(other_than=before)

    async def _drop_connection(self) -> None:
        """disconnect_midway: the network goes; the charger is back after reboot_delay."""
        current = await self.online()
        self.station.note("network lost during the firmware download")
        self.station.reboot_requested = True  # stay away reboot_delay, then come back at once
        async with adapter.call_lock(current):
            await adapter.connection(current).close()

    # -- the upload jobs ----------------------------------------------------------------------------

    async def _upload(self, kind: str, state: State, request: UploadRequest) -> None:
        cfg = self.config
        failed = "UploadFailed" if kind == DIAGNOSTICS else "UploadFailure"
        await self._upload_status(kind, state, "Uploading")
        data = self.archive(request)
        attempts = max(1, request.retries or 1)
        for attempt in range(attempts):
            if attempt:
                await self._sleep(request.retry_interval or 0)
            try:
                if cfg.upload_fails:
                    raise transfers.TransferError("upload_fails fault")
                await transfers.upload(request.location, request.file_name, data, post=cfg.upload_via_post,
                                       verify_tls=cfg.transfer_verify_tls)
            except transfers.TransferError as error:
                self.station.note(f"upload attempt {attempt + 1} of {attempts} failed: {error}")
                LOGGER.info("%s: log upload failed: %s", cfg.charger_id, error)
                continue
            self.station.note(f"uploaded {request.file_name} ({len(data)} bytes)")
            await self._upload_status(kind, state, "Uploaded")
            return
        await self._upload_status(kind, state, failed)

    def archive(self, request: UploadRequest) -> bytes:
        station = self.station
        journal = station.security_log if request.log_type == logs.SECURITY else station.log
        return logs.build_archive(
            charger_id=station.config.charger_id, firmware_version=station.firmware, log_type=request.log_type,
            entries=journal.between(request.start, request.stop), configuration=station.configuration(),
            start=request.start, stop=request.stop, built_at=station.now(),
        )

    async def _upload_status(self, kind: str, state: State, status: str) -> None:
        state.status = status
        self.station.note(f"{'diagnostics' if kind == DIAGNOSTICS else 'log'} upload status {status}")

        def build(s: session.Session) -> Any:
            if kind == DIAGNOSTICS:
                return s.calls.DiagnosticsStatusNotification(status=status)
            return s.calls.LogStatusNotification(status=status, request_id=state.request_id)

        await self.send(build)

    # -- plumbing -------------------------------------------------------------------------------------

    async def online(self, other_than: session.Session | None = None) -> session.Session:
        """The session up now with an accepted boot (waits for one; `other_than`: a newer one)."""
        while True:
            await self.station.booted.wait()
            current = self._current()
            if current is not None and current is not other_than and current.accepted:
                return current
            await asyncio.sleep(0.02)  # the old session is closing; booted clears in a moment

    async def send(self, build: Callable[[session.Session], Any]) -> None:
        """Send one notification, over the next connection if this one drops under it."""
        while True:
            current = await self.online()
            try:
                await current.try_call(build(current))
                return
            except websockets.exceptions.ConnectionClosed:
                await asyncio.sleep(0.02)

    def _clamp(self, seconds: float) -> float:
        cap = self.config.transfer_wait_max
        return max(0.0, min(seconds, cap) if cap is not None else seconds)

    async def _sleep(self, seconds: float) -> None:
        if self._clamp(seconds):
            await asyncio.sleep(self._clamp(seconds))

    async def _wait_until(self, moment: datetime.datetime | None, scheduled: str | None) -> None:
        if moment is None:
            return
        seconds = (moment - self.station.now()).total_seconds()
        if seconds <= 0:
            return
        if scheduled is not None:
            await self._firmware_status(self.firmware.kind, scheduled)
        await self._sleep(seconds)
