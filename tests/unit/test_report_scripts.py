"""The report PDF reads back as typed in every script a technician writes: Urdu (right to left,
Nastaliq), Gujarati and Gurmukhi (conjuncts, reordered vowel signs), Swahili (Latin), as
`pdftotext` extracts it, and the text objects Qt drew are still there (rendered, not replaced)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from app.domain import runs
from app.report import export, pdf, pdf_text
from app.storage import journal as journal_store

SITE = "لاہور چارجنگ اسٹیشن، گلبرگ"  # Lahore charging station, Gulberg
NOTE = "અમદાવાદ ચાર્જિંગ સ્ટેશન"  # Ahmedabad charging station
TECHNICIAN = "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ"
CUSTOMER = "Kituo cha kuchaji, Nairobi"
BOLD_KEY = "تبصرہ"  # an entry's name: bold in the PDF, which Nastaliq (no bold face) gets synthesized

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")


@pytest.fixture(scope="module", autouse=True)
def qt_application(qapp):
    pdf.ensure_application()


def _run() -> runs.Run:
    step = runs.Step("site", "Site", "manual", state=runs.StepState.PASSED, note=NOTE, started_ms=1, ended_ms=2)
    return runs.Run("R-ur-1", "CP-Lahore-7", "bench", "Bench", technician=TECHNICIAN, site=SITE,
                    started_ms=1_700_000_000_000, ended_ms=1_700_000_100_000, outcome=runs.Outcome.PASSED,
                    steps=[step], fields={"customer": CUSTOMER, "notes": f"{SITE} 42 kW — {NOTE}", BOLD_KEY: "1"})


def test_urdu_gujarati_gurmukhi_and_swahili_read_back_from_the_pdf(tmp_path) -> None:
    journal = journal_store.Journal(tmp_path)
    journal.close()
    files = export.export(_run(), journal.path, tmp_path / "out")
    text = subprocess.run(["pdftotext", str(files.pdf), "-"], capture_output=True, text=True, check=True).stdout
    for typed in (SITE, NOTE, TECHNICIAN, CUSTOMER, "CP-Lahore-7"):
        for word in typed.replace("،", " ").split():
            assert word in text, (word, text)
    assert SITE.split("،")[0] in text  # a whole right-to-left phrase, in logical order
    assert NOTE in text and TECHNICIAN in text
    assert BOLD_KEY in text
    # Still drawn by Qt (shaped glyphs on the page), only described: pdftoppm renders it.
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(files.pdf), str(png)], check=True)
    assert list(tmp_path.glob("page*.png"))


def test_marks_split_right_to_left_text_into_letter_runs() -> None:
    marks = pdf_text.Marks()
    html = marks.text("Site 3: لاہور، گلبرگ <b>")
    assert list(marks.runs.values()) == ["لاہور", "گلبرگ"]
    assert "&lt;b&gt;" in html and "Site 3: " in html
    assert "#000001" in html and "#000002" in html


def test_rewrite_wraps_each_marked_text_object_and_restores_black() -> None:
    def item(colour: bytes, glyph: bytes) -> list[bytes]:
        return [b"q", b"1 0 0 1 48 48 cm", b"/CSp cs", colour + b" scn", b"/GSa gs", b"BT", b"/F13 13 Tf 1 0 0 -1 0 0 Tm",
                b"100 -50 Td " + glyph + b" Tj", b"-8 0 Td <0002> Tj", b"ET", b"Q"]
    marked = b"0 0 0.003921568"  # #000001: marker 1
    stream = b"\n".join(item(marked, b"<0001>") + item(marked, b"<0003>") + item(b"0 0 0", b"<0004>"))
    out = pdf_text.rewrite(stream, {1: "لا"}, set(), {"F13": {1: 500, 2: 600, 3: 400}}).split(b"\n")
    assert b"0.003921568" not in b"\n".join(out)  # black again
    spans = [line for line in out if line.endswith(b"BDC")]
    assert spans[0] == b"/Span << /ActualText <FEFF06270644> >> BDC"  # the text once, in drawing order ...
    assert spans[1] == b"/Span << /ActualText <> >> BDC"  # ... and not twice
    assert out.count(b"EMC") == 2 and all(out[i + 1] == b"ET" for i, line in enumerate(out) if line == b"EMC")
    # Invisible glyphs at both ends of the baseline: left end 92 (100 - 8), right end 100 + 6.5.
    assert b"92.0000 -50.0000 Td <0000> Tj" in out and b"3 Tr" in out  # .notdef: reads as nothing
    # The unmarked item is untouched.
    assert out[-6:] == [b"BT", b"/F13 13 Tf 1 0 0 -1 0 0 Tm", b"100 -50 Td <0004> Tj", b"-8 0 Td <0002> Tj", b"ET", b"Q"]
