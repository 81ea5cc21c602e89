"""A throw-away CA for TLS tests: a root, a server certificate for 127.0.0.1, and CSR signing."""

from __future__ import annotations

import datetime
import ipaddress
import pathlib
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _key_pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


class Authority:
    """One root CA; `server_context()` serves 127.0.0.1 with a certificate it signed."""

    def __init__(self, name: str = "Test CSMS Root") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.certificate = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.pem = _pem(self.certificate)

    def issue(self, subject: x509.Name, public_key, *, server: bool) -> x509.Certificate:
        now = datetime.datetime.now(datetime.timezone.utc)
        builder = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(self.certificate.subject)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server
                                                  else ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        )
        if server:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        return builder.sign(self.key, hashes.SHA256())

    def sign_csr(self, csr_pem: str) -> str:
        """The chain (leaf, then this root) for a CSR, as a CSMS answers SignCertificate."""
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        assert csr.is_signature_valid
        return _pem(self.issue(csr.subject, csr.public_key(), server=False)) + self.pem

    def client_files(self, directory: pathlib.Path, common_name: str) -> tuple[pathlib.Path, pathlib.Path]:
        """A charger certificate and key as PEM files (for --client-cert/--client-key)."""
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = self.issue(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]), key.public_key(),
                          server=False)
        cert_path, key_path = directory / f"{common_name}.pem", directory / f"{common_name}.key"
        cert_path.write_text(_pem(leaf) + self.pem)
        key_path.write_text(_key_pem(key))
        return cert_path, key_path

    def server_context(self, directory: pathlib.Path, *, client_ca: Authority | None = None) -> ssl.SSLContext:
        """A TLS server context for 127.0.0.1; with `client_ca`, client certificates are required."""
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = self.issue(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]), key.public_key(),
                          server=True)
        cert_path, key_path = directory / "server.pem", directory / "server.key"
        cert_path.write_text(_pem(leaf) + self.pem)
        key_path.write_text(_key_pem(key))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert_path, key_path)
        if client_ca is not None:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(cadata=client_ca.pem)
        return context

    def ca_file(self, directory: pathlib.Path) -> pathlib.Path:
        path = directory / "ca.pem"
        path.write_text(self.pem)
        return path
