"""Commissioning runs over real sockets with the virtual charger: the bench checklist end to end,
the report files (PDF read back with pdftotext, JSON against its schema, the trace's hash)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import pathlib
import shutil
import subprocess

import jsonschema
import pytest
from websockets.asyncio.client import connect

from app.csms import engine as csms_engine
from app.domain import errors, runs
from app.report import export, pdf
from app.services import checklists, checks, configuration, operations
from app.services import runs as run_service
from app.storage import runs as run_store
from tests.conftest import url
from tests.integration.test_simulator_vs_csms import actions_sent, running, until

URDU_SITE = "لاہور چارجنگ اسٹیشن"  # Lahore charging station: read back from the PDF as typed
BENCH = checklists.find("bench", None, frozenset(checks.CHECKS))


def pdf_text(path: pathlib.Path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    from pypdf import PdfReader  # where poppler is not installed
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


async def run_on(engine, tmp_path, charger_id: str, spec: checklists.StepSpec, charger,
                 store: run_store.RunStore | None = None, resume: runs.Run | None = None) -> runs.Run:
    """A run of the one check `spec` on a hand-driven charger: `charger()` answers the CSMS meanwhile."""
    answering = asyncio.ensure_future(charger())
    try:
        only = checklists.Template(spec.key, spec.title, "", (spec,), BENCH.path)
        return await run_service.execute(engine, store or run_store.RunStore(tmp_path / "data"), only, charger_id,
                                         resume=resume)
    finally:
        answering.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await answering


@pytest.fixture(scope="module", autouse=True)
def qt_application(qapp):
    """pytest-qt's QApplication (a bare QGuiApplication here would break the widget tests after)."""
    pdf.ensure_application()


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
async def test_a_bench_run_passes_and_its_report_says_so(engine: csms_engine.Engine, tmp_path, version) -> None:
    store = run_store.RunStore(tmp_path / "data")
    seen: list[tuple[str, str]] = []
    async with running(engine, version):
        before = (await configuration.read(engine, "SIM-1")).rows
        run = await run_service.execute(engine, store, BENCH, "SIM-1", fields={"site": URDU_SITE},
                                        values={"technician": "Test engineer"},
                                        listener=lambda r, s: seen.append((s.key, s.state.value)))
        after = (await configuration.read(engine, "SIM-1")).rows
    # The run leaves the configuration as it found it (the test charge's quick sampling is undone).
    changed = {r.name for r in after} ^ {r.name for r in before} | {
        a.name for a, b in zip(after, before) if a.value != b.value and "DateTime" not in a.name}
    assert not changed, changed
    states = {s.key: s.state for s in run.steps}
    assert run.outcome is runs.Outcome.PASSED, str([(s.key, s.state.value, s.reason) for s in run.steps if s.state.value != "passed"])
    assert states["authorize"] is runs.StepState.NOT_APPLICABLE  # needs a person: n/a in a headless run
    assert all(states[k] is runs.StepState.PASSED for k in (
        "boot", "heartbeat", "status", "configuration", "availability", "unlock", "test_charge", "soft_reset"))
    # The heartbeat is timed, not read from the configuration: two beats of the charger's own, in the evidence.
    beat = run.step("heartbeat")
    measured = next((v for v in beat.values if v.name == "interval measured"), None)
    assert measured is not None and measured.in_limits, beat.values
    engine.journal.flush()
    reader = engine.journal.reader()
    try:
        beats = [f for f in (reader.frame(i) for i in beat.evidence)
                 if f.action == "Heartbeat" and f.message_type == 2 and f.direction.value == "in"]
    finally:
        reader.close()
    assert any(round((b.ts_ms - a.ts_ms) / 1000, 1) == measured.value for a, b in zip(beats, beats[1:])), beats
    assert not beat.on_charger  # HeartbeatInterval, shortened for the timing, is put back (see `changed` above)
    charge = run.step("test_charge")
    energy = next(v for v in charge.values if v.name == "energy delivered")
    assert energy.value > 0 and charge.series and charge.evidence
    assert run.identity["serial"] and run.identity["vendor"]
    # Stored as it happened: reopened from sqlite, the same run.
    again = run_store.RunStore(tmp_path / "data").get(run.id)
    assert again is not None and again.outcome is runs.Outcome.PASSED
    assert [s.state for s in again.steps] == [s.state for s in run.steps]
    assert ("boot", "running") in seen and ("boot", "passed") in seen

    engine.journal.flush()
    files = await asyncio.to_thread(export.export, run, engine.journal.path, tmp_path / "out")
    text = pdf_text(files.pdf)
    assert "SIM-1" in text and run.identity["serial"] in text and "PASSED" in text
    assert URDU_SITE in text, text
    assert "Technician         Test engineer" in text  # the step's entry is the cover's technician too
    (tmp_path / "report.txt").write_text(text)
    flat = " ".join(text.split())
    for step in BENCH.steps:
        assert step.title.split()[0] in flat
    assert "N/A" in text and f"page 1 of {files.pages}" in text
    data = json.loads(files.json.read_text())
    jsonschema.validate(data, export.schema())
    assert data["trace"]["sha256"] == hashlib.sha256(files.trace.read_bytes()).hexdigest() == files.sha256
    assert data["trace"]["sha256"] in " ".join(text.split())
    config = data["configuration"]
    assert config["read"] and len(config["at_end"]) > 20
    interval = "MeterValueSampleInterval" if version == "1.6" else "SampledDataCtrlr.TxUpdatedInterval"
    changed = [c for c in config["changes"] if c["name"] == interval]
    # Quick sampling, then put back: by the test charge, and again by the current-limit check.
    assert changed and [c["new"] for c in changed] == ["5", changed[0]["old"]] * (len(changed) // 2)
    assert config["at_end"][interval] == changed[0]["old"] and "Changed during the run" in text
    assert data["trace"]["frames"] > 20 and files.trace.read_text().count("\n") == data["trace"]["frames"]
    if shutil.which("pdftoppm"):  # it renders: page 1 as an image
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(files.pdf), str(tmp_path / "page")],
                       check=True)
        assert (tmp_path / "page-1.png").stat().st_size > 10_000


