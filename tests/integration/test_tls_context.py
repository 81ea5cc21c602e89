"""The TLS contexts against a real client, `openssl s_client`, over a real socket: TLS 1.2 and 1.3
only, each required suite with the certificate of its kind, no compression, profile 3's client
certificates; and each failed handshake's server-side exception told in words by describe_failure.

The server does its own handshake (StreamWriter.start_tls), so the test sees the exception the
server raised, which is what decides: in TLS 1.3 s_client reports success before the server has
judged its certificate."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import ssl
from datetime import datetime, timezone
from pathlib import Path

import pytest

from app.csms import pki, tls

def _openssl_3() -> bool:
    """These checks speak OpenSSL 3's s_client (-brief, SECLEVEL, its messages); macOS ships LibreSSL."""
    if shutil.which("openssl") is None:
        return False
    try:
        out = subprocess.run(["openssl", "version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return out.startswith("OpenSSL 3")


pytestmark = pytest.mark.skipif(not _openssl_3(), reason="needs OpenSSL 3's openssl command (not LibreSSL)")

TIMEOUT = 30  # a guard against a hang, not a timing assertion


@pytest.fixture(scope="module")
def pkis(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("tls")
    ca = pki.CertificateAuthority.open(root / "ca", lambda: b"test passphrase")
    other = pki.CertificateAuthority.open(root / "other")
    files = {}
    old = datetime(2020, 1, 1, tzinfo=timezone.utc), datetime(2021, 1, 1, tzinfo=timezone.utc)
    for name, (cert, key) in {"ok": ca.issue_client("CP1"), "other": other.issue_client("CP1"),
                              "expired": ca.issue_client("CP1", not_before=old[0], not_after=old[1])}.items():
        (root / f"{name}.pem").write_bytes(cert)
        (root / f"{name}.key").write_bytes(key)
        files[name] = ["-cert", str(root / f"{name}.pem"), "-key", str(root / f"{name}.key")]
    (root / "ca.pem").write_bytes(ca.pem())
    (root / "other-ca.pem").write_bytes(other.pem())
    return {"ca": ca, "certs": ca.server_certificates(["127.0.0.1"]), "files": files,
            "ca_file": str(root / "ca.pem"), "other_ca_file": str(root / "other-ca.pem")}


class Server:
    """A TLS echo server that does the handshake itself, so its outcome (the SSLObject or the
    exception) lands in `outcomes`."""

    def __init__(self, ctx: ssl.SSLContext) -> None:
        self.ctx = ctx
        self.outcomes: asyncio.Queue = asyncio.Queue()
        self.port = 0

    async def __aenter__(self) -> Server:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await writer.start_tls(self.ctx, ssl_handshake_timeout=TIMEOUT)
        except (ssl.SSLError, OSError, TimeoutError) as exc:
            self.outcomes.put_nowait(exc)
            writer.close()
            return
        self.outcomes.put_nowait(writer.get_extra_info("ssl_object"))
        try:
            writer.write(await reader.read(100))
            await writer.drain()
        except (ssl.SSLError, OSError):
            pass  # the client went away; the handshake is what is tested
        writer.close()

    async def s_client(self, *args: str) -> tuple[str, ssl.SSLObject | BaseException]:
        proc = await asyncio.create_subprocess_exec(
            "openssl", "s_client", "-connect", f"127.0.0.1:{self.port}", "-brief", *args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(proc.communicate(b"Q\n"), TIMEOUT)
        return out.decode(errors="replace"), await asyncio.wait_for(self.outcomes.get(), TIMEOUT)


def _refused(outcome, reason: str) -> ssl.SSLError:
    assert isinstance(outcome, ssl.SSLError), f"the handshake was accepted: {outcome!r}"
    assert outcome.reason == reason, outcome
    return outcome


# ---------------------------------------------------------------------------------- profile 2

async def test_tls_1_1_is_refused(pkis: dict) -> None:
    async with Server(tls.server_context(pkis["certs"])) as server:
        _out, outcome = await server.s_client("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")
    exc = _refused(outcome, "UNSUPPORTED_PROTOCOL")
    assert "older than 1.2" in tls.describe_failure(exc)


@pytest.mark.parametrize("suite", tls.REQUIRED_SUITES)
async def test_each_required_suite_works_with_the_certificate_of_its_kind(pkis: dict, suite: str) -> None:
    async with Server(tls.server_context(pkis["certs"])) as server:
        out, outcome = await server.s_client("-tls1_2", "-cipher", suite, "-CAfile", pkis["ca_file"],
                                             "-verify_return_error")
    assert isinstance(outcome, ssl.SSLObject), outcome
    assert outcome.cipher()[0] == suite and outcome.version() == "TLSv1.2"
    assert outcome.compression() is None
    assert f"Ciphersuite: {suite}" in out
    # The server's signature in the key exchange is made with the certificate's key.
    assert ("Signature type: ECDSA" if "ECDSA" in suite else "Signature type: RSA") in out


async def test_tls_1_3_is_accepted_and_nothing_is_compressed(pkis: dict) -> None:
    ctx = tls.server_context(pkis["certs"])
    assert ctx.options & ssl.OP_NO_COMPRESSION and ctx.minimum_version == ssl.TLSVersion.TLSv1_2
    async with Server(ctx) as server:
        out, outcome = await server.s_client("-tls1_3", "-CAfile", pkis["ca_file"], "-verify_return_error")
    assert isinstance(outcome, ssl.SSLObject), outcome
    assert outcome.version() == "TLSv1.3" and outcome.compression() is None
    assert "Protocol version: TLSv1.3" in out


async def test_no_cipher_in_common_is_told(pkis: dict) -> None:
    async with Server(tls.server_context(pkis["certs"])) as server:
        _out, outcome = await server.s_client("-tls1_2", "-cipher", "AES128-SHA")  # RSA key exchange, CBC
    exc = _refused(outcome, "NO_SHARED_CIPHER")
    assert "no cipher suite in common" in tls.describe_failure(exc)


@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
async def test_a_charger_that_does_not_trust_the_csms_is_told_to_install_the_ca(pkis: dict, version: str) -> None:
    async with Server(tls.server_context(pkis["certs"])) as server:
        _out, outcome = await server.s_client(version, "-CAfile", pkis["other_ca_file"], "-verify_return_error")
    exc = _refused(outcome, "TLSV1_ALERT_UNKNOWN_CA")
    text = tls.describe_failure(exc, ca_fingerprint=pkis["ca"].fingerprint())
    assert "does not trust this CSMS's certificate" in text and pkis["ca"].fingerprint() in text


async def test_plain_http_on_the_tls_port_is_told(pkis: dict) -> None:
    async with Server(tls.server_context(pkis["certs"])) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /CP1 HTTP/1.1\r\nHost: csms\r\nUpgrade: websocket\r\n\r\n")
        await writer.drain()
        outcome = await asyncio.wait_for(server.outcomes.get(), TIMEOUT)
        writer.close()
    exc = _refused(outcome, "HTTP_REQUEST")
    assert "plain ws:// (HTTP)" in tls.describe_failure(exc)


async def test_a_python_client_with_the_ca_connects(pkis: dict) -> None:
    async with Server(tls.server_context(pkis["certs"])) as server:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", server.port, ssl=tls.client_context(pkis["ca"].pem()), server_hostname="127.0.0.1")
        writer.write(b"ping")
        assert await asyncio.wait_for(reader.read(4), TIMEOUT) == b"ping"
        writer.close()
        assert isinstance(await server.outcomes.get(), ssl.SSLObject)


# ---------------------------------------------------------------------------------- profile 3

@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
async def test_mutual_refuses_a_charger_without_a_certificate(pkis: dict, version: str) -> None:
    ctx = tls.server_context(pkis["certs"], mutual=True, trusted_pem=pkis["ca"].trusted_pem())
    async with Server(ctx) as server:
        _out, outcome = await server.s_client(version)
    exc = _refused(outcome, "PEER_DID_NOT_RETURN_A_CERTIFICATE")
    assert "no client certificate" in tls.describe_failure(exc)


@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
@pytest.mark.parametrize("allow_expired", [False, True])
async def test_mutual_refuses_a_certificate_of_another_ca(pkis: dict, version: str, allow_expired: bool) -> None:
    ctx = tls.server_context(pkis["certs"], mutual=True, trusted_pem=pkis["ca"].trusted_pem(),
                             allow_expired=allow_expired)
    async with Server(ctx) as server:
        _out, outcome = await server.s_client(version, *pkis["files"]["other"])
    exc = _refused(outcome, "CERTIFICATE_VERIFY_FAILED")
    assert isinstance(exc, ssl.SSLCertVerificationError)
    assert exc.verify_message == "unable to get local issuer certificate" and exc.verify_code == 20
    assert "not issued by a trusted CA" in tls.describe_failure(exc)


@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
async def test_mutual_refuses_an_expired_certificate_unless_the_app_judges_the_time(pkis: dict, version: str) -> None:
    trusted = pkis["ca"].trusted_pem()
    async with Server(tls.server_context(pkis["certs"], mutual=True, trusted_pem=trusted)) as server:
        _out, outcome = await server.s_client(version, *pkis["files"]["expired"])
    exc = _refused(outcome, "CERTIFICATE_VERIFY_FAILED")
    assert exc.verify_message == "certificate has expired" and exc.verify_code == 10
    assert "has expired" in tls.describe_failure(exc)

    ctx = tls.server_context(pkis["certs"], mutual=True, trusted_pem=trusted, allow_expired=True)
    async with Server(ctx) as server:
        _out, outcome = await server.s_client(version, *pkis["files"]["expired"])
    assert isinstance(outcome, ssl.SSLObject), outcome
    # ... and the app sees the expiry in the certificate the charger presented.
    problem = pki.client_certificate_problem(outcome.getpeercert(binary_form=True), "CP1", organization=None,
                                             trusted=pkis["ca"].trusted())
    assert problem == "expired on 2021-01-01 00:00 UTC"


@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
async def test_mutual_accepts_the_right_certificate(pkis: dict, version: str) -> None:
    ctx = tls.server_context(pkis["certs"], mutual=True, trusted_pem=pkis["ca"].trusted_pem())
    async with Server(ctx) as server:
        _out, outcome = await server.s_client(version, *pkis["files"]["ok"], "-CAfile", pkis["ca_file"],
                                              "-verify_return_error")
    assert isinstance(outcome, ssl.SSLObject), outcome
    der = outcome.getpeercert(binary_form=True)
    assert pki.client_certificate_problem(der, "CP1", organization=None, trusted=pkis["ca"].trusted()) == ""


async def test_a_python_client_with_a_certificate_connects_to_a_mutual_server(pkis: dict, tmp_path: Path) -> None:
    cert, key = pkis["ca"].issue_client("CP2", key_type="rsa")
    (tmp_path / "c.pem").write_bytes(cert)
    (tmp_path / "c.key").write_bytes(key)
    ctx = tls.server_context(pkis["certs"], mutual=True, trusted_pem=pkis["ca"].trusted_pem())
    async with Server(ctx) as server:
        client = tls.client_context(pkis["ca"].pem(), cert=(tmp_path / "c.pem", tmp_path / "c.key"))
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port, ssl=client,
                                                       server_hostname="localhost")
        writer.write(b"ping")
        assert await asyncio.wait_for(reader.read(4), TIMEOUT) == b"ping"
        writer.close()
        outcome = await server.outcomes.get()
    assert isinstance(outcome, ssl.SSLObject)
    assert pki.client_certificate_problem(outcome.getpeercert(binary_form=True), "CP2", organization=None,
                                          trusted=pkis["ca"].trusted()) == ""


def test_describe_failure_without_an_ssl_error() -> None:
    assert tls.describe_failure(TimeoutError()) == \
        "the TLS handshake did not finish in time (the charger stopped answering half-way)"
    assert "closed the connection" in tls.describe_failure(ConnectionResetError())


def test_mutual_without_a_trust_bundle_is_refused(pkis: dict) -> None:
    from app.domain import errors
    with pytest.raises(errors.CertificateError) as caught:
        tls.server_context(pkis["certs"], mutual=True)
    assert caught.value.reason == "no-trust"
