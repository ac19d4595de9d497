"""The frozen content of certificates and dossiers, built from the database
when the document is requested. Plain JSON, so the render task needs nothing
else and a re-render reproduces the same PDF.

Every figure is shown by one rule (maturity.reporting: digits per parameter and
method as lab data, a value with U rounded to U's last digit, U to two
significant figures, limits as the regulation writes them). Contents are
reported on the basis the standard judges (dry), with the moisture used, so the
results table and the compliance table show the same figure. Customer
declarations are not test results: they have their own section.
"""

import base64

from django.utils import timezone

from composting.models import BatchSample
from lims.models import LabSettings
from maturity import selectors
from maturity.calculations import FLAG_MESSAGES
from maturity.compliance import Missing, to_basis
from maturity.formatting import fmt, fmt_indicator_value
from maturity.models import StandardEdition
from maturity.parameters import DERIVED, METALS, PARAMETERS
from maturity.plausibility import NOTE_FLAGS
from maturity.reporting import limit_text, precision_for, report, rule_for
from qc.models import WorksheetPosition
from qc.selectors import sample_qc_passed

from . import batch_evidence

GUARANTEED = (
    "organic_matter_pct",
    "organic_carbon_pct",
    "total_nitrogen_pct",
    "p2o5_pct",
    "k2o_pct",
    "cao_pct",
    "mgo_pct",
)
ORDER = list(PARAMETERS)

# Test conditions of the protocols (DOMAIN.md §4.5, §4.7), printed with the results (§7.8.3.1 a).
PROTOCOL_CONDITIONS = {
    "tari_cabbage": (
        "萃取：5 g 風乾堆肥 + 100 mL 60 °C 水，60 °C 水浴 3 小時；每皿 25 粒白菜種子；25 °C，3 天",
        "Extract 5 g air-dry compost + 100 mL water at 60 °C, 60 °C bath 3 h (1 : 20); "
        "25 Chinese cabbage seeds per dish; 25 °C, 3 days",
    ),
    "livestock_radish": (
        "萃取：5 g 風乾堆肥 + 100 mL 水，80 °C 振盪 1 小時；每皿 50 粒蘿蔔種子；20 °C，3 天",
        "Extract 5 g air-dry manure + 100 mL water, 80 °C shaking 1 h (1 : 20); "
        "50 radish seeds per dish; 20 °C, 3 days",
    ),
    "tari_agno3": (
        "濾紙浸 0.5 % AgNO₃；5 g 堆肥 + 50 mL 1 % NaOH 振盪 5 小時，3000 rpm 離心",
        "Paper soaked in 0.5 % AgNO₃; 5 g compost + 50 mL 1 % NaOH shaken 5 h, centrifuged 3000 rpm",
    ),
    "livestock_naoh": (
        "濾紙浸 0.5 % AgNO₃；1 g 堆肥 + 100 mL 0.1 N NaOH",
        "Paper soaked in 0.5 % AgNO₃; 1 g compost + 100 mL 0.1 N NaOH",
    ),
}

SAMPLING_STATEMENT = (
    "本實驗室未執行採樣；樣品及標示 ‡ 之資料（產品、批號、採樣日期、原料、製程）由委託者提供，結果僅適用於收到之樣品。",
    "Sampling was not performed by the laboratory: the sample and the data marked ‡ (product, lot, sampling "
    "date, raw materials, process) were supplied by the customer; results apply to the sample as received.",
)


def _below_text(v, precision):
    """A '<' figure (the detection limit) as the lab writes it, unless a basis conversion made it long."""
    t = limit_text(v)
    return t if len(t.replace(".", "").lstrip("0")) <= 4 else report(v, None, precision)[0]


def _names(key):
    p = PARAMETERS.get(key) or DERIVED.get(key)
    return (p.name_zh, p.name_en) if p else ("", key)


