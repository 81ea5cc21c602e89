"""Text a charger chose, made safe to show beside our own.

A charger id or vendor string may carry control characters (tab, newline, escape) or Unicode
bidi and format controls (U+202E RIGHT-TO-LEFT OVERRIDE flips everything after it). Shown raw,
they change how the rest of the line reads; shown escaped, they are visible for what they are.
"""

from __future__ import annotations

import functools
import unicodedata

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unsafe(char: str) -> bool:
    # Cc: control characters; Cf: format characters (bidi controls, zero-width joiners...);
    # Zl/Zp: line and paragraph separators.
    return char in _BIDI or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


@functools.lru_cache(maxsize=4096)
def safe(text: str) -> str:
    """`text` with every control, format or bidi character shown as \\uXXXX (\\t, \\n as such)."""
    if text.isprintable() and not any(c in _BIDI for c in text):
        return text
    out = []
    for char in text:
        if char == "\t":
            out.append("\\t")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif _unsafe(char):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def quoted(text: str, limit: int = 64) -> str:
    """For log lines and messages: safe, cut to `limit` characters, in quotes."""
    shown = safe(text)
    if len(shown) > limit:
        shown = shown[:limit] + f"… ({len(text)} characters)"
    return f"'{shown}'"


def count(number: int, noun: str, plural: str = "") -> str:
    """"1 frame", "2 frames" (`plural` where adding an s is wrong: "1 entry", "3 entries")."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
