"""The Commission page over the real app: a demo charger, the bench checklist, entries, the report."""

from __future__ import annotations

import pathlib
import shutil
import subprocess

import pytest

from app.domain import runs
from tests.ui.conftest import wait
from tests.ui.test_workspace import demo, window  # noqa: F401 (the fixture)


def choose(page, template_id: str) -> None:
    page.template_combo.setCurrentIndex(page.template_combo.findData(template_id))


def test_a_bench_commissioning_from_the_window_to_the_pdf(qtbot, window, tmp_path) -> None:  # noqa: F811
    charger_id = demo(qtbot, window, "1.6")
    page = window.commission
    window.workspace.show_page(page)
    assert "No commissioning" in page.summary.text()
    choose(page, "bench")
    page.new_button.click()
    assert page.run is not None and page.table.rowCount() == len(page.template.steps)
    # The manual step first: the technician's name.
    page.table.setCurrentCell(0, 0)
    page.entry_edit.setText("Ayesha Khan")
    page.save_button.click()
    assert page.run.step("technician").state is runs.StepState.PASSED
    page.run_button.click()
    wait(qtbot, lambda: charger_id in page._busy)
    wait(qtbot, lambda: not page._busy and page.run.ended_ms > 0, timeout=60_000)
    states = {s.key: s.state for s in page.run.steps}
    assert page.run.outcome is runs.Outcome.PASSED, {k: v.value for k, v in states.items()}
    assert page.progress.value() == sum(1 for s in page.run.steps if s.state.done)
    assert states["authorize"] is runs.StepState.PENDING  # someone must present the tag: left to do
    assert page.table.item(1, 1).text() == "✓ passed"
    page.export(tmp_path, open_pdf=False)
    wait(qtbot, lambda: getattr(page, "last_export", None) is not None, timeout=30_000)
    assert page.last_export.pdf.exists() and page.last_export.json.exists() and page.last_export.trace.exists()
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(page.last_export.pdf), "-"], capture_output=True, text=True).stdout
        assert charger_id in text and "PASSED" in text and "Ayesha Khan" in text


def test_a_value_out_of_its_limit_turns_red_and_fails_the_step(qtbot, window) -> None:  # noqa: F811
    demo(qtbot, window, "1.6")
    page = window.commission
    window.workspace.show_page(page)
    choose(page, "ac-iec")
    page.new_button.click()
    row = next(r for r, s in enumerate(page.run.steps) if s.key == "pe_continuity")
    page.table.setCurrentCell(row, 0)
    assert "≤ 1 Ω" in page.entry_hint.text()
    page.entry_edit.setText("0.4")
    assert page.entry_edit.styleSheet() == ""
    page.entry_edit.setText("2.5")
    assert "background" in page.entry_edit.styleSheet()  # red: out of range
    page.save_button.click()
    step = page.run.step("pe_continuity")
    assert step.state is runs.StepState.FAILED and "outside" in step.reason
    # Stored at once: the charger's latest run, read back from sqlite, has it.
    stored = window.core.runs.get(page.run.id)
    assert stored.step("pe_continuity").state is runs.StepState.FAILED
    page.entry_edit.setText("abc")
    page.table.setCurrentCell(row, 0)
    page.entry_edit.setText("abc")
    page.save_button.click()
    assert "not a number" in window.message_bar.text.text()


@pytest.mark.parametrize("reopen", [True])
def test_the_chargers_run_comes_back_when_the_window_reopens(qtbot, window, reopen) -> None:  # noqa: F811
    charger_id = demo(qtbot, window, "1.6")
    page = window.commission
    choose(page, "bench")
    page.new_button.click()
    page.table.setCurrentCell(0, 0)
    page.entry_edit.setText("T")
    page.save_button.click()
    run_id = page.run.id
    window.charger_view.selectRow(-1)
    page.set_charger(None)
    page.set_charger(window.chargers.charger(window.chargers.row_of(charger_id)))
    assert page.run is not None and page.run.id == run_id  # the unfinished run, to carry on
    assert page.run.step("technician").state is runs.StepState.PASSED


