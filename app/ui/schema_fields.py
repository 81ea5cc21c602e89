"""The scalar fields of a SchemaForm and the helpers every field shares.

A field is a widget with `changed`, `value()` (MISSING when nothing is to be sent),
`set_value()`, `check(path)` -> [(path, message)], `child(key)`, `set_error()`, `clear_errors()`.
Scalars keep whatever the raw JSON said (a string in an integer field, an unknown enum value)
and report it from check() instead of silently dropping or truncating it.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from app.services import catalog


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # a field's value() when nothing is to be sent
ERROR_COLOR = "#b3261e"
_INT32 = (-2**31, 2**31 - 1)
_ACRONYMS = {"id": "ID", "evse": "EVSE", "url": "URL", "uri": "URI", "apn": "APN", "vpn": "VPN", "ocpp": "OCPP",
             "ev": "EV", "ac": "AC", "dc": "DC", "iso": "ISO", "csms": "CSMS", "der": "DER", "soc": "SoC",
             "ip": "IP", "ssid": "SSID", "pin": "PIN", "ocsp": "OCSP", "csr": "CSR", "tls": "TLS", "vat": "VAT"}


def readable(name: str) -> str:
    """'chargingProfileId' -> 'Charging profile ID'."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", name) or [name]
    out = [_ACRONYMS.get(w.lower(), w if w.isupper() else w.lower()) for w in words]
    return out[0][:1].upper() + out[0][1:] + "".join(" " + w for w in out[1:])


def tooltip(name: str, node: dict[str, Any]) -> str:
    """Rich text (so Qt wraps it): the schema's own name, then its description."""
    text = html.unescape(node.get("description", "")).replace("\r\n", "\n").strip()
    body = html.escape(text).replace("\n", "<br>")
    return f"<p><b>{html.escape(name)}</b></p>" + (f"<p>{body}</p>" if body else "")


def parse_path(path: str) -> list[str | int] | None:
    """'data.a[0].b' -> ['a', 0, 'b']; None if it is not a payload path."""
    if path != "data" and not path.startswith(("data.", "data[")):
        return None
    return [int(i) if i else n for n, i in re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", path[4:])]


def kind_of(node: dict[str, Any]) -> str:
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if "enum" in node:
        return "enum"
    if kind == "object" or (kind is None and "properties" in node):
        return "object"
    return kind if kind in ("array", "string", "integer", "number", "boolean") else "any"


def resolved(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = catalog.resolve(node["$ref"], root)
    return node


# Set once on the SchemaForm: a stylesheet on each field would cascade into nested fields.
INVALID_STYLE = f'QFrame#fieldFrame[invalid="true"] {{ border: 2px solid {ERROR_COLOR}; border-radius: 3px; }}'


def mark_invalid(widget: QtWidgets.QWidget, invalid: bool) -> None:
    if bool(widget.property("invalid")) != invalid:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)  # re-evaluate INVALID_STYLE for the new property value
        widget.style().polish(widget)


def error_label() -> QtWidgets.QLabel:
    label = QtWidgets.QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOR};")
    label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


class Scalar(QtWidgets.QWidget):
    """An editor in a frame that turns red, with its error message under it."""

    changed = QtCore.Signal()

    def __init__(self, node: dict[str, Any], name: str, required: bool, parent: QtWidgets.QWidget | None) -> None:
        super().__init__(parent)
        self.node, self.name, self.required = node, name, required
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.frame = QtWidgets.QFrame()
        self.frame.setObjectName("fieldFrame")
        self.row = QtWidgets.QHBoxLayout(self.frame)
        self.row.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.frame)
        self.error_label = error_label()
        layout.addWidget(self.error_label)
        self.editor: QtWidgets.QWidget

    def _add_editor(self, editor: QtWidgets.QWidget, stretch: int = 1) -> None:
        self.editor = editor
        editor.setToolTip(tooltip(self.name, self.node))
        self.row.addWidget(editor, stretch)
        if not stretch:
            self.row.addStretch(1)

    def _edited(self) -> None:
        self.set_error(self.own_error())  # live feedback; also clears an error from the last send
        self.changed.emit()

    def own_error(self) -> str | None:
        raise NotImplementedError

    def check(self, path: str) -> list[tuple[str, str]]:
        error = self.own_error()
        return [(path, error)] if error else []

    def child(self, _key: str | int) -> None:
        return None

    def set_error(self, message: str | None) -> None:
        mark_invalid(self.frame, bool(message))
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))

    def clear_errors(self) -> None:
        self.set_error(None)

    def has_error(self) -> bool:
        return not self.error_label.isHidden()


