"""The frame journal: every OCPP frame in and out, appended to sqlite (WAL) as it happens.

`append()` is called on the CSMS loop for every frame, so it only enqueues; a writer thread
commits in batches (at most `FLUSH_SECONDS` behind). Logging every frame through `logging`
was measured at -18 % capacity; a batched executemany costs a few µs per frame and releases
the GIL while sqlite works. Readers use their own connections (WAL lets them read while the
writer writes), so the GUI's log model never waits for the CSMS.
"""

from __future__ import annotations

import logging
import pathlib
import queue
import sqlite3
import threading
import time
from typing import Any, Iterable

from app.domain import errors, model

log = logging.getLogger(__name__)

FILE_NAME = "journal.sqlite3"
FLUSH_SECONDS = 0.05
BATCH = 5000
SCHEMA_VERSION = 1

_COLUMNS = "charger_id, direction, ts_ms, message_type, action, unique_id, payload, latency_ms, warnings"

_MIGRATIONS = {
    1: """
        CREATE TABLE IF NOT EXISTS frames (
            id INTEGER PRIMARY KEY,
            charger_id TEXT NOT NULL,
            direction TEXT NOT NULL,
            ts_ms INTEGER NOT NULL,
            message_type INTEGER NOT NULL,
            action TEXT NOT NULL,
            unique_id TEXT NOT NULL,
            payload TEXT NOT NULL,
            latency_ms REAL,
            warnings TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX IF NOT EXISTS frames_charger ON frames (charger_id, id);
    """,
}


def connect(path: pathlib.Path, *, readonly: bool = False) -> sqlite3.Connection:
    try:
        if readonly:
            # as_uri() escapes '#', '?' and '%' that a data-dir path may contain.
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        else:
            conn = sqlite3.connect(path, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives an application crash; only an OS crash can lose
            # the last commits, which is the trade the throughput targets need.
            conn.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error as exc:
        raise errors.StorageError(f"Cannot open the journal {path}: {exc}.",
                                  hint="Check that the data directory is writable and not full.") from exc
    return conn


def migrate(conn: sqlite3.Connection) -> None:
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    for version in range(current + 1, SCHEMA_VERSION + 1):
        conn.executescript(_MIGRATIONS[version])
        conn.execute(f"PRAGMA user_version={version}")
    conn.commit()


def _row(frame: model.Frame) -> tuple[Any, ...]:
    return (frame.charger_id, frame.direction.value, frame.ts_ms, frame.message_type, frame.action,
            frame.unique_id, frame.payload, frame.latency_ms, frame.warnings)


def _frame(row: tuple[Any, ...]) -> model.Frame:
    return model.Frame(row[1], model.Direction(row[2]), row[3], row[4], row[5], row[6], row[7], row[8],
                       row[9], id=row[0])


class Journal:
    """Owns the writer thread. Thread-safe `append`; `flush` waits until all is on disk."""

    def __init__(self, directory: pathlib.Path) -> None:
        self.path = directory / FILE_NAME
        self._conn = connect(self.path)
        migrate(self._conn)
        self._queue: queue.SimpleQueue[model.Frame | None] = queue.SimpleQueue()
        self._enqueued = 0
        self._written = 0
        self._written_cond = threading.Condition()
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="journal-writer", daemon=True)
        self._thread.start()

    def append(self, frame: model.Frame) -> None:
        self._enqueued += 1  # only the CSMS loop appends; flush() reads it
        self._queue.put(frame)

    def flush(self, timeout: float = 10.0) -> bool:
        target = self._enqueued
        with self._written_cond:
            return self._written_cond.wait_for(lambda: self._written >= target or self.error is not None, timeout)

    def close(self) -> None:
        """Write what is queued, then release the file. Idempotent."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=10)
        self._conn.close()

    def reader(self) -> JournalReader:
        return JournalReader(self.path)

    def _run(self) -> None:
        get = self._queue.get
        stop = False
        while not stop:
            item = get()
            if item is None:
                return
            batch = [item]
            # Gather what arrives within the flush window, up to a batch.
            deadline = time.monotonic() + FLUSH_SECONDS
            while len(batch) < BATCH:
                left = deadline - time.monotonic()
                try:
                    more = get(timeout=left) if left > 0 else get(block=False)
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._write(batch)

    def _write(self, batch: list[model.Frame]) -> None:
        try:
            with self._conn:
                self._conn.executemany(f"INSERT INTO frames ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                                       [_row(f) for f in batch])
        except sqlite3.Error as exc:
            # Keep serving chargers; the UI shows the error (e.g. disk full) from `error`.
            if self.error is None:
                log.error("journal write failed: %s", exc)
            self.error = errors.StorageError(f"Writing the frame journal failed: {exc}.",
                                             hint="Free disk space or choose another data directory.")
        with self._written_cond:
            self._written += len(batch)
            self._written_cond.notify_all()


class JournalReader:
    """A read connection of its own (one per thread that reads)."""

    def __init__(self, path: pathlib.Path) -> None:
        self._conn = connect(path, readonly=True)

    def close(self) -> None:
        self._conn.close()

    def count(self, where: str = "", params: Iterable[Any] = ()) -> int:
        return self._conn.execute(f"SELECT COUNT(*) FROM frames {where}", tuple(params)).fetchone()[0]

    def max_id(self) -> int:
        return self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM frames").fetchone()[0]

    def frames(
        self,
        *,
        charger_id: str | None = None,
        action: str | None = None,
        direction: str | None = None,
        errors_only: bool = False,
        text: str | None = None,
        after_id: int = 0,
        limit: int = 1000,
    ) -> list[model.Frame]:
        where, params = filter_clause(charger_id=charger_id, action=action, direction=direction,
                                      errors_only=errors_only, text=text, after_id=after_id)
        rows = self._conn.execute(f"SELECT id, {_COLUMNS} FROM frames {where} ORDER BY id LIMIT ?",
                                  (*params, limit)).fetchall()
        return [_frame(r) for r in rows]

    def chargers(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT DISTINCT charger_id FROM frames ORDER BY 1")]


def filter_clause(
    *,
    charger_id: str | None = None,
    action: str | None = None,
    direction: str | None = None,
    errors_only: bool = False,
    text: str | None = None,
    after_id: int = 0,
) -> tuple[str, list[Any]]:
    clauses, params = ["id > ?"], [after_id]
    if charger_id:
        clauses.append("charger_id = ?")
        params.append(charger_id)
    if action:
        clauses.append("action = ?")
        params.append(action)
    if direction:
        clauses.append("direction = ?")
        params.append(direction)
    if errors_only:
        clauses.append("(message_type IN (0, 4, 5) OR warnings != '')")
    if text:
        clauses.append("instr(payload, ?) > 0")
        params.append(text)
    return "WHERE " + " AND ".join(clauses), params
