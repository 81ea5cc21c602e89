"""The checklist's "present a valid tag" and "present a blocked tag" steps, over a real websocket
with a hand-driven charger: the CSMS answers from the test tags, and the steps judge what the
charger did with the answer."""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest
from websockets.asyncio.client import connect

from app.domain import runs
from app.services import checklists, checks
from app.services import runs as run_service
from app.storage import runs as run_store
from tests.conftest import url
from tests.integration.test_simulator_vs_csms import until

BENCH = checklists.find("bench", None, frozenset(checks.CHECKS))
_ids = itertools.count()


class Charger:
    """A 1.6 charger on a raw websocket: it sends what the test says and reads the CSMS's answers."""

    def __init__(self, ws) -> None:
        self.ws = ws

    async def call(self, action: str, payload: dict) -> dict:
        unique = f"t{next(_ids)}"
        await self.ws.send(json.dumps([2, unique, action, payload]))
        while True:
            frame = json.loads(await self.ws.recv())
            if frame[0] == 3 and frame[1] == unique:
                return frame[2]


async def _step(engine, tmp_path, key: str, timeout: float = 10) -> asyncio.Task:
    spec = checklists.StepSpec(key, key, check=key, timeout=timeout)
    only = checklists.Template(key, key, "", (spec,), BENCH.path)
    task = asyncio.ensure_future(run_service.execute(engine, run_store.RunStore(tmp_path / "data"), only, "TAG-1",
                                                     present=frozenset({key})))
    return task


@pytest.fixture
async def charger(engine):
    engine.config.authorize_all = False
    engine.config.id_tags.update({"GOOD-1": {"status": "Accepted"}, "BLOCKED-1": {"status": "Blocked"}})
    async with connect(url(engine, "TAG-1"), subprotocols=["ocpp1.6"]) as ws:
        await until(lambda: "TAG-1" in engine.registry.chargers and engine.registry.chargers["TAG-1"].connected)
        yield Charger(ws)


async def test_a_valid_tag_passes_and_a_refused_one_before_it_is_named(engine, tmp_path, charger) -> None:
    task = await _step(engine, tmp_path, "tag_valid")
    await until(lambda: any(a == "Authorize" for _, a in engine.messages.active()))
    assert (await charger.call("Authorize", {"idTag": "STRANGER"}))["idTagInfo"]["status"] == "Invalid"
    assert (await charger.call("Authorize", {"idTag": "GOOD-1"}))["idTagInfo"]["status"] == "Accepted"
    run = await task
    step = run.step("tag_valid")
    assert step.state is runs.StepState.PASSED, step.reason
    assert {v.name: v.value for v in step.values}["tag presented"] == "GOOD-1"


async def test_a_blocked_tag_the_charger_refuses_passes(engine, tmp_path, charger, monkeypatch) -> None:
    monkeypatch.setattr(checks, "TAG_GRACE_S", 0.5)  # no session follows: the step waits this long for one
    task = await _step(engine, tmp_path, "tag_blocked")
    await until(lambda: any(a == "Authorize" for _, a in engine.messages.active()))
    assert (await charger.call("Authorize", {"idTag": "BLOCKED-1"}))["idTagInfo"]["status"] == "Blocked"
    run = await task
    step = run.step("tag_blocked")
    assert step.state is runs.StepState.PASSED, step.reason
    assert {v.name: v.value for v in step.values} == {"tag presented": "BLOCKED-1", "CSMS answer": "Blocked",
                                                     "session begun": "no"}


async def test_a_charger_that_charges_on_a_blocked_tag_fails(engine, tmp_path, charger, monkeypatch) -> None:
    monkeypatch.setattr(checks, "TAG_GRACE_S", 1.0)
    task = await _step(engine, tmp_path, "tag_blocked")
    await until(lambda: any(a == "StartTransaction" for _, a in engine.messages.active()))
    answer = await charger.call("StartTransaction", {"connectorId": 1, "idTag": "BLOCKED-1", "meterStart": 0,
                                                     "timestamp": "2026-12-04T10:00:00Z"})
    assert answer["idTagInfo"]["status"] == "Blocked"
    run = await task
    step = run.step("tag_blocked")
    assert step.state is runs.StepState.FAILED
    assert "began a session with BLOCKED-1" in step.reason and str(answer["transactionId"]) in step.reason


