"""The layout toolkit of the lab's PDFs (certificates, dossiers, bench sheets): palette and page geometry,
mixed Latin/CJK text, paragraph styles, tables, the QR panel, the page band and footer, and the assembly of
a document with "page x of y". Pure reportlab: no Django import, no document content.

Typography: Latin text and figures (and ≤ ≥ ± °) are set in the embedded Latin TrueType face, Chinese (and
symbols the Latin face lacks, such as ℃) in the embedded CJK face, both from ``certificates.fonts``; text is
split into runs per font. Characters neither font has (e.g. subscript digits in "P₂O₅") are drawn as real
subscripts in paragraphs, or as plain digits elsewhere.

Determinism: reportlab's invariant mode, fonts from the project's install, a vector QR code and the issue
date as creation date (``build_pdf(created=...)``), so the same context gives the same bytes on any machine.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import hashlib
import io
import time
import unicodedata
from xml.sax.saxutils import escape

import qrcode
import qrcode.constants
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as _RLTable
from reportlab.platypus.tables import CellStyle

from .fonts import LATIN_BOLD, LATIN_FONT, has_glyph, register_fonts


class Table(_RLTable):
    """reportlab's Table with the embedded Latin face as every cell's default font,
    and no body row left alone on either side of a page break.

    reportlab sets each cell's font before drawing it, by default Helvetica,
    a base-14 font that is never embedded; a table's own FONT commands still win.
    """

    KEEP_ROWS = 2  # body rows that stay together at the top and the bottom of a page

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in self._cellStyles:
            for cell in row:
                if cell.fontname == CellStyle.fontname:
                    cell.fontname = LATIN_FONT

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        if len(parts) != 2:
            return parts
        rows = len(self._cellvalues)
        head = self.repeatRows if isinstance(self.repeatRows, int) else max(self.repeatRows) + 1
        cut = len(parts[0]._cellvalues)  # rows staying on this page, header included
        if cut - head < self.KEEP_ROWS:  # one row alone at the bottom: move the table on
            return []
        if rows - cut >= self.KEEP_ROWS:
            return parts
        cut = rows - self.KEEP_ROWS  # break earlier, so the next page gets KEEP_ROWS rows
        if cut - head < self.KEEP_ROWS:
            return []
        again = super().split(availWidth, sum(self._rowHeights[:cut]) + 1e-3)
        return again if len(again) == 2 else parts


BRAND = colors.HexColor("#1d4d4f")  # header band, headings


BRAND_LIGHT = colors.HexColor("#e4eeed")  # table header background


ZEBRA = colors.HexColor("#f5f8f8")


GRID = colors.HexColor("#b3c2c0")


INK = colors.HexColor("#1f2a2a")


MUTED = colors.HexColor("#5c6b6a")


WHITE = colors.white


TONES = {  # (text/border colour, background)
    "good": (colors.HexColor("#1b6e20"), colors.HexColor("#e3f2e4")),
    "bad": (colors.HexColor("#b3261e"), colors.HexColor("#fbe6e4")),
    "warn": (colors.HexColor("#8a5300"), colors.HexColor("#fff1d1")),
    "neutral": (colors.HexColor("#4f5b5a"), colors.HexColor("#eef1f1")),
}


PAGE_W, PAGE_H = A4


MARGIN_X = 16 * mm


BAND_H = 21 * mm


TOP = BAND_H + 7 * mm


BOTTOM = 19 * mm


FRAME_W = PAGE_W - 2 * MARGIN_X


DASH = "—"


STATUS = {
    "pass": ("合格", "Pass", "good"),
    "fail": ("不合格", "Fail", "bad"),
    "conditional": ("有條件/需判讀", "Conditional", "warn"),
    "incomplete": ("資料不全", "Incomplete", "warn"),
    "missing": ("缺少數據", "Missing", "warn"),
    "invalid": ("無效", "Invalid", "warn"),
    "mature": ("腐熟", "Mature", "good"),
    "intermediate": ("中度腐熟", "Intermediate", "warn"),
    "immature": ("未腐熟", "Immature", "bad"),
    "very_mature": ("完全腐熟", "Very mature", "good"),
    "not_assessed": ("未判定", "Not assessed", "neutral"),
    "declared_ok": ("已聲明", "Declared", "neutral"),
    "no_limit": ("本版無限值", "No limit in this edition", "neutral"),
    "recorded": ("已提供", "Recorded", "good"),
    "awaiting_signature": ("待簽署", "Awaiting signature", "warn"),
}


def show(value) -> str:
    """Display string for an optional value."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return "是 Yes" if value else "否 No"
    value = str(value).strip()
    return value if value else DASH


