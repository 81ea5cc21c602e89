"""Composition root, Qt-free: builds settings, journal and the CSMS engine for any front end."""

from __future__ import annotations

import copy
import dataclasses
import logging
import logging.handlers
import pathlib
import sys
from typing import Any

from app.csms import engine as csms_engine
from app.domain import csms_policy
from app.domain import errors, model
from app.services import demo
from app.storage import journal as storage_journal
from app.storage import paths, settings


def setup_logging(data_dir: pathlib.Path | None, verbose: bool = False) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    if data_dir is not None:
        logfile = logging.handlers.RotatingFileHandler(paths.log_dir(data_dir) / "commissioner.log",
                                                       maxBytes=5 << 20, backupCount=3, encoding="utf-8")
        logfile.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(logfile)
    # websockets logs every failed handshake with a traceback at ERROR/INFO; our own line says it.
    logging.getLogger("websockets").setLevel(logging.WARNING)


def resolve_data_dir(override: str | None) -> pathlib.Path:
    return paths.data_dir(override)


def csms_config(data_dir: pathlib.Path, *, strict: bool = False, boot_status: str | None = None,
                allow: str | None = None, password: str | None = None, strict_for: str | None = None,
                tolerant_for: str | None = None, **overrides: Any) -> csms_policy.CsmsConfig:
    """Settings from disk, with command-line overrides on top.

    `strict_for` / `tolerant_for`: comma-separated charger ids whose mode differs from the default.
    """
    config = settings.load(data_dir).csms
    if overrides:
        config = dataclasses.replace(config, **overrides)
    if strict:
        config.mode = model.Mode.STRICT
    if boot_status:
        config.boot_status = model.BootStatus(boot_status)
    if allow:
        config.auto_accept = False
        config.allowed_chargers = [c.strip() for c in allow.split(",") if c.strip()]
    if password:
        config.passwords = {"*": password}
    for ids, mode in ((strict_for, model.Mode.STRICT), (tolerant_for, model.Mode.TOLERANT)):
        for charger_id in (ids or "").split(","):
            if charger_id.strip():
                config.charger_modes[charger_id.strip()] = mode
    if not 0 <= config.port <= 65535:
        raise errors.ConfigError(f"Port {config.port} is not a valid port.", hint="Use a number from 1 to 65535.")
    return config


def build_engine(config: csms_policy.CsmsConfig, data_dir: pathlib.Path) -> csms_engine.Engine:
    return csms_engine.Engine(config, data_dir)


class Core:
    """What a front end needs: data dir, settings, the engine (restartable), demo chargers."""

    def __init__(self, data_dir: pathlib.Path, port_override: int | None = None) -> None:
        self.data_dir = data_dir
        self.settings_error: errors.CommissionerError | None = None
        try:
            self.settings = settings.load(data_dir)
        except errors.ConfigError as exc:
            # The app still opens, with defaults, and says so; the file is left for the technician.
            self.settings = settings.Settings()
            self.settings_error = exc
        self.port_override = port_override  # for this run only (benchmarks, tests): never saved
        self.engine: csms_engine.Engine | None = None
        self.demo: demo.DemoChargers | None = None
        self.start_error: errors.CommissionerError | None = None

    @property
    def journal_path(self) -> pathlib.Path:
        return self.data_dir / storage_journal.FILE_NAME

    def _engine_config(self) -> csms_policy.CsmsConfig:
        config = copy.deepcopy(self.settings.csms)
        if self.port_override is not None:
            config.port = self.port_override
        return config

    def start(self) -> list[str]:
        """Start the CSMS in its worker thread. On failure (e.g. port busy) `start_error` says why."""
        self.start_error = None
        engine = build_engine(self._engine_config(), self.data_dir)
        try:
            urls = engine.start_in_thread()
        except errors.CommissionerError as exc:
            engine.stop_thread()  # also closes its journal
            self.start_error = exc
            self.engine = None
            raise
        self.engine = engine
        self.demo = demo.DemoChargers(engine)
        return urls

    def apply_settings(self, new: settings.Settings) -> bool:
        """Save new settings and apply them. Returns True if the CSMS had to restart.

        Only a new host or port needs a restart (which drops every connection); everything else
        is read live by the handlers and sessions, so connected chargers stay connected.
        Blocking (up to a few seconds on restart): call it off the GUI thread.
        """
        settings.save(self.data_dir, new)
        old = self.settings.csms
        self.settings = new
        self.settings_error = None
        if self.engine is not None and (new.csms.host, new.csms.port) == (old.host, old.port):
            config = self._engine_config()
            self.engine.submit(self.engine.reconfigure(config)).result(10)
            return False
        self.shutdown()
        self.start()
        return True

    def set_charger_mode(self, charger_id: str, mode: model.Mode) -> None:
        """Strict or tolerant for one charger, now and in the saved settings."""
        self.settings.csms.charger_modes[charger_id] = mode
        settings.save(self.data_dir, self.settings)
        if self.engine is not None:
            self.engine.submit(self.engine.reconfigure(self._engine_config())).result(10)

    def shutdown(self) -> None:
        if self.demo is not None:
            self.demo.stop_all()
            self.demo = None
        if self.engine is not None:
            self.engine.stop_thread()
            self.engine = None
