"""The Configure page's Hand over box, end to end: a demo charger in the window is handed to a
second CSMS (the operator's backend) over real websockets, and the box says it arrived."""

from __future__ import annotations

import pytest

from app.csms import engine as csms_engine
from app.domain import csms_policy
from tests.ui.conftest import wait
from tests.ui.test_workspace import configure, demo, window  # noqa: F401 (fixture)


@pytest.fixture
def operator(tmp_path):
    config = csms_policy.CsmsConfig(host="127.0.0.1", port=0, call_timeout=5.0, heartbeat_interval=60)
    (tmp_path / "operator").mkdir()
    engine = csms_engine.Engine(config, tmp_path / "operator")
    engine.start_in_thread()
    try:
        yield engine
    finally:
        engine.stop_thread()


def test_hand_over_a_2_0_1_charger_from_the_configure_page(qtbot, window, operator) -> None:  # noqa: F811
    charger_id = demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    panel = page.handover
    assert not panel.url.isVisible()  # folded until wanted
    panel.setChecked(True)
    assert panel.url.isVisible() and not panel.vendor.isVisible()  # 2.x: the network profile is standard, no vendor keys
    panel.url.setText(f"ws://127.0.0.1:{operator.server.port}/ocpp")
    panel.stay_away = 2.0
    page.ask = lambda *a: True
    panel.go_button.click()
    wait(qtbot, lambda: panel.last_result is not None, timeout=60_000)
    assert panel.last_result.ok, panel.last_result.text
    assert "did not come back" in panel.result.text() and "SetNetworkProfile" in panel.result.text()
    wait(qtbot, lambda: charger_id in operator.registry.chargers and operator.registry.chargers[charger_id].connected,
         timeout=30_000)


def test_a_1_6_charger_offers_its_vendor_profile_and_a_bad_url_is_explained(qtbot, window) -> None:  # noqa: F811
    demo(qtbot, window, "1.6")
    page = configure(qtbot, window)
    panel = page.handover
    panel.setChecked(True)
    assert panel.vendor.isVisible() and panel.vendor.currentData() == "commissioner-virtual"
    panel.url.setText("http://operator.example/ocpp")
    page.ask = lambda *a: pytest.fail("a bad URL must be refused before asking")
    panel.go_button.click()
    wait(qtbot, lambda: "not an OCPP backend address" in panel.result.text())
    panel.vendor.setCurrentIndex(panel.vendor.findData("generic"))
    assert panel.url_key.isVisible()  # the generic profile: the technician names the key
