"""The bench sheet of a worksheet (issue 11): positions, sample codes with Code 128 barcodes, blank cells
for the results. Renders from a plain dict (no database), like the certificates.

Drawn with the layout toolkit of the certificates (certificates.layout): the bundled CJK face for the bilingual
labels, the bundled Latin face for codes and numbers, both embedded, on its invariant canvas (starts in the
Latin face, not reportlab's Helvetica; same bytes for the same worksheet on any machine)."""

import io

from reportlab.graphics.barcode import code128
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from .fonts import LATIN_FONT
from .layout import InvariantCanvas, cjk_font

KIND_NAMES = {
    "sample": ("樣品", "sample"),
    "blank": ("空白", "blank"),
    "duplicate": ("重複", "duplicate"),
    "reference": ("參考物質", "reference"),
    "spike": ("添加", "spike"),
}
ROW_H = 13 * mm
RESULT_COLUMNS = (("結果 1", "Result 1"), ("結果 2", "Result 2"), ("備註", "Note"))


def render_bench_sheet(ctx: dict) -> bytes:
    """``ctx``: title, method, created_by, created_at, positions [{number, kind, label, detail}]."""
    font = cjk_font()
    buf = io.BytesIO()
    width, height = landscape(A4)
    c = InvariantCanvas(buf, pagesize=(width, height))
    c.setTitle(ctx.get("title", "Bench sheet"))
    cols = [15 * mm, 28 * mm, 75 * mm, 50 * mm] + [37 * mm] * len(RESULT_COLUMNS)
    left = 12 * mm
    positions = list(ctx.get("positions", []))
    per_page = int((height - 48 * mm) // ROW_H)
    pages = [positions[i : i + per_page] for i in range(0, len(positions), per_page)] or [[]]
    for page_no, rows in enumerate(pages, 1):
        c.setFont(font, 13)
        c.drawString(left, height - 14 * mm, f"工作單 Worksheet {ctx.get('title', '')}  ·  {ctx.get('method', '')}")
        c.setFont(font, 8)
        c.drawString(
            left,
            height - 20 * mm,
            f"檢驗員 Technician: {ctx.get('created_by', '')}   "
            f"建立 Created: {ctx.get('created_at', '')}   "
            f"頁 Page {page_no}/{len(pages)}",
        )
        y = height - 30 * mm
        headers = [("位置", "Pos."), ("類別", "Kind"), ("編號", "Code"), ("說明", "Detail"), *RESULT_COLUMNS]
        x = left
        for (zh, en), w in zip(headers, cols):
            c.rect(x, y - 8 * mm, w, 8 * mm)
            c.drawString(x + 1.5 * mm, y - 5 * mm, f"{zh} {en}")
            x += w
        y -= 8 * mm
        for row in rows:
            x = left
            for w in cols:
                c.rect(x, y - ROW_H, w, ROW_H)
                x += w
            c.setFont(LATIN_FONT, 10)
            c.drawString(left + 2 * mm, y - 8 * mm, str(row["number"]))
            zh, en = KIND_NAMES.get(row["kind"], (row["kind"], row["kind"]))
            c.setFont(font, 8)
            c.drawString(left + cols[0] + 1.5 * mm, y - 8 * mm, f"{zh} {en}")
            label = row["label"]
            c.setFont(LATIN_FONT, 8)
            barcode = code128.Code128(label, barHeight=7 * mm, barWidth=0.28 * mm)
            bx = left + cols[0] + cols[1] + 1.5 * mm
            barcode.drawOn(c, bx - 4 * mm, y - 9 * mm)
            c.drawString(bx, y - 12 * mm, label)
            c.setFont(font, 8)  # the detail may carry a lab-written code or name in Chinese
            c.drawString(left + sum(cols[:3]) + 1.5 * mm, y - 8 * mm, str(row.get("detail", ""))[:40])
            y -= ROW_H
        c.showPage()
    c.save()
    return buf.getvalue()
