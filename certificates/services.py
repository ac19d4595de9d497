"""Services of the certificates app: request, supersede, revoke, relay.

A request stores the document with its number and frozen content in one
transaction; the render task is sent only after that transaction commits
(outbox: if the broker is down the request stays stored with
``dispatched_at`` empty and the relay sends it when the broker is back).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lims import audit
from lims.lifecycle import TransitionError, state_name
from lims.messages import Joined, Message, english, gettext_noop, term
from lims.models import LabSettings, Sample
from lims.numbering import next_number
from lims.roles import Role
from lims.services import PermissionDeniedError, register_effect, sample_transition
from maturity.errors import InputError

from . import registration
from .context import certificate_context, dossier_context, lab_block, signatory_block
from .models import BatchItem, Document, IssueBatch, new_verification_code
from .outbox import dispatch, dispatch_batches
from .selectors import missing_required, missing_required_results_of

log = logging.getLogger(__name__)
ISSUERS = (Role.REVIEWER,)
DOSSIER_ROLES = (Role.MANUFACTURER, Role.REVIEWER, Role.LAB_ADMIN)


def verification_url(number, code=""):
    """The public check of a document: its number and, in the query, its verification code."""
    return f"{settings.LIMS_PUBLIC_URL}/verify/{number}/" + (f"?code={code}" if code else "")


def _snapshot(doc):
    return {
        "number": doc.number,
        "status": doc.status,
        "validity": doc.validity,
        "sha256": doc.sha256,
        "version": doc.version,
    }


def _dispatch_after_commit(doc_ids):
    """Send the render tasks once the transaction commits (a rolled-back request sends nothing)."""
    transaction.on_commit(lambda: dispatch(doc_ids))


def relay_outbox(stalled_after_seconds=None):
    """Send what the broker never got, and hand out again renders whose worker died.

    Three cases: never dispatched (broker was down); rendering or queued with an
    expired lease (the worker died mid-render: the lease, renewed while a render
    runs, lapses within LIMS_RENDER_LEASE_SECONDS); dispatched but still queued
    after ``stalled_after_seconds`` (LIMS_OUTBOX_STALLED_SECONDS) while no render
    has started or finished in that time (the queue is stalled: its message died
    with a worker or was lost). Duplicates are harmless: the task is idempotent
    and skips a document another worker holds a live lease on. Run periodically
    (Celery beat in `make run`, every 30 s) and by `manage.py relay_outbox`."""
    now = timezone.now()
    stalled = timedelta(
        seconds=stalled_after_seconds if stalled_after_seconds is not None else settings.LIMS_OUTBOX_STALLED_SECONDS
    )
    due = Q(status="queued", dispatched_at__isnull=True) | Q(status__in=["queued", "rendering"], lease_until__lt=now)
    moving = Document.objects.filter(
        Q(rendered_at__gte=now - stalled) | Q(status="rendering", lease_until__gte=now)
    ).exists()
    if not moving:
        due |= Q(status="queued", dispatched_at__lt=now - stalled)
    ids = list(Document.objects.filter(due).order_by("id").values_list("id", flat=True))
    if ids:
        Document.objects.filter(pk__in=ids).update(dispatched_at=None)
    batches = list(
        IssueBatch.objects.filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - stalled), status="pending")
        .order_by("id")
        .values_list("id", flat=True)
    )
    if batches:
        IssueBatch.objects.filter(pk__in=batches).update(dispatched_at=None)
        dispatch_batches(batches)
    return dispatch(ids)


VALIDITY_NAMES = {
    "valid": gettext_noop("Valid"),
    "superseded": gettext_noop("Superseded"),
    "revoked": gettext_noop("Revoked"),
}
RENDER_NAMES = {
    "awaiting_signature": gettext_noop("Awaiting signature"),
    "queued": gettext_noop("Queued"),
    "rendering": gettext_noop("Rendering"),
    "ready": gettext_noop("Ready"),
    "failed": gettext_noop("Failed"),
}


def _validity(code):
    return term(code, VALIDITY_NAMES)


class _ParameterNames:
    """Names of parameters inside a message, in the language active when it is read."""

    def __init__(self, missing):
        self.missing = missing

    def __str__(self):
        from django.utils.translation import get_language

        key = "name_zh" if (get_language() or "zh").lower().startswith("zh") else "name_en"
        return ", ".join(m.get(key) or m["name_en"] for m in self.missing)


def _check_issuer(actor):
    if actor.role not in ISSUERS:
        raise PermissionDeniedError(
            Message("issuer_only", gettext_noop("Only reviewers issue, supersede and revoke certificates."))
        )


def check_lab_settings():
    """A report cannot issue before the lab's name, address and telephone are set (ISO/IEC 17025 §7.8.2.1 b)."""
    missing = LabSettings.current().missing_for_issue()
    if missing:
        raise InputError(
            {
                f"lab_settings.{f}": [
                    Message(
                        "lab_setting_required",
                        gettext_noop(
                            "is required before a report is issued: the lab admin fills it in Lab settings (/admin/)."
                        ),
                    )
                ]
                for f in missing
            }
        )


