"""The Security page: the built-in CA to read out and export, this charger's security profile (and the
guided upgrade to a higher one), the certificates it holds, its security events, and the TLS
handshakes the CSMS saw fail (by address: they carry no charger id, which is what makes a charger
set to wss:// against the wrong port visible at all).

Over services.certificates, on the engine loop through the bridge; the upgrade is an owned engine task
whose Progress fills the step list while it runs, and whose own steps (✓/✗ with what the charger said)
replace it when it ends. The vault that keeps a password given on the way is the window's (core.vault).
"""

from __future__ import annotations

import asyncio
import collections
import html
import pathlib

import qasync
from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import display, errors, model
from app.services import certificates
from app.ui import bound, dialogs, job_view, password_dialogs

UPGRADE_TASK = "Security profile upgrade"
UPGRADE_TIMEOUT_S = certificates.CSR_TIMEOUT_S + certificates.RECONNECT_TIMEOUT_S + 120
MAX_FAILURES = 50  # failed TLS handshakes kept on the page (the log keeps them all)
CERT_COLUMNS = ("Type", "Ours", "Serial")
EVENT_COLUMNS = ("Time", "Type", "Details (techInfo)")
FAILURE_COLUMNS = ("Time", "From → port", "Why it failed")


def fingerprint_lines(fingerprint: str) -> str:
    """32 bytes as 4 lines of 8, in pairs of 4, to read aloud and compare with the charger's screen."""
    octets = [part.upper() for part in fingerprint.split(":") if part]
    lines = []
    for start in range(0, len(octets), 8):
        row = octets[start:start + 8]
        lines.append(" ".join(row[:4]) + "   " + " ".join(row[4:]))
    return "\n".join(lines)


def _table(columns: tuple[str, ...], tr) -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels([tr(c) for c in columns])
    table.verticalHeader().hide()
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
    # The last column takes what is left, never more: no sideways scrolling (the full text is its tooltip).
    header.setSectionResizeMode(len(columns) - 1, QtWidgets.QHeaderView.ResizeMode.Stretch)
    return table


def _cell(text: str, colour: str = "") -> QtWidgets.QTableWidgetItem:
    item = QtWidgets.QTableWidgetItem(text)
    item.setToolTip(text)
    if colour:
        item.setForeground(QtGui.QColor(colour))
    return item


def _note(text: str = "") -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color:#555;")
    return label


