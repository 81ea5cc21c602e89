"""What the CSMS knows about each charger, kept current from the engine's events."""

from __future__ import annotations

import dataclasses

from app.domain import model

MAX_SECURITY_EVENTS = 50  # per charger, newest kept (the journal has them all)
MAX_WARNINGS = 20  # distinct compliance warnings kept per charger (all are in the journal)


def _idle(meter: model.MeterState) -> model.MeterState:
    return dataclasses.replace(meter, reading=dataclasses.replace(meter.reading, power_w=None, current_a=None))


def meter_key(connector: str) -> str:
    """Where a meter reading belongs: the 1.6 connector, or the 2.x EVSE ("1/2" -> "1")."""
    return connector.split("/", 1)[0] if connector else "0"


class Registry:
    """Charger id -> ChargerInfo, for connected and previously seen chargers. Loop-thread only."""

    def __init__(self) -> None:
        self.chargers: dict[str, model.ChargerInfo] = {}
        self._start_wh: dict[tuple[str, str], float] = {}  # (charger, transaction) -> 1.6 meterStart

    def info(self, charger_id: str) -> model.ChargerInfo:
        found = self.chargers.get(charger_id)
        if found is None:
            found = self.chargers[charger_id] = model.ChargerInfo(charger_id)
        return found

    def apply(self, event: model.Event) -> None:
        if event.charger_id in ("", "?"):  # server-wide events (listening, nameless refusals)
            return
        if isinstance(event, model.ConnectionRefused):
            # Only a charger already known keeps the refusal: an unknown id leaves nothing behind.
            known = self.chargers.get(event.charger_id)
            if known is not None:
                self.warn(known, f"connection refused: {event.reason}")
            return
        if isinstance(event, model.Connected):
            info = self.info(event.charger_id)
        else:
            # Only a connection makes a charger known: a late event of a forgotten one (its
            # Disconnected, a task's last Progress) must not bring it back as an empty row.
            found = self.chargers.get(event.charger_id)
            if found is None:
                return
            info = found
        if isinstance(event, model.Connected):
            info.connected = True
            info.ocpp_version = event.ocpp_version
            info.remote_address = event.remote_address
            info.connected_ms = event.ts_ms
            info.last_message_ms = event.ts_ms
            info.security_profile = event.security_profile
            for warning in event.warnings:
                self.warn(info, warning)
        elif isinstance(event, model.Disconnected):
            info.connected = False
            for key, meter in info.meters.items():  # nothing flows through a charger that is gone
                info.meters[key] = _idle(meter)
        elif isinstance(event, model.Booted):
            info.vendor, info.model, info.serial = event.vendor, event.model, event.serial
            info.firmware, info.boot_status = event.firmware, event.status
        elif isinstance(event, model.StatusChanged):
            info.connectors[event.connector] = model.ConnectorState(
                event.connector, event.status, event.error_code, updated_ms=event.ts_ms)
        elif isinstance(event, model.ComplianceWarning):
            self.warn(info, event.message)
        elif isinstance(event, model.SecurityEventReceived):
            info.security_events.append(event)
            del info.security_events[:-MAX_SECURITY_EVENTS]
        elif isinstance(event, model.TransactionChanged) and event.transaction_id:
            if event.event == "ended":
                connector = info.transactions.pop(event.transaction_id, None) or event.connector
                self._start_wh.pop((event.charger_id, event.transaction_id), None)
                key = meter_key(connector or "")
                if key in info.meters:  # the session is over: no power, no current any more
                    info.meters[key] = _idle(info.meters[key])
            else:
                if event.event == "started" and event.meter_wh is not None:
                    self._start_wh[(event.charger_id, event.transaction_id)] = event.meter_wh
                known = info.transactions.get(event.transaction_id, "")
                info.transactions[event.transaction_id] = event.connector or known
        elif isinstance(event, model.MeterValuesReceived):
            reading = event.reading
            if not reading.empty:
                # 2.x names the EVSE in a transaction's first event only: later ones are found by id.
                key = meter_key(event.connector or info.transactions.get(event.transaction_id, ""))
                before = info.meters.get(key)
                merged = before.reading.merged(reading) if before is not None else reading
                # A reading without a transaction id (2.x MeterValues) belongs to the open session there.
                transaction = event.transaction_id or (
                    before.transaction_id if before is not None and before.transaction_id in info.transactions else "")
                start = None
                if transaction:
                    if before is not None and before.transaction_id == transaction:
                        start = before.start_wh
                    if start is None:  # 1.6 meterStart, else the session's first reading
                        start = self._start_wh.pop((event.charger_id, transaction), merged.energy_wh)
                info.meters[key] = model.MeterState(merged, event.ts_ms, transaction, start)

    def forget(self, charger_id: str) -> bool:
        """Drop a charger that is not connected (the technician's "Forget"); its frames stay in the journal."""
        info = self.chargers.get(charger_id)
        if info is None or info.connected:
            return False
        del self.chargers[charger_id]
        return True

    def frame(self, frame: model.Frame) -> None:
        info = self.chargers.get(frame.charger_id)
        if info is not None:
            info.last_message_ms = frame.ts_ms
            if frame.warnings:
                self.warn(info, frame.warnings)

    @staticmethod
    def warn(info: model.ChargerInfo, message: str) -> None:
        if message in info.warnings:
            return
        info.warnings.append(message)
        del info.warnings[:-MAX_WARNINGS]
