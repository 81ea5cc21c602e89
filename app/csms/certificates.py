"""The CSMS's side of certificates: the built-in CA opened on first use, the wss:// context, CSRs signed.

OCPP 2.0.1 A02/A03 and the 1.6 security whitepaper (use case "Update Charge Point Certificate"):
the charger sends SignCertificate with a CSR; the CSMS answers Accepted only for a CSR it will sign
(checked here: key size, SHA-256, CN = the charger id, O = the operator when set), then sends
CertificateSigned with the chain (leaf + CA). The charger uses the certificate for profile 3.

The CA (csms.pki) is opened lazily, off the loop: making it generates a key and may ask the keyring.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import pathlib
import ssl
import threading
import time
from typing import Any, Callable

from cryptography import x509

from app.csms import pki, tls
from app.domain import csms_policy, errors, model

log = logging.getLogger(__name__)

V2G = "V2GCertificate"
CHARGER = "ChargingStationCertificate"


def ca_directory(config: csms_policy.CsmsConfig, data_dir: pathlib.Path) -> pathlib.Path:
    return pathlib.Path(config.ca_dir) if config.ca_dir else pathlib.Path(data_dir) / "ca"


class Signer:
    """The built-in CA for the CSMS: the TLS context of its wss:// port, client certificates judged
    after the handshake, CSRs answered and signed. Methods named *_blocking run in a worker thread."""

    def __init__(self, config: csms_policy.CsmsConfig, directory: pathlib.Path,
                 passphrase: Callable[[], bytes] | None, hosts: Callable[[], list[str]] = list) -> None:
        self.config = config
        self.directory = pathlib.Path(directory)
        self._passphrase = passphrase
        self._hosts = hosts
        self._ca: pki.CertificateAuthority | None = None
        self._lock = threading.Lock()
        self.server_certificates: pki.ServerCertificates | None = None
        self._call: Callable[[str, str, dict], Any] | None = None
        self._emit: Callable[[model.Event], None] = lambda event: None
        self._clock: Callable[[], int] = lambda: 0
        self._profile_of: Callable[[str], int] = lambda charger_id: 0
        self._asked: dict[str, float] = {}  # charger id -> until when (monotonic) a CSR of ours is awaited
        self._trusted: list | None = None  # the trust anchors, read once (import/remove clear it)

    def attach(self, call: Callable[[str, str, dict], Any], emit: Callable[[model.Event], None],
               clock: Callable[[], int], profile_of: Callable[[str], int] | None = None) -> None:
        """How CertificateSigned goes out (engine.call), where its outcome is told, and the security
        profile of a charger's current connection (a CSR is signed only on a secure one)."""
        self._call, self._emit, self._clock = call, emit, clock
        if profile_of is not None:
            self._profile_of = profile_of

    def expect_csr(self, charger_id: str, seconds: float) -> None:
        """This CSMS asked the charger for a CSR (TriggerMessage): sign it, whatever the connection."""
        self._asked[charger_id] = time.monotonic() + seconds

    # ------------------------------------------------------------------ the CA

    def ca_blocking(self) -> pki.CertificateAuthority:
        """The built-in CA, made on first use (blocking: key generation, the keyring)."""
        with self._lock:
            if self._ca is None:
                self._ca = pki.CertificateAuthority.open(self.directory, self._passphrase)
                log.info("built-in CA in %s, fingerprint %s", self.directory, self._ca.fingerprint())
            return self._ca

    @property
    def ca(self) -> pki.CertificateAuthority | None:
        """The CA if it is open already (never blocks)."""
        return self._ca

    def tls_context_blocking(self) -> ssl.SSLContext:
        """The wss:// port's context: both server certificates for every address of this laptop;
        client certificates requested (profile 3) but not required, so profile-2 chargers share the
        port; the profile is then judged per charger (csms.server)."""
        ca = self.ca_blocking()
        self.server_certificates = ca.server_certificates(self._hosts())
        context = tls.server_context(self.server_certificates, mutual=True, trusted_pem=ca.trusted_pem(),
                                     allow_expired=self.config.renew_expired)
        context.verify_mode = ssl.CERT_OPTIONAL
        return context

    def refresh_blocking(self) -> ssl.SSLContext | None:
        """A new context with server certificates issued again, when this laptop's addresses are no
        longer all covered or the certificates near their end; None when the current one is fine.
        (A new context, swapped in on the loop: a live SSLContext is never changed under handshakes.)"""
        ca, current = self._ca, self.server_certificates
        if ca is None or current is None:
            return None
        hosts = [h for h in self._hosts() if h not in ("0.0.0.0", "::", "")]
        if all(h in current.hosts for h in hosts) and not self._ending(current):
            return None
        return self.tls_context_blocking()

    @staticmethod
    def _ending(current: pki.ServerCertificates) -> bool:
        from cryptography import x509  # noqa: PLC0415  (only on the hourly check)
        try:
            cert = x509.load_pem_x509_certificate(current.rsa_cert.read_bytes())
        except (OSError, ValueError):
            return True
        return cert.not_valid_after_utc - pki._utcnow() < pki.RENEW_BEFORE

    def client_problem(self, der: bytes, charger_id: str) -> str:
        """Why a verified client certificate is still refused ("" when it is fine): CN, O, validity."""
        ca = self._ca
        if ca is None:
            return "the CSMS has no CA open to judge client certificates"
        if self._trusted is None:
            self._trusted = ca.trusted()
        return pki.client_certificate_problem(der, charger_id, organization=self.config.operator_name or None,
                                              trusted=self._trusted, allow_expired=self.config.renew_expired)

    def trust_changed(self) -> None:
        """An operator CA imported or removed: read the trust anchors again."""
        self._trusted = None

    def client_warning(self, der: bytes) -> str:
        """An accepted client certificate that has expired (only with renew_expired): what to say on the
        connection, so nobody takes it for a valid one; "" otherwise."""
        if not self.config.renew_expired:
            return ""
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            return ""
        expired = cert.not_valid_after_utc
        if expired >= datetime.datetime.now(datetime.timezone.utc):
            return ""
        return (f"its client certificate expired on {expired:%Y-%m-%d %H:%M} UTC: let in only to renew it "
                "(Settings: renew expired certificates); have it send a CSR (TriggerMessage "
                "SignChargingStationCertificate, 1.6: ExtendedTriggerMessage SignChargePointCertificate)")

    def describe_failure(self, exc: BaseException) -> str:
        ca = self._ca
        return tls.describe_failure(exc, ca_fingerprint=ca.fingerprint() if ca is not None else "")

    # ------------------------------------------------------------------ CSRs

    def check(self, charger_id: str, csr: str, certificate_type: str = "") -> str:
        """Why the CSR is refused ("" when it will be signed). Quick: a parse and a signature check.

        Signed only on a connection that proved who it is (profile 2: TLS and the charger's password,
        or 3), or when this CSMS asked for it (the guided upgrade): otherwise anyone who can connect
        under a charger's id on plain ws:// would walk away with that charger's client certificate."""
        if certificate_type == V2G:
            return ("a V2G certificate is signed by the ISO 15118 PKI, not by this CSMS's CA: only "
                    "ChargingStationCertificate CSRs are signed here")
        asked = self._asked.get(charger_id, 0.0) >= time.monotonic()
        if not asked and self._profile_of(charger_id) < 2:
            return ("a CSR is signed only for a charger connected with TLS and its password (security profile 2) "
                    "or one this CSMS asked (Security page: Upgrade to profile 3)")
        try:
            pki.check_csr(csr, charger_id, organization=self.config.operator_name or None)
        except errors.CertificateError as exc:
            return exc.message
        return ""

    async def issue(self, charger_id: str, csr: str, certificate_type: str = "") -> None:
        """Sign (in a worker thread) and send CertificateSigned; the outcome is an event, never raised."""
        self._asked.pop(charger_id, None)  # one CSR per request of ours
        try:
            ca = await asyncio.to_thread(self.ca_blocking)
            chain = await asyncio.to_thread(ca.sign_csr, csr, charger_id,
                                            organization=self.config.operator_name or None)
        except errors.CertificateError as exc:
            self._told(charger_id, False, f"the CSR could not be signed: {exc.message}", certificate_type)
            return
        if self._call is None:
            self._told(charger_id, False, "signed, but there is no way to send it (the CSMS is not running)",
                       certificate_type)
            return
        payload: dict[str, Any] = {"certificateChain": chain}
        if certificate_type:
            payload["certificateType"] = certificate_type
        try:
            answer = await self._call(charger_id, "CertificateSigned", payload)
        except errors.CommissionerError as exc:
            self._told(charger_id, False, f"CertificateSigned was not taken: {exc.message}", certificate_type)
            return
        status = str(answer.get("status", ""))
        accepted = status == "Accepted"
        self._told(charger_id, accepted, f"certificate signed by the built-in CA; the charger answered {status}"
                   + ("" if accepted else ": it keeps its old certificate"), certificate_type)

    def _told(self, charger_id: str, accepted: bool, detail: str, certificate_type: str) -> None:
        (log.info if accepted else log.warning)("%s: %s", charger_id, detail)
        self._emit(model.CertificateIssued(charger_id, self._clock(), accepted, detail, certificate_type))
