"""Charging sessions and meter values, and their export to CSV and JSON.

The journal (sqlite, written as frames arrive) is the record; storage.energy assembles its frames
into sessions and samples as they are written (domain.energy), each linked to its frames.
Blocking (sqlite): call from a worker thread. Qt-free.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import json
import pathlib
from typing import Iterable

from app.domain import energy, errors
from app.storage import energy as energy_store


@dataclasses.dataclass
class Collected:
    sessions: list[energy.Session]
    samples: list[energy.Sample]


def collect(index: energy_store.EnergyIndex, *, charger_id: str | None = None, since_ms: int | None = None,
            until_ms: int | None = None) -> Collected:
    """Every session (oldest first) and meter sample of one charger or all within a time range (a
    session is in it when it overlaps it; a sample when its time is in it), the index caught up
    with the journal first. Blocking."""
    index.catch_up()
    return Collected(index.sessions(charger_id=charger_id, since_ms=since_ms, until_ms=until_ms),
                     index.samples(charger_id=charger_id, since_ms=since_ms, until_ms=until_ms))


def sessions_of(index: energy_store.EnergyIndex, *, charger_id: str | None = None) -> list[energy.Session]:
    """Every session (oldest first) of one charger or all, without their samples; caught up first. Blocking."""
    index.catch_up()
    return index.sessions(charger_id=charger_id)


def _iso(ms: int) -> str:
    if not ms:
        return ""
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).isoformat(timespec="seconds") \
        .replace("+00:00", "Z")


SESSION_COLUMNS = ("charger_id", "connector", "transaction_id", "id_token", "ocpp_version", "started", "stopped",
                   "stop_reason", "meter_start_wh", "meter_stop_wh", "energy_wh", "duration_s", "peak_power_w",
                   "first_frame_id", "last_frame_id")
SAMPLE_COLUMNS = ("time", "charger_id", "connector", "transaction_id", "measurand", "phase", "value", "unit",
                  "context", "location", "frame_id")


def session_row(session: energy.Session) -> dict[str, object]:
    def rounded(value: float | None, digits: int = 3) -> object:
        return "" if value is None else round(value, digits)

    return {"charger_id": session.charger_id, "connector": session.connector,
            "transaction_id": session.transaction_id, "id_token": session.id_token,
            "ocpp_version": session.version, "started": _iso(session.started_ms), "stopped": _iso(session.stopped_ms),
            "stop_reason": session.stop_reason, "meter_start_wh": rounded(session.meter_start_wh),
            "meter_stop_wh": rounded(session.meter_stop_wh), "energy_wh": rounded(session.energy_wh),
            "duration_s": rounded(session.duration_s, 1), "peak_power_w": rounded(session.peak_power_w),
            "first_frame_id": session.first_frame_id, "last_frame_id": session.last_frame_id}


def sample_row(sample: energy.Sample) -> dict[str, object]:
    return {"time": _iso(sample.ts_ms), "charger_id": sample.charger_id, "connector": sample.connector,
            "transaction_id": sample.transaction_id, "measurand": sample.measurand, "phase": sample.phase,
            "value": round(sample.value, 6), "unit": sample.unit, "context": sample.context,
            "location": sample.location, "frame_id": sample.frame_id}


def to_csv(rows: Iterable[dict[str, object]], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def export(collected: Collected, folder: pathlib.Path, stem: str = "energy") -> list[pathlib.Path]:
    """Write <stem>-sessions.csv, <stem>-meter-values.csv and <stem>.json into `folder`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        sessions = folder / f"{stem}-sessions.csv"
        values = folder / f"{stem}-meter-values.csv"
        whole = folder / f"{stem}.json"
        sessions.write_text(to_csv(map(session_row, collected.sessions), SESSION_COLUMNS), encoding="utf-8")
        values.write_text(to_csv(map(sample_row, collected.samples), SAMPLE_COLUMNS), encoding="utf-8")
        whole.write_text(json.dumps({"sessions": [session_row(s) for s in collected.sessions],
                                     "meter_values": [sample_row(s) for s in collected.samples]},
                                    ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as exc:
        raise errors.StorageError(f"Cannot write the energy export to {folder}: {exc.strerror or exc}.",
                                  hint="Choose a folder you can write to, with free space.") from exc
    return [sessions, values, whole]
