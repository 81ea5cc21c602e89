"""The virtual charger at security profiles 1-3 against a test-local CSMS on real sockets, 1.6 and 2.0.1.

The CSMS end is the stock `ocpp` ChargePoint on `websockets` with TLS contexts from a CA made here
(tests/integration/_tls_helpers.py), so the charger is proven against the reference library and
Python's TLS, not against our own server.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import logging
from collections.abc import Callable

import ocpp.v16
import ocpp.v201
import pytest
import websockets.asyncio.server
import websockets.exceptions
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ocpp import routing
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from app import simulator
from tests.integration import _tls_helpers

QUIET = logging.getLogger("tests.sim_security.csms")
QUIET.setLevel(logging.WARNING)
PASSWORD = "a-password-of-20-chr"


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


class _Recorder:
    csms: Csms

    def record(self, action: str, payload: dict) -> None:
        self.csms.received.append((self.csms.name, action, payload))


class Csms16(_Recorder, ocpp.v16.ChargePoint):
    @routing.on("BootNotification")
    def on_boot_notification(self, **payload):
        self.record("BootNotification", payload)
        return ocpp.v16.call_result.BootNotification(current_time=_now(), interval=300, status="Accepted")

    @routing.on("Heartbeat")
    def on_heartbeat(self, **payload):
        return ocpp.v16.call_result.Heartbeat(current_time=_now())

    @routing.on("StatusNotification")
    def on_status_notification(self, **payload):
        return ocpp.v16.call_result.StatusNotification()

    @routing.on("SecurityEventNotification")
    def on_security_event_notification(self, **payload):
        self.record("SecurityEventNotification", payload)
        return ocpp.v16.call_result.SecurityEventNotification()

    @routing.on("SignCertificate")
    def on_sign_certificate(self, **payload):
        self.record("SignCertificate", payload)
        return ocpp.v16.call_result.SignCertificate(status="Accepted")


class Csms201(_Recorder, ocpp.v201.ChargePoint):
    @routing.on("BootNotification")
    def on_boot_notification(self, **payload):
        self.record("BootNotification", payload)
        return ocpp.v201.call_result.BootNotification(current_time=_now(), interval=300, status="Accepted")

    @routing.on("Heartbeat")
    def on_heartbeat(self, **payload):
        return ocpp.v201.call_result.Heartbeat(current_time=_now())

    @routing.on("StatusNotification")
    def on_status_notification(self, **payload):
        return ocpp.v201.call_result.StatusNotification()

    @routing.on("SecurityEventNotification")
    def on_security_event_notification(self, **payload):
        self.record("SecurityEventNotification", payload)
        return ocpp.v201.call_result.SecurityEventNotification()

    @routing.on("SignCertificate")
    def on_sign_certificate(self, **payload):
        self.record("SignCertificate", payload)
        return ocpp.v201.call_result.SignCertificate(status="Accepted")


_CLASSES = {"ocpp1.6": Csms16, "ocpp2.0.1": Csms201}


class Csms:
    """One listening CSMS (ws:// or wss://); `received` is shared by every CSMS of a test."""

    def __init__(self, name: str, received: list, ssl_context=None) -> None:
        self.name = name
        self.received = received
        self.ssl_context = ssl_context
        self.sessions: dict[str, ocpp.v16.ChargePoint] = {}
        self.headers: list[dict[str, str]] = []
        self.peer_names: list[str | None] = []  # the client certificate's CN of each connection
        self._server = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"{'wss' if self.ssl_context else 'ws'}://127.0.0.1:{self.port}/ocpp"

    async def start(self) -> None:
        self._server = await websockets.asyncio.server.serve(
            self._handler, "127.0.0.1", 0, subprotocols=list(_CLASSES), ssl=self.ssl_context)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _handler(self, connection) -> None:
        charger_id = connection.request.path.rstrip("/").rsplit("/", 1)[-1]
        self.headers.append(dict(connection.request.headers.raw_items()))
        peer = connection.transport.get_extra_info("peercert") if self.ssl_context else None
        names = [value for rdn in (peer or {}).get("subject", ()) for key, value in rdn if key == "commonName"]
        self.peer_names.append(names[0] if names else None)
        cp = _CLASSES[connection.subprotocol](charger_id, connection, response_timeout=5, logger=QUIET)
        cp.csms = self
        self.sessions[charger_id] = cp
        try:
            await cp.start()
        except websockets.exceptions.ConnectionClosed:
            pass
        finally:
            if self.sessions.get(charger_id) is cp:
                del self.sessions[charger_id]

    async def call(self, charger_id: str, payload):
        await until(lambda: charger_id in self.sessions)
        return await self.sessions[charger_id].call(payload, suppress=False)


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def wait_for(received: list, where: str, action: str, match: Callable[[dict], bool] = lambda p: True,
                   skip: int = 0) -> dict:
    found: list[dict] = []

    def seen() -> bool:
        found[:] = [p for n, a, p in received[skip:] if n == where and a == action and match(p)]
        return bool(found)

    await until(seen)
    return found[0]


@pytest.fixture
async def servers(tmp_path):
    """plain (ws://), tls (wss://, no client certificate asked), mtls (wss://, client certificate
    required), rogue (wss:// with a certificate from a CA the charger does not know)."""
    ca, other = _tls_helpers.Authority(), _tls_helpers.Authority("Rogue Root")
    received: list = []
    made = {
        "plain": Csms("plain", received),
        "tls": Csms("tls", received, ca.server_context(tmp_path)),
        "mtls": Csms("mtls", received, ca.server_context(tmp_path, client_ca=ca)),
        "rogue": Csms("rogue", received, other.server_context(tmp_path)),
    }
    for server in made.values():
        await server.start()
    yield ca, made, received
    for server in made.values():
        await server.stop()


@pytest.fixture
async def start_charger():
    running: list[tuple[simulator.VirtualCharger, asyncio.Task]] = []

    def start(version: str, url: str, **overrides) -> simulator.VirtualCharger:
        options = {"backoff_min": 0.02, "backoff_max": 0.1, "reboot_delay": 0.02, "response_timeout": 5.0}
        options.update(overrides)
        charger = simulator.VirtualCharger(simulator.SimConfig(url=url, charger_id="CP-S", ocpp_version=version,
                                                               **options))
        running.append((charger, asyncio.create_task(charger.run())))
        return charger

    yield start
    for charger, _ in running:
        charger.stop()
    await asyncio.gather(*(task for _, task in running))


def _expected_hash(ca: _tls_helpers.Authority) -> dict:
    point = ca.key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"hash_algorithm": "SHA256",
            "issuer_name_hash": hashlib.sha256(ca.certificate.subject.public_bytes()).hexdigest(),
            "issuer_key_hash": hashlib.sha256(point).hexdigest(),  # the subjectPublicKey bit string
            "serial_number": format(ca.certificate.serial_number, "x")}


