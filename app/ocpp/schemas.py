"""Schema validation with the JSON schemas that ship in the `ocpp` package.

The package validates with jsonschema's Draft4Validator in a thread pool, which was measured
as the main cost of a busy CSMS (~58 µs for one MeterValues payload). We compile the very same
schema files with fastjsonschema (~3 µs) and run them synchronously on the loop; frames larger
than `OFFLOAD_BYTES` are validated in a worker thread by the session so they cannot stall it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import pathlib
import threading
from typing import Any, Callable

import fastjsonschema
import ocpp

from app.ocpp import error_codes as errors

_SCHEMA_ROOT = pathlib.Path(ocpp.__file__).parent
_DIRS = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}
_compile_lock = threading.Lock()


@dataclasses.dataclass(frozen=True, slots=True)
class Violation:
    """The first schema violation of a payload, with the CallError code it earns."""

    code: str
    message: str
    path: str

    def __str__(self) -> str:
        return self.message


def schema_path(version: str, action: str, response: bool) -> pathlib.Path:
    if version == "1.6":
        name = action + ("Response" if response else "")
    else:
        name = action + ("Response" if response else "Request")
    if version == "2.1" and action == "NotifyPeriodicEventStream":
        name = action  # a SEND: one schema, no Request/Response pair
    return _SCHEMA_ROOT / _DIRS[version] / "schemas" / f"{name}.json"


@functools.cache
def load_schema(version: str, action: str, response: bool) -> dict[str, Any]:
    """The schema as a dict (for the GUI's form builder); FileNotFoundError if none."""
    with open(schema_path(version, action, response), encoding="utf-8-sig") as handle:
        return json.load(handle)


def _without_multiple_of(node: Any) -> Any:
    # 1.6 charging schedules say "multipleOf": 0.1, which binary floats cannot satisfy
    # (21.4 / 0.1 = 213.99999999999997). The `ocpp` package works around it with Decimal
    # parsing; a precision rule is not worth refusing a charger's frame over, so drop it.
    if isinstance(node, dict):
        return {k: _without_multiple_of(v) for k, v in node.items() if k != "multipleOf"}
    if isinstance(node, list):
        return [_without_multiple_of(v) for v in node]
    return node


_validators: dict[tuple[str, str, bool], Callable[[Any], Any]] = {}


def validator(version: str, action: str, response: bool) -> Callable[[Any], Any]:
    key = (version, action, response)
    found = _validators.get(key)
    if found is None:
        with _compile_lock:
            found = _validators.get(key)
            if found is None:
                # use_default=False: validation must never write schema defaults into the payload.
                found = fastjsonschema.compile(_without_multiple_of(load_schema(*key)), use_default=False)
                _validators[key] = found
    return found


def is_compiled(version: str, action: str, response: bool = False) -> bool:
    return (version, action, response) in _validators


@functools.lru_cache(maxsize=1024)
def properties(version: str, action: str, response: bool = False) -> frozenset[str]:
    """The top-level field names (camelCase) of an action's payload; empty without a schema."""
    if not has_schema(version, action, response):
        return frozenset()
    return frozenset(load_schema(version, action, response).get("properties", {}))


def has_schema(version: str, action: str, response: bool = False) -> bool:
    return schema_path(version, action, response).is_file()


def validate(version: str, action: str, payload: Any, *, response: bool = False) -> Violation | None:
    """Return the first violation of `payload`, or None when it conforms."""
    try:
        validator(version, action, response)(payload)
    except fastjsonschema.JsonSchemaValueException as exc:
        kind = _RULE_KIND.get(exc.rule or "", errors.FORMAT)
        return Violation(errors.code(version, kind), _short(exc.message), _short(exc.name or "data"))
    except RecursionError:
        return Violation(errors.code(version, errors.FORMAT), "payload nests too deeply", "data")
    return None


MAX_MESSAGE = 300  # a violation's text goes to the journal, the log and CallErrors: keep it short


def _short(text: str) -> str:
    # "must not contain {...} properties" lists every extra key: 60,000 keys made a 600 kB warning.
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + f"… ({len(text)} characters)"


# fastjsonschema rule -> kind of OCPP-J error (see app.ocpp.error_codes for the per-version spelling)
_RULE_KIND = {
    "required": errors.OCCURRENCE,
    "minItems": errors.OCCURRENCE,
    "maxItems": errors.OCCURRENCE,
    "uniqueItems": errors.OCCURRENCE,
    "minProperties": errors.OCCURRENCE,
    "maxProperties": errors.OCCURRENCE,
    "type": errors.TYPE,
    "maxLength": errors.TYPE,
    "minLength": errors.TYPE,
    "enum": errors.PROPERTY,
    "const": errors.PROPERTY,
    "pattern": errors.PROPERTY,
    "format": errors.PROPERTY,
    "minimum": errors.PROPERTY,
    "maximum": errors.PROPERTY,
    "exclusiveMinimum": errors.PROPERTY,
    "exclusiveMaximum": errors.PROPERTY,
    "multipleOf": errors.PROPERTY,
    "additionalProperties": errors.FORMAT,
}


HOT_ACTIONS = ("BootNotification", "Heartbeat", "StatusNotification", "MeterValues", "Authorize",
               "StartTransaction", "StopTransaction", "TransactionEvent", "NotifyReport")


def warm(versions: tuple[str, ...] = ("1.6", "2.0.1", "2.1")) -> None:
    """Compile the validators of the busiest actions ahead of the first frame (~6 ms each, in a
    worker thread). Any other action's first frame is validated (and its schema compiled) off
    the loop, see rpc_session, so no charger waits on a compile."""
    for version in versions:
        for action in HOT_ACTIONS:
            if has_schema(version, action):
                validator(version, action, False)
                properties(version, action)
