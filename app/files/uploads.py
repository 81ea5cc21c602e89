"""Files chargers sent (diagnostics, logs): where they land, how they are found, what they hold.

A file lands in `<data_dir>/uploads/<charger id>/<YYYYmmdd-HHMMSS>-r<request id>-<name>`; the
name says everything we need, so the list is a scan of the folder, not a table to keep in step.
An upload cut short keeps what arrived as `<same>.partial`. Listing and archives block: callers
on a loop use asyncio.to_thread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import os
import pathlib
import re
import tarfile
import urllib.parse
import zipfile
import zlib

from app.domain import errors

UPLOADS = "uploads"
PARTIAL = ".partial"
_NAME = re.compile(r"^(\d{8}-\d{6})-r([^-]*)-(.+)$")
_UNSAFE = re.compile(r"[^0-9A-Za-z._+~-]")


@dataclasses.dataclass(frozen=True)
class Received:
    charger_id: str  # the folder's name: the charger id made filesystem-safe
    request_id: int | None
    path: pathlib.Path
    name: str  # the name the charger gave (made safe)
    size: int
    received_ms: int
    complete: bool
    via: str = ""  # "http" | "ftp" when known (a scan of the folder does not know it)


def safe_part(text: str, fallback: str = "file", *, basename: bool = True) -> str:
    """`text` as one safe path component: no separators, no leading dots, no odd characters.
    A file name (`basename`) keeps only its last part, after undoing %-quoting; a charger id
    keeps all of it, separators made "_" (so "site/CP1" and "CP1" stay apart)."""
    text = str(text)
    if basename:
        text = pathlib.PurePosixPath(urllib.parse.unquote(text).replace("\\", "/")).name
    text = _UNSAFE.sub("_", text).lstrip(".")[:150]
    return text or fallback


def charger_dir(data_dir: pathlib.Path, charger_id: str) -> pathlib.Path:
    return pathlib.Path(data_dir) / UPLOADS / safe_part(charger_id, "charger", basename=False)


def target_path(data_dir: pathlib.Path, charger_id: str, request_id: int | None, name: str,
                when_ms: int) -> pathlib.Path:
    """Where an upload lands (a free name: a second file of the same second gets a suffix)."""
    stamp = dt.datetime.fromtimestamp(when_ms / 1000).strftime("%Y%m%d-%H%M%S")
    rid = "" if request_id is None else str(request_id)
    folder = charger_dir(data_dir, charger_id)
    base = safe_part(name, "upload.bin")
    candidate = folder / f"{stamp}-r{rid}-{base}"
    n = 1
    while candidate.exists() or candidate.with_name(candidate.name + PARTIAL).exists():
        n += 1
        candidate = folder / f"{stamp}-r{rid}-{n}_{base}"
    return candidate


def parse(path: pathlib.Path, charger_id: str | None = None) -> Received | None:
    """A Received from a file's name and stat (None for a name outside the scheme)."""
    name = path.name
    complete = not name.endswith(PARTIAL)
    if not complete:
        name = name[: -len(PARTIAL)]
    found = _NAME.match(name)
    if not found:
        return None
    try:
        when = dt.datetime.strptime(found.group(1), "%Y%m%d-%H%M%S")
        st = path.stat()
    except (ValueError, OSError):
        return None
    rid = found.group(2)
    return Received(charger_id=charger_id or path.parent.name,
                    request_id=int(rid) if rid.lstrip("-").isdigit() else None,
                    path=path, name=found.group(3), size=st.st_size,
                    received_ms=int(when.timestamp() * 1000), complete=complete)


def list_received(data_dir: pathlib.Path, charger_id: str | None = None) -> list[Received]:
    """Every file received (of one charger, or all), newest first."""
    root = pathlib.Path(data_dir) / UPLOADS
    folders = [charger_dir(data_dir, charger_id)] if charger_id is not None else (
        sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else [])
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.is_file():
                item = parse(entry, folder.name)
                if item is not None:
                    found.append(item)
    return sorted(found, key=lambda r: (r.received_ms, r.path.name), reverse=True)


def archive_members(path: pathlib.Path) -> list[tuple[str, int]]:
    """(inner name, size) of each member of a tar / tar.gz / tgz / zip / .gz file; for a plain
    .gz the uncompressed size from its trailer (-1 if it cannot be read cheaply)."""
    path = pathlib.Path(path)
    name = path.name[: -len(PARTIAL)] if path.name.endswith(PARTIAL) else path.name
    lower = name.lower()
    try:
        if lower.endswith(".zip") or (not lower.endswith((".tar", ".tgz", ".gz")) and zipfile.is_zipfile(path)):
            with zipfile.ZipFile(path) as zf:
                return [(info.filename, info.file_size) for info in zf.infolist() if not info.is_dir()]
        if lower.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")) or tarfile.is_tarfile(path):
            with tarfile.open(path) as tf:
                return [(m.name, m.size) for m in tf.getmembers() if m.isfile()]
        if lower.endswith(".gz"):
            return [(name[:-3], _gzip_size(path))]
    except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, zlib.error) as exc:
        raise errors.ArchiveError(str(path), str(exc) or exc.__class__.__name__) from exc
    raise errors.ArchiveError(str(path), "it is not a tar, zip or gzip archive")


def _gzip_size(path: pathlib.Path) -> int:
    with open(path, "rb") as f:
        if f.read(2) != b"\x1f\x8b":
            raise gzip.BadGzipFile("not a gzip file")
        size = f.seek(0, os.SEEK_END)
        if size < 18:
            raise EOFError("the gzip file is cut short")
        f.seek(-4, os.SEEK_END)
        # ISIZE: the uncompressed size modulo 2**32 (of the last member); a cheap hint, not a check
        return int.from_bytes(f.read(4), "little")
