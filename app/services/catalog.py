"""What the technician can send to a charger of each OCPP version, for forms and plans.

The window's send-operation panel and schema forms read the actions, schemas and example
payloads from here (the ocpp layer underneath owns them), and validate before anything is sent.
"""

from __future__ import annotations

from typing import Any

from app.ocpp import actions, examples, schemas

VERSIONS = actions.VERSIONS
Violation = schemas.Violation


def csms_initiated(version: str) -> tuple[str, ...]:
    """Actions the CSMS may send to a charger of that version."""
    return actions.csms_initiated(version)


def load_schema(version: str, action: str, response: bool = False) -> dict[str, Any]:
    return schemas.load_schema(version, action, response)


def validate(version: str, action: str, payload: Any) -> schemas.Violation | None:
    """The first schema violation of a request payload, or None."""
    return schemas.validate(version, action, payload)


def example(version: str, action: str) -> dict[str, Any]:
    """A minimal valid request: required fields, first enum values, schema defaults."""
    return examples.example(version, action)


def build(node: dict[str, Any], root: dict[str, Any]) -> Any:
    """A minimal valid value for one schema node (a form's "reset to example")."""
    return examples.build(node, root)


def resolve(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    """The schema node a "$ref" points at."""
    return examples.resolve(ref, root)
