"""What the review of the security profiles found, each over the real wss:// listener of the app's
CSMS: TLS alone is no profile, an expired certificate (renew_expired) renews but raises nothing, a CSR
is signed only on a proven connection or when asked, forgetting a password leaves profile 3 alone."""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import pathlib

import pytest
import websockets.asyncio.client as ws_client
import websockets.exceptions

from app import core
from app.csms import pki, tls
from app.domain import csms_policy, model


async def _engine(data_dir: pathlib.Path, **options):
    data_dir.mkdir(parents=True, exist_ok=True)
    config = csms_policy.CsmsConfig(host="127.0.0.1", port=0, tls=True, tls_port=0, file_server=False,
                                    call_timeout=5.0, **options)
    eng = await asyncio.to_thread(core.build_engine, config, data_dir, None)
    await eng.start()
    return eng


def _context(ca: pki.CertificateAuthority, folder: pathlib.Path, issued: tuple[bytes, bytes] | None = None):
    context = tls.client_context(ca.pem())
    if issued is not None:
        cert, key = issued
        (folder / "c.pem").write_bytes(cert)
        (folder / "c.key").write_bytes(key)
        context.load_cert_chain(folder / "c.pem", folder / "c.key")
    return context


async def _status(url: str, context=None, auth: str | None = None) -> int:
    """101 when the websocket opened, else the HTTP status of the refusal."""
    headers = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
    try:
        async with ws_client.connect(url, ssl=context, subprotocols=["ocpp1.6"], additional_headers=headers,
                                     open_timeout=10):
            return 101
    except websockets.exceptions.InvalidStatus as exc:
        return exc.response.status_code


def _refusals(events: list[model.Event]) -> list[str]:
    return [e.reason for e in events if isinstance(e, model.ConnectionRefused)]


async def test_tls_without_a_password_is_no_profile_and_says_what_to_do(isolated_data_dir) -> None:
    eng = await _engine(isolated_data_dir, security_profile=2)
    events: list[model.Event] = []
    eng.subscribe(events.append)
    try:
        url = f"wss://127.0.0.1:{eng.server.tls_port}/CP1"
        context = _context(eng.server.certificates.ca, isolated_data_dir)
        assert await _status(url, context) == 403  # encrypted, but nobody proved who they are
        assert await _status(url, context, "CP1:anything-at-all") == 403
        assert any("no password was checked" in r and "New password" in r for r in _refusals(events))
        assert eng.server.profiles.all() == {}  # nothing recorded for a connection that was refused
        eng.server.expect_password("CP1", "0123456789abcdef")
        assert await _status(url, context, "CP2:0123456789abcdef") == 401  # username is not the charger id
        assert await _status(url, context, "CP1:0123456789abcdef") == 101
        assert eng.server.profiles.all() == {"CP1": 2}
    finally:
        await eng.stop()
        eng.close()


async def test_an_expired_certificate_is_let_in_only_to_renew_and_raises_no_record(isolated_data_dir) -> None:
    eng = await _engine(isolated_data_dir, security_profile=3, renew_expired=True)
    try:
        ca = eng.server.certificates.ca
        url = f"wss://127.0.0.1:{eng.server.tls_port}/CP9"
        now = datetime.datetime.now(datetime.timezone.utc)
        expired = ca.issue_client("CP9", not_before=now - datetime.timedelta(days=10),
                                  not_after=now - datetime.timedelta(days=1))
        assert await _status(url, _context(ca, isolated_data_dir, expired)) == 101
        assert eng.server.profiles.all() == {}  # a renewal connection never raises the record
        assert await _status(url, _context(ca, isolated_data_dir, ca.issue_client("CP9"))) == 101
        assert eng.server.profiles.all() == {"CP9": 3}
        # Forgetting a password (it has none for profile 3) does not lower a profile-3 charger.
        eng.server.forget_password("CP9")
        assert eng.server.profiles.all() == {"CP9": 3}
    finally:
        await eng.stop()
        eng.close()


async def test_a_csr_on_an_unproven_connection_is_rejected_unless_this_csms_asked(isolated_data_dir) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    eng = await _engine(isolated_data_dir)
    events: list[model.Event] = []
    eng.subscribe(events.append)
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CP5")]))
           .sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode())
    try:
        async with ws_client.connect(f"ws://127.0.0.1:{eng.server.port}/CP5", subprotocols=["ocpp1.6"]) as ws:
            await ws.send(json.dumps([2, "1", "SignCertificate", {"csr": csr}]))
            assert json.loads(await ws.recv()) == [3, "1", {"status": "Rejected"}]  # anyone could be CP5 here
            assert any(isinstance(e, model.CertificateIssued) and not e.accepted and "signed only" in e.detail
                       for e in events)
            eng.server.certificates.expect_csr("CP5", 30)  # the guided upgrade asked for it
            await ws.send(json.dumps([2, "2", "SignCertificate", {"csr": csr}]))
            assert json.loads(await ws.recv()) == [3, "2", {"status": "Accepted"}]
            signed = json.loads(await ws.recv())
            assert signed[2] == "CertificateSigned" and "BEGIN CERTIFICATE" in signed[3]["certificateChain"]
            await ws.send(json.dumps([3, signed[1], {"status": "Accepted"}]))
            await ws.send(json.dumps([2, "3", "SignCertificate", {"csr": csr}]))  # asked once, signed once
            assert json.loads(await ws.recv()) == [3, "3", {"status": "Rejected"}]
    finally:
        await eng.stop()
        eng.close()
