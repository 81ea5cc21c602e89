"""Automated commissioning checks: each one asks the charger, waits for what it must send, and
passes with its measured values or fails with what the charger said (CallError, Rejected,
silence). On the engine loop, as a step of a run (services.runs); 1.6, 2.0.1 and 2.1 alike.

A check returns its values; it raises `Failed` (the charger did not do it) or `NotApplicable`
(it cannot be checked here, e.g. the charger sends no timestamps). Domain errors from the
engine (timeouts, CallErrors, a charger that went away) fail the step with their message.
What a check changes on the charger for a while (a setting, a test session) it puts back, and a
run resumed after a crash undoes what was left (services.leftovers).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import json
import math
import time
from typing import Any, Awaitable, Callable

from app.domain import display, errors, metering, runs
from app.report import trace
from app.services import checking, configuration, leftovers, operations

# What every check works with (services.checking), named here too: services.runs and the tests use them.
Failed, NotApplicable, Context, POLL_S = checking.Failed, checking.NotApplicable, checking.Context, checking.POLL_S
MIN_CHARGE_WH = 10.0  # the test charge runs until the meter has risen this much


Check = Callable[[Context], Awaitable[list[runs.Value]]]
CHECKS: dict[str, Check] = {}
NEEDS_A_PERSON = frozenset({"authorize", "tag_valid", "tag_blocked"})  # someone must present a tag at the charger
TAG_GRACE_S = 10.0  # after a refused tag: how long a session it should not have begun may take to show
IDLE_W = 50.0  # a meter reading at most this: no energy delivered


def check(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn
    return register


# ---------------------------------------------------------------- identity and liveness


@check("boot")
async def boot(ctx: Context) -> list[runs.Value]:
    info = ctx.info
    if info.boot_status != "Accepted":
        with ctx.engine.watch(ctx.charger_id, "BootNotification") as boots:
            await ctx.call("TriggerMessage", {"requestedMessage": "BootNotification"})
            await boots.next(ctx.timeout, "after TriggerMessage BootNotification")
        await ctx.until(lambda: ctx.info.boot_status == "Accepted", ctx.timeout, "an Accepted boot")
    payload = await last_payload(ctx, "BootNotification")
    identity = boot_identity(payload or {}, ctx.version)
    ctx.run.identity.update(identity)
    ctx.run.ocpp_version = ctx.version
    if not identity.get("vendor") or not identity.get("model"):
        raise Failed("the BootNotification names no vendor or model")
    return [runs.Value(name, value) for name, value in identity.items() if value]


def boot_identity(payload: dict[str, Any], version: str) -> dict[str, str]:
    if version == "1.6":
        return {"vendor": payload.get("chargePointVendor", ""), "model": payload.get("chargePointModel", ""),
                "serial": payload.get("chargePointSerialNumber") or payload.get("chargeBoxSerialNumber", ""),
                "firmware": payload.get("firmwareVersion", ""), "meter serial": payload.get("meterSerialNumber", ""),
                "ICCID": payload.get("iccid", ""), "IMSI": payload.get("imsi", "")}
    station = payload.get("chargingStation", {}) if isinstance(payload.get("chargingStation"), dict) else {}
    modem = station.get("modem", {}) if isinstance(station.get("modem"), dict) else {}
    return {"vendor": station.get("vendorName", ""), "model": station.get("model", ""),
            "serial": station.get("serialNumber", ""), "firmware": station.get("firmwareVersion", ""),
            "ICCID": modem.get("iccid", ""), "IMSI": modem.get("imsi", "")}


async def last_payload(ctx: Context, action: str) -> dict[str, Any] | None:
    """The newest CALL of `action` the charger sent, from the journal."""
    engine, charger_id = ctx.engine, ctx.charger_id

    def read() -> tuple[dict[str, Any], int] | None:
        engine.journal.flush()
        reader = engine.journal.reader()
        try:
            # Newest first: a charger with a long history still finds its latest one at once.
            frames = [f for f in reader.frames(charger_id=charger_id, action=action, direction="in", limit=50,
                                               newest=True) if f.message_type == 2]
        finally:
            reader.close()
        for frame in frames:
            try:
                message = json.loads(frame.payload)
            except ValueError:
                continue
            if isinstance(message, list) and len(message) == 4 and isinstance(message[3], dict):
                return message[3], frame.id or 0
        return None

    found = await asyncio.to_thread(read)
    if found is None:
        return None
    ctx.evidence.append(found[1])  # the frame the check read is part of its proof
    return found[0]


HEARTBEAT_FOR_CHECK_S = 3  # the interval set while the beats are timed, when the charger's own would take too long


def heartbeat_tolerance(interval: float) -> float:
    """How far two beats may be apart from the interval: 1 s for the charger's timer and the network, + 10 %."""
    return 1.0 + 0.1 * interval


