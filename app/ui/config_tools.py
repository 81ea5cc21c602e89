"""The Configure page's tools: snapshots, comparing (with a snapshot or a template), applying a
template to one or many chargers (or checking only what it would change), export/import, the charger's own password, and the reboot a
RebootRequired answer asks for.

Every action runs as an engine task through the page (services.config_templates, passwords,
configuration); this module only asks, shows and routes. The page owns the tree.
"""

from __future__ import annotations

import dataclasses
import html
import json
import pathlib
import time

import qasync
from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import display, errors, model
from app.services import config_templates, configuration, passwords
from app.ui import password_dialogs

TAKE_SNAPSHOT = "Take a snapshot"  # task names
APPLY_TEMPLATE = "Apply a template"
CHECK_TEMPLATE = "Check a template"
SET_PASSWORD = "Set the charger's password"
REBOOT_AND_READ = "Reboot and read again"


def _when(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ms / 1000))


class ToolsBar(QtWidgets.QWidget):
    def __init__(self, page) -> None:
        super().__init__(page)
        self.page = page
        self._reboot_for: str | None = None
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)

        self.reboot_bar = QtWidgets.QFrame()
        self.reboot_bar.setStyleSheet("QFrame { background: #fff3e0; border-radius: 4px; }")
        bar = QtWidgets.QHBoxLayout(self.reboot_bar)
        self.reboot_text = QtWidgets.QLabel()
        self.reboot_text.setWordWrap(True)
        bar.addWidget(self.reboot_text, 1)
        self.reboot_button = QtWidgets.QPushButton(self.tr("Re&boot and read again"))
        self.reboot_button.clicked.connect(self.reboot_and_read)
        bar.addWidget(self.reboot_button)
        self.reboot_bar.hide()
        outer.addWidget(self.reboot_bar)

        row = QtWidgets.QHBoxLayout()
        self.snapshot_button = QtWidgets.QPushButton(self.tr("Take &snapshot"))
        self.snapshot_button.setToolTip(self.tr("Store the settings on show, with the time, to compare later"))
        self.snapshot_button.clicked.connect(self.take_snapshot)
        row.addWidget(self.snapshot_button)
        row.addWidget(QtWidgets.QLabel(self.tr("Compare with:")))
        self.compare = QtWidgets.QComboBox()
        self.compare.setMinimumWidth(260)
        self.compare.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.compare.activated.connect(lambda _i: self.apply_comparison())
        # Sized to a short name, not the longest snapshot's: the page must fit a 1366-pixel laptop.
        self.compare.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.compare.setMinimumContentsLength(16)
        row.addWidget(self.compare)
        self.only_differences = QtWidgets.QCheckBox(self.tr("Only differences"))
        self.only_differences.toggled.connect(self._only_differences)
        row.addWidget(self.only_differences)
        row.addStretch(1)
        outer.addLayout(row)
        row = QtWidgets.QHBoxLayout()  # two rows: the page fits a 1366-pixel laptop screen
        self.template_button = QtWidgets.QPushButton(self.tr("Apply &template…"))
        self.template_button.setToolTip(self.tr("See what a template would change, then change it on one or more chargers"))
        self.template_button.clicked.connect(self.open_template_dialog)
        row.addWidget(self.template_button)
        self.file_button = QtWidgets.QToolButton()
        self.file_button.setText(self.tr("Export / import"))
        self.file_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QtWidgets.QMenu(self.file_button)
        self.export_json = menu.addAction(self.tr("Export settings as JSON…"), lambda: self.export("json"))
        self.export_csv = menu.addAction(self.tr("Export settings as CSV…"), lambda: self.export("csv"))
        menu.addSeparator()
        menu.addAction(self.tr("Import a snapshot (JSON or CSV)…"), self.import_snapshot)
        self.file_button.setMenu(menu)
        row.addWidget(self.file_button)
        self.password_button = QtWidgets.QPushButton(self.tr("New &password…"))
        self.password_button.setToolTip(self.tr("Give this charger a password of its own; the CSMS then expects it"))
        self.password_button.clicked.connect(self.new_password)
        row.addWidget(self.password_button)
        self.stored_button = QtWidgets.QPushButton(self.tr("Stored pass&words…"))
        self.stored_button.setToolTip(self.tr("The chargers' passwords kept on this computer: show, copy, forget"))
        self.stored_button.clicked.connect(lambda: password_dialogs.open_stored(self))
        row.addWidget(self.stored_button)
        row.addStretch(1)
        outer.addLayout(row)
        self.set_charger(None)

    # ------------------------------------------------------------------ state

    @property
    def store(self):
        core = getattr(self.page, "core", None)
        return None if core is None else core.runs

    def set_charger(self, info: model.ChargerInfo | None) -> None:
        charger_id = info.charger_id if info else None
        if charger_id != self._reboot_for:
            self.reboot_bar.hide()
            self._reboot_for = None
        if charger_id != getattr(self, "_sources_for", ""):  # the list is read once per charger shown
            self._sources_for = charger_id
            self.compare.setCurrentIndex(0)
            self.fill_sources()
        self.update_state()

    def update_state(self) -> None:
        page = self.page
        rows = bool(page._names) if hasattr(page, "_names") else False
        idle = not page.busy_with
        talk = page._can_talk() if hasattr(page, "view") else False
        has_store = self.store is not None
        self.snapshot_button.setEnabled(rows and has_store)
        self.compare.setEnabled(rows)
        self.only_differences.setEnabled(rows and bool(getattr(page, "_compared", None)))
        self.template_button.setEnabled(rows and talk and idle)
        self.export_json.setEnabled(rows)
        self.export_csv.setEnabled(rows)
        self.password_button.setEnabled(talk and idle and getattr(page, "core", None) is not None)
        self.reboot_button.setEnabled(talk and idle)

    def fill_sources(self) -> None:
        """The snapshots of this charger (newest first), then the templates for its OCPP version."""
        current, current_text = self.compare.currentData(), self.compare.currentText()
        self.compare.blockSignals(True)
        self.compare.clear()
        self.compare.addItem(self.tr("— nothing —"), None)
        info = self.page.info
        store = self.store
        if info is not None and store is not None:
            try:
                listed = store.snapshots(info.charger_id)[:30]
            except errors.CommissionerError:
                listed = []
            for snapshot_id, _charger, taken_ms, label in listed:
                text = self.tr("Snapshot {0}").format(_when(taken_ms)) + (f" · {label}" if label else "")
                self.compare.addItem(display.safe(text), f"snapshot:{snapshot_id}")
        for template in self._templates().values():
            if info is not None and template.ocpp and info.ocpp_version not in template.ocpp:
                continue
            self.compare.addItem(self.tr("Template: {0}").format(display.safe(template.name)), f"template:{template.id}")
        index = self.compare.findData(current)
        if index < 0 and current:  # compared with something not listed (another charger's snapshot)
            self.compare.addItem(current_text, current)
            index = self.compare.count() - 1
        self.compare.setCurrentIndex(max(0, index))
        self.compare.blockSignals(False)

    def _templates(self, tell: bool = False) -> dict[str, config_templates.Template]:
        """The templates that load; a bad file is named in the message bar (when `tell`, or the first
        time it is seen: the list is read again each time a charger is shown)."""
        loaded = config_templates.load_templates(getattr(self.page, "data_dir", None))
        self.template_problems = loaded.problems
        told = [str(p) for p in loaded.problems]
        if told and (tell or told != getattr(self, "_told_problems", None)):
            self.page.notice.emit("warning", self.tr("Template file(s) left out: {0}. Fix or remove them; the other "
                                                     "templates are listed.").format(display.safe("; ".join(told))))
        self._told_problems = told
        return loaded.found

    # ------------------------------------------------------------------ comparing

    def choose(self, data: str | None) -> None:
        """Compare with "snapshot:<id>" or "template:<id>"; None ends the comparison."""
        self.compare.setCurrentIndex(max(0, self.compare.findData(data)))
        self.apply_comparison()

    def apply_comparison(self) -> None:
        data = self.compare.currentData()
        page = self.page
        if not data or not page._names:
            page.compare_with("", {})
            self.only_differences.setChecked(False)
            self.update_state()
            return
        kind, _, key = str(data).partition(":")
        rows = page.rows()
        try:
            if kind == "snapshot":
                other = config_templates.load_snapshot(self.store, int(key))
                now = self._snapshot_of(rows)
                compared = {n: (v if v is not None else self.tr("(not there)"), v != now.values.get(n))
                            for n, v in ((n, other.values.get(n)) for n in now.values)}
                for d in config_templates.diff(other, now):
                    if d.name in compared:
                        compared[d.name] = (compared[d.name][0], True)
                label = self.tr("Snapshot {0}").format(_when(other.taken_ms))
                gone = [n for n in other.values if n not in now.values]
                note = self.tr("{0} setting(s) differ from the snapshot of {1}.").format(
                    len([1 for _v, d in compared.values() if d]), _when(other.taken_ms))
                if gone:
                    note += " " + self.tr("Not on the charger now: {0}.").format(", ".join(gone[:10]))
            else:
                template = self._templates()[key]
                items = config_templates.plan(template, rows)
                compared = {i.name: (i.rule if i.action == "ok" else f"{i.rule} → {i.wanted}", i.action != "ok")
                            for i in items}
                label = self.tr("Template")
                missing = [i.name for i in items if i.action == "missing"]
                note = self.tr("{0} of {1} setting(s) of “{2}” are not met.").format(
                    len([i for i in items if i.action != "ok"]), len(items), template.name)
                if missing:
                    note += " " + self.tr("The charger does not have: {0}.").format(", ".join(missing))
        except (errors.CommissionerError, KeyError) as exc:
            page.compare_with("", {})
            page.error.emit(exc if isinstance(exc, errors.CommissionerError) else
                            errors.ConfigError(self.tr("That template is gone: {0}").format(exc)))
            return
        page.compare_with(label, compared)
        page.result.setText(html.escape(note))
        self.update_state()

    def refresh_comparison(self, previous: dict) -> None:
        """After a new read: the same comparison against the new values."""
        if previous and self.compare.currentData():
            self.apply_comparison()

    def _only_differences(self, on: bool) -> None:
        self.page.proxy.set_only_differences(on)
        self.page.view.expandAll()

    def _snapshot_of(self, rows: list[configuration.ConfigRow], label: str = "") -> config_templates.Snapshot:
        info = self.page.info
        source = "GetConfiguration" if info is not None and info.ocpp_version == "1.6" else "GetBaseReport"
        return config_templates.Snapshot.of(configuration.Configuration(info.charger_id, source, rows), label)

    # ------------------------------------------------------------------ snapshots and files

    def take_snapshot(self) -> None:
        """The settings on show (just read from the charger), stored with the time."""
        page = self.page
        if not page._names or self.store is None:
            return
        try:
            snap = config_templates.keep(self.store, self._snapshot_of(page.rows(), "taken on the Configure page"))
        except errors.CommissionerError as exc:
            page.error.emit(exc)
            return
        self.fill_sources()
        page.notice.emit("success", self.tr("{0}: snapshot of {1} settings stored ({2}).").format(
            display.safe(snap.charger_id), len(snap.values), _when(snap.taken_ms)))

    def export(self, kind: str) -> None:
        page = self.page
        if not page._names:
            return
        snap = self._snapshot_of(page.rows())
        name = f"{snap.charger_id}-settings-{time.strftime('%Y%m%d-%H%M')}.{kind}"
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, self.tr("Export settings"), str(pathlib.Path.home() / name),
            self.tr("JSON (*.json)") if kind == "json" else self.tr("CSV (*.csv)"))
        if path:
            self.write_export(pathlib.Path(path), kind)

    def write_export(self, path: pathlib.Path, kind: str) -> None:
        snap = self._snapshot_of(self.page.rows())
        text = json.dumps(snap.to_dict(), ensure_ascii=False, indent=1) if kind == "json" else snap.to_csv()
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.page.error.emit(errors.StorageError(self.tr("Cannot write {0}: {1}").format(path, exc.strerror or exc),
                                                     hint=self.tr("Pick another folder.")))
            return
        self.page.notice.emit("success", self.tr("Settings written to {0} (passwords masked).").format(path))

    def import_snapshot(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, self.tr("Import a snapshot"), str(pathlib.Path.home()),
                                                        self.tr("Snapshots (*.json *.csv)"))
        if path:
            self.read_import(pathlib.Path(path))

    def read_import(self, path: pathlib.Path) -> None:
        if self.store is None:
            return
        try:
            snap = config_templates.import_file(self.store, path, self.page.info.charger_id if self.page.info else "")
        except errors.CommissionerError as exc:
            self.page.error.emit(exc)
            return
        self.fill_sources()
        if self.compare.findData(f"snapshot:{snap.id}") < 0:  # another charger's: listed for this comparison
            self.compare.addItem(self.tr("Snapshot {0} of {1}").format(_when(snap.taken_ms), display.safe(snap.charger_id)),
                                 f"snapshot:{snap.id}")
        self.choose(f"snapshot:{snap.id}")

    # ------------------------------------------------------------------ template

    def open_template_dialog(self) -> None:
        page = self.page
        if page.info is None or not page._names:
            return
        templates = {k: t for k, t in self._templates(tell=True).items()
                     if not t.ocpp or page.info.ocpp_version in t.ocpp}
        if not templates:
            page.error.emit(errors.ConfigError(self.tr("There is no template for OCPP {0}.").format(page.info.ocpp_version),
                                               hint=self.tr("Put a TOML template in the data folder's config-templates.")))
            return
        self._offer_template(templates)

    @qasync.asyncSlot(object)
    async def _offer_template(self, templates) -> None:
        page = self.page
        engine = page.bridge.engine
        version = page.info.ocpp_version

        async def connected() -> list[str]:
            return sorted(c.charger_id for c in engine.chargers() if c.connected and c.ocpp_version == version)

        others = await page.bridge.run(connected())
        dialog = TemplateDialog(self, templates, page.rows(), page.info.charger_id, others,
                                getattr(self, "template_problems", []))
        current = str(self.compare.currentData() or "")
        if current.startswith("template:") and current[9:] in templates:
            dialog.pick(current[9:])
        if not self.exec_dialog(dialog):
            return
        if dialog.check_only:
            await self.check_template(dialog.template(), dialog.chargers())
        else:
            await self.apply_template(dialog.template(), dialog.chargers())

    def exec_dialog(self, dialog: QtWidgets.QDialog) -> bool:
        """Modal; tests replace it."""
        return dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted

    async def check_template(self, template: config_templates.Template, chargers: list[str]) -> None:
        """Check only: read each charger and show what the template would change on it; nothing is sent."""
        page = self.page
        engine = page.bridge.engine

        async def work(reporter) -> dict:
            reporter(0, len(chargers), f"Checking {template.name} on {len(chargers)} charger(s)")
            return await config_templates.apply_many(engine, chargers, template, dry=True)

        outcomes = await page._task(page.info.charger_id, CHECK_TEMPLATE, work, self.tr(
            "Checking “{0}” on {1} charger(s)").format(display.safe(template.name), len(chargers)))
        if outcomes is not None:
            self.show_results(ResultsDialog(self, template.name, outcomes, dry=True))

    async def apply_template(self, template: config_templates.Template, chargers: list[str]) -> None:
        page = self.page
        engine = page.bridge.engine
        charger_id = page.info.charger_id

        async def work(reporter) -> dict:
            reporter(0, len(chargers), f"{template.name} on {len(chargers)} charger(s)")
            return await config_templates.apply_many(engine, chargers, template)

        outcomes = await page._task(charger_id, APPLY_TEMPLATE, work, self.tr("Applying “{0}” to {1} charger(s)").format(
            display.safe(template.name), len(chargers)))
        if outcomes is None:
            return
        mine = outcomes.get(charger_id)
        if mine is not None:  # what the charger answered is shown, even when it failed later
            for item in mine.changes():
                row = page.row(item.name)
                if row is not None and item.status in ("Accepted", "RebootRequired"):
                    value = item.now if item.now is not None else item.wanted
                    page._replace(charger_id, dataclasses.replace(row, value=value), changed=True)
            if any(i.status == "RebootRequired" for i in mine.items):
                self.reboot_needed(charger_id)
        failed = [c for c, o in outcomes.items() if o.failed]
        changed = sum(len(o.changes()) for o in outcomes.values())
        confirmed = sum(1 for o in outcomes.values() for i in o.changes() if i.confirmed)
        page.result.setText(html.escape(self.tr(
            "“{0}”: {1} of {2} change(s) confirmed on {3} charger(s){4}.").format(
            template.name, confirmed, changed, len(chargers),
            self.tr("; failed on {0}").format(", ".join(failed)) if failed else "")))
        self.choose(f"template:{template.id}")
        self.show_results(ResultsDialog(self, template.name, outcomes))

    def show_results(self, dialog: QtWidgets.QDialog) -> None:
        """Non-modal: the technician reads it beside the tree; tests look at it."""
        self.results = dialog
        dialog.show()

    # ------------------------------------------------------------------ password

    @qasync.asyncSlot()
    async def new_password(self) -> None:
        page = self.page
        if not page._can_talk() or page.busy_with or getattr(page, "core", None) is None:
            return
        charger_id = page.info.charger_id
        name = display.safe(charger_id)
        if not page.ask(self.tr("New password"), self.tr(
                "Give {0} a new password of its own?\n\nThe CSMS then accepts only that password from {0}. "
                "It is kept in this computer's keyring, never in a file.").format(name)):
            return
        if not await password_dialogs.unsecured_ok(page, charger_id):  # security profile 0: asked first
            return
        engine, vault = page.bridge.engine, page.core.vault

        async def work(reporter) -> passwords.PasswordSet:
            return await passwords.set_password(engine, charger_id, vault, progress=reporter, unsecured_ok=True)

        done = await page._task(charger_id, SET_PASSWORD, work, self.tr("Setting a new password on {0}").format(name))
        if done is None:
            return
        page.result.setText(html.escape(done.text))
        page.notice.emit("success", done.text)
        if done.status == "RebootRequired":
            self.reboot_needed(charger_id)
        self.show_password(done)

    def show_password(self, done: passwords.PasswordSet) -> None:
        self.password_box = password_dialogs.show_new_password(self, done)

    # ------------------------------------------------------------------ reboot

    def reboot_needed(self, charger_id: str) -> None:
        self._reboot_for = charger_id
        self.reboot_text.setText(self.tr("{0} takes the change after a reboot. Reboot it now? Commissioner waits for it "
                                         "to come back and reads the settings again.").format(display.safe(charger_id)))
        self.reboot_bar.setVisible(self.page.info is not None and self.page.info.charger_id == charger_id)
        self.update_state()

    @qasync.asyncSlot()
    async def reboot_and_read(self) -> None:
        page = self.page
        if not page._can_talk() or page.busy_with:
            return
        charger_id = page.info.charger_id
        if not page.ask(self.tr("Reboot"), self.tr("Reboot {0} now? A charging session on it is let finish first "
                                                   "(OCPP 2.x), or ended (1.6).").format(display.safe(charger_id))):
            return
        engine = page.bridge.engine

        async def work(reporter) -> configuration.Configuration:
            return await configuration.reboot_and_read(engine, charger_id, progress=reporter)

        started = time.monotonic()
        found = await page._task(charger_id, REBOOT_AND_READ, work, self.tr("Rebooting {0} and reading again").format(
            display.safe(charger_id)), configuration.REBOOT_TIMEOUT_S + 60)
        if found is None:
            return
        self.reboot_bar.hide()
        self._reboot_for = None
        page.show_configuration(charger_id, found, (time.monotonic() - started) * 1000)
        page.notice.emit("success", self.tr("{0} rebooted and its settings were read again.").format(
            display.safe(charger_id)))


