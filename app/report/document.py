"""A run as the report's data: what the JSON holds and the PDF shows (schema in resources/schemas)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from app import __version__
from app.domain import runs
from app.report import trace

SCHEMA_VERSION = 1
NBSP = "\u00a0"  # between a number and its unit: "10 s" is never cut at the end of a line
VERDICT_WORDS = {runs.StepState.PASSED: "PASSED", runs.StepState.FAILED: "FAILED",
                 runs.StepState.SKIPPED: "SKIPPED", runs.StepState.NOT_APPLICABLE: "N/A",
                 runs.StepState.PENDING: "OPEN", runs.StepState.RUNNING: "OPEN"}


def iso(ms: int) -> str:
    if not ms:
        return ""
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).isoformat(timespec="seconds")


def configuration(run: runs.Run, changes: list[dict[str, Any]]) -> dict[str, Any]:
    """The settings as read at the run's start, the changes made (old -> new), and so the end state."""
    try:
        at_start = json.loads(run.fields.get("configuration at start", "{}"))
    except ValueError:
        at_start = {}
    at_end = dict(at_start)
    listed = []
    for change in changes:
        old = at_end.get(change["name"], "")
        listed.append({"name": change["name"], "old": _masked(change["name"], old), "new": change["new"],
                       "time": iso(change["time_ms"])})
        at_end[change["name"]] = change["new"]
    return {"read": bool(at_start), "changes": listed,
            "at_end": {k: _masked(k, v) for k, v in sorted(at_end.items())}}


def _masked(name: str, value: str) -> str:
    """A setting's value for the report: secrets (passwords, keys) masked."""
    return trace.MASK if trace.is_secret(name) else value


def number(value: Any) -> Any:
    """A measured value as the report gives it: -0.0 (a clock skew of -0.04 s, rounded) is 0.0."""
    return 0.0 if isinstance(value, float) and value == 0 else value


def figure(value: Any, places: int | None = None) -> str:
    """A value as the report writes it: an integer whole (a transaction id), a float in 6 significant
    digits or with `places` decimals, never "-0"; text as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if places is None:
        return f"{number(float(value)):g}"
    return f"{number(round(float(value), places)):.{places}f}"


def _places(value: Any) -> int:
    """The decimals a float is written with ("10.25": 2, "8": 0); an integer has none."""
    if isinstance(value, bool) or not isinstance(value, float):
        return 0
    text = f"{value:g}"
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def limits(low: float | None, high: float | None, unit: str = "", value: Any = None) -> str:
    """What a value may be, in words a customer reads: "allowed 8.0–12.0 s" (a range is written with
    the decimals of the value it bounds), "allowed ±5 s", "allowed ≥ 3 kWh", "allowed ≤ 5 s"; "" without limits.
    A number keeps its unit and its sign on its line (no-break spaces)."""
    unit = f"{NBSP}{unit}" if unit else ""
    if low is not None and high is not None:
        places = max(_places(x) for x in (low, high, value))
        if low == -high and high > 0:
            return f"allowed ±{figure(float(high), places)}{unit}"
        between = " to " if low < 0 else "–"  # "-10 to -5", not "-10–-5"
        return f"allowed {figure(float(low), places)}{between}{figure(float(high), places)}{unit}"
    if low is not None:
        return f"allowed ≥{NBSP}{figure(low)}{unit}"
    if high is not None:
        return f"allowed ≤{NBSP}{figure(high)}{unit}"
    return ""


def value_text(value: dict[str, Any]) -> str:
    """A step's value as the report reads: "interval measured: 10.2 s (allowed 8.0–12.0 s)"; a value
    outside its limits says so: "clock skew: 7.5 s (allowed ±5 s: not met)"."""
    text = f"{figure(value['value'])}{NBSP}{value['unit']}" if value.get("unit") else figure(value["value"])
    allowed = limits(value.get("low"), value.get("high"), value.get("unit", ""), value["value"])
    if allowed:
        text += f" ({allowed}{': not met' if value.get('in_limits') is False else ''})"
    return (f"{value['name']}: " if value.get("name") else "") + text


def duration_text(seconds: float) -> str:
    """"45 s", "1 min 12 s", "2 h 5 min": a duration as a customer reads it, to the second."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def charge_caption(step: dict[str, Any]) -> str:
    """The test charge in one line: "Test charge: 1 min 12 s, 0.35 kWh delivered, peak 7.2 kW".

    The step's own values where it has them (the session from start to stop, the energy by the
    transaction's meter start and stop), else what its readings (`series`) show.
    """
    values = {v["name"]: v for v in step["values"] if isinstance(v["value"], (int, float))}
    series = step["series"]
    if "duration" in values:
        duration = float(values["duration"]["value"])
    else:
        duration = (series[-1][0] - series[0][0]) / 1000 if series else 0.0
    energy = values.get("energy delivered") or {
        "value": round((series[-1][2] - series[0][2]) / 1000, 3) if series else 0.0, "unit": "kWh"}
    peak = values.get("peak power") or {"value": round(max((p[1] for p in series), default=0.0) / 1000, 2),
                                        "unit": "kW"}
    parts = [duration_text(duration), f"{figure(energy['value'])} {energy['unit']}".strip() + " delivered"]
    if peak["value"]:  # a charger that reports no power has no peak to name
        parts.append(f"peak {figure(peak['value'])} {peak['unit']}".strip())
    return "Test charge: " + ", ".join(parts)


def count(number: int, noun: str, plural: str = "") -> str:
    """"1 frame", "2 frames", "0 frames"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def build(run: runs.Run, written: trace.Written, trace_file: str,
          changes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The report of `run`; `written`: its trace file as written (trace.write), named `trace_file`."""
    trace_data: dict[str, Any] = {"file": trace_file, "frames": written.frames, "sha256": written.sha256,
                                  "frames_outside_run": written.outside_run}
    if written.frames:  # the ids of the first and last line of the trace file (an empty one has none)
        trace_data |= {"first_frame_id": written.first_frame_id, "last_frame_id": written.last_frame_id}
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"Commissioner {__version__}",
        "run": {
            "id": run.id, "charger_id": run.charger_id, "template": run.template, "template_name": run.template_name,
            "technician": run.technician, "site": run.site, "started": iso(run.started_ms), "ended": iso(run.ended_ms),
            "outcome": run.outcome.value, "ocpp_version": run.ocpp_version, "csms_url": run.csms_url,
        },
        "charger": dict(run.identity),
        "fields": {k: v for k, v in run.fields.items() if k != "configuration at start"},
        "steps": [{
            "key": s.key, "title": s.title, "kind": s.kind, "required": s.required, "state": s.state.value,
            "verdict": VERDICT_WORDS[s.state], "reason": s.reason, "note": s.note,
            "started": iso(s.started_ms), "ended": iso(s.ended_ms),
            "values": [{"name": v.name, "value": number(v.value), "unit": v.unit, "low": number(v.low),
                        "high": number(v.high), "in_limits": v.in_limits} for v in s.values],
            "evidence": list(s.evidence), "files": list(s.files), "series": [list(p) for p in s.series],
        } for s in run.steps],
        "attachments": [{"kind": a.get("kind", ""), "label": a.get("label", ""), "file": a.get("file", ""),
                         "name": a.get("name", ""), "time": iso(int(a.get("time_ms", 0)))} for a in run.attachments],
        "configuration": configuration(run, changes or []),
        "trace": trace_data,
    }
