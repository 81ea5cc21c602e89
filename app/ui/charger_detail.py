"""One charger: identity, connector states, compliance warnings, and the quick actions."""

from __future__ import annotations

import html
import time

import qasync
from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import display, errors, model
from app.services import configuration, operations
from app.ui import charger_list, message_bar

READ_CONFIGURATION = "Read configuration"  # the task's name in Progress events


class ChargerDetail(QtWidgets.QWidget):
    error = QtCore.Signal(object)  # a domain error for the message bar
    notice = QtCore.Signal(str)
    mode_changed = QtCore.Signal(str, object)  # charger id, model.Mode
    forget_requested = QtCore.Signal(str)  # charger id of a disconnected charger

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = None
        self.info: model.ChargerInfo | None = None
        self._busy = False  # one quick action at a time: OCPP allows one outstanding CALL
        self._shown_connectors: tuple[dict[str, model.ConnectorState], bool] | None = None
        layout = QtWidgets.QVBoxLayout(self)

        self.title = QtWidgets.QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        self.identity = QtWidgets.QLabel()
        self.identity.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.identity.setWordWrap(True)
        layout.addWidget(self.identity)
        self.connectors = QtWidgets.QHBoxLayout()
        self.connectors.setSpacing(6)
        layout.addLayout(self.connectors)
        self.warnings = QtWidgets.QListWidget()
        self.warnings.setMaximumHeight(80)
        self.warnings.setToolTip(self.tr("Compliance warnings: what this charger does differently from the OCPP spec"))
        layout.addWidget(self.warnings)
        self.strict = QtWidgets.QCheckBox(self.tr("Strict compliance checks for this charger"))
        self.strict.setToolTip(self.tr(
            "Strict: frames that break the OCPP schema are refused with a CallError.\n"
            "Tolerant: they are accepted and recorded as compliance warnings."))
        self.strict.clicked.connect(self._on_strict_clicked)
        layout.addWidget(self.strict)
        self.forget = QtWidgets.QPushButton(self.tr("Forget this charger"))
        self.forget.setToolTip(self.tr("Remove it from the list; its messages stay in the log. "
                                       "It comes back if it connects again."))
        self.forget.clicked.connect(lambda: self.info is not None and self.forget_requested.emit(self.info.charger_id))
        layout.addWidget(self.forget)

        actions = QtWidgets.QGroupBox(self.tr("Quick actions"))
        grid = QtWidgets.QGridLayout(actions)
        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        self._button(grid, 0, 0, "trigger_heartbeat", self.tr("Trigger heartbeat"))
        self._button(grid, 0, 1, "trigger_status", self.tr("Trigger status"))
        self._button(grid, 0, 2, "configuration", self.tr("Get configuration"))
        self._button(grid, 1, 0, "reset_soft", self.tr("Soft reset"))
        self._button(grid, 1, 1, "reset_hard", self.tr("Hard reset"))
        grid.addWidget(QtWidgets.QLabel(self.tr("Connector")), 2, 0)
        self.connector_combo = QtWidgets.QComboBox()
        self.connector_combo.setToolTip(self.tr("0 = the whole charger"))
        grid.addWidget(self.connector_combo, 2, 1)
        self._button(grid, 3, 0, "operative", self.tr("Make available"))
        self._button(grid, 3, 1, "inoperative", self.tr("Make unavailable"))
        self._button(grid, 3, 2, "unlock", self.tr("Unlock connector"))
        layout.addWidget(actions)

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

        self.config_filter = QtWidgets.QLineEdit()
        self.config_filter.setPlaceholderText(self.tr("Filter configuration…"))
        self.config_filter.setClearButtonEnabled(True)
        layout.addWidget(self.config_filter)
        self.config_model = QtGui.QStandardItemModel(0, 3, self)
        self.config_model.setHorizontalHeaderLabels([self.tr("Key / variable"), self.tr("Value"), self.tr("Access")])
        proxy = QtCore.QSortFilterProxyModel(self)
        proxy.setSourceModel(self.config_model)
        proxy.setFilterCaseSensitivity(QtCore.Qt.CaseSensitivity.CaseInsensitive)
        proxy.setFilterKeyColumn(-1)
        self.config_filter.textChanged.connect(proxy.setFilterFixedString)
        self.config_view = QtWidgets.QTableView()
        self.config_view.setModel(proxy)
        self.config_view.verticalHeader().hide()
        self.config_view.horizontalHeader().setStretchLastSection(True)
        self.config_view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.config_view, 1)
        self.set_charger(None)

    def _button(self, grid: QtWidgets.QGridLayout, row: int, column: int, kind: str, label: str) -> None:
        button = QtWidgets.QPushButton(label)
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
            self.config_model.setRowCount(0)
            self.result.clear()
        enabled = info is not None and info.connected and self.bridge is not None and not self._busy
        for button in self.buttons.values():
            button.setEnabled(enabled)
        self.strict.setVisible(info is not None)
        self.forget.setVisible(info is not None and not info.connected)
        if mode is not None:
            self.strict.setChecked(mode is model.Mode.STRICT)
        if info is None:
            self.title.setText(self.tr("No charger selected"))
            self.identity.setText(self.tr("Select a charger in the list to see it here."))
            self._show_connectors({}, False, 0)
            self.warnings.hide()
            return
        self.title.setText(display.safe(info.charger_id))
        state = self.tr("connected") if info.connected else self.tr("disconnected")
        rows = [
            (self.tr("Vendor / model"), " / ".join(p for p in (info.vendor, info.model) if p) or "—"),
            (self.tr("Serial"), info.serial or "—"), (self.tr("Firmware"), info.firmware or "—"),
            (self.tr("OCPP"), f"{info.ocpp_version} ({state})"), (self.tr("Address"), info.remote_address or "—"),
            (self.tr("Boot"), info.boot_status or self.tr("no BootNotification yet")),
            (self.tr("Last message"), charger_list.ago(info.last_message_ms) or "—"),
        ]
        # Values come from the charger: escaped, so its text can never become markup here.
        self.identity.setText("<table>" + "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{html.escape(display.safe(v))}</td></tr>"
                                                  for k, v in rows) + "</table>")
        self._show_connectors(info.connectors, info.connected, info.last_message_ms)
        self.warnings.clear()
        self.warnings.addItems([display.safe(w) for w in info.warnings])
        self.warnings.setVisible(bool(info.warnings))
        keys = sorted((k for k in info.connectors if k not in ("0", "0/0")), key=charger_list.connector_order)
        current = self.connector_combo.currentText()
        if [self.connector_combo.itemText(i) for i in range(self.connector_combo.count())] != ["0", *keys]:
            self.connector_combo.clear()
            self.connector_combo.addItems(["0", *keys] if keys else ["0", "1"])
            if current:
                self.connector_combo.setCurrentText(current)
        self.buttons["configuration"].setText(
            self.tr("Get configuration") if info.ocpp_version == "1.6" else self.tr("Get base report"))

    def _on_strict_clicked(self, checked: bool) -> None:
        if self.info is not None:
            self.mode_changed.emit(self.info.charger_id, model.Mode.STRICT if checked else model.Mode.TOLERANT)

    def _show_connectors(self, connectors: dict[str, model.ConnectorState], connected: bool, seen_ms: int) -> None:
        shown = (dict(connectors), connected)
        if shown == self._shown_connectors:
            return
        self._shown_connectors = shown
        while self.connectors.count():
            item = self.connectors.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for key in sorted(connectors, key=charger_list.connector_order):
            state = connectors[key]
            chip = QtWidgets.QLabel(display.safe(f" {key}: {state.status} "))
            chip.setTextFormat(QtCore.Qt.TextFormat.PlainText)  # the status text is the charger's
            # A disconnected charger's statuses are history: grey, never a live green "Available".
            colour = charger_list.status_colour(state.status).name() if connected else "#9e9e9e"
            chip.setStyleSheet(f"background:{colour}; color:white; border-radius:6px; padding:3px 6px;")
            tips = [state.error_code] if state.error_code and state.error_code != "NoError" else []
            if not connected:
                tips.append(self.tr("Disconnected: this is the last status it sent ({0}).").format(
                    charger_list.ago(seen_ms) or "—"))
            chip.setToolTip("\n".join(tips))
            self.connectors.addWidget(chip)
        self.connectors.addStretch(1)

    # ------------------------------------------------------------------ actions

    def _target(self) -> tuple[int, int]:
        """(evse, connector) from the combo: "2" (1.6) or "1/2" (2.x)."""
        text = self.connector_combo.currentText() or "0"
        if "/" in text:
            evse, connector = text.split("/", 1)
            return int(evse or 0), int(connector or 0)
        return 0, int(text)

    def ask(self, title: str, text: str) -> bool:
        return QtWidgets.QMessageBox.question(self, title, text) == QtWidgets.QMessageBox.StandardButton.Yes

    def run_quick(self, kind: str) -> None:
        if self.info is None or self._busy:
            return
        evse, connector = self._target()
        quick_kind = "availability" if kind in ("operative", "inoperative") else kind
        request = operations.quick(self.info.ocpp_version, quick_kind, connector=connector,
                                   operative=kind == "operative", evse=evse)
        # Whatever interrupts charging or reboots asks first, here as in the raw-OCPP panel.
        why = operations.confirmation(request.action, request.payload)
        if why and not self.ask(self.buttons[kind].text(), self.tr("{0}: {1}?").format(
                display.safe(self.info.charger_id), self.buttons[kind].text()) + "\n" + why):
            return
        self._set_busy(True)  # now, not when the task first runs: a second click must find it busy
        self.perform(request)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setRange(0, 0)  # a busy bar until a task says how far it is
        self.busy.setVisible(busy)
        if busy:
            for button in self.buttons.values():
                button.setEnabled(False)

    @qasync.asyncSlot(object)
    async def perform(self, request: operations.Request) -> None:
        if self.info is None or self.bridge is None:
            self._set_busy(False)
            return
        charger_id = self.info.charger_id
        self._set_busy(True)
        started = time.monotonic()
        try:
            if request.action in ("GetConfiguration", "GetBaseReport"):
                await self._read_configuration(charger_id)
                return
            result = await self.bridge.call(charger_id, request.action, request.payload)
            elapsed = (time.monotonic() - started) * 1000
            status = result.get("status", "")
            self.result.setText(self.tr("{0}: {1} ({2:.0f} ms)").format(
                request.action, status or self.tr("answered"), elapsed))
        except errors.CommissionerError as exc:
            self.result.setText(f"<span style='color:#c62828'>{html.escape(message_bar.describe(exc)[0])}</span>")
            self.error.emit(exc)
        finally:
            self._set_busy(False)
            self.set_charger(self.info)

    async def _read_configuration(self, charger_id: str) -> None:
        """The configuration workflow runs as an engine task; this only shows its progress and rows."""
        engine = self.bridge.engine

        async def work(reporter) -> configuration.Configuration:
            return await configuration.read(engine, charger_id, progress=reporter)

        self.result.setText(self.tr("Reading the configuration of {0}…").format(display.safe(charger_id)))
        started = time.monotonic()
        found = await self.bridge.run_task(READ_CONFIGURATION, charger_id, work)
        elapsed = (time.monotonic() - started) * 1000
        self._show_rows(found.rows)
        if found.source == "GetConfiguration":
            self.result.setText(self.tr("GetConfiguration: {0} keys ({1:.0f} ms)").format(len(found.rows), elapsed))
        else:
            self.result.setText(self.tr("Base report: {0} variables in {1} part(s)").format(
                len(found.rows), found.parts))

    def on_progress(self, progress: model.Progress) -> None:
        """Progress of a task of the shown charger: the configuration read's parts so far."""
        if self.info is None or progress.charger_id != self.info.charger_id or progress.name != READ_CONFIGURATION:
            return
        if progress.state is model.TaskState.RUNNING and progress.done:
            if progress.total:
                self.busy.setRange(0, progress.total)
                self.busy.setValue(progress.done)
            self.result.setText(self.tr("Reading the configuration: {0} part(s) received…").format(progress.done))

    def _show_rows(self, rows: list[configuration.ConfigRow]) -> None:
        self.config_model.setRowCount(0)
        for row in rows:
            access = self.tr("read/write") if row.writable else self.tr("read-only")
            items = [QtGui.QStandardItem(row.name), QtGui.QStandardItem(row.value), QtGui.QStandardItem(access)]
            for item in items:
                if row.detail:
                    item.setToolTip(row.detail)
            self.config_model.appendRow(items)
        self.config_view.resizeColumnToContents(0)

