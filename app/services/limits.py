"""Current limits and load balancing: set a charger's maximum current, see that it took it, and
see in its meter values that it obeys. On the engine loop; Qt-free; 1.6, 2.0.1 and 2.1.

    result = await limits.set_limit(engine, "CP-1", 10.0)         # station-wide maximum, verified
    result.verified, result.composite_a, result.message           # what GetCompositeSchedule said
    await limits.set_limit(engine, "CP-1", 10.0, valid_for_s=3600)  # ends in an hour: result.valid_to
    status, amps, schedule = await limits.composite_limit(engine, "CP-1", 1)
    seen = await limits.observe(engine, "CP-1", 1, 10.0, samples=3, timeout=60)
    seen.obeyed, seen.peak_a, seen.samples                        # from Current.Import per phase
    await limits.clear_limit(engine, "CP-1")                      # the profile set_limit set
    profiles = await limits.list_profiles(engine, "CP-1")         # 2.x GetChargingProfiles
    site = await limits.balance(engine, 32.0, ["CP-1", "CP-2", "CP-3"], samples=3, timeout=60)
    site.held, site.peak_sum_a, site.broke                        # the sum against the site limit

Meter values are timed by when the CSMS received them (the engine's clock), never by the charger's own
timestamps, which may be minutes off: the settle window and the site sum go by arrival.

The limit goes out as one charging profile (id PROFILE_ID unless given): 1.6 ChargePointMaxProfile
on connector 0 or TxDefaultProfile on a connector; 2.x ChargingStationMaxProfile on EVSE 0 or
TxDefaultProfile on an EVSE. It is Absolute, in A, from midnight UTC yesterday, so a charger whose
clock is behind the laptop's has it in force at once; it has no end unless given `valid_for_s`
(validTo = the laptop's now + valid_for_s). GetCompositeSchedule then says whether the charger
took it; only its meter values say whether the EV is held to it.

Amperes are per phase throughout. A charger that reports in W is read at 230 V per phase.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import math
import time
from typing import Any

from app.csms import engine as csms_engine
from app.domain import energy, errors, metering
from app.services import operations

PROFILE_ID = 7301  # the profile Commissioner sets; a distinctive id beside an operator's own
STACK_LEVEL = 1
MIN_SHARE_A = 6.0  # IEC 61851-1: the least current a charger may offer an EV
NOMINAL_V = 230.0
COMPOSITE_S = 300  # the window GetCompositeSchedule is asked about
TRIGGER_AFTER_S = 2.0  # no meter value this long: TriggerMessage MeterValues
OFFERED = "Current.Offered"
_PURPOSES = {("1.6", "max"): "ChargePointMaxProfile", ("1.6", "default"): "TxDefaultProfile",
             ("2.x", "max"): "ChargingStationMaxProfile", ("2.x", "default"): "TxDefaultProfile"}


def tolerance(limit_a: float) -> float:
    """How far above a limit a reading may be and still obey it: 0.5 A or 3 %, whichever is more
    (the meter's accuracy and a charger's control loop)."""
    return max(0.5, 0.03 * limit_a)


def share(site_limit_a: float, count: int) -> float:
    """Each charger's equal part of a site limit, floored to 0.1 A (so the sum never exceeds it).
    ConfigError when that is below the 6 A an EV needs."""
    if count < 1:
        raise errors.ConfigError("A site limit needs at least one charger to share it.")
    if site_limit_a <= 0:
        raise errors.ConfigError(f"A site limit of {site_limit_a:g} A cannot be shared.",
                                 hint="Give the site's limit in A per phase, e.g. 32.")
    part = math.floor(site_limit_a * 10 / count + 1e-9) / 10
    if part < MIN_SHARE_A:
        raise errors.ConfigError(
            f"{site_limit_a:g} A cannot be shared by {count} chargers: {part:g} A each is below the "
            f"{MIN_SHARE_A:g} A an EV needs to charge (IEC 61851-1).",
            hint=f"Share it among at most {max(1, int(site_limit_a // MIN_SHARE_A))} chargers, or raise the site limit.")
    return part


def _family(version: str) -> str:
    return "1.6" if version == "1.6" else "2.x"


def _version(engine: csms_engine.Engine, charger_id: str) -> str:
    return engine.server.session(charger_id).version  # ChargerNotConnectedError


def _iso(clock_ms: int) -> str:
    return datetime.datetime.fromtimestamp(clock_ms / 1000, datetime.timezone.utc).isoformat(
        timespec="seconds").replace("+00:00", "Z")


def _since(clock_ms: int) -> str:
    """Midnight UTC the day before `clock_ms`: a start every charger has passed, whatever its clock."""
    day = datetime.datetime.fromtimestamp(clock_ms / 1000, datetime.timezone.utc).date() - datetime.timedelta(days=1)
    return f"{day.isoformat()}T00:00:00Z"


def profile_request(version: str, limit_a: float, *, connector: int = 0, purpose: str = "max",
                    profile_id: int = PROFILE_ID, stack_level: int = STACK_LEVEL,
                    start: str = "2020-01-01T00:00:00Z", valid_to: str = "") -> operations.Request:
    """The SetChargingProfile for a limit of `limit_a` per phase. A station maximum (purpose "max")
    goes on connector 0; a limit on a connector is its TxDefaultProfile. `valid_to` (RFC 3339):
    the profile's validTo, when it ends; "" for none."""
    if purpose not in ("max", "default"):
        raise ValueError(f"unknown limit purpose {purpose!r}")
    if connector:
        purpose = "default"
    name = _PURPOSES[(_family(version), purpose)]
    period = {"startPeriod": 0, "limit": round(limit_a, 1)}
    until = {"validTo": valid_to} if valid_to else {}  # 1.6 ChargingProfile.validTo; 2.x chargingProfile.validTo
    if version == "1.6":
        return operations.Request("SetChargingProfile", {"connectorId": connector, "csChargingProfiles": {
            "chargingProfileId": profile_id, "stackLevel": stack_level, "chargingProfilePurpose": name,
            "chargingProfileKind": "Absolute", **until, "chargingSchedule": {
                "startSchedule": start, "chargingRateUnit": "A", "chargingSchedulePeriod": [period]}}})
    return operations.Request("SetChargingProfile", {"evseId": connector, "chargingProfile": {
        "id": profile_id, "stackLevel": stack_level, "chargingProfilePurpose": name,
        "chargingProfileKind": "Absolute", **until, "chargingSchedule": [{
            "id": 1, "startSchedule": start, "chargingRateUnit": "A", "chargingSchedulePeriod": [period]}]}})


