"""Pages of composting batches (DOMAIN.md §9): list and create, the batch page with its curve and verdicts."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from lims.roles import Role

from . import charts, logger, selectors, services
from .forms import BatchForm, LoggerUploadForm, MoistureForm, TurningForm

WRITERS = (Role.MANUFACTURER, Role.TECHNICIAN, Role.LAB_ADMIN)


def status_label(status):
    return {"met": _("met"), "not_shown": _("not shown"), "not_judged": _("not judged"),
            "inactivated": _("inactivated"), "reheated": _("re-heated"), "not_reheated": _("not re-heated")}.get(
        status, status)


def thresholds_of(params_by_key):
    """Temperature lines to draw: every threshold of the active criteria except the organisms' (too many)."""
    found = set()
    for key, params in params_by_key.items():
        for name in ("temperature_c", "run_c", "low_c", "high_c", "peak_c"):
            if isinstance(params.get(name), (int, float)):
                found.add(float(params[name]))
    return sorted(found)


def curve_svg(ev, width=720, height=260):
    return mark_safe(charts.governing_svg(
        ev["governing"], ev["turnings"], thresholds_of(ev["criteria_params"]), _("Governing temperature"),
        width=width, height=height,
        labels={"legend": _("Governing temperature (lowest probe per hour, °C); grey lines: turnings; "
                            "dashed: criterion thresholds")}))


@login_required
def batch_list(request):
    qs = selectors.batches_visible_to(request.user).order_by("-started_on", "-id")
    method = request.GET.get("method", "")
    if method:
        qs = qs.filter(method=method)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    can_write = request.user.role in WRITERS
    form = BatchForm(request.POST or None, user=request.user) if can_write else None
    if request.method == "POST" and can_write and form.is_valid():
        data = dict(form.cleaned_data)
        manufacturer = data.pop("manufacturer", None) or request.user.manufacturer
        batch = services.batch_create(actor=request.user, manufacturer=manufacturer, **data)
        messages.success(request, _("Batch %(name)s created.") % {"name": batch.name})
        return redirect("composting-batch", batch.pk)
    return render(request, "composting/batch_list.html", {"page": page, "form": form, "method": method})


@login_required
def batch_detail(request, pk):
    batch = get_object_or_404(selectors.batches_visible_to(request.user), pk=pk)
    can_write = request.user.role in WRITERS
    upload, turning, moisture, report = LoggerUploadForm(), TurningForm(), MoistureForm(), None
    if request.method == "POST" and can_write:
        what = request.POST.get("what")
        if what == "upload":
            upload = LoggerUploadForm(request.POST, request.FILES)
            if upload.is_valid():
                f = upload.cleaned_data["file"]
                try:
                    if f.size > logger.MAX_BYTES:
                        raise logger.LoggerFileRejected([{"row": None, "column": "file", "code": "logger_file_too_large",
                                                          "reason": _("the file is too large")}])
                    n = services.readings_upload(actor=request.user, batch=batch, filename=f.name, content=f.read())
                    messages.success(request, _("%(n)s readings stored.") % {"n": n})
                    return redirect("composting-batch", batch.pk)
                except logger.LoggerFileRejected as e:
                    report = e
        elif what == "turning":
            turning = TurningForm(request.POST)
            if turning.is_valid():
                services.turning_add(actor=request.user, batch=batch, **turning.cleaned_data)
                return redirect("composting-batch", batch.pk)
        elif what == "moisture":
            moisture = MoistureForm(request.POST)
            if moisture.is_valid():
                services.moisture_add(actor=request.user, batch=batch, **moisture.cleaned_data)
                return redirect("composting-batch", batch.pk)
    ev = selectors.evaluation(batch)
    criteria = []
    for c in ev["criteria"]:
        criteria.append({**c, "label": status_label(c["status"]),
                         "organisms": [{**o, "label": status_label(o["status"])} for o in c.get("organisms", [])],
                         "turnings": [{**t, "label": status_label(t["status"])} for t in c.get("turnings", [])]})
    return render(request, "composting/batch_detail.html", {
        "batch": batch, "chart": curve_svg(ev), "criteria": criteria, "can_write": can_write,
        "upload": upload, "turning": turning, "moisture": moisture, "report": report,
        "turnings": batch.turnings.all(), "moisture_readings": batch.moisture_readings.all(),
        "hours": len(ev["governing"]), "samples": batch.samples.select_related("sample")})
