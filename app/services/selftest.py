"""`commissioner --self-test`: prove on this machine (or from the bundle) that the core works.

Headless: starts the CSMS on a free loopback port in a temporary data dir, connects an OCPP 1.6
and a 2.0.1 virtual charger, round-trips one CSMS-initiated operation with each, then re-reads
the journal from disk. Prints each check; the result is True only if all held.
"""

from __future__ import annotations

import asyncio
import contextlib
import pathlib
import tempfile
import time
from typing import Callable

from app import simulator
from app.csms import engine as csms_engine
from app.domain import csms_policy, display
from app.domain import model
from app.storage import journal as storage_journal

TIMEOUT_S = 20.0


class Checks:
    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.failed = 0
        self.passed = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        self.say(f"[{'ok' if ok else 'FAIL'}] {what}" + (f": {detail}" if detail else ""))
        return ok


async def _run(checks: Checks, data_dir: pathlib.Path) -> None:
    config = csms_policy.CsmsConfig(host="127.0.0.1", port=0, call_timeout=10.0)
    engine = csms_engine.Engine(config, data_dir)
    chargers: list[simulator.VirtualCharger] = []
    tasks: list[asyncio.Task] = []
    try:
        urls = await engine.start()
        checks.check(True, "CSMS listening", urls[0])
        for charger_id, version in (("SELFTEST-16", "1.6"), ("SELFTEST-201", "2.0.1")):
            charger = simulator.VirtualCharger(simulator.SimConfig(
                url=urls[0] + "selftest", charger_id=charger_id, ocpp_version=version, backoff_min=0.1,
                backoff_max=0.5))
            chargers.append(charger)
            tasks.append(asyncio.ensure_future(charger.run()))
        for charger in chargers:
            cid, version = charger.config.charger_id, charger.config.ocpp_version
            try:
                await asyncio.wait_for(charger.booted.wait(), TIMEOUT_S)
                booted = engine.registry.chargers[cid].boot_status == "Accepted"
            except TimeoutError:
                booted = False
            checks.check(booted, f"OCPP {version} virtual charger connected and booted", cid)
        operations = {"SELFTEST-16": ("GetConfiguration", {"key": ["HeartbeatInterval"]}),
                      "SELFTEST-201": ("GetVariables", {"getVariableData": [
                          {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}]})}
        for cid, (action, payload) in operations.items():
            try:
                result = await engine.call(cid, action, payload, timeout=TIMEOUT_S)
                ok = bool(result.get("configurationKey") or result.get("getVariableResult"))
                checks.check(ok, f"{action} round trip with {cid}", "answered" if ok else f"unexpected {result}")
            except Exception as exc:  # any failure is a failed check, reported, not raised
                checks.check(False, f"{action} round trip with {cid}", f"{type(exc).__name__}: {exc}")
    finally:
        for charger in chargers:
            charger.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 10)
        await engine.stop()
        engine.close()


def run(say: Callable[[str], None] = print) -> bool:
    started = time.monotonic()
    checks = Checks(say)
    with tempfile.TemporaryDirectory(prefix="commissioner-selftest-") as tmp:
        data_dir = pathlib.Path(tmp)
        try:
            asyncio.run(_run(checks, data_dir))
        except Exception as exc:
            checks.check(False, "self-test ran to the end", f"{type(exc).__name__}: {exc}")
        reader = storage_journal.JournalReader(data_dir / storage_journal.FILE_NAME)
        try:
            frames = reader.frames(limit=100_000)
        finally:
            reader.close()
        actions = {(f.charger_id, f.action) for f in frames if f.direction is model.Direction.IN}
        needed = {("SELFTEST-16", "BootNotification"), ("SELFTEST-201", "BootNotification"),
                  ("SELFTEST-16", "GetConfiguration"), ("SELFTEST-201", "GetVariables")}
        checks.check(needed <= actions, "journal written and re-read from disk",
                     display.count(len(frames), "frame") if needed <= actions else f"missing {sorted(needed - actions)}")
    say(f"self-test {'passed' if not checks.failed else 'FAILED'}: {checks.passed} checks held, "
        f"{checks.failed} failed ({time.monotonic() - started:.1f} s)")
    return checks.failed == 0
