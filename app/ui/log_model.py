"""The OCPP frame log as a Qt table model over the journal (sqlite), never a widget per row.

Memory: the model keeps only the *ids* of the matching frames (8 bytes each, newest
`MAX_ROWS` of them) and fetches the light columns of the rows being painted in pages of
`PAGE` (payload cut to `HEAD_CHARS` by sqlite), with an LRU of `CACHED_PAGES` pages. The full
payload of one row is read on demand (`payload()`, `frame()`).

Loading: `set_filters()` scans the journal newest-first in id ranges of a few ms each,
one per event-loop turn, prepending what matches, so the newest frames show at once and a
filter over millions of rows never freezes the window. `refresh()` appends frames with an id
above the last one seen (beginInsertRows) and trims the oldest rows past the cap. Rows are in
id order. Every read goes through `journal.JournalReader`; the filter is a `journal.FrameFilter`.
"""

from __future__ import annotations

import array
import bisect
import collections
import datetime
import json
import pathlib
import time
from typing import Any

from PySide6 import QtCore, QtGui

from app.domain import display, errors, model
from app.services import frame_export
from app.services import frame_log

MAX_ROWS = 200_000  # newest matching frames kept; older ones stay in the journal (and exports)
TRIM_SLACK = 0.1  # of max_rows: trim in steps, not on every append
PAGE = 128
CACHED_PAGES = 64
HEAD_CHARS = 400  # of the payload read per row: enough to skip the envelope and summarise
SUMMARY_CHARS = 120
SCAN_BUDGET_S = 0.012  # per backfill step: well inside one 16 ms frame
FIRST_SPAN = 32_768  # ids scanned by the first step of a (re)load; later steps adapt to the budget
ERROR_TYPES = frame_log.ERROR_TYPES
_Role = QtCore.Qt.ItemDataRole
_DISPLAY, _TOOLTIP, _BACKGROUND, _FOREGROUND, _ALIGNMENT = (
    int(_Role.DisplayRole), int(_Role.ToolTipRole), int(_Role.BackgroundRole), int(_Role.ForegroundRole),
    int(_Role.TextAlignmentRole))
FRAME_ID_ROLE = int(_Role.UserRole) + 1
_HANDLED_ROLES = frozenset((_DISPLAY, _TOOLTIP, _BACKGROUND, _FOREGROUND, _ALIGNMENT, FRAME_ID_ROLE))
_RIGHT = int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
# The labels and times of the exports, so the log and its exports read the same.
type_label = frame_export.type_label
local_time = frame_export.local_time


_DECODER = json.JSONDecoder()
_ENVELOPE = {2: 3, 6: 3, 3: 2, 4: 4, 5: 4}  # elements before the body, per message type


def _envelope(head: str, count: int) -> tuple[list[Any], int] | None:
    """Decode the first `count` elements of a (possibly cut) frame; None if it is not that shape."""
    pos = head.find("[") + 1
    if pos == 0:
        return None
    values = []
    for _ in range(count):
        while head[pos:pos + 1].isspace():
            pos += 1
        try:
            value, pos = _DECODER.raw_decode(head, pos)
        except ValueError:
            return None
        values.append(value)
        while head[pos:pos + 1].isspace():
            pos += 1
        if head[pos:pos + 1] != ",":
            return None
        pos += 1
    return values, pos


def summarize(message_type: int, head: str, complete: bool) -> str:
    """One line for the Summary column: the body without the envelope; for errors, code: text."""
    text = head
    parsed = _envelope(head, _ENVELOPE[message_type]) if message_type in _ENVELOPE else None
    if parsed is not None:
        values, pos = parsed
        body = head[pos:]
        if complete:
            body = body.rstrip().removesuffix("]")
        if message_type in (4, 5):
            details = body.strip()
            text = f"{values[2]}: {values[3]}" + ("" if details in ("{}", "") else f"  {details}")
        else:
            text = body
    text = " ".join(text.split())
    if len(text) > SUMMARY_CHARS or not complete:
        text = text[:SUMMARY_CHARS].rstrip() + "…"
    return text