@check("heartbeat")
async def heartbeat(ctx: Context) -> list[runs.Value]:
    """Answered (a triggered Heartbeat comes back), and beating at its interval: two consecutive
    Heartbeats of its own, timed from the journal, within the step's timeout. A charger may skip a
    Heartbeat when it sent another message within the interval (OCPP 1.6 JSON 4.6; 2.0.1 G02.FR.02:
    "MAY skip sending a HeartbeatRequest when another message has been sent to the CSMS within the
    configured heartbeat interval"): one whose messages never left the link silent longer passes."""
    with ctx.engine.watch(ctx.charger_id, "Heartbeat") as beats:
        sent = time.monotonic()
        await ctx.call("TriggerMessage", {"requestedMessage": "Heartbeat"})
        await beats.next(ctx.timeout, "after TriggerMessage Heartbeat")
        answered = runs.Value("answer time", round((time.monotonic() - sent) * 1000), "ms")
    wanted = ctx.engine.config.heartbeat_interval
    held = await _heartbeat_interval(ctx)
    said = [runs.Value("interval asked", wanted, "s")]
    if held is not None:
        said.append(runs.Value("interval on the charger", held, "s"))
        if held != wanted:
            raise Failed(f"the charger heartbeats every {held:g} s; the CSMS asked for {wanted} s at boot")
    timed = await _time_heartbeats(ctx, held if held is not None else float(wanted))
    return [answered, *timed, *said]


async def _time_heartbeats(ctx: Context, interval: float) -> list[runs.Value]:
    """Two consecutive Heartbeats the charger sends on its own, timed, against `interval`. When two
    of its own intervals do not fit in the step's timeout, HeartbeatInterval is set short for the
    timing and put back after it (as the test charge does with the meter sample interval)."""
    budget = ctx.timeout

    def fits(seconds: float) -> bool:
        return seconds > 0 and 2 * (seconds + heartbeat_tolerance(seconds)) <= budget

    restore: leftovers.Restore = leftovers.nothing
    timing = interval
    shortened: list[runs.Value] = []
    if not fits(interval):
        timing = float(HEARTBEAT_FOR_CHECK_S)
        own = (f"two of its own {interval:g} s intervals take up to "
               f"{math.ceil(2 * (interval + heartbeat_tolerance(interval)))} s") if interval > 0 else \
            "the charger has no interval of its own (0)"
        if not fits(timing):
            raise Failed(f"two heartbeats cannot be timed within the check's {budget:g} s: {own}")
        # A charger with a floor under its interval may take the longest one that still fits.
        longest = math.floor((budget / 2 - 1) / 1.1)
        tried: list[str] = []
        changed = None
        for timing in (float(HEARTBEAT_FOR_CHECK_S), *([float(longest)] if longest >= 2 * HEARTBEAT_FOR_CHECK_S else [])):
            tried.append(f"{timing:g}")
            try:
                changed = await leftovers.set_for_the_check(ctx, leftovers.HEARTBEAT_INTERVAL, f"{timing:g}")
            except errors.OperationError as exc:
                raise Failed(f"two heartbeats cannot be timed within the check's {budget:g} s: HeartbeatInterval "
                             f"could not be set to {timing:g} s for the timing ({exc.message}); {own}") from None
            if changed is not None:
                break
        if changed is None:
            raise Failed(f"two heartbeats cannot be timed within the check's {budget:g} s: the charger did not take "
                         f"HeartbeatInterval {' or '.join(tried)} s for the timing; {own}")
        restore = changed
        shortened = [runs.Value("interval set for the timing", timing, "s")]
    timed = await leftovers.restored(restore, _two_beats(ctx, budget))
    tolerance = heartbeat_tolerance(timing)
    longest = timing + tolerance
    if len(timed.beats) < 2:
        silence = timed.longest_silence()
        if timed.calls and silence <= longest:
            return _skipped(ctx, timed, timing, tolerance) + shortened
        others = f"; the charger was silent for up to {silence:.1f} s, longer than the interval" if timed.calls else ""
        raise Failed(f"two heartbeats cannot be timed: {display.count(len(timed.beats), 'heartbeat')} came within "
                     f"the check's {budget:g} s with HeartbeatInterval {timing:g} s{others}")
    first, second = timed.beats
    apart = (second.ts_ms - first.ts_ms) / 1000
    ctx.evidence += [first.id or 0, second.id or 0]
    values = [runs.Value("interval measured", round(apart, 1), "s", round(timing - tolerance, 1),
                         round(longest, 1)), *shortened]
    if apart > longest and timed.longest_silence() <= longest:  # the messages between kept the link alive
        return [runs.Value("interval measured", round(apart, 1), "s"), *_skipped(ctx, timed, timing, tolerance),
                *shortened]
    if abs(apart - timing) > tolerance:
        ctx.step.values = values
        raise Failed(f"the charger's heartbeats came {apart:.1f} s apart; its HeartbeatInterval is {timing:g} s "
                     f"(± {tolerance:g} s)")
    return values


