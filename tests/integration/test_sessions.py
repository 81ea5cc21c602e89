"""Sessions and meter values assembled from the journal of real charges with the virtual charger
(1.6 and 2.0.1), and their CSV/JSON export."""

from __future__ import annotations

import csv
import json

import orjson
import pytest
from ocpp.v16 import call as v16
from ocpp.v201 import call as v201

from app.domain import metering, model
from app.services import sessions
from app.storage import energy as energy_store
from tests.integration.test_simulator_vs_csms import actions_in, running, until


def _energy_now(engine, charger_id: str) -> float:
    readings = engine.registry.chargers[charger_id].meters.values() if charger_id in engine.registry.chargers else []
    return max((m.reading.energy_wh for m in readings if m.reading.energy_wh is not None), default=0.0)


async def _until_energy_rose(engine, charger_id: str, wh: float = 3.0) -> None:
    """Charging until the register rose by `wh` (a whole Wh or more: 1.6's meterStop is an integer)."""
    await until(lambda: _energy_now(engine, charger_id) > 0, timeout=10)
    first = _energy_now(engine, charger_id)
    await until(lambda: _energy_now(engine, charger_id) >= first + wh, timeout=20)


def _reader(engine):
    engine.journal.flush()
    return engine.journal.reader()


async def _charge_16(engine) -> str:
    send = lambda request: engine.send("SE-16", request)  # noqa: E731
    assert (await send(v16.RemoteStartTransaction(id_tag="TAG-16", connector_id=1))).status == "Accepted"
    await until(lambda: getattr(engine.registry.chargers["SE-16"].connectors.get("1"), "status", "") == "Charging")
    await _until_energy_rose(engine, "SE-16")
    answer = [f for f in engine.journal.reader().frames(charger_id="SE-16", action="StartTransaction")
              if f.direction is model.Direction.OUT][0]
    transaction_id = orjson.loads(answer.payload)[2]["transactionId"]
    assert (await send(v16.RemoteStopTransaction(transaction_id=transaction_id))).status == "Accepted"
    await until(lambda: "StopTransaction" in actions_in(engine, "SE-16"))
    return str(transaction_id)


async def _charge_201(engine) -> str:
    send = lambda request: engine.send("SE-201", request)  # noqa: E731
    start = await send(v201.RequestStartTransaction(id_token={"id_token": "TAG-201", "type": "ISO14443"},
                                                    remote_start_id=7, evse_id=1))
    assert start.status == "Accepted"
    await _until_energy_rose(engine, "SE-201")
    started = [orjson.loads(f.payload)[3] for f in engine.journal.reader().frames(
        charger_id="SE-201", action="TransactionEvent") if '"Started"' in f.payload]
    transaction_id = started[0]["transactionInfo"]["transactionId"]
    assert (await send(v201.RequestStopTransaction(transaction_id=transaction_id))).status == "Accepted"
    await until(lambda: any('"Ended"' in f.payload for f in engine.journal.reader().frames(
        charger_id="SE-201", action="TransactionEvent")))
    return str(transaction_id)


def _register(engine, charger_id: str) -> list[float]:
    """Every energy register value the charger sent, in order, read straight from the frames."""
    values = []
    for frame in _reader(engine).frames(charger_id=charger_id, direction="in", limit=10_000):
        if frame.message_type != 2:
            continue
        payload = orjson.loads(frame.payload)[3]
        for key in ("meterStart", "meterStop"):
            if key in payload:
                values.append(float(payload[key]))
        for entry in payload.get("meterValue", []) + payload.get("transactionData", []):
            for sample in entry.get("sampledValue", []):
                parsed = metering.sample_value(sample)
                if parsed and parsed[0] == metering.ENERGY and not parsed[1]:
                    values.append(parsed[2])
    return values


@pytest.mark.parametrize("version, charger_id, charge, token", [
    ("1.6", "SE-16", _charge_16, "TAG-16"), ("2.0.1", "SE-201", _charge_201, "TAG-201")])
async def test_a_real_charge_becomes_one_session_with_its_energy_and_samples(engine, tmp_path, version, charger_id,
                                                                            charge, token) -> None:
    async with running(engine, version, charger_id):
        transaction_id = await charge(engine)
    _reader(engine)  # flushed
    index = energy_store.EnergyIndex(engine.data_dir)
    found = sessions.collect(index, charger_id=charger_id)
    assert [s.transaction_id for s in found.sessions] == [transaction_id]
    session = found.sessions[0]
    assert session.id_token == token and session.version == version and session.connector.startswith("1")
    assert session.started_ms and session.stopped_ms >= session.started_ms
    assert session.stop_reason in ("Remote", "Local", "EVDisconnected")
    register = _register(engine, charger_id)
    assert session.meter_start_wh == register[0]
    stops = [orjson.loads(f.payload)[3]["meterStop"] for f in _reader(engine).frames(
        charger_id=charger_id, action="StopTransaction", direction="in")]
    end = float(stops[0]) if stops else register[-1]  # 1.6: the charger's own meterStop is the session's end
    assert session.energy_wh == pytest.approx(end - register[0]) and session.energy_wh > 0
    assert session.first_frame_id < session.last_frame_id
    energy_samples = [s for s in found.samples if s.measurand == metering.ENERGY and not s.phase]
    assert energy_samples and all(s.unit == "Wh" and s.transaction_id == transaction_id for s in energy_samples)
    assert all(s.frame_id for s in found.samples)
    # Export: CSV and JSON with the same session, read back as a spreadsheet would.
    written = sessions.export(found, tmp_path / "out", stem=charger_id)
    rows = list(csv.DictReader(written[0].open(encoding="utf-8")))
    assert len(rows) == 1 and rows[0]["transaction_id"] == transaction_id
    assert float(rows[0]["energy_wh"]) == pytest.approx(session.energy_wh, abs=0.001)
    values = list(csv.DictReader(written[1].open(encoding="utf-8")))
    assert len(values) == len(found.samples) and values[0]["unit"]
    whole = json.loads(written[2].read_text(encoding="utf-8"))
    assert whole["sessions"][0]["transaction_id"] == transaction_id
    # A time range before the charge holds none of it.
    assert sessions.collect(index, charger_id=charger_id, until_ms=session.started_ms - 60_000).sessions == []
    # Indexed once: opened again (a restart), nothing is counted twice.
    index.close()
    again = energy_store.EnergyIndex(engine.data_dir)
    assert again.catch_up() == 0 and len(again.samples(charger_id=charger_id)) == len(found.samples)
    again.close()


