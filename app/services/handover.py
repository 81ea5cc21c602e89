"""Hand a charger over to the operator's backend, and prove that it left for it.

2.0.1/2.1 (B09/B10): SetNetworkProfile into a free configuration slot, then
NetworkConfigurationPriority with that slot first and the app's own slot kept behind it as the
fallback, then Reset. 1.6 has no standard key for the URL: a vendor profile (services.vendors)
names it; ChangeConfiguration of that key, then Reset.

Verify: after the reset the charger must leave this CSMS and not come back within a set time
(success); if it comes back it fell back, and its BootNotification reason and any
SecurityEventNotification say why (failure). `probe` tests the operator's URL from the laptop
first (DNS, TCP, TLS). Never a lower security profile than the charger's current one: refused
before anything is sent. Workflows on the engine loop; Qt-free.

The operator's password, once the charger took it, is kept in the vault under the charger as the
operator's, so the technician can look it up later. On 1.6 and 2.0.1 it replaces the charger's
own password (one per charger): vault.OPERATOR, the local entry is dropped, and this CSMS expects
the operator's on a fallback. On 2.1 it lives in the new network profile only
(vault.OPERATOR_PROFILE): the charger keeps its own password for this CSMS's profile.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import ssl
import time
import urllib.parse
from typing import Any, Callable

from app.csms import engine as csms_engine
from app.domain import errors, secrets
from app.services import configuration, passwords, vendors
from app.storage import vault as vault_store

POLL_S = 0.1
LEAVE_TIMEOUT_S = 60.0  # the charger must drop its connection this soon after the Reset
STAY_AWAY_S = 120.0  # not back within this: it reached the operator's backend
PROFILE_RECONNECT_S = 5.0  # a 1.6 charger given a new SecurityProfile reconnects with it this soon
SLOTS_TO_TRY = 8
# The security events that say why a charger gave up on a new backend (2.x names, then the 1.6 whitepaper's).
FALLBACK_EVENTS = ("NetworkProfileFallback", "FailedToAuthenticateAtCsms", "InvalidCsmsCertificate",
                   "FailedToAuthenticateAtCentralSystem", "InvalidCentralSystemCertificate")  # configuration slots probed for a free one (valuesList is not in GetVariables)
Progress = Callable[[int, int, str], None]


@dataclasses.dataclass(frozen=True)
class Target:
    """The operator's backend as the technician enters it."""

    url: str  # ws:// or wss:// base URL; the charger appends its id
    security_profile: int = 0
    ocpp_interface: str = "Wired0"
    message_timeout: int = 30
    apn: dict[str, Any] | None = None
    identity: str = ""  # 2.1 / 1.6 URL with the id: the charger id the operator knows it by (empty: unchanged)
    # The basic-auth password the operator expects (profiles 1, 2; never logged): 2.1 in the network
    # profile; 2.0.1 BasicAuthPassword; 1.6 AuthorizationKey (hex). Empty: the charger keeps its own.
    password: str = dataclasses.field(default="", repr=False)


@dataclasses.dataclass(frozen=True)
class Probe:
    ok: bool
    kind: str  # reachable, bad-url, dns, refused, timeout, tls
    detail: str


@dataclasses.dataclass
class Sent:
    action: str
    summary: str  # what was asked, secrets masked
    answer: str = ""  # the charger's word


@dataclasses.dataclass
class Result:
    ok: bool
    text: str  # the verdict in a sentence
    sent: list[Sent]
    boot_reason: str = ""
    security_events: list[str] = dataclasses.field(default_factory=list)
    away_s: float = 0.0
    password_note: str = ""  # where the operator's password was kept (or why it could not be)