@dataclasses.dataclass(frozen=True)
class Timed:
    """What the charger sent while its heartbeats were timed, as journaled (oldest first): its
    first two Heartbeats, and every CALL of its own (any action) from `from_ms` to `to_ms` (the
    second beat, or the end of the check's budget)."""

    beats: list[Any]
    calls: list[Any]
    from_ms: int
    to_ms: int

    @classmethod
    def of(cls, calls: list[Any], from_ms: int, to_ms: int) -> Timed:
        beats = [f for f in calls if f.action == "Heartbeat"][:2]
        upto = beats[1].ts_ms if len(beats) == 2 else to_ms
        return cls(beats, [f for f in calls if f.ts_ms <= upto], from_ms, upto)

    def longest_silence(self) -> float:
        """The longest stretch (s) from `from_ms` to `to_ms` without a message from the charger."""
        edges = [self.from_ms, *sorted(min(max(f.ts_ms, self.from_ms), self.to_ms) for f in self.calls), self.to_ms]
        return max(b - a for a, b in zip(edges, edges[1:])) / 1000


def _skipped(ctx: Context, timed: Timed, interval: float, tolerance: float) -> list[runs.Value]:
    """A pass on the charger's other messages: it skipped Heartbeats while they flowed, as OCPP lets it."""
    ctx.evidence += [f.id or 0 for f in timed.calls]
    return [runs.Value("longest silence", round(timed.longest_silence(), 1), "s", None, round(interval + tolerance, 1)),
            runs.Value("heartbeats", f"skipped while other messages flowed ({display.count(len(timed.calls), 'message')} "
                                     f"in {(timed.to_ms - timed.from_ms) / 1000:.0f} s)")]


async def _two_beats(ctx: Context, budget: float) -> Timed:
    """The first two Heartbeats the charger sends from now on (within `budget` s), and every other
    message it sends meanwhile, as journaled (ids and times)."""
    from_ms = int(time.time() * 1000)
    mark = await checking.journal_now(ctx)  # before the watch opens: every beat it sees is after the mark
    deadline = time.monotonic() + budget
    seen = 0
    with ctx.engine.watch(ctx.charger_id, "Heartbeat") as beats:
        while seen < 2:
            try:
                await beats.next(max(0.0, deadline - time.monotonic()))
            except errors.ExpectTimeoutError:
                break
            seen += 1
    to_ms = int(time.time() * 1000)
    return Timed.of(await checking.calls_after(ctx, None, mark), from_ms, to_ms)