# ---------------------------------------------------------------- failure paths


@pytest.mark.parametrize("version, action, payload", [
    ("1.6", "RemoteStartTransaction", {"idTag": "OTHER", "connectorId": 1}),
    ("2.0.1", "RequestStartTransaction", {"idToken": {"idToken": "OTHER", "type": "Central"}, "evseId": 1,
                                          "remoteStartId": 99}),
])
async def test_a_charger_that_rejects_remote_start_fails_the_test_charge_with_its_answer(
        engine, tmp_path, version, action, payload) -> None:
    store = run_store.RunStore(tmp_path / "data")
    async with running(engine, version):
        # Connector 1 is already charging: the charger refuses a second start there.
        await engine.call("SIM-1", action, payload)
        only = checklists.Template("charge", "Charge", "", (checklists.StepSpec("test_charge", "Test charge",
                                                                                check="test_charge"),), BENCH.path)
        run = await run_service.execute(engine, store, only, "SIM-1")
    step = run.step("test_charge")
    assert step.state is runs.StepState.FAILED and f"{action} with Rejected" in step.reason
    assert run.outcome is runs.Outcome.FAILED
    assert store.get(run.id).step("test_charge").reason == step.reason  # recorded


async def test_the_status_check_waits_for_every_connector_not_for_a_moment_of_silence(engine, tmp_path) -> None:
    """A 1.6 charger reported connectors 0, 1 and 2 at boot; triggered, it reports 0 and 1 only.
    The check waits for connector 2 (within the step's timeout) and says it stayed silent, rather
    than passing on the Available it said at boot once a second went by without a report."""
    ids = itertools.count()

    def status(connector: int) -> str:
        return json.dumps([2, f"s{next(ids)}", "StatusNotification",
                           {"connectorId": connector, "errorCode": "NoError", "status": "Available"}])

    async with connect(url(engine, "RAW-STATUS"), subprotocols=["ocpp1.6"]) as ws:
        await ws.send(json.dumps([2, "b", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]))
        assert json.loads(await ws.recv())[2]["status"] == "Accepted"
        for connector in (0, 1, 2):
            await ws.send(status(connector))
            assert json.loads(await ws.recv())[0] == 3

        async def charger() -> None:
            async for text in ws:
                message = json.loads(text)
                if message[0] == 2 and message[2] == "TriggerMessage":
                    await ws.send(json.dumps([3, message[1], {"status": "Accepted"}]))
                    await ws.send(status(0))
                    await ws.send(status(1))  # ... and never connector 2

        run = await run_on(engine, tmp_path, "RAW-STATUS",
                           checklists.StepSpec("status", "Status", check="status", timeout=3), charger)
    step = run.step("status")
    assert step.state is runs.StepState.FAILED, (step.state, step.values)
    assert step.reason == "no new status from connector 2 within 3 s of the TriggerMessage StatusNotification"