def _freeze_issue_anyway(ctx, sample, issue_anyway_reason):
    """Required results missing from a frozen certificate context: refused without a reason; with one, the
    reason and what is missing go into the context (printed in the remarks). Returns the audit reason."""
    missing = missing_required(ctx["compliance"]["checks"])
    if not missing:
        return ""
    reason = (issue_anyway_reason or "").strip()
    if not reason:
        message = gettext_noop(
            "Required results are missing for %(sample)s: %(names)s. Enter them, or give a reason to issue anyway "
            "(it is printed in the certificate's remarks)."
        )
        raise InputError(
            {
                "issue_anyway_reason": [
                    Message("required_results_missing", message, sample=sample.code, names=_ParameterNames(missing))
                ]
            }
        )
    ctx["issue_anyway"] = {"reason": reason, "missing": missing}
    return Message(
        "reason_issued_with_results_missing",
        gettext_noop("issued with required results missing: %(reason)s"),
        reason=reason,
    )


def _issued(number):
    """The reason of a sample's certification."""
    return Message("reason_certificate_issued", gettext_noop("certificate %(number)s issued"), number=number)


def _new_certificate(
    actor,
    sample,
    *,
    supersedes=None,
    batch=None,
    decision_rule=None,
    standard=None,
    amendment_reason="",
    issue_anyway_reason="",
    reissue=False,
    rule_set=None,
):
    """Freeze and store a certificate. A sample needs verified results ('verified'; 'certified' when a
    revoked certificate is re-issued). Required results that are missing need an explicit reason."""
    if not (sample.status == "verified" or (reissue and sample.status == "certified")):
        message = gettext_noop("Sample %(sample)s is %(state)s: a certificate needs verified results.")
        raise TransitionError(
            Message("sample_not_verified", message, sample=sample.code, state=state_name(sample.status))
        )
    if sample.assays.filter(status="entered").exists():
        message = gettext_noop("Sample %(sample)s has results that are not verified yet.")
        raise TransitionError(Message("results_not_verified", message, sample=sample.code))
    check_lab_settings()
    year = timezone.localdate().year
    number = next_number("CQ", year)
    version = supersedes.version + 1 if supersedes else 1
    lab = LabSettings.current()
    code = new_verification_code()
    ctx = certificate_context(
        sample,
        number=number,
        version=version,
        supersedes=supersedes.number if supersedes else None,
        standard=standard or lab.default_standard,
        decision_rule=decision_rule or lab.default_decision_rule,
        rule_set=rule_set or "tari_1999",
        url=verification_url(number, code),
        issuer=actor,
        amendment_reason=amendment_reason,
        previous=supersedes.context if supersedes else None,
    )
    ctx["verification_code"] = code
    reason = _freeze_issue_anyway(ctx, sample, issue_anyway_reason)
    doc = Document.objects.create(
        kind=Document.KIND_CERTIFICATE,
        number=number,
        version=version,
        sample=sample,
        product=sample.product,
        supersedes=supersedes,
        batch=batch,
        context=english(ctx),  # frozen as said: English reasons, as the PDF prints them
        issued_by=actor,
        verification_code=code,
    )
    if sample.status == "verified":
        sample_transition(actor=actor, sample=sample, action="certify", reason=_issued(number))
    audit.record(
        entity="certificate",
        obj=doc,
        action="create",
        actor=actor,
        changes=audit.diff({}, _snapshot(doc)),
        reason=reason,
        sample=sample,
        manufacturer=sample.product.manufacturer,
    )
    return doc


