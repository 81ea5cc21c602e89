"""Every piece of the `ocpp` package (mobilityhouse/ocpp 2.1.0) we use beyond its documented API.

The package is our base for framing, schemas, `@on`/`@after` routing and the call/call_result
dataclasses. A few things we need are internals: the route map's keys, the stock
ChargePoint's one-CALL-at-a-time lock, its connection and its per-version message modules.
They live here, in one place, and tests/unit/ocpp/test_adapter.py pins the behaviour we rely
on, so an upgrade of the package that changes them fails one test file instead of the CSMS.
"""

from __future__ import annotations

import asyncio
import types
from typing import Any, Callable

from ocpp import charge_point as _charge_point
from ocpp import routing as _routing

# -- case conversion and serialisation (module-level helpers of ocpp.charge_point)

camel_to_snake_case: Callable[[Any], Any] = _charge_point.camel_to_snake_case
snake_to_camel_case: Callable[[Any], Any] = _charge_point.snake_to_camel_case
remove_nones: Callable[[Any], Any] = _charge_point.remove_nones
serialize_as_dict: Callable[[Any], Any] = _charge_point.serialize_as_dict


# -- the route map built from @on / @after decorated methods

RouteMap = dict[str, dict[str, Any]]


def route_map(handlers: object) -> RouteMap:
    """action -> route, from the `@on`/`@after` methods of `handlers`: what
    `ocpp.routing.create_route_map` returns, for the methods its class defines.

    The package looks up every decorated name of every class imported so far (`routing.routables`,
    hundreds: the CSMS's and the virtual charger's handlers of three versions) on every new session,
    0.27 ms a connection (benchmarks/tls_connect.py); which of those names a class routes is found
    once per class here, and only those are looked up on the instance."""
    routes: RouteMap = {}
    for name in _routed_names(type(handlers)):
        attr = getattr(handlers, name)
        for option in ("_on_action", "_after_action"):
            action = getattr(attr, option, None)
            if action is None:
                continue
            route = routes.setdefault(action, {})
            if option == "_on_action":
                route["_skip_schema_validation"] = getattr(attr, "_skip_schema_validation", False)
            route[option] = attr
    return routes


_ROUTED: dict[type, tuple[str, ...]] = {}


def _routed_names(cls: type) -> tuple[str, ...]:
    """The names in `routing.routables` (in its order, as create_route_map goes) that `cls` routes."""
    names = _ROUTED.get(cls)
    if names is None:
        names = _ROUTED[cls] = tuple(
            name for name in _routing.routables
            if any(hasattr(getattr(cls, name, None), option) for option in ("_on_action", "_after_action")))
    return names


def route_handler(route: dict[str, Any] | None) -> Callable[..., Any] | None:
    """The `@on` handler of a route, or None when the action has only `@after` hooks (or none)."""
    return None if route is None else route.get("_on_action")


def route_after(route: dict[str, Any] | None) -> Callable[..., Any] | None:
    """The `@after` hook of a route, if any."""
    return None if route is None else route.get("_after_action")


def route_skips_validation(route: dict[str, Any]) -> bool:
    """`@on(action, skip_schema_validation=True)`."""
    return bool(route.get("_skip_schema_validation", False))


# -- the stock ChargePoint (used by the virtual charger)

def call_lock(charge_point: Any) -> asyncio.Lock:
    """The lock the stock ChargePoint.call() holds while one CALL of its own is out."""
    return charge_point._call_lock


def connection(charge_point: Any) -> Any:
    """The websocket the stock ChargePoint was built with."""
    return charge_point._connection


def call_module(charge_point: Any) -> types.ModuleType:
    """`ocpp.vXX.call` of the ChargePoint's version."""
    return charge_point._call


def call_result_module(charge_point: Any) -> types.ModuleType:
    """`ocpp.vXX.call_result` of the ChargePoint's version."""
    return charge_point._call_result
