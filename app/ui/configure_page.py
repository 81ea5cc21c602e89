"""The Configure page: every key (1.6) or variable (2.x) of one charger, editable where the charger allows.

A tree: 2.x components (with instance and EVSE) and their variables; 1.6 keys by feature profile,
vendor keys apart. Each setting shows its value, what it may be (type, range, unit, list) and
whether it can change. Read from the charger when the page is first shown (and on Refresh); a
value is changed by editing its cell (double-click, F2 or just typing, Enter to send). The change
runs as an engine task (services.configuration.change): checked, sent, judged by the charger's
answer, and read back, so the tree shows what the charger holds, not what was typed. Values
changed here are highlighted; comparing with a snapshot or a template marks every difference.
Snapshots, templates, export/import and the charger's password are in the tools bar below.
"""

from __future__ import annotations

import dataclasses
import html
import time

import qasync
from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import display, errors, model, secrets
from app.services import configuration, operations
from app.ui import charger_list, config_tools, dialogs, handover_panel, message_bar

READ_CONFIGURATION = "Read configuration"  # task names, as Progress events carry them
CHANGE_SETTING = "Change a setting"
ROW_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1  # the ConfigRow behind a tree row (None on a group)
DIFF_ROLE = QtCore.Qt.ItemDataRole.UserRole + 2  # True: differs from what it is compared with
NAME, VALUE, OTHER, ALLOWED, ACCESS = range(5)
CHANGED = QtGui.QColor("#dcedc8")  # changed here, confirmed by the charger
DIFFERS = QtGui.QColor("#ffe0b2")  # differs from the snapshot or template compared with


def _group_order(group: str) -> int:
    """1.6: the core profile first, vendor keys last; 2.x components alphabetically."""
    return 0 if group == "Core profile" else 2 if group == "Vendor keys" else 1


