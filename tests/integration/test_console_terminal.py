"""The technician's terminal over a real pseudo-terminal: typed lines reach the virtual charger's
console and its answers come back; the session log masks the password; a pulled cable is said
and the terminal reconnects by itself when the port is back; point_at moves the charger."""

from __future__ import annotations

import asyncio
import pathlib
import sys

import pytest

from app.csms import engine as csms_engine
from app.domain import errors
from app.services import serial_console, vendors
from tests.integration.test_serial_console import WAIT_S, booted, virtual_charger

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals: Linux and macOS")


class Screen:
    """What the terminal's callbacks deliver (from its I/O thread), awaited on the test's loop."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.text = ""
        self.states: list[tuple[str, str, str]] = []
        self.changed = asyncio.Event()

    def on_data(self, data: bytes) -> None:
        self.loop.call_soon_threadsafe(self._add, data.decode(errors="replace"))

    def on_state(self, state: str, message: str, hint: str) -> None:
        self.loop.call_soon_threadsafe(self._state, (state, message, hint))

    def _add(self, text: str) -> None:
        self.text += text
        self.changed.set()

    def _state(self, state: tuple[str, str, str]) -> None:
        self.states.append(state)
        self.changed.set()

    async def wait(self, predicate) -> None:
        async with asyncio.timeout(WAIT_S):
            while not predicate():
                self.changed.clear()
                await self.changed.wait()


def terminal(port: str, screen: Screen, log_path: pathlib.Path) -> serial_console.Terminal:
    profile = vendors.find("virtual")
    return serial_console.Terminal(port, serial_console.LineSettings.of(profile.console), on_data=screen.on_data,
                                   on_state=screen.on_state, log_path=log_path,
                                   secret_prompts=serial_console.secret_prompts(profile), reconnect_s=0.05)


async def test_typing_at_the_console_and_the_log(tmp_path: pathlib.Path) -> None:
    async with virtual_charger(tmp_path) as server:
        screen = Screen()
        log_path = tmp_path / "console" / "session.log"
        term = terminal(str(server.link), screen, log_path)
        term.start()
        try:
            await screen.wait(lambda: any(s[0] == "open" for s in screen.states))
            term.send("")
            await screen.wait(lambda: screen.text.endswith("login: "))
            term.send("admin")
            await screen.wait(lambda: screen.text.endswith("Password: "))
            term.send("virtual")
            await screen.wait(lambda: screen.text.rstrip().endswith("virtual>"))
            term.send("get charge_point_id")
            await screen.wait(lambda: "charge_point_id = CON1" in screen.text)
        finally:
            await asyncio.to_thread(term.close)
        assert screen.states[-1][0] == "closed"
        logged = log_path.read_text()
        assert ">> admin" in logged and ">> ********" in logged and "virtual\n" not in logged.replace("virtual>", "")
        assert "<< charge_point_id = CON1" in logged


async def test_pulled_cable_is_said_and_the_terminal_comes_back(tmp_path: pathlib.Path) -> None:
    async with virtual_charger(tmp_path) as server:
        screen = Screen()
        term = terminal(str(server.link), screen, tmp_path / "t.log")
        term.start()
        try:
            await screen.wait(lambda: any(s[0] == "open" for s in screen.states))
            server.unplug()
            await screen.wait(lambda: any(s[0] == "waiting" for s in screen.states))
            waiting = next(s for s in screen.states if s[0] == "waiting")
            assert "reconnects" in waiting[2] or "as soon as" in waiting[2]
            opened = sum(1 for s in screen.states if s[0] == "open")
            server.plug()
            await screen.wait(lambda: sum(1 for s in screen.states if s[0] == "open") > opened)
            term.send("")
            await screen.wait(lambda: screen.text.endswith("login: "))
        finally:
            await asyncio.to_thread(term.close)


async def test_a_port_that_is_not_there_waits_for_it(tmp_path: pathlib.Path) -> None:
    screen = Screen()
    term = terminal(str(tmp_path / "ttyNONE"), screen, tmp_path / "t.log")
    term.start()
    try:
        await screen.wait(lambda: bool(screen.states))
        state, message, hint = screen.states[0]
        assert state == "waiting" and "no serial port" in message.lower() and "as soon as" in hint
    finally:
        await asyncio.to_thread(term.close)


async def test_point_at_moves_the_charger_to_the_csms(tmp_path: pathlib.Path, isolated_data_dir: pathlib.Path,
                                                      engine: csms_engine.Engine) -> None:
    async with virtual_charger(tmp_path, "CON-HERE") as server:
        session = serial_console.ConsoleSession(str(server.link), vendors.find("virtual"), data_dir=isolated_data_dir)
        arrived = await booted(engine, "CON-HERE")
        values = await asyncio.to_thread(serial_console.point_at, session, f"ws://127.0.0.1:{engine.server.port}/",
                                         "CON-HERE")
        assert values == {"ocpp_url": f"ws://127.0.0.1:{engine.server.port}", "charge_point_id": "CON-HERE"}
        await asyncio.wait_for(arrived.wait(), WAIT_S)
        with pytest.raises(errors.ConfigError, match="charger id"):
            serial_console.point_at(session, "ws://x:1/", "bad id")
        with pytest.raises(errors.ConfigError, match="ws://"):
            serial_console.point_at(session, "http://x:1/", "CP1")


def test_backend_url_follows_the_profile() -> None:
    profile = vendors.find("virtual")
    assert serial_console.backend_url(profile, "ws://10.0.0.5:9000/", "CP1") == "ws://10.0.0.5:9000"
    with_id = vendors.VendorProfile(**{**profile.__dict__, "settings": {"ocpp_url": vendors.Setting("Url", True)}})
    assert serial_console.backend_url(with_id, "ws://10.0.0.5:9000/", "CP1") == "ws://10.0.0.5:9000/CP1"
