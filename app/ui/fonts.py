"""The fonts shipped in resources/fonts (Noto, SIL OFL): Urdu, Gujarati and Gurmukhi text in the
window is shaped and readable on a laptop whose system fonts lack those scripts."""

from __future__ import annotations

import pathlib

from PySide6 import QtGui

FONTS = pathlib.Path(__file__).resolve().parents[2] / "resources" / "fonts"


def load() -> int:
    """Register every shipped font with Qt (its fallback then finds them); how many loaded."""
    loaded = 0
    for font in sorted(FONTS.glob("*.ttf")):
        if QtGui.QFontDatabase.addApplicationFont(str(font)) >= 0:
            loaded += 1
    return loaded
