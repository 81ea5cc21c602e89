"""A commissioning run: a template's steps for one charger, each recorded the moment it ends.

`execute` runs the automated checks in order (on the engine loop, as an engine task) and takes
manual values from `values` (a plan's, or the window's entries). Every step is written to the
RunStore when it starts and when it ends, with the ids of the journal frames that prove it, so
a crash loses nothing already shown and `execute(..., resume=run)` carries on where it stopped.

What a check leaves on the charger (`Step.on_charger`, services.leftovers) is undone the next
time the run goes on, whatever the step's state; a step that ends with something still there
failed, saying what. `reset_step` makes a done automated step to do again.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import secrets
import time
from typing import Any, Callable

from app.csms import engine as csms_engine
from app.domain import errors, runs
from app.services import checking, checks, checklists, leftovers, operations
from app.storage import journal as journal_store
from app.storage import runs as run_store

log = logging.getLogger(__name__)
Listener = Callable[[runs.Run, runs.Step], None]
STEP_LIMIT_S = 300.0  # no single check may take longer than this, whatever it waits for
RECONNECT_WAIT_S = 60.0  # a charger that went away mid-run gets this long to come back
UNDO_FIRST = "run the step again with the charger connected: that undoes it first"


def new_run(template: checklists.Template, charger_id: str, fields: dict[str, str] | None = None,
            clock: Callable[[], float] = time.time) -> runs.Run:
    now = clock()
    # UTC (Z), as the report and `commissioner runs` give the times: an id never disagrees with them.
    stamp = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y%m%d-%H%M%SZ")
    fields = dict(fields or {})
    run = runs.Run(id=f"{stamp}-{secrets.token_hex(3)}", charger_id=charger_id, template=template.id,
                   template_name=template.name, technician=fields.get("technician", ""), site=fields.get("site", ""),
                   started_ms=int(now * 1000), fields=fields)
    run.steps = [runs.Step(spec.key, spec.title, spec.kind, spec.required) for spec in template.steps]
    return run


def needs_a_person(spec: checklists.StepSpec) -> bool:
    return spec.kind == "manual" or spec.check in checks.NEEDS_A_PERSON


def judge_entry(spec: checklists.StepSpec, raw: Any) -> tuple[runs.StepState, str, list[runs.Value]]:
    """A manual value against the template: (state, reason, values)."""
    if spec.entry == "number":
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise errors.ConfigError(f"{spec.title}: {raw!r} is not a number.", hint=f"Enter it in {spec.unit or 'numbers'}.")
        value = runs.Value("", number, spec.unit, spec.low, spec.high)  # the step's title names it
        if value.in_limits is False:
            return runs.StepState.FAILED, f"{number:g} {spec.unit} is outside {value.limit_text()}".strip(), [value]
        return runs.StepState.PASSED, "", [value]
    if spec.entry == "passfail":
        text = str(raw).strip().lower()
        if text in ("pass", "passed", "true", "yes", "ok"):
            return runs.StepState.PASSED, "", [runs.Value("", "pass")]
        if text in ("fail", "failed", "false", "no"):
            return runs.StepState.FAILED, "entered as failed", [runs.Value("", "fail")]
        raise errors.ConfigError(f"{spec.title}: enter pass or fail (not {raw!r}).")
    if spec.entry == "choice" and spec.options and str(raw) not in spec.options:
        raise errors.ConfigError(f"{spec.title}: {raw!r} is not one of {', '.join(spec.options)}.")
    if not str(raw).strip():
        raise errors.ConfigError(f"{spec.title}: nothing was entered.")
    return runs.StepState.PASSED, "", [runs.Value("", str(raw))]


async def _journal_mark(engine: csms_engine.Engine) -> int:
    """The journal's newest frame id, once everything so far is written."""
    def read() -> int:
        engine.journal.flush()
        reader = engine.journal.reader()
        try:
            return reader.max_id()
        finally:
            reader.close()
    return await asyncio.to_thread(read)


async def _evidence(engine: csms_engine.Engine, charger_id: str, after: int, upto: int) -> list[int]:
    def read() -> list[int]:
        reader = engine.journal.reader()
        try:
            return reader.ids(journal_store.FrameFilter(charger_id=charger_id), after_id=after, upto_id=upto, limit=500)
        finally:
            reader.close()
    return await asyncio.to_thread(read)


