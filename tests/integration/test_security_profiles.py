"""Security profiles 0-3 end to end against the app's own CSMS, over real sockets (issue 13).

The CSMS is the Engine with its wss:// listener beside ws:// and the built-in CA (csms.certificates
.Signer), as core.build_engine makes it; the clients are `openssl s_client`, raw websockets clients
and the virtual charger. Every test waits on conditions (events, journal rows) with a timeout.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime
import logging
import pathlib
import queue
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import websockets.asyncio.client
import websockets.exceptions
from cryptography import x509

from app import simulator
from app.csms import certificates, pki, security, tls
from app.csms import engine as csms_engine
from app.csms import server as csms_server
from app.domain import csms_policy, model
from tests.integration import _tls_helpers

OPENSSL = "/usr/bin/openssl"
ROOT = pathlib.Path(__file__).resolve().parents[2]
WAIT_S = 15.0
PASSWORD = "Bench-Pass-0123456789"  # 21 characters: a valid 2.0.1 BasicAuthPassword


# ---------------------------------------------------------------------------------- the bench

@pytest.fixture(scope="session")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """One built-in CA and its server certificates for the whole session (RSA-3072 takes a while)."""
    directory = tmp_path_factory.mktemp("ca")
    certificates.Signer(csms_policy.CsmsConfig(), directory, None, hosts=lambda: ["127.0.0.1"]).tls_context_blocking()
    return directory


class Bench:
    """A running Engine with both listeners, every event it emitted, and ways to reach it."""

    def __init__(self, engine: csms_engine.Engine, signer: certificates.Signer, tmp: pathlib.Path) -> None:
        self.engine = engine
        self.signer = signer
        self.tmp = tmp
        self.events: list[model.Event] = []
        engine.subscribe(self.events.append)
        self.ca_file = signer.directory / "ca.pem"

    @property
    def ca(self) -> pki.CertificateAuthority:
        return self.signer.ca_blocking()

    def ws(self, path: str = "ocpp") -> str:
        return f"ws://127.0.0.1:{self.engine.server.port}/{path}"

    def wss(self, path: str = "ocpp") -> str:
        return f"wss://127.0.0.1:{self.engine.server.tls_port}/{path}"

    def of(self, kind: type, charger_id: str | None = None) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind) and (charger_id is None or e.charger_id == charger_id)]

    async def event(self, kind: type, match: Callable[[Any], bool] = lambda e: True, *, after: int = 0) -> Any:
        """The first event of that kind (from index `after` on) that matches; AssertionError on timeout."""
        found: list[Any] = []

        def seen() -> bool:
            found[:] = [e for e in self.events[after:] if isinstance(e, kind) and match(e)]
            return bool(found)

        await until(seen, f"a {kind.__name__} event")
        return found[0]

    def client_files(self, name: str, cert_pem: bytes, key_pem: bytes) -> tuple[pathlib.Path, pathlib.Path]:
        """A charger certificate (chain: leaf, then the built-in CA) and its key as PEM files."""
        cert, key = self.tmp / f"{name}.pem", self.tmp / f"{name}.key"
        cert.write_bytes(cert_pem + self.ca.pem())
        key.write_bytes(key_pem)
        return cert, key

    def journal_text(self) -> str:
        self.engine.journal.flush()
        return " ".join(f.payload + " " + f.warnings
                        for f in self.engine.journal.reader().frames(limit=100_000))


async def until(predicate: Callable[[], bool], what: str = "the condition", timeout: float = WAIT_S) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} not reached within {timeout:g} s")
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running_bench(ca_dir: pathlib.Path, data_dir: pathlib.Path, tmp: pathlib.Path,
                        **settings: Any) -> AsyncIterator[Bench]:
    """The Engine as core.build_engine makes it (without the keyring and the file server)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    config = csms_policy.CsmsConfig(host="127.0.0.1", port=0, tls=True, tls_port=0, heartbeat_interval=60,
                                    call_timeout=5.0, file_server=False, **settings)
    signer = certificates.Signer(config, ca_dir, None, hosts=lambda: ["127.0.0.1"])
    context = await asyncio.to_thread(signer.tls_context_blocking)
    server = csms_server.CsmsServer(config, tls_context=context, certificates=signer,
                                    profiles=security.ProfileStore(data_dir / "security"))
    engine = csms_engine.Engine(config, data_dir, server=server)
    await engine.start()
    try:
        yield Bench(engine, signer, tmp)
    finally:
        await engine.stop()
        engine.close()


