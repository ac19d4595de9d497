"""The test report and certificate of compliance (DOMAIN.md §7, ISO/IEC 17025 §7.8) as PDF bytes, from the
certificate's frozen context only (``certificates.context.certificate_context``): same context, same bytes."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, TableStyle

from . import batch_evidence
from .layout import (
    BRAND,
    BRAND_LIGHT,
    DASH,
    FRAME_W,
    INK,
    MUTED,
    P,
    Table,
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
    image_from_b64,
    kv_table,
    show,
    small,
    status_cell_style,
    status_markup,
    tx,
    verdict_box,
)
from .sections import (
    DECISION_RULES,
    basis_markup,
    category_markup,
    code_row,
    compliance_block,
    lab_rows,
    maturity_block,
    signatory_table,
    value_text,
)


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
    title = " ".join(x for x in (r.get("method_title_zh"), r.get("method_title_en")) if x) or show(r.get("method"))
    out = small(f"{code} " if code and code != DASH else "", 7, INK, bold=True) + small(title, 7, INK)
    if r.get("lod"):
        out += small(f"  LOD {r.get('lod')}", 6.5, MUTED)
    if r.get("external_provider"):
        out += "<br/>" + small(f"§ {r.get('external_provider')}", 6.5, MUTED)
    return out


def _deviation_lines(ctx: dict) -> list[str]:
    lines = []
    am = ctx.get("amendment") or {}
    if am:
        changed = ", ".join(am.get("changed") or []) or "—"
        lines.append(
            tx(f"修訂：取代 {show(am.get('replaces'))}；原因：{show(am.get('reason'))}；變更結果（*）：{changed}")
            + "<br/>"
            + small(
                f"Amendment: replaces {show(am.get('replaces'))}; "
                f"reason: {show(am.get('reason'))}; "
                f"changed results (*): {changed}",
                None,
                MUTED,
            )
        )
    for d in ctx.get("deviations") or []:
        if d.get("kind") == "override":
            lines.append(
                tx(
                    f"品管覆核放行 QC override by {show(d.get('by'))} ({show(d.get('at'))}): {show(d.get('text'))}. "
                    f"理由 Reason: {show(d.get('reason'))}"
                )
            )
        elif d.get("kind") == "invalid":
            lines.append(tx(f"無效試驗 Invalid assay: {show(d.get('text'))}"))
        else:
            lines.append(tx(f"品管旗標 QC flag: {show(d.get('text'))}"))
    for d in ctx.get("remarks") or []:
        text = d.get("text") if isinstance(d, dict) else d
        lines.append(tx(f"備註 Remark: {show(text)}"))
    return lines


def _qc_notes(results, qc_passed):
    """Issue 11: U estimated from the lab's QC data (marked * after U in the U column, apart from the * after
    the name of a parameter changed by an amendment), and the statement that QC passed."""
    notes = []
    if any(r.get("uncertainty_from_qc") for r in results):
        notes.append(
            P(
                tx("「± U *」：擴充不確定度由本實驗室品質管制數據估計（Nordtest TR 537）。")
                + "<br/>"
                + small(
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
                + small(
                    "Quality control of this sample's runs (blanks, duplicates, reference materials) passed.",
                    None,
                    MUTED,
                ),
                "note",
            )
        )
    return notes


def _declarations_block(decls: list) -> list:
    """Customer declarations: not test results; a contradicted one makes the product ineligible."""
    if not decls:
        return [P(bi("本品目無須聲明事項。", "The category requires no declaration.", sep=" "), "note")]
    rows, cmds = [], []
    for i, d in enumerate(decls, start=1):
        effect = ""
        if d.get("effect_zh") or d.get("effect_en"):
            effect = tx(show(d.get("effect_zh"))) + "<br/>" + small(show(d.get("effect_en")), None, INK)
        rows.append(
            [
                P(bi(d.get("text_zh") or "", d.get("text_en") or DASH, 7.2, sep=" ")),
                P(status_markup("declared_ok" if d.get("status") == "pass" else d.get("status"))),
                P(effect or small(show(d.get("reason")), 7, INK)),
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
            + small(
                "Declarations are made by the customer, not tested by the laboratory; a declaration the "
                "product contradicts still decides the overall verdict.",
                None,
                MUTED,
            ),
            "note",
        )
    )
    return out


def render_certificate(ctx: dict) -> bytes:
    """Test report and certificate of compliance (DOMAIN.md §7, ISO/IEC 17025 §7.8) as PDF bytes."""
    cjk_font()
    lab = ctx.get("lab") or {}
    man = ctx.get("manufacturer") or {}
    prod = ctx.get("product") or {}
    sample = ctx.get("sample") or {}
    results = ctx.get("results") or []
    maturity = ctx.get("maturity")
    comp = ctx.get("compliance")
    number = show(ctx.get("number"))
    version = ctx.get("version") or 1
    supersedes = ctx.get("supersedes")
    url = ctx.get("verification_url") or ""
    accredited_lab = bool(lab.get("accreditation_number"))

    story: list = []
    meta = [
        ("證書編號", "Certificate No.", tx(number, bold=True)),
        *code_row(ctx),
        (
            "版次",
            "Version",
            tx(f"{version}") + ("   " + small(f"取代 supersedes {supersedes}", 7.5, INK) if supersedes else ""),
        ),
        ("發證日期", "Issue date", tx(show(ctx.get("issue_date")))),
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
                small("標準 Standard: ", 7, MUTED) + tx(show(comp.get("standard")), bold=True),
                small("品目 Category: ", 7, MUTED)
                + tx(f"{show(comp.get('category_zh'))} {show(comp.get('category_en'))}"),
                small("判定規則 Decision rule: ", 7, MUTED) + tx(f"{r_zh} {r_en}".strip()),
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
    story += heading(1, "實驗室及委託者", "Laboratory and customer")
    story.append(
        kv_table(
            lab_rows(lab)
            + [
                ("委託者", "Customer", tx(show(man.get("name")))),
                ("委託者地址", "Customer address", tx(show(man.get("address")))),
            ]
        )
    )
    mark = image_from_b64(lab.get("accreditation_mark") or "", 30 * mm, 14 * mm)
    if mark is not None:
        story += [Spacer(1, 1.5 * mm), mark]
    story.append(Spacer(1, 3 * mm))

    # 2. Item tested
    perf = ctx.get("performance") or {}
    story += heading(2, "受測樣品", "Item tested")
    story.append(
        kv_table(
            [
                ("產品名稱 ‡", "Product ‡", tx(show(prod.get("name")))),
                ("品目", "Category", category_markup(prod)),
                ("樣品編號", "Sample code", tx(show(sample.get("code")), bold=True)),
                ("批號 ‡", "Lot No. ‡", tx(show(sample.get("lot_number")))),
                ("採樣日期 ‡", "Sampled on ‡", tx(show(sample.get("sampled_on")))),
                ("收樣日期", "Received on", tx(show(sample.get("received_on")))),
                (
                    "收樣狀況",
                    "Condition on receipt",
                    tx(
                        show(sample.get("condition_on_receipt"))
                        if sample.get("condition_on_receipt")
                        else "未記錄 not recorded"
                    ),
                ),
                ("檢驗期間", "Dates of performance", tx(f"{show(perf.get('from'))} – {show(perf.get('to'))}")),
                ("原料含蔗渣 ‡", "Bagasse-based ‡", tx(show(prod.get("bagasse_based")))),
                ("添加化學肥料 ‡", "Chem. fertilizer added ‡", tx(show(prod.get("chemical_fertilizer_added")))),
            ]
        )
    )
    st = ctx.get("sampling_statement") or {}
    if st:
        story.append(Spacer(1, 1.2 * mm))
        story.append(P(tx(show(st.get("zh"))) + "<br/>" + small(show(st.get("en")), None, MUTED), "note"))
    story.append(Spacer(1, 3 * mm))

    # 3. Results
    story += heading(3, "檢驗結果", "Test results")
    rows = []
    for r in results:
        u = r.get("uncertainty")
        u = (f"± {u}" + (" *" if r.get("uncertainty_from_qc") else "")) if u not in (None, "") else DASH
        marks = _marks_of(r, accredited_lab)
        name = bi(r.get("name_zh") or "", r.get("name_en") or r.get("parameter") or DASH, 7.2, sep=" ")
        rows.append(
            [
                P(name + (f" {tx(marks, bold=True)}" if marks else "")),
                P(tx(value_text(r.get("value"), r.get("qualifier")), bold=True), "cell_r"),
                P(tx(u), "cell_r"),
                P(tx(show(r.get("unit")) if r.get("unit") else DASH), "cell_c"),
                P(
                    basis_markup(r.get("basis"))
                    + (
                        "<br/>" + small(r["basis_note"], 6, MUTED)
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
        P(tx(basis_zh + legend_zh) + "<br/>" + small(f"{basis_en} {legend_en} {marks_en}", None, MUTED), "note")
    )
    story += _qc_notes(results, ctx.get("qc_passed"))
    story.append(Spacer(1, 3 * mm))

    # 4. Test conditions
    story += heading(4, "試驗條件", "Test conditions")
    cond = ctx.get("conditions") or []
    if cond:
        story.append(
            P(
                "<br/>".join(
                    tx(f"{c.get('text_zh')}  ") * bool(c.get("text_zh")) + small(show(c.get("text_en")), None, INK)
                    for c in cond
                ),
                "note",
            )
        )
    else:
        story.append(P(bi("無特殊試驗條件。", "No test conditions to state.", sep=" "), "note"))
    story.append(Spacer(1, 3 * mm))

    # 5. Maturity
    story += heading(5, "腐熟度評估", "Maturity assessment")
    story += maturity_block(maturity)
    story.append(Spacer(1, 3 * mm))

    # 6. Compliance
    story += heading(6, "符合性判定", "Statement of compliance")
    story += compliance_block(comp, results)
    story.append(Spacer(1, 3 * mm))

    # 7. Declared by the customer
    story += heading(7, "委託者聲明事項", "Declared by the customer")
    story += _declarations_block((comp or {}).get("declarations") or [])
    story.append(Spacer(1, 3 * mm))

    # 8. Deviations and remarks
    lines = _deviation_lines(ctx)
    story += heading(8, "偏離及備註", "Deviations and remarks")
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
                P(tx(show(ctx.get("entered_by")))),
                P(bi("報告審核", "Verified by", 6.5), "label"),
                P(tx(show(ctx.get("verified_by")), bold=True)),
                P(bi("審核時間", "Verified at", 6.5), "label"),
                P(tx(show(ctx.get("verified_at")))),
            ]
        ],
        colWidths=[22 * mm, 38 * mm, 20 * mm, 35 * mm, 20 * mm, FRAME_W - 135 * mm],
        hAlign="LEFT",
    )
    sign.setStyle(
        TableStyle(
            base_table_style(0, False)
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
                f"本證書簽發時缺少下列必要項目之結果：{names_zh}。仍予簽發之理由：{show(anyway.get('reason'))}",
                f"Issued with required results missing: {names_en}. Reason: {show(anyway.get('reason'))}",
            )
        )
    note_md = "<br/>".join(f"{i}. " + tx(zh) + " " + small(en, None, MUTED) for i, (zh, en) in enumerate(notes, 1))
    note_md += "<br/>" + f'<a href="{escape(url, {chr(34): "&quot;"})}" color="{BRAND.hexval()}">{tx(url or DASH)}</a>'
    story.append(
        KeepTogether(
            heading(9, "簽核及聲明", "Authorisation and notes", None)
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
        draw_band(c, lab, f"{number} · {version_note}")
        draw_footer(
            c,
            f"證書編號 Certificate No. {number} ({version_note}) · 發證日期 Issued {show(ctx.get('issue_date'))}",
            "本報告結果僅對受測樣品負責 Results relate only to the item tested.",
            "未經書面同意不得部分複製 Not to be reproduced except in full",
        )

    return build_pdf(
        story,
        title=f"{number} 檢驗報告暨符合性證明 Test Report and Certificate of Compliance",
        subject=f"{show(prod.get('name'))} / {show(sample.get('code'))}",
        author=show(lab.get("name_en") or lab.get("name_zh")),
        keywords=f"{number}, {show(sample.get('code'))}, {show(prod.get('category_key'))}",
        on_page=on_page,
        created=ctx.get("issue_date"),
    )
