"""Security profiles and certificates of a charger, as a technician uses them (Qt-free, on the engine loop).

- The built-in CA (csms.pki, opened in a worker thread): its fingerprint to read out on site, its
  certificate exported as PEM or DER for a charger that is given its CA by hand.
- Certificates over OCPP: InstallCertificate of the CA (2.x CSMSRootCertificate, 1.6 security
  extension CentralSystemRootCertificate) or of a manufacturer root from a file;
  GetInstalledCertificateIds as a list; DeleteCertificate of one of them.
- **Upgrade** a charger's security profile as one guided action (OCPP 2.0.1 A05, 1.6 security
  whitepaper ed. 3 section 2.4): the password (profiles 1 and 2, if it has none of its own yet), the
  CA (2 and 3), a certificate of its own (3: TriggerMessage SignChargingStationCertificate / 1.6
  ExtendedTriggerMessage SignChargePointCertificate, its CSR signed by the built-in CA), then the
  profile: 2.x SetNetworkProfile into a free slot first in NetworkConfigurationPriority (ours kept
  behind it as the fallback) and Reset; 1.6 the vendor's URL key (wss:// for 2 and 3) and the
  SecurityProfile key, on which the charger reconnects by itself. Verified by the charger coming
  back at that profile; a failure names the step and what the charger said.
- Lower profiles are refused (the CSMS records the highest each charger reached, csms.security);
  `allow_lower` is the technician's explicit way back.
"""

from __future__ import annotations

import asyncio
import dataclasses
import pathlib
import time
from typing import Any, Callable

from cryptography import x509

from app.csms import engine as csms_engine
from app.csms import pki
from app.domain import errors, model
from app.services import handover, passwords, vendors
from app.storage import vault as vault_store

Progress = Callable[[int, int, str], None]
CSR_TIMEOUT_S = 60.0  # the charger's CSR, signed and taken, this soon after the trigger
RECONNECT_TIMEOUT_S = 90.0  # back at the new profile this soon after the change
CSMS_ROOT = {"1.6": "CentralSystemRootCertificate"}  # 2.x: CSMSRootCertificate
MANUFACTURER_ROOT = "ManufacturerRootCertificate"
PROFILES = {0: "0 — no security (plain ws://, no password)",
            1: "1 — basic authentication (ws://, password)",
            2: "2 — TLS with basic authentication (wss://, password)",
            3: "3 — TLS with client certificates (wss://, the charger's own certificate)"}


def csms_root_type(version: str) -> str:
    return CSMS_ROOT.get(version, "CSMSRootCertificate")


# ---------------------------------------------------------------- the built-in CA


@dataclasses.dataclass(frozen=True)
class Authority:
    fingerprint: str  # SHA-256, colon-separated hex: read out on site, compared on the charger
    subject: str
    not_after: str  # ISO date
    directory: str  # where the CA lives (ca.pem beside its protected key)
    pem: str
    wss_urls: tuple[str, ...]  # the wss:// addresses chargers use (empty: TLS is off)


def _signer(engine: csms_engine.Engine):
    signer = engine.server.certificates
    if signer is None:
        raise errors.ConfigError("This CSMS has no certificate authority.",
                                 hint="Restart Commissioner: the built-in CA is made with the CSMS.")
    return signer


async def authority(engine: csms_engine.Engine) -> Authority:
    """The built-in CA (made on first use, in a worker thread: a key is generated, the keyring asked)."""
    ca = await asyncio.to_thread(_signer(engine).ca_blocking)
    about = pki.describe(ca.certificate)
    return Authority(ca.fingerprint(), about["subject_cn"] or "", about["not_after"][:10], str(ca.directory),
                     ca.pem().decode("ascii"), tuple(u for u in engine.urls if u.startswith("wss://")))


async def export_authority(engine: csms_engine.Engine, path: pathlib.Path, kind: str = "pem") -> pathlib.Path:
    """Write the CA certificate (never its key) to `path` as PEM or DER, for a charger given it by hand."""
    if kind not in ("pem", "der"):
        raise errors.ConfigError(f"Unknown certificate format {kind!r}.", hint="Choose PEM or DER.")
    ca = await asyncio.to_thread(_signer(engine).ca_blocking)
    data = ca.pem() if kind == "pem" else ca.der()
    target = pathlib.Path(path)
    try:
        await asyncio.to_thread(target.write_bytes, data)
    except OSError as exc:
        raise errors.StorageError(f"The CA certificate could not be written to {target}: {exc.strerror or exc}.",
                                  hint="Choose a folder you can write to (a USB stick, Documents).") from exc
    return target