@dataclasses.dataclass(frozen=True)
class LimitResult:
    status: str  # the charger's answer to SetChargingProfile
    profile_id: int
    connector: int
    purpose: str  # the OCPP purpose sent (ChargePointMaxProfile ...)
    requested_a: float
    composite_a: float | None  # what GetCompositeSchedule says is in force now; None: not said
    verified: bool  # accepted, and the composite schedule is at or below the limit
    message: str  # in plain words, with what to do when it failed
    schedule: dict[str, Any] = dataclasses.field(default_factory=dict)
    valid_to: str = ""  # the profile's validTo (RFC 3339, UTC) when it was given a validity; "": no end
    composite_status: str = ""  # GetCompositeSchedule's status, or the error it met; "": not asked


def _limit_now(periods: Any, unit: str) -> float | None:
    """The limit of the period in force at the schedule's start (startPeriod 0, else the first)."""
    if not isinstance(periods, list) or not periods:
        return None
    good = [p for p in periods if isinstance(p, dict) and metering.number(p.get("limit")) is not None]
    if not good:
        return None
    first = min(good, key=lambda p: metering.number(p.get("startPeriod")) or 0)
    limit = metering.number(first.get("limit"))
    if unit == "W":
        phases = metering.number(first.get("numberPhases")) or 3
        return round(limit / (NOMINAL_V * phases), 1)
    return limit


