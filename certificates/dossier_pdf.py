"""The fertilizer registration test dossier (DOMAIN.md §7, §7.1) as PDF bytes, from its frozen context only
(``certificates.context.dossier_context``): the lab's document, signed by its reviewer; every sample with its
results and verdicts; the registration rules checked; a chart of the metals against their limits."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Line, Rect
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, TableStyle

from . import batch_evidence
from .fonts import LATIN_BOLD, LATIN_FONT
from .layout import (
    BRAND,
    BRAND_LIGHT,
    DASH,
    FRAME_W,
    GRID,
    INK,
    MUTED,
    STATUS,
    TONES,
    P,
    Table,
    add_mixed_strings,
    base_table_style,
    bi,
    build_pdf,
    cjk_font,
    data_table,
    draw_band,
    draw_footer,
    end_of_report,
    header_block,
    heading,
    kv_table,
    show,
    small,
    status_cell_style,
    status_markup,
    to_float,
    tx,
    verdict_box,
)
from .sections import (
    KIND_SYMBOL,
    basis_markup,
    code_row,
    lab_rows,
    maturity_block,
    party_rows,
    signatory_table,
    value_text,
)

CHART_CAP_PCT = 300.0


def metals_chart(metals: list, width: float = FRAME_W) -> Drawing | None:
    """Horizontal bars of measured metal content as % of its limit, 100 % line."""
    rows = []
    for m in metals or []:
        v, lim = to_float(m.get("value")), to_float(m.get("limit"))
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
        add_mixed_strings(d, bc.x - 5, y, label, 7.5, INK, anchor="end")
    add_mixed_strings(d, x100, bc.y + bc.height + 7, "100 % = 限值 limit", 7, TONES["bad"][0], anchor="middle")
    add_mixed_strings(
        d, bc.x + bc.width / 2, 6, "測值佔限值百分比 Measured value as % of limit", 7, MUTED, anchor="middle"
    )
    return d


def _signature_block(sig: dict | None, requested_by: str) -> list:
    return [
        signatory_table(sig),
        Spacer(1, 1.5 * mm),
        P(bi("申請者", "Requested by", 6.5, sep=" ") + ": " + tx(show(requested_by)), "note"),
    ]


def _sample_rows(samples: list) -> tuple[list, list]:
    rows, cmds = [], []
    for i, s in enumerate(samples, start=1):
        rows.append(
            [
                P(tx(show(s.get("code")), bold=True)),
                P(tx(show(s.get("lot_number")))),
                P(tx(f"{show(s.get('sampled_on'))}\n{show(s.get('received_on'))}"), "cell_c"),
                P(tx(show(s.get("verified_on"))), "cell_c"),
                P(tx(show(s.get("certificate")))),
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
                P(tx(value_text(r.get("value"), r.get("qualifier")), bold=True), "cell_r"),
                P(tx(f"± {u}" if u else DASH), "cell_r"),
                P(tx(show(r.get("unit")) if r.get("unit") else DASH), "cell_c"),
                P(basis_markup(r.get("basis")), "cell_c"),
                P(small(" ".join(x for x in (r.get("method_code"), r.get("method_title_en")) if x), 6.8, INK)),
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
    cjk_font()
    lab = ctx.get("lab") or {}
    man = ctx.get("manufacturer") or {}
    prod = ctx.get("product") or {}
    number = show(ctx.get("number"))
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
                *code_row(ctx),
                ("產品", "Product", tx(show(prod.get("name")))),
                ("發行日期", "Issue date", tx(show(ctx.get("issue_date")))),
                ("申請日期", "Application date", tx(show(reg.get("application_date")))),
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
        detail += "<br/>" + tx(show(comp.get("standard_title"))) + f" [{escape(show(comp.get('standard')))}]"
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
    story += heading(n, "實驗室、申請者及產品", "Laboratory, applicant and product")
    story.append(
        kv_table(lab_rows(lab) + [("申請者", "Applicant", tx(show(ctx.get("requested_by"))))] + party_rows(man, prod))
    )
    story.append(Spacer(1, 3 * mm))

    n += 1
    story += heading(n, "原料及製程（第 10 條）", "Raw materials and process (Art. 10)")
    raws = prod.get("raw_materials") or []
    rrows = [[P(tx(show(r.get("name")))), P(tx(show(r.get("proportion_pct"))), "cell_r")] for r in raws]
    total = sum(to_float(r.get("proportion_pct")) or 0 for r in raws)
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
        [P(bi("醱酵天數", "Fermentation", 6.5), "label"), P(tx(f"{show(proc.get('fermentation_days'))} 天 days"))],
        [P(bi("最高溫度", "Peak temperature", 6.5), "label"), P(tx(f"{show(proc.get('peak_temperature_c'))} °C"))],
        [P(bi("翻堆次數", "Turnings", 6.5), "label"), P(tx(f"{show(proc.get('turnings'))} 次 times"))],
    ]
    proc_t = Table(proc_rows, colWidths=[32 * mm, 48 * mm], hAlign="LEFT")
    proc_t.setStyle(TableStyle(base_table_style(0, False) + [("BACKGROUND", (0, 0), (0, -1), BRAND_LIGHT)]))
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
    story += heading(n, "肥料說明書（第 15 條）", "Fertilizer description (Art. 15)")
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
            tx(f"說明書日期 {show(desc.get('issued_on'))}；申請日期 {show(reg.get('application_date'))}。")
            + " "
            + small(
                f"Description dated {show(desc.get('issued_on'))}; application filed "
                f"{show(reg.get('application_date'))}. Art. 16: the description and every test "
                "report are at most one year old at the application date (checked).",
                None,
                MUTED,
            ),
            "note",
        )
    )
    story.append(Spacer(1, 3 * mm))

    n += 1
    story += heading(n, "檢驗樣品及判定", "Samples tested, certificates and verdicts")
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
        story.append(P(bi("檢驗結果", "Results", 7, sep=" ") + "  " + tx(show(s.get("code")), bold=True), "body"))
        story.append(Spacer(1, 1 * mm))
        story.append(_results_table(s.get("results") or []))
    story.append(Spacer(1, 3 * mm))

    n += 1
    rule = ctx.get("declared_rule") or {}
    story += heading(n, "保證成分：申報值與實測值", "Guaranteed components: declared vs measured")
    drows, dcmds = [], []
    for i, d in enumerate(declared, start=1):
        zh, en = d.get("name_zh") or "", d.get("name_en") or d.get("parameter") or DASH
        drows.append(
            [
                P(bi(zh, en, 7.2, sep=" ")),
                P(tx(show(d.get("declared"))), "cell_r"),
                P(tx(show(d.get("measured")), bold=True), "cell_r"),
                P(tx(show(d.get("sample")))),
                P(tx(show(d.get("unit"))), "cell_c"),
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
            tx(f"判定規則：{show(rule.get('zh'))}，須不低於申報值。")
            + " "
            + small(f"Rule: {show(rule.get('en'))}, which must be at least the declared value.", None, MUTED),
            "note",
        )
    )
    story.append(Spacer(1, 3 * mm))

    n += 1
    mat = ctx.get("maturity") or []
    story += heading(n, "腐熟度證據", "Maturity evidence", 45)
    if not mat:
        story += maturity_block(None)
    for j, m in enumerate(mat):
        if j:
            story.append(Spacer(1, 3 * mm))
        story.append(KeepTogether(maturity_block(m, sample_label=f"{show(m.get('sample'))}")))
    story.append(Spacer(1, 3 * mm))

    n += 1
    mrule = ctx.get("metals_rule") or {}
    story += heading(n, "重金屬（有害成分）與限值", "Heavy metals against limits", 60)
    mrows, mcmds = [], []
    for i, m in enumerate(metals, start=1):
        v, lim = to_float(m.get("value")), to_float(m.get("limit"))
        pct = f"{v / lim * 100:.0f} %" if v is not None and lim else DASH
        if pct != DASH and (m.get("qualifier") or "").strip():
            pct = f"{m.get('qualifier').strip()} {pct}"
        mrows.append(
            [
                P(bi(m.get("name_zh") or "", m.get("name_en") or m.get("parameter") or DASH, 7.2, sep=" ")),
                P(
                    tx(
                        value_text(m.get("value"), m.get("qualifier"))
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
                P(tx(show(m.get("unit"))), "cell_c"),
                P(tx(show(m.get("sample")))),
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
            tx(f"測值：{show(mrule.get('zh'))}；判定為各樣品中最差者。")
            + " "
            + small(
                f"Measured: {show(mrule.get('en'))}; the result is the worst over the samples. Every "
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
                        + small(
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
    story += heading(n, "事業廢棄物（第 5 條）", "Industrial waste (Art. 5)")
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
                    P(tx(show(d.get("reference")))),
                    P(tx(show(d.get("date"))), "cell_c"),
                    P(status_markup(d.get("status"))),
                    P(small(extra_txt or DASH, 6.8, INK)),
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
                + small(
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
        flag = (tx("有添加化學肥料 ") if added else tx("未添加化學肥料 ")) + small(
            "Chemical fertilizer added" if added else "No chemical fertilizer added", None, None, bold=True
        )
        tone = "bad" if added else "good"
    decl_t = Table(
        [
            [
                [
                    P(tx(show(decl.get("text_zh"))), "body"),
                    Spacer(1, 1.2 * mm),
                    P(small(show(decl.get("text_en")), None, INK), "body"),
                ],
                P(f'<font color="{TONES[tone][0].hexval()}">{flag}</font>', "cell_c"),
            ]
        ],
        colWidths=[FRAME_W - 46 * mm, 46 * mm],
        hAlign="LEFT",
    )
    decl_t.setStyle(
        TableStyle(
            base_table_style(0, False)
            + [
                ("BACKGROUND", (1, 0), (1, 0), TONES[tone][1]),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story += heading(n, "委託者聲明事項", "Declared by the customer") + [decl_t, Spacer(1, 3 * mm)]

    n += 1
    notes = P(
        tx("本資料所列結果僅對受測樣品負責。")
        + " "
        + small("Results relate only to the items tested.", None, MUTED)
        + "<br/>"
        + tx("查驗網址 ")
        + small("Verification: ", None, MUTED)
        + f'<a href="{escape(url, {chr(34): "&quot;"})}" color="{BRAND.hexval()}">{tx(url or DASH)}</a>',
        "note",
    )
    story += batch_evidence.flowables(ctx)  # composting batch evidence of the samples, if any
    closing = (
        heading(n, "簽署", "Signature of the laboratory", None)
        + _signature_block(ctx.get("signature"), ctx.get("requested_by"))
        + [Spacer(1, 2.5 * mm), notes, Spacer(1, 4 * mm), end_of_report()]
    )
    story.append(KeepTogether(closing))

    def on_page(c, doc):
        draw_band(c, lab, f"{number}")
        draw_footer(
            c,
            f"文件編號 Dossier No. {number} · 發行日期 Issued {show(ctx.get('issue_date'))}",
            "本資料結果僅對受測樣品負責 Results relate only to the items tested.",
            f"{show(prod.get('name'))}",
        )

    return build_pdf(
        story,
        title=f"{number} 肥料登記檢驗資料 Fertilizer Registration Test Dossier",
        subject=show(prod.get("name")),
        author=show(lab.get("name_en") or lab.get("name_zh")),
        keywords=f"{number}, {show(prod.get('category_key'))}",
        on_page=on_page,
        created=ctx.get("issue_date"),
    )
