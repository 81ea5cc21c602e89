"""Export journaled frames with their raw payloads: JSON Lines or CSV, for a ticket or a spreadsheet.

Qt-free and blocking: the window runs it on a worker thread, a headless caller wherever it likes.
It reads through its own `JournalReader` in chunks of `CHUNK` frames, so memory stays flat for
millions of frames, reports `progress(done, total)` after each chunk and checks `cancelled()`
before each one. It writes `<name>.part` and renames it at the end, so a failed or cancelled
export never leaves a half file under the chosen name.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import pathlib
from typing import Callable

from app.domain import model
from app.storage import journal as storage_journal

FORMATS = ("jsonl", "csv")
FIELDS = ("id", "time", "ts_ms", "charger_id", "direction", "message_type", "type", "action",
          "unique_id", "latency_ms", "warnings", "payload")
CHUNK = 2000
TYPE_LABELS = {0: "BAD FRAME", **{m.value: m.label for m in model.MessageType}}  # untranslated, as exported


class ExportCancelled(Exception):
    """`cancelled()` said stop; the partial file is gone."""


def local_time(ts_ms: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ts_ms / 1000).astimezone()


def type_label(message_type: int) -> str:
    return TYPE_LABELS.get(message_type, str(message_type))


def export_frames(journal_path: pathlib.Path, frame_filter: storage_journal.FrameFilter, upto_id: int | None,
                  out_path: pathlib.Path, fmt: str, *, progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> int:
    """Write every journaled frame matching `frame_filter` with an id <= `upto_id`; returns how many.

    `upto_id` None means the newest frame journaled when the export starts (frames arriving
    meanwhile are not chased). Raises `ExportCancelled`, `errors.StorageError` (the journal
    cannot be read) or OSError (the file cannot be written).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    reader = storage_journal.JournalReader(journal_path)
    part = out_path.with_name(out_path.name + ".part")
    try:
        if upto_id is None:
            upto_id = reader.max_id()
        total = reader.count(frame_filter, upto_id=upto_id)
        done, after = 0, 0
        # utf-8-sig: spreadsheet programs read the CSV as UTF-8 only with the BOM
        with open(part, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as out:
            writer = csv.writer(out) if fmt == "csv" else None
            if writer is not None:
                writer.writerow(FIELDS)
            while True:
                if cancelled is not None and cancelled():
                    raise ExportCancelled
                frames = reader.frames(frame_filter, after_id=after, upto_id=upto_id, limit=CHUNK)
                for f in frames:
                    record = (f.id, local_time(f.ts_ms).isoformat(timespec="milliseconds"), f.ts_ms, f.charger_id,
                              f.direction.value, f.message_type, type_label(f.message_type), f.action, f.unique_id,
                              f.latency_ms, f.warnings, f.payload)
                    if writer is not None:
                        writer.writerow(record)
                    else:
                        out.write(json.dumps(dict(zip(FIELDS, record)), ensure_ascii=False) + "\n")
                if frames:
                    done += len(frames)
                    after = frames[-1].id
                    if progress is not None:
                        progress(done, total)
                if len(frames) < CHUNK:
                    break
        os.replace(part, out_path)
        return done
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    finally:
        reader.close()
