"""The Commission page: pick a checklist, run the automatic checks, enter the manual values, export.

The run lives in sqlite (services.runs, through Core.runs): every check and every entry is
written the moment it ends, so the page only shows what is stored; after a crash the charger's
unfinished run comes back here to be resumed.
"""

from __future__ import annotations

import asyncio
import html
import pathlib

import qasync
from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import display, errors, model, runs
from app.services import runs as run_service
from app.ui import dialogs, message_bar

RUN_CHECKS = "Commissioning checks"  # the task's name in Progress events
COLUMNS = ("Step", "Verdict", "Value", "Limit", "Reason / note")
VERDICT = {runs.StepState.PASSED: "✓ passed", runs.StepState.FAILED: "✗ failed", runs.StepState.SKIPPED: "skipped",
           runs.StepState.NOT_APPLICABLE: "n/a", runs.StepState.PENDING: "to do", runs.StepState.RUNNING: "running…"}
COLOURS = {runs.StepState.PASSED: "#2e7d32", runs.StepState.FAILED: "#c62828", runs.StepState.RUNNING: "#1565c0",
           runs.StepState.PENDING: "#b26a00"}


TEST_CHARGE, TEST_CHARGE_TEMPLATE = "test_charge", "test-charge"


class CommissionPage(QtWidgets.QWidget):
    error = QtCore.Signal(object)
    notice = QtCore.Signal(str, str)
    _export_progress = QtCore.Signal(int, int, str)  # emitted on the export's thread, delivered queued

    def __init__(self, core, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.bridge = None
        self.info: model.ChargerInfo | None = None
        self.run: runs.Run | None = None
        self.template = None
        self._busy: set[str] = set()
        layout = QtWidgets.QVBoxLayout(self)

        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel(self.tr("Checklist")))
        self.template_combo = QtWidgets.QComboBox()
        self.template_combo.setMinimumWidth(200)
        top.addWidget(self.template_combo)
        self.new_button = QtWidgets.QPushButton(self.tr("&New run"))
        self.new_button.setToolTip(self.tr("Start a commissioning of this charger with the chosen checklist"))
        self.new_button.clicked.connect(self.new_run)
        top.addWidget(self.new_button)
        self.run_button = QtWidgets.QPushButton(self.tr("Run automatic &checks"))
        self.run_button.clicked.connect(self.run_checks)
        top.addWidget(self.run_button)
        self.photo_button = QtWidgets.QPushButton(self.tr("Add &photo…"))
        self.photo_button.setToolTip(self.tr("Breaker, cable entry, installed unit, rating label: copied into the run"))
        self.photo_button.clicked.connect(lambda: self.add_photo())
        top.addWidget(self.photo_button)
        self.sign_button = QtWidgets.QPushButton(self.tr("Si&gn…"))
        self.sign_button.setToolTip(self.tr("Signatures of the technician and the customer"))
        self.sign_button.clicked.connect(lambda: self.sign())
        top.addWidget(self.sign_button)
        self.template_button = QtWidgets.QPushButton(self.tr("Save as checklist…"))
        self.template_button.setToolTip(self.tr("A new checklist with this run's steps; its entries become the hints"))
        self.template_button.clicked.connect(lambda: self.save_as_template())
        top.addWidget(self.template_button)
        self.export_button = QtWidgets.QPushButton(self.tr("E&xport report"))
        self.export_button.setToolTip(self.tr("Write the PDF, the JSON and the OCPP trace, then open the PDF"))
        self.export_button.clicked.connect(self.export)
        top.addWidget(self.export_button)
        top.addStretch(1)
        layout.addLayout(top)

        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        bar = QtWidgets.QHBoxLayout()
        self.progress = QtWidgets.QProgressBar()
        self.progress.setFormat(self.tr("%v of %m steps done"))
        bar.addWidget(self.progress, 1)
        self.open_only = QtWidgets.QCheckBox(self.tr("Only what is left or failed"))
        self.open_only.setToolTip(self.tr("Hide the steps that passed, are skipped or do not apply"))
        self.open_only.toggled.connect(lambda _on: self._hide_done())
        bar.addWidget(self.open_only)
        layout.addLayout(bar)

        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(4, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 300)
        self.table.setColumnWidth(2, 230)  # values like "Lahore depot" or "11.1 kW" read whole
        self.table.currentCellChanged.connect(lambda row, *_: self._show_entry(row))
        layout.addWidget(self.table, 1)

        entry = QtWidgets.QGroupBox(self.tr("Selected step"))
        form = QtWidgets.QHBoxLayout(entry)
        self.entry_label = QtWidgets.QLabel()
        self.entry_label.setWordWrap(True)
        form.addWidget(self.entry_label, 2)
        self.entry_edit = QtWidgets.QLineEdit()
        self.entry_edit.textChanged.connect(self._check_entry)
        self.entry_edit.returnPressed.connect(lambda: self.save_entry())
        form.addWidget(self.entry_edit, 2)
        self.entry_choice = QtWidgets.QComboBox()
        form.addWidget(self.entry_choice, 2)
        self.entry_hint = QtWidgets.QLabel()
        form.addWidget(self.entry_hint, 1)
        self.save_button = QtWidgets.QPushButton(self.tr("&Save"))
        self.save_button.clicked.connect(lambda: self.save_entry())  # not clicked(bool): that is no value
        form.addWidget(self.save_button)
        self.pass_button = QtWidgets.QPushButton(self.tr("&Pass"))
        self.pass_button.clicked.connect(lambda: self.save_entry("pass"))
        form.addWidget(self.pass_button)
        self.fail_button = QtWidgets.QPushButton(self.tr("&Fail"))
        self.fail_button.clicked.connect(lambda: self.save_entry("fail"))
        form.addWidget(self.fail_button)
        self.skip_button = QtWidgets.QPushButton(self.tr("S&kip…"))
        self.skip_button.clicked.connect(self.skip)
        form.addWidget(self.skip_button)
        self.again_button = QtWidgets.QPushButton(self.tr("Run step &again"))
        self.again_button.setToolTip(self.tr("Do this automatic check again (what it left on the charger is undone first)"))
        self.again_button.clicked.connect(self.run_again)
        form.addWidget(self.again_button)
        layout.addWidget(entry)
        self.export_bar = QtWidgets.QProgressBar()
        self.export_bar.hide()
        layout.addWidget(self.export_bar)
        self._export_progress.connect(self._on_export_progress)
        self.result = QtWidgets.QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result)
        self._load_templates()
        self.set_charger(None)

    # ------------------------------------------------------------------ state

    def _load_templates(self) -> None:
        try:
            self.templates = run_service.templates(self.core.data_dir)
        except errors.CommissionerError as exc:
            self.templates = {}
            self.error.emit(exc)
        self.template_combo.clear()
        for template in sorted(self.templates.values(), key=lambda t: t.name):
            self.template_combo.addItem(template.name, template.id)

    def set_bridge(self, bridge) -> None:
        self.bridge = bridge
        self._update()

    def set_charger(self, info: model.ChargerInfo | None) -> None:
        switched = (info.charger_id if info else None) != (self.info.charger_id if self.info else None)
        self.info = info
        if switched:
            self.run = self._latest_run(info.charger_id) if info else None
            self.template = self.templates.get(self.run.template) if self.run else None
            self.result.clear()
            self._fill()
        self._update()

    def _latest_run(self, charger_id: str) -> runs.Run | None:
        try:
            found = self.core.runs.list(charger_id)
            return self.core.runs.get(found[0].id) if found else None
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return None

    def _update(self) -> None:
        connected = self.info is not None and self.info.connected and self.bridge is not None
        busy = self.info is not None and self.info.charger_id in self._busy
        self.new_button.setEnabled(self.info is not None and not busy and bool(self.templates))
        self.run_button.setEnabled(connected and self.run is not None and not busy)
        self.export_button.setEnabled(self.run is not None and not busy)
        # The engine holds the run while its checks run: a photo or signature would be overwritten by it.
        self.photo_button.setEnabled(self.run is not None and not busy)
        self.template_button.setEnabled(self.run is not None and self.template is not None)
        self.sign_button.setEnabled(self.run is not None and not busy)
        # While the checks run the engine holds the run: entries wait, so none is lost or overwritten.
        for widget in (self.entry_edit, self.entry_choice, self.save_button, self.pass_button, self.fail_button,
                       self.skip_button, self.template_combo):
            widget.setEnabled(not busy)
        self._update_again()
        if self.info is None:
            self.summary.setText(self.tr("Select a charger to commission it."))
        elif self.run is None:
            self.summary.setText(self.tr("No commissioning of {0} yet: choose a checklist and press New run.").format(
                display.safe(self.info.charger_id)))
        else:
            todo = [s for s in self.run.steps if not s.state.done]
            failed = [s for s in self.run.steps if s.state is runs.StepState.FAILED]
            photos = sum(1 for a in self.run.attachments if a.get("kind") == "photo")
            signed = [a.get("label", "") for a in self.run.attachments if a.get("kind") == "signature"]
            text = self.tr("Run {0} ({1}): {2} to do, {3} failed · {4} photo(s) · signed by: {5}.").format(
                self.run.id, self.run.template_name or self.run.template, len(todo), len(failed), photos,
                ", ".join(signed) or self.tr("nobody yet"))
            if busy:
                text += " " + self.tr("Automatic checks are running…")
            elif not connected and any(s.kind == "auto" and not s.state.done for s in self.run.steps):
                text += " " + self.tr("The charger is not connected: the automatic checks wait for it.")
            self.summary.setText(text)

    def _fill(self) -> None:
        steps = self.run.steps if self.run else []
        current = self.table.currentRow()
        self.table.setRowCount(len(steps))
        for row, step in enumerate(steps):
            cells = [step.title + ("" if step.required else self.tr(" (optional)")), VERDICT[step.state],
                     "; ".join(_value(v) for v in step.values), "; ".join(v.limit_text() for v in step.values if v.limit_text())
                     or self._limit_of(step.key), "; ".join(p for p in (step.reason, step.note) if p)]
            for column, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(display.safe(text))
                if column == 1 and step.state in COLOURS:
                    item.setForeground(QtGui.QColor(COLOURS[step.state]))
                if column == 0:
                    item.setToolTip(self.tr("automatic check") if step.kind == "auto" else self.tr("entered by you"))
                self.table.setItem(row, column, item)
        self._hide_done()
        done = sum(1 for s in steps if s.state.done)
        self.progress.setRange(0, max(1, len(steps)))
        self.progress.setValue(done)
        if steps:
            self.table.setCurrentCell(max(0, min(current, len(steps) - 1)) if current >= 0 else self._first_open(), 0)
        self._show_entry(self.table.currentRow())

    def _hide_done(self) -> None:
        for row, step in enumerate(self.run.steps if self.run else []):
            self.table.setRowHidden(row, self.open_only.isChecked() and step.state.done
                                    and step.state is not runs.StepState.FAILED)

    def _first_open(self) -> int:
        for row, step in enumerate(self.run.steps if self.run else []):
            if not step.state.done:
                return row
        return 0

    def _limit_of(self, key: str) -> str:
        if self.template is None:
            return ""
        spec = run_service.spec_of(self.template, key)
        return runs.Value("", 0, spec.unit, spec.low, spec.high).limit_text()

    def _spec(self, row: int):
        if self.run is None or self.template is None or not 0 <= row < len(self.run.steps):
            return None, None
        step = self.run.steps[row]
        return step, run_service.spec_of(self.template, step.key)

    def _show_entry(self, row: int) -> None:
        step, spec = self._spec(row)
        manual = spec is not None and spec.kind == "manual"
        for widget in (self.entry_edit, self.save_button):
            widget.setVisible(manual and spec.entry in ("number", "text"))
        self.entry_choice.setVisible(manual and spec.entry == "choice")
        for widget in (self.pass_button, self.fail_button):
            widget.setVisible(manual and spec.entry == "passfail")
        self.skip_button.setVisible(step is not None and not step.state.done)
        self.again_button.setVisible(step is not None and step.kind == "auto")
        self._update_again()
        if step is None:
            self.entry_label.setText(self.tr("Select a step."))
            self.entry_hint.clear()
            return
        person = spec is not None and not manual and run_service.needs_a_person(spec)
        self.entry_label.setText(f"<b>{html.escape(step.title)}</b>" + (
            f"<br>{html.escape(spec.hint)}" if spec.hint else "") + (
            "" if manual else "<br>" + (self.tr(
                "Needs someone at the charger: press Check now, then hold the test tag at the reader "
                "(within {0} s).").format(f"{spec.timeout or 30:g}") if person else
                self.tr("An automatic check: Run automatic checks does it."))))
        if manual and spec.entry == "choice":
            self.entry_choice.clear()
            self.entry_choice.addItems(list(spec.options))
            self.save_button.setVisible(True)
        if manual:
            current = step.values[0].value if step.values else ""
            self.entry_edit.setText("" if current == "" else (f"{current:g}" if isinstance(current, float) else str(current)))
            self.entry_edit.setPlaceholderText(spec.unit or self.tr("value"))
        limit = self._limit_of(step.key) if spec is not None else ""
        self.entry_hint.setText(((spec.unit + " · ") if manual and spec.unit else "") + (self.tr("limit {0}").format(limit) if limit else ""))
        self._check_entry()

    def _update_again(self) -> None:
        """Run step again: an automatic check that ended, the charger connected, nothing running."""
        step, spec = self._spec(self.table.currentRow())
        connected = self.info is not None and self.info.connected and self.bridge is not None
        busy = self.info is not None and self.info.charger_id in self._busy
        person = step is not None and spec is not None and step.kind == "auto" and run_service.needs_a_person(spec)
        # A check that needs someone at the charger (the RFID tag) runs only when they say they are there.
        self.again_button.setText(self.tr("&Check now (at the charger)") if person else self.tr("Run step &again"))
        ready = step is not None and (run_service.can_run_again(step) or (person and step.state is runs.StepState.PENDING))
        self.again_button.setEnabled(ready and connected and not busy)

    def _check_entry(self) -> None:
        """Red while the typed value is not a number or is out of the step's limits."""
        step, spec = self._spec(self.table.currentRow())
        bad = False
        if spec is not None and spec.entry == "number" and self.entry_edit.text().strip():
            try:
                value = float(self.entry_edit.text().replace(",", "."))
                bad = runs.Value("", value, spec.unit, spec.low, spec.high).in_limits is False
            except ValueError:
                bad = True
        self.entry_edit.setStyleSheet("QLineEdit { background: #fde7e9; color: #6b0b16; }" if bad else "")

    # ------------------------------------------------------------------ actions

    def new_run(self) -> None:
        if self.info is None:
            return
        template = self.templates.get(self.template_combo.currentData())
        if template is None:
            return
        if self.run is not None and not self.run.ended_ms and not dialogs.confirm(
                self, self.tr("New run"), self.tr("{0} has an unfinished run ({1}). Start a new one? The old one stays "
                                                  "in the list.").format(display.safe(self.info.charger_id), self.run.id)):
            return
        run = run_service.new_run(template, self.info.charger_id, {"technician": "", "site": ""})
        try:
            self.core.runs.save(run)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        self.run, self.template = run, template
        self._fill()
        self._update()

    @qasync.asyncSlot()
    async def run_checks(self) -> None:
        await self._run_checks()

    @qasync.asyncSlot()
    async def run_again(self) -> None:
        """The selected automatic check to pending (its leftovers kept, to be undone first), then the checks run."""
        step, _spec = self._spec(self.table.currentRow())
        if step is None or self.run is None or not self.again_button.isEnabled():
            return
        person = _spec is not None and run_service.needs_a_person(_spec)
        try:
            if step.state is not runs.StepState.PENDING:
                run_service.reset_step(self.core.runs, self.run, step.key)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        self._fill()
        if person:
            self.notice.emit("info", {
                "tag_blocked": self.tr("Hold a card listed as Blocked in the test tags at the charger's reader now."),
                "tag_valid": self.tr("Hold a card listed as Accepted in the test tags at the charger's reader now."),
            }.get(step.key, self.tr("Hold the test tag at the charger's reader now.")))
            await self._run_checks(only=frozenset({step.key}))
        else:
            await self._run_checks()

    def test_charge_run(self) -> runs.Run | None:
        """The run a test charge goes into: the one on show while it is unfinished (its own test-charge
        step, run again) or a "Test charge" run; None: a new "Test charge" run (a finished or signed
        commissioning keeps its verdict)."""
        run, template = self.run, self.template
        if run is None or template is None or not any(s.key == TEST_CHARGE for s in template.steps):
            return None
        if run.template == TEST_CHARGE_TEMPLATE or (run.outcome is runs.Outcome.INCOMPLETE and not any(
                a.get("kind") == "signature" for a in run.attachments)):
            return run
        return None

    async def test_charge(self, tag: str, connector: int = 1) -> runs.Step | str:
        """One test charge as a step of this charger's run (test_charge_run), or a new "Test charge"
        run. Returns the step as it ended, or why it did not run."""
        if self.info is None or self.bridge is None:
            return self.tr("No charger selected, or the CSMS is not running.")
        if self.info.charger_id in self._busy:
            return self.tr("The Commission page is running checks on this charger: wait for them to end.")
        run = self.test_charge_run()
        template = self.template
        try:
            if run is None:
                template = self.templates.get(TEST_CHARGE_TEMPLATE)
                if template is None:
                    raise errors.ConfigError(self.tr("The “Test charge” checklist is missing."),
                                             hint=self.tr("Reinstall Commissioner (resources/checklists/test-charge.toml)."))
                run = run_service.new_run(template, self.info.charger_id, {"technician": "", "site": ""})
            run.fields["test_tag"] = tag
            self.core.runs.save(run)
            if run_service.can_run_again(run.step(TEST_CHARGE)):
                run_service.reset_step(self.core.runs, run, TEST_CHARGE)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return exc.message
        self.run, self.template = run, template
        self._fill()
        self._update()
        await self._run_checks(only=frozenset({TEST_CHARGE}), connector=connector)
        if self.run is None or self.run.id != run.id:
            return self.tr("The charger changed meanwhile: see the Commission page.")
        return self.run.step(TEST_CHARGE)

    async def _run_checks(self, only: frozenset[str] | None = None, connector: int = 1) -> None:
        if self.info is None or self.run is None or self.template is None or self.bridge is None:
            return
        charger_id, run, template, store = self.info.charger_id, self.run, self.template, self.core.runs
        engine = self.bridge.engine
        total = len(template.steps)
        csms_url = self._csms_url()
        vault = self.core.vault  # a password the security step gives is kept with the others

        async def work(reporter):
            def listener(done_run, step):
                reporter(sum(1 for s in done_run.steps if s.state.done), total, f"{step.key} {step.state.value}")
            # The engine works on its own copy from the store; the page reads the store as steps end.
            return await run_service.execute(engine, store, template, charger_id, values={}, headless=False,
                                             vault=vault, listener=listener, resume=store.get(run.id), csms_url=csms_url,
                                             only=only, present=only or frozenset(), connector=connector)

        self._busy.add(charger_id)
        self._update()
        try:
            finished = await self.bridge.run_task(RUN_CHECKS, charger_id, work)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            finished = None
        finally:
            self._busy.discard(charger_id)
        if self.info is not None and self.info.charger_id == charger_id:
            self.run = finished or store.get(run.id)
            self._fill()
            self._update()
            if finished is not None:
                failed = [s.title for s in finished.steps if s.state is runs.StepState.FAILED]
                left = sum(1 for s in finished.steps if not s.state.done)
                text = self.tr("{0}: automatic checks done, run {1}.").format(display.safe(charger_id),
                                                                              finished.outcome.value)
                if failed:
                    text += " " + self.tr("Failed: {0}.").format(", ".join(failed[:4]) + (" …" if len(failed) > 4 else ""))
                if left:
                    text += " " + self.tr("{0} step(s) still to do.").format(left)
                self.notice.emit("success" if finished.outcome is runs.Outcome.PASSED else "warning", text)

    def _csms_url(self) -> str:
        urls = getattr(self.bridge.engine, "urls", None) or []
        return urls[-1] if urls else ""

    def on_progress(self, progress: model.Progress) -> None:
        """A check ended: show what the store now holds."""
        if self.info is None or progress.charger_id != self.info.charger_id or progress.name != RUN_CHECKS:
            return
        if self.run is not None:
            fresh = self.core.runs.get(self.run.id)
            if fresh is not None:
                self.run = fresh
                self._fill()
                self._update()

    def save_entry(self, value: str | None = None) -> None:
        step, spec = self._spec(self.table.currentRow())
        if step is None or spec is None or self.run is None:
            return
        raw = value if value is not None else (
            self.entry_choice.currentText() if spec.entry == "choice" else self.entry_edit.text().replace(",", "."))
        try:
            run_service.record_entry(self.core.runs, self.run, spec, raw)
        except errors.CommissionerError as exc:
            self.result.setText(f"<span style='color:#c62828'>{html.escape(message_bar.describe(exc)[0])}</span>")
            self.error.emit(exc)
            return
        row = self.table.currentRow()
        self._fill()
        self.table.setCurrentCell(min(row + 1, self.table.rowCount() - 1), 0)  # on to the next step
        self._update()

    def skip(self) -> None:
        step, _spec = self._spec(self.table.currentRow())
        if step is None or self.run is None:
            return
        reason, ok = QtWidgets.QInputDialog.getText(self, self.tr("Skip a step"),
                                                    self.tr("Why is “{0}” skipped?").format(step.title))
        if not ok:
            return
        run_service.skip(self.core.runs, self.run, step.key, reason.strip())
        self._fill()
        self._update()

    def save_as_template(self, name: str | None = None) -> None:
        if self.run is None or self.template is None:
            return
        if name is None:
            name, ok = QtWidgets.QInputDialog.getText(self, self.tr("Save as checklist"), self.tr("Name of the new checklist"),
                                                      text=self.tr("{0} ({1})").format(self.template.name, self.run.charger_id))
            if not ok or not name.strip():
                return
        try:
            saved = run_service.save_as_template(self.run, self.template, self.core.data_dir, name.strip())
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        self._load_templates()
        self.template_combo.setCurrentIndex(self.template_combo.findData(saved.id))
        self.result.setText(self.tr("Checklist “{0}” saved in {1}.").format(saved.name, saved.path))

    def _on_export_progress(self, done: int, total: int, message: str) -> None:
        self.export_bar.setRange(0, total or 0)
        self.export_bar.setValue(done)
        self.export_bar.setFormat(message)

    def add_photo(self, paths: list[str] | None = None, label: str | None = None) -> None:
        if self.run is None:
            return
        if paths is None:
            paths, _filter = QtWidgets.QFileDialog.getOpenFileNames(
                self, self.tr("Add photos"), "", self.tr("Images (*.jpg *.jpeg *.png *.heic *.webp)"))
        if not paths:
            return
        if label is None:
            label, ok = QtWidgets.QInputDialog.getItem(self, self.tr("Add photos"), self.tr("What do they show?"),
                                                       list(run_service.PHOTO_LABELS), 0, False)
            if not ok:
                return
        try:
            for path in paths:
                run_service.attach(self.core.runs, self.core.data_dir, self.run, "photo", label, source=path)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        self.result.setText(self.tr("{0} photo(s) added: {1}.").format(len(paths), label))
        self._update()

    def sign(self, role: str | None = None, dialog=None) -> None:
        from app.ui import signature

        if self.run is None:
            return
        if role is None:
            role, ok = QtWidgets.QInputDialog.getItem(self, self.tr("Sign"), self.tr("Who signs?"),
                                                      list(run_service.SIGNERS), 0, False)
            if not ok:
                return
        dialog = dialog or signature.SignatureDialog(role, self.run.technician if role == "Technician" else "", self)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return
        name = dialog.name.text().strip()
        when = QtCore.QDateTime.currentDateTime().toString("yyyy-MM-dd HH:mm")
        try:
            run_service.attach(self.core.runs, self.core.data_dir, self.run, "signature", role,
                               data=dialog.pad.png(name, when), name=name)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        self.result.setText(self.tr("Signed by {0} ({1}).").format(name, role))
        self._update()

    @qasync.asyncSlot()
    async def export(self, out_dir: pathlib.Path | None = None, open_pdf: bool = True) -> None:
        if self.run is None:
            return
        run = self.run
        out = out_dir or run_service.report_folder(self.core.data_dir / "reports", run.charger_id)
        self.result.setText(self.tr("Writing the report of run {0}…").format(run.id))
        self.export_bar.setRange(0, 0)
        self.export_bar.show()
        self.export_button.setEnabled(False)
        try:
            done = await asyncio.to_thread(run_service.export_report, run, self.core.journal_path, out,
                                           lambda d, t, m: self._export_progress.emit(d, t, m))
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        finally:
            self.export_bar.hide()
            self._update()
        self.last_export = done
        pages = self.tr("1 page") if done.pages == 1 else self.tr("{0} pages").format(done.pages)
        self.result.setText(self.tr("Report written: {0} ({1}), with {2} and {3}.").format(
            done.pdf, pages, done.json.name, done.trace.name))
        if open_pdf:
            QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(done.pdf)))


def _value(value: runs.Value) -> str:
    shown = f"{value.value:g}" if isinstance(value.value, float) else str(value.value)
    return ((f"{value.name}: " if value.name else "") + f"{shown} {value.unit}").strip()
