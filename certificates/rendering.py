"""PDF rendering of certificates and registration dossiers (DOMAIN.md §7).

Pure reportlab: no Django import. The callers build plain-dict contexts (see
``render_certificate`` / ``render_dossier``) and store the returned bytes and
their SHA-256. Output is deterministic for a given context (reportlab
invariant mode, fonts from the project's install, vector QR code, the issue
date as creation date), so re-rendering reproduces the recorded hash on any
machine.

Typography: Latin text and figures (and ≤ ≥ ± °) are set in the embedded
Latin TrueType face, Chinese (and symbols the Latin face lacks, such as ℃) in
the embedded CJK face, both from ``certificates.fonts``; text is split into
runs per font. Characters neither font has (e.g. subscript digits in "P₂O₅")
are drawn as real subscripts in paragraphs, or as plain digits elsewhere.
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
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
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
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as _RLTable
from reportlab.platypus.tables import CellStyle

from . import batch_evidence
from .fonts import LATIN_BOLD, LATIN_FONT, has_glyph, register_fonts

__all__ = ["render_certificate", "render_dossier"]


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


# --------------------------------------------------------------------------
# Palette and page geometry
# --------------------------------------------------------------------------
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

# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------
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

BASIS = {"dry": ("乾基", "Dry"), "as_received": ("濕基", "As received")}

RULE_SETS = {
    "tari_1999": ("農試所 1999 綜合判定", "TARI 1999 (germination, C/N, reducing sugar, chromatogram)"),
    "zucconi_gi": ("Zucconi 發芽指數", "Zucconi germination index (GI)"),
    "ccqc_2001": ("加州堆肥品質委員會 2001 腐熟指數", "CCQC 2001 maturity index (stability A, maturity B, C/N ≤ 25)"),
}

DECISION_RULES = {
    "simple": (
        "簡單接受（風險共擔）",
        "Simple acceptance (shared risk, ILAC-G8): the measured value is compared directly with the limit.",
    ),
    "guarded": (
        "防護帶判定（U, k = 2）",
        "Guarded acceptance (ILAC-G8): pass only when value ± U lies within the limit, "
        "fail only when it lies wholly outside; otherwise conditional.",
    ),
}

KIND_SYMBOL = {"min": "≥", "max": "≤", "max_exclusive": "<", "min_exclusive": ">"}

INDICATOR_NAMES = {
    "germination": ("種子發芽", "Germination"),
    "relative_germination_pct": ("相對發芽率", "Relative germination"),
    "relative_root_growth_pct": ("相對根長", "Relative root growth"),
    "germination_index_pct": ("發芽指數", "Germination index"),
    "cn_ratio": ("碳氮比", "C/N ratio"),
    "reducing_sugar": ("還原糖", "Reducing sugar"),
    "reducing_sugar_pct": ("還原糖", "Reducing sugar"),
    "rs_tc_ratio_pct": ("還原糖/總碳", "Reducing sugar / total carbon"),
    "chromatogram": ("濾紙擴散顯圖", "Filter-paper chromatogram"),
    "chromatogram_score": ("濾紙擴散顯圖", "Filter-paper chromatogram"),
    "co2_evolution": ("CO₂ 釋放速率 (A)", "CO₂ evolution (A)"),
    "solvita_co2": ("Solvita CO₂ (A)", "Solvita CO₂ (A)"),
    "dewar_rise": ("Dewar 自熱升溫 (A)", "Dewar self-heating (A)"),
    "nh4_n": ("銨態氮 (B)", "NH₄-N (B)"),
    "nh4_no3_ratio": ("銨態氮/硝酸態氮 (B)", "NH₄-N : NO₃-N (B)"),
    "solvita_nh3": ("Solvita NH₃ (B)", "Solvita NH₃ (B)"),
}

FALLBACK_PARAM_NAMES = {
    "npk_sum_pct": ("氮磷鉀總和", "N + P₂O₅ + K₂O"),
    "chemical_fertilizer": ("未添加化學肥料", "No chemical fertilizer added"),
    "no_chemical_fertilizer": ("未添加化學肥料", "No chemical fertilizer added"),
}


def _param_names(key: str, *sources) -> tuple[str, str]:
    """(zh, en) for a parameter key, from the context first, then the catalogue."""
    for rows in sources:
        for row in rows or ():
            if row.get("parameter") == key and (row.get("name_zh") or row.get("name_en")):
                return row.get("name_zh") or "", row.get("name_en") or key
    if key in FALLBACK_PARAM_NAMES:
        return FALLBACK_PARAM_NAMES[key]
    try:  # pure-data module of this project (no Django); optional
        from maturity.parameters import DERIVED, PARAMETERS

        p = PARAMETERS.get(key) or DERIVED.get(key)
        if p is not None:
            return p.name_zh, p.name_en
    except Exception:  # pragma: no cover - catalogue not importable
        pass
    return "", key or DASH


def _s(value) -> str:
    """Display string for an optional value."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return "是 Yes" if value else "否 No"
    value = str(value).strip()
    return value if value else DASH


