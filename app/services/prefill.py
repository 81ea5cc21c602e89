"""What the raw-OCPP form starts with: the schema's example, with what the app knows put in.

A schema-minimal example is valid but useless or unsafe ("x", transactionId 0, Reset Hard,
ChangeAvailability Inoperative, ocppVersion OCPP12). Here each action gets the values a
technician would type: the open transaction's id, a key the charger really has and its current
value, the app's own CSMS URL, the charger's OCPP version, the test tag, the harmless choice of
an enum. Qt-free: the same defaults serve the CLI and bench plans.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from app.services import catalog, configuration, operations

PREFERRED_SETTING = ("HeartbeatInterval", "OCPPCommCtrlr.HeartbeatInterval")
OCPP_VERSION_ENUM = {"2.0.1": "OCPP20", "2.1": "OCPP20"}  # 2.1 kept 2.0.1's enum (no OCPP21 value)


@dataclasses.dataclass
class Known:
    """What the app knows about the charger the form is for."""

    version: str
    transactions: dict[str, str] = dataclasses.field(default_factory=dict)  # id -> connector
    settings: list[configuration.ConfigRow] = dataclasses.field(default_factory=list)
    csms_url: str = ""  # the app's own CSMS URL, as the charger reaches it (ws://laptop:9000/)


def request(action: str, known: Known) -> dict[str, Any]:
    value = copy.deepcopy(catalog.example(known.version, action))
    v16 = known.version == "1.6"
    if action in ("RemoteStopTransaction", "RequestStopTransaction") and known.transactions:
        newest = list(known.transactions)[-1]
        value["transactionId"] = int(newest) if v16 and newest.isdigit() else newest
    elif action == "RemoteStartTransaction":
        value.update(idTag=operations.TEST_TAG, connectorId=1)
    elif action == "RequestStartTransaction":
        value.update(idToken={"idToken": operations.TEST_TAG, "type": "Central"}, evseId=1, remoteStartId=1)
    elif action == "Reset":
        value["type"] = "Soft" if v16 else "OnIdle"  # the one that waits for a running session
    elif action == "ChangeAvailability":
        value["type" if v16 else "operationalStatus"] = "Operative"
    elif action == "UnlockConnector":
        value["connectorId"] = max(1, int(value.get("connectorId") or 0))
        if not v16:
            value["evseId"] = max(1, int(value.get("evseId") or 0))
    elif action == "TriggerMessage":
        value["requestedMessage"] = "StatusNotification"
    elif action == "ChangeConfiguration":
        row = _setting(known, writable=True)
        if row is not None:
            value.update(key=row.name, value=row.value)
    elif action in ("SetVariables", "GetVariables"):
        row = _setting(known, writable=action == "SetVariables")
        if row is not None and row.component and row.variable:
            item: dict[str, Any] = {"component": dict(row.component), "variable": dict(row.variable)}
            if action == "SetVariables":
                item["attributeValue"] = row.value
            value["setVariableData" if action == "SetVariables" else "getVariableData"] = [item]
    elif action == "SetNetworkProfile":
        data = value.get("connectionData", {})
        data["ocppVersion"] = OCPP_VERSION_ENUM.get(known.version, data.get("ocppVersion"))
        data["messageTimeout"] = 30
        if known.csms_url:
            data["ocppCsmsUrl"] = known.csms_url
        value["configurationSlot"] = 1
    elif action == "DataTransfer":
        value["vendorId"] = "Commissioner"
    return value


def _setting(known: Known, writable: bool) -> configuration.ConfigRow | None:
    rows = [r for r in known.settings if r.writable or not writable]
    for name in PREFERRED_SETTING:
        for row in rows:
            if row.name == name:
                return row
    return rows[0] if rows else None
