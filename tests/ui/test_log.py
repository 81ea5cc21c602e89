"""The frame log: a Qt model over the real journal, its filters, live tail, exports and details."""

from __future__ import annotations

import csv
import json
import pathlib
import re
from typing import Callable, Iterator

import pytest
from PySide6 import QtCore, QtWidgets
from websockets.sync.client import connect

from app.domain import model
from app.services import frame_export
from app.storage import journal as storage_journal
from app.ui import log_view, log_model
from tests.ui.conftest import wait

# Any shown window with a minimum size makes the offscreen platform say this; it is not our warning.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

CHARGERS = ("CP-NORTH-01", "CP-SOUTH-02", "DEPOT-BAY-17")
WARNING = "meterValue[0].sampledValue[0]: 'unit' missing; timestamp is in the future"
BOOT = ('[2,"b1","BootNotification",{"chargePointVendor":"ACME","chargePointModel":"Wallbox 22",'
        '"firmwareVersion":"1.4.2"}]')


def mixed_frames(n: int = 200, t0: int = 1_767_261_600_000, start: int = 0) -> list[model.Frame]:
    """Boot, then heartbeats, status, meter values with warnings, CALLERRORs and a bad frame."""
    frames = [] if start else [
        model.Frame("CP-NORTH-01", model.Direction.IN, t0, 2, "BootNotification", "b1", BOOT),
        model.Frame("CP-NORTH-01", model.Direction.OUT, t0 + 3, 3, "BootNotification", "b1",
                    '[3,"b1",{"status":"Accepted","currentTime":"2026-01-01T10:00:00Z","interval":300}]', 2.7)]
    for i in range(start, start + n):
        cid, ts, kind = CHARGERS[i % 3], t0 + 10 + i * 500, i % 10
        if kind == 3:
            frames += [model.Frame(cid, model.Direction.IN, ts, 2, "StatusNotification", f"s{i}",
                                   f'[2,"s{i}","StatusNotification",{{"connectorId":1,"status":"Charging"}}]'),
                       model.Frame(cid, model.Direction.OUT, ts + 2, 3, "StatusNotification", f"s{i}",
                                   f'[3,"s{i}",{{}}]', 1.9)]
        elif kind == 5:
            frames.append(model.Frame(cid, model.Direction.IN, ts, 2, "MeterValues", f"m{i}",
                                      f'[2,"m{i}","MeterValues",{{"connectorId":1,"meterValue":[]}}]',
                                      warnings=WARNING))
        elif kind == 7:
            frames += [model.Frame(cid, model.Direction.OUT, ts, 2, "ChangeConfiguration", f"c{i}",
                                   f'[2,"c{i}","ChangeConfiguration",{{"key":"HeartbeatInterval","value":"60"}}]'),
                       model.Frame(cid, model.Direction.IN, ts + 40, 4, "ChangeConfiguration", f"c{i}",
                                   f'[4,"c{i}","NotSupported","Key is read-only",{{}}]', 40.2)]
        elif kind == 9:
            frames.append(model.Frame(cid, model.Direction.IN, ts, 0, "", "", '[2,"x", "Heartbeat", {broken',
                                      warnings="not valid JSON"))
        else:
            frames += [model.Frame(cid, model.Direction.IN, ts, 2, "Heartbeat", f"h{i}", f'[2,"h{i}","Heartbeat",{{}}]'),
                       model.Frame(cid, model.Direction.OUT, ts + 1, 3, "Heartbeat", f"h{i}",
                                   f'[3,"h{i}",{{"currentTime":"2026-01-01T10:00:00.000Z"}}]', 0.8)]
    return frames


def write(journal: storage_journal.Journal, frames: list[model.Frame]) -> None:
    for frame in frames:
        journal.append(frame)
    assert journal.flush()


@pytest.fixture
def journal(tmp_path: pathlib.Path) -> Iterator[storage_journal.Journal]:
    j = storage_journal.Journal(tmp_path)
    yield j
    j.close()


