"""A journal that cannot write is never silent: an event, the window's message bar, serve's exit."""

from __future__ import annotations

import asyncio
import json
import pathlib
import re
import sqlite3

import websockets
from websockets.sync.client import connect

from app.csms import engine as csms_engine
from app.domain import errors, model
from tests.conftest import url
from tests.integration.test_cli import popen


def break_writes(journal: pathlib.Path) -> None:
    """Every insert from now on fails inside sqlite, as a full disk would."""
    conn = sqlite3.connect(journal)
    with conn:
        conn.execute("CREATE TRIGGER fail BEFORE INSERT ON frames BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    conn.close()


async def test_the_engine_reports_a_failed_journal(engine: csms_engine.Engine) -> None:
    events: list[model.Event] = []
    engine.subscribe(events.append)
    break_writes(engine.journal.path)
    async with websockets.connect(url(engine), subprotocols=["ocpp1.6"]) as ws:
        await ws.send(json.dumps([2, "h", "Heartbeat", {}]))
        assert json.loads(await ws.recv())[0] == 3  # chargers are still served
        for _ in range(500):
            if engine.failure is not None:
                break
            await asyncio.sleep(0.01)
    assert isinstance(engine.failure, errors.StorageError)
    failed = [e for e in events if isinstance(e, model.JournalFailed)]
    assert len(failed) == 1 and "journal failed" in failed[0].message and failed[0].hint
    assert failed[0].to_dict()["event"] == "journal_error"
    assert not engine.journal.flush()


def test_serve_exits_with_a_clear_error_when_the_journal_fails(tmp_path: pathlib.Path) -> None:
    proc = popen("serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(tmp_path / "d"))
    try:
        line = proc.stdout.readline()
        base = re.search(r"ws://127\.0\.0\.1:\d+/", line).group(0)
        break_writes(tmp_path / "d" / "journal.sqlite3")
        with connect(base + "CP1", subprotocols=["ocpp1.6"]) as ws:
            ws.send('[2,"h","Heartbeat",{}]')
            ws.recv(5)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 2
    assert "commissioner: Writing the frame journal failed" in err and "Free disk space" in err