# ---------------------------------------------------------------- certificates on the charger


@dataclasses.dataclass(frozen=True)
class Installed:
    certificate_type: str
    hash_data: dict[str, str]
    ours: bool = False  # the built-in CA of this CSMS

    @property
    def text(self) -> str:
        label = " (this CSMS's CA)" if self.ours else ""
        return f"{self.certificate_type}: serial {self.hash_data.get('serialNumber', '?')}{label}"


def _our_hash(engine: csms_engine.Engine) -> dict[str, str] | None:
    ca = _signer(engine).ca
    return pki.certificate_hash_data(ca.certificate) if ca is not None else None


def _same(a: dict[str, Any], b: dict[str, Any] | None) -> bool:
    if b is None:
        return False
    keys = ("issuerNameHash", "issuerKeyHash", "serialNumber")
    return all(str(a.get(k, "")).lower().lstrip("0") == str(b.get(k, "")).lower().lstrip("0") for k in keys)


async def installed(engine: csms_engine.Engine, charger_id: str) -> list[Installed]:
    """GetInstalledCertificateIds: every certificate the charger reports (1.6: both root types asked)."""
    version = engine.server.session(charger_id).version  # ChargerNotConnectedError
    ours = _our_hash(engine)
    found: list[Installed] = []
    if version == "1.6":
        for kind in (csms_root_type(version), MANUFACTURER_ROOT):
            answer = await engine.call(charger_id, "GetInstalledCertificateIds", {"certificateType": kind})
            for data in answer.get("certificateHashData") or []:
                found.append(Installed(kind, dict(data), _same(data, ours)))
        return found
    answer = await engine.call(charger_id, "GetInstalledCertificateIds", {})
    for chain in answer.get("certificateHashDataChain") or []:
        data = chain.get("certificateHashData") or {}
        found.append(Installed(str(chain.get("certificateType", "")), dict(data), _same(data, ours)))
    return found


def _check_root(pem: str) -> None:
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise errors.ConfigError("That file is not a PEM certificate.",
                                 hint="Choose the manufacturer's root certificate (.pem or .crt, text "
                                      "starting with -----BEGIN CERTIFICATE-----).") from exc
    if len(pem) > 5500:  # the schemas' limit for InstallCertificate.certificate
        raise errors.ConfigError(f"The certificate is {len(pem)} characters; OCPP carries at most 5500.",
                                 hint="Give the root certificate alone, not a chain or bundle.")
    if certificate.issuer != certificate.subject:
        raise errors.ConfigError("That certificate is not a root (it is issued by someone else).",
                                 hint="Install the root the charger's firmware is signed under.")


async def install_root(engine: csms_engine.Engine, charger_id: str, pem: str | None = None, *,
                       manufacturer: bool = False) -> str:
    """InstallCertificate: this CSMS's CA (pem None) or a root from a file; the charger's status,
    OperationRejected unless Accepted."""
    version = engine.server.session(charger_id).version
    if pem is None:
        ca = await asyncio.to_thread(_signer(engine).ca_blocking)
        pem = ca.pem().decode("ascii")
    else:
        _check_root(pem)
    kind = MANUFACTURER_ROOT if manufacturer else csms_root_type(version)
    answer = await engine.call(charger_id, "InstallCertificate", {"certificateType": kind, "certificate": pem})
    status = str(answer.get("status", ""))
    if status != "Accepted":
        raise errors.OperationRejected("InstallCertificate", f"{status or 'no status'} for {kind}", charger_id,
                                       hint="The charger may have no room left (CertificateStoreMaxLength): "
                                            "delete an old certificate and try again.")
    return status


async def delete(engine: csms_engine.Engine, charger_id: str, item: Installed) -> str:
    """DeleteCertificate by its hash data; OperationRejected unless Accepted."""
    data = {k: item.hash_data[k] for k in ("hashAlgorithm", "issuerNameHash", "issuerKeyHash", "serialNumber")
            if k in item.hash_data}
    answer = await engine.call(charger_id, "DeleteCertificate", {"certificateHashData": data})
    status = str(answer.get("status", ""))
    if status != "Accepted":
        raise errors.OperationRejected("DeleteCertificate", status or "no status", charger_id,
                                       hint="A charger may refuse to delete the root it uses for its current "
                                            "connection (NotFound: it is gone already; read the list again).")
    return status


# ---------------------------------------------------------------- what the window shows per charger


