"""The report's OCPP trace is the run's own frames (its charger, its start to its end) plus the
frames its steps cite from before it, marked; the JSON's first and last frame ids are those of
the trace file's first and last line; the PDF says so in words (singular and plural); the
schema describes every field the report and its trace's lines hold."""

from __future__ import annotations

import json
import shutil
import subprocess

import jsonschema
import pytest

from app.domain import model, runs
from app.report import document, export, pdf, trace
from app.storage import journal as journal_store

T0 = 1_700_000_000_000


@pytest.fixture(scope="module", autouse=True)
def qt_application(qapp):
    pdf.ensure_application()


def _frame(charger: str, ts_ms: int, action: str, direction=model.Direction.IN) -> model.Frame:
    return model.Frame(charger, direction, ts_ms, 2, action, f"u{ts_ms}", json.dumps([2, f"u{ts_ms}", action, {}]))


def _journal(tmp_path) -> journal_store.Journal:
    """ids 1-5 before the run (2: CP-A's BootNotification, an hour before), 6-12 the run (9: another
    charger's), 13-14 after it."""
    journal = journal_store.Journal(tmp_path)
    frames = [_frame("CP-A", T0 - 3_700_000, "Heartbeat"), _frame("CP-A", T0 - 3_600_000, "BootNotification"),
              _frame("CP-A", T0 - 60_000, "Heartbeat"), _frame("CP-B", T0 - 30_000, "Heartbeat"),
              _frame("CP-A", T0 - 1_000, "StatusNotification")]
    frames += [_frame("CP-B" if i == 3 else "CP-A", T0 + i * 1000, "Heartbeat") for i in range(7)]
    frames += [_frame("CP-A", T0 + 60_000, "Heartbeat"), _frame("CP-A", T0 + 61_000, "Heartbeat")]
    for frame in frames:
        journal.append(frame)
    assert journal.flush()
    journal.close()
    return journal


def _run(first: int = 5, last: int = 12) -> runs.Run:
    steps = [runs.Step("boot", "Boot notification", "auto", state=runs.StepState.PASSED, evidence=[2, 6, 7],
                       started_ms=T0, ended_ms=T0 + 2000),
             runs.Step("heartbeat", "Heartbeat", "auto", state=runs.StepState.PASSED, evidence=[8],
                       started_ms=T0 + 2000, ended_ms=T0 + 3000)]
    return runs.Run("R-1", "CP-A", "bench", "Bench", started_ms=T0, ended_ms=T0 + 7000,
                    outcome=runs.Outcome.PASSED, steps=steps, first_frame_id=first, last_frame_id=last)


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_trace_is_the_run_and_the_evidence_it_cites_from_before(tmp_path) -> None:
    journal = _journal(tmp_path)
    files = export.export(_run(), journal.path, tmp_path / "out")
    lines = _lines(files.trace)
    # Not frames 1, 3 and 5 (before the run, not cited), 4 and 9 (CP-B's), 13 and 14 (after the run).
    assert [line["id"] for line in lines] == [2, 6, 7, 8, 10, 11, 12]
    boot = lines[0]
    assert boot["action"] == "BootNotification" and boot["ts_ms"] < T0
    assert boot["outside_run"] == "before" and boot["cited_by"] == ["boot"]
    assert not any("outside_run" in line or "cited_by" in line for line in lines[1:])
    data = json.loads(files.json.read_text(encoding="utf-8"))
    assert data["trace"]["first_frame_id"] == lines[0]["id"] == 2
    assert data["trace"]["last_frame_id"] == lines[-1]["id"] == 12
    assert data["trace"]["frames"] == len(lines) == files.frames == 7
    assert data["trace"]["frames_outside_run"] == 1
    jsonschema.validate(data, export.schema())


def test_a_run_without_old_evidence_starts_at_its_own_first_frame(tmp_path) -> None:
    journal = _journal(tmp_path)
    run = _run()
    run.step("boot").evidence = [6, 7]
    files = export.export(run, journal.path, tmp_path / "out")
    lines = _lines(files.trace)
    assert [line["id"] for line in lines] == [6, 7, 8, 10, 11, 12]
    data = json.loads(files.json.read_text(encoding="utf-8"))["trace"]
    assert (data["first_frame_id"], data["last_frame_id"], data["frames_outside_run"]) == (6, 12, 0)


