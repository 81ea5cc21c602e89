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
import functools
import json
import re
import tomllib
from typing import Any, Callable

from app.csms import engine as csms_engine
from app.domain import errors, secrets
from app.storage import paths

REPORT_TIMEOUT_S = 20.0  # the longest the charger may stay quiet between two parts
Progress = Callable[[int, int, str], None]  # done, total (0: unknown), message


@dataclasses.dataclass
class Configuration:
    charger_id: str
    source: str  # "GetConfiguration" (1.6), "GetBaseReport" or "GetReport" (2.x)
    rows: list[ConfigRow]
    parts: int = 1
    request_id: int | None = None
    missing: list[int] = dataclasses.field(default_factory=list)  # seqNos that never came (partial reads)

    @property
    def complete(self) -> bool:
        return not self.missing


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
               criteria: list[str] | None = None, components: list[dict[str, Any]] | None = None,
               timeout: float = REPORT_TIMEOUT_S, partial: bool = False,
               progress: Progress | None = None) -> Configuration:
    """Every key (1.6) or variable (2.x) the charger reports. On the engine loop.

    2.x: GetBaseReport(report_base); with `criteria` (Active, Available, Enabled, Problem) or
    `components` (componentVariable entries), GetReport instead. A report whose parts stop coming
    raises ReportIncompleteError naming the missing seqNos, or with `partial` returns what came
    with `missing` set (the window shows it and offers to request the report again).
    """
    report = progress or (lambda done, total, message: None)
    version = engine.server.session(charger_id).version  # ChargerNotConnectedError
    if version == "1.6":
        report(0, 0, "GetConfiguration")
        result = await engine.call(charger_id, "GetConfiguration", {})
        rows = rows_from_get_configuration(result)
        report(1, 1, f"{len(rows)} keys")
        return Configuration(charger_id, "GetConfiguration", rows)
    request_id = engine.next_request_id()
    if criteria or components:
        action = "GetReport"
        payload: dict[str, Any] = {"requestId": request_id}
        if criteria:
            payload["componentCriteria"] = list(criteria)
        if components:
            payload["componentVariable"] = list(components)
    else:
        action, payload = "GetBaseReport", {"requestId": request_id, "reportBase": report_base}
    gathered = ReportParts()
    with engine.watch(charger_id, "NotifyReport", lambda p: p.get("requestId") == request_id) as parts:
        report(0, 0, action)
        result = await engine.call(charger_id, action, payload)
        status = result.get("status", "")
        if status == "EmptyResultSet":
            return Configuration(charger_id, action, [], 0, request_id)
        if status != "Accepted":
            raise errors.OperationRejected(action, str(status), charger_id,
                                           hint=_report_hint(str(status), action))
        while not gathered.complete:
            try:
                payload = await parts.next(timeout)
            except errors.ExpectTimeoutError:
                if not partial:
                    raise errors.ReportIncompleteError(charger_id, request_id, gathered.missing(), timeout) from None
                rows = rows_from_notify_report(gathered.payloads())
                return Configuration(charger_id, action, rows, len(gathered.by_seq), request_id, gathered.missing())
            gathered.add(payload)
            total = gathered.last + 1 if gathered.last is not None else 0
            report(len(gathered.by_seq), total, f"NotifyReport part {len(gathered.by_seq)}")
    rows = rows_from_notify_report(gathered.payloads())
    return Configuration(charger_id, action, rows, len(gathered.by_seq), request_id)


def _report_hint(status: str, action: str) -> str:
    if status == "NotSupported":
        return ("The charger does not support this report: read the full inventory instead."
                if action == "GetReport" else "Try the ConfigurationInventory report.")
    return ""