def to_float(value):
    try:
        return float(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None


_SUBSCRIPTS = {chr(0x2080 + i): str(i) for i in range(10)}


# same meaning, in the Big5 / CNS repertoire (for fonts lacking the first)
_GLYPH_ALTERNATES = {"≤": "≦", "≥": "≧", "−": "-", "✓": "√"}


_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9"}


@functools.lru_cache(maxsize=4096)
def _latin_ok(ch: str) -> bool:
    if ch in "\n\t":
        return True
    return has_glyph(LATIN_FONT, ch) and has_glyph(LATIN_BOLD, ch)


class _Fonts:
    cjk: str = ""


def cjk_font() -> str:
    if not _Fonts.cjk:
        _Fonts.cjk = register_fonts()
    return _Fonts.cjk


@functools.lru_cache(maxsize=4096)
def _cjk_ok(font: str, ch: str) -> bool:
    return has_glyph(font, ch)


def segments(text: str, bold: bool = False, markup: bool = True) -> list[tuple[str, str, str]]:
    """Split ``text`` into (font, text, kind) runs; kind is '' or 'sub'/'sup'. (Do not change the list.)"""
    return _segments_in(text, bold, markup, cjk_font())


@functools.lru_cache(maxsize=8192)  # labels and values repeat on every document
def _segments_in(text: str, bold: bool, markup: bool, cjk: str) -> list[tuple[str, str, str]]:
    latin = LATIN_BOLD if bold else LATIN_FONT
    out: list[list] = []

    def add(font, s, kind=""):
        if out and out[-1][0] == font and out[-1][2] == kind:
            out[-1][1] += s
        else:
            out.append([font, s, kind])

    for ch in text:
        if _latin_ok(ch):
            add(latin, ch)
        elif _cjk_ok(cjk, ch):
            add(cjk, ch)
        elif ch in _GLYPH_ALTERNATES and _cjk_ok(cjk, _GLYPH_ALTERNATES[ch]):
            add(cjk, _GLYPH_ALTERNATES[ch])
        elif ch in _SUBSCRIPTS:
            add(latin, _SUBSCRIPTS[ch], "sub" if markup else "")
        elif ch in _SUPERSCRIPTS:
            add(latin, _SUPERSCRIPTS[ch], "sup" if markup else "")
        else:
            alt = unicodedata.normalize("NFKC", ch)
            if alt != ch and all(_latin_ok(c) or _cjk_ok(cjk, c) for c in alt):
                for c in alt:
                    add(latin if _latin_ok(c) else cjk, c)
            else:
                add(latin, "?")
    return [tuple(x) for x in out]


def tx(text, bold: bool = False) -> str:
    """Paragraph markup for plain ``text`` with per-run fonts (escaped)."""
    text = show(text) if not isinstance(text, str) else text
    return _markup_in(text, bold, cjk_font())


@functools.lru_cache(maxsize=8192)
def _markup_in(text: str, bold: bool, cjk: str) -> str:
    parts = []
    for font, s, kind in _segments_in(text, bold, True, cjk):
        s = escape(s).replace("\n", "<br/>")
        if kind:
            s = f"<{kind}>{s}</{kind}>"
        parts.append(f'<font name="{font}">{s}</font>')
    return "".join(parts)


def small(text, size=None, color=MUTED, bold=False) -> str:
    attrs = f' color="{color.hexval()}"' if color is not None else ""
    if size:
        attrs += f' size="{size}"'
    return f"<font{attrs}>{tx(text, bold)}</font>"


def bi(zh: str, en: str, en_size=None, sep="<br/>", bold=False) -> str:
    """Bilingual label: Chinese, then English in a muted (smaller) face."""
    if not zh:
        return tx(en, bold)
    return tx(zh, bold) + sep + small(en, en_size, bold=bold)


def draw_mixed(c, x, y, text, size, color=INK, align="left", bold=False):
    """Draw one line of mixed Latin/CJK text on a canvas; CJK runs faux-bold when bold."""
    segs = segments(text, bold, markup=False)
    width = sum(stringWidth(s, f, size) for f, s, _ in segs)
    if align == "right":
        x -= width
    elif align == "center":
        x -= width / 2
    cjk = cjk_font()
    c.saveState()
    c.setFillColor(color)
    c.setStrokeColor(color)
    for font, s, _ in segs:
        t = c.beginText(x, y)
        t.setFont(font, size)
        if bold and font == cjk:
            c.setLineWidth(size * 0.035)
            t.setTextRenderMode(2)
        t.textOut(s)
        c.drawText(t)
        x += stringWidth(s, font, size)
    c.restoreState()
    return width


def _style(name, size=8.5, leading=None, align=TA_LEFT, color=INK, **kw) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=LATIN_FONT,
        fontSize=size,
        leading=leading or size * 1.28,
        alignment=align,
        textColor=color,
        # Default (space) wrapping: reportlab's CJK mode may cut Latin words in
        # mixed text. Long runs without spaces (Chinese sentences, URLs) are
        # still broken by splitLongWords.
        splitLongWords=1,
        **kw,
    )


