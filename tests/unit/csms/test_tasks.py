"""The engine's TaskRunner: owned tasks with Progress events, cancel and time limits."""

from __future__ import annotations

import asyncio

import pytest

from app.csms import tasks
from app.domain import errors, model


def runner() -> tuple[tasks.TaskRunner, list[model.Progress]]:
    events: list[model.Progress] = []
    return tasks.TaskRunner(events.append, clock=lambda: 1000), events


def states(events: list[model.Progress]) -> list[tuple[str, int, int]]:
    return [(e.state.value, e.done, e.total) for e in events]


async def test_run_reports_progress_and_returns_the_result() -> None:
    run, events = runner()

    async def work(report: tasks.Reporter) -> str:
        report(1, 3, "part 1")
        report(3, 3, "part 3")
        return "rows"

    assert await run.run("Read configuration", work, charger_id="CP1") == "rows"
    assert states(events) == [("running", 0, 0), ("running", 1, 3), ("running", 3, 3), ("done", 3, 3)]
    assert {e.charger_id for e in events} == {"CP1"} and {e.name for e in events} == {"Read configuration"}
    assert events[1].message == "part 1"
    assert run.running() == []


async def test_a_domain_error_fails_the_task_with_its_message() -> None:
    run, events = runner()

    async def work(report: tasks.Reporter) -> None:
        raise errors.OperationRejected("GetBaseReport", "Rejected", "CP1")

    with pytest.raises(errors.OperationRejected):
        await run.run("Read configuration", work)
    assert events[-1].state is model.TaskState.FAILED and "Rejected" in events[-1].message


async def test_time_limit_raises_task_timeout() -> None:
    run, events = runner()

    async def work(report: tasks.Reporter) -> None:
        await asyncio.Event().wait()

    with pytest.raises(errors.TaskTimeoutError):
        await run.run("Firmware update", work, timeout=0.01)
    assert events[-1].state is model.TaskState.TIMED_OUT


async def test_a_timeout_of_the_works_own_is_not_reported_as_the_task_limit() -> None:
    run, events = runner()

    async def work(report: tasks.Reporter) -> None:
        raise TimeoutError("the file server did not answer")

    with pytest.raises(TimeoutError, match="file server"):
        await run.run("Firmware update", work)  # no limit set: never "timed out after 0 s"
    assert events[-1].state is model.TaskState.FAILED and "file server" in events[-1].message


async def test_cancelling_the_caller_cancels_the_task() -> None:
    run, events = runner()
    started = asyncio.Event()

    async def work(report: tasks.Reporter) -> None:
        started.set()
        await asyncio.Event().wait()

    caller = asyncio.ensure_future(run.run("Checklist", work))
    await started.wait()
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert events[-1].state is model.TaskState.CANCELLED
    assert run.running() == []


async def test_close_cancels_every_spawned_task_and_keeps_references_until_then() -> None:
    run, events = runner()
    gate = asyncio.Event()

    async def work(report: tasks.Reporter) -> None:
        await gate.wait()

    first = run.spawn("demo charger A", work, quiet=True)
    second = run.spawn("demo charger B", work, quiet=True)
    assert {t.task_id for t in run.running()} == {first.task_id, second.task_id}
    assert run.cancel(first.task_id) and not run.cancel(12345)
    await asyncio.sleep(0)
    await run.close()
    assert first.task.cancelled() and second.task.cancelled()
    assert run.running() == [] and events == []  # quiet tasks emit no Progress


async def test_an_unexpected_error_is_logged_and_reported(caplog) -> None:
    run, events = runner()

    async def work(report: tasks.Reporter) -> None:
        raise ZeroDivisionError("bug")

    info = run.spawn("Diagnostics", work)
    await asyncio.gather(info.task, return_exceptions=True)
    assert events[-1].state is model.TaskState.FAILED and "ZeroDivisionError" in events[-1].message
    assert any("Diagnostics" in r.getMessage() for r in caplog.records)
