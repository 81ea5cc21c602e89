"""Security profiles as the CSMS sees them (OCPP 2.0.1 Part 2 §A00, 1.6 security whitepaper ed.3).

    0  plain ws://, no authentication            (not a spec profile: the "unsecured" test setup)
    1  plain ws:// with HTTP basic auth
    2  TLS (wss://) with HTTP basic auth, the CSMS's certificate checked by the charger
    3  TLS with a client certificate (mutual TLS); no basic auth

What a connection is follows from how it came (TLS, a verified client certificate, a checked
password). What it must be: the CSMS's own minimum (`serve --security-profile N`, Settings) and,
per charger, the highest profile it has connected with: once upgraded, a charger is refused on a
lower one (OCPP 2.0.1 Part 2 A00: no fall back to a lower profile), unless the technician allows it
again (a bench re-test).

The per-charger record is a small JSON file in the data folder (written off the loop, atomically).
"""

from __future__ import annotations

import binascii
import json
import logging
import os
import pathlib
import threading
from typing import Any

from app.domain import errors

log = logging.getLogger(__name__)

NAMES = {0: "0 (no security)", 1: "1 (basic auth)", 2: "2 (TLS + basic auth)", 3: "3 (TLS client certificate)"}
PROFILES_FILE = "profiles.json"


def connection_profile(tls: bool, client_certificate: bool, password_checked: bool) -> int:
    """The profile a connection has earned: 3 TLS + a judged client certificate, 2 TLS + a checked
    password, 1 a checked password, else 0 (TLS alone authenticates nobody: no profile above 0)."""
    if tls and client_certificate:
        return 3
    if password_checked:
        return 2 if tls else 1
    return 0


def name(profile: int) -> str:
    return NAMES.get(profile, str(profile))


class ProfileStore:
    """Each charger's lowest admitted profile from now on: {charger id: {"profile": n, "since_ms": t}}.

    Read once at start (small); changed on the engine loop, written by `save()` in a worker thread.
    A damaged file is said in the log and treated as empty: nobody is locked out by a bad file.
    """

    def __init__(self, directory: pathlib.Path | None) -> None:
        self.path = directory / PROFILES_FILE if directory is not None else None
        self._records: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()
        self.load()

    def load(self) -> None:
        if self.path is None or not self.path.is_file():
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("the chargers' security profiles in %s cannot be read (%s): starting without them",
                        self.path, exc)
            return
        chargers = raw.get("chargers") if isinstance(raw, dict) else None
        if isinstance(chargers, dict):
            for charger_id, record in chargers.items():
                if isinstance(record, dict) and isinstance(record.get("profile"), int):
                    self._records[str(charger_id)] = {"profile": int(record["profile"]),
                                                      "since_ms": int(record.get("since_ms") or 0)}

    def minimum(self, charger_id: str) -> int:
        record = self._records.get(charger_id)
        return record["profile"] if record else 0

    def since_ms(self, charger_id: str) -> int:
        record = self._records.get(charger_id)
        return record["since_ms"] if record else 0

    def all(self) -> dict[str, int]:
        return {charger_id: record["profile"] for charger_id, record in self._records.items()}

    def raise_to(self, charger_id: str, profile: int, now_ms: int) -> bool:
        """True when this raised the charger's record (the caller then saves)."""
        if profile <= self.minimum(charger_id):
            return False
        self._records[charger_id] = {"profile": profile, "since_ms": now_ms}
        return True

    def allow_lower(self, charger_id: str) -> bool:
        """The technician lets the charger connect with a lower profile again (a bench re-test)."""
        return self._records.pop(charger_id, None) is not None

    def save(self) -> None:
        """Blocking: in a worker thread. StorageError when the folder cannot be written."""
        if self.path is None:
            return
        with self._lock:
            data = {"schema_version": 1, "chargers": dict(sorted(self._records.items()))}
            tmp = self.path.with_suffix(".tmp")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
                os.replace(tmp, self.path)
            except OSError as exc:
                raise errors.StorageError(f"Cannot record the chargers' security profiles in {self.path}: "
                                          f"{exc.strerror or exc}.", hint="Check the data folder's free space and "
                                          "permissions.") from exc


def basic_auth_password(version: str, value: str) -> str:
    """The password a charger sends after the CSMS set it. 1.6 AuthorizationKey is the key as hex
    (security whitepaper: 16–20 bytes); the basic-auth password is those bytes. A value that is not
    hex of printable text is taken as it is (chargers that do not decode it)."""
    if version != "1.6":
        return value
    try:
        decoded = binascii.unhexlify(value)
    except (binascii.Error, ValueError):
        return value
    try:
        text = decoded.decode("ascii")
    except UnicodeDecodeError:
        return value
    return text if text.isprintable() and len(decoded) >= 16 else value


def password_set_by_call(version: str, action: str, payload: dict[str, Any], result: dict[str, Any]) -> str | None:
    """The new basic-auth password a CSMS call gave the charger, when the charger took it (OCTT TC_073:
    the CSMS must expect it from then on); None otherwise."""
    if action == "ChangeConfiguration":
        if str(payload.get("key", "")).lower() != "authorizationkey":
            return None
        if result.get("status") not in ("Accepted", "RebootRequired"):
            return None
        value = payload.get("value")
        return basic_auth_password(version, value) if isinstance(value, str) and value else None
    if action == "SetVariables":
        found = None
        items = payload.get("setVariableData") or []
        answers = result.get("setVariableResult") or []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            component = (item.get("component") or {}).get("name")
            variable = (item.get("variable") or {}).get("name")
            if component != "SecurityCtrlr" or variable != "BasicAuthPassword":
                continue
            if item.get("attributeType", "Actual") != "Actual":
                continue
            answer = next((a for a in answers if isinstance(a, dict)
                           and (a.get("component") or {}).get("name") == "SecurityCtrlr"
                           and (a.get("variable") or {}).get("name") == "BasicAuthPassword"), None)
            if answer is None and len(answers) == len(items):
                answer = answers[items.index(item)]
            if isinstance(answer, dict) and answer.get("attributeStatus") in ("Accepted", "RebootRequired"):
                value = item.get("attributeValue")
                found = value if isinstance(value, str) and value else found
        return found
    return None
