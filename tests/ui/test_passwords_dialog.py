"""The "Stored passwords…" dialog over the window's real vault and CSMS (demo charger over
websockets): listed with whose they are, masked until shown, copied, forgotten (also by the
CSMS); and "New password…" asks first when the charger runs security profile 0."""

from __future__ import annotations

import os
import pathlib

from PySide6 import QtGui, QtWidgets

from app.services import passwords
from app.ui import password_dialogs
from tests.ui.conftest import wait
from tests.ui.test_workspace import configure, demo, window  # noqa: F401 (fixture)

SHOTS = pathlib.Path(os.environ.get("COMMISSIONER_SHOTS", "/tmp/commissioner-shots"))


def _new_password(qtbot, page) -> None:
    page.ask = lambda *a: True  # both questions: go on (the demo charger runs security profile 0)
    page.tools.new_password()
    wait(qtbot, lambda: hasattr(page.tools, "password_box"), timeout=10_000)
    page.tools.password_box.close()


def test_stored_passwords_are_listed_shown_copied_and_forgotten(qtbot, window) -> None:
    charger_id = demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    _new_password(qtbot, page)
    password = window.core.engine.config.passwords[charger_id]
    window.core.vault.change({(passwords.OPERATOR_PROFILE, "SITE-7"): "Operator-Pass-000001"})
    page.tools.stored_button.click()
    dialog = page.tools.stored_passwords
    wait(qtbot, lambda: dialog.table.rowCount() == 2)
    rows = {dialog.table.item(r, 0).text(): r for r in range(2)}
    mine, theirs = rows[charger_id], rows["SITE-7"]
    assert dialog.table.item(mine, password_dialogs.KIND).text() == "This CSMS (local)"
    assert dialog.table.item(theirs, password_dialogs.KIND).text().startswith("Operator's backend")
    assert dialog.table.item(mine, password_dialogs.CHECKED).text() == "yes"
    assert dialog.table.item(theirs, password_dialogs.CHECKED).text() == "no"
    assert "no keyring" in dialog.where.text()  # the tests' keyring is the fail backend: said plainly
    assert all(dialog.table.item(r, password_dialogs.PASSWORD).text() == password_dialogs.MASKED for r in range(2))
    assert not dialog.show_button.isEnabled()  # nothing selected yet
    dialog.table.selectRow(mine)
    dialog.show_button.click()
    assert dialog.table.item(mine, password_dialogs.PASSWORD).text() == password
    assert dialog.table.item(theirs, password_dialogs.PASSWORD).text() == password_dialogs.MASKED
    SHOTS.mkdir(parents=True, exist_ok=True)
    QtWidgets.QApplication.processEvents()  # the layout, for the picture
    dialog.grab().save(str(SHOTS / "stored-passwords.png"))
    dialog.copy_button.click()
    assert QtGui.QGuiApplication.clipboard().text() == password
    dialog.show_button.click()  # Hide
    assert dialog.table.item(mine, password_dialogs.PASSWORD).text() == password_dialogs.MASKED
    asked = []
    dialog.ask = lambda title, text: asked.append(text) or True
    dialog.forget_button.click()
    wait(qtbot, lambda: dialog.table.rowCount() == 1)
    assert "no longer asks" in asked[0] and password not in asked[0]
    assert charger_id not in window.core.engine.config.passwords  # the CSMS stopped expecting it
    assert window.core.vault.get(charger_id) is None
    assert dialog.table.item(0, 0).text() == "SITE-7" and "forgotten" in dialog.status.text()


def test_a_new_password_on_a_charger_at_security_profile_0_is_asked_about_first(qtbot, window) -> None:
    charger_id = demo(qtbot, window, "2.0.1")
    page = configure(qtbot, window)
    asked = []
    page.ask = lambda title, text: asked.append(text) or len(asked) == 1  # yes to the first, no to the warning
    page.tools.new_password()
    wait(qtbot, lambda: len(asked) == 2, timeout=10_000)
    assert "security profile 0" in asked[1] and "anyway" in asked[1]
    assert charger_id not in window.core.engine.config.passwords and not hasattr(page.tools, "password_box")
    assert window.core.vault.get(charger_id) is None
