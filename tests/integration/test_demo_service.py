"""Demo chargers run on the engine's loop and connect to the app's own CSMS."""

from __future__ import annotations

import pathlib
import time

from app import core as app_core
from app.ocpp import schemas
from app.services import configuration, operations


def test_core_starts_demo_chargers_of_both_versions(isolated_data_dir: pathlib.Path) -> None:
    isolated_data_dir.mkdir(parents=True)
    core = app_core.Core(isolated_data_dir, port_override=0)
    core.settings.csms.host = "127.0.0.1"
    core.start()
    try:
        ids = [core.engine.submit(core.demo.start("1.6")).result(5),
               core.engine.submit(core.demo.start("2.0.1")).result(5)]
        assert ids == ["DEMO-16-01", "DEMO-201-02"]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            infos = {i.charger_id: i for i in core.engine.submit(_snapshot(core)).result(5)}
            if all(infos.get(c) and infos[c].boot_status == "Accepted" for c in ids):
                break
            time.sleep(0.05)
        assert infos["DEMO-16-01"].model == "Demo AC 22 kW" and infos["DEMO-201-02"].ocpp_version == "2.0.1"
        config = core.engine.submit(core.engine.call("DEMO-16-01", *_quick("1.6"))).result(5)
        assert any(k["key"] == "HeartbeatInterval" for k in config["configurationKey"])
    finally:
        core.shutdown()
    assert core.engine is None


async def _snapshot(core: app_core.Core):
    return core.engine.chargers()


def _quick(version: str):
    request = operations.quick(version, "configuration")
    return request.action, request.payload


def test_every_quick_action_payload_is_schema_valid() -> None:
    for version in ("1.6", "2.0.1", "2.1"):
        for kind in operations.QUICK_ACTIONS:
            for connector, evse in ((0, 0), (2, 1)):
                request = operations.quick(version, kind, connector=connector, evse=evse, operative=False,
                                           transaction_id="17")
                assert schemas.validate(version, request.action, request.payload) is None, (version, kind)


def test_rows_from_reports() -> None:
    rows = configuration.rows_from_get_configuration({"configurationKey": [
        {"key": "b", "readonly": True, "value": "1"}, {"key": "A", "readonly": False}], "unknownKey": ["Z"]})
    assert [(r.name, r.value, r.writable) for r in rows] == [("A", "", True), ("b", "1", False), ("Z", "", False)]
    report = [{"requestId": 1, "seqNo": 0, "tbc": False, "generatedAt": "t", "reportData": [
        {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"},
         "variableAttribute": [{"type": "Actual", "value": "22000", "mutability": "ReadOnly"},
                               {"type": "MaxSet", "value": "22000"}],
         "variableCharacteristics": {"dataType": "decimal", "supportsMonitoring": False}}]}]
    parts = configuration.ReportParts()
    parts.add(report[0])
    assert parts.complete
    rows = configuration.rows_from_notify_report(report)
    assert [(r.name, r.value, r.writable, r.detail) for r in rows] == [
        ("EVSE.EVSE1.Power", "22000", False, "decimal"), ("EVSE.EVSE1.Power (MaxSet)", "22000", True, "decimal")]
