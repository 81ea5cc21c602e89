"""Every charger-initiated action of every version has a handler whose default answer is valid."""

from __future__ import annotations

import itertools

import pytest
from ocpp import routing

from app.domain import csms_policy
from app.domain import model
from app.ocpp import actions, context, examples, schemas, v16, v21, v201
from app.ocpp import rpc_session as session

HANDLERS = {"1.6": v16.CsmsHandlers, "2.0.1": v201.CsmsHandlers, "2.1": v21.CsmsHandlers}


def make(version: str, **config: object) -> tuple[object, list[model.Event]]:
    events: list[model.Event] = []
    ctx = context.HandlerContext("CP1", csms_policy.CsmsConfig(**config), events.append, lambda: 1_700_000_000_000,
                                 itertools.count(100))
    return HANDLERS[version](ctx), events


@pytest.mark.parametrize("version", actions.VERSIONS)
def test_every_charger_action_is_handled_with_a_schema_valid_answer(version: str) -> None:
    handlers, _ = make(version)
    routes = routing.create_route_map(handlers)
    for action in actions.charger_initiated(version):
        assert action in routes, f"{version} {action} has no handler"
        request = examples.example(version, action)
        result = routes[action]["_on_action"](**session.to_snake(request))
        payload = session.dataclass_payload(result)
        violation = schemas.validate(version, action, payload, response=True)
        assert violation is None, f"{version} {action}: {violation}"


@pytest.mark.parametrize("version", actions.VERSIONS)
def test_no_handler_for_csms_only_actions(version: str) -> None:
    routes = routing.create_route_map(make(version)[0])
    for action in set(actions.csms_initiated(version)) - actions.BIDIRECTIONAL:
        assert action not in routes


def test_boot_status_and_interval_follow_the_settings() -> None:
    handlers, events = make("1.6", boot_status=model.BootStatus.PENDING, heartbeat_interval=42, pending_interval=9)
    result = handlers.on_boot_notification(charge_point_vendor="ACME", charge_point_model="X1",
                                           charge_point_serial_number="S1", firmware_version="2.3")
    # Pending: the retry interval, not the 42 s heartbeat (a Pending charger must not wait minutes).
    assert (result.status, result.interval) == ("Pending", 9)
    accepted, _ = make("1.6", heartbeat_interval=42, pending_interval=9)
    assert accepted.on_boot_notification(charge_point_vendor="A", charge_point_model="B").interval == 42
    assert result.current_time.endswith("Z")
    boot = events[0]
    assert isinstance(boot, model.Booted)
    assert (boot.vendor, boot.model, boot.serial, boot.firmware) == ("ACME", "X1", "S1", "2.3")


def test_authorize_allow_list() -> None:
    handlers, _ = make("1.6", authorize_all=False, allowed_id_tags=["GOOD"])
    assert handlers.on_authorize(id_tag="GOOD").id_tag_info == {"status": "Accepted"}
    assert handlers.on_authorize(id_tag="BAD").id_tag_info == {"status": "Invalid"}
    handlers201, _ = make("2.0.1", authorize_all=False, allowed_id_tags=["GOOD"])
    result = handlers201.on_authorize(id_token={"id_token": "BAD", "type": "ISO14443"})
    assert result.id_token_info == {"status": "Invalid"}


def test_transaction_ids_are_distinct() -> None:
    handlers, _ = make("1.6")
    first = handlers.on_start_transaction(connector_id=1, id_tag="T", meter_start=0, timestamp="t")
    second = handlers.on_start_transaction(connector_id=2, id_tag="T", meter_start=0, timestamp="t")
    assert first.transaction_id != second.transaction_id


def test_status_notification_emits_status_events() -> None:
    handlers, events = make("2.0.1")
    handlers.on_status_notification(timestamp="t", connector_status="Occupied", evse_id=1, connector_id=2)
    assert events == [model.StatusChanged("CP1", 1_700_000_000_000, "1/2", "Occupied", "")]


def test_missing_fields_do_not_break_handlers() -> None:
    # Tolerant mode hands non-compliant payloads to the handlers: they must still answer.
    for version in actions.VERSIONS:
        handlers, _ = make(version)
        routes = routing.create_route_map(handlers)
        for action in actions.charger_initiated(version):
            routes[action]["_on_action"]()
