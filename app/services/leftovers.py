"""What a check changes on the charger for a while, put back after it; and, when the app stopped
under a check (a crash, kill -9, a pulled plug), undoing what it left there before it runs afresh.

A check records each thing it leaves on the charger in its step (`Step.on_charger`: the test
session it started, the settings it changed, with the values to put back) the moment it does
it, and the run service writes the step to sqlite at once. A step that ends with something still
there fails, saying what (`still_there`); the run's next go (resumed, run again) calls `undo`
first: settings put back, the test session stopped, and the step's note says so.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any, Awaitable, Callable, TypeVar

from app.domain import errors
from app.services import checking, configuration, limits, operations

T = TypeVar("T")
Context = checking.Context
Failed = checking.Failed


async def nothing() -> None:
    return None


@dataclasses.dataclass(frozen=True)
class Setting:
    """A setting a check changes while it runs: the 1.6 key, the 2.x component and variable."""

    key: str
    component: str
    variable: str

    def name(self, version: str) -> str:
        """Its name in step.on_charger (and the report's configuration changes)."""
        return self.key if version == "1.6" else f"{self.component}.{self.variable}"

    @classmethod
    def named(cls, version: str, name: str) -> Setting:
        if version == "1.6":
            return cls(name, "", "")
        component, _, variable = name.partition(".")
        return cls("", component, variable)


SAMPLE_INTERVAL = Setting("MeterValueSampleInterval", "SampledDataCtrlr", "TxUpdatedInterval")
HEARTBEAT_INTERVAL = Setting("HeartbeatInterval", "OCPPCommCtrlr", "HeartbeatInterval")
Restore = Callable[[], Awaitable[None]]


async def _read_setting(ctx: Context, setting: Setting) -> str | None:
    if ctx.version == "1.6":
        return await configuration.value_of(ctx.engine, ctx.charger_id, setting.key)
    return await configuration.value_of(ctx.engine, ctx.charger_id, setting.variable, setting.component)


async def _write_setting(ctx: Context, setting: Setting, value: str) -> str:
    """The charger's answer to the change: Accepted, Rejected, RebootRequired..."""
    if ctx.version == "1.6":
        answer = await ctx.engine.call(ctx.charger_id, "ChangeConfiguration", {"key": setting.key, "value": value})
        return str(answer.get("status", ""))
    answer = await ctx.engine.call(ctx.charger_id, "SetVariables", {"setVariableData": [{
        "component": {"name": setting.component}, "variable": {"name": setting.variable}, "attributeValue": value}]})
    return str((answer.get("setVariableResult") or [{}])[0].get("attributeStatus", ""))


async def set_for_the_check(ctx: Context, setting: Setting, value: str) -> Restore | None:
    """`setting` at `value` while the check runs; returns what puts the charger's own value back,
    or None when the charger will not say what it was or does not take the change now.

    The value to put back is recorded with the step before the change is sent: a run resumed
    after a crash puts it back (`undo`, below) before the check runs afresh.
    """
    old = await _read_setting(ctx, setting)
    if old is None:
        return None
    if old == value:
        return nothing
    name = setting.name(ctx.version)
    ctx.left_on_charger("settings", {**ctx.step.on_charger.get("settings", {}), name: old})
    ctx.left_on_charger("set_to", {**ctx.step.on_charger.get("set_to", {}), name: value})
    status = await _write_setting(ctx, setting, value)
    if status != "Accepted":
        if status == "RebootRequired":  # it would come at the next boot, and stay: take it back
            with contextlib.suppress(errors.OperationError):
                await _write_setting(ctx, setting, old)
        _forget_setting(ctx, name)
        return None

    async def restore() -> None:
        try:
            answer = await _write_setting(ctx, setting, old)
        except errors.CommissionerError as exc:
            raise Failed(f"{name} could not be put back to {old} after the check: {exc.message}") from None
        if answer not in ("Accepted", "RebootRequired"):
            raise Failed(f"{name} could not be put back to {old} after the check: the charger answered {answer or 'nothing'}")
        _forget_setting(ctx, name)
    return restore


def _forget_setting(ctx: Context, name: str) -> None:
    # "set_to" first: a crash between the two leaves the value to put back, never only the other.
    for kind in ("set_to", "settings"):
        rest = {k: v for k, v in ctx.step.on_charger.get(kind, {}).items() if k != name}
        ctx.left_on_charger(kind, rest or None)


async def restored(restore: Restore, work: Awaitable[T]) -> T:
    """What `work` returns, once `restore` has put back what the check changed for it. When the
    work fails, its failure is what the step says (a restore that fails too is not told over it)."""
    try:
        result = await work
    except BaseException:
        with contextlib.suppress(Failed):
            await restore()
        raise
    await restore()  # a charger that will not take its own value back fails the step, saying which
    return result


# ---------------------------------------------------------------- what a step left, undone on the run's next go

STOP_IT = "stop the session at the charger, then run the step again"


def still_there(left: dict[str, Any]) -> str:
    """What a step's check left on the charger (its `on_charger`), in plain words; "" for nothing."""
    said: list[str] = []
    set_to = dict(left.get("set_to") or {})
    for name, old in dict(left.get("settings") or {}).items():
        said.append(f"{name} is still {set_to[name]} (set for the check; it was {old})" if name in set_to else
                    f"{name} may still be as the check set it (it was {old})")
    if left.get("charging_profile"):
        profile = left["charging_profile"]
        said.append(f"the charging profile {profile.get('id')} the check set (a {profile.get('limit_a', '?')} A limit) "
                    "may still be on the charger")
    if "transaction" in left:
        session = left["transaction"] or {}
        where = session.get("connector") or "?"
        said.append(f"the test session (transaction {session['id']} on connector {where}) may still be running"
                    if session.get("id") else
                    f"the test session the check started on connector {where} may still be running")
    return "; ".join(said)


async def undo(ctx: Context, left: dict[str, Any]) -> str:
    """Undo what the step's check left on the charger (the step's `on_charger`, as sqlite kept it:
    the app stopped under it, or the check could not put it back): settings put back, the test
    session stopped, so the check can run afresh. Returns what was done (for the step's note);
    Failed says what to do instead."""
    done: list[str] = []
    version = ctx.version
    for name, old in dict(left.get("settings") or {}).items():
        status = await _write_setting(ctx, Setting.named(version, name), str(old))
        if status not in ("Accepted", "RebootRequired"):
            raise Failed(f"{name} is still as the check set it before the restart: the charger answered "
                         f"{status or 'nothing'} when it was put back to {old}; set it to {old} at the charger, "
                         "then run the step again")
        _forget_setting(ctx, name)
        done.append(f"{name} put back to {old}")
    ctx.left_on_charger("set_to", None)  # a value set with nothing recorded to put back: nothing to do
    if left.get("charging_profile"):
        profile = left["charging_profile"]
        status = await limits.clear_limit(ctx.engine, ctx.charger_id, int(profile.get("id", limits.PROFILE_ID)))
        if status not in ("Accepted", "Unknown"):  # Unknown: it was gone already
            raise Failed(f"the charging profile {profile.get('id')} the check set is still on the charger: it answered "
                         f"ClearChargingProfile with {status or 'nothing'}; clear it at the charger, then run the step "
                         "again")
        ctx.left_on_charger("charging_profile", None)
        if status == "Accepted":
            done.append(f"the {profile.get('limit_a', '?')} A charging profile {profile.get('id')} cleared")
    if "transaction" in left:
        stopped = await _stop_earlier_session(ctx, left["transaction"] or {})
        ctx.left_on_charger("transaction", None)
        if stopped:
            done.append(stopped)
    return "; ".join(done)


async def _stop_earlier_session(ctx: Context, recorded: dict[str, Any]) -> str:
    """Stop the test session a check started before the app stopped (its id as recorded, or the
    one the charger shows on that connector, never one that ran there before the check's start);
    "" when there is none."""
    key = str(recorded.get("connector") or ctx.connector_key)
    already = frozenset(str(t) for t in recorded.get("already") or ())
    transaction = str(recorded.get("id") or "") or await _session_on(ctx, key, already)
    if not transaction:
        return ""  # the start never got as far as a transaction
    earlier = f"the test session left running when the app stopped (transaction {transaction} on connector {key})"
    version = ctx.version
    stop = operations.quick(version, "stop_charge", transaction_id=transaction)
    with ctx.engine.watch(ctx.charger_id, "StopTransaction" if version == "1.6" else "TransactionEvent",
                          lambda p: _ends(version, p, transaction)) as ends:
        try:
            answer = await ctx.engine.call(ctx.charger_id, stop.action, stop.payload)
        except errors.OperationError as exc:
            raise Failed(f"{earlier} could not be stopped: {exc.message} {STOP_IT[0].upper()}{STOP_IT[1:]}.") from None
        verdict = operations.judge(stop.action, answer)
        if not verdict.ok:
            still = await _session_on(ctx, key, already)
            if still:
                raise Failed(f"the charger answered {stop.action} for {earlier} with {verdict.status} and still shows "
                             f"transaction {still} there: {STOP_IT}")
            return f"{earlier} had already ended"
        try:
            await ends.next(ctx.timeout, f"the end of transaction {transaction}")
        except errors.ExpectTimeoutError:
            raise Failed(f"{earlier} did not end within {ctx.timeout:g} s of {stop.action}: {STOP_IT}") from None
    # The connector free again before the test charge starts afresh. One that stays Finishing (a
    # cable still plugged in) is left to answer the new start itself.
    with contextlib.suppress(Failed):
        await ctx.until(lambda: checking.connector_status(ctx, key) in ("Available", "Preparing"), ctx.timeout,
                        f"connector {key} free")
    return f"{earlier} was stopped first"


def _ends(version: str, payload: dict[str, Any], transaction: str) -> bool:
    if version == "1.6":
        return str(payload.get("transactionId")) == transaction
    info = payload.get("transactionInfo") if isinstance(payload.get("transactionInfo"), dict) else {}
    return payload.get("eventType") == "Ended" and str(info.get("transactionId")) == transaction


async def _session_on(ctx: Context, key: str, already: frozenset[str] = frozenset()) -> str:
    """The transaction the charger shows on connector `key` now ("" when none): the one the CSMS
    knows there (or knows on no connector yet), else the one a triggered MeterValues (1.6) /
    TransactionEvent (2.x) names. One in `already` (running before the check's start: a driver's)
    is never the check's, so never one to stop."""
    known = next((tx for tx, where in ctx.info.transactions.items()
                  if tx not in already and where in (key, str(ctx.connector), "")), "")
    if known:
        return known
    if ctx.version == "1.6":
        action, trigger = "MeterValues", {"requestedMessage": "MeterValues", "connectorId": ctx.connector}
    else:
        action, trigger = "TransactionEvent", {"requestedMessage": "TransactionEvent", "evse": {"id": ctx.connector}}
    with ctx.engine.watch(ctx.charger_id, action) as sent:
        try:
            answer = await ctx.engine.call(ctx.charger_id, "TriggerMessage", trigger)
            if answer.get("status") != "Accepted":
                return ""  # 2.x: Rejected, no transaction there
            payload = await sent.next(ctx.timeout, f"after TriggerMessage {action}")
        except errors.OperationError:
            return ""
    if ctx.version == "1.6":
        found = str(payload.get("transactionId") or "")
    else:
        info = payload.get("transactionInfo") if isinstance(payload.get("transactionInfo"), dict) else {}
        found = str(info.get("transactionId") or "")
    return "" if found in already else found
