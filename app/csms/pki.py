"""The built-in certificate authority for security profiles 2 and 3: a root made on first use,
the CSMS's server certificates, chargers' CSRs (SignCertificate) checked and signed, client
certificates judged after the TLS handshake, and operator CAs imported as extra trust anchors.

Layout of the CA directory (a contract: other code may read DIR/ca.pem):

    ca.pem, ca.key                 the root (key PKCS#8, encrypted with the passphrase, 0600)
    ca.passphrase                  only where there is no persistent keyring (headless bench), 0600
    server-rsa.pem/.key            RSA-2048 server certificate, for the ECDHE-RSA suites
    server-ec.pem/.key             ECDSA P-256 server certificate, for the ECDHE-ECDSA suites
    operator/<sha256>.pem          imported operator CAs (trusted for client certificates)

The root is RSA 3072, not ECDSA: every charger TLS stack verifies RSA signatures, while some
(OCPP-J 1.6 asks for RSA server certificates; the 1.6 security whitepaper keeps the RSA suites
"for backward compatibility") may not verify an ECDSA signature on the RSA leaf they are given.
3072 bits is the 128-bit security level of the P-256 leaf, and cheaper for a charger to verify
than 4096. Rules: OCPP 2.0.1 Part 2 A00.FR.4xx, OCPP 1.6 security whitepaper edition 3.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.domain import errors
from app.storage import vault

log = logging.getLogger(__name__)

CA_CERT = "ca.pem"
CA_KEY = "ca.key"
PASSPHRASE_FILE = "ca.passphrase"
OPERATOR_DIR = "operator"
SERVER_FILES = {"rsa": ("server-rsa.pem", "server-rsa.key"), "ec": ("server-ec.pem", "server-ec.key")}
CA_YEARS = 10
SERVER_DAYS = 397  # ~1 year: the longest a TLS server certificate is usually trusted for
RENEW_BEFORE = timedelta(days=30)
BACKDATE = timedelta(hours=1)  # a charger whose clock is a little behind still accepts a new certificate
MIN_RSA_BITS = 2048
MIN_EC_BITS = 224
STRONG_HASHES = (hashes.SHA256, hashes.SHA384, hashes.SHA512, hashes.SHA3_256, hashes.SHA3_384, hashes.SHA3_512)
_START_OVER = "Move the CA folder {directory} aside to make a new CA (chargers then need the new CA certificate)."


class Passphrase(Protocol):
    def __call__(self) -> bytes:
        """The CA key's passphrase, made on first use."""
        ...


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------------------------- passphrase

_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def _folder_lock(directory: Path) -> threading.RLock:
    """One lock per CA folder: the window's first read and the CSMS starting may both find no CA
    and make one at once (two passphrases, a key encrypted with the other one)."""
    key = str(Path(directory).resolve())
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.RLock())


def keyring_passphrase(directory: Path, store: vault.Vault | None) -> Callable[[], bytes]:
    """The CA key's passphrase, kept in the OS keyring (item `secret:ca-passphrase:<directory>`),
    made (32 random bytes, urlsafe base64) on first use. Without a persistent keyring (headless
    CI, a bench without Secret Service) it falls back to DIR/ca.passphrase (0600), with a warning.
    May block (keyring): call it from a thread on an event loop."""
    directory = Path(directory)
    name = f"ca-passphrase:{directory.resolve()}"
    cached: list[bytes] = []

    def passphrase() -> bytes:
        with _folder_lock(directory):
            return cached[0] if cached else _made()

    def _made() -> bytes:
        path = directory / PASSPHRASE_FILE
        if store is not None and store.persistent and not path.exists():
            value = store.secret(name)
            if value is None:
                value = secrets.token_urlsafe(32)
                store.set_secret(name, value)
            cached.append(value.encode("ascii"))
            return cached[0]
        # A file left by an earlier run without a keyring stays the source (the key is encrypted with it).
        log.warning("no persistent keyring: the CA key's passphrase is kept in %s (readable by this user only)", path)
        _make_dir(directory)
        if path.exists():
            value = path.read_text(encoding="ascii").strip()
            if not value:
                raise errors.CertificateError(f"The CA passphrase file {path} is empty.", reason="damaged",
                                              hint=_START_OVER.format(directory=directory))
        else:
            value = secrets.token_urlsafe(32)
            _write_private(path, value.encode("ascii"))
        cached.append(value.encode("ascii"))
        return cached[0]

    return passphrase


