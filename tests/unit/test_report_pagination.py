"""A report of many pages has each line once: on the page where it is, not again at the top of the next.

Checked on the real PDF, page by page, with pdftotext; every word of the content is unique, so a
word read twice is a line drawn twice and a word missing is a line lost.
"""

from __future__ import annotations

import collections
import json
import logging
import re
import shutil
import subprocess

import pytest

from app.domain import runs
from app.report import export, pdf
from app.storage import journal as journal_store

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")

START = 1_700_000_000_000
UNIQUE = re.compile(r"\b(?:w\d{3}x\d+|Step-\d{3}|field\d{3}|Key\d{3}|value\d{3})\b")


@pytest.fixture(scope="module", autouse=True)
def qt_application(qapp):
    pdf.ensure_application()


def _long_run() -> runs.Run:
    """Steps with notes of 3 to 45 words (a table cell of many lines, cut by page breaks), a long
    entry (one paragraph over a page break) and a long settings table: all words unique."""
    steps = [runs.Step(f"s{i}", f"Step-{i:03d}", "manual", state=runs.StepState.PASSED,
                       note=" ".join(f"w{i:03d}x{j}" for j in range(3 + (i * 7) % 43)),
                       started_ms=START + i * 1000, ended_ms=START + i * 1000)
             for i in range(50)]
    settings = {f"Key{i:03d}": f"value{i:03d}" for i in range(160)}
    fields = {"notes": " ".join(f"field{i:03d}" for i in range(900)),
              "configuration at start": json.dumps(settings)}
    return runs.Run("R-long-1", "CP-long", "bench", "Bench", started_ms=START, ended_ms=START + 60_000,
                    outcome=runs.Outcome.PASSED, steps=steps, fields=fields)


def _pages(path, count: int) -> list[list[str]]:
    return [[line.strip() for line in subprocess.run(
        ["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True, text=True, check=True
    ).stdout.splitlines() if line.strip()] for n in range(1, count + 1)]


def test_a_line_cut_by_a_page_break_is_on_one_page_only(tmp_path) -> None:
    run = _long_run()
    journal = journal_store.Journal(tmp_path)
    journal.close()
    files = export.export(run, journal.path, tmp_path / "out")
    assert files.pages >= 5
    pages = _pages(files.pdf, files.pages)
    assert len(pages) == files.pages and all(pages)
    # Nothing twice, nothing lost: every word of the content exactly once in the whole PDF.
    counts = collections.Counter(word for page in pages for line in page for word in UNIQUE.findall(line))
    expected = ({s.title for s in run.steps} | {w for s in run.steps for w in s.note.split()}
                | set(run.fields["notes"].split()) | {f"Key{i:03d}" for i in range(160)}
                | {f"value{i:03d}" for i in range(160)})
    assert set(counts) == expected, sorted(expected ^ set(counts))[:20]
    twice = {word: n for word, n in counts.items() if n != 1}
    assert not twice, twice
    # And across each page break no line of content (the table's header row is repeated on purpose).
    header = {"Step", "Verdict", "Value", "Reason / note", "Time", "PASSED"}
    for number, (page, following) in enumerate(zip(pages, pages[1:]), start=1):
        both = (set(page) & set(following)) - header
        assert not both, (number, sorted(both))
    # Each page ends with its footer and the page is whole: rendered, it is not blank at the bottom.
    for number, page in enumerate(pages, start=1):
        assert page[-1] == f"Run R-long-1 · CP-long · page {number} of {files.pages}"


def test_after_pagination_every_line_is_whole_on_one_page() -> None:
    """What the drawing relies on: each block on one page, each line inside its page (none clipped)."""
    from PySide6 import QtCore, QtGui

    from app.report import document as report_document
    from app.report import trace

    report = report_document.build(_long_run(), trace.Written("0" * 64, 0, 0, 0, 0), "R-long-1.trace.jsonl")
    document = QtGui.QTextDocument()
    document.setDocumentMargin(0)
    document.setPageSize(QtCore.QSizeF(698, 979))
    document.setHtml(pdf.html_of(report, plot=False))
    height = document.pageSize().height()
    before = document.blockCount()
    pages = pdf.paginate(document)
    assert document.blockCount() > before and pages == document.pageCount() >= 5  # blocks were cut
    block = document.begin()
    while block.isValid():
        origin = document.documentLayout().blockBoundingRect(block).y()
        layout = block.layout()
        spans = {int((origin + layout.lineAt(i).y()) // height) for i in range(layout.lineCount())}
        assert len(spans) <= 1, block.text()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            top = origin + line.y()
            assert top // height == (top + line.height() - 0.01) // height, (block.text(), top)
        block = block.next()


def test_a_layout_that_does_not_settle_is_logged_and_the_report_is_still_whole(tmp_path, monkeypatch, caplog) -> None:
    """Forced: every round finds the first line of each block of several lines on the next page
    (so each round splits off one line), and two rounds are allowed. The PDF still has every word."""
    real = pdf._line_pages

    def first_line_cut(document, block):
        lines = real(document, block)
        return [(0 if index == 0 else 1, position) for index, (_, position) in enumerate(lines)]

    monkeypatch.setattr(pdf, "_line_pages", first_line_cut)
    monkeypatch.setattr(pdf, "LAYOUT_ROUNDS", 2)
    run = _long_run()
    journal = journal_store.Journal(tmp_path)
    journal.close()
    with caplog.at_level(logging.WARNING, logger=pdf.__name__):
        files = export.export(run, journal.path, tmp_path / "out")
    warned = [r for r in caplog.records if r.name == pdf.__name__ and r.levelno == logging.WARNING]
    assert len(warned) == 1 and "did not settle in 2 rounds" in warned[0].getMessage(), caplog.text
    pages = _pages(files.pdf, files.pages)
    assert files.pages >= 5 and len(pages) == files.pages and all(pages)
    words = {word for page in pages for line in page for word in UNIQUE.findall(line)}
    expected = ({s.title for s in run.steps} | {w for s in run.steps for w in s.note.split()}
                | set(run.fields["notes"].split()) | {f"Key{i:03d}" for i in range(160)}
                | {f"value{i:03d}" for i in range(160)})
    assert words == expected, sorted(expected ^ words)[:20]
    for number, page in enumerate(pages, start=1):
        assert page[-1] == f"Run R-long-1 · CP-long · page {number} of {files.pages}"


def test_a_layout_that_settles_logs_nothing(tmp_path, caplog) -> None:
    journal = journal_store.Journal(tmp_path)
    journal.close()
    with caplog.at_level(logging.WARNING, logger=pdf.__name__):
        export.export(_long_run(), journal.path, tmp_path / "out")
    assert not [r for r in caplog.records if r.name == pdf.__name__], caplog.text