@dataclasses.dataclass(frozen=True)
class ChargerSecurity:
    connected_profile: int  # the profile of its current (or last) connection
    lowest_allowed: int  # the highest it reached: lower ones are refused
    events: tuple[model.SecurityEventReceived, ...]  # its SecurityEventNotifications, newest last


def state(engine: csms_engine.Engine, charger_id: str) -> ChargerSecurity:
    """On the engine loop (quick)."""
    info = engine.registry.chargers.get(charger_id)
    lowest = engine.server.profiles.minimum(charger_id) if engine.server.profiles is not None else 0
    if info is None:
        return ChargerSecurity(0, lowest, ())
    return ChargerSecurity(info.security_profile, lowest, tuple(info.security_events))


async def allow_lower(engine: csms_engine.Engine, charger_id: str) -> bool:
    """Let the charger connect with a lower profile again (the technician's explicit choice)."""
    return engine.server.allow_lower_profile(charger_id)


# ---------------------------------------------------------------- upgrade


@dataclasses.dataclass
class Step:
    title: str
    detail: str = ""
    ok: bool = True


@dataclasses.dataclass
class Upgrade:
    ok: bool
    text: str  # the verdict in a sentence
    profile: int  # the profile it runs now
    steps: list[Step] = dataclasses.field(default_factory=list)
    password: passwords.PasswordSet | None = None  # the password given on the way (its field is repr=False)


class _Events:
    """This charger's Connected / CertificateIssued / security events from now on (engine.subscribe)."""

    def __init__(self, engine: csms_engine.Engine, charger_id: str) -> None:
        self.engine, self.charger_id = engine, charger_id
        self.queue: asyncio.Queue[model.Event] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()
        self.failures: list[str] = []  # TLS handshakes that failed meanwhile (by address)
        self.reports: list[str] = []  # its security events meanwhile, "type: techInfo"

    def __enter__(self) -> _Events:
        self.engine.subscribe(self._heard)
        return self

    def __exit__(self, *exc: object) -> None:
        self.engine.unsubscribe(self._heard)

    def _heard(self, event: model.Event) -> None:
        if isinstance(event, model.TlsFailed):
            self.loop.call_soon_threadsafe(self.failures.append, f"{event.remote_address}: {event.reason}")
        elif event.charger_id == self.charger_id and isinstance(
                event, (model.Connected, model.CertificateIssued, model.SecurityEventReceived)):
            self.loop.call_soon_threadsafe(self.queue.put_nowait, event)

    async def next(self, kinds: tuple[type, ...], deadline: float) -> model.Event | None:
        """The next event of these kinds before the deadline (time.monotonic()); None when none came."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                event = await asyncio.wait_for(self.queue.get(), left)
            except TimeoutError:
                return None
            if isinstance(event, model.SecurityEventReceived):
                self.reports.append(f"{event.type}: {event.tech_info}".strip(": "))
            if isinstance(event, kinds):
                return event


def own_url(engine: csms_engine.Engine, charger_id: str, tls: bool) -> str:
    """This CSMS's address as the charger reaches it (ws:// or wss://), the path it uses, without its id."""
    host = engine.local_host(charger_id)
    path = engine.server.base_path(charger_id)
    if host is None or path is None:
        raise errors.ChargerNotConnectedError(charger_id)
    port = engine.server.tls_port if tls else engine.server.port
    if tls and port is None:
        raise errors.ConfigError("This CSMS has no TLS (wss://) port.",
                                 hint="Settings → Security: turn on TLS, then upgrade the charger again.")
    shown = f"[{host}]" if ":" in host else host
    return f"{'wss' if tls else 'ws'}://{shown}:{port}{path}"


