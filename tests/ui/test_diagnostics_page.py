"""The Diagnostics page over the real app: a demo charger uploads its log to the built-in file
server, the file is listed with its archive's contents and attached to a run; a failing upload
shows the hint (services.diagnostics through the window)."""

from __future__ import annotations

from PySide6 import QtCore, QtGui

from tests.ui.conftest import wait
from tests.ui.test_firmware_page import faulty_demo
from tests.ui.test_workspace import demo, window  # noqa: F401 (the fixture)


def get_log(qtbot, page, button) -> None:
    button.click()
    wait(qtbot, lambda: page.info.charger_id in page.running)
    wait(qtbot, lambda: not page.running, timeout=60_000)


def test_a_log_arrives_is_listed_opened_and_its_contents_shown(qtbot, window, monkeypatch) -> None:  # noqa: F811
    demo(qtbot, window, "1.6")
    page = window.diagnostics
    window.workspace.show_page(page)
    assert page.received.rowCount() == 0
    get_log(qtbot, page, page.diagnostics_button)
    assert "#2e7d32" in page.job_view.verdict.styleSheet(), page.job_view.verdict.text()
    sources = {page.job_view.table.item(r, 1).text() for r in range(page.job_view.table.rowCount())}
    assert {"charger", "file server"} <= sources
    wait(qtbot, lambda: page.received.rowCount() == 1)
    assert page.received.item(0, 3).text() == "complete"
    opened: list[str] = []
    monkeypatch.setattr(QtGui.QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile())))
    page.open_button.click()
    page.folder_button.click()
    assert opened == [str(page.files[0].path), str(page.files[0].path.parent)]
    page.contents_button.click()
    wait(qtbot, lambda: page.contents.isVisibleTo(page) and page.contents.rowCount() > 0, timeout=10_000)
    assert page.members and all(name for name, _size in page.members)


def test_the_security_log_over_http_and_attached_to_the_open_run(qtbot, window) -> None:  # noqa: F811
    demo(qtbot, window, "2.0.1")
    page = window.diagnostics
    page.via.setCurrentIndex(page.via.findData("http"))
    get_log(qtbot, page, page.security_button)
    wait(qtbot, lambda: page.received.rowCount() == 1)
    assert page.received.item(0, 4).text() == "HTTP"  # how it came: its request's way
    page.attach_button.click()
    assert "No commissioning run" in window.message_bar.text.text()  # none open yet: said, nothing attached
    commission = window.commission
    commission.template_combo.setCurrentIndex(commission.template_combo.findData("bench"))
    commission.new_button.click()
    page.attach_button.click()
    logs = [a for a in commission.run.attachments if a["kind"] == "log"]
    assert len(logs) == 1 and QtCore.QFileInfo(logs[0]["file"]).exists()
    assert window.core.runs.get(commission.run.id).attachments == commission.run.attachments  # on disk


def test_a_failed_upload_shows_the_hint(qtbot, window) -> None:  # noqa: F811
    faulty_demo(qtbot, window, "2.0.1", upload_fails=True)
    page = window.diagnostics
    window.workspace.show_page(page)
    get_log(qtbot, page, page.diagnostics_button)
    verdict = page.job_view.verdict.text()
    assert "#c62828" in page.job_view.verdict.styleSheet()
    assert "Upload" in verdict and "firewall" in verdict, verdict
    assert page.received.rowCount() == 0
