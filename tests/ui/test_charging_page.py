"""The Charging page end to end: a demo charger over a real websocket charges, the page plots its real
meter values, shows the session, lists it once it ended, and exports it; plus its pure parts."""

from __future__ import annotations

import math
import os
import pathlib

import pytest
from PySide6 import QtWidgets

from app.domain import energy, metering, model
from app.services import sessions as session_service
from app.ui import charger_detail, charging_page, live_plot
from tests.ui.conftest import wait
from tests.ui.test_main_window import _booted, open_window


@pytest.fixture
def window(qtbot, qloop, isolated_data_dir):
    with open_window(qtbot, isolated_data_dir) as win:
        win.resize(1366, 768)
        win.show()
        yield win


def demo(qtbot, window, version: str = "1.6") -> str:
    """A demo charger sampling every 0.5 s, selected, its Charging page on show; its id."""
    core = window.core
    charger_id = core.engine.submit(core.demo.start(version, meter_interval=0.5)).result(10)
    wait(qtbot, lambda: _booted(window, charger_id), timeout=10_000)
    window.charger_view.selectRow(window.chargers.row_of(charger_id))
    window.workspace.show_page(window.charging)
    return charger_id


def charge(qtbot, window, version: str = "1.6") -> str:
    """A demo charger sampling every 0.5 s, selected, charging; its id."""
    charger_id = demo(qtbot, window, version)
    window.detail.buttons["start_charge"].click()
    wait(qtbot, lambda: "RemoteStart" in window.detail.result.text() and "Accepted" in window.detail.result.text(),
         timeout=10_000)
    return charger_id


def points(page: charging_page.ChargingPage, column: int) -> int:
    x, _y = page.plot.curves[column].getData()
    return 0 if x is None else len(x)


def width(page: charging_page.ChargingPage) -> float:
    low, high = page.plot.time_range()
    return high - low