async def upgrade(engine: csms_engine.Engine, charger_id: str, profile: int, *,
                  vault: vault_store.Vault, vendor: vendors.VendorProfile | None = None,
                  progress: Progress | None = None, csr_timeout: float = CSR_TIMEOUT_S,
                  reconnect_timeout: float = RECONNECT_TIMEOUT_S) -> Upgrade:
    """Raise the charger to `profile` and see it reconnect with it. On the engine loop.

    Raises ConfigError before sending anything (a lower or equal profile, no TLS port, 1.6 without a
    vendor URL key for wss://). Once something was sent it returns: a step the charger refused (or
    the charger gone) ends it with ok False, that step last with the reason; the steps before it
    stay done, nothing after it is sent. `vault` keeps a password given on the way (also in the
    result, to be shown once when the keyring would not keep it)."""
    tell = progress or (lambda done, total, message: None)
    total = 6
    version = engine.server.session(charger_id).version  # ChargerNotConnectedError
    if profile not in (1, 2, 3):
        raise errors.ConfigError(f"There is no security profile {profile} to upgrade to.",
                                 hint="Choose 1 (password), 2 (TLS + password) or 3 (TLS + certificate).")
    tell(0, total, "Reading the charger's security profile")
    reported = await handover.current_security_profile(engine, charger_id)
    info = engine.registry.chargers[charger_id]
    current = max(reported, info.security_profile)
    if profile <= current:
        raise errors.ConfigError(
            f"{charger_id} runs security profile {current} already." if profile == current else
            f"{charger_id} runs security profile {current}; {profile} would lower it.",
            hint="OCPP never lowers a profile; choose a higher one." if profile < current else "")
    target_url = own_url(engine, charger_id, tls=profile >= 2)  # ConfigError before anything is sent
    if version == "1.6":
        vendor = vendor or vendors.for_charger(info.vendor, info.model, engine.data_dir)
        if profile >= 2 and (vendor is None or not vendor.settings.get("ocpp_url", vendors.Setting("")).key):
            raise errors.ConfigError(
                f"OCPP 1.6 has no standard key for the backend URL, and no vendor profile names it for "
                f"{info.vendor} {info.model}: wss:// needs a new URL.",
                hint="Add a vendor profile for this model (copy resources/vendors/generic.toml into the data "
                     "folder's vendors/ folder, set its vendor, model and the URL key from the Configure list), "
                     f"then upgrade again; or set the charger's URL to {target_url}<charger id> by its own tool.")
    steps: list[Step] = []
    result = Upgrade(False, "", current, steps)
    stage = ["Password"]  # the step under way, named when a call of it fails

    def ended(ok: bool, text: str, now: int) -> Upgrade:
        result.ok, result.text, result.profile = ok, text, now
        return result

    async def run() -> Upgrade:
        with _Events(engine, charger_id) as heard:
            # 1. A password of its own (profiles 1 and 2 authenticate with it).
            if profile <= 2 and charger_id not in engine.config.passwords:
                tell(1, total, "Giving the charger a password of its own")
                done = await passwords.set_password(engine, charger_id, vault, unsecured_ok=True)
                result.password = done
                # Kept nowhere but in memory: the step says so (not ✓), the window shows the password once.
                steps.append(Step("Password", f"{done.status}: {done.text}", ok=not done.keyring_error))
            elif profile <= 2:
                steps.append(Step("Password", "it has one of its own already"))
            # 2. The CA, so it can verify this CSMS's server certificate.
            if profile >= 2:
                stage[0] = "CA installed"
                tell(2, total, f"InstallCertificate {csms_root_type(version)}: this CSMS's CA")
                status = await install_root(engine, charger_id)
                steps.append(Step("CA installed", f"InstallCertificate {csms_root_type(version)}: {status}"))
            # 3. A certificate of its own, signed by the CA.
            if profile == 3:
                stage[0] = "Certificate"
                tell(3, total, "Asking the charger for a CSR and signing it")
                named = await _organization(engine, charger_id, version)
                if named is not None:
                    steps.append(named)
                    if not named.ok:
                        return ended(False, f"{charger_id} did not take the operator name ({named.detail}), which its "
                                              "certificate must carry. Nothing else was changed.", current)
                steps.append(await _certificate(engine, charger_id, version, heard, csr_timeout))
                if not steps[-1].ok:
                    return ended(False, f"{charger_id} has no certificate of its own: {steps[-1].detail}. "
                                          "Nothing else was changed; it stays at profile "
                                          f"{current}.", current)
            # 4. The profile itself, then the restart.
            stage[0] = f"Profile {profile} set"
            tell(4, total, f"Setting security profile {profile}")
            target = handover.Target(target_url, security_profile=profile)
            sent: list[handover.Sent] = []
            reconnects_itself = await handover.apply_target(engine, charger_id, target, version, vendor, sent,
                                                            lambda d, t, m: tell(4, total, m))
            if not reconnects_itself:
                reset = {"type": vendor.reset if version == "1.6" and vendor is not None else "Immediate"}
                answer = await engine.call(charger_id, "Reset", reset)
                sent.append(handover.Sent("Reset", reset["type"], str(answer.get("status", ""))))
                if sent[-1].answer not in ("Accepted", "Scheduled"):
                    raise errors.OperationRejected("Reset", sent[-1].answer or "no status", charger_id,
                                                   hint="The new profile is stored: restart the charger by its "
                                                        "power switch to use it.")
            steps.append(Step(f"Profile {profile} set", "; ".join(f"{s.action} {s.summary}: {s.answer}" for s in sent)))
            # 5. Back, at the new profile.
            tell(5, total, f"Waiting for {charger_id} to reconnect with security profile {profile}")
            deadline = time.monotonic() + reconnect_timeout
            while True:
                event = await heard.next((model.Connected,), deadline)
                if event is None:
                    said = f" It reported: {'; '.join(heard.reports)}." if heard.reports else ""
                    tls = f" Failed TLS handshakes meanwhile: {'; '.join(heard.failures[-3:])}." if heard.failures else ""
                    steps.append(Step("Reconnected", f"not within {reconnect_timeout:g} s", ok=False))
                    return ended(False, f"{charger_id} did not come back within {reconnect_timeout:g} s.{said}{tls} "
                                          "Check that it can reach this laptop's wss:// port (firewall), then look "
                                          "at its own log.", current)
                assert isinstance(event, model.Connected)
                if event.security_profile >= profile:
                    steps.append(Step("Reconnected", f"at security profile {event.security_profile} "
                                                     f"from {event.remote_address}"))
                    tell(total, total, "Done")
                    return ended(True, f"{charger_id} runs security profile {event.security_profile} now: "
                                         f"{PROFILES[event.security_profile]}.", event.security_profile)
                # Back at the old profile: it fell back (B10) — wait a moment for the events that say why.
                await heard.next((model.SecurityEventReceived,), min(deadline, time.monotonic() + 5.0))
                said = f" It reported: {'; '.join(heard.reports)}." if heard.reports else ""
                tls = f" Failed TLS handshakes: {'; '.join(heard.failures[-3:])}." if heard.failures else ""
                steps.append(Step("Reconnected", f"at profile {event.security_profile}, not {profile}", ok=False))
                return ended(False, f"{charger_id} came back at security profile {event.security_profile}, not "
                                    f"{profile}: it could not use the new one.{said}{tls}", event.security_profile)

    try:
        return await run()
    except errors.CommissionerError as exc:  # the charger refused a step, or went away: the record stays
        steps.append(Step(stage[0], f"{exc.message} {exc.hint}".strip(), ok=False))
        return ended(False, f"The upgrade of {charger_id} stopped at “{stage[0]}”: {exc.message} "
                            f"{exc.hint} The steps before it stay done.".replace("  ", " "), current)