def _num(value):
    try:
        return float(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------
# Mixed-font text
# --------------------------------------------------------------------------
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


def _cjk() -> str:
    if not _Fonts.cjk:
        _Fonts.cjk = register_fonts()
    return _Fonts.cjk


@functools.lru_cache(maxsize=4096)
def _cjk_ok(font: str, ch: str) -> bool:
    return has_glyph(font, ch)


def _segments(text: str, bold: bool = False, markup: bool = True) -> list[tuple[str, str, str]]:
    """Split ``text`` into (font, text, kind) runs; kind is '' or 'sub'/'sup'."""
    cjk = _cjk()
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
    text = _s(text) if not isinstance(text, str) else text
    parts = []
    for font, s, kind in _segments(text, bold=bold, markup=True):
        s = escape(s).replace("\n", "<br/>")
        if kind:
            s = f"<{kind}>{s}</{kind}>"
        parts.append(f'<font name="{font}">{s}</font>')
    return "".join(parts)


def _small(text, size=None, color=MUTED, bold=False) -> str:
    attrs = f' color="{color.hexval()}"' if color is not None else ""
    if size:
        attrs += f' size="{size}"'
    return f"<font{attrs}>{tx(text, bold)}</font>"


def bi(zh: str, en: str, en_size=None, sep="<br/>", bold=False) -> str:
    """Bilingual label: Chinese, then English in a muted (smaller) face."""
    if not zh:
        return tx(en, bold)
    return tx(zh, bold) + sep + _small(en, en_size, bold=bold)


def draw_mixed(c, x, y, text, size, color=INK, align="left", bold=False):
    """Draw one line of mixed Latin/CJK text on a canvas; CJK runs faux-bold when bold."""
    segs = _segments(text, bold, markup=False)
    width = sum(stringWidth(s, f, size) for f, s, _ in segs)
    if align == "right":
        x -= width
    elif align == "center":
        x -= width / 2
    cjk = _cjk()
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


# --------------------------------------------------------------------------
# Styles
# --------------------------------------------------------------------------
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
    """A Paragraph that breaks its lines once per width.

    Tables wrap every cell two or three times (column widths, row heights,
    drawing); the result only depends on the available width. (``split``
    deletes ``blPara`` when the paragraph moves on whole: then wrap again.)
    """

    _wrapped_at = None

    def wrap(self, availWidth, availHeight):
        if self._wrapped_at == availWidth and "blPara" in self.__dict__:
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth
        return size


_PARSED: dict = {}  # (markup, style) -> parsed fragments; labels repeat on every document
_PARSED_MAX = 20000


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
        return para
    # reportlab parses the markup with an HTML parser on every Paragraph; reuse
    # the fragments (copied: line breaking annotates them) of an identical one
    return _Paragraph(markup, ST[style], frags=[f.clone() for f in frags])


# --------------------------------------------------------------------------
# Flowables
# --------------------------------------------------------------------------
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


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------
def _base_table_style(header_rows=1, zebra=True, n_rows=0):
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
    t.setStyle(TableStyle(_base_table_style(1, True, len(data)) + (extra or [])))
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
    cmds = _base_table_style(0, False) + [
        ("BACKGROUND", (0, 0), (0, -1), BRAND_LIGHT),
        ("BACKGROUND", (2, 0), (2, -1), BRAND_LIGHT),
    ]
    t.setStyle(TableStyle(cmds))
    return t


def status_markup(status: str, size=None, en_upper=False, sep=" ") -> str:
    zh, en, tone = STATUS.get(status or "", ("", _s(status), "neutral"))
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
    meta.setStyle(TableStyle(_base_table_style(0, False) + [("BACKGROUND", (0, 0), (0, -1), BRAND_LIGHT)]))
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


# --------------------------------------------------------------------------
# Page furniture and document assembly
# --------------------------------------------------------------------------
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


class _NumberedCanvas(rl_canvas.Canvas):
    """Defers page output until the total page count is known ("page x of y")."""

    def __init__(self, *args, page_count_cb=None, created=None, **kwargs):
        kwargs["invariant"] = 1
        kwargs["initialFontName"] = LATIN_FONT  # not reportlab's default Helvetica (never embedded)
        super().__init__(*args, **kwargs)
        _fix_timestamp(self._doc, created)
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


def _draw_band(c, lab: dict, right_note: str):
    c.saveState()
    c.setFillColor(BRAND)
    c.rect(0, PAGE_H - BAND_H, PAGE_W, BAND_H, stroke=0, fill=1)
    c.setFillColor(colors.HexColor("#7fb069"))  # thin compost-green accent line
    c.rect(0, PAGE_H - BAND_H - 1.1 * mm, PAGE_W, 1.1 * mm, stroke=0, fill=1)
    c.restoreState()
    x, top = MARGIN_X, PAGE_H - BAND_H
    draw_mixed(c, x, top + 12.2 * mm, _s(lab.get("name_zh")), 14.5, WHITE, bold=True)
    draw_mixed(c, x, top + 6.8 * mm, _s(lab.get("name_en")), 9, colors.HexColor("#d6e6e4"), bold=True)
    draw_mixed(c, x, top + 2.6 * mm, _s(lab.get("address")), 7, colors.HexColor("#c4d6d4"))
    rx = PAGE_W - MARGIN_X
    acc = lab.get("accreditation")
    if acc:
        draw_mixed(c, rx, top + 12.4 * mm, acc, 7.5, WHITE, align="right")
    draw_mixed(c, rx, top + 2.6 * mm, right_note, 7.5, colors.HexColor("#d6e6e4"), align="right")


def _draw_footer(c, left_line1: str, left_line2: str, right_line2: str):
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


def _build(story, *, title, subject, author, keywords, on_page, created=None) -> bytes:
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


def _party_rows(man: dict, prod: dict) -> list:
    """Manufacturer and product rows, shared by the certificate and the dossier."""
    return [
        ("製造商", "Manufacturer", tx(_s(man.get("name")))),
        ("地址", "Address", tx(_s(man.get("address")))),
        ("產品名稱", "Product", tx(_s(prod.get("name")))),
        ("品目", "Category", _category_markup(prod)),
        ("原料含蔗渣", "Bagasse-based", tx(_s(prod.get("bagasse_based")))),
        ("添加化學肥料", "Chem. fertilizer added", tx(_s(prod.get("chemical_fertilizer_added")))),
    ]


def _heading(n, zh, en, need_mm=35):
    """Section heading; ``need_mm`` of room required below it (None: caller keeps it together)."""
    head = SectionHeading(n, zh, en)
    return [head] if need_mm is None else [CondPageBreak(need_mm * mm), head]


def _category_markup(product: dict) -> str:
    zh, en = product.get("category_zh"), product.get("category_en")
    if not (zh or en):  # only the key is known
        return tx(_s(product.get("category_key")))
    return tx(f"{_s(zh)}  {_s(en)}")  # names, not the key


def _basis_markup(basis) -> str:
    if basis in BASIS:
        zh, en = BASIS[basis]
        return tx(zh) + " " + _small(en, 7)
    return tx(DASH)


def _value_text(value, qualifier="") -> str:
    value = _s(value)
    q = (qualifier or "").strip()
    return f"{q} {value}" if q and value != DASH else value


def _maturity_rows(indicators: list) -> tuple[list, list]:
    rows, cmds = [], []
    for i, ind in enumerate(indicators or [], start=1):
        key = ind.get("indicator") or ""
        zh, en = INDICATOR_NAMES.get(key, ("", ind.get("name_en") or key))
        zh = ind.get("name_zh") or zh
        en = ind.get("name_en") or en
        rows.append(
            [
                P(bi(zh, en, 7.2, sep=" ")),
                P(tx(_s(ind.get("value"))), "cell_r"),
                P(tx(_s(ind.get("criterion")))),
                P(status_markup(ind.get("status"))),
            ]
        )
        cmds += status_cell_style(ind.get("status"), 3, i)
    return rows, cmds


def _maturity_block(m: dict | None, sample_label: str | None = None) -> list:
    if not m:
        return [P(bi("未進行腐熟度評估。", "No maturity assessment was made.", sep=" "), "body")]
    rs = m.get("rule_set") or ""
    rs_zh, rs_en = RULE_SETS.get(rs, ("", rs))
    intro = (
        bi("判定規則", "Rule set", 7, sep=" ")
        + ": "
        + tx(rs_zh + "  " if rs_zh else "")
        + _small(f"{rs_en} [{rs}]", 7.5, INK)
    )
    if sample_label:
        intro = tx(sample_label, bold=True) + "   " + intro
    rows, cmds = _maturity_rows(m.get("indicators"))
    header = [
        bi("指標", "Indicator", 6.5),
        bi("結果", "Result", 6.5),
        bi("判定基準", "Criterion", 6.5),
        bi("狀態", "Status", 6.5),
    ]
    out = [P(intro, "body"), Spacer(1, 1.5 * mm)]
    if rows:
        out.append(data_table(header, rows, [50, 34, 60, 34], cmds, ["head", "head_r", "head", "head"]))
    else:
        out.append(P(bi("無指標資料。", "No indicator data.", sep=" "), "body"))
    verdict = m.get("verdict")
    tone = STATUS.get(verdict or "", ("", "", "neutral"))[2]
    vt = Table(
        [[P(bi("腐熟度判定", "Maturity verdict", 7, sep=" ") + "   " + status_markup(verdict, size=10.5), "body")]],
        colWidths=[FRAME_W],
        hAlign="LEFT",
    )
    vt.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), TONES[tone][1]),
                ("LINEBEFORE", (0, 0), (0, 0), 3, TONES[tone][0], 0),
                ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    out += [Spacer(1, 1.8 * mm), vt]
    return out


def _requirement_text(check: dict) -> str:
    kind = check.get("kind") or ""
    limit = _s(check.get("limit"))
    unit = (check.get("unit") or "").strip()
    sym = KIND_SYMBOL.get(kind)
    if sym:
        return f"{sym} {limit}" + (f" {unit}" if unit else "")
    if kind and limit != DASH:
        return f"{kind}: {limit}"
    return limit if limit != DASH else _s(kind)