@pytest.fixture
def frames(journal: storage_journal.Journal) -> list[model.Frame]:
    data = mixed_frames()
    write(journal, data)
    for frame_id, frame in enumerate(data, 1):
        frame.id = frame_id
    return data


@pytest.fixture
def shown(qtbot) -> Iterator[Callable[[pathlib.Path], log_view.LogView]]:
    """A LogView in a shown main window, as on the app's Messages page."""
    windows = []

    def make(journal_path: pathlib.Path) -> log_view.LogView:
        window = QtWidgets.QMainWindow()
        qtbot.addWidget(window)
        windows.append(window)  # qtbot only holds a weak reference
        dock = log_view.LogView(journal_path, window)
        window.setCentralWidget(dock)
        window.resize(1200, 700)
        window.show()
        return dock

    yield make
    for window in windows:
        window.close()


@pytest.fixture
def dock(journal, frames, shown) -> log_view.LogView:
    d = shown(journal.path)
    d.model.finish_loading()
    return d


def shown_ids(m: log_model.FrameLogModel) -> list[int]:
    return [m.frame_id(r) for r in range(m.rowCount())]


def cell(m: log_model.FrameLogModel, row: int, column: int, role=QtCore.Qt.ItemDataRole.DisplayRole):
    return m.data(m.index(row, column), role)


def is_problem(f: model.Frame) -> bool:
    return f.message_type in (0, 4, 5) or bool(f.warnings)


# ---------------------------------------------------------------------------- rows and details


def test_rows_appear_with_their_columns(dock, frames) -> None:
    m = dock.model
    assert shown_ids(m) == [f.id for f in frames]
    assert m.total() == len(frames)
    M = log_model.FrameLogModel
    boot = m.row_of(1)
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.000", cell(m, boot, M.TIME))
    assert [cell(m, boot, c) for c in (M.CHARGER, M.DIRECTION, M.TYPE, M.ACTION, M.LATENCY)] == [
        "CP-NORTH-01", "→ CSMS", "CALL", "BootNotification", ""]
    assert cell(m, boot, M.SUMMARY).startswith('{"chargePointVendor":"ACME"')
    assert cell(m, boot, M.DIRECTION, QtCore.Qt.ItemDataRole.ToolTipRole) == "charger → CSMS"
    answer = m.row_of(2)
    assert cell(m, answer, M.DIRECTION) == "← CSMS"
    assert cell(m, answer, M.LATENCY) == "2.7 ms"
    assert cell(m, boot, M.TYPE, QtCore.Qt.ItemDataRole.BackgroundRole) is None

    error = next(f for f in frames if f.message_type == 4)
    row = m.row_of(error.id)
    assert cell(m, row, M.TYPE) == "CALLERROR"
    assert cell(m, row, M.SUMMARY) == "NotSupported: Key is read-only"
    assert cell(m, row, M.TIME, QtCore.Qt.ItemDataRole.BackgroundRole) is not None
    bad = next(f for f in frames if f.message_type == 0)
    assert cell(m, m.row_of(bad.id), M.TYPE) == "BAD FRAME"
    warned = next(f for f in frames if f.warnings and f.message_type == 2)
    row = m.row_of(warned.id)
    assert cell(m, row, M.ACTION, QtCore.Qt.ItemDataRole.BackgroundRole) is not None
    assert "timestamp is in the future" in cell(m, row, M.SUMMARY, QtCore.Qt.ItemDataRole.ToolTipRole)
    assert cell(m, row, M.SUMMARY).startswith("⚠ meterValue[0].sampledValue[0]: 'unit' missing · ")

    assert m.chargers() == sorted(CHARGERS)
    assert m.actions() == sorted({f.action for f in frames if f.action})
    assert [dock.charger_combo.itemText(i) for i in range(dock.charger_combo.count())] == [
        "All chargers", *sorted(CHARGERS)]
    assert dock.status_label.text() == f"{len(frames)} frames shown (of {len(frames)})"