async def composite_limit(engine: csms_engine.Engine, charger_id: str, connector: int = 0,
                          duration_s: int = COMPOSITE_S) -> tuple[str, float | None, dict[str, Any]]:
    """GetCompositeSchedule for a connector (0: the whole charger), asked in A: (status, the limit in
    force now in A per phase or None when the charger gives none, the schedule as answered)."""
    version = _version(engine, charger_id)
    if version == "1.6":
        payload: dict[str, Any] = {"connectorId": connector, "duration": duration_s, "chargingRateUnit": "A"}
    else:
        payload = {"evseId": connector, "duration": duration_s, "chargingRateUnit": "A"}
    answer = await engine.call(charger_id, "GetCompositeSchedule", payload)
    status = str(answer.get("status", ""))
    if version == "1.6":
        schedule = answer.get("chargingSchedule") if isinstance(answer.get("chargingSchedule"), dict) else {}
        schedule = {**schedule, **({"scheduleStart": answer["scheduleStart"]} if "scheduleStart" in answer else {})}
    else:
        schedule = answer.get("schedule") if isinstance(answer.get("schedule"), dict) else {}
    if status != "Accepted":
        return status, None, schedule
    return status, _limit_now(schedule.get("chargingSchedulePeriod"), str(schedule.get("chargingRateUnit", "A"))), \
        schedule


