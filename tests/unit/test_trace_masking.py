"""The report's OCPP trace never carries a secret."""

import json

import pytest

from app.domain import model
from app.report import trace


@pytest.mark.parametrize("frame, secret", [
    ([2, "1", "ChangeConfiguration", {"key": "AuthorizationKey", "value": "s3cret"}], "s3cret"),
    ([2, "1", "SetVariables", {"setVariableData": [{"component": {"name": "SecurityCtrlr"},
                                                    "variable": {"name": "BasicAuthPassword"}, "attributeValue": "pw1"}]}], "pw1"),
    ([3, "1", {"configurationKey": [{"key": "AuthorizationKey", "readonly": False, "value": "abc123"}]}], "abc123"),
    ([2, "1", "NotifyReport", {"reportData": [{"component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"},
                                               "variableAttribute": [{"value": "zz9"}]}]}], "zz9"),
    ([2, "1", "SetNetworkProfile", {"connectionData": {"ocppCsmsUrl": "wss://cp:hunter2@backend.example/ocpp"}}], "hunter2"),
    ([2, "1", "InstallCertificate", {"certificate": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"}], "MIIE"),
])
def test_secrets_are_masked(frame, secret) -> None:
    line = trace.line(model.Frame("CP", model.Direction.OUT, 1, frame[0], "X", "1", json.dumps(frame), id=1))
    assert secret not in json.dumps(line) and "***" in json.dumps(line)


def test_a_frame_that_is_not_json_is_masked_as_text() -> None:
    raw = '[2,"1","ChangeConfiguration",{"password":"pw9" ws://a:b@c'
    line = trace.line(model.Frame("CP", model.Direction.IN, 1, 0, "", "", raw, id=1))
    assert "pw9" not in line["text"] and ":b@" not in line["text"]