class _Filter(QtCore.QSortFilterProxyModel):
    """Text filter over name, component and value; optionally only the settings that differ."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.only_differences = False
        self.setRecursiveFilteringEnabled(True)  # a group stays while one of its settings matches
        self.setAutoAcceptChildRows(True)  # typing a component's name shows all its settings
        self.setFilterCaseSensitivity(QtCore.Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)

    def set_only_differences(self, on: bool) -> None:
        self.beginFilterChange()
        self.only_differences = on
        self.endFilterChange(QtCore.QSortFilterProxyModel.Direction.Rows)

    def refilter(self) -> None:
        self.beginFilterChange()
        self.endFilterChange(QtCore.QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QtCore.QModelIndex) -> bool:  # noqa: N802 (Qt API)
        if self.only_differences:
            if not parent.isValid():
                return False  # a group is shown through its differing settings
            if not self.sourceModel().index(row, NAME, parent).data(DIFF_ROLE):
                return False
        return super().filterAcceptsRow(row, parent)


class ConfigurePage(QtWidgets.QWidget):
    error = QtCore.Signal(object)  # a domain error for the message bar
    notice = QtCore.Signal(str, str)  # style, text for the message bar
    rows_read = QtCore.Signal(str, list)  # charger id, the ConfigRows read from it

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = None
        self.info: model.ChargerInfo | None = None
        self.busy_with = ""  # what runs for the charger on show, "" when idle
        self._running: dict[str, str] = {}  # charger -> the task running for it (read or change)
        self._read_for: str | None = None  # the charger whose rows are on show
        self._tried: set[str] = set()  # chargers whose configuration was asked for
        self._read_ms = 0
        self._filling = False  # True while rows are put in: itemChanged is then not an edit
        self.data_dir = None  # set by the window: the technician's own vendor profiles are there
        self.core = None  # set by the window: snapshots in core.runs, passwords in core.vault

        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 1)
        self.filter = QtWidgets.QLineEdit()
        self.filter.setPlaceholderText(self.tr("Filter settings…"))
        self.filter.setClearButtonEnabled(True)
        self.filter.setMinimumWidth(220)
        top.addWidget(self.filter)
        self.refresh_button = QtWidgets.QPushButton(self.tr("&Read from charger"))
        self.refresh_button.setToolTip(self.tr("Read every setting again from the charger (F5)"))
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.report = ReportChoice(self)  # OCPP 2.x only: which report Read from charger asks for
        layout.addWidget(self.report)

        self.progress = QtWidgets.QProgressBar()
        self.progress.setMaximumHeight(8)
        self.progress.setTextVisible(False)
        self.progress.hide()
        layout.addWidget(self.progress)

        self.model = QtGui.QStandardItemModel(0, 5, self)
        self.model.setHorizontalHeaderLabels([self.tr("Setting"), self.tr("Value"), self.tr("Compared with"),
                                              self.tr("Allowed"), self.tr("Access")])
        self.model.itemChanged.connect(self._on_item_changed)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter.textChanged.connect(lambda _text: self.view.expandAll())
        self.filter.returnPressed.connect(self._into_table)
        self.filter.installEventFilter(self)
        self.view = QtWidgets.QTreeView()
        self.view.setModel(self.proxy)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setAllColumnsShowFocus(True)
        self.view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.DoubleClicked
                                  | QtWidgets.QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QtWidgets.QAbstractItemView.EditTrigger.AnyKeyPressed)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME, QtWidgets.QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(VALUE, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(OTHER, QtWidgets.QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ALLOWED, QtWidgets.QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ACCESS, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.view.setColumnHidden(OTHER, True)  # until something is compared
        self.view.selectionModel().currentRowChanged.connect(lambda current, _p: self._focus_value(current))
        layout.addWidget(self.view, 1)
        self._names: dict[str, QtGui.QStandardItem] = {}  # setting name -> its NAME item
        self._changed: set[str] = set()  # settings changed here since the last read
        self._compared: dict[str, tuple[str, bool]] = {}  # name -> (the other side, differs)

        self.tools = config_tools.ToolsBar(self)
        layout.addWidget(self.tools)

        self.result = QtWidgets.QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result)
        self.handover = handover_panel.HandoverPanel(self)
        layout.addWidget(self.handover)
        QtGui.QShortcut(QtGui.QKeySequence.StandardKey.Refresh, self, self.refresh,
                        context=QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QtGui.QShortcut(QtGui.QKeySequence.StandardKey.Find, self, self.filter.setFocus,
                        context=QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.set_charger(None)

    # ------------------------------------------------------------------ state

    def set_bridge(self, bridge) -> None:
        self.bridge = bridge

    def set_charger(self, info: model.ChargerInfo | None) -> None:
        # The charger on show changed (not merely its state: a snapshot of the same charger must
        # not wipe what the last read said, such as why it failed).
        changed = (info.charger_id if info else None) != (self.info.charger_id if self.info else None)
        was_connected = self.info is not None and self.info.connected
        came_back = info is not None and info.connected and not was_connected and not changed
        self.info = info
        self.busy_with = self._running.get(info.charger_id, "") if info else ""
        self.progress.setVisible(bool(self.busy_with))
        if changed:
            self._read_for = None
            self._compared = {}
            self.view.setColumnHidden(OTHER, True)
            self._fill([])
            self.result.clear()
        elif info is not None and info.connected != was_connected:
            self._set_editable(info.connected)  # a charger that left cannot take a change
        self.handover.set_charger(info)
        self.tools.set_charger(info)
        self.report.setVisible(info is not None and info.ocpp_version != "1.6")
        self._update()
        if self.isVisible() and (changed or (came_back and info.charger_id not in self._tried)):
            self.refresh_if_empty()  # a charger that dropped during a read is not asked again and again

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.refresh_if_empty()

    def refresh_if_empty(self) -> None:
        """Opening the page reads the configuration once: a technician comes here to see it."""
        if self._read_for is None and self._can_talk() and not self.busy_with:
            self.refresh()

    def _can_talk(self) -> bool:
        return self.info is not None and self.info.connected and self.bridge is not None

    def _update(self) -> None:
        if hasattr(self, "handover"):
            self.handover.update_state()
            self.tools.update_state()
        idle = not self.busy_with
        self.refresh_button.setEnabled(self._can_talk() and idle)
        if self.info is None:
            self.summary.setText(self.tr("Select a charger to see its configuration."))
            return
        rows = len(self._names)
        name = display.safe(self.info.charger_id)
        if not self.info.connected:
            text = self.tr("{0} is not connected: the settings below are the last ones read.").format(name) if rows \
                else self.tr("{0} is not connected: its configuration can be read once it connects.").format(name)
        elif self.busy_with:
            text = self.tr("{0}…").format(self.busy_with)
        elif self._read_for is None:
            text = self.tr("Not read yet: press Read from charger.")
        else:
            text = self.tr("{0} settings, read {1}. Double-click a value (or select it and type) to change it; "
                           "Enter sends it to the charger.").format(rows, charger_list.ago(self._read_ms) or "—")
        self.summary.setText(text)

    # ------------------------------------------------------------------ reading

    @qasync.asyncSlot()
    async def refresh(self) -> None:
        if not self._can_talk() or self.busy_with:
            return
        charger_id = self.info.charger_id
        self._tried.add(charger_id)
        engine = self.bridge.engine
        try:
            asked = self.report.request(self.info.ocpp_version)
        except errors.ConfigError as exc:
            self.error.emit(exc)
            return

        async def work(reporter) -> configuration.Configuration:
            return await configuration.read(engine, charger_id, partial=True, progress=reporter, **asked)

        started = time.monotonic()
        found = await self._task(charger_id, READ_CONFIGURATION, work,
                                 self.tr("Reading the configuration of {0}").format(display.safe(charger_id)))
        if found is None:
            return
        self.show_configuration(charger_id, found, (time.monotonic() - started) * 1000)

    def show_configuration(self, charger_id: str, found: configuration.Configuration,
                           elapsed_ms: float | None = None) -> None:
        """Put a configuration just read on show, and say how it came (and what did not)."""
        if self.info is None or self.info.charger_id != charger_id:
            self.refresh_if_empty()  # the technician moved on meanwhile: read theirs
            return
        compared = self._compared
        self._fill(found.rows)
        self._read_for, self._read_ms = charger_id, int(time.time() * 1000)
        self.rows_read.emit(charger_id, found.rows)
        self.tools.refresh_comparison(compared)
        if found.source == "GetConfiguration":
            took = self.tr(" ({0:.0f} ms)").format(elapsed_ms) if elapsed_ms is not None else ""
            self.result.setText(self.tr("GetConfiguration: {0} keys{1}").format(len(found.rows), took))
        elif found.complete:
            self.result.setText(self.tr("{0}: {1} variables in {2} part(s)").format(
                html.escape(self.report.describe(found.source)), len(found.rows), found.parts))
        else:
            missing = ", ".join(str(n) for n in found.missing[:20])
            self.result.setText("<span style='color:#c62828'>" + html.escape(self.tr(
                "Incomplete report: part(s) {0} never arrived, so some settings are missing below. "
                "Press Read from charger to request the report again.").format(missing)) + "</span>")
        self._update()

    def on_progress(self, progress: model.Progress) -> None:
        if self.info is None or progress.charger_id != self.info.charger_id or progress.name != READ_CONFIGURATION:
            return
        if progress.state is model.TaskState.RUNNING and progress.done and progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
            self.summary.setText(self.tr("Reading the configuration: {0} of {1} part(s) received…").format(
                progress.done, progress.total))

    def _fill(self, rows: list[configuration.ConfigRow]) -> None:
        """The tree of groups (component or profile) and their settings, in the order read."""
        self._filling = True
        self._changed.clear()
        try:
            self.model.removeRows(0, self.model.rowCount())
            self._names.clear()
            groups: dict[str, QtGui.QStandardItem] = {}
            for row in sorted(rows, key=lambda r: (_group_order(r.group), r.group.lower(), r.leaf.lower())):
                parent = groups.get(row.group)
                if parent is None:
                    parent = QtGui.QStandardItem(display.safe(row.group))
                    font = parent.font()
                    font.setBold(True)
                    parent.setFont(font)
                    cells = [parent] + [QtGui.QStandardItem() for _ in range(4)]
                    for cell in cells:
                        cell.setEditable(False)
                    self.model.appendRow(cells)
                    groups[row.group] = parent
                items = self._items(row)
                parent.appendRow(items)
                self._names[row.name] = items[NAME]
        finally:
            self._filling = False
        self._set_editable(self.info is not None and self.info.connected)
        self._paint_comparison()
        self.view.expandAll()
        if rows:
            self.view.resizeColumnToContents(NAME)
            self.view.resizeColumnToContents(ALLOWED)
            # The value column must stay on screen: the name column takes at most 40 % of the width.
            width = self.view.viewport().width()
            self.view.setColumnWidth(NAME, min(self.view.columnWidth(NAME), max(160, int(width * 0.40))))
            self.view.setColumnWidth(ALLOWED, min(self.view.columnWidth(ALLOWED), max(120, int(width * 0.22))))
        self.tools.update_state()

    def _items(self, row: configuration.ConfigRow) -> list[QtGui.QStandardItem]:
        secret = secrets.is_secret(row.name)
        if secret:  # a password is never typed into the tree nor shown: New password… sets it
            row = dataclasses.replace(row, writable=False)
        name = QtGui.QStandardItem(display.safe(row.leaf))
        name.setData(row, ROW_ROLE)
        value = QtGui.QStandardItem(secrets.MASK if secret and row.value else display.safe(row.value))
        other = QtGui.QStandardItem()
        allowed = QtGui.QStandardItem(display.safe(row.allowed()))
        access = QtGui.QStandardItem(self.tr("can change") if row.writable else self.tr("read-only"))
        for item in (name, other, allowed, access):
            item.setEditable(False)
        value.setEditable(row.writable)
        if not row.writable:
            value.setForeground(QtGui.QColor("#616161"))
        if row.vendor:
            name.setForeground(QtGui.QColor("#5d4037"))
        tip = "\n".join(t for t in (display.safe(row.name), row.description and display.safe(row.description),
                                    row.allowed() and self.tr("Allowed: {0}").format(display.safe(row.allowed())))
                        if t)
        if secret:
            access.setText(self.tr("New password…"))
            tip += "\n" + self.tr("Set it with New password… below: the CSMS then expects it.")
        for item in (name, value, other, allowed, access):
            item.setToolTip(tip)
        return [name, value, other, allowed, access]

    def _cells(self, name: str) -> list[QtGui.QStandardItem] | None:
        """The five cells of a setting's row, or None when it is not on show."""
        item = self._names.get(name)
        if item is None:
            return None
        parent = item.parent()
        return [parent.child(item.row(), column) for column in range(5)]

    def _set_editable(self, connected: bool) -> None:
        """Values can be edited where the charger allows it, and only while it is connected."""
        self._filling = True
        try:
            for name, item in self._names.items():
                row = item.data(ROW_ROLE)
                self._cells(name)[VALUE].setEditable(connected and row.writable)
        finally:
            self._filling = False

    def rows(self) -> list[configuration.ConfigRow]:
        return [item.data(ROW_ROLE) for item in self._names.values()]

    def row(self, name: str) -> configuration.ConfigRow | None:
        item = self._names.get(name)
        return None if item is None else item.data(ROW_ROLE)

    def value_item(self, name: str) -> QtGui.QStandardItem | None:
        """The Value cell of a setting (by its full name: a 1.6 key, or Component.Variable)."""
        cells = self._cells(name)
        return None if cells is None else cells[VALUE]

    def proxy_index(self, name: str, column: int = VALUE) -> QtCore.QModelIndex:
        cells = self._cells(name)
        return QtCore.QModelIndex() if cells is None else self.proxy.mapFromSource(cells[column].index())

    def shown_settings(self) -> int:
        """How many settings (not groups) the filter lets through."""
        count = 0
        for g in range(self.proxy.rowCount()):
            count += self.proxy.rowCount(self.proxy.index(g, 0))
        return count

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 (Qt API)
        # Keyboard: Down (or Enter) in the filter goes to the first matching setting's value.
        if watched is self.filter and event.type() == QtCore.QEvent.Type.KeyPress \
                and event.key() == QtCore.Qt.Key.Key_Down:
            self._into_table()
            return True
        return super().eventFilter(watched, event)

    def _into_table(self) -> None:
        if self.proxy.rowCount():
            group = self.proxy.index(0, 0)
            self.view.setFocus()
            self.view.setCurrentIndex(self.proxy.index(0, VALUE, group) if self.proxy.rowCount(group)
                                      else group)

    def _focus_value(self, current: QtCore.QModelIndex) -> None:
        # Keyboard: moving through settings keeps the Value cell current, so F2 / typing edits the value.
        if current.isValid() and current.parent().isValid() and current.column() != VALUE:
            self.view.setCurrentIndex(current.siblingAtColumn(VALUE))

    # ------------------------------------------------------------------ comparing

    def compare_with(self, label: str, other: dict[str, tuple[str, bool]]) -> None:
        """Show beside each setting what `label` has (a snapshot's value, a template's rule) and mark
        where it differs; an empty `other` ends the comparison."""
        self._compared = dict(other)
        self.model.setHeaderData(OTHER, QtCore.Qt.Orientation.Horizontal, label or self.tr("Compared with"))
        self.view.setColumnHidden(OTHER, not other)
        self._paint_comparison()
        if other and self.view.columnWidth(OTHER) < 120:
            self.view.setColumnWidth(OTHER, 200)

    def differences(self) -> list[str]:
        return sorted((n for n, (_o, differs) in self._compared.items() if differs and n in self._names),
                      key=str.lower)

    def _paint_comparison(self) -> None:
        self._filling = True
        try:
            for name in self._names:
                cells = self._cells(name)
                other, differs = self._compared.get(name, ("", False))
                cells[OTHER].setText(display.safe(other))
                cells[NAME].setData(bool(differs), DIFF_ROLE)
                self._shade(name, cells)
        finally:
            self._filling = False
        self.proxy.refilter()

    def _shade(self, name: str, cells: list[QtGui.QStandardItem]) -> None:
        differs = bool(cells[NAME].data(DIFF_ROLE))
        colour = DIFFERS if differs else (CHANGED if name in self._changed else None)
        for column in (NAME, VALUE, OTHER):
            cells[column].setBackground(QtGui.QBrush(colour) if colour else QtGui.QBrush())
        font = cells[VALUE].font()
        font.setBold(name in self._changed)
        cells[VALUE].setFont(font)

    # ------------------------------------------------------------------ changing

    def _on_item_changed(self, item: QtGui.QStandardItem) -> None:
        if self._filling or item.column() != VALUE or item.parent() is None:
            return
        row: configuration.ConfigRow = item.parent().child(item.row(), NAME).data(ROW_ROLE)
        typed = item.text()
        self._set_value(item, row.value)  # the cell shows what the charger holds until it confirms
        if typed != row.value:
            self.change(row, typed)

    def _set_value(self, item: QtGui.QStandardItem, value: str) -> None:
        self._filling = True
        try:
            item.setText(display.safe(value))
        finally:
            self._filling = False

    def ask(self, title: str, text: str) -> bool:
        return dialogs.confirm(self, title, text)

    def change(self, row: configuration.ConfigRow, value: str) -> None:
        """Change a setting: checked here, confirmed when it touches the backend, then sent."""
        if self.info is not None and not self._can_talk():
            self._failed(errors.ChargerNotConnectedError(self.info.charger_id))
            return
        if not self._can_talk() or self.busy_with:
            self._failed(errors.ConfigError(self.tr("Not sent: {0} is still running.").format(self.busy_with)))
            return
        problem = configuration.check_value(row, value)
        if problem:
            self._failed(errors.ConfigError(problem, hint=self.tr("Nothing was sent.")))
            return
        charger_id = self.info.charger_id
        action, payload = (("ChangeConfiguration", {"key": row.name, "value": value}) if self.info.ocpp_version == "1.6"
                           else ("SetVariables", {"setVariableData": [configuration.set_variable_data(row, value)]}))
        why = operations.confirmation(action, payload)
        if why and not self.ask(self.tr("Change a setting"), self.tr("{0}: set {1} to “{2}”?").format(
                display.safe(charger_id), display.safe(row.name), display.safe(value)) + "\n" + why):
            return
        self._run_change(charger_id, row, value)

    @qasync.asyncSlot(str, object, str)
    async def _run_change(self, charger_id: str, row: configuration.ConfigRow, value: str) -> None:
        engine = self.bridge.engine

        async def work(_reporter) -> configuration.Change:
            return await configuration.change(engine, charger_id, row, value)

        done = await self._task(charger_id, CHANGE_SETTING, work, self.tr("Setting {0} to “{1}”").format(
            display.safe(row.name), display.safe(value)))
        if done is None:
            return
        self._replace(charger_id, done.row, changed=True)
        if done.status == "RebootRequired":
            self.tools.reboot_needed(charger_id)
        if done.read_back:
            text = self.tr("{0} is now “{1}” ({2}).").format(display.safe(done.row.name), display.safe(done.row.value),
                                                            done.status)
        else:
            text = self.tr("{0}: the charger accepted “{1}” ({2}) but did not report the value back.").format(
                display.safe(done.row.name), display.safe(value), done.status)
        if done.note:
            text += " " + self.tr("It takes effect after a reboot.")
        if self.info is not None and self.info.charger_id == charger_id:
            self.result.setText(text)
        self.notice.emit("success", self.tr("{0}: {1}").format(display.safe(charger_id), text))

    def _replace(self, charger_id: str, row: configuration.ConfigRow, changed: bool = False) -> None:
        if self._read_for != charger_id:
            return
        cells = self._cells(row.name)
        if cells is None:
            return
        old = cells[NAME].data(ROW_ROLE)
        # What the charger reports now, with what it may be as read the first time.
        row = dataclasses.replace(old, value=row.value, writable=row.writable)
        if changed:
            self._changed.add(row.name)
        self._filling = True
        try:
            cells[NAME].setData(row, ROW_ROLE)
            cells[VALUE].setText(display.safe(row.value))
            self._shade(row.name, cells)
        finally:
            self._filling = False
        self.tools.update_state()

    @qasync.asyncSlot(dict)
    async def on_operation_finished(self, outcome: dict) -> None:
        """A change sent from the Advanced page: the rows it touched are read back, never left stale."""
        if not outcome.get("ok") or outcome.get("action") not in ("ChangeConfiguration", "SetVariables"):
            return
        charger_id = outcome.get("charger_id")
        if charger_id != self._read_for or self.bridge is None:
            return
        payload = outcome.get("payload") or {}
        if outcome["action"] == "ChangeConfiguration":
            key = str(payload.get("key", ""))
            touched = [r for r in self.rows() if r.name == key]
        else:  # matched by component and variable as sent (EVSE and instance included)
            items = [i for i in payload.get("setVariableData", []) if isinstance(i, dict)]
            touched = [r for r in self.rows() if any(
                r.component == i.get("component") and r.variable == i.get("variable")
                and r.attribute == i.get("attributeType", "Actual") for i in items)]
        engine = self.bridge.engine
        for row in touched:
            try:
                fresh = await self.bridge.run(configuration.read_one(engine, charger_id, row))
            except errors.CommissionerError:
                continue  # the table says when it was read; Refresh reads everything again
            self._replace(charger_id, fresh)

    async def _task(self, charger_id: str, name: str, work, what: str, timeout: float | None = None):
        """Run `work` as an engine task for `charger_id`, the page busy with `what` meanwhile;
        its result, or None when it failed (the failure is shown)."""
        self._set_busy(charger_id, what)
        try:
            return await self.bridge.run_task(name, charger_id, work, timeout)
        except errors.CommissionerError as exc:
            self._failed(exc, charger_id)
            return None
        finally:
            self._set_busy(charger_id, "")

    def _set_busy(self, charger_id: str, what: str) -> None:
        if what:
            self._running[charger_id] = what
        else:
            self._running.pop(charger_id, None)
        if self.info is None or self.info.charger_id != charger_id:
            return
        self.busy_with = what
        self.progress.setRange(0, 0)
        self.progress.setVisible(bool(what))
        # Edits wait while the charger works; the table keeps the keyboard focus.
        triggers = QtWidgets.QAbstractItemView.EditTrigger
        self.view.setEditTriggers(triggers.NoEditTriggers if what else
                                  triggers.DoubleClicked | triggers.EditKeyPressed | triggers.AnyKeyPressed)
        self._update()

    def _failed(self, exc: errors.CommissionerError, charger_id: str | None = None) -> None:
        if charger_id is None or (self.info is not None and self.info.charger_id == charger_id):
            self.result.setText(f"<span style='color:#c62828'>{html.escape(message_bar.describe(exc)[0])}</span>")
        self.error.emit(exc)
        self._update()


