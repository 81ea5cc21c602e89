"""Read a charger's configuration: 1.6 GetConfiguration; 2.x GetBaseReport and its NotifyReport parts.

A workflow in the architecture's shape: it sends through the engine, awaits what the charger
sends back (`engine.watch`), reports progress, and raises a domain error with what the charger
said. Runs on the engine loop (the window starts it as an engine task); Qt-free.

A 2.x report is complete only when every seqNo from 0 to the last one (tbc false) arrived;
parts may come out of order. If the charger goes quiet before that, ReportIncompleteError names
the missing parts.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from app.csms import engine as csms_engine
from app.domain import errors

REPORT_TIMEOUT_S = 20.0  # the longest the charger may stay quiet between two parts
Progress = Callable[[int, int, str], None]  # done, total (0: unknown), message


@dataclasses.dataclass
class Configuration:
    charger_id: str
    source: str  # "GetConfiguration" (1.6) or "GetBaseReport" (2.x)
    rows: list[ConfigRow]
    parts: int = 1
    request_id: int | None = None


class ReportParts:
    """The NotifyReport parts of one request, by seqNo (sans-I/O)."""

    def __init__(self) -> None:
        self.by_seq: dict[int, dict[str, Any]] = {}
        self.last: int | None = None

    def add(self, payload: dict[str, Any]) -> None:
        seq = payload.get("seqNo")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            seq = max(self.by_seq, default=-1) + 1  # tolerant mode: a part without a usable seqNo
        self.by_seq[seq] = payload
        if not payload.get("tbc", False):
            self.last = seq if self.last is None else max(self.last, seq)

    @property
    def complete(self) -> bool:
        return self.last is not None and all(n in self.by_seq for n in range(self.last + 1))

    def missing(self) -> list[int]:
        end = self.last if self.last is not None else max(self.by_seq, default=-1) + 1
        return [n for n in range(end + 1) if n not in self.by_seq]

    def payloads(self) -> list[dict[str, Any]]:
        return [self.by_seq[n] for n in sorted(self.by_seq)]


async def read(engine: csms_engine.Engine, charger_id: str, *, report_base: str = "FullInventory",
               timeout: float = REPORT_TIMEOUT_S, progress: Progress | None = None) -> Configuration:
    """Every key (1.6) or variable (2.x) the charger reports. On the engine loop."""
    report = progress or (lambda done, total, message: None)
    version = engine.server.session(charger_id).version  # ChargerNotConnectedError
    if version == "1.6":
        report(0, 0, "GetConfiguration")
        result = await engine.call(charger_id, "GetConfiguration", {})
        rows = rows_from_get_configuration(result)
        report(1, 1, f"{len(rows)} keys")
        return Configuration(charger_id, "GetConfiguration", rows)
    request_id = engine.next_request_id()
    gathered = ReportParts()
    with engine.watch(charger_id, "NotifyReport", lambda p: p.get("requestId") == request_id) as parts:
        report(0, 0, "GetBaseReport")
        result = await engine.call(charger_id, "GetBaseReport", {"requestId": request_id, "reportBase": report_base})
        status = result.get("status", "")
        if status == "EmptyResultSet":
            return Configuration(charger_id, "GetBaseReport", [], 0, request_id)
        if status != "Accepted":
            raise errors.OperationRejected("GetBaseReport", str(status), charger_id)
        while not gathered.complete:
            try:
                payload = await parts.next(timeout)
            except errors.ExpectTimeoutError:
                raise errors.ReportIncompleteError(charger_id, request_id, gathered.missing(), timeout) from None
            gathered.add(payload)
            total = gathered.last + 1 if gathered.last is not None else 0
            report(len(gathered.by_seq), total, f"NotifyReport part {len(gathered.by_seq)}")
    rows = rows_from_notify_report(gathered.payloads())
    return Configuration(charger_id, "GetBaseReport", rows, len(gathered.by_seq), request_id)


@dataclasses.dataclass(frozen=True)
class ConfigRow:
    name: str  # 1.6 key, or "Component[.evse].Variable[.instance]"
    value: str
    writable: bool
    detail: str = ""  # 2.x: data type
    # 2.x: where the variable lives, as the charger reported it (what SetVariables/GetVariables need)
    component: dict[str, Any] | None = dataclasses.field(default=None, compare=False)
    variable: dict[str, Any] | None = dataclasses.field(default=None, compare=False)
    attribute: str = "Actual"

    @property
    def key(self) -> tuple[str, str]:
        """Identity of the row in a table: the displayed name and the attribute type."""
        return self.name, self.attribute


def rows_from_get_configuration(result: dict[str, Any]) -> list[ConfigRow]:
    rows = [ConfigRow(item.get("key", ""), str(item.get("value", "")), not item.get("readonly", False))
            for item in result.get("configurationKey", [])]
    rows += [ConfigRow(key, "", False, "unknown key") for key in result.get("unknownKey", [])]
    return sorted(rows, key=lambda r: r.name.lower())


def rows_from_notify_report(payloads: list[dict[str, Any]]) -> list[ConfigRow]:
    """Rows from the NotifyReport payloads that answer one GetBaseReport."""
    rows = []
    for payload in payloads:
        for data in payload.get("reportData", []):
            component = data.get("component", {})
            variable = data.get("variable", {})
            name = component.get("name", "")
            if component.get("instance"):
                name += f"[{component['instance']}]"
            if component.get("evse"):
                evse = component["evse"]
                name += f".EVSE{evse.get('id', '')}" + (f".{evse['connectorId']}" if "connectorId" in evse else "")
            name += "." + variable.get("name", "")
            if variable.get("instance"):
                name += f"[{variable['instance']}]"
            data_type = data.get("variableCharacteristics", {}).get("dataType", "")
            for attribute in data.get("variableAttribute", []):
                kind = attribute.get("type", "Actual")
                rows.append(ConfigRow(name if kind == "Actual" else f"{name} ({kind})",
                                      str(attribute.get("value", "")),
                                      attribute.get("mutability", "ReadWrite") != "ReadOnly",
                                      data_type, component, variable, kind))
    return sorted(rows, key=lambda r: r.name.lower())


# ---------------------------------------------------------------- change one setting


@dataclasses.dataclass(frozen=True)
class Change:
    row: ConfigRow  # the row as the charger reports it after the change
    status: str  # the charger's word: Accepted, RebootRequired
    note: str = ""
    read_back: bool = True  # False: the charger accepted but would not report the value back


def check_value(row: ConfigRow, value: str) -> str:
    """Why `value` cannot be sent for this row ("" when it can), before anything goes on the wire."""
    if not row.writable:
        return f"{row.name} is read-only on this charger."
    limit = 500 if row.component is None else 1000  # 1.6 CiString500; 2.x attributeValue string[1000]
    if len(value) > limit:
        return f"The value is longer than OCPP allows ({limit} characters)."
    data_type = row.detail
    if data_type == "integer":
        try:
            int(value.strip())
        except ValueError:
            return f"{row.name} takes a whole number."
    elif data_type == "decimal":
        try:
            float(value.strip())
        except ValueError:
            return f"{row.name} takes a number."
    elif data_type == "boolean" and value.strip().lower() not in ("true", "false"):
        return f"{row.name} takes true or false."
    return ""


async def change(engine: csms_engine.Engine, charger_id: str, row: ConfigRow, value: str) -> Change:
    """Set one key (1.6 ChangeConfiguration) or variable (2.x SetVariables), then read it back.

    Raises OperationRejected with the charger's word when it refuses. On the engine loop.
    """
    problem = check_value(row, value)
    if problem:
        raise errors.ConfigError(problem)
    version = engine.server.session(charger_id).version
    if version == "1.6":
        action = "ChangeConfiguration"
        result = await engine.call(charger_id, action, {"key": row.name, "value": value})
        status = str(result.get("status", ""))
    else:
        action = "SetVariables"
        result = await engine.call(charger_id, action, {"setVariableData": [set_variable_data(row, value)]})
        entries = result.get("setVariableResult") or [{}]
        status = str(entries[0].get("attributeStatus", ""))
    if status not in ("Accepted", "RebootRequired"):
        raise errors.OperationRejected(action, status or "no status", charger_id,
                                       hint=_refusal_hint(status))
    after = await _read(engine, charger_id, row)
    note = "takes effect after a reboot" if status == "RebootRequired" else ""
    if after is None:
        return Change(dataclasses.replace(row, value=value), status, note, read_back=False)
    return Change(after, status, note)


def set_variable_data(row: ConfigRow, value: str) -> dict[str, Any]:
    item: dict[str, Any] = {"attributeValue": value, "component": _ref(row.component),
                            "variable": _ref(row.variable)}
    if row.attribute != "Actual":
        item["attributeType"] = row.attribute
    return item


def _ref(ref: dict[str, Any] | None) -> dict[str, Any]:
    if not ref:
        raise errors.ConfigError("This variable came without its component: read the configuration again.")
    return dict(ref)


def _refusal_hint(status: str) -> str:
    return {
        "NotSupported": "The charger does not support changing this setting.",
        "UnknownKey": "The charger does not know this key: read the configuration again.",
        "UnknownComponent": "The charger does not know this component: read the configuration again.",
        "UnknownVariable": "The charger does not know this variable: read the configuration again.",
        "Rejected": "The charger refused the value: check the allowed range in its manual.",
    }.get(status, "")


async def read_one(engine: csms_engine.Engine, charger_id: str, row: ConfigRow) -> ConfigRow:
    """The row as the charger reports it now (1.6 GetConfiguration with the key; 2.x GetVariables);
    the row as it was when the charger would not say."""
    found = await _read(engine, charger_id, row)
    if found is not None:
        return found
    if row.component is None:  # 1.6: GetConfiguration did not list it
        return dataclasses.replace(row, value="", writable=False, detail="unknown key")
    return row


async def value_of(engine: csms_engine.Engine, charger_id: str, name: str, component: str = "") -> str | None:
    """One setting's value now: a 1.6 key, or (with `component`) a 2.x variable; None when not reported."""
    row = ConfigRow(name, "", True) if not component else ConfigRow(
        f"{component}.{name}", "", True, component={"name": component}, variable={"name": name})
    found = await _read(engine, charger_id, row)
    return None if found is None else found.value


async def _read(engine: csms_engine.Engine, charger_id: str, row: ConfigRow) -> ConfigRow | None:
    version = engine.server.session(charger_id).version
    if version == "1.6":
        result = await engine.call(charger_id, "GetConfiguration", {"key": [row.name]})
        found = [r for r in rows_from_get_configuration(result) if r.name == row.name]
        return found[0] if found else None  # unknown, or write-only (AuthorizationKey)
    item: dict[str, Any] = {"component": _ref(row.component), "variable": _ref(row.variable)}
    if row.attribute != "Actual":
        item["attributeType"] = row.attribute
    result = await engine.call(charger_id, "GetVariables", {"getVariableData": [item]})
    entries = result.get("getVariableResult") or [{}]
    if entries[0].get("attributeStatus") != "Accepted":
        return None
    return dataclasses.replace(row, value=str(entries[0].get("attributeValue", "")))
