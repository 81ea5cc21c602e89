"""The simulator's sans-I/O parts: backoff, meter, 1.6 configuration keys, 2.x device model, config."""

from __future__ import annotations

import datetime
import random

import pytest

from app import simulator
from app.domain import errors
from app.simulator import device_model, meter
from app.simulator import keys_v16 as config_keys
from app.simulator import options as config


def test_backoff_grows_caps_jitters_and_resets():
    backoff = config.Backoff(1.0, 10.0, random.Random(1))
    delays = [backoff.next_delay() for _ in range(8)]
    assert all(1.0 <= d <= 10.0 for d in delays)
    assert 1.0 <= delays[0] <= 1.25 and 2.0 <= delays[1] <= 2.5 and 4.0 <= delays[2] <= 5.0
    assert delays[-1] == 10.0
    backoff.reset()
    assert backoff.next_delay() <= 1.25


def test_meter_counts_energy_only_while_charging():
    m = meter.Meter(random.Random(3), register_wh=1000.0)
    idle = m.read(0.0)
    assert idle.power_w == 0 and idle.soc is None and idle.energy_wh == 1000.0
    m.start(0.0)
    soc_before = m.soc
    reading = m.read(3600.0)  # one hour at 11 kW
    assert 11_000 < reading.energy_wh - 1000.0 < 11_100
    assert reading.soc > soc_before and 220 < reading.voltage_v < 240
    assert reading.current_a == pytest.approx(reading.power_w / (3 * reading.voltage_v), abs=0.01)
    m.stop(3600.0)
    assert m.read(7200.0).energy_wh == reading.energy_wh


def test_meter_tapers_near_full():
    m = meter.Meter(random.Random(3))
    m.start(0.0)
    m.soc = 95.0
    assert m.power_w() < 0.3 * 3 * 230 * 16
    m.soc = 100.0
    assert m.power_w() == 0


def test_sampled_value_formats():
    reading = meter.Reading(energy_wh=1234.5, power_w=7000.0, current_a=10.1, voltage_v=231.0, soc=None)
    v16 = meter.sampled_values_16(reading, ["Energy.Active.Import.Register", "SoC"], "Sample.Periodic")
    assert v16 == [{"value": "1234.5", "context": "Sample.Periodic", "format": "Raw",
                    "measurand": "Energy.Active.Import.Register", "location": "Outlet", "unit": "Wh"}]
    v2 = meter.sampled_values_2x(reading, ["Voltage"], "Trigger")
    assert v2 == [{"value": 231.0, "context": "Trigger", "measurand": "Voltage", "location": "Outlet",
                   "unit_of_measure": {"unit": "V"}}]


def test_config_keys_change_rules():
    keys = config_keys.ConfigKeys.default(connectors=2, password=None)
    assert keys.change("heartbeatinterval", "60") == "Accepted" and keys.get("HeartbeatInterval") == "60"
    assert keys.change("NumberOfConnectors", "4") == "Rejected"
    assert keys.change("HeartbeatInterval", "-1") == "Rejected"
    assert keys.change("LocalPreAuthorize", "TRUE") == "Accepted" and keys.get("LocalPreAuthorize") == "true"
    assert keys.change("LocalPreAuthorize", "yes") == "Rejected"
    assert keys.change("MeterValuesSampledData", "Energy.Active.Import.Register,Voltage") == "Accepted"
    assert keys.change("MeterValuesSampledData", "Energy.Active.Import.Register,Bogus") == "Rejected"
    assert keys.change("Nope", "1") == "NotSupported"
    assert keys.change("SecurityProfile", "1") == "RebootRequired"
    assert keys.change("SecurityProfile", "0") == "Rejected"  # never downgraded
    assert keys.get("ConnectorPhaseRotation") == "0.RST,1.RST,2.RST"


def test_device_model_lookup_rules():
    model = device_model.DeviceModel(device_model.default_variables(
        vendor="V", model="M", serial="S", charger_id="CP", evses=2, password=None,
    ))
    comp = {"name": "ocppcommctrlr"}  # component names are case-insensitive
    assert model.get(comp, {"name": "HeartbeatInterval"}, None) == ("Accepted", "300")
    assert model.set(comp, {"name": "HeartbeatInterval"}, "Actual", "abc")[0] == "Rejected"
    assert model.set(comp, {"name": "HeartbeatInterval"}, None, "30")[0] == "Accepted"
    assert model.get({"name": "EVSE", "evse": {"id": 3}}, {"name": "Power"}, None)[0] == "UnknownComponent"
    assert model.get({"name": "EVSE", "evse": {"id": 2}}, {"name": "Power"}, None)[0] == "Accepted"
    assert model.get({"name": "DeviceDataCtrlr"}, {"name": "ItemsPerMessage"}, None)[0] == "UnknownVariable"
    assert model.set({"name": "TxCtrlr"}, {"name": "TxStopPoint"}, None, "EVConnected,Nonsense")[0] == "Rejected"
    assert model.set({"name": "SecurityCtrlr"}, {"name": "BasicAuthPassword"}, None, "short")[0] == "Rejected"
    assert model.set({"name": "SecurityCtrlr"}, {"name": "BasicAuthPassword"}, None, "x" * 20)[0] == "Accepted"
    assert model.get({"name": "SecurityCtrlr"}, {"name": "BasicAuthPassword"}, None) == ("Rejected", None)
    assert len(model.report("SummaryInventory")) == 2 + 2 * 4
    assert len(model.report("FullInventory")) == len(model)


def test_sim_config_defaults_and_validation():
    cfg = simulator.SimConfig(url="ws://host:9000/ocpp/", charger_id="CP-7")
    assert cfg.endpoint == "ws://host:9000/ocpp/CP-7"
    assert cfg.serial_number == "SIM-CP-7" and cfg.subprotocol == "ocpp1.6"
    with pytest.raises(errors.ConfigError):
        simulator.SimConfig(url="ws://host/ocpp", charger_id="CP", ocpp_version="2.0")
    with pytest.raises(errors.ConfigError):
        simulator.SimConfig(url="http://host/ocpp", charger_id="CP")
    with pytest.raises(errors.ConfigError):
        simulator.SimConfig(url="ws://host/ocpp", charger_id="a:b")


def test_fleet_ids():
    assert simulator.fleet_ids("ID", None) == ["ID"]
    assert simulator.fleet_ids("ID", 3) == ["ID-0001", "ID-0002", "ID-0003"]


def test_iso_timestamps_are_utc_with_z():
    moment = datetime.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert config.iso(moment) == "2024-05-01T10:00:00.123Z"


def test_a_fallback_is_reported_once_and_only_for_the_connection_that_made_it():
    from app.simulator import station as sim_station
    st = sim_station.Station(config.SimConfig(url="ws://good/ocpp", charger_id="FB-1", ocpp_version="1.6"))
    st.connected_on(0)
    # The backend URL changes mid-session (a handover before its Reset): this connection fell back from nothing.
    st.config_keys.change("CentralSystemUrl", "ws://nowhere/ocpp")
    assert st.fell_back() == []
    st.rebooted()
    assert st.endpoint()[1] == "ws://nowhere/ocpp/FB-1"
    st.connection_failed("cannot connect to ws://nowhere/ocpp/FB-1: refused")
    slot, endpoint, _ = st.endpoint()
    assert endpoint == "ws://good/ocpp/FB-1"
    st.connected_on(slot)
    assert st.fell_back() == [(1, "cannot connect to ws://nowhere/ocpp/FB-1: refused")]
    assert st.fell_back() == []  # said once
