"""One charger's workspace: a header that says whether it is there, and its pages in the order
of a commissioning (Overview, Configure, Messages, Advanced). Capability issues add their pages
(Commission, Network & security, Firmware, Diagnostics, Charging, Console) with `add_page`;
a page that does not exist yet is not shown.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from app.domain import display, model
from app.ui import charger_list


class Workspace(QtWidgets.QWidget):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.info: model.ChargerInfo | None = None
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QtWidgets.QHBoxLayout()
        header.setContentsMargins(6, 0, 6, 0)
        self.title = QtWidgets.QLabel()
        self.title.setTextFormat(QtCore.Qt.TextFormat.PlainText)  # the charger chose its id
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        header.addWidget(self.title)
        self.state = QtWidgets.QLabel()
        self.state.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        header.addWidget(self.state)
        header.addStretch(1)
        layout.addLayout(header)
        self.pages = QtWidgets.QTabWidget()
        self.pages.setDocumentMode(True)
        layout.addWidget(self.pages, 1)
        self.set_charger(None)

    def add_page(self, page: QtWidgets.QWidget, title: str) -> None:
        """A page; its title may carry an &-mnemonic (Alt+letter opens it)."""
        self.pages.addTab(page, title)

    def show_page(self, page: QtWidgets.QWidget) -> None:
        self.pages.setCurrentWidget(page)

    def set_charger(self, info: model.ChargerInfo | None) -> None:
        self.info = info
        if info is None:
            self.title.setText(self.tr("No charger selected"))
            self.state.setText("")
            return
        self.title.setText(display.safe(info.charger_id))
        if info.connected:
            text = self.tr("● connected · OCPP {0}").format(info.ocpp_version)
            colour = "#2e7d32"
        else:
            text = self.tr("○ disconnected · last seen {0}").format(charger_list.ago(info.last_message_ms) or "—")
            colour = "#757575"
        self.state.setText(text)
        self.state.setStyleSheet(f"color:{colour}; padding-left:12px;")
