"""The pieces of the virtual charger's firmware updates and log uploads, one at a time.

logs (journals, the tar.gz), transfers (the HTTP client, on a real local socket), updates (what
a trigger reports, signature and version words) and the fault knobs against the stock CSMS.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import io
import json
import tarfile

import pytest
from aiohttp import web
from ocpp.v16 import call

from app.domain import errors, firmware
from app.simulator import logs, options, station, transfers, updates
from tests.unit.simulator.conftest import until

T0 = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.timezone.utc)


def members(data: bytes) -> dict[str, str]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        return {m.name: archive.extractfile(m).read().decode() for m in archive.getmembers()}


# -- logs -------------------------------------------------------------------------------------------

def test_parse_time() -> None:
    assert logs.parse_time("2026-03-01T12:00:00Z") == T0
    assert logs.parse_time("2026-03-01T13:00:00+01:00") == T0
    assert logs.parse_time("2026-03-01T12:00:00") == T0  # no offset: UTC, as chargers read it
    assert logs.parse_time(None) is None and logs.parse_time("") is None and logs.parse_time("soon") is None


def test_file_name() -> None:
    assert logs.file_name("CP/1", logs.DIAGNOSTICS, T0) == "diagnostics-CP_1-20260301T120000Z.tar.gz"
    assert logs.file_name("CP-1", logs.SECURITY, T0) == "securitylog-CP-1-20260301T120000Z.tar.gz"


def test_archive_holds_the_lines_of_its_window_and_no_secrets() -> None:
    clock = [T0]
    config = options.SimConfig(url="ws://127.0.0.1:1/ocpp", charger_id="CP-1", password="0123456789abcdef",
                               clock=lambda: clock[0])
    charger = station.Station(config)  # notes "power up" at T0
    for minutes, text in ((10, "early"), (20, "inside"), (30, "also inside"), (40, "late")):
        clock[0] = T0 + datetime.timedelta(minutes=minutes)
        charger.note(text, security="SettingSystemTime" if text == "inside" else None)
    data = logs.build_archive(
        charger_id="CP-1", firmware_version="1.0.0", log_type=logs.DIAGNOSTICS,
        entries=charger.log.between(T0 + datetime.timedelta(minutes=15), T0 + datetime.timedelta(minutes=30)),
        configuration=charger.configuration(), start=T0 + datetime.timedelta(minutes=15),
        stop=T0 + datetime.timedelta(minutes=30), built_at=clock[0])
    content = members(data)
    assert set(content) == {"diagnostics.log", "configuration.json", "about.json"}
    assert content["diagnostics.log"] == ("2026-03-01T12:20:00.000Z inside\n"
                                          "2026-03-01T12:30:00.000Z also inside\n")
    keys = {k["key"]: k.get("value") for k in json.loads(content["configuration.json"])}
    assert keys["AuthorizationKey"] in (None, "", "***") and "0123456789abcdef" not in content["configuration.json"]
    assert keys["HeartbeatInterval"]
    about = json.loads(content["about.json"])
    assert about["lines"] == 2 and about["oldest"] == "2026-03-01T12:15:00.000Z" and about["logType"] == "DiagnosticsLog"
    # The security log is its own journal: startup and the one security event only.
    assert [e.text for e in charger.security_log.between(None, None)] == [
        "StartupOfTheDevice: power up, firmware 1.0.0", "SettingSystemTime: inside"]


def test_journal_keeps_the_latest() -> None:
    journal = logs.Journal()
    for i in range(logs.JOURNAL_LENGTH + 5):
        journal.add(T0, str(i))
    assert len(journal) == logs.JOURNAL_LENGTH and journal.between(None, None)[0].text == "5"


# -- updates: words ------------------------------------------------------------------------------------

def test_version_of_an_image() -> None:
    head = firmware.manifest_header("7.1.0") + b"rest"
    assert firmware.version_of(updates.image_name("http://h/fw/wallbox-2.0.bin?token=x"), head) == "7.1.0"
    assert firmware.version_of(updates.image_name("ftp://u:p@h/dir/wallbox-2.0.3.bin"), b"\x00") == "2.0.3"
    assert updates.image_name("http://h/fw/a%20b-1.2.bin") == "a b-1.2.bin"
    assert firmware.version_of(updates.image_name("http://h/fw/image.bin"), b"") == ""


def test_signature_words() -> None:
    assert updates.signature_ok("c2lnbmVk")
    assert not updates.signature_ok("") and not updates.signature_ok("not base64!")


def test_trigger_reports_the_current_status_in_each_versions_words() -> None:
    config = options.SimConfig(url="ws://127.0.0.1:1/ocpp", charger_id="CP-1")
    jobs = updates.Jobs(station.Station(config), lambda: None)
    assert jobs.firmware_status(updates.SIGNED_16) == ("Idle", None)
    jobs.firmware = updates.State(updates.SIGNED_16, "SignatureVerified", 4)
    assert jobs.firmware_status(updates.SIGNED_16) == ("SignatureVerified", 4)
    assert jobs.firmware_status(updates.PLAIN_16) == ("Downloaded", None)  # 1.6 Core has no such word
    jobs.firmware.status = "Installed"
    assert jobs.firmware_status(updates.V2X) == ("Idle", None)  # done: nothing going on
    jobs.log = updates.State(updates.LOG, "Uploading", 9)
    assert jobs.upload_status(updates.LOG) == ("Uploading", 9)
    assert jobs.upload_status(updates.DIAGNOSTICS) == ("Idle", None)


def test_fault_knobs_default_off_and_slow_download_must_be_positive() -> None:
    config = options.SimConfig(url="ws://127.0.0.1:1/ocpp", charger_id="CP-1")
    assert not any((config.download_fails, config.install_fails, config.disconnect_midway, config.upload_fails,
                    config.invalid_signature, config.upload_via_post))
    assert config.slow_download is None and config.transfer_wait_max is None
    with pytest.raises(errors.ConfigError):
        options.SimConfig(url="ws://127.0.0.1:1/ocpp", charger_id="CP-1", slow_download=0)


# -- transfers ---------------------------------------------------------------------------------------

@pytest.fixture
async def http():
    """A local aiohttp server: GET /img, PUT /up/<name>, POST /post; (base URL, what arrived)."""
    image = firmware.manifest_header("3.0.0") + bytes(range(256)) * 2000
    received: dict[str, bytes] = {}

    async def get(request: web.Request) -> web.Response:
        return web.Response(body=image)

    async def put(request: web.Request) -> web.Response:
        received[request.match_info["name"] + "?" + request.query_string] = await request.read()
        return web.Response(status=204)

    async def post(request: web.Request) -> web.Response:
        form = await request.post()
        received[form["file"].filename] = form["file"].file.read()
        return web.Response()

    app = web.Application()
    app.router.add_get("/img", get)
    app.router.add_put("/up/{name}", put)
    app.router.add_post("/post", post)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield base, image, received
    await runner.cleanup()


async def test_download_counts_hashes_and_writes(http, tmp_path) -> None:
    base, image, _ = http
    size, digest = await transfers.download(base + "/img", tmp_path / "fw.bin")
    assert (size, digest) == (len(image), hashlib.sha256(image).hexdigest())
    assert (tmp_path / "fw.bin").read_bytes() == image
    got = await transfers.fetch(base + "/img", None, rate_limit=10_000_000)
    assert got.expected == len(image) and firmware.version_in_manifest(got.head) == "3.0.0"


async def test_download_failures_are_transfer_errors(http) -> None:
    base, _, _ = http
    with pytest.raises(transfers.TransferError, match="HTTP 404"):
        await transfers.download(base + "/missing", None)
    with pytest.raises(transfers.TransferError, match="scheme"):
        await transfers.download("gopher://h/fw.bin", None)
    closed = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = closed.sockets[0].getsockname()[1]
    closed.close()
    await closed.wait_closed()
    with pytest.raises(transfers.TransferError):
        await transfers.download(f"http://127.0.0.1:{port}/fw.bin", None)


async def test_a_truncated_download_is_caught() -> None:
    async def liar(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 10)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(liar, "127.0.0.1", 0)
    try:
        with pytest.raises(transfers.TransferError):
            await transfers.download(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/fw.bin", None)
    finally:
        server.close()
        await server.wait_closed()


async def test_upload_put_keeps_the_query_and_post_sends_a_form(http) -> None:
    base, _, received = http
    assert await transfers.upload(base + "/up/?grant=abc", "diag.tar.gz", b"data") == 4
    assert received["diag.tar.gz?grant=abc"] == b"data"
    await transfers.upload(base + "/post", "other.tar.gz", b"more", post=True)
    assert received["other.tar.gz"] == b"more"
    with pytest.raises(transfers.TransferError, match="HTTP 405"):
        await transfers.upload(base + "/img", "x.tar.gz", b"data", post=True)


def test_url_words() -> None:
    assert transfers.target_url("http://h/up", "a b.gz") == "http://h/up/a%20b.gz"
    assert transfers.target_url("http://h/up/?t=1", "a.gz") == "http://h/up/a.gz?t=1"
    assert transfers.redact("ftp://user:secret@h:21/logs/") == "ftp://user:***@h:21/logs/"
    assert transfers.redact("http://h/x") == "http://h/x"


def test_pace_keeps_under_the_rate() -> None:
    pace = transfers._Pace(1000)
    pace.start -= 1.0  # one second has gone by
    assert pace.delay(500) == 0.0  # behind the rate: no wait
    assert 0.9 < pace.delay(2000) <= 1.0  # 2000 bytes at 1000/s take 2 s: wait about 1 s more
    assert pace.chunk_size() == 1024
    assert transfers._Pace(None).delay(10**9) == 0.0


# -- the fault knobs, against the stock CSMS ----------------------------------------------------------

async def test_download_fails_and_upload_fails_without_contacting_anyone(csms, start_charger, http) -> None:
    base, _, received = http
    charger = start_charger("1.6", download_fails=True, upload_fails=True, transfer_wait_max=0.01)
    await asyncio.wait_for(charger.booted.wait(), 5)
    await csms.call("CP-1", call.UpdateFirmware(location=base + "/img", retrieve_date="2000-01-01T00:00:00Z",
                                                retries=2, retry_interval=60))
    await csms.wait_for("FirmwareStatusNotification", lambda p: p["status"] == "DownloadFailed")
    answer = await csms.call("CP-1", call.GetDiagnostics(location=base + "/up/"))
    assert answer.file_name.startswith("diagnostics-CP-1-")
    await csms.wait_for("DiagnosticsStatusNotification", lambda p: p["status"] == "UploadFailed")
    statuses = [(a, p["status"]) for _, a, p in csms.received if a.endswith("StatusNotification") and "status" in p
                and a != "StatusNotification"]
    assert statuses == [("FirmwareStatusNotification", "Downloading"), ("FirmwareStatusNotification", "DownloadFailed"),
                        ("DiagnosticsStatusNotification", "Uploading"), ("DiagnosticsStatusNotification", "UploadFailed")]
    assert received == {} and charger.station.firmware == "1.0.0"
    failures = [e.text for e in charger.station.log.between(None, None) if "failed" in e.text]
    assert any("download attempt 2 of 2 failed: download_fails fault" in t for t in failures)


async def test_faults_can_be_switched_on_a_running_charger(csms, start_charger, http) -> None:
    base, _, _ = http
    charger = start_charger("1.6")
    await asyncio.wait_for(charger.booted.wait(), 5)
    charger.config.install_fails = True
    await csms.call("CP-1", call.UpdateFirmware(location=base + "/img", retrieve_date="2000-01-01T00:00:00Z"))
    await csms.wait_for("FirmwareStatusNotification", lambda p: p["status"] == "InstallationFailed")
    assert charger.station.firmware == "1.0.0" and charger.connections == 1  # no reboot
    charger.config.install_fails = False
    await csms.call("CP-1", call.UpdateFirmware(location=base + "/img", retrieve_date="2000-01-01T00:00:00Z"))
    await csms.wait_for("FirmwareStatusNotification", lambda p: p["status"] == "Installed")
    await until(lambda: charger.station.firmware == "3.0.0")
    boot = [p for _, a, p in csms.received if a == "BootNotification"][-1]
    assert boot["firmware_version"] == "3.0.0"


async def test_v201_scheduled_download_and_install(csms, start_charger, http) -> None:
    """retrieveDateTime and installDateTime in the future: DownloadScheduled and InstallScheduled
    first (the waits are capped by transfer_wait_max), then the update as usual."""
    from ocpp.v201 import call as call201

    base, _, _ = http
    charger = start_charger("2.0.1", transfer_wait_max=0.01)
    await asyncio.wait_for(charger.booted.wait(), 5)
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).isoformat()
    answer = await csms.call("CP-1", call201.UpdateFirmware(request_id=8, firmware={
        "location": base + "/img", "retrieve_date_time": later, "install_date_time": later}))
    assert answer.status == "Accepted"
    await csms.wait_for("FirmwareStatusNotification", lambda p: p["status"] == "Installed")
    statuses = [p["status"] for _, a, p in csms.received if a == "FirmwareStatusNotification"]
    assert statuses == ["DownloadScheduled", "Downloading", "Downloaded", "InstallScheduled", "Installing",
                        "InstallRebooting", "Installed"]
    assert {p["request_id"] for _, a, p in csms.received if a == "FirmwareStatusNotification"} == {8}
    boot = [p for _, a, p in csms.received if a == "BootNotification"][-1]
    assert boot["reason"] == "FirmwareUpdate" and boot["charging_station"]["firmware_version"] == "3.0.0"