@pytest.fixture
async def bench(ca_dir: pathlib.Path, isolated_data_dir: pathlib.Path, tmp_path: pathlib.Path) -> AsyncIterator[Bench]:
    async with running_bench(ca_dir, isolated_data_dir, tmp_path) as running:
        yield running


@contextlib.asynccontextmanager
async def charger(url: str, charger_id: str, version: str = "1.6", **options: Any
                  ) -> AsyncIterator[simulator.VirtualCharger]:
    """A virtual charger running against `url` (booted or not: the test waits for what it expects)."""
    config = simulator.SimConfig(url=url, charger_id=charger_id, ocpp_version=version, backoff_min=0.05,
                                 backoff_max=0.3, reboot_delay=0.05, response_timeout=5.0, **options)
    sim = simulator.VirtualCharger(config)
    task = asyncio.ensure_future(sim.run())
    try:
        yield sim
    finally:
        sim.stop()
        await asyncio.wait_for(task, WAIT_S)


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


async def handshake(url: str, *, headers: dict[str, str] | None = None, context: ssl.SSLContext | None = None,
                    subprotocol: str = "ocpp1.6") -> int | str:
    """"open" when the websocket opened, the HTTP status when refused, else how it failed."""
    try:
        async with websockets.asyncio.client.connect(url, subprotocols=[subprotocol], additional_headers=headers,
                                                     ssl=context, proxy=None, open_timeout=WAIT_S):
            return "open"
    except websockets.exceptions.InvalidStatus as exc:
        return exc.response.status_code
    except (OSError, EOFError, websockets.exceptions.InvalidHandshake, websockets.exceptions.ConnectionClosed) as exc:
        return type(exc).__name__


def client_context(bench: Bench, cert: tuple[pathlib.Path, pathlib.Path] | None = None) -> ssl.SSLContext:
    return tls.client_context(bench.ca.pem(), cert=cert)


# ---------------------------------------------------------------------------------- 1. TLS versions and suites

