"""The Charging page's actions on real demo chargers over websockets: a test charge as one action
(recorded as a step of a run), a current limit set, verified and seen obeyed, cleared, and a site
limit shared by two chargers."""

from __future__ import annotations

import os

import pytest

from app.domain import runs
from tests.ui.conftest import wait
from tests.ui.test_charging_page import demo, window  # noqa: F401 (the fixture: a 1366x768 window)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_a_test_charge_is_one_action_and_a_step_of_a_run(qtbot, window, version) -> None:  # noqa: F811
    charger_id = demo(qtbot, window, version)
    box = window.charging.toolbox.test_charge
    assert box.start_button.isEnabled()
    box.start_button.click()
    wait(qtbot, lambda: box.progress.isVisible())
    wait(qtbot, lambda: not box.busy, timeout=60_000)
    assert "Test charge passed" in box.result.text() and "kWh" in box.result.text(), box.result.text()
    run = window.core.runs.get(window.commission.run.id)
    assert run.charger_id == charger_id and run.template == "test-charge"
    assert run.outcome is runs.Outcome.PASSED  # the whole "Test charge" run: its report says passed
    step = run.step("test_charge")
    assert step.state is runs.StepState.PASSED
    assert {v.name for v in step.values} >= {"energy delivered", "peak power", "duration"}
    assert not window.core.engine.registry.chargers[charger_id].transactions  # stopped again
    # Again: the same run's step, run afresh, not a second run.
    box.start_button.click()
    wait(qtbot, lambda: box.busy)
    wait(qtbot, lambda: not box.busy, timeout=60_000)
    assert [r.id for r in window.core.runs.list(charger_id)] == [run.id]
    # Busy with the Commission page's checks: it says why nothing happens, nothing is lost.
    window.commission._busy.add(charger_id)
    box.start_button.click()
    wait(qtbot, lambda: "wait for them to end" in box.result.text())
    window.commission._busy.discard(charger_id)


def test_a_limit_is_verified_obeyed_and_cleared(qtbot, window) -> None:  # noqa: F811
    demo(qtbot, window, "2.0.1")
    limit = window.charging.toolbox.limit
    window.charging.toolbox.setCurrentWidget(limit)
    limit.limit.setValue(10)
    limit.set_button.click()
    wait(qtbot, lambda: not limit.busy and "composite" in limit.result.text(), timeout=20_000)
    assert "10 A" in limit.result.text() and "#2e7d32" in limit.result.text(), limit.result.text()
    window.detail.buttons["start_charge"].click()  # a charge to judge
    wait(qtbot, lambda: any(window.core.engine.registry.chargers[c].transactions
                            for c in window.core.engine.registry.chargers), timeout=10_000)
    limit.observe_button.click()
    wait(qtbot, lambda: not limit.busy and "obey" in limit.result.text(), timeout=60_000)
    assert "obeys the limit" in limit.result.text(), limit.result.text()
    limit.list_button.click()
    wait(qtbot, lambda: not limit.busy and "ChargingStationMaxProfile" in limit.result.text(), timeout=20_000)
    limit.clear_button.click()
    wait(qtbot, lambda: not limit.busy and "ClearChargingProfile: Accepted" in limit.result.text(), timeout=20_000)
    if os.environ.get("COMMISSIONER_SCREENSHOTS"):
        window.grab().save(os.path.join(os.environ["COMMISSIONER_SCREENSHOTS"], "charging-limit.png"))


def test_two_chargers_share_a_site_limit(qtbot, window) -> None:  # noqa: F811
    first = demo(qtbot, window, "1.6")
    second = demo(qtbot, window, "2.0.1")
    balance = window.charging.toolbox.balance
    wait(qtbot, lambda: balance.chargers.count() == 2)
    for i in range(balance.chargers.count()):
        balance.chargers.item(i).setCheckState(balance.chargers.item(i).checkState().Checked)
    assert sorted(balance.ticked()) == sorted([first, second])
    balance.site_limit.setValue(20)
    balance.run_button.click()
    wait(qtbot, lambda: not balance.busy and "site limit" in balance.result.text(), timeout=90_000)
    text = balance.result.text()
    assert "10 A each" in text and "No charger drew current" in text, text
    balance.clear_button.click()
    wait(qtbot, lambda: not balance.busy and "ClearChargingProfile" in balance.result.text(), timeout=20_000)
    assert balance.result.text().count("Accepted") == 2


def test_the_charging_page_fits_a_laptop_whichever_tab_is_open(qtbot, window) -> None:  # noqa: F811
    demo(qtbot, window, "2.0.1")
    tools = window.charging.toolbox
    for index in range(tools.count()):
        tools.setCurrentIndex(index)
        smallest = window.minimumSizeHint()
        assert smallest.width() <= 1366 and smallest.height() <= 728, (tools.tabText(index), smallest)
        wait(qtbot, lambda: window.charging.plot.height() >= 250)  # at 1366x768 the plot stays readable
