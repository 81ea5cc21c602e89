"""Test tags (RFID cards) in the window: the id tokens the CSMS answers from, each with its answer
(Accepted, Blocked, Expired, Invalid…), an expiry and a group (master-pass tests); saved in the
settings, and sent to the selected charger's local list (SendLocalList, full or only the changes).

The "present a valid / blocked tag" checklist steps judge the charger against these answers.
"""

from __future__ import annotations

import html

import qasync
from PySide6 import QtCore, QtWidgets

from app.domain import csms_policy, display, errors, model
from app.services import tags as tag_service
from app.ui import bound

SEND_TASK = "Send test tags"
COLUMNS = ("Tag id", "Answer", "Expiry (optional)", "Group (optional)")
TOKEN, STATUS, EXPIRY, GROUP = range(4)


class TagsPanel(bound.ChargerBound, QtWidgets.QGroupBox):
    error = QtCore.Signal(object)
    notice = QtCore.Signal(str, str)
    saved = QtCore.Signal()  # the CSMS now answers from the tags on show

    def __init__(self, core, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Test tags (RFID cards)"))
        self.core = core
        self.bridge = None
        self.info: model.ChargerInfo | None = None
        self._busy = False
        self._saved: dict[str, dict[str, str]] = {}
        self._removed: set[str] = set()  # tokens taken out since the last send: a differential update removes them
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setToolTip(self.tr(
            "The CSMS answers these cards as set here; any other card gets the policy's answer "
            "(Settings: accept every tag, or only those listed)."))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(TOKEN, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(60)
        self.table.setMaximumHeight(84)  # a header and three rows, then it scrolls
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setMinimumSectionSize(120)
        self.table.itemChanged.connect(lambda _item: self._update())
        self.table.currentCellChanged.connect(lambda *_cells: self._update())
        layout.addWidget(self.table)
        buttons = QtWidgets.QHBoxLayout()
        self.add_button = QtWidgets.QPushButton(self.tr("Add tag"))
        self.add_button.clicked.connect(lambda: self.add_tag())
        buttons.addWidget(self.add_button)
        self.remove_button = QtWidgets.QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.addWidget(self.remove_button)
        self.save_button = QtWidgets.QPushButton(self.tr("Save tags"))
        self.save_button.setToolTip(self.tr("The CSMS answers from these tags at once; kept in the settings"))
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        self.scope = QtWidgets.QComboBox()
        self.scope.addItem(self.tr("Full list"), True)
        self.scope.addItem(self.tr("Only the changes"), False)
        self.scope.setToolTip(self.tr("Full replaces the charger's local list; only the changes is a differential update"))
        buttons.addWidget(self.scope)
        self.send_button = QtWidgets.QPushButton(self.tr("Send to charger"))
        self.send_button.setToolTip(self.tr("SendLocalList: the charger can then answer these cards itself, offline too"))
        self.send_button.clicked.connect(self.send)
        buttons.addWidget(self.send_button)
        self.present_button = QtWidgets.QPushButton(self.tr("Hold at the demo charger"))
        self.present_button.setToolTip(self.tr("The demo charger reads the selected card as if it were held at "
                                               "its reader: the RFID checklist steps without a real card"))
        self.present_button.clicked.connect(self.present)
        buttons.addWidget(self.present_button)
        layout.addLayout(buttons)
        self.result = QtWidgets.QLabel()
        self.result.setWordWrap(True)
        self.result.setTextFormat(QtCore.Qt.TextFormat.RichText)
        layout.addWidget(self.result)
        self.load(dict(core.settings.csms.id_tags) if core is not None else {})

    # ------------------------------------------------------------------ state

    def load(self, tags: dict[str, dict[str, str]]) -> None:
        self._saved = {token: dict(entry) for token, entry in tags.items()}
        self.table.setRowCount(0)
        for token in sorted(tags):
            self._add_row(token, tags[token])
        self._update()

    def _add_row(self, token: str, entry: dict[str, str]) -> int:
        blocked = self.table.blockSignals(True)  # a half-made row is not read
        try:
            return self._make_row(token, entry)
        finally:
            self.table.blockSignals(blocked)

    def _make_row(self, token: str, entry: dict[str, str]) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, TOKEN, QtWidgets.QTableWidgetItem(token))
        status = QtWidgets.QComboBox()
        status.addItems(list(csms_policy.TAG_STATUSES_2X))
        status.setCurrentText(entry.get("status") or "Accepted")
        status.setToolTip(self.tr("What the CSMS answers this card (1.6 chargers get Invalid for a 2.x-only answer)"))
        status.currentTextChanged.connect(lambda _t: self._update())
        self.table.setCellWidget(row, STATUS, status)
        expiry = QtWidgets.QTableWidgetItem(entry.get("expiry", ""))
        expiry.setToolTip(self.tr("e.g. 2027-01-31T23:59:00Z; once past, an Accepted card is answered Expired"))
        self.table.setItem(row, EXPIRY, expiry)
        group = QtWidgets.QTableWidgetItem(entry.get("group", ""))
        group.setToolTip(self.tr("1.6 parentIdTag / 2.x groupIdToken: cards of one group may stop each other's sessions"))
        self.table.setItem(row, GROUP, group)
        return row

    def add_tag(self, token: str = "", status: str = "Accepted") -> None:
        row = self._add_row(token, {"status": status})
        self.table.setCurrentCell(row, TOKEN)
        if not token:
            self.table.editItem(self.table.item(row, TOKEN))
        self._update()

    def remove_selected(self) -> None:
        for row in sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True):
            token = self._text(row, TOKEN)
            if token:
                self._removed.add(token)
            self.table.removeRow(row)
        self._update()

    def tags(self) -> dict[str, dict[str, str]]:
        """The table as settings id_tags; ConfigError names the first wrong row."""
        found: dict[str, dict[str, str]] = {}
        for row in range(self.table.rowCount()):
            status = self.table.cellWidget(row, STATUS)
            if status is None or any(self.table.item(row, c) is None for c in (TOKEN, EXPIRY, GROUP)):
                continue  # a row being made or taken out
            token = self._text(row, TOKEN)
            entry = {"status": status.currentText()}
            for column, key in ((EXPIRY, "expiry"), (GROUP, "group")):
                text = self._text(row, column)
                if text:
                    entry[key] = text
            problem = csms_policy.tag_problem(token, entry)
            if not problem and token in found:
                problem = f"the tag {token} is listed twice"
            if problem:
                raise errors.ConfigError(self.tr("Row {0}: {1}.").format(row + 1, problem),
                                         hint=self.tr("Correct the row, or remove it."))
            found[token] = entry
        return found

    def _demo(self):
        return getattr(self.core, "demo", None)

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return (item.text() or "").strip() if item is not None else ""

    def _dirty(self) -> bool:
        try:
            return self.tags() != self._saved
        except errors.ConfigError:
            return True

    def _update(self) -> None:
        connected = self.info is not None and self.info.connected and self.bridge is not None
        self.save_button.setEnabled(self._dirty() and not self._busy)
        self.send_button.setEnabled(connected and not self._busy)
        self.remove_button.setEnabled(self.table.rowCount() > 0)
        demo = connected and self._demo() is not None and self._demo().is_demo(self.info.charger_id)
        self.present_button.setVisible(bool(demo))
        self.present_button.setEnabled(bool(demo) and not self._busy and self.table.currentRow() >= 0)

    def _say(self, text: str, colour: str = "") -> None:
        body = html.escape(text)
        self.result.setText(f"<span style='color:{colour}'>{body}</span>" if colour else body)

    # ------------------------------------------------------------------ actions

    @qasync.asyncSlot()
    async def save(self) -> None:
        await self._save()

    async def _save(self) -> bool:
        try:
            tags = self.tags()
        except errors.ConfigError as exc:
            self._say(f"{exc.message} {exc.hint}", "#c62828")
            return False
        self._busy = True
        self._update()
        try:
            await self.core.set_test_tags(tags)
        except errors.CommissionerError as exc:
            self._say(exc.message, "#c62828")
            self.error.emit(exc)
            return False
        finally:
            self._busy = False
            self._update()
        self._saved = tags
        self.saved.emit()
        self._say(self.tr("Saved: the CSMS answers {0} listed tag(s) as set here.").format(len(tags)), "#2e7d32")
        self._update()
        return True

    @qasync.asyncSlot()
    async def send(self) -> None:
        if self.info is None or self.bridge is None or not self.info.connected:
            return
        if self._dirty() and not await self._save():
            return  # what is sent is what the CSMS answers: saved first
        tags, full = dict(self._saved), bool(self.scope.currentData())
        removed = tuple(sorted(self._removed - set(tags)))
        charger_id = self.info.charger_id
        engine = self.bridge.engine

        async def work(_reporter):
            return await tag_service.send_list(engine, charger_id, tags, removed=removed, full=full)

        self._busy = True
        self._update()
        self._say(self.tr("Sending {0} tag(s) to {1}…").format(len(tags), display.safe(charger_id)))
        try:
            status, version = await self.bridge.run_task(SEND_TASK, charger_id, work)
        except errors.CommissionerError as exc:
            self._say(f"{exc.message} {exc.hint}".strip(), "#c62828")
            self.error.emit(exc)
            return
        finally:
            self._busy = False
            self._update()
        self._removed.clear()
        kind = self.tr("full list") if full else self.tr("changes")
        self._say(self.tr("{0} took the {1}: {2} tag(s), list version {3} ({4}).").format(
            display.safe(charger_id), kind, len(tags), version, status), "#2e7d32")
        self.notice.emit("success", self.tr("Test tags sent to {0}.").format(display.safe(charger_id)))

    @qasync.asyncSlot()
    async def present(self) -> None:
        row = self.table.currentRow()
        if self.info is None or self.bridge is None or row < 0 or self._demo() is None:
            return
        token = self._text(row, TOKEN)
        if not token:
            return
        if self._dirty() and not await self._save():
            return  # the CSMS answers the card as the table says
        charger_id, demo = self.info.charger_id, self._demo()
        self._busy = True  # one card at a time: a double click is not two cards
        self._update()
        self._say(self.tr("Holding {0} at {1}…").format(token, display.safe(charger_id)))
        try:
            status = await self.bridge.run(demo.present_tag(charger_id, token))
        except errors.CommissionerError as exc:
            self._say(f"{exc.message} {exc.hint}".strip(), "#c62828")
            return
        finally:
            self._busy = False
            self._update()
        if status == "Stopped":
            self._say(self.tr("{0} was held at {1}: it ended its own session.").format(token, display.safe(charger_id)))
        elif status == "Started":
            self._say(self.tr("{0} was held at {1}: the CSMS answered Accepted and a session began "
                              "(hold it again to end it).").format(token, display.safe(charger_id)), "#2e7d32")
        else:
            text = self.tr("{0} was held at {1}: the CSMS answered {2}.").format(token, display.safe(charger_id), status)
            if status == "Accepted":
                text += " " + self.tr("No session began: every connector is busy or unavailable.")
            self._say(text, "#2e7d32" if status == "Accepted" else "#e65100")