async def s_client(port: int, *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", "-brief", *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(b"Q\n"), WAIT_S)
    return proc.returncode, out.decode(errors="replace")


async def test_tls_1_1_is_refused_on_the_wss_port_and_said(bench: Bench, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="app.csms.server")
    code, out = await s_client(bench.engine.server.tls_port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")
    assert code != 0 and "Ciphersuite" not in out, out
    failed = await bench.event(model.TlsFailed)
    assert failed.port == bench.engine.server.tls_port and failed.remote_address.startswith("127.0.0.1:")
    assert "older than 1.2" in failed.reason
    assert any("older than 1.2" in r.getMessage() for r in caplog.records)


async def test_tls_1_2_with_each_required_suite_and_1_3_are_accepted(bench: Bench) -> None:
    port = bench.engine.server.tls_port
    common = ("-CAfile", str(bench.ca_file), "-verify_return_error", "-verify_ip", "127.0.0.1")
    runs = [s_client(port, "-tls1_2", "-cipher", suite, *common) for suite in tls.REQUIRED_SUITES]
    runs.append(s_client(port, "-tls1_3", *common))
    results = await asyncio.gather(*runs)
    for suite, (code, out) in zip(tls.REQUIRED_SUITES, results):
        assert code == 0, out
        assert "Protocol version: TLSv1.2" in out and f"Ciphersuite: {suite}" in out, out
        assert "Verification: OK" in out, out
        # Each suite got the server certificate of its own kind (both are on the one port).
        assert ("Signature type: ECDSA" if "ECDSA" in suite else "Signature type: RSA") in out, out
    code, out = results[-1]
    assert code == 0 and "Protocol version: TLSv1.3" in out and "Verification: OK" in out, out
    assert not bench.of(model.TlsFailed)


# ---------------------------------------------------------------------------------- 2. profile 3

async def test_profile_3_client_certificates_judged(bench: Bench, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="app.csms.server")
    ca = bench.ca
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=30)
    expired = bench.client_files("expired", *ca.issue_client("CP3", not_before=past,
                                                             not_after=past + datetime.timedelta(days=1)))
    wrong_cn = bench.client_files("wrong-cn", *ca.issue_client("SOMEONE-ELSE"))
    foreign = _tls_helpers.Authority("Another Operator Root").client_files(bench.tmp, "CP3")
    url = bench.wss("ocpp/CP3")

    # Another CA, and expired: the handshake itself is refused, said for the address with the reason.
    for cert, reason in ((foreign, "not issued by a trusted CA"), (expired, "has expired")):
        mark = len(bench.events)
        assert await handshake(url, context=client_context(bench, cert)) != "open"
        failed = await bench.event(model.TlsFailed, after=mark)
        assert reason in failed.reason and failed.port == bench.engine.server.tls_port
        assert any(reason in r.getMessage() for r in caplog.records)
    # The right CA but another charger's name: TLS is up, the websocket is refused 403.
    mark = len(bench.events)
    assert await handshake(url, context=client_context(bench, wrong_cn)) == 403
    refused = await bench.event(model.ConnectionRefused, lambda e: e.charger_id == "CP3", after=mark)
    assert refused.status == 403 and "CN 'SOMEONE-ELSE' does not match the charger id 'CP3'" in refused.reason
    assert any("does not match the charger id" in r.getMessage() for r in caplog.records)
    assert not bench.of(model.Connected, "CP3")

    # With the CSMS at profile 3, TLS without a certificate is not enough.
    bench.engine.config.security_profile = 3
    mark = len(bench.events)
    assert await handshake(url, context=client_context(bench)) == 403
    refused = await bench.event(model.ConnectionRefused, lambda e: e.charger_id == "CP3", after=mark)
    assert "requires security profile 3" in refused.reason and "client certificate" in refused.reason

    # A certificate the built-in CA issued for this charger: in, at profile 3, and it boots.
    cert, key = bench.client_files("right", *ca.issue_client("CP3"))
    async with charger(bench.wss(), "CP3", "2.0.1", ca_file=str(bench.ca_file), client_cert=str(cert),
                       client_key=str(key)) as sim:
        await until(sim.booted.is_set, "the profile-3 charger's boot")
        connected = bench.of(model.Connected, "CP3")
        assert [c.security_profile for c in connected] == [3]
        assert bench.engine.server.profiles.minimum("CP3") == 3


async def test_renew_expired_lets_an_expired_certificate_in_said_and_it_is_renewed(
        ca_dir: pathlib.Path, isolated_data_dir: pathlib.Path, tmp_path: pathlib.Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="app.csms.server")
    async with running_bench(ca_dir, isolated_data_dir, tmp_path, renew_expired=True) as bench:
        past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=30)
        cert, key = bench.client_files("expired", *bench.ca.issue_client(
            "CP-R", not_before=past, not_after=past + datetime.timedelta(days=1)))
        async with charger(bench.wss(), "CP-R", "2.0.1", ca_file=str(bench.ca_file), client_cert=str(cert),
                           client_key=str(key)) as sim:
            await until(sim.booted.is_set, "the boot with an expired certificate")
            first = bench.of(model.Connected, "CP-R")[0]
            assert first.security_profile == 3
            assert any("expired on" in w and "only to renew it" in w for w in first.warnings), first.warnings
            assert any("only to renew it" in r.getMessage() for r in caplog.records)
            # The renewal: a CSR, signed, then the next connection with the new certificate says nothing.
            answer = await bench.engine.call("CP-R", "TriggerMessage",
                                             {"requestedMessage": "SignChargingStationCertificate"})
            assert answer["status"] == "Accepted"
            issued = await bench.event(model.CertificateIssued, lambda e: e.charger_id == "CP-R")
            assert issued.accepted, issued.detail
            mark = len(bench.events)
            await bench.engine.call("CP-R", "Reset", {"type": "Immediate"})
            again = await bench.event(model.Connected, lambda e: e.charger_id == "CP-R", after=mark)
            assert again.security_profile == 3 and not again.warnings


# ---------------------------------------------------------------------------------- 3. profiles 1 and 2

