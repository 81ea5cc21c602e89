"""The runs database opened read-only (`commissioner runs` / `report`): reads, creates nothing."""

from __future__ import annotations

import pathlib

import pytest

from app.domain import errors, runs
from app.storage import runs as run_store


def test_read_only_reads_what_a_writer_keeps_and_creates_nothing(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "nope"
    assert not run_store.RunStore.exists(missing)
    with pytest.raises(errors.StorageError, match="Cannot open the runs database"):
        run_store.RunStore(missing, read_only=True)
    assert not missing.exists()

    writer = run_store.RunStore(tmp_path / "data")
    run = runs.Run(id="r1", charger_id="CP-1", template="bench", started_ms=1)
    run.steps = [runs.Step("boot", "Boot", "auto")]
    writer.save(run)
    assert run_store.RunStore.exists(tmp_path / "data")
    reader = run_store.RunStore(tmp_path / "data", read_only=True)
    try:
        assert [r.id for r in reader.list()] == ["r1"] and reader.get("r1").steps[0].key == "boot"
        with pytest.raises(errors.StorageError):
            reader.save_run(run)  # a read-only store never writes
    finally:
        reader.close()
        writer.close()


def test_a_run_never_marked_reads_as_unmarked_and_a_mark_at_zero_stays_a_mark(tmp_path: pathlib.Path) -> None:
    """Schema 2 said "not marked" and "marked at an empty journal" both with first_frame_id 0.
    Migrated: a run whose checks never started is unmarked (None); one that ran checks, or ended, keeps 0."""
    import json
    import sqlite3

    folder = tmp_path / "data"
    old = run_store.RunStore(folder)
    old.close()
    conn = sqlite3.connect(folder / run_store.FILE_NAME, isolation_level=None)
    conn.execute("PRAGMA user_version=2")
    conn.execute("DROP TABLE job_events")  # what schema 3 added: a schema-2 file has none of it
    conn.execute("DROP TABLE jobs")
    for run_id, ended, started in (("new", 0, 0), ("ran", 0, 5), ("over", 9, 5)):
        run = runs.Run(id=run_id, charger_id="CP-1", template="bench", started_ms=1, ended_ms=ended)
        header = run.header_dict() | {"first_frame_id": 0}
        conn.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?)", (run_id, "CP-1", 1, "incomplete", json.dumps(header)))
        step = runs.Step("boot", "Boot", "auto", started_ms=started)
        conn.execute("INSERT INTO steps VALUES (?, 0, 'boot', ?)", (run_id, json.dumps(step.to_dict())))
    conn.close()
    store = run_store.RunStore(folder)
    try:
        assert {r: store.get(r).first_frame_id for r in ("new", "ran", "over")} == {"new": None, "ran": 0, "over": 0}
        assert runs.Run(id="x", charger_id="CP", template="t").first_frame_id is None
    finally:
        store.close()
