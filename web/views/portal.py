"""Manufacturer portal: own products and samples, verdicts in plain words,
documents, dossier requests, the pre-check, and registering and editing products."""

import math
import re

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from certificates import services as cert_services
from certificates.selectors import documents_visible_to
from lims import services
from lims.lifecycle import TransitionError
from lims.models import Manufacturer
from lims.selectors import history_of, products_visible_to
from lims.services import PermissionDeniedError, ReasonRequiredError
from maturity import selectors as msel
from maturity.errors import InputError
from web.api.serializers import ProductSerializer

from .. import access, assay_forms, explain, labels, queries
from ..forms import DossierForm, PrecheckForm, ProductForm, plain_number, raw_material_rows
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
            doc = cert_services.dossier_request(
                actor=request.user,
                product=product,
                samples=list(form.cleaned_data["samples"]),
                declared=form.declared(),
            )
        except (InputError, PermissionDeniedError, TransitionError) as e:
            form.add_error(None, service_error_text(e))
        else:
            messages.success(
                request,
                _(
                    "Registration dossier %(number)s requested; a reviewer of the lab signs "
                    "it, then it can be downloaded."
                )
                % {"number": doc.number},
            )
            return redirect("document-detail", doc.pk)
    return render(
        request,
        "web/product_detail.html",
        {
            "product": product,
            "samples": product.samples.order_by("-created_at"),
            "form": form,
            "category": labels.category_name(product.category),
            "materials": materials_text(product.raw_materials),
            "process": process_text(product.process),
            "can_edit": request.user.role in access.PRODUCT_EDIT,
            "history": product_history(product),
            "documents": documents_visible_to(request.user).filter(product=product),
        },
    )


# --------------------------------------------------------------------------- registering and editing products


def materials_text(materials):
    """[{"name", "proportion_pct"}] -> 'cattle manure 70 %, rice husk 30 %'."""
    sep = labels.bilingual("、", ", ")
    return sep.join(
        f"{m.get('name', '')} {plain_number(m.get('proportion_pct'))} %" for m in materials or [] if isinstance(m, dict)
    )


def process_text(process):
    """{"fermentation_days", "peak_temperature_c", "turnings"} -> one line; the parts given only."""
    process = process or {}
    d, t, n = (process.get(k) for k in ("fermentation_days", "peak_temperature_c", "turnings"))
    if d is not None and t is not None and n is not None:
        return _("%(d)s days of fermentation, peak %(t)s °C, %(n)s turnings") % {
            "d": plain_number(d),
            "t": plain_number(t),
            "n": plain_number(n),
        }
    parts = []
    if d is not None:
        parts.append(_("%(d)s days of fermentation") % {"d": plain_number(d)})
    if t is not None:
        parts.append(_("peak %(t)s °C") % {"t": plain_number(t)})
    if n is not None:
        parts.append(_("%(n)s turnings") % {"n": plain_number(n)})
    return labels.bilingual("，", ", ").join(parts)


