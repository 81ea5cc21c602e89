"""The test-tags editor: a wrong row is named, saving makes the CSMS answer from the tags at once,
and "Send to charger" puts them in the demo charger's local list (full, then only the changes)."""

from __future__ import annotations

import json

import pytest
from websockets.sync.client import connect

from app.ui import tags_panel
from tests.ui.conftest import wait
from tests.ui.test_main_window import _booted, window  # noqa: F401 (the fixture)


def _authorize(window, tag: str) -> dict:
    engine = window.core.engine
    with connect(f"ws://127.0.0.1:{engine.server.port}/TAGS-1", subprotocols=["ocpp1.6"]) as ws:
        ws.send(json.dumps([2, "a", "Authorize", {"idTag": tag}]))
        return json.loads(ws.recv(5))[2]["idTagInfo"]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_tags_are_checked_saved_answered_and_sent_to_the_charger(qtbot, window, version) -> None:  # noqa: F811
    window.start_demo(version)
    charger_id = {"1.6": "DEMO-16-01", "2.0.1": "DEMO-201-01"}[version]
    wait(qtbot, lambda: _booted(window, charger_id), timeout=10_000)
    panel = tags_panel.TagsPanel(window.core)
    qtbot.addWidget(panel)
    panel.set_bridge(window.bridge)
    panel.set_charger(window.chargers.charger(window.chargers.row_of(charger_id)))
    panel.add_tag("CARD-BLOCKED", "Blocked")
    panel.add_tag("CARD-OK")
    panel.table.item(1, tags_panel.EXPIRY).setText("next week")
    panel.save()
    wait(qtbot, lambda: "Row 2" in panel.result.text())
    assert "is not a time" in panel.result.text() and not window.core.settings.csms.id_tags
    panel.table.item(1, tags_panel.EXPIRY).setText("2030-01-01T00:00:00Z")
    panel.table.item(1, tags_panel.GROUP).setText("FLEET-1")
    panel.save()
    wait(qtbot, lambda: "Saved" in panel.result.text())
    assert window.core.settings.csms.id_tags == {
        "CARD-BLOCKED": {"status": "Blocked"},
        "CARD-OK": {"status": "Accepted", "expiry": "2030-01-01T00:00:00Z", "group": "FLEET-1"}}
    assert _authorize(window, "CARD-BLOCKED") == {"status": "Blocked"}
    assert _authorize(window, "CARD-OK")["parentIdTag"] == "FLEET-1"

    station = window.core.demo._running[charger_id][0].station
    panel.send()
    wait(qtbot, lambda: "took the full list" in panel.result.text(), timeout=10_000)
    assert set(station.local_list) == {"CARD-BLOCKED", "CARD-OK"}
    first = station.local_list_version
    panel.table.selectRow(0)
    panel.remove_selected()  # CARD-BLOCKED goes
    panel.scope.setCurrentIndex(1)  # only the changes
    panel.send()  # saves first: what the charger holds is what the CSMS answers
    wait(qtbot, lambda: "took the changes" in panel.result.text(), timeout=10_000)
    assert set(station.local_list) == {"CARD-OK"} and station.local_list_version == first + 1
    assert set(window.core.settings.csms.id_tags) == {"CARD-OK"}


def test_a_card_is_held_at_the_demo_charger(qtbot, window) -> None:  # noqa: F811
    window.start_demo("2.0.1")
    charger_id = "DEMO-201-01"
    wait(qtbot, lambda: _booted(window, charger_id), timeout=10_000)
    window.charger_view.selectRow(window.chargers.row_of(charger_id))
    panel = window.charging.toolbox.tags
    panel.add_tag("CARD-BLOCKED", "Blocked")
    panel.add_tag("CARD-OK")
    assert panel.present_button.isVisibleTo(panel)  # a demo charger: it can be held there
    panel.table.selectRow(0)
    panel.present()  # saves first, then holds it
    wait(qtbot, lambda: "answered Blocked" in panel.result.text(), timeout=10_000)
    assert window.core.settings.csms.id_tags["CARD-BLOCKED"] == {"status": "Blocked"}
    panel.table.selectRow(1)
    panel.present()
    wait(qtbot, lambda: "answered Accepted and a session began" in panel.result.text(), timeout=10_000)
    wait(qtbot, lambda: window.core.engine.registry.chargers[charger_id].transactions, timeout=10_000)
    panel.present()
    wait(qtbot, lambda: "ended its own session" in panel.result.text(), timeout=10_000)
