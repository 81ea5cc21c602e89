"""What the CSMS answers a charger's DataTransfer and NotifyEVChargingNeeds, over a real websocket."""

from __future__ import annotations

import json

import pytest
from websockets.sync.client import connect

from app.domain import model
from tests.conftest import url


def _call(ws, unique: str, action: str, payload: dict) -> dict:
    ws.send(json.dumps([2, unique, action, payload]))
    answer = json.loads(ws.recv(5))
    assert answer[0] == 3 and answer[1] == unique, answer
    return answer[2]


@pytest.mark.parametrize("subprotocol", ["ocpp1.6", "ocpp2.0.1"])
async def test_a_data_transfer_to_an_unknown_vendor_is_unknown_vendor_id_unless_configured(engine, subprotocol) -> None:
    import asyncio

    def talk() -> list[str]:
        with connect(url(engine, "DT-1"), subprotocols=[subprotocol]) as ws:
            first = _call(ws, "1", "DataTransfer", {"vendorId": "com.example", "data": "x"})["status"]
            engine.config.data_transfer_vendors.append("com.example")
            second = _call(ws, "2", "DataTransfer", {"vendorId": "com.example"})["status"]
            engine.config.data_transfer_status = "Rejected"
            third = _call(ws, "3", "DataTransfer", {"vendorId": "org.other"})["status"]
            return [first, second, third]

    assert await asyncio.to_thread(talk) == ["UnknownVendorId", "Accepted", "Rejected"]


async def test_ev_charging_needs_are_accepted_and_told(engine) -> None:
    import asyncio

    heard: list[model.Event] = []
    engine.subscribe(heard.append)
    needs = {"requestedEnergyTransfer": "AC_three_phase", "departureTime": "2026-12-04T18:00:00Z",
             "acChargingParameters": {"energyAmount": 20000, "evMinCurrent": 6, "evMaxCurrent": 32,
                                      "evMaxVoltage": 400}}

    def talk() -> str:
        with connect(url(engine, "EV-1"), subprotocols=["ocpp2.0.1"]) as ws:
            return _call(ws, "n", "NotifyEVChargingNeeds", {"evseId": 1, "chargingNeeds": needs})["status"]

    assert await asyncio.to_thread(talk) == "Accepted"
    told = [e for e in heard if isinstance(e, model.EvChargingNeeds)]
    assert told and told[0].evse_id == "1"
    assert told[0].summary == "AC_three_phase, 20000 Wh, 6–32 A, departure 2026-12-04T18:00:00Z"


