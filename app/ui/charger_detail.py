"""The Overview page of one charger: identity, connectors with live power, warnings, and the
operations a technician runs by name (test charge, reboot, availability...)."""

from __future__ import annotations

import html
import time

import qasync
from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import display, errors, model
from app.services import operations
from app.ui import charger_list, dialogs, message_bar

LIVE_COLUMNS = (QtCore.QT_TRANSLATE_NOOP("ChargerDetail", "Connector"), QtCore.QT_TRANSLATE_NOOP("ChargerDetail", "Status"),
                QtCore.QT_TRANSLATE_NOOP("ChargerDetail", "Power"), QtCore.QT_TRANSLATE_NOOP("ChargerDetail", "Session energy"),
                QtCore.QT_TRANSLATE_NOOP("ChargerDetail", "Current"), QtCore.QT_TRANSLATE_NOOP("ChargerDetail", "Session"),
                QtCore.QT_TRANSLATE_NOOP("ChargerDetail", "Meter updated"))


def kw(watts: float | None) -> str:
    return "—" if watts is None else f"{watts / 1000:.1f} kW"


def kwh(watt_hours: float | None) -> str:
    return "—" if watt_hours is None else f"{watt_hours / 1000:,.2f} kWh"


def amps(current: float | None) -> str:
    return "—" if current is None else f"{current:.1f} A"


