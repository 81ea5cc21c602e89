"""Vendor profiles: how a brand's OCPP 1.6 configuration keys map the settings a handover needs.

OCPP 1.6 has no standard key for the backend URL (2.x has SetNetworkProfile), so each brand
names its own. A profile is a declarative file (resources/vendors/*.toml, or the technician's
own in <data dir>/vendors/) naming, per setting (ocpp_url, charge_point_id, password,
security_profile, wifi_ssid, apn ...), the key and how its value is written. Its `[console]`
section says how to reach the same settings over the charger's serial console: line settings,
prompt, login, per setting a get/set command with response patterns, and the reboot command
(app.domain.console holds the model and the sans-I/O parser). Qt-free.
"""

from __future__ import annotations

import dataclasses
import pathlib
import re
import tomllib
from typing import Any

from app.domain import console as console_model
from app.domain import errors
from app.storage import paths

SETTINGS = ("ocpp_url", "charge_point_id", "password", "security_profile", "wifi_ssid", "wifi_password", "apn",
            "ip_mode", "ip_address", "netmask", "gateway")
SECRET_SETTINGS = ("password", "wifi_password")


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
    console: console_model.ConsoleProfile | None = None  # None: no serial console described
    aliases: tuple[str, ...] = ()  # other names it answers to (`--profile virtual`)

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
    console = parse_console(where, data["console"]) if "console" in data else None
    aliases = data.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise errors.ConfigError(f"{where}: aliases must be a list of names.", hint='e.g. aliases = ["virtual"]')
    return VendorProfile(profile_id, str(data.get("name", profile_id)), str(data.get("source", "")),
                         tuple(data.get("ocpp", ["1.6"])), reset, dict(data.get("match") or {}), settings, path,
                         console, tuple(aliases))


def _pattern(where: str, entry: str, text: Any, group: str | None = None) -> re.Pattern[str]:
    if not isinstance(text, str) or not text:
        raise errors.ConfigError(f"{where}: {entry} must be a regular expression (a non-empty string).")
    try:
        pattern = re.compile(text)
    except re.error as exc:
        raise errors.ConfigError(f"{where}: {entry} is not a valid regular expression: {exc}.",
                                 hint="Write it in TOML single quotes ('...') so backslashes stay as they are.") from exc
    if group is not None and group not in pattern.groupindex:
        raise errors.ConfigError(f"{where}: {entry} needs a (?P<{group}>...) group.",
                                 hint=f"Mark the part of the answer that is the {group}, e.g. '^url: (?P<{group}>.*)$'.")
    return pattern


def _optional_pattern(where: str, entry: str, text: Any, group: str | None = None) -> re.Pattern[str] | None:
    return None if text is None else _pattern(where, entry, text, group)


def _text(where: str, entry: str, value: Any, default: str = "") -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise errors.ConfigError(f"{where}: {entry} must be a string, not {value!r}.")
    return value


_CONSOLE_KEYS = {"baud", "bytesize", "parity", "stopbits", "flow_control", "line_ending", "wake", "prompt", "user",
                 "default_password", "login", "login_failed", "error", "settings", "reboot", "timeout", "logout"}


