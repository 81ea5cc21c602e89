"""The one confirmation dialog: names the charger, says what happens, and defaults to No.

A hurried Enter must never confirm "Reboot now".
"""

from __future__ import annotations

from PySide6 import QtWidgets


def confirm(parent: QtWidgets.QWidget, title: str, text: str) -> bool:
    buttons = QtWidgets.QMessageBox.StandardButton
    answer = QtWidgets.QMessageBox.question(parent, title, text, buttons.Yes | buttons.No, buttons.No)
    return answer == buttons.Yes


def exec_dialog(dialog: QtWidgets.QDialog) -> bool:
    """A form shown modally; True when it was accepted (tests patch this one place)."""
    return dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted
