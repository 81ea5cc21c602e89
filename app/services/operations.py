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
        # The window reads configuration through services.configuration (which gathers the
        # 2.x NotifyReport parts); this is the bare request, for plans and the CLI.
        if v16:
            return Request("GetConfiguration", {})
        return Request("GetBaseReport", {"requestId": request_id, "reportBase": "FullInventory"})
    raise ValueError(f"unknown quick action {kind!r}")
