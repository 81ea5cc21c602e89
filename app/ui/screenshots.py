"""`make screenshots`: the main window in its typical states, saved to docs/screenshots/.

Runs the real app (engine in its thread, demo chargers, qasync) offscreen, unless
QT_QPA_PLATFORM names another platform (e.g. xcb under Xvfb).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import sys
import tempfile
import time
from typing import Callable

import qasync
from PySide6 import QtCore, QtWidgets

from app import core as app_core
from app.ui import main_window

ROOT = pathlib.Path(__file__).resolve().parents[2]


async def until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("screen did not reach the expected state")
        await asyncio.sleep(0.05)


def save(window: QtWidgets.QWidget, out: pathlib.Path, name: str) -> pathlib.Path:
    QtWidgets.QApplication.processEvents()
    path = out / f"{name}.png"
    window.grab().save(str(path))
    print(path)
    return path


async def shoot(window: main_window.MainWindow, out: pathlib.Path) -> None:
    app = QtWidgets.QApplication.instance()
    await asyncio.sleep(0.3)
    save(window, out, "01-empty-state")

    window.start_demo("1.6")
    window.start_demo("2.0.1")
    await until(lambda: window.chargers.rowCount() == 2 and all(
        window.chargers.charger(r).boot_status == "Accepted" for r in range(2)))
    await until(lambda: window.log.model.rowCount() > 10)
    window.charger_view.selectRow(window.chargers.row_of("DEMO-16-01"))
    window.detail.run_quick("configuration")
    await until(lambda: window.detail.config_model.rowCount() > 5)
    save(window, out, "02-chargers")

    window.charger_view.selectRow(window.chargers.row_of("DEMO-201-02"))
    window.detail.run_quick("configuration")
    await until(lambda: window.detail.config_model.rowCount() > 20)
    log = window.log
    for row in range(log.model.rowCount()):
        if log.model.index(row, 4).data() == "BootNotification":
            log.view.selectRow(row)
            break
    save(window, out, "03-message-log")

    window.charger_view.selectRow(window.chargers.row_of("DEMO-16-01"))
    window.tabs.setCurrentWidget(window.send_panel)
    panel = window.send_panel
    panel.set_action("GetConfiguration")
    panel.send_button.click()
    await until(lambda: "configurationKey" in panel.response_view.toPlainText())
    save(window, out, "04-send-operation")

    app.setLayoutDirection(QtCore.Qt.LayoutDirection.RightToLeft)
    await asyncio.sleep(0.3)
    save(window, out, "05-right-to-left")
    app.setLayoutDirection(QtCore.Qt.LayoutDirection.LeftToRight)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("QT_QPA_PLATFORM"):  # read when the QApplication is created, not before
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("Commissioner")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    data = pathlib.Path(tempfile.mkdtemp(prefix="commissioner-shots-"))
    core = app_core.Core(data, port_override=9000)
    try:
        core.start()
    except Exception:
        core.settings.csms.port = 0  # 9000 busy here: any port shows the same screens
        core.start()
    window = main_window.MainWindow(core)
    window.resize(1440, 900)
    window.show()
    try:
        with loop:
            loop.run_until_complete(shoot(window, out))
    finally:
        window.close()
        core.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