async def set_limit(engine: csms_engine.Engine, charger_id: str, limit_a: float, *, connector: int = 0,
                    purpose: str = "max", profile_id: int | None = None, stack_level: int = STACK_LEVEL,
                    valid_for_s: float | None = None) -> LimitResult:
    """Send the limit as a charging profile, then read GetCompositeSchedule to verify it took it.
    Raises what the engine raises (not connected, CallError, timeout) for SetChargingProfile; a
    refusal is a result, and so is any failure of GetCompositeSchedule once the profile is taken
    (composite_a None: the charger holds the profile, whether it applies it is not readable).

    With `valid_for_s` the profile ends (validTo) that long after now by the laptop's clock, so a
    limit set by hand does not stay forever; the charger ends it by its own clock, so one whose
    clock is ahead by more than `valid_for_s` has it expired at once (its composite schedule then
    says so). Its start stays midnight UTC yesterday, for chargers whose clock is behind."""
    if valid_for_s is not None and not valid_for_s > 0:
        raise errors.ConfigError(f"A limit cannot be valid for {valid_for_s:g} s.",
                                 hint="Give a positive number of seconds, or no validity for a limit without an end.")
    version = _version(engine, charger_id)
    pid = PROFILE_ID if profile_id is None else profile_id
    now = engine.clock()
    # Whole seconds, rounded up: the profile lasts at least valid_for_s.
    valid_to = _iso(math.ceil((now + valid_for_s * 1000) / 1000) * 1000) if valid_for_s is not None else ""
    request = profile_request(version, limit_a, connector=connector, purpose=purpose, profile_id=pid,
                              stack_level=stack_level, start=_since(now), valid_to=valid_to)
    body = request.payload.get("csChargingProfiles") or request.payload["chargingProfile"]
    name = body["chargingProfilePurpose"]
    answer = await engine.call(charger_id, request.action, request.payload)
    status = str(answer.get("status", ""))
    where = f"connector {connector}" if connector else "the whole charger"
    base = dict(status=status, profile_id=pid, connector=connector, purpose=name, requested_a=limit_a,
                valid_to=valid_to)
    if status != "Accepted":
        return LimitResult(**base, composite_a=None, verified=False, message=(
            f"the charger answered SetChargingProfile ({name}, {limit_a:g} A on {where}) with {status or 'nothing'}: "
            "it does not take the limit. Check that smart charging is enabled on it (1.6: SupportedFeatureProfiles "
            "lists SmartCharging; 2.x: SmartChargingCtrlr.Enabled) and that no profile of its own holds that stack level"))
    try:
        said, composite, schedule = await composite_limit(engine, charger_id, connector)
    except errors.OperationError as exc:  # CallError (not implemented), no answer: the profile is taken all the same
        return LimitResult(**base, composite_a=None, verified=False, composite_status=exc.message, message=(
            f"the charger accepted the {limit_a:g} A profile but GetCompositeSchedule failed ({exc.message}): "
            "whether it applies it cannot be read there; watch its meter values during a charge"))
    base.update(composite_a=composite, schedule=schedule, composite_status=said)
    if said != "Accepted":
        return LimitResult(**base, verified=False, message=(
            f"the charger accepted the {limit_a:g} A profile but answered GetCompositeSchedule with {said or 'nothing'}: "
            "whether it applies it cannot be read there; watch its meter values during a charge"))
    if composite is None:
        return LimitResult(**base, verified=False, message=(
            f"the charger accepted the {limit_a:g} A profile but its composite schedule gives no limit: "
            "watch its meter values during a charge"))
    if composite > limit_a + 0.05:
        charger_now = energy.timestamp_ms(schedule.get("scheduleStart") or schedule.get("startSchedule"), None)
        if valid_to and charger_now is not None and charger_now >= energy.timestamp_ms(valid_to, 0):
            return LimitResult(**base, verified=False, message=(
                f"the charger accepted the profile but its clock ({_iso(charger_now)}) is already past its end "
                f"({valid_to}): it is ahead of the laptop's, and the {limit_a:g} A limit ended at once. "
                "Set the charger's clock (or give the limit a longer validity)"))
        return LimitResult(**base, verified=False, message=(
            f"the charger accepted the profile but its composite schedule says {composite:g} A, not {limit_a:g} A: "
            "it does not apply it. Look for a profile of a higher stack level, or update its firmware"))
    lower = f" (its own maximum, {composite:g} A, is lower)" if composite < limit_a - 0.05 else ""
    until = f", until {valid_to[11:16]} UTC" if valid_to else ""
    return LimitResult(**base, verified=True, message=(
        f"limit of {limit_a:g} A on {where} in force{until}: composite schedule {composite:g} A{lower}"))


async def clear_limit(engine: csms_engine.Engine, charger_id: str, profile_id: int | None = None, *,
                      connector: int | None = None, purpose: str | None = None) -> str:
    """ClearChargingProfile: the profile `profile_id` (None: the one set_limit sets), or, with
    `connector` and/or `purpose` (an OCPP purpose) and no id, every profile matching them.
    Returns the charger's status: Accepted, or Unknown when there was none such."""
    version = _version(engine, charger_id)
    by_criteria = profile_id is None and (connector is not None or purpose is not None)
    if version == "1.6":
        payload: dict[str, Any] = {"id": PROFILE_ID if profile_id is None else profile_id} if not by_criteria else {
            **({"connectorId": connector} if connector is not None else {}),
            **({"chargingProfilePurpose": purpose} if purpose else {})}
    elif by_criteria:
        payload = {"chargingProfileCriteria": {**({"evseId": connector} if connector is not None else {}),
                                               **({"chargingProfilePurpose": purpose} if purpose else {})}}
    else:
        payload = {"chargingProfileId": PROFILE_ID if profile_id is None else profile_id}
    answer = await engine.call(charger_id, "ClearChargingProfile", payload)
    return str(answer.get("status", ""))


