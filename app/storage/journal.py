"""The frame journal: every OCPP frame in and out, appended to sqlite (WAL) as it happens.

`append()` is called on the CSMS loop for every frame, so it only enqueues; a writer thread
commits in batches (at most `FLUSH_SECONDS` behind). Logging every frame through `logging`
was measured at -18 % capacity; a batched executemany costs a few µs per frame and releases
the GIL while sqlite works. Readers use their own connections (WAL lets them read while the
writer writes), so the GUI's log model never waits for the CSMS.

All SQL over the journal lives here: `Journal` writes, `JournalReader` is the one read API
(the log model, exports, the self-test and the services all go through it), and `FrameFilter`
is the one way to narrow frames, with one text search: a substring of the raw frame,
case-insensitive for ASCII (sqlite's LIKE, wildcards escaped).
"""

from __future__ import annotations

import dataclasses
import logging
import pathlib
import queue
import sqlite3
import threading
import time
from typing import Any, Callable, Iterable, NamedTuple, Sequence

from app.domain import errors, model

log = logging.getLogger(__name__)

FILE_NAME = "journal.sqlite3"
FLUSH_SECONDS = 0.05
BATCH = 5000
SCHEMA_VERSION = 1
ERROR_TYPES = (0, 4, 5)  # bad frame, CALLERROR, CALLRESULTERROR

_COLUMNS = "charger_id, direction, ts_ms, message_type, action, unique_id, payload, latency_ms, warnings"
_FRAME_SQL = f"SELECT id, {_COLUMNS} FROM frames"
_HEAD_SQL = ("SELECT id, ts_ms, charger_id, direction, message_type, action, latency_ms, warnings, "
             "substr(payload, 1, ?) FROM frames")
_IN_CHUNK = 500  # ids per `IN (...)`: well below sqlite's limit on bound parameters

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


# ---------------------------------------------------------------------------- writing


