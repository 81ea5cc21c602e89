"""The chargers' stored passwords in the window: look one up, copy it, forget it; and the
question before giving a password to a charger that would not use it (security profile 0).

Over services.passwords. The keyring may block (Secret Service can prompt to unlock), so every
vault call runs in a worker thread; forgetting also stops the CSMS expecting the password, on
the engine loop through the bridge.
"""

from __future__ import annotations

import asyncio
import html

import qasync
from PySide6 import QtCore, QtGui, QtWidgets

from app.domain import display, errors
from app.services import passwords
from app.ui import dialogs

MASKED = "••••••••"
CHARGER, KIND, CHECKED, PASSWORD = range(4)


def kind_text(kind: str) -> str:
    tr = QtCore.QCoreApplication.translate
    return {passwords.LOCAL: tr("password_dialogs", "This CSMS (local)"),
            passwords.OPERATOR: tr("password_dialogs", "Operator's backend"),
            passwords.OPERATOR_PROFILE: tr("password_dialogs", "Operator's backend (in its network profile)"),
            }.get(kind, kind)

CLIPBOARD_S = 30  # a copied password is taken off the clipboard after this long


def show_new_password(parent: QtWidgets.QWidget, done) -> QtWidgets.QMessageBox:
    """The password just given to a charger (services.passwords.PasswordSet), once, with Copy; not
    modal to the event loop (open(), not exec()): the engine's tasks go on while it is shown."""
    box = QtWidgets.QMessageBox(parent)
    box.setWindowTitle(parent.tr("New password"))
    box.setIcon(QtWidgets.QMessageBox.Icon.Information)
    box.setText(parent.tr("{0}'s password is now:").format(display.safe(done.charger_id)))
    box.setInformativeText(f"<p style='font-family:monospace; font-size:14pt; white-space:pre'>"
                           f"{html.escape(done.password)}</p>"
                           f"<p>{html.escape(done.text)}</p>")
    box.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
    copy = box.addButton(parent.tr("Copy"), QtWidgets.QMessageBox.ButtonRole.ActionRole)
    box.addButton(QtWidgets.QMessageBox.StandardButton.Close)
    copy.clicked.disconnect()
    copy.clicked.connect(lambda: QtGui.QGuiApplication.clipboard().setText(done.password))
    box.open()
    return box


