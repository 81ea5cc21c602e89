"""Composition root, Qt-free: builds settings, journal and the CSMS engine for any front end."""

from __future__ import annotations

import dataclasses
import pathlib
from typing import Any

from app.csms import engine as csms_engine
from app.domain import config as domain_config
from app.domain import errors, model
from app.storage import paths, settings


def resolve_data_dir(override: str | None) -> pathlib.Path:
    return paths.data_dir(override)


def csms_config(data_dir: pathlib.Path, *, strict: bool = False, boot_status: str | None = None,
                allow: str | None = None, password: str | None = None, **overrides: Any) -> domain_config.CsmsConfig:
    """Settings from disk, with command-line overrides on top."""
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
    if not 0 <= config.port <= 65535:
        raise errors.ConfigError(f"Port {config.port} is not a valid port.", hint="Use a number from 1 to 65535.")
    return config


def build_engine(config: domain_config.CsmsConfig, data_dir: pathlib.Path) -> csms_engine.Engine:
    return csms_engine.Engine(config, data_dir)