@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_basic_auth_user_must_be_the_charger_id_and_the_password_right(bench: Bench, version: str) -> None:
    bench.engine.config.passwords["CP1"] = PASSWORD
    subprotocol = "ocpp" + version
    # The password check is the same on both ports: plain (profile 1) and TLS (profile 2).
    for url, context in ((bench.ws("ocpp/CP1"), None), (bench.wss("ocpp/CP1"), client_context(bench))):
        mark = len(bench.events)
        assert await handshake(url, headers=basic("CP2", PASSWORD), context=context, subprotocol=subprotocol) == 401
        refused = await bench.event(model.ConnectionRefused, after=mark)
        assert refused.status == 401 and "'CP2'" in refused.reason and "charger id" in refused.reason
        assert PASSWORD not in refused.reason
        assert await handshake(url, headers=basic("CP1", "not-the-password!!"), context=context,
                               subprotocol=subprotocol) == 401
        assert await handshake(url, context=context, subprotocol=subprotocol) == 401  # none at all
    assert not bench.of(model.Connected, "CP1")
    async with charger(bench.ws(), "CP1", version, password=PASSWORD) as sim:
        await until(sim.booted.is_set, "the profile-1 boot")
    async with charger(bench.wss(), "CP1", version, password=PASSWORD, ca_file=str(bench.ca_file)) as sim:
        await until(sim.booted.is_set, "the profile-2 boot")
    assert [c.security_profile for c in bench.of(model.Connected, "CP1")] == [1, 2]
    assert PASSWORD not in bench.journal_text()


# ---------------------------------------------------------------------------------- 4. no downgrade

async def test_a_charger_upgraded_to_profile_2_is_refused_lower_until_allowed(bench: Bench) -> None:
    bench.engine.config.passwords["CP-D"] = PASSWORD
    wss, ws = bench.wss("ocpp/CP-D"), bench.ws("ocpp/CP-D")
    assert await handshake(wss, headers=basic("CP-D", PASSWORD), context=client_context(bench)) == "open"
    await until(lambda: bench.engine.server.profiles.minimum("CP-D") == 2, "the record of profile 2")
    # The record is on disk: a restarted CSMS still refuses the downgrade.
    def on_disk() -> int:
        return security.ProfileStore(bench.engine.data_dir / "security").minimum("CP-D")

    await until(lambda: on_disk() == 2, "profiles.json")

    mark = len(bench.events)
    assert await handshake(ws, headers=basic("CP-D", PASSWORD)) == 403  # profile 1
    refused = await bench.event(model.ConnectionRefused, lambda e: e.charger_id == "CP-D", after=mark)
    assert "no downgrade" in refused.reason and "2 (TLS + basic auth)" in refused.reason
    assert "1 (basic auth)" in refused.reason
    del bench.engine.config.passwords["CP-D"]  # its password removed in Settings: profile 0 is tried
    assert await handshake(ws) == 403
    assert "0 (no security)" in bench.of(model.ConnectionRefused, "CP-D")[-1].reason
    assert [c.security_profile for c in bench.of(model.Connected, "CP-D")] == [2]

    # The technician allows it again (a bench re-test): profile 0 and 1 are let in.
    assert bench.engine.server.allow_lower_profile("CP-D")
    assert await handshake(ws) == "open"
    assert [c.security_profile for c in bench.of(model.Connected, "CP-D")] == [2, 0]


# ---------------------------------------------------------------------------------- 5. the wrong port

async def test_wss_to_the_plain_port_and_ws_to_the_tls_port_are_said(bench: Bench,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="app.csms.server")
    plain, secure = bench.engine.server.port, bench.engine.server.tls_port
    wrong_scheme = f"wss://127.0.0.1:{plain}/ocpp"
    async with charger(wrong_scheme, "CP-W", "1.6", ca_file=str(bench.ca_file)):
        failed = await bench.event(model.TlsFailed, lambda e: e.port == plain)
    assert f"speaks TLS (wss://) to the plain ws:// port {plain}" in failed.reason
    assert f"use port {secure} for wss://" in failed.reason
    mark = len(bench.events)
    async with charger(f"ws://127.0.0.1:{secure}/ocpp", "CP-W", "1.6"):
        failed = await bench.event(model.TlsFailed, lambda e: e.port == secure, after=mark)
    assert "spoke plain ws:// (HTTP) to the wss:// port" in failed.reason
    messages = [r.getMessage() for r in caplog.records]
    assert any("to the plain ws:// port" in m for m in messages)
    assert any("spoke plain ws:// (HTTP)" in m for m in messages)
    assert not bench.of(model.Connected, "CP-W")


