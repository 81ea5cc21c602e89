"""The frame log dock: filter bar, the journal's frames in a table, the selected frame in full.

The table is a `log_model.FrameLogModel` over the journal, so 100,000s of frames cost ids, not
widgets. Exports (`frame_export.export_frames`) run on a worker thread with their own journal reader
and cover every matching frame in the journal (not only the rows kept in the view), up to the newest
one shown.
"""

from __future__ import annotations

import bisect
import concurrent.futures
import json
import pathlib
import threading
import time
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import display, model
from app.services import frame_export
from app.ui import log_model

SEARCH_DELAY_MS = 250  # wait for a pause in typing: each search scans the payloads
STRAGGLER_MS = 300  # the journal commits up to 50 ms after the event: look once more
REFRESH_MS = 200  # at most 5 refreshes (and repaints of the tail) a second, however fast frames come
DETAIL_MAX_CHARS = 500_000


def pretty(payload: str) -> tuple[str, bool]:
    """The frame as JSON: the envelope on one line, the body indented; as received if not JSON.

    Returns the text and whether it parsed. The text is still valid JSON, so it can be copied.
    """
    try:
        frame = json.loads(payload)
    except ValueError:
        return payload, False
    if isinstance(frame, list) and len(frame) >= 2 and isinstance(frame[-1], (dict, list)):
        envelope = ", ".join(json.dumps(x, ensure_ascii=False) for x in frame[:-1])
        if not frame[-1]:
            return f"[{envelope}, {json.dumps(frame[-1])}]", True
        return f"[{envelope},\n{json.dumps(frame[-1], indent=2, ensure_ascii=False)}\n]", True
    return json.dumps(frame, indent=2, ensure_ascii=False), True


