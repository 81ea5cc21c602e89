"""The Configure page's tools over real websockets with the demo chargers: snapshots and the
diff, a template's dry run and its results per charger, export and import, the charger's own
password, and the reboot a RebootRequired answer asks for."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from PySide6 import QtWidgets

from app.domain import errors
from app.services import config_templates, configuration
from app.ui import config_tools, configure_page
from tests.ui.conftest import wait
from tests.ui.test_workspace import configure, demo, edit, value_of, window  # noqa: F401 (fixture)

HEARTBEAT = "OCPPCommCtrlr.HeartbeatInterval"
SHOTS = os.environ.get("COMMISSIONER_SHOTS")  # a folder: the dialogs are saved there to be looked at


@pytest.fixture(autouse=True)
def no_modal_dialog(monkeypatch) -> list[str]:
    """A modal dialog (the crash dialog above all) would block qtbot.waitUntil forever offscreen:
    it is refused and named, so a wait that needs it fails within its timeout instead."""
    opened: list[str] = []

    def exec_(dialog) -> int:
        opened.append(f"{type(dialog).__name__}: {dialog.windowTitle()}")
        return QtWidgets.QDialog.DialogCode.Rejected.value

    monkeypatch.setattr(QtWidgets.QDialog, "exec", exec_)
    return opened


def until(qtbot, predicate, opened: list[str], timeout: int = 20_000) -> None:
    """Wait for `predicate`, but stop at once when a modal dialog tried to open."""
    wait(qtbot, lambda: bool(opened) or predicate(), timeout=timeout)
    assert not opened, opened


def test_the_tree_groups_the_device_model_and_says_what_each_value_may_be(qtbot, window) -> None:
    demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    groups = [page.model.item(r, configure_page.NAME).text() for r in range(page.model.rowCount())]
    assert "OCPPCommCtrlr" in groups and "EVSE 1" in groups
    cells = page._cells(HEARTBEAT)
    assert cells[configure_page.NAME].text() == "HeartbeatInterval"
    assert "integer" in cells[configure_page.ALLOWED].text()
    page.filter.setText("SampledDataCtrlr")  # a component's name shows all of its variables
    wait(qtbot, lambda: page.shown_settings() >= 5)


def test_a_snapshot_compared_after_a_change_marks_the_difference(qtbot, window) -> None:
    demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    before = value_of(page, HEARTBEAT)
    page.tools.take_snapshot()
    assert page.tools.compare.count() >= 2 and page.tools.compare.itemData(1).startswith("snapshot:")
    edit(page, HEARTBEAT, "77")
    wait(qtbot, lambda: value_of(page, HEARTBEAT) == "77" and not page.busy_with, timeout=10_000)
    assert page._cells(HEARTBEAT)[configure_page.VALUE].font().bold()  # changed here: highlighted
    page.tools.choose(page.tools.compare.itemData(1))
    assert page.differences() == [HEARTBEAT]
    assert page._cells(HEARTBEAT)[configure_page.OTHER].text() == before
    assert "1 setting(s) differ" in page.result.text()
    page.tools.only_differences.setChecked(True)
    wait(qtbot, lambda: page.shown_settings() == 1)
    page.tools.choose(None)
    assert page.view.isColumnHidden(configure_page.OTHER) and page.differences() == []


def test_a_template_shows_its_plan_then_applies_with_a_result_per_item_and_charger(qtbot, window) -> None:
    first = demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    shown = []
    page.tools.exec_dialog = lambda dialog: shown.append(dialog) or True
    page.tools.show_results = lambda dialog: shown.append(dialog)
    page.tools.open_template_dialog()
    wait(qtbot, lambda: len(shown) == 2, timeout=20_000)
    plan, results = shown
    assert plan.template().id == "operator-201" and plan.chargers() == [first]
    planned = {plan.table.item(r, 0).text(): plan.table.item(r, 4).text() for r in range(plan.table.rowCount())}
    assert planned[HEARTBEAT] in ("change", "already so")
    assert all(not o.failed for o in results.outcomes.values())
    assert value_of(page, HEARTBEAT) == "300"  # what the template wants, read back from the charger
    assert page.tools.compare.currentData() == "template:operator-201" and page.differences() == []
    assert results.csv().splitlines()[0].startswith("charger,setting,before")


def test_export_writes_no_secret_and_an_import_compares_equal(qtbot, window, tmp_path) -> None:
    demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    path = tmp_path / "settings.json"
    page.tools.write_export(path, "json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["values"][HEARTBEAT] == value_of(page, HEARTBEAT)
    assert data["values"].get("SecurityCtrlr.BasicAuthPassword", "") in ("", "***")
    page.tools.write_export(tmp_path / "settings.csv", "csv")
    assert (tmp_path / "settings.csv").read_text(encoding="utf-8").startswith("setting,value,access")
    page.tools.read_import(tmp_path / "settings.csv")
    assert page.tools.compare.currentData().startswith("snapshot:") and page.differences() == []
    page.tools.read_import(path)
    assert page.tools.compare.currentData().startswith("snapshot:") and page.differences() == []
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    page.tools.read_import(tmp_path / "bad.json")
    assert "not a Commissioner snapshot" in window.message_bar.text.text()


def test_a_new_password_is_set_shown_once_and_expected_by_the_csms(qtbot, window) -> None:
    charger_id = demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    page.ask = lambda *a: True
    page.tools.new_password()
    wait(qtbot, lambda: hasattr(page.tools, "password_box"), timeout=10_000)
    password = window.core.engine.config.passwords[charger_id]
    assert password in page.tools.password_box.informativeText()
    assert "write it down" in page.result.text()  # no keyring on the test machine: said plainly
    assert window.core.vault.get(charger_id) == password


def test_reboot_required_offers_a_reboot_and_reads_again(qtbot, window, monkeypatch, no_modal_dialog) -> None:
    name = "OCPPCommCtrlr.WebSocketPingInterval"  # the virtual charger applies it at the next boot
    charger_id = demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    page.ask = lambda *a: True
    monkeypatch.setattr(configuration, "REBOOT_TIMEOUT_S", 20.0)  # the reboot task ends within the waits below
    assert not page.tools.reboot_bar.isVisible()
    edit(page, name, "45")
    until(qtbot, lambda: page.tools.reboot_bar.isVisible() and not page.busy_with, no_modal_dialog)
    assert value_of(page, name) == "45" and "RebootRequired" in page.result.text()
    assert charger_id in page.tools.reboot_text.text() and page.tools.reboot_button.isEnabled()
    page.tools.reboot_button.click()
    until(qtbot, lambda: not page.busy_with and "rebooted and its settings were read again"
          in window.message_bar.text.text(), no_modal_dialog, timeout=40_000)
    assert not page.tools.reboot_bar.isVisible()
    assert value_of(page, name) == "45"


def test_check_only_on_every_charger_shows_what_would_change_and_a_bad_template_is_named(
        qtbot, window, tmp_path, no_modal_dialog) -> None:
    folder = window.configure.data_dir / "config-templates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "typo.toml").write_text('name = "Typo"\n[[setting]]\nname = "X"\nequal = "1"\n', encoding="utf-8")
    (folder / "wants-123.toml").write_text(f'name = "Heartbeat 123"\n[[setting]]\nname = "{HEARTBEAT}"\n'
                                           'equals = "123"\n', encoding="utf-8")
    first = demo(qtbot, window, "2.0.1")
    second = demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    before = value_of(page, HEARTBEAT)
    shown = []

    def exec_dialog(dialog) -> bool:
        shown.append(dialog)
        assert dialog.chargers() == [second]
        dialog.pick("wants-123")
        dialog.select_all.click()
        assert sorted(dialog.chargers()) == sorted([first, second])
        if SHOTS:
            dialog.grab().save(f"{SHOTS}/template-dialog.png")
        dialog.check_button.click()
        return True

    page.tools.exec_dialog = exec_dialog
    page.tools.show_results = lambda dialog: shown.append(dialog)
    page.tools.open_template_dialog()
    until(qtbot, lambda: len(shown) == 2 and not page.busy_with, no_modal_dialog)
    plan, results = shown
    assert "typo.toml" in plan.problems.text() and "unknown field(s) equal" in plan.problems.text()
    assert not plan.problems.isHidden()
    assert "typo.toml" in window.message_bar.text.text()
    assert plan.combo.findData("operator-201") >= 0  # the bad file hid only itself
    assert results.dry and set(results.outcomes) == {first, second}
    assert "Check only, nothing was sent" in results.summary.text()
    for outcome in results.outcomes.values():
        planned = {i.name: i for i in outcome.items}
        assert (planned[HEARTBEAT].action, planned[HEARTBEAT].wanted, planned[HEARTBEAT].status) == ("change", "123", "")
    assert value_of(page, HEARTBEAT) == before  # nothing was written
    path = tmp_path / "check.csv"
    assert results.write_csv(path)
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert {line[0] for line in lines[1:]} == {first, second}
    assert [line[5] for line in lines[1:] if line[1] == HEARTBEAT] == ["change", "change"]
    if SHOTS:
        results.grab().save(f"{SHOTS}/check-only-results.png")


def test_the_results_show_what_a_failed_charger_answered_and_what_was_refused(qtbot, tmp_path) -> None:
    parent = QtWidgets.QWidget()
    qtbot.addWidget(parent)
    item = config_templates.Item
    outcomes = {
        "CP-1": config_templates.Outcome("CP-1", [
            item(HEARTBEAT, "60", "= 300", "300", "change", "Accepted"),
            item("OCPPCommCtrlr.WebSocketPingInterval", "20", "= 30", "30", "change",
                 reason="no answer: the charger failed before answering it"),
            item("TxCtrlr.EVConnectionTimeOut", "10", "≥ 30", "soon", "invalid",
                 reason="TxCtrlr.EVConnectionTimeOut takes a whole number written with digits only")],
            errors.CallErrorReceived("SetVariables", "InternalError", "flash write failed", "CP-1")),
        "CP-2": config_templates.Outcome("CP-2", [item(HEARTBEAT, "300", "= 300", "300", "ok", now="300",
                                                       confirmed=True)]),
    }
    dialog = config_tools.ResultsDialog(parent, "Operator", outcomes)
    cells = [[dialog.table.item(r, c).text() for c in range(dialog.table.columnCount())]
             for r in range(dialog.table.rowCount())]
    assert [c[:2] + [c[4]] for c in cells] == [
        ["CP-1", HEARTBEAT, "Accepted"], ["CP-1", "OCPPCommCtrlr.WebSocketPingInterval", "no answer"],
        ["CP-1", "TxCtrlr.EVConnectionTimeOut", "not sent: the value does not fit"],
        ["CP-1", "", "failed"], ["CP-2", HEARTBEAT, "already so"]]
    assert "flash write failed" in cells[3][5] and "the charger failed" in cells[1][5]
    assert cells[2][5].startswith("TxCtrlr.EVConnectionTimeOut takes a whole number")  # why it was refused
    assert "Failed on CP-1" in dialog.summary.text() and "1 value(s) do not fit" in dialog.summary.text()
    lines = list(csv.reader(io.StringIO(dialog.csv())))
    assert lines[4][:1] + lines[4][5:6] == ["CP-1", "failed"] and "flash write failed" in lines[4][7]
    if SHOTS:
        dialog.resize(1100, 300)
        dialog.grab().save(f"{SHOTS}/results-failed.png")


def test_the_report_choice_reads_an_inventory_or_a_report_with_criteria(qtbot, window, no_modal_dialog) -> None:
    demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    assert page.report.isVisible() and not page.report.component.isVisible()
    page.report.set_report("GetReport", ("Enabled",))
    assert page.report.component.isVisible() and page.report.criteria_button.text() == "Criteria: Enabled"
    page.refresh()
    until(qtbot, lambda: not page.busy_with and "Report (criteria Enabled)" in page.result.text(), no_modal_dialog)
    groups = {r.group for r in page.rows()}
    assert "AuthCtrlr" in groups and "OCPPCommCtrlr" not in groups
    page.report.set_report("GetReport", (), "OCPPCommCtrlr")
    page.refresh()
    until(qtbot, lambda: not page.busy_with and "component OCPPCommCtrlr" in page.result.text(), no_modal_dialog)
    assert {r.group for r in page.rows()} == {"OCPPCommCtrlr"}
    page.report.set_report("ConfigurationInventory")
    page.refresh()
    until(qtbot, lambda: not page.busy_with and "Configuration inventory" in page.result.text(), no_modal_dialog)
    assert page.rows() and all(r.mutability != "ReadOnly" for r in page.rows())
    page.report.set_report("GetReport")
    page.refresh()
    until(qtbot, lambda: "needs a criterion or a component" in window.message_bar.text.text(), no_modal_dialog)
    if SHOTS:
        page.report.set_report("GetReport", ("Enabled", "Problem"), "EVSE")
        QtWidgets.QApplication.processEvents()  # the row lays out its new width before the picture
        window.grab().save(f"{SHOTS}/configure-report-choice.png")
