"""Regulator dashboard: filters, the samples-with-verdict table, per-parameter
statistics as charts, exports. Reads the stored judgements through maturity.market (SQL); changes nothing."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render

from lims.models import LabSettings
from maturity import market
from maturity.errors import InputError
from maturity.selectors import edition_or_error

from .. import access, charts, explain, labels
from ..forms import RegulatorFilterForm

FILTER_KEYS = (
    "manufacturer",
    "category",
    "verdict",
    "failing",
    "maturity",
    "received_after",
    "received_before",
    "standard",
    "decision_rule",
)
PAGE_SIZE = 100


def _judged(request):
    """-> (form, query, edition, rule, filters, judgements of the selection, those matching verdict/failing)."""
    lab = LabSettings.current()
    form = RegulatorFilterForm(
        request.GET or None,
        user=request.user,
        initial={"standard": lab.default_standard, "decision_rule": lab.default_decision_rule},
    )
    q = form.cleaned_data if form.is_bound and form.is_valid() else {}
    standard = q.get("standard") or lab.default_standard
    rule = q.get("decision_rule") or lab.default_decision_rule
    edition = edition_or_error(standard)
    filters = {k: q.get(k) for k in ("manufacturer", "category", "received_after", "received_before") if q.get(k)}
    judged_all = market.judgements(request.user, edition, rule, filters)
    selected = market.judgements(
        request.user,
        edition,
        rule,
        {
            **filters,
            "verdict": q.get("verdict") or None,
            "failing": q.get("failing") or None,
            "maturity": q.get("maturity") or None,  # the stored TARI 1999 maturity verdict
        },
    )
    return form, q, edition, rule, filters, judged_all, selected


@access.role_required(*access.REGULATOR, *access.REVIEW, *access.ENTRY)
def dashboard(request):
    try:
        form, q, edition, rule, filters, judged_all, selected = _judged(request)
    except InputError as e:
        return render(
            request,
            "web/regulator.html",
            {"error": " ".join(labels.text(m) for v in e.errors.values() for m in v)},
        )
    from maturity.selectors import category_names

    names = category_names()
    selection = {
        **filters,
        "verdict": q.get("verdict") or None,
        "failing": q.get("failing") or None,
        "maturity": q.get("maturity") or None,
    }
    count = market.count_of(selected, request.user, edition, rule, selection)
    page = Paginator(market.Counted(market.with_rows(selected), count), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for j in market.with_checks(page):
        r = market.row(j)
        failing = [explain.display_name(p) for p in r["failing"]]
        rows.append({**r, "category_label": labels.category_name(r["category"], names), "failing_labels": failing})
    if set(filters) <= {"category"}:  # the whole view or one category: the kept counts, no count in SQL
        every = market.kept_verdict_counts(edition, rule, filters.get("category"))
        counts = {v: every.get(v, 0) for v in ("pass", "fail", "conditional", "incomplete")}
        total = sum(every.values())
    else:
        counts = market.verdict_counts(judged_all)
        total = sum(counts.values()) + judged_all.filter(verdict="not_judged").count()
    stats = (
        market.statistics(
            judged_all,
            edition,
            rule,
            filters,
            lambda **kw: "?"
            + urlencode(
                {
                    **{k: v for k, v in request.GET.items() if k in FILTER_KEYS and k not in ("failing", "category")},
                    **{k: v for k, v in kw.items() if k in ("category", "failing")},
                    # a limit's link (beyond=parameter) opens the page's list of that parameter's failing samples
                    **({"failing": kw["beyond"]} if kw.get("beyond") else {}),
                }
            ),
        )
        if total
        else []
    )
    panels = charts.stat_panels(stats, lambda *a: market.histogram(judged_all, edition, rule, filters, *a), names)
    query = urlencode({k: v for k, v in request.GET.items() if k in FILTER_KEYS and v})
    return render(
        request,
        "web/regulator.html",
        {
            "form": form,
            "edition": edition,
            "rule": rule,
            "rule_label": labels.label(labels.DECISION_RULES, rule),
            "state": market.judgement_state(edition, rule),
            "rows": rows,
            "page": page,
            "counts": counts,
            "total": total,
            "shown": page.paginator.count,
            "panels": panels,
            "verdict_chart": charts.verdict_bar(counts),
            "query": query,
            "export_csv": f"?{query}&format=csv" if query else "?format=csv",
        },
    )


@access.role_required(*access.REGULATOR, *access.REVIEW, *access.ENTRY)
def export(request):
    fmt = request.GET.get("format", "csv")
    fmt = fmt if fmt in ("csv", "xlsx") else "csv"
    try:
        form, q, edition, rule, filters, judged_all, selected = _judged(request)
    except InputError as e:
        return HttpResponseBadRequest(" ".join(str(m) for v in e.errors.values() for m in v))
    from django.utils.translation import get_language

    from .. import exports

    language = exports.export_language(LabSettings.current(), get_language())
    # the page's export in one language with numbers rounded as on the certificate; streamed in chunks
    return market.export_response(
        selected, fmt, edition.code, rule, localize=lambda frame: exports.localize(frame, language)
    )
