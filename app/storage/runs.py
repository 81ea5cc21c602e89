"""Commissioning runs in sqlite (runs.sqlite3 beside the journal), written the moment they change.

WAL, synchronous=FULL: a step that was shown as done is on disk, even after kill -9 or a pulled
plug. A step is one small row, written in well under a millisecond, so the engine loop writes it
directly. The schema carries a version; `MIGRATIONS[n]` takes version n to n + 1.
"""

from __future__ import annotations

import json
import pathlib
import sqlite3
import threading

from app.domain import errors, jobs, runs
from app.storage import schema

FILE_NAME = "runs.sqlite3"
SCHEMA_VERSION = 4
MIGRATIONS: dict[int, list[str]] = {
    0: [
        "CREATE TABLE runs (id TEXT PRIMARY KEY, charger_id TEXT NOT NULL, started_ms INTEGER NOT NULL,"
        " outcome TEXT NOT NULL, header TEXT NOT NULL)",
        "CREATE TABLE steps (run_id TEXT NOT NULL REFERENCES runs(id), position INTEGER NOT NULL,"
        " key TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (run_id, key))",
        "CREATE INDEX runs_by_charger ON runs (charger_id, started_ms)",
    ],
    1: [  # configuration snapshots: a charger's whole configuration at one moment
        "CREATE TABLE snapshots (id INTEGER PRIMARY KEY AUTOINCREMENT, charger_id TEXT NOT NULL,"
        " taken_ms INTEGER NOT NULL, label TEXT NOT NULL, data TEXT NOT NULL)",
        "CREATE INDEX snapshots_by_charger ON snapshots (charger_id, taken_ms)",
    ],
    # A run's first_frame_id None is "not marked yet"; before, 0 said that and "marked at an empty
    # journal" alike. A run that never ended and whose automated checks never started was never
    # marked: None, so it is marked when its checks start (one that ran checks keeps its 0).
    2: [
        "UPDATE runs SET header = json_set(header, '$.first_frame_id', NULL)"
        " WHERE json_extract(header, '$.first_frame_id') = 0 AND json_extract(header, '$.ended_ms') = 0"
        " AND NOT EXISTS (SELECT 1 FROM steps WHERE steps.run_id = runs.id"
        " AND json_extract(steps.data, '$.kind') = 'auto' AND json_extract(steps.data, '$.started_ms') > 0)",
    ],
    3: [  # firmware updates and log uploads, each with its timeline (domain.jobs)
        "CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, charger_id TEXT NOT NULL,"
        " started_ms INTEGER NOT NULL, request_id INTEGER, outcome TEXT NOT NULL, ended_ms INTEGER NOT NULL,"
        " message TEXT NOT NULL, detail TEXT NOT NULL)",
        "CREATE INDEX jobs_by_charger ON jobs (charger_id, started_ms)",
        "CREATE TABLE job_events (id INTEGER PRIMARY KEY AUTOINCREMENT, job_id INTEGER NOT NULL REFERENCES jobs(id),"
        " ts_ms INTEGER NOT NULL, source TEXT NOT NULL, status TEXT NOT NULL, detail TEXT NOT NULL)",
        "CREATE INDEX job_events_by_job ON job_events (job_id, id)",
    ],
}


