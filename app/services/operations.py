"""What the technician's quick actions send, per OCPP version, and how answers are read back.

Qt-free so the CLI and bench plans can use the same operations as the buttons.
"""

from __future__ import annotations

import dataclasses
from typing import Any

QUICK_ACTIONS = ("trigger_heartbeat", "trigger_status", "trigger_meter", "reset_soft", "reset_hard", "availability",
                 "unlock", "configuration", "start_charge", "stop_charge")
TEST_TAG = "COMMISSIONER"  # the id tag a test charge is started with


@dataclasses.dataclass(frozen=True)
class Request:
    action: str
    payload: dict[str, Any]


def quick(version: str, kind: str, *, connector: int = 0, operative: bool = True, evse: int = 1,
          request_id: int = 1, id_tag: str = TEST_TAG, transaction_id: str = "") -> Request:
    """The request behind a quick action. `connector` 0 means the whole charger."""
    v16 = version == "1.6"
    if kind == "start_charge":
        if v16:
            payload: dict[str, Any] = {"idTag": id_tag}
            if connector:
                payload["connectorId"] = connector
            return Request("RemoteStartTransaction", payload)
        payload = {"idToken": {"idToken": id_tag, "type": "Central"}, "remoteStartId": request_id}
        if evse or connector:
            payload["evseId"] = evse or connector
        return Request("RequestStartTransaction", payload)
    if kind == "stop_charge":
        if not transaction_id:
            raise ValueError("no open transaction to stop")
        if v16:
            return Request("RemoteStopTransaction", {"transactionId": int(transaction_id) if transaction_id.isdigit()
                                                     else transaction_id})
        return Request("RequestStopTransaction", {"transactionId": transaction_id})
    if kind == "trigger_heartbeat":
        return Request("TriggerMessage", {"requestedMessage": "Heartbeat"})
    if kind == "trigger_status":
        return Request("TriggerMessage", {"requestedMessage": "StatusNotification"})
    if kind == "trigger_meter":
        payload = {"requestedMessage": "MeterValues"}
        if connector:
            payload.update({"connectorId": connector} if v16 else {"evse": {"id": evse or connector}})
        return Request("TriggerMessage", payload)
    if kind in ("reset_soft", "reset_hard"):
        soft = kind == "reset_soft"
        return Request("Reset", {"type": ("Soft" if soft else "Hard") if v16 else ("OnIdle" if soft else "Immediate")})
    if kind == "availability":
        if v16:
            return Request("ChangeAvailability", {"connectorId": connector,
                                                  "type": "Operative" if operative else "Inoperative"})
        payload = {"operationalStatus": "Operative" if operative else "Inoperative"}
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


# What a charger's answer means, judged by its content: a CALLRESULT is not a success when it
# says Rejected, NotSupported, UnknownKey... (OCPP answers refusals with a normal result).
GOOD_STATUSES = frozenset(("Accepted", "Unlocked", "Scheduled", "RebootRequired", "AcceptedCanceled",
                           "Installed", "Uploaded"))
# Result arrays whose entries each carry their own status (2.x device model and monitoring).
_PER_ITEM = {"setVariableResult": "attributeStatus", "getVariableResult": "attributeStatus",
             "setMonitoringResult": "status", "clearMonitoringResult": "status"}


@dataclasses.dataclass(frozen=True)
class Verdict:
    ok: bool
    status: str  # the charger's word ("Accepted", "Rejected", "2 of 3 Rejected"), "" when it says none
    note: str = ""  # e.g. "takes effect after a reboot", "unknown keys: X"


def judge(action: str, result: dict[str, Any]) -> Verdict:
    """Did the charger do what was asked? From the answer's own status fields."""
    if not isinstance(result, dict):
        return Verdict(True, "")
    status = result.get("status")
    if isinstance(status, str) and status not in GOOD_STATUSES:
        return Verdict(False, status)
    for field, key in _PER_ITEM.items():
        entries = result.get(field)
        if isinstance(entries, list) and entries:
            bad = [e.get(key) for e in entries if isinstance(e, dict) and e.get(key) not in GOOD_STATUSES]
            if bad:
                return Verdict(False, f"{len(bad)} of {len(entries)} {bad[0]}")
    unknown = result.get("unknownKey")
    if action == "GetConfiguration" and isinstance(unknown, list) and unknown:
        return Verdict(False, "UnknownKey", "unknown keys: " + ", ".join(str(k) for k in unknown[:10]))
    if status == "RebootRequired":
        return Verdict(True, status, "takes effect after a reboot")
    return Verdict(True, status if isinstance(status, str) else "")


# Operations that interrupt charging, reboot, or change the backend, the network or the firmware:
# the window asks first, naming the charger, wherever they are started.
_BACKEND_KEYS = ("url", "csms", "backend", "centralsystem", "ocppserver", "networkprofile", "network", "apn",
                 "authorizationkey", "basicauthpassword", "securityprofile", "identity")


def confirmation(action: str, payload: dict[str, Any]) -> str:
    """Why this request needs the technician's yes ("" when it does not)."""
    if action == "Reset":
        return "The charger reboots; a running charging session is stopped."
    if action in ("RemoteStopTransaction", "RequestStopTransaction"):
        return "The running charging session is stopped."
    if action == "UnlockConnector":
        return "The connector is unlocked; a running charging session is stopped."
    if action == "ChangeAvailability" and payload.get("type", payload.get("operationalStatus")) == "Inoperative":
        return "The charger (or connector) stops accepting charging sessions; a running one may be stopped."
    if action in ("UpdateFirmware", "SignedUpdateFirmware", "PublishFirmware"):
        return "The charger installs new firmware and reboots."
    if action in ("InstallCertificate", "DeleteCertificate", "CertificateSigned"):
        return "The charger's certificates change: a TLS connection to its backend may fail until they match."
    if action == "SetChargingProfile":
        return "The charger's power limit changes; a limit of 0 stops a running charging session."
    if action == "SetNetworkProfile":
        return "The charger's network and backend connection change: it may not come back to this laptop."
    if action == "ChangeConfiguration" and _touches_backend(str(payload.get("key", ""))):
        return "This setting changes how the charger reaches its backend: it may not come back to this laptop."
    if action == "SetVariables":
        names = [str(item.get("variable", {}).get("name", "")) + str(item.get("component", {}).get("name", ""))
                 for item in payload.get("setVariableData", []) if isinstance(item, dict)]
        if any(_touches_backend(name) for name in names):
            return "These variables change how the charger reaches its backend: it may not come back to this laptop."
    return ""


def _touches_backend(name: str) -> bool:
    lowered = name.lower()
    return any(key in lowered for key in _BACKEND_KEYS)