def _check_not_in_open_batch(sample):
    if BatchItem.objects.filter(sample=sample, open=True).exists():
        message = gettext_noop("Sample %(sample)s is in a batch being issued; its certificate comes from there.")
        raise TransitionError(Message("sample_in_open_batch", message, sample=sample.code))


def _error_text(e):
    if isinstance(e, InputError):
        return " ".join(m for msgs in e.errors.values() for m in msgs)
    return str(e)


def _lock_sample(sample):
    # only the sample row: a join would lock the shared product row as well, in an order that differs between
    # requests (deadlock between a single request and a batch)
    return Sample.objects.select_for_update(of=("self",)).select_related("product__manufacturer").get(pk=sample.pk)


@transaction.atomic
def certificate_request(*, actor, sample, decision_rule=None, standard=None, issue_anyway_reason="", rule_set=None):
    _check_issuer(actor)
    sample = _lock_sample(sample)
    current = Document.objects.filter(sample=sample, kind=Document.KIND_CERTIFICATE, validity="valid").first()
    if current:
        message = gettext_noop(
            "Sample %(sample)s already has a valid certificate %(number)s; after a retest, supersede it."
        )
        raise TransitionError(Message("already_certified", message, sample=sample.code, number=current.number))
    _check_not_in_open_batch(sample)
    doc = _new_certificate(
        actor,
        sample,
        decision_rule=decision_rule,
        standard=standard,
        issue_anyway_reason=issue_anyway_reason,
        rule_set=rule_set,
    )
    _dispatch_after_commit([doc.pk])
    return doc


@transaction.atomic
def certificate_supersede(*, actor, document, reason, issue_anyway_reason=""):
    _check_issuer(actor)
    if not (reason or "").strip():
        message = gettext_noop("A reason is required to supersede a certificate.")
        raise InputError({"reason": [Message("reason_required", message)]})
    old = Document.objects.select_for_update().get(pk=document.pk)
    if old.kind != Document.KIND_CERTIFICATE or old.validity != "valid":
        message = gettext_noop("%(number)s is %(validity)s; only a valid certificate can be superseded.")
        raise TransitionError(
            Message("certificate_not_valid", message, number=old.number, validity=_validity(old.validity))
        )
    sample = _lock_sample(old.sample)
    if sample.status == "certified":
        message = gettext_noop(
            "%(number)s still states the sample's current verified results; nothing to supersede it with. To "
            "correct a result, send %(sample)s for retest first; to withdraw the certificate, revoke it."
        )
        raise TransitionError(Message("nothing_to_supersede", message, number=old.number, sample=sample.code))
    new = _new_certificate(
        actor,
        sample,
        supersedes=old,
        decision_rule=old.context.get("compliance", {}).get("decision_rule"),
        standard=old.context.get("compliance", {}).get("standard"),
        amendment_reason=reason,
        issue_anyway_reason=issue_anyway_reason,
        rule_set=old.context.get("maturity", {}).get("rule_set"),
    )
    before = _snapshot(old)
    old.validity = "superseded"
    old.save(update_fields=["validity"])
    audit.record(
        entity="certificate",
        obj=old,
        action="supersede",
        actor=actor,
        changes=audit.diff(before, {**_snapshot(old), "superseded_by": new.number}),
        reason=reason,
        sample=sample,
        manufacturer=sample.product.manufacturer,
    )
    _dispatch_after_commit([new.pk])
    return new


