"""The report as a PDF, laid out by Qt (offscreen): Qt shapes every script, Urdu and Gujarati included.

Safe off the GUI thread (QTextDocument, QPainter on a QPdfWriter); a Q(Gui)Application must
exist, and `ensure_application()` makes an offscreen one for the CLI. Every page carries the
run id and "page x of y". Each line is on one page only (`paginate`): none is cut by a page's
edge, none is in the PDF twice.
"""

from __future__ import annotations

import html
import logging
import math
import os
import pathlib
from typing import Any

from app.report import document as report_document
from app.report import pdf_text
from app.storage import paths

PAGE_DPI = 96
# Shipped in resources/fonts (SIL OFL): the same page on every laptop, and the scripts a laptop
# may lack: Urdu (Nastaliq, Naskh), Gujarati, Gurmukhi (Punjabi). Swahili is Latin.
FAMILIES = ["Noto Sans", "Noto Nastaliq Urdu", "Noto Naskh Arabic", "Noto Sans Gujarati", "Noto Sans Gurmukhi"]
MARGIN = 48  # px at 96 dpi: half an inch
IMAGE_KINDS = ("photo", "signature")  # attachments shown as pictures; the others (console logs) are listed by name
LAYOUT_ROUNDS = 1000  # paginate's rounds: one splits, the next finds nothing (more only if the layout moves)

log = logging.getLogger(__name__)


def ensure_application() -> None:
    """Headless callers (serve --plan, report): an offscreen QGuiApplication, in the main thread."""
    from PySide6 import QtGui

    if QtGui.QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        ensure_application.app = QtGui.QGuiApplication([])  # type: ignore[attr-defined]
    _load_fonts()


_fonts_loaded = False


def _load_fonts() -> None:
    """The fonts shipped in resources/fonts (scripts a laptop may lack: Arabic/Urdu, Gujarati, Gurmukhi)."""
    global _fonts_loaded
    if _fonts_loaded:
        return
    from PySide6 import QtGui

    folder = paths.resources("fonts")
    if folder.is_dir():
        for font in sorted(folder.glob("*.[ot]tf")):
            QtGui.QFontDatabase.addApplicationFont(str(font))
    _fonts_loaded = True


def _e(value: Any) -> str:
    return html.escape(str(value))


def _colour(verdict: str) -> str:
    return {"PASSED": "#2e7d32", "FAILED": "#c62828", "N/A": "#616161", "SKIPPED": "#616161"}.get(verdict, "#b26a00")


def _resource(attachment: dict[str, Any]) -> str:
    return "attachment://" + pathlib.Path(attachment["file"]).name


