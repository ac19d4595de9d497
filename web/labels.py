"""What a person reads on the pages: labels of codes (statuses, actions,
verdicts, parameters, methods).

The services' and calculations' messages need no help here: each is a
``lims.messages.Message`` (or a lazy string) marked for translation where it is
made, so it reads in the page's language when the page turns it into text.
"""

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from maturity.formatting import METHOD_LABELS, fmt
from maturity.parameters import DERIVED, PARAMETERS
from maturity.stability_forms import CCQC_INDICATORS


def is_zh():
    return (get_language() or "zh-hant").lower().startswith("zh")


def bilingual(zh, en):
    return zh if is_zh() else en


# --------------------------------------------------------------------------- codes

SAMPLE_STATUS = {
    "registered": gettext_lazy("Registered"),
    "received": gettext_lazy("Received"),
    "rejected": gettext_lazy("Rejected"),
    "in_testing": gettext_lazy("In testing"),
    "to_be_verified": gettext_lazy("To be verified"),
    "verified": gettext_lazy("Verified"),
    "certified": gettext_lazy("Certified"),
}
ACTIONS = {
    "receive": gettext_lazy("Receive"),
    "reject": gettext_lazy("Reject"),
    "start_testing": gettext_lazy("Start testing"),
    "submit": gettext_lazy("Submit for verification"),
    "verify": gettext_lazy("Verify"),
    "retest": gettext_lazy("Retest"),
    "certify": gettext_lazy("Certify"),
    "reopen": gettext_lazy("Return to verification"),
}
VERDICTS = {
    "very_mature": gettext_lazy("Very mature"),
    "mature": gettext_lazy("Mature"),
    "intermediate": gettext_lazy("Intermediate"),
    "immature": gettext_lazy("Immature"),
    "incomplete": gettext_lazy("Incomplete"),
    "pass": gettext_lazy("Pass"),
    "fail": gettext_lazy("Fail"),
    "conditional": gettext_lazy("Conditional"),
    "missing": gettext_lazy("Missing"),
    "invalid": gettext_lazy("Invalid"),
    "skipped": gettext_lazy("Not applied"),
    "not_judged": gettext_lazy("Not judged"),
    "not_applicable": gettext_lazy("Not applicable"),
}
INDICATORS = {
    "germination": gettext_lazy("Germination test"),
    "cn_ratio": gettext_lazy("C/N ratio"),
    "reducing_sugar": gettext_lazy("Reducing sugar / total carbon"),
    "chromatogram": gettext_lazy("Filter-paper chromatogram"),
    "germination_index": gettext_lazy("Germination index"),
    **CCQC_INDICATORS,
}
RULE_SETS = {
    "tari_1999": gettext_lazy("TARI 1999 (germination, C/N, reducing sugar, chromatogram)"),
    "zucconi_gi": gettext_lazy("Zucconi germination index"),
    "ccqc_2001": gettext_lazy("CCQC 2001 maturity index"),
}
DECISION_RULES = {
    "simple": gettext_lazy("Simple acceptance (shared risk)"),
    "guarded": gettext_lazy("Guarded acceptance (uncertainty considered)"),
}
BASES = {"dry": gettext_lazy("dry basis"), "as_received": gettext_lazy("as received"), "": ""}
VALIDITY = {
    "valid": gettext_lazy("Valid"),
    "superseded": gettext_lazy("Superseded"),
    "revoked": gettext_lazy("Revoked"),
}
RENDER = {
    "awaiting_signature": gettext_lazy("Awaiting signature"),
    "queued": gettext_lazy("Queued"),
    "rendering": gettext_lazy("Rendering"),
    "ready": gettext_lazy("Ready"),
    "failed": gettext_lazy("Failed"),
}
DOC_KINDS = {"certificate": gettext_lazy("Certificate"), "registration": gettext_lazy("Registration dossier")}
ASSAY_STATUS = {
    "entered": gettext_lazy("Entered"),
    "verified": gettext_lazy("Verified"),
    "invalidated": gettext_lazy("Invalidated"),
}
KINDS = {"min": "≥", "max": "≤", "max_exclusive": "<"}
GERMINATION_PROTOCOLS = {
    "tari_cabbage": gettext_lazy("TARI: Chinese cabbage, 60 °C extract, 25 °C 3 days"),
    "livestock_radish": gettext_lazy("Livestock manure: radish, 80 °C extract, 20 °C 3 days"),
}
CHROMATOGRAM_PROTOCOLS = {
    "tari_agno3": gettext_lazy("TARI: AgNO₃ paper, 1 % NaOH extract (three zones)"),
    "livestock_naoh": gettext_lazy("Livestock manure: 0.1 N NaOH extract (edge only)"),
}
ZONES = {"center": gettext_lazy("Centre"), "middle_band": gettext_lazy("Middle band"), "edge": gettext_lazy("Edge")}
ZONE_CODES = {
    "white_to_pink": gettext_lazy("white to pink (fresh)"),
    "red_to_purple": gettext_lazy("red to purple (mature)"),
    "ring": gettext_lazy("ring-shaped (fresh)"),
    "irregular": gettext_lazy("irregular (mature)"),
    "smooth": gettext_lazy("smooth, not serrated (fresh)"),
    "serrated": gettext_lazy("serrated, tooth-like (mature)"),
}
FLAGS = {
    "dichromate_reduced_over_limit": gettext_lazy(
        "More than the lab's limit of the dichromate added was reduced, so "
        "oxidation may be incomplete: repeat with less sample."
    ),
    "organic_carbon_stands_in_for_total_carbon": gettext_lazy(
        "Total carbon was not measured, so organic carbon stands in for it in the RS/TC ratio."
    ),
    "control_germination_below_validity": gettext_lazy(
        "Control germination is below the lab's validity limit, so the germination assay is invalid."
    ),
    "control_germination_zero": gettext_lazy(
        "No control seed germinated, so relative germination and the germination index are undefined."
    ),
    "control_root_length_zero": gettext_lazy(
        "Control root length is zero, so relative root growth and the germination index are undefined."
    ),
    "no3_n_zero": gettext_lazy("NO₃-N is zero, so the NH₄-N : NO₃-N ratio is undefined."),
}
AUDIT_ENTITIES = {
    "sample": gettext_lazy("Sample"),
    "assay": gettext_lazy("Assay"),
    "certificate": gettext_lazy("Certificate"),
    "registration": gettext_lazy("Registration dossier"),
    "product": gettext_lazy("Product"),
    # qc app
    "worksheet": gettext_lazy("Worksheet"),
    "worksheet_template": gettext_lazy("Worksheet template"),
    "reference_material": gettext_lazy("Reference material"),
    "qc_limits": gettext_lazy("QC limits"),
    "control_chart": gettext_lazy("Control chart"),
    "chromatogram_reading": gettext_lazy("Chromatogram reading"),
}
AUDIT_ACTIONS = {
    "create": gettext_lazy("created"),
    "update": gettext_lazy("corrected"),
    "verify": gettext_lazy("verified"),
    "invalidate": gettext_lazy("invalidated for retest"),
    "supersede": gettext_lazy("superseded"),
    "revoke": gettext_lazy("revoked"),
    "reopen": gettext_lazy("returned to verification"),
    "mark_for_supersession": gettext_lazy("marked for supersession"),
    "qc_override": gettext_lazy("QC flags overridden by the reviewer"),
    "sign": gettext_lazy("signed"),
    "reissue": gettext_lazy("re-issued"),
    # qc app: worksheets and the QC figures
    "enter": gettext_lazy("results entered"),
    "submit": gettext_lazy("submitted"),
    "release": gettext_lazy("released despite a QC reject"),
    "recompute": gettext_lazy("recomputed from QC data"),
}
ROLE_NAMES = {
    "technician": gettext_lazy("Technician"),
    "reviewer": gettext_lazy("Reviewer"),
    "manufacturer": gettext_lazy("Manufacturer"),
    "regulator": gettext_lazy("Regulator"),
    "lab_admin": gettext_lazy("Lab admin"),
}