@transaction.atomic
def document_revoke(*, actor, document, reason):
    _check_issuer(actor)
    if not (reason or "").strip():
        raise InputError({"reason": [Message("reason_required", gettext_noop("A reason is required to revoke."))]})
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if doc.validity != "valid":
        message = gettext_noop("%(number)s is already %(validity)s.")
        raise TransitionError(
            Message("document_already_withdrawn", message, number=doc.number, validity=_validity(doc.validity))
        )
    before = _snapshot(doc)
    doc.validity, doc.revoked_by, doc.revoked_at, doc.revocation_reason = "revoked", actor, timezone.now(), reason
    doc.save(update_fields=["validity", "revoked_by", "revoked_at", "revocation_reason"])
    audit.record(
        entity=doc.kind,
        obj=doc,
        action="revoke",
        actor=actor,
        changes=audit.diff(before, _snapshot(doc)),
        reason=reason,
        sample=doc.sample,
        manufacturer=doc.product.manufacturer,
    )
    return doc


@transaction.atomic
def certificate_reissue(*, actor, document, reason, issue_anyway_reason=""):
    """Re-issue a revoked certificate as a new version from the sample's verified results, without a retest.

    The revoked certificate stays revoked (the verification page names its re-issue)."""
    _check_issuer(actor)
    if not (reason or "").strip():
        message = gettext_noop("A reason is required to re-issue a certificate.")
        raise InputError({"reason": [Message("reason_required", message)]})
    old = Document.objects.select_for_update().get(pk=document.pk)
    if old.kind != Document.KIND_CERTIFICATE or old.validity != "revoked":
        message = gettext_noop(
            "%(number)s is %(validity)s; only a revoked certificate is re-issued (a valid one is superseded)."
        )
        raise TransitionError(
            Message("certificate_not_revoked", message, number=old.number, validity=_validity(old.validity))
        )
    if Document.objects.filter(supersedes=old).exists():
        message = gettext_noop("%(number)s has already been replaced by %(replacement)s.")
        raise TransitionError(
            Message("already_replaced", message, number=old.number, replacement=old.superseded_by.number)
        )
    sample = _lock_sample(old.sample)
    current = Document.objects.filter(sample=sample, kind=Document.KIND_CERTIFICATE, validity="valid").first()
    if current:
        message = gettext_noop("Sample %(sample)s already has a valid certificate %(number)s.")
        raise TransitionError(Message("already_certified", message, sample=sample.code, number=current.number))
    _check_not_in_open_batch(sample)
    new = _new_certificate(
        actor,
        sample,
        supersedes=old,
        reissue=True,
        amendment_reason=reason,
        decision_rule=old.context.get("compliance", {}).get("decision_rule"),
        standard=old.context.get("compliance", {}).get("standard"),
        issue_anyway_reason=issue_anyway_reason,
        rule_set=old.context.get("maturity", {}).get("rule_set"),
    )
    audit.record(
        entity="certificate",
        obj=old,
        action="reissue",
        actor=actor,
        changes={"reissued_as": [None, new.number]},
        reason=reason,
        sample=sample,
        manufacturer=sample.product.manufacturer,
    )
    _dispatch_after_commit([new.pk])
    return new


