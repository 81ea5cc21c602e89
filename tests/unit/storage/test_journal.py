"""The frame journal: a real sqlite file in WAL mode; nothing is lost on close or reopen."""

from __future__ import annotations

import pathlib
import sqlite3
import threading
from typing import Iterator

import pytest

from app.domain import errors, model
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


# ---------------------------------------------------------------------------- the reader API


def mixed(store: journal.Journal) -> list[model.Frame]:
    """Ids 1..8 over two chargers: calls, answers, a CALLERROR, a warning and a bad frame."""
    frames = [
        frame(1, charger="CP1", action="BootNotification", payload='[2,"u1","BootNotification",{"vendor":"ACME"}]'),
        frame(2, charger="CP1", direction=model.Direction.OUT, message_type=3, action="BootNotification",
              payload='[3,"u1",{"status":"Accepted"}]', latency_ms=2.5),
        frame(3, charger="CP2", payload='[2,"u3","Heartbeat",{"note":"100%_done\\\\"}]'),
        frame(4, charger="CP2", direction=model.Direction.OUT, message_type=4, action="Heartbeat",
              payload='[4,"u3","NotSupported","Read-Only key",{}]'),
        frame(5, charger="CP1", action="MeterValues", payload='[2,"u5","MeterValues",{}]', warnings="unit missing"),
        frame(6, charger="CP2", message_type=0, action="", unique_id="", payload='[2,"x" broken'),
        frame(7, charger="CP1", payload='[2,"u7","Heartbeat",{"note":"100 done"}]'),
        frame(8, charger="CP2", payload="x" * 1000),
    ]
    for f in frames:
        store.append(f)
    assert store.flush()
    for frame_id, f in enumerate(frames, 1):
        f.id = frame_id
    return frames


@pytest.fixture
def reader(tmp_path: pathlib.Path) -> Iterator[tuple[journal.JournalReader, list[model.Frame]]]:
    store = journal.Journal(tmp_path)
    frames = mixed(store)
    reader = store.reader()
    yield reader, frames
    reader.close()
    store.close()


@pytest.mark.parametrize(("text", "expected"), [
    ("read-only", [4]),  # ASCII case is folded
    ("READ-ONLY", [4]),
    ('"u3"', [3, 4]),  # quotes are literal
    ("100%", [3]),  # LIKE's wildcards and the escape character are literal too
    ("%_d", [3]),
    ("_", [3]),
    ("\\", [3]),
    ("100 ", [7]),
    ("nothing like it", []),
])
def test_text_search_is_one_substring_search_everywhere(reader, text: str, expected: list[int]) -> None:
    r, _ = reader
    flt = journal.FrameFilter(text=text)
    assert r.ids(flt) == expected
    assert r.count(flt) == len(expected)
    assert [f.id for f in r.frames(flt)] == expected
    assert [f.id for f in r.frames(text=text)] == expected  # the keyword form is the same search


def test_filters_and_id_ranges(reader) -> None:
    r, frames = reader
    assert r.max_id() == 8
    assert r.ids() == list(range(1, 9))
    assert r.ids(after_id=2, upto_id=5) == [3, 4, 5]
    assert r.ids(journal.FrameFilter(charger_id="CP2"), newest_first=True, limit=2) == [8, 6]
    assert r.ids(journal.FrameFilter(charger_id="CP2"), upto_id=5, newest_first=True) == [4, 3]
    assert r.ids(limit=0) == []
    assert r.ids(journal.FrameFilter(errors_only=True)) == [4, 5, 6]
    assert r.ids(journal.FrameFilter(direction="out")) == [2, 4]
    assert r.ids(journal.FrameFilter(action="Heartbeat", charger_id="CP1")) == [7]
    assert r.count() == 8
    assert r.count(after_id=6) == 2
    assert r.count(journal.FrameFilter(charger_id="CP1"), after_id=1, upto_id=5) == 2
    assert r.chargers() == ["CP1", "CP2"]
    assert r.chargers_and_actions() == ({"CP1", "CP2"}, {"BootNotification", "Heartbeat", "MeterValues"})
    assert r.chargers_and_actions(after_id=5, upto_id=6) == ({"CP2"}, set())  # a bad frame has no action