@dataclasses.dataclass(frozen=True)
class ConfigRow:
    name: str  # 1.6 key, or "Component[.evse].Variable[.instance]"
    value: str
    writable: bool
    detail: str = ""  # the data type: 2.x dataType (integer, OptionList ...); 1.6 from the spec's key table
    # 2.x: where the variable lives, as the charger reported it (what SetVariables/GetVariables need)
    component: dict[str, Any] | None = dataclasses.field(default=None, compare=False)
    variable: dict[str, Any] | None = dataclasses.field(default=None, compare=False)
    attribute: str = "Actual"
    # What the value may be: 2.x variableCharacteristics; 1.6 the spec's table of standard keys.
    unit: str = dataclasses.field(default="", compare=False)
    values: tuple[str, ...] = dataclasses.field(default=(), compare=False)  # valuesList / allowed members
    minimum: float | None = dataclasses.field(default=None, compare=False)
    maximum: float | None = dataclasses.field(default=None, compare=False)
    description: str = dataclasses.field(default="", compare=False)
    vendor: bool = dataclasses.field(default=False, compare=False)  # 1.6: not a key of the specification
    mutability: str = dataclasses.field(default="", compare=False)  # 2.x: ReadOnly, WriteOnly, ReadWrite

    @property
    def key(self) -> tuple[str, str]:
        """Identity of the row in a table: the displayed name and the attribute type."""
        return self.name, self.attribute

    @property
    def group(self) -> str:
        """Where the row sits in the device-model tree: 2.x the component (with instance and EVSE);
        1.6 the feature profile of a standard key, or "Vendor keys"."""
        if self.component is not None:
            return component_label(self.component)
        if self.vendor:
            return "Vendor keys"
        spec = standard_key(self.name)
        return _PROFILES.get(spec.profile, spec.profile) if spec and spec.profile else "Standard keys"

    @property
    def leaf(self) -> str:
        """The row's name within its group: 2.x the variable (with instance and attribute type)."""
        if self.component is None:
            return self.name
        name = str((self.variable or {}).get("name", ""))
        if (self.variable or {}).get("instance"):
            name += f"[{self.variable['instance']}]"
        return name if self.attribute == "Actual" else f"{name} ({self.attribute})"

    def allowed(self) -> str:
        """What the value may be, in words, for a tooltip or a refusal ("" when nothing is known)."""
        parts = []
        if self.detail:
            parts.append(self.detail)
        if self.detail in ("string", "OptionList", "MemberList", "SequenceList") and self.maximum is not None:
            parts.append(f"up to {_number(self.maximum)} characters")
        elif self.minimum is not None or self.maximum is not None:
            low = "" if self.minimum is None else _number(self.minimum)
            high = "" if self.maximum is None else _number(self.maximum)
            parts.append(f"{low}…{high}" if low and high else (f"≥ {low}" if low else f"≤ {high}"))
        if self.unit:
            parts.append(self.unit)
        if self.values:
            parts.append("one of " + ", ".join(self.values) if self.detail in ("OptionList", "string")
                         else "from " + ", ".join(self.values))
        return "; ".join(parts)


_PROFILES = {"Core": "Core profile", "LocalAuthListManagement": "Local authorization list",
             "Reservation": "Reservation", "SmartCharging": "Smart charging",
             "Security": "Security extension", "ISO15118": "ISO 15118 (Plug & Charge)"}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def component_label(component: dict[str, Any]) -> str:
    """Component[instance] EVSE n[.connector], as shown in the tree."""
    name = str(component.get("name", ""))
    if component.get("instance"):
        name += f"[{component['instance']}]"
    evse = component.get("evse")
    if evse:
        where = f"{evse.get('id', '')}" + (f".{evse['connectorId']}" if "connectorId" in evse else "")
        if name in ("EVSE", "Connector"):
            return f"{name} {where}"  # EVSE 1, Connector 1.1
        name += f" · EVSE {where}"
    return name


@dataclasses.dataclass(frozen=True)
class StandardKey:
    """What OCPP 1.6 (and its security whitepaper) says of one standard configuration key."""
    name: str
    profile: str
    type: str = ""
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    values: tuple[str, ...] = ()
    description: str = ""
    required: bool = False
    access: str = ""


