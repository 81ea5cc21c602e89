"""The virtual charger's charging profiles, sans-I/O: install, clear, select, and the composite schedule.

One store serves 1.6 and 2.x. A profile is kept as received (snake_case, for GetChargingProfiles'
report) beside a normalised form. Every limit is worked out in amperes per phase, the unit the
simulated EV draws in; a W limit becomes A with the nominal voltage and the period's numberPhases
(3 when it gives none), and back again when the CSMS asks for the composite in W.

What limits a connector at a moment (OCPP 1.6 3.13.3, 2.0.1 K08 "Get Composite Schedule"):
  * the station-wide maximum: ChargePointMaxProfile / ChargingStationMaxProfile on connector 0
    (and 2.x's ChargingStationExternalConstraints), the highest stackLevel in force;
  * the transaction's: its TxProfile if one is in force, else the TxDefaultProfile of the
    connector, else the one on connector 0, the highest stackLevel in force;
  * the hardware's own maximum (`hardware_a`).
The lowest of those is the limit; the composite schedule is that limit over the asked duration,
one period where it changes. Absolute, Relative (from the transaction's start, or now without
one) and Recurring (Daily/Weekly) schedules, validFrom/validTo and a schedule's duration are honoured.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from app.simulator import logs
from app.simulator import meter

MAX = "max"  # ChargePointMaxProfile (1.6), ChargingStationMaxProfile (2.x)
EXTERNAL = "external"  # 2.x ChargingStationExternalConstraints
DEFAULT = "default"  # TxDefaultProfile
TX = "tx"  # TxProfile
_PURPOSES = {"ChargePointMaxProfile": MAX, "ChargingStationMaxProfile": MAX,
             "ChargingStationExternalConstraints": EXTERNAL, "TxDefaultProfile": DEFAULT, "TxProfile": TX}
NOMINAL_V = meter.NOMINAL_VOLTAGE
DEFAULT_PHASES = meter.PHASES
_RECURRENCE = {"Daily": 86_400, "Weekly": 7 * 86_400}


def to_amps(limit: float, unit: str, phases: int | None) -> float:
    """A schedule limit as amperes per phase."""
    if unit == "W":
        return limit / (NOMINAL_V * (phases or DEFAULT_PHASES))
    return limit


def from_amps(amps: float, unit: str, phases: int | None) -> float:
    if unit == "W":
        return amps * NOMINAL_V * (phases or DEFAULT_PHASES)
    return amps


@dataclasses.dataclass(frozen=True)
class Period:
    start: int  # s from the schedule's start
    limit: float
    phases: int | None = None


@dataclasses.dataclass
class Profile:
    id: int
    connector: int  # 1.6 connectorId / 2.x evseId; 0: the whole station
    stack_level: int
    purpose: str  # MAX, EXTERNAL, DEFAULT, TX
    kind: str  # Absolute, Relative, Recurring
    unit: str  # A or W
    periods: list[Period]
    raw: dict[str, Any]  # as received, snake_case (the `ocpp` package's handler arguments)
    recurrency: str | None = None
    valid_from: datetime.datetime | None = None
    valid_to: datetime.datetime | None = None
    start_schedule: datetime.datetime | None = None
    duration: int | None = None
    transaction_id: Any = None

    @classmethod
    def from_16(cls, connector_id: int, profile: dict[str, Any]) -> Profile:
        return cls._build(connector_id, profile, profile["charging_profile_id"], profile["charging_schedule"])

    @classmethod
    def from_2x(cls, evse_id: int, profile: dict[str, Any]) -> Profile:
        # 2.0.1 allows up to three schedules (ISO 15118 offers); the CSMS's limit is the first.
        return cls._build(evse_id, profile, profile["id"], profile["charging_schedule"][0])

    @classmethod
    def _build(cls, connector: int, profile: dict[str, Any], profile_id: int, schedule: dict[str, Any]) -> Profile:
        periods = sorted((Period(int(p["start_period"]), float(p["limit"]) if p.get("limit") is not None else 0.0,
                                 p.get("number_phases")) for p in schedule.get("charging_schedule_period", [])),
                         key=lambda p: p.start)
        return cls(
            id=int(profile_id), connector=connector, stack_level=int(profile["stack_level"]),
            purpose=_PURPOSES.get(profile["charging_profile_purpose"], profile["charging_profile_purpose"]),
            kind=profile["charging_profile_kind"], unit=schedule.get("charging_rate_unit", "A"), periods=periods,
            raw=profile, recurrency=profile.get("recurrency_kind"), valid_from=logs.parse_time(profile.get("valid_from")),
            valid_to=logs.parse_time(profile.get("valid_to")),
            start_schedule=logs.parse_time(schedule.get("start_schedule")), duration=schedule.get("duration"),
            transaction_id=profile.get("transaction_id"),
        )

    def valid_at(self, moment: datetime.datetime) -> bool:
        return ((self.valid_from is None or self.valid_from <= moment)
                and (self.valid_to is None or moment < self.valid_to))

    def schedule_start(self, moment: datetime.datetime, tx_start: datetime.datetime | None) -> datetime.datetime:
        """When the schedule in force at `moment` began (a recurring one: its latest recurrence)."""
        if self.kind == "Relative":
            return tx_start or moment
        start = self.start_schedule or self.valid_from or moment
        period = _RECURRENCE.get(self.recurrency or "") if self.kind == "Recurring" else None
        if period and moment > start:
            start += datetime.timedelta(seconds=((moment - start).total_seconds() // period) * period)
        return start

    def limit_at(self, moment: datetime.datetime, tx_start: datetime.datetime | None) -> float | None:
        """Amperes per phase this profile allows at `moment`; None when it says nothing then."""
        if not self.valid_at(moment) or not self.periods:
            return None
        offset = (moment - self.schedule_start(moment, tx_start)).total_seconds()
        if offset < self.periods[0].start or (self.duration is not None and offset >= self.duration):
            return None
        current = [p for p in self.periods if p.start <= offset][-1]
        return to_amps(current.limit, self.unit, current.phases)

    def edges(self, begin: datetime.datetime, end: datetime.datetime,
              tx_start: datetime.datetime | None) -> list[datetime.datetime]:
        """The moments in [begin, end) where this profile's limit may change."""
        out = [m for m in (self.valid_from, self.valid_to) if m is not None]
        starts = [self.schedule_start(begin, tx_start)]
        period = _RECURRENCE.get(self.recurrency or "") if self.kind == "Recurring" else None
        while period and starts[-1] < end and len(starts) < 100:
            starts.append(starts[-1] + datetime.timedelta(seconds=period))
        for start in starts:
            out += [start + datetime.timedelta(seconds=p.start) for p in self.periods]
            if self.duration is not None:
                out.append(start + datetime.timedelta(seconds=self.duration))
        return [m for m in out if begin < m < end]