def test_whole_frames_and_pages_of_them(reader) -> None:
    r, frames = reader
    assert r.frame(4) == frames[3]
    assert r.frame(99) is None
    assert r.frames(journal.FrameFilter(charger_id="CP1"), after_id=1, upto_id=5, limit=10) == [frames[1], frames[4]]
    assert r.frames(limit=3) == frames[:3]
    assert r.frames(after_id=3, limit=3) == frames[3:6]
    with pytest.raises(TypeError):
        r.frames(journal.FrameFilter(charger_id="CP1"), action="Heartbeat")


def test_heads_are_light_rows_in_the_order_asked(reader) -> None:
    r, frames = reader
    heads = r.heads([8, 99, 2], 400)
    assert heads[1] is None  # no longer in the journal
    assert heads[0] == journal.FrameHead(8, frames[7].ts_ms, "CP2", model.Direction.IN, 2, "Heartbeat", None, "",
                                         "x" * 400)
    assert heads[2].direction is model.Direction.OUT and heads[2].latency_ms == 2.5
    assert heads[2].head == frames[1].payload
    assert r.heads([], 400) == []
    many = r.heads(list(range(1, 9)) * 100, 5)  # more ids than one IN (...) takes
    assert [h.id for h in many] == list(range(1, 9)) * 100


def test_try_open_waits_for_the_file_and_its_table(tmp_path: pathlib.Path) -> None:
    path = tmp_path / journal.FILE_NAME
    assert journal.JournalReader.try_open(path) is None
    sqlite3.connect(path).execute("CREATE TABLE other (x)").connection.close()
    assert journal.JournalReader.try_open(path) is None
    path.unlink()
    journal.Journal(tmp_path).close()
    reader = journal.JournalReader.try_open(path)
    assert reader is not None and reader.max_id() == 0
    reader.close()


def test_read_failures_are_storage_errors(tmp_path: pathlib.Path) -> None:
    path = tmp_path / journal.FILE_NAME
    path.write_bytes(b"this is not a database" * 100)
    reader = journal.JournalReader(path)
    with pytest.raises(errors.StorageError, match="Reading the frame journal"):
        reader.max_id()
    reader.close()


# ---------------------------------------------------------------------------- write failures


def fail_inserts(path: pathlib.Path) -> None:
    """What a full disk does to the writer: every INSERT fails inside sqlite."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TRIGGER fail BEFORE INSERT ON frames BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    conn.commit()
    conn.close()


def test_a_failed_write_is_reported_once_and_flush_says_so(tmp_path: pathlib.Path) -> None:
    calls: list[tuple[errors.StorageError, str]] = []
    store = journal.Journal(tmp_path, on_error=lambda e: calls.append((e, threading.current_thread().name)))
    store.append(frame(1))
    assert store.flush() and store.error is None and calls == []

    fail_inserts(store.path)
    store.append(frame(2))
    assert store.flush() is False
    assert isinstance(store.error, errors.StorageError) and "disk is full" in str(store.error)
    assert calls == [(store.error, "journal-writer")]

    store.append(frame(3))  # still failing: no second report
    assert store.flush() is False
    conn = sqlite3.connect(store.path)
    conn.execute("DROP TRIGGER fail")
    conn.commit()
    store.append(frame(4))  # recording resumes, but frames were lost: the journal stays incomplete
    assert store.flush() is False
    assert len(calls) == 1
    store.close()
    assert [r[0] for r in conn.execute("SELECT unique_id FROM frames")] == ["u1", "u4"]
    conn.close()


def test_a_broken_on_error_callback_does_not_stop_the_writer(tmp_path: pathlib.Path, caplog) -> None:
    def broken(_error: errors.StorageError) -> None:
        raise RuntimeError("callback bug")

    store = journal.Journal(tmp_path, on_error=broken)
    fail_inserts(store.path)
    store.append(frame(1))
    assert store.flush() is False
    store.append(frame(2))
    store.close()  # the writer thread is alive and stops when told
    assert not store._thread.is_alive()
    assert "on_error callback failed" in caplog.text


def test_newest_frames_come_first(tmp_path: pathlib.Path) -> None:
    store = journal.Journal(tmp_path)
    for n in range(1, 6):
        store.append(frame(n))
    store.flush()
    reader = store.reader()
    try:
        assert [f.unique_id for f in reader.frames(limit=2, newest=True)] == ["u5", "u4"]
        assert [f.unique_id for f in reader.frames(limit=2)] == ["u1", "u2"]
    finally:
        reader.close()
        store.close()
