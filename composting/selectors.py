"""Reads for the composting pages and API. Manufacturer isolation as in lims/selectors.py: a manufacturer user
sees only its own organisation's batches, by list, by id and by any filter."""

from dataclasses import replace

from django.utils import timezone

from lims import selectors as lims_selectors
from lims.messages import Message, gettext_noop
from lims.roles import Role
from maturity import compliance
from maturity.parameters import PARAMETERS
from maturity.selectors import sample_figures

from . import thermal
from .models import Batch, BatchSample, Criterion, SoilBackground, SoilThreshold


def batches_visible_to(user):
    qs = Batch.objects.select_related("manufacturer", "created_by")
    if user.role == Role.MANUFACTURER:
        return qs.filter(manufacturer_id=user.manufacturer_id)
    return qs


def batch_input(batch):
    """The batch as the pure criteria see it (governing temperatures are computed from all readings)."""
    readings = [(timezone.localtime(t), p, c) for t, p, c in batch.readings.values_list("at", "probe", "temperature_c")]
    turnings = [timezone.localtime(t) for t in batch.turnings.values_list("at", flat=True)]
    return thermal.Batch(
        method=batch.method, readings=readings, turnings=turnings, start=batch.started_on, end=batch.ended_on
    )


def evaluation(batch):
    """Every active criterion judged on the batch, plus the governing curve it was judged on."""
    data = batch_input(batch)
    hours = thermal.governing_hours(data.readings)
    results = []
    criteria = list(Criterion.objects.filter(active=True))
    for c in criteria:
        try:
            verdict = thermal.judge(c.kind, c.params, data, hours)
        except thermal.CriterionError as e:
            verdict = {"status": thermal.NOT_JUDGED, "run": None, "reason": e.code}
        results.append({"key": c.key, "name": c.name, "kind": c.kind, "source": c.source, **verdict})
    return {
        "governing": hours,
        "turnings": data.turnings,
        "criteria": results,
        "criteria_params": {c.key: c.params for c in criteria},
    }


def batch_of_sample(sample):
    link = BatchSample.objects.select_related("batch").filter(sample=sample).first()
    return link.batch if link else None


# --- inputs of the mix designer and the soil forecast from a verified sample (DOMAIN.md §10, §11) -----------------

VERIFIED = ("verified", "certified")
METAL_KEYS = {"As": "as", "Cd": "cd", "Cr": "cr", "Cu": "cu", "Hg": "hg", "Ni": "ni", "Pb": "pb", "Zn": "zn"}


def verified_samples_visible_to(user):
    return lims_selectors.samples_visible_to(user).filter(status__in=VERIFIED)


def _dry_values(sample, keys):
    """({key: value on the dry basis in the parameter's unit}, moisture % as received or None); a value below
    detection counts at its detection limit (conservative)."""
    figures = sample_figures(sample)
    moisture, _why = compliance._moisture(figures.measurements)
    out = {}
    for key in keys:
        m = figures.measurements.get(key)
        if m is None:
            continue
        unit = PARAMETERS[key].unit if key in PARAMETERS else m.unit
        try:
            value = compliance.convert_unit(m.value, m.unit or unit, unit)
            value, _u = compliance.to_basis(replace(m, value=value), "dry", moisture, key)
        except Exception:  # noqa: BLE001 (unit or basis that cannot be converted: the value is left out)
            continue
        out[key] = value
    return out, moisture


def material_from_sample(sample):
    """C %, N % (dry) and moisture % (as received) of a verified sample, or the names of what is missing."""
    values, moisture = _dry_values(sample, ("total_carbon_pct", "organic_carbon_pct", "total_nitrogen_pct"))
    carbon = values.get("total_carbon_pct", values.get("organic_carbon_pct"))
    missing = [
        k
        for k, v in (
            ("carbon_pct", carbon),
            ("nitrogen_pct", values.get("total_nitrogen_pct")),
            ("moisture_pct", moisture),
        )
        if v is None
    ]
    return {
        "name": sample.code,
        "carbon_pct": carbon,
        "nitrogen_pct": values.get("total_nitrogen_pct"),
        "moisture_pct": moisture,
    }, missing


def sample_metals(sample):
    """{metal: mg/kg dry} of a verified sample, and its moisture % as received."""
    values, moisture = _dry_values(sample, METAL_KEYS.values())
    return {metal: values[key] for metal, key in METAL_KEYS.items() if key in values}, moisture


def soil_thresholds(land_use="farmland"):
    """{level: {metal: mg/kg}} in the order monitoring, control; farmland uses the food-crop value where there is
    one."""
    out = {"monitoring": {}, "control": {}}
    for t in SoilThreshold.objects.all():
        value = t.farmland_mg_kg if land_use == "farmland" and t.farmland_mg_kg is not None else t.general_mg_kg
        out.setdefault(t.level, {})[t.metal] = value
    return out


def soil_groups():
    groups = {}
    for b in SoilBackground.objects.all():
        groups.setdefault(b.group, {"group": b.group, "name": b.name, "metals": {}})["metals"][b.metal] = b.mg_kg
    return groups


def design_mix(materials, target_cn, target_moisture_pct, dry_total_kg):
    """Run the mix designer on resolved materials (pure call; errors are MixError)."""
    from . import mix

    return mix.design([mix.Material(**m) for m in materials], target_cn, target_moisture_pct, dry_total_kg)


def soil_forecast(
    sample,
    *,
    rate_t_ha,
    horizon_years,
    land_use="farmland",
    soil_group=None,
    start=None,
    depth_cm=15.0,
    bulk_density=1.2,
    moisture_pct=None,
):
    """The §11 forecast for a verified sample; ``start`` (measured {metal: mg/kg}) wins over ``soil_group``.
    Returns (result, problems) where problems maps a field to a Message (its code for programs)."""
    from . import forecast

    metals, moisture = sample_metals(sample)
    if moisture_pct is None:
        moisture_pct = moisture
    problems = {}
    if not metals:
        problems["sample"] = Message("forecast_no_metals", gettext_noop("the sample has no heavy-metal results"))
    if moisture_pct is None:
        message = gettext_noop("the sample has no moisture result; enter one")
        problems["moisture_pct"] = Message("forecast_no_moisture", message)
    background = {}
    if start is None:
        groups = soil_groups()
        if soil_group not in groups:
            message = gettext_noop("choose one of the soil groups")
            problems["soil_group"] = Message("forecast_soil_group_unknown", message)
        else:
            background = groups[soil_group]["metals"]
    if problems:
        return None, problems
    s0 = {m: (start or background).get(m) for m in metals}
    missing = [m for m, v in s0.items() if v is None]
    if missing:
        message = gettext_noop("no starting soil concentration for %(metal)s")
        return None, {"start": Message("forecast_start_missing", message, metal=missing)}
    result = forecast.forecast(
        metals, moisture_pct, rate_t_ha, s0, soil_thresholds(land_use), horizon_years, depth_cm, bulk_density
    )
    result.update(sample=sample.code, land_use=land_use, soil_group=soil_group if start is None else None)
    return result, {}
