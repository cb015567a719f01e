"""Shared layout of the SealBid PDFs: styles, cells, the QR code, times, and a deterministic build.

    fonts = load_fonts()
    st = Styles.for_fonts(fonts)
    story = [st.p("开标记录表", st.title), ...]
    pdf = build_pdf(story, meta=PdfMeta(title=..., created=issued_at, seed=record_sha256),
                    pagesize=landscape(A4), footer=lambda c, page, total: ...)

Determinism (style rule 20): reportlab's invariant mode, the creation date injected from the
document's own time (never the clock), and a document ID derived from ``seed`` (reportlab's
invariant ID would otherwise be the same for every PDF). Page "x of y" needs the total before
the footers are drawn: the canvas keeps each page until ``save`` and draws the footers then.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from reportlab.graphics.barcode.qr import QrCode  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    TableStyle,
)

from sealbid import money
from sealbid.errors import SealBidError

from .fonts import FontSet, _missing_sink

__all__ = [
    "CST",
    "GRID",
    "HEADER_BG",
    "Cell",
    "PdfMeta",
    "Styles",
    "build_pdf",
    "cst",
    "draw_footer",
    "draw_text",
    "frame_style",
    "grid_style",
    "money_lines",
    "qr_flowable",
]

CST = timezone(timedelta(hours=8), "CST")
"""China Standard Time: every time is stored in UTC and shown in this zone, named."""
ZONE_NOTE = "北京时间 (UTC+8)"

GRID = colors.HexColor("#404040")
HEADER_BG = colors.HexColor("#e4e8ee")
LABEL_BG = colors.HexColor("#f3f4f6")
MUTED = colors.HexColor("#555555")


def parse_time(value: Any) -> datetime | None:
    """A UTC time from the record (``2026-11-26T02:31:22Z``, with or without fraction) or a
    datetime; None for None or an empty string."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def cst(value: Any, *, seconds: bool = True, missing: str = "—") -> str:
    """A record time in China Standard Time: ``2026-11-26 10:31:22``. Text that is not a time
    is shown as it is (a record is shown as it says, not silently cleaned)."""
    when = parse_time(value)
    if when is None:
        return missing if value in (None, "") else str(value)
    return when.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def money_lines(value: Any, unit: str | None, text: str | None) -> tuple[str, str | None]:
    """A money value as (figures with unit, 大写 line or None).

    ``text`` is the record's ``summary_text`` entry (what was read out and signed); it is
    preferred, and split at its 大写 part. Without it the value is formatted here; a value that
    is not an amount is shown as it is.
    """
    if text:
        head, sep, tail = text.partition("（大写：")
        if sep:
            return head.strip(), "大写：" + tail.rstrip("）")
        return text, None
    try:
        shown = money.display(str(value), unit)
    except SealBidError:
        return (f"{value} {unit or ''}".strip(), None)
    head, _, tail = shown.partition("（大写：")
    return head.strip(), "大写：" + tail.rstrip("）")


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of every document, for one font set."""

    fonts: FontSet
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_right: ParagraphStyle
    head: ParagraphStyle
    label: ParagraphStyle
    mono: ParagraphStyle
    mono_small: ParagraphStyle
    note: ParagraphStyle

    @classmethod
    def for_fonts(cls, fonts: FontSet, *, cell_size: float = 7.5) -> Styles:
        main, mono = fonts.main, fonts.mono

        def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
            kw.setdefault("fontName", main)
            kw.setdefault("leading", round(size * 1.3, 2))
            # CJK text breaks between any two characters (reportlab's CJK wrapping).
            kw.setdefault("wordWrap", "CJK")
            return ParagraphStyle(name, fontSize=size, **kw)

        return cls(
            fonts=fonts,
            title=style("title", 20, alignment=TA_CENTER, leading=26, spaceAfter=2),
            subtitle=style("subtitle", 9, alignment=TA_CENTER, textColor=MUTED),
            h2=style("h2", 11.5, spaceBefore=8, spaceAfter=4, leading=15),
            body=style("body", 9),
            small=style("small", 7, textColor=MUTED),
            cell=style("cell", cell_size),
            cell_center=style("cell_center", cell_size, alignment=TA_CENTER),
            cell_right=style("cell_right", cell_size, alignment=TA_RIGHT),
            head=style("head", cell_size, alignment=TA_CENTER),
            label=style("label", cell_size + 0.5, alignment=TA_LEFT),
            mono=style("mono", cell_size, fontName=mono),
            mono_small=style("mono_small", cell_size - 1.5, fontName=mono),
            note=style("note", 8, textColor=MUTED),
        )

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of plain text (escaped, split by font)."""
        st = style or self.cell
        return Paragraph(self.fonts.markup(text, font=st.fontName), st)

    def c(self, text: str, style: ParagraphStyle | None = None) -> Cell:
        """A table cell of plain text (see :class:`Cell`)."""
        return Cell(self.fonts, [(text, style or self.cell)])

    def cl(
        self, parts: Sequence[tuple[str, ParagraphStyle | None] | str], style: ParagraphStyle
    ) -> Cell:
        """A table cell of several lines, each in ``style`` or its own (smaller, mono) one;
        the alignment is ``style``'s."""
        out: list[tuple[str, ParagraphStyle]] = []
        for part in parts:
            text, st = (part, None) if isinstance(part, str) else part
            if not text:
                continue
            if st is not None and st.alignment != style.alignment:
                st = ParagraphStyle(
                    st.name + "_" + str(style.alignment), parent=st, alignment=style.alignment
                )
            out.append((text, st or style))
        return Cell(self.fonts, out)

    def lines(
        self, parts: Sequence[tuple[str, ParagraphStyle | None] | str], style: ParagraphStyle
    ) -> Paragraph:
        """One paragraph of several lines, each plain text, optionally in its own smaller or
        monospaced style (as ``<font>`` markup), separated by line breaks."""
        out: list[str] = []
        for part in parts:
            text, st = (part, None) if isinstance(part, str) else part
            if not text:
                continue
            if st is None or st is style:
                out.append(self.fonts.markup(text, font=style.fontName))
            else:
                inner = self.fonts.markup(text, font=st.fontName)
                color = f' color="{st.textColor.hexval()}"' if st.textColor != colors.black else ""
                out.append(f'<font name="{st.fontName}" size="{st.fontSize}"{color}>{inner}</font>')
        return Paragraph("<br/>".join(out), style)


