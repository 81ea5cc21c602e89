"""The Configure page's tools over real websockets with the demo chargers: snapshots and the
diff, a template's dry run and its results per charger, export and import, the charger's own
password, and the reboot a RebootRequired answer asks for."""

from __future__ import annotations

import json

from app.ui import configure_page
from tests.ui.conftest import wait
from tests.ui.test_workspace import configure, demo, edit, value_of, window  # noqa: F401 (fixture)

HEARTBEAT = "OCPPCommCtrlr.HeartbeatInterval"


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
    assert all(isinstance(o, list) for o in results.outcomes.values())
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


def test_reboot_required_offers_a_reboot_and_reads_again(qtbot, window) -> None:
    charger_id = demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    page.ask = lambda *a: True
    edit(page, "OCPPCommCtrlr.NetworkProfileConnectionAttempts", "4")
    wait(qtbot, lambda: not page.busy_with and value_of(page, "OCPPCommCtrlr.NetworkProfileConnectionAttempts") == "4",
         timeout=10_000)
    if not page.tools.reboot_bar.isVisible():  # the virtual charger may take it at once: ask it to reboot anyway
        page.tools.reboot_needed(charger_id)
    assert page.tools.reboot_bar.isVisible() and page.tools.reboot_button.isEnabled()
    page.tools.reboot_button.click()
    wait(qtbot, lambda: not page.tools.reboot_bar.isVisible() and not page.busy_with, timeout=30_000)
    assert "rebooted and its settings were read again" in window.message_bar.text.text()
    assert value_of(page, "OCPPCommCtrlr.NetworkProfileConnectionAttempts") == "4"