def _file_b64(field):
    """Base64 of an uploaded image (signature, accreditation mark), frozen into the context."""
    if not field:
        return ""
    try:
        field.open("rb")
        try:
            return base64.b64encode(field.read()).decode("ascii")
        finally:
            field.close()
    except (OSError, ValueError):
        return ""


def lab_block():
    lab = LabSettings.current()
    return {
        "name_zh": lab.name_zh,
        "name_en": lab.name_en,
        "address": lab.address,
        "telephone": lab.telephone,
        "location": lab.location_of_activities or lab.address,
        "accreditation": lab.accreditation,
        "accreditation_body": lab.accreditation_body,
        "accreditation_number": lab.accreditation_number,
        "accreditation_mark": _file_b64(lab.accreditation_mark),
    }


def signatory_block(user, at=None):
    return {
        "name": user.display_name,
        "title": user.title,
        "signature": _file_b64(user.signature),
        "date": timezone.localtime(at).strftime("%Y-%m-%d") if at else "",
    }


def _people(assays, attr):
    seen = []
    for a in assays:
        u = getattr(a, attr)
        if u and u.display_name not in seen:
            seen.append(u.display_name)
    return ", ".join(seen)


def _category(product, names=None):
    names = selectors.category_names() if names is None else names
    zh, en = names.get(product.category, (product.category, product.category))
    return zh, en


def _product_block(product, names=None):
    zh, en = _category(product, names)
    return {
        "name": product.name,
        "category_key": product.category,
        "category_zh": zh,
        "category_en": en,
        "bagasse_based": product.bagasse_based,
        "chemical_fertilizer_added": product.chemical_fertilizer_added,
        "raw_materials": [
            {"name": m["name"], "proportion_pct": limit_text(m["proportion_pct"])} for m in product.raw_materials
        ],
        "process": {k: limit_text(v) if isinstance(v, (int, float)) else v for k, v in (product.process or {}).items()},
    }


def _manufacturer_block(m):
    return {"name": m.name, "address": m.address}


def _method_fields(rules, method, key):
    ref = rule_for(rules, method, key) or {}
    return {
        "method": " ".join(x for x in (ref.get("title_zh", ""), ref.get("title_en", "")) if x),
        "method_code": ref.get("code", ""),
        "method_title_zh": ref.get("title_zh", ""),
        "method_title_en": ref.get("title_en", ""),
        "lod": limit_text(ref.get("lod")),
        "accredited": ref.get("accredited", True),
        "external_provider": ref.get("external_provider", ""),
    }


def _moisture(figures):
    m = figures.measurements.get("moisture_pct")
    return m.value if m is not None and 0 <= m.value < 100 else None


def reported_figure(figures, key, rules):
    """(value, U, qualifier, basis, note) of a result as reported: contents on the dry basis."""
    m = figures.measurements[key]
    p = PARAMETERS.get(key)
    if p is not None and p.basis == "dry" and m.basis == "as_received":
        try:
            v, u = to_basis(m, "dry", _moisture(figures), key)
            return v, u, m.qualifier, "dry", "converted"
        except Missing as e:
            return m.value, m.uncertainty, m.qualifier, "as_received", e.reason
    return m.value, m.uncertainty, m.qualifier, m.basis, ""


def result_rows(figures, rules=None):
    rules = selectors.method_references() if rules is None else rules
    rows = []
    for key in figures.measurements:
        if key in figures.derived:
            continue
        method = figures.sources[key].method
        v, u, q, basis, note = reported_figure(figures, key, rules)
        vt, ut = (
            report(v, u, precision_for(rules, method, key))
            if q != "<"
            else (_below_text(v, precision_for(rules, method, key)), "")
        )
        zh, en = _names(key)
        rows.append(
            {
                "parameter": key,
                "name_zh": zh,
                "name_en": en,
                "value": vt,
                "qualifier": q,
                "unit": figures.measurements[key].unit,
                "basis": basis,
                "basis_note": note,
                "uncertainty": ut,
                "uncertainty_from_qc": bool(ut) and key in figures.qc_estimated,
                **_method_fields(rules, method, key),
            }
        )
    for key, value in figures.derived.items():
        zh, en = _names(key)
        rows.append(
            {
                "parameter": key,
                "name_zh": zh,
                "name_en": en,
                "value": report(value, None, precision_for(rules, "derived", key))[0],
                "qualifier": "",
                "unit": "%" if key.endswith("_pct") else "",
                "basis": "dry" if key == "organic_matter_pct" else "",
                "basis_note": "",
                "uncertainty": "",
                **_method_fields(rules, "derived", key),
            }
        )
    rows.sort(key=lambda r: ORDER.index(r["parameter"]) if r["parameter"] in ORDER else len(ORDER))
    return rows


