"""Technician pages: work list, receipt, assay entry with live preview, bulk import."""
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lims import selectors, services
from lims.lifecycle import TransitionError
from lims.services import PermissionDeniedError
from maturity import assays as assay_services
from maturity.errors import InputError
from maturity.importing import ImportRejected
from maturity.models import Assay
from maturity.policy import current_policy

from .. import access, assay_forms, labels, queries
from ..forms import ImportForm, ReceiveForm
from .common import service_error_text, visible_sample


@access.role_required(*access.ENTRY)
def worklist(request):
    return render(request, "web/worklist.html", queries.worklist(request.user))


@access.role_required(*access.ENTRY)
def receive(request):
    form = ReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        sample = selectors.samples_visible_to(request.user).filter(code=code).first()
        if sample is None:
            form.add_error("code", _("No sample with the code %(code)s.") % {"code": code})
        else:
            try:
                services.sample_transition(actor=request.user, sample=sample, action="receive")
            except (TransitionError, PermissionDeniedError) as e:
                form.add_error("code", service_error_text(e))
            else:
                messages.success(request, _("%(code)s received. Print its label and put it on the container.")
                                 % {"code": code})
                return redirect("sample-label", sample.pk)
    waiting = selectors.samples_visible_to(request.user).filter(status="registered").order_by("sampled_on", "id")
    return render(request, "web/receive.html", {"form": form, "waiting": waiting})


def _method_or_404(method):
    from django.http import Http404
    if method not in assay_forms.METHODS:
        raise Http404
    return method


def _entry_context(request, sample, method, values, errors, assay=None):
    model = assay_forms.form_model(method, values, labels.translate_errors(errors), current_policy())
    return {"sample": sample, "method": method, "method_label": labels.method_label(method), "form": model,
            "assay": assay,
            "methods": [(m, labels.method_label(m)) for m in assay_forms.METHODS],
            "figures": queries.sample_verdicts(sample)["rows"]}


@access.role_required(*access.ENTRY)
def assay_entry(request, pk, method):
    sample = visible_sample(request, pk)
    method = _method_or_404(method)
    values, errors = {}, {}
    if request.method == "POST":
        values = request.POST.dict()
        data, path_map = assay_forms.nest(method, request.POST)
        photo = request.FILES.get("photo") if method == "chromatogram" else None
        extra = path_map.get("__extra__")
        if extra:
            errors = dict(extra)
        else:
            try:
                assay = assay_services.assay_enter(actor=request.user, sample=sample, method=method, data=data,
                                                   photo=photo)
            except InputError as e:
                errors = assay_forms.map_errors(e.errors, path_map)
            except (TransitionError, PermissionDeniedError) as e:
                messages.error(request, service_error_text(e))
                return redirect("sample-detail", sample.pk)
            else:
                shown = ", ".join(f"{labels.param_name(k)} {labels.value_text(m['value'], m.get('unit', ''), m.get('qualifier', ''))}"
                                  for k, m in assay.results.items())
                messages.success(request, _("%(method)s saved: %(figures)s") % {
                    "method": labels.method_label(method), "figures": shown or "—"})
                return redirect("sample-detail", sample.pk)
    elif sample.status not in queries.OPEN_FOR_ENTRY:
        messages.warning(request, labels.translate_message(
            f"Assays can be entered only while a sample is received or in testing; this one is '{sample.status}'."))
        return redirect("sample-detail", sample.pk)
    return render(request, "web/assay_entry.html", _entry_context(request, sample, method, values, errors))


@access.role_required(*access.ENTRY)
def assay_correct(request, pk, assay_id):
    sample = visible_sample(request, pk)
    assay = get_object_or_404(Assay, pk=assay_id, sample=sample)
    method = assay.method
    values, errors = assay_forms.flatten(method, assay.data), {}
    if request.method == "POST":
        values = request.POST.dict()
        data, path_map = assay_forms.nest(method, request.POST)
        extra = path_map.get("__extra__")
        if extra:
            errors = dict(extra)
        else:
            try:
                assay_services.assay_correct(actor=request.user, assay=assay, data=data,
                                             reason=request.POST.get("reason", ""))
            except InputError as e:
                errors = assay_forms.map_errors(e.errors, path_map)
            except (TransitionError, PermissionDeniedError) as e:
                messages.error(request, service_error_text(e))
                return redirect("sample-detail", sample.pk)
            else:
                messages.success(request, _("%(method)s corrected.") % {"method": labels.method_label(method)})
                return redirect("sample-detail", sample.pk)
    ctx = _entry_context(request, sample, method, values, errors, assay=assay)
    ctx["reason"] = request.POST.get("reason", "")
    ctx["reason_errors"] = labels.translate_errors(errors).get("reason", [])
    return render(request, "web/assay_entry.html", ctx)


@require_POST
@access.role_required(*access.ENTRY)
def assay_preview(request, pk):
    """What the assay would give, computed as on saving, without storing (JSON for the live preview)."""
    sample = visible_sample(request, pk)
    method = request.POST.get("_method", "")
    if method not in assay_forms.METHODS:
        return JsonResponse({"errors": {"non_field_errors": [_("Unknown method.")]}}, status=400)
    exclude = None
    if request.POST.get("_assay"):
        exclude = Assay.objects.filter(pk=request.POST["_assay"], sample=sample).first()
    data, path_map = assay_forms.nest(method, request.POST)
    out = queries.assay_preview(sample, method, data, exclude=exclude)
    errors = assay_forms.map_errors(out["errors"], path_map)
    if not data and not path_map.get("__extra__"):
        errors = {}  # nothing typed yet: no errors to show
    out["errors"] = labels.translate_errors(errors)
    out["valid_label"] = "" if out["valid"] is not False else _("Invalid assay")
    return JsonResponse(out)


@access.role_required(*access.ENTRY)
def results_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report, created, error_count = None, None, 0
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = assay_services.results_import(actor=request.user, filename=upload.name, content=upload)
        except ImportRejected as e:
            report = [{**err, "reason": labels.translate_message(err["reason"])} for err in e.report["errors"]]
            error_count = len(e.errors)
        except PermissionDeniedError as e:
            messages.error(request, service_error_text(e))
        else:
            rows = sum(len(a.data["values"]) for a in created)
            messages.success(request, _("Imported %(rows)s value(s) into %(n)s sample(s).") % {
                "rows": rows, "n": len(created)})
    return render(request, "web/import.html", {
        "form": form, "report": report, "error_count": error_count, "created": created[:100] if created else None,
        "columns": ["sample_code", "parameter", "value", "unit", "basis", "qualifier", "uncertainty"]})