CRITERIA = ("Active", "Available", "Enabled", "Problem")  # ComponentCriterionEnumType (B08)


class ReportChoice(QtWidgets.QWidget):
    """Which 2.x report Read from charger asks for: GetBaseReport FullInventory or
    ConfigurationInventory, or GetReport with criteria and/or a component name."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QtWidgets.QLabel(self.tr("Read:")))
        self.kind = QtWidgets.QComboBox()
        self.kind.addItem(self.tr("Full inventory"), "FullInventory")
        self.kind.addItem(self.tr("Configuration inventory"), "ConfigurationInventory")
        self.kind.addItem(self.tr("Report with criteria…"), "GetReport")
        self.kind.setToolTip(self.tr("What Read from charger asks for (OCPP 2.x): every variable, only the ones "
                                     "that can be set, or those meeting criteria or of one component"))
        self.kind.currentIndexChanged.connect(lambda _i: self._update())
        row.addWidget(self.kind)
        self.criteria_button = QtWidgets.QToolButton()
        self.criteria_button.setText(self.tr("Criteria"))
        self.criteria_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QtWidgets.QMenu(self.criteria_button)
        self.criteria: dict[str, QtGui.QAction] = {}
        for name in CRITERIA:
            action = menu.addAction(name)
            action.setCheckable(True)
            action.toggled.connect(lambda _on: self._update())
            self.criteria[name] = action
        self.criteria_button.setMenu(menu)
        row.addWidget(self.criteria_button)
        self.component = QtWidgets.QLineEdit()
        self.component.setPlaceholderText(self.tr("Component, e.g. OCPPCommCtrlr"))
        self.component.setClearButtonEnabled(True)
        self.component.setMinimumWidth(180)
        row.addWidget(self.component)
        row.addStretch(1)
        self._update()

    def set_report(self, kind: str, criteria: tuple[str, ...] = (), component: str = "") -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        for name, action in self.criteria.items():
            action.setChecked(name in criteria)
        self.component.setText(component)

    def chosen_criteria(self) -> list[str]:
        return [name for name, action in self.criteria.items() if action.isChecked()]

    def request(self, version: str) -> dict:
        """configuration.read's arguments for this choice ({} for 1.6, which has one way to read)."""
        kind = self.kind.currentData()
        if version == "1.6" or kind == "FullInventory":
            return {}
        if kind == "ConfigurationInventory":
            return {"report_base": kind}
        criteria, component = self.chosen_criteria(), self.component.text().strip()
        if not criteria and not component:
            raise errors.ConfigError(self.tr("A report with criteria needs a criterion or a component."),
                                     hint=self.tr("Tick Active, Available, Enabled or Problem under Criteria, type a "
                                                  "component name, or choose Full inventory."))
        asked: dict = {}
        if criteria:
            asked["criteria"] = criteria
        if component:
            asked["components"] = [{"component": {"name": component}}]
        return asked

    def describe(self, source: str) -> str:
        """How the rows on show were asked for, in the words of the result line."""
        if source == "GetReport":
            parts = []
            if self.chosen_criteria():
                parts.append(self.tr("criteria {0}").format(", ".join(self.chosen_criteria())))
            if self.component.text().strip():
                parts.append(self.tr("component {0}").format(display.safe(self.component.text().strip())))
            return self.tr("Report ({0})").format("; ".join(parts)) if parts else self.tr("Report")
        if self.kind.currentData() == "ConfigurationInventory":
            return self.tr("Configuration inventory")
        return self.tr("Base report")

    def _update(self) -> None:
        custom = self.kind.currentData() == "GetReport"
        self.criteria_button.setVisible(custom)
        self.component.setVisible(custom)
        chosen = self.chosen_criteria()
        self.criteria_button.setText(self.tr("Criteria: {0}").format(", ".join(chosen)) if chosen else self.tr("Criteria"))
        self.criteria_button.setMinimumWidth(self.criteria_button.sizeHint().width())  # the new text, not elided
