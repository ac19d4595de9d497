"""Writes of composting batches: each atomic, each with its audit entry (who, when, what, why)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims import audit
from lims.messages import Message, gettext_noop
from lims.roles import Role
from lims.services import PermissionDeniedError

from . import logger
from .models import Batch, BatchSample, MoistureReading, TemperatureReading, Turning

BATCH_FIELDS = ("manufacturer_id", "name", "method", "started_on", "ended_on", "recipe")


def _require_owner(user, manufacturer_id):
    if user.role == Role.MANUFACTURER and user.manufacturer_id != manufacturer_id:
        message = gettext_noop("Manufacturer users may act only for their own organisation.")
        raise PermissionDeniedError(Message("not_own_organisation", message))


def _record(batch, action, actor, changes, reason=""):
    audit.record(
        entity="composting_batch",
        obj=batch,
        action=action,
        actor=actor,
        changes=changes,
        reason=reason,
        manufacturer=batch.manufacturer,
    )


@transaction.atomic
def batch_create(*, actor, manufacturer, **fields):
    _require_owner(actor, manufacturer.pk)
    batch = Batch.objects.create(manufacturer=manufacturer, created_by=actor, **fields)
    _record(batch, "create", actor, audit.diff({}, audit.snapshot(batch, BATCH_FIELDS)))
    return batch


@transaction.atomic
def batch_update(*, actor, batch, reason="", **fields):
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    _require_owner(actor, batch.manufacturer_id)
    moved = "manufacturer" in fields and fields["manufacturer"].pk != batch.manufacturer_id
    if moved and batch.samples.exists():
        raise ValidationError(
            {
                "manufacturer": [
                    ValidationError(
                        _("The batch has samples of its manufacturer; it cannot move to another."),
                        code="batch_has_samples",
                    )
                ]
            }
        )
    before = audit.snapshot(batch, BATCH_FIELDS)
    for k, v in fields.items():
        setattr(batch, k, v)
    batch.save()
    changes = audit.diff(before, audit.snapshot(batch, BATCH_FIELDS))
    if changes:
        _record(batch, "update", actor, changes, reason)
    return batch


@transaction.atomic
def readings_add(*, actor, batch, rows, source=""):
    """Store temperature readings [(time, probe, °C)], all or none; a (time, probe) already stored is a problem."""
    _require_owner(actor, batch.manufacturer_id)
    times = [row[0] for row in rows]
    existing = set(
        TemperatureReading.objects.filter(batch=batch, at__gte=min(times), at__lte=max(times)).values_list(
            "at", "probe"
        )
    )
    clashes, seen = [], set()
    for i, (t, p, _temp) in enumerate(rows):
        row = i + 2 if source else i
        if (t, p) in existing:
            clashes.append(
                {
                    "row": row,
                    "column": "time",
                    "code": "logger_reading_exists",
                    "reason": Message(
                        "logger_reading_exists",
                        gettext_noop("probe %(probe)s at %(time)s is already recorded for this batch"),
                        probe=p,
                        time=t.isoformat(),
                    ),
                }
            )
        elif (t, p) in seen:
            clashes.append(
                {
                    "row": row,
                    "column": "time",
                    "code": "logger_duplicate",
                    "reason": Message(
                        "logger_duplicate",
                        gettext_noop("probe %(probe)s at %(time)s is given twice"),
                        probe=p,
                        time=t.isoformat(),
                    ),
                }
            )
        seen.add((t, p))
    if clashes:
        raise logger.LoggerFileRejected(clashes)
    TemperatureReading.objects.bulk_create(
        TemperatureReading(batch=batch, at=t, probe=p, temperature_c=c) for t, p, c in rows
    )
    _record(
        batch,
        "readings:add",
        actor,
        {
            "readings": [None, len(rows)],
            "from": [None, min(times).isoformat()],
            "to": [None, max(times).isoformat()],
            "source": [None, source],
        },
    )
    return len(rows)


def readings_upload(*, actor, batch, filename, content):
    rows = logger.parse(filename, content, timezone.get_current_timezone())
    return readings_add(actor=actor, batch=batch, rows=rows, source=filename)


@transaction.atomic
def turning_add(*, actor, batch, at, note=""):
    _require_owner(actor, batch.manufacturer_id)
    turning = Turning.objects.create(batch=batch, at=at, note=note)
    _record(batch, "turning:add", actor, {"turning": [None, at.isoformat()], "note": [None, note]})
    return turning


@transaction.atomic
def moisture_add(*, actor, batch, at, moisture_pct):
    _require_owner(actor, batch.manufacturer_id)
    reading = MoistureReading.objects.create(batch=batch, at=at, moisture_pct=moisture_pct)
    _record(batch, "moisture:add", actor, {"moisture_pct": [None, moisture_pct], "at": [None, at.isoformat()]})
    return reading


@transaction.atomic
def sample_link(*, actor, sample, batch, reason=""):
    """A sample names its batch (or none): both must belong to the same manufacturer."""
    _require_owner(actor, sample.product.manufacturer_id)
    old = BatchSample.objects.filter(sample=sample).first()
    before = old.batch_id if old else None
    if batch is not None and batch.manufacturer_id != sample.product.manufacturer_id:
        message = _("The batch belongs to another manufacturer than the sample.")
        raise ValidationError({"batch": [ValidationError(message, code="batch_other_manufacturer")]})
    if batch is None:
        BatchSample.objects.filter(sample=sample).delete()
    else:
        BatchSample.objects.update_or_create(sample=sample, defaults={"batch": batch})
    if before != (batch.pk if batch else None):
        audit.record(
            entity="sample",
            obj=sample,
            action="update",
            actor=actor,
            reason=reason,
            changes={"composting_batch": [before, batch.pk if batch else None]},
            sample=sample,
            manufacturer=sample.product.manufacturer,
        )


@transaction.atomic
def recipe_save(*, actor, batch, design, reason=""):
    """Save a mix design as the batch's recipe (audited like every batch change)."""
    recipe = {
        k: design[k]
        for k in (
            "method",
            "target_cn",
            "target_moisture_pct",
            "cn",
            "materials",
            "water_to_add_kg",
            "excess_water_kg",
            "mix_wet_kg",
        )
        if k in design
    }
    recipe["water_kg"] = design.get("water_to_add_kg", 0)
    return batch_update(actor=actor, batch=batch, reason=reason or "mix design saved as recipe", recipe=recipe)


def load_bundled_data():
    """The bundled criteria, materials, soil thresholds and backgrounds (as migration 0002 loads them); for a
    database emptied after migrating (tests that flush it)."""
    from . import seed
    from .models import Criterion, Material, SoilBackground, SoilThreshold

    with transaction.atomic():
        seed.load(Criterion, Material, SoilThreshold, SoilBackground)