INDICATOR_PARAMETER = {
    "cn_ratio": "cn_ratio",
    "reducing_sugar": "rs_tc_ratio_pct",
    "chromatogram": "chromatogram_score",
    "germination_index": "germination_index_pct",
}
SHORT = {"relative_germination_pct": "RG", "relative_root_growth_pct": "RRG"}


def _indicator_value(indicator, value, rules, parameter=None):
    """An indicator's figure by the same reporting rule as the results (ccqc_2001 indicators name their
    parameter)."""
    if isinstance(value, dict):
        return ", ".join(
            f"{SHORT.get(k, k)} {report(v, None, precision_for(rules, '*', k))[0]} %"
            for k, v in value.items()
            if v is not None
        )
    key = INDICATOR_PARAMETER.get(indicator) or parameter
    if key and isinstance(value, (int, float)) and not isinstance(value, bool):
        return report(value, None, precision_for(rules, "*", key))[0]
    return fmt_indicator_value(value)


def _maturity_block(m, rules=None):
    rules = selectors.method_references() if rules is None else rules
    return {
        "rule_set": m["rule_set"],
        "verdict": m["verdict"],
        "indicators": [
            {
                "indicator": i["indicator"],
                "value": _indicator_value(i["indicator"], i["value"], rules, i.get("parameter")),
                "criterion": i["criterion"],
                "status": i["status"],
            }
            for i in m["indicators"]
        ],
    }


def _category_names(key, names=None):
    return (selectors.category_names() if names is None else names).get(key, (key, key))


def _compliance_block(c, rules=None, names=None):
    """Checks of measured values (figures by the reporting rule, limits as written) and, apart,
    the customer's declarations with their effect on the verdict."""
    rules = selectors.method_references() if rules is None else rules
    checks, declarations = [], []
    cat_zh, cat_en = _category_names(c["category"], names)
    for ch in c["checks"]:
        if ch.get("kind") == "declaration":
            effect_zh = effect_en = ""
            if ch["status"] == "fail":
                effect_zh = f"此聲明與產品不符，產品不符合「{cat_zh}」品目：總判定因此為不合格。"
                effect_en = (
                    f"The product contradicts this declaration, so it is not eligible for the category "
                    f"{cat_en}: the overall verdict is Fail because of it."
                )
            declarations.append(
                {
                    "parameter": ch["parameter"],
                    "text_zh": ch.get("text_zh", ""),
                    "text_en": ch.get("text_en", ""),
                    "status": ch["status"],
                    "reason": ch.get("reason", ""),
                    "effect_zh": effect_zh,
                    "effect_en": effect_en,
                }
            )
            continue
        zh, en = _names(ch["parameter"])
        if ch.get("qualifier") == "<":
            vt, ut = _below_text(ch.get("value"), precision_for(rules, "*", ch["parameter"])), ""
        else:
            vt, ut = report(ch.get("value"), ch.get("uncertainty"), precision_for(rules, "*", ch["parameter"]))
        checks.append(
            {
                **ch,
                "name_zh": zh,
                "name_en": en,
                "limit": limit_text(ch.get("limit")),
                "value": vt,
                "uncertainty": ut,
                "reason": _remark(ch),
            }
        )
    return {
        "standard": c["standard"],
        "standard_title": c["standard_title"],
        "category": c["category"],
        "category_zh": cat_zh,
        "category_en": cat_en,
        "decision_rule": c["decision_rule"],
        "verdict": c["verdict"],
        "checks": checks,
        "declarations": declarations,
    }


