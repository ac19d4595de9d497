"""Manufacturer portal: own products and samples, verdicts in plain words,
documents, dossier requests and the pre-check."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from certificates import services as cert_services
from certificates.selectors import documents_visible_to
from lims.lifecycle import TransitionError
from lims.selectors import products_visible_to
from lims.services import PermissionDeniedError
from maturity import selectors as msel
from maturity.errors import InputError

from .. import access, assay_forms, explain, labels, queries
from ..forms import DossierForm, PrecheckForm
from .common import RESULTS_RELEASED, service_error_text


@access.role_required(*access.PORTAL)
def overview(request):
    data = queries.portal_overview(request.user)
    rows = []
    for s in data["samples"]:
        row = {"sample": s, "maturity": None, "compliance": None}
        if s.status in RESULTS_RELEASED:
            v = queries.sample_verdicts(s)
            row["maturity"] = v["maturity"]
            row["compliance"] = v["compliance"]
        rows.append(row)
    docs = documents_visible_to(request.user).order_by("-issued_at")[:10]
    return render(request, "web/portal.html", {"products": data["products"], "rows": rows, "documents": docs})


@access.role_required(*access.PORTAL, *access.REVIEW, *access.ENTRY, *access.REGULATOR)
def product_detail(request, pk):
    product = get_object_or_404(products_visible_to(request.user), pk=pk)
    can_request = request.user.role in cert_services.DOSSIER_ROLES
    form = DossierForm(request.POST or None, product=product) if can_request else None
    if request.method == "POST" and can_request and form.is_valid():
        try:
            doc = cert_services.dossier_request(actor=request.user, product=product,
                                                samples=list(form.cleaned_data["samples"]),
                                                declared=form.declared())
        except (InputError, PermissionDeniedError, TransitionError) as e:
            form.add_error(None, service_error_text(e))
        else:
            messages.success(request, _("Registration dossier %(number)s requested; the PDF is being prepared.")
                             % {"number": doc.number})
            return redirect("document-detail", doc.pk)
    return render(request, "web/product_detail.html", {
        "product": product, "samples": product.samples.order_by("-created_at"), "form": form,
        "category": labels.category_name(product.category),
        "documents": documents_visible_to(request.user).filter(product=product)})


def precheck_judge(body):
    """The pre-check judgement: the same as POST /api/v1/assess/ (one place to switch)."""
    return msel.assess(**body)


@access.role_required(*access.PORTAL, *access.REVIEW, *access.ENTRY, *access.REGULATOR)
def precheck(request):
    from lims.models import LabSettings
    lab = LabSettings.current()
    form = PrecheckForm(request.POST or None, initial={"standard": lab.default_standard,
                                                       "decision_rule": lab.default_decision_rule})
    values, errors, result = {}, {}, None
    if request.method == "POST":
        values = request.POST.dict()
        data, path_map = assay_forms.nest("direct", request.POST)
        errors = dict(path_map.get("__extra__") or {})
        if form.is_valid() and not errors:
            if not data.get("values"):
                errors["rows.0.parameter"] = [_("Enter at least one result.")]
            else:
                body = {k: form.cleaned_data[k] for k in ("standard", "category", "decision_rule", "bagasse_based",
                                                          "chemical_fertilizer_added")}
                body["results"] = data["values"]
                try:
                    result = explain.explain_compliance(precheck_judge(body))
                except InputError as e:
                    paths = {k.replace("results.", "values.", 1): v for k, v in e.errors.items()}
                    mapped = assay_forms.map_errors(paths, path_map)
                    for key in ("standard", "category", "decision_rule"):
                        if key in mapped:
                            form.add_error(key, [labels.translate_message(m) for m in mapped.pop(key)])
                    errors = mapped
    model = assay_forms.form_model("direct", values, labels.translate_errors(errors))
    return render(request, "web/precheck.html", {"form": form, "rows": model["direct_rows"],
                                                 "unit_options": model["unit_options"], "result": result,
                                                 "other_errors": model["other_errors"]})