async def _heartbeat_interval(ctx: Context) -> float | None:
    try:
        if ctx.version == "1.6":
            answer = await ctx.engine.call(ctx.charger_id, "GetConfiguration", {"key": ["HeartbeatInterval"]})
            found = [k.get("value") for k in answer.get("configurationKey", []) if k.get("key") == "HeartbeatInterval"]
        else:
            answer = await ctx.engine.call(ctx.charger_id, "GetVariables", {"getVariableData": [{
                "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}]})
            found = [r.get("attributeValue") for r in answer.get("getVariableResult", [])
                     if r.get("attributeStatus") == "Accepted"]
        return float(found[0]) if found else None
    except (errors.OperationError, TypeError, ValueError):
        return None


def status_triggers(ctx: Context) -> list[dict[str, Any]]:
    """1.6: one TriggerMessage for every connector. 2.x: one per EVSE connector, with its `evse`
    (OCPP 2.0.1 F06: a StatusNotification exists only per connector)."""
    if ctx.version == "1.6":
        return [{"requestedMessage": "StatusNotification"}]
    known = sorted(k for k in ctx.info.connectors if "/" in k and not k.startswith("0"))
    pairs = [tuple(int(p) for p in k.split("/")) for k in known if all(p.isdigit() for p in k.split("/"))]
    return [{"requestedMessage": "StatusNotification", "evse": {"id": e, "connectorId": c}}
            for e, c in (pairs or [(ctx.connector, 1)])]


def _status_key(version: str, payload: dict[str, Any]) -> str:
    """The registry's key of the connector a StatusNotification is about ("1"; 2.x "1/1")."""
    if version == "1.6":
        return str(payload.get("connectorId", ""))
    return f"{payload.get('evseId', '')}/{payload.get('connectorId', '')}"


@check("status")
async def status(ctx: Context) -> list[runs.Value]:
    version = ctx.version
    triggers = status_triggers(ctx)
    # What must report again now: 1.6, every connector known (from boot); 2.x, each one triggered.
    known = set(ctx.info.connectors) if version == "1.6" else {
        f"{t['evse']['id']}/{t['evse']['connectorId']}" for t in triggers}
    reported: set[str] = set()
    with ctx.engine.watch(ctx.charger_id, "StatusNotification") as reports:
        for trigger in triggers:
            await ctx.call("TriggerMessage", trigger)
            reported.add(_status_key(version, await reports.next(ctx.timeout, "after TriggerMessage StatusNotification")))
        # A 1.6 trigger without connectorId is answered with one report per connector: wait for
        # every connector known here (not for a moment of silence), within the step's timeout.
        deadline = time.monotonic() + ctx.timeout
        while not known <= reported:
            left = deadline - time.monotonic()
            if left <= 0:
                silent = sorted(known - reported)
                raise Failed(f"no new status from connector{'s' if len(silent) > 1 else ''} {', '.join(silent)} within "
                             f"{ctx.timeout:g} s of the TriggerMessage StatusNotification")
            with contextlib.suppress(errors.ExpectTimeoutError):
                reported.add(_status_key(version, await reports.next(left)))
    connectors = dict(ctx.info.connectors)
    real = {k: c for k, c in connectors.items() if k not in ("0", "0/0")}
    if not real:
        raise Failed("no connector or EVSE reported a status")
    if ctx.version == "1.6" and "0" not in connectors:
        raise Failed("connector 0 (the charger itself) reported no status")
    faulted = [f"{k} ({c.error_code or 'Faulted'})" for k, c in connectors.items() if c.status == "Faulted"]
    if faulted:
        raise Failed("faulted: " + ", ".join(faulted))
    return [runs.Value(f"connector {k}", c.status) for k, c in sorted(connectors.items())]


@check("clock")
async def clock(ctx: Context) -> list[runs.Value]:
    with ctx.engine.watch(ctx.charger_id, "StatusNotification") as reports:
        await ctx.call("TriggerMessage", status_triggers(ctx)[0])
        payload = await reports.next(ctx.timeout, "after TriggerMessage StatusNotification")
        received_ms = int(time.time() * 1000)
    stamp = payload.get("timestamp")
    if not isinstance(stamp, str):
        raise NotApplicable("the charger sends no timestamp in its StatusNotification")
    try:
        charger_ms = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000
    except ValueError:
        raise Failed(f"the charger's timestamp {stamp!r} is not an ISO 8601 time") from None
    skew = (charger_ms - received_ms) / 1000
    limit = 60.0 if ctx.high is None else ctx.high
    value = runs.Value("clock skew", round(skew, 1), "s", -limit, limit)
    if abs(skew) > limit:
        raise Failed(f"the charger's clock is {skew:+.0f} s off the laptop's (limit ±{limit:g} s)")
    return [value]


@check("configuration")
async def read_configuration(ctx: Context) -> list[runs.Value]:
    found = await configuration.read(ctx.engine, ctx.charger_id, timeout=ctx.timeout)
    if not found.rows:
        raise Failed("the charger reported no configuration")
    # Kept with the run (the report lists the settings at the end and what changed); secrets never.
    ctx.run.fields.setdefault("configuration at start", json.dumps(
        {r.name: (trace.MASK if trace.is_secret(r.name) else r.value) for r in found.rows}, ensure_ascii=False))
    values = [runs.Value("keys" if found.source == "GetConfiguration" else "variables", len(found.rows))]
    if found.source == "GetBaseReport":
        values.append(runs.Value("report parts", found.parts))
    return values


@check("config_template")
async def config_template(ctx: Context) -> list[runs.Value]:
    """Configuration matches template: applied (changes made where it differs), then read back."""
    from app.services import config_templates

    found = config_templates.templates(ctx.engine.data_dir).get(ctx.template)
    if found is None:
        raise Failed(f"the configuration template {ctx.template!r} is not there (resources/config-templates or "
                     "the data folder's config-templates)" if ctx.template else "the checklist names no template")
    items = await config_templates.apply(ctx.engine, ctx.charger_id, found)
    values = [runs.Value(i.name, f"{i.current} → {i.now} ({i.status})") for i in items if i.action == "change"]
    values.append(runs.Value("settings as the template wants", sum(i.confirmed for i in items)))
    wrong = [i for i in items if not i.confirmed]
    if wrong:
        ctx.step.values = values
        raise Failed("; ".join(f"{i.name}: " + {"missing": "the charger has no such setting",
                                                  "read-only": f"read-only, is {i.current} (wanted {i.rule})",
                                                  "invalid": f"{i.wanted!r} does not fit the setting"}.get(
            i.action, f"answered {i.status or 'nothing'}, now {i.now}") for i in wrong))
    return values


@check("authorize")
async def authorize(ctx: Context) -> list[runs.Value]:
    tag = ctx.test_tag
    payload = await ctx.engine.expect(ctx.charger_id, "Authorize", timeout=ctx.timeout)
    presented = payload.get("idTag") or payload.get("idToken", {}).get("idToken", "")
    return [runs.Value("tag presented", str(presented)), runs.Value("test tag", tag)]


def _token_of(action: str, payload: dict[str, Any]) -> str:
    """The id token a charger names: Authorize / StartTransaction idTag (1.6), idToken.idToken (2.x)."""
    if action == "TransactionEvent":
        if payload.get("eventType") != "Started" and payload.get("triggerReason") != "Authorized":
            return ""
    token = payload.get("idTag") if "idTag" in payload else (payload.get("idToken") or {})
    if isinstance(token, dict):
        token = token.get("idToken", "")
    return token if isinstance(token, str) else ""


def _answer(ctx: Context, token: str) -> str:
    """The status this CSMS answered the token with, as the charger's version spells it (1.6 has no
    NotAtThisLocation: Invalid), at the engine's clock: what the answer frame said."""
    answer = ctx.engine.config.id_tag_info(token, ctx.engine.clock())
    return (answer.for_16() if ctx.version == "1.6" else answer.for_2x())["status"]


async def _next_tag(ctx: Context, watch: Any, deadline: float, actions: tuple[str, ...] = ()) -> tuple[str, str, str]:
    """The next token the charger names, in arrival order (action, token, what this CSMS answered it);
    only from `actions` when given. ExpectTimeoutError at the deadline."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise errors.ExpectTimeoutError(ctx.charger_id, "Authorize", 0, "")
        action, payload, _received_ms = await watch.next(left)
        token = _token_of(action, payload)
        if token and (not actions or action in actions):
            return action, token, _answer(ctx, token)


def _tag_watch(ctx: Context, stack: contextlib.ExitStack) -> Any:
    started = "StartTransaction" if ctx.version == "1.6" else "TransactionEvent"
    return stack.enter_context(ctx.engine.watch_any(ctx.charger_id, ("Authorize", started)))


@check("tag_valid")
async def tag_valid(ctx: Context) -> list[runs.Value]:
    """Someone presents a valid tag at the reader: the charger asks for it and it is Accepted."""
    refused: list[str] = []
    with contextlib.ExitStack() as stack:
        watch = _tag_watch(ctx, stack)
        deadline = time.monotonic() + ctx.timeout
        while True:
            try:
                action, token, answer = await _next_tag(ctx, watch, deadline)
            except errors.ExpectTimeoutError:
                said = f" (presented and refused: {', '.join(refused)})" if refused else ""
                raise Failed(f"no valid tag was presented within {ctx.timeout:g} s{said}: "
                             "present a tag listed as Accepted (or any tag, when the CSMS accepts all)") from None
            if answer == "Accepted":
                values = [runs.Value("tag presented", token), runs.Value("CSMS answer", answer),
                          runs.Value("asked by", action)]
                if token not in ctx.engine.config.id_tags and ctx.engine.config.authorize_all:
                    # Any card passes then: the step proves the reader and the charger ask, not the list.
                    values.append(runs.Value("note", "the CSMS accepts every tag (Settings): this card is not "
                                                     "in the test tags"))
                return values
            refused.append(f"{token} {answer}")


@check("tag_blocked")
async def tag_blocked(ctx: Context) -> list[runs.Value]:
    """Someone presents a tag this CSMS answers Blocked (or Expired / Invalid): no session may begin
    with it, or the charger must end at once the one it began (StopTransactionOnInvalidId)."""
    already = set(ctx.info.transactions)  # sessions running before the tag: not ones it began
    with contextlib.ExitStack() as stack:
        watch = _tag_watch(ctx, stack)
        deadline = time.monotonic() + ctx.timeout
        accepted: list[str] = []
        while True:
            try:
                action, token, answer = await _next_tag(ctx, watch, deadline)
            except errors.ExpectTimeoutError:
                said = f" (presented and accepted: {', '.join(accepted)})" if accepted else ""
                listed = sorted(t for t, e in ctx.engine.config.id_tags.items() if e.get("status") == "Blocked")
                what = f"present {', '.join(listed)}" if listed else "add the card to the test tags as Blocked first"
                raise Failed(f"no refused tag was presented within {ctx.timeout:g} s{said}: {what}") from None
            if answer != "Accepted":
                break
            accepted.append(token)
        began = action != "Authorize"  # named in a session start: the charger began it
        if not began:  # asked first: a session may still begin with it (a charger that ignores the answer)
            try:
                started = ("StartTransaction", "TransactionEvent")
                deadline = time.monotonic() + TAG_GRACE_S
                while not began:  # another card's Authorize meanwhile is not this one's session
                    action, again, _ = await _next_tag(ctx, watch, deadline, started)
                    began = again == token
            except errors.ExpectTimeoutError:
                pass
        began_text = "no"
        if began:
            began_text = "yes, ended at once"
            ended = await checking.poll(lambda: not (set(ctx.info.transactions) - already), TAG_GRACE_S)
            running = set(ctx.info.transactions) - already
            if ended is None and running:
                # Kept open is allowed when no energy flows (1.6 StopTransactionOnInvalidId false: the
                # charger suspends; 2.x a transaction begun at EVConnected): judged by its meter.
                powers = [m.reading.power_w for m in ctx.info.meters.values() if m.transaction_id in running]
                if not powers or any(p is None or p > IDLE_W for p in powers):
                    raise Failed(f"the charger began a session with {token}, answered {answer}, and kept it "
                                 f"running (transaction {', '.join(sorted(running))})"
                                 + (" delivering energy" if powers and all(p is not None for p in powers) else ""))
                began_text = "yes, kept open without energy"
    return [runs.Value("tag presented", token), runs.Value("CSMS answer", answer),
            runs.Value("session begun", began_text)]


# ---------------------------------------------------------------- operations


async def _sample_quickly(ctx: Context) -> leftovers.Restore:
    """Meter values every 5 s during the test charge (best effort: some chargers refuse); returns
    what puts the charger's own interval back, so the check leaves the configuration as found."""
    try:
        return await leftovers.set_for_the_check(ctx, leftovers.SAMPLE_INTERVAL, "5") or leftovers.nothing
    except errors.OperationError:
        return leftovers.nothing


@check("test_charge")
async def test_charge(ctx: Context) -> list[runs.Value]:
    version, key = ctx.version, ctx.connector_key
    restore = await _sample_quickly(ctx)
    return await leftovers.restored(restore, _charge(ctx, version, key))


async def _charge(ctx: Context, version: str, key: str) -> list[runs.Value]:
    began = time.monotonic()
    already = sorted(ctx.info.transactions)  # a session running before ours is not ours to measure or stop
    start = operations.quick(version, "start_charge", connector=ctx.connector, evse=ctx.connector,
                             id_tag=ctx.test_tag)
    # Recorded before the start goes out: a crash from here on is followed, when the run resumes, by
    # stopping the session this start began (its id recorded as soon as the charger says it), and
    # never one of those already running (a driver's).
    ctx.left_on_charger("transaction", {"id": "", "connector": key, "already": already})
    refused = False
    try:
        # 2.x says "charging" in the transaction's own events (chargingState), watched from before the start.
        with contextlib.ExitStack() as stack:
            if version != "1.6":
                ctx.transaction_events = stack.enter_context(ctx.engine.watch(ctx.charger_id, "TransactionEvent"))
            try:
                await ctx.call(start.action, start.payload)
            except Failed:  # answered, and not Accepted: no session began
                refused = True
                raise
            return await _run_session(ctx, version, key, set(already), began)
    finally:
        # Kept unless it is known that nothing runs: an Accepted start whose session was not seen
        # yet (a slow charger, one that went away) may be charging, and the run's next go stops it.
        if refused or _session_over(ctx):
            ctx.left_on_charger("transaction", None)


def _session_over(ctx: Context) -> bool:
    """The test session the step records has ended: its id known, and the charger, connected, no longer shows it."""
    recorded = ctx.step.on_charger.get("transaction") or {}
    info = ctx.engine.registry.chargers.get(ctx.charger_id)
    return bool(recorded.get("id")) and info is not None and info.connected and recorded["id"] not in info.transactions


async def _run_session(ctx: Context, version: str, key: str, already: set[str], began: float) -> list[runs.Value]:
    def session() -> str:
        return next((tx for tx, where in ctx.info.transactions.items()
                     if tx not in already and where in (key, str(ctx.connector), "")), "")

    await ctx.until(lambda: bool(session()), ctx.timeout, "a transaction start")
    transaction = session()
    ctx.left_on_charger("transaction", {"id": transaction, "connector": key, "already": sorted(already)})
    try:
        return await _measure_and_stop(ctx, version, key, transaction, began)
    finally:
        if transaction in ctx.info.transactions:  # failed half way: never leave the test session running
            stop = operations.quick(version, "stop_charge", transaction_id=transaction)
            try:
                answer = await ctx.engine.call(ctx.charger_id, stop.action, stop.payload)
            except errors.CommissionerError:
                pass
            else:  # its end seen, the step no longer says the session may still be running
                if operations.judge(stop.action, answer).ok:
                    await checking.poll(lambda: transaction not in ctx.info.transactions, ctx.timeout)


async def _measure_and_stop(ctx: Context, version: str, key: str, transaction: str, began: float) -> list[runs.Value]:
    if version == "1.6":
        await ctx.until(lambda: ctx.info.connectors.get(key) is not None and ctx.info.connectors[key].status == "Charging",
                        ctx.timeout, f"status Charging on connector {key}")
    else:  # the connector is Occupied; the transaction's chargingState says Charging
        events = ctx.transaction_events
        deadline = time.monotonic() + ctx.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failed(f"no TransactionEvent with chargingState Charging within {ctx.timeout:g} s")
            event = await events.next(left, "a TransactionEvent with chargingState Charging")
            info = event.get("transactionInfo", {}) if isinstance(event.get("transactionInfo"), dict) else {}
            if info.get("transactionId") == transaction and info.get("chargingState") == "Charging":
                break
    meter_key = key.split("/", 1)[0]
    readings: list[tuple[float, float | None, float]] = []  # (s since start, power W, energy Wh)
    deadline = time.monotonic() + ctx.timeout
    last_updated = 0
    # Rising energy, enough of it that the Wh-resolution meterStop is above meterStart too.
    while len({r[2] for r in readings}) < 2 or readings[-1][2] - readings[0][2] < MIN_CHARGE_WH:
        if time.monotonic() > deadline:
            raise Failed("no meter values with rising energy within "
                         f"{ctx.timeout:g} s ({display.count(len(readings), 'reading')} received)")
        meter = ctx.info.meters.get(meter_key)
        if meter is not None and meter.updated_ms != last_updated and meter.reading.energy_wh is not None:
            last_updated = meter.updated_ms
            readings.append((time.monotonic() - began, meter.reading.power_w, meter.reading.energy_wh))
        else:
            trigger = operations.quick(version, "trigger_meter", connector=ctx.connector, evse=ctx.connector)
            with ctx.engine.watch(ctx.charger_id, "MeterValues") as values:
                await ctx.engine.call(ctx.charger_id, trigger.action, trigger.payload)
                try:
                    await values.next(2.0)
                except errors.ExpectTimeoutError:
                    pass
            await asyncio.sleep(POLL_S)
    ctx.step.series = [[round(t * 1000), p or 0.0, e] for t, p, e in readings]
    stop = operations.quick(version, "stop_charge", transaction_id=transaction)
    watched = "StopTransaction" if version == "1.6" else "TransactionEvent"
    with ctx.engine.watch(ctx.charger_id, watched) as ends:
        await ctx.call(stop.action, stop.payload)
        await ctx.until(lambda: transaction not in ctx.info.transactions, ctx.timeout, "the transaction's end")
        ctx.left_on_charger("transaction", None)
        meter_stop = None
        while True:
            try:
                end = await ends.next(0 if version == "1.6" else 0.5)
            except errors.ExpectTimeoutError:
                break
            if version == "1.6":
                meter_stop = end.get("meterStop")
            elif end.get("eventType") == "Ended":  # 2.x: the register in the Ended event, when it carries one
                meter_stop = metering.read(end.get("meterValue")).energy_wh
    delivered = readings[-1][2] - readings[0][2]
    if version != "1.6" and isinstance(meter_stop, (int, float)) and meter_stop <= readings[0][2]:
        raise Failed(f"the transaction ended with the register at {meter_stop:g} Wh, not above the "
                     f"{readings[0][2]:g} Wh it started from")
    if version == "1.6":
        meter = ctx.info.meters.get(meter_key)
        started = meter.start_wh if meter is not None and meter.transaction_id == transaction else None
        if not isinstance(meter_stop, (int, float)):
            raise Failed("the charger sent no StopTransaction with a meterStop for the test session")
        if started is None:
            started = await _meter_start(ctx, transaction)
        if isinstance(started, (int, float)):
            if meter_stop <= started:
                raise Failed(f"meterStop {meter_stop} Wh is not above meterStart {started} Wh")
            delivered = float(meter_stop - started)
    peak = max((r[1] or 0.0) for r in readings)
    return [runs.Value("energy delivered", round(delivered / 1000, 3), "kWh", 0.0),
            runs.Value("peak power", round(peak / 1000, 2), "kW"),
            runs.Value("transaction", transaction),
            runs.Value("duration", round(time.monotonic() - began, 1), "s")]


async def _meter_start(ctx: Context, transaction: str) -> float | None:
    payload = await last_payload(ctx, "StartTransaction")
    return payload.get("meterStart") if payload else None


@check("availability")
async def availability(ctx: Context) -> list[runs.Value]:
    version, key = ctx.version, ctx.connector_key
    off = operations.quick(version, "availability", connector=ctx.connector if version == "1.6" else 1,
                           evse=ctx.connector, operative=False)
    on = dataclasses.replace(off, payload=operations.quick(
        version, "availability", connector=ctx.connector if version == "1.6" else 1, evse=ctx.connector,
        operative=True).payload)
    answer = await ctx.call(off.action, off.payload)
    back_on = False
    try:
        if answer.get("status") == "Scheduled":  # a session runs there: it would happen only after it
            raise Failed(f"the charger scheduled the change for after the running session on connector {key}")
        took_off = await ctx.until(lambda: checking.connector_status(ctx, key) == "Unavailable", ctx.timeout,
                                   f"connector {key} Unavailable")
        await ctx.call(on.action, on.payload)
        back_on = True
    finally:
        if not back_on:  # leave the connector as found: Inoperative would outlive a reboot
            try:
                await ctx.engine.call(ctx.charger_id, on.action, on.payload)
            except errors.CommissionerError:
                pass
    took_on = await ctx.until(lambda: checking.connector_status(ctx, key) in ("Available", "Preparing", "Occupied"), ctx.timeout,
                              f"connector {key} Available again")
    return [runs.Value("to Unavailable", round(took_off, 1), "s"), runs.Value("back to Available", round(took_on, 1), "s")]


@check("unlock")
async def unlock(ctx: Context) -> list[runs.Value]:
    request = operations.quick(ctx.version, "unlock", connector=ctx.connector, evse=ctx.connector)
    result = await ctx.engine.call(ctx.charger_id, request.action, request.payload)
    status = str(result.get("status", ""))
    if status in ("NotSupported", "UnknownConnector") and ctx.version == "1.6" or status == "UnknownConnector":
        raise NotApplicable(f"the charger answered {status}: a tethered cable has no lock to open")
    if status != "Unlocked":
        raise Failed(f"the charger answered UnlockConnector with {status}")
    return [runs.Value("answer", status)]


@check("soft_reset")
async def soft_reset(ctx: Context) -> list[runs.Value]:
    request = operations.quick(ctx.version, "reset_soft")
    with ctx.engine.watch(ctx.charger_id, "BootNotification") as boots:
        await ctx.call(request.action, request.payload)
        accepted = time.monotonic()
        await boots.next(max(ctx.timeout, 120.0), "after the Reset")
    back = time.monotonic() - accepted
    await ctx.until(lambda: ctx.info.connected and ctx.info.boot_status == "Accepted", ctx.timeout, "an Accepted boot")
    return [runs.Value("reconnect time", round(back, 1), "s")]


# ---------------------------------------------------------------- security profile


SECURITY_DEFAULT = 2  # the profile a commissioning asks for when the template names none (TLS)


@check("security")
async def security_check(ctx: Context) -> list[runs.Value]:
    """The charger runs at least the template's profile (`low`; 2 when none): a lower one is
    upgraded (services.certificates: password, CA, its own certificate for 3, the profile, the
    restart) and must reconnect with it. The CA's fingerprint is part of the record."""
    from app.services import certificates
    from app.storage import vault as vault_store

    wanted = int(ctx.low) if ctx.low is not None else SECURITY_DEFAULT
    if not 1 <= wanted <= 3:
        raise Failed(f"the template asks for security profile {wanted}: it must be 1, 2 or 3")
    values: list[runs.Value] = []
    if wanted >= 2 and ctx.info.security_profile < wanted and ctx.engine.server.tls_port is None:
        raise Failed(f"security profile {wanted} needs TLS, and this CSMS has no wss:// port: Settings → "
                     "Security: turn on TLS, then run this step again")
    if wanted >= 2 and ctx.engine.server.certificates is not None:
        about = await certificates.authority(ctx.engine)
        values.append(runs.Value("CA fingerprint (SHA-256)", about.fingerprint))
    current = ctx.info.security_profile
    if current < wanted:
        with errors_as_failed():
            done = await certificates.upgrade(
                ctx.engine, ctx.charger_id, wanted, vault=ctx.vault or vault_store.Vault(),
                csr_timeout=ctx.timeout / 2, reconnect_timeout=ctx.timeout)
        values += [runs.Value(step.title, ("✓ " if step.ok else "✗ ") + step.detail) for step in done.steps]
        if not done.ok:
            ctx.step.values = values
            raise Failed(done.text)
        ctx.step.note = f"upgraded from security profile {current}: {done.text}"
        current = done.profile
    values.insert(0, runs.Value("security profile", current))
    values.append(runs.Value("lowest profile admitted from now on", certificates.state(ctx.engine,
                                                                                   ctx.charger_id).lowest_allowed))
    return values


# ---------------------------------------------------------------- handover (the last step)

OPERATOR_URL_STEP = "operator_url"  # the manual step where the technician enters the operator's address
OPERATOR_PROFILE_STEP = "operator_security_profile"


def _entered(ctx: Context, key: str) -> str:
    step = next((s for s in ctx.run.steps if s.key == key), None)
    if step is None or not step.values or step.state is not runs.StepState.PASSED:
        return ""
    return str(step.values[0].value).strip()


@check("handover")
async def handover_check(ctx: Context) -> list[runs.Value]:
    """Hand the charger over to the operator's backend entered in the run, and prove it stayed there.
    A password for the operator is never part of a run: give it on the Configure page's Hand over."""
    from app.services import handover, vendors

    url = _entered(ctx, OPERATOR_URL_STEP)
    if not url:
        raise NotApplicable(f"no operator URL was entered (step {OPERATOR_URL_STEP!r}): the charger stays here")
    current = await handover.current_security_profile(ctx.engine, ctx.charger_id)
    level = _entered(ctx, OPERATOR_PROFILE_STEP)
    target = handover.Target(url, int(level) if level.isdigit() else max(current, 1 if url.startswith("ws:") else 2))
    vendor = None
    if ctx.version == "1.6":
        vendor = vendors.for_charger(ctx.info.vendor, ctx.info.model, ctx.engine.data_dir)
        if vendor is None or not vendor.settings.get("ocpp_url", vendors.Setting("")).key:
            raise Failed(f"no vendor profile names the backend URL key of {ctx.info.vendor} {ctx.info.model}: "
                         "hand it over on the Configure page, naming the key")
    stay = max(10.0, ctx.timeout - 30.0)
    with errors_as_failed():
        result = await handover.hand_over(ctx.engine, ctx.charger_id, target, vendor=vendor, stay_away=stay)
    values = [runs.Value("operator URL", url), runs.Value("security profile", target.security_profile)]
    values += [runs.Value(s.action, f"{s.summary}: {s.answer}") for s in result.sent]
    if not result.ok:
        ctx.step.values = values
        raise Failed(result.text)
    values.append(runs.Value("stayed away", round(result.away_s, 0), "s"))
    ctx.step.note = result.text
    return values


@contextlib.contextmanager
def errors_as_failed():
    """A refusal before anything was sent (bad URL, downgrade) fails the step with its reason and hint."""
    try:
        yield
    except errors.ConfigError as exc:
        raise Failed(f"{exc.message} {exc.hint}".strip()) from exc


# The firmware, diagnostics, current-limit and serial-console checks live beside their services; importing them
# registers them.
from app.services import transfer_checks  # noqa: E402,F401
from app.services import limit_checks  # noqa: E402,F401  (current_limit)
from app.services import console_checks  # noqa: E402,F401  (console)
