"""Reads for the composting pages and API. Manufacturer isolation as in lims/selectors.py: a manufacturer user
sees only its own organisation's batches, by list, by id and by any filter."""
from lims.roles import Role

from . import thermal
from .models import Batch, BatchSample, Criterion


def batches_visible_to(user):
    qs = Batch.objects.select_related("manufacturer", "created_by")
    if user.role == Role.MANUFACTURER:
        return qs.filter(manufacturer_id=user.manufacturer_id)
    return qs


def batch_input(batch):
    """The batch as the pure criteria see it (governing temperatures are computed from all readings)."""
    readings = list(batch.readings.values_list("at", "probe", "temperature_c"))
    turnings = list(batch.turnings.values_list("at", flat=True))
    return thermal.Batch(method=batch.method, readings=readings, turnings=turnings,
                         start=batch.started_on, end=batch.ended_on)


def evaluation(batch):
    """Every active criterion judged on the batch, plus the governing curve it was judged on."""
    data = batch_input(batch)
    results = []
    for c in Criterion.objects.filter(active=True):
        try:
            verdict = thermal.judge(c.kind, c.params, data)
        except thermal.CriterionError as e:
            verdict = {"status": thermal.NOT_JUDGED, "run": None, "reason": e.code}
        results.append({"key": c.key, "name": c.name, "kind": c.kind, "source": c.source, **verdict})
    return {"governing": thermal.governing_hours(data.readings), "turnings": data.turnings, "criteria": results,
            "criteria_params": {c.key: c.params for c in Criterion.objects.filter(active=True)}}


def batch_of_sample(sample):
    link = BatchSample.objects.select_related("batch").filter(sample=sample).first()
    return link.batch if link else None
