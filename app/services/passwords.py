"""Give a charger a password of its own, and make the CSMS expect it from that charger only.

2.0.1/2.1: SetVariables SecurityCtrlr.BasicAuthPassword, 16–40 characters of the spec's
passwordString set (we use letters, digits and `*-_=+|@.`). 1.6 (security whitepaper):
ChangeConfiguration AuthorizationKey, a 16–20 byte key sent as hex; the basic-auth password is
those bytes (we draw them from letters and digits, so the charger and the CSMS agree on the text).

The password goes to the OS keyring (storage.vault) and to the CSMS's per-charger passwords at
once, so the charger's next connection is checked against it; until the charger has connected
once with it the CSMS still lets in the old one (csms.server.expect_password). It is never
written to a settings file; the journal masks it (domain.secrets). On the engine loop; the
keyring (which may block, even prompt) is used from a worker thread.

A charger at security profile 0 sends no password at all: set_password says so (Unsecured)
before sending anything, and the caller asks the technician whether to go on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets as random_source
import string
from typing import Callable

from app.csms import engine as csms_engine
from app.domain import errors
from app.services import configuration
from app.storage import vault as vault_store

ALPHABET_2X = string.ascii_letters + string.digits + "*-_=+|@."
ALPHABET_16 = string.ascii_letters + string.digits
LENGTH_2X = 32  # of 16..40
LENGTH_16 = 20  # bytes, of 16..20
Progress = Callable[[int, int, str], None]
# The kinds of stored password, for the front ends (which do not import storage).
LOCAL, OPERATOR, OPERATOR_PROFILE = vault_store.LOCAL, vault_store.OPERATOR, vault_store.OPERATOR_PROFILE


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


class Unsecured(errors.ConfigError):
    """The charger runs security profile 0 (or does not say which): it would not use the password.
    Raised before anything is sent; call again with `unsecured_ok=True` to set it anyway."""

    def __init__(self, charger_id: str, profile: int | None) -> None:
        if profile is None:
            message = (f"{charger_id} does not report its security profile: if it runs profile 0 it sends no "
                       "password at all, and a new one changes nothing.")
        else:
            message = (f"{charger_id} runs security profile 0: it sends no password at all, and a new one "
                       "changes nothing.")
        super().__init__(message, hint="Raise its security profile to 1 or 2 first (1.6: the SecurityProfile key; "
                                       "2.x: a network profile), or go on to have the password ready for that.")
        self.charger_id = charger_id
        self.profile = profile


@dataclasses.dataclass(frozen=True)
class PasswordSet:
    charger_id: str
    password: str = dataclasses.field(repr=False)
    status: str = "Accepted"  # the charger's answer: Accepted or RebootRequired
    kept: bool = True  # True: in the OS keyring; False: in memory until the app closes
    keyring_error: str = ""  # why the keyring did not keep it ("" when it did, or there is none)

    @property
    def text(self) -> str:
        when = "after its next reboot" if self.status == "RebootRequired" else "from its next connection"
        if self.keyring_error:
            where = (f"the keyring would not keep it ({self.keyring_error}): write it down, it is kept only "
                     "until Commissioner closes")
        elif self.kept:
            where = "kept in this computer's keyring"
        else:
            where = "kept only until Commissioner closes (this computer has no keyring): write it down"
        return f"{self.charger_id} has a new password, used {when}; {where}."


@dataclasses.dataclass(frozen=True)
class Stored:
    """The passwords in the vault, for the technician to look up or forget."""

    entries: list[vault_store.Entry]
    persistent: bool  # False: this computer has no keyring; they go when Commissioner closes


async def security_profile(engine: csms_engine.Engine, charger_id: str) -> int | None:
    """1.6 SecurityProfile key (security whitepaper), 2.x SecurityCtrlr.SecurityProfile; None when not reported."""
    v16 = engine.server.session(charger_id).version == "1.6"
    value = await configuration.value_of(engine, charger_id, "SecurityProfile", "" if v16 else "SecurityCtrlr")
    return int(value) if value and value.strip().isdigit() else None


async def set_password(engine: csms_engine.Engine, charger_id: str, vault: vault_store.Vault,
                       password: str | None = None, progress: Progress | None = None, *,
                       unsecured_ok: bool = False) -> PasswordSet:
    """Generate (or take) a password, give it to the charger, and expect it from it from now on.

    Raises Unsecured (before sending) when the charger runs security profile 0 or does not say,
    unless `unsecured_ok`."""
    tell = progress or (lambda done, total, message: None)
    version = engine.server.session(charger_id).version  # ChargerNotConnectedError
    password = password or generate(version)
    wrong = problem(version, password)
    if wrong:
        raise errors.ConfigError(wrong, hint="Generate one instead: leave the field empty.")
    tell(0, 3, "Reading the charger's security profile")
    profile = await security_profile(engine, charger_id)
    if not profile and not unsecured_ok:
        raise Unsecured(charger_id, profile)
    tell(1, 3, "Sending the new password")
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
    tell(2, 3, "Storing it")
    engine.server.expect_password(charger_id, password)  # checked from the next connection on
    kept, trouble = await asyncio.to_thread(_keep, vault, charger_id, password)
    tell(3, 3, "done")
    return PasswordSet(charger_id, password, status, kept, trouble)


def _keep(vault: vault_store.Vault, charger_id: str, password: str) -> tuple[bool, str]:
    """In a worker thread. The charger has the password now: a keyring that fails must not lose it."""
    try:
        vault.set(charger_id, password)
    except errors.StorageError as exc:
        return False, exc.message
    return vault.persistent, ""


def stored(vault: vault_store.Vault) -> Stored:
    """Blocking (the keyring): call it in a worker thread. StorageError when the keyring is locked."""
    return Stored(vault.entries(), vault.persistent)


async def forget(engine: csms_engine.Engine | None, vault: vault_store.Vault, charger_id: str,
                 kind: str | None = None) -> None:
    """Drop the charger's stored password (`kind`: vault.LOCAL or OPERATOR; None: both), and stop
    the CSMS expecting it. On the engine loop (or, with no engine running, any loop)."""
    def drop() -> str | None:
        vault.forget(charger_id, kind)
        return vault.passwords().get(charger_id)

    remaining = await asyncio.to_thread(drop)
    if engine is not None:
        engine.server.forget_password(charger_id, instead=remaining)
