"""Pages every role uses: start, login, sample list and page, lifecycle actions,
labels, timeline, documents."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from certificates.selectors import documents_visible_to
from lims import lockout, selectors, services
from lims.lifecycle import RESULTS_RELEASED, TransitionError
from lims.roles import Role
from lims.services import PermissionDeniedError
from maturity.errors import InputError
from maturity.models import Assay

from .. import access, assay_forms, labels, queries
from ..forms import LoginForm, ReasonForm, SampleCreateForm


def service_error_text(exc):
    """A service exception as one sentence in the page's language."""
    if isinstance(exc, InputError):
        parts = []
        for key, msgs in exc.errors.items():
            prefix = key.split(".", 1)[1] + ": " if key.startswith("samples.") else ""
            parts += [prefix + labels.text(m) for m in msgs]
        return " ".join(parts)
    if isinstance(exc, TransitionError):
        return labels.text(exc.message)
    return labels.text(str(exc))


def back(request, default):
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect(default)


@login_required
def home(request):
    return redirect(access.home_for(request.user))


class LoginView(auth_views.LoginView):
    """The login page. Failures are counted per account by django-axes (lims.lockout): the last
    two tries before a lock are announced; a locked account gets 429 with when to retry."""

    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        if self.request.method == "POST" and form.has_error("__all__", "invalid_login"):
            username = self.request.POST.get("username", "")
            left = lockout.failure_limit() - lockout.failures(username)
            if 0 < left <= 2:
                form.add_error(
                    None,
                    _("%(n)s attempt(s) left before a %(minutes)s-minute lock.")
                    % {"n": left, "minutes": lockout.lockout_minutes()},
                )
        return super().form_invalid(form)


# --------------------------------------------------------------------------- samples

SORT_COLUMNS = {
    "code": "code",
    "product": "product__name",
    "manufacturer": "product__manufacturer__name",
    "lot": "lot_number",
    "sampled": "sampled_on",
    "received": "received_on",
    "status": "status",
    "created": "created_at",
}
SORTS = {**{k: v for k, v in SORT_COLUMNS.items()}, **{f"-{k}": f"-{v}" for k, v in SORT_COLUMNS.items()}}
BULK_ACTIONS = {"receive": access.ENTRY, "submit": access.ENTRY, "verify": access.REVIEW}


def sort_headers(request, columns, current):
    """Header links that sort by a column (again: the other way), keeping the other query parameters.

    ``columns``: [(key, title)] -> [{"key", "title", "url", "arrow"}]."""
    from urllib.parse import urlencode

    out = []
    for key, title in columns:
        nxt = f"-{key}" if current == key else key
        query = {**{k: v for k, v in request.GET.items() if k not in ("sort", "page")}, "sort": nxt}
        out.append(
            {
                "key": key,
                "title": title,
                "url": "?" + urlencode(query),
                "arrow": "▲" if current == key else ("▼" if current == f"-{key}" else ""),
            }
        )
    return out


@login_required
def sample_list(request):
    qs = selectors.samples_visible_to(request.user)
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(lot_number__icontains=q) | Q(product__name__icontains=q))
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "-created"
    qs = qs.order_by(SORTS[sort], "-id")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    role = request.user.role
    return render(
        request,
        "web/sample_list.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "statuses": list(labels.SAMPLE_STATUS.items()),
            "can_register": role in access.SAMPLE_REGISTER,
            "sort": sort,
            "headers": sort_headers(
                request,
                [
                    ("code", _("Sample code")),
                    ("product", _("Product")),
                    ("manufacturer", _("Manufacturer")),
                    ("lot", _("Lot number")),
                    ("sampled", _("Sampled on")),
                    ("received", _("Received on")),
                    ("status", _("Status")),
                ],
                sort,
            ),
            "bulk": [(a, labels.label(labels.ACTIONS, a)) for a, roles in BULK_ACTIONS.items() if role in roles],
            "can_label": role in access.ENTRY,
        },
    )


@require_POST
@login_required
def sample_bulk(request):
    """Receive, submit or verify the ticked samples: all of them, or none with each reason."""
    action = request.POST.get("action", "")
    back_to = back(request, reverse("sample-list"))
    if action not in BULK_ACTIONS or request.user.role not in BULK_ACTIONS[action]:
        messages.error(request, _("This action is not available to you."))
        return back_to
    ids = [int(x) for x in request.POST.getlist("samples") if x.isdigit()]
    samples = list(selectors.samples_visible_to(request.user).filter(pk__in=ids).order_by("code"))
    if not samples:
        messages.error(request, _("Tick at least one sample."))
        return back_to
    errors = services.samples_transition(actor=request.user, samples=samples, action=action)
    if errors:
        messages.error(
            request,
            _("Nothing was changed: %(problems)s")
            % {"problems": " ".join(f"{code}: {labels.text(m)}" for code, m in errors.items())},
        )
    else:
        messages.success(
            request,
            _("%(action)s done for %(n)s sample(s): %(codes)s.")
            % {
                "action": labels.label(labels.ACTIONS, action),
                "n": len(samples),
                "codes": ", ".join(s.code for s in samples),
            },
        )
    return back_to