def _compliance_block(comp: dict | None, *sources) -> list:
    if not comp:
        return [P(bi("未進行符合性判定。", "No compliance assessment was made.", sep=" "), "body")]
    rule = comp.get("decision_rule") or "simple"
    r_zh, r_en = DECISION_RULES.get(rule, ("", rule))
    intro = [
        bi("依據標準", "Standard", 7, sep=" ")
        + ": "
        + tx(_s(comp.get("standard_title")))
        + " "
        + _small(f"[{_s(comp.get('standard'))}]", 7.5, INK),
        bi("品目", "Category", 7, sep=" ")
        + ": "
        + tx(f"{_s(comp.get('category_zh') or comp.get('category'))} {_s(comp.get('category_en') or '')}"),
        bi("判定規則", "Decision rule", 7, sep=" ") + ": " + tx(r_zh + " " if r_zh else "") + _small(r_en, 7.5, INK),
    ]
    out = [P("<br/>".join(intro), "body"), Spacer(1, 1.5 * mm)]
    rows, cmds = [], []
    for i, ch in enumerate(comp.get("checks") or [], start=1):
        key = ch.get("parameter") or ""
        zh, en = _param_names(key, [ch], *sources)
        measured = _value_text(ch.get("value"), ch.get("qualifier"))
        u = (ch.get("uncertainty") or "").strip() if isinstance(ch.get("uncertainty"), str) else ch.get("uncertainty")
        if measured != DASH and u not in (None, ""):
            measured = f"{measured} ± {u}"
        unit = (ch.get("unit") or "").strip()
        if measured != DASH and unit and ch.get("kind") in KIND_SYMBOL:
            measured += f" {unit}"
        rows.append(
            [
                P(bi(zh, en, 7.2, sep=" ")),
                P(tx(_requirement_text(ch)), "cell_r"),
                P(tx(measured), "cell_r"),
                P(status_markup(ch.get("status"))),
                P(_small(_s(ch.get("reason")), 7, INK)),
            ]
        )
        cmds += status_cell_style(ch.get("status"), 3, i)
    header = [
        bi("項目", "Requirement item", 6.5),
        bi("規格", "Limit", 6.5),
        bi("測值 ± U", "Measured ± U", 6.5),
        bi("判定", "Result", 6.5),
        bi("說明", "Remark", 6.5),
    ]
    if rows:
        out.append(data_table(header, rows, [44, 27, 30, 30, 47], cmds, ["head", "head_r", "head_r", "head", "head"]))
    return out


# --------------------------------------------------------------------------
# Certificate
# --------------------------------------------------------------------------
def _lab_rows(lab: dict) -> list:
    """Laboratory identity (ISO/IEC 17025 §7.8.2.1 b): name, address, telephone, location, accreditation."""
    acc = " ".join(x for x in (lab.get("accreditation_body"), lab.get("accreditation_number")) if x)
    return [
        ("實驗室", "Laboratory", tx(f"{_s(lab.get('name_zh'))}  {_s(lab.get('name_en'))}")),
        ("電話", "Telephone", tx(_s(lab.get("telephone")))),
        ("地址", "Address", tx(_s(lab.get("address")))),
        ("檢驗地點", "Location of activities", tx(_s(lab.get("location")))),
        ("認證", "Accreditation", tx(acc or _s(lab.get("accreditation")))),
    ]


def _image(b64: str, max_w: float, max_h: float):
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


def _marks_of(r: dict, accredited_lab: bool) -> str:
    marks = ""
    if r.get("changed"):
        marks += "*"
    if accredited_lab and r.get("accredited") is False:
        marks += "†"
    if r.get("external_provider"):
        marks += "§"
    return marks


def _method_markup(r: dict) -> str:
    code = (r.get("method_code") or "").strip()
    title = " ".join(x for x in (r.get("method_title_zh"), r.get("method_title_en")) if x) or _s(r.get("method"))
    out = _small(f"{code} " if code and code != DASH else "", 7, INK, bold=True) + _small(title, 7, INK)
    if r.get("lod"):
        out += _small(f"  LOD {r.get('lod')}", 6.5, MUTED)
    if r.get("external_provider"):
        out += "<br/>" + _small(f"§ {r.get('external_provider')}", 6.5, MUTED)
    return out


def _deviation_lines(ctx: dict) -> list[str]:
    lines = []
    am = ctx.get("amendment") or {}
    if am:
        changed = ", ".join(am.get("changed") or []) or "—"
        lines.append(
            tx(f"修訂：取代 {_s(am.get('replaces'))}；原因：{_s(am.get('reason'))}；變更結果（*）：{changed}")
            + "<br/>"
            + _small(
                f"Amendment: replaces {_s(am.get('replaces'))}; "
                f"reason: {_s(am.get('reason'))}; "
                f"changed results (*): {changed}",
                None,
                MUTED,
            )
        )
    for d in ctx.get("deviations") or []:
        if d.get("kind") == "override":
            lines.append(
                tx(
                    f"品管覆核放行 QC override by {_s(d.get('by'))} ({_s(d.get('at'))}): {_s(d.get('text'))}. "
                    f"理由 Reason: {_s(d.get('reason'))}"
                )
            )
        elif d.get("kind") == "invalid":
            lines.append(tx(f"無效試驗 Invalid assay: {_s(d.get('text'))}"))
        else:
            lines.append(tx(f"品管旗標 QC flag: {_s(d.get('text'))}"))
    for d in ctx.get("remarks") or []:
        text = d.get("text") if isinstance(d, dict) else d
        lines.append(tx(f"備註 Remark: {_s(text)}"))
    return lines


def _keep_table(header: list, rows: list, widths_mm: list, extra=None, header_styles=None) -> Table:
    return data_table(header, rows, widths_mm, extra, header_styles)


def _qc_notes(results, qc_passed):
    """Issue 11: U estimated from the lab's QC data (marked * after U in the U column, apart from the * after
    the name of a parameter changed by an amendment), and the statement that QC passed."""
    notes = []
    if any(r.get("uncertainty_from_qc") for r in results):
        notes.append(
            P(
                tx("「± U *」：擴充不確定度由本實驗室品質管制數據估計（Nordtest TR 537）。")
                + "<br/>"
                + _small(
                    "“± U *”: U estimated from the laboratory's quality-control data (Nordtest TR 537).", None, MUTED
                ),
                "note",
            )
        )
    if qc_passed:
        notes.append(
            P(
                tx("本樣品檢驗批次之品質管制（空白、重複、參考物質）均符合要求。")
                + "<br/>"
                + _small(
                    "Quality control of this sample's runs (blanks, duplicates, reference materials) passed.",
                    None,
                    MUTED,
                ),
                "note",
            )
        )
    return notes


