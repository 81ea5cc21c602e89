"""Test tags on the charger: its local authorization list (1.6 SendLocalList / GetLocalListVersion,
2.0.1/2.1 D01/D02), full or differential, from the CSMS's test tags (settings `id_tags`). On the
engine loop; Qt-free.
"""

from __future__ import annotations

from typing import Any

from app.csms import engine as csms_engine
from app.domain import csms_policy, errors


def _entry(version: str, token: str, answer: csms_policy.TagAnswer | None) -> dict[str, Any]:
    """One list entry on the wire (camelCase); no info: the token is removed (a differential update)."""
    if version == "1.6":
        entry: dict[str, Any] = {"idTag": token}
        if answer is not None:
            info = answer.for_16()
            entry["idTagInfo"] = {"status": info["status"], **({"expiryDate": info["expiry_date"]}
                                                               if "expiry_date" in info else {}),
                                  **({"parentIdTag": info["parent_id_tag"]} if "parent_id_tag" in info else {})}
        return entry
    entry = {"idToken": {"idToken": token, "type": "ISO14443"}}
    if answer is not None:
        info = answer.for_2x()
        entry["idTokenInfo"] = {"status": info["status"],
                                **({"cacheExpiryDateTime": info["cache_expiry_date_time"]}
                                   if "cache_expiry_date_time" in info else {}),
                                **({"groupIdToken": {"idToken": answer.group, "type": "Central"}} if answer.group
                                   else {})}
    return entry


async def list_version(engine: csms_engine.Engine, charger_id: str) -> int:
    """GetLocalListVersion: the version of the charger's list (0: none; -1 in 1.6: not supported)."""
    version = engine.server.session(charger_id).version
    answer = await engine.call(charger_id, "GetLocalListVersion", {})
    return int(answer.get("listVersion" if version == "1.6" else "versionNumber", 0))


async def send_list(engine: csms_engine.Engine, charger_id: str, tags: dict[str, dict[str, str]], *,
                    removed: tuple[str, ...] = (), full: bool = True, version: int | None = None) -> tuple[str, int]:
    """SendLocalList of `tags` (settings id_tags form): Full replaces the charger's list; a
    differential update adds/changes them and removes `removed`. The version is the charger's + 1
    unless given. Returns (status, version sent); OperationRejected unless Accepted."""
    ocpp_version = engine.server.session(charger_id).version  # ChargerNotConnectedError
    if version is None:
        version = max(await list_version(engine, charger_id), 0) + 1
    policy = csms_policy.CsmsConfig(id_tags=tags, authorize_all=False)
    entries = [_entry(ocpp_version, token, policy.id_tag_info(token)) for token in sorted(tags)]
    if not full:
        entries += [_entry(ocpp_version, token, None) for token in removed]
    key = "listVersion" if ocpp_version == "1.6" else "versionNumber"
    payload = {key: version, "updateType": "Full" if full else "Differential", "localAuthorizationList": entries}
    answer = await engine.call(charger_id, "SendLocalList", payload)
    status = str(answer.get("status", ""))
    if status != "Accepted":
        raise errors.OperationRejected("SendLocalList", status or "no status", charger_id,
                                       hint="VersionMismatch: send the full list instead; NotSupported: the charger "
                                            "has no local list (it asks the CSMS for every tag).")
    return status, version
