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
    detail: str = ""  # 2.x: attribute type and data type


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
                                      data_type))
    return sorted(rows, key=lambda r: r.name.lower())
