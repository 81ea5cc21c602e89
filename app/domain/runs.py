"""A commissioning run: one charger, one checklist, every step with its verdict and evidence.

Plain data: services fill it, storage keeps it (as each step ends), report renders it.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any


class StepState(str, enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_APPLICABLE = "not applicable"

    @property
    def done(self) -> bool:
        return self not in (StepState.PENDING, StepState.RUNNING)


class Outcome(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    INCOMPLETE = "incomplete"


@dataclasses.dataclass
class Value:
    """A measured or entered value, with its unit and the template's limits."""

    name: str
    value: float | str
    unit: str = ""
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        # A reading rounded from just below zero (a clock skew of -0.04 s) is 0, never "-0".
        if isinstance(self.value, float) and self.value == 0:
            self.value = 0.0

    @property
    def in_limits(self) -> bool | None:
        if not isinstance(self.value, (int, float)) or (self.low is None and self.high is None):
            return None
        return (self.low is None or self.value >= self.low) and (self.high is None or self.value <= self.high)

    def limit_text(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low:g} … {self.high:g} {self.unit}".strip()
        if self.low is not None:
            return f"≥ {self.low:g} {self.unit}".strip()
        if self.high is not None:
            return f"≤ {self.high:g} {self.unit}".strip()
        return ""


@dataclasses.dataclass
class Step:
    key: str
    title: str
    kind: str  # "auto" (an automated check) or "manual" (the technician enters it)
    required: bool = True
    state: StepState = StepState.PENDING
    reason: str = ""  # why it failed, was skipped or is not applicable
    values: list[Value] = dataclasses.field(default_factory=list)
    evidence: list[int] = dataclasses.field(default_factory=list)  # journal frame ids
    files: list[str] = dataclasses.field(default_factory=list)
    # A check's time series, e.g. the test charge: [ms since the step began, power W, energy Wh]
    series: list[list[float]] = dataclasses.field(default_factory=list)
    note: str = ""
    started_ms: int = 0
    ended_ms: int = 0
    # What the running check has done to the charger and not yet undone, written the moment it
    # happens, so a run resumed after a crash undoes it before the check runs afresh:
    # {"transaction": {"id": "" (not known yet) | id, "connector": "1" | "1/1",
    #                  "already": [ids of the sessions running before the check's start: not its own]},
    #  "settings": {1.6 key | 2.x "Component.Variable": the value to put back},
    #  "set_to": {the same name: the value the check set it to}}
    # A step that ends with something still here failed (the check could not undo it); the
    # run's next go (`services.runs.execute`) undoes it first.
    on_charger: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["state"] = self.state.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        data = dict(data)
        data["state"] = StepState(data.get("state", "pending"))
        data["values"] = [Value(**v) for v in data.get("values", [])]
        return cls(**data)


@dataclasses.dataclass
class Run:
    id: str
    charger_id: str
    template: str  # the template's id
    template_name: str = ""
    technician: str = ""
    site: str = ""
    started_ms: int = 0
    ended_ms: int = 0
    outcome: Outcome = Outcome.INCOMPLETE
    steps: list[Step] = dataclasses.field(default_factory=list)
    fields: dict[str, str] = dataclasses.field(default_factory=dict)  # manual entries: site, customer...
    identity: dict[str, str] = dataclasses.field(default_factory=dict)  # vendor, model, serial, firmware...
    ocpp_version: str = ""
    csms_url: str = ""
    # The journal frames of the run: (first_frame_id, last_frame_id]. None: not marked yet (a run
    # made but never executed); 0 is a mark too (the journal was empty when the run began).
    first_frame_id: int | None = None
    last_frame_id: int = 0
    # Photos and signatures: {"kind": "photo" | "signature", "label", "file" (in the run's folder),
    # "name" (who signed), "time_ms"}
    attachments: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def judge(self) -> Outcome:
        """Failed if a required step failed; incomplete while a required step is not done."""
        required = [s for s in self.steps if s.required]
        if any(s.state is StepState.FAILED for s in required):
            return Outcome.FAILED
        if any(not s.state.done for s in required):
            return Outcome.INCOMPLETE
        return Outcome.PASSED

    def header_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "steps"}
        data["outcome"] = self.outcome.value
        return data
