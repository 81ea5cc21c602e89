"""Give a charger a password of its own, and make the CSMS expect it from that charger only.

2.0.1/2.1: SetVariables SecurityCtrlr.BasicAuthPassword, 16–40 characters of the spec's
passwordString set (we use letters, digits and `*-_=+|@.`). 1.6 (security whitepaper):
ChangeConfiguration AuthorizationKey, a 16–20 byte key sent as hex; the basic-auth password is
those bytes (we draw them from letters and digits, so the charger and the CSMS agree on the text).

The password goes to the OS keyring (storage.vault) and to the CSMS's per-charger passwords at
once, so the charger's next connection is checked against it. It is never written to a settings
file; the journal masks it (domain.secrets). On the engine loop.
"""

from __future__ import annotations

import dataclasses
import secrets as random_source
import string
from typing import Callable

from app.csms import engine as csms_engine
from app.domain import errors
from app.storage import vault as vault_store

ALPHABET_2X = string.ascii_letters + string.digits + "*-_=+|@."
ALPHABET_16 = string.ascii_letters + string.digits
LENGTH_2X = 32  # of 16..40
LENGTH_16 = 20  # bytes, of 16..20
Progress = Callable[[int, int, str], None]


def generate(version: str) -> str:
    """A new random password for a charger of this OCPP version."""
    if version == "1.6":
        return "".join(random_source.choice(ALPHABET_16) for _ in range(LENGTH_16))
    while True:  # at least one letter and one digit, as operators' policies often ask
        text = "".join(random_source.choice(ALPHABET_2X) for _ in range(LENGTH_2X))
        if any(c.isalpha() for c in text) and any(c.isdigit() for c in text):
            return text


def problem(version: str, password: str) -> str:
    """Why this password cannot be given to the charger ("" when it can)."""
    if version == "1.6":
        size = len(password.encode("utf-8"))
        if not 16 <= size <= 20:
            return f"An OCPP 1.6 AuthorizationKey is 16 to 20 bytes; this one is {size}."
        return ""
    if not 16 <= len(password) <= 40:
        return f"BasicAuthPassword is 16 to 40 characters; this one is {len(password)}."
    wrong = sorted({c for c in password if c not in ALPHABET_2X})
    if wrong:
        return f"BasicAuthPassword may not contain {' '.join(wrong)} (letters, digits and *-_=+|@. only)."
    return ""


def key_value(version: str, password: str) -> str:
    """What goes on the wire: 1.6 the key's bytes as hex; 2.x the password itself."""
    return password.encode("utf-8").hex() if version == "1.6" else password


@dataclasses.dataclass(frozen=True)
class PasswordSet:
    charger_id: str
    password: str
    status: str  # the charger's answer: Accepted or RebootRequired
    kept: bool  # True: in the OS keyring; False: in memory until the app closes (no keyring here)

    @property
    def text(self) -> str:
        when = "after its next reboot" if self.status == "RebootRequired" else "from its next connection"
        where = "kept in this computer's keyring" if self.kept else \
            "kept only until Commissioner closes (this computer has no keyring): write it down"
        return f"{self.charger_id} has a new password, used {when}; {where}."


async def set_password(engine: csms_engine.Engine, charger_id: str, vault: vault_store.Vault,
                       password: str | None = None, progress: Progress | None = None) -> PasswordSet:
    """Generate (or take) a password, give it to the charger, and expect it from it from now on."""
    tell = progress or (lambda done, total, message: None)
    version = engine.server.session(charger_id).version  # ChargerNotConnectedError
    password = password or generate(version)
    wrong = problem(version, password)
    if wrong:
        raise errors.ConfigError(wrong, hint="Generate one instead: leave the field empty.")
    tell(0, 2, "Sending the new password")
    if version == "1.6":
        action = "ChangeConfiguration"
        answer = await engine.call(charger_id, action, {"key": "AuthorizationKey",
                                                        "value": key_value(version, password)})
        status = str(answer.get("status", ""))
    else:
        action = "SetVariables"
        answer = await engine.call(charger_id, action, {"setVariableData": [{
            "component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"},
            "attributeValue": password}]})
        status = str((answer.get("setVariableResult") or [{}])[0].get("attributeStatus", ""))
    if status not in ("Accepted", "RebootRequired"):
        raise errors.OperationRejected(action, status or "no status", charger_id,
                                       hint="The charger keeps its old password; the CSMS still expects it.")
    tell(1, 2, "Storing it")
    engine.config.passwords[charger_id] = password  # the server checks this on the next connection
    vault.set(charger_id, password)
    tell(2, 2, "done")
    return PasswordSet(charger_id, password, status, vault.persistent)
