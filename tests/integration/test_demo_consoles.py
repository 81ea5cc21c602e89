"""Demo chargers come with a serial console on a pty (app.services.demo), read over the serial
service as a real charger's would be."""

from __future__ import annotations

import asyncio
import pathlib
import sys

import pytest

from app import core as app_core
from app.csms import engine as csms_engine
from app.services import demo, serial_console, vendors

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals: Linux and macOS")


async def test_a_demo_charger_has_a_console_until_it_stops(engine: csms_engine.Engine,
                                                            isolated_data_dir: pathlib.Path) -> None:
    chargers = demo.DemoChargers(engine)
    charger_id = await chargers.start("1.6")
    path = (await asyncio.to_thread(chargers.consoles))[charger_id]  # read from another thread
    session = serial_console.ConsoleSession(path, vendors.find("virtual"), data_dir=isolated_data_dir, timeout=5)
    settings = await asyncio.to_thread(session.read_settings)
    assert settings["charge_point_id"] == charger_id
    assert settings["ocpp_url"].endswith(f":{engine.server.port}/demo")
    await chargers.stop(charger_id)
    assert charger_id not in chargers.consoles()


def test_core_lists_the_demo_consoles_as_ports(isolated_data_dir: pathlib.Path) -> None:
    isolated_data_dir.mkdir(parents=True)
    core = app_core.Core(isolated_data_dir, port_override=0)
    assert core.demo_consoles() == []  # no engine yet
    core.settings.csms.host = "127.0.0.1"
    core.start()
    try:
        charger_id = core.engine.submit(core.demo.start("2.0.1")).result(5)
        [port] = core.demo_consoles()
        assert port.description == f"Demo charger {charger_id} (virtual console)"
        assert port.device == core.demo.consoles()[charger_id] and port.vid_pid == port.serial_number == ""
        core.engine.submit(core.demo.stop(charger_id)).result(10)
        assert core.demo_consoles() == []
    finally:
        core.shutdown()
    assert core.demo_consoles() == []