def _remark(ch):
    """The remark printed beside a check: why it is missing or conditional (no unrounded figures)."""
    if ch["status"] == "missing":
        return ch.get("reason", "")
    if ch["status"] == "conditional":
        if ch.get("qualifier") == "<":
            return "below detection, the detection limit is beyond the limit"
        return "the limit lies within value ± U"
    return ""


def _conditions(assays, rules):
    out = []
    for a in assays:
        protocol = (a.data or {}).get("protocol") if isinstance(a.data, dict) else None
        if protocol in PROTOCOL_CONDITIONS:
            zh, en = PROTOCOL_CONDITIONS[protocol]
            out.append({"method": a.method, "protocol": protocol, "text_zh": zh, "text_en": en})
        if a.method == "organic_carbon_wet_oxidation":
            d = a.details or {}
            out.append(
                {
                    "method": a.method,
                    "protocol": "",
                    "text_zh": "",
                    "text_en": f"Recovery factor f = {limit_text(d.get('correction_factor'))}; "
                    f"dichromate reduced {fmt(d.get('dichromate_reduced_pct'), 3)} % "
                    f"(lab limit {limit_text(d.get('dichromate_reduced_limit_pct'))} %)",
                }
            )
    seen = set()
    for a in assays:
        for key in a.results:
            ref = rule_for(rules, a.method, key) or {}
            text = ref.get("conditions", "")
            if text and (a.method, text) not in seen:
                seen.add((a.method, text))
                zh, en = _names(key)
                out.append({"method": a.method, "protocol": "", "text_zh": zh, "text_en": f"{en}: {text}"})
    return out


def _deviations(assays):
    """QC flags, the reviewer's overrides and invalid assays (ISO/IEC 17025 §7.8.2.1, §7.8.3.1 a)."""
    out, remarks, seen = [], [], set()
    for a in assays:
        for f in a.flags:
            entry = {"kind": "flag", "text": f"{a.method}: {FLAG_MESSAGES.get(f, f)}", "reason": "", "by": "", "at": ""}
            (remarks if f in NOTE_FLAGS else out).append(entry)
        if not a.valid:
            out.append(
                {
                    "kind": "invalid",
                    "text": f"{a.method}: assay invalid; its indicator is not used",
                    "reason": "",
                    "by": "",
                    "at": "",
                }
            )
        o = a.qc_override or {}
        key = (o.get("at"), o.get("reason"))
        if o and key not in seen:
            seen.add(key)
            out.append(
                {
                    "kind": "override",
                    "text": "; ".join(i["message"] for i in o.get("issues", [])),
                    "reason": o.get("reason", ""),
                    "by": o.get("by", ""),
                    "at": (o.get("at") or "")[:16].replace("T", " "),
                }
            )
    return out, remarks


def _performance(assays):
    entered = [a.entered_at for a in assays if a.entered_at]
    verified = [a.verified_at for a in assays if a.verified_at]
    first = timezone.localtime(min(entered)).date().isoformat() if entered else ""
    last = timezone.localtime(max(verified)).date().isoformat() if verified else ""
    return {"from": first, "to": last}


def _changed(results, previous):
    """Parameters whose reported figure differs from the certificate this one replaces (§7.8.8)."""
    old = {
        r["parameter"]: (r.get("qualifier"), r.get("value"), r.get("uncertainty"), r.get("basis"))
        for r in (previous or {}).get("results", [])
    }
    changed = []
    for r in results:
        new = (r.get("qualifier"), r.get("value"), r.get("uncertainty"), r.get("basis"))
        if old.get(r["parameter"]) != new:
            changed.append(r["parameter"])
    return changed


