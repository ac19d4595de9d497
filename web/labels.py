"""What a person reads on the pages: labels of codes (statuses, actions,
verdicts, parameters, methods) and the services' English messages in the
page's language.

The services and calculations speak English with the codes in their
messages; ``translate_message`` puts a known message into Traditional
Chinese (falling back to the English text for anything it does not know),
so a Chinese page never shows an English sentence for a known rule.
"""

import re

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

# Field identifiers that appear inside messages -> their labels.
FIELD_LABELS = {
    "wet_mass_g": gettext_lazy("wet mass"),
    "dry_mass_g": gettext_lazy("dry mass"),
    "sample_mass_g": gettext_lazy("sample mass"),
    "ferrous_normality": gettext_lazy("FeSO₄ normality"),
    "titrant_ml": gettext_lazy("titrant volume"),
    "blank_ml": gettext_lazy("blank volume"),
    "dichromate_normality": gettext_lazy("K₂Cr₂O₇ normality"),
    "dichromate_ml": gettext_lazy("K₂Cr₂O₇ volume"),
    "correction_factor": gettext_lazy("correction factor f"),
    "acid_normality": gettext_lazy("acid normality"),
    "organic_carbon_pct": gettext_lazy("organic carbon"),
    "total_carbon_pct": gettext_lazy("total carbon"),
    "reducing_sugar_pct": gettext_lazy("reducing sugar"),
    "sown": gettext_lazy("sown"),
    "germinated": gettext_lazy("germinated"),
    "mean_root_length_mm": gettext_lazy("mean root length"),
    "protocol": gettext_lazy("protocol"),
}


def _term(text):
    """Localise the codes inside a message fragment: statuses, actions, field names."""
    if not is_zh() or text is None:
        return text

    def one(word):
        for table in (SAMPLE_STATUS, ACTIONS, FIELD_LABELS, VALIDITY, ROLE_NAMES):
            if word in table:
                return str(table[word])
        if word in PARAMETERS:
            return param_name(word)
        if word in METHOD_LABELS:
            return method_label(word)
        return word

    return re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: one(m.group(0)), text)


_M = []


def _msg(pattern, template):
    _M.append((re.compile(pattern + r"\Z", re.S), template))