class StoredPasswordsDialog(QtWidgets.QDialog):
    """Every password in the vault: charger, kind, whether this CSMS checks it, masked until "Show"."""

    def __init__(self, vault, bridge=None, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault  # storage.vault.Vault, used through services.passwords only
        self.bridge = bridge  # None when the CSMS is not running: the vault alone is changed
        self.entries: list = []
        self.shown: set[int] = set()  # rows whose password is revealed
        self.setWindowTitle(self.tr("Stored passwords"))
        self.resize(860, 380)
        layout = QtWidgets.QVBoxLayout(self)
        self.where = QtWidgets.QLabel(self.tr("Reading the keyring…"))
        self.where.setWordWrap(True)
        self.where.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Minimum)
        layout.addWidget(self.where)
        self.table = QtWidgets.QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Charger"), self.tr("Whose"), self.tr("Checked by this CSMS"),
                                              self.tr("Password")])
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setTextElideMode(QtCore.Qt.TextElideMode.ElideNone)  # a shown password is read in full
        self.table.itemSelectionChanged.connect(self.update_state)
        layout.addWidget(self.table, 1)
        buttons = QtWidgets.QHBoxLayout()
        self.show_button = QtWidgets.QPushButton(self.tr("&Show"))
        self.show_button.setToolTip(self.tr("Reveal the selected password (hidden again with Hide)"))
        self.show_button.clicked.connect(self.toggle_shown)
        self.copy_button = QtWidgets.QPushButton(self.tr("&Copy"))
        self.copy_button.setToolTip(self.tr("Copy the selected password to the clipboard"))
        self.copy_button.clicked.connect(self.copy_selected)
        self.forget_button = QtWidgets.QPushButton(self.tr("&Forget…"))
        self.forget_button.setToolTip(self.tr("Delete the selected password from this computer"))
        self.forget_button.clicked.connect(lambda: self.forget_selected())
        close = QtWidgets.QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        for button in (self.show_button, self.copy_button, self.forget_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.update_state()

    def ask(self, title: str, text: str) -> bool:
        return dialogs.confirm(self, title, text)

    # ------------------------------------------------------------------ data

    async def reload(self) -> None:
        try:
            stored = await asyncio.to_thread(passwords.stored, self.vault)
        except errors.StorageError as exc:
            self.entries = []
            self.where.setText(f"<span style='color:#c62828'>{html.escape(str(exc))}</span>")
            self._fill()
            return
        self.entries = stored.entries
        self.where.setText(self.tr("Kept in this computer's keyring: they survive a restart of Commissioner.")
                           if stored.persistent else
                           self.tr("This computer has no keyring: these passwords are kept only until Commissioner "
                                   "closes. Write down the ones you need."))
        self._fill()

    def _fill(self) -> None:
        self.shown.clear()
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            cells = (display.safe(entry.charger_id), kind_text(entry.kind),
                     self.tr("yes") if entry.expected else self.tr("no"), MASKED)
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QtWidgets.QTableWidgetItem(text))
        if not self.entries:
            self.status.setText(self.tr("No passwords are stored. “New password…” and a handover with the "
                                        "operator's password keep theirs here."))
        self.update_state()

    def selected(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def update_state(self) -> None:
        row = self.selected()
        for button in (self.show_button, self.copy_button, self.forget_button):
            button.setEnabled(row is not None)
        self.show_button.setText(self.tr("&Hide") if row in self.shown else self.tr("&Show"))

    # ------------------------------------------------------------------ actions

    def toggle_shown(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row in self.shown:
            self.shown.discard(row)
            self.table.item(row, PASSWORD).setText(MASKED)
        else:
            self.shown.add(row)
            item = self.table.item(row, PASSWORD)
            item.setText(self.entries[row].password)
            item.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self.update_state()

    def copy_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        password = self.entries[row].password
        clipboard = QtGui.QGuiApplication.clipboard()
        clipboard.setText(password)
        self.status.setText(self.tr("{0}'s password is on the clipboard for {1} s.").format(
            display.safe(self.entries[row].charger_id), CLIPBOARD_S))

        def clear() -> None:  # unless something else was copied meanwhile
            if clipboard.text() == password:
                clipboard.clear()
        QtCore.QTimer.singleShot(CLIPBOARD_S * 1000, clear)

    @qasync.asyncSlot()
    async def forget_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        entry = self.entries[row]
        name = display.safe(entry.charger_id)
        after = (self.tr("The CSMS then no longer asks {0} for it: it is let in with the shared password, or "
                         "without one.").format(name) if entry.expected
                 else self.tr("The charger and the CSMS are not changed."))
        if not self.ask(self.tr("Forget a password"), self.tr(
                "Forget {0}'s password ({1}) on this computer?\n\nIt cannot be shown again afterwards. {2}").format(
                name, kind_text(entry.kind), after)):
            return
        engine = self.bridge.engine if self.bridge is not None else None
        try:
            if engine is not None:
                await self.bridge.run(passwords.forget(engine, self.vault, entry.charger_id, entry.kind))
            else:
                await passwords.forget(None, self.vault, entry.charger_id, entry.kind)
        except errors.CommissionerError as exc:
            self.status.setText(f"<span style='color:#c62828'>{html.escape(str(exc))}</span>")
            return
        await self.reload()
        self.status.setText(self.tr("{0}'s password is forgotten.").format(name))


def open_stored(tools) -> StoredPasswordsDialog | None:
    """From the Configure tools bar: the dialog over the window's vault (non-modal, kept on `tools`)."""
    page = tools.page
    core = getattr(page, "core", None)
    if core is None:
        return None
    dialog = StoredPasswordsDialog(core.vault, page.bridge, tools)
    tools.stored_passwords = dialog
    dialog.show()
    dialog.loading = asyncio.ensure_future(dialog.reload())  # owned by the dialog
    return dialog


async def unsecured_ok(page, charger_id: str) -> bool:
    """Before "New password…": True to go on. Reads the charger's security profile; at 0 (or not
    reported) the charger sends no password, so the technician is asked whether to set one anyway."""
    engine = page.bridge.engine
    try:
        profile = await page.bridge.run(passwords.security_profile(engine, charger_id))
    except errors.CommissionerError as exc:
        page.notice.emit("error", str(exc))
        return False
    if profile:
        return True
    warning = passwords.Unsecured(charger_id, profile)
    return page.ask(QtCore.QCoreApplication.translate("password_dialogs", "New password"),
                    f"{warning.message}\n\n{warning.hint}\n\n" +
                    QtCore.QCoreApplication.translate("password_dialogs", "Set a new password anyway?"))