def html_of(report: dict[str, Any], plot: bool, marks: pdf_text.Marks | None = None) -> str:
    """The report as HTML for QTextDocument; with `marks`, text Qt cannot map back is marked (see pdf_text)."""
    t = marks.text if marks is not None else _e
    run, charger = report["run"], report["charger"]
    verdict = run["outcome"].upper()
    rows = [("Charger", run["charger_id"]), ("Vendor / model", " ".join(
        p for p in (charger.get("vendor", ""), charger.get("model", "")) if p)),
        ("Serial", charger.get("serial", "")), ("Firmware", charger.get("firmware", "")),
        ("OCPP", run["ocpp_version"]), ("CSMS URL", run["csms_url"]), ("Site", run["site"]),
        ("Technician", run["technician"]), ("Checklist", run["template_name"] or run["template"]),
        ("Started", run["started"]), ("Ended", run["ended"]), ("Run", run["id"])]
    rows += [(k.capitalize(), v) for k, v in charger.items() if k not in ("vendor", "model", "serial", "firmware") and v]
    parts = [
        "<html><body style='font-size: 10pt;'>",
        "<h1 style='font-size: 18pt;'>Commissioning report</h1>",
        f"<p style='font-size: 16pt; color: {_colour('PASSED' if verdict == 'PASSED' else 'FAILED' if verdict == 'FAILED' else 'OPEN')};'>"
        f"<b>Verdict: {t(verdict)}</b></p>",
        "<table cellspacing='0' cellpadding='3'>",
        *[f"<tr><td><b>{t(k)}</b></td><td>{t(v) or '—'}</td></tr>" for k, v in rows],
        "</table>",
        "<h2 style='font-size: 13pt;'>Steps</h2>",
        "<table border='1' cellspacing='0' cellpadding='3' width='100%'>",
        # A value says its limits in words ("10.2 s (allowed 8.0–12.0 s)"): no column of bare limits.
        "<thead><tr><th width='23%'>Step</th><th width='12%'>Verdict</th><th width='37%'>Value</th>"
        "<th width='18%'>Reason / note</th><th width='10%'>Time</th></tr></thead>",  # repeated on every page
    ]
    for step in report["steps"]:
        reason = "; ".join(p for p in (step["reason"], step.get("note", "")) if p)
        evidence = report_document.count(len(step["evidence"]), "frame") if step["evidence"] else ""
        parts.append(
            f"<tr><td>{t(step['title'])}</td>"
            f"<td style='color: {_colour(step['verdict'])}; white-space: nowrap;'><b>{t(step['verdict'])}</b></td>"
            f"<td>{t('; '.join(report_document.value_text(v) for v in step['values']))}</td>"
            f"<td>{t(reason)}</td><td>{t(step['ended'][11:19])}<br><small>{t(evidence)}</small></td></tr>")
    parts.append("</table>")
    if plot:
        charge = next(s for s in report["steps"] if s["key"] == "test_charge")
        parts += ["<h2 style='font-size: 13pt;'>Test charge</h2>", "<img src='plot://charge' width='640'>",
                  f"<p><b>{t(report_document.charge_caption(charge))}</b></p>"]
    photos = [a for a in report.get("attachments", []) if a["kind"] == "photo"]
    if photos:
        parts += ["<h2 style='font-size: 13pt;'>Photos</h2>", "<table cellspacing='6'><tr>"]
        for number, photo in enumerate(photos):
            if number and number % 3 == 0:
                parts.append("</tr><tr>")
            parts.append(f"<td><img src='{_e(_resource(photo))}' width='200'><br>{t(photo['label'])}</td>")
        parts.append("</tr></table>")
    signatures = [a for a in report.get("attachments", []) if a["kind"] == "signature"]
    if signatures:
        parts += ["<h2 style='font-size: 13pt;'>Signatures</h2>", "<table cellspacing='10'><tr>"]
        for signature in signatures:
            parts.append(f"<td><img src='{_e(_resource(signature))}' width='240'><br><b>{t(signature['label'])}"
                         f"</b>: {t(signature['name'])}<br>{t(signature.get('time', ''))}</td>")
        parts.append("</tr></table>")
    consoles = [a for a in report.get("attachments", []) if a["kind"] == "console_log"]
    if consoles:  # the logs themselves are kept beside the run (and named in the JSON), too long for the page
        parts += ["<h2 style='font-size: 13pt;'>Console sessions</h2>", "<table cellspacing='0' cellpadding='3'>"]
        parts += [f"<tr><td><b>{t(log['label'])}</b></td><td>{t(pathlib.Path(log['file']).name)}</td>"
                  f"<td>{t(log.get('time', ''))}</td></tr>" for log in consoles]
        parts.append("</table>")
    fields = {k: v for k, v in report["fields"].items() if v}
    if fields:
        parts += ["<h2 style='font-size: 13pt;'>Entries</h2>", "<table cellspacing='0' cellpadding='3'>"]
        parts += [f"<tr><td><b>{t(k)}</b></td><td>{t(v)}</td></tr>" for k, v in fields.items()]
        parts.append("</table>")
    config = report.get("configuration") or {}
    if config.get("changes") or config.get("at_end"):
        parts.append("<h2 style='font-size: 13pt;'>Configuration</h2>")
        if config.get("changes"):
            parts += ["<p><b>Changed during the run</b></p>", "<table border='1' cellspacing='0' cellpadding='3'>",
                      "<tr><th>Setting</th><th>Old</th><th>New</th><th>Time</th></tr>"]
            parts += [f"<tr><td>{t(c['name'])}</td><td>{t(c['old'])}</td><td>{t(c['new'])}</td>"
                      f"<td>{t(c.get('time', '')[11:19])}</td></tr>" for c in config["changes"]]
            parts.append("</table>")
        if config.get("at_end"):
            parts += ["<p><b>At the end of the run</b></p>",
                      "<table cellspacing='0' cellpadding='1' style='font-size: 8pt;'>"]
            parts += [f"<tr><td>{t(k)}</td><td>&nbsp;{t(v)}</td></tr>" for k, v in config["at_end"].items()]
            parts.append("</table>")
    trace = report["trace"]
    outside = trace.get("frames_outside_run", 0)
    cited = f", {outside} of them from outside the run, cited as evidence" if outside else ""
    parts += ["<h2 style='font-size: 13pt;'>OCPP trace</h2>",
              f"<p>{t(report_document.count(trace['frames'], 'frame'))} in {t(trace['file'])}{t(cited)}"
              " (secrets masked).<br>"
              f"SHA-256: <span style='font-family: monospace;'>{t(trace['sha256'])}</span></p>",
              f"<p style='color: #555;'>{t(report['generator'])}</p>", "</body></html>"]
    return "\n".join(parts)


