"""Pages of the QC app: worksheets (create, grid, submit, release) and control charts."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lims.lifecycle import TransitionError
from lims.models import Sample
from lims.roles import READ_ALL, Role
from lims.services import PermissionDeniedError
from maturity import calculations as calc
from maturity.errors import InputError
from maturity.parameters import PARAMETERS
from web import assay_forms
from web.access import role_required

from . import grid, services
from .chart_svg import control_chart_svg
from .models import ControlChart, QcLimits, ReferenceMaterial, Worksheet, WorksheetTemplate

RUN = (Role.TECHNICIAN, Role.LAB_ADMIN)
LAB = (Role.TECHNICIAN, Role.REVIEWER, Role.LAB_ADMIN)


@role_required(*LAB)
def worksheet_list(request):
    """Open and recent worksheets; technicians create one from the samples waiting for a method."""
    errors = {}
    if request.method == "POST" and request.user.role in RUN:
        ids = [int(i) for i in request.POST.getlist("samples") if i.isdigit()]
        samples = list(Sample.objects.filter(pk__in=ids).order_by("code"))
        items = [{"kind": k} for k in ("blank",) if request.POST.get(k)]
        if request.POST.get("duplicate") and samples:
            items.append({"kind": "duplicate", "of": samples[0].pk})
        if request.POST.get("reference_material", "").isdigit():
            items.append({"kind": "reference", "reference_material": int(request.POST["reference_material"])})
        template = WorksheetTemplate.objects.filter(pk=request.POST.get("template") or None).first()
        try:
            ws = services.worksheet_create(
                actor=request.user,
                method=request.POST.get("method", ""),
                samples=samples,
                qc_items=items,
                template=template,
            )
            return redirect("qc-worksheet", ws.pk)
        except InputError as exc:
            errors = exc.errors
    waiting = Sample.objects.filter(status__in=services.OPEN_SAMPLE_STATES).select_related("product").order_by("code")
    return render(
        request,
        "qc/worksheet_list.html",
        {
            "worksheets": Worksheet.objects.select_related("created_by")[:50],
            "waiting": waiting,
            "methods": calc.METHODS,
            "materials": ReferenceMaterial.objects.all(),
            "templates": WorksheetTemplate.objects.all(),
            "errors": errors,
            "can_run": request.user.role in RUN,
        },
    )


@role_required(*LAB)
def worksheet_detail(request, pk):
    ws = get_object_or_404(Worksheet.objects.select_related("created_by", "released_by"), pk=pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "submit":
                services.worksheet_submit(actor=request.user, worksheet=ws)
                messages.success(request, _("Worksheet submitted: its samples wait for verification."))
            elif request.POST.get("action") == "release":
                services.worksheet_release(actor=request.user, worksheet=ws, reason=request.POST.get("reason", ""))
                messages.success(request, _("Worksheet released."))
        except (TransitionError, PermissionDeniedError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        except InputError as exc:
            messages.error(request, " ".join(str(m) for msgs in exc.errors.values() for m in msgs))
        return redirect("qc-worksheet", ws.pk)
    positions = list(ws.positions.select_related("sample", "of_position", "reference_material").order_by("number"))
    parameters = []
    if ws.method == "direct":
        parameters = sorted(
            {p.reference_material.parameter for p in positions if p.reference_material}
            | {p.spike_parameter for p in positions if p.spike_parameter}
            | {k for p in positions for k in p.results}
            | set(grid.direct_parameters(p.data for p in positions))
        ) or ["total_nitrogen_pct"]
    rejects = services.worksheet_rejects(ws)
    return render(
        request,
        "qc/worksheet_detail.html",
        {
            "ws": ws,
            "positions": positions,
            "grid": _grid_model(ws, positions, parameters),
            "all_parameters": list(PARAMETERS),
            "labels": {p.number: services.position_label(ws, p) for p in positions},
            "rejects": rejects,
            "can_run": request.user.role in RUN,
            "can_release": request.user.role in services.RELEASE_ROLES,
            "charts": ControlChart.objects.filter(points__worksheet=ws).distinct(),
        },
    )


def _column_labels(method):
    """{raw field: (label, unit)} of a method's entry form (web.assay_forms knows them)."""
    out = {f.name: (f.label, f.unit) for f in assay_forms.method_fields(method)}
    out.update(
        {
            "sown": (_("Seeds sown"), ""),
            "germinated": (_("Germinated"), ""),
            "mean_root_length_mm": (_("Mean root length"), "mm"),
        }
    )
    for key, label in assay_forms.OBS_LABELS.items():
        out.setdefault(f"observations.{key}", (label, assay_forms.OBS_UNITS.get(key, "")))
    return out


BLANK_ROLES = {
    "control": _lazy("distilled-water control"),
    "reagent_blank": _lazy("reagent blank"),
    "measured": _lazy("blank"),
}


def _grid_model(ws, positions, parameters):
    """The grid: one row per position, the method's raw fields as columns (qc.grid)."""
    cols = grid.columns(ws.method, parameters)
    labels = _column_labels(ws.method)
    columns = []
    for c in cols:
        label, unit = labels.get(c.field) or labels.get(f"observations.{c.field}") or (c.field, "")
        if c.kind == "direct":
            label, unit = c.key, ""
        columns.append(
            {
                "key": c.key,
                "label": label,
                "unit": unit,
                "dish": c.dish,
                "kind": c.kind,
                "choices": [str(x) for x in c.choices] + (["true", "false"] if c.kind == "bool" else []),
            }
        )
    rows = []
    for p in positions:
        values = grid.data_to_cells(ws.method, p.kind, p.data, cols)
        kind_label = BLANK_ROLES[grid.blank_role(ws.method)] if p.kind == "blank" else p.get_kind_display()
        rows.append(
            {
                "pos": p,
                "kind_label": kind_label,
                "label": services.position_label(ws, p),
                "cells": [
                    {
                        "key": c.key,
                        "path": c.path(p.kind),
                        "value": values[c.key],
                        "kind": c.kind,
                        "list": f"choices-{i}" if columns[i]["choices"] else "",
                    }
                    for i, c in enumerate(cols)
                ],
            }
        )
    return {
        "columns": columns,
        "rows": rows,
        "direct": ws.method == "direct",
        "blank_role": grid.blank_role(ws.method),
    }


@role_required(*READ_ALL)
def chart_detail(request, pk):
    chart = get_object_or_404(ControlChart.objects.select_related("reference_material"), pk=pk)
    points = list(chart.points.select_related("worksheet").order_by("at", "id"))
    svg = control_chart_svg(
        [p.value for p in points], chart.centre, chart.s, [p.violations for p in points], title=str(chart)
    )
    limits = services.limits_for(chart.method, chart.parameter)
    return render(
        request, "qc/chart_detail.html", {"chart": chart, "points": points, "svg": mark_safe(svg), "limits": limits}
    )


@role_required(*READ_ALL)
def chart_list(request):
    charts = ControlChart.objects.select_related("reference_material")
    return render(request, "qc/chart_list.html", {"charts": charts, "limits": QcLimits.objects.all()})