async def list_profiles(engine: csms_engine.Engine, charger_id: str, *, evse_id: int | None = None,
                        timeout: float = 30.0) -> list[dict[str, Any]]:
    """2.x GetChargingProfiles: every charging profile the charger holds (camelCase, each with its
    `evseId`), gathered from its ReportChargingProfiles until one says tbc false. [] for NoProfiles.
    ExpectTimeoutError when the reports stop short of `timeout`; the watch on them is closed
    however the gathering ends (timeout, cancel, error)."""
    version = _version(engine, charger_id)
    if version == "1.6":
        raise errors.OperationError(
            "OCPP 1.6 has no GetChargingProfiles: a 1.6 charger cannot list the charging profiles it holds.",
            action="GetChargingProfiles",
            hint="Read what limits it with GetCompositeSchedule instead (Set limit reads it back; connector 0 "
                 "for the whole charger); remove profiles with ClearChargingProfile by id, connector or purpose "
                 "(Clear limit clears the one Commissioner set).")
    request_id = engine.next_request_id()
    payload: dict[str, Any] = {"requestId": request_id, "chargingProfile": {}}
    if evse_id is not None:
        payload["evseId"] = evse_id
    found: list[dict[str, Any]] = []
    with engine.watch(charger_id, "ReportChargingProfiles", lambda p: p.get("requestId") == request_id) as reports:
        answer = await engine.call(charger_id, "GetChargingProfiles", payload)
        status = str(answer.get("status", ""))
        if status == "NoProfiles":
            return []
        if status != "Accepted":
            raise errors.OperationRejected("GetChargingProfiles", status or "no status", charger_id)
        deadline = time.monotonic() + timeout
        while True:
            part = await reports.next(max(0.0, deadline - time.monotonic()),
                                      f"the charger accepted GetChargingProfiles {request_id} and sent no "
                                      f"(further) ReportChargingProfiles ({len(found)} profile(s) so far): "
                                      "ask again, or read its composite schedule")
            for profile in part.get("chargingProfile") or []:
                if isinstance(profile, dict):
                    found.append({"evseId": part.get("evseId"), **profile})
            if not part.get("tbc", False):
                return found


# ---------------------------------------------------------------- what the meter values say


@dataclasses.dataclass(frozen=True)
class Sample:
    ts_ms: int  # the meter value's own timestamp, by the charger's clock (receive time when it has none)
    current_a: float  # the highest phase current
    offered_a: float | None = None  # Current.Offered, when sent
    estimated: bool = False  # from power and voltage: the charger sent no Current.Import
    received_ms: int | None = None  # when the CSMS received it, by the engine's clock

    @property
    def at_ms(self) -> int:
        """The moment the sample is judged at: when it arrived, since a charger's clock may be off
        by minutes (its own timestamp, when the arrival is not known)."""
        return self.ts_ms if self.received_ms is None else self.received_ms


@dataclasses.dataclass(frozen=True)
class Observation:
    charger_id: str
    connector: int
    limit_a: float
    samples: list[Sample]
    wanted: int  # how many samples were asked for

    @property
    def peak_a(self) -> float | None:
        return max((s.current_a for s in self.samples), default=None)

    @property
    def offered_a(self) -> float | None:
        """The highest Current.Offered the charger reported, None when it sent none."""
        return max((s.offered_a for s in self.samples if s.offered_a is not None), default=None)

    @property
    def drawing(self) -> bool:
        """The EV drew current (more than 0.5 A) in some sample: there was a charge to judge."""
        return any(s.current_a > 0.5 for s in self.samples)

    @property
    def obeyed(self) -> bool:
        peak = self.peak_a
        return peak is not None and peak <= self.limit_a + tolerance(self.limit_a)

    @property
    def message(self) -> str:
        peak, n = self.peak_a, len(self.samples)
        if peak is None:
            return f"{self.charger_id} sent no meter value with a current"
        said = f"peak {peak:g} A in {n} sample{'s' if n != 1 else ''} against a limit of {self.limit_a:g} A"
        if n < self.wanted:
            said += f" (of the {self.wanted} asked for)"
        if not self.obeyed:
            return (f"{self.charger_id} does not obey the limit: {said}. Its composite schedule may say it took "
                    "the limit, yet it does not apply it to the EV: check its firmware and smart-charging settings")
        if not self.drawing:
            return f"{self.charger_id}: no current drawn ({said}): the EV did not charge, so nothing was held"
        return f"{self.charger_id} obeys the limit: {said}"


