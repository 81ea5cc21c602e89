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