def render_certificate(ctx: dict) -> bytes:
    """Test report and certificate of compliance (DOMAIN.md §7, ISO/IEC 17025 §7.8) as PDF bytes."""
    _cjk()
    lab = ctx.get("lab") or {}
    man = ctx.get("manufacturer") or {}
    prod = ctx.get("product") or {}
    sample = ctx.get("sample") or {}
    results = ctx.get("results") or []
    maturity = ctx.get("maturity")
    comp = ctx.get("compliance")
    number = _s(ctx.get("number"))
    version = ctx.get("version") or 1
    supersedes = ctx.get("supersedes")
    url = ctx.get("verification_url") or ""
    accredited_lab = bool(lab.get("accreditation_number"))

    story: list = []
    meta = [
        ("證書編號", "Certificate No.", tx(number, bold=True)),
        *_code_row(ctx),
        (
            "版次",
            "Version",
            tx(f"{version}") + ("   " + _small(f"取代 supersedes {supersedes}", 7.5, INK) if supersedes else ""),
        ),
        ("發證日期", "Issue date", tx(_s(ctx.get("issue_date")))),
    ]
    story.append(header_block("檢驗報告暨符合性證明", "Test Report and Certificate of Compliance", "", meta, url))
    story.append(Spacer(1, 3 * mm))

    # Verdict banner
    comp_status = comp.get("verdict") if comp else None
    mat_status = maturity.get("verdict") if maturity else None
    rule = (comp or {}).get("decision_rule") or "simple"
    detail = ""
    if comp:
        r_zh = DECISION_RULES.get(rule, ("", rule))[0]
        r_en = {"simple": "Simple acceptance", "guarded": "Guarded acceptance"}.get(rule, rule)
        detail = "<br/>".join(
            [
                _small("標準 Standard: ", 7, MUTED) + tx(_s(comp.get("standard")), bold=True),
                _small("品目 Category: ", 7, MUTED)
                + tx(f"{_s(comp.get('category_zh'))} {_s(comp.get('category_en'))}"),
                _small("判定規則 Decision rule: ", 7, MUTED) + tx(f"{r_zh} {r_en}".strip()),
            ]
        )
    story.append(
        verdict_box(
            [
                ("符合性總判定", "Overall compliance verdict", comp_status if comp else "not_assessed", ""),
                ("腐熟度", "Maturity", mat_status if maturity else "not_assessed", ""),
                ("判定依據", "Basis of judgement", None, detail or tx(DASH)),
            ],
            [56, 42, FRAME_W / mm - 98],
        )
    )
    story.append(Spacer(1, 3 * mm))

    # 1. Laboratory and customer
    story += _heading(1, "實驗室及委託者", "Laboratory and customer")
    story.append(
        kv_table(
            _lab_rows(lab)
            + [
                ("委託者", "Customer", tx(_s(man.get("name")))),
                ("委託者地址", "Customer address", tx(_s(man.get("address")))),
            ]
        )
    )
    mark = _image(lab.get("accreditation_mark") or "", 30 * mm, 14 * mm)
    if mark is not None:
        story += [Spacer(1, 1.5 * mm), mark]
    story.append(Spacer(1, 3 * mm))

    # 2. Item tested
    perf = ctx.get("performance") or {}
    story += _heading(2, "受測樣品", "Item tested")
    story.append(
        kv_table(
            [
                ("產品名稱 ‡", "Product ‡", tx(_s(prod.get("name")))),
                ("品目", "Category", _category_markup(prod)),
                ("樣品編號", "Sample code", tx(_s(sample.get("code")), bold=True)),
                ("批號 ‡", "Lot No. ‡", tx(_s(sample.get("lot_number")))),
                ("採樣日期 ‡", "Sampled on ‡", tx(_s(sample.get("sampled_on")))),
                ("收樣日期", "Received on", tx(_s(sample.get("received_on")))),
                (
                    "收樣狀況",
                    "Condition on receipt",
                    tx(
                        _s(sample.get("condition_on_receipt"))
                        if sample.get("condition_on_receipt")
                        else "未記錄 not recorded"
                    ),
                ),
                ("檢驗期間", "Dates of performance", tx(f"{_s(perf.get('from'))} – {_s(perf.get('to'))}")),
                ("原料含蔗渣 ‡", "Bagasse-based ‡", tx(_s(prod.get("bagasse_based")))),
                ("添加化學肥料 ‡", "Chem. fertilizer added ‡", tx(_s(prod.get("chemical_fertilizer_added")))),
            ]
        )
    )
    st = ctx.get("sampling_statement") or {}
    if st:
        story.append(Spacer(1, 1.2 * mm))
        story.append(P(tx(_s(st.get("zh"))) + "<br/>" + _small(_s(st.get("en")), None, MUTED), "note"))
    story.append(Spacer(1, 3 * mm))

    # 3. Results
    story += _heading(3, "檢驗結果", "Test results")
    rows = []
    for r in results:
        u = r.get("uncertainty")
        u = (f"± {u}" + (" *" if r.get("uncertainty_from_qc") else "")) if u not in (None, "") else DASH
        marks = _marks_of(r, accredited_lab)
        name = bi(r.get("name_zh") or "", r.get("name_en") or r.get("parameter") or DASH, 7.2, sep=" ")
        rows.append(
            [
                P(name + (f" {tx(marks, bold=True)}" if marks else "")),
                P(tx(_value_text(r.get("value"), r.get("qualifier")), bold=True), "cell_r"),
                P(tx(u), "cell_r"),
                P(tx(_s(r.get("unit")) if r.get("unit") else DASH), "cell_c"),
                P(
                    _basis_markup(r.get("basis"))
                    + (
                        "<br/>" + _small(r["basis_note"], 6, MUTED)
                        if r.get("basis_note") not in (None, "", "converted")
                        else ""
                    ),
                    "cell_c",
                ),
                P(_method_markup(r)),
            ]
        )
    if rows:
        story.append(
            data_table(
                [
                    bi("檢驗項目", "Parameter", 6.5),
                    bi("結果", "Result", 6.5),
                    bi("擴充不確定度", "U (k = 2)", 6.5),
                    bi("單位", "Unit", 6.5),
                    bi("基準", "Basis", 6.5),
                    bi("檢驗方法", "Method (code, title, LOD)", 6.5),
                ],
                rows,
                [42, 17, 19, 15, 15, 70],
                header_styles=["head", "head_r", "head_r", "head_c", "head_c", "head"],
            )
        )
    else:
        story.append(P(bi("無檢驗結果。", "No results.", sep=" "), "body"))
    story.append(Spacer(1, 1.2 * mm))
    moisture = ctx.get("moisture_used")
    basis_zh = (
        f"成分含量以乾基表示（依標準判定之基準），換算所用水分 {moisture} %。"
        if moisture
        else "成分含量以報告之基準表示。"
    )
    basis_en = (
        f"Contents are reported on the dry basis (the basis the standard judges), converted with the "
        f"moisture {moisture} % (as received)."
        if moisture
        else "Contents are reported on the basis shown."
    )
    legend_zh = (
        "“<” 表示低於偵測/定量極限，數值為該極限；U 為擴充不確定度（k = 2，約 95 % 信賴水準），結果修約至 U 之末位。"
    )
    legend_en = (
        "“<”: below the limit of detection/quantification, the number being that limit. U: expanded "
        "uncertainty, k = 2 (about 95 %); a result is rounded to the last digit of its U."
    )
    marks_en = "‡ supplied by the customer."
    if accredited_lab:
        marks_en += " † outside the laboratory's accreditation scope."
    marks_en += " § performed by an external provider. * changed from the report replaced."
    story.append(
        P(tx(basis_zh + legend_zh) + "<br/>" + _small(f"{basis_en} {legend_en} {marks_en}", None, MUTED), "note")
    )
    story += _qc_notes(results, ctx.get("qc_passed"))
    story.append(Spacer(1, 3 * mm))

    # 4. Test conditions
    story += _heading(4, "試驗條件", "Test conditions")
    cond = ctx.get("conditions") or []
    if cond:
        story.append(
            P(
                "<br/>".join(
                    tx(f"{c.get('text_zh')}  ") * bool(c.get("text_zh")) + _small(_s(c.get("text_en")), None, INK)
                    for c in cond
                ),
                "note",
            )
        )
    else:
        story.append(P(bi("無特殊試驗條件。", "No test conditions to state.", sep=" "), "note"))
    story.append(Spacer(1, 3 * mm))

    # 5. Maturity
    story += _heading(5, "腐熟度評估", "Maturity assessment")
    story += _maturity_block(maturity)
    story.append(Spacer(1, 3 * mm))

    # 6. Compliance
    story += _heading(6, "符合性判定", "Statement of compliance")
    story += _compliance_block(comp, results)
    story.append(Spacer(1, 3 * mm))

    # 7. Declared by the customer
    story += _heading(7, "委託者聲明事項", "Declared by the customer")
    story += _declarations_block((comp or {}).get("declarations") or [])
    story.append(Spacer(1, 3 * mm))

    # 8. Deviations and remarks
    lines = _deviation_lines(ctx)
    story += _heading(8, "偏離及備註", "Deviations and remarks")
    story.append(
        P("<br/>".join(lines) if lines else bi("無偏離。", "No deviations from the methods.", sep=" "), "note")
    )
    story.append(Spacer(1, 3 * mm))

    story += batch_evidence.flowables(ctx)  # composting batch evidence of the sample, if any

    # 9. Authorisation and notes
    sign = Table(
        [
            [
                P(bi("檢驗資料輸入", "Results entered by", 6.5), "label"),
                P(tx(_s(ctx.get("entered_by")))),
                P(bi("報告審核", "Verified by", 6.5), "label"),
                P(tx(_s(ctx.get("verified_by")), bold=True)),
                P(bi("審核時間", "Verified at", 6.5), "label"),
                P(tx(_s(ctx.get("verified_at")))),
            ]
        ],
        colWidths=[22 * mm, 38 * mm, 20 * mm, 35 * mm, 20 * mm, FRAME_W - 135 * mm],
        hAlign="LEFT",
    )
    sign.setStyle(
        TableStyle(
            _base_table_style(0, False)
            + [
                ("BACKGROUND", (0, 0), (0, 0), BRAND_LIGHT),
                ("BACKGROUND", (2, 0), (2, 0), BRAND_LIGHT),
                ("BACKGROUND", (4, 0), (4, 0), BRAND_LIGHT),
            ]
        )
    )
    notes = [
        (
            "本報告結果僅對受測樣品負責；未經本實驗室書面同意，不得部分複製。",
            "Results relate only to the item tested. This report shall not be reproduced except in full "
            "without the written approval of the laboratory.",
        ),
        (
            "本證書之真偽及是否經修訂或撤銷，請掃描 QR 碼或至下列網址查驗；發證時已記錄本 PDF 之 SHA-256 雜湊值。",
            "Scan the QR code or visit the address below to check authenticity and whether this certificate "
            "has been superseded or revoked; the SHA-256 hash of this PDF was recorded at issue.",
        ),
    ]
    anyway = ctx.get("issue_anyway")  # issued with required results missing: the reviewer's reason
    if anyway:
        names_zh = "、".join(m.get("name_zh") or m.get("parameter", "") for m in anyway.get("missing", []))
        names_en = ", ".join(m.get("name_en") or m.get("parameter", "") for m in anyway.get("missing", []))
        notes.append(
            (
                f"本證書簽發時缺少下列必要項目之結果：{names_zh}。仍予簽發之理由：{_s(anyway.get('reason'))}",
                f"Issued with required results missing: {names_en}. Reason: {_s(anyway.get('reason'))}",
            )
        )
    note_md = "<br/>".join(f"{i}. " + tx(zh) + " " + _small(en, None, MUTED) for i, (zh, en) in enumerate(notes, 1))
    note_md += "<br/>" + f'<a href="{escape(url, {chr(34): "&quot;"})}" color="{BRAND.hexval()}">{tx(url or DASH)}</a>'
    story.append(
        KeepTogether(
            _heading(9, "簽核及聲明", "Authorisation and notes", None)
            + [
                sign,
                Spacer(1, 2.5 * mm),
                signatory_table(ctx.get("signatory")),
                Spacer(1, 2.5 * mm),
                P(note_md, "note"),
                Spacer(1, 4 * mm),
                end_of_report(),
            ]
        )
    )

    version_note = f"v{version}" + (f", supersedes {supersedes}" if supersedes else "")

    def on_page(c, doc):
        _draw_band(c, lab, f"{number} · {version_note}")
        _draw_footer(
            c,
            f"證書編號 Certificate No. {number} ({version_note}) · 發證日期 Issued {_s(ctx.get('issue_date'))}",
            "本報告結果僅對受測樣品負責 Results relate only to the item tested.",
            "未經書面同意不得部分複製 Not to be reproduced except in full",
        )

    return _build(
        story,
        title=f"{number} 檢驗報告暨符合性證明 Test Report and Certificate of Compliance",
        subject=f"{_s(prod.get('name'))} / {_s(sample.get('code'))}",
        author=_s(lab.get("name_en") or lab.get("name_zh")),
        keywords=f"{number}, {_s(sample.get('code'))}, {_s(prod.get('category_key'))}",
        on_page=on_page,
        created=ctx.get("issue_date"),
    )


