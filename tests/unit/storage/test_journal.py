"""The frame journal: a real sqlite file in WAL mode; nothing is lost on close or reopen."""

from __future__ import annotations

import pathlib
import sqlite3
import threading

from app.domain import model
from app.storage import journal


def frame(n: int, charger: str = "CP1", **kw: object) -> model.Frame:
    values = dict(charger_id=charger, direction=model.Direction.IN, ts_ms=1000 + n, message_type=2,
                  action="Heartbeat", unique_id=f"u{n}", payload=f'[2,"u{n}","Heartbeat",{{}}]')
    values.update(kw)
    return model.Frame(**values)  # type: ignore[arg-type]


def test_frames_reach_a_wal_sqlite_file(tmp_path: pathlib.Path) -> None:
    store = journal.Journal(tmp_path)
    for n in range(500):
        store.append(frame(n, charger="CP1" if n % 2 else "CP2"))
    store.append(frame(999, warnings="data.status: bad", latency_ms=3.5, message_type=3))
    assert store.flush()
    conn = sqlite3.connect(tmp_path / journal.FILE_NAME)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT COUNT(*) FROM frames").fetchone()[0] == 501
    reader = store.reader()
    assert reader.count() == 501
    assert len(reader.frames(charger_id="CP2", limit=1000)) == 250
    flagged = reader.frames(errors_only=True)
    assert [(f.unique_id, f.latency_ms, f.warnings) for f in flagged] == [("u999", 3.5, "data.status: bad")]
    assert [f.unique_id for f in reader.frames(text='"u42"')] == ["u42"]
    assert reader.frames(after_id=500)[0].unique_id == "u999"
    store.close()


def test_close_writes_everything_and_reopen_keeps_it(tmp_path: pathlib.Path) -> None:
    store = journal.Journal(tmp_path)
    for n in range(10_000):
        store.append(frame(n))
    store.close()  # no flush: close must not lose what was appended
    again = journal.Journal(tmp_path)
    again.append(frame(10_000))
    again.flush()
    assert again.reader().count() == 10_001
    again.close()


def test_readers_read_while_the_writer_writes(tmp_path: pathlib.Path) -> None:
    store = journal.Journal(tmp_path)
    done = threading.Event()
    seen: list[int] = []

    def read() -> None:
        reader = store.reader()
        while not done.is_set():
            seen.append(reader.count())
        reader.close()

    thread = threading.Thread(target=read)
    thread.start()
    for n in range(20_000):
        store.append(frame(n))
    store.flush()
    done.set()
    thread.join()
    assert seen and seen == sorted(seen)
    store.close()


def test_schema_version_is_recorded(tmp_path: pathlib.Path) -> None:
    journal.Journal(tmp_path).close()
    conn = sqlite3.connect(tmp_path / journal.FILE_NAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == journal.SCHEMA_VERSION


def test_readers_work_in_a_folder_with_uri_characters(tmp_path: pathlib.Path) -> None:
    folder = tmp_path / "site #4 ?100%"
    folder.mkdir()
    store = journal.Journal(folder)
    store.append(frame(1))
    store.flush()
    assert store.reader().count() == 1
    store.close()
