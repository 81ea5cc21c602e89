"""The OCPP frame log as a Qt table model over the journal (sqlite), never a widget per row.

Memory: the model keeps only the *ids* of the matching frames (8 bytes each, newest
`MAX_ROWS` of them) and fetches the light columns of the rows being painted in pages of
`PAGE` (payload cut to `HEAD_CHARS` by sqlite), with an LRU of `CACHED_PAGES` pages. The full
payload of one row is read on demand (`payload()`, `frame()`).

Loading: `set_filters()` scans the journal newest-first in id ranges of a few ms each,
one per event-loop turn, prepending what matches, so the newest frames show at once and a
filter over millions of rows never freezes the window. `refresh()` appends frames with an id
above the last one seen (beginInsertRows) and trims the oldest rows past the cap. Rows are in
id order; the text search is case-insensitive (LIKE), unlike `journal.filter_clause`.
"""

from __future__ import annotations

import array
import bisect
import collections
import csv
import dataclasses
import datetime
import json
import os
import pathlib
import sqlite3
import time
from typing import Any, Callable

from PySide6 import QtCore, QtGui

from app.domain import errors, model
from app.storage import journal as storage_journal

MAX_ROWS = 200_000  # newest matching frames kept; older ones stay in the journal (and exports)
TRIM_SLACK = 0.1  # of max_rows: trim in steps, not on every append
PAGE = 128
CACHED_PAGES = 64
HEAD_CHARS = 400  # of the payload read per row: enough to skip the envelope and summarise
SUMMARY_CHARS = 120
SCAN_BUDGET_S = 0.012  # per backfill step: well inside one 16 ms frame
FIRST_SPAN = 32_768  # ids scanned by the first step of a (re)load; later steps adapt to the budget
_ROW_SQL = ("SELECT id, ts_ms, charger_id, direction, message_type, action, latency_ms, warnings, "
            f"substr(payload, 1, {HEAD_CHARS}) FROM frames")
_FULL_SQL = ("SELECT id, charger_id, direction, ts_ms, message_type, action, unique_id, payload, latency_ms, "
             "warnings FROM frames")
ERROR_TYPES = (0, 4, 5)
_Role = QtCore.Qt.ItemDataRole
_DISPLAY, _TOOLTIP, _BACKGROUND, _FOREGROUND, _ALIGNMENT = (
    int(_Role.DisplayRole), int(_Role.ToolTipRole), int(_Role.BackgroundRole), int(_Role.ForegroundRole),
    int(_Role.TextAlignmentRole))
FRAME_ID_ROLE = int(_Role.UserRole) + 1
_HANDLED_ROLES = frozenset((_DISPLAY, _TOOLTIP, _BACKGROUND, _FOREGROUND, _ALIGNMENT, FRAME_ID_ROLE))
_RIGHT = int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
TYPE_LABELS = {0: "BAD FRAME", **{m.value: m.label for m in model.MessageType}}


@dataclasses.dataclass(frozen=True)
class LogFilter:
    """What the technician narrowed the log to; None / False / "" mean "everything"."""

    charger_id: str | None = None
    action: str | None = None
    direction: str | None = None  # "in" (charger -> CSMS) or "out"
    errors_only: bool = False  # CALLERROR, CALLRESULTERROR, bad frames, or any compliance warning
    text: str | None = None  # substring of the raw frame, case-insensitive for ASCII

    def clause(self, after_id: int = 0, upto_id: int | None = None) -> tuple[str, list[Any]]:
        where, params = storage_journal.filter_clause(
            charger_id=self.charger_id, action=self.action, direction=self.direction,
            errors_only=self.errors_only, after_id=after_id)
        if upto_id is not None:
            where += " AND id <= ?"
            params.append(upto_id)
        if self.text:
            escaped = self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where += " AND payload LIKE ? ESCAPE '\\'"
            params.append(f"%{escaped}%")
        return where, params


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


def local_time(ts_ms: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ts_ms / 1000).astimezone()


def type_label(message_type: int) -> str:
    return TYPE_LABELS.get(message_type, str(message_type))


EXPORT_FORMATS = ("jsonl", "csv")
EXPORT_FIELDS = ("id", "time", "ts_ms", "charger_id", "direction", "message_type", "type", "action",
                 "unique_id", "latency_ms", "warnings", "payload")
EXPORT_CHUNK = 2000


class ExportCancelled(Exception):
    pass


