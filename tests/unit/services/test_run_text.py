"""What runs say in text: the lines `serve --plan` prints for each step, a run's id."""

from __future__ import annotations

from app.domain import runs
from app.services import checklists, checks, plans
from app.services import runs as run_service


def _run(step: runs.Step) -> runs.Run:
    run = runs.Run(id="r", charger_id="CP-1", template="bench")
    run.steps = [step]
    return run


def test_a_value_rounded_from_just_below_zero_reads_0_not_minus_0() -> None:
    step = runs.Step("clock", "Clock", "auto", state=runs.StepState.PASSED,
                     values=[runs.Value("clock skew", round(-0.04, 1), "s", -60.0, 60.0)])
    assert plans.step_line(_run(step), step) == "CP-1 step clock PASSED: clock skew 0 s"
    # A run stored before the fix reads back the same way.
    again = runs.Step.from_dict({**step.to_dict(), "values": [{"name": "skew", "value": -0.0, "unit": "s"}]})
    assert f"{again.values[0].value:g}" == "0"


def test_a_step_still_running_prints_nothing() -> None:
    step = runs.Step("boot", "Boot", "auto", state=runs.StepState.RUNNING)
    assert plans.step_line(_run(step), step) == ""


def test_a_run_id_is_stamped_in_utc_and_says_so() -> None:
    bench = checklists.find("bench", None, frozenset(checks.CHECKS))
    run = run_service.new_run(bench, "CP-1", clock=lambda: 1_796_317_260.0)  # 2026-12-03 17:01:00 UTC
    assert run.id.startswith("20261203-170100Z-") and run.started_ms == 1_796_317_260_000


def test_a_running_step_with_a_session_open_names_it() -> None:
    step = runs.Step("test_charge", "Test charge", "auto", state=runs.StepState.RUNNING,
                     on_charger={"transaction": {"id": "1234", "connector": "1"}})
    assert plans.step_line(_run(step), step) == "CP-1 step test_charge running: transaction 1234 open on connector 1"
    step.on_charger["transaction"]["id"] = ""  # asked for, not started yet: nothing to say
    assert plans.step_line(_run(step), step) == ""