class TextField(Scalar):
    """Strings, integers, numbers, date-times and untyped values in a QLineEdit."""

    def __init__(self, node: dict[str, Any], name: str, required: bool, kind: str,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(node, name, required, parent)
        self.kind = kind
        self.date_time = node.get("format") == "date-time"
        edit = QtWidgets.QLineEdit()
        self._add_editor(edit)
        low, high = _plain(node.get("minimum")), _plain(node.get("maximum"))
        if kind == "integer":
            # OCPP integers are 32-bit; most have no schema maximum, so the validator supplies one.
            edit.setValidator(QtGui.QIntValidator(int(low) if low is not None else _INT32[0],
                                                  int(high) if high is not None else _INT32[1], edit))
            edit.setPlaceholderText(self._range_hint(self.tr("whole number"), low, high))
        elif kind == "number":
            validator = QtGui.QDoubleValidator(edit)
            validator.setLocale(QtCore.QLocale.c())  # JSON wants "16.5", whatever the user's locale
            validator.setNotation(QtGui.QDoubleValidator.Notation.StandardNotation)
            edit.setValidator(validator)
            edit.setPlaceholderText(self._range_hint(self.tr("number, e.g. 16.5"), low, high))
        elif self.date_time:
            edit.setPlaceholderText(self.tr("UTC, e.g. 2026-01-31T12:00:00Z"))
            now = QtWidgets.QPushButton(self.tr("Now"))
            now.setToolTip(self.tr("Fill in the current time (UTC)"))
            now.clicked.connect(self.fill_now)
            self.row.addWidget(now)
        elif kind == "string" and "maxLength" in node:
            edit.setMaxLength(node["maxLength"])
            edit.setPlaceholderText(self.tr("text, up to {0} characters").format(node["maxLength"]))
        elif kind == "any":
            edit.setPlaceholderText(self.tr("text or JSON"))
        edit.textEdited.connect(self._edited)

    def _range_hint(self, what: str, low: Any, high: Any) -> str:
        if low is not None and high is not None:
            return self.tr("{0}, {1} to {2}").format(what, low, high)
        if low is not None:
            return self.tr("{0}, {1} or more").format(what, low)
        return what

    def fill_now(self) -> None:
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        self.editor.setText(now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        self._edited()

    def _parse(self) -> tuple[Any, str | None]:
        text = self.editor.text()
        if self.kind in ("integer", "number") or self.date_time:
            text = text.strip()
        if not text and (self.kind != "string" or self.date_time or not self.required):
            return MISSING, (self.tr("required") if self.required else None)
        if self.kind == "integer":
            try:
                return self._bounded(int(text))
            except ValueError:
                return text, self.tr("must be a whole number")
        if self.kind == "number":
            try:
                number = float(text)
            except ValueError:
                return text, self.tr("must be a number, e.g. 16.5")
            if number != number or number in (float("inf"), float("-inf")):
                return text, self.tr("must be a finite number")
            return self._bounded(int(text) if re.fullmatch(r"-?\d+", text) else number)
        if self.kind == "any":
            try:
                return json.loads(text), None
            except ValueError:
                return text, None
        if self.date_time:
            try:
                moment = datetime.datetime.fromisoformat(text)
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is None or "T" not in text:
                return text, self.tr("must be a date-time like 2026-01-31T12:00:00Z")
        if "maxLength" in self.node and len(text) > self.node["maxLength"]:
            return text, self.tr("at most {0} characters (now {1})").format(self.node["maxLength"], len(text))
        if len(text) < self.node.get("minLength", 0):
            return text, self.tr("at least {0} characters").format(self.node["minLength"])
        return text, None

    def _bounded(self, number: float) -> tuple[Any, str | None]:
        low, high = _plain(self.node.get("minimum")), _plain(self.node.get("maximum"))
        if low is not None and number < low:
            return number, self.tr("must be {0} or more").format(low)
        if high is not None and number > high:
            return number, self.tr("must be {0} or less").format(high)
        return number, None

    def value(self) -> Any:
        return self._parse()[0]

    def own_error(self) -> str | None:
        return self._parse()[1]

    def set_value(self, value: Any) -> None:
        if value is MISSING or value is None and self.kind != "any":
            text = ""
        elif isinstance(value, str) and (self.kind != "any" or not _is_json(value)):
            text = value
        elif isinstance(value, bool) or self.kind == "any" or not isinstance(value, (int, float)):
            text = json.dumps(value)
        else:
            text = str(value)
        if "maxLength" in self.node:  # never truncate what the raw JSON said; check() reports it
            self.editor.setMaxLength(max(self.node["maxLength"], len(text)))
        self.editor.setText(text)


def _plain(number: Any) -> Any:
    """0.0 -> 0: the 2.1 schemas give integer bounds as floats, which reads oddly in a hint."""
    return int(number) if isinstance(number, float) and number.is_integer() else number


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


class EnumField(Scalar):
    def __init__(self, node: dict[str, Any], name: str, required: bool, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(node, name, required, parent)
        combo = QtWidgets.QComboBox()
        combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._add_editor(combo)
        if not required:
            combo.addItem(self.tr("(not sent)"), None)
        for option in node["enum"]:
            combo.addItem(str(option), option)
        self._known = combo.count()
        combo.activated.connect(self._edited)

    def value(self) -> Any:
        index = self.editor.currentIndex()
        data = self.editor.itemData(index) if index >= 0 else None
        return MISSING if data is None else data

    def own_error(self) -> str | None:
        if self.editor.currentIndex() < 0:
            return self.tr("required: choose a value") if self.required else None
        if self.editor.currentIndex() >= self._known:
            return self.tr("must be one of {0}").format(", ".join(map(str, self.node["enum"])))
        return None

    def set_value(self, value: Any) -> None:
        combo = self.editor
        while combo.count() > self._known:  # drop a stray value from an earlier set_value
            combo.removeItem(combo.count() - 1)
        if value is MISSING:
            combo.setCurrentIndex(0 if not self.required else -1)
            return
        index = combo.findData(value)
        if index < 0:  # keep what the raw JSON said, flagged by own_error
            combo.addItem(self.tr("{0} (not allowed)").format(value), value)
            index = combo.count() - 1
        combo.setCurrentIndex(index)


class BoolField(Scalar):
    """A check box; optional ones have a third state, "not sent", and say which state they are in."""

    def __init__(self, node: dict[str, Any], name: str, required: bool, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(node, name, required, parent)
        box = QtWidgets.QCheckBox()
        box.setTristate(not required)
        self._add_editor(box, stretch=0)  # only the box and its text toggle it, not the empty space
        box.stateChanged.connect(self._show_state)
        box.clicked.connect(self._edited)
        self.set_value(MISSING)

    def _show_state(self) -> None:
        state = self.editor.checkState()
        self.editor.setText({QtCore.Qt.CheckState.Checked: self.tr("true"),
                             QtCore.Qt.CheckState.Unchecked: self.tr("false")}.get(state, self.tr("(not sent)")))

    def value(self) -> Any:
        state = self.editor.checkState()
        return MISSING if state == QtCore.Qt.CheckState.PartiallyChecked else state == QtCore.Qt.CheckState.Checked

    def own_error(self) -> str | None:
        return None

    def set_value(self, value: Any) -> None:
        if value is MISSING and not self.required:
            state = QtCore.Qt.CheckState.PartiallyChecked
        else:
            state = QtCore.Qt.CheckState.Checked if value is True else QtCore.Qt.CheckState.Unchecked
        self.editor.setCheckState(state)
        self._show_state()
