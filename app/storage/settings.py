"""User settings as versioned JSON, with a migration path from every older version."""

from __future__ import annotations

import dataclasses
import json
import logging
import pathlib
import threading
from typing import Any, Callable

from app.domain import csms_policy
from app.domain import errors, model
from app.storage import paths

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
FILE_NAME = "settings.json"


@dataclasses.dataclass
class Settings:
    csms: csms_policy.CsmsConfig = dataclasses.field(default_factory=csms_policy.CsmsConfig)
    language: str = ""  # "" = the system's


def _v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    # Version 0 (unversioned) kept the CSMS keys at the top level.
    csms_keys = {f.name for f in dataclasses.fields(csms_policy.CsmsConfig)}
    csms = {k: data.pop(k) for k in list(data) if k in csms_keys}
    data["csms"] = csms
    return data


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _v0_to_v1}


def to_dict(settings: Settings) -> dict[str, Any]:
    data = dataclasses.asdict(settings)
    csms = data["csms"]
    csms["mode"] = settings.csms.mode.value
    csms["boot_status"] = settings.csms.boot_status.value
    csms["charger_modes"] = {k: v.value for k, v in settings.csms.charger_modes.items()}
    csms.pop("passwords", None)  # secrets never go to a plain file
    return {"schema_version": SCHEMA_VERSION, **data}


def from_dict(data: dict[str, Any]) -> Settings:
    version = int(data.pop("schema_version", 0))
    if version > SCHEMA_VERSION:
        raise errors.ConfigError(f"The settings file was written by a newer Commissioner (schema {version}).",
                                 hint="Update Commissioner, or delete the settings file to start afresh.")
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
    raw = data.get("csms", {})
    if not isinstance(raw, dict):
        raise errors.ConfigError("The settings file is damaged: 'csms' is not a section.",
                                 hint="Delete the settings file to start with default settings.")
    known = {f.name for f in dataclasses.fields(csms_policy.CsmsConfig)}
    csms = {k: v for k, v in raw.items() if k in known}
    _check_types(csms)
    try:
        if "mode" in csms:
            csms["mode"] = model.Mode(csms["mode"])
        if "boot_status" in csms:
            csms["boot_status"] = model.BootStatus(csms["boot_status"])
        csms["charger_modes"] = {k: model.Mode(v) for k, v in csms.get("charger_modes", {}).items()}
        config = csms_policy.CsmsConfig(**csms)
    except (TypeError, ValueError) as exc:
        raise errors.ConfigError(f"The settings file has an invalid value: {exc}.",
                                 hint="Fix it in Settings or delete the settings file.") from exc
    return Settings(csms=config, language=str(data.get("language", "")))


_TYPES: dict[str, type | tuple[type, ...]] = {
    "host": str, "port": int, "mode": str, "charger_modes": dict, "boot_status": str, "heartbeat_interval": int,
    "auto_accept": bool, "allowed_chargers": list, "authorize_all": bool, "allowed_id_tags": list,
    "passwords": dict, "max_frame_bytes": int, "call_timeout": (int, float), "write_timeout": (int, float),
    "pending_interval": int, "file_server": bool, "http_port": int, "ftp_port": int,
    "tls": bool, "tls_port": int, "security_profile": int, "ca_dir": str, "renew_expired": bool, "operator_name": str,
    "data_transfer_vendors": list, "data_transfer_status": str, "id_tags": dict,
}
_RANGES = {"port": (0, 65535), "http_port": (0, 65535), "ftp_port": (0, 65535), "heartbeat_interval": (1, 86_400), "max_frame_bytes": (1024, 1 << 30),
           "call_timeout": (0.1, 3600), "write_timeout": (0.1, 3600), "pending_interval": (1, 86_400),
           "tls_port": (0, 65535), "security_profile": (0, 3)}


def _check_types(csms: dict[str, Any]) -> None:
    for key, value in csms.items():
        expected = _TYPES.get(key)
        # bool is an int in Python: a port of `true` must still be refused.
        wrong = expected is not None and (not isinstance(value, expected) or
                                          (isinstance(value, bool) and expected is not bool))
        low, high = _RANGES.get(key, (None, None))
        if wrong or (low is not None and not low <= value <= high):
            raise errors.ConfigError(f"The settings file has an invalid value for {key}: {value!r}.",
                                     hint="Fix it in Settings or delete the settings file.")
    for token, entry in (csms.get("id_tags") or {}).items():
        problem = csms_policy.tag_problem(token, entry)
        if problem:
            raise errors.ConfigError(f"The settings file has an invalid test tag: {problem}.",
                                     hint="Each tag is {\"status\": \"Accepted|Blocked|Expired|Invalid|…\", "
                                          "\"expiry\": ISO time, \"group\": group id}.")


def load(directory: pathlib.Path) -> Settings:
    path = directory / FILE_NAME
    if not path.exists():
        return Settings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise errors.ConfigError(f"Cannot read {path}: {exc}.",
                                 hint="Delete the file to start with default settings.") from exc
    if not isinstance(data, dict):
        raise errors.ConfigError(f"The settings file {path} is damaged.",
                                 hint="Delete the file to start with default settings.")
    return from_dict(data)


_save_lock = threading.Lock()


def save(directory: pathlib.Path, settings: Settings) -> None:
    """Write atomically: a crash never leaves half a settings file, two writers never share a temp file."""
    path = directory / FILE_NAME
    text = json.dumps(to_dict(settings), indent=2)
    with _save_lock:
        paths.write_atomically(path, text, "the settings")
