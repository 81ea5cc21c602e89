"""The Charging page: one charger's connector (1.6) or EVSE (2.x) while it charges, and its sessions.

Live: every MeterValuesReceived of every charger goes into that connector's `live_plot.Series` (a
row write); a 10 Hz timer redraws only the connector on screen, and only when something new
arrived. StatusChanged events make the connector's status timeline; TransactionChanged the
current session and a re-read of the sessions table.
History: on selecting a charger its samples and sessions are read from the energy index through
services.sessions, off the GUI thread (`history` and `listing`, set from the core; tests swap them).
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import pathlib
import re
import time
from typing import Any, Callable

import qasync
from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import display, energy, errors, metering, model
from app.services import sessions as session_service
from app.ui import bound, charger_detail, charger_list, charging_tools, job_view, live_plot

REDRAW_MS = 100  # at most 10 redraws a second, of the connector on screen only
MAX_STATUSES = 200  # per connector, newest kept
AGAIN_MS = 2000  # the sessions are read again this long after a start or an end
LAST_MINUTES = 5
RANGES = ("last", "session", "all")
SESSION_COLUMNS = ("Charger", "Connector", "Transaction", "Id token", "Started", "Duration", "Energy",
                   "Peak power", "Stopped because")
# Which Series column a sample of the index fills (measurand, phase) -> column; values in base units.
_COLUMN = {(metering.POWER, ""): live_plot.POWER, (metering.POWER_OFFERED, ""): live_plot.POWER_OFFERED,
           (metering.CURRENT, "L1"): live_plot.L1, (metering.CURRENT, "L2"): live_plot.L2,
           (metering.CURRENT, "L3"): live_plot.L3, (metering.CURRENT, ""): live_plot.CURRENT,
           (metering.CURRENT_OFFERED, ""): live_plot.CURRENT_OFFERED, (metering.VOLTAGE, ""): live_plot.VOLTAGE,
           (metering.ENERGY, ""): live_plot.ENERGY}


def meter_key(connector: str) -> str:
    """The connector a reading belongs to: 1.6 connector id, 2.x EVSE id ("1/2" -> "1"), as the registry."""
    return connector.split("/", 1)[0] if connector else "0"


def row_of(event: model.MeterValuesReceived) -> tuple:
    """An event's values as a Series row (the phase voltages arrive averaged: `voltage_v`)."""
    current = event.current_a if event.current_l1_a is None and event.current_l2_a is None \
        and event.current_l3_a is None else None
    return (event.power_w, event.power_offered_w, event.current_l1_a, event.current_l2_a, event.current_l3_a,
            current, event.current_offered_a, event.voltage_v, event.energy_wh)


def series_of(samples: list[energy.Sample]) -> dict[str, live_plot.Series]:
    """The index's samples as one Series per connector, a row per (connector, time)."""
    rows: dict[str, dict[int, list]] = collections.defaultdict(dict)
    voltages: dict[tuple[str, int], list[float]] = collections.defaultdict(list)
    for sample in samples:
        key = meter_key(sample.connector)
        if sample.measurand == metering.VOLTAGE and sample.phase:
            voltages[(key, sample.ts_ms)].append(sample.value)  # phase voltages: their mean, as the live event
            continue
        column = _COLUMN.get((sample.measurand, sample.phase[:2] if sample.measurand == metering.CURRENT else
                              sample.phase))
        if column is None:
            continue
        row = rows[key].setdefault(sample.ts_ms, [None] * live_plot.COLUMNS)
        row[column] = sample.value
    for (key, ts_ms), values in voltages.items():
        row = rows[key].setdefault(ts_ms, [None] * live_plot.COLUMNS)
        if row[live_plot.VOLTAGE] is None:
            row[live_plot.VOLTAGE] = sum(values) / len(values)
    found: dict[str, live_plot.Series] = {}
    for key, by_time in rows.items():
        series = found[key] = live_plot.Series()
        for ts_ms in sorted(by_time):
            row = by_time[ts_ms]
            if row[live_plot.CURRENT] is not None and any(row[c] is not None for c in (live_plot.L1, live_plot.L2,
                                                                                         live_plot.L3)):
                row[live_plot.CURRENT] = None  # per line when the charger says it
            series.append(ts_ms / 1000.0, tuple(row))
    return found


