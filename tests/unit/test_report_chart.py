"""The test charge's chart: power from 0 kW (a steady 7.2 kW with 50 W of noise is a flat line near
the top, not a sawtooth across the whole height), and a caption under it with the session's
duration, energy delivered and peak power. Checked on the PDF: its text, and its chart image."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from app.domain import runs
from app.report import document, export, pdf
from app.storage import journal as journal_store

T0 = 1_700_000_000_000
START_WH = 12_345_000.0  # the meter's lifetime register when the session began
# The chart as drawn (pdf._plot, at twice the page's size): the frame of the plot area, in image pixels.
FRAME_LEFT, FRAME_RIGHT, FRAME_TOP, FRAME_BOTTOM = 124, 1140, 48, 400

pytestmark = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdfimages")),
                                reason="poppler-utils (pdftotext, pdfimages) is not installed")


@pytest.fixture(scope="module", autouse=True)
def qt_application(qapp):
    pdf.ensure_application()


def _series(seconds: int = 72, watts: float = 7200.0) -> list[list[float]]:
    """A reading every 3 s: power steady within ±50 W, energy rising from the lifetime register."""
    points, energy = [], START_WH
    for index, t in enumerate(range(0, seconds + 1, 3)):
        power = watts + (50.0 if index % 2 else -50.0)
        if index:
            energy += power * 3 / 3600
        points.append([t * 1000, power, energy])
    return points


def _run(series: list[list[float]], values: list[runs.Value]) -> runs.Run:
    step = runs.Step("test_charge", "Test charge", "auto", state=runs.StepState.PASSED, series=series,
                     values=values, started_ms=T0, ended_ms=T0 + 80_000)
    return runs.Run("R-charge-1", "CP-charge", "bench", "Bench", started_ms=T0, ended_ms=T0 + 90_000,
                    outcome=runs.Outcome.PASSED, steps=[step])


def _export(tmp_path, run: runs.Run):
    journal = journal_store.Journal(tmp_path)
    journal.close()
    files = export.export(run, journal.path, tmp_path / "out")
    text = " ".join(subprocess.run(["pdftotext", str(files.pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    return files, text


def test_the_caption_gives_the_sessions_duration_energy_and_peak(tmp_path) -> None:
    run = _run(_series(), [runs.Value("energy delivered", 0.35, "kWh", 0.0), runs.Value("peak power", 7.25, "kW"),
                           runs.Value("transaction", 42), runs.Value("duration", 72.4, "s")])
    _, text = _export(tmp_path, run)
    assert "Test charge: 1 min 12 s, 0.35 kWh delivered, peak 7.25 kW" in text, text


def test_without_the_steps_own_figures_the_caption_reads_the_readings(tmp_path) -> None:
    series = _series(seconds=45)
    _, text = _export(tmp_path, _run(series, []))
    delivered = round((series[-1][2] - series[0][2]) / 1000, 3)
    assert f"Test charge: 45 s, {delivered:g} kWh delivered, peak 7.25 kW" in text, text


def test_duration_words() -> None:
    assert [document.duration_text(s) for s in (0, 44.6, 60, 72.4, 3599.6, 7500)] == [
        "0 s", "45 s", "1 min 0 s", "1 min 12 s", "1 h 0 min", "2 h 5 min"]


def test_the_power_axis_starts_at_zero(tmp_path) -> None:
    from PySide6 import QtGui

    files, _ = _export(tmp_path, _run(_series(), [runs.Value("energy delivered", 0.35, "kWh", 0.0)]))
    subprocess.run(["pdfimages", "-png", str(files.pdf), str(tmp_path / "image")], check=True)
    chart = QtGui.QImage(str(tmp_path / "image-000.png"))
    assert (chart.width(), chart.height()) == (1280, 480)

    def rows(matches) -> list[int]:
        """The rows inside the plot's frame where a pixel of the line's colour is."""
        found = set()
        for y in range(FRAME_TOP + 3, FRAME_BOTTOM - 2):
            for x in range(FRAME_LEFT + 3, FRAME_RIGHT - 2, 2):
                if matches(chart.pixelColor(x, y)):
                    found.add(y)
        return sorted(found)

    power = rows(lambda c: c.blue() > 140 and c.red() < 90 and c.green() < 140)  # #1565c0
    energy = rows(lambda c: c.green() > 100 and c.red() < 90 and c.blue() < 90)  # #2e7d32
    height = FRAME_BOTTOM - FRAME_TOP
    assert power and energy
    # 7.15 to 7.25 kW on a 0 to 8 kW axis: the line is within the top fifth, a few pixels thick.
    assert FRAME_TOP < power[0] and power[-1] < FRAME_TOP + height / 5, (power[0], power[-1])
    assert power[-1] - power[0] < 16
    # Energy delivered rises from 0 at the bottom of the frame to its end near the top.
    assert energy[-1] > FRAME_BOTTOM - 8 and energy[0] < FRAME_TOP + height / 4, (energy[0], energy[-1])
