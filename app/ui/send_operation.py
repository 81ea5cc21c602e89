"""Send any CSMS-initiated operation to the selected charger and show what it answered.

The request is edited in a form generated from the action's schema or as raw JSON (kept in
sync both ways), checked locally and against the schema before anything goes on the wire,
and sent through the `call` the window passes in (EngineBridge.call). Sent requests are kept
in a short per-panel history, from which they can be sent again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import json
import time
from typing import Any, Awaitable, Callable

import qasync
import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import display, errors
from app.services import catalog, operations, prefill
from app.ui import dialogs, message_bar, schema_fields, schema_form

Call = Callable[[str, str, dict], Awaitable[dict]]
HISTORY_SIZE = 20
STOP_ACTIONS = ("RemoteStopTransaction", "RequestStopTransaction")
DEFAULT_ACTION = {"1.6": "GetConfiguration", "2.0.1": "GetVariables", "2.1": "GetVariables"}
WIDE = 860  # from this width on, the response sits beside the request instead of below it
_STYLES = {
    "ok": "background:#dff6dd; color:#0e4b12; border:1px solid #9fd89f;",
    "warning": "background:#fff4ce; color:#5c4200; border:1px solid #e6cf7a;",
    "error": "background:#fde7e9; color:#6b0b16; border:1px solid #e8a3ab;",
    "busy": "background:#e5f1fb; color:#0b3a66; border:1px solid #9cc5ea;",
    "idle": "color: palette(placeholder-text);",
}


@dataclasses.dataclass(frozen=True)
class Sent:
    """One history entry: what was sent to whom, so it can be sent again."""

    charger_id: str
    version: str
    action: str
    payload: dict[str, Any]


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _code_view(read_only: bool) -> QtWidgets.QPlainTextEdit:
    view = QtWidgets.QPlainTextEdit()
    view.setReadOnly(read_only)
    view.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
    view.setLayoutDirection(QtCore.Qt.LayoutDirection.LeftToRight)  # JSON reads left to right, even in RTL UIs
    return view


class SendOperationPanel(QtWidgets.QWidget):
    """Action picker, request form / raw JSON, Send, response, and recent requests."""

    finished = QtCore.Signal(dict)  # {"action", "charger_id", "ok", "result" | "error", "elapsed_ms"}

    def __init__(self, call: Call, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._call = call
        self.charger_id: str | None = None
        self.version: str | None = None
        self.form: schema_form.SchemaForm | None = None
        self._form_key: tuple[str, str] | None = None  # (version, action) of the form shown
        # Edits survive switching actions, per charger: one charger's draft never reaches another.
        self._drafts: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._syncing = False
        self._raw_valid = True
        self._busy = False
        self._task: asyncio.Task | None = None
        self._split_done = False
        self._answered_by: str | None = None  # the charger whose answer the response pane shows
        self._last: dict[str, tuple[Sent, dict[str, Any]]] = {}  # charger -> its last request and answer
        self._transactions: dict[str, str] = {}
        self._settings: dict[str, list] = {}  # charger -> the ConfigRows last read from it
        self._csms_url = ""
        self._raw_timer = QtCore.QTimer(self, singleShot=True, interval=400)
        self._raw_timer.timeout.connect(self._apply_raw)
        self._build()
        self.set_charger(None, None)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        outer = QtWidgets.QVBoxLayout(self)
        self.hint_label = QtWidgets.QLabel(self.tr("Select a connected charger to send it an operation."))
        self.hint_label.setStyleSheet(f"QLabel {{ {_STYLES['busy']} border-radius:4px; padding:6px; }}")
        self.hint_label.setWordWrap(True)
        outer.addWidget(self.hint_label)
        self.content = QtWidgets.QWidget()
        outer.addWidget(self.content, 1)
        layout = QtWidgets.QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)

        self.charger_label = QtWidgets.QLabel()
        self.charger_label.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.charger_label)
        top = QtWidgets.QHBoxLayout()
        self.action_combo = QtWidgets.QComboBox()
        self.action_combo.setMaxVisibleItems(25)
        # A list that drops down below the box: some styles centre the popup on the current item,
        # so a click meant for RemoteStartTransaction picked Reset.
        self.action_combo.setStyleSheet("QComboBox { combobox-popup: 0; }")
        self.action_combo.setToolTip(self.tr("Operations this charger's OCPP version lets the CSMS send"))
        self.action_combo.currentTextChanged.connect(self._load_action)
        action_label = QtWidgets.QLabel(self.tr("&Operation:"))
        action_label.setBuddy(self.action_combo)
        top.addWidget(action_label)
        top.addWidget(self.action_combo, 1)
        self.reset_button = QtWidgets.QPushButton(self.tr("Reset to defaults"))
        self.reset_button.setToolTip(self.tr("Replace the request with the minimal valid example"))
        self.reset_button.clicked.connect(self.reset_to_defaults)
        top.addWidget(self.reset_button)
        layout.addLayout(top)

        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)
        self.splitter.addWidget(self._build_request())
        self.splitter.addWidget(self._build_response())

    def _build_request(self) -> QtWidgets.QWidget:
        pane = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QtWidgets.QTabWidget()
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.tabs.addTab(self.scroll, self.tr("Form"))
        raw_page = QtWidgets.QWidget()
        raw_layout = QtWidgets.QVBoxLayout(raw_page)
        self.raw_edit = _code_view(read_only=False)
        self.raw_edit.textChanged.connect(self._raw_changed)
        raw_layout.addWidget(self.raw_edit)
        self.tabs.addTab(raw_page, self.tr("Raw JSON"))
        self.tabs.currentChanged.connect(self._tab_changed)
        layout.addWidget(self.tabs, 1)
        self.problem_label = schema_fields.error_label()
        layout.addWidget(self.problem_label)
        row = QtWidgets.QHBoxLayout()
        self.send_button = QtWidgets.QPushButton(self.tr("Send"))
        self.send_button.setDefault(True)
        self.send_button.setToolTip(self.tr("Send the request to the charger (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.send)
        QtGui.QShortcut(QtGui.QKeySequence("Ctrl+Return"), self, self.send_button.click,
                        context=QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
        row.addWidget(self.send_button)
        self.busy = QtWidgets.QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.setTextVisible(False)
        self.busy.hide()
        row.addWidget(self.busy)
        row.addStretch(1)
        layout.addLayout(row)
        return pane

    def _build_response(self) -> QtWidgets.QWidget:
        pane = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QtWidgets.QLabel(self.tr("Response"))
        title.setStyleSheet("font-weight: bold;")
        layout.addWidget(title)
        self.status_label = QtWidgets.QLabel(self.tr("Nothing sent yet."))
        self.status_label.setTextFormat(QtCore.Qt.TextFormat.PlainText)  # shows the charger's own words
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status_label)
        self.response_view = _code_view(read_only=True)
        layout.addWidget(self.response_view, 3)
        recent = QtWidgets.QLabel(self.tr("Recent (newest first, double-click to send again)"))
        recent.setStyleSheet("font-weight: bold;")
        layout.addWidget(recent)
        self.history = QtWidgets.QListWidget()
        self.history.setMinimumHeight(self.history.fontMetrics().lineSpacing() * 4)
        self.history.itemDoubleClicked.connect(self.resend)
        self.history.currentItemChanged.connect(self._update_buttons)
        layout.addWidget(self.history, 1)
        row = QtWidgets.QHBoxLayout()
        self.resend_button = QtWidgets.QPushButton(self.tr("Re-send"))
        self.resend_button.setToolTip(self.tr("Load the selected request into the form and send it again"))
        self.resend_button.clicked.connect(self.resend)
        row.addWidget(self.resend_button)
        row.addStretch(1)
        layout.addLayout(row)
        return pane

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        orientation = (QtCore.Qt.Orientation.Horizontal if event.size().width() >= WIDE
                       else QtCore.Qt.Orientation.Vertical)
        if orientation != self.splitter.orientation() or not self._split_done:
            self._split_done = True
            self.splitter.setOrientation(orientation)
            # 60 % for the request form; the answer is usually short (stretch factors alone
            # leave the form a sliver, the response widgets have tall size hints).
            self.splitter.setSizes([600, 400])  # scaled to the room there is

    # ------------------------------------------------------------------ charger and action

    def set_charger(self, charger_id: str | None, version: str | None) -> None:
        """The charger requests go to; None (or an unknown version) disables the panel."""
        if version not in catalog.VERSIONS:
            charger_id = version = None
        if (charger_id, version) == (self.charger_id, self.version) and self.form is not None:
            return  # called on every registry refresh: do not rebuild the form
        self.charger_id = charger_id
        self.hint_label.setVisible(charger_id is None)
        self.content.setEnabled(charger_id is not None)
        if charger_id is None:
            self.charger_label.setText("")
            return
        if self._answered_by != charger_id:
            self._answered_by = None  # the answer on show must be this charger's answer
            self.response_view.clear()
            self._show_status("idle", self.tr("Nothing sent to {0} yet.").format(display.safe(charger_id)))
        for row in range(self.history.count()):  # recent requests: this charger's only
            item = self.history.item(row)
            item.setHidden(item.data(QtCore.Qt.ItemDataRole.UserRole).charger_id != charger_id)
        self.charger_label.setText(self.tr("To charger {0} · OCPP {1}").format(display.safe(charger_id), version))
        if version != self.version:
            self.version = version
            previous = self.action_combo.currentText()
            self.action_combo.blockSignals(True)
            self.action_combo.clear()
            self.action_combo.addItems(sorted(catalog.csms_initiated(version)))
            # Opening on a harmless read, never on whatever sorts first (CancelReservation, Reset...).
            index = self.action_combo.findText(previous)
            if index < 0:
                index = self.action_combo.findText(DEFAULT_ACTION.get(version, ""))
            self.action_combo.setCurrentIndex(max(index, 0))
            self.action_combo.blockSignals(False)
            self._load_action(self.action_combo.currentText())
        elif self._form_key is None or self._form_key[0] != charger_id:
            self._load_action(self.action_combo.currentText())  # this charger's draft, or its prefill
        last = self._last.get(charger_id)
        if last is not None and self._answered_by != charger_id and last[0].version == version:
            # Back on a charger: its last request and answer, as they were.
            self.set_action(last[0].action)
            self._show_outcome(*last, record=False)
        self._update_buttons()

    def set_action(self, action: str) -> None:
        index = self.action_combo.findText(action)
        if index < 0:
            raise ValueError(f"{action} is not a CSMS-initiated action of OCPP {self.version}")
        self.action_combo.setCurrentIndex(index)

    @property
    def action(self) -> str:
        return self.action_combo.currentText()

    def _load_action(self, action: str) -> None:
        if not self._busy and self._answered_by is not None:
            # The answer on show belongs to the previous operation: never leave it beside a new one.
            self._answered_by = None
            self.response_view.clear()
            self._show_status("idle", self.tr("Nothing sent yet."))
        if self.form is not None and self._form_key is not None:
            self._drafts[self._form_key] = self.form.value()
            self.scroll.takeWidget()
            self.form.deleteLater()
            self.form = None
        self.problem_label.hide()
        if not action or self.version is None:
            return
        self.form = schema_form.SchemaForm(catalog.load_schema(self.version, action, False))
        self._form_key = (self.charger_id or "", self.version, action)
        # A stop always names the session open now, never one from an earlier draft.
        draft = None if action in STOP_ACTIONS else self._drafts.get(self._form_key)
        self.form.set_value(draft or self._prefilled(action))
        self.form.changed.connect(self._form_changed)
        self.scroll.setWidget(self.form)
        self.send_button.setText(self.tr("Send {0}").format(action))
        self._form_changed()

    def set_transactions(self, transactions: dict[str, str]) -> None:
        """The charger's open transactions (id -> connector), to prefill a stop with the real id."""
        self._transactions = dict(transactions)

    def set_known(self, charger_id: str, settings: list, csms_url: str = "") -> None:
        """What the app read from a charger (its keys/variables), to prefill forms with real names."""
        self._settings[charger_id] = list(settings)
        if csms_url:
            self._csms_url = csms_url

    def _prefilled(self, action: str) -> dict:
        """The schema's example, with what the app knows put in (services.prefill)."""
        assert self.version is not None
        known = prefill.Known(self.version, self._transactions, self._settings.get(self.charger_id or "", []),
                              self._csms_url)
        return prefill.request(action, known)

    def reset_to_defaults(self) -> None:
        if self.form is not None and self.version is not None:
            self.form.set_value(self._prefilled(self.action))
            self.form.clear_errors()
            self.problem_label.hide()

    # ------------------------------------------------------------------ form <-> raw JSON

    def _form_changed(self) -> None:
        if self._syncing or self.form is None:
            return
        self._syncing = True
        try:
            self.raw_edit.setPlainText(_dumps(self.form.value()))
        finally:
            self._syncing = False
        self._raw_timer.stop()
        self._set_raw_problem(None)

    def _raw_changed(self) -> None:
        if self._syncing:
            return
        if self._parse_raw() is not None:
            self._raw_timer.start()  # update the form once typing pauses

    def _parse_raw(self) -> dict[str, Any] | None:
        """The raw JSON as a dict, or None with the reason shown."""
        try:
            payload = json.loads(self.raw_edit.toPlainText())
        except json.JSONDecodeError as exc:
            self._set_raw_problem(self.tr("The raw JSON is not valid: {0} (line {1}, column {2}).")
                                  .format(exc.msg, exc.lineno, exc.colno))
            return None
        if not isinstance(payload, dict):
            self._set_raw_problem(self.tr("The raw JSON must be an object: {…}."))
            return None
        self._set_raw_problem(None)
        return payload

    def _set_raw_problem(self, message: str | None) -> None:
        self._raw_valid = message is None
        self.problem_label.setText(message + " " + self.tr("Fix it to send.") if message else "")
        self.problem_label.setVisible(bool(message))
        self._update_buttons()

    def _apply_raw(self) -> None:
        payload = self._parse_raw()
        if payload is None or self.form is None:
            return
        self._syncing = True
        try:
            self.form.set_value(payload)
        finally:
            self._syncing = False

    def _tab_changed(self, index: int) -> None:
        if index == 0 and self._raw_timer.isActive():
            self._raw_timer.stop()
            self._apply_raw()

    def _update_buttons(self) -> None:
        ready = not self._busy and self.form is not None
        self.send_button.setEnabled(ready and self._raw_valid)
        self.resend_button.setEnabled(ready and self.history.currentItem() is not None)

    # ------------------------------------------------------------------ sending

    def _payload(self) -> dict[str, Any] | None:
        """What the technician wants sent, checked; None (with the errors shown) if it must not go."""
        assert self.form is not None and self.version is not None
        raw_mode = self.tabs.currentIndex() == 1
        if raw_mode or self._raw_timer.isActive():
            self._raw_timer.stop()
            self._apply_raw()
        payload = self._parse_raw() if raw_mode else self.form.value()
        if payload is None:
            return None
        # Local checks speak the technician's language; the schema has the last word.
        problems = [] if raw_mode else self.form.local_errors()
        if not problems:
            violation = catalog.validate(self.version, self.action, payload)
            if violation is not None:
                problems = [(violation.path, violation.message)]
        if not problems:
            self.form.clear_errors()
            self.problem_label.hide()
            return payload
        self.form.show_errors(problems)
        lines = [f"{self._where(path)}: {message}" if self._where(path) else message for path, message in problems[:3]]
        more = len(problems) - len(lines)
        self.problem_label.setText(self.tr("Not sent. Correct the marked fields:") + "\n" + "\n".join(lines)
                                   + ("\n" + self.tr("… and {0} more").format(more) if more > 0 else ""))
        self.problem_label.show()
        if self.form.error_widgets and not raw_mode:
            first = self.form.error_widgets[0]
            # after the error labels have taken their room in the layout
            QtCore.QTimer.singleShot(0, self, lambda: shiboken6.isValid(first) and self.scroll.ensureWidgetVisible(first))
            getattr(first, "editor", first).setFocus()
        return None

    @staticmethod
    def _where(path: str) -> str:
        keys = schema_fields.parse_path(path) or []
        return " › ".join(f"#{k + 1}" if isinstance(k, int) else schema_fields.readable(k) for k in keys)

    @qasync.asyncSlot()
    async def send(self) -> None:
        """Check the request and send it; the outcome goes to the response pane and the history."""
        self._task = asyncio.current_task()  # owned: asyncio keeps only weak references to tasks
        await self._submit()

    async def _submit(self) -> None:
        if self._busy or self.charger_id is None or self.form is None:
            return
        payload = self._payload()
        if payload is not None:
            await self._send(Sent(self.charger_id, self.version or "", self.action, payload))

    @qasync.asyncSlot()
    async def resend(self, item: QtWidgets.QListWidgetItem | None = None) -> None:
        """Load a history entry (double-clicked, or the selected one) into the form and send it."""
        if not isinstance(item, QtWidgets.QListWidgetItem):
            item = self.history.currentItem()
        if item is None or self._busy or self.charger_id is None:
            return
        self._task = asyncio.current_task()
        entry: Sent = item.data(QtCore.Qt.ItemDataRole.UserRole)
        if entry.version != self.version:
            self.problem_label.setText(self.tr("That request was for OCPP {0}; this charger speaks OCPP {1}.")
                                       .format(entry.version, self.version))
            self.problem_label.show()
            return
        self.set_action(entry.action)
        assert self.form is not None
        self.form.set_value(entry.payload)
        self.tabs.setCurrentIndex(0)
        await self._submit()

    def ask(self, title: str, text: str) -> bool:
        """The technician's yes to an operation that interrupts charging, reboots or moves the charger."""
        return dialogs.confirm(self, title, text)

    async def _send(self, request: Sent) -> None:
        why = operations.confirmation(request.action, request.payload)
        if why and not self.ask(request.action, self.tr("Send {0} to {1}?").format(
                request.action, display.safe(request.charger_id)) + "\n" + why):
            self._show_status("idle", self.tr("{0} was not sent.").format(request.action))
            return
        self._set_busy(True)
        self._show_status("busy", self.tr("Waiting for {0} to answer {1}…").format(request.charger_id, request.action))
        self.response_view.clear()
        started = time.monotonic()
        outcome: dict[str, Any] = {"action": request.action, "charger_id": request.charger_id,
                                   "payload": request.payload}
        try:
            result = await self._call(request.charger_id, request.action, request.payload)
        except errors.CommissionerError as exc:  # anything else is a bug: it goes to the crash dialog
            outcome.update(ok=False, error=exc)
        else:
            outcome.update(ok=True, result=result)
        finally:
            if shiboken6.isValid(self):  # else the panel was closed while the charger was thinking
                self._set_busy(False)
        if not shiboken6.isValid(self):
            return
        outcome["elapsed_ms"] = round((time.monotonic() - started) * 1000)
        self._show_outcome(request, outcome)
        self.finished.emit(outcome)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        self._update_buttons()

    # ------------------------------------------------------------------ showing the outcome

    def _show_status(self, style: str, text: str) -> None:
        self.status_label.setStyleSheet(f"QLabel {{ {_STYLES[style]} border-radius:4px; padding:4px; }}")
        self.status_label.setText(text)

    def _show_outcome(self, request: Sent, outcome: dict[str, Any], record: bool = True) -> None:
        ms = outcome["elapsed_ms"]
        self._answered_by = request.charger_id
        self._last[request.charger_id] = (request, outcome)
        verdict = None
        if outcome["ok"]:
            result = outcome["result"]
            # A Rejected / NotSupported answer is a real answer, but not what the technician wanted.
            verdict = operations.judge(request.action, result)
            if verdict.ok:
                text = self.tr("✓ {0} answered {1} in {2} ms").format(request.charger_id, request.action, ms)
                if verdict.status:
                    text += " · " + self.tr("status: {0}").format(verdict.status)
            else:
                text = self.tr("✗ {0} did not do {1}: it answered {2} (after {3} ms)").format(
                    request.charger_id, request.action, verdict.status, ms)
            if verdict.note:
                text += " · " + verdict.note
            self._show_status("ok" if verdict.ok else "warning", text)
            self.response_view.setPlainText(_dumps(result))
            summary = verdict.status or self.tr("answered")
        else:
            error = outcome["error"]
            if isinstance(error, errors.CallErrorReceived):
                self._show_status("error", self.tr("✗ {0} refused {1}: CALLERROR {2} (after {3} ms)")
                                  .format(request.charger_id, request.action, error.code, ms))
                lines = [self.tr("Error code: {0}").format(error.code),
                         self.tr("Description: {0}").format(error.description or "—")]
                if error.details:
                    lines += [self.tr("Details:"), _dumps(error.details)]
                self.response_view.setPlainText("\n".join(lines))
                summary = self.tr("CALLERROR {0}").format(error.code)
            else:
                message, hint = message_bar.describe(error)
                self._show_status("error", "✗ " + message)
                self.response_view.setPlainText("\n\n".join(filter(None, [message, hint])))
                summary = {errors.CallTimeoutError: self.tr("no answer (timeout)"),
                           errors.ChargerNotConnectedError: self.tr("not connected")}.get(
                               type(error), self.tr("failed"))
        if not record:
            return
        mark = "✓" if outcome["ok"] and verdict is not None and verdict.ok else "✗"
        clock = datetime.datetime.now().strftime("%H:%M:%S")
        item = QtWidgets.QListWidgetItem(f"{clock}  {request.action}  {mark} {summary}")
        item.setData(QtCore.Qt.ItemDataRole.UserRole, request)
        item.setToolTip(_dumps(request.payload))
        self.history.insertItem(0, item)
        while self.history.count() > HISTORY_SIZE:
            self.history.takeItem(self.history.count() - 1)
        self._update_buttons()
