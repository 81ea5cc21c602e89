"""TLS contexts for security profiles 2 and 3, and failed handshakes told in a technician's words.

The server context speaks TLS 1.2 and 1.3 only, without compression, with the server's cipher
order, and holds two certificates: OpenSSL keeps one per key type, so `load_cert_chain` is
called for the RSA and then the EC certificate, and each TLS 1.2 suite gets the certificate of
its own kind (ECDHE-ECDSA -> EC, ECDHE-RSA -> RSA). TLS 1.3 picks by the client's signature
algorithms. Mutual (profile 3): a charger without a certificate, or with one no trusted CA
issued, fails the handshake; the CN / O / time checks follow in `pki.client_certificate_problem`.

asyncio's server (and so websockets.serve) only logs a failed handshake at debug level; to show
`describe_failure`, do the handshake yourself (`StreamWriter.start_tls`, `loop.start_tls`).
"""

from __future__ import annotations

import ssl
from pathlib import Path

from app.csms import pki
from app.domain import errors

# OCPP 2.0.1 Part 2 A00.FR.318-319 and the 1.6 security whitepaper: the suites a charger may rely on.
REQUIRED_SUITES = ("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                   "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384")
# Other forward-secret AEAD suites, after the required ones (no CBC, no RSA key exchange, no SHA-1).
EXTRA_SUITES = ("ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305")
# TLS_RSA_WITH_AES_*_GCM (RSA key exchange, no forward secrecy): some editions of the OCPP texts list
# these for chargers with RSA-only stacks. Offered last, only when asked for (legacy_rsa_kex=True).
LEGACY_RSA_KEX_SUITES = ("AES128-GCM-SHA256", "AES256-GCM-SHA384")
NO_CHECK_TIME = 0x200000  # X509_V_FLAG_NO_CHECK_TIME; the ssl module has no name for it


def server_context(certs: pki.ServerCertificates, *, mutual: bool = False, trusted_pem: bytes = b"",
                   allow_expired: bool = False, legacy_rsa_kex: bool = False) -> ssl.SSLContext:
    """The context of the wss:// port. `mutual`: profile 3, a client certificate issued by a CA in
    `trusted_pem` is required. `allow_expired`: OpenSSL skips the time checks of the client's chain,
    so the app (client_certificate_problem) decides about an expired charger certificate itself."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.options |= ssl.OP_NO_COMPRESSION | ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_NO_RENEGOTIATION
    ctx.set_ciphers(":".join(REQUIRED_SUITES + EXTRA_SUITES + (LEGACY_RSA_KEX_SUITES if legacy_rsa_kex else ())))
    for cert, key in ((certs.rsa_cert, certs.rsa_key), (certs.ec_cert, certs.ec_key)):
        try:
            ctx.load_cert_chain(cert, key, password=certs.key_password)
        except (OSError, ssl.SSLError) as exc:
            raise errors.CertificateError(
                f"The server certificate {cert} or its key cannot be loaded: {exc}", reason="damaged",
                hint="Delete the server-*.pem and server-*.key files in the CA folder; they are made again.") from exc
    if mutual:
        if not trusted_pem.strip():
            raise errors.CertificateError("Security profile 3 needs the CA that signs the chargers' certificates.",
                                          reason="no-trust", hint="Open the built-in CA or import the operator's CA.")
        ctx.verify_mode = ssl.CERT_REQUIRED
        try:
            # cadata as str is PEM (as bytes it would be read as DER).
            ctx.load_verify_locations(cadata=trusted_pem.decode("ascii"))
        except (ssl.SSLError, UnicodeDecodeError, ValueError) as exc:
            raise errors.CertificateError(f"The trusted CA certificates cannot be loaded: {exc}", reason="damaged",
                                          hint="Remove the imported operator CA that is damaged, then retry.") from exc
        if allow_expired:
            ctx.verify_flags |= NO_CHECK_TIME
    return ctx


def client_context(ca_pem: bytes | None, *, cert: tuple[Path, Path] | None = None) -> ssl.SSLContext:
    """A client's context (tests, handover probes): verifies the server against `ca_pem` (None: does
    not verify at all), presents `cert` = (certificate, key) when given."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_pem:
        ctx.load_verify_locations(cadata=ca_pem.decode("ascii"))
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert is not None:
        ctx.load_cert_chain(cert[0], cert[1])
    return ctx


