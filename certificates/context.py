"""The frozen content of certificates and dossiers, built from the database
when the document is requested. Plain JSON, so the render task needs nothing
else and a re-render reproduces the same PDF."""
from django.utils import timezone

from lims.models import LabSettings
from maturity import selectors
from maturity.compliance import Missing, to_basis
from maturity.formatting import METHOD_LABELS, fmt, fmt_indicator_value
from maturity.models import StandardEdition
from maturity.parameters import DERIVED, PARAMETERS

from . import batch_evidence

GUARANTEED = ("organic_matter_pct", "organic_carbon_pct", "total_nitrogen_pct", "p2o5_pct", "k2o_pct",
              "cao_pct", "mgo_pct")
ORDER = list(PARAMETERS)
INTEGER_PARAMETERS = ("chromatogram_score",)


def _names(key):
    p = PARAMETERS.get(key) or DERIVED.get(key)
    return (p.name_zh, p.name_en) if p else ("", key)


def lab_block():
    lab = LabSettings.current()
    return {"name_zh": lab.name_zh, "name_en": lab.name_en, "address": lab.address,
            "accreditation": lab.accreditation}


def _people(assays, attr):
    seen = []
    for a in assays:
        u = getattr(a, attr)
        if u and u.display_name not in seen:
            seen.append(u.display_name)
    return ", ".join(seen)


def _category(product):
    zh, en = selectors.category_names().get(product.category, (product.category, product.category))
    return zh, en


def _product_block(product):
    zh, en = _category(product)
    return {"name": product.name, "category_key": product.category, "category_zh": zh, "category_en": en,
            "bagasse_based": product.bagasse_based, "chemical_fertilizer_added": product.chemical_fertilizer_added,
            "raw_materials": [{"name": m["name"], "proportion_pct": fmt(m["proportion_pct"])}
                              for m in product.raw_materials],
            "process": {k: fmt(v) for k, v in (product.process or {}).items()}}


def _manufacturer_block(m):
    return {"name": m.name, "address": m.address}


def result_rows(figures):
    rows = []
    for key, m in figures.measurements.items():
        if key in figures.derived:
            continue
        zh, en = _names(key)
        value = fmt(int(m.value)) if key in INTEGER_PARAMETERS and float(m.value).is_integer() else fmt(m.value)
        rows.append({"parameter": key, "name_zh": zh, "name_en": en, "value": value, "qualifier": m.qualifier,
                     "unit": m.unit, "basis": m.basis,
                     "method": " ".join(METHOD_LABELS.get(figures.sources[key].method, ("", ""))),
                     "uncertainty": fmt(m.uncertainty) if m.uncertainty is not None else ""})
    for key, value in figures.derived.items():
        zh, en = _names(key)
        rows.append({"parameter": key, "name_zh": zh, "name_en": en, "value": fmt(value), "qualifier": "",
                     "unit": "%" if key.endswith("_pct") else "", "basis": "dry" if key == "organic_matter_pct" else "",
                     "method": " ".join(METHOD_LABELS["derived"]), "uncertainty": ""})
    rows.sort(key=lambda r: ORDER.index(r["parameter"]) if r["parameter"] in ORDER else len(ORDER))
    return rows


def _maturity_block(m):
    return {"rule_set": m["rule_set"], "verdict": m["verdict"],
            "indicators": [{"indicator": i["indicator"], "value": fmt_indicator_value(i["value"]),
                            "criterion": i["criterion"], "status": i["status"]} for i in m["indicators"]]}


def _check_names(ch):
    if ch.get("kind") == "declaration":
        return ch.get("text_zh", ""), ch.get("text_en", ch["parameter"])
    return _names(ch["parameter"])


def _compliance_block(c):
    checks = []
    for ch in c["checks"]:
        zh, en = _check_names(ch)
        checks.append({**ch, "name_zh": zh, "name_en": en, "limit": fmt(ch.get("limit")) if isinstance(ch.get("limit"), (int, float)) else
                       ch.get("limit"), "value": fmt(ch.get("value")),
                       "uncertainty": fmt(ch.get("uncertainty")) if ch.get("uncertainty") is not None else ""})
    return {"standard": c["standard"], "standard_title": c["standard_title"], "category": c["category"],
            "decision_rule": c["decision_rule"], "verdict": c["verdict"], "checks": checks}