async def execute(engine: csms_engine.Engine, store: run_store.RunStore, template: checklists.Template,
                  charger_id: str, *, fields: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                  headless: bool = True, listener: Listener | None = None, resume: runs.Run | None = None,
                  csms_url: str = "", connector: int = 1, reconnect_wait: float = RECONNECT_WAIT_S,
                  only: frozenset[str] | None = None, present: frozenset[str] = frozenset(),
                  vault: Any = None) -> runs.Run:
    """Run (or resume) the template's steps on one charger. On the engine loop.

    `only`: just these steps (the others stay as they are). `present`: checks that need someone at
    the charger (the RFID tag) that may run now, because the technician said they are there.
    `vault`: where a password a step gives the charger is kept (storage.vault.Vault; None: the OS keyring)."""
    values = dict(values or {})
    tell = listener or (lambda run, step: None)
    run = resume or new_run(template, charger_id, fields)
    run.csms_url = run.csms_url or csms_url
    if run.first_frame_id is None:  # 0 is a mark too: frames from an empty journal on are the run's
        run.first_frame_id = await _journal_mark(engine)
    run.ended_ms = 0
    store.save(run)
    wait = [reconnect_wait]  # one reconnect wait per run: after it ran out, the next steps do not wait again
    await _put_back(engine, store, run, template, tell, connector, wait)
    for spec in template.steps:
        step = run.step(spec.key)
        if step.state.done or (only is not None and spec.key not in only):
            continue  # resumed: what was recorded stands
        await _do_step(engine, store, run, step, spec, values, headless, tell, connector, wait,
                       person=spec.key in present, vault=vault)
    run.last_frame_id = await _journal_mark(engine)
    run.ended_ms = int(time.time() * 1000)
    run.outcome = run.judge()
    store.save_run(run)
    return run


async def _do_step(engine: csms_engine.Engine, store: run_store.RunStore, run: runs.Run, step: runs.Step,
                   spec: checklists.StepSpec, values: dict[str, Any], headless: bool, tell: Listener,
                   connector: int = 1, reconnect_wait: list[float] | None = None, person: bool = False,
                   vault: Any = None) -> None:
    step.started_ms = int(time.time() * 1000)
    if spec.key in values or (spec.kind == "manual" and not headless):
        if spec.key not in values:
            return  # the window asks the technician; the step waits as pending
        try:
            step.state, step.reason, step.values = judge_entry(spec, values[spec.key])
        except errors.ConfigError as exc:
            step.state, step.reason = runs.StepState.FAILED, exc.message
        _to_header(run, step)
        store.save_run(run)
        _ended(store, run, step, tell)
        return
    if needs_a_person(spec) and not person:
        if headless:
            step.state, step.reason = runs.StepState.NOT_APPLICABLE, "needs a person at the charger (not in the plan)"
            _ended(store, run, step, tell)
        return
    wait = reconnect_wait if reconnect_wait is not None else [RECONNECT_WAIT_S]
    if not await _connected(engine, run.charger_id, wait[0]):
        step.state, step.reason = runs.StepState.FAILED, "the charger is not connected"
        wait[0] = 0.0
        _still_there(step)
        _ended(store, run, step, tell)
        return
    # What this step's check left on the charger and _put_back could not reach (the charger came
    # back only now) is undone before the check runs afresh.
    if step.on_charger and not await _undo_left(engine, store, run, step, spec, tell, connector):
        return
    step.state = runs.StepState.RUNNING
    store.save_step(run, step)
    tell(run, step)
    before = await _journal_mark(engine)
    ctx = _context(engine, store, run, step, spec, tell, connector, vault)
    try:
        # A check with a longer time of its own (a firmware update) gets it, plus a margin.
        limit = max(STEP_LIMIT_S, (spec.timeout or 0) + 60)
        async with asyncio.timeout(limit):
            step.values = await checks.CHECKS[spec.check](ctx)
        step.state, step.reason = runs.StepState.PASSED, ""
    except checks.Failed as exc:
        step.state, step.reason = runs.StepState.FAILED, str(exc)
    except checks.NotApplicable as exc:
        step.state, step.reason = runs.StepState.NOT_APPLICABLE, str(exc)
    except TimeoutError:
        step.state, step.reason = runs.StepState.FAILED, f"the check took longer than {limit:g} s"
    except errors.CommissionerError as exc:
        step.state, step.reason = runs.StepState.FAILED, exc.message
    except Exception as exc:  # a bug or a charger's oddity we did not foresee: the step fails, the run goes on
        log.error("check %s on %s failed unexpectedly", spec.check, run.charger_id, exc_info=exc)
        step.state, step.reason = runs.StepState.FAILED, f"internal error: {type(exc).__name__}: {exc}"
    _still_there(step)
    run.identity = {k: str(v) for k, v in run.identity.items() if v not in (None, "")}
    step.ended_ms = int(time.time() * 1000)
    window = await _evidence(engine, run.charger_id, before, await _journal_mark(engine))
    step.evidence = sorted(set(step.evidence) | set(ctx.evidence) | set(window))  # with the undo's, if any
    store.save_step(run, step)
    store.save_run(run)  # identity and fields a check captured
    tell(run, step)


