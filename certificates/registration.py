"""Taiwan's fertilizer-registration rules the dossier serves (肥料登記證申請及核發辦法, DOMAIN.md §7.1).

Pure, no Django import. ``check`` returns the refusals (field -> messages: nothing is issued
then) and the findings printed in the dossier.
"""

import datetime

from lims.messages import Message, gettext_noop

# Art. 15: what the fertilizer description (肥料說明書) holds.
DESCRIPTION_FIELDS = [
    ("brand", "廠牌", "Brand"),
    ("product_name", "品名", "Product name"),
    ("raw_materials", "原料", "Raw materials"),
    ("manufacturing_process", "製造過程", "Manufacturing process"),
    ("effective_components", "有效成分", "Effective components"),
    ("harmful_components", "有害成分", "Harmful components"),
    ("other_components", "其他成分", "Other components"),
    ("appearance", "外觀", "Appearance"),
    ("use", "用途", "Use"),
    ("rate", "施用量", "Application rate"),
    ("precautions", "注意事項", "Precautions"),
]

# Art. 5: extra documents of a fertilizer made with or from industrial waste (事業廢棄物).
WASTE_DOCUMENTS = [
    ("reuse_permit", "再利用許可文件", "Waste-reuse permit"),
    ("composition_report", "廢棄物成分檢驗報告（八種重金屬）", "Waste composition report (eight metals)"),
    ("harmful_component_report", "有害成分檢驗報告", "Harmful-component test report"),
    ("crop_toxicity_report", "作物毒害試驗報告", "Crop-toxicity test report"),
    ("waste_list", "廢棄物名稱及來源清單", "List of the wastes, their names and sources"),
]
# their names inside a message
WASTE_DOCUMENT_NAMES = {
    "reuse_permit": gettext_noop("Waste-reuse permit"),
    "composition_report": gettext_noop("Waste composition report (eight metals)"),
    "harmful_component_report": gettext_noop("Harmful-component test report"),
    "crop_toxicity_report": gettext_noop("Crop-toxicity test report"),
    "waste_list": gettext_noop("List of the wastes, their names and sources"),
}
EIGHT_METALS = ("as", "cd", "cr", "cu", "hg", "ni", "pb", "zn")
MAX_AGE_DAYS = 365  # Art. 16: at most one year old when the application is filed


def _age_error(label, issued: datetime.date, application: datetime.date):
    """``label``: a Message naming the document."""
    if issued > application:
        message = gettext_noop("%(document)s is dated %(issued)s, after the application date %(application)s")
        return Message(
            "dated_after_application", message, document=label, issued=str(issued), application=str(application)
        )
    if (application - issued).days > MAX_AGE_DAYS:
        message = gettext_noop(
            "%(document)s of %(issued)s is more than one year old at the application date %(application)s "
            "(Art. 16: at most one year)"
        )
        return Message("older_than_a_year", message, document=label, issued=str(issued), application=str(application))
    return None


def check(
    *,
    application_date,
    reports,
    raw_materials,
    description,
    industrial_waste,
    waste_documents,
    metal_limits,
    product_name="",
):
    """-> (errors {field: [messages]}, findings dict).

    ``reports``: [(sample code, date of its test report)]; ``metal_limits``: metal -> (kind, limit) of the
    category applied for (mg/kg, dry); ``waste_documents``: key -> {"reference", "date", "metals"?}."""
    errors, findings = {}, {"application_date": application_date.isoformat()}
    for code, issued in reports:
        label = Message("test_report", gettext_noop("the test report of %(sample)s"), sample=code)
        msg = _age_error(label, issued, application_date)
        if msg:
            errors.setdefault("samples", []).append(msg)
    names = [m.get("name", "").strip() for m in raw_materials or []]
    if not names or not all(names):
        message = gettext_noop("raw materials must be named (Art. 10): register them on the product first")
        errors.setdefault("product", []).append(Message("raw_materials_unnamed", message))
    desc_rows = []
    for key, zh, en in DESCRIPTION_FIELDS:
        value = (description or {}).get(key, "")
        if key == "product_name" and not value:
            value = product_name
        if key == "raw_materials" and not value:
            value = ", ".join(f"{m.get('name')} {m.get('proportion_pct')} %" for m in raw_materials or [])
        desc_rows.append({"key": key, "name_zh": zh, "name_en": en, "value": str(value or "").strip()})
    issued_on = (description or {}).get("issued_on")
    if issued_on:
        label = Message("description", gettext_noop("the fertilizer description"))
        msg = _age_error(label, issued_on, application_date)
        if msg:
            errors.setdefault("description.issued_on", []).append(msg)
    findings["description"] = {
        "rows": desc_rows,
        "issued_on": issued_on.isoformat() if issued_on else "",
        "missing": [r["key"] for r in desc_rows if not r["value"]],
    }
    findings["industrial_waste"] = bool(industrial_waste)
    docs = []
    if industrial_waste:
        for key, zh, en in WASTE_DOCUMENTS:
            d = (waste_documents or {}).get(key) or {}
            date = d.get("date")
            row = {
                "key": key,
                "name_zh": zh,
                "name_en": en,
                "reference": str(d.get("reference") or ""),
                "date": date.isoformat() if date else "",
                "status": "recorded" if date else "missing",
                "metals": [],
            }
            if date:
                msg = _age_error(Message(key, WASTE_DOCUMENT_NAMES[key]), date, application_date)
                if msg:
                    errors.setdefault(f"waste_documents.{key}.date", []).append(msg)
            if key == "composition_report" and date:
                metals = d.get("metals") or {}
                absent = [m for m in EIGHT_METALS if m not in metals]
                if absent:
                    message = gettext_noop(
                        "total As, Cd, Cr, Cu, Hg, Ni, Pb and Zn are required (Art. 5); missing: %(metals)s"
                    )
                    errors.setdefault("waste_documents.composition_report.metals", []).append(
                        Message("metals_required", message, metals=absent)
                    )
                for m in EIGHT_METALS:
                    if m not in metals:
                        continue
                    v = float(metals[m])
                    kind, limit = metal_limits.get(m, (None, None))
                    if limit is None:
                        status = "no_limit"
                    elif kind == "max_exclusive":
                        status = "pass" if v < limit else "fail"
                    else:
                        status = "pass" if v <= limit else "fail"
                    row["metals"].append(
                        {"parameter": m, "value": v, "kind": kind or "", "limit": limit, "status": status}
                    )
                if any(x["status"] == "fail" for x in row["metals"]):
                    row["status"] = "fail"
            docs.append(row)
    findings["waste_documents"] = docs
    return errors, findings
