"""Minimal valid payloads from an action's JSON schema: required fields, first enum values.

Used to fill the send-operation form with defaults, and by tests to drive every action.
"""

from __future__ import annotations

from typing import Any

from app.ocpp import schemas

_DATE_TIME = "2026-01-01T00:00:00.000Z"


def example(version: str, action: str, response: bool = False) -> dict[str, Any]:
    schema = schemas.load_schema(version, action, response)
    return build(schema, schema)


def build(node: dict[str, Any], root: dict[str, Any], depth: int = 0) -> Any:
    if "$ref" in node:
        return build(resolve(node["$ref"], root), root, depth)
    if "default" in node:
        return node["default"]
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if isinstance(kind, list):
        kind = kind[0]
    if kind == "object" or "properties" in node:
        props = node.get("properties", {})
        return {name: build(props[name], root, depth + 1) for name in node.get("required", []) if name in props}
    if kind == "array":
        count = node.get("minItems", 0)
        items = node.get("items", {})
        return [build(items, root, depth + 1) for _ in range(count)]
    if kind == "string":
        fmt = node.get("format")
        if fmt == "date-time":
            return _DATE_TIME
        if fmt == "uri":
            return "https://example.com/"
        return "x" * max(node.get("minLength", 1), 1) if node.get("maxLength", 1) > 0 else ""
    if kind == "integer":
        return int(node.get("minimum", 0))
    if kind == "number":
        return float(node.get("minimum", 0))
    if kind == "boolean":
        return False
    return None


def resolve(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are supported: {ref}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node