# ---------------------------------------------------------------------------------- failures

_PROFILE_3 = "security profile 3 needs one signed by this CSMS's CA or an imported operator CA"


def describe_failure(exc: BaseException, *, ca_fingerprint: str = "") -> str:
    """A failed server-side TLS handshake in a technician's words, from the SSLError's reason
    (the strings below were seen from OpenSSL 3.0, see tests/integration/test_tls_context.py)."""
    # asyncio's handshake timeout is a ConnectionAbortedError ("SSL handshake is taking longer than ...").
    if isinstance(exc, TimeoutError) or (isinstance(exc, ConnectionAbortedError) and "longer than" in str(exc)):
        return "the TLS handshake did not finish in time (the charger stopped answering half-way)"
    if not isinstance(exc, ssl.SSLError):
        if isinstance(exc, (ConnectionResetError, BrokenPipeError, EOFError)):
            return "the charger closed the connection during the TLS handshake"
        return f"the TLS handshake failed: {exc}"
    reason = (exc.reason or "").upper()
    fingerprint = f" (SHA-256 {ca_fingerprint})" if ca_fingerprint else ""
    if reason == "HTTP_REQUEST":
        return ("the charger spoke plain ws:// (HTTP) to the wss:// port: set its URL to wss://…"
                " or point it at the plain ws:// port")
    if reason in {"UNSUPPORTED_PROTOCOL", "WRONG_VERSION_NUMBER", "VERSION_TOO_LOW", "TLSV1_ALERT_PROTOCOL_VERSION"}:
        return "the charger offered TLS older than 1.2: OCPP needs TLS 1.2 or 1.3 (update the charger's firmware)"
    if reason == "NO_SHARED_CIPHER":
        return ("no cipher suite in common: OCPP requires " + ", ".join(REQUIRED_SUITES)
                + " (check the charger's TLS settings or firmware)")
    if reason in {"PEER_DID_NOT_RETURN_A_CERTIFICATE", "TLSV13_ALERT_CERTIFICATE_REQUIRED"}:
        return f"the charger sent no client certificate ({_PROFILE_3})"
    if reason == "CERTIFICATE_VERIFY_FAILED":
        message = (getattr(exc, "verify_message", "") or "").lower()
        code = getattr(exc, "verify_code", 0)
        if "expired" in message or code == 10:
            return "the charger's client certificate has expired: renew it (SignCertificate) or install a new one"
        if "not yet valid" in message or code == 9:
            return "the charger's client certificate is not valid yet: check the charger's clock"
        if "issuer" in message or "self-signed" in message or "self signed" in message or code in {2, 18, 19, 20, 21}:
            return f"the charger's client certificate was not issued by a trusted CA ({_PROFILE_3})"
        return f"the charger's client certificate was refused: {message or exc.reason}"
    if reason in {"TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_BAD_CERTIFICATE", "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
                  "TLSV1_ALERT_DECRYPT_ERROR", "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE"}:
        return ("the charger does not trust this CSMS's certificate: install the CA certificate"
                f"{fingerprint} on it")
    if reason == "SSLV3_ALERT_CERTIFICATE_EXPIRED":
        return "the charger says this CSMS's certificate has expired (or the charger's clock is wrong)"
    if reason in {"UNEXPECTED_EOF_WHILE_READING", "EOF"} or isinstance(exc, ssl.SSLEOFError):
        return "the charger closed the connection during the TLS handshake"
    words = (exc.reason or str(exc)).replace("_", " ").lower()
    return f"the TLS handshake failed: {words}" + (f" ({exc.library})" if exc.library else "")