def certificate_context(
    sample,
    *,
    number,
    version,
    supersedes,
    standard,
    decision_rule,
    url,
    issuer=None,
    amendment_reason="",
    previous=None,
    rule_set="tari_1999",
):
    rules = selectors.method_references()
    figures = selectors.sample_figures(sample)
    maturity = selectors.sample_maturity(sample, rule_set, figures=figures)
    compliance = selectors.sample_compliance(sample, standard=standard, decision_rule=decision_rule, figures=figures)
    StandardEdition.objects.filter(code=compliance["standard"]).update(used_in_judgement=True)
    assays = list(selectors.current_assays(sample))
    return _certificate(
        sample,
        number=number,
        version=version,
        supersedes=supersedes,
        url=url,
        lab=lab_block(),
        names=None,
        figures=figures,
        maturity=maturity,
        compliance=compliance,
        assays=assays,
        rules=rules,
        issuer=issuer,
        amendment_reason=amendment_reason,
        previous=previous,
    )


def certificate_contexts(samples, *, numbers, standard, decision_rule, urls, issuer=None, rule_set="tari_1999"):
    """The frozen contents of first-version certificates for many samples (a batch): what
    certificate_context gives for each, with the shared reads (lab, policy, edition, requirements,
    category names, method references) done once and the samples' assays read in one query.
    ``urls``: each certificate's verification URL (with its code)."""
    from maturity.models import Assay
    from maturity.policy import current_policy

    lab, names, policy = lab_block(), selectors.category_names(), current_policy()
    method_rules = selectors.method_references()
    edition = selectors.edition_or_error(standard)
    assays, rules = {}, {}
    for a in (
        Assay.objects.filter(sample__in=[s.pk for s in samples])
        .exclude(status="invalidated")
        .select_related("entered_by", "verified_by")
        .order_by("entered_at", "id")
    ):
        assays.setdefault(a.sample_id, []).append(a)
    ids = [s.pk for s in samples]
    on_worksheet = set(WorksheetPosition.objects.filter(sample__in=ids).values_list("sample_id", flat=True))
    in_batch = set(BatchSample.objects.filter(sample__in=ids).values_list("sample_id", flat=True))
    out = []
    for sample, number, url in zip(samples, numbers, urls):
        own = assays.get(sample.pk, [])
        figures = selectors.sample_figures(sample, assays=own, policy=policy)
        maturity = selectors.sample_maturity(sample, rule_set, figures=figures, policy=policy)
        category = sample.product.category
        if category not in rules:
            rules[category] = selectors.edition_rules(edition, category)
        compliance = selectors.compliance_of(sample, edition, category, rules[category], decision_rule, figures)
        out.append(
            _certificate(
                sample,
                number=number,
                version=1,
                supersedes=None,
                url=url,
                lab=lab,
                names=names,
                figures=figures,
                maturity=maturity,
                compliance=compliance,
                assays=own,
                rules=method_rules,
                issuer=issuer,
                on_worksheet=sample.pk in on_worksheet,
                in_batch=sample.pk in in_batch,
            )
        )
    return out  # compliance_of marked the edition used


