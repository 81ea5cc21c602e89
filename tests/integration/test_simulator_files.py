"""The virtual charger really downloads firmware and uploads logs: real CSMS, real HTTP and FTP.

The app's CSMS engine drives a virtual charger; a test-local aiohttp server serves firmware
images and takes PUT/POST uploads, a test-local pyftpdlib server (in a thread) does FTP. Every
wait is on a condition (a message from the charger, a request the file server saw).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import io
import json
import logging
import pathlib
import tarfile
import threading
import warnings
from typing import AsyncIterator

import orjson
import pytest
from aiohttp import web

with warnings.catch_warnings():  # pyftpdlib 2.x still imports asynchat/asyncore on Python 3.11
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib import authorizers, handlers, servers

from app import simulator
from app.csms import engine as csms_engine
from app.domain import firmware, model
from tests.conftest import url

logging.getLogger("pyftpdlib").setLevel(logging.WARNING)

FTP_USER, FTP_PASSWORD = "charger", "s3cret:/x"  # a password that needs quoting in the URL
FTP_URL_PASSWORD = "s3cret%3A%2Fx"


class FileServer:
    """GET /fw/<name> serves `images`; PUT /up/<name> and POST /post store what arrives in `received`."""

    def __init__(self) -> None:
        self.images: dict[str, bytes] = {}
        self.received: dict[str, bytes] = {}
        self.requests: list[tuple[str, str]] = []
        self.gate: asyncio.Event | None = None  # set: the second half of an image is held until it opens
        self.half_sent = asyncio.Event()
        self.port = 0
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/fw/{name}", self._get)
        app.router.add_put("/up/{name}", self._put)
        app.router.add_post("/post", self._post)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _get(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.requests.append(("GET", name))
        data = self.images.get(name)
        if data is None:
            raise web.HTTPNotFound()
        response = web.StreamResponse(headers={"Content-Length": str(len(data))})
        await response.prepare(request)
        half = len(data) // 2
        await response.write(data[:half])
        if self.gate is not None:
            self.half_sent.set()
            await self.gate.wait()
        await response.write(data[half:])
        await response.write_eof()
        return response

    async def _put(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.requests.append(("PUT", name))
        self.received[name] = await request.read()
        return web.Response(status=201)

    async def _post(self, request: web.Request) -> web.Response:
        self.requests.append(("POST", ""))
        form = await request.post()
        field = form["file"]
        self.received[field.filename] = field.file.read()
        return web.Response(status=200)


@pytest.fixture
async def files() -> AsyncIterator[FileServer]:
    server = FileServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def ftp(tmp_path: pathlib.Path):
    """(root dir, ftp:// URL of the root with credentials) of a pyftpdlib server in a thread."""
    root = tmp_path / "ftp"
    (root / "logs").mkdir(parents=True)
    authorizer = authorizers.DummyAuthorizer()
    authorizer.add_user(FTP_USER, FTP_PASSWORD, str(root), perm="elradfmw")
    handler = type("Handler", (handlers.FTPHandler,), {"authorizer": authorizer, "passive_ports": None})
    server = servers.FTPServer(("127.0.0.1", 0), handler)
    port = server.socket.getsockname()[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.05}, daemon=True)
    thread.start()
    try:
        yield root, f"ftp://{FTP_USER}:{FTP_URL_PASSWORD}@127.0.0.1:{port}"
    finally:
        server.close_all()
        thread.join(5)


@contextlib.asynccontextmanager
async def running(eng: csms_engine.Engine, version: str, charger_id: str = "SIM-F",
                  **options: object) -> AsyncIterator[simulator.VirtualCharger]:
    config = simulator.SimConfig(url=url(eng, "ocpp"), charger_id=charger_id, ocpp_version=version,
                                 backoff_min=0.05, backoff_max=0.2, reboot_delay=0.1, transfer_wait_max=0.1,
                                 **options)
    charger = simulator.VirtualCharger(config)
    task = asyncio.ensure_future(charger.run())
    try:
        await asyncio.wait_for(charger.booted.wait(), 10)
        yield charger
    finally:
        charger.stop()
        await asyncio.wait_for(task, 10)


def timeline(eng: csms_engine.Engine, charger_id: str, status_action: str) -> list[str]:
    """What the charger sent, in order: each status, and "Boot <version>" for each BootNotification."""
    eng.journal.flush()
    out = []
    for frame in eng.journal.reader().frames(charger_id=charger_id, limit=100_000):
        if frame.direction is not model.Direction.IN or frame.message_type != 2:
            continue
        payload = orjson.loads(frame.payload)[3]
        if frame.action == status_action:
            out.append(payload["status"])
        elif frame.action == "BootNotification":
            version = payload.get("firmwareVersion") or payload.get("chargingStation", {}).get("firmwareVersion")
            out.append(f"Boot {version}")
    return out