@functools.cache
def standard_keys() -> dict[str, StandardKey]:
    """The spec's table of 1.6 standard keys (resources/ocpp16-keys.toml), by lower-case name."""
    try:
        data = tomllib.loads(paths.resources("ocpp16-keys.toml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    keys = {}
    for name, entry in data.items():
        if not isinstance(entry, dict):
            continue
        keys[name.lower()] = StandardKey(
            name, str(entry.get("profile", "")), str(entry.get("type", "")), str(entry.get("unit", "")),
            entry.get("min"), entry.get("max"), tuple(str(v) for v in entry.get("values", ())),
            str(entry.get("description", "")), bool(entry.get("required", False)), str(entry.get("access", "")))
    return keys


def standard_key(name: str) -> StandardKey | None:
    return standard_keys().get(name.lower())


def rows_from_get_configuration(result: dict[str, Any]) -> list[ConfigRow]:
    rows = [_row_16(item.get("key", ""), str(item.get("value", "")), not item.get("readonly", False))
            for item in result.get("configurationKey", [])]
    rows += [ConfigRow(key, "", False, "unknown key") for key in result.get("unknownKey", [])]
    return sorted(rows, key=lambda r: r.name.lower())


def _row_16(name: str, value: str, writable: bool) -> ConfigRow:
    spec = standard_key(name)
    if spec is None:
        return ConfigRow(name, value, writable, vendor=True, description="A vendor key: see the charger's manual.")
    return ConfigRow(name, value, writable, spec.type, unit=spec.unit, values=spec.values, minimum=spec.minimum,
                     maximum=spec.maximum, description=spec.description)


def rows_from_notify_report(payloads: list[dict[str, Any]]) -> list[ConfigRow]:
    """Rows from the NotifyReport payloads that answer one GetBaseReport or GetReport."""
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
            traits = data.get("variableCharacteristics", {})
            values = tuple(v.strip() for v in str(traits.get("valuesList", "")).split(",") if v.strip())
            for attribute in data.get("variableAttribute", []):
                kind = attribute.get("type", "Actual")
                mutability = attribute.get("mutability", "ReadWrite")
                rows.append(ConfigRow(name if kind == "Actual" else f"{name} ({kind})",
                                      str(attribute.get("value", "")), mutability != "ReadOnly",
                                      str(traits.get("dataType", "")), component, variable, kind,
                                      unit=str(traits.get("unit", "")), values=values,
                                      minimum=_limit(traits.get("minLimit")), maximum=_limit(traits.get("maxLimit")),
                                      mutability=mutability))
    return sorted(rows, key=lambda r: r.name.lower())


def _limit(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# ---------------------------------------------------------------- change one setting


@dataclasses.dataclass(frozen=True)
class Change:
    row: ConfigRow  # the row as the charger reports it after the change
    status: str  # the charger's word: Accepted, RebootRequired
    note: str = ""
    read_back: bool = True  # False: the charger accepted but would not report the value back


_INTEGER = re.compile(r"-?[0-9]+")  # OCPP integers: no sign but minus, no exponent, no blanks, no fraction
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # a plain decimal: 12, -0.5; not 1e3, .5, 5., +5
_BOOLEAN = ("true", "false")  # exactly so: OCPP 1.6 section 9 and 2.0.1 DataEnumType write them in lower case
_LISTS = ("MemberList", "SequenceList", "csl")


def check_value(row: ConfigRow, value: str) -> str:
    """Why `value` cannot be sent for this row ("" when it can), before anything goes on the wire:
    its data type, range, length and list of allowed values, as the charger (2.x) or the spec (1.6)
    gives them. Strict on purpose: a charger may take "5.0" for an integer, another refuses it, and a
    third stores it and fails at the next boot. Every refusal says what would be accepted."""
    if not row.writable:
        return f"{row.name} is read-only on this charger: it cannot be changed from the CSMS."
    if secrets.is_secret(row.name):
        return (f"{row.name} is a password: set it with New password… (the CSMS then expects it), "
                "never as a plain value.")
    limit = 500 if row.component is None else 1000  # 1.6 CiString500; 2.x attributeValue string[1000]
    if len(value) > limit:
        return f"{row.name} takes up to {limit} characters (OCPP's limit); this value has {len(value)}."
    data_type = row.detail
    unit = f" {row.unit}" if row.unit else ""
    if data_type == "integer":
        if not _INTEGER.fullmatch(value):
            return (f"{row.name} takes a whole number written with digits only, such as 30 or -5 "
                    f"(no spaces, no + sign, no decimals or exponent); “{value}” is not one.")
        return _in_range(row, int(value), unit)
    if data_type == "decimal":
        if not _DECIMAL.fullmatch(value):
            return (f"{row.name} takes a plain decimal number such as 12 or 12.5 (a point, no spaces, "
                    f"no + sign or exponent); “{value}” is not one.")
        return _in_range(row, float(value), unit)
    if data_type == "boolean":
        if value not in _BOOLEAN:
            return f"{row.name} takes true or false, in lower case; “{value}” is neither."
        return ""
    if data_type in _LISTS:
        return _check_list(row, value)
    if row.values and (data_type == "OptionList" or (data_type == "string" and row.component is None)):
        if value not in row.values:
            same = [v for v in row.values if v.lower() == value.lower()]
            hint = f" (written “{same[0]}”)" if same else ""
            return f"{row.name} takes one of: {', '.join(row.values)}{hint}; “{value}” is not one."
        return ""
    if data_type in ("string", "") or data_type == "OptionList":
        longest = _max_length(row)
        if longest is not None and len(value) > longest:
            return f"{row.name} takes up to {longest} characters; this value has {len(value)}."
    return ""


def _in_range(row: ConfigRow, number: float, unit: str) -> str:
    if row.minimum is not None and number < row.minimum:
        return f"{row.name} takes at least {_number(row.minimum)}{unit}."
    if row.maximum is not None and number > row.maximum:
        return f"{row.name} takes at most {_number(row.maximum)}{unit}."
    return ""


def _max_length(row: ConfigRow) -> int | None:
    """A string's longest length: 2.x maxLimit (the spec: "for string, the maximum length"); 1.6 the
    spec's table (max, where the text gives "up to N characters")."""
    return int(row.maximum) if row.maximum is not None and row.maximum >= 0 else None


def _check_list(row: ConfigRow, value: str) -> str:
    """A 1.6 CSL or a 2.x MemberList/SequenceList, item by item (blanks around an item are allowed, as
    the spec's examples write them; an empty item is not). The first failing item is named."""
    if value == "":
        return ""  # an empty list: nothing sampled, nothing listed
    allowed = set(row.values)
    seen: set[str] = set()
    items = value.split(",")
    for number, raw in enumerate(items, 1):
        item = raw.strip()
        if not item:
            return (f"Item {number} of {row.name} is empty: write the items separated by single commas, "
                    f"such as {', '.join(row.values[:2]) or 'A,B'}.")
        bare = _member(item, row.component is None)
        if allowed and bare not in allowed:
            same = [v for v in row.values if v.lower() == bare.lower()]
            hint = f" (written “{same[0]}”)" if same else ""
            return (f"“{item}” (item {number}) is not allowed in {row.name}{hint}; "
                    f"each item must be one of: {', '.join(row.values)}.")
        if row.detail != "SequenceList" and item.lower() in seen:
            return f"{row.name} lists “{item}” twice (item {number}): a member list names each member once."
        seen.add(item.lower())
    if row.detail != "csl":
        longest = _max_length(row)
        if longest is not None and len(value) > longest:
            return f"{row.name} takes up to {longest} characters; this list has {len(value)}."
    return ""


_CONNECTOR_PREFIX = re.compile(r"^\d+\.")  # 1.6 ConnectorPhaseRotation: 0.RST, 1.RST
_PHASE_SUFFIX = re.compile(r"\.(L1|L2|L3|N|L1-N|L2-N|L3-N|L1-L2|L2-L3|L3-L1)$", re.IGNORECASE)  # Voltage.L1


def _member(text: str, ocpp16: bool) -> str:
    """A list member as its allowed value: 1.6 writes a connector before and a phase after some."""
    return _PHASE_SUFFIX.sub("", _CONNECTOR_PREFIX.sub("", text)) if ocpp16 else text


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
    result = await engine.call(charger_id, "GetVariables", {"getVariableData": [_get_item(row)]})
    entries = result.get("getVariableResult") or [{}]
    if entries[0].get("attributeStatus") != "Accepted":
        return None
    return dataclasses.replace(row, value=str(entries[0].get("attributeValue", "")))


# ---------------------------------------------------------------- many values at once

GET_VARIABLES_DEFAULT = 8  # getVariableData entries per CALL when the charger does not say
GET_CONFIGURATION_DEFAULT = 32  # 1.6 keys per GetConfiguration when GetConfigurationMaxKeys is unknown


async def read_values(engine: csms_engine.Engine, charger_id: str, rows: list[ConfigRow]) -> list[ConfigRow | None]:
    """The rows as the charger holds them now (None where it would not say), in as few CALLs as the
    charger allows: 2.x GetVariables within ItemsPerMessageGetVariables and BytesPerMessageGetVariables;
    1.6 GetConfiguration within GetConfigurationMaxKeys. On the engine loop."""
    if not rows:
        return []
    if engine.server.session(charger_id).version == "1.6":
        size = _int(await value_of(engine, charger_id, "GetConfigurationMaxKeys")) or GET_CONFIGURATION_DEFAULT
        now: dict[str, ConfigRow] = {}
        for start in range(0, len(rows), size):
            keys = [r.name for r in rows[start:start + size]]
            result = await engine.call(charger_id, "GetConfiguration", {"key": keys})
            now.update({r.name: r for r in rows_from_get_configuration(result) if r.detail != "unknown key"})
        return [now.get(r.name) for r in rows]
    items, max_bytes = await _get_variables_limits(engine, charger_id)
    out: list[ConfigRow | None] = []
    for batch in batches([_get_item(r) for r in rows], items, max_bytes, "getVariableData"):
        result = await engine.call(charger_id, "GetVariables", {"getVariableData": batch})
        answers = result.get("getVariableResult") or []
        for number, item in enumerate(batch):
            row = rows[len(out)]
            answer = _answer_for(answers, item, number)
            ok = answer.get("attributeStatus") == "Accepted"
            out.append(dataclasses.replace(row, value=str(answer.get("attributeValue", ""))) if ok else None)
    return out


def batches(items: list[dict[str, Any]], size: int, max_bytes: int | None, field: str) -> list[list[dict[str, Any]]]:
    """`items` cut into CALL payloads of at most `size` entries and (when known) `max_bytes` of JSON."""
    out: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    for item in items:
        candidate = current + [item]
        too_big = max_bytes is not None and len(json.dumps([2, "x" * 36, "GetVariables", {field: candidate}],
                                                           separators=(",", ":"))) > max_bytes
        if current and (len(candidate) > size or too_big):
            out.append(current)
            current = [item]
        else:
            current = candidate
    if current:
        out.append(current)
    return out


async def _get_variables_limits(engine: csms_engine.Engine, charger_id: str) -> tuple[int, int | None]:
    item = {"component": {"name": "DeviceDataCtrlr"}}
    result = await engine.call(charger_id, "GetVariables", {"getVariableData": [
        {**item, "variable": {"name": "ItemsPerMessage", "instance": "GetVariables"}},
        {**item, "variable": {"name": "BytesPerMessage", "instance": "GetVariables"}}]})
    found = {a.get("variable", {}).get("name"): _int(str(a.get("attributeValue", "")))
             for a in result.get("getVariableResult") or [] if a.get("attributeStatus") == "Accepted"}
    return max(1, found.get("ItemsPerMessage") or GET_VARIABLES_DEFAULT), found.get("BytesPerMessage") or None


def _get_item(row: ConfigRow) -> dict[str, Any]:
    item: dict[str, Any] = {"component": _ref(row.component), "variable": _ref(row.variable)}
    if row.attribute != "Actual":
        item["attributeType"] = row.attribute
    return item


def _answer_for(answers: list[dict[str, Any]], item: dict[str, Any], number: int) -> dict[str, Any]:
    """The result for one requested item: matched by component, variable and attribute, else by position."""
    for answer in answers:
        if (answer.get("component") == item["component"] and answer.get("variable") == item["variable"]
                and answer.get("attributeType", "Actual") == item.get("attributeType", "Actual")):
            return answer
    return answers[number] if number < len(answers) else {}


def _int(text: str | None) -> int:
    return int(text) if text and text.strip().isdigit() else 0


# ---------------------------------------------------------------- reboot for RebootRequired

REBOOT_TIMEOUT_S = 180.0  # chargers take one to three minutes to come back


async def reboot_and_read(engine: csms_engine.Engine, charger_id: str, *, timeout: float | None = None,
                          progress: Progress | None = None) -> Configuration:
    """A change answered RebootRequired: reset the charger (1.6 Soft; 2.x OnIdle, so a session in
    progress is not cut), wait for its BootNotification (at most `timeout`, REBOOT_TIMEOUT_S as it
    is when called), and read the configuration again."""
    timeout = REBOOT_TIMEOUT_S if timeout is None else timeout
    tell = progress or (lambda done, total, message: None)
    version = engine.server.session(charger_id).version
    reset = {"type": "Soft"} if version == "1.6" else {"type": "OnIdle"}
    with engine.watch(charger_id, "BootNotification") as boots:
        tell(0, 3, "Reset")
        answer = await engine.call(charger_id, "Reset", reset)
        status = str(answer.get("status", ""))
        if status == "Scheduled":
            raise errors.OperationRejected("Reset", status, charger_id,
                                           hint="It reboots when the charging session ends; read the "
                                                "configuration again then.")
        if status != "Accepted":
            raise errors.OperationRejected("Reset", status or "no status", charger_id,
                                           hint="Restart the charger by its power switch, then read again.")
        tell(1, 3, "Waiting for the charger to come back")
        await boots.next(timeout)  # ExpectTimeoutError: it did not come back in time
    tell(2, 3, "Reading the configuration again")
    found = await read(engine, charger_id, partial=True)
    tell(3, 3, "done")
    return found
