"""Vendor profiles: how a brand's OCPP 1.6 configuration keys map the settings a handover needs.

OCPP 1.6 has no standard key for the backend URL (2.x has SetNetworkProfile), so each brand
names its own. A profile is a declarative file (resources/vendors/*.toml, or the technician's
own in <data dir>/vendors/) naming, per setting (ocpp_url, charge_point_id, password,
security_profile, wifi_ssid, apn ...), the key and how its value is written. The serial console
(a later capability) reads the same files. Qt-free.
"""

from __future__ import annotations

import dataclasses
import pathlib
import tomllib
from typing import Any

from app.domain import errors
from app.storage import paths

SETTINGS = ("ocpp_url", "charge_point_id", "password", "security_profile", "wifi_ssid", "wifi_password", "apn")


@dataclasses.dataclass(frozen=True)
class Setting:
    key: str
    includes_id: bool = False  # ocpp_url: the value is the full URL, the charger id at its end


@dataclasses.dataclass(frozen=True)
class VendorProfile:
    id: str
    name: str
    source: str  # where the key names come from: a manual, a test, "none"
    ocpp: tuple[str, ...]
    reset: str  # the Reset type that reboots the charger: Soft or Hard
    match: dict[str, str]
    settings: dict[str, Setting]
    path: pathlib.Path | None = None

    def matches(self, vendor: str, model: str) -> bool:
        if not self.match:
            return False
        want_vendor, want_model = self.match.get("vendor", ""), self.match.get("model", "")
        return (not want_vendor or want_vendor.lower() == vendor.lower()) and (
            not want_model or want_model.lower() == model.lower())

    def with_key(self, setting: str, key: str) -> VendorProfile:
        """The profile with the technician's key name for one setting (the generic profile)."""
        old = self.settings.get(setting, Setting(""))
        return dataclasses.replace(self, settings={**self.settings, setting: dataclasses.replace(old, key=key)})


def load(path: pathlib.Path) -> VendorProfile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise errors.ConfigError(f"The vendor profile {path.name} cannot be read: {exc}.",
                                 hint="Fix the file (TOML) or remove it from the vendors folder.") from exc
    return parse(path.stem, data, path)


def parse(profile_id: str, data: dict[str, Any], path: pathlib.Path | None = None) -> VendorProfile:
    where = path.name if path else profile_id
    settings: dict[str, Setting] = {}
    for name, spec in (data.get("settings") or {}).items():
        if name not in SETTINGS:
            raise errors.ConfigError(f"{where}: unknown setting {name!r}.", hint=f"Use one of {', '.join(SETTINGS)}.")
        if not isinstance(spec, dict) or not isinstance(spec.get("key", ""), str):
            raise errors.ConfigError(f"{where}: setting {name!r} needs key = \"KeyName\".")
        settings[name] = Setting(spec.get("key", ""), bool(spec.get("includes_id", False)))
    reset = data.get("reset", "Hard")
    if reset not in ("Soft", "Hard"):
        raise errors.ConfigError(f"{where}: reset must be \"Soft\" or \"Hard\", not {reset!r}.")
    return VendorProfile(profile_id, str(data.get("name", profile_id)), str(data.get("source", "")),
                         tuple(data.get("ocpp", ["1.6"])), reset, dict(data.get("match") or {}), settings, path)


def directories(data_dir: pathlib.Path | None) -> list[pathlib.Path]:
    found = [paths.resources("vendors")]
    if data_dir is not None:
        found.append(data_dir / "vendors")  # the technician's own: same name overrides the shipped one
    return found


def available(data_dir: pathlib.Path | None = None) -> dict[str, VendorProfile]:
    profiles: dict[str, VendorProfile] = {}
    for directory in directories(data_dir):
        if directory.is_dir():
            for path in sorted(directory.glob("*.toml")):
                profiles[path.stem] = load(path)
    return profiles


def for_charger(vendor: str, model: str, data_dir: pathlib.Path | None = None) -> VendorProfile:
    """The profile that matches the charger's BootNotification, else the generic one."""
    profiles = available(data_dir)
    for profile in profiles.values():
        if profile.matches(vendor, model):
            return profile
    return profiles["generic"]