def _context(engine: csms_engine.Engine, store: run_store.RunStore, run: runs.Run, step: runs.Step,
             spec: checklists.StepSpec, tell: Listener, connector: int, vault: Any = None) -> checks.Context:
    def keep() -> None:  # what the check now leaves on the charger: on disk at once
        store.save_step(run, step)
        tell(run, step)

    # The tag a remote start names: the run's own ("test_tag" field, e.g. a card from the test tags), else the default.
    tag = run.fields.get("test_tag") or operations.TEST_TAG
    return checks.Context(engine, run.charger_id, run, step, connector=connector, test_tag=tag,
                          timeout=spec.timeout or 30.0,
                          high=spec.high, low=spec.low, template=spec.template, firmware=spec.firmware, store=store,
                          keep=keep, vault=vault)


def _still_there(step: runs.Step) -> None:
    """A check that ended leaving something on the charger did not pass: its reason says what is
    there still (the record stays, so the run's next go undoes it)."""
    left = leftovers.still_there(step.on_charger)
    if not left:
        return
    if step.state is not runs.StepState.FAILED:
        step.state, step.reason = runs.StepState.FAILED, ""
    step.reason = "; ".join(p for p in (step.reason, left, UNDO_FIRST) if p)


async def _put_back(engine: csms_engine.Engine, store: run_store.RunStore, run: runs.Run,
                    template: checklists.Template, tell: Listener, connector: int, wait: list[float]) -> None:
    """Before the run goes on, whatever any step's check left on the charger is undone: a done
    step's (its check could not), a running one's (the app stopped under it), a reset one's.
    Without the charger, the steps keep their records (and say what is still there)."""
    left = [s for s in run.steps if s.on_charger]
    if not left:
        return
    if not await _connected(engine, run.charger_id, wait[0]):
        wait[0] = 0.0
        return
    specs = {spec.key: spec for spec in template.steps}
    for step in left:
        await _undo_left(engine, store, run, step, specs.get(step.key) or checklists.StepSpec(step.key, step.title),
                         tell, connector)


async def _undo_left(engine: csms_engine.Engine, store: run_store.RunStore, run: runs.Run, step: runs.Step,
                     spec: checklists.StepSpec, tell: Listener, connector: int) -> bool:
    """Undo what the step's check left on the charger; the step's note says what was put back.
    False when it could not: the step failed, saying what is still there and what to do."""
    resumed = step.state is runs.StepState.RUNNING  # the app stopped under the check
    before = await _journal_mark(engine)
    ctx = _context(engine, store, run, step, spec, tell, connector)
    failure = ""
    was = leftovers.still_there(step.on_charger)  # what the step's reason may say is still there
    try:
        async with asyncio.timeout(STEP_LIMIT_S):
            undone = await leftovers.undo(ctx, dict(step.on_charger))
    except checks.Failed as exc:
        failure = str(exc)  # says what is still there, and what to do
    except TimeoutError:
        failure = (f"putting back what the check left took longer than {STEP_LIMIT_S:g} s: "
                   f"{leftovers.still_there(step.on_charger)}; {UNDO_FIRST}")
    except errors.CommissionerError as exc:
        failure = f"{exc.message}: {leftovers.still_there(step.on_charger)}; {UNDO_FIRST}"
    if failure:
        step.state, step.reason = runs.StepState.FAILED, failure
        step.started_ms = step.started_ms or int(time.time() * 1000)
        step.ended_ms = int(time.time() * 1000)
    elif undone:
        said = f"Resumed after a restart: {undone}." if resumed else f"Put back before the run went on: {undone}."
        step.note = "; ".join(p for p in (step.note, said) if p)
        if step.state.done and was and was in step.reason:  # the reason must not say it is still there
            reason = step.reason
            for gone in (was, UNDO_FIRST):
                reason = reason.replace(f"; {gone}", "").replace(gone, "")
            step.reason = reason.strip("; ") or f"the check could not put back what it changed (put back since: {undone})"
    window = await _evidence(engine, run.charger_id, before, await _journal_mark(engine))
    step.evidence = sorted(set(step.evidence) | set(ctx.evidence) | set(window))
    store.save_step(run, step)
    tell(run, step)
    return not failure


