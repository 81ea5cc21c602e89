"""Charging sessions and meter samples in sqlite (energy.sqlite3 beside the journal), kept up to
date from the journal as frames are written: the journal is the record, this is its index.

`EnergyIndex.catch_up()` reads the journal's frames after its cursor, assembles them
(domain.energy) and writes the sessions it touched, the samples and the cursor in one
transaction: a crash loses nothing (the next catch-up starts from the cursor). `start()` runs
catch-ups in a thread of its own once the journal has been quiet for QUIET_S after a batch
(`poke()`), and every reader catches up first: what it shows is always up to date, and the
CSMS's answers are never slowed by the index under load. WAL; versioned schema (`MIGRATIONS`).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import pathlib
import sqlite3
import threading
import time

from app.domain import energy, errors, model
from app.storage import journal as journal_store
from app.storage import schema

log = logging.getLogger(__name__)

FILE_NAME = "energy.sqlite3"
PAGE = 1000  # frames fetched at a time
YIELD_EVERY = 8  # frames parsed between two hand-overs of the GIL
QUIET_S = 3.0  # the journal wrote nothing for this long: a catch-up
ACTIONS = frozenset({"StartTransaction", "StopTransaction", "TransactionEvent", "MeterValues", "Connected"})
MIGRATIONS: dict[int, list[str]] = {
    0: [
        "CREATE TABLE sessions (charger_id TEXT NOT NULL, transaction_id TEXT NOT NULL, started_ms INTEGER,"
        " stopped_ms INTEGER, data TEXT NOT NULL, PRIMARY KEY (charger_id, transaction_id))",
        "CREATE INDEX sessions_started ON sessions (started_ms)",
        "CREATE TABLE samples (id INTEGER PRIMARY KEY, charger_id TEXT NOT NULL, connector TEXT,"
        " transaction_id TEXT, ts_ms INTEGER NOT NULL, measurand TEXT NOT NULL, phase TEXT, value REAL NOT NULL,"
        " unit TEXT, context TEXT, location TEXT, frame_id INTEGER NOT NULL)",
        "CREATE INDEX samples_charger_time ON samples (charger_id, ts_ms)",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ],
}
SCHEMA_VERSION = len(MIGRATIONS)
_SESSION_FIELDS = [f.name for f in dataclasses.fields(energy.Session)]


class EnergyIndex:
    def __init__(self, directory: pathlib.Path) -> None:
        self.directory = pathlib.Path(directory)
        self.path = self.directory / FILE_NAME
        self._journal_path = self.directory / journal_store.FILE_NAME
        self._lock = threading.Lock()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.Error as exc:
            raise errors.StorageError(f"Cannot open the energy database {self.path}: {exc}.",
                                      hint="Check that the data folder is writable and the disk is not full.") from exc
        self._assembler = energy.Assembler()
        self._load_state()
        self._wake = threading.Event()
        self._pause = threading.Event()  # set only to end the coalescing wait at stop()
        self._stop = False
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ schema and state

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise errors.StorageError(f"{self.path} was written by a newer Commissioner (schema {version}).",
                                      hint="Update Commissioner, or choose another data folder.")
        schema.upgrade(self._conn, MIGRATIONS, version)

    def _meta(self, key: str, default: str) -> str:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def _load_state(self) -> None:
        """The assembler as the last catch-up left it: every session, the 1.6 starts awaiting their ids."""
        for (data,) in self._conn.execute("SELECT data FROM sessions"):
            session = _session(json.loads(data))
            self._assembler.sessions[(session.charger_id, session.transaction_id)] = session
        for key, value in json.loads(self._meta("pending", "[]")):
            self._assembler._calls[tuple(key)] = tuple(value)  # type: ignore[assignment]
        self._assembler.versions.update(json.loads(self._meta("versions", "{}")))
        self.cursor = int(self._meta("cursor", "0"))

    # ------------------------------------------------------------------ indexing

    def catch_up(self) -> int:
        """Index every journal frame after the cursor; the number of frames read. Blocking."""
        if not self._journal_path.is_file():
            return 0
        with self._lock:
            reader = journal_store.JournalReader(self._journal_path)
            try:
                top = reader.max_id()  # frames after it are the next catch-up's
                read = 0
                while True:
                    frames = reader.frames_of(ACTIONS, after_id=self.cursor, upto_id=top, limit=PAGE)
                    full = len(frames) == PAGE
                    self._index(frames, frames[-1].id or top if full else top)
                    read += len(frames)
                    if not full:
                        return read
            finally:
                reader.close()

    def _index(self, frames: list[model.Frame], cursor: int | None = None) -> None:
        """Index these frames and move the cursor to `cursor` (default: the last frame's id)."""
        touched: dict[tuple[str, str], energy.Session] = {}
        samples: list[energy.Sample] = []
        for number, frame in enumerate(frames):
            if number % YIELD_EVERY == YIELD_EVERY - 1:
                time.sleep(0)  # hand the GIL to the CSMS's loop: a catch-up never delays a charger's answer
            if frame.action not in ACTIONS:
                continue
            try:
                message = json.loads(frame.payload)
            except ValueError:
                continue
            changed, found = self._assembler.feed(frame.id or 0, frame.ts_ms, frame.charger_id,
                                                  frame.direction is model.Direction.IN, frame.message_type,
                                                  frame.action, frame.unique_id, message)
            for session in changed:
                touched[(session.charger_id, session.transaction_id)] = session
            samples.extend(found)
        if cursor is None:
            cursor = (frames[-1].id or self.cursor) if frames else self.cursor
        if not frames and cursor == self.cursor:
            return
        try:
            with self._conn:
                self._conn.execute("BEGIN")
                self._conn.executemany(
                    "INSERT INTO sessions (charger_id, transaction_id, started_ms, stopped_ms, data) VALUES (?,?,?,?,?)"
                    " ON CONFLICT(charger_id, transaction_id) DO UPDATE SET started_ms = excluded.started_ms,"
                    " stopped_ms = excluded.stopped_ms, data = excluded.data",
                    [(s.charger_id, s.transaction_id, s.started_ms, s.stopped_ms,
                      json.dumps(dataclasses.asdict(s))) for s in touched.values()])
                self._conn.executemany(
                    "INSERT INTO samples (charger_id, connector, transaction_id, ts_ms, measurand, phase, value, unit,"
                    " context, location, frame_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    [(s.charger_id, s.connector, s.transaction_id, s.ts_ms, s.measurand, s.phase, s.value, s.unit,
                      s.context, s.location, s.frame_id) for s in samples])
                pending = [[list(k), list(v)] for k, v in self._assembler._calls.items()]
                for key, value in (("cursor", str(cursor)), ("pending", json.dumps(pending)),
                                   ("versions", json.dumps(self._assembler.versions))):
                    self._conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE"
                                       " SET value = excluded.value", (key, value))
        except sqlite3.Error as exc:
            raise errors.StorageError(f"Cannot record sessions in {self.path}: {exc}.",
                                      hint="Free disk space; the sessions are rebuilt from the journal later.") from exc
        self.cursor = cursor

    # ------------------------------------------------------------------ the thread

    def start(self) -> None:
        """Catch up now and whenever poked, in a thread of its own."""
        if self._thread is None:
            self._stop = False
            self._thread = threading.Thread(target=self._run, name="energy-index", daemon=True)
            self._thread.start()
            self.poke()

    def poke(self) -> None:
        """The journal wrote a batch (any thread)."""
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            if self._stop:
                return
            # Indexed when the journal has been quiet a moment, never while it is busy: the parsing
            # holds the GIL, and under load (2,000 chargers) it doubled the CSMS's p99 answer time
            # (benchmarks/csms_load.py: 1.9 -> 4.4 ms). A reader asking (collect) catches up at once.
            while True:
                self._wake.clear()
                if self._pause.wait(QUIET_S) or self._stop:
                    break  # stop()
                if not self._wake.is_set():
                    break  # nothing written for QUIET_S
            if self._stop:
                return
            try:
                self.catch_up()
            except errors.StorageError as exc:
                log.warning("%s %s", exc.message, exc.hint)
            except Exception:  # the index must never take the CSMS down: the journal has it all
                log.exception("energy index catch-up failed")

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop = True
            self._pause.set()
            self._wake.set()
            thread.join(10)
            self._pause.clear()

    def close(self) -> None:
        self.stop()
        with self._lock:
            self._conn.close()

    # ------------------------------------------------------------------ reading

    def sessions(self, *, charger_id: str | None = None, since_ms: int | None = None,
                 until_ms: int | None = None) -> list[energy.Session]:
        """Sessions (oldest first) of one charger or all that overlap the time range."""
        where, params = ["(started_ms > 0 OR stopped_ms > 0)"], []
        if charger_id is not None:
            where.append("charger_id = ?")
            params.append(charger_id)
        if until_ms is not None:
            where.append("started_ms <= ?")
            params.append(until_ms)
        with self._lock:
            rows = self._conn.execute(f"SELECT data FROM sessions WHERE {' AND '.join(where)} "
                                      "ORDER BY started_ms, charger_id, transaction_id", params).fetchall()
        found = [_session(json.loads(data)) for (data,) in rows]
        if since_ms is not None:
            found = [s for s in found if (s.stopped_ms or s.last_ms or s.started_ms) >= since_ms]
        return found

    def samples(self, *, charger_id: str | None = None, since_ms: int | None = None,
                until_ms: int | None = None, transaction_id: str | None = None) -> list[energy.Sample]:
        where, params = ["1"], []
        for column, value, op in (("charger_id", charger_id, "="), ("ts_ms", since_ms, ">="),
                                  ("ts_ms", until_ms, "<="), ("transaction_id", transaction_id, "=")):
            if value is not None:
                where.append(f"{column} {op} ?")
                params.append(value)
        with self._lock:
            rows = self._conn.execute(
                "SELECT charger_id, connector, transaction_id, ts_ms, measurand, phase, value, unit, context, location,"
                f" frame_id FROM samples WHERE {' AND '.join(where)} ORDER BY ts_ms, frame_id", params).fetchall()
        return [energy.Sample(*row) for row in rows]


def _session(data: dict) -> energy.Session:
    return energy.Session(**{k: v for k, v in data.items() if k in _SESSION_FIELDS})