async def test_no_blocked_tag_presented_says_which_to_present(engine, tmp_path, charger) -> None:
    task = await _step(engine, tmp_path, "tag_blocked", timeout=1)
    run = await task
    step = run.step("tag_blocked")
    assert step.state is runs.StepState.FAILED and "present BLOCKED-1" in step.reason


async def test_a_plans_tags_are_what_the_csms_answers(engine, tmp_path) -> None:
    from app.services import plans

    path = tmp_path / "plan.toml"
    path.write_text('template = "bench"\n[tags]\n"PLAN-B" = { status = "Blocked", group = "G-1" }\n', encoding="utf-8")
    plans.PlanRunner(engine, plans.load(path, None), run_store.RunStore(tmp_path / "data"), tmp_path / "out",
                     lambda line: None)
    async with connect(url(engine, "PLAN-1"), subprotocols=["ocpp1.6"]) as ws:
        answer = await Charger(ws).call("Authorize", {"idTag": "PLAN-B"})
    assert answer["idTagInfo"] == {"status": "Blocked", "parentIdTag": "G-1"}


def test_every_shipped_checklist_loads_with_the_tag_steps_where_a_person_is() -> None:
    shipped = checklists.available(None, frozenset(checks.CHECKS))
    assert {"ac-iec", "dc", "bench", "test-charge"} <= set(shipped)
    for name in ("ac-iec", "dc"):
        assert {"tag_valid", "tag_blocked"} <= {spec.key for spec in shipped[name].steps}, name


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_the_test_charge_uses_the_runs_test_tag(engine, tmp_path, version) -> None:
    from tests.integration.test_simulator_vs_csms import running

    engine.config.authorize_all = False  # only the listed card may charge
    engine.config.id_tags["CARD-OK"] = {"status": "Accepted"}
    template = checklists.find("test-charge", None, frozenset(checks.CHECKS))
    async with running(engine, version):
        run = await run_service.execute(engine, run_store.RunStore(tmp_path / "data"), template, "SIM-1",
                                        fields={"test_tag": "CARD-OK"})
    assert run.outcome is runs.Outcome.PASSED, [(s.key, s.reason) for s in run.steps]
    values = {v.name: v for v in run.step("test_charge").values}
    assert values["energy delivered"].value > 0 and values["peak power"].unit == "kW" and values["duration"].unit == "s"
    start = "RemoteStartTransaction" if version == "1.6" else "RequestStartTransaction"
    engine.journal.flush()
    starts = [f.payload for f in engine.journal.reader().frames(charger_id="SIM-1", action=start, limit=100)
              if f.direction.value == "out" and f.message_type == 2]
    assert starts and all("CARD-OK" in p for p in starts), starts


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_the_virtual_charger_passes_both_tag_steps(engine, tmp_path, version, monkeypatch) -> None:
    from tests.integration.test_simulator_vs_csms import running

    monkeypatch.setattr(checks, "TAG_GRACE_S", 0.5)
    engine.config.id_tags.update({"GOOD-1": {"status": "Accepted"}, "BLOCKED-1": {"status": "Blocked"}})
    store = run_store.RunStore(tmp_path / "data")
    async with running(engine, version) as charger:
        for key, tag in (("tag_blocked", "BLOCKED-1"), ("tag_valid", "GOOD-1")):
            spec = checklists.StepSpec(key, key, check=key, timeout=10)
            only = checklists.Template(key, key, "", (spec,), BENCH.path)
            task = asyncio.ensure_future(run_service.execute(engine, store, only, "SIM-1", present=frozenset({key})))
            await until(lambda: any(a == "Authorize" for _, a in engine.messages.active()))
            assert await charger.present_tag(tag) == ("Blocked" if tag == "BLOCKED-1" else "Started")
            step = (await task).step(key)
            assert step.state is runs.StepState.PASSED, (key, step.reason)
        # The valid card started a session (a local start); held again, it ends it.
        await until(lambda: bool(engine.registry.chargers["SIM-1"].transactions))
        assert await charger.present_tag("GOOD-1") == "Stopped"
        await until(lambda: not engine.registry.chargers["SIM-1"].transactions)
