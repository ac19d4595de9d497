"""The regulator's export as people read it: one language for headers and values (the lab
chooses Chinese or English headers in Lab settings, or the page's language), codes turned
into words, and numbers rounded by the reporting rule of the certificates (maturity.formatting.fmt).
The API's export keeps the codes and full precision for machines."""

import math

from django.utils import translation

from maturity.formatting import fmt
from maturity.parameters import DERIVED, PARAMETERS

from . import labels

HEADERS = {  # column -> (zh, en)
    "standard": ("標準版本", "Standard edition"),
    "decision_rule": ("判定規則", "Decision rule"),
    "code": ("樣品編號", "Sample code"),
    "manufacturer": ("肥料廠商", "Manufacturer"),
    "product": ("產品", "Product"),
    "category": ("肥料品目", "Fertilizer category"),
    "status": ("狀態", "Status"),
    "received_on": ("收樣日期", "Received on"),
    "verdict": ("符合性判定", "Verdict"),
    "failing": ("不符合項目", "Failing parameters"),
}


def export_language(lab, page_language):
    """'zh-hant' or 'en': the lab's choice, or the page's language."""
    choice = getattr(lab, "export_language", "page") or "page"
    language = page_language if choice == "page" else choice
    return "en" if (language or "").lower().startswith("en") else "zh-hant"


def _param_header(key, zh):
    p = PARAMETERS.get(key) or DERIVED.get(key)
    name = (p.name_zh if zh else p.name_en) if p else key
    return f"{name} ({p.unit})" if p and p.unit else name


def _number(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return fmt(float(v))


def localize(out, language):
    """A copy of an export frame (market.export_frames) in ``language``: headers, values and rounded numbers."""
    from maturity.selectors import category_names

    zh = language != "en"
    names = category_names()
    table = out.copy()
    with translation.override(language):
        words = {
            "decision_rule": lambda v: labels.label(labels.DECISION_RULES, v),
            "category": lambda v: labels.category_name(v, names),
            "status": labels.status_label,
            "verdict": labels.verdict_label,
            "failing": lambda v: "、".join(labels.param_name(k) for k in str(v).split()) if v else "",
            "received_on": lambda v: "" if v is None or v != v else str(v),
        }
        headers = {}
        for col in table.columns:
            if col in words:
                table[col] = table[col].map(words[col])
            if col in HEADERS:
                headers[col] = HEADERS[col][0 if zh else 1]
            elif col.endswith("_qualifier") and col[: -len("_qualifier")] in table.columns:
                headers[col] = _param_header(col[: -len("_qualifier")], zh) + (" 限定符號" if zh else " qualifier")
            elif col.endswith("_basis") and col[: -len("_basis")] in table.columns:
                table[col] = table[col].map(lambda v: labels.label(labels.BASES, v or ""))
                headers[col] = _param_header(col[: -len("_basis")], zh) + (" 基準" if zh else " basis")
            elif col in PARAMETERS or col in DERIVED:
                table[col] = table[col].map(_number)
                headers[col] = _param_header(col, zh)
    return table.rename(columns=headers)
