"""A step's value says its limits in words a customer reads: "10.2 s (allowed 8.0–12.0 s)",
"allowed ≥ 3 kWh", "allowed ≤ 5 s", and "not met" when it is outside them; checked in the PDF."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from app.domain import runs
from app.report import document, export, pdf
from app.storage import journal as journal_store

T0 = 1_700_000_000_000


@pytest.fixture(scope="module", autouse=True)
def qt_application(qapp):
    pdf.ensure_application()


def _words(text: str) -> str:
    """The text with every run of white space (a line break, a no-break space) as one space."""
    return " ".join(text.split())


def test_limits_in_words() -> None:
    assert _words(document.limits(8.0, 12.0, "s", 10.2)) == "allowed 8.0–12.0 s"  # the value's decimals
    assert _words(document.limits(8, 12, "s", 10)) == "allowed 8–12 s"
    assert _words(document.limits(-5.0, 5.0, "s", 0.0)) == "allowed ±5 s"
    assert _words(document.limits(-10.0, -5.0, "dB", -7.5)) == "allowed -10.0 to -5.0 dB"
    assert _words(document.limits(3.0, None, "kWh", 4.2)) == "allowed ≥ 3 kWh"
    assert _words(document.limits(None, 5.0, "s", 1.25)) == "allowed ≤ 5 s"
    assert document.limits(None, None, "s", 1.0) == ""
    assert _words(document.limits(0.5, 2.0, "", 1)) == "allowed 0.5–2.0"


def test_a_value_names_its_limits_and_whether_it_met_them() -> None:
    inside = {"name": "interval measured", "value": 10.2, "unit": "s", "low": 8.0, "high": 12.0, "in_limits": True}
    outside = dict(inside, value=15.3, in_limits=False)
    plain = {"name": "transaction", "value": 1234567, "unit": "", "low": None, "high": None, "in_limits": None}
    assert _words(document.value_text(inside)) == "interval measured: 10.2 s (allowed 8.0–12.0 s)"
    assert _words(document.value_text(outside)) == "interval measured: 15.3 s (allowed 8.0–12.0 s: not met)"
    assert document.value_text(plain) == "transaction: 1234567"
    assert document.value_text({"name": "", "value": "pass", "unit": ""}) == "pass"
    # No bare number is cut from its unit at the end of a line.
    assert "10.2\u00a0s" in document.value_text(inside) and "≥\u00a03" in document.limits(3.0, None, "kWh")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
def test_the_pdf_says_what_each_limit_means(tmp_path) -> None:
    values = {
        "heartbeat": [runs.Value("interval measured", 10.2, "s", 8.0, 12.0),
                      runs.Value("interval set for the timing", 10.0, "s")],
        "clock": [runs.Value("clock skew", 7.5, "s", -5.0, 5.0)],
        "reconnect": [runs.Value("reconnect time", 3.5, "s", None, 5.0)],
        "test_charge": [runs.Value("energy delivered", 4.2, "kWh", 3.0), runs.Value("transaction", 42)],
    }
    steps = [runs.Step(key, key.replace("_", " ").capitalize(), "auto",
                       state=runs.StepState.FAILED if key == "clock" else runs.StepState.PASSED,
                       values=listed, started_ms=T0, ended_ms=T0 + 1000) for key, listed in values.items()]
    run = runs.Run("R-lim-1", "CP-lim", "bench", "Bench", started_ms=T0, ended_ms=T0 + 60_000,
                   outcome=runs.Outcome.FAILED, steps=steps)
    journal = journal_store.Journal(tmp_path)
    journal.close()
    files = export.export(run, journal.path, tmp_path / "out")
    text = _words(subprocess.run(["pdftotext", str(files.pdf), "-"], capture_output=True, text=True,
                                 check=True).stdout)
    for said in ("interval measured: 10.2 s (allowed 8.0–12.0 s)", "interval set for the timing: 10 s",
                 "clock skew: 7.5 s (allowed ±5.0 s: not met)", "reconnect time: 3.5 s (allowed ≤ 5 s)",
                 "energy delivered: 4.2 kWh (allowed ≥ 3 kWh)", "transaction: 42"):
        assert said in text, (said, text)
    assert "…" not in text and "Limit" not in text  # no column of bare limits beside the values