# ---------------------------------------------------------------------------------- files

def _make_dir(directory: Path) -> None:
    """The CA's folder, private to this user when made here (a folder the user named and that
    exists already, --ca-dir ~ say, keeps its own permissions: the key files are 0600 anyway)."""
    if directory.is_dir():
        return
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(directory, 0o700)


def _write_file(path: Path, data: bytes, mode: int) -> None:
    """Written to a temporary file, then renamed: a crash never leaves half a key."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if os.name == "posix":
        os.chmod(tmp, mode)
    os.replace(tmp, path)


def _write_private(path: Path, data: bytes) -> None:
    _write_file(path, data, 0o600)


def _write_public(path: Path, data: bytes) -> None:
    _write_file(path, data, 0o644)


def _encryption(password: bytes | None) -> serialization.KeySerializationEncryption:
    return serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()


def _key_pem(key, password: bytes | None = None) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, _encryption(password))


def _same_key(cert: x509.Certificate, key) -> bool:
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return (cert.public_key().public_bytes(serialization.Encoding.DER, spki)
            == key.public_key().public_bytes(serialization.Encoding.DER, spki))


# ---------------------------------------------------------------------------------- the CA

@dataclasses.dataclass(frozen=True)
class ServerCertificates:
    rsa_cert: Path
    rsa_key: Path
    ec_cert: Path
    ec_key: Path
    hosts: tuple[str, ...]  # every name and address the certificates cover (SANs)
    key_password: bytes | None = dataclasses.field(repr=False)


class CertificateAuthority:
    def __init__(self, directory: Path, certificate: x509.Certificate, key, passphrase: Callable[[], bytes] | None,
                 clock: Callable[[], datetime]) -> None:
        """Use `open()`."""
        self.directory = directory
        self.certificate = certificate
        self._key = key
        self._passphrase = passphrase
        self._clock = clock

    # ------------------------------------------------------------------ open / make

    @classmethod
    def open(cls, directory: Path, passphrase: Callable[[], bytes] | None = None, *,
             clock: Callable[[], datetime] = _utcnow) -> CertificateAuthority:
        """The CA in `directory`, made on first use. `passphrase` None: the key is kept unencrypted
        (0600; tests). Raises CertificateError when the files are damaged or the passphrase is wrong."""
        directory = Path(directory)
        with _folder_lock(directory):
            return cls._open(directory, passphrase, clock)

    @classmethod
    def _open(cls, directory: Path, passphrase: Callable[[], bytes] | None,
              clock: Callable[[], datetime]) -> CertificateAuthority:
        cert_path, key_path = directory / CA_CERT, directory / CA_KEY
        start_over = _START_OVER.format(directory=directory)
        try:
            _make_dir(directory)
        except OSError as exc:
            raise errors.CertificateError(f"The CA folder {directory} cannot be made: {exc}", reason="unreadable",
                                          hint="Check the data folder's permissions and free space.") from exc
        if not cert_path.exists() and not key_path.exists():
            return cls._make(directory, passphrase, clock)
        if not cert_path.exists() or not key_path.exists():
            missing = cert_path if not cert_path.exists() else key_path
            raise errors.CertificateError(f"The CA is incomplete: {missing} is missing.", reason="damaged",
                                          hint=start_over)
        try:
            cert_data, key_data = cert_path.read_bytes(), key_path.read_bytes()
        except OSError as exc:
            raise errors.CertificateError(f"The CA files in {directory} cannot be read: {exc}", reason="unreadable",
                                          hint="Check the data folder's permissions.") from exc
        try:
            certificate = x509.load_pem_x509_certificate(cert_data)
        except ValueError as exc:
            raise errors.CertificateError(f"{cert_path} is not a PEM certificate (damaged): {exc}", reason="damaged",
                                          hint=start_over) from exc
        encrypted = b"ENCRYPTED" in key_data.split(b"\n", 1)[0]
        password = passphrase() if passphrase is not None and encrypted else None
        try:
            key = serialization.load_pem_private_key(key_data, password=password)
        except TypeError as exc:  # encrypted without a passphrase given, or the other way round
            raise errors.CertificateError(
                f"The CA key {key_path} is encrypted, but no passphrase was given.", reason="wrong-passphrase",
                hint="Open the CA with the keyring passphrase it was made with. " + start_over) from exc
        except (ValueError, UnsupportedAlgorithm) as exc:
            if encrypted:
                raise errors.CertificateError(
                    f"The CA key {key_path} does not open with the passphrase from the keyring"
                    " (wrong passphrase, or the key file is damaged).", reason="wrong-passphrase",
                    hint="If the keyring was reset, the key cannot be recovered. " + start_over) from exc
            raise errors.CertificateError(f"The CA key {key_path} is damaged: {exc}", reason="damaged",
                                          hint=start_over) from exc
        if not _same_key(certificate, key):
            raise errors.CertificateError(f"The CA key {key_path} is not the key of {cert_path}.", reason="damaged",
                                          hint=start_over)
        return cls(directory, certificate, key, passphrase, clock)

    @classmethod
    def _make(cls, directory: Path, passphrase: Callable[[], bytes] | None,
              clock: Callable[[], datetime]) -> CertificateAuthority:
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        now = clock()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Commissioner CA {socket.gethostname()}"[:64])])
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE)
            .not_valid_after(now + timedelta(days=round(365.25 * CA_YEARS)))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256())
        )
        password = passphrase() if passphrase is not None else None
        # The key first, the certificate last: ca.pem is what says "there is a CA here".
        _write_private(directory / CA_KEY, _key_pem(key, password))
        _write_public(directory / CA_CERT, certificate.public_bytes(serialization.Encoding.PEM))
        log.info("made the built-in CA in %s (SHA-256 %s)", directory, _fingerprint(certificate))
        return cls(directory, certificate, key, passphrase, clock)

    # ------------------------------------------------------------------ the root

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def fingerprint(self) -> str:
        """SHA-256 of the DER certificate, "AB:CD:...": to read out on site and compare on the charger."""
        return _fingerprint(self.certificate)

    # ------------------------------------------------------------------ server certificates

    @property
    def key_password(self) -> bytes | None:
        """The server keys' password: derived from the CA passphrase (None when there is none)."""
        if self._passphrase is None:
            return None
        digest = hmac.new(self._passphrase(), b"commissioner server keys", hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=")

    def server_certificates(self, hosts: list[str]) -> ServerCertificates:
        """An RSA-2048 and an ECDSA P-256 server certificate covering `hosts` (plus this machine's
        name, localhost, 127.0.0.1 and ::1). Reused while they cover every host, were signed by this
        CA and do not expire within 30 days; otherwise both are issued again."""
        names = _san_entries(list(hosts) + [socket.gethostname(), "localhost", "127.0.0.1", "::1"])
        password = self.key_password
        paths = {kind: (self.directory / c, self.directory / k) for kind, (c, k) in SERVER_FILES.items()}
        if not all(self._reusable(cert, key, names, password) for cert, key in paths.values()):
            for kind, (cert_path, key_path) in paths.items():
                key = (rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "rsa"
                       else ec.generate_private_key(ec.SECP256R1()))
                cert = self._server_cert(key, names)
                _write_private(key_path, _key_pem(key, password))
                _write_public(cert_path, cert.public_bytes(serialization.Encoding.PEM))
            log.info("issued server certificates for %s", ", ".join(_san_text(n) for n in names))
        return ServerCertificates(rsa_cert=paths["rsa"][0], rsa_key=paths["rsa"][1], ec_cert=paths["ec"][0],
                                  ec_key=paths["ec"][1], hosts=tuple(_san_text(n) for n in names),
                                  key_password=password)

    def _reusable(self, cert_path: Path, key_path: Path, names: list[x509.GeneralName],
                  password: bytes | None) -> bool:
        try:
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=password)
            cert.verify_directly_issued_by(self.certificate)
            covered = set(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
        except (OSError, ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm, x509.ExtensionNotFound):
            return False
        return (_same_key(cert, key) and set(names) <= covered
                and cert.not_valid_after_utc - RENEW_BEFORE > self._clock())

    def _server_cert(self, key, names: list[x509.GeneralName]) -> x509.Certificate:
        now = self._clock()
        first = _san_text(next((n for n in names if isinstance(n, x509.DNSName)), names[0]))
        is_rsa = isinstance(key, rsa.RSAPrivateKey)
        return self._leaf(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, first[:64])]), key.public_key(),
            now - BACKDATE, now + timedelta(days=SERVER_DAYS), ExtendedKeyUsageOID.SERVER_AUTH,
            key_encipherment=is_rsa, san=x509.SubjectAlternativeName(names))

    def _leaf(self, subject: x509.Name, public_key, not_before: datetime, not_after: datetime, usage,
              *, key_encipherment: bool, san: x509.SubjectAlternativeName | None = None) -> x509.Certificate:
        ca_ski = self.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=key_encipherment, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        )
        if san is not None:
            builder = builder.add_extension(san, critical=False)
        return builder.sign(self._key, hashes.SHA256())

    # ------------------------------------------------------------------ client certificates

    def sign_csr(self, csr_pem: str | bytes, charger_id: str, *, organization: str | None = None,
                 days: int = 365) -> str:
        """The charger's CSR (SignCertificate) checked, then signed as a client certificate:
        PEM of the leaf followed by this CA's certificate (what CertificateSigned carries)."""
        csr = check_csr(csr_pem, charger_id, organization=organization)
        attrs = [x509.NameAttribute(NameOID.COMMON_NAME, charger_id)]
        org = _attribute(csr.subject, NameOID.ORGANIZATION_NAME)
        if org:
            attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
        now = self._clock()
        not_after = min(now + timedelta(days=days), self.certificate.not_valid_after_utc)
        cert = self._leaf(x509.Name(attrs), csr.public_key(), now - BACKDATE, not_after,
                          ExtendedKeyUsageOID.CLIENT_AUTH,
                          key_encipherment=isinstance(csr.public_key(), rsa.RSAPublicKey))
        log.info("signed a client certificate for %s (serial %x)", charger_id, cert.serial_number)
        return (cert.public_bytes(serialization.Encoding.PEM) + self.pem()).decode("ascii")

    def issue_client(self, charger_id: str, *, key_type: str = "ec", organization: str | None = None,
                     not_before: datetime | None = None, not_after: datetime | None = None) -> tuple[bytes, bytes]:
        """A client certificate and its key made here: (cert PEM, key PEM unencrypted). For tests,
        the demo chargers, and the expired / not-yet-valid cases."""
        if key_type == "ec":
            key = ec.generate_private_key(ec.SECP256R1())
        elif key_type == "rsa":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            raise ValueError(f"key_type is 'ec' or 'rsa', not {key_type!r}")
        now = self._clock()
        attrs = [x509.NameAttribute(NameOID.COMMON_NAME, charger_id)]
        if organization:
            attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
        cert = self._leaf(x509.Name(attrs), key.public_key(), not_before or now - BACKDATE,
                          not_after or now + timedelta(days=365), ExtendedKeyUsageOID.CLIENT_AUTH,
                          key_encipherment=key_type == "rsa")
        return cert.public_bytes(serialization.Encoding.PEM), _key_pem(key)

    # ------------------------------------------------------------------ operator CAs

    def trusted(self) -> list[x509.Certificate]:
        """The trust anchors for client certificates: this CA, then every imported operator CA."""
        return [self.certificate, *self.operator_cas()]

    def trusted_pem(self) -> bytes:
        """This CA + every imported operator CA, PEM, concatenated (the client-certificate trust bundle)."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.trusted())

    def import_operator_ca(self, data: bytes) -> x509.Certificate:
        """An operator's CA certificate (PEM or DER; a PEM bundle: every certificate in it), kept
        under DIR/operator/<sha256>.pem. Only CA certificates are taken (basicConstraints CA)."""
        certs = _load_certificates(data)
        for cert in certs:
            try:
                constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
            except x509.ExtensionNotFound:
                constraints = None
            if constraints is None or not constraints.ca:
                raise errors.CertificateError(
                    f"'{_attribute(cert.subject, NameOID.COMMON_NAME) or cert.subject.rfc4514_string()}' is not a CA"
                    f" certificate ({'basicConstraints CA:FALSE' if constraints else 'no basicConstraints'}):"
                    " expected the operator's CA (basicConstraints CA:TRUE).", reason="not-a-ca",
                    hint="Ask the operator for the certificate of the CA that signs its chargers' certificates.")
        folder = self.directory / OPERATOR_DIR
        _make_dir(folder)
        for cert in certs:
            digest = cert.fingerprint(hashes.SHA256()).hex()
            _write_public(folder / f"{digest}.pem", cert.public_bytes(serialization.Encoding.PEM))
            log.info("imported the operator CA %s (SHA-256 %s)", cert.subject.rfc4514_string(), _fingerprint(cert))
        return certs[0]

    def operator_cas(self) -> list[x509.Certificate]:
        folder = self.directory / OPERATOR_DIR
        found = []
        for path in sorted(folder.glob("*.pem")) if folder.is_dir() else []:
            try:
                found.append(x509.load_pem_x509_certificate(path.read_bytes()))
            except (OSError, ValueError) as exc:
                log.warning("the operator CA file %s cannot be read, so it is not trusted: %s", path, exc)
        return found

    def remove_operator_ca(self, fingerprint: str) -> bool:
        """Drop the imported operator CA with this SHA-256 fingerprint ("AB:CD:..." or plain hex)."""
        digest = fingerprint.replace(":", "").strip().lower()
        path = self.directory / OPERATOR_DIR / f"{digest}.pem"
        if len(digest) != 64 or not path.is_file():
            return False
        path.unlink()
        return True


# ---------------------------------------------------------------------------------- names

def _san_entries(hosts: list[str]) -> list[x509.GeneralName]:
    """Hosts as SANs, in order, without repeats: addresses as IPAddress, names as DNSName (IDNA).
    Unspecified addresses (0.0.0.0, ::: "every interface") name no host and are left out."""
    found: list[x509.GeneralName] = []
    for host in hosts:
        host = host.strip().strip("[]")
        if not host:
            continue
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            try:
                entry: x509.GeneralName = x509.DNSName(host.rstrip(".").encode("idna").decode("ascii").lower())
            except (UnicodeError, ValueError) as exc:
                raise errors.CertificateError(f"'{host}' is neither an IP address nor a host name.",
                                              reason="bad-host", hint="Check the CSMS address in Settings.") from exc
        else:
            if address.is_unspecified:
                continue
            entry = x509.IPAddress(address)
        if entry not in found:
            found.append(entry)
    return found


def _san_text(entry: x509.GeneralName) -> str:
    return str(entry.value)


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def _fingerprint(cert: x509.Certificate) -> str:
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def _load_certificates(data: bytes) -> list[x509.Certificate]:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise errors.CertificateError(f"The file is not an X.509 certificate in PEM or DER: {exc}",
                                      reason="not-a-certificate",
                                      hint="Export the CA certificate as .pem, .crt or .cer and import that.") from exc


# ---------------------------------------------------------------------------------- CSRs

def _load_csr(csr_pem: str | bytes) -> x509.CertificateSigningRequest:
    data = csr_pem.encode("ascii", "replace") if isinstance(csr_pem, str) else bytes(csr_pem)
    data = data.strip()
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_csr(data)
        # Some chargers send the base64 DER without the PEM armour.
        return x509.load_der_x509_csr(base64.b64decode(b"".join(data.split()), validate=True))
    except (ValueError, binascii.Error) as exc:
        found = data[:40].decode("ascii", "replace") + ("..." if len(data) > 40 else "")
        raise errors.CertificateError(
            f"The charger's CSR is not a PKCS#10 certificate request (found {found!r}); expected PEM"
            " '-----BEGIN CERTIFICATE REQUEST-----' or base64 DER.", reason="not-a-csr",
            hint="The charger sent something else as its CSR: check its firmware's certificate settings.") from exc


def check_csr(csr_pem: str | bytes, charger_id: str, *,
              organization: str | None = None) -> x509.CertificateSigningRequest:
    """The charger's CSR, refused (CertificateError with `reason`) unless: PEM (or bare base64
    DER), a valid signature, RSA >= 2048 or EC >= 224 bits ("key-too-small"), signed with SHA-256
    or stronger ("weak-hash"), CN the charger id ("cn-mismatch"), O the operator's when given
    ("o-mismatch"). OCPP 2.0.1 Part 2 A00.FR.403-407; 1.6 security whitepaper ed. 3."""
    csr = _load_csr(csr_pem)
    retry = "Fix the charger's certificate settings (or firmware), then trigger SignCertificate again."
    try:
        algorithm = csr.signature_hash_algorithm
    except UnsupportedAlgorithm:
        algorithm = None
    if not isinstance(algorithm, STRONG_HASHES):
        found = algorithm.name.upper() if algorithm is not None else csr.signature_algorithm_oid.dotted_string
        raise errors.CertificateError(f"The CSR is signed with {found}; expected SHA-256 or stronger.",
                                      reason="weak-hash", hint=retry)
    key = csr.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise errors.CertificateError(f"The CSR's key is RSA {key.key_size}; expected RSA {MIN_RSA_BITS}"
                                          f" or larger (or EC {MIN_EC_BITS}+).", reason="key-too-small", hint=retry)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.key_size < MIN_EC_BITS:
            raise errors.CertificateError(f"The CSR's key is EC {key.curve.name} ({key.curve.key_size} bits);"
                                          f" expected EC {MIN_EC_BITS} bits or larger (or RSA {MIN_RSA_BITS}+).",
                                          reason="key-too-small", hint=retry)
    else:
        raise errors.CertificateError(f"The CSR's key is {type(key).__name__}; expected RSA or EC.",
                                      reason="key-type", hint=retry)
    if not csr.is_signature_valid:
        raise errors.CertificateError("The CSR's signature does not verify with its own key (damaged or forged);"
                                      " expected a CSR signed by the key it carries.", reason="bad-signature",
                                      hint=retry)
    cn = _attribute(csr.subject, NameOID.COMMON_NAME)
    if cn != charger_id:
        raise errors.CertificateError(
            f"The CSR's CN is {cn!r}; expected the charger id {charger_id!r}." if cn is not None
            else f"The CSR has no CN; expected the charger id {charger_id!r}.", reason="cn-mismatch",
            hint="Set the charger's identity (or its certificate CN) to its charger id.")
    if organization is not None:
        org = _attribute(csr.subject, NameOID.ORGANIZATION_NAME)
        if org != organization:
            raise errors.CertificateError(
                f"The CSR's O is {org!r}; expected the operator {organization!r}." if org is not None
                else f"The CSR has no O; expected the operator {organization!r}.", reason="o-mismatch",
                hint="Set the charger's OrganizationName (1.6: CpoName) to the operator's name.")
    return csr


# ---------------------------------------------------------------------------------- judging

def client_certificate_problem(der: bytes, charger_id: str, *, organization: str | None,
                               trusted: list[x509.Certificate], allow_expired: bool = False,
                               now: datetime | None = None) -> str:
    """"" when the charger's client certificate (DER, from the TLS handshake) is acceptable;
    otherwise one line saying why not, for the log and the window."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        return f"the charger's certificate cannot be read: {exc}"
    if not any(_issued_by(cert, anchor) for anchor in trusted):
        return (f"not issued by a trusted CA (issuer '{_name_text(cert.issuer)}'): expected this CSMS's CA"
                " or an imported operator CA")
    now = now or _utcnow()
    if not allow_expired and cert.not_valid_after_utc < now:
        return f"expired on {_when(cert.not_valid_after_utc)}"
    if cert.not_valid_before_utc > now:
        return f"not valid before {_when(cert.not_valid_before_utc)} (is the charger's clock right?)"
    cn = _attribute(cert.subject, NameOID.COMMON_NAME)
    if cn != charger_id:
        return f"CN '{cn or ''}' does not match the charger id '{charger_id}'"
    if organization is not None:
        org = _attribute(cert.subject, NameOID.ORGANIZATION_NAME)
        if org != organization:
            return f"O '{org or ''}' is not the operator '{organization}'"
    return ""


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _name_text(name: x509.Name) -> str:
    return _attribute(name, NameOID.COMMON_NAME) or name.rfc4514_string()


