"""One owner per object: Core on its thread, demo chargers on the engine loop, races that existed.

The test's event loop plays the GUI thread: every Core change is made there, the blocking
parts run in worker threads, and nothing waits forever when a restart and a request cross.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import pathlib
import threading

import pytest

from app import core as app_core
from app.domain import errors
from app.storage import settings


def _core(data_dir: pathlib.Path) -> app_core.Core:
    data_dir.mkdir(parents=True, exist_ok=True)
    core = app_core.Core(data_dir, port_override=0)
    core.settings.csms.host = "127.0.0.1"
    return core


def _engine_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "csms-engine"]


async def _booted(core: app_core.Core, charger_id: str) -> None:
    """Wait for the charger's boot, on the engine loop (watches belong to the loop)."""
    engine = core.engine

    async def boot() -> None:
        with engine.watch(charger_id, "BootNotification") as boots:
            info = engine.registry.chargers.get(charger_id)
            if info is None or info.boot_status != "Accepted":
                await boots.next(10)

    await asyncio.wrap_future(engine.submit(boot()))


@pytest.mark.parametrize("demo_first", [True, False])
async def test_settings_restart_while_a_demo_charger_starts(isolated_data_dir: pathlib.Path, demo_first) -> None:
    core = _core(isolated_data_dir)
    core.start()
    try:
        old_engine = core.engine
        new = copy.deepcopy(core.settings)
        new.csms.heartbeat_interval = 42
        new.csms.host = "localhost"  # a new host: the CSMS restarts
        demo = core.start_demo("1.6")
        restart = core.apply_settings(new)
        coros = (demo, restart) if demo_first else (restart, demo)
        outcome = await asyncio.wait_for(asyncio.gather(*coros, return_exceptions=True), 30)
        started, restarted = (outcome if demo_first else outcome[::-1])
        assert restarted is True
        # The demo start either ran on the old engine (and ended with it) or was refused: never a hang.
        assert started == "DEMO-16-01" or isinstance(started, errors.CsmsError), started
        assert core.engine is not old_engine and old_engine._thread is None
        assert _engine_threads() == [core.engine._thread]
        assert core.engine.config.heartbeat_interval == 42
        charger_id = await core.start_demo("2.0.1")
        await asyncio.wait_for(_booted(core, charger_id), 15)
        assert settings.load(isolated_data_dir).csms.heartbeat_interval == 42
        assert await core.stop_demos() == 1
    finally:
        await asyncio.to_thread(core.shutdown)
    assert _engine_threads() == []


async def test_concurrent_settings_changes_are_applied_one_after_the_other(isolated_data_dir: pathlib.Path) -> None:
    core = _core(isolated_data_dir)
    core.start()
    try:
        changes = []
        for interval in (11, 22, 33):
            new = copy.deepcopy(core.settings)
            new.csms.heartbeat_interval = interval
            changes.append(core.apply_settings(new))
        mode = core.set_charger_mode("CP1", app_core.model.Mode.STRICT)
        results = await asyncio.wait_for(asyncio.gather(*changes, mode), 30)
        assert results == [False, False, False, None]  # applied live, in order
        saved = settings.load(isolated_data_dir)
        assert saved.csms.heartbeat_interval == 33 and "CP1" in saved.csms.charger_modes
        assert not list(isolated_data_dir.glob("*.tmp"))  # every temp file replaced or removed
    finally:
        await asyncio.to_thread(core.shutdown)


async def test_stopping_demo_chargers_never_blocks_the_owner(isolated_data_dir: pathlib.Path) -> None:
    core = _core(isolated_data_dir)
    core.start()
    try:
        ids = [await core.start_demo("1.6"), await core.start_demo("2.0.1")]
        for charger_id in ids:
            await asyncio.wait_for(_booted(core, charger_id), 15)
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        ticker = asyncio.ensure_future(tick())
        stopped = await core.stop_demos()
        ticker.cancel()
        assert stopped == 2
        assert ticks > 1  # the owner's loop kept turning while the chargers closed
        assert await asyncio.wrap_future(core.engine.submit(_running(core))) == []
    finally:
        await asyncio.to_thread(core.shutdown)


async def _running(core: app_core.Core) -> list[str]:
    return core.demo.running()


def test_setup_logging_never_stacks_handlers(isolated_data_dir: pathlib.Path) -> None:
    isolated_data_dir.mkdir(parents=True)
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        for _ in range(3):
            app_core.setup_logging(isolated_data_dir)
        ours = [h for h in root.handlers if h not in before]
        assert len(ours) == 2  # one console, one log file
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()