def test_photos_and_signatures_are_kept_with_the_run_and_shown_in_the_report(qtbot, window, tmp_path) -> None:  # noqa: F811
    from PySide6 import QtCore, QtGui, QtWidgets

    from app.ui import signature

    charger_id = demo(qtbot, window, "1.6")
    page = window.commission
    choose(page, "bench")
    page.new_button.click()
    photo = tmp_path / "label.png"
    image = QtGui.QImage(1200, 800, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("#336699"))
    assert image.save(str(photo))
    page.add_photo([str(photo)], "Rating label")
    dialog = signature.SignatureDialog("Customer", "", page)
    dialog.name.setText("Juma Mwangi")
    dialog.pad.add_stroke([QtCore.QPointF(20, 100), QtCore.QPointF(120, 40), QtCore.QPointF(220, 110)])
    dialog.exec = lambda: QtWidgets.QDialog.DialogCode.Accepted
    page.sign("Customer", dialog)
    assert "1 photo(s)" in page.summary.text() and "signed by: Customer" in page.summary.text()
    stored = window.core.runs.get(page.run.id)
    kinds = [(a["kind"], a["label"]) for a in stored.attachments]
    assert kinds == [("photo", "Rating label"), ("signature", "Customer")]
    assert all(pathlib.Path(a["file"]).exists() for a in stored.attachments)  # copied into the run's folder
    page.export(tmp_path / "out", open_pdf=False)
    wait(qtbot, lambda: getattr(page, "last_export", None) is not None, timeout=30_000)
    data = __import__("json").loads(page.last_export.json.read_text())
    assert [a["label"] for a in data["attachments"]] == ["Rating label", "Customer"]
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(page.last_export.pdf), "-"], capture_output=True, text=True).stdout
        assert "Rating label" in text and "Juma Mwangi" in text and charger_id in text


def test_a_run_duplicated_as_a_checklist_keeps_its_steps_and_entries(qtbot, window) -> None:  # noqa: F811
    demo(qtbot, window, "1.6")
    page = window.commission
    choose(page, "ac-iec")
    page.new_button.click()
    row = next(r for r, s in enumerate(page.run.steps) if s.key == "cable_size")
    page.table.setCurrentCell(row, 0)
    page.entry_edit.setText("6")
    page.save_entry()
    page.save_as_template("Depot wallboxes")
    assert page.template_combo.currentData() == "depot-wallboxes"
    saved = page.templates["depot-wallboxes"]
    assert [s.key for s in saved.steps] == [s.key for s in page.template.steps]
    cable = next(s for s in saved.steps if s.key == "cable_size")
    assert cable.hint == "Last time: 6 mm²" and cable.unit == "mm²" and cable.low == 1.5
    assert saved.path.parent == window.core.data_dir / "checklists"


def test_an_unfinished_run_is_offered_when_the_window_opens(qtbot, qloop, isolated_data_dir) -> None:
    from app.services import checklists, checks
    from app.services import runs as run_service
    from app.storage import runs as run_store
    from tests.ui.test_main_window import open_window

    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    template = checklists.find("bench", None, frozenset(checks.CHECKS))
    run = run_service.new_run(template, "SITE-7")
    store = run_store.RunStore(isolated_data_dir)
    store.save(run)
    store.close()
    with open_window(qtbot, isolated_data_dir) as win:
        win.show()
        assert "1 commissioning run(s) not finished: SITE-7" in win.message_bar.text.text()
        assert win.message_bar.action_button.text() == "Show"
        win.message_bar.action_button.click()
        assert win.workspace.pages.currentWidget() is win.commission
        assert win.commission.run is not None and win.commission.run.id == run.id


