"""Configuration snapshots, templates and batch apply over real sockets with virtual chargers."""

from __future__ import annotations

import contextlib
import json

import pytest

from app.domain import errors
from app.services import config_templates as ct
from app.services import configuration
from app.storage import runs as run_store
from tests.integration.test_simulator_vs_csms import actions_sent, running


async def test_a_template_is_planned_then_applied_with_an_answer_per_item(engine, tmp_path) -> None:
    template = ct.templates()["operator-201"]
    async with running(engine, "2.0.1", "CT-1"):
        rows = (await configuration.read(engine, "CT-1")).rows
        dry = {i.name: i for i in ct.plan(template, rows)}
        # The CSMS's boot answer set the heartbeat to 60 s: the template wants 300; the rest holds.
        assert dry["OCPPCommCtrlr.HeartbeatInterval"].action == "change"
        assert (dry["OCPPCommCtrlr.HeartbeatInterval"].current, dry["OCPPCommCtrlr.HeartbeatInterval"].wanted) == (
            "60", "300")
        assert dry["TxCtrlr.EVConnectionTimeOut"].action == "ok" and dry["ClockCtrlr.TimeSource"].action == "ok"
        assert "SetVariables" not in actions_sent(engine, "CT-1")  # a dry run sends nothing
        store = run_store.RunStore(tmp_path / "d")
        before = await ct.take(engine, store, "CT-1", "before")
        items = await ct.apply(engine, "CT-1", template)
        assert actions_sent(engine, "CT-1").count("SetVariables") == 1  # one batch
        after = await ct.take(engine, store, "CT-1", "after")
    by_name = {i.name: i for i in items}
    changed = [i for i in items if i.action == "change"]
    assert changed, [(i.name, i.current, i.action) for i in items]
    assert all(i.status in ("Accepted", "RebootRequired") and i.confirmed for i in changed), items
    assert by_name["OCPPCommCtrlr.HeartbeatInterval"].now == "300"
    differences = {d.name: (d.old, d.new) for d in ct.diff(before, after)}
    for item in changed:
        assert differences[item.name] == (item.current, item.wanted)
    assert ct.against(after, template) and all(i.action == "ok" for i in ct.against(after, template))
    # Stored: listed newest first, read back, exported as JSON and CSV (a secret masked).
    listed = store.snapshots("CT-1")
    assert [label for *_, label in listed] == ["after", "before"]
    again = ct.load_snapshot(store, after.id)
    assert again.values == after.values
    assert again.values["SecurityCtrlr.BasicAuthPassword"] in ("", "***")
    assert ct.Snapshot.from_dict(json.loads(json.dumps(again.to_dict()))).values == after.values
    assert "OCPPCommCtrlr.HeartbeatInterval,300,read-write" in again.to_csv()


async def test_1_6_template_changes_keys_and_a_refused_item_says_so(engine) -> None:
    template = ct.parse_template("t", {"setting": [
        {"name": "HeartbeatInterval", "equals": "300"},
        {"name": "MeterValueSampleInterval", "at_most": 30, "set": 30},
        {"name": "NumberOfConnectors", "equals": "4"},  # read-only on the charger
        {"name": "NoSuchKey", "equals": "1"},
        {"name": "ConnectionTimeOut", "at_least": 30, "set": "not-a-number"},
    ]})
    async with running(engine, "1.6", "CT-2"):
        items = {i.name: i for i in await ct.apply(engine, "CT-2", template)}
    assert items["MeterValueSampleInterval"].status == "Accepted" and items["MeterValueSampleInterval"].confirmed
    assert items["NumberOfConnectors"].action == "read-only" and not items["NumberOfConnectors"].status
    assert items["NoSuchKey"].action == "missing"
    assert items["ConnectionTimeOut"].action in ("ok", "change", "invalid")


async def test_a_template_applied_to_20_chargers_gives_a_result_per_item_and_charger(engine) -> None:
    template = ct.templates()["operator-201"]
    ids = [f"BT-{n:02d}" for n in range(20)]
    async with contextlib.AsyncExitStack() as stack:
        for charger_id in ids:
            await stack.enter_async_context(running(engine, "2.0.1", charger_id))
        outcomes = await ct.apply_many(engine, ids, template)
    assert set(outcomes) == set(ids)
    for charger_id, items in outcomes.items():
        assert not isinstance(items, errors.CommissionerError), (charger_id, items)
        assert len(items) == len(template.rules)
        assert all(i.confirmed for i in items if i.action in ("ok", "change")), (charger_id, items)
    csv_text = ct.items_csv(outcomes["BT-00"])
    assert csv_text.splitlines()[0].startswith("setting,before,rule,wanted")


def test_template_rules_are_checked_when_loaded() -> None:
    with pytest.raises(errors.ConfigError, match="exactly one of"):
        ct.parse_template("t", {"setting": [{"name": "X", "equals": "1", "at_least": 2}]})
    with pytest.raises(errors.ConfigError, match="takes a number"):
        ct.parse_template("t", {"setting": [{"name": "X", "at_least": "two"}]})
    with pytest.raises(errors.ConfigError, match="names no setting"):
        ct.parse_template("t", {})
    rule = ct.parse_template("t", {"setting": [{"name": "X", "at_least": 30}]}).rules[0]
    assert rule.met("45") and not rule.met("10") and not rule.met("abc") and rule.set_to == "30"


async def test_a_run_step_makes_the_configuration_match_a_template(engine, tmp_path) -> None:
    from app.domain import runs
    from app.services import checklists, checks
    from app.services import runs as run_service

    path = tmp_path / "match.toml"
    path.write_text('name = "Match"\n[[step]]\nkey = "config"\ntitle = "Configuration matches template"\n'
                    'check = "config_template"\ntemplate = "operator-201"\n', encoding="utf-8")
    template = checklists.load_file(path, frozenset(checks.CHECKS))
    store = run_store.RunStore(tmp_path / "d")
    async with running(engine, "2.0.1", "CT-3"):
        run = await run_service.execute(engine, store, template, "CT-3")
    step = run.step("config")
    assert step.state is runs.StepState.PASSED, step.reason
    assert any(v.name == "OCPPCommCtrlr.HeartbeatInterval" and v.value == "60 → 300 (Accepted)" for v in step.values)