# ---------------------------------------------------------------------------------- 6. TC_073

@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_password_set_by_a_raw_call_is_expected_on_reconnect(bench: Bench, version: str,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    new = "Tc073-New-Key-01234"  # 19 characters: valid as 1.6 AuthorizationKey bytes and 2.0.1 BasicAuthPassword
    key_hex = binascii.hexlify(new.encode()).decode()
    bench.engine.config.passwords["CP-T"] = PASSWORD
    async with charger(bench.ws(), "CP-T", version, password=PASSWORD) as sim:
        await until(sim.booted.is_set, "the first boot")
        if version == "1.6":
            answer = await bench.engine.call("CP-T", "ChangeConfiguration",
                                             {"key": "AuthorizationKey", "value": key_hex})
            assert answer["status"] in ("Accepted", "RebootRequired")
        else:
            answer = await bench.engine.call("CP-T", "SetVariables", {"setVariableData": [{
                "component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"},
                "attributeValue": new}]})
            assert answer["setVariableResult"][0]["attributeStatus"] in ("Accepted", "RebootRequired")
        connections, mark = sim.connections, len(bench.events)
        await bench.engine.call("CP-T", "Reset", {"type": "Hard"} if version == "1.6" else {"type": "Immediate"})
        await until(lambda: sim.connections > connections and sim.booted.is_set(), "the reconnect and boot")
        assert sim.station.password() == new  # it really uses the new one
        assert not [e for e in bench.of(model.ConnectionRefused, "CP-T") if bench.events.index(e) >= mark]
        connected = await bench.event(model.Connected, lambda e: e.charger_id == "CP-T", after=mark)
        assert connected.security_profile == 1 and not connected.warnings
    # It has used the new one: the old one is done with.
    assert await handshake(bench.ws("ocpp/CP-T"), headers=basic("CP-T", PASSWORD),
                           subprotocol="ocpp" + version) == 401
    assert await handshake(bench.ws("ocpp/CP-T"), headers=basic("CP-T", new), subprotocol="ocpp" + version) == "open"
    everything = bench.journal_text() + caplog.text + " ".join(repr(e) for e in bench.events)
    for secret in (new, key_hex, PASSWORD):
        assert secret not in everything


# ---------------------------------------------------------------------------------- 7. CSR -> profile 3

async def _raise_to_profile_3(bench: Bench, version: str, charger_id: str) -> None:
    call = bench.engine.call
    if version == "1.6":
        answer = await call(charger_id, "ChangeConfiguration", {"key": "SecurityProfile", "value": "3"})
        assert answer["status"] in ("Accepted", "RebootRequired")
        return
    answer = await call(charger_id, "SetNetworkProfile", {"configurationSlot": 1, "connectionData": {
        "ocppVersion": "OCPP20", "ocppTransport": "JSON", "ocppCsmsUrl": bench.wss(), "messageTimeout": 30,
        "securityProfile": 3, "ocppInterface": "Wired0"}})
    assert answer["status"] == "Accepted"
    answer = await call(charger_id, "SetVariables", {"setVariableData": [{
        "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "NetworkConfigurationPriority"},
        "attributeValue": "1,0"}]})
    assert answer["setVariableResult"][0]["attributeStatus"] in ("Accepted", "RebootRequired")
    assert (await call(charger_id, "Reset", {"type": "Immediate"}))["status"] == "Accepted"


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_sign_certificate_then_profile_3_with_that_certificate(bench: Bench, version: str) -> None:
    bench.engine.config.passwords["CP-C"] = PASSWORD
    async with charger(bench.wss(), "CP-C", version, password=PASSWORD, ca_file=str(bench.ca_file)) as sim:
        await until(sim.booted.is_set, "the profile-2 boot")
        assert [c.security_profile for c in bench.of(model.Connected, "CP-C")] == [2]
        if version == "1.6":
            answer = await bench.engine.call("CP-C", "ExtendedTriggerMessage",
                                             {"requestedMessage": "SignChargePointCertificate"})
        else:
            answer = await bench.engine.call("CP-C", "TriggerMessage",
                                             {"requestedMessage": "SignChargingStationCertificate"})
        assert answer["status"] == "Accepted"
        issued = await bench.event(model.CertificateIssued, lambda e: e.charger_id == "CP-C")
        assert issued.accepted, issued.detail
        assert "answered Accepted" in issued.detail
        assert not bench.of(model.TlsFailed)
        own = sim.station.certificates.client_certificate()
        assert own is not None
        assert own.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "CP-C"
        assert own.issuer == bench.ca.certificate.subject
        mark = len(bench.events)
        await _raise_to_profile_3(bench, version, "CP-C")
        connected = await bench.event(model.Connected, lambda e: e.charger_id == "CP-C", after=mark)
        assert connected.security_profile == 3
        await until(lambda: sim.booted.is_set() and sim.station.active_security_profile() == 3, "the profile-3 boot")
        assert bench.engine.server.profiles.minimum("CP-C") == 3
    bench.engine.journal.flush()
    received = [f.action for f in bench.engine.journal.reader().frames(charger_id="CP-C", limit=100_000)
                if f.direction is model.Direction.IN and f.message_type == 2]
    assert "SignCertificate" in received
    sent = [f.action for f in bench.engine.journal.reader().frames(charger_id="CP-C", limit=100_000)
            if f.direction is model.Direction.OUT and f.message_type == 2]
    assert "CertificateSigned" in sent


