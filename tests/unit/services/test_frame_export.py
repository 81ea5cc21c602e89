"""Frame exports, headless, over a real sqlite journal written by the real writer."""

from __future__ import annotations

import csv
import json
import pathlib
from typing import Iterator

import pytest

from app.domain import errors, model
from app.services import frame_export
from app.storage import journal as storage_journal

T0 = 1_767_261_600_000


def frames(n: int) -> list[model.Frame]:
    """Calls from two chargers, answers, a CALLERROR, a warning and a bad frame with a non-ASCII payload."""
    out = []
    for i in range(n):
        charger = "CP-A" if i % 2 else "CP-B"
        kind = i % 5
        if kind == 3:
            out.append(model.Frame(charger, model.Direction.IN, T0 + i, 4, "Reset", f"r{i}",
                                   f'[4,"r{i}","NotSupported","no, \\"never\\"",{{}}]', 12.5))
        elif kind == 4:
            out.append(model.Frame(charger, model.Direction.IN, T0 + i, 0, "", "", '[2,"x" Zähler, kaputt',
                                   warnings="not valid JSON"))
        else:
            out.append(model.Frame(charger, model.Direction.OUT if kind else model.Direction.IN, T0 + i,
                                   3 if kind else 2, "Heartbeat", f"h{i}", f'[2,"h{i}","Heartbeat",{{}}]',
                                   0.5 if kind else None, "interval: late" if kind == 2 else ""))
    return out


@pytest.fixture
def journal(tmp_path: pathlib.Path) -> Iterator[tuple[pathlib.Path, list[model.Frame]]]:
    directory = tmp_path / "journal"  # beside the exports, so a stray .part would show
    directory.mkdir()
    store = storage_journal.Journal(directory)
    data = frames(5000)  # more than one CHUNK
    for f in data:
        store.append(f)
    assert store.flush()
    for frame_id, f in enumerate(data, 1):
        f.id = frame_id
    yield store.path, data
    store.close()


def as_tuple(f: model.Frame) -> tuple:
    return (f.id, f.ts_ms, f.charger_id, f.direction.value, f.message_type, f.action, f.unique_id, f.latency_ms,
            f.warnings, f.payload)


def test_jsonl_has_every_matching_frame_with_its_raw_payload(tmp_path, journal) -> None:
    path, data = journal
    out = tmp_path / "out.jsonl"
    progress: list[tuple[int, int]] = []
    flt = storage_journal.FrameFilter(charger_id="CP-A")
    written = frame_export.export_frames(path, flt, None, out, "jsonl", progress=lambda *p: progress.append(p))
    expected = [f for f in data if f.charger_id == "CP-A"]
    assert written == len(expected) == 2500
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [tuple(r[k] for k in ("id", "ts_ms", "charger_id", "direction", "message_type", "action", "unique_id",
                                 "latency_ms", "warnings", "payload")) for r in records] == [
        as_tuple(f) for f in expected]
    assert list(records[0]) == list(frame_export.FIELDS)
    assert {r["type"] for r in records} == {"CALL", "CALLRESULT", "CALLERROR", "BAD FRAME"}
    assert records[0]["time"] == frame_export.local_time(expected[0].ts_ms).isoformat(timespec="milliseconds")
    assert "Zähler" in out.read_text("utf-8")  # not \u-escaped
    assert progress == [(2000, 2500), (2500, 2500)]
    assert not list(tmp_path.glob("*.part"))


def test_csv_has_the_bom_the_header_and_the_filtered_rows(tmp_path, journal) -> None:
    path, data = journal
    out = tmp_path / "out.csv"
    flt = storage_journal.FrameFilter(errors_only=True, text="NOTSUPPORTED")  # the journal's one text search
    written = frame_export.export_frames(path, flt, 1000, out, "csv")
    expected = [f for f in data if f.id <= 1000 and f.message_type == 4]
    assert written == len(expected) == 200
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + ",".join(frame_export.FIELDS).encode() + b"\r\n")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(int(r["id"]), r["charger_id"], r["type"], r["latency_ms"], r["payload"]) for r in rows] == [
        (f.id, f.charger_id, "CALLERROR", "12.5", f.payload) for f in expected]


def test_an_export_with_nothing_to_write_writes_the_header_only(tmp_path, journal) -> None:
    path, _ = journal
    out = tmp_path / "empty.csv"
    assert frame_export.export_frames(path, storage_journal.FrameFilter(charger_id="NOPE"), None, out, "csv") == 0
    assert out.read_text("utf-8-sig").splitlines() == [",".join(frame_export.FIELDS)]


def test_cancel_leaves_no_file(tmp_path, journal) -> None:
    path, _ = journal
    out = tmp_path / "cancelled.jsonl"
    progress: list[tuple[int, int]] = []
    with pytest.raises(frame_export.ExportCancelled):
        frame_export.export_frames(path, storage_journal.FrameFilter(), None, out, "jsonl",
                                   progress=lambda *p: progress.append(p), cancelled=lambda: bool(progress))
    assert progress == [(2000, 5000)]  # it stopped after the first chunk
    assert not out.exists() and not list(tmp_path.glob("*.part"))


def test_a_failed_export_keeps_an_earlier_file_and_leaves_no_part(tmp_path, journal) -> None:
    path, _ = journal
    out = tmp_path / "out.jsonl"
    out.write_text("an earlier export\n")

    def broken(_done: int, _total: int) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        frame_export.export_frames(path, storage_journal.FrameFilter(), None, out, "jsonl", progress=broken)
    assert out.read_text() == "an earlier export\n"
    assert not list(tmp_path.glob("*.part"))


def test_bad_format_and_missing_journal(tmp_path) -> None:
    with pytest.raises(ValueError):
        frame_export.export_frames(tmp_path / "j", storage_journal.FrameFilter(), None, tmp_path / "o", "xlsx")
    with pytest.raises(errors.StorageError):
        frame_export.export_frames(tmp_path / "missing" / storage_journal.FILE_NAME, storage_journal.FrameFilter(),
                                   None, tmp_path / "o.csv", "csv")
    assert not list(tmp_path.iterdir())