def _declarations_block(decls: list) -> list:
    """Customer declarations: not test results; a contradicted one makes the product ineligible."""
    if not decls:
        return [P(bi("本品目無須聲明事項。", "The category requires no declaration.", sep=" "), "note")]
    rows, cmds = [], []
    for i, d in enumerate(decls, start=1):
        effect = ""
        if d.get("effect_zh") or d.get("effect_en"):
            effect = tx(_s(d.get("effect_zh"))) + "<br/>" + _small(_s(d.get("effect_en")), None, INK)
        rows.append(
            [
                P(bi(d.get("text_zh") or "", d.get("text_en") or DASH, 7.2, sep=" ")),
                P(status_markup("declared_ok" if d.get("status") == "pass" else d.get("status"))),
                P(effect or _small(_s(d.get("reason")), 7, INK)),
            ]
        )
        cmds += status_cell_style(d.get("status"), 1, i)
    out = [
        data_table(
            [
                bi("聲明（委託者）", "Declaration (by the customer)", 6.5),
                bi("狀態", "Status", 6.5),
                bi("說明", "Effect on the verdict", 6.5),
            ],
            rows,
            [62, 34, 82],
            cmds,
        )
    ]
    out.append(Spacer(1, 1.2 * mm))
    out.append(
        P(
            tx("聲明事項由委託者提供，非本實驗室檢驗結果；與產品事實不符之聲明仍影響總判定。")
            + " "
            + _small(
                "Declarations are made by the customer, not tested by the laboratory; a declaration the "
                "product contradicts still decides the overall verdict.",
                None,
                MUTED,
            ),
            "note",
        )
    )
    return out


def signatory_table(sig: dict | None) -> Table:
    """Authorised signatory (§7.8.2.1 o): name, title, signature image, date."""
    sig = sig or {}
    img = _image(sig.get("signature") or "", 45 * mm, 14 * mm)
    cell = img if img is not None else P(_small("（未上傳簽名圖檔 no signature image on file）", 7, MUTED), "note")
    t = Table(
        [
            [
                P(bi("報告簽署人", "Authorised signatory", 6.5), "label"),
                P(tx(_s(sig.get("name")), bold=True) + "<br/>" + tx(_s(sig.get("title")))),
                cell,
                P(bi("日期", "Date", 6.5), "label"),
                P(tx(_s(sig.get("date")))),
            ]
        ],
        colWidths=[28 * mm, 52 * mm, 52 * mm, 14 * mm, FRAME_W - 146 * mm],
        hAlign="LEFT",
    )
    t.setStyle(
        TableStyle(
            _base_table_style(0, False)
            + [("BACKGROUND", (0, 0), (0, 0), BRAND_LIGHT), ("BACKGROUND", (3, 0), (3, 0), BRAND_LIGHT)]
        )
    )
    return t


def end_of_report():
    return P(
        f'<para alignment="center">{tx("— 以下空白 —", bold=True)} '
        f"{_small('End of report', None, MUTED, bold=True)}</para>",
        "body",
    )


# --------------------------------------------------------------------------
# Dossier
# --------------------------------------------------------------------------
CHART_CAP_PCT = 300.0