HEADER_STEPS = ("site", "technician", "customer")  # an entry of these is also the report's header


def _to_header(run: runs.Run, step: runs.Step) -> None:
    """The site, technician or customer entered as a step: the run (and the report's cover) says it too."""
    if step.key not in HEADER_STEPS or not step.values or step.state is not runs.StepState.PASSED:
        return
    text = str(step.values[0].value).strip()
    if text:
        run.fields[step.key] = text
        if step.key == "site":
            run.site = text
        elif step.key == "technician":
            run.technician = text


def _ended(store: run_store.RunStore, run: runs.Run, step: runs.Step, tell: Listener) -> None:
    """A step that ended without a check running: recorded and told at once."""
    step.ended_ms = int(time.time() * 1000)
    store.save_step(run, step)
    tell(run, step)


def _settle(store: run_store.RunStore, run: runs.Run, step: runs.Step) -> runs.Step:
    """A step the technician ended (entry, skip): recorded with the run's new outcome."""
    step.ended_ms = int(time.time() * 1000)
    store.save_step(run, step)
    run.outcome = run.judge()
    store.save_run(run)
    return step


async def _connected(engine: csms_engine.Engine, charger_id: str, wait: float) -> bool:
    """Connected now, or back within `wait` seconds (a charger rebooting on its own)."""
    def now() -> bool:
        info = engine.registry.chargers.get(charger_id)
        return info is not None and info.connected
    return await checking.poll(now, wait) is not None


def record_entry(store: run_store.RunStore, run: runs.Run, spec: checklists.StepSpec, raw: Any,
                 note: str = "") -> runs.Step:
    """A manual entry from the window, judged and written at once. Raises ConfigError for bad input."""
    step = run.step(spec.key)
    step.state, step.reason, step.values = judge_entry(spec, raw)
    _to_header(run, step)
    step.note = note or step.note
    step.started_ms = step.started_ms or int(time.time() * 1000)
    return _settle(store, run, step)


def templates(data_dir) -> dict[str, checklists.Template]:
    """The checklists a technician can pick: shipped ones and their own (<data dir>/checklists)."""
    return checklists.available(data_dir, frozenset(checks.CHECKS))


def report_folder(base, charger_id: str):
    """Where a charger's reports go under `base` (its id, made a safe folder name)."""
    from app.report import export
    return export.folder(base, charger_id)


def export_report(run: runs.Run, journal_path, out_dir, progress=None):
    """PDF + JSON + trace of a run (blocking: from a worker thread). report.export.Exported."""
    from app.report import export
    return export.export(run, journal_path, out_dir, progress)


def spec_of(template: checklists.Template, key: str) -> checklists.StepSpec:
    return next(spec for spec in template.steps if spec.key == key)


AGAIN = (runs.StepState.PASSED, runs.StepState.FAILED, runs.StepState.NOT_APPLICABLE)  # what reset_step takes


def can_run_again(step: runs.Step) -> bool:
    """An automated check that ended (passed, failed, n/a) can be made to do again."""
    return step.kind == "auto" and step.state in AGAIN


def reset_step(store: run_store.RunStore, run: runs.Run, key: str) -> runs.Step:
    """A done automated step back to pending, to run again (`execute` with resume=run): its verdict,
    values and evidence go; what its check left on the charger stays recorded, so it is undone
    before the check runs afresh. The run is unfinished again until then."""
    step = run.step(key)
    if not can_run_again(step):
        raise errors.ConfigError(f"“{step.title}” is {step.state.value}: only an automatic check that ended "
                                 "(passed, failed or n/a) can be run again.",
                                 hint="Run automatic checks does the steps still to do.")
    step.state, step.reason, step.note = runs.StepState.PENDING, "", ""
    step.values, step.evidence, step.series = [], [], []
    step.started_ms = step.ended_ms = 0
    store.save_step(run, step)
    run.ended_ms = 0
    run.outcome = run.judge()
    store.save_run(run)
    return step