def test_selected_boot_notification_is_pretty_printed(qtbot, dock, frames) -> None:
    dock.view.selectRow(dock.model.row_of(1))
    text = dock.detail.toPlainText()
    assert '\n  "chargePointVendor": "ACME",\n' in text
    assert json.loads(text) == json.loads(BOOT)
    assert "BootNotification" in dock.detail_header.text()
    assert dock.warnings_label.isHidden()
    assert dock.model.payload(dock.model.row_of(1)) == BOOT

    warned = next(f for f in frames if f.warnings and f.message_type == 2)
    dock.view.selectRow(dock.model.row_of(warned.id))
    assert not dock.warnings_label.isHidden()
    assert dock.warnings_label.text() == "⚠ meterValue[0].sampledValue[0]: 'unit' missing\n⚠ timestamp is in the future"

    bad = next(f for f in frames if f.message_type == 0)
    dock.view.selectRow(dock.model.row_of(bad.id))
    assert dock.detail.toPlainText() == bad.payload  # invalid JSON: as received
    assert "not valid JSON" in dock.detail_header.text()


# ---------------------------------------------------------------------------- filters


def test_filters_narrow_the_rows_exactly(qtbot, dock, frames) -> None:
    m = dock.model

    def check(predicate) -> None:
        m.finish_loading()
        assert shown_ids(m) == [f.id for f in frames if predicate(f)]
        assert dock.status_label.text() == f"{m.rowCount()} frames shown (of {len(frames)})"

    dock.set_charger_filter("DEPOT-BAY-17")
    check(lambda f: f.charger_id == "DEPOT-BAY-17")
    dock.action_combo.setCurrentIndex(dock.action_combo.findData("Heartbeat"))
    check(lambda f: f.charger_id == "DEPOT-BAY-17" and f.action == "Heartbeat")
    dock.direction_combo.setCurrentIndex(dock.direction_combo.findData("out"))
    check(lambda f: f.charger_id == "DEPOT-BAY-17" and f.action == "Heartbeat" and f.direction == model.Direction.OUT)
    dock.set_charger_filter(None)
    dock.action_combo.setCurrentIndex(0)
    dock.direction_combo.setCurrentIndex(0)
    check(lambda f: True)
    dock.errors_only.setChecked(True)
    check(is_problem)
    dock.direction_combo.setCurrentIndex(dock.direction_combo.findData("in"))
    check(lambda f: is_problem(f) and f.direction == model.Direction.IN)
    dock.errors_only.setChecked(False)
    dock.direction_combo.setCurrentIndex(0)

    dock.search_edit.setText("read-ONLY")  # case-insensitive, applied after a pause in typing
    wait(qtbot, lambda: m.rowCount() == sum("read-only" in f.payload for f in frames))
    check(lambda f: "read-only" in f.payload)
    dock.search_edit.setText('"s1')  # quotes and digits are literal
    dock.apply_filters()
    check(lambda f: '"s1' in f.payload)
    dock.search_edit.setText("100%_")  # LIKE wildcards are escaped
    dock.apply_filters()
    check(lambda f: False)
    dock.search_edit.clear()
    dock.apply_filters()
    check(lambda f: True)


def test_filter_change_keeps_the_selected_frame(qtbot, dock, frames) -> None:
    error = next(f for f in frames if f.message_type == 4 and f.charger_id == "CP-SOUTH-02")
    dock.set_charger_filter("CP-SOUTH-02")
    dock.view.selectRow(dock.model.row_of(error.id))
    dock.set_charger_filter(None)  # to see what happened around it
    dock.model.finish_loading()
    current = dock.view.currentIndex()
    assert dock.model.frame_id(current.row()) == error.id
    assert "NotSupported" in dock.detail.toPlainText()
    assert not dock.follow.isChecked()  # it stays in view instead of the newest rows
    assert dock.view.viewport().rect().contains(dock.view.visualRect(current).center())


# ---------------------------------------------------------------------------- live tail


