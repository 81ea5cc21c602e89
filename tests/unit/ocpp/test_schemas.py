"""Validation with the `ocpp` package's schemas, and the CallError code each violation earns."""

from __future__ import annotations

import pytest

from app.ocpp import actions, examples, schemas


def test_examples_of_every_action_are_valid() -> None:
    checked = 0
    for version in actions.VERSIONS:
        for action in actions.known(version):
            for response in (False, True):
                if schemas.has_schema(version, action, response):
                    payload = examples.example(version, action, response)
                    assert schemas.validate(version, action, payload, response=response) is None, (version, action)
                    checked += 1
    assert checked > 380


@pytest.mark.parametrize(
    ("version", "payload", "code"),
    [
        ("1.6", {"connectorId": 1, "errorCode": "NoError"}, "OccurenceConstraintViolation"),
        ("2.0.1", {"timestamp": "2026-01-01T00:00:00Z", "connectorStatus": "Available", "evseId": 1},
         "OccurrenceConstraintViolation"),
        ("1.6", {"connectorId": "one", "errorCode": "NoError", "status": "Available"}, "TypeConstraintViolation"),
        ("1.6", {"connectorId": 1, "errorCode": "NoError", "status": "Sleeping"}, "PropertyConstraintViolation"),
        ("2.0.1", {"timestamp": "2026-01-01T00:00:00Z", "connectorStatus": "Sleeping", "evseId": 1,
                   "connectorId": 1}, "PropertyConstraintViolation"),
        ("1.6", {"connectorId": 1, "errorCode": "NoError", "status": "Available", "extra": 1}, "FormationViolation"),
        ("2.0.1", {"timestamp": "2026-01-01T00:00:00Z", "connectorStatus": "Available", "evseId": 1,
                   "connectorId": 1, "extra": 1}, "FormatViolation"),
    ],
)
def test_violation_codes_per_version(version: str, payload: dict, code: str) -> None:
    violation = schemas.validate(version, "StatusNotification", payload)
    assert violation is not None
    assert violation.code == code


def test_string_too_long_is_a_type_constraint() -> None:
    violation = schemas.validate("1.6", "Authorize", {"idTag": "x" * 21})
    assert violation is not None and violation.code == "TypeConstraintViolation"


def test_decimal_precision_of_16_charging_profiles_is_not_refused() -> None:
    payload = {"connectorId": 1, "csChargingProfiles": {
        "chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute", "chargingSchedule": {
            "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 21.4}]}}}
    assert schemas.validate("1.6", "SetChargingProfile", payload) is None


def test_directions_cover_every_action() -> None:
    for version in actions.VERSIONS:
        both = set(actions.charger_initiated(version)) | set(actions.csms_initiated(version))
        if version == "2.1":
            both |= actions.SEND_ONLY_21
        assert both == set(actions.known(version))
    assert "GetConfiguration" in actions.csms_initiated("1.6")
    assert "GetVariables" in actions.csms_initiated("2.0.1")
    assert "BootNotification" not in actions.csms_initiated("2.1")