def skip(store: run_store.RunStore, run: runs.Run, key: str, reason: str) -> runs.Step:
    """The technician skips a step, saying why (an optional step, or one that cannot be done here)."""
    step = run.step(key)
    step.state, step.reason = runs.StepState.SKIPPED, reason or "skipped by the technician"
    return _settle(store, run, step)


PHOTO_LABELS = ("Breaker / protective device", "Cable entry", "Installed unit", "Rating label", "Other")
SIGNERS = ("Technician", "Customer")


def files_dir(data_dir, run: runs.Run):
    """Where a run's photos, signatures and console logs are kept (copied in: the report never depends on the original)."""
    import pathlib
    return pathlib.Path(data_dir) / "run-files" / run.id


def attach(store: run_store.RunStore, data_dir, run: runs.Run, kind: str, label: str, source=None,
           data: bytes | None = None, name: str = "", suffix: str = ".png") -> dict[str, Any]:
    """A photo or a console session log (kind "console_log", copied from `source`) or a signature (PNG `data`),
    recorded with the run at once."""
    import pathlib
    import shutil
    folder = files_dir(data_dir, run)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        number = len(run.attachments) + 1
        while any(folder.glob(f"{number:02d}-*")):  # never over a file kept before (a run reloaded from disk)
            number += 1
        if source is not None:
            source = pathlib.Path(source)
            target = folder / f"{number:02d}-{kind}{source.suffix.lower() or suffix}"
            shutil.copyfile(source, target)
        else:
            target = folder / f"{number:02d}-{kind}{suffix}"
            target.write_bytes(data or b"")
    except OSError as exc:
        raise errors.StorageError(f"Cannot keep the {kind}: {exc.strerror or exc}.",
                                  hint="Check that the data folder is writable and the disk is not full.") from exc
    entry = {"kind": kind, "label": label, "file": str(target), "name": name, "time_ms": int(time.time() * 1000)}
    run.attachments.append(entry)
    store.save_run(run)
    return entry


def save_as_template(run: runs.Run, template: checklists.Template, data_dir, name: str) -> checklists.Template:
    """A run duplicated as a new checklist in <data dir>/checklists: the same steps, with this run's
    entries as the hints of the manual steps (a site's cable size, a bench's technician)."""
    import pathlib
    import re
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "checklist"
    folder = pathlib.Path(data_dir) / "checklists"
    lines = [f"# Duplicated from run {run.id} ({template.name})", f"id = {_toml(slug)}", f"name = {_toml(name)}",
             f"description = {_toml('From run ' + run.id + ' of ' + run.charger_id)}"]
    for spec in template.steps:
        step = run.step(spec.key)
        entered = next((f"{v.value:g} {v.unit}".strip() if isinstance(v.value, float) else str(v.value)
                        for v in step.values), "") if spec.kind == "manual" else ""
        lines += ["", "[[step]]", f"key = {_toml(spec.key)}", f"title = {_toml(spec.title)}"]
        lines.append(f"check = {_toml(spec.check)}" if spec.check else f"entry = {_toml(spec.entry)}")
        for field in ("unit", "low", "high", "timeout"):
            value = getattr(spec, field)
            if value not in (None, ""):
                lines.append(f"{field} = {_toml(value)}")
        if not spec.required:
            lines.append("required = false")
        if spec.options:
            lines.append("options = [" + ", ".join(_toml(o) for o in spec.options) + "]")
        hint = spec.hint or (f"Last time: {entered}" if entered else "")
        if hint:
            lines.append(f"hint = {_toml(hint)}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{slug}.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as exc:
        raise errors.StorageError(f"Cannot save the checklist: {exc.strerror or exc}.",
                                  hint="Check that the data folder is writable.") from exc
    return checklists.load_file(path, frozenset(checks.CHECKS))


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    import json
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def to_carry_on(store: run_store.RunStore) -> list[runs.Run]:
    """Each charger's latest run when it is not finished (stopped mid-way, or steps still to do)."""
    latest: dict[str, runs.Run] = {}
    for run in store.list():  # newest first
        latest.setdefault(run.charger_id, run)
    return [r for r in latest.values() if not r.ended_ms or r.outcome is runs.Outcome.INCOMPLETE]
