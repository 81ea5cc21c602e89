"""A form generated from an OCPP JSON schema, for the send-operation panel.

Every schema node becomes one field (see app.ui.schema_fields for the shared interface):
enums a combo box, strings and numbers a line edit, booleans a check box, objects a group
(optional ones checkable: unchecked = not sent, built on first check, which keeps the deep
2.1 schemas cheap) and arrays a list editor. Paths follow `app.services.catalog.Violation.path`:
"data.chargingProfile.id", "data.key[0]".
"""

from __future__ import annotations

import re
from typing import Any

from PySide6 import QtCore, QtWidgets

from app.services import catalog
from app.ui import schema_fields as fields
from app.ui.schema_fields import MISSING, kind_of, readable, resolved, tooltip

MAX_DEPTH = 16  # deeper than any OCPP schema; a guard against recursive definitions


def make_field(node: dict[str, Any], root: dict[str, Any], name: str, required: bool, depth: int,
               parent: QtWidgets.QWidget | None = None) -> QtWidgets.QWidget:
    while "$ref" in node:
        node = {**catalog.resolve(node["$ref"], root), **{k: v for k, v in node.items() if k != "$ref"}}
    kind = kind_of(node)
    if depth > MAX_DEPTH:
        kind = "any"
    if kind == "object":
        return ObjectGroup(node, root, name, required, depth, parent)
    if kind == "array":
        return ArrayGroup(node, root, name, required, depth, parent)
    if kind == "enum":
        return fields.EnumField(node, name, required, parent)
    if kind == "boolean":
        return fields.BoolField(node, name, required, parent)
    return fields.TextField(node, name, required, kind, parent)


class ObjectBody(QtWidgets.QWidget):
    """An object's properties in a QFormLayout, required ones first; customData is left out."""

    changed = QtCore.Signal()

    def __init__(self, node: dict[str, Any], root: dict[str, Any], depth: int,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        node = resolved(node, root)
        self.fields: dict[str, QtWidgets.QWidget] = {}
        self.extra: dict[str, Any] = {}  # keys the form has no field for (customData): kept, not lost
        form = QtWidgets.QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)
        required = set(node.get("required", []))
        props = {k: v for k, v in node.get("properties", {}).items() if k != "customData"}
        for name in sorted(props, key=lambda n: n not in required):  # stable: schema order within each
            field = make_field(props[name], root, name, name in required, depth + 1)
            field.changed.connect(self.changed)
            self.fields[name] = field
            if isinstance(field, fields.Scalar):
                label = QtWidgets.QLabel(readable(name) + (" *" if name in required else ""))
                if name in required:
                    font = label.font()
                    font.setBold(True)
                    label.setFont(font)
                label.setToolTip(tooltip(name, field.node))
                label.setBuddy(field.editor)
                form.addRow(label, field)
            else:
                form.addRow(field)

    def value(self) -> Any:
        out = dict(self.extra)
        for name, field in self.fields.items():
            value = field.value()
            if value is not MISSING:
                out[name] = value
        return out

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        for name, field in self.fields.items():
            field.set_value(value.get(name, MISSING))
        self.extra = {k: v for k, v in value.items() if k not in self.fields}

    def check(self, path: str) -> list[tuple[str, str]]:
        return [error for name, field in self.fields.items() for error in field.check(f"{path}.{name}")]

    def child(self, key: str | int) -> QtWidgets.QWidget | None:
        return self.fields.get(key) if isinstance(key, str) else None

    def clear_errors(self) -> None:
        for field in self.fields.values():
            field.clear_errors()


class _Group(QtWidgets.QGroupBox):
    """A titled box for objects and arrays; its error shows at the top, its contents framed in red."""

    changed = QtCore.Signal()

    def __init__(self, node: dict[str, Any], root: dict[str, Any], name: str, required: bool, depth: int,
                 parent: QtWidgets.QWidget | None) -> None:
        super().__init__(readable(name) + (" *" if required else ""), parent)
        self.node, self.root, self.name, self.required, self.depth = node, root, name, required, depth
        self.setToolTip(tooltip(name, node))
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        # The red frame goes on an inner frame: restyling the QGroupBox itself upsets its layout.
        self.frame = QtWidgets.QFrame()
        self.frame.setObjectName("fieldFrame")
        outer.addWidget(self.frame)
        self.box = QtWidgets.QVBoxLayout(self.frame)
        self.box.setContentsMargins(4, 4, 4, 4)
        self.error_label = fields.error_label()
        self.box.addWidget(self.error_label)
        self.note = QtWidgets.QLabel()
        self.note.setStyleSheet("color: palette(placeholder-text);")
        self.note.setWordWrap(True)

    def set_error(self, message: str | None) -> None:
        fields.mark_invalid(self.frame, bool(message))
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))

    def has_error(self) -> bool:
        return not self.error_label.isHidden()