def _foreign_chain(ca: _tls_helpers.Authority, charger_id: str) -> str:
    """A chain the CA signed for the charger's name but for another key."""
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, charger_id)])).sign(key, hashes.SHA256()))
    return ca.sign_csr(csr.public_bytes(serialization.Encoding.PEM).decode())


async def _raise_profile(version: str, csms: Csms, url: str, profile: int, slot: int) -> str:
    """The messages a CSMS sends to raise the profile; returns the answer that makes it take effect."""
    if version == "1.6":
        answer = await csms.call("CP-S", call16.ChangeConfiguration(key="CentralSystemUrl", value=url))
        assert answer.status == "RebootRequired"
        return (await csms.call("CP-S", call16.ChangeConfiguration(key="SecurityProfile", value=str(profile)))).status
    answer = await csms.call("CP-S", call201.SetNetworkProfile(configuration_slot=slot, connection_data={
        "ocpp_version": "OCPP20", "ocpp_transport": "JSON", "ocpp_csms_url": url, "message_timeout": 30,
        "security_profile": profile, "ocpp_interface": "Wired0"}))
    assert answer.status == "Accepted"
    order = ",".join(str(s) for s in range(slot, -1, -1))
    answer = await csms.call("CP-S", call201.SetVariables(set_variable_data=[{
        "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "NetworkConfigurationPriority"},
        "attribute_value": order}]))
    assert answer.set_variable_result[0]["attribute_status"] == "RebootRequired"
    return (await csms.call("CP-S", call201.Reset(type="Immediate"))).status


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_install_ca_then_profile_2_then_csr_then_profile_3(servers, start_charger, version) -> None:
    ca, csms, received = servers
    calls = call16 if version == "1.6" else call201
    root_type = "CentralSystemRootCertificate" if version == "1.6" else "CSMSRootCertificate"
    charger = start_charger(version, csms["plain"].url, password=PASSWORD)
    await wait_for(received, "plain", "BootNotification")
    plain = csms["plain"]

    # InstallCertificate: a CA is taken, a leaf or garbage is not.
    leaf_pem = _foreign_chain(ca, "CP-S").split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    assert (await plain.call("CP-S", calls.InstallCertificate(certificate_type=root_type, certificate=leaf_pem))
            ).status == "Rejected"
    assert (await plain.call("CP-S", calls.InstallCertificate(certificate_type=root_type, certificate="junk"))
            ).status == "Rejected"
    empty = await plain.call("CP-S", calls.GetInstalledCertificateIds(certificate_type=root_type if version == "1.6"
                                                                      else [root_type]))
    assert empty.status == "NotFound"
    assert (await plain.call("CP-S", calls.InstallCertificate(certificate_type=root_type, certificate=ca.pem))
            ).status == "Accepted"

    # GetInstalledCertificateIds lists it with the OCSP CertID hash data.
    if version == "1.6":
        listed = await plain.call("CP-S", calls.GetInstalledCertificateIds(certificate_type=root_type))
        assert listed.status == "Accepted" and listed.certificate_hash_data == [_expected_hash(ca)]
        other = await plain.call("CP-S", calls.GetInstalledCertificateIds(certificate_type="ManufacturerRootCertificate"))
        assert other.status == "NotFound"
    else:
        listed = await plain.call("CP-S", calls.GetInstalledCertificateIds(certificate_type=[root_type]))
        assert listed.status == "Accepted"
        assert listed.certificate_hash_data_chain == [{"certificate_type": root_type,
                                                       "certificate_hash_data": _expected_hash(ca)}]
        assert charger.device_model.value("SecurityCtrlr", "CertificateEntries") == "1"

    # Profile 3 without a charger certificate is refused (1.6: the key; 2.x: the network profile).
    if version == "1.6":
        assert (await plain.call("CP-S", call16.ChangeConfiguration(key="SecurityProfile", value="3"))
                ).status == "Rejected"

    # Profile 2: wss:// to the server, verified against the installed root, with basic auth.
    status = await _raise_profile(version, plain, csms["tls"].url, 2, 1)
    assert status == ("RebootRequired" if version == "1.6" else "Accepted")
    await wait_for(received, "tls", "BootNotification")
    assert csms["tls"].headers[-1]["Authorization"].startswith("Basic ")
    tls = csms["tls"]
    if version == "1.6":  # never downwards
        assert (await tls.call("CP-S", call16.ChangeConfiguration(key="SecurityProfile", value="1"))).status == "Rejected"
    else:
        assert charger.device_model.value("SecurityCtrlr", "SecurityProfile") == "2"

    # The CSR flow: triggered, a CSR with CN = the charger's id, a wrong chain refused, the right one taken.
    mark = len(received)
    if version == "1.6":
        assert (await tls.call("CP-S", call16.ExtendedTriggerMessage(requested_message="SignChargePointCertificate"))
                ).status == "Accepted"
    else:
        assert (await tls.call("CP-S", call201.TriggerMessage(requested_message="SignChargingStationCertificate"))
                ).status == "Accepted"
    request = await wait_for(received, "tls", "SignCertificate", skip=mark)
    csr = x509.load_pem_x509_csr(request["csr"].encode())
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CP-S"
    assert isinstance(csr.public_key(), ec.EllipticCurvePublicKey) and csr.is_signature_valid
    if version != "1.6":
        assert request["certificate_type"] == "ChargingStationCertificate"
        assert csr.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Commissioner"
    extra = {} if version == "1.6" else {"certificate_type": "ChargingStationCertificate"}
    wrong = await tls.call("CP-S", calls.CertificateSigned(certificate_chain=_foreign_chain(ca, "CP-S"), **extra))
    assert wrong.status == "Rejected"
    event = await wait_for(received, "tls", "SecurityEventNotification", skip=mark,
                           match=lambda p: "Certificate" in p["type"] and "Invalid" in p["type"])
    assert event["type"] == ("InvalidChargePointCertificate" if version == "1.6" else "InvalidChargingStationCertificate")
    right = await tls.call("CP-S", calls.CertificateSigned(certificate_chain=ca.sign_csr(request["csr"]), **extra))
    assert right.status == "Accepted"

    # Profile 3: mutual TLS, the server sees the charger's certificate; no password is sent.
    await _raise_profile(version, tls, csms["mtls"].url, 3, 2)
    await wait_for(received, "mtls", "BootNotification")
    assert csms["mtls"].peer_names == ["CP-S"]
    assert "Authorization" not in csms["mtls"].headers[-1]
    assert charger.station.active_security_profile() == 3
    # At profile 2 and 3 the critical events are sent: the reboot (2.x) or the reconfiguration (1.6).
    events = [p["type"] for n, a, p in received if a == "SecurityEventNotification" and n in ("tls", "mtls")]
    assert ("ReconfigurationOfSecurityParameters" if version == "1.6" else "ResetOrReboot") in events


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_server_from_an_unknown_ca_is_refused_and_reported_after_the_fallback(
        servers, start_charger, version, caplog) -> None:
    caplog.set_level(logging.INFO, logger="app.simulator")
    ca, csms, received = servers
    calls = call16 if version == "1.6" else call201
    root_type = "CentralSystemRootCertificate" if version == "1.6" else "CSMSRootCertificate"
    start_charger(version, csms["plain"].url, password=PASSWORD)
    plain = csms["plain"]
    await wait_for(received, "plain", "BootNotification")
    assert (await plain.call("CP-S", calls.InstallCertificate(certificate_type=root_type, certificate=ca.pem))
            ).status == "Accepted"
    mark = len(received)
    await _raise_profile(version, plain, csms["rogue"].url, 2, 1)
    event = await wait_for(received, "plain", "SecurityEventNotification", skip=mark,
                           match=lambda p: p["type"].startswith("Invalid"))
    assert event["type"] == ("InvalidCentralSystemCertificate" if version == "1.6" else "InvalidCsmsCertificate")
    assert csms["rogue"].url in event["tech_info"] and "verify" in event["tech_info"]
    assert any("certificate does not verify" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
    assert not csms["rogue"].sessions and not csms["rogue"].headers  # no websocket ever opened there


async def test_wss_without_a_ca_fails_clearly_and_keeps_retrying(servers, start_charger, caplog) -> None:
    caplog.set_level(logging.INFO, logger="app.simulator")
    _, csms, _ = servers
    charger = start_charger("2.0.1", csms["tls"].url, password=PASSWORD)
    assert charger.config.security_profile == 2

    def failures() -> int:
        return sum("no CSMS root certificate" in r.getMessage() for r in caplog.records)

    await until(lambda: failures() >= 3)
    assert not charger.connected and not csms["tls"].headers


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_profile_3_from_files_given_at_start(servers, start_charger, tmp_path, version) -> None:
    ca, csms, received = servers
    cert, key = ca.client_files(tmp_path, "CP-S")
    start_charger(version, csms["mtls"].url, ca_file=str(ca.ca_file(tmp_path)), client_cert=str(cert),
                  client_key=str(key))
    await wait_for(received, "mtls", "BootNotification")
    assert csms["mtls"].peer_names == ["CP-S"] and "Authorization" not in csms["mtls"].headers[0]
    startup = await wait_for(received, "mtls", "SecurityEventNotification",
                             match=lambda p: p["type"] == "StartupOfTheDevice")
    assert startup["timestamp"]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_delete_certificate_by_hash_data(servers, start_charger, tmp_path, version) -> None:
    ca, csms, received = servers
    calls = call16 if version == "1.6" else call201
    root_type = "CentralSystemRootCertificate" if version == "1.6" else "CSMSRootCertificate"
    start_charger(version, csms["tls"].url, password=PASSWORD, ca_file=str(ca.ca_file(tmp_path)))
    await wait_for(received, "tls", "BootNotification")
    tls = csms["tls"]
    other = _tls_helpers.Authority("Manufacturer Root")
    assert (await tls.call("CP-S", calls.InstallCertificate(certificate_type="ManufacturerRootCertificate",
                                                            certificate=other.pem))).status == "Accepted"
    assert (await tls.call("CP-S", calls.DeleteCertificate(certificate_hash_data=_expected_hash(other)))
            ).status == "Accepted"
    assert (await tls.call("CP-S", calls.DeleteCertificate(certificate_hash_data=_expected_hash(other)))
            ).status == "NotFound"
    # The only CSMS root it has installed goes too: the CA file given at start still verifies the CSMS.
    assert (await tls.call("CP-S", calls.InstallCertificate(certificate_type=root_type, certificate=ca.pem))
            ).status == "Accepted"
    assert (await tls.call("CP-S", calls.DeleteCertificate(certificate_hash_data=_expected_hash(ca)))
            ).status == "Accepted"
