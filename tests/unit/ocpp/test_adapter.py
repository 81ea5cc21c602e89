"""Pins what we rely on in the `ocpp` package's internals (app/ocpp/adapter.py).

If an upgrade of the package breaks one of these, change the adapter, not its callers.
"""

from __future__ import annotations

import asyncio
import dataclasses
import types

import ocpp.v16
import ocpp.v21
import ocpp.v201
import pytest
from ocpp.routing import after, on
from ocpp.v16 import call as v16_call
from ocpp.v201 import call as v201_call

from app.ocpp import adapter


def test_case_conversion_round_trips_ocpp_names() -> None:
    camel = {"chargePointVendor": "X", "meterValue": [{"sampledValue": [{"value": "1"}]}], "soc": 5,
             "evseId": 1, "idTokenInfo": {"status": "Accepted"}}
    snake = adapter.camel_to_snake_case(camel)
    assert snake == {"charge_point_vendor": "X", "meter_value": [{"sampled_value": [{"value": "1"}]}], "soc": 5,
                     "evse_id": 1, "id_token_info": {"status": "Accepted"}}
    # The package maps snake "soc" to "SoC" (its special case for 1.6's SoC measurand fields).
    assert \
        adapter.snake_to_camel_case(snake) == {k if k != "soc" else "SoC": v for k, v in camel.items()}


def test_serialize_and_remove_nones_give_the_wire_payload() -> None:
    request = v201_call.GetBaseReport(request_id=7, report_base="FullInventory")
    data = adapter.remove_nones(adapter.serialize_as_dict(request))
    assert data == {"request_id": 7, "report_base": "FullInventory"}
    nested = v16_call.ChangeConfiguration(key="HeartbeatInterval", value="60")
    assert adapter.serialize_as_dict(nested) == {"key": "HeartbeatInterval", "value": "60"}
    assert dataclasses.is_dataclass(request)


class _Handlers:
    @on("Heartbeat")
    def on_heartbeat(self, **kwargs):
        return "hb"

    @on("DataTransfer", skip_schema_validation=True)
    def on_data_transfer(self, **kwargs):
        return "dt"

    @after("Heartbeat")
    def after_heartbeat(self, **kwargs):
        return "after"

    @after("StatusNotification")
    def after_status_only(self, **kwargs):
        return "only after"


def test_route_map_exposes_handler_after_hook_and_validation_flag() -> None:
    routes = adapter.route_map(_Handlers())
    heartbeat = routes["Heartbeat"]
    assert adapter.route_handler(heartbeat)() == "hb"
    assert adapter.route_after(heartbeat)() == "after"
    assert adapter.route_skips_validation(heartbeat) is False
    assert adapter.route_skips_validation(routes["DataTransfer"]) is True
    assert adapter.route_after(routes["DataTransfer"]) is None
    # An action with only an @after hook has a route but no handler: it must read as unhandled.
    assert adapter.route_handler(routes["StatusNotification"]) is None
    assert adapter.route_handler(routes.get("Authorize")) is None


@pytest.mark.parametrize("module", ["v16", "v201", "v21"])
def test_route_map_is_the_packages_for_the_csms_handlers(module: str) -> None:
    # adapter.route_map finds a class's routed names once; the map must be create_route_map's.
    import importlib
    import itertools

    from ocpp import routing

    from app.domain import csms_policy
    from app.ocpp import context

    ctx = context.HandlerContext("X", csms_policy.CsmsConfig(), lambda e: None, lambda: 0, itertools.count())
    handlers = importlib.import_module(f"app.ocpp.{module}").CsmsHandlers(ctx)
    ours, theirs = adapter.route_map(handlers), routing.create_route_map(handlers)
    assert ours == theirs and len(ours) > 10
    assert adapter.route_map(handlers) == ours  # the second time, from the cache


@pytest.mark.parametrize("cls, version", [(ocpp.v16.ChargePoint, ocpp.v16), (ocpp.v201.ChargePoint, ocpp.v201),
                                          (ocpp.v21.ChargePoint, ocpp.v21)])
async def test_stock_charge_point_internals(cls, version) -> None:
    connection = object()
    charge_point = cls("CP1", connection)
    lock = adapter.call_lock(charge_point)
    assert isinstance(lock, asyncio.Lock)
    assert adapter.connection(charge_point) is connection
    assert isinstance(adapter.call_module(charge_point), types.ModuleType)
    assert adapter.call_module(charge_point) is version.call
    assert adapter.call_result_module(charge_point) is version.call_result
    # The lock is the one call() holds while its CALL is out: held, a call() waits for it.
    sent = []

    class _Conn:
        async def send(self, text):
            sent.append(text)

    charge_point = cls("CP1", _Conn(), response_timeout=0.01)
    async with adapter.call_lock(charge_point):
        task = asyncio.ensure_future(charge_point.call(adapter.call_module(charge_point).Heartbeat()))
        for _ in range(5):
            await asyncio.sleep(0)
        assert sent == []
    with pytest.raises(asyncio.TimeoutError):
        await task
    assert len(sent) == 1
