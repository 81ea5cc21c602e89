"""The current-limit commissioning check (services.limits): a limit set as the charger's maximum,
verified by its composite schedule and by its meter values during a charge, then cleared.
Registered in services.checks.CHECKS when services.checks imports this module.

The profile is recorded as left on the charger (step.on_charger "charging_profile") before it is
sent, so a run resumed after a crash clears it first (services.leftovers.undo).
"""

from __future__ import annotations

import contextlib

from app.domain import errors, runs
from app.services import checking, checks, leftovers, limits, operations

DEFAULT_LIMIT_A = 10.0  # the limit set when the step gives none (`high`): below any charger's maximum
SAMPLES = 3  # meter values with a current the check judges
NOT_READABLE = "not readable"  # the composite schedule's value when the charger gives none
SETTLE_S = 10.0  # a session already running when the limit is set: its first seconds are not judged


@checks.check("current_limit")
async def current_limit(ctx: checking.Context) -> list[runs.Value]:
    """Set the step's limit (`high`, in A per phase; 10 A by default) as the charger's maximum,
    read GetCompositeSchedule back, charge (or watch the session already running) and judge the
    meter values against it; clear the profile at the end. A composite schedule the charger
    refuses, fails or leaves empty is recorded as not readable, and the meter values judge alone;
    one above the limit fails the step at once (the charger says it does not apply it)."""
    limit = float(ctx.high) if ctx.high is not None else DEFAULT_LIMIT_A
    ctx.left_on_charger("charging_profile", {"id": limits.PROFILE_ID, "limit_a": limit})
    try:
        result = await limits.set_limit(ctx.engine, ctx.charger_id, limit)
    except errors.OperationError as exc:
        ctx.left_on_charger("charging_profile", None)  # not taken: nothing to clear
        raise checking.Failed(f"SetChargingProfile: {exc.message}") from exc
    values = [runs.Value("limit set", limit, "A"), runs.Value("profile answer", result.status)]
    if result.status != "Accepted":
        ctx.left_on_charger("charging_profile", None)
        ctx.step.values = values
        raise checking.Failed(result.message)
    try:
        readable = result.composite_a is not None
        values.append(runs.Value("composite schedule", result.composite_a if readable else NOT_READABLE,
                                 "A" if readable else "", None, limit))
        if readable and not result.verified:
            ctx.step.values = values
            raise checking.Failed(result.message)
        restore = await _sample_quickly(ctx)
        seen = await leftovers.restored(restore, _charge_and_observe(ctx, limit))
        values += [runs.Value("peak current", seen.peak_a, "A", None, round(limit + limits.tolerance(limit), 2)),
                   runs.Value("samples", len(seen.samples))]
        if seen.offered_a is not None:
            values.append(runs.Value("current offered", seen.offered_a, "A", None, limit))
        if not seen.obeyed:
            ctx.step.values = values
            raise checking.Failed(seen.message)
        unread = "" if readable else (f"Composite schedule not readable ({result.composite_status or 'no answer'}"
                                      f"{', no limit in it' if result.composite_status == 'Accepted' else ''}): "
                                      "judged by the meter values alone.")
        ctx.step.note = " ".join(filter(None, (ctx.step.note, unread, seen.message + ".")))  # after what an undo said
        return values
    finally:
        with contextlib.suppress(errors.CommissionerError):
            if await limits.clear_limit(ctx.engine, ctx.charger_id) in ("Accepted", "Unknown"):
                ctx.left_on_charger("charging_profile", None)


async def _sample_quickly(ctx: checking.Context) -> leftovers.Restore:
    try:
        return await leftovers.set_for_the_check(ctx, leftovers.SAMPLE_INTERVAL, "5") or leftovers.nothing
    except errors.OperationError:
        return leftovers.nothing


def _session(ctx: checking.Context, key: str, already: set[str] | frozenset[str] = frozenset()) -> str:
    return next((tx for tx, where in ctx.info.transactions.items()
                 if tx not in already and where in (key, str(ctx.connector), "")), "")


async def _charge_and_observe(ctx: checking.Context, limit: float) -> limits.Observation:
    """The meter values of a charge under the limit: the session running on the connector (a
    driver's, left running), else a test session started and stopped here."""
    version, key = ctx.version, ctx.connector_key
    running = _session(ctx, key)
    if running:
        return await _observe(ctx, limit, SETTLE_S)
    already = set(ctx.info.transactions)
    ctx.left_on_charger("transaction", {"id": "", "connector": key, "already": sorted(already)})
    transaction = ""
    try:
        start = operations.quick(version, "start_charge", connector=ctx.connector, evse=ctx.connector,
                                 id_tag=ctx.test_tag)
        await ctx.call(start.action, start.payload)
        await ctx.until(lambda: bool(_session(ctx, key, already)), ctx.timeout, "a transaction start")
        transaction = _session(ctx, key, already)
        ctx.left_on_charger("transaction", {"id": transaction, "connector": key, "already": sorted(already)})
        return await _observe(ctx, limit, 0.0)
    finally:
        if transaction:
            stop = operations.quick(version, "stop_charge", transaction_id=transaction)
            with contextlib.suppress(errors.CommissionerError, checking.Failed):
                await ctx.call(stop.action, stop.payload)
                await ctx.until(lambda: transaction not in ctx.info.transactions, ctx.timeout, "the transaction's end")
                ctx.left_on_charger("transaction", None)
        elif not _session(ctx, key, already):
            ctx.left_on_charger("transaction", None)  # refused or never began: nothing runs


async def _observe(ctx: checking.Context, limit: float, settle_s: float) -> limits.Observation:
    try:
        return await limits.observe(ctx.engine, ctx.charger_id, ctx.connector, limit, samples=SAMPLES,
                                    timeout=ctx.timeout + settle_s, settle_s=settle_s, charging_only=True)
    except errors.ExpectTimeoutError as exc:
        raise checking.Failed(f"no meter value with a current drawn came within {ctx.timeout + settle_s:g} s: "
                              "the EV did not charge under the limit, or the charger sends no Current.Import "
                              "or power and voltage") from exc
