"""The PDF's text as typed, for scripts Qt's PDF writer cannot map back to characters.

Qt shapes Urdu, Gujarati and Gurmukhi correctly on the page, but its PDF writer maps each glyph
back to a character only through the font's character map: a Nastaliq joining form, a Gujarati
conjunct or a reordered vowel sign has no entry there, so `pdftotext`, search and copy read
nothing or the wrong letters. Qt has no ActualText support (the code for it is disabled in
qpdf.cpp), so the report adds it after Qt has written the file:

1. While the HTML is built, each run of such text is given a colour of its own, a near-black
   (#000001 … #0f0f0f) that names it (`Marks.text`).
2. After rendering, every text object drawn in one of those colours is wrapped in a marked-content
   span ``/Span << /ActualText (the run's characters) >> BDC … EMC`` (PDF 32000-1, 14.9.4) and
   given pure black again (`add_actual_text`).

Right-to-left runs are split at every character that is not a strong right-to-left letter, so that
each span holds letters only: readers then put the letters in logical order (poppler reverses a
span only when every character of it is right-to-left). Latin, digits and punctuation need no
help; they stay as Qt wrote them.
"""

from __future__ import annotations

import html
import pathlib
import re
import unicodedata

# Scripts whose glyphs do not map one-to-one to characters: Indic (Devanagari … Sinhala),
# Thai, Lao, Tibetan, Myanmar, Khmer, with the joiners they use.
_COMPLEX = re.compile(r"[\u0900-\u0DFF\u0E00-\u0FFF\u1000-\u109F\u1780-\u17FF\u200C\u200D]+")
_LIMIT = 0xFFF  # markers available: 12 bits of near-black
_SCN = re.compile(rb"^(\d*\.?\d+) (\d*\.?\d+) (\d*\.?\d+) (scn|SCN)$")


