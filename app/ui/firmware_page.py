"""The Firmware page: the firmware library, and updating this charger (or several) from it.

The update is services.firmware.update (or Batch) as an owned engine task; its timeline lives in
sqlite (Core.runs), so the page re-reads the charger's newest firmware job whenever an event of
this charger arrives, and the bar follows the file server's own count of the bytes it served.
"""

from __future__ import annotations

import asyncio
import datetime
import pathlib

import qasync
from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import display, errors, jobs, model
from app.services import files_view, firmware
from app.ui import bound, dialogs, job_view

UPDATE_TASK = "Firmware update"
BATCH_TASK = "Firmware update of several chargers"
LIBRARY_COLUMNS = ("Version", "File", "Size", "SHA-256", "Signed", "Added")
OUTCOME_WORDS = {jobs.Outcome.DONE: "✓ verified", jobs.Outcome.FAILED: "✗ failed",
                 jobs.Outcome.CANCELLED: "cancelled", jobs.Outcome.WAITING: "waiting for the charger",
                 jobs.Outcome.RUNNING: "running…"}


class UpdateOptions(QtWidgets.QGroupBox):
    """How the charger fetches the image: HTTP or FTP, when, how many retries."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(self.tr("Update options"), parent)
        form = QtWidgets.QHBoxLayout(self)
        form.addWidget(QtWidgets.QLabel(self.tr("Fetch over")))
        self.via = QtWidgets.QComboBox()
        self.via.addItem(self.tr("HTTP"), "http")
        self.via.addItem(self.tr("FTP"), "ftp")
        self.via.setToolTip(self.tr("How the charger downloads the image from this laptop; "
                                    "try the other one if the download fails"))
        form.addWidget(self.via)
        self.later = QtWidgets.QCheckBox(self.tr("Download at"))
        self.later.setToolTip(self.tr("Unticked: the charger downloads now"))
        form.addWidget(self.later)
        self.at = QtWidgets.QDateTimeEdit(QtCore.QDateTime.currentDateTime().addSecs(3600))
        self.at.setCalendarPopup(True)
        self.at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.at.setEnabled(False)
        self.later.toggled.connect(self.at.setEnabled)
        form.addWidget(self.at)
        form.addWidget(QtWidgets.QLabel(self.tr("Retries")))
        self.retries = QtWidgets.QSpinBox()
        self.retries.setRange(-1, 20)
        self.retries.setValue(-1)
        self.retries.setSpecialValueText(self.tr("charger's default"))
        form.addWidget(self.retries)
        form.addWidget(QtWidgets.QLabel(self.tr("every")))
        self.interval = QtWidgets.QSpinBox()
        self.interval.setRange(0, 86_400)
        self.interval.setSuffix(self.tr(" s"))
        self.interval.setSpecialValueText(self.tr("charger's default"))
        form.addWidget(self.interval)
        form.addStretch(1)

    def options(self) -> firmware.Options:
        at = None
        if self.later.isChecked():
            at = self.at.dateTime().toPython().astimezone(datetime.timezone.utc)
        return firmware.Options(via=self.via.currentData(), retrieve_at=at,
                                retries=self.retries.value() if self.retries.value() >= 0 else None,
                                retry_interval=self.interval.value() or None)


class BatchDialog(QtWidgets.QDialog):
    """Pick connected chargers and how many update at once."""

    def __init__(self, chargers: list[model.ChargerInfo], image_text: str, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Update several chargers"))
        layout = QtWidgets.QVBoxLayout(self)
        label = QtWidgets.QLabel(self.tr("Install {0} on the chargers ticked below:").format(image_text))
        label.setWordWrap(True)
        layout.addWidget(label)
        self.list = QtWidgets.QListWidget()
        for info in chargers:
            item = QtWidgets.QListWidgetItem(self.tr("{0} · OCPP {1} · firmware {2}").format(
                display.safe(info.charger_id), info.ocpp_version, display.safe(info.firmware or "?")))
            item.setData(QtCore.Qt.ItemDataRole.UserRole, info.charger_id)
            item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(QtCore.Qt.CheckState.Checked)
            self.list.addItem(item)
        layout.addWidget(self.list)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel(self.tr("At most")))
        self.limit = QtWidgets.QSpinBox()
        self.limit.setRange(1, 50)
        self.limit.setValue(2)
        self.limit.setToolTip(self.tr("How many chargers download at the same time (the site's link is shared)"))
        row.addWidget(self.limit)
        row.addWidget(QtWidgets.QLabel(self.tr("at a time")))
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.start = buttons.addButton(self.tr("Start updates"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> list[str]:
        return [self.list.item(i).data(QtCore.Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == QtCore.Qt.CheckState.Checked]


class FirmwarePage(QtWidgets.QWidget):
    error = QtCore.Signal(object)
    notice = QtCore.Signal(str, str)

    def __init__(self, core, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.bridge = None
        self.info: model.ChargerInfo | None = None
        self.chargers: list[model.ChargerInfo] = []  # every charger, for the batch dialog
        self.images: list[files_view.Firmware] = []
        self.running: dict[str, object] = {}  # charger id -> the update's future
        self.batch: firmware.Batch | None = None
        self.batch_future = None
        self.adding = 0  # images being hashed
        self.setAcceptDrops(True)
        layout = QtWidgets.QVBoxLayout(self)

        library = QtWidgets.QGroupBox(self.tr("Firmware library (on this laptop) — drop image files here"))
        box = QtWidgets.QVBoxLayout(library)
        buttons = QtWidgets.QHBoxLayout()
        self.add_button = QtWidgets.QPushButton(self.tr("Add fi&rmware…"))
        self.add_button.setToolTip(self.tr("Copy an image file into the library (its SHA-256 is computed)"))
        self.add_button.clicked.connect(lambda: self.add_files())
        buttons.addWidget(self.add_button)
        self.version_button = QtWidgets.QPushButton(self.tr("&Edit version…"))
        self.version_button.setToolTip(self.tr("The version the charger must report after the update"))
        self.version_button.clicked.connect(lambda: self.edit_version())
        buttons.addWidget(self.version_button)
        self.remove_button = QtWidgets.QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(lambda: self.remove_image())
        buttons.addWidget(self.remove_button)
        self.busy = QtWidgets.QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setFormat(self.tr("Computing SHA-256…"))
        self.busy.setTextVisible(True)
        self.busy.setMaximumWidth(260)
        self.busy.hide()
        buttons.addWidget(self.busy)
        buttons.addStretch(1)
        box.addLayout(buttons)
        self.library = QtWidgets.QTableWidget(0, len(LIBRARY_COLUMNS))
        self.library.setHorizontalHeaderLabels([self.tr(c) for c in LIBRARY_COLUMNS])
        self.library.verticalHeader().hide()
        self.library.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.library.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.library.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.library.horizontalHeader().setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.library.setMaximumHeight(120)
        self.library.itemSelectionChanged.connect(self._update)
        box.addWidget(self.library)
        layout.addWidget(library)

        self.options = UpdateOptions()
        layout.addWidget(self.options)
        actions = QtWidgets.QHBoxLayout()
        self.update_button = QtWidgets.QPushButton(self.tr("&Update this charger"))
        self.update_button.clicked.connect(lambda: self.update_charger())
        actions.addWidget(self.update_button)
        self.batch_button = QtWidgets.QPushButton(self.tr("Update &several…"))
        self.batch_button.clicked.connect(lambda: self.update_several())
        actions.addWidget(self.batch_button)
        self.cancel_button = QtWidgets.QPushButton(self.tr("Cancel upda&te"))
        self.cancel_button.setToolTip(self.tr("Stop following this update and stop serving the image to the charger"))
        self.cancel_button.clicked.connect(self.cancel)
        actions.addWidget(self.cancel_button)
        self.cancel_pending_button = QtWidgets.QPushButton(self.tr("Cancel &pending"))
        self.cancel_pending_button.setToolTip(self.tr("Drop the chargers of the batch that have not started yet"))
        self.cancel_pending_button.clicked.connect(self.cancel_pending)
        actions.addWidget(self.cancel_pending_button)
        self.batch_status = QtWidgets.QLabel()
        actions.addWidget(self.batch_status, 1)
        layout.addLayout(actions)
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        past = QtWidgets.QWidget()
        past_layout = QtWidgets.QVBoxLayout(past)
        past_layout.setContentsMargins(0, 0, 0, 0)
        past_layout.addWidget(QtWidgets.QLabel(self.tr("Updates of this charger")))
        self.history = QtWidgets.QListWidget()
        self.history.currentRowChanged.connect(self._show_history)
        past_layout.addWidget(self.history)
        split.addWidget(past)
        self.job_view = job_view.JobView()
        split.addWidget(self.job_view)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([260, 800])
        layout.addWidget(split, 1)
        self.jobs: list[jobs.Job] = []
        self.reload_library()
        self.set_charger(None)

    # ------------------------------------------------------------------ wiring

    def set_bridge(self, bridge) -> None:
        bound.follow_events(self.bridge, bridge, self.on_events)
        self.bridge = bridge
        self._update()

    def set_chargers(self, infos: list[model.ChargerInfo]) -> None:
        self.chargers = infos

    def set_charger(self, info: model.ChargerInfo | None) -> None:
        switched = (info.charger_id if info else None) != (self.info.charger_id if self.info else None)
        self.info = info
        if switched:
            self.job_view.reset_bytes()
            self.reload_jobs(select_newest=True)
        self._update()

    # ------------------------------------------------------------------ the library

    def reload_library(self) -> None:
        selected = self.selected_image()
        try:
            self.images = files_view.images(self.core.data_dir)
        except errors.CommissionerError as exc:
            self.images = []
            self.error.emit(exc)
        self.library.setRowCount(len(self.images))
        for row, image in enumerate(self.images):
            signed = self.tr("yes") if image.signature else self.tr("no")
            cells = (image.version or self.tr("(no version)"), image.name, job_view.bytes_text(image.size),
                     image.sha256[:12] + "…", signed, job_view.day_text(image.added_ms))
            for column, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if column == 3:
                    item.setToolTip(image.sha256)
                self.library.setItem(row, column, item)
        self.library.resizeColumnsToContents()
        self.library.horizontalHeader().setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.Stretch)
        ids = [image.id for image in self.images]
        if selected is not None and selected.id in ids:
            self.library.selectRow(ids.index(selected.id))
        elif self.images:
            self.library.selectRow(0)
        self._update()

    def selected_image(self) -> files_view.Firmware | None:
        rows = self.library.selectionModel().selectedRows() if self.library.selectionModel() else []
        if not rows or not 0 <= rows[0].row() < len(self.images):
            return None
        return self.images[rows[0].row()]

    def add_files(self, paths: list[str] | None = None) -> None:
        if paths is None:
            paths, _filter = QtWidgets.QFileDialog.getOpenFileNames(
                self, self.tr("Add firmware to the library"), "",
                self.tr("Firmware images (*.bin *.img *.fw *.hex *.tar *.gz *.tgz *.zip *.swu *.raucb *.signed);;"
                        "All files (*)"))
        for path in paths:
            self._add(pathlib.Path(path))

    @qasync.asyncSlot(object)
    async def _add(self, path: pathlib.Path) -> None:
        self.adding += 1
        self.busy.setFormat(self.tr("Computing SHA-256 of {0}…").format(path.name))
        self._update()
        try:
            image = await files_view.add_image(self.core.data_dir, path)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        except OSError as exc:
            self.error.emit(errors.StorageError(
                self.tr("Cannot add {0} to the library: {1}.").format(path.name, exc.strerror or exc),
                hint=self.tr("Check that the file is readable and that the data folder's disk is not full.")))
            return
        finally:
            self.adding -= 1
            self._update()
        self.reload_library()
        ids = [i.id for i in self.images]
        if image.id in ids:
            self.library.selectRow(ids.index(image.id))
        self.notice.emit("success", self.tr("{0} added (version {1}, {2}).").format(
            image.name, image.version or self.tr("not known: set it with Edit version"), job_view.bytes_text(image.size)))

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        files = [p for p in paths if pathlib.Path(p).is_file()]
        if len(files) < len(paths):
            self.error.emit(errors.ConfigError(self.tr("Only files can be added, not folders."),
                                               hint=self.tr("Drop the image file itself.")))
        event.acceptProposedAction()
        self.add_files(files)

    def edit_version(self, version: str | None = None) -> None:
        image = self.selected_image()
        if image is None:
            return
        if version is None:
            version, ok = QtWidgets.QInputDialog.getText(
                self, self.tr("Version of {0}").format(image.name),
                self.tr("The version the charger reports after installing {0}:").format(image.name),
                text=image.version)
            if not ok:
                return
        try:
            files_view.set_version(self.core.data_dir, image.id, version)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
        self.reload_library()

    def remove_image(self) -> None:
        image = self.selected_image()
        if image is None:
            return
        if not dialogs.confirm(self, self.tr("Remove firmware"), self.tr(
                "Remove {0} ({1}) from the library? The file is deleted from the data folder.").format(
                image.name, image.version or self.tr("no version"))):
            return
        try:
            files_view.remove_image(self.core.data_dir, image.id)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
        self.reload_library()

    # ------------------------------------------------------------------ updates

    def _image_text(self, image: files_view.Firmware) -> str:
        return self.tr("{0} (version {1})").format(image.name, image.version or self.tr("not known"))

    def update_charger(self) -> None:
        image = self.selected_image()
        if self.info is None or self.bridge is None or image is None:
            return
        charger_id = self.info.charger_id
        if not dialogs.confirm(self, self.tr("Update firmware"), self.tr(
                "Install {0} on {1}? The charger downloads it, installs it and reboots: charging stops "
                "for a few minutes.").format(self._image_text(image), display.safe(charger_id))):
            return
        self._start(charger_id, image, self.options.options())

    @qasync.asyncSlot(str, object, object)
    async def _start(self, charger_id: str, image, options: firmware.Options) -> None:
        engine, store = self.bridge.engine, self.core.runs

        async def work(reporter):
            return await firmware.update(engine, store, image, charger_id, options=options, report=reporter)

        future = self.bridge.run_task(UPDATE_TASK, charger_id, work)
        self.running[charger_id] = future
        self.job_view.reset_bytes()
        self._update()
        try:
            job = await future
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            job = None
        except asyncio.CancelledError:  # the technician's Cancel: the timeline says so
            job = None
        finally:
            self.running.pop(charger_id, None)
        if self.info is not None and self.info.charger_id == charger_id:
            self.reload_jobs(select_newest=True)
        if job is not None:
            level = "success" if job.outcome is jobs.Outcome.DONE else "error"
            self.notice.emit(level, self.tr("{0}: {1}").format(display.safe(charger_id), job.message))
        self._update()

    def update_several(self, dialog: BatchDialog | None = None) -> None:
        image = self.selected_image()
        if self.bridge is None or image is None:
            return
        connected = [c for c in self.chargers if c.connected]
        if not connected:
            self.error.emit(errors.ConfigError(self.tr("No charger is connected: there is nothing to update."),
                                               hint=self.tr("Chargers appear in the list once they connect.")))
            return
        dialog = dialog or BatchDialog(connected, self._image_text(image), self)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted.value:
            return
        ids = dialog.chosen()
        if ids:
            self._run_batch(image, ids, dialog.limit.value(), self.options.options())

    @qasync.asyncSlot(object, object, int, object)
    async def _run_batch(self, image, ids: list[str], limit: int, options: firmware.Options) -> None:
        engine, store = self.bridge.engine, self.core.runs
        page = self

        async def work(reporter):
            page.batch = firmware.Batch(engine, store, image, ids, limit=limit, options=options, report=reporter)
            return await page.batch.run()

        self.batch_future = self.bridge.run_task(BATCH_TASK, "", work)
        self.batch_status.setText(self.tr("Updating {0} charger(s), {1} at a time…").format(len(ids), limit))
        self._update()
        try:
            results = await self.batch_future
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            results = {}
        finally:
            self.batch_future = None
            self.batch = None
        verified = sum(1 for r in results.values() if isinstance(r, jobs.Job) and r.outcome is jobs.Outcome.DONE)
        self.batch_status.setText(self.tr("Batch finished: {0} of {1} verified.").format(verified, len(ids)))
        failed = [f"{cid}: {r.message if isinstance(r, jobs.Job) else r}" for cid, r in results.items()
                  if not (isinstance(r, jobs.Job) and r.outcome is jobs.Outcome.DONE)]
        self.notice.emit("success" if not failed else "warning", self.tr(
            "Firmware batch: {0} of {1} verified.").format(verified, len(ids)) + (" " + "; ".join(failed[:3]) if failed else ""))
        self.reload_jobs(select_newest=True)
        self._update()

    def cancel(self) -> None:
        future = self.running.get(self.info.charger_id) if self.info else None
        if future is not None:
            future.cancel()

    @qasync.asyncSlot()
    async def cancel_pending(self) -> None:
        batch = self.batch
        if batch is None or self.bridge is None:
            return

        async def drop():
            return batch.cancel_pending()

        dropped = await self.bridge.run(drop())  # the batch belongs to the engine loop
        self.notice.emit("info", self.tr("{0} charger(s) will not be updated: {1}").format(
            len(dropped), ", ".join(dropped) or self.tr("none was waiting")))

    # ------------------------------------------------------------------ live

    def on_events(self, batch: list) -> None:
        if self.info is None:
            return
        charger_id = self.info.charger_id
        relevant = False
        for event in batch:
            if getattr(event, "charger_id", None) != charger_id or isinstance(event, model.FrameEvent):
                continue
            relevant = True
            if isinstance(event, model.Transfer) and event.direction == "download":
                self.job_view.set_bytes(event.done, event.total, self.tr("Served to the charger"))
        if relevant:
            self.reload_jobs()

    def on_progress(self, progress: model.Progress) -> None:
        if progress.name == BATCH_TASK and progress.message:
            self.batch_status.setText(progress.message)
        if self.info is None or progress.charger_id != self.info.charger_id or progress.name != UPDATE_TASK:
            return
        if progress.total > 0:
            self.job_view.set_bytes(progress.done, progress.total, self.tr("Served to the charger"))
        self.reload_jobs()

    def reload_jobs(self, select_newest: bool = False) -> None:
        if self.info is None:
            self.jobs = []
        else:
            try:
                self.jobs = self.core.runs.jobs(self.info.charger_id, jobs.Kind.FIRMWARE, limit=30)
            except errors.CommissionerError as exc:
                self.error.emit(exc)
                self.jobs = []
        current = self.history.currentRow()
        shown = self.job_view.job.id if self.job_view.job else None
        with QtCore.QSignalBlocker(self.history):
            self.history.clear()
            for job in self.jobs:
                detail = job.detail
                text = self.tr("{0} · {1} → {2} · {3}").format(
                    job_view.day_text(job.started_ms), display.safe(detail.get("old_version") or "?"),
                    display.safe(detail.get("version") or detail.get("name", "?")),
                    self.tr(OUTCOME_WORDS.get(job.outcome, job.outcome.value)))
                item = QtWidgets.QListWidgetItem(text)
                item.setForeground(QtGui.QColor(job_view.GREEN if job.outcome is jobs.Outcome.DONE else
                                                job_view.RED if job.outcome is jobs.Outcome.FAILED else
                                                job_view.BLUE))
                self.history.addItem(item)
            ids = [j.id for j in self.jobs]
            if select_newest or shown not in ids:
                row = 0 if self.jobs else -1
            else:
                row = ids.index(shown) if shown in ids else current
            self.history.setCurrentRow(row)
        self.job_view.show_job(self.jobs[row] if 0 <= row < len(self.jobs) else None)
        self._update()

    def _show_history(self, row: int) -> None:
        self.job_view.show_job(self.jobs[row] if 0 <= row < len(self.jobs) else None)

    # ------------------------------------------------------------------ state

    def _update(self) -> None:
        image = self.selected_image()
        connected = self.info is not None and self.info.connected and self.bridge is not None
        running = self.info is not None and self.info.charger_id in self.running
        self.busy.setVisible(self.adding > 0)
        self.version_button.setEnabled(image is not None)
        self.remove_button.setEnabled(image is not None)
        self.update_button.setEnabled(connected and image is not None and not running and self.batch_future is None)
        self.batch_button.setEnabled(self.bridge is not None and image is not None and self.batch_future is None)
        self.cancel_button.setVisible(running)
        self.cancel_pending_button.setVisible(self.batch_future is not None)
        self.batch_status.setVisible(bool(self.batch_status.text()))
        if not self.images:
            text = self.tr("The library is empty: add the image file from the charger's vendor with Add firmware… "
                           "or drop it on this page.")
        elif self.info is None:
            text = self.tr("Select a charger to update it.")
        elif not self.info.connected:
            text = self.tr("{0} is not connected: it can be updated once it is back.").format(
                display.safe(self.info.charger_id))
        elif image is None:
            text = self.tr("Select the image to install in the library above.")
        else:
            text = self.tr("{0} runs firmware {1}. Update installs {2}.").format(
                display.safe(self.info.charger_id), display.safe(self.info.firmware or "?"), self._image_text(image))
        self.summary.setText(text)
