"""The Diagnostics page: get the charger's diagnostics or security log onto this laptop, follow it,
and work with the files the charger sent (open, show in folder, list an archive, attach to a run).

The request is services.diagnostics.collect as an owned engine task; its timeline is in sqlite
(Core.runs) and re-read whenever an event of this charger arrives. The files come from the file
server's uploads folder (services.files_view).
"""

from __future__ import annotations

import asyncio
import datetime
import pathlib
from typing import Callable

import qasync
from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import display, errors, jobs, model, runs
from app.services import diagnostics, files_view
from app.services import runs as run_service
from app.ui import bound, job_view

LOG_TASK = "Get log"
RECEIVED_COLUMNS = ("File", "Size", "Received", "State", "Via")


class DiagnosticsPage(QtWidgets.QWidget):
    error = QtCore.Signal(object)
    notice = QtCore.Signal(str, str)

    def __init__(self, core, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.bridge = None
        self.info: model.ChargerInfo | None = None
        self.running: dict[str, object] = {}
        self.files: list[files_view.Received] = []
        self.members: list[tuple[str, int]] = []
        # The commissioning run files are attached to (the Commission page's): set by the window.
        self.current_run: Callable[[], runs.Run | None] = lambda: None
        layout = QtWidgets.QVBoxLayout(self)

        request = QtWidgets.QGroupBox(self.tr("Ask the charger for a log"))
        row = QtWidgets.QHBoxLayout(request)
        self.diagnostics_button = QtWidgets.QPushButton(self.tr("Get diag&nostics log"))
        self.diagnostics_button.clicked.connect(lambda: self.get_log(jobs.Kind.DIAGNOSTICS))
        row.addWidget(self.diagnostics_button)
        self.security_button = QtWidgets.QPushButton(self.tr("Get s&ecurity log"))
        self.security_button.clicked.connect(lambda: self.get_log(jobs.Kind.SECURITY_LOG))
        row.addWidget(self.security_button)
        row.addWidget(QtWidgets.QLabel(self.tr("Upload over")))
        self.via = QtWidgets.QComboBox()
        self.via.addItem(self.tr("FTP"), "ftp")
        self.via.addItem(self.tr("HTTP"), "http")
        self.via.setToolTip(self.tr("How the charger sends the file to this laptop; most chargers only do FTP"))
        row.addWidget(self.via)
        self.ranged = QtWidgets.QCheckBox(self.tr("Only from"))
        self.ranged.setToolTip(self.tr("Unticked: the whole log the charger keeps"))
        row.addWidget(self.ranged)
        now = QtCore.QDateTime.currentDateTime()
        self.since = QtWidgets.QDateTimeEdit(now.addDays(-1))
        self.until = QtWidgets.QDateTimeEdit(now)
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setEnabled(False)
            self.ranged.toggled.connect(edit.setEnabled)
        row.addWidget(self.since)
        row.addWidget(QtWidgets.QLabel(self.tr("to")))
        row.addWidget(self.until)
        self.cancel_button = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout.addWidget(request)
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        self.job_view = job_view.JobView()
        split.addWidget(self.job_view)
        received = QtWidgets.QGroupBox(self.tr("Files received from this charger"))
        box = QtWidgets.QVBoxLayout(received)
        buttons = QtWidgets.QHBoxLayout()
        self.open_button = QtWidgets.QPushButton(self.tr("O&pen"))
        self.open_button.setToolTip(self.tr("Open the file with the program the system uses for it"))
        self.open_button.clicked.connect(self.open_file)
        buttons.addWidget(self.open_button)
        self.folder_button = QtWidgets.QPushButton(self.tr("Show in folde&r"))
        self.folder_button.clicked.connect(self.show_folder)
        buttons.addWidget(self.folder_button)
        self.contents_button = QtWidgets.QPushButton(self.tr("Conten&ts"))
        self.contents_button.setToolTip(self.tr("List the files inside the archive"))
        self.contents_button.clicked.connect(lambda: self.list_contents())
        buttons.addWidget(self.contents_button)
        self.attach_button = QtWidgets.QPushButton(self.tr("Attach to r&un"))
        self.attach_button.setToolTip(self.tr("Keep a copy with this charger's open commissioning run, for its report"))
        self.attach_button.clicked.connect(self.attach_to_run)
        buttons.addWidget(self.attach_button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        lists = QtWidgets.QHBoxLayout()
        self.received = QtWidgets.QTableWidget(0, len(RECEIVED_COLUMNS))
        self.received.setHorizontalHeaderLabels([self.tr(c) for c in RECEIVED_COLUMNS])
        self.received.verticalHeader().hide()
        self.received.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.received.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.received.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.received.horizontalHeader().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.received.itemSelectionChanged.connect(self._on_file_selected)
        self.received.doubleClicked.connect(lambda _index: self.open_file())
        lists.addWidget(self.received, 3)
        self.contents = QtWidgets.QTableWidget(0, 2)
        self.contents.setHorizontalHeaderLabels([self.tr("Inside the archive"), self.tr("Size")])
        self.contents.verticalHeader().hide()
        self.contents.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.contents.horizontalHeader().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.contents.hide()
        lists.addWidget(self.contents, 2)
        box.addLayout(lists)
        split.addWidget(received)
        layout.addWidget(split, 1)
        self.set_charger(None)

    # ------------------------------------------------------------------ wiring

    def set_bridge(self, bridge) -> None:
        bound.follow_events(self.bridge, bridge, self.on_events)
        self.bridge = bridge
        self._update()

    def set_charger(self, info: model.ChargerInfo | None) -> None:
        switched = (info.charger_id if info else None) != (self.info.charger_id if self.info else None)
        self.info = info
        if switched:
            self.job_view.reset_bytes()
            self.reload_job()
            self.reload_files()
            self._show_members(None)
        self._update()

    # ------------------------------------------------------------------ the request

    def options(self) -> diagnostics.Options:
        since = until = None
        if self.ranged.isChecked():
            since = self.since.dateTime().toPython().astimezone(datetime.timezone.utc)
            until = self.until.dateTime().toPython().astimezone(datetime.timezone.utc)
        return diagnostics.Options(via=self.via.currentData(), since=since, until=until)

    def get_log(self, kind: jobs.Kind) -> None:
        if self.info is None or self.bridge is None or self.info.charger_id in self.running:
            return
        options = self.options()
        if options.since is not None and options.until is not None and options.since >= options.until:
            self.error.emit(errors.ConfigError(self.tr("The time range ends before it starts."),
                                               hint=self.tr("Put the later time on the right, or untick Only from.")))
            return
        self._collect(self.info.charger_id, kind, options)

    @qasync.asyncSlot(str, object, object)
    async def _collect(self, charger_id: str, kind: jobs.Kind, options: diagnostics.Options) -> None:
        engine, store = self.bridge.engine, self.core.runs

        async def work(reporter):
            return await diagnostics.collect(engine, store, charger_id, kind=kind, options=options, report=reporter)

        future = self.bridge.run_task(LOG_TASK, charger_id, work)
        self.running[charger_id] = future
        self.job_view.reset_bytes()
        self._update()
        job = None
        try:
            job = await future
        except errors.CommissionerError as exc:
            self.error.emit(exc)
        except asyncio.CancelledError:
            pass
        finally:
            self.running.pop(charger_id, None)
        if self.info is not None and self.info.charger_id == charger_id:
            self.reload_job()
            self.reload_files()
            if job is not None and job.outcome is jobs.Outcome.DONE:
                self._select_file(job.detail.get("file", ""))
        self._update()

    def cancel(self) -> None:
        future = self.running.get(self.info.charger_id) if self.info else None
        if future is not None:
            future.cancel()

    # ------------------------------------------------------------------ live

    def on_events(self, batch: list) -> None:
        if self.info is None:
            return
        charger_id = self.info.charger_id
        relevant = arrived = False
        for event in batch:
            if getattr(event, "charger_id", None) != charger_id or isinstance(event, model.FrameEvent):
                continue
            relevant = True
            if isinstance(event, model.Transfer) and event.direction == "upload":
                self.job_view.set_bytes(event.done, event.total, self.tr("Received from the charger"))
                arrived = arrived or event.state in ("complete", "partial")
        if relevant and (self.running.get(charger_id) is not None or arrived):
            self.reload_job()
        if arrived:
            self.reload_files()

    def on_progress(self, progress: model.Progress) -> None:
        if self.info is None or progress.charger_id != self.info.charger_id or progress.name != LOG_TASK:
            return
        self.reload_job()

    def reload_job(self) -> None:
        """The charger's newest log request, of either kind."""
        found: list[jobs.Job] = []
        if self.info is not None:
            try:
                found = [j for kind in (jobs.Kind.DIAGNOSTICS, jobs.Kind.SECURITY_LOG)
                         for j in self.core.runs.jobs(self.info.charger_id, kind, limit=1)]
            except errors.CommissionerError as exc:
                self.error.emit(exc)
        newest = max(found, key=lambda j: (j.started_ms, j.id), default=None)
        self.job_view.show_job(newest)

    # ------------------------------------------------------------------ the files

    def reload_files(self) -> None:
        selected = self.selected_file()
        try:
            self.files = files_view.received(self.core.data_dir, self.info.charger_id) if self.info else []
        except errors.CommissionerError as exc:
            self.files = []
            self.error.emit(exc)
        vias: dict[int | None, str] = {}  # how each file came: the request's (the file name does not say)
        if self.info is not None:
            try:
                vias = {j.request_id: str(j.detail.get("via", "")) for j in self.core.runs.jobs(self.info.charger_id)
                        if j.kind is not jobs.Kind.FIRMWARE}
            except errors.CommissionerError:
                vias = {}
        self.received.setRowCount(len(self.files))
        for row, found in enumerate(self.files):
            state = self.tr("complete") if found.complete else self.tr("PARTIAL: the upload broke off")
            cells = (found.name, job_view.bytes_text(found.size), job_view.day_text(found.received_ms), state,
                     (found.via or vias.get(found.request_id) or "—").upper())
            for column, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if column == 0:
                    item.setToolTip(str(found.path))
                if column == 3 and not found.complete:
                    item.setForeground(QtGui.QColor(job_view.RED))
                self.received.setItem(row, column, item)
        self.received.resizeColumnsToContents()
        self.received.horizontalHeader().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        if selected is not None:
            self._select_file(str(selected.path))
        elif self.files:
            self.received.selectRow(0)
        self._update()

    def _select_file(self, path: str) -> None:
        for row, found in enumerate(self.files):
            if str(found.path) == str(path):
                self.received.selectRow(row)
                return

    def selected_file(self) -> files_view.Received | None:
        rows = self.received.selectionModel().selectedRows() if self.received.selectionModel() else []
        if not rows or not 0 <= rows[0].row() < len(self.files):
            return None
        return self.files[rows[0].row()]

    def _on_file_selected(self) -> None:
        self._show_members(None)
        self._update()

    def open_file(self) -> None:
        found = self.selected_file()
        if found is not None:
            QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(found.path)))

    def show_folder(self) -> None:
        found = self.selected_file()
        if found is not None:
            QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(pathlib.Path(found.path).parent)))

    @qasync.asyncSlot()
    async def list_contents(self) -> None:
        found = self.selected_file()
        if found is None:
            return
        self.contents_button.setEnabled(False)
        try:
            members = await files_view.archive_members(found.path)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        except (OSError, ValueError, EOFError) as exc:  # not an archive, or a partial one
            self.error.emit(errors.StorageError(
                self.tr("{0} cannot be read as an archive: {1}").format(found.name, exc),
                hint=self.tr("A partial upload cannot be unpacked; get the log again. Otherwise open it with Open.")))
            return
        finally:
            self._update()
        if self.selected_file() is found:
            self._show_members(members)

    def _show_members(self, members: list[tuple[str, int]] | None) -> None:
        self.members = members or []
        self.contents.setVisible(members is not None)
        self.contents.setRowCount(len(self.members))
        for row, (name, size) in enumerate(self.members):
            self.contents.setItem(row, 0, QtWidgets.QTableWidgetItem(name))
            self.contents.setItem(row, 1, QtWidgets.QTableWidgetItem(job_view.bytes_text(size)))
        if members is not None and not members:
            self.contents.setRowCount(1)
            self.contents.setItem(0, 0, QtWidgets.QTableWidgetItem(self.tr("(a single file, not an archive)")))

    def attach_to_run(self) -> None:
        found = self.selected_file()
        if found is None:
            return
        run = self.current_run()
        if run is None or run.ended_ms:
            self.error.emit(errors.ConfigError(
                self.tr("No commissioning run of {0} is open: the file was not attached.").format(
                    display.safe(found.charger_id)),
                hint=self.tr("Start one on the Commission page (New run), then attach the file again.")))
            return
        label = self.tr("Charger log {0}").format(found.name)
        try:
            run_service.attach(self.core.runs, self.core.data_dir, run, "log", label, source=found.path,
                               name=found.name)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        self.notice.emit("success", self.tr("{0} is attached to run {1}.").format(found.name, run.id))

    # ------------------------------------------------------------------ state

    def _update(self) -> None:
        connected = self.info is not None and self.info.connected and self.bridge is not None
        running = self.info is not None and self.info.charger_id in self.running
        for button in (self.diagnostics_button, self.security_button):
            button.setEnabled(connected and not running)
        self.cancel_button.setVisible(running)
        chosen = self.selected_file()
        for button in (self.open_button, self.folder_button, self.contents_button, self.attach_button):
            button.setEnabled(chosen is not None)
        if self.info is None:
            self.summary.setText(self.tr("Select a charger to get its logs."))
        elif not self.info.connected:
            self.summary.setText(self.tr("{0} is not connected: its files received before are listed below.").format(
                display.safe(self.info.charger_id)))
        elif running:
            self.summary.setText(self.tr("Waiting for {0} to upload its log to this laptop…").format(
                display.safe(self.info.charger_id)))
        else:
            self.summary.setText(self.tr("The charger uploads the log to this laptop's file server; it appears "
                                         "in the list below."))
