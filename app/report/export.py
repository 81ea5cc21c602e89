"""A run's report files: <run id>.trace.jsonl (masked, hashed), <run id>.json (validated) and .pdf."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pathlib
from typing import Callable

import jsonschema

from app.domain import errors, runs
from app.report import document, pdf, trace
from app.storage import paths

SCHEMA = paths.resources("schemas", "report.schema.json")


@dataclasses.dataclass(frozen=True)
class Exported:
    pdf: pathlib.Path
    json: pathlib.Path
    trace: pathlib.Path
    sha256: str
    frames: int
    pages: int


def folder_name(charger_id: str) -> str:
    """The charger's folder under a report directory: its id where that is a safe file name.

    A charger chooses its own id (the URL path, percent-decoded): "../x" or "/etc" must not
    write outside the report directory. Letters, digits and ._-+@=~ stay; anything else is
    percent-encoded; "." and ".." are encoded; a very long id is cut, with a hash for uniqueness.
    """
    name = "".join(c if c.isalnum() or c in "._-+@=~" else "".join(f"%{b:02X}" for b in c.encode()) for c in charger_id)
    if name.strip(".") == "":
        name = name.replace(".", "%2E") or "%00"
    if len(name) > 100:
        name = name[:80] + "-" + hashlib.sha256(charger_id.encode()).hexdigest()[:16]
    return name


def folder(base: pathlib.Path, charger_id: str) -> pathlib.Path:
    return base / folder_name(charger_id)


def schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def export(run: runs.Run, journal_path: pathlib.Path, out_dir: pathlib.Path,
           progress: Callable[[int, int, str], None] | None = None) -> Exported:
    """Write the three files (blocking: call it in a worker thread). Raises StorageError."""
    report = progress or (lambda done, total, message: None)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        base = out_dir / run.id
        trace_path = base.with_name(run.id + ".trace.jsonl")
        report(0, 3, "OCPP trace")
        # The run's own frames, and those its steps cite from before it (the boot check's BootNotification).
        window = trace.Window.of(run)
        written = trace.write(journal_path, window, trace_path, trace.citations(run),
                              progress=lambda n: report(0, 3, f"OCPP trace: {document.count(n, 'frame')}"))
        changes = trace.configuration_changes(journal_path, window)
        data = document.build(run, written, trace_path.name, changes)
        jsonschema.validate(data, schema())  # a report that breaks its own schema is a bug, not a file
        json_path = base.with_name(run.id + ".json")
        json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        report(1, 3, "PDF")
        pdf_path = base.with_name(run.id + ".pdf")
        pages = pdf.write(data, pdf_path)
        report(3, 3, "done")
    except OSError as exc:
        raise errors.StorageError(f"Cannot write the report to {out_dir}: {exc.strerror or exc}.",
                                  hint="Choose a writable folder with free space.") from exc
    return Exported(pdf_path, json_path, trace_path, written.sha256, written.frames, pages)