@access.role_required(*access.ENTRY)
def sample_labels(request):
    """The labels of the ticked samples on one page, to print together."""
    ids = [int(x) for x in request.GET.getlist("samples") if x.isdigit()]
    samples = list(
        selectors.samples_visible_to(request.user).filter(pk__in=ids).select_related("product").order_by("code")
    )
    from maturity.selectors import category_names

    names = category_names()
    return render(
        request,
        "web/sample_labels.html",
        {"items": [{"sample": s, "category": labels.category_name(s.product.category, names)} for s in samples]},
    )


@access.role_required(*access.SAMPLE_REGISTER)
def sample_create(request):
    form = SampleCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            sample = services.sample_create(
                actor=request.user,
                product=form.cleaned_data["product"],
                lot_number=form.cleaned_data["lot_number"],
                sampled_on=form.cleaned_data["sampled_on"],
            )
        except (PermissionDeniedError, TransitionError, InputError) as e:
            form.add_error(None, service_error_text(e))
        else:
            messages.success(request, _("Sample %(code)s registered.") % {"code": sample.code})
            if request.user.role in access.ENTRY:
                return redirect("sample-label", sample.pk)
            return redirect("sample-detail", sample.pk)
    return render(
        request,
        "web/sample_create.html",
        {"form": form, "can_register_product": request.user.role in access.PRODUCT_EDIT},
    )


def visible_sample(request, pk):
    return get_object_or_404(selectors.samples_visible_to(request.user), pk=pk)


def sample_actions(user, sample):
    """The lifecycle buttons to offer: what the role could do from this state (the service decides)."""
    from lims.lifecycle import TRANSITIONS

    out = []
    for action, t in TRANSITIONS.items():
        if action in ("certify", "start_testing", "verify"):
            continue  # certify = issuing a certificate; start_testing happens with the first assay
        if user.role in t.roles and sample.status in t.sources:
            out.append(
                {"action": action, "label": labels.label(labels.ACTIONS, action), "reason_required": t.reason_required}
            )
    return out


@login_required
def sample_detail(request, pk):
    sample = visible_sample(request, pk)
    user = request.user
    hide = user.role == Role.MANUFACTURER and sample.status not in RESULTS_RELEASED
    ctx = {
        "sample": sample,
        "actions": sample_actions(user, sample),
        "hide_results": hide,
        "can_enter": user.role in access.ENTRY and sample.status in queries.OPEN_FOR_ENTRY,
        "documents": documents_visible_to(user).filter(sample=sample),
        "can_review": user.role in access.REVIEW,
        "can_timeline": user.role in access.READ_ALL,
        "category": labels.category_name(sample.product.category),
    }
    ctx["methods"] = [(m, labels.method_label(m)) for m in assay_forms.METHODS]
    ctx["entered"] = queries.methods_entered(sample)
    if not hide:
        ctx["assays"], ctx["history"] = queries.split_assays(queries.sample_assays(sample))
        ctx["n_entered"] = sum(1 for a in ctx["assays"] if a.status == "entered")
        if user.role in access.ENTRY and sample.status == "in_testing":
            ctx["missing"] = queries.missing_required(sample)
        ctx.update(queries.sample_verdicts(sample))
    return render(request, "web/sample_detail.html", ctx)


@require_POST
@login_required
def sample_transition(request, pk):
    sample = visible_sample(request, pk)
    action = request.POST.get("action", "")
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if action == "verify":  # flagged or impossible results need the reviewer's override reason
            from maturity.assays import sample_verify

            sample_verify(
                actor=request.user,
                sample=sample,
                reason=reason,
                override_reason=request.POST.get("override_reason", ""),
            )
        elif action == "retest":  # only the ticked assays; none ticked: all of them
            from maturity.assays import sample_retest

            ids = [int(x) for x in request.POST.getlist("assays") if x.isdigit()]
            sample_retest(actor=request.user, sample=sample, reason=reason, assays=ids or None)
        else:
            services.sample_transition(actor=request.user, sample=sample, action=action, reason=reason)
    except (TransitionError, PermissionDeniedError, InputError) as e:
        messages.error(request, service_error_text(e))
    else:
        messages.success(
            request,
            _("%(code)s: %(action)s done; the sample is now %(status)s.")
            % {
                "code": sample.code,
                "action": labels.label(labels.ACTIONS, action),
                "status": labels.status_label(selectors.samples_visible_to(request.user).get(pk=sample.pk).status),
            },
        )
    return back(request, reverse("sample-detail", args=[sample.pk]))


