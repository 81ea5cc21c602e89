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