@pytest.mark.parametrize("takes_the_change, reason", [
    (True, "two heartbeats cannot be timed: 0 heartbeats came within the check's 9 s with HeartbeatInterval 3 s"),
    (False, "two heartbeats cannot be timed within the check's 9 s: the charger did not take HeartbeatInterval 3 s "
            "for the timing; two of its own 60 s intervals take up to 134 s"),
], ids=["never-beats", "refuses-a-short-interval"])
async def test_a_heartbeat_that_cannot_be_timed_fails_saying_why(engine, tmp_path, takes_the_change, reason) -> None:
    """A 1.6 charger whose HeartbeatInterval reads as the CSMS asked (60 s), but that sends a
    Heartbeat only when triggered: the check does not pass on the configuration alone."""
    ids = itertools.count()
    changes: list[str] = []
    interval = ["60"]

    async with connect(url(engine, "RAW-BEAT"), subprotocols=["ocpp1.6"]) as ws:
        await ws.send(json.dumps([2, "b", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]))
        assert json.loads(await ws.recv())[2]["status"] == "Accepted"

        async def charger() -> None:
            async for text in ws:
                message = json.loads(text)
                if message[0] != 2:
                    continue
                action, payload = message[2], message[3]
                if action == "TriggerMessage":
                    await ws.send(json.dumps([3, message[1], {"status": "Accepted"}]))
                    await ws.send(json.dumps([2, f"h{next(ids)}", "Heartbeat", {}]))
                elif action == "GetConfiguration":
                    await ws.send(json.dumps([3, message[1], {"configurationKey": [
                        {"key": "HeartbeatInterval", "readonly": False, "value": interval[0]}]}]))
                elif action == "ChangeConfiguration":
                    changes.append(payload["value"])
                    if takes_the_change:
                        interval[0] = payload["value"]
                    await ws.send(json.dumps([3, message[1], {"status": "Accepted" if takes_the_change else "Rejected"}]))

        run = await run_on(engine, tmp_path, "RAW-BEAT",
                           checklists.StepSpec("heartbeat", "Heartbeat", check="heartbeat", timeout=9), charger)
    step = run.step("heartbeat")
    assert (step.state, step.reason) == (runs.StepState.FAILED, reason)
    # Shortened for the timing and put back (or refused): the charger is left as it was found.
    assert changes == (["3", "60"] if takes_the_change else ["3"]) and interval == ["60"]
    assert not step.on_charger


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_step_resumed_after_a_crash_first_puts_back_the_setting_its_check_had_changed(
        engine, tmp_path, version) -> None:
    """The app stopped while the heartbeat check had HeartbeatInterval at 3 s for its timing (the
    step, on disk, says so and what to put back): resumed, the setting is put back first and the
    check runs afresh, instead of failing on the 3 s it reads back."""
    store = run_store.RunStore(tmp_path / "data")
    only = checklists.Template("beat", "Beat", "", (checklists.StepSpec("heartbeat", "Heartbeat", check="heartbeat"),),
                               BENCH.path)
    name = "HeartbeatInterval" if version == "1.6" else "OCPPCommCtrlr.HeartbeatInterval"
    async with running(engine, version) as charger:
        if version == "1.6":
            await engine.call("SIM-1", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "3"})
        else:
            await engine.call("SIM-1", "SetVariables", {"setVariableData": [{"component": {"name": "OCPPCommCtrlr"},
                              "variable": {"name": "HeartbeatInterval"}, "attributeValue": "3"}]})
        crashed = run_service.new_run(only, "SIM-1")
        step = crashed.step("heartbeat")
        step.state, step.on_charger = runs.StepState.RUNNING, {"settings": {name: "60"}}
        store.save(crashed)
        run = await run_service.execute(engine, store, only, "SIM-1", resume=store.get(crashed.id))
        assert charger.station.heartbeat_interval() == 60  # as it was before the crash
    step = run.step("heartbeat")
    assert step.state is runs.StepState.PASSED, step.reason
    assert step.note == f"Resumed after a restart: {name} put back to 60." and not step.on_charger
    assert store.get(run.id).step("heartbeat").note == step.note


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
@pytest.mark.parametrize("case", ["recorded-and-over", "not-recorded-but-running", "refused-and-running"])
async def test_a_test_charge_resumed_after_a_crash_deals_with_the_session_it_may_have_left(
        engine, tmp_path, version, case) -> None:
    """The app stopped during the test charge (the step, on disk, is running with its session).
    Resumed: a session already over is said so; one the charger shows on the connector (its id not
    recorded yet when the app stopped) is stopped first; one it will not stop fails the step,
    saying what to do. The kill -9 itself: tests/integration/test_kill9.py."""
    store = run_store.RunStore(tmp_path / "data")
    only = checklists.Template("charge", "Charge", "", (checklists.StepSpec("test_charge", "Test charge",
                                                                            check="test_charge", timeout=30),), BENCH.path)
    key = "1" if version == "1.6" else "1/1"
    async with running(engine, version):
        running_now = ""
        if case != "recorded-and-over":  # a session on connector 1, as the crashed check left it
            start = operations.quick(version, "start_charge", connector=1, evse=1, id_tag=operations.TEST_TAG)
            await engine.call("SIM-1", start.action, start.payload)
            await until(lambda: bool(engine.registry.chargers["SIM-1"].transactions))
            [running_now] = engine.registry.chargers["SIM-1"].transactions
        crashed = run_service.new_run(only, "SIM-1")
        step = crashed.step("test_charge")
        step.state = runs.StepState.RUNNING
        step.on_charger = {"transaction": {"id": "" if case == "not-recorded-but-running" else "424242",
                                           "connector": key}}
        store.save(crashed)
        run = await run_service.execute(engine, store, only, "SIM-1", resume=store.get(crashed.id))
    step = run.step("test_charge")
    if case == "refused-and-running":
        stop = "RemoteStopTransaction" if version == "1.6" else "RequestStopTransaction"
        assert step.state is runs.StepState.FAILED
        assert step.reason == (f"the charger answered {stop} for the test session left running when the app stopped "
                               f"(transaction 424242 on connector {key}) with Rejected and still shows transaction "
                               f"{running_now} there: stop the session at the charger, then run the step again")
        return
    assert step.state is runs.StepState.PASSED, step.reason
    if case == "recorded-and-over":
        assert step.note == ("Resumed after a restart: the test session left running when the app stopped "
                             f"(transaction 424242 on connector {key}) had already ended.")
    else:
        assert step.note == ("Resumed after a restart: the test session left running when the app stopped "
                             f"(transaction {running_now} on connector {key}) was stopped first.")
        assert next(v.value for v in step.values if v.name == "transaction") != running_now
    assert not step.on_charger and store.get(run.id).step("test_charge").note == step.note


