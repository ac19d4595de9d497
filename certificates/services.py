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
from lims.lifecycle import TransitionError
from lims.models import LabSettings, Sample
from lims.numbering import next_number
from lims.roles import Role
from lims.services import PermissionDeniedError, sample_transition
from maturity.errors import InputError

from .context import certificate_context, dossier_context
from .models import BatchItem, Document, IssueBatch

log = logging.getLogger(__name__)
ISSUERS = (Role.REVIEWER,)
DOSSIER_ROLES = (Role.MANUFACTURER, Role.REVIEWER, Role.LAB_ADMIN)


def verification_url(number):
    return f"{settings.LIMS_PUBLIC_URL}/verify/{number}/"


def _snapshot(doc):
    return {"number": doc.number, "status": doc.status, "validity": doc.validity, "sha256": doc.sha256,
            "version": doc.version}


def _dispatch_after_commit(doc_ids):
    transaction.on_commit(lambda: dispatch(doc_ids))


def _publisher(app):
    """A broker connection that fails fast: one attempt, a short connect timeout (LIMS_BROKER_PUBLISH_TIMEOUT).

    Celery's pooled connection retries for several seconds per message; a
    request must not wait for a broker that is down (the outbox keeps the
    work, the relay sends it later)."""
    timeout = settings.LIMS_BROKER_PUBLISH_TIMEOUT
    return app.connection_for_write(connect_timeout=timeout, transport_options={
        "max_retries": 0, "socket_connect_timeout": timeout, "socket_timeout": timeout})


def dispatch(doc_ids):
    """Send render tasks; a broker failure leaves them (and the rest) in the outbox for the relay.

    One connection for all of them and no retry, so a request answers at once
    when the broker is down (a batch of 100 does not wait 100 times)."""
    from .tasks import render_document
    doc_ids = list(doc_ids)
    if not doc_ids:
        return []
    app, sent = render_document.app, []
    try:
        with _publisher(app) as conn:
            producer = app.amqp.Producer(conn)
            for doc_id in doc_ids:
                render_document.apply_async(args=[doc_id], retry=False, producer=producer)
                sent.append(doc_id)
    except Exception as e:  # broker unreachable: these stay in the outbox
        log.warning("broker unavailable, %d document(s) kept in the outbox: %s", len(doc_ids) - len(sent), e)
    if sent:
        Document.objects.filter(pk__in=sent, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return sent


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
    stalled = timedelta(seconds=stalled_after_seconds if stalled_after_seconds is not None
                        else settings.LIMS_OUTBOX_STALLED_SECONDS)
    due = (Q(status="queued", dispatched_at__isnull=True)
           | Q(status__in=["queued", "rendering"], lease_until__lt=now))
    moving = Document.objects.filter(Q(rendered_at__gte=now - stalled)
                                     | Q(status="rendering", lease_until__gte=now)).exists()
    if not moving:
        due |= Q(status="queued", dispatched_at__lt=now - stalled)
    ids = list(Document.objects.filter(due).order_by("id").values_list("id", flat=True))
    if ids:
        Document.objects.filter(pk__in=ids).update(dispatched_at=None)
    batches = list(IssueBatch.objects.filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - stalled),
                                             status="pending").order_by("id").values_list("id", flat=True))
    if batches:
        IssueBatch.objects.filter(pk__in=batches).update(dispatched_at=None)
        dispatch_batches(batches)
    return dispatch(ids)


def _check_issuer(actor):
    if actor.role not in ISSUERS:
        raise PermissionDeniedError("Only reviewers issue, supersede and revoke certificates.")


def _new_certificate(actor, sample, *, supersedes=None, batch=None, decision_rule=None, standard=None):
    if sample.status != "verified":
        raise TransitionError(f"Sample {sample.code} is '{sample.status}': a certificate needs verified results.")
    year = timezone.localdate().year
    number = next_number("CQ", year)
    version = supersedes.version + 1 if supersedes else 1
    lab = LabSettings.current()
    ctx = certificate_context(sample, number=number, version=version,
                              supersedes=supersedes.number if supersedes else None,
                              standard=standard or lab.default_standard,
                              decision_rule=decision_rule or lab.default_decision_rule,
                              url=verification_url(number))
    doc = Document.objects.create(kind=Document.KIND_CERTIFICATE, number=number, version=version, sample=sample,
                                  product=sample.product, supersedes=supersedes, batch=batch, context=ctx,
                                  issued_by=actor)
    sample_transition(actor=actor, sample=sample, action="certify", reason=f"certificate {number} issued")
    audit.record(entity="certificate", obj=doc, action="create", actor=actor, changes=audit.diff({}, _snapshot(doc)),
                 sample=sample, manufacturer=sample.product.manufacturer)
    return doc


