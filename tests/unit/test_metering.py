"""Meter values in the units a technician reads, from what chargers really send."""

import pytest

from app.csms import registry as csms_registry
from app.domain import metering, model
from app.simulator import meter as sim_meter


def test_the_simulators_16_sampled_values_read_back():
    reading = sim_meter.Reading(energy_wh=12_345.0, power_w=11_040.0, current_a=16.0, voltage_v=230.0, soc=42.0)
    samples = sim_meter.sampled_values_16(reading, list(sim_meter.DEFAULT_SAMPLED), "Sample.Periodic")
    got = metering.read([{"timestamp": "2026-01-01T00:00:00Z", "sampledValue": samples}])
    assert got == metering.Reading(power_w=11_040.0, energy_wh=12_345.0, current_a=16.0, voltage_v=230.0, soc=42.0)


def test_the_simulators_2x_sampled_values_in_snake_case_read_back():
    reading = sim_meter.Reading(energy_wh=500.0, power_w=7_000.0, current_a=10.0, voltage_v=231.0, soc=None)
    samples = sim_meter.sampled_values_2x(reading, list(sim_meter.DEFAULT_SAMPLED), "Sample.Periodic")
    snake = [{("unit_of_measure" if k == "unitOfMeasure" else k): v for k, v in s.items()} for s in samples]
    got = metering.read([{"timestamp": "x", "sampled_value": snake}])
    assert (got.power_w, got.energy_wh, got.current_a, got.soc) == (7_000.0, 500.0, 10.0, None)


def test_units_multipliers_and_phases():
    got = metering.read([{"sampledValue": [
        {"value": "1.5", "unit": "kWh"},  # no measurand: Energy.Active.Import.Register
        {"value": 3, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "W", "multiplier": 3}},
        {"value": "15.9", "measurand": "Current.Import", "phase": "L1", "unit": "A"},
        {"value": "16.2", "measurand": "Current.Import", "phase": "L2", "unit": "A"},
        {"value": "15.0", "measurand": "Current.Import", "phase": "L3", "unit": "A"},
        {"value": "0.4", "measurand": "Current.Import", "phase": "N", "unit": "A"},
        {"value": "229", "measurand": "Voltage", "phase": "L1-N"},
        {"value": "231", "measurand": "Voltage", "phase": "L2-N"},
    ]}])
    assert got.energy_wh == 1500.0
    assert got.power_w == 3000.0
    assert got.current_a == 16.2  # the highest phase
    assert got.voltage_v == 230.0


def test_per_phase_power_is_summed_and_a_total_wins():
    phases = [{"value": "3000", "measurand": "Power.Active.Import", "phase": p, "unit": "W"} for p in ("L1", "L2", "L3")]
    assert metering.read([{"sampledValue": phases}]).power_w == 9000.0
    total = phases + [{"value": "8900", "measurand": "Power.Active.Import", "unit": "W"}]
    assert metering.read([{"sampledValue": total}]).power_w == 8900.0


@pytest.mark.parametrize("meter_value", [
    None, "x", [1], [{"sampledValue": "x"}], [{"sampledValue": [{"value": "abc"}]}],
    [{"sampledValue": [{"value": "nan"}]}], [{"sampledValue": [{"value": True}]}],
    [{"sampledValue": [{"value": "5", "unit": "Furlong"}]}],
    [{"sampledValue": [{"value": 5, "unitOfMeasure": {"unit": "W", "multiplier": 400}, "measurand": "Power.Active.Import"}]}],
])
def test_garbage_reads_as_nothing_or_safe(meter_value):
    got = metering.read(meter_value)
    assert got.power_w in (None, 5.0) and got.energy_wh is None


def test_newer_entries_win_and_missing_measurands_keep_their_last_value():
    got = metering.read([
        {"sampledValue": [{"value": "100", "unit": "Wh"}, {"value": "10", "measurand": "SoC", "unit": "Percent"}]},
        {"sampledValue": [{"value": "200", "unit": "Wh"}]},
    ])
    assert (got.energy_wh, got.soc) == (200.0, 10.0)


def test_the_registry_keeps_the_live_meter_per_connector_or_evse():
    registry = csms_registry.Registry()
    registry.apply(model.Connected("CP", 0, "2.0.1", "1.2.3.4"))
    registry.apply(model.MeterValuesReceived("CP", 1, "1/1", "tx-1", 3, power_w=7000.0, energy_wh=100.0))
    registry.apply(model.MeterValuesReceived("CP", 2, "1", "", 1, current_a=10.0))  # 2.x MeterValues: evse only
    meter = registry.chargers["CP"].meters["1"]
    assert meter.reading.power_w == 7000.0 and meter.reading.current_a == 10.0 and meter.updated_ms == 2
    registry.apply(model.MeterValuesReceived("CP", 3, "2", "", 0))  # no values: nothing to show
    assert "2" not in registry.chargers["CP"].meters


