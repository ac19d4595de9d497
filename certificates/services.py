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
from lims.services import PermissionDeniedError, register_effect, sample_transition
from maturity.errors import InputError

from . import registration
from .context import certificate_context, dossier_context, lab_block, signatory_block
from .models import Document, IssueBatch, new_verification_code
from .selectors import missing_required

log = logging.getLogger(__name__)
ISSUERS = (Role.REVIEWER,)
DOSSIER_ROLES = (Role.MANUFACTURER, Role.REVIEWER, Role.LAB_ADMIN)


def verification_url(number, code=""):
    """The public check of a document: its number and, in the query, its verification code."""
    return f"{settings.LIMS_PUBLIC_URL}/verify/{number}/" + (f"?code={code}" if code else "")


def _snapshot(doc):
    return {"number": doc.number, "status": doc.status, "validity": doc.validity, "sha256": doc.sha256,
            "version": doc.version}


def _dispatch_after_commit(doc_ids):
    transaction.on_commit(lambda: dispatch(doc_ids))


def dispatch(doc_ids):
    """Send render tasks; a broker failure leaves them in the outbox for the relay."""
    from .tasks import render_document
    sent = []
    for doc_id in doc_ids:
        try:
            render_document.apply_async(args=[doc_id], retry=False)
        except Exception as e:  # broker unreachable: stays in the outbox
            log.warning("broker unavailable, document %s kept in the outbox: %s", doc_id, e)
            continue
        sent.append(doc_id)
    if sent:
        Document.objects.filter(pk__in=sent, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return sent


def relay_outbox(lost_after_seconds=3600):
    """Send what the broker never got, and hand out again renders whose worker died.

    Three cases: never dispatched (broker was down); rendering or queued with an
    expired lease (the worker died mid-render); dispatched but untouched for
    ``lost_after_seconds`` (the message was lost). Duplicates are harmless: the
    task is idempotent. Run periodically (Celery beat in `make run`) and by
    `manage.py relay_outbox`."""
    now = timezone.now()
    due = (Q(status="queued", dispatched_at__isnull=True)
           | Q(status__in=["queued", "rendering"], lease_until__lt=now)
           | Q(status="queued", dispatched_at__lt=now - timedelta(seconds=lost_after_seconds)))
    ids = list(Document.objects.filter(due).order_by("id").values_list("id", flat=True))
    if ids:
        Document.objects.filter(pk__in=ids).update(dispatched_at=None)
    return dispatch(ids)


def _check_issuer(actor):
    if actor.role not in ISSUERS:
        raise PermissionDeniedError("Only reviewers issue, supersede and revoke certificates.")


def check_lab_settings():
    """A report cannot issue before the lab's name, address and telephone are set (ISO/IEC 17025 §7.8.2.1 b)."""
    missing = LabSettings.current().missing_for_issue()
    if missing:
        raise InputError({f"lab_settings.{f}": ["is required before a report is issued: the lab admin fills it "
                                                "in Lab settings (/admin/)."] for f in missing})


def _new_certificate(actor, sample, *, supersedes=None, batch=None, decision_rule=None, standard=None,
                     amendment_reason="", issue_anyway_reason="", reissue=False):
    """Freeze and store a certificate. A sample needs verified results ('verified'; 'certified' when a
    revoked certificate is re-issued). Required results that are missing need an explicit reason."""
    if not (sample.status == "verified" or (reissue and sample.status == "certified")):
        raise TransitionError(f"Sample {sample.code} is '{sample.status}': a certificate needs verified results.")
    if sample.assays.filter(status="entered").exists():
        raise TransitionError(f"Sample {sample.code} has results that are not verified yet.")
    check_lab_settings()
    year = timezone.localdate().year
    number = next_number("CQ", year)
    version = supersedes.version + 1 if supersedes else 1
    lab = LabSettings.current()
    code = new_verification_code()
    ctx = certificate_context(sample, number=number, version=version,
                              supersedes=supersedes.number if supersedes else None,
                              standard=standard or lab.default_standard,
                              decision_rule=decision_rule or lab.default_decision_rule,
                              url=verification_url(number, code), issuer=actor, amendment_reason=amendment_reason,
                              previous=supersedes.context if supersedes else None)
    ctx["verification_code"] = code
    missing = missing_required(ctx["compliance"]["checks"])
    if missing:
        if not (issue_anyway_reason or "").strip():
            names = ", ".join(m["name_en"] for m in missing)
            raise InputError({"issue_anyway_reason": [
                f"Required results are missing for {sample.code}: {names}. Enter them, or give a reason "
                "to issue anyway (it is printed in the certificate's remarks)."]})
        ctx["issue_anyway"] = {"reason": issue_anyway_reason.strip(), "missing": missing}
    doc = Document.objects.create(kind=Document.KIND_CERTIFICATE, number=number, version=version, sample=sample,
                                  product=sample.product, supersedes=supersedes, batch=batch, context=ctx,
                                  issued_by=actor, verification_code=code)
    if sample.status == "verified":
        sample_transition(actor=actor, sample=sample, action="certify", reason=f"certificate {number} issued")
    reason = f"issued with required results missing: {issue_anyway_reason.strip()}" if missing else ""
    audit.record(entity="certificate", obj=doc, action="create", actor=actor, changes=audit.diff({}, _snapshot(doc)),
                 reason=reason, sample=sample, manufacturer=sample.product.manufacturer)
    return doc


def _lock_sample(sample):
    return Sample.objects.select_for_update().select_related("product__manufacturer").get(pk=sample.pk)


@transaction.atomic
def certificate_request(*, actor, sample, decision_rule=None, standard=None, issue_anyway_reason=""):
    _check_issuer(actor)
    sample = _lock_sample(sample)
    current = Document.objects.filter(sample=sample, kind=Document.KIND_CERTIFICATE, validity="valid").first()
    if current:
        raise TransitionError(f"Sample {sample.code} already has a valid certificate {current.number}; "
                              "after a retest, supersede it.")
    doc = _new_certificate(actor, sample, decision_rule=decision_rule, standard=standard,
                           issue_anyway_reason=issue_anyway_reason)
    _dispatch_after_commit([doc.pk])
    return doc


@transaction.atomic
def certificate_supersede(*, actor, document, reason, issue_anyway_reason=""):
    _check_issuer(actor)
    if not (reason or "").strip():
        raise InputError({"reason": ["A reason is required to supersede a certificate."]})
    old = Document.objects.select_for_update().get(pk=document.pk)
    if old.kind != Document.KIND_CERTIFICATE or old.validity != "valid":
        raise TransitionError(f"{old.number} is {old.validity}; only a valid certificate can be superseded.")
    sample = _lock_sample(old.sample)
    if sample.status == "certified":
        raise TransitionError(f"{old.number} still states the sample's current verified results; nothing to "
                              f"supersede it with. To correct a result, send {sample.code} for retest first; "
                              "to withdraw the certificate, revoke it.")
    new = _new_certificate(actor, sample, supersedes=old,
                           decision_rule=old.context.get("compliance", {}).get("decision_rule"),
                           standard=old.context.get("compliance", {}).get("standard"), amendment_reason=reason,
                           issue_anyway_reason=issue_anyway_reason)
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
def certificate_reissue(*, actor, document, reason, issue_anyway_reason=""):
    """Re-issue a revoked certificate as a new version from the sample's verified results, without a retest.

    The revoked certificate stays revoked (the verification page names its re-issue)."""
    _check_issuer(actor)
    if not (reason or "").strip():
        raise InputError({"reason": ["A reason is required to re-issue a certificate."]})
    old = Document.objects.select_for_update().get(pk=document.pk)
    if old.kind != Document.KIND_CERTIFICATE or old.validity != "revoked":
        raise TransitionError(f"{old.number} is {old.validity}; only a revoked certificate is re-issued "
                              "(a valid one is superseded).")
    if Document.objects.filter(supersedes=old).exists():
        raise TransitionError(f"{old.number} has already been replaced by {old.superseded_by.number}.")
    sample = _lock_sample(old.sample)
    current = Document.objects.filter(sample=sample, kind=Document.KIND_CERTIFICATE, validity="valid").first()
    if current:
        raise TransitionError(f"Sample {sample.code} already has a valid certificate {current.number}.")
    new = _new_certificate(actor, sample, supersedes=old, reissue=True, amendment_reason=reason,
                           decision_rule=old.context.get("compliance", {}).get("decision_rule"),
                           standard=old.context.get("compliance", {}).get("standard"),
                           issue_anyway_reason=issue_anyway_reason)
    audit.record(entity="certificate", obj=old, action="reissue", actor=actor,
                 changes={"reissued_as": [None, new.number]}, reason=reason, sample=sample,
                 manufacturer=sample.product.manufacturer)
    _dispatch_after_commit([new.pk])
    return new


@transaction.atomic
def certificates_batch_request(*, actor, samples, decision_rule=None, standard=None, issue_anyway_reason=""):
    """Issue certificates for many verified samples: all are checked first, then all are issued."""
    _check_issuer(actor)
    locked = [_lock_sample(s) for s in samples]
    errors = {}
    for s in locked:
        if s.status != "verified":
            errors[s.code] = [f"is '{s.status}'; a certificate needs verified results"]
        elif Document.objects.filter(sample=s, kind=Document.KIND_CERTIFICATE, validity="valid").exists():
            errors[s.code] = ["already has a valid certificate"]
    if errors:
        raise InputError({f"samples.{k}": v for k, v in errors.items()})
    check_lab_settings()
    batch = IssueBatch.objects.create(requested_by=actor, total=len(locked))
    docs = [_new_certificate(actor, s, batch=batch, decision_rule=decision_rule, standard=standard,
                             issue_anyway_reason=issue_anyway_reason) for s in locked]
    _dispatch_after_commit([d.pk for d in docs])
    return batch


def _report_date(sample):
    """The date of a sample's test report (Art. 16): its valid certificate's issue date, else verification."""
    cert = sample.certificates.filter(kind=Document.KIND_CERTIFICATE, validity="valid").order_by("-version").first()
    if cert:
        return timezone.localtime(cert.issued_at).date()
    verified = sample.assays.filter(status="verified").order_by("-verified_at").values_list("verified_at",
                                                                                           flat=True).first()
    return timezone.localtime(verified).date() if verified else timezone.localdate()


def _metal_limits(product):
    from maturity.models import Requirement
    from maturity.parameters import METALS
    lab = LabSettings.current()
    rows = Requirement.objects.filter(edition__code=lab.default_standard, category=product.category,
                                      parameter__in=METALS, kind__in=("max", "max_exclusive"))
    return {r.parameter: (r.kind, r.limit) for r in rows}


@transaction.atomic
def dossier_request(*, actor, product, samples, declared, application_date=None, description=None,
                    industrial_waste=False, waste_documents=None):
    """Store a dossier request; it is rendered only once a reviewer signs it (``dossier_sign``).

    Refused (nothing stored) when a sample is not verified, a test report or the description is more
    than one year old at the application date (Art. 16) or the raw materials are not named (Art. 10)."""
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
    application_date = application_date or timezone.localdate()
    rule_errors, findings = registration.check(
        application_date=application_date, reports=[(s.code, _report_date(s)) for s in samples],
        raw_materials=product.raw_materials, description=description or {}, industrial_waste=industrial_waste,
        waste_documents=waste_documents or {}, metal_limits=_metal_limits(product), product_name=product.name)
    if rule_errors:
        raise InputError(rule_errors)
    number = next_number("RG", timezone.localdate().year)
    code = new_verification_code()
    ctx = dossier_context(product, samples, declared, number=number, url=verification_url(number, code), actor=actor,
                          registration=findings)
    ctx["verification_code"] = code
    doc = Document.objects.create(kind=Document.KIND_REGISTRATION, number=number, product=product,
                                  declared=declared, context=ctx, issued_by=actor, status="awaiting_signature",
                                  verification_code=code)
    doc.samples.set(samples)
    audit.record(entity="registration", obj=doc, action="create", actor=actor,
                 changes=audit.diff({}, {**_snapshot(doc), "samples": [s.code for s in samples],
                                         "declared": declared, "application_date": application_date.isoformat()}),
                 manufacturer=product.manufacturer)
    return doc


@transaction.atomic
def dossier_sign(*, actor, document):
    """A reviewer signs a requested dossier (name, title, signature, date); then it is rendered and issued."""
    if actor.role != Role.REVIEWER:
        raise PermissionDeniedError("Only a reviewer of the lab signs a registration dossier.")
    doc = Document.objects.select_for_update().select_related("product__manufacturer").get(pk=document.pk)
    if doc.kind != Document.KIND_REGISTRATION or doc.status != "awaiting_signature":
        raise TransitionError(f"{doc.number} is {doc.status}; only a dossier awaiting signature can be signed.")
    check_lab_settings()
    before = _snapshot(doc)
    now = timezone.now()
    doc.signed_by, doc.signed_at, doc.status = actor, now, "queued"
    doc.context = {**doc.context, "signature": signatory_block(actor, now),
                   "issue_date": timezone.localdate().isoformat(), "lab": lab_block()}
    doc.save(update_fields=["signed_by", "signed_at", "status", "context"])
    audit.record(entity="registration", obj=doc, action="sign", actor=actor,
                 changes=audit.diff(before, {**_snapshot(doc), "signed_by": actor.username}),
                 manufacturer=doc.product.manufacturer)
    _dispatch_after_commit([doc.pk])
    return doc


def _mark_for_supersession(sample, actor, reason):
    """Reopen (a judgement input was corrected): the sample's valid certificates must be superseded
    once it is verified again; they are marked, and the mark is audited."""
    for doc in Document.objects.select_for_update().filter(sample=sample, kind=Document.KIND_CERTIFICATE,
                                                           validity="valid", supersession_due=False):
        doc.supersession_due = True
        doc.save(update_fields=["supersession_due"])
        audit.record(entity="certificate", obj=doc, action="mark_for_supersession", actor=actor,
                     changes={"supersession_due": [False, True]}, reason=reason, sample=sample,
                     manufacturer=sample.product.manufacturer)


register_effect("reopen", _mark_for_supersession)
