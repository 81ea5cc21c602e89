"""Bench plans: a template applied to every charger that connects (`serve --plan`), headless.

    template = "bench"              # a checklist id, or a path to a .toml
    chargers = ["*"]                # id patterns (fnmatch); default: every charger
    connector = 1                   # the connector / EVSE the charging checks use
    [fields]                        # pre-filled run fields
    technician = "Bench"
    site = "Lab 2"
    [values]                        # values for manual steps, by step key
    technician = "A. Engineer"
    [tags]                          # test tags the CSMS answers from (RFID checks), beside the settings'
    "CARD-OK" = { status = "Accepted", group = "FLEET-1" }
    "CARD-BLOCKED" = { status = "Blocked" }
    "CARD-OLD" = { status = "Accepted", expiry = "2026-01-01T00:00:00Z" }

Each charger whose BootNotification is accepted gets one run; its steps print one line each,
and the finished run writes <out>/<charger id>/<run id>.pdf, .json and .trace.jsonl.
"""

from __future__ import annotations

import asyncio
import dataclasses
import fnmatch
import logging
import pathlib
import tomllib
from typing import Any, Callable

from app.csms import engine as csms_engine
from app.domain import csms_policy, errors, model, runs
from app.report import document, export
from app.services import checklists, checks
from app.services import runs as run_service
from app.storage import runs as run_store

log = logging.getLogger(__name__)
Say = Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class Plan:
    template: checklists.Template
    patterns: tuple[str, ...] = ("*",)
    fields: dict[str, str] = dataclasses.field(default_factory=dict)
    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    connector: int = 1
    tags: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)  # settings id_tags form

    def applies_to(self, charger_id: str) -> bool:
        return any(fnmatch.fnmatchcase(charger_id, pattern) for pattern in self.patterns)


def load(path: pathlib.Path, data_dir: pathlib.Path | None) -> Plan:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise errors.ConfigError(f"The plan {path} cannot be read: {exc}.",
                                 hint="See resources/plans/bench.toml for an example.") from exc
    unknown_keys = set(data) - {"template", "chargers", "connector", "fields", "values", "tags"}
    if unknown_keys:  # a typo ("chargrs") would otherwise run the plan on every charger
        raise errors.ConfigError(f"The plan {path} has unknown entries: {', '.join(sorted(unknown_keys))}.",
                                 hint="A plan has template, chargers, connector, [fields], [values] and [tags].")
    name = data.get("template")
    if not isinstance(name, str) or not name:
        raise errors.ConfigError(f"The plan {path} names no template.", hint='Add template = "bench" (or a .toml path).')
    candidate = (path.parent / name) if name.endswith(".toml") else None
    template = checklists.find(str(candidate) if candidate and candidate.is_file() else name, data_dir,
                               frozenset(checks.CHECKS))
    patterns = data.get("chargers", ["*"])
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise errors.ConfigError(f"The plan {path}: chargers must be a list of id patterns, e.g. [\"CP-*\"].")
    for table in ("fields", "values", "tags"):
        if not isinstance(data.get(table, {}), dict):
            raise errors.ConfigError(f"The plan {path}: [{table}] must be a table of key = value.")
    unknown = set(data.get("values", {})) - {spec.key for spec in template.steps}
    if unknown:
        raise errors.ConfigError(f"The plan {path}: [values] names steps the checklist does not have: "
                                 + ", ".join(sorted(unknown)) + ".",
                                 hint="Step keys: " + ", ".join(spec.key for spec in template.steps))
    automated = sorted(k for k in data.get("values", {}) if any(
        spec.key == k and spec.check and spec.check not in checks.NEEDS_A_PERSON for spec in template.steps))
    if automated:  # a value must not stand in for a check the charger has to pass
        raise errors.ConfigError(f"The plan {path}: [values] gives automated checks a value: {', '.join(automated)}.",
                                 hint="Automated checks run on the charger; [values] is for manual entries and "
                                      "steps that need a person.")
    connector = data.get("connector", 1)
    if not isinstance(connector, int) or isinstance(connector, bool) or connector < 1:
        raise errors.ConfigError(f"The plan {path}: connector must be a number from 1.")
    tags = data.get("tags", {})
    for token, entry in tags.items():
        problem = csms_policy.tag_problem(token, entry)
        if problem:
            raise errors.ConfigError(f"The plan {path}: {problem}.",
                                     hint='A tag is "CARD-1" = { status = "Blocked", expiry = "…", group = "…" }.')
    return Plan(template, tuple(str(p) for p in patterns), {k: str(v) for k, v in data.get("fields", {}).items()},
                dict(data.get("values", {})), connector, {k: dict(v) for k, v in tags.items()})