def test_a_forgotten_charger_does_not_come_back_with_a_late_event():
    registry = csms_registry.Registry()
    registry.apply(model.Connected("CP", 1, "1.6", "1.2.3.4"))
    registry.apply(model.Disconnected("CP", 2))
    assert registry.forget("CP")
    registry.apply(model.Progress("CP", 3, 1, "Read configuration", model.TaskState.CANCELLED))
    registry.apply(model.StatusChanged("CP", 4, "1", "Available", ""))
    assert "CP" not in registry.chargers


def test_session_energy_and_no_power_once_the_session_ends_or_the_charger_goes():
    registry = csms_registry.Registry()
    registry.apply(model.Connected("CP", 0, "1.6", "1.2.3.4"))
    registry.apply(model.TransactionChanged("CP", 1, "1", "17", "started", "TAG", 10_000.0))
    registry.apply(model.MeterValuesReceived("CP", 2, "1", "17", 3, power_w=11_000.0, energy_wh=10_500.0, current_a=16.0))
    meter = registry.chargers["CP"].meters["1"]
    assert meter.session_wh == 500.0  # from meterStart, not the register's lifetime total
    registry.apply(model.MeterValuesReceived("CP", 3, "1", "", 1, energy_wh=10_800.0))  # no id: the open session's
    assert registry.chargers["CP"].meters["1"].session_wh == 800.0
    registry.apply(model.TransactionChanged("CP", 4, "", "17", "ended", "TAG", 10_800.0))
    ended = registry.chargers["CP"].meters["1"]
    assert ended.reading.power_w is None and ended.reading.current_a is None and ended.session_wh == 800.0
    registry.apply(model.TransactionChanged("CP", 5, "2", "18", "started", "TAG", None))
    registry.apply(model.MeterValuesReceived("CP", 6, "2", "18", 2, power_w=7000.0, energy_wh=2000.0))
    registry.apply(model.MeterValuesReceived("CP", 7, "2", "18", 2, power_w=7000.0, energy_wh=2100.0))
    assert registry.chargers["CP"].meters["2"].session_wh == 100.0  # 2.x: from the session's first reading
    registry.apply(model.Disconnected("CP", 8))
    assert registry.chargers["CP"].meters["2"].reading.power_w is None


def test_current_per_phase_offered_and_the_newest_timestamp_for_the_live_plot():
    got = metering.phases([
        {"timestamp": "2026-01-01T00:00:00Z", "sampledValue": [
            {"value": "10", "measurand": "Current.Import", "phase": "L1", "unit": "A"}]},
        {"timestamp": "2026-01-01T00:00:10Z", "sampled_value": [
            {"value": "15.9", "measurand": "Current.Import", "phase": "L1", "unit": "A"},
            {"value": "16.2", "measurand": "Current.Import", "phase": "L2-N", "unit": "A"},
            {"value": "0.4", "measurand": "Current.Import", "phase": "N", "unit": "A"},  # neutral: not a line
            {"value": 16, "measurand": "Current.Offered", "unit_of_measure": {"unit": "A"}},
            {"value": "11", "measurand": "Power.Offered", "unit": "kW"},
            {"value": "16", "measurand": "Current.Import", "unit": "A"},  # no phase: not one of them
        ]}])
    assert got == metering.Phases(current_l1_a=15.9, current_l2_a=16.2, current_l3_a=None, current_offered_a=16.0,
                                  power_offered_w=11_000.0, timestamp="2026-01-01T00:00:10Z")
    assert metering.phases(None) == metering.Phases() and metering.phases([{"sampledValue": "x"}]) == metering.Phases()


def test_the_live_event_carries_phases_offered_and_the_sample_time_beside_the_reading():
    import itertools

    from app.domain import csms_policy
    from app.ocpp import context as ocpp_context

    events: list[model.Event] = []
    ctx = ocpp_context.HandlerContext("CP", csms_policy.CsmsConfig(), events.append, lambda: 5, itertools.count(1))
    ctx.meter_values(1, 7, [{"timestamp": "2026-01-01T00:00:10Z", "sampled_value": [
        {"value": "7000", "measurand": "Power.Active.Import", "unit": "W"},
        {"value": "10.1", "measurand": "Current.Import", "phase": "L1", "unit": "A"},
        {"value": "10.3", "measurand": "Current.Import", "phase": "L3", "unit": "A"},
        {"value": "13", "measurand": "Current.Offered", "unit": "A"}]}])
    event = events[0]
    assert (event.power_w, event.current_a) == (7000.0, 10.3)  # the existing fields keep their meaning
    assert (event.current_l1_a, event.current_l2_a, event.current_l3_a) == (10.1, None, 10.3)
    assert event.current_offered_a == 13.0 and event.power_offered_w is None
    assert event.sampled_ms == 1_767_225_610_000
    assert event.to_dict()["current_l3_a"] == 10.3
