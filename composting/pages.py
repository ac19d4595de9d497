"""Pages of composting batches (DOMAIN.md §9): list and create, the batch page with its curve and verdicts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from lims import selectors as lims_selectors
from lims.messages import Message, gettext_noop
from lims.roles import Role

from . import charts, logger, selectors, services
from .forms import BatchForm, LoggerUploadForm, MoistureForm, SampleLinkForm, TurningForm

WRITERS = (Role.MANUFACTURER, Role.TECHNICIAN, Role.LAB_ADMIN)


def status_label(status):
    return {
        "met": _("met"),
        "not_shown": _("not shown"),
        "not_judged": _("not judged"),
        "inactivated": _("inactivated"),
        "reheated": _("re-heated"),
        "not_reheated": _("not re-heated"),
    }.get(status, status)


def readable(iso):
    return iso[:16].replace("T", " ")


def readable_run(run):
    return {**run, "start": readable(run["start"]), "end": readable(run["end"])} if run else None


def curve_svg(ev, width=720, height=260):
    return mark_safe(
        charts.governing_svg(
            ev["governing"],
            ev["turnings"],
            charts.thresholds_of(ev["criteria_params"]),
            _("Governing temperature"),
            width=width,
            height=height,
            labels={
                "legend": _(
                    "Governing temperature (lowest probe per hour, °C); grey lines: turnings; "
                    "dashed: criterion thresholds"
                )
            },
        )
    )


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
    own_samples = (
        lims_selectors.samples_visible_to(request.user)
        .filter(product__manufacturer_id=batch.manufacturer_id)
        .order_by("-id")
    )
    link = SampleLinkForm(samples=own_samples)
    if request.method == "POST" and can_write:
        what = request.POST.get("what")
        if what == "upload":
            upload = LoggerUploadForm(request.POST, request.FILES)
            if upload.is_valid():
                f = upload.cleaned_data["file"]
                try:
                    if f.size > logger.MAX_BYTES:
                        raise logger.LoggerFileRejected(
                            [
                                {
                                    "row": None,
                                    "column": "file",
                                    "code": "logger_file_too_large",
                                    "reason": Message("logger_file_too_large", gettext_noop("the file is too large")),
                                }
                            ]
                        )
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
        elif what == "sample":
            link = SampleLinkForm(request.POST, samples=own_samples)
            if link.is_valid():
                services.sample_link(actor=request.user, sample=link.cleaned_data["sample"], batch=batch)
                return redirect("composting-batch", batch.pk)
        elif what == "moisture":
            moisture = MoistureForm(request.POST)
            if moisture.is_valid():
                services.moisture_add(actor=request.user, batch=batch, **moisture.cleaned_data)
                return redirect("composting-batch", batch.pk)
    ev = selectors.evaluation(batch)
    criteria = []
    for c in ev["criteria"]:
        criteria.append(
            {
                **c,
                "label": status_label(c["status"]),
                "run": readable_run(c.get("run")),
                "organisms": [
                    {**o, "label": status_label(o["status"]), "run": readable_run(o.get("run"))}
                    for o in c.get("organisms", [])
                ],
                "turnings": [
                    {**t, "label": status_label(t["status"]), "time": readable(t["time"])}
                    for t in c.get("turnings", [])
                ],
            }
        )
    return render(
        request,
        "composting/batch_detail.html",
        {
            "batch": batch,
            "chart": curve_svg(ev),
            "criteria": criteria,
            "can_write": can_write,
            "upload": upload,
            "turning": turning,
            "moisture": moisture,
            "report": report,
            "link": link,
            "turnings": batch.turnings.all(),
            "moisture_readings": batch.moisture_readings.all(),
            "hours": len(ev["governing"]),
            "samples": batch.samples.select_related("sample"),
        },
    )


MIX_ROWS = 4


@login_required
def mix_designer(request):
    """Any logged-in user: pick or enter materials, set targets, get masses and water; save as a batch recipe."""
    from django import forms as dj_forms

    from . import mix
    from .forms import MixMaterialForm, MixTargetForm
    from .messages import error_message
    from .models import Material

    materials = Material.objects.all()
    samples = selectors.verified_samples_visible_to(request.user).order_by("-id")
    batches = (
        selectors.batches_visible_to(request.user)
        if request.user.role in WRITERS
        else selectors.batches_visible_to(request.user).none()
    )
    data = request.POST if request.method == "POST" else None
    rows = [MixMaterialForm(data, prefix=f"m{i}", materials=materials, samples=samples) for i in range(MIX_ROWS)]
    target = MixTargetForm(data, batches=batches)
    result, problem = None, None
    if data is not None and target.is_valid() and all(r.is_valid() for r in rows):
        chosen = []
        for r in rows:
            if r.is_blank():
                continue
            d = r.cleaned_data
            extra = {
                "min_share_pct": d["min_share_pct"] if d["min_share_pct"] is not None else 0,
                "max_share_pct": d["max_share_pct"] if d["max_share_pct"] is not None else 100,
                "cost_per_tonne": d["cost_per_tonne"],
            }
            if d["material"]:
                m = d["material"]
                chosen.append(
                    {
                        "name": m.name,
                        "carbon_pct": m.carbon_pct,
                        "nitrogen_pct": m.nitrogen_pct,
                        "moisture_pct": m.moisture_pct,
                        **extra,
                    }
                )
            elif d["sample"]:
                values, missing = selectors.material_from_sample(d["sample"])
                if missing:
                    r.add_error(
                        "sample",
                        dj_forms.ValidationError(
                            _("The sample has no result for %(names)s.") % {"names": ", ".join(missing)},
                            code="mix_sample_incomplete",
                        ),
                    )
                    continue
                chosen.append({**values, **extra})
            else:
                missing = [k for k in ("nitrogen_pct", "moisture_pct") if d[k] is None]
                for k in missing:
                    r.add_error(k, dj_forms.ValidationError(_("This field is required."), code="required"))
                if not missing:
                    chosen.append(
                        {
                            "name": d["name"] or _("material"),
                            "carbon_pct": d["carbon_pct"],
                            "nitrogen_pct": d["nitrogen_pct"],
                            "moisture_pct": d["moisture_pct"],
                            **extra,
                        }
                    )
        if not any(r.errors for r in rows):
            try:
                result = selectors.design_mix(
                    chosen,
                    target.cleaned_data["target_cn"],
                    target.cleaned_data["target_moisture_pct"],
                    target.cleaned_data["dry_total_kg"],
                )
            except mix.MixError as e:
                problem = str(error_message(e))
            if result is not None and target.cleaned_data.get("batch"):
                batch = target.cleaned_data["batch"]
                services.recipe_save(actor=request.user, batch=batch, design=result)
                messages.success(request, _("Saved as the recipe of batch %(name)s.") % {"name": batch.name})
    return render(
        request, "composting/mix.html", {"rows": rows, "target": target, "result": result, "problem": problem}
    )


@login_required
def soil_forecast(request):
    """The §11 forecast for a verified sample the user may see."""
    from . import forecast
    from .forms import ForecastForm
    from .messages import error_message

    groups = list(selectors.soil_groups().values())
    samples = selectors.verified_samples_visible_to(request.user).order_by("-id")
    form = ForecastForm(request.GET or None, samples=samples, groups=groups)
    result, problems, chart = None, {}, ""
    if request.GET and form.is_valid():
        d = form.cleaned_data
        try:
            result, problems = selectors.soil_forecast(
                d["sample"],
                rate_t_ha=d["rate_t_ha"],
                horizon_years=d["horizon_years"],
                land_use=d["land_use"],
                start=form.start(groups),
                depth_cm=d["depth_cm"],
                bulk_density=d["bulk_density"],
            )
        except forecast.ForecastError as e:
            problems = {e.field: error_message(e)}
        if result:
            first = result["first_level"]
            rows = [
                {**m, "threshold_mg_kg": m["levels"].get(first, {}).get("threshold_mg_kg")} for m in result["metals"]
            ]
            chart = mark_safe(
                charts.forecast_svg(
                    rows,
                    result["horizon_years"],
                    _("Soil concentration over the years"),
                    legend=_("Soil concentration as a share of the monitoring standard (%); years along the axis"),
                )
            )
    return render(
        request,
        "composting/forecast.html",
        {"form": form, "result": result, "chart": chart, "problems": [str(m) for m in problems.values()]},
    )