async def _organization(engine: csms_engine.Engine, charger_id: str, version: str) -> Step | None:
    """With an operator name set, the charger's CSR must carry it as O: give it the name first
    (2.x SecurityCtrlr.OrganizationName, 1.6 CpoName). None when no name is set."""
    name = engine.config.operator_name
    if not name:
        return None
    if version == "1.6":
        answer = await engine.call(charger_id, "ChangeConfiguration", {"key": "CpoName", "value": name})
        status, what = str(answer.get("status", "")), "ChangeConfiguration CpoName"
    else:
        answer = await engine.call(charger_id, "SetVariables", {"setVariableData": [{
            "component": {"name": "SecurityCtrlr"}, "variable": {"name": "OrganizationName"}, "attributeValue": name}]})
        status = str((answer.get("setVariableResult") or [{}])[0].get("attributeStatus", ""))
        what = "SetVariables SecurityCtrlr.OrganizationName"
    return Step("Operator name", f"{what} = {name}: {status or 'no status'}", ok=status in ("Accepted", "RebootRequired"))


async def _certificate(engine: csms_engine.Engine, charger_id: str, version: str, heard: _Events,
                       timeout: float) -> Step:
    """Trigger the charger's CSR; the CSMS checks and signs it (csms.certificates): wait for the outcome.
    The CSMS signs it whatever the connection, since it asked for it itself."""
    _signer(engine).expect_csr(charger_id, timeout)
    if version == "1.6":
        action, payload = "ExtendedTriggerMessage", {"requestedMessage": "SignChargePointCertificate"}
    else:
        action, payload = "TriggerMessage", {"requestedMessage": "SignChargingStationCertificate"}
    answer = await engine.call(charger_id, action, payload)
    status = str(answer.get("status", ""))
    if status != "Accepted":
        return Step("Certificate", f"{action} {payload['requestedMessage']}: {status or 'no status'}", ok=False)
    event = await heard.next((model.CertificateIssued,), time.monotonic() + timeout)
    if event is None:
        return Step("Certificate", f"no CSR (SignCertificate) within {timeout:g} s of {action}", ok=False)
    assert isinstance(event, model.CertificateIssued)
    return Step("Certificate", event.detail, ok=event.accepted)
