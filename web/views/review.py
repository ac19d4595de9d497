"""Reviewer pages: the queue, side-by-side review, verify / retest, certificates, batch issue."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certificates import selectors as cert_selectors
from certificates import services as cert_services
from lims import selectors
from lims.lifecycle import TransitionError
from lims.services import PermissionDeniedError
from maturity.errors import InputError

from .. import access, labels, queries
from ..forms import CertificateForm
from .common import sample_actions, service_error_text, visible_sample


@access.role_required(*access.REVIEW)
def queue(request):
    return render(
        request, "web/review_queue.html", {**queries.review_queue(request.user), "certificate_form": CertificateForm()}
    )


def raw_rows(assay):
    """An assay's raw data as label/value rows for the side-by-side view."""
    from .. import assay_forms

    data = assay.data or {}
    rows = []
    if assay.method == "germination":
        rows.append((_("Protocol"), labels.label(labels.GERMINATION_PROTOCOLS, data.get("protocol"))))
        for group, title in (("control", _("Control")), ("sample", _("Compost extract"))):
            for i, d in enumerate(data.get(group) or []):
                rows.append(
                    (
                        f"{title} #{i + 1}",
                        _("%(germinated)s / %(sown)s germinated, root %(length)s mm")
                        % {
                            "germinated": d.get("germinated"),
                            "sown": d.get("sown"),
                            "length": d.get("mean_root_length_mm"),
                        },
                    )
                )
    elif assay.method == "direct":
        for key, e in (data.get("values") or {}).items():
            u = f" ± {e['uncertainty']}" if e.get("uncertainty") not in (None, "") else ""
            rows.append(
                (
                    labels.param_name(key),
                    f"{e.get('qualifier', '')}{e.get('value')} {e.get('unit', '')}{u} "
                    f"{labels.label(labels.BASES, e.get('basis', '') or '')}".strip(),
                )
            )
    elif assay.method == "observation":
        for key, v in (data.get("observations") or {}).items():
            shown = v
            if isinstance(v, bool):
                shown = _("yes") if v else _("no")
            elif isinstance(v, str):
                shown = assay_forms.OBS_CHOICES.get(v, v)
            rows.append((assay_forms.OBS_LABELS.get(key, key), shown))
    elif assay.method == "chromatogram":
        rows.append((_("Protocol"), labels.label(labels.CHROMATOGRAM_PROTOCOLS, data.get("protocol"))))
        for zone in ("center", "middle_band", "edge"):
            if data.get(zone):
                rows.append((labels.ZONES[zone], labels.label(labels.ZONE_CODES, data[zone])))
    else:
        fields = {f.name: f for f in assay_forms.method_fields(assay.method)}
        for k, v in data.items():
            if k == "note":
                continue
            f = fields.get(k)
            rows.append((f.label if f else k, f"{v} {f.unit if f else ''}".strip()))
    if data.get("note"):
        rows.append((_("Note"), data["note"]))
    return rows


def result_rows(assay):
    return [
        {
            "name": labels.param_name(k),
            "text": labels.value_text(
                m["value"], m.get("unit", ""), m.get("qualifier", ""), k, assay.method, m.get("uncertainty")
            ),
            "uncertainty": m.get("uncertainty"),
        }
        for k, m in (assay.results or {}).items()
    ]


