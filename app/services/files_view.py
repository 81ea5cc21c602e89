"""The window's view of the built-in file server: the firmware library, the files chargers sent,
and whether the server runs (Qt-free, so the window never imports app.files or app.csms).

Hashing an image and reading an archive are blocking: `add_image` and `archive_members` run
them in a worker thread (`asyncio.to_thread`), so the GUI thread never waits on the disk.
Listing the library and the uploads reads small index files and folder entries: called directly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import pathlib
from typing import Any

from app.csms import engine as csms_engine
from app.files import library as fw_library
from app.files import uploads
from app.services import firmware

Firmware = fw_library.Firmware  # id, name, path, size, sha256, version, added_ms, signing_certificate, signature, note
Received = uploads.Received  # charger_id, request_id, path, name, size, received_ms, complete, via


def images(data_dir: pathlib.Path) -> list[Firmware]:
    """The library, newest first."""
    return firmware.library(data_dir).list()


def image(data_dir: pathlib.Path, image_id: str) -> Firmware | None:
    return firmware.library(data_dir).get(image_id)


async def add_image(data_dir: pathlib.Path, source: pathlib.Path, version: str = "") -> Firmware:
    """Copy a file into the library; SHA-256 and size computed in a worker thread."""
    return await firmware.add_image(data_dir, pathlib.Path(source), version)


def remove_image(data_dir: pathlib.Path, image_id: str) -> None:
    firmware.library(data_dir).remove(image_id)


def set_version(data_dir: pathlib.Path, image_id: str, version: str) -> None:
    firmware.library(data_dir).set_version(image_id, version.strip())


def received(data_dir: pathlib.Path, charger_id: str | None = None) -> list[Received]:
    """The files chargers uploaded (logs, diagnostics), newest first."""
    found = list(uploads.list_received(data_dir, charger_id))
    return sorted(found, key=lambda r: r.received_ms, reverse=True)


async def archive_members(path: pathlib.Path | str) -> list[tuple[str, int]]:
    """The names and sizes inside a tar / zip / gz archive, read in a worker thread."""
    return await asyncio.to_thread(uploads.archive_members, pathlib.Path(path))


@dataclasses.dataclass(frozen=True)
class ServerStatus:
    """What the connection panel says about the file server."""

    running: bool
    urls: list[str]
    message: str = ""  # why it is not running
    hint: str = ""  # what to do about it


def server_status(engine: csms_engine.Engine | Any | None) -> ServerStatus:
    if engine is None:
        return ServerStatus(False, [], "The CSMS is not running.", "Fix the CSMS first: the file server starts with it.")
    files = getattr(engine, "files", None)
    error = getattr(engine, "files_error", None)
    if files is not None and getattr(files, "running", False):
        return ServerStatus(True, list(getattr(engine, "file_urls", []) or []))
    if error is not None:
        return ServerStatus(False, [], error.message, error.hint)
    if files is None:
        return ServerStatus(False, [], "It is turned off.",
                            "Turn it on in Settings: chargers fetch firmware and upload logs there.")
    return ServerStatus(False, [], "It has not started.", "Check its HTTP and FTP ports in Settings.")