class SecurityPage(QtWidgets.QWidget):
    error = QtCore.Signal(object)
    notice = QtCore.Signal(str, str)
    settings_requested = QtCore.Signal()

    def __init__(self, core, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core  # core.vault keeps a password the upgrade gives; core.settings the CSMS-wide minimum
        self.bridge = None
        self.info: model.ChargerInfo | None = None
        self.authority: certificates.Authority | None = None
        self.security: certificates.ChargerSecurity | None = None
        self.installed: list[certificates.Installed] = []
        self.running: dict[str, object] = {}  # charger id -> its upgrade's future
        self.steps: dict[str, list[tuple[str, str, bool | None]]] = {}  # charger id -> (title, detail, ok/None)
        self.outcomes: dict[str, tuple[str, bool]] = {}  # charger id -> the upgrade's verdict
        self.failures: collections.deque[model.TlsFailed] = collections.deque(maxlen=MAX_FAILURES)
        self._shown_key: tuple = ()
        self._reading = 0  # certificate list reads under way
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self._build_authority(), 5)
        top.addWidget(self._build_charger(), 6)
        layout.addLayout(top)
        # Side by side, each list gets the whole height left (a 1366x768 laptop has little of it).
        bottom = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        bottom.addWidget(self._build_certificates())
        bottom.addWidget(self._build_events())
        bottom.addWidget(self._build_failures())
        for index, stretch in enumerate((4, 3, 4)):
            bottom.setStretchFactor(index, stretch)
        bottom.setChildrenCollapsible(False)
        layout.addWidget(bottom, 1)
        self.set_charger(None)

    # ------------------------------------------------------------------ building

    def _build_authority(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox(self.tr("This laptop's certificate authority (built-in CA)"))
        layout = QtWidgets.QVBoxLayout(box)
        hint = QtWidgets.QLabel(self.tr("SHA-256 fingerprint: once the CA is on the charger, its web page or log "
                                        "shows its CSMS root's fingerprint — it must match this one:"))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.fingerprint = QtWidgets.QLabel(self.tr("Reading…"))
        self.fingerprint.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.fingerprint.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.35)
        font.setBold(True)
        self.fingerprint.setFont(font)
        self.fingerprint.setStyleSheet("padding:4px 8px; background:palette(base); border:1px solid palette(mid);")
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.fingerprint)
        side = QtWidgets.QVBoxLayout()
        self.copy_button = QtWidgets.QPushButton(self.tr("Co&py"))
        self.copy_button.setToolTip(self.tr("Copy the fingerprint (colon-separated) to the clipboard"))
        self.copy_button.clicked.connect(self.copy_fingerprint)
        side.addWidget(self.copy_button)
        self.export_button = QtWidgets.QPushButton(self.tr("E&xport CA certificate…"))
        self.export_button.setToolTip(self.tr("Save the CA certificate (never its key) as PEM or DER, for a charger "
                                              "that is given its CA by hand (USB stick, its web page)"))
        self.export_button.clicked.connect(lambda: self.export())
        side.addWidget(self.export_button)
        side.addStretch(1)
        row.addLayout(side)
        row.addStretch(1)
        layout.addLayout(row)
        self.about = QtWidgets.QLabel()
        self.about.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.about.setWordWrap(True)
        self.about.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.about)
        self.urls = QtWidgets.QLabel()
        self.urls.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.urls.setWordWrap(True)
        self.urls.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        urls = QtWidgets.QHBoxLayout()
        urls.addWidget(self.urls, 1)
        self.settings_button = QtWidgets.QPushButton(self.tr("Open Settings…"))
        self.settings_button.clicked.connect(self.settings_requested.emit)
        urls.addWidget(self.settings_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        self.retry_button = QtWidgets.QPushButton(self.tr("Try again"))
        self.retry_button.setToolTip(self.tr("Open the CA again (after unlocking the keyring, say)"))
        self.retry_button.clicked.connect(lambda: self.load_authority())
        self.retry_button.hide()
        urls.addWidget(self.retry_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        layout.addLayout(urls)
        layout.addStretch(1)
        return box

    def _build_charger(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox(self.tr("This charger's security profile"))
        layout = QtWidgets.QVBoxLayout(box)
        self.profile_text = QtWidgets.QLabel()
        self.profile_text.setWordWrap(True)
        self.profile_text.setTextFormat(QtCore.Qt.TextFormat.RichText)
        layout.addWidget(self.profile_text)
        lowest = QtWidgets.QHBoxLayout()
        self.lowest_text = QtWidgets.QLabel()
        self.lowest_text.setWordWrap(True)
        lowest.addWidget(self.lowest_text, 1)
        self.allow_button = QtWidgets.QPushButton(self.tr("Allow a lowe&r profile…"))
        self.allow_button.setToolTip(self.tr("Let this charger connect with a lower profile again (after a factory "
                                             "reset, or to hand it to a backend without TLS)"))
        self.allow_button.clicked.connect(lambda: self.allow_lower())
        lowest.addWidget(self.allow_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        layout.addLayout(lowest)
        upgrade = QtWidgets.QHBoxLayout()
        label = QtWidgets.QLabel(self.tr("Upgrade to"))  # its letters are the page's buttons'
        upgrade.addWidget(label)
        self.target = QtWidgets.QComboBox()
        self.target.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.target.setMinimumContentsLength(16)  # a narrow window keeps its width
        label.setBuddy(self.target)
        self.target.currentIndexChanged.connect(lambda _i: self._update())
        upgrade.addWidget(self.target, 1)
        self.upgrade_button = QtWidgets.QPushButton(self.tr("&Upgrade"))
        self.upgrade_button.setToolTip(self.tr("Install the CA, give the charger what the profile needs, set it, "
                                               "and see it reconnect with it"))
        self.upgrade_button.clicked.connect(lambda: self.upgrade())
        upgrade.addWidget(self.upgrade_button)
        layout.addLayout(upgrade)
        self.bar = QtWidgets.QProgressBar()
        self.bar.setTextVisible(True)
        self.bar.hide()
        running = QtWidgets.QHBoxLayout()
        running.addWidget(self.bar, 1)
        self.stop_button = QtWidgets.QPushButton(self.tr("Stop"))
        self.stop_button.setToolTip(self.tr("Stop waiting for this upgrade (what the charger took stays: look at "
                                            "the steps, then read its profile again)"))
        self.stop_button.clicked.connect(self.stop_upgrade)
        self.stop_button.hide()
        running.addWidget(self.stop_button)
        layout.addLayout(running)
        self.step_table = _table(("Step", "What happened"), self.tr)
        self.step_table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        rows = self.step_table.verticalHeader()
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)  # five steps fit without scrolling
        # Fixed, five steps (profile 3 with an operator name has five): the lists below get the rest.
        self.step_table.setFixedHeight(self.step_table.horizontalHeader().sizeHint().height() + 5 * (
            self.fontMetrics().height() + 6) + 4)
        layout.addWidget(self.step_table)
        self.outcome = QtWidgets.QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.outcome.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.outcome)
        return box

    def _build_certificates(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox(self.tr("Certificates on the charger"))
        layout = QtWidgets.QVBoxLayout(box)
        buttons = QtWidgets.QGridLayout()
        self.read_button = QtWidgets.QPushButton(self.tr("Read li&st"))
        self.read_button.setToolTip(self.tr("Ask the charger which certificates it holds (GetInstalledCertificateIds)"))
        self.read_button.clicked.connect(lambda: self.read_list())
        buttons.addWidget(self.read_button, 0, 0)
        self.install_button = QtWidgets.QPushButton(self.tr("I&nstall this CSMS's CA"))
        self.install_button.setToolTip(self.tr("InstallCertificate: the charger then trusts this laptop over wss://"))
        self.install_button.clicked.connect(lambda: self.install_ours())
        buttons.addWidget(self.install_button, 0, 1)
        self.maker_button = QtWidgets.QPushButton(self.tr("Install manufactur&er root…"))
        self.maker_button.setToolTip(self.tr("InstallCertificate ManufacturerRootCertificate from a PEM file: the "
                                             "root its signed firmware is checked against"))
        self.maker_button.clicked.connect(lambda: self.install_manufacturer())
        buttons.addWidget(self.maker_button, 1, 1)
        self.delete_button = QtWidgets.QPushButton(self.tr("Dele&te…"))
        self.delete_button.setToolTip(self.tr("DeleteCertificate: the selected one"))
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        buttons.addWidget(self.delete_button, 1, 0)
        layout.addLayout(buttons)
        self.cert_table = _table(CERT_COLUMNS, self.tr)
        self.cert_table.horizontalHeaderItem(1).setToolTip(self.tr("✓: this CSMS's own CA (the built-in one)"))
        self.cert_table.itemSelectionChanged.connect(self._update)
        layout.addWidget(self.cert_table, 1)
        self.cert_note = _note()
        layout.addWidget(self.cert_note)
        return box

    def _build_events(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox(self.tr("Its security events (newest first)"))
        layout = QtWidgets.QVBoxLayout(box)
        self.event_table = _table(EVENT_COLUMNS, self.tr)
        self.event_table.setWordWrap(True)
        layout.addWidget(self.event_table, 1)
        self.event_note = _note()
        layout.addWidget(self.event_note)
        return box

    def _build_failures(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox(self.tr("Failed TLS connections (by address)"))
        layout = QtWidgets.QVBoxLayout(box)
        note = _note(self.tr("A charger missing from the list may be here: wss:// to the plain port, this CA not "
                             "trusted, a bad client certificate."))
        note.setToolTip(self.tr("The charger's id is only known once TLS succeeds, so these are listed by the "
                                "address they came from, on every charger's page."))
        layout.addWidget(note)
        self.failure_table = _table(FAILURE_COLUMNS, self.tr)
        self.failure_table.setWordWrap(True)  # the reason says what to change: read in full
        layout.addWidget(self.failure_table, 1)
        return box

    # ------------------------------------------------------------------ wiring

    def set_bridge(self, bridge) -> None:
        bound.follow_events(self.bridge, bridge, self.on_events)
        self.bridge = bridge
        self.authority = None
        if bridge is not None:
            self.load_authority()
        else:
            self._show_authority(None, errors.CsmsError(self.tr("The CSMS is not running."),
                                                        hint=self.tr("Check the port in Settings.")))
        self.security = None
        self._shown_key = ()
        self.set_charger(self.info)

    def set_charger(self, info: model.ChargerInfo | None) -> None:
        switched = (info.charger_id if info else None) != (self.info.charger_id if self.info else None)
        self.info = info
        if switched:
            self.installed = []
            self.security = None
            self._fill_certificates()
            self.cert_note.setText(self.tr("Read list asks the charger which certificates it holds.")
                                   if info is not None else "")
        # Reread what the CSMS knows of it when its connection or its events change, not on every frame.
        key = (info.charger_id, info.connected, info.security_profile, len(info.security_events),
               info.security_events[-1].ts_ms if info.security_events else 0) if info else ()
        if key != self._shown_key:
            self._shown_key = key
            self._show_state()  # what the snapshot says now; the CSMS's record follows
            self.refresh_state()
        self._show_steps()
        self._update()

    # ------------------------------------------------------------------ the CA

    @qasync.asyncSlot()
    async def load_authority(self) -> None:
        bridge = self.bridge
        if bridge is None:
            return
        try:
            about = await bridge.run(certificates.authority(bridge.engine))
        except errors.CommissionerError as exc:
            self._show_authority(None, exc)
            return
        if bridge is self.bridge:
            self._show_authority(about, None)

    def _show_authority(self, about: certificates.Authority | None, problem: errors.CommissionerError | None) -> None:
        self.authority = about
        self.retry_button.setVisible(about is None and problem is not None)
        if about is None:
            self.fingerprint.setText("—")
            self.about.setText(" ".join(t for t in (problem.message, problem.hint) if t) if problem else "")
            self.urls.setText("")
            self.settings_button.setVisible(isinstance(problem, errors.ConfigError))
            self._update()
            return
        self.fingerprint.setText(fingerprint_lines(about.fingerprint))
        self.fingerprint.setToolTip(about.fingerprint)
        self.about.setText(self.tr("Subject: {0} · valid until {1}\nKept in {2}").format(
            about.subject, about.not_after, about.directory))
        if about.wss_urls:
            # The LAN addresses first: 127.0.0.1 only serves a charger on this laptop (a simulator).
            ordered = sorted(about.wss_urls, key=lambda u: ("//127." in u or "//[::1]" in u, u))
            links = "<br>".join(f"<b>{html.escape(u)}</b>" for u in ordered)
            self.urls.setText(self.tr("Chargers on profile 2 or 3 connect to (then the path and the charger id; "
                                      "Upgrade sets it):") + f"<br>{links}")
            self.settings_button.hide()
        else:
            self.urls.setText("<span style='color:#8a6100'>" + html.escape(self.tr(
                "TLS is off — turn it on in Settings (Security) for profiles 2 and 3 (wss://).")) + "</span>")
            self.settings_button.show()
        self._fill_targets()
        self._update()

    def copy_fingerprint(self) -> None:
        if self.authority is not None:
            QtGui.QGuiApplication.clipboard().setText(self.authority.fingerprint)
            self.notice.emit("info", self.tr("The CA's fingerprint is on the clipboard."))

    def export(self, path: str | None = None, kind: str | None = None) -> None:
        """The file dialog here, in a plain slot: a modal dialog inside a running coroutine would
        make every other task that wakes meanwhile (an upgrade ending) fail in qasync."""
        if self.bridge is None:
            return
        if path is None:
            pem, der = self.tr("PEM certificate (*.pem *.crt)"), self.tr("DER certificate (*.der *.cer)")
            path, chosen = QtWidgets.QFileDialog.getSaveFileName(
                self, self.tr("Export the CA certificate"), "commissioner-ca.pem", f"{pem};;{der}")
            if not path:
                return
            suffix = pathlib.Path(path).suffix.lower()
            kind = "der" if suffix in (".der", ".cer") or (chosen == der and suffix not in (".pem", ".crt")) else "pem"
            if not suffix:
                path += ".der" if kind == "der" else ".pem"
        self._export(path, kind or "pem")

    @qasync.asyncSlot(str, str)
    async def _export(self, path: str, kind: str) -> None:
        if self.bridge is None:
            return
        try:
            written = await self.bridge.run(certificates.export_authority(self.bridge.engine, pathlib.Path(path),
                                                                          kind or "pem"))
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        self.notice.emit("success", self.tr("CA certificate saved as {0} ({1}). Give it to the charger as its CSMS "
                                            "root certificate.").format(str(written), (kind or "pem").upper()))

    # ------------------------------------------------------------------ this charger

    @qasync.asyncSlot()
    async def refresh_state(self) -> None:
        bridge, info = self.bridge, self.info
        if bridge is None or info is None:
            self.security = None
            self._show_state()
            return
        engine, charger_id = bridge.engine, info.charger_id

        async def read() -> certificates.ChargerSecurity:
            return certificates.state(engine, charger_id)

        try:
            found = await bridge.run(read())
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        if self.info is not None and self.info.charger_id == charger_id:
            self.security = found
            self._show_state()

    def _current(self) -> int:
        profiles = [self.info.security_profile] if self.info is not None else [0]
        if self.security is not None:
            profiles.append(self.security.connected_profile)
        return max(profiles)

    def _show_state(self) -> None:
        info = self.info
        if info is None:
            self.profile_text.setText(self.tr("Select a charger to see its security profile."))
            self.lowest_text.setText("")
            self._fill_targets()
            self._fill_events()
            self._update()
            return
        current = self._current()
        words = html.escape(certificates.PROFILES.get(current, str(current)))
        if info.connected:
            self.profile_text.setText(self.tr("Connected with security profile <b>{0}</b>").format(words))
        else:
            self.profile_text.setText(self.tr("Not connected. It last connected with security profile <b>{0}</b>")
                                      .format(words))
        lowest = self.security.lowest_allowed if self.security is not None else 0
        floor = self.core.settings.csms.security_profile if self.core is not None else 0
        if lowest > 0:
            text = self.tr("Lowest it may connect with now: profile {0}. It reached it here, so a lower one is refused "
                           "(no downgrade).").format(lowest)
        else:
            text = (self.tr("Any profile is admitted for it.") if current == 0 else
                    self.tr("It may come back with a lower profile too: demo chargers, and chargers allowed a lower "
                            "profile, are not held to no-downgrade."))
        if floor > lowest:
            text += " " + self.tr("Settings admit profile {0} or higher for every charger.").format(floor)
        self.lowest_text.setText(text)
        self._fill_targets()
        self._fill_events()
        self._update()

    def _fill_targets(self) -> None:
        current = self._current() if self.info is not None else 3
        tls = self.authority is None or bool(self.authority.wss_urls)
        chosen = self.target.currentData()
        with QtCore.QSignalBlocker(self.target):
            self.target.clear()
            for profile in range(current + 1, 4):
                words = certificates.PROFILES[profile]
                text = words.split(" (")[0]  # the parenthesis is in the tooltip: the combo stays narrow
                if profile >= 2 and not tls:
                    text += self.tr("  [TLS off]")
                self.target.addItem(text, profile)
                self.target.setItemData(self.target.count() - 1, words, QtCore.Qt.ItemDataRole.ToolTipRole)
            if self.target.count() == 0:
                self.target.addItem(self.tr("(already at the highest profile)"), None)
            index = self.target.findData(chosen)
            if index < 0:  # profile 2 (TLS), what a commissioning asks for, when it is on offer
                index = max(self.target.findData(2), 0)
            self.target.setCurrentIndex(index)

    def allow_lower(self) -> None:
        info, bridge = self.info, self.bridge
        if info is None or bridge is None or self.security is None or self.security.lowest_allowed <= 0:
            return
        name = display.safe(info.charger_id)
        if not self.ask(self.tr("Allow a lower profile"), self.tr(
                "Let {0} connect with a profile lower than {1} again?\n\nThis is a risk: anyone who can reach this "
                "laptop could then pretend to be {0} without TLS or without its certificate — the very downgrade "
                "the no-downgrade rule stops. Only do it for a charger that was factory reset, or that must be "
                "handed to a backend without TLS.").format(name, self.security.lowest_allowed)):
            return
        self._allow_lower(info.charger_id)

    @qasync.asyncSlot(str)
    async def _allow_lower(self, charger_id: str) -> None:
        bridge = self.bridge
        if bridge is None:
            return
        try:
            await bridge.run(certificates.allow_lower(bridge.engine, charger_id))
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        self.notice.emit("warning", self.tr("{0} may now connect with a lower security profile.").format(
            display.safe(charger_id)))
        self.refresh_state()

    def ask(self, title: str, text: str) -> bool:
        return dialogs.confirm(self, title, text)

    # ------------------------------------------------------------------ upgrade

    def upgrade(self) -> None:
        profile = self.target.currentData()
        if self.info is None or self.bridge is None or profile is None or self.info.charger_id in self.running:
            return
        self._upgrade(self.info.charger_id, int(profile))

    @qasync.asyncSlot(str, int)
    async def _upgrade(self, charger_id: str, profile: int) -> None:
        engine = self.bridge.engine
        vault = self.core.vault  # keeps the password given on the way (used off this thread)

        async def work(reporter) -> certificates.Upgrade:
            return await certificates.upgrade(engine, charger_id, profile, vault=vault, progress=reporter)

        future = self.bridge.run_task(UPGRADE_TASK, charger_id, work, timeout=UPGRADE_TIMEOUT_S)
        self.running[charger_id] = future
        self.steps[charger_id] = []
        self.outcomes.pop(charger_id, None)
        self.bar.setRange(0, 0)
        self.bar.setFormat(self.tr("Upgrading to profile {0}…").format(profile))
        self._show_steps()
        self._update()
        name = display.safe(charger_id)
        try:
            done = await future
        except errors.CommissionerError as exc:
            live = self.steps.get(charger_id, [])
            if live and live[-1][2] is None:
                live[-1] = (live[-1][0], exc.message, False)
            text = f"{exc.message} {exc.hint}".strip()
            self.outcomes[charger_id] = (text, False)
            self.error.emit(exc)
        except asyncio.CancelledError:
            done_steps = [title for title, _detail, ok in self.steps.get(charger_id, []) if ok]
            self.outcomes[charger_id] = (self.tr("The upgrade was stopped. Done before it stopped: {0}. The charger "
                                                 "keeps what it took; its profile is read again.").format(
                ", ".join(done_steps) or self.tr("nothing")), False)
        else:
            self.steps[charger_id] = [(s.title, s.detail, s.ok) for s in done.steps]
            self.outcomes[charger_id] = (done.text, done.ok)
            self.notice.emit("success" if done.ok else "error", done.text)  # it names the charger
            if done.password is not None and not done.password.kept:
                # In memory only (no keyring, or it refused): shown once, to be written down.
                self.password_box = password_dialogs.show_new_password(self, done.password)
        finally:
            self.running.pop(charger_id, None)
        if self.info is not None and self.info.charger_id == charger_id:
            self.refresh_state()
        self._show_steps()
        self._update()

    def stop_upgrade(self) -> None:
        future = self.running.get(self.info.charger_id) if self.info is not None else None
        if future is not None:
            future.cancel()  # the engine task is cancelled with it; _upgrade says so

    def _planned(self, number: int) -> str:
        """The upgrade's steps by the number the service reports (services.certificates.upgrade)."""
        return {1: self.tr("Password"), 2: self.tr("CA installed"), 3: self.tr("Certificate"),
                4: self.tr("Profile set"), 5: self.tr("Reconnected")}.get(number, "")

    def on_progress(self, progress: model.Progress) -> None:
        if progress.name != UPGRADE_TASK or progress.charger_id not in self.running:
            return
        # Rows by step number (the bridge may skip intermediate messages): a new number ends the
        # row before it; the same number's later messages are its detail.
        live = self.steps.setdefault(progress.charger_id, [])
        title = self._planned(progress.done)
        if title and progress.done < progress.total:
            if not live or live[-1][0] != title:
                if live and live[-1][2] is None:
                    live[-1] = (live[-1][0], self.tr("done"), True)
                live.append((title, progress.message or self.tr("under way…"), None))
            elif live[-1][2] is None:
                live[-1] = (title, progress.message, None)
        if self.info is not None and progress.charger_id == self.info.charger_id:
            if progress.total:
                self.bar.setRange(0, progress.total)
                self.bar.setValue(progress.done)
            self.bar.setFormat(progress.message or self.bar.format())
            self._show_steps()

    def _show_steps(self) -> None:
        charger_id = self.info.charger_id if self.info is not None else None
        rows = self.steps.get(charger_id, []) if charger_id else []
        self.step_table.setRowCount(len(rows))
        for row, (title, detail, ok) in enumerate(rows):
            mark, colour = ("✓", job_view.GREEN) if ok else ("…", job_view.BLUE) if ok is None else ("✗", job_view.RED)
            self.step_table.setItem(row, 0, _cell(f"{mark} {title}", colour))
            self.step_table.setItem(row, 1, _cell(detail))
        if rows:
            self.step_table.scrollToBottom()
        outcome = self.outcomes.get(charger_id) if charger_id else None
        if outcome is not None:
            text, ok = outcome
            self.outcome.setText(text)
            self.outcome.setStyleSheet(f"color:{job_view.GREEN if ok else job_view.RED}; font-weight:bold;")
        elif charger_id in self.running:
            self.outcome.setText(self.tr("The charger restarts on the way: it shows as disconnected for a moment."))
            self.outcome.setStyleSheet("color:#555;")
        else:
            self.outcome.setText(self.tr("Each step of an upgrade is listed here with the charger's answer.")
                                 if charger_id else "")
            self.outcome.setStyleSheet("color:#555;")

    # ------------------------------------------------------------------ certificates

    async def _on_charger(self, coro_factory, charger_id: str):
        """Run one certificate operation on the engine loop; None (and said) when it failed."""
        try:
            return await self.bridge.run(coro_factory(self.bridge.engine))
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return None

    @qasync.asyncSlot()
    async def read_list(self) -> None:
        if self.info is None or self.bridge is None:
            return
        charger_id = self.info.charger_id
        self._reading += 1
        self.cert_note.setText(self.tr("Asking {0}…").format(display.safe(charger_id)))
        self._update()
        try:
            found = await self._on_charger(lambda engine: certificates.installed(engine, charger_id), charger_id)
        finally:
            self._reading -= 1
        if self.info is None or self.info.charger_id != charger_id:
            return
        if found is None:
            self.cert_note.setText(self.tr("The list could not be read: see the message above."))
        else:
            self.installed = found
            self._fill_certificates()
            ours = any(item.ours for item in found)
            self.cert_note.setText(
                self.tr("{0} certificate(s). ").format(len(found)) +
                (self.tr("This CSMS's CA is installed.") if ours else
                 self.tr("This CSMS's CA is not installed: the charger cannot use wss:// to this laptop yet.")))
        self._update()

    def _fill_certificates(self) -> None:
        self.cert_table.setRowCount(len(self.installed))
        for row, item in enumerate(self.installed):
            self.cert_table.setItem(row, 0, _cell(item.certificate_type))
            self.cert_table.setItem(row, 1, _cell(self.tr("✓ ours") if item.ours else "", job_view.GREEN))
            self.cert_table.setItem(row, 2, _cell(str(item.hash_data.get("serialNumber", "?"))))
        self._update()

    def selected_certificate(self) -> certificates.Installed | None:
        rows = self.cert_table.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self.installed):
            return None
        return self.installed[rows[0].row()]

    @qasync.asyncSlot()
    async def install_ours(self) -> None:
        if self.info is None or self.bridge is None:
            return
        charger_id = self.info.charger_id
        status = await self._on_charger(lambda engine: certificates.install_root(engine, charger_id), charger_id)
        if status is not None:
            self.notice.emit("success", self.tr("{0} installed this CSMS's CA ({1}).").format(
                display.safe(charger_id), status))
            await self.read_list()

    def install_manufacturer(self, path: str | None = None) -> None:
        if self.info is None or self.bridge is None:
            return
        if path is None:
            path, _filter = QtWidgets.QFileDialog.getOpenFileName(
                self, self.tr("Manufacturer root certificate"), "",
                self.tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"))
            if not path:
                return
        self._install_manufacturer(self.info.charger_id, path)

    @qasync.asyncSlot(str, str)
    async def _install_manufacturer(self, charger_id: str, path: str) -> None:
        if self.bridge is None:
            return
        try:
            pem = await asyncio.to_thread(pathlib.Path(path).read_text, "ascii")
        except (OSError, UnicodeDecodeError) as exc:
            self.error.emit(errors.ConfigError(
                self.tr("{0} cannot be read as a PEM certificate: {1}.").format(pathlib.Path(path).name, exc),
                hint=self.tr("Choose the manufacturer's root certificate (text starting with "
                             "-----BEGIN CERTIFICATE-----).")))
            return
        status = await self._on_charger(
            lambda engine: certificates.install_root(engine, charger_id, pem, manufacturer=True), charger_id)
        if status is not None:
            self.notice.emit("success", self.tr("{0} installed the manufacturer root from {1} ({2}).").format(
                display.safe(charger_id), pathlib.Path(path).name, status))
            await self.read_list()

    def delete_selected(self) -> None:
        item = self.selected_certificate()
        if self.info is None or self.bridge is None or item is None:
            return
        charger_id = self.info.charger_id
        risk = (self.tr("\n\nIt is this CSMS's CA: without it the charger cannot connect to this laptop over wss://.")
                if item.ours else "")
        if not self.ask(self.tr("Delete a certificate"), self.tr("Delete {0} from {1}?{2}").format(
                item.text, display.safe(charger_id), risk)):
            return
        self._delete(charger_id, item)

    @qasync.asyncSlot(str, object)
    async def _delete(self, charger_id: str, item: certificates.Installed) -> None:
        if self.bridge is None:
            return
        status = await self._on_charger(lambda engine: certificates.delete(engine, charger_id, item), charger_id)
        if status is not None:
            self.notice.emit("success", self.tr("{0} deleted {1} ({2}).").format(
                display.safe(charger_id), item.certificate_type, status))
            await self.read_list()

    # ------------------------------------------------------------------ events

    def on_events(self, batch: list) -> None:
        failed = reread = False
        for event in batch:
            if isinstance(event, model.TlsFailed):
                self.failures.appendleft(event)
                failed = True
            elif (self.info is not None and event.charger_id == self.info.charger_id
                  and isinstance(event, model.SecurityEventReceived)):
                reread = True
        if reread:  # from the CSMS's record: a snapshot may have brought the same event already
            self.refresh_state()
        if failed:
            self._fill_failures()

    def _fill_events(self) -> None:
        events = list(reversed(self.security.events)) if self.security is not None else []
        self.event_table.setRowCount(len(events))
        for row, event in enumerate(events):
            when = _cell(job_view.clock_text(event.ts_ms))
            when.setToolTip(self.tr("Received {0}; the charger's time: {1}").format(
                job_view.day_text(event.ts_ms), event.timestamp or "?"))
            self.event_table.setItem(row, 0, when)
            self.event_table.setItem(row, 1, _cell(event.type))
            self.event_table.setItem(row, 2, _cell(event.tech_info))
        self.event_table.resizeRowsToContents()
        if self.info is None:
            self.event_note.setText("")
        elif not events:
            self.event_note.setText(self.tr("None yet: the charger sends them by itself. Its whole security log: "
                                            "Diagnostics → Get security log."))
        else:
            self.event_note.setText("")
        self.event_note.setVisible(bool(self.event_note.text()))

    def _fill_failures(self) -> None:
        self.failure_table.setRowCount(len(self.failures))
        for row, event in enumerate(self.failures):
            when = _cell(job_view.clock_text(event.ts_ms))
            when.setToolTip(job_view.day_text(event.ts_ms))
            self.failure_table.setItem(row, 0, when)
            self.failure_table.setItem(row, 1, _cell(f"{event.remote_address} → {event.port}"))
            self.failure_table.setItem(row, 2, _cell(event.reason, job_view.RED))
        self.failure_table.resizeRowsToContents()

    # ------------------------------------------------------------------ state

    def _update(self) -> None:
        info = self.info
        talk = info is not None and info.connected and self.bridge is not None
        running = info is not None and info.charger_id in self.running
        self.copy_button.setEnabled(self.authority is not None)
        self.export_button.setEnabled(self.authority is not None and self.bridge is not None)
        lowest = self.security.lowest_allowed if self.security is not None else 0
        self.allow_button.setVisible(info is not None and lowest > 0)
        self.allow_button.setEnabled(self.bridge is not None and not running)
        self.target.setEnabled(talk and not running)
        wanted = self.target.currentData()
        tls_off = self.authority is not None and not self.authority.wss_urls and wanted is not None and wanted >= 2
        self.upgrade_button.setEnabled(talk and not running and wanted is not None and not tls_off)
        self.upgrade_button.setToolTip(
            self.tr("Connect the charger first: an upgrade talks to it.") if not talk else
            self.tr("Profile {0} needs TLS: Settings → Security → Listen on wss://, then upgrade.").format(wanted)
            if tls_off else
            self.tr("Install the CA, give the charger what the profile needs, set it, and see it reconnect with it"))
        self.bar.setVisible(running)
        self.stop_button.setVisible(running)
        idle = talk and not self._reading
        for button in (self.read_button, self.install_button, self.maker_button):
            button.setEnabled(idle and not running)
        self.delete_button.setEnabled(idle and not running and self.selected_certificate() is not None)
