"""Display formatting of figures, shared by the pages and the PDFs. Pure.

Stored values are never rounded; only what a person reads is. Four
significant figures, no exponent, trailing zeros kept to the precision shown.
"""

import math

METHOD_LABELS = {
    "moisture": ("烘乾重量法", "Oven-drying gravimetry"),
    "organic_carbon_wet_oxidation": ("濕式氧化法", "Wet oxidation (Walkley–Black)"),
    "organic_carbon_combustion": ("乾式燃燒法", "Dry combustion"),
    "total_nitrogen_kjeldahl": ("凱氏法", "Kjeldahl"),
    "germination": ("種子發芽試驗", "Seed germination test"),
    "reducing_sugar": ("還原糖測定", "Reducing sugar"),
    "chromatogram": ("圓形濾紙顯圖法", "Circular filter-paper chromatogram"),
    "direct": ("儀器分析", "Instrumental analysis"),
    "observation": ("觀察", "Observation"),
    "co2_evolution": ("呼吸測定法 CO₂ 釋放", "Respirometry (CO₂ evolution)"),
    "solvita": ("Solvita 色階試驗", "Solvita colour test"),
    "mineral_nitrogen": ("銨態氮與硝酸態氮", "NH₄-N and NO₃-N"),
    "dewar": ("Dewar 自熱試驗", "Dewar self-heating test"),
    "derived": ("計算值", "Calculated"),
}


def fmt(value, sig=4):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, float):
        return str(value)
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    digits = sig - int(math.floor(math.log10(abs(value)))) - 1
    digits = max(0, min(digits, 6))
    return f"{value:.{digits}f}"


def fmt_indicator_value(value):
    if isinstance(value, dict):
        short = {"relative_germination_pct": "RG", "relative_root_growth_pct": "RRG"}
        return ", ".join(f"{short.get(k, k)} {fmt(v)} %" for k, v in value.items() if v is not None) or ""
    return fmt(value)
