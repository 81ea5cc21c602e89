"""The virtual charger's certificate store and its SimConfig / `simulate` flags, without sockets."""

from __future__ import annotations

import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from app import cli
from app.domain import errors
from app.simulator import options, security
from tests.integration import _tls_helpers


@pytest.fixture(scope="module")
def ca() -> _tls_helpers.Authority:
    return _tls_helpers.Authority()


def test_a_ca_is_installed_and_named_by_its_ocsp_cert_id(ca) -> None:
    store = security.Certificates()
    store.install("CSMSRootCertificate", ca.pem)
    store.install("CSMSRootCertificate", ca.pem)  # the same one again replaces, not duplicates
    assert len(store.installed) == 1 and store.can_verify_csms()
    data = security.hash_data(store.installed[0].certificate)
    point = ca.key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert data == {"hash_algorithm": "SHA256",
                    "issuer_name_hash": hashlib.sha256(ca.certificate.subject.public_bytes()).hexdigest(),
                    "issuer_key_hash": hashlib.sha256(point).hexdigest(),
                    "serial_number": format(ca.certificate.serial_number, "x")}
    shouted = {**data, "issuer_key_hash": data["issuer_key_hash"].upper(), "serial_number": "00" + data["serial_number"]}
    assert store.find(shouted) is store.installed[0]  # case and leading zeros do not matter
    assert store.find({**data, "serial_number": "1"}) is None


def test_what_is_not_one_ca_certificate_is_refused(ca) -> None:
    leaf = ca.sign_csr(_csr("CP-1")[1]).split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    store = security.Certificates()
    for bad, why in ((leaf, "CA:FALSE"), ("junk", "not a PEM"), (ca.pem + ca.pem, "2 certificates")):
        with pytest.raises(security.CertificateProblem, match=why):
            store.install("CSMSRootCertificate", bad)
    assert store.installed == []


def _csr(charger_id: str) -> tuple[security.Certificates, str]:
    store = security.Certificates()
    return store, store.new_csr(charger_id, "ACME")


def test_a_signed_chain_is_taken_only_for_the_pending_key_and_the_chargers_name(ca) -> None:
    store, csr_pem = _csr("CP-1")
    csr = x509.load_pem_x509_csr(csr_pem.encode())
    assert csr.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "ACME"
    _, other_csr = _csr("CP-1")
    with pytest.raises(security.CertificateProblem, match="not for the key"):
        store.accept_signed(ca.sign_csr(other_csr), "CP-1")
    with pytest.raises(security.CertificateProblem, match="not the charger's identity"):
        store.accept_signed(ca.sign_csr(csr_pem), "CP-2")
    assert not store.has_client_certificate()
    store.accept_signed(ca.sign_csr(csr_pem), "CP-1")
    assert store.has_client_certificate() and store.pending_key_pem is None
    store.install("CSMSRootCertificate", ca.pem)
    context = store.ssl_context(client_certificate=True)
    assert context.check_hostname and context.minimum_version.name == "TLSv1_2"
    with pytest.raises(security.CertificateProblem, match="no certificate signing request"):
        store.accept_signed(ca.sign_csr(csr_pem), "CP-1")


def test_no_ca_means_no_tls_context() -> None:
    with pytest.raises(security.CertificateProblem, match="no CSMS root certificate"):
        security.Certificates().ssl_context(client_certificate=False)


def test_the_security_profile_follows_the_url_and_refuses_what_does_not_fit(tmp_path, ca) -> None:
    def config(url: str = "ws://127.0.0.1:9000/ocpp", **kw) -> options.SimConfig:
        return options.SimConfig(url=url, charger_id="CP-1", **kw)

    assert config().security_profile == 0
    assert config(password="a-password-of-16+").security_profile == 1
    assert config("wss://127.0.0.1:9000/ocpp").security_profile == 2
    cert, key = ca.client_files(tmp_path, "CP-1")
    assert config("wss://127.0.0.1:9000/ocpp", client_cert=str(cert), client_key=str(key)).security_profile == 3
    for url, kw, why in (
            ("ws://h/ocpp", {"security_profile": 2}, "needs TLS"),
            ("wss://h/ocpp", {"security_profile": 1, "password": "a-password-of-16+"}, "wss:// URL means"),
            ("wss://h/ocpp", {"security_profile": 3}, "needs the charger's certificate"),
            ("ws://h/ocpp", {"security_profile": 1}, "needs a basic-auth password"),
            ("wss://h/ocpp", {"client_cert": str(cert)}, "needs its key"),
            ("wss://h/ocpp", {"ca_file": str(tmp_path / "missing.pem")}, "Cannot read"),
            ("ws://h/ocpp", {"security_profile": 4}, "does not exist")):
        with pytest.raises(errors.ConfigError, match=why):
            config(url, **kw)


def test_simulate_takes_the_security_flags(tmp_path, ca, capsys) -> None:
    ca_file = ca.ca_file(tmp_path)
    args = cli.build_parser().parse_args(["simulate", "--url", "wss://127.0.0.1:9000/", "--id", "CP-1",
                                          "--ca-file", str(ca_file), "--security-profile", "2"])
    assert cli._simulator_options(args) == {"ca_file": str(ca_file), "security_profile": 2}
    cert, key = ca.client_files(tmp_path, "CP-1")
    args = cli.build_parser().parse_args(["simulate", "--url", "wss://h/", "--id", "CP-1", "--client-cert", str(cert),
                                          "--client-key", str(key)])
    assert cli._simulator_options(args) == {"client_cert": str(cert), "client_key": str(key)}
    assert "--ca-file PEM" in cli.build_parser()._subparsers._group_actions[0].choices["simulate"].format_help()


@pytest.mark.parametrize("flags, why", [
    (["--url", "ws://127.0.0.1:1/", "--security-profile", "2"], "needs TLS"),
    (["--url", "wss://127.0.0.1:1/", "--client-key", "x.pem"], "needs its key"),
    (["--url", "wss://127.0.0.1:1/", "--security-profile", "3"], "needs the charger's certificate"),
])
def test_simulate_refuses_inconsistent_security_flags_with_exit_2(flags, why, capsys, monkeypatch) -> None:
    monkeypatch.delenv(cli.PASSWORD_ENV, raising=False)
    assert cli.main(["simulate", "--id", "CP-1", *flags]) == 2
    assert why in capsys.readouterr().err
