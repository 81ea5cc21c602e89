"""A console session log kept with a run is listed in the report by name (PDF and JSON), never
decoded as a picture."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from app.domain import runs
from app.report import export, pdf
from app.storage import journal as journal_store

T0 = 1_700_000_000_000


@pytest.fixture(scope="module", autouse=True)
def qt_application(qapp):
    pdf.ensure_application()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
def test_a_console_log_is_listed_not_drawn(tmp_path) -> None:
    log = tmp_path / "01-console_log.log"
    log.write_text("2026-01-01T10:00:00.000 >> get ocpp_url\n")
    step = runs.Step("console", "Serial console read back", "auto", state=runs.StepState.PASSED,
                     values=[runs.Value("charge_point_id", "CP-con")], started_ms=T0, ended_ms=T0 + 1000)
    run = runs.Run("R-con-1", "CP-con", "bench", "Bench", started_ms=T0, ended_ms=T0 + 60_000,
                   outcome=runs.Outcome.PASSED, steps=[step], attachments=[
                       {"kind": "console_log", "label": "Serial console session (/dev/ttyUSB0)", "file": str(log),
                        "name": "", "time_ms": T0 + 500}])
    journal = journal_store.Journal(tmp_path)
    journal.close()
    files = export.export(run, journal.path, tmp_path / "out")
    text = " ".join(subprocess.run(["pdftotext", str(files.pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Console sessions" in text and "Serial console session (/dev/ttyUSB0)" in text
    assert "01-console_log.log" in text
    assert "(the image cannot be read)" not in text
    [listed] = json.loads(files.json.read_text(encoding="utf-8"))["attachments"]
    assert listed["kind"] == "console_log" and listed["file"] == str(log) and listed["time"]
