"""Configuration snapshots, templates and batch apply over real sockets with virtual chargers."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json

import pytest

from app.domain import errors
from app.services import config_templates as ct
from app.services import configuration
from app.storage import runs as run_store
from tests.integration.test_simulator_vs_csms import actions_sent, running
from tests.integration.test_workflows import _charger


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
        {"name": "ConnectionTimeOut", "at_least": 90, "set": "not-a-number"},  # 60 on the charger
    ]})
    async with running(engine, "1.6", "CT-2"):
        items = {i.name: i for i in await ct.apply(engine, "CT-2", template)}
        sent = actions_sent(engine, "CT-2").count("ChangeConfiguration")
    assert items["MeterValueSampleInterval"].status == "Accepted" and items["MeterValueSampleInterval"].confirmed
    assert items["HeartbeatInterval"].status == "Accepted" and items["HeartbeatInterval"].now == "300"
    assert items["NumberOfConnectors"].action == "read-only" and not items["NumberOfConnectors"].status
    assert items["NoSuchKey"].action == "missing"
    refused = items["ConnectionTimeOut"]
    assert (refused.action, refused.status, refused.current) == ("invalid", "", "60")
    assert refused.reason.startswith("ConnectionTimeOut takes a whole number") and not refused.confirmed
    assert sent == 2  # the invalid value never went on the wire


async def test_a_charger_that_fails_mid_way_keeps_what_it_answered(engine) -> None:
    """A hand-driven 2.0.1 charger takes one SetVariables item per CALL, answers the first and fails
    the second with a CallError; the virtual charger beside it takes the template whole."""
    template = ct.parse_template("t", {"setting": [
        {"name": "OCPPCommCtrlr.A", "equals": "5"}, {"name": "OCPPCommCtrlr.B", "equals": "6"},
        {"name": "OCPPCommCtrlr.HeartbeatInterval", "equals": "300"}]})

    def variable(name: str, value: str, instance: str = "", component: str = "OCPPCommCtrlr") -> dict:
        return {"component": {"name": component},
                "variable": {"name": name, **({"instance": instance} if instance else {})},
                "variableAttribute": [{"type": "Actual", "value": value, "mutability": "ReadWrite"}],
                "variableCharacteristics": {"dataType": "integer", "supportsMonitoring": False}}

    ws, hand = await _charger(engine)
    async with ws, running(engine, "2.0.1", "CT-4"):
        applying = asyncio.ensure_future(ct.apply_many(engine, ["HAND-1", "CT-4"], template))
        request = await hand.answer_next({"status": "Accepted"})
        await ws.send(json.dumps([2, "n0", "NotifyReport", {
            "requestId": request[3]["requestId"], "generatedAt": "2026-12-03T08:00:00Z", "seqNo": 0, "tbc": False,
            "reportData": [variable("A", "1"), variable("B", "1"),
                           variable("ItemsPerMessage", "1", "SetVariables", "DeviceDataCtrlr")]}]))
        assert json.loads(await ws.recv())[0] == 3
        first = await hand.answer_next({"setVariableResult": [{
            "attributeStatus": "Accepted", "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "A"}}]})
        assert first[2] == "SetVariables" and len(first[3]["setVariableData"]) == 1
        second = json.loads(await ws.recv())
        await ws.send(json.dumps([4, second[1], "InternalError", "flash write failed", {}]))
        outcomes = await applying
    failed, fine = outcomes["HAND-1"], outcomes["CT-4"]
    assert fine.error is None and [(i.name, i.status, i.confirmed) for i in fine.changes()] == [
        ("OCPPCommCtrlr.HeartbeatInterval", "Accepted", True)]
    assert isinstance(failed.error, errors.CallErrorReceived) and "InternalError" in str(failed.error)
    items = {i.name: i for i in failed.items}
    assert (items["OCPPCommCtrlr.A"].status, items["OCPPCommCtrlr.A"].current) == ("Accepted", "1")
    assert items["OCPPCommCtrlr.B"].status == "" and "the charger failed" in items["OCPPCommCtrlr.B"].reason
    assert items["OCPPCommCtrlr.HeartbeatInterval"].action == "missing"
    lines = list(csv.reader(io.StringIO(ct.outcomes_csv(outcomes))))
    assert lines[0] == ["charger", "setting", "before", "rule", "wanted", "action", "answer", "reason", "now",
                        "confirmed"]
    mine = [line for line in lines if line[0] == "HAND-1"]
    assert [line[1] for line in mine] == ["OCPPCommCtrlr.A", "OCPPCommCtrlr.B", "OCPPCommCtrlr.HeartbeatInterval", ""]
    assert mine[0][6] == "Accepted" and mine[-1][5] == "failed" and "flash write failed" in mine[-1][7]
    assert any(line[0] == "CT-4" and line[1] == "OCPPCommCtrlr.HeartbeatInterval" for line in lines)


async def test_check_only_reads_every_charger_and_writes_nothing(engine) -> None:
    template = ct.templates()["operator-201"]
    async with running(engine, "2.0.1", "CT-5"), running(engine, "2.0.1", "CT-6"):
        outcomes = await ct.apply_many(engine, ["CT-5", "CT-6", "GONE"], template, dry=True)
        sent = actions_sent(engine, "CT-5") + actions_sent(engine, "CT-6")
    assert "SetVariables" not in sent and sent.count("GetBaseReport") == 2
    for charger_id in ("CT-5", "CT-6"):
        items = {i.name: i for i in outcomes[charger_id].items}
        assert (items["OCPPCommCtrlr.HeartbeatInterval"].action, items["OCPPCommCtrlr.HeartbeatInterval"].wanted) == (
            "change", "300")
        assert not any(i.status or i.confirmed for i in items.values() if i.action == "change")
    assert isinstance(outcomes["GONE"].error, errors.ChargerNotConnectedError) and not outcomes["GONE"].items


async def test_a_template_applied_to_20_chargers_gives_a_result_per_item_and_charger(engine) -> None:
    template = ct.templates()["operator-201"]
    ids = [f"BT-{n:02d}" for n in range(20)]
    async with contextlib.AsyncExitStack() as stack:
        for charger_id in ids:
            await stack.enter_async_context(running(engine, "2.0.1", charger_id))
        outcomes = await ct.apply_many(engine, ids, template)
    assert set(outcomes) == set(ids)
    for charger_id, outcome in outcomes.items():
        assert outcome.error is None, (charger_id, outcome.error)
        assert len(outcome.items) == len(template.rules)
        assert all(i.confirmed for i in outcome.items if i.action in ("ok", "change")), (charger_id, outcome.items)
    csv_text = ct.items_csv(outcomes["BT-00"].items)
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


def test_a_bad_template_file_hides_only_itself_and_says_why(tmp_path) -> None:
    folder = tmp_path / "config-templates"
    folder.mkdir()
    (folder / "good.toml").write_text('name = "Good"\n[[setting]]\nname = "HeartbeatInterval"\nequals = "300"\n',
                                      encoding="utf-8")
    (folder / "sheet.csv").write_text("#name,From a sheet\n#ocpp,1.6\nsetting,rule,value,set\n"
                                      "HeartbeatInterval,at_most,600,300\nLocalPreAuthorize,one_of,true|false,\n",
                                      encoding="utf-8")
    (folder / "broken.toml").write_text('name = "Broken\n', encoding="utf-8")
    (folder / "typo.json").write_text(json.dumps({"name": "Typo", "setting": [{"name": "X", "equal": "1"}]}),
                                      encoding="utf-8")
    (folder / "extra.toml").write_text('name = "Extra"\nversion = 2\n[[setting]]\nname = "X"\nequals = "1"\n',
                                       encoding="utf-8")
    (folder / "rule.csv").write_text("setting,rule,value\nX,between,1\n", encoding="utf-8")
    loaded = ct.load_templates(tmp_path)
    assert {"operator-201", "operator-ac-16", "good", "sheet"} <= set(loaded.found)
    sheet = loaded.found["sheet"]
    assert (sheet.name, sheet.ocpp) == ("From a sheet", ("1.6",))
    assert [(r.name, r.kind, r.set_to) for r in sheet.rules] == [
        ("HeartbeatInterval", "at_most", "300"), ("LocalPreAuthorize", "one_of", "true")]
    why = {p.path.name: str(p.error) for p in loaded.problems}
    assert set(why) == {"broken.toml", "typo.json", "extra.toml", "rule.csv"}
    assert "broken.toml cannot be read" in why["broken.toml"]
    assert "X: unknown field(s) equal" in why["typo.json"] and "unknown field(s) version" in why["extra.toml"]
    assert "line 2: the rule must be one of" in why["rule.csv"]
    assert set(ct.templates(tmp_path)) == set(loaded.found)


def test_an_imported_snapshot_is_stored_with_its_secrets_masked(tmp_path) -> None:
    path = tmp_path / "other-laptop.json"
    path.write_text(json.dumps({"charger_id": "CT-7", "taken_ms": 1_700_000_000_000, "values": {
        "AuthorizationKey": "0011223344556677", "SecurityCtrlr.BasicAuthPassword": "averylongpassword1",
        "FtpUrl": "ftp://user:hunter2@files.example/", "HeartbeatInterval": "300", "EmptyPassword": ""}}),
        encoding="utf-8")
    store = run_store.RunStore(tmp_path / "d")
    snap = ct.import_file(store, path)
    stored = ct.load_snapshot(store, snap.id).values
    assert stored == {"AuthorizationKey": "***", "SecurityCtrlr.BasicAuthPassword": "***",
                      "FtpUrl": "ftp://user:***@files.example/", "HeartbeatInterval": "300", "EmptyPassword": ""}
    csv_path = tmp_path / "sheet.csv"
    csv_path.write_text("setting,value,access\nAuthorizationKey,0011223344556677,read-write\n", encoding="utf-8")
    assert ct.load_snapshot(store, ct.import_file(store, csv_path, "CT-7").id).values == {"AuthorizationKey": "***"}


@pytest.mark.parametrize("name", ["AuthorizationKey", "SecurityCtrlr.BasicAuthPassword"])
def test_a_password_in_a_template_file_is_refused_and_never_copied_anywhere(name) -> None:
    with pytest.raises(errors.ConfigError) as raised:
        ct.parse_template("t", {"name": "t", "setting": [{"name": name, "equals": "hunter2hunter2hunter2"}]})
    assert "password" in raised.value.message and "hunter2" not in str(raised.value)
