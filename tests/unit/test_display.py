"""Charger-chosen text never changes how the text around it reads."""

from __future__ import annotations

from app.domain import display


def test_plain_ids_are_unchanged() -> None:
    assert display.safe("CP-001_a.b~") == "CP-001_a.b~"
    assert display.safe("Zürich-7") == "Zürich-7"  # printable non-ASCII stays readable


def test_control_and_bidi_characters_are_shown_escaped() -> None:
    assert display.safe("CP\t1") == "CP\\t1"
    assert display.safe("CP\n1\r") == "CP\\n1\\r"
    assert display.safe("abc\u202edef") == "abc\\u202edef"  # RIGHT-TO-LEFT OVERRIDE
    assert display.safe("a\u2066b\u2069") == "a\\u2066b\\u2069"
    assert display.safe("x\x1b[31m") == "x\\u001b[31m"
    assert display.safe("zero\u200bwidth") == "zero\\u200bwidth"


def test_quoted_cuts_long_text_and_says_how_long() -> None:
    shown = display.quoted("A" * 1000)
    assert shown.startswith("'AAAA") and shown.endswith("(1000 characters)'") and len(shown) < 100


def test_a_count_is_singular_for_one() -> None:
    assert display.count(1, "frame") == "1 frame"
    assert [display.count(n, "frame") for n in (0, 2)] == ["0 frames", "2 frames"]
    assert display.count(3, "entry", "entries") == "3 entries"