async def test_a_charger_that_sends_no_meter_values_fails_the_test_charge(engine, tmp_path) -> None:
    store = run_store.RunStore(tmp_path / "data")
    async with running(engine, "1.6"):
        answer = await engine.call("SIM-1", "ChangeConfiguration", {"key": "MeterValuesSampledData", "value": ""})
        assert answer["status"] == "Accepted"
        only = checklists.Template("charge", "Charge", "", (checklists.StepSpec("test_charge", "Test charge",
                                                                                check="test_charge", timeout=3),), BENCH.path)
        run = await run_service.execute(engine, store, only, "SIM-1")
    step = run.step("test_charge")
    assert step.state is runs.StepState.FAILED and "no meter values with rising energy" in step.reason
    assert run.outcome is runs.Outcome.FAILED


async def test_a_charger_that_goes_away_mid_run_fails_what_is_left_and_keeps_what_was_done(engine, tmp_path) -> None:
    store = run_store.RunStore(tmp_path / "data")
    async with running(engine, "2.0.1") as charger:
        def listener(run, step) -> None:
            if step.key == "configuration" and step.state is runs.StepState.PASSED:
                charger.config.backoff_min = charger.config.backoff_max = 30  # it stays away
                charger.stop()

        run = await run_service.execute(engine, store, BENCH, "SIM-1", values={"technician": "T"},
                                        listener=listener, reconnect_wait=0.5)
    assert run.step("boot").state is runs.StepState.PASSED and run.step("configuration").state is runs.StepState.PASSED
    left = run.step("availability")
    assert left.state is runs.StepState.FAILED and "not connected" in left.reason
    assert run.outcome is runs.Outcome.FAILED
    stored = store.get(run.id)
    assert stored.step("boot").state is runs.StepState.PASSED and stored.step("boot").evidence  # nothing lost


