"""services.limits without sockets: sharing a site limit, the sum of currents aligned by time, and
reading currents out of meter values."""

from __future__ import annotations

import pytest

from app.domain import errors
from app.services import limits


def test_a_site_limit_is_shared_equally_floored_to_a_tenth() -> None:
    assert limits.share(32.0, 3) == 10.6
    assert limits.share(32.0, 1) == 32.0
    assert limits.share(12.0, 2) == 6.0
    assert limits.share(63.0, 10) == 6.3
    assert limits.share(32.0, 3) * 3 <= 32.0


def test_a_share_below_6_a_cannot_be_made() -> None:
    with pytest.raises(errors.ConfigError, match="32 A cannot be shared by 6 chargers: 5.3 A") as caught:
        limits.share(32.0, 6)
    assert "at most 5 chargers" in caught.value.hint
    with pytest.raises(errors.ConfigError):
        limits.share(32.0, 0)
    with pytest.raises(errors.ConfigError):
        limits.share(0.0, 2)


def test_tolerance() -> None:
    assert limits.tolerance(10.0) == 0.5 and limits.tolerance(32.0) == pytest.approx(0.96)


def _seen(charger_id: str, limit: float, *samples: tuple[int, float]) -> limits.Observation:
    return limits.Observation(charger_id, 1, limit, [limits.Sample(ts, amps) for ts, amps in samples], len(samples))


def test_the_peak_of_the_sum_counts_each_charger_at_its_latest_sample() -> None:
    a = _seen("A", 10.0, (1000, 10.0), (3000, 10.0))
    b = _seen("B", 10.0, (1500, 9.0), (2500, 16.0))
    c = _seen("C", 10.0, (2000, 10.0))
    assert limits.peak_sum([a, b, c]) == 36.0  # at 2500: A 10 + B 16 + C 10
    assert limits.peak_sum([a, _seen("D", 10.0)]) is None  # D never reported: no moment with all of them


def test_the_sum_aligns_chargers_by_when_their_samples_arrived_not_by_their_clocks() -> None:
    # A's clock is 60 s behind, B's 60 s ahead: by their own stamps A's readings all come first.
    a = limits.Observation("A", 1, 16.0, [limits.Sample(1000 - 60_000, 16.0, received_ms=1000),
                                          limits.Sample(3000 - 60_000, 10.0, received_ms=3000)], 2)
    b = limits.Observation("B", 1, 16.0, [limits.Sample(2000 + 60_000, 16.0, received_ms=2000),
                                          limits.Sample(4000 + 60_000, 10.0, received_ms=4000)], 2)
    assert limits.peak_sum([a, b]) == 32.0  # at 2000 both drew 16 A (by their stamps: never)
    assert a.samples[0].at_ms == 1000 and limits.Sample(5, 1.0).at_ms == 5  # no arrival known: its stamp


def test_samples_keep_the_chargers_stamp_beside_the_arrival() -> None:
    entry = [{"timestamp": "2026-03-01T12:00:00Z", "sampledValue": [
        {"value": "9.8", "measurand": "Current.Import", "phase": "L1", "unit": "A"}]}]
    (sample,) = limits.samples_of(entry, 1_772_366_460_000)  # received a minute later by the laptop's clock
    assert (sample.ts_ms, sample.received_ms, sample.at_ms) == (1_772_366_400_000, 1_772_366_460_000,
                                                                 1_772_366_460_000)


def test_an_observation_says_obeyed_and_why_not() -> None:
    ok = _seen("A", 10.0, (1, 10.2), (2, 9.9))
    assert ok.obeyed and ok.drawing and ok.peak_a == 10.2 and "obeys" in ok.message
    over = _seen("A", 10.0, (1, 10.6))
    assert not over.obeyed and "does not obey the limit: peak 10.6 A in 1 sample" in over.message
    idle = _seen("A", 10.0, (1, 0.0))
    assert idle.obeyed and not idle.drawing and "the EV did not charge" in idle.message


def test_samples_of_meter_values_16_and_2x() -> None:
    v16 = [{"timestamp": "2026-03-01T12:00:00Z", "sampledValue": [
        {"value": "9.8", "measurand": "Current.Import", "phase": "L1", "unit": "A"},
        {"value": "10.1", "measurand": "Current.Import", "phase": "L2", "unit": "A"},
        {"value": "10", "measurand": "Current.Offered", "unit": "A"},
        {"value": "6900", "measurand": "Power.Active.Import", "unit": "W"}]}]
    (sample,) = limits.samples_of(v16, 0)
    assert (sample.current_a, sample.offered_a, sample.estimated) == (10.1, 10.0, False)
    assert sample.ts_ms == 1_772_366_400_000
    v2x = [{"timestamp": "2026-03-01T12:00:01Z", "sampledValue": [
        {"value": 6.9, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "kW"}},
        {"value": 230, "measurand": "Voltage", "unitOfMeasure": {"unit": "V"}}]}]
    (estimated,) = limits.samples_of(v2x, 0)
    assert estimated.current_a == 10.0 and estimated.estimated
    assert limits.samples_of([{"sampledValue": [{"value": "100"}]}], 5) == []  # energy only: no current


def test_profile_requests_per_version() -> None:
    v16 = limits.profile_request("1.6", 10.04)
    assert v16.payload["connectorId"] == 0
    body = v16.payload["csChargingProfiles"]
    assert body["chargingProfilePurpose"] == "ChargePointMaxProfile"
    assert body["chargingSchedule"]["chargingSchedulePeriod"] == [{"startPeriod": 0, "limit": 10.0}]
    v2x = limits.profile_request("2.0.1", 8.0, connector=2)
    assert v2x.payload["evseId"] == 2 and v2x.payload["chargingProfile"]["chargingProfilePurpose"] == "TxDefaultProfile"
    assert limits.profile_request("2.1", 8.0).payload["chargingProfile"]["chargingProfilePurpose"] == \
        "ChargingStationMaxProfile"


async def test_a_charger_listed_twice_cannot_share_a_site_limit() -> None:
    with pytest.raises(errors.ConfigError, match="listed twice"):
        await limits.balance(None, 32.0, ["A", "B", "A"])  # refused before anything is sent


def test_a_profile_with_a_validity_ends_at_valid_to() -> None:
    v16 = limits.profile_request("1.6", 10.0, valid_to="2026-03-01T13:00:00Z").payload["csChargingProfiles"]
    v2x = limits.profile_request("2.0.1", 10.0, valid_to="2026-03-01T13:00:00Z").payload["chargingProfile"]
    assert v16["validTo"] == v2x["validTo"] == "2026-03-01T13:00:00Z"
    assert "validTo" not in limits.profile_request("2.1", 10.0).payload["chargingProfile"]  # no end by default
