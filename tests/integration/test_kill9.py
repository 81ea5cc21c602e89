"""What `serve --json` printed is on disk, even after kill -9 at an arbitrary moment."""

from __future__ import annotations

import pathlib

import pytest

from tests.integration import kill9_harness


@pytest.mark.parametrize("kill_after", [37, 400, 1500])
def test_every_printed_frame_survives_kill_9(tmp_path: pathlib.Path, kill_after: int) -> None:
    outcome = kill9_harness.run_once(tmp_path / "data", kill_after)
    assert outcome["printed"] >= kill_after
    assert outcome["missing"] == 0, outcome
