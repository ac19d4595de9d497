"""The stable parameter keys of DOMAIN.md §3, with their units and names.

Pure data, no Django import. One name per concept: these keys are used by the
calculations, the API, the UI, the standards files and the certificates.
"""

from dataclasses import dataclass

from lims.messages import Message, gettext_noop


@dataclass(frozen=True)
class Parameter:
    key: str
    unit: str  # canonical unit ('' for dimensionless)
    name_zh: str
    name_en: str
    basis: str = "dry"  # canonical basis: 'dry', 'as_received' or '' (not a content)


METALS = ("cd", "cr", "cu", "hg", "ni", "pb", "zn", "as", "co", "mo")

_P = Parameter
PARAMETERS = {
    p.key: p
    for p in [
        _P("moisture_pct", "%", "水分", "Moisture", "as_received"),
        _P("ph", "", "酸鹼值 (1:5)", "pH (1:5)", ""),
        _P("ec_ds_m", "dS/m", "電導度 (1:5)", "EC (1:5)", ""),
        _P("organic_carbon_pct", "%", "有機碳", "Organic carbon"),
        _P("total_carbon_pct", "%", "總碳", "Total carbon"),
        _P("organic_matter_pct", "%", "有機質", "Organic matter"),
        _P("total_nitrogen_pct", "%", "全氮", "Total nitrogen"),
        _P("p2o5_pct", "%", "全磷酐", "Total P₂O₅"),
        _P("k2o_pct", "%", "全氧化鉀", "Total K₂O"),
        _P("cao_pct", "%", "氧化鈣", "CaO"),
        _P("mgo_pct", "%", "氧化鎂", "MgO"),
        _P("cn_ratio", "", "碳氮比", "C/N ratio", ""),
        _P("reducing_sugar_pct", "%", "還原糖", "Reducing sugar"),
        _P("rs_tc_ratio_pct", "%", "還原糖/總碳", "Reducing sugar / total carbon", ""),
        _P("relative_germination_pct", "%", "相對發芽率", "Relative germination", ""),
        _P("relative_root_growth_pct", "%", "相對根長", "Relative root growth", ""),
        _P("germination_index_pct", "%", "發芽指數", "Germination index", ""),
        _P("chromatogram_score", "", "濾紙顯圖分數", "Chromatogram score", ""),
        _P("cd", "mg/kg", "鎘", "Cadmium (Cd)"),
        _P("cr", "mg/kg", "鉻", "Chromium (Cr)"),
        _P("cu", "mg/kg", "銅", "Copper (Cu)"),
        _P("hg", "mg/kg", "汞", "Mercury (Hg)"),
        _P("ni", "mg/kg", "鎳", "Nickel (Ni)"),
        _P("pb", "mg/kg", "鉛", "Lead (Pb)"),
        _P("zn", "mg/kg", "鋅", "Zinc (Zn)"),
        _P("as", "mg/kg", "砷", "Arsenic (As)"),
        _P("co", "mg/kg", "鈷", "Cobalt (Co)"),
        _P("mo", "mg/kg", "鉬", "Molybdenum (Mo)"),
        _P("cec_meq_100g", "meq/100 g", "陽離子交換容量", "CEC"),
        _P("max_particle_mm", "mm", "最大粒徑", "Maximum particle size", ""),
        _P("impurities_pct", "%", "夾雜物", "Inert impurities"),
        # stability (§12)
        _P("co2_c_mg_per_g_om_day", "mg/g OM/day", "CO₂-C 釋放速率", "CO₂-C evolution rate", ""),
        _P("solvita_co2", "", "Solvita CO₂ 色階", "Solvita CO₂ colour number", ""),
        _P("solvita_nh3", "", "Solvita NH₃ 色階", "Solvita NH₃ colour number", ""),
        _P("nh4_n_mg_kg", "mg/kg", "銨態氮", "Ammonium-N (NH₄-N)"),
        _P("no3_n_mg_kg", "mg/kg", "硝酸態氮", "Nitrate-N (NO₃-N)"),
        _P("nh4_no3_ratio", "", "銨態氮/硝酸態氮", "NH₄-N : NO₃-N ratio", ""),
        _P("dewar_rise_c", "°C", "Dewar 自熱升溫", "Dewar self-heating rise", ""),
    ]
}

# Derived for judgement only (DOMAIN.md §6): N + P2O5 + K2O.
DERIVED = {"npk_sum_pct": _P("npk_sum_pct", "%", "氮磷鉀總和", "N + P₂O₅ + K₂O")}

UNITS_PER_PCT = {"%": 1.0, "mg/kg": 10_000.0}  # 1 % = 10 000 mg/kg


def unknown_parameter(key):
    """The message of a parameter key that is not one of these (the regulator's filters, the QC limits)."""
    return Message("unknown_parameter", gettext_noop("Unknown parameter '%(parameter)s'."), parameter=key)