STATUS_ONLY = """
id = "status-only"
name = "Status only"
description = "one quick automatic check"

[[step]]
key = "status"
title = "Status"
check = "status"
"""


def test_run_step_again_undoes_what_the_check_left_and_runs_it_afresh(qtbot, window) -> None:  # noqa: F811
    charger_id = demo(qtbot, window, "1.6")
    page = window.commission
    window.workspace.show_page(page)
    folder = window.core.data_dir / "checklists"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "status-only.toml").write_text(STATUS_ONLY, encoding="utf-8")
    page._load_templates()
    choose(page, "status-only")
    page.new_button.click()
    page.table.setCurrentCell(0, 0)
    assert page.again_button.isVisible() and not page.again_button.isEnabled()  # to do: Run automatic checks
    page.run_button.click()
    wait(qtbot, lambda: not page._busy and page.run.ended_ms > 0, timeout=30_000)
    first = page.run.step("status")
    assert first.state is runs.StepState.PASSED and page.again_button.isEnabled()
    # What the check had left on the charger (as if it could not put it back): kept on disk.
    stored = window.core.runs.get(page.run.id)
    step = stored.step("status")
    step.state, step.reason = runs.StepState.FAILED, "HeartbeatInterval is still 3 (set for the check; it was 60)"
    step.on_charger = {"settings": {"HeartbeatInterval": "60"}, "set_to": {"HeartbeatInterval": "3"}}
    stored.outcome = stored.judge()
    window.core.runs.save(stored)
    page.set_charger(None)
    page.set_charger(window.chargers.charger(window.chargers.row_of(charger_id)))
    assert page.run.outcome is runs.Outcome.FAILED
    page.table.setCurrentCell(0, 0)
    assert page.again_button.isEnabled()
    page.again_button.click()
    wait(qtbot, lambda: charger_id in page._busy)
    assert not page.again_button.isEnabled()  # nothing else while the checks run
    wait(qtbot, lambda: not page._busy and page.run.ended_ms > 0, timeout=30_000)
    again = window.core.runs.get(page.run.id).step("status")
    assert again.state is runs.StepState.PASSED, again.reason
    assert again.note == "Put back before the run went on: HeartbeatInterval put back to 60." and not again.on_charger
    assert again.started_ms > first.started_ms and page.run.outcome is runs.Outcome.PASSED  # judged again
    assert page.again_button.isEnabled()


TAG_ONLY = """
id = "tag-only"
name = "Tag only"
description = "the RFID check, which needs someone at the charger"

[[step]]
key = "authorize"
title = "RFID test tag authorized"
check = "authorize"
timeout = 1
"""


def test_a_check_that_needs_someone_at_the_charger_runs_when_they_press_check_now(qtbot, window) -> None:  # noqa: F811
    demo(qtbot, window, "1.6")
    page = window.commission
    window.workspace.show_page(page)
    folder = window.core.data_dir / "checklists"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tag-only.toml").write_text(TAG_ONLY, encoding="utf-8")
    page._load_templates()
    choose(page, "tag-only")
    page.new_button.click()
    page.table.setCurrentCell(0, 0)
    assert "hold the test tag" in page.entry_label.text()
    page.run_button.click()  # Run automatic checks leaves it to do: nobody said they are at the charger
    wait(qtbot, lambda: not page._busy and page.run.ended_ms > 0, timeout=30_000)
    assert page.run.step("authorize").state is runs.StepState.PENDING
    page.table.setCurrentCell(0, 0)
    assert page.again_button.text().replace("&", "") == "Check now (at the charger)" and page.again_button.isEnabled()
    page.again_button.click()
    # Nobody presents a tag within the step's second: the check ran, and says what did not come.
    wait(qtbot, lambda: not page._busy and page.run.step("authorize").state.done, timeout=30_000)
    step = window.core.runs.get(page.run.id).step("authorize")
    assert step.state is runs.StepState.FAILED and "Authorize" in step.reason