@login_required
def sample_label(request, pk):
    sample = visible_sample(request, pk)
    return render(
        request, "web/sample_label.html", {"sample": sample, "category": labels.category_name(sample.product.category)}
    )


@access.role_required(*access.READ_ALL)
def sample_timeline(request, pk):
    sample = visible_sample(request, pk)
    methods = dict(Assay.objects.filter(sample=sample).values_list("pk", "method"))
    entries = []
    for e in selectors.sample_timeline(sample):
        entry = timeline_entry(e, methods)
        last = entries[-1] if entries else None
        if (
            last
            and e.entity == "assay"
            and last["entity"] == "assay"
            and e.action != "create"
            and last["kind"] == entry["kind"]
            and last["actor"] == entry["actor"]
            and last["reason"] == entry["reason"]
            and (e.at - last["at_last"]).total_seconds() < 60
        ):
            last["methods"].append(entry["methods"][0])
            last["at_last"] = e.at
            continue
        entries.append(entry)
    for entry in entries:
        if entry["entity"] == "assay" and len(entry["methods"]) > 1:
            entry["title"] = _("%(n)s assays %(action)s: %(methods)s") % {
                "n": len(entry["methods"]),
                "action": labels.label(labels.AUDIT_ACTIONS, entry["kind"]),
                "methods": "、".join(entry["methods"]),
            }
            entry["changes"] = [c for c in entry["changes"] if c["field"] != "status"] or entry["changes"]
    return render(request, "web/sample_timeline.html", {"sample": sample, "entries": entries})


FIELD_NAMES = {
    "code": _l("Sample code"),
    "lot_number": _l("Lot number"),
    "sampled_on": _l("Sampled on"),
    "received_on": _l("Received on"),
    "condition_on_receipt": _l("Condition on receipt"),
    "status": _l("Status"),
    "product_id": _l("Product"),
    "valid": _l("Valid"),
    "number": _l("Number"),
    "validity": _l("Validity"),
    "version": _l("Version"),
    "superseded_by": _l("superseded by"),
}
ASSAY_STATUS_WORDS = {**labels.ASSAY_STATUS}


def _shown(field, value, entity):
    if value is None or value == "":
        return ""
    if field == "status":
        return labels.label(
            ASSAY_STATUS_WORDS
            if entity == "assay"
            else (labels.RENDER if entity in ("certificate", "registration") else labels.SAMPLE_STATUS),
            value,
        )
    if field == "validity":
        return labels.label(labels.VALIDITY, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def timeline_entry(e, methods=None):
    method = (methods or {}).get(e.entity_id, "") if e.entity == "assay" else ""
    if e.action.startswith("transition:"):
        action = e.action.split(":", 1)[1]
        status = e.changes.get("status") or [None, None]
        title = _("%(action)s: %(from)s → %(to)s") % {
            "action": labels.label(labels.ACTIONS, action),
            "from": labels.status_label(status[0]),
            "to": labels.status_label(status[1]),
        }
        kind = action
    elif e.entity == "assay":
        title = _("%(method)s assay %(action)s") % {
            "method": labels.method_label(method) if method else "",
            "action": labels.label(labels.AUDIT_ACTIONS, e.action),
        }
        kind = e.action
    else:
        entity = labels.label(labels.AUDIT_ENTITIES, e.entity)
        title = f"{entity} {e.entity_repr} {labels.label(labels.AUDIT_ACTIONS, e.action)}"
        kind = e.action
    changes = []
    for field, pair in (e.changes or {}).items():
        if field in ("data", "results", "flags", "details", "method", "sha256"):
            continue
        if e.action.startswith("transition:") and field == "status":
            continue
        if e.action == "create" and field in ("code", "status", "valid"):
            continue
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
        if field == "product_id":
            continue
        changes.append(
            {
                "field": str(FIELD_NAMES.get(field, field)),
                "old": _shown(field, old, e.entity),
                "new": _shown(field, new, e.entity),
            }
        )
    return {
        "at": e.at,
        "at_last": e.at,
        "actor": e.actor.display_name if e.actor else "",
        "title": title,
        "kind": kind,
        "reason": e.reason_shown,  # the system's reason in the page's language; a person's as typed
        "changes": changes,
        "entity": e.entity,
        "methods": [labels.method_label(method)] if method else [],
    }


@login_required
def assay_photo(request, pk, assay_id):
    sample = visible_sample(request, pk)
    if request.user.role == Role.MANUFACTURER and sample.status not in RESULTS_RELEASED:
        raise Http404
    assay = get_object_or_404(Assay, pk=assay_id, sample=sample)
    if not assay.photo:
        raise Http404
    return FileResponse(assay.photo.open("rb"))


# --------------------------------------------------------------------------- documents


@login_required
def document_list(request):
    qs = documents_visible_to(request.user)
    kind = request.GET.get("kind", "")
    if kind in ("certificate", "registration"):
        qs = qs.filter(kind=kind)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(sample__code__icontains=q) | Q(product__name__icontains=q))
    sort = request.GET.get("sort") if request.GET.get("sort") in DOCUMENT_SORTS else "-issued"
    qs = qs.order_by(DOCUMENT_SORTS[sort], "-id")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    headers = sort_headers(
        request,
        [
            ("number", _("Number")),
            ("kind", _("Document")),
            ("product", _("Product")),
            ("sample", _("Sample code")),
            ("issued", _("Issue date")),
            ("validity", _("Validity")),
        ],
        sort,
    )
    return render(request, "web/document_list.html", {"page": page, "kind": kind, "q": q, "headers": headers})


