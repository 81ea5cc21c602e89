"""Configuration snapshots, templates and applying a template to one charger or many.

A **snapshot** is a charger's whole configuration at one moment (secrets masked), stored in
sqlite (storage.runs), exported as JSON or CSV. Two snapshots, or a snapshot and a template,
are compared row by row.

A **template** (TOML, JSON or CSV, resources/config-templates/ or <data dir>/config-templates/)
says what an operator wants, per key (1.6) or variable (2.x, named as the Configure page shows
it, e.g. "OCPPCommCtrlr.HeartbeatInterval"), with a rule: ``equals``, ``at_least``/``at_most``
(numbers) or ``one_of``; ``set`` is the value written when the rule is not met (default: the
rule's own value). `plan` is the dry run (nothing sent; a value that does not fit its setting is
refused there, with the reason); `apply` sends the changes (2.x batched within
ItemsPerMessageSetVariables), then reads the configuration back and says, per item, what the
charger answered and whether it now holds the value; `apply_many` keeps what a charger that fails
mid-way got to. A template file that cannot be loaded is left out and named (`load_templates`);
the others load. Qt-free; on the engine loop.
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
from app.domain import errors, secrets
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
        return cls(found.charger_id, taken_ms or int(time.time() * 1000), found.source,
                   masked({r.name: r.value for r in found.rows}), {r.name: r.writable for r in found.rows}, label)

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


def masked(values: dict[str, str]) -> dict[str, str]:
    """Setting values with their secrets masked (domain.secrets: a password or key by its name, a
    password inside a URL, a PEM private key), as the journal and the report mask them."""
    return {name: (secrets.MASK if secrets.is_secret(name) and value else secrets.mask_text(value))
            for name, value in values.items()}


def keep(store: run_store.RunStore, snap: Snapshot) -> Snapshot:
    """Store a snapshot (taken now, or imported from a file); it gets its id. Secrets are masked here,
    whatever the snapshot came from: an imported file may carry AuthorizationKey in the clear."""
    snap.values = masked(snap.values)
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


TEMPLATE_FIELDS = ("name", "ocpp", "setting")
SETTING_FIELDS = ("name", "set", *RULES)


def parse_template(template_id: str, data: dict[str, Any], where: str = "") -> Template:
    where = where or template_id
    if not isinstance(data, dict):
        raise errors.ConfigError(f"{where}: a template is a table with name, ocpp and [[setting]] entries.")
    unknown = sorted(set(data) - set(TEMPLATE_FIELDS))
    if unknown:
        raise errors.ConfigError(f"{where}: unknown field(s) {', '.join(unknown)}.",
                                 hint=f"A template has only {', '.join(TEMPLATE_FIELDS)}: fix or remove the others.")
    rules = []
    for number, item in enumerate(data.get("setting") or [], 1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise errors.ConfigError(f"{where}: setting {number} needs a name.")
        unknown = sorted(set(item) - set(SETTING_FIELDS))
        if unknown:
            raise errors.ConfigError(f"{where}: {item['name']}: unknown field(s) {', '.join(unknown)}.",
                                     hint=f"A setting has name, set and one of {', '.join(RULES)}.")
        if secrets.is_secret(item["name"]):
            # A password in a template file would be copied to every CSV, plan and diff in the clear.
            raise errors.ConfigError(f"{where}: {item['name']} is a password: it does not belong in a template file.",
                                     hint="Remove it from the template and give it with Configure → New password… "
                                          "(it is kept in the keyring, never in a file).")
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
    ocpp = data.get("ocpp", ())
    if isinstance(ocpp, str) or not all(isinstance(v, str) for v in ocpp):
        raise errors.ConfigError(f"{where}: ocpp is a list of versions, such as [\"2.0.1\", \"2.1\"].")
    return Template(template_id, str(data.get("name", template_id)), tuple(rules), tuple(ocpp))


CSV_HEADER = ["setting", "rule", "value", "set"]


def _csv_template(text: str) -> dict[str, Any]:
    """A template as a spreadsheet writes it: setting,rule,value[,set]; one_of values split by "|";
    the optional lines "#name,..." and "#ocpp,2.0.1|2.1" above the header."""
    data: dict[str, Any] = {"setting": []}
    header = None
    for number, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if not row or not any(c.strip() for c in row):
            continue
        if header is None and row[0].strip() in ("#name", "#ocpp"):
            field, value = row[0].strip()[1:], (row[1].strip() if len(row) > 1 else "")
            data[field] = value if field == "name" else [v.strip() for v in value.split("|") if v.strip()]
            continue
        if header is None:
            header = [c.strip().lower() for c in row]
            if header[:3] != CSV_HEADER[:3] or not set(header) <= set(CSV_HEADER):
                raise ValueError(f"line {number}: the header must be {','.join(CSV_HEADER)}")
            continue
        cells = dict(zip(header, (c.strip() for c in row)))
        rule, value = cells.get("rule", ""), cells.get("value", "")
        if rule not in RULES:
            raise ValueError(f"line {number}: the rule must be one of {', '.join(RULES)}, not {rule!r}")
        parsed: Any = value
        if rule in ("at_least", "at_most"):
            try:
                parsed = float(value) if "." in value else int(value)
            except ValueError:
                raise ValueError(f"line {number}: {rule} takes a number, not {value!r}") from None
        elif rule == "one_of":
            parsed = [v for v in value.split("|") if v]
        item: dict[str, Any] = {"name": cells.get("setting", ""), rule: parsed}
        if cells.get("set"):
            item["set"] = cells["set"]
        data["setting"].append(item)
    return data


def load_template(path: pathlib.Path) -> Template:
    try:
        text = path.read_text(encoding="utf-8-sig")
        suffix = path.suffix.lower()
        data = (json.loads(text) if suffix == ".json" else _csv_template(text) if suffix == ".csv"
                else tomllib.loads(text))
    except (OSError, ValueError, UnicodeDecodeError, csv.Error) as exc:  # TOML and JSON errors are ValueErrors
        raise errors.ConfigError(f"The configuration template {path.name} cannot be read: {exc}.",
                                 hint="Fix the file (TOML, JSON or CSV) or move it out of config-templates.") from exc
    return parse_template(path.stem, data, path.name)


@dataclasses.dataclass(frozen=True)
class TemplateProblem:
    """A template file that could not be loaded, and why (the others load all the same)."""
    path: pathlib.Path
    error: errors.CommissionerError

    def __str__(self) -> str:
        return f"{self.path}: {self.error}"


@dataclasses.dataclass
class Templates:
    found: dict[str, Template]
    problems: list[TemplateProblem]


def load_templates(data_dir: pathlib.Path | None = None) -> Templates:
    """Every template of resources/config-templates and <data dir>/config-templates (the data
    folder's win on the same name); a bad file is left out and named in `problems`."""
    out = Templates({}, [])
    for directory in (paths.resources("config-templates"), *([data_dir / "config-templates"] if data_dir else [])):
        if directory.is_dir():
            for path in sorted(p for p in directory.iterdir() if p.suffix.lower() in (".toml", ".json", ".csv")):
                try:
                    out.found[path.stem] = load_template(path)
                except errors.CommissionerError as exc:
                    out.problems.append(TemplateProblem(path, exc))
    return out


def templates(data_dir: pathlib.Path | None = None) -> dict[str, Template]:
    """The templates that load (load_templates says which did not)."""
    return load_templates(data_dir).found


@dataclasses.dataclass
class Item:
    """One setting of a template against one charger: the plan, then what happened."""

    name: str
    current: str | None
    rule: str
    wanted: str
    # ok (already so), change, missing (the charger has no such setting), read-only,
    # invalid (the wanted value does not fit the setting: refused before sending, `reason` says why)
    action: str
    status: str = ""  # the charger's answer: Accepted, RebootRequired, Rejected, NotSupported, Unknown...
    now: str | None = None  # read back after the change
    confirmed: bool = False
    reason: str = ""  # why it was not sent (invalid), or why it got no answer (the charger failed)


@dataclasses.dataclass
class Outcome:
    """A template on one charger: its items (as far as it got) and, if it failed, what went wrong."""

    charger_id: str
    items: list[Item]
    error: errors.CommissionerError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    def changes(self) -> list[Item]:
        return [i for i in self.items if i.action == "change"]


def plan(template: Template, rows: list[configuration.ConfigRow]) -> list[Item]:
    """The dry run: what applying `template` would change on a charger with these rows. A wanted
    value that does not fit the setting (configuration.check_value) is `invalid`, with the reason."""
    by_name = {r.name: r for r in rows}
    items = []
    for rule in template.rules:
        row = by_name.get(rule.name)
        current = row.value if row is not None else None
        reason = ""
        if row is None:
            action = "missing"
        elif rule.met(current):
            action = "ok"
        elif not row.writable:
            action = "read-only"
        else:
            reason = configuration.check_value(row, rule.set_to)
            action = "invalid" if reason else "change"
        items.append(Item(rule.name, current, rule.describe(), rule.set_to, action, reason=reason))
    return items


def against(snapshot: Snapshot, template: Template) -> list[Item]:
    """A stored snapshot against a template (no charger needed)."""
    rows = [configuration.ConfigRow(n, v, snapshot.writable.get(n, True)) for n, v in snapshot.values.items()]
    return plan(template, rows)


async def dry_run(engine: csms_engine.Engine, charger_id: str, template: Template) -> list[Item]:
    """Read the charger now and plan: what `apply` would change on it. Nothing is written."""
    found = await configuration.read(engine, charger_id)
    return plan(template, found.rows)


async def apply(engine: csms_engine.Engine, charger_id: str, template: Template, *,
                progress: Progress | None = None, items: list[Item] | None = None) -> list[Item]:
    """Read, plan, send the changes, read back. Every item says what the charger answered. On the loop.

    `items` (an empty list) is filled as the work goes: when the charger fails mid-way the caller
    still has every item planned, those answered with their answer (apply_many keeps them)."""
    tell = progress or (lambda done, total, message: None)
    items = [] if items is None else items
    tell(0, 3, "Reading the configuration")
    found = await configuration.read(engine, charger_id)
    items.extend(plan(template, found.rows))
    by_name = {r.name: r for r in found.rows}
    to_send = [i for i in items if i.action == "change"]
    tell(1, 3, f"{len(to_send)} change(s)")
    if found.source == "GetConfiguration":
        for item in to_send:
            # One key's CallError or silence is that key's answer: the others are still sent.
            try:
                answer = await engine.call(charger_id, "ChangeConfiguration", {"key": item.name, "value": item.wanted})
            except (errors.CallErrorReceived, errors.CallTimeoutError, errors.ResponseInvalidError) as exc:
                item.status = "CallError" if isinstance(exc, errors.CallErrorReceived) else "no answer"
                item.reason = exc.message
                continue
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
                     parallel: int = 10, dry: bool = False) -> dict[str, Outcome]:
    """The template on each charger, `parallel` at a time (with `dry`, only the plan: nothing is
    written). A charger that fails keeps the items it got to, and its error."""
    gate = asyncio.Semaphore(parallel)

    async def one(charger_id: str) -> Outcome:
        items: list[Item] = []
        async with gate:
            try:
                if dry:
                    items.extend(await dry_run(engine, charger_id, template))
                else:
                    await apply(engine, charger_id, template, items=items)
            except errors.CommissionerError as exc:
                for item in items:
                    if item.action == "change" and not item.status:
                        item.reason = "no answer: the charger failed before answering it"
                    elif item.action == "change" and item.now is None:
                        item.reason = "not read back: the charger failed first"
                return Outcome(charger_id, items, exc)
        return Outcome(charger_id, items)

    outcomes = await asyncio.gather(*(one(c) for c in charger_ids))
    return {o.charger_id: o for o in outcomes}


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


ITEM_COLUMNS = ["setting", "before", "rule", "wanted", "action", "answer", "reason", "now", "confirmed"]


def _item_cells(i: Item) -> list[str]:
    return [i.name, i.current or "", i.rule, i.wanted, i.action, i.status, i.reason, i.now or "",
            "yes" if i.confirmed else "no"]


def items_csv(items: list[Item]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ITEM_COLUMNS)
    for i in items:
        writer.writerow(_item_cells(i))
    return out.getvalue()


def outcomes_csv(outcomes: dict[str, Outcome]) -> str:
    """Every charger's items, one line each; a charger that failed has a line with action "failed"
    and what went wrong (after the items it got to)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["charger", *ITEM_COLUMNS])
    for charger_id, outcome in outcomes.items():
        for item in outcome.items:
            writer.writerow([charger_id, *_item_cells(item)])
        if outcome.error is not None:
            writer.writerow([charger_id, "", "", "", "", "failed", "", str(outcome.error), "", "no"])
    return out.getvalue()
