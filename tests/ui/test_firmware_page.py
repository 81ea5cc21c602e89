"""The Firmware page over the real app: the library (file dialog, version, remove), an update of a
1.6 demo charger from the built-in file server to the verified new version, a failing download
with its hint, and a batch (services.firmware through the window)."""

from __future__ import annotations

import os
import pathlib

from PySide6 import QtWidgets

from app.domain import firmware as fw_words
from app.ui import firmware_page
from tests.ui.conftest import wait
from tests.ui.test_main_window import _booted
from tests.ui.test_workspace import demo, window  # noqa: F401 (the fixture)


def image_file(folder: pathlib.Path, version: str = "2.0.0", size: int = 200_000) -> pathlib.Path:
    path = folder / f"wallbox-{version}.bin"
    path.write_bytes(fw_words.manifest_header(version) + os.urandom(size))
    return path


def add_through_dialog(qtbot, page, monkeypatch, path: pathlib.Path) -> None:
    rows = page.library.rowCount()
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *args, **kwargs: ([str(path)], "")))
    page.add_button.click()
    wait(qtbot, lambda: page.library.rowCount() == rows + 1 and page.adding == 0, timeout=10_000)


def faulty_demo(qtbot, window, version: str, **faults) -> str:  # noqa: F811
    """A demo charger with the virtual charger's faults, booted and selected."""
    core = window.core
    charger_id = core.engine.submit(core.demo.start(version, **faults)).result(10)
    wait(qtbot, lambda: _booted(window, charger_id), timeout=10_000)
    window.charger_view.selectRow(window.chargers.row_of(charger_id))
    return charger_id


def timeline(page) -> list[tuple[str, str]]:
    table = page.job_view.table
    return [(table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())]


def test_an_image_added_through_the_page_updates_a_charger_to_the_verified_version(
        qtbot, window, monkeypatch, tmp_path) -> None:  # noqa: F811
    charger_id = demo(qtbot, window, "1.6")
    page = window.firmware
    window.workspace.show_page(page)
    assert "http://" in window.connection.files_status.text()  # where chargers fetch from
    add_through_dialog(qtbot, page, monkeypatch, image_file(tmp_path))
    assert page.library.item(0, 0).text() == "2.0.0" and page.library.item(0, 1).text() == "wallbox-2.0.0.bin"
    assert page.library.item(0, 4).text() == "no"  # not signed
    monkeypatch.setattr(firmware_page.dialogs, "confirm", lambda *args: True)
    page.update_button.click()
    wait(qtbot, lambda: charger_id in page.running)
    assert page.cancel_button.isVisibleTo(page) and not page.update_button.isEnabled()
    wait(qtbot, lambda: page.job_view.job is not None and page.job_view.job.ended, timeout=60_000)
    assert "verified" in page.job_view.verdict.text(), page.job_view.verdict.text()
    assert "2.0.0" in page.job_view.verdict.text() and "#2e7d32" in page.job_view.verdict.styleSheet()
    sources = {source for source, _status in timeline(page)}
    assert {"charger", "file server", "Commissioner"} <= sources, timeline(page)
    assert ("charger", "Downloading") in timeline(page) and ("file server", "Served") in timeline(page)
    # Past updates of this charger, newest first, each with its timeline.
    wait(qtbot, lambda: not page.running)
    assert page.history.count() == 1 and "verified" in page.history.item(0).text()
    wait(qtbot, lambda: window.detail.info is not None and window.detail.info.firmware == "2.0.0", timeout=10_000)


def test_the_version_label_can_be_edited_and_an_image_removed(qtbot, window, monkeypatch, tmp_path) -> None:  # noqa: F811
    page = window.firmware
    add_through_dialog(qtbot, page, monkeypatch, image_file(tmp_path, "3.1.0"))
    page.edit_version("3.1.0-rc1")
    assert page.library.item(0, 0).text() == "3.1.0-rc1"
    monkeypatch.setattr(firmware_page.dialogs, "confirm", lambda *args: True)
    page.remove_button.click()
    assert page.library.rowCount() == 0 and "library is empty" in page.summary.text()


def test_a_file_that_cannot_be_read_says_so_in_the_message_bar(qtbot, window, tmp_path) -> None:  # noqa: F811
    page = window.firmware
    page.add_files([str(tmp_path / "missing.bin")])
    wait(qtbot, lambda: window.message_bar.showing and page.adding == 0, timeout=10_000)
    assert "missing.bin" in window.message_bar.text.text()
    assert page.library.rowCount() == 0


def test_a_download_that_fails_shows_the_failure_and_what_to_do(qtbot, window, monkeypatch, tmp_path) -> None:  # noqa: F811
    charger_id = faulty_demo(qtbot, window, "2.0.1", download_fails=True)
    page = window.firmware
    window.workspace.show_page(page)
    add_through_dialog(qtbot, page, monkeypatch, image_file(tmp_path))
    monkeypatch.setattr(firmware_page.dialogs, "confirm", lambda *args: True)
    page.update_button.click()
    wait(qtbot, lambda: charger_id in page.running)
    wait(qtbot, lambda: page.job_view.job is not None and page.job_view.job.ended, timeout=60_000)
    verdict = page.job_view.verdict.text()
    assert "DownloadFailed" in verdict and "#c62828" in page.job_view.verdict.styleSheet(), verdict
    assert page.job_view.job.message in verdict  # the hint from the job, in full


