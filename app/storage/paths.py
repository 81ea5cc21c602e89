"""The data directory: --data-dir, else $COMMISSIONER_DATA_DIR, else the platform's user data dir."""

from __future__ import annotations

import contextlib
import os
import pathlib
import tempfile

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


def write_atomically(path: pathlib.Path, text: str, what: str) -> None:
    """Write `text` to `path` whole or not at all (a temp file beside it, then os.replace): a crash
    never leaves half a file, and two writers never share a temp file. `what` names it in errors."""
    hint = "Check that the data folder is writable and the disk not full."
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise errors.StorageError(f"Cannot save {what} in {path.parent}: {exc.strerror or exc}.", hint=hint) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise errors.StorageError(f"Cannot save {what} to {path}: {exc.strerror or exc}.", hint=hint) from exc
        raise
