"""Checklist templates: declarative TOML files, shipped in resources/checklists/ or the user's own
in <data dir>/checklists/ (a user file with the same id wins).

    id = "bench"
    name = "Bench test"
    [[step]]
    key = "boot"                 # unique in the template
    title = "BootNotification accepted, identity captured"
    check = "boot"               # an automated check (services.checks.CHECKS) ...
    [[step]]
    key = "pe_continuity"
    title = "PE continuity"
    entry = "number"             # ... or a manual entry: number, passfail, text, choice
    unit = "Ω"
    high = 1.0                   # limits: low / high; pass/fail follows from them
    required = true              # default true; an optional step never fails the run
"""

from __future__ import annotations

import dataclasses
import pathlib
import tomllib
from typing import Any

from app.domain import errors
from app.storage import paths

ENTRIES = ("number", "passfail", "text", "choice")


@dataclasses.dataclass(frozen=True)
class StepSpec:
    key: str
    title: str
    check: str = ""  # automated check name, or "" for a manual entry
    entry: str = ""  # manual entry kind
    unit: str = ""
    low: float | None = None
    high: float | None = None
    required: bool = True
    options: tuple[str, ...] = ()
    hint: str = ""
    timeout: float | None = None  # seconds; the check's own default when None
    template: str = ""  # config_template: the configuration template the charger must match
    firmware: str = ""  # firmware: the image to install (a version label or file name in the library; "": the newest)

    @property
    def kind(self) -> str:
        return "auto" if self.check else "manual"


@dataclasses.dataclass(frozen=True)
class Template:
    id: str
    name: str
    description: str
    steps: tuple[StepSpec, ...]
    path: pathlib.Path


def directories(data_dir: pathlib.Path | None) -> list[pathlib.Path]:
    found = [paths.resources("checklists")]
    if data_dir is not None:
        found.append(data_dir / "checklists")
    return found


def load_file(path: pathlib.Path, known_checks: frozenset[str]) -> Template:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise errors.ConfigError(f"Checklist {path.name} cannot be read: {exc}.",
                                 hint="Fix the TOML (see resources/checklists/ for examples).") from exc
    return parse(data, path, known_checks)


def parse(data: dict[str, Any], path: pathlib.Path, known_checks: frozenset[str]) -> Template:
    where = path.name
    template_id = str(data.get("id") or path.stem)
    steps: list[StepSpec] = []
    seen: set[str] = set()
    for number, raw in enumerate(data.get("step", []), 1):
        if not isinstance(raw, dict) or not raw.get("key") or not raw.get("title"):
            raise errors.ConfigError(f"Checklist {where}: step {number} needs a key and a title.")
        key = str(raw["key"])
        if key in seen:
            raise errors.ConfigError(f"Checklist {where}: the key {key!r} is used twice.")
        seen.add(key)
        check, entry = str(raw.get("check", "")), str(raw.get("entry", ""))
        if bool(check) == bool(entry):
            raise errors.ConfigError(f"Checklist {where}: step {key!r} needs either check = or entry =.")
        if check and check not in known_checks:
            raise errors.ConfigError(f"Checklist {where}: step {key!r} names an unknown check {check!r}.",
                                     hint="Known checks: " + ", ".join(sorted(known_checks)))
        if entry and entry not in ENTRIES:
            raise errors.ConfigError(f"Checklist {where}: step {key!r} has an unknown entry kind {entry!r}.",
                                     hint="Entry kinds: " + ", ".join(ENTRIES))
        steps.append(StepSpec(
            key=key, title=str(raw["title"]), check=check, entry=entry, unit=str(raw.get("unit", "")),
            low=_number(raw.get("low"), where, key), high=_number(raw.get("high"), where, key),
            required=bool(raw.get("required", True)), options=tuple(str(o) for o in raw.get("options", ())),
            hint=str(raw.get("hint", "")), timeout=_number(raw.get("timeout"), where, key),
            template=str(raw.get("template", "")), firmware=str(raw.get("firmware", ""))))
    if not steps:
        raise errors.ConfigError(f"Checklist {where} has no steps.")
    return Template(template_id, str(data.get("name") or template_id), str(data.get("description", "")),
                    tuple(steps), path)


def _number(value: Any, where: str, key: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise errors.ConfigError(f"Checklist {where}: step {key!r} has a limit that is not a number ({value!r}).")
    return float(value)


def available(data_dir: pathlib.Path | None, known_checks: frozenset[str]) -> dict[str, Template]:
    """Every template by id; the user's own files override shipped ones with the same id."""
    found: dict[str, Template] = {}
    for directory in directories(data_dir):
        if directory.is_dir():
            for path in sorted(directory.glob("*.toml")):
                template = load_file(path, known_checks)
                found[template.id] = template
    return found


def find(template_id: str, data_dir: pathlib.Path | None, known_checks: frozenset[str]) -> Template:
    candidate = pathlib.Path(template_id)
    if candidate.suffix == ".toml" and candidate.is_file():
        return load_file(candidate, known_checks)
    templates = available(data_dir, known_checks)
    if template_id not in templates:
        raise errors.ConfigError(f"There is no checklist {template_id!r}.",
                                 hint="Known: " + ", ".join(sorted(templates)) + ".")
    return templates[template_id]
