"""The desktop app: QApplication + qasync on the GUI thread, the CSMS engine in a worker thread."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import pathlib
import subprocess
import sys
import time
from typing import Callable

import psutil

from app import core as app_core
from app.domain import errors

log = logging.getLogger(__name__)

PROBE_ENV = "COMMISSIONER_STARTUP_PROBE"  # benchmarks: write the time to first window, then quit
PORT_ENV = "COMMISSIONER_PORT"
RESOURCES = pathlib.Path(__file__).resolve().parent.parent / "resources"


def process_age() -> float:
    """Seconds since this process was created.

    psutil's create_time() is built on the boot time in whole seconds, up to 1 s off; on Linux
    the start tick in /proc/self/stat and CLOCK_BOOTTIME share the same origin, so use those.
    """
    if sys.platform.startswith("linux"):
        with open("/proc/self/stat", encoding="ascii") as stat:
            start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")
    return time.time() - psutil.Process().create_time()


# Debian names a library package after its soname; other distributions differ for these.
_FEDORA = {"libxcb-cursor.so.0": "xcb-util-cursor", "libxcb-icccm.so.4": "xcb-util-wm",
           "libxcb-keysyms.so.1": "xcb-util-keysyms", "libxcb-image.so.0": "xcb-util-image",
           "libxcb-render-util.so.0": "xcb-util-renderutil", "libxkbcommon-x11.so.0": "libxkbcommon-x11"}


def debian_package(soname: str) -> str:
    """libxcb-icccm.so.4 -> libxcb-icccm4; libxkbcommon-x11.so.0 -> libxkbcommon-x11-0 (Debian policy 8.1)."""
    name, _, version = soname.partition(".so.")
    name = name.lower()
    return f"{name}{'-' if name[-1].isdigit() else ''}{version.split('.')[0]}"


def missing_libraries(run=subprocess.run) -> list[str]:
    """Sonames the dynamic linker cannot find for Qt's xcb platform plugin (Linux)."""
    import PySide6

    qt = pathlib.Path(PySide6.__file__).parent / "Qt"
    missing: list[str] = []
    for binary in (qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6"):
        if not binary.exists():
            continue
        try:
            output = run(["ldd", str(binary)], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return []  # no ldd: let Qt try, it will say what it can
        for line in output.splitlines():
            if "not found" in line:
                soname = line.split("=>")[0].strip()
                if soname not in missing:
                    missing.append(soname)
    return missing


def platform_problem(environ: dict[str, str] | None = None, platform: str | None = None,
                     missing: Callable[[], list[str]] = missing_libraries) -> str | None:
    """Why Qt could not open a window here, in words a technician can act on; None if it can."""
    environ = os.environ if environ is None else environ
    platform = platform or sys.platform
    requested = environ.get("QT_QPA_PLATFORM", "")
    if not platform.startswith("linux") or requested.split(":")[0] in ("offscreen", "minimal", "vnc", "wayland"):
        return None
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return ("Commissioner cannot open a window: no display was found (DISPLAY is not set).\n"
                "Start it from a desktop session, or run the CSMS without a window: "
                "`commissioner serve`.")
    if environ.get("WAYLAND_DISPLAY") and not environ.get("DISPLAY"):
        return None
    libraries = missing()
    if not libraries:
        return None
    debian = " ".join(debian_package(lib) for lib in libraries)
    fedora = " ".join(_FEDORA.get(lib, debian_package(lib)) for lib in libraries)
    return ("Commissioner cannot open a window: Qt's display plugin (xcb) needs system libraries "
            f"that are not installed: {', '.join(libraries)}.\n"
            "Install them, then start again:\n"
            f"  Debian/Ubuntu:  sudo apt install {debian}\n"
            f"  Fedora:         sudo dnf install {fedora}")


def _install_translator(app, language: str) -> None:
    from PySide6 import QtCore

    locale = QtCore.QLocale(language) if language else QtCore.QLocale.system()
    translator = QtCore.QTranslator(app)
    if translator.load(locale, "commissioner", "_", str(RESOURCES / "translations")):
        app.installTranslator(translator)
    if locale.textDirection() == QtCore.Qt.LayoutDirection.RightToLeft:
        app.setLayoutDirection(QtCore.Qt.LayoutDirection.RightToLeft)


def main(args: argparse.Namespace) -> int:
    problem = platform_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 3
    from PySide6 import QtCore, QtGui, QtWidgets
    import qasync

    from app.ui import fonts, main_window, message_bar

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    try:
        data_dir = app_core.resolve_data_dir(args.data_dir)
    except errors.CommissionerError as exc:
        # A windowed app has no console to print to: say it where the technician looks.
        QtWidgets.QMessageBox.critical(None, "Commissioner", str(exc))
        return 2
    app_core.setup_logging(data_dir)
    app.setApplicationName("Commissioner")
    app.setOrganizationName("Commissioner")
    fonts.load()
    icon = RESOURCES / "icons" / "commissioner.png"
    if icon.exists():
        app.setWindowIcon(QtGui.QIcon(str(icon)))
    port = int(os.environ[PORT_ENV]) if os.environ.get(PORT_ENV) else None
    core = app_core.Core(data_dir, port_override=port)
    _install_translator(app, core.settings.language)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        urls = core.start()
        # `make run` starts the window from a terminal: say there where chargers connect. (A
        # windowed app on Windows/macOS has no stdout at all.)
        if sys.stdout is not None:
            print(f"Commissioner CSMS listening on {' '.join(urls)} (journal: {core.journal_path})", flush=True)
    except errors.CommissionerError as exc:  # shown in the window with what to do (e.g. port busy)
        log.warning("CSMS not started: %s", exc)
    except Exception as exc:  # a bug of ours: the window still opens and says where to look
        log.exception("CSMS not started")
        core.start_error = errors.CsmsError(f"The CSMS could not start: {type(exc).__name__}: {exc}.",
                                            hint=f"Please report this with the log file {core.log_path}.")
    window = main_window.MainWindow(core)
    message_bar.install_excepthook(core.log_path, lambda: window)
    window.show()
    probe = os.environ.get(PROBE_ENV)
    if probe:
        def report() -> None:
            pathlib.Path(probe).write_text(json.dumps({"shown_after_s": round(process_age(), 3),
                                                       "shown_at": time.time()}))
            app.quit()
        QtCore.QTimer.singleShot(0, report)
    try:
        with loop:
            loop.run_forever()
            _finish_pending(loop)
    finally:
        core.shutdown()
    return 0


def _finish_pending(loop: asyncio.AbstractEventLoop, timeout: float = 2.0) -> None:
    """The window closed: what its pages still awaited (a first CA read, say) is cancelled and let
    end, rather than destroyed pending when the loop closes."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.wait(pending, timeout=timeout))
