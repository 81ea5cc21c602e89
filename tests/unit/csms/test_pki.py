"""The built-in CA: made on first use and reopened, refused when the passphrase is wrong, private
files 0600; server certificates that cover the hosts and are re-issued only when they must; CSR
refusals with their reasons; client certificates judged; OCPP hash data checked against openssl."""

from __future__ import annotations

import base64
import ipaddress
import os
import shutil
import socket
import stat
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.csms import pki
from app.domain import errors
from app.storage import vault as vault_store
from tests.integration.test_passwords import MemoryKeyring

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> pki.CertificateAuthority:
    return pki.CertificateAuthority.open(tmp_path_factory.mktemp("pki") / "ca", lambda: b"module passphrase")


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> pki.CertificateAuthority:
    return pki.CertificateAuthority.open(tmp_path_factory.mktemp("pki") / "other")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _csr(cn: str | None = "CP1", *, org: str | None = None, key=None, algorithm=None) -> bytes:
    key = key or ec.generate_private_key(ec.SECP256R1())
    attrs = ([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)] if org else []) + \
        ([x509.NameAttribute(NameOID.COMMON_NAME, cn)] if cn else [])
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attrs)).sign(key, algorithm or hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM)


def _der(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)


# ---------------------------------------------------------------------------------- the root

@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_ca_is_made_on_first_use_and_reopened_with_the_same_fingerprint(tmp_path: Path) -> None:
    directory = tmp_path / "ca"
    made = pki.CertificateAuthority.open(directory, lambda: b"secret", clock=lambda: NOW)
    assert _mode(directory) == 0o700 and _mode(directory / pki.CA_KEY) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in (directory / pki.CA_KEY).read_bytes()
    reopened = pki.CertificateAuthority.open(directory, lambda: b"secret")
    assert reopened.fingerprint() == made.fingerprint()
    assert (directory / pki.CA_CERT).read_bytes() == made.pem()
    cert = made.certificate
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == f"Commissioner CA {socket.gethostname()}"
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert isinstance(cert.public_key(), rsa.RSAPublicKey) and cert.public_key().key_size == 3072
    assert cert.not_valid_after_utc - NOW > timedelta(days=3650)
    fingerprint = made.fingerprint()
    assert len(fingerprint.split(":")) == 32 and fingerprint == fingerprint.upper()
    assert fingerprint.replace(":", "").lower() == cert.fingerprint(hashes.SHA256()).hex()
    assert x509.load_der_x509_certificate(made.der()) == cert


def test_a_wrong_passphrase_is_refused_with_what_to_do(tmp_path: Path) -> None:
    pki.CertificateAuthority.open(tmp_path / "ca", lambda: b"right")
    with pytest.raises(errors.CertificateError) as caught:
        pki.CertificateAuthority.open(tmp_path / "ca", lambda: b"wrong")
    assert caught.value.reason == "wrong-passphrase" and "aside" in caught.value.hint
    with pytest.raises(errors.CertificateError) as caught:
        pki.CertificateAuthority.open(tmp_path / "ca")  # no passphrase at all
    assert caught.value.reason == "wrong-passphrase"