@dataclasses.dataclass
class Status:
    ts_ms: int
    status: str
    error_code: str = ""


class StatusStrip(QtWidgets.QWidget):
    """The connector's statuses as a coloured bar, oldest left, each as wide as it lasted."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.statuses: list[Status] = []
        self.setMinimumHeight(18)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)

    def set_statuses(self, statuses: list[Status]) -> None:
        self.statuses = statuses
        self.update()

    def paintEvent(self, _event: QtGui.QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QtGui.QPainter(self)
        rect = self.rect()
        painter.fillRect(rect, QtGui.QColor("#eeeeee"))
        if self.statuses:
            start, end = self.statuses[0].ts_ms, max(int(time.time() * 1000), self.statuses[-1].ts_ms + 1)
            width = rect.width() / max(1, end - start)
            for status, following in zip(self.statuses, self.statuses[1:] + [None]):
                left = rect.left() + (status.ts_ms - start) * width
                right = rect.left() + ((following.ts_ms if following else end) - start) * width
                painter.fillRect(QtCore.QRectF(left, rect.top(), max(2.0, right - left), rect.height()),
                                 charger_list.status_colour(status.status))
        painter.end()


class SessionsModel(QtCore.QAbstractTableModel):
    """Charging sessions, newest first."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.sessions: list[energy.Session] = []
        # A running session's figures so far, from the live readings: (charger, transaction) ->
        # (energy Wh, peak W, duration s); the index has them only as of its last catch-up.
        self.live: dict[tuple[str, str], tuple[float | None, float | None, float]] = {}

    def set_live(self, charger_id: str, transaction_id: str, figures: tuple[float | None, float | None, float]) -> None:
        self.live[(charger_id, transaction_id)] = figures
        for row, session in enumerate(self.sessions):
            if (session.charger_id, session.transaction_id) == (charger_id, transaction_id) and not session.stopped_ms:
                self.dataChanged.emit(self.index(row, 5), self.index(row, 7))

    def set_sessions(self, found: list[energy.Session]) -> None:
        self.beginResetModel()
        self.sessions = sorted(found, key=lambda s: (s.started_ms, s.transaction_id), reverse=True)
        self.endResetModel()

    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.sessions)

    def columnCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(SESSION_COLUMNS)

    def headerData(self, section: int, orientation: QtCore.Qt.Orientation,  # noqa: N802
                   role: int = QtCore.Qt.ItemDataRole.DisplayRole) -> Any:
        if role == QtCore.Qt.ItemDataRole.DisplayRole and orientation == QtCore.Qt.Orientation.Horizontal:
            return QtCore.QCoreApplication.translate("ChargingPage", SESSION_COLUMNS[section])
        return None

    def data(self, index: QtCore.QModelIndex, role: int = QtCore.Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != QtCore.Qt.ItemDataRole.DisplayRole:
            return None
        session = self.sessions[index.row()]
        translate = QtCore.QCoreApplication.translate
        energy_wh, peak_w, duration_s = session.energy_wh, session.peak_power_w, session.duration_s
        if not session.stopped_ms and (session.charger_id, session.transaction_id) in self.live:
            energy_wh, peak_w, duration_s = self.live[(session.charger_id, session.transaction_id)]
        return (display.safe(session.charger_id), session.connector, display.safe(session.transaction_id),
                display.safe(session.id_token) or "—", job_view.day_text(session.started_ms),
                duration_text(duration_s) + ("" if session.stopped_ms else translate("ChargingPage", " (running)")),
                charger_detail.kwh(energy_wh), charger_detail.kw(peak_w),
                display.safe(session.stop_reason) or ("" if session.stopped_ms else "—"))[index.column()]


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ChargingPage(QtWidgets.QWidget):
    error = QtCore.Signal(object)
    notice = QtCore.Signal(str, str)

    def __init__(self, core, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.bridge = None
        self.info: model.ChargerInfo | None = None
        # Blocking readers of the energy index, run in a worker thread: charger id -> its sessions and
        # samples; charger id or None (all) -> sessions.
        self.history: Callable[[str], session_service.Collected] = self._history
        self.listing: Callable[[str | None], list[energy.Session]] = self._listing
        self.series: dict[tuple[str, str], live_plot.Series] = {}
        self.statuses: dict[tuple[str, str], collections.deque[Status]] = {}
        self.current: dict[tuple[str, str], energy.Session] = {}  # the connector's running (or last) session
        self._transactions: dict[tuple[str, str], str] = {}  # (charger, transaction) -> connector key
        self._loaded: set[str] = set()  # chargers whose history is in the series
        self._dirty = True
        self._follow = True  # the view follows the newest readings (off once the technician zooms by hand)
        self._listing_again = False
        self._listing_busy = False

        layout = QtWidgets.QVBoxLayout(self)
        self.tools = QtWidgets.QVBoxLayout()  # the test charge, current limit, load balancing, test tags
        self.toolbox = charging_tools.Tools(core)
        self.toolbox.tags.error.connect(self.error)
        self.toolbox.tags.notice.connect(self.notice)
        self.tools.addWidget(self.toolbox)
        layout.addLayout(self.tools)
        bar = QtWidgets.QHBoxLayout()
        label = QtWidgets.QLabel(self.tr("Co&nnector:"))
        self.connector_combo = QtWidgets.QComboBox()
        self.connector_combo.setMinimumContentsLength(6)
        label.setBuddy(self.connector_combo)
        self.connector_combo.currentIndexChanged.connect(self._on_connector)
        bar.addWidget(label)
        bar.addWidget(self.connector_combo)
        bar.addSpacing(12)
        shown = QtWidgets.QLabel(self.tr("&Time range:"))
        self.range_combo = QtWidgets.QComboBox()
        shown.setBuddy(self.range_combo)
        self.range_combo.addItem(self.tr("Last {0} min").format(LAST_MINUTES), "last")
        self.range_combo.addItem(self.tr("This session"), "session")
        self.range_combo.addItem(self.tr("All"), "all")
        self.range_combo.activated.connect(self.follow)
        bar.addWidget(shown)
        bar.addWidget(self.range_combo)
        self.follow_button = QtWidgets.QPushButton(self.tr("Back to live"))
        self.follow_button.setToolTip(self.tr("You zoomed or moved the plot: follow the newest readings again"))
        self.follow_button.clicked.connect(self.follow)
        self.follow_button.hide()
        bar.addWidget(self.follow_button)
        self.hint = QtWidgets.QLabel()
        self.hint.setStyleSheet("color:#555;")
        self.hint.setWordWrap(True)  # a long hint must not hold the window wider than a laptop's screen
        self.hint.setMinimumWidth(1)
        bar.addWidget(self.hint, 1)
        layout.addLayout(bar)

        top = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        side = QtWidgets.QWidget()
        side_layout = QtWidgets.QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        box = QtWidgets.QGroupBox(self.tr("Session on this connector"))
        form = QtWidgets.QFormLayout(box)
        self.session_state = QtWidgets.QLabel()  # one short line: a wrapped one is cut in the scrolling panel
        form.addRow(self.session_state)
        self.fields: dict[str, QtWidgets.QLabel] = {}
        for name, text in (("live_power", self.tr("Power now")), ("energy", self.tr("Energy charged")),
                           ("duration", self.tr("Duration")), ("peak", self.tr("Peak power")),
                           ("transaction", self.tr("Transaction")), ("id_token", self.tr("Id token")),
                           ("started", self.tr("Started"))):
            value = QtWidgets.QLabel("—")
            value.setTextFormat(QtCore.Qt.TextFormat.PlainText)  # the charger chose the id token
            value.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[name] = value
            form.addRow(text, value)
        big = self.fields["live_power"].font()
        big.setPointSizeF(big.pointSizeF() * 1.4)
        big.setBold(True)
        self.fields["live_power"].setFont(big)
        self.fields["energy"].setFont(big)
        side_layout.addWidget(box)
        status_box = QtWidgets.QGroupBox(self.tr("Connector status"))
        status_layout = QtWidgets.QVBoxLayout(status_box)
        self.strip = StatusStrip()
        status_layout.addWidget(self.strip)
        self.status_list = QtWidgets.QListWidget()
        self.status_list.setToolTip(self.tr("What the charger said about this connector, newest first"))
        status_layout.addWidget(self.status_list, 1)
        side_layout.addWidget(status_box, 1)
        side.setMinimumWidth(230)
        # Scrolls rather than holds the window taller than a 1366x768 laptop's screen.
        side_scroll = QtWidgets.QScrollArea()
        side_scroll.setWidget(side)
        side_scroll.setWidgetResizable(True)
        side_scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        side_scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_scroll.setMinimumWidth(side.minimumWidth() + side_scroll.verticalScrollBar().sizeHint().width())
        top.addWidget(side_scroll)
        self.plot = live_plot.LivePlot()
        self.plot.manual_range.connect(self._on_manual_range)
        top.addWidget(self.plot)
        top.setStretchFactor(0, 0)
        top.setStretchFactor(1, 1)
        top.setSizes([250, 800])

        sessions_box = QtWidgets.QGroupBox(self.tr("Charging sessions"))
        sessions_layout = QtWidgets.QVBoxLayout(sessions_box)
        row = QtWidgets.QHBoxLayout()
        self.all_chargers = QtWidgets.QCheckBox(self.tr("All chargers"))
        self.all_chargers.toggled.connect(lambda _on: self.reload_sessions())
        row.addWidget(self.all_chargers)
        row.addStretch(1)
        self.export_range = QtWidgets.QComboBox()
        self.export_range.addItem(self.tr("Everything"), "all")
        self.export_range.addItem(self.tr("The time range on screen"), "shown")
        self.export_range.setToolTip(self.tr("What the export holds: every session and reading, or those of the "
                                             "time range the plot shows"))
        row.addWidget(self.export_range)
        self.export_button = QtWidgets.QPushButton(self.tr("E&xport to CSV…"))
        self.export_button.setToolTip(self.tr("The sessions and every meter value as CSV (and JSON), into a folder"))
        self.export_button.clicked.connect(self.export_csv)
        row.addWidget(self.export_button)
        sessions_layout.addLayout(row)
        self.sessions_model = SessionsModel(self)
        self.sessions_view = QtWidgets.QTableView()
        self.sessions_view.setModel(self.sessions_model)
        self.sessions_view.verticalHeader().hide()
        self.sessions_view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.sessions_view.setAlternatingRowColors(True)
        self.sessions_view.setWordWrap(False)
        self.sessions_view.setMinimumHeight(48)  # the splitter may give the plot the room first
        self.sessions_view.horizontalHeader().setStretchLastSection(True)
        self.sessions_view.horizontalHeader().setSectionResizeMode(
            QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        sessions_layout.addWidget(self.sessions_view)

        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(sessions_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([480, 160])
        layout.addWidget(split, 1)

        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._ticks = 0
        self.set_charger(None)

    # ------------------------------------------------------------------ readers (worker thread)

    def _index(self):
        engine = self.core.engine if self.core is not None else None
        if engine is None or getattr(engine, "energy", None) is None:
            raise errors.CsmsError(self.tr("The CSMS is not running: no charging history to show."),
                                   hint=self.tr("Check the port in Settings."))
        engine.journal.flush(timeout=2.0)  # the frames of the events just seen are in the index too
        return engine.energy

    def _history(self, charger_id: str) -> session_service.Collected:
        return session_service.collect(self._index(), charger_id=charger_id)

    def _listing(self, charger_id: str | None) -> list[energy.Session]:
        return session_service.sessions_of(self._index(), charger_id=charger_id)

    # ------------------------------------------------------------------ wiring

    def set_bridge(self, bridge) -> None:
        bound.follow_events(self.bridge, bridge, self.on_events)
        self.bridge = bridge
        self.toolbox.set_bridge(bridge)
        self._loaded.clear()  # a new engine: read the history again
        if self.info is not None:
            self.load_history(self.info.charger_id)

    def set_charger(self, info: model.ChargerInfo | None) -> None:
        switched = (info.charger_id if info else None) != (self.info.charger_id if self.info else None)
        self.info = info
        self.toolbox.set_charger(info)
        if info is not None:
            for transaction, connector in info.transactions.items():
                if connector:
                    self._transactions.setdefault((info.charger_id, transaction), meter_key(connector))
            for key, state in info.connectors.items():  # seen before this page was: its status now
                statuses = self.statuses.setdefault((info.charger_id, meter_key(key)),
                                                    collections.deque(maxlen=MAX_STATUSES))
                if not statuses and meter_key(key) != "0":
                    statuses.append(Status(state.updated_ms or int(time.time() * 1000), state.status,
                                           state.error_code))
        self._fill_connectors()
        if switched:
            self._follow = True
            self.follow_button.hide()
            if info is not None and info.charger_id not in self._loaded:
                self.load_history(info.charger_id)
            self.reload_sessions()
        self._dirty = True
        self._show_statuses()
        self._show_session()

    def _fill_connectors(self) -> None:
        keys: set[str] = set()
        if self.info is not None:
            charger = self.info.charger_id
            keys |= {meter_key(k) for k in self.info.connectors} | set(self.info.meters)
            keys |= {key for (c, key) in self.series if c == charger}
        keys.discard("0")  # 1.6 connector 0 is the whole charger: it does not charge
        ordered = sorted(keys, key=charger_list.connector_order) or (["1"] if self.info is not None else [])
        if ordered == [self.connector_combo.itemData(i) for i in range(self.connector_combo.count())]:
            return
        chosen = self.connector_combo.currentData()
        self.connector_combo.blockSignals(True)
        self.connector_combo.clear()
        version = self.info.ocpp_version if self.info is not None else ""
        for key in ordered:
            self.connector_combo.addItem(self.tr("EVSE {0}").format(key) if version.startswith("2") else key, key)
        at = ordered.index(chosen) if chosen in ordered else 0
        self.connector_combo.setCurrentIndex(at)
        self.connector_combo.blockSignals(False)
        if self.connector_combo.currentData() != chosen:
            self._on_connector()

    def key(self) -> tuple[str, str] | None:
        """(charger, connector) on screen."""
        if self.info is None or self.connector_combo.currentData() is None:
            return None
        return self.info.charger_id, self.connector_combo.currentData()

    def _on_connector(self, *_args: object) -> None:
        self._follow = True
        self.follow_button.hide()
        self._dirty = True
        self._show_statuses()
        self._show_session()

    # ------------------------------------------------------------------ history

    @qasync.asyncSlot(str)
    async def load_history(self, charger_id: str) -> None:
        self._loaded.add(charger_id)
        def read() -> tuple[session_service.Collected, dict[str, live_plot.Series]]:
            collected = self.history(charger_id)
            return collected, series_of(collected.samples)  # the conversion too: off the GUI thread

        try:
            collected, converted = await asyncio.to_thread(read)
        except errors.CommissionerError as exc:
            self._loaded.discard(charger_id)
            self.error.emit(exc)
            return
        for key, older in converted.items():
            live = self.series.get((charger_id, key))
            if live is not None and live.n:  # what arrived while reading: after the history's newest
                newest = older.t[older.n - 1] if older.n else float("-inf")
                for at in range(live.n):
                    if live.t[at] > newest:
                        older.append(float(live.t[at]), tuple(live.values[at]))
            self.series[(charger_id, key)] = older
        for session in collected.sessions:  # oldest first: each connector ends with its newest
            key = (charger_id, meter_key(session.connector))
            self._transactions.setdefault((charger_id, session.transaction_id), key[1])
            seen = self.current.get(key)
            if seen is None or session.started_ms > seen.started_ms or (
                    seen.transaction_id == session.transaction_id and (session.stopped_ms or not seen.stopped_ms)):
                self.current[key] = session
        if self.info is not None and self.info.charger_id == charger_id:
            self._fill_connectors()
            self._dirty = True
            self._show_session()

    def reload_sessions(self) -> None:
        """Read the sessions table again (once more after the read under way, if one is)."""
        if self._listing_busy:
            self._listing_again = True
            return
        self._reload_sessions()

    @qasync.asyncSlot()
    async def _reload_sessions(self) -> None:
        charger_id = None if self.all_chargers.isChecked() or self.info is None else self.info.charger_id
        if charger_id is None and not self.all_chargers.isChecked():
            self.sessions_model.set_sessions([])
            return
        self._listing_busy = True
        try:
            found = await asyncio.to_thread(self.listing, charger_id)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            found = None
        finally:
            self._listing_busy = False
        wanted = None if self.all_chargers.isChecked() or self.info is None else self.info.charger_id
        if found is not None and wanted == charger_id:
            self.sessions_model.set_sessions(found)
            for session in found:  # the index knows the end (stop reason, meter stop) as recorded
                key = (session.charger_id, meter_key(session.connector))
                running = self.current.get(key)
                if running is not None and running.transaction_id == session.transaction_id:
                    self.current[key] = session if session.stopped_ms or not running.stopped_ms else running
            self._show_session()
        if self._listing_again or (found is not None and wanted != charger_id):
            self._listing_again = False
            self.reload_sessions()

    # ------------------------------------------------------------------ live

    def on_events(self, batch: list) -> None:
        shown = self.key()
        sessions_changed = statuses_changed = False
        for event in batch:
            kind = type(event)
            if kind is model.FrameEvent:
                continue
            if kind is model.MeterValuesReceived:
                charger = event.charger_id
                key = meter_key(event.connector or self._transactions.get((charger, event.transaction_id), ""))
                series = self.series.get((charger, key))
                if series is None:
                    series = self.series[(charger, key)] = live_plot.Series()
                series.append((event.sampled_ms or event.ts_ms) / 1000.0, row_of(event))
                if shown == (charger, key):
                    self._dirty = True
            elif kind is model.TransactionChanged:
                self._on_transaction(event)
                sessions_changed = sessions_changed or event.event != "updated"
            elif kind is model.StatusChanged:
                key = (event.charger_id, meter_key(event.connector))
                self.statuses.setdefault(key, collections.deque(maxlen=MAX_STATUSES)).append(
                    Status(event.ts_ms, event.status, event.error_code))
                statuses_changed = statuses_changed or key == shown
        if statuses_changed:
            self._show_statuses()
        if sessions_changed:
            self.reload_sessions()
            # And once the charger's last frames of it (meterStop, transactionData) are surely indexed.
            QtCore.QTimer.singleShot(AGAIN_MS, self.reload_sessions)
            self._show_session()

    def _on_transaction(self, event: model.TransactionChanged) -> None:
        charger = event.charger_id
        known = self._transactions.get((charger, event.transaction_id))
        key = meter_key(event.connector) if event.connector else known
        if key is None:
            return
        self._transactions[(charger, event.transaction_id)] = key
        session = self.current.get((charger, key))
        if session is None or session.transaction_id != event.transaction_id:
            if event.event == "ended" and session is None:
                return
            session = energy.Session(charger, event.transaction_id, event.connector or key, event.id_token,
                                     started_ms=event.ts_ms, meter_start_wh=event.meter_wh)
            self.current[(charger, key)] = session
        if event.id_token and not session.id_token:
            session.id_token = event.id_token
        if event.event == "ended":
            session.stopped_ms = event.ts_ms
            session.stop_reason = event.reason
            if event.meter_wh is not None:
                session.meter_stop_wh = event.meter_wh

    # ------------------------------------------------------------------ drawing

    def _tick(self) -> None:
        if not self.isVisible():
            return
        self._ticks += 1
        if self._dirty:
            self.redraw()
        if self._ticks % (1000 // REDRAW_MS) == 0:  # the running duration, once a second
            self._show_session()
            self.strip.update()

    def redraw(self) -> None:
        """Draw the connector on screen and move the view to the chosen range (when following)."""
        self._dirty = False
        key = self.key()
        series = self.series.get(key) if key is not None else None
        shown = self.time_range() if self._follow else self.plot.time_range()
        self.plot.show_series(series, shown)
        if series is None or not series.n:
            self.hint.setText(self.tr("No meter values from this connector yet: start a charge (Test charge tab)."))
        else:
            newest = series.t[series.n - 1]
            self.hint.setText(self.tr("Newest reading {0} · drag to pan, wheel to zoom").format(
                job_view.clock_text(int(newest * 1000))))
        if self._follow:
            self.plot.set_time_range(*shown)
        self._show_session()

    def time_range(self) -> tuple[float, float]:
        """The chosen range in seconds since the epoch: last minutes up to the newest reading, this session,
        or everything there is."""
        key = self.key()
        series = self.series.get(key) if key is not None else None
        now = time.time()
        if series is None or not series.n:
            return now - LAST_MINUTES * 60, now
        first, newest = float(series.t[0]), float(series.t[series.n - 1])
        chosen = self.range_combo.currentData()
        if chosen == "session":
            session = self.current.get(key)
            if session is not None and session.started_ms:
                end = session.stopped_ms / 1000 if session.stopped_ms else max(newest, now)
                return session.started_ms / 1000, max(end, session.started_ms / 1000 + 60)
        if chosen == "all":
            return first, max(newest, first + 60)
        # Up to the newest reading (a charger whose clock is off still shows); from the first one while
        # there are fewer minutes than that, so the line grows from the left instead of hugging the right.
        start = max(first, newest - LAST_MINUTES * 60)
        return start, start + LAST_MINUTES * 60

    def follow(self, *_args: object) -> None:
        self._follow = True
        self.follow_button.hide()
        self._dirty = True
        self.redraw()

    def _on_manual_range(self) -> None:
        self._follow = False
        self.follow_button.show()
        self._dirty = True  # the readings of the new view are drawn at the next tick

    def _show_statuses(self) -> None:
        key = self.key()
        statuses = list(self.statuses.get(key, ())) if key is not None else []
        self.strip.set_statuses(statuses)
        self.status_list.clear()
        for status in reversed(statuses):
            text = f"{job_view.clock_text(status.ts_ms)}  {status.status}"
            if status.error_code and status.error_code != "NoError":
                text += f" ({status.error_code})"
            item = QtWidgets.QListWidgetItem(display.safe(text))
            item.setForeground(charger_list.status_colour(status.status))
            self.status_list.addItem(item)
        if not statuses:
            self.status_list.addItem(self.tr("No status from this connector yet"))

    def _show_session(self) -> None:
        key = self.key()
        session = self.current.get(key) if key is not None else None
        series = self.series.get(key) if key is not None else None
        if session is None:
            self.session_state.setText(self.tr("No charging session seen on this connector."))
            for value in self.fields.values():
                value.setText("—")
            return
        since = session.started_ms / 1000
        until = session.stopped_ms / 1000 if session.stopped_ms else None
        running = not session.stopped_ms
        start = session.meter_start_wh
        newest = session.meter_stop_wh if session.stopped_ms else None
        peak = session.peak_power_w
        if series is not None and series.n:
            if start is None:
                start = series.first(live_plot.ENERGY, since - 1, until)
            if newest is None:
                newest = series.newest(live_plot.ENERGY, since - 1) if running else \
                    (series.peak(live_plot.ENERGY, since - 1, until) or session.last_energy_wh)
            live_peak = series.peak(live_plot.POWER, since - 1, until)
            peak = live_peak if peak is None else max(peak, live_peak or 0.0)
        if newest is None:
            newest = session.last_energy_wh
        charged = None if start is None or newest is None else max(0.0, newest - start)
        if charged is None:
            charged = session.energy_wh
        power = series.newest(live_plot.POWER, since - 1) if running and series is not None and series.n else None
        end_ms = session.stopped_ms or int(time.time() * 1000)
        if running:
            self.sessions_model.set_live(session.charger_id, session.transaction_id,
                                         (charged, peak, max(0.0, (end_ms - session.started_ms) / 1000)))
        if running:
            self.session_state.setText(self.tr("● Charging session running"))
            self.session_state.setStyleSheet("color:#2e7d32; font-weight:bold;")
        else:
            self.session_state.setText(self.tr("Ended {0}{1}").format(
                job_view.clock_text(session.stopped_ms),
                self.tr(" ({0})").format(display.safe(session.stop_reason)) if session.stop_reason else ""))
            self.session_state.setToolTip(self.tr("The last session ended {0}").format(job_view.day_text(session.stopped_ms)))
            self.session_state.setStyleSheet("color:#555;")
        self.fields["live_power"].setText(charger_detail.kw(power) if running else self.tr("— (ended)"))
        self.fields["energy"].setText(charger_detail.kwh(charged))
        self.fields["duration"].setText(duration_text(max(0.0, (end_ms - session.started_ms) / 1000)))
        self.fields["peak"].setText(charger_detail.kw(peak))
        shown = display.safe(session.transaction_id)
        label = self.fields["transaction"]
        label.setText(label.fontMetrics().elidedText(shown, QtCore.Qt.TextElideMode.ElideMiddle, 140))
        label.setToolTip(shown)  # a 2.x UUID in full
        self.fields["id_token"].setText(display.safe(session.id_token) or "—")
        self.fields["started"].setText(job_view.day_text(session.started_ms))

    # ------------------------------------------------------------------ export

    def export_csv(self) -> None:
        """Ask where (a plain slot: no dialog inside a coroutine), then write off the GUI thread."""
        charger_id = None if self.all_chargers.isChecked() or self.info is None else self.info.charger_id
        folder = QtWidgets.QFileDialog.getExistingDirectory(
            self, self.tr("Export sessions and meter values to a folder"), str(pathlib.Path.home()))
        if folder:
            shown = self.plot.time_range() if self.export_range.currentData() == "shown" else None
            self._export(pathlib.Path(folder), charger_id, shown)

    @qasync.asyncSlot(object, object, object)
    async def _export(self, folder: pathlib.Path, charger_id: str | None,
                      shown: tuple[float, float] | None = None) -> None:
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", charger_id).strip("._") if charger_id else ""
        stem = f"{name or 'all-chargers'}-energy"  # the charger chose its id: not a path
        if shown is not None:  # the range in the name: a second export of another range keeps the first
            stem += time.strftime("-%Y%m%dT%H%M%S", time.gmtime(shown[0])) + time.strftime(
                "-%Y%m%dT%H%M%SZ", time.gmtime(shown[1]))
        self.export_button.setEnabled(False)
        try:
            collected = await asyncio.to_thread(self._collected, charger_id, shown)
            written = await asyncio.to_thread(session_service.export, collected, folder, stem)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        finally:
            self.export_button.setEnabled(True)
        self.notice.emit("success", self.tr("{0} session(s) exported: {1}").format(
            len(collected.sessions), ", ".join(str(p) for p in written)))

    def _collected(self, charger_id: str | None, shown: tuple[float, float] | None = None) -> session_service.Collected:
        if shown is not None:
            return session_service.collect(self._index(), charger_id=charger_id, since_ms=int(shown[0] * 1000),
                                           until_ms=int(shown[1] * 1000))
        if charger_id is not None:
            return self.history(charger_id)
        return session_service.collect(self._index())