def product_history(product):
    """The product's audit entries, oldest first: who, when, why, and the changed fields in words."""
    names = {
        "manufacturer_id": _("Manufacturer"),
        "raw_materials": _("Raw materials"),
        "process": _("Process"),
        **{
            k: ProductForm.base_fields[k].label
            for k in ("name", "category", "bagasse_based", "chemical_fertilizer_added")
        },
    }
    entries = list(history_of("product", product.pk))
    orgs = {}
    for e in entries:
        pair = (e.changes or {}).get("manufacturer_id")
        if isinstance(pair, (list, tuple)):
            orgs.update({pk: None for pk in pair if pk is not None})
    orgs = dict(Manufacturer.objects.filter(pk__in=orgs).values_list("pk", "name"))

    def shown(field, value):
        if value is None or value == "" or value == [] or value == {}:
            return "—"
        if field == "manufacturer_id":
            return orgs.get(value, value)
        if field == "category":
            return labels.category_name(value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if field == "raw_materials":
            return materials_text(value)
        if field == "process":
            return process_text(value)
        return value

    out = []
    for e in entries:
        changes = []
        if e.action != "create":
            for field, pair in (e.changes or {}).items():
                old, new = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
                changes.append(
                    {"field": str(names.get(field, field)), "old": shown(field, old), "new": shown(field, new)}
                )
        title = {"create": _("Product registered"), "update": _("Product edited")}.get(
            e.action, labels.label(labels.AUDIT_ACTIONS, e.action)
        )
        out.append(
            {
                "at": e.at,
                "actor": e.actor.display_name if e.actor else "",
                "title": title,
                "kind": e.action,
                "reason": e.reason_shown,  # the system's reason in the page's language; a person's as typed
                "changes": changes,
            }
        )
    return out


@access.role_required(*access.PRODUCT_EDIT)
def product_create(request):
    return _product_page(request, None)


@access.role_required(*access.PRODUCT_EDIT)
def product_edit(request, pk):
    # someone else's product is not found, exactly as on its page
    return _product_page(request, get_object_or_404(products_visible_to(request.user), pk=pk))


def _product_page(request, product):
    """One page for both: the posted fields become the API's body, ProductSerializer judges it with
    the API's rules, and only a valid body is written, by one service call (atomic, audited)."""
    editing = product is not None
    if request.method == "POST":
        form = ProductForm(request.POST, user=request.user, product=product)
        rows = raw_material_rows(request.POST)
    else:
        form = ProductForm(
            initial=ProductForm.initial_for(product) if editing else None, user=request.user, product=product
        )
        rows = [
            {"name": str(m.get("name", "")), "proportion_pct": plain_number(m.get("proportion_pct"))}
            for m in (product.raw_materials if editing else [])
            if isinstance(m, dict)
        ]
    row_errors, table_errors = {}, []
    if request.method == "POST" and form.is_valid():
        serializer = _validate(request, form, rows, product)
        if serializer.is_valid():
            data = dict(serializer.validated_data)
            reason = data.pop("reason", "")
            try:
                if editing:
                    saved = services.product_update(actor=request.user, product=product, reason=reason, **data)
                else:
                    saved = services.product_create(actor=request.user, **data)
            except (PermissionDeniedError, TransitionError) as e:
                form.add_error(None, service_error_text(e))
            except ReasonRequiredError as e:
                form.add_error("reason" if "reason" in form.fields else None, service_error_text(e))
            except IntegrityError:
                # a product of the same name saved meanwhile: the serializer now names the clash
                serializer = _validate(request, form, rows, product)
                if serializer.is_valid():
                    raise
                row_errors, table_errors = _place_errors(form, serializer.errors)
            else:
                if editing:
                    messages.success(request, _("Product %(name)s saved.") % {"name": saved.name})
                else:
                    messages.success(request, _("Product %(name)s registered.") % {"name": saved.name})
                return redirect("product-detail", saved.pk)
        else:
            row_errors, table_errors = _place_errors(form, serializer.errors)
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["class"] = "has-error"
    shown_rows = [dict(r, index=i, errors=row_errors.get(i, {})) for i, r in enumerate(rows)]
    shown_rows.append({"index": len(rows), "name": "", "proportion_pct": "", "errors": {}})  # a spare row
    total = _total(rows)
    state = _total_state(total, bool(rows))
    texts = {
        "ok": _("The proportions add up to 100 %."),  # {n}: filled in here and live by static/js/app.js
        "short": _("%(n)s %% still to assign to reach 100 %%.") % {"n": "{n}"},
        "over": _("%(n)s %% more than 100 %%.") % {"n": "{n}"},
    }
    return render(
        request,
        "web/product_form.html",
        {
            "form": form,
            "product": product,
            "rows": shown_rows,
            "table_errors": table_errors,
            "not_saved": bool(form.errors or row_errors or table_errors),
            "total": plain_number(round(total, 3)),
            "total_state": state,
            "total_texts": texts,
            "total_text": texts[state].replace("{n}", plain_number(round(abs(100 - total), 3))) if state else "",
        },
    )


def _validate(request, form, rows, product):
    serializer = ProductSerializer(instance=product, data=form.body(rows), context={"request": request})
    serializer.is_valid()
    return serializer


def _total(rows):
    total = 0.0
    for r in rows:
        try:
            n = float(str(r["proportion_pct"]).strip())
        except ValueError:
            continue
        if math.isfinite(n):
            total += n
    return total


def _total_state(total, any_rows):
    if not any_rows:
        return ""
    if abs(total - 100.0) <= 0.01:
        return "ok"
    return "short" if total < 100 else "over"


def _place_errors(form, errors):
    """ProductSerializer's messages, in the page's language, on the fields they are about:
    'raw_materials' -> ['0.name: is required', 'proportion_pct: proportions must add up…'] onto the rows
    and the total, 'process' -> ['turnings: must be a whole number'] onto the process fields."""
    row_errors, table_errors = {}, []
    tr = str
    for field, msgs in errors.items():
        msgs = msgs if isinstance(msgs, (list, tuple)) else [msgs]
        if field == "raw_materials":
            for m in map(str, msgs):
                cell = re.match(r"(\d+)\.(name|proportion_pct): (.*)\Z", m, re.S)
                row = re.match(r"(\d+): (.*)\Z", m, re.S)
                if cell:
                    row_errors.setdefault(int(cell.group(1)), {}).setdefault(cell.group(2), []).append(
                        tr(cell.group(3))
                    )
                elif row:
                    row_errors.setdefault(int(row.group(1)), {}).setdefault("row", []).append(tr(row.group(2)))
                else:
                    table_errors.append(tr(re.sub(r"^proportion_pct: ", "", m)))
        elif field == "process":
            for m in map(str, msgs):
                key = re.match(r"(\w+): (.*)\Z", m, re.S)
                if key and key.group(1) in ProductForm.PROCESS:
                    form.add_error(key.group(1), tr(key.group(2)))
                else:
                    form.add_error(None, tr(m))
        elif field in form.fields:
            form.add_error(field, [tr(str(m)) for m in msgs])
        else:
            form.add_error(None, [tr(str(m)) for m in msgs])
    return row_errors, table_errors


def precheck_judge(body):
    """The pre-check judgement: the same as POST /api/v1/assess/ (one place to switch)."""
    return msel.assess(**body)


@access.role_required(*access.PORTAL, *access.REVIEW, *access.ENTRY, *access.REGULATOR)
def precheck(request):
    from lims.models import LabSettings

    lab = LabSettings.current()
    form = PrecheckForm(
        request.POST or None, initial={"standard": lab.default_standard, "decision_rule": lab.default_decision_rule}
    )
    values, errors, result = {}, {}, None
    if request.method == "POST":
        values = request.POST.dict()
        data, path_map = assay_forms.nest("direct", request.POST)
        errors = dict(path_map.get("__extra__") or {})
        if form.is_valid() and not errors:
            if not data.get("values"):
                errors["rows.0.parameter"] = [_("Enter at least one result.")]
            else:
                body = {
                    k: form.cleaned_data[k]
                    for k in ("standard", "category", "decision_rule", "bagasse_based", "chemical_fertilizer_added")
                }
                body["results"] = data["values"]
                try:
                    result = explain.explain_compliance(precheck_judge(body))
                except InputError as e:
                    paths = {k.replace("results.", "values.", 1): v for k, v in e.errors.items()}
                    mapped = assay_forms.map_errors(paths, path_map)
                    for key in ("standard", "category", "decision_rule"):
                        if key in mapped:
                            form.add_error(key, [labels.text(m) for m in mapped.pop(key)])
                    errors = mapped
    model = assay_forms.form_model("direct", values, labels.texts(errors))
    return render(
        request,
        "web/precheck.html",
        {
            "form": form,
            "rows": model["direct_rows"],
            "unit_options": model["unit_options"],
            "result": result,
            "other_errors": model["other_errors"],
        },
    )
