"""The virtual charger's certificates and TLS: security profiles 2 and 3, sans-I/O apart from the SSL context.

What OCPP asks of a charger here (OCPP 2.0.1 part 2 "Security", blocks A and M; OCPP 1.6 security
whitepaper ed.3, sections 2 and 3):
  * profile 2: wss://, TLS 1.2 or newer, the CSMS's certificate verified against the CSMS root
    certificates installed (InstallCertificate CentralSystemRootCertificate / CSMSRootCertificate),
    its name checked against the host in the URL;
  * profile 3: the same, and the charger presents its own certificate, CN = its identity, obtained
    by a CSR (SignCertificate) that the CSMS answers with CertificateSigned;
  * certificates are named by their OCSP CertID (issuerNameHash, issuerKeyHash, serialNumber),
    https://www.rfc-editor.org/rfc/rfc6960#section-4.1.1, which `cryptography`'s OCSP request
    builder computes for us.
"""

from __future__ import annotations

import dataclasses
import os
import ssl
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

# The certificate types that name the CSMS's roots, per version.
CSMS_ROOTS = ("CentralSystemRootCertificate", "CSMSRootCertificate")

# The security events this module's failures map to, per version (1.6 whitepaper / 2.0.1 part 2 appendix).
EVENTS = {
    "1.6": {"csms_certificate": "InvalidCentralSystemCertificate",
            "own_certificate": "InvalidChargePointCertificate",
            "authentication": "FailedToAuthenticateAtCentralSystem"},
    "2.x": {"csms_certificate": "InvalidCsmsCertificate",
            "own_certificate": "InvalidChargingStationCertificate",
            "authentication": "FailedToAuthenticateAtCsms"},
}


# Marks a connection failure that was the CSMS's certificate (see charger.py and the fallback report).
CSMS_CERTIFICATE_FAILURE = "TLS server certificate rejected"


def events(ocpp_version: str) -> dict[str, str]:
    return EVENTS["1.6" if ocpp_version == "1.6" else "2.x"]


class CertificateProblem(ValueError):
    """A certificate or chain the charger refuses; the text says why (it goes in a security event)."""


@dataclasses.dataclass
class Installed:
    certificate_type: str
    pem: str
    certificate: x509.Certificate