class ChargerDetail(QtWidgets.QWidget):
    error = QtCore.Signal(object)  # a domain error for the message bar
    notice = QtCore.Signal(str)
    mode_changed = QtCore.Signal(str, object)  # charger id, model.Mode
    forget_requested = QtCore.Signal(str)  # charger id of a disconnected charger

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = None
        self.info: model.ChargerInfo | None = None
        self._busy: set[str] = set()  # chargers with an operation running: one at a time each (one CALL)
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        layout.addLayout(top)
        self.identity = QtWidgets.QLabel()
        self.identity.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.identity.setWordWrap(True)
        self.identity.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.identity, 3)
        side = QtWidgets.QVBoxLayout()
        top.addLayout(side, 2)
        self.warnings = QtWidgets.QListWidget()
        self.warnings.setMaximumHeight(90)
        self.warnings.setToolTip(self.tr("Compliance warnings: what this charger does differently from the OCPP spec"))
        side.addWidget(self.warnings)
        self.strict = QtWidgets.QCheckBox(self.tr("Strict compliance checks for this charger"))
        self.strict.setToolTip(self.tr(
            "Strict: frames that break the OCPP schema are refused with a CallError.\n"
            "Tolerant: they are accepted and recorded as compliance warnings."))
        self.strict.clicked.connect(self._on_strict_clicked)
        side.addWidget(self.strict)
        self.forget = QtWidgets.QPushButton(self.tr("Forget this charger"))
        self.forget.setToolTip(self.tr("Remove it from the list; its messages stay in the log. "
                                       "It comes back if it connects again."))
        self.forget.clicked.connect(lambda: self.info is not None and self.forget_requested.emit(self.info.charger_id))
        side.addWidget(self.forget)
        side.addStretch(1)

        self.live = QtWidgets.QTableWidget(0, len(LIVE_COLUMNS))
        self.live.setHorizontalHeaderLabels([self.tr(c) for c in LIVE_COLUMNS])
        self.live.verticalHeader().hide()
        self.live.verticalHeader().setDefaultSectionSize(self.live.fontMetrics().height() + 8)  # dense rows
        self.live.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.live.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.live.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.live.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.live.horizontalHeader().setStretchLastSection(True)
        self.live.setToolTip(self.tr("Live values from the charger's MeterValues"))
        self.live.setLayoutDirection(QtCore.Qt.LayoutDirection.LeftToRight)  # "11.0 kW" reads the same in RTL
        layout.addWidget(self.live)

        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        charging = QtWidgets.QGroupBox(self.tr("Charging"))
        grid = QtWidgets.QGridLayout(charging)
        grid.addWidget(QtWidgets.QLabel(self.tr("Connector")), 0, 0)
        self.connector_combo = QtWidgets.QComboBox()
        self.connector_combo.setToolTip(self.tr("0 = the whole charger"))
        self.connector_combo.currentTextChanged.connect(lambda _text: self._enable_buttons())
        grid.addWidget(self.connector_combo, 0, 1)
        self._button(grid, 1, 0, "start_charge", self.tr("&Start a test charge"),
                     self.tr("Remote start with the test tag {0}").format(operations.TEST_TAG))
        self._button(grid, 1, 1, "stop_charge", self.tr("Sto&p the charge"),
                     self.tr("Remote stop of the running session, by its transaction id"))
        self._button(grid, 2, 0, "operative", self.tr("Make available"))
        self._button(grid, 2, 1, "inoperative", self.tr("Make unavailable"))
        self._button(grid, 2, 2, "unlock", self.tr("Unlock connector"))
        operations_row = QtWidgets.QHBoxLayout()
        layout.addLayout(operations_row)
        operations_row.addWidget(charging, 3)
        checks = QtWidgets.QGroupBox(self.tr("Check and reboot"))
        grid = QtWidgets.QGridLayout(checks)
        self._button(grid, 0, 0, "trigger_heartbeat", self.tr("Ask for a heartbeat"),
                     self.tr("TriggerMessage Heartbeat: shows the charger answers"))
        self._button(grid, 0, 1, "trigger_status", self.tr("Ask for its status"),
                     self.tr("TriggerMessage StatusNotification: refreshes the connector states"))
        self._button(grid, 0, 2, "trigger_meter", self.tr("Read the m&eter now"),
                     self.tr("TriggerMessage MeterValues for the chosen connector: live values without waiting"))
        self._button(grid, 1, 0, "reset_soft", self.tr("&Reboot"),
                     self.tr("Soft reset (1.6) / reset when idle (2.x)"))
        self._button(grid, 1, 1, "reset_hard", self.tr("Reboot &now"),
                     self.tr("Hard reset (1.6) / immediate reset (2.x): stops a running session"))
        operations_row.addWidget(checks, 2)

        self.busy = QtWidgets.QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(8)
        self.busy.setTextVisible(False)
        self.busy.hide()
        layout.addWidget(self.busy)
        self.result = QtWidgets.QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self._shown_live: tuple | None = None
        self.set_charger(None)

    def _button(self, grid: QtWidgets.QGridLayout, row: int, column: int, kind: str, label: str,
                tip: str = "") -> None:
        button = QtWidgets.QPushButton(label)
        button.setToolTip(tip)
        button.clicked.connect(lambda: self.run_quick(kind))
        grid.addWidget(button, row, column)
        self.buttons[kind] = button

    # ------------------------------------------------------------------ state

    def set_bridge(self, bridge) -> None:
        self.bridge = bridge

    def set_charger(self, info: model.ChargerInfo | None, mode: model.Mode | None = None) -> None:
        changed = info is None or self.info is None or info.charger_id != self.info.charger_id
        self.info = info
        if changed:
            self.result.clear()
        self._enable_buttons()
        self.busy.setVisible(info is not None and info.charger_id in self._busy)
        self.strict.setVisible(info is not None)
        self.forget.setVisible(info is not None and not info.connected)
        if mode is not None:
            self.strict.setChecked(mode is model.Mode.STRICT)
        if info is None:
            self.identity.setText(self.tr("Select a charger in the list to see it here."))
            self._show_live(None)
            self.warnings.hide()
            return
        state = self.tr("connected") if info.connected else self.tr("disconnected")
        rows = [
            (self.tr("Vendor / model"), " / ".join(p for p in (info.vendor, info.model) if p) or "—"),
            (self.tr("Serial"), info.serial or "—"), (self.tr("Firmware"), info.firmware or "—"),
            (self.tr("OCPP"), f"{info.ocpp_version} ({state})"), (self.tr("Address"), info.remote_address or "—"),
            (self.tr("Boot"), info.boot_status or self.tr("no BootNotification yet")),
            (self.tr("Last message") if info.connected else self.tr("Last seen"),
             charger_list.ago(info.last_message_ms) or "—"),
        ]
        # Values come from the charger: escaped, so its text can never become markup here.
        text = "<table>" + "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{html.escape(display.safe(v))}</td></tr>"
                                   for k, v in rows) + "</table>"
        if text != self.identity.text():  # every second: a selection in it must survive
            self.identity.setText(text)
        self._show_live(info)
        warnings = [display.safe(w) for w in info.warnings]
        if warnings != [self.warnings.item(i).text() for i in range(self.warnings.count())]:
            self.warnings.clear()
            self.warnings.addItems(warnings)
        self.warnings.setVisible(bool(info.warnings))
        keys = sorted((k for k in info.connectors if k not in ("0", "0/0")), key=charger_list.connector_order)
        current = self.connector_combo.currentText()
        wanted = ["0", *keys] if keys else ["0", "1"]
        if [self.connector_combo.itemText(i) for i in range(self.connector_combo.count())] != wanted:
            self.connector_combo.clear()
            self.connector_combo.addItems(wanted)
            # A test charge goes to a real connector: the first one, unless the technician chose.
            self.connector_combo.setCurrentText(current if current in wanted else wanted[1])

    def _enable_buttons(self) -> None:
        info = self.info
        enabled = info is not None and info.connected and self.bridge is not None and info.charger_id not in self._busy
        chosen = self.connector_combo.currentText()
        for kind, button in self.buttons.items():
            ok = enabled
            if kind == "stop_charge":  # only the session on the chosen connector
                ok = ok and bool(self._transaction_to_stop())
            elif kind == "unlock":  # a real connector, never "the whole charger"
                ok = ok and chosen not in ("", "0")
            button.setEnabled(ok)

    def _show_live(self, info: model.ChargerInfo | None) -> None:
        """One row per connector: its status and, while it charges, kW, kWh and A from MeterValues."""
        rows = []
        if info is not None:
            sessions = {connector: tx for tx, connector in info.transactions.items()}
            for key in sorted(info.connectors, key=charger_list.connector_order):
                meter = info.meters.get(key.split("/", 1)[0])
                reading = meter.reading if meter else None
                name = self.tr("{0} (whole charger)").format(key) if key in ("0", "0/0") else key
                rows.append((name, info.connectors[key].status,
                             kw(reading.power_w) if reading else "—", kwh(meter.session_wh) if meter else "—",
                             amps(reading.current_a) if reading else "—", sessions.get(key, ""),
                             charger_list.ago(meter.updated_ms) if meter else ""))
        shown = (tuple(rows), info.connected if info else False)
        if shown == self._shown_live:
            return
        self._shown_live = shown
        self.live.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QtWidgets.QTableWidgetItem(display.safe(value))
                if c == 1:
                    colour = charger_list.status_colour(value) if shown[1] else QtGui.QColor("#9e9e9e")
                    item.setForeground(colour)
                    if not shown[1]:
                        item.setText(self.tr("last seen: {0}").format(display.safe(value)))
                if c == 3 and info is not None:
                    meter = info.meters.get(sorted(info.connectors, key=charger_list.connector_order)[r].split("/", 1)[0])
                    if meter is not None and meter.reading.energy_wh is not None:
                        item.setToolTip(self.tr("Meter register: {0}").format(kwh(meter.reading.energy_wh)))
                self.live.setItem(r, c, item)
        self.live.setVisible(bool(rows))
        height = self.live.horizontalHeader().height() + sum(self.live.rowHeight(r) for r in range(len(rows))) \
            + 2 * self.live.frameWidth() + 2
        self.live.setFixedHeight(min(height, 200))

    def _on_strict_clicked(self, checked: bool) -> None:
        if self.info is not None:
            self.mode_changed.emit(self.info.charger_id, model.Mode.STRICT if checked else model.Mode.TOLERANT)

    # ------------------------------------------------------------------ actions

    def _target(self) -> tuple[int, int]:
        """(evse, connector) from the combo: "2" (1.6) or "1/2" (2.x)."""
        text = self.connector_combo.currentText() or "0"
        if "/" in text:
            evse, connector = text.split("/", 1)
            return int(evse or 0), int(connector or 0)
        return 0, int(text)

    def ask(self, title: str, text: str) -> bool:
        return dialogs.confirm(self, title, text)

    def run_quick(self, kind: str) -> None:
        if self.info is None or self.info.charger_id in self._busy:
            return
        evse, connector = self._target()
        quick_kind = "availability" if kind in ("operative", "inoperative") else kind
        try:
            request = operations.quick(self.info.ocpp_version, quick_kind, connector=connector,
                                       operative=kind == "operative", evse=evse,
                                       transaction_id=self._transaction_to_stop() if kind == "stop_charge" else "")
        except ValueError:
            self.result.setText(self.tr("No charging session is running on connector {0} of {1}.").format(
                self.connector_combo.currentText(), display.safe(self.info.charger_id)))
            return
        # Whatever interrupts charging or reboots asks first, here as in the raw-OCPP panel.
        label = self.buttons[kind].text().replace("&", "")
        why = operations.confirmation(request.action, request.payload)
        what = label
        if kind == "stop_charge":
            what = self.tr("{0} (connector {1}, transaction {2})").format(
                label, self.connector_combo.currentText(), request.payload.get("transactionId"))
        elif kind in ("unlock", "inoperative", "operative") and connector:
            what = self.tr("{0} (connector {1})").format(label, self.connector_combo.currentText())
        if why and not self.ask(label, self.tr("{0}: {1}?").format(display.safe(self.info.charger_id), what) + "\n" + why):
            return
        self._set_busy(self.info.charger_id, True)  # now: a second click must find it busy
        self.perform(self.info.charger_id, request)

    def _transaction_to_stop(self) -> str:
        """The open transaction on the chosen connector ("" when it has none): never another one's."""
        if self.info is None:
            return ""
        chosen = self.connector_combo.currentText()
        for transaction, connector in self.info.transactions.items():
            if connector == chosen:
                return transaction
        return ""

    def _set_busy(self, charger_id: str, busy: bool) -> None:
        if busy:
            self._busy.add(charger_id)
        else:
            self._busy.discard(charger_id)
        self.busy.setVisible(self.info is not None and self.info.charger_id in self._busy)
        self._enable_buttons()

    @qasync.asyncSlot(str, object)
    async def perform(self, charger_id: str, request: operations.Request) -> None:
        """Send `request` to `charger_id` (named by the caller: the task starts a moment later,
        when the technician may already be on another charger)."""
        if self.bridge is None:
            self._set_busy(charger_id, False)
            return
        self._set_busy(charger_id, True)
        started = time.monotonic()
        try:
            result = await self.bridge.call(charger_id, request.action, request.payload)
            elapsed = (time.monotonic() - started) * 1000
            verdict = operations.judge(request.action, result)
            text = self.tr("{0}: {1} ({2:.0f} ms)").format(request.action, verdict.status or self.tr("answered"), elapsed)
            shown = html.escape(("✓ " if verdict.ok else "✗ ") + text)
            if not verdict.ok:
                shown = f"<span style='color:#c62828'>{shown}</span>"
        except errors.CommissionerError as exc:
            shown = f"<span style='color:#c62828'>{html.escape(message_bar.describe(exc)[0])}</span>"
            self.error.emit(exc)
        finally:
            self._set_busy(charger_id, False)
        if self.info is not None and self.info.charger_id == charger_id:
            self.result.setText(shown)  # another charger's answer never lands on this one's page
            self.set_charger(self.info)