def _where(version: str, action: str, payload: dict[str, Any], transactions: dict[str, str]) -> int | None:
    """The connector / EVSE a MeterValues or TransactionEvent is about; None when it does not say."""
    if action == "MeterValues":
        value = payload.get("connectorId" if version == "1.6" else "evseId")
        return value if isinstance(value, int) else None
    evse = payload.get("evse")
    if isinstance(evse, dict) and isinstance(evse.get("id"), int):
        return evse["id"]
    info = payload.get("transactionInfo") if isinstance(payload.get("transactionInfo"), dict) else {}
    key = transactions.get(str(info.get("transactionId", "")), "")
    head = key.split("/", 1)[0]
    return int(head) if head.isdigit() else None


def samples_of(meter_value: Any, received_ms: int) -> list[Sample]:
    """One Sample per meterValue entry that gives a current: the highest Current.Import phase (or its
    total), else power / (3 × voltage); Current.Offered beside it. `received_ms`: when the CSMS got it."""
    out: list[Sample] = []
    for entry in meter_value if isinstance(meter_value, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("sampledValue"), list):
            continue
        currents: list[float] = []
        offered = None
        for sample in entry["sampledValue"]:
            parsed = metering.sample_value(sample) if isinstance(sample, dict) else None
            if parsed is None:
                continue
            measurand, _phase, value, unit = parsed
            if measurand == metering.CURRENT and unit == "A":
                currents.append(value)
            elif measurand == OFFERED and unit == "A":
                offered = value if offered is None else max(offered, value)
        ts = energy.timestamp_ms(entry.get("timestamp"), received_ms) or received_ms
        if currents:
            out.append(Sample(ts, round(max(currents), 2), offered, received_ms=received_ms))
            continue
        reading = metering.read([entry])
        if reading.power_w is not None and reading.voltage_v:
            out.append(Sample(ts, round(reading.power_w / (3 * reading.voltage_v), 2), offered, estimated=True,
                              received_ms=received_ms))
    return out


async def observe(engine: csms_engine.Engine, charger_id: str, connector: int, limit_a: float, *,
                  samples: int = 3, timeout: float = 60.0, settle_s: float = 0.0,
                  charging_only: bool = False) -> Observation:
    """Watch the charger's meter values for `connector` (MeterValues, TransactionEvent) until
    `samples` carry a current, or `timeout`; when none comes for TRIGGER_AFTER_S, TriggerMessage
    MeterValues asks for one. Samples received within `settle_s` of the start are not judged (a
    charger takes a moment to bring the EV down); with `charging_only`, neither are those of an EV
    drawing nothing yet. ExpectTimeoutError when not one sample came.

    Samples are taken and timed by when the CSMS received them (the engine's clock), not by their
    own timestamps: a charger's clock may be minutes off the laptop's. Their timestamps are kept
    (Sample.ts_ms) for display."""
    version = _version(engine, charger_id)
    began_ms = engine.clock()
    got: list[Sample] = []
    deadline = time.monotonic() + timeout
    trigger = operations.quick(version, "trigger_meter", connector=connector, evse=connector)
    actions = ("MeterValues",) if version == "1.6" else ("MeterValues", "TransactionEvent")
    with engine.watch_any(charger_id, actions) as arrivals:
        while len(got) < samples:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                action, payload, received_ms = await arrivals.next(min(TRIGGER_AFTER_S, left))
            except errors.ExpectTimeoutError:
                with contextlib.suppress(errors.OperationError):
                    await engine.call(charger_id, trigger.action, trigger.payload)
                continue
            info = engine.registry.chargers.get(charger_id)
            if _where(version, action, payload, info.transactions if info is not None else {}) != connector:
                continue
            got += [s for s in samples_of(payload.get("meterValue"), received_ms)
                    if s.at_ms >= began_ms + settle_s * 1000 and (s.current_a > 0.5 or not charging_only)]
    if not got:
        raise errors.ExpectTimeoutError(charger_id, "MeterValues", timeout,
                                        f"no meter value with a current came from connector {connector}, even when "
                                        "asked with TriggerMessage: is a charge running there?")
    return Observation(charger_id, connector, limit_a, got[:samples], samples)