def _certificate(
    sample,
    *,
    number,
    version,
    supersedes,
    url,
    lab,
    names,
    figures,
    maturity,
    compliance,
    assays,
    rules,
    issuer=None,
    amendment_reason="",
    previous=None,
    on_worksheet=True,
    in_batch=True,
):
    """``on_worksheet`` / ``in_batch``: False when a read for many samples found the sample on no QC worksheet /
    in no composting batch (then it has no QC record and no batch evidence, and is not read again)."""
    verified_at = max((a.verified_at for a in assays if a.verified_at), default=None)
    results = result_rows(figures, rules)
    moisture = figures.measurements.get("moisture_pct")
    deviations, remarks = _deviations(assays)
    amendment = None
    if supersedes:
        changed = _changed(results, previous)
        for r in results:
            r["changed"] = r["parameter"] in changed
        amendment = {"replaces": supersedes, "reason": amendment_reason, "changed": changed}
    return {
        "lab": lab,
        "number": number,
        "version": version,
        "supersedes": supersedes,
        "amendment": amendment,
        "issue_date": timezone.localdate().isoformat(),
        "verification_url": url,
        "manufacturer": _manufacturer_block(sample.product.manufacturer),
        "product": _product_block(sample.product, names),
        "sample": {
            "code": sample.code,
            "lot_number": sample.lot_number,
            "sampled_on": str(sample.sampled_on),
            "received_on": str(sample.received_on or ""),
            "condition_on_receipt": sample.condition_on_receipt,
        },
        "sampling_statement": {"zh": SAMPLING_STATEMENT[0], "en": SAMPLING_STATEMENT[1]},
        "performance": _performance(assays),
        "moisture_used": report(
            moisture.value, None, precision_for(rules, figures.sources["moisture_pct"].method, "moisture_pct")
        )[0]
        if moisture
        else "",
        "results": results,
        "conditions": _conditions(assays, rules),
        "maturity": _maturity_block(maturity, rules),
        "compliance": _compliance_block(compliance, rules, names),
        "deviations": deviations,
        "remarks": remarks,
        "qc_passed": sample_qc_passed(sample) if on_worksheet else None,
        "entered_by": _people(assays, "entered_by"),
        "verified_by": _people(assays, "verified_by"),
        "verified_at": timezone.localtime(verified_at).strftime("%Y-%m-%d %H:%M") if verified_at else "",
        "signatory": signatory_block(issuer, timezone.now()) if issuer else None,
        "batch_evidence": batch_evidence.context([sample]) if in_batch else [],
    }


# --------------------------------------------------------------------------- dossier


def _sample_summary(sample, figures, rules, standard, decision_rule):
    maturity = selectors.sample_maturity(sample, "tari_1999", figures=figures)
    compliance = selectors.sample_compliance(sample, standard=standard, decision_rule=decision_rule, figures=figures)
    assays = list(selectors.current_assays(sample))
    verified_at = max((a.verified_at for a in assays if a.verified_at), default=None)
    cert = sample.certificates.filter(kind="certificate", validity="valid").order_by("-version").first()
    return {
        "code": sample.code,
        "lot_number": sample.lot_number,
        "sampled_on": str(sample.sampled_on),
        "received_on": str(sample.received_on or ""),
        "verified_on": timezone.localtime(verified_at).date().isoformat() if verified_at else "",
        "certificate": cert.number if cert else "",
        "results": result_rows(figures, rules),
        "maturity": _maturity_block(maturity, rules),
        "maturity_verdict": maturity["verdict"],
        "compliance": _compliance_block(compliance, rules),
        "compliance_verdict": compliance["verdict"],
    }


WORST = ("fail", "incomplete", "conditional", "pass")
MATURITY_WORST = ("incomplete", "immature", "intermediate", "mature")


def _worst(verdicts, order):
    for v in order:
        if v in verdicts:
            return v
    return verdicts[0] if verdicts else None


def _declared_rows(declared, per_sample, rules):
    """Declared guaranteed components beside the LOWEST dry-basis value of the samples (the rule named)."""
    rows = []
    for key, value in declared.items():
        measured = []
        for s, fig in per_sample:
            if key in fig.derived:
                measured.append((fig.derived[key], s.code))
            elif key in fig.measurements:
                try:
                    v = to_basis(fig.measurements[key], "dry", _moisture(fig), key)[0]
                except Missing:
                    continue
                measured.append((v, s.code))
        zh, en = _names(key)
        low = min(measured) if measured else None
        rows.append(
            {
                "parameter": key,
                "name_zh": zh,
                "name_en": en,
                "declared": limit_text(value),
                "unit": "%",
                "measured": report(low[0], None, precision_for(rules, "*", key))[0] if low else "",
                "sample": low[1] if low else "",
                "n": len(measured),
                "status": "missing" if low is None else ("pass" if low[0] >= value else "fail"),
            }
        )
    return rows


