"""Firmware updates and log uploads end to end: the app's CSMS and its built-in file server on
real sockets, the virtual charger really downloading over HTTP/FTP and really uploading a log,
the timeline in a real sqlite file (services.firmware, services.diagnostics)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pathlib
import tarfile
from typing import AsyncIterator

import pytest

from app import simulator
from app.csms import engine as csms_engine
from app.domain import csms_policy, firmware as fw_words, jobs, runs
from app.files import library as fw_library
from app.files import server as files_server
from app.services import checklists, diagnostics, firmware
from app.services import runs as run_service
from app.storage import runs as run_store
from tests.conftest import url

FAST = firmware.Stages(start_s=20, download_s=20, install_s=20, boot_s=20)


@pytest.fixture
async def files_engine(csms_config: csms_policy.CsmsConfig, isolated_data_dir: pathlib.Path):
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    server = files_server.FileServer(isolated_data_dir, fw_library.Library(isolated_data_dir), host="127.0.0.1")
    eng = csms_engine.Engine(csms_config, isolated_data_dir, files=server)
    await eng.start()
    try:
        yield eng
    finally:
        await eng.stop()
        eng.close()


@pytest.fixture
def store(isolated_data_dir: pathlib.Path):
    found = run_store.RunStore(isolated_data_dir)
    yield found
    found.close()


def add_image(data_dir: pathlib.Path, tmp_path: pathlib.Path, version: str = "2.0.0", size: int = 300_000,
              **signing: str) -> fw_library.Firmware:
    source = tmp_path / f"wallbox-{version}.bin"
    source.write_bytes(fw_words.manifest_header(version) + os.urandom(size))
    return fw_library.Library(data_dir).add(source, "", signing.get("certificate", ""), signing.get("signature", ""))


@contextlib.asynccontextmanager
async def charger(eng: csms_engine.Engine, version: str, charger_id: str = "SIM-1",
                  **options: object) -> AsyncIterator[simulator.VirtualCharger]:
    config = simulator.SimConfig(url=url(eng, "ocpp"), charger_id=charger_id, ocpp_version=version,
                                 backoff_min=0.05, backoff_max=0.2, reboot_delay=0.1, **options)
    sim = simulator.VirtualCharger(config)
    task = asyncio.ensure_future(sim.run())
    try:
        await asyncio.wait_for(sim.booted.wait(), 10)
        for _ in range(500):  # the registry has seen the boot too
            info = eng.registry.chargers.get(charger_id)
            if info is not None and info.firmware:
                break
            await asyncio.sleep(0.01)
        yield sim
    finally:
        sim.stop()
        await asyncio.wait_for(task, 10)


def statuses(job: jobs.Job, source: jobs.Source = jobs.Source.CHARGER) -> list[str]:
    return [e.status for e in job.events if e.source is source]


def in_order(seen: list[str], wanted: list[str]) -> bool:
    it = iter(seen)
    return all(any(s == w for s in it) for w in wanted)


@pytest.mark.parametrize("version, via", [("1.6", "http"), ("2.0.1", "ftp"), ("2.1", "http")])
async def test_an_update_ends_with_the_new_version_verified(files_engine, store, isolated_data_dir, tmp_path,
                                                            version, via) -> None:
    image = add_image(isolated_data_dir, tmp_path)
    async with charger(files_engine, version):
        job = await firmware.update(files_engine, store, image, "SIM-1", options=firmware.Options(via=via),
                                    stages=FAST)
        assert files_engine.registry.chargers["SIM-1"].firmware == "2.0.0"
    assert job.outcome is jobs.Outcome.DONE, job.message
    assert "verified" in job.message and "2.0.0" in job.message
    assert job.detail["old_version"] == "1.0.0" and job.detail["new_version"] == "2.0.0"
    assert in_order(statuses(job), ["Downloading", "Downloaded", "Installing", "BootNotification", "Installed"]) \
        or in_order(statuses(job), ["Downloading", "Downloaded", "Installing", "Installed", "BootNotification"])
    server = statuses(job, jobs.Source.SERVER)
    assert server[0] == "Download request" and "Served" in server  # what the file server itself saw
    # The timeline is on disk as it was shown: a fresh store reads the same one.
    again = run_store.RunStore(isolated_data_dir)
    try:
        stored = again.job(job.id)
    finally:
        again.close()
    assert stored is not None and [e.status for e in stored.events] == [e.status for e in job.events]
    assert stored.outcome is jobs.Outcome.DONE
    assert "***" in job.detail["url"] or via == "http"  # an FTP password is never kept
    # Done: the image's URL and FTP login no longer work, and no FTP home is left linking the image.
    assert not files_engine.files._grants
    assert not list((isolated_data_dir / "ftp").glob("u*"))


async def test_a_signed_update_on_1_6_reports_the_signature_verified(files_engine, store, isolated_data_dir,
                                                                     tmp_path) -> None:
    image = add_image(isolated_data_dir, tmp_path, certificate="-----BEGIN CERTIFICATE-----\nMIIB\n"
                      "-----END CERTIFICATE-----\n", signature="c2lnbmF0dXJl")
    async with charger(files_engine, "1.6"):
        job = await firmware.update(files_engine, store, image, "SIM-1", stages=FAST)
    assert job.detail["action"] == "SignedUpdateFirmware"
    assert job.outcome is jobs.Outcome.DONE, job.message
    assert in_order(statuses(job), ["Downloading", "Downloaded", "SignatureVerified", "Installing"])


@pytest.mark.parametrize("fault, status, words", [
    ("download_fails", "DownloadFailed", "DownloadFailed"),
    ("install_fails", "InstallationFailed", "could not install"),
    ("invalid_signature", "InvalidSignature", "signature"),
])
async def test_each_fault_gives_its_failure_and_hint(files_engine, store, isolated_data_dir, tmp_path, fault,
                                                      status, words) -> None:
    signing = {"certificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
               "signature": "c2ln"} if fault == "invalid_signature" else {}
    image = add_image(isolated_data_dir, tmp_path, **signing)
    async with charger(files_engine, "2.0.1", **{fault: True}):
        job = await firmware.update(files_engine, store, image, "SIM-1", stages=FAST)
        assert files_engine.registry.chargers["SIM-1"].firmware == "1.0.0"
    assert job.outcome is jobs.Outcome.FAILED
    assert status in statuses(job) and words in job.message, job.message


async def test_a_charger_that_vanishes_mid_update_keeps_its_timeline_and_is_asked_again(
        files_engine, store, isolated_data_dir, tmp_path) -> None:
    image = add_image(isolated_data_dir, tmp_path)
    async with charger(files_engine, "1.6", disconnect_midway=True):
        job = await firmware.update(files_engine, store, image, "SIM-1", stages=FAST)
    app_words = statuses(job, jobs.Source.APP)
    assert in_order(app_words, ["Requested", "Disconnected", "Reconnected"]), app_words
    assert job.ended and job.message
    assert job.outcome is jobs.Outcome.DONE, job.message  # the update went on after the drop
    files_engine.journal.flush()
    frames = [f.action for f in files_engine.journal.reader().frames(charger_id="SIM-1", limit=10_000)
              if f.message_type == 2]
    assert "TriggerMessage" in frames, "\n".join(f"{e.source.value} {e.status} {e.detail}" for e in job.events)  # its status was asked for again when it came back


async def test_a_batch_updates_with_a_limit_and_cancels_what_has_not_started(files_engine, store,
                                                                             isolated_data_dir, tmp_path) -> None:
    image = add_image(isolated_data_dir, tmp_path)
    seen: list[tuple[str, str]] = []
    async with charger(files_engine, "1.6", "A"), charger(files_engine, "2.0.1", "B"), \
            charger(files_engine, "2.0.1", "C"):
        batch = firmware.Batch(files_engine, store, image, ["A", "B", "C"], limit=2, stages=FAST,
                               on_job=lambda cid, job, error: seen.append((cid, job.outcome.value if job else error)))
        running = asyncio.ensure_future(batch.run())
        for _ in range(1000):  # the two workers take A and B; C waits for one of them
            if batch.pending == ["C"]:
                break
            await asyncio.sleep(0.005)
        assert batch.pending == ["C"]
        assert batch.cancel_pending() == ["C"]
        results = await running
    assert results["A"].outcome is jobs.Outcome.DONE and results["B"].outcome is jobs.Outcome.DONE
    assert results["C"] == "cancelled before it started"
    assert ("C", "cancelled before it started") in seen


def tar_members(path: str) -> list[str]:
    with tarfile.open(path) as archive:
        return archive.getnames()


@pytest.mark.parametrize("version, via, kind", [
    ("1.6", "ftp", jobs.Kind.DIAGNOSTICS), ("1.6", "http", jobs.Kind.DIAGNOSTICS),
    ("2.0.1", "http", jobs.Kind.DIAGNOSTICS), ("2.0.1", "ftp", jobs.Kind.SECURITY_LOG),
    ("1.6", "ftp", jobs.Kind.SECURITY_LOG),
])
async def test_a_log_arrives_as_the_file_the_charger_sent(files_engine, store, version, via, kind) -> None:
    async with charger(files_engine, version):
        job = await diagnostics.collect(files_engine, store, "SIM-1", kind=kind,
                                        options=diagnostics.Options(via=via, timeout_s=30, start_s=20))
    assert job.outcome is jobs.Outcome.DONE, job.message
    path = pathlib.Path(job.detail["file"])
    assert path.is_file() and path.stat().st_size == job.detail["size"] > 0
    assert path.parent.name == "SIM-1" and f"r{job.request_id}" in path.name
    assert tar_members(str(path))  # a real archive, as the charger built it
    assert job.detail["action"] == ("GetDiagnostics" if version == "1.6" and kind is jobs.Kind.DIAGNOSTICS
                                    else "GetLog")
    assert in_order(statuses(job), ["Uploading", "Uploaded"])
    assert "File received" in statuses(job, jobs.Source.SERVER)


async def test_an_upload_that_never_comes_says_the_server_saw_no_connection(files_engine, store) -> None:
    async with charger(files_engine, "2.0.1", upload_fails=True):
        job = await diagnostics.collect(files_engine, store, "SIM-1",
                                        options=diagnostics.Options(via="ftp", timeout_s=30, start_s=20))
    assert job.outcome is jobs.Outcome.FAILED
    assert "UploadFailure" in job.message  # 2.x's word (1.6 GetDiagnostics: UploadFailed)
    assert "no connection" in job.message and "firewall" in job.message


async def test_without_a_file_server_the_technician_is_told_why(engine, store) -> None:
    async with charger(engine, "1.6"):
        with pytest.raises(Exception) as raised:
            await diagnostics.collect(engine, store, "SIM-1")
    assert "file server" in str(raised.value)


async def test_the_diagnostics_check_attaches_the_file_to_the_run(files_engine, isolated_data_dir) -> None:
    store = run_store.RunStore(isolated_data_dir)
    spec = checklists.StepSpec("diagnostics", "Diagnostics log", check="diagnostics", timeout=60)
    template = checklists.Template("t", "t", "", (spec,), pathlib.Path("t.toml"))
    async with charger(files_engine, "1.6"):
        run = await run_service.execute(files_engine, store, template, "SIM-1")
    step = run.step("diagnostics")
    assert step.state is runs.StepState.PASSED, step.reason
    assert step.files and pathlib.Path(step.files[0]).is_file()
    assert any(v.name == "via" and v.value == "FTP" for v in step.values)
    store.close()


async def test_the_firmware_check_updates_from_the_library_or_is_not_applicable(files_engine, isolated_data_dir,
                                                                                tmp_path) -> None:
    store = run_store.RunStore(isolated_data_dir)
    spec = checklists.StepSpec("firmware", "Firmware", check="firmware", timeout=60)
    template = checklists.Template("t", "t", "", (spec,), pathlib.Path("t.toml"))
    async with charger(files_engine, "2.0.1"):
        empty = await run_service.execute(files_engine, store, template, "SIM-1")
        add_image(isolated_data_dir, tmp_path, "3.1.0")
        updated = await run_service.execute(files_engine, store, template, "SIM-1")
    assert empty.step("firmware").state is runs.StepState.NOT_APPLICABLE
    assert "library is empty" in empty.step("firmware").reason
    step = updated.step("firmware")
    assert step.state is runs.StepState.PASSED, step.reason
    assert {v.name: v.value for v in step.values}["version after"] == "3.1.0"
    store.close()