# ---------------------------------------------------------------- a site limit shared by several chargers


@dataclasses.dataclass(frozen=True)
class BalanceResult:
    site_limit_a: float
    share_a: float
    limits: dict[str, LimitResult]  # per charger that answered SetChargingProfile: its share set and verified
    observations: dict[str, Observation]  # per charger observed: what its meter values said
    peak_sum_a: float | None  # the highest sum of the chargers' currents at any moment; None: not all observed
    broke: list[str]  # the chargers that went above their share
    errors: dict[str, str] = dataclasses.field(default_factory=dict)  # per charger: what went wrong, in words
    cleared: list[str] = dataclasses.field(default_factory=list)  # shares taken back: not every one could be set

    @property
    def charger_ids(self) -> list[str]:
        return list(dict.fromkeys([*self.limits, *self.errors]))

    @property
    def shares_set(self) -> bool:
        """Every charger took its share (SetChargingProfile Accepted), so they were observed; when
        not, none was observed and those set were cleared again (`cleared`)."""
        return all(cid in self.limits and self.limits[cid].status == "Accepted" for cid in self.charger_ids)

    @property
    def held(self) -> bool:
        return (self.peak_sum_a is not None and self.peak_sum_a <= self.site_limit_a + tolerance(self.site_limit_a)
                and not self.broke and not self.errors)

    @property
    def message(self) -> str:
        ids = self.charger_ids
        failed = "; ".join(f"{cid}: {why}" for cid, why in self.errors.items())
        if not self.shares_set:  # nothing was watched
            said = (f"the site limit was not set: {self.site_limit_a:g} A shared by {len(ids)} chargers, "
                    f"{self.share_a:g} A each, but not every charger took its share ({failed})")
            if self.cleared:
                said += f"; the shares set on {', '.join(self.cleared)} were cleared again"
            return said
        unverified = [cid for cid, r in self.limits.items() if not r.verified]
        said = (f"{self.site_limit_a:g} A shared by {len(ids)} chargers, {self.share_a:g} A each; "
                f"the sum peaked at {self.peak_sum_a if self.peak_sum_a is not None else '—'} A")
        if self.held:
            return f"the site limit held: {said}"
        why = []
        if self.broke:
            why.append("above their share: " + ", ".join(
                f"{cid} ({self.observations[cid].peak_a:g} A)" for cid in self.broke))
        if self.errors:
            why.append(f"not observed: {failed}")
        if unverified:
            why.append("not verified by composite schedule: " + ", ".join(unverified))
        return f"the site limit did not hold: {said}; " + "; ".join(why or ["the sum went above it"])


def peak_sum(observations: list[Observation]) -> float | None:
    """The highest sum of the chargers' currents, each charger counted at its latest sample at every
    moment one of them reports (from the moment every one of them has reported). Moments are when
    the CSMS received the samples (Sample.at_ms): the chargers' own clocks need not agree."""
    events = sorted((s.at_ms, n, o.charger_id, s.current_a) for o in observations for n, s in enumerate(o.samples))
    latest: dict[str, float] = {}
    peak = None
    for _, _, charger_id, amps in events:
        latest[charger_id] = amps
        if len(latest) == len(observations):
            total = round(sum(latest.values()), 2)
            peak = total if peak is None else max(peak, total)
    return peak