def test_refresh_appends_incrementally_without_a_reset(qtbot, dock, journal, frames) -> None:
    m = dock.model
    resets, inserted = [], []
    m.modelReset.connect(lambda: resets.append(1))
    m.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    before = m.rowCount()
    more = mixed_frames(50, start=200)
    for frame_id, frame in enumerate(more, len(frames) + 1):
        frame.id = frame_id
    write(journal, more)
    dock._last_refresh = 0.0  # the previous refresh is long past: this one runs at once
    dock.on_frames_arrived(len(more))
    assert resets == []
    assert inserted == [(before, before + len(more) - 1)]
    assert shown_ids(m) == list(range(1, len(frames) + len(more) + 1))
    assert m.total() == len(frames) + len(more)
    assert dock.model.refresh() == 0  # nothing new: nothing inserted

    dock.errors_only.setChecked(True)  # with a filter, only matching newcomers are appended
    later = mixed_frames(30, start=250)
    write(journal, later)
    dock.on_frames_arrived(len(later))
    expected = [f.id for f in frames + more if is_problem(f)] + [
        len(frames) + len(more) + i + 1 for i, f in enumerate(later) if is_problem(f)]
    wait(qtbot, lambda: shown_ids(m) == expected)


def test_bursts_of_batches_are_coalesced(qtbot, dock, journal, frames, monkeypatch) -> None:
    refreshes = []
    real_refresh = dock.model.refresh
    monkeypatch.setattr(dock.model, "refresh", lambda: refreshes.append(1) or real_refresh())
    added = 0
    for n in range(10):  # ten batches in one event-loop turn, as a busy bench delivers them
        batch = mixed_frames(5, start=200 + 5 * n)
        for frame in batch:
            journal.append(frame)
        added += len(batch)
    assert journal.flush()
    dock._last_refresh = 0.0
    for _ in range(10):
        dock.on_frames_arrived(5)
    # one refresh now, the other nine calls fold into the throttle and straggler timers
    assert len(refreshes) == 1
    assert dock.model.rowCount() == len(frames) + added
    wait(qtbot, lambda: not dock._throttle_timer.isActive() and not dock._straggler_timer.isActive())
    assert len(refreshes) <= 3
    assert shown_ids(dock.model) == list(range(1, len(frames) + added + 1))