# calculations (field messages)
_msg(r"is required", gettext_lazy("is required"))
_msg(r"unknown field", gettext_lazy("unknown field"))
_msg(r"already given in another row", gettext_lazy("already given in another row"))
_msg(r"must be > (?P<n>.+)", gettext_lazy("must be > %(n)s"))
_msg(r"must be ≥ (?P<n>.+)", gettext_lazy("must be ≥ %(n)s"))
_msg(r"must be ≤ (?P<n>.+)", gettext_lazy("must be ≤ %(n)s"))
_msg(r"must be an integer", gettext_lazy("must be a whole number"))
_msg(r"must be a number.*", gettext_lazy("must be a number"))
_msg(r"must be a finite number", gettext_lazy("must be a number"))
_msg(r"unknown (?P<what>.+?) '(?P<raw>.*)'; expected one of (?P<choices>.+)", gettext_lazy("not an accepted choice"))
_msg(
    r"blank volume below sample volume: must be > titrant_ml \((?P<n>.+)\)",
    gettext_lazy("the blank volume must be larger than the titrant volume (%(n)s mL)"),
)
_msg(
    r"no dichromate reduced: .*\((?P<a>.+) meq\) must be < dichromate added \((?P<b>.+) meq\)",
    gettext_lazy(
        "no dichromate was reduced: FeSO₄ used (%(a)s meq) must be less than the dichromate added (%(b)s meq)"
    ),
)
_msg(r"must be a list of dishes", gettext_lazy("must be a list of dishes"))
_msg(r"at least one dish is required", gettext_lazy("at least one dish is required"))
_msg(
    r"the sample's (?P<key>\w+) result \((?P<n>.+)\) must be > 0",
    gettext_lazy("the sample's %(key)s result (%(n)s) must be > 0"),
)
_msg(
    r"required: the sample has no total or organic carbon result",
    gettext_lazy("required: the sample has no total or organic carbon result yet"),
)
_msg(r"at least one value is required", gettext_lazy("at least one value is required"))
_msg(r"at least one observation is required", gettext_lazy("at least one observation is required"))
_msg(r"unknown parameter '(?P<p>.+)'", gettext_lazy("unknown parameter %(p)s"))
_msg(
    r"unit '(?P<u>.*)' not accepted for (?P<p>\w+); expected (?P<e>.+)",
    gettext_lazy("unit '%(u)s' is not accepted for %(p)s; use %(e)s"),
)
_msg(
    r"basis '(?P<b>.*)' not accepted for (?P<p>\w+); expected (?P<e>.+)",
    gettext_lazy("this basis is not accepted for %(p)s"),
)
_msg(r"qualifier '(?P<q>.*)' not accepted; expected '' or '<'", gettext_lazy("the qualifier must be empty or '<'"))
_msg(r"must be true or false", gettext_lazy("must be yes or no"))
_msg(r"must be text", gettext_lazy("must be text"))
_msg(r"unknown observation; expected one of .+", gettext_lazy("unknown observation"))
_msg(r"must be > 0 to compute C/N", gettext_lazy("must be > 0 to compute C/N"))
_msg(r"must be > 0 to compute RS/TC", gettext_lazy("must be > 0 to compute RS/TC"))
_msg(r"must be > 0 to stand in for total carbon in RS/TC", gettext_lazy("must be > 0 to stand in for total carbon"))
_msg(r"must be an object.*", gettext_lazy("is not in the expected form"))
# lifecycle and services
_msg(r"Unknown action '(?P<a>.+)'\. Allowed: .+", gettext_lazy("Unknown action %(a)s."))
_msg(
    r"Role '(?P<r>.+)' may not '(?P<a>.+)'; allowed roles: (?P<roles>.+)\.",
    gettext_lazy("Your role (%(r)s) may not do this: %(a)s."),
)
_msg(
    r"Cannot '(?P<a>.+)' a sample that is '(?P<s>.+)'; '.+' applies to: (?P<src>.+)\.",
    gettext_lazy("A sample that is %(s)s cannot be given this action: %(a)s."),
)
_msg(r"A reason is required to '(?P<a>.+)'\.", gettext_lazy("A reason is required for this action: %(a)s."))
_msg(
    r"Manufacturer users may act only for their own organisation\.",
    gettext_lazy("Manufacturer users may act only for their own organisation."),
)
_msg(
    r"A sample that is '(?P<s>.+)' can no longer be edited; its data are under test\.",
    gettext_lazy("A sample that is %(s)s can no longer be edited."),
)
_msg(
    r"Only technicians and lab admins enter assay data\.",
    gettext_lazy("Only technicians and lab admins enter assay data."),
)
_msg(
    r"Assays can be entered only while a sample is received or in testing; this one is '(?P<s>.+)'\.",
    gettext_lazy("Assays can be entered only while a sample is received or in testing; this one is %(s)s."),
)
_msg(
    r"A photo can be attached only to a chromatogram assay\.",
    gettext_lazy("A photo can be attached only to a chromatogram assay."),
)
_msg(
    r"This assay is (?P<s>\w+): its raw data and results are read-only\. Ask a reviewer for a retest\.",
    gettext_lazy("This assay is already verified or invalidated: its data are read-only. Ask a reviewer for a retest."),
)
_msg(r"A reason is required to correct raw data\.", gettext_lazy("A reason is required to correct raw data."))
_msg(
    r"Nothing to submit: enter at least one assay first\.",
    gettext_lazy("Nothing to submit: enter at least one assay first."),
)
_msg(
    r"No entered results are waiting for verification\.",
    gettext_lazy("No entered results are waiting for verification."),
)
_msg(
    r"You entered results of this sample; another reviewer must verify them\.",
    gettext_lazy("You entered results of this sample; another reviewer must verify them."),
)
_msg(
    r"Only technicians and lab admins import results\.", gettext_lazy("Only technicians and lab admins import results.")
)
# import report
_msg(r"no sample (?P<c>.+)", gettext_lazy("no sample %(c)s"))
_msg(
    r"sample (?P<c>\S+) is '(?P<s>.+)'; results can be entered only while it is received or in testing",
    gettext_lazy("sample %(c)s is %(s)s; results can be entered only while it is received or in testing"),
)
_msg(r"required column is missing", gettext_lazy("required column is missing"))
_msg(r"unknown column; expected (?P<e>.+)", gettext_lazy("unknown column; the columns are %(e)s"))
_msg(r"use a \.csv or \.xlsx file", gettext_lazy("use a .csv or .xlsx file"))
_msg(r"cannot read the file: .*", gettext_lazy("the file cannot be read"))
_msg(r"the file has no data rows", gettext_lazy("the file has no data rows"))
_msg(
    r"(?P<p>\w+) for (?P<c>\S+) already given on row (?P<n>\d+)",
    gettext_lazy("%(p)s for %(c)s is already on row %(n)s"),
)
_msg(r"(?P<c>[A-Z]-\d{4}-\d+): (?P<rest>.+)", "%(c)s: %(rest)s")
# reasons the services write themselves
_msg(r"first assay entered \((?P<m>\w+)\)", gettext_lazy("first assay entered (%(m)s)"))
_msg(r"certificate (?P<n>\S+) issued", gettext_lazy("certificate %(n)s issued"))
# certificates
_msg(
    r"Only reviewers issue, supersede and revoke certificates\.",
    gettext_lazy("Only reviewers issue, supersede and revoke certificates."),
)
_msg(
    r"Sample (?P<c>\S+) is '(?P<s>.+)': a certificate needs verified results\.",
    gettext_lazy("Sample %(c)s is %(s)s: a certificate needs verified results."),
)
_msg(
    r"Sample (?P<c>\S+) already has a valid certificate (?P<n>\S+); after a retest, supersede it\.",
    gettext_lazy("Sample %(c)s already has a valid certificate %(n)s; after a retest, supersede it."),
)
_msg(
    r"A reason is required to supersede a certificate\.",
    gettext_lazy("A reason is required to supersede a certificate."),
)
_msg(
    r"(?P<n>\S+) is (?P<v>\w+); only a valid certificate can be superseded\.",
    gettext_lazy("%(n)s is %(v)s; only a valid certificate can be superseded."),
)
_msg(r"A reason is required to revoke\.", gettext_lazy("A reason is required to revoke."))
_msg(r"(?P<n>\S+) is already (?P<v>\w+)\.", gettext_lazy("%(n)s is already %(v)s."))
_msg(
    r"is '(?P<s>.+)'; a certificate needs verified results",
    gettext_lazy("is %(s)s; a certificate needs verified results"),
)
_msg(r"already has a valid certificate", gettext_lazy("already has a valid certificate"))
_msg(
    r"At least one verified sample of the product is required\.",
    gettext_lazy("At least one verified sample of the product is required."),
)
_msg(r"(?P<c>\S+) is not a sample of this product", gettext_lazy("%(c)s is not a sample of this product"))
_msg(
    r"(?P<c>\S+) is '(?P<s>.+)'; only verified samples can be used",
    gettext_lazy("%(c)s is %(s)s; only verified samples can be used"),
)
_msg(
    r"Manufacturers, reviewers and lab admins request registration dossiers\.",
    gettext_lazy("Manufacturers, reviewers and lab admins request registration dossiers."),
)
_msg(
    r"You may request dossiers only for your own products\.",
    gettext_lazy("You may request dossiers only for your own products."),
)
# compliance reasons for a missing value
_msg(r"no result", gettext_lazy("no result"))
_msg(r"no moisture result", gettext_lazy("no moisture result"))
_msg(
    r"(?P<w>as-received|dry) value cannot be put on the (?P<b>dry|as-received) basis: (?P<why>.+)",
    gettext_lazy("the value cannot be put on the required basis: %(why)s"),
)
_msg(
    r"moisture is judged on the as-received basis only",
    gettext_lazy("moisture is judged on the as-received basis only"),
)
_msg(
    r"the moisture result is below detection \((?P<v>.+)\)",
    gettext_lazy("the moisture result is below detection (%(v)s)"),
)
_msg(
    r"the unit '(?P<u>.*)' cannot be converted to '(?P<t>.*)'",
    gettext_lazy("the unit %(u)s cannot be converted to %(t)s"),
)
_msg(r"N \+ P₂O₅ \+ K₂O: (?P<p>\w+): (?P<why>.+)", gettext_lazy("N + P₂O₅ + K₂O: %(p)s: %(why)s"))
_msg(
    r"no product fact to check the declaration '(?P<k>.+)' against",
    gettext_lazy("no product fact to check the declaration"),
)
_msg(r"Unknown standard edition '(?P<c>.+)'\. Known: (?P<k>.+)\.", gettext_lazy("Unknown standard edition %(c)s."))
_msg(
    r"Unknown category '(?P<c>.+)' in (?P<e>\S+)\. Known: (?P<k>.+)\.",
    gettext_lazy("The category %(c)s is not in the standard %(e)s."),
)
# products (web.api.serializers.ProductSerializer, also on the product page)
_msg(r"must be between (?P<lo>\S+) and (?P<hi>\S+)", gettext_lazy("must be between %(lo)s and %(hi)s"))
_msg(r"must be greater than (?P<n>\S+)", gettext_lazy("must be greater than %(n)s"))
_msg(r"must be a whole number", gettext_lazy("must be a whole number"))
_msg(
    r"proportions must add up to 100 % \(they add up to (?P<t>\S+) %\)",
    gettext_lazy("proportions must add up to 100 %% (they add up to %(t)s %%)"),
)
_msg(
    r"Unknown category '(?P<text_c>.*)'\. Known categories: .*", gettext_lazy("Unknown fertilizer category %(text_c)s.")
)
_msg(
    r"(?P<text_m>.+) already has a product named '(?P<text_n>.*)'\.",
    gettext_lazy("%(text_m)s already has a product named %(text_n)s."),
)
_msg(r"This field is required\.", gettext_lazy("Please fill in this field."))
_msg(
    r"You already have a product named '(?P<text_n>.*)'\.", gettext_lazy("You already have a product named %(text_n)s.")
)
# judged records (issue 16 A)
_msg(
    r"(?P<text_f>.+) cannot change: sample\(s\) (?P<text_c>.+) of this product have verified results judged with "
    r"the current values\. Register a new product for the new composition, or ask the lab to correct the record\.",
    gettext_lazy(
        "%(text_f)s cannot change: sample(s) %(text_c)s of this product have verified results judged with "
        "the current values. Register a new product for the new composition, or ask the lab to correct "
        "the record."
    ),
)
_msg(
    r"(?P<text_f>.+) of sample (?P<text_c>.+) cannot change after receipt; ask the lab to correct it\.",
    gettext_lazy("%(text_f)s of sample %(text_c)s cannot change after receipt; ask the lab to correct it."),
)
_msg(
    r"A reason is required to correct (?P<text_f>.+): sample\(s\) (?P<text_c>.+) have verified results and return "
    r"to verification\.",
    gettext_lazy(
        "A reason is required to correct %(text_f)s: sample(s) %(text_c)s have verified results and "
        "return to verification."
    ),
)
# uploads (maturity.assays, maturity.importing)
_msg(r"The photo is larger than the limit of (?P<n>\S+) MB\.", gettext_lazy("The photo is larger than %(n)s MB."))
_msg(
    r"The file is not a readable image; upload a JPEG, PNG or WebP photo\.",
    gettext_lazy("The file is not a readable image; upload a JPEG, PNG or WebP photo."),
)
_msg(
    r"the file has more than (?P<n>\d+) data rows; split it into smaller files",
    gettext_lazy("the file has more than %(n)s data rows; split it into smaller files"),
)
_msg(
    r"the XLSX inflates to (?P<a>\d+) MB, more than the (?P<b>\d+) MB allowed",
    gettext_lazy("the XLSX inflates to %(a)s MB, more than the %(b)s MB allowed"),
)