async def _set_profile(bench: Bench, version: str, charger_id: str, profile: int, url: str) -> None:
    """The CSMS raises the charger's profile as a technician would: 1.6 CentralSystemUrl + SecurityProfile
    (the charger reconnects at once), 2.0.1 SetNetworkProfile into slot `profile`, first in the priority, Reset."""
    call = bench.engine.call
    if version == "1.6":
        answer = await call(charger_id, "ChangeConfiguration", {"key": "CentralSystemUrl", "value": url})
        assert answer["status"] in ("Accepted", "RebootRequired")
        answer = await call(charger_id, "ChangeConfiguration", {"key": "SecurityProfile", "value": str(profile)})
        assert answer["status"] in ("Accepted", "RebootRequired"), answer
        return
    answer = await call(charger_id, "SetNetworkProfile", {"configurationSlot": profile, "connectionData": {
        "ocppVersion": "OCPP20", "ocppTransport": "JSON", "ocppCsmsUrl": url, "messageTimeout": 30,
        "securityProfile": profile, "ocppInterface": "Wired0"}})
    assert answer["status"] == "Accepted", answer
    answer = await call(charger_id, "SetVariables", {"setVariableData": [{
        "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "NetworkConfigurationPriority"},
        "attributeValue": ",".join(str(slot) for slot in range(profile, -1, -1))}]})
    assert answer["setVariableResult"][0]["attributeStatus"] in ("Accepted", "RebootRequired"), answer
    assert (await call(charger_id, "Reset", {"type": "Immediate"}))["status"] == "Accepted"


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_the_virtual_charger_upgraded_from_profile_0_to_3(bench: Bench, version: str) -> None:
    call = bench.engine.call
    new = "Upgrade-Key-0123456"  # 19 characters: a 1.6 AuthorizationKey (as hex) and a 2.0.1 BasicAuthPassword

    async def connected_at(profile: int, mark: int) -> None:
        found = await bench.event(model.Connected, lambda e: e.charger_id == "CP-U", after=mark)
        assert found.security_profile == profile, found
        await until(sim.booted.is_set, f"the boot at profile {profile}")

    async with charger(bench.ws(), "CP-U", version) as sim:
        await connected_at(0, 0)
        # 0 -> 1: its password, then basic auth on ws://.
        mark = len(bench.events)
        if version == "1.6":
            answer = await call("CP-U", "ChangeConfiguration",
                                {"key": "AuthorizationKey", "value": binascii.hexlify(new.encode()).decode()})
            assert answer["status"] in ("Accepted", "RebootRequired")
        else:
            answer = await call("CP-U", "SetVariables", {"setVariableData": [{
                "component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"},
                "attributeValue": new}]})
            assert answer["setVariableResult"][0]["attributeStatus"] in ("Accepted", "RebootRequired")
        await _set_profile(bench, version, "CP-U", 1, bench.ws())
        await connected_at(1, mark)
        # 1 -> 2: the built-in CA installed, then wss://.
        root = "CentralSystemRootCertificate" if version == "1.6" else "CSMSRootCertificate"
        answer = await call("CP-U", "InstallCertificate", {"certificateType": root,
                                                           "certificate": bench.ca.pem().decode()})
        assert answer["status"] == "Accepted"
        mark = len(bench.events)
        await _set_profile(bench, version, "CP-U", 2, bench.wss())
        await connected_at(2, mark)
        # 2 -> 3: a CSR signed by the built-in CA, then mutual TLS.
        trigger = (("ExtendedTriggerMessage", "SignChargePointCertificate") if version == "1.6"
                   else ("TriggerMessage", "SignChargingStationCertificate"))
        assert (await call("CP-U", trigger[0], {"requestedMessage": trigger[1]}))["status"] == "Accepted"
        issued = await bench.event(model.CertificateIssued, lambda e: e.charger_id == "CP-U")
        assert issued.accepted, issued.detail
        mark = len(bench.events)
        await _set_profile(bench, version, "CP-U", 3, bench.wss())
        await connected_at(3, mark)
        assert sim.station.active_security_profile() == 3
    assert [c.security_profile for c in bench.of(model.Connected, "CP-U")][-1] == 3
    assert not bench.of(model.ConnectionRefused, "CP-U") and not bench.of(model.TlsFailed)
    assert bench.engine.server.profiles.minimum("CP-U") == 3
    # Now at 3, the password on wss:// (profile 2) is no longer enough.
    assert await handshake(bench.wss("ocpp/CP-U"), headers=basic("CP-U", new), context=client_context(bench),
                           subprotocol="ocpp" + version) == 403
    assert new not in bench.journal_text()