@transaction.atomic
def certificates_batch_request(
    *, actor, samples, decision_rule=None, standard=None, issue_anyway_reason="", rule_set=None
):
    """Request certificates for many verified samples: all are checked and reserved here, in a few queries,
    and the request answers; a worker issues them (``batch_issue``). An outbox like the renders: with the broker
    down the batch is stored (``dispatched_at`` empty) and the relay sends it when the broker is back."""
    from maturity.models import Assay
    from maturity.selectors import edition_or_error

    _check_issuer(actor)
    ids = [s.pk for s in samples]
    if len(set(ids)) != len(ids):
        message = gettext_noop("Each sample may be named once in a batch.")
        raise InputError({"samples": [Message("sample_repeated", message)]})
    if standard:
        edition_or_error(standard)
    # Lock in one order (by id), whatever order the request names them in: two overlapping batches [a, b] and
    # [b, a] then queue for the same first row instead of each holding one and waiting for the other (deadlock).
    locked = Sample.objects.select_for_update(of=("self",)).select_related("product")
    by_pk = {s.pk: s for s in locked.filter(pk__in=ids).order_by("pk")}
    certified = set(
        Document.objects.filter(sample_id__in=ids, kind=Document.KIND_CERTIFICATE, validity="valid").values_list(
            "sample_id", flat=True
        )
    )
    reserved = set(BatchItem.objects.filter(sample_id__in=ids, open=True).values_list("sample_id", flat=True))
    unverified = set(Assay.objects.filter(sample_id__in=ids, status="entered").values_list("sample_id", flat=True))
    errors = {}
    for pk in ids:
        s = by_pk[pk]
        if s.status != "verified":
            message = gettext_noop("is %(state)s; a certificate needs verified results")
            errors[s.code] = [Message("sample_not_verified", message, state=state_name(s.status))]
        elif pk in certified:
            errors[s.code] = [Message("already_certified", gettext_noop("already has a valid certificate"))]
        elif pk in reserved:
            errors[s.code] = [Message("sample_in_open_batch", gettext_noop("is already in a batch being issued"))]
        elif pk in unverified:
            errors[s.code] = [Message("results_not_verified", gettext_noop("has results that are not verified yet"))]
    if errors:
        raise InputError({f"samples.{k}": v for k, v in errors.items()})
    check_lab_settings()
    if not (issue_anyway_reason or "").strip():
        # refused here, naming them, rather than skipped later by the worker (checked only without a reason:
        # a reason covers whatever is missing)
        missing = {}
        lacking = missing_required_results_of(
            [by_pk[pk] for pk in ids], standard=standard, decision_rule=decision_rule
        )  # reads shared by the samples
        for pk in ids:
            names = lacking[pk]
            if names:
                missing[by_pk[pk].code] = names
        if missing:
            message = gettext_noop(
                "Required results are missing for %(samples)s. Enter them, or give a reason to issue anyway (it is "
                "printed in the certificates' remarks)."
            )
            listed = [
                Message("sample_missing", gettext_noop("%(sample)s: %(names)s"), sample=code, names=_ParameterNames(m))
                for code, m in missing.items()
            ]
            raise InputError(
                {"issue_anyway_reason": [Message("required_results_missing", message, samples=Joined(listed, "; "))]}
            )
    batch = IssueBatch.objects.create(
        requested_by=actor,
        total=len(ids),
        decision_rule=decision_rule or "",
        standard=standard or "",
        rule_set=rule_set or "",
        issue_anyway_reason=(issue_anyway_reason or "").strip(),
    )
    BatchItem.objects.bulk_create([BatchItem(batch=batch, position=i, sample_id=pk) for i, pk in enumerate(ids)])
    transaction.on_commit(lambda: dispatch_batches([batch.pk]))
    return batch


def batch_issue(batch_id):
    """Issue the certificates of a pending batch, in the order requested (the worker's half of a batch request).

    Idempotent: a batch already issued or failed is left alone. A sample that changed since the request (say,
    sent to retest) is skipped with its reason; an unexpected error fails the batch and frees its samples."""
    try:
        return _batch_issue(batch_id)
    except Exception as e:
        log.exception("batch %s failed", batch_id)
        with transaction.atomic():
            if IssueBatch.objects.filter(pk=batch_id, status="pending").update(
                status="failed", error=f"{type(e).__name__}: {e}"
            ):
                BatchItem.objects.filter(batch_id=batch_id, open=True).update(open=False, error=str(e))
        return None