class Journal:
    """Owns the writer thread. Thread-safe `append`; `flush` waits until all is on disk.

    When a write fails (disk full, file removed, ...) the CSMS keeps serving chargers: the
    failed batch is lost, `error` holds a `StorageError` from then on, `on_error` is called
    once with it (on the writer thread, so it must only hand the error over, e.g. to a loop
    or a queued signal), and `flush()` returns False. Later batches are still tried, so a
    freed disk records again, but the journal stays marked as incomplete.

    `on_written(frames)` is called (on the writer thread) after each batch is committed: what
    is shown to anyone (serve --json, the window, an API) is announced from there, so whatever
    a technician saw is on disk even after kill -9.
    """

    def __init__(self, directory: pathlib.Path, *,
                 on_error: Callable[[errors.StorageError], None] | None = None) -> None:
        self.path = directory / FILE_NAME
        self.on_error = on_error
        self.on_written: Callable[[list[model.Frame]], None] | None = None
        self._conn = connect(self.path)
        migrate(self._conn)
        self._queue: queue.SimpleQueue[model.Frame | None] = queue.SimpleQueue()
        self._enqueued = 0
        self._written = 0  # frames the writer is done with, written or lost
        self._written_cond = threading.Condition()
        self.error: errors.StorageError | None = None  # the first write failure; set once, never cleared
        self._thread = threading.Thread(target=self._run, name="journal-writer", daemon=True)
        self._thread.start()

    def append(self, frame: model.Frame) -> None:
        self._enqueued += 1  # only the CSMS loop appends; flush() reads it
        self._queue.put(frame)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until the writer is done with every frame appended so far; True if all are on disk.

        False when the timeout passed first, or when writing has failed (`error`): from the
        first failure on, some frames are missing, so it returns False for good.
        """
        target = self._enqueued
        with self._written_cond:
            done = self._written_cond.wait_for(lambda: self._written >= target, timeout)
            return done and self.error is None

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
        failure = None
        ok = False
        try:
            with self._conn:
                self._conn.executemany(f"INSERT INTO frames ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                                       [_row(f) for f in batch])
            ok = True
        except Exception as exc:  # sqlite3.Error, or a frame sqlite cannot bind: the thread must live on
            if self.error is None:
                log.error("journal write failed, %d frames lost: %s", len(batch), exc,
                          exc_info=not isinstance(exc, sqlite3.Error))
                failure = errors.StorageError(f"Writing the frame journal failed: {exc}.",
                                              hint="Free disk space or choose another data directory.")
        with self._written_cond:
            if failure is not None:
                self.error = failure
            self._written += len(batch)
            self._written_cond.notify_all()
        if failure is not None and self.on_error is not None:
            try:
                self.on_error(failure)
            except Exception:  # a broken callback must not stop the recording
                log.exception("journal on_error callback failed")
        elif ok and self.on_written is not None:
            try:
                self.on_written(batch)
            except Exception:
                log.exception("journal on_written callback failed")


# ---------------------------------------------------------------------------- reading


@dataclasses.dataclass(frozen=True)
class FrameFilter:
    """What to narrow the frames to; None / False / "" mean "everything"."""

    charger_id: str | None = None
    action: str | None = None
    direction: str | None = None  # "in" (charger -> CSMS) or "out"
    errors_only: bool = False  # CALLERROR, CALLRESULTERROR, bad frames, or any compliance warning
    text: str | None = None  # substring of the raw frame, case-insensitive for ASCII

    def _clause(self, after_id: int = 0, upto_id: int | None = None) -> tuple[str, list[Any]]:
        """The WHERE clause and its parameters for this filter and the ids in (after_id, upto_id]."""
        clauses, params = ["id > ?"], [after_id]
        if upto_id is not None:
            clauses.append("id <= ?")
            params.append(upto_id)
        if self.charger_id:
            clauses.append("charger_id = ?")
            params.append(self.charger_id)
        if self.action:
            clauses.append("action = ?")
            params.append(self.action)
        if self.direction:
            clauses.append("direction = ?")
            params.append(self.direction)
        if self.errors_only:
            clauses.append(f"(message_type IN {ERROR_TYPES} OR warnings != '')")
        if self.text:
            # LIKE folds ASCII case (sqlite's default, case_sensitive_like off); escape its wildcards
            escaped = self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("payload LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
        return "WHERE " + " AND ".join(clauses), params


_EVERYTHING = FrameFilter()


class FrameHead(NamedTuple):
    """The light columns of one frame, for a list: its payload cut to the first `chars`."""

    id: int
    ts_ms: int
    charger_id: str
    direction: model.Direction
    message_type: int
    action: str
    latency_ms: float | None
    warnings: str
    head: str


class JournalReader:
    """A read connection of its own (one per thread that reads); every journal query there is.

    Id ranges are half-open, (after_id, upto_id]; upto_id None means "to the newest". Every
    sqlite failure comes out as `errors.StorageError`.
    """

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path
        self._conn = connect(path, readonly=True)

    @classmethod
    def try_open(cls, path: pathlib.Path) -> JournalReader | None:
        """A reader, or None while the journal (its file or its table) does not exist yet."""
        if not path.exists():
            return None
        reader = cls(path)
        if reader._one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'frames'") is None:
            reader.close()
            return None
        return reader

    def close(self) -> None:
        self._conn.close()

    def max_id(self) -> int:
        return self._one("SELECT COALESCE(MAX(id), 0) FROM frames")[0]

    def count(self, flt: FrameFilter | None = None, *, after_id: int = 0, upto_id: int | None = None) -> int:
        where, params = (flt or _EVERYTHING)._clause(after_id, upto_id)
        return self._one(f"SELECT COUNT(*) FROM frames {where}", params)[0]

    def ids(self, flt: FrameFilter | None = None, *, after_id: int = 0, upto_id: int | None = None,
            newest_first: bool = False, limit: int | None = None) -> list[int]:
        """Ids of the matching frames in the range, ascending (or descending: the newest `limit`)."""
        where, params = (flt or _EVERYTHING)._clause(after_id, upto_id)
        order = "DESC" if newest_first else "ASC"
        rows = self._all(f"SELECT id FROM frames {where} ORDER BY id {order} LIMIT ?",
                         (*params, -1 if limit is None else limit))
        return [r[0] for r in rows]

    def heads(self, ids: Sequence[int], chars: int) -> list[FrameHead | None]:
        """The light rows of these frames, in the same order; None for an id no longer journaled."""
        found: dict[int, FrameHead] = {}
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start:start + _IN_CHUNK]
            for r in self._all(f"{_HEAD_SQL} WHERE id IN ({','.join('?' * len(chunk))})", (chars, *chunk)):
                found[r[0]] = FrameHead(r[0], r[1], r[2], model.Direction(r[3]), r[4], r[5], r[6], r[7], r[8])
        return [found.get(i) for i in ids]

    def frame(self, frame_id: int) -> model.Frame | None:
        """One whole frame, payload included; None if there is no such id."""
        row = self._one(f"{_FRAME_SQL} WHERE id = ?", (frame_id,))
        return None if row is None else _frame(row)

    def frames(
        self,
        flt: FrameFilter | None = None,
        *,
        after_id: int = 0,
        upto_id: int | None = None,
        limit: int = 1000,
        charger_id: str | None = None,
        action: str | None = None,
        direction: str | None = None,
        errors_only: bool = False,
        text: str | None = None,
        newest: bool = False,
    ) -> list[model.Frame]:
        """Whole matching frames in id order, the first `limit` after `after_id` (page on with the last id);
        with `newest`, the last `limit` ones, newest first.

        The filter is `flt`, or its fields given as keywords (not both).
        """
        fields = FrameFilter(charger_id, action, direction, errors_only, text)
        if flt is None:
            flt = fields
        elif fields != _EVERYTHING:
            raise TypeError("pass a FrameFilter or its fields as keywords, not both")
        where, params = flt._clause(after_id, upto_id)
        order = "DESC" if newest else ""
        return [_frame(r) for r in self._all(f"{_FRAME_SQL} {where} ORDER BY id {order} LIMIT ?", (*params, limit))]

    def chargers_and_actions(self, *, after_id: int = 0, upto_id: int | None = None) -> tuple[set[str], set[str]]:
        """The distinct charger ids and actions (bad frames have none) of the frames in the range."""
        where, params = _EVERYTHING._clause(after_id, upto_id)
        chargers: set[str] = set()
        actions: set[str] = set()
        for charger_id, action in self._all(f"SELECT DISTINCT charger_id, action FROM frames {where}", params):
            chargers.add(charger_id)
            if action:
                actions.add(action)
        return chargers, actions

    def chargers(self) -> list[str]:
        return [r[0] for r in self._all("SELECT DISTINCT charger_id FROM frames ORDER BY 1")]

    def frames_of(self, actions: Iterable[str], *, after_id: int, upto_id: int, limit: int = 1000) -> list[model.Frame]:
        """The frames of these actions with after_id < id <= upto_id, in id order, the first `limit`
        (for indexes that follow the journal: nothing else is read or built)."""
        names = sorted(set(actions))
        return [_frame(r) for r in self._all(
            f"{_FRAME_SQL} WHERE id > ? AND id <= ? AND action IN ({','.join('?' * len(names))}) ORDER BY id LIMIT ?",
            (after_id, upto_id, *names, limit))]

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._failed(exc) from exc

    def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        try:
            return self._conn.execute(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise self._failed(exc) from exc

    def _failed(self, exc: sqlite3.Error) -> errors.StorageError:
        return errors.StorageError(f"Reading the frame journal {self.path} failed: {exc}.",
                                   hint="Check that the data directory is still there and readable.")