ST = {
    "body": _style("body", 8.5),
    "cell": _style("cell", 8),
    "cell_r": _style("cell_r", 8, align=TA_RIGHT),
    "cell_c": _style("cell_c", 8, align=TA_CENTER),
    "small": _style("small", 7, color=MUTED),
    "label": _style("label", 7.5, color=BRAND),
    "head": _style("head", 7.5, color=BRAND),
    "head_r": _style("head_r", 7.5, color=BRAND, align=TA_RIGHT),
    "head_c": _style("head_c", 7.5, color=BRAND, align=TA_CENTER),
    "note": _style("note", 7.3, color=MUTED, leading=9.6),
    "url": _style("url", 6.6, color=BRAND, align=TA_CENTER, leading=8),
    "verdict": _style("verdict", 15, leading=19),
    "verdict_md": _style("verdict_md", 11.5, leading=15),
}


class _Paragraph(Paragraph):
    """A Paragraph that breaks its lines once per markup, style and width, on every document.

    Tables wrap every cell two or three times (column widths, row heights, drawing), and the same labels
    come back on every certificate; the lines only depend on the markup, the style and the available width.
    Drawing only reads them. A split builds new paragraphs from the lines and this paragraph's own
    fragments, so a paragraph holding shared lines breaks its own before it splits, and lines about to
    be split are no longer shared. (``split`` also deletes ``blPara`` when the paragraph moves on whole:
    then wrap again.)
    """

    _wrapped_at = None
    _key = None  # (markup, style) when made by P
    _shared = False  # self.blPara is the one in _BROKEN

    def wrap(self, availWidth, availHeight):
        if self._wrapped_at == availWidth and "blPara" in self.__dict__:
            return self.width, self.height
        key = self._key and (*self._key, availWidth)
        hit = _BROKEN.get(key) if key else None
        if hit is not None:
            self.blPara, self.height = hit
            self.width = availWidth
            self._wrapped_at, self._shared = availWidth, True
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_at, self._shared = availWidth, key is not None
        if key is not None:
            if len(_BROKEN) >= _BROKEN_MAX:
                _BROKEN.clear()
            _BROKEN[key] = (self.blPara, self.height)
        return size

    def split(self, availWidth, availHeight):
        if self._shared:
            key = (*self._key, self._wrapped_at)
            if _BROKEN.get(key, (None,))[0] is self.blPara:
                del _BROKEN[key]  # its lines are about to be taken apart
            del self.blPara
            self._wrapped_at = None
            self._shared = False
            self._key = None  # wrapped again from its own fragments, not shared
        return super().split(availWidth, availHeight)


_PARSED: dict = {}  # (markup, style) -> parsed fragments; labels repeat on every document
_PARSED_MAX = 20000
_BROKEN: dict = {}  # (markup, style, width) -> (lines, height)
_BROKEN_MAX = 20000