def metals_chart(metals: list, width: float = FRAME_W) -> Drawing | None:
    """Horizontal bars of measured metal content as % of its limit, 100 % line."""
    rows = []
    for m in metals or []:
        v, lim = _num(m.get("value")), _num(m.get("limit"))
        if v is None or not lim:
            continue
        label = f"{m.get('name_zh') or ''} {m.get('name_en') or m.get('parameter') or ''}".strip()
        rows.append((label, v / lim * 100.0, (m.get("qualifier") or "").strip(), m.get("status")))
    if not rows:
        return None
    # Axis 0..125-300 %: a larger value is drawn to the edge and labelled "≫"
    # with its real figure, so the 100 % line stays readable.
    vmax = min(CHART_CAP_PCT, max(125.0, max(p for _, p, _, _ in rows) * 1.15))
    step = 25 if vmax <= 200 else 50
    vmax = step * (int(vmax / step) + (1 if vmax % step else 0))

    bar_h = 13
    left, bottom = 118, 26
    height = bottom + bar_h * len(rows) + 22
    d = Drawing(width, height, initialFontName=LATIN_FONT)  # not Helvetica (never embedded)
    d.add(Rect(0, 0, width, height, fillColor=colors.HexColor("#fbfcfc"), strokeColor=GRID, strokeWidth=0.5))
    bc = HorizontalBarChart()
    bc.x, bc.y = left, bottom
    bc.width, bc.height = width - left - 40, bar_h * len(rows)
    bc.data = [[min(p, vmax) for _, p, _, _ in rows]]
    bc.categoryAxis.categoryNames = ["" for _ in rows]
    bc.categoryAxis.reverseDirection = 1
    bc.categoryAxis.labels.fontSize = 0.1  # labels drawn below with per-run fonts
    bc.categoryAxis.labels.fontName = LATIN_FONT
    bc.categoryAxis.labels.fillColor = None
    bc.categoryAxis.strokeColor = MUTED
    bc.valueAxis.valueMin = 0
    bc.valueAxis.valueMax = vmax
    bc.valueAxis.valueStep = step
    bc.valueAxis.labels.fontName = LATIN_FONT
    bc.valueAxis.labels.fontSize = 7
    bc.valueAxis.labelTextFormat = "%d %%"
    bc.valueAxis.strokeColor = MUTED
    bc.valueAxis.visibleGrid = 1
    bc.valueAxis.gridStrokeColor = colors.HexColor("#e1e8e7")
    bc.valueAxis.gridStrokeWidth = 0.4
    bc.barWidth = bar_h * 0.62
    bc.groupSpacing = bar_h * 0.38
    bc.bars.strokeColor = None
    bc.barLabels.fontName = LATIN_FONT
    bc.barLabels.fontSize = 6.8
    bc.barLabels.boxAnchor = "w"
    bc.barLabels.dx = 3
    bc.barLabelFormat = None
    labels = []
    for i, (_, pct, q, status) in enumerate(rows):
        tone = STATUS.get(status or "", ("", "", "neutral"))[2]
        fill = TONES[tone][0]
        if q:  # below detection: the bar is the detection limit, shown lighter
            fill = colors.linearlyInterpolatedColor(fill, colors.white, 0, 1, 0.55)
        bc.bars[(0, i)].fillColor = fill
        text = f"{q} {pct:.0f} %" if q else f"{pct:.0f} %"
        if pct > vmax:  # clipped bar: real figure inside its end, in white
            text += " >>"
            bc.barLabels[(0, i)].boxAnchor = "e"
            bc.barLabels[(0, i)].dx = -4
            bc.barLabels[(0, i)].fillColor = colors.white
            bc.barLabels[(0, i)].fontName = LATIN_BOLD
        labels.append(text)
    bc.barLabelArray = [labels]
    bc.barLabelFormat = "values"
    d.add(bc)
    x100 = bc.x + bc.width * 100.0 / vmax
    d.add(
        Line(
            x100,
            bc.y - 3,
            x100,
            bc.y + bc.height + 4,
            strokeColor=TONES["bad"][0],
            strokeWidth=1,
            strokeDashArray=[3, 2],
        )
    )
    for i, (label, _, _, _) in enumerate(rows):
        y = bc.y + bc.height - (i + 0.5) * bar_h - 2.6
        _add_mixed_strings(d, bc.x - 5, y, label, 7.5, INK, anchor="end")
    _add_mixed_strings(d, x100, bc.y + bc.height + 7, "100 % = 限值 limit", 7, TONES["bad"][0], anchor="middle")
    _add_mixed_strings(
        d, bc.x + bc.width / 2, 6, "測值佔限值百分比 Measured value as % of limit", 7, MUTED, anchor="middle"
    )
    return d


def _add_mixed_strings(d: Drawing, x, y, text, size, color, anchor="start"):
    """Add ``text`` to a drawing as one String per font run."""
    segs = _segments(text, markup=False)
    width = sum(stringWidth(t, f, size) for f, t, _ in segs)
    if anchor == "end":
        x -= width
    elif anchor == "middle":
        x -= width / 2
    for font, t, _ in segs:
        d.add(String(x, y, t, fontName=font, fontSize=size, fillColor=color, textAnchor="start"))
        x += stringWidth(t, font, size)


def _code_row(ctx: dict) -> list:
    """The verification code, printed beside the number (documents frozen before codes existed have none)."""
    code = ctx.get("verification_code")
    return [("查驗碼", "Verification code", tx(code, bold=True))] if code else []


def _signature_block(sig: dict | None, requested_by: str) -> list:
    return [
        signatory_table(sig),
        Spacer(1, 1.5 * mm),
        P(bi("申請者", "Requested by", 6.5, sep=" ") + ": " + tx(_s(requested_by)), "note"),
    ]


def _sample_rows(samples: list) -> tuple[list, list]:
    rows, cmds = [], []
    for i, s in enumerate(samples, start=1):
        rows.append(
            [
                P(tx(_s(s.get("code")), bold=True)),
                P(tx(_s(s.get("lot_number")))),
                P(tx(f"{_s(s.get('sampled_on'))}\n{_s(s.get('received_on'))}"), "cell_c"),
                P(tx(_s(s.get("verified_on"))), "cell_c"),
                P(tx(_s(s.get("certificate")))),
                P(status_markup(s.get("maturity_verdict"))),
                P(status_markup(s.get("compliance_verdict"))),
            ]
        )
        cmds += status_cell_style(s.get("maturity_verdict"), 5, i)
        cmds += status_cell_style(s.get("compliance_verdict"), 6, i)
    return rows, cmds


def _results_table(results: list) -> Table:
    rows = []
    for r in results:
        u = r.get("uncertainty")
        rows.append(
            [
                P(bi(r.get("name_zh") or "", r.get("name_en") or r.get("parameter") or DASH, 7, sep=" ")),
                P(tx(_value_text(r.get("value"), r.get("qualifier")), bold=True), "cell_r"),
                P(tx(f"± {u}" if u else DASH), "cell_r"),
                P(tx(_s(r.get("unit")) if r.get("unit") else DASH), "cell_c"),
                P(_basis_markup(r.get("basis")), "cell_c"),
                P(_small(" ".join(x for x in (r.get("method_code"), r.get("method_title_en")) if x), 6.8, INK)),
            ]
        )
    return data_table(
        [
            bi("項目", "Parameter", 6.5),
            bi("結果", "Result", 6.5),
            bi("U (k = 2)", "", 6.5),
            bi("單位", "Unit", 6.5),
            bi("基準", "Basis", 6.5),
            bi("方法", "Method", 6.5),
        ],
        rows or [[P(tx(DASH))] * 6],
        [46, 20, 18, 16, 16, 62],
        header_styles=["head", "head_r", "head_r", "head_c", "head_c", "head"],
    )


