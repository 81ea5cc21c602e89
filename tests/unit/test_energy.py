"""domain.energy: sessions and samples from frames (sans-I/O), units normalised."""

from __future__ import annotations

from app.domain import energy, metering


def _feed(assembler, frame_id, incoming, message_type, action, message, charger="C", unique=""):
    return assembler.feed(frame_id, 1_000 * frame_id, charger, incoming, message_type, action, unique, message)


def test_units_are_normalised_with_prefixes_and_multipliers() -> None:
    assert metering.sample_value({"value": "1.5", "unit": "kWh"}) == (metering.ENERGY, "", 1500.0, "Wh")
    assert metering.sample_value({"value": 7, "measurand": "Power.Active.Import",
                                  "unitOfMeasure": {"unit": "W", "multiplier": 3}}) == (metering.POWER, "", 7000.0, "W")
    assert metering.sample_value({"value": "31.5", "measurand": "Temperature"})[2:] == (31.5, "Celsius")
    assert metering.sample_value({"value": "16", "measurand": "Current.Import", "phase": "L2"})[1:] == ("L2", 16.0, "A")
    assert metering.sample_value({"value": "x"}) is None
    assert metering.sample_value({"value": "1", "unit": "furlong"}) is None


def test_a_2x_transaction_from_started_to_ended_with_the_end_register() -> None:
    assembler = energy.Assembler()
    _feed(assembler, 1, True, 1, "Connected", {"ocppVersion": "2.0.1"})

    def event(kind, frame_id, wh, context, **extra):
        payload = {"eventType": kind, "timestamp": f"2026-01-01T00:00:{frame_id:02d}Z", "triggerReason": "X",
                   "seqNo": frame_id, "transactionInfo": {"transactionId": "T1", **extra},
                   "evse": {"id": 2, "connectorId": 1}, "idToken": {"idToken": "TAG", "type": "ISO14443"},
                   "meterValue": [{"timestamp": f"2026-01-01T00:00:{frame_id:02d}Z", "sampledValue": [
                       {"value": wh, "context": context, "unitOfMeasure": {"unit": "kWh"}},
                       {"value": 11, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "kW"}}]}]}
        return _feed(assembler, frame_id, True, 2, "TransactionEvent", [2, str(frame_id), "TransactionEvent", payload])

    event("Started", 2, 10.0, "Transaction.Begin")
    event("Updated", 3, 10.5, "Sample.Periodic")
    changed, found = event("Ended", 4, 12.25, "Transaction.End", stoppedReason="EVDisconnected")
    [session] = changed
    assert session.version == "2.0.1" and session.connector == "2/1" and session.id_token == "TAG"
    assert session.energy_wh == 2250.0 and session.peak_power_w == 11000.0 and session.stop_reason == "EVDisconnected"
    assert session.duration_s == 2.0 and session.first_frame_id == 2 and session.last_frame_id == 4
    assert [s.context for s in found] == ["Transaction.End", "Sample.Periodic"]


def test_meter_values_outside_a_session_are_samples_only() -> None:
    assembler = energy.Assembler()
    changed, found = _feed(assembler, 1, True, 2, "MeterValues", [2, "a", "MeterValues", {
        "evseId": 1, "meterValue": [{"timestamp": "2026-01-01T00:00:00Z", "sampledValue": [
            {"value": 230.1, "measurand": "Voltage", "phase": "L1-N"}]}]}])
    assert changed == [] and found[0].connector == "1/1" and found[0].transaction_id == ""
    assert (found[0].measurand, found[0].phase, found[0].unit) == ("Voltage", "L1-N", "V")


def test_a_16_start_waits_for_its_transaction_id_and_a_stop_without_reason_is_local() -> None:
    assembler = energy.Assembler()
    assert _feed(assembler, 1, True, 2, "StartTransaction", [2, "s", "StartTransaction", {
        "connectorId": 1, "idTag": "T", "meterStart": 1000, "timestamp": "2026-01-01T00:00:00Z"}], unique="s") == ([], [])
    [session], _ = _feed(assembler, 2, False, 3, "StartTransaction", [3, "s", {"transactionId": 5}], unique="s")
    assert session.transaction_id == "5" and session.meter_start_wh == 1000
    [session], _ = _feed(assembler, 3, True, 2, "StopTransaction", [2, "t", "StopTransaction", {
        "transactionId": 5, "meterStop": 1800, "timestamp": "2026-01-01T00:10:00Z"}])
    assert session.energy_wh == 800 and session.stop_reason == "Local" and session.duration_s == 600.0
