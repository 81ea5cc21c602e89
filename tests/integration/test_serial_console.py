"""The serial console end to end over a real pseudo-terminal: the virtual charger's console
(app.simulator.console), driven by the serial service and by `commissioner serial`."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pathlib
import sys
from collections.abc import AsyncIterator

import pytest

from app.csms import engine as csms_engine
from app.domain import errors, model
from app.services import serial_console, vendors
from app.simulator import charger as sim_charger
from app.simulator import console as sim_console
from app.simulator import options as sim_options

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals: Linux and macOS")

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEAD_URL = "ws://127.0.0.1:9/ocpp"  # nothing listens: the charger waits to be pointed somewhere
WAIT_S = 20.0


@contextlib.asynccontextmanager
async def virtual_charger(tmp_path: pathlib.Path, charger_id: str = "CON1") -> AsyncIterator[sim_console.ConsoleServer]:
    config = sim_options.SimConfig(url=DEAD_URL, charger_id=charger_id, reboot_delay=0.1, backoff_min=5, backoff_max=5)
    charger = sim_charger.VirtualCharger(config)
    server = sim_console.ConsoleServer(charger, link=tmp_path / "ttyVIRT")
    server.plug()
    task = asyncio.create_task(charger.run())
    try:
        yield server
    finally:
        charger.stop()
        await asyncio.wait_for(task, WAIT_S)
        server.unplug()


def session(server: sim_console.ConsoleServer, data_dir: pathlib.Path, **kwargs) -> serial_console.AsyncConsoleSession:
    port = str(server.link)
    return serial_console.AsyncConsoleSession(
        serial_console.ConsoleSession(port, vendors.find("virtual"), data_dir=data_dir, timeout=5, **kwargs))


async def booted(engine: csms_engine.Engine, charger_id: str) -> asyncio.Event:
    """Set once `charger_id` boots on the engine (subscribed before the reboot that causes it)."""
    done = asyncio.Event()

    def listener(event: model.Event) -> None:
        if isinstance(event, model.Booted) and event.charger_id == charger_id:
            done.set()

    engine.subscribe(listener)
    return done


async def cli(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", "serial", *args, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), WAIT_S)
    return process.returncode, out.decode(), err.decode()


async def test_read_settings(tmp_path: pathlib.Path, isolated_data_dir: pathlib.Path) -> None:
    async with virtual_charger(tmp_path) as server:
        settings = await session(server, isolated_data_dir).read_settings()
    assert settings["ocpp_url"] == DEAD_URL
    assert settings["charge_point_id"] == "CON1"
    assert settings["ip_mode"] == "dhcp"
    assert "password" not in settings  # write-only
    logs = list((isolated_data_dir / "console").glob("*.log"))
    assert logs and ">> get ocpp_url" in logs[0].read_text() and ">> ********" in logs[0].read_text()


async def test_set_url_and_id_then_reboot_connects_to_the_csms(
        tmp_path: pathlib.Path, isolated_data_dir: pathlib.Path, engine: csms_engine.Engine) -> None:
    url = f"ws://127.0.0.1:{engine.server.port}/ocpp"
    async with virtual_charger(tmp_path) as server:
        console = session(server, isolated_data_dir)
        await console.set_settings({"ocpp_url": url, "charge_point_id": "CON-NEW", "wifi_ssid": "Bench Wi-Fi"})
        assert await console.read_settings(["ocpp_url", "charge_point_id", "wifi_ssid"]) == {
            "ocpp_url": url, "charge_point_id": "CON-NEW", "wifi_ssid": "Bench Wi-Fi"}
        arrived = await booted(engine, "CON-NEW")
        assert (await console.reboot()).startswith("Rebooting")
        await asyncio.wait_for(arrived.wait(), WAIT_S)
        assert engine.registry.chargers["CON-NEW"].vendor == "Commissioner"


async def test_cli_get_set_reboot_moves_the_charger(
        tmp_path: pathlib.Path, isolated_data_dir: pathlib.Path, engine: csms_engine.Engine) -> None:
    url = f"ws://127.0.0.1:{engine.server.port}/ocpp"
    async with virtual_charger(tmp_path, "CLI1") as server:
        port = str(server.link)
        code, out, err = await cli("--port", port, "--profile", "virtual", "get")
        assert code == 0, err
        assert f"ocpp_url={DEAD_URL}" in out.splitlines() and "charge_point_id=CLI1" in out.splitlines()
        code, out, err = await cli("--port", port, "--profile", "virtual", "set", f"ocpp_url={url}")
        assert code == 0, err
        arrived = await booted(engine, "CLI1")
        code, out, err = await cli("--port", port, "--profile", "virtual", "reboot")
        assert code == 0, err
        await asyncio.wait_for(arrived.wait(), WAIT_S)


async def test_cli_bad_input_is_exit_2(tmp_path: pathlib.Path) -> None:
    async with virtual_charger(tmp_path) as server:
        port = str(server.link)
        assert (await cli("--port", port, "--profile", "nosuch", "get"))[0] == 2
        assert (await cli("--port", port, "--profile", "virtual", "set", "colour=red"))[0] == 2
        assert (await cli("--port", port, "--profile", "virtual", "set", "ocpp_url"))[0] == 2
        assert (await cli("--port", port, "--profile", "virtual", "set", "security_profile=2"))[0] == 2


async def test_wrong_password_is_refused(tmp_path: pathlib.Path, isolated_data_dir: pathlib.Path) -> None:
    async with virtual_charger(tmp_path) as server:
        with pytest.raises(errors.LoginRefusedError, match="refused the login") as caught:
            await session(server, isolated_data_dir, password="guess").read_settings()
        assert "password" in caught.value.hint
        code, _, err = await cli("--port", str(server.link), "--profile", "virtual", "--password-file",
                                 str(_file(tmp_path, "guess")), "get")
        assert code == 4 and "refused the login" in err


async def test_rejected_command_keeps_the_chargers_text(tmp_path: pathlib.Path, isolated_data_dir: pathlib.Path) -> None:
    async with virtual_charger(tmp_path) as server:
        with pytest.raises(errors.CommandRejectedError, match="dhcp or static"):
            await session(server, isolated_data_dir).set_settings({"ip_mode": "sometimes"})
        code, _, err = await cli("--port", str(server.link), "--profile", "virtual", "set", "ocpp_url=http://x")
        assert code == 4 and "ws:// or wss://" in err


async def test_garbage_at_the_wrong_baud_rate(tmp_path: pathlib.Path, isolated_data_dir: pathlib.Path) -> None:
    async with virtual_charger(tmp_path) as server:
        with pytest.raises(errors.GarbageError, match="9600") as caught:
            await session(server, isolated_data_dir, baud=9600).read_settings()
        assert "baud" in caught.value.hint
        code, _, err = await cli("--port", str(server.link), "--profile", "virtual", "--baud", "9600", "get")
        assert code == 3 and "unreadable" in err
        server.garble = True  # line noise at the right speed too
        with pytest.raises(errors.GarbageError):
            await session(server, isolated_data_dir).read_settings()
        server.garble = False
        assert (await session(server, isolated_data_dir).read_settings())["charge_point_id"] == "CON1"


async def test_unplugged_mid_command_then_back(tmp_path: pathlib.Path, isolated_data_dir: pathlib.Path) -> None:
    async with virtual_charger(tmp_path) as server:
        command = server._command

        def pull_the_cable(line: str) -> str | None:
            if line == "get ocpp_url":
                server.unplug()
                return None
            return command(line)

        server._command = pull_the_cable
        console = session(server, isolated_data_dir)
        with pytest.raises(errors.PortGoneError, match="disappeared") as caught:
            await console.read_settings(["ocpp_url"])
        assert "unplugged" in caught.value.hint
        with pytest.raises(errors.PortNotFoundError):  # still out
            await console.read_settings(["ocpp_url"])
        code, _, err = await cli("--port", str(server.link), "--profile", "virtual", "get")
        assert code == 3 and "no serial port" in err.lower()
        server._command = command
        server.plug()  # plugged back in: a new device behind the same name
        assert await console.read_settings(["ocpp_url"]) == {"ocpp_url": DEAD_URL}


async def test_no_prompt_is_a_timeout(tmp_path: pathlib.Path, isolated_data_dir: pathlib.Path) -> None:
    master, slave = os.openpty()  # a port where nothing answers
    try:
        console = serial_console.ConsoleSession(os.ttyname(slave), vendors.find("virtual"), timeout=0.5)
        with pytest.raises(errors.ConsoleTimeoutError, match="login step") as caught:
            await asyncio.to_thread(console.read_settings)
        assert "prompt" in caught.value.hint
    finally:
        os.close(master)
        os.close(slave)


def test_missing_port_is_said() -> None:
    console = serial_console.ConsoleSession("/dev/commissioner-no-such-port", vendors.find("virtual"))
    with pytest.raises(errors.PortNotFoundError, match="no serial port") as caught:
        console.read_settings()
    assert "serial list" in caught.value.hint


def test_list_ports_reports_fields() -> None:
    for port in serial_console.list_ports():
        assert set(port.to_dict()) == {"device", "description", "vid_pid", "serial_number"}


def _file(tmp_path: pathlib.Path, text: str) -> pathlib.Path:
    path = tmp_path / "console-password"
    path.write_text(text + "\n")
    return path


async def test_simulate_console_subprocess_moves_to_the_csms(engine: csms_engine.Engine) -> None:
    """The acceptance contract: `simulate --console` prints the device; `serial --profile virtual set
    ocpp_url=...` then `reboot` makes that charger connect to the new URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", "simulate", "--url", DEAD_URL, "--id", "SUB1", "--console", cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), WAIT_S)).decode()
        assert "console" in line
        port = next(word for word in line.split() if word.startswith("/dev/"))
        url = f"ws://127.0.0.1:{engine.server.port}/ocpp"
        assert (await cli("--port", port, "--profile", "virtual", "set", f"ocpp_url={url}"))[0] == 0
        arrived = await booted(engine, "SUB1")
        assert (await cli("--port", port, "--profile", "virtual", "reboot"))[0] == 0
        await asyncio.wait_for(arrived.wait(), WAIT_S)
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), WAIT_S)