def test_several_chargers_update_with_a_limit(qtbot, window, monkeypatch, tmp_path) -> None:  # noqa: F811
    first = demo(qtbot, window, "1.6")
    second = demo(qtbot, window, "2.0.1")
    page = window.firmware
    window.workspace.show_page(page)
    add_through_dialog(qtbot, page, monkeypatch, image_file(tmp_path))
    page.set_chargers([window.chargers.charger(r) for r in range(window.chargers.rowCount())])
    dialog = firmware_page.BatchDialog([window.chargers.charger(r) for r in range(window.chargers.rowCount())],
                                       "wallbox-2.0.0.bin", page)
    assert dialog.list.count() == 2 and sorted(dialog.chosen()) == sorted([first, second])
    dialog.limit.setValue(1)
    monkeypatch.setattr(dialog, "exec", lambda: QtWidgets.QDialog.DialogCode.Accepted.value)
    page.update_several(dialog)
    wait(qtbot, lambda: page.batch_future is not None)
    assert page.cancel_pending_button.isVisibleTo(page)
    wait(qtbot, lambda: page.batch_future is None, timeout=90_000)
    assert "2 of 2 verified" in page.batch_status.text(), page.batch_status.text()
    assert page.history.count() == 1 and "verified" in page.history.item(0).text()  # the selected charger's


def test_settings_turn_the_file_server_off_and_the_panel_says_why(qtbot, qloop, isolated_data_dir) -> None:
    from app.ui import settings_dialog
    from tests.ui.test_main_window import open_window

    def off(core) -> None:
        core.settings.csms.file_server = False

    with open_window(qtbot, isolated_data_dir, off) as win:
        text = win.connection.files_status.text()
        assert text.startswith("File server not running: It is turned off.") and "Settings" in text
        dialog = settings_dialog.SettingsDialog(win.core.settings, win)
        assert not dialog.file_server.isChecked() and not dialog.http_port.isEnabled()
        dialog.file_server.setChecked(True)
        dialog.http_port.setValue(dialog.port.value())
        assert any("already the CSMS port" in p for p in dialog.problems())
        dialog.http_port.setValue(9180)
        dialog.ftp_port.setValue(9121)
        assert dialog.problems() == []
        csms = dialog.result_settings().csms
        assert (csms.file_server, csms.http_port, csms.ftp_port) == (True, 9180, 9121)
        win.firmware.update_charger()  # no charger selected: nothing happens, nothing raises


def test_an_image_dropped_on_the_page_is_added(qtbot, window, tmp_path) -> None:  # noqa: F811
    from PySide6 import QtCore, QtGui

    page = window.firmware
    window.workspace.show_page(page)
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(image_file(tmp_path, "4.0.0")))])
    point = QtCore.QPointF(page.rect().center())
    enter = QtGui.QDragEnterEvent(point.toPoint(), QtCore.Qt.DropAction.CopyAction, mime,
                                  QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.KeyboardModifier.NoModifier)
    page.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QtGui.QDropEvent(point, QtCore.Qt.DropAction.CopyAction, mime, QtCore.Qt.MouseButton.LeftButton,
                            QtCore.Qt.KeyboardModifier.NoModifier)
    page.dropEvent(drop)
    wait(qtbot, lambda: page.library.rowCount() == 1 and page.adding == 0, timeout=10_000)
    assert page.library.item(0, 0).text() == "4.0.0"


def test_a_running_update_can_be_cancelled(qtbot, window, monkeypatch, tmp_path) -> None:  # noqa: F811
    charger_id = faulty_demo(qtbot, window, "1.6", slow_download=400_000.0)
    page = window.firmware
    window.workspace.show_page(page)
    # More than the sockets' buffers hold, so the bar is seen part-way.
    add_through_dialog(qtbot, page, monkeypatch, image_file(tmp_path, size=12_000_000))
    monkeypatch.setattr(firmware_page.dialogs, "confirm", lambda *args: True)
    page.update_button.click()
    wait(qtbot, lambda: page.job_view.bar.maximum() == 1000 and 0 < page.job_view.bar.value() < 1000,
         timeout=30_000)  # part-way: the bar follows the file server's count
    assert "Download" in page.job_view.steps.text()
    page.cancel_button.click()
    wait(qtbot, lambda: charger_id not in page.running and page.job_view.job is not None
         and page.job_view.job.ended, timeout=30_000)
    assert page.job_view.verdict.text().startswith("✗ Cancelled"), page.job_view.verdict.text()
    assert "cancelled" in page.history.item(0).text()