def render_dossier(ctx: dict) -> bytes:
    """Fertilizer registration test dossier (DOMAIN.md §7, §7.1) as PDF bytes: the lab's document,
    signed by its reviewer; every sample with its results and verdicts; the registration rules checked."""
    _cjk()
    lab = ctx.get("lab") or {}
    man = ctx.get("manufacturer") or {}
    prod = ctx.get("product") or {}
    number = _s(ctx.get("number"))
    url = ctx.get("verification_url") or ""
    declared = ctx.get("declared") or []
    metals = ctx.get("metals") or []
    samples = ctx.get("samples") or []
    reg = ctx.get("registration") or {}
    comp = ctx.get("compliance") or {}

    story: list = []
    story.append(
        header_block(
            "肥料登記檢驗資料",
            "Fertilizer Registration Test Dossier",
            "",
            [
                ("文件編號", "Dossier No.", tx(number, bold=True)),
                *_code_row(ctx),
                ("產品", "Product", tx(_s(prod.get("name")))),
                ("發行日期", "Issue date", tx(_s(ctx.get("issue_date")))),
                ("申請日期", "Application date", tx(_s(reg.get("application_date")))),
            ],
            url,
        )
    )
    story.append(Spacer(1, 4 * mm))

    dec_fail = any((d.get("status") or "") == "fail" for d in declared)
    detail = tx(f"{len(samples)} ") + bi(
        "件已審核樣品（取最差者）", "verified sample(s); the worst verdict counts", None, sep=" "
    )
    if comp:
        detail += "<br/>" + tx(_s(comp.get("standard_title"))) + f" [{escape(_s(comp.get('standard')))}]"
    story.append(
        verdict_box(
            [
                ("符合性判定", "Compliance verdict", ctx.get("compliance_verdict") or "not_assessed", ""),
                (
                    "保證成分",
                    "Guaranteed components",
                    "fail" if dec_fail else ("pass" if declared else "incomplete"),
                    "",
                ),
                ("腐熟度", "Maturity", ctx.get("maturity_verdict") or "not_assessed", detail),
            ],
            [60, 50, FRAME_W / mm - 110],
        )
    )
    story.append(Spacer(1, 3 * mm))

    n = 1
    story += _heading(n, "實驗室、申請者及產品", "Laboratory, applicant and product")
    story.append(
        kv_table(_lab_rows(lab) + [("申請者", "Applicant", tx(_s(ctx.get("requested_by"))))] + _party_rows(man, prod))
    )
    story.append(Spacer(1, 3 * mm))

    n += 1
    story += _heading(n, "原料及製程（第 10 條）", "Raw materials and process (Art. 10)")
    raws = prod.get("raw_materials") or []
    rrows = [[P(tx(_s(r.get("name")))), P(tx(_s(r.get("proportion_pct"))), "cell_r")] for r in raws]
    total = sum(_num(r.get("proportion_pct")) or 0 for r in raws)
    extra = []
    if raws:
        rrows.append([P(bi("合計", "Total", 7, sep=" "), "label"), P(tx(f"{total:g}", bold=True), "cell_r")])
        extra = [
            ("LINEABOVE", (0, len(rrows)), (-1, len(rrows)), 0.8, BRAND),
            ("BACKGROUND", (0, len(rrows)), (-1, len(rrows)), BRAND_LIGHT),
        ]
    raw_t = data_table(
        [bi("原料", "Raw material", 6.5), bi("配比 %", "Proportion %", 6.5)],
        rrows or [[P(tx(DASH)), P(tx(DASH), "cell_r")]],
        [62, 26],
        extra,
        ["head", "head_r"],
    )
    proc = prod.get("process") or {}
    proc_rows = [
        [P(bi("醱酵天數", "Fermentation", 6.5), "label"), P(tx(f"{_s(proc.get('fermentation_days'))} 天 days"))],
        [P(bi("最高溫度", "Peak temperature", 6.5), "label"), P(tx(f"{_s(proc.get('peak_temperature_c'))} °C"))],
        [P(bi("翻堆次數", "Turnings", 6.5), "label"), P(tx(f"{_s(proc.get('turnings'))} 次 times"))],
    ]
    proc_t = Table(proc_rows, colWidths=[32 * mm, 48 * mm], hAlign="LEFT")
    proc_t.setStyle(TableStyle(_base_table_style(0, False) + [("BACKGROUND", (0, 0), (0, -1), BRAND_LIGHT)]))
    side = Table(
        [[raw_t, [P(bi("製程條件", "Process", 7, sep=" "), "label"), Spacer(1, 1 * mm), proc_t]]],
        colWidths=[94 * mm, FRAME_W - 94 * mm],
        hAlign="LEFT",
    )
    side.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (1, 0), (1, 0), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story.append(side)
    story.append(Spacer(1, 3 * mm))

    n += 1
    desc = reg.get("description") or {}
    story += _heading(n, "肥料說明書（第 15 條）", "Fertilizer description (Art. 15)")
    drows = [
        [
            P(bi(r.get("name_zh") or "", r.get("name_en") or "", 6.5, sep=" "), "label"),
            P(tx(r.get("value")) if r.get("value") else status_markup("missing")),
        ]
        for r in desc.get("rows") or []
    ]
    story.append(
        data_table(
            [bi("項目", "Item", 6.5), bi("內容（申請者提供）", "Content (supplied by the applicant)", 6.5)],
            drows or [[P(tx(DASH))] * 2],
            [50, 128],
        )
    )
    story.append(Spacer(1, 1.2 * mm))
    story.append(
        P(
            tx(f"說明書日期 {_s(desc.get('issued_on'))}；申請日期 {_s(reg.get('application_date'))}。")
            + " "
            + _small(
                f"Description dated {_s(desc.get('issued_on'))}; application filed "
                f"{_s(reg.get('application_date'))}. Art. 16: the description and every test "
                "report are at most one year old at the application date (checked).",
                None,
                MUTED,
            ),
            "note",
        )
    )
    story.append(Spacer(1, 3 * mm))

    n += 1
    story += _heading(n, "檢驗樣品及判定", "Samples tested, certificates and verdicts")
    srows, scmds = _sample_rows(samples)
    story.append(
        data_table(
            [
                bi("樣品編號", "Sample code", 6.5),
                bi("批號", "Lot No.", 6.5),
                bi("採樣 / 收樣", "Sampled / received", 6.5),
                bi("審核日期", "Verified on", 6.5),
                bi("證書編號", "Certificate", 6.5),
                bi("腐熟度", "Maturity", 6.5),
                bi("符合性", "Compliance", 6.5),
            ],
            srows or [[P(tx(DASH))] * 7],
            [28, 22, 24, 20, 28, 28, 28],
            scmds,
            ["head", "head", "head_c", "head_c", "head", "head", "head"],
        )
    )
    for s in samples:
        story.append(Spacer(1, 2.5 * mm))
        story.append(P(bi("檢驗結果", "Results", 7, sep=" ") + "  " + tx(_s(s.get("code")), bold=True), "body"))
        story.append(Spacer(1, 1 * mm))
        story.append(_results_table(s.get("results") or []))
    story.append(Spacer(1, 3 * mm))

    n += 1
    rule = ctx.get("declared_rule") or {}
    story += _heading(n, "保證成分：申報值與實測值", "Guaranteed components: declared vs measured")
    drows, dcmds = [], []
    for i, d in enumerate(declared, start=1):
        zh, en = d.get("name_zh") or "", d.get("name_en") or d.get("parameter") or DASH
        drows.append(
            [
                P(bi(zh, en, 7.2, sep=" ")),
                P(tx(_s(d.get("declared"))), "cell_r"),
                P(tx(_s(d.get("measured")), bold=True), "cell_r"),
                P(tx(_s(d.get("sample")))),
                P(tx(_s(d.get("unit"))), "cell_c"),
                P(status_markup(d.get("status"))),
            ]
        )
        dcmds += status_cell_style(d.get("status"), 5, i)
    story.append(
        data_table(
            [
                bi("項目", "Component", 6.5),
                bi("申報保證值", "Declared", 6.5),
                bi("實測值（最低）", "Measured (lowest)", 6.5),
                bi("樣品", "Sample", 6.5),
                bi("單位", "Unit", 6.5),
                bi("判定", "Result", 6.5),
            ],
            drows or [[P(tx(DASH))] * 6],
            [46, 24, 28, 32, 16, 32],
            dcmds,
            ["head", "head_r", "head_r", "head", "head_c", "head"],
        )
    )
    story.append(Spacer(1, 1.2 * mm))
    story.append(
        P(
            tx(f"判定規則：{_s(rule.get('zh'))}，須不低於申報值。")
            + " "
            + _small(f"Rule: {_s(rule.get('en'))}, which must be at least the declared value.", None, MUTED),
            "note",
        )
    )
    story.append(Spacer(1, 3 * mm))

    n += 1
    mat = ctx.get("maturity") or []
    story += _heading(n, "腐熟度證據", "Maturity evidence", 45)
    if not mat:
        story += _maturity_block(None)
    for j, m in enumerate(mat):
        if j:
            story.append(Spacer(1, 3 * mm))
        story.append(KeepTogether(_maturity_block(m, sample_label=f"{_s(m.get('sample'))}")))
    story.append(Spacer(1, 3 * mm))

    n += 1
    mrule = ctx.get("metals_rule") or {}
    story += _heading(n, "重金屬（有害成分）與限值", "Heavy metals against limits", 60)
    mrows, mcmds = [], []
    for i, m in enumerate(metals, start=1):
        v, lim = _num(m.get("value")), _num(m.get("limit"))
        pct = f"{v / lim * 100:.0f} %" if v is not None and lim else DASH
        if pct != DASH and (m.get("qualifier") or "").strip():
            pct = f"{m.get('qualifier').strip()} {pct}"
        mrows.append(
            [
                P(bi(m.get("name_zh") or "", m.get("name_en") or m.get("parameter") or DASH, 7.2, sep=" ")),
                P(
                    tx(
                        _value_text(m.get("value"), m.get("qualifier"))
                        + (f" ± {m.get('uncertainty')}" if m.get("uncertainty") else ""),
                        bold=True,
                    ),
                    "cell_r",
                ),
                P(
                    tx(
                        f"{KIND_SYMBOL.get(m.get('kind') or 'max', '≤')} {m.get('limit')}"
                        if m.get("limit") not in (None, "")
                        else "本版無限值 no limit in this edition"
                    ),
                    "cell_r",
                ),
                P(tx(_s(m.get("unit"))), "cell_c"),
                P(tx(_s(m.get("sample")))),
                P(tx(pct), "cell_r"),
                P(status_markup(m.get("status"))),
            ]
        )
        mcmds += status_cell_style(m.get("status"), 6, i)
    story.append(
        data_table(
            [
                bi("項目", "Metal", 6.5),
                bi("測值（最高）", "Measured (highest)", 6.5),
                bi("限值", "Limit", 6.5),
                bi("單位", "Unit", 6.5),
                bi("樣品", "Sample", 6.5),
                bi("佔限值", "% of limit", 6.5),
                bi("判定", "Result", 6.5),
            ],
            mrows or [[P(tx(DASH))] * 7],
            [36, 22, 34, 14, 28, 16, 28],
            mcmds,
            ["head", "head_r", "head_r", "head_c", "head", "head_r", "head"],
        )
    )
    story.append(Spacer(1, 1.2 * mm))
    story.append(
        P(
            tx(f"測值：{_s(mrule.get('zh'))}；判定為各樣品中最差者。")
            + " "
            + _small(
                f"Measured: {_s(mrule.get('en'))}; the result is the worst over the samples. Every "
                "measured metal is listed; where the edition sets no limit for the category it says so.",
                None,
                MUTED,
            ),
            "note",
        )
    )
    chart = metals_chart([m for m in metals if m.get("limit") not in (None, "")])
    if chart is not None:
        story.append(Spacer(1, 2.5 * mm))
        story.append(
            KeepTogether(
                [
                    chart,
                    Spacer(1, 1 * mm),
                    P(
                        tx("淺色長條：低於偵測極限，以偵測極限作圖。")
                        + " "
                        + _small(
                            "Light bars: below the detection limit, plotted at that limit. "
                            "Colour and the Result column "
                            "carry the same judgement.",
                            None,
                            MUTED,
                        ),
                        "note",
                    ),
                ]
            )
        )
    story.append(Spacer(1, 3 * mm))

    n += 1
    story += _heading(n, "事業廢棄物（第 5 條）", "Industrial waste (Art. 5)")
    if reg.get("industrial_waste"):
        wrows, wcmds = [], []
        for i, d in enumerate(reg.get("waste_documents") or [], start=1):
            extra_txt = ""
            if d.get("metals"):
                extra_txt = "; ".join(
                    f"{x['parameter'].capitalize()} {x['value']:g}"
                    + (
                        f" {KIND_SYMBOL.get(x.get('kind'), '≤')} {x['limit']:g}"
                        if x.get("limit") is not None
                        else " (no limit in this edition)"
                    )
                    + f" {x['status']}"
                    for x in d["metals"]
                )
            wrows.append(
                [
                    P(bi(d.get("name_zh") or "", d.get("name_en") or "", 6.8, sep=" ")),
                    P(tx(_s(d.get("reference")))),
                    P(tx(_s(d.get("date"))), "cell_c"),
                    P(status_markup(d.get("status"))),
                    P(_small(extra_txt or DASH, 6.8, INK)),
                ]
            )
            wcmds += status_cell_style(d.get("status"), 3, i)
        story.append(
            data_table(
                [
                    bi("文件", "Document", 6.5),
                    bi("文號", "Reference", 6.5),
                    bi("日期", "Date", 6.5),
                    bi("狀態", "Status", 6.5),
                    bi("重金屬判定（品目限值）", "Metals vs category limits", 6.5),
                ],
                wrows,
                [52, 30, 20, 26, 50],
                wcmds,
            )
        )
    else:
        story.append(
            P(
                tx("申請者聲明本產品未使用事業廢棄物，無須第 5 條之附加文件。")
                + " "
                + _small(
                    "Declared by the applicant: not made with or from industrial waste; the extra "
                    "documents of Art. 5 do not apply.",
                    None,
                    MUTED,
                ),
                "note",
            )
        )
    story.append(Spacer(1, 3 * mm))

    n += 1
    decl = ctx.get("chemical_fertilizer_declaration") or {}
    added = decl.get("declared_added")
    if added is None:
        flag, tone = tx(DASH), "neutral"
    else:
        flag = (tx("有添加化學肥料 ") if added else tx("未添加化學肥料 ")) + _small(
            "Chemical fertilizer added" if added else "No chemical fertilizer added", None, None, bold=True
        )
        tone = "bad" if added else "good"
    decl_t = Table(
        [
            [
                [
                    P(tx(_s(decl.get("text_zh"))), "body"),
                    Spacer(1, 1.2 * mm),
                    P(_small(_s(decl.get("text_en")), None, INK), "body"),
                ],
                P(f'<font color="{TONES[tone][0].hexval()}">{flag}</font>', "cell_c"),
            ]
        ],
        colWidths=[FRAME_W - 46 * mm, 46 * mm],
        hAlign="LEFT",
    )
    decl_t.setStyle(
        TableStyle(
            _base_table_style(0, False)
            + [
                ("BACKGROUND", (1, 0), (1, 0), TONES[tone][1]),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story += _heading(n, "委託者聲明事項", "Declared by the customer") + [decl_t, Spacer(1, 3 * mm)]

    n += 1
    notes = P(
        tx("本資料所列結果僅對受測樣品負責。")
        + " "
        + _small("Results relate only to the items tested.", None, MUTED)
        + "<br/>"
        + tx("查驗網址 ")
        + _small("Verification: ", None, MUTED)
        + f'<a href="{escape(url, {chr(34): "&quot;"})}" color="{BRAND.hexval()}">{tx(url or DASH)}</a>',
        "note",
    )
    story += batch_evidence.flowables(ctx)  # composting batch evidence of the samples, if any
    closing = (
        _heading(n, "簽署", "Signature of the laboratory", None)
        + _signature_block(ctx.get("signature"), ctx.get("requested_by"))
        + [Spacer(1, 2.5 * mm), notes, Spacer(1, 4 * mm), end_of_report()]
    )
    story.append(KeepTogether(closing))

    def on_page(c, doc):
        _draw_band(c, lab, f"{number}")
        _draw_footer(
            c,
            f"文件編號 Dossier No. {number} · 發行日期 Issued {_s(ctx.get('issue_date'))}",
            "本資料結果僅對受測樣品負責 Results relate only to the items tested.",
            f"{_s(prod.get('name'))}",
        )

    return _build(
        story,
        title=f"{number} 肥料登記檢驗資料 Fertilizer Registration Test Dossier",
        subject=_s(prod.get("name")),
        author=_s(lab.get("name_en") or lab.get("name_zh")),
        keywords=f"{number}, {_s(prod.get('category_key'))}",
        on_page=on_page,
        created=ctx.get("issue_date"),
    )