class _LeftToRightDelegate(QtWidgets.QStyledItemDelegate):
    """Frame text, ids and arrows keep their left-to-right order inside a right-to-left table."""

    def initStyleOption(self, option: QtWidgets.QStyleOptionViewItem, index: QtCore.QModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.direction = QtCore.Qt.LayoutDirection.LeftToRight


class LogView(QtWidgets.QWidget):
    export_finished = QtCore.Signal(str, int)  # path, frames written
    export_failed = QtCore.Signal(str)  # message
    _export_progress = QtCore.Signal(int, int)  # emitted on the export thread, delivered queued
    _export_done = QtCore.Signal(object)

    def __init__(self, journal_path: pathlib.Path, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("frame_log")
        self.journal_path = journal_path
        self.model = log_model.FrameLogModel(journal_path, self)
        self._keep_id: int | None = None  # frame to select again once a new filter has loaded it
        self._resized = False
        self._fresh = True  # no rows since the last reset
        self._export_cancel: threading.Event | None = None

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self._build_filter_bar())
        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self.splitter.addWidget(self._build_view())
        self.splitter.addWidget(self._build_detail())
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 2)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(self._build_status_line())

        self._search_timer = QtCore.QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self._straggler_timer = QtCore.QTimer(self, singleShot=True, interval=STRAGGLER_MS)
        self._straggler_timer.timeout.connect(self._refresh)
        self._throttle_timer = QtCore.QTimer(self, singleShot=True)
        self._throttle_timer.timeout.connect(self._refresh)
        self._last_refresh = 0.0
        self.model.modelReset.connect(self._on_reset)
        self.model.rowsInserted.connect(self._on_rows_inserted)
        self.model.rowsAboutToBeRemoved.connect(self._on_rows_removed)
        self.model.counts_changed.connect(self._update_status)
        self.model.choices_changed.connect(self._update_choices)
        self._export_progress.connect(self._on_export_progress)
        self._export_done.connect(self._on_export_done)
        QtGui.QShortcut(QtGui.QKeySequence.StandardKey.Find, self, self._focus_search,
                        context=QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._apply_layout_direction()
        self._update_choices()
        self._update_status()
        self._on_rows_inserted(QtCore.QModelIndex(), 0, self.model.rowCount() - 1)

    # ------------------------------------------------------------------ construction

    def _build_filter_bar(self) -> QtWidgets.QHBoxLayout:
        bar = QtWidgets.QHBoxLayout()
        self.charger_combo = self._combo(self.tr("All chargers"), self.tr("Show the frames of one charger"))
        self.action_combo = self._combo(self.tr("All actions"), self.tr("Show one OCPP action (request and answer)"))
        self.direction_combo = self._combo(self.tr("Both directions"), self.tr("Who sent the frame"))
        self.direction_combo.addItem(self.tr("→ CSMS (sent by chargers)"), "in")
        self.direction_combo.addItem(self.tr("← CSMS (sent to chargers)"), "out")
        self.errors_only = QtWidgets.QCheckBox(self.tr("Problems only"))
        self.errors_only.setToolTip(self.tr("CALLERRORs, frames that are not valid OCPP-J, "
                                            "and frames with compliance warnings"))
        self.search_edit = QtWidgets.QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search in frames (Ctrl+F)…"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(120)
        self.follow = QtWidgets.QCheckBox(self.tr("Follow newest"))
        self.follow.setToolTip(self.tr("Keep the newest frame in view as frames arrive"))
        self.follow.setChecked(True)
        self.export_button = QtWidgets.QPushButton(self.tr("Export"))
        self.export_button.setToolTip(self.tr("Save every frame matching the filters, with full payloads"))
        menu = QtWidgets.QMenu(self.export_button)
        menu.addAction(self.tr("JSON Lines (.jsonl)…"), lambda: self._ask_export("jsonl"))
        menu.addAction(self.tr("CSV (.csv)…"), lambda: self._ask_export("csv"))
        self.export_button.setMenu(menu)
        for combo in (self.charger_combo, self.action_combo, self.direction_combo):
            combo.currentIndexChanged.connect(self.apply_filters)
            bar.addWidget(combo)
        self.errors_only.toggled.connect(self.apply_filters)
        self.search_edit.textChanged.connect(lambda: self._search_timer.start())
        self.search_edit.returnPressed.connect(self.apply_filters)
        self.follow.toggled.connect(self._on_follow_toggled)
        bar.addWidget(self.errors_only)
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.follow)
        bar.addWidget(self.export_button)
        return bar

    def _combo(self, everything: str, tip: str) -> QtWidgets.QComboBox:
        combo = QtWidgets.QComboBox()
        combo.addItem(everything, None)
        combo.setToolTip(tip)
        combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        return combo

    def _build_view(self) -> QtWidgets.QTableView:
        self.view = view = QtWidgets.QTableView()
        view.setModel(self.model)
        view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        view.setVerticalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerItem)
        view.setHorizontalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setSortingEnabled(False)  # id order is the order the frames crossed the wire
        view.setWordWrap(False)
        view.setShowGrid(False)
        view.setAlternatingRowColors(True)
        rows = view.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)  # uniform heights: O(1) layout
        rows.setDefaultSectionSize(view.fontMetrics().height() + 6)
        view.horizontalHeader().setStretchLastSection(True)
        view.horizontalHeader().setResizeContentsPrecision(0)  # size columns from the visible rows only
        self._ltr_delegate = _LeftToRightDelegate(view)
        view.horizontalHeader().setHighlightSections(False)
        view.selectionModel().currentRowChanged.connect(self._show_detail)
        view.verticalScrollBar().actionTriggered.connect(self._on_user_scrolled)
        view.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._context_menu)
        QtGui.QShortcut(QtGui.QKeySequence.StandardKey.Copy, view, self.copy_payload,
                        context=QtCore.Qt.ShortcutContext.WidgetShortcut)
        return view

    def _build_detail(self) -> QtWidgets.QWidget:
        panel = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        self.detail_header = QtWidgets.QLabel()
        self.detail_header.setWordWrap(True)
        self.detail_header.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings_label = QtWidgets.QLabel()
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings_label.setStyleSheet("QLabel { background: #fff3cd; color: #5c3c00; padding: 4px;"
                                          " border: 1px solid #e0b040; border-radius: 3px; }")
        self.warnings_label.hide()
        self.detail = QtWidgets.QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self.detail.setPlaceholderText(self.tr("Select a frame to see it in full."))
        # JSON reads left to right even in a right-to-left layout.
        option = self.detail.document().defaultTextOption()
        option.setTextDirection(QtCore.Qt.LayoutDirection.LeftToRight)
        option.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignAbsolute)
        self.detail.document().setDefaultTextOption(option)
        layout.addWidget(self.detail_header)
        layout.addWidget(self.warnings_label)
        layout.addWidget(self.detail, 1)
        return panel

    def _build_status_line(self) -> QtWidgets.QHBoxLayout:
        line = QtWidgets.QHBoxLayout()
        self.status_label = QtWidgets.QLabel()
        self.export_label = QtWidgets.QLabel()
        for label in (self.status_label, self.export_label):  # long texts must not widen the dock
            label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred)
        self.export_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_progress = QtWidgets.QProgressBar()
        self.export_progress.setMaximumWidth(240)
        self.export_progress.hide()
        self.export_cancel = QtWidgets.QPushButton(self.tr("Cancel export"))
        self.export_cancel.clicked.connect(self.cancel_export)
        self.export_cancel.hide()
        line.addWidget(self.status_label, 2)
        line.addWidget(self.export_label, 1)
        line.addWidget(self.export_progress)
        line.addWidget(self.export_cancel)
        return line

    # ------------------------------------------------------------------ slots

    @QtCore.Slot(int)
    def on_frames_arrived(self, count: int) -> None:
        # Painting the tail is most of the GUI's work under load, and under load each paint
        # waits for the GIL held by the engine thread: repaint at a human pace, not per batch.
        wait_s = self._last_refresh + REFRESH_MS / 1000 - time.monotonic()
        if wait_s <= 0:
            self._refresh()
        elif not self._throttle_timer.isActive():
            self._throttle_timer.start(int(wait_s * 1000) + 1)
        self._straggler_timer.start()

    @QtCore.Slot(object)
    def set_charger_filter(self, charger_id: str | None) -> None:
        if charger_id is None:
            self.charger_combo.setCurrentIndex(0)
            return
        if self.charger_combo.findData(charger_id) < 0:
            self._insert_sorted(self.charger_combo, charger_id)
        self.charger_combo.setCurrentIndex(self.charger_combo.findData(charger_id))

    @QtCore.Slot()
    def apply_filters(self) -> None:
        self._search_timer.stop()
        current = self.view.currentIndex()
        keep = self.model.frame_id(current.row()) if current.isValid() else None
        before = self.model.filter
        self.model.set_filters(
            charger_id=self.charger_combo.currentData(), action=self.action_combo.currentData(),
            direction=self.direction_combo.currentData(), errors_only=self.errors_only.isChecked(),
            text=self.search_edit.text())
        if self.model.filter != before:
            self._keep_id = keep
            self._reselect()

    def export_to(self, path: pathlib.Path, fmt: str) -> concurrent.futures.Future:
        """Export the filtered view (all matching frames, full payloads) on a worker thread."""
        future: concurrent.futures.Future[int] = concurrent.futures.Future()
        cancel = self._export_cancel = threading.Event()
        frame_filter, upto_id = self.model.filter, self.model.last_id
        self.export_button.setEnabled(False)
        self.export_label.setText(self.tr("Exporting…"))
        self.export_progress.setRange(0, 0)
        self.export_progress.show()
        self.export_cancel.show()

        def emit(signal: str, *values: Any) -> None:
            try:
                getattr(self, signal).emit(*values)
            except RuntimeError:  # the dock was deleted meanwhile; the future still has the outcome
                pass

        def work() -> None:
            try:
                rows = frame_export.export_frames(self.journal_path, frame_filter, upto_id, pathlib.Path(path), fmt,
                                                  progress=lambda *p: emit("_export_progress", *p),
                                                  cancelled=cancel.is_set)
            except BaseException as exc:  # handed to the GUI thread, which shows it
                future.set_exception(exc)
                emit("_export_done", (str(path), exc))
            else:
                future.set_result(rows)
                emit("_export_done", (str(path), rows))

        threading.Thread(target=work, name="log-export", daemon=True).start()
        return future

    def cancel_export(self) -> None:
        if self._export_cancel is not None:
            self._export_cancel.set()

    def copy_payload(self) -> None:
        current = self.view.currentIndex()
        if current.isValid():
            QtGui.QGuiApplication.clipboard().setText(self.model.payload(current.row()))

    # ------------------------------------------------------------------ internals

    def _refresh(self) -> None:
        self._last_refresh = time.monotonic()
        self.model.refresh()

    def _focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def _on_follow_toggled(self, on: bool) -> None:
        if on:
            self.view.scrollToBottom()

    def _on_user_scrolled(self, _action: int) -> None:
        # The value moves after this signal: look once the event loop has applied it.
        QtCore.QTimer.singleShot(0, self._follow_scrollbar)

    def _follow_scrollbar(self) -> None:
        bar = self.view.verticalScrollBar()
        self.follow.setChecked(bar.value() >= bar.maximum())

    def _on_rows_inserted(self, _parent: QtCore.QModelIndex, first: int, last: int) -> None:
        if last < first:
            return
        self._resize_columns_once()
        bar = self.view.verticalScrollBar()
        fresh, self._fresh = self._fresh, False
        if self.follow.isChecked() or (fresh and self._keep_id is None):
            self.view.scrollToBottom()
        elif first == 0 and last + 1 < self.model.rowCount():  # older rows above: keep the view still
            value = bar.value()
            self.view.updateGeometries()
            bar.setValue(value + last - first + 1)
        if self._keep_id is not None:
            self._reselect()

    def _resize_columns_once(self) -> None:
        # Once, from the rows on screen: later rows must not make the columns jump. A hidden
        # view would measure every row (QTableView::sizeHintForColumn), so wait until shown.
        if self._resized or not self.view.isVisible() or not self.model.rowCount():
            return
        self._resized = True
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        charger = log_model.FrameLogModel.CHARGER
        header.resizeSection(charger, min(header.sectionSize(charger), 200))
        header.resizeSection(log_model.FrameLogModel.SUMMARY, 100)  # the stretch gives it the rest, no more

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        QtCore.QTimer.singleShot(0, self._resize_columns_once)  # after the layout gave the view its size

    def _on_reset(self) -> None:
        self._fresh = True

    def _on_rows_removed(self, _parent: QtCore.QModelIndex, first: int, last: int) -> None:
        if first == 0 and not self.follow.isChecked():
            bar = self.view.verticalScrollBar()
            bar.setValue(max(0, bar.value() - (last + 1)))

    def _reselect(self) -> None:
        row = self.model.row_of(self._keep_id) if self._keep_id is not None else None
        if row is None:
            if not self.model.loading:
                self._keep_id = None
            return
        self._keep_id = None
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QtCore.QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QtCore.QItemSelectionModel.SelectionFlag.Rows)
        # The technician is looking at this frame (e.g. its context, with a filter cleared):
        # keep it in view rather than jumping to the newest.
        self.follow.setChecked(False)
        self.view.scrollTo(index, QtWidgets.QAbstractItemView.ScrollHint.PositionAtCenter)

    def _show_detail(self, current: QtCore.QModelIndex, _previous: QtCore.QModelIndex | None = None) -> None:
        if not current.isValid():
            self.detail_header.clear()
            self.warnings_label.hide()
            self.detail.clear()
            return
        frame = self.model.frame(current.row())
        text, valid = pretty(frame.payload)
        if len(text) > DETAIL_MAX_CHARS:
            text = text[:DETAIL_MAX_CHARS] + "\n" + self.tr("… (cut here; export the frame to see all of it)")
        when = log_model.local_time(frame.ts_ms).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        route = self.tr("{0} → CSMS") if frame.direction == model.Direction.IN else self.tr("CSMS → {0}")
        parts = [route.format(display.safe(frame.charger_id)), when]
        if frame.latency_ms is not None:
            parts.append(self.tr("answered in {0:.1f} ms").format(frame.latency_ms))
        parts.append(self.tr("message id {0}").format(frame.unique_id))
        title = f"{log_model.type_label(frame.message_type)} {frame.action}"
        html = "<b>" + _escape(title) + "</b> · " + " · ".join(_escape(p) for p in parts)
        if not valid:
            html += " · <b>" + _escape(self.tr("not valid JSON: shown as received")) + "</b>"
        self.detail_header.setText(html)
        if frame.warnings:
            self.warnings_label.setText("\n".join("⚠ " + display.safe(w) for w in frame.warnings.split("; ")))
        self.warnings_label.setVisible(bool(frame.warnings))
        self.detail.setPlainText(text)

    def _context_menu(self, pos: QtCore.QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        charger_id = self.model.frame(index.row()).charger_id  # the real id: the cell shows it escaped
        action = self.model.data(index.siblingAtColumn(log_model.FrameLogModel.ACTION))
        menu = QtWidgets.QMenu(self)
        menu.addAction(self.tr("Copy frame"), self.copy_payload)
        menu.addAction(self.tr("Only charger {0}").format(display.safe(charger_id)),
                       lambda: self.set_charger_filter(charger_id))
        if action:
            menu.addAction(self.tr("Only action {0}").format(action),
                           lambda: self.action_combo.setCurrentIndex(self.action_combo.findData(action)))
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def _update_choices(self) -> None:
        for combo, values in ((self.charger_combo, self.model.chargers()), (self.action_combo, self.model.actions())):
            for value in values:
                if combo.findData(value) < 0:
                    self._insert_sorted(combo, value)

    @staticmethod
    def _insert_sorted(combo: QtWidgets.QComboBox, value: str) -> None:
        present = [combo.itemData(i) for i in range(1, combo.count())]
        with QtCore.QSignalBlocker(combo):
            combo.insertItem(1 + bisect.bisect(present, value), display.safe(value), value)

    def _update_status(self) -> None:
        locale = QtCore.QLocale()
        text = self.tr("{0} frames shown (of {1})").format(locale.toString(self.model.rowCount()),
                                                           locale.toString(self.model.total()))
        if self.model.loading:
            text += " · " + self.tr("loading older frames…")
        elif self.model.capped:
            text += " · " + self.tr("only the newest are kept here; Export includes all matching frames")
        self.status_label.setText(text)

    def _ask_export(self, fmt: str) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, self.tr("Export frames"), str(pathlib.Path.home() / f"ocpp-frames-{stamp}.{fmt}"),
            self.tr("JSON Lines (*.jsonl)") if fmt == "jsonl" else self.tr("CSV (*.csv)"))
        if name:
            self.export_to(pathlib.Path(name), fmt)

    def _on_export_progress(self, done: int, total: int) -> None:
        self.export_progress.setRange(0, max(total, 1))
        self.export_progress.setValue(done)

    def _on_export_done(self, result: tuple[str, Any]) -> None:
        path, outcome = result
        self.export_button.setEnabled(True)
        self.export_progress.hide()
        self.export_cancel.hide()
        if isinstance(outcome, frame_export.ExportCancelled):
            self.export_label.setText(self.tr("Export cancelled."))
        elif isinstance(outcome, BaseException):
            message = self.tr("Export failed: {0}").format(outcome)
            self.export_label.setText(message)
            self.export_failed.emit(message)
        else:
            self.export_label.setText(self.tr("{0} frames exported to {1}").format(
                QtCore.QLocale().toString(outcome), path))
            self.export_finished.emit(path, outcome)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 (Qt API)
        if event.type() == QtCore.QEvent.Type.LayoutDirectionChange:
            self._apply_layout_direction()
        super().changeEvent(event)

    def _apply_layout_direction(self) -> None:
        rtl = self.isRightToLeft()
        self.model.set_right_to_left(rtl)
        # The Python delegate costs a call per painted cell: only right-to-left needs it.
        for column in (log_model.FrameLogModel.DIRECTION, log_model.FrameLogModel.LATENCY,
                       log_model.FrameLogModel.SUMMARY):
            self.view.setItemDelegateForColumn(column, self._ltr_delegate if rtl else None)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
