"""The CSMS's behaviour as a test backend: what it answers and how strict it is."""

from __future__ import annotations

import dataclasses
from typing import Any

from app.domain import energy, model


TAG_STATUSES_16 = ("Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx")
TAG_STATUSES_2X = ("Accepted", "Blocked", "ConcurrentTx", "Expired", "Invalid", "NoCredit", "NotAllowedTypeEVSE",
                   "NotAtThisLocation", "NotAtThisTime", "Unknown")


TAG_FIELDS = ("status", "expiry", "group")


def tag_problem(token: object, entry: object) -> str:
    """What is wrong with a test tag {status, expiry, group} ("" when nothing): settings, plans, the window."""
    if not isinstance(token, str) or not token.strip() or len(token) > 36:
        return f"the tag id {token!r} must be 1 to 36 characters (OCPP idToken)"
    if not isinstance(entry, dict):
        return f"tag {token}: {entry!r} is not a table of status, expiry and group"
    unknown = set(entry) - set(TAG_FIELDS)
    if unknown:
        return f"tag {token}: unknown entries {', '.join(sorted(map(str, unknown)))} (status, expiry, group)"
    if not all(isinstance(v, str) for v in entry.values()):
        return f"tag {token}: status, expiry and group are text"
    status = entry.get("status") or "Accepted"
    if status not in TAG_STATUSES_2X:
        return f"tag {token}: status {status!r} is not one of {', '.join(TAG_STATUSES_2X)}"
    expiry = entry.get("expiry") or ""
    if expiry and energy.timestamp_ms(expiry, None) is None:
        return f"tag {token}: expiry {expiry!r} is not a time such as 2027-01-31T23:59:00Z"
    if len(entry.get("group") or "") > 36:
        return f"tag {token}: the group id is longer than 36 characters"
    return ""


@dataclasses.dataclass(frozen=True)
class TagAnswer:
    status: str
    expiry: str = ""  # ISO time ("": none)
    group: str = ""  # the group id (1.6 parentIdTag, 2.x groupIdToken): master-pass tests

    def for_16(self) -> dict[str, Any]:
        """idTagInfo (snake_case, as the ocpp package sends it); a 2.x-only status is Invalid in 1.6."""
        info: dict[str, Any] = {"status": self.status if self.status in TAG_STATUSES_16 else "Invalid"}
        if self.expiry:
            info["expiry_date"] = self.expiry
        if self.group:
            info["parent_id_tag"] = self.group
        return info

    def for_2x(self) -> dict[str, Any]:
        info: dict[str, Any] = {"status": self.status if self.status in TAG_STATUSES_2X else "Invalid"}
        if self.expiry:
            info["cache_expiry_date_time"] = self.expiry
        if self.group:
            info["group_id_token"] = {"id_token": self.group, "type": "Central"}
        return info


@dataclasses.dataclass
class CsmsConfig:
    host: str = "0.0.0.0"
    port: int = 9000
    mode: model.Mode = model.Mode.TOLERANT
    charger_modes: dict[str, model.Mode] = dataclasses.field(default_factory=dict)
    boot_status: model.BootStatus = model.BootStatus.ACCEPTED
    heartbeat_interval: int = 300
    auto_accept: bool = True  # False: only chargers in allowed_chargers may connect
    allowed_chargers: list[str] = dataclasses.field(default_factory=list)
    authorize_all: bool = True  # False: only id tags in allowed_id_tags are Accepted
    allowed_id_tags: list[str] = dataclasses.field(default_factory=list)
    passwords: dict[str, str] = dataclasses.field(default_factory=dict)  # charger id -> basic-auth password
    max_frame_bytes: int = 1 << 20
    call_timeout: float = 30.0
    write_timeout: float = 30.0  # a charger that takes none of our frames for this long is closed
    pending_interval: int = 30  # BootNotification interval when the answer is Pending or Rejected
    # The built-in file server (app.files): chargers fetch firmware and upload logs there.
    file_server: bool = True
    http_port: int = 9080
    ftp_port: int = 9021
    # Security profiles (csms.security): the wss:// listener, the lowest profile admitted, the built-in CA.
    tls: bool = False  # listen on wss:// (tls_port) beside ws://
    tls_port: int = 9443
    security_profile: int = 0  # the lowest profile any charger may connect with (0-3)
    ca_dir: str = ""  # the built-in CA's folder ("": <data folder>/ca)
    renew_expired: bool = False  # profile 3: let a charger with an expired certificate in, only to renew it
    operator_name: str = ""  # profile 3 / CSRs: the O a charger certificate must carry ("": not checked)
    # A charger's DataTransfer: Accepted for these vendorIds, else `data_transfer_status` (OCPP: a CSMS
    # that knows no such vendor answers UnknownVendorId).
    data_transfer_vendors: list[str] = dataclasses.field(default_factory=list)
    # Test tags (RFID cards, id tokens) with their own answer: {token: {"status": "Blocked",
    # "expiry": ISO time or "", "group": group id or ""}}; a token not listed gets the policy's answer.
    id_tags: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    data_transfer_status: str = "UnknownVendorId"  # or Accepted / Rejected

    def mode_for(self, charger_id: str) -> model.Mode:
        return self.charger_modes.get(charger_id, self.mode)

    def admits(self, charger_id: str) -> bool:
        return self.auto_accept or charger_id in self.allowed_chargers

    def data_transfer_answer(self, vendor_id: object) -> str:
        if isinstance(vendor_id, str) and vendor_id in self.data_transfer_vendors:
            return "Accepted"
        return self.data_transfer_status

    def id_tag_status(self, id_tag: str | None) -> str:
        return self.id_tag_info(id_tag).status

    def id_tag_info(self, id_tag: str | None, now_ms: int | None = None) -> TagAnswer:
        """The answer to a token: its test-tag entry (Expired once its expiry has passed), else the policy's."""
        entry = self.id_tags.get(id_tag) if id_tag is not None else None
        if entry is not None:
            status = str(entry.get("status") or "Accepted")
            expiry = str(entry.get("expiry") or "")
            ends = energy.timestamp_ms(expiry, None) if expiry else None
            if ends is not None and status == "Accepted" and now_ms is not None and ends <= now_ms:
                status = "Expired"
            return TagAnswer(status, expiry, str(entry.get("group") or ""))
        if self.authorize_all or (id_tag is not None and id_tag in self.allowed_id_tags):
            return TagAnswer("Accepted")
        return TagAnswer("Invalid")