async def until_status(watch, *final: str, timeout: float = 15.0) -> list[dict]:
    """Payloads from a watch until one has a status in `final`."""
    seen = []
    while not seen or seen[-1]["status"] not in final:
        seen.append(await watch.next(timeout))
    return seen


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def members(data: bytes) -> dict[str, str]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        return {m.name: archive.extractfile(m).read().decode() for m in archive.getmembers()}


# -- firmware -------------------------------------------------------------------------------------

async def test_v16_update_over_http_boots_the_manifest_version(engine: csms_engine.Engine, files: FileServer) -> None:
    files.images["wallbox.bin"] = firmware.manifest_header("2.4.1") + b"\x00" * 300_000
    async with running(engine, "1.6") as charger:
        with engine.watch("SIM-F", "FirmwareStatusNotification") as statuses:
            await engine.call("SIM-F", "UpdateFirmware", {"location": files.url("/fw/wallbox.bin"),
                                                          "retrieveDate": now(), "retries": 1})
            await until_status(statuses, "Installed", "DownloadFailed", "InstallationFailed")
        assert charger.station.firmware == "2.4.1"
        assert engine.registry.chargers["SIM-F"].firmware == "2.4.1"
    assert timeline(engine, "SIM-F", "FirmwareStatusNotification") == [
        "Boot 1.0.0", "Downloading", "Downloaded", "Installing", "Boot 2.4.1", "Installed"]
    assert files.requests == [("GET", "wallbox.bin")]


async def test_v201_update_over_ftp_boots_the_file_name_version(engine: csms_engine.Engine, ftp) -> None:
    root, base = ftp
    (root / "wallbox-3.1.0.bin").write_bytes(b"\x01" * 100_000)
    async with running(engine, "2.0.1") as charger:
        with engine.watch("SIM-F", "FirmwareStatusNotification") as statuses, \
                engine.watch("SIM-F", "BootNotification") as boots:
            answer = await engine.call("SIM-F", "UpdateFirmware", {
                "requestId": 7, "firmware": {"location": f"{base}/wallbox-3.1.0.bin", "retrieveDateTime": now()}})
            assert answer["status"] == "Accepted"
            seen = await until_status(statuses, "Installed", "DownloadFailed", "InstallationFailed")
            boot = await boots.next(1)
        assert {s["requestId"] for s in seen} == {7}
        assert boot["reason"] == "FirmwareUpdate" and boot["chargingStation"]["firmwareVersion"] == "3.1.0"
        assert charger.station.firmware == "3.1.0"
    assert timeline(engine, "SIM-F", "FirmwareStatusNotification") == [
        "Boot 1.0.0", "Downloading", "Downloaded", "Installing", "InstallRebooting", "Boot 3.1.0", "Installed"]