def P(markup: str, style: str = "cell") -> Paragraph:
    if markup.startswith("<para"):  # paragraph-level attributes (alignment) live in the parse, not the frags
        return _Paragraph(markup, ST[style])
    key = (markup, style)
    frags = _PARSED.get(key)
    if frags is None:
        para = _Paragraph(markup, ST[style])
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = para.frags
    else:
        # reportlab parses the markup with an HTML parser on every Paragraph; reuse
        # the fragments (copied: line breaking annotates them) of an identical one
        para = _Paragraph(markup, ST[style], frags=[f.clone() for f in frags])
    para._key = key
    return para


class TitleBlock(Flowable):
    """Document title: Chinese (faux bold) over English, left aligned."""

    def __init__(self, zh: str, en: str, sub: str = ""):
        super().__init__()
        self.zh, self.en, self.sub = zh, en, sub

    def wrap(self, aw, ah):
        self.width = aw
        self.height = 15 * mm if not self.sub else 19 * mm
        return self.width, self.height

    def draw(self):
        c = self.canv
        h = self.height
        draw_mixed(c, 0, h - 7 * mm, self.zh, 19, BRAND, bold=True)
        draw_mixed(c, 0, h - 12.5 * mm, self.en, 11.5, INK, bold=True)
        if self.sub:
            draw_mixed(c, 0, h - 17 * mm, self.sub, 8, MUTED)


class SectionHeading(Flowable):
    """Numbered bilingual section heading with a rule underneath."""

    def __init__(self, number, zh: str, en: str):
        super().__init__()
        self.number, self.zh, self.en = str(number), zh, en

    def wrap(self, aw, ah):
        self.width, self.height = aw, 8.6 * mm
        return self.width, self.height

    def draw(self):
        c = self.canv
        y = 2.4 * mm
        c.saveState()
        c.setFillColor(BRAND)
        c.roundRect(0, y - 1.2 * mm, 5.4 * mm, 5.4 * mm, 1 * mm, stroke=0, fill=1)
        c.restoreState()
        draw_mixed(c, 2.7 * mm, y + 0.2 * mm, self.number, 9, WHITE, align="center", bold=True)
        x = 7.8 * mm
        x += draw_mixed(c, x, y, self.zh, 11, BRAND, bold=True) + 2.5 * mm
        draw_mixed(c, x, y + 0.2 * mm, self.en, 9.5, MUTED, bold=True)
        c.saveState()
        c.setStrokeColor(GRID)
        c.setLineWidth(0.6)
        c.line(0, 0.6 * mm, self.width, 0.6 * mm)
        c.restoreState()


class QRCode(Flowable):
    """Vector QR code (module squares merged per row run); deterministic."""

    def __init__(self, data: str, size: float):
        super().__init__()
        self.data, self.size = data or "", size
        # a fixed mask: any of the 8 is valid; trying all 8 for the lowest penalty
        # score took 7 % of a certificate's rendering time
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=0)
        qr.add_data(self.data)
        qr.make(fit=True)
        self.matrix = qr.get_matrix()

    def wrap(self, aw, ah):
        return self.size, self.size

    def draw(self):
        c = self.canv
        n = len(self.matrix)
        quiet = 2  # light margin inside the flowable (the cell adds more)
        cell = self.size / (n + 2 * quiet)
        c.saveState()
        c.setFillColor(colors.white)
        c.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        c.setFillColor(colors.black)
        p = c.beginPath()
        for r, row in enumerate(self.matrix):
            y = self.size - (quiet + r + 1) * cell
            col = 0
            while col < n:
                if row[col]:
                    start = col
                    while col < n and row[col]:
                        col += 1
                    p.rect((quiet + start) * cell, y, (col - start) * cell, cell)
                else:
                    col += 1
        c.drawPath(p, stroke=0, fill=1)
        c.restoreState()


def base_table_style(header_rows=1, zebra=True, n_rows=0):
    cmds = [
        ("FONT", (0, 0), (-1, -1), LATIN_FONT, 8),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 1.9),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.7),
        ("GRID", (0, 0), (-1, -1), 0.35, GRID),
        ("BOX", (0, 0), (-1, -1), 0.7, BRAND),
    ]
    if header_rows:
        cmds += [
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), BRAND_LIGHT),
            ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.8, BRAND),
        ]
    if zebra:
        for r in range(header_rows + 1, n_rows, 2):
            cmds.append(("BACKGROUND", (0, r), (-1, r), ZEBRA))
    return cmds