def test_damaged_or_missing_files_are_refused(tmp_path: Path) -> None:
    pki.CertificateAuthority.open(tmp_path / "ca")
    (tmp_path / "ca" / pki.CA_CERT).write_bytes(b"not a certificate")
    with pytest.raises(errors.CertificateError) as caught:
        pki.CertificateAuthority.open(tmp_path / "ca")
    assert caught.value.reason == "damaged"
    (tmp_path / "ca" / pki.CA_CERT).unlink()
    with pytest.raises(errors.CertificateError) as caught:
        pki.CertificateAuthority.open(tmp_path / "ca")
    assert caught.value.reason == "damaged" and "missing" in caught.value.message
    pki.CertificateAuthority.open(tmp_path / "x")
    shutil.copy(tmp_path / "x" / pki.CA_CERT, tmp_path / "ca" / pki.CA_CERT)
    (tmp_path / "ca" / pki.CA_KEY).write_bytes(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    with pytest.raises(errors.CertificateError) as caught:
        pki.CertificateAuthority.open(tmp_path / "ca")
    assert caught.value.reason == "damaged"


def test_another_cas_key_is_refused(tmp_path: Path) -> None:
    pki.CertificateAuthority.open(tmp_path / "a")
    pki.CertificateAuthority.open(tmp_path / "b")
    shutil.copy(tmp_path / "b" / pki.CA_KEY, tmp_path / "a" / pki.CA_KEY)
    with pytest.raises(errors.CertificateError) as caught:
        pki.CertificateAuthority.open(tmp_path / "a")
    assert caught.value.reason == "damaged" and "not the key" in caught.value.message


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_passphrase_lives_in_the_keyring_or_else_in_a_0600_file(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    keyring = MemoryKeyring()
    store = vault_store.Vault(keyring)
    first = pki.keyring_passphrase(tmp_path / "ca", store)()
    assert len(first) >= 43 and pki.keyring_passphrase(tmp_path / "ca", vault_store.Vault(keyring))() == first
    assert not (tmp_path / "ca" / pki.PASSPHRASE_FILE).exists()
    assert any(v == first.decode() for v in keyring.items.values())

    caplog.set_level("WARNING", logger="app.csms.pki")
    made = pki.keyring_passphrase(tmp_path / "headless", None)()
    path = tmp_path / "headless" / pki.PASSPHRASE_FILE
    assert path.read_bytes() == made and _mode(path) == 0o600 and made != first
    assert "no persistent keyring" in caplog.text
    # the fail backend (what the tests run with) is no persistent keyring either
    assert pki.keyring_passphrase(tmp_path / "headless", vault_store.Vault())() == made
    ca = pki.CertificateAuthority.open(tmp_path / "headless", pki.keyring_passphrase(tmp_path / "headless", None))
    assert pki.CertificateAuthority.open(
        tmp_path / "headless", pki.keyring_passphrase(tmp_path / "headless", None)).fingerprint() == ca.fingerprint()


# ---------------------------------------------------------------------------------- server certificates

def _sans(path: Path) -> set:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return set(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_server_certificates_cover_the_hosts_and_are_reissued_only_when_they_must(tmp_path: Path) -> None:
    clock = [NOW]
    ca = pki.CertificateAuthority.open(tmp_path / "ca", lambda: b"pw", clock=lambda: clock[0])
    certs = ca.server_certificates(["192.168.10.5", "bench.example", "0.0.0.0"])
    for path in (certs.rsa_key, certs.ec_key):
        assert _mode(path) == 0o600 and b"ENCRYPTED" in path.read_bytes()
    assert certs.key_password and certs.key_password == ca.key_password
    expected = {x509.IPAddress(ipaddress.ip_address("192.168.10.5")), x509.DNSName("bench.example"),
                x509.DNSName(socket.gethostname().lower()), x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.IPAddress(ipaddress.ip_address("::1"))}
    assert _sans(certs.rsa_cert) == expected == _sans(certs.ec_cert)
    assert "0.0.0.0" not in certs.hosts and certs.hosts[:2] == ("192.168.10.5", "bench.example")
    rsa_cert = x509.load_pem_x509_certificate(certs.rsa_cert.read_bytes())
    ec_cert = x509.load_pem_x509_certificate(certs.ec_cert.read_bytes())
    assert rsa_cert.public_key().key_size == 2048 and ec_cert.public_key().curve.name == "secp256r1"
    for cert in (rsa_cert, ec_cert):
        cert.verify_directly_issued_by(ca.certificate)
        assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == \
            [ExtendedKeyUsageOID.SERVER_AUTH]
        assert timedelta(days=360) < cert.not_valid_after_utc - NOW < timedelta(days=400)
    serials = {rsa_cert.serial_number, ec_cert.serial_number}

    def current() -> set:
        return {x509.load_pem_x509_certificate(p.read_bytes()).serial_number for p in (certs.rsa_cert, certs.ec_cert)}

    ca.server_certificates(["bench.example", "192.168.10.5"])  # covered: reused
    ca.server_certificates([])
    assert current() == serials
    again = ca.server_certificates(["bench.example", "10.0.0.7"])  # a new address
    assert current().isdisjoint(serials) and x509.IPAddress(ipaddress.ip_address("10.0.0.7")) in _sans(again.ec_cert)
    serials = current()
    clock[0] = NOW + timedelta(days=370)  # expires within 30 days
    ca.server_certificates([])
    assert current().isdisjoint(serials)
    serials = current()
    other = pki.CertificateAuthority.open(tmp_path / "other", clock=lambda: clock[0])
    shutil.copy(other.server_certificates([]).ec_cert, certs.ec_cert)  # not signed by this CA
    ca.server_certificates([])
    assert current().isdisjoint(serials)


def test_server_keys_are_unencrypted_without_a_passphrase(tmp_path: Path) -> None:
    certs = pki.CertificateAuthority.open(tmp_path / "ca").server_certificates(["ocpp.local"])
    assert certs.key_password is None
    serialization.load_pem_private_key(certs.ec_key.read_bytes(), password=None)


def test_a_host_that_is_no_name_is_refused(ca: pki.CertificateAuthority) -> None:
    with pytest.raises(errors.CertificateError) as caught:
        ca.server_certificates(["bad host/with slash" + "x" * 70])
    assert caught.value.reason == "bad-host"


# ---------------------------------------------------------------------------------- CSRs

def test_check_csr_accepts_a_good_one_in_pem_and_in_bare_base64_der() -> None:
    pem = _csr("CP1", org="Operator")
    assert pki.check_csr(pem, "CP1", organization="Operator").subject.rfc4514_string() == "CN=CP1,O=Operator"
    der = x509.load_pem_x509_csr(pem).public_bytes(serialization.Encoding.DER)
    assert pki.check_csr(base64.b64encode(der).decode(), "CP1") is not None
    pki.check_csr(_csr("CP1", key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
                       algorithm=hashes.SHA384()), "CP1")
    pki.check_csr(_csr("CP1", key=ec.generate_private_key(ec.SECP224R1())), "CP1")


@pytest.mark.parametrize(("make", "reason", "words"), [
    (lambda: _csr(key=rsa.generate_private_key(public_exponent=65537, key_size=1024)), "key-too-small", "RSA 1024"),
    (lambda: _csr(key=ec.generate_private_key(ec.SECP192R1())), "key-too-small", "192 bits"),
    (lambda: _csr("CP9"), "cn-mismatch", "'CP9'; expected the charger id 'CP1'"),
    (lambda: _csr(None), "cn-mismatch", "no CN"),
    (lambda: _csr(org="Someone else"), "o-mismatch", "'Someone else'; expected the operator 'Operator'"),
    (lambda: _csr(), "o-mismatch", "no O"),
    (lambda: b"hello, I am not a CSR", "not-a-csr", "hello, I am not"),
    (lambda: b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", "not-a-csr", "PEM"),
])
def test_check_csr_refusals_name_what_was_found_and_what_is_expected(make, reason: str, words: str) -> None:
    with pytest.raises(errors.CertificateError) as caught:
        pki.check_csr(make(), "CP1", organization="Operator")
    assert caught.value.reason == reason and words in caught.value.message, caught.value.message
    assert "expected" in caught.value.message


@needs_openssl
def test_check_csr_refuses_a_sha1_signed_csr(tmp_path: Path) -> None:
    # cryptography will not sign with SHA-1; a charger's old firmware may.
    subprocess.run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_path / "k.pem"),
                    "-subj", "/CN=CP1", "-sha1", "-out", str(tmp_path / "sha1.csr")],
                   check=True, capture_output=True, timeout=60)
    with pytest.raises(errors.CertificateError) as caught:
        pki.check_csr((tmp_path / "sha1.csr").read_bytes(), "CP1")
    assert caught.value.reason == "weak-hash" and "SHA1" in caught.value.message


def test_a_tampered_csr_is_refused() -> None:
    csr = x509.load_pem_x509_csr(_csr())
    der = bytearray(csr.public_bytes(serialization.Encoding.DER))
    der[-3] ^= 0x01  # inside the signature
    with pytest.raises(errors.CertificateError) as caught:
        pki.check_csr(base64.b64encode(bytes(der)), "CP1")
    assert caught.value.reason in {"bad-signature", "not-a-csr"}


@needs_openssl
def test_sign_csr_gives_a_client_certificate_and_the_ca_and_openssl_verifies_the_chain(
        ca: pki.CertificateAuthority, tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    chain = ca.sign_csr(_csr("CP1", org="Operator", key=key).decode(), "CP1", organization="Operator", days=30)
    certs = x509.load_pem_x509_certificates(chain.encode())
    assert len(certs) == 2 and certs[1] == ca.certificate
    leaf = certs[0]
    assert leaf.subject.rfc4514_string() == "CN=CP1,O=Operator"
    assert leaf.public_key().public_numbers() == key.public_key().public_numbers()
    assert list(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == \
        [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc < timedelta(days=31)
    (tmp_path / "ca.pem").write_bytes(ca.pem())
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    done = subprocess.run(["openssl", "verify", "-purpose", "sslclient", "-CAfile", str(tmp_path / "ca.pem"),
                           str(tmp_path / "leaf.pem")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip().endswith("OK"), done.stdout + done.stderr
    with pytest.raises(errors.CertificateError):
        ca.sign_csr(_csr("CP2"), "CP1")


# ---------------------------------------------------------------------------------- judging

def test_client_certificate_problem_in_each_case(ca: pki.CertificateAuthority,
                                                 other_ca: pki.CertificateAuthority) -> None:
    trusted = ca.trusted()

    def problem(pem: bytes, charger_id: str = "CP1", **kw) -> str:
        return pki.client_certificate_problem(_der(pem), charger_id, organization=kw.pop("organization", "Op"),
                                              trusted=trusted, now=NOW, **kw)

    good = ca.issue_client("CP1", organization="Op", not_before=NOW - timedelta(days=1),
                           not_after=NOW + timedelta(days=1))[0]
    assert problem(good) == ""
    assert problem(good, organization=None) == ""
    assert problem(other_ca.issue_client("CP1", organization="Op")[0]).startswith("not issued by a trusted CA")
    expired = ca.issue_client("CP1", organization="Op", not_before=datetime(2024, 1, 1, tzinfo=timezone.utc),
                              not_after=datetime(2025, 6, 30, 8, 0, tzinfo=timezone.utc))[0]
    assert problem(expired) == "expired on 2025-06-30 08:00 UTC"
    assert problem(expired, allow_expired=True) == ""
    early = ca.issue_client("CP1", organization="Op", not_before=datetime(2026, 4, 1, tzinfo=timezone.utc))[0]
    assert problem(early).startswith("not valid before 2026-04-01 00:00 UTC")
    assert problem(good, "CP2") == "CN 'CP1' does not match the charger id 'CP2'"
    assert problem(good, organization="Other") == "O 'Op' is not the operator 'Other'"
    assert problem(ca.issue_client("CP1", not_before=NOW - timedelta(days=1))[0]) == "O '' is not the operator 'Op'"
    assert pki.client_certificate_problem(b"junk", "CP1", organization=None, trusted=trusted).startswith(
        "the charger's certificate cannot be read")
    # An operator CA, once imported, is trusted too.
    assert pki.client_certificate_problem(_der(other_ca.issue_client("CP1")[0]), "CP1", organization=None,
                                          trusted=[ca.certificate, other_ca.certificate]) == ""


def test_issue_client_key_types(ca: pki.CertificateAuthority) -> None:
    cert, key = ca.issue_client("CP1", key_type="rsa")
    assert isinstance(serialization.load_pem_private_key(key, None), rsa.RSAPrivateKey)
    assert pki.describe(x509.load_pem_x509_certificate(cert))["key"] == "RSA 2048"
    with pytest.raises(ValueError):
        ca.issue_client("CP1", key_type="dsa")


# ---------------------------------------------------------------------------------- OCPP data

def _openssl(*args: str) -> str:
    return subprocess.run(["openssl", *args], check=True, capture_output=True, text=True, timeout=60).stdout


@needs_openssl
@pytest.mark.parametrize("self_signed", [True, False])
def test_certificate_hash_data_matches_openssl(ca: pki.CertificateAuthority, tmp_path: Path, self_signed: bool) -> None:
    cert = ca.certificate if self_signed else x509.load_pem_x509_certificate(ca.issue_client("CP1")[0])
    data = pki.certificate_hash_data(cert) if self_signed else pki.certificate_hash_data(cert, ca.certificate)
    (tmp_path / "ca.pem").write_bytes(ca.pem())
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    serial = _openssl("x509", "-in", str(tmp_path / "cert.pem"), "-noout", "-serial").strip().split("=", 1)[1]
    assert data["serialNumber"] == serial.lower().lstrip("0")
    # OCSP's CertID hashes the same three things: openssl computes them independently.
    _openssl("ocsp", "-issuer", str(tmp_path / "ca.pem"), "-sha256", "-cert", str(tmp_path / "cert.pem"),
             "-no_nonce", "-reqout", str(tmp_path / "req.der"))
    text = _openssl("ocsp", "-reqin", str(tmp_path / "req.der"), "-req_text")
    fields = dict(line.strip().split(": ", 1) for line in text.splitlines() if ": " in line)
    assert data == {"hashAlgorithm": "SHA256", "issuerNameHash": fields["Issuer Name Hash"].lower(),
                    "issuerKeyHash": fields["Issuer Key Hash"].lower(),
                    "serialNumber": fields["Serial Number"].lower().lstrip("0")}


def test_certificate_hash_data_of_a_leaf_needs_its_issuer(ca: pki.CertificateAuthority) -> None:
    with pytest.raises(ValueError):
        pki.certificate_hash_data(x509.load_pem_x509_certificate(ca.issue_client("CP1")[0]))


def test_describe(ca: pki.CertificateAuthority) -> None:
    cert = x509.load_pem_x509_certificate(ca.issue_client("CP1", organization="Op", not_before=NOW,
                                                          not_after=NOW + timedelta(days=1))[0])
    info = pki.describe(cert)
    assert info["subject_cn"] == "CP1" and info["subject_o"] == "Op" and info["key"] == "EC P-256"
    assert info["issuer_cn"] == pki.describe(ca.certificate)["subject_cn"]
    assert info["not_before"] == "2026-03-01T12:00:00+00:00" and info["serial"] == format(cert.serial_number, "x")
    assert info["sha256"].count(":") == 31 and not info["ca"]
    assert pki.describe(ca.certificate)["key"] == "RSA 3072" and pki.describe(ca.certificate)["ca"]


# ---------------------------------------------------------------------------------- operator CAs

def test_operator_cas_are_imported_trusted_and_removed(tmp_path: Path, other_ca: pki.CertificateAuthority) -> None:
    ca = pki.CertificateAuthority.open(tmp_path / "ca")
    assert ca.operator_cas() == [] and ca.trusted_pem() == ca.pem()
    imported = ca.import_operator_ca(other_ca.der())  # DER
    assert imported == other_ca.certificate and ca.operator_cas() == [other_ca.certificate]
    assert ca.trusted_pem() == ca.pem() + other_ca.pem()
    assert (tmp_path / "ca" / "operator" / f"{other_ca.certificate.fingerprint(hashes.SHA256()).hex()}.pem").is_file()
    ca.import_operator_ca(other_ca.pem())  # PEM, again: still one
    assert len(ca.operator_cas()) == 1
    assert ca.remove_operator_ca(other_ca.fingerprint()) and ca.operator_cas() == []
    assert not ca.remove_operator_ca(other_ca.fingerprint())


def test_importing_a_leaf_or_garbage_as_an_operator_ca_is_refused(ca: pki.CertificateAuthority) -> None:
    with pytest.raises(errors.CertificateError) as caught:
        ca.import_operator_ca(ca.issue_client("CP1")[0])
    assert caught.value.reason == "not-a-ca" and "CA:TRUE" in caught.value.message
    with pytest.raises(errors.CertificateError) as caught:
        ca.import_operator_ca(b"nonsense")
    assert caught.value.reason == "not-a-certificate"


def test_two_threads_making_the_ca_at_once_make_one(tmp_path) -> None:
    # The window's first read and the CSMS starting both find no CA: one CA, one passphrase, both open it.
    import threading

    from app.csms import pki as pki_module

    folder = tmp_path / "ca"
    found: list = []
    failures: list = []
    start = threading.Barrier(2)

    def open_it() -> None:
        start.wait()
        try:
            found.append(pki_module.CertificateAuthority.open(folder, pki_module.keyring_passphrase(folder, None)))
        except Exception as exc:  # noqa: BLE001 (the test reports it)
            failures.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    assert len(found) == 2 and found[0].fingerprint() == found[1].fingerprint()
    again = pki_module.CertificateAuthority.open(folder, pki_module.keyring_passphrase(folder, None))
    assert again.fingerprint() == found[0].fingerprint()  # the key opens with the passphrase on disk