async def test_test_tags_are_answered_with_their_status_expiry_and_group(engine) -> None:
    import asyncio

    engine.config.id_tags.update({
        "BLOCKED-1": {"status": "Blocked"},
        "OLD-1": {"status": "Accepted", "expiry": "2020-01-01T00:00:00Z"},
        "CHILD-1": {"status": "Accepted", "expiry": "2099-01-01T00:00:00Z", "group": "MASTER"},
        "NOCREDIT-1": {"status": "NoCredit"},
    })
    engine.config.authorize_all = False

    def talk(subprotocol: str) -> dict[str, dict]:
        with connect(url(engine, "TAG-" + subprotocol), subprotocols=[subprotocol]) as ws:
            if subprotocol == "ocpp1.6":
                return {tag: _call(ws, tag, "Authorize", {"idTag": tag})["idTagInfo"]
                        for tag in ("BLOCKED-1", "OLD-1", "CHILD-1", "NOCREDIT-1", "STRANGER")}
            return {tag: _call(ws, tag, "Authorize", {"idToken": {"idToken": tag, "type": "ISO14443"}})["idTokenInfo"]
                    for tag in ("BLOCKED-1", "OLD-1", "CHILD-1", "NOCREDIT-1", "STRANGER")}

    v16 = await asyncio.to_thread(talk, "ocpp1.6")
    assert {tag: info["status"] for tag, info in v16.items()} == {
        "BLOCKED-1": "Blocked", "OLD-1": "Expired", "CHILD-1": "Accepted", "NOCREDIT-1": "Invalid",
        "STRANGER": "Invalid"}
    assert v16["CHILD-1"] == {"status": "Accepted", "expiryDate": "2099-01-01T00:00:00Z", "parentIdTag": "MASTER"}
    v201 = await asyncio.to_thread(talk, "ocpp2.0.1")
    assert v201["NOCREDIT-1"]["status"] == "NoCredit" and v201["OLD-1"]["status"] == "Expired"
    assert v201["CHILD-1"]["groupIdToken"] == {"idToken": "MASTER", "type": "Central"}
    assert v201["CHILD-1"]["cacheExpiryDateTime"] == "2099-01-01T00:00:00Z"
    assert v201["STRANGER"] == {"status": "Invalid"}


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_the_test_tags_go_to_the_chargers_local_list_full_and_differential(engine, version) -> None:
    from app.domain import errors
    from app.services import tags
    from tests.integration.test_simulator_vs_csms import running

    cards = {"CARD-1": {"status": "Accepted", "group": "MASTER"}, "CARD-2": {"status": "Blocked"}}
    async with running(engine, version, "LL-1") as charger:
        assert await tags.list_version(engine, "LL-1") == 0
        assert await tags.send_list(engine, "LL-1", cards) == ("Accepted", 1)
        assert sorted(charger.station.local_list) == ["CARD-1", "CARD-2"]
        assert await tags.list_version(engine, "LL-1") == 1
        # Differential: one added, one removed.
        status, sent = await tags.send_list(engine, "LL-1", {"CARD-3": {"status": "Accepted"}}, removed=("CARD-2",),
                                            full=False)
        assert (status, sent) == ("Accepted", 2) and sorted(charger.station.local_list) == ["CARD-1", "CARD-3"]
        with pytest.raises(errors.OperationRejected, match="VersionMismatch"):
            await tags.send_list(engine, "LL-1", cards, full=False, version=1)
    engine.journal.flush()
    frames = [f.payload for f in engine.journal.reader().frames(charger_id="LL-1", action="SendLocalList",
                                                                direction="out")]
    assert ("parentIdTag" if version == "1.6" else "groupIdToken") in frames[0]


def _certificate(days: int) -> str:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DEMOC1234567")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(7).not_valid_before(now - datetime.timedelta(days=400))
            .not_valid_after(now + datetime.timedelta(days=days)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.mark.parametrize("subprotocol", ["ocpp2.0.1", "ocpp2.1"])
async def test_an_iso15118_certificate_is_never_a_silent_accepted(engine, subprotocol) -> None:
    import asyncio

    token = {"idToken": "DE-ABC-C12345678-X", "type": "eMAID"}
    hashes = [{"hashAlgorithm": "SHA256", "issuerNameHash": "a" * 64, "issuerKeyHash": "b" * 64,
               "serialNumber": "1f", "responderURL": "http://ocsp.example/"}]

    def talk() -> list[dict]:
        with connect(url(engine, "ISO-1"), subprotocols=[subprotocol]) as ws:
            return [_call(ws, "h", "Authorize", {"idToken": token, "iso15118CertificateHashData": hashes}),
                    _call(ws, "e", "Authorize", {"idToken": token, "certificate": _certificate(-1)}),
                    _call(ws, "v", "Authorize", {"idToken": token, "certificate": _certificate(30)}),
                    _call(ws, "p", "Authorize", {"idToken": {"idToken": "CARD-1", "type": "ISO14443"}})]

    hashed, expired, unverified, plain = await asyncio.to_thread(talk)
    assert hashed["certificateStatus"] == "NoCertificateAvailable" and hashed["idTokenInfo"]["status"] == "Accepted"
    assert expired["certificateStatus"] == "CertificateExpired"
    assert unverified["certificateStatus"] == "CertChainError"
    assert "certificateStatus" not in plain and plain["idTokenInfo"]["status"] == "Accepted"