def test_a_run_the_journal_never_marked_is_its_start_to_its_end_in_time(tmp_path) -> None:
    """first_frame_id and last_frame_id 0 (a run recorded by hand, or before the journal marks):
    not the charger's whole history, the frames from its start to its end."""
    journal = _journal(tmp_path)
    run = _run(first=0, last=0)
    written = trace.write(journal.path, trace.Window.of(run), tmp_path / "t.jsonl", trace.citations(run))
    lines = _lines(tmp_path / "t.jsonl")
    assert [line["id"] for line in lines] == [2, 6, 7, 8, 10, 11, 12]
    assert lines[0]["outside_run"] == "before"
    assert (written.first_frame_id, written.last_frame_id, written.frames, written.outside_run) == (2, 12, 7, 1)


def test_an_empty_trace_names_no_frame(tmp_path) -> None:
    journal = journal_store.Journal(tmp_path)
    journal.close()
    run = _run()
    for step in run.steps:
        step.evidence = []
    files = export.export(run, journal.path, tmp_path / "out")
    data = json.loads(files.json.read_text(encoding="utf-8"))["trace"]
    assert files.trace.read_bytes() == b"" and data["frames"] == 0
    assert "first_frame_id" not in data and "last_frame_id" not in data


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
def test_the_pdf_counts_frames_in_the_singular_and_the_plural_and_never_shows_minus_zero(tmp_path) -> None:
    journal = _journal(tmp_path)
    run = _run()
    run.step("heartbeat").values = [runs.Value("clock skew", -0.0, "s", -5.0, 5.0),
                                    runs.Value("transaction", 1234567)]
    files = export.export(run, journal.path, tmp_path / "out")
    text = " ".join(subprocess.run(["pdftotext", str(files.pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "3 frames" in text and "1 frame" in text and "1 frames" not in text  # boot cites 3, heartbeat 1
    assert "7 frames in R-1.trace.jsonl, 1 of them from outside the run, cited as evidence" in text, text
    assert "clock skew: 0 s" in text and "clock skew: -0" not in text
    assert "transaction: 1234567" in text
    data = json.loads(files.json.read_text(encoding="utf-8"))
    skew = data["steps"][1]["values"][0]
    assert json.dumps(skew["value"]) == "0.0"


def test_count_words() -> None:
    assert [document.count(n, "frame") for n in (0, 1, 2)] == ["0 frames", "1 frame", "2 frames"]
    assert document.number(-0.0) == 0.0 and str(document.number(-0.0)) == "0.0" and document.number(-1.5) == -1.5


def _described(schema: dict, names) -> dict[str, str]:
    """The descriptions the schema gives `names` (a name it does not describe: "")."""
    return {name: schema["properties"].get(name, {}).get("description", "") for name in names}


def test_the_schema_describes_the_trace_window_and_every_field_written(tmp_path) -> None:
    """The exported report and each line of its trace are valid by the schema, and every field
    they hold is described there: frames_outside_run, a line's outside_run and cited_by above all."""
    journal = _journal(tmp_path)
    files = export.export(_run(), journal.path, tmp_path / "out")
    schema = export.schema()
    validator = jsonschema.Draft202012Validator
    validator.check_schema(schema)
    data = json.loads(files.json.read_text(encoding="utf-8"))
    validator(schema).validate(data)
    line_schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/trace_line"}
    lines = _lines(files.trace)
    # And a frame that is not JSON, with a compliance warning (kept as text, masked).
    broken_frame = model.Frame("CP-A", model.Direction.IN, T0, 0, "", "", '[2, "u1", cut off',
                               warnings="not JSON", id=99)
    lines_and_text = [*lines, trace.line(broken_frame)]
    assert "text" in lines_and_text[-1] and "warnings" in lines_and_text[-1]
    for line in lines_and_text:
        validator(line_schema).validate(line)
    trace_schema, line_fields = schema["properties"]["trace"], schema["$defs"]["trace_line"]
    assert "trace_line" in trace_schema["description"]
    written = _described(trace_schema, data["trace"])
    assert {"frames_outside_run", "first_frame_id", "last_frame_id"} <= set(written)
    assert all(written.values()), written
    in_lines = _described(line_fields, {name for line in lines_and_text for name in line})
    assert {"outside_run", "cited_by"} <= set(in_lines)
    assert all(in_lines.values()), in_lines
    assert "before" in in_lines["outside_run"] and "cite" in in_lines["cited_by"]
    # The schema holds a trace line to what trace.write marks: both fields or neither, "before" or "after".
    cited = next(line for line in lines if "outside_run" in line)
    for broken in ({k: v for k, v in cited.items() if k != "cited_by"}, dict(cited, outside_run="during"),
                   dict(lines[1], cited_by=["boot"])):
        assert not validator(line_schema).is_valid(broken), broken
