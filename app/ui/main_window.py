"""The technician's window: connection panel, charger list, charger detail, message log."""

from __future__ import annotations


import qasync
from PySide6 import QtCore, QtGui, QtWidgets

from app import __version__
from app import core as app_core
from app.domain import display, errors, model
from app.services import files_view
from app.services import runs as run_service
from app.ui import bridge as ui_bridge
from app.ui import charger_detail, charger_list, charging_page, commission_page, configure_page, connection_panel
from app.ui import console_page, diagnostics_page
from app.ui import firmware_page, log_view, message_bar, security_page
from app.ui import dialogs, send_operation, settings_dialog, workspace


class EmptyState(QtWidgets.QWidget):
    """What a newcomer sees before any charger connects: the three steps, and a demo button."""

    demo_requested = QtCore.Signal(str)
    console_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addStretch(1)
        title = QtWidgets.QLabel(self.tr("No charger connected yet"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        steps = QtWidgets.QLabel(self.tr(
            "1. Connect this laptop to the charger's network.\n"
            "2. Enter the CSMS URL from the panel on the left as the charger's OCPP backend.\n"
            "3. The charger appears here as soon as it connects."))
        steps.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(steps)
        hint = QtWidgets.QLabel(self.tr("No hardware at hand? Start a built-in demo charger:"))
        hint.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        hint.setStyleSheet("color:#555; margin-top:18px;")
        layout.addWidget(hint)
        row = QtWidgets.QHBoxLayout()
        row.addStretch(1)
        for version in ("1.6", "2.0.1"):
            button = QtWidgets.QPushButton(self.tr("Start demo charger (OCPP {0})").format(version))
            button.clicked.connect(lambda _=False, v=version: self.demo_requested.emit(v))
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        serial = QtWidgets.QLabel(self.tr("The charger is not online yet? Set it up over its serial/USB console:"))
        serial.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        serial.setStyleSheet("color:#555; margin-top:18px;")
        layout.addWidget(serial)
        serial_row = QtWidgets.QHBoxLayout()
        serial_row.addStretch(1)
        self.console_button = QtWidgets.QPushButton(self.tr("Open the serial console"))
        self.console_button.clicked.connect(self.console_requested)
        serial_row.addWidget(self.console_button)
        serial_row.addStretch(1)
        layout.addLayout(serial_row)
        layout.addStretch(2)


class MainWindow(QtWidgets.QMainWindow):
    def __init__(self, core: app_core.Core) -> None:
        super().__init__()
        self.core = core
        self.bridge: ui_bridge.EngineBridge | None = None
        self.settings_dialog: settings_dialog.SettingsDialog | None = None
        self._connecting: str | None = None  # the demo charger a "…is connecting…" notice is about
        self.setWindowTitle(self.tr("Commissioner"))
        self.resize(1360, 860)

        central = QtWidgets.QWidget()
        outer = QtWidgets.QVBoxLayout(central)
        self.message_bar = message_bar.MessageBar()
        self.message_bar.action_triggered.connect(self._on_message_action)
        outer.addWidget(self.message_bar)
        self.splitter = splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        outer.addWidget(splitter, 1)
        self.setCentralWidget(central)

        # Left: how to connect (shrinks once a charger is there), then the chargers.
        left = QtWidgets.QWidget()
        left_layout = QtWidgets.QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.connection = connection_panel.ConnectionPanel()
        self.connection.settings_requested.connect(self.open_settings)
        left_layout.addWidget(self.connection)
        self.chargers_label = QtWidgets.QLabel(self.tr("Charger &list"))
        left_layout.addWidget(self.chargers_label)
        self.chargers = charger_list.ChargerListModel(self)
        self.charger_view = QtWidgets.QTableView()
        self.chargers_label.setBuddy(self.charger_view)  # Alt+L: to the list, arrows pick a charger
        self.charger_view.setModel(self.chargers)
        self.charger_view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.charger_view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.charger_view.verticalHeader().hide()
        self.charger_view.horizontalHeader().setStretchLastSection(True)
        self.charger_view.setAlternatingRowColors(True)
        self.charger_view.setWordWrap(False)
        header = self.charger_view.horizontalHeader()
        header.setResizeContentsPrecision(50)  # sized from 50 rows: a 1,000-charger bench stays quick
        # Statuses arrive after the row does: the columns follow their content.
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        for column in charger_list.ChargerListModel.NARROW_HIDDEN:  # in the charger's tooltip and Overview
            self.charger_view.setColumnHidden(column, True)
        self.charger_view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        left_layout.addWidget(self.charger_view, 1)
        self.chargers_label.hide()  # until the first charger appears
        self.charger_view.hide()
        left.setMinimumWidth(280)
        splitter.addWidget(left)

        # Right: the selected charger's workspace, or the first steps while there is none.
        self.empty = EmptyState()
        self.empty.demo_requested.connect(self.start_demo)
        self.empty.console_requested.connect(self.open_console)
        self._console_wanted = False  # the workspace stays up for the console while no charger is there
        self.workspace = workspace.Workspace()
        self.detail = charger_detail.ChargerDetail()
        self.detail.error.connect(self.message_bar.show_error)
        self.detail.mode_changed.connect(self._set_charger_mode)
        self.detail.forget_requested.connect(self.forget_charger)
        self.commission = commission_page.CommissionPage(core)
        self.commission.error.connect(self.message_bar.show_error)
        self.commission.notice.connect(self.message_bar.show_message)
        self.configure = configure_page.ConfigurePage()
        self.configure.data_dir = core.data_dir
        self.configure.core = core  # snapshots (core.runs) and the chargers' passwords (core.vault)
        self.configure.error.connect(self.message_bar.show_error)
        self.configure.notice.connect(self.message_bar.show_message)
        self.security = security_page.SecurityPage(core)
        self.security.error.connect(self.message_bar.show_error)
        self.security.notice.connect(self.message_bar.show_message)
        self.security.settings_requested.connect(self.open_settings)
        self.firmware = firmware_page.FirmwarePage(core)
        self.firmware.error.connect(self.message_bar.show_error)
        self.firmware.notice.connect(self.message_bar.show_message)
        self.diagnostics = diagnostics_page.DiagnosticsPage(core)
        self.diagnostics.error.connect(self.message_bar.show_error)
        self.diagnostics.notice.connect(self.message_bar.show_message)
        # Files are attached to the run the Commission page holds, unless its checks hold it now.
        self.diagnostics.current_run = lambda: (
            self.commission.run if self.commission.info is not None
            and self.commission.info.charger_id not in self.commission._busy else None)
        self.charging = charging_page.ChargingPage(core)
        self.charging.error.connect(self.message_bar.show_error)
        self.charging.notice.connect(self.message_bar.show_message)
        self.charging.toolbox.test_charge.run_test_charge = self.commission.test_charge  # a step of the run
        self.console = console_page.ConsolePage(core, lambda: self.connection.base_url.text())
        self.console.error.connect(self.message_bar.show_error)
        self.console.notice.connect(self.message_bar.show_message)
        self.console.follow.connect(self.follow_charger)
        self.console.current_run = self.diagnostics.current_run  # the run the Commission page holds
        self.log = log_view.LogView(core.journal_path, self)
        self.send_panel = send_operation.SendOperationPanel(self._call)
        self.send_panel.finished.connect(self.configure.on_operation_finished)
        self.configure.rows_read.connect(
            lambda charger_id, rows: self.send_panel.set_known(charger_id, rows, self.connection.base_url.text()))
        self.workspace.add_page(self.detail, self.tr("&Overview"))
        self.workspace.add_page(self.commission, self.tr("Co&mmission"))
        self.workspace.add_page(self.configure, self.tr("Confi&gure"))
        self.workspace.add_page(self.security, self.tr("Securit&y"))
        self.workspace.add_page(self.firmware, self.tr("Firm&ware"))
        self.workspace.add_page(self.diagnostics, self.tr("D&iagnostics"))
        # Alt+R: Alt+H is the Help menu's.
        self.workspace.add_page(self.charging, self.tr("Cha&rging"))
        self.workspace.add_page(self.console, self.tr("Co&nsole"))
        self.workspace.add_page(self.log, self.tr("Mess&ages"))
        self.workspace.add_page(self.send_panel, self.tr("A&dvanced: any OCPP message"))
        self.center = QtWidgets.QStackedWidget()
        self.center.addWidget(self.empty)
        self.center.addWidget(self.workspace)
        splitter.addWidget(self.center)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 1030])
        self._build_menus()

        self._ages = QtCore.QTimer(self)  # keeps "last message: 3 s ago" honest between events
        self._ages.timeout.connect(self._refresh_ages)
        self._ages.start(1000)
        self.attach()
        if core.settings_error is not None:
            self.message_bar.show_error(core.settings_error, "settings", self.tr("Open Settings…"))
        else:
            self._offer_unfinished_runs()

    # ------------------------------------------------------------------ wiring

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.settings_action = file_menu.addAction(self.tr("&Settings…"), self.open_settings)
        self.settings_action.setShortcut(QtGui.QKeySequence.StandardKey.Preferences)
        file_menu.addAction(self.tr("Open data folder"), lambda: QtGui.QDesktopServices.openUrl(
            QtCore.QUrl.fromLocalFile(str(self.core.data_dir))))
        file_menu.addSeparator()
        file_menu.addAction(self.tr("&Quit"), self.close).setShortcut(QtGui.QKeySequence.StandardKey.Quit)
        chargers_menu = bar.addMenu(self.tr("&Chargers"))
        self.demo16_action = chargers_menu.addAction(self.tr("Start demo charger (OCPP 1.6)"),
                                                     lambda: self.start_demo("1.6"))
        self.demo201_action = chargers_menu.addAction(self.tr("Start demo charger (OCPP 2.0.1)"),
                                                      lambda: self.start_demo("2.0.1"))
        chargers_menu.addAction(self.tr("Stop demo chargers"), self.stop_demos)
        chargers_menu.addSeparator()
        self.console_action = chargers_menu.addAction(self.tr("Serial console…"), self.open_console)
        view_menu = bar.addMenu(self.tr("&View"))
        self.page_actions = []
        for index in range(self.workspace.pages.count()):
            action = view_menu.addAction(self.workspace.pages.tabText(index).replace("&", ""),
                                         lambda i=index: self.show_page(i))
            action.setShortcut(QtGui.QKeySequence(f"Ctrl+{index + 1}"))
            self.page_actions.append(action)
        view_menu.addSeparator()
        view_menu.addAction(self.tr("All chargers' messages"), self.show_all_messages)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.tr("About Commissioner"), lambda: QtWidgets.QMessageBox.about(
            self, self.tr("About Commissioner"),
            self.tr("Commissioner {0}\nBring EV chargers into service over OCPP.").format(__version__)))

    def attach(self) -> None:
        """Connect the views to the running engine, or show why it is not running."""
        if self.bridge is not None:
            self.bridge.close()
            self.bridge = None
        engine = self.core.engine
        if engine is None:
            error = self.core.start_error or errors.CsmsError("The CSMS is not running.")
            self.connection.set_failed(*message_bar.describe(error))
            self.message_bar.show_error(error, "settings", self.tr("Open Settings…"))
            self.detail.set_bridge(None)
            self.configure.set_bridge(None)
            self.commission.set_bridge(None)
            self.firmware.set_bridge(None)
            self.diagnostics.set_bridge(None)
            self.security.set_bridge(None)
            self.charging.set_bridge(None)
            return
        self.bridge = ui_bridge.EngineBridge(engine, self)
        self.bridge.chargers_changed.connect(self._on_chargers)
        self.bridge.progress.connect(self.configure.on_progress)
        self.bridge.progress.connect(self.commission.on_progress)
        self.bridge.progress.connect(self.firmware.on_progress)
        self.bridge.progress.connect(self.diagnostics.on_progress)
        self.bridge.progress.connect(self.security.on_progress)
        self.bridge.refused.connect(self._on_refused)
        self.bridge.failed.connect(self.message_bar.show_error)
        self.bridge.frames_arrived.connect(self.log.on_frames_arrived)
        self.detail.set_bridge(self.bridge)
        self.configure.set_bridge(self.bridge)
        self.commission.set_bridge(self.bridge)
        self.firmware.set_bridge(self.bridge)
        self.diagnostics.set_bridge(self.bridge)
        self.security.set_bridge(self.bridge)
        self.charging.set_bridge(self.bridge)
        self.connection.set_listening(engine.server.port, engine.config.host)
        status = files_view.server_status(engine)
        self.connection.set_file_server(status.urls, status.message, status.hint)
        self.bridge.refresh_chargers()
        self._update_status([])

    def _update_status(self, infos: list[model.ChargerInfo]) -> None:
        """The message bar's quiet line: where the CSMS listens and how many chargers are there."""
        engine = self.core.engine
        if engine is None:
            self.message_bar.set_idle(self.tr("The CSMS is not running."))
            return
        connected = sum(1 for info in infos if info.connected)
        self.message_bar.set_idle(self.tr("CSMS listening on port {0} · {1} charger(s) connected").format(
            engine.server.port, connected))

    def _call(self, charger_id: str, action: str, payload: dict):
        if self.bridge is None:
            raise errors.CsmsError(self.tr("The CSMS is not running."), hint=self.tr("Check the port in Settings."))
        return self.bridge.call(charger_id, action, payload)

    # ------------------------------------------------------------------ slots

    @QtCore.Slot(list)
    def _on_chargers(self, infos: list[model.ChargerInfo]) -> None:
        self.chargers.update(infos)
        self.firmware.set_chargers(infos)
        self.charging.toolbox.balance.set_chargers(infos)
        self.console.on_chargers(infos)
        self._update_status(infos)
        # The connection panel gives its room back once a charger is there.
        self.connection.set_compact(any(info.connected for info in infos))
        # No charger yet: the connection steps get the whole column, not an empty list.
        self.chargers_label.setVisible(bool(self.chargers.rowCount()))
        self.charger_view.setVisible(bool(self.chargers.rowCount()))
        if self.chargers.rowCount():
            self.center.setCurrentWidget(self.workspace)
            if not self.charger_view.currentIndex().isValid():
                self.charger_view.selectRow(0)
        elif not self._console_wanted:
            self.center.setCurrentWidget(self.empty)
        current = self.charger_view.currentIndex()
        if current.isValid():
            self._show(self.chargers.charger(current.row()))
        elif self.detail.info is not None:  # the shown charger was forgotten
            self._show(None)
        if self._connecting is not None:
            info = next((i for i in infos if i.charger_id == self._connecting), None)
            if info is not None and info.connected and info.boot_status:
                # The "…is connecting…" notice gives way to what happened.
                self._connecting = None
                self.message_bar.show_message("success", self.tr("Demo charger {0} is connected (boot {1}).").format(
                    info.charger_id, info.boot_status))

    def _on_current_changed(self, current: QtCore.QModelIndex, _previous: QtCore.QModelIndex) -> None:
        if current.isValid():
            self._show(self.chargers.charger(current.row()))

    def _show(self, info: model.ChargerInfo | None) -> None:
        if info == self.detail.info and info is not None:
            return  # unchanged: no need to rebuild the pages
        switched = (info.charger_id if info else None) != (self.detail.info.charger_id if self.detail.info else None)
        self.workspace.set_charger(info)
        self.detail.set_charger(info, self.core.settings.csms.mode_for(info.charger_id) if info else None)
        self.configure.set_charger(info)
        self.commission.set_charger(info)
        self.firmware.set_charger(info)
        self.diagnostics.set_charger(info)
        self.security.set_charger(info)
        self.charging.set_charger(info)
        if info is None:
            self.send_panel.set_charger(None, None)
            return
        self.send_panel.set_transactions(info.transactions)  # first: the form it loads is prefilled from them
        self.send_panel.set_charger(info.charger_id if info.connected else None, info.ocpp_version or None)
        if switched:
            self.log.set_charger_filter(info.charger_id)  # the Messages page: this charger's frames

    def show_page(self, index: int) -> None:
        if self.center.currentWidget() is self.workspace:
            self.workspace.pages.setCurrentIndex(index)

    def open_console(self) -> None:
        """The serial console, with or without a charger connected."""
        self._console_wanted = True
        self.center.setCurrentWidget(self.workspace)
        self.workspace.show_page(self.console)
        self.console.port.setFocus()

    def follow_charger(self, charger_id: str) -> None:
        """A charger set up over the console connected: show it, on its Overview."""
        for row in range(self.chargers.rowCount()):
            if self.chargers.charger(row).charger_id == charger_id:
                self.center.setCurrentWidget(self.workspace)
                self.charger_view.selectRow(row)
                self.workspace.show_page(self.detail)
                return

    def show_all_messages(self) -> None:
        self.center.setCurrentWidget(self.workspace)
        self.workspace.show_page(self.log)
        self.log.set_charger_filter(None)

    def _on_refused(self, event: model.ConnectionRefused) -> None:
        """A charger knocked and was turned away: the technician needs to know why, now."""
        who = display.safe(event.charger_id) if event.charger_id not in ("", "?") else self.tr("A charger")
        self.message_bar.show_message("warning", self.tr("{0} tried to connect and was refused: {1} (HTTP {2}).").format(
            who, display.safe(event.reason), event.status), "settings", self.tr("Open Settings…"))

    def _refresh_ages(self) -> None:
        if self.detail.info is not None:  # its "last message … ago" lines
            info = self.detail.info
            self.detail.set_charger(info, self.core.settings.csms.mode_for(info.charger_id))
            self.workspace.set_charger(info)
        rows = self.chargers.rowCount()
        if rows:
            column = charger_list.ChargerListModel.LAST
            self.chargers.dataChanged.emit(self.chargers.index(0, column), self.chargers.index(rows - 1, column))

    def _offer_unfinished_runs(self) -> None:
        """After a crash or a closed laptop: the commissioning that was under way, to carry on."""
        try:
            unfinished = run_service.to_carry_on(self.core.runs)
        except errors.CommissionerError as exc:
            self.message_bar.show_error(exc)
            return
        self._unfinished = unfinished
        if unfinished:
            names = ", ".join(display.safe(r.charger_id) for r in unfinished[:3]) + ("…" if len(unfinished) > 3 else "")
            self.message_bar.show_message("info", self.tr(
                "{0} commissioning run(s) not finished: {1}. Show opens it on the Commission page, to carry on.").format(
                len(unfinished), names), "carry_on", self.tr("Show"))

    def _on_message_action(self, action: str) -> None:
        if action == "settings":
            self.open_settings()
        elif action == "carry_on" and getattr(self, "_unfinished", None):
            run = self._unfinished[0]
            row = self.chargers.row_of(run.charger_id)
            if row >= 0:
                self.charger_view.selectRow(row)
            else:  # not connected yet: its page shows the run as soon as it is selected
                self._show(model.ChargerInfo(run.charger_id))
                self.center.setCurrentWidget(self.workspace)
            self.workspace.show_page(self.commission)

    @qasync.asyncSlot(str)
    async def start_demo(self, version: str) -> None:
        if self.core.demo is None:
            self.message_bar.show_error(errors.CsmsError(
                self.tr("Demo chargers need the CSMS to be running."), hint=self.tr("Fix the port in Settings first.")))
            return
        try:
            charger_id = await self.core.start_demo(version)
        except errors.CommissionerError as exc:
            self.message_bar.show_error(exc)
            return
        self._connecting = charger_id
        self.message_bar.show_message("info", self.tr("Demo charger {0} (OCPP {1}) is connecting…").format(
            charger_id, version))

    @qasync.asyncSlot(str, object)
    async def _set_charger_mode(self, charger_id: str, mode: model.Mode) -> None:
        try:
            await self.core.set_charger_mode(charger_id, mode)
        except errors.CommissionerError as exc:
            self.message_bar.show_error(exc)
            return
        self.message_bar.show_message("success", self.tr("{0}: {1} compliance checks.").format(
            charger_id, self.tr("strict") if mode is model.Mode.STRICT else self.tr("tolerant")))

    def forget_charger(self, charger_id: str) -> None:
        """Drop a disconnected charger from the list (its frames stay in the journal)."""
        if self.bridge is None:
            return
        bridge = self.bridge
        future = bridge.run(bridge.engine.forget(charger_id))
        future.add_done_callback(lambda _f: bridge.refresh_chargers())

    @qasync.asyncSlot()
    async def stop_demos(self) -> None:
        try:
            stopped = await self.core.stop_demos()  # on the engine loop: the window stays responsive
        except errors.CommissionerError as exc:
            self.message_bar.show_error(exc)
            return
        if stopped:
            self.message_bar.show_message("info", self.tr("{0} demo charger(s) stopped.").format(stopped))

    def open_settings(self) -> None:
        """A window-modal dialog, opened without a nested event loop; applied when accepted."""
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()
            self.settings_dialog.activateWindow()
            return
        dialog = settings_dialog.SettingsDialog(self.core.settings, self)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda code, d=dialog: self._settings_finished(d, code))
        self.settings_dialog = dialog
        dialog.open()

    def _settings_finished(self, dialog: settings_dialog.SettingsDialog, code: int) -> None:
        self.settings_dialog = None
        if code != QtWidgets.QDialog.DialogCode.Accepted.value:
            return
        new = dialog.result_settings()
        busy = sorted(self.security.running) if self._restarts(new) else []
        if busy and not dialogs.confirm(self, self.tr("Restart the CSMS?"), self.tr(
                "Saving these settings restarts the CSMS, which stops the security upgrade of {0} under way. The "
                "charger keeps what it took so far (see the steps on its Security page). Save anyway?").format(
                ", ".join(display.safe(c) for c in busy))):
            self.message_bar.show_message("info", self.tr("Settings not saved: the upgrade goes on."))
            return
        self.apply_settings(new)

    def _restarts(self, new) -> bool:
        """Whether these settings restart the CSMS (its listeners, the file server, TLS)."""
        old = self.core.settings.csms
        moved = (new.csms.host, new.csms.port) != (old.host, old.port)
        # The file server starts with the CSMS: a change of it needs a restart that apply_settings does not do.
        files_changed = (new.csms.file_server, new.csms.http_port, new.csms.ftp_port) != (
            old.file_server, old.http_port, old.ftp_port)
        # So do the wss:// listener and its TLS context (Core restarts for them): the bridge goes first.
        tls_changed = (app_core.tls_wanted(new.csms), new.csms.tls_port, new.csms.ca_dir, new.csms.renew_expired) != (
            app_core.tls_wanted(old), old.tls_port, old.ca_dir, old.renew_expired)
        return moved or files_changed or tls_changed

    @qasync.asyncSlot(object)
    async def apply_settings(self, new) -> None:
        restart = self._restarts(new)
        old = self.core.settings.csms  # the file server needs a restart Core.apply_settings does not do
        files_changed = (new.csms.file_server, new.csms.http_port, new.csms.ftp_port) != (
            old.file_server, old.http_port, old.ftp_port)
        if restart and self.bridge is not None:
            self.bridge.close()  # it must not outlive the engine it listens to
            self.bridge = None
        self.message_bar.show_message("info", self.tr("Applying settings…"))
        self.settings_action.setEnabled(False)
        failure: errors.CommissionerError | None = None
        try:
            # Stopping the engine waits for connections to close: Core does that off this thread.
            restarted = await self.core.apply_settings(new)
            if files_changed and not restarted:
                await self.core.restart()
                restarted = True
        except errors.CommissionerError as exc:
            restarted, failure = self.core.engine is None, exc
        finally:
            self.settings_action.setEnabled(True)
        if restarted or self.bridge is None:
            self.attach()  # shows start_error and what to do when the CSMS could not start
        if failure is not None:
            if self.core.engine is not None:
                self.message_bar.show_error(failure)
        elif self.core.engine is not None:
            text = (self.tr("Settings saved; the CSMS now listens on port {0}.") if restarted else
                    self.tr("Settings saved and applied; chargers stay connected (port {0})."))
            self.message_bar.show_message("success", text.format(self.core.engine.server.port))

    def ask(self, title: str, text: str) -> bool:
        return dialogs.confirm(self, title, text)

    def running_sessions(self) -> list[str]:
        """Connected chargers with a charging session open."""
        return [info.charger_id for row in range(self.chargers.rowCount())
                if (info := self.chargers.charger(row)).connected and info.transactions]

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 (Qt API)
        charging = self.running_sessions()
        if charging and not self.ask(self.tr("Quit Commissioner"), self.tr(
                "A charging session is running on {0}. Quitting stops the CSMS: the charger loses its "
                "backend connection. Quit anyway?").format(", ".join(display.safe(c) for c in charging))):
            event.ignore()
            return
        self.console.shutdown()
        if self.bridge is not None:
            self.bridge.close()
            self.bridge = None
        super().closeEvent(event)