def parse_console(where: str, data: Any) -> console_model.ConsoleProfile:
    """The `[console]` section; every mistake is a ConfigError naming the file and the entry."""
    if not isinstance(data, dict):
        raise errors.ConfigError(f"{where}: [console] must be a table.")
    unknown = sorted(set(data) - _CONSOLE_KEYS)
    if unknown:
        raise errors.ConfigError(f"{where}: unknown console entry {unknown[0]!r}.",
                                 hint=f"Use one of {', '.join(sorted(_CONSOLE_KEYS))}.")
    baud = data.get("baud", 115200)
    if not isinstance(baud, int) or isinstance(baud, bool) or baud <= 0:
        raise errors.ConfigError(f"{where}: console.baud must be a positive whole number, not {baud!r}.")
    bytesize = data.get("bytesize", 8)
    if bytesize not in (5, 6, 7, 8):
        raise errors.ConfigError(f"{where}: console.bytesize must be 5, 6, 7 or 8, not {bytesize!r}.")
    parity = data.get("parity", "N")
    if parity not in console_model.PARITIES:
        raise errors.ConfigError(f"{where}: console.parity must be one of {', '.join(console_model.PARITIES)}, "
                                 f"not {parity!r}.")
    stopbits = data.get("stopbits", 1)
    if stopbits not in (1, 1.5, 2):
        raise errors.ConfigError(f"{where}: console.stopbits must be 1, 1.5 or 2, not {stopbits!r}.")
    flow = data.get("flow_control", "none")
    if flow not in console_model.FLOW_CONTROLS:
        raise errors.ConfigError(f"{where}: console.flow_control must be one of "
                                 f"{', '.join(console_model.FLOW_CONTROLS)}, not {flow!r}.")
    timeout = data.get("timeout", 5.0)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise errors.ConfigError(f"{where}: console.timeout must be a positive number of seconds.")
    steps = []
    login = data.get("login", [])
    if not isinstance(login, list):
        raise errors.ConfigError(f"{where}: console.login must be a list of [[console.login]] steps.")
    for n, step in enumerate(login, 1):
        entry = f"console.login step {n}"
        if not isinstance(step, dict) or set(step) - {"expect", "send", "secret"}:
            raise errors.ConfigError(f"{where}: {entry} takes expect, send and secret.")
        send = _text(where, f"{entry} send", step.get("send"))
        secret = step.get("secret", False)
        if "{password}" in send and not secret:
            raise errors.ConfigError(f"{where}: {entry} sends the password: mark it secret = true.",
                                     hint="A secret step is never written to the session log.")
        _check_template(where, f"{entry} send", send, {"user", "password"})
        steps.append(console_model.LoginStep(_pattern(where, f"{entry} expect", step.get("expect")), send, bool(secret)))
    settings: dict[str, console_model.ConsoleSetting] = {}
    for name, spec in (data.get("settings") or {}).items():
        entry = f"console.settings.{name}"
        if name not in SETTINGS:
            raise errors.ConfigError(f"{where}: unknown console setting {name!r}.", hint=f"Use one of {', '.join(SETTINGS)}.")
        if not isinstance(spec, dict) or set(spec) - {"get", "value", "set", "ok", "error"}:
            raise errors.ConfigError(f"{where}: {entry} takes get, value, set, ok and error.")
        get = _text(where, f"{entry}.get", spec.get("get"))
        setter = _text(where, f"{entry}.set", spec.get("set"))
        if not get and not setter:
            raise errors.ConfigError(f"{where}: {entry} needs a get or a set command.")
        if get and "value" not in spec:
            raise errors.ConfigError(f"{where}: {entry} has a get command but no value pattern.",
                                     hint="Add value = '...(?P<value>...)...' matching the line that answers it.")
        if setter and "{value}" not in setter:
            raise errors.ConfigError(f"{where}: {entry}.set must contain {{value}}.")
        _check_template(where, f"{entry}.set", setter, {"value"})
        settings[name] = console_model.ConsoleSetting(
            get, _pattern(where, f"{entry}.value", spec["value"], "value") if get else None, setter,
            _optional_pattern(where, f"{entry}.ok", spec.get("ok")),
            _optional_pattern(where, f"{entry}.error", spec.get("error")), name in SECRET_SETTINGS)
    reboot = data.get("reboot") or {}
    if not isinstance(reboot, dict) or set(reboot) - {"send", "expect"}:
        raise errors.ConfigError(f"{where}: [console.reboot] takes send and expect.")
    return console_model.ConsoleProfile(
        baud=baud, bytesize=bytesize, parity=parity, stopbits=stopbits, flow_control=flow,
        line_ending=_text(where, "console.line_ending", data.get("line_ending"), "\r\n"),
        wake=_text(where, "console.wake", data.get("wake"), "\r\n"),
        prompt=_pattern(where, "console.prompt", data.get("prompt")),
        user=_text(where, "console.user", data.get("user")),
        default_password=_text(where, "console.default_password", data.get("default_password")),
        login=tuple(steps),
        login_failed=_optional_pattern(where, "console.login_failed", data.get("login_failed")),
        error=_optional_pattern(where, "console.error", data.get("error")),
        settings=settings,
        reboot=_text(where, "console.reboot.send", reboot.get("send"), "reboot"),
        reboot_expect=_optional_pattern(where, "console.reboot.expect", reboot.get("expect")),
        timeout=float(timeout),
        logout=_text(where, "console.logout", data.get("logout")))


def _check_template(where: str, entry: str, template: str, allowed: set[str]) -> None:
    import string

    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise errors.ConfigError(f"{where}: {entry} is not a valid template: {exc}.",
                                 hint="Write a literal brace as {{ or }}.") from exc
    extra = sorted(names - allowed)
    if extra:
        raise errors.ConfigError(f"{where}: {entry} uses {{{extra[0]}}}.",
                                 hint=f"It may use only {', '.join('{' + a + '}' for a in sorted(allowed))}.")


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


def find(name: str, data_dir: pathlib.Path | None = None) -> VendorProfile:
    """The profile named `name` (its file name or one of its aliases); ConfigError naming the others."""
    profiles = available(data_dir)
    if name in profiles:
        return profiles[name]
    for profile in profiles.values():
        if name in profile.aliases:
            return profile
    names = sorted(set(profiles) | {a for p in profiles.values() for a in p.aliases})
    raise errors.ConfigError(f"There is no vendor profile {name!r}.", hint=f"Use one of {', '.join(names)}.")


def for_charger(vendor: str, model: str, data_dir: pathlib.Path | None = None) -> VendorProfile:
    """The profile that matches the charger's BootNotification, else the generic one."""
    profiles = available(data_dir)
    for profile in profiles.values():
        if profile.matches(vendor, model):
            return profile
    return profiles["generic"]
