"""The translation pipeline end to end: tr() strings extracted, a translation compiled and shown."""

from __future__ import annotations

import pathlib
import subprocess
import sys

from PySide6 import QtCore

from app.ui import main_window

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent


def test_template_lists_the_window_strings() -> None:
    template = (ROOT / "resources" / "translations" / "commissioner.ts").read_text(encoding="utf-8")
    for text in ("No charger connected yet", "Start demo charger (OCPP {0})", "Send {0}", "Hold at the demo charger"):
        assert f"<source>{text}</source>" in template, text


def test_a_compiled_translation_is_shown(qtbot, qapp, tmp_path: pathlib.Path) -> None:
    ts = tmp_path / "commissioner_ur.ts"
    ts.write_text("""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS><TS version="2.1" language="ur">
<context><name>EmptyState</name>
<message><source>No charger connected yet</source><translation>ابھی کوئی چارجر منسلک نہیں</translation></message>
</context></TS>""", encoding="utf-8")
    subprocess.run([str(BIN / "pyside6-lrelease"), str(ts)], check=True, capture_output=True)
    translator = QtCore.QTranslator()
    assert translator.load(QtCore.QLocale("ur"), "commissioner", "_", str(tmp_path))
    qapp.installTranslator(translator)
    try:
        empty = main_window.EmptyState()
        qtbot.addWidget(empty)
        labels = [child.text() for child in empty.findChildren(type(empty.layout().itemAt(1).widget()))]
        assert "ابھی کوئی چارجر منسلک نہیں" in labels
    finally:
        qapp.removeTranslator(translator)