def translate_message(message):
    """A service/calculation message in the page's language (known messages only)."""
    text = str(message)
    if not is_zh():
        return text
    for pattern, template in _M:
        m = pattern.match(text)
        if m:
            groups = {
                k: translate_message(v) if k in ("why", "rest") else v if k.startswith("text_") else _term(v)
                for k, v in m.groupdict().items()
            }  # text_*: names people typed, kept verbatim
            return str(template) % groups
    return text


def translate_errors(errors):
    """{path: [messages]} -> {path: [translated]}."""
    return {k: [translate_message(m) for m in v] for k, v in (errors or {}).items()}


# issue 18: dates, retest by analysis, re-issue, issue anyway
_msg(r"cannot be in the future \(today is (?P<d>\S+)\)\.", gettext_lazy("cannot be in the future (today is %(d)s)."))
_msg(
    r"cannot be before the sampling date \((?P<d>\S+)\)\.", gettext_lazy("cannot be before the sampling date (%(d)s).")
)
_msg(r"#(?P<n>\d+) is not a current assay of (?P<c>\S+)", gettext_lazy("#%(n)s is not a current assay of %(c)s"))
_msg(
    r"#(?P<n>\d+) is (?P<s>\w+); only verified assays are retested",
    gettext_lazy("#%(n)s is %(s)s; only verified assays are retested"),
)
_msg(
    r"Sample (?P<c>\S+) has results that are not verified yet\.",
    gettext_lazy("Sample %(c)s has results that are not verified yet."),
)
_msg(
    r"Required results are missing for (?P<c>\S+): (?P<text_names>.+)\. Enter them, or give a reason to issue anyway "
    r"\(it is printed in the certificate's remarks\)\.",
    gettext_lazy(
        "Required results are missing for %(c)s: %(text_names)s. Enter them, or give a reason to issue "
        "anyway (it is printed in the certificate's remarks)."
    ),
)
_msg(
    r"(?P<n>\S+) still states the sample's current verified results; nothing to supersede it with\. To correct a "
    r"result, send (?P<c>\S+) for retest first; to withdraw the certificate, revoke it\.",
    gettext_lazy(
        "%(n)s already states the sample's current verified results, so there is nothing new to issue. To "
        "correct a result, send %(c)s for retest first (review page); to withdraw the certificate, revoke "
        "it; a revoked certificate can then be re-issued without a retest."
    ),
)
_msg(
    r"A reason is required to re-issue a certificate\.", gettext_lazy("A reason is required to re-issue a certificate.")
)
_msg(
    r"(?P<n>\S+) is (?P<v>\w+); only a revoked certificate is re-issued \(a valid one is superseded\)\.",
    gettext_lazy("%(n)s is %(v)s; only a revoked certificate is re-issued (a valid one is superseded)."),
)
_msg(r"(?P<n>\S+) has already been replaced by (?P<m>\S+)\.", gettext_lazy("%(n)s has already been replaced by %(m)s."))
_msg(
    r"Sample (?P<c>\S+) already has a valid certificate (?P<n>\S+)\.",
    gettext_lazy("Sample %(c)s already has a valid certificate %(n)s."),
)
_msg(
    r"issued with required results missing: (?P<text_r>.*)",
    gettext_lazy("issued with required results missing: %(text_r)s"),
)
