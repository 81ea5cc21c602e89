"""Owned tasks on the engine loop: referenced while they run, cancellable, timed out, reported.

Every long piece of work (a report read, a firmware update, a checklist, a demo charger) runs
as a task of the engine's `TaskRunner` (ARCHITECTURE.md habit 4): it keeps a reference (asyncio
keeps only weak ones), cancels everything on stop, applies a time limit, and emits `Progress`
events (running ... done / failed / cancelled / timed out) that the window turns into a progress
bar and the CLI into a line. Loop-thread only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
from typing import Any, Awaitable, Callable, Coroutine, TypeVar

from app.domain import errors, model

log = logging.getLogger(__name__)
T = TypeVar("T")


class Reporter:
    """Handed to a task's work: `report(done, total, message)` emits a Progress event."""

    def __init__(self, runner: TaskRunner, task_id: int, name: str, charger_id: str) -> None:
        self._runner = runner
        self.task_id = task_id
        self.name = name
        self.charger_id = charger_id
        self.done = 0
        self.total = 0

    def __call__(self, done: int = 0, total: int = 0, message: str = "") -> None:
        self.done, self.total = done, total
        self._runner.emit_progress(self, model.TaskState.RUNNING, message)


Work = Callable[[Reporter], Coroutine[Any, Any, T]]


@dataclasses.dataclass
class TaskInfo:
    task_id: int
    name: str
    charger_id: str
    task: asyncio.Task


class TaskRunner:
    def __init__(self, emit: Callable[[model.Event], None], clock: Callable[[], int]) -> None:
        self._emit = emit
        self._clock = clock
        self._ids = itertools.count(1)
        self._tasks: dict[int, TaskInfo] = {}

    def spawn(self, name: str, work: Work[T], *, charger_id: str = "", timeout: float | None = None,
              quiet: bool = False) -> TaskInfo:
        """Start `work(reporter)` as an owned task. `quiet`: no Progress events (e.g. demo chargers)."""
        task_id = next(self._ids)
        reporter = Reporter(self, task_id, name, charger_id)
        task = asyncio.ensure_future(self._run(reporter, work, timeout, quiet))
        info = TaskInfo(task_id, name, charger_id, task)
        self._tasks[task_id] = info
        task.add_done_callback(lambda t, tid=task_id: self._ended(tid, t))
        return info

    def _ended(self, task_id: int, task: asyncio.Task) -> None:
        self._tasks.pop(task_id, None)
        if not task.cancelled():
            task.exception()  # retrieved: its failure was reported (Progress) and logged if unexpected

    async def run(self, name: str, work: Work[T], *, charger_id: str = "", timeout: float | None = None) -> T:
        """Spawn and await. Cancelling the caller cancels the task (e.g. the technician's Cancel)."""
        info = self.spawn(name, work, charger_id=charger_id, timeout=timeout)
        try:
            return await asyncio.shield(info.task)
        except asyncio.CancelledError:
            info.task.cancel()
            await asyncio.gather(info.task, return_exceptions=True)
            raise

    def cancel(self, task_id: int) -> bool:
        info = self._tasks.get(task_id)
        if info is None:
            return False
        info.task.cancel()
        return True

    def running(self) -> list[TaskInfo]:
        return list(self._tasks.values())

    async def close(self) -> None:
        """Cancel every task and wait for them to end (engine stop)."""
        tasks = [info.task for info in self._tasks.values()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def emit_progress(self, reporter: Reporter, state: model.TaskState, message: str = "") -> None:
        self._emit(model.Progress(reporter.charger_id, self._clock(), reporter.task_id, reporter.name, state,
                                  reporter.done, reporter.total, message))

    async def _run(self, reporter: Reporter, work: Work[T], timeout: float | None, quiet: bool) -> T:
        report = (lambda state, message="": None) if quiet else (
            lambda state, message="": self.emit_progress(reporter, state, message))
        report(model.TaskState.RUNNING)
        limit = asyncio.timeout(timeout)
        try:
            async with limit:
                result = await _awaitable(work(reporter))
        except TimeoutError as exc:
            if not limit.expired():  # a TimeoutError of the work's own, not our limit
                report(model.TaskState.FAILED, f"TimeoutError: {exc}")
                raise
            report(model.TaskState.TIMED_OUT)
            raise errors.TaskTimeoutError(reporter.name, timeout or 0) from None
        except asyncio.CancelledError:
            report(model.TaskState.CANCELLED)
            raise
        except errors.CommissionerError as exc:
            report(model.TaskState.FAILED, str(exc))
            raise
        except Exception as exc:
            log.error("task %s (%s) failed", reporter.name, reporter.charger_id or "-", exc_info=exc)
            report(model.TaskState.FAILED, f"{type(exc).__name__}: {exc}")
            raise
        report(model.TaskState.DONE)
        return result


async def _awaitable(value: Awaitable[T]) -> T:
    return await value