@dataclasses.dataclass
class Certificates:
    """The charger's certificate store. Kept in the Station, so it survives reconnects and reboots."""

    installed: list[Installed] = dataclasses.field(default_factory=list)
    ca_file_pem: str | None = None  # SimConfig.ca_file, trusted besides the installed CSMS roots
    client_chain_pem: str | None = None  # the charger certificate (leaf first) for profile 3
    client_key_pem: str | None = None
    pending_key_pem: str | None = None  # the key of the CSR sent last, waiting for CertificateSigned

    # -- the CSMS's roots ----------------------------------------------------------------

    def install(self, certificate_type: str, pem: str) -> None:
        """InstallCertificate: raises CertificateProblem unless `pem` is one CA certificate."""
        certificate = parse_ca(pem)
        fingerprint = certificate.fingerprint(hashes.SHA256())
        self.installed = [i for i in self.installed
                          if not (i.certificate_type == certificate_type
                                  and i.certificate.fingerprint(hashes.SHA256()) == fingerprint)]
        self.installed.append(Installed(certificate_type, pem.strip() + "\n", certificate))

    def of_types(self, types: list[str] | None) -> list[Installed]:
        return [i for i in self.installed if not types or i.certificate_type in types]

    def find(self, wanted: dict) -> Installed | None:
        for item in self.installed:
            if hash_matches(wanted, item.certificate):
                return item
        return None

    def csms_roots(self) -> list[str]:
        roots = [i.pem for i in self.installed if i.certificate_type in CSMS_ROOTS]
        return roots + ([self.ca_file_pem] if self.ca_file_pem else [])

    def can_verify_csms(self) -> bool:
        return bool(self.csms_roots())

    # -- the charger's own certificate ----------------------------------------------------

    def new_csr(self, charger_id: str, organization: str | None) -> str:
        """A fresh EC P-256 key (kept pending) and its CSR (PEM), CN = the charger's identity."""
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.NameAttribute(NameOID.COMMON_NAME, charger_id)]
        if organization:
            names.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
        csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(names)).sign(key, hashes.SHA256())
        self.pending_key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
        return csr.public_bytes(serialization.Encoding.PEM).decode()

    def accept_signed(self, chain_pem: str, charger_id: str) -> None:
        """CertificateSigned: take the chain if its leaf is for the pending key and this charger.

        Raises CertificateProblem otherwise; the pending key stays, so a correct chain may follow.
        """
        try:
            chain = x509.load_pem_x509_certificates(chain_pem.encode())
        except ValueError as error:
            raise CertificateProblem(f"the certificate chain does not parse: {error}") from None
        leaf = chain[0]
        if self.pending_key_pem is None:
            raise CertificateProblem("no certificate signing request is waiting for a certificate")
        key = serialization.load_pem_private_key(self.pending_key_pem.encode(), None)
        if _spki(leaf.public_key()) != _spki(key.public_key()):
            raise CertificateProblem("the certificate is not for the key of the charger's last CSR")
        names = [a.value for a in leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
        if names != [charger_id]:
            raise CertificateProblem(f"the certificate's CN is {names[0] if names else 'missing'}, "
                                     f"not the charger's identity {charger_id}")
        self.client_chain_pem = chain_pem.strip() + "\n"
        self.client_key_pem = self.pending_key_pem
        self.pending_key_pem = None

    def has_client_certificate(self) -> bool:
        return bool(self.client_chain_pem and self.client_key_pem)

    def client_certificate(self) -> x509.Certificate | None:
        if not self.client_chain_pem:
            return None
        return x509.load_pem_x509_certificates(self.client_chain_pem.encode())[0]

    # -- TLS ------------------------------------------------------------------------------

    def ssl_context(self, client_certificate: bool) -> ssl.SSLContext:
        """The client context of one wss:// connection. Raises CertificateProblem without a CA to trust."""
        roots = self.csms_roots()
        if not roots:
            raise CertificateProblem("no CSMS root certificate to verify a wss:// server with "
                                     "(install a CSMSRootCertificate / CentralSystemRootCertificate or give a CA file)")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname (IP SANs too)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_verify_locations(cadata="\n".join(roots))
        if client_certificate:
            if not self.has_client_certificate():
                raise CertificateProblem("security profile 3 needs a charger certificate, and there is none "
                                         "(trigger a CSR, or give a client certificate and key)")
            _load_chain(context, self.client_chain_pem, self.client_key_pem)
        return context


def _load_chain(context: ssl.SSLContext, chain_pem: str, key_pem: str) -> None:
    # The ssl module loads a certificate chain from files only: a private directory, gone right after.
    with tempfile.TemporaryDirectory(prefix="sim-tls-") as folder:
        cert_path, key_path = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        with open(cert_path, "w", encoding="ascii") as out:
            out.write(chain_pem)
        descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(key_pem)
        context.load_cert_chain(cert_path, key_path)


def _spki(key) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def parse_ca(pem: str) -> x509.Certificate:
    """One PEM certificate that may sign others (basicConstraints CA:TRUE), or CertificateProblem."""
    try:
        certificates = x509.load_pem_x509_certificates(pem.encode())
    except ValueError as error:
        raise CertificateProblem(f"not a PEM certificate: {error}") from None
    if len(certificates) != 1:
        raise CertificateProblem(f"{len(certificates)} certificates where one was expected")
    certificate = certificates[0]
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        raise CertificateProblem("not a CA certificate (no basicConstraints)") from None
    if not constraints.ca:
        raise CertificateProblem("not a CA certificate (basicConstraints CA:FALSE)")
    return certificate


def hash_data(certificate: x509.Certificate, issuer: x509.Certificate | None = None) -> dict:
    """CertificateHashDataType (snake_case) of `certificate`; a root is its own issuer."""
    issuer = issuer or certificate
    request = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA256()).build()
    return {
        "hash_algorithm": "SHA256",
        "issuer_name_hash": request.issuer_name_hash.hex(),
        "issuer_key_hash": request.issuer_key_hash.hex(),
        "serial_number": format(certificate.serial_number, "x"),
    }


def hash_matches(wanted: dict, certificate: x509.Certificate) -> bool:
    """Does a CertificateHashData name this (self-issued) certificate? Hex compared case-blind,
    the serial number without leading zeros, as CSMSs differ in both."""
    algorithm = {"SHA256": hashes.SHA256(), "SHA384": hashes.SHA384(), "SHA512": hashes.SHA512()}.get(
        str(wanted.get("hash_algorithm")))
    if algorithm is None:
        return False
    request = ocsp.OCSPRequestBuilder().add_certificate(certificate, certificate, algorithm).build()
    serial = str(wanted.get("serial_number", "")).lower().lstrip("0") or "0"
    return (str(wanted.get("issuer_name_hash", "")).lower() == request.issuer_name_hash.hex()
            and str(wanted.get("issuer_key_hash", "")).lower() == request.issuer_key_hash.hex()
            and serial == format(certificate.serial_number, "x"))


def read_pem(path: str, what: str) -> str:
    """A PEM file given at start (SimConfig.ca_file, client_cert, client_key)."""
    with open(path, encoding="ascii") as source:
        return source.read()


def is_verification_failure(error: BaseException) -> bool:
    return isinstance(error, ssl.SSLCertVerificationError)