@transaction.atomic
def _batch_issue(batch_id):
    batch = IssueBatch.objects.select_for_update().select_related("requested_by").filter(pk=batch_id).first()
    if batch is None or batch.status != "pending":
        return batch
    items = list(batch.items.order_by("position"))
    by_pk = {
        s.pk: s
        for s in Sample.objects.select_for_update(of=("self",))
        .select_related("product__manufacturer")
        .filter(pk__in=[i.sample_id for i in items])
        .order_by("pk")
    }
    options = {
        "decision_rule": batch.decision_rule or None,
        "standard": batch.standard or None,
        "issue_anyway_reason": batch.issue_anyway_reason,
        "rule_set": batch.rule_set or None,
    }
    certified = set(
        Document.objects.filter(
            sample_id__in=list(by_pk), kind=Document.KIND_CERTIFICATE, validity="valid"
        ).values_list("sample_id", flat=True)
    )
    ready = []
    for item in items:
        sample = by_pk[item.sample_id]
        if sample.status != "verified":
            item.error = f"{sample.code} is '{sample.status}' now; a certificate needs verified results"
        elif sample.pk in certified:
            item.error = f"{sample.code} already has a valid certificate"
        else:
            ready.append(item)
    try:  # all at once (numbers, contexts and rows in bulk) ...
        with transaction.atomic():
            issued = _new_certificates(batch.requested_by, [by_pk[i.sample_id] for i in ready], batch=batch, **options)
        for item, doc in zip(ready, issued):
            item.document = doc
    except (InputError, TransitionError):
        for item in ready:  # ... or, when one is refused (say, its results changed), one by one: it skips alone
            try:
                with transaction.atomic():
                    item.document = _new_certificate(batch.requested_by, by_pk[item.sample_id], batch=batch, **options)
            except (InputError, TransitionError) as e:
                item.error = _error_text(e)
    docs = [item.document.pk for item in ready if item.document is not None]
    for item in items:
        item.open = False
    BatchItem.objects.bulk_update(items, ["open", "document", "error"])
    batch.status, batch.issued_at = "issued", timezone.now()
    batch.save(update_fields=["status", "issued_at"])
    _dispatch_after_commit(docs)
    return batch


def _report_date(sample):
    """The date of a sample's test report (Art. 16): its valid certificate's issue date, else verification."""
    cert = sample.certificates.filter(kind=Document.KIND_CERTIFICATE, validity="valid").order_by("-version").first()
    if cert:
        return timezone.localtime(cert.issued_at).date()
    verified = (
        sample.assays.filter(status="verified").order_by("-verified_at").values_list("verified_at", flat=True).first()
    )
    return timezone.localtime(verified).date() if verified else timezone.localdate()


def _metal_limits(product):
    from maturity.models import Requirement
    from maturity.parameters import METALS

    lab = LabSettings.current()
    rows = Requirement.objects.filter(
        edition__code=lab.default_standard,
        category=product.category,
        parameter__in=METALS,
        kind__in=("max", "max_exclusive"),
    )
    return {r.parameter: (r.kind, r.limit) for r in rows}