def export_frames(journal_path: pathlib.Path, log_filter: LogFilter, upto_id: int | None, out_path: pathlib.Path,
                  fmt: str, *, progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> int:
    """Write every journaled frame matching `log_filter` (id <= upto_id) with its raw payload.

    Runs on any thread (its own connection). Writes `<name>.part` and renames it at the end,
    so a failed or cancelled export never leaves a half file under the chosen name.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    conn = storage_journal.connect(journal_path, readonly=True)
    part = out_path.with_name(out_path.name + ".part")
    try:
        where, params = log_filter.clause(0, upto_id)
        total = conn.execute(f"SELECT COUNT(*) FROM frames {where}", params).fetchone()[0]
        done, after = 0, 0
        # utf-8-sig: spreadsheet programs read the CSV as UTF-8 only with the BOM
        with open(part, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as out:
            writer = csv.writer(out) if fmt == "csv" else None
            if writer is not None:
                writer.writerow(EXPORT_FIELDS)
            while True:
                where, params = log_filter.clause(after, upto_id)
                rows = conn.execute(f"{_FULL_SQL} {where} ORDER BY id LIMIT ?", (*params, EXPORT_CHUNK)).fetchall()
                if not rows:
                    break
                for r in rows:
                    record = (r[0], local_time(r[3]).isoformat(timespec="milliseconds"), r[3], r[1], r[2], r[4],
                              type_label(r[4]), r[5], r[6], r[8], r[9], r[7])
                    if writer is not None:
                        writer.writerow(record)
                    else:
                        out.write(json.dumps(dict(zip(EXPORT_FIELDS, record)), ensure_ascii=False) + "\n")
                done += len(rows)
                after = rows[-1][0]
                if progress is not None:
                    progress(done, total)
                if cancelled is not None and cancelled():
                    raise ExportCancelled
        os.replace(part, out_path)
        return done
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    finally:
        conn.close()


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
        self._conn: sqlite3.Connection | None = None
        self._filter = LogFilter()
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
        self._bad_frame = self.tr("BAD FRAME")  # exports keep the untranslated TYPE_LABELS
        self.set_right_to_left(QtGui.QGuiApplication.isRightToLeft())
        self.reload()

    # ------------------------------------------------------------------ public API

    @property
    def filter(self) -> LogFilter:
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
        new = LogFilter(charger_id or None, action or None, direction or None, bool(errors_only), text or None)
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
        conn = self._connection()
        if conn is not None:
            top = self._max_id(conn)
            self._advance(conn, top)
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
        conn = self._connection()
        if conn is None:
            return 0
        if self._choices_low < 0:
            self.reload()
            return len(self._ids)
        top = self._max_id(conn)
        if top <= self._last_id:
            return 0
        where, params = self._filter.clause(self._last_id, top)
        new = [r[0] for r in conn.execute(f"SELECT id FROM frames {where} ORDER BY id", params)]
        self._advance(conn, top)
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
        conn = self._connection()
        assert conn is not None
        r = conn.execute(f"{_FULL_SQL} WHERE id = ?", (self._ids[row],)).fetchone()
        if r is None:
            raise errors.StorageError(f"Frame {self._ids[row]} is no longer in the journal.")
        return model.Frame(r[1], model.Direction(r[2]), r[3], r[4], r[5], r[6], r[7], r[8], r[9], id=r[0])

    def payload(self, row: int) -> str:
        return self.frame(row).payload

    def close(self) -> None:
        self._step_timer.stop()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

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
        conn = self._connection()
        assert conn is not None
        found = {r[0]: r for r in conn.execute(f"{_ROW_SQL} WHERE id IN ({','.join('?' * len(ids))})", ids)}
        rows = [self._light(found.get(i), i) for i in ids]
        self._pages[number] = (start, rows)
        if len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        return rows[absolute - start]

    def _light(self, r: tuple[Any, ...] | None, frame_id: int) -> tuple[Any, ...]:
        """(id, ts, direction 0 in / 1 out, level 0 / 1 warning / 2 error, warnings, cells, type)."""
        if r is None:  # deleted from the journal behind our back
            return (frame_id, 0, 0, 0, "", ("",) * 7, 2)
        frame_id, ts, charger_id, direction, mtype, action, latency, warnings, head = r
        moment = datetime.datetime.fromtimestamp(ts / 1000)
        summary = summarize(mtype, head, len(head) < HEAD_CHARS)
        if warnings:  # the first thing to read on a coloured row is why it is coloured
            summary = f"⚠ {warnings.split('; ')[0]} · {summary}"
        cells = (f"{moment:%H:%M:%S}.{ts % 1000:03d}", charger_id, None,
                 self._bad_frame if mtype == 0 else type_label(mtype), action,
                 "" if latency is None else f"{latency:.0f} ms" if latency >= 10 else f"{latency:.1f} ms", summary)
        level = 2 if mtype in ERROR_TYPES else 1 if warnings else 0
        return (frame_id, ts, 0 if direction == "in" else 1, level, warnings, cells, mtype)

    def _connection(self) -> sqlite3.Connection | None:
        """The read-only connection; None while the journal does not exist yet."""
        if self._conn is None:
            if not self.journal_path.exists():
                return None
            conn = storage_journal.connect(self.journal_path, readonly=True)
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'frames'").fetchone() is None:
                conn.close()
                return None
            self._conn = conn
        return self._conn

    @staticmethod
    def _max_id(conn: sqlite3.Connection) -> int:
        return conn.execute("SELECT COALESCE(MAX(id), 0) FROM frames").fetchone()[0]

    def _advance(self, conn: sqlite3.Connection, top: int) -> None:
        """Account for the journal's frames up to `top`: the total, and new chargers/actions."""
        self._total += conn.execute("SELECT COUNT(*) FROM frames WHERE id > ? AND id <= ?",
                                    (self._last_id, top)).fetchone()[0]
        if self._choices_low >= 0:  # the background scan covers what is below
            self._scan_choices(conn, self._last_id, top)
        self._last_id = top

    def _scan_choices(self, conn: sqlite3.Connection, low: int, high: int) -> None:
        before = len(self._chargers), len(self._actions)
        for charger_id, action in conn.execute(
                "SELECT DISTINCT charger_id, action FROM frames WHERE id > ? AND id <= ?", (low, high)):
            self._chargers.add(charger_id)
            if action:
                self._actions.add(action)
        if (len(self._chargers), len(self._actions)) != before:
            self.choices_changed.emit()

    def _step(self) -> None:
        """One bounded piece of background work: older matching ids, then the filter choices."""
        conn = self._connection()
        if conn is None:
            return
        if self._choices_low < 0:
            self._choices_low = self._last_id
        started = time.perf_counter()
        if self.loading:
            low = max(0, self._low_id - self._span)
            where, params = self._filter.clause(low, self._low_id)
            room = self.max_rows - len(self._ids)
            older = [r[0] for r in conn.execute(f"SELECT id FROM frames {where} ORDER BY id DESC LIMIT ?",
                                                (*params, room))]
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
            self._scan_choices(conn, low, self._choices_low)
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