def check_target(target: Target, current_profile: int) -> None:
    """Refuse, before sending anything, what cannot work or would weaken the charger's security."""
    parts = urllib.parse.urlsplit(target.url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise errors.ConfigError(f"{target.url!r} is not an OCPP backend address.",
                                 hint="Use ws://host:port/path or wss://host/path, as the operator gave it.")
    if not 0 <= target.security_profile <= 3:
        raise errors.ConfigError("The security profile is 0, 1, 2 or 3.")
    if parts.scheme == "wss" and target.security_profile < 2:
        raise errors.ConfigError("A wss:// address needs security profile 2 or 3 (TLS).",
                                 hint="Choose profile 2 (TLS + password) or 3 (TLS + client certificate).")
    if parts.scheme == "ws" and target.security_profile >= 2:
        raise errors.ConfigError(f"Security profile {target.security_profile} needs TLS: a wss:// address.",
                                 hint="Use the operator's wss:// address, or profile 0/1 for a plain ws:// one.")
    if target.security_profile < current_profile:
        raise errors.ConfigError(
            f"The charger runs security profile {current_profile}; it would drop to {target.security_profile}.",
            hint="OCPP never lowers a charger's security profile (an attacker could use that to take it over): "
                 f"ask the operator for a backend with profile {current_profile} or higher.")


async def probe(url: str, timeout: float = 5.0) -> Probe:
    """Can this laptop reach the backend? DNS, then TCP, then (wss) a TLS handshake."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        return Probe(False, "bad-url", f"{url!r} is not a ws:// or wss:// address")
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "wss" else 80)
    except ValueError:
        return Probe(False, "bad-url", f"the port in {url!r} is not a number")
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
    except (socket.gaierror, TimeoutError) as exc:
        return Probe(False, "dns", f"the name {host} does not resolve ({exc}): check the spelling and the "
                                   "laptop's DNS; on site without internet, the operator's host cannot be reached")
    address = infos[0][4][0]
    context = None
    if parts.scheme == "wss":
        context = ssl.create_default_context()
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(
            host, port, ssl=context, server_hostname=host if context else None), timeout)
    except ssl.SSLError as exc:
        return Probe(False, "tls", f"{host}:{port} ({address}) answers, but the TLS handshake failed: "
                                   f"{exc.reason or exc}: the charger will fail the same way unless it trusts "
                                   "the backend's certificate authority")
    except ConnectionRefusedError:
        return Probe(False, "refused", f"{host}:{port} ({address}) refuses connections: wrong port, or the "
                                       "backend is down")
    except (TimeoutError, OSError) as exc:
        return Probe(False, "timeout", f"no answer from {host}:{port} ({address}) within {timeout:g} s "
                                       f"({exc or 'timed out'}): a firewall, or no route from here")
    writer.close()
    try:
        await writer.wait_closed()
    except (OSError, ssl.SSLError):
        pass
    secure = " over TLS (certificate trusted by this laptop)" if context else ""
    return Probe(True, "reachable", f"{host}:{port} ({address}) accepts connections{secure}")


async def current_security_profile(engine: csms_engine.Engine, charger_id: str) -> int:
    """1.6 SecurityProfile key (security whitepaper), 2.x SecurityCtrlr.SecurityProfile; 0 when not reported."""
    return await passwords.security_profile(engine, charger_id) or 0


async def hand_over(engine: csms_engine.Engine, charger_id: str, target: Target, *,
                    vendor: vendors.VendorProfile | None = None, stay_away: float = STAY_AWAY_S,
                    leave_timeout: float = LEAVE_TIMEOUT_S, progress: Progress | None = None,
                    vault: vault_store.Vault | None = None) -> Result:
    """Point the charger at `target`, reboot it, and verify it left for good. On the engine loop.

    `vault`: where the operator's password is kept once the charger took it (see the module doc).

    Raises ConfigError (refused before sending: bad URL, downgrade, no vendor key) and
    OperationRejected (the charger said no to a step; nothing after it is sent).
    """
    tell = progress or (lambda done, total, message: None)
    version = engine.server.session(charger_id).version  # ChargerNotConnectedError
    tell(0, 5, "Reading the charger's security profile")
    check_target(target, await current_security_profile(engine, charger_id))
    wrong = passwords.problem(version, target.password) if target.password else ""
    if wrong:
        raise errors.ConfigError(f"The operator's password cannot be given to this charger: {wrong}",
                                 hint="Ask the operator for a password that fits, or leave the field empty.")
    sent: list[Sent] = []
    keep = _Keeper(engine, charger_id, target.password, vault)
    # Watched from the first change: a 1.6 charger may leave on its new SecurityProfile at once.
    with engine.watch(charger_id, "BootNotification") as boots, \
            engine.watch(charger_id, "SecurityEventNotification") as events:
        reset: dict[str, str] | None = {"type": "Immediate"}
        if version == "1.6":
            if vendor is None or not vendor.settings.get("ocpp_url", vendors.Setting("")).key:
                raise errors.ConfigError("OCPP 1.6 has no standard key for the backend URL.",
                                         hint="Pick the charger's vendor profile, or name its URL key (see its "
                                              "manual or the Configure list) in the generic profile.")
            left_at_once = await _change_keys_16(engine, charger_id, target, vendor, sent, tell, keep)
            reset = None if left_at_once else {"type": vendor.reset}  # None: it reconnects by itself
        else:
            await _set_profile_2x(engine, charger_id, target, version, sent, tell, keep)
        if reset is not None:
            tell(4, 5, "Reset: the charger restarts and connects to the operator's backend")
            answer = await engine.call(charger_id, "Reset", reset)
            status = str(answer.get("status", ""))
            sent.append(Sent("Reset", reset["type"], status))
            if status not in ("Accepted", "Scheduled"):
                raise errors.OperationRejected("Reset", status, charger_id,
                                               hint="The settings are stored; restart the charger by its power "
                                                    "switch.")
        left = await _until(lambda: not _connected(engine, charger_id), leave_timeout)
        if not left:
            return Result(False, f"{charger_id} did not restart within {leave_timeout:g} s of the Reset.", sent,
                          password_note=keep.note)
        tell(5, 5, f"Verifying: {charger_id} must stay away for {stay_away:g} s")
        went = time.monotonic()
        try:
            boot = await boots.next(stay_away)
        except errors.ExpectTimeoutError:
            return Result(True, f"{charger_id} left this CSMS and did not come back within {stay_away:g} s: "
                                f"it is with {target.url}. Confirm with the operator that it shows online there.",
                          sent, away_s=stay_away, password_note=keep.note)
        away = time.monotonic() - went
        reports = []
        while True:  # what it says about the profile it gave up on (sent after its boot)
            try:
                event = await events.next(5.0)
            except errors.ExpectTimeoutError:
                break
            reports.append(f"{event.get('type', '')}: {event.get('techInfo', '')}".strip(": "))
            if event.get("type") in FALLBACK_EVENTS:
                break
    reason = str(boot.get("reason", ""))
    why = f"BootNotification reason {reason}" if reason else "its BootNotification gives no reason in OCPP 1.6"
    said = f" It reported: {'; '.join(reports)}." if reports else ""
    return Result(False, f"{charger_id} came back to this CSMS after {away:.0f} s ({why}): "
                         f"it could not stay with {target.url}.{said} "
                         "Test the operator URL, check the security profile and password, then try again.",
                  sent, reason, reports, away, keep.note)


async def apply_target(engine: csms_engine.Engine, charger_id: str, target: Target, version: str,
                       vendor: vendors.VendorProfile | None, sent: list[Sent], tell: Progress) -> bool:
    """Send what points the charger at `target` (its address, its profile), without the Reset; the
    password stays the charger's own. True when it reconnects by itself (1.6 SecurityProfile)."""
    keep = _Keeper(engine, charger_id, "", None)
    if version == "1.6":
        return await _change_keys_16(engine, charger_id, target, vendor, sent, tell, keep)
    await _set_profile_2x(engine, charger_id, target, version, sent, tell, keep)
    return False


async def _change_keys_16(engine, charger_id: str, target: Target, vendor: vendors.VendorProfile | None,
                          sent: list[Sent], tell: Progress, keep: _Keeper) -> bool:
    """The keys, in this order: the password (a charger may reconnect as soon as it takes it: it must
    find this CSMS expecting it), the address, the security profile last: the whitepaper's charger
    drops its connection on a new SecurityProfile and reconnects with it (then to the new address).
    True when the charger left already, so no Reset is needed."""
    settings = vendor.settings if vendor is not None else {}
    setting = settings.get("ocpp_url")
    changes = []
    profile_key = settings.get("security_profile") or vendors.Setting("SecurityProfile")  # the whitepaper's key
    if target.password:
        password_key = settings.get("password")
        changes.append((password_key.key if password_key and password_key.key else "AuthorizationKey",
                        passwords.key_value("1.6", target.password), secrets.MASK))
    if setting is not None and setting.key:  # None: the address stays (a profile 1 upgrade)
        url = target.url.rstrip("/") + (f"/{target.identity or charger_id}" if setting.includes_id else "")
        changes.append((setting.key, url, url))
    if profile_key and profile_key.key:
        changes.append((profile_key.key, str(target.security_profile), str(target.security_profile)))
    url_key = setting.key if setting is not None and setting.key else None
    old_url = await configuration.value_of(engine, charger_id, url_key, "") if url_key else None
    for number, (key, value, shown) in enumerate(changes, 1):
        tell(number, 5, f"ChangeConfiguration {key}")
        is_profile = key == (profile_key.key if profile_key else None)
        if is_profile and value == str(await current_security_profile(engine, charger_id)):
            continue  # already so: a charger may refuse to set what it has
        since = _connection_ms(engine, charger_id)
        answer = await engine.call(charger_id, "ChangeConfiguration", {"key": key, "value": value})
        status = str(answer.get("status", ""))
        sent.append(Sent("ChangeConfiguration", f"{key} = {shown}", status))
        if shown == secrets.MASK and status in ("Accepted", "RebootRequired"):
            await keep(replaces_own=True)  # at once: it may reconnect with it now
        if status not in ("Accepted", "RebootRequired"):
            hint = "Check the key name in the vendor profile against the charger's GetConfiguration list."
            if is_profile and url_key and old_url is not None and any(s.summary.startswith(url_key) for s in sent):
                # It took the new address but not the profile for it: put the address back, or it is
                # stranded at its next reboot (a wss:// address at a ws:// profile).
                back = await engine.call(charger_id, "ChangeConfiguration", {"key": url_key, "value": old_url})
                sent.append(Sent("ChangeConfiguration", f"{url_key} = {old_url} (put back)", str(back.get("status", ""))))
                hint = (f"It refused security profile {value}; its address was put back to {old_url} "
                        f"({back.get('status', 'no answer')}). Check what profiles it supports.")
            raise errors.OperationRejected("ChangeConfiguration", f"{status} for {key}", charger_id, hint=hint)
        if is_profile:  # gone, or gone and back already (a new connection): no Reset then
            return await _until(lambda: _connection_ms(engine, charger_id) != since, PROFILE_RECONNECT_S)
    return False


async def _set_profile_2x(engine, charger_id: str, target: Target, version: str,
                          sent: list[Sent], tell: Progress, keep: _Keeper) -> None:
    tell(1, 5, "Reading NetworkConfigurationPriority")
    priority_text = await configuration.value_of(engine, charger_id, "NetworkConfigurationPriority",
                                                 "OCPPCommCtrlr") or ""
    active = await configuration.value_of(engine, charger_id, "ActiveNetworkProfile", "OCPPCommCtrlr")
    priority = [p.strip() for p in priority_text.split(",") if p.strip()]
    used = set(priority) | ({active} if active else set())
    connection: dict[str, Any] = {"ocppTransport": "JSON", "ocppCsmsUrl": target.url,
                                  "messageTimeout": target.message_timeout,
                                  "securityProfile": target.security_profile, "ocppInterface": target.ocpp_interface}
    if version == "2.0.1":
        connection["ocppVersion"] = "OCPP20"
    if target.apn:
        connection["apn"] = target.apn
    if version == "2.1":
        if target.identity:
            connection["identity"] = target.identity
        if target.password:
            connection["basicAuthPassword"] = target.password
    elif target.password:  # 2.0.1: one password for every profile
        tell(1, 5, "SetVariables BasicAuthPassword")
        answer = await engine.call(charger_id, "SetVariables", {"setVariableData": [{
            "component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"},
            "attributeValue": target.password}]})
        status = str((answer.get("setVariableResult") or [{}])[0].get("attributeStatus", ""))
        sent.append(Sent("SetVariables", f"BasicAuthPassword = {secrets.MASK}", status))
        if status in ("Accepted", "RebootRequired"):
            await keep(replaces_own=True)  # at once, before anything can fail
        if status not in ("Accepted", "RebootRequired"):
            raise errors.OperationRejected("SetVariables", f"{status} for BasicAuthPassword", charger_id,
                                           hint="The charger refused the operator's password: check its length "
                                                "(16 to 40 characters) and characters.")
    shown = f"{target.url}, security profile {target.security_profile}, {target.ocpp_interface}"
    status = ""
    for slot in [s for s in range(SLOTS_TO_TRY) if str(s) not in used]:
        tell(2, 5, f"SetNetworkProfile into slot {slot}")
        answer = await engine.call(charger_id, "SetNetworkProfile", {"configurationSlot": slot,
                                                                      "connectionData": connection})
        status = str(answer.get("status", ""))
        sent.append(Sent("SetNetworkProfile", f"slot {slot}: {shown}", status))
        if status == "Accepted":
            if version == "2.1" and target.password:
                await keep(replaces_own=False)  # in that profile only: ours keeps the charger's own
            break
    else:
        raise errors.OperationRejected("SetNetworkProfile", status or "no free slot", charger_id,
                                       hint="The charger refused every free configuration slot: check the URL and "
                                            "the security profile against what it supports.")
    order = ",".join([str(slot), *[p for p in priority if p != str(slot)]])
    tell(3, 5, f"NetworkConfigurationPriority = {order}")
    answer = await engine.call(charger_id, "SetVariables", {"setVariableData": [{
        "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "NetworkConfigurationPriority"},
        "attributeValue": order}]})
    result = (answer.get("setVariableResult") or [{}])[0]
    status = str(result.get("attributeStatus", ""))
    sent.append(Sent("SetVariables", f"NetworkConfigurationPriority = {order}", status))
    if status not in ("Accepted", "RebootRequired"):
        raise errors.OperationRejected("SetVariables", f"{status} for NetworkConfigurationPriority", charger_id,
                                       hint="The new profile is stored but not first: the charger keeps this CSMS.")


