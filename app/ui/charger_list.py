"""The charger list: a table model over the engine's charger snapshots."""

from __future__ import annotations

import time
from typing import Any

from PySide6 import QtCore, QtGui

from app.domain import display, model

# Connector status -> colour, as technicians read them on a charger's LEDs.
STATUS_COLOURS = {
    "Available": "#2e7d32", "Preparing": "#f9a825", "Charging": "#1565c0", "Occupied": "#1565c0",
    "SuspendedEV": "#6a1b9a", "SuspendedEVSE": "#6a1b9a", "Finishing": "#f9a825", "Reserved": "#00838f",
    "Unavailable": "#757575", "Faulted": "#c62828",
}
_SEVERITY = ["Faulted", "Unavailable", "Charging", "Occupied", "SuspendedEV", "SuspendedEVSE", "Preparing",
             "Finishing", "Reserved", "Available"]


def status_colour(status: str) -> QtGui.QColor:
    return QtGui.QColor(STATUS_COLOURS.get(status, "#9e9e9e"))


def ago(ms: int, now_ms: int | None = None) -> str:
    if not ms:
        return ""
    seconds = max(0, ((now_ms or int(time.time() * 1000)) - ms) // 1000)
    if seconds < 60:
        return QtCore.QCoreApplication.translate("ChargerListModel", "{0} s ago").format(seconds)
    if seconds < 3600:
        return QtCore.QCoreApplication.translate("ChargerListModel", "{0} min ago").format(seconds // 60)
    return QtCore.QCoreApplication.translate("ChargerListModel", "{0} h ago").format(seconds // 3600)


def connector_order(key: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in key.split("/"))


class ChargerListModel(QtCore.QAbstractTableModel):
    # State first: a technician scans "is it there, what are its connectors doing" before identity.
    ID, STATE, CONNECTORS, WARNINGS, LAST, VERSION, VENDOR, SERIAL, FIRMWARE = range(9)
    # Beside the workspace the list is narrow: these live in the row's tooltip and on the Overview page.
    NARROW_HIDDEN = (STATE, WARNINGS, LAST, VERSION, VENDOR, SERIAL, FIRMWARE)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[model.ChargerInfo] = []
        self._headers = [self.tr("Charger"), self.tr("State"), self.tr("Connectors"), self.tr("Warnings"),
                         self.tr("Last message"), self.tr("OCPP"), self.tr("Vendor / model"), self.tr("Serial"),
                         self.tr("Firmware")]

    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: QtCore.Qt.Orientation, role: int = QtCore.Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == QtCore.Qt.Orientation.Horizontal and role == QtCore.Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def charger(self, row: int) -> model.ChargerInfo:
        return self._rows[row]

    def row_of(self, charger_id: str) -> int:
        for row, info in enumerate(self._rows):
            if info.charger_id == charger_id:
                return row
        return -1

    def update(self, chargers: list[model.ChargerInfo]) -> None:
        """Apply a snapshot: rows are added or changed in place, never reset (selection survives).

        Only rows whose charger changed are repainted: snapshots come ten times a second.
        """
        incoming = sorted(chargers, key=lambda c: (not c.connected, c.charger_id))
        present = {info.charger_id for info in incoming}
        for row in reversed(range(len(self._rows))):  # forgotten chargers leave the list
            if self._rows[row].charger_id not in present:
                self.beginRemoveRows(QtCore.QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        known = {info.charger_id: row for row, info in enumerate(self._rows)}
        changed: list[int] = []
        for info in incoming:
            row = known.get(info.charger_id)
            if row is None:
                self.beginInsertRows(QtCore.QModelIndex(), len(self._rows), len(self._rows))
                self._rows.append(info)
                self.endInsertRows()
            elif self._rows[row] != info:
                self._rows[row] = info
                changed.append(row)
        if changed:
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), len(self._headers) - 1))

    def data(self, index: QtCore.QModelIndex, role: int = QtCore.Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        info = self._rows[index.row()]
        column = index.column()
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            return self._text(info, column)
        if role == QtCore.Qt.ItemDataRole.DecorationRole and column in (self.ID, self.STATE):
            return status_colour("Available" if info.connected else "Unavailable")
        if role == QtCore.Qt.ItemDataRole.ForegroundRole:
            if not info.connected:  # what it said before it went away: not a live state
                return QtGui.QColor("#757575")
            if column == self.CONNECTORS and info.connectors:
                worst = min(info.connectors.values(), key=lambda c: _severity(c.status))
                return status_colour(worst.status)
            if column == self.WARNINGS and info.warnings:
                return QtGui.QColor("#b26a00")
            if not info.connected:
                return QtGui.QColor("#757575")
        if role == QtCore.Qt.ItemDataRole.ToolTipRole:
            if column == self.ID:
                state = self.tr("Connected") if info.connected else self.tr("Disconnected")
                lines = [f"{display.safe(info.charger_id)} · {state}" + (f" · OCPP {info.ocpp_version}" if info.ocpp_version else "")]
                identity = " / ".join(p for p in (info.vendor, info.model) if p)
                if identity:
                    lines.append(display.safe(identity))
                if info.firmware:
                    lines.append(self.tr("Firmware {0}").format(display.safe(info.firmware)))
                if info.warnings:
                    lines.append(self.tr("{0} compliance warning(s)").format(len(info.warnings)))
                seen = ago(info.last_message_ms)
                if seen:
                    lines.append((self.tr("Last message {0}") if info.connected else self.tr("Last seen {0}")).format(seen))
                return "\n".join(lines)
            if column == self.WARNINGS and info.warnings:
                return "\n".join(display.safe(w) for w in info.warnings)
            if column == self.CONNECTORS:
                return "\n".join(f"{k}: {c.status}" + (f" ({c.error_code})" if c.error_code not in ("", "NoError") else "")
                                 for k, c in sorted(info.connectors.items(), key=lambda kv: connector_order(kv[0])))
        return None

    def _text(self, info: model.ChargerInfo, column: int) -> str:
        # Charger-chosen text is shown with its control and bidi characters escaped.
        if column == self.ID:
            return display.safe(info.charger_id)
        if column == self.VENDOR:
            return display.safe(" / ".join(p for p in (info.vendor, info.model) if p))
        if column == self.SERIAL:
            return display.safe(info.serial)
        if column == self.FIRMWARE:
            return display.safe(info.firmware)
        if column == self.VERSION:
            return info.ocpp_version
        if column == self.STATE:
            return self.tr("Connected") if info.connected else self.tr("Disconnected")
        if column == self.LAST:
            return ago(info.last_message_ms)
        if column == self.CONNECTORS:
            text = "  ".join(f"{k}: {c.status}" for k, c in sorted(info.connectors.items(),
                                                                    key=lambda kv: connector_order(kv[0]))
                             if k not in ("0", "0/0"))
            if text and not info.connected:
                return self.tr("last seen: {0}").format(display.safe(text))
            return display.safe(text)
        if column == self.WARNINGS:
            return str(len(info.warnings)) if info.warnings else ""
        return ""


def _severity(status: str) -> int:
    return _SEVERITY.index(status) if status in _SEVERITY else len(_SEVERITY)
