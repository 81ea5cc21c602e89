"""The GUI's only door to the CSMS engine, which runs on its own loop in a worker thread.

Engine events are queued by the engine thread and delivered to the GUI thread in batches
(`EVENT_INTERVAL_MS`, ~10 per second) through a queued signal, so 1,000 frames/s cost the GUI
ten slot calls, not a thousand. Operations return asyncio futures on the GUI's qasync loop,
wrapped around the engine's thread-safe futures.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import threading
from typing import Any, Callable, Coroutine

from PySide6 import QtCore

from app.domain import errors, model

EVENT_INTERVAL_MS = 100
MAX_BATCH = 50_000  # the GUI catches up from the journal if more piled up


class EngineBridge(QtCore.QObject):
    """Signals for the views; `call`/`send` for the technician's operations."""

    events = QtCore.Signal(list)  # a batch of model.Event, oldest first
    frames_arrived = QtCore.Signal(int)  # how many frames the batch held
    chargers_changed = QtCore.Signal(list)  # snapshot: list[model.ChargerInfo]
    progress = QtCore.Signal(object)  # model.Progress, the latest of each task in a batch
    failed = QtCore.Signal(object)  # a domain error the engine hit on its own (e.g. the journal)
    refused = QtCore.Signal(object)  # model.ConnectionRefused: a handshake the CSMS turned away
    _snapshot_ready = QtCore.Signal(object)  # emitted on the engine thread, delivered queued

    def __init__(self, engine: Any, parent: QtCore.QObject | None = None) -> None:
        # `engine`: app.csms.engine.Engine, reached only through its thread-safe methods.
        super().__init__(parent)
        self.engine = engine
        # Frames may be dropped under a flood (the log reads them back from the journal); every
        # other event (connections, journal failures, a task's last Progress) is kept.
        self._pending: collections.deque[model.Event] = collections.deque(maxlen=MAX_BATCH)
        self._important: list[model.Event] = []
        self._lock = threading.Lock()
        self._closed = False
        engine.subscribe(self._on_engine_event)  # runs on the engine thread
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(EVENT_INTERVAL_MS)
        self._timer.timeout.connect(self._deliver)
        self._timer.start()
        # self lives in the GUI thread, so an emit from the engine thread is queued to it.
        self._snapshot_ready.connect(self.chargers_changed.emit, QtCore.Qt.ConnectionType.QueuedConnection)

    def close(self) -> None:
        """Stop listening and go: a closed bridge must not keep its (stopped) engine alive."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self.engine.unsubscribe(self._on_engine_event)
        self.deleteLater()

    # engine thread ------------------------------------------------------------------

    def _on_engine_event(self, event: model.Event) -> None:
        with self._lock:
            if isinstance(event, model.FrameEvent):
                self._pending.append(event)
            else:
                self._important.append(event)

    # GUI thread ---------------------------------------------------------------------

    @QtCore.Slot()
    def _deliver(self) -> None:
        with self._lock:
            if not self._pending and not self._important:
                return
            batch = list(self._pending)
            self._pending.clear()
            if self._important:  # oldest first across both queues, as the engine emitted them
                batch = sorted(self._important + batch, key=lambda e: e.ts_ms)
                self._important = []
        frames = 0
        chargers_dirty = False
        progress: dict[int, model.Progress] = {}
        for event in batch:
            if isinstance(event, model.FrameEvent):
                frames += 1
            elif isinstance(event, model.Progress):
                progress[event.task_id] = event
            elif isinstance(event, model.JournalFailed):
                self.failed.emit(errors.StorageError(event.message, hint=event.hint))
            elif isinstance(event, model.ConnectionRefused):
                self.refused.emit(event)
                chargers_dirty = True
            else:
                chargers_dirty = True
        self.events.emit(batch)
        for event in progress.values():
            self.progress.emit(event)
        if frames:
            self.frames_arrived.emit(frames)
        if chargers_dirty or frames:
            # last-message times move with frames; a snapshot is cheap (one per batch)
            self.refresh_chargers()

    def refresh_chargers(self) -> None:
        try:
            future = self._submit(self._snapshot())
        except errors.CsmsError:
            return  # stopping or restarting: the next engine's bridge refreshes
        future.add_done_callback(self._snapshot_done)

    async def _snapshot(self) -> list[model.ChargerInfo]:
        return self.engine.chargers()

    def _snapshot_done(self, future: concurrent.futures.Future) -> None:
        if not future.cancelled() and future.exception() is None:
            self._snapshot_ready.emit(future.result())

    # operations -------------------------------------------------------------------------

    def _submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future:
        return self.engine.submit(coro)

    def run(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future:
        """Run a coroutine on the engine loop; await the result on the GUI's qasync loop."""
        return asyncio.wrap_future(self._submit(coro))

    def call(self, charger_id: str, action: str, payload: dict[str, Any], timeout: float | None = None) -> asyncio.Future:
        """Raw CALL: payload dict in, CALLRESULT payload out; raises the domain errors."""
        return self.run(self.engine.call(charger_id, action, payload, timeout))

    def send(self, charger_id: str, request: Any, timeout: float | None = None) -> asyncio.Future:
        """Typed CALL with an `ocpp` call dataclass."""
        return self.run(self.engine.send(charger_id, request, timeout))

    def run_task(self, name: str, charger_id: str, work: Callable[[Any], Coroutine[Any, Any, Any]],
                 timeout: float | None = None) -> asyncio.Future:
        """A workflow as an owned engine task: `work(reporter)` runs on the engine loop; its
        Progress events arrive through `progress`; cancelling the returned future cancels it."""
        return self.run(self.engine.tasks.run(name, work, charger_id=charger_id, timeout=timeout))