class ObjectGroup(_Group):
    """A nested object. Optional ones are checkable, unchecked = not sent, built on first check."""

    def __init__(self, node: dict[str, Any], root: dict[str, Any], name: str, required: bool, depth: int,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(node, root, name, required, depth, parent)
        self.body: ObjectBody | None = None
        if required:
            self._build()
        else:
            self.note.setText(self.tr("Not sent. Tick the box to fill it in."))
            self.box.addWidget(self.note)
            self.setCheckable(True)
            self.setChecked(False)
            self.toggled.connect(self._on_toggled)

    def _build(self) -> ObjectBody:
        if self.body is None:
            self.body = ObjectBody(self.node, self.root, self.depth)
            self.body.changed.connect(self.changed)
            self.box.addWidget(self.body)
            if not self.body.fields:
                self.note.setText(self.tr("No fields: sent as {}."))
                self.box.addWidget(self.note)
        return self.body

    def _on_toggled(self, on: bool) -> None:
        if on and self.body is None:
            self._build().set_value(catalog.build(self.node, self.root))
        if self.body is not None:
            self.body.setVisible(on)
        self.note.setVisible(not on)
        self.changed.emit()

    def included(self) -> bool:
        return self.body is not None and (not self.isCheckable() or self.isChecked())

    def value(self) -> Any:
        return self.body.value() if self.included() else MISSING

    def set_value(self, value: Any) -> None:
        if not self.required:
            self.setChecked(isinstance(value, dict))
            if not isinstance(value, dict):
                return
        self._build().set_value(value)

    def check(self, path: str) -> list[tuple[str, str]]:
        return self.body.check(path) if self.included() else []

    def child(self, key: str | int) -> QtWidgets.QWidget | None:
        return self.body.child(key) if self.included() else None

    def clear_errors(self) -> None:
        self.set_error(None)
        if self.body is not None:
            self.body.clear_errors()


class ArrayItem(QtWidgets.QFrame):
    """One entry of a list: its number, its sub-form and a Remove button."""

    def __init__(self, group: ArrayGroup, node: dict[str, Any]) -> None:
        super().__init__()
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.number = QtWidgets.QLabel()
        self.remove_button = QtWidgets.QPushButton(self.tr("Remove"))
        self.remove_button.setToolTip(self.tr("Remove this entry"))
        self.remove_button.clicked.connect(lambda: group.remove_item(self))
        header = QtWidgets.QHBoxLayout()
        header.addWidget(self.number)
        if kind_of(node) == "object":
            self.field: QtWidgets.QWidget = ObjectBody(node, group.root, group.depth + 1)
            layout = QtWidgets.QVBoxLayout(self)
            header.addStretch(1)
            header.addWidget(self.remove_button)
            layout.addLayout(header)
            layout.addWidget(self.field)
        else:
            self.field = make_field(node, group.root, group.name, True, group.depth + 1)
            layout = QtWidgets.QVBoxLayout(self)
            header.addWidget(self.field, 1)
            header.addWidget(self.remove_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
            layout.addLayout(header)
        layout.setContentsMargins(6, 4, 6, 4)


class ArrayGroup(_Group):
    """A list editor: Add / Remove entries, within the schema's minItems and maxItems."""

    def __init__(self, node: dict[str, Any], root: dict[str, Any], name: str, required: bool, depth: int,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(node, root, name, required, depth, parent)
        items = node.get("items", {})
        self.item_node = resolved(items[0] if isinstance(items, list) else items, root)
        self.min_items, self.max_items = node.get("minItems", 0), node.get("maxItems")
        self.title_text = self.title()
        self.items: list[ArrayItem] = []
        self.list_box = QtWidgets.QVBoxLayout()
        self.box.addLayout(self.list_box)
        self.box.addWidget(self.note)
        row = QtWidgets.QHBoxLayout()
        self.add_button = QtWidgets.QPushButton(self.tr("Add entry"))
        self.add_button.clicked.connect(self._on_add)
        row.addWidget(self.add_button)
        limits = []
        if self.min_items:
            limits.append(self.tr("at least {0}").format(self.min_items))
        if self.max_items:
            limits.append(self.tr("at most {0}").format(self.max_items))
        row.addWidget(QtWidgets.QLabel(", ".join(limits)))
        row.addStretch(1)
        self.box.addLayout(row)
        for _ in range(self.min_items if required else 0):
            self.add_item()
        self._refresh()

    def _on_add(self) -> None:
        item = self.add_item()
        item.field.setFocus()
        self._refresh()
        self.changed.emit()

    def add_item(self, value: Any = MISSING) -> ArrayItem:
        item = ArrayItem(self, self.item_node)
        item.field.set_value(catalog.build(self.item_node, self.root) if value is MISSING else value)
        item.field.changed.connect(self.changed)
        self.items.append(item)
        self.list_box.addWidget(item)
        return item

    def remove_item(self, item: ArrayItem) -> None:
        self._drop(item)
        self._refresh()
        if self.has_error():
            self.set_error(self._count_error())
        self.changed.emit()

    def _drop(self, item: ArrayItem) -> None:
        self.items.remove(item)
        self.list_box.removeWidget(item)
        item.hide()
        item.deleteLater()

    def _refresh(self) -> None:
        count = len(self.items)
        for number, item in enumerate(self.items, 1):
            item.number.setText(f"{number}.")
            item.remove_button.setEnabled(not self.required or count > self.min_items)
        self.add_button.setEnabled(self.max_items is None or count < self.max_items)
        self.setTitle(f"{self.title_text} ({count})")
        self.note.setText(self.tr("No entries: not sent.") if not self.required else self.tr("No entries."))
        self.note.setVisible(count == 0)

    def _count_error(self) -> str | None:
        count = len(self.items)
        if (self.required or count) and count < self.min_items:
            return self.tr("too few entries: at least {0}").format(self.min_items)
        if self.max_items is not None and count > self.max_items:
            return self.tr("too many entries: at most {0}").format(self.max_items)
        return None

    def value(self) -> Any:
        if not self.items and not self.required:
            return MISSING
        return [v for v in (item.field.value() for item in self.items) if v is not MISSING]

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, list) else []
        while len(self.items) > len(value):
            self._drop(self.items[-1])
        for index, entry in enumerate(value):
            if index < len(self.items):
                self.items[index].field.set_value(entry)
            else:
                self.add_item(entry)
        self._refresh()

    def check(self, path: str) -> list[tuple[str, str]]:
        error = self._count_error()
        found = [(path, error)] if error else []
        for index, item in enumerate(self.items):
            found += item.field.check(f"{path}[{index}]")
        return found

    def child(self, key: str | int) -> QtWidgets.QWidget | None:
        return self.items[key].field if isinstance(key, int) and 0 <= key < len(self.items) else None

    def clear_errors(self) -> None:
        self.set_error(None)
        for item in self.items:
            item.field.clear_errors()


class SchemaForm(QtWidgets.QWidget):
    """The form of one request schema: value() is the payload, errors show at their fields."""

    changed = QtCore.Signal()

    def __init__(self, schema: dict[str, Any], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.schema = schema
        self.setStyleSheet(fields.INVALID_STYLE)
        layout = QtWidgets.QVBoxLayout(self)
        self.message_label = fields.error_label()
        layout.addWidget(self.message_label)
        self.root = ObjectBody(schema, schema, 0)
        self.legend = QtWidgets.QLabel(self.tr("Bold * = required. Hover a name to read what the field means.")
                                       if self.root.fields else self.tr("This operation has no fields."))
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.legend)
        layout.addWidget(self.root)
        layout.addStretch(1)
        self.root.changed.connect(self._on_changed)
        self._loading = False
        self.error_widgets: list[QtWidgets.QWidget] = []  # fields showing an error, in form order

    def _on_changed(self) -> None:
        if not self._loading:
            self.changed.emit()

    def value(self) -> dict[str, Any]:
        return self.root.value()

    def set_value(self, payload: dict[str, Any]) -> None:
        self._loading = True
        try:
            self.root.set_value(payload)
        finally:
            self._loading = False
        self.changed.emit()

    def local_errors(self) -> list[tuple[str, str]]:
        return self.root.check("data")

    def field(self, path: str) -> QtWidgets.QWidget | None:
        """The field at a payload path ("data.chargingProfile.id", or just "chargingProfile.id")."""
        keys = fields.parse_path(path if path.startswith("data") else f"data.{path}")
        node: QtWidgets.QWidget | None = self.root if keys is not None else None
        for key in keys or []:
            node = node.child(key) if node is not None else None
        return node

    def editor(self, path: str) -> QtWidgets.QWidget | None:
        return getattr(self.field(path), "editor", None)

    def show_errors(self, errors: list[tuple[str, str]]) -> None:
        self.clear_errors()
        general: list[str] = []
        per_field: dict[QtWidgets.QWidget, list[str]] = {}
        for path, message in errors:
            for target, text in self._targets(path, message):
                field = self.field(target)
                if field is None or field is self.root:
                    general.append(text if field is None else message)
                else:
                    per_field.setdefault(field, []).append(text)
        for field, texts in per_field.items():
            field.set_error("; ".join(dict.fromkeys(texts)))
            self.error_widgets.append(field)
        if general:
            self.message_label.setText("\n".join(dict.fromkeys(general)))
            self.message_label.show()

    def _targets(self, path: str, message: str) -> list[tuple[str, str]]:
        # fastjsonschema reports a missing property at its parent: move it to the field itself.
        found = re.search(r"must contain \[(.*?)\] properties", message)
        parent = self.field(path)
        if found and parent is not None:
            missing = [n for n in re.findall(r"'([^']*)'", found.group(1))
                       if parent.child(n) is not None and parent.child(n).value() is MISSING]
            if missing:
                return [(f"{path}.{name}", self.tr("required")) for name in missing]
        if message.startswith(path + " ") and parent is not None and parent is not self.root:
            message = message[len(path) + 1:]
        return [(path, message)]

    def clear_errors(self) -> None:
        self.message_label.hide()
        self.root.clear_errors()
        self.error_widgets = []
