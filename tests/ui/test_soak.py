"""qasync under load for 60 s must not crash (it does with PySide6 6.12.0 on Python 3.11)."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import PySide6

HERE = pathlib.Path(__file__).resolve().parent


def test_pyside6_is_not_the_leaking_release() -> None:
    assert PySide6.__version__ != "6.12.0", "PySide6 6.12.0 leaks None refs in killTimer; keep the pin"


def test_qasync_soak_under_load() -> None:
    seconds = os.environ.get("COMMISSIONER_SOAK_SECONDS", "60")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, str(HERE / "soak_main.py"), "--seconds", seconds], env=env,
                          capture_output=True, text=True, timeout=float(seconds) + 90)
    assert done.returncode == 0, f"soak crashed (exit {done.returncode}):\n{done.stderr[-3000:]}"
    match = re.search(r"soak ok: (\d+) qasync callbacks, (\d+) charger frames, (\d+) frames delivered", done.stdout)
    assert match, done.stdout
    callbacks, frames, delivered = map(int, match.groups())
    assert callbacks > 1000 and frames > 100
    assert delivered >= frames  # every request and answer reached the GUI thread, in batches