def certificate_context(sample, *, number, version, supersedes, standard, decision_rule, url):
    figures = selectors.sample_figures(sample)
    maturity = selectors.sample_maturity(sample, "tari_1999", figures=figures)
    compliance = selectors.sample_compliance(sample, standard=standard, decision_rule=decision_rule,
                                             figures=figures)
    StandardEdition.objects.filter(code=compliance["standard"]).update(used_in_judgement=True)
    assays = list(selectors.current_assays(sample))
    verified_at = max((a.verified_at for a in assays if a.verified_at), default=None)
    return {
        "lab": lab_block(), "number": number, "version": version, "supersedes": supersedes,
        "issue_date": timezone.localdate().isoformat(), "verification_url": url,
        "manufacturer": _manufacturer_block(sample.product.manufacturer), "product": _product_block(sample.product),
        "sample": {"code": sample.code, "lot_number": sample.lot_number, "sampled_on": str(sample.sampled_on),
                   "received_on": str(sample.received_on or "")},
        "results": result_rows(figures), "maturity": _maturity_block(maturity),
        "compliance": _compliance_block(compliance),
        "entered_by": _people(assays, "entered_by"), "verified_by": _people(assays, "verified_by"),
        "verified_at": timezone.localtime(verified_at).strftime("%Y-%m-%d %H:%M") if verified_at else "",
        "batch_evidence": batch_evidence.context([sample]),
    }


def dossier_context(product, samples, declared, *, number, url, actor):
    lab = LabSettings.current()
    per_sample = [(s, selectors.sample_figures(s)) for s in samples]
    declared_rows = []
    for key, value in declared.items():
        measured = []
        for _, fig in per_sample:
            m = fig.measurements.get(key)
            if key in fig.derived:
                measured.append(fig.derived[key])
            elif m is not None:
                moisture = fig.measurements.get("moisture_pct")
                try:
                    measured.append(to_basis(m, "dry", moisture.value if moisture else None, key)[0])
                except Missing:
                    pass  # no dry basis possible: shown as missing
        zh, en = _names(key)
        low = min(measured) if measured else None
        declared_rows.append({"parameter": key, "name_zh": zh, "name_en": en, "declared": fmt(value), "unit": "%",
                              "measured": fmt(low) if low is not None else "",
                              "status": "missing" if low is None else ("pass" if low >= value else "fail")})
    compliance = selectors.sample_compliance(samples[-1], standard=lab.default_standard,
                                             decision_rule=lab.default_decision_rule, figures=per_sample[-1][1])
    StandardEdition.objects.filter(code=compliance["standard"]).update(used_in_judgement=True)
    metals = []
    for ch in compliance["checks"]:
        p = PARAMETERS.get(ch["parameter"])
        if p and p.unit == "mg/kg" and ch["kind"] in ("max", "max_exclusive"):
            zh, en = _names(ch["parameter"])
            metals.append({"parameter": ch["parameter"], "name_zh": zh, "name_en": en, "value": fmt(ch["value"]),
                           "qualifier": ch.get("qualifier", ""), "limit": fmt(ch["limit"]), "unit": ch["unit"],
                           "status": ch["status"]})
    return {
        "lab": lab_block(), "number": number, "issue_date": timezone.localdate().isoformat(),
        "verification_url": url, "manufacturer": _manufacturer_block(product.manufacturer),
        "product": _product_block(product),
        "samples": [{"code": s.code, "lot_number": s.lot_number, "received_on": str(s.received_on or ""),
                     "verified_on": ""} for s in samples],
        "declared": declared_rows,
        "maturity": [{"sample": s.code, **_maturity_block(selectors.sample_maturity(s, "tari_1999", figures=f))}
                     for s, f in per_sample],
        "metals": metals, "compliance": _compliance_block(compliance),
        "chemical_fertilizer_declaration": {
            "declared_added": product.chemical_fertilizer_added,
            "text_zh": "本產品添加化學肥料" if product.chemical_fertilizer_added else "本產品未添加化學肥料",
            "text_en": "Chemical fertilizer is added to this product" if product.chemical_fertilizer_added
            else "No chemical fertilizer is added to this product"},
        "signature": {"prepared_by": actor.display_name, "reviewed_by": ""},
        "batch_evidence": batch_evidence.context(samples),
    }