def _lock_sample(sample):
    # only the sample row: a join would lock the shared product row as well, in an order that differs between
    # requests (deadlock between a single request and a batch)
    return Sample.objects.select_for_update(of=("self",)).select_related("product__manufacturer").get(pk=sample.pk)


@transaction.atomic
def certificate_request(*, actor, sample, decision_rule=None, standard=None):
    _check_issuer(actor)
    sample = _lock_sample(sample)
    current = Document.objects.filter(sample=sample, kind=Document.KIND_CERTIFICATE, validity="valid").first()
    if current:
        raise TransitionError(f"Sample {sample.code} already has a valid certificate {current.number}; "
                              "after a retest, supersede it.")
    if BatchItem.objects.filter(sample=sample, open=True).exists():
        raise TransitionError(f"Sample {sample.code} is in a batch being issued; its certificate comes from there.")
    doc = _new_certificate(actor, sample, decision_rule=decision_rule, standard=standard)
    _dispatch_after_commit([doc.pk])
    return doc


@transaction.atomic
def certificate_supersede(*, actor, document, reason):
    _check_issuer(actor)
    if not (reason or "").strip():
        raise InputError({"reason": ["A reason is required to supersede a certificate."]})
    old = Document.objects.select_for_update().get(pk=document.pk)
    if old.kind != Document.KIND_CERTIFICATE or old.validity != "valid":
        raise TransitionError(f"{old.number} is {old.validity}; only a valid certificate can be superseded.")
    sample = _lock_sample(old.sample)
    new = _new_certificate(actor, sample, supersedes=old,
                           decision_rule=old.context.get("compliance", {}).get("decision_rule"),
                           standard=old.context.get("compliance", {}).get("standard"))
    before = _snapshot(old)
    old.validity = "superseded"
    old.save(update_fields=["validity"])
    audit.record(entity="certificate", obj=old, action="supersede", actor=actor,
                 changes=audit.diff(before, {**_snapshot(old), "superseded_by": new.number}), reason=reason,
                 sample=sample, manufacturer=sample.product.manufacturer)
    _dispatch_after_commit([new.pk])
    return new


@transaction.atomic
def document_revoke(*, actor, document, reason):
    _check_issuer(actor)
    if not (reason or "").strip():
        raise InputError({"reason": ["A reason is required to revoke."]})
    doc = Document.objects.select_for_update().get(pk=document.pk)
    if doc.validity != "valid":
        raise TransitionError(f"{doc.number} is already {doc.validity}.")
    before = _snapshot(doc)
    doc.validity, doc.revoked_by, doc.revoked_at, doc.revocation_reason = "revoked", actor, timezone.now(), reason
    doc.save(update_fields=["validity", "revoked_by", "revoked_at", "revocation_reason"])
    audit.record(entity=doc.kind, obj=doc, action="revoke", actor=actor, changes=audit.diff(before, _snapshot(doc)),
                 reason=reason, sample=doc.sample, manufacturer=doc.product.manufacturer)
    return doc


@transaction.atomic
def certificates_batch_request(*, actor, samples, decision_rule=None, standard=None):
    """Request certificates for many verified samples: all are checked and reserved here, in a few queries,
    and the request answers; a worker issues them (``batch_issue``). An outbox like the renders: with the broker
    down the batch is stored (``dispatched_at`` empty) and the relay sends it when the broker is back."""
    from maturity.selectors import edition_or_error
    _check_issuer(actor)
    ids = [s.pk for s in samples]
    if len(set(ids)) != len(ids):
        raise InputError({"samples": ["Each sample may be named once in a batch."]})
    if standard:
        edition_or_error(standard)
    # Lock in one order (by id), whatever order the request names them in: two overlapping batches [a, b] and
    # [b, a] then queue for the same first row instead of each holding one and waiting for the other (deadlock).
    by_pk = {s.pk: s for s in Sample.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")}
    certified = set(Document.objects.filter(sample_id__in=ids, kind=Document.KIND_CERTIFICATE, validity="valid")
                    .values_list("sample_id", flat=True))
    reserved = set(BatchItem.objects.filter(sample_id__in=ids, open=True).values_list("sample_id", flat=True))
    errors = {}
    for pk in ids:
        s = by_pk[pk]
        if s.status != "verified":
            errors[s.code] = [f"is '{s.status}'; a certificate needs verified results"]
        elif pk in certified:
            errors[s.code] = ["already has a valid certificate"]
        elif pk in reserved:
            errors[s.code] = ["is already in a batch being issued"]
    if errors:
        raise InputError({f"samples.{k}": v for k, v in errors.items()})
    batch = IssueBatch.objects.create(requested_by=actor, total=len(ids), decision_rule=decision_rule or "",
                                      standard=standard or "")
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
                    status="failed", error=f"{type(e).__name__}: {e}"):
                BatchItem.objects.filter(batch_id=batch_id, open=True).update(open=False, error=str(e))
        return None