DOCUMENT_COLUMNS = {
    "number": "number",
    "kind": "kind",
    "product": "product__name",
    "sample": "sample__code",
    "issued": "issued_at",
    "validity": "validity",
}
DOCUMENT_SORTS = {**DOCUMENT_COLUMNS, **{f"-{k}": f"-{v}" for k, v in DOCUMENT_COLUMNS.items()}}


@login_required
def document_detail(request, pk):
    doc = get_object_or_404(documents_visible_to(request.user), pk=pk)
    if request.GET.get("format") == "json":  # the page polls this until the PDF is rendered
        from django.http import JsonResponse

        return JsonResponse(
            {
                "number": doc.number,
                "status": doc.status,
                "status_label": str(labels.label(labels.RENDER, doc.status)),
                "finished": doc.status in ("ready", "failed"),
            }
        )
    try:
        superseded_by = doc.superseded_by
    except Exception:
        superseded_by = None
    can_issue = request.user.role in access.ISSUE
    can_reissue = (
        can_issue
        and doc.kind == "certificate"
        and doc.validity == "revoked"
        and superseded_by is None
        and doc.sample is not None
        and doc.sample.status in ("verified", "certified")
        and not documents_visible_to(request.user)
        .filter(sample=doc.sample, kind="certificate", validity="valid")
        .exists()
    )
    return render(
        request,
        "web/document_detail.html",
        {
            "doc": doc,
            "superseded_by": superseded_by,
            "can_issue": can_issue,
            "can_reissue": can_reissue,
            "missing": queries.missing_required(doc.sample) if can_reissue else [],
            "pending": doc.status in ("queued", "rendering"),
            "reason_form": ReasonForm(),
        },
    )


@login_required
def document_download(request, pk):
    doc = get_object_or_404(documents_visible_to(request.user), pk=pk)
    if doc.status != "ready" or not doc.pdf:
        messages.warning(
            request,
            _("%(number)s is not ready yet (%(status)s); try again in a moment.")
            % {"number": doc.number, "status": labels.label(labels.RENDER, doc.status)},
        )
        return redirect("document-detail", doc.pk)
    return FileResponse(
        doc.pdf.open("rb"), as_attachment=True, filename=f"{doc.number}.pdf", content_type="application/pdf"
    )


@require_POST
@access.role_required(*access.ISSUE)
def document_action(request, pk, action):
    from certificates import services as cert_services

    doc = get_object_or_404(documents_visible_to(request.user), pk=pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "revoke":
            cert_services.document_revoke(actor=request.user, document=doc, reason=reason)
            messages.success(request, _("%(number)s revoked.") % {"number": doc.number})
        elif action == "supersede":
            new = cert_services.certificate_supersede(actor=request.user, document=doc, reason=reason)
            messages.success(
                request, _("%(new)s issued; %(old)s is superseded.") % {"new": new.number, "old": doc.number}
            )
            return redirect("document-detail", new.pk)
        elif action == "sign":
            cert_services.dossier_sign(actor=request.user, document=doc)
            messages.success(request, _("%(number)s signed; the PDF is being prepared.") % {"number": doc.number})
        elif action == "reissue":
            new = cert_services.certificate_reissue(
                actor=request.user,
                document=doc,
                reason=reason,
                issue_anyway_reason=request.POST.get("issue_anyway_reason", ""),
            )
            messages.success(
                request, _("%(new)s issued in place of the revoked %(old)s.") % {"new": new.number, "old": doc.number}
            )
            return redirect("document-detail", new.pk)
        else:
            raise Http404
    except (TransitionError, PermissionDeniedError, InputError) as e:
        messages.error(request, service_error_text(e))
    return redirect("document-detail", doc.pk)