async def test_kill_9_mid_run_loses_no_recorded_step_and_the_run_resumes(engine, tmp_path) -> None:
    """serve --plan is killed -9 in the middle of a run; the steps it printed are in sqlite; resumed."""
    import os
    import re
    import signal
    import sys

    from tests.integration.test_cli import ROOT

    data = tmp_path / "data"
    server = subprocess.Popen([sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", "0",
                               "--data-dir", str(data), "--plan", str(ROOT / "resources/plans/bench.toml"),
                               "--out", str(tmp_path / "out")], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    printed: list[str] = []
    try:
        url = re.search(r"ws://127\.0\.0\.1:\d+/", server.stdout.readline()).group(0)
        fleet = subprocess.Popen([sys.executable, "-m", "app", "simulate", "--url", url, "--id", "K9",
                                  "--ocpp", "1.6"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while "K9 step configuration" not in (line := server.stdout.readline()):
                assert line, server.stderr.read()
                if " step " in line:
                    printed.append(line.split(" step ")[1].split()[0])
        finally:
            os.kill(server.pid, signal.SIGKILL)  # mid-run, no goodbye
            server.wait(10)
            fleet.terminate()
            fleet.wait(10)
    finally:
        if server.poll() is None:
            server.kill()
    printed.append("configuration")
    store = run_store.RunStore(data)
    [header] = store.list()
    run = store.get(header.id)
    assert not run.ended_ms  # unfinished: offered for resuming
    done = [s.key for s in run.steps if s.state.done]
    assert set(printed) <= set(done), (printed, done)  # every step it printed is on disk
    before = {s.key: (s.state, s.started_ms) for s in run.steps if s.state.done}
    async with running(engine, "1.6", charger_id="K9"):
        resumed = await run_service.execute(engine, store, BENCH, "K9", values={"technician": "T"}, resume=run)
    assert resumed.id == run.id and resumed.outcome is runs.Outcome.PASSED, [
        (s.key, s.state.value, s.reason) for s in resumed.steps if s.state is not runs.StepState.PASSED]
    assert {k: (resumed.step(k).state, resumed.step(k).started_ms) for k in before} == before  # kept, not redone


async def hand_driven_1_6(engine, charger_id: str, *, puts_back: list[bool], chatters: bool = False):
    """A 1.6 charger driven by hand: HeartbeatInterval 60 (as the CSMS asks), a Heartbeat only when
    triggered. It takes a change of HeartbeatInterval, and one back to 60 only while `puts_back[0]`;
    `chatters`: once its interval is short, a StatusNotification every second of its own clock
    and never a Heartbeat (OCPP lets it skip them while other messages flow)."""
    ids = itertools.count()
    interval = ["60"]
    short = asyncio.Event()
    ws = await connect(url(engine, charger_id), subprotocols=["ocpp1.6"]).__aenter__()
    await ws.send(json.dumps([2, "b", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]))
    assert json.loads(await ws.recv())[2]["status"] == "Accepted"

    async def answer() -> None:
        async for text in ws:
            message = json.loads(text)
            if message[0] != 2:
                continue
            action, payload = message[2], message[3]
            if action == "TriggerMessage":
                await ws.send(json.dumps([3, message[1], {"status": "Accepted"}]))
                await ws.send(json.dumps([2, f"h{next(ids)}", "Heartbeat", {}]))
            elif action == "GetConfiguration":
                await ws.send(json.dumps([3, message[1], {"configurationKey": [
                    {"key": "HeartbeatInterval", "readonly": False, "value": interval[0]}]}]))
            elif action == "ChangeConfiguration":
                taken = payload["value"] != "60" or puts_back[0]
                if taken:
                    interval[0] = payload["value"]
                    if interval[0] != "60":
                        short.set()
                await ws.send(json.dumps([3, message[1], {"status": "Accepted" if taken else "Rejected"}]))

    async def chatter() -> None:
        await short.wait()
        while True:
            await ws.send(json.dumps([2, f"s{next(ids)}", "StatusNotification", {
                "connectorId": 1, "errorCode": "NoError", "status": "Available"}]))
            await asyncio.sleep(1.0)  # the charger's own clock, not a wait of the test's

    async def charger() -> None:
        await asyncio.gather(answer(), *([chatter()] if chatters else []))

    return ws, charger, interval


async def test_a_charger_that_skips_heartbeats_while_other_messages_flow_passes(engine, tmp_path) -> None:
    ws, charger, interval = await hand_driven_1_6(engine, "RAW-CHATTY", puts_back=[True], chatters=True)
    async with ws:
        run = await run_on(engine, tmp_path, "RAW-CHATTY",
                           checklists.StepSpec("heartbeat", "Heartbeat", check="heartbeat", timeout=9), charger)
    step = run.step("heartbeat")
    assert step.state is runs.StepState.PASSED, step.reason
    said = {v.name: v for v in step.values}
    assert said["heartbeats"].value.startswith("skipped while other messages flowed (")
    assert said["longest silence"].in_limits and said["interval set for the timing"].value == 3
    assert interval == ["60"] and not step.on_charger


async def test_a_check_that_cannot_put_a_setting_back_fails_saying_so_and_the_next_go_puts_it_back(
        engine, tmp_path) -> None:
    """The heartbeat check shortens HeartbeatInterval and the charger refuses it back: the step
    fails naming what is still on the charger, the record stays in sqlite; the run's next go puts
    it back first (the step is done: its verdict stands, its note says what was put back)."""
    store = run_store.RunStore(tmp_path / "data")
    puts_back = [False]
    spec = checklists.StepSpec("heartbeat", "Heartbeat", check="heartbeat", timeout=9)
    ws, charger, interval = await hand_driven_1_6(engine, "RAW-STUCK", puts_back=puts_back)
    async with ws:
        run = await run_on(engine, tmp_path, "RAW-STUCK", spec, charger, store=store)
        step = run.step("heartbeat")
        assert step.state is runs.StepState.FAILED and interval == ["3"]
        assert step.reason.endswith("; HeartbeatInterval is still 3 (set for the check; it was 60); run the step "
                                    "again with the charger connected: that undoes it first"), step.reason
        assert store.get(run.id).step("heartbeat").on_charger == {"settings": {"HeartbeatInterval": "60"},
                                                                  "set_to": {"HeartbeatInterval": "3"}}
        puts_back[0] = True
        again = await run_on(engine, tmp_path, "RAW-STUCK", spec, charger, store=store, resume=store.get(run.id))
    step = again.step("heartbeat")
    assert interval == ["60"] and not step.on_charger and not store.get(run.id).step("heartbeat").on_charger
    assert step.note == "Put back before the run went on: HeartbeatInterval put back to 60."
    assert step.state is runs.StepState.FAILED and again.outcome is runs.Outcome.FAILED


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_step_run_again_undoes_what_it_left_then_checks_afresh(engine, tmp_path, version) -> None:
    store = run_store.RunStore(tmp_path / "data")
    only = checklists.Template("status", "Status", "", (checklists.StepSpec("status", "Status", check="status"),),
                               BENCH.path)
    interval = "MeterValueSampleInterval" if version == "1.6" else "SampledDataCtrlr.TxUpdatedInterval"
    async with running(engine, version):
        run = await run_service.execute(engine, store, only, "SIM-1")
        first = run.step("status")
        assert first.state is runs.StepState.PASSED and run.outcome is runs.Outcome.PASSED
        was = next(r.value for r in (await configuration.read(engine, "SIM-1")).rows if r.name == interval)
        setting = checks.leftovers.Setting.named(version, interval)
        assert await checks.leftovers._write_setting(checks.Context(engine, "SIM-1", run, first), setting, "7") == "Accepted"
        first.on_charger = {"settings": {interval: was}, "set_to": {interval: "7"}}  # as a check had left it
        store.save_step(run, first)
        step = run_service.reset_step(store, run, "status")
        assert step.state is runs.StepState.PENDING and run.outcome is runs.Outcome.INCOMPLETE and not run.ended_ms
        assert store.get(run.id).step("status").on_charger == first.on_charger
        again = await run_service.execute(engine, store, only, "SIM-1", resume=store.get(run.id))
        now = next(r.value for r in (await configuration.read(engine, "SIM-1")).rows if r.name == interval)
    step = again.step("status")
    assert step.state is runs.StepState.PASSED and again.outcome is runs.Outcome.PASSED and now == was
    assert step.note == f"Put back before the run went on: {interval} put back to {was}." and not step.on_charger
    assert step.started_ms > first.started_ms and again.first_frame_id == run.first_frame_id
    step.state = runs.StepState.PENDING
    with pytest.raises(errors.ConfigError, match="only an automatic check that ended"):
        run_service.reset_step(store, again, "status")  # a step still to do is run by Run automatic checks


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
@pytest.mark.parametrize("case", ["ours", "a-drivers"])
async def test_a_test_charge_whose_session_id_was_never_learned_is_found_at_the_charger(
        engine, tmp_path, version, case) -> None:
    """The app stopped after the charger accepted the test charge's start and before it said the
    session's id; restarted, the CSMS knows no session (its registry is fresh), the charger charges
    on. Resumed, the undo asks the charger (TriggerMessage) and stops the session its start began;
    a session listed as running before that start (a driver's) is never stopped."""
    store = run_store.RunStore(tmp_path / "data")
    only = checklists.Template("charge", "Charge", "", (checklists.StepSpec("test_charge", "Test charge",
                                                                            check="test_charge", timeout=30),), BENCH.path)
    key = "1" if version == "1.6" else "1/1"
    async with running(engine, version):
        start = operations.quick(version, "start_charge", connector=1, evse=1, id_tag=operations.TEST_TAG)
        await engine.call("SIM-1", start.action, start.payload)
        info = engine.registry.chargers["SIM-1"]
        await until(lambda: bool(info.transactions))
        [session] = info.transactions
        info.transactions.clear()  # as the restarted app knows it: nothing
        crashed = run_service.new_run(only, "SIM-1")
        step = crashed.step("test_charge")
        step.state = runs.StepState.FAILED if case == "a-drivers" else runs.StepState.RUNNING
        step.on_charger = {"transaction": {"id": "", "connector": key,
                                           "already": [session] if case == "a-drivers" else []}}
        store.save(crashed)
        run = await run_service.execute(engine, store, only, "SIM-1", resume=store.get(crashed.id))
        still = set(info.transactions)
        sent = actions_sent(engine, "SIM-1")
    step = run.step("test_charge")
    assert not step.on_charger and not store.get(run.id).step("test_charge").on_charger
    assert "TriggerMessage" in sent  # asked the charger, which named the session
    stop = "RemoteStopTransaction" if version == "1.6" else "RequestStopTransaction"
    if case == "a-drivers":  # never stopped: it ran before the check's start
        assert stop not in sent and step.note == "" and step.state is runs.StepState.FAILED
        return
    assert sent[1:3] == ["TriggerMessage", stop] and session not in still  # stopped first, then charged afresh
    assert step.note == ("Resumed after a restart: the test session left running when the app stopped "
                         f"(transaction {session} on connector {key}) was stopped first.")
    assert step.state is runs.StepState.PASSED, step.reason