class FrameLogModel(QtCore.QAbstractTableModel):
    TIME, CHARGER, DIRECTION, TYPE, ACTION, LATENCY, SUMMARY = range(7)
    FrameIdRole = FRAME_ID_ROLE

    counts_changed = QtCore.Signal()  # rows shown, total, or loading state changed
    choices_changed = QtCore.Signal()  # new chargers or actions appeared in the journal

    def __init__(self, journal_path: pathlib.Path, parent: QtCore.QObject | None = None, *,
                 max_rows: int = MAX_ROWS) -> None:
        super().__init__(parent)
        self.journal_path = journal_path
        self.max_rows = max_rows
        self._reader: frame_log.JournalReader | None = None
        self._filter = frame_log.FrameFilter()
        self._ids = array.array("q")  # matching frame ids, ascending
        self._offset = 0  # absolute index of row 0; rows keep their absolute index (and page) for life
        self._pages: collections.OrderedDict[int, tuple[int, list[tuple[Any, ...]]]] = collections.OrderedDict()
        self._last_id = 0  # newest journal id looked at
        self._low_id = 0  # backfill: ids <= this are still to scan (0: done)
        self._span = FIRST_SPAN  # ids per backfill step, adapted to SCAN_BUDGET_S
        self._choices_low = -1  # the same, for the distinct chargers/actions (-1: not started)
        self._total = 0
        self._capped = False
        self._chargers: set[str] = set()
        self._actions: set[str] = set()
        self._step_timer = QtCore.QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(0)
        self._step_timer.timeout.connect(self._step)
        base = QtGui.QGuiApplication.palette().color(QtGui.QPalette.ColorRole.Base)
        dark = base.lightness() < 128
        # by level: plain, warning, error
        self._backgrounds = (None, QtGui.QColor(235, 170, 0, 90 if dark else 60),
                             QtGui.QColor(220, 50, 47, 90 if dark else 55))
        self._foregrounds = (None, QtGui.QColor("#ffd54f" if dark else "#8a5300"),
                             QtGui.QColor("#ff8a80" if dark else "#b00020"))
        self._headers = [self.tr("Time"), self.tr("Charger"), self.tr("Direction"), self.tr("Type"),
                         self.tr("Action"), self.tr("Latency"), self.tr("Summary")]
        self._arrows = ("→ CSMS", "← CSMS")
        self._bad_frame = self.tr("BAD FRAME")  # exports keep the untranslated frame_export.TYPE_LABELS
        self.set_right_to_left(QtGui.QGuiApplication.isRightToLeft())
        self.reload()

    # ------------------------------------------------------------------ public API

    @property
    def filter(self) -> frame_log.FrameFilter:
        return self._filter

    @property
    def loading(self) -> bool:
        """Older frames are still being scanned in the background."""
        return self._low_id > 0 and not self._capped

    @property
    def capped(self) -> bool:
        """The cap was reached: older matching frames are in the journal but not in the view."""
        return self._capped

    @property
    def last_id(self) -> int:
        return self._last_id

    def total(self) -> int:
        """Frames in the journal (up to the last refresh), whatever the filter."""
        return self._total

    def chargers(self) -> list[str]:
        return sorted(self._chargers)

    def actions(self) -> list[str]:
        return sorted(self._actions)

    def set_right_to_left(self, rtl: bool) -> None:
        """Point the arrows away from the Charger column, which is on the right in RTL layouts."""
        arrows = ("CSMS ←", "CSMS →") if rtl else ("→ CSMS", "← CSMS")
        if arrows != self._arrows:
            self._arrows = arrows
            if self._ids:
                self.dataChanged.emit(self.index(0, self.DIRECTION), self.index(len(self._ids) - 1, self.DIRECTION))

    def set_filters(self, *, charger_id: str | None = None, action: str | None = None,
                    direction: str | None = None, errors_only: bool = False, text: str | None = None) -> None:
        new = frame_log.FrameFilter(charger_id or None, action or None, direction or None, bool(errors_only), text or None)
        if new != self._filter:
            self._filter = new
            self.reload()

    def reload(self) -> None:
        """Start over with the current filter: newest frames at once, older ones step by step."""
        self._step_timer.stop()
        self.beginResetModel()
        self._ids = array.array("q")
        self._offset = 0
        self._pages.clear()
        self._capped = False
        self._span = FIRST_SPAN  # what a cheap filter allowed says nothing about the next one
        reader = self._open()
        if reader is not None:
            top = reader.max_id()
            self._advance(reader, top)
            self._low_id = top
        self.endResetModel()
        self._step()

    def finish_loading(self) -> None:
        """Run the background scan to the end now (tests, exports of the visible rows)."""
        while self._step_timer.isActive():
            self._step_timer.stop()
            self._step()

    def refresh(self) -> int:
        """Append the frames journaled since the last look; returns how many rows were added."""
        reader = self._open()
        if reader is None:
            return 0
        if self._choices_low < 0:
            self.reload()
            return len(self._ids)
        top = reader.max_id()
        if top <= self._last_id:
            return 0
        new = reader.ids(self._filter, after_id=self._last_id, upto_id=top)
        self._advance(reader, top)
        if new:
            first = len(self._ids)
            self.beginInsertRows(QtCore.QModelIndex(), first, first + len(new) - 1)
            self._ids.extend(new)
            self.endInsertRows()
            if len(self._ids) > self.max_rows * (1 + TRIM_SLACK):
                self._trim(len(self._ids) - self.max_rows)
        self.counts_changed.emit()
        return len(new)

    def frame_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, frame_id: int) -> int | None:
        row = bisect.bisect_left(self._ids, frame_id)
        return row if row < len(self._ids) and self._ids[row] == frame_id else None

    def frame(self, row: int) -> model.Frame:
        """The whole frame of one row, payload included, read now."""
        reader = self._open()
        assert reader is not None
        found = reader.frame(self._ids[row])
        if found is None:
            raise errors.StorageError(f"Frame {self._ids[row]} is no longer in the journal.")
        return found

    def payload(self, row: int) -> str:
        return self.frame(row).payload

    def close(self) -> None:
        self._step_timer.stop()
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    # ------------------------------------------------------------------ Qt model

    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else 7

    def headerData(self, section: int, orientation: QtCore.Qt.Orientation,  # noqa: N802
                   role: int = QtCore.Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != QtCore.Qt.Orientation.Horizontal:
            return None
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == QtCore.Qt.ItemDataRole.ToolTipRole:
            if section == self.DIRECTION:
                return self.tr("Who sent the frame: the charger (to the CSMS) or the CSMS (to the charger)")
            if section == self.LATENCY:
                return self.tr("How long the answer took, in milliseconds")
        return None

    def data(self, index: QtCore.QModelIndex, role: int = _DISPLAY) -> Any:
        if role not in _HANDLED_ROLES or not index.isValid():
            return None
        return self._value(self._row(index.row()), index.column(), role)

    def multiData(self, index: QtCore.QModelIndex, roleDataSpan: QtCore.QModelRoleDataSpan) -> None:  # noqa: N802, N803
        # The delegate asks for all roles of a cell in one call: one Python entry (one GIL
        # acquisition, contended by the engine thread under load) per cell instead of ~7.
        row = self._row(index.row()) if index.isValid() else None
        column = index.column()
        for i in range(len(roleDataSpan)):
            slot = roleDataSpan[i]
            role = slot.role()
            value = self._value(row, column, role) if row is not None and role in _HANDLED_ROLES else None
            if value is None:
                slot.clearData()  # the span is reused from cell to cell
            else:
                slot.setData(value)

    def _value(self, row: tuple[Any, ...], column: int, role: int) -> Any:
        if role == _DISPLAY:
            return self._arrows[row[2]] if column == self.DIRECTION else row[5][column]
        if role == _BACKGROUND:
            return self._backgrounds[row[3]]
        if role == _FOREGROUND:
            return self._foregrounds[row[3]] if column in (self.TYPE, self.SUMMARY) else None
        if role == _ALIGNMENT:
            return _RIGHT if column == self.LATENCY else None
        if role == _TOOLTIP:
            return self._tooltip(row, column)
        return row[0]  # FrameIdRole

    # ------------------------------------------------------------------ internals

    def _tooltip(self, row: tuple[Any, ...], column: int) -> str | None:
        lines = []
        if column == self.DIRECTION:
            lines.append(self.tr("charger → CSMS") if row[2] == 0 else self.tr("CSMS → charger"))
        elif column == self.TIME:
            lines.append(local_time(row[1]).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3])
        if row[6] == 0:
            lines.append(self.tr("Bad frame: not valid OCPP-J"))
        if row[4]:
            lines += [self.tr("Warning: {0}").format(w) for w in row[4].split("; ")]
        return "\n".join(lines) or None

    def _row(self, row: int) -> tuple[Any, ...]:
        absolute = row + self._offset
        number = absolute // PAGE
        cached = self._pages.get(number)
        if cached is not None and 0 <= absolute - cached[0] < len(cached[1]):
            self._pages.move_to_end(number)
            return cached[1][absolute - cached[0]]
        start = max(number * PAGE, self._offset)
        end = min((number + 1) * PAGE, self._offset + len(self._ids))
        ids = self._ids[start - self._offset:end - self._offset]
        reader = self._open()
        assert reader is not None
        rows = [self._light(head, i) for head, i in zip(reader.heads(ids, HEAD_CHARS), ids)]
        self._pages[number] = (start, rows)
        if len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        return rows[absolute - start]

    def _light(self, r: frame_log.FrameHead | None, frame_id: int) -> tuple[Any, ...]:
        """(id, ts, direction 0 in / 1 out, level 0 / 1 warning / 2 error, warnings, cells, type)."""
        if r is None:  # deleted from the journal behind our back
            return (frame_id, 0, 0, 0, "", ("",) * 7, 2)
        frame_id, ts, charger_id, direction, mtype, action, latency, warnings, head = r
        moment = datetime.datetime.fromtimestamp(ts / 1000)
        summary = summarize(mtype, head, len(head) < HEAD_CHARS)
        if warnings:  # the first thing to read on a coloured row is why it is coloured
            summary = f"⚠ {warnings.split('; ')[0]} · {summary}"
        summary = display.safe(summary)  # a frame's text may carry bidi or control characters
        cells = (f"{moment:%H:%M:%S}.{ts % 1000:03d}", display.safe(charger_id), None,
                 self._bad_frame if mtype == 0 else type_label(mtype), action,
                 "" if latency is None else f"{latency:.0f} ms" if latency >= 10 else f"{latency:.1f} ms", summary)
        level = 2 if mtype in ERROR_TYPES else 1 if warnings else 0
        return (frame_id, ts, 0 if direction is model.Direction.IN else 1, level, warnings, cells, mtype)

    def _open(self) -> frame_log.JournalReader | None:
        """The model's reader; None while the journal does not exist yet."""
        if self._reader is None:
            self._reader = frame_log.open_reader(self.journal_path)
        return self._reader

    def _advance(self, reader: frame_log.JournalReader, top: int) -> None:
        """Account for the journal's frames up to `top`: the total, and new chargers/actions."""
        self._total += reader.count(after_id=self._last_id, upto_id=top)
        if self._choices_low >= 0:  # the background scan covers what is below
            self._scan_choices(reader, self._last_id, top)
        self._last_id = top

    def _scan_choices(self, reader: frame_log.JournalReader, low: int, high: int) -> None:
        chargers, actions = reader.chargers_and_actions(after_id=low, upto_id=high)
        if not (chargers <= self._chargers and actions <= self._actions):
            self._chargers |= chargers
            self._actions |= actions
            self.choices_changed.emit()

    def _step(self) -> None:
        """One bounded piece of background work: older matching ids, then the filter choices."""
        reader = self._open()
        if reader is None:
            return
        if self._choices_low < 0:
            self._choices_low = self._last_id
        started = time.perf_counter()
        if self.loading:
            low = max(0, self._low_id - self._span)
            room = self.max_rows - len(self._ids)
            older = reader.ids(self._filter, after_id=low, upto_id=self._low_id, newest_first=True, limit=room)
            self._low_id = low
            self._capped = len(older) == room
            if older:
                older.reverse()
                self.beginInsertRows(QtCore.QModelIndex(), 0, len(older) - 1)
                self._ids[0:0] = array.array("q", older)
                self._offset -= len(older)
                self.endInsertRows()
        elif self._choices_low > 0:
            low = max(0, self._choices_low - self._span)
            self._scan_choices(reader, low, self._choices_low)
            self._choices_low = low
        elapsed = time.perf_counter() - started
        if elapsed < SCAN_BUDGET_S / 2:
            self._span = min(self._span * 2, 4_194_304)
        elif elapsed > SCAN_BUDGET_S:
            self._span = max(self._span // 2, 1024)
        self.counts_changed.emit()
        if self.loading or self._choices_low > 0:
            self._step_timer.start()

    def _trim(self, count: int) -> None:
        self.beginRemoveRows(QtCore.QModelIndex(), 0, count - 1)
        del self._ids[:count]
        self._offset += count
        self._capped = True
        self.endRemoveRows()
