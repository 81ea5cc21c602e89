"""Configuration snapshots, templates and applying a template to one charger or many.

A **snapshot** is a charger's whole configuration at one moment (secrets masked), stored in
sqlite (storage.runs), exported as JSON or CSV. Two snapshots, or a snapshot and a template,
are compared row by row.

A **template** (TOML or JSON, resources/config-templates/ or <data dir>/config-templates/)
says what an operator wants, per key (1.6) or variable (2.x, named as the Configure page shows
it, e.g. "OCPPCommCtrlr.HeartbeatInterval"), with a rule: ``equals``, ``at_least``/``at_most``
(numbers) or ``one_of``; ``set`` is the value written when the rule is not met (default: the
rule's own value). `plan` is the dry run (nothing sent); `apply` sends the changes (2.x batched
within ItemsPerMessageSetVariables), then reads the configuration back and says, per item,
what the charger answered and whether it now holds the value. Qt-free; on the engine loop.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import json
import pathlib
import time
import tomllib
from typing import Any, Callable

from app.csms import engine as csms_engine
from app.domain import errors
from app.report import trace
from app.services import configuration
from app.storage import paths
from app.storage import runs as run_store

RULES = ("equals", "at_least", "at_most", "one_of")
BATCH_DEFAULT = 8  # SetVariables items per CALL when the charger does not report ItemsPerMessage
Progress = Callable[[int, int, str], None]


# ---------------------------------------------------------------- snapshots


@dataclasses.dataclass
class Snapshot:
    charger_id: str
    taken_ms: int
    source: str
    values: dict[str, str]  # setting name -> value (secrets masked)
    writable: dict[str, bool]
    label: str = ""
    id: int = 0

    @classmethod
    def of(cls, found: configuration.Configuration, label: str = "", taken_ms: int | None = None) -> Snapshot:
        values = {r.name: (trace.MASK if trace.is_secret(r.name) and r.value else r.value) for r in found.rows}
        return cls(found.charger_id, taken_ms or int(time.time() * 1000), found.source, values,
                   {r.name: r.writable for r in found.rows}, label)

    def to_dict(self) -> dict[str, Any]:
        return {"charger_id": self.charger_id, "taken_ms": self.taken_ms, "source": self.source, "label": self.label,
                "values": self.values, "writable": self.writable}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Snapshot:
        try:
            return cls(str(data["charger_id"]), int(data["taken_ms"]), str(data.get("source", "")),
                       {str(k): str(v) for k, v in dict(data["values"]).items()},
                       {str(k): bool(v) for k, v in dict(data.get("writable", {})).items()},
                       str(data.get("label", "")), int(data.get("id", 0)))
        except (KeyError, TypeError, ValueError) as exc:
            raise errors.ConfigError(f"This is not a Commissioner snapshot: {exc}.",
                                     hint="Import a file written by Export snapshot (JSON).") from exc

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["setting", "value", "access"])
        for name in sorted(self.values, key=str.lower):
            writer.writerow([name, self.values[name], "read-write" if self.writable.get(name) else "read-only"])
        return out.getvalue()


async def take(engine: csms_engine.Engine, store: run_store.RunStore, charger_id: str, label: str = "",
               progress: Progress | None = None) -> Snapshot:
    """Read the whole configuration now and store it. On the engine loop."""
    found = await configuration.read(engine, charger_id, progress=progress)
    return keep(store, Snapshot.of(found, label))


def keep(store: run_store.RunStore, snap: Snapshot) -> Snapshot:
    """Store a snapshot (taken now, or imported from a file); it gets its id."""
    snap.id = store.save_snapshot(snap.charger_id, snap.taken_ms, snap.label, snap.to_dict())
    return snap


def import_file(store: run_store.RunStore, path: pathlib.Path, charger_id: str = "") -> Snapshot:
    """A snapshot exported as JSON or CSV (Export, or Commissioner on another laptop), stored here.
    A CSV names no charger: it is filed under `charger_id`, taken when the file was written."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".csv":
            return keep(store, _from_csv(text, charger_id or path.stem, int(path.stat().st_mtime * 1000),
                                         f"imported from {path.name}"))
        data = json.loads(text)
    except (OSError, ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise errors.ConfigError(f"{path.name} cannot be read as a snapshot: {exc}.",
                                 hint="Import a JSON or CSV file written by Export.") from exc
    if not isinstance(data, dict):
        raise errors.ConfigError(f"{path.name} is not a Commissioner snapshot.",
                                 hint="Import a JSON file written by Export snapshot.")
    snap = Snapshot.from_dict({**data, "id": 0})
    if not snap.label:
        snap.label = f"imported from {path.name}"
    return keep(store, snap)


def load_snapshot(store: run_store.RunStore, snapshot_id: int) -> Snapshot:
    data = store.snapshot(snapshot_id)
    if data is None:
        raise errors.ConfigError(f"There is no snapshot {snapshot_id}.", hint="List the snapshots and pick one.")
    return Snapshot.from_dict(data)


def _from_csv(text: str, charger_id: str, taken_ms: int, label: str) -> Snapshot:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["setting", "value"]:
        raise ValueError("the first line must be setting,value,access")
    values, writable = {}, {}
    for row in rows[1:]:
        if row and row[0].strip():
            values[row[0]] = row[1] if len(row) > 1 else ""
            writable[row[0]] = (row[2].strip().lower() if len(row) > 2 else "read-write") != "read-only"
    return Snapshot(charger_id, taken_ms, "CSV", values, writable, label)


@dataclasses.dataclass(frozen=True)
class Difference:
    name: str
    old: str | None  # None: not in the first
    new: str | None  # None: not in the second


def diff(first: Snapshot, second: Snapshot) -> list[Difference]:
    """Every setting whose value differs, appeared or went (clock readings left out)."""
    names = sorted(set(first.values) | set(second.values), key=str.lower)
    return [Difference(n, first.values.get(n), second.values.get(n)) for n in names
            if first.values.get(n) != second.values.get(n) and "DateTime" not in n]


# ---------------------------------------------------------------- templates


@dataclasses.dataclass(frozen=True)
class Rule:
    name: str
    kind: str  # equals, at_least, at_most, one_of
    value: Any
    set_to: str  # written when the rule is not met

    def met(self, current: str | None) -> bool:
        if current is None:
            return False
        if self.kind == "equals":
            return current.strip().lower() == str(self.value).strip().lower()
        if self.kind == "one_of":
            return current.strip() in [str(v) for v in self.value]
        try:
            number = float(current)
        except ValueError:
            return False
        return number >= float(self.value) if self.kind == "at_least" else number <= float(self.value)

    def describe(self) -> str:
        if self.kind == "one_of":  # quoted: a value may itself be a comma-separated list
            return "one of " + " or ".join(f"“{v}”" for v in self.value)
        return {"equals": "=", "at_least": "≥", "at_most": "≤"}[self.kind] + f" {self.value}"


@dataclasses.dataclass(frozen=True)
class Template:
    id: str
    name: str
    rules: tuple[Rule, ...]
    ocpp: tuple[str, ...] = ()  # the versions it is for (empty: any)


def parse_template(template_id: str, data: dict[str, Any], where: str = "") -> Template:
    where = where or template_id
    rules = []
    for number, item in enumerate(data.get("setting") or [], 1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise errors.ConfigError(f"{where}: setting {number} needs a name.")
        kinds = [k for k in RULES if k in item]
        if len(kinds) != 1:
            raise errors.ConfigError(f"{where}: {item['name']} needs exactly one of {', '.join(RULES)}.")
        kind, value = kinds[0], item[kinds[0]]
        if kind in ("at_least", "at_most") and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise errors.ConfigError(f"{where}: {item['name']}: {kind} takes a number.")
        if kind == "one_of" and (not isinstance(value, list) or not value):
            raise errors.ConfigError(f"{where}: {item['name']}: one_of takes a list of values.")
        default = value[0] if kind == "one_of" else value
        set_to = item.get("set", default)
        if isinstance(set_to, bool):
            set_to = str(set_to).lower()
        elif isinstance(set_to, float) and set_to.is_integer():
            set_to = int(set_to)
        rules.append(Rule(item["name"], kind, value, str(set_to)))
    if not rules:
        raise errors.ConfigError(f"{where}: the template names no setting.",
                                 hint="Add [[setting]] tables with name and a rule (equals, at_least, at_most, one_of).")
    return Template(template_id, str(data.get("name", template_id)), tuple(rules), tuple(data.get("ocpp", ())))


def load_template(path: pathlib.Path) -> Template:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError, UnicodeDecodeError) as exc:  # TOMLDecodeError and JSONDecodeError are ValueErrors
        raise errors.ConfigError(f"The configuration template {path.name} cannot be read: {exc}.",
                                 hint="Fix the file (TOML or JSON).") from exc
    return parse_template(path.stem, data, path.name)


def templates(data_dir: pathlib.Path | None = None) -> dict[str, Template]:
    found: dict[str, Template] = {}
    for directory in (paths.resources("config-templates"), *([data_dir / "config-templates"] if data_dir else [])):
        if directory.is_dir():
            for path in sorted([*directory.glob("*.toml"), *directory.glob("*.json")]):
                found[path.stem] = load_template(path)
    return found


@dataclasses.dataclass
class Item:
    """One setting of a template against one charger: the plan, then what happened."""

    name: str
    current: str | None
    rule: str
    wanted: str
    action: str  # ok (already so), change, missing (the charger has no such setting), read-only
    status: str = ""  # the charger's answer: Accepted, RebootRequired, Rejected, NotSupported, Unknown...
    now: str | None = None  # read back after the change
    confirmed: bool = False


def plan(template: Template, rows: list[configuration.ConfigRow]) -> list[Item]:
    """The dry run: what applying `template` would change on a charger with these rows."""
    by_name = {r.name: r for r in rows}
    items = []
    for rule in template.rules:
        row = by_name.get(rule.name)
        current = row.value if row is not None else None
        if row is None:
            action = "missing"
        elif rule.met(current):
            action = "ok"
        elif not row.writable:
            action = "read-only"
        else:
            action = "change"
        items.append(Item(rule.name, current, rule.describe(), rule.set_to, action))
    return items


def against(snapshot: Snapshot, template: Template) -> list[Item]:
    """A stored snapshot against a template (no charger needed)."""
    rows = [configuration.ConfigRow(n, v, snapshot.writable.get(n, True)) for n, v in snapshot.values.items()]
    return plan(template, rows)


async def apply(engine: csms_engine.Engine, charger_id: str, template: Template, *,
                progress: Progress | None = None) -> list[Item]:
    """Read, plan, send the changes, read back. Every item says what the charger answered. On the loop."""
    tell = progress or (lambda done, total, message: None)
    tell(0, 3, "Reading the configuration")
    found = await configuration.read(engine, charger_id)
    items = plan(template, found.rows)
    by_name = {r.name: r for r in found.rows}
    changes = [i for i in items if i.action == "change"]
    tell(1, 3, f"{len(changes)} change(s)")
    for item in changes:
        problem = configuration.check_value(by_name[item.name], item.wanted)
        if problem:
            item.status, item.action = "Not sent", "invalid"
            item.now = item.current
    to_send = [i for i in changes if i.action == "change"]
    if found.source == "GetConfiguration":
        for item in to_send:
            answer = await engine.call(charger_id, "ChangeConfiguration", {"key": item.name, "value": item.wanted})
            item.status = str(answer.get("status", ""))
    else:
        size = _batch_size(found.rows)
        for start in range(0, len(to_send), size):
            batch = to_send[start:start + size]
            answer = await engine.call(charger_id, "SetVariables", {"setVariableData": [
                configuration.set_variable_data(by_name[i.name], i.wanted) for i in batch]})
            results = answer.get("setVariableResult") or []
            for number, item in enumerate(batch):
                result = _result_for(results, by_name[item.name], number)
                item.status = str(result.get("attributeStatus", "no answer"))
    tell(2, 3, "Reading back")
    if to_send:
        # Read back only what was sent, batched within what the charger allows per GetVariables.
        after = await configuration.read_values(engine, charger_id, [by_name[i.name] for i in to_send])
        for item, row in zip(to_send, after):
            item.now = None if row is None else row.value
            item.confirmed = item.now is not None and Rule(item.name, "equals", item.wanted, item.wanted).met(item.now)
    for item in items:
        if item.action == "ok":
            item.now, item.confirmed = item.current, True
    tell(3, 3, "done")
    return items


async def apply_many(engine: csms_engine.Engine, charger_ids: list[str], template: Template, *,
                     parallel: int = 10) -> dict[str, list[Item] | errors.CommissionerError]:
    """The template on each charger, `parallel` at a time; per charger its items or what went wrong."""
    gate = asyncio.Semaphore(parallel)

    async def one(charger_id: str) -> list[Item] | errors.CommissionerError:
        async with gate:
            try:
                return await apply(engine, charger_id, template)
            except errors.CommissionerError as exc:
                return exc

    outcomes = await asyncio.gather(*(one(c) for c in charger_ids))
    return dict(zip(charger_ids, outcomes))


def _batch_size(rows: list[configuration.ConfigRow]) -> int:
    for row in rows:
        if row.name == "DeviceDataCtrlr.ItemsPerMessage[SetVariables]" and row.value.isdigit():
            return max(1, int(row.value))
    return BATCH_DEFAULT


def _result_for(results: list[dict[str, Any]], row: configuration.ConfigRow, number: int) -> dict[str, Any]:
    """The setVariableResult for a row: matched by component and variable, else by position."""
    for result in results:
        if result.get("component") == row.component and result.get("variable") == row.variable:
            return result
    return results[number] if number < len(results) else {}


def items_csv(items: list[Item]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["setting", "before", "rule", "wanted", "action", "answer", "now", "confirmed"])
    for i in items:
        writer.writerow([i.name, i.current or "", i.rule, i.wanted, i.action, i.status, i.now or "",
                         "yes" if i.confirmed else "no"])
    return out.getvalue()
