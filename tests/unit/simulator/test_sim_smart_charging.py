"""The virtual charger's charging profiles without sockets: what limits a connector, the composite
schedule, and the install / clear rules of 1.6 and 2.x (app.simulator.smart_charging)."""

from __future__ import annotations

import datetime

from app.simulator import smart_charging as smart

T0 = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.timezone.utc)


def profile_16(pid: int, purpose: str, periods: list[tuple[int, float]], *, connector: int = 0, stack: int = 0,
               kind: str = "Absolute", unit: str = "A", start: str | None = "2026-03-01T12:00:00Z",
               **extra: object) -> smart.Profile:
    schedule = {"charging_rate_unit": unit, "charging_schedule_period": [
        {"start_period": s, "limit": limit} for s, limit in periods]}
    if start:
        schedule["start_schedule"] = start
    return smart.Profile.from_16(connector, {"charging_profile_id": pid, "stack_level": stack,
                                             "charging_profile_purpose": purpose, "charging_profile_kind": kind,
                                             "charging_schedule": schedule, **extra})


def test_the_limit_is_the_lowest_of_the_station_maximum_the_default_and_the_hardware() -> None:
    store = smart.Profiles(16.0)
    assert store.limit_at(1, T0, None) == 16.0
    store.install(profile_16(1, "ChargePointMaxProfile", [(0, 20.0)]), replace_same_stack=True)
    assert store.limit_at(1, T0, None) == 16.0  # the hardware is lower
    store.install(profile_16(2, "TxDefaultProfile", [(0, 10.0)], connector=1), replace_same_stack=True)
    assert store.limit_at(1, T0, None) == 10.0 and store.limit_at(2, T0, None) == 16.0
    assert store.limit_at(0, T0, None) == 16.0  # connector 0: the station's cap, not a connector's default
    store.install(profile_16(3, "ChargePointMaxProfile", [(0, 8.0)], stack=1), replace_same_stack=True)
    assert store.limit_at(1, T0, None) == 8.0 and store.limit_at(2, T0, None) == 8.0


def test_a_tx_profile_beats_the_default_and_a_connector_default_beats_connector_0() -> None:
    store = smart.Profiles(32.0)
    store.install(profile_16(1, "TxDefaultProfile", [(0, 20.0)]), replace_same_stack=True)
    store.install(profile_16(2, "TxDefaultProfile", [(0, 12.0)], connector=2), replace_same_stack=True)
    tx = smart.Transaction(7, T0)
    store.install(profile_16(3, "TxProfile", [(0, 25.0)], connector=1, transaction_id=7), replace_same_stack=True)
    assert store.limit_at(1, T0, tx) == 25.0  # the transaction's own, even above the default
    assert store.limit_at(1, T0, None) == 20.0  # without the transaction: connector 0's default
    assert store.limit_at(2, T0, None) == 12.0
    store.end_transaction(1)
    assert store.limit_at(1, T0, tx) == 20.0


def test_the_composite_follows_the_periods_over_the_duration() -> None:
    store = smart.Profiles(16.0)
    store.install(profile_16(1, "ChargePointMaxProfile", [(0, 10.0), (600, 6.0), (1200, 14.0)]),
                  replace_same_stack=True)
    assert store.composite(1, T0, 3600, None) == [(0, 10.0), (600, 6.0), (1200, 14.0)]
    assert store.composite(1, T0 + datetime.timedelta(seconds=900), 600, None) == [(0, 6.0), (300, 14.0)]
    assert store.composite(1, T0, 300, None) == [(0, 10.0)]