def _new_certificates(
    actor, samples, *, batch, decision_rule=None, standard=None, issue_anyway_reason="", rule_set=None
):
    """_new_certificate for many verified samples at once, with the same rows, verification codes,
    signatory, issue-anyway remarks, transitions and audit."""
    from lims.bulk import bulk_insert
    from lims.models import AuditEntry, SampleTransition
    from lims.numbering import next_numbers
    from lims.services import TRANSITION_EFFECTS, TRANSITION_GUARDS

    from .context import certificate_contexts

    if not samples:
        return []
    lab = LabSettings.current()
    numbers = next_numbers("CQ", len(samples), timezone.localdate().year)
    codes = [new_verification_code() for _ in samples]
    contexts = certificate_contexts(
        samples,
        numbers=numbers,
        standard=standard or lab.default_standard,
        decision_rule=decision_rule or lab.default_decision_rule,
        urls=[verification_url(n, c) for n, c in zip(numbers, codes)],
        issuer=actor,
        rule_set=rule_set or "tari_1999",
    )
    reasons = {}
    for s, ctx, code in zip(samples, contexts, codes):
        ctx["verification_code"] = code
        reason = _freeze_issue_anyway(ctx, s, issue_anyway_reason)
        if reason:
            reasons[s.pk] = reason
    docs = bulk_insert(
        Document,
        [
            Document(
                kind=Document.KIND_CERTIFICATE,
                number=n,
                version=1,
                sample=s,
                product=s.product,
                batch=batch,
                context=english(ctx),
                issued_by=actor,
                verification_code=code,
            )
            for s, n, ctx, code in zip(samples, numbers, contexts, codes)
        ],
    )
    if TRANSITION_GUARDS.get("certify") or TRANSITION_EFFECTS.get("certify"):
        for s, d in zip(samples, docs):  # hooks on this transition: one by one, through the service
            sample_transition(actor=actor, sample=s, action="certify", reason=_issued(d.number))
    else:
        Sample.objects.filter(pk__in=[s.pk for s in samples]).update(status="certified", updated_at=timezone.now())
        bulk_insert(
            SampleTransition,
            [
                SampleTransition(
                    sample=s,
                    action="certify",
                    from_status="verified",
                    to_status="certified",
                    actor=actor,
                    **audit.reason_fields(_issued(d.number)),
                )
                for s, d in zip(samples, docs)
            ],
        )
        bulk_insert(
            AuditEntry,
            [
                AuditEntry(
                    entity="sample",
                    entity_id=s.pk,
                    entity_repr=str(s)[:200],
                    action="transition:certify",
                    actor=actor,
                    changes={"status": ["verified", "certified"]},
                    **audit.reason_fields(_issued(d.number)),
                    sample=s,
                    manufacturer=s.product.manufacturer,
                )
                for s, d in zip(samples, docs)
            ],
        )
        for s in samples:
            s.status = "certified"
    bulk_insert(
        AuditEntry,
        [
            AuditEntry(
                entity="certificate",
                entity_id=d.pk,
                entity_repr=str(d)[:200],
                action="create",
                actor=actor,
                changes=audit.diff({}, _snapshot(d)),
                **audit.reason_fields(reasons.get(s.pk, "")),
                sample=s,
                manufacturer=s.product.manufacturer,
            )
            for s, d in zip(samples, docs)
        ],
    )
    return docs


