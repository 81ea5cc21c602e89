"""Answers judged by their content; which operations need the technician's yes."""

from __future__ import annotations

import pytest

from app.services import operations


@pytest.mark.parametrize("action, result, ok, status", [
    ("ClearCache", {"status": "Accepted"}, True, "Accepted"),
    ("Reset", {"status": "Rejected"}, False, "Rejected"),
    ("ChangeConfiguration", {"status": "NotSupported"}, False, "NotSupported"),
    ("ChangeConfiguration", {"status": "RebootRequired"}, True, "RebootRequired"),
    ("UnlockConnector", {"status": "Unlocked"}, True, "Unlocked"),
    ("UnlockConnector", {"status": "UnlockFailed"}, False, "UnlockFailed"),
    ("Reset", {"status": "Scheduled"}, True, "Scheduled"),
    ("GetConfiguration", {"configurationKey": [], "unknownKey": ["Foo"]}, False, "UnknownKey"),
    ("SetVariables", {"setVariableResult": [{"attributeStatus": "Accepted"}, {"attributeStatus": "UnknownVariable"}]},
     False, "1 of 2 UnknownVariable"),
    ("GetVariables", {"getVariableResult": [{"attributeStatus": "Accepted"}]}, True, ""),
    ("DataTransfer", {"status": "UnknownVendorId"}, False, "UnknownVendorId"),
    ("GetLocalListVersion", {"listVersion": 3}, True, ""),
])
def test_judge(action, result, ok, status) -> None:
    verdict = operations.judge(action, result)
    assert (verdict.ok, verdict.status) == (ok, status)


@pytest.mark.parametrize("action, payload, asks", [
    ("Reset", {"type": "Soft"}, True),
    ("RemoteStopTransaction", {"transactionId": 1}, True),
    ("RequestStopTransaction", {"transactionId": "a"}, True),
    ("UnlockConnector", {"connectorId": 1}, True),
    ("ChangeAvailability", {"connectorId": 0, "type": "Inoperative"}, True),
    ("ChangeAvailability", {"connectorId": 0, "type": "Operative"}, False),
    ("ChangeAvailability", {"operationalStatus": "Inoperative"}, True),
    ("UpdateFirmware", {}, True),
    ("SetNetworkProfile", {}, True),
    ("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"}, False),
    ("ChangeConfiguration", {"key": "AuthorizationKey", "value": "x"}, True),
    ("SetVariables", {"setVariableData": [{"component": {"name": "OCPPCommCtrlr"},
                                           "variable": {"name": "NetworkConfigurationPriority"}}]}, True),
    ("TriggerMessage", {"requestedMessage": "Heartbeat"}, False),
    ("ClearCache", {}, False),
])
def test_confirmation(action, payload, asks) -> None:
    assert bool(operations.confirmation(action, payload)) is asks
