"""Regulator dashboard: filters, the samples-with-verdict table, per-parameter
statistics as charts, exports. Reads maturity.market; changes nothing."""
from urllib.parse import urlencode

from django.shortcuts import render

from lims import selectors
from lims.models import LabSettings
from maturity import market
from maturity.errors import InputError

from .. import access, charts, explain, labels
from ..forms import RegulatorFilterForm

FILTER_KEYS = ("manufacturer", "category", "verdict", "failing", "received_after", "received_before", "standard",
               "decision_rule")


def _judged(request):
    lab = LabSettings.current()
    form = RegulatorFilterForm(request.GET or None, user=request.user,
                               initial={"standard": lab.default_standard, "decision_rule": lab.default_decision_rule})
    q = form.cleaned_data if form.is_bound and form.is_valid() else {}
    standard = q.get("standard") or lab.default_standard
    rule = q.get("decision_rule") or lab.default_decision_rule
    filters = {k: q.get(k) for k in ("manufacturer", "category", "received_after", "received_before") if q.get(k)}
    frame = market.sample_frame(market.market_samples(selectors.samples_visible_to(request.user), filters))
    edition, frame = market.judge_market(frame, standard, rule)
    judged_all = frame
    frame = market.filter_judged(frame, q.get("verdict") or None, q.get("failing") or None)
    return form, q, edition, rule, judged_all, frame


@access.role_required(*access.REGULATOR, *access.REVIEW, *access.ENTRY)
def dashboard(request):
    try:
        form, q, edition, rule, judged_all, frame = _judged(request)
    except InputError as e:
        return render(request, "web/regulator.html", {"error": " ".join(
            labels.translate_message(m) for v in e.errors.values() for m in v)})
    names = None
    from maturity.selectors import category_names
    names = category_names()
    rows = []
    for r in market.table_rows(frame):
        failing = [explain.display_name(p) for p in r["failing"]]
        rows.append({**r, "category_label": labels.category_name(r["category"], names), "failing_labels": failing})
    counts = {v: int((judged_all["verdict"] == v).sum()) if not judged_all.empty else 0
              for v in ("pass", "fail", "conditional", "incomplete")}
    stats = market.statistics(judged_all, edition, lambda **kw: "?" + urlencode(
        {**{k: v for k, v in request.GET.items() if k in FILTER_KEYS and k not in ("failing", "category")}, **{
            k: v for k, v in kw.items() if k in ("category", "failing")}})) if not judged_all.empty else []
    panels = charts.stat_panels(stats, judged_all, names)
    query = urlencode({k: v for k, v in request.GET.items() if k in FILTER_KEYS and v})
    return render(request, "web/regulator.html", {
        "form": form, "edition": edition, "rule": rule, "rule_label": labels.label(labels.DECISION_RULES, rule),
        "rows": rows, "counts": counts, "total": len(judged_all), "shown": len(rows), "panels": panels,
        "verdict_chart": charts.verdict_bar(counts), "query": query,
        "export_csv": f"?{query}&format=csv" if query else "?format=csv"})


@access.role_required(*access.REGULATOR, *access.REVIEW, *access.ENTRY)
def export(request):
    fmt = request.GET.get("format", "csv")
    fmt = fmt if fmt in ("csv", "xlsx") else "csv"
    form, q, edition, rule, judged_all, frame = _judged(request)
    from django.http import HttpResponse
    from django.utils.translation import get_language

    from .. import exports
    language = exports.export_language(LabSettings.current(), get_language())
    table = exports.localize(market.export_table(frame, edition.code, rule), language)
    about = {"standard": edition.code, "decision_rule": rule, "samples": len(table)}
    response = HttpResponse(market.table_bytes(table, fmt, about), content_type=market.EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="samples-{edition.code}-{rule}.{fmt}"'
    return response