def _axis(top: float, ticks: int = 4) -> tuple[float, list[float]]:
    """An axis from 0 to a round number at or above `top`, and its ticks (1, 2, 2.5 or 5 times a power of ten apart)."""
    top = top if top > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(top / ticks))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= top / ticks * (1 - 1e-9))
    count = math.ceil(top / step - 1e-9)
    return step * count, [step * i for i in range(count + 1)]


def _plot(series: list[list[float]], width: int = 640, height: int = 240, scale: int = 2):
    """Power (kW) and energy delivered (kWh) of the test charge over time, as an image.

    Both axes start at 0: power from the lowest reading would make a steady 7.2 kW look like a
    sawtooth. Drawn at `scale` times the size the page shows, so it stays sharp when printed.
    """
    from PySide6 import QtCore, QtGui

    image = QtGui.QImage(width * scale, height * scale, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    painter.scale(scale, scale)
    font = QtGui.QFont(FAMILIES[0])
    font.setPixelSize(11)
    painter.setFont(font)
    left, right, top, bottom = 62, width - 70, 24, height - 40
    align = QtCore.Qt.AlignmentFlag
    seconds = [(p[0] - series[0][0]) / 1000 for p in series]
    minutes = seconds[-1] > 180  # a long session reads in minutes
    times = [t / 60 for t in seconds] if minutes else seconds
    time_end, time_ticks = _axis(times[-1], 6)
    power = [p[1] / 1000 for p in series]
    energy = [(p[2] - series[0][2]) / 1000 for p in series]  # delivered in the session, not the meter's register
    power_end, power_ticks = _axis(max(power))
    energy_end, energy_ticks = _axis(max(energy))

    def x(t: float) -> float:
        return left + t / time_end * (right - left)

    def y(v: float, end: float) -> float:
        return bottom - v / end * (bottom - top)

    for tick in power_ticks:  # the grid is the power axis's; energy has its ticks on the right
        painter.setPen(QtGui.QPen(QtGui.QColor("#e0e0e0" if tick else "#999"), 1))
        painter.drawLine(QtCore.QPointF(left, y(tick, power_end)), QtCore.QPointF(right, y(tick, power_end)))
    painter.setPen(QtGui.QPen(QtGui.QColor("#999"), 1))
    painter.drawRect(QtCore.QRectF(left, top, right - left, bottom - top))
    painter.setPen(QtGui.QColor("#333"))
    for tick in time_ticks:
        painter.drawLine(QtCore.QPointF(x(tick), bottom), QtCore.QPointF(x(tick), bottom + 4))
        painter.drawText(QtCore.QRectF(x(tick) - 30, bottom + 5, 60, 14), align.AlignHCenter, f"{tick:g}")
    painter.drawText(QtCore.QRectF(left, bottom + 20, right - left, 16), align.AlignHCenter,
                     "Time since the start (min)" if minutes else "Time since the start (s)")
    for values, end, ticks, colour, label, on_left in (
            (power, power_end, power_ticks, "#1565c0", "Power (kW)", True),
            (energy, energy_end, energy_ticks, "#2e7d32", "Energy delivered (kWh)", False)):
        painter.setPen(QtGui.QColor(colour))
        for tick in ticks:
            edge = left if on_left else right
            painter.drawLine(QtCore.QPointF(edge, y(tick, end)), QtCore.QPointF(edge + (-4 if on_left else 4), y(tick, end)))
            box = (QtCore.QRectF(left - 42, y(tick, end) - 7, 36, 14) if on_left
                   else QtCore.QRectF(right + 6, y(tick, end) - 7, 36, 14))
            painter.drawText(box, (align.AlignRight if on_left else align.AlignLeft) | align.AlignVCenter, f"{tick:g}")
        painter.save()  # the axis's name, turned to run along it
        painter.translate(12 if on_left else width - 12, (top + bottom) / 2)
        painter.rotate(-90 if on_left else 90)
        painter.drawText(QtCore.QRectF(-(bottom - top) / 2, -8, bottom - top, 16), align.AlignCenter, label)
        painter.restore()
        painter.setPen(QtGui.QPen(QtGui.QColor(colour), 2))
        painter.drawPolyline([QtCore.QPointF(x(t), y(v, end)) for t, v in zip(times, values)])
    for offset, (colour, label) in ((0, ("#1565c0", "power")), (90, ("#2e7d32", "energy delivered"))):
        painter.setPen(QtGui.QPen(QtGui.QColor(colour), 2))
        painter.drawLine(QtCore.QPointF(left + offset, 12), QtCore.QPointF(left + offset + 16, 12))
        painter.setPen(QtGui.QColor("#333"))
        painter.drawText(QtCore.QRectF(left + offset + 20, 4, 120, 16), align.AlignLeft | align.AlignVCenter, label)
    painter.end()
    return image


def _line_pages(document, block) -> list[tuple[int, int]]:
    """(page number, text position) of each line of `block`, as the document's layout placed it."""
    layout = block.layout()
    # The layout's origin in document coordinates (its lines' y are from there; a line Qt pushed
    # to the next page has a larger y, the bounding rectangle's top is still the origin).
    origin = document.documentLayout().blockBoundingRect(block).y()
    height = document.pageSize().height()
    out = []
    for index in range(layout.lineCount()):
        line = layout.lineAt(index)
        middle = origin + line.y() + line.height() / 2  # a line never crosses a page: Qt pushed it down
        out.append((int(middle // height), block.position() + line.textStart()))
    return out


def paginate(document) -> int:
    """Split each block that a page break cuts into one block per page; the number of pages.

    QTextDocument (with a page size) already moves a line that would cross a page's bottom to the
    next page, but drawing a page cannot leave out the lines of a block that are on another:
    QTextLayout::draw also draws the last line above its clip rectangle (qtextlayout.cpp,
    `firstLine = i`), and the PDF engine writes clipped text all the same. So the last line of a
    page came again, hidden, at the top of the next, and pdftotext, search and copy read it twice.
    Once no block spans two pages, a page draws exactly its own lines (see `_draw_page`).

    The cut is a paragraph break where the layout broke the line: the first part loses its bottom
    margin, the second its top margin and first-line indent, both keep the direction the whole
    paragraph had, so nothing on the page moves.

    A layout that does not settle within LAYOUT_ROUNDS is logged as a warning and drawn as it is:
    every line is in the PDF, a line at the top of a page perhaps twice (better than no report).
    """
    for _ in range(LAYOUT_ROUNDS):  # each round splits every cut block; a second round only if the layout moved
        cuts = _cuts(document)
        if not cuts:
            break
        _split(document, cuts)
    else:
        left = _cuts(document)
        if left:  # drawn all the same: every line is in the PDF, a line at a page's top may be there twice
            log.warning("the report's layout did not settle in %d rounds: %s still cut by a page break; "
                        "a line at the top of a page may be in the PDF twice", LAYOUT_ROUNDS,
                        report_document.count(len(left), "paragraph"))
    return document.pageCount()


def _cuts(document) -> list[int]:
    """The text positions where a page break falls inside a block: the first line on the next page."""
    cuts: list[int] = []
    block = document.begin()
    while block.isValid():
        lines = _line_pages(document, block)
        cuts += [position for (page, position), (before, _) in zip(lines[1:], lines) if page != before]
        block = block.next()
    return cuts


def _split(document, cuts: list[int]) -> None:
    """A paragraph break at each of `cuts` (see `paginate`)."""
    from PySide6 import QtGui

    cursor = QtGui.QTextCursor(document)
    cursor.beginEditBlock()
    for position in reversed(cuts):  # from the end: the positions before stay valid
        cursor.setPosition(position)
        block = cursor.block()
        whole = QtGui.QTextBlockFormat(block.blockFormat())
        whole.setLayoutDirection(block.textDirection())
        first, second = QtGui.QTextBlockFormat(whole), QtGui.QTextBlockFormat(whole)
        first.setBottomMargin(0)
        second.setTopMargin(0)
        second.setTextIndent(0)
        cursor.setBlockFormat(first)
        if document.characterAt(position - 1) == "\u2028":  # a <br>: the paragraph break replaces it
            cursor.deletePreviousChar()
        cursor.insertBlock(second)
    cursor.endEditBlock()


def _draw_page(document, painter, number: int) -> None:
    """Page `number` of a paginated document, the painter translated to the page's top.

    The clip is the page; what is drawn is decided 0.5 px inside it, so a block that ends where
    the page begins (or begins where it ends) is not drawn again here (Qt counts a touch as inside).
    """
    from PySide6 import QtCore, QtGui

    size = document.pageSize()
    page = QtCore.QRectF(0, number * size.height(), size.width(), size.height())
    context = QtGui.QAbstractTextDocumentLayout.PaintContext()
    context.clip = page.adjusted(0, 0.5, 0, -0.5)
    painter.setClipRect(page)
    document.documentLayout().draw(painter, context)


def write(report: dict[str, Any], out: pathlib.Path) -> int:
    """Render the PDF; the number of pages. From any thread.

    Qt's text layout starts timers, which need the thread's event dispatcher: a plain Python
    worker thread (asyncio.to_thread) has none, so the work then runs in a QThread of its own.
    """
    from PySide6 import QtCore

    if QtCore.QAbstractEventDispatcher.instance() is not None:
        return _write(report, out)
    outcome: dict[str, Any] = {}

    class Renderer(QtCore.QThread):
        def run(self) -> None:  # noqa: D102 (Qt API)
            try:
                outcome["pages"] = _write(report, out)
            except BaseException as exc:  # handed back to the caller's thread
                outcome["error"] = exc

    renderer = Renderer()
    renderer.start()
    renderer.wait()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["pages"]


def _write(report: dict[str, Any], out: pathlib.Path) -> int:
    from PySide6 import QtCore, QtGui

    _load_fonts()
    series = next((s["series"] for s in report["steps"] if s["key"] == "test_charge" and len(s["series"]) >= 2), None)
    writer = QtGui.QPdfWriter(str(out))
    writer.setResolution(PAGE_DPI)
    writer.setPageSize(QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A4))
    writer.setPageMargins(QtCore.QMarginsF(0, 0, 0, 0))
    writer.setTitle(f"Commissioning report {report['run']['charger_id']} {report['run']['id']}")
    writer.setCreator(report["generator"])
    page = writer.pageLayout().paintRectPixels(PAGE_DPI)
    body = QtCore.QSizeF(page.width() - 2 * MARGIN, page.height() - 2 * MARGIN - 24)
    document = QtGui.QTextDocument()
    document.setDocumentMargin(0)
    font = QtGui.QFont(document.defaultFont())
    font.setFamilies(FAMILIES)
    font.setPointSizeF(10)
    for tag in ("liga", "clig"):  # no "ﬁ" ligatures: the PDF's text must read back as typed
        font.setFeature(QtGui.QFont.Tag(tag), 0)
    document.setDefaultFont(font)
    document.setPageSize(body)
    if series:
        document.addResource(QtGui.QTextDocument.ResourceType.ImageResource, QtCore.QUrl("plot://charge"), _plot(series))
    for attachment in report.get("attachments", []):
        if attachment["kind"] not in IMAGE_KINDS:  # a console log is text: listed, never decoded as a picture
            continue
        image = QtGui.QImage(attachment["file"])
        if image.isNull():  # a photo that cannot be read is named, not fatal
            attachment["label"] += " (the image cannot be read)"
            continue
        # A 12-megapixel photo is scaled to what the page shows: the PDF stays small and quick.
        image = image.scaledToWidth(min(image.width(), 600), QtCore.Qt.TransformationMode.SmoothTransformation)
        document.addResource(QtGui.QTextDocument.ResourceType.ImageResource, QtCore.QUrl(_resource(attachment)), image)
    marks = pdf_text.Marks()
    document.setHtml(html_of(report, plot=bool(series), marks=marks))
    pages = paginate(document)
    painter = QtGui.QPainter(writer)
    try:
        for number in range(pages):
            if number:
                writer.newPage()
            painter.save()
            painter.translate(MARGIN, MARGIN - number * body.height())
            _draw_page(document, painter, number)
            painter.restore()
            painter.setPen(QtGui.QColor("#555"))
            painter.drawText(QtCore.QRectF(MARGIN, page.height() - MARGIN - 18, body.width(), 18),
                             QtCore.Qt.AlignmentFlag.AlignRight,
                             f"Run {report['run']['id']} · {report['run']['charger_id']} · page {number + 1} of {pages}")
    finally:
        painter.end()
    pdf_text.add_actual_text(out, marks)  # Urdu, Gujarati, Gurmukhi read back as typed
    return pages