def data_table(header: list, rows: list, widths_mm: list, extra=None, header_styles=None) -> Table:
    """Grid table, header repeated on every page, cells wrapped in Paragraphs."""
    hs = header_styles or ["head"] * len(header)
    data = [[P(h, s) for h, s in zip(header, hs)]] + rows
    # keep-with-next: a split leaves at least two rows under the header and moves at least two
    t = Table(data, colWidths=[w * mm for w in widths_mm], repeatRows=1, hAlign="LEFT", rowSplitRange=(3, -2))
    t.setStyle(TableStyle(base_table_style(1, True, len(data)) + (extra or [])))
    return t


def kv_table(pairs: list, widths_mm=(30, 59, 30, 59)) -> Table:
    """Label/value grid, two pairs per row. ``pairs``: [(zh, en, value_markup)]."""
    rows = []
    for i in range(0, len(pairs), 2):
        row = []
        for zh, en, val in pairs[i : i + 2]:
            row += [P(bi(zh, en, 6.5), "label"), P(val, "cell")]
        while len(row) < 4:
            row += ["", ""]
        rows.append(row)
    t = Table(rows, colWidths=[w * mm for w in widths_mm], hAlign="LEFT")
    cmds = base_table_style(0, False) + [
        ("BACKGROUND", (0, 0), (0, -1), BRAND_LIGHT),
        ("BACKGROUND", (2, 0), (2, -1), BRAND_LIGHT),
    ]
    t.setStyle(TableStyle(cmds))
    return t


def status_markup(status: str, size=None, en_upper=False, sep=" ") -> str:
    zh, en, tone = STATUS.get(status or "", ("", show(status), "neutral"))
    fg = TONES[tone][0]
    en = en.upper() if en_upper else en
    s = f' size="{size}"' if size else ""
    en_size = f' size="{size * 0.8:.1f}"' if size else ""
    inner = (tx(zh) + sep if zh else "") + f"<font{en_size}>{tx(en, bold=True)}</font>"
    return f'<font color="{fg.hexval()}"{s}>{inner}</font>'


def status_cell_style(status: str, col: int, row: int) -> list:
    tone = STATUS.get(status or "", ("", "", "neutral"))[2]
    return [("BACKGROUND", (col, row), (col, row), TONES[tone][1])]


def verdict_box(items: list, widths_mm: list) -> Table:
    """One-row banner: each item (zh, en, status | None, detail_markup)."""
    cells, cmds = [], []
    for i, (zh, en, status, detail) in enumerate(items):
        flow = [P(bi(zh, en, 7, sep=" "), "label")]
        if status is not None:
            style = "verdict" if i == 0 else "verdict_md"
            size = 15 if i == 0 else 11.5
            flow.append(Spacer(1, 1.2 * mm))
            flow.append(P(status_markup(status, size=size, en_upper=(i == 0), sep="  "), style))
            tone = STATUS.get(status, ("", "", "neutral"))[2]
            cmds += [
                ("BACKGROUND", (i, 0), (i, 0), TONES[tone][1]),
                ("LINEBEFORE", (i, 0), (i, 0), 3.2, TONES[tone][0], 0),
            ]
        if detail:
            flow.append(Spacer(1, 0.8 * mm))
            flow.append(P(detail, "note"))
        cells.append(flow)
    t = Table([cells], colWidths=[w * mm for w in widths_mm], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 0.7, BRAND),
                ("INNERGRID", (0, 0), (-1, -1), 0.35, GRID),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4.5),
            ]
            + cmds
        )
    )
    return t


def _url_lines(url: str, width: float, size: float) -> list[str]:
    """Break a URL after '/' (or anywhere, if a piece is too long) to fit ``width``."""
    pieces, cur = [], ""
    for ch in url:
        cur += ch
        if ch == "/":
            pieces.append(cur)
            cur = ""
    if cur:
        pieces.append(cur)
    lines, line = [], ""
    for piece in pieces:
        if stringWidth(line + piece, LATIN_FONT, size) <= width:
            line += piece
            continue
        if line:
            lines.append(line)
            line = ""
        while stringWidth(piece, LATIN_FONT, size) > width:
            k = len(piece)
            while k > 1 and stringWidth(piece[:k], LATIN_FONT, size) > width:
                k -= 1
            lines.append(piece[:k])
            piece = piece[k:]
        line = piece
    if line:
        lines.append(line)
    return lines


