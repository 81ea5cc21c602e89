"""GUI test fixtures: a qasync loop on the Qt thread, and the engine in its worker thread."""

from __future__ import annotations

import asyncio
import pathlib
from typing import Callable, Iterator

import pytest
import qasync

from app.csms import engine as csms_engine
from app.domain import csms_policy


@pytest.fixture
def qloop(qapp) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop marked as running, so asyncSlots work while qtbot processes events."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        for _ in range(20):  # let the cancelled tasks run to their end before the loop closes
            qapp.processEvents()
        asyncio.events._set_running_loop(None)  # let later pytest-asyncio tests run their own loop
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
        loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def engine_thread(isolated_data_dir: pathlib.Path) -> Iterator[csms_engine.Engine]:
    """The CSMS engine on its own loop in a worker thread, as under the GUI."""
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    config = csms_policy.CsmsConfig(host="127.0.0.1", port=0, call_timeout=5.0, heartbeat_interval=60)
    engine = csms_engine.Engine(config, isolated_data_dir)
    engine.start_in_thread()
    try:
        yield engine
    finally:
        engine.stop_thread()


@pytest.fixture
def bridge(qloop, engine_thread):
    from app.ui import bridge as ui_bridge

    b = ui_bridge.EngineBridge(engine_thread)
    yield b
    b.close()


def wait(qtbot, predicate: Callable[[], bool], timeout: int = 5000) -> None:
    qtbot.waitUntil(lambda: bool(predicate()), timeout=timeout)


@pytest.fixture(autouse=True)
def no_modal_questions(monkeypatch) -> list[str]:
    """A question nobody answers would block an offscreen test forever: answer No, and keep the text."""
    from PySide6 import QtWidgets

    asked: list[str] = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QtWidgets.QMessageBox.StandardButton.No

    monkeypatch.setattr(QtWidgets.QMessageBox, "question", staticmethod(question))
    return asked
