"""Services: every write of products, samples and transitions goes through here.

Each function is atomic and writes its audit entry in the same transaction.
Input has been validated by the caller's serializer/form; business rules that
depend on the database (role, ownership, state) are checked here.
"""

from django.db import transaction
from django.utils import timezone

from . import audit
from .lifecycle import RESULTS_RELEASED, TransitionError, check_transition, state_name
from .messages import Message, gettext_noop
from .models import Product, Sample, SampleTransition
from .numbering import next_number
from .roles import Role

PRODUCT_FIELDS = (
    "manufacturer_id",
    "name",
    "category",
    "bagasse_based",
    "chemical_fertilizer_added",
    "raw_materials",
    "process",
)
SAMPLE_FIELDS = ("code", "product_id", "lot_number", "sampled_on", "received_on", "condition_on_receipt", "status")
# Product fields a judgement reads (category and flags choose the limits; raw materials are the declared
# components printed on the certificate): frozen once a sample of the product has verified results.
JUDGEMENT_FIELDS = ("category", "bagasse_based", "chemical_fertilizer_added", "raw_materials")
# Sample facts set at receipt: after receipt only the lab changes them, with a reason.
RECEIPT_FIELDS = ("product", "lot_number", "sampled_on", "received_on")


class PermissionDeniedError(Exception):
    """The actor may not do this (API: 403 {"code", "detail"}); ``message`` is a lims.messages.Message."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class ReasonRequiredError(Exception):
    """A change that needs a reason got none (API: 400 {"reason": [message]})."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _require_owner(user, manufacturer_id):
    if user.role == Role.MANUFACTURER and user.manufacturer_id != manufacturer_id:
        raise PermissionDeniedError(
            Message("not_own_organisation", gettext_noop("Manufacturer users may act only for their own organisation."))
        )


def _apply_update(obj, audited_fields, fields, *, entity, actor, reason, **where):
    """Set ``fields`` on ``obj``, save, and record old and new values of what changed; -> the changes."""
    before = audit.snapshot(obj, audited_fields)
    for k, v in fields.items():
        setattr(obj, k, v)
    obj.save()
    changes = audit.diff(before, audit.snapshot(obj, audited_fields))
    if changes:
        audit.record(entity=entity, obj=obj, action="update", actor=actor, changes=changes, reason=reason, **where)
    return changes


@transaction.atomic
def product_create(*, actor, manufacturer, **fields):
    _require_owner(actor, manufacturer.pk)
    product = Product.objects.create(manufacturer=manufacturer, **fields)
    audit.record(
        entity="product",
        obj=product,
        action="create",
        actor=actor,
        changes=audit.diff({}, audit.snapshot(product, PRODUCT_FIELDS)),
        manufacturer=manufacturer,
    )
    return product


