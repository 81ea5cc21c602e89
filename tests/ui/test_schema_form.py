"""The form generated from OCPP request schemas: every CSMS-initiated action, every version."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from app.ocpp import actions, examples, schemas
from app.ui import schema_fields, schema_form

LEFT = QtCore.Qt.MouseButton.LeftButton
EVERY_ACTION = [(version, action) for version in actions.VERSIONS for action in actions.csms_initiated(version)]


def make(qtbot, version: str, action: str, prefill: bool = True) -> schema_form.SchemaForm:
    form = schema_form.SchemaForm(schemas.load_schema(version, action, False))
    qtbot.addWidget(form)
    if prefill:
        form.set_value(examples.example(version, action))
    return form


def expand(field: QtWidgets.QWidget) -> None:
    """Tick every optional object and add an entry to every empty list, all the way down."""
    if isinstance(field, schema_form.ObjectGroup):
        if field.isCheckable():
            field.setChecked(True)
        expand(field.body)
    elif isinstance(field, schema_form.ObjectBody):
        for child in field.fields.values():
            expand(child)
    elif isinstance(field, schema_form.ArrayGroup):
        if not field.items:
            field.add_button.click()
        for item in field.items:
            expand(item.field)


@pytest.mark.parametrize(("version", "action"), EVERY_ACTION, ids=[f"{v}-{a}" for v, a in EVERY_ACTION])
def test_every_action_builds_and_its_example_validates(qtbot, version: str, action: str) -> None:
    form = make(qtbot, version, action)  # how fast: benchmarks/schema_form_build.py
    value = form.value()
    assert value == examples.example(version, action)
    assert schemas.validate(version, action, value) is None
    assert form.local_errors() == []
    assert "customData" not in repr(value)


@pytest.mark.parametrize("action", ["SetChargingProfile", "SetDERControl", "UpdateDynamicSchedule",
                                    "SetDefaultTariff", "ChangeTransactionTariff", "RequestStartTransaction"])
def test_deep_21_schemas_fully_expanded_still_validate(qtbot, action: str) -> None:
    form = make(qtbot, "2.1", action)
    expand(form.root)
    assert form.local_errors() == []
    assert schemas.validate("2.1", action, form.value()) is None


def test_every_version_is_covered() -> None:
    assert {v for v, _ in EVERY_ACTION} == {"1.6", "2.0.1", "2.1"}
    assert len(EVERY_ACTION) == 26 + 40 + 55


def test_enum_is_a_combo_and_required_fields_are_marked(qtbot) -> None:
    form = make(qtbot, "1.6", "ChangeAvailability")
    combo = form.editor("type")
    assert isinstance(combo, QtWidgets.QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["Inoperative", "Operative"]
    combo.setCurrentIndex(1)
    assert form.value() == {"connectorId": 0, "type": "Operative"}
    label = form.root.layout().labelForField(form.field("type"))
    assert label.text() == "Type *" and label.font().bold()
    assert "<b>type</b>" in label.toolTip()

    optional = make(qtbot, "2.0.1", "ChangeAvailability")
    group = optional.field("evse")
    assert isinstance(group, schema_form.ObjectGroup) and group.isCheckable()
    assert not group.title().endswith("*")
    labels = [w.text() for w in optional.findChildren(QtWidgets.QLabel)]
    assert "Operational status *" in labels


def test_optional_enum_offers_not_sent(qtbot) -> None:
    form = make(qtbot, "2.0.1", "GetVariables")
    combo = form.editor("getVariableData[0].attributeType")
    assert combo.currentText() == "(not sent)"
    assert "attributeType" not in form.value()["getVariableData"][0]
    combo.setCurrentIndex(combo.findText("Target"))
    assert form.value()["getVariableData"][0]["attributeType"] == "Target"


def test_invalid_integer_is_refused_with_a_field_error(qtbot) -> None:
    form = make(qtbot, "1.6", "ChangeAvailability")
    editor = form.editor("connectorId")
    editor.selectAll()
    qtbot.keyClicks(editor, "x")
    assert editor.text() == "0"  # the validator does not let a letter in
    editor.setText("12x")  # ... but a value from raw JSON or a paste can still be wrong
    errors = form.local_errors()
    assert errors == [("data.connectorId", "must be a whole number")]
    form.show_errors(errors)
    field = form.field("connectorId")
    assert field.has_error() and field.error_label.text() == "must be a whole number"
    assert field.frame.property("invalid") is True
    form.clear_errors()
    assert not field.has_error() and not field.frame.property("invalid")

    bounded = make(qtbot, "2.1", "CancelReservation")
    assert bounded.editor("reservationId").placeholderText() == "whole number, 0 or more"
    bounded.editor("reservationId").setText("-1")
    assert bounded.local_errors() == [("data.reservationId", "must be 0 or more")]


def test_schema_violations_land_on_their_fields(qtbot) -> None:
    form = make(qtbot, "1.6", "ReserveNow")
    form.editor("expiryDate").setText("tomorrow")
    violation = schemas.validate("1.6", "ReserveNow", form.value())
    form.show_errors([(violation.path, violation.message)])
    assert form.field("expiryDate").error_label.text() == "must be date-time"

    form.set_value({"connectorId": 1, "idTag": "TAG", "reservationId": 3})  # expiryDate missing
    violation = schemas.validate("1.6", "ReserveNow", form.value())
    assert violation.path == "data"
    form.show_errors([(violation.path, violation.message), ("data.nowhere", "data.nowhere is odd")])
    assert form.field("expiryDate").error_label.text() == "required"
    assert form.message_label.isVisibleTo(form) and form.message_label.text() == "data.nowhere is odd"
    assert form.error_widgets == [form.field("expiryDate")]


def test_local_checks(qtbot) -> None:
    form = make(qtbot, "1.6", "ChangeConfiguration")
    form.set_value({"key": "k" * 51, "value": "v"})  # as from raw JSON: not truncated, flagged
    assert form.value()["key"] == "k" * 51
    assert form.local_errors() == [("data.key", "at most 50 characters (now 51)")]
    form.set_value({"key": "k", "value": "v", "extra": 1})
    assert form.value() == {"key": "k", "value": "v", "extra": 1}  # kept for the raw JSON, not dropped

    reserve = make(qtbot, "1.6", "ReserveNow")
    reserve.field("expiryDate").fill_now()
    assert schemas.validate("1.6", "ReserveNow", reserve.value()) is None
    assert reserve.value()["expiryDate"].endswith("Z")

    enum = make(qtbot, "1.6", "Reset")
    enum.set_value({"type": "Sideways"})
    assert enum.value() == {"type": "Sideways"}
    assert enum.local_errors() == [("data.type", "must be one of Hard, Soft")]
    enum.set_value({})
    assert enum.local_errors() == [("data.type", "required: choose a value")]

    number = make(qtbot, "2.0.1", "SetChargingProfile")
    limit = "chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].limit"
    number.editor(limit).setText("16.5")
    assert number.value()["chargingProfile"]["chargingSchedule"][0]["chargingSchedulePeriod"][0]["limit"] == 16.5
    number.editor(limit).setText("lots")
    assert number.local_errors() == [(f"data.{limit}", "must be a number, e.g. 16.5")]


def test_optional_object_is_omitted_until_checked(qtbot) -> None:
    form = make(qtbot, "2.0.1", "ChangeAvailability")
    changes: list[None] = []
    form.changed.connect(lambda: changes.append(None))
    group = form.field("evse")
    assert group.body is None and "evse" not in form.value()  # built on first check
    group.setChecked(True)
    assert form.value() == {"operationalStatus": "Inoperative", "evse": {"id": 0}}
    assert changes
    form.editor("evse.connectorId").setText("2")
    assert form.value()["evse"] == {"id": 0, "connectorId": 2}
    group.setChecked(False)
    assert "evse" not in form.value() and form.field("evse.id") is None
    form.set_value({"operationalStatus": "Operative", "evse": {"id": 3}})
    assert group.isChecked() and form.value()["evse"] == {"id": 3}


def test_array_add_and_remove(qtbot) -> None:
    form = make(qtbot, "1.6", "GetConfiguration")
    keys = form.field("key")
    assert isinstance(keys, schema_form.ArrayGroup) and form.value() == {}  # optional and empty: omitted
    qtbot.mouseClick(keys.add_button, LEFT)
    qtbot.mouseClick(keys.add_button, LEFT)
    form.editor("key[0]").setText("HeartbeatInterval")
    form.editor("key[1]").setText("MeterValueSampleInterval")
    assert form.value() == {"key": ["HeartbeatInterval", "MeterValueSampleInterval"]}
    qtbot.mouseClick(keys.items[0].remove_button, LEFT)
    assert form.value() == {"key": ["MeterValueSampleInterval"]}
    assert keys.items[0].number.text() == "1."

    schedule = make(qtbot, "2.0.1", "SetChargingProfile")
    periods = schedule.field("chargingProfile.chargingSchedule[0].chargingSchedulePeriod")
    assert periods.min_items == 1 and len(periods.items) == 1
    assert not periods.items[0].remove_button.isEnabled()  # minItems 1 of a required list
    qtbot.mouseClick(periods.add_button, LEFT)
    assert all(item.remove_button.isEnabled() for item in periods.items)
    schedule.editor("chargingProfile.chargingSchedule[0].chargingSchedulePeriod[1].startPeriod").setText("600")
    value = schedule.value()
    assert [p["startPeriod"] for p in value["chargingProfile"]["chargingSchedule"][0]["chargingSchedulePeriod"]] \
        == [0, 600]
    assert schemas.validate("2.0.1", "SetChargingProfile", value) is None

    periods.set_value([])
    assert ("data.chargingProfile.chargingSchedule[0].chargingSchedulePeriod",
            "too few entries: at least 1") in schedule.local_errors()


def test_booleans(qtbot) -> None:
    form = make(qtbot, "2.0.1", "SetVariableMonitoring")
    box = form.editor("setMonitoringData[0].transaction")
    assert isinstance(box, QtWidgets.QCheckBox) and box.isTristate()
    assert box.text() == "(not sent)" and "transaction" not in form.value()["setMonitoringData"][0]
    box.setCheckState(QtCore.Qt.CheckState.Checked)
    assert form.value()["setMonitoringData"][0]["transaction"] is True

    required = make(qtbot, "2.1", "SetDERControl")
    default = required.editor("isDefault")
    assert isinstance(default, QtWidgets.QCheckBox) and not default.isTristate()
    qtbot.mouseClick(default, LEFT, pos=QtCore.QPoint(6, default.height() // 2))  # on the box
    assert required.value()["isDefault"] is True and default.text() == "true"


def test_readable_names() -> None:
    assert schema_fields.readable("chargingProfileId") == "Charging profile ID"
    assert schema_fields.readable("evseId") == "EVSE ID"
    assert schema_fields.readable("ocppCsmsUrl") == "OCPP CSMS URL"
    assert schema_fields.readable("type") == "Type"
    assert schema_fields.parse_path("data.a[2].b") == ["a", 2, "b"]
    assert schema_fields.parse_path("data") == []
