"""What every automated check works with: its Context (the engine, the charger, the run and
its step), and the two ways a check ends other than passing: `Failed` and `NotApplicable`."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any, Callable

from app.csms import engine as csms_engine
from app.domain import runs
from app.services import operations

POLL_S = 0.1  # how often a check looks at the registry while it waits for a state


class Failed(Exception):
    """The charger did not do what the check asked; the message says what it did instead."""


class NotApplicable(Exception):
    """This check cannot be made with this charger (the message says why)."""


@dataclasses.dataclass
class Context:
    engine: csms_engine.Engine
    charger_id: str
    run: runs.Run
    step: runs.Step
    connector: int = 1  # the connector (1.6) / EVSE (2.x) the charging checks use
    test_tag: str = operations.TEST_TAG
    timeout: float = 30.0
    high: float | None = None  # the template's limit for the check's value, where it has one
    low: float | None = None  # its lower limit (security: the lowest profile the charger must run)
    evidence: list[int] = dataclasses.field(default_factory=list)  # frames from before the step that prove it
    transaction_events: Any = None  # 2.x test charge: the watch on its TransactionEvents
    template: str = ""  # config_template: the configuration template's id
    firmware: str = ""  # firmware: the image to install (version label or file name; "": the newest)
    store: Any = None  # the run store (storage.runs.RunStore): firmware and log jobs are kept there too
    keep: Callable[[], None] = lambda: None  # writes the step now (the run service: to sqlite, and tells)
    vault: Any = None  # storage.vault.Vault where a password given on the way is kept (None: the OS keyring's)

    @property
    def version(self) -> str:
        return self.engine.server.session(self.charger_id).version  # ChargerNotConnectedError

    @property
    def info(self):
        return self.engine.registry.chargers[self.charger_id]

    @property
    def connector_key(self) -> str:
        return str(self.connector) if self.version == "1.6" else f"{self.connector}/1"

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        result = await self.engine.call(self.charger_id, action, payload)
        verdict = operations.judge(action, result)
        if not verdict.ok:
            raise Failed(f"the charger answered {action} with {verdict.status}")
        return result

    def left_on_charger(self, kind: str, value: Any) -> None:
        """Record at once what the check now leaves on the charger (step.on_charger; None: undone),
        so a crash before the check undoes it is undone when the run resumes."""
        if value is None:
            if self.step.on_charger.pop(kind, None) is None:
                return
        else:
            self.step.on_charger[kind] = value
        self.keep()

    async def until(self, predicate: Callable[[], bool], timeout: float, what: str) -> float:
        """Wait for a registry state; seconds it took. Fails with `what` when it does not come."""
        took = await poll(predicate, timeout)
        if took is None:
            raise Failed(f"{what} did not happen within {timeout:g} s")
        return took


async def poll(predicate: Callable[[], bool], timeout: float) -> float | None:
    """Seconds until `predicate` held, looking every POLL_S (the registry has no event for every
    state); None when it did not within `timeout`."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            return None
        await asyncio.sleep(POLL_S)
    return time.monotonic() - started


def connector_status(ctx: Context, key: str) -> str:
    """The status the connector ("1"; 2.x "1/1") last reported; "" before it reported one."""
    state = ctx.info.connectors.get(key)
    return state.status if state else ""


async def journal_now(ctx: Context) -> int:
    """The journal's newest frame id, once everything so far is written."""
    journal = ctx.engine.journal

    def read() -> int:
        journal.flush()
        reader = journal.reader()
        try:
            return reader.max_id()
        finally:
            reader.close()
    return await asyncio.to_thread(read)


async def calls_after(ctx: Context, action: str | None, after_id: int) -> list[Any]:
    """The charger's CALLs of `action` (None: of any action) journaled after `after_id`, oldest first."""
    journal, charger_id = ctx.engine.journal, ctx.charger_id

    def read() -> list[Any]:
        journal.flush()
        reader = journal.reader()
        try:
            return [f for f in reader.frames(after_id=after_id, charger_id=charger_id, action=action, direction="in")
                    if f.message_type == 2]
        finally:
            reader.close()
    return await asyncio.to_thread(read)
