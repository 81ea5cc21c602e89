"""What the technician's quick actions send, per OCPP version, and how answers are read back.

Qt-free so the CLI and bench plans can use the same operations as the buttons.
"""

from __future__ import annotations

import dataclasses
from typing import Any

QUICK_ACTIONS = ("trigger_heartbeat", "trigger_status", "reset_soft", "reset_hard", "availability",
                 "unlock", "configuration")


@dataclasses.dataclass(frozen=True)
class Request:
    action: str
    payload: dict[str, Any]


def quick(version: str, kind: str, *, connector: int = 0, operative: bool = True, evse: int = 1,
          request_id: int = 1) -> Request:
    """The request behind a quick action. `connector` 0 means the whole charger."""
    v16 = version == "1.6"
    if kind == "trigger_heartbeat":
        return Request("TriggerMessage", {"requestedMessage": "Heartbeat"})
    if kind == "trigger_status":
        return Request("TriggerMessage", {"requestedMessage": "StatusNotification"})
    if kind in ("reset_soft", "reset_hard"):
        soft = kind == "reset_soft"
        return Request("Reset", {"type": ("Soft" if soft else "Hard") if v16 else ("OnIdle" if soft else "Immediate")})
    if kind == "availability":
        if v16:
            return Request("ChangeAvailability", {"connectorId": connector,
                                                  "type": "Operative" if operative else "Inoperative"})
        payload: dict[str, Any] = {"operationalStatus": "Operative" if operative else "Inoperative"}
        if connector:
            payload["evse"] = {"id": evse, "connectorId": connector} if evse else {"id": connector}
        return Request("ChangeAvailability", payload)
    if kind == "unlock":
        if v16:
            return Request("UnlockConnector", {"connectorId": max(connector, 1)})
        return Request("UnlockConnector", {"evseId": max(evse, 1), "connectorId": max(connector, 1)})
    if kind == "configuration":
        if v16:
            return Request("GetConfiguration", {})
        return Request("GetBaseReport", {"requestId": request_id, "reportBase": "FullInventory"})
    raise ValueError(f"unknown quick action {kind!r}")


@dataclasses.dataclass(frozen=True)
class ConfigRow:
    name: str  # 1.6 key, or "Component[.evse].Variable[.instance]"
    value: str
    writable: bool
    detail: str = ""  # 2.x: attribute type and data type


def rows_from_get_configuration(result: dict[str, Any]) -> list[ConfigRow]:
    rows = [ConfigRow(item.get("key", ""), str(item.get("value", "")), not item.get("readonly", False))
            for item in result.get("configurationKey", [])]
    rows += [ConfigRow(key, "", False, "unknown key") for key in result.get("unknownKey", [])]
    return sorted(rows, key=lambda r: r.name.lower())


def rows_from_notify_report(payloads: list[dict[str, Any]]) -> list[ConfigRow]:
    """Rows from the NotifyReport payloads that answer one GetBaseReport."""
    rows = []
    for payload in payloads:
        for data in payload.get("reportData", []):
            component = data.get("component", {})
            variable = data.get("variable", {})
            name = component.get("name", "")
            if component.get("instance"):
                name += f"[{component['instance']}]"
            if component.get("evse"):
                evse = component["evse"]
                name += f".EVSE{evse.get('id', '')}" + (f".{evse['connectorId']}" if "connectorId" in evse else "")
            name += "." + variable.get("name", "")
            if variable.get("instance"):
                name += f"[{variable['instance']}]"
            data_type = data.get("variableCharacteristics", {}).get("dataType", "")
            for attribute in data.get("variableAttribute", []):
                kind = attribute.get("type", "Actual")
                rows.append(ConfigRow(name if kind == "Actual" else f"{name} ({kind})",
                                      str(attribute.get("value", "")),
                                      attribute.get("mutability", "ReadWrite") != "ReadOnly",
                                      data_type))
    return sorted(rows, key=lambda r: r.name.lower())


def report_complete(payloads: list[dict[str, Any]]) -> bool:
    """NotifyReport parts arrive with tbc=true until the last one."""
    return any(not p.get("tbc", False) for p in payloads)