class RunStore:
    """Thread-safe: one connection, one lock (writes are rare and tiny).

    `read_only`: for commands that only list or report. Nothing is created (no folder, no
    database) and nothing migrated; a database that is not there raises StorageError, see `exists`.
    """

    def __init__(self, directory: pathlib.Path, *, read_only: bool = False) -> None:
        self.path = directory / FILE_NAME
        self.read_only = read_only
        self._lock = threading.Lock()
        try:
            if read_only:
                # as_uri() escapes '#', '?' and '%' that a data-dir path may contain.
                self._conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                             check_same_thread=False, isolation_level=None)
            else:
                directory.mkdir(parents=True, exist_ok=True)
                self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise errors.StorageError(f"Cannot open the runs database {self.path}: {exc}.", hint=(
                "Check that the file is there and readable." if read_only else
                "Check that the data folder is writable and the disk is not full.")) from exc

    @staticmethod
    def exists(directory: pathlib.Path) -> bool:
        """Whether `directory` holds a runs database (without creating one)."""
        return (directory / FILE_NAME).is_file()

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise errors.StorageError(f"{self.path} was written by a newer Commissioner (schema {version}).",
                                      hint="Update Commissioner, or choose another data folder.")
        if self.read_only:
            if version == 0:
                raise errors.StorageError(f"{self.path} is not a Commissioner runs database.",
                                          hint="Choose the data folder Commissioner keeps its runs in.")
            return  # an older schema is read as it is: every version has the runs and steps tables
        schema.upgrade(self._conn, MIGRATIONS, version)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _write(self, sql: str, params: tuple) -> None:
        with self._lock:
            try:
                self._conn.execute(sql, params)
            except sqlite3.Error as exc:
                raise errors.StorageError(f"Cannot record the run in {self.path}: {exc}.",
                                          hint="Free disk space or check the data folder; the run stops here.") from exc

    def save_run(self, run: runs.Run) -> None:
        """The run's header (not its steps)."""
        self._write("INSERT INTO runs (id, charger_id, started_ms, outcome, header) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT(id) DO UPDATE SET outcome = excluded.outcome, header = excluded.header",
                    (run.id, run.charger_id, run.started_ms, run.outcome.value, json.dumps(run.header_dict())))

    def save_step(self, run: runs.Run, step: runs.Step) -> None:
        position = run.steps.index(step)
        self._write("INSERT INTO steps (run_id, position, key, data) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT(run_id, key) DO UPDATE SET data = excluded.data, position = excluded.position",
                    (run.id, position, step.key, json.dumps(step.to_dict(), ensure_ascii=False)))

    def save(self, run: runs.Run) -> None:
        self.save_run(run)
        for step in run.steps:
            self.save_step(run, step)

    def get(self, run_id: str) -> runs.Run | None:
        with self._lock:
            row = self._conn.execute("SELECT header FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                return None
            steps = self._conn.execute("SELECT data FROM steps WHERE run_id = ? ORDER BY position", (run_id,)).fetchall()
        header = json.loads(row[0])
        header["outcome"] = runs.Outcome(header["outcome"])
        run = runs.Run(**header)
        run.steps = [runs.Step.from_dict(json.loads(s[0])) for s in steps]
        return run

    def list(self, charger_id: str | None = None) -> list[runs.Run]:
        """Runs, newest first (headers only: steps empty)."""
        with self._lock:
            sql = "SELECT header FROM runs" + (" WHERE charger_id = ?" if charger_id else "") + " ORDER BY started_ms DESC"
            rows = self._conn.execute(sql, (charger_id,) if charger_id else ()).fetchall()
        out = []
        for (header,) in rows:
            data = json.loads(header)
            data["outcome"] = runs.Outcome(data["outcome"])
            out.append(runs.Run(**data))
        return out

    # ---------------------------------------------------------------- configuration snapshots

    def save_snapshot(self, charger_id: str, taken_ms: int, label: str, data: dict) -> int:
        """A snapshot (services.config_templates.Snapshot.to_dict, secrets already masked); its id."""
        with self._lock:
            try:
                cursor = self._conn.execute("INSERT INTO snapshots (charger_id, taken_ms, label, data) VALUES (?, ?, ?, ?)",
                                            (charger_id, taken_ms, label, json.dumps(data, ensure_ascii=False)))
            except sqlite3.Error as exc:
                raise errors.StorageError(f"Cannot store the snapshot in {self.path}: {exc}.",
                                          hint="Free disk space or check the data folder.") from exc
            return int(cursor.lastrowid)

    def snapshot(self, snapshot_id: int) -> dict | None:
        with self._lock:
            row = self._conn.execute("SELECT data FROM snapshots WHERE id = ?", (snapshot_id,)).fetchone()
        return None if row is None else {**json.loads(row[0]), "id": snapshot_id}

    def snapshots(self, charger_id: str | None = None) -> list[tuple[int, str, int, str]]:
        """(id, charger id, taken ms, label), newest first."""
        with self._lock:
            sql = "SELECT id, charger_id, taken_ms, label FROM snapshots" + (
                " WHERE charger_id = ?" if charger_id else "") + " ORDER BY taken_ms DESC, id DESC"
            return [tuple(r) for r in self._conn.execute(sql, (charger_id,) if charger_id else ()).fetchall()]

    # ---------------------------------------------------------------- firmware updates and log uploads

    def save_job(self, job: jobs.Job) -> int:
        """Insert (id 0) or update the job's header; returns its id (also set on the job)."""
        params = (job.kind.value, job.charger_id, job.started_ms, job.request_id, job.outcome.value, job.ended_ms,
                  job.message, json.dumps(job.detail, ensure_ascii=False))
        with self._lock:
            try:
                if job.id:
                    self._conn.execute("UPDATE jobs SET kind=?, charger_id=?, started_ms=?, request_id=?, outcome=?,"
                                       " ended_ms=?, message=?, detail=? WHERE id=?", (*params, job.id))
                else:
                    cursor = self._conn.execute("INSERT INTO jobs (kind, charger_id, started_ms, request_id, outcome,"
                                                " ended_ms, message, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", params)
                    job.id = int(cursor.lastrowid)
            except sqlite3.Error as exc:
                raise errors.StorageError(f"Cannot record the {job.kind.value} job in {self.path}: {exc}.",
                                          hint="Free disk space or check the data folder.") from exc
        return job.id

    def add_job_event(self, job: jobs.Job, event: jobs.Event) -> None:
        """Append to the job's timeline, on disk before anyone is shown it."""
        job.events.append(event)
        self._write("INSERT INTO job_events (job_id, ts_ms, source, status, detail) VALUES (?, ?, ?, ?, ?)",
                    (job.id, event.ts_ms, event.source.value, event.status, event.detail))

    def jobs(self, charger_id: str | None = None, kind: jobs.Kind | None = None, *,
             limit: int = 200) -> list[jobs.Job]:
        """Jobs newest first, with their timelines."""
        where, params = [], []
        if charger_id:
            where.append("charger_id = ?")
            params.append(charger_id)
        if kind is not None:
            where.append("kind = ?")
            params.append(kind.value)
        sql = ("SELECT id, kind, charger_id, started_ms, request_id, outcome, ended_ms, message, detail FROM jobs"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY started_ms DESC, id DESC LIMIT ?")
        with self._lock:
            rows = self._conn.execute(sql, (*params, limit)).fetchall()
            found = [_job(row) for row in rows]
            for job in found:
                job.events = [jobs.Event(ts, jobs.Source(source), status, detail) for ts, source, status, detail in
                              self._conn.execute("SELECT ts_ms, source, status, detail FROM job_events"
                                                 " WHERE job_id = ? ORDER BY id", (job.id,))]
        return found

    def job(self, job_id: int) -> jobs.Job | None:
        with self._lock:
            row = self._conn.execute("SELECT id, kind, charger_id, started_ms, request_id, outcome, ended_ms, message,"
                                     " detail FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return None
            job = _job(row)
            job.events = [jobs.Event(ts, jobs.Source(source), status, detail) for ts, source, status, detail in
                          self._conn.execute("SELECT ts_ms, source, status, detail FROM job_events"
                                             " WHERE job_id = ? ORDER BY id", (job_id,))]
        return job

    def unfinished(self) -> list[runs.Run]:
        """Runs that never ended (the app closed or crashed mid-run): offered for resuming."""
        return [r for r in self.list() if not r.ended_ms]


def _job(row: tuple) -> jobs.Job:
    job_id, kind, charger_id, started_ms, request_id, outcome, ended_ms, message, detail = row
    return jobs.Job(job_id, jobs.Kind(kind), charger_id, started_ms, request_id, jobs.Outcome(outcome), ended_ms,
                    message, json.loads(detail))