class PlanRunner:
    """Starts a run of the plan for each charger that boots; on the engine loop."""

    def __init__(self, engine: csms_engine.Engine, plan: Plan, store: run_store.RunStore, out: pathlib.Path,
                 say: Say, once: int | None = None) -> None:
        self.engine, self.plan, self.store, self.out, self.say, self.once = engine, plan, store, out, say, once
        self.started: set[str] = set()
        self.begun = 0  # runs started (--once counts them; `started` holds the chargers running one now)
        self.ignored: set[str] = set()
        self.finished: list[runs.Run] = []
        self.failures: list[str] = []  # runs whose report could not be written
        self._said: dict[str, str] = {}  # each charger's last step line
        # The plan's test tags answer beside (and over) the settings' own, from the first charger on.
        engine.config.id_tags.update(plan.tags)
        engine.subscribe(self._on_event)

    @property
    def all_passed(self) -> bool:
        return not self.failures and all(r.outcome is runs.Outcome.PASSED for r in self.finished)

    def _on_event(self, event: model.Event) -> None:
        if not isinstance(event, model.Booted) or event.status != "Accepted":
            return
        charger_id = event.charger_id
        if charger_id in self.started or charger_id in self.ignored:
            return
        if not self.plan.applies_to(charger_id):
            self.say(f"{charger_id} is not in the plan (chargers = {', '.join(self.plan.patterns)}): no run")
            self.ignored.add(charger_id)  # said once
            return
        if self.once is not None and self.begun >= self.once:
            self.say(f"{charger_id}: no run, --once {self.once} runs are already under way")
            self.ignored.add(charger_id)
            return
        self.started.add(charger_id)
        self.begun += 1
        self.engine.tasks.spawn(f"Plan {self.plan.template.id}", lambda _r: self._run(charger_id),
                                charger_id=charger_id)

    async def _run(self, charger_id: str) -> None:
        urls = self.engine.urls
        run: runs.Run | None = None
        try:
            # An unfinished run of this plan (serve was killed mid-run) is carried on, not started again.
            resume = next((self.store.get(r.id) for r in self.store.list(charger_id)
                           if not r.ended_ms and r.template == self.plan.template.id), None)
            if resume is not None:
                self.say(f"{charger_id} resumes run {resume.id}")
            run = await run_service.execute(
                self.engine, self.store, self.plan.template, charger_id, fields=self.plan.fields,
                values=self.plan.values, headless=True, listener=self._step_done, csms_url=urls[0] if urls else "",
                connector=self.plan.connector, resume=resume)
            done = await asyncio.to_thread(export.export, run, self.engine.journal.path,
                                           export.folder(self.out, charger_id))
            self.say(f"{charger_id} run {run.id} {run.outcome.value.upper()} "
                     f"({_count(run, runs.StepState.PASSED)} passed, {_count(run, runs.StepState.FAILED)} failed, "
                     f"{_count(run, runs.StepState.NOT_APPLICABLE)} n/a) -> {done.pdf}")
        except Exception as exc:  # noqa: BLE001 (a run that cannot finish still counts: --once must end)
            self.failures.append(run.id if run else charger_id)
            log.error("plan run of %s failed", charger_id, exc_info=None if isinstance(exc, errors.CommissionerError)
                      else exc)
            self.say(f"{charger_id} run {run.id if run else '-'} FAILED: it could not be completed or reported: {exc}")
        finally:
            self.started.discard(charger_id)  # a later connection of the same charger gets a run of its own
            if run is not None:
                self.finished.append(run)
            else:
                self.finished.append(runs.Run(id="-", charger_id=charger_id, template=self.plan.template.id,
                                              outcome=runs.Outcome.FAILED))
            if self.once is not None and len(self.finished) >= self.once:
                self.engine.request_stop()

    def _step_done(self, run: runs.Run, step: runs.Step) -> None:
        line = step_line(run, step)
        if line and line != self._said.get(run.charger_id):  # a step is told again as it records more
            self._said[run.charger_id] = line
            self.say(line)


def step_line(run: runs.Run, step: runs.Step) -> str:
    """The line `serve --plan` prints for a step that ended, or for a running one that has a
    session open on the charger (its id: what to stop by hand if this process dies); "" else."""
    if not step.state.done:
        session = step.on_charger.get("transaction") or {}
        if step.state is runs.StepState.RUNNING and session.get("id"):
            return (f"{run.charger_id} step {step.key} running: transaction {session['id']} open on connector "
                    f"{session.get('connector', '')}")
        return ""
    detail = step.reason or "; ".join(
        f"{v.name} {v.value:g} {v.unit}".strip() if isinstance(v.value, (int, float)) else f"{v.name} {v.value}".strip()
        for v in step.values[:4])
    return f"{run.charger_id} step {step.key} {document.VERDICT_WORDS[step.state]}" + (f": {detail}" if detail else "")


def _count(run: runs.Run, state: runs.StepState) -> int:
    return sum(1 for s in run.steps if s.state is state)
