"""Shared fixtures: an isolated data dir for every test, and a running CSMS engine."""

from __future__ import annotations

import os
import pathlib

import pytest

# Tests never need a real screen; `make test` sets this too, a bare `pytest` must not abort in Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Nor the user's real keyring: passwords a test gives chargers stay in memory (storage.vault).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from app.csms import engine as csms_engine
from app.domain import csms_policy


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    # Nothing a test does may touch the user's real data directory.
    path = tmp_path / "data"
    monkeypatch.setenv("COMMISSIONER_DATA_DIR", str(path))
    return path


@pytest.fixture
def csms_config() -> csms_policy.CsmsConfig:
    return csms_policy.CsmsConfig(host="127.0.0.1", port=0, heartbeat_interval=60, call_timeout=5.0)


@pytest.fixture
async def engine(csms_config: csms_policy.CsmsConfig, isolated_data_dir: pathlib.Path):
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    eng = csms_engine.Engine(csms_config, isolated_data_dir)
    await eng.start()
    try:
        yield eng
    finally:
        await eng.stop()
        eng.close()


def url(eng: csms_engine.Engine, path: str = "CP1") -> str:
    return f"ws://127.0.0.1:{eng.server.port}/{path}"
