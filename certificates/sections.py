"""Sections shared by the certificate and the registration dossier: the laboratory's identity, the parties and
the product, the maturity assessment, the statement of compliance and the signatory, with their vocabulary
(rule sets, decision rules, indicator names). Built from the frozen context with the layout toolkit."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, TableStyle

from .layout import (
    BRAND_LIGHT,
    DASH,
    FRAME_W,
    INK,
    MUTED,
    STATUS,
    TONES,
    P,
    Table,
    base_table_style,
    bi,
    data_table,
    image_from_b64,
    show,
    small,
    status_cell_style,
    status_markup,
    tx,
)

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


def lab_rows(lab: dict) -> list:
    """Laboratory identity (ISO/IEC 17025 §7.8.2.1 b): name, address, telephone, location, accreditation."""
    acc = " ".join(x for x in (lab.get("accreditation_body"), lab.get("accreditation_number")) if x)
    return [
        ("實驗室", "Laboratory", tx(f"{show(lab.get('name_zh'))}  {show(lab.get('name_en'))}")),
        ("電話", "Telephone", tx(show(lab.get("telephone")))),
        ("地址", "Address", tx(show(lab.get("address")))),
        ("檢驗地點", "Location of activities", tx(show(lab.get("location")))),
        ("認證", "Accreditation", tx(acc or show(lab.get("accreditation")))),
    ]


def party_rows(man: dict, prod: dict) -> list:
    """Manufacturer and product rows, shared by the certificate and the dossier."""
    return [
        ("製造商", "Manufacturer", tx(show(man.get("name")))),
        ("地址", "Address", tx(show(man.get("address")))),
        ("產品名稱", "Product", tx(show(prod.get("name")))),
        ("品目", "Category", category_markup(prod)),
        ("原料含蔗渣", "Bagasse-based", tx(show(prod.get("bagasse_based")))),
        ("添加化學肥料", "Chem. fertilizer added", tx(show(prod.get("chemical_fertilizer_added")))),
    ]


def category_markup(product: dict) -> str:
    zh, en = product.get("category_zh"), product.get("category_en")
    if not (zh or en):  # only the key is known
        return tx(show(product.get("category_key")))
    return tx(f"{show(zh)}  {show(en)}")  # names, not the key


def basis_markup(basis) -> str:
    if basis in BASIS:
        zh, en = BASIS[basis]
        return tx(zh) + " " + small(en, 7)
    return tx(DASH)


def value_text(value, qualifier="") -> str:
    value = show(value)
    q = (qualifier or "").strip()
    return f"{q} {value}" if q and value != DASH else value


def code_row(ctx: dict) -> list:
    """The verification code, printed beside the number (documents frozen before codes existed have none)."""
    code = ctx.get("verification_code")
    return [("查驗碼", "Verification code", tx(code, bold=True))] if code else []


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
                P(tx(show(ind.get("value"))), "cell_r"),
                P(tx(show(ind.get("criterion")))),
                P(status_markup(ind.get("status"))),
            ]
        )
        cmds += status_cell_style(ind.get("status"), 3, i)
    return rows, cmds


def maturity_block(m: dict | None, sample_label: str | None = None) -> list:
    if not m:
        return [P(bi("未進行腐熟度評估。", "No maturity assessment was made.", sep=" "), "body")]
    rs = m.get("rule_set") or ""
    rs_zh, rs_en = RULE_SETS.get(rs, ("", rs))
    intro = (
        bi("判定規則", "Rule set", 7, sep=" ")
        + ": "
        + tx(rs_zh + "  " if rs_zh else "")
        + small(f"{rs_en} [{rs}]", 7.5, INK)
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
    limit = show(check.get("limit"))
    unit = (check.get("unit") or "").strip()
    sym = KIND_SYMBOL.get(kind)
    if sym:
        return f"{sym} {limit}" + (f" {unit}" if unit else "")
    if kind and limit != DASH:
        return f"{kind}: {limit}"
    return limit if limit != DASH else show(kind)


def compliance_block(comp: dict | None, *sources) -> list:
    if not comp:
        return [P(bi("未進行符合性判定。", "No compliance assessment was made.", sep=" "), "body")]
    rule = comp.get("decision_rule") or "simple"
    r_zh, r_en = DECISION_RULES.get(rule, ("", rule))
    intro = [
        bi("依據標準", "Standard", 7, sep=" ")
        + ": "
        + tx(show(comp.get("standard_title")))
        + " "
        + small(f"[{show(comp.get('standard'))}]", 7.5, INK),
        bi("品目", "Category", 7, sep=" ")
        + ": "
        + tx(f"{show(comp.get('category_zh') or comp.get('category'))} {show(comp.get('category_en') or '')}"),
        bi("判定規則", "Decision rule", 7, sep=" ") + ": " + tx(r_zh + " " if r_zh else "") + small(r_en, 7.5, INK),
    ]
    out = [P("<br/>".join(intro), "body"), Spacer(1, 1.5 * mm)]
    rows, cmds = [], []
    for i, ch in enumerate(comp.get("checks") or [], start=1):
        key = ch.get("parameter") or ""
        zh, en = _param_names(key, [ch], *sources)
        measured = value_text(ch.get("value"), ch.get("qualifier"))
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
                P(small(show(ch.get("reason")), 7, INK)),
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


def signatory_table(sig: dict | None) -> Table:
    """Authorised signatory (§7.8.2.1 o): name, title, signature image, date."""
    sig = sig or {}
    img = image_from_b64(sig.get("signature") or "", 45 * mm, 14 * mm)
    cell = img if img is not None else P(small("（未上傳簽名圖檔 no signature image on file）", 7, MUTED), "note")
    t = Table(
        [
            [
                P(bi("報告簽署人", "Authorised signatory", 6.5), "label"),
                P(tx(show(sig.get("name")), bold=True) + "<br/>" + tx(show(sig.get("title")))),
                cell,
                P(bi("日期", "Date", 6.5), "label"),
                P(tx(show(sig.get("date")))),
            ]
        ],
        colWidths=[28 * mm, 52 * mm, 52 * mm, 14 * mm, FRAME_W - 146 * mm],
        hAlign="LEFT",
    )
    t.setStyle(
        TableStyle(
            base_table_style(0, False)
            + [("BACKGROUND", (0, 0), (0, 0), BRAND_LIGHT), ("BACKGROUND", (3, 0), (3, 0), BRAND_LIGHT)]
        )
    )
    return t
