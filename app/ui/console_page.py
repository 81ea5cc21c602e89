"""The Console page: a charger's serial/USB console, for a charger that is not online yet.

Left, the raw terminal (send history on ↑/↓, local echo, the whole session logged to a file in
the data folder and, on request, into the open run's evidence). Right, what the vendor profile
can do without typing: Read settings, Set backend URL and id, Point it at this laptop, Set
network, Reboot. One thing owns the port at a time: a profile action closes the terminal's port,
does its exchange (shown in the terminal) and hands the port back. The port list follows USB
adapters being plugged in and out; the terminal reconnects when its port comes back. After
"Point it at this laptop" the page waits for the charger at the CSMS and asks the window to
follow it there. All serial I/O happens in worker threads (services.serial_console)."""

from __future__ import annotations

import asyncio
import codecs
import re
from collections.abc import Callable
from typing import Any

import qasync
from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import errors, model
from app.services import console_links, serial_console, vendors
from app.services import runs as run_service
from app.ui import console_dialogs, dialogs

RAW = ""  # the profile choice "none: a raw terminal"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]")
PORT_POLL_MS = 2000
HISTORY = 200


class HistoryEdit(QtWidgets.QLineEdit):
    """A command line with ↑/↓ through what was sent before, as in a shell."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.history: list[str] = []
        self._at = 0

    def remember(self, line: str) -> None:
        if line and (not self.history or self.history[-1] != line):
            self.history = (self.history + [line])[-HISTORY:]
        self._at = len(self.history)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == QtCore.Qt.Key.Key_Up and self.history:
            self._at = max(0, self._at - 1)
            self.setText(self.history[self._at])
        elif event.key() == QtCore.Qt.Key.Key_Down and self.history:
            self._at = min(len(self.history), self._at + 1)
            self.setText(self.history[self._at] if self._at < len(self.history) else "")
        else:
            super().keyPressEvent(event)


class ConsolePage(QtWidgets.QWidget):
    error = QtCore.Signal(object)
    notice = QtCore.Signal(str, str)
    follow = QtCore.Signal(str)  # a charger pointed here connected: the window shows it
    _data = QtCore.Signal(bytes)  # from the I/O thread
    _state = QtCore.Signal(str, str, str)
    _line = QtCore.Signal(str)

    def __init__(self, core: Any, csms_url: Callable[[], str], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.csms_url = csms_url
        self.current_run: Callable[[], Any] = lambda: None  # the window says which run a log goes into
        self.terminal: serial_console.Terminal | None = None
        self.log_path = None
        self.read: dict[str, str] = {}
        self.awaiting: str | None = None  # the charger id pointed here, until it connects
        self._busy = False
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._ports: list[serial_console.PortInfo] = []
        self._profiles = {p.id: p for p in vendors.available(core.data_dir).values() if p.console is not None}
        self._build()
        self._data.connect(self._show_data, QtCore.Qt.ConnectionType.QueuedConnection)
        self._state.connect(self._show_state, QtCore.Qt.ConnectionType.QueuedConnection)
        self._line.connect(self._show_exchange, QtCore.Qt.ConnectionType.QueuedConnection)
        self._poll = QtCore.QTimer(self)
        self._poll.timeout.connect(self.refresh_ports)
        self._poll.start(PORT_POLL_MS)
        QtCore.QTimer.singleShot(0, self.refresh_ports)
        self._update()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        box = QtWidgets.QGroupBox(self.tr("Serial / USB console"))
        grid = QtWidgets.QGridLayout(box)
        self.port = QtWidgets.QComboBox()
        self.port.setEditable(True)
        self.port.setMinimumWidth(260)
        self.port.lineEdit().setPlaceholderText(self.tr("Plug in the USB adapter, or type e.g. COM3, /dev/ttyUSB0"))
        self.port.currentTextChanged.connect(self._update)
        port_label = QtWidgets.QLabel(self.tr("&Port"))
        port_label.setBuddy(self.port)
        grid.addWidget(port_label, 0, 0)
        grid.addWidget(self.port, 0, 1)
        self.port_info = QtWidgets.QLabel()
        self.port_info.setStyleSheet("color:#616161;")
        grid.addWidget(self.port_info, 1, 1, 1, 3)
        self.profile = QtWidgets.QComboBox()
        for profile in sorted(self._profiles.values(), key=lambda p: p.name.lower()):
            self.profile.addItem(profile.name, profile.id)
        self.profile.addItem(self.tr("None: raw terminal only"), RAW)
        self.profile.currentIndexChanged.connect(self._profile_changed)
        grid.addWidget(QtWidgets.QLabel(self.tr("Profile")), 0, 2)
        grid.addWidget(self.profile, 0, 3)
        self.baud = QtWidgets.QComboBox()
        self.baud.setEditable(True)
        self.baud.addItems(list(console_dialogs.BAUDS))
        self.baud.setValidator(QtGui.QIntValidator(50, 4_000_000, self))
        grid.addWidget(QtWidgets.QLabel(self.tr("Baud")), 0, 4)
        grid.addWidget(self.baud, 0, 5)
        self.line_button = QtWidgets.QPushButton()
        self.line_button.setToolTip(self.tr("Data bits, parity, stop bits, flow control"))
        self.line_button.clicked.connect(self._edit_line)
        grid.addWidget(self.line_button, 1, 5)
        self.user = QtWidgets.QLineEdit()
        self.user.setPlaceholderText(self.tr("user"))
        self.password = QtWidgets.QLineEdit()
        self.password.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        grid.addWidget(QtWidgets.QLabel(self.tr("Login")), 0, 6)
        grid.addWidget(self.user, 0, 7)
        grid.addWidget(self.password, 1, 7)
        self.connect_button = QtWidgets.QPushButton(self.tr("&Open terminal"))
        self.connect_button.clicked.connect(self.toggle_terminal)
        grid.addWidget(self.connect_button, 0, 8)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 2)
        layout.addWidget(box)
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        layout.addWidget(self.status)

        split = QtWidgets.QSplitter()
        left = QtWidgets.QWidget()
        left_layout = QtWidgets.QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.screen = QtWidgets.QPlainTextEdit()
        self.screen.setReadOnly(True)
        self.screen.setMaximumBlockCount(20_000)
        self.screen.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self.screen.setStyleSheet("QPlainTextEdit { background:#1e1e1e; color:#e0e0e0; }")
        self.screen.setPlaceholderText(self.tr(
            "1. Connect the USB serial adapter to the charger's service port.\n"
            "2. Pick its port and the charger's profile above (the demo charger has a console too).\n"
            "3. Read settings, or Point it at this laptop: the charger then connects to this CSMS.\n"
            "Open terminal to type the console's own commands."))
        left_layout.addWidget(self.screen, 1)
        row = QtWidgets.QHBoxLayout()
        self.command = HistoryEdit()
        self.command.setPlaceholderText(self.tr("Type a command; Enter sends it, ↑/↓ go through the history"))
        self.command.returnPressed.connect(self.send_line)
        row.addWidget(self.command, 1)
        self.send_button = QtWidgets.QPushButton(self.tr("Send"))
        self.send_button.clicked.connect(self.send_line)
        row.addWidget(self.send_button)
        self.echo = QtWidgets.QCheckBox(self.tr("Local echo"))
        self.echo.setToolTip(self.tr("Show what you send, for a console that does not echo it back"))
        row.addWidget(self.echo)
        left_layout.addLayout(row)
        log_row = QtWidgets.QHBoxLayout()
        self.log_label = QtWidgets.QLabel()
        self.log_label.setStyleSheet("color:#616161;")
        self.log_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        log_row.addWidget(self.log_label, 1)
        self.open_log = QtWidgets.QPushButton(self.tr("Open log"))
        self.open_log.clicked.connect(lambda: QtGui.QDesktopServices.openUrl(
            QtCore.QUrl.fromLocalFile(str(self.log_path))))
        log_row.addWidget(self.open_log)
        self.to_run = QtWidgets.QPushButton(self.tr("Add log to the run"))
        self.to_run.setToolTip(self.tr("Keep this console session with the run open on the Commission page"))
        self.to_run.clicked.connect(self.add_log_to_run)
        log_row.addWidget(self.to_run)
        left_layout.addLayout(log_row)
        split.addWidget(left)

        right = QtWidgets.QWidget()
        right_layout = QtWidgets.QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        actions = QtWidgets.QGroupBox(self.tr("With the profile"))
        actions_layout = QtWidgets.QVBoxLayout(actions)
        self.guide = QtWidgets.QLabel()
        self.guide.setWordWrap(True)
        self.guide.setStyleSheet("color:#b26a00;")
        actions_layout.addWidget(self.guide)
        self.read_button = QtWidgets.QPushButton(self.tr("Read settings"))
        self.read_button.clicked.connect(self.read_settings)
        self.here_button = QtWidgets.QPushButton(self.tr("Point it at this laptop"))
        self.here_button.setToolTip(self.tr("Set the backend URL to this laptop's CSMS, then reboot: the charger "
                                            "connects here and the window follows it"))
        self.here_button.clicked.connect(self._point_here_clicked)
        self.backend_button = QtWidgets.QPushButton(self.tr("Set backend URL and id…"))
        self.backend_button.clicked.connect(self._backend_clicked)
        self.network_button = QtWidgets.QPushButton(self.tr("Set network…"))
        self.network_button.clicked.connect(self._network_clicked)
        self.reboot_button = QtWidgets.QPushButton(self.tr("Reboot"))
        self.reboot_button.clicked.connect(self._reboot_clicked)
        for button in (self.read_button, self.here_button, self.backend_button, self.network_button,
                       self.reboot_button):
            actions_layout.addWidget(button)
        self.busy = QtWidgets.QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.hide()
        actions_layout.addWidget(self.busy)
        self.result = QtWidgets.QLabel()
        self.result.setWordWrap(True)
        self.result.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        actions_layout.addWidget(self.result)
        right_layout.addWidget(actions)
        self.table = QtWidgets.QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([self.tr("Setting"), self.tr("Value")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        right_layout.addWidget(self.table, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        self._line_settings: serial_console.LineSettings | None = None
        self._profile_changed()

    # ------------------------------------------------------------------ state

    def chosen_profile(self) -> vendors.VendorProfile | None:
        return self._profiles.get(self.profile.currentData() or "")

    def line_settings(self) -> serial_console.LineSettings:
        base = self._line_settings or serial_console.LineSettings(115200)
        text = self.baud.currentText().strip()
        baud = int(text) if text.isdigit() and int(text) > 0 else base.baud
        return serial_console.LineSettings(baud, base.bytesize, base.parity, base.stopbits, base.flow_control)

    def _profile_changed(self) -> None:
        profile = self.chosen_profile()
        if profile is not None and profile.console is not None:
            console = profile.console
            self._line_settings = serial_console.LineSettings.of(console)
            self.baud.setCurrentText(str(console.baud))
            self.user.setText(console.user)
            self.password.clear()
            self.password.setPlaceholderText(self.tr("default password") if console.default_password
                                             else self.tr("password"))
        self.read = {}
        self._show_table()
        self._update()

    def _update(self) -> None:
        line = self.line_settings()
        self.line_button.setText(f"{line.bytesize}{line.parity}{line.stopbits:g} · {line.flow_control}")
        port = self.port.currentText().strip()
        known = next((p for p in self._ports if p.device == port), None)
        if known is not None:
            parts = [known.description, known.vid_pid and f"USB {known.vid_pid}",
                     known.serial_number and self.tr("serial {0}").format(known.serial_number)]
            self.port_info.setText(" · ".join(p for p in parts if p))
        else:
            self.port_info.setText(self.tr("not in the system's port list") if port else
                                   self.tr("No serial port found yet: plug in the USB adapter."))
        profile = self.chosen_profile()
        open_ = self.terminal is not None
        self.connect_button.setText(self.tr("Close terminal") if open_ else self.tr("&Open terminal"))
        self.connect_button.setEnabled(bool(port) and not self._busy)
        for widget in (self.port, self.profile, self.baud, self.line_button, self.user, self.password):
            widget.setEnabled(not open_ and not self._busy)
        self.command.setEnabled(open_)
        self.send_button.setEnabled(open_)
        writable = serial_console.can(profile, "set") if profile else []
        readable = serial_console.can(profile, "get") if profile else []
        ready = bool(port) and profile is not None and not self._busy
        self.read_button.setEnabled(ready and bool(readable))
        self.here_button.setEnabled(ready and "ocpp_url" in writable)
        self.backend_button.setEnabled(ready and "ocpp_url" in writable)
        self.network_button.setEnabled(ready and any(k in writable for k in console_dialogs.NETWORK))
        self.reboot_button.setEnabled(ready)
        self.log_label.setText(self.tr("Session log: {0}").format(self.log_path) if self.log_path
                               else self.tr("The session is logged to the data folder once it starts."))
        self.open_log.setEnabled(self.log_path is not None)
        self.to_run.setEnabled(self.log_path is not None)
        self.guide.setText("" if ready or self._busy else
                           self.tr("Pick the port first: plug in the USB adapter, or type its name.") if not port else
                           self.tr("Choose the charger's profile to read and set its settings."))
        self.guide.setVisible(bool(self.guide.text()))

    # ------------------------------------------------------------------ ports

    @qasync.asyncSlot()
    async def refresh_ports(self) -> None:
        try:
            found = await asyncio.to_thread(serial_console.list_ports)
        except Exception as exc:  # noqa: BLE001 (a platform's port enumeration failing is said, not fatal)
            self.port_info.setText(self.tr("The port list cannot be read: {0}").format(exc))
            found = []
        found += self.core.demo_consoles()
        self.set_ports(found)

    def set_ports(self, found: list[serial_console.PortInfo]) -> None:
        before = {p.device for p in self._ports}
        after = {p.device for p in found}
        seen, self._ports_seen = self._ports_seen, True  # the first list is what was there, not "plugged in"
        if after == before and self.port.count() == len(found):
            return
        current = self.port.currentText()
        self._ports = found
        self.port.blockSignals(True)
        self.port.clear()
        for info in found:
            self.port.addItem(info.device)
            self.port.setItemData(self.port.count() - 1, info.description, QtCore.Qt.ItemDataRole.ToolTipRole)
        self.port.setCurrentText(current)
        self.port.blockSignals(False)
        arrived = [p for p in found if p.device not in before]
        gone = sorted(before - after)
        if arrived and seen:
            self.status.setText(self.tr("Plugged in: {0}").format(
                ", ".join(f"{p.device} ({p.description})" if p.description else p.device for p in arrived)))
        elif gone and seen:
            self.status.setText(self.tr("Unplugged: {0}").format(", ".join(gone)))
        if not current and found:
            self.port.setCurrentText(found[0].device)
        self._update()

    _ports_seen = False

    # ------------------------------------------------------------------ the terminal

    def _log_path(self):
        if self.log_path is None:
            self.log_path = serial_console.log_file(self.core.data_dir, self.port.currentText().strip())
        return self.log_path

    def toggle_terminal(self) -> None:
        if self.terminal is not None:
            self._close_terminal()
        else:
            self.open_terminal()

    def open_terminal(self) -> None:
        port = self.port.currentText().strip()
        if not port:
            return
        self._decoder.reset()
        self.terminal = serial_console.Terminal(
            port, self.line_settings(), on_data=self._data.emit, on_state=self._state.emit,
            log_path=self._log_path(), secret_prompts=serial_console.secret_prompts(self.chosen_profile()))
        self.terminal.start()
        self._update()

    @qasync.asyncSlot()
    async def _close_terminal(self) -> None:
        await self._release_port()
        self._update()

    async def _release_port(self) -> bool:
        """Close the terminal's port (in a thread); True when it was open."""
        terminal, self.terminal = self.terminal, None
        if terminal is None:
            return False
        await asyncio.to_thread(terminal.close)
        return True

    def send_line(self) -> None:
        if self.terminal is None:
            return
        text = self.command.text()
        line_ending = self.chosen_profile().console.line_ending if self.chosen_profile() else "\r\n"
        self.terminal.send(text, line_ending)
        self.command.remember(text)
        self.command.clear()
        if self.echo.isChecked():
            self._append(text + "\n")

    def _append(self, text: str) -> None:
        cursor = self.screen.textCursor()
        cursor.movePosition(QtGui.QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self.screen.setTextCursor(cursor)
        self.screen.ensureCursorVisible()

    @QtCore.Slot(bytes)
    def _show_data(self, data: bytes) -> None:
        text = self._decoder.decode(data)
        text = _ANSI.sub("", text.replace("\r\n", "\n")).replace("\r", "")
        self._append(text)

    @QtCore.Slot(str, str, str)
    def _show_state(self, state: str, message: str, hint: str) -> None:
        self.status.setText(message + (f" {hint}" if hint else ""))
        colour = {"open": "#2e7d32", "waiting": "#b26a00"}.get(state, "#616161")
        self.status.setStyleSheet(f"color:{colour};")
        self._append(f"\n[{message}]\n")

    @QtCore.Slot(str)
    def _show_exchange(self, line: str) -> None:
        self._append(line + "\n")

    # ------------------------------------------------------------------ profile actions

    def _session(self) -> serial_console.ConsoleSession:
        profile = self.chosen_profile()
        port = self.port.currentText().strip()
        if profile is None or not port:
            raise errors.ConfigError(self.tr("Choose the port and the charger's profile first."))
        session = serial_console.ConsoleSession(
            port, profile, password=self.password.text() or None, user=self.user.text().strip() or None,
            baud=self.line_settings().baud, on_line=self._line.emit)
        session.line = self.line_settings()
        session.log_path = self._log_path()
        return session

    async def _act(self, doing: str, work: Callable[[serial_console.ConsoleSession], Any]) -> tuple[bool, Any]:
        """Run one profile action in a worker thread with the port to itself; (ok, what it returned)."""
        try:
            session = self._session()
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return False, None
        self._busy = True
        self.busy.show()
        self.result.setText(doing)
        self._update()
        had_terminal = await self._release_port()
        try:
            return True, await asyncio.to_thread(work, session)
        except errors.CommissionerError as exc:
            self.result.setText(self.tr("Failed: {0}").format(str(exc)))
            self.error.emit(exc)
            return False, None
        finally:
            self._busy = False
            self.busy.hide()
            if had_terminal:
                self.open_terminal()
            self._update()

    @qasync.asyncSlot()
    async def read_settings(self) -> None:
        ok, values = await self._act(self.tr("Reading the settings over the console…"),
                                     lambda session: session.read_settings())
        if ok:
            self.read = values
            self._show_table()
            self.result.setText(self.tr("Read {0} settings.").format(len(values)))
            self._remember(values.get("charge_point_id", ""))

    def _show_table(self) -> None:
        self.table.setRowCount(len(self.read))
        for row, (key, value) in enumerate(sorted(self.read.items())):
            for column, text in enumerate((key, value)):
                item = QtWidgets.QTableWidgetItem(text)
                item.setFlags(item.flags() & ~QtCore.Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, item)

    def _remember(self, charger_id: str) -> None:
        profile = self.chosen_profile()
        if charger_id and profile is not None:
            console_links.remember(self.core.data_dir, charger_id, self.port.currentText().strip(), profile.id,
                                   self.user.text().strip())

    def _point_here_clicked(self) -> None:
        url = self.csms_url()
        if not url:
            self.error.emit(errors.CsmsError(self.tr("The CSMS is not running, so there is nothing to point it at."),
                                             hint=self.tr("Fix the port in Settings first.")))
            return
        self.point_here(url, self.read.get("charge_point_id", ""))

    @qasync.asyncSlot(str, str)
    async def point_here(self, url: str, charger_id: str) -> None:
        def work(session: serial_console.ConsoleSession) -> dict[str, str]:
            nonlocal charger_id
            if not charger_id and "charge_point_id" in serial_console.can(session.profile, "get"):
                charger_id = session.read_settings(["charge_point_id"]).get("charge_point_id", "")
            return serial_console.point_at(session, url, charger_id)

        ok, values = await self._act(self.tr("Pointing the charger at this laptop…"), work)
        if ok:
            self._set_done(values, rebooted=True)

    def _backend_clicked(self) -> None:
        profile = self.chosen_profile()
        dialog = console_dialogs.BackendDialog(self.read.get("ocpp_url", "") or self.csms_url(),
                                               self.read.get("charge_point_id", ""),
                                               serial_console.can(profile, "set") if profile else [], self)
        if dialogs.exec_dialog(dialog):
            self.set_values(dialog.values(), dialog.reboot.isChecked())

    def _network_clicked(self) -> None:
        profile = self.chosen_profile()
        dialog = console_dialogs.NetworkDialog(self.read, serial_console.can(profile, "set") if profile else [], self)
        if dialogs.exec_dialog(dialog):
            self.set_values(dialog.values(), False)

    @qasync.asyncSlot(object, bool)
    async def set_values(self, values: dict[str, str], reboot: bool) -> None:
        def work(session: serial_console.ConsoleSession) -> dict[str, str]:
            session.set_settings(values)
            if reboot:
                session.reboot()
            return values

        ok, _ = await self._act(self.tr("Setting {0}…").format(", ".join(values)), work)
        if ok:
            self._set_done(values, rebooted=reboot)

    def _set_done(self, values: dict[str, str], rebooted: bool) -> None:
        shown = {k: ("********" if "password" in k else v) for k, v in values.items()}
        self.read.update(shown)
        self._show_table()
        said = ", ".join(f"{k} = {v}" for k, v in shown.items())
        charger_id = values.get("charge_point_id") or self.read.get("charge_point_id", "")
        self._remember(charger_id)
        if rebooted:
            self.awaiting = charger_id or None
            self.result.setText(self.tr("Set {0}. The charger is rebooting{1}.").format(
                said, self.tr("; waiting for {0} to connect here").format(charger_id) if charger_id
                and self.csms_url() and values.get("ocpp_url", "").startswith(self.csms_url().rstrip("/")) else ""))
        else:
            self.result.setText(self.tr("Set {0}. It applies after a reboot.").format(said))
        self.notice.emit("success", self.result.text())

    def _reboot_clicked(self) -> None:
        if dialogs.confirm(self, self.tr("Reboot the charger"),
                           self.tr("Reboot the charger now? A charging session on it ends.")):
            self.reboot()

    @qasync.asyncSlot()
    async def reboot(self) -> None:
        ok, answer = await self._act(self.tr("Rebooting…"), lambda session: session.reboot())
        if ok:
            self.result.setText(self.tr("The charger is rebooting ({0}).").format(answer or self.tr("no answer text")))

    # ------------------------------------------------------------------ evidence and following

    def add_log_to_run(self) -> None:
        run = self.current_run()
        if run is None:
            self.error.emit(errors.ConfigError(self.tr("No run is open to keep the console log in."),
                                               hint=self.tr("Start or open a run on the Commission page, then add the log.")))
            return
        if self.log_path is None or not self.log_path.exists():
            self.error.emit(errors.ConfigError(self.tr("The console session has no log yet."),
                                               hint=self.tr("Open the terminal or read the settings first.")))
            return
        try:
            run_service.attach(self.core.runs, self.core.data_dir, run, "console_log",
                               self.tr("Serial console session ({0})").format(self.port.currentText().strip()),
                               source=self.log_path)
        except errors.CommissionerError as exc:
            self.error.emit(exc)
            return
        self.notice.emit("success", self.tr("The console log is kept with run {0} of {1}.").format(run.id, run.charger_id))

    def on_chargers(self, infos: list[model.ChargerInfo]) -> None:
        """After "point it at this laptop": once the charger is here, the window follows it."""
        if self.awaiting is None:
            return
        info = next((i for i in infos if i.charger_id == self.awaiting), None)
        if info is not None and info.connected:
            charger_id, self.awaiting = self.awaiting, None
            self.result.setText(self.tr("{0} connected to this laptop.").format(charger_id))
            self.notice.emit("success", self.tr("{0} connected to this laptop after its console set it up.").format(charger_id))
            self.follow.emit(charger_id)

    def shutdown(self) -> None:
        """The window closes: the terminal's thread ends (it closes the port itself)."""
        self._poll.stop()
        if self.terminal is not None:
            self.terminal.close(timeout=1.0)
            self.terminal = None

    def _edit_line(self) -> None:
        dialog = console_dialogs.LineSettingsDialog(self.line_settings(), self)
        if dialogs.exec_dialog(dialog):
            self._line_settings = dialog.line()
            self._update()