@access.role_required(*access.REVIEW, *access.ENTRY, access.REGULATOR[0])
def review_sample(request, pk):
    sample = visible_sample(request, pk)
    current, history = queries.split_assays(queries.sample_assays(sample))

    def item(a):
        return {
            "assay": a,
            "raw": raw_rows(a),
            "results": result_rows(a),
            "flags": [labels.label(labels.FLAGS, f) for f in a.flags],
        }

    can_certify = request.user.role in access.ISSUE and sample.status == "verified"
    ctx = {
        "sample": sample,
        "assays": [item(a) for a in current],
        "history": [item(a) for a in history],
        "retest_choices": queries.retest_choices(current),
        "n_entered": sum(1 for a in current if a.status == "entered"),
        "missing": queries.missing_required(sample) if can_certify or sample.status == "to_be_verified" else [],
        "actions": sample_actions(request.user, sample),
        "can_verify": request.user.role in access.REVIEW and sample.status == "to_be_verified",
        "can_certify": can_certify,
        "certificate_form": CertificateForm(),
        "documents": cert_selectors.documents_visible_to(request.user).filter(sample=sample),
        "category": labels.category_name(sample.product.category),
    }
    ctx.update(queries.sample_verdicts(sample))
    return render(request, "web/review_sample.html", ctx)


@require_POST
@access.role_required(*access.ISSUE)
def certificate_issue(request, pk):
    sample = visible_sample(request, pk)
    form = CertificateForm(request.POST)
    form.is_valid()
    try:
        doc = cert_services.certificate_request(
            actor=request.user,
            sample=sample,
            decision_rule=form.cleaned_data.get("decision_rule") or None,
            issue_anyway_reason=request.POST.get("issue_anyway_reason", ""),
            rule_set=form.cleaned_data.get("rule_set") or None,
        )
    except (TransitionError, PermissionDeniedError, InputError) as e:
        messages.error(request, service_error_text(e))
        return redirect("review-sample", sample.pk)
    messages.success(
        request,
        _("Certificate %(number)s issued for %(code)s; the PDF is being prepared.")
        % {"number": doc.number, "code": sample.code},
    )
    return redirect("document-detail", doc.pk)


@require_POST
@access.role_required(*access.ISSUE)
def batch_issue(request):
    ids = [int(x) for x in request.POST.getlist("samples") if x.isdigit()]
    samples = list(selectors.samples_visible_to(request.user).filter(pk__in=ids).order_by("id"))
    if not samples:
        messages.error(request, _("Choose at least one verified sample."))
        return redirect("review-queue")
    form = CertificateForm(request.POST)
    form.is_valid()
    try:
        batch = cert_services.certificates_batch_request(
            actor=request.user,
            samples=samples,
            decision_rule=form.cleaned_data.get("decision_rule") or None,
            issue_anyway_reason=request.POST.get("issue_anyway_reason", ""),
            rule_set=form.cleaned_data.get("rule_set") or None,
        )
    except (TransitionError, PermissionDeniedError, InputError) as e:
        messages.error(request, service_error_text(e))
        return redirect("review-queue")
    return redirect("batch-progress", batch.pk)


@access.role_required(*access.ISSUE)
def batch_progress(request, batch_id):
    batch = get_object_or_404(cert_selectors.batches_visible_to(request.user), pk=batch_id)
    progress = cert_selectors.batch_progress(batch)
    if request.GET.get("format") == "json":
        docs = [
            {
                "number": d.number,
                "status": d.status,
                "status_label": labels.label(labels.RENDER, d.status),
                "sample": d.sample.code if d.sample else "",
            }
            for d in batch.documents.select_related("sample")
        ]
        return JsonResponse({**progress, "documents": docs})
    return render(
        request,
        "web/batch_progress.html",
        {
            "batch": batch,
            "progress": progress,
            "documents": batch.documents.select_related("sample").order_by("number"),
        },
    )


@access.role_required(*access.ISSUE)
def batch_zip(request, batch_id):
    """All rendered PDFs of a batch in one ZIP file (named by certificate number)."""
    import io
    import zipfile

    from django.http import HttpResponse

    batch = get_object_or_404(cert_selectors.batches_visible_to(request.user), pk=batch_id)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for doc in batch.documents.filter(status="ready").order_by("number"):
            with doc.pdf.open("rb") as f:
                zf.writestr(f"{doc.number}.pdf", f.read())
    response = HttpResponse(buf.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="certificates-batch-{batch.pk}.zip"'
    return response