def _when(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


# ---------------------------------------------------------------------------------- OCPP data

def _bit_string(spki_der: bytes) -> bytes:
    """The subjectPublicKey BIT STRING's contents (without the unused-bits octet) from a DER
    SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier, BIT STRING } (RFC 5280 4.1)."""
    def header(data: bytes, at: int) -> tuple[int, int, int]:  # tag, start of contents, length
        tag, length = data[at], data[at + 1]
        at += 2
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(data[at:at + count], "big")
            at += count
        return tag, at, length

    tag, at, _ = header(spki_der, 0)
    if tag != 0x30:
        raise ValueError("not a SubjectPublicKeyInfo")
    _tag, alg_at, alg_len = header(spki_der, at)
    tag, bits_at, bits_len = header(spki_der, alg_at + alg_len)
    if tag != 0x03:
        raise ValueError("no BIT STRING in the SubjectPublicKeyInfo")
    return spki_der[bits_at + 1:bits_at + bits_len]


def certificate_hash_data(cert: x509.Certificate, issuer: x509.Certificate | None = None) -> dict:
    """OCPP CertificateHashDataType (as OCSP's CertID, RFC 6960): SHA-256 of the issuer's DER name
    and of the issuer's public key BIT STRING, and the serial; lowercase hex, the serial without
    leading zeros. `issuer`: needed unless `cert` is self-signed (then its own key is the issuer's)."""
    if issuer is None:
        if cert.issuer != cert.subject:
            raise ValueError("certificate_hash_data needs the issuer's certificate for a certificate not self-signed")
        issuer = cert
    spki = issuer.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return {
        "hashAlgorithm": "SHA256",
        "issuerNameHash": hashlib.sha256(cert.issuer.public_bytes()).hexdigest(),
        "issuerKeyHash": hashlib.sha256(_bit_string(spki)).hexdigest(),
        "serialNumber": format(cert.serial_number, "x"),
    }


def _key_text(key) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return {"secp256r1": "EC P-256", "secp384r1": "EC P-384", "secp521r1": "EC P-521"}.get(
            key.curve.name, f"EC {key.curve.name}")
    return type(key).__name__


def describe(cert: x509.Certificate) -> dict:
    """What the window and the report show about a certificate."""
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    return {
        "subject_cn": _attribute(cert.subject, NameOID.COMMON_NAME),
        "subject_o": _attribute(cert.subject, NameOID.ORGANIZATION_NAME),
        "issuer_cn": _attribute(cert.issuer, NameOID.COMMON_NAME),
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256": _fingerprint(cert),
        "key": _key_text(cert.public_key()),
        "ca": is_ca,
    }
