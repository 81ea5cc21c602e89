"""`commissioner --self-test`: exit 0 only when every check held."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from app.csms import engine as csms_engine
from app.domain import errors
from app.services import selftest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_self_test_passes_and_says_what_it_checked() -> None:
    done = subprocess.run([sys.executable, "-m", "app", "--self-test"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert sum(line.startswith("[ok]") for line in lines) == 6
    assert any("OCPP 1.6 virtual charger" in line for line in lines)
    assert any("OCPP 2.0.1 virtual charger" in line for line in lines)
    assert any("journal written and re-read" in line for line in lines)
    assert lines[-1].startswith("self-test passed: 6 checks held, 0 failed")


def test_a_failed_check_fails_the_self_test(monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(self, charger_id, action, payload, timeout=None):
        raise errors.CallErrorReceived(action, "InternalError", "broken on purpose")

    monkeypatch.setattr(csms_engine.Engine, "call", refuse)
    said: list[str] = []
    assert selftest.run(said.append) is False
    assert any(line.startswith("[FAIL] GetConfiguration round trip") and "broken on purpose" in line for line in said)
    assert said[-1].startswith("self-test FAILED")