def qr_panel(url: str, size_mm: float = 27, width_mm: float = 33) -> list:
    link = escape(url or "", {'"': "&quot;"})
    size = ST["url"].fontSize
    shown = "<br/>".join(tx(line) for line in _url_lines(url, width_mm * mm, size)) if url else tx(DASH)
    return [
        QRCode(url, size_mm * mm),
        Spacer(1, 1 * mm),
        P(bi("線上查驗", "Verify online", 6, sep=" "), "url"),
        P(f'<a href="{link}" color="{BRAND.hexval()}">{shown}</a>', "url"),
    ]


def header_block(title_zh, title_en, subtitle, meta_pairs, url) -> Table:
    """Title + document metadata on the left, QR code on the right."""
    meta_rows = [[P(bi(zh, en, 6.5, sep=" "), "label"), P(val, "cell")] for zh, en, val in meta_pairs]
    meta = Table(meta_rows, colWidths=[44 * mm, 96 * mm], hAlign="LEFT")
    meta.setStyle(TableStyle(base_table_style(0, False) + [("BACKGROUND", (0, 0), (0, -1), BRAND_LIGHT)]))
    left = [TitleBlock(title_zh, title_en, subtitle), Spacer(1, 1.5 * mm), meta]
    t = Table(
        [[left, qr_panel(url, width_mm=FRAME_W / mm - 142 - 3)]],
        colWidths=[142 * mm, FRAME_W - 142 * mm],
        hAlign="LEFT",
    )
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), 0),
                ("LEFTPADDING", (1, 0), (1, 0), 3),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return t


def _fix_timestamp(pdf_doc, created) -> None:
    """Creation date (and the file ID derived from it) from the frozen context only.

    reportlab's invariant mode still takes ``SOURCE_DATE_EPOCH`` from the
    environment; the date printed in the PDF's metadata is the issue date
    (00:00 UTC), or 2000-01-01 without one, on every machine.
    """
    try:
        day = datetime.date.fromisoformat(str(created)[:10])
        t = float(calendar.timegm(day.timetuple()))
    except (TypeError, ValueError):
        t = 946684800.0
    ts = pdf_doc._timeStamp
    ts.t, ts.lt = t, time.gmtime(t)
    ts.YMDhms, ts.dhh, ts.dmm, ts.tzname = tuple(ts.lt)[:6], 0, 0, "UTC"
    sig = pdf_doc.signature = hashlib.md5(usedforsecurity=False)  # as PDFDocument.__init__ seeds it
    sig.update(b"a reportlab document")
    sig.update(ascii(t).encode())


class InvariantCanvas(rl_canvas.Canvas):
    """A canvas whose bytes depend on what is drawn only: reportlab's invariant mode, the creation date from
    ``created`` (see ``_fix_timestamp``), and the embedded Latin face as the initial font, not reportlab's
    default Helvetica (never embedded)."""

    def __init__(self, *args, created=None, **kwargs):
        kwargs["invariant"] = 1
        kwargs["initialFontName"] = LATIN_FONT
        super().__init__(*args, **kwargs)
        _fix_timestamp(self._doc, created)


class _NumberedCanvas(InvariantCanvas):
    """Defers page output until the total page count is known ("page x of y")."""

    def __init__(self, *args, page_count_cb=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._page_states = []
        self._page_count_cb = page_count_cb

    def showPage(self):
        self._page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._page_states)
        for state in self._page_states:
            self.__dict__.update(state)
            if self._page_count_cb:
                self._page_count_cb(self, self._pageNumber, total)
            super().showPage()
        super().save()


