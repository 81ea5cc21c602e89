"""The firmware library: images a technician added, kept in <data_dir>/firmware/ with an index.

Each image is copied into the library (streamed in chunks while hashing, so memory stays flat
whatever its size) under `<id>-<name>`, where the id is the first 16 hex digits of its SHA-256.
The index, library.json, is rewritten whole (tmp + os.replace), so a crash never leaves half
of it. Everything here blocks: callers on a loop use asyncio.to_thread.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import logging
import os
import pathlib
import threading
import time

from app.domain import errors, firmware

log = logging.getLogger(__name__)

CHUNK = 1 << 20
INDEX = "library.json"
INDEX_VERSION = 1


@dataclasses.dataclass(frozen=True)
class Firmware:
    id: str
    name: str
    path: pathlib.Path
    size: int
    sha256: str
    version: str
    added_ms: int
    signing_certificate: str = ""
    signature: str = ""
    note: str = ""

    def to_json(self) -> dict[str, object]:
        data = dataclasses.asdict(self)
        data["path"] = self.path.name  # relative to the library folder: the data folder may move
        return data


# OCPP's limits (1.6 security extension FirmwareType, 2.0.1 FirmwareType): certificate 5500, signature 800 characters.
MAX_CERTIFICATE_CHARS = 5500
MAX_SIGNATURE_CHARS = 800


def check_signing(certificate: str, signature: str) -> None:
    """A signing certificate must be PEM and a signature base64, both within OCPP's limits: refused when the
    image is added, rather than by the charger as a CallError mid-update."""
    if certificate:
        text = certificate.strip()
        if "-----BEGIN CERTIFICATE-----" not in text or "-----END CERTIFICATE-----" not in text:
            raise errors.ConfigError("The signing certificate is not a PEM certificate.",
                                     hint="Give the vendor's certificate file (it starts with -----BEGIN CERTIFICATE-----).")
        if len(text) > MAX_CERTIFICATE_CHARS:
            raise errors.ConfigError(f"The signing certificate is {len(text)} characters; OCPP allows at most "
                                     f"{MAX_CERTIFICATE_CHARS}.", hint="Give the signing certificate alone, not a chain.")
    if signature:
        text = "".join(signature.split())
        try:
            base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise errors.ConfigError("The signature is not base64.",
                                     hint="Give the signature as the vendor sent it (base64 text, or the file holding it).") from None
        if len(text) > MAX_SIGNATURE_CHARS:
            raise errors.ConfigError(f"The signature is {len(text)} characters; OCPP allows at most {MAX_SIGNATURE_CHARS}.",
                                     hint="Check that this is the image's signature (base64), not the image itself.")


def _safe_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_.+~" else "_" for c in pathlib.PurePath(name).name)
    return keep.lstrip(".")[:120] or "firmware.bin"


class Library:
    def __init__(self, data_dir: pathlib.Path | str) -> None:
        self.dir = pathlib.Path(data_dir) / "firmware"
        self._lock = threading.Lock()  # add/remove may run in several to_thread workers at once

    # -- reading --------------------------------------------------------------------------------

    def list(self) -> list[Firmware]:
        """Every image, newest first."""
        with self._lock:
            entries = self._load()
        return sorted(entries.values(), key=lambda fw: fw.added_ms, reverse=True)

    def get(self, firmware_id: str) -> Firmware:
        with self._lock:
            entries = self._load()
        try:
            return entries[firmware_id]
        except KeyError:
            raise errors.ConfigError(
                f"There is no firmware {firmware_id!r} in the library.",
                hint="Add the image to the firmware library (or pick one from its list) and try again.",
            ) from None

    # -- changing -------------------------------------------------------------------------------

    def add(self, source: pathlib.Path | str, version: str = "", signing_certificate: str = "",
            signature: str = "") -> Firmware:
        """Copy `source` into the library; the same content twice gives the existing entry
        (with the label, certificate and signature updated where given)."""
        source = pathlib.Path(source)
        check_signing(signing_certificate, signature)
        if source.is_dir():
            raise errors.ConfigError(f"{source} is a folder, not a firmware image.",
                                     hint="Give the path of the image file itself.")
        tmp = self.dir / f".adding-{os.getpid()}-{threading.get_ident()}.tmp"
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            size = 0
            head = b""
            with open(source, "rb") as src, open(tmp, "wb") as dst:
                while chunk := src.read(CHUNK):
                    if len(head) < firmware.MANIFEST_MAX:
                        head += chunk[: firmware.MANIFEST_MAX - len(head)]
                    digest.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
        except OSError as exc:
            _unlink(tmp)
            raise errors.StorageError(
                f"Cannot add {source.name} to the firmware library: {exc.strerror or exc}.",
                hint="Check that the file exists and is readable, and that the data folder has free space.",
            ) from exc
        sha = digest.hexdigest()
        fw_id = sha[:16]
        with self._lock:
            entries = self._load()
            existing = entries.get(fw_id)
            if existing is not None and existing.path.exists():
                _unlink(tmp)
                changes = {k: v for k, v in (("version", version), ("signing_certificate", signing_certificate),
                                             ("signature", signature)) if v}
                if changes:
                    existing = dataclasses.replace(existing, **changes)
                    entries[fw_id] = existing
                    self._save(entries)
                return existing
            path = self.dir / f"{fw_id}-{_safe_name(source.name)}"
            os.replace(tmp, path)
            entry = Firmware(id=fw_id, name=source.name, path=path, size=size, sha256=sha,
                             version=version or firmware.version_of(source.name, head),
                             added_ms=int(time.time() * 1000), signing_certificate=signing_certificate,
                             signature=signature)
            entries[fw_id] = entry
            self._save(entries)
            return entry

    def remove(self, firmware_id: str) -> None:
        with self._lock:
            entries = self._load()
            entry = entries.pop(firmware_id, None)
            if entry is None:
                raise errors.ConfigError(f"There is no firmware {firmware_id!r} in the library.",
                                         hint="See `commissioner firmware list` for the ids.")
            self._save(entries)
        _unlink(entry.path)

    def set_version(self, firmware_id: str, version: str) -> Firmware:
        with self._lock:
            entries = self._load()
            if firmware_id not in entries:
                raise errors.ConfigError(f"There is no firmware {firmware_id!r} in the library.",
                                         hint="Pick an image from the firmware library's list.")
            entry = entries[firmware_id] = dataclasses.replace(entries[firmware_id], version=version.strip())
            self._save(entries)
            return entry

    # -- the index ------------------------------------------------------------------------------

    def _load(self) -> dict[str, Firmware]:
        index = self.dir / INDEX
        try:
            text = index.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise errors.StorageError(f"Cannot read the firmware library index {index}: {exc.strerror}.",
                                      hint="Check the data folder's permissions.") from exc
        try:
            data = json.loads(text)
            raw = data["firmware"]
            entries = {}
            for item in raw:
                item = dict(item)
                item["path"] = self.dir / pathlib.PurePath(item["path"]).name
                fw = Firmware(**item)
                entries[fw.id] = fw
        except (ValueError, KeyError, TypeError) as exc:
            raise errors.StorageError(
                f"The firmware library index {index} is damaged ({exc.__class__.__name__}: {exc}).",
                hint=f"Move {index.name} aside and add the images again; the files in {self.dir} are untouched.",
            ) from exc
        gone = [fw for fw in entries.values() if not fw.path.is_file()]
        for fw in gone:
            log.warning("firmware library: %s (%s) is gone from %s; dropping it from the index",
                        fw.name, fw.id, fw.path)
            del entries[fw.id]
        if gone:
            self._save(entries)
        return entries

    def _save(self, entries: dict[str, Firmware]) -> None:
        index = self.dir / INDEX
        tmp = index.with_name(INDEX + ".tmp")
        payload = {"version": INDEX_VERSION, "firmware": [fw.to_json() for fw in entries.values()]}
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(payload, indent=1), encoding="utf-8")
            os.replace(tmp, index)
        except OSError as exc:
            raise errors.StorageError(f"Cannot write the firmware library index {index}: {exc.strerror}.",
                                      hint="Check the data folder's permissions and free space.") from exc


def _unlink(path: pathlib.Path | None) -> None:
    if path is not None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