@transaction.atomic
def _batch_issue(batch_id):
    batch = IssueBatch.objects.select_for_update().select_related("requested_by").filter(pk=batch_id).first()
    if batch is None or batch.status != "pending":
        return batch
    items = list(batch.items.order_by("position"))
    by_pk = {s.pk: s for s in Sample.objects.select_for_update(of=("self",)).select_related("product__manufacturer")
             .filter(pk__in=[i.sample_id for i in items]).order_by("pk")}
    docs = []
    for item in items:
        sample = by_pk[item.sample_id]
        if sample.status != "verified":
            item.error = f"{sample.code} is '{sample.status}' now; a certificate needs verified results"
        elif Document.objects.filter(sample=sample, kind=Document.KIND_CERTIFICATE, validity="valid").exists():
            item.error = f"{sample.code} already has a valid certificate"
        else:
            item.document = _new_certificate(batch.requested_by, sample, batch=batch,
                                             decision_rule=batch.decision_rule or None,
                                             standard=batch.standard or None)
            docs.append(item.document.pk)
        item.open = False
        item.save(update_fields=["open", "document", "error"])
    batch.status, batch.issued_at = "issued", timezone.now()
    batch.save(update_fields=["status", "issued_at"])
    _dispatch_after_commit(docs)
    return batch


def dispatch_batches(batch_ids):
    """Send issue tasks for batches; with the broker down they stay in the outbox for the relay."""
    from .tasks import issue_batch
    batch_ids, sent = list(batch_ids), []
    if not batch_ids:
        return []
    app = issue_batch.app
    try:
        with _publisher(app) as conn:
            producer = app.amqp.Producer(conn)
            for batch_id in batch_ids:
                issue_batch.apply_async(args=[batch_id], retry=False, producer=producer)
                sent.append(batch_id)
    except Exception as e:  # broker unreachable: these stay in the outbox
        log.warning("broker unavailable, %d batch(es) kept in the outbox: %s", len(batch_ids) - len(sent), e)
    if sent:
        IssueBatch.objects.filter(pk__in=sent, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return sent


@transaction.atomic
def dossier_request(*, actor, product, samples, declared):
    if actor.role not in DOSSIER_ROLES:
        raise PermissionDeniedError("Manufacturers, reviewers and lab admins request registration dossiers.")
    if actor.role == Role.MANUFACTURER and actor.manufacturer_id != product.manufacturer_id:
        raise PermissionDeniedError("You may request dossiers only for your own products.")
    errors = {}
    if not samples:
        errors["samples"] = ["At least one verified sample of the product is required."]
    for s in samples:
        if s.product_id != product.pk:
            errors.setdefault("samples", []).append(f"{s.code} is not a sample of this product")
        elif s.status not in ("verified", "certified"):
            errors.setdefault("samples", []).append(f"{s.code} is '{s.status}'; only verified samples can be used")
    if errors:
        raise InputError(errors)
    number = next_number("RG", timezone.localdate().year)
    ctx = dossier_context(product, samples, declared, number=number, url=verification_url(number), actor=actor)
    doc = Document.objects.create(kind=Document.KIND_REGISTRATION, number=number, product=product,
                                  declared=declared, context=ctx, issued_by=actor)
    doc.samples.set(samples)
    audit.record(entity="registration", obj=doc, action="create", actor=actor,
                 changes=audit.diff({}, {**_snapshot(doc), "samples": [s.code for s in samples],
                                         "declared": declared}),
                 manufacturer=product.manufacturer)
    _dispatch_after_commit([doc.pk])
    return doc