_NO_LINE_START = set("，。、；：？！）》」』】〕,.;:?!)]}%")
_widths: dict[tuple[str, float], dict[str, float]] = {}


def _char_width(font: str, size: float, char: str) -> float:
    table = _widths.setdefault((font, size), {})
    w = table.get(char)
    if w is None:
        w = table[char] = stringWidth(char, font, size)
    return w


class Cell(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Lines of plain text for a table cell: a light, fast stand-in for Paragraph.

    A 500-bidder record has some 9,000 cells; reportlab's CJK paragraph wrapping costs about
    half a millisecond each, every time the table is measured or split. This cell wraps once
    per width (CJK text breaks between any characters, Latin text at spaces where it can,
    closing punctuation never starts a line), draws each run in the font that has its glyphs,
    and shows characters no font has as ``□U+XXXX`` (reported like :meth:`FontSet.markup`).
    """

    def __init__(self, fonts: FontSet, parts: Sequence[tuple[str, ParagraphStyle]]) -> None:
        super().__init__()
        self._fonts = fonts
        sink = _missing_sink()
        self._parts: list[tuple[list[tuple[str, str]], ParagraphStyle]] = []
        for text, style in parts:
            for line in text.replace("\r\n", "\n").split("\n"):
                runs: list[tuple[str, str]] = []
                for name, chars in fonts.runs(line):
                    if name is None:
                        if sink is not None:
                            sink.update(chars)
                        runs.append((fonts.main, "".join(f"□U+{ord(c):04X}" for c in chars)))
                    else:
                        # Paragraph-level font for the main font's runs (the mono style).
                        use = style.fontName if name == fonts.main else name
                        runs.append((use, chars))
                self._parts.append((runs, style))
        self._laid: list[tuple[list[tuple[str, str, float]], ParagraphStyle, float]] = []
        self._for_width = -1.0

    def _layout(self, width: float) -> None:
        laid: list[tuple[list[tuple[str, str, float]], ParagraphStyle, float]] = []
        for runs, style in self._parts:
            size = style.fontSize
            chars = [(f, c, _char_width(f, size, c)) for f, text in runs for c in text]
            line: list[tuple[str, str, float]] = []
            used = 0.0
            for item in chars:
                _, c, w = item
                if line and used + w > width:
                    if c == " ":
                        laid.append(_joined(line, style))
                        line, used = [], 0.0
                        continue
                    cut = len(line)
                    if c in _NO_LINE_START and len(line) > 1:
                        cut = len(line) - 1
                    elif c.isascii() and c.isalnum():
                        # A Latin word moves whole to the next line when it can.
                        j = len(line)
                        while j > 0 and line[j - 1][1].isascii() and line[j - 1][1] != " ":
                            j -= 1
                        if 0 < j < len(line) and line[j - 1][1] == " ":
                            cut = j
                    laid.append(_joined(line[:cut], style))
                    line = [x for x in line[cut:]]
                    while line and line[0][1] == " ":
                        line.pop(0)
                    used = sum(x[2] for x in line)
                line.append(item)
                used += w
            laid.append(_joined(line, style))
        self._laid = laid
        self._for_width = width

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if avail_width != self._for_width:
            self._layout(avail_width)
        self.width = avail_width
        self.height = sum(style.leading for _, style, _ in self._laid)
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        y = self.height
        for runs, style, width in self._laid:
            y -= style.leading
            if style.alignment == TA_CENTER:
                x = (self.width - width) / 2
            elif style.alignment == TA_RIGHT:
                x = self.width - width
            else:
                x = 0.0
            canv.setFillColor(style.textColor)
            baseline = y + (style.leading - style.fontSize) / 2 + style.fontSize * 0.2
            for font, text, w in runs:
                canv.setFont(font, style.fontSize)
                canv.drawString(x, baseline, text)
                x += w


def _joined(
    line: list[tuple[str, str, float]], style: ParagraphStyle
) -> tuple[list[tuple[str, str, float]], ParagraphStyle, float]:
    runs: list[tuple[str, str, float]] = []
    for font, c, w in line:
        if runs and runs[-1][0] == font:
            f, t, tw = runs[-1]
            runs[-1] = (f, t + c, tw + w)
        else:
            runs.append((font, c, w))
    return runs, style, sum(r[2] for r in runs)


def grid_style(
    font: str, *, header_rows: int = 1, extra: Sequence[tuple[Any, ...]] = ()
) -> TableStyle:
    """The ruled look of an official form: a box, inner grid, a shaded header. ``font`` is for
    plain-string cells (the empty ones of a span): reportlab's default is Helvetica, which is
    not embedded."""
    cmds: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("BOX", (0, 0), (-1, -1), 0.9, GRID),
        ("INNERGRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header_rows:
        cmds.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_BG))
    cmds.extend(extra)
    return TableStyle(cmds)


def frame_style(font: str, *extra: tuple[Any, ...]) -> TableStyle:
    """A table used only to place things side by side: no rules, no padding."""
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            *extra,
        ]
    )


def qr_flowable(value: str, size: float = 30 * mm) -> Flowable:
    """A QR code (error correction M, quiet zone of 4 modules) as a flowable ``size`` wide.

    reportlab's flowable draws straight on the canvas; the graphics widget would go through a
    Drawing, whose default state sets Helvetica, a font that is not embedded."""
    return QrCode(value, width=size, height=size, qrLevel="M", qrBorder=4)


@dataclass(frozen=True)
class PdfMeta:
    """What goes into the PDF's document information, and the inputs of determinism."""

    title: str
    created: datetime
    """The document's own time (the record's closing or issue time): the PDF's creation date."""
    seed: str
    """Identifies the content (e.g. the record's SHA-256): the PDF's document ID derives from it."""
    subject: str = ""
    author: str = ""
    keywords: str = ""


Footer = Callable[[Any, int, int], None]
"""Draws a page's footer: (canvas, page number from 1, total pages)."""


def _pdf_date(when: datetime) -> Callable[..., str]:
    stamp = when.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")

    def formatter(*_: int) -> str:
        return stamp

    return formatter


def _canvas_maker(meta: PdfMeta, footer: Footer) -> type[Canvas]:
    class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
        """Keeps every page until save, then draws each footer with the page total."""

        def __init__(self, *args: Any, **kw: Any) -> None:
            kw["invariant"] = 1
            super().__init__(*args, **kw)
            self._pages: list[dict[str, Any]] = []
            self.setDateFormatter(_pdf_date(meta.created))
            # In invariant mode reportlab's document ID is the same constant for every PDF;
            # feed it the content's identity so each document gets its own, stable, ID.
            self._doc.updateSignature(hashlib.sha256(meta.seed.encode()).hexdigest())

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                footer(self, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return _NumberedCanvas


def build_pdf(
    story: list[Flowable],
    *,
    meta: PdfMeta,
    pagesize: tuple[float, float],
    footer: Footer,
    fonts: FontSet,
    margins: tuple[float, float, float, float] = (12 * mm, 12 * mm, 12 * mm, 16 * mm),
) -> bytes:
    """Lay out ``story`` and return the PDF's bytes. ``margins``: left, right, top, bottom."""
    left, right, top, bottom = margins
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=meta.title,
        author=meta.author,
        subject=meta.subject,
        keywords=meta.keywords,
        creator="SealBid",
        producer="SealBid (reportlab)",
        invariant=1,
        lang="zh-CN",
        # Never let reportlab's default Helvetica (a font that is not embedded) into the PDF.
        initialFontName=fonts.main,
        initialFontSize=9,
    )
    doc.build(story, canvasmaker=_canvas_maker(meta, footer))
    return out.getvalue()


def draw_text(
    canvas: Any,
    fonts: FontSet,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    align: str = "left",
) -> None:
    """Draw one line of plain text on the canvas, each run in the font that has its glyphs
    (characters no font has as ``□U+XXXX``, reported like :meth:`FontSet.markup` does)."""
    runs: list[tuple[str, str]] = []
    sink = _missing_sink()
    for name, chars in fonts.runs(text.replace("\n", " ")):
        if name is None:
            if sink is not None:
                sink.update(chars)
            runs.append((fonts.main, "".join(f"□U+{ord(c):04X}" for c in chars)))
        else:
            runs.append((name, chars))
    width = sum(stringWidth(chars, name, size) for name, chars in runs)
    if align == "right":
        x -= width
    elif align == "center":
        x -= width / 2
    for name, chars in runs:
        canvas.setFont(name, size)
        canvas.drawString(x, y, chars)
        x += stringWidth(chars, name, size)


def draw_footer(
    canvas: Any,
    *,
    fonts: FontSet,
    page: int,
    total: int,
    pagesize: tuple[float, float],
    left_text: str,
    margin: float = 12 * mm,
) -> None:
    """The common footer: a rule, ``left_text`` at the left, "第 x 页 共 y 页 / page x of y"
    at the right."""
    width, _ = pagesize
    y = 7 * mm
    canvas.saveState()
    canvas.setStrokeColor(GRID)
    canvas.setLineWidth(0.4)
    canvas.line(margin, y + 3.6 * mm, width - margin, y + 3.6 * mm)
    canvas.setFillColor(MUTED)
    draw_text(canvas, fonts, margin, y, left_text, 6.5)
    canvas.setFillColor(colors.black)
    draw_text(
        canvas,
        fonts,
        width - margin,
        y,
        f"第 {page} 页 共 {total} 页 / page {page} of {total}",
        8,
        align="right",
    )
    canvas.restoreState()