def test_a_charge_is_plotted_live_shown_as_a_session_listed_when_it_ends_and_exported(
        qtbot, window, tmp_path, monkeypatch) -> None:
    charger_id = charge(qtbot, window)
    page = window.charging
    assert page.connector_combo.currentData() == "1"
    # The session box: the charger's real transaction, running.
    wait(qtbot, lambda: page.fields["transaction"].text() in window.detail.info.transactions, timeout=10_000)
    assert "running" in page.session_state.text()
    # The plot grows with the charger's meter values: power in kW, voltage, energy.
    wait(qtbot, lambda: points(page, live_plot.POWER) >= 3, timeout=10_000)
    before = points(page, live_plot.POWER)
    wait(qtbot, lambda: points(page, live_plot.POWER) > before, timeout=10_000)
    _x, power_kw = page.plot.curves[live_plot.POWER].getData()
    assert 5 < max(power_kw) < 12  # the demo's 11 kW wallbox, drawn in kW
    assert page.plot.curves[live_plot.VOLTAGE].isVisible() and page.plot.curves[live_plot.ENERGY].isVisible()
    # The demo wallbox sends Current.Import per line: three current lines, no phase-less one.
    wait(qtbot, lambda: all(page.plot.curves[line].isVisible() for line in (live_plot.L1, live_plot.L2, live_plot.L3)))
    assert not page.plot.curves[live_plot.CURRENT].isVisible()
    wait(qtbot, lambda: page.fields["live_power"].text().endswith(" kW") and page.fields["live_power"].text() != "0.0 kW")
    wait(qtbot, lambda: page.fields["energy"].text() not in ("—", "0.00 kWh"), timeout=10_000)
    shot = pathlib.Path(os.environ.get("COMMISSIONER_CHARGING_SHOT", tmp_path / "charging.png"))
    assert window.grab().save(str(shot))

    # The range chooser moves the time axis: 5 minutes, then the session (a few seconds, shown as a minute).
    assert 290 < width(page) < 320
    page.range_combo.setCurrentIndex(page.range_combo.findData("session"))
    page.follow()
    assert 55 < width(page) < 70
    session_start = page.current[(charger_id, "1")].started_ms / 1000
    assert abs(page.plot.time_range()[0] - session_start) < 3
    # Zooming by hand stops the following until asked back.
    page.plot.manual_range.emit()
    assert page.follow_button.isVisibleTo(page) and not page._follow
    page.follow_button.click()
    assert page._follow and not page.follow_button.isVisibleTo(page)

    # Stop: the sessions table lists the finished session with the energy the index assembled.
    transaction = page.fields["transaction"].text()
    window.detail.ask = lambda title, text: True
    wait(qtbot, lambda: window.detail.buttons["stop_charge"].isEnabled())
    window.detail.buttons["stop_charge"].click()
    wait(qtbot, lambda: not window.detail.info.transactions, timeout=10_000)
    sessions = page.sessions_model

    def listed() -> energy.Session | None:
        return next((s for s in sessions.sessions if s.transaction_id == transaction and s.stopped_ms), None)

    wait(qtbot, listed, timeout=10_000)
    window.core.engine.journal.flush()
    recorded = next(s for s in session_service.collect(window.core.engine.energy, charger_id=charger_id).sessions
                    if s.transaction_id == transaction)
    assert recorded.energy_wh and recorded.energy_wh > 0
    wait(qtbot, lambda: listed().energy_wh == pytest.approx(recorded.energy_wh), timeout=10_000)
    row = sessions.sessions.index(listed())
    assert sessions.index(row, 6).data() == charger_detail.kwh(recorded.energy_wh)
    assert sessions.index(row, 2).data() == transaction
    wait(qtbot, lambda: "Ended" in page.session_state.text())
    assert page.fields["energy"].text() == charger_detail.kwh(recorded.energy_wh)

    # Export: the folder the technician picks gets the sessions CSV with this session in it.
    monkeypatch.setattr(QtWidgets.QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(tmp_path)))
    notices: list[str] = []
    page.notice.connect(lambda kind, text: notices.append(text))
    page.export_button.click()
    wait(qtbot, lambda: notices, timeout=10_000)
    written = (tmp_path / f"{charger_id}-energy-sessions.csv").read_text(encoding="utf-8").splitlines()
    assert written[0].startswith("charger_id,connector,transaction_id")
    assert any(f",{transaction}," in line and line.startswith(charger_id) for line in written[1:])
    every = (tmp_path / f"{charger_id}-energy-meter-values.csv").read_text(encoding="utf-8").splitlines()
    assert len(every) > 3
    # Only the range on screen: its readings, in files named after it (the first export stays).
    page.plot.set_time_range(recorded.started_ms / 1000, recorded.started_ms / 1000 + 1.0)
    page.export_range.setCurrentIndex(1)
    notices.clear()
    page.export_button.click()
    wait(qtbot, lambda: notices, timeout=10_000)
    ranged = [p for p in tmp_path.glob(f"{charger_id}-energy-*Z-meter-values.csv")]
    assert len(ranged) == 1 and (tmp_path / f"{charger_id}-energy-meter-values.csv").exists()
    shown = ranged[0].read_text(encoding="utf-8").splitlines()
    assert 1 < len(shown) < len(every), (len(shown), len(every))

    # A page opened afterwards reads the charge back from the energy index.
    later = charging_page.ChargingPage(window.core)
    qtbot.addWidget(later)
    later.set_bridge(window.bridge)
    later.set_charger(window.detail.info)
    wait(qtbot, lambda: (charger_id, "1") in later.series and later.series[(charger_id, "1")].n >= 3)
    assert later.current[(charger_id, "1")].transaction_id == transaction


def test_statuses_make_the_connector_timeline(qtbot, window) -> None:
    charger_id = charge(qtbot, window)
    page = window.charging
    wait(qtbot, lambda: any(s.status == "Charging" for s in page.strip.statuses), timeout=10_000)
    texts = [page.status_list.item(r).text() for r in range(page.status_list.count())]
    assert texts[0].endswith("Charging")  # newest first, with its time
    assert [s.status for s in page.statuses[(charger_id, "1")]][-1] == "Charging"