@transaction.atomic
def dossier_request(
    *,
    actor,
    product,
    samples,
    declared,
    application_date=None,
    description=None,
    industrial_waste=False,
    waste_documents=None,
):
    """Store a dossier request; it is rendered only once a reviewer signs it (``dossier_sign``).

    Refused (nothing stored) when a sample is not verified, a test report or the description is more
    than one year old at the application date (Art. 16) or the raw materials are not named (Art. 10)."""
    if actor.role not in DOSSIER_ROLES:
        message = gettext_noop("Manufacturers, reviewers and lab admins request registration dossiers.")
        raise PermissionDeniedError(Message("dossier_role", message))
    if actor.role == Role.MANUFACTURER and actor.manufacturer_id != product.manufacturer_id:
        message = gettext_noop("You may request dossiers only for your own products.")
        raise PermissionDeniedError(Message("not_own_product", message))
    errors = {}
    if not samples:
        message = gettext_noop("At least one verified sample of the product is required.")
        errors["samples"] = [Message("verified_sample_required", message)]
    for s in samples:
        if s.product_id != product.pk:
            message = gettext_noop("%(sample)s is not a sample of this product")
            errors.setdefault("samples", []).append(Message("not_sample_of_product", message, sample=s.code))
        elif s.status not in ("verified", "certified"):
            message = gettext_noop("%(sample)s is %(state)s; only verified samples can be used")
            errors.setdefault("samples", []).append(
                Message("sample_not_verified", message, sample=s.code, state=state_name(s.status))
            )
    if errors:
        raise InputError(errors)
    application_date = application_date or timezone.localdate()
    rule_errors, findings = registration.check(
        application_date=application_date,
        reports=[(s.code, _report_date(s)) for s in samples],
        raw_materials=product.raw_materials,
        description=description or {},
        industrial_waste=industrial_waste,
        waste_documents=waste_documents or {},
        metal_limits=_metal_limits(product),
        product_name=product.name,
    )
    if rule_errors:
        raise InputError(rule_errors)
    number = next_number("RG", timezone.localdate().year)
    code = new_verification_code()
    ctx = dossier_context(
        product,
        samples,
        declared,
        number=number,
        url=verification_url(number, code),
        actor=actor,
        registration=findings,
    )
    ctx["verification_code"] = code
    doc = Document.objects.create(
        kind=Document.KIND_REGISTRATION,
        number=number,
        product=product,
        declared=declared,
        context=english(ctx),  # frozen as said: English reasons, as the PDF prints them
        issued_by=actor,
        status="awaiting_signature",
        verification_code=code,
    )
    doc.samples.set(samples)
    audit.record(
        entity="registration",
        obj=doc,
        action="create",
        actor=actor,
        changes=audit.diff(
            {},
            {
                **_snapshot(doc),
                "samples": [s.code for s in samples],
                "declared": declared,
                "application_date": application_date.isoformat(),
            },
        ),
        manufacturer=product.manufacturer,
    )
    return doc


@transaction.atomic
def dossier_sign(*, actor, document):
    """A reviewer signs a requested dossier (name, title, signature, date); then it is rendered and issued."""
    if actor.role != Role.REVIEWER:
        message = gettext_noop("Only a reviewer of the lab signs a registration dossier.")
        raise PermissionDeniedError(Message("signer_only", message))
    doc = Document.objects.select_for_update().select_related("product__manufacturer").get(pk=document.pk)
    if doc.kind != Document.KIND_REGISTRATION or doc.status != "awaiting_signature":
        message = gettext_noop("%(number)s is %(status)s; only a dossier awaiting signature can be signed.")
        raise TransitionError(
            Message("dossier_not_awaiting_signature", message, number=doc.number, status=term(doc.status, RENDER_NAMES))
        )
    check_lab_settings()
    before = _snapshot(doc)
    now = timezone.now()
    doc.signed_by, doc.signed_at, doc.status = actor, now, "queued"
    doc.context = {
        **doc.context,
        "signature": signatory_block(actor, now),
        "issue_date": timezone.localdate().isoformat(),
        "lab": lab_block(),
    }
    doc.save(update_fields=["signed_by", "signed_at", "status", "context"])
    audit.record(
        entity="registration",
        obj=doc,
        action="sign",
        actor=actor,
        changes=audit.diff(before, {**_snapshot(doc), "signed_by": actor.username}),
        manufacturer=doc.product.manufacturer,
    )
    _dispatch_after_commit([doc.pk])
    return doc


def _mark_for_supersession(sample, actor, reason):
    """Reopen (a judgement input was corrected): the sample's valid certificates must be superseded
    once it is verified again; they are marked, and the mark is audited."""
    for doc in Document.objects.select_for_update().filter(
        sample=sample, kind=Document.KIND_CERTIFICATE, validity="valid", supersession_due=False
    ):
        doc.supersession_due = True
        doc.save(update_fields=["supersession_due"])
        audit.record(
            entity="certificate",
            obj=doc,
            action="mark_for_supersession",
            actor=actor,
            changes={"supersession_due": [False, True]},
            reason=reason,
            sample=sample,
            manufacturer=sample.product.manufacturer,
        )


register_effect("reopen", _mark_for_supersession)