async def test_the_app_engine_indexes_sessions_by_itself_and_across_a_restart(isolated_data_dir) -> None:
    """build_engine's engine brings energy.sqlite3 up to date by itself (once the journal is quiet);
    a 1.6 StartTransaction whose answer comes after a restart of the index still becomes a session."""
    import asyncio

    from app import core
    from app.domain import csms_policy, energy

    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    config = csms_policy.CsmsConfig(host="127.0.0.1", port=0, heartbeat_interval=60, call_timeout=5.0,
                                    file_server=False)
    eng = await asyncio.to_thread(core.build_engine, config, isolated_data_dir, None)
    await eng.start()
    try:
        async with running(eng, "1.6", "SE-16"):
            transaction_id = await _charge_16(eng)
            await until(lambda: any(s.transaction_id == transaction_id and s.stopped_ms
                                    for s in eng.energy.sessions(charger_id="SE-16")), timeout=10)
    finally:
        await eng.stop()
        eng.close()
    # The assembler's state survives: a start CALL indexed, its answer only after a reopen.
    index = energy_store.EnergyIndex(isolated_data_dir / "other")
    start = [2, "u1", "StartTransaction", {"connectorId": 1, "idTag": "T", "meterStart": 100,
                                             "timestamp": "2026-01-01T00:00:00Z"}]
    index._index([model.Frame("X", model.Direction.IN, 1, 2, "StartTransaction", "u1", json.dumps(start), id=1)])
    index.close()
    index = energy_store.EnergyIndex(isolated_data_dir / "other")
    answer = [3, "u1", {"transactionId": 9, "idTagInfo": {"status": "Accepted"}}]
    index._index([model.Frame("X", model.Direction.OUT, 2, 3, "StartTransaction", "u1", json.dumps(answer), id=2)])
    [session] = index.sessions(charger_id="X")
    assert isinstance(session, energy.Session) and session.transaction_id == "9" and session.meter_start_wh == 100
    assert session.started_ms == energy.timestamp_ms("2026-01-01T00:00:00Z", 0) and index.cursor == 2
    index.close()


def test_the_sessions_command_lists_and_exports_what_the_journal_holds(tmp_path) -> None:
    import subprocess
    import sys

    from app.storage import journal as journal_store
    from tests.integration.test_cli import ROOT

    data = tmp_path / "d"
    data.mkdir()
    journal = journal_store.Journal(data)
    frames = [
        (model.Direction.IN, 2, "StartTransaction", "s", [2, "s", "StartTransaction", {
            "connectorId": 2, "idTag": "CLI", "meterStart": 5000, "timestamp": "2026-12-01T08:00:00Z"}]),
        (model.Direction.OUT, 3, "StartTransaction", "s", [3, "s", {"transactionId": 77, "idTagInfo": {
            "status": "Accepted"}}]),
        (model.Direction.IN, 2, "StopTransaction", "t", [2, "t", "StopTransaction", {
            "transactionId": 77, "meterStop": 12500, "timestamp": "2026-12-01T08:30:00Z", "reason": "EVDisconnected"}]),
    ]
    for direction, kind, action, unique, message in frames:
        journal.append(model.Frame("CP-CLI", direction, 1_796_000_000_000, kind, action, unique, json.dumps(message)))
    journal.flush()
    journal.close()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app", "sessions", "--data-dir", str(data), *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)

    listed = run()
    assert listed.returncode == 0 and "CP-CLI" in listed.stdout and "7.500 kWh" in listed.stdout
    assert "EVDisconnected" in listed.stdout and "2026-12-01T08:00:00Z" in listed.stdout
    row = json.loads(run("--json", "--charger", "CP-CLI").stdout.splitlines()[0])
    assert row["energy_wh"] == 7500 and row["duration_s"] == 1800.0 and row["connector"] == "2"
    assert run("--until", "2026-11-30T00:00Z").stderr.strip() == "No charging sessions in that range."
    exported = run("--export", str(tmp_path / "out"))
    assert exported.returncode == 0 and (tmp_path / "out" / "energy-sessions.csv").read_text().count("\n") == 2
    assert run("--since", "yesterday").returncode == 2
    assert run("--data-dir", str(tmp_path / "nowhere")).returncode == 2
