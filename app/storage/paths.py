"""The data directory: --data-dir, else $COMMISSIONER_DATA_DIR, else the platform's user data dir."""

from __future__ import annotations

import os
import pathlib

import platformdirs

from app.domain import errors

ENV_VAR = "COMMISSIONER_DATA_DIR"
APP_NAME = "Commissioner"


def data_dir(override: str | os.PathLike[str] | None = None, *, create: bool = True) -> pathlib.Path:
    """The chosen folder, created unless `create` is False (commands that only read: a mistyped
    --data-dir must not leave an empty folder behind)."""
    chosen = override or os.environ.get(ENV_VAR) or platformdirs.user_data_dir(APP_NAME, appauthor=False)
    path = pathlib.Path(chosen).expanduser()
    if not create:
        return path
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise errors.StorageError(
            f"Cannot create the data directory {path}: {exc.strerror}.",
            hint=f"Choose a writable folder with --data-dir or the {ENV_VAR} environment variable.",
        ) from exc
    return path


def log_dir(base: pathlib.Path) -> pathlib.Path:
    path = base / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


RESOURCES = pathlib.Path(__file__).resolve().parents[2] / "resources"  # beside app/, in the bundle too


def resources(*parts: str) -> pathlib.Path:
    """A file or folder shipped in resources/ (checklists, plans, schemas, fonts)."""
    return RESOURCES.joinpath(*parts)
