"""The checklist's "console" step over a real pty: a virtual charger connected to the engine,
its console read back with the port and profile remembered for it (services.console_links)."""

from __future__ import annotations

import asyncio
import contextlib
import pathlib
import sys
from collections.abc import AsyncIterator

import pytest

from app.csms import engine as csms_engine
from app.domain import runs
from app.services import checklists, checks, console_checks, console_links, serial_console, vendors
from app.services import runs as run_service
from app.simulator import console as sim_console
from app.storage import runs as run_store
from tests.integration.test_simulator_vs_csms import running

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals: Linux and macOS")
BENCH = checklists.find("bench", None, frozenset(checks.CHECKS))


@contextlib.asynccontextmanager
async def with_console(engine: csms_engine.Engine, tmp_path: pathlib.Path,
                       version: str = "1.6") -> AsyncIterator[sim_console.ConsoleServer]:
    async with running(engine, version) as charger:
        server = sim_console.ConsoleServer(charger, link=tmp_path / "ttyVIRT")
        server.plug()
        try:
            yield server
        finally:
            server.unplug()


async def typed(server: sim_console.ConsoleServer, settings: dict[str, str]) -> None:
    session = serial_console.ConsoleSession(str(server.link), vendors.find("virtual"), timeout=5)
    await asyncio.to_thread(session.set_settings, settings)


async def console_step(engine: csms_engine.Engine, tmp_path: pathlib.Path) -> tuple[runs.Run, runs.Step]:
    spec = next(s for s in BENCH.steps if s.key == "console")  # as shipped
    only = checklists.Template("console", "console", "", (spec,), BENCH.path)
    run = await run_service.execute(engine, run_store.RunStore(tmp_path / "data"), only, "SIM-1")
    return run, run.step("console")


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_the_console_reads_back_this_csms_and_this_id(engine: csms_engine.Engine, tmp_path: pathlib.Path,
                                                           version: str) -> None:
    async with with_console(engine, tmp_path, version) as server:
        console_links.remember(engine.data_dir, "SIM-1", str(server.link), "virtual")
        run, step = await console_step(engine, tmp_path)
    assert step.state is runs.StepState.PASSED, step.reason
    values = {v.name: v.value for v in step.values}
    assert values["charge_point_id"] == "SIM-1" and values["ocpp_url"].endswith(f":{engine.server.port}/ocpp")
    assert values["profile"] == "commissioner-virtual" and "password" not in values
    [log] = run.attachments
    assert log["kind"] == "console_log" and log["label"] == f"Serial console session ({server.link})"
    assert ">> get ocpp_url" in pathlib.Path(log["file"]).read_text()


async def test_a_url_pointing_elsewhere_fails_saying_what_was_read(engine: csms_engine.Engine,
                                                                  tmp_path: pathlib.Path) -> None:
    async with with_console(engine, tmp_path) as server:
        elsewhere = "ws://10.0.0.5:9/ocpp"
        await typed(server, {"ocpp_url": elsewhere})  # set on the console, not yet applied by a reboot
        console_links.remember(engine.data_dir, "SIM-1", str(server.link), "virtual", user="admin")
        run, step = await console_step(engine, tmp_path)
    assert step.state is runs.StepState.FAILED
    assert elsewhere in step.reason and f"listens on ws://<this laptop>:{engine.server.port}/" in step.reason
    assert {v.name: v.value for v in step.values}["ocpp_url"] == elsewhere  # what was read stays with the step
    assert [a["kind"] for a in run.attachments] == ["console_log"]


async def test_another_id_on_the_console_fails(engine: csms_engine.Engine, tmp_path: pathlib.Path) -> None:
    async with with_console(engine, tmp_path) as server:
        await typed(server, {"charge_point_id": "SOMEONE-ELSE"})
        console_links.remember(engine.data_dir, "SIM-1", str(server.link), "virtual")
        _run, step = await console_step(engine, tmp_path)
    assert step.state is runs.StepState.FAILED
    assert "'SOMEONE-ELSE'" in step.reason and "connected as 'SIM-1'" in step.reason


async def test_no_link_is_not_applicable(engine: csms_engine.Engine, tmp_path: pathlib.Path) -> None:
    async with running(engine, "1.6"):
        _run, step = await console_step(engine, tmp_path)
    assert step.state is runs.StepState.NOT_APPLICABLE and step.reason == console_checks.NO_LINK


async def test_a_console_that_is_gone_fails_with_the_hint(engine: csms_engine.Engine, tmp_path: pathlib.Path) -> None:
    async with running(engine, "1.6"):
        console_links.remember(engine.data_dir, "SIM-1", str(tmp_path / "no-such-tty"), "virtual")
        _run, step = await console_step(engine, tmp_path)
    assert step.state is runs.StepState.FAILED
    assert "There is no serial port" in step.reason and "serial list" in step.reason


def test_urls_judged_by_scheme_port_and_id() -> None:
    class Server:
        scheme, port, tls_port = "ws", 9000, 9443

    class Engine:
        server = Server()

    virtual = vendors.find("virtual")
    with_id = vendors.VendorProfile("with-id", "", "", ("1.6",), "Hard", {}, {"ocpp_url": vendors.Setting("U", True)})
    judge = lambda url, profile=virtual: console_checks.wrong_url({"ocpp_url": url}, Engine(), "CP1", profile)  # noqa: E731
    assert judge("ws://10.0.0.2:9000/ocpp") == [] and judge("wss://csms.local:9443/") == []
    assert judge("ws://10.0.0.2:9443/ocpp") and judge("wss://10.0.0.2:9000/") and judge("ws://10.0.0.2/ocpp")
    assert judge("not a url at all")
    assert judge("ws://10.0.0.2:9000/ocpp/CP1", with_id) == []
    assert "expected .../CP1" in judge("ws://10.0.0.2:9000/ocpp", with_id)[0]
    assert console_checks.wrong_url({}, Engine(), "CP1", virtual) == []  # not readable: not judged