class TemplateDialog(QtWidgets.QDialog):
    """The dry run: what a template would change on this charger, and on which chargers to apply it
    (or, with Check only, to read and compare without sending anything)."""

    def __init__(self, parent: QtWidgets.QWidget, templates: dict[str, config_templates.Template],
                 rows: list[configuration.ConfigRow], charger_id: str, others: list[str],
                 problems: list[config_templates.TemplateProblem] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Apply a configuration template"))
        self.resize(860, 560)
        self._templates = templates
        self._rows = rows
        self.check_only = False  # set by the Check only button
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel(self.tr("Template:")))
        self.combo = QtWidgets.QComboBox()
        for template in templates.values():
            self.combo.addItem(display.safe(template.name), template.id)
        self.combo.currentIndexChanged.connect(lambda _i: self._plan())
        top.addWidget(self.combo, 1)
        layout.addLayout(top)
        self.problems = QtWidgets.QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #c62828;")
        if problems:
            self.problems.setText(self.tr("Left out (fix or remove the file): {0}").format(
                display.safe("; ".join(str(p) for p in problems))))
        self.problems.setVisible(bool(problems))
        layout.addWidget(self.problems)
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QtWidgets.QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([self.tr("Setting"), self.tr("Now on {0}").format(display.safe(charger_id)),
                                              self.tr("Template wants"), self.tr("Will set"), self.tr("Plan")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        pick = QtWidgets.QHBoxLayout()
        pick.addWidget(QtWidgets.QLabel(self.tr("Apply to these connected chargers (same OCPP version):")), 1)
        self.select_all = QtWidgets.QPushButton(self.tr("Select &all"))
        self.select_all.clicked.connect(lambda: self.set_checked(self.all_chargers()))
        pick.addWidget(self.select_all)
        self.select_none = QtWidgets.QPushButton(self.tr("&None"))
        self.select_none.clicked.connect(lambda: self.set_checked([]))
        pick.addWidget(self.select_none)
        layout.addLayout(pick)
        self.chargers_list = QtWidgets.QListWidget()
        self.chargers_list.setMaximumHeight(110)
        for other in [charger_id] + [c for c in others if c != charger_id]:
            item = QtWidgets.QListWidgetItem(display.safe(other))
            item.setData(QtCore.Qt.ItemDataRole.UserRole, other)
            item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(QtCore.Qt.CheckState.Checked if other == charger_id else QtCore.Qt.CheckState.Unchecked)
            self.chargers_list.addItem(item)
        self.chargers_list.itemChanged.connect(lambda _i: self._update_button())
        layout.addWidget(self.chargers_list)
        buttons = QtWidgets.QDialogButtonBox()
        self.check_button = buttons.addButton(self.tr("&Check only"), QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.check_button.setToolTip(self.tr("Read the chosen chargers and show what would change on each; "
                                             "nothing is sent"))
        self.check_button.clicked.connect(self._check_only)
        self.apply_button = buttons.addButton(self.tr("Apply"), QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._plan()

    def pick(self, template_id: str) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(template_id)))

    def template(self) -> config_templates.Template:
        return self._templates[self.combo.currentData()]

    def all_chargers(self) -> list[str]:
        return [self.chargers_list.item(i).data(QtCore.Qt.ItemDataRole.UserRole) for i in range(self.chargers_list.count())]

    def chargers(self) -> list[str]:
        return [self.chargers_list.item(i).data(QtCore.Qt.ItemDataRole.UserRole) for i in range(self.chargers_list.count())
                if self.chargers_list.item(i).checkState() == QtCore.Qt.CheckState.Checked]

    def set_checked(self, charger_ids: list[str]) -> None:
        for i in range(self.chargers_list.count()):
            item = self.chargers_list.item(i)
            wanted = item.data(QtCore.Qt.ItemDataRole.UserRole) in charger_ids
            item.setCheckState(QtCore.Qt.CheckState.Checked if wanted else QtCore.Qt.CheckState.Unchecked)

    def _check_only(self) -> None:
        self.check_only = True
        self.accept()

    def _plan(self) -> None:
        items = config_templates.plan(self.template(), self._rows)
        self.table.setRowCount(len(items))
        for r, item in enumerate(items):
            cells = [item.name, item.current if item.current is not None else "—", item.rule,
                     item.wanted if item.action in ("change", "invalid") else "", plan_words(self, item)]
            for c, text in enumerate(cells):
                cell = QtWidgets.QTableWidgetItem(display.safe(text))
                if item.action == "change":
                    cell.setBackground(QtGui.QColor("#ffe0b2"))
                elif item.action in ("missing", "read-only", "invalid"):
                    cell.setForeground(QtGui.QColor("#c62828"))
                if item.reason:
                    cell.setToolTip(display.safe(item.reason))
                self.table.setItem(r, c, cell)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        changes = len([i for i in items if i.action == "change"])
        self.summary.setText(self.tr("Dry run on the settings read: {0} change(s), {1} already so, {2} cannot be "
                                     "changed. Nothing is sent until you press Apply; each charger is read first, "
                                     "so the plan is made again on its own values. Check only shows that plan for "
                                     "every charger chosen.").format(
            changes, len([i for i in items if i.action == "ok"]),
            len([i for i in items if i.action in ("missing", "read-only", "invalid")])))
        refused = [i for i in items if i.action == "invalid"]
        if refused:
            self.summary.setText(self.summary.text() + " " + self.tr("Not sent: {0}").format(
                display.safe(" ".join(i.reason for i in refused))))
        self._changes = changes
        self._update_button()

    def _update_button(self) -> None:
        chosen = bool(self.chargers())
        self.apply_button.setEnabled(chosen)
        self.check_button.setEnabled(chosen)


def plan_words(widget: QtWidgets.QWidget, item: config_templates.Item) -> str:
    """An item's plan in words; an invalid one says why it will not be sent."""
    if item.action == "invalid":
        return widget.tr("not sent: the value does not fit")
    return {"ok": widget.tr("already so"), "change": widget.tr("change"),
            "missing": widget.tr("charger has no such setting"),
            "read-only": widget.tr("read-only: cannot change")}.get(item.action, item.action)


class ResultsDialog(QtWidgets.QDialog):
    """A template's result per item and charger: what the charger answered and what it holds now.
    A charger that failed shows the items it got to, then what went wrong. With `dry` (Check only),
    what would change on each charger; nothing was sent."""

    COLUMNS = 8

    def __init__(self, parent: QtWidgets.QWidget, name: str, outcomes: dict[str, config_templates.Outcome],
                 dry: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle((self.tr("Template “{0}”: check only") if dry else
                             self.tr("Template “{0}”: results")).format(name))
        self.resize(980, 500)
        self.outcomes = outcomes
        self.dry = dry
        layout = QtWidgets.QVBoxLayout(self)
        rows: list[tuple[list[str], bool]] = []  # cells, shown as a problem
        for charger_id, outcome in outcomes.items():
            for item in outcome.items:
                if dry:
                    answer, bad = plan_words(self, item), item.action in ("missing", "read-only", "invalid")
                elif item.action == "ok":
                    answer, bad = self.tr("already so"), False
                elif item.action == "change":
                    answer = item.status or self.tr("no answer")
                    bad = item.status not in ("Accepted", "RebootRequired") or not item.confirmed
                else:
                    answer, bad = plan_words(self, item), True
                confirmed = "" if dry else (self.tr("yes") if item.confirmed else self.tr("no"))
                rows.append(([charger_id, item.name, item.current if item.current is not None else "—",
                              item.wanted if item.action != "ok" else "", answer,
                              item.reason,
                              item.now or "", confirmed], bad))
            if outcome.error is not None:
                rows.append(([charger_id, "", "", "", self.tr("failed"), str(outcome.error), "", ""], True))
        self.table = QtWidgets.QTableWidget(len(rows), self.COLUMNS)
        self.table.setHorizontalHeaderLabels([
            self.tr("Charger"), self.tr("Setting"), self.tr("Before") if not dry else self.tr("Now"),
            self.tr("Wanted"), self.tr("Plan") if dry else self.tr("Answer"), self.tr("Why"),
            self.tr("Now") if not dry else "", self.tr("Confirmed") if not dry else ""])
        if dry:
            self.table.setColumnHidden(6, True)
            self.table.setColumnHidden(7, True)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, (cells, bad) in enumerate(rows):
            for c, text in enumerate(cells):
                cell = QtWidgets.QTableWidgetItem(display.safe(str(text)))
                if bad and c in (4, 5, 7):
                    cell.setForeground(QtGui.QColor("#c62828"))
                self.table.setItem(r, c, cell)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(5, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.resizeRowsToContents()
        failed = [c for c, o in outcomes.items() if o.failed]
        asked = sum(len(o.changes()) for o in outcomes.values())
        if dry:
            text = self.tr("Check only, nothing was sent: {0} change(s) would be made on {1} charger(s).").format(
                asked, len(outcomes) - len(failed))
        elif asked:
            done = sum(1 for o in outcomes.values() for i in o.changes() if i.confirmed)
            text = self.tr("{0} of {1} change(s) confirmed by reading back; {2} charger(s).").format(
                done, asked, len(outcomes))
        else:
            text = self.tr("Nothing to change: every setting already matches.")
        refused = sum(1 for o in outcomes.values() for i in o.items if i.action == "invalid")
        if refused:
            text += " " + self.tr("{0} value(s) do not fit their setting and are not sent (see Why).").format(refused)
        if failed:
            text += " " + self.tr("Failed on {0}: see the last line of each, then read it again and retry.").format(
                ", ".join(failed))
        self.summary = QtWidgets.QLabel(display.safe(text))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        save = buttons.addButton(self.tr("Save as CSV…"), QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        save.clicked.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def csv(self) -> str:
        """Every charger's items (config_templates.outcomes_csv), failed chargers with their reason."""
        return config_templates.outcomes_csv(self.outcomes)

    def _save(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, self.tr("Save results"),
                                                        str(pathlib.Path.home() / "template-results.csv"),
                                                        self.tr("CSV (*.csv)"))
        if path:
            self.write_csv(pathlib.Path(path))

    def write_csv(self, path: pathlib.Path) -> bool:
        try:
            path.write_text(self.csv(), encoding="utf-8")
        except OSError as exc:
            QtWidgets.QMessageBox.warning(self, self.tr("Not saved"), self.tr(
                "Cannot write {0}: {1}. Pick another folder.").format(path, exc.strerror or exc))
            return False
        return True