@transaction.atomic
def product_update(*, actor, product, reason="", **fields):
    """Update a product. Once a sample of it has verified results, its judgement inputs
    (JUDGEMENT_FIELDS) change only by a lab admin's correction with a reason, which sends those
    samples back to verification (transition 'reopen'; their certificates are marked for supersession)."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    _require_owner(actor, product.manufacturer_id)
    if "manufacturer" in fields:
        _require_owner(actor, fields["manufacturer"].pk)
    changed = [f for f in JUDGEMENT_FIELDS if f in fields and fields[f] != getattr(product, f)]
    judged = []
    if changed:
        judged = list(
            Sample.objects.select_for_update().filter(product=product, status__in=RESULTS_RELEASED).order_by("pk")
        )
    if judged:
        codes = ", ".join(s.code for s in judged)
        if actor.role != Role.LAB_ADMIN:
            message = gettext_noop(
                "%(fields)s cannot change: sample(s) %(samples)s of this product have verified results judged with "
                "the current values. Register a new product for the new composition, or ask the lab to correct "
                "the record."
            )
            raise TransitionError(Message("judgement_inputs_frozen", message, fields=changed, samples=codes))
        if not (reason or "").strip():
            message = gettext_noop(
                "A reason is required to correct %(fields)s: sample(s) %(samples)s have verified results and "
                "return to verification."
            )
            raise ReasonRequiredError(Message("reason_required", message, fields=changed, samples=codes))
    changes = _apply_update(
        product, PRODUCT_FIELDS, fields, entity="product", actor=actor, reason=reason, manufacturer=product.manufacturer
    )
    for effect in PRODUCT_EFFECTS:  # e.g. stored judgements rewritten with the corrected facts
        effect(product, changes)
    for sample in judged:
        corrected = Message(
            "reason_product_corrected",
            gettext_noop("product corrected (%(fields)s): %(reason)s"),
            fields=changed,
            reason=reason,
        )
        sample_transition(actor=actor, sample=sample, action="reopen", reason=corrected)
    return product


@transaction.atomic
def sample_create(*, actor, product, lot_number, sampled_on, received_on=None):
    _require_owner(actor, product.manufacturer_id)
    year = timezone.localdate().year
    sample = Sample.objects.create(
        code=next_number("S", year),
        product=product,
        lot_number=lot_number,
        sampled_on=sampled_on,
        received_on=received_on,
        created_by=actor,
    )
    audit.record(
        entity="sample",
        obj=sample,
        action="create",
        actor=actor,
        changes=audit.diff({}, audit.snapshot(sample, SAMPLE_FIELDS)),
        sample=sample,
        manufacturer=product.manufacturer,
    )
    return sample


@transaction.atomic
def sample_update(*, actor, sample, reason="", **fields):
    """Update a sample. After receipt, its receipt facts (RECEIPT_FIELDS) are the lab's: a
    manufacturer gets 409, lab staff must give a reason (kept with before and after)."""
    sample = Sample.objects.select_for_update().select_related("product").get(pk=sample.pk)
    _require_owner(actor, sample.product.manufacturer_id)
    if sample.status not in ("registered", "received"):
        message = gettext_noop("A sample that is %(state)s can no longer be edited; its data are under test.")
        raise TransitionError(Message("sample_not_editable", message, state=state_name(sample.status)))
    changed = [f for f in RECEIPT_FIELDS if f in fields and fields[f] != getattr(sample, f)]
    if changed and sample.status != "registered":
        if actor.role == Role.MANUFACTURER:
            message = gettext_noop(
                "%(fields)s of sample %(sample)s cannot change after receipt; ask the lab to correct it."
            )
            raise TransitionError(Message("receipt_facts_frozen", message, fields=changed, sample=sample.code))
        if not (reason or "").strip():
            message = gettext_noop("A reason is required to change %(fields)s of a received sample.")
            raise ReasonRequiredError(Message("reason_required", message, fields=changed))
    _apply_update(
        sample,
        SAMPLE_FIELDS,
        fields,
        entity="sample",
        actor=actor,
        reason=reason,
        sample=sample,
        manufacturer=sample.product.manufacturer,
    )
    return sample


# Hooks other apps register to add guards to a transition (e.g. "verify" by a
# reviewer who entered none of the results; "submit" needs at least one assay).
TRANSITION_GUARDS = {}  # action -> list of callables(sample, actor) raising TransitionError
TRANSITION_EFFECTS = {}  # action -> list of callables(sample, actor, reason, **options) run inside the transaction
PRODUCT_EFFECTS = []  # callables(product, changes) run inside the transaction of a product update


def register_guard(action, fn):
    TRANSITION_GUARDS.setdefault(action, []).append(fn)


def register_effect(action, fn):
    TRANSITION_EFFECTS.setdefault(action, []).append(fn)


def register_product_effect(fn):
    PRODUCT_EFFECTS.append(fn)


@transaction.atomic
def sample_transition(*, actor, sample, action, reason="", condition="", assays=None):
    """Move a sample through its lifecycle (DOMAIN.md §2), recording who, when, why; ``receive``
    records the sample's condition on receipt. ``reason``: the text a person typed, or the Message the system
    composed (stored with its code, read in each reader's language).

    ``assays`` (retest only): the ids of the assays to retest; None retests all of them."""
    sample = Sample.objects.select_for_update().select_related("product__manufacturer").get(pk=sample.pk)
    target = check_transition(action, sample.status, actor.role, reason)
    for guard in TRANSITION_GUARDS.get(action, []):
        guard(sample, actor)
    before = audit.snapshot(sample, SAMPLE_FIELDS)
    source = sample.status
    sample.status = target
    if action == "receive" and sample.received_on is None:
        sample.received_on = timezone.localdate()
    if action == "receive" and (condition or "").strip():
        sample.condition_on_receipt = condition.strip()[:300]
    sample.save()
    SampleTransition.objects.create(
        sample=sample, action=action, from_status=source, to_status=target, actor=actor, **audit.reason_fields(reason)
    )
    audit.record(
        entity="sample",
        obj=sample,
        action=f"transition:{action}",
        actor=actor,
        changes=audit.diff(before, audit.snapshot(sample, SAMPLE_FIELDS)),
        reason=reason,
        sample=sample,
        manufacturer=sample.product.manufacturer,
    )
    options = {"assays": list(assays)} if assays is not None else {}
    for effect in TRANSITION_EFFECTS.get(action, []):
        effect(sample, actor, reason, **options)
    return sample


@transaction.atomic
def samples_transition(*, actor, samples, action, reason=""):
    """The same lifecycle action for many samples (the lists' bulk buttons): all of them or none.

    -> {} when done, else {sample code: message} for each sample that cannot take the action
    (and nothing is changed)."""
    errors = {}
    for sample in samples:
        try:
            sample_transition(actor=actor, sample=sample, action=action, reason=reason)
        except (TransitionError, PermissionDeniedError) as e:
            errors[sample.code] = getattr(e, "message", str(e))
    if errors:
        transaction.set_rollback(True)
    return errors