def label(table, code):
    value = table.get(code)
    return str(value) if value is not None else ("" if code is None else str(code))


def status_label(code):
    return label(SAMPLE_STATUS, code)


def verdict_label(code):
    return label(VERDICTS, code)


def method_label(method):
    zh, en = METHOD_LABELS.get(method, (method, method))
    return bilingual(zh, en)


def param_name(key):
    if key.startswith("declaration:"):
        return _("Declaration")
    p = PARAMETERS.get(key) or DERIVED.get(key)
    if p is None:
        return key
    return bilingual(p.name_zh, p.name_en)


def param_unit(key):
    p = PARAMETERS.get(key) or DERIVED.get(key)
    return p.unit if p else ""


def category_name(key, names=None):
    from maturity.selectors import category_names

    names = names if names is not None else category_names()
    zh, en = names.get(key, (key, key))
    return bilingual(zh, en)


def value_text(value, unit="", qualifier="", parameter=None, method=None, uncertainty=None):
    """'<5 mg/kg', '12.50 %', '88 ± 15 mg/kg': with ``parameter``, the lab's reporting rule
    (maturity.reporting, digits per parameter and method); without, four significant figures."""
    if value is None:
        return "—"
    if parameter:
        from maturity.selectors import display

        return display(parameter, method or "", value, uncertainty, qualifier, unit)["text"]
    text = f"{qualifier}{fmt(value)}"
    return f"{text} {unit}".strip()


# --------------------------------------------------------------------------- messages


def text(message):
    """A message of the services or calculations (a lims.messages.Message, a lazy string) as text in the
    page's language: it is translated where it was made, so it only has to be read now."""
    return "" if message is None else str(message)


def texts(errors):
    """{path: [messages]} -> {path: [texts]} in the page's language."""
    return {k: [text(m) for m in v] for k, v in (errors or {}).items()}