def draw_band(c, lab: dict, right_note: str):
    c.saveState()
    c.setFillColor(BRAND)
    c.rect(0, PAGE_H - BAND_H, PAGE_W, BAND_H, stroke=0, fill=1)
    c.setFillColor(colors.HexColor("#7fb069"))  # thin compost-green accent line
    c.rect(0, PAGE_H - BAND_H - 1.1 * mm, PAGE_W, 1.1 * mm, stroke=0, fill=1)
    c.restoreState()
    x, top = MARGIN_X, PAGE_H - BAND_H
    draw_mixed(c, x, top + 12.2 * mm, show(lab.get("name_zh")), 14.5, WHITE, bold=True)
    draw_mixed(c, x, top + 6.8 * mm, show(lab.get("name_en")), 9, colors.HexColor("#d6e6e4"), bold=True)
    draw_mixed(c, x, top + 2.6 * mm, show(lab.get("address")), 7, colors.HexColor("#c4d6d4"))
    rx = PAGE_W - MARGIN_X
    acc = lab.get("accreditation")
    if acc:
        draw_mixed(c, rx, top + 12.4 * mm, acc, 7.5, WHITE, align="right")
    draw_mixed(c, rx, top + 2.6 * mm, right_note, 7.5, colors.HexColor("#d6e6e4"), align="right")


def draw_footer(c, left_line1: str, left_line2: str, right_line2: str):
    y = BOTTOM - 6 * mm
    c.saveState()
    c.setStrokeColor(GRID)
    c.setLineWidth(0.6)
    c.line(MARGIN_X, y + 4.2 * mm, PAGE_W - MARGIN_X, y + 4.2 * mm)
    c.restoreState()
    draw_mixed(c, MARGIN_X, y, left_line1, 7, INK)
    draw_mixed(c, MARGIN_X, y - 3.8 * mm, left_line2, 6.6, MUTED)
    draw_mixed(c, PAGE_W - MARGIN_X, y - 3.8 * mm, right_line2, 6.6, MUTED, align="right")


def _draw_page_count(c, page: int, total: int):
    y = BOTTOM - 6 * mm
    rx = PAGE_W - MARGIN_X
    w = draw_mixed(c, rx, y, f"Page {page} of {total}", 7.5, INK, align="right", bold=True)
    draw_mixed(c, rx - w - 2.5 * mm, y, f"第 {page} 頁 / 共 {total} 頁", 7.5, INK, align="right")


def build_pdf(story, *, title, subject, author, keywords, on_page, created=None) -> bytes:
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=title,
        subject=subject,
        author=author,
        creator="Compost LIMS (reportlab)",
        keywords=keywords,
        invariant=1,
        lang="zh-Hant-TW",
    )
    frame = Frame(
        MARGIN_X,
        BOTTOM,
        FRAME_W,
        PAGE_H - TOP - BOTTOM,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    doc.build(story, canvasmaker=functools.partial(_NumberedCanvas, page_count_cb=_draw_page_count, created=created))
    return buf.getvalue()


def heading(n, zh, en, need_mm=35):
    """Section heading; ``need_mm`` of room required below it (None: caller keeps it together)."""
    head = SectionHeading(n, zh, en)
    return [head] if need_mm is None else [CondPageBreak(need_mm * mm), head]


def image_from_b64(b64: str, max_w: float, max_h: float):
    """A reportlab Image from frozen base64 bytes (signature, accreditation mark), or None."""
    if not b64:
        return None
    import base64

    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    try:
        raw = base64.b64decode(b64)
        iw, ih = ImageReader(io.BytesIO(raw)).getSize()
    except Exception:
        return None
    scale = min(max_w / iw, max_h / ih)
    return Image(io.BytesIO(raw), width=iw * scale, height=ih * scale)


def add_mixed_strings(d: Drawing, x, y, text, size, color, anchor="start"):
    """Add ``text`` to a drawing as one String per font run."""
    segs = segments(text, markup=False)
    width = sum(stringWidth(t, f, size) for f, t, _ in segs)
    if anchor == "end":
        x -= width
    elif anchor == "middle":
        x -= width / 2
    for font, t, _ in segs:
        d.add(String(x, y, t, fontName=font, fontSize=size, fillColor=color, textAnchor="start"))
        x += stringWidth(t, font, size)


def end_of_report():
    return P(
        f'<para alignment="center">{tx("— 以下空白 —", bold=True)} '
        f"{small('End of report', None, MUTED, bold=True)}</para>",
        "body",
    )