def test_follow_scrolls_to_the_newest_and_user_scroll_stops_it(qtbot, dock, journal, frames) -> None:
    bar = dock.view.verticalScrollBar()
    assert dock.follow.isChecked()
    write(journal, mixed_frames(100, start=200))
    dock.on_frames_arrived(1)
    wait(qtbot, lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    bottom = dock.view.rowAt(dock.view.viewport().height() - 2)
    assert bottom == dock.model.rowCount() - 1

    bar.triggerAction(bar.SliderAction.SliderPageStepSub)  # the technician scrolls up to read
    wait(qtbot, lambda: not dock.follow.isChecked())
    value = bar.value()
    write(journal, mixed_frames(100, start=300))
    dock.on_frames_arrived(1)
    assert bar.value() == value  # the rows being read stay put
    dock.follow.setChecked(True)
    assert bar.value() == bar.maximum()


def test_cap_keeps_the_newest_rows(qtbot, journal, frames) -> None:
    m = log_model.FrameLogModel(journal.path, max_rows=100)
    m.finish_loading()
    assert shown_ids(m) == [f.id for f in frames[-100:]]
    assert m.capped and not m.loading
    write(journal, mixed_frames(40, start=200))
    m.refresh()  # past cap + slack: the oldest rows go
    assert shown_ids(m) == list(range(m.last_id - 99, m.last_id + 1))
    assert m.data(m.index(0, m.CHARGER)) in CHARGERS
    m.close()


def test_a_journal_that_does_not_exist_yet_is_picked_up_later(qtbot, tmp_path, shown) -> None:
    dock = shown(tmp_path / "later" / storage_journal.FILE_NAME)  # e.g. the CSMS could not start
    assert dock.model.rowCount() == 0
    assert dock.status_label.text() == "0 frames shown (of 0)"
    (tmp_path / "later").mkdir()
    journal = storage_journal.Journal(tmp_path / "later")
    try:
        write(journal, mixed_frames(10))
        dock.on_frames_arrived(1)
        dock.model.finish_loading()
        assert dock.model.rowCount() == len(mixed_frames(10))
        wait(qtbot, lambda: dock.charger_combo.count() == 1 + len(CHARGERS))
    finally:
        dock.model.close()
        journal.close()


def test_right_to_left_points_arrows_away_from_the_charger(qtbot, dock) -> None:
    dock.setLayoutDirection(QtCore.Qt.LayoutDirection.RightToLeft)
    assert cell(dock.model, dock.model.row_of(1), log_model.FrameLogModel.DIRECTION) == "CSMS ←"
    dock.setLayoutDirection(QtCore.Qt.LayoutDirection.LeftToRight)
    assert cell(dock.model, dock.model.row_of(1), log_model.FrameLogModel.DIRECTION) == "→ CSMS"


# ---------------------------------------------------------------------------- export


def test_export_the_filtered_view_as_jsonl_and_csv(qtbot, tmp_path, dock, frames) -> None:
    dock.set_charger_filter("CP-SOUTH-02")
    dock.errors_only.setChecked(True)
    expected = [f for f in frames if f.charger_id == "CP-SOUTH-02" and is_problem(f)]
    assert expected

    with qtbot.waitSignal(dock.export_finished, timeout=10_000) as done:
        dock.export_to(tmp_path / "view.jsonl", "jsonl")
    assert done.args == [str(tmp_path / "view.jsonl"), len(expected)]
    records = [json.loads(line) for line in (tmp_path / "view.jsonl").read_text("utf-8").splitlines()]
    assert [(r["id"], r["charger_id"], r["direction"], r["ts_ms"], r["message_type"], r["action"], r["unique_id"],
             r["payload"], r["latency_ms"], r["warnings"]) for r in records] == [
        (f.id, f.charger_id, f.direction.value, f.ts_ms, f.message_type, f.action, f.unique_id, f.payload,
         f.latency_ms, f.warnings) for f in expected]
    assert {r["type"] for r in records} == {"CALLERROR", "CALL", "BAD FRAME"}

    with qtbot.waitSignal(dock.export_finished, timeout=10_000):
        future = dock.export_to(tmp_path / "view.csv", "csv")
    assert future.result(0) == len(expected)
    with open(tmp_path / "view.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(frame_export.FIELDS)
    assert [(int(r["id"]), r["charger_id"], r["payload"], r["warnings"]) for r in rows] == [
        (f.id, f.charger_id, f.payload, f.warnings) for f in expected]
    assert not list(tmp_path.glob("*.part"))
    assert dock.export_button.isEnabled() and dock.export_progress.isHidden()


def test_export_covers_rows_beyond_the_cap(qtbot, tmp_path, journal, frames) -> None:
    m = log_model.FrameLogModel(journal.path, max_rows=10)
    m.finish_loading()
    assert m.rowCount() == 10
    written = frame_export.export_frames(journal.path, m.filter, m.last_id, tmp_path / "all.jsonl", "jsonl")
    assert written == len(frames)
    m.close()


def test_export_of_frames_the_view_has_not_seen_yet_stops_at_its_newest(qtbot, tmp_path, dock, journal,
                                                                         frames) -> None:
    write(journal, mixed_frames(20, start=200))  # journaled, but no refresh: not shown
    with qtbot.waitSignal(dock.export_finished, timeout=10_000) as done:
        dock.export_to(tmp_path / "shown.jsonl", "jsonl")
    assert done.args[1] == len(frames) == dock.model.rowCount()


# ---------------------------------------------------------------------------- real engine


def test_frames_from_a_real_charger_appear_live(qtbot, bridge, engine_thread, shown) -> None:
    dock = shown(engine_thread.journal.path)
    bridge.frames_arrived.connect(dock.on_frames_arrived)
    with connect(f"ws://127.0.0.1:{engine_thread.server.port}/LOG-1", subprotocols=["ocpp1.6"]) as ws:
        ws.send('[2,"b","BootNotification",{"chargePointVendor":"ACME","chargePointModel":"X"}]')
        assert json.loads(ws.recv(5))[2]["status"] == "Accepted"
        for n in range(20):
            ws.send(f'[2,"h{n}","Heartbeat",{{}}]')
            ws.recv(5)
        ws.send('[2,"x","Heartbeat",{broken')  # a bad frame, answered with a CALLERROR
        ws.recv(5)
    wait(qtbot, lambda: dock.model.rowCount() == 46)
    m = dock.model
    types = [cell(m, r, m.TYPE) for r in range(m.rowCount())]
    # The connection and its end are in the log, around the frames.
    assert types[0] == "EVENT" and cell(m, 0, m.ACTION) == "Connected"
    assert types[1:3] == ["CALL", "CALLRESULT"] and cell(m, 1, m.ACTION) == "BootNotification"
    assert types[-3:] == ["BAD FRAME", "CALLERROR", "EVENT"] and cell(m, m.rowCount() - 1, m.ACTION) == "Disconnected"
    assert {cell(m, r, m.CHARGER) for r in range(m.rowCount())} == {"LOG-1"}
    wait(qtbot, lambda: dock.charger_combo.findData("LOG-1") > 0)
    dock.view.selectRow(2)
    assert json.loads(dock.detail.toPlainText())[2]["status"] == "Accepted"


# ---------------------------------------------------------------------------- volume


def test_100k_frames_load_filter_and_export(qtbot, tmp_path, journal, shown) -> None:
    """Behaviour at volume; how fast it is belongs to benchmarks/gui_lag.py, not to a test."""
    data = mixed_frames(60_000)
    data = data[:100_000]
    write(journal, data)
    dock = shown(journal.path)
    assert 0 < dock.model.rowCount() < 100_000  # the newest at once, older ones step by step
    assert dock.model.loading
    dock.model.finish_loading()
    assert dock.model.rowCount() == 100_000
    assert dock.model.frame_id(99_999) == 100_000

    dock.set_charger_filter("CP-SOUTH-02")
    dock.model.finish_loading()
    assert dock.model.rowCount() == sum(f.charger_id == "CP-SOUTH-02" for f in data)

    bar = dock.view.verticalScrollBar()
    assert bar.value() == bar.maximum()  # Follow: the newest frame in view
    middle = dock.model.row_of(next(n for n, f in enumerate(data[50_000:], 50_001) if f.charger_id == "CP-SOUTH-02"))
    dock.view.selectRow(middle)
    dock.set_charger_filter(None)  # older rows are prepended step by step; the selection stays in view
    dock.model.finish_loading()
    current = dock.view.currentIndex()
    assert dock.model.frame_id(current.row()) > 50_000
    assert dock.view.viewport().rect().contains(dock.view.visualRect(current).center())

    dock.search_edit.setText("NotSupported")
    dock.apply_filters()
    dock.model.finish_loading()
    assert dock.model.rowCount() == sum("NotSupported" in f.payload for f in data)

    dock.search_edit.clear()
    dock.apply_filters()
    progress = []
    dock.export_progress.valueChanged.connect(progress.append)
    with qtbot.waitSignal(dock.export_finished, timeout=60_000):
        dock.export_to(tmp_path / "all.jsonl", "jsonl")
    with open(tmp_path / "all.jsonl", encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == 100_000
    assert progress[-1] == 100_000 and len(progress) > 10  # the bar moved along

    outcomes = []
    dock.export_failed.connect(lambda *a: outcomes.append(("failed", a)))
    dock.export_finished.connect(lambda *a: outcomes.append(("finished", a)))
    future = dock.export_to(tmp_path / "cancelled.csv", "csv")
    dock.cancel_export()
    # The button comes back in the same slot that would emit export_finished or export_failed.
    wait(qtbot, lambda: dock.export_button.isEnabled())
    assert outcomes == []
    assert isinstance(future.exception(0), frame_export.ExportCancelled)
    assert dock.export_label.text() == "Export cancelled."
    assert not (tmp_path / "cancelled.csv").exists() and not list(tmp_path.glob("*.part"))
