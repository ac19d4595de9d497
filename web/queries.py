"""Small read helpers for the pages. Every queryset starts from the
visibility selectors; verdicts come from maturity.selectors unchanged."""

from django.db.models import Count, Q
from django.utils import timezone

from certificates.models import Document
from certificates.selectors import documents_visible_to
from lims.selectors import products_visible_to, samples_visible_to
from maturity import assays as assay_services
from maturity import selectors as msel
from maturity.errors import InputError
from maturity.formatting import fmt
from maturity.models import Assay
from maturity.parameters import PARAMETERS
from maturity.policy import current_policy

from . import explain, labels

OPEN_FOR_ENTRY = assay_services.OPEN_FOR_ENTRY


def _with_counts(qs):
    return qs.annotate(
        n_entered=Count("assays", filter=Q(assays__status="entered"), distinct=True),
        n_verified=Count("assays", filter=Q(assays__status="verified"), distinct=True),
        n_invalidated=Count("assays", filter=Q(assays__status="invalidated"), distinct=True),
    )


def worklist(user):
    """The technician's day: samples to receive, received today, assays pending, retests."""
    today = timezone.localdate()
    qs = samples_visible_to(user)
    return {
        "to_receive": list(qs.filter(status="registered").order_by("sampled_on", "id")),
        "received_today": list(qs.filter(received_on=today).order_by("-updated_at")),
        "pending": list(_with_counts(qs.filter(status__in=OPEN_FOR_ENTRY)).order_by("received_on", "id")),
        "submitted": list(_with_counts(qs.filter(status="to_be_verified")).order_by("-updated_at")[:20]),
        "today": today,
    }


def methods_entered(sample):
    return sorted({a.method for a in sample.assays.exclude(status="invalidated")})


ALTERNATIVE_METHODS = {
    "organic_carbon_wet_oxidation": "organic_carbon_combustion",
    "organic_carbon_combustion": "organic_carbon_wet_oxidation",
}  # either gives the OC


def next_method(sample, after=None):
    """The next method (in the pages' order) the sample has no current assay of: save-and-next."""
    from . import assay_forms

    done = set(methods_entered(sample)) | ({after} if after else set())
    order = list(assay_forms.METHODS)
    start = order.index(after) + 1 if after in order else 0
    for m in order[start:]:
        if m not in done and ALTERNATIVE_METHODS.get(m) not in done:
            return m
    return None


def review_queue(user):
    qs = samples_visible_to(user)
    valid_cert = Document.objects.filter(kind=Document.KIND_CERTIFICATE, validity="valid")
    return {
        "to_verify": list(_with_counts(qs.filter(status="to_be_verified")).order_by("updated_at", "id")),
        "to_certify": list(
            qs.filter(status="verified").exclude(pk__in=valid_cert.values("sample_id")).order_by("updated_at", "id")
        ),
        "recent_documents": list(documents_visible_to(user).order_by("-issued_at")[:10]),
        "to_sign": list(documents_visible_to(user).filter(status="awaiting_signature").order_by("issued_at")),
    }


def assay_preview(sample, method, data, exclude=None):
    """The figures an assay would give, computed exactly as on saving, without storing.

    -> {"results": [...], "derived": [...], "flags": [...], "valid", "errors": {path: [...]}}"""
    try:
        outcome, policy = assay_services.assay_preview(sample, method, data, exclude=exclude)
    except InputError as e:
        return {"results": [], "derived": [], "flags": [], "valid": None, "errors": e.errors}
    results = [
        {
            "parameter": k,
            "name": explain.display_name(k),
            "value": fmt(m.value),
            "unit": m.unit,
            "text": labels.value_text(m.value, m.unit, m.qualifier, k, method, m.uncertainty),
        }
        for k, m in outcome.results.items()
    ]
    derived = []
    assays = [a for a in msel.current_assays(sample) if a.pk != getattr(exclude, "pk", None)]
    trial = Assay(sample=sample, method=method, data=data, results={k: m.as_dict() for k, m in outcome.results.items()})
    try:
        figures = msel.sample_figures(sample, assays=[*assays, trial], policy=policy)
    except InputError as e:
        return {"results": results, "derived": [], "flags": [], "valid": outcome.valid, "errors": e.errors}
    for key, value in figures.derived.items():
        unit = "%" if key.endswith("_pct") else ""
        derived.append(
            {
                "parameter": key,
                "name": explain.display_name(key),
                "value": fmt(value),
                "unit": unit,
                "text": labels.value_text(value, unit, "", key, "derived"),
            }
        )
    flags = [labels.label(labels.FLAGS, f) for f in [*outcome.flags, *figures.flags]]
    return {
        "results": results,
        "derived": derived,
        "flags": list(dict.fromkeys(flags)),
        "valid": outcome.valid,
        "errors": {},
        "details": _details(method, outcome.details),
    }