def test_relative_recurring_and_validity() -> None:
    store = smart.Profiles(16.0)
    # Relative: from the transaction's start (5 min ago), so its second period has begun.
    store.install(profile_16(1, "TxDefaultProfile", [(0, 12.0), (600, 8.0)], connector=1, kind="Relative",
                             start=None), replace_same_stack=True)
    tx = smart.Transaction("t", T0 - datetime.timedelta(seconds=300))
    assert store.composite(1, T0, 900, tx) == [(0, 12.0), (300, 8.0)]
    # Daily from 11:00: 1 h at 6 A, then 16 A; a valid_to ends it at 13:30.
    daily = profile_16(2, "ChargePointMaxProfile", [(0, 6.0), (3600, 16.0)], kind="Recurring",
                       start="2026-02-20T11:00:00Z", recurrency_kind="Daily", valid_to="2026-03-01T13:30:00Z")
    store.install(daily, replace_same_stack=True)
    assert store.limit_at(2, T0 - datetime.timedelta(minutes=30), None) == 6.0
    assert store.limit_at(2, T0, None) == 16.0
    assert not daily.valid_at(T0 + datetime.timedelta(hours=2))


def test_a_limit_in_watts_is_amperes_at_230_v_per_phase() -> None:
    store = smart.Profiles(32.0)
    store.install(profile_16(1, "ChargePointMaxProfile", [(0, 6900.0)], unit="W"), replace_same_stack=True)
    assert store.limit_at(1, T0, None) == 10.0
    assert smart.from_amps(10.0, "W", None) == 6900.0 and smart.to_amps(2300.0, "W", 1) == 10.0


def test_replacing_by_id_and_by_stack_level_16_and_2x() -> None:
    store = smart.Profiles(16.0)
    store.install(profile_16(1, "ChargePointMaxProfile", [(0, 10.0)]), replace_same_stack=True)
    store.install(profile_16(1, "ChargePointMaxProfile", [(0, 9.0)]), replace_same_stack=True)
    assert list(store.by_id) == [1] and store.limit_at(1, T0, None) == 9.0
    # 1.6: same purpose and stack level replaces the other profile.
    assert store.install(profile_16(2, "ChargePointMaxProfile", [(0, 8.0)]), replace_same_stack=True) == "Accepted"
    assert list(store.by_id) == [2]
    # 2.x: it is refused instead.
    assert store.install(profile_16(3, "ChargePointMaxProfile", [(0, 7.0)]), replace_same_stack=False) == "Rejected"
    assert list(store.by_id) == [2]
    assert store.install(profile_16(3, "ChargePointMaxProfile", [(0, 7.0)], stack=1),
                         replace_same_stack=False) == "Accepted"


def test_clear_by_id_by_criteria_and_all() -> None:
    store = smart.Profiles(16.0)
    for pid, purpose, connector, stack in ((1, "ChargePointMaxProfile", 0, 0), (2, "TxDefaultProfile", 1, 0),
                                           (3, "TxDefaultProfile", 2, 1), (4, "TxDefaultProfile", 2, 2)):
        store.install(profile_16(pid, purpose, [(0, 10.0)], connector=connector, stack=stack), replace_same_stack=True)
    assert store.clear(profile_id=9) is False
    assert store.clear(profile_id=1) is True and 1 not in store.by_id
    assert store.clear(connector=2, stack_level=2) is True and set(store.by_id) == {2, 3}
    assert store.clear(purpose="TxDefaultProfile", connector=1) and set(store.by_id) == {3}
    assert store.clear() and not store.by_id and not store.clear()


def test_matching_for_get_charging_profiles() -> None:
    store = smart.Profiles(16.0)
    store.install(smart.Profile.from_2x(0, {"id": 5, "stack_level": 0, "charging_profile_purpose":
                                            "ChargingStationMaxProfile", "charging_profile_kind": "Absolute",
                                            "charging_schedule": [{"id": 1, "charging_rate_unit": "A",
                                                                   "charging_schedule_period": [
                                                                       {"start_period": 0, "limit": 20.0}]}]}),
                  replace_same_stack=False)
    assert [p.id for p in store.matching(None)] == [5]
    assert store.matching(1) == [] and store.matching(None, sources=["EMS"]) == []
    assert [p.id for p in store.matching(0, purpose="ChargingStationMaxProfile", ids=[5])] == [5]
    assert store.limit_at(1, T0, None) == 16.0 and store.limit_at(0, T0, None) == 16.0
