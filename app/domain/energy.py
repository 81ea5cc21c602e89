"""Charging sessions and meter samples assembled from the journal's frames (sans-I/O: frames in,
sessions and samples out). Every OCPP version:

- 1.6: StartTransaction (CALL: connector, idTag, meterStart, timestamp; CALLRESULT: transactionId),
  MeterValues (transactionId, connectorId), StopTransaction (transactionId, meterStop, reason,
  transactionData).
- 2.0.1/2.1: TransactionEvent Started/Updated/Ended with transactionInfo.transactionId, evse,
  idToken, meterValue, triggerReason / stoppedReason; MeterValues outside a transaction (evseId).

A sample is one sampledValue in base units (Wh, W, A, V, %, …; domain.metering's normalisation),
with its measurand, phase, context and location, and the id of the frame it came in.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Iterable

from app.domain import metering, model

NOTE = model.MessageType.EVENT  # the journal's own lines (Connected, Disconnected), not OCPP frames


@dataclasses.dataclass(frozen=True)
class Sample:
    charger_id: str
    connector: str  # 1.6 connectorId; 2.x "evse/connector" ("1" when the connector is not said)
    transaction_id: str  # "" outside a transaction
    ts_ms: int
    measurand: str
    phase: str
    value: float  # in `unit`
    unit: str  # the base unit: Wh, W, A, V, Percent, Celsius, …
    context: str
    location: str
    frame_id: int


@dataclasses.dataclass
class Session:
    charger_id: str
    transaction_id: str
    connector: str = ""
    id_token: str = ""
    version: str = ""
    started_ms: int = 0
    stopped_ms: int = 0  # 0 while it runs
    stop_reason: str = ""
    meter_start_wh: float | None = None
    meter_stop_wh: float | None = None
    last_energy_wh: float | None = None  # the newest register value seen (the energy so far)
    peak_power_w: float | None = None
    first_frame_id: int = 0
    last_frame_id: int = 0

    @property
    def energy_wh(self) -> float | None:
        end = self.meter_stop_wh if self.meter_stop_wh is not None else self.last_energy_wh
        if end is None or self.meter_start_wh is None:
            return None
        return max(0.0, end - self.meter_start_wh)

    @property
    def duration_s(self) -> float | None:
        if not self.started_ms:
            return None
        return max(0.0, ((self.stopped_ms or self.last_ms) - self.started_ms) / 1000.0)

    last_ms: int = 0  # the newest frame of the session


def timestamp_ms(text: Any, default: int | None) -> int | None:
    """An OCPP timestamp (RFC 3339) as ms since the epoch; `default` when missing or unreadable."""
    if not isinstance(text, str) or not text:
        return default
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return default
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp() * 1000)


def samples_of(meter_value: Any, charger_id: str, connector: str, transaction_id: str, frame_id: int,
               default_ms: int) -> list[Sample]:
    """Every usable sampledValue of a meterValue list, in base units."""
    found: list[Sample] = []
    if not isinstance(meter_value, list):
        return found
    for entry in meter_value:
        if not isinstance(entry, dict):
            continue
        at = timestamp_ms(entry.get("timestamp"), default_ms)
        values = entry.get("sampledValue", entry.get("sampled_value"))
        for sample in values if isinstance(values, list) else []:
            if not isinstance(sample, dict):
                continue
            parsed = metering.sample_value(sample)
            if parsed is None:
                continue
            measurand, phase, value, unit = parsed
            found.append(Sample(charger_id, connector, transaction_id, at, measurand, phase, value, unit,
                                str(sample.get("context") or "Sample.Periodic"), str(sample.get("location") or ""),
                                frame_id))
    return found


def _evse(payload: dict[str, Any]) -> str:
    evse = payload.get("evse")
    if isinstance(evse, dict) and evse.get("id") is not None:
        return f"{evse.get('id')}/{evse.get('connectorId', 1)}"
    if payload.get("evseId") is not None:
        return f"{payload.get('evseId')}/1"
    return ""


class Assembler:
    """Feed it the journal's frames in id order; it keeps the sessions and gives back what changed.

    `feed` returns (sessions touched, samples found) for that frame. A 1.6 StartTransaction's
    transaction id is in its CALLRESULT: the CALL waits (by unique id) until the answer comes."""

    def __init__(self) -> None:
        self.sessions: dict[tuple[str, str], Session] = {}
        self._calls: dict[tuple[str, str], tuple[str, dict[str, Any], int, int]] = {}  # 1.6 starts awaiting ids
        self.versions: dict[str, str] = {}  # charger id -> OCPP version (from its frames)

    def feed(self, frame_id: int, ts_ms: int, charger_id: str, incoming: bool, message_type: int, action: str,
             unique_id: str, message: Any) -> tuple[list[Session], list[Sample]]:
        if message_type == NOTE and action == "Connected" and isinstance(message, dict):
            self.versions[charger_id] = str(message.get("ocppVersion") or "")  # the journal's own note
            return [], []
        if not isinstance(message, list) or len(message) < 3:
            return [], []
        if message_type == 2 and incoming and len(message) == 4 and isinstance(message[3], dict):
            return self._call(frame_id, ts_ms, charger_id, action, unique_id, message[3])
        if message_type == 3 and not incoming and isinstance(message[2], dict):
            pending = self._calls.pop((charger_id, unique_id), None)
            if pending is not None and action == "StartTransaction":
                _, payload, call_frame, call_ms = pending
                transaction = message[2].get("transactionId")
                if transaction is None:
                    return [], []
                session = self._session(charger_id, str(transaction), "1.6", call_frame)
                session.connector = str(payload.get("connectorId", ""))
                session.id_token = str(payload.get("idTag", ""))
                session.started_ms = timestamp_ms(payload.get("timestamp"), call_ms)
                session.meter_start_wh = metering.number(payload.get("meterStart"))
                session.last_frame_id, session.last_ms = frame_id, max(session.last_ms, ts_ms)
                return [session], []
        return [], []

    def _session(self, charger_id: str, transaction_id: str, version: str, frame_id: int) -> Session:
        key = (charger_id, transaction_id)
        session = self.sessions.get(key)
        if session is None:
            session = self.sessions[key] = Session(charger_id, transaction_id,
                                                   version=self.versions.get(charger_id) or version,
                                                   first_frame_id=frame_id)
        return session

    def _call(self, frame_id: int, ts_ms: int, charger_id: str, action: str, unique_id: str,
              payload: dict[str, Any]) -> tuple[list[Session], list[Sample]]:
        if action == "StartTransaction":
            self._calls[(charger_id, unique_id)] = (action, payload, frame_id, ts_ms)
            return [], []
        if action == "StopTransaction":
            session = self._session(charger_id, str(payload.get("transactionId", "")), "1.6", frame_id)
            found = samples_of(payload.get("transactionData"), charger_id, session.connector,
                               session.transaction_id, frame_id, ts_ms)
            session.stopped_ms = timestamp_ms(payload.get("timestamp"), ts_ms)
            session.meter_stop_wh = metering.number(payload.get("meterStop"))
            session.stop_reason = str(payload.get("reason") or "Local")  # 1.6: absent means Local
            self._took(session, found, frame_id, ts_ms)
            return [session], found
        if action == "MeterValues":
            transaction = payload.get("transactionId")
            connector = str(payload["connectorId"]) if "connectorId" in payload else _evse(payload)
            tx = "" if transaction is None else str(transaction)
            found = samples_of(payload.get("meterValue"), charger_id, connector, tx, frame_id, ts_ms)
            session = self.sessions.get((charger_id, tx)) if tx else None
            if session is None:
                return [], found
            self._took(session, found, frame_id, ts_ms)
            return [session], found
        if action == "TransactionEvent":
            info = payload.get("transactionInfo") if isinstance(payload.get("transactionInfo"), dict) else {}
            transaction = info.get("transactionId")
            if transaction is None:
                return [], []
            session = self._session(charger_id, str(transaction), "2.x", frame_id)
            connector = _evse(payload)
            if connector:
                session.connector = connector
            token = payload.get("idToken")
            if isinstance(token, dict) and token.get("idToken"):
                session.id_token = str(token["idToken"])
            at = timestamp_ms(payload.get("timestamp"), ts_ms)
            found = samples_of(payload.get("meterValue"), charger_id, session.connector, session.transaction_id,
                               frame_id, at)
            kind = payload.get("eventType")
            if kind == "Started" or not session.started_ms:
                session.started_ms = session.started_ms or at
            if kind == "Ended":
                session.stopped_ms = at
                session.stop_reason = str(info.get("stoppedReason") or "Local")  # 2.x: absent means Local
            self._took(session, found, frame_id, ts_ms)
            return [session], found
        return [], []

    @staticmethod
    def _took(session: Session, found: Iterable[Sample], frame_id: int, ts_ms: int) -> None:
        """A session's energy and peak power from its samples (register: first = start, last = stop)."""
        for sample in found:
            if sample.measurand == metering.ENERGY and not sample.phase:
                if session.meter_start_wh is None:
                    session.meter_start_wh = sample.value
                if sample.context == "Transaction.End" and session.meter_stop_wh is None:
                    session.meter_stop_wh = sample.value
                session.last_energy_wh = sample.value
            elif sample.measurand == metering.POWER and not sample.phase:
                session.peak_power_w = max(session.peak_power_w or 0.0, sample.value)
        session.last_frame_id = max(session.last_frame_id, frame_id)
        session.last_ms = max(session.last_ms, ts_ms)