def _details(method, details):
    """A few intermediate figures worth showing while typing."""
    from django.utils.translation import gettext as _

    out = []
    if method == "germination" and details:
        out = [
            (_("Control germination"), f"{fmt(details['g_control'] * 100)} %"),
            (_("Sample germination"), f"{fmt(details['g_sample'] * 100)} %"),
            (_("Control mean root length"), f"{fmt(details['l_control_mm'])} mm"),
            (_("Sample mean root length"), f"{fmt(details['l_sample_mm'])} mm"),
        ]
    elif method == "organic_carbon_wet_oxidation" and details:
        out = [
            (_("Dichromate reduced"), f"{fmt(details['meq_reduced'])} meq"),
            (_("Share of dichromate reduced"), f"{fmt(details['dichromate_reduced_pct'])} %"),
        ]
    elif method == "total_nitrogen_kjeldahl" and details:
        out = [(_("Net titrant"), f"{fmt(details['net_titrant_ml'])} mL")]
    return [{"label": a, "value": b} for a, b in out]


def sample_assays(sample):
    return list(sample.assays.select_related("entered_by", "verified_by", "invalidated_by").order_by("entered_at"))


def split_assays(assays):
    """-> (current, history): invalidated assays fold away under the page's history toggle."""
    return [a for a in assays if a.status != "invalidated"], [a for a in assays if a.status == "invalidated"]


def retest_choices(assays):
    """The verified assays a reviewer may send back, each with the parameters it reports (in the page's language)."""
    return [
        {
            "assay": a,
            "label": f"{labels.method_label(a.method)} #{a.pk}",
            "parameters": "、".join(labels.param_name(k) for k in (a.results or {})) or "—",
        }
        for a in assays
        if a.status == "verified"
    ]


def missing_required(sample, decision_rule=None):
    """Names (page language) of the required results of the sample's category that are missing."""
    from certificates.selectors import missing_required_results

    try:
        missing = missing_required_results(sample, decision_rule=decision_rule)
    except InputError:
        return []
    return [labels.param_name(m["parameter"]) for m in missing]


def sample_verdicts(sample, figures=None):
    """Plain-words maturity and compliance for a sample; errors (no standard loaded) come back as text."""
    policy = current_policy()
    figures = figures or msel.sample_figures(sample, policy=policy)
    out = {
        "figures": figures,
        "rows": explain.parameter_rows(figures),
        "maturity": None,
        "compliance": None,
        "error": None,
    }
    out["maturity"] = explain.explain_maturity(
        msel.sample_maturity_verdict(sample, "tari_1999", figures=figures, policy=policy), policy
    )
    out["gi"] = explain.explain_maturity(
        msel.sample_maturity_verdict(sample, "zucconi_gi", figures=figures, policy=policy), policy
    )
    try:
        out["compliance"] = explain.explain_compliance(msel.sample_compliance(sample, figures=figures))
    except InputError as e:
        out["error"] = " ".join(labels.text(m) for msgs in e.errors.values() for m in msgs)
    out["flags"] = [labels.label(labels.FLAGS, f) for f in figures.flags]
    return out


def portal_overview(user):
    products = products_visible_to(user).annotate(n_samples=Count("samples"))
    samples = samples_visible_to(user).order_by("-created_at")
    return {"products": list(products), "samples": list(samples[:50])}


def category_choices():
    names = msel.category_names()
    return [(k, labels.bilingual(*names[k])) for k in sorted(names)]


def parameter_choices():
    return [(k, f"{labels.param_name(k)} ({k})") for k in PARAMETERS]