class _Keeper:
    """Keeps the operator's password once the charger took it: the CSMS expects it (when it
    replaces the charger's own) and the vault keeps it as the operator's (in a worker thread)."""

    def __init__(self, engine: csms_engine.Engine, charger_id: str, password: str,
                 vault: vault_store.Vault | None) -> None:
        self.engine, self.charger_id, self.password, self.vault = engine, charger_id, password, vault
        self.note = ""

    async def __call__(self, *, replaces_own: bool) -> None:
        if replaces_own:
            self.engine.server.expect_password(self.charger_id, self.password)
        if self.vault is None:
            return
        kind = vault_store.OPERATOR if replaces_own else vault_store.OPERATOR_PROFILE
        changes: dict[tuple[str, str], str | None] = {(kind, self.charger_id): self.password}
        if replaces_own:  # the charger no longer has its own: not offered as current any more
            changes[(vault_store.LOCAL, self.charger_id)] = None
            changes[(vault_store.OPERATOR_PROFILE, self.charger_id)] = None
        try:
            await asyncio.to_thread(self.vault.change, changes)
            persistent = await asyncio.to_thread(lambda: self.vault.persistent)
        except errors.StorageError as exc:
            self.note = (f"The keyring would not keep the operator's password ({exc.message}): "
                         "write it down, it is kept only until Commissioner closes.")
            return
        self.note = ("The operator's password is kept in this computer's keyring (Stored passwords…)." if persistent
                     else "The operator's password is kept only until Commissioner closes (this computer has "
                          "no keyring): write it down.")


def _connection_ms(engine: csms_engine.Engine, charger_id: str) -> int | None:
    """When its current connection opened (None: not connected)."""
    info = engine.registry.chargers.get(charger_id)
    return info.connected_ms if info is not None and info.connected else None


def _connected(engine: csms_engine.Engine, charger_id: str) -> bool:
    info = engine.registry.chargers.get(charger_id)
    return info is not None and info.connected


async def _until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(POLL_S)
    return True
