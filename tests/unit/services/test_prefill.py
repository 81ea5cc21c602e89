"""The raw-OCPP form's defaults: valid for every action, and filled with what the app knows."""

from __future__ import annotations

import pytest

from app.ocpp import schemas
from app.services import catalog, configuration, prefill

SETTINGS_16 = [configuration.ConfigRow("GetConfigurationMaxKeys", "64", False),
               configuration.ConfigRow("HeartbeatInterval", "300", True)]
SETTINGS_2X = [configuration.ConfigRow("OCPPCommCtrlr.HeartbeatInterval", "300", True, "integer",
                                       {"name": "OCPPCommCtrlr"}, {"name": "HeartbeatInterval"})]


@pytest.mark.parametrize("version", catalog.VERSIONS)
def test_every_prefilled_request_is_schema_valid(version) -> None:
    known = prefill.Known(version, {"17": "1"}, SETTINGS_16 if version == "1.6" else SETTINGS_2X,
                          "ws://192.168.1.5:9000/")
    for action in catalog.csms_initiated(version):
        assert schemas.validate(version, action, prefill.request(action, known)) is None, action


def test_what_the_app_knows_goes_in() -> None:
    v16 = prefill.Known("1.6", {"17": "1"}, SETTINGS_16)
    assert prefill.request("RemoteStopTransaction", v16) == {"transactionId": 17}
    assert prefill.request("Reset", v16) == {"type": "Soft"}  # never Hard by default
    assert prefill.request("ChangeAvailability", v16)["type"] == "Operative"
    assert prefill.request("ChangeConfiguration", v16) == {"key": "HeartbeatInterval", "value": "300"}
    assert prefill.request("RemoteStartTransaction", v16)["idTag"] == "COMMISSIONER"
    v201 = prefill.Known("2.0.1", {"a-b": "1/1"}, SETTINGS_2X, "ws://192.168.1.5:9000/")
    assert prefill.request("RequestStopTransaction", v201) == {"transactionId": "a-b"}
    assert prefill.request("Reset", v201) == {"type": "OnIdle"}
    network = prefill.request("SetNetworkProfile", v201)["connectionData"]
    assert network["ocppVersion"] == "OCPP20" and network["ocppCsmsUrl"] == "ws://192.168.1.5:9000/"
    assert prefill.request("SetVariables", v201)["setVariableData"] == [{
        "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}, "attributeValue": "300"}]
    assert prefill.request("GetVariables", v201)["getVariableData"][0]["variable"] == {"name": "HeartbeatInterval"}