def _rtl_letter(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("R", "AL")


def _rtl_inner(char: str) -> bool:
    """Inside a right-to-left word: combining marks and joiners stay with their letters."""
    return _rtl_letter(char) or unicodedata.category(char) == "Mn" or char in "\u200c\u200d"


class Marks:
    """The runs of text given a marker colour, by marker number (1 … 4095)."""

    def __init__(self) -> None:
        self.runs: dict[int, str] = {}

    def text(self, value: object) -> str:
        """`value` as HTML text, each run that needs ActualText in a marker colour of its own."""
        text = str(value)
        out: list[str] = []
        position = 0
        for start, end in _runs(text):
            out.append(html.escape(text[position:start]))
            run = text[start:end]
            if len(self.runs) >= _LIMIT:  # drawn as before, only its extraction is poorer
                out.append(html.escape(run))
            else:
                number = len(self.runs) + 1
                self.runs[number] = run
                out.append(f"<span style='color: #{number >> 8:02x}{(number >> 4) & 15:02x}{number & 15:02x};'>"
                           f"{html.escape(run)}</span>")
            position = end
        out.append(html.escape(text[position:]))
        return "".join(out)


def _runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each right-to-left word and each complex-script word of `text`."""
    runs: list[tuple[int, int]] = []
    index = 0
    while index < len(text):
        if _rtl_letter(text[index]):
            end = index + 1
            while end < len(text) and _rtl_inner(text[end]):
                end += 1
            while not _rtl_letter(text[end - 1]):  # a trailing mark or joiner is not a letter
                end -= 1
            runs.append((index, end))
            index = end
            continue
        match = _COMPLEX.match(text, index)
        if match:
            runs.append((index, match.end()))
            index = match.end()
            continue
        index += 1
    return runs


def _reading_order(run: str) -> str:
    """The run as a reader expects a span's text: a right-to-left run in the order it is drawn.

    poppler (pdftotext, Evince, Okular) lays a span's characters out left to right over the
    span and then applies the bidirectional algorithm, as it does for glyphs, which are drawn
    in visual order: a right-to-left run stored reversed reads back as typed. Measured with
    pdftotext 22.12; tests/unit/test_report_scripts.py holds it to that.
    """
    return run[::-1] if _rtl_letter(run[0]) else run


def _widths(font) -> dict[int, float]:
    """A Type0 font's advance widths by glyph id, from its descendant's /W array."""
    try:
        descendant = font["/DescendantFonts"][0].get_object()
        array = descendant.get("/W") or []
        default = float(descendant.get("/DW", 1000))
    except (KeyError, IndexError, TypeError):
        return {}
    widths: dict[int, float] = {}
    index = 0
    while index < len(array):
        first = int(array[index])
        if index + 1 < len(array) and isinstance(array[index + 1], list):
            widths.update({first + i: float(w) for i, w in enumerate(array[index + 1])})
            index += 2
        elif index + 2 < len(array):
            widths.update({c: float(array[index + 2]) for c in range(first, int(array[index + 1]) + 1)})
            index += 3
        else:
            break
    widths.setdefault(0, default)
    widths[-1] = default  # /DW: a glyph the /W array does not list
    return widths


def _marker(line: bytes) -> int | None:
    match = _SCN.match(line)
    if not match:
        return None
    channels = [float(v) * 255 for v in match.groups()[:3]]
    if any(abs(c - round(c)) > 0.01 or round(c) > 15 for c in channels):
        return None
    r, g, b = (round(c) for c in channels)
    return (r << 8) | (g << 4) | b or None


def _utf16(text: str) -> bytes:
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


_GLYPH = re.compile(rb"^(-?\d*\.?\d+) (-?\d*\.?\d+) Td (<[0-9A-F]+>) Tj$")


def _num(value: float) -> bytes:
    return f"{value:.4f}".encode()


def _level(block: list[bytes], size: float, widths: dict[int, float]) -> list[bytes]:
    """A text object's glyph lines with an invisible glyph at each end of its baseline.

    A reader takes a span's extent from where its first glyph starts to where its last one
    ends. Nastaliq cascades each word from its first letter down to its last (and right to
    left): taken so, each word would sit on a slope of its own and the words of one line would
    be read as lines apart. Two invisible copies of a glyph (render mode 3), at the left and the
    right end of the baseline, give the span the extent and direction of the line it is on.
    `widths`: the font's advance widths (/W, in 1/1000 of the size) by glyph id.
    """
    glyphs = []
    x = y = 0.0
    for line in block:
        match = _GLYPH.match(line)
        if not match:
            break
        x, y = x + float(match[1]), y + float(match[2])
        glyphs.append((x, y, match[3], widths.get(int(match[3][1:-1], 16), widths.get(-1, 0.0)) * size / 1000))
    if not glyphs:
        return block
    # The baseline: where most glyphs sit (a Nastaliq word ends on it; marks sit off it).
    heights = [round(g[1], 1) for g in glyphs]
    base = min(set(heights), key=lambda h: (-heights.count(h), h))
    # .notdef (glyph 0, in every subset Qt writes) maps to no character: a reader that ignores
    # ActualText reads nothing extra from the two invisible glyphs.
    cid, advance = b"<0000>", widths.get(0, 0.0) * size / 1000
    left, right = min(g[0] for g in glyphs), max(g[0] + g[3] for g in glyphs)
    head = [b"3 Tr", _num(left) + b" " + _num(base) + b" Td " + cid + b" Tj", _num(-left) + b" " + _num(-base) + b" Td",
            b"0 Tr"]
    tail = [b"3 Tr", _num(right - advance - x) + b" " + _num(base - y) + b" Td " + cid + b" Tj", b"0 Tr"]
    return head + block[:len(glyphs)] + tail + block[len(glyphs):]


_TF = re.compile(rb"^/(\S+) (\d*\.?\d+) Tf")


def rewrite(content: bytes, runs: dict[int, str], seen: set[int],
            widths: dict[str, dict[int, float]] | None = None) -> bytes:
    """One page's content stream with its marked text objects wrapped in ActualText spans.

    Qt draws each text item as ``q [… cm] /CSp cs R G B scn /GSa gs BT /F Tf Tm (x y Td <g> Tj)… ET Q``;
    a run can take several items (a font change inside a word): the first carries the run's
    text, the rest an empty ActualText, so nothing is read twice. `seen` spans pages (a run
    split by a page break).
    """
    lines = content.split(b"\n")
    groups: dict[int, tuple[bytes, int, int]] = {}  # index of "q" -> (span, index of "BT", index of "Q")
    for index, line in enumerate(lines):
        number = _marker(line)
        if number is None:
            continue
        lines[index] = b"0 0 0 " + line.rsplit(b" ", 1)[1]
        if line.endswith(b"SCN") or number not in runs:
            continue
        start = index - 1  # back over the colour space and any transformation to the item's "q"
        while start > 0 and (lines[start] == b"/CSp cs" or lines[start].endswith(b" cm")):
            start -= 1
        if lines[start] != b"q" or b"ET" not in lines[index:] or b"BT" not in lines[index:]:
            continue
        bt, et = lines.index(b"BT", index), lines.index(b"ET", index)
        if not bt < et or et + 1 >= len(lines) or lines[et + 1] != b"Q" or bt + 2 > et:
            continue
        text = "" if number in seen else _reading_order(runs[number])
        seen.add(number)
        groups[start] = (b"/Span << /ActualText " + (_utf16(text) if text else b"<>") + b" >> BDC", bt, et + 1)
    if not groups:
        return b"\n".join(lines)
    out: list[bytes] = []
    index = 0
    for start in sorted(groups):
        span, bt, end = groups[start]
        if start < index:  # overlapping: not Qt's shape, leave it as drawn
            continue
        # Inside the text object: where the span ends, the reader still has the item's font,
        # size and transformation (after "Q" it would place the text with the page's).
        font = _TF.match(lines[bt + 1])
        # Qt's synthesized bold draws the glyphs twice, the second pass in an empty ActualText
        # span of its own: inside ours it would blank the run out (the innermost span wins).
        block = [line for line in lines[bt + 2:end - 1] if line not in (b"/Span << /ActualText <> >> BDC", b"EMC")]
        if font:
            block = _level(block, float(font[2]), (widths or {}).get(font[1].decode(), {}))
        out += lines[index:bt + 2] + [span] + block + [b"EMC", b"ET", b"Q"]
        index = end + 1
    out += lines[index:]
    return b"\n".join(out)


def add_actual_text(path: pathlib.Path, marks: Marks) -> None:
    """Rewrite the PDF at `path` in place with the ActualText of every marked run."""
    if not marks.runs:
        return
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream

    writer = PdfWriter(clone_from=PdfReader(str(path)))
    seen: set[int] = set()
    for page in writer.pages:
        contents = page.get_contents()
        if contents is None:
            continue
        fonts = page.get("/Resources", {}).get("/Font", {})
        widths = {str(name)[1:]: _widths(font.get_object()) for name, font in fonts.items()}
        stream = ContentStream(None, writer)
        stream.set_data(rewrite(contents.get_data(), marks.runs, seen, widths))
        page.replace_contents(stream)
        page.compress_content_streams()
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as out:
        writer.write(out)
    tmp.replace(path)