@dataclasses.dataclass(frozen=True)
class Transaction:
    """What the store needs of a running transaction: its id and start."""

    id: Any
    started_at: datetime.datetime


class Profiles:
    """The profiles installed on one station, by id."""

    def __init__(self, hardware_a: float) -> None:
        self.hardware_a = hardware_a  # the charger's own maximum, per phase
        self.by_id: dict[int, Profile] = {}

    def __len__(self) -> int:
        return len(self.by_id)

    # -- SetChargingProfile ---------------------------------------------------------------------

    def install(self, profile: Profile, *, replace_same_stack: bool) -> str:
        """Accepted, or Rejected when it clashes. A profile with the same id is replaced. One with the
        same connector, purpose and stackLevel is replaced in 1.6 (`replace_same_stack`, 3.13.2); 2.x
        rejects the newcomer when their validity overlaps (2.0.1 K01)."""
        clash = [p for p in self.by_id.values() if p.id != profile.id and p.connector == profile.connector
                 and p.purpose == profile.purpose and p.stack_level == profile.stack_level
                 and (profile.purpose != TX or p.transaction_id == profile.transaction_id)]
        if clash and not replace_same_stack and any(_overlap(p, profile) for p in clash):
            return "Rejected"
        for old in clash:
            del self.by_id[old.id]
        self.by_id[profile.id] = profile
        return "Accepted"

    # -- ClearChargingProfile -------------------------------------------------------------------

    def clear(self, profile_id: int | None = None, connector: int | None = None, purpose: str | None = None,
              stack_level: int | None = None) -> bool:
        """Remove by id, or every profile matching the filters given (none given: all of them, except
        2.x's external constraints, which the CSMS does not own). True when any went."""
        if profile_id is not None:
            return self.by_id.pop(profile_id, None) is not None
        wanted = _PURPOSES.get(purpose, purpose) if purpose else None
        doomed = [p.id for p in self.by_id.values() if p.purpose != EXTERNAL
                  and (connector is None or p.connector == connector)
                  and (wanted is None or p.purpose == wanted)
                  and (stack_level is None or p.stack_level == stack_level)]
        for pid in doomed:
            del self.by_id[pid]
        return bool(doomed)

    def end_transaction(self, connector: int) -> None:
        """A TxProfile lives as long as its transaction (1.6 3.13.1; 2.0.1 K01)."""
        for pid in [p.id for p in self.by_id.values() if p.purpose == TX and p.connector == connector]:
            del self.by_id[pid]

    # -- GetChargingProfiles (2.x) --------------------------------------------------------------

    def matching(self, connector: int | None, purpose: str | None = None, stack_level: int | None = None,
                 ids: list[int] | None = None, sources: list[str] | None = None) -> list[Profile]:
        if sources and "CSO" not in sources:
            return []  # every profile here was set by the CSMS (chargingLimitSource CSO)
        wanted = _PURPOSES.get(purpose, purpose) if purpose else None
        return sorted((p for p in self.by_id.values()
                       if (connector is None or p.connector == connector) and (wanted is None or p.purpose == wanted)
                       and (stack_level is None or p.stack_level == stack_level) and (not ids or p.id in ids)),
                      key=lambda p: (p.connector, p.id))

    # -- what limits a connector ----------------------------------------------------------------

    def _ranked(self, purposes: tuple[str, ...], connector: int) -> list[Profile]:
        return sorted((p for p in self.by_id.values() if p.purpose in purposes and p.connector == connector),
                      key=lambda p: -p.stack_level)

    @staticmethod
    def _first(profiles: list[Profile], moment: datetime.datetime, tx: Transaction | None) -> float | None:
        for profile in profiles:  # highest stackLevel first
            limit = profile.limit_at(moment, tx.started_at if tx else None)
            if limit is not None:
                return limit
        return None

    def limit_at(self, connector: int, moment: datetime.datetime, tx: Transaction | None) -> float:
        """Amperes per phase the connector may draw at `moment` (connector 0: the whole station's cap)."""
        limits = [self.hardware_a]
        for purpose in (MAX, EXTERNAL):
            found = self._first(self._ranked((purpose,), 0), moment, tx)
            if found is not None:
                limits.append(found)
        if connector:
            mine = None
            if tx is not None:
                mine = self._first([p for p in self._ranked((TX,), connector)
                                    if p.transaction_id in (None, tx.id)], moment, tx)
            for where in (connector, 0):
                if mine is None:
                    mine = self._first(self._ranked((DEFAULT,), where), moment, tx)
            if mine is not None:
                limits.append(mine)
        return min(limits)

    def composite(self, connector: int, moment: datetime.datetime, duration: int,
                  tx: Transaction | None) -> list[tuple[int, float]]:
        """(startPeriod s, A per phase) from `moment` over `duration` s, one period per change."""
        end = moment + datetime.timedelta(seconds=max(duration, 1))
        tx_start = tx.started_at if tx else None
        edges = {moment}
        for profile in self.by_id.values():
            edges.update(profile.edges(moment, end, tx_start))
        out: list[tuple[int, float]] = []
        for edge in sorted(edges):
            limit = round(self.limit_at(connector, edge, tx), 1)
            start = int((edge - moment).total_seconds())
            if out and out[-1][1] == limit:
                continue
            if out and out[-1][0] == start:
                out[-1] = (start, limit)
            else:
                out.append((start, limit))
        return out


def _overlap(a: Profile, b: Profile) -> bool:
    far_past = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    far_future = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)
    return (a.valid_from or far_past) < (b.valid_to or far_future) and (b.valid_from or far_past) < (
        a.valid_to or far_future)