def _metal_rows(per_sample, summaries, rules):
    """Every measured metal: highest dry-basis value over the samples, beside the edition's limit or
    'no limit in this edition'."""
    limits = {}
    for s in summaries:
        for ch in s["compliance"]["checks"]:
            if ch["parameter"] in METALS and ch["kind"] in ("max", "max_exclusive"):
                limits[ch["parameter"]] = ch
    rows = []
    for key in METALS:
        values = []
        for (s, fig), summary in zip(per_sample, summaries):
            if key not in fig.measurements:
                continue
            v, u, q, basis, note = reported_figure(fig, key, rules)
            if basis != "dry":
                continue
            values.append((v, q, u, s.code, summary))
        if not values:
            continue
        v, q, u, code, summary = max(values, key=lambda t: t[0])
        statuses = [
            next((c["status"] for c in sm["compliance"]["checks"] if c["parameter"] == key), None) for *_, sm in values
        ]
        ch = limits.get(key)
        zh, en = _names(key)
        vt, ut = (
            (_below_text(v, precision_for(rules, "*", key)), "")
            if q == "<"
            else report(v, u, precision_for(rules, "*", key))
        )
        rows.append(
            {
                "parameter": key,
                "name_zh": zh,
                "name_en": en,
                "value": vt,
                "uncertainty": ut,
                "qualifier": q,
                "sample": code,
                "unit": "mg/kg",
                "kind": ch["kind"] if ch else "",
                "limit": ch["limit"] if ch else "",
                "status": _worst([x for x in statuses if x], WORST) if ch else "no_limit",
            }
        )
    return rows


def dossier_context(product, samples, declared, *, number, url, actor, registration=None):
    lab = LabSettings.current()
    rules = selectors.method_references()
    per_sample = [(s, selectors.sample_figures(s)) for s in samples]
    summaries = [_sample_summary(s, f, rules, lab.default_standard, lab.default_decision_rule) for s, f in per_sample]
    StandardEdition.objects.filter(code=lab.default_standard).update(used_in_judgement=True)
    declared_rows = _declared_rows(declared, per_sample, rules)
    compliance_overall = _worst([s["compliance_verdict"] for s in summaries], WORST)
    last = summaries[-1]["compliance"] if summaries else None
    return {
        "lab": lab_block(),
        "number": number,
        "issue_date": "",
        "verification_url": url,
        "manufacturer": _manufacturer_block(product.manufacturer),
        "product": _product_block(product),
        "samples": summaries,
        "compliance_verdict": compliance_overall,
        "maturity_verdict": _worst([s["maturity_verdict"] for s in summaries], MATURITY_WORST),
        "declared": declared_rows,
        "declared_rule": {
            "zh": "實測值取各樣品中最低者（乾基）",
            "en": "Measured: the lowest of the samples (dry basis)",
        },
        "metals": _metal_rows(per_sample, summaries, rules),
        "metals_rule": {"zh": "各樣品中最高者（乾基）", "en": "the highest of the samples (dry basis)"},
        "compliance": {**(last or {}), "verdict": compliance_overall} if last else None,
        "maturity": [{"sample": s["code"], **s["maturity"]} for s in summaries],
        "chemical_fertilizer_declaration": {
            "declared_added": product.chemical_fertilizer_added,
            "text_zh": "本產品添加化學肥料" if product.chemical_fertilizer_added else "本產品未添加化學肥料",
            "text_en": "Chemical fertilizer is added to this product"
            if product.chemical_fertilizer_added
            else "No chemical fertilizer is added to this product",
        },
        "registration": registration or {},
        "requested_by": actor.display_name,
        "signature": None,
        "batch_evidence": batch_evidence.context(samples),
    }
