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
                services.sample_transition(
                    actor=request.user,
                    sample=sample,
                    action="receive",
                    condition=form.cleaned_data.get("condition", ""),
                )
            except (TransitionError, PermissionDeniedError) as e:
                form.add_error("code", service_error_text(e))
            else:
                messages.success(
                    request, _("%(code)s received. Print its label and put it on the container.") % {"code": code}
                )
                if request.POST.get("then") == "enter":  # label printed from the entry page: one page load less
                    return redirect("assay-entry", sample.pk, queries.next_method(sample) or assay_forms.METHODS[0])
                return redirect("sample-label", sample.pk)
    waiting = selectors.samples_visible_to(request.user).filter(status="registered").order_by("sampled_on", "id")
    return render(request, "web/receive.html", {"form": form, "waiting": waiting})


def _method_or_404(method):
    from django.http import Http404

    if method not in assay_forms.METHODS:
        raise Http404
    return method


def _entry_context(request, sample, method, values, errors, assay=None):
    model = assay_forms.form_model(method, values, labels.texts(errors), current_policy())
    following = None if assay else queries.next_method(sample, after=method)
    return {
        "sample": sample,
        "method": method,
        "method_label": labels.method_label(method),
        "form": model,
        "assay": assay,
        "next_method": following,
        "next_label": labels.method_label(following) if following else "",
        "entered": queries.methods_entered(sample),
        "n_entered": sample.assays.filter(status="entered").count(),
        "category": labels.category_name(sample.product.category),
        "methods": [(m, labels.method_label(m)) for m in assay_forms.METHODS],
        "figures": queries.sample_verdicts(sample)["rows"],
    }


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
                assay = assay_services.assay_enter(
                    actor=request.user, sample=sample, method=method, data=data, photo=photo
                )
            except InputError as e:
                errors = assay_forms.map_errors(e.errors, path_map)
            except (TransitionError, PermissionDeniedError) as e:
                messages.error(request, service_error_text(e))
                return redirect("sample-detail", sample.pk)
            else:
                shown = ", ".join(
                    f"{labels.param_name(k)} {labels.value_text(m['value'], m.get('unit', ''), m.get('qualifier', ''))}"
                    for k, m in assay.results.items()
                )
                messages.success(
                    request,
                    _("%(method)s saved: %(figures)s")
                    % {"method": labels.method_label(method), "figures": shown or "—"},
                )
                then = request.POST.get("_then", "")
                if then == "next":
                    following = queries.next_method(sample, after=method)
                    if following:
                        return redirect("assay-entry", sample.pk, following)
                elif then == "submit":
                    try:
                        services.sample_transition(actor=request.user, sample=sample, action="submit")
                    except (TransitionError, PermissionDeniedError) as e:
                        messages.error(request, service_error_text(e))
                    else:
                        messages.success(request, _("%(code)s submitted for verification.") % {"code": sample.code})
                return redirect("sample-detail", sample.pk)
    elif sample.status not in queries.OPEN_FOR_ENTRY:
        messages.warning(
            request,
            _("Assays can be entered only while a sample is received or in testing; this one is %(state)s.")
            % {"state": labels.status_label(sample.status)},
        )
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
                assay_services.assay_correct(
                    actor=request.user, assay=assay, data=data, reason=request.POST.get("reason", "")
                )
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
    ctx["reason_errors"] = labels.texts(errors).get("reason", [])
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
    out["errors"] = labels.texts(errors)
    out["valid_label"] = "" if out["valid"] is not False else _("Invalid assay")
    return JsonResponse(out)


PENDING_MAX_AGE = 24 * 3600  # s: a refused upload not confirmed within a day is deleted


def _pending_path(user, sha):
    """A refused upload kept for its re-import confirmation (the file input cannot be refilled)."""
    from django.conf import settings

    return settings.MEDIA_ROOT / "import-pending" / f"{user.pk}-{sha}"


def _prune_pending(folder):
    """Delete the kept uploads nobody confirmed within PENDING_MAX_AGE (a confirmed one is deleted at once), so
    refused uploads never pile up on disk."""
    import time

    cutoff = time.time() - PENDING_MAX_AGE
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        except OSError:  # deleted meanwhile by another request
            continue


@access.role_required(*access.ENTRY)
def results_import(request):
    import re

    from maturity.import_checks import content_sha256

    form = ImportForm(request.POST or None, request.FILES or None)
    report, created, duplicate, checked, error_count = None, None, None, None, 0
    upload = None
    pending = request.POST.get("pending", "")
    if request.method == "POST" and pending and re.fullmatch(r"[0-9a-f]{64}", pending):
        path = _pending_path(request.user, pending)
        if path.exists():  # the user confirmed the re-import of the file refused a moment ago
            upload = {"name": request.POST.get("pending_name", "import.csv")[:200], "content": path.read_bytes()}
        form = ImportForm()
    elif request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        upload = {"name": f.name, "content": f}  # a file object: read in a streaming way
    if upload is not None:
        check_only = request.POST.get("check_only") == "on"
        try:
            result = assay_services.results_import(
                actor=request.user,
                filename=upload["name"],
                content=upload["content"],
                check_only=check_only,
                reimport=bool(pending),
            )
        except ImportRejected as e:
            report = [{**err, "reason": labels.text(err["reason"])} for err in e.report["errors"]]
            error_count = e.count
        except assay_services.ImportDuplicate as e:
            sha = content_sha256(upload["content"])
            path = _pending_path(request.user, sha)
            path.parent.mkdir(parents=True, exist_ok=True)
            _prune_pending(path.parent)
            content = upload["content"]
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                import shutil

                content.seek(0)
                with path.open("wb") as out:
                    shutil.copyfileobj(content, out)
            duplicate = {
                "earlier": e.earlier,
                "rows": e.duplicates,
                "count": e.duplicate_count,
                "sha": sha,
                "name": upload["name"],
            }
        except PermissionDeniedError as e:
            messages.error(request, service_error_text(e))
        else:
            rows = result.rows
            if result.stored:
                created = result.assays
                if pending:
                    _pending_path(request.user, pending).unlink(missing_ok=True)
                messages.success(
                    request,
                    _("Imported %(rows)s value(s) into %(n)s sample(s).") % {"rows": rows, "n": len(result.samples)},
                )
            else:
                checked = {
                    "rows": rows,
                    "samples": result.samples,
                    "duplicates": result.duplicates,
                    "earlier": result.earlier,
                }
    return render(
        request,
        "web/import.html",
        {
            "form": form,
            "report": report,
            "error_count": error_count,
            "created": created[:100] if created else None,
            "duplicate": duplicate,
            "checked": checked,
            "columns": IMPORT_COLUMNS,
        },
    )


IMPORT_COLUMNS = ["sample_code", "parameter", "value", "unit", "basis", "qualifier", "uncertainty"]


@access.role_required(*access.ENTRY)
def import_template(request):
    """An empty import file with the right headers, as CSV or XLSX."""
    from django.http import HttpResponse

    if request.GET.get("format") == "xlsx":
        import io

        from openpyxl import Workbook

        wb = Workbook()
        wb.active.title = "results"
        wb.active.append(IMPORT_COLUMNS)
        buf = io.BytesIO()
        wb.save(buf)
        response = HttpResponse(
            buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="results-template.xlsx"'
        return response
    response = HttpResponse("\ufeff" + ",".join(IMPORT_COLUMNS) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="results-template.csv"'
    return response