def test_a_series_keeps_time_order_grows_and_drops_its_oldest_quarter_when_full() -> None:
    series = live_plot.Series(capacity=512)
    for second in range(600):
        series.append(float(second), (1000.0 * second,) + (None,) * 8)
    assert series.n == 472 and series.times()[0] == 128.0  # full at 512: the oldest 128 went
    assert list(series.times()) == sorted(series.times())
    assert series.times()[-1] == 599.0
    series.append(300.5, (1.0,) + (None,) * 8)  # a late one lands in its place
    assert list(series.times()) == sorted(series.times())
    assert series.newest(live_plot.POWER) == 599_000.0
    assert series.peak(live_plot.POWER, 0, 400) == 400_000.0


def test_the_index_samples_become_one_row_per_time_and_connector() -> None:
    def sample(connector, ts, measurand, phase, value):
        return energy.Sample("CP", connector, "7", ts, measurand, phase, value, "", "Sample.Periodic", "", 1)

    found = charging_page.series_of([
        sample("1/1", 1000, metering.POWER, "", 7000.0),
        sample("1/1", 1000, metering.CURRENT, "L1", 10.0),
        sample("1/1", 1000, metering.CURRENT, "L2", 10.5),
        sample("1/1", 1000, metering.CURRENT, "", 10.5),  # a total beside the lines: the lines win
        sample("1/1", 1000, metering.VOLTAGE, "L1-N", 229.0),
        sample("1/1", 1000, metering.VOLTAGE, "L2-N", 231.0),
        sample("1/1", 2000, metering.ENERGY, "", 1500.0),
        sample("2/1", 2000, "Temperature", "", 40.0),  # not plotted
    ])
    assert set(found) == {"1"}
    series = found["1"]
    assert list(series.times()) == [1.0, 2.0]
    assert series.values[0, live_plot.POWER] == 7000.0 and series.values[0, live_plot.L2] == 10.5
    assert series.values[0, live_plot.VOLTAGE] == 230.0
    assert series.values[1, live_plot.ENERGY] == 1500.0
    assert math.isnan(series.values[0, live_plot.CURRENT])


def test_a_live_event_becomes_a_row_with_its_lines() -> None:
    event = model.MeterValuesReceived("CP", 5, "1", "7", 4, power_w=7000.0, current_a=10.3, current_l1_a=10.1,
                                      current_l3_a=10.3, current_offered_a=16.0, sampled_ms=4000)
    row = charging_page.row_of(event)
    assert row[live_plot.L1] == 10.1 and row[live_plot.L3] == 10.3 and row[live_plot.CURRENT] is None
    assert row[live_plot.CURRENT_OFFERED] == 16.0
    plain = charging_page.row_of(model.MeterValuesReceived("CP", 5, "1", "7", 1, current_a=9.0))
    assert plain[live_plot.CURRENT] == 9.0


def test_an_hour_is_thinned_to_the_pixels_and_keeps_its_spikes() -> None:
    import numpy as np

    times = np.arange(36_000) / 10.0  # an hour at 10 readings a second
    table = np.full((36_000, live_plot.COLUMNS), np.nan)
    table[:, live_plot.POWER] = 7000.0
    table[12_345, live_plot.POWER] = 11_000.0  # one spike
    table[20_000, live_plot.POWER] = 0.0  # one dip
    out_t, out = live_plot.thin(times, table, 800)
    assert len(out_t) == 1600 and out.shape == (1600, live_plot.COLUMNS)
    assert out[:, live_plot.POWER].max() == 11_000.0 and out[:, live_plot.POWER].min() == 0.0
    assert np.isnan(out[:, live_plot.VOLTAGE]).all()  # never sent: still nothing, no warning
    assert (np.diff(out_t) >= 0).all() and out_t[0] == 0.0 and out_t[-1] == times[-1]
    small_t, small = live_plot.thin(times[:100], table[:100], 800)
    assert small_t is not None and len(small_t) == 100  # fewer than the pixels: as they are
    lo, hi = live_plot.visible_slice(times, (1000.0, 1300.0))  # 5 minutes in the middle
    assert times[lo] <= 700.0 and times[hi - 1] >= 1600.0 and hi - lo < 9100  # 15 of the 60 minutes
    assert live_plot.visible_slice(times, None) == (0, 36_000)