def charging_connector(engine: csms_engine.Engine, charger_id: str, default: int = 1) -> int:
    """The connector (1.6) / EVSE (2.x) with a running transaction, else `default`."""
    info = engine.registry.chargers.get(charger_id)
    for where in (info.transactions.values() if info is not None else ()):
        head = where.split("/", 1)[0]
        if head.isdigit() and head != "0":
            return int(head)
    return default


async def balance(engine: csms_engine.Engine, site_limit_a: float, charger_ids: list[str], *, samples: int = 3,
                  timeout: float = 60.0, settle_s: float = 0.0, valid_for_s: float | None = None) -> BalanceResult:
    """Share `site_limit_a` equally (share()), set each charger's station maximum to its share,
    verify each composite schedule, then watch them all together. The profiles stay set (the
    site's load management until the operator's backend takes over, or `valid_for_s`: see
    set_limit); clear_limit undoes each.

    Each charger's outcome is in the result: a charger that cannot take its share (not connected,
    refused, no answer) is in `errors`, and then the shares already set are cleared again (best
    effort: `cleared`), since the site limit is not held by part of its chargers; a charger whose
    meter values cannot be read is in `errors` beside the others' observations."""
    if len(set(charger_ids)) != len(charger_ids):
        raise errors.ConfigError("A charger is listed twice for the site limit.", hint="List each charger once.")
    part = share(site_limit_a, len(charger_ids))
    answers = await asyncio.gather(*(set_limit(engine, cid, part, valid_for_s=valid_for_s) for cid in charger_ids),
                                   return_exceptions=True)
    results = {cid: a for cid, a in zip(charger_ids, answers) if isinstance(a, LimitResult)}
    failed = {cid: _said(a) if isinstance(a, BaseException) else a.message
              for cid, a in zip(charger_ids, answers) if not isinstance(a, LimitResult) or a.status != "Accepted"}
    if failed:
        cleared = await _take_back(engine, [cid for cid, r in results.items() if r.status == "Accepted"], failed)
        _raise_unexpected(answers)
        return BalanceResult(site_limit_a, part, results, {}, None, [], failed, cleared)
    seen = await asyncio.gather(*(observe(engine, cid, charging_connector(engine, cid), part, samples=samples,
                                          timeout=timeout, settle_s=settle_s) for cid in charger_ids),
                                return_exceptions=True)
    _raise_unexpected(seen)
    observations = {cid: o for cid, o in zip(charger_ids, seen) if isinstance(o, Observation)}
    failed = {cid: _said(o) for cid, o in zip(charger_ids, seen) if isinstance(o, BaseException)}
    peak = peak_sum(list(observations.values())) if not failed else None
    return BalanceResult(site_limit_a, part, results, observations, peak,
                         [cid for cid, o in observations.items() if not o.obeyed], failed)


def _said(error: BaseException) -> str:
    return str(error) if isinstance(error, errors.CommissionerError) else f"{type(error).__name__}: {error}"


def _raise_unexpected(outcomes: list[Any]) -> None:
    """A charger's failure is a domain error, reported per charger; anything else is a bug, raised."""
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, errors.CommissionerError):
            raise outcome


async def _take_back(engine: csms_engine.Engine, charger_ids: list[str], failed: dict[str, str]) -> list[str]:
    """Clear the shares set on `charger_ids` (best effort); those that could not be cleared go into
    `failed` with what to do. Returns the chargers cleared."""
    answers = await asyncio.gather(*(clear_limit(engine, cid) for cid in charger_ids), return_exceptions=True)
    cleared = []
    for cid, answer in zip(charger_ids, answers):
        if answer in ("Accepted", "Unknown"):
            cleared.append(cid)
        else:
            why = _said(answer) if isinstance(answer, BaseException) else f"ClearChargingProfile answered {answer}"
            failed[cid] = (f"its {PROFILE_ID} share profile could not be cleared again ({why}): "
                           "clear its limit by hand")
    return cleared