# ---------------------------------------------------------------------------------- 8. serve + simulate

class _Lines:
    """A process's stdout read in a thread, so the test waits for a line with a timeout."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            for line in self.seen:
                found = re.search(pattern, line)
                if found:
                    return found
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no line matching {pattern!r} in: {self.seen}")
            try:
                self.seen.append(self.lines.get(timeout=left))
            except queue.Empty:
                pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "app", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    if proc.poll() is None:
        proc.terminate()
    try:
        return proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals stop serve")
def test_serve_with_tls_port_profile_2_and_ca_dir_then_a_simulated_charger_over_wss(tmp_path: pathlib.Path) -> None:
    ca_folder, tls_port = tmp_path / "ca-out", _free_port()
    secret = tmp_path / "password.txt"  # profile 2 is TLS + basic auth: both sides know the password
    secret.write_text("cli-tls-password-0001\n", encoding="utf-8")
    serve = _run("serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(tmp_path / "d"),
                 "--no-file-server", "--tls-port", str(tls_port), "--security-profile", "2", "--ca-dir", str(ca_folder),
                 "--password-file", str(secret))
    sim = None
    try:
        out = _Lines(serve)
        listening = out.wait_for(r"listening on (.*) \(journal")
        urls = listening.group(1).split()
        assert f"wss://127.0.0.1:{tls_port}/" in urls, urls
        # DIR/ca.pem is the built-in CA's certificate: a self-signed CA a charger can be given.
        ca = x509.load_pem_x509_certificate((ca_folder / "ca.pem").read_bytes())
        assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        assert ca.subject == ca.issuer
        ca.verify_directly_issued_by(ca)
        assert subprocess.run([OPENSSL, "x509", "-in", str(ca_folder / "ca.pem"), "-noout", "-subject"],
                              capture_output=True, timeout=10).returncode == 0
        sim = _run("simulate", "--url", f"wss://127.0.0.1:{tls_port}/ocpp", "--id", "CLI-TLS", "--ocpp", "2.0.1",
                   "--ca-file", str(ca_folder / "ca.pem"), "--security-profile", "2", "--password-file", str(secret))
        out.wait_for(r"CLI-TLS connected \(OCPP 2\.0\.1 from 127\.0\.0\.1:\d+, security profile 2\)")
        out.wait_for(r"CLI-TLS booted: Accepted")
    finally:
        if sim is not None:
            _stop(sim)
        rest, err = _stop(serve)
    assert serve.returncode == 0, err
    assert "TLS connection from" not in "".join(out.seen) + rest  # no failed handshake on the way