async def test_v16_signed_update_verifies_the_signature(engine: csms_engine.Engine, files: FileServer) -> None:
    files.images["fw.bin"] = firmware.manifest_header("5.0.0") + b"image"
    async with running(engine, "1.6"):
        with engine.watch("SIM-F", "SignedFirmwareStatusNotification") as statuses:
            answer = await engine.call("SIM-F", "SignedUpdateFirmware", {"requestId": 3, "firmware": {
                "location": files.url("/fw/fw.bin"), "retrieveDateTime": now(),
                "signingCertificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                "signature": base64.b64encode(b"signed").decode()}})
            assert answer["status"] == "Accepted"
            seen = await until_status(statuses, "Installed", "InvalidSignature", "DownloadFailed")
        assert {s["requestId"] for s in seen} == {3}
    assert timeline(engine, "SIM-F", "SignedFirmwareStatusNotification") == [
        "Boot 1.0.0", "Downloading", "Downloaded", "SignatureVerified", "Installing", "InstallRebooting",
        "Boot 5.0.0", "Installed"]


async def test_v16_download_of_a_missing_image_fails_after_its_retries(engine: csms_engine.Engine,
                                                                      files: FileServer) -> None:
    async with running(engine, "1.6") as charger:
        with engine.watch("SIM-F", "FirmwareStatusNotification") as statuses:
            await engine.call("SIM-F", "UpdateFirmware", {"location": files.url("/fw/nowhere-9.9.bin"),
                                                          "retrieveDate": now(), "retries": 3, "retryInterval": 30})
            await until_status(statuses, "DownloadFailed", "Installed")
        assert charger.station.firmware == "1.0.0"
    assert timeline(engine, "SIM-F", "FirmwareStatusNotification") == ["Boot 1.0.0", "Downloading", "DownloadFailed"]
    assert files.requests == [("GET", "nowhere-9.9.bin")] * 3  # each attempt a real request


@pytest.mark.parametrize("fault, expected, requests", [
    ("download_fails", ["Downloading", "DownloadFailed"], 0),
    ("install_fails", ["Downloading", "Downloaded", "Installing", "InstallationFailed"], 1),
])
async def test_v16_faults(engine: csms_engine.Engine, files: FileServer, fault: str, expected: list[str],
                          requests: int) -> None:
    files.images["wallbox-2.0.0.bin"] = b"\x02" * 1000
    async with running(engine, "1.6", **{fault: True}) as charger:
        with engine.watch("SIM-F", "FirmwareStatusNotification") as statuses:
            await engine.call("SIM-F", "UpdateFirmware", {"location": files.url("/fw/wallbox-2.0.0.bin"),
                                                          "retrieveDate": now()})
            await until_status(statuses, expected[-1])
        assert charger.station.firmware == "1.0.0"  # the old version stays
        # Nothing is going on any more: a trigger now says Idle.
        with engine.watch("SIM-F", "FirmwareStatusNotification") as statuses:
            await engine.call("SIM-F", "TriggerMessage", {"requestedMessage": "FirmwareStatusNotification"})
            assert (await statuses.next(5))["status"] == "Idle"
    assert timeline(engine, "SIM-F", "FirmwareStatusNotification")[:-1] == ["Boot 1.0.0", *expected]
    assert len(files.requests) == requests


async def test_v201_invalid_signature(engine: csms_engine.Engine, files: FileServer) -> None:
    files.images["wallbox-2.0.0.bin"] = b"\x02" * 1000
    async with running(engine, "2.0.1", invalid_signature=True) as charger:
        with engine.watch("SIM-F", "FirmwareStatusNotification") as statuses:
            await engine.call("SIM-F", "UpdateFirmware", {"requestId": 11, "firmware": {
                "location": files.url("/fw/wallbox-2.0.0.bin"), "retrieveDateTime": now(),
                "signature": base64.b64encode(b"sig").decode()}})
            await until_status(statuses, "InvalidSignature", "Installed")
        assert charger.station.firmware == "1.0.0"
        assert any("InvalidFirmwareSignature" in e.text for e in charger.station.security_log.between(None, None))
    assert timeline(engine, "SIM-F", "FirmwareStatusNotification") == [
        "Boot 1.0.0", "Downloading", "Downloaded", "InvalidSignature"]


async def test_v201_disconnect_midway_then_the_trigger_picks_the_timeline_up(engine: csms_engine.Engine,
                                                                             files: FileServer) -> None:
    files.images["wallbox-4.0.0.bin"] = b"\x04" * 200_000
    files.gate = asyncio.Event()  # the file server holds the image's second half until the test says
    async with running(engine, "2.0.1", disconnect_midway=True) as charger:
        with engine.watch("SIM-F", "FirmwareStatusNotification") as statuses, \
                engine.watch("SIM-F", "BootNotification") as boots:
            await engine.call("SIM-F", "UpdateFirmware", {"requestId": 21, "firmware": {
                "location": files.url("/fw/wallbox-4.0.0.bin"), "retrieveDateTime": now()}})
            assert (await statuses.next(10))["status"] == "Downloading"
            back = await boots.next(10)  # it went away and came back, still on the old version
            assert back["chargingStation"]["firmwareVersion"] == "1.0.0"
            await asyncio.wait_for(files.half_sent.wait(), 10)
            await engine.call("SIM-F", "TriggerMessage", {"requestedMessage": "FirmwareStatusNotification"})
            assert await statuses.next(10) == {"status": "Downloading", "requestId": 21}
            files.gate.set()
            seen = await until_status(statuses, "Installed", "DownloadFailed", "InstallationFailed")
        assert charger.station.firmware == "4.0.0" and charger.connections == 3
        assert [s["status"] for s in seen] == ["Downloaded", "Installing", "InstallRebooting", "Installed"]


async def test_slow_download_is_seen_mid_way(engine: csms_engine.Engine, files: FileServer) -> None:
    # 100 kB at 40 kB/s cannot end in under 2.5 s: the trigger right after Downloading lands mid-way.
    files.images["wallbox-2.0.0.bin"] = b"\x02" * 100_000
    async with running(engine, "2.0.1", slow_download=40_000) as charger:
        with engine.watch("SIM-F", "FirmwareStatusNotification") as statuses:
            await engine.call("SIM-F", "UpdateFirmware", {"requestId": 1, "firmware": {
                "location": files.url("/fw/wallbox-2.0.0.bin"), "retrieveDateTime": now()}})
            assert (await statuses.next(10))["status"] == "Downloading"
            await engine.call("SIM-F", "TriggerMessage", {"requestedMessage": "FirmwareStatusNotification"})
            assert await statuses.next(10) == {"status": "Downloading", "requestId": 1}
            await until_status(statuses, "Installed", "DownloadFailed")
        assert charger.station.firmware == "2.0.0"


# -- diagnostics and logs ---------------------------------------------------------------------------

async def test_v16_diagnostics_over_ftp(engine: csms_engine.Engine, ftp) -> None:
    root, base = ftp
    async with running(engine, "1.6"):
        with engine.watch("SIM-F", "DiagnosticsStatusNotification") as statuses:
            answer = await engine.call("SIM-F", "GetDiagnostics", {
                "location": f"{base}/logs/", "retries": 2, "startTime": "2000-01-01T00:00:00Z"})
            seen = await until_status(statuses, "Uploaded", "UploadFailed")
    name = answer["fileName"]
    assert name.startswith("diagnostics-SIM-F-") and name.endswith(".tar.gz")
    assert [s["status"] for s in seen] == ["Uploading", "Uploaded"]
    content = members((root / "logs" / name).read_bytes())
    assert set(content) == {"diagnostics.log", "configuration.json", "about.json"}
    assert "BootNotification accepted, firmware 1.0.0" in content["diagnostics.log"]
    keys = {k["key"]: k.get("value") for k in json.loads(content["configuration.json"])}
    assert "HeartbeatInterval" in keys
    assert json.loads(content["about.json"])["chargerId"] == "SIM-F"


@pytest.mark.parametrize("post", [False, True])
async def test_v16_diagnostics_over_http(engine: csms_engine.Engine, files: FileServer, post: bool) -> None:
    location = files.url("/post") if post else files.url("/up")
    async with running(engine, "1.6", upload_via_post=post) as charger:
        with engine.watch("SIM-F", "DiagnosticsStatusNotification") as statuses:
            answer = await engine.call("SIM-F", "GetDiagnostics", {"location": location})
            await until_status(statuses, "Uploaded", "UploadFailed")
        built = charger.station.jobs  # the charger is still up: nothing else was uploaded meanwhile
        assert built.diagnostics.status == "Uploaded"
    assert files.requests == [("POST", "")] if post else [("PUT", answer["fileName"])]
    content = members(files.received[answer["fileName"]])
    assert "diagnostics.log" in content and "power up, firmware 1.0.0" in content["diagnostics.log"]


async def test_v201_security_log_over_http(engine: csms_engine.Engine, files: FileServer) -> None:
    async with running(engine, "2.0.1"):
        with engine.watch("SIM-F", "LogStatusNotification") as statuses:
            answer = await engine.call("SIM-F", "GetLog", {
                "logType": "SecurityLog", "requestId": 5, "log": {"remoteLocation": files.url("/up")}})
            assert answer["status"] == "Accepted" and answer["filename"].startswith("securitylog-SIM-F-")
            seen = await until_status(statuses, "Uploaded", "UploadFailure")
    assert seen == [{"status": "Uploading", "requestId": 5}, {"status": "Uploaded", "requestId": 5}]
    content = members(files.received[answer["filename"]])
    assert set(content) == {"security.log", "configuration.json", "about.json"}
    assert "StartupOfTheDevice" in content["security.log"] and "BootNotification" not in content["security.log"]
    variables = json.loads(content["configuration.json"])
    assert all(v["variable"]["name"] != "BasicAuthPassword" or "value" not in v["variable_attribute"][0]
               or v["variable_attribute"][0]["value"] in ("", "***") for v in variables)


async def test_v16_get_log_and_upload_fails(engine: csms_engine.Engine, files: FileServer) -> None:
    async with running(engine, "1.6", upload_fails=True):
        with engine.watch("SIM-F", "LogStatusNotification") as logs_seen, \
                engine.watch("SIM-F", "DiagnosticsStatusNotification") as diagnostics:
            answer = await engine.call("SIM-F", "GetLog", {
                "logType": "DiagnosticsLog", "requestId": 9, "log": {"remoteLocation": files.url("/up")}})
            assert answer["status"] == "Accepted"
            seen = await until_status(logs_seen, "Uploaded", "UploadFailure")
            await engine.call("SIM-F", "GetDiagnostics", {"location": files.url("/up"), "retries": 2})
            seen_diagnostics = await until_status(diagnostics, "Uploaded", "UploadFailed")
        with engine.watch("SIM-F", "LogStatusNotification") as logs_seen:
            answer = await engine.call("SIM-F", "ExtendedTriggerMessage", {"requestedMessage": "LogStatusNotification"})
            assert answer["status"] == "Accepted"
            assert (await logs_seen.next(5))["status"] == "Idle"
    assert [s["status"] for s in seen] == ["Uploading", "UploadFailure"]
    assert [s["status"] for s in seen_diagnostics] == ["Uploading", "UploadFailed"]
    assert files.requests == [] and files.received == {}  # nothing ever reached the server
